/* test_text.c — text helpers: a buffer's digits without printf (tn_buf_addu), the SHA-256 memo (tn_sha256_hex_memo). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>
#include <cmocka.h>

#include "tn_buf.h"
#include "tn_text.h"

/* As printf's %llu and %llx would write them, across the range. */
static void test_addu(void **state)
{
	static const unsigned long long v[] = {
		0, 1, 9, 10, 15, 16, 99, 100, 200, 404, 4096, 65535, 1000000007ULL,
		4294967295ULL, 4294967296ULL, 999999999999999ULL, ULLONG_MAX - 1, ULLONG_MAX,
	};
	char want[64];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct tn_buf b = TN_BUF_INIT;

		tn_buf_adds(&b, "x=");
		tn_buf_addu(&b, v[i], 10);
		tn_buf_addch(&b, ' ');
		tn_buf_addu(&b, v[i], 16);
		snprintf(want, sizeof(want), "x=%llu %llx", v[i], v[i]);
		assert_string_equal(b.buf, want);
		assert_int_equal(b.len, strlen(want));
		tn_buf_release(&b);
	}
}

/*
 * The memo gives the hash of what it is given, never of a kept input like
 * it: inputs that differ in one byte only (64 of each of 100 stems, so that
 * many share a slot), one after another, twice over; too long or empty ones.
 */
static void test_sha256_memo(void **state)
{
	char in[128], want[65], got[65];

	(void)state;
	for (int pass = 0; pass < 2; pass++)
		for (int stem = 0; stem < 100; stem++)
			for (int last = 0; last < 64; last++) {
				int n = snprintf(in, sizeof(in), "tn_%040d%c", stem * 7919,
						 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last]);

				assert_int_equal(tn_sha256_hex(in, (size_t)n, want), 0);
				assert_int_equal(tn_sha256_hex_memo(in, (size_t)n, got), 0);
				assert_string_equal(got, want);
			}
	memset(in, 'x', 97);
	for (size_t n = 95; n <= 97; n++) {
		assert_int_equal(tn_sha256_hex(in, n, want), 0);
		assert_int_equal(tn_sha256_hex_memo(in, n, got), 0);
		assert_string_equal(got, want);
	}
	assert_int_equal(tn_sha256_hex_memo("", 0, got), 0);
	assert_string_equal(got, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/*
 * tn_hash_words: the same bytes the same hash; ids that differ in one place
 * (certificate ids of one issuer and year) spread over a table's sets about
 * evenly, wherever the difference falls (in the words or the tail).
 */
static void test_hash_words(void **state)
{
	static unsigned counts[256];
	char id[128];
	unsigned most = 0;

	(void)state;
	assert_int_equal(tn_hash_words("abc", 3), tn_hash_words("abc", 3));
	assert_int_not_equal(tn_hash_words("abc", 3), tn_hash_words("abd", 3));
	assert_int_not_equal(tn_hash_words("", 0), tn_hash_words("\0", 1));
	for (int i = 0; i < 25600; i++) {
		int n = snprintf(id, sizeof(id),
				 "1.2.156.3005.2.11310000002401158M001.11310000002401158M.2026%08d.001.%c",
				 i, "0123456789X"[i % 11]);

		counts[tn_hash_words(id, (size_t)n) % 256]++;
	}
	for (int i = 0; i < 256; i++)
		most = counts[i] > most ? counts[i] : most;
	assert_true(most < 200);        /* 100 a set on average */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addu),
		cmocka_unit_test(test_sha256_memo),
		cmocka_unit_test(test_hash_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
