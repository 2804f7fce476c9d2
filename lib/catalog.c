/* catalog.c — load the YAML service catalog (twonet-catalog(5)), check every reference, resolve items. */
#include <dirent.h>
#include <errno.h>
#include "tn_regex.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_catalog.h"
#include "tn_cli.h"
#include "tn_yaml.h"

enum section { SEC_DEPT, SEC_KIND, SEC_MAT, SEC_FIELD, SEC_ITEM, SEC_FLOW, SEC_COUNT };

static const char *const section_names[SEC_COUNT] = {
	"departments", "inspection_kinds", "materials", "fields", "items", "workflows"
};

/* What each section's entries are called in messages. */
static const char *const entry_names[SEC_COUNT] = {
	"department", "inspection kind", "material", "field", "item", "workflow"
};

static const char *const field_types[] = {
	"string", "text", "resident_id", "uscc", "phone", "date", "number", "enum", NULL
};

/* One parsed file; its document stays alive until the load ends. */
struct src {
	char *path;
	yaml_document_t doc;
	int loaded;
};

/* One entry of a section: the mapping node and the file it is in. */
struct ent {
	struct src *src;
	yaml_node_t *node;
};

struct ents {
	struct ent *v;
	size_t n, alloc;
};

struct loader {
	struct src *srcs;
	size_t nsrcs;
	struct ents sec[SEC_COUNT];
	jv index[SEC_COUNT];     /* code -> resolved entry */
	jv out[SEC_COUNT];       /* resolved entries, in file order */
	struct tn_err *err;
};

/* ---- YAML node helpers ---- */

static yaml_node_t *ynode(struct src *s, int id)
{
	return yaml_document_get_node(&s->doc, id);
}

static long yline(const yaml_node_t *n)
{
	return (long)n->start_mark.line + 1;
}

static int ynull(const yaml_node_t *n)
{
	const char *v;

	if (!n)
		return 1;
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = (const char *)n->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null");
}

static const char *yscalar(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

static yaml_node_t *yget(struct src *s, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = yscalar(ynode(s, p->key));

		if (k && !strcmp(k, key))
			return ynode(s, p->value);
	}
	return NULL;
}

/* Fill the error with "FILE:LINE: MESSAGE"; returns TN_EINVALID. */
static enum tn_code bad(struct loader *L, struct src *s, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static enum tn_code bad(struct loader *L, struct src *s, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return tn_err_set(L->err, TN_EINVALID, "%s:%ld: %s", s->path, n ? yline(n) : 0L, msg);
}

/* Refuse keys of `map` not in `allowed`. */
static enum tn_code check_keys(struct loader *L, struct src *s, yaml_node_t *map,
			       const char *const *allowed, const char *what, const char *code)
{
	yaml_node_pair_t *p;

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = ynode(s, p->key);
		const char *k = yscalar(kn);
		const char *const *a;

		if (!k)
			return bad(L, s, kn, "%s '%s' has a key that is not a string", what, code);
		for (a = allowed; *a; a++)
			if (!strcmp(*a, k))
				break;
		if (!*a)
			return bad(L, s, kn, "unknown key '%s' in %s '%s'", k, what, code);
	}
	return TN_OK;
}

/* A string member: *out is NULL when absent or null (an error when `required`). */
static enum tn_code get_str(struct loader *L, struct src *s, yaml_node_t *map, const char *key,
			    int required, const char *what, const char *code, const char **out)
{
	yaml_node_t *n = yget(s, map, key);

	*out = NULL;
	if (ynull(n)) {
		if (required)
			return bad(L, s, map, "%s '%s' has no '%s'", what, code ? code : "?", key);
		return TN_OK;
	}
	if (!(*out = yscalar(n)))
		return bad(L, s, n, "'%s' of %s '%s' must be a string", key, what, code ? code : "?");
	return TN_OK;
}

/* A non-negative whole number; `def` when absent. */
static enum tn_code get_count(struct loader *L, struct src *s, yaml_node_t *map, const char *key,
			      long def, const char *what, const char *code, long *out)
{
	yaml_node_t *n = yget(s, map, key);
	const char *v;

	*out = def;
	if (ynull(n)) {
		if (def < 0)
			return bad(L, s, map, "%s '%s' has no '%s'", what, code, key);
		return TN_OK;
	}
	v = yscalar(n);
	if (!v || tn_parse_long(v, out) < 0 || *out < 0 || *out > 100000)
		return bad(L, s, n, "'%s' of %s '%s' must be a whole number from 0, not '%s'",
			   key, what, code, v ? v : "(not a scalar)");
	return TN_OK;
}

static enum tn_code get_bool(struct loader *L, struct src *s, yaml_node_t *map, const char *key,
			     int def, const char *what, const char *code, int *out)
{
	yaml_node_t *n = yget(s, map, key);
	const char *v;

	*out = def;
	if (ynull(n))
		return TN_OK;
	v = yscalar(n);
	if (v && (!strcmp(v, "true") || !strcmp(v, "yes")))
		*out = 1;
	else if (v && (!strcmp(v, "false") || !strcmp(v, "no")))
		*out = 0;
	else
		return bad(L, s, n, "'%s' of %s '%s' must be true or false", key, what, code);
	return TN_OK;
}

/* A sequence member (NULL when absent). */
static enum tn_code get_seq(struct loader *L, struct src *s, yaml_node_t *map, const char *key,
			    const char *what, const char *code, yaml_node_t **out)
{
	yaml_node_t *n = yget(s, map, key);

	*out = NULL;
	if (ynull(n))
		return TN_OK;
	if (n->type != YAML_SEQUENCE_NODE)
		return bad(L, s, n, "'%s' of %s '%s' must be a list", key, what, code);
	*out = n;
	return TN_OK;
}

#define SEQ_EACH(s, seq, it, n) \
	for (yaml_node_item_t *it = (seq) ? (seq)->data.sequence.items.start : NULL; \
	     (seq) && it < (seq)->data.sequence.items.top && ((n) = ynode((s), *it), 1); it++)

static int has(jv obj, const char *key)
{
	jv v = jv_object_get(jv_copy(obj), jv_string(key));
	int ok = jv_is_valid(v);

	jv_free(v);
	return ok;
}

static jv str_or_null(const char *s)
{
	return s ? jv_string(s) : jv_null();
}

/* ---- reading files into sections ---- */

static enum tn_code read_file(struct loader *L, struct src *s)
{
	yaml_node_t *root;
	yaml_node_pair_t *pair;
	enum tn_code c;
	FILE *fp;

	if (!(fp = fopen(s->path, "rb")))
		return tn_err_set(L->err, TN_EIO, "cannot read catalog file '%s': %s",
				  s->path, strerror(errno));
	c = tn_yaml_load_fp(s->path, fp, &s->doc, L->err);
	fclose(fp);
	if (c != TN_OK)
		return c;
	s->loaded = 1;

	root = yaml_document_get_root_node(&s->doc);
	if (!root || ynull(root))
		return TN_OK;
	if (root->type != YAML_MAPPING_NODE)
		return bad(L, s, root, "a catalog file is a mapping of sections (%s, ...)",
			   section_names[0]);
	for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *kn = ynode(s, pair->key), *vn = ynode(s, pair->value), *e;
		const char *k = yscalar(kn);
		int sec;

		for (sec = 0; sec < SEC_COUNT; sec++)
			if (k && !strcmp(k, section_names[sec]))
				break;
		if (sec == SEC_COUNT)
			return bad(L, s, kn, "unknown section '%s'", k ? k : "?");
		if (ynull(vn))
			continue;
		if (vn->type != YAML_SEQUENCE_NODE)
			return bad(L, s, vn, "section '%s' must be a list", k);
		SEQ_EACH(s, vn, it, e) {
			struct ents *es = &L->sec[sec];

			if (e->type != YAML_MAPPING_NODE)
				return bad(L, s, e, "an entry of '%s' must be a mapping", k);
			if (es->n == es->alloc) {
				es->alloc = es->alloc ? 2 * es->alloc : 32;
				es->v = tn_xrealloc(es->v, es->alloc * sizeof(*es->v));
			}
			es->v[es->n].src = s;
			es->v[es->n].node = e;
			es->n++;
		}
	}
	return TN_OK;
}

/* Register a resolved entry under its code, refusing a duplicate. */
static enum tn_code add_entry(struct loader *L, int sec, struct src *s, yaml_node_t *n,
			      const char *code, jv entry)
{
	if (has(L->index[sec], code)) {
		jv_free(entry);
		return bad(L, s, n, "duplicate %s '%s'", entry_names[sec], code);
	}
	L->index[sec] = jv_object_set(L->index[sec], jv_string(code), jv_copy(entry));
	L->out[sec] = jv_array_append(L->out[sec], entry);
	return TN_OK;
}

static jv dept_name(struct loader *L, const char *code)
{
	jv d = jv_object_get(jv_copy(L->index[SEC_DEPT]), jv_string(code));
	jv name = jv_object_get(d, jv_string("name"));

	return name;
}

/* ---- departments, inspection kinds, materials, fields ---- */

static enum tn_code load_departments(struct loader *L)
{
	static const char *const keys[] = { "code", "name", "full_name", NULL };

	for (size_t i = 0; i < L->sec[SEC_DEPT].n; i++) {
		struct src *s = L->sec[SEC_DEPT].v[i].src;
		yaml_node_t *n = L->sec[SEC_DEPT].v[i].node;
		const char *code, *name, *full;
		enum tn_code c;

		if ((c = get_str(L, s, n, "code", 1, "department", NULL, &code)) ||
		    (c = check_keys(L, s, n, keys, "department", code)) ||
		    (c = get_str(L, s, n, "name", 1, "department", code, &name)) ||
		    (c = get_str(L, s, n, "full_name", 0, "department", code, &full)))
			return c;
		c = add_entry(L, SEC_DEPT, s, n, code,
			      jv_object_set(jv_object_set(jv_object_set(jv_object(),
			      jv_string("code"), jv_string(code)),
			      jv_string("name"), jv_string(name)),
			      jv_string("full_name"), jv_string(full ? full : name)));
		if (c)
			return c;
	}
	return TN_OK;
}

/* Check that `code` names a department; the node is where the reference is. */
static enum tn_code need_dept(struct loader *L, struct src *s, yaml_node_t *n, const char *code,
			      const char *what, const char *owner)
{
	if (!has(L->index[SEC_DEPT], code))
		return bad(L, s, n, "unknown department '%s' in %s '%s'", code, what, owner);
	return TN_OK;
}

static enum tn_code load_kinds(struct loader *L)
{
	static const char *const keys[] = { "code", "name", "department", "joint", NULL };

	for (size_t i = 0; i < L->sec[SEC_KIND].n; i++) {
		struct src *s = L->sec[SEC_KIND].v[i].src;
		yaml_node_t *n = L->sec[SEC_KIND].v[i].node;
		const char *code, *name, *dept;
		int joint;
		enum tn_code c;
		jv e;

		if ((c = get_str(L, s, n, "code", 1, "inspection kind", NULL, &code)) ||
		    (c = check_keys(L, s, n, keys, "inspection kind", code)) ||
		    (c = get_str(L, s, n, "name", 1, "inspection kind", code, &name)) ||
		    (c = get_str(L, s, n, "department", 0, "inspection kind", code, &dept)) ||
		    (c = get_bool(L, s, n, "joint", 0, "inspection kind", code, &joint)))
			return c;
		if (dept && (c = need_dept(L, s, yget(s, n, "department"), dept,
					   "inspection kind", code)))
			return c;
		e = jv_object();
		e = jv_object_set(e, jv_string("code"), jv_string(code));
		e = jv_object_set(e, jv_string("name"), jv_string(name));
		e = jv_object_set(e, jv_string("department"), str_or_null(dept));
		e = jv_object_set(e, jv_string("joint"), jv_bool(joint));
		if ((c = add_entry(L, SEC_KIND, s, n, code, e)))
			return c;
	}
	return TN_OK;
}

static enum tn_code load_materials(struct loader *L)
{
	static const char *const keys[] = { "code", "name", "issuer", "cert_kind", NULL };

	for (size_t i = 0; i < L->sec[SEC_MAT].n; i++) {
		struct src *s = L->sec[SEC_MAT].v[i].src;
		yaml_node_t *n = L->sec[SEC_MAT].v[i].node;
		const char *code, *name, *issuer, *kind;
		enum tn_code c;
		jv e;

		if ((c = get_str(L, s, n, "code", 1, "material", NULL, &code)) ||
		    (c = check_keys(L, s, n, keys, "material", code)) ||
		    (c = get_str(L, s, n, "name", 1, "material", code, &name)) ||
		    (c = get_str(L, s, n, "issuer", 0, "material", code, &issuer)) ||
		    (c = get_str(L, s, n, "cert_kind", 0, "material", code, &kind)))
			return c;
		if (issuer && (c = need_dept(L, s, yget(s, n, "issuer"), issuer, "material", code)))
			return c;
		e = jv_object();
		e = jv_object_set(e, jv_string("code"), jv_string(code));
		e = jv_object_set(e, jv_string("name"), jv_string(name));
		e = jv_object_set(e, jv_string("issuer"), str_or_null(issuer));
		e = jv_object_set(e, jv_string("issuer_name"),
				  issuer ? dept_name(L, issuer) : jv_null());
		e = jv_object_set(e, jv_string("cert_kind"), str_or_null(kind));
		if ((c = add_entry(L, SEC_MAT, s, n, code, e)))
			return c;
	}
	return TN_OK;
}

/* A list of strings, e.g. an enum's values. */
static enum tn_code str_list(struct loader *L, struct src *s, yaml_node_t *seq, const char *key,
			     const char *what, const char *code, jv *out)
{
	yaml_node_t *e;

	*out = jv_array();
	SEQ_EACH(s, seq, it, e) {
		const char *v = yscalar(e);

		if (!v) {
			jv_free(*out);
			*out = jv_invalid();
			return bad(L, s, e, "'%s' of %s '%s' must be a list of strings", key, what, code);
		}
		*out = jv_array_append(*out, jv_string(v));
	}
	return TN_OK;
}

/*
 * The validation members shared by the dictionary and an item's overrides:
 * required, values, pattern, max_length, set on `f` when present.
 */
static enum tn_code constraints(struct loader *L, struct src *s, yaml_node_t *n, const char *what,
				const char *code, jv *f)
{
	yaml_node_t *seq;
	const char *pattern;
	long maxlen;
	int req;
	enum tn_code c;

	if (yget(s, n, "required")) {
		if ((c = get_bool(L, s, n, "required", 1, what, code, &req)))
			return c;
		*f = jv_object_set(*f, jv_string("required"), jv_bool(req));
	}
	if ((c = get_seq(L, s, n, "values", what, code, &seq)))
		return c;
	if (seq) {
		jv vals;

		if ((c = str_list(L, s, seq, "values", what, code, &vals)))
			return c;
		*f = jv_object_set(*f, jv_string("values"), vals);
	}
	if ((c = get_str(L, s, n, "pattern", 0, what, code, &pattern)))
		return c;
	if (pattern) {
		if (tn_regex_match(pattern, "", NULL) < 0)
			return bad(L, s, yget(s, n, "pattern"),
				   "pattern '%s' of %s '%s' is not a valid regular expression",
				   pattern, what, code);
		*f = jv_object_set(*f, jv_string("pattern"), jv_string(pattern));
	}
	if (yget(s, n, "max_length")) {
		if ((c = get_count(L, s, n, "max_length", 0, what, code, &maxlen)))
			return c;
		*f = jv_object_set(*f, jv_string("max_length"), jv_number(maxlen));
	}
	return TN_OK;
}

static enum tn_code load_fields(struct loader *L)
{
	static const char *const keys[] = { "name", "label", "type", "required", "values",
					    "pattern", "max_length", "aliases", NULL };

	for (size_t i = 0; i < L->sec[SEC_FIELD].n; i++) {
		struct src *s = L->sec[SEC_FIELD].v[i].src;
		yaml_node_t *n = L->sec[SEC_FIELD].v[i].node, *al;
		const char *name, *label, *type;
		const char *const *t;
		enum tn_code c;
		jv f, aliases = jv_object();

		if ((c = get_str(L, s, n, "name", 1, "field", NULL, &name)) ||
		    (c = check_keys(L, s, n, keys, "field", name)) ||
		    (c = get_str(L, s, n, "label", 1, "field", name, &label)) ||
		    (c = get_str(L, s, n, "type", 1, "field", name, &type))) {
			jv_free(aliases);
			return c;
		}
		for (t = field_types; *t; t++)
			if (!strcmp(*t, type))
				break;
		if (!*t) {
			jv_free(aliases);
			return bad(L, s, yget(s, n, "type"), "unknown type '%s' of field '%s'",
				   type, name);
		}
		f = jv_object();
		f = jv_object_set(f, jv_string("name"), jv_string(name));
		f = jv_object_set(f, jv_string("label"), jv_string(label));
		f = jv_object_set(f, jv_string("type"), jv_string(type));
		f = jv_object_set(f, jv_string("required"), jv_true());
		if ((c = constraints(L, s, n, "field", name, &f)))
			goto fail;
		if ((!strcmp(type, "enum")) != has(f, "values")) {
			c = bad(L, s, n, "field '%s' %s", name, !strcmp(type, "enum")
				? "is an enum without 'values'" : "has 'values' but is not an enum");
			goto fail;
		}
		al = yget(s, n, "aliases");
		if (!ynull(al)) {
			yaml_node_pair_t *p;

			if (al->type != YAML_MAPPING_NODE) {
				c = bad(L, s, al, "'aliases' of field '%s' must map departments to labels",
					name);
				goto fail;
			}
			for (p = al->data.mapping.pairs.start; p < al->data.mapping.pairs.top; p++) {
				yaml_node_t *kn = ynode(s, p->key);
				const char *d = yscalar(kn), *v = yscalar(ynode(s, p->value));

				if (!d || !v) {
					c = bad(L, s, kn, "'aliases' of field '%s' must map departments to labels",
						name);
					goto fail;
				}
				if ((c = need_dept(L, s, kn, d, "aliases of field", name)))
					goto fail;
				aliases = jv_object_set(aliases, jv_string(d), jv_string(v));
			}
		}
		f = jv_object_set(f, jv_string("aliases"), aliases);
		if ((c = add_entry(L, SEC_FIELD, s, n, name, f)))
			return c;
		continue;
fail:
		jv_free(f);
		jv_free(aliases);
		return c;
	}
	return TN_OK;
}

/* ---- items ---- */

/* One entry of an item's `fields`: a name, or {field: NAME, required, values, ...}. */
static enum tn_code item_field(struct loader *L, struct src *s, yaml_node_t *e, const char *item,
			       const char *dept, jv *fields, jv *seen)
{
	static const char *const keys[] = { "field", "required", "values", "pattern",
					    "max_length", NULL };
	const char *name = yscalar(e);
	enum tn_code c;
	jv def, f, alias;

	if (!name && e->type == YAML_MAPPING_NODE) {
		if ((c = get_str(L, s, e, "field", 1, "field entry of item", item, &name)) ||
		    (c = check_keys(L, s, e, keys, "field entry of item", item)))
			return c;
	}
	if (!name)
		return bad(L, s, e, "a field of item '%s' is a name or a mapping with 'field'", item);
	def = jv_object_get(jv_copy(L->index[SEC_FIELD]), jv_string(name));
	if (!jv_is_valid(def)) {
		jv_free(def);
		return bad(L, s, e, "unknown field '%s' in item '%s'", name, item);
	}
	if (has(*seen, name)) {
		jv_free(def);
		return bad(L, s, e, "field '%s' twice in item '%s'", name, item);
	}
	*seen = jv_object_set(*seen, jv_string(name), jv_true());

	f = jv_object();
	f = jv_object_set(f, jv_string("name"), jv_string(name));
	alias = jv_object_get(jv_object_get(jv_copy(def), jv_string("aliases")), jv_string(dept));
	if (jv_is_valid(alias)) {
		/* the department's own label; the merged form uses the canonical one */
		f = jv_object_set(f, jv_string("label"), alias);
		f = jv_object_set(f, jv_string("canonical_label"),
				  jv_object_get(jv_copy(def), jv_string("label")));
	} else {
		jv_free(alias);
		f = jv_object_set(f, jv_string("label"), jv_object_get(jv_copy(def), jv_string("label")));
	}
	f = jv_object_set(f, jv_string("type"), jv_object_get(jv_copy(def), jv_string("type")));
	f = jv_object_set(f, jv_string("required"), jv_object_get(jv_copy(def), jv_string("required")));
	for (const char *const *k = (const char *const[]){ "values", "pattern", "max_length", NULL };
	     *k; k++) {
		jv v = jv_object_get(jv_copy(def), jv_string(*k));

		if (jv_is_valid(v))
			f = jv_object_set(f, jv_string(*k), v);
		else
			jv_free(v);
	}
	if (e->type == YAML_MAPPING_NODE) {
		jv dvals = jv_object_get(jv_copy(def), jv_string("values"));

		if ((c = constraints(L, s, e, "field entry of item", item, &f))) {
			jv_free(dvals);
			goto fail;
		}
		/* an item may narrow an enum's values, never add to them */
		if (jv_is_valid(dvals) && yget(s, e, "values")) {
			jv vals = jv_object_get(jv_copy(f), jv_string("values"));
			int n = jv_array_length(jv_copy(vals));

			for (int i = 0; i < n; i++) {
				jv v = jv_array_get(jv_copy(vals), i);
				int found = 0, m = jv_array_length(jv_copy(dvals));

				for (int j = 0; j < m && !found; j++) {
					jv d = jv_array_get(jv_copy(dvals), j);

					found = !strcmp(jv_string_value(d), jv_string_value(v));
					jv_free(d);
				}
				if (!found) {
					c = bad(L, s, yget(s, e, "values"),
						"value '%s' of field '%s' in item '%s' is not in the field dictionary",
						jv_string_value(v), name, item);
					jv_free(v);
					jv_free(vals);
					jv_free(dvals);
					goto fail;
				}
				jv_free(v);
			}
			jv_free(vals);
		}
		jv_free(dvals);
	}
	jv_free(def);
	*fields = jv_array_append(*fields, f);
	return TN_OK;
fail:
	jv_free(def);
	jv_free(f);
	return c;
}

/* One entry of an item's `materials`: a code, or {material: CODE, as: WORDING, required}. */
static enum tn_code item_material(struct loader *L, struct src *s, yaml_node_t *e, const char *item,
				  jv *mats, jv *seen)
{
	static const char *const keys[] = { "material", "as", "required", NULL };
	const char *code = yscalar(e), *as = NULL;
	int req = 1;
	enum tn_code c;
	jv def, m, name;

	if (!code && e->type == YAML_MAPPING_NODE) {
		if ((c = get_str(L, s, e, "material", 1, "material entry of item", item, &code)) ||
		    (c = check_keys(L, s, e, keys, "material entry of item", item)) ||
		    (c = get_str(L, s, e, "as", 0, "material entry of item", item, &as)) ||
		    (c = get_bool(L, s, e, "required", 1, "material entry of item", item, &req)))
			return c;
	}
	if (!code)
		return bad(L, s, e, "a material of item '%s' is a code or a mapping with 'material'",
			   item);
	def = jv_object_get(jv_copy(L->index[SEC_MAT]), jv_string(code));
	if (!jv_is_valid(def)) {
		jv_free(def);
		return bad(L, s, e, "unknown material '%s' in item '%s'", code, item);
	}
	if (has(*seen, code)) {
		jv_free(def);
		return bad(L, s, e, "material '%s' twice in item '%s'", code, item);
	}
	*seen = jv_object_set(*seen, jv_string(code), jv_true());
	name = jv_object_get(jv_copy(def), jv_string("name"));
	m = jv_object();
	m = jv_object_set(m, jv_string("code"), jv_string(code));
	m = jv_object_set(m, jv_string("name"), jv_copy(name));
	m = jv_object_set(m, jv_string("cert_kind"), jv_object_get(jv_copy(def), jv_string("cert_kind")));
	m = jv_object_set(m, jv_string("required"), jv_bool(req));
	m = jv_object_set(m, jv_string("issuer"), jv_object_get(jv_copy(def), jv_string("issuer")));
	m = jv_object_set(m, jv_string("issuer_name"),
			  jv_object_get(jv_copy(def), jv_string("issuer_name")));
	if (as && strcmp(as, jv_string_value(name)))
		m = jv_object_set(m, jv_string("asked_as"), jv_string(as));
	jv_free(name);
	jv_free(def);
	*mats = jv_array_append(*mats, m);
	return TN_OK;
}

static enum tn_code item_inspection(struct loader *L, struct src *s, yaml_node_t *e,
				    const char *item, jv *list)
{
	static const char *const keys[] = { "kind", "site", NULL };
	const char *kind, *site;
	enum tn_code c;
	jv k, x;

	if (e->type != YAML_MAPPING_NODE)
		return bad(L, s, e, "an inspection of item '%s' is a mapping with 'kind' and 'site'",
			   item);
	if ((c = check_keys(L, s, e, keys, "inspection of item", item)) ||
	    (c = get_str(L, s, e, "kind", 1, "inspection of item", item, &kind)) ||
	    (c = get_str(L, s, e, "site", 1, "inspection of item", item, &site)))
		return c;
	k = jv_object_get(jv_copy(L->index[SEC_KIND]), jv_string(kind));
	if (!jv_is_valid(k)) {
		jv_free(k);
		return bad(L, s, yget(s, e, "kind"), "unknown inspection kind '%s' in item '%s'",
			   kind, item);
	}
	x = jv_object();
	x = jv_object_set(x, jv_string("kind"), jv_string(kind));
	x = jv_object_set(x, jv_string("name"), jv_object_get(jv_copy(k), jv_string("name")));
	x = jv_object_set(x, jv_string("site"), jv_string(site));
	x = jv_object_set(x, jv_string("joint"), jv_object_get(k, jv_string("joint")));
	*list = jv_array_append(*list, x);
	return TN_OK;
}

/* Register every item code first, so that `before` may name a later item. */
static enum tn_code register_items(struct loader *L, jv *codes)
{
	for (size_t i = 0; i < L->sec[SEC_ITEM].n; i++) {
		struct src *s = L->sec[SEC_ITEM].v[i].src;
		yaml_node_t *n = L->sec[SEC_ITEM].v[i].node;
		const char *code;
		enum tn_code c;

		if ((c = get_str(L, s, n, "code", 1, "item", NULL, &code)))
			return c;
		if (has(*codes, code))
			return bad(L, s, n, "duplicate item '%s'", code);
		*codes = jv_object_set(*codes, jv_string(code), jv_true());
	}
	return TN_OK;
}

static enum tn_code load_item(struct loader *L, struct src *s, yaml_node_t *n, jv codes)
{
	static const char *const keys[] = { "code", "name", "department", "form", "legal_days",
		"promised_days", "commitment", "visits", "online", "window", "fields", "materials",
		"produces", "inspections", "before", "description", NULL };
	const char *code, *name, *dept, *form, *window, *desc;
	long legal, promised, visits;
	int commitment, online;
	yaml_node_t *seq, *e;
	enum tn_code c;
	jv it = jv_object(), list = jv_invalid(), seen = jv_invalid();

	if ((c = get_str(L, s, n, "code", 1, "item", NULL, &code)) ||
	    (c = check_keys(L, s, n, keys, "item", code)) ||
	    (c = get_str(L, s, n, "name", 1, "item", code, &name)) ||
	    (c = get_str(L, s, n, "department", 1, "item", code, &dept)) ||
	    (c = get_str(L, s, n, "form", 0, "item", code, &form)) ||
	    (c = get_count(L, s, n, "legal_days", -1, "item", code, &legal)) ||
	    (c = get_count(L, s, n, "promised_days", legal, "item", code, &promised)) ||
	    (c = get_bool(L, s, n, "commitment", 0, "item", code, &commitment)) ||
	    (c = get_count(L, s, n, "visits", 1, "item", code, &visits)) ||
	    (c = get_bool(L, s, n, "online", 0, "item", code, &online)) ||
	    (c = get_str(L, s, n, "window", 0, "item", code, &window)) ||
	    (c = get_str(L, s, n, "description", 0, "item", code, &desc)))
		goto out;
	if ((c = need_dept(L, s, yget(s, n, "department"), dept, "item", code)))
		goto out;
	if (promised > legal) {
		c = bad(L, s, yget(s, n, "promised_days"),
			"promised_days %ld of item '%s' is past its legal_days %ld", promised, code, legal);
		goto out;
	}
	it = jv_object_set(it, jv_string("code"), jv_string(code));
	it = jv_object_set(it, jv_string("name"), jv_string(name));
	it = jv_object_set(it, jv_string("department"), jv_string(dept));
	it = jv_object_set(it, jv_string("department_name"), dept_name(L, dept));
	it = jv_object_set(it, jv_string("legal_days"), jv_number(legal));
	it = jv_object_set(it, jv_string("promised_days"), jv_number(promised));
	it = jv_object_set(it, jv_string("commitment"), jv_bool(commitment));
	if (desc)
		it = jv_object_set(it, jv_string("description"), jv_string(desc));
	it = jv_object_set(it, jv_string("form"), jv_string(form ? form : code));
	it = jv_object_set(it, jv_string("visits"), jv_number(visits));
	it = jv_object_set(it, jv_string("online"), jv_bool(online));
	if (window)
		it = jv_object_set(it, jv_string("window"), jv_string(window));
	else {
		jv dn = dept_name(L, dept);

		it = jv_object_set(it, jv_string("window"),
				   jv_string_fmt("%s窗口", jv_string_value(dn)));
		jv_free(dn);
	}

	/* fields */
	list = jv_array();
	seen = jv_object();
	if ((c = get_seq(L, s, n, "fields", "item", code, &seq)))
		goto out;
	SEQ_EACH(s, seq, i1, e)
		if ((c = item_field(L, s, e, code, dept, &list, &seen)))
			goto out;
	it = jv_object_set(it, jv_string("fields"), list);
	jv_free(seen);

	/* materials */
	list = jv_array();
	seen = jv_object();
	if ((c = get_seq(L, s, n, "materials", "item", code, &seq)))
		goto out;
	SEQ_EACH(s, seq, i2, e)
		if ((c = item_material(L, s, e, code, &list, &seen)))
			goto out;
	it = jv_object_set(it, jv_string("materials"), list);
	jv_free(seen);
	seen = jv_invalid();

	/* produces: materials this item issues */
	list = jv_array();
	if ((c = get_seq(L, s, n, "produces", "item", code, &seq)))
		goto out;
	SEQ_EACH(s, seq, i3, e) {
		const char *m = yscalar(e);

		if (!m || !has(L->index[SEC_MAT], m)) {
			c = bad(L, s, e, "unknown material '%s' in 'produces' of item '%s'",
				m ? m : "?", code);
			goto out;
		}
		list = jv_array_append(list, jv_string(m));
	}
	it = jv_object_set(it, jv_string("produces"), list);

	/* inspections */
	list = jv_array();
	if ((c = get_seq(L, s, n, "inspections", "item", code, &seq)))
		goto out;
	SEQ_EACH(s, seq, i4, e)
		if ((c = item_inspection(L, s, e, code, &list)))
			goto out;
	it = jv_object_set(it, jv_string("inspections"), list);

	/* before: items that must be done before this one */
	list = jv_array();
	if ((c = get_seq(L, s, n, "before", "item", code, &seq)))
		goto out;
	SEQ_EACH(s, seq, i5, e) {
		const char *b = yscalar(e);

		if (!b || !has(codes, b)) {
			c = bad(L, s, e, "unknown item '%s' in 'before' of item '%s'", b ? b : "?", code);
			goto out;
		}
		if (!strcmp(b, code)) {
			c = bad(L, s, e, "item '%s' names itself in 'before'", code);
			goto out;
		}
		list = jv_array_append(list, jv_string(b));
	}
	it = jv_object_set(it, jv_string("before"), list);
	list = jv_invalid();
	c = add_entry(L, SEC_ITEM, s, n, code, it);
	it = jv_invalid();
out:
	jv_free(it);
	jv_free(list);
	jv_free(seen);
	return c;
}

static enum tn_code load_items(struct loader *L)
{
	enum tn_code c;
	jv codes = jv_object();

	if ((c = register_items(L, &codes)))
		goto out;
	for (size_t i = 0; i < L->sec[SEC_ITEM].n; i++)
		if ((c = load_item(L, L->sec[SEC_ITEM].v[i].src, L->sec[SEC_ITEM].v[i].node, codes)))
			goto out;
out:
	jv_free(codes);
	return c;
}

static enum tn_code load_workflows(struct loader *L)
{
	static const char *const keys[] = { "code", "name", "window", "items", "description", NULL };

	for (size_t i = 0; i < L->sec[SEC_FLOW].n; i++) {
		struct src *s = L->sec[SEC_FLOW].v[i].src;
		yaml_node_t *n = L->sec[SEC_FLOW].v[i].node, *seq, *e;
		const char *code, *name, *window, *desc;
		enum tn_code c;
		jv w, items, seen;

		if ((c = get_str(L, s, n, "code", 1, "workflow", NULL, &code)) ||
		    (c = check_keys(L, s, n, keys, "workflow", code)) ||
		    (c = get_str(L, s, n, "name", 1, "workflow", code, &name)) ||
		    (c = get_str(L, s, n, "window", 0, "workflow", code, &window)) ||
		    (c = get_str(L, s, n, "description", 0, "workflow", code, &desc)) ||
		    (c = get_seq(L, s, n, "items", "workflow", code, &seq)))
			return c;
		if (!seq || seq->data.sequence.items.top == seq->data.sequence.items.start)
			return bad(L, s, n, "workflow '%s' has no items", code);
		items = jv_array();
		seen = jv_object();
		SEQ_EACH(s, seq, it, e) {
			const char *ic = yscalar(e);

			if (!ic || !has(L->index[SEC_ITEM], ic))
				c = bad(L, s, e, "unknown item '%s' in workflow '%s'", ic ? ic : "?", code);
			else if (has(seen, ic))
				c = bad(L, s, e, "item '%s' twice in workflow '%s'", ic, code);
			if (c) {
				jv_free(items);
				jv_free(seen);
				return c;
			}
			seen = jv_object_set(seen, jv_string(ic), jv_true());
			items = jv_array_append(items, jv_string(ic));
		}
		jv_free(seen);
		w = jv_object();
		w = jv_object_set(w, jv_string("code"), jv_string(code));
		w = jv_object_set(w, jv_string("name"), jv_string(name));
		w = jv_object_set(w, jv_string("window"), str_or_null(window));
		if (desc)
			w = jv_object_set(w, jv_string("description"), jv_string(desc));
		w = jv_object_set(w, jv_string("items"), items);
		if ((c = add_entry(L, SEC_FLOW, s, n, code, w)))
			return c;
	}
	return TN_OK;
}

/* ---- entry points ---- */

static enum tn_code load(struct loader *L, jv *catalog)
{
	enum tn_code c;
	jv cat;

	for (size_t i = 0; i < L->nsrcs; i++)
		if ((c = read_file(L, &L->srcs[i])))
			return c;
	if ((c = load_departments(L)) || (c = load_kinds(L)) || (c = load_materials(L)) ||
	    (c = load_fields(L)) || (c = load_items(L)) || (c = load_workflows(L)))
		return c;
	cat = jv_object();
	for (int sec = 0; sec < SEC_COUNT; sec++) {
		cat = jv_object_set(cat, jv_string(section_names[sec]), L->out[sec]);
		L->out[sec] = jv_invalid();
	}
	*catalog = cat;
	return TN_OK;
}

static void loader_init(struct loader *L, struct tn_err *err)
{
	memset(L, 0, sizeof(*L));
	L->err = err;
	for (int sec = 0; sec < SEC_COUNT; sec++) {
		L->index[sec] = jv_object();
		L->out[sec] = jv_array();
	}
}

static void loader_free(struct loader *L)
{
	for (int sec = 0; sec < SEC_COUNT; sec++) {
		jv_free(L->index[sec]);
		jv_free(L->out[sec]);
		free(L->sec[sec].v);
	}
	for (size_t i = 0; i < L->nsrcs; i++) {
		if (L->srcs[i].loaded)
			yaml_document_delete(&L->srcs[i].doc);
		free(L->srcs[i].path);
	}
	free(L->srcs);
}

enum tn_code tn_catalog_load_files(const char *const *paths, jv *catalog, struct tn_err *err)
{
	struct loader L;
	enum tn_code c;
	size_t n = 0;

	*catalog = jv_invalid();
	loader_init(&L, err);
	while (paths[n])
		n++;
	L.srcs = tn_xcalloc(n ? n : 1, sizeof(*L.srcs));
	for (L.nsrcs = 0; L.nsrcs < n; L.nsrcs++)
		L.srcs[L.nsrcs].path = tn_xstrdup(paths[L.nsrcs]);
	c = load(&L, catalog);
	loader_free(&L);
	return c;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum tn_code tn_catalog_load(const char *dir, jv *catalog, struct tn_err *err)
{
	struct tn_buf def = TN_BUF_INIT;
	struct dirent *d;
	char **paths = NULL;
	size_t n = 0, alloc = 0;
	enum tn_code c;
	DIR *dp;

	*catalog = jv_invalid();
	if (!dir) {
		tn_buf_addf(&def, "%s/catalog", tn_sharedir());
		dir = def.buf;
	}
	if (!(dp = opendir(dir))) {
		c = tn_err_set(err, TN_EIO, "cannot read catalog folder '%s': %s", dir,
			       strerror(errno));
		tn_buf_release(&def);
		return c;
	}
	while ((d = readdir(dp))) {
		size_t len = strlen(d->d_name);

		if (d->d_name[0] == '.' || len < 6 || strcmp(d->d_name + len - 5, ".yaml"))
			continue;
		if (n + 2 > alloc) {
			alloc = alloc ? 2 * alloc : 16;
			paths = tn_xrealloc(paths, alloc * sizeof(*paths));
		}
		{
			struct tn_buf p = TN_BUF_INIT;

			tn_buf_addf(&p, "%s/%s", dir, d->d_name);
			paths[n++] = tn_buf_detach(&p, NULL);
		}
	}
	closedir(dp);
	if (!n) {
		c = tn_err_set(err, TN_EINVALID, "no *.yaml files in catalog folder '%s'", dir);
	} else {
		qsort(paths, n, sizeof(*paths), cmp_str);
		paths[n] = NULL;
		c = tn_catalog_load_files((const char *const *)paths, catalog, err);
	}
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	tn_buf_release(&def);
	return c;
}

jv tn_catalog_index(jv catalog, const char *section)
{
	const char *key = strcmp(section, "fields") ? "code" : "name";
	jv list = jv_object_get(jv_copy(catalog), jv_string(section)), idx = jv_object();
	int n;

	if (jv_get_kind(list) != JV_KIND_ARRAY) {
		jv_free(list);
		return idx;
	}
	n = jv_array_length(jv_copy(list));
	for (int i = 0; i < n; i++) {
		jv e = jv_array_get(jv_copy(list), i);
		jv k = jv_object_get(jv_copy(e), jv_string(key));

		if (jv_get_kind(k) == JV_KIND_STRING)
			idx = jv_object_set(idx, k, e);
		else {
			jv_free(k);
			jv_free(e);
		}
	}
	jv_free(list);
	return idx;
}

static jv find(jv catalog, const char *section, const char *key, const char *code)
{
	jv list = jv_object_get(jv_copy(catalog), jv_string(section));
	int n;

	if (!code || jv_get_kind(list) != JV_KIND_ARRAY) {
		jv_free(list);
		return jv_invalid();
	}
	n = jv_array_length(jv_copy(list));
	for (int i = 0; i < n; i++) {
		jv e = jv_array_get(jv_copy(list), i);
		jv k = jv_object_get(jv_copy(e), jv_string(key));
		int hit = jv_get_kind(k) == JV_KIND_STRING && !strcmp(jv_string_value(k), code);

		jv_free(k);
		if (hit) {
			jv_free(list);
			return e;
		}
		jv_free(e);
	}
	jv_free(list);
	return jv_invalid();
}

jv tn_catalog_item(jv catalog, const char *code)
{
	return find(catalog, "items", "code", code);
}

jv tn_catalog_workflow(jv catalog, const char *code)
{
	return find(catalog, "workflows", "code", code);
}

jv tn_catalog_material(jv catalog, const char *code)
{
	return find(catalog, "materials", "code", code);
}

jv tn_catalog_field(jv catalog, const char *name)
{
	return find(catalog, "fields", "name", name);
}

jv tn_catalog_department(jv catalog, const char *code)
{
	return find(catalog, "departments", "code", code);
}

jv tn_catalog_inspection_kind(jv catalog, const char *code)
{
	return find(catalog, "inspection_kinds", "code", code);
}
