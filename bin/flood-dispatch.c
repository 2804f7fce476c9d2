/* flood-dispatch.c — propose which free pump truck goes to which flooded point by travel time on the road graph (--apply dispatches), re-plan when water closes a route, and stage trucks from the rain forecast. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_flood.h"
#include "tn_ndjson.h"
#include "tn_roadgraph.h"

static const char *prog = "flood-dispatch";

static const char *graph, *trucks_file, *points_file, *closures_file, *accepted_file,
	*forecast_file, *history_file, *geojson_file, *kinds = "water_depth,waterlogging";
static const char *passable_s = "0.3", *radius_s = "30", *drain_s = "36", *stage_s = "0.15";
static int apply, dry_run;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Road graph:", NULL, 0 },
	{ TN_OPT_STRING, 'g', "graph", &graph, "FILE",
	  "the road graph (default: the shipped roads/shanghai-main.graph)", NULL, 0 },
	{ TN_OPT_STRING, 0, "passable", &passable_s, "M",
	  "water deeper than M metres closes a road (default 0.3)", NULL, 0 },
	{ TN_OPT_STRING, 0, "radius", &radius_s, "M",
	  "a depth alert closes the roads within M metres of it (default 30)", NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Inputs (NDJSON files; without them, the server's):",
	  NULL, 0 },
	{ TN_OPT_STRING, 0, "trucks", &trucks_file, "FILE",
	  "the free trucks: {\"id\",\"lat\",\"lon\"} or assets", NULL, 0 },
	{ TN_OPT_STRING, 0, "points", &points_file, "FILE",
	  "the flooded points (plan): {\"id\",\"lat\",\"lon\",\"depth_m\",\"priority\",\"task\"}, "
	  "alerts or tasks", NULL, 0 },
	{ TN_OPT_STRING, 0, "closures", &closures_file, "FILE",
	  "the water-depth alerts: {\"lat\",\"lon\",\"depth_m\"} or alerts", NULL, 0 },
	{ TN_OPT_STRING, 0, "accepted", &accepted_file, "FILE",
	  "the proposals in use (replan: required), as plan writes them", NULL, 0 },
	{ TN_OPT_STRING, 0, "forecast", &forecast_file, "FILE",
	  "the rain forecast (predeploy: required): {\"district\",\"hour\",\"mm\"}", NULL, 0 },
	{ TN_OPT_STRING, 0, "history", &history_file, "FILE",
	  "the flood history per point (predeploy): {\"point\",\"district\",\"lat\",\"lon\","
	  "\"count\",\"max_depth_m\"}", NULL, 0 },
	{ TN_OPT_STRING, 0, "kind", &kinds, "KINDS",
	  "the alert kinds of flooding on the server (default water_depth,waterlogging)", NULL, 0 },
	{ TN_OPT_STRING, 0, "geojson", &geojson_file, "FILE",
	  "also write the routes to FILE as one GeoJSON FeatureCollection (for traffic command's "
	  "map)", NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Pre-deployment:", NULL, 0 },
	{ TN_OPT_STRING, 0, "drain-mmh", &drain_s, "MM",
	  "the rain per hour the drains take (default 36)", NULL, 0 },
	{ TN_OPT_STRING, 0, "stage-depth", &stage_s, "M",
	  "stage a truck where the expected depth reaches M metres (default 0.15)", NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Action:", NULL, 0 },
	{ TN_OPT_FLAG, 'n', "dry-run", &dry_run, NULL, "print the proposals only (the default)",
	  NULL, 0 },
	{ TN_OPT_FLAG, 0, "apply", &apply, NULL,
	  "dispatch each proposal: its task to the truck, the truck en route", NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"flood-dispatch",
	"[plan] [--trucks FILE] [--points FILE] [--closures FILE] [--apply] [OPTIONS]\n"
	"replan --accepted FILE [--closures FILE] [--trucks FILE] [OPTIONS]\n"
	"predeploy --forecast FILE [--history FILE] [--trucks FILE] [OPTIONS]",
	"Send pump trucks by travel time on the road graph, round the roads water has\n"
	"closed.  plan (the default): which free truck goes to which flooded point, the\n"
	"earliest arrival first within a priority, each with its ETA and route (GeoJSON,\n"
	"the green channel); --apply dispatches them.  replan: the routes in use that new\n"
	"water closes, re-routed or given another truck.  predeploy: the points ranked by\n"
	"the depth the forecast rain is expected to bring, and trucks staged at them.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER
};

static const char *plan_cols[] = { "point", "priority", "depth_m", "truck", "eta_s", "length_m",
				   "detour_s", "roads", NULL };
static const char *replan_cols[] = { "action", "point", "was_truck", "truck", "was_eta_s",
				     "eta_s", "roads", NULL };
static const char *pre_cols[] = { "rank", "point", "district", "expected_depth_m", "peak_mm",
				  "peak_hour", "truck", "eta_s", "stage_by", NULL };
static const char *apply_cols[] = { "point", "task", "truck", "truck_state", "eta_s", NULL };

/* --NAME's value as a number within lo..hi. */
static enum tn_code num_opt(const char *name, const char *s, double lo, double hi, double *out,
			    struct tn_err *err)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (end == s || *end || errno || !(*out >= lo && *out <= hi))
		return tn_err_set(err, TN_EUSAGE, "--%s takes a number from %g to %g, not '%s'", name,
				  lo, hi, s);
	return TN_OK;
}

/* The usage errors, found before anything is read: which options go with which subcommand. */
static void check(const char *sub, int nargs, struct tn_err *err)
{
	if (nargs > 1)
		tn_err_set(err, TN_EUSAGE, "one subcommand at most: plan, replan or predeploy");
	else if (strcmp(sub, "plan") && strcmp(sub, "replan") && strcmp(sub, "predeploy"))
		tn_err_set(err, TN_EUSAGE, "unknown subcommand '%s' (plan, replan or predeploy)", sub);
	else if (apply && dry_run)
		tn_err_set(err, TN_EUSAGE, "--apply and --dry-run exclude each other");
	else if (apply && strcmp(sub, "plan"))
		tn_err_set(err, TN_EUSAGE, "--apply goes with plan only");
	else if (points_file && strcmp(sub, "plan"))
		tn_err_set(err, TN_EUSAGE, "--points goes with plan only");
	else if (accepted_file && strcmp(sub, "replan"))
		tn_err_set(err, TN_EUSAGE, "--accepted goes with replan only");
	else if (!strcmp(sub, "replan") && !accepted_file)
		tn_err_set(err, TN_EUSAGE, "replan needs --accepted FILE (the proposals in use)");
	else if (geojson_file && !strcmp(sub, "predeploy"))
		tn_err_set(err, TN_EUSAGE, "--geojson goes with plan and replan");
	else if ((forecast_file || history_file) && strcmp(sub, "predeploy"))
		tn_err_set(err, TN_EUSAGE, "--%s goes with predeploy only",
			   forecast_file ? "forecast" : "history");
	else if (!strcmp(sub, "predeploy") && !forecast_file)
		tn_err_set(err, TN_EUSAGE, "predeploy needs --forecast FILE");
}

/* The lines of NDJSON file `path` as an array (owned) in *out; "FILE:LINE: what" on a bad one. */
static enum tn_code read_lines(const char *path, jv *out, struct tn_err *err)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "r") : stdin;
	struct tn_ndjson r;
	jv rec;
	int got;

	*out = jv_array();
	if (!fp)
		return tn_err_set(err, errno == ENOENT ? TN_ENOTFOUND : TN_EIO, "cannot open '%s': %s",
				  path, strerror(errno));
	tn_ndjson_init(&r, fp, fp == stdin ? "stdin" : path);
	while ((got = tn_ndjson_next(&r, &rec, err)) > 0)
		*out = jv_array_append(*out, rec);
	tn_ndjson_release(&r);
	if (fp != stdin)
		fclose(fp);
	return got < 0 ? err->code : TN_OK;
}

/* The inputs: from the files given, the rest from the server. */
static enum tn_code inputs(struct tn_cmd_ctx *x, const char *sub, struct tn_flood_input *in,
			   struct tn_err *err)
{
	unsigned want = 0;
	enum tn_code rc = TN_OK;

	if (trucks_file)
		rc = tn_flood_read_file(in, TN_FLOOD_TRUCK, trucks_file, err);
	else
		want |= TN_FLOOD_WANT(TN_FLOOD_TRUCK);
	if (rc == TN_OK && points_file)
		rc = tn_flood_read_file(in, TN_FLOOD_POINT, points_file, err);
	else if (!strcmp(sub, "plan"))
		want |= TN_FLOOD_WANT(TN_FLOOD_POINT);
	if (rc == TN_OK && closures_file)
		rc = tn_flood_read_file(in, TN_FLOOD_CLOSURE, closures_file, err);
	else if (want)
		want |= TN_FLOOD_WANT(TN_FLOOD_CLOSURE);
	if (rc == TN_OK && history_file)
		rc = tn_flood_read_file(in, TN_FLOOD_HISTORY, history_file, err);
	else if (!strcmp(sub, "predeploy"))
		want |= TN_FLOOD_WANT(TN_FLOOD_HISTORY);
	if (rc != TN_OK || (!want && !apply))
		return rc;
	if ((rc = tn_cmd_setup(x, TN_SETUP_CLIENT, 1, NULL, err)) != TN_OK)
		return rc;
	if (want & ~TN_FLOOD_WANT(TN_FLOOD_HISTORY))
		rc = tn_flood_fetch(x->client, in, kinds, want, err);
	if (rc == TN_OK && (want & TN_FLOOD_WANT(TN_FLOOD_HISTORY)))
		rc = tn_flood_fetch_history(x->client, in, kinds, err);
	if (rc == TN_OK && in->unplaced)
		fprintf(stderr, "%s: %d flood task%s without a place (its alert has no location): left "
			"out\n", prog, in->unplaced, in->unplaced == 1 ? "" : "s");
	return rc;
}

static enum tn_code emit_all(struct tn_cmd_ctx *x, jv arr, struct tn_err *err)
{
	enum tn_code rc = TN_OK;

	jv_array_foreach(arr, i, e) {
		if (rc == TN_OK && !x->out.broken_pipe)
			rc = tn_out_emit(&x->out, e, err);
		else
			jv_free(e);
	}
	jv_free(arr);
	return rc;
}

/* --geojson FILE: the routes of `arr` (borrowed) as a FeatureCollection. */
static enum tn_code write_geojson(jv arr, struct tn_err *err)
{
	FILE *fp;
	jv fc, text;
	int bad;

	if (!geojson_file)
		return TN_OK;
	if (!(fp = fopen(geojson_file, "w")))
		return tn_err_set(err, TN_EIO, "cannot write '%s': %s", geojson_file, strerror(errno));
	fc = tn_routes_feature_collection(jv_copy(arr));
	text = jv_dump_string(fc, 0);
	bad = fprintf(fp, "%s\n", jv_string_value(text)) < 0;
	jv_free(text);
	if (fclose(fp) != 0 || bad)
		return tn_err_set(err, TN_EIO, "cannot write '%s': %s", geojson_file, strerror(errno));
	return TN_OK;
}

/* plan: the proposals written, or with --apply each one dispatched. */
static int run_plan(struct tn_cmd_ctx *x, const struct tn_roadgraph *g,
		    struct tn_flood_input *in, const unsigned char *closed)
{
	struct tn_proposal *p = NULL;
	int n = tn_dispatch_plan(g, closed, in->trucks, in->nt, in->points, in->np, NULL, &p);
	struct tn_cmd_bulk b;
	struct tn_err err = TN_ERR_INIT;
	jv all = jv_array();

	for (int i = 0; i < n; i++)
		all = jv_array_append(all, tn_proposal_json(g, in->trucks, in->points, &p[i]));
	if (write_geojson(all, &err) != TN_OK) {
		jv_free(all);
		tn_proposals_free(p, n);
		return tn_cmd_finish(x, tn_cli_fail(prog, &err));
	}
	if (!apply) {
		enum tn_code rc = emit_all(x, all, &err);

		tn_proposals_free(p, n);
		return tn_cmd_finish(x, rc == TN_OK ? 0 : tn_cli_fail(prog, &err));
	}
	memset(&b, 0, sizeof(b));
	b.prog = prog;
	b.out = &x->out;
	b.bulk = 1;
	for (int i = 0; i < n && !b.stop && !tn_cli_interrupted(); i++) {
		jv pj = jv_array_get(jv_copy(all), i), res = jv_invalid();
		enum tn_code rc;

		tn_err_clear(&err);
		if (p[i].truck < 0)
			rc = tn_err_set(&err, TN_ENOTFOUND, "%s", tn_jv_str_or(pj, "reason", "no truck"));
		else
			rc = tn_flood_apply(x->client, pj, in->truck_version[p[i].truck], &res, &err);
		tn_cmd_bulk_result(&b, rc, res, &err, "point", in->points[p[i].point].id, 0);
		jv_free(pj);
	}
	jv_free(all);
	tn_proposals_free(p, n);
	return tn_cmd_bulk_end(x, &b, "dispatch");
}

static int run_replan(struct tn_cmd_ctx *x, const struct tn_roadgraph *g,
		      struct tn_flood_input *in, jv accepted, double passable, double radius,
		      struct tn_err *err)
{
	unsigned char *closed;
	int nclosed;
	enum tn_code rc = TN_OK;

	/* the water at the points served is theirs, not a closure */
	jv_array_foreach(accepted, i, a) {
		if (rc == TN_OK && (rc = tn_flood_add(in, TN_FLOOD_POINT, a, err)) != TN_OK)
			tn_err_prefix(err, "%s:%d", accepted_file, i + 1);
		jv_free(a);
	}
	if (rc != TN_OK) {
		jv_free(accepted);
		return tn_cmd_finish(x, tn_cli_fail(prog, err));
	}
	closed = tn_flood_closed(g, in, passable, radius, &nclosed);
	{
		jv re = tn_dispatch_replan(g, closed, accepted, in->trucks, in->nt, NULL);

		rc = write_geojson(re, err);
		if (rc == TN_OK)
			rc = emit_all(x, re, err);
		else
			jv_free(re);
	}
	free(closed);
	return tn_cmd_finish(x, rc == TN_OK ? 0 : tn_cli_fail(prog, err));
}

static int run_predeploy(struct tn_cmd_ctx *x, const struct tn_roadgraph *g,
			 struct tn_flood_input *in, const unsigned char *closed,
			 struct tn_err *err)
{
	struct tn_predeploy_opts o = TN_PREDEPLOY_OPTS_INIT;
	struct tn_forecast *f = tn_forecast_new();
	jv lines;
	enum tn_code rc = read_lines(forecast_file, &lines, err);

	jv_array_foreach(lines, i, l) {
		if (rc == TN_OK && (rc = tn_forecast_add(f, l, err)) != TN_OK)
			tn_err_prefix(err, "%s:%d", forecast_file, i + 1);
		jv_free(l);
	}
	jv_free(lines);
	if (rc == TN_OK && (rc = num_opt("drain-mmh", drain_s, 1, 500, &o.drain_mmh, err)) == TN_OK)
		rc = num_opt("stage-depth", stage_s, 0, 10, &o.stage_depth_m, err);
	if (rc == TN_OK)
		rc = emit_all(x, tn_predeploy(g, closed, f, in->hist, in->nh, in->trucks, in->nt, &o),
			      err);
	tn_forecast_free(f);
	return tn_cmd_finish(x, rc == TN_OK ? 0 : tn_cli_fail(prog, err));
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct tn_flood_input in;
	struct tn_roadgraph *g = NULL;
	unsigned char *closed = NULL;
	const char *sub, **cols;
	double passable, radius;
	char path[4096];
	int nclosed, status;
	jv accepted = jv_invalid();

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	sub = x.nargs >= 1 ? argv[1] : "plan";
	check(sub, x.nargs, &err);
	if (err.code == TN_OK && num_opt("passable", passable_s, 0, 10, &passable, &err) == TN_OK)
		num_opt("radius", radius_s, 0, 5000, &radius, &err);
	if (err.code != TN_OK)
		return tn_cli_fail(prog, &err);
	if (!graph) {
		snprintf(path, sizeof(path), "%s/roads/shanghai-main.graph", tn_sharedir());
		graph = path;
	}
	memset(&in, 0, sizeof(in));
	cols = apply ? apply_cols : !strcmp(sub, "replan") ? replan_cols :
	       !strcmp(sub, "predeploy") ? pre_cols : plan_cols;
	if (tn_roadgraph_load(graph, &g, &err) != TN_OK ||
	    (accepted_file && read_lines(accepted_file, &accepted, &err) != TN_OK) ||
	    tn_cmd_setup(&x, TN_SETUP_CONFIG | TN_SETUP_SIGNALS, 1, cols, &err) != TN_OK ||
	    inputs(&x, sub, &in, &err) != TN_OK ||
	    tn_cmd_setup(&x, TN_SETUP_OUT, 1, cols, &err) != TN_OK) {
		status = tn_cmd_finish(&x, tn_cli_fail(prog, &err));
		jv_free(accepted);
		goto out;
	}
	if (!strcmp(sub, "replan")) {
		status = run_replan(&x, g, &in, accepted, passable, radius, &err);
		goto out;
	}
	closed = tn_flood_closed(g, &in, passable, radius, &nclosed);
	if (!strcmp(sub, "predeploy"))
		status = run_predeploy(&x, g, &in, closed, &err);
	else
		status = run_plan(&x, g, &in, closed);
out:
	free(closed);
	tn_flood_input_release(&in);
	tn_roadgraph_free(g);
	return status;
}
