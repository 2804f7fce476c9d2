/* test_vitals.c — the vital signs' library: the indicators file (every check with FILE:LINE), levels from thresholds both ways, trends, tasks past target, the line and table forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tn_alert.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_vitals.h"

static const char *good =
	"indicators:\n"
	"  - id: red_alerts\n"
	"    name: 红色预警\n"
	"    measure: alerts_open\n"
	"    filters: {severity: 红色, district: \"310101\"}\n"
	"    thresholds: {yellow: 1, red: 3}\n"
	"  - id: trucks\n"
	"    name: 空闲泵车\n"
	"    measure: trucks_free\n"
	"    thresholds: {yellow: 20, red: 5}\n"
	"    direction: lower_is_worse\n";

static struct tn_vitals *parse_ok(const char *text)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_vitals *vs = NULL;

	if (tn_vitals_parse("v.yaml", text, strlen(text), &vs, &err) != TN_OK)
		fail_msg("%s", err.message);
	return vs;
}

static void test_parse(void **state)
{
	struct tn_vitals *vs = parse_ok(good);

	(void)state;
	assert_int_equal(vs->n, 2);
	assert_string_equal(vs->v[0].id, "red_alerts");
	assert_string_equal(vs->v[0].severity, "red");     /* canonical name */
	assert_string_equal(vs->v[0].district, "310101");
	assert_null(vs->v[0].kind);
	assert_int_equal(vs->v[0].lower_is_worse, 0);
	assert_int_equal(vs->v[1].lower_is_worse, 1);
	assert_int_equal(vs->v[1].line, 7);
	tn_vitals_free(vs);
}

/* `text` is refused with a message starting "v.yaml:LINE: " and holding `what`. */
static void refused(const char *text, int line, const char *what)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_vitals *vs = (struct tn_vitals *)1;
	char prefix[32];

	assert_int_equal(tn_vitals_parse("v.yaml", text, strlen(text), &vs, &err), TN_EINVALID);
	assert_null(vs);
	snprintf(prefix, sizeof(prefix), "v.yaml:%d:", line);
	if (strncmp(err.message, prefix, strlen(prefix)) != 0 || !strstr(err.message, what))
		fail_msg("wanted %s ... %s, got %s", prefix, what, err.message);
}

#define J(s) tn_json_parse(s, strlen(s))
#define HEAD "indicators:\n  - id: a\n    name: A\n"
static void test_refused(void **state)
{
	(void)state;
	refused("indicator: []\n", 1, "unknown key 'indicator'");
	refused("indicators: 3\n", 1, "must be a list");
	refused(HEAD "    measure: rainfall\n    thresholds: {yellow: 1, red: 2}\n", 4,
		"'rainfall' is not one the server knows");
	refused(HEAD "    measure: alerts_open\n    filters: {department: SHGA}\n"
		"    thresholds: {yellow: 1, red: 2}\n", 5, "unknown key 'department'");
	refused(HEAD "    measure: alerts_open\n    filters: {severity: purple}\n"
		"    thresholds: {yellow: 1, red: 2}\n", 5, "'purple' is not a severity");
	refused(HEAD "    measure: alerts_open\n    thresholds: {yellow: 5, red: 2}\n", 5,
		"yellow (5) must be at most red (2)");
	refused(HEAD "    measure: trucks_free\n    thresholds: {yellow: 2, red: 5}\n"
		"    direction: lower_is_worse\n", 5, "must be at least red");
	refused(HEAD "    measure: alerts_open\n    thresholds: {yellow: x, red: 2}\n", 5,
		"thresholds.yellow: 'x' is not a number");
	refused(HEAD "    measure: alerts_open\n    thresholds: {yellow: 1}\n", 5,
		"thresholds.red is missing");
	refused(HEAD "    measure: alerts_open\n", 2, "thresholds is missing");
	refused(HEAD "    measure: alerts_open\n    thresholds: {yellow: 1, red: 2}\n"
		"    direction: up\n", 6, "'up' is neither");
	refused(HEAD "    measure: alerts_open\n    colour: red\n", 5, "unknown key 'colour'");
	refused(HEAD "    measure: filings_today\n    by: district\n", 5, "by: only alerts_open");
	refused(HEAD "    measure: alerts_open\n    by: street\n", 5, "by: only alerts_open");
	refused("indicators:\n  - name: A\n    measure: alerts_open\n", 2, "id is missing");
	refused("indicators:\n  - id: A-1\n    name: A\n    measure: alerts_open\n"
		"    thresholds: {yellow: 1, red: 2}\n", 2, "must be a-z");
	refused(HEAD "    measure: alerts_open\n    thresholds: {yellow: 1, red: 2}\n"
		"  - id: a\n    name: B\n    measure: filings_today\n"
		"    thresholds: {yellow: 1, red: 2}\n", 6, "id 'a' again (first at line 2)");
}

static void test_levels(void **state)
{
	struct tn_vitals *vs = parse_ok(good);
	const struct tn_vital *hi = &vs->v[0], *lo = &vs->v[1];

	(void)state;
	assert_int_equal(tn_vital_level(hi, 0), TN_VITAL_GREEN);
	assert_int_equal(tn_vital_level(hi, 1), TN_VITAL_YELLOW);       /* starts at the threshold */
	assert_int_equal(tn_vital_level(hi, 2), TN_VITAL_YELLOW);
	assert_int_equal(tn_vital_level(hi, 3), TN_VITAL_RED);
	assert_int_equal(tn_vital_level(hi, 1000), TN_VITAL_RED);
	assert_int_equal(tn_vital_level(lo, 50), TN_VITAL_GREEN);
	assert_int_equal(tn_vital_level(lo, 21), TN_VITAL_GREEN);
	assert_int_equal(tn_vital_level(lo, 20), TN_VITAL_YELLOW);
	assert_int_equal(tn_vital_level(lo, 6), TN_VITAL_YELLOW);
	assert_int_equal(tn_vital_level(lo, 5), TN_VITAL_RED);
	assert_int_equal(tn_vital_level(lo, 0), TN_VITAL_RED);
	assert_string_equal(tn_vital_level_name(TN_VITAL_YELLOW), "yellow");
	assert_null(tn_vital_level_name(TN_VITAL_UNKNOWN));
	assert_int_equal(tn_vital_level_parse("red"), TN_VITAL_RED);
	assert_int_equal(tn_vital_level_parse("purple"), TN_VITAL_UNKNOWN);
	assert_string_equal(tn_vital_trend(12, 10), "up");
	assert_string_equal(tn_vital_trend(3, 10), "down");
	assert_string_equal(tn_vital_trend(4, 4), "flat");
	assert_string_equal(tn_vitals_period("alerts_open"), "1h");
	assert_string_equal(tn_vitals_period("filings_today"), "1d");
	assert_null(tn_vitals_period("trucks_free"));
	tn_vitals_free(vs);
}

/* The indicator's JSON, its line and its worst level. */
static void test_indicator(void **state)
{
	struct tn_vitals *vs = parse_ok(good);
	jv ind = tn_vitals_indicator(&vs->v[0], 2, 0, NULL), body, list;
	struct tn_buf b = TN_BUF_INIT;

	(void)state;
	assert_string_equal(tn_jv_str(ind, "level"), "yellow");
	assert_string_equal(tn_jv_str(ind, "trend"), "up");
	assert_string_equal(tn_jv_str(ind, "period"), "1h");
	tn_vitals_format_line(&b, ind, 0);
	assert_string_equal(b.buf, "红色预警 2 ▲ yellow");
	tn_buf_reset(&b);
	tn_vitals_format_row(&b, ind, 0, 0);
	assert_non_null(strstr(b.buf, "▲+2"));
	assert_non_null(strstr(b.buf, "1/3"));
	list = jv_array_append(jv_array(), ind);
	ind = tn_vitals_indicator(&vs->v[1], -1, -1, "not measured");
	assert_true(jv_get_kind(tn_jv_get(ind, "value")) == JV_KIND_NULL);
	assert_null(tn_jv_str(ind, "level"));
	assert_null(tn_jv_str(ind, "trend"));
	tn_buf_reset(&b);
	tn_vitals_format_line(&b, ind, 0);
	assert_string_equal(b.buf, "空闲泵车 - unknown");
	list = jv_array_append(list, ind);
	body = jv_object_set(jv_object(), jv_string("indicators"), list);
	assert_int_equal(tn_vitals_worst(body), TN_VITAL_YELLOW);
	ind = tn_vitals_indicator(&vs->v[1], 4, 4, NULL);
	tn_buf_reset(&b);
	tn_vitals_format_line(&b, ind, 0);
	assert_string_equal(b.buf, "空闲泵车 4 = red");
	jv_free(ind);
	jv_free(body);
	tn_buf_release(&b);
	tn_vitals_free(vs);
}

/* Generated at 10:00 with targets dispatch 5 min, resolve 1 h. */
static void test_task_past(void **state)
{
	long long t0, at;
	jv task;

	(void)state;
	assert_int_equal(tn_time_parse("2026-12-01T10:00:00+08:00", &t0), 0);
	task = J("{\"generated_at\":\"2026-12-01T10:00:00+08:00\","
				 "\"targets\":{\"dispatch_s\":300,\"resolve_s\":3600}}");
	assert_int_equal(tn_vitals_task_past(task, t0 - 1), 0);        /* not yet there */
	assert_int_equal(tn_vitals_task_past(task, t0 + 300), 0);      /* the target itself */
	assert_int_equal(tn_vitals_task_past(task, t0 + 301), 1);      /* undispatched past 5 min */
	task = jv_object_set(task, jv_string("dispatched_at"),
			     jv_string("2026-12-01T10:02:00+08:00"));
	assert_int_equal(tn_vitals_task_past(task, t0 + 301), 0);      /* dispatched in time */
	at = t0 + 3601;
	assert_int_equal(tn_vitals_task_past(task, at), 1);            /* not resolved in 1 h */
	task = jv_object_set(task, jv_string("resolved_at"),
			     jv_string("2026-12-01T11:30:00+08:00"));
	assert_int_equal(tn_vitals_task_past(task, at), 1);            /* resolved later: past then */
	assert_int_equal(tn_vitals_task_past(task, t0 + 5401), 0);     /* closed by then */
	jv_free(task);
	task = J("{\"generated_at\":\"2026-12-01T10:00:00+08:00\"}");
	assert_int_equal(tn_vitals_task_past(task, t0 + 86400), 0);    /* no targets */
	jv_free(task);
}

/* A file: read and parsed, its name in the messages; a missing one is TN_EIO. */
static void test_load(void **state)
{
	char path[] = "/tmp/test_vitals.XXXXXX";
	struct tn_err err = TN_ERR_INIT;
	struct tn_vitals *vs = NULL;
	int fd = mkstemp(path);
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;

	(void)state;
	assert_non_null(fp);
	fputs(good, fp);
	fclose(fp);
	assert_int_equal(tn_vitals_load(path, &vs, &err), TN_OK);
	assert_int_equal(vs->n, 2);
	tn_vitals_free(vs);
	fp = fopen(path, "w");
	fputs("indicators:\n  - id: a\n", fp);
	fclose(fp);
	assert_int_equal(tn_vitals_load(path, &vs, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, path));
	assert_non_null(strstr(err.message, ":2: name is missing"));
	unlink(path);
	assert_int_equal(tn_vitals_load(path, &vs, &err), TN_EIO);
	assert_null(vs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_indicator),
		cmocka_unit_test(test_task_past),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
