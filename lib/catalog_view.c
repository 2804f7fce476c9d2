/* catalog_view.c — the catalog as a newcomer browses it: lists, one item or workflow in full, completion words. */
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "tn_case.h"
#include "tn_catalog.h"
#include "tn_cert.h"
#include "tn_jv.h"
#include "tn_merge.h"
#include "tn_suggest.h"

const char *tn_catalog_item_columns[] = { "code", "name", "department", "department_name",
	"promised_days", "legal_days", "visits", "online", NULL };
const char *tn_catalog_department_columns[] = { "code", "name", "full_name", "items", NULL };
const char *tn_catalog_workflow_columns[] = { "code", "name", "items", "before.materials",
	"after.materials", "before.days", "after.days", NULL };
const char *tn_catalog_field_columns[] = { "name", "label", "type", "required", NULL };

/* What an entry of each section is called in messages, and its key. */
static const struct {
	const char *section, *what, *key;
} sections[] = {
	{ "items", "item", "code" },
	{ "workflows", "workflow", "code" },
	{ "departments", "department", "code" },
	{ "fields", "field", "name" },
	{ "materials", "material", "code" },
};

enum tn_code tn_catalog_unknown(jv catalog, const char *section, const char *code,
				enum tn_code code_to_return, struct tn_err *err)
{
	const char *what = section, *key = "code", *best;
	jv list = tn_jv_array(catalog, section);
	int n = jv_array_length(jv_copy(list));
	const char **cands = calloc(n > 0 ? (size_t)n : 1, sizeof(*cands));
	enum tn_code rc;

	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (!strcmp(sections[i].section, section)) {
			what = sections[i].what;
			key = sections[i].key;
		}
	/* the strings stay alive in `list` until it is freed below */
	for (int i = 0; i < n && cands; i++) {
		jv e = jv_array_get(jv_copy(list), i);

		cands[i] = tn_jv_str(e, key);
		jv_free(e);
	}
	best = cands ? tn_suggest(code, cands, (size_t)n) : NULL;
	if (best)
		rc = tn_err_set(err, code_to_return, "unknown %s '%s' (did you mean '%s'?)", what, code,
				best);
	else
		rc = tn_err_set(err, code_to_return, "unknown %s '%s' (catalog %s lists them)", what,
				code, section);
	free(cands);
	jv_free(list);
	return rc;
}

/* A list row of an item (borrowed). */
static jv item_row(jv it)
{
	jv r = jv_object();

	for (const char *const *k = tn_catalog_item_columns; *k; k++)
		r = jv_object_set(r, jv_string(*k), tn_jv_get(it, *k));
	return r;
}

enum tn_code tn_catalog_items_rows(jv catalog, const char *department, int online_only,
				   jv *rows, struct tn_err *err)
{
	jv items;

	*rows = jv_invalid();
	if (department && jv_get_kind(catalog) == JV_KIND_OBJECT) {
		jv d = tn_catalog_department(catalog, department);
		int known = jv_is_valid(d);

		jv_free(d);
		if (!known)
			return tn_catalog_unknown(catalog, "departments", department, TN_EINVALID, err);
	}
	items = tn_jv_array(catalog, "items");
	*rows = jv_array();
	jv_array_foreach(items, i, it) {
		if ((!department || tn_jv_is(it, "department", department)) &&
		    (!online_only || tn_jv_bool(it, "online", 0) == 1))
			*rows = jv_array_append(*rows, item_row(it));
		jv_free(it);
	}
	jv_free(items);
	return TN_OK;
}

jv tn_catalog_departments_rows(jv catalog)
{
	jv depts = tn_jv_array(catalog, "departments"), items = tn_jv_array(catalog, "items");
	jv rows = jv_array();

	jv_array_foreach(depts, i, d) {
		const char *code = tn_jv_str(d, "code");
		int n = 0;

		jv_array_foreach(items, j, it) {
			n += code && tn_jv_is(it, "department", code);
			jv_free(it);
		}
		rows = jv_array_append(rows, jv_object_set(
			jv_object_set(jv_object_set(jv_object_set(jv_object(), jv_string("code"),
								   tn_jv_get(d, "code")),
						    jv_string("name"), tn_jv_get(d, "name")),
				      jv_string("full_name"), tn_jv_get(d, "full_name")),
			jv_string("items"), jv_number(n)));
		jv_free(d);
	}
	jv_free(depts);
	jv_free(items);
	return rows;
}

/* The before and after figures of workflow `code`, or null when it cannot be merged. */
static jv figures(jv catalog, const char *code, jv *summary)
{
	struct tn_merge_opts o = TN_MERGE_OPTS_INIT;
	struct tn_err err = TN_ERR_INIT;
	jv m, f;

	if (tn_merge_workflow(catalog, code, &o, &m, &err) != TN_OK)
		return jv_null();
	f = tn_jv_get(m, "figures");
	if (summary)
		*summary = m;
	else
		jv_free(m);
	return f;
}

jv tn_catalog_workflows_rows(jv catalog)
{
	jv flows = tn_jv_array(catalog, "workflows"), rows = jv_array();

	jv_array_foreach(flows, i, w) {
		const char *code = tn_jv_str(w, "code");
		jv fig = code ? figures(catalog, code, NULL) : jv_null();
		jv r = jv_object_set(jv_object(), jv_string("code"), tn_jv_get(w, "code"));

		r = jv_object_set(r, jv_string("name"), tn_jv_get(w, "name"));
		r = jv_object_set(r, jv_string("window"), tn_jv_get(w, "window"));
		r = jv_object_set(r, jv_string("items"),
				  jv_number(jv_array_length(tn_jv_array(w, "items"))));
		r = jv_object_set(r, jv_string("before"), tn_jv_get(fig, "before"));
		r = jv_object_set(r, jv_string("after"), tn_jv_get(fig, "after"));
		jv_free(fig);
		rows = jv_array_append(rows, r);
		jv_free(w);
	}
	jv_free(flows);
	return rows;
}

enum tn_code tn_catalog_workflow_detail(jv catalog, const char *code, jv *out, jv *merged,
					struct tn_err *err)
{
	jv w = tn_catalog_workflow(catalog, code), codes, list = jv_array(), m = jv_invalid();

	*out = jv_invalid();
	if (merged)
		*merged = jv_invalid();
	if (!jv_is_valid(w)) {
		jv_free(w);
		jv_free(list);
		return tn_catalog_unknown(catalog, "workflows", code, TN_ENOTFOUND, err);
	}
	codes = tn_jv_array(w, "items");
	jv_array_foreach(codes, i, c) {
		jv it = jv_get_kind(c) == JV_KIND_STRING ? tn_catalog_item(catalog, jv_string_value(c))
							  : jv_invalid();

		if (jv_is_valid(it))
			list = jv_array_append(list, item_row(it));
		else
			list = jv_array_append(list, jv_object_set(jv_object(), jv_string("code"), jv_copy(c)));
		jv_free(it);
		jv_free(c);
	}
	jv_free(codes);
	w = jv_object_set(w, jv_string("items"), list);
	w = jv_object_set(w, jv_string("figures"), figures(catalog, code, &m));
	if (merged)
		*merged = m;
	else
		jv_free(m);
	*out = w;
	return TN_OK;
}

/* A field of the dictionary or of an item (borrowed), as a row. */
static jv field_row(jv f)
{
	static const char *const keys[] = { "name", "label", "canonical_label", "type", "required",
		"values", "pattern", "max_length", NULL };
	jv r = jv_object();

	for (const char *const *k = keys; *k; k++)
		if (tn_jv_has(f, *k))
			r = jv_object_set(r, jv_string(*k), tn_jv_get(f, *k));
	return r;
}

enum tn_code tn_catalog_fields_rows(jv catalog, const char *item, jv *rows, struct tn_err *err)
{
	jv src, list;

	*rows = jv_invalid();
	if (item) {
		src = tn_catalog_item(catalog, item);
		if (!jv_is_valid(src)) {
			jv_free(src);
			return tn_catalog_unknown(catalog, "items", item, TN_ENOTFOUND, err);
		}
		list = tn_jv_array(src, "fields");
		jv_free(src);
	} else {
		list = tn_jv_array(catalog, "fields");
	}
	*rows = jv_array();
	jv_array_foreach(list, i, f) {
		*rows = jv_array_append(*rows, field_row(f));
		jv_free(f);
	}
	jv_free(list);
	return TN_OK;
}

/* The certificate kinds that stand for material `m` (borrowed): [{kind,alias,name,department}]. */
static jv material_certs(jv m, jv kinds)
{
	const char *alias = tn_jv_str(m, "cert_kind");
	jv k, c, certs = jv_array();

	if (!alias)
		return certs;
	k = jv_is_valid(kinds) ? tn_cert_kind_find(kinds, alias) : jv_invalid();
	c = jv_object_set(jv_object(), jv_string("kind"),
			  jv_is_valid(k) ? tn_jv_get(k, "code") : jv_null());
	c = jv_object_set(c, jv_string("alias"), jv_string(alias));
	c = jv_object_set(c, jv_string("name"), jv_is_valid(k) ? tn_jv_get(k, "name") : jv_null());
	c = jv_object_set(c, jv_string("department"),
			  jv_is_valid(k) ? tn_jv_get(k, "dept") : tn_jv_get(m, "issuer"));
	c = jv_object_set(c, jv_string("department_name"), tn_jv_get(m, "issuer_name"));
	jv_free(k);
	return jv_array_append(certs, c);
}

enum tn_code tn_catalog_item_detail(jv catalog, jv kinds, const char *code, jv *out,
				    struct tn_err *err)
{
	jv it = tn_catalog_item(catalog, code), list, mats = jv_array(), prod = jv_array();
	jv flows, in = jv_array();

	*out = jv_invalid();
	if (!jv_is_valid(it)) {
		jv_free(it);
		jv_free(mats);
		jv_free(prod);
		jv_free(in);
		return tn_catalog_unknown(catalog, "items", code, TN_ENOTFOUND, err);
	}
	list = tn_jv_array(it, "fields");
	{
		jv fields = jv_array();

		jv_array_foreach(list, i, f) {
			fields = jv_array_append(fields, field_row(f));
			jv_free(f);
		}
		it = jv_object_set(it, jv_string("fields"), fields);
	}
	jv_free(list);
	list = tn_jv_array(it, "materials");
	jv_array_foreach(list, i, m) {
		jv certs = material_certs(m, kinds);

		mats = jv_array_append(mats, jv_object_set(m, jv_string("certs"), certs));
	}
	jv_free(list);
	it = jv_object_set(it, jv_string("materials"), mats);
	/* what it produces, with the names of the materials */
	list = tn_jv_array(it, "produces");
	jv_array_foreach(list, i, p) {
		jv m = jv_get_kind(p) == JV_KIND_STRING ? tn_catalog_material(catalog, jv_string_value(p))
							 : jv_invalid();

		prod = jv_array_append(prod, jv_object_set(
			jv_object_set(jv_object(), jv_string("code"), jv_copy(p)), jv_string("name"),
			jv_is_valid(m) ? tn_jv_get(m, "name") : jv_null()));
		jv_free(m);
		jv_free(p);
	}
	jv_free(list);
	it = jv_object_set(it, jv_string("produces"), prod);
	/* the "one thing" workflows it is part of */
	flows = tn_jv_array(catalog, "workflows");
	jv_array_foreach(flows, i, w) {
		jv items = tn_jv_array(w, "items");

		if (tn_jv_array_has_str(items, code))
			in = jv_array_append(in, tn_jv_get(w, "code"));
		jv_free(items);
		jv_free(w);
	}
	jv_free(flows);
	it = jv_object_set(it, jv_string("workflows"), in);
	*out = it;
	return TN_OK;
}

/* ---- completion words ---- */

const char *const tn_catalog_word_kinds = "items|fields|departments|workflows|districts|statuses";

/* WORD TAB LABEL NEWLINE, a tab or newline inside either made a space. */
static void word_line(struct tn_buf *b, const char *word, const char *label)
{
	for (int part = 0; part < 2; part++) {
		const char *s = part ? label : word;

		for (; s && *s; s++)
			tn_buf_addch(b, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
		tn_buf_addch(b, part ? '\n' : '\t');
	}
}

static void section_words(struct tn_buf *b, jv list, const char *key, const char *label)
{
	jv_array_foreach(list, i, e) {
		const char *w = tn_jv_str(e, key);

		if (w)
			word_line(b, w, tn_jv_str(e, label));
		jv_free(e);
	}
	jv_free(list);
}

enum tn_code tn_catalog_words(jv catalog, const char *kind, const char *item, struct tn_buf *out,
			      struct tn_err *err)
{
	if (item && strcmp(kind, "fields"))
		return tn_err_set(err, TN_EUSAGE, "only 'words fields' takes an item");
	if (!strcmp(kind, "items")) {
		section_words(out, tn_jv_array(catalog, "items"), "code", "name");
	} else if (!strcmp(kind, "fields")) {
		jv rows;
		enum tn_code rc = tn_catalog_fields_rows(catalog, item, &rows, err);

		if (rc)
			return rc;
		section_words(out, rows, "name", "label");
	} else if (!strcmp(kind, "departments")) {
		section_words(out, tn_jv_array(catalog, "departments"), "code", "name");
	} else if (!strcmp(kind, "workflows")) {
		section_words(out, tn_jv_array(catalog, "workflows"), "code", "name");
	} else if (!strcmp(kind, "districts")) {
		for (int i = 0; i < TN_DISTRICT_COUNT; i++)
			word_line(out, tn_districts[i].code, tn_districts[i].name);
	} else if (!strcmp(kind, "statuses")) {
		for (int i = 0; i < TN_CASE_STATE_COUNT; i++)
			word_line(out, tn_case_state_name(i), tn_case_state_label(i));
	} else {
		static const char *const kinds[] = { "items", "fields", "departments", "workflows",
						     "districts", "statuses" };
		const char *best = tn_suggest(kind, kinds, sizeof(kinds) / sizeof(kinds[0]));

		if (best)
			return tn_err_set(err, TN_EUSAGE, "unknown kind of words '%s' (did you mean '%s'?)",
					  kind, best);
		return tn_err_set(err, TN_EUSAGE, "unknown kind of words '%s' (known: %s)", kind,
				  tn_catalog_word_kinds);
	}
	return TN_OK;
}
