/* pg_vitals.c — the PostgreSQL queries behind GET /v1/vitals (the counting is ../vitals_common.c's): each a count from an index. */
#include <stdio.h>
#include <string.h>

#include "pg_int.h"
#include "../vitals_common.h"

#define OPEN_ALERTS "status IN ('raised', 'dispatched', 'acknowledged')"
#define OPEN_CASES "status IN ('submitted', 'accepted', 'returned', 'resubmitted', 'approved')"

static void q_start(struct aq *q, const char *sql)
{
	memset(q, 0, sizeof(*q));
	tn_buf_init(&q->sql);
	tn_buf_adds(&q->sql, sql);
}

static void alert_filters(struct aq *q, const struct store_vitals_q *v)
{
	if (v->severity >= 0)
		pg_aq_num(q, " AND severity >= ", v->severity);
	if (v->district)
		pg_aq_text(q, " AND district = ", v->district);
	if (v->kind)
		pg_aq_text(q, " AND kind = ", v->kind);
}

/* Run q (one row of whole numbers) into out[0..n-1]. */
static enum tn_code run(struct store *st, struct aq *q, long long *out, int n, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code = pg_aq_run(PG(st), q, &r, "vital signs", err);

	if (code != TN_OK)
		return code;
	for (int i = 0; i < n; i++)
		out[i] = PQntuples(r) > 0 ? pg_long(r, 0, i) : 0;
	PQclear(r);
	return TN_OK;
}

static enum tn_code alerts_open(struct store *st, const struct store_vitals_q *v, long long *n,
				struct tn_err *err)
{
	struct aq q;

	q_start(&q, "SELECT COUNT(*) FROM alerts WHERE " OPEN_ALERTS);
	alert_filters(&q, v);
	return run(st, &q, n, 1, err);
}

static enum tn_code alerts_raised(struct store *st, const struct store_vitals_q *v, long long from,
				  long long to, long long *n, struct tn_err *err)
{
	struct aq q;

	q_start(&q, "SELECT COUNT(*) FROM alerts WHERE true");
	pg_aq_num(&q, " AND raised_at > ", from);
	pg_aq_num(&q, " AND raised_at <= ", to);
	alert_filters(&q, v);
	return run(st, &q, n, 1, err);
}

static enum tn_code alert_moves(struct store *st, const struct store_vitals_q *v, long long after,
				long long *resolved, long long *reopened, struct tn_err *err)
{
	struct aq q;
	long long n[2] = { 0, 0 };
	enum tn_code code;

	q_start(&q, "SELECT COUNT(*) FILTER (WHERE action = 'resolve'), COUNT(*) FILTER (WHERE "
		"action = 'reopen') FROM alert_events WHERE alert_id > 0 AND action IN ('resolve', "
		"'reopen')");
	pg_aq_num(&q, " AND at > ", after);
	alert_filters(&q, v);
	code = run(st, &q, n, 2, err);
	*resolved = n[0];
	*reopened = n[1];
	return code;
}

static enum tn_code tasks(struct store *st, const struct store_vitals_q *v,
			  void (*fn)(void *ctx, jv task), void *ctx, struct tn_err *err)
{
	struct aq q;
	PGresult *r;
	enum tn_code code;

	q_start(&q, "SELECT doc FROM tasks WHERE (open = 1 OR id IN (SELECT task_id FROM "
		"alert_events WHERE task_id IS NOT NULL");
	pg_aq_num(&q, " AND at > ", v->before);
	tn_buf_adds(&q.sql, "))");
	if (v->district)
		pg_aq_text(&q, " AND district = ", v->district);
	if (v->kind)
		pg_aq_text(&q, " AND kind = ", v->kind);
	if ((code = pg_aq_run(PG(st), &q, &r, "vital signs: tasks", err)) != TN_OK)
		return code;
	for (int i = 0; i < PQntuples(r); i++) {
		jv task = pg_json(r, i, 0);

		fn(ctx, task);
		jv_free(task);
	}
	PQclear(r);
	return TN_OK;
}

/* As store_vitals.c counts them: the open cases less those due today or later and those without a deadline. */
static enum tn_code cases_overdue(struct store *st, const struct store_vitals_q *v, long long *n,
				  struct tn_err *err)
{
	static const char *const parts[] = {
		"(SELECT COUNT(*) FROM cases WHERE " OPEN_CASES,
		" - (SELECT COUNT(*) FROM cases WHERE " OPEN_CASES " AND deadline >= ",
		" - (SELECT COUNT(*) FROM cases WHERE " OPEN_CASES " AND deadline IS NULL",
	};
	struct aq q;

	q_start(&q, "SELECT ");
	for (int i = 0; i < 3; i++) {
		if (i == 1)
			pg_aq_text(&q, parts[i], v->today);
		else
			tn_buf_adds(&q.sql, parts[i]);
		if (v->department)
			pg_aq_text(&q, " AND department = ", v->department);
		tn_buf_adds(&q.sql, ")");
	}
	return run(st, &q, n, 1, err);
}

static enum tn_code filings(struct store *st, const struct store_vitals_q *v, const char *from,
			    const char *to, long long *n, struct tn_err *err)
{
	struct aq q;

	q_start(&q, "SELECT COUNT(*) FROM cases WHERE true");
	pg_aq_text(&q, " AND submitted_at >= ", from);
	pg_aq_text(&q, " AND submitted_at <= ", to);
	if (v->department)
		pg_aq_text(&q, " AND department = ", v->department);
	return run(st, &q, n, 1, err);
}

static enum tn_code audit_last(struct store *st, long long *seq, struct tn_err *err)
{
	struct aq q;

	q_start(&q, "SELECT COALESCE(MAX(seq), 0) FROM audit");
	return run(st, &q, seq, 1, err);
}

static enum tn_code audit_at(struct store *st, long long seq, char *buf, size_t size, int *found,
			     struct tn_err *err)
{
	PGresult *r;
	enum tn_code code = pg_query(PG(st), &r, err, "vital signs", "SELECT at FROM audit WHERE "
				     "seq >= $1 ORDER BY seq LIMIT 1", "l", (long)seq);

	if (code != TN_OK)
		return code;
	*found = PQntuples(r) > 0;
	if (*found)
		snprintf(buf, size, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return TN_OK;
}

static enum tn_code audit_outcome(struct store *st, long long a, long long b, const char *outcome,
				  long long *n, struct tn_err *err)
{
	struct aq q;

	q_start(&q, "SELECT COUNT(*) FROM audit WHERE true");
	pg_aq_num(&q, " AND seq >= ", a);
	pg_aq_num(&q, " AND seq < ", b);
	pg_aq_text(&q, " AND outcome = ", outcome);
	return run(st, &q, n, 1, err);
}

static const struct store_vitals_ops ops = {
	alerts_open, alerts_raised, alert_moves, tasks, cases_overdue, filings,
	audit_last, audit_at, audit_outcome,
};

enum tn_code pg_vitals_measure(struct store *st, const struct store_vitals_q *q,
			       long long *value, long long *before, struct tn_err *err)
{
	return store_vitals_run(&ops, st, q, value, before, err);
}

enum tn_code pg_vitals_groups(struct store *st, const struct store_vitals_q *q, const char *by,
			      jv *out, struct tn_err *err)
{
	struct aq a;
	PGresult *r;
	enum tn_code code;

	*out = jv_invalid();
	if (!by || (strcmp(by, "district") != 0 && strcmp(by, "severity") != 0))
		return tn_err_set(err, TN_EINVALID, "the open alerts cannot be grouped by '%s'",
				  by ? by : "");
	q_start(&a, strcmp(by, "district") == 0 ? "SELECT district, COUNT(*) FROM alerts WHERE "
		OPEN_ALERTS : "SELECT severity, COUNT(*) FROM alerts WHERE " OPEN_ALERTS);
	alert_filters(&a, q);
	tn_buf_adds(&a.sql, strcmp(by, "district") == 0 ? " GROUP BY district" : " GROUP BY severity");
	if ((code = pg_aq_run(PG(st), &a, &r, "vital signs: groups", err)) != TN_OK)
		return code;
	*out = jv_object();
	for (int i = 0; i < PQntuples(r); i++)
		*out = jv_object_set(*out, jv_string(PQgetvalue(r, i, 0)),
				     jv_number((double)pg_long(r, i, 1)));
	PQclear(r);
	return TN_OK;
}
