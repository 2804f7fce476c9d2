/* alert-act.c — move alerts through the closed loop, each under the seq it was read at. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_alert.h"

static const char *prog = "alert-act";

static const char *crew, *evaluation, *comment;
static long version;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Action options:", NULL, 0 },
	{ TN_OPT_STRING, 0, "crew", &crew, "CREW", "the crew or truck sent (dispatch: required)",
	  NULL, 0 },
	{ TN_OPT_STRING, 0, "evaluation", &evaluation, "TEXT",
	  "how the handling went (close: required)", NULL, 0 },
	{ TN_OPT_STRING, 'm', "comment", &comment, "TEXT", "a note kept in the alert's history",
	  NULL, 0 },
	{ TN_OPT_LONG, 0, "if-version", &version, "SEQ",
	  "act only if the alert is still at seq SEQ (one id; default: the seq read just before)",
	  NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"alert-act",
	"ACTION [--crew C] [--evaluation TEXT] [-m TEXT] [--if-version SEQ] ID...\n"
	"ACTION [OPTIONS] - < ids",
	"Act on alerts: ACTION is one of dispatch (--crew), acknowledge, resolve,\n"
	"close (--evaluation), reopen (a resolved or closed alert back to its crew).\n"
	"IDs come from the arguments, or from stdin with '-': one id a line, or NDJSON\n"
	"objects with \"id\" (and \"seq\", used as the version to act on).",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER
};

static const char *list_columns[] = { "id", "seq", "status", "crew", "headline", NULL };

struct run {
	struct tn_cmd_bulk b;
	struct tn_client *c;
	const char *action;
};

/* Act on `id` (input line `line` of stdin, 0 for an operand). */
static void act_one(struct run *r, long long id, long long seq, long line)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_alert_step s = { id, seq, r->action, crew, evaluation, comment };
	jv alert = jv_invalid();
	enum tn_code rc = tn_alert_act_at(r->c, &s, &alert, &err);
	char num[32];

	snprintf(num, sizeof(num), "%lld", id);
	tn_cmd_bulk_result(&r->b, rc, alert, &err, "alert", num, line);
}

/* A line of stdin: an alert id, or an alert (its seq acted on). */
static void act_line(void *ctx, const char *line, long n)
{
	struct run *r = ctx;
	struct tn_err err = TN_ERR_INIT;
	long long seq = 0, id = tn_alert_id_from_line(line, &seq, &err);

	if (id < 1)
		tn_cmd_bulk_bad_line(&r->b, n, &err);
	else
		act_one(r, id, seq, n);
}

/* The usage errors, found before any id is read or sent. */
static void check(int nargs, char **argv, int *from_stdin, struct tn_err *err)
{
	const char *a = argv[1];

	if (tn_cmd_bulk_operands(nargs, argv, TN_ALERT_ACTIONS, "alert", "seq", version, 1,
				 from_stdin, err) != TN_OK)
		return;
	if (!strcmp(a, "dispatch") && !crew)
		tn_err_set(err, TN_EUSAGE, "dispatch needs --crew (the crew or truck sent)");
	else if (!strcmp(a, "close") && !evaluation)
		tn_err_set(err, TN_EUSAGE, "close needs --evaluation (how the handling went)");
	else if (crew && strcmp(a, "dispatch"))
		tn_err_set(err, TN_EUSAGE, "--crew goes with dispatch only");
	else if (evaluation && strcmp(a, "close"))
		tn_err_set(err, TN_EUSAGE, "--evaluation goes with close only");
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
	if (from_stdin)
		tn_cmd_bulk_stdin(&r.b, act_line, &r);
	else
		for (int i = 2; i <= nargs && !r.b.stop && !tn_cli_interrupted(); i++) {
			long v = 0;

			tn_parse_long(argv[i], &v);
			act_one(&r, v, version, 0);
		}
	return tn_cmd_bulk_end(&x, &r.b, r.action);
}
