/* test_asset.c — the asset register's rules: kinds and states, a GeoJSON feature checked and made an ASSET, the FeatureCollection read one feature at a time with its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tn_asset.h"
#include "tn_jv.h"

static char sharedir[4096];

static int setup(void **state)
{
	const char *src = getenv("TWONET_SRC");

	(void)state;
	snprintf(sharedir, sizeof(sharedir), "%s/share/twonet", src ? src : ".");
	setenv("TWONET_SHAREDIR", sharedir, 1);
	return 0;
}

/* A Point feature at lon, lat with `props` (a JSON object's members, without braces). */
static jv feature(double lon, double lat, const char *props)
{
	char text[2048];

	snprintf(text, sizeof(text), "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\","
		 "\"coordinates\":[%.6f,%.6f]},\"properties\":{%s}}", lon, lat, props);
	return jv_parse(text);
}

/* tn_asset_from_feature's message for a feature, "" when it is valid. */
static const char *fault(jv f, struct tn_err *err)
{
	jv a;

	memset(err, 0, sizeof(*err));
	if (tn_asset_from_feature(f, &a, err) == TN_OK) {
		jv_free(a);
		jv_free(f);
		return "";
	}
	jv_free(f);
	return err->message;
}

static void test_kinds_states(void **state)
{
	struct tn_err err = TN_ERR_INIT;

	(void)state;
	assert_true(tn_asset_kind_valid("pump_station"));
	assert_true(tn_asset_kind_valid("vehicle"));
	assert_false(tn_asset_kind_valid("pump"));
	assert_false(tn_asset_kind_valid(""));
	assert_false(tn_asset_kind_valid(NULL));
	assert_string_equal(tn_asset_states("vehicle"), "free|en_route|on_site|out_of_service");
	assert_null(tn_asset_states("compound"));
	assert_string_equal(tn_asset_state_default("pump_station"), "running");
	assert_null(tn_asset_state_default("team"));
	assert_int_equal(tn_asset_state_check("vehicle", "en_route", &err), TN_OK);
	assert_int_equal(tn_asset_state_check("vehicle", "fault", &err), TN_EINVALID);
	assert_string_equal(err.field, "state");
	assert_int_equal(tn_asset_state_check("flood_point", NULL, &err), TN_OK);
	assert_int_equal(tn_asset_state_check("flood_point", "free", &err), TN_EINVALID);
	assert_true(tn_asset_id_valid("PS-0001"));
	assert_true(tn_asset_id_valid("a.b_c"));
	assert_false(tn_asset_id_valid("-PS"));
	assert_false(tn_asset_id_valid("PS 1"));
	assert_false(tn_asset_id_valid("黄浦"));
}

static void test_bbox(void **state)
{
	double b[4];

	(void)state;
	assert_int_equal(tn_asset_bbox_parse("121.4,31.2,121.5,31.3", b), 0);
	assert_true(b[0] == 121.4 && b[1] == 31.2 && b[2] == 121.5 && b[3] == 31.3);
	assert_int_equal(tn_asset_bbox_parse("121.4,31.2,121.4,31.2", b), 0);     /* a point */
	assert_int_equal(tn_asset_bbox_parse("121.5,31.2,121.4,31.3", b), -1);    /* min after max */
	assert_int_equal(tn_asset_bbox_parse("121.4,31.2,121.5", b), -1);
	assert_int_equal(tn_asset_bbox_parse("121.4,31.2,121.5,31.3,1", b), -1);
	assert_int_equal(tn_asset_bbox_parse("a,b,c,d", b), -1);
	assert_int_equal(tn_asset_bbox_parse("121,31,122,91", b), -1);
	assert_int_equal(tn_asset_bbox_parse("", b), -1);
}

static void test_feature_ok(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	jv f = feature(121.4905, 31.2397, "\"id\":\"PS-0001\",\"kind\":\"pump_station\","
		       "\"name\":\"黄浦区外滩泵站\",\"district\":\"黄浦\",\"street\":\"310101002\","
		       "\"department\":\"市水务局\",\"capacity_m3s\":4.5,\"note\":\"x\"");
	jv a, p;

	(void)state;
	assert_int_equal(tn_asset_from_feature(f, &a, &err), TN_OK);
	assert_string_equal(tn_jv_str(a, "district"), "310101");
	assert_string_equal(tn_jv_str(a, "district_name"), "黄浦区");
	assert_string_equal(tn_jv_str(a, "street"), "310101002");
	assert_string_equal(tn_jv_str(a, "state"), "running");
	p = tn_jv_object(a, "props");
	assert_int_equal(jv_object_length(jv_copy(p)), 2);
	assert_string_equal(tn_jv_str(p, "note"), "x");
	jv_free(p);
	jv_free(a);
	jv_free(f);
	/* a vehicle's state given; a compound without one */
	f = feature(121.45, 31.19, "\"id\":\"VH-1\",\"kind\":\"vehicle\",\"name\":\"泵车\","
		    "\"district\":\"xuhui\",\"state\":\"on_site\",\"type\":\"pump_truck\","
		    "\"capacity_m3h\":3000");
	assert_int_equal(tn_asset_from_feature(f, &a, &err), TN_OK);
	assert_string_equal(tn_jv_str(a, "state"), "on_site");
	jv_free(a);
	jv_free(f);
	f = feature(121.45, 31.19, "\"id\":\"C-1\",\"kind\":\"compound\",\"name\":\"小区\","
		    "\"district\":\"310104\",\"households\":800");
	assert_int_equal(tn_asset_from_feature(f, &a, &err), TN_OK);
	assert_int_equal(jv_get_kind(jv_object_get(jv_copy(a), jv_string("state"))), JV_KIND_NULL);
	jv_free(a);
	jv_free(f);
}

static void test_feature_faults(void **state)
{
	struct tn_err err;

	(void)state;
	assert_string_equal(fault(jv_parse("{\"type\":\"Polygon\"}"), &err),
			    "type: not a GeoJSON Feature");
	assert_string_equal(fault(feature(121.4, 31.2, "\"kind\":\"team\",\"name\":\"队\","
					  "\"district\":\"310101\""), &err), "id: missing");
	assert_string_equal(err.field, "id");
	assert_non_null(strstr(fault(feature(121.4, 31.2, "\"id\":\"T 1\",\"kind\":\"team\","
					     "\"name\":\"队\",\"district\":\"310101\""), &err),
			       "id: 'T 1' is not"));
	assert_non_null(strstr(fault(feature(121.4, 31.2, "\"id\":\"T1\",\"kind\":\"crew\","
					     "\"name\":\"队\",\"district\":\"310101\""), &err),
			       "kind: 'crew' is not one of pump_station|"));
	assert_string_equal(fault(feature(121.4, 31.2, "\"id\":\"T1\",\"kind\":\"team\","
					  "\"district\":\"310101\""), &err),
			    "name: must be 1 to 200 bytes");
	assert_non_null(strstr(fault(feature(121.4, 31.2, "\"id\":\"T1\",\"kind\":\"team\","
					     "\"name\":\"队\",\"district\":\"朝阳区\""), &err),
			       "district: '朝阳区' is not one of Shanghai's 16 districts"));
	assert_string_equal(err.field, "district");
	assert_non_null(strstr(fault(feature(121.4, 31.2, "\"id\":\"T1\",\"kind\":\"team\","
					     "\"name\":\"队\",\"district\":\"310101\","
					     "\"street\":\"310104002\""), &err),
			       "street: 310104002 is not in 黄浦区"));
	assert_non_null(strstr(fault(feature(121.4, 31.2, "\"id\":\"T1\",\"kind\":\"team\","
					     "\"name\":\"队\",\"district\":\"310101\","
					     "\"street\":\"31010\""), &err),
			       "street: '31010' is not a nine-digit"));
	assert_non_null(strstr(fault(feature(116.4, 39.9, "\"id\":\"T1\",\"kind\":\"team\","
					     "\"name\":\"队\",\"district\":\"310101\""), &err),
			       "geometry: 116.400000,39.900000 (lon,lat) is outside Shanghai"));
	assert_string_equal(err.field, "geometry");
	/* lat and lon swapped: outside too */
	assert_non_null(strstr(fault(feature(31.2, 121.4, "\"id\":\"T1\",\"kind\":\"team\","
					     "\"name\":\"队\",\"district\":\"310101\""), &err),
			       "outside Shanghai"));
	assert_string_equal(fault(feature(121.4, 31.2, "\"id\":\"V1\",\"kind\":\"vehicle\","
					  "\"name\":\"车\",\"district\":\"310101\","
					  "\"capacity_m3h\":10"), &err),
			    "type: a vehicle needs one");
	assert_string_equal(fault(feature(121.4, 31.2, "\"id\":\"V1\",\"kind\":\"vehicle\","
					  "\"name\":\"车\",\"district\":\"310101\",\"type\":\"t\","
					  "\"capacity_m3h\":\"many\""), &err),
			    "capacity_m3h: must be a number above 0");
	assert_non_null(strstr(fault(feature(121.4, 31.2, "\"id\":\"V1\",\"kind\":\"vehicle\","
					     "\"name\":\"车\",\"district\":\"310101\",\"type\":\"t\","
					     "\"capacity_m3h\":5,\"state\":\"running\""), &err),
			       "state: 'running' is not one of a vehicle's states"));
	assert_string_equal(fault(feature(121.4, 31.2, "\"id\":\"T1\",\"kind\":\"team\","
					  "\"name\":7,\"district\":\"310101\""), &err),
			    "name: must be a string");
	assert_string_equal(fault(jv_parse("{\"type\":\"Feature\",\"geometry\":{\"type\":"
					   "\"LineString\",\"coordinates\":[[121,31],[121.1,31]]},"
					   "\"properties\":{\"id\":\"T1\",\"kind\":\"team\","
					   "\"name\":\"队\",\"district\":\"310101\"}}"), &err),
			    "geometry: must be a Point");
}

/* Write `text` to a temporary file; its path in `path`. */
static void write_tmp(char *path, size_t size, const char *text)
{
	FILE *fp;
	int fd;

	snprintf(path, size, "/tmp/test_asset.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_reader(void **state)
{
	struct tn_asset_reader *r;
	struct tn_err err = TN_ERR_INIT;
	char path[64];
	long line;
	jv f, text;

	(void)state;
	write_tmp(path, sizeof(path),
		  "{\"type\": \"FeatureCollection\", \"name\": \"x\",\n"
		  " \"features\": [\n"
		  "  {\"type\": \"Feature\", \"properties\": {\"id\": \"A\", \"n\": [1, {\"b\": 2}]},\n"
		  "   \"geometry\": {\"type\": \"Point\", \"coordinates\": [121.4, 31.2]}},\n"
		  "  {\n"
		  "   \"type\": \"Feature\",\n"
		  "   \"properties\": {\"id\": \"B\", \"e\": {}}\n"
		  "  }\n"
		  "]}\n");
	assert_int_equal(tn_asset_reader_open(&r, path, &err), TN_OK);
	assert_int_equal(tn_asset_reader_next(r, &f, &line, &err), 1);
	assert_int_equal(line, 3);
	text = jv_dump_string(jv_copy(f), JV_PRINT_SORTED);
	assert_string_equal(jv_string_value(text),
			    "{\"geometry\":{\"coordinates\":[121.4,31.2],\"type\":\"Point\"},"
			    "\"properties\":{\"id\":\"A\",\"n\":[1,{\"b\":2}]},\"type\":\"Feature\"}");
	jv_free(text);
	jv_free(f);
	assert_int_equal(tn_asset_reader_next(r, &f, &line, &err), 1);
	assert_int_equal(line, 6);
	assert_string_equal(tn_jv_str(f, "type"), "Feature");
	jv_free(f);
	assert_int_equal(tn_asset_reader_next(r, &f, &line, &err), 0);
	tn_asset_reader_close(r);
	unlink(path);

	/* not a collection, broken JSON, features not an array */
	write_tmp(path, sizeof(path), "{\"type\": \"Feature\"}\n");
	assert_int_equal(tn_asset_reader_open(&r, path, &err), TN_OK);
	assert_int_equal(tn_asset_reader_next(r, &f, &line, &err), -1);
	assert_non_null(strstr(err.message, ":1: type: not a GeoJSON FeatureCollection"));
	tn_asset_reader_close(r);
	unlink(path);
	write_tmp(path, sizeof(path), "{\"type\": \"FeatureCollection\",\n\"features\": [\n{\"a\": }\n");
	assert_int_equal(tn_asset_reader_open(&r, path, &err), TN_OK);
	assert_int_equal(tn_asset_reader_next(r, &f, &line, &err), -1);
	assert_non_null(strstr(err.message, ":3: not JSON"));
	assert_int_equal(tn_asset_reader_next(r, &f, &line, &err), -1);
	tn_asset_reader_close(r);
	unlink(path);
	write_tmp(path, sizeof(path), "{\"type\": \"FeatureCollection\", \"features\": {\"a\": 1}}");
	assert_int_equal(tn_asset_reader_open(&r, path, &err), TN_OK);
	assert_int_equal(tn_asset_reader_next(r, &f, &line, &err), -1);
	assert_non_null(strstr(err.message, "features: must be an array"));
	tn_asset_reader_close(r);
	unlink(path);
	write_tmp(path, sizeof(path), "{\"type\": \"FeatureCollection\", \"features\": [3]}");
	assert_int_equal(tn_asset_reader_open(&r, path, &err), TN_OK);
	/* handed out as it is: tn_asset_from_feature says it is not a Feature */
	assert_int_equal(tn_asset_reader_next(r, &f, &line, &err), 1);
	assert_int_equal(jv_get_kind(f), JV_KIND_NUMBER);
	jv_free(f);
	assert_int_equal(tn_asset_reader_next(r, &f, &line, &err), 0);
	tn_asset_reader_close(r);
	unlink(path);
	assert_int_equal(tn_asset_reader_open(&r, "/nonexistent/x.geojson", &err), TN_EIO);
	assert_null(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds_states),
		cmocka_unit_test(test_bbox),
		cmocka_unit_test(test_feature_ok),
		cmocka_unit_test(test_feature_faults),
		cmocka_unit_test(test_reader),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
