/* assetnet.c — the asset register on the server: the list page by page with filters and a box, one asset, its live state set under its version. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "tn_asset.h"
#include "tn_assetnet.h"
#include "tn_jv.h"
#include "tn_list.h"
#include "tn_text.h"

#define PAGE_ALL 1000

static void param(struct tn_buf *b, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	tn_buf_addf(b, "%c%s=", strchr(b->buf, '?') ? '&' : '?', name);
	tn_url_escape(b, value);
}

enum tn_code tn_asset_query_path(const struct tn_asset_query *q, long limit, const char *cursor,
				 struct tn_buf *path, struct tn_err *err)
{
	double box[4];

	if (tn_list_words_check("--kind", q->kind, TN_ASSET_KINDS, err) != TN_OK ||
	    tn_list_words_check("--state", q->state, TN_ASSET_VEHICLE_STATES "|"
				TN_ASSET_PUMP_STATES, err) != TN_OK)
		return err->code;
	for (const char *p = q->district; p && *p; ) {
		size_t n = strcspn(p, ",");
		char one[64];

		snprintf(one, sizeof(one), "%.*s", (int)(n < sizeof(one) ? n : sizeof(one) - 1), p);
		if (n && !tn_district_find(one))
			return tn_err_set(err, TN_EINVALID, "--district takes one of Shanghai's 16 "
					  "districts (a code or a name), not '%s'", one);
		p += n + (p[n] == ',');
	}
	if (q->bbox && tn_asset_bbox_parse(q->bbox, box) < 0)
		return tn_err_set(err, TN_EUSAGE, "--bbox takes MINLON,MINLAT,MAXLON,MAXLAT in "
				  "degrees (min before max), not '%s'", q->bbox);
	tn_buf_adds(path, "/v1/assets");
	param(path, "kind", q->kind);
	param(path, "district", q->district);
	param(path, "state", q->state);
	param(path, "bbox", q->bbox);
	param(path, "cursor", cursor);
	tn_buf_addf(path, "%climit=%ld", strchr(path->buf, '?') ? '&' : '?', limit);
	return TN_OK;
}

static enum tn_code asset_page(const void *q, long limit, const char *cursor, struct tn_buf *path,
			       struct tn_err *err)
{
	return tn_asset_query_path(q, limit, cursor, path, err);
}

struct tn_pager tn_asset_pager(const struct tn_asset_query *q)
{
	struct tn_pager p = { "asset", q, asset_page, PAGE_ALL };

	return p;
}

/* The path of asset `id` (escaped) and `tail` ("" or "/state") into b. */
static void asset_path(struct tn_buf *b, const char *id, const char *tail)
{
	tn_buf_adds(b, "/v1/assets/");
	tn_url_escape(b, id);
	tn_buf_adds(b, tail);
}

enum tn_code tn_asset_get(struct tn_client *c, const char *id, jv *out, struct tn_err *err)
{
	struct tn_buf path = TN_BUF_INIT;
	enum tn_code rc;

	*out = jv_invalid();
	if (!tn_asset_id_valid(id))
		return tn_err_set(err, TN_EINVALID, "'%s' is not an asset id", id);
	asset_path(&path, id, "");
	rc = tn_client_get(c, path.buf, out, err);
	tn_buf_release(&path);
	if (rc == TN_ENOTFOUND)
		tn_err_set(err, TN_ENOTFOUND, "asset %s not found", id);
	else if (rc == TN_OK && jv_get_kind(*out) != JV_KIND_OBJECT) {
		jv_free(*out);
		*out = jv_invalid();
		rc = tn_err_set(err, TN_ESERVER, "the server's asset %s is not a JSON object", id);
	}
	return rc;
}

enum tn_code tn_asset_state_set(struct tn_client *c, const char *id, long long version,
				jv asset, const char *state, jv *out, struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_buf path = TN_BUF_INIT;
	char etag[32];
	enum tn_code rc;
	jv read = jv_invalid();

	*out = jv_invalid();
	if (!tn_jv_str(asset, "kind")) {
		if ((rc = tn_asset_get(c, id, &read, err)) != TN_OK)
			return rc;
		asset = read;
		if (version < 1)
			version = tn_alert_ll(read, "version");
	}
	rc = tn_asset_state_check(tn_jv_str(asset, "kind"), state, err);
	jv_free(read);
	if (rc != TN_OK) {
		tn_err_prefix(err, "asset %s", id);
		return rc;
	}
	asset_path(&path, id, "/state");
	req.method = "POST";
	req.path = path.buf;
	if (version > 0) {
		snprintf(etag, sizeof(etag), "\"%lld\"", version);
		req.if_match = etag;
	}
	req.body = jv_object_set(jv_object(), jv_string("state"), jv_string(state));
	rc = tn_client_do(c, &req, &resp, err);
	if (rc == TN_OK)
		*out = jv_copy(resp.body);
	tn_response_release(&resp);
	tn_buf_release(&path);
	if (rc == TN_ENOTFOUND)
		tn_err_set(err, TN_ENOTFOUND, "asset %s not found", id);
	return rc;
}

char *tn_asset_from_line(const char *line, long long *version, jv *asset, struct tn_err *err)
{
	const char *p = line;
	size_t n;

	*version = 0;
	*asset = jv_invalid();
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '{') {
		jv o = jv_parse(p);
		const char *id = jv_get_kind(o) == JV_KIND_OBJECT ? tn_jv_str(o, "id") : NULL;
		char *out;

		if (!id || !tn_asset_id_valid(id)) {
			jv_free(o);
			tn_err_set(err, TN_EINVALID, "not an asset id nor an object with an asset's "
				   "\"id\"");
			return NULL;
		}
		out = tn_xstrdup(id);
		*version = tn_alert_ll(o, "version");
		if (*version < 0)
			*version = 0;
		*asset = o;
		return out;
	}
	n = strcspn(p, " \t\r\n");
	if (n == 0 || n > 64 || p[n + strspn(p + n, " \t\r\n")] != '\0') {
		tn_err_set(err, TN_EINVALID, "not an asset id nor an object with an asset's \"id\"");
		return NULL;
	}
	{
		char *id = tn_xstrndup(p, n);

		if (tn_asset_id_valid(id))
			return id;
		free(id);
	}
	tn_err_set(err, TN_EINVALID, "'%.*s' is not an asset id", (int)n, p);
	return NULL;
}
