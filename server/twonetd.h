/* twonetd.h — twonetd's internal interfaces: the worker, a request, replies, the handlers. */
#ifndef TWONETD_H
#define TWONETD_H

#include <stddef.h>
#include <time.h>

#include <event2/event.h>

#include "http.h"
#include <jv.h>

#include "tn_err.h"
#include "tn_text.h"
#include "store.h"

/*
 * Limits on what a client controls, each refused with a 4xx problem+json
 * (twonetd(8) LIMITS): the head's in req_head_check, the body's in
 * req_body, the query's and the path's in serve.c.
 */
#define TWONETD_MAX_BODY (1024L * 1024L)        /* larger request bodies: 413 */
#define TWONETD_READ_LIMIT (16L * 1024L * 1024L) /* a larger Content-Length: http.c's 413, closed */
#define TWONETD_MAX_TARGET 4096L        /* request target (path and query) bytes: 414 */
#define TWONETD_MAX_HEADER_BYTES 8192L  /* the header lines together, in bytes: 431 */
#define TWONETD_MAX_HEADERS 64          /* header fields: 431 */
#define TWONETD_MAX_PARAMS 32           /* query parameters: 400 */
#define TWONETD_MAX_DEPTH 32            /* nesting of arrays and objects in a body: 400 */
#define TWONETD_HEAD_BACKSTOP (64L * 1024L) /* a larger head: http.c's 431, closed */

struct tn_cal;
struct alerts_hub;
struct tasks_hub;

/* What `twonetd serve` was asked for. */
struct serve_opts {
	const char *db;
	const char *listen;     /* HOST:PORT */
	long workers;           /* 0: one per core */
	const char *port_file;
	const char *calendar;   /* a fixed calendar file instead of the database's, or NULL */
	const char *rules;      /* the rules folder or file (tasks_rules_path), NULL: none */
	int no_balance;         /* 1: never close a connection to even out the workers (conns.h) */
};

/* One worker process: its event loop, its HTTP server, its own database connection. */
struct srv {
	struct store *st;
	struct tn_cal *cal;     /* use srv_cal(): NULL when none is known */
	long cal_gen;           /* the database generation cal was read at */
	int cal_fixed;          /* 1: cal came from --calendar FILE, never reloaded */
	time_t cal_checked;     /* when the warning was last worked out */
	char cal_warning[256];  /* "" while the calendar is good for 60 days more */
	int log_daily;          /* this worker logs the calendar warning once a day */
	long cal_logged;        /* the day it last did */
	struct event *cal_timer;
	struct event_base *base;
	struct http *http;
	struct event *sig_term, *sig_int, *drain;
	long pending;           /* replies queued but not yet written out */
	struct alerts_hub *alerts; /* alerts.c: stream followers and the cross-process wake-up */
	struct tasks_hub *tasks;   /* tasks_gen.c: the rules, the escalation timer */
	int stopping;
};

/* A request being handled. */
struct req {
	struct srv *srv;
	struct http_req *r;
	const char *method;     /* "GET", "POST", ... */
	const char *uri;        /* as received, for the log */
	const struct tn_query_param *params;    /* the query's, in order (into dispatch's copy) */
	int nparams;
	struct store_token tok; /* tok.name is NULL until authenticated */
	struct timespec t0;
	int replied;
	int deferred;           /* moved to the heap by req_defer: answered later */
	/*
	 * A part of a batch (cases_bulk.c): its answer goes to part(q, status,
	 * body, len) instead of the connection (no header set, no log line), and
	 * its token is the batch's, borrowed (never released through the part).
	 */
	void (*part)(struct req *q, int status, const char *body, size_t len);
	void *part_ctx;
	int part_index;
};

/* calendar.c — the working-day calendar a worker counts with. */
/*
 * The current calendar: the one in the database, read again when another
 * process (or instance) imported a year; NULL when none is known.  Borrowed:
 * valid until the next call.
 */
struct tn_cal *srv_cal(struct srv *srv);
/* The generation of srv_cal()'s calendar: it changes when the calendar does. */
long srv_cal_generation(struct srv *srv);
/*
 * The warning while the calendar ends within 60 days of today ("" when none),
 * worked out at most once a second.  Borrowed.
 */
const char *srv_cal_warning(struct srv *srv);
/* The coverage of `cal` (NULL: none) around today: *through the last known day (-1: none), *days_left. */
void calendar_coverage(struct tn_cal *cal, long today, long *through, long *days_left);
/* `out` (consumed) with "through" (YYYY-MM-DD, or null for -1) and "days_left" set. */
jv calendar_coverage_json(jv out, long through, long days_left);
/* {"from", "through", "days_left", "years": [Y...]} of the current calendar (owned). */
jv srv_cal_coverage(struct srv *srv);
/*
 * Load the calendar file `path` (NULL: the shipped one) into the database
 * (store_cal_import), as 'twonetd init' and a first start do.
 */
enum tn_code calendar_seed(struct store *st, const char *path, struct tn_err *err);
/* Per worker: the daily log of the warning (when srv->log_daily); -1 on failure. */
int calendar_worker_start(struct srv *srv);
void calendar_worker_stop(struct srv *srv);
/* Days before the calendar's end from which the warning is given. */
#define TWONETD_CAL_WARN_DAYS 60

/* What --db takes, in every command's help: a SQLite file (PATH, sqlite:PATH) or a PostgreSQL URI. */
#define TWONETD_DB "PATH|sqlite:PATH|postgresql://URI"

/* cli.c: parse a subcommand's options (tn_cli_parse); -1 to go on, else the exit status. */
struct tn_cmd;
int twonetd_parse(const struct tn_cmd *cmd, int argc, char **argv, int *nargs);
/*
 * cli.c: "twonetd: error: MESSAGE" of `err` on stderr; returns `status` (the
 * exit status), or 2 when `err` is a usage error (TN_EUSAGE: a --db of an
 * unknown scheme).
 */
int twonetd_fail(const struct tn_err *err, int status);
/* cli.c: a subcommand's usage error: "twonetd: error: " fmt..., then cmd's usage, on stderr; returns 2. */
/* "unknown WHAT 'WORD'" with the closest of `known` (a|b|c) as a did-you-mean; 2. */
int twonetd_unknown(const char *what, const char *word, const char *known);
int twonetd_usage_fail(const struct tn_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* calcmd.c: twonetd calendar import | show; returns the exit status. */
int cmd_calendar(int argc, char **argv);

/* serve.c */
/* Run the server until SIGTERM/SIGINT; returns the exit status. */
int serve_run(const struct serve_opts *o);

/* listen.c — the listening sockets and the port file (each says what failed on stderr). */
/*
 * Bind `spec` (HOST:PORT, [V6]:PORT), and listen when `do_listen`.  The
 * socket, or -1 after a message; *port gets the bound port (useful with 0).
 */
int open_listener(const char *spec, int *port, int do_listen);
/* A worker's own listening socket on the address of the parent's `fd`; -1 after a message. */
int worker_listener(int fd);
/* Write `port` to `path` atomically; 0, or -1 after a message. */
int write_port_file(const char *path, int port);


/* reply.c — request helpers and replies.  Each reply function answers exactly once. */
/* Send `body` (consumed) as JSON with `status`. */
void reply_json(struct req *q, int status, jv body);
/* The same with another content type (application/problem+json). */
void reply_json_as(struct req *q, int status, const char *ctype, jv body);
/* Send `len` bytes of `body` (borrowed) as they are, with `status` and `ctype` (no-store). */
void reply_text(struct req *q, int status, const char *ctype, const char *body, size_t len);
/* The same with `cache` for Cache-Control ("no-store", "public, max-age=300"); ctype NULL: none. */
void reply_raw(struct req *q, int status, const char *ctype, const char *cache, const char *body,
	       size_t len);
/* Send a problem+json: status, slug from the status, detail (printf), optional field. */
void reply_problem(struct req *q, int status, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Send the problem that corresponds to `err` (its code picks the status). */
void reply_error(struct req *q, const struct tn_err *err);
/* A request header (borrowed) or NULL. */
const char *req_header(struct req *q, const char *name);
/* Add a response header (copied). */
void req_set_header(struct req *q, const char *name, const char *value);
/* A query parameter (borrowed), NULL when absent or empty. */
const char *req_query(struct req *q, const char *name);
/*
 * Refuse a query parameter not in `allowed` (NULL-terminated): returns 0 when
 * every parameter is known, else replies 400 and returns -1.
 */
int req_query_check(struct req *q, const char *const *allowed);
/* The first query parameter not in `allowed` (its key, borrowed), or NULL. */
const char *req_query_unknown(struct req *q, const char *const *allowed);
/*
 * Deferred replies: answer a request after its handler has returned (from a
 * timer, say).  req_defer moves what a reply needs (the http request, the
 * token, the start time) to a new heap request, which the caller owns and
 * answers later with the reply functions above; the query parameters are
 * not kept.  `q` is left empty and counts as answered for dispatch.  The
 * worker's pending count includes the deferred request, so a shutdown
 * waits for it.  req_deferred_free frees it (after its reply).
 */
struct req *req_defer(struct req *q);
void req_deferred_free(struct req *d);
/*
 * hold 1: keep the request log lines of the replies that follow in memory;
 * hold 0: write them out in one go (a batch of deferred replies).
 */
void req_log_hold(int hold);
/*
 * The request's line in the log (when, peer, method, target, status,
 * milliseconds, token name): the replies above write it, and a stream
 * writes it when it starts.
 */
void req_log(struct req *q, int status);
/*
 * The request's head against the limits above and the framing rules a proxy
 * in front may read differently: the target's length (414), the number and
 * size of the header fields (431), values that hold a NUL byte or a control
 * character (400, `field` the header; names that are not tokens the parser
 * refused, tn_http1.h), Transfer-Encoding (411; 400 with Content-Length), conflicting or
 * malformed Content-Length and a body on HEAD or TRACE (400).  Returns 0, or
 * -1 after replying with Connection: close (what follows on the connection
 * may be framed differently than a proxy in front read it).
 */
int req_head_check(struct req *q);
/* Authenticate the bearer token; 0 when q->tok is filled, else replied 401 and -1. */
int req_auth(struct req *q);
/* 1 when the token's role is one of the '|'-separated `roles`. */
int req_role(const struct req *q, const char *roles);
/*
 * The request body as a JSON object in *out (owned), read only once the
 * token is known (req_auth first when it is not: no token, 401 and the body
 * unread).  413 when over TWONETD_MAX_BODY; 400 for an empty body, one that
 * is not exactly one JSON object (tn_json_parse_exact: the detail names the
 * offset, line and column), nested deeper than TWONETD_MAX_DEPTH, or that
 * holds a NUL or control character in a string (`field` names its member).
 * Returns 0, or -1 after replying.
 */
int req_body(struct req *q, jv *out);
/* Now as RFC 3339 with the local offset ("2026-11-28T10:00:00+08:00"); buf >= 32 bytes. */
void time_now_rfc3339(char *buf, size_t size);

/*
 * Refuse a member of `obj` (borrowed) that is not in `allowed`: 0 when every
 * member is known, else replies 400 naming it ("applicant.phon" when `where`
 * is "applicant", the bare name when `where` is NULL) and returns -1.
 */
int reply_unknown_member(struct req *q, jv obj, const char *const *allowed, const char *where);

/* routes.c — the route table and the router. */
#define ROUTE_PUBLIC "public"   /* roles of a row that needs no token */
#define ROUTE_ANY "any"         /* roles of a row that any token may call */
#define ROUTE_ROLE_IN_HANDLER 1 /* flags: the handler checks the roles (an audited refusal) */
#define ROUTE_ONE_READ 2        /* flags: the token lookup begins a read snapshot the handler ends
				 * (store_certs_read_begin): one read transaction for both */

/* A handler: `arg` is the path segment that matched the row's {name} (borrowed), or NULL. */
typedef void route_fn(struct req *q, const char *arg);

/* One endpoint: redis's command table is the model. */
struct route {
	const char *method;     /* "GET" (HEAD too) or "POST" */
	const char *path;       /* "/v1/cases/{id}/actions": {name} matches one segment */
	const char *roles;      /* '|'-separated, ROUTE_PUBLIC or ROUTE_ANY */
	const char *scope;      /* what the handler checks against the record: "-", "department", ... */
	const char *deny;       /* the 403's detail, "%s" standing for the token's role */
	route_fn *fn;
	int flags;
};

/* Every role a token may have, NULL-terminated. */
extern const char *const twonetd_roles[];
/* The table (static) and its number of rows in *n. */
const struct route *route_table(size_t *n);
/*
 * Answer a request whose path is seg[0..n): 404 when no row's path matches,
 * 405 with Allow when none has the method, 401 without a known token (but
 * on public rows), 403 when the token's role is not the row's; else the
 * row's handler answers.
 */
void route_dispatch(struct req *q, char **seg, int n);
/* routes.c: twonetd routes [--json | --format FORMAT]; returns the exit status. */
int cmd_routes(int argc, char **argv);

/*
 * alerts.c: per-worker set-up after the event loop exists and before it
 * runs (the stream hub, the cross-process wake-up); -1 on failure.  Stop
 * runs after the loop ends.
 */
int alerts_worker_start(struct srv *srv);
void alerts_worker_stop(struct srv *srv);
/*
 * certs_audit.c: per-worker set-up and end of the certificate reads (the group
 * commit of their audit rows): stop writes and answers what is still
 * waiting; start returns -1 on failure.
 */
int certs_worker_start(struct srv *srv);
void certs_worker_stop(struct srv *srv);
/* Before certs_worker_start: the audit writer's socket (audit_writer.h; -1: rows are written here). */
void certs_audit_writer(int fd);
/*
 * A batch of requests begins (1) or ends (0; http.h): the reads' rows that
 * waited for the end of the loop's turn are sent (or written) at its end,
 * without a timer of their own.
 */
void certs_audit_batch(int begin);
/* cases_batch.c: at a worker's end, file and answer the filings still waiting. */
void cases_worker_stop(struct srv *srv);
/*
 * tasks_gen.c.  The rules path of serve's --rules (NULL when it says "none";
 * else the option, $TWONETD_RULES, or tn_sharedir()/rules); a check of it
 * before the workers start (0, or -1 after saying why with FILE:LINE); the
 * per-worker start (rules, escalation timer, SIGHUP reload; -1 on failure)
 * and stop.  tasks_on_alert runs the rules on a newly raised ALERT
 * (borrowed) inside the raising transaction: tasks made or updated there.
 * tasks_escalate_due applies the escalations due at `now`.
 */
const char *tasks_rules_path(const char *opt);
int tasks_rules_check(const char *path);
int tasks_worker_start(struct srv *srv, const char *path);
void tasks_worker_stop(struct srv *srv);
enum tn_code tasks_on_alert(struct srv *srv, jv alert, long long now, struct tn_err *err);
/* 1 when the worker has rules (tasks_on_alert reads the whole ALERT), else 0. */
int tasks_have_rules(const struct srv *srv);
void tasks_escalate_due(struct srv *srv, long long now);

/*
 * The handlers (route_fn), one per row of the route table: the router has
 * checked the method, the token and the role before they run.
 */
/* items.c */
void h_health(struct req *q, const char *arg);
void h_items(struct req *q, const char *code);
void h_workflows_get(struct req *q, const char *code);
void h_workflows_post(struct req *q, const char *arg);

/* cases.c, cases_read.c */
void h_cases_list(struct req *q, const char *arg);
void h_cases_post(struct req *q, const char *arg);
void h_case(struct req *q, const char *id);
void h_case_actions(struct req *q, const char *id);
void h_case_events(struct req *q, const char *id);

/* certs_read.c */
void certs_list(struct req *q, const char *arg);
void certs_get(struct req *q, const char *id);
void certs_issuers(struct req *q, const char *arg);
void certs_audit_list(struct req *q, const char *arg);
/* certs_issue.c */
void certs_post_cert(struct req *q, const char *arg);
void certs_post_revoke(struct req *q, const char *id);
/* certs_consent.c */
void certs_post_consent(struct req *q, const char *arg);
void certs_consents_list(struct req *q, const char *arg);
void certs_consent_revoke(struct req *q, const char *id);
void certs_post_code(struct req *q, const char *arg);

/* alerts.c, alerts_stream.c */
void alerts_list(struct req *q, const char *arg);
void alerts_post(struct req *q, const char *arg);
void alerts_one(struct req *q, const char *id);
void alerts_actions(struct req *q, const char *id);

/* tasks.c, tasks_gen.c: the operations loop's tasks and the rules that make them */
void tasks_list(struct req *q, const char *arg);
void tasks_one(struct req *q, const char *id);
void tasks_events(struct req *q, const char *id);
void tasks_actions(struct req *q, const char *id);
void tasks_rules_get(struct req *q, const char *arg);
/*
 * query_list.c: a list filter's value ("a,b,c") split into list[] (malloc'd
 * words, NULL-terminated, empty words skipped), -1 when it has more than
 * `max`; query_list_free frees them (list[0] NULL after); query_list_check
 * replies 400 naming `field` and returns -1 when a word is not one of the
 * '|'-separated `known`, else 0.
 */
int query_list(const char *s, char **list, int max);
void query_list_free(char **list);
int query_list_check(struct req *q, const char *field, char **list, const char *known);
/* assets.c: the asset register */
void assets_list(struct req *q, const char *arg);
void assets_one(struct req *q, const char *id);
void assets_state(struct req *q, const char *id);
void alerts_stream(struct req *q, const char *arg);

/* reports.c */
void h_report_cases(struct req *q, const char *arg);
void h_report_alerts(struct req *q, const char *arg);

/* vitals.c: the city's vital signs */
void h_vitals(struct req *q, const char *arg);

#endif
