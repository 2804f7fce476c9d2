/* alertcheck.c — the strict check of an alert input, as twonetd raises it: members, kinds, sizes, codes, times. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "tn_cap.h"
#include "tn_json.h"
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

/*
 * The members of an input, one slot each (tn_alert_members' order): read in
 * one pass over the object, where a look-up by name each would cost a key
 * made and a hash table walked, about 700 instructions a member.
 */
enum {
	M_SOURCE, M_SOURCE_ID, M_KIND, M_SEVERITY, M_DISTRICT, M_LOCATION, M_VALUE, M_THRESHOLD,
	M_UNIT, M_HEADLINE, M_TEXT, M_SENT_AT, M_ONSET_AT, M_EXPIRES_AT, M_EVENT_TEXT, M_STREET,
	M_AREA, M_MSG_TYPE, M_REFERENCES, M_CAP, M_COUNT
};
_Static_assert(sizeof(tn_alert_members) / sizeof(tn_alert_members[0]) == M_COUNT + 1,
	       "a slot for each member of tn_alert_members, in its order");

/* The index of member name `key` (`len` bytes, a NUL among them or not) in tn_alert_members, or -1. */
static int member_index(const char *key, int len)
{
	for (int i = 0; i < M_COUNT; i++) {
		const char *m = tn_alert_members[i];

		if (m[0] == key[0] && strlen(m) == (size_t)len && memcmp(m, key, (size_t)len) == 0)
			return i;
	}
	return -1;
}

/*
 * The members of object `in` (borrowed) into slot[] (owned, null when
 * absent); NULL, or the first member in `in`'s order that is not an alert's
 * (a copy, the caller's).
 */
static char *slots_of(jv in, jv slot[M_COUNT])
{
	char *bad = NULL;

	for (int i = 0; i < M_COUNT; i++)
		slot[i] = jv_null();
	for (int it = jv_object_iter(in); jv_object_iter_valid(in, it) && !bad;
	     it = jv_object_iter_next(in, it)) {
		jv k = jv_object_iter_key(in, it);
		int i = member_index(jv_string_value(k), jv_string_length_bytes(jv_copy(k)));

		if (i < 0) {
			bad = tn_xstrdup(jv_string_value(k));
		} else {
			jv_free(slot[i]);
			slot[i] = jv_object_iter_value(in, it);
		}
		jv_free(k);
	}
	return bad;
}

/* Member `name`'s value `v` (consumed) into *out: a string of 0/1..max characters, or null when optional. */
static enum tn_code text(jv v, const char *name, size_t max, int required, int allow_empty,
			 jv *out, struct tn_err *err)
{
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

/* An identifier (source, source_id) `v` (consumed): 1..128 characters, no control character. */
static enum tn_code ident(jv v, const char *name, jv *out, struct tn_err *err)
{
	const char *s;
	size_t n;

	if (text(v, name, 128, 1, 0, out, err) != TN_OK)
		return TN_EINVALID;
	s = jv_string_value(*out);
	n = strlen(s);
	if (tn_ctl_span(s, n, 0) < n) {
		jv_free(*out);
		*out = jv_null();
		return refuse(err, 422, name, "%s must not hold control characters", name);
	}
	return TN_OK;
}

/* A number `v` (consumed), or null; within [lo, hi]. */
static enum tn_code number(jv v, const char *field, double lo, double hi, jv *out,
			   struct tn_err *err)
{
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

static enum tn_code when(jv v, const char *name, jv *out, struct tn_err *err)
{
	if (text(v, name, 64, 0, 0, out, err) != TN_OK)
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

/*
 * location `loc` (consumed): null, or {lat, lon, address} checked.  Its
 * members are read in one pass; an input already {lat, lon, address} in
 * that order is kept as it came (what would be built is equal to it).
 */
static enum tn_code location(jv loc, jv *out, struct tn_err *err)
{
	static const char *const keys[] = { "lat", "lon", "address", NULL };
	jv m[3] = { jv_null(), jv_null(), jv_null() }, lat, lon, addr;
	int order = 0, n = 0;
	char *bad = NULL;

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
	jv_object_foreach(loc, key, val) {
		int i = 0;

		while (keys[i] && strcmp(keys[i], jv_string_value(key)))
			i++;
		if (!keys[i] && !bad)
			bad = tn_xstrdup(jv_string_value(key));
		if (keys[i]) {
			jv_free(m[i]);
			m[i] = jv_copy(val);
			order += i == n;
		}
		n++;
		jv_free(key);
		jv_free(val);
	}
	if (bad) {
		char field[96];

		snprintf(field, sizeof(field), "location.%s", bad);
		refuse(err, 400, field, "unknown member '%s' in location", bad);
		free(bad);
		for (int i = 0; i < 3; i++)
			jv_free(m[i]);
		jv_free(loc);
		return TN_EINVALID;
	}
	if (number(m[0], "location.lat", -90, 90, &lat, err) != TN_OK) {
		jv_free(m[1]);
		jv_free(m[2]);
		jv_free(loc);
		return TN_EINVALID;
	}
	if (number(m[1], "location.lon", -180, 180, &lon, err) != TN_OK) {
		jv_free(lat);
		jv_free(m[2]);
		jv_free(loc);
		return TN_EINVALID;
	}
	if (text(m[2], "address", 200, 0, 1, &addr, err) != TN_OK) {
		if (err)
			snprintf(err->field, sizeof(err->field), "location.address");
		jv_free(lat);
		jv_free(lon);
		jv_free(loc);
		return TN_EINVALID;
	}
	if ((jv_get_kind(lat) == JV_KIND_NULL) != (jv_get_kind(lon) == JV_KIND_NULL)) {
		const char *missing = jv_get_kind(lat) == JV_KIND_NULL ? "location.lat" : "location.lon";

		jv_free(lat);
		jv_free(lon);
		jv_free(addr);
		jv_free(loc);
		return refuse(err, 422, missing, "location.lat and location.lon come together");
	}
	if (order == 3 && n == 3 && jv_get_kind(lat) != JV_KIND_NULL &&
	    jv_get_kind(addr) != JV_KIND_NULL) {
		jv_free(lat);           /* lat, lon, address, none null: as it came */
		jv_free(lon);
		jv_free(addr);
		*out = loc;
		return TN_OK;
	}
	jv_free(loc);
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

/* A checked alert's members in its document's order: keys from tn_jv_key, values owned. */
#define PARTS_MAX 24
struct parts {
	int n;
	int msg_type, cap;      /* where msg_type (references after it) and cap are, or -1 */
	jv key[PARTS_MAX], val[PARTS_MAX];
};

#define PUT(p, name, v) put(p, name, sizeof(name) - 1, v)

static void put(struct parts *p, const char *name, size_t len, jv v)
{
	p->key[p->n] = tn_jv_key(name, len);
	p->val[p->n++] = v;
}

/*
 * The checked alert's members of producers' words and places, after
 * expires_at: event_text, kind_name (the catalog's, "" for a kind it does not
 * list), street, street_name ("" when not listed), area; then msg_type and
 * references for an update or a cancel only.  `in` borrowed (null when the
 * input has none of these members), `kind` the checked kind.
 */
static void extra(struct parts *p, jv in, const char *kind)
{
	const struct tn_alertkind *k = tn_alertkind_get(tn_alertkinds_default(NULL), kind);
	int none = jv_get_kind(in) != JV_KIND_OBJECT;   /* none of these members: no look-ups */
	const char *street = none ? NULL : tn_jv_str(in, "street"), *sname;
	const char *type = none ? NULL : tn_jv_str(in, "msg_type");

	PUT(p, "event_text", none ? jv_null() : tn_jv_get(in, "event_text"));
	PUT(p, "kind_name", jv_string(k ? k->name : ""));
	PUT(p, "street", none ? jv_null() : tn_jv_get(in, "street"));
	sname = street ? tn_division_street_name(street) : NULL;
	PUT(p, "street_name", street ? jv_string(sname ? sname : "") : jv_null());
	PUT(p, "area", none ? jv_null() : tn_jv_get(in, "area"));
	if (type && strcmp(type, "alert")) {
		p->msg_type = p->n;
		PUT(p, "msg_type", jv_string(type));
		PUT(p, "references", tn_jv_get(in, "references"));
	}
}

/*
 * The strict check of `in` (borrowed): TN_OK and the document's members in
 * *p (the caller frees them), or TN_EINVALID and *p empty.
 */
static enum tn_code check(jv in, struct parts *p, struct tn_err *err)
{
	static const char *const names[] = {
		"source", "source_id", "kind", "severity", "district", "location", "value",
		"threshold", "unit", "headline", "text", "sent_at", "onset_at", "expires_at"
	};
	enum { N = sizeof(names) / sizeof(names[0]) };
	jv v[N], slot[M_COUNT], work;
	const struct tn_district *d = NULL;
	struct tn_err e = TN_ERR_INIT;
	char field[96], *bad;
	enum tn_code rc = TN_EINVALID;
	int i, plain;

	p->n = 0;
	p->msg_type = p->cap = -1;
	if (jv_get_kind(in) != JV_KIND_OBJECT)
		return refuse(err, 400, NULL, "an alert must be a JSON object");
	if ((bad = slots_of(in, slot)) != NULL) {
		refuse(err, 400, bad, "unknown member '%s' (the server sets it, or it does not "
		       "exist)", bad);
		free(bad);
		for (i = 0; i < M_COUNT; i++)
			jv_free(slot[i]);
		return TN_EINVALID;
	}
	for (i = 0; i < N; i++)
		v[i] = jv_null();
	/* producers' words and places: none, the common case, has nothing to fill or check */
	plain = jv_get_kind(slot[M_EVENT_TEXT]) == JV_KIND_NULL &&
		jv_get_kind(slot[M_STREET]) == JV_KIND_NULL &&
		jv_get_kind(slot[M_AREA]) == JV_KIND_NULL &&
		jv_get_kind(slot[M_MSG_TYPE]) == JV_KIND_NULL &&
		jv_get_kind(slot[M_REFERENCES]) == JV_KIND_NULL;
	/* a kind from event_text (the catalog), a district from street */
	work = jv_copy(in);
	if (!plain)
		tnp_alert_fill(&work);
	if (jv_get_kind(slot[M_KIND]) == JV_KIND_NULL) {
		jv_free(slot[M_KIND]);
		slot[M_KIND] = tn_jv_get(work, "kind");
	}
	if (jv_get_kind(slot[M_DISTRICT]) == JV_KIND_NULL) {
		jv_free(slot[M_DISTRICT]);
		slot[M_DISTRICT] = tn_jv_get(work, "district");
	}
	/* each check below takes its member's slot */
#define TAKE(m) (jv_copy(slot[m]))
	if (ident(TAKE(M_SOURCE), "source", &v[0], err) ||
	    ident(TAKE(M_SOURCE_ID), "source_id", &v[1], err) ||
	    text(TAKE(M_KIND), "kind", 64, 1, 0, &v[2], err) ||
	    text(TAKE(M_SEVERITY), "severity", 16, 1, 0, &v[3], err) ||
	    text(TAKE(M_DISTRICT), "district", 16, 1, 0, &v[4], err))
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
	/* a code only (tn_district_find also reads names and pinyin, at ten times the cost) */
	for (i = 0; i < TN_DISTRICT_COUNT && !d; i++)
		if (strcmp(tn_districts[i].code, jv_string_value(v[4])) == 0)
			d = &tn_districts[i];
	if (!d) {
		refuse(err, 422, "district", "district '%s' is not one of Shanghai's 16 district codes",
		       jv_string_value(v[4]));
		goto out;
	}
	if (location(TAKE(M_LOCATION), &v[5], err) ||
	    number(TAKE(M_VALUE), "value", -1e300, 1e300, &v[6], err) ||
	    number(TAKE(M_THRESHOLD), "threshold", -1e300, 1e300, &v[7], err) ||
	    text(TAKE(M_UNIT), "unit", 16, 0, 1, &v[8], err) ||
	    text(TAKE(M_HEADLINE), "headline", 200, 0, 1, &v[9], err) ||
	    text(TAKE(M_TEXT), "text", 4000, 0, 1, &v[10], err) ||
	    when(TAKE(M_SENT_AT), "sent_at", &v[11], err) ||
	    when(TAKE(M_ONSET_AT), "onset_at", &v[12], err) ||
	    when(TAKE(M_EXPIRES_AT), "expires_at", &v[13], err))
		goto out;
#undef TAKE
	/* what a CAP document said beyond the members, for CAP out (capwrite.c) */
	if (tn_cap_details_check(slot[M_CAP], field, sizeof(field), &e) != TN_OK) {
		refuse(err, 422, field, "%s", e.message);
		goto out;
	}
	if (!plain && tnp_alert_extra(&work, 0, &e) != TN_OK) {
		refuse(err, 422, e.field, "%s", e.message);
		goto out;
	}
	if (jv_get_kind(v[9]) == JV_KIND_NULL) {
		jv_free(v[9]);
		v[9] = jv_string("");
	}
	for (i = 0; i < N; i++) {
		put(p, names[i], strlen(names[i]), v[i]);
		v[i] = jv_null();
		if (i == 4)
			PUT(p, "district_name", jv_string(d->name));
	}
	extra(p, plain ? jv_null() : work, jv_string_value(p->val[2]));
	if (jv_get_kind(slot[M_CAP]) == JV_KIND_OBJECT) {
		p->cap = p->n;
		PUT(p, "cap", jv_copy(slot[M_CAP]));
	}
	rc = TN_OK;
out:
	for (i = 0; i < N; i++)
		jv_free(v[i]);
	for (i = 0; i < M_COUNT; i++)
		jv_free(slot[i]);
	jv_free(work);
	return rc;
}

enum tn_code tn_alert_check(jv in, jv *out, struct tn_err *err)
{
	struct parts p;

	if (check(in, &p, err) != TN_OK)
		return TN_EINVALID;
	*out = tn_jv_object_of(p.key, p.val, p.n);
	return TN_OK;
}

/* 1 when `name` is one of the NULL-terminated `names`. */
static int named(const char *name, const char *const *names)
{
	for (; *names; names++)
		if ((*names)[0] == name[0] && strcmp(*names, name) == 0)
			return 1;
	return 0;
}

enum tn_code tn_alert_check_some(jv in, struct tn_alert_around head, struct tn_alert_around tail,
				 const char *const *keep, jv *out, jv *msg, struct tn_buf *text,
				 struct tn_err *err)
{
	jv key[TN_JV_SHAPE_MAX], val[TN_JV_SHAPE_MAX];
	struct parts p;
	int n = 0, i, m;

	if (head.n + PARTS_MAX + tail.n > TN_JV_SHAPE_MAX || check(in, &p, err) != TN_OK) {
		for (i = 0; i < head.n; i++)
			jv_free(head.values[i]);
		for (i = 0; i < tail.n; i++)
			jv_free(tail.values[i]);
		if (head.n + PARTS_MAX + tail.n > TN_JV_SHAPE_MAX)
			return refuse(err, 500, NULL, "too many members around an alert");
		return TN_EINVALID;
	}
	for (i = 0; i < head.n; i++) {
		key[n] = tn_jv_key(head.names[i], strlen(head.names[i]));
		val[n++] = head.values[i];
	}
	*msg = jv_null();
	for (i = 0; i < p.n; i++) {
		if (i == p.msg_type) {          /* msg_type, then references */
			*msg = jv_object_set(jv_object_set(jv_object(), p.key[i], p.val[i]),
					     p.key[i + 1], p.val[i + 1]);
			i++;
		} else if (i != p.cap) {
			key[n] = p.key[i];
			val[n++] = p.val[i];
		}
	}
	for (i = 0; i < tail.n; i++) {
		key[n] = tn_jv_key(tail.names[i], strlen(tail.names[i]));
		val[n++] = tail.values[i];
	}
	if (p.cap >= 0) {
		key[n] = p.key[p.cap];
		val[n++] = p.val[p.cap];
	}
	if (text)
		tn_json_dump_members(key, val, n, text);
	if (keep && jv_get_kind(*msg) == JV_KIND_NULL) {       /* a raise: the members asked for */
		for (i = m = 0; i < n; i++) {
			if (named(jv_string_value(key[i]), keep)) {
				key[m] = key[i];
				val[m++] = val[i];
			} else {
				jv_free(key[i]);
				jv_free(val[i]);
			}
		}
		n = m;
	}
	*out = tn_jv_object_of(key, val, n);
	return TN_OK;
}

enum tn_code tn_alert_check_doc(jv in, struct tn_alert_around head, struct tn_alert_around tail,
				jv *out, jv *msg, struct tn_buf *text, struct tn_err *err)
{
	return tn_alert_check_some(in, head, tail, NULL, out, msg, text, err);
}
