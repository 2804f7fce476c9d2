/* store.h — twonetd's storage interface: every SQL statement lives behind it, in one backend or another. */
#ifndef TWONETD_STORE_H
#define TWONETD_STORE_H

#include <jv.h>

#include "tn_err.h"

/*
 * The storage layer of twonetd.  Handlers speak jv documents and the small
 * structs below; nothing outside the backends knows there is SQL underneath,
 * nor which backend runs.  The backends sit side by side in server/store/:
 * sqlite/ (SQLite, the embedded default) and pg/ (PostgreSQL, libpq); each
 * implements every operation of this interface (store_ops.h lists them),
 * and server/store/dispatch.c routes each store_* call to the backend the
 * store was opened on.
 *
 * Ownership follows the jv rule: jv arguments are consumed, jv results are
 * the caller's; `const char *` arguments are borrowed for the call.  Every
 * function returns TN_OK or an error code with `err` filled (err may be NULL).
 * A connection belongs to one process: open it after fork().
 */

struct store;

/* The schema version this build writes (PRAGMA user_version). */
#define STORE_SCHEMA 17

/*
 * Open the database `spec` (twonetd's --db): a file PATH or sqlite:PATH
 * (SQLite), or a postgresql:// or postgres:// URI (PostgreSQL); another
 * SCHEME:// is TN_EUSAGE.  create = 1 creates the database when missing and
 * migrates the schema to STORE_SCHEMA (twonetd init); create = 0 requires an
 * existing database at STORE_SCHEMA (TN_EINVALID "run 'twonetd init'" when
 * older, newer or missing).  SQLite: WAL journal, busy timeout, foreign keys
 * on.  On failure *st is NULL.
 */
enum tn_code store_open(struct store **st, const char *spec, int create, struct tn_err *err);

/* Finalize every cached statement and close the connection.  NULL is fine. */
void store_close(struct store *st);

/*
 * Migrate to STORE_SCHEMA inside one transaction (SQLite: up to 14; then
 * 14 -> 15, the audit log's move to its own file, in two: store_audit_log.c;
 * then the later scripts in one more); *from and *to (may be NULL) get the
 * versions before and after.  Idempotent.
 */
enum tn_code store_migrate(struct store *st, int *from, int *to, struct tn_err *err);

/* Health: {"ok":bool,"schema":N,"journal":"wal"} in *out.  Cannot fail. */
void store_health(struct store *st, jv *out);

/* ---- tokens ---- */

/* A token's owner.  Strings are owned by the struct; store_token_release frees them. */
struct store_token {
	long id;
	char *name;
	char *role;
	char *dept;     /* NULL when none */
	char *subject;  /* NULL when none */
	int touch;      /* its last use is over a minute old: store_token_touch writes it */
};

/* Add a token by the hex SHA-256 of its secret.  A duplicate hash is TN_ECONFLICT. */
enum tn_code store_token_add(struct store *st, const char *hash_hex, const char *role,
			     const char *name, const char *dept, const char *subject,
			     struct tn_err *err);
/* store_token_add expiring at `expires` (as store_token_when gives it; NULL: never); *id (may be NULL) its id. */
enum tn_code store_token_add_until(struct store *st, const char *hash_hex, const char *role,
				   const char *name, const char *dept, const char *subject,
				   const char *expires, long *id, struct tn_err *err);
/* `in` (YYYY-MM-DD, or a time SQLite reads) as UTC YYYY-MM-DDTHH:MM:SSZ into out; TN_EINVALID when not a time. */
enum tn_code store_token_when(struct store *st, const char *in, char *out, size_t size,
			      struct tn_err *err);

/*
 * Find the live (not revoked, not expired) token whose secret hashes to
 * `hash_hex`; TN_ENOTFOUND when none.  Inside a transaction (the snapshot
 * of store_certs_read_begin) the SQLite backend answers from the
 * connection's cache while no other connection committed (PRAGMA
 * data_version) and this one wrote no token; the cached expiry and last use
 * are compared with the clock at each use, so the answer is the lookup's.
 */
enum tn_code store_token_lookup(struct store *st, const char *hash_hex, struct store_token *tok,
				struct tn_err *err);
/*
 * Tokens as {id, name, role, dept, subject, created_at, expires_at,
 * revoked_at, last_used_at, state: active|expired|revoked} by id; `dept`
 * non-NULL: only that department's clerks; all = 0: only the active ones.
 */
enum tn_code store_token_list(struct store *st, const char *dept, int all, jv *items,
			      struct tn_err *err);
/* One token as store_token_list shows it; TN_ENOTFOUND. */
enum tn_code store_token_get(struct store *st, long id, jv *doc, struct tn_err *err);
/* Revoke token `id`: TN_ENOTFOUND, TN_ECONFLICT when already revoked. */
enum tn_code store_token_revoke(struct store *st, long id, struct tn_err *err);
/* Revoke `id` and add a token like it (same name, role, dept, subject, expiry) with a new secret; *new_id its id. */
enum tn_code store_token_rotate(struct store *st, long id, const char *hash_hex, long *new_id,
				struct tn_err *err);
void store_token_release(struct store_token *tok);
/*
 * Record the token's use now when tok->touch (then clears it): at most one
 * write a minute per token.  Called once a request passed its role check,
 * so a refused request writes nothing.  A failure (the database busy) is
 * ignored: the use is not the request's business.
 */
void store_token_touch(struct store *st, struct store_token *tok);
/* The token administration API (tokens.c). */
struct req;
void tokens_list(struct req *q, const char *arg);    /* GET /v1/tokens */
void tokens_post(struct req *q, const char *arg);    /* POST /v1/tokens */
void tokens_revoke(struct req *q, const char *id);   /* POST /v1/tokens/{id}/revoke */
void tokens_rotate(struct req *q, const char *id);   /* POST /v1/tokens/{id}/rotate */

/* ---- catalog ---- */

/*
 * Import a catalog document (consumed), shaped as tn_catalog_load returns it:
 * {"departments":[{code,name,...}], "items":[ITEM...], "workflows":[{code,...}]}.
 * Rows are inserted or replaced by code, all in one transaction.  Items get
 * "department_name" from the departments when they lack it.  Counts (may be
 * NULL) tell what was imported.  A member of the wrong shape is TN_EINVALID.
 */
enum tn_code store_catalog_import(struct store *st, jv catalog, long *ndepts, long *nitems,
				  long *nworkflows, struct tn_err *err);

/* The ITEM with `code` in *item; TN_ENOTFOUND when none. */
enum tn_code store_item_get(struct store *st, const char *code, jv *item, struct tn_err *err);

/* The catalog's department `code` ({code, name, ...}) in *dept; TN_ENOTFOUND "no department 'X'" when none. */
enum tn_code store_department_get(struct store *st, const char *code, jv *dept,
				  struct tn_err *err);

/*
 * Every item (array in *items, by code), optionally only of `department`
 * and/or whose name or code contains `q` (NULL: no filter).
 */
enum tn_code store_item_list(struct store *st, const char *department, const char *q,
			     jv *items, struct tn_err *err);

/* The workflow with `code` in *wf; TN_ENOTFOUND when none. */
enum tn_code store_workflow_get(struct store *st, const char *code, jv *wf, struct tn_err *err);

/* Every workflow, by code, in *wfs (an array). */
enum tn_code store_workflow_list(struct store *st, jv *wfs, struct tn_err *err);

/*
 * Store workflow `doc` (consumed) under `code`, replacing one of that code;
 * *created (may be NULL) is 1 when there was none.
 */
enum tn_code store_workflow_put(struct store *st, const char *code, jv doc, int *created,
				struct tn_err *err);

/* ---- cases ---- */

/* What a new case is filed with; the key columns mirror the document. */
struct store_case_new {
	jv doc;                 /* the CASE without "id" (consumed) */
	jv event;               /* the "submit" event without "seq" (consumed) */
	const char *item;
	const char *department;
	const char *status;
	const char *applicant_id;
	const char *applicant_name;
	const char *submitted_at;
	const char *deadline;   /* YYYY-MM-DD or NULL */
	/*
	 * What the deadlines were counted from, so that a calendar import can
	 * count a provisional one again (store_cal.h): the start day (NULL: not
	 * counted), the working days to the deadline and to the legal deadline
	 * (-1: none), and whether a day of an unknown year was counted.
	 */
	const char *deadline_from;
	long deadline_days, legal_days;
	int deadline_provisional;
	const char *submitted_by;
	long token_id;
	const char *idem_key;   /* scoped to token_id */
	const char *idem_hash;  /* hex SHA-256 of the canonical request body */
};

/*
 * File a case on a "one thing" workflow atomically: the parent `parent` and
 * its `n` sub-cases `subs`, in one transaction.  Each document gets its id;
 * each sub-case's document gets "parent" (the parent's id) and the parent's
 * gets "children" (the sub-cases' ids, in the order of subs); all rows carry
 * the workflow code `workflow`, and the sub-cases' rows their parent.  The
 * parent is filed under parent->idem_key; each sub-case under that key, a
 * tab and its department (no client key can hold a tab), so that the
 * subs' idem_key, idem_hash and token_id are not read.  A replay (the same
 * token, key and idem_hash) gives the stored parent with *replayed = 1;
 * another hash is TN_ECONFLICT.  *out gets the stored parent CASE.  Every
 * document and event of parent and subs is consumed.
 */
enum tn_code store_case_create_tree(struct store *st, const char *workflow,
				    struct store_case_new *parent, struct store_case_new *subs,
				    int n, jv *out, int *replayed, struct tn_err *err);

/*
 * File a case atomically: its row, its id ("C" + 8 digits, from the row
 * number) set into the document, and its first event.  When the token
 * already filed under idem_key: the same idem_hash gives that case back with
 * *replayed = 1; another hash is TN_ECONFLICT.  *out gets the stored CASE.
 */
enum tn_code store_case_create(struct store *st, struct store_case_new *c, jv *out,
			       int *replayed, struct tn_err *err);

/* What store_case_create_batch gives for one filing of the batch. */
struct store_case_filed {
	enum tn_code code;      /* TN_OK, or this filing's own error in err */
	/*
	 * The stored CASE (owned by the caller) when TN_OK; when `text` is
	 * given, only what an answer needs beside it: its "id", "version",
	 * "status" and "deadline" (a copy of the whole costs more than the
	 * filing's checks).
	 */
	jv out;
	/*
	 * When filed now (not a replay) and the backend keeps it: the text of
	 * the document as stored, compact JSON without "id", text_len bytes
	 * (malloc'd, owned by the caller: bytes, not a jv string, whose
	 * making checks the UTF-8 of text this program wrote); else NULL.
	 */
	char *text;
	size_t text_len;
	int replayed;
	struct tn_err err;
};

/*
 * File the `n` cases of `cs` in ONE transaction (a group commit), each as
 * store_case_create would: its idempotency check and its rows, or nothing
 * of it when it fails (a savepoint each), without failing the others; a
 * key filed earlier in the batch is a replay (or a conflict) of that one.
 * 0: committed, res[i] each one's result; 1: the write lock is held by
 * another writer and `wait` is 0, nothing done (cs untouched, try again);
 * -1: the transaction failed (err): nothing of it was committed, every
 * res[i] holds that error.  Unless 1, every doc and event of cs is consumed.
 */
int store_case_create_batch(struct store *st, struct store_case_new *cs, int n,
			    struct store_case_filed *res, int wait, struct tn_err *err);

/*
 * The CASE `id` in *doc, and (may be NULL) the id of the token that filed it.
 * TN_ENOTFOUND when no such case (or `id` is malformed).
 */
enum tn_code store_case_get(struct store *st, const char *id, jv *doc, long *token_id,
			    struct tn_err *err);

/* Filters of a case list.  NULL / -1 means no filter. */
struct store_case_filter {
	const char *status, *item, *department, *applicant;
	const char *since, *until;   /* YYYY-MM-DD, on submission */
	const char *q;               /* substring of applicant name or case id */
	int overdue;                 /* -1 any, 0 not overdue, 1 overdue */
	const char *today;           /* YYYY-MM-DD: reference for overdue */
	/* scoping by the caller's role */
	const char *scope_department; /* a clerk's department */
	long scope_token_id;          /* an applicant's token id, or -1 */
	const char *scope_subject;    /* an applicant's subject, or NULL */
	int order_deadline;           /* 0: by id, 1: by deadline then id */
	const char *cursor;           /* opaque, from a previous page's next, or NULL */
	long limit;                   /* 1..1000 */
	const char *parent;           /* the sub-cases of this case id ("C00000001") */
	const char *workflow;         /* cases on this workflow (parents and sub-cases) */
};

/*
 * One page of cases in *items (array of CASE documents) and the cursor of
 * the next page in *next (malloc'd, the caller frees; NULL on the last
 * page).  A cursor this store did not make is TN_EINVALID.
 */
enum tn_code store_case_list(struct store *st, const struct store_case_filter *f, jv *items,
			     char **next, struct tn_err *err);

/* One case of store_case_list_text, borrowed for the call of the callback. */
struct store_case_row {
	const char *id;         /* "C00000001" */
	const char *doc;        /* the stored CASE as compact JSON: an object without "id" */
	size_t doc_len;
	const char *status;     /* the status and deadline columns (deadline NULL when none) */
	const char *deadline;
};
typedef void store_case_row_fn(const struct store_case_row *row, void *ctx);

/*
 * The page store_case_list gives, case by case as the JSON text it is stored
 * as, so that a long list is sent without being parsed and printed again:
 * `fn` is called for each case in order with `ctx`.  "id" + the document's
 * members is the CASE of store_case_list, byte for byte.  *next and the
 * errors as store_case_list.  `total` (may be NULL: not counted) gets the
 * number of cases the filter matches, cursor and limit aside.
 */
enum tn_code store_case_list_text(struct store *st, const struct store_case_filter *f,
				  store_case_row_fn *fn, void *ctx, char **next, long *total,
				  struct tn_err *err);

/*
 * Replace case `id` at `version` with `doc` (consumed, carrying version + 1
 * and `status`), and append `event` (consumed, without "seq") to its history
 * in one transaction.  When the stored version is no longer `version`,
 * nothing changes and the result is TN_ECONFLICT with *current (may be NULL)
 * set to the stored version.
 *
 * When the move is to "completed" and the case is a sub-case whose siblings
 * are all completed too, its parent moves to "completed" in the same
 * transaction (version + 1, updated_at and completed_at from the event's
 * "at"), with an event by actor and role "system", action "complete"; so
 * exactly one of two concurrent last completions completes the parent.
 */
enum tn_code store_case_act(struct store *st, const char *id, long version, const char *status,
			    jv doc, jv event, long *current, struct tn_err *err);

/* The history of case `id`, oldest first, in *events.  TN_ENOTFOUND when no such case. */
enum tn_code store_case_events(struct store *st, const char *id, jv *events,
			       struct tn_err *err);

/* ---- the audit log's API beyond GET /v1/audit (H3: store_certs_audit.c, certs_audit_api.c) ---- */

/*
 * Reads per Beijing day, certificate kind and scenario (a reader's token
 * name, else the reading role) of the audit log, days `since`..`until`
 * (YYYY-MM-DD, NULL: open): *items an array of {day, kind, scenario,
 * reads, allowed}, ordered by day, kind, scenario.
 */
enum tn_code store_audit_stats(struct store *st, const char *since, const char *until, jv *items,
			       struct tn_err *err);
struct req;
void certs_audit_stats(struct req *q, const char *arg);   /* GET /v1/audit/stats */
void certs_audit_verify(struct req *q, const char *arg);  /* GET /v1/audit/verify */
void certs_audit_mine(struct req *q, const char *arg);    /* GET /v1/audit/mine */

/*
 * 'twonetd copy' (server/copycmd.c): the tables it moves and their columns
 * are server/store/copy_tables.h's.  store_dump calls fn with each row of
 * `table` in key order as a JSON array of its columns' text (or null); fn
 * owns the row; a code other than TN_OK from fn stops the dump and is
 * returned.  store_load inserts `rows` (such arrays; borrowed) into `table`
 * in one transaction, a row whose key is already there left as it is (a
 * one-row table moves forward instead), *added the rows it wrote; then sets
 * the table's id sequence past the largest id.  TN_EINVALID for a table copy
 * does not know.  Optional operations (a backend may lack them).
 */
typedef enum tn_code store_row_fn(void *ctx, jv row, struct tn_err *err);
enum tn_code store_dump(struct store *st, const char *table, store_row_fn *fn, void *ctx,
			struct tn_err *err);
enum tn_code store_load(struct store *st, const char *table, jv rows, long *added,
			struct tn_err *err);

#endif
