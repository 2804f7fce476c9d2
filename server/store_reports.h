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
	const char *item;       /* only this item, or NULL */
	const char *today;      /* YYYY-MM-DD: open cases past a deadline before it are late */
};

/*
 * A case's deadline as every report figure uses it: the promised deadline,
 * or the legal one when that is earlier (a promise is never later than the
 * law; the catalog refuses such items, and a case filed before that check
 * still counts against the earlier day).  An SQL expression over the
 * columns of cases_report.
 */
#define STORE_REPORT_DUE "(CASE WHEN r_legal < deadline THEN r_legal ELSE deadline END)"

/* The counters of one row of a case report, in this order. */
enum store_report_counter {
	RC_RECEIVED,            /* cases submitted in the period */
	RC_ACCEPTED,            /* ... of which ever accepted */
	RC_RETURNED,            /* ... ever returned for a material */
	RC_REJECTED,            /* ... now rejected */
	RC_COMPLETED,           /* ... now completed */
	RC_OPEN,                /* ... neither completed nor rejected */
	RC_OPEN_OVERDUE,        /* ... open and past the deadline (STORE_REPORT_DUE) */
	RC_ONTIME_PROMISED,     /* completed on or before that deadline */
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
 * One row of the backlog.  Counted (the groupings by department, item and
 * workflow): `n` cases of `group` open at the end of the period, `overdue`
 * of them due before the cut; day, closed and due are NULL.  Listed (the
 * time groupings, whose rows the caller places): `n` cases submitted on
 * `day`, closed (completed, or rejected: the day of the reject event) on
 * `closed` (NULL: still open), due on `due` (STORE_REPORT_DUE, NULL: no
 * deadline); group is NULL and overdue 0.  Strings are borrowed for the
 * callback.
 */
struct store_backlog_row {
	const char *group, *day, *closed, *due;
	long n, overdue;
};

typedef int (*store_backlog_fn)(void *ctx, const struct store_backlog_row *row);

/*
 * The cases that may be open at the end of some day after `after`
 * (YYYY-MM-DD): submitted on or before q->to, in q's department and item,
 * and still open or closed after `after`; umbrella cases left out.  With
 * `cut` (YYYY-MM-DD) they are counted by q->by (department, item or
 * workflow), those due before `cut` apart; without, listed a row a case
 * (n = 1).  Every row goes to `fn`.
 */
enum tn_code store_report_backlog(struct store *st, const struct store_report_q *q,
				  const char *after, const char *cut, store_backlog_fn fn,
				  void *ctx, struct tn_err *err);

/* ---- reports_backlog.c: the backlog of a case report, and its filters ---- */

struct req;

/* The backlog's counted rows (store_report_backlog's, by group). */
struct report_backlog_case {
	char *key;              /* the group (department, item, workflow), NULL for none */
	long n, overdue;
};

/*
 * A report's backlog: counted rows by group, or for the time groupings
 * three day-by-day differences over the period (index: day - from): cases
 * that open (+) and close (-) on a day, those that become overdue (+) and
 * close (-), those due before today that open and close (for the days from
 * today on, when "overdue" means due before today).  A day's figure is the
 * sum up to it.
 */
struct report_backlog {
	int timed;              /* by day, week or month */
	long from, to, today;
	struct report_backlog_case *c;
	size_t len, cap;
	long *open_d, *over_d, *late_d;  /* to - from + 1 days each, when timed */
};

/* Load the backlog's cases for the report `q` into *b (freed by report_backlog_free). */
enum tn_code report_backlog_load(struct store *st, const struct store_report_q *q,
				 struct report_backlog *b, struct tn_err *err);
void report_backlog_free(struct report_backlog *b);

/*
 * The backlog of the group `key` (all = 1: of every group) of a report by
 * `by`: the cases open at the end of day E, E the period's last day, or for
 * the time groupings the last day of the group's day, week or month (never
 * past the period).  *overdue gets how many of them were past their
 * deadline (STORE_REPORT_DUE) then: due before E + 1, or before today when
 * E is today or later.  `at` (11 bytes) gets E.  Returns the count.
 */
long report_backlog_at(const struct report_backlog *b, const char *by, const char *key,
		       int all, long *overdue, char *at);

/* The group of the i-th backlog row (NULL past the end, for none, or when timed). */
const char *report_backlog_key(const struct report_backlog *b, size_t i);

/*
 * A filter naming a department or item (`what`: "department", "item") that
 * the catalog does not hold: reply 422 naming it, with the closest code as
 * "did you mean" (tn_suggest), and return -1.  0 when it is known or NULL.
 */
int report_check_code(struct req *q, struct store *st, const char *what, const char *code);

/*
 * Display names of groups: department code -> name (by = "department"),
 * item code -> name (by = "item") or workflow code -> name (by =
 * "workflow"), as an object in *names (owned); an empty object for other
 * groupings.
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
