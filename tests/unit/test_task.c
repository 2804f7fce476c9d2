/* test_task.c — tasks: a new TASK from an intent, every move of the loop allowed and refused, plan steps, merging, escalation on a fixed clock, table rows. */
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
#include "tn_out.h"
#include "tn_task.h"
#include "tn_text.h"

#define T0_TEXT "2026-07-01T10:00:00+08:00"

static long long t0;

static jv parse(const char *text)
{
	jv v = tn_json_parse(text, strlen(text));

	assert_true(jv_is_valid(v));
	return v;
}

static jv intent_of(const char *severity, int priority, const char *title)
{
	char buf[2048];

	snprintf(buf, sizeof(buf),
		 "{\"rule\":\"road-flooding\",\"key\":\"310101/中山东一路\",\"dedupe_s\":7200,"
		 "\"title\":\"%s\",\"kind\":\"waterlogging\",\"kind_name\":\"道路积水\","
		 "\"severity\":\"%s\",\"priority\":%d,\"department\":\"SHSW\","
		 "\"crew_pool\":\"泵车队\",\"district\":\"310101\",\"district_name\":\"黄浦区\","
		 "\"street\":null,\"street_name\":null,"
		 "\"plan\":{\"name\":\"道路积水应急预案\",\"steps\":["
		 "{\"n\":1,\"title\":\"派遣泵车\",\"who\":\"区排水所\",\"within_s\":900},"
		 "{\"n\":2,\"title\":\"设置警示围挡\",\"who\":\"交警\",\"within_s\":1200}]},"
		 "\"escalate\":["
		 "{\"level\":1,\"after_s\":600,\"unless\":\"acknowledged\",\"priority\":1,"
		 "\"notify\":\"区防汛办\"},"
		 "{\"level\":2,\"after_s\":1800,\"unless\":\"acknowledged\",\"priority\":1,"
		 "\"notify\":\"市防汛指挥部\"}],"
		 "\"targets\":{\"dispatch_s\":300,\"acknowledge_s\":600,\"on_site_s\":1800,"
		 "\"resolve_s\":7200}}", title, severity, priority);
	return parse(buf);
}

static jv alert_of(int id, const char *severity, double value)
{
	char buf[512];

	snprintf(buf, sizeof(buf),
		 "{\"id\":%d,\"source\":\"flood-sensor-7\",\"kind\":\"waterlogging\","
		 "\"severity\":\"%s\",\"district\":\"310101\",\"value\":%g,"
		 "\"headline\":\"中山东一路积水\",\"raised_at\":\"" T0_TEXT "\"}", id, severity, value);
	return parse(buf);
}

/* A new task at t0 from alert 41 (orange, priority 2). */
static jv new_task(void)
{
	jv alert = alert_of(41, "orange", 0.35);
	jv t = tn_task_new(intent_of("orange", 2, "黄浦区中山东一路道路积水0.35米"), alert, t0);

	jv_free(alert);
	return t;
}

static void assert_member(jv obj, const char *key, const char *want)
{
	const char *s = tn_jv_str(obj, key);

	if (!want) {
		assert_true(tn_jv_is(obj, key, NULL));
		return;
	}
	assert_non_null(s);
	assert_string_equal(s, want);
}

/* Act and expect success; returns the new task. */
static jv act_ok(jv task, const char *action, const char *args, const char *actor, long long at)
{
	struct tn_err err = TN_ERR_INIT;
	jv out = jv_invalid();
	enum tn_code rc = tn_task_act(task, action, args ? parse(args) : jv_null(), actor, at,
				      &out, &err);

	if (rc != TN_OK)
		fail_msg("%s: %s", action, err.message);
	return out;
}

/* Act and expect `want`; the task is consumed.  The message in msg. */
static void act_fails(jv task, const char *action, const char *args, enum tn_code want,
		      const char *field, char *msg, size_t size)
{
	struct tn_err err = TN_ERR_INIT;
	jv out = jv_invalid();

	assert_int_equal(tn_task_act(task, action, args ? parse(args) : jv_null(), "tester",
				     t0 + 60, &out, &err), want);
	assert_false(jv_is_valid(out));
	if (field)
		assert_string_equal(err.field, field);
	if (msg)
		snprintf(msg, size, "%s", err.message);
}

static void test_new(void **state)
{
	jv t = new_task(), plan = tn_jv_object(t, "plan"), steps = tn_jv_array(plan, "steps");
	jv s1 = jv_array_get(jv_copy(steps), 0), last = tn_jv_object(t, "last_alert");

	assert_false(tn_jv_has(t, "id"));
	assert_false(tn_jv_has(t, "version"));
	assert_member(t, "status", "generated");
	assert_member(t, "rule", "road-flooding");
	assert_member(t, "kind_name", "道路积水");
	assert_member(t, "severity", "orange");
	assert_int_equal(tn_jv_long(t, "priority", 0), 2);
	assert_member(t, "crew", NULL);
	assert_member(t, "district_name", "黄浦区");
	assert_member(t, "generated_at", T0_TEXT);
	assert_member(t, "dispatched_at", NULL);
	assert_member(t, "evaluated_at", NULL);
	assert_member(t, "evaluation", NULL);
	assert_member(t, "updated_at", T0_TEXT);
	assert_int_equal(tn_jv_long(t, "alert_count", 0), 1);
	assert_true(jv_equal(tn_jv_get(t, "alerts"), parse("[41]")));
	assert_int_equal(tn_jv_long(last, "id", 0), 41);
	assert_member(last, "severity", "orange");
	assert_int_equal(jv_array_length(jv_copy(steps)), 2);
	assert_member(s1, "due_at", "2026-07-01T10:15:00+08:00");
	assert_member(s1, "status", "pending");
	assert_member(s1, "done_at", NULL);
	assert_member(s1, "who", "区排水所");
	assert_member(plan, "name", "道路积水应急预案");
	assert_member(t, "next_escalation_at", "2026-07-01T10:10:00+08:00");
	assert_int_equal(tn_task_next_due(t), t0 + 600);
	assert_int_equal(jv_array_length(tn_jv_array(t, "escalations")), 0);
	assert_int_equal(jv_array_length(tn_jv_array(t, "escalate")), 2);
	jv_free(s1);
	jv_free(last);
	jv_free(steps);
	jv_free(plan);
	jv_free(t);
}

static void test_new_without_alert_id(void **state)
{
	jv alert = parse("{\"kind\":\"waterlogging\",\"severity\":\"red\",\"district\":\"310104\"}");
	jv t = tn_task_new(parse("{\"rule\":\"r\",\"key\":\"k\",\"title\":\"t\"}"), alert, t0);

	assert_int_equal(jv_array_length(tn_jv_array(t, "alerts")), 0);
	assert_int_equal(tn_jv_long(t, "alert_count", 0), 1);
	assert_member(t, "kind", "waterlogging");  /* the alert's, the intent has none */
	assert_member(t, "district", "310104");
	assert_member(t, "next_escalation_at", NULL);
	assert_int_equal(tn_task_next_due(t), 0);
	jv_free(alert);
	jv_free(t);
}

/* A task walked from generated through the first `n` moves of the loop. */
static jv task_in(int n)
{
	static const struct {
		const char *action, *args;
	} walk[] = {
		{ "dispatch", "{\"crew\":\"泵车队一组\"}" }, { "acknowledge", NULL },
		{ "arrive", NULL }, { "resolve", NULL }, { "evaluate", "{\"score\":4}" },
	};
	jv t = new_task();

	for (int i = 0; i < n; i++)
		t = act_ok(t, walk[i].action, walk[i].args, "tester", t0 + 60 * (i + 1));
	return t;
}

static void test_loop_allowed(void **state)
{
	jv t = task_in(5), ev = tn_jv_object(t, "evaluation");

	assert_member(t, "status", "evaluated");
	assert_member(t, "crew", "泵车队一组");
	assert_member(t, "dispatched_at", "2026-07-01T10:01:00+08:00");
	assert_member(t, "acknowledged_at", "2026-07-01T10:02:00+08:00");
	assert_member(t, "on_site_at", "2026-07-01T10:03:00+08:00");
	assert_member(t, "resolved_at", "2026-07-01T10:04:00+08:00");
	assert_member(t, "evaluated_at", "2026-07-01T10:05:00+08:00");
	assert_member(t, "updated_at", "2026-07-01T10:05:00+08:00");
	assert_int_equal(tn_jv_long(ev, "score", 0), 4);
	assert_member(ev, "comment", NULL);
	jv_free(ev);
	jv_free(t);

	/* reopen: resolved back to dispatched, the crew kept, the later times cleared */
	t = act_ok(task_in(4), "reopen", "{\"comment\":\"积水复现\"}", "值班长", t0 + 3600);
	assert_member(t, "status", "dispatched");
	assert_member(t, "crew", "泵车队一组");
	assert_member(t, "dispatched_at", "2026-07-01T10:01:00+08:00");
	assert_member(t, "acknowledged_at", NULL);
	assert_member(t, "on_site_at", NULL);
	assert_member(t, "resolved_at", NULL);
	assert_member(t, "updated_at", "2026-07-01T11:00:00+08:00");
	t = act_ok(t, "acknowledge", NULL, "tester", t0 + 3660);
	assert_member(t, "status", "acknowledged");
	jv_free(t);
}

static void test_loop_refused(void **state)
{
	/* every loop action in every status: allowed only from the status before its own */
	static const char *const acts[] = { "dispatch", "acknowledge", "arrive", "resolve",
					    "evaluate", "reopen" };
	static const char *const args[] = { "{\"crew\":\"泵车队二组\"}", NULL, NULL, NULL,
					    "{\"score\":2}", NULL };
	/* from[a]: the status index action a is allowed from */
	static const int from[] = { 0, 1, 2, 3, 4, 4 };
	char msg[1024];

	for (int s = 0; s < 6; s++) {
		for (int a = 0; a < 6; a++) {
			jv t = task_in(s);
			const char *status = tn_jv_str(t, "status");
			char status_copy[32];

			snprintf(status_copy, sizeof(status_copy), "%s", status);
			if (from[a] == s) {
				jv_free(act_ok(t, acts[a], args[a], "tester", t0 + 3600));
				continue;
			}
			if (a >= 1 && a <= 3 && s == a + 1) {
				/* the step just done asked again: a harmless retry */
				jv same = act_ok(jv_copy(t), acts[a], args[a], "x", t0 + 3600);

				assert_true(jv_equal(t, same));
				continue;
			}
			/* another crew, another score, or a step out of order: refused */
			act_fails(t, acts[a], args[a], TN_ECONFLICT, NULL, msg, sizeof(msg));
			assert_non_null(strstr(msg, acts[a]));
			assert_non_null(strstr(msg, status_copy));
		}
	}
	act_fails(task_in(0), "acknowledge", NULL, TN_ECONFLICT, NULL, msg, sizeof(msg));
	assert_string_equal(msg, "cannot acknowledge a task that is generated "
			    "(acknowledge needs dispatched)");
}

static void test_retry_is_harmless(void **state)
{
	jv t = task_in(2), again = act_ok(jv_copy(t), "acknowledge", NULL, "tester", t0 + 999);

	assert_true(jv_equal(jv_copy(t), again));
	jv_free(t);
	t = task_in(1);
	again = act_ok(jv_copy(t), "dispatch", "{\"crew\":\"泵车队一组\"}", "x", t0 + 999);
	assert_true(jv_equal(jv_copy(t), again));
	jv_free(t);
	t = task_in(5);
	again = act_ok(jv_copy(t), "evaluate", "{\"score\":4}", "x", t0 + 999);
	assert_true(jv_equal(t, again));
}

static void test_bad_arguments(void **state)
{
	char msg[1024], long_comment[3100] = "{\"comment\":\"";

	act_fails(task_in(0), "dispatch", NULL, TN_EINVALID, "crew", NULL, 0);
	act_fails(task_in(0), "dispatch", "{\"crew\":\"\"}", TN_EINVALID, "crew", NULL, 0);
	act_fails(task_in(0), "dispatch", "{\"crew\":7}", TN_EINVALID, "crew", NULL, 0);
	act_fails(task_in(0), "dispatch", "{\"crew\":\"a\\tb\"}", TN_EINVALID, "crew", NULL, 0);
	act_fails(task_in(0), "dispatch", "{\"crew\":\"x\",\"who\":1}", TN_EINVALID, "who",
		  msg, sizeof(msg));
	assert_string_equal(msg, "dispatch takes no argument 'who'");
	act_fails(task_in(1), "acknowledge", "{\"crew\":\"x\"}", TN_EINVALID, "crew", NULL, 0);
	act_fails(task_in(1), "close", NULL, TN_EINVALID, "action", msg, sizeof(msg));
	assert_non_null(strstr(msg, "unknown action 'close'"));
	act_fails(task_in(1), "acknowledge", "[1]", TN_EINVALID, "", NULL, 0);
	for (int i = 0; i < 1001; i++)
		strncat(long_comment, "字", sizeof(long_comment) - strlen(long_comment) - 1);
	strncat(long_comment, "\"}", sizeof(long_comment) - strlen(long_comment) - 1);
	act_fails(task_in(1), "acknowledge", long_comment, TN_EINVALID, "comment", NULL, 0);
	act_fails(task_in(1), "acknowledge", "{\"comment\":5}", TN_EINVALID, "comment", NULL, 0);
	/* a bad argument is invalid even where the status would refuse the step */
	act_fails(task_in(3), "dispatch", "{}", TN_EINVALID, "crew", NULL, 0);
}

static void test_evaluate_score(void **state)
{
	static const char *const bad[] = { "{}", "{\"score\":0}", "{\"score\":6}",
					   "{\"score\":3.5}", "{\"score\":\"5\"}", "{\"score\":-1}",
					   "{\"score\":null}" };
	char msg[1024];
	jv t, ev;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		act_fails(task_in(4), "evaluate", bad[i], TN_EINVALID, "score", msg, sizeof(msg));
	act_fails(task_in(4), "evaluate", "{\"score\":6}", TN_EINVALID, "score", msg, sizeof(msg));
	assert_string_equal(msg, "score: 6 is not a score 1..5");
	for (int s = 1; s <= 5; s++) {
		char args[64];

		snprintf(args, sizeof(args), "{\"score\":%d,\"comment\":\"处置及时\"}", s);
		t = act_ok(task_in(4), "evaluate", args, "评价员", t0 + 7200);
		ev = tn_jv_object(t, "evaluation");
		assert_int_equal(tn_jv_long(ev, "score", 0), s);
		assert_member(ev, "comment", "处置及时");
		jv_free(ev);
		jv_free(t);
	}
}

static void test_plan_steps(void **state)
{
	char msg[1024];
	jv t = act_ok(task_in(1), "step", "{\"step\":2}", "交警张三", t0 + 1500), plan, st, again;

	assert_member(t, "status", "dispatched");
	plan = tn_jv_object(t, "plan");
	st = jv_array_get(tn_jv_array(plan, "steps"), 1);
	assert_member(st, "status", "done");
	assert_member(st, "done_at", "2026-07-01T10:25:00+08:00");
	assert_member(st, "done_by", "交警张三");
	jv_free(st);
	st = jv_array_get(tn_jv_array(plan, "steps"), 0);
	assert_member(st, "status", "pending");
	jv_free(st);
	jv_free(plan);
	/* again: harmless, unchanged */
	again = act_ok(jv_copy(t), "step", "{\"step\":2}", "someone", t0 + 1600);
	assert_true(jv_equal(jv_copy(t), again));
	jv_free(t);
	/* in the generated status too; not once closed */
	jv_free(act_ok(task_in(0), "step", "{\"step\":1}", NULL, t0 + 10));
	act_fails(task_in(4), "step", "{\"step\":1}", TN_ECONFLICT, NULL, msg, sizeof(msg));
	assert_non_null(strstr(msg, "resolved"));
	act_fails(task_in(1), "step", "{\"step\":3}", TN_EINVALID, "step", msg, sizeof(msg));
	assert_string_equal(msg, "step: 3 is not a step of the plan (1..2)");
	act_fails(task_in(1), "step", "{\"step\":0}", TN_EINVALID, "step", NULL, 0);
	act_fails(task_in(1), "step", "{\"step\":\"1\"}", TN_EINVALID, "step", NULL, 0);
	act_fails(task_in(1), "step", "{}", TN_EINVALID, "step", NULL, 0);
}

static void test_merge(void **state)
{
	jv a57 = alert_of(57, "red", 0.52), a60 = alert_of(60, "blue", 0.1), i57, i60, last, same;
	jv t;

	i57 = intent_of("red", 1, "黄浦区中山东一路道路积水0.52米");
	i57 = jv_object_set(i57, jv_string("targets"), parse("{\"dispatch_s\":120}"));
	t = tn_task_merge(new_task(), i57, a57, t0 + 300);
	assert_member(t, "severity", "red");
	assert_int_equal(tn_jv_long(t, "priority", 0), 1);
	assert_member(t, "title", "黄浦区中山东一路道路积水0.52米");
	assert_true(jv_equal(tn_jv_get(t, "alerts"), parse("[41,57]")));
	assert_int_equal(tn_jv_long(t, "alert_count", 0), 2);
	last = tn_jv_object(t, "last_alert");
	assert_int_equal(tn_jv_long(last, "id", 0), 57);
	jv_free(last);
	assert_true(jv_equal(tn_jv_get(t, "targets"), parse("{\"dispatch_s\":120}")));
	assert_member(t, "updated_at", "2026-07-01T10:05:00+08:00");
	assert_member(t, "generated_at", T0_TEXT);
	/* the same alert again: nothing changes */
	same = tn_task_merge(jv_copy(t), i57, a57, t0 + 400);
	assert_true(jv_equal(jv_copy(t), same));
	/* a lower alert: severity and priority are not lowered, the title is the newest */
	i60 = intent_of("blue", 4, "黄浦区中山东一路道路积水0.1米");
	t = tn_task_merge(t, i60, a60, t0 + 500);
	assert_member(t, "severity", "red");
	assert_int_equal(tn_jv_long(t, "priority", 0), 1);
	assert_member(t, "title", "黄浦区中山东一路道路积水0.1米");
	assert_int_equal(tn_jv_long(t, "alert_count", 0), 3);
	assert_true(jv_equal(tn_jv_get(t, "targets"), parse("{\"dispatch_s\":120}")));
	jv_free(i57);
	jv_free(i60);
	jv_free(a57);
	jv_free(a60);
	jv_free(t);
}

/* An alert the task holds, updated by its producer (CAP Update): its figures, not a count. */
static void test_merge_updated_alert(void **state)
{
	jv a41 = alert_of(41, "red", 0.6), i41 = intent_of("red", 1, "积水0.6米"), t, same;

	(void)state;
	t = tn_task_merge(new_task(), i41, a41, t0 + 300);
	assert_member(t, "severity", "red");
	assert_int_equal(tn_jv_long(t, "priority", 0), 1);
	assert_member(t, "title", "积水0.6米");
	assert_int_equal(tn_jv_long(t, "alert_count", 0), 1);
	assert_true(jv_equal(tn_jv_get(t, "alerts"), parse("[41]")));
	/* the same update again: the task comes back as it was */
	same = tn_task_merge(jv_copy(t), i41, a41, t0 + 400);
	assert_true(jv_equal(jv_copy(t), same));
	jv_free(i41);
	jv_free(a41);
	jv_free(t);
}

static void test_escalation_on_time_once(void **state)
{
	jv t = new_task(), before, esc, e1;

	before = jv_copy(t);
	assert_int_equal(tn_task_escalate(&t, t0 + 599), 0);
	assert_true(jv_equal(jv_copy(before), jv_copy(t)));
	jv_free(before);
	assert_int_equal(tn_task_escalate(&t, t0 + 600), 1);
	esc = tn_jv_array(t, "escalations");
	assert_int_equal(jv_array_length(jv_copy(esc)), 1);
	e1 = jv_array_get(jv_copy(esc), 0);
	assert_int_equal(tn_jv_long(e1, "level", 0), 1);
	assert_member(e1, "at", "2026-07-01T10:10:00+08:00");
	assert_int_equal(tn_jv_long(e1, "priority", 0), 1);
	assert_member(e1, "notify", "区防汛办");
	assert_member(e1, "reason", "10分钟内未签收");
	jv_free(e1);
	jv_free(esc);
	assert_int_equal(tn_jv_long(t, "priority", 0), 1);
	assert_member(t, "updated_at", "2026-07-01T10:10:00+08:00");
	assert_member(t, "next_escalation_at", "2026-07-01T10:30:00+08:00");
	assert_int_equal(tn_task_next_due(t), t0 + 1800);
	/* once only */
	before = jv_copy(t);
	assert_int_equal(tn_task_escalate(&t, t0 + 601), 0);
	assert_int_equal(tn_task_escalate(&t, t0 + 1799), 0);
	assert_true(jv_equal(before, jv_copy(t)));
	/* the second level, then nothing more */
	assert_int_equal(tn_task_escalate(&t, t0 + 1800), 1);
	esc = tn_jv_array(t, "escalations");
	assert_int_equal(jv_array_length(jv_copy(esc)), 2);
	e1 = jv_array_get(esc, 1);
	assert_int_equal(tn_jv_long(e1, "level", 0), 2);
	assert_member(e1, "notify", "市防汛指挥部");
	assert_member(e1, "reason", "30分钟内未签收");
	jv_free(e1);
	assert_member(t, "next_escalation_at", NULL);
	assert_int_equal(tn_task_next_due(t), 0);
	assert_int_equal(tn_task_escalate(&t, t0 + 86400), 0);
	jv_free(t);
}

static void test_escalation_late_worker_fires_both(void **state)
{
	jv t = new_task();

	/* a worker that was away: both levels due, both fire now, in order */
	assert_int_equal(tn_task_escalate(&t, t0 + 4000), 1);
	assert_int_equal(jv_array_length(tn_jv_array(t, "escalations")), 2);
	assert_int_equal(jv_array_length(tn_jv_array(t, "escalate")), 0);
	jv_free(t);
}

static void test_escalation_unless_acknowledged(void **state)
{
	jv t = task_in(2);      /* acknowledged at t0 + 120 */

	assert_member(t, "next_escalation_at", NULL);
	assert_int_equal(tn_task_next_due(t), 0);
	assert_int_equal(tn_task_escalate(&t, t0 + 7200), 0);
	assert_int_equal(jv_array_length(tn_jv_array(t, "escalations")), 0);
	assert_int_equal(tn_jv_long(t, "priority", 0), 2);
	jv_free(t);

	/* dispatched but not acknowledged: still escalates */
	t = task_in(1);
	assert_member(t, "next_escalation_at", "2026-07-01T10:10:00+08:00");
	assert_int_equal(tn_task_escalate(&t, t0 + 600), 1);
	/* acknowledged after the first level: the second never fires */
	t = act_ok(t, "acknowledge", NULL, "tester", t0 + 900);
	assert_member(t, "next_escalation_at", NULL);
	assert_int_equal(tn_task_escalate(&t, t0 + 1800), 0);
	assert_int_equal(jv_array_length(tn_jv_array(t, "escalations")), 1);
	jv_free(t);
}

static void test_escalation_without_unless(void **state)
{
	jv alert = alert_of(1, "red", 1);
	jv in = parse("{\"rule\":\"r\",\"key\":\"k\",\"priority\":3,\"escalate\":["
		      "{\"level\":1,\"after_s\":7200,\"notify\":\"市城运中心\",\"priority\":2}]}");
	jv t = tn_task_new(in, alert, t0), e;

	assert_int_equal(tn_task_escalate(&t, t0 + 7200), 1);
	e = jv_array_get(tn_jv_array(t, "escalations"), 0);
	assert_member(e, "reason", "2小时后仍未办结");
	assert_int_equal(tn_jv_long(t, "priority", 0), 2);
	jv_free(e);
	jv_free(t);
	jv_free(alert);
}

static void test_labels(void **state)
{
	assert_string_equal(tn_task_status_label("dispatched"), "已派发");
	assert_string_equal(tn_task_status_label("on_site"), "已到场");
	assert_string_equal(tn_task_status_label("evaluated"), "已评价");
	assert_string_equal(tn_task_status_label("closed"), "");
	assert_string_equal(tn_task_action_label("acknowledge"), "签收");
	assert_string_equal(tn_task_action_label("generate"), "生成");
	assert_string_equal(tn_task_action_label("reopen"), "重新派发");
	assert_string_equal(tn_task_action_label(NULL), "");
	assert_true(tn_task_action_valid("step"));
	assert_false(tn_task_action_valid("close"));
	assert_false(tn_task_action_valid("generate"));
	assert_true(tn_task_open("generated"));
	assert_true(tn_task_open("on_site"));
	assert_false(tn_task_open("resolved"));
	assert_false(tn_task_open("evaluated"));
	assert_false(tn_task_open("bogus"));
	assert_false(tn_task_open(NULL));
	assert_true(tn_word_in("a|bc|d", "bc"));
	assert_true(tn_word_in("a|bc|d", "d"));
	assert_false(tn_word_in("a|bc|d", "b"));
	assert_false(tn_word_in("a|bc|d", ""));
	assert_false(tn_word_in("a|bc|d", NULL));
}

static void test_times(void **state)
{
	long long t = 0;
	char buf[40];

	assert_int_equal(tn_time_parse("2026-07-01T02:00:00Z", &t), 0);
	assert_int_equal(t, t0);
	assert_int_equal(tn_time_parse("2026-07-01T10:00:00.750+08:00", &t), 0);
	assert_int_equal(t, t0);
	assert_int_equal(tn_time_parse("2026-06-30T21:00:00-05:00", &t), 0);
	assert_int_equal(t, t0);
	t = 5;
	assert_int_equal(tn_time_parse("2026-02-30T10:00:00+08:00", &t), -1);
	assert_int_equal(tn_time_parse("yesterday", &t), -1);
	assert_int_equal(tn_time_parse(NULL, &t), -1);
	assert_int_equal(t, 5);
	tn_time_rfc3339(t0 + 86399, buf, sizeof(buf));
	assert_string_equal(buf, "2026-07-02T09:59:59+08:00");
	setenv("TZ", "UTC", 1);
	tzset();
	tn_time_rfc3339(t0, buf, sizeof(buf));
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	assert_true(strcmp(buf, "2026-07-01T02:00:00Z") == 0 ||
		    strcmp(buf, "2026-07-01T02:00:00+00:00") == 0);
}

static void test_table_row(void **state)
{
	struct tn_buf b = TN_BUF_INIT;
	jv t = act_ok(task_in(1), "step", "{\"step\":1}", NULL, t0 + 100);

	t = jv_object_set(t, jv_string("id"), jv_number(7));
	tn_task_table_header(&b, 0);
	assert_non_null(strstr(b.buf, "状态"));
	assert_non_null(strstr(b.buf, "标题"));
	tn_buf_release(&b);
	tn_task_format_row(&b, t, 0, 0);
	assert_string_equal(b.buf, "    7 07-01 10:00 P2   橙色 黄浦区   道路积水 已派发 泵车队一组 "
			    "1/2  黄浦区中山东一路道路积水0.35米");
	tn_buf_release(&b);
	tn_task_format_row(&b, t, 90, 1);
	assert_non_null(strstr(b.buf, "\033[38;5;208m橙色\033[0m"));
	tn_buf_release(&b);
	tn_task_format_row(&b, t, 80, 0);
	assert_int_equal(tn_display_width(b.buf), 80);
	assert_non_null(strstr(b.buf, "黄浦区中山…"));
	tn_buf_release(&b);
	tn_task_table_header(&b, 40);
	assert_int_equal(tn_display_width(b.buf), 40);
	tn_buf_release(&b);
	jv_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new),
		cmocka_unit_test(test_new_without_alert_id),
		cmocka_unit_test(test_loop_allowed),
		cmocka_unit_test(test_loop_refused),
		cmocka_unit_test(test_retry_is_harmless),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_evaluate_score),
		cmocka_unit_test(test_plan_steps),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_merge_updated_alert),
		cmocka_unit_test(test_escalation_on_time_once),
		cmocka_unit_test(test_escalation_late_worker_fires_both),
		cmocka_unit_test(test_escalation_unless_acknowledged),
		cmocka_unit_test(test_escalation_without_unless),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_table_row),
	};

	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	assert_int_equal(tn_time_parse(T0_TEXT, &t0), 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
