/* casenet.c — cases on the server: filing one, listing, showing, acting (bulk filing: casebulk.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_case.h"
#include "tn_http.h"
#include "tn_jv.h"
#include "tn_list.h"

/* ---- filing ---- */

enum tn_code tn_case_submit(struct tn_client *c, jv body, const char *key,
			    const char *consent_code, jv *created, int *replayed,
			    struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_buf code = TN_BUF_INIT;
	const char *hdrs[2] = { NULL, NULL };
	enum tn_code rc;

	req.method = "POST";
	req.path = "/v1/cases";
	req.body = body;
	req.idempotency_key = key;
	if (consent_code && *consent_code) {
		tn_buf_addf(&code, "X-Consent-Code: %s", consent_code);
		hdrs[0] = code.buf;
		req.headers = hdrs;
	}
	rc = tn_client_do(c, &req, &resp, err);
	tn_buf_release(&code);
	if (rc == TN_OK) {
		*created = jv_copy(resp.body);
		*replayed = resp.status == 200;
	}
	tn_response_release(&resp);
	return rc;
}

/* ---- listing ---- */

static void add_param(struct tn_buf *path, int *first, const char *name, const char *value)
{
	if (!value)
		return;
	tn_buf_addch(path, *first ? '?' : '&');
	*first = 0;
	tn_buf_adds(path, name);
	tn_buf_addch(path, '=');
	tn_url_escape(path, value);
}

enum tn_code tn_case_query_path(const struct tn_case_query *q, long page_size,
				const char *cursor, struct tn_buf *path, struct tn_err *err)
{
	int first = 1;
	long day;
	char num[32];

	if (q->since && tn_date_parse(q->since, &day) != 0)
		return tn_err_set(err, TN_EUSAGE, "invalid --since '%s': expected YYYY-MM-DD", q->since);
	if (q->until && tn_date_parse(q->until, &day) != 0)
		return tn_err_set(err, TN_EUSAGE, "invalid --until '%s': expected YYYY-MM-DD", q->until);
	tn_buf_adds(path, "/v1/cases");
	add_param(path, &first, "status", q->status);
	add_param(path, &first, "item", q->item);
	add_param(path, &first, "department", q->department);
	add_param(path, &first, "applicant", q->applicant);
	if (q->overdue >= 0)
		add_param(path, &first, "overdue", q->overdue ? "true" : "false");
	add_param(path, &first, "since", q->since);
	add_param(path, &first, "until", q->until);
	add_param(path, &first, "q", q->q);
	add_param(path, &first, "order", q->order);
	if (page_size > 0) {
		snprintf(num, sizeof(num), "%ld", page_size);
		add_param(path, &first, "limit", num);
	}
	add_param(path, &first, "cursor", cursor);
	return TN_OK;
}

#define PAGE_ALL 500

enum tn_code tn_case_list(struct tn_client *c, const struct tn_case_query *q, long limit,
			  tn_case_each_fn fn, void *ctx, struct tn_err *err)
{
	return tn_case_list_end(c, q, limit, fn, ctx, NULL, err);
}

static enum tn_code case_page(const void *q, long limit, const char *cursor, struct tn_buf *path,
			     struct tn_err *err)
{
	return tn_case_query_path(q, limit, cursor, path, err);
}

struct tn_pager tn_case_pager(const struct tn_case_query *q)
{
	struct tn_pager p = { "case", q, case_page, PAGE_ALL };

	return p;
}

enum tn_code tn_case_list_end(struct tn_client *c, const struct tn_case_query *q, long limit,
			      tn_case_each_fn fn, void *ctx, struct tn_list_end *end,
			      struct tn_err *err)
{
	struct tn_pager p = tn_case_pager(q);

	return tn_list_pages(c, &p, limit, fn, ctx, end, err);
}

/* ---- one case ---- */

static void case_path(struct tn_buf *b, const char *id, const char *suffix)
{
	tn_buf_adds(b, "/v1/cases/");
	tn_url_escape(b, id);
	tn_buf_adds(b, suffix);
}

/* GET the case; a 404 becomes "case 'ID' not found". */
static enum tn_code get_case(struct tn_client *c, const char *id, jv *out, struct tn_err *err)
{
	struct tn_buf path = TN_BUF_INIT;
	enum tn_code rc;

	case_path(&path, id, "");
	rc = tn_client_get(c, path.buf, out, err);
	tn_buf_release(&path);
	if (rc == TN_ENOTFOUND)
		tn_err_set(err, TN_ENOTFOUND, "case '%s' not found", id);
	return rc;
}

enum tn_code tn_case_get(struct tn_client *c, const char *id, int with_events, jv *out,
			 struct tn_err *err)
{
	struct tn_buf path = TN_BUF_INIT;
	char *cursor = NULL;
	jv kase, events = jv_array();
	enum tn_code rc = get_case(c, id, &kase, err);

	if (rc != TN_OK) {
		jv_free(events);
		return rc;
	}
	while (with_events) {
		tn_buf_reset(&path);
		case_path(&path, id, "/events");
		if (cursor) {
			tn_buf_adds(&path, "?cursor=");
			tn_url_escape(&path, cursor);
		}
		jv body;
		rc = tn_client_get(c, path.buf, &body, err);
		if (rc != TN_OK) {
			if (rc == TN_ENOTFOUND)
				tn_err_set(err, TN_ENOTFOUND, "case '%s' not found", id);
			break;
		}
		const char *next = tn_jv_str(body, "next");

		events = jv_array_concat(events, tn_jv_array(body, "items"));
		free(cursor);
		cursor = next && *next ? tn_xstrdup(next) : NULL;
		jv_free(body);
		if (!cursor)
			break;
	}
	free(cursor);
	tn_buf_release(&path);
	if (rc != TN_OK) {
		jv_free(kase);
		jv_free(events);
		return rc;
	}
	if (with_events)
		kase = jv_object_set(kase, jv_string("events"), events);
	else
		jv_free(events);
	*out = kase;
	return TN_OK;
}

enum tn_code tn_case_get_tree(struct tn_client *c, const char *id, int with_events, jv *out,
			      struct tn_err *err)
{
	jv kase, kids, subs = jv_array();
	enum tn_code rc = tn_case_get(c, id, with_events, &kase, err);
	int n;

	if (rc != TN_OK) {
		jv_free(subs);
		return rc;
	}
	kids = tn_jv_get(kase, "children");
	if (jv_get_kind(kids) != JV_KIND_ARRAY) {
		jv_free(kids);
		jv_free(subs);
		*out = kase;
		return TN_OK;
	}
	n = jv_array_length(jv_copy(kids));
	for (int i = 0; i < n && rc == TN_OK; i++) {
		jv k = jv_array_get(jv_copy(kids), i), sub;

		if (jv_get_kind(k) == JV_KIND_STRING) {
			rc = tn_case_get(c, jv_string_value(k), with_events, &sub, err);
			if (rc == TN_OK)
				subs = jv_array_append(subs, sub);
			else if (rc == TN_ENOTFOUND)
				rc = TN_OK;
		}
		jv_free(k);
	}
	jv_free(kids);
	if (rc != TN_OK) {
		jv_free(kase);
		jv_free(subs);
		return rc;
	}
	*out = jv_object_set(kase, jv_string("subcases"), subs);
	return TN_OK;
}

/* ---- actions ---- */

enum tn_code tn_case_act(struct tn_client *c, const char *id, const char *action,
			 const char *comment, long version, jv *out, struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_buf path = TN_BUF_INIT;
	char etag[40];
	enum tn_code rc;

	if (!tn_case_action_valid(action))
		return tn_err_set(err, TN_EUSAGE, "unknown action '%s' (one of %s)", action,
				  TN_CASE_ACTION_LIST);
	if (tn_case_check_comment(comment, err) != TN_OK)
		return TN_EINVALID;
	if (version < 1) {
		jv kase;
		rc = get_case(c, id, &kase, err);
		if (rc != TN_OK)
			return rc;
		version = tn_jv_long(kase, "version", 0);
		jv_free(kase);
		if (version < 1)
			return tn_err_set(err, TN_ESERVER, "case '%s' has no version", id);
	}
	snprintf(etag, sizeof(etag), "\"%ld\"", version);
	case_path(&path, id, "/actions");
	jv body = jv_object_set(jv_object(), jv_string("action"), jv_string(action));
	if (comment)
		body = jv_object_set(body, jv_string("comment"), jv_string(comment));
	req.method = "POST";
	req.path = path.buf;
	req.body = body;
	req.if_match = etag;
	rc = tn_client_do(c, &req, &resp, err);
	if (rc == TN_OK)
		*out = jv_copy(resp.body);
	tn_response_release(&resp);
	tn_buf_release(&path);
	if (rc == TN_ENOTFOUND) {
		tn_err_set(err, TN_ENOTFOUND, "case '%s' not found", id);
	} else if (rc == TN_ECONFLICT) {
		/* stale version, or a move the status does not allow: read it again to tell */
		struct tn_err e2 = TN_ERR_INIT;
		jv now;
		if (get_case(c, id, &now, &e2) == TN_OK) {
			long v = tn_jv_long(now, "version", 0);
			if (v != version)
				tn_err_set(err, TN_ECONFLICT,
					   "case '%s' was changed by someone else (now version %ld)",
					   id, v);
			jv_free(now);
		}
	}
	return rc;
}
