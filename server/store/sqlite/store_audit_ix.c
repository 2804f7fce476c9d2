/* store_audit_ix.c — the audit log's lookup file (<db>.audit-index): Bloom filters of holders and certificates, a bucket of rows each. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "tn_buf.h"
#include "store_int.h"

/*
 * The audit log's lookups by holder and by certificate (GET /v1/audit?holder=
 * or ?cert=: cert-audit).  Indexes on audit itself (schema 2) made each
 * read's row two inserts at random places; then (layout 2 of this file) an
 * index table filled behind the writes, one entry a row in each of two
 * b-trees: at 50,000 reads a second its filling was 8% of the server's CPU
 * and, holding a read of the log, took the reads' p99 from 2.8 to 4.7 ms.
 * What the lookups need is where to look, not each row: the file keeps, for
 * each bucket of IX_BUCKET rows (seq >> IX_BUCKET_BITS), one Bloom filter of
 * the holders and one of the certificates in it (IX_BITS bits, IX_HASHES
 * bits a key set; 0.24% false hits at 2,048 distinct keys).  Filling a row
 * is two hashes and a few bits in memory; a chunk writes its bucket's two
 * filters once.  A list reads the filters and scans the buckets whose filter
 * says "maybe" (2,048 rows each, by seq), and then the rows past the
 * file's last; every row is matched by its text, so a false hit costs a
 * bucket's scan, never a wrong row.
 *
 * The file is its own SQLite file, attached as "ix": filling it takes that
 * file's write lock, never the log's.  It is derived data: ix_head holds the
 * number and hash of the last row in it, and when the log does not hold that
 * row (another database's file, a restored copy) it is emptied and filled
 * again from the first row.  A missing file is made anew; a file of another
 * layout (its user_version) is made again.  A database served by an older
 * twonetd kept an index table in the database itself (schema 14) or audit's
 * two indexes (before it): both are dropped once the file is in place.
 */
#define IX_BUCKET_BITS 11               /* 2048 rows a bucket */
#define IX_BUCKET_BITS_SQL "11"
#define IX_BITS (1u << 15)              /* a filter: 4 KiB */
#define IX_HASHES 4
#define IX_CHUNK 8192                   /* rows a transaction */
#define IX_LAYOUT 3                     /* user_version; 2 held an entry a row */
#define IX_LAYOUT_SQL "3"

/* The file's layout, on a connection of the file alone (dropping another layout's tables). */
static const char ix_layout[] =
	"DROP TABLE IF EXISTS audit_ix;"
	"DROP TABLE IF EXISTS ix_head;"
	"DROP TABLE IF EXISTS ix_bloom;"
	"CREATE TABLE ix_bloom (b INTEGER PRIMARY KEY, holder BLOB NOT NULL, cert BLOB NOT NULL);"
	"CREATE TABLE ix_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, "
	"  hash TEXT NOT NULL);"
	"PRAGMA user_version = " IX_LAYOUT_SQL ";";

/* 1 when the index is another log's: its last row is not this log's. */
static const char ix_stale[] =
	"SELECT EXISTS (SELECT 1 FROM ix.ix_head h WHERE NOT EXISTS (SELECT 1 FROM log.audit a "
	"  WHERE a.seq = h.seq AND a.hash = h.hash)) OR (NOT EXISTS (SELECT 1 FROM ix.ix_head) "
	"  AND EXISTS (SELECT 1 FROM ix.ix_bloom))";

/* Such an index emptied, in one transaction (checked again under the file's write lock). */
static const char ix_empty[] =
	"BEGIN;"
	"DELETE FROM ix.ix_bloom WHERE NOT EXISTS (SELECT 1 FROM ix.ix_head h, log.audit a "
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

/* The 64-bit FNV-1a hash of s[0, n). */
static uint64_t key_of(const unsigned char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}

/* The IX_HASHES bits of `key` in a filter (double hashing). */
static void bits_of(uint64_t key, uint32_t pos[IX_HASHES])
{
	uint32_t h1 = (uint32_t)key, h2 = (uint32_t)(key >> 32) | 1;

	for (int i = 0; i < IX_HASHES; i++)
		pos[i] = (h1 + (uint32_t)i * h2) & (IX_BITS - 1);
}

static void bloom_add(unsigned char *f, const unsigned char *s, size_t n)
{
	uint32_t pos[IX_HASHES];

	bits_of(key_of(s, n), pos);
	for (int i = 0; i < IX_HASHES; i++)
		f[pos[i] >> 3] |= (unsigned char)(1u << (pos[i] & 7));
}

/* twonet_ix_maybe(FILTER, TEXT): 1 when the filter may hold the text, else 0; a NULL text or a damaged filter: 1. */
static void ix_maybe(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *f = sqlite3_value_blob(argv[0]);
	const unsigned char *s = sqlite3_value_text(argv[1]);
	uint32_t pos[IX_HASHES];
	int maybe = 1;

	(void)argc;
	if (f && s && sqlite3_value_bytes(argv[0]) == IX_BITS / 8) {
		bits_of(key_of(s, (size_t)sqlite3_value_bytes(argv[1])), pos);
		for (int i = 0; i < IX_HASHES; i++)
			if (!(f[pos[i] >> 3] & (1u << (pos[i] & 7))))
				maybe = 0;
	}
	sqlite3_result_int(ctx, maybe);
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
		/* the file alone: its write lock, not the database's (processes starting together take turns) */
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

int sqlite_ix_attach(struct store *st, sqlite3 *db, int make)
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
	    sqlite3_create_function_v2(db, "twonet_ix_maybe", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC |
				       SQLITE_INNOCUOUS, NULL, ix_maybe, NULL, NULL, NULL) == SQLITE_OK &&
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

/* 1 when ix_stale says so, or cannot say (a read: processes starting together do not queue). */
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

int sqlite_ix_open(struct store *st, sqlite3 *db)
{
	if (sqlite_ix_attach(st, db, 1) != 0)
		return -1;
	/* its own log, synced at checkpoints only: a crash loses no more than a refill */
	if (sqlite3_exec(db, "PRAGMA ix.synchronous = NORMAL;"
			 "PRAGMA ix.journal_size_limit = 67108864", NULL, NULL, NULL) != SQLITE_OK ||
	    (ix_is_stale(db) && sqlite3_exec(db, ix_empty, NULL, NULL, NULL) != SQLITE_OK)) {
		if (!sqlite3_get_autocommit(db))
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_exec(db, "DETACH DATABASE ix", NULL, NULL, NULL);
		return -1;
	}
	/* once; processes starting together take turns */
	if ((store_has_object(db, "main", "audit_holder") > 0 ||
	     store_has_object(db, "main", "audit_cert") > 0 ||
	     store_has_object(db, "main", "audit_ix") > 0) &&
	    sqlite3_exec(db, old_layout_drop, NULL, NULL, NULL) != SQLITE_OK &&
	    !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return 0;
}

/* A bucket's two filters, as the file holds them (zeros when it holds none). */
struct bucket {
	long long b;            /* -1: none loaded */
	unsigned char holder[IX_BITS / 8], cert[IX_BITS / 8];
};

static int bucket_load(sqlite3_stmt *get, struct bucket *k, long long b)
{
	int rc;

	k->b = b;
	memset(k->holder, 0, sizeof(k->holder));
	memset(k->cert, 0, sizeof(k->cert));
	sqlite3_bind_int64(get, 1, b);
	rc = sqlite3_step(get);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(get, 0) == (int)sizeof(k->holder) &&
	    sqlite3_column_bytes(get, 1) == (int)sizeof(k->cert)) {
		memcpy(k->holder, sqlite3_column_blob(get, 0), sizeof(k->holder));
		memcpy(k->cert, sqlite3_column_blob(get, 1), sizeof(k->cert));
	}
	sqlite3_reset(get);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int bucket_save(sqlite3_stmt *put, const struct bucket *k)
{
	int rc;

	sqlite3_bind_int64(put, 1, k->b);
	sqlite3_bind_blob(put, 2, k->holder, sizeof(k->holder), SQLITE_STATIC);
	sqlite3_bind_blob(put, 3, k->cert, sizeof(k->cert), SQLITE_STATIC);
	rc = sqlite3_step(put);
	sqlite3_reset(put);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* One chunk of rows past the file's last into their buckets' filters: the rows taken, -1 on error. */
static long chunk(sqlite3_stmt *const st[4], struct bucket *k)
{
	sqlite3_stmt *sel = st[0], *get = st[1], *put = st[2], *head = st[3];
	long long last = 0;
	char hash[65] = "";
	long n = 0;
	int rc;

	k->b = -1;
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		long long seq = sqlite3_column_int64(sel, 0), b = seq >> IX_BUCKET_BITS;
		int hlen = sqlite3_column_bytes(sel, 3);

		if (b != k->b && ((k->b >= 0 && bucket_save(put, k) < 0) || bucket_load(get, k, b) < 0))
			break;
		if (sqlite3_column_type(sel, 1) != SQLITE_NULL)
			bloom_add(k->holder, sqlite3_column_text(sel, 1),
				  (size_t)sqlite3_column_bytes(sel, 1));
		if (sqlite3_column_type(sel, 2) != SQLITE_NULL)
			bloom_add(k->cert, sqlite3_column_text(sel, 2),
				  (size_t)sqlite3_column_bytes(sel, 2));
		if (hlen > 64)
			hlen = 64;
		memcpy(hash, sqlite3_column_text(sel, 3), (size_t)hlen);
		hash[hlen] = '\0';
		last = seq;
		n++;
	}
	sqlite3_reset(sel);
	if (rc != SQLITE_DONE)
		return -1;
	if (n == 0)
		return 0;
	sqlite3_bind_int64(head, 1, last);
	sqlite3_bind_text(head, 2, hash, -1, SQLITE_STATIC);
	rc = bucket_save(put, k) == 0 && sqlite3_step(head) == SQLITE_DONE;
	sqlite3_reset(head);
	return rc ? n : -1;
}

void sqlite_ix_catch_up(sqlite3 *db, int (*stopping)(void *), void *arg)
{
	static const char *const sql[4] = {
		"SELECT seq, holder, cert, hash FROM log.audit WHERE seq > COALESCE((SELECT seq "
		"FROM ix.ix_head), 0) ORDER BY seq LIMIT 8192",
		"SELECT holder, cert FROM ix.ix_bloom WHERE b = ?",
		"INSERT OR REPLACE INTO ix.ix_bloom (b, holder, cert) VALUES (?, ?, ?)",
		"INSERT OR REPLACE INTO ix.ix_head (id, seq, hash) VALUES (1, ?, ?)",
	};
	sqlite3_stmt *st[4] = { NULL, NULL, NULL, NULL };
	struct bucket *k = tn_xmalloc(sizeof(*k));
	long n = 0;
	int i;

	for (i = 0; i < 4; i++)
		if (sqlite3_prepare_v2(db, sql[i], -1, &st[i], NULL) != SQLITE_OK)
			break;
	while (i == 4) {
		/* the chunk and its head together; a deferred BEGIN: the first write takes ix's lock */
		if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
			break;
		n = chunk(st, k);
		if (sqlite3_exec(db, n > 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK) {
			n = 0;
			if (!sqlite3_get_autocommit(db))
				sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		}
		if (n < IX_CHUNK || stopping(arg))
			break;
	}
	for (i = 0; i < 4; i++)
		sqlite3_finalize(st[i]);
	free(k);
}

void sqlite_ix_where(struct store_query *q, const char *col, const char *v, long long after)
{
	char sql[512];

	/* the buckets whose filter may hold v, scanned by seq; then the rows past the file's last */
	snprintf(sql, sizeof(sql), " AND seq IN (SELECT a.seq FROM ix.ix_bloom x, audit a WHERE "
		 "twonet_ix_maybe(x.%s, ?) AND a.seq >= (x.b << " IX_BUCKET_BITS_SQL ") AND a.seq < "
		 "((x.b + 1) << " IX_BUCKET_BITS_SQL ")", col);
	store_q_text(q, sql, v);
	store_q_num(q, " AND a.seq > ?", after);
	/* +: not a term for an index (SQLite made an automatic one of the whole log each list) */
	snprintf(sql, sizeof(sql), " AND +a.%s = ?", col);
	store_q_text(q, sql, v);
	snprintf(sql, sizeof(sql), " UNION ALL SELECT seq FROM audit WHERE seq > COALESCE((SELECT "
		 "seq FROM ix.ix_head), 0) AND %s = ?)", col);
	store_q_text(q, sql, v);
}
