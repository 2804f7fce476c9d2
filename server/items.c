/* items.c — twonetd's health, service-item and workflow catalog endpoints. */
#include <stdio.h>
#include <string.h>

#include "tn_case.h"
#include "twonetd.h"
#include "jvutil.h"

/*
 * GET /v1/health: no token; liveness, version, database state, the
 * calendar's coverage, and the warnings an operator must act on.
 */
void h_health(struct req *q, const char *arg)
{
	jv db, body = jv_object(), warnings = jv_array();
	const char *w = srv_cal_warning(q->srv);
	int ok;

	store_health(q->srv->st, &db);
	ok = tn_jv_bool(db, "ok", 0) == 1;
	if (*w)
		warnings = jv_array_append(warnings, jv_string(w));
	body = jv_object_set(body, jv_string("status"), jv_string(ok ? "ok" : "degraded"));
	body = jv_object_set(body, jv_string("version"), jv_string(TN_VERSION));
	body = jv_object_set(body, jv_string("database"), db);
	body = jv_object_set(body, jv_string("calendar"), srv_cal_coverage(q->srv));
	body = jv_object_set(body, jv_string("warnings"), warnings);
	reply_json(q, ok ? 200 : 503, body);
}

/* GET /v1/items and GET /v1/items/{code}: any token. */
void h_items(struct req *q, const char *code)
{
	static const char *const params[] = { "department", "q", "limit", "cursor", NULL };
	struct tn_err err = TN_ERR_INIT;
	jv v;

	if (code) {
		if (store_item_get(q->srv->st, code, &v, &err) != TN_OK) {
			reply_error(q, &err);
			return;
		}
		reply_json(q, 200, v);
		return;
	}
	if (req_query_check(q, params) < 0)
		return;
	if (store_item_list(q->srv->st, req_query(q, "department"), req_query(q, "q"), &v,
			    &err) != TN_OK) {
		jv_free(v);
		reply_error(q, &err);
		return;
	}
	reply_list(q, v, NULL);
}

/* POST /v1/workflows: an admin publishes a merged workflow. */
void h_workflows_post(struct req *q, const char *arg)
{
	struct tn_err err = TN_ERR_INIT;
	jv v, c;
	int created = 0;

	if (req_body(q, &v) < 0)
		return;
	c = jv_object_get(jv_copy(v), jv_string("code"));
	if (jv_get_kind(c) != JV_KIND_STRING || !*jv_string_value(c) ||
	    (long)tn_utf8_chars(jv_string_value(c)) > TN_CASE_MAX_CODE) {
		jv_free(c);
		jv_free(v);
		reply_problem(q, 422, "code", "a workflow needs a code (a string of 1 to %d "
			      "characters)", TN_CASE_MAX_CODE);
		return;
	}
	if (store_workflow_put(q->srv->st, jv_string_value(c), jv_copy(v), &created,
			       &err) != TN_OK) {
		jv_free(c);
		jv_free(v);
		reply_error(q, &err);
		return;
	}
	{
		char loc[300];

		snprintf(loc, sizeof(loc), "/v1/workflows/%s", jv_string_value(c));
		req_set_header(q, "Location", loc);
	}
	jv_free(c);
	reply_json(q, created ? 201 : 200, v);
}

/* GET /v1/workflows, GET /v1/workflows/{code}: any token. */
void h_workflows_get(struct req *q, const char *code)
{
	struct tn_err err = TN_ERR_INIT;
	jv v;

	if (code) {
		if (store_workflow_get(q->srv->st, code, &v, &err) != TN_OK) {
			reply_error(q, &err);
			return;
		}
		reply_json(q, 200, v);
		return;
	}
	if (store_workflow_list(q->srv->st, &v, &err) != TN_OK) {
		jv_free(v);
		reply_error(q, &err);
		return;
	}
	reply_list(q, v, NULL);
}
