/* store_certs_ckpt.c — the checkpoint thread of a connection that writes (a worker, the audit writer): the logs kept short, the audit index file filled (store_audit_ix.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>
#include <time.h>

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
	long held_us;           /* the longest of those restarts (store_certs_checkpointer_restart_ms) */
	long synced[2];         /* frames copied at the thread's last sync of each database file */
	long syncs;             /* those syncs (store_certs_checkpointer_syncs) */
	long next[2];           /* the WAL's length at the next wake, database's and audit log's (the worker's thread only) */
	long wakes;             /* times the thread was woken (store_certs_checkpointer_wakes) */
	long runs, copied;      /* checkpoints made and pages copied (store_certs_checkpointer_wait) */
	int ix;                 /* the index file is attached to db as "ix" */
	sqlite3 *db;            /* the thread's own connection */
	struct store *st;
};

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

/* Sync one file of `schema` through SQLite's own handle: its log (op
 * SQLITE_FCNTL_JOURNAL_POINTER) or the database file (SQLITE_FCNTL_FILE_POINTER); 0 when synced. */
static int file_sync(sqlite3 *db, const char *schema, int op)
{
	sqlite3_file *f = NULL;

	if (sqlite3_file_control(db, schema, op, &f) != SQLITE_OK || !f || !f->pMethods ||
	    f->pMethods->xSync(f, SQLITE_SYNC_NORMAL) != SQLITE_OK)
		return -1;
	return 0;
}

static long us_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)(t.tv_sec - t0->tv_sec) * 1000000L + (long)(t.tv_nsec - t0->tv_nsec) / 1000L;
}

/*
 * Just before a restart, while the writers go on: copy the log and sync
 * both files.  The restart syncs them again while it holds the writers,
 * and a sync's cost was mostly what came before it: 27-31 ms a restart
 * without this step (the first sync after a while of writes pays for the
 * file system's journal), 1.8-3.3 ms with it, its own syncs 2-31 ms off
 * the writers' path (the database's 50,000 certificates read by 64
 * connections, the log restarted every 128 MiB).  The loop's checkpoint
 * has just run: this one copies what came since.
 *
 * A round that took long left a long tail: the writers go on meanwhile,
 * and the restart copies and syncs what they added while it holds them.
 * On a machine whose first sync of the database file took 140-215 ms, the
 * log grew by 1,000-1,400 pages during it and the restarts held the
 * writers 18-57 ms; so the rounds go on, up to PRESYNC_ROUNDS, until one
 * took less than PRESYNC_SHORT_US (the second took 14-41 ms, the third
 * 5-9 ms): the restarts then held them 1.4-4.1 ms (the longest of a run).
 */
#define PRESYNC_ROUNDS 4
#define PRESYNC_SHORT_US 20000L

static void presync(struct store_ckpt *c, const char *schema)
{
	struct timespec t0;

	for (int round = 0; round < PRESYNC_ROUNDS; round++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (sqlite3_wal_checkpoint_v2(c->db, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) !=
		    SQLITE_OK)
			return;
		file_sync(c->db, schema, SQLITE_FCNTL_JOURNAL_POINTER);
		file_sync(c->db, schema, SQLITE_FCNTL_FILE_POINTER);
		if (us_since(&t0) < PRESYNC_SHORT_US)
			return;
	}
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
 * well, in its worker's loop.  Its two fsyncs, of the log's tail and of
 * the database file, are what the writers wait for; presync() makes them
 * short.  Should a reader outlast the wait (a long audit list), the next
 * try waits until the log has grown by the limit again: one such wait per
 * limit, not one per wake.
 */
static void bound(struct store_ckpt *c, const char *schema, int i, int frames)
{
	/* its waits: short steps (a writer holds the lock for a commit, ~1 ms), ~50 ms in all */
	static int restart_tries = 1000;
	struct timespec t0;
	int log = 0, done = 0, rc;
	long us;

	if (c->limit <= 0 || frames < c->limit)
		return;
	/* a reader outlasted the last try: the next once the log grew by the limit again
	 * (or at once if it is shorter than then: it started over since, and grew back) */
	if (c->failed[i] && frames >= c->failed[i] && frames < c->failed[i] + c->limit)
		return;
	presync(c, schema);
	sqlite3_busy_handler(c->db, store_busy_steps, &restart_tries);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = sqlite3_wal_checkpoint_v2(c->db, schema, SQLITE_CHECKPOINT_RESTART, &log, &done);
	us = us_since(&t0);
	sqlite3_busy_timeout(c->db, 2000);
	pthread_mutex_lock(&c->mu);
	if (rc == SQLITE_OK) {
		c->restarts++;
		c->failed[i] = 0;
		if (us > c->held_us)
			c->held_us = us;
	} else {
		c->failed[i] = frames;
	}
	pthread_mutex_unlock(&c->mu);
}

/*
 * A PASSIVE checkpoint that does not reach the log's end (a writer went on
 * meanwhile, or a reader holds it) copies pages into the database file but
 * leaves them unsynced: SQLite syncs the file only when a checkpoint copied
 * the whole log, which a writer that never pauses never lets happen.  Every
 * copy since the last restart (~30 s at saturation) then waited in the page
 * cache, and the restart's sync wrote them all while it held the writers:
 * 110-225 ms at 1 GiB (median 198 ms; every audited read waiting behind
 * it).  With each copy synced here, off the writers' path, as soon as it is
 * made: 16-164 ms (median 79 ms over 19 restarts); presync() above then
 * made the wait 1.8-12.3 ms (50 ms once, in ~80 restarts), and its rounds
 * 1.4-4.1 ms on a machine whose syncs were slower.
 */
static void sync_copied(struct store_ckpt *c, const char *schema, int i, int log, int done)
{
	if (done <= 0 || done >= log || done == c->synced[i])
		return;
	c->synced[i] = done;
	if (file_sync(c->db, schema, SQLITE_FCNTL_FILE_POINTER) < 0)
		return;
	pthread_mutex_lock(&c->mu);
	c->syncs++;
	pthread_mutex_unlock(&c->mu);
}

/* Whether the thread is asked to stop (sqlite_ix_catch_up's question between chunks). */
static int stopping(void *arg)
{
	struct store_ckpt *c = arg;
	int stop;

	pthread_mutex_lock(&c->mu);
	stop = c->stop;
	pthread_mutex_unlock(&c->mu);
	return stop;
}

static void *ckpt_main(void *arg)
{
	struct store_ckpt *c = arg;

	if (c->ix)                      /* the rows so far (all of them in a new file) */
		sqlite_ix_catch_up(c->db, stopping, c);
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

		if (c->ix)
			sqlite_ix_catch_up(c->db, stopping, c);
		if (sqlite3_wal_checkpoint_v2(c->db, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &done) ==
		    SQLITE_OK) {
			sync_copied(c, "main", 0, log, done);
			bound(c, "main", 0, log);
		}
		if (sqlite3_wal_checkpoint_v2(c->db, "log", SQLITE_CHECKPOINT_PASSIVE, &log, &more) ==
		    SQLITE_OK) {
			sync_copied(c, "log", 1, log, more);
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
	 * One thread uses it at a time (the thread, then its stop): no lock a
	 * call (they were 3% of the audit writer's time, in the index filler).
	 */
	if (sqlite3_open_v2(st->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK ||
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
	if (sqlite_ix_open(st, c->db) == 0) {
		c->ix = 1;
		st->ix_ready = 1;       /* the worker's lists read the file now checked */
	}
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
	    sqlite_ix_attach(st, db, 0) != 0) {
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

/* One of the thread's counters, read under its lock (the readers below: 0 for NULL). */
static long counter(struct store_ckpt *c, const long *n)
{
	long v;

	pthread_mutex_lock(&c->mu);
	v = *n;
	pthread_mutex_unlock(&c->mu);
	return v;
}

long store_certs_checkpointer_restarts(struct store_ckpt *c)
{
	return c ? counter(c, &c->restarts) : 0;
}

double store_certs_checkpointer_restart_ms(struct store_ckpt *c)
{
	return c ? (double)counter(c, &c->held_us) / 1000.0 : 0;
}

long store_certs_checkpointer_syncs(struct store_ckpt *c)
{
	return c ? counter(c, &c->syncs) : 0;
}

long store_certs_checkpointer_wakes(struct store_ckpt *c)
{
	return c ? counter(c, &c->wakes) : 0;
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
	if (c->ix)                      /* what this worker wrote last is indexed too */
		sqlite_ix_catch_up(c->db, stopping, c);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	sqlite3_close(c->db);
	free(c);
}
