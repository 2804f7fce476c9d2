/* test_roadgraph.c — the road graph, dispatch and pre-deployment on small graphs with known answers: travel time over distance, detours round closed roads, no free truck, re-planning, the forecast ranking, graph file errors. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tn_json.h"
#include "tn_jv.h"
#include "tn_roadgraph.h"

/*
 * P the flooded point.  Truck A is 780 m north of P as the crow flies but
 * across a river: by road it goes round by X and B (3000 + 1500 + 2000 m).
 * Truck B is 1.9 km east on the expressway (2000 m at 60 km/h: 120 s).  C
 * is a slower way round from P to B (2 x 1200 m at 30 km/h: 288 s).
 */
static const char *small =
	"# a small test graph\n"
	"N P 31.200 121.400\n"
	"N A 31.207 121.400\n"
	"N B 31.200 121.420\n"
	"N X 31.207 121.430\n"
	"N C 31.195 121.410   # the way round\n"
	"E P B 2000 60 东西快速路\n"
	"E B X 1500 40 北路\n"
	"E X A 3000 40 滨江路\n"
	"E P C 1200 30 南支路\n"
	"E C B 1200 30 南支路\n";

static jv parse(const char *text)
{
	jv v = tn_json_parse(text, strlen(text));

	assert_true(jv_is_valid(v));
	return v;
}

static struct tn_roadgraph *load(const char *text)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct tn_roadgraph *g = NULL;
	struct tn_err err = TN_ERR_INIT;

	assert_non_null(fp);
	assert_int_equal(tn_roadgraph_read(fp, "small.graph", &g, &err), TN_OK);
	fclose(fp);
	return g;
}

static void fail_with(const char *text, const char *want)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct tn_roadgraph *g = NULL;
	struct tn_err err = TN_ERR_INIT;

	assert_int_equal(tn_roadgraph_read(fp, "bad.graph", &g, &err), TN_EINVALID);
	assert_null(g);
	if (!strstr(err.message, want))
		fail_msg("'%s' does not hold '%s'", err.message, want);
	fclose(fp);
}

static void test_file(void **state)
{
	struct tn_roadgraph *g = load(small);
	double len, speed, d;
	const char *name;
	int a, b;

	assert_int_equal(tn_roadgraph_node_count(g), 5);
	assert_int_equal(tn_roadgraph_edge_count(g), 5);
	tn_roadgraph_edge(g, 4, &a, &b, &len, &speed, &name);
	assert_string_equal(tn_roadgraph_node_id(g, a), "C");
	assert_string_equal(tn_roadgraph_node_id(g, b), "B");
	assert_true(len == 1200);
	assert_string_equal(name, "南支路");
	/* the nearest node */
	assert_int_equal(tn_roadgraph_nearest(g, 31.2069, 121.4003, &d),
			 tn_roadgraph_node_find(g, "A"));
	assert_true(d < 50);
	assert_int_equal(tn_roadgraph_nearest(g, 40.0, 100.0, NULL), tn_roadgraph_node_find(g, "A"));
	tn_roadgraph_free(g);

	fail_with("N P 31.2 121.4\nN P 31.3 121.4\n", "bad.graph:2: node 'P' is defined twice");
	fail_with("N P 31.2 121.4\n\n# x\nE P Q 10 40\n", "bad.graph:4: edge to unknown node 'Q'");
	fail_with("N P 31.2 121.4\nN Q 31.3 121.4\nE P Q -5 40\n", "bad.graph:3: edge P-Q: length");
	fail_with("N P 31.2 121.4\nN Q 31.3 121.4\nE P Q 5 400\n", "bad.graph:3: edge P-Q: speed");
	fail_with("N P 91 121.4\n", "bad.graph:1: node 'P': bad position");
	fail_with("N P 31.2\n", "bad.graph:1: a node is 'N ID LAT LON'");
	fail_with("X 1 2\n", "bad.graph:1: unknown record 'X'");
	fail_with("N P 31.2 121.4\n", "bad.graph:1: no edges");
}

static const struct tn_truck trucks_ab[] = {
	{ "PT-A", 31.207, 121.400, 300 },
	{ "PT-B", 31.200, 121.420, 300 },
};

static struct tn_flood_point point_p = { "FP-P", 31.200, 121.400, 0.45, 1, "7", 3 };

/* The nearest truck by travel time (B, 120 s), not by distance (A). */
static void test_nearest_by_time(void **state)
{
	struct tn_roadgraph *g = load(small);
	struct tn_proposal *p = NULL;
	int n = tn_dispatch_plan(g, NULL, trucks_ab, 2, &point_p, 1, NULL, &p);
	jv j;

	assert_true(tn_geo_dist_m(31.2, 121.4, 31.207, 121.4) < tn_geo_dist_m(31.2, 121.4, 31.2, 121.42));
	assert_int_equal(n, 1);
	assert_int_equal(p[0].truck, 1);
	assert_true(p[0].eta_s > 119.9 && p[0].eta_s < 120.1);
	j = tn_proposal_json(g, trucks_ab, &point_p, &p[0]);
	assert_string_equal(tn_jv_str(j, "truck"), "PT-B");
	assert_int_equal(tn_jv_long(j, "eta_s", -1), 120);
	assert_int_equal(tn_jv_long(j, "length_m", -1), 2000);
	{
		jv r = tn_jv_object(j, "route"), c = tn_jv_array(r, "coordinates");
		jv want = parse("[[121.42,31.2],[121.4,31.2]]");

		assert_string_equal(tn_jv_str(r, "type"), "LineString");
		assert_true(jv_equal(c, want));
		jv_free(r);
	}
	jv_free(j);
	tn_proposals_free(p, n);
	tn_roadgraph_free(g);
}

/* Water 0.5 m on the expressway closes it: B goes round by C (288 s) and says what it avoided. */
static void test_closed_detour(void **state)
{
	struct tn_roadgraph *g = load(small);
	unsigned char *closed = tn_roadgraph_closed_new(g);
	struct tn_proposal *p = NULL;
	int n;
	jv j, av;

	/* 0.2 m is passable: nothing closed */
	assert_int_equal(tn_roadgraph_close_near(g, closed, 31.2001, 121.410, 0.2, 0.3, 50), 0);
	assert_int_equal(tn_roadgraph_close_near(g, closed, 31.2001, 121.410, 0.5, 0.3, 50), 1);
	assert_true(closed[0]);
	n = tn_dispatch_plan(g, closed, trucks_ab + 1, 1, &point_p, 1, NULL, &p);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].truck, 0);
	assert_true(p[0].eta_s > 287.9 && p[0].eta_s < 288.1);
	j = tn_proposal_json(g, trucks_ab + 1, &point_p, &p[0]);
	assert_int_equal(tn_jv_long(j, "detour_s", -1), 168);
	av = tn_jv_array(j, "avoided");
	assert_int_equal(jv_array_length(jv_copy(av)), 1);
	{
		jv e = jv_array_get(jv_copy(av), 0);

		assert_string_equal(tn_jv_str(e, "name"), "东西快速路");
		jv_free(e);
	}
	jv_free(av);
	av = tn_jv_array(j, "roads");
	assert_int_equal(jv_array_length(av), 1);   /* 南支路 once */
	jv_free(j);
	tn_proposals_free(p, n);
	free(closed);
	tn_roadgraph_free(g);
}

/* Two points, one free truck: the first priority gets it, the other is told none is left; a cut-off point is told none can reach it. */
static void test_no_free_truck(void **state)
{
	struct tn_roadgraph *g = load(small);
	unsigned char *closed = tn_roadgraph_closed_new(g);
	struct tn_flood_point pts[] = {
		{ "FP-2", 31.207, 121.430, 0.30, 2, NULL, 0 },
		{ "FP-1", 31.200, 121.400, 0.45, 1, NULL, 0 },
	};
	struct tn_proposal *p = NULL;
	int n = tn_dispatch_plan(g, NULL, trucks_ab + 1, 1, pts, 2, NULL, &p);
	jv j;

	assert_int_equal(n, 2);
	assert_int_equal(p[0].point, 1);
	assert_int_equal(p[0].truck, 0);
	assert_int_equal(p[1].point, 0);
	assert_int_equal(p[1].truck, -1);
	j = tn_proposal_json(g, trucks_ab + 1, pts, &p[1]);
	assert_true(jv_get_kind(tn_jv_get(j, "truck")) == JV_KIND_NULL);
	assert_non_null(strstr(tn_jv_str(j, "reason"), "no free truck left"));
	jv_free(j);
	tn_proposals_free(p, n);
	/* every road out of A closed: A's point cannot be reached */
	tn_roadgraph_close_near(g, closed, 31.207, 121.415, 1.0, 0.3, 30);
	pts[0].lat = 31.207;
	pts[0].lon = 121.400;
	n = tn_dispatch_plan(g, closed, trucks_ab + 1, 1, pts, 1, NULL, &p);
	assert_int_equal(p[0].truck, -1);
	j = tn_proposal_json(g, trucks_ab + 1, pts, &p[0]);
	assert_non_null(strstr(tn_jv_str(j, "reason"), "can reach it"));
	jv_free(j);
	tn_proposals_free(p, n);
	/* no trucks at all */
	n = tn_dispatch_plan(g, NULL, NULL, 0, pts + 1, 1, NULL, &p);
	assert_int_equal(p[0].truck, -1);
	tn_proposals_free(p, n);
	free(closed);
	tn_roadgraph_free(g);
}

/* Two points at once: the earliest arrival first, each truck once. */
static void test_two_points(void **state)
{
	struct tn_roadgraph *g = load(small);
	struct tn_flood_point pts[] = {
		{ "FP-P", 31.200, 121.400, 0.40, 1, NULL, 0 },
		{ "FP-X", 31.207, 121.430, 0.40, 1, NULL, 0 },
	};
	struct tn_proposal *p = NULL;
	int n = tn_dispatch_plan(g, NULL, trucks_ab, 2, pts, 2, NULL, &p);

	assert_int_equal(n, 2);
	/* B reaches P in 120 s (and X in 135 s): P-B first, then A to X (270 s) */
	assert_int_equal(p[0].point, 0);
	assert_int_equal(p[0].truck, 1);
	assert_int_equal(p[1].point, 1);
	assert_int_equal(p[1].truck, 0);
	assert_true(p[1].eta_s > 269.9 && p[1].eta_s < 270.1);
	tn_proposals_free(p, n);
	tn_roadgraph_free(g);
}

/* A route in use floods: rerouted round it; when the truck is cut off, another free truck goes; when none can, stranded. */
static void test_replan(void **state)
{
	struct tn_roadgraph *g = load(small);
	unsigned char *closed = tn_roadgraph_closed_new(g);
	struct tn_proposal *p = NULL;
	int n = tn_dispatch_plan(g, NULL, trucks_ab + 1, 1, &point_p, 1, NULL, &p);
	jv acc = JV_ARRAY(tn_proposal_json(g, trucks_ab + 1, &point_p, &p[0])), out, r;

	tn_proposals_free(p, n);
	/* nothing closed: nothing to re-plan */
	out = tn_dispatch_replan(g, closed, jv_copy(acc), NULL, 0, NULL);
	assert_int_equal(jv_array_length(out), 0);
	tn_roadgraph_close_near(g, closed, 31.2001, 121.410, 0.5, 0.3, 50);
	out = tn_dispatch_replan(g, closed, jv_copy(acc), NULL, 0, NULL);
	assert_int_equal(jv_array_length(jv_copy(out)), 1);
	r = jv_array_get(out, 0);
	assert_string_equal(tn_jv_str(r, "action"), "rerouted");
	assert_string_equal(tn_jv_str(r, "truck"), "PT-B");
	assert_int_equal(tn_jv_long(r, "was_eta_s", -1), 120);
	assert_int_equal(tn_jv_long(r, "eta_s", -1), 288);
	jv_free(r);
	/* the way round floods too: P is cut off from B and from A (free): stranded */
	tn_roadgraph_close_near(g, closed, 31.1975, 121.405, 0.5, 0.3, 50);
	{
		struct tn_truck others[] = { { "PT-A", 31.207, 121.400, 0 }, { "PT-B", 31.2, 121.42, 0 } };

		out = tn_dispatch_replan(g, closed, jv_copy(acc), others, 2, NULL);
		r = jv_array_get(out, 0);
		assert_string_equal(tn_jv_str(r, "action"), "stranded");
		jv_free(r);
	}
	jv_free(acc);
	free(closed);
	tn_roadgraph_free(g);
}

/* The ranking from a fixed history and forecast, and the trucks staged deepest first. */
static void test_predeploy(void **state)
{
	struct tn_roadgraph *g = load(small);
	struct tn_forecast *f = tn_forecast_new();
	struct tn_err err = TN_ERR_INIT;
	const char *lines[] = {
		"{\"district\":\"310101\",\"hour\":\"14:00\",\"mm\":20}",
		"{\"district\":\"310101\",\"hour\":\"15:00\",\"mm\":72}",
		"{\"district\":\"310115\",\"hour\":\"15:00\",\"mm\":36}",
		"{\"district\":\"310115\",\"hour\":\"16:00\",\"mm\":18}",
	};
	struct tn_flood_history h[] = {
		{ "FP-1", "310115", "浦东低洼点", 31.207, 121.430, 10, 0.50 },   /* 0.5 x 1 x 1 = 0.5 */
		{ "FP-2", "310101", "外滩", 31.200, 121.400, 1, 0.30 },        /* 0.3 x 2 x 0.5 = 0.3 */
		{ "FP-3", "310104", "徐汇", 31.195, 121.410, 8, 0.60 },        /* no rain: 0 */
		{ "FP-4", "310101", "南京路", 31.207, 121.400, 6, 0.10 },       /* 0.1 x 2 x 1 = 0.2 */
	};
	jv out, rk, e, st;

	for (size_t i = 0; i < sizeof(lines) / sizeof(*lines); i++) {
		jv rec = parse(lines[i]);

		assert_int_equal(tn_forecast_add(f, rec, &err), TN_OK);
		jv_free(rec);
	}
	{
		jv bad = parse("{\"district\":\"310101\",\"hour\":1,\"mm\":-1}");

		assert_int_equal(tn_forecast_add(f, bad, &err), TN_EINVALID);
		assert_string_equal(err.field, "mm");
		jv_free(bad);
	}
	out = tn_predeploy(g, NULL, f, h, 4, trucks_ab, 2, NULL);
	rk = jv_copy(out);
	assert_int_equal(jv_array_length(jv_copy(rk)), 4);
	{
		const char *want[] = { "FP-1", "FP-2", "FP-4", "FP-3" };
		const double depth[] = { 0.5, 0.3, 0.2, 0 };

		for (int i = 0; i < 4; i++) {
			e = jv_array_get(jv_copy(rk), i);
			assert_string_equal(tn_jv_str(e, "point"), want[i]);
			jv d = tn_jv_get(e, "expected_depth_m");

			assert_true(jv_number_value(d) > depth[i] - 0.005 && jv_number_value(d) < depth[i] + 0.005);
			jv_free(d);
			jv_free(e);
		}
	}
	e = jv_array_get(jv_copy(rk), 1);
	{
		jv rs = tn_jv_array(e, "reasons"), r0 = jv_array_get(jv_copy(rs), 0), r1 = jv_array_get(rs, 1);

		assert_string_equal(jv_string_value(r0),
				    "peak 72 mm/h at 15:00 in 310101: 2.0 times the 36 mm/h the drains take");
		assert_string_equal(jv_string_value(r1), "flooded 1 time before, 0.30 m at the deepest");
		jv_free(r0);
		jv_free(r1);
	}
	jv_free(e);
	jv_free(rk);
	/* staged: FP-1 (at X) first: B is nearest (135 s); FP-2 (at P) gets A; FP-4 (0.2 m) none left */
	st = jv_array_get(jv_copy(out), 0);
	assert_string_equal(tn_jv_str(st, "point"), "FP-1");
	assert_true(tn_jv_bool(st, "staged", 0));
	assert_string_equal(tn_jv_str(st, "truck"), "PT-B");
	assert_int_equal(tn_jv_long(st, "eta_s", -1), 135);
	assert_string_equal(tn_jv_str(st, "stage_by"), "15:00");
	jv_free(st);
	st = jv_array_get(jv_copy(out), 1);
	assert_string_equal(tn_jv_str(st, "truck"), "PT-A");
	jv_free(st);
	st = jv_array_get(jv_copy(out), 2);
	assert_string_equal(tn_jv_str(st, "point"), "FP-4");
	assert_true(tn_jv_bool(st, "staged", 0));
	assert_non_null(strstr(tn_jv_str(st, "reason"), "no free truck left"));
	jv_free(st);
	st = jv_array_get(jv_copy(out), 3);
	assert_false(tn_jv_bool(st, "staged", 1));
	jv_free(st);
	jv_free(out);
	tn_forecast_free(f);
	tn_roadgraph_free(g);
}

/* A 30 x 30 grid of streets built in memory, some slow, some one-way, some closed. */
static struct tn_roadgraph *grid(unsigned char **closed)
{
	struct tn_roadgraph *g = tn_roadgraph_new();
	unsigned seed = 7;
	char id[16];

	for (int i = 0; i < 30; i++)
		for (int j = 0; j < 30; j++) {
			snprintf(id, sizeof(id), "g%d_%d", i, j);
			assert_int_equal(tn_roadgraph_add_node(g, id, 31.0 + i * 0.005, 121.3 + j * 0.006),
					 i * 30 + j);
		}
	for (int i = 0; i < 30; i++)
		for (int j = 0; j < 30; j++) {
			seed = seed * 1103515245u + 12345u;
			if (j + 1 < 30)
				tn_roadgraph_add_edge(g, i * 30 + j, i * 30 + j + 1, 570, 20 + (seed >> 16) % 60,
						      "纬路", (seed >> 8) % 9 == 0);
			if (i + 1 < 30)
				tn_roadgraph_add_edge(g, i * 30 + j, (i + 1) * 30 + j, 555,
						      20 + (seed >> 20) % 60, "经路", 0);
		}
	tn_roadgraph_build(g);
	*closed = tn_roadgraph_closed_new(g);
	for (int k = 0; k < 12; k++)
		tn_roadgraph_close_near(g, *closed, 31.0 + (k * 7 % 30) * 0.005,
					121.3 + (k * 11 % 30) * 0.006 + 0.003, 0.5, 0.3, 20);
	return g;
}

/* The answers do not hang on how many candidates a search keeps; each ETA is the fastest route's. */
static void test_grid_consistent(void **state)
{
	unsigned char *closed;
	struct tn_roadgraph *g = grid(&closed);
	struct tn_roadsearch *s = tn_roadsearch_new(g);
	struct tn_truck trucks[20];
	struct tn_flood_point pts[15];
	struct tn_proposal *p[3];
	struct tn_dispatch_opts o[3] = { { 1, 15 }, { 3, 15 }, { 1000, 15 } };
	int n[3];

	for (int i = 0; i < 20; i++)
		trucks[i] = (struct tn_truck){ "T", 31.0 + (i * 13 % 30) * 0.005,
					       121.3 + (i * 17 % 30) * 0.006, 0 };
	for (int i = 0; i < 15; i++)
		pts[i] = (struct tn_flood_point){ "P", 31.0 + (i * 19 % 30) * 0.005,
						  121.3 + (i * 23 % 30) * 0.006, 0.4, 1 + i % 2, NULL, 0 };
	for (int k = 0; k < 3; k++) {
		n[k] = tn_dispatch_plan(g, closed, trucks, 20, pts, 15, &o[k], &p[k]);
		assert_int_equal(n[k], 15);
	}
	for (int i = 0; i < 15; i++) {
		struct tn_route r;

		for (int k = 1; k < 3; k++) {
			assert_int_equal(p[k][i].point, p[0][i].point);
			assert_int_equal(p[k][i].truck, p[0][i].truck);
			assert_true(fabs(p[k][i].eta_s - p[0][i].eta_s) < 1e-6);
		}
		if (p[0][i].truck < 0)
			continue;
		{
			const struct tn_truck *t = &trucks[p[0][i].truck];
			const struct tn_flood_point *pt = &pts[p[0][i].point];
			int from = tn_roadgraph_nearest(g, t->lat, t->lon, NULL);
			int to = tn_roadgraph_nearest(g, pt->lat, pt->lon, NULL);

			assert_int_equal(tn_roadgraph_route(s, closed, from, to, &r), 0);
		}
		assert_true(fabs(r.time_s - p[0][i].route.time_s) < 1e-3);
		assert_true(fabs(r.time_s - p[0][i].eta_s) < 1e-3);   /* on the nodes: no access leg */
		for (int e = 0; e + 1 < p[0][i].route.n; e++)
			assert_false(closed[p[0][i].route.edges[e]]);
		tn_route_release(&r);
	}
	for (int k = 0; k < 3; k++)
		tn_proposals_free(p[k], n[k]);
	tn_roadsearch_free(s);
	free(closed);
	tn_roadgraph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_nearest_by_time),
		cmocka_unit_test(test_closed_detour),
		cmocka_unit_test(test_no_free_truck),
		cmocka_unit_test(test_two_points),
		cmocka_unit_test(test_replan),
		cmocka_unit_test(test_predeploy),
		cmocka_unit_test(test_grid_consistent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
