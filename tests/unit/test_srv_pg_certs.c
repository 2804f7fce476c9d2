/* test_srv_pg_certs.c — certificates, consents, the audit chain on PostgreSQL, beside SQLite. */
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
#include <sqlite3.h>

#include "tn_buf.h"
#include "tn_cert.h"
#include "store.h"
#include "store_ops.h"

/*
 * Run by tests/cli/t8110-pg-certs.sh with TWONET_PG_URI set; skips
 * without it.  Each test does the same on a fresh PostgreSQL schema and a
 * fresh SQLite file and compares what both answer; the last one appends
 * from two processes at once (two instances) and verifies one chain.
 */
static const char *uri;

struct fix {
	struct store *pg, *lite;
	char dir[64], path[128];
};

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Run `sql` on a connection of its own (the test's hand on the database). */
static void pg_run(const char *sql)
{
	PGconn *c = PQconnectdb(uri);
	PGresult *r;

	PQsetNoticeProcessor(c, quiet, NULL);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		print_error("%s: %s\n", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct tn_err err = TN_ERR_INIT;

	pg_run("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
	snprintf(f->dir, sizeof(f->dir), "%s/twonet-pgz-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
	if (store_open(&f->pg, uri, 1, &err) != TN_OK || store_open(&f->lite, f->path, 1, &err) != TN_OK) {
		print_error("store_open: %s\n", err.message);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	static const char *const tails[] = { "", "-wal", "-shm", ".audit", ".audit-wal",
					     ".audit-shm" };
	char p[160];

	store_close(f->pg);
	store_close(f->lite);
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, tails[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Append `v` (consumed) to `out` as sorted compact JSON. */
static void addj(struct tn_buf *out, jv v)
{
	jv s = jv_dump_string(v, JV_PRINT_SORTED);

	tn_buf_adds(out, jv_string_value(s));
	jv_free(s);
}

/* jv as compact text, freed; into buf. */
static const char *dump(jv v, struct tn_buf *b)
{
	jv s = jv_dump_string(v, JV_PRINT_SORTED);

	tn_buf_reset(b);
	tn_buf_adds(b, jv_string_value(s));
	jv_free(s);
	return b->buf;
}

/* The code and the message of a call on each store must be the same: the macro runs `call` with ST. */
#define BOTH(f, want, call) \
	do { \
		struct store *sts_[2] = { (f)->pg, (f)->lite }; \
		char msg_[2][256]; \
		for (int i_ = 0; i_ < 2; i_++) { \
			struct store *ST = sts_[i_]; \
			struct tn_err err = TN_ERR_INIT; \
			assert_int_equal((call), (want)); \
			snprintf(msg_[i_], sizeof(msg_[i_]), "%s", err.message); \
		} \
		assert_string_equal(msg_[0], msg_[1]); \
	} while (0)

static void test_certs(void **state)
{
	struct fix *f = *state;
	struct store *sts[2] = { f->pg, f->lite };
	struct tn_buf a = TN_BUF_INIT, b = TN_BUF_INIT, page = TN_BUF_INIT;
	struct tn_buf got[2] = { TN_BUF_INIT, TN_BUF_INIT };
	char *nohash;
	jv nodoc;
	long first;

	BOTH(f, TN_OK, store_issuer_add(ST, "GAJ", "11310000MB0000001X", "k1", "PEM1",
					"2026-01-01T00:00:00Z", &err));
	BOTH(f, TN_OK, store_issuer_add(ST, "GAJ", "11310000MB0000001X", "k2", "PEM2",
					"2026-02-01T00:00:00Z", &err));
	BOTH(f, TN_ECONFLICT, store_issuer_add(ST, "YBJ", "u", "k1", "P", "2026-03-01T00:00:00Z",
					       &err));
	BOTH(f, TN_ENOTFOUND, store_issuer_current(ST, "YBJ", &(char *){ NULL }, &err));
	for (int i = 0; i < 2; i++) {
		struct tn_err err = TN_ERR_INIT;
		char *key;
		jv items;

		assert_int_equal(store_issuer_current(sts[i], "GAJ", &key, &err), TN_OK);
		assert_string_equal(key, "k2");
		free(key);
		assert_int_equal(store_issuer_list(sts[i], &items, &err), TN_OK);
		dump(items, i ? &b : &a);
		assert_int_equal(store_cert_serials(sts[i], "K", "U", "2026", 5, &first, &err), TN_OK);
		assert_int_equal(first, 1);
		assert_int_equal(store_cert_serials(sts[i], "K", "U", "2026", 1, &first, &err), TN_OK);
		assert_int_equal(first, 6);
		assert_int_equal(store_cert_serials(sts[i], "K", "U", "2027", 1, &first, &err), TN_OK);
		assert_int_equal(first, 1);
	}
	assert_string_equal(a.buf, b.buf);
	assert_non_null(strstr(a.buf, "\"retired_at\":\"2026-02-01T00:00:00Z\""));

	/* 12 certificates of 3 holders; ids sort as bytes; texts come back as stored */
	for (int k = 0; k < 12; k++) {
		char id[64], holder[16], doc[200], key[16];
		struct store_cert_row row = { 0 };

		snprintf(id, sizeof(id), "1.2.156.3005.2.%02d.X", (k * 7) % 12);
		snprintf(holder, sizeof(holder), "H%d", k % 3);
		snprintf(doc, sizeof(doc), "{\"id\":\"%s\",  \"z\":1,\"a\":\"名 \\\"%d\"}", id, k);
		snprintf(key, sizeof(key), "key%d", k);
		row.id = id;
		row.kind = k % 2 ? "K1" : "K2";
		row.holder = holder;
		row.dept = "GAJ";
		row.doc = doc;
		row.token_id = k < 10 ? 7 : -1;
		row.idem_key = k < 10 ? key : NULL;
		row.idem_hash = k < 10 ? "hash" : NULL;
		BOTH(f, TN_OK, store_cert_insert(ST, &row, &err));
		BOTH(f, TN_ECONFLICT, store_cert_insert(ST, &row, &err));
	}
	{
		struct store_cert_row row = { .id = "other", .kind = "K", .holder = "H", .dept = "D",
					      .doc = "{}", .token_id = 7, .idem_key = "key3",
					      .idem_hash = "x" };

		BOTH(f, TN_ECONFLICT, store_cert_insert(ST, &row, &err));
	}
	BOTH(f, TN_ENOTFOUND, store_cert_idem(ST, 7, "nokey", &nohash, &nodoc,
					      &err));
	BOTH(f, TN_ENOTFOUND, store_cert_get_text(ST, "none", NULL, NULL, NULL, &err));
	BOTH(f, TN_ENOTFOUND, store_cert_revoke(ST, "none", "t", "r", jv_object(), &err));
	for (int i = 0; i < 2; i++) {
		struct tn_err err = TN_ERR_INIT;
		char *hash, *text, *holder, *dept;
		jv doc;

		assert_int_equal(store_cert_idem(sts[i], 7, "key3", &hash, &doc, &err), TN_OK);
		assert_string_equal(hash, "hash");
		free(hash);
		jv_free(doc);
		assert_int_equal(store_cert_get_text(sts[i], "1.2.156.3005.2.09.X", &text, &holder, &dept,
						     &err), TN_OK);
		tn_buf_reset(&got[i]);
		tn_buf_addf(&got[i], "%s|%s|%s", text, holder, dept);
		free(text);
		free(holder);
		free(dept);
		assert_int_equal(store_cert_get(sts[i], "1.2.156.3005.2.09.X", &doc, &err), TN_OK);
		jv_free(doc);
		assert_int_equal(store_cert_revoke(sts[i], "1.2.156.3005.2.09.X", "2026-05-01T00:00:00Z",
						   "lost", jv_parse("{\"status\":\"revoked\",\"b\":[1,2]}"),
						   &err), TN_OK);
		assert_int_equal(store_cert_revoke(sts[i], "1.2.156.3005.2.09.X", "2026-05-01T00:00:00Z",
						   "lost", jv_object(), &err), TN_ECONFLICT);
	}
	assert_string_equal(got[0].buf, got[1].buf);
	assert_non_null(strstr(got[0].buf, "{\"id\":\"1.2.156.3005.2.09.X\",  \"z\":1"));

	/* every filter, pages of 1, 5 and 100: the same bytes and cursors */
	static const struct store_cert_filter flts[] = {
		{ .limit = 1 }, { .limit = 5 }, { .limit = 100 }, { .holder = "H1", .limit = 2 },
		{ .kind = "K1", .limit = 3 }, { .dept = "GAJ", .status = "revoked", .limit = 5 },
		{ .status = "valid", .holder = "H0", .kind = "K2", .limit = 1 }, { .limit = 0 },
		{ .holder = "nobody", .limit = 5 },
	};
	for (size_t k = 0; k < sizeof(flts) / sizeof(flts[0]); k++) {
		for (int i = 0; i < 2; i++) {
			struct store_cert_filter flt = flts[k];
			struct tn_err err = TN_ERR_INIT;
			char *cursor = NULL;
			int pages = 0;

			tn_buf_reset(&got[i]);
			do {
				char *next = NULL;

				tn_buf_reset(&page);
				flt.after = cursor;
				assert_int_equal(store_cert_list(sts[i], &flt, &page, &next, &err), TN_OK);
				tn_buf_addf(&got[i], "[%s] <%s>\n", page.buf, next ? next : "");
				free(cursor);
				cursor = next;
			} while (cursor && ++pages < 50);
		}
		assert_string_equal(got[0].buf, got[1].buf);
	}
	tn_buf_release(&a);
	tn_buf_release(&b);
	tn_buf_release(&page);
	tn_buf_release(&got[0]);
	tn_buf_release(&got[1]);
}

static void test_consents(void **state)
{
	struct fix *f = *state;
	struct store *sts[2] = { f->pg, f->lite };
	struct tn_buf out[2] = { TN_BUF_INIT, TN_BUF_INIT };
	const long long now = 1800000000LL;
	struct store_code c = { .holder = "H1", .created_at = "t", .created_by = "H1",
				.expires_epoch = now + 600 };
	struct store_code old = { .holder = "H1", .created_at = "t", .created_by = "H1",
				  .expires_epoch = now - 90000 };
	struct store_consent s1 = { .holder = "H1", .scenario = "bank", .expires_at = "x",
				    .created_at = "c", .created_by = "H1", .kinds = "[\"K1\"]",
				    .expires_epoch = now + 100 };
	struct store_consent s2 = s1, s3 = s1;

	s2.kinds = NULL;
	s2.scenario = "rent";
	s3.holder = "H2";
	s3.expires_epoch = now - 1;
	BOTH(f, TN_OK, store_code_add(ST, "old", &old, now - 100000, 2, &err));
	BOTH(f, TN_OK, store_code_add(ST, "c1", &c, now, 2, &err));
	BOTH(f, TN_ECONFLICT, store_code_add(ST, "c1", &c, now, 3, &err));
	BOTH(f, TN_OK, store_code_add(ST, "c2", &c, now, 2, &err));
	BOTH(f, TN_ECONFLICT, store_code_add(ST, "c3", &c, now, 2, &err));
	for (int i = 0; i < 2; i++) {
		struct tn_err err = TN_ERR_INIT;
		char *kinds;
		int ok;
		jv list, row;

		tn_buf_reset(&out[i]);
		/* no case, no code redeemed: no */
		assert_int_equal(store_clerk_may_read(sts[i], "H1", "YBJ", 5, now, &ok, &err), TN_OK);
		tn_buf_addf(&out[i], "may %d ", ok);
		assert_int_equal(store_code_redeem(sts[i], "c1", "H2", 5, "YBJ", now, &ok, &err), TN_OK);
		tn_buf_addf(&out[i], "other holder %d ", ok);
		assert_int_equal(store_code_redeem(sts[i], "c1", "H1", 5, "YBJ", now, &ok, &err), TN_OK);
		tn_buf_addf(&out[i], "redeem %d ", ok);
		assert_int_equal(store_code_redeem(sts[i], "c1", "H1", 5, "YBJ", now, &ok, &err), TN_OK);
		tn_buf_addf(&out[i], "again %d ", ok);
		assert_int_equal(store_code_redeem(sts[i], "c1", "H1", 6, "YBJ", now, &ok, &err), TN_OK);
		tn_buf_addf(&out[i], "another clerk %d ", ok);
		assert_int_equal(store_code_redeem(sts[i], "c2", "H1", 6, "YBJ", now + 601, &ok, &err),
				 TN_OK);
		tn_buf_addf(&out[i], "expired %d ", ok);
		assert_int_equal(store_clerk_may_read(sts[i], "H1", "YBJ", 5, now, &ok, &err), TN_OK);
		tn_buf_addf(&out[i], "may %d ", ok);
		assert_int_equal(store_clerk_may_read(sts[i], "H1", "YBJ", 5, now + 600, &ok, &err), TN_OK);
		tn_buf_addf(&out[i], "later %d ", ok);
		assert_int_equal(store_clerk_may_read(sts[i], "H1", "GAJ", 5, now, &ok, &err), TN_OK);
		tn_buf_addf(&out[i], "other dept %d\n", ok);

		assert_int_equal(store_consent_cols(sts[i]), 3);
		assert_int_equal(store_consent_add(sts[i], "s1", &s1, &err), TN_OK);
		assert_int_equal(store_consent_last_id(sts[i]), 1);
		assert_int_equal(store_consent_add(sts[i], "s2", &s2, &err), TN_OK);
		assert_int_equal(store_consent_add(sts[i], "s3", &s3, &err), TN_OK);
		assert_int_equal(store_consent_last_id(sts[i]), 3);
		/* a hash twice (never, for random tokens): refused (SQLite: internal, here conflict) */
		assert_int_not_equal(store_consent_add(sts[i], "s3", &s3, &err), TN_OK);
		assert_int_equal(store_consent_check(sts[i], "s1", "H1", "bank", now, &ok, &err), TN_OK);
		tn_buf_addf(&out[i], "check %d ", ok);
		assert_int_equal(store_consent_check(sts[i], "s1", "H1", "rent", now, &ok, &err), TN_OK);
		tn_buf_addf(&out[i], "%d ", ok);
		assert_int_equal(store_consent_check(sts[i], "s3", "H2", "bank", now, &ok, &err), TN_OK);
		tn_buf_addf(&out[i], "%d ", ok);
		assert_int_equal(store_consent_kinds(sts[i], "s1", &kinds, &err), TN_OK);
		tn_buf_addf(&out[i], "kinds %s ", kinds ? kinds : "-");
		free(kinds);
		assert_int_equal(store_consent_kinds(sts[i], "s2", &kinds, &err), TN_OK);
		tn_buf_addf(&out[i], "%s\n", kinds ? kinds : "-");
		free(kinds);
		assert_int_equal(store_consent_revoke(sts[i], 1, "H2", "r", &row, &err), TN_ENOTFOUND);
		jv_free(row);
		assert_int_equal(store_consent_revoke(sts[i], 9, NULL, "r", &row, &err), TN_ENOTFOUND);
		jv_free(row);
		assert_int_equal(store_consent_revoke(sts[i], 1, "H1", "2026-r", &row, &err), TN_OK);
		tn_buf_adds(&out[i], "revoked ");
		addj(&out[i], row);
		/* again: a conflict, on both backends (SQLite's used to leak the value it tested) */
		assert_int_equal(store_consent_revoke(sts[i], 1, NULL, "2026-r", &row, &err),
				 TN_ECONFLICT);
		assert_string_equal(err.message, "consent 1 is already revoked");
		jv_free(row);
		assert_int_equal(store_consent_check(sts[i], "s1", "H1", "bank", now, &ok, &err), TN_OK);
		tn_buf_addf(&out[i], "\ncheck after %d\n", ok);
		assert_int_equal(store_consent_list(sts[i], NULL, NULL, now, &list, &err), TN_OK);
		addj(&out[i], list);
		assert_int_equal(store_consent_list(sts[i], "H1", "rent", now, &list, &err), TN_OK);
		addj(&out[i], list);
	}
	assert_string_equal(out[0].buf, out[1].buf);
	assert_non_null(strstr(out[0].buf, "redeem 1 again 1 another clerk 0 expired 0 may 1 later 0 "
				"other dept 0"));
	tn_buf_release(&out[0]);
	tn_buf_release(&out[1]);
}

/* File a case of `holder` in `dept` submitted at `at` with token `token` on `st`. */
static void file_case(struct store *st, const char *holder, const char *dept, const char *at,
		      long token, const char *key)
{
	struct tn_err err = TN_ERR_INIT;
	struct store_case_new c;
	int replayed = -1;
	jv out;

	memset(&c, 0, sizeof(c));
	c.doc = jv_object_set(jv_object(), jv_string("status"), jv_string("submitted"));
	c.event = jv_parse("{\"at\":\"t\",\"actor\":\"a\",\"role\":\"clerk\",\"action\":\"submit\","
			   "\"to\":\"submitted\",\"version\":1}");
	c.item = "310000-YB-003";
	c.department = dept;
	c.status = "submitted";
	c.applicant_id = holder;
	c.applicant_name = holder;
	c.submitted_at = at;
	c.deadline_days = c.legal_days = -1;
	c.submitted_by = "a";
	c.token_id = token;
	c.idem_key = key;
	c.idem_hash = "h";
	assert_int_equal(store_case_create(st, &c, &out, &replayed, &err), TN_OK);
	jv_free(out);
}

/*
 * The clerk's rule over cases: the holder's own filing; a case open when
 * the holder's code was redeemed in the department (its submitted_at, with
 * an offset, before the redemption); one the redeeming clerk filed before
 * the code expired; not one filed by another clerk after the redemption.
 */
static void test_clerk_rule(void **state)
{
	struct fix *f = *state;
	struct store *sts[2] = { f->pg, f->lite };
	struct tn_buf out[2] = { TN_BUF_INIT, TN_BUF_INIT };
	/* 2027-01-15T08:00:00Z */
	const long long t0 = 1800000000LL - (1800000000LL % 86400) + 8 * 3600;
	struct store_code c = { .holder = "H2", .created_at = "t", .created_by = "H2",
				.expires_epoch = t0 + 3600 };

	for (int i = 0; i < 2; i++) {
		struct tn_err err = TN_ERR_INIT;
		long app, clerk5, clerk6;
		int ok;

		assert_int_equal(store_token_add_until(sts[i], "h-app", "applicant", "H1 self", NULL,
						       "H1", NULL, &app, &err), TN_OK);
		assert_int_equal(store_token_add_until(sts[i], "h-c5", "clerk", "c5", "YBJ", NULL, NULL,
						       &clerk5, &err), TN_OK);
		assert_int_equal(store_token_add_until(sts[i], "h-c6", "clerk", "c6", "YBJ", NULL, NULL,
						       &clerk6, &err), TN_OK);
		file_case(sts[i], "H1", "YBJ", "2027-01-15T16:00:00+08:00", app, "k1");
		assert_int_equal(store_clerk_may_read(sts[i], "H1", "YBJ", clerk5, t0, &ok, &err), TN_OK);
		tn_buf_addf(&out[i], "own filing %d ", ok);
		assert_int_equal(store_clerk_may_read(sts[i], "H1", "GAJ", clerk5, t0, &ok, &err), TN_OK);
		tn_buf_addf(&out[i], "other dept %d ", ok);
		/* H2: a case clerk 6 filed at 15:59:59 +08 (one second before t0), one after */
		file_case(sts[i], "H2", "YBJ", "2027-01-15T15:59:59+08:00", clerk6, "k2");
		assert_int_equal(store_clerk_may_read(sts[i], "H2", "YBJ", clerk5, t0, &ok, &err), TN_OK);
		tn_buf_addf(&out[i], "no code %d ", ok);
		assert_int_equal(store_code_add(sts[i], "c", &c, t0, 3, &err), TN_OK);
		assert_int_equal(store_code_redeem(sts[i], "c", "H2", clerk5, "YBJ", t0 - 1, &ok, &err),
				 TN_OK);
		tn_buf_addf(&out[i], "redeemed %d ", ok);
		assert_int_equal(store_clerk_may_read(sts[i], "H2", "YBJ", clerk6, t0 + 7200, &ok, &err),
				 TN_OK);
		tn_buf_addf(&out[i], "open before %d ", ok);
		assert_int_equal(store_clerk_may_read(sts[i], "H3", "YBJ", clerk6, t0, &ok, &err), TN_OK);
		tn_buf_addf(&out[i], "other holder %d\n", ok);
	}
	assert_string_equal(out[0].buf, out[1].buf);
	assert_string_equal(out[0].buf, "own filing 1 other dept 0 no code 0 redeemed 1 open before 1 "
			    "other holder 0\n");
	tn_buf_release(&out[0]);
	tn_buf_release(&out[1]);
}

/* `n` rows of reads, odd ones: unicode, quotes, control characters, nulls. */
static void some_rows(struct store_audit *rows, int n, int base, char (*at)[40], char (*cert)[40])
{
	for (int k = 0; k < n; k++) {
		int j = base + k;

		snprintf(at[k], sizeof(at[k]), "2026-12-%02dT0%d:00:00+08:00", 1 + j % 5, j % 10);
		snprintf(cert[k], sizeof(cert[k]), "1.2.156.3005.2.%021d.%d", j % 3, j % 4);
		rows[k] = (struct store_audit){
			.at = at[k], .actor = j % 2 ? "bank-a" : "clerk 张", .role = j % 2 ? "reader" : "clerk",
			.cert = j % 7 == 3 ? NULL : cert[k], .holder = j % 5 == 1 ? NULL : "H\"1\\\n",
			.purpose = j % 3 ? "loan \t审核" : NULL, .outcome = j % 4 ? "allowed" : "refused",
		};
	}
}

static void audit_pages(struct store *st, struct store_audit_filter flt, struct tn_buf *out)
{
	struct tn_buf b = TN_BUF_INIT;
	int pages = 0;

	tn_buf_reset(out);
	for (;;) {
		struct tn_err err = TN_ERR_INIT;
		long long next;
		jv items;

		assert_int_equal(store_audit_list(st, &flt, &items, &next, &err), TN_OK);
		tn_buf_addf(out, "%s <%lld>\n", dump(items, &b), next);
		if (next < 0 || ++pages > 100)
			break;
		flt.after = next;
	}
	tn_buf_release(&b);
}

static void test_audit(void **state)
{
	struct fix *f = *state;
	struct store *sts[2] = { f->pg, f->lite };
	struct store_audit rows[40];
	char at[40][40], cert[40][40], hash[2][65], why[2][200];
	struct tn_buf out[2] = { TN_BUF_INIT, TN_BUF_INIT };
	long long seq[2], nrows[2], bad[2];
	int found;

	some_rows(rows, 40, 0, at, cert);
	for (int i = 0; i < 2; i++) {
		struct tn_err err = TN_ERR_INIT;

		assert_int_equal(store_audit_head(sts[i], &seq[i], hash[i], &err), TN_OK);
		assert_int_equal(seq[i], 0);
		assert_string_equal(hash[i], TN_CERT_AUDIT_GENESIS);
		assert_int_equal(store_audit_append(sts[i], &rows[0], &err), TN_OK);
		assert_int_equal(store_certs_begin(sts[i], &err), TN_OK);
		assert_int_equal(store_audit_append_rows(sts[i], rows + 1, 20, &err), TN_OK);
		assert_int_equal(store_certs_commit(sts[i], &err), TN_OK);
		assert_int_equal(store_certs_begin(sts[i], &err), TN_OK);
		assert_int_equal(store_audit_append_rows(sts[i], rows + 21, 5, &err), TN_OK);
		store_certs_rollback(sts[i]);   /* no trace: no gap */
		assert_int_equal(store_certs_try_begin(sts[i], &err), 0);
		assert_int_equal(store_audit_append_rows(sts[i], rows + 21, 19, &err), TN_OK);
		assert_int_equal(store_audit_append_rows(sts[i], rows, 0, &err), TN_OK);
		assert_int_equal(store_certs_commit(sts[i], &err), TN_OK);
		assert_int_equal(store_audit_head(sts[i], &seq[i], hash[i], &err), TN_OK);
		assert_int_equal(seq[i], 40);
		assert_int_equal(store_audit_hash_at(sts[i], 41, why[i], &found, &err), TN_OK);
		assert_int_equal(found, 0);
		assert_int_equal(store_audit_hash_at(sts[i], 40, why[i], &found, &err), TN_OK);
		assert_int_equal(found, 1);
		assert_string_equal(why[i], hash[i]);
		assert_int_equal(store_audit_verify(sts[i], &nrows[i], &bad[i], why[i], sizeof(why[i]),
						    &err), TN_OK);
		assert_int_equal(nrows[i], 40);
		assert_int_equal(bad[i], 0);
	}
	assert_string_equal(hash[0], hash[1]);      /* the same chain, hash for hash */

	static const struct store_audit_filter flts[] = {
		{ .limit = 7 }, { .limit = 100 }, { .after = 35, .limit = 3 },
		{ .holder = "H\"1\\\n", .limit = 4 }, { .cert = "1.2.156.3005.2.000000000000000000001.1",
						       .limit = 2 },
		{ .actor = "clerk 张", .role = "clerk", .limit = 6 }, { .role = "reader", .limit = 50 },
		{ .purpose = "审", .limit = 5 }, { .purpose = "", .limit = 50 },
		{ .since = "2026-12-03", .limit = 9 }, { .until = "2026-12-02", .limit = 9 },
		{ .since = "2026-12-02", .until = "2026-12-02", .limit = 3 }, { .since = "2026-12-09",
										  .limit = 3 },
	};
	for (size_t k = 0; k < sizeof(flts) / sizeof(flts[0]); k++) {
		audit_pages(f->pg, flts[k], &out[0]);
		audit_pages(f->lite, flts[k], &out[1]);
		assert_string_equal(out[0].buf, out[1].buf);
	}

	/* a changed row, then a deleted tail, as SQLite's verify words them */
	pg_run("ALTER TABLE audit DISABLE TRIGGER USER; UPDATE audit SET purpose = 'x' WHERE seq = 17");
	{
		sqlite3 *db;
		char log[4200];

		/* the log's own file (schema 15) */
		snprintf(log, sizeof(log), "%s.audit", f->path);
		assert_int_equal(sqlite3_open(log, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, "DROP TRIGGER audit_no_update; DROP TRIGGER "
					      "audit_no_delete; UPDATE audit SET purpose = 'x' WHERE "
					      "seq = 17", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
	}
	for (int i = 0; i < 2; i++) {
		struct tn_err err = TN_ERR_INIT;

		assert_int_equal(store_audit_verify(sts[i], &nrows[i], &bad[i], why[i], sizeof(why[i]),
						    &err), TN_OK);
		assert_int_equal(nrows[i], 40);
		assert_int_equal(bad[i], 17);
	}
	assert_string_equal(why[0], why[1]);
	pg_run("ALTER TABLE audit DISABLE TRIGGER USER; DELETE FROM audit WHERE seq >= 17");
	{
		sqlite3 *db;
		char log[4200];

		snprintf(log, sizeof(log), "%s.audit", f->path);
		assert_int_equal(sqlite3_open(log, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, "DELETE FROM audit WHERE seq >= 17", NULL, NULL, NULL),
				 SQLITE_OK);
		sqlite3_close(db);
	}
	for (int i = 0; i < 2; i++) {
		struct tn_err err = TN_ERR_INIT;

		assert_int_equal(store_audit_verify(sts[i], &nrows[i], &bad[i], why[i], sizeof(why[i]),
						    &err), TN_OK);
		assert_int_equal(nrows[i], 16);
		assert_int_equal(bad[i], 17);
	}
	assert_string_equal(why[0], why[1]);
	assert_non_null(strstr(why[0], "missing"));
	tn_buf_release(&out[0]);
	tn_buf_release(&out[1]);
}

/* One batch larger than a statement carries (500 rows): 1201 rows, the same chain on both. */
static void test_audit_big(void **state)
{
	struct fix *f = *state;
	struct store *sts[2] = { f->pg, f->lite };
	enum { N = 1201 };
	struct store_audit *rows = calloc(N, sizeof(*rows));
	char (*at)[40] = calloc(N, sizeof(*at)), (*cert)[40] = calloc(N, sizeof(*cert));
	char hash[2][65], why[200];
	long long seq, nrows, bad;

	some_rows(rows, N, 7, at, cert);
	for (int i = 0; i < 2; i++) {
		struct tn_err err = TN_ERR_INIT;

		assert_int_equal(store_audit_append(sts[i], &rows[0], &err), TN_OK);
		assert_int_equal(store_certs_begin(sts[i], &err), TN_OK);
		assert_int_equal(store_audit_append_rows(sts[i], rows, N, &err), TN_OK);
		assert_int_equal(store_certs_commit(sts[i], &err), TN_OK);
		assert_int_equal(store_audit_head(sts[i], &seq, hash[i], &err), TN_OK);
		assert_int_equal(seq, N + 1);
		assert_int_equal(store_audit_verify(sts[i], &nrows, &bad, why, sizeof(why), &err), TN_OK);
		assert_int_equal(nrows, N + 1);
		assert_int_equal(bad, 0);
	}
	assert_string_equal(hash[0], hash[1]);
	free(rows);
	free(at);
	free(cert);
}

#define WRITERS 4
#define BATCHES 60

/*
 * One instance: its own connection appends BATCHES batches of 1..5 rows,
 * as the group commit does (try_begin, busy: try again; every fifth a
 * blocking begin; every seventh rolled back).  Exit 0 when all went in.
 */
static int writer(int w)
{
	struct tn_err err = TN_ERR_INIT;
	struct store_audit rows[5];
	char at[5][40], cert[5][40];
	struct store *st;
	int busy = 0;

	if (store_open(&st, uri, 0, &err) != TN_OK)
		return 2;
	for (int k = 0; k < BATCHES; k++) {
		int n = 1 + (k + w) % 5, rc;

		some_rows(rows, n, w * 1000 + k, at, cert);
		if (k % 5 == 0)
			rc = store_certs_begin(st, &err) == TN_OK ? 0 : -1;
		else
			while ((rc = store_certs_try_begin(st, &err)) == 1) {
				busy++;
				usleep(200);
			}
		if (rc != 0 || store_audit_append_rows(st, rows, (size_t)n, &err) != TN_OK)
			return 3;
		if (k % 7 == 6) {
			store_certs_rollback(st);       /* leaves no trace */
			continue;
		}
		if (store_certs_commit(st, &err) != TN_OK)
			return 4;
	}
	store_close(st);
	return 0;
}

static void test_audit_instances(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	pid_t pids[WRITERS];
	long long rows, bad, want = 0;
	char why[200];

	for (int w = 0; w < WRITERS; w++) {
		for (int k = 0; k < BATCHES; k++)
			if (k % 7 != 6)
				want += 1 + (k + w) % 5;
		fflush(NULL);
		pids[w] = fork();
		assert_true(pids[w] >= 0);
		if (pids[w] == 0)
			_exit(writer(w));
	}
	for (int w = 0; w < WRITERS; w++) {
		int status;

		assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(store_audit_verify(f->pg, &rows, &bad, why, sizeof(why), &err), TN_OK);
	if (bad)
		print_error("%s\n", why);
	assert_int_equal(bad, 0);
	assert_int_equal(rows, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_certs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_consents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clerk_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_big, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_instances, setup, teardown),
	};

	uri = getenv("TWONET_PG_URI");
	if (!uri || !*uri) {
		printf("1..0 # SKIP TWONET_PG_URI is not set (tests/cli/t8110-pg-certs.sh runs this)\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
