/* capwrite.c — CAP 1.2 out: one document per alert, element for element what came in; the "cap" member's rules. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tn_alert.h"
#include "tn_alertkind.h"
#include "tn_cap.h"
#include "tn_jv.h"
#include "tn_report.h"
#include "tn_text.h"
#include "tnp_cap.h"

/* ---- the "cap" member: its members, their kinds and sizes ---- */

enum dkind {
	D_TEXT,         /* a string of 1..max characters */
	D_ENUM,         /* a string CAP enumerates (tnp_cap_enum) */
	D_TIME,         /* CAP's dateTime */
	D_TEXTS,        /* an array of 1..items strings of 1..max characters */
	D_ENUMS,        /* an array of 1..items enumerated strings */
	D_PAIRS,        /* an array of 1..items {valueName, value} */
	D_FALSE,        /* false: the document had no such element */
};

static const struct detail {
	const char *member, *element;
	enum dkind kind;
	int max, items;
} details[] = {
	{ "status", "status", D_ENUM, 0, 0 },
	{ "msgType", "msgType", D_ENUM, 0, 0 },
	{ "source", "source", D_TEXT, 200, 0 },
	{ "scope", "scope", D_ENUM, 0, 0 },
	{ "restriction", "restriction", D_TEXT, 1000, 0 },
	{ "addresses", "addresses", D_TEXT, 4000, 0 },
	{ "code", "code", D_TEXTS, 200, 16 },
	{ "note", "note", D_TEXT, 4000, 0 },
	{ "references", "references", D_TEXT, 4000, 0 },
	{ "incidents", "incidents", D_TEXT, 1000, 0 },
	{ "language", "language", D_TEXT, 35, 0 },
	{ "category", "category", D_ENUMS, 0, 12 },
	{ "event", "event", D_TEXT, 200, 0 },
	{ "responseType", "responseType", D_ENUMS, 0, 9 },
	{ "urgency", "urgency", D_ENUM, 0, 0 },
	{ "severity", "severity", D_ENUM, 0, 0 },
	{ "certainty", "certainty", D_ENUM, 0, 0 },
	{ "audience", "audience", D_TEXT, 1000, 0 },
	{ "eventCodes", "eventCode", D_PAIRS, 0, 32 },
	{ "effective", "effective", D_TIME, 0, 0 },
	{ "senderName", "senderName", D_TEXT, 200, 0 },
	{ "headline", "headline", D_FALSE, 0, 0 },
	{ "instruction", "instruction", D_TEXT, 4000, 0 },
	{ "web", "web", D_TEXT, 1000, 0 },
	{ "contact", "contact", D_TEXT, 1000, 0 },
	{ "parameters", "parameter", D_PAIRS, 0, 64 },
	{ "polygons", "polygon", D_TEXTS, 20000, 16 },
	{ "circles", "circle", D_TEXTS, 200, 16 },
	{ "geocodes", "geocode", D_PAIRS, 0, 32 },
	{ "altitude", "altitude", D_TEXT, 32, 0 },
	{ "ceiling", "ceiling", D_TEXT, 32, 0 },
};

#define PAIR_NAME_MAX 64
#define PAIR_VALUE_MAX 1000


static enum tn_code bad(char *field, size_t size, struct tn_err *err, const char *path,
			const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static enum tn_code bad(char *field, size_t size, struct tn_err *err, const char *path,
			const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (field && size)
		snprintf(field, size, "%s", path);
	return tn_err_set(err, TN_EINVALID, "%s: %s", path, msg);
}

/* One string of a detail (borrowed) at `path`. */
static enum tn_code check_string(const struct detail *d, jv v, const char *path, char *field,
				 size_t size, struct tn_err *err)
{
	const char *s, *values;

	if (jv_get_kind(v) != JV_KIND_STRING)
		return bad(field, size, err, path, "must be a string");
	s = jv_string_value(v);
	if (d->kind == D_ENUM || d->kind == D_ENUMS) {
		values = tnp_cap_enum(d->element);
		if (!tnp_cap_in_choices(values, s))
			return bad(field, size, err, path, "'%.64s' is not a CAP %s (%s)", s,
				   tnp_cap_enum_what(d->element), values);
		return TN_OK;
	}
	if (d->kind == D_TIME) {
		if (!tnp_cap_datetime(s))
			return bad(field, size, err, path, "not a CAP date and time "
				   "(2026-07-01T10:00:00+08:00)");
		return TN_OK;
	}
	if (!*s || tn_utf8_chars(s) > (size_t)d->max)
		return bad(field, size, err, path, "must be 1 to %d characters", d->max);
	return TN_OK;
}

/* One {valueName, value} (borrowed) at `path`. */
static enum tn_code check_pair(jv p, const char *path, char *field, size_t size,
			       struct tn_err *err)
{
	char sub[128];
	int n = 0;

	if (jv_get_kind(p) != JV_KIND_OBJECT)
		return bad(field, size, err, path, "must be an object {valueName, value}");
	jv_object_foreach(p, k, v) {
		const char *key = jv_string_value(k);
		int is_name = !strcmp(key, "valueName"), is_value = !strcmp(key, "value");
		size_t max = is_name ? PAIR_NAME_MAX : PAIR_VALUE_MAX;

		snprintf(sub, sizeof(sub), "%s.%.32s", path, key);
		if (n >= 0 && !is_name && !is_value)
			n = bad(field, size, err, sub, "unknown member (valueName, value)") ? -1 : n;
		else if (n >= 0 && (jv_get_kind(v) != JV_KIND_STRING ||
				    (is_name && !*jv_string_value(v)) ||
				    tn_utf8_chars(jv_string_value(v)) > max))
			n = bad(field, size, err, sub, "must be a string of %d to %zu characters",
				is_name ? 1 : 0, max) ? -1 : n;
		else if (n >= 0)
			n++;
		jv_free(k);
		jv_free(v);
	}
	if (n < 0)
		return TN_EINVALID;
	if (n != 2)
		return bad(field, size, err, path, "needs both valueName and value");
	return TN_OK;
}

static enum tn_code check_detail(const struct detail *d, jv v, char *field, size_t size,
				 struct tn_err *err)
{
	char path[96], sub[112];
	enum tn_code rc = TN_OK;
	int n;

	snprintf(path, sizeof(path), "cap.%s", d->member);
	switch (d->kind) {
	case D_FALSE:
		return jv_get_kind(v) == JV_KIND_FALSE ? TN_OK :
			bad(field, size, err, path, "only false (the document had no <%s>)", d->element);
	case D_TEXTS:
	case D_ENUMS:
	case D_PAIRS:
		if (jv_get_kind(v) != JV_KIND_ARRAY)
			return bad(field, size, err, path, "must be an array");
		n = jv_array_length(jv_copy(v));
		if (n < 1 || n > d->items)
			return bad(field, size, err, path, "must hold 1 to %d items", d->items);
		jv_array_foreach(v, i, e) {
			snprintf(sub, sizeof(sub), "%s[%d]", path, i);
			if (rc == TN_OK)
				rc = d->kind == D_PAIRS ? check_pair(e, sub, field, size, err)
							: check_string(d, e, sub, field, size, err);
			jv_free(e);
		}
		return rc;
	default:
		return check_string(d, v, path, field, size, err);
	}
}

enum tn_code tn_cap_details_check(jv cap, char *field, size_t size, struct tn_err *err)
{
	enum tn_code rc = TN_OK;

	if (field && size)
		field[0] = '\0';
	if (jv_get_kind(cap) == JV_KIND_NULL)
		return TN_OK;
	if (jv_get_kind(cap) != JV_KIND_OBJECT)
		return bad(field, size, err, "cap", "must be an object of CAP elements");
	jv_object_foreach(cap, k, v) {
		const char *key = jv_string_value(k);
		const struct detail *d = NULL;

		for (size_t i = 0; i < sizeof(details) / sizeof(details[0]); i++)
			if (!strcmp(details[i].member, key))
				d = &details[i];
		if (rc != TN_OK)
			;
		else if (!d) {
			char path[96];

			snprintf(path, sizeof(path), "cap.%.64s", key);
			rc = bad(field, size, err, path, "unknown member");
		} else if (jv_get_kind(v) != JV_KIND_NULL) {
			rc = check_detail(d, v, field, size, err);
		}
		jv_free(k);
		jv_free(v);
	}
	return rc;
}

/* ---- writing ---- */

/*
 * An identifier made CAP-safe: what CAP forbids in one (space, ',', '<',
 * '&', control characters) percent-encoded; anything else, '%' included, as
 * it is, so that an identifier that came in as CAP goes out the same.
 */
static void cap_ident(struct tn_buf *b, const char *s)
{
	for (; *s; s++)
		if (strchr(" ,<&", *s) || (unsigned char)*s < 0x20)
			tn_buf_addf(b, "%%%02X", (unsigned char)*s);
		else
			tn_buf_addch(b, *s);
}

static void element(struct tn_buf *b, int indent, const char *name, const char *text)
{
	tn_buf_addf(b, "%*s<%s>", indent, "", name);
	tn_xml_escape(b, text);
	tn_buf_addf(b, "</%s>\n", name);
}

static void pair(struct tn_buf *b, int indent, const char *element_name, const char *name,
		 const char *value)
{
	tn_buf_addf(b, "%*s<%s>\n", indent, "", element_name);
	element(b, indent + 2, "valueName", name);
	element(b, indent + 2, "value", value);
	tn_buf_addf(b, "%*s</%s>\n", indent, "", element_name);
}

/* RFC 3339 → CAP dateTime: no fraction, "Z" as "-00:00".  Into out. */
static void cap_time(const char *s, char *out, size_t size)
{
	const char *p = s + 19;

	if (!tn_time_valid(s)) {
		snprintf(out, size, "%s", s);
		return;
	}
	while (*p == '.' || isdigit((unsigned char)*p))
		p++;
	snprintf(out, size, "%.19s%s", s, *p == 'Z' ? "-00:00" : p);
}

static void now_time(char *out, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;
	char z[8];

	localtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(z, sizeof(z), "%z", &tm);
	if (strlen(z) == 5)
		snprintf(out + strlen(out), size - strlen(out), "%.3s:%s", z, z + 3);
}

static const char *category_of(const char *kind)
{
	static const struct {
		const char *prefix, *category;
	} map[] = {
		{ "water", "Met" }, { "flood", "Met" }, { "rain", "Met" }, { "typhoon", "Met" },
		{ "wind", "Met" }, { "storm", "Met" }, { "fire", "Fire" }, { "smoke", "Fire" },
		{ "crowd", "Safety" }, { "falling", "Safety" }, { "pump", "Infra" },
		{ "drain", "Infra" }, { "elevator", "Infra" }, { "power", "Infra" }, { "gas", "Infra" },
		{ "bridge", "Infra" }, { "traffic", "Transport" }, { "metro", "Transport" },
		{ "road", "Transport" }, { "epidemic", "Health" }, { "health", "Health" },
	};

	const struct tn_alertkind *k = tn_alertkind_get(tn_alertkinds_default(NULL), kind);

	if (k)
		return k->category;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strncmp(kind, map[i].prefix, strlen(map[i].prefix)))
			return map[i].category;
	return "Other";
}

/* The shortest text of `d` that reads back the same. */
static void number_text(double d, char *out, size_t size)
{
	snprintf(out, size, "%.17g", d);
	for (int prec = 1; prec <= 17; prec++) {
		char tmp[64];

		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d) {
			snprintf(out, size, "%s", tmp);
			return;
		}
	}
}

/* One alert being written: the alert and its "cap" member (borrowed), and what was looked up. */
struct out {
	struct tn_buf *b;
	jv alert, cap;
	int has_cap;
	const char *kind;
	enum tn_severity sev;
	const struct tn_district *d;
	const char *district;
};

/* <element> for the string `key` of `obj`, when it is one (and not empty). */
static void text_element(struct out *o, int indent, jv obj, const char *key, const char *name)
{
	jv v = tn_jv_get(obj, key);

	if (jv_get_kind(v) == JV_KIND_STRING && *jv_string_value(v))
		element(o->b, indent, name, jv_string_value(v));
	jv_free(v);
}

/* One <element> per string of the array `key` of the cap member. */
static void texts_element(struct out *o, int indent, const char *key, const char *name)
{
	jv list = tn_jv_get(o->cap, key);

	if (jv_get_kind(list) == JV_KIND_ARRAY)
		jv_array_foreach(list, i, e) {
			if (jv_get_kind(e) == JV_KIND_STRING)
				element(o->b, indent, name, jv_string_value(e));
			jv_free(e);
		}
	jv_free(list);
}

/* The cap member's string `key` (borrowed from o->cap, held until the end of the write), else `dflt`. */
static const char *cap_str(struct out *o, const char *key, const char *dflt)
{
	const char *s = tn_jv_str(o->cap, key);

	return s ? s : dflt;
}

/* A kind as the reader derives it from event text: lower case, '_' for spaces. */
static int kind_from(const char *text, const char *kind)
{
	size_t n = strlen(text);

	if (n != strlen(kind))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = text[i] == ' ' ? '_' : (char)tolower((unsigned char)text[i]);

		if (c != kind[i])
			return 0;
	}
	return 1;
}

/*
 * 1 when the reader (capmap.c) finds o->kind from the catalog: an eventCode
 * that means a kind, else the event's words (an event that reads as a kind
 * of its own is that kind).
 */
static int catalog_kind(struct out *o, const char *event)
{
	const struct tn_alertkinds *cat = tn_alertkinds_default(NULL);
	const struct tn_alertkind *hit = NULL;
	jv codes = tn_jv_get(o->cap, "eventCodes");
	char *own = tn_xstrdup(event);

	if (jv_get_kind(codes) == JV_KIND_ARRAY)
		jv_array_foreach(codes, i, p) {
			if (!hit)
				hit = tn_alertkind_by_event_code(cat, tn_jv_str(p, "value"));
			jv_free(p);
		}
	jv_free(codes);
	for (char *c = own; *c; c++)
		*c = *c == ' ' ? '_' : (char)tolower((unsigned char)*c);
	if (!hit && !tn_alert_kind_valid(own))
		hit = tn_alertkind_by_text(cat, event);
	free(own);
	if (hit)
		return !strcmp(hit->code, o->kind);
	return !strcmp(o->kind, TN_ALERTKIND_OTHER) && !tn_alert_kind_valid(event);
}

/* 1 when the document as written will tell the reader the kind: a "kind" pair or the event. */
static int kind_carried(struct out *o, const char *event)
{
	jv lists[2] = { tn_jv_get(o->cap, "eventCodes"), tn_jv_get(o->cap, "parameters") };
	int found = 0;

	for (int l = 0; l < 2; l++) {
		if (jv_get_kind(lists[l]) == JV_KIND_ARRAY)
			jv_array_foreach(lists[l], i, p) {
				jv n = tn_jv_get(p, "valueName");

				found |= jv_get_kind(n) == JV_KIND_STRING &&
					 !strcasecmp(jv_string_value(n), "kind");
				jv_free(n);
				jv_free(p);
			}
		jv_free(lists[l]);
	}
	return found || kind_from(event, o->kind) || catalog_kind(o, event);
}

/* The value to write for a pair the alert has a member for (value, threshold, unit, kind, district). */
static int pair_value(struct out *o, const char *element_name, const char *name,
		      const char *given, struct tn_buf *value)
{
	static const char *const numbers[] = { "value", "threshold", NULL };
	char num[64];
	jv v;

	if (!strcmp(element_name, "eventCode") && !strcasecmp(name, "kind")) {
		tn_buf_adds(value, kind_from(given, o->kind) ? given : o->kind);
		return 1;
	}
	if (!strcmp(element_name, "geocode") && !strcasecmp(name, "district")) {
		tn_buf_adds(value, tn_district_find(given) == o->d && o->d ? given : o->district);
		return 1;
	}
	if (strcmp(element_name, "parameter"))
		return 0;
	for (const char *const *n = numbers; *n; n++)
		if (!strcasecmp(name, *n)) {
			v = tn_jv_get(o->alert, *n);
			if (jv_get_kind(v) != JV_KIND_NUMBER) {
				jv_free(v);
				return -1;      /* the alert has none: leave it out */
			}
			if (strtod(given, NULL) == jv_number_value(v)) {
				tn_buf_adds(value, given);
			} else {
				number_text(jv_number_value(v), num, sizeof(num));
				tn_buf_adds(value, num);
			}
			jv_free(v);
			return 1;
		}
	if (!strcasecmp(name, "unit")) {
		v = tn_jv_get(o->alert, "unit");
		if (jv_get_kind(v) == JV_KIND_STRING)
			tn_buf_adds(value, jv_string_value(v));
		jv_free(v);
		return value->len ? 1 : -1;
	}
	return 0;
}

/*
 * The pairs of the cap member's `key`, element `element_name`, in their
 * order; a pair the alert has a member for carries the member's value.
 * Bit i of *seen set for numbers[i] written.
 */
static void pairs_element(struct out *o, int indent, const char *key, const char *element_name,
			  unsigned *seen)
{
	static const char *const tracked[] = { "value", "threshold", "unit", "kind", "district" };
	jv list = tn_jv_get(o->cap, key);
	struct tn_buf value = TN_BUF_INIT;

	if (jv_get_kind(list) == JV_KIND_ARRAY)
		jv_array_foreach(list, i, p) {
			jv n = tn_jv_get(p, "valueName"), v = tn_jv_get(p, "value");

			if (jv_get_kind(n) == JV_KIND_STRING && jv_get_kind(v) == JV_KIND_STRING) {
				int r;

				tn_buf_reset(&value);
				r = pair_value(o, element_name, jv_string_value(n), jv_string_value(v),
					       &value);
				if (r == 0)
					pair(o->b, indent, element_name, jv_string_value(n),
					     jv_string_value(v));
				else if (r > 0)
					pair(o->b, indent, element_name, jv_string_value(n), value.buf);
				for (int t = 0; r > 0 && t < 5; t++)
					if (!strcasecmp(jv_string_value(n), tracked[t]))
						*seen |= 1u << t;
			}
			jv_free(n);
			jv_free(v);
			jv_free(p);
		}
	jv_free(list);
	tn_buf_release(&value);
}

/* <parameter>s: the cap member's, then value, threshold and unit not among them, then the server's. */
static void parameters(struct out *o)
{
	static const char *const members[] = { "value", "threshold", "unit" };
	static const char *const server[] = { "id", "seq", "status", "crew" };
	unsigned seen = 0;
	char num[64], name[32];

	pairs_element(o, 4, "parameters", "parameter", &seen);
	for (int i = 0; i < 3; i++) {
		jv v = tn_jv_get(o->alert, members[i]);

		if (seen & (1u << i))
			;
		else if (jv_get_kind(v) == JV_KIND_NUMBER) {
			number_text(jv_number_value(v), num, sizeof(num));
			pair(o->b, 4, "parameter", members[i], num);
		} else if (jv_get_kind(v) == JV_KIND_STRING) {
			pair(o->b, 4, "parameter", members[i], jv_string_value(v));
		}
		jv_free(v);
	}
	/* the server's record of the alert, named so that reading it back leaves it out */
	for (int i = 0; i < 4; i++) {
		jv v = tn_jv_get(o->alert, server[i]);

		snprintf(name, sizeof(name), "twonet:%s", server[i]);
		if (jv_get_kind(v) == JV_KIND_NUMBER) {
			number_text(jv_number_value(v), num, sizeof(num));
			pair(o->b, 4, "parameter", name, num);
		} else if (jv_get_kind(v) == JV_KIND_STRING) {
			pair(o->b, 4, "parameter", name, jv_string_value(v));
		}
		jv_free(v);
	}
}

/* The alert's area.circles or area.polygons as elements; how many. */
static int area_shapes(struct out *o, const char *key, const char *name)
{
	jv shape = tn_jv_get(o->alert, "area"), list = tn_jv_get(shape, key);
	int n = 0;

	if (jv_get_kind(list) == JV_KIND_ARRAY)
		jv_array_foreach(list, i, e) {
			if (jv_get_kind(e) == JV_KIND_STRING && ++n)
				element(o->b, 6, name, jv_string_value(e));
			jv_free(e);
		}
	jv_free(list);
	jv_free(shape);
	return n;
}

static void area(struct out *o)
{
	jv loc = tn_jv_get(o->alert, "location"), addr = tn_jv_get(loc, "address");
	const char *desc = jv_get_kind(addr) == JV_KIND_STRING ? jv_string_value(addr) :
			   o->d ? o->d->name : o->district;
	unsigned seen = 0;

	tn_buf_adds(o->b, "    <area>\n");
	element(o->b, 6, "areaDesc", desc);
	texts_element(o, 6, "polygons", "polygon");
	if (!o->has_cap)
		area_shapes(o, "polygons", "polygon");
	if (o->has_cap) {
		texts_element(o, 6, "circles", "circle");
	} else if (area_shapes(o, "circles", "circle")) {
		;
	} else if (jv_get_kind(loc) == JV_KIND_OBJECT) {
		jv la = tn_jv_get(loc, "lat"), lo = tn_jv_get(loc, "lon");

		if (jv_get_kind(la) == JV_KIND_NUMBER && jv_get_kind(lo) == JV_KIND_NUMBER) {
			char a1[64], a2[64], circle[160];

			number_text(jv_number_value(la), a1, sizeof(a1));
			number_text(jv_number_value(lo), a2, sizeof(a2));
			snprintf(circle, sizeof(circle), "%s,%s 0", a1, a2);
			element(o->b, 6, "circle", circle);
		}
		jv_free(la);
		jv_free(lo);
	}
	pairs_element(o, 6, "geocodes", "geocode", &seen);
	/* the district, unless the document named it in its areaDesc only */
	if (!(seen & (1u << 4)) && !(o->has_cap && o->d && tn_district_in_text(desc) == o->d))
		pair(o->b, 6, "geocode", "district", o->d ? o->d->code : o->district);
	if (!o->has_cap && tn_jv_str(o->alert, "street"))
		pair(o->b, 6, "geocode", "GB/T 2260", tn_jv_str(o->alert, "street"));
	text_element(o, 6, o->cap, "altitude", "altitude");
	text_element(o, 6, o->cap, "ceiling", "ceiling");
	tn_buf_adds(o->b, "    </area>\n");
	jv_free(addr);
	jv_free(loc);
}

static void info(struct out *o)
{
	jv x;
	const char *event, *sev;
	char when[64];

	tn_buf_adds(o->b, "  <info>\n");
	if (!o->has_cap)
		element(o->b, 4, "language", "zh-CN");
	text_element(o, 4, o->cap, "language", "language");
	x = tn_jv_get(o->cap, "category");
	if (jv_get_kind(x) == JV_KIND_ARRAY)
		texts_element(o, 4, "category", "category");
	else
		element(o->b, 4, "category", category_of(o->kind));
	jv_free(x);
	/* the producer's words, else the kind's Chinese name, else the kind */
	event = cap_str(o, "event", NULL);
	if (!event && !(event = tn_jv_str(o->alert, "event_text")) &&
	    (!(event = tn_jv_str(o->alert, "kind_name")) || !*event)) {
		const struct tn_alertkind *k = tn_alertkind_get(tn_alertkinds_default(NULL), o->kind);

		event = k ? k->name : o->kind;
	}
	element(o->b, 4, "event", event);
	texts_element(o, 4, "responseType", "responseType");
	element(o->b, 4, "urgency", cap_str(o, "urgency", o->sev >= TN_SEV_ORANGE ? "Immediate" :
					    o->sev == TN_SEV_YELLOW ? "Expected" : "Future"));
	/* the document's own word for the severity (Orange, Severe) when it means ours */
	sev = cap_str(o, "severity", NULL);
	element(o->b, 4, "severity", sev && tn_severity_parse(sev) == o->sev ? sev :
		tn_severity_cap(o->sev));
	element(o->b, 4, "certainty", cap_str(o, "certainty", "Observed"));
	text_element(o, 4, o->cap, "audience", "audience");
	if (o->has_cap) {
		unsigned seen = 0;

		pairs_element(o, 4, "eventCodes", "eventCode", &seen);
		if (!kind_carried(o, event))
			pair(o->b, 4, "eventCode", "kind", o->kind);
	} else {
		pair(o->b, 4, "eventCode", "kind", o->kind);
	}
	text_element(o, 4, o->cap, "effective", "effective");
	for (const char *const *t = (const char *const[]){ "onset_at", "onset", "expires_at", "expires", NULL };
	     *t; t += 2) {
		x = tn_jv_get(o->alert, t[0]);
		if (jv_get_kind(x) == JV_KIND_STRING) {
			cap_time(jv_string_value(x), when, sizeof(when));
			element(o->b, 4, t[1], when);
		}
		jv_free(x);
	}
	text_element(o, 4, o->cap, "senderName", "senderName");
	x = tn_jv_get(o->cap, "headline");
	if (jv_get_kind(x) != JV_KIND_FALSE)    /* false: the document had none */
		text_element(o, 4, o->alert, "headline", "headline");
	jv_free(x);
	text_element(o, 4, o->alert, "text", "description");
	text_element(o, 4, o->cap, "instruction", "instruction");
	text_element(o, 4, o->cap, "web", "web");
	text_element(o, 4, o->cap, "contact", "contact");
	parameters(o);
	area(o);
	tn_buf_adds(o->b, "  </info>\n");
}

enum tn_code tn_cap_write(struct tn_buf *b, jv alert, struct tn_err *err)
{
	static const char *const need[] = { "source", "source_id", "kind", "severity", "district", NULL };
	static const char *const alert_texts[] = { "source", "restriction", "addresses", NULL };
	static const char *const alert_tail[] = { "note", "references", "incidents", NULL };
	struct tn_buf id = TN_BUF_INIT;
	struct out o;
	const char *v[5];   /* borrowed from alert, which the write leaves unchanged */
	jv x;
	char when[64];

	if (jv_get_kind(alert) != JV_KIND_OBJECT)
		return tn_err_set(err, TN_EINVALID, "an alert must be a JSON object");
	for (int i = 0; need[i]; i++)
		if (!(v[i] = tn_jv_str(alert, need[i])))
			return tn_err_set(err, TN_EINVALID, "%s: missing, cannot write CAP", need[i]);
	memset(&o, 0, sizeof(o));
	o.b = b;
	o.alert = alert;
	o.cap = tn_jv_get(alert, "cap");
	o.has_cap = jv_get_kind(o.cap) == JV_KIND_OBJECT;
	o.kind = v[2];
	o.sev = tn_severity_parse(v[3]);
	o.d = tn_district_find(v[4]);
	o.district = v[4];

	tn_buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	tn_buf_adds(b, "<alert xmlns=\"" TN_CAP_NS "\">\n  <identifier>");
	cap_ident(&id, v[1]);
	tn_xml_escape(b, id.buf);
	tn_buf_adds(b, "</identifier>\n  <sender>");
	tn_buf_reset(&id);
	cap_ident(&id, v[0]);
	tn_xml_escape(b, id.buf);
	tn_buf_adds(b, "</sender>\n");
	tn_buf_release(&id);
	x = tn_jv_get(alert, "sent_at");
	if (jv_get_kind(x) != JV_KIND_STRING) {
		jv_free(x);
		x = tn_jv_get(alert, "raised_at");
	}
	if (jv_get_kind(x) == JV_KIND_STRING)
		cap_time(jv_string_value(x), when, sizeof(when));
	else
		now_time(when, sizeof(when));
	jv_free(x);
	element(b, 2, "sent", when);
	element(b, 2, "status", cap_str(&o, "status", "Actual"));
	element(b, 2, "msgType", cap_str(&o, "msgType", "Alert"));
	text_element(&o, 2, o.cap, alert_texts[0], "source");
	element(b, 2, "scope", cap_str(&o, "scope", "Public"));
	for (const char *const *t = alert_texts + 1; *t; t++)
		text_element(&o, 2, o.cap, *t, *t);
	texts_element(&o, 2, "code", "code");
	for (const char *const *t = alert_tail; *t; t++)
		text_element(&o, 2, o.cap, *t, *t);
	info(&o);
	tn_buf_adds(b, "</alert>\n");
	jv_free(o.cap);
	return TN_OK;
}
