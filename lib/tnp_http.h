/* tnp_http.h — library-internal: one HTTP request built for libcurl and its answer read back (request.c). */
#ifndef TNP_HTTP_H
#define TNP_HTTP_H

#include <curl/curl.h>
#include <jv.h>

#include "tn_buf.h"
#include "tn_config.h"
#include "tn_http.h"

#define TNP_HIDDEN __attribute__((visibility("hidden")))

/*
 * What both clients (http.c, async.c) send for one tn_request and what comes
 * back: the wire request built once by tnp_http_init, the answer filled by
 * the callbacks tnp_http_arm installs.
 */
struct tnp_http {
	char *method;                   /* "GET" when the request names none */
	char *url;                      /* the configured base URL, without trailing '/', + path */
	char *body;                     /* the request body as JSON text, or NULL */
	size_t body_len;
	struct curl_slist *hdrs;        /* Accept, Expect, Content-Type, Authorization, ... */
	long timeout_s;                 /* the configuration's, or 30 */
	long connect_timeout_s;         /* the configuration's, or 5 */
	/* the answer of the latest attempt */
	struct tn_buf data;             /* the response body's bytes */
	char *etag;                     /* its ETag, or NULL */
	char *warning;                  /* its Twonet-Warning, or NULL */
	long retry_after;               /* its Retry-After in seconds, or -1 */
};

/*
 * Build the request `req` for the server in `cfg` (borrowed; NULL: the
 * defaults) into `h`, which need not be initialized.  Copies every string it
 * keeps and consumes req->body (left as jv_invalid()).  Cannot fail.
 */
void tnp_http_init(struct tnp_http *h, const struct tn_config *cfg,
		   struct tn_request *req) TNP_HIDDEN;

/* Free what `h` holds and leave it empty (all NULL); a zeroed `h` is fine. */
void tnp_http_release(struct tnp_http *h) TNP_HIDDEN;

/*
 * Forget the last attempt's answer and point the easy handle `e` at the
 * request for a new one: URL, headers, method and body, timeouts, keep-alive,
 * `user_agent` (borrowed: it must outlive the transfer), and CURLOPT_PRIVATE
 * set to `priv`.  The answer is gathered into `h`, which must stay in place
 * until the transfer is done.
 */
void tnp_http_arm(struct tnp_http *h, CURL *e, const char *user_agent, void *priv) TNP_HIDDEN;

/*
 * The answer's body as JSON: the parsed value (the caller's), jv_null() when
 * the body is empty, jv_invalid() when it is not JSON.
 */
jv tnp_http_json(const struct tnp_http *h) TNP_HIDDEN;

/*
 * The sentence a problem+json body gives: its "detail", else its "title",
 * else NULL.  Borrowed from `body`, which the caller keeps (not consumed).
 */
const char *tnp_http_problem(jv body) TNP_HIDDEN;

#endif
