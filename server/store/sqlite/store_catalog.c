/* store_catalog.c — the catalog store: departments, items and workflows, imported and read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "store_int.h"
#include "tn_jv.h"

static void bind_days(sqlite3_stmt *s, int i, jv obj, const char *key)
{
	jv v = jv_object_get(jv_copy(obj), jv_string(key));

	if (jv_get_kind(v) == JV_KIND_NUMBER)
		sqlite3_bind_int64(s, i, (sqlite3_int64)jv_number_value(v));
	else
		sqlite3_bind_null(s, i);
	jv_free(v);
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

static enum tn_code import_departments(struct store *st, jv depts, jv *names, long *count,
				       struct tn_err *err)
{
	sqlite3_stmt *s;
	enum tn_code code = TN_OK;
	int n = jv_array_length(jv_copy(depts));

	for (int i = 0; i < n && code == TN_OK; i++) {
		jv d = jv_array_get(jv_copy(depts), i);
		const char *c = tn_jv_str(d, "code"), *name = tn_jv_str(d, "name");

		if (!c || !name) {
			code = tn_err_set(err, TN_EINVALID, "department %d has no code or name", i + 1);
		} else if ((s = store_stmt(st, "INSERT OR REPLACE INTO departments (code, name, doc) "
				     "VALUES (?, ?, ?)", err)) == NULL) {
			code = store_errcode(err);
		} else {
			store_bind_text(s, 1, c);
			store_bind_text(s, 2, name);
			store_bind_json(s, 3, jv_copy(d));
			code = store_run(st, s, err, "department import");
			*names = jv_object_set(*names, jv_string(c), jv_string(name));
			(*count)++;
		}
		jv_free(d);
	}
	jv_free(depts);
	return code;
}

static enum tn_code import_items(struct store *st, jv items, jv names, long *count,
				 struct tn_err *err)
{
	sqlite3_stmt *s;
	enum tn_code code = TN_OK;
	int n = jv_array_length(jv_copy(items));

	for (int i = 0; i < n && code == TN_OK; i++) {
		jv it = jv_array_get(jv_copy(items), i);
		const char *c = tn_jv_str(it, "code"), *name = tn_jv_str(it, "name");
		const char *dept = tn_jv_str(it, "department");

		if (!c || !name || !dept) {
			code = tn_err_set(err, TN_EINVALID, "item %d has no code, name or department",
					  i + 1);
		} else if ((s = store_stmt(st, "INSERT OR REPLACE INTO items (code, name, department, "
				     "legal_days, promised_days, doc) VALUES (?, ?, ?, ?, ?, ?)",
				     err)) == NULL) {
			code = store_errcode(err);
		} else {
			jv dn = jv_object_get(jv_copy(it), jv_string("department_name"));

			if (jv_get_kind(dn) != JV_KIND_STRING) {
				jv known = jv_object_get(jv_copy(names), jv_string(dept));

				if (jv_get_kind(known) == JV_KIND_STRING)
					it = jv_object_set(it, jv_string("department_name"), known);
				else
					jv_free(known);
			}
			jv_free(dn);
			store_bind_text(s, 1, c);
			store_bind_text(s, 2, name);
			store_bind_text(s, 3, dept);
			bind_days(s, 4, it, "legal_days");
			bind_days(s, 5, it, "promised_days");
			store_bind_json(s, 6, jv_copy(it));
			code = store_run(st, s, err, "item import");
			(*count)++;
		}
		jv_free(it);
	}
	jv_free(items);
	jv_free(names);
	return code;
}

static enum tn_code import_workflows(struct store *st, jv wfs, long *count, struct tn_err *err)
{
	sqlite3_stmt *s;
	enum tn_code code = TN_OK;
	int n = jv_array_length(jv_copy(wfs));

	for (int i = 0; i < n && code == TN_OK; i++) {
		jv w = jv_array_get(jv_copy(wfs), i);
		const char *c = tn_jv_str(w, "code");

		if (!c) {
			code = tn_err_set(err, TN_EINVALID, "workflow %d has no code", i + 1);
		} else if ((s = store_stmt(st, "INSERT OR REPLACE INTO workflows (code, doc) "
				     "VALUES (?, ?)", err)) == NULL) {
			code = store_errcode(err);
		} else {
			store_bind_text(s, 1, c);
			store_bind_json(s, 2, jv_copy(w));
			code = store_run(st, s, err, "workflow import");
			(*count)++;
		}
		jv_free(w);
	}
	jv_free(wfs);
	return code;
}

enum tn_code sqlite_catalog_import(struct store *st, jv catalog, long *ndepts, long *nitems,
				  long *nworkflows, struct tn_err *err)
{
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
	code = store_begin(st, err);
	if (code == TN_OK)
		code = import_departments(st, depts, &names, &nd, err);
	else
		jv_free(depts);
	if (code == TN_OK)
		code = import_items(st, items, jv_copy(names), &ni, err);
	else
		jv_free(items);
	if (code == TN_OK)
		code = import_workflows(st, wfs, &nw, err);
	else
		jv_free(wfs);
	jv_free(names);
	if (code == TN_OK)
		code = store_commit(st, err);
	if (code != TN_OK) {
		store_rollback(st);
		return code;
	}
	if (ndepts)
		*ndepts = nd;
	if (nitems)
		*nitems = ni;
	if (nworkflows)
		*nworkflows = nw;
	return TN_OK;
}

void store_docs_forget(struct store *st)
{
	for (int i = 0; i < st->ndocs; i++) {
		free(st->docs[i].text);
		jv_free(st->docs[i].doc);
	}
	st->ndocs = st->docs_evict = 0;
}

/*
 * Column 0 of the row `s` is on, parsed as JSON (as store_col_json): an
 * item's document is read with every filing on it, so the last DOC_CACHE
 * texts are kept parsed, and a text the same byte for byte as one of them
 * is that one's document again (whoever changed the row since: the text
 * is what is compared, never a code).
 */
static jv parsed(struct store *st, sqlite3_stmt *s)
{
	const char *text = (const char *)sqlite3_column_text(s, 0);
	int len = sqlite3_column_bytes(s, 0), slot;
	struct doc_cached *d;

	if (!text)
		return store_col_json(s, 0);
	for (int i = 0; i < st->ndocs; i++) {
		d = &st->docs[i];
		if (d->len == len && memcmp(d->text, text, (size_t)len) == 0)
			return jv_copy(d->doc);
	}
	if (st->ndocs < DOC_CACHE) {
		slot = st->ndocs++;
	} else {
		slot = st->docs_evict;
		st->docs_evict = (slot + 1) % DOC_CACHE;
	}
	d = &st->docs[slot];
	if (d->text) {
		free(d->text);
		jv_free(d->doc);
	}
	d->text = tn_xmalloc((size_t)len + 1);
	memcpy(d->text, text, (size_t)len + 1);
	d->len = len;
	d->doc = store_col_json(s, 0);
	return jv_copy(d->doc);
}

/*
 * The JSON document of the row that `sql` (its first column) selects with
 * `code` bound to ?1: TN_OK and *doc (owned), TN_ENOTFOUND "no WHAT 'CODE'"
 * when there is none (*doc invalid), or the database's error.
 */
static enum tn_code doc_by_code(struct store *st, const char *sql, const char *what,
				const char *code, jv *doc, struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql, err);
	char failed[64];
	int rc;

	*doc = jv_invalid();
	if (!s)
		return store_errcode(err);
	store_bind_text(s, 1, code);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*doc = parsed(st, s);
		sqlite3_reset(s);
		return TN_OK;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return tn_err_set(err, TN_ENOTFOUND, "no %s '%s'", what, code);
	snprintf(failed, sizeof(failed), "%s get", what);
	return store_fail(st, err, failed);
}

/*
 * The JSON documents (first column) of every row `s` (prepared, its
 * parameters bound) selects, appended to *docs (an array, owned); the
 * database's error as "WHAT list" when a step fails.
 */
static enum tn_code doc_list(struct store *st, sqlite3_stmt *s, const char *what, jv *docs,
			     struct tn_err *err)
{
	char failed[64];
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*docs = jv_array_append(*docs, store_col_json(s, 0));
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return TN_OK;
	snprintf(failed, sizeof(failed), "%s list", what);
	return store_fail(st, err, failed);
}

enum tn_code sqlite_item_get(struct store *st, const char *code, jv *item, struct tn_err *err)
{
	return doc_by_code(st, "SELECT doc FROM items WHERE code = ?", "item", code, item, err);
}

enum tn_code sqlite_department_get(struct store *st, const char *code, jv *dept,
				  struct tn_err *err)
{
	return doc_by_code(st, "SELECT doc FROM departments WHERE code = ?", "department", code,
			   dept, err);
}

enum tn_code sqlite_item_list(struct store *st, const char *department, const char *q,
			     jv *items, struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT doc FROM items "
			       "WHERE (?1 IS NULL OR department = ?1) "
			       "AND (?2 IS NULL OR instr(name, ?2) > 0 OR instr(code, ?2) > 0) "
			       "ORDER BY code", err);

	*items = jv_array();
	if (!s)
		return store_errcode(err);
	store_bind_text(s, 1, department);
	store_bind_text(s, 2, q);
	return doc_list(st, s, "item", items, err);
}

enum tn_code sqlite_workflow_get(struct store *st, const char *code, jv *wf, struct tn_err *err)
{
	return doc_by_code(st, "SELECT doc FROM workflows WHERE code = ?", "workflow", code, wf, err);
}

enum tn_code sqlite_workflow_list(struct store *st, jv *wfs, struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT doc FROM workflows ORDER BY code", err);

	*wfs = jv_array();
	if (!s)
		return store_errcode(err);
	return doc_list(st, s, "workflow", wfs, err);
}

enum tn_code sqlite_workflow_put(struct store *st, const char *code, jv doc, int *created,
				struct tn_err *err)
{
	sqlite3_stmt *s;
	enum tn_code rc;

	if (created)
		*created = 0;
	if ((rc = store_begin(st, err)) != TN_OK) {
		jv_free(doc);
		return rc;
	}
	s = store_stmt(st, "SELECT 1 FROM workflows WHERE code = ?", err);
	if (!s) {
		jv_free(doc);
		store_rollback(st);
		return store_errcode(err);
	}
	store_bind_text(s, 1, code);
	if (sqlite3_step(s) == SQLITE_DONE && created)
		*created = 1;
	sqlite3_reset(s);
	s = store_stmt(st, "INSERT OR REPLACE INTO workflows (code, doc) VALUES (?, ?)", err);
	if (!s) {
		jv_free(doc);
		store_rollback(st);
		return store_errcode(err);
	}
	store_bind_text(s, 1, code);
	store_bind_json(s, 2, doc);
	rc = store_run(st, s, err, "workflow put");
	if (rc == TN_OK)
		rc = store_commit(st, err);
	if (rc != TN_OK)
		store_rollback(st);
	return rc;
}
