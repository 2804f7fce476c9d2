/* city-vitals.c — the city's vital signs: one line per indicator for cron and a status bar, a table, JSON; --check for monitoring. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "twonet.h"
#include "tn_vitals.h"

static const char *prog = "city-vitals";

static const char *format, *jq, *ids;
static long watch;
static int check, strict, no_color;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "What to show:", NULL, 0 },
	{ TN_OPT_STRING, 0, "id", &ids, "ID,...", "only these indicators (their ids, comma-separated)",
	  NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Monitoring:", NULL, 0 },
	{ TN_OPT_FLAG, 0, "check", &check, NULL, "exit 1 when an indicator is red", NULL, 0 },
	{ TN_OPT_FLAG, 0, "strict", &strict, NULL, "with --check: yellow fails too", NULL, 0 },
	{ TN_OPT_LONG, 0, "watch", &watch, "SECONDS", "show them again every SECONDS until interrupted",
	  NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Output options:", NULL, 0 },
	{ TN_OPT_STRING, 0, "format", &format, "FMT",
	  "line|table|json (default: table on a terminal, JSON otherwise)", TN_VITALS_FORMATS, 0 },
	{ TN_OPT_STRING, 0, "jq", &jq, "EXPR", "filter the JSON through a jq expression", NULL, 0 },
	{ TN_OPT_FLAG, 0, "no-color", &no_color, NULL, "never use colour (also NO_COLOR)", NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"city-vitals",
	"[--format line|table|json] [--id ID,...] [--check [--strict]] [--watch SECONDS] [OPTIONS]",
	"Show the city's vital signs (GET /v1/vitals): each indicator's value, trend and level.",
	options, TN_CMD_SERVER | TN_CMD_NO_OPERANDS
};

/* One round: fetch, pick, write; the worst level in *worst. */
static enum tn_code round_once(struct tn_cmd_ctx *x, enum tn_vital_level *worst,
			       struct tn_err *err)
{
	jv body;
	enum tn_code rc;

	if ((rc = tn_vitals_get(x->client, &body, err)) != TN_OK ||
	    (rc = tn_vitals_pick(&body, ids, err)) != TN_OK)
		return rc;
	*worst = tn_vitals_worst(body);
	rc = tn_vitals_write(stdout, body, format, jq, no_color, err);
	jv_free(body);
	return rc;
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	enum tn_vital_level worst = TN_VITAL_UNKNOWN;
	enum tn_code rc;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	if (watch < 0 || watch > 86400) {
		tn_err_set(&err, TN_EUSAGE, "--watch takes 1 to 86400 seconds");
		return tn_cli_fail(prog, &err);
	}
	if (strict && !check) {
		tn_err_set(&err, TN_EUSAGE, "--strict goes with --check");
		return tn_cli_fail(prog, &err);
	}
	if (tn_cmd_setup(&x, TN_SETUP_CONFIG | TN_SETUP_SIGNALS | TN_SETUP_CLIENT, 0, NULL,
			 &err) != TN_OK)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	format = tn_cmd_format(&x, format, TN_VITALS_FORMATS);
	for (;;) {
		if (watch && isatty(1) && (!format || strcmp(format, "table") == 0))
			fputs("\033[H\033[2J", stdout);
		if ((rc = round_once(&x, &worst, &err)) != TN_OK)
			return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
		if (!watch)
			break;
		for (long s = 0; s < watch && !tn_cli_interrupted(); s++)
			sleep(1);
		if (tn_cli_interrupted())
			break;
	}
	if (check && (worst == TN_VITAL_RED || (strict && worst == TN_VITAL_YELLOW)))
		return tn_cmd_finish(&x, 1);
	return tn_cmd_finish(&x, 0);
}
