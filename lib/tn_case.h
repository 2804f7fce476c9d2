/* tn_case.h — cases: building bodies, idempotency keys, filing (single and bulk), listing, actions. */
#ifndef TN_CASE_H
#define TN_CASE_H

#include <stdio.h>
#include <jv.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_cli.h"
#include "tn_err.h"
#include "tn_http.h"
#include "tn_text.h"
#include "tn_today.h"

/*
 * A case described by command-line flags.  Every member may be NULL.
 * `fields` and `materials` are lists as tn_cli joins repeated options, with
 * ',' between uses: "shop_name=Noodles,area:=42" and "M-BL,M-ID=REF".  A
 * field is NAME=VALUE (a string) or NAME:=JSON (a JSON value: number, true,
 * ["a"] ...).  A ',' inside a value is kept unless it is followed by
 * something that looks like the next NAME= or NAME:=.
 */
struct tn_case_spec {
	const char *item;
	const char *applicant_id;
	const char *applicant_name;
	const char *applicant_phone;
	const char *applicant_type;   /* "person" | "org"; derived from the id when NULL */
	const char *fields;
	const char *materials;
	const char *workflow;         /* a "one thing" workflow's code instead of item */
};

/*
 * Apply the flags in `spec` over `body` (consumed; an object, or jv_null()
 * for a new one) and return the result in *out (owned).  Flags win over the
 * members already in body.  A malformed --field/--material is TN_EUSAGE;
 * body not an object is TN_EINVALID.  On failure *out is untouched.
 */
enum tn_code tn_case_apply_spec(jv body, const struct tn_case_spec *spec, jv *out,
				struct tn_err *err);

/*
 * Read one JSON or YAML document from `path` ("-" is stdin) into *out (owned).
 * JSON when the name ends in .json or the text starts with '{', YAML otherwise.
 * In YAML, plain scalars follow the core schema (null, true/false, numbers)
 * except that numbers of more than 15 digits or with a leading zero stay
 * strings, and identifiers (applicant.id, applicant.phone, item, key and
 * every member of materials) are always strings.  Errors: TN_EIO (cannot
 * read) or TN_EINVALID ("PATH:LINE:COL: reason").
 */
#define TN_CASE_MAX_FILE (1024 * 1024)
enum tn_code tn_case_read_file(const char *path, jv *out, struct tn_err *err);

/*
 * The canonical form of `v` (borrowed): JSON with object keys sorted and no
 * white space (jv_dump_string with JV_PRINT_SORTED).  Returns a malloc'd string.
 */
char *tn_json_canonical(jv v);

/* SHA-256 of `v`'s canonical form (borrowed) as 64 lower-case hex digits; malloc'd. */
char *tn_case_content_key(jv v);

/*
 * Check a body before it is sent: an object with a string "item" (or, for a
 * case on a "one thing" workflow, a string "workflow" instead) and an
 * "applicant" object whose "id" is a valid resident ID number (type person)
 * or unified social credit code (type org).  TN_EINVALID naming the member
 * ("applicant.id: check character is 'X', expected '3'").  A USCC that only
 * fails its organisation-code digit passes, with *warning (may be NULL) set.
 * Every fault is found: err says the first, err->problems lists them all
 * (the kinds and sizes of tn_case_check_shape when any is wrong, else what
 * is missing or wrong in item, workflow and applicant).
 */
enum tn_code tn_case_check(jv body, char *warning, size_t warning_size, struct tn_err *err);

/*
 * The maxima of a case body (doc/api-contract.md), the same on the client
 * and the server.  Lengths count characters (code points), not bytes.
 */
#define TN_CASE_MAX_CODE      64      /* item, workflow, material code, form field name */
#define TN_CASE_MAX_NAME      100     /* applicant.name */
#define TN_CASE_MAX_PHONE     32      /* applicant.phone, a phone form field */
#define TN_CASE_MAX_REF       200     /* a material's ref */
#define TN_CASE_MAX_CERT      128     /* a material's cert (an e-certificate id) */
#define TN_CASE_MAX_MATERIALS 200     /* materials listed in one body */
#define TN_CASE_MAX_FIELDS    200     /* members of form */
#define TN_CASE_MAX_TEXT      4000    /* a form value that is a string (a field's max_length may say less) */
#define TN_CASE_MAX_COMMENT   2000    /* the comment of an action */
#define TN_CASE_MAX_NUMBER    9007199254740991.0  /* |a form number|: 2^53 - 1, whole numbers exact */

/*
 * Check the kind and size of every member of a case body (borrowed) that
 * POST /v1/cases takes, before any rule that needs the catalog: item and
 * workflow strings of 1..64; applicant an object whose type, id, name and
 * phone are strings (name 1..100, phone at most 32); form an object of at
 * most 200 members, each null, a boolean, a string of at most 4000
 * characters or a finite number within ±(2^53 - 1); materials an array of at
 * most 200 objects, code a string of 1..64, ref a string of at most 200 or
 * null, cert a string of 1..128 or null.  Absent members pass (what is
 * required is the caller's rule).  TN_EINVALID "FIELD: reason" with the
 * member's path in `field` ("applicant.phone", "materials[2].ref"; may be
 * NULL) for the first fault; every fault is checked, and err->problems
 * lists them all ("FIELD: reason" lines).  Cannot fail otherwise.
 */
enum tn_code tn_case_check_shape(jv body, char *field, size_t size, struct tn_err *err);

/*
 * As tn_case_check_shape (err->field names the first fault), and when
 * `problems` is not NULL, *problems (owned; [] when none) holds every fault
 * as {"field":PATH, "label":null, "detail":REASON}.
 */
enum tn_code tn_case_check_shape_all(jv body, jv *problems, struct tn_err *err);

/*
 * Check one form value (borrowed) against its field (borrowed: an ITEM's
 * field object {type, required, values, pattern, max_length}): null or "" is
 * "required" when the field is; type number takes a number or a string that
 * is one, finite and within ±(2^53 - 1); every other type takes a string
 * only (at most max_length and TN_CASE_MAX_TEXT characters) that passes the
 * type's rule (resident_id, uscc, phone, date, enum values, pattern).
 * TN_EINVALID with a reason meant for the person who typed it ("required",
 * "must be a string, not a number", "'x' is not one of: a, b").
 */
enum tn_code tn_case_check_value(jv field, jv value, struct tn_err *err);

/*
 * The type a party's id has the shape of: "person" for 17 digits and a
 * digit or X (a resident ID number), "org" for anything else.  Cannot fail.
 */
const char *tn_party_type_of(const char *id);

/*
 * The applicant and holder rule: `id` of a party of `type` ("person": a
 * resident ID number, GB 11643 check character; "org": a unified social
 * credit code, GB 32100; NULL: the type tn_party_type_of gives).  `party`
 * names it in field paths ("applicant", "holder").  A bad id is TN_EINVALID
 * with field "PARTY.id" and the bare reason as message ("check character is
 * 'X', expected '3'"; "missing" for NULL); another type TN_EINVALID field
 * "PARTY.type" "must be 'person' or 'org'".  A credit code that fails only
 * its organisation-code digit passes, with `warning` (may be NULL) set to
 * "PARTY.id 'ID': REASON"; `warning` is emptied otherwise.
 */
enum tn_code tn_party_check_id(const char *party, const char *type, const char *id,
			       char *warning, size_t warning_size, struct tn_err *err);

/*
 * Check a case's form (borrowed object; not an object counts as empty)
 * against the item's catalog entry (borrowed: its "fields" list), as twonetd
 * files it: a member that is not a field of the item is TN_EINVALID with
 * err->http_status 400, "unknown form field 'NAME'"; then, in the item's
 * order, a required field absent, null or "" is TN_EINVALID "form field
 * 'NAME' is required", and a value tn_case_check_value refuses TN_EINVALID
 * "form field 'NAME': REASON".  Field "form.NAME" in every case.  An
 * unknown member's message ends "; did you mean 'FIELD'?" when a field of
 * the item is close to it (tn_suggest).  Every fault is checked: err (code,
 * field, message, http_status) says the first, err->problems lists them
 * all, one a line: "form.NAME (LABEL): REASON" with the field's catalog
 * "label" ("form.shop_name (店名): required"), or "form.NAME: not a field of
 * this item[; did you mean 'X'?]" for an unknown member.
 */
enum tn_code tn_case_check_form(jv item, jv form, struct tn_err *err);

/*
 * As tn_case_check_form, and when `problems` is not NULL, *problems (owned;
 * [] when none) holds every fault, in the order of err->problems, as
 * {"field":"form.NAME", "label":LABEL|null, "detail":REASON}: what twonetd
 * sends as a problem's "errors".
 */
enum tn_code tn_case_check_form_all(jv item, jv form, jv *problems, struct tn_err *err);

/* 1 when `s` is a phone number: 5 to 20 digits, spaces, '-', a leading '+'; at most 32 characters. */
int tn_case_phone_valid(const char *s);

/* TN_EINVALID "comment: longer than 2000 characters" when it is; NULL passes. */
enum tn_code tn_case_check_comment(const char *comment, struct tn_err *err);

/*
 * Make `body` (consumed) ready to send, in *out (owned), and its key in *key
 * (malloc'd): a "key" member is always taken out of the body; the key is
 * `given_key` when not NULL, else that member (a non-empty string of at most
 * 128 printable characters), else the content key of the final body;
 * applicant.type is filled in from the id's shape when absent ("org" when it
 * is not a resident ID number); then tn_case_check.  Re-preparing the same
 * input always gives the same key.  On failure nothing is returned.
 */
enum tn_code tn_case_prepare(jv body, const char *given_key, jv *out, char **key,
			     char *warning, size_t warning_size, struct tn_err *err);

/*
 * File one prepared case: POST /v1/cases with Idempotency-Key `key`
 * (retried safely under it).  `consent_code` (may be NULL): the applicant's
 * one-time consent code, sent as X-Consent-Code when a clerk files for the
 * applicant (doc/api-certs.md §5).  The case (owned) in *created;
 * *replayed = 1 when the server answered with the case filed earlier under
 * the same key.  Errors as tn_client_do (409 TN_ECONFLICT: same key,
 * different body; 403 TN_EAUTH: a consent code that is not good, or
 * certificates named without the applicant's consent).
 */
enum tn_code tn_case_submit(struct tn_client *c, jv body, const char *key,
			    const char *consent_code, jv *created, int *replayed,
			    struct tn_err *err);

/* Counts of a bulk submission. */
struct tn_case_stats {
	long read;      /* records read (good or bad) */
	long filed;     /* created now (201) */
	long replayed;  /* already filed under the same key (200) */
	long failed;    /* bad lines, bad records, refused by the server */
	long as_sent;   /* filed or replayed, handed on as the server's text (tn_case_text_fn) */
};

/*
 * Called once per record of a bulk submission, in completion order.
 * `line` is its input line; on success `kase` (owned by the callee) is the
 * case and `key` its key; on failure `kase` is jv_invalid() and err says why,
 * prefixed with "NAME:LINE: ".  In a dry run `kase` is {"key":..,"body":..}.
 */
typedef void (*tn_case_result_fn)(void *ctx, long line, enum tn_code code, jv kase,
				  int replayed, const struct tn_err *err);

/*
 * File every NDJSON record read from `in` (named `name` in messages), with up
 * to `parallel` requests in flight (tn_client_bulk) of up to TN_CASE_BATCH
 * records each (tn_case_submit_bulk_text), in constant memory.
 * Every record is prepared as tn_case_prepare does (its own "key" member or
 * its content key); a bad line or record is reported through `fn` and
 * skipped.  `dry_run`: nothing is sent, `fn` gets each prepared body.
 * Returns TN_OK when every record went through, TN_EPARTIAL when some
 * failed, TN_EINTR when interrupted, TN_EIO when the input cannot be read.
 * A failure that every record would share stops the run at once, with its
 * own code: a token refused (401, TN_EAUTH) or the server unreachable after
 * the retries (TN_EUNREACHABLE); records not yet read are not counted.
 * `client` may be NULL in a dry run.
 */
enum tn_code tn_case_submit_bulk(struct tn_client *client, FILE *in, const char *name,
				 int parallel, int dry_run, tn_case_result_fn fn, void *ctx,
				 struct tn_case_stats *stats, struct tn_err *err);

/*
 * The results of a batch answer's text `s` (`len` bytes, as tn_json_verbatim
 * passes it: twonetd's bytes), without parsing the cases: each result is
 * {"index":I,"status":S,"case":CASE[,"replayed":true]} (S 200 or 201, the
 * replayed member with 200 only) or {"index":I,"status":S,"problem":PROBLEM},
 * I counting from 0, followed by "],\"created\":".  1 with the status and
 * the offsets of each CASE or PROBLEM object (from, to: s[from] is '{' and
 * s[to - 1] its '}') in at[0..n), 0 when the text is not n such results.
 * Reads no byte past `len`.
 */
struct tn_case_span {
	long status;
	size_t from, to;
};
int tn_case_batch_scan(const char *s, size_t len, int n, struct tn_case_span *at);

/* Cases a request of bulk filing, by default and at most (the server's limit). */
#define TN_CASE_BATCH 100
#define TN_CASE_BATCH_MAX 1000

/*
 * tn_case_submit_bulk with `batch` records a request (1: one a request, as
 * a single filing; more: POST /v1/cases {"cases":[...]} with the records the
 * input has ready, at most `batch`, tn_case_submit_bulk's TN_CASE_BATCH),
 * where `text` (NULL: none) takes each case filed or replayed whose reply
 * passes tn_json_verbatim, unparsed: `json` (borrowed for the call, `len`
 * bytes, no line end) is the case as tn_json_dump writes it.  Every other
 * result, and every case when `text` is NULL, goes to `fn`.  A server that
 * answers a batch 400 naming "cases" (one older than batches) is sent that
 * batch's records and every later one a request.
 */
typedef void (*tn_case_text_fn)(void *ctx, long line, const char *json, size_t len,
				int replayed);
enum tn_code tn_case_submit_bulk_text(struct tn_client *client, FILE *in, const char *name,
				      int parallel, int batch, int dry_run, tn_case_result_fn fn,
				      tn_case_text_fn text, void *ctx, struct tn_case_stats *stats,
				      struct tn_err *err);

/* Filters of GET /v1/cases; NULL members are not sent. */
struct tn_case_query {
	const char *status, *item, *department, *applicant;
	const char *since, *until, *q, *order;
	int overdue;    /* -1 not sent, 0 false, 1 true */
};

/*
 * Append the path of one page ("/v1/cases?status=..&limit=N[&cursor=..]")
 * to `path`.  Dates in since/until are checked (TN_EUSAGE).
 */
enum tn_code tn_case_query_path(const struct tn_case_query *q, long page_size,
				const char *cursor, struct tn_buf *path, struct tn_err *err);

/* Called with every case of a list, in order; returning non-zero stops the listing. */
typedef int (*tn_case_each_fn)(void *ctx, jv kase);

/*
 * List cases matching `q`, page after page (following `next`), handing each
 * case (owned by the callee) to `fn` as soon as its page arrives: memory
 * holds one page at most.  `limit` >= 1: at most that many cases; -1: all.
 * Returns TN_OK, or the first request's error.
 */
enum tn_code tn_case_list(struct tn_client *c, const struct tn_case_query *q, long limit,
			  tn_case_each_fn fn, void *ctx, struct tn_err *err);

/*
 * One case with its history: the CASE object of GET /v1/cases/{id} with an
 * "events" member holding every event of GET /v1/cases/{id}/events, in
 * order.  Owned by the caller in *out.  TN_ENOTFOUND "case 'ID' not found"
 * when the server does not show it to this token.
 */
enum tn_code tn_case_get(struct tn_client *c, const char *id, int with_events, jv *out,
			 struct tn_err *err);

/*
 * The statuses of a case, once: X(enum, name, Chinese label, SEP) where SEP
 * is "" for the first and "|" for the others, so that TN_CASE_STATE_LIST is
 * one string literal.  Open (counted as overdue past the deadline): all
 * but rejected and completed.
 */
#define TN_CASE_STATES(X) \
	X(TN_CASE_SUBMITTED,   "submitted",   "已提交",   "")  \
	X(TN_CASE_ACCEPTED,    "accepted",    "已受理",   "|") \
	X(TN_CASE_RETURNED,    "returned",    "已退回",   "|") \
	X(TN_CASE_RESUBMITTED, "resubmitted", "已补正",   "|") \
	X(TN_CASE_APPROVED,    "approved",    "已批准",   "|") \
	X(TN_CASE_REJECTED,    "rejected",    "不予批准", "|") \
	X(TN_CASE_COMPLETED,   "completed",   "已办结",   "|")

enum tn_case_state {
#define TN_X_STATE_ENUM(e, name, label, sep) e,
	TN_CASE_STATES(TN_X_STATE_ENUM)
#undef TN_X_STATE_ENUM
	TN_CASE_STATE_COUNT
};

#define TN_X_CASE_NAME(e, name, label, sep) sep name
/* "submitted|accepted|...|completed", a string literal for option tables. */
#define TN_CASE_STATE_LIST TN_CASE_STATES(TN_X_CASE_NAME)

/* A state bit of an action's from-states. */
#define TN_CASE_BIT(state) (1u << (state))

/*
 * The moves between statuses, once: X(enum, name, from-states (TN_CASE_BIT
 * mask), to-state, needs a comment, roles that may do it ('|'-separated,
 * as tokens name them), Chinese label, casedesk key (0: none), SEP as in
 * TN_CASE_STATES).  A clerk acts only on cases of its department and an
 * applicant only on its own: twonetd's route checks that scope.
 */
#define TN_CASE_ACTIONS(X) \
	X(TN_CASE_ACCEPT,   "accept", \
	  TN_CASE_BIT(TN_CASE_SUBMITTED) | TN_CASE_BIT(TN_CASE_RESUBMITTED), \
	  TN_CASE_ACCEPTED, 0, "clerk|admin", "受理", 'a', "") \
	X(TN_CASE_RETURN,   "return", \
	  TN_CASE_BIT(TN_CASE_SUBMITTED) | TN_CASE_BIT(TN_CASE_RESUBMITTED) | TN_CASE_BIT(TN_CASE_ACCEPTED), \
	  TN_CASE_RETURNED, 1, "clerk|admin", "退回补正", 'r', "|") \
	X(TN_CASE_RESUBMIT, "resubmit", \
	  TN_CASE_BIT(TN_CASE_RETURNED), \
	  TN_CASE_RESUBMITTED, 0, "applicant|clerk|admin", "补正后重新提交", 0, "|") \
	X(TN_CASE_APPROVE,  "approve", \
	  TN_CASE_BIT(TN_CASE_ACCEPTED), \
	  TN_CASE_APPROVED, 0, "clerk|admin", "批准", 'p', "|") \
	X(TN_CASE_REJECT,   "reject", \
	  TN_CASE_BIT(TN_CASE_SUBMITTED) | TN_CASE_BIT(TN_CASE_RESUBMITTED) | TN_CASE_BIT(TN_CASE_ACCEPTED), \
	  TN_CASE_REJECTED, 1, "clerk|admin", "不予批准", 'x', "|") \
	X(TN_CASE_COMPLETE, "complete", \
	  TN_CASE_BIT(TN_CASE_APPROVED), \
	  TN_CASE_COMPLETED, 0, "clerk|admin", "办结", 'c', "|")

enum tn_case_action {
#define TN_X_ACTION_ENUM(e, name, from, to, comment, roles, label, key, sep) e,
	TN_CASE_ACTIONS(TN_X_ACTION_ENUM)
#undef TN_X_ACTION_ENUM
	TN_CASE_ACTION_COUNT
};

#define TN_X_ACTION_NAME(e, name, from, to, comment, roles, label, key, sep) sep name
/* "accept|return|resubmit|approve|reject|complete", a string literal. */
#define TN_CASE_ACTION_LIST TN_CASE_ACTIONS(TN_X_ACTION_NAME)

/* One row of TN_CASE_ACTIONS. */
struct tn_case_move {
	const char *name;
	unsigned from;                /* TN_CASE_BIT mask */
	enum tn_case_state to;
	int needs_comment;
	const char *roles;
	const char *label;
	int key;
};

/* A state's name ("accepted") or Chinese label; NULL when out of range. */
const char *tn_case_state_name(int state);
const char *tn_case_state_label(int state);
/* The state named `name`, or -1.  NULL is -1. */
int tn_case_state_parse(const char *name);
/* 1 when a case in `state` is still open (not rejected or completed; -1 counts as open). */
int tn_case_state_open(int state);

/* The action named `name`, or -1.  NULL is -1. */
int tn_case_action_parse(const char *name);
/* The row of action `action`; NULL when out of range. */
const struct tn_case_move *tn_case_move(int action);
/* 1 when `action` is one of TN_CASE_ACTION_LIST. */
int tn_case_action_valid(const char *action);

/*
 * The checks of an action that need no case: `action` is known (else
 * TN_EINVALID "unknown action 'X'", field "action") and `role` (NULL: not
 * checked) may take it (else TN_EAUTH, field "action": "an applicant may
 * only resubmit a case", or "role 'R' may not ACTION a case").  The
 * action's number in *act (may be NULL).
 */
enum tn_code tn_case_action_check(const char *action, const char *role, int *act,
				  struct tn_err *err);

/*
 * The transition rule: tn_case_action_check, then the case's status `from`
 * must be one the action starts from (else TN_ECONFLICT "cannot ACTION a
 * case that is FROM", no field; FROM NULL reads "of no status"), then a
 * `comment` (NULL or "" for none) is given when the action needs one (else
 * TN_EINVALID "a comment is required to ACTION a case", field "comment").
 * The status it leads to in *to (may be NULL).  twonetd checks the case's
 * version between tn_case_action_check and this.
 */
enum tn_code tn_case_transition(const char *from, const char *action, const char *role,
				const char *comment, enum tn_case_state *to, struct tn_err *err);

/*
 * Act on case `id`: POST /v1/cases/{id}/actions {action, comment} with
 * If-Match `version`, or with the version read by a GET first when `version`
 * < 1, so that a decision made by someone else in between is never
 * overwritten.  On a stale version: TN_ECONFLICT "case 'ID' was changed by
 * someone else (now version N)".  Other 409s (a move the case's status does
 * not allow) keep the server's message.  The updated case (owned) in *out.
 * `comment` may be NULL; one past its limit (tn_case_check_comment) is
 * TN_EINVALID and nothing is sent.
 */
enum tn_code tn_case_act(struct tn_client *c, const char *id, const char *action,
			 const char *comment, long version, jv *out, struct tn_err *err);

/*
 * Take a case id out of one input line of case-act: the line itself, or the
 * "id" member of a JSON object (whose "version", when a number, goes to
 * *version; else *version = 0).  Returns a malloc'd id, or NULL with err set
 * (TN_EINVALID) for a line with no usable id.
 */
char *tn_case_id_from_line(const char *line, long *version, struct tn_err *err);

/*
 * A readable text view of a case (borrowed) for a terminal: "key: value"
 * lines (id, status, item, applicant, form fields, materials, dates),
 * appended to `b`.  The history table is not part of it.
 */
void tn_case_format_text(struct tn_buf *b, jv kase);

/*
 * 1 when one case should be written as the text view: the format asked for
 * (common->format, already merged with the profile's) is "table", or none
 * is asked for and `fp` is a terminal; and neither --jq nor --fields is given.
 */
int tn_case_text_view(const struct tn_common *common, FILE *fp);

/*
 * As tn_case_get, and when the case is the parent of a workflow case (it has
 * "children"), each sub-case the server shows this token, fetched the same
 * way, in a "subcases" array, in the order of "children".  A sub-case the
 * server does not show (404) is left out.  Owned by the caller in *out.
 */
enum tn_code tn_case_get_tree(struct tn_client *c, const char *id, int with_events, jv *out,
			      struct tn_err *err);

/*
 * The cases of a "one thing" workflow filed on day `start` (tn_date_parse;
 * -1 for none): from `merged` (MERGED of workflow-merge(1), borrowed) and the
 * materials the applicant gave, `given` ([{code, ref?}], borrowed; anything
 * else counts as none), build in *plan (owned):
 *
 *   {"days":N, "deadline":DATE|null, "legal_days":N, "legal_deadline":DATE|null,
 *    "deadline_provisional":BOOL, "legal_deadline_provisional":BOOL,
 *    "materials":[MAT],        every material of the workflow, once
 *    "subcases":[{department, department_name, item, item_name,
 *                 items:[{code,name,start,finish,deadline}], days,
 *                 deadline, legal_days, legal_deadline, deadline_provisional,
 *                 legal_deadline_provisional,
 *                 fields:[NAME], materials:[MAT]}]}
 *
 * one sub-case per department of MERGED, in its order; its item is the
 * first of its items, item_name their names joined by "；".  MAT is {code, name,
 * state, ref, cert_kind?, produced_by?}: state "produced" when an earlier
 * item of the workflow produces it (produced_by), "supplied" when given
 * (ref the given ref or null), "exempted" when the applicant named an
 * e-certificate for it (a given {"code","cert":ID}: cert the id, cert_kind
 * its kind; the server checked it), else "missing" (cert_kind kept when a
 * certificate could have stood for it: that one could *not* being enough).  A sub-case's deadline is the finish of its
 * last item in working days after `start`, through `cal`; its legal deadline
 * the latest start plus legal limit of its items; the parent's deadline is
 * MERGED's time.days after start, its legal deadline the latest of the
 * sub-cases' (legal_days: the working days from start to it).  A deadline is
 * null when cal is NULL or start < 0; counted through a year the calendar does
 * not know, it assumes Monday to Friday and its *_provisional flag is true.  MERGED without departments or items is TN_EINVALID.
 */
enum tn_code tn_case_workflow_plan(jv merged, jv given, const struct tn_cal *cal, long start,
				   jv *plan, struct tn_err *err);

/*
 * How the workflow `merged` (borrowed) asks for material `code`: 0 not at
 * all, 1 from the applicant or as an e-certificate, 2 only as produced by
 * one of its items (the applicant cannot supply it).  Cannot fail.
 */
int tn_case_workflow_asks(jv merged, const char *code);

/*
 * The materials of the workflow `merged` (borrowed) that an e-certificate
 * can stand for, once per code, as an item lists them: a new array of
 * {"code","name","cert_kind"} (what certificate checks and look-ups take
 * for a workflow case in place of an item's materials).  Cannot fail.
 */
jv tn_case_workflow_cert_materials(jv merged);

/* Default table columns of case lists, NULL-terminated. */
extern const char *tn_case_list_columns[];
/* Default table columns of a case's history, NULL-terminated. */
extern const char *tn_case_event_columns[];
/* Table columns of a parent case's sub-cases, NULL-terminated. */
extern const char *tn_case_subcase_columns[];

/*
 * Zero-material filing (casecert.c): for each material of the case's item
 * (GET /v1/items/ITEM; of a workflow case, GET /v1/workflows/CODE through
 * tn_case_workflow_cert_materials) that a certificate kind can stand for and that
 * `body` (consumed) does not list yet, look up the applicant's certificates
 * of that kind (GET /v1/certs?holder=&kind=&status=valid, purpose
 * "case-submit ITEM") and add {"code":M,"cert":ID} for the first one valid
 * today.  The body in *out (unchanged when nothing was found);
 * *exempted (may be NULL) gets an array of {"code","name","cert"}.  A
 * clerk reads the applicant's certificates only with the applicant's
 * one-time code, `consent_code` (sent as X-Consent-Code; NULL: none).  A
 * look-up the server refuses (the token may not read the holder) is
 * skipped: that material is asked for as before, and TN_EAUTH with the
 * server's reason is returned once every look-up was made (*out and
 * *exempted then hold what the others found: the case may still be filed).
 * Returns TN_OK, or the error of that GET (with the body
 * unchanged in *out).
 */
enum tn_code tn_case_attach_certs(struct tn_client *c, jv body, const char *consent_code,
				  jv *out, jv *exempted, struct tn_err *err);

#endif
