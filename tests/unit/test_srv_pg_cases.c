/* test_srv_pg_cases.c — the case list, reports and audit stats on PostgreSQL ($TWONET_PG_URI), beside the same rows on SQLite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "store.h"
#include "store_ops.h"
#include "store_reports.h"

/*
 * Run by tests/cli/t8100-pg-store.sh with TWONET_PG_URI set; skips without
 * it.  Every test files the same cases into a fresh PostgreSQL schema and a
 * fresh SQLite file, and the lists must agree: the same ids, pages, cursors
 * and, for the text list, the same bytes.
 */
static const char *uri;

struct fix {
	struct store *pg, *lite;
	char dir[64], path[128];
};

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct tn_err err = TN_ERR_INIT;
	PGconn *c = PQconnectdb(uri);

	PQsetNoticeProcessor(c, quiet, NULL);
	PQclear(PQexec(c, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"));
	PQfinish(c);
	snprintf(f->dir, sizeof(f->dir), "%s/twonet-pgc-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
	if (store_open(&f->pg, uri, 1, &err) != TN_OK || store_open(&f->lite, f->path, 1, &err) != TN_OK) {
		print_error("store_open: %s\n", err.message);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	static const char *const tails[] = { "", "-wal", "-shm", ".audit", ".audit-wal",
					     ".audit-shm" };
	char p[160];

	store_close(f->pg);
	store_close(f->lite);
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, tails[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static const char *str(jv o, const char *key, char *buf, size_t size)
{
	jv v = jv_object_get(jv_copy(o), jv_string(key));

	snprintf(buf, size, "%s", jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : "");
	jv_free(v);
	return buf;
}

/* File the same case on both stores (dept, applicant, deadline, key, token, submitted day). */
static void file_both(struct fix *f, const char *dept, const char *who, const char *deadline,
		      const char *key, long token, const char *day)
{
	struct store *sts[2] = { f->pg, f->lite };
	char at[40], id[2][16], buf[32];

	snprintf(at, sizeof(at), "%sT10:00:00+08:00", day);
	for (int i = 0; i < 2; i++) {
		struct store_case_new c;
		struct tn_err err = TN_ERR_INIT;
		int replayed = -1;
		jv out;

		memset(&c, 0, sizeof(c));
		c.doc = jv_object_set(jv_object(), jv_string("status"), jv_string("submitted"));
		c.doc = jv_object_set(c.doc, jv_string("applicant"),
				      jv_object_set(jv_object(), jv_string("name"), jv_string(who)));
		c.doc = jv_object_set(c.doc, jv_string("deadline"),
				      deadline ? jv_string(deadline) : jv_null());
		c.doc = jv_object_set(c.doc, jv_string("note"), jv_string("引号\" 和 \\ 斜杠"));
		c.event = jv_parse("{\"at\":\"t\",\"actor\":\"a\",\"role\":\"clerk\",\"action\":\"submit\","
				   "\"to\":\"submitted\",\"version\":1}");
		c.item = "310000-YB-003";
		c.department = dept;
		c.status = "submitted";
		c.applicant_id = who;
		c.applicant_name = who;
		c.submitted_at = at;
		c.deadline = deadline;
		c.deadline_days = c.legal_days = -1;
		c.submitted_by = "a";
		c.token_id = token;
		c.idem_key = key;
		c.idem_hash = "h";
		assert_int_equal(store_case_create(sts[i], &c, &out, &replayed, &err), TN_OK);
		snprintf(id[i], sizeof(id[i]), "%s", str(out, "id", buf, sizeof(buf)));
		jv_free(out);
	}
	assert_string_equal(id[0], id[1]);
}

/* Every page of `st`'s list with `base`, `limit` a page: the ids with spaces, and the cursors. */
static void list_all(struct store *st, struct store_case_filter base, long limit, struct tn_buf *out)
{
	struct tn_err err = TN_ERR_INIT;
	char *cursor = NULL, buf[32];
	int pages = 0;

	tn_buf_reset(out);
	do {
		jv items;
		char *next = NULL;

		base.cursor = cursor;
		base.limit = limit;
		assert_int_equal(store_case_list(st, &base, &items, &next, &err), TN_OK);
		for (int i = 0; i < jv_array_length(jv_copy(items)); i++) {
			jv c = jv_array_get(jv_copy(items), i);

			tn_buf_addf(out, "%s%s", out->len ? " " : "", str(c, "id", buf, sizeof(buf)));
			jv_free(c);
		}
		assert_true(jv_array_length(jv_copy(items)) <= limit);
		jv_free(items);
		if (next)
			tn_buf_addf(out, " [%s]", next);
		free(cursor);
		cursor = next;
		assert_true(++pages < 100);
	} while (cursor);
}

/* The list of `flt` on PostgreSQL, the same on SQLite; the ids (without cursors) compared to `want`. */
static void check(struct fix *f, struct store_case_filter flt, long limit, const char *want)
{
	struct tn_buf a = TN_BUF_INIT, b = TN_BUF_INIT, ids = TN_BUF_INIT;

	list_all(f->pg, flt, limit, &a);
	list_all(f->lite, flt, limit, &b);
	assert_string_equal(a.buf, b.buf);
	for (const char *p = a.buf; *p; ) {
		const char *e = strchr(p, ' ');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (*p != '[')
			tn_buf_addf(&ids, "%s%.*s", ids.len ? " " : "", (int)n, p);
		p += n;
		while (*p == ' ')
			p++;
	}
	assert_string_equal(ids.buf, want);
	tn_buf_release(&a);
	tn_buf_release(&b);
	tn_buf_release(&ids);
}

static void five(struct fix *f)
{
	/* C1 YBJ 12-10, C2 RSJ none, C3 YBJ 12-01, C4 YBJ 12-10, C5 RSJ 12-05 */
	file_both(f, "YBJ", "张三", "2026-12-10", "a", 1, "2026-11-01");
	file_both(f, "RSJ", "李四", NULL, "b", 1, "2026-11-02");
	file_both(f, "YBJ", "王五 Wang", "2026-12-01", "c", 2, "2026-11-02");
	file_both(f, "YBJ", "赵六", "2026-12-10", "d", 2, "2026-11-03");
	file_both(f, "RSJ", "张三丰", "2026-12-05", "e", 3, "2026-11-04");
}

static void test_case_list(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct store_case_filter flt;
	char *next = NULL;
	jv items;

	five(f);
	memset(&flt, 0, sizeof(flt));
	flt.overdue = -1;
	flt.scope_token_id = -1;
	check(f, flt, 2, "C00000001 C00000002 C00000003 C00000004 C00000005");
	flt.order_deadline = 1;
	for (long limit = 1; limit <= 6; limit++)
		check(f, flt, limit, "C00000003 C00000005 C00000001 C00000004 C00000002");
	flt.order_deadline = 0;

	flt.scope_department = "YBJ";
	check(f, flt, 2, "C00000001 C00000003 C00000004");
	flt.order_deadline = 1;
	check(f, flt, 1, "C00000003 C00000001 C00000004");
	flt.order_deadline = 0;
	flt.scope_department = NULL;

	flt.scope_token_id = 2;
	check(f, flt, 100, "C00000003 C00000004");
	flt.scope_subject = "张三";
	check(f, flt, 100, "C00000001 C00000003 C00000004");
	flt.scope_token_id = -1;
	flt.scope_subject = NULL;

	flt.q = "张三";
	check(f, flt, 100, "C00000001 C00000005");
	flt.q = "C00000004";
	check(f, flt, 100, "C00000004");
	flt.q = "c0000000";                     /* SQLite's LIKE: ASCII in either case */
	check(f, flt, 2, "C00000001 C00000002 C00000003 C00000004 C00000005");
	flt.q = "WANG";
	check(f, flt, 100, "C00000003");
	flt.q = "%";                            /* a wildcard is a character */
	check(f, flt, 100, "");
	flt.q = NULL;

	flt.overdue = 1;
	flt.today = "2026-12-06";
	check(f, flt, 100, "C00000003 C00000005");
	flt.overdue = 0;
	check(f, flt, 100, "C00000001 C00000002 C00000004");
	flt.overdue = -1;

	flt.since = "2026-11-02";
	flt.until = "2026-11-03";
	check(f, flt, 1, "C00000002 C00000003 C00000004");
	flt.since = flt.until = NULL;
	flt.department = "RSJ";
	flt.item = "310000-YB-003";
	flt.applicant = "李四";
	check(f, flt, 100, "C00000002");
	flt.department = flt.item = flt.applicant = NULL;
	flt.status = "accepted";
	check(f, flt, 100, "");
	flt.status = NULL;
	flt.parent = "C00000001";
	check(f, flt, 100, "");
	flt.parent = NULL;

	flt.cursor = "garbage!";
	flt.limit = 10;
	assert_int_equal(store_case_list(f->pg, &flt, &items, &next, &err), TN_EINVALID);
	assert_string_equal(err.message, "cursor is not valid for this list");
	assert_null(next);
	jv_free(items);
}

static void add_row(const struct store_case_row *r, void *ctx)
{
	struct tn_buf *b = ctx;

	tn_buf_addf(b, "%s|%.*s|%s|%s\n", r->id, (int)r->doc_len, r->doc, r->status,
		    r->deadline ? r->deadline : "-");
}

/* The text list gives the stored bytes, the same on both backends, and the total. */
static void test_case_list_text(void **state)
{
	struct fix *f = *state;
	struct store *sts[2];
	struct tn_buf out[2] = { TN_BUF_INIT, TN_BUF_INIT };
	struct store_case_filter flt;
	char *next[2] = { NULL, NULL };
	long total[2] = { -1, -1 };

	five(f);
	sts[0] = f->pg;
	sts[1] = f->lite;
	memset(&flt, 0, sizeof(flt));
	flt.overdue = -1;
	flt.scope_token_id = -1;
	flt.order_deadline = 1;
	flt.limit = 3;
	for (int i = 0; i < 2; i++) {
		struct tn_err err = TN_ERR_INIT;

		assert_int_equal(store_case_list_text(sts[i], &flt, add_row, &out[i], &next[i],
						      &total[i], &err), TN_OK);
	}
	assert_string_equal(out[0].buf, out[1].buf);
	assert_non_null(strstr(out[0].buf, "C00000003|{\"status\":\"submitted\",\"applicant\":"
			       "{\"name\":\"王五 Wang\"},\"deadline\":\"2026-12-01\","
			       "\"note\":\"引号\\\" 和 \\\\ 斜杠\"}|submitted|2026-12-01\n"));
	assert_string_equal(next[0], next[1]);
	assert_int_equal(total[0], 5);
	assert_int_equal(total[1], 5);
	for (int i = 0; i < 2; i++) {
		free(next[i]);
		tn_buf_release(&out[i]);
	}
}

/* Act on case `id` on both stores: to `status` at `version`, with the document members `set` (JSON). */
static void act_both(struct fix *f, const char *id, long version, const char *status,
		     const char *set, const char *action, const char *at)
{
	struct store *sts[2] = { f->pg, f->lite };

	for (int i = 0; i < 2; i++) {
		struct tn_err err = TN_ERR_INIT;
		jv doc, ev;
		long cur;

		assert_int_equal(store_case_get(sts[i], id, &doc, NULL, &err), TN_OK);
		doc = jv_object_merge(doc, jv_parse(set));
		doc = jv_object_set(doc, jv_string("status"), jv_string(status));
		doc = jv_object_set(doc, jv_string("version"), jv_number((double)version + 1));
		ev = jv_object_set(jv_object(), jv_string("at"), jv_string(at));
		ev = jv_object_set(ev, jv_string("actor"), jv_string("c"));
		ev = jv_object_set(ev, jv_string("role"), jv_string("clerk"));
		ev = jv_object_set(ev, jv_string("action"), jv_string(action));
		ev = jv_object_set(ev, jv_string("to"), jv_string(status));
		ev = jv_object_set(ev, jv_string("version"), jv_number((double)version + 1));
		assert_int_equal(store_case_act(sts[i], id, version, status, doc, ev, &cur, &err), TN_OK);
	}
}

static int report_row(void *ctx, const struct store_report_row *r)
{
	struct tn_buf *b = ctx;

	tn_buf_addf(b, "%s|%d|%ld|%ld", r->group ? r->group : "(null)", r->has_days, r->days,
		    r->n_days);
	for (int i = 0; i < RC_COUNT; i++)
		tn_buf_addf(b, "|%ld", r->c[i]);
	tn_buf_addch(b, '\n');
	return 0;
}

static int backlog_row(void *ctx, const struct store_backlog_row *r)
{
	struct tn_buf *b = ctx;

	tn_buf_addf(b, "%s|%s|%s|%s|%ld|%ld\n", r->group ? r->group : "-", r->day ? r->day : "-",
		    r->closed ? r->closed : "-", r->due ? r->due : "-", r->n, r->overdue);
	return 0;
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of `b` sorted (a listed backlog comes in no order: its caller places the rows). */
static void sort_lines(struct tn_buf *b)
{
	char *lines[64], *text = tn_xstrdup(b->buf), *l = text, *nl;
	int n = 0;

	while (*l && n < 64) {
		lines[n++] = l;
		if (!(nl = strchr(l, '\n')))
			break;
		*nl = '\0';
		l = nl + 1;
	}
	qsort(lines, (size_t)n, sizeof(lines[0]), cmp_lines);
	tn_buf_reset(b);
	for (int i = 0; i < n; i++)
		tn_buf_addf(b, "%s\n", lines[i]);
	free(text);
}

/* The case report and the backlog, every grouping: the same rows from both backends. */
static void test_reports(void **state)
{
	static const char *const bys[] = { "department", "item", "workflow", "day", "week", "month" };
	struct fix *f = *state;
	struct store *sts[2] = { f->pg, f->lite };
	unsigned char work[120];
	struct tn_buf out[2] = { TN_BUF_INIT, TN_BUF_INIT };
	long d0;

	for (int i = 0; i < 2; i++) {
		struct tn_err err = TN_ERR_INIT;

		assert_int_equal(store_catalog_import(sts[i], jv_parse(
			"{\"departments\":[{\"code\":\"YBJ\",\"name\":\"医保局\"}],"
			"\"items\":[{\"code\":\"310000-YB-003\",\"name\":\"备案\",\"department\":\"YBJ\",\"legal_days\":20}],"
			"\"workflows\":[{\"code\":\"restaurant\",\"name\":\"开餐馆\"}]}"), NULL, NULL, NULL, &err), TN_OK);
	}
	five(f);
	act_both(f, "C00000001", 1, "accepted", "{\"accepted_at\":\"2026-11-02T09:00:00+08:00\","
		 "\"legal_deadline\":\"2026-11-20\",\"workflow\":\"restaurant\"}", "accept", "2026-11-02T09:00:00+08:00");
	act_both(f, "C00000001", 2, "completed", "{\"completed_at\":\"2026-11-06T09:00:00+08:00\","
		 "\"materials\":[{\"state\":\"exempted\"},{\"state\":\"given\"}]}", "complete",
		 "2026-11-06T09:00:00+08:00");
	act_both(f, "C00000003", 1, "returned", "{}", "return", "2026-11-03T09:00:00+08:00");
	act_both(f, "C00000003", 2, "rejected", "{}", "reject", "2026-11-10T09:00:00+08:00");
	act_both(f, "C00000004", 1, "accepted", "{\"accepted_at\":\"2026-11-04T09:00:00+08:00\"}",
		 "accept", "2026-11-04T09:00:00+08:00");
	assert_int_equal(tn_date_parse("2026-10-01", &d0), 0);
	for (int i = 0; i < 120; i++)
		work[i] = (d0 + i + 3) % 7 < 5;        /* some five days in seven */
	for (int i = 0; i < 2; i++) {
		struct tn_err err = TN_ERR_INIT;

		assert_int_equal(store_report_workdays(sts[i], "2026-10-01", work, 120, &err), TN_OK);
		/* the same range again: nothing to write */
		assert_int_equal(store_report_workdays(sts[i], "2026-10-01", work, 120, &err), TN_OK);
	}
	for (size_t b = 0; b < sizeof(bys) / sizeof(bys[0]); b++) {
		struct store_report_q q = { "2026-11-01", "2026-11-30", bys[b], NULL, NULL, "2026-12-06" };

		for (int i = 0; i < 2; i++) {
			struct tn_err err = TN_ERR_INIT;

			tn_buf_reset(&out[i]);
			assert_int_equal(store_report_cases(sts[i], &q, report_row, &out[i], &err), TN_OK);
			{
				struct tn_buf bl = TN_BUF_INIT;

				assert_int_equal(store_report_backlog(sts[i], &q, "2026-11-05",
								      b < 3 ? "2026-12-06" : NULL,
								      backlog_row, &bl, &err), TN_OK);
				sort_lines(&bl);
				tn_buf_adds(&out[i], bl.buf);
				tn_buf_release(&bl);
			}
			q.department = "YBJ";
			assert_int_equal(store_report_cases(sts[i], &q, report_row, &out[i], &err), TN_OK);
			q.department = NULL;
		}
		assert_string_equal(out[0].buf, out[1].buf);
		assert_true(out[0].len > 0);
	}
	for (int i = 0; i < 2; i++) {
		struct tn_err err = TN_ERR_INIT;
		struct store_report_q q = { "2026-11-01", "2026-11-30", "year", NULL, NULL, "2026-12-06" };
		jv names;

		assert_int_equal(store_report_cases(sts[i], &q, report_row, &out[i], &err), TN_EINVALID);
		assert_int_equal(store_report_names(sts[i], "workflow", &names, &err), TN_OK);
		tn_buf_reset(&out[i]);
		{
			jv t = jv_dump_string(names, 0);

			tn_buf_adds(&out[i], jv_string_value(t));
			jv_free(t);
		}
	}
	assert_string_equal(out[0].buf, out[1].buf);
	assert_string_equal(out[0].buf, "{\"restaurant\":\"开餐馆\"}");
	tn_buf_release(&out[0]);
	tn_buf_release(&out[1]);
}

/* The audit log's stats: the same rows on both backends (rows written by SQL on each). */
static void test_audit_stats(void **state)
{
	struct fix *f = *state;
	static const char rows[] =
		"INSERT INTO audit (seq, at, actor, role, cert, holder, purpose, outcome, prev_hash, hash) VALUES "
		"(1, '2026-12-01T09:00:00+08:00', 'hospital', 'reader', '1.2.156.3005.2.11100000000013338W001.X', 'h', 'p', 'allowed', 'a', 'b'),"
		"(2, '2026-12-01T10:00:00+08:00', 'hospital', 'reader', '1.2.156.3005.2.11100000000013338W001.Y', 'h', 'p', 'denied', 'b', 'c'),"
		"(3, '2026-12-01T11:00:00+08:00', 'c1', 'clerk', NULL, 'h', 'p', 'allowed', 'c', 'd'),"
		"(4, '2026-12-02T11:00:00+08:00', 'c1', 'clerk', 'bad-id', 'h', 'p', 'allowed', 'd', 'e'),"
		"(5, '2026-12-03T11:00:00+08:00', 'bank', 'reader', '1.2.156.3005.2.11100000000013338W002.Z', 'h', 'p', 'allowed', 'e', 'f')";
	struct tn_err err = TN_ERR_INIT;
	sqlite3 *db;
	PGconn *c = PQconnectdb(uri);
	jv a, b, ta, tb;

	char log[4200];

	PQclear(PQexec(c, rows));
	PQfinish(c);
	snprintf(log, sizeof(log), "%s.audit", f->path);      /* SQLite's log: its own file */
	assert_int_equal(sqlite3_open(log, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, rows, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_audit_stats(f->pg, NULL, NULL, &a, &err), TN_OK);
	assert_int_equal(store_audit_stats(f->lite, NULL, NULL, &b, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(a)), 4);
	ta = jv_dump_string(a, 0);
	tb = jv_dump_string(b, 0);
	assert_string_equal(jv_string_value(ta), jv_string_value(tb));
	jv_free(ta);
	jv_free(tb);
	assert_int_equal(store_audit_stats(f->pg, "2026-12-02", "2026-12-02", &a, &err), TN_OK);
	assert_int_equal(store_audit_stats(f->lite, "2026-12-02", "2026-12-02", &b, &err), TN_OK);
	ta = jv_dump_string(a, 0);
	tb = jv_dump_string(b, 0);
	assert_string_equal(jv_string_value(ta), jv_string_value(tb));
	assert_non_null(strstr(jv_string_value(ta), "\"kind\":null"));
	jv_free(ta);
	jv_free(tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_case_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_list_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_stats, setup, teardown),
	};

	uri = getenv("TWONET_PG_URI");
	if (!uri || !*uri) {
		printf("1..0 # SKIP TWONET_PG_URI is not set (tests/cli/t8100-pg-store.sh runs this)\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
