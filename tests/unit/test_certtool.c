/* test_certtool.c — a signing helper for the certificate tests and benchmark; run without arguments it tests itself (TAP). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "tn_buf.h"
#include "tn_case.h"
#include "tn_cert.h"
#include "tn_ndjson.h"

/*
 * test_certtool genkey DEPT USCC KEYFILE      new key (0600 file); its ISSUER object on stdout
 * test_certtool sign KEYFILE                  sign each JSON certificate of stdin; NDJSON out
 * test_certtool gen N KEYFILE DEPT USCC KIND [THREADS]
 *                                             N distinct signed certificates, NDJSON out
 * test_certtool bench-sign N THREADS           time tn_cert_sign_many alone; prints "signed N seconds S rate R threads T cpu C"
 * test_certtool bench-verify FILE ISSUERS [THREADS]
 *                                             verify FILE's certificates with the bulk verifier;
 *                                             prints "certs N seconds S rate R threads T sm2 M invalid I cpu C"
 * (C: the CPU seconds of every thread of the process over the timed part)
 */

static void die(const char *what, const struct tn_err *err)
{
	fprintf(stderr, "test_certtool: %s: %s\n", what, err ? err->message : "failed");
	exit(1);
}

/* The ISSUER object of doc/api-certs.md for a key. */
static jv issuer_json(const struct tn_cert_key *k, const char *dept, const char *uscc)
{
	char *pem = tn_cert_key_public_pem(k);
	jv o = jv_object();

	o = jv_object_set(o, jv_string("dept"), jv_string(dept));
	o = jv_object_set(o, jv_string("uscc"), jv_string(uscc));
	o = jv_object_set(o, jv_string("key_id"), jv_string(tn_cert_key_id(k)));
	o = jv_object_set(o, jv_string("alg"), jv_string("SM2"));
	o = jv_object_set(o, jv_string("public_key"), jv_string(pem));
	o = jv_object_set(o, jv_string("created_at"), jv_string("2026-01-01T00:00:00+08:00"));
	o = jv_object_set(o, jv_string("retired_at"), jv_null());
	free(pem);
	return o;
}

/* A valid resident ID number born `n` days after 1960-01-01 in Huangpu. */
static void resident_id(long n, char out[19])
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	time_t t = (time_t)(-315619200L + (n % 20000) * 86400L);   /* 1960-01-01 */
	struct tm tm;
	int sum = 0;

	gmtime_r(&t, &tm);
	snprintf(out, 19, "310101%04d%02d%02d%03ld", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 n / 20000 % 1000);
	for (int i = 0; i < 17; i++)
		sum += (out[i] - '0') * w[i];
	out[17] = "10X98765432"[sum % 11];
	out[18] = '\0';
}

/* An unsigned certificate number `i` of `kind` by dept/uscc. */
static jv make_cert(long i, const char *dept, const char *uscc, const char *kind)
{
	char id[TN_CERT_ID_MAX], serial[16], rid[19], no[32];
	struct tn_err err = TN_ERR_INIT;
	static const char *names[] = { "张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇" };
	jv c = jv_object(), h = jv_object(), is = jv_object(), f = jv_object();

	snprintf(serial, sizeof(serial), "2026%08ld", i + 1);
	if (tn_cert_id_build(kind, uscc, serial, 1, id, &err) != TN_OK)
		die("id", &err);
	resident_id(i, rid);
	snprintf(no, sizeof(no), "沪%08ld", i + 1);
	h = jv_object_set(h, jv_string("type"), jv_string("person"));
	h = jv_object_set(h, jv_string("id"), jv_string(rid));
	h = jv_object_set(h, jv_string("name"), jv_string(names[i % 8]));
	is = jv_object_set(is, jv_string("dept"), jv_string(dept));
	is = jv_object_set(is, jv_string("uscc"), jv_string(uscc));
	f = jv_object_set(f, jv_string("certificate_no"), jv_string(no));
	f = jv_object_set(f, jv_string("employer"), jv_string("上海申城建设有限公司"));
	c = jv_object_set(c, jv_string("id"), jv_string(id));
	c = jv_object_set(c, jv_string("kind"), jv_string(kind));
	c = jv_object_set(c, jv_string("kind_name"), jv_string("测试证照"));
	c = jv_object_set(c, jv_string("holder"), h);
	c = jv_object_set(c, jv_string("issuer"), is);
	c = jv_object_set(c, jv_string("fields"), f);
	c = jv_object_set(c, jv_string("valid_from"), jv_string("2026-01-01"));
	c = jv_object_set(c, jv_string("valid_until"), jv_string("2030-12-31"));
	c = jv_object_set(c, jv_string("status"), jv_string("valid"));
	c = jv_object_set(c, jv_string("revoked_at"), jv_null());
	c = jv_object_set(c, jv_string("revoke_reason"), jv_null());
	c = jv_object_set(c, jv_string("issued_at"), jv_string("2026-01-01T09:00:00+08:00"));
	return c;
}

/* Sign `n` certificates with the bulk signer; each printed as one NDJSON line to `fp`. */
static void gen(long n, const struct tn_cert_key *k, const char *dept, const char *uscc,
		const char *kind, int threads, FILE *fp)
{
	const long chunk = 4096;

	for (long base = 0; base < n; base += chunk) {
		long m = n - base < chunk ? n - base : chunk;
		struct tn_cert_job *jobs = tn_xcalloc((size_t)m, sizeof(*jobs));
		jv *certs = tn_xcalloc((size_t)m, sizeof(jv));
		struct tn_err err = TN_ERR_INIT;

		for (long i = 0; i < m; i++) {
			char *text;
			size_t len;
			certs[i] = make_cert(base + i, dept, uscc, kind);
			if (tn_cert_signed_content(certs[i], &text, &len, &err) != TN_OK)
				die("content", &err);
			jobs[i].msg = text;
			jobs[i].msg_len = len;
			jobs[i].key = k;
		}
		tn_cert_sign_many(jobs, (size_t)m, threads);
		for (long i = 0; i < m; i++) {
			char *b64;
			if (!jobs[i].ok)
				die("sign", NULL);
			b64 = tn_cert_base64(jobs[i].sig, jobs[i].sig_len);
			jv sig = jv_object();
			sig = jv_object_set(sig, jv_string("alg"), jv_string(TN_CERT_ALG));
			sig = jv_object_set(sig, jv_string("key_id"), jv_string(tn_cert_key_id(k)));
			sig = jv_object_set(sig, jv_string("value"), jv_string(b64));
			free(b64);
			certs[i] = jv_object_set(certs[i], jv_string("signature"), sig);
			jv line = jv_dump_string(certs[i], 0);
			fprintf(fp, "%s\n", jv_string_value(line));
			jv_free(line);
			free((char *)jobs[i].msg);
			free(jobs[i].sig);
		}
		free(jobs);
		free(certs);
	}
}

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static int bench_verify(const char *file, const char *issuers, int threads)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_cert_keyring *kr = tn_cert_keyring_new();
	struct tn_ndjson r;
	FILE *fp = fopen(file, "r");
	jv list = jv_array(), doc;
	long n = 0, bad = 0;
	int got;

	if (!fp)
		die(file, NULL);
	if (tn_case_read_file(issuers, &doc, &err) != TN_OK ||
	    tn_cert_keyring_add_issuers(kr, doc, &err) != TN_OK)
		die("issuers", &err);
	jv_free(doc);
	tn_ndjson_init(&r, fp, file);
	while ((got = tn_ndjson_next(&r, &doc, &err)) != 0) {
		if (got < 0)
			die("read", &err);
		list = jv_array_append(list, doc);
		n++;
	}
	tn_ndjson_release(&r);
	fclose(fp);

	struct tn_cert_batch *b = tn_cert_batch_new(kr, threads, "2026-06-01");
	double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), t0 = now_s();
	for (long i = 0; i < n; i++) {
		jv c = jv_array_get(jv_copy(list), (int)i);
		tn_cert_batch_add(b, c);
		jv_free(c);
	}
	tn_cert_batch_run(b);
	double t1 = now_s(), c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	for (long i = 0; i < n; i++) {
		struct tn_cert_verification v;
		tn_cert_batch_get(b, (size_t)i, &v);
		bad += !v.valid;
	}
	printf("certs %ld seconds %.3f rate %.0f threads %d sm2 %ld invalid %ld cpu %.3f\n", n, t1 - t0,
	       (double)n / (t1 - t0), threads < 1 ? tn_cert_ncpu() : threads,
	       tn_cert_batch_sm2_count(b), bad, c1 - c0);
	tn_cert_batch_free(b);
	tn_cert_keyring_free(kr);
	jv_free(list);
	return bad ? 1 : 0;
}

static int tool(int argc, char **argv)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_cert_key *k = NULL;

	if (!strcmp(argv[1], "genkey") && argc == 5) {
		if (tn_cert_key_generate(&k, &err) != TN_OK ||
		    tn_cert_key_save_private(k, argv[4], &err) != TN_OK)
			die("genkey", &err);
		jv line = jv_dump_string(issuer_json(k, argv[2], argv[3]), 0);
		printf("%s\n", jv_string_value(line));
		jv_free(line);
	} else if (!strcmp(argv[1], "sign") && argc == 3) {
		struct tn_ndjson r;
		jv c, s;
		int got;
		if (tn_cert_key_load_private(argv[2], &k, &err) != TN_OK)
			die("key", &err);
		tn_ndjson_init(&r, stdin, "stdin");
		while ((got = tn_ndjson_next(&r, &c, &err)) != 0) {
			if (got < 0 || tn_cert_sign(c, k, &s, &err) != TN_OK)
				die("sign", &err);
			jv line = jv_dump_string(s, 0);
			printf("%s\n", jv_string_value(line));
			jv_free(line);
		}
		tn_ndjson_release(&r);
	} else if (!strcmp(argv[1], "gen") && (argc == 7 || argc == 8)) {
		long n, t = 0;
		if (tn_parse_long(argv[2], &n) != 0 || n < 1 || (argc == 8 && tn_parse_long(argv[7], &t) != 0))
			die("gen", NULL);
		if (tn_cert_key_load_private(argv[3], &k, &err) != TN_OK)
			die("key", &err);
		gen(n, k, argv[4], argv[5], argv[6], (int)t, stdout);
	} else if (!strcmp(argv[1], "bench-sign") && argc == 4) {
		long n, t;
		if (tn_parse_long(argv[2], &n) != 0 || n < 1 || tn_parse_long(argv[3], &t) != 0)
			die("bench-sign", NULL);
		if (tn_cert_key_generate(&k, &err) != TN_OK)
			die("key", &err);
		struct tn_cert_job *jobs = tn_xcalloc((size_t)n, sizeof(*jobs));
		char *text;
		size_t len;
		jv c = make_cert(0, "ZJW", "113100000024017134", "113100000024017134001");
		if (tn_cert_signed_content(c, &text, &len, &err) != TN_OK)
			die("content", &err);
		jv_free(c);
		for (long i = 0; i < n; i++)
			jobs[i] = (struct tn_cert_job){ text, len, NULL, 0, k, 0 };
		double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), t0 = now_s();
		tn_cert_sign_many(jobs, (size_t)n, (int)t);
		double t1 = now_s(), c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
		printf("signed %ld seconds %.3f rate %.0f threads %d cpu %.3f\n", n, t1 - t0,
		       (double)n / (t1 - t0), t < 1 ? tn_cert_ncpu() : (int)t, c1 - c0);
		for (long i = 0; i < n; i++)
			free(jobs[i].sig);
		free(jobs);
		free(text);
	} else if (!strcmp(argv[1], "bench-verify") && (argc == 4 || argc == 5)) {
		long t = 0;
		if (argc == 5 && tn_parse_long(argv[4], &t) != 0)
			die("bench-verify", NULL);
		return bench_verify(argv[2], argv[3], (int)t);
	} else {
		fprintf(stderr, "usage: test_certtool genkey|sign|gen|bench-verify ... (see the source)\n");
		return 2;
	}
	tn_cert_key_free(k);
	return 0;
}

/* ---- self-test ---- */

static void test_generated_certs_verify(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_cert_key *k;
	struct tn_cert_keyring *kr = tn_cert_keyring_new();
	char *buf = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&buf, &size);
	long n = 0;

	assert_int_equal(tn_cert_key_generate(&k, &err), TN_OK);
	jv items = jv_array_append(jv_array(), issuer_json(k, "ZJW", "113100000024017134"));
	assert_int_equal(tn_cert_keyring_add_issuers(kr, items, &err), TN_OK);
	jv_free(items);
	gen(20, k, "ZJW", "113100000024017134", "113100000024017134001", 2, mem);
	fclose(mem);
	/* every line is a certificate that verifies, with a holder that checks */
	struct tn_buf b = TN_BUF_INIT;
	tn_buf_add(&b, buf, size);
	jv parser_out;
	struct jv_parser *p = jv_parser_new(0);
	jv_parser_set_buf(p, b.buf, (int)b.len, 0);
	while (jv_is_valid(parser_out = jv_parser_next(p))) {
		struct tn_cert_verification v;
		tn_cert_verify(kr, parser_out, "2026-06-01", &v);
		if (!v.valid) {
			print_error("%s: %s\n", v.reason, v.detail);
			fail();
		}
		jv_free(parser_out);
		n++;
	}
	jv_free(parser_out);
	jv_parser_free(p);
	assert_int_equal(n, 20);
	tn_buf_release(&b);
	free(buf);
	tn_cert_key_free(k);
	tn_cert_keyring_free(kr);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated_certs_verify),
	};

	if (argc > 1)
		return tool(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
