/* catalog_node.c — reading one catalog YAML mapping: typed members, allowed keys, references, with FILE:LINE errors. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_jv.h"
#include "tn_regex.h"
#include "tn_yaml.h"
#include "tnp_catalog.h"

/* Fill the error with "FILE:LINE: MESSAGE"; returns TN_EINVALID. */
enum tn_code tnp_cat_bad(struct cat_loader *L, struct cat_src *s, const yaml_node_t *n,
			 const char *fmt, ...)
{
	enum tn_code rc;
	va_list ap;

	va_start(ap, fmt);
	rc = tn_yaml_verr(L->err, s->path, n, 0, fmt, ap);
	va_end(ap);
	return rc;
}

/* Refuse keys of `map` not in `allowed`. */
enum tn_code tnp_cat_keys(struct cat_loader *L, struct cat_src *s, yaml_node_t *map,
			  const char *const *allowed, const char *what, const char *code)
{
	yaml_node_pair_t *p;

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = tnp_cat_node(s, p->key);
		const char *k = tn_yaml_scalar(kn);
		const char *const *a;

		if (!k)
			return tnp_cat_bad(L, s, kn, "%s '%s' has a key that is not a string",
					   what, code);
		for (a = allowed; *a; a++)
			if (!strcmp(*a, k))
				break;
		if (!*a)
			return tnp_cat_bad(L, s, kn, "unknown key '%s' in %s '%s'", k, what, code);
	}
	return TN_OK;
}

/* A string member: *out is NULL when absent or null (an error when `required`). */
enum tn_code tnp_cat_str(struct cat_loader *L, struct cat_src *s, yaml_node_t *map, const char *key,
			 int required, const char *what, const char *code, const char **out)
{
	yaml_node_t *n = tnp_cat_get(s, map, key);

	*out = NULL;
	if (tn_yaml_is_null(n)) {
		if (required)
			return tnp_cat_bad(L, s, map, "%s '%s' has no '%s'",
					   what, code ? code : "?", key);
		return TN_OK;
	}
	if (!(*out = tn_yaml_scalar(n)))
		return tnp_cat_bad(L, s, n, "'%s' of %s '%s' must be a string",
				   key, what, code ? code : "?");
	return TN_OK;
}

/* A non-negative whole number; `def` when absent. */
enum tn_code tnp_cat_count(struct cat_loader *L, struct cat_src *s, yaml_node_t *map,
			   const char *key, long def, const char *what, const char *code, long *out)
{
	yaml_node_t *n = tnp_cat_get(s, map, key);
	const char *v;

	*out = def;
	if (tn_yaml_is_null(n)) {
		if (def < 0)
			return tnp_cat_bad(L, s, map, "%s '%s' has no '%s'", what, code, key);
		return TN_OK;
	}
	v = tn_yaml_scalar(n);
	if (!v || tn_parse_long(v, out) < 0 || *out < 0 || *out > 100000)
		return tnp_cat_bad(L, s, n, "'%s' of %s '%s' must be a whole number from 0, not '%s'",
				   key, what, code, v ? v : "(not a scalar)");
	return TN_OK;
}

enum tn_code tnp_cat_bool(struct cat_loader *L, struct cat_src *s, yaml_node_t *map,
			  const char *key, int def, const char *what, const char *code, int *out)
{
	yaml_node_t *n = tnp_cat_get(s, map, key);
	const char *v;

	*out = def;
	if (tn_yaml_is_null(n))
		return TN_OK;
	v = tn_yaml_scalar(n);
	if (v && (!strcmp(v, "true") || !strcmp(v, "yes")))
		*out = 1;
	else if (v && (!strcmp(v, "false") || !strcmp(v, "no")))
		*out = 0;
	else
		return tnp_cat_bad(L, s, n, "'%s' of %s '%s' must be true or false",
				   key, what, code);
	return TN_OK;
}

/* A sequence member (NULL when absent). */
enum tn_code tnp_cat_seq(struct cat_loader *L, struct cat_src *s, yaml_node_t *map, const char *key,
			 const char *what, const char *code, yaml_node_t **out)
{
	yaml_node_t *n = tnp_cat_get(s, map, key);

	*out = NULL;
	if (tn_yaml_is_null(n))
		return TN_OK;
	if (n->type != YAML_SEQUENCE_NODE)
		return tnp_cat_bad(L, s, n, "'%s' of %s '%s' must be a list", key, what, code);
	*out = n;
	return TN_OK;
}

/* A list of strings, e.g. an enum's values. */
enum tn_code tnp_cat_str_list(struct cat_loader *L, struct cat_src *s, yaml_node_t *seq,
			      const char *key, const char *what, const char *code, jv *out)
{
	yaml_node_t *e;

	*out = jv_array();
	TN_YAML_SEQ_EACH(&s->doc, seq, it, e) {
		const char *v = tn_yaml_scalar(e);

		if (!v) {
			jv_free(*out);
			*out = jv_invalid();
			return tnp_cat_bad(L, s, e, "'%s' of %s '%s' must be a list of strings",
					   key, what, code);
		}
		*out = jv_array_append(*out, jv_string(v));
	}
	return TN_OK;
}

/*
 * The validation members shared by the dictionary and an item's overrides:
 * required, values, pattern, max_length, set on `f` when present.
 */
enum tn_code tnp_cat_constraints(struct cat_loader *L, struct cat_src *s, yaml_node_t *n,
				 const char *what, const char *code, jv *f)
{
	yaml_node_t *seq;
	const char *pattern;
	long maxlen;
	int req;
	enum tn_code c;

	if (tnp_cat_get(s, n, "required")) {
		if ((c = tnp_cat_bool(L, s, n, "required", 1, what, code, &req)))
			return c;
		*f = jv_object_set(*f, jv_string("required"), jv_bool(req));
	}
	if ((c = tnp_cat_seq(L, s, n, "values", what, code, &seq)))
		return c;
	if (seq) {
		jv vals;

		if ((c = tnp_cat_str_list(L, s, seq, "values", what, code, &vals)))
			return c;
		*f = jv_object_set(*f, jv_string("values"), vals);
	}
	if ((c = tnp_cat_str(L, s, n, "pattern", 0, what, code, &pattern)))
		return c;
	if (pattern) {
		if (tn_regex_match(pattern, "", NULL) < 0)
			return tnp_cat_bad(L, s, tnp_cat_get(s, n, "pattern"),
					   "pattern '%s' of %s '%s' is not a valid regular expression",
					   pattern, what, code);
		*f = jv_object_set(*f, jv_string("pattern"), jv_string(pattern));
	}
	if (tnp_cat_get(s, n, "max_length")) {
		if ((c = tnp_cat_count(L, s, n, "max_length", 0, what, code, &maxlen)))
			return c;
		*f = jv_object_set(*f, jv_string("max_length"), jv_number(maxlen));
	}
	return TN_OK;
}

/* Register a resolved entry under its code, refusing a duplicate. */
enum tn_code tnp_cat_add(struct cat_loader *L, int sec, struct cat_src *s, yaml_node_t *n,
			 const char *code, jv entry)
{
	if (tn_jv_has(L->index[sec], code)) {
		jv_free(entry);
		return tnp_cat_bad(L, s, n, "duplicate %s '%s'", tnp_cat_entry_names[sec], code);
	}
	L->index[sec] = jv_object_set(L->index[sec], jv_string(code), jv_copy(entry));
	L->out[sec] = jv_array_append(L->out[sec], entry);
	return TN_OK;
}

jv tnp_cat_dept_name(struct cat_loader *L, const char *code)
{
	jv d = jv_object_get(jv_copy(L->index[SEC_DEPT]), jv_string(code));
	jv name = jv_object_get(d, jv_string("name"));

	return name;
}

/* Check that `code` names a department; the node is where the reference is. */
enum tn_code tnp_cat_need_dept(struct cat_loader *L, struct cat_src *s, yaml_node_t *n,
			       const char *code, const char *what, const char *owner)
{
	if (!tn_jv_has(L->index[SEC_DEPT], code))
		return tnp_cat_bad(L, s, n, "unknown department '%s' in %s '%s'",
				   code, what, owner);
	return TN_OK;
}
