/* store_int.h — inside the SQLite storage: shared by store.c and the per-module store_*.c files only. */
#ifndef TWONETD_STORE_INT_H
#define TWONETD_STORE_INT_H

#include <sqlite3.h>
#include <jv.h>

#include "tn_buf.h"
#include "store.h"
#include "store_ops.h"

#define STMT_CACHE 64

struct cached {
	char *sql;
	const char *from;       /* the caller's string last found here (its text compared too) */
	sqlite3_stmt *stmt;
};

/* A document read by code (store_catalog.c): its stored text and that text parsed. */
#define DOC_CACHE 32
struct doc_cached {
	char *text;
	int len;
	jv doc;
};

struct store {
	struct store_head head;         /* first: the dispatcher's (store_ops.h) */
	sqlite3 *db;
	char *path;
	struct cached cache[STMT_CACHE];
	int ncache;
	int evict;      /* next slot to reuse when the cache is full */
	struct doc_cached docs[DOC_CACHE];
	int ndocs, docs_evict;
	int read_held;                  /* store_certs_read_begin began a transaction */
	int read_hold;                  /* store_certs_read_hold: read_end keeps it */
	int snap_version_ok;            /* snap_version is read_held's snapshot's data_version */
	int snap_version;
	long touch_ids[16];             /* tokens whose touch waits for the held snapshot's end */
	int ntouch;
	struct token_cache *tokens;     /* store_tokens.c: tokens found, while nothing changed */
	long token_writes;              /* this connection's writes to tokens (store_tokens.c) */
	struct cert_cache *certs;       /* store_certs_cache.c: certificates read, while nothing changed */
	int ix_ready;                   /* the audit index file is checked (store_certs_ckpt.c) */
	sqlite3 *ixdb;                  /* the audit lists' own connection, with it attached */
};
/*
 * The connection for audit lists by holder or certificate, with the index
 * file attached (store_certs_ckpt.c); opened at the first, once a
 * checkpointer checked the file.  NULL when there is none: audit's own
 * indexes, or a scan.  Not attached to st->db: a BEGIN IMMEDIATE takes the
 * write lock of every attached file, and the reads' flushes then waited for
 * the index's filling.
 */
sqlite3 *sqlite_audit_ixdb(struct store *st);
/*
 * store_audit_ix.c, the index file: ATTACH it to `db` as "ix" with its SQL
 * function (`make`: make the file first when missing or of another layout):
 * 0 when done.  open: that, then emptied when it is another log's, and the
 * database's old index layouts dropped: 0 when the file is in use.
 * catch_up: index the rows past the file's last, a chunk a transaction,
 * until none is left or stopping(arg).  sqlite_ix_where (below struct
 * store_query): the condition of a list by `col` ("holder" or "cert") = `v`
 * past `after`, read through the file.
 */
int sqlite_ix_attach(struct store *st, sqlite3 *db, int make);
int sqlite_ix_open(struct store *st, sqlite3 *db);
void sqlite_ix_catch_up(sqlite3 *db, int (*stopping)(void *), void *arg);
/* The token touches a held read snapshot put off (store_tokens.c), done now that it ended. */
void sqlite_token_touch_deferred(struct store *st);
/*
 * The audit log's own file, PATH.audit (store_audit_log.c): its path
 * (malloc'd), ATTACHed to `db` as "log" (SQLite's code), the move of the log
 * there from the database (migration 14 -> 15), and the check that a
 * database at schema 15 has it.
 */
#define STORE_LOG_SCHEMA 15     /* the first schema with the log in PATH.audit */
#define STORE_LOG_SCHEMA_SQL "15"
/*
 * walbuf.c: make SQLite's default VFS one that writes a commit's log frames
 * in one write (its own writes otherwise); once, before the first
 * connection.  SQLITE_OK, or SQLite's code (its own VFS stays the default).
 */
int sqlite_walbuf_register(void);
char *sqlite_log_path(const char *db_path);
/*
 * PRAGMA synchronous of the database and its audit log, from
 * TWONETD_SYNCHRONOUS: "NORMAL" (unset or "normal": a commit is in the
 * write-ahead log before it returns, which a crash of twonetd keeps; the
 * logs are synced at checkpoints, so a power loss or a crash of the machine
 * can take the last commits back, never leaving the database damaged) or
 * "FULL" ("full": each commit also syncs its log, fdatasync, before it
 * returns, at the cost man twonetd gives); NULL for any other value.
 */
const char *sqlite_sync_level(void);
int sqlite_log_attach(sqlite3 *db, const char *db_path);
enum tn_code sqlite_log_move(struct store *st, struct tn_err *err);
enum tn_code sqlite_log_check(struct store *st, struct tn_err *err);
/*
 * store_tokens.c: PRAGMA data_version in *version (it moves when another
 * connection commits to the database): 0, or -1 outside a transaction (there
 * it would cost a read transaction of its own) or on an error.  What the
 * caches of this connection (tokens, certificates) are checked against.
 */
int sqlite_snapshot_version(struct store *st, int *version);
/* Forget the tokens store_tokens.c keeps (at close).  NULL is fine. */
void store_tokens_forget(struct store *st);
/*
 * store_certs_cache.c: certificate `id` as this connection last read it,
 * when nothing changed since (inside a transaction only): 1 found (the
 * three malloc'd), 0 known not to exist, -1 not known.  put keeps what a
 * lookup found (doc NULL: none).  forget frees them all (at close).
 */
int sqlite_cert_cache_get(struct store *st, const char *id, char **doc, char **holder, char **dept);
void sqlite_cert_cache_put(struct store *st, const char *id, const char *doc, const char *holder,
			   const char *dept);
void sqlite_cert_cache_forget(struct store *st);
/* Forget the documents store_catalog.c keeps parsed (at close). */
void store_docs_forget(struct store *st);

/*
 * The SQLite backend's operations: sqlite_NAME for each store_NAME of the
 * wall (store_ops.h), listed in store_sqlite_ops (store_ops.c).
 */
#define SQLITE_OP_DECL(ret, name, params, args, none) ret sqlite_##name params;
STORE_OPS(SQLITE_OP_DECL)
#undef SQLITE_OP_DECL

/*
 * The migration scripts of each module, in schema order (store.c's
 * migration()): 1 -> 2 certificates, 2 -> 3 alerts, 3 -> 4 reports,
 * 4 -> 5 workflow cases (store_cases.c), 5 -> 6 the calendar, 6 -> 7 consent codes (store_certs.c), 7 -> 8 the
 * report's covering index with deadline_provisional (store_reports.c),
 * 8 -> 9 the case list's keyset indexes (store_cases_list.c).
 */
extern const char store_certs_schema[];
extern const char store_certs_codes_schema[];
extern const char store_cases_workflow_schema[];
extern const char store_cases_order_schema[];
extern const char store_alerts_history_schema[];
extern const char store_alerts_raise_unindexed[];
extern const char store_cal_schema[];
extern const char store_alerts_schema[];
extern const char store_reports_schema[];
extern const char store_reports_provisional[];
/* 10 -> 11: token expiry, revocation and last use; consent kinds and revocation. */
extern const char store_tokens_admin_schema[];

/* 11 -> 12: the operations loop's tasks (store_tasks.c). */
extern const char store_tasks_schema[];

/* 12 -> 13: the asset register (store_assets.c). */
extern const char store_assets_schema[];

/* 13 -> 14: the report columns of a filed row bound by its insert (store_reports.c). */
extern const char store_reports_insert_bound[];

/* 15 -> 16: the certificates' counter their readers' caches hold by (store_certs_cache.c). */
extern const char store_certs_gen_schema[];

/* The r_* columns R_SET would derive from a new row (store_reports.c): the document's. */
struct report_cols {
	jv workflow, legal;     /* strings or null (owned) */
	int accepted, returned, mat, exempt;
};

/*
 * The r_* columns of a row inserted with `doc` (borrowed) and `status`, as
 * the insert trigger would set them (r_day and r_legal_days are left to the
 * insert's SQL): 0, or -1 (r nulls and zeros) when the trigger must decide.
 */
int sqlite_report_cols(jv doc, const char *status, struct report_cols *r);

/*
 * Append an event to the alerts' event log at `seq`: of alert `alert_id`
 * (0 for a task's), of task `task_id` (0 for an alert's), named `event`,
 * at `at` (epoch seconds), with `doc`'s severity, district and kind
 * (borrowed) and as data `text` (doc's JSON) with "event" (and "action",
 * "actor") added at its end.  `action`, `actor`, `comment` may be NULL.
 */
enum tn_code store_event_append(struct store *st, long long seq, long long alert_id,
				long long task_id, const char *event, long long at, jv doc,
				const char *text, const char *action, const char *actor,
				const char *comment, struct tn_err *err);

/*
 * The document of the one row `sql` (one bound id, selecting the doc) finds
 * in *doc: TN_OK; TN_ENOTFOUND with "no NOUN ID" when none; a database error
 * naming "NOUN get" otherwise (*doc jv_invalid()).
 */
enum tn_code store_doc_by_id(struct store *st, const char *sql, long long id, const char *noun,
			     jv *doc, struct tn_err *err);

/* The cached prepared statement for `sql`, reset, no bindings; NULL (err set) on error. */
sqlite3_stmt *store_stmt(struct store *st, const char *sql, struct tn_err *err);
/* Fill err from the connection's last error ("database error in WHAT: ..."); returns the code. */
enum tn_code store_fail(struct store *st, struct tn_err *err, const char *what);
/* The same for connection `db`. */
enum tn_code store_fail_db(sqlite3 *db, struct tn_err *err, const char *what);
/* Bind text or NULL. */
void store_bind_text(sqlite3_stmt *s, int i, const char *v);
/* The same, not copied: `v` must last until the statement is reset (a loop's rows). */
void store_bind_text_static(sqlite3_stmt *s, int i, const char *v);
/* Bind `doc` (consumed) as its compact JSON text (copied: free to go after the call). */
void store_bind_json(sqlite3_stmt *s, int i, jv doc);
/* Column as a malloc'd string (NULL for SQL NULL). */
char *store_col_dup(sqlite3_stmt *s, int i);
/* Column parsed as JSON (jv_null() for NULL). */
jv store_col_json(sqlite3_stmt *s, int i);
/* Column as a jv string (jv_null() for NULL). */
jv store_col_text(sqlite3_stmt *s, int i);
/* Step a statement that returns no rows. */
enum tn_code store_run(struct store *st, sqlite3_stmt *s, struct tn_err *err, const char *what);
/*
 * Run the INSERT `s` (bound; reset after): TN_OK, TN_ECONFLICT with the
 * message `conflict` (printf-style) when a constraint refuses the row, else
 * a database error naming WHAT.
 */
enum tn_code store_insert(struct store *st, sqlite3_stmt *s, struct tn_err *err, const char *what,
			  const char *conflict, ...) __attribute__((format(printf, 5, 6)));
/* In a function returning enum tn_code: s = the cached statement for sql, or return err's code. */
#define STMT_OR_FAIL(s, st, sql, err) \
	do { \
		if (((s) = store_stmt((st), (sql), (err))) == NULL) \
			return store_errcode(err); \
	} while (0)
/* Run SQL text without a result. */
enum tn_code store_exec(struct store *st, const char *sql, struct tn_err *err);
/* Append `event` (consumed: at, actor, role, action, from, to, comment, version) to case row `seq`. */
enum tn_code store_case_event_add(struct store *st, long seq, jv event, struct tn_err *err);
/* store_case_event_add of an event by the system (actor and role "system") at `at`. */
enum tn_code store_case_system_event(struct store *st, long seq, const char *at, const char *action,
				     const char *from, const char *to, const char *comment,
				     long version, struct tn_err *err);
/* The code `err` holds after a failed store_* call, TN_EINTERNAL when err is NULL. */
enum tn_code store_errcode(const struct tn_err *err);

/*
 * A query built piece by piece: SQL text with ? placeholders and their
 * values, bound in the order they were added.  Text values are borrowed
 * until store_q_stmt.  More than STORE_Q_PARAMS values make store_q_stmt
 * fail (TN_EINTERNAL) rather than bind the wrong ones.
 */
#define STORE_Q_PARAMS 200
struct store_query {
	struct tn_buf sql;
	int n;
	struct {
		int is_num;
		long long num;
		const char *text;
	} p[STORE_Q_PARAMS];
};
/* store_audit_ix.c: see sqlite_ix_attach above. */
void sqlite_ix_where(struct store_query *q, const char *col, const char *v, long long after);
/* Start a query with `sql` (no placeholders). */
void store_q_init(struct store_query *q, const char *sql);
/* Append `sql` without a value. */
void store_q_add(struct store_query *q, const char *sql);
/* Append `sql` (one ?) with its text value `v` (NULL binds SQL NULL). */
void store_q_text(struct store_query *q, const char *sql, const char *v);
/* Append `sql` (one ?) with its number value `v`. */
void store_q_num(struct store_query *q, const char *sql, long long v);
/* Append " AND col IN (?, ...)" for the NULL-terminated `list` (nothing when empty), at most STORE_Q_PARAMS - 12 values. */
void store_q_in(struct store_query *q, const char *col, char **list);
/* The query prepared (cached) with its values bound; releases q's text.  NULL (err set) on error. */
sqlite3_stmt *store_q_stmt(struct store *st, struct store_query *q, struct tn_err *err);
/* The same on connection `db`, not cached: the caller finalizes it. */
sqlite3_stmt *store_q_prepare(sqlite3 *db, struct store_query *q, struct tn_err *err);

/* An opaque list cursor: `raw` as lower-case hex (malloc'd, the caller frees). */
char *store_cursor_encode(const char *raw);
/* Decode hex cursor `cur` into `raw` (size bytes, NUL-terminated); -1 when it is not hex or too long. */
int store_cursor_decode(const char *cur, char *raw, size_t size);

/* ---- the cases store's internals (store_cases.c, store_cases_list.c) ---- */
/* "C" and `seq` zero-padded to 8 digits, into buf. */
void store_case_id(long seq, char *buf, size_t size);
/* The row number of case id "C00000001"; -1 when malformed. */
long store_case_seq(const char *id);
/* The stored document of the current row with its "id" first (from column seq_col); consumes nothing. */
jv store_case_doc(sqlite3_stmt *s, int seq_col, int doc_col);

/*
 * Prepare `sql` (cached) with its values bound, one a letter of `types`:
 * 't' const char * (NULL binds SQL NULL), 'i' int, 'l' long, 'L' long long.
 * NULL (err set) on error.
 */
sqlite3_stmt *store_prep(struct store *st, struct tn_err *err, const char *sql,
			 const char *types, ...);
/* store_prep, then run it to completion (no rows wanted); errors name WHAT. */
enum tn_code store_do(struct store *st, struct tn_err *err, const char *what, const char *sql,
		      const char *types, ...);
/* Whether `sql` (its values as store_prep's) gives a row: *found 1 or 0; errors name WHAT. */
enum tn_code store_exists(struct store *st, struct tn_err *err, const char *what, int *found,
			  const char *sql, const char *types, ...);
/*
 * Step `s` (prepared, bound) once: 1 on a row (s stays on it: read it, then
 * sqlite3_reset), 0 when there is none, -1 on error (err set from WHAT);
 * reset unless 1.
 */
int store_step_row(struct store *st, sqlite3_stmt *s, struct tn_err *err, const char *what);

/* sqlite_open's busy handler: wait up to this long for the write lock. */
#define STORE_BUSY_MS 10000
/*
 * Workers take turns at the write lock, and SQLite's own busy handler sleeps
 * 1, 2, 5, 10 ... ms between tries, which shows as a p99 of tens of ms.  A
 * short write transaction (a certificate read's audit row, an alert) tries
 * again every 20-50 us instead, for at most the same 10 s: store_busy_short
 * puts that handler on, store_busy_default sqlite_open's back.
 */
void store_busy_short(struct store *st);
/* That handler for any connection: at most *(int *)max_tries tries, or the 10 s for NULL. */
int store_busy_steps(void *max_tries, int tries);
void store_busy_default(struct store *st);
/* BEGIN IMMEDIATE with the short busy handler; sqlite_open's back when it fails. */
enum tn_code store_begin_short(struct store *st, struct tn_err *err);
/*
 * The same with `begin` and then `lock` (NULL: none; a statement that takes a
 * lock inside a deferred BEGIN), rolled back on failure.  Both are prepared
 * once (the statement cache), not parsed at each transaction.
 */
enum tn_code store_begin_short_sql(struct store *st, const char *begin, const char *lock,
				   struct tn_err *err);
/* 1 when schema `schema` ("main", "log", "ix") of `db` has the table, index or trigger `name`, 0 when not, -1 on an error. */
int store_has_object(sqlite3 *db, const char *schema, const char *name);
/* Remove the SQLite file `path` and its -wal, -shm and -journal. */
void store_remove_files(const char *path);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
/* End a transaction: COMMIT when `code` is TN_OK, else (or when that fails) ROLLBACK; the code. */
enum tn_code store_end(struct store *st, enum tn_code code, struct tn_err *err);
enum tn_code store_begin(struct store *st, struct tn_err *err);
/*
 * BEGIN IMMEDIATE without waiting: 0 (the short busy handler on until
 * store_busy_default), 1 when another writer holds the lock, -1 on error.
 */
int store_try_begin(struct store *st, struct tn_err *err);
/* The same with `begin` and `lock` (as store_begin_short_sql) for BEGIN IMMEDIATE. */
int store_try_begin_sql(struct store *st, const char *begin, const char *lock, struct tn_err *err);
enum tn_code store_commit(struct store *st, struct tn_err *err);
void store_rollback(struct store *st);

#endif
