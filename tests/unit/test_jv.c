/* test_jv.c — the member getters of tn_jv.h: defaults, kinds, ownership (run under ASan to catch a dangling string). */
#include <pthread.h>
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
#include "tn_jv.h"

static jv sample(void)
{
	const char *text = "{\"s\":\"shanghai\",\"e\":\"\",\"n\":42,\"neg\":-7,\"half\":1.5,"
			   "\"big\":1e300,\"t\":true,\"f\":false,\"z\":null,"
			   "\"a\":[\"x\",1,\"y\"],\"o\":{\"k\":\"v\"}}";
	jv v = jv_parse(text);

	assert_int_equal(jv_get_kind(v), JV_KIND_OBJECT);
	return v;
}

static void test_str(void **state)
{
	jv o = sample();
	const char *s = tn_jv_str(o, "s");
	char *d;

	assert_string_equal(s, "shanghai");
	assert_string_equal(tn_jv_str(o, "e"), "");
	assert_null(tn_jv_str(o, "n"));
	assert_null(tn_jv_str(o, "z"));
	assert_null(tn_jv_str(o, "missing"));
	/* a default for absent and non-string members only; "" is a string */
	assert_string_equal(tn_jv_str_or(o, "s", "?"), "shanghai");
	assert_string_equal(tn_jv_str_or(o, "e", "?"), "");
	assert_string_equal(tn_jv_str_or(o, "n", "?"), "?");
	assert_string_equal(tn_jv_str_or(o, "missing", "?"), "?");
	assert_null(tn_jv_str_or(o, "z", NULL));
	assert_string_equal(tn_jv_str_or(jv_null(), "s", "-"), "-");
	/* the pointer lives as long as o: read it again after other look-ups */
	(void)tn_jv_str(o, "e");
	assert_string_equal(s, "shanghai");
	d = tn_jv_strdup(o, "s");
	assert_null(tn_jv_strdup(o, "a"));
	/* the copy outlives the object; the borrowed pointer would not (ASan) */
	jv_free(o);
	assert_string_equal(d, "shanghai");
	free(d);
}

static void test_str_shared_object(void **state)
{
	jv o = sample();
	jv copy = jv_copy(o);
	const char *s = tn_jv_str(copy, "s");

	/* setting a member of one reference copies the object; the other keeps its string */
	o = jv_object_set(o, jv_string("s"), jv_string("beijing"));
	assert_string_equal(s, "shanghai");
	assert_string_equal(tn_jv_str(o, "s"), "beijing");
	jv_free(o);
	assert_string_equal(s, "shanghai");
	jv_free(copy);
}

static void test_not_object(void **state)
{
	jv vals[] = { jv_null(), jv_invalid(), jv_array(), jv_string("s"), jv_number(1), jv_true() };

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		jv v;

		assert_null(tn_jv_str(vals[i], "s"));
		assert_null(tn_jv_strdup(vals[i], "s"));
		assert_int_equal(tn_jv_bool(vals[i], "t", -1), -1);
		assert_int_equal(tn_jv_long(vals[i], "n", -2), -2);
		assert_int_equal(tn_jv_has(vals[i], "s"), 0);
		assert_int_equal(tn_jv_is(vals[i], "s", "s"), 0);
		assert_int_equal(tn_jv_is(vals[i], "s", NULL), 0);
		v = tn_jv_get(vals[i], "s");
		assert_int_equal(jv_get_kind(v), JV_KIND_NULL);
		jv_free(v);
		v = tn_jv_array(vals[i], "a");
		assert_int_equal(jv_get_kind(v), JV_KIND_ARRAY);
		jv_free(v);
		v = tn_jv_object(vals[i], "o");
		assert_int_equal(jv_get_kind(v), JV_KIND_OBJECT);
		jv_free(v);
		assert_int_equal(tn_jv_array_has_str(vals[i], "s"), 0);
		jv_free(vals[i]);
	}
}

static void test_bool_long(void **state)
{
	jv o = sample();

	assert_int_equal(tn_jv_bool(o, "t", -1), 1);
	assert_int_equal(tn_jv_bool(o, "f", -1), 0);
	assert_int_equal(tn_jv_bool(o, "z", -1), -1);
	assert_int_equal(tn_jv_bool(o, "s", 5), 5);
	assert_int_equal(tn_jv_long(o, "n", -1), 42);
	assert_int_equal(tn_jv_long(o, "neg", 0), -7);
	assert_int_equal(tn_jv_long(o, "half", -1), -1);
	assert_int_equal(tn_jv_long(o, "big", -1), -1);
	assert_int_equal(tn_jv_long(o, "s", -1), -1);
	assert_int_equal(tn_jv_long(o, "missing", 9), 9);
	jv_free(o);
}

static void test_has_is(void **state)
{
	jv o = sample();

	assert_int_equal(tn_jv_has(o, "z"), 1);
	assert_int_equal(tn_jv_has(o, "s"), 1);
	assert_int_equal(tn_jv_has(o, "missing"), 0);
	assert_int_equal(tn_jv_is(o, "s", "shanghai"), 1);
	assert_int_equal(tn_jv_is(o, "s", "shang"), 0);
	assert_int_equal(tn_jv_is(o, "n", "42"), 0);
	assert_int_equal(tn_jv_is(o, "z", NULL), 1);
	assert_int_equal(tn_jv_is(o, "missing", NULL), 0);
	assert_int_equal(tn_jv_is(o, "s", NULL), 0);
	jv_free(o);
}

static void test_members(void **state)
{
	jv o = sample();
	jv v = tn_jv_get(o, "n");

	assert_int_equal(jv_get_kind(v), JV_KIND_NUMBER);
	jv_free(v);
	v = tn_jv_get(o, "missing");
	assert_int_equal(jv_get_kind(v), JV_KIND_NULL);
	jv_free(v);
	v = tn_jv_array(o, "a");
	assert_int_equal(jv_array_length(jv_copy(v)), 3);
	assert_int_equal(tn_jv_array_has_str(v, "y"), 1);
	assert_int_equal(tn_jv_array_has_str(v, "z"), 0);
	jv_free(v);
	/* the first element whose member is the string, skipping what is not an object */
	v = jv_parse("[1, {\"code\": 2}, {\"code\": \"a\"}, null, {\"code\": \"b\"}, {\"code\": \"b\"}]");
	assert_int_equal(tn_jv_array_find(v, "code", "b"), 4);
	assert_int_equal(tn_jv_array_find(v, "code", "a"), 2);
	assert_int_equal(tn_jv_array_find(v, "code", "c"), -1);
	assert_int_equal(tn_jv_array_find(v, "name", "a"), -1);
	assert_int_equal(tn_jv_array_find(o, "code", "a"), -1);     /* not an array */
	jv_free(v);
	v = tn_jv_array(o, "o");
	assert_int_equal(jv_array_length(v), 0);
	v = tn_jv_object(o, "o");
	assert_string_equal(tn_jv_str(v, "k"), "v");
	jv_free(v);
	v = tn_jv_object(o, "a");
	assert_int_equal(jv_object_length(v), 0);
	/* o was never consumed */
	assert_string_equal(tn_jv_str(o, "s"), "shanghai");
	jv_free(o);
}

/* tn_json_dump_sorted(v) is jv_dump_string(v, JV_PRINT_SORTED), byte for byte (v consumed). */
static void same_sorted(jv v)
{
	struct tn_buf b = TN_BUF_INIT;
	jv want = jv_dump_string(jv_copy(v), JV_PRINT_SORTED);

	tn_json_dump_sorted(v, &b);
	assert_int_equal(b.len, (size_t)jv_string_length_bytes(jv_copy(want)));
	assert_memory_equal(b.buf, jv_string_value(want), b.len);
	tn_buf_release(&b);
	jv_free(want);
	jv_free(v);
}

static void test_dump_sorted(void **state)
{
	/* keys that are prefixes of each other, bytes past ASCII, nested objects in arrays */
	const char *t = "{\"b\":1,\"a\":{\"zz\":[{\"y\":1,\"x\":\"\\u0001\\\"\"}],\"z\":null,"
			"\"键\":\"值\",\"ab\":2,\"a\":[]},\"\":{},\"aa\":true,\"A\":-1.5e-7,"
			"\"applicant\":{\"type\":\"person\",\"id\":\"110101199003070003\","
			"\"name\":\"张三\",\"phone\":null},\"form\":{\"n\":12345678901234567890}}";
	jv many = jv_object();
	char k[16];

	(void)state;
	same_sorted(jv_parse(t));
	for (int i = 99; i >= 0; i--) {         /* more members than the stack holds */
		snprintf(k, sizeof(k), "k%d", i * 7 % 100);
		many = jv_object_set(many, jv_string(k), jv_number(i));
	}
	same_sorted(jv_array_append(jv_array(), many));
	same_sorted(jv_object());
	same_sorted(jv_string("x\ty"));
	same_sorted(jv_number(3));
}

/* tn_jv_key: the string jv_string_sized makes, whatever the table holds */
static void check_keys(void)
{
	char buf[64];

	for (int round = 0; round < 3; round++) {
		/* more names than the table has slots, so slots are taken over */
		for (int i = 0; i < 700; i++) {
			jv k, want;

			snprintf(buf, sizeof(buf), "member_%d", (i * 37) % 700);
			k = tn_jv_key(buf, strlen(buf));
			want = jv_string(buf);
			assert_true(jv_equal(k, want));
		}
	}
	/* one buffer, new text: never the key before */
	memcpy(buf, "source", 7);
	jv a = tn_jv_key(buf, 6);
	memcpy(buf, "sourcX", 7);
	jv b = tn_jv_key(buf, 6);

	assert_string_equal(jv_string_value(a), "source");
	assert_string_equal(jv_string_value(b), "sourcX");
	/* a prefix is another key; the length counts, not a NUL */
	jv c = tn_jv_key("source_id", 6);

	assert_string_equal(jv_string_value(c), "source");
	assert_true(jv_equal(jv_copy(a), c));
	jv_free(a);
	jv_free(b);
	/* bytes that are not UTF-8 are made as jq makes them, each time */
	for (int i = 0; i < 2; i++) {
		jv bad = tn_jv_key("k\xff", 2), want = jv_string_sized("k\xff", 2);

		assert_true(jv_equal(bad, want));
	}
	/* longer than TN_JV_KEY_MAX, and with a NUL inside */
	memset(buf, 'x', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = 0;
	assert_true(jv_equal(tn_jv_key(buf, strlen(buf)), jv_string(buf)));
	jv nul = tn_jv_key("a\0b", 3);

	assert_int_equal(jv_string_length_bytes(jv_copy(nul)), 3);
	jv_free(nul);
}

static void *keys_thread(void *arg)
{
	(void)arg;
	check_keys();
	return NULL;
}

static void test_keys(void **state)
{
	pthread_t t[2];
	jv o = jv_object();

	(void)state;
	check_keys();
	/* each thread its own table, freed as it ends (ASan's leak check sees it) */
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, keys_thread, NULL), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	/* tn_jv_set is jv_object_set: the first place, the last value */
	o = tn_jv_set(o, "id", jv_number(1));
	o = tn_jv_set(o, "seq", jv_number(2));
	o = tn_jv_set(o, "id", jv_number(3));
	assert_int_equal(tn_jv_long(o, "id", 0), 3);
	assert_int_equal(jv_object_length(jv_copy(o)), 2);
	jv_free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_str_shared_object),
		cmocka_unit_test(test_not_object),
		cmocka_unit_test(test_bool_long),
		cmocka_unit_test(test_has_is),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_dump_sorted),
		cmocka_unit_test(test_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
