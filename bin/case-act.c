/* case-act.c — move cases through their states, each under the version it was read at. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_case.h"

static const char *prog = "case-act";

static const char *comment;
static long version;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Action options:", NULL, 0 },
	{ TN_OPT_STRING, 'm', "comment", &comment, "TEXT",
	  "why (required by return and reject)", NULL, 0 },
	{ TN_OPT_LONG, 0, "if-version", &version, "N",
	  "act only if the case is still at version N (one id; default: the version read just before)",
	  NULL, 0 },
	TN_OPT_END_ENTRY
};

static struct tn_cmd cmd = {
	"case-act",
	"ACTION [-m TEXT] [--if-version N] ID...\n"
	"ACTION [-m TEXT] - < ids",
	NULL,   /* summary(): it names the case actions */
	options, TN_CMD_OUTPUT | TN_CMD_SERVER
};

/* The summary of --help, naming the lib's case actions. */
static const char *summary(void)
{
	static char text[400];
	size_t n;

	n = (size_t)snprintf(text, sizeof(text), "%s", "Act on cases: ACTION is one of ");
	for (int i = 0; i < TN_CASE_ACTION_COUNT && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", i ? ", " : "",
				      tn_case_move(i)->name);
	if (n < sizeof(text))
		snprintf(text + n, sizeof(text) - n, "%s", ".\n"
			 "IDs come from the arguments, or from stdin with '-': one id a line, or NDJSON\n"
			 "objects with \"id\" (and \"version\", used as the version to act on).");
	return text;
}

static const char *list_columns[] = { "id", "status", "version", "item_name", "applicant.name", NULL };

struct run {
	struct tn_cmd_bulk b;
	struct tn_client *c;
	const char *action;
};

/* Act on `id` (input line `line` of stdin, 0 for an operand). */
static void act_one(struct run *r, const char *id, long ver, long line)
{
	struct tn_err err = TN_ERR_INIT;
	jv kase = jv_invalid();
	enum tn_code rc = tn_case_act(r->c, id, r->action, comment, ver, &kase, &err);

	tn_cmd_bulk_result(&r->b, rc, kase, &err, NULL, id, line);
}

/* A line of stdin: a case id, or a case (its version acted on). */
static void act_line(void *ctx, const char *line, long n)
{
	struct run *r = ctx;
	struct tn_err err = TN_ERR_INIT;
	long ver = 0;
	char *id = tn_case_id_from_line(line, &ver, &err);

	if (!id)
		tn_cmd_bulk_bad_line(&r->b, n, &err);
	else
		act_one(r, id, ver, n);
	free(id);
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct run r;
	int nargs, from_stdin = 0;

	cmd.summary = summary();
	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	nargs = x.nargs;
	tn_cmd_bulk_operands(nargs, argv, TN_CASE_ACTION_LIST, "case", "number", version, 0,
			     &from_stdin, &err);
	if (err.code == TN_OK)
		tn_case_check_comment(comment, &err);   /* once, before any id is read or sent */
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
		for (int i = 2; i <= nargs && !r.b.stop && !tn_cli_interrupted(); i++)
			act_one(&r, argv[i], version, 0);
	return tn_cmd_bulk_end(&x, &r.b, r.action);
}
