/* assets_common.h — the asset register's rules every storage backend shares: when an ASSET changed, its stored form, its list cursor. */
#ifndef TWONETD_ASSETS_COMMON_H
#define TWONETD_ASSETS_COMMON_H

#include <jv.h>

#include "tn_err.h"
#include "store_assets.h"

/*
 * 1 when the ASSETs `stored` and `doc` (borrowed) say the same thing once
 * version, updated_at and state (the live state, kept by an import) are
 * left out: an import writes nothing then.
 */
int store_asset_same(jv stored, jv doc);

/*
 * `doc` (consumed) as stored: "version" `version`, "updated_at" the RFC
 * 3339 time of `at`, and "state" `state` (borrowed; NULL keeps doc's).
 */
jv store_asset_stamp(jv doc, long long version, long long at, const char *state);

/* Number member `key` of `doc` (borrowed), 0 when absent. */
double store_asset_num(jv doc, const char *key);

/*
 * What a write of the ASSET `doc` (consumed) over the stored `old`
 * (consumed; jv_invalid() when there is none) does, at `at`: *did says
 * which; *out gets the ASSET as it is to be stored.  1 when *out must be
 * written (added or updated), 0 when nothing changes (*out the stored one).
 */
int store_asset_merge(jv old, jv doc, long long at, enum store_asset_did *did, jv *out);

/*
 * The stored ASSET `doc` (consumed) set to `state` at `at` under `version`
 * (-1: any): -1 with err TN_ECONFLICT when its version differs; 0 when it is
 * in that state already (*out the stored one); 1 when *out (version + 1)
 * must be written.
 */
int store_asset_restate(jv doc, long long version, const char *state, long long at, jv *out,
			struct tn_err *err);

/*
 * The cursor of the asset list after asset `id`: hex of "A:ID" (malloc'd);
 * parse writes the id into buf (size bytes) and returns 0, or -1 for a
 * cursor of another list.
 */
char *store_asset_cursor_make(const char *id);
int store_asset_cursor_parse(const char *cur, char *buf, size_t size);

/* A position's degrees as SQL text ("121.4900000"), into buf (at least 32 bytes). */
void store_asset_deg(double v, char *buf, size_t size);

#endif
