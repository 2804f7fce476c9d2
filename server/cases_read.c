/* cases_read.c — twonetd's cases once filed: the list and its filters, one case, its history, and the actions that move it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_today.h"
#include "tn_buf.h"
#include "tn_json.h"
#include "tn_cal.h"
#include "tn_case.h"
#include "tn_id.h"
#include "tn_merge.h"
#include "tn_suggest.h"
#include "twonetd.h"
#include "certs.h"
#include "jvutil.h"
#include "cases_int.h"

/* 1 when `doc` (borrowed) is a workflow's parent with a sub-case of department `dept`. */
static int parent_has_department(jv doc, const char *dept)
{
	jv depts = tn_jv_array(doc, "departments");
	int found = dept && tn_jv_array_find(depts, "code", dept) >= 0;

	jv_free(depts);
	return found;
}

/*
 * May the caller see this case?  Clerks: their department, and the parent of
 * a workflow case with a sub-case of their department (shown redacted by
 * h_case); applicants: their own.
 */
static int case_visible(const struct req *q, jv doc, long token_id)
{
	int ok = 0;

	if (req_role(q, "admin"))
		return 1;
	if (req_role(q, "clerk")) {
		ok = q->tok.dept && tn_jv_is(doc, "department", q->tok.dept);
		return ok || parent_has_department(doc, q->tok.dept);
	}
	if (req_role(q, "applicant")) {
		jv app = tn_jv_get(doc, "applicant");

		ok = token_id == q->tok.id || (q->tok.subject && tn_jv_is(app, "id", q->tok.subject));
		jv_free(app);
	}
	return ok;
}

static int date_param(struct req *q, const char *name, const char **out)
{
	long d;

	*out = req_query(q, name);
	if (*out && tn_date_parse(*out, &d) != 0) {
		reply_problem(q, 400, name, "%s must be a date (YYYY-MM-DD), not '%s'", name, *out);
		return -1;
	}
	return 0;
}

/*
 * "; did you mean 'X'?" in `out` when member `member` of an object of `list`
 * (borrowed array) is close to `word` (tn_suggest), else "".
 */
static void did_you_mean(jv list, const char *member, const char *word, char *out, size_t size)
{
	int n = jv_get_kind(list) == JV_KIND_ARRAY ? jv_array_length(jv_copy(list)) : 0;
	const char **cand = tn_xcalloc((size_t)n + 1, sizeof(*cand));
	const char *best;

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		jv o = jv_array_get(jv_copy(list), i);

		cand[i] = tn_jv_str(o, member);    /* the list holds the string */
		jv_free(o);
	}
	if ((best = tn_suggest(word, cand, (size_t)n)) != NULL)
		snprintf(out, size, "; did you mean '%s'?", best);
	free(cand);
}

/*
 * A filter that names a catalog record: item, department or workflow `value`
 * must exist (an unknown one would list nothing and look like no cases).  0,
 * or -1 after replying 422 naming the parameter, with a "did you mean".
 */
static int known_code(struct req *q, const char *param, const char *value)
{
	struct tn_err err = TN_ERR_INIT;
	const char *what = "service item";
	char hint[200];
	jv rec = jv_invalid();
	enum tn_code rc;

	if (!value)
		return 0;
	if (!strcmp(param, "item")) {
		rc = store_item_get(q->srv->st, value, &rec, &err);
	} else if (!strcmp(param, "department")) {
		what = "department";
		rc = store_department_get(q->srv->st, value, &rec, &err);
	} else {
		what = "workflow";
		rc = store_workflow_get(q->srv->st, value, &rec, &err);
	}
	jv_free(rec);
	if (rc == TN_OK)
		return 0;
	if (rc != TN_ENOTFOUND) {
		reply_error(q, &err);
		return -1;
	}
	cases_code_hint(q, param, value, hint, sizeof(hint));
	reply_problem(q, 422, param, "%s: no %s '%s'%s", param, what, value, hint);
	return -1;
}

void cases_code_hint(struct req *q, const char *param, const char *value, char *out, size_t size)
{
	struct tn_err err = TN_ERR_INIT;
	const char *member = "code";
	jv list = jv_invalid();
	enum tn_code rc;

	/* the candidates: every item; the departments that have items; every workflow */
	if (!strcmp(param, "workflow"))
		rc = store_workflow_list(q->srv->st, &list, &err);
	else
		rc = store_item_list(q->srv->st, NULL, NULL, &list, &err);
	if (!strcmp(param, "department"))
		member = "department";
	if (rc == TN_OK)
		did_you_mean(list, member, value, out, size);
	else
		out[0] = '\0';
	jv_free(list);
}

/*
 * parent=ID names a case the caller may see (a clerk: one with a sub-case of
 * its department): 0, or -1 after replying 404 naming the parameter, as for
 * a case that is not there.
 */
static int known_parent(struct req *q, const char *id)
{
	struct tn_err err = TN_ERR_INIT;
	long token_id = -1;
	jv doc;
	int seen;

	if (!id)
		return 0;
	if (store_case_get(q->srv->st, id, &doc, &token_id, &err) != TN_OK) {
		if (err.code != TN_ENOTFOUND) {
			reply_error(q, &err);
			return -1;
		}
		reply_problem(q, 404, "parent", "parent: no case '%s'", id);
		return -1;
	}
	seen = case_visible(q, doc, token_id);
	jv_free(doc);
	if (!seen) {
		reply_problem(q, 404, "parent", "parent: no case '%s'", id);
		return -1;
	}
	return 0;
}

/* The states of a case, for a "did you mean" on status=. */
static void status_hint(const char *word, char *out, size_t size)
{
	const char *names[TN_CASE_STATE_COUNT];
	const char *best;

	for (int i = 0; i < TN_CASE_STATE_COUNT; i++)
		names[i] = tn_case_state_name(i);
	out[0] = '\0';
	if ((best = tn_suggest(word, names, TN_CASE_STATE_COUNT)) != NULL)
		snprintf(out, size, "; did you mean '%s'?", best);
}

/*
 * The case list written as text, without a parse and print of each case: the
 * stored documents (store_case_list_text) with "id" first and "overdue" last,
 * byte for byte what cases_out would print.
 */
struct list_text {
	struct tn_buf b;
	const char *today;
	int n;
};

static void list_row(const struct store_case_row *r, void *ctx)
{
	struct list_text *t = ctx;
	int overdue = r->deadline && r->status && tn_case_state_open(tn_case_state_parse(r->status)) &&
		      strcmp(t->today, r->deadline) > 0;

	tn_buf_adds(&t->b, t->n++ ? ",{\"id\":\"" : "{\"id\":\"");
	tn_buf_adds(&t->b, r->id);
	tn_buf_addch(&t->b, '"');
	if (r->doc_len > 2) {
		tn_buf_addch(&t->b, ',');
		tn_buf_add(&t->b, r->doc + 1, r->doc_len - 2);
	}
	tn_buf_adds(&t->b, overdue ? ",\"overdue\":true}" : ",\"overdue\":false}");
}

/* GET /v1/cases: clerk (own department), applicant (own cases), admin. */
void h_cases_list(struct req *q, const char *arg)
{
	static const char *const params[] = {
		"status", "item", "department", "applicant", "overdue", "since", "until", "q",
		"order", "limit", "cursor", "parent", "workflow", NULL
	};
	struct store_case_filter f;
	struct tn_err err = TN_ERR_INIT;
	char today[16], hint[80];
	const char *v;
	char *next = NULL;
	long total = 0;
	int counted;

	if (req_query_check(q, params) < 0)
		return;
	memset(&f, 0, sizeof(f));
	f.overdue = -1;
	f.scope_token_id = -1;
	f.limit = 100;
	f.status = req_query(q, "status");
	if (f.status && tn_case_state_parse(f.status) < 0) {
		status_hint(f.status, hint, sizeof(hint));
		reply_problem(q, 400, "status", "status: no status '%s'%s", f.status, hint);
		return;
	}
	f.item = req_query(q, "item");
	f.department = req_query(q, "department");
	f.applicant = req_query(q, "applicant");
	f.parent = req_query(q, "parent");
	f.workflow = req_query(q, "workflow");
	f.q = req_query(q, "q");
	if ((v = req_query(q, "overdue")) != NULL) {
		if (strcmp(v, "true") == 0)
			f.overdue = 1;
		else if (strcmp(v, "false") == 0)
			f.overdue = 0;
		else {
			reply_problem(q, 400, "overdue", "overdue must be true or false, not '%s'", v);
			return;
		}
	}
	if (date_param(q, "since", &f.since) < 0 || date_param(q, "until", &f.until) < 0)
		return;
	if ((v = req_query(q, "order")) != NULL) {
		if (strcmp(v, "deadline") == 0)
			f.order_deadline = 1;
		else if (strcmp(v, "id") != 0) {
			reply_problem(q, 400, "order", "order must be id or deadline, not '%s'", v);
			return;
		}
	}
	if ((v = req_query(q, "limit")) != NULL &&
	    (tn_parse_long(v, &f.limit) != 0 || f.limit < 1 || f.limit > 1000)) {
		reply_problem(q, 400, "limit", "limit must be a number from 1 to 1000, not '%s'", v);
		return;
	}
	f.cursor = req_query(q, "cursor");
	if (known_code(q, "item", f.item) < 0 || known_code(q, "department", f.department) < 0 ||
	    known_code(q, "workflow", f.workflow) < 0 || known_parent(q, f.parent) < 0)
		return;
	tn_today_str(today, sizeof(today));
	f.today = today;
	if (req_role(q, "clerk")) {
		f.scope_department = q->tok.dept ? q->tok.dept : "";
	} else if (req_role(q, "applicant")) {
		f.scope_token_id = q->tok.id;
		f.scope_subject = q->tok.subject;
	}
	{
		struct list_text lt = { TN_BUF_INIT, today, 0 };

		tn_buf_adds(&lt.b, "{\"items\":[");
		/* counted on the first page only, and not for q (no index serves it) */
		counted = !f.cursor && !f.q;
		if (store_case_list_text(q->srv->st, &f, list_row, &lt, &next,
					 counted ? &total : NULL, &err) != TN_OK) {
			tn_buf_release(&lt.b);
			if (err.code == TN_EINVALID)
				reply_problem(q, 400, "cursor", "%s", err.message);
			else
				reply_error(q, &err);
			return;
		}
		tn_buf_adds(&lt.b, "],\"next\":");
		if (next)
			tn_buf_addf(&lt.b, "\"%s\"", next);
		else
			tn_buf_adds(&lt.b, "null");
		if (counted)
			tn_buf_addf(&lt.b, ",\"total\":%ld", total);
		tn_buf_addch(&lt.b, '}');
		reply_text(q, 200, "application/json", lt.b.buf, lt.b.len);
		tn_buf_release(&lt.b);
	}
	free(next);
}


/*
 * The case `id` if the caller may see it: *doc (owned) and 0; otherwise -1
 * after replying (404 also when it exists but is not the caller's: never
 * reveal it).
 */
static int load_case(struct req *q, const char *id, jv *doc)
{
	struct tn_err err = TN_ERR_INIT;
	long token_id = -1;

	if (store_case_get(q->srv->st, id, doc, &token_id, &err) != TN_OK) {
		if (err.code == TN_ENOTFOUND)
			reply_problem(q, 404, NULL, "no case '%s'", id);
		else
			reply_error(q, &err);
		return -1;
	}
	if (!case_visible(q, *doc, token_id)) {
		jv_free(*doc);
		*doc = jv_invalid();
		reply_problem(q, 404, NULL, "no case '%s'", id);
		return -1;
	}
	return 0;
}

/* GET /v1/cases/{id} */
void h_case(struct req *q, const char *id)
{
	jv doc;

	if (load_case(q, id, &doc) < 0)
		return;
	if (req_role(q, "clerk") && tn_jv_has(doc, "children"))
		doc = cases_parent_for_clerk(doc, q->tok.dept);
	cases_reply(q, 200, doc);
}

/* GET /v1/cases/{id}/events */
void h_case_events(struct req *q, const char *id)
{
	struct tn_err err = TN_ERR_INIT;
	jv doc, events;

	if (load_case(q, id, &doc) < 0)
		return;
	jv_free(doc);
	if (store_case_events(q->srv->st, id, &events, &err) != TN_OK) {
		jv_free(events);
		reply_error(q, &err);
		return;
	}
	reply_list(q, events, NULL);
}

/* POST /v1/cases/{id}/actions: clerk of the case's department, admin; resubmit also applicant. */
void h_case_actions(struct req *q, const char *id)
{
	static const char *const keys[] = { "action", "comment", NULL };
	struct tn_err err = TN_ERR_INIT;
	enum tn_case_state to;
	const char *h, *action, *comment = NULL, *status;
	jv doc, body = jv_invalid(), cv;
	char now[40];
	long want, version;

	if (load_case(q, id, &doc) < 0)
		return;
	if (tn_jv_has(doc, "children")) {
		reply_problem(q, 409, NULL, "case %s is the parent of a workflow case: it moves with "
			      "its sub-cases and completes when every one of them does", id);
		goto done;
	}
	h = req_header(q, "If-Match");
	if (!h) {
		reply_problem(q, 428, NULL, "If-Match with the case's version is required");
		goto done;
	}
	if ((want = if_match_version(h)) < 0) {
		reply_problem(q, 400, NULL, "If-Match must be a case version, not '%s'", h);
		goto done;
	}
	if (req_body(q, &body) < 0)
		goto done;
	if (reply_unknown_member(q, body, keys, NULL) < 0)
		goto done;
	action = tn_jv_str(body, "action");
	if (!action) {
		reply_problem(q, 422, "action", "action is required");
		goto done;
	}
	if (tn_case_action_parse(action) < 0) {
		reply_problem(q, 422, "action", "unknown action '%s'", action);
		goto done;
	}
	cv = tn_jv_get(body, "comment");
	if (jv_get_kind(cv) != JV_KIND_NULL && jv_get_kind(cv) != JV_KIND_STRING) {
		jv_free(cv);
		reply_problem(q, 422, "comment", "comment must be a string");
		goto done;
	}
	jv_free(cv);
	comment = tn_jv_str(body, "comment");
	if (tn_case_check_comment(comment, &err) != TN_OK) {
		reply_problem(q, 422, "comment", "%s", err.message);
		goto done;
	}
	if (comment && !*comment)
		comment = NULL;
	if (tn_case_action_check(action, q->tok.role, NULL, &err) != TN_OK) {
		reply_problem(q, tn_code_http_status(err.code), err.field, "%s", err.message);
		goto done;
	}
	version = tn_jv_long(doc, "version", 0);
	if (version != want) {
		reply_problem(q, 409, NULL, "case %s is at version %ld, not %ld", id, version, want);
		goto done;
	}
	status = tn_jv_str(doc, "status");
	if (tn_case_transition(status, action, NULL, comment, &to, &err) != TN_OK) {
		reply_problem(q, tn_code_http_status(err.code), err.field[0] ? err.field : NULL,
			      "%s", err.message);
		goto done;
	}
	time_now_rfc3339(now, sizeof(now));
	{
		const char *to_name = tn_case_state_name(to);
		jv event = cases_event(q, now, action, status, to_name, comment, version + 1);
		jv next = jv_copy(doc);
		long current = -1;

		next = jv_object_set(next, jv_string("status"), jv_string(to_name));
		next = jv_object_set(next, jv_string("version"), jv_number((double)(version + 1)));
		next = jv_object_set(next, jv_string("updated_at"), jv_string(now));
		if (to == TN_CASE_ACCEPTED)
			next = jv_object_set(next, jv_string("accepted_at"), jv_string(now));
		if (to == TN_CASE_COMPLETED)
			next = jv_object_set(next, jv_string("completed_at"), jv_string(now));
		if (store_case_act(q->srv->st, id, version, to_name, jv_copy(next), event, &current,
				   &err) != TN_OK) {
			jv_free(next);
			reply_error(q, &err);
			goto done;
		}
		cases_reply(q, 200, next);
	}
done:
	jv_free(body);
	jv_free(doc);
}
