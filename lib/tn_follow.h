/* tn_follow.h — following the alert stream (SSE): resume, back-off, heartbeat timeout; blocking or on a curl multi. */
#ifndef TN_FOLLOW_H
#define TN_FOLLOW_H

#include <curl/curl.h>

#include "tn_config.h"
#include "tn_err.h"

#define TN_FOLLOW_HEARTBEAT_TIMEOUT_MS 45000  /* no byte for this long: the connection is dead */
#define TN_FOLLOW_BACKOFF_CAP_MS 30000

/* Where and what to follow.  Strings are borrowed and must outlive the follower. */
struct tn_follow_opts {
	const struct tn_config *cfg;  /* url, token, connect timeout, verbose */
	const char *severity;         /* minimum severity (blue..red), or NULL */
	const char *districts;        /* district codes, ','-separated, or NULL */
	const char *kinds;            /* kinds, ','-separated, or NULL */
	long long after;              /* start after this position (seq); -1: not given */
	const char *since;            /* RFC 3339 time, or NULL (first connection only) */
	long tail;                    /* the last N events first; -1: not given (first connection only) */
	int no_follow;                /* stop at the end of what is stored (?follow=0, event "end") */
	long retry_max;               /* consecutive failed attempts before giving up; -1: never */
	long heartbeat_timeout_ms;    /* 0: TWONET_HEARTBEAT_TIMEOUT seconds, else 45 s */
	long idle_ms;                 /* end when no event came for this long while connected; 0: never */
	int tasks;                    /* the task events too (?tasks=true, event "task") */
	int watch_stdout;             /* tn_follow_run ends (TN_OK) once stdout's reader has gone,
				       * as tail -f does: `alert-tail | head -1` ends with head */
	/*
	 * Or NULL.  Called after the events of each block read from the network
	 * went to the callback (a batch of 100 alerts comes in a few blocks), so
	 * that a writer can flush once a block, as tail -f writes, instead of once
	 * an event; no event waits for a later block.  Non-zero stops the
	 * follower as the callback's would (err left TN_OK: a quiet stop).
	 */
	int (*flush)(void *ctx, struct tn_err *err);
};

/* One event of the stream, handed to the callback.  Pointers are borrowed for the call. */
struct tn_follow_event {
	const char *name;   /* "alert" (a new alert), "update" (a status change), "task" (opts.tasks) */
	long long seq;      /* its position in the stream (the SSE id) */
	const char *data;   /* the ALERT (a task event: the TASK) as JSON text, NUL-terminated */
	size_t data_len;
};

/*
 * Called once per event, in stream order, never twice for one seq (an event
 * at or before the current position is dropped).  The position moves past the
 * event only after the callback returns 0.  Return 0 to go on; non-zero to
 * stop: the follower then ends with err's code (TN_OK when the callback left
 * err untouched, e.g. after --count N; an error such as TN_EIO otherwise).
 */
typedef int (*tn_follow_fn)(void *ctx, const struct tn_follow_event *ev, struct tn_err *err);

struct tn_follow;

/* A follower; nothing happens until tn_follow_run or tn_follow_connect.  Cannot fail. */
struct tn_follow *tn_follow_new(const struct tn_follow_opts *opts, tn_follow_fn fn, void *ctx);
void tn_follow_free(struct tn_follow *f);

/*
 * Follow until the end: the callback asked to stop, --no-follow's "end",
 * --until-idle, a reset (TN_ERESET, message naming the positions), a refusal
 * that retrying cannot fix (TN_EAUTH, TN_EINVALID, TN_ENOTFOUND), retry_max
 * consecutive failures (TN_EUNREACHABLE), or tn_cli_interrupted()
 * (TN_EINTR).  Reconnects on any network error, 429, 5xx, a stream that
 * ended without "end", and after heartbeat_timeout_ms without a byte, with
 * exponential back-off (base: the server's retry:, cap 30 s) and jitter,
 * resuming by Last-Event-ID.  One thread, its own curl multi handle.
 */
enum tn_code tn_follow_run(struct tn_follow *f, struct tn_err *err);

/*
 * Driving it from another event loop (the TUI's curl multi):
 *
 *   for (;;) {
 *       long w = tn_follow_wait_ms(f);        // -1: finished; 0: connect now
 *       if (w == 0 && !connected)
 *           curl_multi_add_handle(m, tn_follow_connect(f)), connected = 1;
 *       ... poll with a timeout of at most w ...
 *       on CURLMSG_DONE for that handle:
 *           curl_multi_remove_handle(m, h), connected = 0;
 *           rc = tn_follow_done(f, msg->data.result, &err);
 *   }
 *
 * The callback runs inside curl_multi_perform.  The easy handle belongs to
 * the follower (never clean it up); remove it from the multi before calling
 * tn_follow_done or tn_follow_free.
 */
long tn_follow_wait_ms(struct tn_follow *f);
CURL *tn_follow_connect(struct tn_follow *f);
/*
 * The connection ended with `result`.  Returns TN_OK while following goes on
 * (reconnect when tn_follow_wait_ms says), else the final code with err set;
 * tn_follow_wait_ms is -1 from then on.
 */
enum tn_code tn_follow_done(struct tn_follow *f, CURLcode result, struct tn_err *err);
/* Ask to stop: the connection is cut at the next callback and the end is TN_OK. */
void tn_follow_stop(struct tn_follow *f);

/* The position: the seq of the last event handed over (or of the stream's start); -1 none yet. */
long long tn_follow_position(const struct tn_follow *f);
/* Number of connections made so far. */
long tn_follow_connections(const struct tn_follow *f);

/*
 * A cursor file holds one position, a decimal number and a line end.
 * tn_follow_cursor_read: 1 and *pos when `path` holds one, 0 when there is no
 * such file (or it is empty), -1 with err set when it cannot be read
 * (TN_EIO) or holds anything else (TN_EINVALID).
 */
int tn_follow_cursor_read(const char *path, long long *pos, struct tn_err *err);
/*
 * Save `pos` to `path` atomically: written to "PATH.tmp.PID" in the same
 * folder, then renamed over `path`, so that a reader (or the next run after a
 * crash) sees the old position or the new one, never a torn one.  TN_EIO on
 * failure (the old file is left as it was).
 */
enum tn_code tn_follow_cursor_write(const char *path, long long pos, struct tn_err *err);

#endif
