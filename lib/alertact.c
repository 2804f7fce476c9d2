/* alertact.c — the alert list page by page, and the loop's steps under the alert's seq (If-Match). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_http.h"
#include "tn_jv.h"
#include "tn_list.h"
#include "tn_ndjson.h"
#include "tn_text.h"

#define PAGE_MAX 1000

int tn_alert_action_valid(const char *action)
{
	return tn_word_in(TN_ALERT_ACTIONS, action);
}

static void add_param(struct tn_buf *b, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	tn_buf_addf(b, "%c%s=", strchr(b->buf, '?') ? '&' : '?', name);
	tn_url_escape(b, value);
}

enum tn_code tn_alert_query_path(const struct tn_alert_query *q, long limit, const char *cursor,
				 struct tn_buf *path, struct tn_err *err)
{
	char since[40] = "", until[40] = "";

	if (q->severity && tn_severity_parse(q->severity) == TN_SEV_NONE)
		return tn_err_set(err, TN_EUSAGE, "--severity takes one of %s, not '%s'",
				  TN_ALERT_SEVERITIES, q->severity);
	if (q->since && tn_time_since(q->since, since, sizeof(since), err) != TN_OK)
		return err->code;
	if (q->until && tn_time_since(q->until, until, sizeof(until), err) != TN_OK)
		return err->code;
	tn_buf_adds(path, "/v1/alerts");
	add_param(path, "status", q->status);
	add_param(path, "severity", q->severity);
	add_param(path, "district", q->district);
	add_param(path, "kind", q->kind);
	add_param(path, "since", since);
	add_param(path, "until", until);
	add_param(path, "cursor", cursor);
	tn_buf_addf(path, "%climit=%ld", strchr(path->buf, '?') ? '&' : '?', limit);
	return TN_OK;
}

static enum tn_code alert_page(const void *q, long limit, const char *cursor, struct tn_buf *path,
			      struct tn_err *err)
{
	return tn_alert_query_path(q, limit, cursor, path, err);
}

struct tn_pager tn_alert_pager(const struct tn_alert_query *q)
{
	struct tn_pager p = { "alert", q, alert_page, PAGE_MAX };

	return p;
}

enum tn_code tn_alert_list_end(struct tn_client *c, const struct tn_alert_query *q, long limit,
			       tn_alert_each_fn fn, void *ctx, struct tn_list_end *end,
			       struct tn_err *err)
{
	struct tn_pager p = tn_alert_pager(q);

	return tn_list_pages(c, &p, limit, fn, ctx, end, err);
}

static enum tn_code get_alert(struct tn_client *c, long long id, jv *out, struct tn_err *err)
{
	char path[64];
	enum tn_code rc;

	snprintf(path, sizeof(path), "/v1/alerts/%lld", id);
	rc = tn_client_get(c, path, out, err);
	if (rc == TN_ENOTFOUND)
		tn_err_set(err, TN_ENOTFOUND, "alert %lld not found", id);
	return rc;
}

enum tn_code tn_alert_act_at(struct tn_client *c, const struct tn_alert_step *s, jv *out,
			     struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	char path[64], etag[32], key[48];
	enum tn_code rc;
	long long seq = s->seq;
	jv body;

	if (!tn_alert_action_valid(s->action))
		return tn_err_set(err, TN_EUSAGE, "unknown action '%s' (one of %s)",
				  s->action ? s->action : "", TN_ALERT_ACTIONS);
	if (seq < 1) {
		jv now;

		if ((rc = get_alert(c, s->id, &now, err)) != TN_OK)
			return rc;
		seq = tn_alert_ll(now, "seq");
		jv_free(now);
		if (seq < 1)
			return tn_err_set(err, TN_ESERVER, "alert %lld has no seq", s->id);
	}
	body = jv_object_set(jv_object(), jv_string("action"), jv_string(s->action));
	if (s->crew)
		body = jv_object_set(body, jv_string("crew"), jv_string(s->crew));
	if (s->evaluation)
		body = jv_object_set(body, jv_string("evaluation"), jv_string(s->evaluation));
	if (s->comment)
		body = jv_object_set(body, jv_string("comment"), jv_string(s->comment));
	snprintf(path, sizeof(path), "/v1/alerts/%lld/actions", s->id);
	snprintf(etag, sizeof(etag), "\"%lld\"", seq);
	req.method = "POST";
	req.path = path;
	req.body = body;
	req.if_match = etag;
	/* a repeated step is answered 200 unchanged by the server, even under its old
	 * seq: safe to retry, so it gets a key; reopen (a retry would find the seq
	 * moved on) does not */
	if (strcmp(s->action, "reopen") != 0) {
		char text[4200];
		int n = snprintf(text, sizeof(text), "%lld %lld %s %s %s", s->id, seq, s->action,
				 s->crew ? s->crew : "", s->evaluation ? s->evaluation : "");

		if (n > 0 && (size_t)n < sizeof(text) &&
		    tn_idem_key_derive("alert-", text, (size_t)n, 32, key, sizeof(key)) == 0)
			req.idempotency_key = key;
	}
	rc = tn_client_do(c, &req, &resp, err);
	if (rc == TN_OK)
		*out = jv_copy(resp.body);
	tn_response_release(&resp);
	if (rc == TN_ENOTFOUND)
		tn_err_set(err, TN_ENOTFOUND, "alert %lld not found", s->id);
	return rc;
}

long long tn_alert_id_from_line(const char *line, long long *seq, struct tn_err *err)
{
	jv obj;
	long long id = tn_ndjson_number_id(line, "alert", &obj, err);

	*seq = jv_is_valid(obj) ? tn_alert_ll(obj, "seq") : 0;
	jv_free(obj);
	return id;
}

#define STATUS_LABEL(st, stl, sp, spl, at, w, wl) if (!strcmp(s, st)) return stl;
#define STEP_LABEL(sp, spl) if (!strcmp(s, sp)) return spl;

const char *tn_alert_status_label(const char *s)
{
	if (!s)
		return "";
	TN_ALERT_STATES(STATUS_LABEL)
	return "";
}

const char *tn_alert_step_label(const char *s)
{
	if (!s)
		return "";
	if (!strcmp(s, "raise"))
		return "上报";
	TN_ALERT_STEPS(STEP_LABEL)
	return "";
}
