/* store_vitals.c — the SQLite queries behind GET /v1/vitals (the counting is ../vitals_common.c's): each a count from an index. */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store_int.h"
#include "../vitals_common.h"

#define OPEN_ALERTS "status IN ('raised', 'dispatched', 'acknowledged')"
#define OPEN_CASES "status IN ('submitted', 'accepted', 'returned', 'resubmitted', 'approved')"

/* The alerts' filters on a table with severity, district and kind columns. */
static void alert_filters(struct store_query *q, const struct store_vitals_q *v)
{
	if (v->severity >= 0)
		store_q_num(q, " AND severity >= ?", v->severity);
	if (v->district)
		store_q_text(q, " AND district = ?", v->district);
	if (v->kind)
		store_q_text(q, " AND kind = ?", v->kind);
}

/* Run q (one row of whole numbers) into out[0..n-1]. */
static enum tn_code run(struct store *st, struct store_query *q, long long *out, int n,
			struct tn_err *err)
{
	sqlite3_stmt *s = store_q_stmt(st, q, err);
	int rc;

	if (!s)
		return store_errcode(err);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_fail(st, err, "vital signs");
		sqlite3_reset(s);
		return store_errcode(err);
	}
	for (int i = 0; i < n; i++)
		out[i] = rc == SQLITE_ROW ? sqlite3_column_int64(s, i) : 0;
	sqlite3_reset(s);
	return TN_OK;
}

static enum tn_code alerts_open(struct store *st, const struct store_vitals_q *v, long long *n,
				struct tn_err *err)
{
	struct store_query q;

	store_q_init(&q, "SELECT COUNT(*) FROM alerts WHERE " OPEN_ALERTS);
	alert_filters(&q, v);
	return run(st, &q, n, 1, err);
}

static enum tn_code alerts_raised(struct store *st, const struct store_vitals_q *v, long long from,
				  long long to, long long *n, struct tn_err *err)
{
	struct store_query q;

	store_q_init(&q, "SELECT COUNT(*) FROM alerts WHERE raised_at > ?");
	store_q_num(&q, "", from);
	store_q_num(&q, " AND raised_at <= ?", to);
	alert_filters(&q, v);
	return run(st, &q, n, 1, err);
}

static enum tn_code alert_moves(struct store *st, const struct store_vitals_q *v, long long after,
				long long *resolved, long long *reopened, struct tn_err *err)
{
	struct store_query q;
	long long n[2] = { 0, 0 };
	enum tn_code code;

	store_q_init(&q, "SELECT COALESCE(SUM(action = 'resolve'), 0), COALESCE(SUM(action = "
		     "'reopen'), 0) FROM alert_events WHERE at > ?");
	store_q_num(&q, "", after);
	store_q_add(&q, " AND alert_id > 0 AND action IN ('resolve', 'reopen')");
	alert_filters(&q, v);
	code = run(st, &q, n, 2, err);
	*resolved = n[0];
	*reopened = n[1];
	return code;
}

static enum tn_code tasks(struct store *st, const struct store_vitals_q *v,
			  void (*fn)(void *ctx, jv task), void *ctx, struct tn_err *err)
{
	struct store_query q;
	sqlite3_stmt *s;
	int rc;

	store_q_init(&q, "SELECT doc FROM tasks WHERE (open = 1 OR id IN (SELECT task_id FROM "
		     "alert_events WHERE at > ?");
	store_q_num(&q, "", v->before);
	store_q_add(&q, " AND task_id IS NOT NULL))");
	if (v->district)
		store_q_text(&q, " AND district = ?", v->district);
	if (v->kind)
		store_q_text(&q, " AND kind = ?", v->kind);
	if (!(s = store_q_stmt(st, &q, err)))
		return store_errcode(err);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		jv task = store_col_json(s, 0);

		fn(ctx, task);
		jv_free(task);
	}
	if (rc != SQLITE_DONE)
		store_fail(st, err, "vital signs: tasks");
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? TN_OK : store_errcode(err);
}

/*
 * The open cases less those due today or later and those without a
 * deadline: the first count is read from the status index alone, the two
 * others from the deadline index over the few cases not yet due, so no walk
 * of the years of deadlines already past.
 */
static enum tn_code cases_overdue(struct store *st, const struct store_vitals_q *v, long long *n,
				  struct tn_err *err)
{
	static const char *const parts[] = {
		"(SELECT COUNT(*) FROM cases WHERE " OPEN_CASES,
		" - (SELECT COUNT(*) FROM cases INDEXED BY cases_deadline WHERE " OPEN_CASES
		" AND deadline >= ?",
		" - (SELECT COUNT(*) FROM cases INDEXED BY cases_deadline WHERE " OPEN_CASES
		" AND deadline IS NULL",
	};
	struct store_query q;

	store_q_init(&q, "SELECT ");
	for (int i = 0; i < 3; i++) {
		if (i == 1)
			store_q_text(&q, parts[i], v->today);
		else
			store_q_add(&q, parts[i]);
		if (v->department)
			store_q_text(&q, " AND department = ?", v->department);
		store_q_add(&q, ")");
	}
	return run(st, &q, n, 1, err);
}

static enum tn_code filings(struct store *st, const struct store_vitals_q *v, const char *from,
			    const char *to, long long *n, struct tn_err *err)
{
	struct store_query q;

	store_q_init(&q, "SELECT COUNT(*) FROM cases WHERE submitted_at >= ?");
	store_q_text(&q, "", from);
	store_q_text(&q, " AND submitted_at <= ?", to);
	if (v->department)
		store_q_text(&q, " AND department = ?", v->department);
	return run(st, &q, n, 1, err);
}

static enum tn_code audit_last(struct store *st, long long *seq, struct tn_err *err)
{
	struct store_query q;

	store_q_init(&q, "SELECT COALESCE(MAX(seq), 0) FROM audit");
	return run(st, &q, seq, 1, err);
}

static enum tn_code audit_at(struct store *st, long long seq, char *buf, size_t size, int *found,
			     struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT at FROM audit WHERE seq >= ? ORDER BY seq LIMIT 1",
				     err);
	int rc;

	if (!s)
		return store_errcode(err);
	sqlite3_bind_int64(s, 1, seq);
	rc = sqlite3_step(s);
	*found = rc == SQLITE_ROW;
	if (*found)
		snprintf(buf, size, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? TN_OK : store_fail(st, err, "vital signs");
}

static enum tn_code audit_outcome(struct store *st, long long a, long long b, const char *outcome,
				  long long *n, struct tn_err *err)
{
	struct store_query q;

	store_q_init(&q, "SELECT COUNT(*) FROM audit WHERE seq >= ?");
	store_q_num(&q, "", a);
	store_q_num(&q, " AND seq < ?", b);
	store_q_text(&q, " AND outcome = ?", outcome);
	return run(st, &q, n, 1, err);
}

static const struct store_vitals_ops ops = {
	alerts_open, alerts_raised, alert_moves, tasks, cases_overdue, filings,
	audit_last, audit_at, audit_outcome,
};

enum tn_code sqlite_vitals_measure(struct store *st, const struct store_vitals_q *q,
				   long long *value, long long *before, struct tn_err *err)
{
	return store_vitals_run(&ops, st, q, value, before, err);
}

enum tn_code sqlite_vitals_groups(struct store *st, const struct store_vitals_q *q, const char *by,
				  jv *out, struct tn_err *err)
{
	struct store_query sq;
	sqlite3_stmt *s;
	int rc;

	*out = jv_invalid();
	if (!by || (strcmp(by, "district") != 0 && strcmp(by, "severity") != 0))
		return tn_err_set(err, TN_EINVALID, "the open alerts cannot be grouped by '%s'",
				  by ? by : "");
	store_q_init(&sq, strcmp(by, "district") == 0 ? "SELECT district, COUNT(*) FROM alerts WHERE "
		     OPEN_ALERTS : "SELECT severity, COUNT(*) FROM alerts WHERE " OPEN_ALERTS);
	alert_filters(&sq, q);
	store_q_add(&sq, strcmp(by, "district") == 0 ? " GROUP BY district" : " GROUP BY severity");
	if (!(s = store_q_stmt(st, &sq, err)))
		return store_errcode(err);
	*out = jv_object();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*out = jv_object_set(*out, jv_string((const char *)sqlite3_column_text(s, 0)),
				     jv_number((double)sqlite3_column_int64(s, 1)));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		jv_free(*out);
		*out = jv_invalid();
		return store_fail(st, err, "vital signs: groups");
	}
	return TN_OK;
}
