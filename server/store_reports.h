/* store_reports.h — the reports' storage: the working-day table and the aggregate queries. */
#ifndef TWONETD_STORE_REPORTS_H
#define TWONETD_STORE_REPORTS_H

#include <jv.h>

#include "tn_err.h"
#include "store.h"

/*
 * Working days live in the table `workdays` (day, idx): idx is the number of
 * working days from the first covered day up to and including `day`, so that
 * the working days in (a, b] are idx(b) - idx(a), a subtraction in SQL.
 *
 * Fill it from a calendar: `first` is the first covered day (YYYY-MM-DD),
 * work[i] is 1 when the i-th day from `first` is a working day, n days in
 * all.  Nothing is written when the table already holds exactly these days
 * (a fingerprint is compared), so every worker may call it at start and
 * whenever its calendar changes.
 */
enum tn_code store_report_workdays(struct store *st, const char *first, const unsigned char *work,
				   long n, struct tn_err *err);

/* What a case report is asked for.  Strings are borrowed. */
struct store_report_q {
	const char *from, *to;  /* YYYY-MM-DD, days of submission, both included */
	const char *by;         /* department|item|workflow|day|week|month */
	const char *department; /* only this department, or NULL */
	const char *today;      /* YYYY-MM-DD: open cases past a deadline before it are late */
};

/* The counters of one row of a case report, in this order. */
enum store_report_counter {
	RC_RECEIVED,            /* cases submitted in the period */
	RC_ACCEPTED,            /* ... of which ever accepted */
	RC_RETURNED,            /* ... ever returned for a material */
	RC_REJECTED,            /* ... now rejected */
	RC_COMPLETED,           /* ... now completed */
	RC_OPEN,                /* ... neither completed nor rejected */
	RC_OPEN_OVERDUE,        /* ... open and past the promised deadline */
	RC_ONTIME_PROMISED,     /* completed on or before the promised deadline */
	RC_LATE_PROMISED,       /* completed after it, or open past it */
	RC_ONTIME_LEGAL,        /* the same against the legal deadline */
	RC_LATE_LEGAL,
	RC_LEGAL_DAYS,          /* sum of the items' legal days over the rows' completed cases */
	RC_LEGAL_N,             /* how many completed cases that sum has */
	RC_MATERIALS,           /* materials the items ask for */
	RC_EXEMPTED,            /* ... of which exempted (held as e-certificates) */
	RC_PROVISIONAL,         /* cases whose deadline is provisional (deadline_provisional) */
	RC_COUNT
};

/*
 * One row of the aggregate: a group and one value of the processing time in
 * working days (submission to completion) of its completed cases.  A group
 * spans several rows, one per distinct value; `has_days` is 0 on the row of
 * cases without such a value (not completed, or outside the calendar).
 * `n_days` is the number of cases with that value.  Strings are borrowed for
 * the callback.
 */
struct store_report_row {
	const char *group;      /* NULL when the group's key is NULL (no workflow) */
	int has_days;
	long days;
	long n_days;
	long c[RC_COUNT];
};

/* Called for every row, by group then days; non-zero stops. */
typedef int (*store_report_fn)(void *ctx, const struct store_report_row *row);

/* Run the case report; every row goes to `fn`. */
enum tn_code store_report_cases(struct store *st, const struct store_report_q *q,
				store_report_fn fn, void *ctx, struct tn_err *err);

/*
 * Display names of groups: department code -> name (by = "department") or
 * item code -> name (by = "item"), as an object in *names (owned); an empty
 * object for other groupings.
 */
enum tn_code store_report_names(struct store *st, const char *by, jv *names, struct tn_err *err);

/* What an alert report is asked for.  Strings are borrowed. */
struct store_alert_report_q {
	long long lo, hi;       /* raised at or after lo and before hi (seconds since the epoch) */
	const char *by;         /* kind|severity|district|day|week|month */
	long long now;          /* open alerts raised more than their target before now are past it */
};

/* The target of an alert, by severity: closed within this many minutes of being raised. */
#define STORE_ALERT_TARGET_BLUE   "1440"
#define STORE_ALERT_TARGET_YELLOW "720"
#define STORE_ALERT_TARGET_ORANGE "240"
#define STORE_ALERT_TARGET_RED    "120"

/* The counters of one row of an alert report. */
enum store_alert_counter {
	RA_RAISED,              /* raised in the period */
	RA_DISPATCHED,          /* ever dispatched */
	RA_CLOSED,
	RA_OPEN,                /* not closed */
	RA_OPEN_PAST_TARGET,    /* open and older than their severity's target */
	RA_CLOSED_IN_TARGET,    /* closed within their severity's target */
	RA_COUNT
};

/*
 * One row of the alert aggregate: a group, and which duration (`what`: 0 the
 * minutes from raised to dispatched, 1 from raised to closed, -1 none) takes
 * which value on `n` alerts.  Counters are on the rows with what = -1 only.
 */
struct store_alert_row {
	const char *group;
	int what;
	long minutes;
	long n;
	long c[RA_COUNT];
};

typedef int (*store_alert_fn)(void *ctx, const struct store_alert_row *row);

/*
 * Run the alert report over the alerts table of store_alerts.c (its
 * columns and the ALERT documents' dispatched_at and closed_at).  A group's
 * counter row comes first, then its dispatch and close histograms.
 */
enum tn_code store_report_alerts(struct store *st, const struct store_alert_report_q *q,
				 store_alert_fn fn, void *ctx, struct tn_err *err);

#endif
