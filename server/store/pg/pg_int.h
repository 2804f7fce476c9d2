/* pg_int.h — inside the PostgreSQL storage: the handle and the query helpers its pg_*.c files share. */
#ifndef TWONETD_PG_INT_H
#define TWONETD_PG_INT_H

#include <libpq-fe.h>
#include <jv.h>

#include "tn_buf.h"
#include "tn_err.h"
#include "store.h"
#include "store_ops.h"
#include "pg.h"

/*
 * The handle store_open gives for a postgresql:// database: struct
 * store_head first (the dispatcher reads it), then one libpq connection.
 * Only the pg_*.c files know it; they cast with PG().
 */
struct pg_store {
	struct store_head head;
	PGconn *conn;
	char *uri;      /* as given, for reconnecting */
	char *name;     /* the database as messages name it: the URI without a password */
	int tx;         /* a transaction of ours is open (pg_begin .. pg_end / pg_rollback) */
	PGconn *listen; /* LISTEN twonet_alerts (pg_listen.c); NULL until asked for */
};

#define PG(st) ((struct pg_store *)(void *)(st))

/* The time format every stored time has (as SQLite's backend): UTC YYYY-MM-DDTHH:MM:SSZ, as SQL. */
#define PG_NOW "tn_utc(statement_timestamp())"

/*
 * The whole schema STORE_SCHEMA in PostgreSQL (pg_schema.c); the versions
 * after it are scripts of their own, in pg_migration().
 */
extern const char pg_schema_11[];
/* 11 -> 12: the operations loop's tasks (pg_tasks.c). */
extern const char pg_schema_12[];
/* 12 -> 13: the asset register (pg_assets.c). */
extern const char pg_schema_13[];
/* 16 -> 17: the history's index without the raises (pg_alerts.c). */
extern const char pg_schema_17[];

/*
 * Run `sql` with its values, one a letter of `types`: 't' const char *
 * (NULL sends SQL NULL), 'i' int, 'l' long, 'j' a jv (consumed) sent as its
 * compact JSON text.  TN_OK with the result in *res (the caller PQclear()s
 * it; res NULL: cleared here), else *res NULL and err "database error in
 * WHAT: ...": TN_ECONFLICT for a unique or exclusion violation, TN_ESERVER
 * when the server is unreachable, busy or the transaction must be retried,
 * TN_EINVALID for a value the server refused (a bad date, say), else
 * TN_EINTERNAL.  A connection found broken is reset before the next query
 * when no transaction of ours is open (never inside one: its statements
 * would run outside it); the query that found it broken fails (TN_ESERVER),
 * since whether it ran is unknown.
 */
enum tn_code pg_query(struct pg_store *p, PGresult **res, struct tn_err *err, const char *what,
		      const char *sql, const char *types, ...);
/* pg_query with `n` text values (NULL: SQL NULL) already in `vals`; *res the caller's to PQclear (res NULL: cleared here). */
enum tn_code pg_query_vals(struct pg_store *p, PGresult **res, struct tn_err *err,
			   const char *what, const char *sql, int n, const char *const *vals);
/* Run SQL text without values (several statements allowed); errors as pg_query's. */
enum tn_code pg_exec(struct pg_store *p, struct tn_err *err, const char *what, const char *sql);

/* A query built piece by piece: text with $N placeholders and their values (grown as needed). */
struct aq {
	struct tn_buf sql;
	int n, cap;
	const char **vals;
	char (*nums)[24];
};
/* Add `sql` then the next placeholder, for a text value (NULL: SQL NULL) or a number. */
void pg_aq_text(struct aq *q, const char *sql, const char *v);
void pg_aq_num(struct aq *q, const char *sql, long long v);
/* " AND col IN ($i, ...)" for a NULL-terminated list (nothing when empty), as store_q_in. */
void pg_aq_in(struct aq *q, const char *col, char **list);
/* Run `q` (errors naming WHAT) and free it; *r the caller's to PQclear. */
enum tn_code pg_aq_run(struct pg_store *p, struct aq *q, PGresult **r, const char *what,
		       struct tn_err *err);

/* As SQLite's store_doc_by_id: the doc of the one row `sql` ($1 the id) finds; TN_ENOTFOUND "no NOUN ID". */
enum tn_code pg_doc_by_id(struct pg_store *p, const char *sql, long long id, const char *noun,
			  jv *doc, struct tn_err *err);

/* The code `err` holds after a failed call, TN_EINTERNAL when err is NULL. */
enum tn_code pg_errcode(const struct tn_err *err);

/* BEGIN (read committed). */
enum tn_code pg_begin(struct pg_store *p, struct tn_err *err);
/* BEGIN a read-only transaction on one snapshot (repeatable read). */
enum tn_code pg_begin_snapshot(struct pg_store *p, struct tn_err *err);
/* End a transaction: COMMIT when `code` is TN_OK, else (or when that fails) ROLLBACK; the code. */
enum tn_code pg_end(struct pg_store *p, enum tn_code code, struct tn_err *err);
/* ROLLBACK when a transaction is open (an aborted one too).  Cannot fail. */
void pg_rollback(struct pg_store *p);
/* Whether a transaction is open: ours, or one the server reports. */
int pg_in_tx(struct pg_store *p);

/* Field (row, col) as a malloc'd string (NULL for SQL NULL). */
char *pg_dup(const PGresult *r, int row, int col);
/* Field as a jv string (jv_null() for NULL). */
jv pg_text(const PGresult *r, int row, int col);
/* Field parsed as JSON (jv_null() for NULL). */
jv pg_json(const PGresult *r, int row, int col);
/* Field as a long (0 for NULL or not a number). */
long pg_long(const PGresult *r, int row, int col);
/* Field as a long, `dflt` for NULL. */
long pg_long_or(const PGresult *r, int row, int col, long dflt);

/* ---- cases (pg_cases.c; events in pg_cal.c) ---- */
/* Append `event` (consumed: at, actor, role, action, from, to, comment, version) to case row `seq`. */
enum tn_code pg_case_event_add(struct pg_store *p, long seq, jv event, struct tn_err *err);
/* pg_case_event_add of an event by the system (actor and role "system") at `at`. */
enum tn_code pg_case_system_event(struct pg_store *p, long seq, const char *at, const char *action,
				  const char *from, const char *to, const char *comment, long version,
				  struct tn_err *err);
/* "C" and `seq` zero-padded to 8 digits, into buf. */
void pg_case_id(long seq, char *buf, size_t size);
/* The row number of case id "C00000001"; -1 when malformed. */
long pg_case_seq(const char *id);
/* The document of row `row` (seq in seq_col, JSON in doc_col) with its "id" first. */
jv pg_case_doc(const PGresult *r, int row, int seq_col, int doc_col);

#endif
