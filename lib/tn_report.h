/* tn_report.h — case and alert reports: periods, fetching, rows, the SVG chart, the HTML page, the run lock. */
#ifndef TN_REPORT_H
#define TN_REPORT_H

#include <stddef.h>
#include <jv.h>

#include "tn_buf.h"
#include "tn_err.h"
#include "tn_http.h"
#include "tn_text.h"
#include "tn_today.h"

/*
 * Today's day number for relative periods: tn_today_get (tn_today.h), so
 * `given` (a hidden --today option), else $TWONET_TODAY, else today in the
 * local time zone.  A bad date is TN_EUSAGE naming where it came from.
 */
enum tn_code tn_report_today(const char *given, long *today, struct tn_err *err);

/*
 * The days [*first, *last] that a period word names, relative to `today`:
 * YYYY-MM-DD (that day), YYYY-MM (that month), YYYY (that year), YYYY-Www
 * (that ISO week, Monday to Sunday), today, yesterday, this-week,
 * last-week, this-month, last-month, this-year, last-year.  The current
 * week, month and year end today.  Anything else is TN_EUSAGE.
 */
enum tn_code tn_period_parse(const char *spec, long today, long *first, long *last,
			     struct tn_err *err);

/*
 * A report's period from --from and --to words: [first of from, last of
 * to]; --from alone is the whole of its period ("--from last-month" is last
 * month, "--from 2026-11-03" that one day); neither: this month up to
 * today; --to alone, or a period that ends before it starts: TN_EUSAGE.
 * `from` and `to` get YYYY-MM-DD (at least 11 bytes each).
 */
enum tn_code tn_report_period(const char *from_spec, const char *to_spec, long today,
			      char *from, char *to, struct tn_err *err);

/* Which report. */
enum tn_report_kind { TN_REPORT_CASES, TN_REPORT_ALERTS, TN_REPORT_TASKS };

/* The groupings of each kind, '|'-separated; the first is the default. */
#define TN_REPORT_CASE_BY  "department|item|workflow|day|week|month"
#define TN_REPORT_ALERT_BY "kind|severity|district|day|week|month"

/* What to ask the server.  Strings are borrowed; NULL ones are not sent. */
struct tn_report_query {
	enum tn_report_kind kind;
	const char *from, *to;  /* YYYY-MM-DD */
	const char *by;
	const char *department; /* cases only */
	const char *item;       /* cases only */
};

/*
 * Check `q` (by among the kind's groupings: TN_EUSAGE) and append its path
 * ("/v1/reports/cases?from=..&to=..&by=..") to `path`.
 */
enum tn_code tn_report_path(const struct tn_report_query *q, struct tn_buf *path,
			    struct tn_err *err);

/* GET the report; the document (owned) in *out.  Errors as tn_client_do. */
enum tn_code tn_report_fetch(struct tn_client *c, const struct tn_report_query *q, jv *out,
			     struct tn_err *err);

/*
 * The rows of a report document (borrowed): its groups, then its total as
 * a row whose group is "total".  A group without a key (cases on no
 * workflow) gets "-".  Returns an array (owned); empty for a document
 * without groups.
 */
jv tn_report_rows(jv report);

/* Table columns (short) and CSV columns (every figure) of each kind, NULL-terminated. */
extern const char *tn_report_case_table[];
extern const char *tn_report_case_csv[];
extern const char *tn_report_alert_table[];
extern const char *tn_report_alert_csv[];
/* (the task report's, tn_report_task_table and tn_report_task_csv, are in tn_task.h) */

/* The table columns (`csv` = 0) or the CSV columns (`csv` = 1) of a report of `kind`.  Cannot fail. */
const char **tn_report_columns(enum tn_report_kind kind, int csv);

/*
 * How many cases of a case report (borrowed) have a provisional deadline
 * (its total's provisional_deadlines): counted Monday to Friday through a
 * year the server's calendar does not know.  0 for an alert report.
 */
long tn_report_provisional(jv report);
/*
 * The note of a case report (borrowed) on provisional deadlines, when its
 * total counts any (provisional_deadlines): "3 of the 40 cases have a
 * provisional deadline: counted ..." ("1 case has", "all 3 cases have" when
 * they are every case), one sentence without a full stop or
 * newline, appended to `out`.  Returns how many cases have one (0: nothing
 * appended, also for an alert report).
 */
long tn_report_provisional_note(struct tn_buf *out, jv report);

/* The kind of a report document (borrowed): its "report" member ("alerts", "tasks"), cases when absent. */
enum tn_report_kind tn_report_kind_of(jv report);

/* ---- the reader's language (report_lang.c) ---- */

/* The language of headings, labels and notes; member names never change. */
enum tn_report_lang { TN_REPORT_ZH, TN_REPORT_EN };

/* "zh" (also "zh-CN", "zh_CN") or "en"; anything else is TN_EUSAGE. */
enum tn_code tn_report_lang_parse(const char *name, enum tn_report_lang *lang,
				  struct tn_err *err);

/*
 * The heading of column `col` (a member name: "received") in a report of
 * `kind` grouped `by` (may be NULL): Chinese ("收件"); in English the
 * member name itself for a table or CSV (`html` = 0), a phrase for HTML
 * (`html` = 1).  The group column is named for the grouping in Chinese
 * ("部门"; "分组" in a CSV, whose "name" column is "名称").  Unknown columns
 * come back as they are.  Static strings.
 */
const char *tn_report_heading(const char *col, enum tn_report_kind kind, const char *by,
			      enum tn_report_lang lang, int html);

/* What the total row's group reads: "合计" or "total". */
const char *tn_report_total_word(enum tn_report_lang lang);

/*
 * The label of a row (borrowed) for a reader: its `name` (a department's,
 * an item's, a workflow's, a district's or a kind's) when
 * the grouping is by one of those and the row has one, else its `group`;
 * "-" without either.  Borrowed from `row`.
 */
const char *tn_report_label(jv row, const char *by);

/*
 * A row (consumed) of tn_report_rows for a table or CSV in `lang`: an
 * object with a member per column of `cols` (member names, NULL-terminated),
 * keyed by its heading, in that order; the group column holds the row's
 * label (tn_report_label) when `label`, else its code; the total row's
 * group is tn_report_total_word.  Returns the new object (owned).
 */
jv tn_report_display_row(jv row, const char *const *cols, enum tn_report_kind kind,
			 const char *by, enum tn_report_lang lang, int label);

/*
 * The note on provisional deadlines (tn_report_provisional_note) in `lang`.
 * Returns how many cases have one (0: nothing appended).
 */
long tn_report_provisional_note_in(struct tn_buf *out, jv report, enum tn_report_lang lang);

/*
 * The footnotes of a report (borrowed) in `lang`, each a sentence ending
 * with a full stop and a newline, for its own kind only: a case report
 * says what on time, working days, the backlog and materials saved mean
 * (and "*", when a row has provisional deadlines); an alert report what its
 * targets, minutes and open-past-target mean; a task report (taskreport.c)
 * what its minutes, in-target shares and late plan steps mean.  Appended
 * to `out`.
 */
void tn_report_footnotes(struct tn_buf *out, jv report, enum tn_report_lang lang);

/* ---- the chart (chart.c) ---- */

/*
 * A bar chart with a line: one bar per group (a <rect class="bar">), and
 * the line's points (a percentage, 0..100, or NaN where there is none) on a
 * right-hand axis.  Strings and arrays are borrowed.
 */
struct tn_chart {
	const char *title;
	const char *subtitle;   /* may be NULL */
	const char *bar_label;  /* legend: what the bars count */
	const char *line_label; /* legend: what the line is, or NULL for no line */
	size_t n;
	const char *const *labels;
	const double *bars;
	const double *line;     /* n values, or NULL */
	const char *empty;      /* the text of an empty chart, NULL: "no data in this period" */
};

/*
 * Append the chart as SVG to `out`: a standalone document with the XML
 * declaration when `standalone`, else an <svg> element to put inside HTML.
 * Text is escaped; labels too long for their slot are cut with "…".
 * Cannot fail.
 */
void tn_chart_svg(struct tn_buf *out, const struct tn_chart *chart, int standalone);

/* A <text> element of class `cls` at (x, y), anchored start|middle|end, `s` escaped. */
void tn_svg_text(struct tn_buf *b, double x, double y, const char *anchor, const char *cls,
		 const char *s);

/*
 * The chart of a report document (borrowed): a bar per group for the cases
 * received (alerts raised), a line for the on-time rate against the promised
 * deadline (the alerts closed within their target).  Appended to `out`.
 */
void tn_report_svg(struct tn_buf *out, jv report, int standalone);
/* The same with its title, subtitle, labels and legend in `lang` (tn_report_svg: English). */
void tn_report_svg_in(struct tn_buf *out, jv report, int standalone, enum tn_report_lang lang);

/* ---- the district map (reportmap.c) ---- */

/*
 * A map of Shanghai's 16 districts as a standalone SVG document, appended
 * to `out`: each district (a <g class="district" id="dCODE">) a circle at
 * its approximate centre, pushed apart from its neighbours, filled on a
 * sequential scale (up to five classes of round width, a legend beside)
 * by its count, and labelled with its Chinese name, the count and the
 * on-time rate; title, period and footnotes in `lang`.  `alerts`: an alert
 * report by district (borrowed; jv_null() for none): the count is the
 * alerts raised, the rate closed_in_target_rate.  `tasks`: a task report
 * (borrowed; jv_null() for none): with alerts, a second rate per district,
 * the tasks resolved in target out of those resolved or past it; alone, the
 * count is the tasks generated and that rate the only one.
 * `tasks_missing` (may be NULL): why there is no task report, for a
 * footnote.  `shapes` (may be NULL; tn_districtmap.h): the districts'
 * outlines, drawn under the circles in the same fills, a thin line from a
 * district to its circle when the circle had to move away.  Cannot fail.
 */
struct tn_dmap;
void tn_report_map_svg(struct tn_buf *out, jv alerts, jv tasks, const char *tasks_missing,
		       const struct tn_dmap *shapes, enum tn_report_lang lang);

/*
 * A one-page HTML report (for mail): title, period, the table of every row
 * with the chart's figures, the chart inline, and the report kind's own
 * footnotes (tn_report_footnotes).  Appended to `out`.  tn_report_html is
 * in English, tn_report_html_in in `lang`.
 */
void tn_report_html(struct tn_buf *out, jv report);
void tn_report_html_in(struct tn_buf *out, jv report, enum tn_report_lang lang);

/* tn_xml_escape (tn_text.h) escapes the page's and the chart's text. */

/* ---- files and the lock ---- */

/*
 * Write `len` bytes to `path` atomically (a temporary file beside it, then
 * rename), mode 0644 less the umask; "-" writes to stdout.  TN_EIO naming
 * the file on failure, and nothing is left behind.
 */
enum tn_code tn_report_write_file(const char *path, const char *data, size_t len,
				  struct tn_err *err);

/*
 * The lock file of `name` for this user: $XDG_RUNTIME_DIR/twonet-NAME.lock
 * when XDG_RUNTIME_DIR names a folder, else /tmp/twonet-NAME-UID.lock.
 * Appended to `path`.
 */
void tn_report_lock_path(struct tn_buf *path, const char *name);

/*
 * Take the run lock of `name` (flock, exclusive) so that two runs never
 * overlap.  wait = 1: wait for it, polling so that SIGINT/SIGTERM (through
 * tn_cli_catch_signals) stop the wait with TN_EINTR; wait = 0: TN_ECONFLICT
 * "another NAME is running" at once when it is held.  A lock file that is
 * not a regular file of this user is refused (TN_EIO).  *fd gets the open
 * lock; tn_report_unlock releases it (the kernel does so at exit too).
 */
enum tn_code tn_report_lock(const char *name, int wait, int *fd, struct tn_err *err);
void tn_report_unlock(int fd);

#endif
