/* request.c — one HTTP request built for libcurl and its answer read back, for both clients (tnp_http.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tnp_http.h"

#define WARNING_MAX 512         /* bytes of a Twonet-Warning kept */

char *tn_http_header_value(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name);
	const char *v;
	char *t;

	if (len <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0)
		return NULL;
	v = line + nl + 1;
	len -= nl + 1;
	while (len && (*v == ' ' || *v == '\t'))
		v++, len--;
	while (len && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r' ||
		       v[len - 1] == '\n'))
		len--;
	if (len > WARNING_MAX)
		len = WARNING_MAX;
	t = tn_xstrndup(v, len);
	for (char *p = t; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return t;
}

/* Append the header `head` + `value` (say "If-Match: " and a tag) to `l` when `value` is set. */
static struct curl_slist *add_header(struct curl_slist *l, struct tn_buf *b, const char *head,
				     const char *value)
{
	if (!value)
		return l;
	tn_buf_reset(b);
	tn_buf_adds(b, head);
	tn_buf_adds(b, value);
	return curl_slist_append(l, b->buf);
}

void tnp_http_init(struct tnp_http *h, const struct tn_config *cfg, struct tn_request *req)
{
	struct tn_buf b = TN_BUF_INIT;
	const char *base = cfg && cfg->url ? cfg->url : TN_DEFAULT_URL;
	size_t bl = strlen(base);

	memset(h, 0, sizeof(*h));
	tn_buf_init(&h->data);
	h->retry_after = -1;
	while (bl && base[bl - 1] == '/')
		bl--;
	tn_buf_add(&b, base, bl);
	if (req->path && req->path[0] != '/')
		tn_buf_addch(&b, '/');
	tn_buf_adds(&b, req->path ? req->path : "/");
	h->url = tn_buf_detach(&b, NULL);
	h->method = tn_xstrdup(req->method ? req->method : "GET");
	if (jv_is_valid(req->body)) {
		struct tn_buf s = TN_BUF_INIT;

		tn_json_dump(req->body, &s);
		jv_free(req->body);
		h->body = tn_buf_detach(&s, &h->body_len);
	} else {
		jv_free(req->body);
	}
	req->body = jv_invalid();
	h->timeout_s = cfg && cfg->timeout_s > 0 ? cfg->timeout_s : 30;
	h->connect_timeout_s = cfg && cfg->connect_timeout_s > 0 ? cfg->connect_timeout_s : 5;

	h->hdrs = curl_slist_append(h->hdrs, "Accept: application/json, application/problem+json");
	h->hdrs = curl_slist_append(h->hdrs, "Expect:");
	if (h->body)
		h->hdrs = curl_slist_append(h->hdrs, "Content-Type: application/json");
	h->hdrs = add_header(h->hdrs, &b, "Authorization: Bearer ",
			     cfg && cfg->token && *cfg->token ? cfg->token : NULL);
	h->hdrs = add_header(h->hdrs, &b, "Idempotency-Key: ", req->idempotency_key);
	h->hdrs = add_header(h->hdrs, &b, "If-Match: ", req->if_match);
	tn_buf_release(&b);
	for (const char *const *x = req->headers; x && *x; x++)
		h->hdrs = curl_slist_append(h->hdrs, *x);
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct tnp_http *h = ud;

	tn_buf_add(&h->data, ptr, size * nmemb);
	return size * nmemb;
}

/* Forget the answer's headers (a new response begins, or a new attempt). */
static void forget_headers(struct tnp_http *h)
{
	free(h->etag);
	h->etag = NULL;
	free(h->warning);
	h->warning = NULL;
	h->retry_after = -1;
}

void tnp_http_release(struct tnp_http *h)
{
	curl_slist_free_all(h->hdrs);
	free(h->method);
	free(h->url);
	free(h->body);
	forget_headers(h);
	tn_buf_release(&h->data);
	memset(h, 0, sizeof(*h));
	tn_buf_init(&h->data);
	h->retry_after = -1;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct tnp_http *h = ud;
	size_t n = size * nmemb, len = n;
	char *w;

	while (len && (ptr[len - 1] == '\r' || ptr[len - 1] == '\n'))
		len--;
	if (len > 5 && !strncasecmp(ptr, "ETag:", 5)) {
		const char *v = ptr + 5;
		while (*v == ' ')
			v++;
		free(h->etag);
		h->etag = tn_xstrndup(v, len - (size_t)(v - ptr));
	} else if (len > 12 && !strncasecmp(ptr, "Retry-After:", 12)) {
		char tmp[32];
		long secs;
		size_t vl = len - 12;

		if (vl >= sizeof(tmp))
			vl = sizeof(tmp) - 1;
		memcpy(tmp, ptr + 12, vl);
		tmp[vl] = '\0';
		char *v = tmp;
		while (*v == ' ')
			v++;
		if (tn_parse_long(v, &secs) == 0 && secs >= 0)
			h->retry_after = secs;
	} else if ((w = tn_http_header_value(ptr, len, TN_HTTP_WARNING)) != NULL) {
		free(h->warning);
		h->warning = w;
	} else if (len > 5 && !strncasecmp(ptr, "HTTP/", 5)) {
		/* a new response (after a redirect or 100-continue): forget old headers */
		forget_headers(h);
	}
	return n;
}

void tnp_http_arm(struct tnp_http *h, CURL *e, const char *user_agent, void *priv)
{
	tn_buf_reset(&h->data);
	forget_headers(h);
	curl_easy_setopt(e, CURLOPT_URL, h->url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->hdrs);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, h->timeout_s);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, h->connect_timeout_s);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, user_agent);
	curl_easy_setopt(e, CURLOPT_PRIVATE, priv);
	if (!strcmp(h->method, "GET")) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
	} else {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, h->method);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, h->body ? h->body : "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)h->body_len);
	}
}

jv tnp_http_json(const struct tnp_http *h)
{
	if (!h->data.len)
		return jv_null();
	return tn_json_parse(h->data.buf, h->data.len);
}

const char *tnp_http_problem(jv body)
{
	const char *detail = tn_jv_str(body, "detail");

	return detail ? detail : tn_jv_str(body, "title");
}
