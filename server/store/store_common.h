/* store_common.h — helpers every storage backend shares that touch no database: list cursors, task history entries, a batch of filings' results. */
#ifndef TWONETD_STORE_COMMON_H
#define TWONETD_STORE_COMMON_H

#include <jv.h>

/*
 * The cursor of a list ordered by a numeric id: hex of "[TAG]D:ID", D 'a'
 * ascending or 'd' descending, TAG a letter naming the list (0: none, the
 * alert list's form).  make returns a malloc'd string; parse returns 0 and
 * sets *id, or -1 for a cursor of another list, order or form.
 */
char *store_id_cursor_make(char tag, int desc, long long id);
int store_id_cursor_parse(const char *cur, char tag, int desc, long long *id);

/*
 * One entry of a task's history from its event row: {seq, at, action, actor,
 * comment, status, version}, status and version read from the event's data
 * (the TASK as it was; consumed).  action, actor, comment consumed (jv_null()
 * when absent).
 */
jv store_task_event(long long seq, const char *at, jv action, jv actor, jv comment, jv data);

/* The array `a` (consumed) in reverse order. */
jv store_reversed(jv a);

/*
 * The value of stored JSON text t[0..n) (tn_json_parse's), kept for the next
 * call with the same bytes: a rule's window reads the same recent alerts back
 * at every alert of their source (a water-depth gauge's last few: each was
 * parsed again by each of the next ones, 43,000 instructions an alert).  The
 * same bytes are the same value, so nothing kept is ever stale.  The caller
 * owns the result; NULL text is null.  STORE_JSON_MEMO_SLOTS texts of a thread, each of at most
 * STORE_JSON_MEMO_MAX bytes (a longer one is parsed, not kept).
 */
#define STORE_JSON_MEMO_SLOTS 256
#define STORE_JSON_MEMO_MAX 4096
jv store_json_memo(const char *t, size_t n);
/*
 * Keep `v` (borrowed) as the value of text t[0..n), which the caller has just
 * stored: `t` must be tn_json_dump's text of `v` (as a task's or an alert's
 * document is written), so that its readers (the rule's window, the next
 * update of the task) find it parsed.  Until the thread's first
 * store_json_memo it keeps nothing: a server without rules never reads an
 * alert back, and each put frees the value it evicts (5% of a raise).
 */
void store_json_memo_put(const char *t, size_t n, jv v);

/*
 * Append to `b` the text of ALERT `doc` (borrowed) whose "id" and "seq" are
 * `seq`: `pre` (doc's text with both null, as tn_json_dump wrote it before
 * they were set) with the two spliced in, or doc dumped when pre is NULL or
 * does not begin {"id":null,"seq":null, as alert_build's documents do.
 */
struct tn_buf;
void store_alert_text(struct tn_buf *b, jv doc, const char *pre, long long seq);

struct store_case_new;
struct store_case_filed;
struct tn_err;
/* store_case_create_batch's results before the transaction: none yet (TN_EINTERNAL, no CASE). */
void store_case_filed_init(struct store_case_filed *res, int n);
/*
 * store_case_create_batch's end: every doc and event of cs freed; when
 * `err` (the transaction failed) every result that error, its CASE freed.
 */
void store_case_batch_end(struct store_case_new *cs, struct store_case_filed *res, int n,
			  const struct tn_err *err);

#endif
