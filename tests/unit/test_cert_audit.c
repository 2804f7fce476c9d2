/* test_cert_audit.c — the audit chain's row hash: through jq, and without it (tn_cert_audit_hash_fields). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tn_cert.h"

#define REAL1 "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"

static void test_audit_hash(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	char h1[65], h2[65];
	/* vectors computed independently (Python hashlib + json.dumps sort_keys, no spaces) */
	jv row = jv_parse("{\"seq\":1,\"at\":\"2026-11-28T10:00:00+08:00\",\"actor\":\"王芳\",\"role\":\"clerk\","
			  "\"cert\":\"" REAL1 "\",\"holder\":\"11010519491231002X\","
			  "\"purpose\":\"核验 case C00000001\",\"outcome\":\"allowed\","
			  "\"prev_hash\":\"" TN_CERT_AUDIT_GENESIS "\",\"hash\":\"ignored\"}");

	assert_int_equal(tn_cert_audit_hash(row, NULL, h1, &err), TN_OK);
	assert_string_equal(h1, "331e34ede4b08e0ff673b54e28df0df7ff39c1078187920efaf2fdc962566422");
	jv row2 = jv_object_set(jv_copy(row), jv_string("seq"), jv_number(2));
	row2 = jv_object_set(row2, jv_string("outcome"), jv_string("forbidden"));
	row2 = jv_object_set(row2, jv_string("actor"), jv_string("李四"));
	row2 = jv_object_set(row2, jv_string("cert"), jv_null());
	assert_int_equal(tn_cert_audit_hash(row2, h1, h2, &err), TN_OK);
	assert_string_equal(h2, "296d06ead8ed53b9f88af9316cf84ecadab1cb009520721d15932c1db2da7a77");
	/* a changed member changes the hash */
	jv row3 = jv_object_set(jv_copy(row2), jv_string("outcome"), jv_string("allowed"));
	assert_int_equal(tn_cert_audit_hash(row3, h1, h2, &err), TN_OK);
	assert_string_not_equal(h2, "296d06ead8ed53b9f88af9316cf84ecadab1cb009520721d15932c1db2da7a77");
	jv_free(row3);
	jv_free(row2);
	jv_free(row);
}

/* The hash without jq: the vectors above, then strings jq escapes, against tn_cert_audit_hash. */
static void test_audit_hash_fields(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	char fast[65], slow[65];
	static const struct tn_audit_fields rows[] = {
		{ "2026-11-28T10:00:00+08:00", "王芳", "clerk", REAL1, "11010519491231002X",
		  "核验 case C00000001", "allowed" },
		{ "a\"b\\c", "\b\f\n\r\t", "\x01\x1f\x7f", "🚒 泵车", NULL, "", "ok" },
		{ "at", "actor", "role", NULL, NULL, NULL, "denied" },
	};

	(void)state;
	assert_int_equal(tn_cert_audit_hash_fields(1, &rows[0], TN_CERT_AUDIT_GENESIS, fast), 0);
	assert_string_equal(fast, "331e34ede4b08e0ff673b54e28df0df7ff39c1078187920efaf2fdc962566422");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct tn_audit_fields *f = &rows[i];
		const char *v[7] = { f->at, f->actor, f->role, f->cert, f->holder, f->purpose, f->outcome };
		static const char *const k[7] = { "at", "actor", "role", "cert", "holder", "purpose",
						  "outcome" };
		jv row = jv_object_set(jv_object(), jv_string("seq"), jv_number(999999999999999.0));

		for (int j = 0; j < 7; j++)
			row = jv_object_set(row, jv_string(k[j]), v[j] ? jv_string(v[j]) : jv_null());
		assert_int_equal(tn_cert_audit_hash(row, TN_CERT_AUDIT_GENESIS, slow, &err), TN_OK);
		assert_int_equal(tn_cert_audit_hash_fields(999999999999999LL, f, TN_CERT_AUDIT_GENESIS,
							   fast), 0);
		assert_string_equal(fast, slow);
		jv_free(row);
	}
	/* refused: bad UTF-8 (overlong, surrogate, past U+10FFFF, a lone continuation), seq of 16 digits, a text past 4 KiB */
	static const char *const bad[] = { "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "a\x80" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tn_audit_fields f = rows[2];

		f.purpose = bad[i];
		assert_int_equal(tn_cert_audit_hash_fields(1, &f, TN_CERT_AUDIT_GENESIS, fast), -1);
	}
	assert_int_equal(tn_cert_audit_hash_fields(1000000000000000LL, &rows[2], TN_CERT_AUDIT_GENESIS,
						   fast), -1);
	assert_int_equal(tn_cert_audit_hash_fields(-1, &rows[2], TN_CERT_AUDIT_GENESIS, fast), -1);
	char *big = malloc(1001);
	struct tn_audit_fields f = rows[2];

	assert_non_null(big);
	memset(big, '\x01', 1000);       /* six bytes each in the text */
	big[1000] = '\0';
	f.purpose = big;
	assert_int_equal(tn_cert_audit_hash_fields(1, &f, TN_CERT_AUDIT_GENESIS, fast), -1);
	big[600] = '\0';               /* 3,600 bytes: it fits */
	assert_int_equal(tn_cert_audit_hash_fields(1, &f, TN_CERT_AUDIT_GENESIS, fast), 0);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_hash),
		cmocka_unit_test(test_audit_hash_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
