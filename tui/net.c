/* net.c — casedesk's network: every request on one curl multi, driven from the input loop. */
#include <curl/curl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casedesk.h"
#include "tn_json.h"
#include "tn_buf.h"
#include "tn_http.h"

#define SLOW_MS 1500
#define PROBE_MS 3000
#define MAX_EXTERNAL 4

/* One request in flight. */
struct nreq {
	CURL *easy;
	struct curl_slist *hdrs;
	char *url, *body;
	struct tn_buf data;
	net_fn fn;
	void *ctx;
	long tag;
	long long started;
	int probe;
	int raw;                /* a 2xx body is not parsed */
	char *warning;          /* its Twonet-Warning, or NULL */
	char errbuf[CURL_ERROR_SIZE];
	struct nreq *next;
};

struct external {
	CURL *h;
	net_easy_fn fn;
	void *ctx;
};

static CURLM *multi;
static const struct tn_config *cfg;
static struct nreq *inflight;
static struct external ext[MAX_EXTERNAL];
static int offline;
static char offline_why[200];
static char *warning;           /* the latest answer's Twonet-Warning, or NULL */
static int warned;              /* it was shown on the bottom line once */
static long long offline_since_wall, next_probe;

void net_init(const struct tn_config *c)
{
	cfg = c;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	multi = curl_multi_init();
	curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 4L);
}

static void nreq_free(struct nreq *r)
{
	curl_multi_remove_handle(multi, r->easy);
	curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->hdrs);
	free(r->url);
	free(r->body);
	free(r->warning);
	tn_buf_release(&r->data);
	free(r);
}

void net_shutdown(void)
{
	while (inflight) {
		struct nreq *r = inflight;
		inflight = r->next;
		nreq_free(r);
	}
	for (int i = 0; i < MAX_EXTERNAL; i++)
		if (ext[i].h)
			curl_multi_remove_handle(multi, ext[i].h);
	if (multi)
		curl_multi_cleanup(multi);
	multi = NULL;
	free(warning);
	warning = NULL;
	curl_global_cleanup();
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	struct nreq *r = ud;

	tn_buf_add(&r->data, p, size * n);
	return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct nreq *r = ud;
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

/* An answer came: its warning (NULL: none) is the server's word now. */
static void take_warning(struct nreq *r)
{
	if (!r->warning == !warning && (!warning || !strcmp(r->warning, warning)))
		return;
	free(warning);
	warning = r->warning;
	r->warning = NULL;
	if (warning && !warned && !app.message[0]) {
		app_msg(0, "%s", warning);      /* in full once; the status line keeps its first part */
		warned = 1;
	}
	app.dirty = 1;
}

const char *net_warning(void)
{
	return warning ? warning : "";
}

static void start(const char *method, const char *path, const char *header, jv body,
		  long if_match, net_fn fn, void *ctx, long tag, int probe)
{
	struct nreq *r = tn_xcalloc(1, sizeof(*r));
	struct tn_buf b = TN_BUF_INIT;
	const char *base = cfg && cfg->url ? cfg->url : TN_DEFAULT_URL;
	size_t bl = strlen(base);
	long timeout = probe ? 3 : cfg && cfg->timeout_s > 0 ? cfg->timeout_s : 30;
	long connect = cfg && cfg->connect_timeout_s > 0 ? cfg->connect_timeout_s : 5;

	tn_buf_init(&r->data);
	while (bl && base[bl - 1] == '/')
		bl--;
	tn_buf_add(&b, base, bl);
	tn_buf_adds(&b, path);
	r->url = tn_buf_detach(&b, NULL);
	r->fn = fn;
	r->ctx = ctx;
	r->tag = tag;
	r->probe = probe;
	r->started = app_now_ms();
	r->hdrs = curl_slist_append(r->hdrs, "Accept: application/json, application/problem+json");
	r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	if (cfg && cfg->token && *cfg->token) {
		tn_buf_addf(&b, "Authorization: Bearer %s", cfg->token);
		r->hdrs = curl_slist_append(r->hdrs, b.buf);
		tn_buf_reset(&b);
	}
	if (if_match > 0) {
		tn_buf_addf(&b, "If-Match: \"%ld\"", if_match);
		r->hdrs = curl_slist_append(r->hdrs, b.buf);
		tn_buf_reset(&b);
	}
	if (header)
		r->hdrs = curl_slist_append(r->hdrs, header);
	tn_buf_release(&b);
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
	curl_easy_setopt(r->easy, CURLOPT_USERAGENT, "casedesk/" TN_VERSION);
	curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->errbuf);
	if (jv_is_valid(body)) {
		jv s = jv_dump_string(body, 0);
		r->body = tn_xstrdup(jv_string_value(s));
		jv_free(s);
		r->hdrs = curl_slist_append(r->hdrs, "Content-Type: application/json");
	} else {
		jv_free(body);
	}
	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->hdrs);
	if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(r->easy, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body ? r->body : "");
	}
	r->next = inflight;
	inflight = r;
	curl_multi_add_handle(multi, r->easy);
}

void net_request(const char *method, const char *path, jv body, long if_match, net_fn fn,
		 void *ctx, long tag)
{
	start(method, path, NULL, body, if_match, fn, ctx, tag, 0);
}

void net_request_hdr(const char *method, const char *path, const char *header, jv body,
		     long if_match, net_fn fn, void *ctx, long tag)
{
	start(method, path, header, body, if_match, fn, ctx, tag, 0);
}

void net_get_raw(const char *path, net_fn fn, void *ctx, long tag)
{
	start("GET", path, NULL, jv_invalid(), 0, fn, ctx, tag, 0);
	inflight->raw = 1;
}

void net_add_easy(CURL *h, net_easy_fn fn, void *ctx)
{
	for (int i = 0; i < MAX_EXTERNAL; i++)
		if (!ext[i].h) {
			ext[i].h = h;
			ext[i].fn = fn;
			ext[i].ctx = ctx;
			curl_multi_add_handle(multi, h);
			return;
		}
}

void net_remove_easy(CURL *h)
{
	for (int i = 0; i < MAX_EXTERNAL; i++)
		if (ext[i].h == h) {
			curl_multi_remove_handle(multi, h);
			ext[i].h = NULL;
		}
}

static int unreachable(CURLcode rc)
{
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	       rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_GOT_NOTHING ||
	       rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR;
}

static void set_offline(const char *why)
{
	if (!offline) {
		offline = 1;
		offline_since_wall = (long long)time(NULL);
		app.dirty = 1;
	}
	snprintf(offline_why, sizeof(offline_why), "%s", why);
	next_probe = app_now_ms() + PROBE_MS;
}

static void set_online(void)
{
	if (offline) {
		offline = 0;
		app_msg(0, "the server answers again");
		app.dirty = 1;
	}
}

static void finish(struct nreq *r, CURLcode rc)
{
	struct net_result res;
	struct tn_buf e = TN_BUF_INIT;
	jv title = jv_invalid(), detail = jv_invalid();

	res.status = 0;
	res.body = jv_null();
	res.raw = r->data.buf;
	res.raw_len = r->data.len;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &res.status);
	if (rc != CURLE_OK) {
		res.status = 0;
		tn_buf_addf(&e, "%s", r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc));
		if (unreachable(rc))
			set_offline(e.buf);
	} else {
		set_online();
		take_warning(r);
		if (r->data.len && !(r->raw && res.status >= 200 && res.status < 300)) {
			jv v = tn_json_parse(r->data.buf, r->data.len);
			if (jv_is_valid(v))
				res.body = v;
			else
				jv_free(v);
		}
		if (res.status >= 300) {
			if (jv_get_kind(res.body) == JV_KIND_OBJECT) {
				detail = jv_object_get(jv_copy(res.body), jv_string("detail"));
				title = jv_object_get(jv_copy(res.body), jv_string("title"));
			}
			if (jv_get_kind(detail) == JV_KIND_STRING)
				tn_buf_adds(&e, jv_string_value(detail));
			else if (jv_get_kind(title) == JV_KIND_STRING)
				tn_buf_adds(&e, jv_string_value(title));
			else
				tn_buf_addf(&e, "the server answered %ld", res.status);
			jv_free(detail);
			jv_free(title);
		}
	}
	res.error = e.len ? e.buf : NULL;
	if (r->fn)
		r->fn(r->ctx, r->tag, &res);
	jv_free(res.body);
	tn_buf_release(&e);
	app.dirty = 1;
}

static void deliver(void)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL *h = msg->easy_handle;
		CURLcode rc = msg->data.result;
		int done = 0;

		for (int i = 0; i < MAX_EXTERNAL && !done; i++)
			if (ext[i].h == h) {
				net_easy_fn fn = ext[i].fn;
				void *ctx = ext[i].ctx;
				curl_multi_remove_handle(multi, h);
				ext[i].h = NULL;
				if (unreachable(rc))
					set_offline(curl_easy_strerror(rc));
				fn(ctx, h, rc);
				done = 1;
			}
		if (done)
			continue;
		for (struct nreq **pp = &inflight; *pp; pp = &(*pp)->next)
			if ((*pp)->easy == h) {
				struct nreq *r = *pp;
				*pp = r->next;
				curl_multi_remove_handle(multi, h);
				finish(r, rc);
				nreq_free(r);
				break;
			}
	}
}

static void probe(void)
{
	int busy = 0;

	for (struct nreq *r = inflight; r; r = r->next)
		busy = 1;
	if (busy || !offline || app_now_ms() < next_probe)
		return;
	next_probe = app_now_ms() + PROBE_MS;
	start("GET", "/v1/health", NULL, jv_invalid(), 0, NULL, NULL, 0, 1);
}

int net_timeout(int cap)
{
	long t = -1;

	curl_multi_timeout(multi, &t);
	if (t >= 0 && t < cap)
		cap = (int)t;
	if (offline) {
		long long d = next_probe - app_now_ms();
		if (d < 0)
			d = 0;
		if (d < cap)
			cap = (int)d;
	}
	return cap;
}

void net_poll(int timeout_ms)
{
	struct curl_waitfd in = { 0, CURL_WAIT_POLLIN, 0 };
	int running, n;

	probe();
	curl_multi_perform(multi, &running);
	deliver();
	if (timeout_ms > 0)
		curl_multi_poll(multi, &in, 1, timeout_ms, &n);
	curl_multi_perform(multi, &running);
	deliver();
}

int net_offline(void)
{
	return offline;
}

void net_state(struct tn_buf *b)
{
	long long now = app_now_ms(), oldest = 0;
	int n = 0;

	for (struct nreq *r = inflight; r; r = r->next)
		if (!r->probe) {
			n++;
			if (!oldest || r->started < oldest)
				oldest = r->started;
		}
	if (offline) {
		struct tm tm;
		char when[16];
		time_t t = (time_t)offline_since_wall;

		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		tn_buf_addf(b, "server unreachable since %s (%s)", when, offline_why);
		return;
	}
	if (n && now - oldest > SLOW_MS)
		tn_buf_addf(b, "waiting %llds for the server", (now - oldest) / 1000);
	else if (n)
		tn_buf_adds(b, "loading");
}
