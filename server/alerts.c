/* alerts.c — city-operations alerts: raising (single and batch), the list, one alert, the closed loop. */
/*
 * Everything that changes an alert appends an event to the one event log
 * (store_alerts.c), inside the same transaction, and after the commit calls
 * alerts_notify() so that every follower of every worker sees it (the
 * stream and the cross-process wake-up are in alerts_stream.c, whose
 * header comment describes their design).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_cap.h"
#include "tn_json.h"
#include "alerts_int.h"
#include "jvutil.h"
#include "store_alerts.h"

#define BATCH_MAX 1000

static const char *const statuses[] = {
	"raised", "dispatched", "acknowledged", "resolved", "closed", NULL
};

/*
 * The closed loop: each step only from the one before it (`from` may list
 * several statuses, '|'-separated).  reopen sends a resolved or closed alert
 * back to its crew: status dispatched again, its resolution, closing and
 * evaluation cleared (the history keeps them); the crew stays.
 */
static const struct step {
	const char *action, *from, *to, *time_member, *need; /* need: required member or NULL */
	long need_max;
	const char *clear;      /* '|'-separated members set to null, or NULL */
} steps[] = {
	{ "dispatch",    "raised",          "dispatched",   "dispatched_at",   "crew",       64, NULL },
	{ "acknowledge", "dispatched",      "acknowledged", "acknowledged_at", NULL,         0, NULL },
	{ "resolve",     "acknowledged",    "resolved",     "resolved_at",     NULL,         0, NULL },
	{ "close",       "resolved",        "closed",       "closed_at",       "evaluation", 1000, NULL },
	{ "reopen",      "resolved|closed", "dispatched",   "updated_at",     NULL,         0,
	  "acknowledged_at|resolved_at|closed_at|evaluation" },
};

/* Whether `status` is one of the '|'-separated `list`. */
static int status_in(const char *status, const char *list)
{
	size_t n = status ? strlen(status) : 0;

	while (n && *list) {
		size_t len = strcspn(list, "|");

		if (len == n && strncmp(list, status, n) == 0)
			return 1;
		list += len + (list[len] == '|');
	}
	return 0;
}

/* The problem as a problem+json object (for a batch's results). */
static jv problem_json(const struct problem *p)
{
	jv o = jv_object();

	o = jv_object_set(o, jv_string("type"), jv_string(p->status == 400 ?
		"/problems/bad-request" : "/problems/unprocessable"));
	o = jv_object_set(o, jv_string("title"), jv_string(p->status == 400 ?
		"Bad Request" : "Unprocessable Content"));
	o = jv_object_set(o, jv_string("status"), jv_number(p->status));
	o = jv_object_set(o, jv_string("detail"), jv_string(p->detail));
	if (p->field[0])
		o = jv_object_set(o, jv_string("field"), jv_string(p->field));
	return o;
}

int alert_parse_seq(const char *s, long long *v)
{
	long long n = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > 900719925474099LL)
			return -1;
		n = n * 10 + (*s - '0');
	}
	*v = n;
	return 0;
}

/* ---- the filters shared with the stream ---- */

void alert_filters_release(struct alert_filters *f)
{
	for (int i = 0; f->district[i]; i++)
		free(f->district[i]);
	for (int i = 0; f->kind[i]; i++)
		free(f->kind[i]);
	memset(f, 0, sizeof(*f));
	f->min_severity = -1;
}

/* Split a ','-separated list into list[] (owned, NULL-terminated); -1 when too long. */
static int split(const char *s, char **list)
{
	int n = 0;

	while (*s) {
		size_t len = strcspn(s, ",");

		if (len) {
			if (n == ALERTS_MAX_LIST)
				return -1;
			list[n++] = tn_xstrndup(s, len);
			list[n] = NULL;
		}
		s += len + (s[len] == ',');
	}
	return 0;
}

int alert_filters_parse(struct req *q, struct alert_filters *f)
{
	const char *v;

	memset(f, 0, sizeof(*f));
	f->min_severity = -1;
	if ((v = req_query(q, "tasks")) != NULL) {
		if (strcmp(v, "true") && strcmp(v, "false")) {
			reply_problem(q, 400, "tasks", "tasks takes true or false, not '%s'", v);
			return -1;
		}
		f->tasks = strcmp(v, "true") == 0;
	}
	if ((v = req_query(q, "severity")) != NULL) {
		enum tn_severity s = tn_severity_parse(v);

		if (s == TN_SEV_NONE || strcmp(tn_severity_name(s), v) != 0) {
			reply_problem(q, 400, "severity", "severity takes blue, yellow, orange or red, "
				      "not '%s'", v);
			return -1;
		}
		f->min_severity = (int)s;
	}
	if ((v = req_query(q, "district")) != NULL) {
		if (split(v, f->district) < 0) {
			alert_filters_release(f);
			reply_problem(q, 400, "district", "at most %d districts", ALERTS_MAX_LIST);
			return -1;
		}
		for (int i = 0; f->district[i]; i++) {
			const struct tn_district *d = tn_district_find(f->district[i]);

			if (!d) {
				reply_problem(q, 400, "district", "'%s' is not one of Shanghai's 16 "
					      "district codes", f->district[i]);
				alert_filters_release(f);
				return -1;
			}
			free(f->district[i]);
			f->district[i] = tn_xstrdup(d->code);
		}
	}
	if ((v = req_query(q, "kind")) != NULL) {
		if (split(v, f->kind) < 0) {
			alert_filters_release(f);
			reply_problem(q, 400, "kind", "at most %d kinds", ALERTS_MAX_LIST);
			return -1;
		}
		for (int i = 0; f->kind[i]; i++) {
			if (!tn_alert_kind_valid(f->kind[i])) {
				reply_problem(q, 400, "kind", "'%s' is not a kind of alert", f->kind[i]);
				alert_filters_release(f);
				return -1;
			}
		}
	}
	return 0;
}

int alert_filters_match(const struct alert_filters *f, const char *event, int severity,
			const char *district, const char *kind)
{
	int ok;

	if (!f->tasks && strcmp(event, "task") == 0)
		return 0;
	if (f->min_severity > 0 && severity < f->min_severity)
		return 0;
	if (f->district[0]) {
		ok = 0;
		for (int i = 0; f->district[i] && !ok; i++)
			ok = strcmp(f->district[i], district) == 0;
		if (!ok)
			return 0;
	}
	if (f->kind[0]) {
		ok = 0;
		for (int i = 0; f->kind[i] && !ok; i++)
			ok = strcmp(f->kind[i], kind) == 0;
		if (!ok)
			return 0;
	}
	return 1;
}

/* ---- POST /v1/alerts ---- */

static void reply_alert(struct req *q, int status, jv alert, int replayed)
{
	char loc[64];

	if (status == 201) {
		snprintf(loc, sizeof(loc), "/v1/alerts/%lld", tn_alert_ll(alert, "id"));
		req_set_header(q, "Location", loc);
	}
	if (replayed)
		req_set_header(q, "Idempotent-Replayed", "true");
	reply_json(q, status, alert);
}

/* Raise one alert from `body` (consumed). */
static void post_one(struct req *q, jv body)
{
	struct problem p;
	struct tn_err err = TN_ERR_INIT;
	time_t now = time(NULL);
	long long latest = 0;
	int replayed = 0, r, update = 0;
	struct tn_buf pre = TN_BUF_INIT;
	jv doc, out, msg;

	if (alert_build(body, q->tok.name, now, 1, &doc, &msg, &pre, &p) < 0) {
		jv_free(body);
		reply_problem(q, p.status, p.field[0] ? p.field : NULL, "%s", p.detail);
		return;
	}
	jv_free(body);
	if (alerts_begin(q->srv, &err) != TN_OK) {
		jv_free(doc);
		jv_free(msg);
		tn_buf_release(&pre);
		reply_error(q, &err);
		return;
	}
	if (jv_get_kind(msg) == JV_KIND_OBJECT) {
		/* an update or a cancel of the alerts it references */
		update = 1;
		tn_buf_release(&pre);
		r = alert_apply(q->srv->st, doc, msg, (long long)now, &out, &replayed, &p, &err);
		if (r < 0)
			store_alerts_rollback(q->srv->st);
		if (r == -1)
			reply_problem(q, p.status, p.field, "%s", p.detail);
		if (r == -2)
			reply_error(q, &err);
		if (r < 0)
			return;
	} else {
		enum tn_code code;

		jv_free(msg);
		code = store_alert_raise(q->srv->st, doc, 1, pre.buf, (long long)now, &out, NULL,
					 &replayed, &err);
		tn_buf_release(&pre);
		if (code != TN_OK) {
			store_alerts_rollback(q->srv->st);
			reply_error(q, &err);
			return;
		}
	}
	if (replayed) {
		store_alerts_rollback(q->srv->st);
		reply_alert(q, 200, out, 1);
		return;
	}
	/* a cancelled alert makes no task (the producer withdrew it) */
	if (!tn_jv_bool(out, "cancelled", 0) &&
	    tasks_on_alert(q->srv, out, (long long)now, &err) != TN_OK) {
		jv_free(out);
		store_alerts_rollback(q->srv->st);
		reply_error(q, &err);
		return;
	}
	if (store_alerts_commit(q->srv->st, alerts_keep_events(), &latest, &err) != TN_OK) {
		jv_free(out);
		reply_error(q, &err);
		return;
	}
	alerts_notify(q->srv, latest);
	/* an update changed an alert: 200, the alert as it stands */
	reply_alert(q, update ? 200 : 201, out, 0);
}

struct begin_wait {
	struct srv *srv;
	int waited;
};

static void begin_wait(void *arg)
{
	struct begin_wait *w = arg;

	w->waited = 1;
	alerts_yield(w->srv);
}

enum tn_code alerts_begin(struct srv *srv, struct tn_err *err)
{
	struct begin_wait w = { srv, 0 };
	enum tn_code code = store_alerts_begin_yield(srv->st, begin_wait, &w, err);

	if (code == TN_OK && w.waited)
		alerts_catch_up(srv);   /* nothing written yet: the snapshot is the other's commit */
	return code;
}

/* A batch's build lets this worker's followers have other workers' alerts every so many. */
#define YIELD_EVERY 16

/* What a batch's answer counts. */
enum { CREATED, REPLAYED, UPDATED, FAILED, COUNTS };

/* One alert of a batch: what alert_build made of it, then its result. */
struct batch_item {
	jv doc, msg;            /* alert_build's; doc invalid once refused or consumed */
	size_t pre;             /* a raise: doc's text at this offset of the batch's texts */
	int status, replayed;
	jv res;                 /* the problem (refused) or the ALERT (an update), else invalid */
	size_t text, len;       /* a raise: the ALERT's text in the reply's texts */
};

/*
 * Inside the transaction: raise or apply item `it`.  0, or -1 with *err
 * filled when the store failed (the whole batch is then undone).
 */
static int batch_apply(struct req *q, struct batch_item *it, int whole, const char *pre,
		       time_t now, struct tn_buf *texts, long *counts, struct tn_err *err)
{
	struct problem p;
	jv out = jv_invalid();
	int a;

	if (jv_get_kind(it->msg) != JV_KIND_OBJECT) {
		enum tn_code code;

		it->text = texts->len;
		code = store_alert_raise(q->srv->st, it->doc, whole, pre, (long long)now, &out, texts,
					 &it->replayed, err);
		it->doc = jv_invalid();         /* the store's now */
		if (code != TN_OK)
			return -1;
		it->len = texts->len - it->text;
		if (!it->replayed && whole && tasks_on_alert(q->srv, out, (long long)now, err) != TN_OK) {
			jv_free(out);
			return -1;
		}
		jv_free(out);
		it->status = it->replayed ? 200 : 201;
		counts[it->replayed ? REPLAYED : CREATED]++;
		return 0;
	}
	a = alert_apply(q->srv->st, it->doc, jv_copy(it->msg), (long long)now, &out, &it->replayed,
			&p, err);
	it->doc = jv_invalid();
	if (a == -1) {          /* an update or cancel naming no known alert: 404 */
		it->status = p.status;
		it->res = problem_json(&p);
		counts[FAILED]++;
		return 0;
	}
	if (a == -2 || (!it->replayed && !tn_jv_bool(out, "cancelled", 0) &&
			tasks_on_alert(q->srv, out, (long long)now, err) != TN_OK)) {
		if (jv_is_valid(out))
			jv_free(out);
		return -1;
	}
	it->status = 200;
	it->res = out;
	counts[it->replayed ? REPLAYED : UPDATED]++;
	return 0;
}

/* The batch's answer: its results in order, then the counts. */
static void batch_reply(struct req *q, const struct batch_item *items, int n,
			const struct tn_buf *texts, const long *counts)
{
	struct tn_buf b = TN_BUF_INIT;

	tn_buf_adds(&b, "{\"results\":[");
	for (int i = 0; i < n; i++) {
		const struct batch_item *it = &items[i];

		tn_buf_addf(&b, "%s{\"index\":%d,\"status\":%d,\"%s\":", i ? "," : "", i,
			    it->status, it->status >= 400 ? "problem" : "alert");
		if (jv_is_valid(it->res))
			tn_json_dump(it->res, &b);
		else
			tn_buf_add(&b, texts->buf + it->text, it->len);
		tn_buf_adds(&b, it->replayed ? ",\"replayed\":true}" : "}");
	}
	tn_buf_addf(&b, "],\"created\":%ld,\"replayed\":%ld,\"updated\":%ld,\"failed\":%ld}",
		    counts[CREATED], counts[REPLAYED], counts[UPDATED], counts[FAILED]);
	reply_text(q, 200, "application/json", b.buf, b.len);
	tn_buf_release(&b);
}

static void batch_free(struct batch_item *items, int n)
{
	for (int i = 0; i < n; i++) {
		jv_free(items[i].doc);
		jv_free(items[i].msg);
		jv_free(items[i].res);
	}
	free(items);
}

/*
 * Raise the alerts of array `list` (consumed), each on its own, in one
 * transaction.  Each is checked, built and dumped before the transaction
 * begins, so that the write lock is held only for the store's own work.
 */
static void post_batch(struct req *q, jv list)
{
	struct tn_err err = TN_ERR_INIT;
	struct problem p;
	struct tn_buf pre = TN_BUF_INIT, texts = TN_BUF_INIT;
	struct batch_item *items;
	time_t now = time(NULL);
	long long latest = 0;
	long counts[COUNTS] = { 0 };
	int n = jv_get_kind(list) == JV_KIND_ARRAY ? jv_array_length(jv_copy(list)) : -1, i;
	/* the reply is made of the texts: the whole ALERT only for the rules (no reload mid-request) */
	int whole = tasks_have_rules(q->srv);

	if (n < 1 || n > BATCH_MAX) {
		jv_free(list);
		reply_problem(q, 422, "alerts", "alerts must be an array of 1 to %d alerts", BATCH_MAX);
		return;
	}
	items = tn_xcalloc((size_t)n, sizeof(*items));
	for (i = 0; i < n; i++) {
		struct batch_item *it = &items[i];
		jv item = jv_array_get(jv_copy(list), i);

		it->res = jv_invalid();
		it->pre = pre.len;
		if (alert_build(item, q->tok.name, now, whole, &it->doc, &it->msg, &pre, &p) < 0) {
			it->status = p.status;
			it->res = problem_json(&p);
			counts[FAILED]++;
		} else if (jv_get_kind(it->msg) != JV_KIND_OBJECT) {
			tn_buf_addch(&pre, '\0');      /* a raise: its text, made before the transaction */
		} else {
			tn_buf_setlen(&pre, it->pre);     /* an update: no text needed */
		}
		jv_free(item);
		if (i % YIELD_EVERY == YIELD_EVERY - 1)
			alerts_yield(q->srv);   /* another worker's commit reaches our followers */
	}
	jv_free(list);
	/* the build took a while: other workers' alerts first, and while the lock is held */
	alerts_yield(q->srv);
	if (alerts_begin(q->srv, &err) != TN_OK)
		goto fail;
	for (i = 0; i < n; i++)
		if (jv_is_valid(items[i].doc) &&
		    batch_apply(q, &items[i], whole, pre.buf + items[i].pre, now, &texts, counts,
				&err) < 0) {
			store_alerts_rollback(q->srv->st);
			goto fail;
		}
	if (counts[CREATED] + counts[UPDATED] == 0)
		store_alerts_rollback(q->srv->st);
	else if (store_alerts_commit(q->srv->st, alerts_keep_events(), &latest, &err) != TN_OK)
		goto fail;
	/* the followers first, this worker's too: they read while the reply is made */
	if (counts[CREATED] + counts[UPDATED]) {
		alerts_notify(q->srv, latest);
		alerts_feed(q->srv);
	}
	batch_reply(q, items, n, &texts, counts);
	batch_free(items, n);
	tn_buf_release(&pre);
	tn_buf_release(&texts);
	return;
fail:
	batch_free(items, n);
	tn_buf_release(&pre);
	tn_buf_release(&texts);
	reply_error(q, &err);
}

void alerts_post(struct req *q, const char *arg)
{
	jv body, list;

	if (req_body(q, &body) < 0)
		return;
	list = jv_object_get(jv_copy(body), jv_string("alerts"));
	if (jv_is_valid(list)) {
		static const char *const batch_keys[] = { "alerts", NULL };
		char *bad = tn_jv_unknown_member(body, batch_keys);

		if (bad) {
			reply_problem(q, 400, bad, "a batch is {\"alerts\":[...]} only, not '%s'", bad);
			free(bad);
		} else {
			post_batch(q, jv_copy(list));
		}
	} else {
		post_one(q, jv_copy(body));
	}
	jv_free(list);
	jv_free(body);
}

/* ---- GET /v1/alerts, GET /v1/alerts/{id} ---- */

void alerts_list(struct req *q, const char *arg)
{
	static const char *const allowed[] = {
		"status", "severity", "district", "kind", "source", "since", "until", "after",
		"order", "limit", "cursor", NULL
	};
	struct store_alert_filter sf;
	struct alert_filters af;
	struct tn_err err = TN_ERR_INIT;
	char *status[ALERTS_MAX_LIST + 1] = { NULL }, *next = NULL;
	const char *v;
	long long after = -1;
	jv items;

	if (req_query_check(q, allowed) < 0 || alert_filters_parse(q, &af) < 0)
		return;
	memset(&sf, 0, sizeof(sf));
	sf.since = sf.until = sf.after = -1;
	sf.limit = 100;
	if ((v = req_query(q, "status")) != NULL) {
		if (split(v, status) < 0) {
			reply_problem(q, 400, "status", "too many statuses");
			goto out;
		}
		for (int i = 0; status[i]; i++) {
			int known = 0;

			for (const char *const *s = statuses; *s; s++)
				known |= strcmp(*s, status[i]) == 0;
			if (!known) {
				reply_problem(q, 400, "status", "'%s' is not a status of an alert "
					      "(raised, dispatched, acknowledged, resolved, closed)",
					      status[i]);
				goto out;
			}
		}
		sf.status = status;
	}
	if ((v = req_query(q, "since")) != NULL && tn_time_parse(v, &sf.since) < 0) {
		reply_problem(q, 400, "since", "since takes an RFC 3339 time, not '%s'", v);
		goto out;
	}
	if ((v = req_query(q, "until")) != NULL && tn_time_parse(v, &sf.until) < 0) {
		reply_problem(q, 400, "until", "until takes an RFC 3339 time, not '%s'", v);
		goto out;
	}
	if ((v = req_query(q, "after")) != NULL && alert_parse_seq(v, &after) < 0) {
		reply_problem(q, 400, "after", "after takes a whole number, not '%s'", v);
		goto out;
	}
	sf.after = after;
	if ((v = req_query(q, "order")) != NULL) {
		if (strcmp(v, "id") && strcmp(v, "-id")) {
			reply_problem(q, 400, "order", "order takes id or -id, not '%s'", v);
			goto out;
		}
		sf.desc = v[0] == '-';
	}
	if ((v = req_query(q, "limit")) != NULL &&
	    (tn_parse_long(v, &sf.limit) != 0 || sf.limit < 1 || sf.limit > 1000)) {
		reply_problem(q, 400, "limit", "limit must be a number from 1 to 1000, not '%s'", v);
		goto out;
	}
	sf.cursor = req_query(q, "cursor");
	sf.source = req_query(q, "source");
	sf.min_severity = af.min_severity;
	sf.district = af.district[0] ? af.district : NULL;
	sf.kind = af.kind[0] ? af.kind : NULL;
	if (store_alert_list(q->srv->st, &sf, &items, &next, &err) != TN_OK) {
		if (err.code == TN_EINVALID)
			reply_problem(q, 400, "cursor", "%s", err.message);
		else
			reply_error(q, &err);
		goto out;
	}
	reply_list(q, items, next);
	free(next);
out:
	for (int i = 0; status[i]; i++)
		free(status[i]);
	alert_filters_release(&af);
}

void alerts_one(struct req *q, const char *id)
{
	struct tn_err err = TN_ERR_INIT;
	long long n;
	jv doc, history;

	if (alert_parse_seq(id, &n) < 0 || n < 1) {
		reply_problem(q, 404, NULL, "no alert '%s'", id);
		return;
	}
	if (store_alert_get(q->srv->st, n, &doc, &err) != TN_OK ||
	    store_alert_history(q->srv->st, n, &history, &err) != TN_OK) {
		jv_free(doc);
		reply_error(q, &err);
		return;
	}
	reply_json(q, 200, jv_object_set(doc, jv_string("history"), history));
}

void alerts_commit_reply(struct req *q, jv out)
{
	struct tn_err err = TN_ERR_INIT;
	long long latest = 0;

	if (store_alerts_commit(q->srv->st, alerts_keep_events(), &latest, &err) != TN_OK) {
		jv_free(out);
		reply_error(q, &err);
		return;
	}
	reply_json(q, 200, out);
	alerts_notify(q->srv, latest);
}

/* ---- POST /v1/alerts/{id}/actions ---- */

void alerts_actions(struct req *q, const char *id)
{
	static const char *const keys[] = { "action", "crew", "evaluation", "comment", NULL };
	struct tn_err err = TN_ERR_INIT;
	struct problem p;
	const struct step *s = NULL;
	jv body, action = jv_null(), need = jv_null(), comment = jv_null(), doc = jv_invalid(), out;
	long long n, want = -1;
	time_t now = time(NULL);
	char when[40];
	const char *h;

	if (alert_parse_seq(id, &n) < 0 || n < 1) {
		reply_problem(q, 404, NULL, "no alert '%s'", id);
		return;
	}
	if ((h = req_header(q, "If-Match")) != NULL && (want = if_match_version(h)) < 0) {
		reply_problem(q, 400, NULL, "If-Match must be an alert's seq, not '%s'", h);
		return;
	}
	if (req_body(q, &body) < 0)
		return;
	if (reply_unknown_member(q, body, keys, NULL) < 0)
		goto out;
	if (alert_text_member(body, "action", 32, 1, 0, &action, &p) < 0) {
		reply_problem(q, p.status, "action", "%s", p.detail);
		goto out;
	}
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (strcmp(steps[i].action, jv_string_value(action)) == 0)
			s = &steps[i];
	if (!s) {
		reply_problem(q, 422, "action", "unknown action '%s' (dispatch, acknowledge, resolve, "
			      "close, reopen)", jv_string_value(action));
		goto out;
	}
	if (s->need && alert_text_member(body, s->need, s->need_max, 1, 0, &need, &p) < 0) {
		reply_problem(q, 422, s->need, "%s", p.detail);
		goto out;
	}
	if (alert_text_member(body, "comment", 1000, 0, 1, &comment, &p) < 0) {
		reply_problem(q, 422, "comment", "%s", p.detail);
		goto out;
	}
	if (store_alerts_begin(q->srv->st, &err) != TN_OK) {
		reply_error(q, &err);
		goto out;
	}
	if (store_alert_get(q->srv->st, n, &doc, &err) != TN_OK) {
		store_alerts_rollback(q->srv->st);
		reply_error(q, &err);
		goto out;
	}
	if (tn_jv_is(doc, "status", s->to) && !s->clear &&
	    (!s->need || tn_jv_is(doc, s->need, jv_string_value(need)))) {
		/* the step just done, asked again (even under the seq it
		 * was asked at, a retry): harmless */
		store_alerts_rollback(q->srv->st);
		reply_alert(q, 200, doc, 1);
		doc = jv_invalid();
		goto out;
	}
	if (want > 0 && tn_alert_ll(doc, "seq") != want) {
		store_alerts_rollback(q->srv->st);
		reply_problem(q, 412, NULL, "alert %lld was changed by someone else (now seq %lld, "
			      "not %lld)", n, tn_alert_ll(doc, "seq"), want);
		goto out;
	}
	if (!status_in(tn_jv_str(doc, "status"), s->from)) {
		const char *cur = tn_jv_str(doc, "status");

		store_alerts_rollback(q->srv->st);
		reply_problem(q, 409, NULL, "cannot %s an alert that is %s", s->action,
			      cur ? cur : "unknown");
		goto out;
	}
	time_rfc3339((long long)now, when, sizeof(when));
	doc = jv_object_set(doc, jv_string("status"), jv_string(s->to));
	doc = jv_object_set(doc, jv_string(s->time_member), jv_string(when));
	if (s->need)
		doc = jv_object_set(doc, jv_string(s->need), jv_copy(need));
	for (const char *c = s->clear; c && *c; ) {
		size_t len = strcspn(c, "|");
		char m[32];

		snprintf(m, sizeof(m), "%.*s", (int)len, c);
		doc = jv_object_set(doc, jv_string(m), jv_null());
		c += len + (c[len] == '|');
	}
	doc = jv_object_set(doc, jv_string("updated_at"), jv_string(when));
	if (store_alert_update(q->srv->st, n, doc, (long long)now, s->action, q->tok.name,
			       jv_get_kind(comment) == JV_KIND_STRING ? jv_string_value(comment) : NULL,
			       &out, &err) != TN_OK) {
		doc = jv_invalid();
		store_alerts_rollback(q->srv->st);
		reply_error(q, &err);
		goto out;
	}
	doc = jv_invalid();
	alerts_commit_reply(q, out);
out:
	jv_free(doc);
	jv_free(action);
	jv_free(need);
	jv_free(comment);
	jv_free(body);
}
