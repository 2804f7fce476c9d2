/* test_tui_tasks.c — casedesk's tasks view logic: the list's order, the keys of the task actions and their lib names, the detail's text (plan steps done, pending, late), list motion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "casedesk.h"
#include "tn_alert.h"
#include "tn_json.h"
#include "tn_out.h"
#include "tn_task.h"

static jv task(long long id, const char *status, int priority)
{
	char text[160];

	snprintf(text, sizeof(text), "{\"id\":%lld,\"version\":1,\"status\":\"%s\",\"priority\":%d}", id,
		 status, priority);
	return tn_json_parse(text, strlen(text));
}

static int cmp_jv(const void *a, const void *b)
{
	return tasks_cmp(*(const jv *)a, *(const jv *)b);
}

/* Open tasks first by priority then newest; closed ones after, newest first, whatever their priority. */
static void test_order(void **state)
{
	jv v[] = {
		task(1, "resolved", 1), task(2, "generated", 3), task(3, "dispatched", 1),
		task(4, "evaluated", 4), task(5, "on_site", 3), task(6, "acknowledged", 2),
		task(7, "generated", 1),
	};
	static const long long want[] = { 7, 3, 6, 5, 2, 4, 1 };
	size_t n = sizeof(v) / sizeof(v[0]);

	(void)state;
	qsort(v, n, sizeof(v[0]), cmp_jv);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(tn_alert_ll(v[i], "id"), want[i]);
		jv_free(v[i]);
	}
	/* a task without a priority comes after P4 among open ones */
	{
		jv a = tn_json_parse("{\"id\":9,\"status\":\"generated\"}", 29), b = task(8, "generated", 4);

		assert_true(tasks_cmp(b, a) < 0);
		assert_true(tasks_cmp(a, b) > 0);
		assert_int_equal(tasks_cmp(a, a), 0);
		jv_free(a);
		jv_free(b);
	}
}

/* Every task act is a lib action, with the lib's label on its key; keys are the table's. */
static void test_acts(void **state)
{
	static const struct {
		enum act a;
		const char *action;
		int key;
	} acts[] = {
		{ ACT_DISPATCH, "dispatch", 'd' }, { ACT_ACKNOWLEDGE, "acknowledge", 'a' },
		{ ACT_ARRIVE, "arrive", 'o' }, { ACT_RESOLVE, "resolve", 'v' },
		{ ACT_EVALUATE, "evaluate", 'e' }, { ACT_STEP, "step", 's' },
		{ ACT_REOPEN, "reopen", 'r' },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		assert_string_equal(task_act_action(acts[i].a), acts[i].action);
		assert_true(tn_task_action_valid(acts[i].action));
		assert_int_equal(keys_action(V_TASKS, acts[i].key), acts[i].a);
		assert_int_equal(keys_action(V_TASK, acts[i].key), acts[i].a);
	}
	assert_null(task_act_action(ACT_CLOSE));
	assert_null(task_act_action(ACT_ACCEPT));
	assert_string_equal(keys_act_label(ACT_ARRIVE), tn_task_action_label("arrive"));
	assert_string_equal(keys_act_label(ACT_REOPEN), tn_task_action_label("reopen"));
	/* the same letters keep their meaning elsewhere */
	assert_int_equal(keys_action(V_INBOX, 'r'), ACT_RETURN);
	assert_int_equal(keys_action(V_ALERTS, 'c'), ACT_CLOSE);
	assert_int_equal(keys_action(V_TASKS, 'c'), ACT_NONE);
	/* the view is reached like the alerts view, and Enter opens a task */
	assert_int_equal(keys_action(V_INBOX, 'T'), ACT_TASKS);
	assert_int_equal(keys_action(V_ALERTS, 'T'), ACT_TASKS);
	assert_int_equal(keys_action(V_TASKS, '\r'), ACT_OPEN);
	assert_int_equal(keys_action(V_TASKS, 'A'), ACT_ALERTS);
	assert_int_equal(keys_action(V_TASK, 'R'), ACT_REFRESH);
}

/* The hint line of the tasks view names its writing keys first and fits 80 columns. */
static void test_hint(void **state)
{
	struct tn_buf b = TN_BUF_INIT;

	(void)state;
	keys_hint_line(&b, V_TASKS, 0, 79);
	assert_true(tn_display_width(b.buf) <= 79);
	assert_non_null(strstr(b.buf, "d 派遣"));
	assert_non_null(strstr(b.buf, "o 到场"));
	assert_true(strstr(b.buf, "d 派遣") < strstr(b.buf, "? 帮助"));
	tn_buf_release(&b);
}

static const char detail[] =
	"{\"id\":7,\"version\":4,\"title\":\"黄浦区积水35厘米\",\"status\":\"acknowledged\","
	"\"kind\":\"water_depth\",\"kind_name\":\"积水深度\",\"severity\":\"red\",\"priority\":1,"
	"\"district\":\"310101\",\"district_name\":\"黄浦区\",\"department\":\"SHSW\",\"crew\":\"PT-017\","
	"\"alerts\":[41,57],\"generated_at\":\"2026-12-04T10:00:00+08:00\","
	"\"dispatched_at\":\"2026-12-04T10:03:00+08:00\",\"acknowledged_at\":\"2026-12-04T10:05:00+08:00\","
	"\"plan\":{\"name\":\"道路积水应急预案\",\"steps\":["
	"{\"n\":1,\"title\":\"派遣泵车\",\"who\":\"区排水所\",\"due_at\":\"2026-12-04T10:15:00+08:00\","
	"\"status\":\"done\",\"done_at\":\"2026-12-04T10:10:00+08:00\"},"
	"{\"n\":2,\"title\":\"设置围挡\",\"who\":\"交警\",\"due_at\":\"2026-12-04T10:20:00+08:00\",\"status\":\"pending\"},"
	"{\"n\":3,\"title\":\"恢复通行\",\"who\":\"区排水所\",\"due_at\":\"2026-12-04T12:00:00+08:00\",\"status\":\"pending\"}]},"
	"\"escalations\":[{\"level\":1,\"at\":\"2026-12-04T10:10:00+08:00\",\"priority\":1,"
	"\"notify\":\"区防汛办\",\"reason\":\"10分钟内未签收\"}],"
	"\"history\":[{\"seq\":3,\"at\":\"2026-12-04T10:00:00+08:00\",\"action\":\"generate\",\"actor\":\"rules\","
	"\"status\":\"generated\",\"version\":1},"
	"{\"seq\":9,\"at\":\"2026-12-04T10:03:00+08:00\",\"action\":\"dispatch\",\"actor\":\"duty-1\","
	"\"status\":\"dispatched\",\"version\":2,\"comment\":\"就近派车\"}]}";

/* The line of `b` holding `needle`, or NULL. */
static char *line_of(const char *text, const char *needle)
{
	static char line[512];
	const char *p = strstr(text, needle), *s, *e;

	if (!p)
		return NULL;
	for (s = p; s > text && s[-1] != '\n'; s--)
		;
	e = strchr(p, '\n');
	snprintf(line, sizeof(line), "%.*s", (int)(e ? e - s : (long)strlen(s)), s);
	return line;
}

/* The detail: facts, every plan step with who, due and its state at `now`, escalations, history. */
static void test_detail_text(void **state)
{
	jv t = tn_json_parse(detail, strlen(detail));
	struct tn_buf b = TN_BUF_INIT;
	long long now;

	(void)state;
	assert_int_equal(tn_time_parse("2026-12-04T10:30:00+08:00", &now), 0);
	task_detail_text(&b, t, now);
	assert_true(strncmp(b.buf, "黄浦区积水35厘米\n", strlen("黄浦区积水35厘米\n")) == 0);
	assert_non_null(line_of(b.buf, "已签收"));
	assert_non_null(strstr(line_of(b.buf, "crew:"), "PT-017"));
	assert_non_null(strstr(line_of(b.buf, "alerts:"), "41 57"));
	assert_non_null(line_of(b.buf, "acknowledged:"));
	assert_non_null(strstr(line_of(b.buf, "Plan 预案步骤"), "道路积水应急预案"));
	assert_non_null(strstr(line_of(b.buf, "派遣泵车"), "区排水所"));
	assert_non_null(strstr(line_of(b.buf, "派遣泵车"), "due 12-04 10:15"));
	assert_non_null(strstr(line_of(b.buf, "派遣泵车"), "已完成 done"));
	assert_non_null(strstr(line_of(b.buf, "设置围挡"), "已超时 late"));
	assert_non_null(strstr(line_of(b.buf, "恢复通行"), "待办 pending"));
	assert_non_null(strstr(line_of(b.buf, "区防汛办"), "10分钟内未签收"));
	assert_non_null(strstr(line_of(b.buf, "dispatch 派发"), "by duty-1"));
	assert_non_null(strstr(line_of(b.buf, "dispatch 派发"), "就近派车"));
	assert_non_null(line_of(b.buf, "generate 生成"));
	/* every line fits 80 columns once wrapped as the view wraps it */
	assert_true(pager_wrap(b.buf, 79, NULL, NULL) < 40);
	tn_buf_release(&b);
	jv_free(t);
}

/* A task without plan nor history says so. */
static void test_detail_bare(void **state)
{
	jv t = task(3, "generated", 2);
	struct tn_buf b = TN_BUF_INIT;

	(void)state;
	task_detail_text(&b, t, 0);
	assert_non_null(strstr(b.buf, "(no title)"));
	assert_non_null(strstr(b.buf, "(no plan steps)"));
	assert_null(strstr(b.buf, "Escalations"));
	tn_buf_release(&b);
	jv_free(t);
}

static void test_list_motion(void **state)
{
	size_t cur = 0, top = 0;

	(void)state;
	assert_true(list_move(ACT_DOWN, &cur, 3, 10));
	assert_int_equal(cur, 1);
	assert_true(list_move(ACT_LAST, &cur, 3, 10));
	assert_int_equal(cur, 2);
	assert_true(list_move(ACT_DOWN, &cur, 3, 10));
	assert_int_equal(cur, 2);
	assert_true(list_move(ACT_PGUP, &cur, 3, 10));
	assert_int_equal(cur, 0);
	assert_true(list_move(ACT_PGDN, &cur, 100, 10));
	assert_int_equal(cur, 9);
	assert_false(list_move(ACT_OPEN, &cur, 100, 10));
	list_fit(&cur, &top, 100, 5);
	assert_int_equal(top, 5);
	cur = 50;
	list_fit(&cur, &top, 3, 5);
	assert_int_equal(cur, 2);
	assert_int_equal(top, 2);
	cur = 0;
	list_fit(&cur, &top, 0, 5);
	assert_int_equal(cur, 0);
	assert_int_equal(top, 0);
}

/* The task acts are bound by name in the config like the others (casedesk: keys:). */
static void test_config(void **state)
{
	char path[] = "/tmp/test_tui_tasks.XXXXXX";
	struct tn_err err = TN_ERR_INIT;
	int fd = mkstemp(path);
	FILE *fp;

	(void)state;
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs("casedesk:\n  keys:\n    arrive: O\n    tasks: [C-t, T]\n    step: '#'\n", fp);
	fclose(fp);
	assert_int_equal(keys_load_config(path, &err), TN_OK);
	assert_int_equal(keys_action(V_TASKS, 'O'), ACT_ARRIVE);
	assert_int_equal(keys_action(V_TASK, 'O'), ACT_ARRIVE);
	assert_int_equal(keys_action(V_TASKS, 'o'), ACT_NONE);
	assert_int_equal(keys_action(V_INBOX, 0x14), ACT_TASKS);
	assert_int_equal(keys_action(V_INBOX, 'T'), ACT_TASKS);
	assert_int_equal(keys_action(V_TASK, '#'), ACT_STEP);
	assert_string_equal(keys_first_key(ACT_ARRIVE), "O");
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_acts),
		cmocka_unit_test(test_hint),
		cmocka_unit_test(test_detail_text),
		cmocka_unit_test(test_detail_bare),
		cmocka_unit_test(test_list_motion),
		cmocka_unit_test(test_config),     /* last: it rebinds keys */
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
