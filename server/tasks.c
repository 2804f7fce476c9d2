/* tasks.c — the operations loop's tasks over HTTP: the list, one task with its history, acting under a version. */
/*
 * Operators and admins see every task (an operator token with a dept: that
 * department's only); a crew token (role crew, its crew's name as its
 * subject) sees and acts on the tasks dispatched to that crew only, and only
 * with the crew's steps (acknowledge, arrive, step, resolve): anything else
 * is refused as if the task were not there (404) or not allowed (403).  The
 * loop itself (which step from which status, what each needs) is the lib's
 * (tn_task_act), so the commands and casedesk refuse the same things.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tn_alert.h"
#include "tn_task.h"
#include "alerts_int.h"
#include "jvutil.h"
#include "store_alerts.h"
#include "store_tasks.h"
#include "twonetd.h"

#define LIST_MAX 16

static int is_crew(struct req *q)
{
	return q->tok.role && strcmp(q->tok.role, "crew") == 0;
}

/* Whether the caller may see `task` (borrowed). */
static int visible(struct req *q, jv task)
{
	if (is_crew(q))
		return q->tok.subject && tn_jv_is(task, "crew", q->tok.subject);
	if (q->tok.role && strcmp(q->tok.role, "operator") == 0 && q->tok.dept)
		return tn_jv_is(task, "department", q->tok.dept);
	return 1;
}

/* A day (YYYY-MM-DD, Beijing) or a time (RFC 3339) as epoch seconds; -1 when neither. */
static long long when(const char *v)
{
	long long t;
	char buf[40];

	if (strlen(v) == 10) {
		snprintf(buf, sizeof(buf), "%sT00:00:00+08:00", v);
		v = buf;
	}
	return tn_time_parse(v, &t) == 0 ? t : -1;
}

void tasks_list(struct req *q, const char *arg)
{
	static const char *const allowed[] = {
		"status", "kind", "district", "department", "crew", "rule", "priority", "open",
		"since", "until", "alert", "order", "limit", "cursor", NULL
	};
	struct store_task_filter f;
	struct tn_err err = TN_ERR_INIT;
	char *status[LIST_MAX + 1], *kind[LIST_MAX + 1], *district[LIST_MAX + 1];
	char *dept[LIST_MAX + 1], *next = NULL;
	const char *v;
	jv items;

	(void)arg;
	memset(&f, 0, sizeof(f));
	f.since = f.until = -1;
	f.limit = 100;
	status[0] = kind[0] = district[0] = dept[0] = NULL;
	if (req_query_check(q, allowed) < 0)
		return;
	if (query_list(req_query(q, "status"), status, LIST_MAX) < 0 ||
	    query_list(req_query(q, "kind"), kind, LIST_MAX) < 0 ||
	    query_list(req_query(q, "district"), district, LIST_MAX) < 0 ||
	    query_list(req_query(q, "department"), dept, LIST_MAX) < 0) {
		reply_problem(q, 400, NULL, "at most %d values in a list filter", LIST_MAX);
		goto out;
	}
	if (query_list_check(q, "status", status, TN_TASK_STATUSES) < 0)
		goto out;
	for (int i = 0; district[i]; i++) {
		const struct tn_district *d = tn_district_find(district[i]);

		if (!d) {
			reply_problem(q, 400, "district", "'%s' is not one of Shanghai's 16 district "
				      "codes", district[i]);
			goto out;
		}
		free(district[i]);
		district[i] = tn_xstrdup(d->code);
	}
	f.status = status[0] ? status : NULL;
	f.kind = kind[0] ? kind : NULL;
	f.district = district[0] ? district : NULL;
	f.department = dept[0] ? dept : NULL;
	f.crew = req_query(q, "crew");
	f.rule = req_query(q, "rule");
	if ((v = req_query(q, "priority")) &&
	    (strlen(v) != 1 || v[0] < '1' || v[0] > '4')) {
		reply_problem(q, 400, "priority", "priority takes 1 (highest) to 4, not '%s'", v);
		goto out;
	}
	f.max_priority = v ? v[0] - '0' : 0;
	if ((v = req_query(q, "open")) && strcmp(v, "true") && strcmp(v, "false")) {
		reply_problem(q, 400, "open", "open takes true or false, not '%s'", v);
		goto out;
	}
	f.open = v && strcmp(v, "true") == 0;
	if (((v = req_query(q, "since")) && (f.since = when(v)) < 0) ||
	    ((v = req_query(q, "until")) && (f.until = when(v)) < 0)) {
		reply_problem(q, 400, f.since < 0 && req_query(q, "since") ? "since" : "until",
			      "'%s' is not a day (YYYY-MM-DD) or an RFC 3339 time", v);
		goto out;
	}
	if ((v = req_query(q, "alert")) && (alert_parse_seq(v, &f.alert) < 0 || f.alert < 1)) {
		reply_problem(q, 400, "alert", "alert takes an alert id, not '%s'", v);
		goto out;
	}
	if ((v = req_query(q, "order")) && strcmp(v, "id") && strcmp(v, "-id")) {
		reply_problem(q, 400, "order", "order takes id or -id, not '%s'", v);
		goto out;
	}
	f.desc = v && strcmp(v, "-id") == 0;
	if ((v = req_query(q, "limit")) &&
	    (tn_parse_long(v, &f.limit) != 0 || f.limit < 1 || f.limit > 1000)) {
		reply_problem(q, 400, "limit", "limit must be a number from 1 to 1000, not '%s'", v);
		goto out;
	}
	f.cursor = req_query(q, "cursor");
	/* the scope comes from the token, whatever the query says */
	if (is_crew(q))
		f.crew = q->tok.subject ? q->tok.subject : "";
	if (q->tok.role && strcmp(q->tok.role, "operator") == 0 && q->tok.dept) {
		query_list_free(dept);
		dept[0] = tn_xstrdup(q->tok.dept);
		dept[1] = NULL;
		f.department = dept;
	}
	if (store_task_list(q->srv->st, &f, &items, &next, &err) != TN_OK) {
		if (err.code == TN_EINVALID)
			reply_problem(q, 400, "cursor", "%s", err.message);
		else
			reply_error(q, &err);
		goto out;
	}
	reply_list(q, items, next);
	free(next);
out:
	query_list_free(status);
	query_list_free(kind);
	query_list_free(district);
	query_list_free(dept);
}

/* The task `id` the caller may see in *doc: 0, or -1 after replying (404 for one it may not see). */
static int get_visible(struct req *q, const char *id, long long *n, jv *doc)
{
	struct tn_err err = TN_ERR_INIT;

	if (alert_parse_seq(id, n) < 0 || *n < 1) {
		reply_problem(q, 404, NULL, "no task '%s'", id);
		return -1;
	}
	if (store_task_get(q->srv->st, *n, doc, &err) != TN_OK) {
		reply_error(q, &err);
		return -1;
	}
	if (!visible(q, *doc)) {
		jv_free(*doc);
		reply_problem(q, 404, NULL, "no task %lld", *n);
		return -1;
	}
	return 0;
}

void tasks_one(struct req *q, const char *id)
{
	struct tn_err err = TN_ERR_INIT;
	long long n;
	jv doc, history;

	if (get_visible(q, id, &n, &doc) < 0)
		return;
	if (store_task_history(q->srv->st, n, &history, &err) != TN_OK) {
		jv_free(doc);
		reply_error(q, &err);
		return;
	}
	reply_json(q, 200, jv_object_set(doc, jv_string("history"), history));
}

void tasks_events(struct req *q, const char *id)
{
	struct tn_err err = TN_ERR_INIT;
	long long n;
	jv doc, history;

	if (get_visible(q, id, &n, &doc) < 0)
		return;
	jv_free(doc);
	if (store_task_history(q->srv->st, n, &history, &err) != TN_OK) {
		reply_error(q, &err);
		return;
	}
	reply_list(q, history, NULL);
}

/* The steps a crew takes on its own tasks. */
#define CREW_ACTIONS "acknowledge|arrive|step|resolve"

void tasks_actions(struct req *q, const char *id)
{
	static const char *const keys[] = { "action", "crew", "score", "comment", "step", NULL };
	struct tn_err err = TN_ERR_INIT;
	long long n, want = -1, now = (long long)time(NULL);
	const char *h, *action, *comment;
	char stepnote[48];
	jv body, doc = jv_invalid(), args, acted = jv_invalid(), out;

	if (alert_parse_seq(id, &n) < 0 || n < 1) {
		reply_problem(q, 404, NULL, "no task '%s'", id);
		return;
	}
	if ((h = req_header(q, "If-Match")) != NULL && (want = if_match_version(h)) < 0) {
		reply_problem(q, 400, NULL, "If-Match must be a task's version, not '%s'", h);
		return;
	}
	if (req_body(q, &body) < 0)
		return;
	if (reply_unknown_member(q, body, keys, NULL) < 0)
		goto out;
	action = tn_jv_str(body, "action");
	if (!action || !tn_task_action_valid(action)) {
		reply_problem(q, 422, "action", "unknown action '%s' (%s)", action ? action : "",
			      TN_TASK_ACTION_LIST);
		goto out;
	}
	if (is_crew(q) && !word_in(CREW_ACTIONS, action)) {
		reply_problem(q, 403, NULL, "a crew token may not %s a task (a crew may %s)", action,
			      CREW_ACTIONS);
		goto out;
	}
	if (store_alerts_begin(q->srv->st, &err) != TN_OK) {
		reply_error(q, &err);
		goto out;
	}
	if (store_task_get(q->srv->st, n, &doc, &err) != TN_OK || !visible(q, doc)) {
		store_alerts_rollback(q->srv->st);
		if (err.code == TN_OK || err.code == TN_ENOTFOUND)
			reply_problem(q, 404, NULL, "no task %lld", n);
		else
			reply_error(q, &err);
		goto out;
	}
	args = jv_copy(body);
	args = jv_object_delete(args, jv_string("action"));
	comment = tn_jv_str(body, "comment");
	/* the history says which plan step a "step" marked, when no comment says so */
	if (!comment && strcmp(action, "step") == 0 && tn_jv_long(body, "step", 0) > 0) {
		snprintf(stepnote, sizeof(stepnote), "预案步骤 %ld", tn_jv_long(body, "step", 0));
		comment = stepnote;
	}
	if (tn_task_act(jv_copy(doc), action, args, q->tok.name, now, &acted, &err) != TN_OK) {
		store_alerts_rollback(q->srv->st);
		if (err.code == TN_ECONFLICT)
			reply_problem(q, 409, NULL, "%s", err.message);
		else
			reply_problem(q, 422, err.field[0] ? err.field : NULL, "%s", err.message);
		goto out;
	}
	if (jv_equal(jv_copy(acted), jv_copy(doc))) {
		/* the step just done, asked again: harmless, whatever the version */
		store_alerts_rollback(q->srv->st);
		req_set_header(q, "Idempotent-Replayed", "true");
		reply_json(q, 200, doc);
		doc = jv_invalid();
		goto out;
	}
	if (want > 0 && tn_alert_ll(doc, "version") != want) {
		store_alerts_rollback(q->srv->st);
		reply_problem(q, 412, NULL, "task %lld was changed by someone else (now version %lld, "
			      "not %lld)", n, tn_alert_ll(doc, "version"), want);
		goto out;
	}
	if (store_task_put(q->srv->st, n, tn_alert_ll(doc, "version"), acted, now, action,
			   q->tok.name, comment, &out, &err) != TN_OK) {
		acted = jv_invalid();
		store_alerts_rollback(q->srv->st);
		if (err.code == TN_ECONFLICT)
			reply_problem(q, 412, NULL, "%s", err.message);
		else
			reply_error(q, &err);
		goto out;
	}
	acted = jv_invalid();
	alerts_commit_reply(q, out);
out:
	jv_free(acted);
	jv_free(doc);
	jv_free(body);
}
