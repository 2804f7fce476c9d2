/* pg_catalog.c — the catalog in PostgreSQL: departments, items and workflows, imported and read. */
#include <stdio.h>
#include <stdlib.h>

#include "tn_jv.h"
#include "pg_int.h"

/* The member `key` of `obj` (borrowed) as a number's text in buf, or NULL when it is not a number. */
static const char *days(jv obj, const char *key, char *buf, size_t size)
{
	jv v = jv_object_get(jv_copy(obj), jv_string(key));
	const char *out = NULL;

	if (jv_get_kind(v) == JV_KIND_NUMBER) {
		snprintf(buf, size, "%lld", (long long)jv_number_value(v));
		out = buf;
	}
	jv_free(v);
	return out;
}

static jv catalog_list(jv catalog, const char *key)
{
	jv a = jv_object_get(jv_copy(catalog), jv_string(key));

	if (jv_get_kind(a) == JV_KIND_NULL || jv_get_kind(a) == JV_KIND_INVALID) {
		jv_free(a);
		return jv_array();
	}
	return a;
}

static enum tn_code import_departments(struct pg_store *p, jv depts, jv *names, long *count,
				       struct tn_err *err)
{
	enum tn_code code = TN_OK;
	int n = jv_array_length(jv_copy(depts));

	for (int i = 0; i < n && code == TN_OK; i++) {
		jv d = jv_array_get(jv_copy(depts), i);
		const char *c = tn_jv_str(d, "code"), *name = tn_jv_str(d, "name");

		if (!c || !name) {
			code = tn_err_set(err, TN_EINVALID, "department %d has no code or name", i + 1);
		} else {
			code = pg_query(p, NULL, err, "department import", "INSERT INTO departments "
					"(code, name, doc) VALUES ($1, $2, $3) ON CONFLICT (code) DO "
					"UPDATE SET name = EXCLUDED.name, doc = EXCLUDED.doc", "ttj", c,
					name, jv_copy(d));
			*names = jv_object_set(*names, jv_string(c), jv_string(name));
			(*count)++;
		}
		jv_free(d);
	}
	jv_free(depts);
	return code;
}

static enum tn_code import_items(struct pg_store *p, jv items, jv names, long *count,
				 struct tn_err *err)
{
	enum tn_code code = TN_OK;
	int n = jv_array_length(jv_copy(items));

	for (int i = 0; i < n && code == TN_OK; i++) {
		jv it = jv_array_get(jv_copy(items), i);
		const char *c = tn_jv_str(it, "code"), *name = tn_jv_str(it, "name");
		const char *dept = tn_jv_str(it, "department");
		char legal[24], promised[24];

		if (!c || !name || !dept) {
			code = tn_err_set(err, TN_EINVALID, "item %d has no code, name or department",
					  i + 1);
		} else {
			jv dn = jv_object_get(jv_copy(it), jv_string("department_name"));
			char *cc = tn_xstrdup(c), *nn = tn_xstrdup(name), *dd = tn_xstrdup(dept);

			/* `it` changes below: its strings are copied first */
			if (jv_get_kind(dn) != JV_KIND_STRING) {
				jv known = jv_object_get(jv_copy(names), jv_string(dept));

				if (jv_get_kind(known) == JV_KIND_STRING)
					it = jv_object_set(it, jv_string("department_name"), known);
				else
					jv_free(known);
			}
			jv_free(dn);
			code = pg_query(p, NULL, err, "item import", "INSERT INTO items (code, name, "
					"department, legal_days, promised_days, doc) VALUES ($1, $2, $3, "
					"$4, $5, $6) ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, "
					"department = EXCLUDED.department, legal_days = "
					"EXCLUDED.legal_days, promised_days = EXCLUDED.promised_days, "
					"doc = EXCLUDED.doc", "tttttj", cc, nn, dd,
					days(it, "legal_days", legal, sizeof(legal)),
					days(it, "promised_days", promised, sizeof(promised)), jv_copy(it));
			free(cc);
			free(nn);
			free(dd);
			(*count)++;
		}
		jv_free(it);
	}
	jv_free(items);
	jv_free(names);
	return code;
}

/* Insert or replace workflow `code` with `doc` (consumed); *created 1 when it was new. */
static enum tn_code put_workflow(struct pg_store *p, const char *code, jv doc, int *created,
				 const char *what, struct tn_err *err)
{
	PGresult *r;
	enum tn_code rc;

	rc = pg_query(p, &r, err, what, "INSERT INTO workflows (code, doc) VALUES ($1, $2) "
		      "ON CONFLICT (code) DO UPDATE SET doc = EXCLUDED.doc RETURNING xmax = 0",
		      "tj", code, doc);
	if (rc == TN_OK && created)
		*created = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return rc;
}

static enum tn_code import_workflows(struct pg_store *p, jv wfs, long *count, struct tn_err *err)
{
	enum tn_code code = TN_OK;
	int n = jv_array_length(jv_copy(wfs));

	for (int i = 0; i < n && code == TN_OK; i++) {
		jv w = jv_array_get(jv_copy(wfs), i);
		const char *c = tn_jv_str(w, "code");

		if (!c) {
			code = tn_err_set(err, TN_EINVALID, "workflow %d has no code", i + 1);
		} else {
			code = put_workflow(p, c, jv_copy(w), NULL, "workflow import", err);
			(*count)++;
		}
		jv_free(w);
	}
	jv_free(wfs);
	return code;
}

enum tn_code pg_catalog_import(struct store *st, jv catalog, long *ndepts, long *nitems,
			       long *nworkflows, struct tn_err *err)
{
	struct pg_store *p = PG(st);
	jv depts, items, wfs, names = jv_object();
	long nd = 0, ni = 0, nw = 0;
	enum tn_code code;

	if (jv_get_kind(catalog) != JV_KIND_OBJECT) {
		jv_free(catalog);
		jv_free(names);
		return tn_err_set(err, TN_EINVALID, "catalog is not an object");
	}
	depts = catalog_list(catalog, "departments");
	items = catalog_list(catalog, "items");
	wfs = catalog_list(catalog, "workflows");
	jv_free(catalog);
	if (jv_get_kind(depts) != JV_KIND_ARRAY || jv_get_kind(items) != JV_KIND_ARRAY ||
	    jv_get_kind(wfs) != JV_KIND_ARRAY) {
		jv_free(depts);
		jv_free(items);
		jv_free(wfs);
		jv_free(names);
		return tn_err_set(err, TN_EINVALID, "catalog departments, items and workflows "
				  "must be arrays");
	}
	code = pg_begin(p, err);
	if (code == TN_OK)
		code = import_departments(p, depts, &names, &nd, err);
	else
		jv_free(depts);
	if (code == TN_OK)
		code = import_items(p, items, jv_copy(names), &ni, err);
	else
		jv_free(items);
	if (code == TN_OK)
		code = import_workflows(p, wfs, &nw, err);
	else
		jv_free(wfs);
	jv_free(names);
	if ((code = pg_end(p, code, err)) != TN_OK)
		return code;
	if (ndepts)
		*ndepts = nd;
	if (nitems)
		*nitems = ni;
	if (nworkflows)
		*nworkflows = nw;
	return TN_OK;
}

/* The JSON document `sql` selects with `code` as $1; TN_ENOTFOUND "no WHAT 'CODE'" when none. */
static enum tn_code doc_by_code(struct store *st, const char *sql, const char *what,
				const char *code, jv *doc, struct tn_err *err)
{
	PGresult *r;
	enum tn_code rc;
	char failed[64];

	*doc = jv_invalid();
	snprintf(failed, sizeof(failed), "%s get", what);
	if ((rc = pg_query(PG(st), &r, err, failed, sql, "t", code)) != TN_OK)
		return rc;
	if (PQntuples(r) == 1)
		*doc = pg_json(r, 0, 0);
	else
		rc = tn_err_set(err, TN_ENOTFOUND, "no %s '%s'", what, code);
	PQclear(r);
	return rc;
}

/* Every row's JSON document (first column) appended to *docs. */
static void doc_list(const PGresult *r, jv *docs)
{
	for (int i = 0; i < PQntuples(r); i++)
		*docs = jv_array_append(*docs, pg_json(r, i, 0));
}

enum tn_code pg_item_get(struct store *st, const char *code, jv *item, struct tn_err *err)
{
	return doc_by_code(st, "SELECT doc FROM items WHERE code = $1", "item", code, item, err);
}

enum tn_code pg_department_get(struct store *st, const char *code, jv *dept,
			       struct tn_err *err)
{
	return doc_by_code(st, "SELECT doc FROM departments WHERE code = $1", "department", code,
			   dept, err);
}

enum tn_code pg_item_list(struct store *st, const char *department, const char *q, jv *items,
			  struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*items = jv_array();
	code = pg_query(PG(st), &r, err, "item list", "SELECT doc FROM items "
			"WHERE ($1::text IS NULL OR department = $1) "
			"AND ($2::text IS NULL OR strpos(name, $2) > 0 OR strpos(code, $2) > 0) "
			"ORDER BY code", "tt", department, q);
	if (code == TN_OK)
		doc_list(r, items);
	PQclear(r);
	return code;
}

enum tn_code pg_workflow_get(struct store *st, const char *code, jv *wf, struct tn_err *err)
{
	return doc_by_code(st, "SELECT doc FROM workflows WHERE code = $1", "workflow", code, wf,
			   err);
}

enum tn_code pg_workflow_list(struct store *st, jv *wfs, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*wfs = jv_array();
	code = pg_query(PG(st), &r, err, "workflow list", "SELECT doc FROM workflows ORDER BY code",
			"");
	if (code == TN_OK)
		doc_list(r, wfs);
	PQclear(r);
	return code;
}

enum tn_code pg_workflow_put(struct store *st, const char *code, jv doc, int *created,
			     struct tn_err *err)
{
	if (created)
		*created = 0;
	return put_workflow(PG(st), code, doc, created, "workflow put", err);
}
