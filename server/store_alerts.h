/* store_alerts.h — the alerts part of twonetd's storage: alerts, their one event log, retention. */
#ifndef TWONETD_STORE_ALERTS_H
#define TWONETD_STORE_ALERTS_H

#include <stddef.h>
#include <jv.h>

#include "tn_buf.h"
#include "tn_err.h"
#include "store.h"

/*
 * Alerts and their updates share one event log whose sequence (`seq`,
 * dense, from 1) is the stream position; an alert's id is the seq of its
 * creation event (doc/api-alerts.md).  A seq is allocated inside the
 * writing transaction, so an event is visible only after every lower one.
 *
 * Writers: store_alerts_begin, then any number of store_alert_raise /
 * store_alert_update, then store_alerts_commit (or _rollback).  Ownership
 * follows store.h: jv arguments are consumed, jv results are the caller's.
 */

/*
 * Start a write transaction: the database's write lock taken at once, as
 * BEGIN IMMEDIATE takes it (SQLite: not the audit log's, which no alert
 * writes).
 */
enum tn_code store_alerts_begin(struct store *st, struct tn_err *err);
/*
 * store_alerts_begin, calling wait(arg) between tries while another writer
 * holds the lock (outside any transaction: wait may read the database), so
 * that a worker waiting for it serves its alert streams meanwhile.  After
 * STORE_YIELD_TRIES tries it waits as store_alerts_begin does.  PostgreSQL
 * queues on its table lock and never calls wait.
 */
#define STORE_YIELD_TRIES 2000    /* about 100 ms of 20-50 us sleeps */
enum tn_code store_alerts_begin_yield(struct store *st, void (*wait)(void *), void *arg,
				      struct tn_err *err);
/*
 * Delete events older than the `keep` most recent (keep <= 0: keep all),
 * then commit.  *latest (may be NULL) gets the highest seq.  On failure the
 * transaction is rolled back.
 */
enum tn_code store_alerts_commit(struct store *st, long keep, long long *latest,
				 struct tn_err *err);
void store_alerts_rollback(struct store *st);

/*
 * Inside a transaction: raise the alert `doc` (consumed: an ALERT as
 * alert_build makes it, whose "id" and "seq", its first two members, are
 * set here; the members source, source_id, kind, severity, district, status
 * and raised_at must be strings).  `at` is the event time in seconds since
 * the epoch.  When (source, source_id) is known already, nothing is
 * written: *out is the stored ALERT and *replayed = 1.  Otherwise an
 * "alert" event is appended, *out is the new ALERT and *replayed = 0.
 * `pre` (may be NULL) is doc's text as tn_json_dump wrote it, made before
 * the transaction so that the writer holds the lock for less: the id and
 * seq are spliced into it (store_alert_text) instead of dumping doc again.
 * When `text` is not NULL, *out's text as tn_json_dump writes it is
 * appended to it.  `whole`: doc is the whole ALERT, kept parsed for a
 * rule's window; 0: doc holds only STORE_ALERT_RAISE_MEMBERS and `pre`
 * is given (a server without rules builds no more), and *out holds those.
 */
enum tn_code store_alert_raise(struct store *st, jv doc, int whole, const char *pre, long long at,
			       jv *out, struct tn_buf *text, int *replayed, struct tn_err *err);
/* The members of an ALERT store_alert_raise reads (each backend): a doc of these will do. */
#define STORE_ALERT_RAISE_MEMBERS \
	"id", "seq", "source", "source_id", "kind", "severity", "district", "status", "raised_at"

/*
 * Inside a transaction: replace alert `id` by `doc` (consumed; its "seq" is
 * set here to a new seq) and append an "update" event naming `action` and
 * `actor` (`comment` may be NULL).  *out gets the stored ALERT.
 * TN_ENOTFOUND when no such alert.
 */
enum tn_code store_alert_update(struct store *st, long long id, jv doc, long long at,
				const char *action, const char *actor, const char *comment,
				jv *out, struct tn_err *err);

/* The ALERT `id` in *doc; TN_ENOTFOUND when none. */
enum tn_code store_alert_get(struct store *st, long long id, jv *doc, struct tn_err *err);

/*
 * The steps of ALERT `id` still in the event log, oldest first, in *out: an
 * array of {seq, at, action ("raise" for the alert itself, else the step or
 * "update"), actor, comment}.
 * Events past the log's retention are gone from it: the alert's own *_at
 * members still say when each step happened.
 */
enum tn_code store_alert_history(struct store *st, long long id, jv *out, struct tn_err *err);

/* Filters of GET /v1/alerts.  NULL / -1 means no filter; lists are NULL-terminated. */
struct store_alert_filter {
	char **status, **district, **kind;
	int min_severity;       /* 0 blue .. 3 red */
	const char *source;
	long long since, until; /* raised_at in epoch seconds: since <= t < until */
	long long after;        /* id > after */
	int desc;               /* order=-id */
	const char *cursor;     /* from a previous page, or NULL */
	long limit;             /* 1..1000 */
};

/*
 * One page of ALERTs in *items and the next page's cursor in *next
 * (malloc'd, NULL on the last page).  A foreign cursor is TN_EINVALID.
 */
enum tn_code store_alert_list(struct store *st, const struct store_alert_filter *f, jv *items,
			      char **next, struct tn_err *err);

/* One event of the log, as the stream reads it; pointers borrowed for the call. */
struct store_alert_event {
	long long seq;
	const char *event;      /* "alert" or "update" */
	int severity;           /* 0..3, of the alert */
	const char *district;
	const char *kind;
	const char *data;       /* the SSE data line: ALERT + event (+ action, actor) */
	size_t len;
};

/* Return 0 to go on, non-zero to stop reading. */
typedef int (*store_alert_event_fn)(void *ctx, const struct store_alert_event *ev);

/*
 * Call `fn` for the events with seq > after, ascending, at most `max`
 * (desc = 0); or for those with seq <= after, descending (desc = 1).
 * *n (may be NULL) gets the number of rows read.
 */
enum tn_code store_alert_events(struct store *st, long long after, int desc, long max,
				store_alert_event_fn fn, void *ctx, long *n, struct tn_err *err);

/*
 * The positions kept: *oldest the lowest seq held (latest + 1 when none is
 * held, 1 on an empty log), *latest the highest seq ever given (0: none).
 */
enum tn_code store_alert_bounds(struct store *st, long long *oldest, long long *latest,
				struct tn_err *err);
/* The highest seq ever given (0: none), cheaply; -1 on a database error. */
long long store_alert_latest(struct store *st);

/* The first seq whose event time is >= at (seconds); 0 when none. */
enum tn_code store_alert_first_since(struct store *st, long long at, long long *seq,
				     struct tn_err *err);

/*
 * Where the database is (its path as opened), for what lives beside it (the
 * workers' wake-up folder PATH.wake).  Borrowed; NULL when the backend has no
 * file (PostgreSQL: no local mesh, LISTEN/NOTIFY wakes the instances).
 */
const char *store_alerts_path(struct store *st);

/*
 * The wake-up between instances on a backend without a database file
 * (PostgreSQL: LISTEN twonet_alerts on a connection of its own, NOTIFY sent
 * by every alert commit).  store_alerts_listen opens that connection when it
 * is not open (a broken one is closed first) and gives its socket in *fd, to
 * watch for reading.  When that socket is readable, store_alerts_heard
 * consumes what arrived: *latest the highest seq the notifications carried
 * (0: none), *fd the socket now, which the caller compares with the one it
 * watches: -1 means the connection dropped (stop watching the old socket,
 * then call store_alerts_listen again, with a back-off while it fails).
 * Notifications sent while no connection listened are lost: after arming a
 * new socket, read the head once (store_alert_latest).  A backend that leaves
 * them out (SQLite: store_alerts_path's folder is the wake-up) answers
 * TN_EINVALID; they are optional, serve runs without them.
 */
enum tn_code store_alerts_listen(struct store *st, int *fd, struct tn_err *err);
enum tn_code store_alerts_heard(struct store *st, long long *latest, int *fd, struct tn_err *err);

#endif
