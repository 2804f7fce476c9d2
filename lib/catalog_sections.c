/* catalog_sections.c — the catalog's departments, inspection kinds, materials, fields and workflows. */
#include <string.h>

#include "tn_jv.h"
#include "tn_yaml.h"
#include "tnp_catalog.h"

static const char *const field_types[] = {
	"string", "text", "resident_id", "uscc", "phone", "date", "number", "enum", NULL
};

/* ---- departments, inspection kinds, materials, fields ---- */

/* ---- departments, inspection kinds, materials, fields ---- */

enum tn_code tnp_cat_departments(struct cat_loader *L)
{
	static const char *const keys[] = { "code", "name", "full_name", NULL };

	for (size_t i = 0; i < L->sec[SEC_DEPT].n; i++) {
		struct cat_src *s = L->sec[SEC_DEPT].v[i].src;
		yaml_node_t *n = L->sec[SEC_DEPT].v[i].node;
		const char *code, *name, *full;
		enum tn_code c;

		if ((c = tnp_cat_str(L, s, n, "code", 1, "department", NULL, &code)) ||
		    (c = tnp_cat_keys(L, s, n, keys, "department", code)) ||
		    (c = tnp_cat_str(L, s, n, "name", 1, "department", code, &name)) ||
		    (c = tnp_cat_str(L, s, n, "full_name", 0, "department", code, &full)))
			return c;
		c = tnp_cat_add(L, SEC_DEPT, s, n, code,
				jv_object_set(jv_object_set(jv_object_set(jv_object(),
				jv_string("code"), jv_string(code)),
				jv_string("name"), jv_string(name)),
				jv_string("full_name"), jv_string(full ? full : name)));
		if (c)
			return c;
	}
	return TN_OK;
}



enum tn_code tnp_cat_kinds(struct cat_loader *L)
{
	static const char *const keys[] = { "code", "name", "department", "joint", NULL };

	for (size_t i = 0; i < L->sec[SEC_KIND].n; i++) {
		struct cat_src *s = L->sec[SEC_KIND].v[i].src;
		yaml_node_t *n = L->sec[SEC_KIND].v[i].node;
		const char *code, *name, *dept;
		int joint;
		enum tn_code c;
		jv e;

		if ((c = tnp_cat_str(L, s, n, "code", 1, "inspection kind", NULL, &code)) ||
		    (c = tnp_cat_keys(L, s, n, keys, "inspection kind", code)) ||
		    (c = tnp_cat_str(L, s, n, "name", 1, "inspection kind", code, &name)) ||
		    (c = tnp_cat_str(L, s, n, "department", 0, "inspection kind", code, &dept)) ||
		    (c = tnp_cat_bool(L, s, n, "joint", 0, "inspection kind", code, &joint)))
			return c;
		if (dept && (c = tnp_cat_need_dept(L, s, tnp_cat_get(s, n, "department"), dept,
						   "inspection kind", code)))
			return c;
		e = jv_object();
		e = jv_object_set(e, jv_string("code"), jv_string(code));
		e = jv_object_set(e, jv_string("name"), jv_string(name));
		e = jv_object_set(e, jv_string("department"), tn_jv_string_or_null(dept));
		e = jv_object_set(e, jv_string("joint"), jv_bool(joint));
		if ((c = tnp_cat_add(L, SEC_KIND, s, n, code, e)))
				     return c;
	}
	return TN_OK;
}

enum tn_code tnp_cat_materials(struct cat_loader *L)
{
	static const char *const keys[] = { "code", "name", "issuer", "cert_kind", NULL };

	for (size_t i = 0; i < L->sec[SEC_MAT].n; i++) {
		struct cat_src *s = L->sec[SEC_MAT].v[i].src;
		yaml_node_t *n = L->sec[SEC_MAT].v[i].node;
		const char *code, *name, *issuer, *kind;
		enum tn_code c;
		jv e;

		if ((c = tnp_cat_str(L, s, n, "code", 1, "material", NULL, &code)) ||
		    (c = tnp_cat_keys(L, s, n, keys, "material", code)) ||
		    (c = tnp_cat_str(L, s, n, "name", 1, "material", code, &name)) ||
		    (c = tnp_cat_str(L, s, n, "issuer", 0, "material", code, &issuer)) ||
		    (c = tnp_cat_str(L, s, n, "cert_kind", 0, "material", code, &kind)))
			return c;
		if (issuer && (c = tnp_cat_need_dept(L, s, tnp_cat_get(s, n, "issuer"), issuer,
						     "material", code)))
			return c;
		e = jv_object();
		e = jv_object_set(e, jv_string("code"), jv_string(code));
		e = jv_object_set(e, jv_string("name"), jv_string(name));
		e = jv_object_set(e, jv_string("issuer"), tn_jv_string_or_null(issuer));
		e = jv_object_set(e, jv_string("issuer_name"),
				  issuer ? tnp_cat_dept_name(L, issuer) : jv_null());
		e = jv_object_set(e, jv_string("cert_kind"), tn_jv_string_or_null(kind));
		if ((c = tnp_cat_add(L, SEC_MAT, s, n, code, e)))
				     return c;
	}
	return TN_OK;
}



enum tn_code tnp_cat_fields(struct cat_loader *L)
{
	static const char *const keys[] = { "name", "label", "type", "required", "values",
					    "pattern", "max_length", "aliases", NULL };

	for (size_t i = 0; i < L->sec[SEC_FIELD].n; i++) {
		struct cat_src *s = L->sec[SEC_FIELD].v[i].src;
		yaml_node_t *n = L->sec[SEC_FIELD].v[i].node, *al;
		const char *name, *label, *type;
		const char *const *t;
		enum tn_code c;
		jv f, aliases = jv_object();

		if ((c = tnp_cat_str(L, s, n, "name", 1, "field", NULL, &name)) ||
		    (c = tnp_cat_keys(L, s, n, keys, "field", name)) ||
		    (c = tnp_cat_str(L, s, n, "label", 1, "field", name, &label)) ||
		    (c = tnp_cat_str(L, s, n, "type", 1, "field", name, &type))) {
			jv_free(aliases);
			return c;
		}
		for (t = field_types; *t; t++)
			if (!strcmp(*t, type))
				break;
		if (!*t) {
			jv_free(aliases);
			return tnp_cat_bad(L, s, tnp_cat_get(s, n, "type"),
					   "unknown type '%s' of field '%s'", type, name);
		}
		f = jv_object();
		f = jv_object_set(f, jv_string("name"), jv_string(name));
		f = jv_object_set(f, jv_string("label"), jv_string(label));
		f = jv_object_set(f, jv_string("type"), jv_string(type));
		f = jv_object_set(f, jv_string("required"), jv_true());
		if ((c = tnp_cat_constraints(L, s, n, "field", name, &f)))
			goto fail;
		if ((!strcmp(type, "enum")) != tn_jv_has(f, "values")) {
			c = tnp_cat_bad(L, s, n, "field '%s' %s", name, !strcmp(type, "enum")
					? "is an enum without 'values'" : "has 'values' but is not an enum");
			goto fail;
		}
		al = tnp_cat_get(s, n, "aliases");
		if (!tn_yaml_is_null(al)) {
			yaml_node_pair_t *p;

			if (al->type != YAML_MAPPING_NODE) {
				c = tnp_cat_bad(L, s, al, "'aliases' of field '%s' must map departments to labels",
						name);
				goto fail;
			}
			for (p = al->data.mapping.pairs.start; p < al->data.mapping.pairs.top; p++) {
				yaml_node_t *kn = tnp_cat_node(s, p->key);
				const char *d = tn_yaml_scalar(kn);
				const char *v = tn_yaml_scalar(tnp_cat_node(s, p->value));

				if (!d || !v) {
					c = tnp_cat_bad(L, s, kn, "'aliases' of field '%s' must map departments to labels",
							name);
					goto fail;
				}
				if ((c = tnp_cat_need_dept(L, s, kn, d, "aliases of field", name)))
							   goto fail;
				aliases = jv_object_set(aliases, jv_string(d), jv_string(v));
			}
		}
		f = jv_object_set(f, jv_string("aliases"), aliases);
		if ((c = tnp_cat_add(L, SEC_FIELD, s, n, name, f)))
				     return c;
		continue;
fail:
		jv_free(f);
		jv_free(aliases);
		return c;
	}
	return TN_OK;
}


/* ---- workflows: items that make one thing ---- */


enum tn_code tnp_cat_workflows(struct cat_loader *L)
{
	static const char *const keys[] = { "code", "name", "window", "items", "description", NULL };

	for (size_t i = 0; i < L->sec[SEC_FLOW].n; i++) {
		struct cat_src *s = L->sec[SEC_FLOW].v[i].src;
		yaml_node_t *n = L->sec[SEC_FLOW].v[i].node, *seq, *e;
		const char *code, *name, *window, *desc;
		enum tn_code c;
		jv w, items, seen;

		if ((c = tnp_cat_str(L, s, n, "code", 1, "workflow", NULL, &code)) ||
		    (c = tnp_cat_keys(L, s, n, keys, "workflow", code)) ||
		    (c = tnp_cat_str(L, s, n, "name", 1, "workflow", code, &name)) ||
		    (c = tnp_cat_str(L, s, n, "window", 0, "workflow", code, &window)) ||
		    (c = tnp_cat_str(L, s, n, "description", 0, "workflow", code, &desc)) ||
		    (c = tnp_cat_seq(L, s, n, "items", "workflow", code, &seq)))
			return c;
		if (!seq || seq->data.sequence.items.top == seq->data.sequence.items.start)
			return tnp_cat_bad(L, s, n, "workflow '%s' has no items", code);
		items = jv_array();
		seen = jv_object();
		TN_YAML_SEQ_EACH(&s->doc, seq, it, e) {
			const char *ic = tn_yaml_scalar(e);

			if (!ic || !tn_jv_has(L->index[SEC_ITEM], ic))
				c = tnp_cat_bad(L, s, e, "unknown item '%s' in workflow '%s'",
						ic ? ic : "?", code);
			else if (tn_jv_has(seen, ic))
				c = tnp_cat_bad(L, s, e, "item '%s' twice in workflow '%s'",
						ic, code);
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
		w = jv_object_set(w, jv_string("window"), tn_jv_string_or_null(window));
		if (desc)
			w = jv_object_set(w, jv_string("description"), jv_string(desc));
		w = jv_object_set(w, jv_string("items"), items);
		if ((c = tnp_cat_add(L, SEC_FLOW, s, n, code, w)))
				     return c;
	}
	return TN_OK;
}

/* ---- entry points ---- */
