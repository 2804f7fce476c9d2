/* pg_alerts_read.c — reading alerts in PostgreSQL: the list, its cursors, the event log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "store_alerts.h"
#include "../store_common.h"
#include "pg_int.h"

static void pg_aq_val(struct aq *q, const char *sql, const char *v, long long num, int is_num)
{
	if (q->n == q->cap) {
		int cap = q->cap ? 2 * q->cap : 16;

		q->vals = realloc(q->vals, (size_t)cap * sizeof(*q->vals));
		q->nums = realloc(q->nums, (size_t)cap * sizeof(*q->nums));
		if (!q->vals || !q->nums)
			abort();
		q->cap = cap;
	}
	if (is_num) {
		snprintf(q->nums[q->n], sizeof(q->nums[q->n]), "%lld", num);
		v = NULL;
	}
	q->vals[q->n++] = v;
	tn_buf_addf(&q->sql, "%s$%d", sql, q->n);
}

void pg_aq_text(struct aq *q, const char *sql, const char *v)
{
	pg_aq_val(q, sql, v, 0, 0);
}

void pg_aq_num(struct aq *q, const char *sql, long long v)
{
	pg_aq_val(q, sql, NULL, v, 1);
}

void pg_aq_in(struct aq *q, const char *col, char **list)
{
	if (!list || !*list)
		return;
	tn_buf_addf(&q->sql, " AND %s IN (", col);
	for (int i = 0; list[i]; i++)
		pg_aq_text(q, i ? ", " : "", list[i]);
	tn_buf_adds(&q->sql, ")");
}

enum tn_code pg_aq_run(struct pg_store *p, struct aq *q, PGresult **r, const char *what,
		       struct tn_err *err)
{
	enum tn_code code;

	/* numbers live in nums: point at them now that the array no longer moves */
	for (int i = 0; i < q->n; i++)
		if (!q->vals[i])
			q->vals[i] = q->nums[i];
	code = pg_query_vals(p, r, err, what, q->sql.buf, q->n, q->vals);
	tn_buf_release(&q->sql);
	free(q->vals);
	free(q->nums);
	return code;
}

enum tn_code pg_alert_list(struct store *st, const struct store_alert_filter *f, jv *items,
			   char **next, struct tn_err *err)
{
	struct aq q;
	PGresult *r;
	long long cur = 0;
	long count = 0;
	int rows;
	enum tn_code code;

	*items = jv_invalid();
	*next = NULL;
	if (f->cursor && store_id_cursor_parse(f->cursor, 0, f->desc, &cur) != 0)
		return tn_err_set(err, TN_EINVALID, "cursor is not valid for this list");
	memset(&q, 0, sizeof(q));
	tn_buf_init(&q.sql);
	tn_buf_adds(&q.sql, "SELECT id, doc FROM alerts WHERE true");
	pg_aq_in(&q, "status", f->status);
	pg_aq_in(&q, "district", f->district);
	pg_aq_in(&q, "kind", f->kind);
	if (f->min_severity > 0)
		pg_aq_num(&q, " AND severity >= ", f->min_severity);
	if (f->source)
		pg_aq_text(&q, " AND source = ", f->source);
	if (f->since >= 0)
		pg_aq_num(&q, " AND raised_at >= ", f->since);
	if (f->until >= 0)
		pg_aq_num(&q, " AND raised_at < ", f->until);
	if (f->after >= 0)
		pg_aq_num(&q, " AND id > ", f->after);
	if (f->cursor)
		pg_aq_num(&q, f->desc ? " AND id < " : " AND id > ", cur);
	pg_aq_num(&q, f->desc ? " ORDER BY id DESC LIMIT " : " ORDER BY id LIMIT ", f->limit + 1);
	if ((code = pg_aq_run(PG(st), &q, &r, "alert list", err)) != TN_OK)
		return code;
	*items = jv_array();
	rows = PQntuples(r);
	for (int i = 0; i < rows; i++) {
		if (count == f->limit) {
			*next = store_id_cursor_make(0, f->desc, pg_long(r, i - 1, 0));
			break;
		}
		*items = jv_array_append(*items, pg_json(r, i, 1));
		count++;
	}
	PQclear(r);
	return TN_OK;
}

/*
 * One statement, one snapshot: under the commit-ordered log (pg_alerts.c)
 * the rows read are a prefix of the log, never with a hole a later commit
 * fills.  Rows come in one result (max is the caller's page size).
 */
enum tn_code pg_alert_events(struct store *st, long long after, int desc, long max,
			     store_alert_event_fn fn, void *ctx, long *n, struct tn_err *err)
{
	struct store_alert_event ev;
	PGresult *r;
	long count = 0;
	enum tn_code code;

	if (n)
		*n = 0;
	code = pg_query(PG(st), &r, err, "alert events", desc ?
			"SELECT seq, event, severity, district, kind, data FROM alert_events "
			"WHERE seq <= $1 ORDER BY seq DESC LIMIT $2" :
			"SELECT seq, event, severity, district, kind, data FROM alert_events "
			"WHERE seq > $1 ORDER BY seq LIMIT $2", "ll", (long)after, max);
	if (code != TN_OK)
		return code;
	for (int i = 0; i < PQntuples(r); i++) {
		ev.seq = pg_long(r, i, 0);
		ev.event = PQgetvalue(r, i, 1);
		ev.severity = (int)pg_long(r, i, 2);
		ev.district = PQgetvalue(r, i, 3);
		ev.kind = PQgetvalue(r, i, 4);
		ev.data = PQgetvalue(r, i, 5);
		ev.len = (size_t)PQgetlength(r, i, 5);
		count++;
		if (fn(ctx, &ev))
			break;
	}
	PQclear(r);
	if (n)
		*n = count;
	return TN_OK;
}

enum tn_code pg_alert_bounds(struct store *st, long long *oldest, long long *latest,
			     struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	code = pg_query(PG(st), &r, err, "alert bounds", "SELECT (SELECT min(seq) FROM alert_events), "
			"COALESCE((SELECT max(seq) FROM alert_events), (SELECT max(seq) FROM alerts), 0)",
			"");
	if (code != TN_OK)
		return code;
	*latest = pg_long(r, 0, 1);
	*oldest = pg_long_or(r, 0, 0, *latest + 1);
	PQclear(r);
	return TN_OK;
}

enum tn_code pg_alert_first_since(struct store *st, long long at, long long *seq,
				  struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*seq = 0;
	code = pg_query(PG(st), &r, err, "alert since", "SELECT seq FROM alert_events WHERE at >= $1 "
			"ORDER BY at, seq LIMIT 1", "l", (long)at);
	if (code != TN_OK)
		return code;
	if (PQntuples(r) == 1)
		*seq = pg_long(r, 0, 0);
	PQclear(r);
	return TN_OK;
}
