/* test_taskreport.c — the task evaluation report: exact medians and p90, shares within target, late plan steps, groups, headings in both languages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_report.h"
#include "tn_task.h"

static long long t0;    /* 2026-07-01T10:00:00+08:00 */

static jv parse(const char *text)
{
	jv v = tn_json_parse(text, strlen(text));

	assert_true(jv_is_valid(v));
	return v;
}

static jv at(long long epoch)
{
	char buf[40];

	tn_time_rfc3339(epoch, buf, sizeof(buf));
	return jv_string(buf);
}

/*
 * A task of `kind` in `district` generated at t0 + gen, with the times
 * (seconds after generation; < 0: not yet) of dispatch, acknowledgement and
 * resolution, and the targets of the rule.
 */
static jv task(const char *kind, const char *district, long long gen, long long dispatch,
	       long long ack, long long resolve)
{
	char buf[1024];
	jv t;

	snprintf(buf, sizeof(buf),
		 "{\"kind\":\"%s\",\"kind_name\":\"%s\",\"district\":\"%s\","
		 "\"district_name\":\"%s\",\"department\":\"SHSW\",\"status\":\"%s\","
		 "\"targets\":{\"dispatch_s\":300,\"acknowledge_s\":600,\"on_site_s\":1800,"
		 "\"resolve_s\":7200},\"escalations\":[],\"plan\":{\"steps\":[]}}",
		 kind, strcmp(kind, "waterlogging") == 0 ? "道路积水" : "电梯故障", district,
		 strcmp(district, "310101") == 0 ? "黄浦区" : "徐汇区",
		 resolve >= 0 ? "resolved" : ack >= 0 ? "acknowledged" :
		 dispatch >= 0 ? "dispatched" : "generated");
	t = parse(buf);
	t = jv_object_set(t, jv_string("generated_at"), at(t0 + gen));
	t = jv_object_set(t, jv_string("dispatched_at"), dispatch >= 0 ? at(t0 + gen + dispatch) :
			  jv_null());
	t = jv_object_set(t, jv_string("acknowledged_at"), ack >= 0 ? at(t0 + gen + ack) :
			  jv_null());
	return jv_object_set(t, jv_string("resolved_at"), resolve >= 0 ?
			     at(t0 + gen + resolve) : jv_null());
}

static double num(jv row, const char *key)
{
	jv v = tn_jv_get(row, key);
	double d = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : -999;

	jv_free(v);
	return d;
}

static int is_null(jv row, const char *key)
{
	return tn_jv_is(row, key, NULL);
}

/* The report's group i (owned). */
static jv group(jv doc, int i)
{
	return jv_array_get(tn_jv_array(doc, "groups"), i);
}

static void test_median_p90(void **state)
{
	struct tn_task_report *r = tn_task_report_new(t0 + 86400);
	jv doc, g;

	/* dispatched after 1..10 minutes: median 5.5, p90 the 9th value */
	for (int m = 10; m >= 1; m--)
		tn_task_report_add(r, task("waterlogging", "310101", 0, m * 60, -1, -1));
	doc = tn_task_report_result(r);
	g = group(doc, 0);
	assert_int_equal(num(g, "generated"), 10);
	assert_int_equal(num(g, "dispatch_min_n"), 10);
	assert_true(num(g, "dispatch_min_median") == 5.5);
	assert_true(num(g, "dispatch_min_p90") == 9);
	assert_int_equal(num(g, "acknowledge_min_n"), 0);
	assert_true(is_null(g, "acknowledge_min_median"));
	assert_true(is_null(g, "acknowledge_min_p90"));
	jv_free(g);
	jv_free(doc);
	tn_task_report_free(r);

	/* odd: 2, 4, 6, 8, 100 minutes, and seconds kept: 90 s is 1.5 minutes */
	r = tn_task_report_new(t0 + 86400);
	tn_task_report_add(r, task("waterlogging", "310101", 0, 60, 8 * 60, -1));
	tn_task_report_add(r, task("waterlogging", "310101", 0, 60, 100 * 60, -1));
	tn_task_report_add(r, task("waterlogging", "310101", 0, 60, 2 * 60, -1));
	tn_task_report_add(r, task("waterlogging", "310101", 0, 60, 6 * 60, -1));
	tn_task_report_add(r, task("waterlogging", "310101", 0, 60, 4 * 60, -1));
	tn_task_report_add(r, task("lift_fault", "310104", 0, 90, -1, -1));
	doc = tn_task_report_result(r);
	g = group(doc, 1);
	assert_string_equal(tn_jv_str(g, "kind"), "waterlogging");
	assert_int_equal(num(g, "acknowledge_min_n"), 5);
	assert_true(num(g, "acknowledge_min_median") == 6);
	assert_true(num(g, "acknowledge_min_p90") == 100);
	jv_free(g);
	g = group(doc, 0);
	assert_string_equal(tn_jv_str(g, "kind"), "lift_fault");
	assert_true(num(g, "dispatch_min_median") == 1.5);
	jv_free(g);
	g = tn_jv_get(doc, "total");
	assert_int_equal(num(g, "generated"), 6);
	assert_int_equal(num(g, "dispatch_min_n"), 6);
	assert_true(num(g, "dispatch_min_median") == 1);      /* 60 60 60 60 60 90 */
	assert_true(num(g, "dispatch_min_p90") == 1.5);
	assert_false(tn_jv_has(g, "kind"));
	jv_free(g);
	jv_free(doc);
	tn_task_report_free(r);
}

static void test_within_target(void **state)
{
	long long now = t0 + 100000;
	struct tn_task_report *r = tn_task_report_new(now);
	jv doc, g;

	/* dispatch target 300 s: 60 and 300 in, 301 past */
	tn_task_report_add(r, task("waterlogging", "310101", 0, 60, -1, -1));
	tn_task_report_add(r, task("waterlogging", "310101", 0, 300, -1, -1));
	tn_task_report_add(r, task("waterlogging", "310101", 0, 301, -1, -1));
	/* not dispatched, generated 1000 s before the report: past its target */
	tn_task_report_add(r, task("waterlogging", "310101", 100000 - 1000, -1, -1, -1));
	/* not dispatched, 100 s old: not counted yet */
	tn_task_report_add(r, task("waterlogging", "310101", 100000 - 100, -1, -1, -1));
	/* a task without targets is timed but not counted against one */
	g = task("waterlogging", "310101", 0, 5000, -1, -1);
	tn_task_report_add(r, jv_object_set(g, jv_string("targets"), jv_null()));
	doc = tn_task_report_result(r);
	g = group(doc, 0);
	assert_int_equal(num(g, "generated"), 6);
	assert_int_equal(num(g, "open"), 6);
	assert_int_equal(num(g, "dispatch_min_n"), 4);
	assert_int_equal(num(g, "dispatch_in_target"), 2);
	assert_int_equal(num(g, "dispatch_past_target"), 2);
	assert_true(num(g, "dispatch_in_target_rate") == 50);
	/* acknowledgement: none done; target 600 s passed for the four old ones */
	assert_int_equal(num(g, "acknowledge_in_target"), 0);
	assert_int_equal(num(g, "acknowledge_past_target"), 4);
	assert_true(num(g, "acknowledge_in_target_rate") == 0);
	jv_free(g);
	jv_free(doc);
	tn_task_report_free(r);

	/* resolve: 2 of 3 within 7200 s: 66.7% */
	r = tn_task_report_new(now);
	tn_task_report_add(r, task("waterlogging", "310101", 0, 60, 120, 3600));
	tn_task_report_add(r, task("waterlogging", "310101", 0, 60, 120, 7200));
	tn_task_report_add(r, task("waterlogging", "310101", 0, 60, 120, 7201));
	doc = tn_task_report_result(r);
	g = group(doc, 0);
	assert_true(num(g, "resolve_in_target_rate") == 66.7);
	assert_int_equal(num(g, "resolved"), 3);
	assert_int_equal(num(g, "open"), 0);
	assert_true(num(g, "resolve_min_median") == 120);
	assert_true(is_null(g, "score_mean"));
	jv_free(g);
	jv_free(doc);
	tn_task_report_free(r);
}

static void test_late_steps_escalations_scores(void **state)
{
	long long now = t0 + 2000;
	struct tn_task_report *r = tn_task_report_new(now);
	jv t = task("waterlogging", "310101", 0, 60, -1, -1), steps = jv_array(), doc, g;
	static const struct {
		const char *status;
		long long due, done;
	} s[] = {
		{ "done", 900, 1000 },          /* late */
		{ "done", 900, 800 },           /* in time */
		{ "done", 900, 900 },           /* in time: on the due second */
		{ "pending", 1500, -1 },        /* late: past due at the report */
		{ "pending", 2500, -1 },        /* not yet due */
		{ "skipped", 100, -1 },         /* skipped: never late */
	};

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		jv st = jv_object_set(jv_object(), jv_string("status"), jv_string(s[i].status));

		st = jv_object_set(st, jv_string("due_at"), at(t0 + s[i].due));
		st = jv_object_set(st, jv_string("done_at"), s[i].done >= 0 ? at(t0 + s[i].done) :
				   jv_null());
		steps = jv_array_append(steps, st);
	}
	t = jv_object_set(t, jv_string("plan"), jv_object_set(jv_object(), jv_string("steps"),
							      steps));
	t = jv_object_set(t, jv_string("escalations"), parse("[{\"level\":1},{\"level\":2}]"));
	tn_task_report_add(r, t);
	t = task("waterlogging", "310101", 0, 60, 120, 600);
	t = jv_object_set(t, jv_string("status"), jv_string("evaluated"));
	t = jv_object_set(t, jv_string("evaluation"), parse("{\"score\":4}"));
	tn_task_report_add(r, t);
	t = task("waterlogging", "310101", 0, 60, 120, 600);
	t = jv_object_set(t, jv_string("status"), jv_string("evaluated"));
	t = jv_object_set(t, jv_string("evaluation"), parse("{\"score\":5,\"comment\":\"好\"}"));
	tn_task_report_add(r, t);
	tn_task_report_add(r, jv_string("not a task"));
	tn_task_report_add(r, jv_null());
	doc = tn_task_report_result(r);
	g = group(doc, 0);
	assert_int_equal(num(g, "generated"), 3);
	assert_int_equal(num(g, "steps"), 6);
	assert_int_equal(num(g, "steps_late"), 2);
	assert_int_equal(num(g, "escalations"), 2);
	assert_int_equal(num(g, "escalated"), 1);
	assert_int_equal(num(g, "evaluated"), 2);
	assert_int_equal(num(g, "resolved"), 2);
	assert_true(num(g, "score_mean") == 4.5);
	jv_free(g);
	jv_free(doc);
	tn_task_report_free(r);
}

static void test_empty(void **state)
{
	struct tn_task_report *r = tn_task_report_new(t0);
	jv doc = tn_task_report_result(r), total = tn_jv_get(doc, "total");

	assert_string_equal(tn_jv_str(doc, "report"), "tasks");
	assert_string_equal(tn_jv_str(doc, "as_of"), "2026-07-01T10:00:00+08:00");
	assert_int_equal(jv_array_length(tn_jv_array(doc, "groups")), 0);
	assert_int_equal(num(total, "generated"), 0);
	assert_true(is_null(total, "dispatch_min_median"));
	assert_true(is_null(total, "resolve_in_target_rate"));
	assert_int_equal(tn_report_kind_of(doc), TN_REPORT_TASKS);
	jv_free(total);
	jv_free(doc);
	tn_task_report_free(r);
	tn_task_report_free(NULL);
}

static void test_rows_in_both_languages(void **state)
{
	struct tn_task_report *r = tn_task_report_new(t0 + 86400);
	struct tn_buf notes = TN_BUF_INIT;
	jv doc, rows, row, shown;

	tn_task_report_add(r, task("waterlogging", "310101", 0, 60, 120, 600));
	tn_task_report_add(r, task("lift_fault", "310104", 0, 60, -1, -1));
	doc = tn_task_report_result(r);
	rows = tn_report_rows(doc);
	assert_int_equal(jv_array_length(jv_copy(rows)), 3);

	row = jv_array_get(jv_copy(rows), 1);
	shown = tn_report_display_row(row, tn_report_task_table, TN_REPORT_TASKS, "kind",
				      TN_REPORT_ZH, 1);
	assert_string_equal(tn_jv_str(shown, "告警类型"), "道路积水");
	assert_string_equal(tn_jv_str(shown, "区"), "黄浦区");
	assert_string_equal(tn_jv_str(shown, "部门"), "SHSW");
	assert_true(num(shown, "生成任务") == 1);
	assert_true(num(shown, "未办结") == 0);
	assert_true(num(shown, "签收分钟中位数") == 2);
	assert_true(num(shown, "按时处置率%") == 100);
	assert_true(tn_jv_has(shown, "预案步骤超时"));
	assert_true(tn_jv_has(shown, "升级次数"));
	jv_free(shown);

	row = jv_array_get(jv_copy(rows), 2);
	shown = tn_report_display_row(row, tn_report_task_table, TN_REPORT_TASKS, "kind",
				      TN_REPORT_ZH, 1);
	assert_string_equal(tn_jv_str(shown, "告警类型"), "合计");
	assert_true(num(shown, "生成任务") == 2);
	assert_true(is_null(shown, "区"));
	jv_free(shown);

	row = jv_array_get(jv_copy(rows), 0);
	shown = tn_report_display_row(row, tn_report_task_csv, TN_REPORT_TASKS, "kind",
				      TN_REPORT_EN, 0);
	assert_string_equal(tn_jv_str(shown, "group"), "lift_fault");
	assert_string_equal(tn_jv_str(shown, "name"), "电梯故障");
	assert_string_equal(tn_jv_str(shown, "district"), "310104");
	assert_true(num(shown, "dispatch_min_median") == 1);
	assert_true(tn_jv_has(shown, "score_mean"));
	jv_free(shown);
	for (int i = 0; tn_report_task_csv[i]; i++)
		assert_string_not_equal(tn_report_heading(tn_report_task_csv[i], TN_REPORT_TASKS,
							  "kind", TN_REPORT_ZH, 2),
					tn_report_task_csv[i]);
	assert_string_equal(tn_report_heading("resolve_min_p90", TN_REPORT_TASKS, "kind",
					      TN_REPORT_EN, 0), "resolve_min_p90");

	assert_ptr_equal(tn_report_columns(TN_REPORT_TASKS, 0), tn_report_task_table);
	assert_ptr_equal(tn_report_columns(TN_REPORT_TASKS, 1), tn_report_task_csv);
	assert_ptr_equal(tn_report_columns(TN_REPORT_ALERTS, 1), tn_report_alert_csv);
	assert_ptr_equal(tn_report_columns(TN_REPORT_CASES, 0), tn_report_case_table);
	tn_report_html_in(&notes, doc, TN_REPORT_ZH);
	assert_non_null(strstr(notes.buf, "<h1>任务评估报表</h1>"));
	assert_non_null(strstr(notes.buf, "<th>生成任务</th>"));
	assert_non_null(strstr(notes.buf, "<td>道路积水</td>"));
	assert_non_null(strstr(notes.buf, "任务数与按时处置率"));
	assert_non_null(strstr(notes.buf, "预案步骤超时"));
	tn_buf_reset(&notes);
	tn_report_html_in(&notes, doc, TN_REPORT_EN);
	assert_non_null(strstr(notes.buf, "<h1>Task report</h1>"));
	assert_non_null(strstr(notes.buf, "<th>Tasks generated</th>"));
	assert_non_null(strstr(notes.buf, "Tasks generated and resolved within target"));
	tn_buf_reset(&notes);

	tn_report_footnotes(&notes, doc, TN_REPORT_ZH);
	assert_non_null(strstr(notes.buf, "预案步骤超时"));
	tn_buf_reset(&notes);
	tn_report_footnotes(&notes, doc, TN_REPORT_EN);
	assert_non_null(strstr(notes.buf, "Plan steps late"));
	tn_buf_release(&notes);
	jv_free(rows);
	jv_free(doc);
	tn_task_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median_p90),
		cmocka_unit_test(test_within_target),
		cmocka_unit_test(test_late_steps_escalations_scores),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_rows_in_both_languages),
	};

	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	assert_int_equal(tn_time_parse("2026-07-01T10:00:00+08:00", &t0), 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
