/* tasks_gen.c — the operations loop's rules in a worker: loaded at start, reloaded on SIGHUP, run on each raised alert, escalations on a timer. */
/*
 * Each worker holds its own rule set (jq 1.6 is single-threaded, and a
 * worker is one thread).  tasks_on_alert runs inside the transaction that
 * raises the alert: the rules' intents become new tasks, or update the open
 * task of the same rule and key whose last alert came within the rule's
 * dedupe time (tn_rules_dedupe_match), in that same transaction, so an
 * alert and the tasks it made commit together or not at all (a kill -9 in
 * between leaves neither).  Once a second each worker applies the
 * escalations that fell due (store_tasks_due): the write is made under the
 * task's version, so two workers (or instances) never apply one twice.
 * SIGHUP, forwarded by the supervisor, reloads the rules; a set with an
 * error is refused (FILE:LINE in the log) and the old one keeps running.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tn_alert.h"
#include "tn_jv.h"
#include "tn_task.h"
#include "tn_taskrules.h"
#include "alerts_int.h"
#include "jvutil.h"
#include "store_alerts.h"
#include "store_tasks.h"
#include "twonetd.h"

#define DUE_BATCH 100

struct tasks_hub {
	struct tn_rules *rules;          /* NULL: no rules (--rules none) */
	char *path;                      /* what was loaded; NULL: none */
	time_t loaded_at;
	struct event *tick, *hup;
	unsigned long made, updated, escalated;
};

const char *tasks_rules_path(const char *opt)
{
	static char buf[4096];

	if (opt && strcmp(opt, "none") == 0)
		return NULL;
	if (opt)
		return opt;
	if (getenv("TWONETD_RULES") && *getenv("TWONETD_RULES"))
		return strcmp(getenv("TWONETD_RULES"), "none") == 0 ? NULL : getenv("TWONETD_RULES");
	snprintf(buf, sizeof(buf), "%s/rules", tn_sharedir());
	/* the shipped rules not installed: run without, and say so (tasks_rules_check) */
	if (access(buf, R_OK) != 0) {
		fprintf(stderr, "twonetd: no rules at %s: alerts make no tasks\n", buf);
		return NULL;
	}
	return buf;
}

int tasks_rules_check(const char *path)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_rules *r = NULL;

	if (!path)
		return 0;
	if (tn_rules_load(path, &r, &err) != TN_OK) {
		fprintf(stderr, "twonetd: error: rules: %s\n", err.message);
		return -1;
	}
	fprintf(stderr, "twonetd: %zu rules from %s\n", tn_rules_count(r), path);
	tn_rules_free(r);
	return 0;
}

/* The history of a rule's window: recent alerts from the store. */
static enum tn_code history(void *ctx, const char *kind, const char *source, long long since,
			    long max, jv *alerts, struct tn_err *err)
{
	struct { struct srv *srv; long long except; } *h = ctx;

	return store_alerts_recent(h->srv->st, kind, source, since, h->except,
				   max < TN_RULES_WINDOW_MAX ? max : TN_RULES_WINDOW_MAX, alerts, err);
}

int tasks_have_rules(const struct srv *srv)
{
	return srv->tasks && srv->tasks->rules;
}

enum tn_code tasks_on_alert(struct srv *srv, jv alert, long long now, struct tn_err *err)
{
	struct tasks_hub *t = srv->tasks;
	struct { struct srv *srv; long long except; } h = { srv, 0 };
	jv intents;
	enum tn_code code;

	if (!t || !t->rules)
		return TN_OK;
	h.except = tn_alert_ll(alert, "id");
	code = tn_rules_eval(t->rules, alert, now, history, &h, &intents, err);
	if (code != TN_OK)
		return code;
	jv_array_foreach(intents, i, intent) {
		const char *rule = tn_jv_str(intent, "rule"), *key = tn_jv_str(intent, "key");
		jv open, out;

		if (code != TN_OK) {
			jv_free(intent);
			continue;
		}
		code = store_task_open_get(srv->st, rule ? rule : "", key ? key : "", &open, err);
		if (code == TN_OK && !tn_rules_dedupe_match(open, intent, now)) {
			/* open, but its last alert is older than the rule's dedupe time: a new task */
			jv_free(open);
			code = tn_err_set(err, TN_ENOTFOUND, "no task to update");
		}
		if (code == TN_OK) {
			long long id = tn_alert_ll(open, "id"), version = tn_alert_ll(open, "version");
			jv merged = tn_task_merge(jv_copy(open), intent, alert, now);

			if (jv_equal(jv_copy(merged), jv_copy(open))) {
				jv_free(merged);
			} else {
				code = store_task_put(srv->st, id, version, merged, now, "update",
						      "rules", NULL, &out, err);
				if (code == TN_OK) {
					jv_free(out);
					t->updated++;
				}
			}
			jv_free(open);
			jv_free(intent);
		} else if (code == TN_ENOTFOUND) {
			jv task = tn_task_new(intent, jv_copy(alert), now);

			tn_err_clear(err);
			code = store_task_put(srv->st, 0, 0, task, now, "generate", "rules", NULL,
					      &out, err);
			if (code == TN_OK) {
				jv_free(out);
				t->made++;
			}
		} else {
			jv_free(intent);
		}
	}
	jv_free(intents);
	return code;
}

/* Apply the escalations due now to task `id`, in a transaction of its own. */
static void escalate_one(struct srv *srv, long long id, long long now)
{
	struct tn_err err = TN_ERR_INIT;
	long long latest = 0;
	jv doc, out;

	if (store_alerts_begin(srv->st, &err) != TN_OK)
		return;
	if (store_task_get(srv->st, id, &doc, &err) != TN_OK) {
		store_alerts_rollback(srv->st);
		return;
	}
	if (!tn_task_escalate(&doc, now)) {
		/* nothing due after all (another worker was first): nothing to write */
		jv_free(doc);
		store_alerts_rollback(srv->st);
		return;
	}
	if (store_task_put(srv->st, id, tn_alert_ll(doc, "version"), doc, now, "escalate", "rules",
			   NULL, &out, &err) != TN_OK) {
		store_alerts_rollback(srv->st);
		if (err.code != TN_ECONFLICT)
			fprintf(stderr, "twonetd[%ld]: escalation of task %lld: %s\n",
				(long)getpid(), id, err.message);
		return;
	}
	jv_free(out);
	if (store_alerts_commit(srv->st, alerts_keep_events(), &latest, &err) != TN_OK)
		return;
	srv->tasks->escalated++;
	alerts_notify(srv, latest);
}

void tasks_escalate_due(struct srv *srv, long long now)
{
	struct tn_err err = TN_ERR_INIT;
	jv ids;

	if (store_tasks_due(srv->st, now, DUE_BATCH, &ids, &err) != TN_OK)
		return;
	jv_array_foreach(ids, i, id) {
		escalate_one(srv, (long long)jv_number_value(id), now);
		jv_free(id);
	}
	jv_free(ids);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct srv *srv = arg;

	(void)fd;
	(void)what;
	if (!srv->stopping)
		tasks_escalate_due(srv, (long long)time(NULL));
}

/* Load the rules at `path` into the hub, replacing the old set only on success. */
static int load(struct tasks_hub *t, const char *path, int reload)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_rules *r = NULL;
	char *keep;

	if (tn_rules_load(path, &r, &err) != TN_OK) {
		fprintf(stderr, "twonetd[%ld]: %s: %s%s\n", (long)getpid(),
			reload ? "rules not reloaded" : "error: rules", err.message,
			reload ? " (the rules loaded before keep running)" : "");
		return -1;
	}
	keep = tn_xstrdup(path);        /* path may be t->path itself (a reload) */

	tn_rules_free(t->rules);
	t->rules = r;
	free(t->path);
	t->path = keep;
	t->loaded_at = time(NULL);
	if (reload)
		fprintf(stderr, "twonetd[%ld]: rules reloaded: %zu rules from %s\n",
			(long)getpid(), tn_rules_count(r), t->path);
	return 0;
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct srv *srv = arg;
	const char *path = srv->tasks->path ? srv->tasks->path : tasks_rules_path(NULL);

	(void)sig;
	(void)what;
	if (path)
		load(srv->tasks, path, 1);
}

int tasks_worker_start(struct srv *srv, const char *path)
{
	struct tasks_hub *t = tn_xcalloc(1, sizeof(*t));
	struct timeval tv = { 1, 0 };

	srv->tasks = t;
	if (path && load(t, path, 0) < 0)
		return -1;
	t->tick = event_new(srv->base, -1, EV_PERSIST, on_tick, srv);
	t->hup = evsignal_new(srv->base, SIGHUP, on_hup, srv);
	if (!t->tick || !t->hup || event_add(t->tick, &tv) < 0 || evsignal_add(t->hup, NULL) < 0) {
		fprintf(stderr, "twonetd: error: cannot set up the task timer\n");
		return -1;
	}
	return 0;
}

void tasks_worker_stop(struct srv *srv)
{
	struct tasks_hub *t = srv->tasks;

	if (!t)
		return;
	if (t->tick)
		event_free(t->tick);
	if (t->hup)
		event_free(t->hup);
	tn_rules_free(t->rules);
	free(t->path);
	free(t);
	srv->tasks = NULL;
}

/* GET /v1/rules: the rules this worker runs, their targets, when they were loaded. */
void tasks_rules_get(struct req *q, const char *arg)
{
	struct tasks_hub *t = q->srv->tasks;
	const char *last = NULL;
	char when[40];
	jv out = jv_object();

	(void)arg;
	if (t && t->rules) {
		time_rfc3339((long long)t->loaded_at, when, sizeof(when));
		out = jv_object_set(out, jv_string("path"), jv_string(t->path));
		out = jv_object_set(out, jv_string("loaded_at"), jv_string(when));
		out = jv_object_set(out, jv_string("rules"), tn_rules_describe(t->rules));
		out = jv_object_set(out, jv_string("targets"), tn_rules_targets(t->rules));
		out = jv_object_set(out, jv_string("errors"),
				    jv_number((double)tn_rules_errors(t->rules, &last)));
		out = jv_object_set(out, jv_string("last_error"),
				    last && *last ? jv_string(last) : jv_null());
	} else {
		out = jv_object_set(out, jv_string("path"), jv_null());
		out = jv_object_set(out, jv_string("rules"), jv_array());
	}
	if (t) {
		out = jv_object_set(out, jv_string("tasks_generated"), jv_number((double)t->made));
		out = jv_object_set(out, jv_string("tasks_updated"), jv_number((double)t->updated));
		out = jv_object_set(out, jv_string("escalations"), jv_number((double)t->escalated));
	}
	out = jv_object_set(out, jv_string("worker"), jv_number((double)getpid()));
	reply_json(q, 200, out);
}
