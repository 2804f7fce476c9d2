/* calendar.c — the working-day calendar of a worker: reloaded on import, its coverage, its warning. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tn_today.h"
#include "tn_cal.h"
#include "store_cal.h"
#include "twonetd.h"
#include "jvutil.h"

struct tn_cal *srv_cal(struct srv *srv)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_cal *cal;
	long g;

	if (srv->cal_fixed || !srv->st)
		return srv->cal;
	if (store_cal_generation(srv->st, &g, &err) != TN_OK)
		return srv->cal;                /* keep counting with what we have */
	if (g == srv->cal_gen && srv->cal)
		return srv->cal;
	if (store_cal_load(srv->st, &cal, &g, &err) != TN_OK) {
		fprintf(stderr, "twonetd: warning: cannot read the calendar: %s\n", err.message);
		return srv->cal;
	}
	tn_cal_free(srv->cal);
	srv->cal = cal;
	srv->cal_gen = g;
	srv->cal_checked = 0;           /* the warning too */
	return srv->cal;
}

void calendar_coverage(struct tn_cal *cal, long today, long *through, long *days_left)
{
	*through = cal ? tn_cal_known_through(cal, today) : -1;
	*days_left = *through < 0 ? 0 : *through - today;
}

jv calendar_coverage_json(jv out, long through, long days_left)
{
	char d[11];

	if (through >= 0) {
		tn_date_format(through, d);
		out = jv_object_set(out, jv_string("through"), jv_string(d));
	} else {
		out = jv_object_set(out, jv_string("through"), jv_null());
	}
	return jv_object_set(out, jv_string("days_left"), jv_number((double)days_left));
}

static void work_out_warning(struct srv *srv)
{
	struct tn_cal *cal = srv_cal(srv);
	long today = tn_today(), through, left;
	char d[11];

	calendar_coverage(cal, today, &through, &left);
	srv->cal_warning[0] = '\0';
	if (through < 0) {
		tn_date_format(today, d);
		snprintf(srv->cal_warning, sizeof(srv->cal_warning),
			 "the working-day calendar does not know %d: deadlines are provisional "
			 "(Monday to Friday); load the notice with 'twonetd calendar import'",
			 tn_date_year(today));
	} else if (left < TWONETD_CAL_WARN_DAYS) {
		tn_date_format(through, d);
		snprintf(srv->cal_warning, sizeof(srv->cal_warning),
			 "the working-day calendar ends %s (%ld day%s left); load next year's "
			 "notice with 'twonetd calendar import'", d, left, left == 1 ? "" : "s");
	}
}

const char *srv_cal_warning(struct srv *srv)
{
	time_t now = time(NULL);

	if (now != srv->cal_checked) {
		srv->cal_checked = now;
		work_out_warning(srv);
	}
	return srv->cal_warning;
}

jv srv_cal_coverage(struct srv *srv)
{
	struct tn_cal *cal = srv_cal(srv);
	long today = tn_today(), through, left;
	int first = 0, last = 0, years[64], n;
	char d[11];
	jv out = jv_object(), ys = jv_array();

	calendar_coverage(cal, today, &through, &left);
	if (cal)
		tn_cal_range(cal, &first, &last);
	n = cal ? tn_cal_years(cal, years, 64) : 0;
	for (int i = 0; i < n && i < 64; i++)
		ys = jv_array_append(ys, jv_number(years[i]));
	if (first) {
		snprintf(d, sizeof(d), "%04d-01-01", first);
		out = jv_object_set(out, jv_string("from"), jv_string(d));
	} else {
		out = jv_object_set(out, jv_string("from"), jv_null());
	}
	out = calendar_coverage_json(out, through, left);
	out = jv_object_set(out, jv_string("years"), ys);
	return out;
}

/* Once a day (checked hourly, and at start): log the warning when there is one. */
static void daily(evutil_socket_t fd, short what, void *arg)
{
	struct srv *srv = arg;
	long today = tn_today();
	const char *w;

	(void)fd;
	(void)what;
	if (today == srv->cal_logged)
		return;
	srv->cal_checked = 0;
	w = srv_cal_warning(srv);
	srv->cal_logged = today;
	if (*w)
		fprintf(stderr, "twonetd: warning: %s\n", w);
}

int calendar_worker_start(struct srv *srv)
{
	struct timeval hour = { 3600, 0 };

	if (!srv->log_daily)
		return 0;
	/* serve_run logged it at start-up: the first daily line is tomorrow's */
	srv->cal_logged = tn_today();
	srv->cal_timer = event_new(srv->base, -1, EV_PERSIST, daily, srv);
	if (!srv->cal_timer || event_add(srv->cal_timer, &hour) < 0) {
		fprintf(stderr, "twonetd: error: cannot set up the calendar timer\n");
		return -1;
	}
	return 0;
}

void calendar_worker_stop(struct srv *srv)
{
	if (srv->cal_timer)
		event_free(srv->cal_timer);
	srv->cal_timer = NULL;
	if (!srv->cal_fixed)
		tn_cal_free(srv->cal);
	srv->cal = NULL;
}

enum tn_code calendar_seed(struct store *st, const char *path, struct tn_err *err)
{
	struct store_cal_result res;
	struct tn_cal *cal;
	enum tn_code code;
	char now[40];

	if ((code = tn_cal_load(&cal, path, err)) != TN_OK)
		return code;
	time_now_rfc3339(now, sizeof(now));
	code = store_cal_import(st, cal, path ? path : "shipped calendar/cn.txt", now, &res, err);
	tn_cal_free(cal);
	return code;
}

long srv_cal_generation(struct srv *srv)
{
	srv_cal(srv);
	return srv->cal_gen;
}
