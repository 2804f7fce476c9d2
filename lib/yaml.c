/* yaml.c — one safe YAML loader for what users give: a tree from libyaml's events, no aliases, bounded, interruptible. */
/*
 * libyaml's yaml_parser_load resolves an alias to the node of its anchor, so
 * that a document is a graph: ten lines of anchors and aliases make a node
 * that a tree walk visits a billion times, and an anchor used inside its own
 * node makes a cycle.  This loader builds the document from the parser's
 * events itself and refuses anchors and aliases where they appear, so what
 * the callers walk is a tree no bigger than the file.
 */
#include <errno.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_cli.h"
#include "tn_yaml.h"

/* One open collection: its node and, in a mapping, the key waiting for its value. */
struct open {
	int id;
	int key;
};

struct loader {
	const char *name;
	yaml_document_t *doc;
	struct open stack[TN_YAML_MAX_DEPTH];
	int depth;
	long nodes;
	struct tn_err *err;
};

static enum tn_code at(struct loader *L, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "NAME:LINE[:COL]: MESSAGE" into err; the message is not cut short before tn_err's own limit. */
static enum tn_code mark_err(struct tn_err *err, const char *name, const yaml_mark_t *m,
			     int with_column, const char *fmt, va_list ap)
{
	struct tn_buf b = TN_BUF_INIT;
	enum tn_code rc;

	tn_buf_addf(&b, "%s:%lu", name, m ? (unsigned long)m->line + 1 : 0UL);
	if (with_column)
		tn_buf_addf(&b, ":%lu", m ? (unsigned long)m->column + 1 : 0UL);
	tn_buf_adds(&b, ": ");
	tn_buf_vaddf(&b, fmt, ap);
	rc = tn_err_set(err, TN_EINVALID, "%s", b.buf);
	tn_buf_release(&b);
	return rc;
}

/* A TN_EINVALID "NAME:LINE:COL: message" at mark `m`. */
static enum tn_code at(struct loader *L, yaml_mark_t m, const char *fmt, ...)
{
	enum tn_code rc;
	va_list ap;

	va_start(ap, fmt);
	rc = mark_err(L->err, L->name, &m, 1, fmt, ap);
	va_end(ap);
	return rc;
}

/* The tag to give libyaml: NULL (its default) for none or the non-specific "!". */
static yaml_char_t *tag_of(yaml_char_t *tag)
{
	return tag && strcmp((const char *)tag, "!") ? tag : NULL;
}

/* Hang node `id` under the innermost open collection (the root has none). */
static enum tn_code attach(struct loader *L, int id)
{
	struct open *o;
	int ok = 1;

	if (L->depth == 0)
		return TN_OK;
	o = &L->stack[L->depth - 1];
	if (yaml_document_get_node(L->doc, o->id)->type == YAML_SEQUENCE_NODE) {
		ok = yaml_document_append_sequence_item(L->doc, o->id, id);
	} else if (!o->key) {
		o->key = id;
	} else {
		ok = yaml_document_append_mapping_pair(L->doc, o->id, o->key, id);
		o->key = 0;
	}
	return ok ? TN_OK : tn_err_set(L->err, TN_ENOMEM, "%s: out of memory", L->name);
}

/* A node was added (id 0: it could not be): count it, mark it, attach it. */
static enum tn_code added(struct loader *L, int id, const yaml_event_t *ev)
{
	yaml_node_t *n;

	if (!id)
		return tn_err_set(L->err, TN_ENOMEM, "%s: out of memory", L->name);
	n = yaml_document_get_node(L->doc, id);
	n->start_mark = ev->start_mark;
	n->end_mark = ev->end_mark;
	return attach(L, id);
}

/* One event of the document's body. */
static enum tn_code event(struct loader *L, const yaml_event_t *ev)
{
	const yaml_char_t *anchor = NULL;
	enum tn_code rc;
	int id;

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		return at(L, ev->start_mark, "aliases (*%s) are not allowed: write the value out",
			  (const char *)ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		break;
	default:
		break;
	}
	if (anchor)
		return at(L, ev->start_mark, "anchors (&%s) are not allowed: write the value out",
			  (const char *)anchor);
	if (ev->type == YAML_SCALAR_EVENT || ev->type == YAML_SEQUENCE_START_EVENT ||
	    ev->type == YAML_MAPPING_START_EVENT) {
		if (++L->nodes > TN_YAML_MAX_NODES)
			return at(L, ev->start_mark, "more than %d values in one document",
				  TN_YAML_MAX_NODES);
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.length > TN_YAML_MAX_SCALAR)
			return at(L, ev->start_mark, "a value longer than %d bytes", TN_YAML_MAX_SCALAR);
		id = yaml_document_add_scalar(L->doc, tag_of(ev->data.scalar.tag),
					      ev->data.scalar.value, (int)ev->data.scalar.length,
					      ev->data.scalar.style);
		return added(L, id, ev);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (L->depth == TN_YAML_MAX_DEPTH)
			return at(L, ev->start_mark, "nested more than %d deep", TN_YAML_MAX_DEPTH);
		if (ev->type == YAML_SEQUENCE_START_EVENT)
			id = yaml_document_add_sequence(L->doc, tag_of(ev->data.sequence_start.tag),
							ev->data.sequence_start.style);
		else
			id = yaml_document_add_mapping(L->doc, tag_of(ev->data.mapping_start.tag),
						       ev->data.mapping_start.style);
		if ((rc = added(L, id, ev)) != TN_OK)
			return rc;
		L->stack[L->depth].id = id;
		L->stack[L->depth].key = 0;
		L->depth++;
		return TN_OK;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (L->depth > 0) {
			L->depth--;
			yaml_document_get_node(L->doc, L->stack[L->depth].id)->end_mark = ev->end_mark;
		}
		return TN_OK;
	default:
		return TN_OK;
	}
}

static enum tn_code syntax(struct loader *L, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR)
		return tn_err_set(L->err, TN_ENOMEM, "%s: out of memory", L->name);
	return tn_err_set(L->err, TN_EINVALID, "%s:%lu:%lu: %s%s%s", L->name,
			  (unsigned long)p->problem_mark.line + 1,
			  (unsigned long)p->problem_mark.column + 1,
			  p->problem ? p->problem : "YAML syntax error",
			  p->context ? " " : "", p->context ? p->context : "");
}

enum tn_code tn_yaml_load(const char *name, const char *text, size_t len, yaml_document_t *doc,
			  struct tn_err *err)
{
	struct loader L;
	yaml_parser_t p;
	yaml_event_t ev;
	enum tn_code rc = TN_OK;
	int docs = 0, have_doc = 0, done = 0;

	memset(&L, 0, sizeof(L));
	L.name = name ? name : "-";
	L.doc = doc;
	L.err = err;
	if (len > TN_YAML_MAX_FILE)
		return tn_err_set(err, TN_EINVALID, "%s: larger than %d bytes", L.name,
				  TN_YAML_MAX_FILE);
	if (!yaml_parser_initialize(&p))
		return tn_err_set(err, TN_ENOMEM, "%s: out of memory", L.name);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!done && rc == TN_OK) {
		if (tn_cli_interrupted()) {
			rc = tn_err_set(err, TN_EINTR, "%s: interrupted", L.name);
			break;
		}
		if (!yaml_parser_parse(&p, &ev)) {
			rc = syntax(&L, &p);
			break;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (docs++) {
				rc = at(&L, ev.start_mark, "more than one document ('---'): one is read");
				break;
			}
			if (!yaml_document_initialize(doc, NULL, NULL, NULL,
						      ev.data.document_start.implicit, 1)) {
				rc = tn_err_set(err, TN_ENOMEM, "%s: out of memory", L.name);
				break;
			}
			have_doc = 1;
			doc->start_mark = ev.start_mark;
			break;
		case YAML_DOCUMENT_END_EVENT:
			doc->end_mark = ev.end_mark;
			doc->end_implicit = ev.data.document_end.implicit;
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			rc = event(&L, &ev);
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (rc != TN_OK) {
		if (have_doc)
			yaml_document_delete(doc);
		return rc;
	}
	if (!have_doc && !yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1))
		return tn_err_set(err, TN_ENOMEM, "%s: out of memory", L.name);
	return TN_OK;
}

enum tn_code tn_yaml_load_fp(const char *name, FILE *fp, yaml_document_t *doc,
			     struct tn_err *err)
{
	struct tn_buf text = TN_BUF_INIT;
	enum tn_code rc;

	name = name ? name : "-";
	if ((rc = tn_buf_read_fp(&text, fp, name, TN_YAML_MAX_FILE, err)) != TN_OK) {
		tn_buf_release(&text);
		return rc;
	}
	rc = tn_yaml_load(name, text.buf, text.len, doc, err);
	tn_buf_release(&text);
	return rc;
}

/* ---- reading nodes ---- */

const char *tn_yaml_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int tn_yaml_is_null(const yaml_node_t *n)
{
	const char *v;

	if (!n)
		return 1;
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = (const char *)n->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null");
}

yaml_node_t *tn_yaml_get(yaml_document_t *doc, const yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = tn_yaml_scalar(yaml_document_get_node(doc, p->key));

		if (k && !strcmp(k, key))
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

long tn_yaml_line(const yaml_node_t *n)
{
	return n ? (long)n->start_mark.line + 1 : 0L;
}

enum tn_code tn_yaml_verr(struct tn_err *err, const char *name, const yaml_node_t *n,
			  int with_column, const char *fmt, va_list ap)
{
	return mark_err(err, name, n ? &n->start_mark : NULL, with_column, fmt, ap);
}

enum tn_code tn_yaml_err(struct tn_err *err, const char *name, const yaml_node_t *n,
			 int with_column, const char *fmt, ...)
{
	enum tn_code rc;
	va_list ap;

	va_start(ap, fmt);
	rc = tn_yaml_verr(err, name, n, with_column, fmt, ap);
	va_end(ap);
	return rc;
}
