/* async.c — the HTTP client driven from the caller's event loop (tn_async.h): requests on one curl multi. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tn_async.h"
#include "tn_buf.h"
#include "tnp_curl.h"
#include "tnp_http.h"

#define MAX_EXTERNAL 4
#define PROBE_TIMEOUT_S 3

/* One request in flight. */
struct areq {
	CURL *easy;
	struct tnp_http http;
	tn_async_fn fn;
	void *ctx;
	long tag;
	unsigned flags;
	long long started;
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
	tnp_http_release(&r->http);
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

void tn_async_start(struct tn_async *a, struct tn_request *req, unsigned flags,
		    tn_async_fn fn, void *ctx, long tag)
{
	struct areq *r = tn_xcalloc(1, sizeof(*r));

	tnp_http_init(&r->http, a->cfg, req);
	if (flags & TN_ASYNC_PROBE)
		r->http.timeout_s = PROBE_TIMEOUT_S;
	r->fn = fn;
	r->ctx = ctx;
	r->tag = tag;
	r->flags = flags;
	r->started = tn_async_now_ms();
	r->easy = curl_easy_init();
	tnp_http_arm(&r->http, r->easy, a->user_agent, r);
	curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->errbuf);
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
	res.raw = r->http.data.buf;
	res.raw_len = r->http.data.len;
	res.started_ms = r->started;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &res.status);
	if (rc != CURLE_OK) {
		res.status = 0;
		res.unreachable = tn_async_unreachable(rc);
		tn_buf_addf(&e, "%s", r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc));
	} else {
		res.warning = r->http.warning;
		if (!(r->flags & TN_ASYNC_RAW && res.status >= 200 && res.status < 300)) {
			jv v = tnp_http_json(&r->http);
			if (jv_is_valid(v))
				res.body = v;
			else
				jv_free(v);
		}
		if (res.status >= 300) {
			const char *detail = tnp_http_problem(res.body);   /* borrowed */

			if (detail)
				tn_buf_adds(&e, detail);
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
