/* store_vitals.h — the counts behind the city's vital signs (GET /v1/vitals), now and at the moment a trend compares with, from indexes. */
#ifndef TWONETD_STORE_VITALS_H
#define TWONETD_STORE_VITALS_H

#include <jv.h>

#include "tn_err.h"
#include "store.h"

/*
 * One measure of lib's TN_VITALS_MEASURES with its filters (NULL: none) and
 * its moments.  The store answers those it keeps the data of (alerts_open,
 * alerts_raised, tasks_past_target, cases_overdue, cert_reads_today,
 * filings_today); the asset register's come from store_asset_counts.
 */
struct store_vitals_q {
	const char *measure;
	int severity;                   /* the lowest severity counted (0 blue .. 3 red), -1: any */
	const char *district, *kind, *department, *outcome;
	long long now, before;          /* epoch seconds: now, and now less the measure's period */
	const char *now_text, *before_text;     /* the same in RFC 3339, local time */
	const char *day_start, *day_before_start;  /* local midnight today, and a period before */
	const char *today;              /* YYYY-MM-DD, the deadlines' day (tn_today) */
};

/*
 * The measure's value now in *value and at q->before in *before (-1 when
 * the data keeps no trace of it: cases_overdue), each without a scan of
 * whole tables:
 *   alerts_open        alerts raised, dispatched or acknowledged; before:
 *                      now less those raised since, plus those resolved
 *                      since, less those reopened since (the event log);
 *   alerts_raised      alerts raised in (before, now]; before: the period before that;
 *   tasks_past_target  open tasks with a step past its target
 *                      (tn_vitals_task_past); before: the same at q->before, over
 *                      the open tasks and those with an event since;
 *   cases_overdue      cases not completed or rejected whose deadline is before today;
 *   cert_reads_today   rows of the certificates' read log since day_start;
 *                      before: from day_before_start to before_text;
 *   filings_today      cases submitted since day_start; before: as above.
 * An unknown measure is TN_EINVALID.
 */
enum tn_code store_vitals_measure(struct store *st, const struct store_vitals_q *q,
				  long long *value, long long *before, struct tn_err *err);

/*
 * The alerts open now (q's filters) counted by `by`, "district" or
 * "severity", into *out: an object {KEY: count} of the keys that have any
 * (a severity by its number, 0 blue .. 3 red).  Another `by` is TN_EINVALID.
 */
enum tn_code store_vitals_groups(struct store *st, const struct store_vitals_q *q, const char *by,
				 jv *out, struct tn_err *err);

#endif
