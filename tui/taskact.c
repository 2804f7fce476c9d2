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
 * the lib allows it, else -1 with its words on the bottom line.
 */
static int try_act(jv args)
{
	struct tn_err err = TN_ERR_INIT;
	jv out = jv_invalid();

	if (tn_task_act(jv_copy(pa.task), pa.action, args, NULL, (long long)time(NULL), &out,
			&err) != TN_OK) {
		app_msg(1, "task #%lld: %s", pa.id, err.message);
		return -1;
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

static void ask(const char *question, void (*done)(const char *line), const char *why)
{
	struct tn_buf p = TN_BUF_INIT;

	tn_buf_addf(&p, "%s task #%lld · %s ", tn_task_action_label(pa.action), pa.id, question);
	edit_start(p.buf, NULL, NULL, done, NULL);
	if (why)
		edit_require(why);
	tn_buf_release(&p);
}

static void on_crew(const char *line);
static void on_score(const char *line);
static void on_comment(const char *line);
static void on_step(const char *line);

/* Ask again after a refused answer, its words staying on the status line. */
static void again(const char *question, void (*done)(const char *line), const char *why)
{
	char msg[sizeof(app.message)];

	snprintf(msg, sizeof(msg), "%s", app.message);
	ask(question, done, why);
	app_msg(1, "%s", msg);
}

static void on_crew(const char *line)
{
	jv args;

	if (!line) {
		cancelled();
		return;
	}
	args = jv_object_set(jv_object(), jv_string("crew"), jv_string(line));
	if (try_act(jv_copy(args)) < 0) {
		jv_free(args);
		again("dispatch: crew?", on_crew, "a crew is needed: type it and press Enter, or Esc to cancel");
		return;
	}
	send_action(args);
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

static void on_score(const char *line)
{
	jv args;

	if (!line) {
		cancelled();
		return;
	}
	args = jv_object_set(jv_object(), jv_string("score"), jv_number((double)number_of(line)));
	if (try_act(jv_copy(args)) < 0) {
		jv_free(args);
		again("evaluate: score 1..5?", on_score, "a score 1..5 is needed, or Esc to cancel");
		return;
	}
	jv_free(pa.args);
	pa.args = args;
	ask("evaluate: comment? (Enter: none)", on_comment, NULL);
}

static void on_comment(const char *line)
{
	jv args;

	if (!line) {
		cancelled();
		return;
	}
	args = jv_copy(pa.args);
	if (*line)
		args = jv_object_set(args, jv_string("comment"), jv_string(line));
	if (try_act(jv_copy(args)) < 0) {
		jv_free(args);
		again("evaluate: comment? (Enter: none)", on_comment, NULL);
		return;
	}
	send_action(args);
}

static void on_step(const char *line)
{
	jv args;

	if (!line) {
		cancelled();
		return;
	}
	args = jv_object_set(jv_object(), jv_string("step"), jv_number((double)number_of(line)));
	if (try_act(jv_copy(args)) < 0) {
		jv_free(args);
		again("step: plan step number?", on_step, "a plan step's number is needed, or Esc to cancel");
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
	if (!strcmp(action, "step"))
		return jv_object_set(jv_object(), jv_string("step"), jv_number(1));
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
		ask("dispatch: crew?", on_crew, "a crew is needed: type it and press Enter, or Esc to cancel");
	else if (!strcmp(action, "evaluate"))
		ask("evaluate: score 1..5?", on_score, "a score 1..5 is needed, or Esc to cancel");
	else if (!strcmp(action, "step"))
		ask("step: plan step number?", on_step, "a plan step's number is needed, or Esc to cancel");
	else
		app_confirm(app.last_key, confirmed, NULL, 0, "%s %s task #%lld (version %lld)",
			    tn_task_action_label(action), action, pa.id, pa.version);
	return 1;
}
