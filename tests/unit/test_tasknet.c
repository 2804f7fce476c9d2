/* test_tasknet.c — the client side of tasks without a server: ids from stdin lines, --since/--until words, list paths, arguments checked by the lib, the plan steps' states and the text view. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_ndjson.h"
#include "tn_task.h"
#include "tn_tasknet.h"
#include "tn_tasktext.h"

static jv parse(const char *text)
{
	jv v = tn_json_parse(text, strlen(text));

	assert_true(jv_is_valid(v));
	return v;
}

static void test_ids_from_lines(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	long long v = -5;
	jv task;

	(void)state;
	assert_int_equal(tn_task_from_line("  7", &v, &task, &err), 7);
	assert_int_equal(v, 0);
	assert_false(jv_is_valid(task));
	assert_int_equal(tn_task_from_line("{\"id\":3,\"version\":9,\"status\":\"dispatched\"}", &v,
					   &task, &err), 3);
	assert_int_equal(v, 9);
	assert_string_equal(tn_jv_str(task, "status"), "dispatched");
	jv_free(task);
	assert_int_equal(tn_task_from_line("x", &v, &task, &err), -1);
	assert_string_equal(err.message, "'x' is not a task id");
	assert_int_equal(err.code, TN_EINVALID);
	tn_err_clear(&err);
	assert_int_equal(tn_task_from_line("{\"version\":2}", &v, &task, &err), -1);
	assert_string_equal(err.message, "no task \"id\" in the line");
	assert_false(jv_is_valid(task));
	tn_err_clear(&err);
	/* the alerts' reading goes through the same function: seq is their version */
	assert_int_equal(tn_alert_id_from_line("{\"id\":4,\"seq\":12}", &v, &err), 4);
	assert_int_equal(v, 12);
	assert_int_equal(tn_alert_id_from_line("0", &v, &err), -1);
	assert_string_equal(err.message, "'0' is not an alert id");
	tn_err_clear(&err);
	assert_int_equal(tn_ndjson_number_id("12345678901234567890123456789012345", "task", NULL,
					     &err), -1);
	tn_err_clear(&err);
}

static void test_time_words(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	char out[40];
	long today;

	(void)state;
	assert_int_equal(tn_date_parse("2026-12-04", &today), 0);
	assert_int_equal(tn_task_time("--since", "today", 0, today, out, sizeof(out), &err), TN_OK);
	assert_string_equal(out, "2026-12-04T00:00:00+08:00");
	assert_int_equal(tn_task_time("--until", "last-month", 1, today, out, sizeof(out), &err),
			 TN_OK);
	assert_string_equal(out, "2026-11-30T23:59:59+08:00");
	assert_int_equal(tn_task_time("--until", "2026-12-01", 1, today, out, sizeof(out), &err),
			 TN_OK);
	assert_string_equal(out, "2026-12-01T23:59:59+08:00");
	assert_int_equal(tn_task_time("--since", "2026-12-01T08:30:00+08:00", 0, today, out,
				      sizeof(out), &err), TN_OK);
	assert_string_equal(out, "2026-12-01T08:30:00+08:00");
	assert_int_equal(tn_task_time("--since", "2h", 0, today, out, sizeof(out), &err), TN_OK);
	assert_true(tn_time_valid(out));
	assert_int_equal(tn_task_time("--since", "someday", 0, today, out, sizeof(out), &err),
			 TN_EUSAGE);
	assert_non_null(strstr(err.message, "--since takes a time"));
	tn_err_clear(&err);
}

static void test_query_path(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf b = TN_BUF_INIT;
	struct tn_task_query q;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.status = "generated,dispatched";
	q.district = "黄浦区";
	q.priority = "2";
	q.open = 1;
	q.alert = "41";
	assert_int_equal(tn_task_query_path(&q, 50, "c1", &b, &err), TN_OK);
	assert_string_equal(b.buf, "/v1/tasks?status=generated%2Cdispatched&district=%E9%BB%84%E6%B5"
			    "%A6%E5%8C%BA&priority=2&open=true&alert=41&cursor=c1&limit=50");
	tn_buf_reset(&b);
	q.status = "generated,done";
	assert_int_equal(tn_task_query_path(&q, 50, NULL, &b, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "--status takes generated|"));
	tn_err_clear(&err);
	q.status = NULL;
	q.priority = "5";
	assert_int_equal(tn_task_query_path(&q, 50, NULL, &b, &err), TN_EUSAGE);
	tn_err_clear(&err);
	q.priority = NULL;
	q.alert = "x";
	assert_int_equal(tn_task_query_path(&q, 50, NULL, &b, &err), TN_EUSAGE);
	tn_err_clear(&err);
	tn_buf_release(&b);
}

static void test_args_check(void **state)
{
	struct tn_err err = TN_ERR_INIT;

	(void)state;
	assert_int_equal(tn_task_args_check("evaluate", parse("{\"score\":4,\"comment\":\"ok\"}"),
					    &err), TN_OK);
	assert_int_equal(tn_task_args_check("evaluate", parse("{\"score\":6}"), &err), TN_EINVALID);
	assert_string_equal(err.message, "score: 6 is not a score 1..5");
	tn_err_clear(&err);
	assert_int_equal(tn_task_args_check("step", parse("{\"step\":3}"), &err), TN_OK);
	assert_int_equal(tn_task_args_check("dispatch", parse("{}"), &err), TN_EINVALID);
	tn_err_clear(&err);
	assert_int_equal(tn_task_args_check("resolve", parse("{}"), &err), TN_OK);
	assert_int_equal(tn_task_args_check("resolv", parse("{}"), &err), TN_EUSAGE);
	assert_non_null(strstr(err.message, "did you mean 'resolve'"));
	tn_err_clear(&err);
}

static void test_steps_and_text(void **state)
{
	long long now;
	jv task = parse("{\"id\":7,\"version\":3,\"title\":\"黄浦区积水\",\"status\":\"dispatched\","
			"\"priority\":1,\"severity\":\"red\",\"kind\":\"water_depth\",\"kind_name\":"
			"\"积水深度\",\"district\":\"310101\",\"district_name\":\"黄浦区\","
			"\"crew\":\"PT-1\",\"alerts\":[41,57],\"plan\":{\"name\":\"预案\",\"steps\":["
			"{\"n\":1,\"status\":\"done\",\"due_at\":\"2026-07-01T10:15:00+08:00\","
			"\"done_at\":\"2026-07-01T10:10:00+08:00\"},"
			"{\"n\":2,\"status\":\"done\",\"due_at\":\"2026-07-01T10:15:00+08:00\","
			"\"done_at\":\"2026-07-01T10:20:00+08:00\"},"
			"{\"n\":3,\"status\":\"pending\",\"due_at\":\"2026-07-01T10:30:00+08:00\"},"
			"{\"n\":4,\"status\":\"pending\",\"due_at\":\"2026-07-01T11:30:00+08:00\"}]},"
			"\"evaluation\":null}");
	jv rows;
	struct tn_buf b = TN_BUF_INIT;
	static const char *const want[] = { "done", "done late", "late", "pending" };

	(void)state;
	assert_int_equal(tn_time_parse("2026-07-01T11:00:00+08:00", &now), 0);
	rows = tn_task_steps_view(task, now);
	assert_int_equal(jv_array_length(jv_copy(rows)), 4);
	jv_array_foreach(rows, i, row) {
		assert_string_equal(tn_jv_str(row, "state"), want[i]);
		jv_free(row);
	}
	jv_free(rows);
	tn_task_format_text(&b, task);
	assert_non_null(strstr(b.buf, "status:       dispatched 已派发 (version 3)\n"));
	assert_non_null(strstr(b.buf, "alerts:       41 57\n"));
	assert_non_null(strstr(b.buf, "crew:         PT-1\n"));
	assert_null(strstr(b.buf, "evaluation:"));
	tn_buf_release(&b);
	jv_free(task);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_from_lines),
		cmocka_unit_test(test_time_words),
		cmocka_unit_test(test_query_path),
		cmocka_unit_test(test_args_check),
		cmocka_unit_test(test_steps_and_text),
	};

	setenv("TZ", "Asia/Shanghai", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
