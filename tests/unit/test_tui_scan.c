/* test_tui_scan.c — casedesk's page reader (tui/scan.c): the next cursor read from a page's end, pages merged into the sorted, filtered inbox. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "casedesk.h"

static int setup(void **state)
{
	struct rows *r = calloc(1, sizeof(*r));

	rows_init(r);
	assert_int_equal(tn_date_parse("2026-12-07", &app.today), 0);
	app.due_limit = app.today + 2;
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct rows *r = *state;

	rows_free(r);
	rows_scan_release();
	free(r);
	return 0;
}

/* peek(text): 1 and the cursor ("" for null), or 0 */
static int peek(const char *text, char *out, size_t size)
{
	char *next = NULL;
	int rc = rows_scan_peek_next(text, strlen(text), &next);

	snprintf(out, size, "%s", next ? next : "");
	free(next);
	return rc;
}

static void test_peek_next(void **state)
{
	char c[64];

	(void)state;
	assert_int_equal(peek("{\"items\":[{\"id\":\"C1\"}],\"next\":\"abc=\"}", c, sizeof(c)), 1);
	assert_string_equal(c, "abc=");
	assert_int_equal(peek("{\"items\":[],\"next\":null}\n", c, sizeof(c)), 1);
	assert_string_equal(c, "");
	assert_int_equal(peek("{ \"items\" : [ ] , \"next\" : \"x\" }\r\n", c, sizeof(c)), 1);
	assert_string_equal(c, "x");
	assert_int_equal(peek("{\"next\":\"x\",\"items\":[]}", c, sizeof(c)), 0);
	/* a "next" inside the last case, or inside another member: not the page's */
	assert_int_equal(peek("{\"next\":null,\"items\":[{\"next\":\"y\"}]}", c, sizeof(c)), 0);
	assert_int_equal(peek("{\"items\":[],\"more\":{\"a\":1,\"next\":\"y\"}}", c, sizeof(c)), 0);
	/* an escape in the cursor: left to the full reader */
	assert_int_equal(peek("{\"items\":[],\"next\":\"a\\\"b\"}", c, sizeof(c)), 0);
	assert_int_equal(peek("", c, sizeof(c)), 0);
	assert_int_equal(peek("}", c, sizeof(c)), 0);
	assert_int_equal(peek("\"next\":\"x\"}", c, sizeof(c)), 0);
}

/* A page of cases `ids` (by deadline as listed), names from `names`. */
static void page(struct tn_buf *b, const char *const *ids, const char *const *names,
		 const char *const *deadlines, size_t n, const char *next)
{
	tn_buf_reset(b);
	tn_buf_adds(b, "{\"items\":[");
	for (size_t i = 0; i < n; i++)
		tn_buf_addf(b, "%s{\"id\":\"%s\",\"status\":\"submitted\",\"item\":\"I1\",\"item_name\":\"item\","
			    "\"deadline\":\"%s\",\"applicant\":{\"name\":\"%s\"},\"version\":1}",
			    i ? "," : "", ids[i], deadlines[i], names[i]);
	tn_buf_addf(b, "],\"next\":%s%s%s}", next ? "\"" : "", next ? next : "null", next ? "\"" : "");
}

static void ids_of(const struct rows *r, const uint32_t *v, size_t n, struct tn_buf *out)
{
	tn_buf_reset(out);
	for (size_t i = 0; i < n; i++)
		tn_buf_addf(out, "%s%s", i ? " " : "", rows_str(r, r->v[v[i]].id));
}

static void test_pages_merge_in_order(void **state)
{
	struct rows *r = *state;
	struct tn_buf b = TN_BUF_INIT, got = TN_BUF_INIT;
	static const char *const id1[] = { "C3", "C1", "C5" }, *const id2[] = { "C2", "C4", "C6" };
	static const char *const nm1[] = { "Zhao", "Li", "Wang" }, *const nm2[] = { "Chen", "Ma", "Xu" };
	static const char *const dl1[] = { "2026-12-01", "2026-12-02", "2026-12-03" };
	static const char *const dl2[] = { "2026-12-04", "2026-12-05", "2026-12-06" };
	char *next = NULL;

	/* by applicant, filtered on "a": pages merge into the order and the rows shown */
	r->sort = SORT_APPLICANT;
	rows_filter(r, "a");
	page(&b, id1, nm1, dl1, 3, "k1");
	assert_int_equal(rows_scan_page(r, b.buf, b.len, &next), 0);
	assert_string_equal(next, "k1");
	free(next);
	ids_of(r, r->order, r->n, &got);
	assert_string_equal(got.buf, "C1 C5 C3");
	page(&b, id2, nm2, dl2, 3, NULL);
	assert_int_equal(rows_scan_page(r, b.buf, b.len, &next), 0);
	assert_null(next);
	ids_of(r, r->order, r->n, &got);
	assert_string_equal(got.buf, "C2 C1 C4 C5 C6 C3");
	ids_of(r, r->vis, r->nvis, &got);
	assert_string_equal(got.buf, "C4 C5 C3");       /* Ma, Wang, Zhao: an "a" in each */
	assert_int_equal(r->counts[TN_CASE_SUBMITTED], 6);
	assert_int_equal(r->overdue, 6);
	assert_int_equal(r->stale, 0);
	/* the same order a full sort gives */
	rows_sort(r);
	ids_of(r, r->order, r->n, &got);
	assert_string_equal(got.buf, "C2 C1 C4 C5 C6 C3");

	/* by deadline, in the server's order: appended */
	rows_clear(r);
	r->sort = SORT_DEADLINE;
	rows_filter(r, NULL);
	page(&b, id1 + 1, nm1 + 1, dl1 + 1, 2, "k");
	assert_int_equal(rows_scan_page(r, b.buf, b.len, &next), 0);
	free(next);
	page(&b, id2, nm2, dl2, 3, NULL);
	assert_int_equal(rows_scan_page(r, b.buf, b.len, &next), 0);
	ids_of(r, r->vis, r->nvis, &got);
	assert_string_equal(got.buf, "C1 C5 C2 C4 C6");
	/* a page again (a reload): rows updated in place, marked for one sort at the end */
	page(&b, id2, nm2, dl2, 3, NULL);
	assert_int_equal(rows_scan_page(r, b.buf, b.len, &next), 0);
	assert_int_equal(r->n, 5);
	assert_int_equal(r->stale, 1);
	tn_buf_release(&b);
	tn_buf_release(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peek_next),
		cmocka_unit_test_setup_teardown(test_pages_merge_in_order, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
