/* task-act.c — move tasks through the closed loop, each under the version it was read at. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_task.h"
#include "tn_tasknet.h"

static const char *prog = "task-act";

static const char *crew, *comment;
#define UNSET LONG_MIN     /* --score and --step not given */

static long score = UNSET, step = UNSET, version;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Action options:", NULL, 0 },
	{ TN_OPT_STRING, 0, "crew", &crew, "CREW", "the crew sent (dispatch: required)", NULL, 0 },
	{ TN_OPT_LONG, 0, "score", &score, "N", "the handling's score, 1 to 5 (evaluate: required)",
	  NULL, 0 },
	{ TN_OPT_LONG, 0, "step", &step, "N", "the plan step done, by its number (step: required)",
	  NULL, 0 },
	{ TN_OPT_STRING, 'm', "comment", &comment, "TEXT",
	  "a note kept in the task's history (evaluate: the evaluation's comment)", NULL, 0 },
	{ TN_OPT_LONG, 0, "if-version", &version, "V",
	  "act only if the task is still at version V (one id; default: the version read just "
	  "before)", NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"task-act",
	"ACTION [--crew C] [--score N] [--step N] [-m TEXT] [--if-version V] ID...\n"
	"ACTION [OPTIONS] - < ids",
	"Act on tasks: ACTION is one of dispatch (--crew), acknowledge, arrive, resolve,\n"
	"evaluate (--score 1..5), step (--step N: a plan step done), reopen (a resolved\n"
	"task back to its crew).  IDs come from the arguments, or from stdin with '-': one\n"
	"id a line, or NDJSON objects with \"id\" (and \"version\", acted on), as task-list\n"
	"writes them.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER
};

static const char *list_columns[] = { "id", "version", "status", "crew", "title", NULL };

struct run {
	struct tn_cmd_bulk b;
	struct tn_client *c;
	const char *action;
	jv args;
};

/* Act on task `id` (read as `task`, consumed; input line `line` of stdin, 0 for an operand). */
static void act_one(struct run *r, long long id, long long v, jv task, long line)
{
	struct tn_err err = TN_ERR_INIT;
	jv out = jv_invalid();
	enum tn_code rc = tn_task_act_at(r->c, id, v, task, r->action, r->args, &out, &err);
	char num[32];

	snprintf(num, sizeof(num), "%lld", id);
	tn_cmd_bulk_result(&r->b, rc, out, &err, "task", num, line);
}

/* A line of stdin: a task id, or a task (its version acted on). */
static void act_line(void *ctx, const char *line, long n)
{
	struct run *r = ctx;
	struct tn_err err = TN_ERR_INIT;
	long long v = 0;
	jv task;
	long long id = tn_task_from_line(line, &v, &task, &err);

	if (id < 1)
		tn_cmd_bulk_bad_line(&r->b, n, &err);
	else
		act_one(r, id, v, task, n);
}

/* The action's arguments from the options: {"crew"}, {"score", "comment"}, {"step"} (owned). */
static jv args_of(const char *action)
{
	jv a = jv_object();

	if (crew)
		a = jv_object_set(a, jv_string("crew"), jv_string(crew));
	if (score != UNSET)
		a = jv_object_set(a, jv_string("score"), jv_number((double)score));
	if (step != UNSET)
		a = jv_object_set(a, jv_string("step"), jv_number((double)step));
	if (comment)
		a = jv_object_set(a, jv_string("comment"), jv_string(comment));
	return a;
}

/* The usage errors, found before any id is read or sent; the arguments as the lib checks them. */
static void check(int nargs, char **argv, int *from_stdin, struct tn_err *err)
{
	const char *a = argv[1];

	if (tn_cmd_bulk_operands(nargs, argv, TN_TASK_ACTION_LIST, "task", "version", version, 1,
				 from_stdin, err) != TN_OK)
		return;
	if (!strcmp(a, "dispatch") && !crew)
		tn_err_set(err, TN_EUSAGE, "dispatch needs --crew (the crew sent)");
	else if (!strcmp(a, "evaluate") && score == UNSET)
		tn_err_set(err, TN_EUSAGE, "evaluate needs --score (1 to 5)");
	else if (!strcmp(a, "step") && step == UNSET)
		tn_err_set(err, TN_EUSAGE, "step needs --step (the plan step's number)");
	else if (crew && strcmp(a, "dispatch"))
		tn_err_set(err, TN_EUSAGE, "--crew goes with dispatch only");
	else if (score != UNSET && strcmp(a, "evaluate"))
		tn_err_set(err, TN_EUSAGE, "--score goes with evaluate only");
	else if (step != UNSET && strcmp(a, "step"))
		tn_err_set(err, TN_EUSAGE, "--step goes with step only");
	else if (step != UNSET && step < 1)
		tn_err_set(err, TN_EUSAGE, "--step takes a plan step's number (1, 2 ...), not %ld", step);
	else
		tn_task_args_check(a, args_of(a), err);   /* the lib's rules: score 1..5, lengths */
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct run r;
	int nargs, from_stdin = 0;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	nargs = x.nargs;
	check(nargs, argv, &from_stdin, &err);
	if (err.code != TN_OK)
		return tn_cli_fail(prog, &err);
	if (tn_cmd_setup(&x, TN_SETUP_ALL, from_stdin || nargs > 2, list_columns, &err) != TN_OK)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	memset(&r, 0, sizeof(r));
	r.b.prog = prog;
	r.b.out = &x.out;
	r.b.bulk = from_stdin || nargs > 2;
	r.c = x.client;
	r.action = argv[1];
	r.args = args_of(r.action);
	if (from_stdin)
		tn_cmd_bulk_stdin(&r.b, act_line, &r);
	else
		for (int i = 2; i <= nargs && !r.b.stop && !tn_cli_interrupted(); i++) {
			long v = 0;

			tn_parse_long(argv[i], &v);
			act_one(&r, v, version, jv_invalid(), 0);
		}
	jv_free(r.args);
	return tn_cmd_bulk_end(&x, &r.b, r.action);
}
