/* tn_alert.h — city-operations alerts: severities, districts, validation, posting, table rows. */
#ifndef TN_ALERT_H
#define TN_ALERT_H

#include <stdio.h>
#include <jv.h>

#include "tn_buf.h"
#include "tn_err.h"
#include "tn_http.h"

/* Our severity scale, lowest first.  TN_SEV_NONE: not a severity. */
enum tn_severity { TN_SEV_NONE = -1, TN_SEV_BLUE = 0, TN_SEV_YELLOW, TN_SEV_ORANGE, TN_SEV_RED };

#define TN_ALERT_SEVERITIES "blue|yellow|orange|red"

/*
 * The severity named by `s`, case-insensitively: ours (blue..red), CAP 1.2's
 * (Minor, Moderate, Severe, Extreme), China's (Blue..Red, the same words as
 * ours) or Chinese (蓝色/蓝 ... 红色/红).  TN_SEV_NONE for anything else,
 * CAP's "Unknown" included.  Cannot fail.
 */
enum tn_severity tn_severity_parse(const char *s);
/* "blue".."red"; "" for TN_SEV_NONE.  Static strings. */
const char *tn_severity_name(enum tn_severity sev);
/* CAP 1.2's name: "Minor".."Extreme"; "Unknown" for TN_SEV_NONE. */
const char *tn_severity_cap(enum tn_severity sev);

/* One of Shanghai's 16 districts. */
struct tn_district {
	const char *code;    /* "310101" */
	const char *name;    /* "黄浦区" */
	const char *pinyin;  /* "huangpu" */
};

#define TN_DISTRICT_COUNT 16
extern const struct tn_district tn_districts[TN_DISTRICT_COUNT];

/*
 * The district named by `s`: its code ("310101"), its name ("黄浦区"), its
 * name without 区 / 新区 ("黄浦", "浦东"), or its pinyin ("huangpu", any case).
 * NULL when none.
 */
const struct tn_district *tn_district_find(const char *s);
/*
 * The first district whose name (or short name, at least two characters)
 * appears in `text` (an area description such as "黄浦区中山东一路").  NULL when none.
 */
const struct tn_district *tn_district_in_text(const char *text);

/* 1 when `kind` is 1..64 of [a-z0-9_.-] starting with a letter. */
int tn_alert_kind_valid(const char *kind);

/*
 * 1 when `s` is an RFC 3339 time with an offset ("2026-07-01T10:00:00+08:00",
 * "...Z", fractional seconds allowed) naming a real date and time.
 */
int tn_time_valid(const char *s);

/*
 * `epoch` (seconds) as RFC 3339 in local time with its offset
 * ("2026-11-28T10:00:00+08:00" on China time; "Z" when the zone gives no
 * offset) into buf (at least 32 bytes): the form of every time twonetd
 * writes.  Cannot fail.  (lib/rfc3339.c)
 */
void tn_time_rfc3339(long long epoch, char *buf, size_t size);

/*
 * The epoch seconds of an RFC 3339 time (tn_time_valid's; fractions
 * dropped) into *epoch.  0 ok, -1 when `s` is not one (*epoch untouched).
 */
int tn_time_parse(const char *s, long long *epoch);

/*
 * Check and normalise an alert input (consumed) into *out (owned): a JSON
 * object with the members of doc/api-alerts.md.  Severity names (CAP,
 * Chinese, any case) become blue..red; districts given by name or pinyin
 * become their code; numbers given as numeric strings (value, threshold,
 * location.lat/lon) become numbers; null members are dropped.  The members
 * that the server owns in an ALERT (id, seq, status, raised_at, district_name,
 * event, action, ...) are dropped, so that alert-tail's output can be posted
 * again.  Any other unknown member, a missing required member (source,
 * source_id, kind, severity, district) or a bad value is TN_EINVALID naming
 * the member ("severity: 'purple' is not a severity ..."); *out is untouched
 * then.  When source_id is missing and `derive_source_id` is set, it is
 * derived from the content ("sha256:" and 32 hex digits of the canonical
 * JSON), so that posting the same input twice raises one alert.
 */
enum tn_code tn_alert_normalize(jv in, int derive_source_id, jv *out, struct tn_err *err);

/* The members an alert input may hold, in the contract's order; NULL-terminated. */
extern const char *const tn_alert_members[];

/*
 * The strict check of an alert input (borrowed), as twonetd raises it, where
 * tn_alert_normalize is the client's lenient reading before it: every member
 * in its canonical form (severity blue..red, district a code), no unknown
 * member.  On success *out (owned) holds source, source_id, kind, severity,
 * district, district_name, location, value, threshold, unit, headline ("" when
 * absent), text, sent_at, onset_at, expires_at in that order (null when
 * absent), then event_text, kind_name, street, street_name, area, then
 * msg_type and references for an update or a cancel, then cap when it is an
 * object.  Otherwise TN_EINVALID with the server's detail, err->field the
 * member at fault ("location.lat", "" for none) and err->http_status 400 (not
 * an object, an unknown member) or 422 (a bad value); *out untouched.  What
 * tn_alert_normalize returns passes.
 */
enum tn_code tn_alert_check(jv in, jv *out, struct tn_err *err);

/* Members of a caller's own around a checked alert: names[i]: values[i] (consumed). */
struct tn_alert_around {
	const char *const *names;
	jv *values;
	int n;
};

/*
 * tn_alert_check's document as twonetd stores it, made in one step (jq's
 * table never grows member by member): head's members first (twonetd's id
 * and seq), then the checked alert's without msg_type, references and cap,
 * then tail's (the alert's state), then cap when it is an object.  For an
 * update or a cancel *msg is {"msg_type", "references"}, else null.  When
 * `text` is not NULL, the document's JSON text is appended to it (what
 * tn_json_dump writes of *out).  The values of head and tail are consumed,
 * also on failure, when *out, *msg and text are untouched.
 */
enum tn_code tn_alert_check_doc(jv in, struct tn_alert_around head, struct tn_alert_around tail,
				jv *out, jv *msg, struct tn_buf *text, struct tn_err *err);

/*
 * tn_alert_check_doc, but for an alert that is neither an update nor a
 * cancel (*msg null) *out holds only the members `keep` names
 * (NULL-terminated), in the document's order; `text` still gets the whole
 * document.  Building jq's table of the whole document is a third of the
 * check, and a caller that reads a few members of it and stores the text
 * (twonetd's batch on a server without rules) needs not pay for the rest.
 * An update or a cancel gets the whole document, as tn_alert_check_doc.
 */
enum tn_code tn_alert_check_some(jv in, struct tn_alert_around head, struct tn_alert_around tail,
				 const char *const *keep, jv *out, jv *msg, struct tn_buf *text,
				 struct tn_err *err);

/* An alert described by command-line flags; every member may be NULL. */
struct tn_alert_spec {
	const char *source, *source_id, *kind, *severity, *district;
	const char *lat, *lon, *address;
	const char *value, *threshold, *unit;
	const char *headline, *text;
	const char *sent_at, *onset_at, *expires_at;
};

/* 1 when any member of `spec` is set. */
int tn_alert_spec_any(const struct tn_alert_spec *spec);

/*
 * Apply the flags over `body` (consumed; an object, or jv_null() for a new
 * one) into *out (owned): flags win.  Numbers are checked (TN_EUSAGE "--lat
 * takes a number, not 'x'").  The result is not normalised yet.
 */
enum tn_code tn_alert_apply_spec(jv body, const struct tn_alert_spec *spec, jv *out,
				 struct tn_err *err);

/*
 * Post one normalised alert (consumed): POST /v1/alerts, retried safely
 * (alerts are deduplicated by source and source_id).  The stored ALERT
 * (owned) in *created; *replayed = 1 when the server already had it.
 */
enum tn_code tn_alert_post(struct tn_client *c, jv alert, jv *created, int *replayed,
			   struct tn_err *err);

/* Counts of a bulk post. */
struct tn_alert_stats {
	long read;      /* records read, good or bad */
	long created;   /* new alerts (201) */
	long replayed;  /* already known (200, replayed) */
	long failed;    /* bad lines, bad records, refused items */
	long updated;   /* updates and cancels applied to the alerts they reference (200) */
};

/*
 * Called once per record of a bulk post, in input order: `line` is its input
 * line; on success `alert` (owned by the callee) is the stored ALERT, or in a
 * dry run the normalised input; on failure `alert` is jv_invalid() and err
 * says why, prefixed with "NAME:LINE: ".
 */
typedef void (*tn_alert_result_fn)(void *ctx, long line, enum tn_code code, jv alert,
				   int replayed, const struct tn_err *err);

/*
 * Post every NDJSON record of `in` (named `name` in messages) in batches of
 * up to `batch` (1..1000) alerts per request ({"alerts":[...]}), in
 * constant memory.  Each record is normalised first (source_id derived when
 * missing); bad lines and bad records are reported through `fn` and skipped.
 * `dry_run`: nothing is sent (`client` may be NULL).  Returns TN_OK when all
 * went through, TN_EPARTIAL when some failed, TN_EINTR when interrupted, or
 * a request's error when a whole batch could not be sent (server unreachable,
 * not allowed): the batch's records are reported failed and posting stops.
 */
enum tn_code tn_alert_post_bulk(struct tn_client *client, FILE *in, const char *name,
				long batch, int dry_run, tn_alert_result_fn fn, void *ctx,
				struct tn_alert_stats *stats, struct tn_err *err);

/* The loop's actions, '|'-separated (reopen: resolved or closed back to dispatched). */
#define TN_ALERT_ACTIONS "dispatch|acknowledge|resolve|close|reopen"

/*
 * The loop's statuses in order, with their Chinese labels, the step that
 * leads to each (and its label), the member holding its time and the member
 * it sets (or NULL): X(status, status_label, step, step_label, at, with,
 * with_label).  TN_ALERT_STEPS: every action a client may ask, X(action,
 * label), reopen included.  doc/api-alerts.md has the table.
 */
#define TN_ALERT_STATES(X) \
	X("raised",       "已上报", "raise",       "上报",     "raised_at",       "raised_by",  "上报方") \
	X("dispatched",   "已派遣", "dispatch",    "派遣",     "dispatched_at",   "crew",       "队伍") \
	X("acknowledged", "已签收", "acknowledge", "签收",     "acknowledged_at", NULL,         NULL) \
	X("resolved",     "已处置", "resolve",     "处置完毕", "resolved_at",     NULL,         NULL) \
	X("closed",       "已关闭", "close",       "关闭",     "closed_at",       "evaluation", "评价")
#define TN_ALERT_STEPS(X) \
	X("dispatch", "派遣") X("acknowledge", "签收") X("resolve", "处置完毕") \
	X("close", "关闭") X("reopen", "重新派遣")
#define TN_ALERT_STATUSES "raised|dispatched|acknowledged|resolved|closed"

/* The Chinese label of a status or of a step (action, or "raise"); "" when unknown. */
const char *tn_alert_status_label(const char *status);
const char *tn_alert_step_label(const char *step);

/* Whether `action` is one of TN_ALERT_ACTIONS. */
int tn_alert_action_valid(const char *action);

/* One step under a version: POST /v1/alerts/{id}/actions with If-Match: "seq". */
struct tn_alert_step {
	long long id;
	long long seq;          /* the alert's seq to act on; < 1: the seq read just before */
	const char *action;     /* one of TN_ALERT_ACTIONS */
	const char *crew, *evaluation, *comment;        /* NULL when not given */
};

/*
 * Act as `s` says; the updated ALERT (owned) in *out.  A stale seq (someone
 * changed the alert since) or a step the status does not allow is
 * TN_ECONFLICT with the server's words, never an overwrite; no such alert
 * TN_ENOTFOUND "alert N not found"; else as tn_client_do.
 */
enum tn_code tn_alert_act_at(struct tn_client *c, const struct tn_alert_step *s, jv *out,
			     struct tn_err *err);

/* An alert id from a line of stdin: a number, or NDJSON {"id", "seq"} (seq in *seq, else 0).  -1 on error. */
long long tn_alert_id_from_line(const char *line, long long *seq, struct tn_err *err);

/* The filters of GET /v1/alerts; NULL members are not sent. */
struct tn_alert_query {
	const char *status;     /* ','-separated statuses */
	const char *severity;   /* the lowest severity shown */
	const char *district, *kind;    /* ','-separated */
	const char *since, *until;      /* RFC 3339, YYYY-MM-DD or N s/m/h/d ago (tn_time_since) */
};

/* The request path of a page of `limit` alerts after `cursor` (NULL: the first); TN_EUSAGE on a bad filter. */
enum tn_code tn_alert_query_path(const struct tn_alert_query *q, long limit, const char *cursor,
				 struct tn_buf *path, struct tn_err *err);

/* Called with each alert (owned by the callee); nonzero stops. */
typedef int (*tn_alert_each_fn)(void *ctx, jv alert);
struct tn_list_end;

/*
 * The alerts matching `q`, page after page, at most `limit` (< 0: all), each
 * handed to `fn`; how it ended in *end (may be NULL) as tn_case_list_end.
 */
enum tn_code tn_alert_list_end(struct tn_client *c, const struct tn_alert_query *q, long limit,
			       tn_alert_each_fn fn, void *ctx, struct tn_list_end *end,
			       struct tn_err *err);

/*
 * One line of the alert table for a terminal, appended to `b` without a line
 * end: SEQ TIME SEVERITY DISTRICT KIND STATUS HEADLINE, the columns fitted by
 * display width (Chinese is two columns), `width` the terminal's width (0:
 * no limit).  `color`: the severity in its colour (ANSI).  `alert` is
 * borrowed.  tn_alert_table_header gives the heading line.
 */
void tn_alert_format_row(struct tn_buf *b, jv alert, int width, int color);
void tn_alert_table_header(struct tn_buf *b, int width);

/*
 * Resolve a --since argument into an RFC 3339 time in `out`: an RFC 3339
 * time as it is, a date YYYY-MM-DD (its midnight, local time), or a duration
 * ago: N followed by s, m, h or d ("90s", "10m", "2h", "1d").  TN_EUSAGE for
 * anything else.
 */
enum tn_code tn_time_since(const char *arg, char *out, size_t size, struct tn_err *err);

/* Output formats of alert streams. */
enum tn_alert_format { TN_AFMT_AUTO = 0, TN_AFMT_NDJSON, TN_AFMT_TABLE, TN_AFMT_CAP };
#define TN_ALERT_FORMATS "ndjson|json|table|cap"

struct tn_jq;

/*
 * Writes alerts one at a time, flushed after each: NDJSON, a table line
 * (coloured by severity), or a CAP 1.2 document; through --jq first (each jq
 * output is written; a string output as its text, like jq -r; another
 * non-object output as JSON, in every format).
 */
struct tn_alert_writer {
	FILE *fp;
	enum tn_alert_format format;
	struct tn_jq *jq;
	int color;
	int width;           /* terminal columns for the table, 0 when not a terminal */
	int header_done;
	int broken_pipe;     /* a write failed with EPIPE: the reader is gone */
	int defer_flush;     /* lines wait in fp's buffer for tn_alert_writer_flush (a
			      * follower flushes once a block read, not once a line) */
};

/*
 * Open a writer on `fp`.  `format` is "ndjson", "json" (the same: one
 * object a line), "table", "cap" or NULL (table on a terminal, NDJSON
 * otherwise); `jq` an expression or NULL; colour on a terminal unless
 * `no_color` or NO_COLOR.  TN_EUSAGE for a bad format or a jq compile error.
 */
enum tn_code tn_alert_writer_open(struct tn_alert_writer *w, FILE *fp, const char *format,
				  const char *jq, int no_color, struct tn_err *err);
/* The formats tn_alert_writer_open takes, as an option table's choices. */
#define TN_ALERT_FORMATS "ndjson|json|table|cap"

/*
 * Write one alert given as JSON text (`len` bytes; parsed only when needed)
 * and flush.  *written (may be NULL) is the number of records written (0 when
 * --jq selected none).  TN_EINVALID for text that is not JSON or a jq runtime
 * error (nothing written); TN_EIO when writing failed (broken_pipe set for
 * EPIPE).
 */
enum tn_code tn_alert_writer_emit_text(struct tn_alert_writer *w, const char *json, size_t len,
				       long *written, struct tn_err *err);
/* The same for an alert as a jv (consumed). */
enum tn_code tn_alert_writer_emit(struct tn_alert_writer *w, jv alert, long *written,
				  struct tn_err *err);

/* Write `b` as it is, flushed unless defer_flush; TN_EIO when it cannot be (EPIPE noted). */
enum tn_code tn_alert_writer_put(struct tn_alert_writer *w, const struct tn_buf *b,
				 struct tn_err *err);

/* Flush what defer_flush kept in fp's buffer; TN_EIO when it cannot be written (EPIPE noted). */
enum tn_code tn_alert_writer_flush(struct tn_alert_writer *w, struct tn_err *err);

/* Free the jq program.  Does not close fp. */
void tn_alert_writer_close(struct tn_alert_writer *w);

/* A number member as a long long (ids, seq); -1 when absent or not a whole number. */
long long tn_alert_ll(jv alert, const char *member);

#endif
