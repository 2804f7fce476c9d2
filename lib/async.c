/* async.c — the HTTP client driven from the caller's event loop (tn_async.h): requests on one curl multi. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tn_async.h"
#include "tn_buf.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tnp_curl.h"

#define MAX_EXTERNAL 4
#define PROBE_TIMEOUT_S 3

/* One request in flight. */
struct areq {
	CURL *easy;
	struct curl_slist *hdrs;
	char *url, *body;
	size_t body_len;
	struct tn_buf data;
	tn_async_fn fn;
	void *ctx;
	long tag;
	unsigned flags;
	long long started;
	char *warning;          /* its Twonet-Warning, or NULL */
	char errbuf[CURL_ERROR_SIZE];
	struct areq *prev, *next;
};

struct external {
	CURL *h;
	tn_async_easy_fn fn;
	void *ctx;
};

struct tn_async {
	const struct tn_config *cfg;
	CURLM *multi;
	char *user_agent;
	struct areq *head;      /* in flight, newest first */
	struct external ext[MAX_EXTERNAL];
};

long long tn_async_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct tn_async *tn_async_new(const struct tn_config *cfg, const char *user_agent,
			      struct tn_err *err)
{
	struct tn_async *a;

	if (tnp_curl_load(err) != TN_OK)
		return NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		tn_err_set(err, TN_EINTERNAL, "cannot start libcurl");
		return NULL;
	}
	a = tn_xcalloc(1, sizeof(*a));
	a->cfg = cfg;
	a->user_agent = tn_xstrdup(user_agent ? user_agent : "twonet/" TN_VERSION);
	a->multi = curl_multi_init();
	if (!a->multi) {
		free(a->user_agent);
		free(a);
		curl_global_cleanup();
		tn_err_set(err, TN_EINTERNAL, "cannot start libcurl");
		return NULL;
	}
	curl_multi_setopt(a->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 4L);
	return a;
}

static void unlink_req(struct tn_async *a, struct areq *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		a->head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
}

static void areq_free(struct tn_async *a, struct areq *r)
{
	curl_multi_remove_handle(a->multi, r->easy);
	curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->hdrs);
	free(r->url);
	free(r->body);
	free(r->warning);
	tn_buf_release(&r->data);
	free(r);
}

void tn_async_free(struct tn_async *a)
{
	if (!a)
		return;
	while (a->head) {
		struct areq *r = a->head;
		unlink_req(a, r);
		areq_free(a, r);
	}
	for (int i = 0; i < MAX_EXTERNAL; i++)
		if (a->ext[i].h)
			curl_multi_remove_handle(a->multi, a->ext[i].h);
	curl_multi_cleanup(a->multi);
	free(a->user_agent);
	free(a);
	curl_global_cleanup();
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	struct areq *r = ud;

	tn_buf_add(&r->data, p, size * n);
	return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct areq *r = ud;
	char *w = tn_http_header_value(p, size * n, TN_HTTP_WARNING);

	if (w) {
		free(r->warning);
		r->warning = w;
	} else if (size * n > 5 && !strncmp(p, "HTTP/", 5)) {
		free(r->warning);       /* a new response: forget the last one's */
		r->warning = NULL;
	}
	return size * n;
}

void tn_async_start(struct tn_async *a, struct tn_request *req, unsigned flags,
		    tn_async_fn fn, void *ctx, long tag)
{
	struct areq *r = tn_xcalloc(1, sizeof(*r));
	struct tn_buf b = TN_BUF_INIT;
	const struct tn_config *cfg = a->cfg;
	const char *base = cfg && cfg->url ? cfg->url : TN_DEFAULT_URL;
	const char *method = req->method ? req->method : "GET";
	size_t bl = strlen(base);
	long timeout = flags & TN_ASYNC_PROBE ? PROBE_TIMEOUT_S :
		       cfg && cfg->timeout_s > 0 ? cfg->timeout_s : 30;
	long connect = cfg && cfg->connect_timeout_s > 0 ? cfg->connect_timeout_s : 5;

	tn_buf_init(&r->data);
	while (bl && base[bl - 1] == '/')
		bl--;
	tn_buf_add(&b, base, bl);
	if (req->path && req->path[0] != '/')
		tn_buf_addch(&b, '/');
	tn_buf_adds(&b, req->path ? req->path : "/");
	r->url = tn_buf_detach(&b, NULL);
	r->fn = fn;
	r->ctx = ctx;
	r->tag = tag;
	r->flags = flags;
	r->started = tn_async_now_ms();
	r->hdrs = curl_slist_append(r->hdrs, "Accept: application/json, application/problem+json");
	r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	if (cfg && cfg->token && *cfg->token) {
		tn_buf_addf(&b, "Authorization: Bearer %s", cfg->token);
		r->hdrs = curl_slist_append(r->hdrs, b.buf);
		tn_buf_reset(&b);
	}
	if (req->idempotency_key) {
		tn_buf_addf(&b, "Idempotency-Key: %s", req->idempotency_key);
		r->hdrs = curl_slist_append(r->hdrs, b.buf);
		tn_buf_reset(&b);
	}
	if (req->if_match) {
		tn_buf_addf(&b, "If-Match: %s", req->if_match);
		r->hdrs = curl_slist_append(r->hdrs, b.buf);
		tn_buf_reset(&b);
	}
	for (const char *const *h = req->headers; h && *h; h++)
		r->hdrs = curl_slist_append(r->hdrs, *h);
	tn_buf_release(&b);
	if (jv_is_valid(req->body)) {
		jv s = jv_dump_string(req->body, 0);
		r->body_len = (size_t)jv_string_length_bytes(jv_copy(s));
		r->body = tn_xstrndup(jv_string_value(s), r->body_len);
		jv_free(s);
		r->hdrs = curl_slist_append(r->hdrs, "Content-Type: application/json");
	} else {
		jv_free(req->body);
	}
	req->body = jv_invalid();
	r->easy = curl_easy_init();
	curl_easy_setopt(r->easy, CURLOPT_URL, r->url);
	curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(r->easy, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
	curl_easy_setopt(r->easy, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT, connect);
	curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(r->easy, CURLOPT_USERAGENT, a->user_agent);
	curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->hdrs);
	if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(r->easy, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body ? r->body : "");
		curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
	}
	r->next = a->head;
	if (a->head)
		a->head->prev = r;
	a->head = r;
	curl_multi_add_handle(a->multi, r->easy);
}

int tn_async_add_easy(struct tn_async *a, CURL *h, tn_async_easy_fn fn, void *ctx)
{
	for (int i = 0; i < MAX_EXTERNAL; i++)
		if (!a->ext[i].h) {
			a->ext[i].h = h;
			a->ext[i].fn = fn;
			a->ext[i].ctx = ctx;
			curl_multi_add_handle(a->multi, h);
			return 0;
		}
	return -1;
}

void tn_async_remove_easy(struct tn_async *a, CURL *h)
{
	for (int i = 0; i < MAX_EXTERNAL; i++)
		if (a->ext[i].h == h) {
			curl_multi_remove_handle(a->multi, h);
			a->ext[i].h = NULL;
		}
}

int tn_async_unreachable(CURLcode rc)
{
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	       rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_GOT_NOTHING ||
	       rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR;
}

/* Hand a finished request to its callback. */
static void finish(struct areq *r, CURLcode rc)
{
	struct tn_async_result res;
	struct tn_buf e = TN_BUF_INIT;

	memset(&res, 0, sizeof(res));
	res.body = jv_null();
	res.raw = r->data.buf;
	res.raw_len = r->data.len;
	res.started_ms = r->started;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &res.status);
	if (rc != CURLE_OK) {
		res.status = 0;
		res.unreachable = tn_async_unreachable(rc);
		tn_buf_addf(&e, "%s", r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc));
	} else {
		res.warning = r->warning;
		if (r->data.len && !(r->flags & TN_ASYNC_RAW && res.status >= 200 && res.status < 300)) {
			jv v = tn_json_parse(r->data.buf, r->data.len);
			if (jv_is_valid(v))
				res.body = v;
			else
				jv_free(v);
		}
		if (res.status >= 300) {
			const char *detail = tn_jv_str(res.body, "detail");   /* borrowed */
			const char *title = tn_jv_str(res.body, "title");

			if (detail)
				tn_buf_adds(&e, detail);
			else if (title)
				tn_buf_adds(&e, title);
			else
				tn_buf_addf(&e, "the server answered %ld", res.status);
		}
	}
	res.error = e.len ? e.buf : NULL;
	if (r->fn)
		r->fn(r->ctx, r->tag, &res);
	jv_free(res.body);
	tn_buf_release(&e);
}

/* Hand every finished transfer over; returns how many. */
static int deliver(struct tn_async *a)
{
	CURLMsg *msg;
	int left, n = 0;

	while ((msg = curl_multi_info_read(a->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL *h = msg->easy_handle;
		CURLcode rc = msg->data.result;
		int done = 0;

		n++;
		for (int i = 0; i < MAX_EXTERNAL && !done; i++)
			if (a->ext[i].h == h) {
				tn_async_easy_fn fn = a->ext[i].fn;
				void *ctx = a->ext[i].ctx;
				curl_multi_remove_handle(a->multi, h);
				a->ext[i].h = NULL;
				fn(ctx, h, rc);
				done = 1;
			}
		if (done)
			continue;
		struct areq *r = NULL;
		curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&r);
		if (!r)
			continue;
		unlink_req(a, r);
		curl_multi_remove_handle(a->multi, h);
		finish(r, rc);
		areq_free(a, r);
	}
	return n;
}

int tn_async_timeout_ms(struct tn_async *a, int cap)
{
	long t = -1;

	curl_multi_timeout(a->multi, &t);
	if (t >= 0 && t < cap)
		cap = (int)t;
	return cap < 0 ? 0 : cap;
}

int tn_async_wait(struct tn_async *a, int fd, int timeout_ms)
{
	struct curl_waitfd in = { fd, CURL_WAIT_POLLIN, 0 };
	int n;

	if (timeout_ms <= 0)
		return 0;
	curl_multi_poll(a->multi, fd >= 0 ? &in : NULL, fd >= 0 ? 1 : 0, timeout_ms, &n);
	return fd >= 0 && (in.revents & CURL_WAIT_POLLIN) != 0;
}

int tn_async_perform(struct tn_async *a)
{
	int running, n;

	curl_multi_perform(a->multi, &running);
	n = deliver(a);
	/* a callback may have queued the next request: send it now, not after the next wait */
	if (n) {
		curl_multi_perform(a->multi, &running);
		n += deliver(a);
	}
	return n;
}

size_t tn_async_pending(const struct tn_async *a, long long *oldest_ms)
{
	size_t n = 0;
	long long oldest = 0;

	for (const struct areq *r = a->head; r; r = r->next)
		if (!(r->flags & TN_ASYNC_PROBE)) {
			n++;
			if (!oldest || r->started < oldest)
				oldest = r->started;
		}
	if (oldest_ms)
		*oldest_ms = oldest;
	return n;
}
