/* cap.c — CAP 1.2 XML: checked parsing with line numbers (libxml2) and writing, mapped onto alerts. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "tn_alert.h"
#include "tn_cap.h"
#include "tn_cli.h"
#include "tnp_cap.h"

/* What may appear inside an element: name, minimum and maximum count (0: any). */
struct child {
	const char *name;
	int min, max;
};

static const struct child alert_children[] = {
	{ "identifier", 1, 1 }, { "sender", 1, 1 }, { "sent", 1, 1 }, { "status", 1, 1 },
	{ "msgType", 1, 1 }, { "source", 0, 1 }, { "scope", 1, 1 }, { "restriction", 0, 1 },
	{ "addresses", 0, 1 }, { "code", 0, 0 }, { "note", 0, 1 }, { "references", 0, 1 },
	{ "incidents", 0, 1 }, { "info", 0, 0 }, { NULL, 0, 0 }
};
static const struct child info_children[] = {
	{ "language", 0, 1 }, { "category", 1, 0 }, { "event", 1, 1 }, { "responseType", 0, 0 },
	{ "urgency", 1, 1 }, { "severity", 1, 1 }, { "certainty", 1, 1 }, { "audience", 0, 1 },
	{ "eventCode", 0, 0 }, { "effective", 0, 1 }, { "onset", 0, 1 }, { "expires", 0, 1 },
	{ "senderName", 0, 1 }, { "headline", 0, 1 }, { "description", 0, 1 },
	{ "instruction", 0, 1 }, { "web", 0, 1 }, { "contact", 0, 1 }, { "parameter", 0, 0 },
	{ "resource", 0, 0 }, { "area", 0, 0 }, { NULL, 0, 0 }
};
static const struct child area_children[] = {
	{ "areaDesc", 1, 1 }, { "polygon", 0, 0 }, { "circle", 0, 0 }, { "geocode", 0, 0 },
	{ "altitude", 0, 1 }, { "ceiling", 0, 1 }, { NULL, 0, 0 }
};
static const struct child pair_children[] = {
	{ "valueName", 1, 1 }, { "value", 1, 1 }, { NULL, 0, 0 }
};
static const struct child resource_children[] = {
	{ "resourceDesc", 1, 1 }, { "mimeType", 1, 1 }, { "size", 0, 1 }, { "uri", 0, 1 },
	{ "derefUri", 0, 1 }, { "digest", 0, 1 }, { NULL, 0, 0 }
};

/* Enumerated elements: name, what to call it, allowed values ('|'-separated). */
static const struct {
	const char *element, *what, *values;
} enums[] = {
	{ "status", "status", "Actual|Exercise|System|Test|Draft" },
	{ "msgType", "message type", "Alert|Update|Cancel|Ack|Error" },
	{ "scope", "scope", "Public|Restricted|Private" },
	{ "category", "category", "Geo|Met|Safety|Security|Rescue|Fire|Health|Env|Transport|Infra|CBRNE|Other" },
	{ "responseType", "response type", "Shelter|Evacuate|Prepare|Execute|Avoid|Monitor|Assess|AllClear|None" },
	{ "urgency", "urgency", "Immediate|Expected|Future|Past|Unknown" },
	/* CAP's, and the Chinese profile's (GB/T 35965.1) */
	{ "severity", "severity", "Extreme|Severe|Moderate|Minor|Unknown|Red|Orange|Yellow|Blue" },
	{ "certainty", "certainty", "Observed|Likely|Possible|Unlikely|Unknown" },
};

static const char *const datetime_elements[] = { "sent", "effective", "onset", "expires", NULL };

const char *tnp_cap_enum(const char *element)
{
	for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++)
		if (!strcmp(element, enums[i].element))
			return enums[i].values;
	return NULL;
}

const char *tnp_cap_enum_what(const char *element)
{
	for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++)
		if (!strcmp(element, enums[i].element))
			return enums[i].what;
	return element;
}

static int is_cap(xmlNode *n)
{
	return n->ns && n->ns->href && !strcmp((const char *)n->ns->href, TN_CAP_NS);
}

static long line_of(xmlNode *n)
{
	return (long)xmlGetLineNo(n);
}

enum tn_code tnp_cap_fail(struct tnp_cap_ctx *c, xmlNode *n, const char *element, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return tn_err_set(c->err, TN_EINVALID, "%s:%ld: %s: %s", c->name, n ? line_of(n) : 0L,
			  element, msg);
}

/* The text of an element, trimmed, malloc'd (never NULL). */
char *tnp_cap_text(xmlNode *n)
{
	xmlChar *raw = xmlNodeGetContent(n);
	const char *s = raw ? (const char *)raw : "";
	size_t len;
	char *r;

	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	r = tn_xstrndup(s, len);
	xmlFree(raw);
	return r;
}

int tnp_cap_datetime(const char *s)
{
	size_t n = strlen(s);

	return n == 25 && (s[19] == '+' || s[19] == '-') && tn_time_valid(s);
}

int tnp_cap_in_choices(const char *choices, const char *v)
{
	size_t n = strlen(v);

	while (*choices) {
		size_t l = strcspn(choices, "|");
		if (l == n && !strncmp(choices, v, n))
			return 1;
		choices += l;
		if (*choices)
			choices++;
	}
	return 0;
}

static const struct child *children_of(const char *element)
{
	if (!strcmp(element, "alert"))
		return alert_children;
	if (!strcmp(element, "info"))
		return info_children;
	if (!strcmp(element, "area"))
		return area_children;
	if (!strcmp(element, "parameter") || !strcmp(element, "eventCode") ||
	    !strcmp(element, "geocode"))
		return pair_children;
	if (!strcmp(element, "resource"))
		return resource_children;
	return NULL;
}

/* Check an element's value and, recursively, its children against CAP 1.2. */
static enum tn_code check(struct tnp_cap_ctx *c, xmlNode *node)
{
	const char *ename = (const char *)node->name;
	const struct child *tab = children_of(ename);
	int counts[32] = { 0 };
	enum tn_code rc;

	for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++)
		if (!strcmp(ename, enums[i].element)) {
			char *v = tnp_cap_text(node);
			if (!tnp_cap_in_choices(enums[i].values, v)) {
				rc = tnp_cap_fail(c, node, ename, "'%s' is not a CAP %s (%s)", v, enums[i].what,
					  enums[i].values);
				free(v);
				return rc;
			}
			free(v);
		}
	for (const char *const *d = datetime_elements; *d; d++)
		if (!strcmp(ename, *d)) {
			char *v = tnp_cap_text(node);
			if (!tnp_cap_datetime(v)) {
				rc = tnp_cap_fail(c, node, ename,
					  "'%s' is not a CAP date and time (2026-07-01T10:00:00+08:00)", v);
				free(v);
				return rc;
			}
			free(v);
		}
	if ((!strcmp(ename, "identifier") || !strcmp(ename, "sender"))) {
		char *v = tnp_cap_text(node);
		int bad = !*v || strpbrk(v, " \t\r\n,<&") != NULL;

		if (bad) {
			rc = tnp_cap_fail(c, node, ename, "'%s' must be non-empty, without spaces, commas, '<' or '&'", v);
			free(v);
			return rc;
		}
		free(v);
	}
	if (!tab)
		return TN_OK;
	for (xmlNode *k = node->children; k; k = k->next) {
		int i;

		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (!is_cap(k))
			return tnp_cap_fail(c, k, (const char *)k->name, "not in the CAP 1.2 namespace");
		for (i = 0; tab[i].name; i++)
			if (!strcmp(tab[i].name, (const char *)k->name))
				break;
		if (!tab[i].name)
			return tnp_cap_fail(c, k, (const char *)k->name, "not a CAP 1.2 element of <%s>", ename);
		counts[i]++;
		if (tab[i].max && counts[i] > tab[i].max)
			return tnp_cap_fail(c, k, (const char *)k->name, "appears more than once in <%s>", ename);
		if ((rc = check(c, k)))
			return rc;
	}
	for (int i = 0; tab[i].name; i++)
		if (counts[i] < tab[i].min)
			return tnp_cap_fail(c, node, ename, "required element '%s' is missing", tab[i].name);
	if (!strcmp(ename, "alert")) {
		for (xmlNode *k = node->children; k; k = k->next)
			if (k->type == XML_ELEMENT_NODE && !strcmp((const char *)k->name, "scope")) {
				char *v = tnp_cap_text(k);
				int need = !strcmp(v, "Restricted") ? 7 : !strcmp(v, "Private") ? 8 : -1;
				free(v);
				if (need >= 0 && !counts[need])
					return tnp_cap_fail(c, k, "scope", "'%s' requires <%s>",
						    need == 7 ? "Restricted" : "Private",
						    alert_children[need].name);
			}
	}
	return TN_OK;
}

xmlNode *tnp_cap_first(xmlNode *parent, const char *name)
{
	for (xmlNode *k = parent->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && !strcmp((const char *)k->name, name))
			return k;
	return NULL;
}

/* The value of a valueName/value pair named `want` (case-insensitive) among parent's `element`s. */
xmlNode *tnp_cap_pair(xmlNode *parent, const char *element, const char *want)
{
	for (xmlNode *k = parent->children; k; k = k->next) {
		xmlNode *vn;
		char *name;
		int hit;

		if (k->type != XML_ELEMENT_NODE || strcmp((const char *)k->name, element))
			continue;
		if (!(vn = tnp_cap_first(k, "valueName")))
			continue;
		name = tnp_cap_text(vn);
		hit = !strcasecmp(name, want);
		free(name);
		if (hit)
			return tnp_cap_first(k, "value");
	}
	return NULL;
}

static jv set_text(jv obj, const char *member, xmlNode *n)
{
	char *v;

	if (!n)
		return obj;
	v = tnp_cap_text(n);
	obj = jv_object_set(obj, jv_string(member), jv_string(v));
	free(v);
	return obj;
}

static enum tn_code map_number(struct tnp_cap_ctx *c, xmlNode *info, const char *name, jv *a)
{
	xmlNode *n = tnp_cap_pair(info, "parameter", name);
	char *v, *end;
	double d;
	enum tn_code rc = TN_OK;

	if (!n)
		return TN_OK;
	v = tnp_cap_text(n);
	d = strtod(v, &end);
	if (end == v || *end || !isfinite(d))
		rc = tnp_cap_fail(c, n, "parameter", "%s: '%s' is not a number", name, v);
	else
		*a = jv_object_set(*a, jv_string(name), jv_number(d));
	free(v);
	return rc;
}

/* ---- the "cap" member: the elements the alert has no member for, kept for writing CAP out ---- */

/* The text of every child `element` of `parent` as an array, set as `member` when there is one. */
static jv add_texts(jv cap, const char *member, xmlNode *parent, const char *element)
{
	jv list = jv_array();

	for (xmlNode *k = parent ? parent->children : NULL; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && !strcmp((const char *)k->name, element)) {
			char *v = tnp_cap_text(k);

			list = jv_array_append(list, jv_string(v));
			free(v);
		}
	if (jv_array_length(jv_copy(list)) == 0) {
		jv_free(list);
		return cap;
	}
	return jv_object_set(cap, jv_string(member), list);
}

/*
 * Every child `element` (parameter, eventCode, geocode) of `parent` as
 * [{valueName, value}], set as `member` when there is one; the server's own
 * parameters ("twonet:id", ...; tn_cap_write) are left out.
 */
static jv add_pairs(jv cap, const char *member, xmlNode *parent, const char *element)
{
	jv list = jv_array();

	for (xmlNode *k = parent ? parent->children : NULL; k; k = k->next) {
		char *name, *value;

		if (k->type != XML_ELEMENT_NODE || strcmp((const char *)k->name, element))
			continue;
		name = tnp_cap_text(tnp_cap_first(k, "valueName"));
		value = tnp_cap_text(tnp_cap_first(k, "value"));
		if (strncmp(name, "twonet:", 7))
			list = jv_array_append(list, jv_object_set(jv_object_set(jv_object(),
				jv_string("valueName"), jv_string(name)), jv_string("value"), jv_string(value)));
		free(name);
		free(value);
	}
	if (jv_array_length(jv_copy(list)) == 0) {
		jv_free(list);
		return cap;
	}
	return jv_object_set(cap, jv_string(member), list);
}

/*
 * The "cap" member (doc/api-alerts.md): what the document says that the
 * alert's own members do not, so that tn_cap_write gives the same elements
 * back.  Of the first <info> and its first <area>.
 */
static jv details(xmlNode *root, xmlNode *info, xmlNode *area)
{
	static const char *const alert_texts[] = {
		"status", "msgType", "source", "scope", "restriction", "addresses", "note",
		"references", "incidents", NULL
	};
	static const char *const info_texts[] = {
		"language", "event", "urgency", "severity", "certainty", "audience", "effective",
		"senderName", "instruction", "web", "contact", NULL
	};
	jv cap = jv_object();

	for (const char *const *e = alert_texts; *e; e++)
		cap = set_text(cap, *e, tnp_cap_first(root, *e));
	cap = add_texts(cap, "code", root, "code");
	for (const char *const *e = info_texts; *e; e++)
		cap = set_text(cap, *e, tnp_cap_first(info, *e));
	cap = add_texts(cap, "category", info, "category");
	cap = add_texts(cap, "responseType", info, "responseType");
	cap = add_pairs(cap, "eventCodes", info, "eventCode");
	cap = add_pairs(cap, "parameters", info, "parameter");
	if (!tnp_cap_first(info, "headline"))
		cap = jv_object_set(cap, jv_string("headline"), jv_false());
	cap = add_texts(cap, "polygons", area, "polygon");
	cap = add_texts(cap, "circles", area, "circle");
	cap = add_pairs(cap, "geocodes", area, "geocode");
	cap = set_text(cap, "altitude", tnp_cap_first(area, "altitude"));
	cap = set_text(cap, "ceiling", tnp_cap_first(area, "ceiling"));
	return cap;
}

static enum tn_code map(struct tnp_cap_ctx *c, xmlNode *root, int flags, jv *out)
{
	xmlNode *info = tnp_cap_first(root, "info"), *area, *sev;
	jv a;
	enum tn_code rc;
	char *s;

	if (!info)
		return tnp_cap_fail(c, root, "alert", "no <info>: an alert needs its severity, event and area");
	a = jv_object();
	a = set_text(a, "source", tnp_cap_first(root, "sender"));
	a = set_text(a, "source_id", tnp_cap_first(root, "identifier"));
	a = set_text(a, "sent_at", tnp_cap_first(root, "sent"));
	sev = tnp_cap_first(info, "severity");
	s = tnp_cap_text(sev);
	if (tn_severity_parse(s) != TN_SEV_NONE)
		a = jv_object_set(a, jv_string("severity"),
				  jv_string(tn_severity_name(tn_severity_parse(s))));
	else if (flags & TN_CAP_ALLOW_UNKNOWN_SEVERITY)
		sev = NULL;     /* the caller gives it */
	free(s);
	if ((rc = tnp_cap_map_kind(c, info, &a)))
		goto bad;
	if (tnp_cap_first(info, "headline"))
		a = set_text(a, "headline", tnp_cap_first(info, "headline"));
	else
		a = set_text(a, "headline", tnp_cap_first(info, "event"));
	a = set_text(a, "text", tnp_cap_first(info, "description"));
	a = set_text(a, "onset_at", tnp_cap_first(info, "onset"));
	a = set_text(a, "expires_at", tnp_cap_first(info, "expires"));
	if ((rc = map_number(c, info, "value", &a)) || (rc = map_number(c, info, "threshold", &a)))
		goto bad;
	/* "Unknown": the kind's default severity (kinds.yaml), else refused */
	if (sev && !jv_object_has(jv_copy(a), jv_string("severity")) &&
	    (rc = tnp_cap_map_unknown_severity(c, sev, &a)))
		goto bad;
	a = set_text(a, "unit", tnp_cap_pair(info, "parameter", "unit"));
	area = tnp_cap_first(info, "area");
	if (!area) {
		rc = tnp_cap_fail(c, info, "info", "no <area>: the alert's district cannot be known");
		goto bad;
	}
	if ((rc = tnp_cap_map_area(c, area, &a)) || (rc = tnp_cap_map_msg(c, root, &a)))
		goto bad;
	*out = jv_object_set(a, jv_string("cap"), details(root, info, area));
	return TN_OK;
bad:
	jv_free(a);
	return rc;
}

/*
 * SAX: a <!DOCTYPE> stops the parse where it stands.  CAP has no use for a
 * DTD, and refusing it before its declarations are read means no entity of
 * it is ever defined, let alone expanded or fetched (external entities,
 * "billion laughs"); libxml2's own limits stay as a second line.
 */
static void no_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
		       const xmlChar *system_id)
{
	xmlParserCtxtPtr px = ctx;
	struct tnp_cap_ctx *c = px->_private;

	c->dtd_line = px->input ? px->input->line : 1;
	if (c->dtd_line < 1)
		c->dtd_line = 1;
	xmlStopParser(px);
}

enum tn_code tn_cap_parse(const char *buf, size_t len, const char *name, int flags, jv *out,
			  struct tn_err *err)
{
	struct tnp_cap_ctx c = { name ? name : "-", err, 0 };
	xmlParserCtxtPtr px;
	xmlDocPtr doc;
	xmlNode *root;
	enum tn_code rc;

	if (len > TN_CAP_MAX_FILE)
		return tn_err_set(err, TN_EINVALID, "%s: larger than %d bytes", c.name, TN_CAP_MAX_FILE);
	xmlInitParser();
	px = xmlNewParserCtxt();
	if (!px)
		return tn_err_set(err, TN_ENOMEM, "cannot create an XML parser");
	px->_private = &c;
	px->sax->internalSubset = no_doctype;
	/*
	 * Never XML_PARSE_NOENT (substitute entities), XML_PARSE_DTDLOAD or
	 * XML_PARSE_HUGE; no network even for what a DTD could name.
	 */
	doc = xmlCtxtReadMemory(px, buf, (int)len, c.name, NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
				XML_PARSE_BIG_LINES);
	if (c.dtd_line) {
		xmlFreeDoc(doc);
		xmlFreeParserCtxt(px);
		return tn_err_set(err, TN_EINVALID, "%s:%ld: DOCTYPE: a document type declaration "
				  "(DTD, entities) is not allowed in CAP", c.name, c.dtd_line);
	}
	if (!doc) {
		xmlErrorPtr e = xmlCtxtGetLastError(px);
		char msg[512] = "not well-formed";

		if (e && e->message) {
			snprintf(msg, sizeof(msg), "%s", e->message);
			for (size_t n = strlen(msg); n && isspace((unsigned char)msg[n - 1]); n--)
				msg[n - 1] = '\0';
		}
		rc = tn_err_set(err, TN_EINVALID, "%s:%d: malformed XML: %s", c.name, e ? e->line : 0, msg);
		xmlFreeParserCtxt(px);
		return rc;
	}
	xmlFreeParserCtxt(px);
	root = xmlDocGetRootElement(doc);
	if (!root || strcmp((const char *)root->name, "alert"))
		rc = tnp_cap_fail(&c, root, root ? (const char *)root->name : "document",
			  "the root element must be CAP's <alert>");
	else if (!is_cap(root))
		rc = tnp_cap_fail(&c, root, "alert", "namespace is '%s', not CAP 1.2's '%s'",
			  root->ns && root->ns->href ? (const char *)root->ns->href : "",
			  TN_CAP_NS);
	else if (!(rc = check(&c, root)))
		rc = map(&c, root, flags, out);
	xmlFreeDoc(doc);
	return rc;
}

enum tn_code tn_cap_read_file(const char *path, int flags, jv *out, struct tn_err *err)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	struct tn_buf b = TN_BUF_INIT;
	enum tn_code rc;

	if (!fp)
		return tn_err_set(err, TN_EIO, "cannot read '%s': %s", path, strerror(errno));
	rc = tn_buf_read_fp(&b, fp, strcmp(path, "-") ? path : "stdin", TN_CAP_MAX_FILE, err);
	if (rc == TN_OK)
		rc = tn_cap_parse(b.buf, b.len, strcmp(path, "-") ? path : "stdin", flags, out, err);
	if (fp != stdin)
		fclose(fp);
	tn_buf_release(&b);
	return rc;
}

