/* tn_async.h — the HTTP client driven from the caller's event loop: requests on one curl multi, never blocking. */
#ifndef TN_ASYNC_H
#define TN_ASYNC_H

#include <curl/curl.h>
#include <jv.h>

#include "tn_config.h"
#include "tn_err.h"
#include "tn_http.h"

/*
 * tn_client_do blocks until its answer; a program with its own input loop
 * (casedesk) cannot.  tn_async runs any number of requests at once on one
 * curl multi handle, on the caller's thread, and hands each answer to a
 * callback from tn_async_perform.  The loop:
 *
 *   for (;;) {
 *       int ms = tn_async_timeout_ms(a, cap);  // when the transfers need attention
 *       tn_async_wait(a, fd, ms);              // the network, or `fd` readable (a key)
 *       tn_async_perform(a);                   // run transfers; callbacks run here
 *       ... read keys, draw ...
 *   }
 *
 * Requests are sent as tn_client_do sends them (base URL, token, Accept,
 * timeouts of the configuration), but never retried: the caller decides.
 * Everything stays on one thread (jv and libjq are not thread-safe).
 */
struct tn_async;

/* One answer, handed to the callback.  Everything is borrowed for the call. */
struct tn_async_result {
	long status;            /* HTTP status; 0 when there was no answer */
	int unreachable;        /* no answer because the server could not be reached (or timed out) */
	jv body;                /* the parsed JSON body, jv_null() when empty, not JSON, or raw */
	const char *raw;        /* the body's bytes, NUL-terminated */
	size_t raw_len;
	const char *error;      /* NULL for 2xx; else a sentence: problem detail, title, or curl's error */
	const char *warning;    /* the response's Twonet-Warning, NULL when it had none */
	long long started_ms;   /* tn_async_now_ms() when the request was queued */
};

typedef void (*tn_async_fn)(void *ctx, long tag, const struct tn_async_result *r);

#define TN_ASYNC_RAW   0x01  /* a 2xx body is not parsed: the callback reads r->raw */
#define TN_ASYNC_PROBE 0x02  /* a 3 s timeout, and not counted by tn_async_pending */

/*
 * A client for the server in `cfg` (borrowed: it must outlive the client),
 * sending `user_agent` (copied; NULL: "twonet/VERSION").  Returns NULL with
 * err set (TN_EINTERNAL) when libcurl cannot be started.
 */
struct tn_async *tn_async_new(const struct tn_config *cfg, const char *user_agent,
			      struct tn_err *err);
/* Drop every request in flight (no callback runs) and free the client.  NULL is fine. */
void tn_async_free(struct tn_async *a);

/*
 * Queue `req` (its strings copied, its body consumed; if_match is the whole
 * header value, e.g. "\"3\"").  fn(ctx, tag, result) runs from a later
 * tn_async_perform, exactly once, unless the client is freed first.  fn may
 * be NULL.  Never blocks; cannot fail (allocation aborts).
 */
void tn_async_start(struct tn_async *a, struct tn_request *req, unsigned flags,
		    tn_async_fn fn, void *ctx, long tag);

/* Milliseconds until the transfers need tn_async_perform (curl's timers), at most `cap`. */
int tn_async_timeout_ms(struct tn_async *a, int cap);
/*
 * Wait at most `timeout_ms` for the network, or for `fd` (>= 0; -1: none)
 * to be readable.  Returns 1 when `fd` is readable, else 0.
 */
int tn_async_wait(struct tn_async *a, int fd, int timeout_ms);
/* Run the transfers and hand each finished one to its callback.  Returns how many finished. */
int tn_async_perform(struct tn_async *a);

/* Requests in flight (probes not counted); *oldest_ms (may be NULL): when the oldest was queued. */
size_t tn_async_pending(const struct tn_async *a, long long *oldest_ms);
/* A monotonic clock in milliseconds, the one of started_ms. */
long long tn_async_now_ms(void);

/*
 * Run an easy handle that someone else owns (tn_follow_connect's) on the
 * same multi: fn(ctx, h, result) when it ends, after it was removed from
 * the multi.  At most 4 at a time: returns -1 when full, else 0.
 * tn_async_remove_easy takes it off early (no callback).
 */
typedef void (*tn_async_easy_fn)(void *ctx, CURL *h, CURLcode result);
int tn_async_add_easy(struct tn_async *a, CURL *h, tn_async_easy_fn fn, void *ctx);
void tn_async_remove_easy(struct tn_async *a, CURL *h);
/* 1 when `rc` means the server could not be reached (connect, resolve, timeout, cut). */
int tn_async_unreachable(CURLcode rc);

#endif
