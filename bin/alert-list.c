/* alert-list.c — list alerts with filters, page after page, as a table or NDJSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_alert.h"
#include "tn_list.h"

static const char *prog = "alert-list";

static struct tn_alert_query q;
static int all;
static long limit = 100;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Filters:", NULL, 0 },
	{ TN_OPT_STRING, 's', "status", &q.status, "STATUS",
	  "only alerts in STATUS: " TN_ALERT_STATUSES, TN_ALERT_STATUSES, TN_OPTF_DATA },
	{ TN_OPT_STRING, 0, "severity", &q.severity, "SEV",
	  "only alerts of SEV or higher: " TN_ALERT_SEVERITIES, TN_ALERT_SEVERITIES, TN_OPTF_DATA },
	{ TN_OPT_STRING, 0, "district", &q.district, "CODE[,CODE]",
	  "only alerts in these districts (code or name)", NULL, 0 },
	{ TN_OPT_STRING, 0, "kind", &q.kind, "KIND[,KIND]", "only alerts of these kinds", NULL, 0 },
	{ TN_OPT_STRING, 0, "since", &q.since, "TIME",
	  "only alerts raised at or after TIME (RFC 3339, YYYY-MM-DD, or 2h, 3d: that long ago)",
	  NULL, 0 },
	{ TN_OPT_STRING, 0, "until", &q.until, "TIME", "only alerts raised at or before TIME", NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Paging:", NULL, 0 },
	{ TN_OPT_LONG, 'n', "limit", &limit, "N", "at most N alerts (default 100)", NULL, 0 },
	{ TN_OPT_FLAG, 'a', "all", &all, NULL, "every matching alert, following the pages to the end",
	  NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"alert-list",
	"[--status S] [--severity SEV] [--district D] [--kind K] [--since T] [--until T]\n"
	"[--all | -n N] [OPTIONS]",
	"List city-operations alerts: a table on a terminal (statuses in Chinese too),\n"
	"NDJSON (one alert a line) otherwise.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER | TN_CMD_NO_OPERANDS
};

static const char *columns[] = {
	"id", "seq", "severity", "district_name", "kind", "status", "状态", "crew", "headline", NULL
};

struct emit_ctx {
	struct tn_out *out;
	struct tn_err err;
	int failed;
};

static int emit(void *ctx, jv alert)
{
	struct emit_ctx *e = ctx;

	if (e->out->format == TN_FMT_TABLE && jv_get_kind(alert) == JV_KIND_OBJECT) {
		const char *label = tn_alert_status_label(tn_jv_str(alert, "status"));

		alert = jv_object_set(alert, jv_string("状态"), jv_string(label));
	}
	if (tn_out_emit(e->out, alert, &e->err) != TN_OK) {
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
	rc = tn_alert_query_path(&q, 1, NULL, &probe, &err);
	tn_buf_release(&probe);
	if (rc != TN_OK)
		return tn_cli_fail(prog, &err);
	if (tn_cmd_setup(&x, TN_SETUP_ALL, 1, columns, &err) != TN_OK)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	memset(&ectx, 0, sizeof(ectx));
	ectx.out = &x.out;
	if (tn_alert_list_end(x.client, &q, all ? -1 : limit, emit, &ectx, &end, &err) != TN_OK)
		status = tn_cli_fail(prog, &err);
	else if (ectx.failed && !x.out.broken_pipe)
		status = tn_cli_fail(prog, &ectx.err);
	status = tn_cmd_finish(&x, status);
	/* stopped at the limit with more on the server: never quietly, whatever stdout is */
	if (status == 0 && end.more && !tn_cli_interrupted())
		tn_cli_list_more(prog, end.shown, end.total, "alert");
	return status;
}
