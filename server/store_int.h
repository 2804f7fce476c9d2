/* store_int.h — inside the SQLite storage: shared by store.c and the per-module store_*.c files only. */
#ifndef TWONETD_STORE_INT_H
#define TWONETD_STORE_INT_H

#include <sqlite3.h>
#include <jv.h>

#include "store.h"

#define STMT_CACHE 64

struct cached {
	char *sql;
	sqlite3_stmt *stmt;
};

struct store {
	sqlite3 *db;
	char *path;
	struct cached cache[STMT_CACHE];
	int ncache;
	int evict;      /* next slot to reuse when the cache is full */
};

/*
 * The migration scripts of each module, in schema order (store.c's
 * migration()): 1 -> 2 certificates, 2 -> 3 alerts, 3 -> 4 reports,
 * 4 -> 5 workflow cases (store_cases.c), 5 -> 6 the calendar, 6 -> 7 consent codes (store_certs.c), 7 -> 8 the
 * report's covering index with deadline_provisional (store_reports.c).
 */
extern const char store_certs_schema[];
extern const char store_certs_codes_schema[];
extern const char store_cases_workflow_schema[];
extern const char store_cal_schema[];
extern const char store_alerts_schema[];
extern const char store_reports_schema[];
extern const char store_reports_provisional[];

/* The cached prepared statement for `sql`, reset, no bindings; NULL (err set) on error. */
sqlite3_stmt *store_stmt(struct store *st, const char *sql, struct tn_err *err);
/* Fill err from the connection's last error ("database error in WHAT: ..."); returns the code. */
enum tn_code store_fail(struct store *st, struct tn_err *err, const char *what);
/* Bind text or NULL. */
void store_bind_text(sqlite3_stmt *s, int i, const char *v);
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
/* Run SQL text without a result. */
enum tn_code store_exec(struct store *st, const char *sql, struct tn_err *err);
/* Append `event` (consumed: at, actor, role, action, from, to, comment, version) to case row `seq`. */
enum tn_code store_case_event_add(struct store *st, long seq, jv event, struct tn_err *err);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
enum tn_code store_begin(struct store *st, struct tn_err *err);
enum tn_code store_commit(struct store *st, struct tn_err *err);
void store_rollback(struct store *st);

#endif
