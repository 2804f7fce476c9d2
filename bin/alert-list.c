/* alert-list.c — list alerts with filters, page after page, as a table or NDJSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_alert.h"
#include "tn_alertkind.h"
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

/* An alert with its status in Chinese too, in a table. */
static enum tn_code emit(void *ctx, struct tn_out *out, jv alert, struct tn_err *err)
{
	(void)ctx;
	if (out->format == TN_FMT_TABLE && jv_get_kind(alert) == JV_KIND_OBJECT) {
		const char *label = tn_alert_status_label(tn_jv_str(alert, "status"));

		alert = jv_object_set(alert, jv_string("状态"), jv_string(label));
	}
	return tn_out_emit(out, alert, err);
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct tn_cmd_list l = { "alert", tn_alert_pager(&q), 0, 0, columns, NULL, emit, NULL };

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	l.limit = limit;
	l.all = all;
	if (q.kind) {
		char note[256];

		/* kinds are open: a kind the catalog does not list is a note, not an error */
		if (tn_alertkinds_note(q.kind, note, sizeof(note)))
			fprintf(stderr, "%s: note: %s\n", prog, note);
	}
	return tn_cmd_list_run(&x, prog, &l);
}
