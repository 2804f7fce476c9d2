/* test_text.c — text helpers: a buffer's digits without printf (tn_buf_addu) and its inline appends, the SHA-256 memo (tn_sha256_hex_memo), the control-character scan (tn_ctl_span). */
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

/* The first control character or DEL, as a byte-at-a-time scan finds it: every byte value at every offset of every length up to 40. */
static void test_ctl_span(void **state)
{
	char s[48];

	(void)state;
	assert_int_equal(tn_ctl_span("", 0, 0), 0);
	assert_int_equal(tn_ctl_span("/v1/certs/1.2.156?purpose=a", 27, 0), 27);
	assert_int_equal(tn_ctl_span("abc\0def", 7, 1), 3);   /* a NUL counts: a length, not a string */
	assert_int_equal(tn_ctl_span("a\tb\tc\td\te\x7f", 10, 1), 9);
	assert_int_equal(tn_ctl_span("a\tb\tc\td\te\x7f", 10, 0), 1);
	for (int c = 0; c < 256; c++)
		for (int tab_ok = 0; tab_ok < 2; tab_ok++) {
			int is_ctl = (c < 0x20 && !(tab_ok && c == '\t')) || c == 0x7f;

			for (size_t n = 1; n <= 40; n++)
				for (size_t at = 0; at < n; at++) {
					/* neighbours that test the borrows (0x20, 0x80, 0xff, 0x7e), and a tab */
					for (size_t i = 0; i < n; i++)
						s[i] = "\x20\x80\xff\x7e\x20"[i % 5];
					if (tab_ok && at > 0)
						s[at - 1] = '\t';
					s[at] = (char)c;
					assert_int_equal(tn_ctl_span(s, n, tab_ok), is_ctl ? at : n);
				}
		}
}

/* The inline appends: every length across the growth of the buffer, text and terminating NUL intact. */
static void test_buf_appends(void **state)
{
	struct tn_buf b = TN_BUF_INIT;
	char want[4096];
	size_t len = 0;

	(void)state;
	tn_buf_add(&b, "", 0);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.buf, "");
	for (int i = 0; len + 64 < sizeof(want); i++) {
		char piece[40];
		int n = i % 37;

		memset(piece, 'a' + i % 26, sizeof(piece));
		if (i % 3 == 0) {
			tn_buf_addch(&b, 'A' + i % 26);
			want[len++] = (char)('A' + i % 26);
		} else if (i % 3 == 1) {
			piece[n] = '\0';
			tn_buf_adds(&b, piece);
			memcpy(want + len, piece, (size_t)n);
			len += (size_t)n;
		} else {
			tn_buf_add(&b, piece, (size_t)n);
			memcpy(want + len, piece, (size_t)n);
			len += (size_t)n;
		}
		assert_int_equal(b.len, len);
		assert_true(b.alloc > b.len);
		assert_int_equal(b.buf[b.len], '\0');
		assert_memory_equal(b.buf, want, len);
	}
	tn_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addu),
		cmocka_unit_test(test_sha256_memo),
		cmocka_unit_test(test_hash_words),
		cmocka_unit_test(test_ctl_span),
		cmocka_unit_test(test_buf_appends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
