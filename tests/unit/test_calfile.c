/* test_calfile.c — calendar files: both formats, every validation error with its FILE:LINE, loading. */
/*
 * Reads only files in the repository, under $TWONET_SRC (default "."):
 * share/twonet/calendar/cn.txt and tests/data/calendar/ (a made-up 2027
 * notice and broken files; their README gives the lines the errors must name).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jv.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "cal_test.h"

/* The made-up 2027 notice in both formats: the same calendar. */
static void test_parse_formats(void **state)
{
	struct tn_buf text = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	struct tn_cal *t = NULL, *j = NULL, *f = NULL;
	int years[2];

	read_src("tests/data/calendar/2027-test.txt", &text);
	assert_int_equal(tn_cal_parse(&t, text.buf, text.len, "2027-test.txt", &err), TN_OK);
	read_src("tests/data/calendar/2027-test.json", &text);
	assert_int_equal(tn_cal_parse(&j, text.buf, text.len, "2027-test.json", &err), TN_OK);
	assert_int_equal(tn_cal_years(t, years, 2), 1);
	assert_int_equal(years[0], 2027);
	assert_int_equal(tn_cal_years(j, years, 2), 1);
	assert_int_equal(years[0], 2027);
	assert_int_equal(assert_same_days(t, j), 34);
	/* tn_cal_load tells the formats apart the same way */
	f = load_src("tests/data/calendar/2027-test.json");
	assert_int_equal(assert_same_days(f, t), 34);
	tn_cal_free(f);
	f = load_src("tests/data/calendar/2027-test.txt");
	assert_int_equal(assert_same_days(f, j), 34);
	tn_cal_free(f);
	tn_cal_free(t);
	tn_cal_free(j);
	t = j = NULL;

	/* inline, JSON after white space, "papers" optional; the text not NUL-terminated at len */
	{
		static const char txt[] = "# one day\nyear 2030\n2030-01-01 off 元旦\n2030-01-05 work 调休\nXX";
		static const char js[] =
			"\n  {\"year\": 2030, \"days\": [\n"
			"    {\"name\": \"调休\", \"date\": \"2030-01-05\", \"isOffDay\": false},\n"
			"    {\"name\": \"元旦\", \"date\": \"2030-01-01\", \"isOffDay\": true}\n"
			"  ]}\n";

		assert_int_equal(tn_cal_parse(&t, txt, sizeof(txt) - 3, "inline.txt", &err), TN_OK);
		assert_int_equal(tn_cal_parse(&j, js, sizeof(js) - 1, "inline.json", &err), TN_OK);
		assert_int_equal(assert_same_days(t, j), 2);
		tn_cal_free(t);
		tn_cal_free(j);
	}
	tn_buf_release(&text);
}

/*
 * What a refused calendar file gives: TN_EINVALID, no calendar, and a message
 * "NAME:LINE: ..." that holds `what` (NULL: anything).  Line 0 is a fault of
 * the whole document (no "year", "days" not a list): "NAME: " or "NAME:1: ".
 * `label` says which input failed.
 */
static void assert_refused(const char *label, enum tn_code rc, const struct tn_cal *c,
			   const struct tn_err *err, const char *name, int line, const char *what)
{
	size_t len = strlen(name);
	char at[32];

	if (rc != TN_EINVALID)
		fail_msg("%s: code %d, want TN_EINVALID (%s)", label, (int)rc, err->message);
	assert_null(c);
	assert_int_equal(err->code, TN_EINVALID);
	snprintf(at, sizeof(at), ":%d: ", line ? line : 1);
	if (strncmp(err->message, name, len) ||
	    (strncmp(err->message + len, at, strlen(at)) &&
	     (line || strncmp(err->message + len, ": ", 2))))
		fail_msg("%s: message '%s' does not start with '%s%s'", label, err->message, name, at);
	if (what && !strstr(err->message, what))
		fail_msg("%s: message '%s' does not say '%s'", label, err->message, what);
}

/* tn_cal_parse refuses `text`, called `name`, at `line` (see assert_refused). */
static void expect_parse_error(const char *text, const char *name, int line, const char *what)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_cal *c = (struct tn_cal *)&err;   /* must come back NULL */
	enum tn_code rc;

	rc = tn_cal_parse(&c, text, strlen(text), name, &err);
	assert_refused(text, rc, c, &err, name, line, what);
}

/* tn_cal_parse takes `text`. */
static void expect_parses(const char *text)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_cal *c = NULL;

	if (tn_cal_parse(&c, text, strlen(text), "ok", &err) != TN_OK)
		fail_msg("%s: refused: %s", text, err.message);
	assert_non_null(c);
	tn_cal_free(c);
}

static void test_text_errors(void **state)
{
	expect_parses("# ok\nyear 2030\n\n2030-01-01 off 元旦\n");
	expect_parses("year 2030\r\n2030-01-05 work 调休 # a comment\r\n");
	expect_parse_error("year 2030\n2030-02-30 off x\n", "a.txt", 2, "2030-02-30");
	expect_parse_error("year 2030\n\n2030-03-01 holiday x\n", "a.txt", 3, "holiday");
	expect_parse_error("year 2030\n2031-01-01 off x\n", "a.txt", 2, "2031-01-01");
	expect_parse_error("year 2030\n2030-01-05 off a\n2030-01-05 off a\n", "a.txt", 3, "2030-01-05");
	expect_parse_error("year 2030\n2030-01-05 off a\n2030-01-05 work b\n", "a.txt", 3, "2030-01-05");
	expect_parse_error("year 2030\n2030-01-01 off\n", "a.txt", 2, NULL);           /* no name */
	expect_parse_error("year 2030\n2030-01-01 off   \n", "a.txt", 2, NULL);
	expect_parse_error("year 2030\n2030-01-07 work 调休\n", "a.txt", 2, "2030-01-07"); /* a Monday */
	expect_parse_error("year 20x0\n2030-01-01 off 元旦\n", "a.txt", 1, "20x0");
	expect_parse_error("year 2030\n", "a.txt", 1, "2030");                        /* no day listed */
	expect_parse_error("year 2030\nyear 2031\n2030-01-01 off 元旦\n", "a.txt", 2, "2031");
	expect_parse_error("2030-01-01 off 元旦\nyear 2031\n2031-01-01 off 元旦\n", "a.txt", 1,
			   "2030-01-01");

	/* no year at all */
	expect_parse_error("# nothing\n", "empty.txt", 0, NULL);
	expect_parse_error("", "empty.txt", 0, NULL);
}

static void test_json_errors(void **state)
{
#define DAY(name, date, off) "{\"name\":" name ",\"date\":" date ",\"isOffDay\":" off "}"
#define DOC(days) "{\"year\":2030,\"days\":[" days "]}"
	expect_parses("{\"year\":2030,\"papers\":[],\"days\":[" DAY("\"元旦\"", "\"2030-01-01\"", "true") "]}");
	expect_parses(DOC(DAY("\"调休\"", "\"2030-01-05\"", "false")));
	expect_parse_error(DOC(DAY("\"x\"", "\"2030-02-30\"", "true")), "a.json", 1, "2030-02-30");
	expect_parse_error(DOC(DAY("\"x\"", "\"2031-01-01\"", "true")), "a.json", 1, "2031-01-01");
	expect_parse_error(DOC(DAY("\"x\"", "\"2030/01/01\"", "true")), "a.json", 1, NULL);
	expect_parse_error(DOC(DAY("\"x\"", "20300101", "true")), "a.json", 1, NULL);
	expect_parse_error(DOC(DAY("\"x\"", "\"2030-01-05\"", "true") ","
			       DAY("\"y\"", "\"2030-01-05\"", "true")), "a.json", 1, "2030-01-05");
	expect_parse_error(DOC(DAY("\"\"", "\"2030-01-01\"", "true")), "a.json", 1, NULL);
	expect_parse_error(DOC(DAY("null", "\"2030-01-01\"", "true")), "a.json", 1, NULL);
	expect_parse_error(DOC("{\"date\":\"2030-01-01\",\"isOffDay\":true}"), "a.json", 1, NULL);
	expect_parse_error(DOC(DAY("\"x\"", "\"2030-01-07\"", "false")), "a.json", 1, "2030-01-07");
	expect_parse_error(DOC(DAY("\"x\"", "\"2030-01-01\"", "\"yes\"")), "a.json", 1, NULL);
	expect_parse_error(DOC("{\"name\":\"x\",\"date\":\"2030-01-01\"}"), "a.json", 1, NULL);
	expect_parse_error(DOC("\"2030-01-01\""), "a.json", 1, NULL);
	expect_parse_error(DOC(""), "a.json", 1, "2030");               /* an empty year */
	expect_parse_error("{\"year\":2030,\"papers\":[],\"days\":[]}", "a.json", 1, "2030");
	expect_parse_error("{\"days\":[" DAY("\"x\"", "\"2030-01-01\"", "true") "]}", "a.json", 0, NULL);
	expect_parse_error("{\"year\":\"2030\",\"days\":[" DAY("\"x\"", "\"2030-01-01\"", "true") "]}",
			   "a.json", 0, NULL);
	expect_parse_error("{\"year\":2030,\"days\":{}}", "a.json", 0, NULL);
	expect_parse_error("{\"year\":2030}", "a.json", 0, NULL);
	expect_parse_error("{\"year\":2030,\"days\":[", "a.json", 1, NULL);  /* not JSON */
	expect_parse_error("[]", "a.json", 1, NULL);
	/* the line of the day at fault */
	expect_parse_error("{\n\"year\": 2030,\n\"days\": [\n"
			   DAY("\"a\"", "\"2030-01-01\"", "true") ",\n"
			   DAY("\"b\"", "\"2030-02-30\"", "true") "\n]}\n", "a.json", 5, "2030-02-30");
	expect_parse_error("{\n\"year\": 2030,\n\"days\": [\n"
			   DAY("\"a\"", "\"2030-01-01\"", "true") ",\n"
			   DAY("\"b\"", "\"2030-01-02\"", "true") ",\n\n"
			   DAY("\"c\"", "\"2030-01-01\"", "true") "\n]}\n", "a.json", 7, "2030-01-01");
#undef DOC
#undef DAY
}

/* tn_cal_load refuses tests/data/calendar/FILE at `line` (see its README), naming the path. */
static void expect_load_error(const char *file, int line, const char *what)
{
	struct tn_buf rel = TN_BUF_INIT, path = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	struct tn_cal *c = (struct tn_cal *)&err;   /* must come back NULL */
	enum tn_code rc;

	tn_buf_addf(&rel, "tests/data/calendar/%s", file);
	src_path(&path, rel.buf);
	rc = tn_cal_load(&c, path.buf, &err);
	assert_refused(file, rc, c, &err, path.buf, line, what);
	tn_buf_release(&rel);
	tn_buf_release(&path);
}

static void test_load_errors(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_cal *c = NULL;

	expect_load_error("bad-outside-year.json", 7, "2028-01-03");
	expect_load_error("bad-impossible-date.json", 8, "2027-02-30");
	expect_load_error("bad-twice.json", 10, "2027-01-02");
	expect_load_error("bad-json.json", 9, NULL);
	expect_load_error("bad-outside-year.txt", 5, "2028-01-03");
	expect_load_error("bad-twice.txt", 8, "2027-01-02");

	assert_int_equal(tn_cal_load(&c, "/nonexistent/cn.txt", &err), TN_EINVALID);
	assert_null(c);
	assert_int_equal(err.code, TN_EINVALID);
	assert_non_null(strstr(err.message, "'/nonexistent/cn.txt'"));
}

/* path NULL: the shipped calendar under tn_sharedir() */
static void test_load_shipped(void **state)
{
	struct tn_buf dir = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	struct tn_cal *c = NULL;
	int first, last;

	tn_buf_addf(&dir, "%s/share/twonet", src_dir());
	setenv("TWONET_SHAREDIR", dir.buf, 1);
	assert_int_equal(tn_cal_load(&c, NULL, &err), TN_OK);
	tn_cal_range(c, &first, &last);
	assert_int_equal(first, 2024);
	assert_int_equal(last, 2026);
	{
		struct tn_cal *file = load_src("share/twonet/calendar/cn.txt");

		assert_int_equal(assert_same_days(c, file), 36 + 33 + 39);
		tn_cal_free(file);
	}
	tn_cal_free(c);
	setenv("TWONET_SHAREDIR", "/nonexistent", 1);
	assert_int_equal(tn_cal_load(&c, NULL, &err), TN_EINVALID);
	assert_null(c);
	assert_non_null(strstr(err.message, "/nonexistent/calendar/cn.txt"));
	unsetenv("TWONET_SHAREDIR");
	tn_buf_release(&dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_formats),
		cmocka_unit_test(test_text_errors),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_shipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
