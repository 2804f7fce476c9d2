/* taskact.c — the loop's steps on a task from casedesk: tried first with the lib's tn_task_act, confirmed or asked for their text, sent with If-Match, a stale version told and read again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casedesk.h"
#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_jv.h"
#include "tn_task.h"

static const struct {
	enum act act;
	const char *action;
} task_acts[] = {
	{ ACT_DISPATCH, "dispatch" }, { ACT_ACKNOWLEDGE, "acknowledge" }, { ACT_ARRIVE, "arrive" },
	{ ACT_RESOLVE, "resolve" }, { ACT_EVALUATE, "evaluate" }, { ACT_STEP, "step" },
	{ ACT_REOPEN, "reopen" },
};

const char *task_act_action(enum act a)
{
	for (size_t i = 0; i < sizeof(task_acts) / sizeof(task_acts[0]); i++)
		if (task_acts[i].act == a && tn_task_action_valid(task_acts[i].action))
			return task_acts[i].action;
	return NULL;
}

/* The action waiting for its confirmation or its text. */
static struct {
	jv task;                /* owned, while `action` is set */
	const char *action;     /* static (task_acts) */
	long long id, version;
	jv args;                /* owned: what was asked so far (evaluate's score) */
} pa;

void task_action_done(void)
{
	if (pa.action) {
		jv_free(pa.task);
		jv_free(pa.args);
	}
	memset(&pa, 0, sizeof(pa));
}

/*
 * Try the step with `args` (consumed) on the task as casedesk has it: 0 when
 * the lib allows it; else its words on the bottom line and -1 for an
 * argument to give again (TN_EINVALID), -2 for a step the task does not
 * allow (the action is then forgotten).
 */
static int try_act(jv args)
{
	struct tn_err err = TN_ERR_INIT;
	jv out = jv_invalid();
	enum tn_code rc = tn_task_act(jv_copy(pa.task), pa.action, args, NULL, (long long)time(NULL),
				      &out, &err);

	if (rc != TN_OK) {
		app_msg(1, "task #%lld: %s", pa.id, err.message);
		if (rc == TN_EINVALID)
			return -1;
		task_action_done();
		return -2;
	}
	jv_free(out);
	return 0;
}

static void on_reloaded(void *ctx, long tag, const struct tn_async_result *r)
{
	(void)ctx;
	(void)tag;
	if (r->status == 200 && jv_get_kind(r->body) == JV_KIND_OBJECT)
		tasks_put(jv_copy(r->body), 0);
}

static void reload(long long id)
{
	char path[64];

	snprintf(path, sizeof(path), "/v1/tasks/%lld", id);
	net_request("GET", path, jv_invalid(), 0, on_reloaded, NULL, (long)id);
}

static void on_acted(void *ctx, long tag, const struct tn_async_result *r)
{
	const char *action = ctx;

	if (r->status == 200 && jv_get_kind(r->body) == JV_KIND_OBJECT) {
		const char *st = tn_jv_str(r->body, "status");

		app_msg(0, "task #%ld: %s %s done (%s %s, version %lld)", tag, tn_task_action_label(action),
			action, st ? st : "?", tn_task_status_label(st), tn_alert_ll(r->body, "version"));
		tasks_put(jv_copy(r->body), 0);
		return;
	}
	/* a stale version (412) or a step the status now refuses (409): the server's words, read again */
	app_msg(1, "task #%ld: %s%s", tag, r->error ? r->error : "no answer",
		r->status == 412 || r->status == 409 ? " (read again)" : "");
	if (r->status == 412 || r->status == 409)
		reload(tag);
}

/* Send the waiting action with `args` (consumed), then forget it. */
static void send_action(jv args)
{
	char path[64];
	jv body = jv_object_set(jv_object(), jv_string("action"), jv_string(pa.action));

	jv_object_foreach(args, k, v)
		body = jv_object_set(body, k, v);
	jv_free(args);
	snprintf(path, sizeof(path), "/v1/tasks/%lld/actions", pa.id);
	net_request("POST", path, body, (long)pa.version, on_acted, (void *)pa.action, (long)pa.id);
	app_msg(0, "task #%lld: %s (version %lld) sent", pa.id, pa.action, pa.version);
	task_action_done();
}

static void confirmed(void *ctx)
{
	(void)ctx;
	if (pa.action)
		send_action(jv_object());
}

static void cancelled(void)
{
	app_msg(0, "%s cancelled: nothing sent", pa.action ? pa.action : "action");
	task_action_done();
}

/* What an action asks, one question after the other: the member it gives, a number or a text. */
struct question {
	const char *text;               /* "dispatch: crew?" */
	const char *member;             /* "crew" */
	const char *why;                /* the message when it is left blank; NULL: it may be */
	int number;
	const struct question *next;
};

static const struct question q_crew = {
	"dispatch: crew?", "crew", "a crew is needed: type it and press Enter, or Esc to cancel", 0, NULL
};
static const struct question q_comment = { "evaluate: comment? (Enter: none)", "comment", NULL, 0, NULL };
static const struct question q_score = {
	"evaluate: score 1..5?", "score", "a score 1..5 is needed, or Esc to cancel", 1, &q_comment
};
static const struct question q_step = {
	"step: plan step number?", "step", "a plan step's number is needed, or Esc to cancel", 1, NULL
};

static const struct question *asking;

static void on_line(const char *line);

static void ask(const struct question *q)
{
	struct tn_buf p = TN_BUF_INIT;

	asking = q;
	tn_buf_addf(&p, "%s task #%lld · %s ", tn_task_action_label(pa.action), pa.id, q->text);
	edit_start(p.buf, NULL, NULL, on_line, NULL);
	if (q->why)
		edit_require(q->why);
	tn_buf_release(&p);
}

/* A whole number typed (spaces around allowed), or -1. */
static long number_of(const char *line)
{
	char *end;
	long v;

	while (*line == ' ')
		line++;
	v = strtol(line, &end, 10);
	while (*end == ' ')
		end++;
	return end == line || *end ? -1 : v;
}

/*
 * The answer to the question asked: tried with what was given before; an
 * argument the lib refuses is asked again (its words staying on the status
 * line), a step the task does not allow ends it, the last answer sends.
 */
static void on_line(const char *line)
{
	const struct question *q = asking;
	jv args;
	int rc;

	if (!line || !pa.action || !q) {
		cancelled();
		return;
	}
	args = jv_copy(pa.args);
	if (jv_get_kind(args) != JV_KIND_OBJECT) {
		jv_free(args);
		args = jv_object();
	}
	if (*line)
		args = jv_object_set(args, jv_string(q->member), q->number ?
				     jv_number((double)number_of(line)) : jv_string(line));
	if ((rc = try_act(jv_copy(args))) < 0) {
		jv_free(args);
		if (rc == -1) {
			char msg[sizeof(app.message)];

			snprintf(msg, sizeof(msg), "%s", app.message);
			ask(q);
			app_msg(1, "%s", msg);
		}
		return;
	}
	if (q->next) {
		jv_free(pa.args);
		pa.args = args;
		ask(q->next);
		return;
	}
	send_action(args);
}

/* Stand-in arguments, to try the step on the task before asking for its text. */
static jv stand_in(const char *action)
{
	if (!strcmp(action, "dispatch"))
		return jv_object_set(jv_object(), jv_string("crew"), jv_string("?"));
	if (!strcmp(action, "evaluate"))
		return jv_object_set(jv_object(), jv_string("score"), jv_number(5));
	if (!strcmp(action, "step")) {
		/* the first step still to do, so that the task's status is what is tried */
		jv plan = tn_jv_object(pa.task, "plan"), steps = tn_jv_array(plan, "steps");
		int n = 0;

		jv_array_foreach(steps, i, st) {
			if (!n && !tn_jv_is(st, "status", "done"))
				n = i + 1;
			jv_free(st);
		}
		jv_free(steps);
		jv_free(plan);
		return jv_object_set(jv_object(), jv_string("step"), jv_number(n ? n : 1));
	}
	return jv_null();
}

int task_action(enum act a, jv task)
{
	const char *action = task_act_action(a);

	if (!action)
		return 0;
	if (jv_get_kind(task) != JV_KIND_OBJECT)
		return 1;
	if (app.readonly) {
		app_msg(1, "read-only: casedesk was started with --readonly, cannot %s", action);
		return 1;
	}
	task_action_done();
	pa.task = jv_copy(task);
	pa.action = action;
	pa.id = tn_alert_ll(task, "id");
	pa.version = tn_alert_ll(task, "version");
	pa.args = jv_null();
	if (try_act(stand_in(action)) < 0) {
		task_action_done();
		return 1;
	}
	if (!strcmp(action, "dispatch"))
		ask(&q_crew);
	else if (!strcmp(action, "evaluate"))
		ask(&q_score);
	else if (!strcmp(action, "step"))
		ask(&q_step);
	else
		app_confirm(app.last_key, confirmed, NULL, 0, "%s %s task #%lld (version %lld)",
			    tn_task_action_label(action), action, pa.id, pa.version);
	return 1;
}
