/* test_srv_storememo.c — store_json_memo: stored JSON texts parsed once, values kept by their exact bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "store/store_common.h"

/* The memo answers what tn_json_parse answers, for texts seen again, new, or not JSON. */
static void test_memo_as_parse(void **state)
{
	static const char *const texts[] = {
		"{\"id\":1,\"value\":0.35,\"kind\":\"water_depth\"}",
		"{\"id\":2,\"value\":null}",
		"[1,2,3]",
		"{\"id\":1,\"value\":0.36,\"kind\":\"water_depth\"}",  /* one byte from the first */
		"{\"id\":",                                             /* not JSON: not kept */
		"\"积水\"",
	};
	(void)state;
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
			jv got = store_json_memo(texts[i], strlen(texts[i]));
			jv want = tn_json_parse(texts[i], strlen(texts[i]));

			assert_int_equal(jv_is_valid(got), jv_is_valid(want));
			if (jv_is_valid(want))
				assert_true(jv_equal(jv_copy(got), jv_copy(want)));
			jv_free(got);
			jv_free(want);
		}
	/* a NULL text (an SQL NULL) is null; a text past the limit is parsed, not kept */
	assert_int_equal(jv_get_kind(store_json_memo(NULL, 0)), JV_KIND_NULL);
	{
		struct tn_buf big = TN_BUF_INIT;
		jv v;

		tn_buf_adds(&big, "[");
		for (int i = 0; i < STORE_JSON_MEMO_MAX; i++)
			tn_buf_adds(&big, i ? ",1" : "1");
		tn_buf_adds(&big, "]");
		v = store_json_memo(big.buf, big.len);
		assert_int_equal(jv_array_length(v), STORE_JSON_MEMO_MAX);
		tn_buf_release(&big);
	}
}

/*
 * A value put with the text just stored is what that text then reads as; a
 * text put over another slot's text replaces it, and any text still reads as
 * its own value.
 */
static void test_memo_put(void **state)
{
	struct tn_buf text = TN_BUF_INIT;
	jv doc = jv_object(), got;

	(void)state;
	doc = jv_object_set(doc, jv_string("id"), jv_number(7));
	doc = jv_object_set(doc, jv_string("alerts"), JV_ARRAY(jv_number(1), jv_number(2)));
	tn_json_dump(doc, &text);
	store_json_memo_put(text.buf, text.len, doc);
	got = store_json_memo(text.buf, text.len);
	assert_true(jv_equal(jv_copy(got), jv_copy(doc)));
	jv_free(got);
	/* many other texts later (each slot taken over), the first still reads right */
	for (int i = 0; i < 4 * STORE_JSON_MEMO_SLOTS; i++) {
		char t[64];

		snprintf(t, sizeof(t), "{\"n\":%d}", i);
		got = store_json_memo(t, strlen(t));
		assert_int_equal(jv_number_value(jv_object_get(got, jv_string("n"))), i);
	}
	got = store_json_memo(text.buf, text.len);
	assert_true(jv_equal(got, doc));
	tn_buf_release(&text);
}

/*
 * Puts before the thread's first read keep nothing; after it, they are kept.
 * The first test of this program: the memo is a thread's, and no test has
 * read it yet.
 */
static void test_memo_put_unread(void **state)
{
	const char *a = "{\"id\":1}", *b = "{\"id\":2}";
	jv va = JV_OBJECT(jv_string("id"), jv_number(1)), vb = JV_OBJECT(jv_string("id"), jv_number(2));
	jv got;

	(void)state;
	store_json_memo_put(a, strlen(a), va);
	got = store_json_memo(a, strlen(a));          /* parsed: the put kept nothing */
	assert_false(jv_identical(jv_copy(got), jv_copy(va)));
	assert_true(jv_equal(got, jv_copy(va)));
	store_json_memo_put(b, strlen(b), vb);        /* read once: puts are kept */
	got = store_json_memo(b, strlen(b));
	assert_true(jv_identical(got, jv_copy(vb)));
	jv_free(va);
	jv_free(vb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memo_put_unread),        /* first */
		cmocka_unit_test(test_memo_as_parse),
		cmocka_unit_test(test_memo_put),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
