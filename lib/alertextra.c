/* alertextra.c — the alert members of producers' own words and places: event_text, street, area (CAP circles and polygons), msg_type and references. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tn_alert.h"
#include "tn_alertkind.h"
#include "tn_division.h"
#include "tn_jv.h"
#include "tn_text.h"
#include "tnp_alert.h"

#define AREA_ITEMS 16
#define CIRCLE_MAX 200
#define POLYGON_MAX 20000
#define REFERENCES_MAX 16

/* "lat,lon" at s into two numbers; *end past it.  0 ok, -1 malformed. */
static int point(const char *s, double *lat, double *lon, const char **end)
{
	char *e;

	errno = 0;
	*lat = strtod(s, &e);
	if (e == s || *e != ',')
		return -1;
	s = e + 1;
	*lon = strtod(s, &e);
	if (e == s || errno || !isfinite(*lat) || !isfinite(*lon))
		return -1;
	if (*lat < -90 || *lat > 90 || *lon < -180 || *lon > 180)
		return -1;
	*end = e;
	return *e == '\0' || isspace((unsigned char)*e) ? 0 : -1;
}

int tnp_alert_circle(const char *s, double *lat, double *lon, double *radius)
{
	const char *p;
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	if (point(s, lat, lon, &p) < 0 || !isspace((unsigned char)*p))
		return -1;
	while (isspace((unsigned char)*p))
		p++;
	errno = 0;
	*radius = strtod(p, &e);
	if (e == p || errno || !isfinite(*radius) || *radius < 0)
		return -1;
	while (isspace((unsigned char)*e))
		e++;
	return *e ? -1 : 0;
}

int tnp_alert_polygon(const char *s, double *lat, double *lon, char *badbuf, size_t size)
{
	double la = 0, lo = 0, flat = 0, flon = 0, slat = 0, slon = 0;
	const char *p = s, *end;
	int n = 0;

	if (badbuf && size)
		badbuf[0] = '\0';
	for (;;) {
		size_t len;

		p += strspn(p, " \t\r\n");
		if (!*p)
			break;
		len = strcspn(p, " \t\r\n");
		if (point(p, &la, &lo, &end) < 0 || end != p + len) {
			if (badbuf && size)
				snprintf(badbuf, size, "%.*s", (int)(len < 64 ? len : 64), p);
			return -1;
		}
		if (n++ == 0) {
			flat = la;
			flon = lo;
		}
		slat += la;
		slon += lo;
		p += len;
	}
	if (n < 4 || la != flat || lo != flon)
		return -1;
	/* the centroid of the vertices, the closing point counted once */
	*lat = round((slat - la) / (n - 1) * 1e6) / 1e6;
	*lon = round((slon - lo) / (n - 1) * 1e6) / 1e6;
	return 0;
}

void tnp_alert_fill(jv *a)
{
	const char *text = tn_jv_str(*a, "event_text");
	jv street = tn_jv_get(*a, "street"), kind = tn_jv_get(*a, "kind");

	if (text && jv_get_kind(kind) == JV_KIND_NULL) {
		const struct tn_alertkind *k = tn_alertkind_by_text(tn_alertkinds_default(NULL), text);

		*a = tn_jv_set(*a, "kind", jv_string(k ? k->code : TN_ALERTKIND_OTHER));
	}
	if (jv_get_kind(street) == JV_KIND_NUMBER) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%.0f", jv_number_value(street));
		jv_free(street);
		street = jv_string(buf);
	}
	if (jv_get_kind(street) == JV_KIND_STRING && !tn_jv_has(*a, "district") &&
	    jv_string_length_bytes(jv_copy(street)) >= 6) {
		char d[7];

		snprintf(d, sizeof(d), "%.6s", jv_string_value(street));
		if (tn_district_find(d))
			*a = tn_jv_set(*a, "district", jv_string(d));
	}
	jv_free(street);
	jv_free(kind);
}

static enum tn_code street(jv *a, int lenient, struct tn_err *err)
{
	jv v = tn_jv_get(*a, "street");
	struct tn_division div;
	struct tn_err e = TN_ERR_INIT;
	const char *district = tn_jv_str(*a, "district");
	enum tn_code rc = TN_OK;

	if (lenient && jv_get_kind(v) == JV_KIND_NUMBER) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%.0f", jv_number_value(v));
		jv_free(v);
		v = jv_string(buf);
	}
	if (jv_get_kind(v) == JV_KIND_NULL)
		;
	else if (jv_get_kind(v) != JV_KIND_STRING)
		rc = tn_err_field(err, TN_EINVALID, "street", "street: must be a string of 9 or 12 "
				  "digits (GB/T 2260)");
	else if ((jv_string_length_bytes(jv_copy(v)) != 9 &&
		  jv_string_length_bytes(jv_copy(v)) != 12) ||
		 tn_division_find(jv_string_value(v), &div, &e) != TN_OK || !div.street[0])
		rc = tn_err_field(err, TN_EINVALID, "street", "street: '%s' is not a street or town "
				  "code of Shanghai (GB/T 2260, 9 or 12 digits)", jv_string_value(v));
	else if (district && strcmp(district, div.district->code))
		rc = tn_err_field(err, TN_EINVALID, "street", "street: '%s' is not in district %s "
				  "but in %s", jv_string_value(v), district, div.district->code);
	else
		*a = tn_jv_set(*a, "street", jv_string(div.street));
	jv_free(v);
	return rc;
}

/* area.circles or area.polygons (borrowed) at `name`. */
static enum tn_code shapes(jv list, const char *name, struct tn_err *err)
{
	int circles = !strcmp(name, "circles"), n;
	enum tn_code rc = TN_OK;
	char field[64], bad[80];

	snprintf(field, sizeof(field), "area.%s", name);
	if (jv_get_kind(list) != JV_KIND_ARRAY)
		return tn_err_field(err, TN_EINVALID, field, "%s: must be an array of texts", field);
	n = jv_array_length(jv_copy(list));
	if (n < 1 || n > AREA_ITEMS)
		return tn_err_field(err, TN_EINVALID, field, "%s: must hold 1 to %d items", field,
				    AREA_ITEMS);
	jv_array_foreach(list, i, s) {
		double la, lo, r;

		snprintf(field, sizeof(field), "area.%s[%d]", name, i);
		if (rc != TN_OK)
			;
		else if (jv_get_kind(s) != JV_KIND_STRING ||
			 tn_utf8_chars(jv_string_value(s)) > (circles ? CIRCLE_MAX : POLYGON_MAX))
			rc = tn_err_field(err, TN_EINVALID, field, "%s: must be a text of at most %d "
					  "characters", field, circles ? CIRCLE_MAX : POLYGON_MAX);
		else if (circles && tnp_alert_circle(jv_string_value(s), &la, &lo, &r) < 0)
			rc = tn_err_field(err, TN_EINVALID, field, "%s: '%.64s' is not \"lat,lon "
					  "radius_km\"", field, jv_string_value(s));
		else if (!circles && tnp_alert_polygon(jv_string_value(s), &la, &lo, bad,
						       sizeof(bad)) < 0)
			rc = tn_err_field(err, TN_EINVALID, field, "%s: %s%s%s", field,
					  bad[0] ? "'" : "", bad[0] ? bad : "needs at least 4 "
					  "\"lat,lon\" points, the last equal to the first",
					  bad[0] ? "' is not a \"lat,lon\" pair" : "");
		jv_free(s);
	}
	return rc;
}

static enum tn_code area(jv *a, int lenient, struct tn_err *err)
{
	static const char *const keys[] = { "circles", "polygons", NULL };
	jv v = tn_jv_get(*a, "area");
	enum tn_code rc = TN_OK;
	char *bad;

	if (jv_get_kind(v) == JV_KIND_NULL) {
		jv_free(v);
		return TN_OK;
	}
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_free(v);
		return tn_err_field(err, TN_EINVALID, "area", "area: must be an object {circles, "
				    "polygons}");
	}
	if ((bad = tn_jv_unknown_member(v, keys)) != NULL) {
		char field[96];

		snprintf(field, sizeof(field), "area.%.64s", bad);
		rc = tn_err_field(err, TN_EINVALID, field, "%s: unknown member (circles, polygons)",
				  field);
		free(bad);
	}
	for (const char *const *k = keys; rc == TN_OK && *k; k++) {
		jv list = tn_jv_get(v, *k);

		if (jv_get_kind(list) == JV_KIND_NULL && lenient)
			v = jv_object_delete(v, jv_string(*k));
		else if (jv_get_kind(list) != JV_KIND_NULL)
			rc = shapes(list, *k, err);
		jv_free(list);
	}
	if (rc == TN_OK && lenient && jv_object_length(jv_copy(v)) == 0)
		*a = jv_object_delete(*a, jv_string("area"));
	else if (rc == TN_OK && jv_object_length(jv_copy(v)) == 0)
		rc = tn_err_field(err, TN_EINVALID, "area", "area: needs circles or polygons");
	else if (rc == TN_OK)
		*a = tn_jv_set(*a, "area", jv_copy(v));
	jv_free(v);
	return rc;
}

/* An identifier of a reference: 1..128 characters, no control character. */
static int ident_ok(jv v)
{
	const char *s;
	size_t n;

	if (jv_get_kind(v) != JV_KIND_STRING)
		return 0;
	s = jv_string_value(v);
	n = strlen(s);
	return n && tn_utf8_chars(s) <= 128 && tn_ctl_span(s, n, 0) == n;
}

static enum tn_code references(jv *a, const char *type, struct tn_err *err)
{
	static const char *const keys[] = { "source", "source_id", NULL };
	jv v = tn_jv_get(*a, "references");
	enum tn_code rc = TN_OK;
	int n;

	if (jv_get_kind(v) == JV_KIND_NULL) {
		jv_free(v);
		if (!strcmp(type, "alert"))
			return TN_OK;
		return tn_err_field(err, TN_EINVALID, "references", "references: msg_type %s names "
				    "the alert it applies to: [{\"source\", \"source_id\"}]", type);
	}
	if (!strcmp(type, "alert")) {
		jv_free(v);
		return tn_err_field(err, TN_EINVALID, "references", "references: only with msg_type "
				    "update or cancel");
	}
	n = jv_get_kind(v) == JV_KIND_ARRAY ? jv_array_length(jv_copy(v)) : -1;
	if (n < 1 || n > REFERENCES_MAX) {
		jv_free(v);
		return tn_err_field(err, TN_EINVALID, "references", "references: must be an array of "
				    "1 to %d {source, source_id}", REFERENCES_MAX);
	}
	jv_array_foreach(v, i, r) {
		char field[48], *bad = NULL;
		jv s = tn_jv_get(r, "source"), id = tn_jv_get(r, "source_id");

		snprintf(field, sizeof(field), "references[%d]", i);
		if (rc == TN_OK && (jv_get_kind(r) != JV_KIND_OBJECT ||
				    (bad = tn_jv_unknown_member(r, keys)) != NULL ||
				    !ident_ok(s) || !ident_ok(id)))
			rc = tn_err_field(err, TN_EINVALID, field, "%s: must be {source, source_id}, "
					  "each 1 to 128 characters", field);
		free(bad);
		jv_free(s);
		jv_free(id);
		jv_free(r);
	}
	jv_free(v);
	return rc;
}

enum tn_code tnp_alert_extra(jv *a, int lenient, struct tn_err *err)
{
	jv text = tn_jv_get(*a, "event_text"), type = tn_jv_get(*a, "msg_type");
	char t[16] = "alert";
	enum tn_code rc = TN_OK;

	if (jv_get_kind(text) != JV_KIND_NULL &&
	    (jv_get_kind(text) != JV_KIND_STRING || !*jv_string_value(text) ||
	     tn_utf8_chars(jv_string_value(text)) > 200))
		rc = tn_err_field(err, TN_EINVALID, "event_text", "event_text: must be a text of 1 "
				  "to 200 characters");
	if (rc == TN_OK && jv_get_kind(type) != JV_KIND_NULL) {
		if (jv_get_kind(type) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(type)) < 16)
			snprintf(t, sizeof(t), "%s", jv_string_value(type));
		else
			snprintf(t, sizeof(t), "?");
		if (lenient)
			for (char *p = t; *p; p++)
				*p = (char)tolower((unsigned char)*p);
		if (strcmp(t, "alert") && strcmp(t, "update") && strcmp(t, "cancel"))
			rc = tn_err_field(err, TN_EINVALID, "msg_type", "msg_type: must be alert, "
					  "update or cancel");
		else if (lenient && !strcmp(t, "alert"))
			*a = jv_object_delete(*a, jv_string("msg_type"));
		else
			*a = tn_jv_set(*a, "msg_type", jv_string(t));
	}
	if (rc == TN_OK)
		rc = references(a, t, err);
	if (rc == TN_OK)
		rc = street(a, lenient, err);
	if (rc == TN_OK)
		rc = area(a, lenient, err);
	jv_free(text);
	jv_free(type);
	return rc;
}
