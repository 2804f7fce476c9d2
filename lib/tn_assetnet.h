/* tn_assetnet.h — the asset register on the server: the list page by page with filters and a box, one asset, its live state set under its version. */
#ifndef TN_ASSETNET_H
#define TN_ASSETNET_H

#include <jv.h>

#include "tn_buf.h"
#include "tn_err.h"
#include "tn_http.h"
#include "tn_list.h"

/* The filters of GET /v1/assets; NULL members are not sent. */
struct tn_asset_query {
	const char *kind, *district, *state;    /* ','-separated */
	const char *bbox;                       /* minlon,minlat,maxlon,maxlat */
};

/*
 * The request path of a page of `limit` assets after `cursor` (NULL: the
 * first).  A kind or state the register does not know is TN_EINVALID (with
 * the closest suggested); a bbox that is not four numbers, min before max,
 * TN_EUSAGE.  Nothing is sent.
 */
enum tn_code tn_asset_query_path(const struct tn_asset_query *q, long limit, const char *cursor,
				 struct tn_buf *path, struct tn_err *err);

/* The pager of GET /v1/assets with `q` (borrowed), for tn_list_pages and tn_cmd_list_run. */
struct tn_pager tn_asset_pager(const struct tn_asset_query *q);

/* GET /v1/assets/{id}: the ASSET (owned) in *out; TN_ENOTFOUND "asset ID not found". */
enum tn_code tn_asset_get(struct tn_client *c, const char *id, jv *out, struct tn_err *err);

/*
 * POST /v1/assets/{id}/state {"state"} with If-Match: "VERSION" when
 * version > 0.  The state is first checked against the kind when `asset`
 * (borrowed; jv_invalid() or null: read first) is known, so a state the kind
 * has not is never sent (TN_EINVALID).  A stale version is TN_ECONFLICT with
 * the server's words, a vehicle not the crew's TN_EAUTH, no such asset
 * TN_ENOTFOUND.  The updated ASSET (owned) in *out.
 */
enum tn_code tn_asset_state_set(struct tn_client *c, const char *id, long long version,
				jv asset, const char *state, jv *out, struct tn_err *err);

/*
 * An asset from a line of stdin: a bare id, or an NDJSON object with "id"
 * (an ASSET, as asset-list writes it: its "version" is acted on).  The id
 * (malloc'd) or NULL with err set; *version its version (0: none); *asset
 * the object (owned; jv_invalid() for a bare id).
 */
char *tn_asset_from_line(const char *line, long long *version, jv *asset, struct tn_err *err);

#endif
