/* asset-list.c — list the city's asset register with filters and a bounding box, page after page, as a table or NDJSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_asset.h"
#include "tn_assetnet.h"
#include "tn_list.h"

static const char *prog = "asset-list";

static struct tn_asset_query q;
static int all;
static long limit = 100;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Filters:", NULL, 0 },
	{ TN_OPT_STRING, 'k', "kind", &q.kind, "KIND[,KIND]",
	  "only assets of these kinds: " TN_ASSET_KINDS, NULL, 0 },
	{ TN_OPT_STRING, 0, "district", &q.district, "D[,D]",
	  "only assets in these districts (code or name)", NULL, 0 },
	{ TN_OPT_STRING, 's', "state", &q.state, "STATE[,STATE]",
	  "only assets in these states: " TN_ASSET_VEHICLE_STATES " (vehicles), "
	  TN_ASSET_PUMP_STATES " (pump stations)", NULL, 0 },
	{ TN_OPT_STRING, 0, "bbox", &q.bbox, "MINLON,MINLAT,MAXLON,MAXLAT",
	  "only assets inside this box (degrees; its edges included)", NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Paging:", NULL, 0 },
	{ TN_OPT_LONG, 'n', "limit", &limit, "N", "at most N assets (default 100)", NULL, 0 },
	{ TN_OPT_FLAG, 'a', "all", &all, NULL, "every matching asset, following the pages to the end",
	  NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"asset-list",
	"[--kind K] [--district D] [--state S] [--bbox MINLON,MINLAT,MAXLON,MAXLAT]\n"
	"[--all | -n N] [OPTIONS]",
	"List the city's asset register (pump stations, flood-prone points, evacuation\n"
	"points, compounds, teams, vehicles): a table on a terminal, NDJSON (one asset a\n"
	"line) otherwise.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER | TN_CMD_NO_OPERANDS
};

static const char *columns[] = {
	"id", "kind", "state", "district_name", "lon", "lat", "version", "name", NULL
};

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct tn_cmd_list l = { "asset", tn_asset_pager(&q), 0, 0, columns, NULL, NULL, NULL };

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	l.limit = limit;
	l.all = all;
	return tn_cmd_list_run(&x, prog, &l);
}
