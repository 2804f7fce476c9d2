/* test_srv_store.c — twonetd's storage interface (store.h) against a temporary SQLite file: open, migrate, tokens, catalog, cases. */
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
#include "store_alerts.h"
#include "store_certs.h"

#include "srv_store_fix.h"

static jv parse(const char *text)
{
	jv v = jv_parse(text);

	assert_true(jv_is_valid(v));
	return v;
}

static const char *str(jv o, const char *key, char *buf, size_t size)
{
	jv v = jv_object_get(jv_copy(o), jv_string(key));

	snprintf(buf, size, "%s", jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : "");
	jv_free(v);
	return buf;
}

static double num(jv o, const char *key)
{
	jv v = jv_object_get(jv_copy(o), jv_string(key));
	double d = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : -1;

	jv_free(v);
	return d;
}

/* File a case of `dept` for applicant `who`, deadline `deadline`, under key `key`; its id into id[16]. */
static enum tn_code file_case(struct store *st, const char *dept, const char *who,
			      const char *deadline, const char *key, const char *hash, long token,
			      char id[16], int *replayed)
{
	struct store_case_new c;
	struct tn_err err = TN_ERR_INIT;
	enum tn_code code;
	jv out;
	char buf[64];

	memset(&c, 0, sizeof(c));
	c.doc = jv_object_set(jv_object_set(jv_object(), jv_string("status"), jv_string("submitted")),
			      jv_string("applicant"),
			      jv_object_set(jv_object(), jv_string("name"), jv_string(who)));
	c.doc = jv_object_set(c.doc, jv_string("version"), jv_number(1));
	c.event = parse("{\"at\":\"2026-11-28T10:00:00+08:00\",\"actor\":\"clerk1\",\"role\":\"clerk\","
			"\"action\":\"submit\",\"from\":null,\"to\":\"submitted\",\"version\":1}");
	c.item = "310000-YB-003";
	c.department = dept;
	c.status = "submitted";
	c.applicant_id = "11010519491231002X";
	c.applicant_name = who;
	c.submitted_at = "2026-11-28T10:00:00+08:00";
	c.deadline = deadline;
	c.deadline_days = c.legal_days = -1;
	c.submitted_by = "clerk1";
	c.token_id = token;
	c.idem_key = key;
	c.idem_hash = hash;
	code = store_case_create(st, &c, &out, replayed, &err);
	if (code == TN_OK) {
		snprintf(id, 16, "%s", str(out, "id", buf, sizeof(buf)));
		/* the stored document comes back with its id */
		assert_string_equal(str(out, "status", buf, sizeof(buf)), "submitted");
	}
	jv_free(out);
	return code;
}

static void test_open_migrate_health(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct store *again = NULL;
	int from = -1, to = -1;
	jv h;

	store_health(f->st, &h);
	assert_int_equal(jv_get_kind(h), JV_KIND_OBJECT);
	assert_true(num(h, "schema") == STORE_SCHEMA);
	{
		char buf[16];
		assert_string_equal(str(h, "journal", buf, sizeof(buf)), "wal");
	}
	jv_free(h);

	/* migrating again is harmless */
	assert_int_equal(store_migrate(f->st, &from, &to, &err), TN_OK);
	assert_int_equal(from, STORE_SCHEMA);
	assert_int_equal(to, STORE_SCHEMA);

	/* a second connection to the same file, without create */
	assert_int_equal(store_open(&again, f->path, 0, &err), TN_OK);
	assert_non_null(again);
	store_close(again);
	store_close(NULL);
}

static void test_open_missing(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct store *st = (struct store *)1;
	char path[160];

	snprintf(path, sizeof(path), "%s/none.db", f->dir);
	assert_int_equal(store_open(&st, path, 0, &err), TN_EINVALID);
	assert_null(st);
	assert_non_null(strstr(err.message, "twonetd init"));
	assert_int_equal(access(path, F_OK), -1);    /* not created */
}

static void test_tokens(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct store_token tok;
	const char *h1 = "1111111111111111111111111111111111111111111111111111111111111111";
	const char *h2 = "2222222222222222222222222222222222222222222222222222222222222222";

	assert_int_equal(store_token_add(f->st, h1, "clerk", "王芳", "YBJ", NULL, &err), TN_OK);
	assert_int_equal(store_token_add(f->st, h2, "applicant", "张三", NULL, "11010519491231002X", &err),
			 TN_OK);
	assert_int_equal(store_token_add(f->st, h1, "admin", "x", NULL, NULL, &err), TN_ECONFLICT);

	memset(&tok, 0, sizeof(tok));
	assert_int_equal(store_token_lookup(f->st, h1, &tok, &err), TN_OK);
	assert_string_equal(tok.name, "王芳");
	assert_string_equal(tok.role, "clerk");
	assert_string_equal(tok.dept, "YBJ");
	assert_null(tok.subject);
	assert_true(tok.id > 0);
	store_token_release(&tok);

	memset(&tok, 0, sizeof(tok));
	assert_int_equal(store_token_lookup(f->st, h2, &tok, &err), TN_OK);
	assert_null(tok.dept);
	assert_string_equal(tok.subject, "11010519491231002X");
	store_token_release(&tok);

	memset(&tok, 0, sizeof(tok));
	assert_int_equal(store_token_lookup(f->st, "33", &tok, &err), TN_ENOTFOUND);
}

/* The last use of token `id` as stored, read on another connection ("" when none). */
static const char *last_use(struct store *other, long id, char *buf, size_t size)
{
	struct tn_err err = TN_ERR_INIT;
	jv doc;

	assert_int_equal(store_token_get(other, id, &doc, &err), TN_OK);
	str(doc, "last_used_at", buf, size);
	jv_free(doc);
	return buf;
}

/*
 * A snapshot held across requests (store_certs_read_hold, twonetd's batches):
 * each read_begin reads in it, so another connection's revoke is not seen
 * until it is released; the touch of a token's last use, which may not write
 * inside, is done at the release.
 */
static void test_read_hold(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct store_token tok;
	struct store *other = NULL;
	const char *h1 = "1111111111111111111111111111111111111111111111111111111111111111";
	char buf[64];
	long id;

	assert_int_equal(store_token_add(f->st, h1, "admin", "root", NULL, NULL, &err), TN_OK);
	assert_int_equal(store_open(&other, f->path, 0, &err), TN_OK);

	store_certs_read_hold(f->st, 1);
	store_certs_read_begin(f->st);
	memset(&tok, 0, sizeof(tok));
	assert_int_equal(store_token_lookup(f->st, h1, &tok, &err), TN_OK);
	id = tok.id;
	assert_true(tok.touch);                 /* never used */
	store_certs_read_end(f->st);            /* held: the snapshot stays */
	store_token_touch(f->st, &tok);         /* inside it: put off */
	store_token_release(&tok);
	assert_string_equal(last_use(other, id, buf, sizeof(buf)), "");

	assert_int_equal(store_token_revoke(other, id, &err), TN_OK);
	store_certs_read_begin(f->st);          /* the same snapshot: the revoke is not in it */
	memset(&tok, 0, sizeof(tok));
	assert_int_equal(store_token_lookup(f->st, h1, &tok, &err), TN_OK);
	store_token_release(&tok);
	store_certs_read_end(f->st);

	store_certs_read_release(f->st);        /* ended: the touch written, the revoke seen */
	assert_true(strncmp(last_use(other, id, buf, sizeof(buf)), "20", 2) == 0);
	store_certs_read_begin(f->st);
	memset(&tok, 0, sizeof(tok));
	assert_int_equal(store_token_lookup(f->st, h1, &tok, &err), TN_ENOTFOUND);
	store_certs_read_end(f->st);
	store_certs_read_hold(f->st, 0);

	/* no hold: read_end ends the snapshot at once, as before */
	store_certs_read_begin(f->st);
	store_certs_read_end(f->st);
	assert_int_equal(store_token_add(f->st, "2222222222222222222222222222222222222222222222222222222222222222",
					 "clerk", "x", "YBJ", NULL, &err), TN_OK);     /* no transaction left open */

	/* a write transaction ends a held snapshot by itself, never nested in it */
	store_certs_read_hold(f->st, 1);
	store_certs_read_begin(f->st);
	memset(&tok, 0, sizeof(tok));
	assert_int_equal(store_token_lookup(f->st, "2222222222222222222222222222222222222222222222222222222222222222",
					    &tok, &err), TN_OK);
	store_token_release(&tok);
	store_certs_read_end(f->st);
	assert_int_equal(store_certs_begin(f->st, &err), TN_OK);
	assert_int_equal(store_certs_commit(f->st, &err), TN_OK);
	store_certs_read_hold(f->st, 0);
	store_close(other);
}

/* BEGIN IMMEDIATE on the file `path` from a connection of its own: SQLITE_OK, or SQLITE_BUSY when another holds its write lock. */
static int try_write_lock(const char *path)
{
	sqlite3 *db = NULL;
	int rc;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	return rc;
}

/*
 * An alerts transaction holds the database's write lock from its start, and
 * not the audit log's: the audit writer commits reads' rows meanwhile.
 */
static void test_alerts_lock(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	char log[160];

	snprintf(log, sizeof(log), "%s.audit", f->path);
	assert_int_equal(store_alerts_begin(f->st, &err), TN_OK);
	assert_int_equal(try_write_lock(f->path), SQLITE_BUSY);
	assert_int_equal(try_write_lock(log), SQLITE_OK);
	assert_int_equal(store_alerts_commit(f->st, 0, NULL, &err), TN_OK);
	assert_int_equal(try_write_lock(f->path), SQLITE_OK);

	assert_int_equal(store_alerts_begin(f->st, &err), TN_OK);
	store_alerts_rollback(f->st);
	assert_int_equal(try_write_lock(f->path), SQLITE_OK);
}

/* The other writer of test_alerts_yield: holds the lock until the third wait, then commits. */
struct holder {
	sqlite3 *db;
	int waits;
	struct store *st;
};

static void holder_wait(void *arg)
{
	struct holder *h = arg;

	h->waits++;
	/* called outside any transaction of ours: the store reads meanwhile */
	assert_true(store_alert_latest(h->st) >= 0);
	assert_false(sqlite3_get_autocommit(h->db));    /* still held: a wait only while busy */
	if (h->waits == 3)
		assert_int_equal(sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
}

/*
 * store_alerts_begin_yield: while another connection holds the write lock
 * it calls `wait` between its tries, outside a transaction, and takes the
 * lock once the other commits; without a holder it never calls `wait`.
 */
static void test_alerts_yield(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct holder h = { NULL, 0, f->st };

	assert_int_equal(store_alerts_begin_yield(f->st, holder_wait, &h, &err), TN_OK);
	assert_int_equal(h.waits, 0);
	assert_int_equal(try_write_lock(f->path), SQLITE_BUSY);
	store_alerts_rollback(f->st);

	assert_int_equal(sqlite3_open_v2(f->path, &h.db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h.db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_alerts_begin_yield(f->st, holder_wait, &h, &err), TN_OK);
	assert_int_equal(h.waits, 3);
	assert_int_equal(try_write_lock(f->path), SQLITE_BUSY);
	assert_int_equal(store_alerts_commit(f->st, 0, NULL, &err), TN_OK);
	assert_int_equal(try_write_lock(f->path), SQLITE_OK);
	sqlite3_close(h.db);
}

/* A read of certificate `id` in its own snapshot, as GET /v1/certs/{id} does: its doc, or "" when none. */
static char *read_cert(struct store *st, const char *id, char *out, size_t size)
{
	struct tn_err err = TN_ERR_INIT;
	char *doc = NULL, *holder = NULL, *dept = NULL;
	enum tn_code code;

	store_certs_read_begin(st);
	code = store_cert_get_text(st, id, &doc, &holder, &dept, &err);
	store_certs_read_end(st);
	snprintf(out, size, "%s", code == TN_OK ? doc : "");
	if (code == TN_OK) {
		assert_string_equal(holder, "H1");
		assert_string_equal(dept, "RSJ");
	} else {
		assert_int_equal(code, TN_ENOTFOUND);
	}
	free(doc);
	free(holder);
	free(dept);
	return out;
}

/*
 * The certificates a connection keeps (store_certs_cache.c): never a read
 * older than its snapshot; kept across commits that change no certificate.
 */
static void test_cert_cache(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct store *other = NULL;
	struct store_cert_row row = { "C1", "K", "H1", "RSJ", "{\"v\":1}", -1, NULL, NULL };
	char buf[64];
	long misses;

	assert_int_equal(store_open(&other, f->path, 0, &err), TN_OK);
	assert_string_equal(read_cert(f->st, "C1", buf, sizeof(buf)), "");      /* none, kept so */
	assert_int_equal(store_cert_insert(other, &row, &err), TN_OK);
	assert_string_equal(read_cert(f->st, "C1", buf, sizeof(buf)), "{\"v\":1}"); /* another's commit */
	misses = store_certs_cache_misses(f->st);
	assert_string_equal(read_cert(f->st, "C1", buf, sizeof(buf)), "{\"v\":1}"); /* kept */
	assert_int_equal(store_certs_cache_misses(f->st), misses);

	/* a commit that changes no certificate keeps them: another connection's, this one's */
	assert_int_equal(store_token_add(other, "3333333333333333333333333333333333333333333333333333333333333333",
					 "clerk", "x", "YBJ", NULL, &err), TN_OK);
	assert_string_equal(read_cert(f->st, "C1", buf, sizeof(buf)), "{\"v\":1}");
	assert_int_equal(store_token_add(f->st, "4444444444444444444444444444444444444444444444444444444444444444",
					 "clerk", "y", "YBJ", NULL, &err), TN_OK);
	assert_string_equal(read_cert(f->st, "C1", buf, sizeof(buf)), "{\"v\":1}");
	assert_string_equal(read_cert(f->st, "C9", buf, sizeof(buf)), "");      /* a miss, kept */
	assert_string_equal(read_cert(f->st, "C9", buf, sizeof(buf)), "");
	assert_int_equal(store_certs_cache_misses(f->st), misses + 1);

	/* revoked through another connection: seen at the next read */
	assert_int_equal(store_cert_revoke(other, "C1", "2026-12-06T10:00:00+08:00", "lost",
					   jv_parse("{\"v\":2}"), &err), TN_OK);
	assert_string_equal(read_cert(f->st, "C1", buf, sizeof(buf)), "{\"v\":2}");
	assert_int_equal(store_certs_cache_misses(f->st), misses + 2);

	/* changed through this connection: seen too */
	row.id = "C2";
	assert_string_equal(read_cert(f->st, "C2", buf, sizeof(buf)), "");
	assert_int_equal(store_cert_insert(f->st, &row, &err), TN_OK);
	assert_string_equal(read_cert(f->st, "C2", buf, sizeof(buf)), "{\"v\":1}");
	assert_int_equal(store_cert_revoke(f->st, "C2", "2026-12-06T10:00:00+08:00", "lost",
					   jv_parse("{\"v\":3}"), &err), TN_OK);
	assert_string_equal(read_cert(f->st, "C2", buf, sizeof(buf)), "{\"v\":3}");

	/* a held snapshot reads as of its start, cached or not */
	store_certs_read_hold(f->st, 1);
	assert_string_equal(read_cert(f->st, "C1", buf, sizeof(buf)), "{\"v\":2}");
	{
		sqlite3 *db;

		assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
		sqlite3_busy_timeout(db, 5000);
		assert_int_equal(sqlite3_exec(db, "UPDATE certs SET doc = '{\"v\":4}' WHERE id = 'C1'",
					      NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
	}
	assert_string_equal(read_cert(f->st, "C1", buf, sizeof(buf)), "{\"v\":2}");
	store_certs_read_hold(f->st, 0);
	/* a writer that is not twonetd (the sqlite3 shell) is seen too: the counter's triggers */
	assert_string_equal(read_cert(f->st, "C1", buf, sizeof(buf)), "{\"v\":4}");
	store_close(other);
}

static void test_catalog(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	long nd = 0, ni = 0, nw = 0;
	jv item, items, wfs, dept;
	char buf[64];

	assert_int_equal(store_catalog_import(f->st, parse(
		"{\"departments\":[{\"code\":\"YBJ\",\"name\":\"医疗保障局\"},{\"code\":\"RSJ\",\"name\":\"人社局\"}],"
		" \"items\":[{\"code\":\"310000-YB-003\",\"name\":\"异地就医备案\",\"department\":\"YBJ\",\"promised_days\":5},"
		"            {\"code\":\"310000-RS-006\",\"name\":\"就业登记\",\"department\":\"RSJ\","
		"             \"department_name\":\"上海市人社局\"}],"
		" \"workflows\":[{\"code\":\"restaurant\",\"name\":\"开餐馆\"}]}"), &nd, &ni, &nw, &err), TN_OK);
	assert_int_equal(nd, 2);
	assert_int_equal(ni, 2);
	assert_int_equal(nw, 1);

	assert_int_equal(store_item_get(f->st, "310000-YB-003", &item, &err), TN_OK);
	assert_string_equal(str(item, "name", buf, sizeof(buf)), "异地就医备案");
	/* filled from the departments when the item lacks it; kept when it has one */
	assert_string_equal(str(item, "department_name", buf, sizeof(buf)), "医疗保障局");
	jv_free(item);
	assert_int_equal(store_item_get(f->st, "310000-RS-006", &item, &err), TN_OK);
	assert_string_equal(str(item, "department_name", buf, sizeof(buf)), "上海市人社局");
	jv_free(item);
	assert_int_equal(store_item_get(f->st, "nope", &item, &err), TN_ENOTFOUND);
	jv_free(item);

	assert_int_equal(store_department_get(f->st, "RSJ", &dept, &err), TN_OK);
	assert_string_equal(str(dept, "name", buf, sizeof(buf)), "人社局");
	jv_free(dept);
	assert_int_equal(store_department_get(f->st, "XXX", &dept, &err), TN_ENOTFOUND);
	assert_non_null(strstr(err.message, "XXX"));
	jv_free(dept);

	assert_int_equal(store_item_list(f->st, NULL, NULL, &items, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(items)), 2);
	jv_free(items);
	assert_int_equal(store_item_list(f->st, "RSJ", NULL, &items, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(items)), 1);
	jv_free(items);
	assert_int_equal(store_item_list(f->st, NULL, "就医", &items, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(items)), 1);
	jv_free(items);

	assert_int_equal(store_workflow_list(f->st, &wfs, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(wfs)), 1);
	jv_free(wfs);

	/* a workflow replaced, then a new one */
	{
		int created = -1;
		jv wf;

		assert_int_equal(store_workflow_put(f->st, "restaurant",
						    parse("{\"code\":\"restaurant\",\"name\":\"开饭店\"}"),
						    &created, &err), TN_OK);
		assert_int_equal(created, 0);
		assert_int_equal(store_workflow_put(f->st, "bakery", parse("{\"code\":\"bakery\"}"),
						    &created, &err), TN_OK);
		assert_int_equal(created, 1);
		assert_int_equal(store_workflow_get(f->st, "restaurant", &wf, &err), TN_OK);
		assert_string_equal(str(wf, "name", buf, sizeof(buf)), "开饭店");
		jv_free(wf);
		assert_int_equal(store_workflow_get(f->st, "none", &wf, &err), TN_ENOTFOUND);
		jv_free(wf);
	}

	/* wrong shapes are refused */
	assert_int_equal(store_catalog_import(f->st, parse("[1]"), NULL, NULL, NULL, &err), TN_EINVALID);
	assert_int_equal(store_catalog_import(f->st, parse("{\"items\":{}}"), NULL, NULL, NULL, &err),
			 TN_EINVALID);
	assert_int_equal(store_catalog_import(f->st, parse("{\"items\":[{\"code\":\"x\"}]}"),
					      NULL, NULL, NULL, &err), TN_EINVALID);
}

static void test_case_round_trip(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	char id[16], id2[16], buf[64];
	const char *hash = "aaaa", *other = "bbbb";
	int replayed = -1;
	long token = 0, current = 0;
	jv doc, events;

	assert_int_equal(file_case(f->st, "YBJ", "张三", "2026-12-04", "k1", hash, 7, id, &replayed), TN_OK);
	assert_int_equal(replayed, 0);
	assert_string_equal(id, "C00000001");

	/* the same key and body: the stored case again; another body: a conflict */
	assert_int_equal(file_case(f->st, "YBJ", "张三", "2026-12-04", "k1", hash, 7, id2, &replayed), TN_OK);
	assert_int_equal(replayed, 1);
	assert_string_equal(id2, id);
	assert_int_equal(file_case(f->st, "YBJ", "张三", "2026-12-04", "k1", other, 7, id2, &replayed),
			 TN_ECONFLICT);
	/* the key is the token's own: another token may use it */
	assert_int_equal(file_case(f->st, "YBJ", "李四", "2026-12-04", "k1", hash, 8, id2, &replayed), TN_OK);
	assert_int_equal(replayed, 0);
	assert_string_equal(id2, "C00000002");

	assert_int_equal(store_case_get(f->st, id, &doc, &token, &err), TN_OK);
	assert_int_equal(token, 7);
	assert_string_equal(str(doc, "id", buf, sizeof(buf)), "C00000001");
	assert_string_equal(str(doc, "status", buf, sizeof(buf)), "submitted");
	jv_free(doc);
	assert_int_equal(store_case_get(f->st, "C00000099", &doc, NULL, &err), TN_ENOTFOUND);
	jv_free(doc);
	assert_int_equal(store_case_get(f->st, "not-an-id", &doc, NULL, &err), TN_ENOTFOUND);
	jv_free(doc);

	/* an action at the version read; then the same version again is a conflict */
	doc = parse("{\"id\":\"C00000001\",\"status\":\"accepted\",\"version\":2}");
	assert_int_equal(store_case_act(f->st, id, 1, "accepted", doc,
					 parse("{\"at\":\"2026-11-29T09:00:00+08:00\",\"actor\":\"王芳\","
					       "\"role\":\"clerk\",\"action\":\"accept\",\"from\":\"submitted\","
					       "\"to\":\"accepted\",\"version\":2}"), &current, &err), TN_OK);
	assert_int_equal(store_case_act(f->st, id, 1, "approved",
					 parse("{\"status\":\"approved\",\"version\":2}"),
					 parse("{\"at\":\"x\",\"actor\":\"a\",\"role\":\"clerk\",\"action\":\"approve\","
					       "\"to\":\"approved\",\"version\":2}"), &current, &err), TN_ECONFLICT);
	assert_int_equal(current, 2);
	assert_int_equal(store_case_act(f->st, "C00000099", 1, "accepted", parse("{}"),
					 parse("{}"), &current, &err), TN_ENOTFOUND);

	assert_int_equal(store_case_get(f->st, id, &doc, NULL, &err), TN_OK);
	assert_string_equal(str(doc, "status", buf, sizeof(buf)), "accepted");
	assert_true(num(doc, "version") == 2);
	jv_free(doc);

	assert_int_equal(store_case_events(f->st, id, &events, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(events)), 2);
	{
		jv e0 = jv_array_get(jv_copy(events), 0), e1 = jv_array_get(jv_copy(events), 1);

		assert_string_equal(str(e0, "action", buf, sizeof(buf)), "submit");
		assert_string_equal(str(e1, "action", buf, sizeof(buf)), "accept");
		assert_string_equal(str(e1, "from", buf, sizeof(buf)), "submitted");
		assert_string_equal(str(e1, "actor", buf, sizeof(buf)), "王芳");
		assert_true(num(e0, "seq") < num(e1, "seq"));
		assert_true(num(e1, "version") == 2);
		jv_free(e0);
		jv_free(e1);
	}
	jv_free(events);
	assert_int_equal(store_case_events(f->st, "C00000099", &events, &err), TN_ENOTFOUND);
	jv_free(events);
}

/* Every page of a list with filter `base`, `limit` at a time; the ids joined with spaces. */
static void list_all(struct store *st, struct store_case_filter base, long limit, char *out,
		     size_t size)
{
	struct tn_err err = TN_ERR_INIT;
	char *cursor = NULL, buf[32];
	size_t len = 0;
	int pages = 0;

	out[0] = '\0';
	do {
		jv items;
		char *next = NULL;

		base.cursor = cursor;
		base.limit = limit;
		assert_int_equal(store_case_list(st, &base, &items, &next, &err), TN_OK);
		for (int i = 0; i < jv_array_length(jv_copy(items)); i++) {
			jv c = jv_array_get(jv_copy(items), i);

			len += (size_t)snprintf(out + len, size - len, "%s%s", len ? " " : "",
						str(c, "id", buf, sizeof(buf)));
			jv_free(c);
		}
		assert_true(jv_array_length(jv_copy(items)) <= limit);
		jv_free(items);
		free(cursor);
		cursor = next;
		assert_true(++pages < 100);
	} while (cursor);
}

static void test_case_list(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct store_case_filter flt;
	char id[16], out[256], *next = NULL;
	int replayed;
	jv items;

	/* C1 YBJ 12-10, C2 RSJ none, C3 YBJ 12-01, C4 YBJ 12-10, C5 RSJ 12-05 */
	assert_int_equal(file_case(f->st, "YBJ", "张三", "2026-12-10", "a", "h", 1, id, &replayed), TN_OK);
	assert_int_equal(file_case(f->st, "RSJ", "李四", NULL, "b", "h", 1, id, &replayed), TN_OK);
	assert_int_equal(file_case(f->st, "YBJ", "王五", "2026-12-01", "c", "h", 2, id, &replayed), TN_OK);
	assert_int_equal(file_case(f->st, "YBJ", "赵六", "2026-12-10", "d", "h", 2, id, &replayed), TN_OK);
	assert_int_equal(file_case(f->st, "RSJ", "张三丰", "2026-12-05", "e", "h", 3, id, &replayed), TN_OK);

	memset(&flt, 0, sizeof(flt));
	flt.overdue = -1;
	flt.scope_token_id = -1;
	list_all(f->st, flt, 2, out, sizeof(out));
	assert_string_equal(out, "C00000001 C00000002 C00000003 C00000004 C00000005");

	/* by deadline, then id; no deadline last; pages of every size give the same order */
	flt.order_deadline = 1;
	for (long limit = 1; limit <= 6; limit++) {
		list_all(f->st, flt, limit, out, sizeof(out));
		assert_string_equal(out, "C00000003 C00000005 C00000001 C00000004 C00000002");
	}
	flt.order_deadline = 0;

	flt.scope_department = "YBJ";
	list_all(f->st, flt, 100, out, sizeof(out));
	assert_string_equal(out, "C00000001 C00000003 C00000004");
	flt.scope_department = NULL;

	flt.scope_token_id = 2;
	list_all(f->st, flt, 100, out, sizeof(out));
	assert_string_equal(out, "C00000003 C00000004");
	flt.scope_token_id = -1;

	flt.q = "张三";
	list_all(f->st, flt, 100, out, sizeof(out));
	assert_string_equal(out, "C00000001 C00000005");
	flt.q = "C00000004";
	list_all(f->st, flt, 100, out, sizeof(out));
	assert_string_equal(out, "C00000004");
	flt.q = "%";                            /* a wildcard is a character */
	list_all(f->st, flt, 100, out, sizeof(out));
	assert_string_equal(out, "");
	flt.q = NULL;

	flt.overdue = 1;
	flt.today = "2026-12-06";
	list_all(f->st, flt, 100, out, sizeof(out));
	assert_string_equal(out, "C00000003 C00000005");
	flt.overdue = 0;
	list_all(f->st, flt, 100, out, sizeof(out));
	assert_string_equal(out, "C00000001 C00000002 C00000004");
	flt.overdue = -1;

	flt.status = "accepted";
	list_all(f->st, flt, 100, out, sizeof(out));
	assert_string_equal(out, "");
	flt.status = NULL;

	/* a cursor the store did not make */
	flt.cursor = "garbage!";
	flt.limit = 10;
	assert_int_equal(store_case_list(f->st, &flt, &items, &next, &err), TN_EINVALID);
	assert_null(next);
	jv_free(items);
}

static void test_case_tree(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct store_case_new parent, subs[2];
	const char *depts[2] = { "YBJ", "RSJ" };
	int replayed = -1;
	long cur;
	char buf[64];
	jv out, doc, kids;

	memset(&parent, 0, sizeof(parent));
	memset(subs, 0, sizeof(subs));
	parent.doc = parse("{\"status\":\"submitted\",\"workflow\":\"restaurant\",\"version\":1}");
	parent.event = parse("{\"at\":\"t0\",\"actor\":\"a\",\"role\":\"applicant\",\"action\":\"submit\","
			     "\"to\":\"submitted\",\"version\":1}");
	parent.item = "restaurant";
	parent.department = "YBJ";
	parent.status = "submitted";
	parent.applicant_id = parent.applicant_name = parent.submitted_at = parent.submitted_by = "x";
	parent.deadline_days = parent.legal_days = -1;
	parent.token_id = 5;
	parent.idem_key = "tree";
	parent.idem_hash = "hh";
	for (int i = 0; i < 2; i++) {
		subs[i] = parent;
		subs[i].doc = parse("{\"status\":\"submitted\",\"version\":1}");
		subs[i].event = jv_copy(parent.event);
		subs[i].department = depts[i];
		subs[i].idem_key = NULL;
		subs[i].idem_hash = NULL;
	}
	assert_int_equal(store_case_create_tree(f->st, "restaurant", &parent, subs, 2, &out, &replayed,
						&err), TN_OK);
	assert_int_equal(replayed, 0);
	assert_string_equal(str(out, "id", buf, sizeof(buf)), "C00000001");
	kids = jv_object_get(jv_copy(out), jv_string("children"));
	assert_int_equal(jv_array_length(jv_copy(kids)), 2);
	jv_free(kids);
	jv_free(out);

	assert_int_equal(store_case_get(f->st, "C00000002", &doc, NULL, &err), TN_OK);
	assert_string_equal(str(doc, "parent", buf, sizeof(buf)), "C00000001");
	jv_free(doc);

	/* the sub-cases of the parent */
	{
		struct store_case_filter flt;
		char ids[128];

		memset(&flt, 0, sizeof(flt));
		flt.overdue = -1;
		flt.scope_token_id = -1;
		flt.parent = "C00000001";
		list_all(f->st, flt, 10, ids, sizeof(ids));
		assert_string_equal(ids, "C00000002 C00000003");
	}

	/* completing the first sub-case leaves the parent; the last completes it */
	assert_int_equal(store_case_act(f->st, "C00000002", 1, "completed",
					 parse("{\"status\":\"completed\",\"version\":2}"),
					 parse("{\"at\":\"t1\",\"actor\":\"c\",\"role\":\"clerk\",\"action\":\"complete\","
					       "\"to\":\"completed\",\"version\":2}"), &cur, &err), TN_OK);
	assert_int_equal(store_case_get(f->st, "C00000001", &doc, NULL, &err), TN_OK);
	assert_string_equal(str(doc, "status", buf, sizeof(buf)), "submitted");
	jv_free(doc);
	assert_int_equal(store_case_act(f->st, "C00000003", 1, "completed",
					 parse("{\"status\":\"completed\",\"version\":2}"),
					 parse("{\"at\":\"t2\",\"actor\":\"c\",\"role\":\"clerk\",\"action\":\"complete\","
					       "\"to\":\"completed\",\"version\":2}"), &cur, &err), TN_OK);
	assert_int_equal(store_case_get(f->st, "C00000001", &doc, NULL, &err), TN_OK);
	assert_string_equal(str(doc, "status", buf, sizeof(buf)), "completed");
	assert_string_equal(str(doc, "completed_at", buf, sizeof(buf)), "t2");
	assert_true(num(doc, "version") == 2);
	jv_free(doc);
	{
		jv events, last;

		assert_int_equal(store_case_events(f->st, "C00000001", &events, &err), TN_OK);
		assert_int_equal(jv_array_length(jv_copy(events)), 2);
		last = jv_array_get(jv_copy(events), 1);
		assert_string_equal(str(last, "actor", buf, sizeof(buf)), "system");
		assert_string_equal(str(last, "action", buf, sizeof(buf)), "complete");
		jv_free(last);
		jv_free(events);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_migrate_health, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alerts_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alerts_yield, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cert_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_catalog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_tree, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
