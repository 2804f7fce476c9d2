/* test_srv_pg_store.c — the storage interface (store.h) on PostgreSQL ($TWONET_PG_URI): open, migrate, tokens, catalog, cases, calendar. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <libpq-fe.h>

#include "store.h"
#include "store_cal.h"
#include "store_ops.h"
#include "tn_cal.h"

/*
 * Run by tests/cli/t8100-pg-store.sh with TWONET_PG_URI set to a throwaway
 * cluster's database; every test starts from an empty schema.  Without the
 * variable (the suite's plain run of every unit program) it skips: the CLI
 * test is the one that starts PostgreSQL and fails when it cannot.
 */
static const char *uri;

struct fix {
	struct store *st;
};

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Run SQL on a connection of the test's own (not the store's). */
static void sql(const char *text)
{
	PGconn *c = PQconnectdb(uri);
	PGresult *r;

	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PQsetNoticeProcessor(c, quiet, NULL);
	r = PQexec(c, text);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		print_error("%s: %s\n", text, PQerrorMessage(c));
	assert_true(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
	PQclear(r);
	PQfinish(c);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct tn_err err = TN_ERR_INIT;

	sql("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
	if (store_open(&f->st, uri, 1, &err) != TN_OK) {
		print_error("store_open: %s\n", err.message);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	store_close(f->st);
	free(f);
	return 0;
}

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

static void test_open_migrate_health(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct store *again = NULL;
	int from = -1, to = -1;
	char buf[32];
	jv h;

	assert_string_equal(store_backend(f->st), "postgresql");
	store_health(f->st, &h);
	assert_true(jv_get_kind(jv_object_get(jv_copy(h), jv_string("ok"))) == JV_KIND_TRUE);
	assert_true(num(h, "schema") == STORE_SCHEMA);
	assert_string_equal(str(h, "backend", buf, sizeof(buf)), "postgresql");
	jv_free(h);

	/* migrating again is harmless */
	assert_int_equal(store_migrate(f->st, &from, &to, &err), TN_OK);
	assert_int_equal(from, STORE_SCHEMA);
	assert_int_equal(to, STORE_SCHEMA);

	/* a second connection, without create */
	assert_int_equal(store_open(&again, uri, 0, &err), TN_OK);
	assert_non_null(again);
	store_close(again);

	/* an older schema is refused without create, and migrated with it */
	sql("UPDATE schema_version SET version = 10");
	again = (struct store *)1;
	assert_int_equal(store_open(&again, uri, 0, &err), TN_EINVALID);
	assert_null(again);
	assert_non_null(strstr(err.message, "is at schema 10, not 17"));
	assert_non_null(strstr(err.message, "twonetd init"));
	/* no twonetd wrote a PostgreSQL schema below 11: init refuses to guess */
	assert_int_equal(store_open(&again, uri, 1, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "which no twonetd wrote on PostgreSQL"));
	/* a newer one is refused either way */
	sql("UPDATE schema_version SET version = 18");
	assert_int_equal(store_open(&again, uri, 0, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "newer than this twonetd"));
	assert_int_equal(store_open(&again, uri, 1, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "is at schema 18, this twonetd knows 17"));
	assert_null(again);
	sql("UPDATE schema_version SET version = 17");
}

static void test_open_empty_and_unreachable(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct store *st = (struct store *)1;

	(void)state;
	/* an empty database without create: schema 0, run twonetd init */
	sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
	assert_int_equal(store_open(&st, uri, 0, &err), TN_EINVALID);
	assert_null(st);
	assert_non_null(strstr(err.message, "is at schema 0"));
	assert_non_null(strstr(err.message, "twonetd init"));
	/* a server that is not there is named, and no password is shown */
	st = (struct store *)1;
	assert_int_equal(store_open(&st, "postgresql://u:sekrit@127.0.0.1:1/db?connect_timeout=2",
				    0, &err), TN_ESERVER);
	assert_null(st);
	assert_non_null(strstr(err.message, "cannot connect to the PostgreSQL server"));
	assert_non_null(strstr(err.message, "127.0.0.1:1"));
	assert_null(strstr(err.message, "sekrit"));
}

static void test_tokens(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct store_token tok;
	const char *h1 = "1111111111111111111111111111111111111111111111111111111111111111";
	const char *h2 = "2222222222222222222222222222222222222222222222222222222222222222";
	const char *h3 = "3333333333333333333333333333333333333333333333333333333333333333";
	const char *h4 = "4444444444444444444444444444444444444444444444444444444444444444";
	char when[32], buf[64];
	long id = 0, id2 = 0, nid = 0;
	jv list, doc;

	assert_int_equal(store_token_add(f->st, h1, "clerk", "王芳", "YBJ", NULL, &err), TN_OK);
	assert_int_equal(store_token_add(f->st, h2, "applicant", "张三", NULL, "11010519491231002X", &err),
			 TN_OK);
	assert_int_equal(store_token_add(f->st, h1, "admin", "x", NULL, NULL, &err), TN_ECONFLICT);
	assert_string_equal(err.message, "token already exists");

	memset(&tok, 0, sizeof(tok));
	assert_int_equal(store_token_lookup(f->st, h1, &tok, &err), TN_OK);
	assert_string_equal(tok.name, "王芳");
	assert_string_equal(tok.role, "clerk");
	assert_string_equal(tok.dept, "YBJ");
	assert_null(tok.subject);
	assert_true(tok.id > 0);
	assert_int_equal(tok.touch, 1);         /* never used */
	store_token_touch(f->st, &tok);
	assert_int_equal(tok.touch, 0);
	store_token_release(&tok);
	assert_int_equal(store_token_lookup(f->st, h1, &tok, &err), TN_OK);
	assert_int_equal(tok.touch, 0);         /* used a moment ago */
	store_token_release(&tok);

	memset(&tok, 0, sizeof(tok));
	assert_int_equal(store_token_lookup(f->st, h2, &tok, &err), TN_OK);
	assert_null(tok.dept);
	assert_string_equal(tok.subject, "11010519491231002X");
	store_token_release(&tok);
	assert_int_equal(store_token_lookup(f->st, "33", &tok, &err), TN_ENOTFOUND);
	assert_string_equal(err.message, "unknown token");

	/* times as SQLite's strftime gives them: UTC */
	assert_int_equal(store_token_when(f->st, "2099-01-01", when, sizeof(when), &err), TN_OK);
	assert_string_equal(when, "2099-01-01T00:00:00Z");
	assert_int_equal(store_token_when(f->st, "2099-01-01T08:30:00+08:00", when, sizeof(when),
					  &err), TN_OK);
	assert_string_equal(when, "2099-01-01T00:30:00Z");
	assert_int_equal(store_token_when(f->st, "2099-01-01 10:11:12", when, sizeof(when), &err),
			 TN_OK);
	assert_string_equal(when, "2099-01-01T10:11:12Z");
	assert_int_equal(store_token_when(f->st, "soon", when, sizeof(when), &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "'soon' is not a date"));
	assert_int_equal(store_token_when(f->st, "2099-13-45", when, sizeof(when), &err), TN_EINVALID);
	assert_int_equal(store_token_when(f->st, "now", when, sizeof(when), &err), TN_EINVALID);

	/* expiring tokens: a past expiry is not found and lists as expired */
	assert_int_equal(store_token_add_until(f->st, h3, "clerk", "brief", "RSJ", NULL,
					       "2000-01-01T00:00:00Z", &id, &err), TN_OK);
	assert_int_equal(store_token_lookup(f->st, h3, &tok, &err), TN_ENOTFOUND);
	assert_int_equal(store_token_add_until(f->st, h4, "clerk", "later", "RSJ", NULL,
					       "2099-01-01T00:00:00Z", &id2, &err), TN_OK);
	assert_true(id2 == id + 1);
	assert_int_equal(store_token_list(f->st, NULL, 0, &list, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(list)), 3);
	jv_free(list);
	assert_int_equal(store_token_list(f->st, NULL, 1, &list, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(list)), 4);
	doc = jv_array_get(jv_copy(list), 2);
	assert_true(num(doc, "id") == id);
	assert_string_equal(str(doc, "state", buf, sizeof(buf)), "expired");
	assert_string_equal(str(doc, "expires_at", buf, sizeof(buf)), "2000-01-01T00:00:00Z");
	assert_int_equal(strlen(str(doc, "created_at", buf, sizeof(buf))), 20);
	jv_free(doc);
	jv_free(list);
	/* a department's clerks only */
	assert_int_equal(store_token_list(f->st, "RSJ", 1, &list, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(list)), 2);
	jv_free(list);
	assert_int_equal(store_token_list(f->st, "RSJ", 0, &list, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(list)), 1);
	jv_free(list);

	/* get, revoke, revoke again, rotate */
	assert_int_equal(store_token_get(f->st, id2, &doc, &err), TN_OK);
	assert_string_equal(str(doc, "name", buf, sizeof(buf)), "later");
	assert_string_equal(str(doc, "state", buf, sizeof(buf)), "active");
	assert_true(jv_get_kind(jv_object_get(jv_copy(doc), jv_string("revoked_at"))) == JV_KIND_NULL);
	jv_free(doc);
	assert_int_equal(store_token_get(f->st, 999, &doc, &err), TN_ENOTFOUND);
	assert_string_equal(err.message, "no token 999");
	jv_free(doc);
	assert_int_equal(store_token_rotate(f->st, id2, "55", &nid, &err), TN_OK);
	assert_true(nid > id2);
	assert_int_equal(store_token_lookup(f->st, h4, &tok, &err), TN_ENOTFOUND);
	assert_int_equal(store_token_lookup(f->st, "55", &tok, &err), TN_OK);
	assert_string_equal(tok.name, "later");
	assert_string_equal(tok.dept, "RSJ");
	store_token_release(&tok);
	assert_int_equal(store_token_get(f->st, nid, &doc, &err), TN_OK);
	assert_string_equal(str(doc, "expires_at", buf, sizeof(buf)), "2099-01-01T00:00:00Z");
	jv_free(doc);
	assert_int_equal(store_token_revoke(f->st, id2, &err), TN_ECONFLICT);
	assert_non_null(strstr(err.message, "already revoked"));
	assert_int_equal(store_token_rotate(f->st, id2, "66", &nid, &err), TN_ECONFLICT);
	assert_int_equal(store_token_revoke(f->st, nid, &err), TN_OK);
	assert_int_equal(store_token_get(f->st, nid, &doc, &err), TN_OK);
	assert_string_equal(str(doc, "state", buf, sizeof(buf)), "revoked");
	jv_free(doc);
	assert_int_equal(store_token_revoke(f->st, 999, &err), TN_ENOTFOUND);
	/* a rotation whose new secret is taken changes nothing */
	assert_int_equal(store_token_get(f->st, 1, &doc, &err), TN_OK);
	jv_free(doc);
	assert_int_equal(store_token_rotate(f->st, 1, h2, &nid, &err), TN_ECONFLICT);
	assert_int_equal(store_token_lookup(f->st, h1, &tok, &err), TN_OK);
	store_token_release(&tok);
}

static void test_catalog(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	long nd = 0, ni = 0, nw = 0;
	jv item, items, wfs, dept, text;
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
	assert_string_equal(str(item, "department_name", buf, sizeof(buf)), "医疗保障局");
	/* the document comes back as it was written: its members in their order */
	text = jv_dump_string(item, 0);
	assert_string_equal(jv_string_value(text), "{\"code\":\"310000-YB-003\",\"name\":\"异地就医备案\","
			    "\"department\":\"YBJ\",\"promised_days\":5,\"department_name\":\"医疗保障局\"}");
	jv_free(text);
	assert_int_equal(store_item_get(f->st, "310000-RS-006", &item, &err), TN_OK);
	assert_string_equal(str(item, "department_name", buf, sizeof(buf)), "上海市人社局");
	jv_free(item);
	assert_int_equal(store_item_get(f->st, "nope", &item, &err), TN_ENOTFOUND);
	assert_string_equal(err.message, "no item 'nope'");
	jv_free(item);

	assert_int_equal(store_department_get(f->st, "RSJ", &dept, &err), TN_OK);
	assert_string_equal(str(dept, "name", buf, sizeof(buf)), "人社局");
	jv_free(dept);
	assert_int_equal(store_department_get(f->st, "XXX", &dept, &err), TN_ENOTFOUND);
	assert_string_equal(err.message, "no department 'XXX'");
	jv_free(dept);

	assert_int_equal(store_item_list(f->st, NULL, NULL, &items, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(items)), 2);
	/* by code, byte order */
	item = jv_array_get(jv_copy(items), 0);
	assert_string_equal(str(item, "code", buf, sizeof(buf)), "310000-RS-006");
	jv_free(item);
	jv_free(items);
	assert_int_equal(store_item_list(f->st, "RSJ", NULL, &items, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(items)), 1);
	jv_free(items);
	assert_int_equal(store_item_list(f->st, NULL, "就医", &items, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(items)), 1);
	jv_free(items);
	assert_int_equal(store_item_list(f->st, "YBJ", "RS-006", &items, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(items)), 0);
	jv_free(items);
	assert_int_equal(store_item_list(f->st, NULL, "RS-006", &items, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(items)), 1);
	jv_free(items);

	assert_int_equal(store_workflow_list(f->st, &wfs, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(wfs)), 1);
	jv_free(wfs);
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
		assert_int_equal(store_workflow_list(f->st, &wfs, &err), TN_OK);
		assert_int_equal(jv_array_length(jv_copy(wfs)), 2);
		wf = jv_array_get(jv_copy(wfs), 0);
		assert_string_equal(str(wf, "code", buf, sizeof(buf)), "bakery");
		jv_free(wf);
		jv_free(wfs);
	}

	/* importing again replaces by code */
	assert_int_equal(store_catalog_import(f->st, parse(
		"{\"departments\":[{\"code\":\"RSJ\",\"name\":\"人力资源和社会保障局\"}],"
		" \"items\":[{\"code\":\"310000-RS-006\",\"name\":\"就业登记\",\"department\":\"RSJ\",\"legal_days\":20}]}"),
		&nd, &ni, &nw, &err), TN_OK);
	assert_int_equal(nd, 1);
	assert_int_equal(nw, 0);
	assert_int_equal(store_item_get(f->st, "310000-RS-006", &item, &err), TN_OK);
	assert_string_equal(str(item, "department_name", buf, sizeof(buf)), "人力资源和社会保障局");
	assert_true(num(item, "legal_days") == 20);
	jv_free(item);

	/* wrong shapes are refused, and a bad row leaves nothing behind */
	assert_int_equal(store_catalog_import(f->st, parse("[1]"), NULL, NULL, NULL, &err), TN_EINVALID);
	assert_int_equal(store_catalog_import(f->st, parse("{\"items\":{}}"), NULL, NULL, NULL, &err),
			 TN_EINVALID);
	assert_int_equal(store_catalog_import(f->st, parse(
		"{\"departments\":[{\"code\":\"NEW\",\"name\":\"新\"}],\"items\":[{\"code\":\"x\"}]}"),
		NULL, NULL, NULL, &err), TN_EINVALID);
	assert_int_equal(store_department_get(f->st, "NEW", &dept, &err), TN_ENOTFOUND);
	jv_free(dept);
}

/* File a case of `dept` for applicant `who` under key `key`; its id into id[16]. */
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
		assert_string_equal(str(out, "status", buf, sizeof(buf)), "submitted");
	}
	jv_free(out);
	return code;
}

static void test_case_round_trip(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	char id[16], id2[16], buf[64];
	const char *hash = "aaaa", *other = "bbbb";
	int replayed = -1;
	long token = 0, current = 0;
	jv doc, events, text;

	assert_int_equal(file_case(f->st, "YBJ", "张三", "2026-12-04", "k1", hash, 7, id, &replayed), TN_OK);
	assert_int_equal(replayed, 0);
	assert_string_equal(id, "C00000001");
	assert_int_equal(file_case(f->st, "YBJ", "张三", "2026-12-04", "k1", hash, 7, id2, &replayed), TN_OK);
	assert_int_equal(replayed, 1);
	assert_string_equal(id2, id);
	assert_int_equal(file_case(f->st, "YBJ", "张三", "2026-12-04", "k1", other, 7, id2, &replayed),
			 TN_ECONFLICT);
	assert_int_equal(file_case(f->st, "YBJ", "李四", "2026-12-04", "k1", hash, 8, id2, &replayed), TN_OK);
	assert_int_equal(replayed, 0);
	assert_string_equal(id2, "C00000002");

	assert_int_equal(store_case_get(f->st, id, &doc, &token, &err), TN_OK);
	assert_int_equal(token, 7);
	/* "id" first, then the document as it was filed */
	text = jv_dump_string(doc, 0);
	assert_string_equal(jv_string_value(text), "{\"id\":\"C00000001\",\"status\":\"submitted\","
			    "\"applicant\":{\"name\":\"张三\"},\"version\":1}");
	jv_free(text);
	assert_int_equal(store_case_get(f->st, "C00000099", &doc, NULL, &err), TN_ENOTFOUND);
	jv_free(doc);
	assert_int_equal(store_case_get(f->st, "not-an-id", &doc, NULL, &err), TN_ENOTFOUND);
	jv_free(doc);

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
	assert_string_equal(err.message, "case C00000001 is at version 2, not 1");
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
		assert_true(jv_get_kind(jv_object_get(jv_copy(e0), jv_string("from"))) == JV_KIND_NULL);
		assert_string_equal(str(e1, "action", buf, sizeof(buf)), "accept");
		assert_string_equal(str(e1, "from", buf, sizeof(buf)), "submitted");
		assert_string_equal(str(e1, "actor", buf, sizeof(buf)), "王芳");
		assert_true(num(e0, "seq") == 1 && num(e1, "seq") == 2);
		assert_true(num(e1, "version") == 2);
		jv_free(e0);
		jv_free(e1);
	}
	jv_free(events);
	assert_int_equal(store_case_events(f->st, "C00000099", &events, &err), TN_ENOTFOUND);
	jv_free(events);
}

/*
 * Two filings under one key at once: a second connection holds the first
 * uncommitted while the store files the same key; the store's insert waits,
 * meets the key once the first commits, and answers the first as a replay.
 */
static void test_case_race(void **state)
{
	struct fix *f = *state;
	int fds[2];
	char id[16], c;
	int replayed = -1, status = 0;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		PGconn *k = PQconnectdb(uri);
		PGresult *r = PQexec(k, "BEGIN; INSERT INTO cases (item, department, status, "
				     "applicant_id, applicant_name, submitted_at, version, submitted_by, "
				     "token_id, idem_key, idem_hash, doc) VALUES ('310000-YB-003', 'YBJ', "
				     "'submitted', 'x', '先', 't', 1, 'c', 9, 'race', 'aaaa', "
				     "'{\"status\":\"submitted\",\"who\":\"first\"}')");
		int ok = PQresultStatus(r) == PGRES_COMMAND_OK;

		PQclear(r);
		if (write(fds[1], ok ? "y" : "n", 1) != 1)
			_exit(1);
		usleep(300000);
		PQclear(PQexec(k, "COMMIT"));
		PQfinish(k);
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(read(fds[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	assert_int_equal(file_case(f->st, "YBJ", "后", NULL, "race", "aaaa", 9, id, &replayed), TN_OK);
	assert_int_equal(replayed, 1);
	assert_string_equal(id, "C00000001");
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* the insert that met the key did run (and took a number: ids may have gaps) */
	assert_int_equal(file_case(f->st, "YBJ", "又", NULL, "next", "aaaa", 9, id, &replayed), TN_OK);
	assert_string_equal(id, "C00000003");
	close(fds[0]);
	close(fds[1]);
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

	/* replayed whole */
	memset(&parent.doc, 0, sizeof(parent.doc));
	parent.doc = parse("{\"status\":\"submitted\"}");
	parent.event = parse("{}");
	for (int i = 0; i < 2; i++) {
		subs[i].doc = parse("{}");
		subs[i].event = parse("{}");
	}
	assert_int_equal(store_case_create_tree(f->st, "restaurant", &parent, subs, 2, &out, &replayed,
						&err), TN_OK);
	assert_int_equal(replayed, 1);
	kids = jv_object_get(jv_copy(out), jv_string("children"));
	assert_int_equal(jv_array_length(jv_copy(kids)), 2);
	jv_free(kids);
	jv_free(out);

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
		assert_string_equal(str(last, "comment", buf, sizeof(buf)), "every sub-case is completed");
		jv_free(last);
		jv_free(events);
	}
}

static void test_calendar(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct store_cal_result res;
	struct tn_cal *cal = NULL, *add = tn_cal_new();
	long gen = -1, day;
	char buf[64];
	jv years, y;

	assert_int_equal(store_cal_load(f->st, &cal, &gen, &err), TN_OK);
	assert_null(cal);
	assert_int_equal(gen, 0);
	assert_int_equal(tn_cal_add_year(add, 2030, &err), TN_OK);
	assert_int_equal(tn_date_parse("2030-10-01", &day), 0);
	assert_int_equal(tn_cal_set_day(add, day, 0, "国庆节", &err), TN_OK);
	assert_int_equal(store_cal_import(f->st, add, "test", "2026-12-04T00:00:00Z", &res, &err),
			 TN_OK);
	assert_int_equal(res.nyears, 1);
	assert_int_equal(res.years[0], 2030);
	assert_int_equal(store_cal_generation(f->st, &gen, &err), TN_OK);
	assert_int_equal(gen, 1);
	/* the same year again changes nothing */
	assert_int_equal(store_cal_import(f->st, add, "test", "2026-12-04T00:00:00Z", &res, &err),
			 TN_OK);
	assert_int_equal(res.nyears, 0);
	assert_int_equal(store_cal_generation(f->st, &gen, &err), TN_OK);
	assert_int_equal(gen, 1);
	assert_int_equal(store_cal_load(f->st, &cal, &gen, &err), TN_OK);
	assert_non_null(cal);
	assert_true(tn_cal_year_equal(cal, add, 2030));
	tn_cal_free(cal);
	tn_cal_free(add);
	assert_int_equal(store_cal_years(f->st, &years, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(years)), 1);
	y = jv_array_get(years, 0);
	assert_true(num(y, "year") == 2030);
	assert_string_equal(str(y, "source", buf, sizeof(buf)), "test");
	assert_true(num(y, "rest_days") >= 1);
	assert_true(num(y, "rest_days") + num(y, "working_days") >= 1);
	jv_free(y);
}

/* The append-only audit log and its head refuse changes, as SQLite's triggers do. */
static void test_schema_guards(void **state)
{
	PGconn *c = PQconnectdb(uri);
	PGresult *r;

	(void)state;
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	r = PQexec(c, "DELETE FROM audit_head");
	assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
	assert_non_null(strstr(PQresultErrorMessage(r), "append-only"));
	PQclear(r);
	r = PQexec(c, "TRUNCATE audit");
	assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
	PQclear(r);
	r = PQexec(c, "SELECT hash FROM audit_head WHERE seq = 0");
	assert_int_equal(PQntuples(r), 1);
	PQclear(r);
	PQfinish(c);
}

/*
 * The server drops the connection (a restart, a failover): the call that
 * finds it broken fails as "try again" (TN_ESERVER: 503), the next one
 * reconnects.
 */
static void test_reconnect(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	jv list;

	assert_int_equal(store_token_add(f->st, "77", "admin", "root", NULL, NULL, &err), TN_OK);
	sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
	    "WHERE pid <> pg_backend_pid() AND datname = current_database()");
	assert_int_equal(store_token_list(f->st, NULL, 1, &list, &err), TN_ESERVER);
	jv_free(list);
	assert_int_equal(store_token_list(f->st, NULL, 1, &list, &err), TN_OK);
	assert_int_equal(jv_array_length(list), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_migrate_health, setup, teardown),
		cmocka_unit_test(test_open_empty_and_unreachable),
		cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_catalog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_race, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_calendar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_guards, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
	};

	uri = getenv("TWONET_PG_URI");
	if (!uri || !*uri) {
		printf("1..0 # SKIP TWONET_PG_URI is not set (tests/cli/t8100-pg-store.sh runs this)\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
