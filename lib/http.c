/* http.c — the HTTP client: libcurl easy and multi, retries with back-off, problem+json. */
#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_cli.h"
#include "tn_http.h"
#include "tnp_http.h"

#define BACKOFF_BASE_MS 200
#define BACKOFF_CAP_MS 10000

struct tn_client {
	const struct tn_config *cfg;
	CURL *easy;
	unsigned int seed;
	char *warning;          /* the latest Twonet-Warning, or NULL */
	tn_client_notice_fn notice;
	void *notice_ctx;
};

/* One transfer's state: what to send and what came back. */
struct xfer {
	CURL *easy;
	struct tnp_http http;
	int retryable_write;
	int no_retry;
	int verbatim;           /* a 2xx body tn_json_verbatim passes stays text (bulk only) */
	int attempts;
	/* bulk */
	void *tag;
	long long due_ms;       /* when a waiting retry may start */
	int busy;
	int waiting;
};

static int curl_ready;

static void global_init(void)
{
	if (!curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl_ready = 1;
		atexit(curl_global_cleanup);
	}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void tn_client_on_notice(struct tn_client *c, tn_client_notice_fn fn, void *ctx)
{
	c->notice = fn;
	c->notice_ctx = ctx;
}

struct tn_client *tn_client_new(const struct tn_config *cfg)
{
	struct tn_client *c = tn_xcalloc(1, sizeof(*c));

	c->cfg = cfg;
	c->seed = (unsigned int)(getpid() ^ (unsigned int)now_ms());
	return c;
}

void tn_client_free(struct tn_client *c)
{
	if (!c)
		return;
	if (c->easy)
		curl_easy_cleanup(c->easy);
	free(c->warning);
	free(c);
}

const char *tn_client_warning(const struct tn_client *c)
{
	return c ? c->warning : NULL;
}

/* Keep the warning of a finished transfer in the client (the latest wins). */
static void keep_warning(struct tn_client *c, struct xfer *x)
{
	if (!x->http.warning || !*x->http.warning)
		return;
	free(c->warning);
	c->warning = x->http.warning;
	x->http.warning = NULL;
}

void tn_response_release(struct tn_response *resp)
{
	jv_free(resp->body);
	resp->body = jv_null();
	free(resp->etag);
	resp->etag = NULL;
}

void tn_url_escape(struct tn_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
			tn_buf_addch(b, ch);
		} else {
			tn_buf_addch(b, '%');
			tn_buf_addch(b, hex[ch >> 4]);
			tn_buf_addch(b, hex[ch & 15]);
		}
	}
}

static void xfer_clear(struct xfer *x)
{
	tnp_http_release(&x->http);
	x->busy = x->waiting = 0;
	x->attempts = 0;
}

/* Take over a request into a transfer: copies strings, consumes the body. */
static void xfer_setup(struct xfer *x, const struct tn_client *c, struct tn_request *req)
{
	tnp_http_init(&x->http, c->cfg, req);
	x->no_retry = req->no_retry;
	x->verbatim = req->verbatim;
	x->retryable_write = !strcmp(x->http.method, "GET") || !strcmp(x->http.method, "HEAD") ||
			     !strcmp(x->http.method, "PUT") || req->idempotency_key != NULL;
}

/* Point the easy handle at the transfer for one attempt. */
static void xfer_arm(struct xfer *x, const struct tn_client *c)
{
	tnp_http_arm(&x->http, x->easy, "twonet/" TN_VERSION, x);
	curl_easy_setopt(x->easy, CURLOPT_VERBOSE, c->cfg && c->cfg->verbose >= 2 ? 1L : 0L);
	x->attempts++;
}

static int retryable_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return 1;
	default:
		return 0;
	}
}

int tn_http_retryable(long status)
{
	return status == 429 || status == 502 || status == 503 || status == 504;
}

/* How long to wait before attempt number `attempt` (1-based retry), in ms. */
static long backoff_ms(struct tn_client *c, int attempt, long retry_after)
{
	long cap = BACKOFF_BASE_MS;
	long wait;

	for (int i = 1; i < attempt && cap < BACKOFF_CAP_MS; i++)
		cap *= 2;
	if (cap > BACKOFF_CAP_MS)
		cap = BACKOFF_CAP_MS;
	/* full jitter, with half the window as a floor so retries never bunch at 0 */
	wait = cap / 2 + (long)(rand_r(&c->seed) % (unsigned)(cap / 2 + 1));
	if (retry_after >= 0 && retry_after * 1000 > wait)
		wait = retry_after * 1000;
	return wait;
}

/* Retries come resolved from the configuration (flag > TWONET_RETRIES > profile > 4). */
static long max_retries(const struct tn_client *c)
{
	if (c->cfg && c->cfg->retries >= 0)
		return c->cfg->retries;
	return 4;
}

/* The problem's "errors" ({field, label, detail} each: every fault of the input) into err->problems. */
static void add_problems(jv body, struct tn_err *err)
{
	jv list = tn_jv_array(body, "errors");

	jv_array_foreach(list, i, p) {
		const char *field = tn_jv_str(p, "field"), *detail = tn_jv_str(p, "detail");

		if (field && detail)
			tn_err_add_problem(err, field, tn_jv_str(p, "label"), detail);
		jv_free(p);
	}
	jv_free(list);
}

/*
 * Turn a finished attempt into a response and a code.  Consumes the data
 * buffer's contents into resp->body.
 */
static enum tn_code finish(struct xfer *x, CURLcode crc, long status, struct tn_response *resp,
			   struct tn_err *err)
{
	const struct tnp_http *h = &x->http;
	enum tn_code code;
	jv body;

	resp->status = status;
	resp->body = jv_null();
	resp->etag = x->http.etag;
	x->http.etag = NULL;
	resp->retry_after = h->retry_after;
	resp->attempts = x->attempts;
	resp->text = NULL;
	resp->text_len = 0;
	if (crc != CURLE_OK) {
		if (retryable_curl(crc))
			return tn_err_set(err, TN_EUNREACHABLE, "cannot reach '%s' after %d attempt%s: %s",
					  h->url, x->attempts, x->attempts == 1 ? "" : "s",
					  curl_easy_strerror(crc));
		return tn_err_set(err, TN_EUNREACHABLE, "request to '%s' failed: %s", h->url,
				  curl_easy_strerror(crc));
	}
	if (x->verbatim && status >= 200 && status < 300 && tn_code_from_http(status) == TN_OK) {
		size_t from, to;

		/* checked, not parsed: the caller passes the server's bytes on */
		if (tn_json_verbatim(h->data.buf, h->data.len, &from, &to)) {
			resp->text = h->data.buf + from;
			resp->text_len = to - from;
			return TN_OK;
		}
	}
	body = tnp_http_json(h);
	if (jv_is_valid(body)) {
		resp->body = body;
	} else {
		jv_free(body);
		if (status >= 200 && status < 300)
			return tn_err_set(err, TN_ESERVER,
					  "server sent a response that is not JSON (%s %s, status %ld)",
					  h->method, h->url, status);
	}
	code = tn_code_from_http(status);
	if (code != TN_OK)
		tn_err_from_problem(err, status, resp->body, h->method, h->url);
	return code;
}

enum tn_code tn_err_from_problem(struct tn_err *err, long status, jv problem, const char *method,
				 const char *url)
{
	enum tn_code code = tn_code_from_http(status);
	/* borrowed from problem */
	const char *detail = tnp_http_problem(problem);
	const char *field = tn_jv_str(problem, "field");

	if (detail)
		tn_err_set(err, code, "%s", detail);
	else
		tn_err_set(err, code, "%s %s: HTTP %ld", method, url, status);
	if (err) {
		err->http_status = status;
		snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
		add_problems(problem, err);
	}
	return code;
}

static int should_retry(const struct tn_client *c, struct xfer *x, CURLcode crc, long status)
{
	if (x->no_retry || !x->retryable_write)
		return 0;
	if (x->attempts > max_retries(c))
		return 0;
	if (tn_cli_interrupted())
		return 0;
	if (crc != CURLE_OK)
		return retryable_curl(crc);
	return tn_http_retryable(status);
}

enum tn_code tn_client_do(struct tn_client *c, struct tn_request *req,
			  struct tn_response *resp, struct tn_err *err)
{
	struct xfer x;
	CURLcode crc;
	long status = 0;
	enum tn_code code;

	memset(&x, 0, sizeof(x));
	resp->status = 0;
	resp->body = jv_null();
	resp->etag = NULL;
	resp->retry_after = -1;
	resp->attempts = 0;
	global_init();
	if (!c->easy)
		c->easy = curl_easy_init();
	else
		curl_easy_reset(c->easy);
	x.easy = c->easy;
	xfer_setup(&x, c, req);
	x.verbatim = 0;         /* the answer outlives the transfer: always parsed */
	for (;;) {
		xfer_arm(&x, c);
		crc = curl_easy_perform(x.easy);
		status = 0;
		if (crc == CURLE_OK)
			curl_easy_getinfo(x.easy, CURLINFO_RESPONSE_CODE, &status);
		if (!should_retry(c, &x, crc, status))
			break;
		long wait = backoff_ms(c, x.attempts, x.http.retry_after);
		if (c->cfg && c->cfg->verbose && c->notice) {
			char msg[1200];

			snprintf(msg, sizeof(msg), "%s %s: %s, retrying in %ld ms", x.http.method, x.http.url,
				 crc != CURLE_OK ? curl_easy_strerror(crc) : "server busy", wait);
			c->notice(c->notice_ctx, msg);
		}
		usleep((useconds_t)wait * 1000);
		if (tn_cli_interrupted())
			break;
	}
	code = finish(&x, crc, status, resp, err);
	keep_warning(c, &x);
	xfer_clear(&x);
	if (code == TN_OK)
		tn_err_clear(err);
	if (tn_cli_interrupted() && code != TN_OK)
		code = tn_err_set(err, TN_EINTR, "interrupted");
	return code;
}

enum tn_code tn_client_get(struct tn_client *c, const char *path, jv *out, struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	enum tn_code code;

	req.path = path;
	code = tn_client_do(c, &req, &resp, err);
	if (code == TN_OK) {
		*out = resp.body;
		resp.body = jv_null();
	} else {
		*out = jv_invalid();
	}
	tn_response_release(&resp);
	return code;
}

#define BULK_LATER_MS 10  /* how soon next is asked again after TN_BULK_LATER */

enum tn_code tn_client_bulk(struct tn_client *c, int parallel, tn_bulk_next_fn next,
			    tn_bulk_done_fn done, void *ctx, struct tn_err *err)
{
	struct xfer *slots;
	CURLM *multi;
	int exhausted = 0, active = 0, waiting = 0, finished;
	enum tn_code rc = TN_OK;

	if (parallel < 1)
		parallel = 1;
	if (parallel > 256)
		parallel = 256;
	global_init();
	multi = curl_multi_init();
	curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)parallel);
	slots = tn_xcalloc((size_t)parallel, sizeof(*slots));
	for (int i = 0; i < parallel; i++) {
		slots[i].easy = curl_easy_init();
	}

	for (;;) {
		long long t = now_ms();
		long poll_ms = 1000;
		int running;
		CURLMsg *msg;
		int left;

		if (tn_cli_interrupted()) {
			rc = tn_err_set(err, TN_EINTR, "interrupted");
			break;
		}
		/* start retries that are due, then new requests into free slots */
		for (int i = 0; i < parallel; i++) {
			struct xfer *x = &slots[i];

			if (x->busy && x->waiting && x->due_ms <= t) {
				x->waiting = 0;
				waiting--;
				xfer_arm(x, c);
				curl_multi_add_handle(multi, x->easy);
				active++;
			} else if (x->busy && x->waiting && x->due_ms - t < poll_ms) {
				poll_ms = (long)(x->due_ms - t);
			}
		}
		for (int i = 0; i < parallel && !exhausted; i++) {
			struct xfer *x = &slots[i];
			struct tn_request req = TN_REQUEST_INIT;
			void *tag = NULL;
			int got;

			if (x->busy)
				continue;
			got = next(ctx, &req, &tag);
			if (got == TN_BULK_LATER) {     /* no input ready: look again soon */
				jv_free(req.body);
				if (poll_ms > BULK_LATER_MS)
					poll_ms = BULK_LATER_MS;
				break;
			}
			if (got <= 0) {
				jv_free(req.body);
				exhausted = 1;
				if (got < 0)
					rc = TN_EINTR;
				break;
			}
			curl_easy_reset(x->easy);
			xfer_setup(x, c, &req);
			x->tag = tag;
			x->busy = 1;
			xfer_arm(x, c);
			curl_multi_add_handle(multi, x->easy);
			active++;
		}
		if (!active && !waiting && exhausted)
			break;
		curl_multi_perform(multi, &running);
		finished = 0;
		while ((msg = curl_multi_info_read(multi, &left))) {
			struct xfer *x = NULL;
			long status = 0;
			CURLcode crc;

			if (msg->msg != CURLMSG_DONE)
				continue;
			crc = msg->data.result;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			if (crc == CURLE_OK)
				curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
			curl_multi_remove_handle(multi, x->easy);
			active--;
			finished++;
			if (should_retry(c, x, crc, status)) {
				x->waiting = 1;
				x->due_ms = now_ms() + backoff_ms(c, x->attempts, x->http.retry_after);
				waiting++;
				continue;
			}
			{
				struct tn_response resp;
				struct tn_err e = TN_ERR_INIT;
				enum tn_code code = finish(x, crc, status, &resp, &e);
				void *tag = x->tag;

				keep_warning(c, x);
				done(ctx, tag, code, &resp, &e);
				tn_response_release(&resp);
				{
					CURL *keep = x->easy;
					xfer_clear(x);
					x->easy = keep;
				}
			}
		}
		/* a slot that came free takes its next request before any wait */
		if ((active || waiting) && !finished)
			curl_multi_poll(multi, NULL, 0, active ? (int)(poll_ms > 0 ? poll_ms : 1) :
					(int)(poll_ms > 0 ? poll_ms : 1), NULL);
	}

	for (int i = 0; i < parallel; i++) {
		struct xfer *x = &slots[i];
		if (x->busy && !x->waiting)
			curl_multi_remove_handle(multi, x->easy);
		if (x->busy) {
			struct tn_response resp = { 0, jv_null(), NULL, -1, x->attempts, NULL, 0 };
			struct tn_err e = TN_ERR_INIT;
			tn_err_set(&e, TN_EINTR, "interrupted before an answer came");
			done(ctx, x->tag, TN_EINTR, &resp, &e);
		}
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
		xfer_clear(x);
	}
	free(slots);
	curl_multi_cleanup(multi);
	return rc;
}
