/* store_certs_ckpt.c — a serving worker's checkpoint thread, and the audit log's index file (<db>.audit-index) it fills. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "tn_buf.h"
#include "store_int.h"
#include "store_certs.h"

struct store_ckpt {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int wanted, stop;
	long frames;            /* checkpoint when the log is this long */
	long limit;             /* start the log over when it is this long (0: never) */
	long failed[2];         /* the log's length at a restart that failed (0: none) */
	long restarts;          /* logs started over (store_certs_checkpointer_restarts) */
	long next[2];           /* the WAL's length at the next wake, database's and audit log's (the worker's thread only) */
	long wakes;             /* times the thread was woken (store_certs_checkpointer_wakes) */
	long runs, copied;      /* checkpoints made and pages copied (store_certs_checkpointer_wait) */
	int ix;                 /* the index file is attached to db as "ix" */
	sqlite3 *db;            /* the thread's own connection */
	struct store *st;
};

/*
 * The audit log's lookups by holder and by certificate.  Indexes on audit
 * itself (audit_holder, audit_cert: schema 2) made each read's row two
 * inserts at random places in them: two of the ~2.3 pages a read wrote to
 * the log, each copied again by the checkpoint.  A served database keeps
 * them instead in audit_ix, which the checkpoint thread fills in seq order,
 * IX_CHUNK rows a transaction, keyed first by the row's bucket (seq >>
 * IX_BUCKET_BITS): a chunk's entries land in the few pages of the newest
 * bucket, dozens a page.  Every row up to MAX(audit_ix.seq) is in it (rows
 * come in seq order); sqlite_audit_list probes each bucket and scans audit's
 * short tail past it.
 *
 * audit_ix is in a file of its own, attached as "ix": filling it takes that
 * file's write lock, never the database's, for which every worker's audit
 * flush waits (in the database, the fill's ~5 ms transactions were most of
 * the reads' waits for the lock).  It holds a 64-bit key of each holder and
 * certificate (twonet_ix_key, FNV-1a), not the text: a certificate's id is
 * about 90 bytes, and the fill's index pages were most of its work.  A
 * list reads each row it found in audit and matches the text there, so two
 * texts of one key cost a row read, never a wrong row.
 *
 * It is derived data: ix_head holds the number and hash of its last row, and
 * when the log does not hold that row (the file is another database's, or
 * older or newer than a restored copy) the index is emptied and filled again
 * from the first row.  A missing file is made anew; a file of another layout
 * (its user_version) is made again.  A database served by an older twonetd
 * kept audit_ix in the database itself (schema 14) or audit's two indexes
 * (before it): both are dropped once the file is in place.
 */
#define IX_CHUNK 2048
#define IX_CHUNK_SQL "2048"
#define IX_BUCKET_BITS "13"         /* 8192 rows a bucket */
#define IX_LAYOUT 2                 /* user_version; 1 (0 in the file) held the texts */
#define IX_LAYOUT_SQL "2"

/* The file's layout, on a connection of the file alone (dropping another layout's tables). */
static const char ix_layout[] =
	"DROP TABLE IF EXISTS audit_ix;"
	"DROP TABLE IF EXISTS ix_head;"
	"CREATE TABLE audit_ix (seq INTEGER PRIMARY KEY, b INTEGER NOT NULL, holder INTEGER, "
	"  cert INTEGER);"
	"CREATE INDEX audit_ix_holder ON audit_ix (b, holder, seq);"
	"CREATE INDEX audit_ix_cert ON audit_ix (b, cert, seq);"
	"CREATE TABLE ix_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, "
	"  hash TEXT NOT NULL);"
	"PRAGMA user_version = " IX_LAYOUT_SQL ";";

/* 1 when the index is another log's: its last row is not this log's. */
static const char ix_stale[] =
	"SELECT EXISTS (SELECT 1 FROM ix.ix_head h WHERE NOT EXISTS (SELECT 1 FROM log.audit a "
	"  WHERE a.seq = h.seq AND a.hash = h.hash)) OR (NOT EXISTS (SELECT 1 FROM ix.ix_head) "
	"  AND EXISTS (SELECT 1 FROM ix.audit_ix))";

/* Such an index emptied, in one transaction (checked again under the file's write lock). */
static const char ix_empty[] =
	"BEGIN;"
	"DELETE FROM ix.audit_ix WHERE NOT EXISTS (SELECT 1 FROM ix.ix_head h, log.audit a "
	"  WHERE a.seq = h.seq AND a.hash = h.hash);"
	"DELETE FROM ix.ix_head WHERE NOT EXISTS (SELECT 1 FROM log.audit a "
	"  WHERE a.seq = ix_head.seq AND a.hash = ix_head.hash);"
	"COMMIT;";

static const char old_layout_drop[] =
	"BEGIN IMMEDIATE;"
	"DROP INDEX IF EXISTS main.audit_holder;"
	"DROP INDEX IF EXISTS main.audit_cert;"
	"DROP TABLE IF EXISTS main.audit_ix;"
	"COMMIT;";

/* twonet_ix_key(TEXT): its 64-bit FNV-1a hash as an integer; NULL stays NULL. */
static void ix_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *p = sqlite3_value_text(argv[0]);
	int n = sqlite3_value_bytes(argv[0]);
	unsigned long long h = 14695981039346656037ULL;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL || !p) {
		sqlite3_result_null(ctx);
		return;
	}
	for (int i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	sqlite3_result_int64(ctx, (sqlite3_int64)h);
}

/*
 * The file made when missing, with the database's mode (it is about the
 * holders), and its layout.  SQLITE_OK, or SQLite's code with `why` set.
 */
static int ix_make(const char *db_path, const char *path, char *why, size_t size)
{
	struct stat sb;
	sqlite3 *f;
	sqlite3_stmt *s;
	int fd, v = -1, rc;

	if (stat(db_path, &sb) == 0 &&
	    (fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, sb.st_mode & 0666)) >= 0)
		close(fd);      /* empty: a new database to SQLite */
	rc = sqlite3_open_v2(path, &f, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(f, 2000);
		/* the file alone: its write lock, not the database's (workers starting together take turns) */
		rc = sqlite3_exec(f, "PRAGMA journal_mode = WAL; BEGIN IMMEDIATE", NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK && (rc = sqlite3_prepare_v2(f, "PRAGMA user_version", -1, &s, NULL)) ==
	    SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int(s, 0);
		rc = sqlite3_finalize(s);
	}
	if (rc == SQLITE_OK && v != IX_LAYOUT)
		rc = sqlite3_exec(f, ix_layout, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(f, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		snprintf(why, size, "%s", f ? sqlite3_errmsg(f) : sqlite3_errstr(rc));
	sqlite3_close(f);       /* an open transaction is rolled back */
	return rc;
}

/* ATTACH the index file of `st` to `db` as "ix", with twonet_ix_key; `make`: ix_make first.  0 when done. */
static int ix_attach(struct store *st, sqlite3 *db, int make)
{
	struct tn_buf path = TN_BUF_INIT;
	sqlite3_stmt *s;
	char why[256] = "";
	int rc = SQLITE_OK;

	tn_buf_addf(&path, "%s.audit-index", st->path);
	if (make) {
		rc = ix_make(st->path, path.buf, why, sizeof(why));
		if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) {      /* derived data */
			fprintf(stderr, "twonetd: warning: audit index '%s': %s; made again from "
				"the log\n", path.buf, why);
			store_remove_files(path.buf);     /* not a database: made again */
			rc = ix_make(st->path, path.buf, why, sizeof(why));
		}
		if (rc != SQLITE_OK)
			fprintf(stderr, "twonetd: warning: audit index '%s': %s; lists by holder or "
				"certificate read the log itself\n", path.buf, why);
	}
	if (rc == SQLITE_OK &&
	    sqlite3_create_function_v2(db, "twonet_ix_key", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC |
				       SQLITE_INNOCUOUS, NULL, ix_key, NULL, NULL, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "ATTACH DATABASE ? AS ix", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, path.buf, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
	} else {
		rc = SQLITE_ERROR;
	}
	tn_buf_release(&path);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* 1 when ix_stale says so, or cannot say (a read: the workers starting together do not queue). */
static int ix_is_stale(sqlite3 *db)
{
	sqlite3_stmt *s;
	int stale = 1;

	if (sqlite3_prepare_v2(db, ix_stale, -1, &s, NULL) != SQLITE_OK)
		return 1;
	if (sqlite3_step(s) == SQLITE_ROW)
		stale = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return stale;
}

/*
 * The index file on the thread's connection: made when missing or of another
 * layout, emptied when it is another log's, then the old layout dropped from
 * the database.  0 when
 * the file is in use; otherwise the lookups stay where they were.
 */
static int ix_open(struct store_ckpt *c)
{
	if (ix_attach(c->st, c->db, 1) != 0)
		return -1;
	/* its own log, synced at checkpoints only: a crash loses no more than a refill */
	if (sqlite3_exec(c->db, "PRAGMA ix.synchronous = NORMAL;"
			 "PRAGMA ix.journal_size_limit = 67108864", NULL, NULL, NULL) != SQLITE_OK ||
	    (ix_is_stale(c->db) && sqlite3_exec(c->db, ix_empty, NULL, NULL, NULL) != SQLITE_OK)) {
		if (!sqlite3_get_autocommit(c->db))
			sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_exec(c->db, "DETACH DATABASE ix", NULL, NULL, NULL);
		return -1;
	}
	/* once; workers starting together take turns */
	if ((store_has_object(c->db, "main", "audit_holder") > 0 ||
	     store_has_object(c->db, "main", "audit_cert") > 0 ||
	     store_has_object(c->db, "main", "audit_ix") > 0) &&
	    sqlite3_exec(c->db, old_layout_drop, NULL, NULL, NULL) != SQLITE_OK &&
	    !sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	c->ix = 1;
	return 0;
}

/* Index the rows past audit_ix's last, a chunk a transaction, until none is left or `c` stops. */
static void ix_catch_up(struct store_ckpt *c)
{
	sqlite3_stmt *s, *h;
	int n, stop;

	if (!c->ix)
		return;
	if (sqlite3_prepare_v2(c->db, "INSERT INTO ix.audit_ix (seq, b, holder, cert) SELECT seq, "
			       "seq >> " IX_BUCKET_BITS ", twonet_ix_key(holder), twonet_ix_key(cert) "
			       "FROM log.audit WHERE "
			       "seq > (SELECT COALESCE(MAX(seq), 0) FROM ix.audit_ix) ORDER BY seq "
			       "LIMIT " IX_CHUNK_SQL, -1, &s, NULL) != SQLITE_OK)
		return;
	if (sqlite3_prepare_v2(c->db, "INSERT OR REPLACE INTO ix.ix_head (id, seq, hash) SELECT 1, "
			       "seq, hash FROM log.audit WHERE seq = (SELECT MAX(seq) FROM "
			       "ix.audit_ix)", -1, &h, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return;
	}
	do {
		n = 0;
		/* the chunk and its head together; a deferred BEGIN: the first write takes ix's lock */
		if (sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK) {
			if (sqlite3_step(s) == SQLITE_DONE)
				n = sqlite3_changes(c->db);
			if (n > 0 && sqlite3_step(h) != SQLITE_DONE)
				n = 0;
			sqlite3_reset(s);
			sqlite3_reset(h);
			if (sqlite3_exec(c->db, n > 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL) !=
			    SQLITE_OK) {
				n = 0;
				if (!sqlite3_get_autocommit(c->db))
					sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
			}
		}
		pthread_mutex_lock(&c->mu);
		stop = c->stop;
		pthread_mutex_unlock(&c->mu);
	} while (n == IX_CHUNK && !stop);
	sqlite3_finalize(h);
	sqlite3_finalize(s);
}

/*
 * After each commit of the worker's connection: wake the thread when the log
 * is long, then again each time it grew by as much.  A checkpoint that could
 * not copy the whole log (a reader still used its end) left it long; waking
 * at every commit after it made a checkpoint, with its two fsyncs, of every
 * commit (363 in 3,000 alert posts, writes stalled behind them for up to 17 ms).
 */
static int wal_grown(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store_ckpt *c = arg;
	long *next;

	(void)db;
	if (strcmp(name, "main") == 0)
		next = &c->next[0];
	else if (strcmp(name, "log") == 0)
		next = &c->next[1];
	else
		return SQLITE_OK;
	if (frames < *next - c->frames)       /* the log restarted */
		*next = c->frames;
	if (frames >= *next) {
		*next = (long)frames + c->frames;
		pthread_mutex_lock(&c->mu);
		c->wakes++;
		c->wanted = 1;
		pthread_cond_broadcast(&c->cv);       /* the thread, not only a waiter */
		pthread_mutex_unlock(&c->mu);
	}
	return SQLITE_OK;
}

/*
 * Keep the log of `schema` ("main" or "log") under c->limit frames.  A
 * PASSIVE checkpoint copies the log while writers go on; SQLite starts the
 * log over only when a writer begins and finds it wholly copied.  Writers
 * that never pause (two workers committing every loop turn, or one client
 * reading in a loop: 7,300 audited reads a second on one connection) never
 * leave that moment, and the file grew without end, 30-65 MB a second.
 * Past the limit, a RESTART checkpoint holds the writers (their try-locks
 * retry; the loops run on) while it copies the tail, syncs, and waits for
 * the log's readers; then the next commit writes from the log's start.
 * A filing's BEGIN IMMEDIATE takes the audit log's lock too: it waits as
 * well, in its worker's loop.  Measured at saturation: 17-140 ms each, the
 * two fsyncs' cost whatever the tail's length (a PASSIVE just before left
 * ~100 frames).  Should a reader outlast the wait (a long audit list), the
 * next try waits until the log has grown by the limit again: one such wait
 * per limit, not one per wake.
 */
static void bound(struct store_ckpt *c, const char *schema, int i, int frames)
{
	/* its waits: short steps (a writer holds the lock for a commit, ~1 ms), ~50 ms in all */
	static int restart_tries = 1000;
	int log = 0, done = 0, rc;

	if (c->limit <= 0 || frames < c->limit)
		return;
	/* a reader outlasted the last try: the next once the log grew by the limit again
	 * (or at once if it is shorter than then: it started over since, and grew back) */
	if (c->failed[i] && frames >= c->failed[i] && frames < c->failed[i] + c->limit)
		return;
	sqlite3_busy_handler(c->db, store_busy_steps, &restart_tries);
	rc = sqlite3_wal_checkpoint_v2(c->db, schema, SQLITE_CHECKPOINT_RESTART, &log, &done);
	sqlite3_busy_timeout(c->db, 2000);
	pthread_mutex_lock(&c->mu);
	if (rc == SQLITE_OK) {
		c->restarts++;
		c->failed[i] = 0;
	} else {
		c->failed[i] = frames;
	}
	pthread_mutex_unlock(&c->mu);
}

static void *ckpt_main(void *arg)
{
	struct store_ckpt *c = arg;

	ix_catch_up(c);                 /* the rows so far (all of them in a new file) */
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->wanted && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stop)
			break;
		c->wanted = 0;
		pthread_mutex_unlock(&c->mu);
		/* PASSIVE: copies what no reader still needs, never waits for a lock */
		int log = 0, done = 0, more = 0;

		ix_catch_up(c);
		if (sqlite3_wal_checkpoint_v2(c->db, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &done) ==
		    SQLITE_OK)
			bound(c, "main", 0, log);
		if (sqlite3_wal_checkpoint_v2(c->db, "log", SQLITE_CHECKPOINT_PASSIVE, &log, &more) ==
		    SQLITE_OK) {
			if (more > 0)
				done += more;
			bound(c, "log", 1, log);
		}
		if (c->ix)
			sqlite3_wal_checkpoint_v2(c->db, "ix", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&c->mu);
		c->runs++;
		c->copied += done > 0 ? done : 0;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/*
 * A log file is cut back when it restarts (it never shrank): to 64 MiB, or
 * to the limit's length when that is longer, so that the file is written
 * over in place, not cut and grown again at each restart (that made each
 * restart cost more).  A frame is a page and its 24-byte header.
 */
static void keep_size(sqlite3 *db, const char *schema, long limit)
{
	long long keep = 67108864, page = 4096;
	char sql[96];
	sqlite3_stmt *s;

	snprintf(sql, sizeof(sql), "PRAGMA %s.page_size", schema);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int64(s, 0) > 0)
			page = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	if (32 + (long long)limit * (page + 24) > keep)
		keep = 32 + (long long)limit * (page + 24);
	snprintf(sql, sizeof(sql), "PRAGMA %s.journal_size_limit = %lld", schema, keep);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
}

struct store_ckpt *sqlite_certs_checkpointer(struct store *st, long frames, long limit)
{
	struct store_ckpt *c = tn_xcalloc(1, sizeof(*c));

	c->st = st;
	c->frames = frames;
	c->limit = limit;
	c->next[0] = c->next[1] = frames;
	/*
	 * A connection that has read nothing does not know the database is in
	 * WAL mode: its checkpoints return SQLITE_OK and copy nothing (the log
	 * grew without end under load).  Reading the header opens the log.
	 */
	if (sqlite3_open_v2(st->path, &c->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_exec(c->db, "PRAGMA schema_version", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite_log_attach(c->db, st->path) != SQLITE_OK ||
	    sqlite3_exec(c->db, "PRAGMA log.schema_version", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	sqlite3_busy_timeout(c->db, 2000);
	/*
	 * As the workers' connections: no fdatasync at a commit, and no
	 * automatic checkpoint after it: this thread makes them.
	 */
	sqlite3_exec(c->db, "PRAGMA cache_size = -16384; PRAGMA synchronous = NORMAL", NULL, NULL,
		     NULL);
	sqlite3_wal_autocheckpoint(c->db, 0);
	if (ix_open(c) == 0)
		st->ix_ready = 1;       /* the worker's lists read the file now checked */
	keep_size(st->db, "main", limit);
	keep_size(st->db, "log", limit);
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (pthread_create(&c->thread, NULL, ckpt_main, c) != 0) {
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	sqlite3_wal_hook(st->db, wal_grown, c);  /* instead of the automatic checkpoint */
	return c;
}

sqlite3 *sqlite_audit_ixdb(struct store *st)
{
	sqlite3 *db = NULL;

	if (st->ixdb || !st->ix_ready)
		return st->ixdb;
	if (sqlite3_open_v2(st->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK || sqlite_log_attach(db, st->path) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA query_only = 1", NULL, NULL, NULL) != SQLITE_OK ||
	    ix_attach(st, db, 0) != 0) {
		sqlite3_close(db);
		st->ix_ready = 0;       /* the lists scan instead */
		return NULL;
	}
	sqlite3_busy_timeout(db, STORE_BUSY_MS);
	st->ixdb = db;
	return db;
}

long store_certs_checkpointer_wait(struct store_ckpt *c, long runs)
{
	long copied;

	pthread_mutex_lock(&c->mu);
	while (c->runs < runs)
		pthread_cond_wait(&c->cv, &c->mu);
	copied = c->copied;
	pthread_mutex_unlock(&c->mu);
	return copied;
}

long store_certs_checkpointer_restarts(struct store_ckpt *c)
{
	long n;

	if (!c)
		return 0;
	pthread_mutex_lock(&c->mu);
	n = c->restarts;
	pthread_mutex_unlock(&c->mu);
	return n;
}

long store_certs_checkpointer_wakes(struct store_ckpt *c)
{
	long n;

	pthread_mutex_lock(&c->mu);
	n = c->wakes;
	pthread_mutex_unlock(&c->mu);
	return n;
}

void store_certs_checkpointer_stop(struct store_ckpt *c)
{
	if (!c)
		return;
	sqlite3_wal_autocheckpoint(c->st->db, 1000);    /* SQLite's own again */
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	c->stop = 0;
	ix_catch_up(c);                 /* what this worker wrote last is indexed too */
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	sqlite3_close(c->db);
	free(c);
}
