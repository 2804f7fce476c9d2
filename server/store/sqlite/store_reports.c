/* store_reports.c — the reports tables of twonetd's SQLite storage (see store.h, store_reports.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_jv.h"
#include "store_int.h"
#include "store_reports.h"

/*
 * Migration 3 -> 4: what the reports need, kept apart from the cases' own
 * schema so that no handler changes.
 *
 * - workdays: the calendar as a table (see sqlite_report_workdays).
 * - r_* columns on cases, derived from the row and its document by two
 *   triggers, so that a month of cases is aggregated from one covering
 *   index without reading a document: r_day (local day of submission),
 *   r_workflow, r_legal (legal deadline), r_legal_days (the item's legal
 *   days), r_accepted (ever accepted), r_returned (ever returned), r_done
 *   (day of completion), r_mat and r_exempt (materials asked by the item,
 *   and of those exempted as e-certificates).  Anyone who updates a case's
 *   times or document (a migration, a repair, a test) gets them recomputed.
 * - cases_report: the covering index, led by the day of submission.
 */
#define R_SET \
	"UPDATE cases SET" \
	"  r_day = substr(NEW.submitted_at, 1, 10)," \
	"  r_workflow = json_extract(NEW.doc, '$.workflow')," \
	"  r_legal = json_extract(NEW.doc, '$.legal_deadline')," \
	"  r_legal_days = (SELECT legal_days FROM items WHERE code = NEW.item)," \
	"  r_accepted = (json_extract(NEW.doc, '$.accepted_at') IS NOT NULL)," \
	"  r_returned = (r_returned OR NEW.status = 'returned')," \
	"  r_done = CASE WHEN NEW.status = 'completed' THEN" \
	"    substr(COALESCE(json_extract(NEW.doc, '$.completed_at'), NEW.submitted_at), 1, 10) END," \
	"  r_mat = COALESCE(json_array_length(NEW.doc, '$.materials'), 0)," \
	"  r_exempt = (SELECT count(*) FROM json_each(NEW.doc, '$.materials')" \
	"    WHERE json_extract(value, '$.state') = 'exempted')" \
	"  WHERE seq = NEW.seq;"

const char store_reports_schema[] =
	"CREATE TABLE workdays ("
	"  day TEXT PRIMARY KEY,"
	"  idx INTEGER NOT NULL,"
	"  work INTEGER NOT NULL) WITHOUT ROWID;"
	"ALTER TABLE cases ADD COLUMN r_day TEXT;"
	"ALTER TABLE cases ADD COLUMN r_workflow TEXT;"
	"ALTER TABLE cases ADD COLUMN r_legal TEXT;"
	"ALTER TABLE cases ADD COLUMN r_legal_days INTEGER;"
	"ALTER TABLE cases ADD COLUMN r_accepted INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE cases ADD COLUMN r_returned INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE cases ADD COLUMN r_done TEXT;"
	"ALTER TABLE cases ADD COLUMN r_mat INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE cases ADD COLUMN r_exempt INTEGER NOT NULL DEFAULT 0;"
	"CREATE TRIGGER cases_report_insert AFTER INSERT ON cases BEGIN " R_SET " END;"
	"CREATE TRIGGER cases_report_update AFTER UPDATE OF submitted_at, status, doc ON cases "
	"BEGIN " R_SET " END;"
	/* cases filed before this schema: derive theirs (returned from the history) */
	"UPDATE cases SET submitted_at = submitted_at;"
	"UPDATE cases SET r_returned = EXISTS (SELECT 1 FROM events e"
	"  WHERE e.case_seq = cases.seq AND e.action = 'return');"
	"CREATE INDEX cases_report ON cases (r_day, department, item, r_workflow, status,"
	"  r_accepted, r_returned, deadline, r_legal, r_done, r_legal_days, r_mat, r_exempt);";

/*
 * Migration 7 -> 8: the covering index gains deadline_provisional (schema 6's
 * column), which the case report counts, so that a month is still read from
 * the index alone (without it the table rows are read too: 0.2 s -> 0.55 s a
 * month over 1M cases).
 */
const char store_reports_provisional[] =
	"DROP INDEX IF EXISTS cases_report;"
	"CREATE INDEX cases_report ON cases (r_day, department, item, r_workflow, status,"
	"  r_accepted, r_returned, deadline, r_legal, r_done, r_legal_days, r_mat, r_exempt,"
	"  deadline_provisional);";

/*
 * Migration 13 -> 14: the insert trigger runs only for a row inserted
 * without its r_* columns (r_day NULL).  A filing binds them itself
 * (sqlite_report_cols): the trigger's UPDATE wrote every filed row twice, its
 * covering index entry too, and parsed the document five times (13% of a
 * filing's CPU time).  Rows inserted any other way are derived as before.
 */
const char store_reports_insert_bound[] =
	"DROP TRIGGER IF EXISTS cases_report_insert;"
	"CREATE TRIGGER cases_report_insert AFTER INSERT ON cases WHEN NEW.r_day IS NULL "
	"BEGIN " R_SET " END;";

/* R_SET's json_extract of member `key` of `doc` as a text or NULL: 0, or -1 for another kind. */
static int doc_text(jv doc, const char *key, jv *out)
{
	jv v = jv_object_get(jv_copy(doc), jv_string(key));
	jv_kind k = jv_get_kind(v);

	if (k == JV_KIND_INVALID || k == JV_KIND_NULL) {
		jv_free(v);
		v = jv_null();
	} else if (k != JV_KIND_STRING) {
		jv_free(v);
		return -1;
	}
	*out = v;
	return 0;
}

int sqlite_report_cols(jv doc, const char *status, struct report_cols *r)
{
	jv v, mats;
	jv_kind k;

	r->workflow = r->legal = jv_null();
	r->accepted = r->returned = r->mat = r->exempt = 0;
	if (jv_get_kind(doc) != JV_KIND_OBJECT || !status || strcmp(status, "completed") == 0)
		return -1;
	r->returned = strcmp(status, "returned") == 0;
	v = jv_object_get(jv_copy(doc), jv_string("accepted_at"));
	k = jv_get_kind(v);
	r->accepted = k != JV_KIND_INVALID && k != JV_KIND_NULL;
	jv_free(v);
	mats = jv_object_get(jv_copy(doc), jv_string("materials"));
	k = jv_get_kind(mats);
	if (k == JV_KIND_ARRAY) {
		r->mat = jv_array_length(jv_copy(mats));
		jv_array_foreach(mats, i, m) {
			if (jv_get_kind(m) != JV_KIND_OBJECT)
				r->mat = -1;
			else if (tn_jv_is(m, "state", "exempted"))
				r->exempt++;
			jv_free(m);
		}
	} else if (k != JV_KIND_INVALID) {
		r->mat = -1;    /* null, an object, a scalar: R_SET's json functions decide */
	}
	jv_free(mats);
	if (r->mat < 0 || doc_text(doc, "workflow", &r->workflow) < 0 ||
	    doc_text(doc, "legal_deadline", &r->legal) < 0) {
		jv_free(r->workflow);
		r->workflow = r->legal = jv_null();
		r->accepted = r->returned = r->mat = r->exempt = 0;
		return -1;
	}
	return 0;
}

/* ---- the calendar ---- */

enum tn_code sqlite_report_workdays(struct store *st, const char *first, const unsigned char *work,
				   long n, struct tn_err *err)
{
	sqlite3_stmt *s;
	char day[16], last[16];
	long d0, idx = 0;
	double sum = 0;
	enum tn_code code;
	int same = 0;

	if (tn_date_parse(first, &d0) != 0 || n < 1)
		return tn_err_set(err, TN_EINVALID, "bad calendar range '%s'", first);
	for (long i = 0; i < n; i++) {
		idx += work[i] ? 1 : 0;
		sum += (double)idx;
	}
	tn_date_format(d0 + n - 1, last);
	s = store_stmt(st, "SELECT count(*), total(idx), min(day), max(day), max(idx) FROM workdays",
		       err);
	if (!s)
		return store_errcode(err);
	if (sqlite3_step(s) == SQLITE_ROW) {
		const char *lo = (const char *)sqlite3_column_text(s, 2);
		const char *hi = (const char *)sqlite3_column_text(s, 3);

		same = sqlite3_column_int64(s, 0) == n && sqlite3_column_double(s, 1) == sum &&
		       sqlite3_column_int64(s, 4) == idx && lo && hi && strcmp(lo, first) == 0 &&
		       strcmp(hi, last) == 0;
	}
	sqlite3_reset(s);
	if (same)
		return TN_OK;
	if ((code = store_begin(st, err)) != TN_OK)
		return code;
	if ((code = store_exec(st, "DELETE FROM workdays", err)) != TN_OK)
		goto out;
	s = store_stmt(st, "INSERT INTO workdays (day, idx, work) VALUES (?, ?, ?)", err);
	if (!s) {
		code = store_errcode(err);
		goto out;
	}
	idx = 0;
	for (long i = 0; i < n && code == TN_OK; i++) {
		idx += work[i] ? 1 : 0;
		tn_date_format(d0 + i, day);
		sqlite3_reset(s);
		store_bind_text(s, 1, day);
		sqlite3_bind_int64(s, 2, idx);
		sqlite3_bind_int(s, 3, work[i] ? 1 : 0);
		code = store_run(st, s, err, "workdays insert");
	}
out:
	return store_end(st, code, err);
}

/* ---- cases ---- */

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
		{ "week", "date(r_day, 'weekday 0', '-6 days')" },  /* the Monday */
		{ "month", "substr(r_day, 1, 7)" },
	};

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (by && strcmp(groups[i].by, by) == 0)
			return groups[i].expr;
	return NULL;
}

/*
 * One pass over the period's slice of the covering index.  Each case is
 * joined to the working-day table twice (its day of completion and of
 * submission: idx(done) - idx(submitted) is its working days, NULL when not
 * completed or outside the calendar); rows are counted by group and working
 * days, so that medians and percentiles come from a small histogram instead
 * of from every case.  Joins, not correlated subqueries: those were
 * evaluated again for every mention of the days.  The umbrella case of a
 * "one thing" workflow (department '') is not counted: its sub-cases are.
 * Every deadline figure is against DUE, the earlier of the promised and the
 * legal deadline.  ?1 from, ?2 to, ?3 today, ?4 department, ?5 item (or NULL).
 */
#define OPEN "(status NOT IN ('completed', 'rejected'))"
#define DUE STORE_REPORT_DUE
#define CASES_SQL_HEAD "SELECT "
#define CASES_SQL_TAIL \
	" AS g, d1.idx - d2.idx AS wd, count(*)," \
	" sum(r_accepted), sum(r_returned)," \
	" sum(status = 'rejected'), sum(status = 'completed'), sum(" OPEN ")," \
	" sum(" OPEN " AND " DUE " < ?3)," \
	" sum(status = 'completed' AND " DUE " IS NOT NULL AND r_done <= " DUE ")," \
	" sum(" DUE " IS NOT NULL AND ((status = 'completed' AND r_done > " DUE ")" \
	"     OR (" OPEN " AND " DUE " < ?3)))," \
	" sum(status = 'completed' AND r_legal IS NOT NULL AND r_done <= r_legal)," \
	" sum(r_legal IS NOT NULL AND ((status = 'completed' AND r_done > r_legal)" \
	"     OR (" OPEN " AND r_legal < ?3)))," \
	" total(r_legal_days), count(r_legal_days)," \
	" sum(r_mat), sum(r_exempt), sum(deadline_provisional) " \
	"FROM cases c INDEXED BY cases_report" \
	" LEFT JOIN workdays d1 ON d1.day = c.r_done" \
	" LEFT JOIN workdays d2 ON d2.day = c.r_day" \
	" WHERE r_day >= ?1 AND r_day <= ?2 AND department <> ''" \
	" AND (?4 IS NULL OR department = ?4) AND (?5 IS NULL OR item = ?5) " \
	"GROUP BY 1, 2 ORDER BY 1, 2"

enum tn_code sqlite_report_cases(struct store *st, const struct store_report_q *q,
				store_report_fn fn, void *ctx, struct tn_err *err)
{
	struct tn_buf sql = TN_BUF_INIT;
	struct store_report_row row;
	const char *expr = group_expr(q->by);
	sqlite3_stmt *s;
	enum tn_code code = TN_OK;
	int rc;

	if (!expr)
		return tn_err_set(err, TN_EINVALID, "cannot group by '%s'", q->by ? q->by : "");
	tn_buf_adds(&sql, CASES_SQL_HEAD);
	tn_buf_adds(&sql, expr);
	tn_buf_adds(&sql, CASES_SQL_TAIL);
	s = store_stmt(st, sql.buf, err);
	tn_buf_release(&sql);
	if (!s)
		return store_errcode(err);
	store_bind_text(s, 1, q->from);
	store_bind_text(s, 2, q->to);
	store_bind_text(s, 3, q->today);
	store_bind_text(s, 4, q->department);
	store_bind_text(s, 5, q->item);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		row.group = (const char *)sqlite3_column_text(s, 0);
		row.has_days = sqlite3_column_type(s, 1) != SQLITE_NULL;
		row.days = (long)sqlite3_column_int64(s, 1);
		row.n_days = row.has_days ? (long)sqlite3_column_int64(s, 2) : 0;
		for (int i = 0; i < RC_COUNT; i++)
			row.c[i] = (long)sqlite3_column_int64(s, 2 + i);
		if (!row.has_days)      /* legal days count for cases with working days only */
			row.c[RC_LEGAL_DAYS] = row.c[RC_LEGAL_N] = 0;
		if (fn(ctx, &row) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		code = store_fail(st, err, "case report");
	sqlite3_reset(s);
	return code;
}

/*
 * The backlog's cases (see sqlite_report_backlog): the day a case closed is
 * the day of completion (r_done), or of its reject event (the earliest; a
 * rejected case without one closed on the day it was filed).  Read from
 * cases_report, and from events by primary key for rejected cases only.
 * ?1 to, ?2 after, ?3 department, ?4 item (or NULL).
 */
#define REJECTED_SQL \
	"COALESCE((SELECT substr(min(e.at), 1, 10) FROM events e" \
	"  WHERE e.case_seq = c.seq AND e.action = 'reject'), r_day)"
#define CLOSED_SQL \
	"(CASE status WHEN 'completed' THEN r_done WHEN 'rejected' THEN " REJECTED_SQL " END)"
/* the conditions inline, not in a subquery: 0.65 -> 0.4 s over 1M cases (bench/report.sh) */
#define BACKLOG_SQL_FROM \
	" FROM cases c INDEXED BY cases_report" \
	" WHERE r_day <= ?1 AND department <> ''" \
	" AND (?3 IS NULL OR department = ?3) AND (?4 IS NULL OR item = ?4)" \
	" AND (" OPEN " OR (status = 'completed' AND r_done > ?2)" \
	"  OR (status = 'rejected' AND " REJECTED_SQL " > ?2)) "
/* counted by group in SQL: a few rows however many cases (?5 the cut) */
#define BACKLOG_SQL_COUNT \
	", NULL, NULL, NULL, count(*), sum(" DUE " < ?5)" BACKLOG_SQL_FROM "GROUP BY 1 ORDER BY 1"
/* listed for the time groupings, a row a case: no sort (a GROUP BY of 400,000 rows took 0.8 s) */
#define BACKLOG_SQL_LIST \
	"SELECT NULL, r_day, " CLOSED_SQL ", " DUE ", 1, 0" BACKLOG_SQL_FROM

enum tn_code sqlite_report_backlog(struct store *st, const struct store_report_q *q,
				  const char *after, const char *cut, store_backlog_fn fn,
				  void *ctx, struct tn_err *err)
{
	struct tn_buf sql = TN_BUF_INIT;
	struct store_backlog_row row;
	const char *expr = group_expr(q->by);
	sqlite3_stmt *s;
	enum tn_code code = TN_OK;
	int rc;

	if (!expr)
		return tn_err_set(err, TN_EINVALID, "cannot group by '%s'", q->by ? q->by : "");
	if (cut) {
		tn_buf_adds(&sql, "SELECT ");
		tn_buf_adds(&sql, expr);
		tn_buf_adds(&sql, BACKLOG_SQL_COUNT);
	} else {
		tn_buf_adds(&sql, BACKLOG_SQL_LIST);
	}
	s = store_stmt(st, sql.buf, err);
	tn_buf_release(&sql);
	if (!s)
		return store_errcode(err);
	store_bind_text(s, 1, q->to);
	store_bind_text(s, 2, after);
	store_bind_text(s, 3, q->department);
	store_bind_text(s, 4, q->item);
	if (cut)
		store_bind_text(s, 5, cut);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.group = (const char *)sqlite3_column_text(s, 0);
		row.day = (const char *)sqlite3_column_text(s, 1);
		row.closed = (const char *)sqlite3_column_text(s, 2);
		row.due = (const char *)sqlite3_column_text(s, 3);
		row.n = (long)sqlite3_column_int64(s, 4);
		row.overdue = (long)sqlite3_column_int64(s, 5);
		if (fn(ctx, &row) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		code = store_fail(st, err, "backlog report");
	sqlite3_reset(s);
	return code;
}

enum tn_code sqlite_report_names(struct store *st, const char *by, jv *names, struct tn_err *err)
{
	const char *sql = NULL;
	sqlite3_stmt *s;
	int rc;

	*names = jv_object();
	if (strcmp(by, "department") == 0)
		sql = "SELECT code, name FROM departments";
	else if (strcmp(by, "item") == 0)
		sql = "SELECT code, name FROM items";
	else if (strcmp(by, "workflow") == 0)
		sql = "SELECT code, json_extract(doc, '$.name') FROM workflows";
	if (!sql)
		return TN_OK;
	if (!(s = store_stmt(st, sql, err)))
		return store_errcode(err);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(s, 0);

		if (k)
			*names = jv_object_set(*names, jv_string(k), store_col_text(s, 1));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, "report names");
	return TN_OK;
}

/* ---- alerts ---- */

/* The SQL expression of each alert grouping (fixed text). */
static const char *alert_group_expr(const char *by)
{
	static const struct {
		const char *by, *expr;
	} groups[] = {
		{ "kind", "kind" },
		{ "severity", "severity" },
		{ "district", "district" },
		{ "day", "date(raised_at, 'unixepoch', 'localtime')" },
		{ "week", "date(raised_at, 'unixepoch', 'localtime', 'weekday 0', '-6 days')" },
		{ "month", "strftime('%Y-%m', raised_at, 'unixepoch', 'localtime')" },
	};

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (by && strcmp(groups[i].by, by) == 0)
			return groups[i].expr;
	return NULL;
}

/*
 * Three passes over the period's alerts (alerts_raised index), in one
 * statement: the counters by group (what = -1), then the histograms of the
 * minutes from raised to dispatched (what = 0) and to closed (what = 1).
 * The times of dispatch and close come from the ALERT document (the event
 * log may have been trimmed).  ?1 first second, ?2 the second after the
 * period, ?3 now (seconds); targets by severity in TARGET_SQL.
 */
#define TARGET_SQL \
	"(CASE severity WHEN 3 THEN " STORE_ALERT_TARGET_RED " WHEN 2 THEN " STORE_ALERT_TARGET_ORANGE \
	" WHEN 1 THEN " STORE_ALERT_TARGET_YELLOW " ELSE " STORE_ALERT_TARGET_BLUE " END * 60)"
#define A_RANGE " FROM alerts WHERE raised_at >= ?1 AND raised_at < ?2"
#define A_DISPATCHED "unixepoch(json_extract(doc, '$.dispatched_at'))"
#define A_CLOSED "unixepoch(json_extract(doc, '$.closed_at'))"

enum tn_code sqlite_report_alerts(struct store *st, const struct store_alert_report_q *q,
				 store_alert_fn fn, void *ctx, struct tn_err *err)
{
	struct tn_buf sql = TN_BUF_INIT;
	struct store_alert_row row;
	const char *g = alert_group_expr(q->by);
	sqlite3_stmt *s;
	enum tn_code code = TN_OK;
	int rc;

	if (!g)
		return tn_err_set(err, TN_EINVALID, "cannot group alerts by '%s'", q->by ? q->by : "");
	tn_buf_addf(&sql,
		"SELECT g, -1, NULL, count(*), sum(d IS NOT NULL), sum(status = 'closed'),"
		" sum(status <> 'closed'), sum(status <> 'closed' AND ?3 - raised_at > t),"
		" sum(status = 'closed' AND c - raised_at <= t)"
		" FROM (SELECT %s AS g, status, raised_at, " A_DISPATCHED " AS d, " A_CLOSED " AS c, "
		TARGET_SQL " AS t" A_RANGE ") GROUP BY g "
		"UNION ALL "
		"SELECT g, 0, m, count(*), 0, 0, 0, 0, 0"
		" FROM (SELECT %s AS g, (" A_DISPATCHED " - raised_at) / 60 AS m" A_RANGE
		" AND json_extract(doc, '$.dispatched_at') IS NOT NULL) GROUP BY g, m "
		"UNION ALL "
		"SELECT g, 1, m, count(*), 0, 0, 0, 0, 0"
		" FROM (SELECT %s AS g, (" A_CLOSED " - raised_at) / 60 AS m" A_RANGE
		" AND json_extract(doc, '$.closed_at') IS NOT NULL) GROUP BY g, m "
		"ORDER BY 1, 2, 3", g, g, g);
	s = store_stmt(st, sql.buf, err);
	tn_buf_release(&sql);
	if (!s)
		return store_errcode(err);
	sqlite3_bind_int64(s, 1, q->lo);
	sqlite3_bind_int64(s, 2, q->hi);
	sqlite3_bind_int64(s, 3, q->now);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		row.group = (const char *)sqlite3_column_text(s, 0);
		row.what = sqlite3_column_int(s, 1);
		row.minutes = (long)sqlite3_column_int64(s, 2);
		row.n = (long)sqlite3_column_int64(s, 3);
		for (int i = 0; i < RA_COUNT; i++)
			row.c[i] = row.what < 0 ? (long)sqlite3_column_int64(s, 3 + i) : 0;
		if (fn(ctx, &row) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		code = store_fail(st, err, "alert report");
	sqlite3_reset(s);
	return code;
}
