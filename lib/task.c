/* task.c — city-operations tasks: the TASK document, its closed loop, escalation and table rows (pure: no I/O). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "tn_jv.h"
#include "tn_out.h"
#include "tn_task.h"
#include "tn_text.h"

#define TIME_MAX 40
#define CREW_MAX 64
#define COMMENT_MAX 1000

static const struct state {
	const char *status, *label, *step, *step_label, *at;
} states[] = {
#define X(status, label, step, step_label, at) { status, label, step, step_label, at },
	TN_TASK_STATES(X)
#undef X
};
#define NSTATES ((int)(sizeof(states) / sizeof(states[0])))

static const struct action {
	const char *action, *label;
} actions[] = {
#define X(action, label) { action, label },
	TN_TASK_ACTIONS(X)
#undef X
};

/*
 * The loop's moves: each action from the statuses of `from` ('|'-separated;
 * "open": any open status) to `to` (NULL: the status stays), the argument
 * it needs (or NULL) and the members it clears.
 */
static const struct move {
	const char *action, *from, *to, *need, *clear;
} moves[] = {
	{ "dispatch",    "generated",    "dispatched",   "crew",  NULL },
	{ "acknowledge", "dispatched",   "acknowledged", NULL,    NULL },
	{ "arrive",      "acknowledged", "on_site",      NULL,    NULL },
	{ "resolve",     "on_site",      "resolved",     NULL,    NULL },
	{ "evaluate",    "resolved",     "evaluated",    "score", NULL },
	{ "step",        "open",         NULL,           "step",  NULL },
	{ "reopen",      "resolved",     "dispatched",   NULL,
	  "acknowledged_at|on_site_at|resolved_at" },
};

/* The index of `status` in the loop, or -1. */
static int rank_of(const char *status)
{
	for (int i = 0; status && i < NSTATES; i++)
		if (strcmp(states[i].status, status) == 0)
			return i;
	return -1;
}

const char *tn_task_status_label(const char *status)
{
	int r = rank_of(status);

	return r >= 0 ? states[r].label : "";
}

const char *tn_task_action_label(const char *action)
{
	for (size_t i = 0; action && i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(actions[i].action, action) == 0)
			return actions[i].label;
	return action && strcmp(action, states[0].step) == 0 ? states[0].step_label : "";
}

int tn_task_action_valid(const char *action)
{
	return tn_word_in(TN_TASK_ACTION_LIST, action);
}

int tn_task_open(const char *status)
{
	int r = rank_of(status);

	return r >= 0 && r < rank_of("resolved");
}

static jv time_jv(long long epoch)
{
	char at[TIME_MAX];

	tn_time_rfc3339(epoch, at, sizeof(at));
	return jv_string(at);
}

/* A whole-number member as long long; `dflt` when absent or not whole. */
static long long ll_of(jv obj, const char *key, long long dflt)
{
	return (long long)tn_jv_long(obj, key, (long)dflt);
}

/* The epoch of the time member `key` of `obj` (borrowed); -1 when none. */
static long long at_of(jv obj, const char *key)
{
	long long t;

	return tn_time_parse(tn_jv_str(obj, key), &t) == 0 ? t : -1;
}

/* What the task keeps of an alert (borrowed). */
static jv last_alert(jv alert)
{
	static const char *const keep[] = { "id", "severity", "value", "headline", "raised_at" };
	jv o = jv_object();

	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		o = tn_jv_set(o, keep[i], tn_jv_get(alert, keep[i]));
	return o;
}

/* The plan of an intent (borrowed) with its steps pending, due within_s after `now`. */
static jv plan_of(jv intent, long long now)
{
	jv plan = tn_jv_object(intent, "plan"), steps = tn_jv_array(plan, "steps");
	jv out = tn_jv_set(jv_object(), "name", tn_jv_get(plan, "name")), list = jv_array();

	jv_array_foreach(steps, i, s) {
		long long within = ll_of(s, "within_s", -1);
		jv st = tn_jv_set(jv_object(), "n", jv_number((double)ll_of(s, "n", i + 1)));

		st = tn_jv_set(st, "title", tn_jv_get(s, "title"));
		st = tn_jv_set(st, "who", tn_jv_get(s, "who"));
		st = tn_jv_set(st, "within_s", within >= 0 ? jv_number((double)within) : jv_null());
		st = tn_jv_set(st, "due_at", within >= 0 ? time_jv(now + within) : jv_null());
		st = tn_jv_set(st, "status", jv_string("pending"));
		st = tn_jv_set(st, "done_at", jv_null());
		st = tn_jv_set(st, "done_by", jv_null());
		list = jv_array_append(list, st);
		jv_free(s);
	}
	jv_free(steps);
	jv_free(plan);
	return tn_jv_set(out, "steps", list);
}

/* Whether escalation `spec` (borrowed) can still fire on a task in `status`. */
static int can_fire(jv spec, const char *status)
{
	int unless = rank_of(tn_jv_str(spec, "unless")), r = rank_of(status);

	if (unless >= 0)
		return r >= 0 && r < unless;
	return tn_task_open(status);
}

/*
 * The task (consumed) with the escalation specs that can no longer fire
 * dropped and next_escalation_at the earliest of the others.
 */
static jv plan_escalations(jv task)
{
	jv specs = tn_jv_array(task, "escalate"), keep = jv_array();
	const char *status = tn_jv_str(task, "status");
	long long gen = at_of(task, "generated_at"), next = -1;

	jv_array_foreach(specs, i, spec) {
		long long after = ll_of(spec, "after_s", -1);

		if (!can_fire(spec, status)) {
			jv_free(spec);
			continue;
		}
		if (after >= 0 && gen >= 0 && (next < 0 || gen + after < next))
			next = gen + after;
		keep = jv_array_append(keep, spec);
	}
	jv_free(specs);
	task = tn_jv_set(task, "escalate", keep);
	return tn_jv_set(task, "next_escalation_at", next >= 0 ? time_jv(next) : jv_null());
}

/* Member `key` of `intent`, else of `alert` (both borrowed); null when neither has it. */
static jv either(jv intent, jv alert, const char *key)
{
	jv v = tn_jv_get(intent, key);

	if (jv_get_kind(v) != JV_KIND_NULL)
		return v;
	jv_free(v);
	return tn_jv_get(alert, key);
}

jv tn_task_new(jv intent, jv alert, long long now)
{
	static const char *const head[] = { "rule", "key", "title", "kind", "kind_name",
					    "severity", "priority", "department", "crew_pool" };
	static const char *const place[] = { "district", "district_name", "street", "street_name" };
	jv t = jv_object(), id = tn_jv_get(alert, "id"), specs = tn_jv_array(intent, "escalate");

	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		t = tn_jv_set(t, head[i], strcmp(head[i], "kind") == 0 || strcmp(head[i], "severity") == 0 ?
			either(intent, alert, head[i]) : tn_jv_get(intent, head[i]));
	t = tn_jv_set(t, "crew", jv_null());
	for (size_t i = 0; i < sizeof(place) / sizeof(place[0]); i++)
		t = tn_jv_set(t, place[i], either(intent, alert, place[i]));
	t = tn_jv_set(t, "status", jv_string(states[0].status));
	if (jv_get_kind(id) == JV_KIND_NUMBER) {
		t = tn_jv_set(t, "alerts", jv_array_append(jv_array(), id));
	} else {
		jv_free(id);
		t = tn_jv_set(t, "alerts", jv_array());
	}
	t = tn_jv_set(t, "alert_count", jv_number(1));
	t = tn_jv_set(t, "last_alert", last_alert(alert));
	t = tn_jv_set(t, "plan", plan_of(intent, now));
	t = tn_jv_set(t, "targets", tn_jv_object(intent, "targets"));
	t = tn_jv_set(t, "escalations", jv_array());
	t = tn_jv_set(t, "escalate", specs);
	t = tn_jv_set(t, "next_escalation_at", jv_null());
	for (int i = 0; i < NSTATES; i++)
		t = tn_jv_set(t, states[i].at, i == 0 ? time_jv(now) : jv_null());
	t = tn_jv_set(t, "evaluation", jv_null());
	t = tn_jv_set(t, "updated_at", time_jv(now));
	jv_free(intent);
	return plan_escalations(t);
}

/* The newest alert's figures on a task (consumed): last_alert, severity and priority only raised, the title. */
static jv merge_figures(jv task, jv intent, jv alert, enum tn_severity have, enum tn_severity got,
			long prio, long want)
{
	jv title;

	task = tn_jv_set(task, "last_alert", last_alert(alert));
	if (got != TN_SEV_NONE && got > have) {
		task = tn_jv_set(task, "severity", jv_string(tn_severity_name(got)));
		if (tn_jv_has(intent, "targets"))
			task = tn_jv_set(task, "targets", tn_jv_object(intent, "targets"));
	}
	if (want > 0 && (prio <= 0 || want < prio))
		task = tn_jv_set(task, "priority", jv_number((double)want));
	title = tn_jv_get(intent, "title");
	if (jv_get_kind(title) == JV_KIND_STRING)
		task = tn_jv_set(task, "title", title);
	else
		jv_free(title);
	return task;
}

jv tn_task_merge(jv task, jv intent, jv alert, long long now)
{
	jv id = tn_jv_get(alert, "id"), ids = tn_jv_array(task, "alerts");
	enum tn_severity have = tn_severity_parse(tn_jv_str(task, "severity"));
	enum tn_severity got = tn_severity_parse(tn_jv_str(intent, "severity"));
	long prio = tn_jv_long(task, "priority", 0), want = tn_jv_long(intent, "priority", 0);

	if (jv_get_kind(id) == JV_KIND_NUMBER) {
		int seen = 0;

		jv_array_foreach(ids, i, x) {
			seen |= jv_equal(x, jv_copy(id));
		}
		if (seen) {
			/* an alert the task holds, updated by its producer: its new figures, not a count */
			jv before = jv_copy(task), after;

			jv_free(id);
			jv_free(ids);
			after = merge_figures(task, intent, alert, have, got, prio, want);
			if (jv_equal(jv_copy(after), jv_copy(before))) {
				jv_free(after);
				return before;
			}
			jv_free(before);
			return tn_jv_set(after, "updated_at", time_jv(now));
		}
		ids = jv_array_append(ids, id);
		/* a flood point that reports all season: the newest only (all stay linked in the store) */
		if (jv_array_length(jv_copy(ids)) > TN_TASK_ALERTS_MAX)
			ids = jv_array_slice(ids, jv_array_length(jv_copy(ids)) - TN_TASK_ALERTS_MAX,
					     jv_array_length(jv_copy(ids)));
	} else {
		jv_free(id);
	}
	task = tn_jv_set(task, "alerts", ids);
	task = tn_jv_set(task, "alert_count", jv_number((double)(tn_jv_long(task, "alert_count", 0) + 1)));
	task = merge_figures(task, intent, alert, have, got, prio, want);
	return tn_jv_set(task, "updated_at", time_jv(now));
}

/* ---- acting ---- */

/* Whether `status` is one of the '|'-separated `list` ("open": any open status). */
static int status_in(const char *status, const char *list)
{
	return strcmp(list, "open") == 0 ? tn_task_open(status) : tn_word_in(list, status);
}

/* The arguments of a move: checked, borrowed from args. */
struct given {
	const char *crew;
	long score;
	long step;
	jv comment;     /* owned: a string or null */
};

/*
 * Check `args` (borrowed; an object) for move `m` into *g (crew borrowed
 * from args, comment a new reference); TN_EINVALID naming the argument.
 */
static enum tn_code check_args(const struct move *m, jv args, long nsteps, struct given *g,
			       struct tn_err *err)
{
	jv keys = jv_keys(jv_copy(args));
	enum tn_code rc = TN_OK;
	jv v;

	jv_array_foreach(keys, i, k) {
		const char *s = jv_string_value(k);

		if (rc == TN_OK && strcmp(s, "comment") != 0 && !(m->need && strcmp(s, m->need) == 0))
			rc = tn_err_field(err, TN_EINVALID, s, "%s takes no argument '%s'", m->action, s);
		jv_free(k);
	}
	jv_free(keys);
	if (rc != TN_OK)
		return rc;
	v = tn_jv_get(args, "comment");
	if (jv_get_kind(v) == JV_KIND_STRING && tn_utf8_chars(jv_string_value(v)) <= COMMENT_MAX) {
		jv_free(g->comment);
		g->comment = v;
	} else {
		if (jv_get_kind(v) != JV_KIND_NULL)
			rc = tn_err_field(err, TN_EINVALID, "comment", "comment must be text of up "
					  "to %d characters", COMMENT_MAX);
		jv_free(v);
	}
	if (rc != TN_OK || !m->need)
		return rc;
	if (strcmp(m->need, "crew") == 0) {
		g->crew = tn_jv_str(args, "crew");
		if (!g->crew || !*g->crew || tn_utf8_chars(g->crew) > CREW_MAX)
			return tn_err_field(err, TN_EINVALID, "crew", "dispatch needs a crew "
					    "(1..%d characters)", CREW_MAX);
		for (const char *c = g->crew; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				return tn_err_field(err, TN_EINVALID, "crew", "crew: control "
						    "characters are not allowed");
		return TN_OK;
	}
	if (strcmp(m->need, "score") == 0) {
		jv s = tn_jv_get(args, "score");

		g->score = tn_jv_long(args, "score", 0);
		if (jv_get_kind(s) == JV_KIND_NULL)
			rc = tn_err_field(err, TN_EINVALID, "score", "evaluate needs a score 1..5");
		else if (g->score < 1 || g->score > 5) {
			jv d = jv_dump_string(jv_copy(s), 0);

			rc = tn_err_field(err, TN_EINVALID, "score", "score: %s is not a score 1..5",
					  jv_string_value(d));
			jv_free(d);
		}
		jv_free(s);
		return rc;
	}
	g->step = tn_jv_long(args, "step", 0);
	if (!tn_jv_has(args, "step"))
		return tn_err_field(err, TN_EINVALID, "step", "step needs the number of a plan step");
	if (g->step < 1 || g->step > nsteps) {
		jv s = tn_jv_get(args, "step"), d = jv_dump_string(s, 0);

		rc = tn_err_field(err, TN_EINVALID, "step", "step: %s is not a step of the plan "
				  "(%s%ld)", jv_string_value(d), nsteps ? "1.." : "it has ", nsteps);
		jv_free(d);
	}
	return rc;
}

/* Whether doing `m` with `g` on `task` (borrowed) would change nothing: a retry. */
static int already_done(const struct move *m, jv task, const struct given *g, jv steps)
{
	if (strcmp(m->action, "step") == 0) {
		jv st = jv_array_get(jv_copy(steps), (int)g->step - 1);
		int done = tn_jv_is(st, "status", "done");

		jv_free(st);
		return done;
	}
	if (!m->to || m->clear || !tn_jv_is(task, "status", m->to))
		return 0;
	if (m->need && strcmp(m->need, "crew") == 0)
		return tn_jv_is(task, "crew", g->crew);
	if (m->need && strcmp(m->need, "score") == 0) {
		jv ev = tn_jv_object(task, "evaluation");
		int same = tn_jv_long(ev, "score", 0) == g->score;

		jv_free(ev);
		return same;
	}
	return 1;
}

/* Plan step g->step of `task` (consumed) done at `now` by `actor`. */
static jv mark_step(jv task, long step, const char *actor, long long now)
{
	jv plan = tn_jv_object(task, "plan"), steps = tn_jv_array(plan, "steps");
	jv st = jv_array_get(jv_copy(steps), (int)step - 1);

	st = tn_jv_set(st, "status", jv_string("done"));
	st = tn_jv_set(st, "done_at", time_jv(now));
	st = tn_jv_set(st, "done_by", tn_jv_string_or_null(actor));
	steps = jv_array_set(steps, (int)step - 1, st);
	return tn_jv_set(task, "plan", tn_jv_set(plan, "steps", steps));
}

enum tn_code tn_task_act(jv task, const char *action, jv args, const char *actor,
			 long long now, jv *out, struct tn_err *err)
{
	const struct move *m = NULL;
	const char *status = tn_jv_str(task, "status");
	struct given g = { NULL, 0, 0, jv_null() };
	jv plan = tn_jv_object(task, "plan"), steps = tn_jv_array(plan, "steps");
	long nsteps = jv_array_length(jv_copy(steps));
	enum tn_code rc = TN_OK;

	for (size_t i = 0; action && i < sizeof(moves) / sizeof(moves[0]); i++)
		if (strcmp(moves[i].action, action) == 0)
			m = &moves[i];
	if (jv_get_kind(args) == JV_KIND_NULL) {
		jv_free(args);
		args = jv_object();
	}
	if (!m)
		rc = tn_err_field(err, TN_EINVALID, "action", "unknown action '%s' (%s)",
				  action ? action : "", TN_TASK_ACTION_LIST);
	else if (jv_get_kind(args) != JV_KIND_OBJECT)
		rc = tn_err_field(err, TN_EINVALID, "", "the arguments of %s must be an object",
				  m->action);
	else
		rc = check_args(m, args, nsteps, &g, err);
	if (rc != TN_OK)
		goto out;
	if (already_done(m, task, &g, steps)) {
		*out = task;
		task = jv_invalid();
		goto out;
	}
	if (!status_in(status, m->from)) {
		if (strcmp(m->action, "step") == 0)
			rc = tn_err_set(err, TN_ECONFLICT, "cannot mark plan step %ld done on a task "
					"that is %s (only while it is open)", g.step,
					status ? status : "unknown");
		else
			rc = tn_err_set(err, TN_ECONFLICT, "cannot %s a task that is %s (%s needs %s)",
					m->action, status ? status : "unknown", m->action,
					m->from);
		goto out;
	}
	if (strcmp(m->action, "step") == 0) {
		task = mark_step(task, g.step, actor, now);
	} else {
		task = tn_jv_set(task, "status", jv_string(m->to));
		if (m->clear == NULL)
			task = tn_jv_set(task, states[rank_of(m->to)].at, time_jv(now));
		for (const char *c = m->clear; c && *c; ) {
			size_t len = strcspn(c, "|");
			char key[32];

			snprintf(key, sizeof(key), "%.*s", (int)len, c);
			task = tn_jv_set(task, key, jv_null());
			c += len + (c[len] == '|');
		}
		if (g.crew)
			task = tn_jv_set(task, "crew", jv_string(g.crew));
		if (g.score)
			task = tn_jv_set(task, "evaluation",
					 tn_jv_set(tn_jv_set(jv_object(), "score",
							     jv_number((double)g.score)),
						   "comment", jv_copy(g.comment)));
		task = plan_escalations(task);
	}
	*out = tn_jv_set(task, "updated_at", time_jv(now));
	task = jv_invalid();
out:
	jv_free(task);
	jv_free(args);
	jv_free(g.comment);
	jv_free(plan);
	jv_free(steps);
	return rc;
}

/* ---- escalation ---- */

/* A duration in Chinese ("10分钟", "2小时", "1天", "45秒") into buf. */
static void duration_zh(long long s, char *buf, size_t size)
{
	if (s > 0 && s % 86400 == 0)
		snprintf(buf, size, "%lld天", s / 86400);
	else if (s > 0 && s % 3600 == 0)
		snprintf(buf, size, "%lld小时", s / 3600);
	else if (s > 0 && s % 60 == 0)
		snprintf(buf, size, "%lld分钟", s / 60);
	else
		snprintf(buf, size, "%lld秒", s);
}

/* Why spec (borrowed) fired: "10分钟内未签收", or "2小时后仍未办结" without `unless`. */
static jv reason_of(jv spec)
{
	int unless = rank_of(tn_jv_str(spec, "unless"));
	char d[32], buf[128];

	duration_zh(ll_of(spec, "after_s", 0), d, sizeof(d));
	if (unless > 0)
		snprintf(buf, sizeof(buf), "%s内未%s", d, states[unless].step_label);
	else
		snprintf(buf, sizeof(buf), "%s后仍未办结", d);
	return jv_string(buf);
}

int tn_task_escalate(jv *task, long long now)
{
	jv t = *task, specs = tn_jv_array(t, "escalate"), keep = jv_array();
	jv fired = tn_jv_array(t, "escalations"), before = tn_jv_get(t, "next_escalation_at"), after;
	const char *status = tn_jv_str(t, "status");
	long long gen = at_of(t, "generated_at");
	long prio = tn_jv_long(t, "priority", 0);
	int changed = 0;

	jv_array_foreach(specs, i, spec) {
		long long due = ll_of(spec, "after_s", -1);
		long p = tn_jv_long(spec, "priority", 0);

		if (gen < 0 || due < 0 || now < gen + due || !can_fire(spec, status)) {
			keep = jv_array_append(keep, spec);
			continue;
		}
		if (p > 0 && (prio <= 0 || p < prio))
			prio = p;
		fired = jv_array_append(fired,
			tn_jv_set(tn_jv_set(tn_jv_set(tn_jv_set(tn_jv_set(jv_object(),
			"level", jv_number((double)ll_of(spec, "level",
							 jv_array_length(jv_copy(fired)) + 1))),
			"at", time_jv(now)), "priority", prio > 0 ? jv_number((double)prio) : jv_null()),
			"notify", tn_jv_get(spec, "notify")), "reason", reason_of(spec)));
		changed = 1;
		jv_free(spec);
	}
	jv_free(specs);
	if (changed) {
		t = tn_jv_set(t, "priority", prio > 0 ? jv_number((double)prio) : jv_null());
		t = tn_jv_set(t, "escalations", fired);
	} else {
		jv_free(fired);
	}
	t = plan_escalations(tn_jv_set(t, "escalate", keep));
	after = tn_jv_get(t, "next_escalation_at");
	changed |= !jv_equal(before, after);
	if (changed)
		t = tn_jv_set(t, "updated_at", time_jv(now));
	*task = t;
	return changed;
}

long long tn_task_next_due(jv task)
{
	long long t = at_of(task, "next_escalation_at");

	return t > 0 ? t : 0;
}

/* ---- table rows ---- */

#define COL_ID 5
#define COL_TIME 11
#define COL_PRIO 4
#define COL_SEV 4
#define COL_DIST 8
#define COL_KIND 8
#define COL_STATUS 6
#define COL_CREW 10
#define COL_STEPS 4
#define COL_GAPS 9      /* a space after each of the nine columns before the title */

static const char *sev_zh(enum tn_severity sev)
{
	static const char *const names[] = { "蓝色", "黄色", "橙色", "红色" };

	return sev >= TN_SEV_BLUE && sev <= TN_SEV_RED ? names[sev] : "";
}

static const char *sev_color(enum tn_severity sev)
{
	static const char *const colors[] = { "\033[34m", "\033[33m", "\033[38;5;208m",
					      "\033[1;31m" };

	return sev >= TN_SEV_BLUE && sev <= TN_SEV_RED ? colors[sev] : "";
}

/* Columns after the fixed ones: the title's width. */
static int rest_of(int width)
{
	int used = COL_ID + COL_TIME + COL_PRIO + COL_SEV + COL_DIST + COL_KIND + COL_STATUS +
		   COL_CREW + COL_STEPS + COL_GAPS;

	return width > used ? width - used : (width > 0 ? 1 : 100000);
}

/* Append `s` fitted to `w` columns and the gap after it. */
static void cell(struct tn_buf *b, const char *s, int w)
{
	tn_fit_width(b, s ? s : "", w, 1);
	tn_buf_addch(b, ' ');
}

void tn_task_table_header(struct tn_buf *b, int width)
{
	struct tn_buf line = TN_BUF_INIT;
	static const char *const heads[] = { "编号", "生成时间", "优先", "级别", "区", "类型",
					     "状态", "队伍", "步骤" };
	static const int widths[] = { COL_ID, COL_TIME, COL_PRIO, COL_SEV, COL_DIST, COL_KIND,
				      COL_STATUS, COL_CREW, COL_STEPS };

	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		cell(&line, heads[i], widths[i]);
	tn_buf_adds(&line, "标题");
	tn_fit_width(b, line.buf, width > 0 ? width : 100000, 0);
	tn_buf_release(&line);
}

void tn_task_format_row(struct tn_buf *b, jv task, int width, int color)
{
	const char *gen = tn_jv_str(task, "generated_at"), *dname = tn_jv_str(task, "district_name");
	const char *kind = tn_jv_str(task, "kind_name"), *crew = tn_jv_str(task, "crew");
	enum tn_severity sev = tn_severity_parse(tn_jv_str(task, "severity"));
	const struct tn_district *d = tn_district_find(tn_jv_str(task, "district"));
	long long id = ll_of(task, "id", -1);
	long prio = tn_jv_long(task, "priority", 0), done = 0, all = 0;
	jv plan = tn_jv_object(task, "plan"), steps = tn_jv_array(plan, "steps");
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", id);
	tn_buf_addf(b, "%*s ", COL_ID, id >= 0 ? buf : "");
	snprintf(buf, sizeof(buf), "%.5s %.5s", gen && strlen(gen) >= 16 ? gen + 5 : "",
		 gen && strlen(gen) >= 16 ? gen + 11 : "");
	cell(b, gen ? buf : "", COL_TIME);
	snprintf(buf, sizeof(buf), "P%ld", prio);
	cell(b, prio > 0 ? buf : "", COL_PRIO);
	if (color && sev != TN_SEV_NONE)
		tn_buf_adds(b, sev_color(sev));
	tn_fit_width(b, sev_zh(sev), COL_SEV, 1);
	if (color && sev != TN_SEV_NONE)
		tn_buf_adds(b, "\033[0m");
	tn_buf_addch(b, ' ');
	cell(b, dname && *dname ? dname : d ? d->name : tn_jv_str(task, "district"), COL_DIST);
	cell(b, kind && *kind ? kind : tn_jv_str(task, "kind"), COL_KIND);
	cell(b, tn_task_status_label(tn_jv_str(task, "status")), COL_STATUS);
	cell(b, crew, COL_CREW);
	jv_array_foreach(steps, i, st) {
		all++;
		done += tn_jv_is(st, "status", "done");
		jv_free(st);
	}
	snprintf(buf, sizeof(buf), "%ld/%ld", done, all);
	cell(b, all ? buf : "", COL_STEPS);
	tn_fit_width(b, tn_jv_str(task, "title") ? tn_jv_str(task, "title") : "", rest_of(width), 0);
	jv_free(steps);
	jv_free(plan);
}
