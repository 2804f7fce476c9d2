/* test_srv_walbuf.c — the VFS that writes a commit's log frames at once (server/store/sqlite/walbuf.c): what a commit wrote is in the files when it returns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include <cmocka.h>

#include "store/sqlite/store_int.h"

struct dir {
	char path[64];
	char db[96], copy[96];
};

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out;
	char buf[65536];
	size_t n;

	if (!in) {              /* no such side file: none in the copy either */
		unlink(to);
		return;
	}
	out = fopen(to, "wb");
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/*
 * The database and its log as they stand on disk now, copied aside, as a
 * crash would leave them (no -shm: the copy rebuilds its index from the log),
 * and opened with SQLite's own VFS: the rows of table t in it.
 */
static long rows_after_crash(struct dir *d)
{
	char from[128], to[128];
	sqlite3 *db;
	sqlite3_stmt *s;
	long n = -1;

	copy_file(d->db, d->copy);
	snprintf(from, sizeof(from), "%s-wal", d->db);
	snprintf(to, sizeof(to), "%s-wal", d->copy);
	copy_file(from, to);
	snprintf(to, sizeof(to), "%s-shm", d->copy);
	unlink(to);
	assert_int_equal(sqlite3_open_v2(d->copy, &db, SQLITE_OPEN_READWRITE, "unix"), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* `n` rows of `size` random bytes into t, in one transaction. */
static void insert(sqlite3 *db, int n, int size)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "INSERT INTO t (v) SELECT randomblob(%d) FROM "
		 "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %d) "
		 "SELECT x FROM c)", size, n);
	exec(db, sql);
}

static int setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	snprintf(d->path, sizeof(d->path), "%s/twonet-walbuf-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(d->path))
		return -1;
	snprintf(d->db, sizeof(d->db), "%s/w.db", d->path);
	snprintf(d->copy, sizeof(d->copy), "%s/c.db", d->path);
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dir *d = *state;
	static const char *const tails[] = { "", "-wal", "-shm", "-journal" };
	char p[128];

	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", d->db, tails[i]);
		unlink(p);
		snprintf(p, sizeof(p), "%s%s", d->copy, tails[i]);
		unlink(p);
	}
	rmdir(d->path);
	free(d);
	return 0;
}

/*
 * Every commit is in the files when it returns, as SQLite's own writes would
 * have put it: small ones, one past the buffer's size and SQLite's largest
 * write, one that spilled pages into the log before it ended (read back from
 * the log meanwhile), and the one after a transaction that spilled and was
 * rolled back.  A reader on SQLite's own VFS sees each at once.
 */
static void test_commits_in_files(void **state)
{
	struct dir *d = *state;
	sqlite3 *db, *reader;
	sqlite3_stmt *s;
	long want = 0;

	assert_int_equal(sqlite_walbuf_register(), SQLITE_OK);
	assert_string_equal(sqlite3_vfs_find(NULL)->zName, "twonet-walbuf");
	assert_int_equal(sqlite3_open_v2(d->db, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
					 NULL), SQLITE_OK);
	exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		 "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB); CREATE INDEX t_v ON t (v)");
	assert_int_equal(sqlite3_open_v2(d->db, &reader, SQLITE_OPEN_READONLY, "unix"), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(reader, "SELECT count(*) FROM t", -1, &s, NULL),
			 SQLITE_OK);
	for (int round = 0; round < 6; round++) {
		/* 1, 10 and 100 rows; then 1,200 of 1 KB: 2.5 MB of frames, past WALBUF_MAX */
		int n = round < 3 ? (round == 0 ? 1 : round == 1 ? 10 : 100) : 1200;

		if (round == 4)         /* a cache of 8 pages: the transaction spills into the log */
			exec(db, "PRAGMA cache_size = 8");
		exec(db, "BEGIN");
		insert(db, n, 1000);
		if (round == 4) {       /* what spilled, read back from the log inside the transaction */
			sqlite3_stmt *c;

			assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), sum(length(v)) FROM t",
							    -1, &c, NULL), SQLITE_OK);
			assert_int_equal(sqlite3_step(c), SQLITE_ROW);
			assert_int_equal(sqlite3_column_int64(c, 0), want + n);
			assert_int_equal(sqlite3_column_int64(c, 1), (want + n) * 1000);
			sqlite3_finalize(c);
		}
		if (round == 5) {       /* spilled and undone; then a commit after it */
			exec(db, "ROLLBACK");
			exec(db, "BEGIN");
			insert(db, 3, 1000);
			n = 3;
		}
		exec(db, "COMMIT");
		want += n;
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int64(s, 0), want);
		sqlite3_reset(s);
		assert_int_equal(rows_after_crash(d), want);
	}
	/* a checkpoint and a log started over: the next commit is in the files too */
	exec(db, "PRAGMA wal_checkpoint(RESTART)");
	insert(db, 5, 100);
	want += 5;
	assert_int_equal(rows_after_crash(d), want);
	sqlite3_finalize(s);
	sqlite3_close(reader);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commits_in_files, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
