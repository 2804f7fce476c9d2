/* pg_assets.c — the city's asset register in PostgreSQL: one row an asset, imported in one transaction, its live state under a version. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_jv.h"
#include "store_assets.h"
#include "../assets_common.h"
#include "pg_int.h"

#define T "text COLLATE \"C\""

/* Schema 12 -> 13, as SQLite's (store_assets.c); ids in byte order ("C") as SQLite's. */
const char pg_schema_13[] =
	"CREATE TABLE assets ("
	"  id " T " PRIMARY KEY,"
	"  kind " T " NOT NULL,"
	"  name text NOT NULL,"
	"  district " T " NOT NULL,"
	"  street " T ","
	"  department text,"
	"  lat double precision NOT NULL,"
	"  lon double precision NOT NULL,"
	"  state " T ","
	"  version bigint NOT NULL,"
	"  doc json NOT NULL);"
	"CREATE INDEX assets_kind ON assets (kind, id);"
	"CREATE INDEX assets_district ON assets (district, kind);"
	"CREATE INDEX assets_position ON assets (lat, lon);";

/* Write the stored ASSET `doc` (borrowed): insert (have 0) or update its row. */
static enum tn_code write_row(struct pg_store *p, jv doc, int have, struct tn_err *err)
{
	char lat[32], lon[32];

	store_asset_deg(store_asset_num(doc, "lat"), lat, sizeof(lat));
	store_asset_deg(store_asset_num(doc, "lon"), lon, sizeof(lon));
	return pg_query(p, NULL, err, have ? "asset update" : "asset insert", have
		? "UPDATE assets SET kind = $2, name = $3, district = $4, street = $5, "
		  "department = $6, lat = $7::double precision, lon = $8::double precision, "
		  "state = $9, version = $10, doc = $11 WHERE id = $1"
		: "INSERT INTO assets (id, kind, name, district, street, department, lat, lon, "
		  "state, version, doc) VALUES ($1, $2, $3, $4, $5, $6, $7::double precision, "
		  "$8::double precision, $9, $10, $11)",
		"tttttttttlj", tn_jv_str(doc, "id"), tn_jv_str(doc, "kind"), tn_jv_str(doc, "name"),
		tn_jv_str(doc, "district"), tn_jv_str(doc, "street"), tn_jv_str(doc, "department"),
		lat, lon, tn_jv_str(doc, "state"), (long)store_asset_num(doc, "version"), jv_copy(doc));
}

/* The stored ASSET `id` in *doc (jv_invalid() when none), locked for update inside a transaction. */
static enum tn_code stored(struct pg_store *p, const char *id, int lock, jv *doc,
			   struct tn_err *err)
{
	PGresult *r;
	enum tn_code code = pg_query(p, &r, err, "asset get", lock
				     ? "SELECT doc FROM assets WHERE id = $1 FOR UPDATE"
				     : "SELECT doc FROM assets WHERE id = $1", "t", id);

	*doc = jv_invalid();
	if (code != TN_OK)
		return code;
	if (PQntuples(r) == 1)
		*doc = pg_json(r, 0, 0);
	PQclear(r);
	return TN_OK;
}

/* Inside a transaction: store_asset_put's work (as SQLite's). */
static enum tn_code put(struct pg_store *p, jv doc, long long at, enum store_asset_did *did,
			jv *out, struct tn_err *err)
{
	jv old;
	enum tn_code code = stored(p, tn_jv_str(doc, "id"), 1, &old, err);

	if (code != TN_OK) {
		jv_free(doc);
		return code;
	}
	if (store_asset_merge(old, doc, at, did, out) == 0)
		return TN_OK;
	if ((code = write_row(p, *out, *did == STORE_ASSET_UPDATED, err)) != TN_OK) {
		jv_free(*out);
		*out = jv_invalid();
	}
	return code;
}

enum tn_code pg_asset_put(struct store *st, jv doc, long long at, enum store_asset_did *did,
			  jv *out, struct tn_err *err)
{
	enum store_asset_did d = STORE_ASSET_UNCHANGED;
	enum tn_code code;
	jv o = jv_invalid();

	if ((code = pg_begin(PG(st), err)) != TN_OK) {
		jv_free(doc);
		return code;
	}
	code = pg_end(PG(st), put(PG(st), doc, at, &d, &o, err), err);
	if (did)
		*did = d;
	if (out && code == TN_OK)
		*out = o;
	else
		jv_free(o);
	return code;
}

/*
 * Inside a transaction: store_asset_put's work in one statement, for an
 * import (no result wanted): an insert, or an update only when the document
 * without version, updated_at and state differs (as store_asset_same), the
 * live state kept.  *did from what it returned: no row, unchanged.
 */
static enum tn_code put_one(struct pg_store *p, jv doc, long long at, enum store_asset_did *did,
			    struct tn_err *err)
{
	PGresult *r;
	char lat[32], lon[32];
	enum tn_code code;

	doc = store_asset_stamp(doc, 1, at, NULL);
	store_asset_deg(store_asset_num(doc, "lat"), lat, sizeof(lat));
	store_asset_deg(store_asset_num(doc, "lon"), lon, sizeof(lon));
	code = pg_query(p, &r, err, "asset import",
		"INSERT INTO assets AS a (id, kind, name, district, street, department, lat, lon, "
		"state, version, doc) VALUES ($1, $2, $3, $4, $5, $6, $7::double precision, "
		"$8::double precision, $9, 1, $10) ON CONFLICT (id) DO UPDATE SET "
		"kind = EXCLUDED.kind, name = EXCLUDED.name, district = EXCLUDED.district, "
		"street = EXCLUDED.street, department = EXCLUDED.department, lat = EXCLUDED.lat, "
		"lon = EXCLUDED.lon, version = a.version + 1, doc = (EXCLUDED.doc::jsonb || "
		"jsonb_build_object('version', a.version + 1, 'state', a.state))::json "
		"WHERE (a.doc::jsonb - 'version' - 'updated_at' - 'state') IS DISTINCT FROM "
		"(EXCLUDED.doc::jsonb - 'version' - 'updated_at' - 'state') RETURNING xmax = 0",
		"tttttttttj", tn_jv_str(doc, "id"), tn_jv_str(doc, "kind"), tn_jv_str(doc, "name"),
		tn_jv_str(doc, "district"), tn_jv_str(doc, "street"), tn_jv_str(doc, "department"),
		lat, lon, tn_jv_str(doc, "state"), jv_copy(doc));
	jv_free(doc);
	if (code != TN_OK)
		return code;
	if (PQntuples(r) == 0)
		*did = STORE_ASSET_UNCHANGED;
	else
		*did = strcmp(PQgetvalue(r, 0, 0), "t") == 0 ? STORE_ASSET_ADDED : STORE_ASSET_UPDATED;
	PQclear(r);
	return TN_OK;
}

enum tn_code pg_assets_import(struct store *st, store_asset_next_fn *next, void *ctx,
			      long long at, long counts[3], struct tn_err *err)
{
	enum tn_code code;
	int rc = 0;
	jv doc;

	counts[0] = counts[1] = counts[2] = 0;
	if ((code = pg_begin(PG(st), err)) != TN_OK)
		return code;
	while (code == TN_OK && (rc = next(ctx, &doc, err)) == 1) {
		enum store_asset_did d;

		if ((code = put_one(PG(st), doc, at, &d, err)) == TN_OK)
			counts[d]++;
	}
	if (code == TN_OK && rc < 0)
		code = err && err->code != TN_OK ? err->code : TN_EINVALID;
	return pg_end(PG(st), code, err);
}

enum tn_code pg_asset_get(struct store *st, const char *id, jv *doc, struct tn_err *err)
{
	enum tn_code code = stored(PG(st), id, 0, doc, err);

	if (code == TN_OK && !jv_is_valid(*doc))
		return tn_err_set(err, TN_ENOTFOUND, "no asset '%s'", id);
	return code;
}

enum tn_code pg_asset_list(struct store *st, const struct store_asset_filter *f, jv *items,
			   char **next, struct tn_err *err)
{
	struct aq q;
	PGresult *r;
	char after[80], deg[4][32];
	long count = 0;
	int rows;
	enum tn_code code;

	*items = jv_invalid();
	*next = NULL;
	if (f->cursor && store_asset_cursor_parse(f->cursor, after, sizeof(after)) != 0)
		return tn_err_set(err, TN_EINVALID, "cursor is not valid for this list");
	memset(&q, 0, sizeof(q));
	tn_buf_init(&q.sql);
	tn_buf_adds(&q.sql, "SELECT id, doc FROM assets WHERE true");
	pg_aq_in(&q, "kind", f->kind);
	pg_aq_in(&q, "district", f->district);
	pg_aq_in(&q, "state", f->state);
	if (f->bbox) {
		store_asset_deg(f->minlat, deg[0], sizeof(deg[0]));
		store_asset_deg(f->maxlat, deg[1], sizeof(deg[1]));
		store_asset_deg(f->minlon, deg[2], sizeof(deg[2]));
		store_asset_deg(f->maxlon, deg[3], sizeof(deg[3]));
		pg_aq_text(&q, " AND lat >= ", deg[0]);
		pg_aq_text(&q, "::double precision AND lat <= ", deg[1]);
		pg_aq_text(&q, "::double precision AND lon >= ", deg[2]);
		pg_aq_text(&q, "::double precision AND lon <= ", deg[3]);
		tn_buf_adds(&q.sql, "::double precision");
	}
	if (f->cursor)
		pg_aq_text(&q, " AND id > ", after);
	pg_aq_num(&q, " ORDER BY id LIMIT ", f->limit + 1);
	if ((code = pg_aq_run(PG(st), &q, &r, "asset list", err)) != TN_OK)
		return code;
	*items = jv_array();
	rows = PQntuples(r);
	for (int i = 0; i < rows; i++) {
		if (count == f->limit) {
			*next = store_asset_cursor_make(PQgetvalue(r, i - 1, 0));
			break;
		}
		*items = jv_array_append(*items, pg_json(r, i, 1));
		count++;
	}
	PQclear(r);
	return TN_OK;
}

/* Inside a transaction: store_asset_set_state's work (as SQLite's). */
static enum tn_code set_state(struct pg_store *p, const char *id, long long version,
			      const char *state, long long at, jv *out, struct tn_err *err)
{
	jv doc;
	enum tn_code code = stored(p, id, 1, &doc, err);
	int rc;

	if (code != TN_OK)
		return code;
	if (!jv_is_valid(doc))
		return tn_err_set(err, TN_ENOTFOUND, "no asset '%s'", id);
	if ((rc = store_asset_restate(doc, version, state, at, out, err)) <= 0)
		return rc < 0 ? TN_ECONFLICT : TN_OK;
	if ((code = write_row(p, *out, 1, err)) != TN_OK) {
		jv_free(*out);
		*out = jv_invalid();
	}
	return code;
}

enum tn_code pg_asset_set_state(struct store *st, const char *id, long long version,
				const char *state, long long at, jv *out, struct tn_err *err)
{
	enum tn_code code;

	*out = jv_invalid();
	if ((code = pg_begin(PG(st), err)) != TN_OK)
		return code;
	code = pg_end(PG(st), set_state(PG(st), id, version, state, at, out, err), err);
	if (code != TN_OK) {
		jv_free(*out);
		*out = jv_invalid();
	}
	return code;
}

enum tn_code pg_asset_counts(struct store *st, const char *kind, const char *state, jv *out,
			     struct tn_err *err)
{
	PGresult *r;
	enum tn_code code = pg_query(PG(st), &r, err, "asset counts", "SELECT kind, state, "
				     "district, count(*) FROM assets WHERE ($1::text IS NULL OR "
				     "kind = $1) AND ($2::text IS NULL OR state = $2) GROUP BY kind, "
				     "state, district ORDER BY 1, 2, 3", "tt", kind, state);

	*out = jv_invalid();
	if (code != TN_OK)
		return code;
	*out = jv_array();
	for (int i = 0; i < PQntuples(r); i++) {
		jv c = jv_object();

		c = jv_object_set(c, jv_string("kind"), pg_text(r, i, 0));
		c = jv_object_set(c, jv_string("state"), pg_text(r, i, 1));
		c = jv_object_set(c, jv_string("district"), pg_text(r, i, 2));
		c = jv_object_set(c, jv_string("count"), jv_number((double)pg_long(r, i, 3)));
		*out = jv_array_append(*out, c);
	}
	PQclear(r);
	return TN_OK;
}
