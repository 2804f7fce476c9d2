/* asset-act.c — set the live state of assets (a truck en route, a pump station in fault), each under the version it was read at. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_asset.h"
#include "tn_assetnet.h"

static const char *prog = "asset-act";

static const char *to;
static long version;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Action options:", NULL, 0 },
	{ TN_OPT_STRING, 0, "to", &to, "STATE",
	  "the state set (state: required): " TN_ASSET_VEHICLE_STATES " (a vehicle), "
	  TN_ASSET_PUMP_STATES " (a pump station)", NULL, 0 },
	{ TN_OPT_LONG, 0, "if-version", &version, "V",
	  "act only if the asset is still at version V (one id; default: the version read just "
	  "before)", NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"asset-act",
	"state --to STATE [--if-version V] ID...\n"
	"state --to STATE - < ids",
	"Act on assets of the city's register: 'state' sets their live state (a vehicle's\n"
	"free, en_route, on_site, out_of_service; a pump station's running, fault, idle).\n"
	"IDs come from the arguments, or from stdin with '-': one id a line, or NDJSON\n"
	"objects with \"id\" (and \"version\", acted on), as asset-list writes them.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER
};

static const char *list_columns[] = { "id", "kind", "state", "version", "name", NULL };

struct run {
	struct tn_cmd_bulk b;
	struct tn_client *c;
};

/* Set asset `id`'s state (read as `asset`, consumed; line `line` of stdin, 0 for an operand). */
static void act_one(struct run *r, const char *id, long long v, jv asset, long line)
{
	struct tn_err err = TN_ERR_INIT;
	jv out = jv_invalid();
	enum tn_code rc = tn_asset_state_set(r->c, id, v, asset, to, &out, &err);

	jv_free(asset);
	tn_cmd_bulk_result(&r->b, rc, out, &err, "asset", id, line);
}

static void act_line(void *ctx, const char *line, long n)
{
	struct run *r = ctx;
	struct tn_err err = TN_ERR_INIT;
	long long v = 0;
	jv asset;
	char *id = tn_asset_from_line(line, &v, &asset, &err);

	if (!id) {
		tn_cmd_bulk_bad_line(&r->b, n, &err);
		return;
	}
	act_one(r, id, v, asset, n);
	free(id);
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct run r;
	int nargs, from_stdin = 0;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	nargs = x.nargs;
	if (tn_cmd_bulk_operands(nargs, argv, "state", "asset", "version", version, 0, &from_stdin,
				 &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (!to) {
		tn_err_set(&err, TN_EUSAGE, "state needs --to STATE");
		return tn_cli_fail(prog, &err);
	}
	if (!tn_word_in(TN_ASSET_VEHICLE_STATES "|" TN_ASSET_PUMP_STATES, to)) {
		tn_err_set(&err, TN_EINVALID, "--to takes one of %s, not '%s'",
			   TN_ASSET_VEHICLE_STATES "|" TN_ASSET_PUMP_STATES, to);
		tn_cli_suggest(&err, to, TN_ASSET_VEHICLE_STATES "|" TN_ASSET_PUMP_STATES);
		return tn_cli_fail(prog, &err);
	}
	for (int i = 2; i <= nargs && !from_stdin; i++)
		if (!tn_asset_id_valid(argv[i])) {
			tn_err_set(&err, TN_EINVALID, "'%s' is not an asset id", argv[i]);
			return tn_cli_fail(prog, &err);
		}
	if (tn_cmd_setup(&x, TN_SETUP_ALL, from_stdin || nargs > 2, list_columns, &err) != TN_OK)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	memset(&r, 0, sizeof(r));
	r.b.prog = prog;
	r.b.out = &x.out;
	r.b.bulk = from_stdin || nargs > 2;
	r.c = x.client;
	if (from_stdin)
		tn_cmd_bulk_stdin(&r.b, act_line, &r);
	else
		for (int i = 2; i <= nargs && !r.b.stop && !tn_cli_interrupted(); i++)
			act_one(&r, argv[i], version, jv_invalid(), 0);
	return tn_cmd_bulk_end(&x, &r.b, "state");
}
