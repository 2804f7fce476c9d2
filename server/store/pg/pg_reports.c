/* pg_reports.c — case reports in PostgreSQL: the working-day table, the aggregate, the backlog, group names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "store_reports.h"
#include "pg_int.h"

/* A field as a borrowed string, NULL for SQL NULL. */
static const char *val(const PGresult *r, int i, int c)
{
	return PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c);
}

enum tn_code pg_report_workdays(struct store *st, const char *first, const unsigned char *work,
				long n, struct tn_err *err)
{
	struct pg_store *p = PG(st);
	PGresult *r;
	char day[16], last[16];
	long d0, idx = 0;
	double sum = 0;
	enum tn_code code;
	int same = 0;
	jv days;

	if (tn_date_parse(first, &d0) != 0 || n < 1)
		return tn_err_set(err, TN_EINVALID, "bad calendar range '%s'", first);
	for (long i = 0; i < n; i++) {
		idx += work[i] ? 1 : 0;
		sum += (double)idx;
	}
	tn_date_format(d0 + n - 1, last);
	code = pg_query(p, &r, err, "workdays", "SELECT count(*), COALESCE(sum(idx), 0), min(day), "
			"max(day), max(idx) FROM workdays", "");
	if (code != TN_OK)
		return code;
	if (PQntuples(r) == 1 && val(r, 0, 2) && val(r, 0, 3))
		same = pg_long(r, 0, 0) == n && strtod(PQgetvalue(r, 0, 1), NULL) == sum &&
		       pg_long(r, 0, 4) == idx && strcmp(PQgetvalue(r, 0, 2), first) == 0 &&
		       strcmp(PQgetvalue(r, 0, 3), last) == 0;
	PQclear(r);
	if (same)
		return TN_OK;
	days = jv_array();
	idx = 0;
	for (long i = 0; i < n; i++) {
		jv o = jv_object();

		idx += work[i] ? 1 : 0;
		tn_date_format(d0 + i, day);
		o = jv_object_set(o, jv_string("d"), jv_string(day));
		o = jv_object_set(o, jv_string("i"), jv_number((double)idx));
		o = jv_object_set(o, jv_string("w"), jv_number(work[i] ? 1 : 0));
		days = jv_array_append(days, o);
	}
	if ((code = pg_begin(p, err)) != TN_OK) {
		jv_free(days);
		return code;
	}
	/* one writer at a time: the next one then deletes what this one wrote */
	code = pg_exec(p, err, "workdays", "LOCK TABLE workdays IN SHARE ROW EXCLUSIVE MODE; "
		       "DELETE FROM workdays");
	if (code == TN_OK)
		code = pg_query(p, NULL, err, "workdays insert", "INSERT INTO workdays (day, idx, work) "
				"SELECT d ->> 'd', (d ->> 'i')::integer, (d ->> 'w')::integer "
				"FROM json_array_elements($1::json) d", "j", days);
	else
		jv_free(days);
	return pg_end(p, code, err);
}

/* The SQL expression of each grouping (fixed text: nothing from the request goes in). */
static const char *group_expr(const char *by)
{
	static const struct {
		const char *by, *expr;
	} groups[] = {
		{ "department", "department" },
		{ "item", "item" },
		{ "workflow", "r_workflow" },
		{ "day", "r_day" },
		/* the Monday of its week, as SQLite's date(r_day, 'weekday 0', '-6 days') */
		{ "week", "(to_char(date_trunc('week', r_day::date), 'YYYY-MM-DD') COLLATE \"C\")" },
		{ "month", "substr(r_day, 1, 7)" },
	};

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (by && strcmp(groups[i].by, by) == 0)
			return groups[i].expr;
	return NULL;
}

/*
 * As SQLite's case report (store_reports.c): one pass over the period's
 * cases, joined to the working-day table twice, counted by group and
 * working days; NULL groups and days first, as SQLite sorts them.  $1 from,
 * $2 to, $3 today, $4 department, $5 item (or NULL).
 */
#define OPEN "(status NOT IN ('completed', 'rejected'))"
#define DUE STORE_REPORT_DUE
#define N(cond) " count(*) FILTER (WHERE " cond "),"
#define CASES_SQL_TAIL \
	" AS g, d1.idx - d2.idx AS wd, count(*)," \
	" sum(r_accepted), sum(r_returned)," \
	N("status = 'rejected'") N("status = 'completed'") N(OPEN) \
	N(OPEN " AND " DUE " < $3") \
	N("status = 'completed' AND " DUE " IS NOT NULL AND r_done <= " DUE) \
	N(DUE " IS NOT NULL AND ((status = 'completed' AND r_done > " DUE ")" \
	  " OR (" OPEN " AND " DUE " < $3))") \
	N("status = 'completed' AND r_legal IS NOT NULL AND r_done <= r_legal") \
	N("r_legal IS NOT NULL AND ((status = 'completed' AND r_done > r_legal)" \
	  " OR (" OPEN " AND r_legal < $3))") \
	" COALESCE(sum(r_legal_days), 0), count(r_legal_days)," \
	" sum(r_mat), sum(r_exempt), sum(deadline_provisional) " \
	"FROM cases c" \
	" LEFT JOIN workdays d1 ON d1.day = c.r_done" \
	" LEFT JOIN workdays d2 ON d2.day = c.r_day" \
	" WHERE r_day >= $1 AND r_day <= $2 AND department <> ''" \
	" AND ($4::text IS NULL OR department = $4) AND ($5::text IS NULL OR item = $5) " \
	"GROUP BY 1, 2 ORDER BY 1 NULLS FIRST, 2 NULLS FIRST"

enum tn_code pg_report_cases(struct store *st, const struct store_report_q *q,
			     store_report_fn fn, void *ctx, struct tn_err *err)
{
	struct tn_buf sql = TN_BUF_INIT;
	struct store_report_row row;
	const char *expr = group_expr(q->by);
	PGresult *r;
	enum tn_code code;

	if (!expr)
		return tn_err_set(err, TN_EINVALID, "cannot group by '%s'", q->by ? q->by : "");
	tn_buf_addf(&sql, "SELECT %s" CASES_SQL_TAIL, expr);
	code = pg_query(PG(st), &r, err, "case report", sql.buf, "ttttt", q->from, q->to, q->today,
			q->department, q->item);
	tn_buf_release(&sql);
	if (code != TN_OK)
		return code;
	for (int i = 0; i < PQntuples(r); i++) {
		memset(&row, 0, sizeof(row));
		row.group = val(r, i, 0);
		row.has_days = !PQgetisnull(r, i, 1);
		row.days = pg_long(r, i, 1);
		row.n_days = row.has_days ? pg_long(r, i, 2) : 0;
		for (int k = 0; k < RC_COUNT; k++)
			row.c[k] = pg_long(r, i, 2 + k);
		if (!row.has_days)      /* legal days count for cases with working days only */
			row.c[RC_LEGAL_DAYS] = row.c[RC_LEGAL_N] = 0;
		if (fn(ctx, &row) != 0)
			break;
	}
	PQclear(r);
	return TN_OK;
}

/* The backlog's cases, as SQLite's: $1 to, $2 after, $3 department, $4 item, $5 the cut. */
#define REJECTED_SQL \
	"COALESCE((SELECT substr(min(e.at), 1, 10) FROM events e" \
	"  WHERE e.case_seq = c.seq AND e.action = 'reject'), r_day)"
#define CLOSED_SQL \
	"(CASE status WHEN 'completed' THEN r_done WHEN 'rejected' THEN " REJECTED_SQL " END)"
#define BACKLOG_SQL_FROM \
	" FROM cases c" \
	" WHERE r_day <= $1 AND department <> ''" \
	" AND ($3::text IS NULL OR department = $3) AND ($4::text IS NULL OR item = $4)" \
	" AND (" OPEN " OR (status = 'completed' AND r_done > $2)" \
	"  OR (status = 'rejected' AND " REJECTED_SQL " > $2)) "
#define BACKLOG_SQL_COUNT \
	", NULL, NULL, NULL, count(*), count(*) FILTER (WHERE " DUE " < $5)" BACKLOG_SQL_FROM \
	"GROUP BY 1 ORDER BY 1 NULLS FIRST"
#define BACKLOG_SQL_LIST \
	"SELECT NULL, r_day, " CLOSED_SQL ", " DUE ", 1, 0" BACKLOG_SQL_FROM

enum tn_code pg_report_backlog(struct store *st, const struct store_report_q *q,
			       const char *after, const char *cut, store_backlog_fn fn,
			       void *ctx, struct tn_err *err)
{
	struct tn_buf sql = TN_BUF_INIT;
	struct store_backlog_row row;
	const char *expr = group_expr(q->by);
	PGresult *r;
	enum tn_code code;

	if (!expr)
		return tn_err_set(err, TN_EINVALID, "cannot group by '%s'", q->by ? q->by : "");
	if (cut)
		tn_buf_addf(&sql, "SELECT %s" BACKLOG_SQL_COUNT, expr);
	else
		tn_buf_adds(&sql, BACKLOG_SQL_LIST);
	if (cut)
		code = pg_query(PG(st), &r, err, "backlog report", sql.buf, "ttttt", q->to, after,
				q->department, q->item, cut);
	else
		code = pg_query(PG(st), &r, err, "backlog report", sql.buf, "tttt", q->to, after,
				q->department, q->item);
	tn_buf_release(&sql);
	if (code != TN_OK)
		return code;
	for (int i = 0; i < PQntuples(r); i++) {
		row.group = val(r, i, 0);
		row.day = val(r, i, 1);
		row.closed = val(r, i, 2);
		row.due = val(r, i, 3);
		row.n = pg_long(r, i, 4);
		row.overdue = pg_long(r, i, 5);
		if (fn(ctx, &row) != 0)
			break;
	}
	PQclear(r);
	return TN_OK;
}

enum tn_code pg_report_names(struct store *st, const char *by, jv *names, struct tn_err *err)
{
	const char *sql = NULL;
	PGresult *r;
	enum tn_code code;

	*names = jv_object();
	if (strcmp(by, "department") == 0)
		sql = "SELECT code, name FROM departments";
	else if (strcmp(by, "item") == 0)
		sql = "SELECT code, name FROM items";
	else if (strcmp(by, "workflow") == 0)
		sql = "SELECT code, doc ->> 'name' FROM workflows";
	if (!sql)
		return TN_OK;
	if ((code = pg_query(PG(st), &r, err, "report names", sql, "")) != TN_OK)
		return code;
	for (int i = 0; i < PQntuples(r); i++)
		if (!PQgetisnull(r, i, 0))
			*names = jv_object_set(*names, jv_string(PQgetvalue(r, i, 0)), pg_text(r, i, 1));
	PQclear(r);
	return TN_OK;
}
