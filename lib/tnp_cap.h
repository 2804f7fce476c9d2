/* tnp_cap.h — CAP 1.2 rules shared by cap.c (reading) and capwrite.c (writing, the "cap" member) (internal, not installed). */
#ifndef TNP_CAP_H
#define TNP_CAP_H

#include <jv.h>
#include <libxml/tree.h>

#include "tn_err.h"

/* The values CAP 1.2 allows for enumerated element `element`, '|'-separated; NULL when it is not one. */
const char *tnp_cap_enum(const char *element);

/* What to call enumerated element `element` in messages ("message type"); `element` when not one. */
const char *tnp_cap_enum_what(const char *element);

/* 1 when `v` is one of the '|'-separated `choices`. */
int tnp_cap_in_choices(const char *choices, const char *v);

/* 1 when `s` is CAP's dateTime: YYYY-MM-DDThh:mm:ss with a numeric offset, no "Z", no fraction. */
int tnp_cap_datetime(const char *s);

/* ---- reading (cap.c, capmap.c) ---- */

/* One document being read: its name in messages, where errors go. */
struct tnp_cap_ctx {
	const char *name;
	struct tn_err *err;
	long dtd_line;          /* where a <!DOCTYPE> was met, 0 when none */
};

/* TN_EINVALID "NAME:LINE: ELEMENT: MESSAGE" at node n (line 0 for NULL). */
enum tn_code tnp_cap_fail(struct tnp_cap_ctx *c, xmlNode *n, const char *element,
			  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The text of an element, trimmed, malloc'd (never NULL; "" for NULL). */
char *tnp_cap_text(xmlNode *n);
/* The first child element `name` of parent; NULL when none. */
xmlNode *tnp_cap_first(xmlNode *parent, const char *name);
/* The <value> of the first `element` (parameter, eventCode, geocode) whose valueName is `want` (any case). */
xmlNode *tnp_cap_pair(xmlNode *parent, const char *element, const char *want);

/*
 * capmap.c: the alert's kind and event_text from an <info> (a "kind" pair, an
 * eventCode of the catalog, the event as a kind, the event text through the
 * catalog, else "other"); its severity when the document says "Unknown"
 * (the kind's default rules); district, street, location and area from an
 * <area>; msg_type and references from the <alert>.  Into *a; TN_EINVALID
 * through tnp_cap_fail.
 */
enum tn_code tnp_cap_map_kind(struct tnp_cap_ctx *c, xmlNode *info, jv *a);
enum tn_code tnp_cap_map_unknown_severity(struct tnp_cap_ctx *c, xmlNode *sev, jv *a);
enum tn_code tnp_cap_map_area(struct tnp_cap_ctx *c, xmlNode *area, jv *a);
enum tn_code tnp_cap_map_msg(struct tnp_cap_ctx *c, xmlNode *root, jv *a);

#endif
