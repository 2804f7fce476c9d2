/* case-act.c — move cases through their states, each under the version it was read at. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_case.h"
#include "tn_ndjson.h"

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
	struct tn_client *c;
	struct tn_out *out;
	const char *action;
	int bulk;               /* ids from stdin or several: name each failure, end with a summary */
	long acted, failed;
	enum tn_code last;
	int stop;
};

/* Act on `id` (input line `line` of stdin, 0 for an operand). */
static void act_one(struct run *r, const char *id, long ver, long line)
{
	struct tn_err err = TN_ERR_INIT;
	jv kase;
	enum tn_code rc = tn_case_act(r->c, id, r->action, comment, ver, &kase, &err);

	if (rc == TN_OK) {
		r->acted++;
		if (tn_out_emit(r->out, kase, &err) == TN_OK)
			return;
		rc = err.code;
		r->stop = 1;
		if (r->out->broken_pipe)
			return;
	} else if (r->bulk && line > 0) {
		tn_err_prefix(&err, "%s (line %ld)", id, line);
	} else if (r->bulk) {
		tn_err_prefix(&err, "%s", id);
	}
	tn_cli_fail(prog, &err);
	r->failed++;
	r->last = rc;
	if (rc == TN_EAUTH || rc == TN_EUNREACHABLE || rc == TN_EINTR)
		r->stop = 1;
}

static void act_stdin(struct run *r)
{
	struct tn_ndjson in;
	struct tn_err err = TN_ERR_INIT;
	const char *line;
	int got;

	tn_ndjson_init(&in, stdin, "stdin");
	while (!r->stop && !tn_cli_interrupted() && (got = tn_ndjson_next_line(&in, &line, &err)) != 0) {
		long ver = 0;
		char *id = got > 0 ? tn_case_id_from_line(line, &ver, &err) : NULL;
		if (!id) {
			if (got > 0)
				tn_err_prefix(&err, "stdin:%ld", in.line);
			tn_cli_fail(prog, &err);
			r->failed++;
			r->last = err.code;
			tn_err_clear(&err);
			if (got < 0 && r->last == TN_EIO)
				break;
			continue;
		}
		act_one(r, id, ver, in.line);
		free(id);
	}
	tn_ndjson_release(&in);
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct run r;
	int nargs, from_stdin = 0, status = 0;

	cmd.summary = summary();
	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	nargs = x.nargs;
	if (nargs < 2)
		tn_err_set(&err, TN_EUSAGE, nargs ? "no case id given (or '-' for stdin)"
			   : "no action given (one of %s)", TN_CASE_ACTION_LIST);
	else if (!tn_case_action_valid(argv[1])) {
		tn_err_set(&err, TN_EUSAGE, "unknown action '%s' (one of %s)", argv[1], TN_CASE_ACTION_LIST);
		tn_cli_suggest(&err, argv[1], TN_CASE_ACTION_LIST);
	}
	else if (version && (version < 1 || nargs != 2 || !strcmp(argv[2], "-")))
		tn_err_set(&err, TN_EUSAGE, "--if-version takes a number above 0 and one case id");
	for (int i = 2; i <= nargs && err.code == TN_OK; i++)
		if (!strcmp(argv[i], "-")) {
			if (nargs != 2)
				tn_err_set(&err, TN_EUSAGE, "'-' (ids from stdin) goes alone");
			from_stdin = 1;
		}
	if (err.code == TN_OK)
		tn_case_check_comment(comment, &err);   /* once, before any id is read or sent */
	if (err.code != TN_OK)
		return tn_cli_fail(prog, &err);
	if (tn_cmd_setup(&x, TN_SETUP_ALL, from_stdin || nargs > 2, list_columns, &err) != TN_OK)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	memset(&r, 0, sizeof(r));
	r.c = x.client;
	r.out = &x.out;
	r.action = argv[1];
	r.bulk = from_stdin || nargs > 2;
	if (from_stdin)
		act_stdin(&r);
	else
		for (int i = 2; i <= nargs && !r.stop && !tn_cli_interrupted(); i++)
			act_one(&r, argv[i], version, 0);
	if (tn_cmd_close_out(&x, &err) != TN_OK && !r.failed) {
		tn_cli_fail(prog, &err);
		r.failed++;
		r.last = err.code;
	}
	if (r.bulk)
		tn_cli_summary(prog, r.action, r.acted, 0, r.failed,
			       tn_cli_interrupted() ? "interrupted" :
			       r.stop && r.failed ? "stopped: the rest not tried" : NULL);
	if (tn_cli_interrupted())
		status = tn_exit_status(TN_EINTR);
	else if (r.failed)
		status = tn_exit_status(r.acted + r.failed == 1 || r.last == TN_EAUTH ||
					r.last == TN_EUNREACHABLE ? r.last : TN_EPARTIAL);
	return tn_cmd_finish(&x, status);
}
