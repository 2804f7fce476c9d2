/* copycmd.c — twonetd copy: move a whole city from one database to another (SQLite to PostgreSQL, or back), then check it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tn_buf.h"
#include "tn_cli.h"
#include "store.h"
#include "store_certs.h"
#include "store_ops.h"
#include "store/copy_tables.h"
#include "certs.h"
#include "twonetd.h"

/* One table's copy in progress: rows gathered into batches for store_load. */
struct copy_run {
	struct store *to;
	const char *table;
	jv batch;
	long n, max;    /* rows in batch; the batch size */
	long rows, added;
};

static enum tn_code flush(struct copy_run *c, struct tn_err *err)
{
	enum tn_code code = TN_OK;
	long added = 0;

	if (c->n > 0)
		code = store_load(c->to, c->table, c->batch, &added, err);
	jv_free(c->batch);
	c->batch = jv_array();
	c->n = 0;
	c->added += added;
	return code;
}

static enum tn_code on_row(void *ctx, jv row, struct tn_err *err)
{
	struct copy_run *c = ctx;

	c->batch = jv_array_append(c->batch, row);
	c->rows++;
	return ++c->n >= c->max ? flush(c, err) : TN_OK;
}

static enum tn_code on_count(void *ctx, jv row, struct tn_err *err)
{
	jv_free(row);
	++*(long *)ctx;
	return TN_OK;
}

/* Whether `a` and `b` are one database: one file, or one URI. */
static int same_db(struct store *a, struct store *b)
{
	const char *pa = store_certs_db_path(a), *pb = store_certs_db_path(b);
	struct stat sa, sb;

	if (pa && pb)
		return stat(pa, &sa) == 0 && stat(pb, &sb) == 0 && sa.st_dev == sb.st_dev &&
		       sa.st_ino == sb.st_ino;
	return !pa && !pb && strcmp(store_name(a), store_name(b)) == 0;
}

/* Copy file `from` to `to` (0600), never over one: 1 copied, 0 when `to` exists, -1 on error. */
static int copy_file(const char *from, const char *to)
{
	char buf[8192];
	ssize_t n;
	int in, out, rc = 1;

	if ((in = open(from, O_RDONLY)) < 0)
		return -1;
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0) {
		close(in);
		return errno == EEXIST ? 0 : -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			rc = -1;
			break;
		}
	if (n < 0 || close(out) != 0)
		rc = -1;
	close(in);
	return rc;
}

/* Copy the regular files of folder `from` into `to` (made 0700), none overwritten; *copied. */
static int copy_keys(const char *from, const char *to, int *copied)
{
	struct tn_buf s = TN_BUF_INIT, d = TN_BUF_INIT;
	struct dirent *e;
	struct stat sb;
	DIR *dir;
	int rc = 0, one;

	*copied = 0;
	if (!(dir = opendir(from)))
		return errno == ENOENT ? 0 : -1;
	if (mkdir(to, 0700) != 0 && errno != EEXIST) {
		closedir(dir);
		return -1;
	}
	while (rc == 0 && (e = readdir(dir))) {
		tn_buf_reset(&s);
		tn_buf_reset(&d);
		tn_buf_addf(&s, "%s/%s", from, e->d_name);
		tn_buf_addf(&d, "%s/%s", to, e->d_name);
		if (e->d_name[0] == '.' || stat(s.buf, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if ((one = copy_file(s.buf, d.buf)) < 0)
			rc = -1;
		else
			*copied += one;
	}
	closedir(dir);
	tn_buf_release(&s);
	tn_buf_release(&d);
	return rc;
}

/* The issuers' keys live in files: copy them when both sides have a folder, else say what to do. */
static int keys(struct store *from, struct store *to)
{
	const char *src = store_certs_db_path(from), *dst = certs_state_base(to, NULL);
	struct tn_buf a = TN_BUF_INIT, b = TN_BUF_INIT;
	int copied = 0, rc = 0;

	if (!src) {
		fprintf(stderr, "twonetd: note: copy the issuers' keys (the source's TWONETD_STATE"
			".keys/) to the target's TWONETD_STATE.keys/ yourself\n");
		return 0;
	}
	tn_buf_addf(&a, "%s.keys", src);
	if (!dst) {
		fprintf(stderr, "twonetd: note: the issuers' keys are files: copy %s/ to "
			"TWONETD_STATE.keys/ of every instance of the target (or set TWONETD_STATE "
			"and run copy again to have it done)\n", a.buf);
	} else {
		tn_buf_addf(&b, "%s.keys", dst);
		if (strcmp(a.buf, b.buf) != 0 && copy_keys(a.buf, b.buf, &copied) != 0) {
			fprintf(stderr, "twonetd: error: copying the keys %s/ to %s/: %s\n", a.buf,
				b.buf, strerror(errno));
			rc = -1;
		} else if (copied) {
			fprintf(stderr, "copied keys: %d files from %s/ to %s/\n", copied, a.buf,
				b.buf);
		}
		/* the signed checkpoints of the audit head, when the target has none yet */
		tn_buf_reset(&a);
		tn_buf_reset(&b);
		tn_buf_addf(&a, "%s.checkpoints", src);
		tn_buf_addf(&b, "%s.checkpoints", dst);
		if (strcmp(a.buf, b.buf) != 0 && access(a.buf, F_OK) == 0 &&
		    copy_file(a.buf, b.buf) > 0)
			fprintf(stderr, "copied checkpoints: %s to %s\n", a.buf, b.buf);
	}
	tn_buf_release(&a);
	tn_buf_release(&b);
	return rc;
}

/* Counts per table and the audit chain on the target; 0, or 1 with the reason on stderr. */
static int verify(struct store *from, struct store *to, const long *rows, struct tn_err *err)
{
	long long n = 0, bad = 0, s1 = 0, s2 = 0;
	char why[300], h1[65], h2[65];
	int rc = 0;

	for (int i = 0; i < COPY_TABLES_N; i++) {
		long have = 0;

		if (store_dump(to, copy_tables[i].name, on_count, &have, err) != TN_OK)
			return twonetd_fail(err, 1);
		if (have != rows[i]) {
			fprintf(stderr, "twonetd: error: %s: %ld rows in the source, %ld in the "
				"target\n", copy_tables[i].name, rows[i], have);
			rc = 1;
		}
	}
	if (store_audit_verify(to, &n, &bad, why, sizeof(why), err) != TN_OK)
		return twonetd_fail(err, 1);
	if (bad) {
		fprintf(stderr, "twonetd: error: the target's audit log is broken at seq %lld: %s\n",
			bad, why);
		return 1;
	}
	if (store_audit_head(from, &s1, h1, err) != TN_OK ||
	    store_audit_head(to, &s2, h2, err) != TN_OK)
		return twonetd_fail(err, 1);
	if (s1 != s2 || strcmp(h1, h2) != 0) {
		fprintf(stderr, "twonetd: error: audit_head: seq %lld in the source, %lld in the "
			"target\n", s1, s2);
		return 1;
	}
	if (rc == 0)
		fprintf(stderr, "verified: %d tables, audit log intact (%lld rows, head %.16s)\n",
			COPY_TABLES_N, n, h2);
	return rc;
}

int copy_cmd(int argc, char **argv)
{
	const char *from = NULL, *to = NULL;
	long batch = 1000;
	const struct tn_option opts[] = {
		{ TN_OPT_STRING, 0, "from", &from, TWONETD_DB, "the database to copy (read only)",
		  NULL, 0 },
		{ TN_OPT_STRING, 0, "to", &to, TWONETD_DB,
		  "the database to fill (created or migrated first)", NULL, 0 },
		{ TN_OPT_LONG, 0, "batch", &batch, "N", "rows a transaction (default 1000)", NULL,
		  0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd copy", "--from " TWONETD_DB " --to " TWONETD_DB
		" [--batch N]", "copy every table of a database into another, keeping ids, then "
		"check row counts and the audit chain; rows already there are kept (run it again "
		"safely)", opts, 0 };
	struct tn_err err = TN_ERR_INIT;
	struct store *src = NULL, *dst = NULL;
	long rows[COPY_TABLES_N];
	enum tn_code code;
	int nargs, rc;

	if ((rc = twonetd_parse(&cmd, argc, argv, &nargs)) >= 0)
		return rc;
	if (!from || !to || nargs > 0 || batch < 1 || batch > 100000)
		return twonetd_usage_fail(&cmd, "%s", nargs > 0 ? "copy takes no operands" :
					  batch < 1 || batch > 100000 ?
					  "--batch takes 1 to 100000" : "copy needs --from and --to");
	if ((code = store_open(&src, from, 0, &err)) != TN_OK ||
	    (code = store_open(&dst, to, 1, &err)) != TN_OK) {
		rc = twonetd_fail(&err, tn_exit_status(code));
		goto out;
	}
	if (same_db(src, dst)) {
		rc = twonetd_usage_fail(&cmd, "--from and --to are the same database (%s)",
					store_name(src));
		goto out;
	}
	for (int i = 0; i < COPY_TABLES_N; i++) {
		struct copy_run c = { dst, copy_tables[i].name, jv_array(), 0, batch, 0, 0 };

		code = store_dump(src, c.table, on_row, &c, &err);
		if (code == TN_OK)
			code = flush(&c, &err);
		jv_free(c.batch);
		if (code != TN_OK) {
			fprintf(stderr, "twonetd: error: copying %s: %s\n", c.table, err.message);
			rc = tn_exit_status(code);
			goto out;
		}
		rows[i] = c.rows;
		fprintf(stderr, "copied %s: %ld rows (%ld new)\n", c.table, c.rows, c.added);
	}
	rc = keys(src, dst) != 0;
	if (verify(src, dst, rows, &err) != 0)
		rc = 1;
out:
	store_close(dst);
	store_close(src);
	return rc;
}
