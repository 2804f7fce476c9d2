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

struct emit_ctx {
	struct tn_out *out;
	struct tn_err err;
	int failed;
};

static int emit(void *ctx, jv kase)
{
	struct emit_ctx *e = ctx;

	if (tn_out_emit(e->out, kase, &e->err) != TN_OK) {
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
	int status = 0;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	if (limit < 1)
		tn_err_set(&err, TN_EUSAGE, "--limit takes a number above 0, not %ld", limit);
	if (err.code != TN_OK)
		return tn_cli_fail(prog, &err);
	if (overdue)
		q.overdue = 1;
	{
		/* check the dates before anything is sent */
		struct tn_buf probe = TN_BUF_INIT;
		enum tn_code rc = tn_case_query_path(&q, 1, NULL, &probe, &err);
		tn_buf_release(&probe);
		if (rc != TN_OK)
			return tn_cli_fail(prog, &err);
	}
	if (tn_cmd_setup(&x, TN_SETUP_ALL, 1, tn_case_list_columns, &err) != TN_OK)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	tn_out_mark(&x.out, tn_mark_provisional);
	memset(&ectx, 0, sizeof(ectx));
	ectx.out = &x.out;
	if (tn_case_list_end(x.client, &q, all ? -1 : limit, emit, &ectx, &end, &err) != TN_OK)
		status = tn_cli_fail(prog, &err);
	else if (ectx.failed && !x.out.broken_pipe)
		status = tn_cli_fail(prog, &ectx.err);
	status = tn_cmd_finish(&x, status);
	/* stopped at the limit with more on the server: never quietly, whatever stdout is */
	if (status == 0 && end.more && !tn_cli_interrupted())
		tn_cli_list_more(prog, end.shown, end.total, "case");
	return status;
}
