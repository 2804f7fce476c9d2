/* certs.h — what other twonetd files call of the e-certificate module: the zero-material hook and the subcommands. */
#ifndef TWONETD_CERTS_H
#define TWONETD_CERTS_H

#include <time.h>

#include <jv.h>

#include "tn_cert.h"
#include "twonetd.h"

/*
 * The zero-material check of POST /v1/cases (doc/api-certs.md §7), for item
 * `item` (the ITEM, borrowed) coded `item_code` and the checked `applicant`
 * (borrowed).  First the applicant's consent given with the case is
 * redeemed (certs_case_consent: a clerk's X-Consent-Code).  Then every
 * material of the case body `body` (borrowed) that names a certificate:
 * "cert" a string, not with "ref", the item has the material, and the
 * certificate may stand for it (the applicant's, of the material's kind,
 * valid, signed); one audit row each (actor the submitter, purpose
 * "case-submit ITEM MATERIAL").  A submitter for whom the applicant's own
 * act does not stand (certs_submitter_sees) learns nothing of the
 * certificates: 403 for each.  0 when all pass (or none names one); -1
 * after replying (403, 422 naming the material, 500).
 */
int certs_check_materials(struct req *q, jv item, const char *item_code, jv body, jv applicant);
/* The same checks without redeeming a consent code (the caller did: a workflow case);
 * `item` is then {"materials": tn_case_workflow_cert_materials(merged)}. */
int certs_check_given(struct req *q, jv item, const char *item_code, jv body, jv applicant);

/* The 21-character kind code of a kind code or alias (copied to out[22]); -1 when unknown. */
int certs_kind_code(const char *code_or_alias, char out[22]);

/* A certificate read answered, waiting for its audit row (certs_audit.c). */
struct certs_read {
	int status;             /* 200, or the refusal's 400, 403, 404 */
	const char *outcome;    /* the audit row's: allowed, forbidden, ... (static) */
	const char *field;      /* the problem's field or NULL (copied) */
	const char *detail;     /* the problem's detail (copied) */
	char *text;             /* a 200 body, malloc'd: taken */
	const char *cert, *holder, *purpose;    /* of the audit row, NULL: null (copied) */
};

/*
 * Defer the reply of `q` (req_defer) until the audit row of `r` is
 * committed with the others of its batch, then send it: the 200 body as it
 * is, or the problem; 500 instead when the row cannot be written.
 */
void certs_audit_read(struct req *q, const struct certs_read *r);

/*
 * certs_consent.c: the applicant's consent given with a case a clerk files
 * for them: the one-time code of header X-Consent-Code, made by the holder
 * (`applicant`, borrowed: the case's checked applicant, its id) with POST
 * /v1/consents/codes, redeemed by the clerk's token.  Does nothing (0) without the header or for a
 * submitter that is not a clerk.  0 when redeemed (the case the clerk files
 * now rests on the holder's consent); -1 after replying (403 naming
 * X-Consent-Code when the code is not good, alike whatever the reason; 500).
 */
int certs_case_consent(struct req *q, jv applicant);

/* ---- between the certs files (certs_read.c, certs_consent.c, certs_material.c, certs_ckpt.c) ---- */

/*
 * May the caller's role read certificates at all (whatever the holder)?  1
 * yes; 0 no, with `why` (size bytes) saying so.  Depends on the token only.
 */
int certs_role_reads(struct req *q, char *why, size_t size);

/*
 * certs_consent.c: the reader scenarios of kinds.yaml (`scenarios`):
 * whether `name` is one, and their names "hospital|school|..." in `out`.
 */
int certs_scenario_known(const char *name);
void certs_scenario_names(char *out, size_t size);

/* certs_consent.c: whether a reader token's scenario may see `kind` (code or alias); 1 for other roles. */
int certs_reader_kind_ok(struct req *q, const char *kind);

/*
 * May the caller read certificates of `holder` (of department `cert_dept`
 * for one certificate, NULL for a list)?  1 yes, 0 no (why in `why`: the
 * caller's rule, the same text whatever made it fail), -1 on a storage
 * error (err set).  A clerk's X-Consent-Code for `holder` is redeemed first.
 */
int certs_may_read(struct req *q, const char *holder, const char *cert_dept, char *why,
		   size_t size, struct tn_err *err);

/*
 * How much the submitter of a case for applicant `holder` may learn of the
 * holder's certificates in a zero-material check: 2 everything (admin), 1
 * about the holder's own certificates (the holder; a clerk for whom the
 * holder's own act stands, see certs_may_read), 0 nothing; -1 on a storage
 * error.
 */
int certs_submitter_sees(struct req *q, const char *holder, struct tn_err *err);

/* certs_read.c: {"uscc":..,"name":..} of department `dept` in the kinds file (new reference) or jv_invalid(). */
jv certs_department(const char *dept);

/* certs_audit.c: seconds from `from` to `to` (CLOCK_MONOTONIC readings), for the audit statistics. */
double certs_seconds_between(const struct timespec *from, const struct timespec *to);

/* certs_audit.c: the number in environment variable `name` when it is one of min..max, else dflt. */
long certs_env_long(const char *name, long dflt, long min, long max);

/* A group commit's tries while the write lock is busy (certs_audit.c, cases_batch.c). */
struct busy_retry {
	int busy;               /* tries so far while the write lock is busy; 0 once it is had */
	struct timespec since;  /* when it was first found busy */
};

/*
 * certs_audit.c: the write lock was busy.  1 and the delay of the next try
 * in *us (50 us, doubling up to 800 us: each try costs system calls); 0 with
 * err set (TN_ESERVER: 503, the clients retry) once it has stayed busy for
 * 10 s (as store_open's busy timeout).
 */
int busy_retry_next(struct busy_retry *r, long *us, struct tn_err *err);

/*
 * The string member `key` of `body` (borrowed) in *out, borrowed from
 * *hold (the caller frees *hold in every case); *out NULL when the member
 * is absent or null.  Replies 422 naming the member and returns -1 when it
 * is of another kind, holds NUL or a control character (but '\n' when
 * `newline`), or is longer than `max` characters; else 0.
 */
int certs_str_member(struct req *q, jv body, const char *key, long max, int newline,
		     const char **out, jv *hold);

/* ---- certs_ckpt.c: signed checkpoints of the audit chain's head ---- */

/*
 * The base path of what twonetd keeps in files beside its database: BASE.keys/
 * (the issuers' and its own private keys) and BASE.checkpoints.
 * $TWONETD_STATE when set; else the SQLite database file; NULL for a backend
 * without a file (PostgreSQL) when TWONETD_STATE is not set (err then says so).
 * Every instance over one PostgreSQL database needs the same BASE.keys/.
 */
const char *certs_state_base(struct store *st, struct tn_err *err);

/* "<db>.keys/twonetd.pem", the server's own SM2 key; malloc'd. */
char *certs_ckpt_key_path(const char *db);

/* The checkpoints file of `db`: $TWONETD_AUDIT_CHECKPOINTS, else "<db>.checkpoints"; malloc'd. */
char *certs_ckpt_file(const char *db);

/*
 * The server's key of database `db` in *key (the caller frees it); when it
 * does not exist and `create`, a new one is made (0600, in the 0700 folder
 * of the issuers' keys; two processes racing make one).  TN_EIO when it
 * cannot be read or made, TN_EAUTH when others may read it.
 */
enum tn_code certs_ckpt_key(const char *db, int create, struct tn_cert_key **key,
			    struct tn_err *err);

/*
 * Sign the head (`seq`, `head`) with `key` and append it as one line to
 * `path` (created 0644; one write, then fdatasync).  The line without its
 * newline in *line (malloc'd) when `line` is not NULL.
 */
enum tn_code certs_ckpt_append(const char *path, const struct tn_cert_key *key, long long seq,
			       const char *head, char **line, struct tn_err *err);

/* What certs_ckpt_verify found. */
struct certs_ckpt_report {
	long lines, good;       /* lines read; checkpoints that hold */
	long long newest_seq;   /* the highest row checkpointed (0: none) */
	char newest_at[40];     /* when it was signed */
	long long bad_seq;      /* a checkpointed row no longer in the chain as it was */
	long bad_line;          /* a line that is not a good checkpoint */
	long torn;              /* the last line, cut short (skipped) */
	char why[700];          /* of bad_seq or bad_line */
};

/*
 * Check every checkpoint of `path` against `key` and the chain of `st`
 * (`rows` long, already walked): the signature, and the row it names still
 * there with the same hash.  Stops at the first failure (bad_seq or
 * bad_line set, `why` saying it).  TN_EIO when the file cannot be read.
 */
enum tn_code certs_ckpt_verify(struct store *st, const char *path, const struct tn_cert_key *key,
			       long long rows, struct certs_ckpt_report *r, struct tn_err *err);

/*
 * In a worker: write checkpoints (certs_audit.c calls these).  start arms
 * the timer (-1 on failure); rows counts rows this worker committed and
 * checkpoints every TWONETD_AUDIT_CHECKPOINT_ROWS of them; stop writes a
 * last one when the head moved.
 */
int certs_ckpt_worker_start(struct srv *srv);
void certs_ckpt_rows(long n);
void certs_ckpt_worker_stop(void);

/*
 * certs_audit.c, for a worker and the audit writer (audit_writer.h) alike:
 * the checkpoint thread of connection `st` as TWONETD_CHECKPOINT_PAGES and
 * TWONETD_WAL_LIMIT_PAGES say (NULL: none), and the TWONETD_AUDIT_STATS
 * line at the end (when it is set).
 */
struct store_ckpt *certs_audit_checkpointer(struct store *st);
void certs_audit_log_stats(long rows, long batches, double held_s, double busy_s,
			   long busy_tries, struct store_ckpt *ckpt);

/* certs_cmd.c: `twonetd issuer add ...` and `twonetd audit verify ...`; return the exit status. */
int certs_cmd_issuer(int argc, char **argv);
int certs_cmd_audit(int argc, char **argv);

/* certs_read.c: the kinds file, loaded once per process (borrowed; jv_invalid() when it cannot be read). */
jv certs_kinds(void);

/* certs_read.c: "<db>.keys/<dept>-<key_id>.pem" for the database `db`; malloc'd. */
char *certs_key_path(const char *db, const char *dept, const char *key_id);

#endif
