/* store_cases_list.c — the case list: filters, the id and deadline orders from their indexes, keyset cursors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "tn_buf.h"
#include "store.h"
#include "store_int.h"

#define NO_DEADLINE "9999-12-31"

/* The deadline order's key: a case without a deadline sorts last. */
#define DUE "COALESCE(deadline, '" NO_DEADLINE "')"

/*
 * 8 -> 9: every page of the case list from an index, deep cursors too.  The
 * deadline order's key held in an index beside seq, for everyone (admin) and
 * under a clerk's department; an index on the expression rather than a
 * column, so that it cannot drift from deadline when the calendar counts a
 * deadline again.  The id order has its indexes already: the row number, and
 * cases_department (department, seq).
 */
const char store_cases_order_schema[] =
	"CREATE INDEX IF NOT EXISTS cases_due ON cases (" DUE ", seq);"
	"CREATE INDEX IF NOT EXISTS cases_department_due ON cases (department, " DUE ", seq);";

/* Cursor: hex of "i:SEQ" or "d:DEADLINE:SEQ".  Opaque to clients. */
static char *cursor_make(int by_deadline, const char *deadline, long seq)
{
	char raw[64];

	if (by_deadline)
		snprintf(raw, sizeof(raw), "d:%s:%ld", deadline ? deadline : NO_DEADLINE, seq);
	else
		snprintf(raw, sizeof(raw), "i:%ld", seq);
	return store_cursor_encode(raw);
}

static int cursor_parse(const char *cur, int by_deadline, char *deadline, long *seq)
{
	char raw[64], *colon;

	if (store_cursor_decode(cur, raw, sizeof(raw)) != 0)
		return -1;
	if (!by_deadline) {
		if (strncmp(raw, "i:", 2) != 0)
			return -1;
		return tn_parse_long(raw + 2, seq) == 0 && *seq >= 0 ? 0 : -1;
	}
	if (strncmp(raw, "d:", 2) != 0 || strlen(raw) < 2 + 10 + 2 || raw[12] != ':')
		return -1;
	memcpy(deadline, raw + 2, 10);
	deadline[10] = '\0';
	colon = raw + 12;
	return tn_parse_long(colon + 1, seq) == 0 && *seq >= 0 ? 0 : -1;
}

/* What a page selects: walk_page and its row callbacks read them by position. */
#define COLUMNS "seq, doc, " DUE ", status, deadline"

/* What a filter binds that is not in it as given: kept alive until the statement is bound. */
struct derived {
	char until_end[32];
	char like[512];
};

/* The filters of `f` as " AND ..." conditions with their values. */
static void add_filters(struct store_query *q, const struct store_case_filter *f,
			struct derived *d)
{
	if (f->scope_department)
		store_q_text(q, " AND department = ?", f->scope_department);
	if (f->scope_token_id >= 0 || f->scope_subject) {
		store_q_num(q, " AND (token_id = ?", f->scope_token_id);
		if (f->scope_subject)
			store_q_text(q, " OR applicant_id = ?", f->scope_subject);
		store_q_add(q, ")");
	}
	if (f->status)
		store_q_text(q, " AND status = ?", f->status);
	if (f->item)
		store_q_text(q, " AND item = ?", f->item);
	if (f->department)
		store_q_text(q, " AND department = ?", f->department);
	if (f->applicant)
		store_q_text(q, " AND applicant_id = ?", f->applicant);
	if (f->parent)
		store_q_num(q, " AND parent_seq = ?", store_case_seq(f->parent));
	if (f->workflow)
		store_q_text(q, " AND workflow = ?", f->workflow);
	if (f->since)
		store_q_text(q, " AND submitted_at >= ?", f->since);
	if (f->until) {
		/* every time on that date sorts before "DATEU" ('T' < 'U') */
		snprintf(d->until_end, sizeof(d->until_end), "%sU", f->until);
		store_q_text(q, " AND submitted_at < ?", d->until_end);
	}
	if (f->q) {
		/* LIKE with the wildcards of q escaped */
		size_t j = 0;

		d->like[j++] = '%';
		for (const char *c = f->q; *c && j < sizeof(d->like) - 3; c++) {
			if (*c == '%' || *c == '_' || *c == '\\')
				d->like[j++] = '\\';
			d->like[j++] = *c;
		}
		d->like[j++] = '%';
		d->like[j] = '\0';
		store_q_text(q, " AND (applicant_name LIKE ? ESCAPE '\\'", d->like);
		store_q_text(q, " OR printf('C%08d', seq) LIKE ? ESCAPE '\\')", d->like);
	}
	if (f->overdue >= 0)
		store_q_text(q, f->overdue ?
			     " AND (deadline IS NOT NULL AND deadline < ? AND status NOT IN "
			     "('completed', 'rejected'))" :
			     " AND NOT (deadline IS NOT NULL AND deadline < ? AND status NOT IN "
			     "('completed', 'rejected'))", f->today);
}

/*
 * The page's query, every order and cursor a walk of an index from where the
 * cursor points: by id, the seqs after the cursor's; by deadline, part 0 is
 * the rest of the cursor's deadline (its seqs after the cursor's) and part 1
 * the later deadlines, in two queries because SQLite cannot seek one range on
 * (deadline key, seq).  At most `limit` rows.
 */
static void page_query(struct store_query *q, const struct store_case_filter *f,
		       struct derived *d, int part, int has_cursor, const char *cur_deadline,
		       long cur_seq, long limit)
{
	store_q_init(q, "SELECT " COLUMNS " FROM cases WHERE 1");
	add_filters(q, f, d);
	if (!f->order_deadline) {
		if (has_cursor)
			store_q_num(q, " AND seq > ?", cur_seq);
		store_q_add(q, " ORDER BY seq");
	} else if (!has_cursor) {
		store_q_add(q, " ORDER BY " DUE ", seq");
	} else if (part == 0) {
		store_q_text(q, " AND " DUE " = ?", cur_deadline);
		store_q_num(q, " AND seq > ?", cur_seq);
		store_q_add(q, " ORDER BY seq");
	} else {
		store_q_text(q, " AND " DUE " > ?", cur_deadline);
		store_q_add(q, " ORDER BY " DUE ", seq");
	}
	store_q_num(q, " LIMIT ?", limit);
}

/*
 * Run the page's query and call `row` for each of its cases, the statement
 * on the case's row (columns: seq, doc, due, status, deadline); *next as
 * sqlite_case_list says.
 */
static enum tn_code walk_page(struct store *st, const struct store_case_filter *f,
			      void (*row)(sqlite3_stmt *s, void *ctx), void *ctx, char **next,
			      struct tn_err *err)
{
	struct store_query q;
	struct derived d;
	char cur_deadline[16] = "", last_deadline[16] = "";
	long cur_seq = 0, last_seq = 0, count = 0;
	int rc, has_cursor = 0;
	sqlite3_stmt *s;
	enum tn_code code = TN_OK;

	*next = NULL;
	if (f->cursor && *f->cursor) {
		if (cursor_parse(f->cursor, f->order_deadline, cur_deadline, &cur_seq) != 0)
			return tn_err_set(err, TN_EINVALID, "cursor is not valid for this list");
		has_cursor = 1;
	}
	for (int part = 0; part < 2 && count <= f->limit && code == TN_OK; part++) {
		page_query(&q, f, &d, part, has_cursor, cur_deadline, cur_seq, f->limit + 1 - count);
		if (!(s = store_q_stmt(st, &q, err))) {
			code = store_errcode(err);
			break;
		}
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			if (count == f->limit) {
				*next = cursor_make(f->order_deadline, last_deadline, last_seq);
				count++;
				break;
			}
			row(s, ctx);
			last_seq = (long)sqlite3_column_int64(s, 0);
			snprintf(last_deadline, sizeof(last_deadline), "%s",
				 (const char *)sqlite3_column_text(s, 2));
			count++;
		}
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			code = store_fail(st, err, "case list");
		sqlite3_reset(s);
		if (!f->order_deadline || !has_cursor)
			break;
	}
	if (code != TN_OK) {
		free(*next);
		*next = NULL;
	}
	return code;
}

/*
 * The number of cases `f` matches, its cursor and limit aside, in *total: a
 * count over the index the filters pick (the same conditions as a page).
 */
static enum tn_code count_cases(struct store *st, const struct store_case_filter *f,
				long *total, struct tn_err *err)
{
	struct store_query q;
	struct derived d;
	sqlite3_stmt *s;
	enum tn_code code = TN_OK;
	int rc;

	*total = 0;
	store_q_init(&q, "SELECT COUNT(*) FROM cases WHERE 1");
	add_filters(&q, f, &d);
	if (!(s = store_q_stmt(st, &q, err)))
		return store_errcode(err);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*total = (long)sqlite3_column_int64(s, 0);
	else
		code = store_fail(st, err, "case count");
	sqlite3_reset(s);
	return code;
}

static void add_doc(sqlite3_stmt *s, void *ctx)
{
	jv *items = ctx;

	*items = jv_array_append(*items, store_case_doc(s, 0, 1));
}

enum tn_code sqlite_case_list(struct store *st, const struct store_case_filter *f, jv *items,
			     char **next, struct tn_err *err)
{
	*items = jv_array();
	return walk_page(st, f, add_doc, items, next, err);
}

struct text_rows {
	store_case_row_fn *fn;
	void *ctx;
};

static void add_text_row(sqlite3_stmt *s, void *ctx)
{
	struct text_rows *t = ctx;
	struct store_case_row r;
	char id[32];

	store_case_id((long)sqlite3_column_int64(s, 0), id, sizeof(id));
	r.id = id;
	r.doc = (const char *)sqlite3_column_text(s, 1);
	r.doc_len = (size_t)sqlite3_column_bytes(s, 1);
	if (!r.doc || r.doc_len < 2 || r.doc[0] != '{' || r.doc[r.doc_len - 1] != '}') {
		r.doc = "{}";
		r.doc_len = 2;
	}
	r.status = (const char *)sqlite3_column_text(s, 3);
	r.deadline = (const char *)sqlite3_column_text(s, 4);
	t->fn(&r, t->ctx);
}

enum tn_code sqlite_case_list_text(struct store *st, const struct store_case_filter *f,
				  store_case_row_fn *fn, void *ctx, char **next, long *total,
				  struct tn_err *err)
{
	struct text_rows t = { fn, ctx };
	enum tn_code code = walk_page(st, f, add_text_row, &t, next, err);

	if (code == TN_OK && total && (code = count_cases(st, f, total, err)) != TN_OK) {
		free(*next);
		*next = NULL;
	}
	return code;
}
