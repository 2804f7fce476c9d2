/* store_audit_log.c — the audit log's own file, PATH.audit: attaching it as "log", moving the log there (schema 15), its write lock. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tn_buf.h"
#include "store_int.h"

/*
 * Why a file of its own.  Every certificate read appends an audit row, so a
 * served database is written all the time, by every worker.  SQLite drops a
 * connection's whole page cache when it begins a read and finds that
 * another connection changed the file since (pager_reset on a changed WAL
 * header): with the log in the database, each worker read every certificate
 * and token from the file again, about 3.8 pread a read, and its cache of
 * 64 MiB served nothing.  With the log in PATH.audit, attached as "log" to
 * every connection, the appends change that file only: the database's pages
 * stay cached while nothing else is written (27,400 -> 34,000 audited reads
 * a second on 2 cores, p99 8.5 -> 4.7 ms, bench/certs.sh).
 *
 * Tables audit and audit_head (their schema as in store_certs.c, with its
 * append-only triggers) live in "log"; unqualified names find them there, as
 * the database has no table of that name.  An append locks the log file alone
 * (sqlite_certs_begin); a BEGIN IMMEDIATE on the database still takes the
 * log's write lock too (SQLite locks every attached file), as it did when the
 * log was in the database.  The log is atomic on its own: no transaction
 * writes both files (a commit of two files in WAL mode is atomic in each file,
 * not across them).
 */

#define LOG_SCHEMA_AUDIT \
	"CREATE TABLE log.audit (" \
	"  seq INTEGER PRIMARY KEY," \
	"  at TEXT NOT NULL," \
	"  actor TEXT NOT NULL," \
	"  role TEXT NOT NULL," \
	"  cert TEXT," \
	"  holder TEXT," \
	"  purpose TEXT," \
	"  outcome TEXT NOT NULL," \
	"  prev_hash TEXT NOT NULL," \
	"  hash TEXT NOT NULL);" \
	"CREATE TABLE log.audit_head (" \
	"  id INTEGER PRIMARY KEY CHECK (id = 1)," \
	"  seq INTEGER NOT NULL," \
	"  hash TEXT NOT NULL);"

#define LOG_TRIGGERS(schema) \
	"DROP TRIGGER IF EXISTS " schema ".audit_no_update;" \
	"DROP TRIGGER IF EXISTS " schema ".audit_no_delete;" \
	"DROP TRIGGER IF EXISTS " schema ".audit_head_no_delete;"

#define AUDIT_COLUMNS "seq, at, actor, role, cert, holder, purpose, outcome, prev_hash, hash"

/*
 * Step one of 14 -> 15, a transaction that writes the log file only (the
 * database is read): the log's tables made again, the database's rows copied
 * into them.  Run again after a crash before step two, it copies again.
 */
static const char log_copy[] =
	LOG_TRIGGERS("log")
	"DROP TABLE IF EXISTS log.audit;"
	"DROP TABLE IF EXISTS log.audit_head;"
	LOG_SCHEMA_AUDIT
	"INSERT INTO log.audit (" AUDIT_COLUMNS ") SELECT " AUDIT_COLUMNS " FROM main.audit "
	"ORDER BY seq;"
	"INSERT INTO log.audit_head (id, seq, hash) SELECT id, seq, hash FROM main.audit_head;"
	"CREATE TRIGGER log.audit_no_update BEFORE UPDATE ON audit "
	"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER log.audit_no_delete BEFORE DELETE ON audit "
	"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER log.audit_head_no_delete BEFORE DELETE ON audit_head "
	"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

/* Step two, the database only: its copy of the log gone, the schema 15. */
static const char log_drop_main[] =
	LOG_TRIGGERS("main")
	"DROP TABLE IF EXISTS main.audit;"
	"DROP TABLE IF EXISTS main.audit_head;"
	"PRAGMA main.user_version = " STORE_LOG_SCHEMA_SQL ";";

char *sqlite_log_path(const char *db_path)
{
	struct tn_buf b = TN_BUF_INIT;

	tn_buf_addf(&b, "%s.audit", db_path);
	return tn_buf_detach(&b, NULL);
}

int sqlite_log_attach(sqlite3 *db, const char *db_path)
{
	char *path = sqlite_log_path(db_path);
	struct stat sb;
	sqlite3_stmt *s;
	int fd, rc;

	/* a new log gets the database's mode (it names the holders read), not the umask's */
	if (stat(db_path, &sb) == 0 &&
	    (fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, sb.st_mode & 0666)) >= 0) {
		(void)fchmod(fd, sb.st_mode & 0666);    /* past the umask; failing, the umask's stays */
		close(fd);
	}
	rc = sqlite3_prepare_v2(db, "ATTACH DATABASE ? AS log", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, path, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		rc = rc == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
	}
	free(path);
	/* as the database: WAL, synced at checkpoints or at each commit (sqlite_sync_level) */
	if (rc == SQLITE_OK) {
		const char *level = sqlite_sync_level();        /* NULL: sqlite_open refused it */
		char sql[96];

		snprintf(sql, sizeof(sql), "PRAGMA log.journal_mode = WAL; PRAGMA log.synchronous = %s",
			 level ? level : "NORMAL");
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	return rc;
}

const char *sqlite_sync_level(void)
{
	const char *v = getenv("TWONETD_SYNCHRONOUS");

	if (!v || !*v || strcasecmp(v, "normal") == 0)
		return "NORMAL";
	return strcasecmp(v, "full") == 0 ? "FULL" : NULL;
}

/* The seq of schema's audit_head, or -1. */
static long long head_seq(struct store *st, const char *schema)
{
	char sql[96];
	sqlite3_stmt *s;
	long long seq = -1;

	snprintf(sql, sizeof(sql), "SELECT seq FROM %s.audit_head WHERE id = 1", schema);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		seq = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return seq;
}

static enum tn_code exec_in_tx(struct store *st, const char *sql, const char *what,
			       struct tn_err *err)
{
	enum tn_code code = store_begin(st, err);

	if (code != TN_OK)
		return code;
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		code = tn_err_set(err, TN_EINTERNAL, "migration to schema 15 (%s): %s", what,
				  sqlite3_errmsg(st->db));
		store_rollback(st);
		return code;
	}
	if ((code = store_commit(st, err)) != TN_OK)
		store_rollback(st);
	return code;
}

enum tn_code sqlite_log_move(struct store *st, struct tn_err *err)
{
	int in_main = store_has_object(st->db, "main", "audit");
	int in_log = store_has_object(st->db, "log", "audit_head");
	long long seq_main, seq_log;
	enum tn_code code;

	if (in_main < 0 || in_log < 0)
		return tn_err_set(err, TN_EINTERNAL, "migration to schema 15: %s",
				  sqlite3_errmsg(st->db));
	if (in_main) {
		/* a log file ahead of the database's log is not a copy of it: keep both, stop */
		seq_main = head_seq(st, "main");
		seq_log = in_log ? head_seq(st, "log") : -1;
		if (seq_log > seq_main)
			return tn_err_set(err, TN_EINVALID, "the audit log '%s.audit' is at row %lld, "
					  "the database's own at %lld: it is another database's log; "
					  "move it away and run init again", st->path, seq_log,
					  seq_main);
		if ((code = exec_in_tx(st, log_copy, "copy the audit log", err)) != TN_OK)
			return code;
	} else if (!in_log) {
		return tn_err_set(err, TN_EINVALID, "database '%s' has no audit log, neither in "
				  "itself nor in '%s.audit'", st->path, st->path);
	}
	return exec_in_tx(st, log_drop_main, "drop the database's copy", err);
}

enum tn_code sqlite_log_check(struct store *st, struct tn_err *err)
{
	int in_log = store_has_object(st->db, "log", "audit_head");

	if (in_log > 0)
		return TN_OK;
	if (in_log < 0)
		return tn_err_set(err, TN_EINVALID, "cannot read the audit log '%s.audit': %s",
				  st->path, sqlite3_errmsg(st->db));
	return tn_err_set(err, TN_EINVALID, "the audit log '%s.audit' of database '%s' is empty "
			  "(a copy of the database without its log?): restore both from a backup",
			  st->path, st->path);
}

/*
 * An append's transaction: a deferred BEGIN and a first statement that writes
 * the log, so that the log's write lock alone is taken (BEGIN IMMEDIATE
 * would take the database's too, and an append would wait for a filing).
 * With no transaction open before it, the statement waits for the lock with
 * the connection's busy handler as BEGIN IMMEDIATE does.
 */
#define LOG_LOCK "UPDATE log.audit_head SET seq = seq WHERE id = 1"

/* Every certificate read is a short write transaction (its audit row): the short busy handler. */
enum tn_code sqlite_certs_begin(struct store *st, struct tn_err *err)
{
	return store_begin_short_sql(st, "BEGIN", LOG_LOCK, err);
}

int sqlite_certs_try_begin(struct store *st, struct tn_err *err)
{
	return store_try_begin_sql(st, "BEGIN", LOG_LOCK, err);
}
