/* case-list.c — list cases with filters, page after page, as a table or NDJSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_case.h"

static const char *prog = "case-list";

static struct tn_case_query q = { .overdue = -1 };
static int overdue, all;
static long limit = 100;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Filters:", NULL, 0 },
	{ TN_OPT_STRING, 's', "status", &q.status, "STATUS",
	  "only cases in STATUS: submitted|accepted|returned|resubmitted|approved|rejected|completed",
	  "submitted|accepted|returned|resubmitted|approved|rejected|completed", 0 },
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
	options, TN_CMD_OUTPUT | TN_CMD_SERVER
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
	struct tn_common common;
	struct tn_config cfg;
	struct tn_err err = TN_ERR_INIT;
	struct tn_out out;
	struct emit_ctx ectx;
	int nargs, done, status = 0;

	if (tn_cli_parse(&cmd, argc, argv, &common, &nargs, &done, stdout, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (done)
		return 0;
	if (nargs > 0)
		tn_err_set(&err, TN_EUSAGE, "unexpected argument '%s'", argv[1]);
	else if (limit < 1)
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
	if (tn_config_load(&cfg, &common, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (!common.format)
		common.format = cfg.format;
	if (tn_out_open(&out, stdout, &common, 1, tn_case_list_columns, &err) != TN_OK) {
		tn_config_release(&cfg);
		return tn_cli_fail(prog, &err);
	}
	tn_cli_catch_signals();
	struct tn_client *c = tn_client_new(&cfg);
	memset(&ectx, 0, sizeof(ectx));
	ectx.out = &out;
	if (tn_case_list(c, &q, all ? -1 : limit, emit, &ectx, &err) != TN_OK)
		status = tn_cli_fail(prog, &err);
	else if (ectx.failed && !out.broken_pipe)
		status = tn_cli_fail(prog, &ectx.err);
	if (tn_out_close(&out, &err) != TN_OK && status == 0 && !out.broken_pipe)
		status = tn_cli_fail(prog, &err);
	tn_client_free(c);
	tn_config_release(&cfg);
	return status;
}
