/* test_cal.c — dates, the shipped calendar cross-checked against holiday-cn, working-day arithmetic. */
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

static struct tn_cal *cal;

static const char *src_dir(void)
{
	const char *s = getenv("TWONET_SRC");
	return s && *s ? s : ".";
}

static int setup(void **state)
{
	struct tn_buf path = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;

	tn_buf_addf(&path, "%s/share/twonet/calendar/cn.txt", src_dir());
	if (tn_cal_load(&cal, path.buf, &err) != TN_OK) {
		fprintf(stderr, "# %s\n", err.message);
		tn_buf_release(&path);
		return -1;
	}
	tn_buf_release(&path);
	return 0;
}

static int teardown(void **state)
{
	tn_cal_free(cal);
	return 0;
}

static long D(const char *s)
{
	long d = 0;

	if (tn_date_parse(s, &d) != 0)
		fail_msg("bad date in test: %s", s);
	return d;
}

static void test_dates(void **state)
{
	char buf[11];
	long d;

	assert_int_equal(tn_date_parse("1970-01-01", &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(tn_date_weekday(d), 3);           /* a Thursday */
	assert_int_equal(tn_date_parse("2026-02-17", &d), 0);
	assert_int_equal(tn_date_weekday(d), 1);           /* Spring Festival 2026, a Tuesday */
	tn_date_format(d, buf);
	assert_string_equal(buf, "2026-02-17");
	assert_int_equal(tn_date_parse("2024-02-29", &d), 0);
	tn_date_format(d + 1, buf);
	assert_string_equal(buf, "2024-03-01");
	tn_date_format(D("1900-01-01") - 1, buf);
	assert_string_equal(buf, "1899-12-31");
	assert_int_equal(tn_date_parse("2025-02-29", &d), -1);
	assert_int_equal(tn_date_parse("2026-02-30", &d), -1);
	assert_int_equal(tn_date_parse("2026-13-01", &d), -1);
	assert_int_equal(tn_date_parse("2026-00-10", &d), -1);
	assert_int_equal(tn_date_parse("2026-1-10", &d), -1);
	assert_int_equal(tn_date_parse("2026-01-10x", &d), -1);
	assert_int_equal(tn_date_parse("2026/01/10", &d), -1);
	assert_int_equal(tn_date_parse("", &d), -1);
	assert_int_equal(tn_date_parse(NULL, &d), -1);
	assert_true(tn_date_today() > D("2024-01-01"));
}

/* Read a holiday-cn JSON file; returns its "days" array. */
static jv load_holiday_json(int year)
{
	const char *dir = getenv("TWONET_HOLIDAY_DIR");
	struct tn_buf path = TN_BUF_INIT, text = TN_BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *fp;
	jv doc, days;

	if (dir && *dir)
		tn_buf_addf(&path, "%s/%d.json", dir, year);
	else
		tn_buf_addf(&path, "%s/../shared/data/holiday-cn/%d.json", src_dir(), year);
	fp = fopen(path.buf, "r");
	if (!fp)
		fail_msg("cannot read '%s' (set TWONET_HOLIDAY_DIR or TWONET_SRC)", path.buf);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		tn_buf_add(&text, chunk, n);
	fclose(fp);
	doc = jv_parse_sized(text.buf, (int)text.len);
	if (!jv_is_valid(doc))
		fail_msg("'%s' is not JSON", path.buf);
	assert_int_equal((int)jv_number_value(jv_object_get(jv_copy(doc), jv_string("year"))), year);
	days = jv_object_get(doc, jv_string("days"));
	assert_int_equal(jv_get_kind(days), JV_KIND_ARRAY);
	tn_buf_release(&path);
	tn_buf_release(&text);
	return days;
}

/* Every day of 2025 and 2026: our file and holiday-cn (plus the weekend rule) agree. */
static void test_cross_check_holiday_cn(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	int first, last, mismatches = 0;

	tn_cal_range(cal, &first, &last);
	assert_int_equal(first, 2025);
	assert_int_equal(last, 2026);
	for (int year = 2025; year <= 2026; year++) {
		char ybuf[16];
		long start, end, ndays;
		signed char *expect;
		jv days = load_holiday_json(year);

		snprintf(ybuf, sizeof(ybuf), "%d-01-01", year);
		start = D(ybuf);
		snprintf(ybuf, sizeof(ybuf), "%d-12-31", year);
		end = D(ybuf);
		ndays = end - start + 1;
		expect = calloc((size_t)ndays, 1);
		assert_non_null(expect);
		for (long d = 0; d < ndays; d++)
			expect[d] = tn_date_weekday(start + d) < 5;
		jv_array_foreach(days, i, day) {
			jv date = jv_object_get(jv_copy(day), jv_string("date"));
			jv off = jv_object_get(day, jv_string("isOffDay"));
			long dn = D(jv_string_value(date));

			assert_true(dn >= start && dn <= end);
			expect[dn - start] = jv_get_kind(off) == JV_KIND_FALSE;
			jv_free(date);
			jv_free(off);
		}
		jv_free(days);
		for (long d = 0; d < ndays; d++) {
			int got = tn_cal_is_workday(cal, start + d, &err);
			char b[11];

			if (got != expect[d]) {
				tn_date_format(start + d, b);
				print_error("%s: calendar says %s, holiday-cn says %s\n", b,
					    got ? "work" : "off", expect[d] ? "work" : "off");
				mismatches++;
			}
		}
		free(expect);
	}
	assert_int_equal(mismatches, 0);
}

static void test_is_workday(void **state)
{
	struct tn_err err = TN_ERR_INIT;

	assert_int_equal(tn_cal_is_workday(cal, D("2026-02-14"), &err), 1);   /* Saturday, 调休 */
	assert_int_equal(tn_cal_is_workday(cal, D("2026-02-16"), &err), 0);   /* Monday, 春节 */
	assert_int_equal(tn_cal_is_workday(cal, D("2026-03-07"), &err), 0);   /* plain Saturday */
	assert_int_equal(tn_cal_is_workday(cal, D("2026-03-09"), &err), 1);   /* plain Monday */
	assert_int_equal(tn_cal_is_workday(cal, D("2025-01-01"), &err), 0);
	assert_int_equal(tn_cal_is_workday(cal, D("2026-12-31"), &err), 1);
	assert_int_equal(tn_cal_is_workday(cal, D("2027-01-01"), &err), -1);
	assert_int_equal(err.code, TN_EINVALID);
	assert_string_equal(err.message, "calendar covers 2025-2026 only; 2027-01-01 is past it");
	assert_int_equal(tn_cal_is_workday(cal, D("2024-12-31"), &err), -1);
	assert_string_equal(err.message, "calendar covers 2025-2026 only; 2024-12-31 is before it");
}

static void expect_add(const char *start, long n, const char *want)
{
	struct tn_err err = TN_ERR_INIT;
	long result = 0;
	char buf[11];

	if (tn_cal_add_workdays(cal, D(start), n, &result, &err) != TN_OK)
		fail_msg("%s + %ld: %s", start, n, err.message);
	tn_date_format(result, buf);
	if (strcmp(buf, want))
		fail_msg("%s + %ld working days: got %s, want %s", start, n, buf, want);
}

static void test_add_spring_festival(void **state)
{
	expect_add("2026-02-13", 0, "2026-02-13");
	expect_add("2026-02-13", 1, "2026-02-14");   /* the working Saturday */
	expect_add("2026-02-13", 2, "2026-02-24");   /* Feb 15-23 off */
	expect_add("2026-02-14", 1, "2026-02-24");
	expect_add("2026-02-15", 1, "2026-02-24");   /* from inside the holiday */
	expect_add("2026-02-13", 6, "2026-02-28");   /* the second working Saturday */
	expect_add("2026-02-13", 7, "2026-03-02");
	expect_add("2025-01-24", 1, "2025-01-26");   /* 2025: Sunday Jan 26 works */
	expect_add("2025-01-26", 1, "2025-01-27");
	expect_add("2025-01-27", 1, "2025-02-05");
}

static void test_add_national_day(void **state)
{
	expect_add("2026-09-18", 1, "2026-09-20");   /* Sunday Sep 20 works */
	expect_add("2026-09-24", 1, "2026-09-28");   /* Sep 25-27 Mid-Autumn */
	expect_add("2026-09-30", 1, "2026-10-08");   /* Oct 1-7 off */
	expect_add("2026-09-30", 3, "2026-10-10");   /* Saturday Oct 10 works */
	expect_add("2026-09-30", 4, "2026-10-12");
	expect_add("2025-09-30", 1, "2025-10-09");   /* 2025: Oct 1-8 off */
	expect_add("2025-09-30", 3, "2025-10-11");
	expect_add("2025-09-01", 20, "2025-09-28");  /* 20 working days through a working Sunday */
}

static void test_between(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	long n = -99;

	assert_int_equal(tn_cal_workdays_between(cal, D("2026-02-13"), D("2026-03-02"), &n, &err), TN_OK);
	assert_int_equal(n, 7);
	assert_int_equal(tn_cal_workdays_between(cal, D("2026-03-02"), D("2026-02-13"), &n, &err), TN_OK);
	assert_int_equal(n, -7);
	assert_int_equal(tn_cal_workdays_between(cal, D("2026-02-16"), D("2026-02-16"), &n, &err), TN_OK);
	assert_int_equal(n, 0);
	assert_int_equal(tn_cal_workdays_between(cal, D("2026-09-30"), D("2026-10-09"), &n, &err), TN_OK);
	assert_int_equal(n, 2);
	/* 248 working days in each year (Jan 1 is off, so (Jan 1, Dec 31] holds them all) */
	assert_int_equal(tn_cal_workdays_between(cal, D("2025-01-01"), D("2025-12-31"), &n, &err), TN_OK);
	assert_int_equal(n, 248);
	assert_int_equal(tn_cal_workdays_between(cal, D("2026-01-01"), D("2026-12-31"), &n, &err), TN_OK);
	assert_int_equal(n, 248);
	/* add and between agree */
	for (long k = 0; k < 300; k += 17) {
		long r;

		assert_int_equal(tn_cal_add_workdays(cal, D("2025-01-02"), k, &r, &err), TN_OK);
		assert_int_equal(tn_cal_workdays_between(cal, D("2025-01-02"), r, &n, &err), TN_OK);
		assert_int_equal(n, k);
	}
}

static void test_out_of_range(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	long r = 0;

	assert_int_equal(tn_cal_add_workdays(cal, D("2026-12-30"), 1, &r, &err), TN_OK);
	assert_int_equal(tn_cal_add_workdays(cal, D("2026-12-30"), 2, &r, &err), TN_EINVALID);
	assert_string_equal(err.message, "calendar covers 2025-2026 only; 2027-01-01 is past it");
	assert_int_equal(tn_cal_add_workdays(cal, D("2027-01-04"), 0, &r, &err), TN_EINVALID);
	assert_string_equal(err.message, "calendar covers 2025-2026 only; 2027-01-04 is past it");
	assert_int_equal(tn_cal_add_workdays(cal, D("2026-06-01"), -1, &r, &err), TN_EINVALID);
	assert_int_equal(tn_cal_workdays_between(cal, D("2024-12-31"), D("2025-01-10"), &r, &err),
			 TN_EINVALID);
	assert_non_null(strstr(err.message, "2024-12-31 is before it"));
	assert_int_equal(tn_cal_workdays_between(cal, D("2026-12-01"), D("2027-01-10"), &r, &err),
			 TN_EINVALID);
	assert_non_null(strstr(err.message, "2027-01-10 is past it"));
}

/* Write `text` to a temporary file and load it; returns the code, err filled. */
static enum tn_code load_text(const char *text, struct tn_err *err, char *path, size_t pathsz)
{
	struct tn_cal *c = NULL;
	enum tn_code rc;
	FILE *fp;
	int fd;

	snprintf(path, pathsz, "/tmp/test_cal.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs(text, fp);
	fclose(fp);
	rc = tn_cal_load(&c, path, err);
	if (rc == TN_OK)
		assert_non_null(c);
	else
		assert_null(c);
	tn_cal_free(c);
	unlink(path);
	return rc;
}

static void test_load_errors(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_cal *c = NULL;
	char path[64], want[256];

	assert_int_equal(load_text("# ok\nyear 2030\n\n2030-01-01 off 元旦\n", &err, path, sizeof(path)),
			 TN_OK);
	assert_int_equal(load_text("year 2030\n2030-02-30 off x\n", &err, path, sizeof(path)), TN_EINVALID);
	snprintf(want, sizeof(want), "%s:2: '2030-02-30' is neither a date (YYYY-MM-DD) nor 'year'", path);
	assert_string_equal(err.message, want);
	assert_int_equal(load_text("year 2030\n\n2030-03-01 holiday x\n", &err, path, sizeof(path)), TN_EINVALID);
	snprintf(want, sizeof(want), "%s:3: day kind 'holiday' is neither 'off' nor 'work'", path);
	assert_string_equal(err.message, want);
	assert_int_equal(load_text("year 2030\n2031-01-01 off x\n", &err, path, sizeof(path)), TN_EINVALID);
	snprintf(want, sizeof(want), "%s:2: 2031-01-01 is not in a year the file names", path);
	assert_string_equal(err.message, want);
	assert_int_equal(load_text("year 2030\nyear 2032\n", &err, path, sizeof(path)), TN_EINVALID);
	assert_non_null(strstr(err.message, "consecutive"));
	assert_int_equal(load_text("# nothing\n", &err, path, sizeof(path)), TN_EINVALID);
	assert_non_null(strstr(err.message, "names no year"));
	assert_int_equal(load_text("year 20x0\n", &err, path, sizeof(path)), TN_EINVALID);
	assert_non_null(strstr(err.message, ":1: year '20x0' is not valid"));
	assert_int_equal(load_text("year 2030\n2030-01-05 off a\n2030-01-05 work b\n", &err, path,
				   sizeof(path)), TN_EINVALID);
	assert_non_null(strstr(err.message, ":3: 2030-01-05 is listed as both off and work"));

	assert_int_equal(tn_cal_load(&c, "/nonexistent/cn.txt", &err), TN_EINVALID);
	assert_null(c);
	assert_string_equal(err.message,
			    "cannot read calendar '/nonexistent/cn.txt': No such file or directory");
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
	assert_int_equal(first, 2025);
	assert_int_equal(last, 2026);
	tn_cal_free(c);
	setenv("TWONET_SHAREDIR", "/nonexistent", 1);
	assert_int_equal(tn_cal_load(&c, NULL, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "/nonexistent/calendar/cn.txt"));
	unsetenv("TWONET_SHAREDIR");
	tn_buf_release(&dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_cross_check_holiday_cn),
		cmocka_unit_test(test_is_workday),
		cmocka_unit_test(test_add_spring_festival),
		cmocka_unit_test(test_add_national_day),
		cmocka_unit_test(test_between),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_shipped),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
