/* test_srv_ckpt.c — signed checkpoints of the audit chain (server/certs_ckpt.c): the server's key, appending, and the check that finds a cut or rewritten chain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tn_cert.h"
#include "store.h"
#include "store_certs.h"
#include "certs.h"

struct fix {
	char dir[64];
	char db[128];
	char ckpt[128];
	struct store *st;
	struct tn_cert_key *key;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct tn_err err = TN_ERR_INIT;

	snprintf(f->dir, sizeof(f->dir), "%s/twonet-ckpt-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/t.db", f->dir);
	snprintf(f->ckpt, sizeof(f->ckpt), "%s/t.db.checkpoints", f->dir);
	if (store_open(&f->st, f->db, 1, &err) != TN_OK) {
		print_error("store_open: %s\n", err.message);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char cmd[200];

	tn_cert_key_free(f->key);
	store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		print_error("cannot remove %s\n", f->dir);
	free(f);
	return 0;
}

/* Append `n` audit rows; the chain's head into *seq and head. */
static void add_rows(struct fix *f, int n, long long *seq, char head[65])
{
	struct tn_err err = TN_ERR_INIT;

	for (int i = 0; i < n; i++) {
		struct store_audit a = { "2026-11-28T10:00:00+08:00", "王芳", "clerk", "CERT-1",
					 "11010519491231002X", "窗口核验", "allowed" };

		assert_int_equal(store_certs_begin(f->st, &err), TN_OK);
		assert_int_equal(store_audit_append(f->st, &a, &err), TN_OK);
		assert_int_equal(store_certs_commit(f->st, &err), TN_OK);
	}
	assert_int_equal(store_audit_head(f->st, seq, head, &err), TN_OK);
}

static void test_paths(void **state)
{
	char *p;

	(void)state;
	p = certs_ckpt_key_path("/var/lib/twonet/db");
	assert_string_equal(p, "/var/lib/twonet/db.keys/twonetd.pem");
	free(p);
	unsetenv("TWONETD_AUDIT_CHECKPOINTS");
	p = certs_ckpt_file("/var/lib/twonet/db");
	assert_string_equal(p, "/var/lib/twonet/db.checkpoints");
	free(p);
	setenv("TWONETD_AUDIT_CHECKPOINTS", "/elsewhere/ckpt", 1);
	p = certs_ckpt_file("/var/lib/twonet/db");
	assert_string_equal(p, "/elsewhere/ckpt");
	free(p);
	unsetenv("TWONETD_AUDIT_CHECKPOINTS");
}

static void test_key(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct tn_cert_key *again = NULL;
	char *path = certs_ckpt_key_path(f->db), dir[160];
	struct stat sb;

	/* not made unless asked */
	assert_true(certs_ckpt_key(f->db, 0, &f->key, &err) != TN_OK);
	assert_null(f->key);
	assert_int_equal(access(path, F_OK), -1);

	assert_int_equal(certs_ckpt_key(f->db, 1, &f->key, &err), TN_OK);
	assert_non_null(f->key);
	assert_int_equal(tn_cert_key_is_private(f->key), 1);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(dir, sizeof(dir), "%s.keys", f->db);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);

	/* the same key next time, made or not */
	assert_int_equal(certs_ckpt_key(f->db, 1, &again, &err), TN_OK);
	assert_string_equal(tn_cert_key_id(again), tn_cert_key_id(f->key));
	tn_cert_key_free(again);
	assert_int_equal(certs_ckpt_key(f->db, 0, &again, &err), TN_OK);
	assert_string_equal(tn_cert_key_id(again), tn_cert_key_id(f->key));
	tn_cert_key_free(again);
	free(path);
}

static void test_append_and_verify(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct certs_ckpt_report r;
	long long seq;
	char head[65], *line = NULL;

	assert_int_equal(certs_ckpt_key(f->db, 1, &f->key, &err), TN_OK);
	add_rows(f, 3, &seq, head);
	assert_int_equal(seq, 3);
	assert_int_equal(certs_ckpt_append(f->ckpt, f->key, seq, head, &line, &err), TN_OK);
	assert_non_null(line);
	assert_non_null(strstr(line, "\"seq\":3"));
	assert_non_null(strstr(line, head));
	assert_non_null(strstr(line, tn_cert_key_id(f->key)));
	assert_null(strchr(line, '\n'));
	free(line);

	add_rows(f, 2, &seq, head);
	assert_int_equal(certs_ckpt_append(f->ckpt, f->key, seq, head, NULL, &err), TN_OK);

	assert_int_equal(certs_ckpt_verify(f->st, f->ckpt, f->key, 5, &r, &err), TN_OK);
	assert_int_equal(r.lines, 2);
	assert_int_equal(r.good, 2);
	assert_int_equal(r.newest_seq, 5);
	assert_int_equal(r.bad_seq, 0);
	assert_int_equal(r.bad_line, 0);
	assert_int_equal(r.torn, 0);
	assert_true(r.newest_at[0] != '\0');

	/* the chain cut after row 4: the checkpoint of row 5 shows it */
	assert_int_equal(certs_ckpt_verify(f->st, f->ckpt, f->key, 4, &r, &err), TN_OK);
	assert_int_equal(r.bad_seq, 5);
	assert_non_null(strstr(r.why, "truncated"));
}

static void test_rewritten_row(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct certs_ckpt_report r;
	long long seq;
	char head[65];

	assert_int_equal(certs_ckpt_key(f->db, 1, &f->key, &err), TN_OK);
	add_rows(f, 2, &seq, head);
	/* a checkpoint of row 2 whose hash is not row 2's */
	assert_int_equal(certs_ckpt_append(f->ckpt, f->key, 2,
					   "00000000000000000000000000000000000000000000000000000000000000ff",
					   NULL, &err), TN_OK);
	assert_int_equal(certs_ckpt_verify(f->st, f->ckpt, f->key, 2, &r, &err), TN_OK);
	assert_int_equal(r.bad_seq, 2);
	assert_non_null(strstr(r.why, "rewritten"));
}

static void test_bad_lines(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct certs_ckpt_report r;
	struct tn_cert_key *other = NULL;
	long long seq;
	char head[65], *line = NULL, *p;
	FILE *fp;

	assert_int_equal(certs_ckpt_key(f->db, 1, &f->key, &err), TN_OK);
	add_rows(f, 2, &seq, head);
	assert_int_equal(certs_ckpt_append(f->ckpt, f->key, seq, head, &line, &err), TN_OK);

	/* a torn last line (a crash while writing) is skipped */
	fp = fopen(f->ckpt, "a");
	assert_non_null(fp);
	fputs("{\"at\":\"2026-11-28T10:00:", fp);
	fclose(fp);
	assert_int_equal(certs_ckpt_verify(f->st, f->ckpt, f->key, 2, &r, &err), TN_OK);
	assert_int_equal(r.good, 1);
	assert_int_equal(r.torn, 2);
	assert_int_equal(r.bad_line, 0);

	/* a line whose seq was changed after signing */
	p = strstr(line, "\"seq\":2");
	assert_non_null(p);
	p[6] = '1';
	fp = fopen(f->ckpt, "w");
	assert_non_null(fp);
	fprintf(fp, "%s\n", line);
	fclose(fp);
	assert_int_equal(certs_ckpt_verify(f->st, f->ckpt, f->key, 2, &r, &err), TN_OK);
	assert_int_equal(r.good, 0);
	assert_int_equal(r.bad_line, 1);
	free(line);

	/* not JSON */
	fp = fopen(f->ckpt, "w");
	assert_non_null(fp);
	fputs("\n   \nhello\n", fp);
	fclose(fp);
	assert_int_equal(certs_ckpt_verify(f->st, f->ckpt, f->key, 2, &r, &err), TN_OK);
	assert_int_equal(r.bad_line, 3);
	assert_non_null(strstr(r.why, "not a checkpoint"));

	/* signed with another key */
	assert_int_equal(tn_cert_key_generate(&other, &err), TN_OK);
	unlink(f->ckpt);
	assert_int_equal(certs_ckpt_append(f->ckpt, other, seq, head, NULL, &err), TN_OK);
	assert_int_equal(certs_ckpt_verify(f->st, f->ckpt, f->key, 2, &r, &err), TN_OK);
	assert_int_equal(r.bad_line, 1);
	assert_non_null(strstr(r.why, "signed with key"));
	tn_cert_key_free(other);

	/* no file */
	unlink(f->ckpt);
	assert_int_equal(certs_ckpt_verify(f->st, f->ckpt, f->key, 2, &r, &err), TN_EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test_setup_teardown(test_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_and_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewritten_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_lines, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
