/* alertcheck.c — the strict check of an alert input, as twonetd raises it: members, kinds, sizes, codes, times. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "tn_cap.h"
#include "tn_jv.h"
#include "tn_text.h"
#include "tn_alertkind.h"
#include "tn_division.h"
#include "tnp_alert.h"

const char *const tn_alert_members[] = {
	"source", "source_id", "kind", "severity", "district", "location", "value",
	"threshold", "unit", "headline", "text", "sent_at", "onset_at", "expires_at", "event_text",
	"street", "area", "msg_type", "references", "cap", NULL
};

static enum tn_code refuse(struct tn_err *err, int status, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* TN_EINVALID with `field` and the HTTP status twonetd answers it with (400 or 422). */
static enum tn_code refuse(struct tn_err *err, int status, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tn_err_setv(err, TN_EINVALID, fmt, ap);
	va_end(ap);
	if (err) {
		snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
		err->http_status = status;
	}
	return TN_EINVALID;
}

/* Member `name` of `in` (borrowed) into *out: a string of 0/1..max characters, or null when optional. */
static enum tn_code text(jv in, const char *name, size_t max, int required, int allow_empty,
			 jv *out, struct tn_err *err)
{
	jv v = tn_jv_get(in, name);

	*out = jv_null();
	if (jv_get_kind(v) == JV_KIND_NULL) {
		jv_free(v);
		return required ? refuse(err, 422, name, "%s is required", name) : TN_OK;
	}
	if (jv_get_kind(v) != JV_KIND_STRING) {
		jv_free(v);
		return refuse(err, 422, name, "%s must be a string", name);
	}
	if ((!allow_empty && !*jv_string_value(v)) || tn_utf8_chars(jv_string_value(v)) > max) {
		jv_free(v);
		return refuse(err, 422, name, "%s must be %d to %zu characters", name,
			      allow_empty ? 0 : 1, max);
	}
	*out = v;
	return TN_OK;
}

/* An identifier (source, source_id): 1..128 characters, no control character. */
static enum tn_code ident(jv in, const char *name, jv *out, struct tn_err *err)
{
	if (text(in, name, 128, 1, 0, out, err) != TN_OK)
		return TN_EINVALID;
	for (const char *s = jv_string_value(*out); *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			jv_free(*out);
			*out = jv_null();
			return refuse(err, 422, name, "%s must not hold control characters", name);
		}
	return TN_OK;
}

/* A number member, or null; within [lo, hi]. */
static enum tn_code number(jv obj, const char *name, const char *field, double lo, double hi,
			   jv *out, struct tn_err *err)
{
	jv v = tn_jv_get(obj, name);

	*out = jv_null();
	if (jv_get_kind(v) == JV_KIND_NULL) {
		jv_free(v);
		return TN_OK;
	}
	if (jv_get_kind(v) != JV_KIND_NUMBER) {
		jv_free(v);
		return refuse(err, 422, field, "%s must be a number", field);
	}
	if (jv_number_value(v) < lo || jv_number_value(v) > hi) {
		jv_free(v);
		return refuse(err, 422, field, "%s must be from %g to %g", field, lo, hi);
	}
	*out = v;
	return TN_OK;
}

static enum tn_code when(jv in, const char *name, jv *out, struct tn_err *err)
{
	if (text(in, name, 64, 0, 0, out, err) != TN_OK)
		return TN_EINVALID;
	if (jv_get_kind(*out) == JV_KIND_STRING && !tn_time_valid(jv_string_value(*out))) {
		refuse(err, 422, name, "%s is not an RFC 3339 time with an offset: '%s'", name,
		       jv_string_value(*out));
		jv_free(*out);
		*out = jv_null();
		return TN_EINVALID;
	}
	return TN_OK;
}

static enum tn_code location(jv in, jv *out, struct tn_err *err)
{
	static const char *const keys[] = { "lat", "lon", "address", NULL };
	jv loc = tn_jv_get(in, "location"), lat, lon, addr;
	char *bad;

	*out = jv_null();
	if (jv_get_kind(loc) == JV_KIND_NULL) {
		jv_free(loc);
		return TN_OK;
	}
	if (jv_get_kind(loc) != JV_KIND_OBJECT) {
		jv_free(loc);
		return refuse(err, 422, "location", "location must be an object {lat, lon, address} "
			      "or null");
	}
	if ((bad = tn_jv_unknown_member(loc, keys)) != NULL) {
		char field[96];

		snprintf(field, sizeof(field), "location.%s", bad);
		refuse(err, 400, field, "unknown member '%s' in location", bad);
		free(bad);
		jv_free(loc);
		return TN_EINVALID;
	}
	if (number(loc, "lat", "location.lat", -90, 90, &lat, err) != TN_OK) {
		jv_free(loc);
		return TN_EINVALID;
	}
	if (number(loc, "lon", "location.lon", -180, 180, &lon, err) != TN_OK) {
		jv_free(lat);
		jv_free(loc);
		return TN_EINVALID;
	}
	if (text(loc, "address", 200, 0, 1, &addr, err) != TN_OK) {
		if (err)
			snprintf(err->field, sizeof(err->field), "location.address");
		jv_free(lat);
		jv_free(lon);
		jv_free(loc);
		return TN_EINVALID;
	}
	jv_free(loc);
	if ((jv_get_kind(lat) == JV_KIND_NULL) != (jv_get_kind(lon) == JV_KIND_NULL)) {
		const char *missing = jv_get_kind(lat) == JV_KIND_NULL ? "location.lat" : "location.lon";

		jv_free(lat);
		jv_free(lon);
		jv_free(addr);
		return refuse(err, 422, missing, "location.lat and location.lon come together");
	}
	if (jv_get_kind(lat) == JV_KIND_NULL && jv_get_kind(addr) == JV_KIND_NULL) {
		jv_free(lat);
		jv_free(lon);
		jv_free(addr);
		return TN_OK;
	}
	*out = jv_object();
	if (jv_get_kind(lat) != JV_KIND_NULL) {
		*out = tn_jv_set(*out, "lat", lat);
		*out = tn_jv_set(*out, "lon", lon);
	} else {
		jv_free(lat);
		jv_free(lon);
	}
	*out = tn_jv_set(*out, "address", addr);
	return TN_OK;
}

/*
 * The checked alert's members of producers' words and places, after
 * expires_at: event_text, kind_name (the catalog's, "" for a kind it does not
 * list), street, street_name ("" when not listed), area; then msg_type and
 * references for an update or a cancel only.  `in` borrowed.
 */
static jv extra(jv out, jv in)
{
	const struct tn_alertkind *k = tn_alertkind_get(tn_alertkinds_default(NULL),
							tn_jv_str(out, "kind"));
	const char *street = tn_jv_str(in, "street"), *sname;
	const char *type = tn_jv_str(in, "msg_type");

	out = tn_jv_set(out, "event_text", tn_jv_get(in, "event_text"));
	out = tn_jv_set(out, "kind_name", jv_string(k ? k->name : ""));
	out = tn_jv_set(out, "street", tn_jv_get(in, "street"));
	sname = street ? tn_division_street_name(street) : NULL;
	out = tn_jv_set(out, "street_name", street ? jv_string(sname ? sname : "") : jv_null());
	out = tn_jv_set(out, "area", tn_jv_get(in, "area"));
	if (type && strcmp(type, "alert")) {
		out = tn_jv_set(out, "msg_type", jv_string(type));
		out = tn_jv_set(out, "references", tn_jv_get(in, "references"));
	}
	return out;
}

enum tn_code tn_alert_check(jv in, jv *out, struct tn_err *err)
{
	return tn_alert_check_into(in, jv_object(), out, err);
}

enum tn_code tn_alert_check_into(jv in, jv head, jv *out, struct tn_err *err)
{
	static const char *const names[] = {
		"source", "source_id", "kind", "severity", "district", "location", "value",
		"threshold", "unit", "headline", "text", "sent_at", "onset_at", "expires_at"
	};
	enum { N = sizeof(names) / sizeof(names[0]) };
	jv v[N], cap = jv_null(), work;
	const struct tn_district *d = NULL;
	struct tn_err e = TN_ERR_INIT;
	char field[96], *bad;
	enum tn_code rc = TN_EINVALID;
	int i;

	if (jv_get_kind(in) != JV_KIND_OBJECT) {
		jv_free(head);
		return refuse(err, 400, NULL, "an alert must be a JSON object");
	}
	if ((bad = tn_jv_unknown_member(in, tn_alert_members)) != NULL) {
		jv_free(head);
		refuse(err, 400, bad, "unknown member '%s' (the server sets it, or it does not "
		       "exist)", bad);
		free(bad);
		return TN_EINVALID;
	}
	for (i = 0; i < N; i++)
		v[i] = jv_null();
	/* a kind from event_text (the catalog), a district from street */
	work = jv_copy(in);
	tnp_alert_fill(&work);
	in = work;
	if (ident(in, "source", &v[0], err) || ident(in, "source_id", &v[1], err) ||
	    text(in, "kind", 64, 1, 0, &v[2], err) || text(in, "severity", 16, 1, 0, &v[3], err) ||
	    text(in, "district", 16, 1, 0, &v[4], err))
		goto out;
	if (!tn_alert_kind_valid(jv_string_value(v[2]))) {
		refuse(err, 422, "kind", "kind '%s' is not a kind: a letter, then letters, digits, "
		       "'_', '.' or '-', at most 64", jv_string_value(v[2]));
		goto out;
	}
	if (tn_severity_parse(jv_string_value(v[3])) == TN_SEV_NONE ||
	    strcmp(tn_severity_name(tn_severity_parse(jv_string_value(v[3]))),
		   jv_string_value(v[3])) != 0) {
		refuse(err, 422, "severity", "severity '%s' is not one of blue, yellow, orange, red",
		       jv_string_value(v[3]));
		goto out;
	}
	d = tn_district_find(jv_string_value(v[4]));
	if (!d || strcmp(d->code, jv_string_value(v[4])) != 0) {
		refuse(err, 422, "district", "district '%s' is not one of Shanghai's 16 district codes",
		       jv_string_value(v[4]));
		goto out;
	}
	if (location(in, &v[5], err) ||
	    number(in, "value", "value", -1e300, 1e300, &v[6], err) ||
	    number(in, "threshold", "threshold", -1e300, 1e300, &v[7], err) ||
	    text(in, "unit", 16, 0, 1, &v[8], err) || text(in, "headline", 200, 0, 1, &v[9], err) ||
	    text(in, "text", 4000, 0, 1, &v[10], err) || when(in, "sent_at", &v[11], err) ||
	    when(in, "onset_at", &v[12], err) || when(in, "expires_at", &v[13], err))
		goto out;
	/* what a CAP document said beyond the members, for CAP out (capwrite.c) */
	cap = tn_jv_get(in, "cap");
	if (tn_cap_details_check(cap, field, sizeof(field), &e) != TN_OK) {
		refuse(err, 422, field, "%s", e.message);
		goto out;
	}
	if (tnp_alert_extra(&work, 0, &e) != TN_OK) {
		refuse(err, 422, e.field, "%s", e.message);
		goto out;
	}
	if (jv_get_kind(v[9]) == JV_KIND_NULL) {
		jv_free(v[9]);
		v[9] = jv_string("");
	}
	*out = head;
	head = jv_invalid();
	for (i = 0; i < N; i++) {
		*out = tn_jv_set(*out, names[i], v[i]);
		v[i] = jv_null();
		if (i == 4)
			*out = tn_jv_set(*out, "district_name", jv_string(d->name));
	}
	*out = extra(*out, work);
	if (jv_get_kind(cap) == JV_KIND_OBJECT) {
		*out = tn_jv_set(*out, "cap", cap);
		cap = jv_null();
	}
	rc = TN_OK;
out:
	for (i = 0; i < N; i++)
		jv_free(v[i]);
	jv_free(cap);
	jv_free(work);
	jv_free(head);
	return rc;
}
