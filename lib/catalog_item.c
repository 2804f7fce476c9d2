/* catalog_item.c — the catalog's service items: fields, materials, produces, inspections and before, resolved. */
#include <string.h>

#include "tn_jv.h"
#include "tn_yaml.h"
#include "tnp_catalog.h"


/* One entry of an item's `fields`: a name, or {field: NAME, required, values, ...}. */
static enum tn_code item_field(struct cat_loader *L, struct cat_src *s, yaml_node_t *e,
			       const char *item, const char *dept, jv *fields, jv *seen)
{
	static const char *const keys[] = { "field", "required", "values", "pattern",
					    "max_length", NULL };
	const char *name = tn_yaml_scalar(e);
	enum tn_code c;
	jv def, f, alias;

	if (!name && e->type == YAML_MAPPING_NODE) {
		if ((c = tnp_cat_str(L, s, e, "field", 1, "field entry of item", item, &name)) ||
		    (c = tnp_cat_keys(L, s, e, keys, "field entry of item", item)))
			return c;
	}
	if (!name)
		return tnp_cat_bad(L, s, e, "a field of item '%s' is a name or a mapping with 'field'",
				   item);
	def = jv_object_get(jv_copy(L->index[SEC_FIELD]), jv_string(name));
	if (!jv_is_valid(def)) {
		jv_free(def);
		return tnp_cat_bad(L, s, e, "unknown field '%s' in item '%s'", name, item);
	}
	if (tn_jv_has(*seen, name)) {
		jv_free(def);
		return tnp_cat_bad(L, s, e, "field '%s' twice in item '%s'", name, item);
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

		if ((c = tnp_cat_constraints(L, s, e, "field entry of item", item, &f))) {
			jv_free(dvals);
			goto fail;
		}
		/* an item may narrow an enum's values, never add to them */
		if (jv_is_valid(dvals) && tnp_cat_get(s, e, "values")) {
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
					c = tnp_cat_bad(L, s, tnp_cat_get(s, e, "values"),
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
static enum tn_code item_material(struct cat_loader *L, struct cat_src *s, yaml_node_t *e,
				  const char *item, jv *mats, jv *seen)
{
	static const char *const keys[] = { "material", "as", "required", NULL };
	const char *code = tn_yaml_scalar(e), *as = NULL;
	int req = 1;
	enum tn_code c;
	jv def, m, name;

	if (!code && e->type == YAML_MAPPING_NODE) {
		if ((c = tnp_cat_str(L, s, e, "material", 1, "material entry of item", item, &code)) ||
		    (c = tnp_cat_keys(L, s, e, keys, "material entry of item", item)) ||
		    (c = tnp_cat_str(L, s, e, "as", 0, "material entry of item", item, &as)) ||
		    (c = tnp_cat_bool(L, s, e, "required", 1, "material entry of item", item, &req)))
			return c;
	}
	if (!code)
		return tnp_cat_bad(L, s, e, "a material of item '%s' is a code or a mapping with 'material'",
				   item);
	def = jv_object_get(jv_copy(L->index[SEC_MAT]), jv_string(code));
	if (!jv_is_valid(def)) {
		jv_free(def);
		return tnp_cat_bad(L, s, e, "unknown material '%s' in item '%s'", code, item);
	}
	if (tn_jv_has(*seen, code)) {
		jv_free(def);
		return tnp_cat_bad(L, s, e, "material '%s' twice in item '%s'", code, item);
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

static enum tn_code item_inspection(struct cat_loader *L, struct cat_src *s, yaml_node_t *e,
				    const char *item, jv *list)
{
	static const char *const keys[] = { "kind", "site", NULL };
	const char *kind, *site;
	enum tn_code c;
	jv k, x;

	if (e->type != YAML_MAPPING_NODE)
		return tnp_cat_bad(L, s, e, "an inspection of item '%s' is a mapping with 'kind' and 'site'",
				   item);
	if ((c = tnp_cat_keys(L, s, e, keys, "inspection of item", item)) ||
	    (c = tnp_cat_str(L, s, e, "kind", 1, "inspection of item", item, &kind)) ||
	    (c = tnp_cat_str(L, s, e, "site", 1, "inspection of item", item, &site)))
		return c;
	k = jv_object_get(jv_copy(L->index[SEC_KIND]), jv_string(kind));
	if (!jv_is_valid(k)) {
		jv_free(k);
		return tnp_cat_bad(L, s, tnp_cat_get(s, e, "kind"),
				   "unknown inspection kind '%s' in item '%s'", kind, item);
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
static enum tn_code register_items(struct cat_loader *L, jv *codes)
{
	for (size_t i = 0; i < L->sec[SEC_ITEM].n; i++) {
		struct cat_src *s = L->sec[SEC_ITEM].v[i].src;
		yaml_node_t *n = L->sec[SEC_ITEM].v[i].node;
		const char *code;
		enum tn_code c;

		if ((c = tnp_cat_str(L, s, n, "code", 1, "item", NULL, &code)))
			return c;
		if (tn_jv_has(*codes, code))
			return tnp_cat_bad(L, s, n, "duplicate item '%s'", code);
		*codes = jv_object_set(*codes, jv_string(code), jv_true());
	}
	return TN_OK;
}

static enum tn_code load_item(struct cat_loader *L, struct cat_src *s, yaml_node_t *n, jv codes)
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

	if ((c = tnp_cat_str(L, s, n, "code", 1, "item", NULL, &code)) ||
	    (c = tnp_cat_keys(L, s, n, keys, "item", code)) ||
	    (c = tnp_cat_str(L, s, n, "name", 1, "item", code, &name)) ||
	    (c = tnp_cat_str(L, s, n, "department", 1, "item", code, &dept)) ||
	    (c = tnp_cat_str(L, s, n, "form", 0, "item", code, &form)) ||
	    (c = tnp_cat_count(L, s, n, "legal_days", -1, "item", code, &legal)) ||
	    (c = tnp_cat_count(L, s, n, "promised_days", legal, "item", code, &promised)) ||
	    (c = tnp_cat_bool(L, s, n, "commitment", 0, "item", code, &commitment)) ||
	    (c = tnp_cat_count(L, s, n, "visits", 1, "item", code, &visits)) ||
	    (c = tnp_cat_bool(L, s, n, "online", 0, "item", code, &online)) ||
	    (c = tnp_cat_str(L, s, n, "window", 0, "item", code, &window)) ||
	    (c = tnp_cat_str(L, s, n, "description", 0, "item", code, &desc)))
		goto out;
	if ((c = tnp_cat_need_dept(L, s, tnp_cat_get(s, n, "department"), dept, "item", code)))
		goto out;
	/* a promise is a shorter limit than the law's, never a longer one */
	if (promised > legal) {
		c = tnp_cat_bad(L, s, tnp_cat_get(s, n, "promised_days"),
				"promised_days %ld of item '%s' is later than its legal_days %ld",
				promised, code, legal);
		goto out;
	}
	it = jv_object_set(it, jv_string("code"), jv_string(code));
	it = jv_object_set(it, jv_string("name"), jv_string(name));
	it = jv_object_set(it, jv_string("department"), jv_string(dept));
	it = jv_object_set(it, jv_string("department_name"), tnp_cat_dept_name(L, dept));
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
		jv dn = tnp_cat_dept_name(L, dept);

		it = jv_object_set(it, jv_string("window"),
				   jv_string_fmt("%s窗口", jv_string_value(dn)));
		jv_free(dn);
	}

	/* fields */
	list = jv_array();
	seen = jv_object();
	if ((c = tnp_cat_seq(L, s, n, "fields", "item", code, &seq)))
		goto out;
	TN_YAML_SEQ_EACH(&s->doc, seq, i1, e)
		if ((c = item_field(L, s, e, code, dept, &list, &seen)))
			goto out;
	it = jv_object_set(it, jv_string("fields"), list);
	jv_free(seen);

	/* materials */
	list = jv_array();
	seen = jv_object();
	if ((c = tnp_cat_seq(L, s, n, "materials", "item", code, &seq)))
		goto out;
	TN_YAML_SEQ_EACH(&s->doc, seq, i2, e)
		if ((c = item_material(L, s, e, code, &list, &seen)))
			goto out;
	it = jv_object_set(it, jv_string("materials"), list);
	jv_free(seen);
	seen = jv_invalid();

	/* produces: materials this item issues */
	list = jv_array();
	if ((c = tnp_cat_seq(L, s, n, "produces", "item", code, &seq)))
		goto out;
	TN_YAML_SEQ_EACH(&s->doc, seq, i3, e) {
		const char *m = tn_yaml_scalar(e);

		if (!m || !tn_jv_has(L->index[SEC_MAT], m)) {
			c = tnp_cat_bad(L, s, e, "unknown material '%s' in 'produces' of item '%s'",
					m ? m : "?", code);
			goto out;
		}
		list = jv_array_append(list, jv_string(m));
	}
	it = jv_object_set(it, jv_string("produces"), list);

	/* inspections */
	list = jv_array();
	if ((c = tnp_cat_seq(L, s, n, "inspections", "item", code, &seq)))
		goto out;
	TN_YAML_SEQ_EACH(&s->doc, seq, i4, e)
		if ((c = item_inspection(L, s, e, code, &list)))
			goto out;
	it = jv_object_set(it, jv_string("inspections"), list);

	/* before: items that must be done before this one */
	list = jv_array();
	if ((c = tnp_cat_seq(L, s, n, "before", "item", code, &seq)))
		goto out;
	TN_YAML_SEQ_EACH(&s->doc, seq, i5, e) {
		const char *b = tn_yaml_scalar(e);

		if (!b || !tn_jv_has(codes, b)) {
			c = tnp_cat_bad(L, s, e, "unknown item '%s' in 'before' of item '%s'",
					b ? b : "?", code);
			goto out;
		}
		if (!strcmp(b, code)) {
			c = tnp_cat_bad(L, s, e, "item '%s' names itself in 'before'", code);
			goto out;
		}
		list = jv_array_append(list, jv_string(b));
	}
	it = jv_object_set(it, jv_string("before"), list);
	list = jv_invalid();
	c = tnp_cat_add(L, SEC_ITEM, s, n, code, it);
	it = jv_invalid();
out:
	jv_free(it);
	jv_free(list);
	jv_free(seen);
	return c;
}

enum tn_code tnp_cat_items(struct cat_loader *L)
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
