/* tn_http.h — the HTTP client of twonet: libcurl, keep-alive, retries, problem+json, bulk. */
#ifndef TN_HTTP_H
#define TN_HTTP_H

#include <jv.h>

#include "tn_config.h"
#include "tn_err.h"

struct tn_client;

/*
 * A client for the server in `cfg` (borrowed: it must outlive the client).
 * curl_global_init happens on the first request, not here, so commands that
 * only print --help never load TLS.  Cannot fail (allocation aborts).
 */
struct tn_client *tn_client_new(const struct tn_config *cfg);
void tn_client_free(struct tn_client *c);

/*
 * Have `fn` told, with `ctx`, what a person running the command with
 * --verbose wants to read and the library does not print on its own: each
 * retry ("GET URL: server busy, retrying in N ms").  Told only when the
 * configuration's verbose is set.  `fn` NULL: told to no one (the default).
 */
typedef void (*tn_client_notice_fn)(void *ctx, const char *msg);
void tn_client_on_notice(struct tn_client *c, tn_client_notice_fn fn, void *ctx);

/*
 * The server's warning to people: the Twonet-Warning header of the latest
 * response that carried one ("the working-day calendar ends 2026-12-31 (28
 * days left); ..."), control characters made spaces, at most 512 bytes.
 * Borrowed from the client: valid until a later response brings another, or
 * tn_client_free.  NULL when no response had one (or c is NULL).  The
 * library never prints it; tn_cmd_finish does, once, when stderr is a
 * terminal.
 */
const char *tn_client_warning(const struct tn_client *c);

/* The header of the server's warnings to people (while its calendar runs out, say). */
#define TN_HTTP_WARNING "Twonet-Warning"

/*
 * The value of header `name` (case-insensitive) in one raw header line of
 * `len` bytes, as curl's header callback gets it: white space and the line
 * end trimmed, control characters made spaces, at most 512 bytes.  Returns a
 * malloc'd string (the caller's), or NULL when the line is another header.
 */
char *tn_http_header_value(const char *line, size_t len, const char *name);

/*
 * The idempotency key rule, the same for the client and twonetd: a key
 * (Idempotency-Key header, a case's "key" member) is 1 to 128 printable
 * ASCII characters (0x20..0x7e).  Returns TN_OK, or TN_EINVALID "must be 1
 * to 128 printable characters" with field "key" (callers that want another
 * wording or code write their own from it).  `key` NULL is TN_EINVALID
 * "is required".
 */
#define TN_IDEM_KEY_MAX 128
enum tn_code tn_idem_key_check(const char *key, struct tn_err *err);

/*
 * A key derived from content: `prefix` followed by the first `digits` (at
 * most 64) hex digits of the SHA-256 of the `len` bytes at `data`, into
 * `out` of `size` bytes (cut to fit).  The same content always gives the
 * same key: a case's content key (no prefix, 64 digits), an alert's retry
 * key ("alert-", 32), an alert's derived source_id ("sha256:", 32).
 * Returns 0, or -1 with `out` empty when no digest can be made.
 */
int tn_idem_key_derive(const char *prefix, const void *data, size_t len, size_t digits,
		       char *out, size_t size);

/* A request.  Header strings are borrowed for the call. */
struct tn_request {
	const char *method;          /* "GET", "POST" ... */
	const char *path;            /* "/v1/cases?status=accepted", relative to the base URL */
	jv body;                     /* consumed; jv_invalid() for none */
	const char *idempotency_key; /* Idempotency-Key header, or NULL */
	const char *if_match;        /* If-Match header, or NULL */
	const char *const *headers;  /* extra "Name: value" lines, NULL-terminated, or NULL */
	int no_retry;                /* 1: never retry (a write without a key is never retried anyway) */
	int verbatim;                /* 1 (tn_client_bulk only): a 2xx body tn_json_verbatim passes comes as text */
};

#define TN_REQUEST_INIT { "GET", NULL, jv_invalid(), NULL, NULL, NULL, 0, 0 }

/*
 * Whether a client retries on HTTP `status` (429, 502, 503, 504; with
 * back-off, honouring Retry-After): tn_client_do's rule, which twonetd
 * follows too when it answers a batch of cases as a whole.
 */
int tn_http_retryable(long status);

/*
 * The error of a problem+json answer `problem` (borrowed; jv_null() for
 * none) with HTTP `status`: the code of the status (tn_code_from_http), its
 * detail as the message (else "METHOD URL: HTTP status"), its field and its
 * "errors" (err->problems), as tn_client_do fills err.  Returns the code.
 */
enum tn_code tn_err_from_problem(struct tn_err *err, long status, jv problem, const char *method,
				 const char *url);

/* A response.  tn_response_release frees it. */
struct tn_response {
	long status;        /* HTTP status, 0 when no response */
	jv body;            /* parsed JSON body, or jv_null() when empty / not JSON */
	char *etag;         /* ETag header, or NULL */
	long retry_after;   /* seconds, -1 when absent */
	int attempts;       /* how many tries it took */
	/*
	 * With req->verbatim, a 2xx body that is one object tn_json_dump would
	 * write the same (tn_json_verbatim): its bytes, without the white space
	 * around them, borrowed until the done callback returns; body is then
	 * jv_null().  NULL otherwise (body holds the parsed value as always).
	 */
	const char *text;
	size_t text_len;
};

/*
 * Perform a request, retrying with exponential back-off and jitter (base
 * 200 ms, factor 2, cap 10 s, full jitter) on connection errors and on 502,
 * 503, 504 and 429 (waiting at least Retry-After), never on other 4xx.  A
 * POST/PATCH/DELETE is retried only when it carries an idempotency key.
 * Returns TN_OK for 2xx.  Otherwise the error code follows the status:
 * 400/422 TN_EINVALID, 401/403 TN_EAUTH, 404 TN_ENOTFOUND, 409/412 TN_ECONFLICT,
 * 413 TN_EINVALID, 410 TN_ERESET, 5xx TN_ESERVER, no connection after the
 * retries TN_EUNREACHABLE (tn_code_from_http); err->message is the
 * problem+json `detail` (or `title`), err->field its `field` ("" when it
 * names none), err->http_status the status.  `resp` is filled in every case
 * (resp->body holds the problem document on an error status).
 */
enum tn_code tn_client_do(struct tn_client *c, struct tn_request *req,
			  struct tn_response *resp, struct tn_err *err);
void tn_response_release(struct tn_response *resp);

/* Shorthand: GET path, return the body (owned) in *out. */
enum tn_code tn_client_get(struct tn_client *c, const char *path, jv *out, struct tn_err *err);

/* Percent-encode `s` for a query string or path segment, appended to `b`. */
struct tn_buf;
void tn_url_escape(struct tn_buf *b, const char *s);

/*
 * Bulk driver on the curl multi interface: up to `parallel` requests in flight
 * on one thread, each with the same retry rules as tn_client_do.  The caller
 * feeds requests through `next` and gets each result through `done`, in
 * completion order.  Constant memory: `next` is called only when a slot is free.
 *
 *   next(ctx, &req, &tag): fill req (body consumed by the driver) and an opaque
 *        tag; return 1 for a request, 0 when the input is exhausted, -1 to stop,
 *        or TN_BULK_LATER when no input is ready yet while requests are in
 *        flight (the driver runs them and asks again within 10 ms; next then
 *        must not block, or the requests in flight wait for the input).
 *   done(ctx, tag, code, &resp, &err): one result; resp is released after it returns.
 *
 * Returns TN_OK when every request was performed (whatever their statuses),
 * TN_EINTR when tn_cli_interrupted() became true.
 */
#define TN_BULK_LATER 2
typedef int (*tn_bulk_next_fn)(void *ctx, struct tn_request *req, void **tag);
typedef void (*tn_bulk_done_fn)(void *ctx, void *tag, enum tn_code code,
				struct tn_response *resp, const struct tn_err *err);
enum tn_code tn_client_bulk(struct tn_client *c, int parallel, tn_bulk_next_fn next,
			    tn_bulk_done_fn done, void *ctx, struct tn_err *err);

#endif
