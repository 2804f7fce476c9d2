/* capmap.c — CAP in, as Chinese producers write it: the kind from event text or codes (the catalog), district and street from GB/T 2260 geocodes, the area, Update and Cancel. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "tn_alert.h"
#include "tn_alertkind.h"
#include "tn_buf.h"
#include "tn_division.h"
#include "tn_jv.h"
#include "tnp_alert.h"
#include "tnp_cap.h"

#define REFERENCES_MAX 16

/* The event text as a kind: lower case, '_' for spaces (malloc'd). */
static char *as_kind(const char *text)
{
	char *v = tn_xstrdup(text);

	for (char *p = v; *p; p++)
		*p = *p == ' ' ? '_' : (char)tolower((unsigned char)*p);
	return v;
}

enum tn_code tnp_cap_map_kind(struct tnp_cap_ctx *c, xmlNode *info, jv *a)
{
	const struct tn_alertkinds *cat = tn_alertkinds_default(NULL);
	const struct tn_alertkind *hit = NULL;
	xmlNode *k = tnp_cap_pair(info, "eventCode", "kind");
	char *event = tnp_cap_text(tnp_cap_first(info, "event")), *v = NULL;
	enum tn_code rc = TN_OK;

	if (!k)
		k = tnp_cap_pair(info, "parameter", "kind");
	if (k) {
		/* our own pair says it: the kind as given */
		char *t = tnp_cap_text(k);

		v = as_kind(t);
		free(t);
		if (!tn_alert_kind_valid(v))
			rc = tnp_cap_fail(c, k, "value", "'%s' is not a kind (letters, digits, '_', "
					  "'.', '-'); add <eventCode><valueName>kind</valueName>"
					  "<value>water_depth</value></eventCode>", v);
	} else {
		/* an event code of the catalog, the event as a kind, the event's words */
		for (xmlNode *e = info->children; e && !hit; e = e->next)
			if (e->type == XML_ELEMENT_NODE && !strcmp((const char *)e->name, "eventCode")) {
				char *t = tnp_cap_text(tnp_cap_first(e, "value"));

				hit = tn_alertkind_by_event_code(cat, t);
				free(t);
			}
		if (!hit) {
			v = as_kind(event);
			if (!tn_alert_kind_valid(v)) {
				free(v);
				v = NULL;
				hit = tn_alertkind_by_text(cat, event);
			}
		}
		if (!v)
			v = tn_xstrdup(hit ? hit->code : TN_ALERTKIND_OTHER);
	}
	if (rc == TN_OK) {
		char *same = as_kind(event);
		const struct tn_alertkind *named = tn_alertkind_get(cat, v);

		*a = jv_object_set(*a, jv_string("kind"), jv_string(v));
		/*
		 * The producer's words, unless they are just the kind, or the
		 * kind's own name beside a "kind" pair (as tn_cap_write puts it)
		 */
		if (*event && strcmp(same, v) && !(k && named && !strcmp(named->name, event)))
			*a = jv_object_set(*a, jv_string("event_text"), jv_string(event));
		free(same);
	}
	free(v);
	free(event);
	return rc;
}

enum tn_code tnp_cap_map_unknown_severity(struct tnp_cap_ctx *c, xmlNode *sev, jv *a)
{
	const struct tn_alertkind *k = tn_alertkind_get(tn_alertkinds_default(NULL),
							tn_jv_str(*a, "kind"));
	jv value = tn_jv_get(*a, "value");
	int has = jv_get_kind(value) == JV_KIND_NUMBER;
	enum tn_severity s = tn_alertkind_severity(k, has, has ? jv_number_value(value) : 0);
	enum tn_code rc = TN_OK;

	jv_free(value);
	if (s == TN_SEV_NONE) {
		char *t = tnp_cap_text(sev);

		rc = tnp_cap_fail(c, sev, "severity", "'%s' has no place on the blue..red scale; "
				  "give the severity explicitly", t);
		free(t);
	} else {
		*a = jv_object_set(*a, jv_string("severity"), jv_string(tn_severity_name(s)));
	}
	return rc;
}

/*
 * A geocode's valueName that means a GB/T 2260 division code, as producers
 * spell it: "GB/T 2260", "GB2260", "行政区划代码", "adcode", "street", ...
 * (case, spaces, '/', '-', '_' and '.' aside).
 */
static int division_name(const char *vn)
{
	static const char *const names[] = {
		"gbt2260", "gb2260", "行政区划代码", "区划代码", "行政区划", "统计用区划代码",
		"行政区代码", "adcode", "admincode", "division", "divisioncode", "areacode",
		"street", "streetcode", "town", "towncode", "township", "街道", "街镇", NULL
	};
	char buf[64];
	size_t n = 0;

	for (; *vn && n + 1 < sizeof(buf); vn++)
		if (!strchr(" /-_.\t", *vn))
			buf[n++] = (char)tolower((unsigned char)*vn);
	buf[n] = '\0';
	for (const char *const *p = names; *p; p++)
		if (!strcmp(buf, *p))
			return 1;
	return strstr(buf, "2260") != NULL;
}

/* The GB/T 2260 geocodes of an area: the district they name and the most specific street. */
struct places {
	const struct tn_district *district;
	xmlNode *district_at;
	char street[10];
	xmlNode *street_at;
};

static enum tn_code division_codes(struct tnp_cap_ctx *c, xmlNode *area, struct places *p)
{
	struct tn_err e = TN_ERR_INIT;
	enum tn_code rc = TN_OK;

	for (xmlNode *g = area->children; g && rc == TN_OK; g = g->next) {
		struct tn_division div;
		char *name, *value;

		if (g->type != XML_ELEMENT_NODE || strcmp((const char *)g->name, "geocode"))
			continue;
		name = tnp_cap_text(tnp_cap_first(g, "valueName"));
		value = tnp_cap_text(tnp_cap_first(g, "value"));
		if (!division_name(name))
			;
		else if (tn_division_find(value, &div, &e) != TN_OK)
			rc = tnp_cap_fail(c, g, "geocode", "%s: %s", name, e.message);
		else if (p->district && p->district != div.district)
			rc = tnp_cap_fail(c, g, "geocode", "%s: '%s' is in %s, not in %s (line %ld)",
					  name, value, div.district->name, p->district->name,
					  (long)xmlGetLineNo(p->district_at));
		else {
			p->district = div.district;
			p->district_at = g;
			if (div.street[0] && !p->street[0]) {
				memcpy(p->street, div.street, sizeof(p->street));
				p->street_at = g;
			}
		}
		free(name);
		free(value);
	}
	return rc;
}

/* The district: a "district" geocode, else a division code's, else the one named in areaDesc. */
static enum tn_code district_of(struct tnp_cap_ctx *c, xmlNode *area, const char *desc,
				struct places *p)
{
	xmlNode *geo = tnp_cap_pair(area, "geocode", "district");
	struct tn_division div;
	enum tn_code rc = TN_OK;
	const struct tn_district *d = NULL;
	char *g;

	if (!geo) {
		if (!p->district && !(p->district = tn_district_in_text(desc)))
			return tnp_cap_fail(c, area, "area", "no district: add <geocode><valueName>"
					    "GB/T 2260</valueName><value>310101</value></geocode> or "
					    "name the district in <areaDesc>");
		return TN_OK;
	}
	g = tnp_cap_text(geo);
	if (!(d = tn_district_find(g)) && tn_division_find(g, &div, NULL) == TN_OK)
		d = div.district;
	if (!d)
		rc = tnp_cap_fail(c, geo, "geocode", "'%s' is not one of Shanghai's 16 district codes",
				  g);
	else if (p->district && p->district != d)
		rc = tnp_cap_fail(c, p->district_at, "geocode", "'%s' names %s, the district "
				  "geocode %s", p->street[0] ? p->street : p->district->code,
				  p->district->name, d->name);
	else
		p->district = d;
	free(g);
	return rc;
}

/* Every <circle> and <polygon> into area {circles, polygons}; the first circle's centre, else the first polygon's centroid, as lat/lon. */
static enum tn_code shapes(struct tnp_cap_ctx *c, xmlNode *area, jv *shape, jv *loc)
{
	jv circles = jv_array(), polygons = jv_array();
	int have = 0;
	enum tn_code rc = TN_OK;

	for (int pass = 0; pass < 2 && rc == TN_OK; pass++)
		for (xmlNode *n = area->children; n && rc == TN_OK; n = n->next) {
			const char *want = pass == 0 ? "circle" : "polygon";
			double lat, lon, r = 0;
			char bad[80];
			char *t;

			if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, want))
				continue;
			t = tnp_cap_text(n);
			if (pass == 0 && tnp_alert_circle(t, &lat, &lon, &r) < 0)
				rc = tnp_cap_fail(c, n, "circle", "'%s' is not \"lat,lon radius\"", t);
			else if (pass == 1 && tnp_alert_polygon(t, &lat, &lon, bad, sizeof(bad)) < 0)
				rc = bad[0] ? tnp_cap_fail(c, n, "polygon", "'%s' is not a \"lat,lon\" "
							   "pair", bad)
					    : tnp_cap_fail(c, n, "polygon", "needs at least 4 points, "
							   "the last equal to the first");
			if (rc == TN_OK && !have++)
				*loc = jv_object_set(jv_object_set(*loc, jv_string("lat"),
								   jv_number(lat)),
						     jv_string("lon"), jv_number(lon));
			/* a circle of radius 0 is a point: the location, no area */
			if (rc == TN_OK && pass == 0 && r > 0)
				circles = jv_array_append(circles, jv_string(t));
			else if (rc == TN_OK && pass == 0)
				;
			else if (rc == TN_OK)
				polygons = jv_array_append(polygons, jv_string(t));
			free(t);
		}
	*shape = jv_object();
	if (jv_array_length(jv_copy(circles)))
		*shape = jv_object_set(*shape, jv_string("circles"), jv_copy(circles));
	if (jv_array_length(jv_copy(polygons)))
		*shape = jv_object_set(*shape, jv_string("polygons"), jv_copy(polygons));
	jv_free(circles);
	jv_free(polygons);
	return rc;
}

enum tn_code tnp_cap_map_area(struct tnp_cap_ctx *c, xmlNode *area, jv *a)
{
	struct places p;
	char *desc = tnp_cap_text(tnp_cap_first(area, "areaDesc"));
	jv loc = jv_object(), shape = jv_null();
	enum tn_code rc;

	memset(&p, 0, sizeof(p));
	if ((rc = division_codes(c, area, &p)) == TN_OK &&
	    (rc = district_of(c, area, desc, &p)) == TN_OK)
		rc = shapes(c, area, &shape, &loc);
	if (rc == TN_OK) {
		*a = jv_object_set(*a, jv_string("district"), jv_string(p.district->code));
		if (p.street[0])
			*a = jv_object_set(*a, jv_string("street"), jv_string(p.street));
		if (*desc && strcmp(desc, p.district->name))
			loc = jv_object_set(loc, jv_string("address"), jv_string(desc));
		if (jv_object_length(jv_copy(loc)))
			*a = jv_object_set(*a, jv_string("location"), jv_copy(loc));
		if (jv_object_length(jv_copy(shape)))
			*a = jv_object_set(*a, jv_string("area"), jv_copy(shape));
	}
	jv_free(shape);
	jv_free(loc);
	free(desc);
	return rc;
}

enum tn_code tnp_cap_map_msg(struct tnp_cap_ctx *c, xmlNode *root, jv *a)
{
	xmlNode *mt = tnp_cap_first(root, "msgType"), *refs = tnp_cap_first(root, "references");
	char *type = tnp_cap_text(mt), *text = NULL, *p;
	jv list = jv_array();
	enum tn_code rc = TN_OK;
	int n = 0;

	if (strcmp(type, "Update") && strcmp(type, "Cancel"))
		goto out;
	if (!refs) {
		rc = tnp_cap_fail(c, mt, "msgType", "'%s' needs <references>: \"sender,identifier,"
				  "sent\" of the message it applies to", type);
		goto out;
	}
	/* "sender,identifier,sent" separated by spaces (CAP 1.2, 3.2.1) */
	text = tnp_cap_text(refs);
	for (p = text; rc == TN_OK && *p; ) {
		size_t len = strcspn(p, " \t\r\n");
		char *one = p, *c1, *c2;

		p += len;
		if (*p)
			*p++ = '\0';
		p += strspn(p, " \t\r\n");
		if (!len)
			continue;
		c1 = strchr(one, ',');
		c2 = c1 ? strchr(c1 + 1, ',') : NULL;
		if (!c1 || !c2 || c1 == one || c2 == c1 + 1 || strchr(c2 + 1, ','))
			rc = tnp_cap_fail(c, refs, "references", "'%s' is not \"sender,identifier,"
					  "sent\"", one);
		else if (++n > REFERENCES_MAX)
			rc = tnp_cap_fail(c, refs, "references", "more than %d messages",
					  REFERENCES_MAX);
		else
			list = jv_array_append(list, jv_object_set(jv_object_set(jv_object(),
				jv_string("source"), jv_string_sized(one, (int)(c1 - one))),
				jv_string("source_id"), jv_string_sized(c1 + 1, (int)(c2 - c1 - 1))));
	}
	if (rc == TN_OK && !n)
		rc = tnp_cap_fail(c, refs, "references", "empty: an %s needs the message it applies "
				  "to", type);
	if (rc == TN_OK) {
		*a = jv_object_set(*a, jv_string("msg_type"),
				   jv_string(!strcmp(type, "Update") ? "update" : "cancel"));
		*a = jv_object_set(*a, jv_string("references"), jv_copy(list));
	}
out:
	jv_free(list);
	free(text);
	free(type);
	return rc;
}
