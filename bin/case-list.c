/* case-list.c — list cases with filters, page after page, as a table or NDJSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_case.h"
#include "tn_list.h"

static const char *prog = "case-list";

static struct tn_case_query q = { .overdue = -1 };
static int overdue, all;
static long limit = 100;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Filters:", NULL, 0 },
	{ TN_OPT_STRING, 's', "status", &q.status, "STATUS",
	  "only cases in STATUS: " TN_CASE_STATE_LIST,
	  TN_CASE_STATE_LIST, TN_OPTF_DATA },
	{ TN_OPT_STRING, 0, "item", &q.item, "CODE", "only cases on this service item", NULL, 0 },
	{ TN_OPT_STRING, 0, "department", &q.department, "DEPT", "only cases of this department", NULL, 0 },
	{ TN_OPT_STRING, 0, "applicant", &q.applicant, "ID", "only cases of this applicant (ID number or credit code)", NULL, 0 },
	{ TN_OPT_FLAG, 0, "overdue", &overdue, NULL, "only cases past their promised deadline", NULL, 0 },
	{ TN_OPT_STRING, 0, "since", &q.since, "DATE", "only cases submitted on or after DATE (YYYY-MM-DD)", NULL, 0 },
	{ TN_OPT_STRING, 0, "until", &q.until, "DATE", "only cases submitted on or before DATE", NULL, 0 },
	{ TN_OPT_STRING, 'q', "query", &q.q, "TEXT", "only cases whose applicant name or id contains TEXT", NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Paging:", NULL, 0 },
	{ TN_OPT_STRING, 0, "order", &q.order, "KEY", "sort by id|deadline (default id)", "id|deadline", 0 },
	{ TN_OPT_LONG, 'n', "limit", &limit, "N", "at most N cases (default 100)", NULL, 0 },
	{ TN_OPT_FLAG, 'a', "all", &all, NULL, "every matching case, following the pages to the end", NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"case-list",
	"[--status S] [--item CODE] [--overdue] [--since DATE] [-q TEXT] [--all | -n N] [OPTIONS]",
	"List cases: a table on a terminal, NDJSON (one case a line) otherwise.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER | TN_CMD_NO_OPERANDS
};

/* Mark the provisional deadlines of the table. */
static void opened(void *ctx, struct tn_cmd_ctx *x)
{
	(void)ctx;
	tn_out_mark(&x->out, tn_mark_provisional);
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct tn_cmd_list l = { "case", tn_case_pager(&q), limit, all, tn_case_list_columns,
				 opened, NULL, NULL };

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	if (overdue)
		q.overdue = 1;
	l.limit = limit;
	l.all = all;
	return tn_cmd_list_run(&x, prog, &l);
}
