/* task-list.c — list the city-operations tasks with filters, page after page, as the task table or NDJSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "twonet.h"
#include "tn_list.h"
#include "tn_task.h"
#include "tn_tasknet.h"

static const char *prog = "task-list";

static struct tn_task_query q;
static int all;
static long limit = 100;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Filters:", NULL, 0 },
	{ TN_OPT_LIST, 's', "status", &q.status, "STATUS",
	  "only tasks in STATUS (repeatable, or a,b): " TN_TASK_STATUSES, TN_TASK_STATUSES, 0 },
	{ TN_OPT_FLAG, 0, "open", &q.open, NULL, "only open tasks (not resolved or evaluated)",
	  NULL, 0 },
	{ TN_OPT_LIST, 0, "kind", &q.kind, "KIND", "only tasks of this alert kind (repeatable)",
	  NULL, 0 },
	{ TN_OPT_LIST, 0, "district", &q.district, "DISTRICT",
	  "only tasks in this district: code or name (repeatable)", NULL, 0 },
	{ TN_OPT_LIST, 0, "department", &q.department, "DEPT",
	  "only tasks owned by this department (repeatable)", NULL, 0 },
	{ TN_OPT_STRING, 0, "crew", &q.crew, "CREW", "only tasks dispatched to CREW", NULL, 0 },
	{ TN_OPT_STRING, 0, "rule", &q.rule, "RULE", "only tasks made by the rule RULE", NULL, 0 },
	{ TN_OPT_STRING, 0, "priority", &q.priority, "P",
	  "only tasks of priority P or higher: 1 (highest) to 4", NULL, 0 },
	{ TN_OPT_STRING, 0, "alert", &q.alert, "ID", "only the tasks holding alert ID", NULL, 0 },
	{ TN_OPT_STRING, 0, "since", &q.since, "TIME",
	  "only tasks generated at or after TIME: RFC 3339, a day or period (YYYY-MM-DD, today, "
	  "this-week, last-month ...), or 2h, 3d: that long ago", NULL, 0 },
	{ TN_OPT_STRING, 0, "until", &q.until, "TIME",
	  "only tasks generated at or before TIME (a day or period: up to its end)", NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Paging:", NULL, 0 },
	{ TN_OPT_LONG, 'n', "limit", &limit, "N", "at most N tasks (default 100)", NULL, 0 },
	{ TN_OPT_FLAG, 'a', "all", &all, NULL, "every matching task, following the pages to the end",
	  NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"task-list",
	"[--status S] [--open] [--kind K] [--district D] [--department DEPT] [--crew C]\n"
	"[--priority P] [--since T] [--until T] [--alert ID] [--all | -n N] [OPTIONS]",
	"List the tasks the rules made from alerts: the task table on a terminal (statuses\n"
	"and kinds in Chinese, plan steps done), NDJSON (one task a line) otherwise.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER | TN_CMD_NO_OPERANDS
};

/* --format table with --fields: these columns; a terminal's table is tn_task_format_row's. */
static const char *columns[] = {
	"id", "version", "priority", "severity", "district_name", "kind", "status", "crew", "title",
	NULL
};

struct emit_ctx {
	struct tn_out *out;
	int rows;             /* the task table, a line at a time */
	int width;
	int header_done;
	struct tn_err err;
	int failed;
};

/* One line of the task table to stdout; nonzero when stdout is gone. */
static int emit_row(struct emit_ctx *e, jv task)
{
	struct tn_buf b = TN_BUF_INIT;
	int bad;

	if (!e->header_done) {
		tn_task_table_header(&b, e->width);
		tn_buf_addch(&b, '\n');
		e->header_done = 1;
	}
	tn_task_format_row(&b, task, e->width, e->out->color);
	tn_buf_addch(&b, '\n');
	jv_free(task);
	bad = fwrite(b.buf, 1, b.len, stdout) != b.len || fflush(stdout) == EOF;
	tn_buf_release(&b);
	if (bad) {
		e->out->broken_pipe = 1;   /* a terminal gone: stop quietly */
		return 1;
	}
	return 0;
}

static int emit(void *ctx, jv task)
{
	struct emit_ctx *e = ctx;

	if (e->rows && jv_get_kind(task) == JV_KIND_OBJECT)
		return emit_row(e, task);
	if (tn_out_emit(e->out, task, &e->err) != TN_OK) {
		e->failed = 1;
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct emit_ctx ectx;
	struct tn_list_end end = { 0, -1, 0 };
	struct tn_buf probe = TN_BUF_INIT;
	int status = 0;
	enum tn_code rc;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	if (limit < 1) {
		tn_err_set(&err, TN_EUSAGE, "--limit takes a number above 0, not %ld", limit);
		return tn_cli_fail(prog, &err);
	}
	/* check the filters before anything is sent */
	rc = tn_task_query_path(&q, 1, NULL, &probe, &err);
	tn_buf_release(&probe);
	if (rc != TN_OK)
		return tn_cli_fail(prog, &err);
	if (tn_cmd_setup(&x, TN_SETUP_ALL, 1, columns, &err) != TN_OK)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	memset(&ectx, 0, sizeof(ectx));
	ectx.out = &x.out;
	ectx.rows = x.out.format == TN_FMT_TABLE && !x.common.fields && !x.common.jq;
	if (ectx.rows && x.out.tty) {
		struct winsize ws;

		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
			ectx.width = ws.ws_col;
	}
	if (tn_task_list_end(x.client, &q, all ? -1 : limit, emit, &ectx, &end, &err) != TN_OK)
		status = tn_cli_fail(prog, &err);
	else if (ectx.failed && !x.out.broken_pipe)
		status = tn_cli_fail(prog, &ectx.err);
	status = tn_cmd_finish(&x, status);
	/* stopped at the limit with more on the server: never quietly, whatever stdout is */
	if (status == 0 && end.more && !tn_cli_interrupted())
		tn_cli_list_more(prog, end.shown, end.total, "task");
	return status;
}
