/* test_flood.c — flood-dispatch's inputs read from the shapes the server gives (assets, alerts, tasks) and from plain lines, depth units, the water at a served point left out of the closures, one-way roads. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tn_flood.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_roadgraph.h"

static jv parse(const char *text)
{
	jv v = tn_json_parse(text, strlen(text));

	assert_true(jv_is_valid(v));
	return v;
}

static enum tn_code add(struct tn_flood_input *in, enum tn_flood_kind k, const char *text,
			struct tn_err *err)
{
	jv rec = parse(text);
	enum tn_code rc = tn_flood_add(in, k, rec, err);

	jv_free(rec);
	return rc;
}

static void test_trucks(void **state)
{
	struct tn_flood_input in;
	struct tn_err err = TN_ERR_INIT;

	memset(&in, 0, sizeof(in));
	/* an ASSET of the register: its props' capacity and its version */
	assert_int_equal(add(&in, TN_FLOOD_TRUCK, "{\"id\":\"PT-017\",\"kind\":\"vehicle\",\"state\":\"free\","
			     "\"lat\":31.24,\"lon\":121.49,\"version\":4,\"props\":{\"type\":\"pump_truck\","
			     "\"capacity_m3h\":500}}", &err), TN_OK);
	/* not free, or not a vehicle: left out */
	assert_int_equal(add(&in, TN_FLOOD_TRUCK, "{\"id\":\"PT-018\",\"kind\":\"vehicle\",\"state\":\"en_route\","
			     "\"lat\":31.24,\"lon\":121.49}", &err), TN_OK);
	assert_int_equal(add(&in, TN_FLOOD_TRUCK, "{\"id\":\"PS-1\",\"kind\":\"pump_station\",\"lat\":31.2,"
			     "\"lon\":121.4}", &err), TN_OK);
	/* a plain line */
	assert_int_equal(add(&in, TN_FLOOD_TRUCK, "{\"id\":\"T2\",\"lat\":31.1,\"lon\":121.3,"
			     "\"capacity_m3h\":300}", &err), TN_OK);
	assert_int_equal(in.nt, 2);
	assert_int_equal(in.not_free, 1);
	assert_string_equal(in.trucks[0].id, "PT-017");
	assert_true(in.trucks[0].capacity_m3h == 500);
	assert_int_equal(in.truck_version[0], 4);
	assert_true(in.trucks[1].capacity_m3h == 300);
	assert_int_equal(in.truck_version[1], 0);
	assert_int_equal(add(&in, TN_FLOOD_TRUCK, "{\"id\":\"T3\",\"lat\":95,\"lon\":121.3}", &err),
			 TN_EINVALID);
	assert_string_equal(err.message, "truck 'T3' has no position (lat, lon)");
	assert_int_equal(add(&in, TN_FLOOD_TRUCK, "[1]", &err), TN_EINVALID);
	tn_flood_input_release(&in);
}

static void test_points(void **state)
{
	struct tn_flood_input in;
	struct tn_err err = TN_ERR_INIT;

	memset(&in, 0, sizeof(in));
	/* an ALERT: its location, its value in cm, its severity */
	assert_int_equal(add(&in, TN_FLOOD_POINT, "{\"id\":42,\"kind\":\"water_depth\",\"severity\":\"orange\","
			     "\"status\":\"raised\",\"location\":{\"lat\":31.2397,\"lon\":121.4906},"
			     "\"value\":32,\"unit\":\"cm\"}", &err), TN_OK);
	/* a TASK placed by its last alert: dispatched as the task, under its version */
	assert_int_equal(add(&in, TN_FLOOD_POINT, "{\"id\":7,\"version\":3,\"key\":\"310101/中山东一路\","
			     "\"status\":\"generated\",\"priority\":1,\"last_alert\":{\"id\":41,\"value\":0.35,"
			     "\"location\":{\"lat\":31.23,\"lon\":121.48}}}", &err), TN_OK);
	/* a proposal read back: "point" for the id */
	assert_int_equal(add(&in, TN_FLOOD_POINT, "{\"point\":\"FP-01\",\"lat\":31.2,\"lon\":121.4,"
			     "\"depth_m\":0.5,\"task\":\"9\",\"task_version\":2}", &err), TN_OK);
	assert_int_equal(in.np, 3);
	assert_string_equal(in.points[0].id, "42");
	assert_true(fabs(in.points[0].depth_m - 0.32) < 1e-9);
	assert_int_equal(in.points[0].priority, 2);
	assert_null(in.points[0].task);
	assert_string_equal(in.points[1].id, "310101/中山东一路");
	assert_string_equal(in.points[1].task, "7");
	assert_int_equal(in.points[1].task_version, 3);
	assert_int_equal(in.points[1].priority, 1);
	assert_true(in.points[1].depth_m == 0.35 && in.points[1].lat == 31.23);
	assert_string_equal(in.points[2].id, "FP-01");
	assert_string_equal(in.points[2].task, "9");
	assert_int_equal(in.points[2].priority, 2);   /* none given */
	assert_int_equal(add(&in, TN_FLOOD_POINT, "{\"id\":\"X\",\"depth_m\":1}", &err), TN_EINVALID);
	assert_string_equal(err.field, "lat");
	tn_flood_input_release(&in);
}

/* Depth alerts close the roads near them, but not the water at a point being served. */
static void test_closures(void **state)
{
	static const char *text =
		"N P 31.200 121.400\nN B 31.200 121.420\nN C 31.195 121.410\n"
		"E P B 2000 60 东西快速路\nE P C 1200 30\nE C B 1200 30\n";
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct tn_roadgraph *g = NULL;
	struct tn_flood_input in;
	struct tn_err err = TN_ERR_INIT;
	unsigned char *closed;
	int n;

	assert_int_equal(tn_roadgraph_read(fp, "t.graph", &g, &err), TN_OK);
	fclose(fp);
	memset(&in, 0, sizeof(in));
	assert_int_equal(add(&in, TN_FLOOD_CLOSURE, "{\"lat\":31.2001,\"lon\":121.41,\"depth_m\":0.5}",
			     &err), TN_OK);
	assert_int_equal(add(&in, TN_FLOOD_CLOSURE, "{\"location\":{\"lat\":31.1975,\"lon\":121.405},"
			     "\"value\":450,\"unit\":\"mm\"}", &err), TN_OK);
	assert_int_equal(add(&in, TN_FLOOD_CLOSURE, "{\"lat\":31.1,\"lon\":121.4,\"value\":3,"
			     "\"unit\":\"mm/h\"}", &err), TN_EINVALID);
	assert_int_equal(in.nd, 2);
	closed = tn_flood_closed(g, &in, 0.3, 30, &n);
	assert_int_equal(n, 2);
	assert_true(closed[0] && closed[1] && !closed[2]);
	free(closed);
	/* the first alert is the water at a point being served: it closes nothing */
	assert_int_equal(add(&in, TN_FLOOD_POINT, "{\"id\":\"FP\",\"lat\":31.2001,\"lon\":121.41}", &err),
			 TN_OK);
	closed = tn_flood_closed(g, &in, 0.3, 30, &n);
	assert_int_equal(n, 1);
	assert_true(!closed[0] && closed[1]);
	free(closed);
	/* the second is too shallow at 0.5 m passable */
	closed = tn_flood_closed(g, &in, 0.5, 30, &n);
	assert_int_equal(n, 0);
	free(closed);
	tn_flood_input_release(&in);
	tn_roadgraph_free(g);
}

/* A one-way road (O) is driven one way only; numeric node ids as in real data. */
static void test_oneway(void **state)
{
	static const char *text =
		"N 1001 31.200 121.400\nN 1002 31.200 121.410\nN 1003 31.205 121.405\n"
		"N 1004 31.2051 121.4051\n"
		"O 1001 1002 1000 50 单行道\n"
		"E 1002 1003 800 30\nE 1003 1001 800 30\n";
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct tn_roadgraph *g = NULL;
	struct tn_roadsearch *s;
	struct tn_err err = TN_ERR_INIT;
	struct tn_route r;
	int a, b;

	assert_int_equal(tn_roadgraph_read(fp, "real.graph", &g, &err), TN_OK);
	fclose(fp);
	/* a node no road touches is never the nearest: 1004 sits on the spot */
	assert_int_equal(tn_roadgraph_nearest(g, 31.2051, 121.4051, NULL), tn_roadgraph_node_find(g, "1003"));
	assert_int_equal(tn_roadgraph_nearest(g, 31.3, 121.4051, NULL), tn_roadgraph_node_find(g, "1003"));
	s = tn_roadsearch_new(g);
	a = tn_roadgraph_node_find(g, "1001");
	b = tn_roadgraph_node_find(g, "1002");
	assert_int_equal(tn_roadgraph_route(s, NULL, a, b, &r), 0);
	assert_int_equal(r.n, 2);                       /* with the one-way: 72 s */
	assert_true(fabs(r.time_s - 72) < 1e-3);
	tn_route_release(&r);
	assert_int_equal(tn_roadgraph_route(s, NULL, b, a, &r), 0);
	assert_int_equal(r.n, 3);                       /* against it: round by 1003, 192 s */
	assert_true(fabs(r.time_s - 192) < 1e-3);
	assert_string_equal(tn_roadgraph_node_id(g, r.nodes[1]), "1003");
	tn_route_release(&r);
	tn_roadsearch_free(s);
	tn_roadgraph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trucks),
		cmocka_unit_test(test_points),
		cmocka_unit_test(test_closures),
		cmocka_unit_test(test_oneway),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
