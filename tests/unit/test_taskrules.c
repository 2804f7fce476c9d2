/* test_taskrules.c — the rules engine: load errors with FILE:LINE, durations, eval (condition, window, key, template, targets, priority), the dry run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jq.h>
#include <jv.h>

#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_taskrules.h"

static char dir[64];

static void rm_dir(void)
{
	struct tn_buf cmd = TN_BUF_INIT;

	tn_buf_addf(&cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd.buf), 0);
	tn_buf_release(&cmd);
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/test_taskrules.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	rm_dir();
	return 0;
}

/* Write `text` as dir/NAME; returns the path (static until the next call). */
static const char *put(const char *name, const char *text)
{
	static char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
	return path;
}

static jv J(const char *text)
{
	jv v = tn_json_parse(text, strlen(text));

	assert_true(jv_is_valid(v));
	return v;
}

/* Loading `text` as one file fails with a message that ends with `want` after "FILE:". */
static void load_fails(const char *text, const char *want)
{
	struct tn_rules *r = (struct tn_rules *)1;
	struct tn_err err = TN_ERR_INIT;
	const char *path = put("bad.yaml", text);
	char full[600];

	snprintf(full, sizeof(full), "%s:%s", path, want);
	assert_int_equal(tn_rules_load(path, &r, &err), TN_EINVALID);
	assert_null(r);
	assert_string_equal(err.message, full);
}

#define RULE(extra) \
	"rules:\n" \
	"  - id: r1\n" \
	"    kinds: [water_depth]\n" \
	extra \
	"    task: {department: SHSW, title: t}\n"

static void test_load_errors(void **state)
{
	load_fails(RULE("    when: '.value >= '\n"),
		   "4: r1.when: jq: syntax error, unexpected $end at <top-level>, line 1: .value >=");
	load_fails(RULE("    key: '1) | (2'\n"),
		   "4: r1.key: jq: syntax error, unexpected INVALID_CHARACTER, expecting $end at "
		   "<top-level>, line 1: 1) | (2");
	load_fails(RULE("    key: '.a\"'\n"), "4: r1.key: jq: a string is not closed (a '\"' is missing)");
	load_fails(RULE("    key: '\"a\\(.b'\n"), "4: r1.key: jq: a string is not closed (a '\"' is missing)");
	load_fails(RULE("    when: '[.a'\n"), "4: r1.when: jq: syntax error, unexpected $end at <top-level>, line 1: [.a");
	load_fails(RULE("    wehn: '.value > 1'\n"), "4: r1: unknown key 'wehn' (did you mean 'when'?)");
	load_fails("rules:\n  - id: r1\n    kinds: [water_depth]\n"
		   "    task:\n      department: SHSW\n      titel: x\n",
		   "6: r1.task: unknown key 'titel' (did you mean 'title'?)");
	load_fails(RULE("    window: {within: 10 min, count: 3}\n"),
		   "4: r1.window.within: '10 min' is not a duration (a whole number and s, m, h or "
		   "d: 90s, 10m, 2h, 1d; up to 3650d)");
	load_fails(RULE("    window: {within: 10m}\n"), "4: r1.window.count: is missing");
	load_fails("rules:\n  - id: R1\n", "2: id: must be 1 to 64 of a-z, 0-9 and '-'");
	load_fails("rules:\n  - id: r1\n    kinds: []\n", "3: r1.kinds: must be a list of alert kinds, at least one");
	load_fails("rules:\n  - id: r1\n    kinds: [water_depth]\n", "2: r1.task: is missing (department, title, ...)");
	load_fails("rules:\n  - id: r1\n    kinds: [water_depth]\n    task: {department: SHSW, title: 'a {{b'}\n",
		   "4: r1.task.title: '{{' without its '}}'");
	load_fails("rules:\n  - id: r1\n    kinds: [water_depth]\n"
		   "    task: {department: SHSW, title: t, priority_by_severity: {purple: 1}}\n",
		   "4: r1.task.priority_by_severity: unknown key 'purple'");
	load_fails(RULE("    escalate:\n      - {after: 30m, notify: a}\n      - {after: 10m, notify: b}\n"),
		   "6: r1.escalate[1].after: comes no later than the escalation before it; list them in order");
	load_fails(RULE("    escalate:\n      - {after: 30m, notify: a, unless: seen}\n"),
		   "5: r1.escalate[0]: unless: 'seen' is not one of dispatched, acknowledged, on_site, resolved");
	load_fails(RULE("    plan: {name: p, steps: [{title: a, who: b}]}\n"),
		   "4: r1.plan.steps[0].within: is missing");
	{
		char want[300];

		snprintf(want, sizeof(want), "5: id: 'r1' is given twice (first at %s/bad.yaml:2)", dir);
		load_fails("rules:\n  - id: r1\n    kinds: [water_depth]\n"
			   "    task: {department: SHSW, title: t}\n"
			   "  - id: r1\n    kinds: [pump_fault]\n    task: {department: SHSW, title: t}\n",
			   want);
	}
	load_fails("targets:\n  default: {dispatch: 5m, acknowlege: 10m}\n",
		   "2: targets.default: unknown key 'acknowlege' (did you mean 'acknowledge'?)");
	load_fails("targets:\n  kinds:\n    water_depth: {crimson: {dispatch: 5m}}\n",
		   "3: targets.kinds.water_depth: unknown key 'crimson'");
	load_fails("rulez: []\n", "1: unknown key 'rulez' (did you mean 'rules'?)");
	load_fails("- a\n", "1: a rules file is a mapping: rules (a list) and targets");
}

/* A duplicate id across two files of a folder names both places; nothing is loaded. */
static void test_load_folder(void **state)
{
	struct tn_rules *r = NULL;
	struct tn_err err = TN_ERR_INIT;
	char want[400];

	rm_dir();
	assert_int_equal(setup(state), 0);
	put("a.yaml", RULE(""));
	put("b.yaml", "# the same id again\n" RULE(""));
	put("notes.txt", "not read");
	assert_int_equal(tn_rules_load(dir, &r, &err), TN_EINVALID);
	assert_null(r);
	snprintf(want, sizeof(want), "%s/b.yaml:3: id: 'r1' is given twice (first at %s/a.yaml:2)",
		 dir, dir);
	assert_string_equal(err.message, want);
	put("b.yaml", "targets:\n  default: {dispatch: 10m}\n");
	put("c.yaml", "targets:\n  default: {dispatch: 10m}\n");
	assert_int_equal(tn_rules_load(dir, &r, &err), TN_EINVALID);
	snprintf(want, sizeof(want), "%s/c.yaml:2: targets: given twice in the rule set (first at "
		 "%s/b.yaml:2)", dir, dir);
	assert_string_equal(err.message, want);
	unlink(put("c.yaml", ""));
	assert_int_equal(tn_rules_load(dir, &r, &err), TN_OK);
	assert_int_equal(tn_rules_count(r), 1);
	tn_rules_free(r);
	assert_int_equal(tn_rules_load("/nonexistent/rules", &r, &err), TN_EIO);
}

static void test_duration(void **state)
{
	long long s;

	assert_int_equal(tn_rules_duration("90s", &s), 0);
	assert_int_equal(s, 90);
	assert_int_equal(tn_rules_duration("10m", &s), 0);
	assert_int_equal(s, 600);
	assert_int_equal(tn_rules_duration("2h", &s), 0);
	assert_int_equal(s, 7200);
	assert_int_equal(tn_rules_duration("3d", &s), 0);
	assert_int_equal(s, 3 * 86400);
	assert_int_equal(tn_rules_duration("10", &s), -1);
	assert_int_equal(tn_rules_duration("m", &s), -1);
	assert_int_equal(tn_rules_duration("1.5h", &s), -1);
	assert_int_equal(tn_rules_duration("10mm", &s), -1);
	assert_int_equal(tn_rules_duration("-1m", &s), -1);
	assert_int_equal(tn_rules_duration("3651d", &s), -1);
	assert_int_equal(tn_rules_duration(NULL, &s), -1);
}

/* The history the window asks for: the alerts of the test's list raised at or after `since`. */
struct hist {
	jv alerts;              /* [{"at": epoch, ...ALERT}], oldest first */
	int calls;
	long long since;
	long asked[8];          /* the max of each call (the first 8) */
	char kind[32], source[32];
};

static enum tn_code history(void *ctx, const char *kind, const char *source, long long since,
			    long max, jv *alerts, struct tn_err *err)
{
	struct hist *h = ctx;
	jv all = jv_array();
	int n;

	if (h->calls < 8)
		h->asked[h->calls] = max;
	h->calls++;
	h->since = since;
	snprintf(h->kind, sizeof(h->kind), "%s", kind);
	snprintf(h->source, sizeof(h->source), "%s", source);
	jv_array_foreach(h->alerts, i, a) {
		if (tn_jv_long(a, "at", 0) >= since && tn_jv_is(a, "source", source))
			all = jv_array_append(all, a);
		else
			jv_free(a);
	}
	/* the newest max, oldest first */
	n = jv_array_length(jv_copy(all));
	*alerts = n > max ? jv_array_slice(all, n - (int)max, n) : all;
	return TN_OK;
}

static const char rules_text[] =
	"rules:\n"
	"  - id: deep\n"
	"    name: 积水\n"
	"    kinds: [water_depth, waterlogging]\n"
	"    when: '.value >= 0.15'\n"
	"    window: {within: 10m, count: 3, where: '.value >= 0.3'}\n"
	"    key: '.district + \"/\" + (.location.address // .source)'\n"
	"    dedupe: 2h\n"
	"    task:\n"
	"      department: SHSW\n"
	"      crew_pool: 泵车队\n"
	"      priority: 3\n"
	"      priority_by_severity: {red: 1, orange: 2}\n"
	"      title: '{{district_name}}{{location.address}}积水{{value}}米{{no.such}}{{ tags.1 }}'\n"
	"    plan:\n"
	"      name: 道路积水应急预案\n"
	"      steps:\n"
	"        - {title: 派遣泵车, who: 区排水所, within: 15m}\n"
	"        - {title: 设置警示围挡, who: 交警, within: 20m}\n"
	"    escalate:\n"
	"      - {after: 10m, priority: 1, notify: 区防汛办}\n"
	"      - {after: 30m, unless: on_site, notify: 市防汛指挥部}\n"
	"  - id: any-pump\n"
	"    kinds: [pump_fault]\n"
	"    key: '.value'\n"
	"    task: {department: SHSW, title: '泵站{{source}}'}\n"
	"  - id: bad-at-runtime\n"
	"    kinds: [pump_fault]\n"
	"    when: '.value | ascii_downcase'\n"
	"    task: {department: SHSW, title: x}\n"
	"targets:\n"
	"  default: {dispatch: 15m, acknowledge: 30m, on_site: 1h, resolve: 4h}\n"
	"  severities:\n"
	"    red: {dispatch: 5m, acknowledge: 10m}\n"
	"  kinds:\n"
	"    water_depth:\n"
	"      default: {resolve: 3h}\n"
	"      red: {acknowledge: 8m}\n";

static const char alert_text[] =
	"{\"id\":41,\"source\":\"g-1\",\"kind\":\"water_depth\",\"severity\":\"red\","
	"\"district\":\"310101\",\"district_name\":\"黄浦区\","
	"\"location\":{\"lat\":31.2,\"lon\":121.4,\"address\":\"中山东一路\"},"
	"\"value\":0.35,\"tags\":[\"a\",\"b\"]}";

/*
 * `.NAME OP LITERAL` expressions are answered without jq (taskrules_simple.c):
 * for every operator, constants of every kind and members of every kind (and
 * none), each rule whose `when` is such an expression matches exactly when jq
 * itself, running the same text on the same alert, gives a truthy output.
 * Expressions of other forms stay with jq and are compared as well.
 */
static int jq_truthy(const char *expr, jv alert)
{
	jq_state *jq = jq_init();
	jv out;
	int t;

	assert_non_null(jq);
	assert_true(jq_compile(jq, expr));
	jq_start(jq, jv_copy(alert), 0);
	out = jq_next(jq);
	t = jv_is_valid(out) && jv_get_kind(out) != JV_KIND_FALSE && jv_get_kind(out) != JV_KIND_NULL;
	jv_free(out);
	jq_teardown(&jq);
	return t;
}

static void test_simple_exprs_as_jq(void **state)
{
	static const char *const exprs[] = {
		".value >= 0.3", ".value != null", ".value == null", ".value < 1", ".value <= 0.35",
		".value > -1", ".value == \"x\"", ".value != \"积水\"", ".value == true",
		".value < false", ".value >= \"a\"", ".value == 0.35", "  .value  >=  0.3  ",
		".value>=1e2", ".missing == null", ".missing < 0", ".value > \"\"", ".value == false",
		".value <= null", ".value_2 == 3",
		/* not of the form: jq answers */
		".value >= 0.3 and true", ".value | . == 1", ".value >= .3", ".value == [1]",
		".value >= 0.3 | not", ".value == \"a\\u0062\"",
	};
	static const char *const values[] = {
		"null", "true", "false", "0", "0.3", "0.35", "1", "-2", "100", "\"a\"", "\"x\"",
		"\"积水\"", "\"\"", "[1]", "{}", "[]", "\"ab\"", NULL,
	};
	size_t nexpr = sizeof(exprs) / sizeof(exprs[0]);
	struct tn_buf y = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	struct tn_rules *r = NULL;

	tn_buf_adds(&y, "rules:\n");
	for (size_t i = 0; i < nexpr; i++)
		tn_buf_addf(&y, "  - id: e%zu\n    kinds: [water_depth]\n    when: '%s'\n"
			    "    task: {department: SHSW, title: x}\n", i, exprs[i]);
	assert_int_equal(tn_rules_load(put("simple.yaml", y.buf), &r, &err), TN_OK);
	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		struct tn_buf a = TN_BUF_INIT;
		jv alert, in;
		char matched[64] = "";

		tn_buf_adds(&a, "{\"id\":7,\"source\":\"g\",\"kind\":\"water_depth\",\"severity\":\"red\","
			    "\"district\":\"310101\"");
		if (values[v])
			tn_buf_addf(&a, ",\"value\":%s", values[v]);
		tn_buf_adds(&a, ",\"value_2\":3}");
		alert = J(a.buf);
		assert_int_equal(tn_rules_eval(r, alert, 1782870000, NULL, NULL, &in, &err), TN_OK);
		jv_array_foreach(in, i, it) {
			long k = strtol(tn_jv_str(it, "rule") + 1, NULL, 10);

			assert_true(k >= 0 && (size_t)k < nexpr);
			matched[k] = 1;
			jv_free(it);
		}
		jv_free(in);
		for (size_t i = 0; i < nexpr; i++)
			if (matched[i] != jq_truthy(exprs[i], alert))
				fail_msg("%s on value %s: ours %d, jq %d", exprs[i],
					 values[v] ? values[v] : "(none)", matched[i],
					 jq_truthy(exprs[i], alert));
		jv_free(alert);
		tn_buf_release(&a);
	}
	tn_rules_free(r);
	tn_buf_release(&y);
}

static void test_eval(void **state)
{
	struct tn_rules *r = NULL;
	struct tn_err err = TN_ERR_INIT;
	struct hist h = { .alerts = jv_array() };
	long long now = 1782870000;     /* 2026-07-01T10:20:00+08:00 */
	const char *last;
	jv alert = J(alert_text), in, t, want;

	assert_int_equal(tn_rules_load(put("r.yaml", rules_text), &r, &err), TN_OK);
	assert_int_equal(tn_rules_count(r), 3);

	/* the window: this alert alone is one of three */
	assert_int_equal(tn_rules_eval(r, alert, now, history, &h, &in, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(in)), 0);
	jv_free(in);
	assert_int_equal(h.calls, 1);
	assert_true(h.since == now - 600);
	assert_string_equal(h.kind, "water_depth");
	assert_string_equal(h.source, "g-1");
	/* two more at 0.3 or above within ten minutes (one low, one too old, one elsewhere) */
	jv_free(h.alerts);
	h.alerts = J("[{\"at\":1782869300,\"source\":\"g-1\",\"value\":0.5},"
		     "{\"at\":1782869500,\"source\":\"g-1\",\"value\":0.31},"
		     "{\"at\":1782869600,\"source\":\"g-1\",\"value\":0.2},"
		     "{\"at\":1782869700,\"source\":\"g-2\",\"value\":0.9}]");
	assert_int_equal(tn_rules_eval(r, alert, now, history, &h, &in, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(in)), 0);
	jv_free(in);
	jv_free(h.alerts);
	h.alerts = J("[{\"at\":1782869500,\"source\":\"g-1\",\"value\":0.31},"
		     "{\"at\":1782869600,\"source\":\"g-1\",\"value\":0.2},"
		     "{\"at\":1782869900,\"source\":\"g-1\",\"value\":0.4}]");
	assert_int_equal(tn_rules_eval(r, alert, now, history, &h, &in, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(in)), 1);
	t = jv_array_get(in, 0);
	want = J("{\"rule\":\"deep\",\"key\":\"310101/中山东一路\",\"dedupe_s\":7200,"
		 "\"title\":\"黄浦区中山东一路积水0.35米b\",\"kind\":\"water_depth\",\"kind_name\":null,"
		 "\"severity\":\"red\",\"priority\":1,\"department\":\"SHSW\",\"crew_pool\":\"泵车队\","
		 "\"district\":\"310101\",\"district_name\":\"黄浦区\",\"street\":null,\"street_name\":null,"
		 "\"plan\":{\"name\":\"道路积水应急预案\",\"steps\":["
		 "{\"n\":1,\"title\":\"派遣泵车\",\"who\":\"区排水所\",\"within_s\":900},"
		 "{\"n\":2,\"title\":\"设置警示围挡\",\"who\":\"交警\",\"within_s\":1200}]},"
		 "\"escalate\":[{\"level\":1,\"after_s\":600,\"unless\":\"acknowledged\",\"priority\":1,\"notify\":\"区防汛办\"},"
		 "{\"level\":2,\"after_s\":1800,\"unless\":\"on_site\",\"priority\":null,\"notify\":\"市防汛指挥部\"}],"
		 "\"targets\":{\"dispatch_s\":300,\"acknowledge_s\":480,\"on_site_s\":3600,\"resolve_s\":10800}}");
	assert_true(jv_equal(jv_copy(t), jv_copy(want)));
	jv_free(want);
	jv_free(t);

	/* the condition: below 0.15 nothing is asked; an orange one takes priority 2; another kind's targets */
	alert = jv_object_set(alert, jv_string("value"), jv_number(0.1));
	h.calls = 0;
	assert_int_equal(tn_rules_eval(r, alert, now, history, &h, &in, &err), TN_OK);
	assert_int_equal(jv_array_length(in), 0);
	assert_int_equal(h.calls, 0);
	alert = jv_object_set(alert, jv_string("value"), jv_number(0.6));
	alert = jv_object_set(alert, jv_string("severity"), jv_string("orange"));
	alert = jv_object_set(alert, jv_string("kind"), jv_string("waterlogging"));
	alert = jv_object_set(alert, jv_string("location"), jv_null());
	assert_int_equal(tn_rules_eval(r, alert, now, history, &h, &in, &err), TN_OK);
	t = jv_array_get(in, 0);
	assert_int_equal(tn_jv_long(t, "priority", 0), 2);
	assert_string_equal(tn_jv_str(t, "key"), "310101/g-1");
	assert_string_equal(tn_jv_str(t, "title"), "黄浦区积水0.6米b");
	want = J("{\"dispatch_s\":900,\"acknowledge_s\":1800,\"on_site_s\":3600,\"resolve_s\":14400}");
	assert_true(jv_equal(tn_jv_get(t, "targets"), want));
	jv_free(t);

	/* a rule without a condition; a key that is a number; a jq error counted, not fatal */
	jv_free(alert);
	alert = J("{\"source\":\"pump-7\",\"kind\":\"pump_fault\",\"severity\":\"yellow\",\"value\":12}");
	assert_int_equal(tn_rules_errors(r, &last), 0);
	assert_int_equal(tn_rules_eval(r, alert, now, NULL, NULL, &in, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(in)), 1);
	t = jv_array_get(in, 0);
	assert_string_equal(tn_jv_str(t, "rule"), "any-pump");
	assert_string_equal(tn_jv_str(t, "key"), "12");
	assert_string_equal(tn_jv_str(t, "title"), "泵站pump-7");
	assert_int_equal(tn_jv_long(t, "priority", 0), 3);
	assert_true(jv_equal(tn_jv_get(t, "plan"), jv_null()));
	assert_true(jv_equal(tn_jv_get(t, "escalate"), jv_array()));
	jv_free(t);
	assert_int_equal(tn_rules_errors(r, &last), 1);
	assert_string_equal(last, "bad-at-runtime: when: explode input must be a string");
	/* a key that gives null: the source */
	alert = jv_object_set(alert, jv_string("value"), jv_null());
	assert_int_equal(tn_rules_eval(r, alert, now, NULL, NULL, &in, &err), TN_OK);
	t = jv_array_get(in, 0);
	assert_string_equal(tn_jv_str(t, "key"), "pump-7");
	jv_free(t);
	/* a kind no rule looks at */
	alert = jv_object_set(alert, jv_string("kind"), jv_string("fire"));
	assert_int_equal(tn_rules_eval(r, alert, now, NULL, NULL, &in, &err), TN_OK);
	assert_int_equal(jv_array_length(in), 0);

	/* describe */
	in = tn_rules_describe(r);
	t = jv_array_get(jv_copy(in), 0);
	assert_string_equal(tn_jv_str(t, "id"), "deep");
	assert_string_equal(tn_jv_str(t, "name"), "积水");
	assert_int_equal(tn_jv_long(t, "line", 0), 2);
	assert_true(jv_equal(tn_jv_get(t, "kinds"), J("[\"water_depth\",\"waterlogging\"]")));
	jv_free(t);
	t = jv_array_get(in, 1);
	assert_string_equal(tn_jv_str(t, "name"), "any-pump");
	jv_free(t);
	jv_free(alert);
	jv_free(h.alerts);
	tn_rules_free(r);
}

/* The dry run: three readings make a task, the rest update it; escalations at their times. */
/* N alerts of g-1 within the window, oldest first: the newest `low` at 0.2, the others at 0.5. */
static jv readings(int n, int low, long long now)
{
	jv a = jv_array();

	for (int i = 0; i < n; i++) {
		jv x = jv_object_set(jv_object(), jv_string("at"), jv_number((double)(now - 500 + i)));

		x = jv_object_set(x, jv_string("source"), jv_string("g-1"));
		x = jv_object_set(x, jv_string("value"), jv_number(i >= n - low ? 0.2 : 0.5));
		a = jv_array_append(a, x);
	}
	return a;
}

/* Intents made by one evaluation of `alert` against N readings whose newest LOW are shallow. */
static int intents(struct tn_rules *r, struct hist *h, jv alert, long long now, int n, int low)
{
	struct tn_err err = TN_ERR_INIT;
	jv in;

	jv_free(h->alerts);
	h->alerts = readings(n, low, now);
	h->calls = 0;
	assert_int_equal(tn_rules_eval(r, alert, now, history, h, &in, &err), TN_OK);
	return jv_array_length(in);
}

static void test_window_paging(void **state)
{
	struct tn_rules *r = NULL;
	struct tn_err err = TN_ERR_INIT;
	struct hist h = { .alerts = jv_invalid() };
	long long now = 1782870000;
	jv alert = J(alert_text);

	(void)state;
	assert_int_equal(tn_rules_load(put("r.yaml", rules_text), &r, &err), TN_OK);
	/* 150 readings, all deep: the window of 3 reads the newest 2 only */
	assert_int_equal(intents(r, &h, alert, now, 150, 0), 1);
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.asked[0], 2);
	/* the newest 10 shallow: 2, then 8, then 32 rows, where two deep ones are found */
	assert_int_equal(intents(r, &h, alert, now, 150, 10), 1);
	assert_int_equal(h.calls, 3);
	assert_int_equal(h.asked[1], 8);
	assert_int_equal(h.asked[2], 32);
	/* the newest 1000 shallow: deep ones older than that do not count (at most 1000 rows) */
	assert_int_equal(intents(r, &h, alert, now, 1100, 1000), 0);
	assert_int_equal(h.calls, 6);
	assert_int_equal(h.asked[3], 128);
	assert_int_equal(h.asked[4], 512);
	assert_int_equal(h.asked[5], TN_RULES_WINDOW_MAX);
	/* 999 shallow and one deep among the newest 1000: one short of three; 998: two */
	assert_int_equal(intents(r, &h, alert, now, 1100, 999), 0);
	assert_int_equal(intents(r, &h, alert, now, 1100, 998), 1);
	/* fewer rows than asked: no second call */
	assert_int_equal(intents(r, &h, alert, now, 1, 0), 0);
	assert_int_equal(h.calls, 1);
	jv_free(h.alerts);
	jv_free(alert);
	tn_rules_free(r);
}

static void test_dry_run(void **state)
{
	struct tn_rules *r = NULL;
	struct tn_err err = TN_ERR_INIT;
	struct tn_rules_dry *d;
	jv out = jv_array(), t;
	long long at;

	assert_int_equal(tn_rules_load(put("r.yaml", rules_text), &r, &err), TN_OK);
	d = tn_rules_dry_new(r);
	for (int i = 0; i < 6; i++) {
		char text[400];
		jv rec;

		snprintf(text, sizeof(text), "{\"source\":\"g-1\",\"source_id\":\"%d\","
			 "\"kind\":\"water_depth\",\"severity\":\"%s\",\"district\":\"黄浦区\","
			 "\"value\":0.%d,\"sent_at\":\"2026-07-01T10:0%d:00+08:00\"}",
			 i, i < 4 ? "orange" : "red", 3 + i, i);
		rec = J(text);
		assert_int_equal(tn_rules_dry_feed(d, rec, 0, &out, &err), TN_OK);
		jv_free(rec);
	}
	assert_int_equal(jv_array_length(jv_copy(out)), 4);
	t = jv_array_get(jv_copy(out), 0);
	assert_string_equal(tn_jv_str(t, "action"), "generate");
	assert_int_equal(tn_jv_long(t, "id", 0), 1);
	assert_string_equal(tn_jv_str(t, "title"), "黄浦区积水0.5米");
	assert_int_equal(tn_jv_long(t, "priority", 0), 2);
	jv_free(t);
	t = jv_array_get(jv_copy(out), 3);
	assert_string_equal(tn_jv_str(t, "action"), "update");
	assert_int_equal(tn_jv_long(t, "id", 0), 1);
	assert_int_equal(tn_jv_long(t, "alert_count", 0), 4);
	assert_int_equal(tn_jv_long(t, "priority", 0), 1);
	assert_string_equal(tn_jv_str(t, "severity"), "red");
	jv_free(t);
	jv_free(out);
	/* nothing due at 10:11; the first escalation at 10:12, the second at 10:32 */
	out = jv_array();
	assert_int_equal(tn_time_parse("2026-07-01T10:11:59+08:00", &at), 0);
	tn_rules_dry_escalate(d, at, &out);
	assert_int_equal(jv_array_length(jv_copy(out)), 0);
	assert_int_equal(tn_time_parse("2026-07-01T11:00:00+08:00", &at), 0);
	tn_rules_dry_escalate(d, at, &out);
	assert_int_equal(jv_array_length(jv_copy(out)), 2);
	t = jv_array_get(jv_copy(out), 1);
	assert_string_equal(tn_jv_str(t, "action"), "escalate");
	{
		jv e = tn_jv_array(t, "escalations"), e0 = jv_array_get(jv_copy(e), 0);
		jv e1 = jv_array_get(e, 1);
		long long x;

		assert_int_equal(tn_time_parse(tn_jv_str(e0, "at"), &x), 0);
		assert_int_equal(tn_time_parse("2026-07-01T10:12:00+08:00", &at), 0);
		assert_true(x == at);
		assert_int_equal(tn_time_parse(tn_jv_str(e1, "at"), &x), 0);
		assert_int_equal(tn_time_parse("2026-07-01T10:32:00+08:00", &at), 0);
		assert_true(x == at);
		assert_string_equal(tn_jv_str(e1, "notify"), "市防汛指挥部");
		jv_free(e0);
		jv_free(e1);
	}
	jv_free(t);
	jv_free(out);
	/* not an alert: refused; a status change event: skipped */
	out = jv_array();
	t = J("[1]");
	assert_int_equal(tn_rules_dry_feed(d, t, 0, &out, &err), TN_EINVALID);
	jv_free(t);
	t = J("{\"event\":\"update\",\"id\":3}");
	assert_int_equal(tn_rules_dry_feed(d, t, 0, &out, &err), TN_OK);
	jv_free(t);
	assert_int_equal(jv_array_length(out), 0);
	tn_rules_dry_free(d);
	tn_rules_free(r);
}

/* Dedupe: an open task, its last alert within dedupe_s (0: while open). */
static void test_dedupe_match(void **state)
{
	jv task = J("{\"status\":\"dispatched\",\"generated_at\":\"2026-07-01T08:00:00+08:00\","
		    "\"last_alert\":{\"raised_at\":\"2026-07-01T09:00:00+08:00\"}}");
	jv in = J("{\"dedupe_s\":3600}"), none = J("{\"dedupe_s\":0}");
	long long nine;

	assert_int_equal(tn_time_parse("2026-07-01T09:00:00+08:00", &nine), 0);
	assert_int_equal(tn_rules_dedupe_match(task, in, nine + 3600), 1);
	assert_int_equal(tn_rules_dedupe_match(task, in, nine + 3601), 0);
	assert_int_equal(tn_rules_dedupe_match(task, none, nine + 86400 * 30), 1);
	/* without a last alert: from its generation */
	task = jv_object_delete(task, jv_string("last_alert"));
	assert_int_equal(tn_rules_dedupe_match(task, in, nine), 1);
	assert_int_equal(tn_rules_dedupe_match(task, in, nine + 1), 0);
	/* a task no longer open takes no alert */
	task = jv_object_set(task, jv_string("status"), jv_string("resolved"));
	assert_int_equal(tn_rules_dedupe_match(task, none, nine), 0);
	jv_free(task);
	jv_free(in);
	jv_free(none);
}

/* The shipped rules load and hold the article's scenarios. */
static void test_shipped(void **state)
{
	struct tn_rules *r = NULL;
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf path = TN_BUF_INIT;
	const char *src = getenv("TWONET_SRC");
	jv d;

	tn_buf_addf(&path, "%s/share/twonet/rules", src && *src ? src : ".");
	assert_int_equal(tn_rules_load(path.buf, &r, &err), TN_OK);
	assert_true(tn_rules_count(r) >= 7);
	d = tn_rules_describe(r);
	jv_array_foreach(d, i, x) {
		jv plan = tn_jv_object(x, "plan");

		assert_true(jv_array_length(tn_jv_array(plan, "steps")) > 0);
		assert_true(jv_array_length(tn_jv_array(x, "escalate")) > 0);
		assert_true(tn_jv_long(x, "dedupe_s", 0) > 0);
		jv_free(plan);
		jv_free(x);
	}
	jv_free(d);
	d = tn_rules_targets(r);
	assert_true(tn_jv_has(d, "default"));
	jv_free(d);
	tn_rules_free(r);
	tn_buf_release(&path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_folder),
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_simple_exprs_as_jq),
		cmocka_unit_test(test_window_paging),
		cmocka_unit_test(test_dry_run),
		cmocka_unit_test(test_dedupe_match),
		cmocka_unit_test(test_shipped),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
