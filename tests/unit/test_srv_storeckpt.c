/* test_srv_storeckpt.c — the SQLite store's checkpoint thread and the audit log's index file it fills (store_certs_ckpt.c). */
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

#include "store.h"
#include "store_certs.h"
#include "store/sqlite/store_int.h"

#include "srv_store_fix.h"

/* The checkpoint thread copies the log into the database (its fresh connection used to copy nothing). */
static void test_checkpointer(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct store_ckpt *c = store_certs_checkpointer(f->st, 1, 0);
	char hash[65];

	assert_non_null(c);
	for (int i = 0; i < 20; i++) {
		snprintf(hash, sizeof(hash), "%064d", i);
		assert_int_equal(store_token_add(f->st, hash, "clerk", "ckpt", "YBJ", NULL, &err),
				 TN_OK);
	}
	assert_true(store_certs_checkpointer_wait(c, 1) > 0);
	store_certs_checkpointer_stop(c);
}

/*
 * A reader keeps the log from restarting, so each checkpoint leaves it long:
 * the thread is woken each time the log grew by the threshold again, not at
 * every commit after it (that made a checkpoint, two fsyncs, of every commit).
 */
static void test_checkpointer_wakes(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct store_ckpt *c = store_certs_checkpointer(f->st, 10, 0);
	sqlite3 *reader = NULL;
	char hash[65], wal[4096];
	struct stat sb;
	long frames, wakes;

	assert_non_null(c);
	assert_int_equal(sqlite3_open_v2(f->path, &reader, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM tokens;", NULL, NULL,
				      NULL), SQLITE_OK);
	for (int i = 0; i < 100; i++) {
		snprintf(hash, sizeof(hash), "%064d", i);
		assert_int_equal(store_token_add(f->st, hash, "clerk", "ckpt", "YBJ", NULL, &err),
				 TN_OK);
	}
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_int_equal(stat(wal, &sb), 0);
	frames = ((long)sb.st_size - 32) / (4096 + 24);
	wakes = store_certs_checkpointer_wakes(c);
	assert_true(frames >= 100);             /* each commit wrote a frame at least */
	assert_true(wakes >= 1);
	assert_true(wakes <= frames / 10 + 1);  /* was about one a commit past the first 10 frames */
	store_certs_checkpointer_stop(c);
	sqlite3_close(reader);
}

/* Frames in the write-ahead log of `schema` ("main", or "log": the audit log's file). */
static int wal_frames(struct fix *f, const char *schema)
{
	char sql[300];
	sqlite3 *db;
	sqlite3_stmt *s;
	int frames = -1;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	snprintf(sql, sizeof(sql), "ATTACH '%s.audit' AS log", f->path);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	/* a connection that has read nothing does not know the log: -1 */
	snprintf(sql, sizeof(sql), "PRAGMA %s.schema_version", schema);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA %s.wal_checkpoint(PASSIVE)", schema);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	/* -1 too while the thread's own checkpoint runs: ask again */
	for (int i = 0; i < 5000 && frames < 0; i++) {
		if (i > 0)
			usleep(1000);
		if (sqlite3_step(s) == SQLITE_ROW)
			frames = sqlite3_column_int(s, 1);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return frames;
}

static void audit_rows(struct store *st, const char *holder, int n);

/* `n` commits that write `schema`: tokens in the database, audit rows in the log. */
static void writes(struct fix *f, const char *schema, int n)
{
	static int next;
	struct tn_err err = TN_ERR_INIT;
	char hash[65];

	if (strcmp(schema, "log") == 0) {
		audit_rows(f->st, "H1", n);
		return;
	}
	for (int i = 0; i < n; i++) {
		snprintf(hash, sizeof(hash), "%064d", next++);
		assert_int_equal(store_token_add(f->st, hash, "clerk", "ckpt", "YBJ", NULL, &err),
				 TN_OK);
	}
}

/*
 * Writers that never pause keep a PASSIVE checkpoint from ever letting the
 * log start over (it grew without end); past the limit the thread starts it
 * over itself.  A reader of an old snapshot makes that fail (it would have
 * to wait for the reader): the thread tries again only when the log has
 * grown by the limit once more, and then succeeds.
 */
static void bounded(struct fix *f, const char *schema)
{
	struct store_ckpt *c = store_certs_checkpointer(f->st, 20, 200);
	char sql[300];
	sqlite3 *reader;
	int frames;

	assert_non_null(c);
	assert_int_equal(sqlite3_open(f->path, &reader), SQLITE_OK);
	snprintf(sql, sizeof(sql), "ATTACH '%s.audit' AS log; BEGIN;"
		 "SELECT count(*) FROM tokens; SELECT count(*) FROM log.audit;", f->path);
	assert_int_equal(sqlite3_exec(reader, sql, NULL, NULL, NULL), SQLITE_OK);
	writes(f, schema, 300);
	store_certs_checkpointer_wait(c, 1);
	assert_int_equal(store_certs_checkpointer_restarts(c), 0);
	assert_true(store_certs_checkpointer_restart_ms(c) == 0);
	assert_true(wal_frames(f, schema) >= 300);      /* held by the reader */
	sqlite3_close(reader);
	/* the writers go on until it did; on a busy disk its syncs first take their time */
	for (int i = 0; i < 4000 && store_certs_checkpointer_restarts(c) == 0; i++) {
		writes(f, schema, 20);
		if (i >= 400)
			usleep(5000);
	}
	assert_true(store_certs_checkpointer_restarts(c) >= 1);
	assert_true(store_certs_checkpointer_restart_ms(c) > 0);        /* how long it held the writers */
	assert_true(store_certs_checkpointer_restart_ms(NULL) == 0);
	frames = wal_frames(f, schema);
	assert_true(frames >= 0);
	assert_true(frames < 300);                      /* the log started over */
	store_certs_checkpointer_stop(c);
}

static void test_checkpointer_bounds_db(void **state)
{
	bounded(*state, "main");
}

static void test_checkpointer_bounds_log(void **state)
{
	bounded(*state, "log");
}

/* Append `n` audit rows for `holder` (certificates C0.., C1..), each in its own transaction. */
static void audit_rows(struct store *st, const char *holder, int n)
{
	struct tn_err err = TN_ERR_INIT;

	for (int i = 0; i < n; i++) {
		char cert[32];
		struct store_audit a = { "2026-12-04T10:00:00+08:00", "ckpt", "admin", cert, holder,
					 "test", "allowed" };

		snprintf(cert, sizeof(cert), "C%d", i % 3);
		assert_int_equal(store_certs_begin(st, &err), TN_OK);
		assert_int_equal(store_audit_append_rows(st, &a, 1, &err), TN_OK);
		assert_int_equal(store_certs_commit(st, &err), TN_OK);
	}
}

/* How many rows the log lists for holder `h` (or certificate `cert`), checking seq ascends. */
static int audit_count(struct store *st, const char *h, const char *cert)
{
	struct tn_err err = TN_ERR_INIT;
	struct store_audit_filter f = { .holder = h, .cert = cert, .limit = 1000 };
	long long next, last = 0;
	jv items;
	int n;

	assert_int_equal(store_audit_list(st, &f, &items, &next, &err), TN_OK);
	n = jv_array_length(jv_copy(items));
	jv_array_foreach(items, i, row) {
		long long seq = (long long)jv_number_value(jv_object_get(jv_copy(row), jv_string("seq")));

		assert_true(seq > last);
		last = seq;
		jv_free(row);
	}
	jv_free(items);
	return n;
}

/* One commit to the store: the i-th token, or an audit row when `log`. */
static void write_one(struct fix *f, int log, int i)
{
	struct tn_err err = TN_ERR_INIT;
	char hash[65];

	snprintf(hash, sizeof(hash), "%064d", i);
	if (log)
		audit_rows(f->st, "310101199001011234", 1);
	else
		assert_int_equal(store_token_add(f->st, hash, "clerk", "ckpt", "YBJ", NULL, &err),
				 TN_OK);
}

/*
 * A checkpoint that cannot copy the whole log (here a reader holds its end)
 * leaves what it copied unsynced, SQLite syncing the database file only at
 * the log's end: the thread syncs it then, once a copy.  A checkpoint that
 * reaches the end was synced by SQLite: no second sync.  `schema` "main"
 * (tokens) or "log" (audit rows).
 */
static void synced(struct fix *f, const char *schema)
{
	int log = !strcmp(schema, "log");
	struct store_ckpt *c;
	sqlite3 *reader = NULL;
	char sql[160];

	for (int i = 0; i < 40; i++)           /* frames in the log before the reader */
		write_one(f, log, i);
	assert_int_equal(sqlite3_open_v2(f->path, &reader, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	snprintf(sql, sizeof(sql), "ATTACH '%s.audit' AS log; BEGIN; SELECT count(*) FROM %s.%s;",
		 f->path, schema, log ? "audit" : "tokens");
	assert_int_equal(sqlite3_exec(reader, sql, NULL, NULL, NULL), SQLITE_OK);
	c = store_certs_checkpointer(f->st, 10, 0);
	assert_non_null(c);
	for (int i = 40; i < 80; i++)          /* past the reader: not copied */
		write_one(f, log, i);
	assert_true(store_certs_checkpointer_wait(c, 1) > 0);  /* it copied up to the reader */
	assert_int_equal(store_certs_checkpointer_syncs(c), 1);
	store_certs_checkpointer_stop(c);
	sqlite3_close(reader);

	/* no reader, no writer while it copies: it reaches the end, SQLite synced */
	c = store_certs_checkpointer(f->st, 1, 0);
	assert_non_null(c);
	write_one(f, log, 80);
	assert_true(store_certs_checkpointer_wait(c, 1) > 0);
	assert_int_equal(store_certs_checkpointer_syncs(c), 0);
	store_certs_checkpointer_stop(c);
}

static void test_checkpointer_syncs_db(void **state)
{
	synced(*state, "main");
}

static void test_checkpointer_syncs_log(void **state)
{
	synced(*state, "log");
}

/* The integer `sql` answers in the file `path` (-1 when it cannot). */
static long long query_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return v;
}

/* Run `sql` on the file `path`; SQLite's result code. */
static int exec_sql(const char *path, const char *sql)
{
	sqlite3 *db;
	int rc;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static const char *ix_path(struct fix *f, char *buf, size_t size)
{
	snprintf(buf, size, "%s.audit-index", f->path);
	return buf;
}

/*
 * The checkpoint thread moves the lookups by holder and certificate to the
 * file <db>.audit-index (a bucket's Bloom filters) and fills it behind the
 * writes: a list finds the same rows before the move, through the filters,
 * and from the tail the file does not hold yet.  The database keeps neither
 * audit's two indexes nor an audit_ix of its own; the file has the
 * database's mode.
 */
static void test_audit_ix(void **state)
{
	struct fix *f = *state;
	struct store_ckpt *c;
	struct stat sb;
	char ix[200];

	audit_rows(f->st, "H1", 30);
	audit_rows(f->st, "H2", 10);
	assert_int_equal(audit_count(f->st, "H1", NULL), 30);
	assert_int_equal(chmod(f->path, 0600), 0);
	c = store_certs_checkpointer(f->st, 1, 0);
	assert_non_null(c);
	assert_int_equal(stat(ix_path(f, ix, sizeof(ix)), &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);      /* the database's: holders' numbers */
	audit_rows(f->st, "H1", 5);
	assert_true(store_certs_checkpointer_wait(c, 1) >= 0);
	audit_rows(f->st, "H2", 4);     /* perhaps not indexed yet: found in the tail */
	assert_int_equal(audit_count(f->st, "H1", NULL), 35);
	assert_int_equal(audit_count(f->st, "H2", NULL), 14);
	assert_int_equal(audit_count(f->st, "H1", "C0"), 12);
	assert_int_equal(audit_count(f->st, NULL, "C1"), 16);
	store_certs_checkpointer_stop(c);       /* indexes the rest */
	assert_int_equal(audit_count(f->st, "H2", NULL), 14);
	assert_int_equal(audit_count(f->st, NULL, "C2"), 15);
	assert_int_equal(audit_count(f->st, "H3", NULL), 0);
	ix_path(f, ix, sizeof(ix));
	assert_int_equal(query_int(ix, "SELECT seq FROM ix_head"), 49);
	/* one bucket, its two filters: bits, not the texts */
	assert_int_equal(query_int(ix, "SELECT count(*) FROM ix_bloom WHERE b = 0 AND "
				   "length(holder) = 4096 AND length(cert) = 4096"), 1);
	assert_int_equal(query_int(ix, "SELECT count(*) FROM ix_bloom"), 1);
	assert_int_equal(query_int(ix, "SELECT count(*) FROM sqlite_master WHERE name = "
				   "'audit_ix'"), 0);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name IN "
				   "('audit_ix', 'audit_holder', 'audit_cert')"), 0);
}

/*
 * Filling the index never takes the database's write lock: with another
 * connection holding it, a worker's checkpointer still indexes every row.
 * Rows over three buckets: each holder found where its filters say.
 */
static void test_audit_ix_unlocked(void **state)
{
	struct fix *f = *state;
	struct store_ckpt *c;
	sqlite3 *other;
	char ix[200];

	audit_rows(f->st, "H1", 20);
	store_certs_checkpointer_stop(store_certs_checkpointer(f->st, 1000, 0));  /* moved over */
	audit_rows(f->st, "H2", 4200);
	audit_rows(f->st, "H3", 5);
	assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	c = store_certs_checkpointer(f->st, 1000, 0);
	assert_non_null(c);
	store_certs_checkpointer_stop(c);
	ix_path(f, ix, sizeof(ix));
	assert_int_equal(query_int(ix, "SELECT seq FROM ix_head"), 4225);
	assert_int_equal(query_int(ix, "SELECT count(*) FROM ix_bloom"), 3);   /* 2048 rows a bucket */
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	assert_int_equal(audit_count(f->st, "H2", NULL), 1000);        /* the limit */
	assert_int_equal(audit_count(f->st, "H1", NULL), 20);          /* bucket 0 only */
	assert_int_equal(audit_count(f->st, "H3", NULL), 5);           /* bucket 2 only */
	assert_int_equal(audit_count(f->st, "H4", NULL), 0);
}

/* Copy file `from` to `to`. */
static void copy_file(const char *from, const char *to)
{
	char buf[8192];
	size_t n;
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/*
 * The index file is derived data: another log's (a database restored from a
 * copy, with the index of the one it replaced) is emptied and filled again
 * from this log, whether it is longer or as long with other rows; a missing
 * one, or one that is not a database, is made anew.  Lists never see the other log's entries.
 */
static void test_audit_ix_rebuilt(void **state)
{
	struct fix *f = *state, g;
	struct tn_err err = TN_ERR_INIT;
	char ix[200], gix[200];
	FILE *garbage;

	audit_rows(f->st, "H1", 40);
	store_certs_checkpointer_stop(store_certs_checkpointer(f->st, 1000, 0));
	ix_path(f, ix, sizeof(ix));
	for (int round = 0; round < 2; round++) {
		/* another database: 50 rows of H9, then 40 of H8 (the same length as ours) */
		memset(&g, 0, sizeof(g));
		snprintf(g.dir, sizeof(g.dir), "%s.other", f->dir);
		assert_int_equal(mkdir(g.dir, 0700), 0);
		snprintf(g.path, sizeof(g.path), "%s/t.db", g.dir);
		assert_int_equal(store_open(&g.st, g.path, 1, &err), TN_OK);
		audit_rows(g.st, round == 0 ? "H9" : "H8", round == 0 ? 50 : 40);
		store_certs_checkpointer_stop(store_certs_checkpointer(g.st, 1000, 0));
		store_close(g.st);
		ix_path(&g, gix, sizeof(gix));
		assert_int_equal(query_int(gix, "SELECT seq FROM ix_head"), round == 0 ? 50 : 40);
		store_close(f->st);
		copy_file(gix, ix);
		remove_db(&g);
		assert_int_equal(store_open(&f->st, f->path, 0, &err), TN_OK);
		store_certs_checkpointer_stop(store_certs_checkpointer(f->st, 1000, 0));
		assert_int_equal(query_int(ix, "SELECT seq FROM ix_head"), 40);
		assert_int_equal(audit_count(f->st, "H9", NULL), 0);
		assert_int_equal(audit_count(f->st, "H8", NULL), 0);
		assert_int_equal(audit_count(f->st, "H1", NULL), 40);
	}
	/* gone: made anew */
	store_close(f->st);
	assert_int_equal(unlink(ix), 0);
	assert_int_equal(store_open(&f->st, f->path, 0, &err), TN_OK);
	store_certs_checkpointer_stop(store_certs_checkpointer(f->st, 1000, 0));
	assert_int_equal(query_int(ix, "SELECT seq FROM ix_head"), 40);
	assert_int_equal(audit_count(f->st, "H1", "C1"), 13);
	/* not a database (damaged): made anew */
	store_close(f->st);
	garbage = fopen(ix, "wb");
	assert_non_null(garbage);
	for (int i = 0; i < 200; i++)
		fputs("this is not a SQLite database ", garbage);
	assert_int_equal(fclose(garbage), 0);
	assert_int_equal(store_open(&f->st, f->path, 0, &err), TN_OK);
	store_certs_checkpointer_stop(store_certs_checkpointer(f->st, 1000, 0));
	assert_int_equal(query_int(ix, "SELECT seq FROM ix_head"), 40);
	assert_int_equal(audit_count(f->st, "H1", "C2"), 13);
}

/*
 * A database served by the twonetd before (schema 14) kept audit_ix in the
 * database: it is dropped, the file holds the lookups.
 */
static void test_audit_ix_moved(void **state)
{
	struct fix *f = *state;
	char ix[200];
	char sql[1024];

	audit_rows(f->st, "H1", 12);
	/* the log itself is in its own file since schema 15, without audit's two indexes */
	snprintf(sql, sizeof(sql), "ATTACH '%s.audit' AS log; CREATE TABLE main.audit_ix (seq "
		 "INTEGER PRIMARY KEY, b INTEGER NOT NULL, holder TEXT, cert TEXT); INSERT INTO "
		 "main.audit_ix SELECT seq, seq >> 13, holder, cert FROM log.audit WHERE seq <= 5",
		 f->path);
	assert_int_equal(exec_sql(f->path, sql), 0);
	store_certs_checkpointer_stop(store_certs_checkpointer(f->st, 1000, 0));
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name = "
				   "'audit_ix'"), 0);
	ix_path(f, ix, sizeof(ix));
	assert_int_equal(query_int(ix, "SELECT seq FROM ix_head"), 12);
	assert_int_equal(audit_count(f->st, "H1", NULL), 12);
}

/* An index file of the first layout (the texts, user_version 0) is made again with filters. */
static void test_audit_ix_layout(void **state)
{
	struct fix *f = *state;
	char ix[200], sql[1024];

	audit_rows(f->st, "H1", 12);
	snprintf(sql, sizeof(sql), "CREATE TABLE audit_ix (seq INTEGER PRIMARY KEY, b INTEGER NOT "
		 "NULL, holder TEXT, cert TEXT); CREATE TABLE ix_head (id INTEGER PRIMARY KEY, seq "
		 "INTEGER NOT NULL, hash TEXT NOT NULL); ATTACH '%s.audit' AS m; INSERT INTO audit_ix "
		 "SELECT seq, 0, holder, cert FROM m.audit WHERE seq <= 3; INSERT INTO ix_head "
		 "SELECT 1, seq, hash FROM m.audit WHERE seq = 3", f->path);
	assert_int_equal(exec_sql(ix_path(f, ix, sizeof(ix)), sql), 0);
	store_certs_checkpointer_stop(store_certs_checkpointer(f->st, 1000, 0));
	assert_int_equal(query_int(ix, "PRAGMA user_version"), 3);
	assert_int_equal(query_int(ix, "SELECT count(*) FROM sqlite_master WHERE name = "
				   "'audit_ix'"), 0);
	assert_int_equal(query_int(ix, "SELECT seq FROM ix_head"), 12);
	assert_int_equal(audit_count(f->st, "H1", NULL), 12);
	assert_int_equal(audit_count(f->st, NULL, "C2"), 4);
}

/* PRAGMA synchronous of `schema` on the store's connection. */
static int sync_of(struct store *st, const char *schema)
{
	char sql[64];
	sqlite3_stmt *s;
	int v = -1;

	snprintf(sql, sizeof(sql), "PRAGMA %s.synchronous", schema);
	assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/*
 * TWONETD_SYNCHRONOUS: the database and its audit log synced at checkpoints
 * (NORMAL, 1: unset, empty or "normal") or at each commit (FULL, 2: "full",
 * any case); any other value refuses to open, naming the variable.
 */
static void test_sync_level(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	static const struct { const char *env; int level; } cases[] = {
		{ NULL, 1 }, { "", 1 }, { "normal", 1 }, { "NORMAL", 1 }, { "full", 2 }, { "Full", 2 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		store_close(f->st);
		f->st = NULL;
		if (cases[i].env)
			setenv("TWONETD_SYNCHRONOUS", cases[i].env, 1);
		else
			unsetenv("TWONETD_SYNCHRONOUS");
		assert_int_equal(store_open(&f->st, f->path, 0, &err), TN_OK);
		assert_int_equal(sync_of(f->st, "main"), cases[i].level);
		assert_int_equal(sync_of(f->st, "log"), cases[i].level);
		audit_rows(f->st, "H1", 3);     /* and it writes */
	}
	assert_int_equal(audit_count(f->st, "H1", NULL), 18);
	store_close(f->st);
	f->st = NULL;
	setenv("TWONETD_SYNCHRONOUS", "extra", 1);
	assert_int_equal(store_open(&f->st, f->path, 0, &err), TN_EUSAGE);
	assert_null(f->st);
	assert_non_null(strstr(err.message, "TWONETD_SYNCHRONOUS is 'extra'"));
	unsetenv("TWONETD_SYNCHRONOUS");
	assert_int_equal(store_open(&f->st, f->path, 0, &err), TN_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_checkpointer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpointer_wakes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpointer_bounds_db, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpointer_bounds_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpointer_syncs_db, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpointer_syncs_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_ix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_ix_unlocked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_ix_rebuilt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_ix_moved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_ix_layout, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
