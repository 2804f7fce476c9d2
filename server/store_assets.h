/* store_assets.h — the city's asset register in twonetd's storage: pump stations, flood points, evacuation points, compounds, teams and vehicles with their live state. */
#ifndef TWONETD_STORE_ASSETS_H
#define TWONETD_STORE_ASSETS_H

#include <jv.h>

#include "tn_err.h"
#include "store.h"

/*
 * An ASSET (doc/api-assets.md, lib/tn_asset.h) is one row keyed by its id
 * (the GeoJSON feature's, "PS-0001"); the store reads from it the columns
 * it filters on (kind, district, street, state, lat, lon) and keeps the
 * whole document.  "version" starts at 1 and grows by one on each change;
 * "updated_at" is the RFC 3339 time of the last change.  Ownership follows
 * store.h: jv arguments are consumed, jv results are the caller's.
 */

/* What store_asset_put did. */
enum store_asset_did { STORE_ASSET_UNCHANGED, STORE_ASSET_ADDED, STORE_ASSET_UPDATED };

/*
 * Write the ASSET `doc` (consumed; lib's tn_asset_from_feature made it) by
 * its "id", at `at` (epoch seconds), in a transaction of its own: a new id
 * is added at version 1; a known one whose document (without version,
 * updated_at and state) is the same is left alone, not written
 * (STORE_ASSET_UNCHANGED); otherwise it is updated, version + 1.  A known
 * asset keeps its live state (only store_asset_set_state changes it): the
 * doc's state is the one a new asset starts in.  *did (may be NULL) says
 * which; *out (may be NULL) gets the stored ASSET.
 */
enum tn_code store_asset_put(struct store *st, jv doc, long long at, enum store_asset_did *did,
			     jv *out, struct tn_err *err);

/*
 * The source of an import: 1 with the next ASSET in *doc (the store's), 0
 * at the end, -1 to stop (err set): the import is rolled back.
 */
typedef int store_asset_next_fn(void *ctx, jv *doc, struct tn_err *err);

/*
 * Every ASSET `next` gives, each written as store_asset_put does, in ONE
 * transaction: when `next` or a write fails nothing is written.  counts[]
 * (indexed by enum store_asset_did) get how many were left, added and
 * updated.  Memory does not grow with the number of assets.
 */
enum tn_code store_assets_import(struct store *st, store_asset_next_fn *next, void *ctx,
				 long long at, long counts[3], struct tn_err *err);

/* The ASSET `id` in *doc; TN_ENOTFOUND when none. */
enum tn_code store_asset_get(struct store *st, const char *id, jv *doc, struct tn_err *err);

/* Filters of GET /v1/assets.  NULL means no filter; lists are NULL-terminated. */
struct store_asset_filter {
	char **kind, **district, **state;
	int bbox;                       /* 1: only inside min/max lon/lat (edges included) */
	double minlon, minlat, maxlon, maxlat;
	const char *cursor;             /* from a previous page, or NULL */
	long limit;                     /* 1..1000 */
};

/*
 * One page of ASSETs by id (byte order) in *items and the next page's
 * cursor in *next (malloc'd, NULL on the last page).  A foreign cursor is
 * TN_EINVALID.
 */
enum tn_code store_asset_list(struct store *st, const struct store_asset_filter *f, jv *items,
			      char **next, struct tn_err *err);

/*
 * Set asset `id`'s live state to `state` (checked by the caller against the
 * asset's kind) at `at`, when its version is `version` (-1: any):
 * TN_ENOTFOUND when there is no such asset, TN_ECONFLICT "asset ID is at
 * version V, not W" when the version differs.  The same state again writes
 * nothing and gives the asset as it is.  *out gets the stored ASSET.
 */
enum tn_code store_asset_set_state(struct store *st, const char *id, long long version,
				   const char *state, long long at, jv *out, struct tn_err *err);

/*
 * How many assets there are, grouped by kind, state and district: *out an
 * array of {"kind", "state" (null for kinds without one), "district",
 * "count"} ordered by kind, state, district, of the assets of `kind` and in
 * `state` (each NULL: any).  What the vital signs count: pump stations in
 * fault (kind "pump_station", state "fault"), trucks free (kind "vehicle",
 * state "free"); sum the counts for the city, or read one district's.
 */
enum tn_code store_asset_counts(struct store *st, const char *kind, const char *state, jv *out,
				struct tn_err *err);

#endif
