/* alerts_input.c — an alert as a client sends it, checked member by member and made into the stored document. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_cap.h"
#include "alerts_int.h"
#include "jvutil.h"

static const char *const input_members[] = {
	"source", "source_id", "kind", "severity", "district", "location", "value",
	"threshold", "unit", "headline", "text", "sent_at", "onset_at", "expires_at", "cap", NULL
};

static int refuse(struct problem *p, int status, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(struct problem *p, int status, const char *field, const char *fmt, ...)
{
	va_list ap;

	p->status = status;
	snprintf(p->field, sizeof(p->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(p->detail, sizeof(p->detail), fmt, ap);
	va_end(ap);
	return -1;
}

/* Member `name` of `in` (consumed result): a string of 1..max characters, or absent/null when optional. */
int alert_text_member(jv in, const char *name, long max, int required, int allow_empty,
		      jv *out, struct problem *p)
{
	jv v = jv_object_get(jv_copy(in), jv_string(name));

	*out = jv_null();
	if (jv_get_kind(v) == JV_KIND_INVALID || jv_get_kind(v) == JV_KIND_NULL) {
		jv_free(v);
		if (required)
			return refuse(p, 422, name, "%s is required", name);
		return 0;
	}
	if (jv_get_kind(v) != JV_KIND_STRING) {
		jv_free(v);
		return refuse(p, 422, name, "%s must be a string", name);
	}
	if ((!allow_empty && !*jv_string_value(v)) || (long)tn_utf8_chars(jv_string_value(v)) > max) {
		jv_free(v);
		return refuse(p, 422, name, "%s must be %d to %ld characters", name,
			      allow_empty ? 0 : 1, max);
	}
	*out = v;
	return 0;
}

/* An identifier (source, source_id): 1..128 printable characters. */
static int ident_member(jv in, const char *name, jv *out, struct problem *p)
{
	if (alert_text_member(in, name, 128, 1, 0, out, p) < 0)
		return -1;
	if (has_control(jv_string_value(*out))) {
		jv_free(*out);
		*out = jv_null();
		return refuse(p, 422, name, "%s must not hold control characters", name);
	}
	return 0;
}

/* A number member, or null; within [lo, hi]. */
static int number_member(jv obj, const char *name, const char *field, double lo, double hi,
			 jv *out, struct problem *p)
{
	jv v = jv_object_get(jv_copy(obj), jv_string(name));

	*out = jv_null();
	if (jv_get_kind(v) == JV_KIND_INVALID || jv_get_kind(v) == JV_KIND_NULL) {
		jv_free(v);
		return 0;
	}
	if (jv_get_kind(v) != JV_KIND_NUMBER) {
		jv_free(v);
		return refuse(p, 422, field, "%s must be a number", field);
	}
	if (jv_number_value(v) < lo || jv_number_value(v) > hi) {
		jv_free(v);
		return refuse(p, 422, field, "%s must be from %g to %g", field, lo, hi);
	}
	*out = v;
	return 0;
}

static int time_member(jv in, const char *name, jv *out, struct problem *p)
{
	if (alert_text_member(in, name, 64, 0, 0, out, p) < 0)
		return -1;
	if (jv_get_kind(*out) == JV_KIND_STRING && !tn_time_valid(jv_string_value(*out))) {
		refuse(p, 422, name, "%s is not an RFC 3339 time with an offset: '%s'", name,
		       jv_string_value(*out));
		jv_free(*out);
		*out = jv_null();
		return -1;
	}
	return 0;
}

static int location_member(jv in, jv *out, struct problem *p)
{
	static const char *const keys[] = { "lat", "lon", "address", NULL };
	jv loc = jv_object_get(jv_copy(in), jv_string("location")), lat, lon, addr;
	char *bad;

	*out = jv_null();
	if (jv_get_kind(loc) == JV_KIND_INVALID || jv_get_kind(loc) == JV_KIND_NULL) {
		jv_free(loc);
		return 0;
	}
	if (jv_get_kind(loc) != JV_KIND_OBJECT) {
		jv_free(loc);
		return refuse(p, 422, "location", "location must be an object {lat, lon, address} "
			      "or null");
	}
	if ((bad = unknown_member(loc, keys)) != NULL) {
		char field[96];

		snprintf(field, sizeof(field), "location.%s", bad);
		refuse(p, 400, field, "unknown member '%s' in location", bad);
		free(bad);
		jv_free(loc);
		return -1;
	}
	if (number_member(loc, "lat", "location.lat", -90, 90, &lat, p) < 0) {
		jv_free(loc);
		return -1;
	}
	if (number_member(loc, "lon", "location.lon", -180, 180, &lon, p) < 0) {
		jv_free(lat);
		jv_free(loc);
		return -1;
	}
	if (alert_text_member(loc, "address", 200, 0, 1, &addr, p) < 0) {
		snprintf(p->field, sizeof(p->field), "location.address");
		jv_free(lat);
		jv_free(lon);
		jv_free(loc);
		return -1;
	}
	jv_free(loc);
	if ((jv_get_kind(lat) == JV_KIND_NULL) != (jv_get_kind(lon) == JV_KIND_NULL)) {
		const char *missing = jv_get_kind(lat) == JV_KIND_NULL ? "location.lat" : "location.lon";

		jv_free(lat);
		jv_free(lon);
		jv_free(addr);
		return refuse(p, 422, missing, "location.lat and location.lon come together");
	}
	if (jv_get_kind(lat) == JV_KIND_NULL && jv_get_kind(addr) == JV_KIND_NULL) {
		jv_free(lat);
		jv_free(lon);
		jv_free(addr);
		return 0;
	}
	*out = jv_object();
	if (jv_get_kind(lat) != JV_KIND_NULL) {
		*out = jv_object_set(*out, jv_string("lat"), lat);
		*out = jv_object_set(*out, jv_string("lon"), lon);
	} else {
		jv_free(lat);
		jv_free(lon);
	}
	*out = jv_object_set(*out, jv_string("address"), addr);
	return 0;
}

/*
 * Check an input (borrowed) and build the ALERT as raised by `actor` at
 * `now`, with "id" and "seq" left null for the store.  0, or -1 with *p
 * filled (400 for an unknown member, 422 for a bad value).
 */
int alert_build(jv in, const char *actor, time_t now, jv *doc, struct problem *p)
{
	const char *names[] = { "source", "source_id", "kind", "severity", "district",
				"location", "value", "threshold", "unit", "headline", "text",
				"sent_at", "onset_at", "expires_at" };
	jv v[14], cap = jv_null();
	const struct tn_district *d = NULL;
	struct tn_err err = TN_ERR_INIT;
	char when[40], field[96], *bad;
	int rc = -1, i;

	*doc = jv_invalid();
	if (jv_get_kind(in) != JV_KIND_OBJECT)
		return refuse(p, 400, NULL, "an alert must be a JSON object");
	if ((bad = unknown_member(in, input_members)) != NULL) {
		refuse(p, 400, bad, "unknown member '%s' (the server sets it, or it does not "
		       "exist)", bad);
		free(bad);
		return -1;
	}
	for (i = 0; i < 14; i++)
		v[i] = jv_null();
	if (ident_member(in, "source", &v[0], p) < 0 || ident_member(in, "source_id", &v[1], p) < 0 ||
	    alert_text_member(in, "kind", 64, 1, 0, &v[2], p) < 0 ||
	    alert_text_member(in, "severity", 16, 1, 0, &v[3], p) < 0 ||
	    alert_text_member(in, "district", 16, 1, 0, &v[4], p) < 0)
		goto out;
	if (!tn_alert_kind_valid(jv_string_value(v[2]))) {
		refuse(p, 422, "kind", "kind '%s' is not a kind: a letter, then letters, digits, "
		       "'_', '.' or '-', at most 64", jv_string_value(v[2]));
		goto out;
	}
	if (tn_severity_parse(jv_string_value(v[3])) == TN_SEV_NONE ||
	    strcmp(tn_severity_name(tn_severity_parse(jv_string_value(v[3]))),
		   jv_string_value(v[3])) != 0) {
		refuse(p, 422, "severity", "severity '%s' is not one of blue, yellow, orange, red",
		       jv_string_value(v[3]));
		goto out;
	}
	d = tn_district_find(jv_string_value(v[4]));
	if (!d || strcmp(d->code, jv_string_value(v[4])) != 0) {
		refuse(p, 422, "district", "district '%s' is not one of Shanghai's 16 district codes",
		       jv_string_value(v[4]));
		goto out;
	}
	if (location_member(in, &v[5], p) < 0 ||
	    number_member(in, "value", "value", -1e300, 1e300, &v[6], p) < 0 ||
	    number_member(in, "threshold", "threshold", -1e300, 1e300, &v[7], p) < 0 ||
	    alert_text_member(in, "unit", 16, 0, 1, &v[8], p) < 0 ||
	    alert_text_member(in, "headline", 200, 0, 1, &v[9], p) < 0 ||
	    alert_text_member(in, "text", 4000, 0, 1, &v[10], p) < 0 ||
	    time_member(in, "sent_at", &v[11], p) < 0 ||
	    time_member(in, "onset_at", &v[12], p) < 0 ||
	    time_member(in, "expires_at", &v[13], p) < 0)
		goto out;
	/* what a CAP document said beyond the members, for CAP out (capwrite.c) */
	cap = jv_object_get(jv_copy(in), jv_string("cap"));
	if (!jv_is_valid(cap)) {
		jv_free(cap);
		cap = jv_null();
	}
	if (tn_cap_details_check(cap, field, sizeof(field), &err) != TN_OK) {
		refuse(p, 422, field, "%s", err.message);
		goto out;
	}
	if (jv_get_kind(v[9]) == JV_KIND_NULL) {
		jv_free(v[9]);
		v[9] = jv_string("");
	}
	time_rfc3339((long long)now, when, sizeof(when));
	*doc = jv_object();
	*doc = jv_object_set(*doc, jv_string("id"), jv_null());
	*doc = jv_object_set(*doc, jv_string("seq"), jv_null());
	for (i = 0; i < 14; i++) {
		*doc = jv_object_set(*doc, jv_string(names[i]), v[i]);
		v[i] = jv_null();
		if (i == 4)
			*doc = jv_object_set(*doc, jv_string("district_name"), jv_string(d->name));
	}
	*doc = jv_object_set(*doc, jv_string("status"), jv_string("raised"));
	*doc = jv_object_set(*doc, jv_string("raised_at"), jv_string(when));
	*doc = jv_object_set(*doc, jv_string("raised_by"), jv_string(actor));
	*doc = jv_object_set(*doc, jv_string("dispatched_at"), jv_null());
	*doc = jv_object_set(*doc, jv_string("crew"), jv_null());
	*doc = jv_object_set(*doc, jv_string("acknowledged_at"), jv_null());
	*doc = jv_object_set(*doc, jv_string("resolved_at"), jv_null());
	*doc = jv_object_set(*doc, jv_string("closed_at"), jv_null());
	*doc = jv_object_set(*doc, jv_string("evaluation"), jv_null());
	*doc = jv_object_set(*doc, jv_string("updated_at"), jv_string(when));
	if (jv_get_kind(cap) == JV_KIND_OBJECT) {
		*doc = jv_object_set(*doc, jv_string("cap"), cap);
		cap = jv_null();
	}
	rc = 0;
out:
	for (i = 0; i < 14; i++)
		jv_free(v[i]);
	jv_free(cap);
	return rc;
}
