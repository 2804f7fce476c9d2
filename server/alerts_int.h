/* alerts_int.h — shared by alerts.c (the requests) and alerts_stream.c (the SSE stream and the wake-up). */
#ifndef TWONETD_ALERTS_INT_H
#define TWONETD_ALERTS_INT_H

#include "twonetd.h"

#define ALERTS_MAX_LIST 32      /* values in one district= or kind= filter */

/* The filters that GET /v1/alerts and the stream share. */
struct alert_filters {
	int min_severity;                       /* -1: none, else 0 blue .. 3 red */
	char *district[ALERTS_MAX_LIST + 1];    /* NULL-terminated, owned */
	char *kind[ALERTS_MAX_LIST + 1];        /* NULL-terminated, owned */
};

/*
 * Read severity=, district= and kind= of the request into *f.  0, or -1
 * after replying 400 naming the parameter.  alert_filters_release frees.
 */
int alert_filters_parse(struct req *q, struct alert_filters *f);
void alert_filters_release(struct alert_filters *f);

/* 1 when an event of an alert with these attributes passes the filters. */
int alert_filters_match(const struct alert_filters *f, int severity, const char *district,
			const char *kind);

/* An RFC 3339 time as seconds since the epoch; 0, or -1 when not one. */
int alert_time_parse(const char *s, long long *epoch);

/* A whole number 0 <= N < 2^53 from text; 0, or -1. */
int alert_parse_seq(const char *s, long long *v);

/*
 * After a commit that appended events up to `latest`: wake this worker's
 * followers and every other worker.  Cannot fail (a lost wake-up is only
 * possible for a worker that is gone).
 */
void alerts_notify(struct srv *srv, long long latest);

/* Events kept (TWONETD_KEEP_EVENTS, default 1,000,000). */
long alerts_keep_events(void);

#endif
