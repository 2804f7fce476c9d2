/* alerts_int.h — shared by alerts.c (the requests), alerts_input.c (an input checked) and alerts_stream.c (the SSE stream and the wake-up). */
#ifndef TWONETD_ALERTS_INT_H
#define TWONETD_ALERTS_INT_H

#include <time.h>

#include "twonetd.h"

#define ALERTS_MAX_LIST 32      /* values in one district= or kind= filter */

/* The filters that GET /v1/alerts and the stream share. */
struct alert_filters {
	int min_severity;                       /* -1: none, else 0 blue .. 3 red */
	char *district[ALERTS_MAX_LIST + 1];    /* NULL-terminated, owned */
	char *kind[ALERTS_MAX_LIST + 1];        /* NULL-terminated, owned */
	int tasks;                              /* tasks=true: task events too */
};

/*
 * Read severity=, district=, kind= and tasks= of the request into *f.  0, or -1
 * after replying 400 naming the parameter.  alert_filters_release frees.
 */
int alert_filters_parse(struct req *q, struct alert_filters *f);
void alert_filters_release(struct alert_filters *f);

/* 1 when an event (alert, update, task: only with tasks=true) with these attributes passes the filters. */
int alert_filters_match(const struct alert_filters *f, const char *event, int severity,
			const char *district, const char *kind);

/* A refusal of one input: what POST answers, or one item of a batch. */
struct problem {
	int status;
	char field[96];
	char detail[512];
};

/*
 * alerts_input.c: check an input (borrowed) and build the ALERT as raised
 * by `actor` at `now`, with "id" and "seq" left null for the store: 0 and
 * *doc (owned), or -1 with *p filled (400 for an unknown member, 422 for a
 * bad value).  *msg (owned): {msg_type, references} for an update or a
 * cancel, else null.  `text` (may be NULL): *doc's text is appended to it
 * as tn_json_dump writes it (store_alert_raise's `pre`).  `whole` 0 and
 * not an update or a cancel: *doc holds STORE_ALERT_RAISE_MEMBERS only
 * (the text is still the whole ALERT's; store_alert_raise's `whole`).
 */
int alert_build(jv in, const char *actor, time_t now, int whole, jv *doc, jv *msg,
		struct tn_buf *text, struct problem *p);

/*
 * alerts_update.c: inside the caller's transaction, apply the update or
 * cancel `doc` (consumed: as alert_build made it) with `msg` (consumed:
 * alert_build's) to every alert its references name (an alert's own source
 * and source_id, or an update applied to it before).  *out (owned) the first
 * such alert as it stands after; *replayed = 1 when this message (its source
 * and source_id) was applied before, and nothing is written.  -1 with *p
 * filled: 404 when no reference names a known alert, 409 for an update of a
 * cancelled alert; -2 with *err filled for a database error.
 */
int alert_apply(struct store *st, jv doc, jv msg, long long now, jv *out, int *replayed,
		struct problem *p, struct tn_err *err);
/*
 * alerts_input.c: member `name` of `in` (borrowed) as a string of 1..max
 * characters (0.. with allow_empty) into *out (owned; null when absent and
 * not required): 0, or -1 with *p filled.
 */
int alert_text_member(jv in, const char *name, long max, int required, int allow_empty,
		      jv *out, struct problem *p);

/*
 * alerts_input.c: read the catalog of alert kinds and Shanghai's divisions
 * (tn_sharedir()), once, before the workers start.  0; a file that is not
 * there is a warning on stderr (kind_name and street_name stay ""), a broken
 * one an error naming FILE:LINE and -1.
 */
int alerts_catalog_load(void);

/*
 * The end of an action on an alert or a task, inside its alerts transaction:
 * commit, answer 200 with `out` (consumed) and wake the followers; a commit
 * that fails is answered with its error (the transaction is rolled back).
 */
void alerts_commit_reply(struct req *q, jv out);

/* A whole number 0 <= N < 2^53 from text; 0, or -1. */
int alert_parse_seq(const char *s, long long *v);

/*
 * After a commit that appended events up to `latest`: wake this worker's
 * followers and every other worker.  Cannot fail (a lost wake-up is only
 * possible for a worker that is gone).
 */
void alerts_notify(struct srv *srv, long long latest);
/*
 * In the middle of a long request (a batch about to take the alerts' write
 * lock, or waiting for it: store_alerts_begin_yield's `wait`, `arg` the
 * struct srv): take the wake-ups other workers sent and feed this worker's
 * followers now, not after the request.  Outside any transaction.
 */
void alerts_yield(void *srv);
/* Feed this worker's followers up to the head now (a batch's commit: before its reply). */
void alerts_feed(struct srv *srv);
/*
 * Feed this worker's followers up to the store's latest event now, as the
 * request's connection sees it: inside a transaction that has written
 * nothing yet, only (alerts_begin).  SQLite only, as alerts_yield.
 */
void alerts_catch_up(struct srv *srv);
/*
 * store_alerts_begin_yield for a request of this worker (alerts_yield
 * between tries).  Once it has the lock after a wait, the other writer has
 * just committed: its events go to this worker's followers before the
 * request writes (alerts_catch_up), not after this request's own commit.
 */
enum tn_code alerts_begin(struct srv *srv, struct tn_err *err);

/* Events kept (TWONETD_KEEP_EVENTS, default 1,000,000). */
long alerts_keep_events(void);

#endif
