/* test_srv_dispatch.c — the storage dispatcher: --db forms, a backend's NULL operations never crash, store_missing_ops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "store_ops.h"

/* A backend of two operations: a store_head and nothing else. */
struct store {
	struct store_head head;
	int closed;
};

static enum tn_code fake_token_revoke(struct store *st, long id, struct tn_err *err)
{
	return id == 1 ? TN_OK : tn_err_set(err, TN_ENOTFOUND, "no token %ld", id);
}

static void fake_close(struct store *st)
{
	st->closed = 1;
}

static const struct store_ops fake_ops = {
	.token_revoke = fake_token_revoke,
	.close = fake_close,
};

static void test_null_ops(void **state)
{
	struct store st = { { &fake_ops, "postgresql", "fake" }, 0 };
	struct tn_err err = TN_ERR_INIT;
	struct store_token tok;
	char names[200];
	jv doc = jv_invalid();
	int n = 0;

	(void)state;
	/* the ones it has are called */
	assert_int_equal(store_token_revoke(&st, 1, &err), TN_OK);
	assert_int_equal(store_token_revoke(&st, 2, &err), TN_ENOTFOUND);
	assert_string_equal(err.message, "no token 2");
	/* the others: TN_EINVALID naming the operation, 0, -1, or nothing */
	assert_int_equal(store_cert_get(&st, "x", &doc, &err), TN_EINVALID);
	assert_string_equal(err.message, "the postgresql backend cannot yet cert_get");
	assert_int_equal(store_token_lookup(&st, "ab", &tok, &err), TN_EINVALID);
	assert_int_equal(store_certs_try_begin(&st, &err), -1);
	assert_string_equal(err.message, "the postgresql backend cannot yet certs_try_begin");
	assert_int_equal(store_alert_latest(&st), -1);
	assert_int_equal(store_consent_cols(&st), 0);
	assert_null(store_certs_checkpointer(&st, 10, 0));
	assert_null(store_certs_db_path(&st));
	assert_null(store_alerts_path(&st));
	/* an optional operation (OPT) answers as CODE does */
	n = 7;
	assert_int_equal(store_alerts_listen(&st, &n, &err), TN_EINVALID);
	assert_string_equal(err.message, "the postgresql backend cannot yet alerts_listen");
	store_health(&st, &doc);
	assert_true(jv_equal(doc, jv_parse("{\"ok\":false}")));
	store_certs_tune(&st);
	store_certs_rollback(&st);
	store_certs_checkpointer_stop(NULL);
	assert_string_equal(store_backend(&st), "postgresql");
	/* all but two missing, the first few named */
	n = store_missing_ops(&st, names, sizeof(names));
	assert_true(n > 70);
	assert_non_null(strstr(names, "migrate, health, token_add, token_add_until, token_when"));
	assert_non_null(strstr(names, " more"));
	store_close(&st);
	assert_int_equal(st.closed, 1);
	store_close(NULL);
}

static void test_open_forms(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct store *st = (struct store *)&err;
	char path[64], spec[80], names[100];
	int n = 0;

	(void)state;
	assert_int_equal(store_open(&st, "mysql://db.example/twonet", 0, &err), TN_EUSAGE);
	assert_null(st);
	assert_non_null(strstr(err.message, "unknown database scheme 'mysql://'"));
	/* a path holding a ':' is a path */
	snprintf(path, sizeof(path), "/tmp/twonet-dispatch-%ld:a.db", (long)getpid());
	assert_int_equal(store_open(&st, path, 1, &err), TN_OK);
	assert_string_equal(store_backend(st), "sqlite");
	assert_string_equal(store_certs_db_path(st), path);
	/* SQLite leaves out the optional LISTEN operations (its wake-up is the mesh): not missing */
	assert_int_equal(store_missing_ops(st, names, sizeof(names)), 0);
	assert_string_equal(names, "");
	assert_int_equal(store_alerts_listen(st, &n, &err), TN_EINVALID);
	store_close(st);
	/* sqlite:PATH is the same file */
	snprintf(spec, sizeof(spec), "sqlite:%s", path);
	assert_int_equal(store_open(&st, spec, 0, &err), TN_OK);
	assert_string_equal(store_certs_db_path(st), path);
	store_close(st);
	unlink(path);
	snprintf(spec, sizeof(spec), "%s.audit", path);        /* the audit log's own file */
	unlink(spec);
	/* a missing file opened without create: the SQLite backend's error */
	assert_int_equal(store_open(&st, "sqlite:/nonexistent/dir/x.db", 0, &err), TN_EINVALID);
	assert_null(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_ops),
		cmocka_unit_test(test_open_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
