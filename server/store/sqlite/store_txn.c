/* store_txn.c — SQLite transactions: BEGIN (waiting, short, or not at all), COMMIT, ROLLBACK and the busy handlers. */
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

int store_busy_steps(void *max_tries, int tries)
{
	if (tries >= (max_tries ? *(const int *)max_tries : 200000))
		return 0;
	usleep(tries < 20 ? 20 : 50);
	return 1;
}

void store_busy_short(struct store *st)
{
	sqlite3_busy_handler(st->db, store_busy_steps, NULL);
}

void store_busy_default(struct store *st)
{
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
}

/*
 * Every BEGIN of a write transaction below first ends a read snapshot held
 * across requests (store_certs_read_hold): a write is never made inside it.
 *
 * Step `begin`, then `lock` when not NULL, each a cached statement (a
 * transaction's first statements are not parsed again each time): SQLITE_OK,
 * or the code of the step that failed, that statement in *failed.
 */
static int begin_steps(struct store *st, const char *begin, const char *lock, const char **failed)
{
	const char *sql[2] = { begin, lock };

	for (int i = 0; i < 2 && sql[i]; i++) {
		sqlite3_stmt *s = store_stmt(st, sql[i], NULL);
		int rc;

		*failed = sql[i];
		if (!s)
			return SQLITE_ERROR;
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			return rc;
	}
	return SQLITE_OK;
}

enum tn_code store_begin_short(struct store *st, struct tn_err *err)
{
	return store_begin_short_sql(st, "BEGIN IMMEDIATE", NULL, err);
}

enum tn_code store_begin_short_sql(struct store *st, const char *begin, const char *lock,
				   struct tn_err *err)
{
	enum tn_code code;
	const char *failed;

	sqlite_certs_read_release(st);
	store_busy_short(st);
	if (begin_steps(st, begin, lock, &failed) == SQLITE_OK)
		return TN_OK;
	code = store_fail(st, err, failed);
	store_rollback(st);     /* a BEGIN whose next statement failed */
	store_busy_default(st);
	return code;
}

enum tn_code store_begin(struct store *st, struct tn_err *err)
{
	sqlite_certs_read_release(st);
	return store_exec(st, "BEGIN IMMEDIATE", err);
}

int store_try_begin(struct store *st, struct tn_err *err)
{
	return store_try_begin_sql(st, "BEGIN IMMEDIATE", NULL, err);
}

int store_try_begin_sql(struct store *st, const char *begin, const char *lock, struct tn_err *err)
{
	const char *failed;
	int rc;

	sqlite_certs_read_release(st);
	sqlite3_busy_handler(st->db, NULL, NULL);
	rc = begin_steps(st, begin, lock, &failed);
	store_busy_short(st);
	if (rc == SQLITE_OK)
		return 0;
	if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
		store_fail(st, err, failed);
	store_rollback(st);     /* a BEGIN whose next statement failed */
	store_busy_default(st);
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? 1 : -1;
}

enum tn_code store_commit(struct store *st, struct tn_err *err)
{
	return store_exec(st, "COMMIT", err);
}

enum tn_code store_end(struct store *st, enum tn_code code, struct tn_err *err)
{
	if (code == TN_OK)
		code = store_commit(st, err);
	if (code != TN_OK)
		store_rollback(st);
	return code;
}

void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		store_exec(st, "ROLLBACK", NULL);
}
