/* taskreport.c — the evaluation report of tasks: per kind, district and department, times to dispatch, acknowledge and resolve, targets, escalations, late plan steps. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_jv.h"
#include "tn_report.h"
#include "tn_task.h"
#include "tn_text.h"

/* The three timed steps: the member holding the time, the target's member, the row's prefix. */
static const struct measure {
	const char *at, *target, *prefix;
} measures[] = {
	{ "dispatched_at",   "dispatch_s",    "dispatch" },
	{ "acknowledged_at", "acknowledge_s", "acknowledge" },
	{ "resolved_at",     "resolve_s",     "resolve" },
};
#define NMEASURES 3

/* Durations in seconds, all kept (exact medians). */
struct durations {
	long long *v;
	size_t n, cap;
};

struct group {
	char *key;              /* kind \x1f district \x1f department: the sort order */
	jv kind, kind_name, district, district_name, department;
	long generated, open, resolved, evaluated, escalations, escalated, steps, steps_late;
	long in_target[NMEASURES], past_target[NMEASURES];
	struct durations d[NMEASURES];
	long scores;
	double score_sum;
};

struct tn_task_report {
	long long now;
	struct group *g;        /* sorted by key */
	size_t n, cap;
	struct group total;
};

struct tn_task_report *tn_task_report_new(long long now)
{
	struct tn_task_report *r = tn_xcalloc(1, sizeof(*r));

	r->now = now;
	r->total.kind = r->total.kind_name = r->total.district = jv_null();
	r->total.district_name = r->total.department = jv_null();
	return r;
}

static void group_free(struct group *g)
{
	free(g->key);
	jv_free(g->kind);
	jv_free(g->kind_name);
	jv_free(g->district);
	jv_free(g->district_name);
	jv_free(g->department);
	for (int i = 0; i < NMEASURES; i++)
		free(g->d[i].v);
}

void tn_task_report_free(struct tn_task_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		group_free(&r->g[i]);
	group_free(&r->total);
	free(r->g);
	free(r);
}

/* The string member `key` of `task` (borrowed), or "". */
static const char *text_of(jv task, const char *key)
{
	const char *s = tn_jv_str(task, key);

	return s ? s : "";
}

/* The group of `task` (borrowed), made when new. */
static struct group *group_of(struct tn_task_report *r, jv task)
{
	struct tn_buf key = TN_BUF_INIT;
	size_t lo = 0, hi = r->n;
	struct group *g;

	tn_buf_addf(&key, "%s\x1f%s\x1f%s", text_of(task, "kind"), text_of(task, "district"),
		    text_of(task, "department"));
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(r->g[mid].key, key.buf);

		if (c == 0) {
			tn_buf_release(&key);
			return &r->g[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		r->g = tn_xrealloc(r->g, r->cap * sizeof(*r->g));
	}
	memmove(&r->g[lo + 1], &r->g[lo], (r->n - lo) * sizeof(*r->g));
	r->n++;
	g = &r->g[lo];
	memset(g, 0, sizeof(*g));
	g->key = tn_buf_detach(&key, NULL);
	g->kind = tn_jv_str_or_null(task, "kind");
	g->kind_name = tn_jv_str_or_null(task, "kind_name");
	g->district = tn_jv_str_or_null(task, "district");
	g->district_name = tn_jv_str_or_null(task, "district_name");
	g->department = tn_jv_str_or_null(task, "department");
	return g;
}

static void dur_add(struct durations *d, long long s)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->v = tn_xrealloc(d->v, d->cap * sizeof(*d->v));
	}
	d->v[d->n++] = s;
}

/* The epoch of time member `key` of `obj` (borrowed), or -1. */
static long long at_of(jv obj, const char *key)
{
	long long t;

	return tn_time_parse(tn_jv_str(obj, key), &t) == 0 ? t : -1;
}

/* What one task adds to a group: its figures, computed once, added to its group and the total. */
struct one {
	long open, resolved, evaluated, escalations, steps, steps_late, scored;
	double score;
	int timed[NMEASURES];           /* 1: a duration in dur[] */
	long long dur[NMEASURES];
	int in[NMEASURES], past[NMEASURES];
};

static void add_to(struct group *g, const struct one *o)
{
	g->generated++;
	g->open += o->open;
	g->resolved += o->resolved;
	g->evaluated += o->evaluated;
	g->escalations += o->escalations;
	g->escalated += o->escalations > 0;
	g->steps += o->steps;
	g->steps_late += o->steps_late;
	g->scores += o->scored;
	g->score_sum += o->score;
	for (int i = 0; i < NMEASURES; i++) {
		if (o->timed[i])
			dur_add(&g->d[i], o->dur[i]);
		g->in_target[i] += o->in[i];
		g->past_target[i] += o->past[i];
	}
}

/* The plan steps of `task` (borrowed) and those late at `now`, into o. */
static void count_steps(jv task, long long now, struct one *o)
{
	jv plan = tn_jv_object(task, "plan"), steps = tn_jv_array(plan, "steps");

	jv_array_foreach(steps, i, st) {
		long long due = at_of(st, "due_at"), done = at_of(st, "done_at");

		o->steps++;
		if (due >= 0 && ((tn_jv_is(st, "status", "done") && done > due) ||
				 (tn_jv_is(st, "status", "pending") && now > due)))
			o->steps_late++;
		jv_free(st);
	}
	jv_free(steps);
	jv_free(plan);
}

void tn_task_report_add(struct tn_task_report *r, jv task)
{
	const char *status = tn_jv_str(task, "status");
	long long gen = at_of(task, "generated_at");
	jv targets = tn_jv_object(task, "targets"), ev = tn_jv_object(task, "evaluation");
	jv esc = tn_jv_array(task, "escalations");
	struct one o;
	long score = tn_jv_long(ev, "score", 0);

	if (jv_get_kind(task) != JV_KIND_OBJECT)
		goto out;
	memset(&o, 0, sizeof(o));
	o.open = tn_task_open(status);
	o.resolved = tn_word_in("resolved|evaluated", status);
	o.evaluated = tn_word_in("evaluated", status);
	o.escalations = jv_array_length(jv_copy(esc));
	if (score >= 1 && score <= 5) {
		o.scored = 1;
		o.score = (double)score;
	}
	for (int i = 0; gen >= 0 && i < NMEASURES; i++) {
		long long at = at_of(task, measures[i].at);
		long target = tn_jv_long(targets, measures[i].target, 0);

		if (at >= 0) {
			o.timed[i] = 1;
			o.dur[i] = at > gen ? at - gen : 0;
		}
		if (target <= 0)
			continue;
		if (at >= 0 && o.dur[i] <= target)
			o.in[i] = 1;
		else if (at >= 0 || r->now - gen > target)
			o.past[i] = 1;
	}
	count_steps(task, r->now, &o);
	add_to(group_of(r, task), &o);
	add_to(&r->total, &o);
out:
	jv_free(esc);
	jv_free(ev);
	jv_free(targets);
	jv_free(task);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Seconds as minutes with one decimal. */
static jv minutes(double s)
{
	return jv_number(round(s / 6.0) / 10.0);
}

/*
 * `row` (consumed) with PREFIX_min_n, _median (the mean of the two middle
 * values when the count is even) and _p90 (nearest rank: the smallest
 * value with at least 90% of the values at or below it), as twonetd's
 * reports count them; null when there are none.
 */
static jv stats(jv row, struct durations *d, const char *prefix)
{
	char k[64];
	size_t n = d->n;
	jv median = jv_null(), p90 = jv_null();

	if (n) {
		qsort(d->v, n, sizeof(*d->v), cmp_ll);
		median = minutes(n % 2 ? (double)d->v[n / 2] :
				 ((double)d->v[n / 2 - 1] + (double)d->v[n / 2]) / 2);
		p90 = minutes((double)d->v[(9 * n + 9) / 10 - 1]);
	}
	snprintf(k, sizeof(k), "%s_min_n", prefix);
	row = jv_object_set(row, jv_string(k), jv_number((double)n));
	snprintf(k, sizeof(k), "%s_min_median", prefix);
	row = jv_object_set(row, jv_string(k), median);
	snprintf(k, sizeof(k), "%s_min_p90", prefix);
	return jv_object_set(row, jv_string(k), p90);
}

/* part / whole in percent with one decimal, or null when whole is 0. */
static jv pct(long part, long whole)
{
	return whole > 0 ? jv_number(round(1000.0 * (double)part / (double)whole) / 10.0) : jv_null();
}

static jv set_n(jv row, const char *key, long n)
{
	return jv_object_set(row, jv_string(key), jv_number((double)n));
}

/* The JSON row of a group; `keyed`: with its kind, district and department (not the total). */
static jv row_of(struct group *g, int keyed)
{
	jv row = jv_object();
	char k[64];

	if (keyed) {
		row = jv_object_set(row, jv_string("group"), jv_copy(g->kind));
		row = jv_object_set(row, jv_string("name"), jv_copy(g->kind_name));
		row = jv_object_set(row, jv_string("kind"), jv_copy(g->kind));
		row = jv_object_set(row, jv_string("district"), jv_copy(g->district));
		row = jv_object_set(row, jv_string("district_name"), jv_copy(g->district_name));
		row = jv_object_set(row, jv_string("department"), jv_copy(g->department));
	}
	row = set_n(row, "generated", g->generated);
	row = set_n(row, "open", g->open);
	row = set_n(row, "resolved", g->resolved);
	row = set_n(row, "evaluated", g->evaluated);
	for (int i = 0; i < NMEASURES; i++) {
		row = stats(row, &g->d[i], measures[i].prefix);
		snprintf(k, sizeof(k), "%s_in_target", measures[i].prefix);
		row = set_n(row, k, g->in_target[i]);
		snprintf(k, sizeof(k), "%s_past_target", measures[i].prefix);
		row = set_n(row, k, g->past_target[i]);
		snprintf(k, sizeof(k), "%s_in_target_rate", measures[i].prefix);
		row = jv_object_set(row, jv_string(k), pct(g->in_target[i],
							   g->in_target[i] + g->past_target[i]));
	}
	row = set_n(row, "escalations", g->escalations);
	row = set_n(row, "escalated", g->escalated);
	row = set_n(row, "steps", g->steps);
	row = set_n(row, "steps_late", g->steps_late);
	return jv_object_set(row, jv_string("score_mean"), g->scores ?
			     jv_number(round(100.0 * g->score_sum / (double)g->scores) / 100.0) :
			     jv_null());
}

jv tn_task_report_result(struct tn_task_report *r)
{
	jv doc = jv_object(), groups = jv_array();
	char at[40];

	tn_time_rfc3339(r->now, at, sizeof(at));
	for (size_t i = 0; i < r->n; i++)
		groups = jv_array_append(groups, row_of(&r->g[i], 1));
	doc = jv_object_set(doc, jv_string("report"), jv_string("tasks"));
	doc = jv_object_set(doc, jv_string("as_of"), jv_string(at));
	doc = jv_object_set(doc, jv_string("by"), jv_string("kind"));
	doc = jv_object_set(doc, jv_string("groups"), groups);
	return jv_object_set(doc, jv_string("total"), row_of(&r->total, 0));
}

const char *tn_report_task_table[] = {
	"group", "district_name", "department", "generated", "open",
	"dispatch_min_median", "dispatch_in_target_rate",
	"acknowledge_min_median", "acknowledge_min_p90", "acknowledge_in_target_rate",
	"resolve_min_median", "resolve_min_p90", "resolve_in_target_rate",
	"escalations", "steps_late", NULL
};

const char *tn_report_task_csv[] = {
	"group", "name", "district", "district_name", "department", "generated", "open",
	"resolved", "evaluated",
	"dispatch_min_n", "dispatch_min_median", "dispatch_min_p90", "dispatch_in_target",
	"dispatch_past_target", "dispatch_in_target_rate",
	"acknowledge_min_n", "acknowledge_min_median", "acknowledge_min_p90",
	"acknowledge_in_target", "acknowledge_past_target", "acknowledge_in_target_rate",
	"resolve_min_n", "resolve_min_median", "resolve_min_p90", "resolve_in_target",
	"resolve_past_target", "resolve_in_target_rate",
	"escalations", "escalated", "steps", "steps_late", "score_mean", NULL
};
