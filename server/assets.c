/* assets.c — the asset register over HTTP: the list with filters and a bounding box, one asset, its live state set under a version. */
/*
 * Operators, crews and admins read the register; operators and admins set
 * any asset's live state, a crew token (its crew's name as its subject)
 * only its own vehicle's: the vehicle whose id, or whose props.crew, is
 * the token's subject.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tn_alert.h"
#include "tn_asset.h"
#include "tn_jv.h"
#include "jvutil.h"
#include "store_assets.h"
#include "twonetd.h"

#define LIST_MAX 16

/* bbox=minlon,minlat,maxlon,maxlat into f: 0, or -1 when malformed. */
static int parse_bbox(const char *s, struct store_asset_filter *f)
{
	double v[4];

	if (tn_asset_bbox_parse(s, v) < 0)
		return -1;
	f->bbox = 1;
	f->minlon = v[0];
	f->minlat = v[1];
	f->maxlon = v[2];
	f->maxlat = v[3];
	return 0;
}

void assets_list(struct req *q, const char *arg)
{
	static const char *const allowed[] = {
		"kind", "district", "state", "bbox", "limit", "cursor", NULL
	};
	struct store_asset_filter f;
	struct tn_err err = TN_ERR_INIT;
	char *kind[LIST_MAX + 1], *district[LIST_MAX + 1], *state[LIST_MAX + 1], *next = NULL;
	const char *v;
	jv items;

	(void)arg;
	memset(&f, 0, sizeof(f));
	f.limit = 100;
	kind[0] = district[0] = state[0] = NULL;
	if (req_query_check(q, allowed) < 0)
		return;
	if (query_list(req_query(q, "kind"), kind, LIST_MAX) < 0 ||
	    query_list(req_query(q, "district"), district, LIST_MAX) < 0 ||
	    query_list(req_query(q, "state"), state, LIST_MAX) < 0) {
		reply_problem(q, 400, NULL, "at most %d values in a list filter", LIST_MAX);
		goto out;
	}
	if (query_list_check(q, "kind", kind, TN_ASSET_KINDS) < 0 ||
	    query_list_check(q, "state", state, TN_ASSET_VEHICLE_STATES "|" TN_ASSET_PUMP_STATES) < 0)
		goto out;
	for (int i = 0; district[i]; i++) {
		const struct tn_district *d = tn_district_find(district[i]);

		if (!d) {
			reply_problem(q, 400, "district", "'%s' is not one of Shanghai's 16 districts",
				      district[i]);
			goto out;
		}
		free(district[i]);
		district[i] = tn_xstrdup(d->code);
	}
	f.kind = kind[0] ? kind : NULL;
	f.district = district[0] ? district : NULL;
	f.state = state[0] ? state : NULL;
	if ((v = req_query(q, "bbox")) && parse_bbox(v, &f) < 0) {
		reply_problem(q, 400, "bbox", "bbox takes minlon,minlat,maxlon,maxlat in degrees "
			      "(min <= max), not '%s'", v);
		goto out;
	}
	if ((v = req_query(q, "limit")) &&
	    (tn_parse_long(v, &f.limit) != 0 || f.limit < 1 || f.limit > 1000)) {
		reply_problem(q, 400, "limit", "limit must be a number from 1 to 1000, not '%s'", v);
		goto out;
	}
	f.cursor = req_query(q, "cursor");
	if (store_asset_list(q->srv->st, &f, &items, &next, &err) != TN_OK) {
		if (err.code == TN_EINVALID)
			reply_problem(q, 400, "cursor", "%s", err.message);
		else
			reply_error(q, &err);
		goto out;
	}
	reply_list(q, items, next);
	free(next);
out:
	query_list_free(kind);
	query_list_free(district);
	query_list_free(state);
}

/* Reply with an ASSET (consumed) and its version as the ETag. */
static void reply_asset(struct req *q, jv doc)
{
	char etag[32];

	snprintf(etag, sizeof(etag), "\"%ld\"", tn_jv_long(doc, "version", 0));
	req_set_header(q, "ETag", etag);
	reply_json(q, 200, doc);
}

void assets_one(struct req *q, const char *id)
{
	struct tn_err err = TN_ERR_INIT;
	jv doc;

	if (!tn_asset_id_valid(id)) {
		reply_problem(q, 404, NULL, "no asset '%s'", id);
		return;
	}
	if (store_asset_get(q->srv->st, id, &doc, &err) != TN_OK) {
		reply_error(q, &err);
		return;
	}
	reply_asset(q, doc);
}

/* Whether a crew token may set the state of `doc` (borrowed): its own vehicle only. */
static int crew_owns(struct req *q, jv doc)
{
	jv props = tn_jv_object(doc, "props");
	int own = q->tok.subject && tn_jv_is(doc, "kind", "vehicle") &&
		  (tn_jv_is(doc, "id", q->tok.subject) || tn_jv_is(props, "crew", q->tok.subject));

	jv_free(props);
	return own;
}

void assets_state(struct req *q, const char *id)
{
	static const char *const keys[] = { "state", NULL };
	struct tn_err err = TN_ERR_INIT;
	long long want = -1;
	const char *h, *state;
	jv body, doc = jv_invalid(), out;

	if (!tn_asset_id_valid(id)) {
		reply_problem(q, 404, NULL, "no asset '%s'", id);
		return;
	}
	if ((h = req_header(q, "If-Match")) != NULL && (want = if_match_version(h)) < 0) {
		reply_problem(q, 400, NULL, "If-Match must be an asset's version, not '%s'", h);
		return;
	}
	if (req_body(q, &body) < 0)
		return;
	if (reply_unknown_member(q, body, keys, NULL) < 0)
		goto out;
	if (store_asset_get(q->srv->st, id, &doc, &err) != TN_OK) {
		reply_error(q, &err);
		goto out;
	}
	if (q->tok.role && strcmp(q->tok.role, "crew") == 0 && !crew_owns(q, doc)) {
		reply_problem(q, 403, NULL, "a crew token sets the state of its own vehicle only");
		goto out;
	}
	state = tn_jv_str(body, "state");
	if (tn_asset_state_check(tn_jv_str(doc, "kind"), state ? state : "", &err) != TN_OK) {
		reply_problem(q, 422, "state", "%s", err.message);
		goto out;
	}
	if (store_asset_set_state(q->srv->st, id, want, state, (long long)time(NULL), &out,
				  &err) != TN_OK) {
		if (err.code == TN_ECONFLICT)
			reply_problem(q, 412, NULL, "%s", err.message);
		else
			reply_error(q, &err);
		goto out;
	}
	reply_asset(q, out);
out:
	jv_free(doc);
	jv_free(body);
}
