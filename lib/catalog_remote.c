/* catalog_remote.c — the catalog as the server serves it (GET /v1/items, /v1/workflows), in the shape tn_catalog_load builds. */
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_catalog.h"
#include "tn_http.h"
#include "tn_jv.h"

/* Every element of the list at `path`, following `next` cursors; appended to *all. */
static enum tn_code get_all(struct tn_client *c, const char *path, jv *all, struct tn_err *err)
{
	char *cursor = NULL;
	enum tn_code rc = TN_OK;

	for (int page = 0; page < 1000; page++) {
		struct tn_buf p = TN_BUF_INIT;
		jv body, items;

		tn_buf_addf(&p, "%s?limit=1000", path);
		if (cursor) {
			tn_buf_adds(&p, "&cursor=");
			tn_url_escape(&p, cursor);
			free(cursor);
			cursor = NULL;
		}
		rc = tn_client_get(c, p.buf, &body, err);
		tn_buf_release(&p);
		if (rc != TN_OK)
			break;
		items = tn_jv_array(body, "items");
		jv_array_foreach(items, i, e)
			*all = jv_array_append(*all, e);
		jv_free(items);
		cursor = tn_jv_strdup(body, "next");
		jv_free(body);
		if (!cursor || !*cursor)
			break;
	}
	free(cursor);
	return rc;
}

/* Add `entry` (consumed) to the object `idx` under `key` unless it is there. */
static jv add_once(jv idx, const char *key, jv entry)
{
	if (!key || tn_jv_has(idx, key)) {
		jv_free(entry);
		return idx;
	}
	return jv_object_set(idx, jv_string(key), entry);
}

/* The values of an object, in key order, as an array (object consumed). */
static jv values(jv obj)
{
	jv out = jv_array();

	jv_object_foreach(obj, k, v) {
		out = jv_array_append(out, v);
		jv_free(k);
	}
	jv_free(obj);
	return out;
}

/* Departments, fields and materials as the items name them. */
static jv derive(jv catalog, jv items)
{
	jv depts = jv_object(), fields = jv_object(), mats = jv_object();
	jv dlist = jv_array();

	jv_array_foreach(items, i, it) {
		const char *d = tn_jv_str(it, "department");
		jv fl = tn_jv_array(it, "fields"), ml = tn_jv_array(it, "materials");

		if (d && !tn_jv_has(depts, d)) {
			jv e = jv_object_set(jv_object(), jv_string("code"), jv_string(d));

			e = jv_object_set(e, jv_string("name"), tn_jv_get(it, "department_name"));
			dlist = jv_array_append(dlist, jv_copy(e));
			depts = add_once(depts, d, e);
		}
		jv_array_foreach(fl, j, f) {
			jv e = jv_copy(f);

			/* the dictionary's label, not one department's wording */
			if (tn_jv_str(f, "canonical_label"))
				e = jv_object_set(e, jv_string("label"), tn_jv_get(f, "canonical_label"));
			e = jv_object_delete(e, jv_string("canonical_label"));
			fields = add_once(fields, tn_jv_str(f, "name"), e);
			jv_free(f);
		}
		jv_array_foreach(ml, j, m) {
			jv e = jv_object_delete(jv_object_delete(jv_copy(m), jv_string("asked_as")),
						jv_string("required"));

			mats = add_once(mats, tn_jv_str(m, "code"), e);
			jv_free(m);
		}
		jv_free(fl);
		jv_free(ml);
		jv_free(it);
	}
	jv_free(items);
	jv_free(depts);
	catalog = jv_object_set(catalog, jv_string("departments"), dlist);
	catalog = jv_object_set(catalog, jv_string("fields"), values(fields));
	return jv_object_set(catalog, jv_string("materials"), values(mats));
}

/* A published (merged) workflow lists item objects: keep their codes, as the catalog's do. */
static jv workflow_codes(jv flows)
{
	jv out = jv_array();

	jv_array_foreach(flows, i, w) {
		jv items = tn_jv_array(w, "items"), codes = jv_array();

		jv_array_foreach(items, j, e) {
			codes = jv_array_append(codes, jv_get_kind(e) == JV_KIND_OBJECT
						? tn_jv_get(e, "code") : jv_copy(e));
			jv_free(e);
		}
		jv_free(items);
		out = jv_array_append(out, jv_object_set(w, jv_string("items"), codes));
	}
	jv_free(flows);
	return out;
}

enum tn_code tn_catalog_fetch(struct tn_client *c, jv *catalog, struct tn_err *err)
{
	jv items = jv_array(), flows = jv_array();
	enum tn_code rc;

	*catalog = jv_invalid();
	if ((rc = get_all(c, "/v1/items", &items, err)) != TN_OK ||
	    (rc = get_all(c, "/v1/workflows", &flows, err)) != TN_OK) {
		jv_free(items);
		jv_free(flows);
		return rc;
	}
	*catalog = jv_object_set(jv_object(), jv_string("items"), jv_copy(items));
	*catalog = jv_object_set(*catalog, jv_string("workflows"), workflow_codes(flows));
	*catalog = derive(*catalog, items);
	return TN_OK;
}
