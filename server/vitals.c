/* vitals.c — GET /v1/vitals: the indicators of vitals.yaml measured from the store, with their levels and trends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tn_alert.h"
#include "tn_cal.h"
#include "tn_today.h"
#include "tn_vitals.h"
#include "twonetd.h"
#include "store_assets.h"
#include "store_vitals.h"
#include "jvutil.h"

/* The indicators file: $TWONETD_VITALS, else tn_sharedir()/vitals.yaml (NULL). */
static const char *vitals_path(void)
{
	const char *p = getenv("TWONETD_VITALS");

	return p && *p ? p : NULL;
}

/* Midnight at the start of day `d` (tn_date_parse's day number), local time, in epoch seconds. */
static long long day_start(long d)
{
	char buf[16];
	struct tm tm;

	tn_date_format(d, buf);
	memset(&tm, 0, sizeof(tm));
	if (sscanf(buf, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	return (long long)mktime(&tm);
}

/* The moments of one request: now, and a period ago for each period. */
struct moments {
	long long now;
	char now_text[40], hour_text[40], day_text[40];
	char today_start[40], yesterday_start[40], today[16];
};

static void moments_init(struct moments *m)
{
	long today = tn_today();

	m->now = (long long)time(NULL);
	time_rfc3339(m->now, m->now_text, sizeof(m->now_text));
	time_rfc3339(m->now - 3600, m->hour_text, sizeof(m->hour_text));
	time_rfc3339(m->now - 86400, m->day_text, sizeof(m->day_text));
	time_rfc3339(day_start(today), m->today_start, sizeof(m->today_start));
	time_rfc3339(day_start(today - 1), m->yesterday_start, sizeof(m->yesterday_start));
	tn_date_format(today, m->today);
}

/*
 * An asset register's measure: how many assets of `kind` in `state` (in
 * the indicator's district when it has one), no trend (the register keeps
 * only the live state).
 */
static jv asset_count(struct req *q, const struct tn_vital *v, const char *kind,
		      const char *state, struct tn_err *err)
{
	long long n = 0;
	jv rows;

	if (store_asset_counts(q->srv->st, kind, state, &rows, err) != TN_OK)
		return jv_invalid();
	jv_array_foreach(rows, i, row) {
		const char *d = tn_jv_str(row, "district");

		if (!v->district || (d && strcmp(d, v->district) == 0))
			n += tn_jv_long(row, "count", 0);
		jv_free(row);
	}
	jv_free(rows);
	return tn_vitals_indicator(v, n, -1, NULL);
}

/*
 * The indicator `ind` (consumed) with "by": its open alerts counted by
 * district or severity (by name), or jv_invalid() with err set.
 */
static jv with_groups(struct req *q, jv ind, const struct store_vitals_q *vq, const char *by,
		      struct tn_err *err)
{
	jv groups, named = jv_object();

	if (store_vitals_groups(q->srv->st, vq, by, &groups, err) != TN_OK) {
		jv_free(ind);
		jv_free(named);
		return jv_invalid();
	}
	jv_object_foreach(groups, key, n) {
		const char *k = jv_string_value(key);

		if (strcmp(by, "severity") == 0 && k[0] >= '0' && k[0] <= '3' && !k[1])
			named = jv_object_set(named, jv_string(tn_severity_name(
						(enum tn_severity)(k[0] - '0'))), n);
		else
			named = jv_object_set(named, jv_copy(key), n);
		jv_free(key);
	}
	jv_free(groups);
	return jv_object_set(ind, jv_string("by"), named);
}

/* One indicator measured: its INDICATOR object, or jv_invalid() with err set. */
static jv measure(struct req *q, const struct tn_vital *v, const struct moments *m,
		  struct tn_err *err)
{
	const char *period = tn_vitals_period(v->measure);
	struct store_vitals_q vq;
	long long value = -1, before = -1;
	jv ind;

	if (strcmp(v->measure, "pump_stations_fault") == 0)
		return asset_count(q, v, "pump_station", "fault", err);
	if (strcmp(v->measure, "trucks_free") == 0)
		return asset_count(q, v, "vehicle", "free", err);
	memset(&vq, 0, sizeof(vq));
	vq.measure = v->measure;
	vq.severity = v->severity ? (int)tn_severity_parse(v->severity) : -1;
	vq.district = v->district;
	vq.kind = v->kind;
	vq.department = v->department;
	vq.outcome = v->outcome;
	vq.now = m->now;
	vq.now_text = m->now_text;
	vq.today = m->today;
	vq.day_start = m->today_start;
	vq.day_before_start = m->yesterday_start;
	if (period && strcmp(period, "1d") == 0) {
		vq.before = m->now - 86400;
		vq.before_text = m->day_text;
	} else {
		vq.before = m->now - 3600;
		vq.before_text = m->hour_text;
	}
	if (store_vitals_measure(q->srv->st, &vq, &value, &before, err) != TN_OK)
		return jv_invalid();
	ind = tn_vitals_indicator(v, value, period ? before : -1, NULL);
	if (v->by)
		ind = with_groups(q, ind, &vq, v->by, err);
	return ind;
}

void h_vitals(struct req *q, const char *arg)
{
	static const char *const params[] = { NULL };
	struct tn_err err = TN_ERR_INIT;
	struct tn_vitals *vs = NULL;
	struct moments m;
	jv list, body;

	(void)arg;
	if (req_query_check(q, params) < 0)
		return;
	if (tn_vitals_load(vitals_path(), &vs, &err) != TN_OK) {
		reply_problem(q, 500, NULL, "the vital signs' indicators: %s", err.message);
		return;
	}
	moments_init(&m);
	list = jv_array();
	for (size_t i = 0; i < vs->n; i++) {
		jv ind = measure(q, &vs->v[i], &m, &err);

		if (!jv_is_valid(ind)) {
			jv_free(list);
			tn_vitals_free(vs);
			reply_error(q, &err);
			return;
		}
		list = jv_array_append(list, ind);
	}
	tn_vitals_free(vs);
	body = jv_object();
	body = jv_object_set(body, jv_string("as_of"), jv_string(m.now_text));
	body = jv_object_set(body, jv_string("indicators"), list);
	body = jv_object_set(body, jv_string("level"),
			     tn_jv_string_or_null(tn_vital_level_name(tn_vitals_worst(body))));
	reply_json(q, 200, body);
}
