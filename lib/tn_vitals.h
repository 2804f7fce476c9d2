/* tn_vitals.h — the city's vital signs: indicators from share/twonet/vitals.yaml, levels from thresholds, trends, and their one-line and table forms. */
#ifndef TN_VITALS_H
#define TN_VITALS_H

#include <stddef.h>
#include <stdio.h>
#include <jv.h>

#include "tn_buf.h"
#include "tn_err.h"

/*
 * The measures the server knows, X(name, period, filters): `period` is what
 * the trend compares with ("1h": the value an hour ago; "1d": the same time
 * yesterday; NULL: no trend, the data keeps no history of it) and `filters`
 * the '|'-separated filters the measure takes.  doc/api-vitals.md has the
 * table.
 */
#define TN_VITALS_MEASURES(X) \
	X("alerts_open",         "1h", "severity|district|kind") \
	X("alerts_raised",       "1h", "severity|district|kind") \
	X("tasks_past_target",   "1h", "district|kind") \
	X("pump_stations_fault", NULL, "district") \
	X("trucks_free",         NULL, "district") \
	X("cases_overdue",       NULL, "department") \
	X("cert_reads_today",    "1d", "outcome") \
	X("filings_today",       "1d", "department")

/* A level; TN_VITAL_UNKNOWN when the value was not measured. */
enum tn_vital_level { TN_VITAL_UNKNOWN = -1, TN_VITAL_GREEN, TN_VITAL_YELLOW, TN_VITAL_RED };

/* One indicator of the file. */
struct tn_vital {
	char *id, *name, *measure;
	/* filters (NULL: none); severity: the lowest severity counted (blue..red) */
	char *severity, *district, *kind, *department, *outcome;
	char *by;               /* alerts_open: also counted by "district" or "severity", or NULL */
	double yellow, red;     /* thresholds: the level starts at the value */
	int lower_is_worse;     /* direction: 0 higher_is_worse, 1 lower_is_worse */
	long line;              /* where it starts in the file */
};

struct tn_vitals {
	struct tn_vital *v;
	size_t n;
};

/*
 * Load the indicators of the YAML `text` (`len` bytes; `name` in messages):
 *   indicators:
 *     - id: alerts_open_red          # [a-z0-9_]+, unique
 *       name: 红色预警                # shown to people
 *       measure: alerts_open         # one of TN_VITALS_MEASURES
 *       filters: {severity: red}     # optional, the measure's own
 *       thresholds: {yellow: 1, red: 3}
 *       direction: higher_is_worse   # or lower_is_worse
 *       by: district                 # alerts_open only: also by district or severity
 * Every key checked: TN_EINVALID "NAME:LINE: what is wrong" (an unknown
 * key or measure, a filter the measure does not take, thresholds out of
 * order for the direction, a duplicate id).  On failure *out is NULL.
 */
enum tn_code tn_vitals_parse(const char *name, const char *text, size_t len,
			     struct tn_vitals **out, struct tn_err *err);
/* tn_vitals_parse of the file `path` (NULL: tn_sharedir()/vitals.yaml); TN_EIO when unreadable. */
enum tn_code tn_vitals_load(const char *path, struct tn_vitals **out, struct tn_err *err);
void tn_vitals_free(struct tn_vitals *vs);

/* The measure's trend period ("1h", "1d") or NULL; NULL too for an unknown measure. */
const char *tn_vitals_period(const char *measure);
/* 1 when `measure` is one of TN_VITALS_MEASURES. */
int tn_vitals_measure_known(const char *measure);

/* The level of `value` against v's thresholds and direction. */
enum tn_vital_level tn_vital_level(const struct tn_vital *v, double value);
/* "green", "yellow", "red"; NULL for TN_VITAL_UNKNOWN. */
const char *tn_vital_level_name(enum tn_vital_level l);
/* The level named `s`, TN_VITAL_UNKNOWN when none (NULL too). */
enum tn_vital_level tn_vital_level_parse(const char *s);

/* "up", "down" or "flat": `value` against `before`. */
const char *tn_vital_trend(double value, double before);

/*
 * 1 when the TASK (borrowed) was open at `at` (epoch seconds) and one of
 * its timed steps (dispatch, acknowledge, resolve) was still undone then
 * past its target (targets.dispatch_s ... after generated_at), else 0:
 * what tasks_past_target counts, now and an hour ago.
 */
int tn_vitals_task_past(jv task, long long at);

/*
 * The INDICATOR object of GET /v1/vitals (owned) for `v`, measured `value`
 * and `before` (< 0: not measured), with `note` (NULL: none) saying why
 * when not measured.
 */
jv tn_vitals_indicator(const struct tn_vital *v, long long value, long long before,
		       const char *note);
/* The worst level of a VITALS body's indicators (borrowed), TN_VITAL_UNKNOWN when none measured. */
enum tn_vital_level tn_vitals_worst(jv body);

/*
 * One INDICATOR (borrowed) as one line, appended to `b` without a line end:
 * "开放预警 12 ▲ yellow" (name, value or "-", the trend ▲ ▼ or =, none
 * when unknown, the level or "unknown"), the level coloured when `color`.
 */
void tn_vitals_format_line(struct tn_buf *b, jv ind, int color);
/* A table row of an INDICATOR (borrowed) and its heading, fitted to `width` columns (0: no limit). */
void tn_vitals_format_row(struct tn_buf *b, jv ind, int width, int color);
void tn_vitals_table_header(struct tn_buf *b, int width);

/* ---- city-vitals (vitalsout.c) ---- */

/* The formats of city-vitals: one line per indicator, a table, or the whole JSON. */
#define TN_VITALS_FORMATS "line|table|json"

struct tn_client;

/* GET /v1/vitals into *out (owned); a body that is not an object is TN_ESERVER. */
enum tn_code tn_vitals_get(struct tn_client *c, jv *out, struct tn_err *err);

/*
 * Keep only the indicators of `body` (consumed; returned) whose id is one of
 * the comma-separated `ids` (NULL: all); an id the body does not hold is
 * TN_ENOTFOUND naming it, and *body is freed.
 */
enum tn_code tn_vitals_pick(jv *body, const char *ids, struct tn_err *err);

/*
 * Write the VITALS `body` (borrowed) to `fp` in `format` (NULL: table on a
 * terminal, JSON otherwise): "line" one line per indicator, "table" a
 * heading, the rows and an "as of" line, "json" the body (through the jq
 * program `jq` when given, each result a line).  Colour only on a terminal
 * and not `no_color` (nor $NO_COLOR).
 */
enum tn_code tn_vitals_write(FILE *fp, jv body, const char *format, const char *jq, int no_color,
			     struct tn_err *err);

#endif
