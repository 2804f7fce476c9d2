/* test_cal.c — dates, the shipped calendar cross-checked against holiday-cn, working-day arithmetic, calendar files. */
/*
 * Reads only files in the repository, under $TWONET_SRC (default "."):
 * share/twonet/calendar/cn.txt, tests/data/holiday-cn/ (the reference data,
 * MIT, see its README) and tests/data/calendar/ (a made-up 2027 notice and
 * broken files; their README gives the lines the errors must name).
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

/* The shipped calendar, loaded once; tests that change a calendar load their own. */
static struct tn_cal *cal;

static int setup(void **state)
{
	struct tn_buf path = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;

	src_path(&path, "share/twonet/calendar/cn.txt");
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
	assert_int_equal(tn_date_weekday(D("2027-01-01")), 4);   /* a Friday: see test_provisional */

	assert_int_equal(tn_date_year(0), 1970);
	assert_int_equal(tn_date_year(-1), 1969);
	assert_int_equal(tn_date_year(D("2026-12-31")), 2026);
	assert_int_equal(tn_date_year(D("2027-01-01")), 2027);
	assert_int_equal(tn_date_year(D("2024-02-29")), 2024);
	assert_int_equal(tn_date_year(D("9999-12-31")), 9999);
}

/* Read tests/data/holiday-cn/YEAR.json; returns its "days" array. */
static jv load_holiday_json(int year)
{
	struct tn_buf rel = TN_BUF_INIT, text = TN_BUF_INIT;
	jv doc, days, y;

	tn_buf_addf(&rel, "tests/data/holiday-cn/%d.json", year);
	read_src(rel.buf, &text);
	doc = jv_parse_sized(text.buf, (int)text.len);
	if (!jv_is_valid(doc))
		fail_msg("'%s' is not JSON", rel.buf);
	y = jv_object_get(jv_copy(doc), jv_string("year"));
	assert_int_equal(jv_get_kind(y), JV_KIND_NUMBER);
	assert_int_equal((int)jv_number_value(y), year);
	jv_free(y);
	days = jv_object_get(doc, jv_string("days"));
	assert_int_equal(jv_get_kind(days), JV_KIND_ARRAY);
	assert_true(jv_array_length(jv_copy(days)) > 0);
	tn_buf_release(&rel);
	tn_buf_release(&text);
	return days;
}

/*
 * Every day of 2024, 2025 and 2026: our file and holiday-cn (plus the weekend
 * rule) agree, read with jq's own parser so that the calendar's JSON reader
 * is not what checks itself.
 */
static void test_cross_check_holiday_cn(void **state)
{
	int first, last, mismatches = 0, prov = 0;

	tn_cal_range(cal, &first, &last);
	assert_int_equal(first, 2024);
	assert_int_equal(last, 2026);
	for (int year = 2024; year <= 2026; year++) {
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
			assert_true(jv_get_kind(off) == JV_KIND_TRUE || jv_get_kind(off) == JV_KIND_FALSE);
			expect[dn - start] = jv_get_kind(off) == JV_KIND_FALSE;
			jv_free(date);
			jv_free(off);
		}
		jv_free(days);
		for (long d = 0; d < ndays; d++) {
			int got = tn_cal_is_workday(cal, start + d, &prov);
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
	assert_int_equal(prov, 0);
}

/* The listed day after *day is want, a working day or not, named want_name; *day moves to it. */
static void expect_next(const struct tn_cal *c, long *day, const char *want, int want_work,
			const char *want_name)
{
	const char *name = NULL;
	int work = -1;

	assert_int_equal(tn_cal_next_day(c, day, &work, &name), 1);
	assert_int_equal(*day, D(want));
	assert_int_equal(work, want_work);
	assert_non_null(name);
	assert_string_equal(name, want_name);
}

/*
 * The calendar's own holiday-cn reader on the real files ("$schema", "$id",
 * "papers" and all): the three years merged give exactly the days of cn.txt.
 */
static void test_holiday_cn_files_load(void **state)
{
	struct tn_cal *all = tn_cal_new();
	int years[4];

	for (int year = 2024; year <= 2026; year++) {
		struct tn_buf rel = TN_BUF_INIT;
		struct tn_cal *one;

		tn_buf_addf(&rel, "tests/data/holiday-cn/%d.json", year);
		one = load_src(rel.buf);
		assert_int_equal(tn_cal_years(one, years, 4), 1);
		assert_int_equal(years[0], year);
		tn_cal_merge(all, one);
		tn_cal_free(one);
		tn_buf_release(&rel);
	}
	assert_int_equal(assert_same_days(all, cal), 36 + 33 + 39);
	tn_cal_free(all);
}

static void test_is_workday(void **state)
{
	int prov = 0;

	assert_int_equal(tn_cal_is_workday(cal, D("2026-02-14"), &prov), 1);   /* Saturday, 调休 */
	assert_int_equal(tn_cal_is_workday(cal, D("2026-02-16"), &prov), 0);   /* Monday, 春节 */
	assert_int_equal(tn_cal_is_workday(cal, D("2026-03-07"), &prov), 0);   /* plain Saturday */
	assert_int_equal(tn_cal_is_workday(cal, D("2026-03-09"), &prov), 1);   /* plain Monday */
	assert_int_equal(tn_cal_is_workday(cal, D("2025-01-01"), &prov), 0);
	assert_int_equal(tn_cal_is_workday(cal, D("2026-12-31"), &prov), 1);
	assert_int_equal(tn_cal_is_workday(cal, D("2024-01-01"), &prov), 0);   /* 元旦, a Monday */
	assert_int_equal(tn_cal_is_workday(cal, D("2024-02-09"), &prov), 1);   /* 除夕 2024 was not off */
	assert_int_equal(tn_cal_is_workday(cal, D("2024-02-18"), &prov), 1);   /* Sunday, 调休 */
	assert_int_equal(tn_cal_is_workday(cal, D("2024-06-10"), &prov), 0);   /* 端午节 */
	assert_int_equal(tn_cal_is_workday(cal, D("2024-12-31"), &prov), 1);
	assert_int_equal(prov, 0);
	assert_int_equal(tn_cal_is_workday(cal, D("2026-03-09"), NULL), 1);

	/* days of unknown years: Monday to Friday, flagged */
	assert_int_equal(tn_cal_is_workday(cal, D("2027-01-01"), &prov), 1);   /* a Friday */
	assert_int_equal(prov, 1);
	prov = 0;
	assert_int_equal(tn_cal_is_workday(cal, D("2027-01-02"), &prov), 0);   /* a Saturday */
	assert_int_equal(prov, 1);
	prov = 0;
	assert_int_equal(tn_cal_is_workday(cal, D("2023-12-29"), &prov), 1);   /* a Friday */
	assert_int_equal(prov, 1);
	prov = 0;
	assert_int_equal(tn_cal_is_workday(cal, D("2023-12-31"), &prov), 0);   /* a Sunday */
	assert_int_equal(prov, 1);
	prov = 0;
	assert_int_equal(tn_cal_is_workday(cal, D("2100-01-01"), &prov), 1);
	assert_int_equal(prov, 1);
	assert_int_equal(tn_cal_is_workday(cal, D("2027-01-02"), NULL), 0);
	/* never cleared by a known day */
	assert_int_equal(tn_cal_is_workday(cal, D("2026-03-09"), &prov), 1);
	assert_int_equal(prov, 1);
}

/* start + n working days is want, provisional or not. */
static void expect_add_on(const struct tn_cal *c, const char *start, long n, const char *want,
			  int want_prov)
{
	struct tn_err err = TN_ERR_INIT;
	long result = 0;
	int prov = 0;
	char buf[11];

	if (tn_cal_add_workdays(c, D(start), n, &result, &prov, &err) != TN_OK)
		fail_msg("%s + %ld: %s", start, n, err.message);
	tn_date_format(result, buf);
	if (strcmp(buf, want))
		fail_msg("%s + %ld working days: got %s, want %s", start, n, buf, want);
	if (prov != want_prov)
		fail_msg("%s + %ld working days = %s: provisional %d, want %d", start, n, buf, prov,
			 want_prov);
}

static void expect_add(const char *start, long n, const char *want)
{
	expect_add_on(cal, start, n, want, 0);
}

/* Working days in (from, to] are want, provisional or not. */
static void expect_between_on(const struct tn_cal *c, const char *from, const char *to, long want,
			      int want_prov)
{
	struct tn_err err = TN_ERR_INIT;
	long n = -99999;
	int prov = 0;

	if (tn_cal_workdays_between(c, D(from), D(to), &n, &prov, &err) != TN_OK)
		fail_msg("(%s, %s]: %s", from, to, err.message);
	if (n != want)
		fail_msg("working days in (%s, %s]: got %ld, want %ld", from, to, n, want);
	if (prov != want_prov)
		fail_msg("working days in (%s, %s]: provisional %d, want %d", from, to, prov, want_prov);
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
	expect_add("2024-02-03", 1, "2024-02-04");   /* 2024: Sunday Feb 4 works */
	expect_add("2024-02-08", 1, "2024-02-09");   /* 除夕 a working Friday */
	expect_add("2024-02-09", 1, "2024-02-18");   /* Feb 10-17 off, Sunday Feb 18 works */
	expect_add("2024-02-18", 1, "2024-02-19");
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
	expect_add("2024-09-13", 1, "2024-09-14");   /* 2024: Saturday Sep 14 works */
	expect_add("2024-09-14", 1, "2024-09-18");   /* Sep 15-17 Mid-Autumn */
	expect_add("2024-09-27", 1, "2024-09-29");   /* Sunday Sep 29 works */
	expect_add("2024-09-30", 1, "2024-10-08");
	expect_add("2024-10-11", 1, "2024-10-12");   /* Saturday Oct 12 works */
}

static void test_between(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	long n;
	int prov = 0;

	expect_between_on(cal, "2026-02-13", "2026-03-02", 7, 0);
	expect_between_on(cal, "2026-03-02", "2026-02-13", -7, 0);
	expect_between_on(cal, "2026-02-16", "2026-02-16", 0, 0);
	expect_between_on(cal, "2026-09-30", "2026-10-09", 2, 0);
	/* the working days of each year (Jan 1 is off, so (Jan 1, Dec 31] holds them all) */
	expect_between_on(cal, "2024-01-01", "2024-12-31", 251, 0);
	expect_between_on(cal, "2025-01-01", "2025-12-31", 248, 0);
	expect_between_on(cal, "2026-01-01", "2026-12-31", 248, 0);
	expect_between_on(cal, "2024-01-01", "2026-12-31", 251 + 248 + 248, 0);
	/* add and between agree, across the years */
	for (long k = 0; k < 700; k += 17) {
		long r;

		assert_int_equal(tn_cal_add_workdays(cal, D("2024-01-02"), k, &r, &prov, &err), TN_OK);
		assert_int_equal(tn_cal_workdays_between(cal, D("2024-01-02"), r, &n, &prov, &err), TN_OK);
		assert_int_equal(n, k);
	}
	assert_int_equal(prov, 0);
}

/* Past the last known year and before the first: Monday to Friday, flagged, never an error. */
static void test_provisional(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	long r = 0;
	int prov = 0;

	expect_add_on(cal, "2026-12-30", 1, "2026-12-31", 0);
	expect_add_on(cal, "2026-12-30", 2, "2027-01-01", 1);   /* Friday, by the weekend rule */
	expect_add_on(cal, "2026-12-30", 3, "2027-01-04", 1);
	expect_add_on(cal, "2026-12-20", 20, "2027-01-15", 1);  /* the case */
	expect_add_on(cal, "2026-12-31", 1, "2027-01-01", 1);
	expect_add_on(cal, "2027-06-01", 5, "2027-06-08", 1);   /* start and all in 2027 */
	expect_add_on(cal, "2100-01-01", 1, "2100-01-04", 1);   /* a Friday */
	expect_add_on(cal, "2023-12-28", 1, "2023-12-29", 1);   /* before the first year */
	expect_add_on(cal, "2023-12-29", 1, "2024-01-02", 1);   /* through Dec 30-31, then 元旦 */
	expect_add_on(cal, "2023-12-29", 2, "2024-01-03", 1);
	expect_add_on(cal, "2023-06-01", 200, "2024-03-13", 1);  /* across into 2024 and its 春节 */
	assert_int_equal(tn_cal_add_workdays(cal, D("2027-01-04"), 0, &r, NULL, &err), TN_OK);
	assert_int_equal(r, D("2027-01-04"));
	assert_int_equal(tn_cal_add_workdays(cal, D("2026-12-30"), 2, &r, NULL, NULL), TN_OK);
	assert_int_equal(r, D("2027-01-01"));

	expect_between_on(cal, "2026-12-30", "2027-01-08", 7, 1);
	expect_between_on(cal, "2027-01-08", "2026-12-30", -7, 1);
	expect_between_on(cal, "2026-12-01", "2027-01-10", 28, 1);
	expect_between_on(cal, "2023-12-29", "2024-01-05", 4, 1);
	expect_between_on(cal, "2023-01-01", "2023-12-31", 260, 1);
	expect_between_on(cal, "2026-12-01", "2026-12-31", 22, 0);

	/* the only errors: the count out of range, a span past 200 years */
	assert_int_equal(tn_cal_add_workdays(cal, D("2026-06-01"), -1, &r, &prov, &err), TN_EINVALID);
	assert_int_equal(err.code, TN_EINVALID);
	assert_int_equal(tn_cal_add_workdays(cal, D("2026-06-01"), 100001, &r, &prov, &err),
			 TN_EINVALID);
	assert_int_equal(tn_cal_add_workdays(cal, D("2026-06-01"), 100000, &r, &prov, &err), TN_OK);
	assert_true(r > D("2400-01-01"));
	assert_int_equal(prov, 1);
	assert_int_equal(tn_cal_workdays_between(cal, D("1990-01-01"), D("2200-01-01"), &r, &prov, &err),
			 TN_EINVALID);
	assert_int_equal(tn_cal_workdays_between(cal, D("2200-01-01"), D("1990-01-01"), &r, &prov, &err),
			 TN_EINVALID);
}

/*
 * Importing the (made-up) 2027 notice into the shipped calendar makes 2027
 * known: deadlines across the year end move to the notice's days and are no
 * longer provisional; the other years stay as they were.
 */
static void test_merge_next_year(void **state)
{
	struct tn_cal *c = load_src("share/twonet/calendar/cn.txt");
	struct tn_cal *y2027 = load_src("tests/data/calendar/2027-test.json");
	int years[8], first, last;

	expect_add_on(c, "2026-12-30", 2, "2027-01-01", 1);
	assert_int_equal(tn_cal_year_known(c, 2027), 0);
	tn_cal_merge(c, y2027);
	assert_int_equal(tn_cal_year_known(c, 2027), 1);
	assert_int_equal(tn_cal_years(c, years, 8), 4);
	assert_int_equal(years[3], 2027);
	tn_cal_range(c, &first, &last);
	assert_int_equal(first, 2024);
	assert_int_equal(last, 2027);
	assert_int_equal(tn_cal_known_through(c, D("2026-12-30")), D("2027-12-31"));

	expect_add_on(c, "2026-12-30", 1, "2026-12-31", 0);
	expect_add_on(c, "2026-12-30", 2, "2027-01-04", 0);     /* 元旦 2027 off */
	expect_add_on(c, "2026-12-20", 20, "2027-01-18", 0);
	expect_add_on(c, "2027-01-29", 1, "2027-01-31", 0);     /* Sunday Jan 31 works */
	expect_add_on(c, "2027-02-04", 1, "2027-02-15", 0);     /* Feb 5-13 off */
	expect_add_on(c, "2027-12-30", 2, "2028-01-03", 1);     /* and now 2028 is the guess */
	expect_between_on(c, "2026-12-30", "2027-01-08", 6, 0);
	expect_between_on(c, "2024-01-01", "2026-12-31", 251 + 248 + 248, 0);
	/* the years already known are untouched */
	expect_add_on(c, "2026-09-30", 3, "2026-10-10", 0);
	expect_add_on(c, "2024-02-09", 1, "2024-02-18", 0);
	/* src is unchanged */
	assert_int_equal(tn_cal_years(y2027, years, 8), 1);
	assert_int_equal(years[0], 2027);

	/* merging the same year again changes nothing */
	tn_cal_merge(c, y2027);
	assert_int_equal(tn_cal_years(c, years, 8), 4);
	expect_add_on(c, "2026-12-20", 20, "2027-01-18", 0);
	tn_cal_free(y2027);
	tn_cal_free(c);
}

/* A merged year replaces the same year whole; other years of dst stay. */
static void test_merge_replaces_year(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_cal *dst = tn_cal_new(), *src = tn_cal_new(), *none = tn_cal_new();
	long day = LONG_MIN;
	int work = -1, prov = 0, years[4];
	const char *name = NULL;

	assert_int_equal(tn_cal_add_year(dst, 2029, &err), TN_OK);
	assert_int_equal(tn_cal_add_year(dst, 2030, &err), TN_OK);
	assert_int_equal(tn_cal_set_day(dst, D("2029-01-01"), 0, "元旦", &err), TN_OK);
	assert_int_equal(tn_cal_set_day(dst, D("2030-01-01"), 0, "元旦", &err), TN_OK);
	assert_int_equal(tn_cal_set_day(dst, D("2030-01-05"), 1, "春节", &err), TN_OK);   /* Saturday */
	assert_int_equal(tn_cal_add_year(src, 2030, &err), TN_OK);
	assert_int_equal(tn_cal_add_year(src, 2031, &err), TN_OK);
	assert_int_equal(tn_cal_set_day(src, D("2030-01-02"), 0, "新", &err), TN_OK);
	assert_int_equal(tn_cal_set_day(src, D("2031-01-01"), 0, "元旦", &err), TN_OK);

	tn_cal_merge(dst, none);            /* a calendar of no year changes nothing */
	assert_int_equal(tn_cal_years(dst, years, 4), 2);
	tn_cal_merge(dst, src);
	assert_int_equal(tn_cal_years(dst, years, 4), 3);
	assert_int_equal(years[0], 2029);
	assert_int_equal(years[1], 2030);
	assert_int_equal(years[2], 2031);
	assert_int_equal(tn_cal_is_workday(dst, D("2029-01-01"), &prov), 0);   /* kept */
	assert_int_equal(tn_cal_is_workday(dst, D("2030-01-01"), &prov), 1);   /* gone: a Tuesday */
	assert_int_equal(tn_cal_is_workday(dst, D("2030-01-05"), &prov), 0);   /* gone: a Saturday */
	assert_int_equal(tn_cal_is_workday(dst, D("2030-01-02"), &prov), 0);   /* src's */
	assert_int_equal(tn_cal_is_workday(dst, D("2031-01-01"), &prov), 0);
	assert_int_equal(prov, 0);
	expect_next(dst, &day, "2029-01-01", 0, "元旦");
	expect_next(dst, &day, "2030-01-02", 0, "新");
	expect_next(dst, &day, "2031-01-01", 0, "元旦");
	assert_int_equal(tn_cal_next_day(dst, &day, &work, &name), 0);

	/* a year src knows with no listed day empties the same year of dst */
	tn_cal_free(src);
	src = tn_cal_new();
	assert_int_equal(tn_cal_add_year(src, 2029, &err), TN_OK);
	tn_cal_merge(dst, src);
	assert_int_equal(tn_cal_is_workday(dst, D("2029-01-01"), &prov), 1);
	assert_int_equal(prov, 0);
	tn_cal_free(none);
	tn_cal_free(src);
	tn_cal_free(dst);
}

/* A calendar built by hand: tn_cal_new, tn_cal_add_year, tn_cal_set_day. */
static void test_build(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_cal *c = tn_cal_new();
	long day = LONG_MIN;
	int first = -1, last = -1, work = -1, prov = 0, years[2] = { -1, -1 };
	const char *name = NULL;

	/* knows nothing: every day a provisional one */
	tn_cal_range(c, &first, &last);
	assert_int_equal(first, 0);
	assert_int_equal(last, 0);
	assert_int_equal(tn_cal_years(c, years, 2), 0);
	assert_int_equal(tn_cal_next_day(c, &day, &work, &name), 0);
	assert_int_equal(tn_cal_known_through(c, D("2026-01-01")), -1);
	assert_int_equal(tn_cal_is_workday(c, D("2030-01-01"), &prov), 1);
	assert_int_equal(prov, 1);
	expect_add_on(c, "2030-01-04", 1, "2030-01-07", 1);

	assert_int_equal(tn_cal_add_year(c, 1899, &err), TN_EINVALID);
	assert_int_equal(tn_cal_add_year(c, 10000, &err), TN_EINVALID);
	assert_int_equal(tn_cal_years(c, years, 2), 0);
	assert_int_equal(tn_cal_set_day(c, D("2030-01-01"), 0, "元旦", &err), TN_EINVALID);
	assert_int_equal(err.code, TN_EINVALID);
	assert_int_equal(tn_cal_add_year(c, 2030, &err), TN_OK);
	prov = 0;
	assert_int_equal(tn_cal_is_workday(c, D("2030-01-01"), &prov), 1);   /* known, nothing listed */
	assert_int_equal(prov, 0);
	assert_int_equal(tn_cal_set_day(c, D("2030-01-01"), 0, "元旦", &err), TN_OK);
	assert_int_equal(tn_cal_set_day(c, D("2030-01-05"), 1, "调休", &err), TN_OK);
	assert_int_equal(tn_cal_set_day(c, D("2031-01-01"), 0, "元旦", &err), TN_EINVALID);
	assert_int_equal(tn_cal_add_year(c, 2030, &err), TN_OK);              /* keeps its days */
	expect_add_on(c, "2029-12-31", 1, "2030-01-02", 0);   /* only the start is unknown: not counted */
	expect_add_on(c, "2029-12-28", 1, "2029-12-31", 1);   /* 2029 is unknown */
	expect_add_on(c, "2030-01-01", 1, "2030-01-02", 0);
	expect_add_on(c, "2030-01-04", 1, "2030-01-05", 0);
	assert_int_equal(tn_cal_years(c, years, 2), 1);
	assert_int_equal(years[0], 2030);
	expect_next(c, &day, "2030-01-01", 0, "元旦");
	expect_next(c, &day, "2030-01-05", 1, "调休");
	assert_int_equal(tn_cal_next_day(c, &day, &work, &name), 0);
	tn_cal_free(c);
	tn_cal_free(NULL);
}

/* Known years, with and without gaps, and where each run of known days ends. */
static void test_years_known_through(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_cal *c = tn_cal_new();
	int years[3] = { -1, -1, -1 }, first, last;

	assert_int_equal(tn_cal_years(cal, years, 3), 3);
	assert_int_equal(years[0], 2024);
	assert_int_equal(years[1], 2025);
	assert_int_equal(years[2], 2026);
	years[1] = -1;
	assert_int_equal(tn_cal_years(cal, years, 1), 3);   /* how many, even past max */
	assert_int_equal(years[0], 2024);
	assert_int_equal(years[1], -1);
	assert_int_equal(tn_cal_year_known(cal, 2024), 1);
	assert_int_equal(tn_cal_year_known(cal, 2023), 0);
	assert_int_equal(tn_cal_year_known(cal, 2027), 0);

	assert_int_equal(tn_cal_known_through(cal, D("2024-01-01")), D("2026-12-31"));
	assert_int_equal(tn_cal_known_through(cal, D("2025-06-15")), D("2026-12-31"));
	assert_int_equal(tn_cal_known_through(cal, D("2026-12-31")), D("2026-12-31"));
	assert_int_equal(tn_cal_known_through(cal, D("2027-01-01")), -1);
	assert_int_equal(tn_cal_known_through(cal, D("2023-12-31")), -1);

	assert_int_equal(tn_cal_add_year(c, 2027, &err), TN_OK);   /* added out of order */
	assert_int_equal(tn_cal_add_year(c, 2024, &err), TN_OK);
	assert_int_equal(tn_cal_add_year(c, 2026, &err), TN_OK);
	assert_int_equal(tn_cal_years(c, years, 3), 3);
	assert_int_equal(years[0], 2024);
	assert_int_equal(years[1], 2026);
	assert_int_equal(years[2], 2027);
	tn_cal_range(c, &first, &last);
	assert_int_equal(first, 2024);
	assert_int_equal(last, 2027);
	assert_int_equal(tn_cal_year_known(c, 2025), 0);
	assert_int_equal(tn_cal_known_through(c, D("2024-06-01")), D("2024-12-31"));
	assert_int_equal(tn_cal_known_through(c, D("2025-06-01")), -1);
	assert_int_equal(tn_cal_known_through(c, D("2026-01-01")), D("2027-12-31"));
	expect_add_on(c, "2024-12-31", 1, "2025-01-01", 1);   /* through the gap */
	expect_add_on(c, "2026-12-31", 1, "2027-01-01", 0);
	tn_cal_free(c);
}

/* Walking the listed days of the shipped calendar. */
static void test_next_day(void **state)
{
	long day = LONG_MIN, prev = LONG_MIN;
	int work = -1, n = 0, nwork = 0;
	const char *name = NULL;
	char buf[11];

	expect_next(cal, &day, "2024-01-01", 0, "元旦");
	expect_next(cal, &day, "2024-02-04", 1, "春节");

	day = LONG_MIN;
	while (tn_cal_next_day(cal, &day, &work, &name)) {
		assert_true(day > prev);
		assert_non_null(name);
		assert_true(*name);
		if (work)
			assert_true(tn_date_weekday(day) >= 5);   /* 'work' only on a weekend day */
		nwork += work;
		prev = day;
		n++;
	}
	assert_int_equal(n, 36 + 33 + 39);
	assert_int_equal(nwork, 8 + 5 + 6);
	tn_date_format(prev, buf);
	assert_string_equal(buf, "2026-10-10");

	/* from any day: the listed day strictly after it */
	day = D("2025-12-31");
	expect_next(cal, &day, "2026-01-01", 0, "元旦");
	expect_next(cal, &day, "2026-01-02", 0, "元旦");
	day = D("2024-02-05");
	expect_next(cal, &day, "2024-02-10", 0, "春节");
	day = D("2026-10-10");
	assert_int_equal(tn_cal_next_day(cal, &day, &work, &name), 0);
	day = D("2099-01-01");
	assert_int_equal(tn_cal_next_day(cal, &day, &work, &name), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_cross_check_holiday_cn),
		cmocka_unit_test(test_holiday_cn_files_load),
		cmocka_unit_test(test_is_workday),
		cmocka_unit_test(test_add_spring_festival),
		cmocka_unit_test(test_add_national_day),
		cmocka_unit_test(test_between),
		cmocka_unit_test(test_provisional),
		cmocka_unit_test(test_merge_next_year),
		cmocka_unit_test(test_merge_replaces_year),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_years_known_through),
		cmocka_unit_test(test_next_day),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
