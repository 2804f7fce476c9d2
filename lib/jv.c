/* jv.c — the member getters of tn_jv.h: borrowed objects, defaults for absent or mistyped members. */
#include <string.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tn_jv.h"

/* Member `key` of `obj` (borrowed) as a new reference; invalid when absent or not an object. */
static jv member(jv obj, const char *key)
{
	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return jv_invalid();
	return jv_object_get(jv_copy(obj), jv_string(key));
}

jv tn_jv_get(jv obj, const char *key)
{
	jv v = member(obj, key);

	if (!jv_is_valid(v)) {
		jv_free(v);
		return jv_null();
	}
	return v;
}

static jv of_kind(jv obj, const char *key, jv_kind kind, jv dflt)
{
	jv v = member(obj, key);

	if (jv_get_kind(v) != kind) {
		jv_free(v);
		return dflt;
	}
	jv_free(dflt);
	return v;
}

jv tn_jv_array(jv obj, const char *key)
{
	return of_kind(obj, key, JV_KIND_ARRAY, jv_array());
}

jv tn_jv_object(jv obj, const char *key)
{
	return of_kind(obj, key, JV_KIND_OBJECT, jv_object());
}

jv tn_jv_str_or_null(jv obj, const char *key)
{
	return of_kind(obj, key, JV_KIND_STRING, jv_null());
}

const char *tn_jv_str(jv obj, const char *key)
{
	jv v = member(obj, key);
	const char *s = jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : NULL;

	/* `obj` keeps its own reference to the same string, so `s` stays valid */
	jv_free(v);
	return s;
}

const char *tn_jv_str_or(jv obj, const char *key, const char *dflt)
{
	const char *s = tn_jv_str(obj, key);

	return s ? s : dflt;
}

char *tn_jv_strdup(jv obj, const char *key)
{
	const char *s = tn_jv_str(obj, key);

	return s ? tn_xstrdup(s) : NULL;
}

int tn_jv_bool(jv obj, const char *key, int dflt)
{
	jv v = member(obj, key);
	jv_kind k = jv_get_kind(v);

	jv_free(v);
	return k == JV_KIND_TRUE ? 1 : k == JV_KIND_FALSE ? 0 : dflt;
}

long tn_jv_long(jv obj, const char *key, long dflt)
{
	jv v = member(obj, key);
	long n = tn_json_long(v, dflt);

	jv_free(v);
	return n;
}

int tn_jv_has(jv obj, const char *key)
{
	jv v = member(obj, key);
	int has = jv_is_valid(v);

	jv_free(v);
	return has;
}

int tn_jv_is(jv obj, const char *key, const char *want)
{
	jv v = member(obj, key);
	int same = want ? jv_get_kind(v) == JV_KIND_STRING && strcmp(jv_string_value(v), want) == 0 :
		   jv_get_kind(v) == JV_KIND_NULL;

	jv_free(v);
	return same;
}

int tn_jv_array_has_str(jv arr, const char *s)
{
	int found = 0;

	if (jv_get_kind(arr) != JV_KIND_ARRAY)
		return 0;
	jv_array_foreach(arr, i, e) {
		if (!found && jv_get_kind(e) == JV_KIND_STRING && strcmp(jv_string_value(e), s) == 0)
			found = 1;
		jv_free(e);
	}
	return found;
}

int tn_jv_array_find(jv arr, const char *key, const char *want)
{
	int found = -1;

	if (jv_get_kind(arr) != JV_KIND_ARRAY)
		return -1;
	jv_array_foreach(arr, i, e) {
		if (found < 0 && tn_jv_is(e, key, want))
			found = i;
		jv_free(e);
	}
	return found;
}

jv tn_jv_string_or_null(const char *s)
{
	return s ? jv_string(s) : jv_null();
}

char *tn_jv_unknown_member(jv obj, const char *const *allowed)
{
	char *found = NULL;

	if (jv_get_kind(obj) != JV_KIND_OBJECT)        /* jv_object_foreach asserts */
		return NULL;
	jv_object_foreach(obj, key, val) {
		int known = 0;

		for (const char *const *a = allowed; *a && !known; a++)
			known = strcmp(*a, jv_string_value(key)) == 0;
		if (!known && !found)
			found = tn_xstrdup(jv_string_value(key));
		jv_free(key);
		jv_free(val);
	}
	return found;
}
