/* store_assets.c — the city's asset register in SQLite: one row an asset, imported in one transaction, its live state under a version. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_jv.h"
#include "store_assets.h"
#include "../assets_common.h"
#include "store_int.h"

/* Migration 12 -> 13.  doc is the ASSET; the columns are what lists filter on. */
const char store_assets_schema[] =
	"CREATE TABLE IF NOT EXISTS assets ("
	"  id TEXT PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  district TEXT NOT NULL,"
	"  street TEXT,"
	"  department TEXT,"
	"  lat REAL NOT NULL,"
	"  lon REAL NOT NULL,"
	"  state TEXT,"
	"  version INTEGER NOT NULL,"
	"  doc TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS assets_kind ON assets (kind, id);"
	"CREATE INDEX IF NOT EXISTS assets_district ON assets (district, kind);"
	"CREATE INDEX IF NOT EXISTS assets_position ON assets (lat, lon);";

/* Write the stored ASSET `doc` (borrowed): insert (have 0) or update its row. */
static enum tn_code write_row(struct store *st, jv doc, int have, struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, have
		? "UPDATE assets SET kind = ?2, name = ?3, district = ?4, street = ?5, "
		  "department = ?6, lat = ?7, lon = ?8, state = ?9, version = ?10, doc = ?11 "
		  "WHERE id = ?1"
		: "INSERT INTO assets (id, kind, name, district, street, department, lat, lon, "
		  "state, version, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", err);

	if (!s)
		return store_errcode(err);
	store_bind_text(s, 1, tn_jv_str(doc, "id"));
	store_bind_text(s, 2, tn_jv_str(doc, "kind"));
	store_bind_text(s, 3, tn_jv_str(doc, "name"));
	store_bind_text(s, 4, tn_jv_str(doc, "district"));
	store_bind_text(s, 5, tn_jv_str(doc, "street"));
	store_bind_text(s, 6, tn_jv_str(doc, "department"));
	sqlite3_bind_double(s, 7, store_asset_num(doc, "lat"));
	sqlite3_bind_double(s, 8, store_asset_num(doc, "lon"));
	store_bind_text(s, 9, tn_jv_str(doc, "state"));
	sqlite3_bind_int64(s, 10, (long long)store_asset_num(doc, "version"));
	store_bind_json(s, 11, jv_copy(doc));
	return store_run(st, s, err, have ? "asset update" : "asset insert");
}

/* The stored ASSET `id` in *doc (jv_invalid() when none): TN_OK either way, or a database error. */
static enum tn_code stored(struct store *st, const char *id, jv *doc, struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT doc FROM assets WHERE id = ?", err);
	int rc;

	*doc = jv_invalid();
	if (!s)
		return store_errcode(err);
	store_bind_text(s, 1, id);
	rc = store_step_row(st, s, err, "asset get");
	if (rc < 0)
		return store_errcode(err);
	if (rc == 1) {
		*doc = store_col_json(s, 0);
		sqlite3_reset(s);
	}
	return TN_OK;
}

/* Inside a transaction: store_asset_put's work. */
static enum tn_code put(struct store *st, jv doc, long long at, enum store_asset_did *did,
			jv *out, struct tn_err *err)
{
	jv old;
	enum tn_code code = stored(st, tn_jv_str(doc, "id"), &old, err);

	if (code != TN_OK) {
		jv_free(doc);
		return code;
	}
	if (store_asset_merge(old, doc, at, did, out) == 0)
		return TN_OK;
	if ((code = write_row(st, *out, *did == STORE_ASSET_UPDATED, err)) != TN_OK) {
		jv_free(*out);
		*out = jv_invalid();
	}
	return code;
}

enum tn_code sqlite_asset_put(struct store *st, jv doc, long long at, enum store_asset_did *did,
			      jv *out, struct tn_err *err)
{
	enum store_asset_did d = STORE_ASSET_UNCHANGED;
	enum tn_code code;
	jv o = jv_invalid();

	if ((code = store_begin(st, err)) != TN_OK) {
		jv_free(doc);
		return code;
	}
	code = store_end(st, put(st, doc, at, &d, &o, err), err);
	if (did)
		*did = d;
	if (out && code == TN_OK)
		*out = o;
	else
		jv_free(o);
	return code;
}

enum tn_code sqlite_assets_import(struct store *st, store_asset_next_fn *next, void *ctx,
				  long long at, long counts[3], struct tn_err *err)
{
	enum tn_code code;
	int rc;
	jv doc;

	counts[0] = counts[1] = counts[2] = 0;
	if ((code = store_begin(st, err)) != TN_OK)
		return code;
	while (code == TN_OK && (rc = next(ctx, &doc, err)) == 1) {
		enum store_asset_did d;
		jv out;

		code = put(st, doc, at, &d, &out, err);
		if (code == TN_OK) {
			counts[d]++;
			jv_free(out);
		}
	}
	if (code == TN_OK && rc < 0)
		code = err && err->code != TN_OK ? err->code : TN_EINVALID;
	return store_end(st, code, err);
}

enum tn_code sqlite_asset_get(struct store *st, const char *id, jv *doc, struct tn_err *err)
{
	enum tn_code code = stored(st, id, doc, err);

	if (code == TN_OK && !jv_is_valid(*doc))
		return tn_err_set(err, TN_ENOTFOUND, "no asset '%s'", id);
	return code;
}

enum tn_code sqlite_asset_list(struct store *st, const struct store_asset_filter *f, jv *items,
			       char **next, struct tn_err *err)
{
	struct store_query q;
	char after[80], deg[4][32];
	long count = 0;
	int rc;
	sqlite3_stmt *s;
	enum tn_code code = TN_OK;

	*items = jv_invalid();
	*next = NULL;
	if (f->cursor && store_asset_cursor_parse(f->cursor, after, sizeof(after)) != 0)
		return tn_err_set(err, TN_EINVALID, "cursor is not valid for this list");
	store_q_init(&q, "SELECT id, doc FROM assets WHERE 1");
	store_q_in(&q, "kind", f->kind);
	store_q_in(&q, "district", f->district);
	store_q_in(&q, "state", f->state);
	if (f->bbox) {
		store_asset_deg(f->minlat, deg[0], sizeof(deg[0]));
		store_asset_deg(f->maxlat, deg[1], sizeof(deg[1]));
		store_asset_deg(f->minlon, deg[2], sizeof(deg[2]));
		store_asset_deg(f->maxlon, deg[3], sizeof(deg[3]));
		store_q_text(&q, " AND lat >= CAST(? AS REAL)", deg[0]);
		store_q_text(&q, " AND lat <= CAST(? AS REAL)", deg[1]);
		store_q_text(&q, " AND lon >= CAST(? AS REAL)", deg[2]);
		store_q_text(&q, " AND lon <= CAST(? AS REAL)", deg[3]);
	}
	if (f->cursor)
		store_q_text(&q, " AND id > ?", after);
	store_q_num(&q, " ORDER BY id LIMIT ?", f->limit + 1);
	if (!(s = store_q_stmt(st, &q, err)))
		return store_errcode(err);
	*items = jv_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (count == f->limit) {
			jv last = jv_array_get(jv_copy(*items), count - 1);

			*next = store_asset_cursor_make(tn_jv_str_or(last, "id", ""));
			jv_free(last);
			break;
		}
		*items = jv_array_append(*items, store_col_json(s, 1));
		count++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		code = store_fail(st, err, "asset list");
	sqlite3_reset(s);
	if (code != TN_OK) {
		jv_free(*items);
		*items = jv_invalid();
		free(*next);
		*next = NULL;
	}
	return code;
}

/* Inside a transaction: store_asset_set_state's work. */
static enum tn_code set_state(struct store *st, const char *id, long long version,
			      const char *state, long long at, jv *out, struct tn_err *err)
{
	jv doc;
	enum tn_code code = sqlite_asset_get(st, id, &doc, err);
	int rc;

	if (code != TN_OK)
		return code;
	if ((rc = store_asset_restate(doc, version, state, at, out, err)) <= 0)
		return rc < 0 ? TN_ECONFLICT : TN_OK;
	if ((code = write_row(st, *out, 1, err)) != TN_OK) {
		jv_free(*out);
		*out = jv_invalid();
	}
	return code;
}

enum tn_code sqlite_asset_set_state(struct store *st, const char *id, long long version,
				    const char *state, long long at, jv *out, struct tn_err *err)
{
	enum tn_code code;

	*out = jv_invalid();
	if ((code = store_begin(st, err)) != TN_OK)
		return code;
	code = store_end(st, set_state(st, id, version, state, at, out, err), err);
	if (code != TN_OK) {
		jv_free(*out);
		*out = jv_invalid();
	}
	return code;
}

enum tn_code sqlite_asset_counts(struct store *st, const char *kind, const char *state, jv *out,
				 struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT kind, state, district, count(*) FROM assets "
				     "WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR state = ?2) "
				     "GROUP BY kind, state, district ORDER BY 1, 2, 3", err);
	int rc;

	*out = jv_array();
	if (!s)
		return store_errcode(err);
	store_bind_text(s, 1, kind);
	store_bind_text(s, 2, state);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		jv c = jv_object();

		c = jv_object_set(c, jv_string("kind"), store_col_text(s, 0));
		c = jv_object_set(c, jv_string("state"), store_col_text(s, 1));
		c = jv_object_set(c, jv_string("district"), store_col_text(s, 2));
		c = jv_object_set(c, jv_string("count"),
				  jv_number((double)sqlite3_column_int64(s, 3)));
		*out = jv_array_append(*out, c);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		jv_free(*out);
		*out = jv_invalid();
		return store_fail(st, err, "asset counts");
	}
	return TN_OK;
}
