/* test_srv_assets.c — the asset register's store ops (store_assets.h) on SQLite, and on PostgreSQL when TWONET_PG_URI is set: upsert, import all or nothing, list with a box and pages, state under a version, counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tn_asset.h"
#include "tn_jv.h"
#include "store.h"
#include "store_assets.h"

static char dir[64], path[128];
static struct store *st;

static int setup(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	const char *uri = getenv("TWONET_PG_URI");
	const char *src = getenv("TWONET_SRC");
	char share[4096];

	(void)state;
	snprintf(share, sizeof(share), "%s/share/twonet", src ? src : ".");
	setenv("TWONET_SHAREDIR", share, 1);
	if (!uri || !*uri) {
		snprintf(dir, sizeof(dir), "/tmp/twonet-assets-XXXXXX");
		if (!mkdtemp(dir))
			return -1;
		snprintf(path, sizeof(path), "%s/t.db", dir);
		uri = path;
	}
	if (store_open(&st, uri, 1, &err) != TN_OK) {
		print_error("store_open: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char p[160];

	(void)state;
	store_close(st);
	if (path[0]) {
		const char *tails[] = { "", "-wal", "-shm", ".audit", ".audit-wal", ".audit-shm" };

		for (int i = 0; i < 3; i++) {
			snprintf(p, sizeof(p), "%s%s", path, tails[i]);
			unlink(p);
		}
		rmdir(dir);
	}
	return 0;
}

/* An ASSET made by the lib from a feature. */
static jv asset(const char *id, const char *kind, double lon, double lat, const char *more)
{
	char text[1024];
	struct tn_err err = TN_ERR_INIT;
	jv f, a;

	snprintf(text, sizeof(text), "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\","
		 "\"coordinates\":[%f,%f]},\"properties\":{\"id\":\"%s\",\"kind\":\"%s\","
		 "\"name\":\"名%s\",\"district\":\"310101\"%s}}", lon, lat, id, kind, id, more);
	f = jv_parse(text);
	assert_int_equal(tn_asset_from_feature(f, &a, &err), TN_OK);
	jv_free(f);
	return a;
}

/* Member `key` of item `i` of `arr` (borrowed): a string, into buf. */
static const char *item_str(jv arr, int i, const char *key, char *buf, size_t size)
{
	jv it = jv_array_get(jv_copy(arr), i);

	snprintf(buf, size, "%s", tn_jv_str_or(it, key, ""));
	jv_free(it);
	return buf;
}

/* Member `key` of item `i` of `arr` (borrowed): a number. */
static long item_long(jv arr, int i, const char *key)
{
	jv it = jv_array_get(jv_copy(arr), i);
	long v = tn_jv_long(it, key, -1);

	jv_free(it);
	return v;
}

static void test_put(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	enum store_asset_did did;
	jv out;

	(void)state;
	assert_int_equal(store_asset_put(st, asset("PS-1", "pump_station", 121.49, 31.23,
						   ",\"state\":\"fault\""), 100, &did, &out, &err), TN_OK);
	assert_int_equal(did, STORE_ASSET_ADDED);
	assert_int_equal(tn_jv_long(out, "version", 0), 1);
	jv_free(out);
	assert_int_equal(store_asset_put(st, asset("PS-1", "pump_station", 121.49, 31.23,
						   ",\"state\":\"fault\""), 200, &did, NULL, &err), TN_OK);
	assert_int_equal(did, STORE_ASSET_UNCHANGED);
	/* a new position: updated; its live state kept though the feature says running */
	assert_int_equal(store_asset_put(st, asset("PS-1", "pump_station", 121.50, 31.23, ""), 300,
					 &did, &out, &err), TN_OK);
	assert_int_equal(did, STORE_ASSET_UPDATED);
	assert_int_equal(tn_jv_long(out, "version", 0), 2);
	assert_string_equal(tn_jv_str(out, "state"), "fault");
	jv_free(out);
	assert_int_equal(store_asset_put(st, asset("PS-2", "pump_station", 121.47, 31.21, ""), 300,
					 NULL, NULL, &err), TN_OK);
	assert_int_equal(store_asset_put(st, asset("VH-1", "vehicle", 121.48, 31.22,
						   ",\"type\":\"pump_truck\",\"capacity_m3h\":3000"),
					 300, NULL, NULL, &err), TN_OK);
}

struct src {
	int n, fail_at;
};

static int next(void *ctx, jv *doc, struct tn_err *err)
{
	struct src *s = ctx;
	char id[16];

	if (s->n == s->fail_at)
		return tn_err_set(err, TN_EINVALID, "stop"), -1;
	if (s->n == 3)
		return 0;
	snprintf(id, sizeof(id), "FP-%d", ++s->n);
	*doc = asset(id, "flood_point", 121.48, 31.22, "");
	return 1;
}

static void test_import(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct src s = { 0, 2 };
	long counts[3];
	jv items;
	char *more;
	struct store_asset_filter f;

	(void)state;
	/* a failure after two: nothing written */
	assert_int_equal(store_assets_import(st, next, &s, 400, counts, &err), TN_EINVALID);
	memset(&f, 0, sizeof(f));
	f.limit = 100;
	assert_int_equal(store_asset_list(st, &f, &items, &more, &err), TN_OK);
	assert_int_equal(jv_array_length(items), 3);
	assert_null(more);
	s.n = 0;
	s.fail_at = -1;
	assert_int_equal(store_assets_import(st, next, &s, 400, counts, &err), TN_OK);
	assert_int_equal(counts[STORE_ASSET_ADDED], 3);
	s.n = 0;
	assert_int_equal(store_assets_import(st, next, &s, 500, counts, &err), TN_OK);
	assert_int_equal(counts[STORE_ASSET_UNCHANGED], 3);
	assert_int_equal(counts[STORE_ASSET_ADDED], 0);
}

static void test_list(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct store_asset_filter f;
	char *kinds[] = { "pump_station", NULL }, *more = NULL, *cur, buf[64];
	jv items;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.limit = 1;
	f.kind = kinds;
	assert_int_equal(store_asset_list(st, &f, &items, &more, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(items)), 1);
	assert_string_equal(item_str(items, 0, "id", buf, sizeof(buf)), "PS-1");
	jv_free(items);
	assert_non_null(more);
	cur = more;
	f.cursor = cur;
	assert_int_equal(store_asset_list(st, &f, &items, &more, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(items)), 1);
	assert_null(more);
	jv_free(items);
	free(cur);
	f.cursor = "zz";
	assert_int_equal(store_asset_list(st, &f, &items, &more, &err), TN_EINVALID);
	assert_null(more);
	/* the box: its edges inside */
	memset(&f, 0, sizeof(f));
	f.limit = 100;
	f.bbox = 1;
	f.minlon = 121.47;
	f.minlat = 31.21;
	f.maxlon = 121.48;
	f.maxlat = 31.22;
	assert_int_equal(store_asset_list(st, &f, &items, &more, &err), TN_OK);
	assert_int_equal(jv_array_length(items), 5);    /* PS-2, VH-1, FP-1..3 */
}

static void test_state_counts(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	char buf[64];
	jv out, counts, text;

	(void)state;
	assert_int_equal(store_asset_set_state(st, "VH-1", 9, "en_route", 600, &out, &err),
			 TN_ECONFLICT);
	assert_non_null(strstr(err.message, "asset VH-1 is at version 1, not 9"));
	assert_int_equal(store_asset_set_state(st, "VH-1", 1, "en_route", 600, &out, &err), TN_OK);
	assert_int_equal(tn_jv_long(out, "version", 0), 2);
	jv_free(out);
	assert_int_equal(store_asset_set_state(st, "VH-1", -1, "en_route", 700, &out, &err), TN_OK);
	assert_int_equal(tn_jv_long(out, "version", 0), 2);
	jv_free(out);
	assert_int_equal(store_asset_set_state(st, "NO-1", -1, "free", 700, &out, &err),
			 TN_ENOTFOUND);
	assert_int_equal(store_asset_counts(st, "pump_station", "fault", &counts, &err), TN_OK);
	text = jv_dump_string(jv_copy(counts), 0);
	assert_string_equal(jv_string_value(text),
			    "[{\"kind\":\"pump_station\",\"state\":\"fault\",\"district\":\"310101\","
			    "\"count\":1}]");
	jv_free(text);
	jv_free(counts);
	assert_int_equal(store_asset_counts(st, NULL, NULL, &counts, &err), TN_OK);
	/* flood_point (null state), pump_station fault and running, vehicle en_route */
	assert_int_equal(jv_array_length(jv_copy(counts)), 4);
	assert_string_equal(item_str(counts, 0, "kind", buf, sizeof(buf)), "flood_point");
	assert_int_equal(item_long(counts, 0, "count"), 3);
	jv_free(counts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_import),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_state_counts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
