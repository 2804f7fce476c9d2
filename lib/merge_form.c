/* merge_form.c — the merged form and materials: fields asked once, materials exempt by certificate or produced, duplicates dropped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_jv.h"
#include "tn_merge.h"
#include "tnp_merge.h"

/* ---- fields ---- */

/* 1 when a and b (borrowed members, possibly invalid) are the same constraint. */
static int same(jv a, jv b)
{
	if (!jv_is_valid(a) || !jv_is_valid(b))
		return jv_is_valid(a) == jv_is_valid(b);
	return jv_equal(jv_copy(a), jv_copy(b));
}

static char *show(jv v)
{
	if (!jv_is_valid(v))
		return tn_xstrdup("none");
	jv s = jv_dump_string(jv_copy(v), 0);
	char *r = tn_xstrdup(jv_string_value(s));

	jv_free(s);
	return r;
}

static enum tn_code field_conflict(struct merge *M, jv have, jv f, const char *first,
				   const char *item)
{
	static const char *const keys[] = { "type", "values", "pattern", "max_length", NULL };

	for (const char *const *k = keys; *k; k++) {
		jv a = jv_object_get(jv_copy(have), jv_string(*k));
		jv b = jv_object_get(jv_copy(f), jv_string(*k));
		enum tn_code c = TN_OK;

		if (!same(a, b)) {
			char *sa = show(a), *sb = show(b);

			c = tn_err_set(M->err, TN_EINVALID,
				       "field '%s' conflicts: item '%s' has %s %s, item '%s' has %s %s",
				       tn_jv_str(f, "name"), first, *k, sa, item, *k, sb);
			free(sa);
			free(sb);
		}
		jv_free(a);
		jv_free(b);
		if (c)
			return c;
	}
	return TN_OK;
}

static jv merged_field(jv f, const char *item)
{
	static const char *const keys[] = { "values", "pattern", "max_length", NULL };
	const char *label = tn_jv_str(f, "canonical_label");
	jv r = jv_object();

	r = jv_object_set(r, jv_string("name"), jv_string(tn_jv_str(f, "name")));
	r = jv_object_set(r, jv_string("label"),
			  jv_string(label ? label : tn_jv_str_or(f, "label", tn_jv_str(f, "name"))));
	r = jv_object_set(r, jv_string("type"), tn_jv_str_or_null(f, "type"));
	r = jv_object_set(r, jv_string("required"), jv_bool(tn_jv_bool(f, "required", 1)));
	for (const char *const *k = keys; *k; k++) {
		jv v = jv_object_get(jv_copy(f), jv_string(*k));

		if (jv_is_valid(v))
			r = jv_object_set(r, jv_string(*k), v);
		else
			jv_free(v);
	}
	r = jv_object_set(r, jv_string("items"), jv_array_append(jv_array(), jv_string(item)));
	return r;
}

enum tn_code tnp_merge_fields(struct merge *M, jv *fields, jv *dropped, long *asked)
{
	jv at = jv_object();    /* name -> position in *fields */
	enum tn_code c = TN_OK;

	*fields = jv_array();
	*dropped = jv_array();
	*asked = 0;
	for (int t = 0; t < M->n && !c; t++) {
		struct mi *m = &M->v[M->order[t]];
		jv list = tn_jv_array(m->it, "fields");
		int nf = jv_array_length(jv_copy(list));

		for (int k = 0; k < nf && !c; k++) {
			jv f = jv_array_get(jv_copy(list), k);
			const char *name = tn_jv_str(f, "name");
			jv pos = name ? jv_object_get(jv_copy(at), jv_string(name)) : jv_invalid();

			(*asked)++;
			if (!name) {
				c = tn_err_set(M->err, TN_EINVALID, "a field of item '%s' has no name",
					       m->code);
			} else if ((M->rules & TN_RULE_FIELD_DEDUP) && jv_is_valid(pos)) {
				int p = (int)jv_number_value(pos);
				jv have = jv_array_get(jv_copy(*fields), p);
				jv first = jv_array_get(tn_jv_array(have, "items"), 0);

				c = field_conflict(M, have, f, jv_string_value(first), m->code);
				if (!c) {
					jv d = jv_object();

					if (tn_jv_bool(f, "required", 1))
						have = jv_object_set(have, jv_string("required"), jv_true());
					have = tnp_merge_push(have, "items", jv_string(m->code));
					*fields = jv_array_set(*fields, p, have);
					have = jv_invalid();
					d = jv_object_set(d, jv_string("item"), jv_string(m->code));
					d = jv_object_set(d, jv_string("name"), jv_string(name));
					d = jv_object_set(d, jv_string("reason"), jv_string("duplicate"));
					d = jv_object_set(d, jv_string("duplicate_of"), jv_copy(first));
					*dropped = jv_array_append(*dropped, d);
				}
				jv_free(have);
				jv_free(first);
			} else {
				at = jv_object_set(at, jv_string(name),
						   jv_number(jv_array_length(jv_copy(*fields))));
				*fields = jv_array_append(*fields, merged_field(f, m->code));
			}
			jv_free(pos);
			jv_free(f);
		}
		jv_free(list);
	}
	jv_free(at);
	return c;
}

/* ---- materials ---- */

/* material code -> [indices of the set's items that produce it] */
static jv producers(struct merge *M)
{
	jv by = jv_object();

	for (int i = 0; i < M->n; i++) {
		jv list = tn_jv_array(M->v[i].it, "produces");
		int np = jv_array_length(jv_copy(list));

		for (int k = 0; k < np; k++) {
			jv code = jv_array_get(jv_copy(list), k);

			if (jv_get_kind(code) == JV_KIND_STRING)
				by = tnp_merge_push(by, jv_string_value(code), jv_number(i));
			jv_free(code);
		}
		jv_free(list);
	}
	return by;
}

void tnp_merge_materials(struct merge *M, jv *kept, jv *dropped, long *asked)
{
	jv prod = producers(M), at = jv_object();

	*kept = jv_array();
	*dropped = jv_array();
	*asked = 0;
	for (int t = 0; t < M->n; t++) {
		int i = M->order[t];
		struct mi *m = &M->v[i];
		jv list = tn_jv_array(m->it, "materials"), mine = jv_array();
		int nm = jv_array_length(jv_copy(list));

		for (int k = 0; k < nm; k++) {
			jv a = jv_array_get(jv_copy(list), k);
			const char *code = tn_jv_str(a, "code"), *kind = tn_jv_str(a, "cert_kind");
			const char *issuer = tn_jv_str(a, "issuer"), *by = NULL, *reason = NULL;
			jv ps = code ? jv_object_get(jv_copy(prod), jv_string(code)) : jv_invalid();
			jv pos = code ? jv_object_get(jv_copy(at), jv_string(code)) : jv_invalid();
			jv d = jv_object(), own = jv_object();

			(*asked)++;
			if (jv_is_valid(ps) && (M->rules & TN_RULE_PRODUCED)) {
				int np = jv_array_length(jv_copy(ps));

				for (int q = 0; q < np && !by; q++) {
					jv pj = jv_array_get(jv_copy(ps), q);
					int p = (int)jv_number_value(pj);

					jv_free(pj);
					if (M->anc[(size_t)i * M->n + p])
						by = M->v[p].code;
				}
				if (by)
					reason = "produced";
			}
			/* a certificate that an item of this set is yet to issue cannot be fetched */
			if (!reason && !jv_is_valid(ps) && issuer && kind &&
			    (M->rules & TN_RULE_CERT_EXEMPT))
				reason = "certificate";
			if (!reason && jv_is_valid(pos) && (M->rules & TN_RULE_MATERIAL_DEDUP))
				reason = "duplicate";

			own = jv_object_set(own, jv_string("code"), tn_jv_string_or_null(code));
			own = jv_object_set(own, jv_string("name"), tn_jv_str_or_null(a, "name"));
			own = jv_object_set(own, jv_string("required"), jv_bool(tn_jv_bool(a, "required", 1)));
			if (!reason || !strcmp(reason, "duplicate")) {
				own = jv_object_set(own, jv_string("disposition"), jv_string("supply"));
			} else {
				own = jv_object_set(own, jv_string("disposition"), jv_string(reason));
				own = jv_object_set(own, jv_string("cert_kind"), tn_jv_string_or_null(kind));
				if (by)
					own = jv_object_set(own, jv_string("produced_by"), jv_string(by));
			}
			mine = jv_array_append(mine, own);

			if (!reason) {
				jv e = jv_object();

				e = jv_object_set(e, jv_string("code"), tn_jv_string_or_null(code));
				e = jv_object_set(e, jv_string("name"), tn_jv_str_or_null(a, "name"));
				e = jv_object_set(e, jv_string("cert_kind"), tn_jv_string_or_null(kind));
				e = jv_object_set(e, jv_string("required"), jv_bool(tn_jv_bool(a, "required", 1)));
				e = jv_object_set(e, jv_string("items"),
						  jv_array_append(jv_array(), jv_string(m->code)));
				if (tn_jv_str(a, "asked_as"))
					e = tnp_merge_push(e, "asked_as", tn_jv_str_or_null(a, "asked_as"));
				if (code && !jv_is_valid(pos))
					at = jv_object_set(at, jv_string(code),
							   jv_number(jv_array_length(jv_copy(*kept))));
				*kept = jv_array_append(*kept, e);
				jv_free(d);
			} else {
				d = jv_object_set(d, jv_string("item"), jv_string(m->code));
				d = jv_object_set(d, jv_string("code"), tn_jv_string_or_null(code));
				d = jv_object_set(d, jv_string("name"), tn_jv_str_or_null(a, "name"));
				if (tn_jv_str(a, "asked_as"))
					d = jv_object_set(d, jv_string("asked_as"),
							  tn_jv_str_or_null(a, "asked_as"));
				d = jv_object_set(d, jv_string("reason"), jv_string(reason));
				if (!strcmp(reason, "certificate")) {
					d = jv_object_set(d, jv_string("cert_kind"), jv_string(kind));
					d = jv_object_set(d, jv_string("issuer"), jv_string(issuer));
				} else if (!strcmp(reason, "produced")) {
					d = jv_object_set(d, jv_string("produced_by"), jv_string(by));
					d = jv_object_set(d, jv_string("cert_kind"), tn_jv_string_or_null(kind));
				} else {
					int p = (int)jv_number_value(pos);
					jv e = jv_array_get(jv_copy(*kept), p);

					d = jv_object_set(d, jv_string("duplicate_of"),
							  jv_array_get(tn_jv_array(e, "items"), 0));
					if (tn_jv_bool(a, "required", 1))
						e = jv_object_set(e, jv_string("required"), jv_true());
					e = tnp_merge_push(e, "items", jv_string(m->code));
					if (tn_jv_str(a, "asked_as"))
						e = tnp_merge_push(e, "asked_as", tn_jv_str_or_null(a, "asked_as"));
					*kept = jv_array_set(*kept, p, e);
				}
				*dropped = jv_array_append(*dropped, d);
			}
			jv_free(ps);
			jv_free(pos);
			jv_free(a);
		}
		m->it = jv_object_set(m->it, jv_string("merged_materials"), mine);
		jv_free(list);
	}
	jv_free(prod);
	jv_free(at);
}
