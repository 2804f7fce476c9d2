/* task-show.c — show tasks with their plan steps, escalations and history: text on a terminal, JSON otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "twonet.h"
#include "tn_case.h"
#include "tn_task.h"
#include "tn_tasknet.h"
#include "tn_tasktext.h"

static const char *prog = "task-show";

static int no_history;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Show options:", NULL, 0 },
	{ TN_OPT_FLAG, 0, "no-history", &no_history, NULL, "leave the history out", NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"task-show",
	"[OPTIONS] ID...",
	"Show tasks, each with its plan steps (done, pending, late), escalations, alerts and\n"
	"its history (a \"history\" member: every step, who took it and when).",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER
};

/* Print `rows` (consumed) as a table with `columns` under `title`, when there are any. */
static enum tn_code table(const char *title, jv rows, const char **columns,
			  const struct tn_common *common, struct tn_err *err)
{
	struct tn_common tc = *common;
	struct tn_out t;
	enum tn_code rc = TN_OK, rc2;

	if (jv_get_kind(rows) != JV_KIND_ARRAY || jv_array_length(jv_copy(rows)) == 0) {
		jv_free(rows);
		return TN_OK;
	}
	fputs(title, stdout);
	fflush(stdout);
	tc.format = "table";
	if ((rc = tn_out_open(&t, stdout, &tc, 1, columns, err)) != TN_OK) {
		jv_free(rows);
		return rc;
	}
	jv_array_foreach(rows, i, row) {
		if (rc == TN_OK)
			rc = tn_out_emit(&t, row, err);
		else
			jv_free(row);
	}
	jv_free(rows);
	rc2 = tn_out_close(&t, err);
	return rc == TN_OK ? rc2 : rc;
}

/* The text view: key: value lines, then the plan steps, the escalations and the history as tables. */
static enum tn_code show_text(jv task, int first, const struct tn_common *common,
			      struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	enum tn_code rc;

	if (!first)
		fputc('\n', stdout);
	tn_task_format_text(&b, task);
	fputs(b.buf, stdout);
	tn_buf_release(&b);
	rc = table("plan steps:\n", tn_task_steps_view(task, (long long)time(NULL)),
		   tn_task_step_columns, common, err);
	if (rc == TN_OK)
		rc = table("escalations:\n", tn_jv_array(task, "escalations"),
			   tn_task_escalation_columns, common, err);
	if (rc == TN_OK && !no_history)
		rc = table("history:\n", tn_jv_array(task, "history"), tn_task_history_columns,
			   common, err);
	jv_free(task);
	return rc;
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct tn_cmd_bulk b;
	int nargs, text;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	if ((nargs = x.nargs) == 0) {
		tn_err_set(&err, TN_EUSAGE, "no task id given");
		return tn_cli_fail(prog, &err);
	}
	for (int i = 1; i <= nargs; i++) {
		long v;

		if (tn_parse_long(argv[i], &v) != 0 || v < 1) {
			tn_err_set(&err, TN_EINVALID, "'%s' is not a task id (a number)", argv[i]);
			return tn_cli_fail(prog, &err);
		}
	}
	if (tn_cmd_setup(&x, TN_SETUP_CONFIG, 0, NULL, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	text = tn_case_text_view(&x.common, stdout);
	if (tn_cmd_setup(&x, (text ? 0 : TN_SETUP_OUT) | TN_SETUP_SIGNALS | TN_SETUP_CLIENT,
			 nargs > 1, NULL, &err) != TN_OK)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	memset(&b, 0, sizeof(b));
	b.prog = prog;
	b.out = &x.out;
	for (int i = 1; i <= nargs && !b.stop && !tn_cli_interrupted(); i++) {
		long id = 0;
		jv task;
		enum tn_code rc;

		tn_parse_long(argv[i], &id);
		rc = tn_task_get(x.client, id, &task, &err);
		if (rc == TN_OK && no_history)
			task = jv_object_delete(task, jv_string("history"));
		if (rc == TN_OK && text)
			rc = show_text(task, i == 1, &x.common, &err);
		if (rc == TN_OK && text)
			b.done++;               /* the text view is written already */
		else
			tn_cmd_bulk_result(&b, rc, rc == TN_OK ? task : jv_invalid(), &err, NULL,
					   argv[i], 0);
	}
	return tn_cmd_bulk_end(&x, &b, NULL);
}
