/* reports.c — aggregates for case-report (GET /v1/reports/cases, /v1/reports/alerts). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tn_today.h"
#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_cal.h"
#include "twonetd.h"
#include "store_reports.h"
#include "jvutil.h"

/* A histogram: how many cases (or alerts) took each value. */
struct hist {
	long *v, *n;
	size_t len, cap;
};

static void hist_add(struct hist *h, long v, long n)
{
	if (h->len && h->v[h->len - 1] == v) {
		h->n[h->len - 1] += n;
		return;
	}
	if (h->len == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 16;
		h->v = tn_xrealloc(h->v, h->cap * sizeof(long));
		h->n = tn_xrealloc(h->n, h->cap * sizeof(long));
	}
	h->v[h->len] = v;
	h->n[h->len] = n;
	h->len++;
}

static void hist_free(struct hist *h)
{
	free(h->v);
	free(h->n);
	memset(h, 0, sizeof(*h));
}

/* Sort by value and merge equal values (a total gathers several groups' histograms). */
static void hist_sort(struct hist *h)
{
	size_t i, j, k = 0;

	for (i = 1; i < h->len; i++) {          /* insertion sort: a few dozen values */
		long v = h->v[i], n = h->n[i];

		for (j = i; j > 0 && h->v[j - 1] > v; j--) {
			h->v[j] = h->v[j - 1];
			h->n[j] = h->n[j - 1];
		}
		h->v[j] = v;
		h->n[j] = n;
	}
	for (i = 0; i < h->len; i++) {
		if (k && h->v[k - 1] == h->v[i]) {
			h->n[k - 1] += h->n[i];
		} else {
			h->v[k] = h->v[i];
			h->n[k] = h->n[i];
			k++;
		}
	}
	h->len = k;
}

/* The value at 1-based `rank` of a sorted histogram. */
static long hist_at(const struct hist *h, long rank)
{
	long seen = 0;

	for (size_t i = 0; i < h->len; i++) {
		seen += h->n[i];
		if (seen >= rank)
			return h->v[i];
	}
	return h->len ? h->v[h->len - 1] : 0;
}

static long hist_count(const struct hist *h)
{
	long n = 0;

	for (size_t i = 0; i < h->len; i++)
		n += h->n[i];
	return n;
}

static double round_to(double x, int decimals)
{
	double f = decimals == 1 ? 10.0 : 100.0;

	return round(x * f) / f;
}

/*
 * Mean (2 decimals), median (the mean of the two middle values when the
 * count is even) and 90th percentile (nearest rank: the smallest value with
 * at least 90% of the values at or below it) of a sorted histogram, set on
 * `row` under PREFIX_n, PREFIX_mean, PREFIX_median, PREFIX_p90 (nulls when
 * empty).  Returns the row.
 */
static jv hist_stats(jv row, const struct hist *h, const char *prefix)
{
	long n = hist_count(h);
	double sum = 0;
	char k[64];
	jv mean = jv_null(), median = jv_null(), p90 = jv_null();

	if (n > 0) {
		for (size_t i = 0; i < h->len; i++)
			sum += (double)h->v[i] * (double)h->n[i];
		mean = jv_number(round_to(sum / (double)n, 2));
		if (n % 2)
			median = jv_number((double)hist_at(h, (n + 1) / 2));
		else
			median = jv_number(((double)hist_at(h, n / 2) + (double)hist_at(h, n / 2 + 1)) / 2);
		p90 = jv_number((double)hist_at(h, (9 * n + 9) / 10));
	}
	snprintf(k, sizeof(k), "%s_n", prefix);
	row = jv_object_set(row, jv_string(k), jv_number((double)n));
	snprintf(k, sizeof(k), "%s_mean", prefix);
	row = jv_object_set(row, jv_string(k), mean);
	snprintf(k, sizeof(k), "%s_median", prefix);
	row = jv_object_set(row, jv_string(k), median);
	snprintf(k, sizeof(k), "%s_p90", prefix);
	row = jv_object_set(row, jv_string(k), p90);
	return row;
}

/* part / whole in percent with one decimal, or null when whole is 0. */
static jv pct(long part, long whole)
{
	if (whole <= 0)
		return jv_null();
	return jv_number(round_to(100.0 * (double)part / (double)whole, 1));
}

/* A whole number from fixed text (the targets' macros); 0 when not one. */
static double fixed_num(const char *s)
{
	long v;

	return tn_parse_long(s, &v) == 0 ? (double)v : 0;
}

static jv num(long v)
{
	return jv_number((double)v);
}

/* "2026-11-23" (a Monday) -> "2026-W48", the ISO week; the text as is when not a date. */
static jv iso_week(const char *monday)
{
	long d, jan1;
	char buf[16], y[8];

	if (!monday || tn_date_parse(monday, &d) != 0)
		return monday ? jv_string(monday) : jv_null();
	tn_date_format(d + 3, buf);             /* the Thursday decides the year */
	memcpy(y, buf, 4);
	y[4] = '\0';
	snprintf(buf, sizeof(buf), "%s-01-01", y);
	if (tn_date_parse(buf, &jan1) != 0)
		return jv_string(monday);
	snprintf(buf, sizeof(buf), "%s-W%02ld", y, (d + 3 - jan1) / 7 + 1);
	return jv_string(buf);
}

/* ---- the working-day table, per worker and calendar ---- */

/*
 * The table spans WORKDAYS_FROM through the fifth year after the last one
 * the calendar knows (or after this year, when that is later): the days of
 * years it does not know count Monday to Friday, as deadlines do, so that
 * cases filed before the next notice is loaded still have working days.
 */
#define WORKDAYS_FROM 2000
#define WORKDAYS_AHEAD 5

static long workdays_gen = -1;  /* the calendar generation the table was filled from */

/*
 * Fill `workdays` from the worker's current calendar when the table was not
 * filled from that calendar yet (at the first report, and after 'twonetd
 * calendar import'); without a calendar, leave it as it is.
 */
static void workdays_fill(struct srv *srv)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_cal *cal = srv_cal(srv);
	long gen = srv_cal_generation(srv);
	unsigned char *work;
	int y0, y1, now = tn_date_year(tn_today());
	long d0, d1;
	char first[16], last[16];

	if (!cal || gen == workdays_gen)
		return;
	tn_cal_range(cal, &y0, &y1);
	if (y0 <= 0 || y0 > WORKDAYS_FROM)
		y0 = WORKDAYS_FROM;
	y1 = (y1 > now ? y1 : now) + WORKDAYS_AHEAD;
	snprintf(first, sizeof(first), "%04d-01-01", y0);
	snprintf(last, sizeof(last), "%04d-12-31", y1);
	if (tn_date_parse(first, &d0) != 0 || tn_date_parse(last, &d1) != 0 || d1 < d0)
		return;
	work = tn_xmalloc((size_t)(d1 - d0 + 1));
	for (long d = d0; d <= d1; d++)
		work[d - d0] = (unsigned char)tn_cal_is_workday(cal, d, NULL);
	if (store_report_workdays(srv->st, first, work, d1 - d0 + 1, &err) == TN_OK)
		workdays_gen = gen;
	else
		fprintf(stderr, "twonetd: warning: cannot fill the working-day table: %s\n",
			err.message);
	free(work);
}

/* ---- the query: period, grouping ---- */

/*
 * from and to (YYYY-MM-DD; default this month up to today) and `by` (one of
 * the '|'-separated `groupings`, default the first) from the query, checked.
 * 0, or -1 after replying 400.
 */
static int period_of(struct req *q, const char *groupings, char *from, char *to, char *today,
		     const char **by)
{
	const char *f = req_query(q, "from"), *t = req_query(q, "to");
	const char *b = req_query(q, "by");
	long df, dt, now = tn_today();  /* as cases.c: "open and late" matches overdue */
	size_t blen;

	tn_date_format(now, today);
	if (f && tn_date_parse(f, &df) != 0) {
		reply_problem(q, 400, "from", "from must be a date (YYYY-MM-DD), not '%s'", f);
		return -1;
	}
	if (t && tn_date_parse(t, &dt) != 0) {
		reply_problem(q, 400, "to", "to must be a date (YYYY-MM-DD), not '%s'", t);
		return -1;
	}
	if (!t)
		dt = now;
	if (!f) {
		char m[16];

		tn_date_format(dt, m);
		memcpy(m + 8, "01", 3);
		tn_date_parse(m, &df);
	}
	if (df > dt) {
		reply_problem(q, 400, "from", "the period starts after it ends (%s > %s)",
			      f ? f : "from", t ? t : "to");
		return -1;
	}
	tn_date_format(df, from);
	tn_date_format(dt, to);
	blen = strcspn(groupings, "|");
	if (!b) {
		static char first[32];

		snprintf(first, sizeof(first), "%.*s", (int)blen, groupings);
		*by = first;
		return 0;
	}
	for (const char *p = groupings; *p; ) {
		size_t n = strcspn(p, "|");

		if (strlen(b) == n && strncmp(p, b, n) == 0) {
			*by = b;
			return 0;
		}
		p += n + (p[n] == '|');
	}
	reply_problem(q, 400, "by", "by must be one of %s, not '%s'", groupings, b);
	return -1;
}

/* ---- GET /v1/reports/cases ---- */

struct group {
	char *key;              /* NULL: no key (no workflow) */
	long c[RC_COUNT];
	struct hist days;
};

struct cases_acc {
	struct group *g;
	size_t len, cap;
	struct group total;
};

static int same_key(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/*
 * The array `arr` of *len elements of `size` bytes (room for *cap) with one
 * more, zeroed, at its end: the rows of a report come sorted by group, so a
 * new key starts a new group.  Returns the array, perhaps moved.
 */
static void *append_zeroed(void *arr, size_t *len, size_t *cap, size_t size)
{
	if (*len == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		arr = tn_xrealloc(arr, *cap * size);
	}
	memset((char *)arr + *len * size, 0, size);
	(*len)++;
	return arr;
}

static int cases_row(void *ctx, const struct store_report_row *r)
{
	struct cases_acc *a = ctx;
	struct group *g;

	if (!a->len || !same_key(a->g[a->len - 1].key, r->group)) {
		a->g = append_zeroed(a->g, &a->len, &a->cap, sizeof(*a->g));
		a->g[a->len - 1].key = r->group ? tn_xstrdup(r->group) : NULL;
	}
	g = &a->g[a->len - 1];
	for (int i = 0; i < RC_COUNT; i++) {
		g->c[i] += r->c[i];
		a->total.c[i] += r->c[i];
	}
	if (r->has_days) {
		hist_add(&g->days, r->days, r->n_days);
		hist_add(&a->total.days, r->days, r->n_days);
	}
	return 0;
}

/* The JSON row of a group (see doc/api-reports.md). */
static jv cases_json(const struct group *g, jv key, jv name)
{
	const long *c = g->c;
	jv row = jv_object();
	long asked = c[RC_MATERIALS] - c[RC_EXEMPTED];
	long ndays = hist_count(&g->days);
	double sum = 0;

	row = jv_object_set(row, jv_string("group"), key);
	row = jv_object_set(row, jv_string("name"), name);
	row = jv_object_set(row, jv_string("received"), num(c[RC_RECEIVED]));
	row = jv_object_set(row, jv_string("accepted"), num(c[RC_ACCEPTED]));
	row = jv_object_set(row, jv_string("returned"), num(c[RC_RETURNED]));
	row = jv_object_set(row, jv_string("rejected"), num(c[RC_REJECTED]));
	row = jv_object_set(row, jv_string("completed"), num(c[RC_COMPLETED]));
	row = jv_object_set(row, jv_string("open"), num(c[RC_OPEN]));
	row = jv_object_set(row, jv_string("open_overdue"), num(c[RC_OPEN_OVERDUE]));
	row = jv_object_set(row, jv_string("on_time"), num(c[RC_ONTIME_PROMISED]));
	row = jv_object_set(row, jv_string("late"), num(c[RC_LATE_PROMISED]));
	row = jv_object_set(row, jv_string("on_time_rate"),
			    pct(c[RC_ONTIME_PROMISED], c[RC_ONTIME_PROMISED] + c[RC_LATE_PROMISED]));
	row = jv_object_set(row, jv_string("on_time_legal"), num(c[RC_ONTIME_LEGAL]));
	row = jv_object_set(row, jv_string("late_legal"), num(c[RC_LATE_LEGAL]));
	row = jv_object_set(row, jv_string("on_time_legal_rate"),
			    pct(c[RC_ONTIME_LEGAL], c[RC_ONTIME_LEGAL] + c[RC_LATE_LEGAL]));
	row = hist_stats(row, &g->days, "days");
	for (size_t i = 0; i < g->days.len; i++)
		sum += (double)g->days.v[i] * (double)g->days.n[i];
	if (c[RC_LEGAL_N] > 0 && c[RC_LEGAL_N] == ndays && c[RC_LEGAL_DAYS] > 0) {
		row = jv_object_set(row, jv_string("legal_days_mean"),
				    jv_number(round_to((double)c[RC_LEGAL_DAYS] / (double)ndays, 2)));
		row = jv_object_set(row, jv_string("time_saving_pct"),
				    jv_number(round_to(100.0 * (1.0 - sum / (double)c[RC_LEGAL_DAYS]), 1)));
	} else {
		row = jv_object_set(row, jv_string("legal_days_mean"), jv_null());
		row = jv_object_set(row, jv_string("time_saving_pct"), jv_null());
	}
	row = jv_object_set(row, jv_string("materials"), num(c[RC_MATERIALS]));
	row = jv_object_set(row, jv_string("materials_exempted"), num(c[RC_EXEMPTED]));
	row = jv_object_set(row, jv_string("materials_asked"), num(asked));
	row = jv_object_set(row, jv_string("materials_saving_pct"),
			    pct(c[RC_EXEMPTED], c[RC_MATERIALS]));
	row = jv_object_set(row, jv_string("provisional_deadlines"), num(c[RC_PROVISIONAL]));
	return row;
}

/*
 * Who may see which department's report: an admin any (department= picks
 * one), a clerk their own only.  *dept is the filter (NULL: all).  0, or -1
 * after replying 403.
 */
static int scope_of(struct req *q, const char **dept)
{
	const char *want = req_query(q, "department");

	*dept = NULL;
	if (req_role(q, "admin")) {
		*dept = want;
		return 0;
	}
	if (!req_role(q, "clerk") || !q->tok.dept) {
		reply_problem(q, 403, NULL, "role '%s' may not read case reports", q->tok.role);
		return -1;
	}
	if (want && strcmp(want, q->tok.dept) != 0) {
		reply_problem(q, 403, "department", "a clerk of '%s' may read reports of '%s' only",
			      q->tok.dept, q->tok.dept);
		return -1;
	}
	*dept = q->tok.dept;
	return 0;
}

/* Order groups by key, no key first (the store's order). */
static int group_cmp(const void *a, const void *b)
{
	const char *x = ((const struct group *)a)->key, *y = ((const struct group *)b)->key;

	if (!x || !y)
		return !y - !x;
	return strcmp(x, y);
}

/*
 * A group for every department, item or workflow that has a backlog but no
 * case received in the period (the cases on no workflow excepted), so that
 * the rows add up to the total's backlog.  Keeps acc sorted.
 */
static void backlog_groups(struct cases_acc *acc, const struct report_backlog *b)
{
	const char *k;
	size_t before = acc->len;

	for (size_t i = 0; i < b->len; i++) {
		if (!(k = report_backlog_key(b, i)))
			continue;
		if (acc->len && same_key(acc->g[acc->len - 1].key, k))
			continue;
		if (before && bsearch(&(struct group){ .key = (char *)k }, acc->g, before,
				      sizeof(*acc->g), group_cmp))
			continue;
		acc->g = append_zeroed(acc->g, &acc->len, &acc->cap, sizeof(*acc->g));
		acc->g[acc->len - 1].key = tn_xstrdup(k);
	}
	if (acc->len > before)
		qsort(acc->g, acc->len, sizeof(*acc->g), group_cmp);
}

/* `row` (consumed) with the backlog of group `key` (all: every group). */
static jv with_backlog(jv row, const struct report_backlog *b, const char *by, const char *key,
		       int all)
{
	char at[16];
	long overdue, n = report_backlog_at(b, by, key, all, &overdue, at);

	row = jv_object_set(row, jv_string("backlog"), num(n));
	row = jv_object_set(row, jv_string("backlog_overdue"), num(overdue));
	return jv_object_set(row, jv_string("backlog_at"), jv_string(at));
}

/* The catalog's name of `code` among `names` (borrowed), or null. */
static jv name_of(jv names, const char *code)
{
	jv name = code ? jv_object_get(jv_copy(names), jv_string(code)) : jv_null();

	if (jv_get_kind(name) != JV_KIND_STRING) {
		jv_free(name);
		name = jv_null();
	}
	return name;
}

void h_report_cases(struct req *q, const char *arg)
{
	static const char *const params[] = { "from", "to", "by", "department", "item", NULL };
	struct tn_err err = TN_ERR_INIT;
	struct store_report_q rq;
	struct cases_acc acc;
	struct report_backlog bl;
	char from[16], to[16], today[16];
	const char *by, *dept, *item = req_query(q, "item");
	jv names = jv_invalid(), depts = jv_invalid(), items = jv_invalid(), groups, body;

	memset(&bl, 0, sizeof(bl));
	memset(&acc, 0, sizeof(acc));
	if (req_query_check(q, params) < 0 || scope_of(q, &dept) < 0)
		return;
	if (period_of(q, "department|item|workflow|day|week|month", from, to, today, &by) < 0)
		return;
	if (report_check_code(q, q->srv->st, "department", dept) < 0 ||
	    report_check_code(q, q->srv->st, "item", item) < 0)
		return;
	workdays_fill(q->srv);
	memset(&rq, 0, sizeof(rq));
	rq.from = from;
	rq.to = to;
	rq.by = by;
	rq.department = dept;
	rq.item = item;
	rq.today = today;
	if (store_report_cases(q->srv->st, &rq, cases_row, &acc, &err) != TN_OK ||
	    report_backlog_load(q->srv->st, &rq, &bl, &err) != TN_OK ||
	    store_report_names(q->srv->st, by, &names, &err) != TN_OK ||
	    store_report_names(q->srv->st, "department", &depts, &err) != TN_OK ||
	    store_report_names(q->srv->st, "item", &items, &err) != TN_OK) {
		reply_error(q, &err);
		goto out;
	}
	backlog_groups(&acc, &bl);
	groups = jv_array();
	for (size_t i = 0; i < acc.len; i++) {
		struct group *g = &acc.g[i];
		jv key, name = jv_null();

		hist_sort(&g->days);
		if (strcmp(by, "week") == 0) {
			key = iso_week(g->key);
			name = g->key ? jv_string(g->key) : jv_null();
		} else {
			key = g->key ? jv_string(g->key) : jv_null();
			name = name_of(names, g->key);
		}
		groups = jv_array_append(groups, with_backlog(cases_json(g, key, name), &bl, by,
							      g->key, 0));
	}
	hist_sort(&acc.total.days);
	body = jv_object();
	body = jv_object_set(body, jv_string("report"), jv_string("cases"));
	body = jv_object_set(body, jv_string("from"), jv_string(from));
	body = jv_object_set(body, jv_string("to"), jv_string(to));
	body = jv_object_set(body, jv_string("by"), jv_string(by));
	body = jv_object_set(body, jv_string("department"), dept ? jv_string(dept) : jv_null());
	body = jv_object_set(body, jv_string("department_name"), name_of(depts, dept));
	body = jv_object_set(body, jv_string("item"), item ? jv_string(item) : jv_null());
	body = jv_object_set(body, jv_string("item_name"), name_of(items, item));
	body = jv_object_set(body, jv_string("as_of"), jv_string(today));
	body = jv_object_set(body, jv_string("groups"), groups);
	body = jv_object_set(body, jv_string("total"),
			     with_backlog(cases_json(&acc.total, jv_null(), jv_null()), &bl, by,
					  NULL, 1));
	reply_json(q, 200, body);
out:
	jv_free(names);
	jv_free(depts);
	jv_free(items);
	report_backlog_free(&bl);
	for (size_t i = 0; i < acc.len; i++) {
		free(acc.g[i].key);
		hist_free(&acc.g[i].days);
	}
	free(acc.g);
	hist_free(&acc.total.days);
}

/* ---- GET /v1/reports/alerts ---- */

struct agroup {
	char *key;
	long c[RA_COUNT];
	struct hist dispatch, close;
};

struct alerts_acc {
	struct agroup *g;
	size_t len, cap;
	struct agroup total;
};

static int alerts_row(void *ctx, const struct store_alert_row *r)
{
	struct alerts_acc *a = ctx;
	struct agroup *g;

	if (!a->len || !same_key(a->g[a->len - 1].key, r->group)) {
		a->g = append_zeroed(a->g, &a->len, &a->cap, sizeof(*a->g));
		a->g[a->len - 1].key = r->group ? tn_xstrdup(r->group) : NULL;
	}
	g = &a->g[a->len - 1];
	if (r->what < 0) {
		for (int i = 0; i < RA_COUNT; i++) {
			g->c[i] += r->c[i];
			a->total.c[i] += r->c[i];
		}
	} else {
		hist_add(r->what == 0 ? &g->dispatch : &g->close, r->minutes, r->n);
		hist_add(r->what == 0 ? &a->total.dispatch : &a->total.close, r->minutes, r->n);
	}
	return 0;
}

static jv alerts_json(const struct agroup *g, jv key, jv name)
{
	const long *c = g->c;
	jv row = jv_object();

	row = jv_object_set(row, jv_string("group"), key);
	row = jv_object_set(row, jv_string("name"), name);
	row = jv_object_set(row, jv_string("raised"), num(c[RA_RAISED]));
	row = jv_object_set(row, jv_string("dispatched"), num(c[RA_DISPATCHED]));
	row = jv_object_set(row, jv_string("closed"), num(c[RA_CLOSED]));
	row = jv_object_set(row, jv_string("open"), num(c[RA_OPEN]));
	row = jv_object_set(row, jv_string("open_past_target"), num(c[RA_OPEN_PAST_TARGET]));
	row = jv_object_set(row, jv_string("closed_in_target"), num(c[RA_CLOSED_IN_TARGET]));
	row = jv_object_set(row, jv_string("closed_in_target_rate"),
			    pct(c[RA_CLOSED_IN_TARGET], c[RA_CLOSED]));
	row = hist_stats(row, &g->dispatch, "dispatch_min");
	row = hist_stats(row, &g->close, "close_min");
	return row;
}

/* The group's key and name as the report shows them: severities by name, districts named. */
static void alert_key(const char *by, const char *k, jv *key, jv *name)
{
	*name = jv_null();
	if (!k) {
		*key = jv_null();
	} else if (strcmp(by, "severity") == 0) {
		long v;

		*key = jv_string(tn_parse_long(k, &v) == 0 && *tn_severity_name((enum tn_severity)v) ?
				 tn_severity_name((enum tn_severity)v) : k);
	} else if (strcmp(by, "district") == 0) {
		const struct tn_district *d = tn_district_find(k);

		*key = jv_string(k);
		if (d)
			*name = jv_string(d->name);
	} else if (strcmp(by, "week") == 0) {
		*key = iso_week(k);
		*name = jv_string(k);
	} else {
		*key = jv_string(k);
	}
}

/* Midnight at the start of day `d` (local time), in seconds since the epoch. */
static long long local_midnight(long d)
{
	char buf[16];
	struct tm tm;

	tn_date_format(d, buf);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (buf[0] - '0') * 1000 + (buf[1] - '0') * 100 + (buf[2] - '0') * 10 +
		     (buf[3] - '0') - 1900;
	tm.tm_mon = (buf[5] - '0') * 10 + (buf[6] - '0') - 1;
	tm.tm_mday = (buf[8] - '0') * 10 + (buf[9] - '0');
	tm.tm_isdst = -1;
	return (long long)mktime(&tm);
}

void h_report_alerts(struct req *q, const char *arg)
{
	static const char *const params[] = { "from", "to", "by", NULL };
	struct tn_err err = TN_ERR_INIT;
	struct store_alert_report_q aq;
	struct alerts_acc acc;
	char from[16], to[16], today[16], now[40];
	const char *by;
	long df, dt;
	jv groups, body, targets;

	if (req_query_check(q, params) < 0)
		return;
	if (period_of(q, "kind|severity|district|day|week|month", from, to, today, &by) < 0)
		return;
	tn_date_parse(from, &df);
	tn_date_parse(to, &dt);
	memset(&aq, 0, sizeof(aq));
	aq.lo = local_midnight(df);
	aq.hi = local_midnight(dt + 1);
	aq.by = by;
	aq.now = (long long)time(NULL);
	memset(&acc, 0, sizeof(acc));
	if (store_report_alerts(q->srv->st, &aq, alerts_row, &acc, &err) != TN_OK) {
		reply_error(q, &err);
		goto out;
	}
	groups = jv_array();
	for (size_t i = 0; i < acc.len; i++) {
		jv key, name;

		hist_sort(&acc.g[i].dispatch);
		hist_sort(&acc.g[i].close);
		alert_key(by, acc.g[i].key, &key, &name);
		groups = jv_array_append(groups, alerts_json(&acc.g[i], key, name));
	}
	hist_sort(&acc.total.dispatch);
	hist_sort(&acc.total.close);
	targets = jv_object();
	targets = jv_object_set(targets, jv_string("blue"), jv_number(fixed_num(STORE_ALERT_TARGET_BLUE)));
	targets = jv_object_set(targets, jv_string("yellow"), jv_number(fixed_num(STORE_ALERT_TARGET_YELLOW)));
	targets = jv_object_set(targets, jv_string("orange"), jv_number(fixed_num(STORE_ALERT_TARGET_ORANGE)));
	targets = jv_object_set(targets, jv_string("red"), jv_number(fixed_num(STORE_ALERT_TARGET_RED)));
	time_now_rfc3339(now, sizeof(now));
	body = jv_object();
	body = jv_object_set(body, jv_string("report"), jv_string("alerts"));
	body = jv_object_set(body, jv_string("from"), jv_string(from));
	body = jv_object_set(body, jv_string("to"), jv_string(to));
	body = jv_object_set(body, jv_string("by"), jv_string(by));
	body = jv_object_set(body, jv_string("as_of"), jv_string(now));
	body = jv_object_set(body, jv_string("targets_min"), targets);
	body = jv_object_set(body, jv_string("groups"), groups);
	body = jv_object_set(body, jv_string("total"), alerts_json(&acc.total, jv_null(), jv_null()));
	reply_json(q, 200, body);
out:
	for (size_t i = 0; i < acc.len; i++) {
		free(acc.g[i].key);
		hist_free(&acc.g[i].dispatch);
		hist_free(&acc.g[i].close);
	}
	free(acc.g);
	hist_free(&acc.total.dispatch);
	hist_free(&acc.total.close);
}
