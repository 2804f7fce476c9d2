/* test_report.c — report periods, the request path, rows, the SVG chart, the HTML page in each language, files, the lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <jv.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_report.h"

static long day(const char *s)
{
	long d = -1;

	assert_int_equal(tn_date_parse(s, &d), 0);
	return d;
}

/* The period `spec` names, against `today`, as "FIRST LAST" (or "error"). */
static void check_period(const char *spec, const char *today, const char *want)
{
	struct tn_err err = TN_ERR_INIT;
	char a[16], b[16], got[40];
	long first, last;

	if (tn_period_parse(spec, day(today), &first, &last, &err) != TN_OK) {
		assert_int_equal(err.code, TN_EUSAGE);
		snprintf(got, sizeof(got), "error");
	} else {
		tn_date_format(first, a);
		tn_date_format(last, b);
		snprintf(got, sizeof(got), "%s %s", a, b);
	}
	if (strcmp(got, want) != 0)
		fail_msg("period '%s' on %s: got '%s', want '%s'", spec, today, got, want);
}

static void test_period_words(void **state)
{
	(void)state;
	/* Wednesday 2026-11-18 */
	check_period("today", "2026-11-18", "2026-11-18 2026-11-18");
	check_period("yesterday", "2026-11-18", "2026-11-17 2026-11-17");
	check_period("this-week", "2026-11-18", "2026-11-16 2026-11-18");
	check_period("last-week", "2026-11-18", "2026-11-09 2026-11-15");
	check_period("this-month", "2026-11-18", "2026-11-01 2026-11-18");
	check_period("last-month", "2026-11-18", "2026-10-01 2026-10-31");
	check_period("this-year", "2026-11-18", "2026-01-01 2026-11-18");
	check_period("last-year", "2026-11-18", "2025-01-01 2025-12-31");
	/* edges: a Monday, a Sunday, January, the first of a month, leap years */
	check_period("this-week", "2026-11-16", "2026-11-16 2026-11-16");
	check_period("last-week", "2026-11-22", "2026-11-09 2026-11-15");
	check_period("this-week", "2026-11-22", "2026-11-16 2026-11-22");
	check_period("last-month", "2026-01-15", "2025-12-01 2025-12-31");
	check_period("last-month", "2024-03-01", "2024-02-01 2024-02-29");
	check_period("yesterday", "2026-01-01", "2025-12-31 2025-12-31");
	check_period("last-week", "2026-01-01", "2025-12-22 2025-12-28");
}

static void test_period_dates(void **state)
{
	(void)state;
	check_period("2026-11", "2026-11-18", "2026-11-01 2026-11-30");
	check_period("2026-12", "2026-11-18", "2026-12-01 2026-12-31");
	check_period("2026-02", "2026-11-18", "2026-02-01 2026-02-28");
	check_period("2000-02", "2026-11-18", "2000-02-01 2000-02-29");
	check_period("2100-02", "2026-11-18", "2100-02-01 2100-02-28");
	check_period("2026", "2026-11-18", "2026-01-01 2026-12-31");
	check_period("2026-10-08", "2026-11-18", "2026-10-08 2026-10-08");
	check_period("2026-W01", "2026-11-18", "2025-12-29 2026-01-04");
	check_period("2026-W48", "2026-11-18", "2026-11-23 2026-11-29");
	check_period("2026-W53", "2026-11-18", "2026-12-28 2027-01-03");
	check_period("2020-W53", "2026-11-18", "2020-12-28 2021-01-03");
	check_period("2025-W01", "2026-11-18", "2024-12-30 2025-01-05");
	/* refused */
	check_period("2025-W53", "2026-11-18", "error");
	check_period("2026-W00", "2026-11-18", "error");
	check_period("2026-13", "2026-11-18", "error");
	check_period("2026-00", "2026-11-18", "error");
	check_period("2026-02-30", "2026-11-18", "error");
	check_period("26-11", "2026-11-18", "error");
	check_period("2026-1", "2026-11-18", "error");
	check_period("0000", "2026-11-18", "error");
	check_period("next-week", "2026-11-18", "error");
	check_period("Yesterday", "2026-11-18", "error");
	check_period("", "2026-11-18", "error");
}

static void check_range(const char *from, const char *to, const char *want)
{
	struct tn_err err = TN_ERR_INIT;
	char f[16], t[16], got[40];

	if (tn_report_period(from, to, day("2026-11-18"), f, t, &err) != TN_OK) {
		assert_int_equal(err.code, TN_EUSAGE);
		snprintf(got, sizeof(got), "error");
	} else {
		snprintf(got, sizeof(got), "%s %s", f, t);
	}
	if (strcmp(got, want) != 0)
		fail_msg("--from %s --to %s: got '%s', want '%s'", from ? from : "-",
			 to ? to : "-", got, want);
}

static void test_report_period(void **state)
{
	(void)state;
	check_range(NULL, NULL, "2026-11-01 2026-11-18");
	check_range("last-month", NULL, "2026-10-01 2026-10-31");
	check_range("2026-09", "2026-10", "2026-09-01 2026-10-31");
	check_range("2026-10-08", "today", "2026-10-08 2026-11-18");
	check_range("2026-W41", "2026-W42", "2026-10-05 2026-10-18");
	check_range("2026-10", "2026-10-15", "2026-10-01 2026-10-15");
	check_range("2026-10", "2026-09", "error");
	check_range(NULL, "2026-10", "error");
	check_range("bad", NULL, "error");
	check_range("2026-10", "bad", "error");
}

static void test_today(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	long t;

	(void)state;
	unsetenv("TWONET_TODAY");
	assert_int_equal(tn_report_today(NULL, &t, &err), TN_OK);
	assert_int_equal(t, tn_date_today());
	setenv("TWONET_TODAY", "2026-01-05", 1);
	assert_int_equal(tn_report_today(NULL, &t, &err), TN_OK);
	assert_int_equal(t, day("2026-01-05"));
	assert_int_equal(tn_report_today("2026-03-01", &t, &err), TN_OK);   /* the option wins */
	assert_int_equal(t, day("2026-03-01"));
	setenv("TWONET_TODAY", "someday", 1);
	assert_int_equal(tn_report_today(NULL, &t, &err), TN_EUSAGE);
	assert_non_null(strstr(err.message, "TWONET_TODAY"));
	assert_int_equal(tn_report_today("2026-02-30", &t, &err), TN_EUSAGE);
	unsetenv("TWONET_TODAY");
}

static void test_path(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf p = TN_BUF_INIT;
	struct tn_report_query q;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.from = "2026-10-01";
	q.to = "2026-10-31";
	assert_int_equal(tn_report_path(&q, &p, &err), TN_OK);
	assert_string_equal(p.buf, "/v1/reports/cases?from=2026-10-01&to=2026-10-31");
	tn_buf_reset(&p);
	q.by = "week";
	q.department = "A B&C";
	assert_int_equal(tn_report_path(&q, &p, &err), TN_OK);
	assert_string_equal(p.buf, "/v1/reports/cases?from=2026-10-01&to=2026-10-31&by=week"
			    "&department=A%20B%26C");
	tn_buf_reset(&p);
	q.by = "severity";
	assert_int_equal(tn_report_path(&q, &p, &err), TN_EUSAGE);
	q.kind = TN_REPORT_ALERTS;
	q.department = NULL;
	tn_buf_reset(&p);
	assert_int_equal(tn_report_path(&q, &p, &err), TN_OK);
	assert_string_equal(p.buf, "/v1/reports/alerts?from=2026-10-01&to=2026-10-31&by=severity");
	q.department = "YBJ";
	assert_int_equal(tn_report_path(&q, &p, &err), TN_EUSAGE);
	q.department = NULL;
	q.by = "item";
	assert_int_equal(tn_report_path(&q, &p, &err), TN_EUSAGE);
	tn_buf_release(&p);
}

static jv sample(void)
{
	return jv_parse("{\"report\":\"cases\",\"from\":\"2026-10-01\",\"to\":\"2026-10-31\","
			"\"by\":\"department\",\"groups\":["
			"{\"group\":\"RSJ\",\"received\":3,\"on_time_rate\":66.7},"
			"{\"group\":null,\"received\":2,\"on_time_rate\":null},"
			"{\"group\":\"A<&>\\\"'\",\"received\":12,\"on_time_rate\":100}],"
			"\"total\":{\"group\":null,\"received\":17,\"on_time_rate\":75}}");
}

static void test_rows(void **state)
{
	jv r = sample(), rows, s, a;

	(void)state;
	rows = tn_report_rows(r);
	jv_free(r);
	s = jv_dump_string(jv_copy(rows), 0);
	assert_string_equal(jv_string_value(s),
			    "[{\"group\":\"RSJ\",\"received\":3,\"on_time_rate\":66.7},"
			    "{\"group\":\"-\",\"received\":2,\"on_time_rate\":null},"
			    "{\"group\":\"A<&>\\\"'\",\"received\":12,\"on_time_rate\":100},"
			    "{\"group\":\"total\",\"received\":17,\"on_time_rate\":75}]");
	jv_free(s);
	jv_free(rows);
	rows = tn_report_rows(jv_null());
	assert_int_equal(jv_array_length(rows), 0);
	a = jv_parse("{\"report\":\"alerts\"}");
	assert_int_equal(tn_report_kind_of(a) == TN_REPORT_ALERTS, 1);
	jv_free(a);
}

/* The number of times `needle` occurs in `hay`. */
static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static void test_svg(void **state)
{
	struct tn_buf b = TN_BUF_INIT;
	jv r = sample();

	(void)state;
	tn_report_svg(&b, r, 1);
	assert_int_equal(strncmp(b.buf, "<?xml version=\"1.0\"", 19), 0);
	assert_int_equal(count(b.buf, "<rect class=\"bar\""), 3);
	assert_int_equal(count(b.buf, "<circle class=\"point\""), 2);   /* no rate: no point */
	/* the line breaks at the group without a rate: two moves */
	assert_int_equal(count(b.buf, "d=\"M"), 1);
	assert_non_null(strstr(b.buf, " M"));
	assert_non_null(strstr(b.buf, "A&lt;&amp;&gt;&quot;&#39;"));
	assert_null(strstr(b.buf, "A<&"));
	assert_non_null(strstr(b.buf, "2026-10-01 to 2026-10-31, by department"));
	tn_buf_reset(&b);
	tn_report_svg(&b, r, 0);                 /* inside HTML: no XML declaration */
	assert_int_equal(strncmp(b.buf, "<svg ", 5), 0);
	jv_free(r);
	tn_buf_release(&b);
}

static void test_chart_scale(void **state)
{
	static const char *const labels[] = { "a", "b" };
	static const double bars[] = { 0, 0 };
	static const double line[] = { NAN, NAN };
	struct tn_chart c = { "t", NULL, "n", "rate", 2, labels, bars, line, NULL };
	struct tn_buf b = TN_BUF_INIT;

	(void)state;
	tn_chart_svg(&b, &c, 1);                 /* all zero: bars of no height, no points */
	assert_int_equal(count(b.buf, "<rect class=\"bar\""), 2);
	assert_int_equal(count(b.buf, "height=\"0.0\""), 2);
	assert_int_equal(count(b.buf, "class=\"point\""), 0);
	tn_buf_reset(&b);
	c.n = 0;
	tn_chart_svg(&b, &c, 1);
	assert_non_null(strstr(b.buf, "no data in this period"));
	assert_int_equal(count(b.buf, "class=\"bar\""), 0);
	tn_buf_release(&b);
}

static void test_html(void **state)
{
	struct tn_buf b = TN_BUF_INIT;
	jv r = sample();

	(void)state;
	tn_report_html(&b, r);
	assert_int_equal(strncmp(b.buf, "<!DOCTYPE html>", 15), 0);
	assert_int_equal(count(b.buf, "<tr"), 5);        /* heading, 3 groups, total */
	assert_int_equal(count(b.buf, "<tr class=\"total\">"), 1);
	assert_non_null(strstr(b.buf, "<td>A&lt;&amp;&gt;&quot;&#39;</td>"));
	assert_non_null(strstr(b.buf, "<svg "));
	assert_non_null(strstr(b.buf, "</html>\n"));
	jv_free(r);
	tn_buf_release(&b);
}

/* A report in the shape the server sends, with names and a provisional deadline. */
static jv sample_named(void)
{
	return jv_parse("{\"report\":\"cases\",\"from\":\"2026-10-01\",\"to\":\"2026-10-31\","
			"\"by\":\"department\",\"department\":null,\"as_of\":\"2026-11-18\","
			"\"groups\":["
			"{\"group\":\"SCJGJ\",\"name\":\"市场监督管理局\",\"received\":3,"
			"\"backlog\":4,\"backlog_overdue\":1,\"on_time_rate\":50,"
			"\"provisional_deadlines\":1},"
			"{\"group\":\"YBJ\",\"name\":\"医疗保障局\",\"received\":2,\"backlog\":0,"
			"\"backlog_overdue\":0,\"on_time_rate\":100,\"provisional_deadlines\":0}],"
			"\"total\":{\"group\":null,\"name\":null,\"received\":5,\"backlog\":4,"
			"\"backlog_overdue\":1,\"on_time_rate\":75,\"provisional_deadlines\":1}}");
}

static void test_lang(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	enum tn_report_lang l = TN_REPORT_EN;

	(void)state;
	assert_int_equal(tn_report_lang_parse("zh", &l, &err), TN_OK);
	assert_int_equal(l, TN_REPORT_ZH);
	assert_int_equal(tn_report_lang_parse("en", &l, &err), TN_OK);
	assert_int_equal(l, TN_REPORT_EN);
	assert_int_equal(tn_report_lang_parse("fr", &l, &err), TN_EUSAGE);
	assert_int_equal(tn_report_lang_parse(NULL, &l, &err), TN_EUSAGE);
	/* headings: Chinese; English member names for tables and CSV, phrases for HTML */
	assert_string_equal(tn_report_heading("received", TN_REPORT_CASES, "department",
					      TN_REPORT_ZH, 0), "收件");
	assert_string_equal(tn_report_heading("group", TN_REPORT_CASES, "department",
					      TN_REPORT_ZH, 0), "部门");
	assert_string_equal(tn_report_heading("group", TN_REPORT_CASES, "department",
					      TN_REPORT_ZH, 2), "部门代码");
	assert_string_equal(tn_report_heading("name", TN_REPORT_CASES, "item", TN_REPORT_ZH, 2),
			    "事项名称");
	assert_string_equal(tn_report_heading("group", TN_REPORT_ALERTS, "district",
					      TN_REPORT_ZH, 1), "区");
	/* one member, two meanings: an open case, an open alert */
	assert_string_equal(tn_report_heading("open", TN_REPORT_CASES, NULL, TN_REPORT_ZH, 0),
			    "在办");
	assert_string_equal(tn_report_heading("open", TN_REPORT_ALERTS, NULL, TN_REPORT_ZH, 0),
			    "未关闭");
	assert_string_equal(tn_report_heading("backlog", TN_REPORT_CASES, NULL, TN_REPORT_EN, 0),
			    "backlog");
	assert_string_equal(tn_report_heading("backlog", TN_REPORT_CASES, NULL, TN_REPORT_EN, 1),
			    "Backlog at end");
	assert_string_equal(tn_report_heading("nosuch", TN_REPORT_CASES, NULL, TN_REPORT_ZH, 0),
			    "nosuch");
	assert_string_equal(tn_report_total_word(TN_REPORT_ZH), "合计");
	/* every column of every list has a Chinese heading */
	for (const char **c = tn_report_case_csv; *c; c++)
		assert_string_not_equal(tn_report_heading(*c, TN_REPORT_CASES, "day", TN_REPORT_ZH, 2),
					*c);
	for (const char **c = tn_report_alert_csv; *c; c++)
		assert_string_not_equal(tn_report_heading(*c, TN_REPORT_ALERTS, "kind", TN_REPORT_ZH, 2),
					*c);
	for (const char **c = tn_report_case_table; *c; c++)
		assert_string_not_equal(tn_report_heading(*c, TN_REPORT_CASES, "item", TN_REPORT_ZH, 0),
					*c);
}

static void test_display_row(void **state)
{
	static const char *const cols[] = { "group", "name", "received", "backlog", NULL };
	jv r = sample_named(), rows = tn_report_rows(r), row, s;

	(void)state;
	/* a table: the name stands for the code */
	row = tn_report_display_row(jv_array_get(jv_copy(rows), 0), cols, TN_REPORT_CASES,
				    "department", TN_REPORT_ZH, 1);
	s = jv_dump_string(row, 0);
	assert_string_equal(jv_string_value(s), "{\"部门\":\"市场监督管理局\",\"部门名称\":"
			    "\"市场监督管理局\",\"收件\":3,\"期末积压\":4}");
	jv_free(s);
	/* a CSV: the code, the name beside it */
	row = tn_report_display_row(jv_array_get(jv_copy(rows), 1), cols, TN_REPORT_CASES,
				    "department", TN_REPORT_ZH, 0);
	s = jv_dump_string(row, 0);
	assert_string_equal(jv_string_value(s), "{\"部门代码\":\"YBJ\",\"部门名称\":\"医疗保障局\","
			    "\"收件\":2,\"期末积压\":0}");
	jv_free(s);
	/* the total, in each language */
	row = tn_report_display_row(jv_array_get(jv_copy(rows), 2), cols, TN_REPORT_CASES,
				    "department", TN_REPORT_ZH, 0);
	s = jv_dump_string(row, 0);
	assert_string_equal(jv_string_value(s), "{\"部门代码\":\"合计\",\"部门名称\":null,"
			    "\"收件\":5,\"期末积压\":4}");
	jv_free(s);
	row = tn_report_display_row(jv_array_get(jv_copy(rows), 2), cols, TN_REPORT_CASES,
				    "department", TN_REPORT_EN, 0);
	s = jv_dump_string(row, 0);
	assert_string_equal(jv_string_value(s), "{\"group\":\"total\",\"name\":null,"
			    "\"received\":5,\"backlog\":4}");
	jv_free(s);
	/* a row without a group: "-", labelled or not */
	row = tn_report_display_row(jv_parse("{\"received\":1}"), cols, TN_REPORT_CASES,
				    "department", TN_REPORT_EN, 0);
	s = jv_dump_string(row, 0);
	assert_string_equal(jv_string_value(s), "{\"group\":\"-\",\"name\":null,"
			    "\"received\":1,\"backlog\":null}");
	jv_free(s);
	row = tn_report_display_row(jv_parse("{\"received\":1}"), cols, TN_REPORT_CASES,
				    "department", TN_REPORT_EN, 1);
	s = jv_dump_string(row, 0);
	assert_non_null(strstr(jv_string_value(s), ":\"-\""));
	jv_free(s);
	/* by week the name is a Monday: the label stays the week */
	row = jv_parse("{\"group\":\"2026-W41\",\"name\":\"2026-10-05\"}");
	assert_string_equal(tn_report_label(row, "week"), "2026-W41");
	assert_string_equal(tn_report_label(row, "department"), "2026-10-05");
	jv_free(row);
	jv_free(rows);
	jv_free(r);
}

static void test_html_zh(void **state)
{
	struct tn_buf b = TN_BUF_INIT;
	jv r = sample_named(), a;

	(void)state;
	tn_report_html_in(&b, r, TN_REPORT_ZH);
	assert_non_null(strstr(b.buf, "<html lang=\"zh-CN\">"));
	assert_non_null(strstr(b.buf, "<title>办件报表 2026-10-01 至 2026-10-31</title>"));
	assert_non_null(strstr(b.buf, "<th>部门</th><th>收件</th>"));
	assert_non_null(strstr(b.buf, "<th>期末积压</th><th>积压超期</th>"));
	/* names for codes; "*" on the row with a provisional deadline, and its footnote */
	assert_non_null(strstr(b.buf, "<td>市场监督管理局*</td>"));
	assert_non_null(strstr(b.buf, "<td>医疗保障局</td>"));
	assert_non_null(strstr(b.buf, "<td>合计*</td>"));
	assert_non_null(strstr(b.buf, "<p class=\"note\">*：该行有期限为暂定的案件"));
	assert_non_null(strstr(b.buf, "<p class=\"note\">期末积压："));
	assert_non_null(strstr(b.buf, "<p class=\"note\">材料免交率："));
	assert_null(strstr(b.buf, "告警"));
	assert_non_null(strstr(b.buf, "共 5 件中有 1 件的期限为暂定"));
	assert_non_null(strstr(b.buf, "class=\"title\">收件数与按时办结率</text>"));
	assert_non_null(strstr(b.buf, "class=\"label\">市场监督管理局</text>"));
	assert_non_null(strstr(b.buf, "；1 件期限暂定（按周一至周五计算）"));
	/* no line a mail server would refuse */
	for (const char *p = b.buf; *p; ) {
		size_t len = strcspn(p, "\n");

		assert_true(len <= 998);
		p += len + (p[len] == '\n');
	}
	tn_buf_reset(&b);
	/* an alert report: its own notes, none of the cases' */
	a = jv_parse("{\"report\":\"alerts\",\"from\":\"2026-10-01\",\"to\":\"2026-10-31\","
		     "\"by\":\"district\",\"targets_min\":{\"blue\":1440,\"yellow\":720,"
		     "\"orange\":240,\"red\":120},\"groups\":[{\"group\":\"310101\","
		     "\"name\":\"黄浦区\",\"raised\":3,\"provisional_deadlines\":2}],"
		     "\"total\":{\"raised\":3}}");
	tn_report_html_in(&b, a, TN_REPORT_ZH);
	assert_non_null(strstr(b.buf, "<td>黄浦区</td>"));
	assert_non_null(strstr(b.buf, "红色 120 分钟、橙色 240 分钟、黄色 720 分钟、蓝色 1440 分钟"));
	assert_null(strstr(b.buf, "工作日"));
	assert_null(strstr(b.buf, "暂定"));
	assert_null(strstr(b.buf, "材料"));
	tn_buf_reset(&b);
	tn_report_footnotes(&b, a, TN_REPORT_EN);
	assert_non_null(strstr(b.buf, "Closed in target: "));
	assert_null(strstr(b.buf, "Working days"));
	tn_buf_reset(&b);
	tn_report_footnotes(&b, r, TN_REPORT_EN);
	assert_non_null(strstr(b.buf, "Working days count"));
	assert_non_null(strstr(b.buf, "the legal one when that is earlier"));
	assert_null(strstr(b.buf, "Closed in target"));
	jv_free(a);
	jv_free(r);
	tn_buf_release(&b);
}

static void test_svg_zh_empty(void **state)
{
	struct tn_buf b = TN_BUF_INIT;
	jv r = jv_parse("{\"report\":\"cases\",\"from\":\"2026-03-01\",\"to\":\"2026-03-31\","
			"\"by\":\"item\",\"groups\":[],\"total\":{\"received\":0}}");

	(void)state;
	tn_report_svg_in(&b, r, 1, TN_REPORT_ZH);
	assert_non_null(strstr(b.buf, "本期无数据"));
	assert_non_null(strstr(b.buf, "2026-03-01 至 2026-03-31，按事项"));
	assert_non_null(strstr(b.buf, "class=\"legend\">收件数</text>"));
	tn_buf_reset(&b);
	tn_report_svg_in(&b, r, 1, TN_REPORT_EN);
	assert_non_null(strstr(b.buf, "no data in this period"));
	jv_free(r);
	tn_buf_release(&b);
}

static void test_write_file(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	char dir[] = "/tmp/test_report.XXXXXX", path[128], buf[16];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.svg", dir);
	assert_int_equal(tn_report_write_file(path, "hello", 5, &err), TN_OK);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof(buf), f), 5);
	fclose(f);
	snprintf(path, sizeof(path), "%s/no/such/dir.svg", dir);
	assert_int_equal(tn_report_write_file(path, "x", 1, &err), TN_EIO);
	assert_non_null(strstr(err.message, "no/such/dir.svg"));
	snprintf(path, sizeof(path), "%s/out.svg", dir);
	unlink(path);
	rmdir(dir);
}

static void test_lock(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf p = TN_BUF_INIT;
	char dir[] = "/tmp/test_report.XXXXXX";
	int a, b;

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("XDG_RUNTIME_DIR", dir, 1);
	tn_report_lock_path(&p, "case-report");
	assert_int_equal(strncmp(p.buf, dir, strlen(dir)), 0);
	assert_string_equal(p.buf + strlen(dir), "/twonet-case-report.lock");
	assert_int_equal(tn_report_lock("case-report", 0, &a, &err), TN_OK);
	/* flock locks belong to the open file: a second open in this process conflicts too */
	assert_int_equal(tn_report_lock("case-report", 0, &b, &err), TN_ECONFLICT);
	assert_int_equal(b, -1);
	assert_non_null(strstr(err.message, "another case-report is running"));
	tn_report_unlock(a);
	assert_int_equal(tn_report_lock("case-report", 0, &b, &err), TN_OK);
	tn_report_unlock(b);
	unlink(p.buf);
	tn_buf_reset(&p);
	setenv("XDG_RUNTIME_DIR", "relative/path", 1);  /* not a folder: /tmp, keyed by uid */
	tn_report_lock_path(&p, "case-report");
	assert_int_equal(strncmp(p.buf, "/tmp/twonet-case-report-", 24), 0);
	unsetenv("XDG_RUNTIME_DIR");
	rmdir(dir);
	tn_buf_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_period_words),
		cmocka_unit_test(test_period_dates),
		cmocka_unit_test(test_report_period),
		cmocka_unit_test(test_today),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_chart_scale),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_lang),
		cmocka_unit_test(test_display_row),
		cmocka_unit_test(test_html_zh),
		cmocka_unit_test(test_svg_zh_empty),
		cmocka_unit_test(test_write_file),
		cmocka_unit_test(test_lock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
