/* case-show.c — show cases with their history: a readable view on a terminal, JSON otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_case.h"

static const char *prog = "case-show";

static int no_events, no_subcases;
static unsigned marked;   /* the text view's marks put on (tn_mark_provisional) */

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Show options:", NULL, 0 },
	{ TN_OPT_FLAG, 0, "no-events", &no_events, NULL, "leave the history out", NULL, 0 },
	{ TN_OPT_FLAG, 0, "no-subcases", &no_subcases, NULL,
	  "show a workflow's parent case without its sub-cases", NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"case-show",
	"[OPTIONS] ID...",
	"Show cases, each with its history in an \"events\" member and, for the parent\n"
	"of a workflow case, its sub-cases in a \"subcases\" member.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER
};

/* Print `rows` (borrowed) as a table with `columns`, deadlines marked (the notes come at the end). */
static enum tn_code table(jv rows, const char **columns, const struct tn_common *common,
			  struct tn_err *err)
{
	struct tn_common tc = *common;
	struct tn_out t;
	enum tn_code rc, rc2;
	int n = jv_array_length(jv_copy(rows));

	fflush(stdout);
	tc.format = "table";
	if ((rc = tn_out_open(&t, stdout, &tc, 1, columns, err)) != TN_OK)
		return rc;
	for (int i = 0; i < n && rc == TN_OK; i++)
		rc = tn_out_emit(&t, tn_mark_record(jv_array_get(jv_copy(rows), i),
						    tn_mark_provisional, &marked), err);
	rc2 = tn_out_close(&t, err);
	return rc == TN_OK ? rc2 : rc;
}

/*
 * The text view: key: value lines, then the history as a table; for a
 * workflow's parent, its sub-cases as a table, then each of them.
 */
static enum tn_code show_text(jv kase, int first, const struct tn_common *common,
			      struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	enum tn_code rc = TN_OK;

	if (!first)
		fputc('\n', stdout);
	kase = tn_mark_record(kase, tn_mark_provisional, &marked);
	tn_case_format_text(&b, kase);
	fputs(b.buf, stdout);
	tn_buf_release(&b);
	jv events = tn_jv_array(kase, "events");
	if (jv_array_length(jv_copy(events)) > 0) {
		fputs("history:\n", stdout);
		rc = table(events, tn_case_event_columns, common, err);
	}
	jv_free(events);
	jv subs = tn_jv_array(kase, "subcases");
	if (rc == TN_OK && jv_array_length(jv_copy(subs)) > 0) {
		int n = jv_array_length(jv_copy(subs));

		fputs("sub-cases:\n", stdout);
		rc = table(subs, tn_case_subcase_columns, common, err);
		for (int i = 0; i < n && rc == TN_OK; i++)
			rc = show_text(jv_array_get(jv_copy(subs), i), 0, common, err);
	}
	jv_free(subs);
	jv_free(kase);
	return rc;
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	int nargs, status = 0, failed = 0, text;
	enum tn_code last = TN_OK;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	if ((nargs = x.nargs) == 0) {
		tn_err_set(&err, TN_EUSAGE, "no case id given");
		return tn_cli_fail(prog, &err);
	}
	if (tn_cmd_setup(&x, TN_SETUP_CONFIG, 0, NULL, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	text = tn_case_text_view(&x.common, stdout);
	if (tn_cmd_setup(&x, (text ? 0 : TN_SETUP_OUT) | TN_SETUP_SIGNALS | TN_SETUP_CLIENT,
			 nargs > 1, NULL, &err) != TN_OK)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	for (int i = 1; i <= nargs && !tn_cli_interrupted(); i++) {
		jv kase;
		enum tn_code rc = no_subcases ? tn_case_get(x.client, argv[i], !no_events, &kase, &err)
					      : tn_case_get_tree(x.client, argv[i], !no_events, &kase, &err);
		if (rc == TN_OK)
			rc = text ? show_text(kase, i == 1, &x.common, &err) : tn_out_emit(&x.out, kase, &err);
		if (rc != TN_OK) {
			tn_cli_fail(prog, &err);
			failed++;
			last = rc;
			if (rc == TN_EUNREACHABLE || rc == TN_EAUTH || rc == TN_EINTR)
				break;
		}
	}
	if (text && marked) {
		struct tn_buf notes = TN_BUF_INIT;

		tn_mark_notes(&notes, tn_mark_provisional, marked);
		fputs(notes.buf, stdout);
		tn_buf_release(&notes);
	}
	if (tn_cmd_close_out(&x, &err) != TN_OK)
		failed++, last = tn_cli_fail(prog, &err) ? err.code : TN_EIO;
	if (tn_cli_interrupted())
		status = tn_exit_status(TN_EINTR);
	else if (failed)
		status = tn_exit_status(nargs == 1 || last == TN_EAUTH || last == TN_EUNREACHABLE ?
					last : TN_EPARTIAL);
	return tn_cmd_finish(&x, status);
}
