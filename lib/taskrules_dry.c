/* taskrules_dry.c — the offline run of a rule set over recorded alerts: history for windows, dedupe and escalations in memory, with the server's task functions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "tn_alertkind.h"
#include "tn_buf.h"
#include "tn_jv.h"
#include "tn_task.h"
#include "tnp_taskrules.h"

#define DRY_MAX_ESCALATIONS 50  /* firings of one task in one call, a guard */

struct tn_rules_dry {
	struct tn_rules *r;
	jv hist;                /* "KIND\x1fSOURCE" -> [[epoch, ALERT], ...] oldest first */
	jv tasks;               /* every TASK made, id i+1 at index i */
	jv latest;              /* "RULE\x1fKEY" -> index of the task alerts of it go to */
	long long clock;        /* the last record's time, 0 before the first */
	long long next_alert;   /* ids for alerts that have none */
};

int tn_rules_dedupe_match(jv task, jv intent, long long now)
{
	long long dd = tn_jv_long(intent, "dedupe_s", 0), last = -1;
	jv la = tn_jv_object(task, "last_alert");

	if (!tn_task_open(tn_jv_str(task, "status"))) {
		jv_free(la);
		return 0;
	}
	if (tn_time_parse(tn_jv_str(la, "raised_at"), &last) < 0 &&
	    tn_time_parse(tn_jv_str(task, "generated_at"), &last) < 0)
		last = now;
	jv_free(la);
	return dd <= 0 || now - last <= dd;
}

struct tn_rules_dry *tn_rules_dry_new(struct tn_rules *r)
{
	struct tn_rules_dry *d = tn_xcalloc(1, sizeof(*d));

	d->r = r;
	d->hist = jv_object();
	d->tasks = jv_array();
	d->latest = jv_object();
	d->next_alert = 1;
	return d;
}

void tn_rules_dry_free(struct tn_rules_dry *d)
{
	if (!d)
		return;
	jv_free(d->hist);
	jv_free(d->tasks);
	jv_free(d->latest);
	free(d);
}

static jv pair_key(const char *a, const char *b)
{
	return jv_string_fmt("%s\x1f%s", a ? a : "", b ? b : "");
}

/* tn_rules_history_fn over the alerts fed so far. */
static enum tn_code history(void *ctx, const char *kind, const char *source, long long since,
			    long max, jv *alerts, struct tn_err *err)
{
	struct tn_rules_dry *d = ctx;
	jv list = jv_object_get(jv_copy(d->hist), pair_key(kind, source));
	int n, first;

	*alerts = jv_array();
	if (!jv_is_valid(list))
		return TN_OK;
	/* fed in time order: the newest `max` are the last */
	n = jv_array_length(jv_copy(list));
	first = max < n ? n - (int)max : 0;
	jv_array_foreach(list, i, e) {
		if (i >= first && (long long)jv_number_value(jv_array_get(jv_copy(e), 0)) >= since)
			*alerts = jv_array_append(*alerts, jv_array_get(jv_copy(e), 1));
		jv_free(e);
	}
	jv_free(list);
	return TN_OK;
}

/* Keep `alert` (borrowed) at `at`, dropping what no window can reach any more. */
static void remember(struct tn_rules_dry *d, jv alert, long long at)
{
	jv key = pair_key(tn_jv_str(alert, "kind"), tn_jv_str(alert, "source"));
	jv list = jv_object_get(jv_copy(d->hist), jv_copy(key)), keep = jv_array();

	if (!d->r->max_within) {
		jv_free(key);
		jv_free(list);
		jv_free(keep);
		return;
	}
	if (jv_is_valid(list)) {
		jv_array_foreach(list, i, e) {
			if ((long long)jv_number_value(jv_array_get(jv_copy(e), 0)) >=
			    at - d->r->max_within)
				keep = jv_array_append(keep, e);
			else
				jv_free(e);
		}
	}
	jv_free(list);
	keep = jv_array_append(keep, JV_ARRAY(jv_number((double)at), jv_copy(alert)));
	d->hist = jv_object_set(d->hist, key, keep);
}

/* {"action": ACTION, ...task} (task borrowed). */
static jv event_of(const char *action, jv task)
{
	return jv_object_merge(jv_object_set(jv_object(), jv_string("action"), jv_string(action)),
			       jv_copy(task));
}

static jv bump(jv task)
{
	return jv_object_set(task, jv_string("version"),
			     jv_number((double)(tn_jv_long(task, "version", 0) + 1)));
}

/* Fire what is due on task i by `at`, each at its own time, appending to *out. */
static void escalate_one(struct tn_rules_dry *d, int i, long long at, jv *out)
{
	jv t = jv_array_get(jv_copy(d->tasks), i);
	long long due;
	int n = 0, changed = 0;

	while ((due = tn_task_next_due(t)) > 0 && due <= at && n++ < DRY_MAX_ESCALATIONS) {
		long before = jv_array_length(tn_jv_array(t, "escalations"));

		if (!tn_task_escalate(&t, due))
			break;
		changed = 1;
		if (jv_array_length(tn_jv_array(t, "escalations")) > before) {
			t = bump(t);
			*out = jv_array_append(*out, event_of("escalate", t));
		}
	}
	if (changed)
		d->tasks = jv_array_set(d->tasks, i, t);
	else
		jv_free(t);
}

void tn_rules_dry_escalate(struct tn_rules_dry *d, long long at, jv *out)
{
	int n = jv_array_length(jv_copy(d->tasks));

	for (int i = 0; i < n; i++)
		escalate_one(d, i, at, out);
}

/* The alert a record stands for (owned), its time in *at; jv_invalid() with err when none. */
static jv alert_of(struct tn_rules_dry *d, jv rec, long long *at, struct tn_err *err)
{
	static const char *const times[] = { "raised_at", "sent_at", "onset_at", NULL };
	jv a;

	if (tn_jv_has(rec, "raised_at")) {
		a = jv_copy(rec);       /* an ALERT as the server stores it */
	} else if (tn_alert_normalize(jv_copy(rec), 1, &a, err) != TN_OK) {
		return jv_invalid();
	}
	*at = 0;
	for (int i = 0; times[i] && !*at; i++)
		if (tn_time_parse(tn_jv_str(a, times[i]), at) < 0)
			*at = 0;
	if (!*at && !(*at = d->clock)) {
		jv_free(a);
		tn_err_set(err, TN_EINVALID, "the alert has no time (raised_at or sent_at) and "
			   "none came before it");
		return jv_invalid();
	}
	if (!tn_jv_has(a, "raised_at")) {
		char buf[40];

		tn_time_rfc3339(*at, buf, sizeof(buf));
		a = jv_object_set(a, jv_string("raised_at"), jv_string(buf));
	}
	/* what the server fills in: the district's and the kind's names */
	if (!tn_jv_has(a, "district_name")) {
		const char *code = tn_jv_str(a, "district");
		const struct tn_district *dist = tn_district_find(code ? code : "");

		a = jv_object_set(a, jv_string("district_name"), dist ? jv_string(dist->name) : jv_null());
	}
	if (!tn_jv_has(a, "kind_name")) {
		const struct tn_alertkind *k = tn_alertkind_get(tn_alertkinds_default(NULL),
								tn_jv_str(a, "kind"));

		a = jv_object_set(a, jv_string("kind_name"), jv_string(k ? k->name : ""));
	}
	if (tn_jv_long(a, "id", -1) < 1)
		a = jv_object_set(a, jv_string("id"), jv_number((double)d->next_alert++));
	return a;
}

/* One intent (consumed) of `alert` (borrowed) at `at`: a task made or updated. */
static void apply(struct tn_rules_dry *d, jv intent, jv alert, long long at, jv *out)
{
	jv key = pair_key(tn_jv_str(intent, "rule"), tn_jv_str(intent, "key"));
	jv idx = jv_object_get(jv_copy(d->latest), jv_copy(key)), t;
	int i = jv_is_valid(idx) ? (int)jv_number_value(idx) : -1;

	jv_free(idx);
	if (i >= 0) {
		t = jv_array_get(jv_copy(d->tasks), i);
		if (tn_rules_dedupe_match(t, intent, at)) {
			t = bump(tn_task_merge(t, intent, alert, at));
			*out = jv_array_append(*out, event_of("update", t));
			d->tasks = jv_array_set(d->tasks, i, t);
			jv_free(intent);
			jv_free(key);
			return;
		}
		jv_free(t);
	}
	i = jv_array_length(jv_copy(d->tasks));
	t = jv_object_set(jv_object(), jv_string("id"), jv_number(i + 1));
	t = jv_object_set(t, jv_string("version"), jv_number(1));
	t = jv_object_merge(t, tn_task_new(intent, alert, at));
	*out = jv_array_append(*out, event_of("generate", t));
	d->tasks = jv_array_append(d->tasks, t);
	d->latest = jv_object_set(d->latest, key, jv_number(i));
}

enum tn_code tn_rules_dry_feed(struct tn_rules_dry *d, jv record, long long escalate_until,
			       jv *out, struct tn_err *err)
{
	const char *ev = tn_jv_str(record, "event"), *mt = tn_jv_str(record, "msg_type");
	long long at;
	enum tn_code rc;
	jv alert, intents;

	if (jv_get_kind(record) != JV_KIND_OBJECT)
		return tn_err_set(err, TN_EINVALID, "not a JSON object (an alert)");
	if ((ev && strcmp(ev, "alert")) || (mt && !strcmp(mt, "cancel")))
		return TN_OK;
	alert = alert_of(d, record, &at, err);
	if (!jv_is_valid(alert))
		return TN_EINVALID;
	if (escalate_until > 0)
		tn_rules_dry_escalate(d, at < escalate_until ? at : escalate_until, out);
	d->clock = at;
	rc = tn_rules_eval(d->r, alert, at, history, d, &intents, err);
	if (rc == TN_OK) {
		remember(d, alert, at);
		jv_array_foreach(intents, i, in)
			apply(d, in, alert, at, out);
		jv_free(intents);
	}
	jv_free(alert);
	return rc;
}
