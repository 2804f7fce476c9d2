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

/* The task table, a line at a time (the terminal's), or tn_out's formats. */
struct rows {
	int on;
	int width;
	int header_done;
};

static void opened(void *ctx, struct tn_cmd_ctx *x)
{
	struct rows *r = ctx;

	r->on = x->out.format == TN_FMT_TABLE && !x->common.fields && !x->common.jq;
	if (r->on && x->out.tty) {
		struct winsize ws;

		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
			r->width = ws.ws_col;
	}
}

static enum tn_code emit(void *ctx, struct tn_out *out, jv task, struct tn_err *err)
{
	struct rows *r = ctx;
	struct tn_buf b = TN_BUF_INIT;
	int bad;

	if (!r->on || jv_get_kind(task) != JV_KIND_OBJECT)
		return tn_out_emit(out, task, err);
	if (!r->header_done) {
		tn_task_table_header(&b, r->width);
		tn_buf_addch(&b, '\n');
		r->header_done = 1;
	}
	tn_task_format_row(&b, task, r->width, out->color);
	tn_buf_addch(&b, '\n');
	jv_free(task);
	bad = fwrite(b.buf, 1, b.len, stdout) != b.len || fflush(stdout) == EOF;
	tn_buf_release(&b);
	if (!bad)
		return TN_OK;
	out->broken_pipe = 1;   /* a terminal gone: stop quietly */
	return tn_err_set(err, TN_EIO, "cannot write the output");
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct rows rows = { 0, 0, 0 };
	struct tn_cmd_list l = { "task", tn_task_pager(&q), 0, 0, columns, opened, emit, &rows };

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	l.limit = limit;
	l.all = all;
	return tn_cmd_list_run(&x, prog, &l);
}
