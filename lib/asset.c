/* asset.c — the asset register's rules: kinds, live states, a GeoJSON feature checked and made an ASSET. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "tn_asset.h"
#include "tn_division.h"
#include "tn_jv.h"
#include "tn_text.h"

int tn_asset_kind_valid(const char *kind)
{
	return kind && *kind && tn_word_in(TN_ASSET_KINDS, kind);
}

const char *tn_asset_states(const char *kind)
{
	if (kind && strcmp(kind, "vehicle") == 0)
		return TN_ASSET_VEHICLE_STATES;
	if (kind && strcmp(kind, "pump_station") == 0)
		return TN_ASSET_PUMP_STATES;
	return NULL;
}

const char *tn_asset_state_default(const char *kind)
{
	if (kind && strcmp(kind, "vehicle") == 0)
		return "free";
	if (kind && strcmp(kind, "pump_station") == 0)
		return "running";
	return NULL;
}

enum tn_code tn_asset_state_check(const char *kind, const char *state, struct tn_err *err)
{
	const char *states = tn_asset_states(kind);

	if (!states && !state)
		return TN_OK;
	if (!states)
		return tn_err_field(err, TN_EINVALID, "state", "state: a %s has no state", kind);
	if (!state || !*state || !tn_word_in(states, state))
		return tn_err_field(err, TN_EINVALID, "state", "state: '%s' is not one of a %s's "
				    "states (%s)", state ? state : "", kind, states);
	return TN_OK;
}

int tn_asset_bbox_parse(const char *s, double v[4])
{
	char *end;

	for (int i = 0; i < 4; i++) {
		v[i] = strtod(s, &end);
		if (end == s || !isfinite(v[i]) || *end != (i < 3 ? ',' : '\0'))
			return -1;
		s = end + (i < 3);
	}
	return v[0] <= v[2] && v[1] <= v[3] && v[0] >= -180 && v[2] <= 180 && v[1] >= -90 &&
	       v[3] <= 90 ? 0 : -1;
}

int tn_asset_id_valid(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n < 1 || n > 64 || !isalnum((unsigned char)id[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && !strchr("_.-", id[i]))
			return 0;
	return 1;
}

/* The kinds' own properties: which are numbers (> 0) and which are required. */
static const struct {
	const char *kind, *name;
	int number, required;
} props[] = {
	{ "vehicle", "type", 0, 1 },
	{ "vehicle", "capacity_m3h", 1, 1 },
	{ "vehicle", "crew", 0, 0 },
	{ "pump_station", "capacity_m3s", 1, 0 },
	{ "compound", "households", 1, 0 },
	{ "team", "members", 1, 0 },
	{ "evacuation_point", "capacity", 1, 0 },
	{ "flood_point", "passable_depth_cm", 1, 0 },
};

/* The properties an ASSET takes from the feature itself; the rest go to "props". */
static const char *const own[] = { "id", "kind", "name", "district", "street", "department",
				   "state", NULL };

static int is_own(const char *key)
{
	for (int i = 0; own[i]; i++)
		if (strcmp(own[i], key) == 0)
			return 1;
	return 0;
}

/* Check the kind's own properties in `p` (borrowed). */
static enum tn_code check_props(const char *kind, jv p, struct tn_err *err)
{
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		jv v;
		int bad;

		if (strcmp(props[i].kind, kind) != 0)
			continue;
		v = jv_object_get(jv_copy(p), jv_string(props[i].name));
		if (!jv_is_valid(v) || jv_get_kind(v) == JV_KIND_NULL) {
			jv_free(v);
			if (props[i].required)
				return tn_err_field(err, TN_EINVALID, props[i].name, "%s: a %s needs "
						    "one", props[i].name, kind);
			continue;
		}
		bad = props[i].number
			? jv_get_kind(v) != JV_KIND_NUMBER || !(jv_number_value(v) > 0) ||
			  !isfinite(jv_number_value(v))
			: jv_get_kind(v) != JV_KIND_STRING || jv_string_length_bytes(jv_copy(v)) == 0;
		jv_free(v);
		if (bad)
			return tn_err_field(err, TN_EINVALID, props[i].name, "%s: %s", props[i].name,
					    props[i].number ? "must be a number above 0"
							    : "must be a non-empty string");
	}
	return TN_OK;
}

/* The Point's [lon, lat] into *lon, *lat: TN_OK or TN_EINVALID naming "geometry". */
static enum tn_code point(jv f, double *lon, double *lat, struct tn_err *err)
{
	jv g = tn_jv_object(f, "geometry"), c;
	enum tn_code code = TN_OK;

	if (!tn_jv_is(g, "type", "Point")) {
		jv_free(g);
		return tn_err_field(err, TN_EINVALID, "geometry", "geometry: must be a Point");
	}
	c = tn_jv_array(g, "coordinates");
	jv_free(g);
	if (jv_array_length(jv_copy(c)) < 2) {
		jv_free(c);
		return tn_err_field(err, TN_EINVALID, "geometry", "geometry: a Point needs "
				    "[lon, lat]");
	}
	jv x = jv_array_get(jv_copy(c), 0), y = jv_array_get(jv_copy(c), 1);

	if (jv_get_kind(x) != JV_KIND_NUMBER || jv_get_kind(y) != JV_KIND_NUMBER) {
		code = tn_err_field(err, TN_EINVALID, "geometry", "geometry: coordinates must be "
				    "numbers [lon, lat]");
	} else {
		*lon = jv_number_value(x);
		*lat = jv_number_value(y);
		if (!(*lon >= TN_ASSET_MIN_LON && *lon <= TN_ASSET_MAX_LON &&
		      *lat >= TN_ASSET_MIN_LAT && *lat <= TN_ASSET_MAX_LAT))
			code = tn_err_field(err, TN_EINVALID, "geometry", "geometry: %.6f,%.6f "
					    "(lon,lat) is outside Shanghai (%.2f..%.2f, %.2f..%.2f)",
					    *lon, *lat, TN_ASSET_MIN_LON, TN_ASSET_MAX_LON,
					    TN_ASSET_MIN_LAT, TN_ASSET_MAX_LAT);
	}
	jv_free(x);
	jv_free(y);
	jv_free(c);
	return code;
}

/* A string property: borrowed, NULL when absent or null; -1 (err set) when another type. */
static int str_prop(jv p, const char *key, const char **out, struct tn_err *err)
{
	jv v = jv_object_get(jv_copy(p), jv_string(key));
	int kind = jv_get_kind(v);

	jv_free(v);
	*out = NULL;
	if (kind == JV_KIND_INVALID || kind == JV_KIND_NULL)
		return 0;
	if (kind != JV_KIND_STRING) {
		tn_err_field(err, TN_EINVALID, key, "%s: must be a string", key);
		return -1;
	}
	*out = tn_jv_str(p, key);
	return 0;
}

/* Round to 7 decimals (a centimetre): the stored position, the same on every backend. */
static double round7(double v)
{
	return round(v * 1e7) / 1e7;
}

/* Check `p`'s own members; the district and street found; TN_OK or the first fault. */
static enum tn_code check_own(jv p, const char **s, const struct tn_district **d,
			      struct tn_division *div, struct tn_err *err)
{
	/* s: id, kind, name, district, street, department, state */
	for (int i = 0; own[i]; i++)
		if (str_prop(p, own[i], &s[i], err) < 0)
			return TN_EINVALID;
	if (!s[0])
		return tn_err_field(err, TN_EINVALID, "id", "id: missing");
	if (!tn_asset_id_valid(s[0]))
		return tn_err_field(err, TN_EINVALID, "id", "id: '%s' is not 1 to 64 of "
				    "A-Z a-z 0-9 _ . - starting with a letter or digit", s[0]);
	if (!tn_asset_kind_valid(s[1]))
		return tn_err_field(err, TN_EINVALID, "kind", "kind: '%s' is not one of %s",
				    s[1] ? s[1] : "", TN_ASSET_KINDS);
	if (!s[2] || !*s[2] || strlen(s[2]) > 200)
		return tn_err_field(err, TN_EINVALID, "name", "name: must be 1 to 200 bytes");
	if (!s[3] || !(*d = tn_district_find(s[3])))
		return tn_err_field(err, TN_EINVALID, "district", "district: '%s' is not one of "
				    "Shanghai's 16 districts", s[3] ? s[3] : "");
	if (s[4] && *s[4]) {
		struct tn_err e = TN_ERR_INIT;

		if (strlen(s[4]) != 9 || tn_division_find(s[4], div, &e) != TN_OK)
			return tn_err_field(err, TN_EINVALID, "street", "street: '%s' is not a "
					    "nine-digit street code", s[4]);
		if (strncmp(s[4], (*d)->code, 6) != 0)
			return tn_err_field(err, TN_EINVALID, "street", "street: %s is not in %s "
					    "(%s)", s[4], (*d)->name, (*d)->code);
	}
	return tn_asset_state_check(s[1], s[6] ? s[6] : tn_asset_state_default(s[1]), err);
}

enum tn_code tn_asset_from_feature(jv f, jv *asset, struct tn_err *err)
{
	const char *s[8] = { 0 };
	const struct tn_district *d = NULL;
	struct tn_division div;
	double lon = 0, lat = 0;
	jv p, rest, a;

	*asset = jv_invalid();
	if (jv_get_kind(f) != JV_KIND_OBJECT || !tn_jv_is(f, "type", "Feature"))
		return tn_err_field(err, TN_EINVALID, "type", "type: not a GeoJSON Feature");
	p = tn_jv_object(f, "properties");
	if (check_own(p, s, &d, &div, err) != TN_OK || point(f, &lon, &lat, err) != TN_OK) {
		jv_free(p);
		return TN_EINVALID;
	}
	rest = jv_object();
	jv_object_foreach(p, k, v) {
		if (!is_own(jv_string_value(k)))
			rest = jv_object_set(rest, jv_copy(k), jv_copy(v));
		jv_free(k);
		jv_free(v);
	}
	if (check_props(s[1], rest, err) != TN_OK) {
		jv_free(rest);
		jv_free(p);
		return TN_EINVALID;
	}
	a = jv_object();
	a = jv_object_set(a, jv_string("id"), jv_string(s[0]));
	a = jv_object_set(a, jv_string("kind"), jv_string(s[1]));
	a = jv_object_set(a, jv_string("name"), jv_string(s[2]));
	a = jv_object_set(a, jv_string("district"), jv_string(d->code));
	a = jv_object_set(a, jv_string("district_name"), jv_string(d->name));
	a = jv_object_set(a, jv_string("street"), tn_jv_string_or_null(s[4] && *s[4] ? s[4] : NULL));
	a = jv_object_set(a, jv_string("street_name"),
			  tn_jv_string_or_null(s[4] && *s[4] && *div.street_name ? div.street_name
										: NULL));
	a = jv_object_set(a, jv_string("department"), tn_jv_string_or_null(s[5]));
	a = jv_object_set(a, jv_string("lat"), jv_number(round7(lat)));
	a = jv_object_set(a, jv_string("lon"), jv_number(round7(lon)));
	a = jv_object_set(a, jv_string("state"),
			  tn_jv_string_or_null(s[6] ? s[6] : tn_asset_state_default(s[1])));
	a = jv_object_set(a, jv_string("props"), rest);
	jv_free(p);
	*asset = a;
	return TN_OK;
}
