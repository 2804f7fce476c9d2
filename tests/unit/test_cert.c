/* test_cert.c — e-certificates: GB/T 36904 identifiers, canonical JSON, SM2 signatures, single and bulk verification, kinds (audit hashes: test_cert_audit.c). */
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

#include "tn_buf.h"
#include "tn_catalog.h"
#include "tn_cert.h"
#include "tn_text.h"

#define REAL1 "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"
#define REAL2 "1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9"
#define TODAY "2025-06-01"

/* ---- one-time consent codes, base64 ---- */

static void test_consent_code(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	char code[TN_CERT_CODE_LEN + 1], shown[TN_CERT_CODE_LEN + 3];

	(void)state;
	/* as read back: case, '-' and blanks do not matter; O is 0, I and L are 1 */
	assert_int_equal(tn_cert_code_normalize("7K2M-9QXD-4HT8", code, &err), TN_OK);
	assert_string_equal(code, "7K2M9QXD4HT8");
	assert_int_equal(tn_cert_code_normalize(" 7k2m 9qxd\t4ht8 ", code, &err), TN_OK);
	assert_string_equal(code, "7K2M9QXD4HT8");
	assert_int_equal(tn_cert_code_normalize("oOiI-lL00-1111", code, &err), TN_OK);
	assert_string_equal(code, "001111001111");
	tn_cert_code_show(code, shown);
	assert_string_equal(shown, "0011-1100-1111");
	/* not a code: short, long, U, another character, empty, NULL */
	assert_int_equal(tn_cert_code_normalize("7K2M-9QXD-4HT", code, &err), TN_EINVALID);
	assert_string_equal(code, "");
	assert_non_null(strstr(err.message, "11 characters, a code has 12"));
	assert_int_equal(tn_cert_code_normalize("7K2M-9QXD-4HT88", code, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "longer than 12"));
	assert_int_equal(tn_cert_code_normalize("7K2U-9QXD-4HT8", code, &err), TN_EINVALID);
	assert_int_equal(tn_cert_code_normalize("7K2M_9QXD_4HT8", code, &err), TN_EINVALID);
	assert_int_equal(tn_cert_code_normalize("", code, &err), TN_EINVALID);
	assert_int_equal(tn_cert_code_normalize(NULL, code, NULL), TN_EINVALID);
	/* every character of the alphabet stands for itself */
	for (size_t i = 0; i + TN_CERT_CODE_LEN <= 32; i++) {
		char in[TN_CERT_CODE_LEN + 1];

		memcpy(in, TN_CERT_CODE_ALPHABET + i, TN_CERT_CODE_LEN);
		in[TN_CERT_CODE_LEN] = '\0';
		assert_int_equal(tn_cert_code_normalize(in, code, &err), TN_OK);
		assert_string_equal(code, in);
	}
}

static void test_base64(void **state)
{
	static const unsigned char bytes[] = { 0x30, 0x45, 0x02, 0x21, 0x00, 0xff };
	unsigned char *back;
	size_t len = 0;
	char *b64;

	(void)state;
	for (size_t n = 1; n <= sizeof(bytes); n++) {
		b64 = tn_cert_base64(bytes, n);
		back = tn_cert_unbase64(b64, &len);
		assert_non_null(back);
		assert_int_equal(len, n);
		assert_memory_equal(back, bytes, n);
		free(back);
		free(b64);
	}
	b64 = tn_cert_base64(bytes, 4);
	assert_string_equal(b64, "MEUCIQ==");
	free(b64);
	/* strict: padding only at the end, no white space, whole quads */
	assert_null(tn_cert_unbase64("ME=CIQ==", &len));
	assert_null(tn_cert_unbase64("MEUC IQ=", &len));
	assert_null(tn_cert_unbase64("MEUCIQ=", &len));
	assert_null(tn_cert_unbase64("", &len));
}

/* ---- identifiers ---- */

static void test_id_real_vectors(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_cert_idparts p;

	assert_int_equal(tn_cert_id_parse(REAL1, &p, &err), TN_OK);
	assert_string_equal(p.kind, "11100000000013338W011");
	assert_string_equal(p.issuer, "11430000006122244L");
	assert_string_equal(p.serial, "20230000403");
	assert_string_equal(p.version, "001");
	assert_int_equal(p.check, 'U');
	assert_int_equal(tn_cert_id_parse(REAL2, &p, &err), TN_OK);
	assert_string_equal(p.issuer, "340100");
	assert_int_equal(p.check, '9');
	assert_int_equal(tn_cert_check_char("11100000000013338W01111430000006122244L20230000403001", 53), 'U');
	assert_int_equal(tn_cert_check_char("11100000MB03271699022340100000000016001", 39), '9');
}

static void test_id_build(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	char id[TN_CERT_ID_MAX];

	assert_int_equal(tn_cert_id_build("11100000000013338W011", "11430000006122244L",
					  "20230000403", 1, id, &err), TN_OK);
	assert_string_equal(id, REAL1);
	assert_int_equal(tn_cert_id_build("11100000000013338W01", "11430000006122244L", "1", 1, id, &err),
			 TN_EINVALID);
	assert_non_null(strstr(err.message, "kind code"));
	assert_int_equal(tn_cert_id_build("11100000000013338W011", "11430000006122244A", "1", 1, id, &err),
			 TN_EINVALID);
	assert_non_null(strstr(err.message, "issuer"));
	assert_int_equal(tn_cert_id_build("11100000000013338W011", "11430000006122244L", "ab", 1, id, &err),
			 TN_EINVALID);
	assert_int_equal(tn_cert_id_build("11100000000013338W011", "11430000006122244L", "1", 1000, id, &err),
			 TN_EINVALID);
	/* every identifier built parses back */
	for (int v = 1; v <= 999; v += 37) {
		char serial[16];
		snprintf(serial, sizeof(serial), "2026%08d", v * 7919);
		assert_int_equal(tn_cert_id_build("11310000002401019Y001", "11310000002401019Y", serial,
						  v, id, &err), TN_OK);
		assert_int_equal(tn_cert_id_parse(id, NULL, &err), TN_OK);
	}
}

static void bad_id(const char *id, const char *needle)
{
	struct tn_err err = TN_ERR_INIT;

	if (tn_cert_id_parse(id, NULL, &err) != TN_EINVALID || !strstr(err.message, needle)) {
		print_error("id '%s': code %d message '%s', wanted '%s'\n", id ? id : "(null)",
			    err.code, err.message, needle);
		fail();
	}
}

static void test_id_broken(void **state)
{
	bad_id("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.V",
	       "check character is 'V', expected 'U'");
	/* one changed character anywhere changes the check character */
	bad_id("1.2.156.3005.2.11100000000013338W012.11430000006122244L.20230000403.001.U", "check character");
	bad_id("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000404.001.U", "check character");
	bad_id("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.U", "check character");
	bad_id("1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.8", "expected '9'");
	/* two adjacent characters swapped */
	bad_id("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000430.001.U", "check character");
	bad_id("1.2.156.3005.2.11100000000013338w011.11430000006122244L.20230000403.001.U", "'w'");
	bad_id("1.2.156.3005.2.11100000000013338W01.11430000006122244L.20230000403.001.U", "has 20 characters");
	bad_id("1.2.156.3005.3.11100000000013338W011.11430000006122244L.20230000403.001.U", "does not start");
	bad_id("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.U", "fewer");
	bad_id("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U.1", "more");
	bad_id("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.0A1.U", "not 3 digits");
	bad_id("1.2.156.3005.2.11100000000013338W011..20230000403.001.U", "issuer code");
	bad_id("", "missing");
	bad_id(NULL, "missing");
}

static void test_holder(void **state)
{
	struct tn_err err = TN_ERR_INIT;

	assert_int_equal(tn_cert_check_holder("person", "11010519491231002X", &err), TN_OK);
	assert_int_equal(tn_cert_check_holder("org", "91110000600037341L", &err), TN_OK);
	assert_int_equal(tn_cert_check_holder("person", "91110000600037341L", &err), TN_EINVALID);
	assert_int_equal(tn_cert_check_holder("org", "11010519491231002X", &err), TN_EINVALID);
	assert_int_equal(tn_cert_check_holder("person", "110105194912310021", &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "expected 'X'"));
	assert_int_equal(tn_cert_check_holder("robot", "11010519491231002X", &err), TN_EINVALID);
}

/* ---- canonical JSON ---- */

static void canon_is(const char *json, const char *want)
{
	struct tn_err err = TN_ERR_INIT;
	char *out = NULL;
	size_t len;
	jv v = jv_parse(json);

	assert_true(jv_is_valid(v));
	assert_int_equal(tn_cert_canonical(v, &out, &len, &err), TN_OK);
	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
	free(out);
	jv_free(v);
}

static void canon_bad(const char *json, const char *needle)
{
	struct tn_err err = TN_ERR_INIT;
	char *out = NULL;
	jv v = jv_parse(json);

	assert_int_equal(tn_cert_canonical(v, &out, NULL, &err), TN_EINVALID);
	assert_null(out);
	if (!strstr(err.message, needle)) {
		print_error("'%s': message '%s', wanted '%s'\n", json, err.message, needle);
		fail();
	}
	jv_free(v);
}

static void test_canonical(void **state)
{
	canon_is("{ \"b\" : 1, \"a\" : { \"d\" : [ 3 , 2 ], \"c\" : null } }",
		 "{\"a\":{\"c\":null,\"d\":[3,2]},\"b\":1}");
	/* escapes in the input do not matter: the text is UTF-8, unescaped */
	canon_is("{\"name\":\"\\u5f20\\u4e09\",\"x\":\"a\\/b\"}", "{\"name\":\"张三\",\"x\":\"a/b\"}");
	canon_is("[\"\\n\\t\\r\\b\\f\\\"\\\\\",\"\\u001f\\u007f\"]",
		 "[\"\\n\\t\\r\\b\\f\\\"\\\\\",\"\\u001f\\u007f\"]");
	/* keys sort by their UTF-8 bytes: upper case, lower case, then CJK */
	canon_is("{\"张\":true,\"b\":false,\"B\":0,\"a\":\"\"}", "{\"B\":0,\"a\":\"\",\"b\":false,\"张\":true}");
	canon_is("[0,-5,999999999999999]", "[0,-5,999999999999999]");
	canon_bad("{\"a\":{\"b\":[1.5]}}", "'a.b[0]'");
	canon_bad("[1e17]", "integers of at most 15 digits");
	canon_bad("[-0]", "[0]");
}

/* ---- signing ---- */

#define ISSUER_USCC "11430000006122244L"
#define OTHER_USCC "1131000000240157XF"

static struct tn_cert_key *key_a, *key_b;

static int setup_keys(void **state)
{
	struct tn_err err = TN_ERR_INIT;

	if (tn_cert_key_generate(&key_a, &err) != TN_OK || tn_cert_key_generate(&key_b, &err) != TN_OK)
		return -1;
	return 0;
}

static int teardown_keys(void **state)
{
	tn_cert_key_free(key_a);
	tn_cert_key_free(key_b);
	return 0;
}

/* A ring with A for ZJW (ISSUER_USCC) and B for MZJ (OTHER_USCC), from their PEM. */
static struct tn_cert_keyring *ring_ab(void)
{
	struct tn_cert_keyring *kr = tn_cert_keyring_new();
	struct tn_err err = TN_ERR_INIT;
	jv items = jv_array();
	char *pa = tn_cert_key_public_pem(key_a), *pb = tn_cert_key_public_pem(key_b);

	items = jv_array_append(items, jv_parse_sized("{}", 2));
	items = jv_array_set(items, 0, jv_object_set(jv_object_set(jv_object_set(jv_object_set(jv_object(),
		jv_string("dept"), jv_string("ZJW")), jv_string("uscc"), jv_string(ISSUER_USCC)),
		jv_string("key_id"), jv_string(tn_cert_key_id(key_a))), jv_string("public_key"), jv_string(pa)));
	items = jv_array_append(items, jv_object_set(jv_object_set(jv_object_set(jv_object_set(jv_object(),
		jv_string("dept"), jv_string("MZJ")), jv_string("uscc"), jv_string(OTHER_USCC)),
		jv_string("key_id"), jv_string(tn_cert_key_id(key_b))), jv_string("public_key"), jv_string(pb)));
	jv body = jv_object_set(jv_object(), jv_string("items"), items);
	assert_int_equal(tn_cert_keyring_add_issuers(kr, body, &err), TN_OK);
	assert_int_equal(tn_cert_keyring_count(kr), 2);
	jv_free(body);
	free(pa);
	free(pb);
	return kr;
}

/* An unsigned certificate of ZJW; `serial` varies it. */
static jv make_cert(const char *serial, const char *from, const char *until)
{
	char id[TN_CERT_ID_MAX];
	struct tn_err err = TN_ERR_INIT;
	const char *kind = "11100000000013338W011";

	assert_int_equal(tn_cert_id_build(kind, ISSUER_USCC, serial, 1, id, &err), TN_OK);
	jv c = jv_parse("{\"kind_name\":\"建筑施工企业安全生产管理人员考核合格证书\","
			"\"holder\":{\"type\":\"person\",\"id\":\"11010519491231002X\",\"name\":\"张三\"},"
			"\"issuer\":{\"dept\":\"ZJW\",\"uscc\":\"" ISSUER_USCC "\"},"
			"\"fields\":{\"certificate_no\":\"沪建安B(2023)0000403\",\"employer\":\"上海申城建设有限公司\","
			"\"category\":\"B\",\"position\":\"项目负责人\"},"
			"\"issued_at\":\"2023-03-01T09:30:00+08:00\",\"status\":\"valid\","
			"\"revoked_at\":null,\"revoke_reason\":null}");
	c = jv_object_set(c, jv_string("id"), jv_string(id));
	c = jv_object_set(c, jv_string("kind"), jv_string(kind));
	c = jv_object_set(c, jv_string("valid_from"), jv_string(from));
	c = jv_object_set(c, jv_string("valid_until"), until ? jv_string(until) : jv_null());
	return c;
}

static jv signed_cert(const char *serial, const char *from, const char *until,
		      const struct tn_cert_key *key)
{
	struct tn_err err = TN_ERR_INIT;
	jv out;

	assert_int_equal(tn_cert_sign(make_cert(serial, from, until), key, &out, &err), TN_OK);
	return out;
}

static void expect(const struct tn_cert_keyring *kr, jv cert, const char *reason)
{
	struct tn_cert_verification v;

	tn_cert_verify(kr, cert, TODAY, &v);
	if (reason ? (v.valid || strcmp(v.reason, reason)) : !v.valid) {
		print_error("wanted %s, got %s (%s)\n", reason ? reason : "valid",
			    v.valid ? "valid" : v.reason, v.detail);
		fail();
	}
}

static void test_sign_verify(void **state)
{
	struct tn_cert_keyring *kr = ring_ab();
	jv c = signed_cert("20230000403", "2023-03-01", "2026-02-28", key_a);
	jv sig = jv_object_get(jv_copy(c), jv_string("signature"));
	jv alg = jv_object_get(jv_copy(sig), jv_string("alg"));
	jv kid = jv_object_get(jv_copy(sig), jv_string("key_id"));

	assert_string_equal(jv_string_value(alg), "SM2-SM3");
	assert_string_equal(jv_string_value(kid), tn_cert_key_id(key_a));
	assert_int_equal(strlen(tn_cert_key_id(key_a)), 16);
	expect(kr, c, NULL);
	/* members outside the signature may change: status is checked separately */
	jv c2 = jv_object_set(jv_copy(c), jv_string("verification"), jv_true());
	c2 = jv_object_set(c2, jv_string("revoke_reason"), jv_string("ignored while valid"));
	expect(kr, c2, NULL);
	/* a valid_until of null never expires */
	jv c3 = signed_cert("20230000404", "2023-03-01", NULL, key_a);
	expect(kr, c3, NULL);
	/* re-signing replaces the signature, and still verifies */
	jv c4;
	struct tn_err err = TN_ERR_INIT;
	assert_int_equal(tn_cert_sign(jv_copy(c), key_a, &c4, &err), TN_OK);
	expect(kr, c4, NULL);
	jv_free(c4);
	jv_free(c3);
	jv_free(c2);
	jv_free(alg);
	jv_free(kid);
	jv_free(sig);
	jv_free(c);
	tn_cert_keyring_free(kr);
}

/* Paths of every string in the signed members of `v`, as jq path arrays. */
static void string_paths(jv v, jv path, jv *out)
{
	if (jv_get_kind(v) == JV_KIND_STRING) {
		*out = jv_array_append(*out, path);
	} else if (jv_get_kind(v) == JV_KIND_OBJECT) {
		int it = jv_object_iter(v);
		while (jv_object_iter_valid(v, it)) {
			jv k = jv_object_iter_key(v, it);
			string_paths(jv_object_iter_value(v, it), jv_array_append(jv_copy(path), k), out);
			it = jv_object_iter_next(v, it);
		}
		jv_free(path);
	} else {
		jv_free(path);
	}
	jv_free(v);
}

static void test_tamper_every_field(void **state)
{
	struct tn_cert_keyring *kr = ring_ab();
	jv c = signed_cert("20230000403", "2023-03-01", "2026-02-28", key_a);
	jv paths = jv_array();
	int n, tested = 0;

	for (int i = 0; tn_cert_signed_members[i]; i++) {
		const char *m = tn_cert_signed_members[i];
		string_paths(jv_object_get(jv_copy(c), jv_string(m)),
			     jv_array_append(jv_array(), jv_string(m)), &paths);
	}
	n = jv_array_length(jv_copy(paths));
	assert_true(n >= 15);
	for (int i = 0; i < n; i++) {
		jv p = jv_array_get(jv_copy(paths), i);
		jv s = jv_getpath(jv_copy(c), jv_copy(p));
		const char *text = jv_string_value(s);
		size_t len = strlen(text);
		/* flip the lowest bit of one byte: first, middle, last */
		for (int w = 0; w < 3; w++) {
			size_t at = w == 0 ? 0 : w == 1 ? len / 2 : len - 1;
			char *copy = tn_xstrdup(text);
			unsigned char ch = (unsigned char)copy[at];
			if (ch >= 0x80 && ch < 0xC0) {
				free(copy);     /* keep UTF-8 valid: change lead bytes and ASCII only */
				continue;
			}
			copy[at] = (char)(ch ^ 1);
			jv t = jv_setpath(jv_copy(c), jv_copy(p), jv_string(copy));
			struct tn_cert_verification v;
			tn_cert_verify(kr, t, TODAY, &v);
			if (v.valid || strcmp(v.reason, TN_CERT_BAD_SIGNATURE)) {
				jv ps = jv_dump_string(jv_copy(p), 0);
				print_error("changed %s to '%s': %s\n", jv_string_value(ps), copy,
					    v.valid ? "valid" : v.reason);
				jv_free(ps);
				fail();
			}
			tested++;
			jv_free(t);
			free(copy);
		}
		jv_free(s);
		jv_free(p);
	}
	assert_true(tested >= 3 * 10);
	/* a changed signature byte is a bad signature too */
	jv sigv = jv_getpath(jv_copy(c), jv_parse("[\"signature\",\"value\"]"));
	char *b64 = tn_xstrdup(jv_string_value(sigv));
	b64[10] = b64[10] == 'A' ? 'B' : 'A';
	jv t = jv_setpath(jv_copy(c), jv_parse("[\"signature\",\"value\"]"), jv_string(b64));
	expect(kr, t, TN_CERT_BAD_SIGNATURE);
	jv_free(t);
	/* a member added to the signed content (fields) changes it */
	t = jv_setpath(jv_copy(c), jv_parse("[\"fields\",\"extra\"]"), jv_string("x"));
	expect(kr, t, TN_CERT_BAD_SIGNATURE);
	jv_free(t);
	t = jv_object_delete(jv_copy(c), jv_string("kind_name"));
	expect(kr, t, TN_CERT_MALFORMED);
	jv_free(t);
	free(b64);
	jv_free(sigv);
	jv_free(paths);
	jv_free(c);
	tn_cert_keyring_free(kr);
}

static void test_other_keys(void **state)
{
	struct tn_cert_keyring *kr = ring_ab(), *only_a = tn_cert_keyring_new();
	struct tn_cert_key *k;
	struct tn_err err = TN_ERR_INIT;
	char *pem = tn_cert_key_public_pem(key_a);

	/* signed by another department's key (B is MZJ's), claiming ZJW */
	jv c = signed_cert("20230000403", "2023-03-01", "2026-02-28", key_b);
	expect(kr, c, TN_CERT_UNKNOWN_ISSUER);
	/* ... or B's signature under A's key id */
	jv a = signed_cert("20230000403", "2023-03-01", "2026-02-28", key_a);
	jv forged = jv_setpath(jv_copy(c), jv_parse("[\"signature\",\"key_id\"]"),
			       jv_string(tn_cert_key_id(key_a)));
	expect(kr, forged, TN_CERT_BAD_SIGNATURE);
	/* a key the ring does not hold */
	assert_int_equal(tn_cert_key_from_pem(pem, strlen(pem), &k, &err), TN_OK);
	assert_string_equal(tn_cert_key_id(k), tn_cert_key_id(key_a));
	tn_cert_keyring_add(only_a, "ZJW", ISSUER_USCC, k);
	expect(only_a, a, NULL);
	expect(only_a, c, TN_CERT_UNKNOWN_ISSUER);
	/* an issuer list whose key id does not match its key is refused */
	jv bad = jv_parse("[{\"dept\":\"ZJW\",\"uscc\":\"" ISSUER_USCC "\",\"key_id\":\"0000000000000000\"}]");
	bad = jv_setpath(bad, jv_parse("[0,\"public_key\"]"), jv_string(pem));
	assert_int_equal(tn_cert_keyring_add_issuers(only_a, bad, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "does not match"));
	jv_free(bad);
	free(pem);
	jv_free(forged);
	jv_free(a);
	jv_free(c);
	tn_cert_keyring_free(kr);
	tn_cert_keyring_free(only_a);
}

static void test_status_and_dates(void **state)
{
	struct tn_cert_keyring *kr = ring_ab();
	jv c = signed_cert("1", "2023-03-01", "2025-05-31", key_a);
	struct tn_cert_verification v;

	expect(kr, c, TN_CERT_EXPIRED);
	tn_cert_verify(kr, c, "2025-05-31", &v);     /* valid through its last day */
	assert_true(v.valid);
	jv_free(c);
	c = signed_cert("2", "2025-06-02", "2030-01-01", key_a);
	expect(kr, c, TN_CERT_NOT_YET_VALID);
	/* revocation does not re-sign: status and reason are outside the signature */
	jv r = jv_object_set(jv_copy(c), jv_string("status"), jv_string("revoked"));
	r = jv_object_set(r, jv_string("revoked_at"), jv_string("2025-05-01T10:00:00+08:00"));
	r = jv_object_set(r, jv_string("revoke_reason"), jv_string("吊销"));
	tn_cert_verify(kr, r, TODAY, &v);
	assert_false(v.valid);
	assert_string_equal(v.reason, TN_CERT_REVOKED);
	assert_non_null(strstr(v.detail, "吊销"));
	jv j = tn_cert_verification_json(&v);
	jv reason = jv_object_get(jv_copy(j), jv_string("reason"));
	assert_string_equal(jv_string_value(reason), "revoked");
	jv_free(reason);
	jv_free(j);
	jv_free(r);
	r = jv_object_set(jv_copy(c), jv_string("status"), jv_string("suspended"));
	expect(kr, r, TN_CERT_MALFORMED);
	jv_free(r);
	jv_free(c);
	tn_cert_keyring_free(kr);
}

/* ---- bulk ---- */

static void test_bulk_matches_single(void **state)
{
	struct tn_cert_keyring *kr = ring_ab();
	enum { N = 60 };
	jv certs[N + 10];
	size_t slots[N + 10];
	int n = 0, unique_sm2 = 0;

	for (int i = 0; i < N; i++) {
		char serial[16];
		snprintf(serial, sizeof(serial), "B%04d", i);
		jv c = signed_cert(serial, i % 7 == 3 ? "2025-07-01" : "2023-01-01",
				   i % 5 == 2 ? "2024-12-31" : "2027-01-01", i % 11 == 4 ? key_b : key_a);
		if (i % 6 == 1)     /* tampered */
			c = jv_setpath(c, jv_parse("[\"holder\",\"name\"]"), jv_string("李四"));
		if (i % 9 == 5)
			c = jv_object_set(c, jv_string("status"), jv_string("revoked"));
		if (i % 13 == 7)
			c = jv_object_delete(c, jv_string("signature"));
		if (i % 13 != 7)
			unique_sm2++;
		certs[n++] = c;
	}
	/* duplicates: the same certificates again, and a tampered copy of a good one */
	for (int i = 0; i < 8; i++)
		certs[n++] = jv_copy(certs[i]);
	certs[n++] = jv_setpath(jv_copy(certs[0]), jv_parse("[\"fields\",\"category\"]"), jv_string("C"));
	unique_sm2++;

	struct tn_cert_batch *b = tn_cert_batch_new(kr, 4, TODAY);
	for (int i = 0; i < n; i++)
		slots[i] = tn_cert_batch_add(b, certs[i]);
	tn_cert_batch_run(b);
	for (int i = 0; i < n; i++) {
		struct tn_cert_verification one, many;
		tn_cert_verify(kr, certs[i], TODAY, &one);
		tn_cert_batch_get(b, slots[i], &many);
		assert_int_equal(one.valid, many.valid);
		if (!one.valid)
			assert_string_equal(one.reason, many.reason);
	}
	/* the tampered copy of certs[0] is not taken for the genuine one */
	struct tn_cert_verification v0, vt;
	tn_cert_batch_get(b, slots[0], &v0);
	tn_cert_batch_get(b, slots[n - 1], &vt);
	assert_true(v0.valid);
	assert_false(vt.valid);
	assert_string_equal(vt.reason, TN_CERT_BAD_SIGNATURE);
	/* every distinct certificate verified once; the copies not at all */
	assert_int_equal(tn_cert_batch_sm2_count(b), unique_sm2);
	/* a second round of the same certificates costs nothing */
	tn_cert_batch_clear(b);
	for (int i = 0; i < n; i++)
		slots[i] = tn_cert_batch_add(b, certs[i]);
	tn_cert_batch_run(b);
	assert_int_equal(tn_cert_batch_sm2_count(b), unique_sm2);
	tn_cert_batch_get(b, slots[n - 1], &vt);
	assert_string_equal(vt.reason, TN_CERT_BAD_SIGNATURE);
	tn_cert_batch_free(b);
	for (int i = 0; i < n; i++)
		jv_free(certs[i]);
	tn_cert_keyring_free(kr);
}

static void test_sign_verify_many(void **state)
{
	enum { N = 50 };
	struct tn_cert_job jobs[N];
	char msgs[N][32];

	for (int i = 0; i < N; i++) {
		snprintf(msgs[i], sizeof(msgs[i]), "message %d", i);
		jobs[i] = (struct tn_cert_job){ msgs[i], strlen(msgs[i]), NULL, 0, key_a, 0 };
	}
	tn_cert_sign_many(jobs, N, 3);
	for (int i = 0; i < N; i++)
		assert_true(jobs[i].ok);
	msgs[7][0] = 'M';
	jobs[9].key = key_b;
	tn_cert_verify_many(jobs, N, 3);
	for (int i = 0; i < N; i++) {
		assert_int_equal(jobs[i].ok, i != 7 && i != 9);
		free(jobs[i].sig);
	}
	assert_true(tn_cert_ncpu() >= 1);
}

/* ---- key files ---- */

static void test_key_files(void **state)
{
	char dir[] = "/tmp/test_cert.XXXXXX";
	char path[128];
	struct tn_err err = TN_ERR_INIT;
	struct tn_cert_key *k = NULL;
	struct stat st;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/issuer.key", dir);
	assert_int_equal(tn_cert_key_save_private(key_a, path, &err), TN_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(tn_cert_key_save_private(key_b, path, &err), TN_ECONFLICT);
	assert_int_equal(tn_cert_key_load_private(path, &k, &err), TN_OK);
	assert_true(tn_cert_key_is_private(k));
	assert_string_equal(tn_cert_key_id(k), tn_cert_key_id(key_a));
	/* a loaded key signs what the original verifies */
	unsigned char *sig;
	size_t sig_len;
	assert_int_equal(tn_cert_sign_bytes(k, "abc", 3, &sig, &sig_len, &err), TN_OK);
	assert_true(tn_cert_verify_bytes(key_a, "abc", 3, sig, sig_len));
	assert_false(tn_cert_verify_bytes(key_a, "abd", 3, sig, sig_len));
	free(sig);
	tn_cert_key_free(k);
	chmod(path, 0644);
	assert_int_equal(tn_cert_key_load_private(path, &k, &err), TN_EAUTH);
	assert_non_null(strstr(err.message, "chmod 600"));
	assert_int_equal(tn_cert_key_from_pem("junk", 4, &k, &err), TN_EINVALID);
	unlink(path);
	rmdir(dir);
}

/* ---- audit chain ---- */

/* ---- kinds ---- */

static void test_kinds_file(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf path = TN_BUF_INIT, dir = TN_BUF_INIT;
	const char *src = getenv("TWONET_SRC");
	jv kinds, catalog, list, mats;
	int n;

	if (src) {
		tn_buf_addf(&path, "%s/share/twonet/certs/kinds.yaml", src);
		tn_buf_addf(&dir, "%s/share/twonet/catalog", src);
	}
	if (tn_cert_kinds_load(src ? path.buf : NULL, &kinds, &err) != TN_OK) {
		print_error("%s\n", err.message);
		fail();
	}
	list = jv_object_get(jv_copy(kinds), jv_string("kinds"));
	n = jv_array_length(jv_copy(list));
	assert_true(n >= 30);
	/* every code is 21 characters and builds identifiers with its department's USCC */
	for (int i = 0; i < n; i++) {
		jv k = jv_array_get(jv_copy(list), i);
		jv code = jv_object_get(jv_copy(k), jv_string("code"));
		jv dept = jv_object_get(jv_copy(k), jv_string("dept"));
		jv uscc = jv_getpath(jv_copy(kinds), jv_array_append(jv_array_append(jv_array_append(jv_array(),
				jv_string("departments")), jv_copy(dept)), jv_string("uscc")));
		char id[TN_CERT_ID_MAX];
		assert_int_equal(tn_cert_id_build(jv_string_value(code), jv_string_value(uscc), "202600000001",
						  1, id, &err), TN_OK);
		assert_int_equal(tn_cert_id_parse(id, NULL, &err), TN_OK);
		jv_free(uscc);
		jv_free(dept);
		jv_free(code);
		jv_free(k);
	}
	jv k = tn_cert_kind_find(kinds, "CK-YYZZ");
	jv name = jv_object_get(k, jv_string("name"));
	assert_string_equal(jv_string_value(name), "营业执照");
	jv_free(name);
	k = tn_cert_kind_find(kinds, "11100000000013338W011");
	assert_true(jv_is_valid(k));
	jv_free(k);
	assert_false(jv_is_valid(tn_cert_kind_find(kinds, "CK-NONE")));

	/* every certificate kind a catalog material names is a kind here, of the same issuer */
	assert_int_equal(tn_catalog_load(src ? dir.buf : NULL, &catalog, &err), TN_OK);
	mats = jv_object_get(jv_copy(catalog), jv_string("materials"));
	n = jv_array_length(jv_copy(mats));
	for (int i = 0; i < n; i++) {
		jv m = jv_array_get(jv_copy(mats), i);
		jv ck = jv_object_get(jv_copy(m), jv_string("cert_kind"));
		if (jv_get_kind(ck) == JV_KIND_STRING) {
			jv kind = tn_cert_kind_find(kinds, jv_string_value(ck));
			jv issuer = jv_object_get(jv_copy(m), jv_string("issuer"));
			if (!jv_is_valid(kind)) {
				print_error("material kind '%s' is not in kinds.yaml\n", jv_string_value(ck));
				fail();
			}
			jv d = jv_object_get(kind, jv_string("dept"));
			if (jv_get_kind(issuer) == JV_KIND_STRING)
				assert_string_equal(jv_string_value(d), jv_string_value(issuer));
			jv_free(d);
			jv_free(issuer);
		}
		jv_free(ck);
		jv_free(m);
	}
	jv_free(mats);
	jv_free(catalog);
	jv_free(list);
	jv_free(kinds);
	tn_buf_release(&path);
	tn_buf_release(&dir);
}

/* A key's id: the first 16 hex digits of the SHA-256 of its DER public key (the PEM's body). */
static void test_key_id(void **state)
{
	struct tn_cert_key *keys[] = { key_a, key_b };

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		char *pem = tn_cert_key_public_pem(keys[k]), b64[4096] = "", hex[65];
		const char *p = strchr(pem, '\n') + 1, *end = strstr(pem, "-----END");
		size_t n = 0, len = 0;
		unsigned char *der;

		for (; p < end; p++)
			if (*p != '\n' && n < sizeof(b64) - 1)
				b64[n++] = *p;
		der = tn_cert_unbase64(b64, &len);
		assert_non_null(der);
		assert_int_equal(tn_sha256_hex(der, len, hex), 0);
		assert_int_equal(strlen(tn_cert_key_id(keys[k])), 16);
		assert_memory_equal(tn_cert_key_id(keys[k]), hex, 16);
		free(der);
		free(pem);
	}
	assert_string_not_equal(tn_cert_key_id(key_a), tn_cert_key_id(key_b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_consent_code),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_id_real_vectors),
		cmocka_unit_test(test_id_build),
		cmocka_unit_test(test_id_broken),
		cmocka_unit_test(test_holder),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_key_id),
		cmocka_unit_test(test_tamper_every_field),
		cmocka_unit_test(test_other_keys),
		cmocka_unit_test(test_status_and_dates),
		cmocka_unit_test(test_bulk_matches_single),
		cmocka_unit_test(test_sign_verify_many),
		cmocka_unit_test(test_key_files),
		cmocka_unit_test(test_kinds_file),
	};

	return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
