/* test_tui_rows.c — casedesk's inbox store (tui/rows.c): adding and updating cases, sorting, filtering, counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tn_cal.h"
#include "casedesk.h"

static long day(const char *s)
{
	long d;

	assert_int_equal(tn_date_parse(s, &d), 0);
	return d;
}

static int setup(void **state)
{
	struct rows *r = calloc(1, sizeof(*r));

	rows_init(r);
	/* today 2026-12-07; due: through 2026-12-09 */
	app.today = day("2026-12-07");
	app.due_limit = day("2026-12-09");
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct rows *r = *state;

	rows_free(r);
	free(r);
	return 0;
}

static size_t put(struct rows *r, const char *id, const char *status, const char *item,
		  const char *item_name, const char *deadline, const char *name, long version)
{
	struct case_fields f;

	memset(&f, 0, sizeof(f));
	f.id = id;
	f.status = status;
	f.item = item;
	f.item_name = item_name;
	f.deadline = deadline;
	f.submitted = "2026-11-28T10:00:00+08:00";
	f.name = name;
	f.version = version;
	return rows_put_fields(r, &f);
}

/* Five cases of two items. */
static void fill(struct rows *r)
{
	put(r, "C00000001", "submitted", "YB-003", "异地就医备案", "2026-12-10", "张三", 1);
	put(r, "C00000002", "accepted", "RS-006", "就业登记", "2026-12-01", "李四", 2);
	put(r, "C00000003", "completed", "YB-003", "异地就医备案", "2026-12-01", "王五", 4);
	put(r, "C00000004", "returned", "RS-006", "就业登记", NULL, "Alice Smith", 2);
	put(r, "C00000005", "submitted", "YB-003", "异地就医备案", "2026-12-08", "张三丰", 1);
	rows_added(r, 0);
}

/* The ids shown, in order, joined with spaces (the numbers only: "1 3 5"). */
static const char *shown(const struct rows *r)
{
	static char buf[256];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->nvis; i++) {
		const char *id = rows_str(r, r->v[r->vis[i]].id);

		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%ld", len ? " " : "",
					strtol(id + 1, NULL, 10));
	}
	return buf;
}

static void test_status_names(void **state)
{
	(void)state;
	assert_int_equal(tn_case_state_parse("submitted"), TN_CASE_SUBMITTED);
	assert_int_equal(tn_case_state_parse("completed"), TN_CASE_COMPLETED);
	assert_int_equal(tn_case_state_parse("?"), -1);
	assert_int_equal(tn_case_state_parse("Submitted"), -1);
	assert_int_equal(tn_case_state_parse(NULL), -1);
	assert_int_equal(tn_case_state_open(TN_CASE_ACCEPTED), 1);
	assert_int_equal(tn_case_state_open(TN_CASE_RETURNED), 1);
	assert_int_equal(tn_case_state_open(TN_CASE_REJECTED), 0);
	assert_int_equal(tn_case_state_open(TN_CASE_COMPLETED), 0);
	/* a row's status is the lib's state, and "?" past them */
	for (int i = 0; i < TN_CASE_STATE_COUNT; i++)
		assert_string_equal(status_name(i), tn_case_state_name(i));
	assert_string_equal(status_name(TN_CASE_RESUBMITTED), "resubmitted");
	assert_string_equal(status_name(ST_OTHER), "?");
}

static void test_put_find_update(void **state)
{
	struct rows *r = *state;
	char buf[32];
	long at;

	fill(r);
	assert_int_equal(r->n, 5);
	assert_int_equal(r->nvis, 5);
	assert_int_equal(r->nitems, 2);         /* items are interned once */
	at = rows_find(r, "C00000004");
	assert_int_equal(at, 3);
	assert_int_equal(rows_find(r, "C00000099"), -1);
	assert_int_equal(r->v[at].status, TN_CASE_RETURNED);
	assert_int_equal(r->v[at].deadline, NO_DATE);
	assert_string_equal(rows_deadline(r, &r->v[at], buf, sizeof(buf)), "");
	assert_string_equal(rows_str(r, r->v[0].name), "张三");
	assert_int_equal(r->v[0].name_w, 4);    /* two wide characters */
	assert_int_equal(r->max_name_w, 11);    /* "Alice Smith" */

	/* the same id again updates its row: status, version, a moved deadline */
	assert_int_equal(put(r, "C00000001", "accepted", "YB-003", "异地就医备案", "2026-12-11", "张三", 2), 0);
	assert_int_equal(r->n, 5);
	assert_int_equal(r->v[0].status, TN_CASE_ACCEPTED);
	assert_int_equal(r->v[0].version, 2);
	assert_int_equal(r->v[0].deadline, day("2026-12-11"));
	assert_string_equal(rows_deadline(r, &r->v[0], buf, sizeof(buf)), "2026-12-11");

	/* an unknown status is kept as "other" */
	put(r, "C00000006", "archived", "YB-003", "异地就医备案", NULL, "x", 1);
	assert_int_equal(r->v[5].status, ST_OTHER);

	/* many rows: the index grows and still finds every one */
	for (int i = 7; i < 3000; i++) {
		char id[16];

		snprintf(id, sizeof(id), "C%08d", i);
		put(r, id, "submitted", "YB-003", "异地就医备案", "2026-12-20", "n", 1);
	}
	assert_int_equal(r->n, 2999);
	assert_int_equal(rows_find(r, "C00002999"), 2998);
	assert_int_equal(rows_find(r, "C00000002"), 1);
}

static void test_put_jv_and_provisional(void **state)
{
	struct rows *r = *state;
	char buf[32];
	jv page = jv_parse("[{\"id\":\"C00000001\",\"status\":\"submitted\",\"item\":\"YB-003\","
			   "\"item_name\":\"异地就医备案\",\"deadline\":\"2027-01-04\","
			   "\"deadline_provisional\":true,\"submitted_at\":\"2026-12-28T09:00:00+08:00\","
			   "\"applicant\":{\"name\":\"张三\"},\"version\":3,\"workflow\":\"restaurant\","
			   "\"parent\":\"C00000009\"},"
			   " 42, {\"id\":\"C00000002\",\"status\":\"approved\",\"applicant\":\"not an object\"}]");

	rows_add_page(r, page);
	jv_free(page);
	assert_int_equal(r->n, 2);              /* the number is skipped */
	assert_int_equal(r->nvis, 2);
	assert_int_equal(r->v[0].version, 3);
	assert_int_equal(r->v[0].workflow, 1);
	assert_int_equal(r->v[0].provisional, 1);
	assert_string_equal(rows_str(r, r->v[0].parent), "C00000009");
	assert_string_equal(rows_deadline(r, &r->v[0], buf, sizeof(buf)), "2027-01-04*");
	assert_int_equal(r->v[0].submitted, day("2026-12-28"));
	assert_string_equal(rows_str(r, r->v[1].name), "");
	assert_int_equal(r->v[1].workflow, 0);

	/* counted again with a known year: the flag goes with the new deadline */
	{
		jv k = jv_parse("{\"id\":\"C00000001\",\"status\":\"submitted\",\"deadline\":\"2027-01-05\","
				"\"deadline_provisional\":false,\"version\":4}");
		rows_put(r, k);
		jv_free(k);
	}
	assert_int_equal(r->v[0].provisional, 0);
	assert_string_equal(rows_deadline(r, &r->v[0], buf, sizeof(buf)), "2027-01-05");
	rows_recount(r);
	assert_int_equal(r->provisional, 0);
}

static void test_sort(void **state)
{
	struct rows *r = *state;

	fill(r);
	r->sort = SORT_ID;
	rows_sort(r);
	assert_string_equal(shown(r), "1 2 3 4 5");
	/* by deadline, ties by id, no deadline last */
	r->sort = SORT_DEADLINE;
	rows_sort(r);
	assert_string_equal(shown(r), "2 3 5 1 4");
	r->sort = SORT_STATUS;                  /* in the order of the workflow */
	rows_sort(r);
	assert_string_equal(shown(r), "1 5 2 4 3");
	r->sort = SORT_ITEM;                    /* by the item's name (bytes), then id */
	rows_sort(r);
	assert_true(strcmp("就业登记", "异地就医备案") < 0);
	assert_string_equal(shown(r), "2 4 1 3 5");
	r->sort = SORT_APPLICANT;
	rows_sort(r);
	assert_string_equal(shown(r), "4 1 5 2 3");   /* "Alice" < 张三 < 张三丰 < 李四 < 王五 */
}

static void test_filter(void **state)
{
	struct rows *r = *state;

	fill(r);
	r->sort = SORT_ID;
	rows_sort(r);

	rows_filter(r, "张三");
	assert_string_equal(shown(r), "1 5");
	rows_filter(r, "张三丰");               /* narrower: only the rows shown are looked at */
	assert_string_equal(shown(r), "5");
	rows_filter(r, "张");                   /* wider: every row again */
	assert_string_equal(shown(r), "1 5");
	rows_filter(r, "alice");                /* ASCII letters: any case */
	assert_string_equal(shown(r), "4");
	rows_filter(r, "就业");                 /* the item's name */
	assert_string_equal(shown(r), "2 4");
	rows_filter(r, "SUBMIT");               /* the status */
	assert_string_equal(shown(r), "1 5");
	rows_filter(r, "12-01");                /* the deadline, when the needle has no letter */
	assert_string_equal(shown(r), "2 3");
	rows_filter(r, "0000003");              /* the id */
	assert_string_equal(shown(r), "3");
	rows_filter(r, "nothing like it");
	assert_string_equal(shown(r), "");
	rows_filter(r, "");                     /* empty: no filter */
	assert_null(r->needle);
	assert_string_equal(shown(r), "1 2 3 4 5");

	/* :status and :item restrict as well, with the needle */
	r->status_only = TN_CASE_SUBMITTED;
	rows_refilter(r);
	assert_string_equal(shown(r), "1 5");
	rows_filter(r, "丰");
	assert_string_equal(shown(r), "5");
	rows_filter(r, NULL);
	r->status_only = -1;
	r->item_only = (int)r->v[1].item;       /* 就业登记 */
	rows_refilter(r);
	assert_string_equal(shown(r), "2 4");
	r->item_only = -1;
	rows_refilter(r);

	/* new rows that arrive while a filter is on are shown only when they match */
	rows_filter(r, "张");
	{
		size_t first = r->n;

		put(r, "C00000006", "submitted", "YB-003", "异地就医备案", "2026-12-30", "张四", 1);
		put(r, "C00000007", "submitted", "YB-003", "异地就医备案", "2026-12-30", "赵七", 1);
		rows_added(r, first);
	}
	assert_string_equal(shown(r), "1 5 6");
}

static void test_recount(void **state)
{
	struct rows *r = *state;

	fill(r);
	r->v[4].tagged = 1;
	rows_recount(r);
	assert_int_equal(r->counts[TN_CASE_SUBMITTED], 2);
	assert_int_equal(r->counts[TN_CASE_ACCEPTED], 1);
	assert_int_equal(r->counts[TN_CASE_COMPLETED], 1);
	assert_int_equal(r->counts[TN_CASE_RETURNED], 1);
	/* C2 is past its deadline and open; C3 too, but completed; C5 is due */
	assert_int_equal(r->overdue, 1);
	assert_int_equal(r->v[1].urgency, URG_OVERDUE);
	assert_int_equal(r->v[2].urgency, URG_NONE);
	assert_int_equal(r->due, 1);
	assert_int_equal(r->v[4].urgency, URG_DUE);
	assert_int_equal(r->v[0].urgency, URG_NONE);
	assert_int_equal(r->v[3].urgency, URG_NONE);    /* no deadline */
	assert_int_equal(r->tagged, 1);

	/* a day later C1 is due, C5 is still due */
	app.today++;
	app.due_limit = day("2026-12-10");
	rows_recount(r);
	assert_int_equal(r->due, 2);
	assert_int_equal(r->v[0].urgency, URG_DUE);
}

static void test_clear_keeps_view(void **state)
{
	struct rows *r = *state;

	fill(r);
	r->sort = SORT_DEADLINE;
	r->status_only = TN_CASE_SUBMITTED;
	rows_filter(r, "张");
	rows_clear(r);
	assert_int_equal(r->n, 0);
	assert_int_equal(r->nvis, 0);
	assert_int_equal(r->sort, SORT_DEADLINE);
	assert_int_equal(r->status_only, TN_CASE_SUBMITTED);
	assert_string_equal(r->needle, "张");
	assert_int_equal(rows_find(r, "C00000001"), -1);
	fill(r);
	rows_sort(r);
	assert_string_equal(shown(r), "5 1");   /* submitted, 张, by deadline */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names),
		cmocka_unit_test_setup_teardown(test_put_find_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_jv_and_provisional, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recount, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear_keeps_view, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
