/* assets_common.c — the asset register's rules every storage backend shares: when an ASSET changed, its stored form, its list cursor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_jv.h"
#include "jvutil.h"
#include "assets_common.h"

static jv bare(jv doc)
{
	doc = jv_object_delete(doc, jv_string("version"));
	doc = jv_object_delete(doc, jv_string("updated_at"));
	return jv_object_delete(doc, jv_string("state"));
}

int store_asset_same(jv stored, jv doc)
{
	if (jv_get_kind(stored) != JV_KIND_OBJECT || jv_get_kind(doc) != JV_KIND_OBJECT)
		return 0;
	return jv_equal(bare(jv_copy(stored)), bare(jv_copy(doc)));
}

jv store_asset_stamp(jv doc, long long version, long long at, const char *state)
{
	char when[40];

	time_rfc3339(at, when, sizeof(when));
	if (state)
		doc = jv_object_set(doc, jv_string("state"), jv_string(state));
	doc = jv_object_set(doc, jv_string("version"), jv_number((double)version));
	return jv_object_set(doc, jv_string("updated_at"), jv_string(when));
}

double store_asset_num(jv doc, const char *key)
{
	jv v = jv_object_get(jv_copy(doc), jv_string(key));
	double d = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : 0;

	jv_free(v);
	return d;
}

int store_asset_merge(jv old, jv doc, long long at, enum store_asset_did *did, jv *out)
{
	if (!jv_is_valid(old)) {
		*did = STORE_ASSET_ADDED;
		*out = store_asset_stamp(doc, 1, at, NULL);
		return 1;
	}
	if (store_asset_same(old, doc)) {
		jv_free(doc);
		*did = STORE_ASSET_UNCHANGED;
		*out = old;
		return 0;
	}
	*did = STORE_ASSET_UPDATED;
	*out = store_asset_stamp(doc, (long long)store_asset_num(old, "version") + 1, at,
				 tn_jv_str(old, "state"));
	jv_free(old);
	return 1;
}

int store_asset_restate(jv doc, long long version, const char *state, long long at, jv *out,
			struct tn_err *err)
{
	long long have = (long long)store_asset_num(doc, "version");

	*out = jv_invalid();
	if (version >= 0 && have != version) {
		tn_err_set(err, TN_ECONFLICT, "asset %s is at version %lld, not %lld",
			   tn_jv_str_or(doc, "id", ""), have, version);
		jv_free(doc);
		return -1;
	}
	if (tn_jv_is(doc, "state", state)) {
		*out = doc;
		return 0;
	}
	*out = store_asset_stamp(doc, have + 1, at, state);
	return 1;
}

char *store_asset_cursor_make(const char *id)
{
	struct tn_buf b = TN_BUF_INIT;

	tn_buf_adds(&b, "413a");        /* "A:" */
	for (const char *c = id; *c; c++)
		tn_buf_addf(&b, "%02x", (unsigned char)*c);
	return tn_buf_detach(&b, NULL);
}

int store_asset_cursor_parse(const char *cur, char *buf, size_t size)
{
	size_t n = strlen(cur), i;

	if (n < 6 || n % 2 || n / 2 - 2 >= size || strncmp(cur, "413a", 4) != 0)
		return -1;
	for (i = 0; i < n / 2 - 2; i++) {
		unsigned int x;

		if (sscanf(cur + 4 + 2 * i, "%2x", &x) != 1 || x == 0)
			return -1;
		buf[i] = (char)x;
	}
	buf[i] = '\0';
	return 0;
}

void store_asset_deg(double v, char *buf, size_t size)
{
	snprintf(buf, size, "%.7f", v);
}
