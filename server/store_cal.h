/* store_cal.h — the storage of the working-day calendar, and the deadlines that depend on it. */
#ifndef TWONETD_STORE_CAL_H
#define TWONETD_STORE_CAL_H

#include <jv.h>

#include "tn_err.h"
#include "store.h"

struct tn_cal;

/*
 * The database holds the calendar the server counts working days with: the
 * years it knows (each from one import: its source and when), their listed
 * days, and a generation that every import that changed something raises, so
 * that each worker of each instance sees a new calendar without a restart.
 * Cases keep what their deadlines were counted from (the start day and the
 * working days), so that an import can count provisional ones again.
 * Conventions of store.h: jv consumed, results the caller's, err optional.
 */

/*
 * The stored calendar in *cal (the caller's, tn_cal_free; NULL when the
 * database knows no year) and its generation in *generation (may be NULL).
 */
enum tn_code store_cal_load(struct store *st, struct tn_cal **cal, long *generation,
			    struct tn_err *err);

/* The generation alone: one indexed read, for a worker to check before counting. */
enum tn_code store_cal_generation(struct store *st, long *generation, struct tn_err *err);

/* What an import did. */
struct store_cal_result {
	int years[64];          /* the years it added or replaced (changed), in order */
	int nyears;
	long recomputed;        /* open cases whose deadline was counted again */
	long still_provisional; /* open cases whose deadline is still provisional */
};

/*
 * Import every year `add` (borrowed) knows, in one transaction: a year the
 * database holds with the same days is left alone; a new or different one
 * replaces the stored year whole, from `source` (borrowed: the file's name),
 * at `at` (RFC 3339).  When any year changed: the generation goes up, and
 * every open case (not completed, not rejected) whose deadline is provisional
 * is counted again through the new calendar from what it was counted from;
 * each case whose deadline, legal deadline or flag changed gets them, version
 * + 1, and an event by "system" ("deadline recomputed: 2027 calendar
 * loaded (was ..., provisional)").  Nothing changes on failure.
 */
enum tn_code store_cal_import(struct store *st, const struct tn_cal *add, const char *source,
			      const char *at, struct store_cal_result *res, struct tn_err *err);

/*
 * The stored years, oldest first, in *years: [{"year":Y, "source":..,
 * "loaded_at":.., "rest_days":N, "working_days":N}]: the listed days
 * of each kind.
 */
enum tn_code store_cal_years(struct store *st, jv *years, struct tn_err *err);

#endif
