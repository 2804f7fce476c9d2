/* pg_cases_list.c — the case list in PostgreSQL: filters, the id and deadline orders from their indexes, keyset cursors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "pg_int.h"

#define NO_DEADLINE "9999-12-31"

/* The deadline order's key (the index cases_due): a case without a deadline sorts last. */
#define DUE "COALESCE(deadline, '" NO_DEADLINE "')"

/* What a page selects, by position. */
#define COLUMNS "seq, doc, " DUE ", status, deadline"

/* At most this many values in a list query. */
#define MAXQ 24

/* A query built piece by piece: text with $N placeholders and their values. */
struct listq {
	struct tn_buf sql;
	int n;
	const char *vals[MAXQ];
	char nums[MAXQ][24];
	char until_end[32];
	char like[512];
};

/* Append `sql` and a placeholder for text `v`. */
static void q_text(struct listq *q, const char *sql, const char *v)
{
	if (q->n >= MAXQ)
		return;
	q->vals[q->n++] = v;
	tn_buf_addf(&q->sql, "%s$%d", sql, q->n);
}

/* Append `sql` and a placeholder for number `v`. */
static void q_num(struct listq *q, const char *sql, long v)
{
	if (q->n >= MAXQ)
		return;
	snprintf(q->nums[q->n], sizeof(q->nums[q->n]), "%ld", v);
	q->vals[q->n] = q->nums[q->n];
	q->n++;
	tn_buf_addf(&q->sql, "%s$%d", sql, q->n);
}

/* Cursor: hex of "i:SEQ" or "d:DEADLINE:SEQ", as SQLite's backend makes them.  Opaque to clients. */
static char *cursor_make(int by_deadline, const char *deadline, long seq)
{
	struct tn_buf b = TN_BUF_INIT;
	char raw[64];

	if (by_deadline)
		snprintf(raw, sizeof(raw), "d:%s:%ld", deadline ? deadline : NO_DEADLINE, seq);
	else
		snprintf(raw, sizeof(raw), "i:%ld", seq);
	for (const char *c = raw; *c; c++)
		tn_buf_addf(&b, "%02x", (unsigned char)*c);
	return tn_buf_detach(&b, NULL);
}

static int cursor_parse(const char *cur, int by_deadline, char *deadline, long *seq)
{
	char raw[64];
	size_t n = strlen(cur), i;

	if (n % 2 || n / 2 >= sizeof(raw))
		return -1;
	for (i = 0; i < n / 2; i++) {
		unsigned int x;

		if (sscanf(cur + 2 * i, "%2x", &x) != 1)
			return -1;
		raw[i] = (char)x;
	}
	raw[i] = '\0';
	if (!by_deadline) {
		if (strncmp(raw, "i:", 2) != 0)
			return -1;
		return tn_parse_long(raw + 2, seq) == 0 && *seq >= 0 ? 0 : -1;
	}
	if (strncmp(raw, "d:", 2) != 0 || strlen(raw) < 2 + 10 + 2 || raw[12] != ':')
		return -1;
	memcpy(deadline, raw + 2, 10);
	deadline[10] = '\0';
	return tn_parse_long(raw + 13, seq) == 0 && *seq >= 0 ? 0 : -1;
}

/* The filters of `f` as " AND ..." conditions with their values. */
static void add_filters(struct listq *q, const struct store_case_filter *f)
{
	if (f->scope_department)
		q_text(q, " AND department = ", f->scope_department);
	if (f->scope_token_id >= 0 || f->scope_subject) {
		q_num(q, " AND (token_id = ", f->scope_token_id);
		if (f->scope_subject)
			q_text(q, " OR applicant_id = ", f->scope_subject);
		tn_buf_adds(&q->sql, ")");
	}
	if (f->status)
		q_text(q, " AND status = ", f->status);
	if (f->item)
		q_text(q, " AND item = ", f->item);
	if (f->department)
		q_text(q, " AND department = ", f->department);
	if (f->applicant)
		q_text(q, " AND applicant_id = ", f->applicant);
	if (f->parent)
		q_num(q, " AND parent_seq = ", pg_case_seq(f->parent));
	if (f->workflow)
		q_text(q, " AND workflow = ", f->workflow);
	if (f->since)
		q_text(q, " AND submitted_at >= ", f->since);
	if (f->until) {
		/* every time on that date sorts before "DATEU" ('T' < 'U') */
		snprintf(q->until_end, sizeof(q->until_end), "%sU", f->until);
		q_text(q, " AND submitted_at < ", q->until_end);
	}
	if (f->q) {
		/* SQLite's LIKE: wildcards of q escaped, ASCII letters in either case (ILIKE on "C") */
		size_t j = 0;

		q->like[j++] = '%';
		for (const char *c = f->q; *c && j < sizeof(q->like) - 3; c++) {
			if (*c == '%' || *c == '_' || *c == '\\')
				q->like[j++] = '\\';
			q->like[j++] = *c;
		}
		q->like[j++] = '%';
		q->like[j] = '\0';
		q_text(q, " AND (applicant_name ILIKE ", q->like);
		q_text(q, " ESCAPE '\\' OR ('C' || CASE WHEN seq < 100000000 THEN "
		       "lpad(seq::text, 8, '0') ELSE seq::text END) COLLATE \"C\" ILIKE ", q->like);
		tn_buf_adds(&q->sql, " ESCAPE '\\')");
	}
	if (f->overdue >= 0)
		q_text(q, f->overdue ?
		       " AND deadline IS NOT NULL AND status NOT IN ('completed', 'rejected') "
		       "AND deadline < " :
		       " AND NOT (deadline IS NOT NULL AND status NOT IN ('completed', 'rejected') "
		       "AND deadline < ", f->today);
	if (f->overdue == 0)
		tn_buf_adds(&q->sql, ")");
}

/* Run `q` (its text released); TN_EINTERNAL when it had more values than it holds. */
static enum tn_code q_run(struct pg_store *p, struct listq *q, PGresult **r, const char *what,
			  struct tn_err *err)
{
	enum tn_code code;

	if (q->n >= MAXQ)
		code = tn_err_set(err, TN_EINTERNAL, "%s: more than %d values", what, MAXQ - 1);
	else
		code = pg_query_vals(p, r, err, what, q->sql.buf, q->n, q->vals);
	tn_buf_release(&q->sql);
	return code;
}

/*
 * The page: one walk of an index from where the cursor points (by id, the
 * seqs after it; by deadline, the (deadline key, seq) pairs after it), at
 * most limit + 1 rows, the last of which only says there is a next page.
 */
static enum tn_code page(struct pg_store *p, const struct store_case_filter *f, PGresult **r,
			 int *rows, char **next, struct tn_err *err)
{
	struct listq q;
	char cur_deadline[16] = "";
	long cur_seq = 0;
	int has_cursor = 0, n;
	enum tn_code code;

	*next = NULL;
	*rows = 0;
	*r = NULL;
	if (f->cursor && *f->cursor) {
		if (cursor_parse(f->cursor, f->order_deadline, cur_deadline, &cur_seq) != 0)
			return tn_err_set(err, TN_EINVALID, "cursor is not valid for this list");
		has_cursor = 1;
	}
	memset(&q, 0, sizeof(q));
	tn_buf_init(&q.sql);
	tn_buf_adds(&q.sql, "SELECT " COLUMNS " FROM cases WHERE true");
	add_filters(&q, f);
	if (!f->order_deadline) {
		if (has_cursor)
			q_num(&q, " AND seq > ", cur_seq);
		tn_buf_adds(&q.sql, " ORDER BY seq");
	} else {
		if (has_cursor) {
			q_text(&q, " AND (" DUE ", seq) > (", cur_deadline);
			q_num(&q, ", ", cur_seq);
			tn_buf_adds(&q.sql, ")");
		}
		tn_buf_adds(&q.sql, " ORDER BY " DUE ", seq");
	}
	q_num(&q, " LIMIT ", f->limit + 1);
	if ((code = q_run(p, &q, r, "case list", err)) != TN_OK)
		return code;
	n = PQntuples(*r);
	if (n > f->limit) {
		n = (int)f->limit;
		*next = cursor_make(f->order_deadline, PQgetvalue(*r, n - 1, 2), pg_long(*r, n - 1, 0));
	}
	*rows = n;
	return TN_OK;
}

enum tn_code pg_case_list(struct store *st, const struct store_case_filter *f, jv *items,
			  char **next, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;
	int n;

	*items = jv_array();
	if ((code = page(PG(st), f, &r, &n, next, err)) != TN_OK)
		return code;
	for (int i = 0; i < n; i++)
		*items = jv_array_append(*items, pg_case_doc(r, i, 0, 1));
	PQclear(r);
	return TN_OK;
}

/* The number of cases `f` matches, its cursor and limit aside. */
static enum tn_code count_cases(struct pg_store *p, const struct store_case_filter *f,
				long *total, struct tn_err *err)
{
	struct listq q;
	PGresult *r;
	enum tn_code code;

	*total = 0;
	memset(&q, 0, sizeof(q));
	tn_buf_init(&q.sql);
	tn_buf_adds(&q.sql, "SELECT count(*) FROM cases WHERE true");
	add_filters(&q, f);
	if ((code = q_run(p, &q, &r, "case count", err)) != TN_OK)
		return code;
	*total = pg_long(r, 0, 0);
	PQclear(r);
	return TN_OK;
}

enum tn_code pg_case_list_text(struct store *st, const struct store_case_filter *f,
			       store_case_row_fn *fn, void *ctx, char **next, long *total,
			       struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;
	int n;

	if ((code = page(PG(st), f, &r, &n, next, err)) != TN_OK)
		return code;
	for (int i = 0; i < n; i++) {
		struct store_case_row row;
		char id[32];

		pg_case_id(pg_long(r, i, 0), id, sizeof(id));
		row.id = id;
		row.doc = PQgetvalue(r, i, 1);
		row.doc_len = (size_t)PQgetlength(r, i, 1);
		if (row.doc_len < 2 || row.doc[0] != '{' || row.doc[row.doc_len - 1] != '}') {
			row.doc = "{}";
			row.doc_len = 2;
		}
		row.status = PQgetvalue(r, i, 3);
		row.deadline = PQgetisnull(r, i, 4) ? NULL : PQgetvalue(r, i, 4);
		fn(&row, ctx);
	}
	PQclear(r);
	if (total && (code = count_cases(PG(st), f, total, err)) != TN_OK) {
		free(*next);
		*next = NULL;
	}
	return code;
}
