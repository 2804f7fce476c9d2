/* backup.c — twonetd backup and restore: the database by SQLite's online backup, and its keys folder. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tn_buf.h"
#include "tn_cli.h"
#include "store_ops.h"
#include "store_int.h"
#include "twonetd.h"

/*
 * Layout (INSTALL, twonetd(8) BACKUP): `twonetd backup --db PATH FILE` writes
 * FILE (mode 0600), a plain SQLite database copied page by page while the
 * server serves, FILE.audit the same of the audit log PATH.audit (schema 15,
 * store_audit_log.c), and FILE.keys/ (0700): a copy of every regular file of
 * PATH.keys/ (the issuers' signing keys and the checkpoint key twonetd.pem),
 * each 0600.  `twonetd restore --db PATH FILE` does the reverse.
 */

/* What backup and restore take for --db: a SQLite database (PostgreSQL has pg_dump). */
#define TWONETD_SQLITE_DB "PATH|sqlite:PATH"

#define STEP_PAGES 256          /* pages copied per read transaction */
#define MAX_RESTARTS 20         /* then one read transaction: in WAL mode it blocks no writer */

int backup_cmd(int argc, char **argv);
int restore_cmd(int argc, char **argv);

/*
 * The database file of --db `spec` (PATH or sqlite:PATH), or NULL after a
 * message when `spec` is not a SQLite database: a postgresql:// one is
 * backed up by PostgreSQL's own tools.
 */
static const char *sqlite_file(const char *spec, const char *verb)
{
	size_t n;

	if (strncmp(spec, "sqlite:", 7) == 0)
		return spec + 7;
	if ((n = store_scheme_len(spec)) == 0)
		return spec;
	if (strncmp(spec, "postgresql://", 13) == 0 || strncmp(spec, "postgres://", 11) == 0)
		fprintf(stderr, "twonetd: error: twonetd %s works on a SQLite database; back a "
			"PostgreSQL one up with pg_dump and restore it with pg_restore (twonetd(8) "
			"BACKUP)\n", verb);
	else
		fprintf(stderr, "twonetd: error: unknown database scheme '%.*s://': --db takes PATH, "
			"sqlite:PATH or postgresql://URI\n", (int)n, spec);
	return NULL;
}

/* PATH + suffix, malloc'd. */
static char *beside(const char *db, const char *suffix)
{
	struct tn_buf b = TN_BUF_INIT;

	tn_buf_addf(&b, "%s%s", db, suffix);
	return tn_buf_detach(&b, NULL);
}

/* user_version of SQLite file `path`, or -1 (after a message) when it cannot be read. */
static int file_schema(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s;
	int v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	if (v < 0)
		fprintf(stderr, "twonetd: error: cannot read '%s': %s\n", path,
			db ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_close(db);
	return v;
}

/* Copy database src to dst with the online backup API; 0 or -1 after a message. */
static int copy_db(const char *src, const char *dst)
{
	sqlite3 *from = NULL, *to = NULL;
	sqlite3_backup *b;
	int rc, restarts = 0, last = -1, ret = -1;

	if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "twonetd: error: cannot open '%s': %s\n", src, sqlite3_errmsg(from));
		goto out;
	}
	sqlite3_busy_timeout(from, 5000);
	if (sqlite3_open_v2(dst, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		fprintf(stderr, "twonetd: error: cannot open '%s': %s\n", dst, sqlite3_errmsg(to));
		goto out;
	}
	sqlite3_busy_timeout(to, 5000);
	if (!(b = sqlite3_backup_init(to, "main", from, "main"))) {
		fprintf(stderr, "twonetd: error: backup of '%s': %s\n", src, sqlite3_errmsg(to));
		goto out;
	}
	do {
		/* a write by the server between steps restarts the copy; after a few, copy in one go */
		rc = sqlite3_backup_step(b, restarts < MAX_RESTARTS ? STEP_PAGES : -1);
		if (last >= 0 && sqlite3_backup_remaining(b) > last)
			restarts++;
		last = sqlite3_backup_remaining(b);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "twonetd: error: backup of '%s' to '%s': %s\n", src, dst,
			sqlite3_errstr(rc));
		goto out;
	}
	/* one self-contained file: no -wal or -shm beside the copy (twonetd serve sets WAL again) */
	if (sqlite3_exec(to, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "twonetd: error: '%s': %s\n", dst, sqlite3_errmsg(to));
		goto out;
	}
	ret = 0;
out:
	sqlite3_close(to);
	sqlite3_close(from);
	return ret;
}

/* Copy one file to a new file of mode 0600; 0 or -1 after a message. */
static int copy_file(const char *src, const char *dst)
{
	char buf[8192];
	ssize_t n = 0;
	int in, out, ret = -1;

	if ((in = open(src, O_RDONLY)) < 0) {
		fprintf(stderr, "twonetd: error: cannot read '%s': %s\n", src, strerror(errno));
		return -1;
	}
	if ((out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0) {
		fprintf(stderr, "twonetd: error: cannot write '%s': %s\n", dst, strerror(errno));
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	if (n < 0)
		fprintf(stderr, "twonetd: error: copying '%s' to '%s': %s\n", src, dst, strerror(errno));
	else if (fchmod(out, 0600) == 0 && fsync(out) == 0)
		ret = 0;
	if (close(out) != 0)
		ret = -1;
	close(in);
	return ret;
}

/* Copy the regular files of folder src into folder dst (0700, files 0600); count them in *n. */
static int copy_keys(const char *src, const char *dst, int *n)
{
	struct dirent *e;
	struct stat sb;
	DIR *d;
	int ret = 0;

	*n = 0;
	if (!(d = opendir(src)))
		return errno == ENOENT ? 0 : (fprintf(stderr, "twonetd: error: cannot read '%s': %s\n",
						      src, strerror(errno)), -1);
	if (mkdir(dst, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "twonetd: error: cannot create '%s': %s\n", dst, strerror(errno));
		closedir(d);
		return -1;
	}
	chmod(dst, 0700);
	while (ret == 0 && (e = readdir(d))) {
		struct tn_buf a = TN_BUF_INIT, b = TN_BUF_INIT;

		tn_buf_addf(&a, "%s/%s", src, e->d_name);
		tn_buf_addf(&b, "%s/%s", dst, e->d_name);
		if (e->d_name[0] != '.' && stat(a.buf, &sb) == 0 && S_ISREG(sb.st_mode)) {
			ret = copy_file(a.buf, b.buf);
			(*n)++;
		}
		tn_buf_release(&a);
		tn_buf_release(&b);
	}
	closedir(d);
	return ret;
}

/*
 * Has a process the database open?  Every SQLite connection in WAL mode
 * holds a shared lock on the "dead man switch" byte (128) of PATH-shm.
 */
static int db_in_use(const char *db)
{
	struct tn_buf b = TN_BUF_INIT;
	struct flock fl;
	int fd, used = 0;

	tn_buf_addf(&b, "%s-shm", db);
	if ((fd = open(b.buf, O_RDWR)) >= 0) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		fl.l_start = 128;
		fl.l_len = 1;
		if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
			used = 1;
		close(fd);
	}
	tn_buf_release(&b);
	return used;
}

int backup_cmd(int argc, char **argv)
{
	const char *db = NULL;
	const struct tn_option opts[] = {
		{ TN_OPT_STRING, 0, "db", &db, TWONETD_SQLITE_DB,
		  "the database file (the server may be serving it)", NULL, 0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd backup", "--db " TWONETD_SQLITE_DB " FILE",
		"copy the database to FILE and its audit log PATH.audit to FILE.audit (0600) while "
		"the server serves, and its keys folder PATH.keys to FILE.keys (0700, keys 0600)",
		opts, 0 };
	struct tn_buf tmp = TN_BUF_INIT, log_tmp = TN_BUF_INIT;
	char *src_keys = NULL, *dst_keys = NULL, *src_log = NULL, *dst_log = NULL;
	const char *file;
	struct stat sb;
	int nargs, rc, nkeys = 0, has_log;

	if ((rc = twonetd_parse(&cmd, argc, argv, &nargs)) >= 0)
		return rc;
	if (!db || nargs != 1)
		return twonetd_usage_fail(&cmd, "%s", !db ? "backup needs --db PATH" :
					  "backup takes one operand: FILE");
	if (!(db = sqlite_file(db, "backup")))
		return 2;
	file = argv[1];
	if (stat(db, &sb) != 0) {
		fprintf(stderr, "twonetd: error: no database '%s'\n", db);
		return 3;
	}
	rc = 1;
	/* the copies are made beside FILE and renamed: a cron run never leaves half a FILE */
	src_log = sqlite_log_path(db);
	dst_log = sqlite_log_path(file);
	has_log = stat(src_log, &sb) == 0;
	/* a database at schema 15 without its log would make a backup restore refuses */
	if (!has_log && file_schema(db) >= STORE_LOG_SCHEMA) {
		fprintf(stderr, "twonetd: error: the audit log '%s' of database '%s' is missing\n",
			src_log, db);
		rc = 3;
		goto out;
	}
	tn_buf_addf(&tmp, "%s.tmp", file);
	tn_buf_addf(&log_tmp, "%s.tmp", dst_log);
	unlink(tmp.buf);
	unlink(log_tmp.buf);
	umask(077);
	if (copy_db(db, tmp.buf) < 0 || chmod(tmp.buf, 0600) != 0 ||
	    (has_log && (copy_db(src_log, log_tmp.buf) < 0 || chmod(log_tmp.buf, 0600) != 0))) {
		unlink(tmp.buf);
		unlink(log_tmp.buf);
		goto out;
	}
	if ((has_log && rename(log_tmp.buf, dst_log) != 0) || rename(tmp.buf, file) != 0) {
		fprintf(stderr, "twonetd: error: cannot write '%s': %s\n", file, strerror(errno));
		unlink(tmp.buf);
		unlink(log_tmp.buf);
		goto out;
	}
	if (!has_log)
		store_remove_files(dst_log);       /* a database before schema 15: its log is in FILE */
	src_keys = beside(db, ".keys");
	dst_keys = beside(file, ".keys");
	if (copy_keys(src_keys, dst_keys, &nkeys) < 0)
		goto out;
	printf("backup of %s written to %s%s%s and %d key%s to %s\n", db, file,
	       has_log ? ", its audit log to " : "", has_log ? dst_log : "", nkeys,
	       nkeys == 1 ? "" : "s", dst_keys);
	rc = 0;
out:
	tn_buf_release(&tmp);
	tn_buf_release(&log_tmp);
	free(src_keys);
	free(dst_keys);
	free(src_log);
	free(dst_log);
	return rc;
}

int restore_cmd(int argc, char **argv)
{
	const char *db = NULL;
	int force = 0;
	const struct tn_option opts[] = {
		{ TN_OPT_STRING, 0, "db", &db, TWONETD_SQLITE_DB,
		  "the database to write (no server may have it open)", NULL, 0 },
		{ TN_OPT_FLAG, 0, "force", &force, NULL, "overwrite an existing database and its keys",
		  NULL, 0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd restore", "--db " TWONETD_SQLITE_DB " [--force] FILE",
		"restore a backup written by 'twonetd backup': FILE and FILE.audit to PATH and "
		"PATH.audit (0600), FILE.keys to PATH.keys (0700, keys 0600)", opts, 0 };
	char *src_keys = NULL, *dst_keys = NULL, *src_log = NULL, *dst_log = NULL;
	const char *file;
	struct stat sb;
	int nargs, rc, nkeys = 0, has_log, v;

	if ((rc = twonetd_parse(&cmd, argc, argv, &nargs)) >= 0)
		return rc;
	if (!db || nargs != 1)
		return twonetd_usage_fail(&cmd, "%s", !db ? "restore needs --db PATH" :
					  "restore takes one operand: FILE");
	if (!(db = sqlite_file(db, "restore")))
		return 2;
	file = argv[1];
	if (stat(file, &sb) != 0) {
		fprintf(stderr, "twonetd: error: no backup '%s'\n", file);
		return 3;
	}
	if (db_in_use(db)) {
		fprintf(stderr, "twonetd: error: '%s' is open (a server serves it): stop it first\n", db);
		return 5;
	}
	src_log = sqlite_log_path(file);
	dst_log = sqlite_log_path(db);
	rc = 5;
	if ((stat(db, &sb) == 0 || stat(dst_log, &sb) == 0) && !force) {
		fprintf(stderr, "twonetd: error: '%s' exists: --force overwrites it\n",
			stat(db, &sb) == 0 ? db : dst_log);
		goto out;
	}
	/* a backup at schema 15 or later is two files: both, or nothing written */
	rc = 3;
	has_log = stat(src_log, &sb) == 0;
	if ((v = file_schema(file)) < 0)
		goto out;
	if (v >= STORE_LOG_SCHEMA && !has_log) {
		fprintf(stderr, "twonetd: error: no audit log '%s' beside the backup '%s' (schema %d "
			"keeps it there)\n", src_log, file, v);
		goto out;
	}
	rc = 1;
	umask(077);
	if (copy_db(file, db) < 0 || chmod(db, 0600) != 0)
		goto out;
	if (!has_log)
		store_remove_files(dst_log);       /* the overwritten database's; FILE holds its log */
	else if (copy_db(src_log, dst_log) < 0 || chmod(dst_log, 0600) != 0)
		goto out;
	src_keys = beside(file, ".keys");
	dst_keys = beside(db, ".keys");
	if (copy_keys(src_keys, dst_keys, &nkeys) < 0)
		goto out;
	printf("%s restored to %s%s%s and %d key%s to %s\n", file, db,
	       has_log ? ", its audit log to " : "", has_log ? dst_log : "", nkeys,
	       nkeys == 1 ? "" : "s", dst_keys);
	rc = 0;
out:
	free(src_keys);
	free(dst_keys);
	free(src_log);
	free(dst_log);
	return rc;
}
