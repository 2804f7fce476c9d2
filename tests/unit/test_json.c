/* test_json.c — tn_json_parse_exact: one value and nothing after it, offsets, depth, NUL and control characters. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jv.h>

#include "tn_buf.h"
#include "tn_json.h"

/* Parse buf[0..len) with `depth`; the code, *off and the message in err. */
static enum tn_code parse_n(const char *buf, size_t len, int depth, jv *out, size_t *off,
			    struct tn_err *err)
{
	*off = (size_t)-1;
	tn_err_clear(err);
	return tn_json_parse_exact(buf, len, depth, out, off, err);
}

/* `text` must be refused at `offset`, with `why` in the message. */
static void refused(const char *text, size_t len, size_t offset, const char *why)
{
	struct tn_err err = TN_ERR_INIT;
	size_t off;
	jv v = jv_null();

	assert_int_equal(parse_n(text, len, 0, &v, &off, &err), TN_EINVALID);
	assert_int_equal(jv_get_kind(v), JV_KIND_INVALID);
	jv_free(v);
	assert_int_equal(err.code, TN_EINVALID);
	if (strncmp(err.message, "malformed JSON: ", 16) != 0 || !strstr(err.message, why) ||
	    off != offset)
		fail_msg("'%.*s': got \"%s\" at %zu, expected \"%s\" at %zu", (int)len, text,
			 err.message, off, why, offset);
}

/* `text` must be one value whose compact dump is `dump`. */
static void accepted(const char *text, const char *dump)
{
	struct tn_err err = TN_ERR_INIT;
	size_t off;
	jv v, d;

	if (parse_n(text, strlen(text), 0, &v, &off, &err) != TN_OK)
		fail_msg("'%s': %s", text, err.message);
	d = jv_dump_string(v, 0);
	assert_string_equal(jv_string_value(d), dump);
	jv_free(d);
}

static void test_one_value(void **state)
{
	accepted("{}", "{}");
	accepted("  {\"a\": [1, 2, {\"b\": null}]}\n\t\r ", "{\"a\":[1,2,{\"b\":null}]}");
	accepted("[]", "[]");
	accepted("\"text\"", "\"text\"");
	accepted("12.5", "12.5");
	accepted("true", "true");
	accepted(" null ", "null");
	accepted("{\"名\":\"张三\"}", "{\"名\":\"张三\"}");
	accepted("{\"s\":\"tab\\tnl\\ncr\\r\"}", "{\"s\":\"tab\\tnl\\ncr\\r\"}");
	accepted("\"a}b]c{\"", "\"a}b]c{\"");     /* brackets inside a string */
	accepted("{\"q\":\"\\\"}\"}", "{\"q\":\"\\\"}\"}");   /* an escaped quote */
}

/* Texts that must be refused: the bytes, the offset named, words of the message. */
static const struct {
	const char *text;
	size_t len;
	size_t offset;
	const char *why;
} bad[] = {
	/* the request body that stopped the server: a second value after the first */
	{ "{}{}", 4, 2, "more after the value" },
	{ "{} x", 4, 3, "more after the value" },
	{ "{}[]", 4, 2, "more after the value" },
	{ "[1] 2", 5, 4, "more after the value" },
	{ "1 2", 3, 2, "more after the value" },
	{ "\"a\"\"b\"", 6, 3, "more after the value" },
	{ "{}}", 3, 2, "more after the value" },
	{ "{}\n\n  x", 7, 6, "more after the value" },
	/* NUL bytes, and no value at all */
	{ "{}\0", 3, 2, "a NUL byte" },
	{ "\0{}", 3, 0, "a NUL byte" },
	{ "{\"a\":\"x\0y\"}", 11, 7, "a NUL byte" },
	{ "", 0, 0, "no value" },
	{ "   ", 3, 3, "no value" },
	/* cut short, unbalanced, raw control characters, not UTF-8 */
	{ "{\"item\": ", 9, 9, "unfinished" },
	{ "[1, 2", 5, 5, "unfinished" },
	{ "\"abc", 4, 4, "unfinished string" },
	{ "]", 1, 0, "" },
	{ "{]", 2, 1, "member name expected" },
	{ "{\"a\":\"x\ty\"}", 11, 7, "control character" },   /* raw, unescaped */
	{ "{\"a\":\"x\ny\"}", 11, 7, "control character" },
	{ "\xff", 1, 0, "not UTF-8" },
	{ "{\"a\":\"\xc0\xaf\"}", 10, 6, "not UTF-8" },       /* an overlong '/' */
	{ "{\"a\":\"\xed\xa0\x80\"}", 11, 6, "not UTF-8" },  /* a surrogate */
	/* numbers a double cannot hold */
	{ "1e999", 5, 0, "out of range" },
	{ "{\"n\":[1,-1e400]}", 16, 0, "out of range" },
};

static void test_refused(void **state)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(bad[i].text, bad[i].len, bad[i].offset, bad[i].why);
}

/* jq's grammar errors are reported too, never asserted on */
static void test_grammar(void **state)
{
	static const char *const texts[] = { "{\"a\" 1}", "[1,]", "nul", "{\"a\":tru}", "{,}",
					     "[\"a\":1]", "\"\\x\"", NULL };
	struct tn_err err = TN_ERR_INIT;
	size_t off;
	jv v;

	for (const char *const *t = texts; *t; t++) {
		assert_int_equal(parse_n(*t, strlen(*t), 0, &v, &off, &err), TN_EINVALID);
		assert_int_equal(jv_get_kind(v), JV_KIND_INVALID);
		assert_non_null(strstr(err.message, "malformed JSON: "));
	}
}

static void test_depth(void **state)
{
	struct tn_buf b = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	size_t off;
	jv v;

	/* 32 deep is the default limit: accepted; 33 refused at the 33rd bracket */
	for (int i = 0; i < 32; i++)
		tn_buf_addch(&b, '[');
	for (int i = 0; i < 32; i++)
		tn_buf_addch(&b, ']');
	assert_int_equal(parse_n(b.buf, b.len, 0, &v, &off, &err), TN_OK);
	jv_free(v);
	tn_buf_reset(&b);
	for (int i = 0; i < 33; i++)             /* {"k":[{"k":[ ... */
		tn_buf_adds(&b, i % 2 ? "[" : "{\"k\":");
	refused(b.buf, b.len, 16 * 5 + 16 * 1, "nesting too deep");   /* the 33rd opener */
	/* a smaller limit of the caller's own */
	assert_int_equal(parse_n("[[[1]]]", 7, 2, &v, &off, &err), TN_EINVALID);
	assert_int_equal(off, 2);
	assert_int_equal(parse_n("[[1]]", 5, 2, &v, &off, &err), TN_OK);
	jv_free(v);
	/* a megabyte of brackets costs nothing on the stack */
	tn_buf_reset(&b);
	for (int i = 0; i < 1000000; i++)
		tn_buf_addch(&b, '[');
	refused(b.buf, b.len, 32, "nesting too deep");
	tn_buf_release(&b);
}

static void test_escaped_control(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	size_t off;
	jv v;
	const char *t;

	/* "\u0000" would be stored cut short by C code: refused, naming the path */
	t = "{\"form\":{\"name\":\"a\\u0000b\"}}";
	assert_int_equal(parse_n(t, strlen(t), 0, &v, &off, &err), TN_EINVALID);
	assert_string_equal(err.message, ".form.name: a NUL or control character in a string");
	t = "{\"list\":[\"ok\",\"bell\\u0007\"]}";
	assert_int_equal(parse_n(t, strlen(t), 0, &v, &off, &err), TN_EINVALID);
	assert_string_equal(err.message, ".list[1]: a NUL or control character in a string");
	/* in a member name: the path names the member, the culprit shown as '?' */
	t = "{\"a\\u001bb\":1}";
	assert_int_equal(parse_n(t, strlen(t), 0, &v, &off, &err), TN_EINVALID);
	assert_string_equal(err.message, ".a?b: a NUL or control character in a string");
	/* the short escapes of control characters too: form feed, backspace */
	t = "{\"staff\\f_count\":5}";
	assert_int_equal(parse_n(t, strlen(t), 0, &v, &off, &err), TN_EINVALID);
	assert_string_equal(err.message, ".staff?_count: a NUL or control character in a string");
	t = "[\"x\\by\"]";
	assert_int_equal(parse_n(t, strlen(t), 0, &v, &off, &err), TN_EINVALID);
	assert_string_equal(err.message, "[0]: a NUL or control character in a string");
	/* tab, line feed and carriage return escaped are text */
	t = "{\"c\":\"\\t\\n\\r\"}";
	assert_int_equal(parse_n(t, strlen(t), 0, &v, &off, &err), TN_OK);
	jv_free(v);
}

static void test_find_control(void **state)
{
	char path[64];
	jv v = jv_parse("{\"a\":[1,{\"b\":\"x\"}],\"c\":\"y\"}");

	assert_int_equal(tn_json_find_control(v, path, sizeof(path)), 0);
	v = jv_object_set(v, jv_string("d"), jv_string_sized("p\0q", 3));
	assert_int_equal(tn_json_find_control(v, path, sizeof(path)), 1);
	assert_string_equal(path, ".d");
	jv_free(v);
	v = jv_string_sized("\x01", 1);
	assert_int_equal(tn_json_find_control(v, path, sizeof(path)), 1);
	assert_string_equal(path, ".");
	jv_free(v);
}

static void test_numbers(void **state)
{
	accepted("1e308", "1e+308");
	accepted("-0.5", "-0.5");
	/* an identifier longer than a double holds stays a string */
	accepted("{\"id\":\"110101199003070003\"}", "{\"id\":\"110101199003070003\"}");
}

/* tn_json_dump (or tn_json_dump_sorted) writes what jv_dump_string(v, 0 or JV_PRINT_SORTED) writes. */
static void dump_as_jq(jv v, int sorted)
{
	struct tn_buf b = TN_BUF_INIT;
	jv want = jv_dump_string(jv_copy(v), sorted ? JV_PRINT_SORTED : 0);

	if (sorted)
		tn_json_dump_sorted(v, &b);
	else
		tn_json_dump(v, &b);
	if (strcmp(b.buf, jv_string_value(want)) != 0)
		fail_msg("tn_json_dump%s wrote\n%s\njq wrote\n%s", sorted ? "_sorted" : "", b.buf,
			 jv_string_value(want));
	if (!sorted) {
		/* and tn_json_dump_string, the same bytes as a jv string (embedded NULs kept) */
		jv got = tn_json_dump_string(jv_copy(v));

		assert_true(jv_equal(got, jv_copy(want)));
	}
	jv_free(want);
	jv_free(v);
	tn_buf_release(&b);
}

static void same_dump(jv v)
{
	dump_as_jq(v, 0);
}

static void test_dump_like_jq(void **state)
{
	static const double nums[] = {
		0, 1, -1, 7, 42, 100000, 1e6, 123456789, 999999999999999, 1e15 - 1, 1e15, -1e15,
		1e16, 1e17, 123456789012345678.0, 9007199254740992.0, 0.1, 0.5, 1.0 / 3, -2.5,
		1e-5, 1e-4, 0.0001234, 31.2397, 121.4906, 0.15, 1e300, -1e-300, 4.9e-324,
		1.7976931348623157e308, 2.0 / 3 * 1e10, 5e-324 * 3
	};
	char all[128];
	unsigned int seed = 18;

	(void)state;
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		same_dump(jv_number(nums[i]));
		same_dump(jv_number(-nums[i]));
	}
	for (int i = 0; i < 20000; i++) {       /* numbers of every size and shape */
		double d = ((double)rand_r(&seed) / RAND_MAX - 0.5) * pow(10, rand_r(&seed) % 40 - 20);

		same_dump(jv_number(d));
		same_dump(jv_number(floor(d * 1000)));
		same_dump(jv_number(floor(d * 1000) / 1000));  /* few digits, as sensors send */
		same_dump(jv_number((double)rand_r(&seed) / 1000.0 + 0.001 * (rand_r(&seed) % 1000)));
	}
	for (int i = 0; i < 60000; i++) {       /* 1 to 17 digits, 0 to 19 decimals */
		static const double p10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
					      1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19 };
		long long r = 0;
		int digits = 1 + rand_r(&seed) % 17;

		for (int k = 0; k < digits; k++)
			r = r * 10 + rand_r(&seed) % 10;
		same_dump(jv_number((double)r / p10[rand_r(&seed) % 20] * (i % 2 ? -1 : 1)));
	}
	for (int c = 0; c < 128; c++)
		all[c] = (char)c;
	same_dump(jv_string_sized(all, 128));   /* every ASCII byte, NUL and DEL too */
	same_dump(jv_string("黄浦区 中山东一路外滩 \"积水\" 30 cm\t/\\ 😀 \u2028 é"));
	same_dump(jv_string(""));
	/* each byte to escape at each place of a word, among plain and multi-byte text */
	for (int i = 0; i < 20000; i++) {
		static const char *const parts[] = { "a", "积", "\"", "\\", "\n", "\x1f", "\x7f",
						     "\x01", "~", " ", "é", "abcdefgh" };
		char t[24 * 8];
		size_t n = 0;

		for (int k = rand_r(&seed) % 24; k > 0; k--) {
			const char *p = parts[rand_r(&seed) % (sizeof(parts) / sizeof(parts[0]))];

			memcpy(t + n, p, strlen(p));
			n += strlen(p);
		}
		same_dump(jv_string_sized(t, (int)n));
	}
	same_dump(jv_null());
	same_dump(jv_true());
	same_dump(jv_false());
	same_dump(jv_array());
	same_dump(jv_object());
	{
		const char *t = "{\"a\":[1,2.5,{\"b\":null,\"c\":[true,false,[]],\"键\":\"值\"}],"
				"\"z\":{},\"\\u0001k\":\"\\u007f\",\"n\":-0,\"e\":1e-7,"
				"\"big\":12345678901234567890}";
		jv v = jv_parse_sized(t, (int)strlen(t));     /* a literal: jq's parser, control escapes allowed */

		assert_true(jv_is_valid(v));
		same_dump(v);
	}
}

static void test_dump_sorted_like_jq(void **state)
{
	/* keys that sort by bytes, not by characters or length: prefixes, UTF-8, escapes */
	static const char *const texts[] = {
		"{}", "[]", "null", "\"x\"", "-0", "1.5",
		"{\"b\":1,\"a\":2,\"ab\":3,\"\":4,\"B\":5,\"a b\":6,\"aa\":7}",
		"{\"键\":1,\"z\":2,\"é\":3,\"😀\":4,\"\\u007f\":5,\"\\u0001\":6,\"\\\"\":7}",
		"{\"id\":\"1.2.156.3005\",\"kind\":\"11100000000013338W001\",\"holder\":{\"type\":"
		"\"person\",\"id\":\"110101199003070003\",\"name\":\"王芳\"},\"fields\":{\"z\":"
		"[{\"y\":1,\"x\":[3,{\"d\":null,\"c\":true}]}],\"a\":false},\"issued_at\":"
		"\"2026-12-05T08:00:00+08:00\",\"valid_from\":\"2026-12-05\"}",
		"[{\"b\":{\"d\":1,\"c\":2},\"a\":[{\"f\":0.25,\"e\":1e300}]},{}]",
	};
	unsigned int seed = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		jv v = jv_parse(texts[i]);

		assert_true(jv_is_valid(v));
		dump_as_jq(v, 1);
	}
	for (int i = 0; i < 2000; i++) {        /* objects of random keys, nested */
		jv o = jv_object(), inner = jv_object();
		int n = 1 + rand_r(&seed) % 40;

		for (int k = 0; k < n; k++) {
			char key[8];
			int len = 1 + rand_r(&seed) % 6;

			for (int c = 0; c < len; c++)
				key[c] = "aAb_0\xe4\xb8\x80"[rand_r(&seed) % 5];
			key[len] = '\0';
			inner = jv_object_set(inner, jv_string(key), jv_number(k));
			o = jv_object_set(o, jv_string(key), k % 3 ? jv_string(key) : jv_copy(inner));
		}
		jv_free(inner);
		dump_as_jq(o, 1);
	}
}

static void test_no_offset_wanted(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	jv v;

	/* offset and err may be NULL */
	assert_int_equal(tn_json_parse_exact("{}{}", 4, 0, &v, NULL, NULL), TN_EINVALID);
	assert_int_equal(tn_json_parse_exact("{}{}", 4, 0, &v, NULL, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "at offset 2"));
	assert_int_equal(tn_json_parse_exact("{} ", 3, 0, &v, NULL, NULL), TN_OK);
	jv_free(v);
}

/*
 * tn_json_verbatim agrees with the parsers: a text it passes, tn_json_parse_exact
 * and jq's own parser both read as one object whose dump (tn_json_dump, and
 * jv_dump_string) is the very bytes it pointed at.  Returns what it said.
 */
static int verbatim_agrees(const char *t, size_t len)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf b = TN_BUF_INIT;
	size_t from = 0, to = 0;
	int ok = tn_json_verbatim(t, len, &from, &to);
	jv v, q, d;

	if (!ok)
		return 0;
	if (tn_json_parse_exact(t, len, 0, &v, NULL, &err) != TN_OK)
		fail_msg("verbatim passed '%.*s', tn_json_parse_exact refused it: %s", (int)len, t,
			 err.message);
	assert_int_equal(jv_get_kind(v), JV_KIND_OBJECT);
	assert_true(from < to && to <= len);
	tn_json_dump(v, &b);
	if (b.len != to - from || memcmp(b.buf, t + from, b.len) != 0)
		fail_msg("verbatim passed '%.*s', its dump is '%.*s'", (int)len, t, (int)b.len, b.buf);
	q = jv_parse_sized(t, (int)len);
	assert_true(jv_is_valid(q));
	d = jv_dump_string(q, 0);
	assert_int_equal((size_t)jv_string_length_bytes(jv_copy(d)), to - from);
	assert_memory_equal(jv_string_value(d), t + from, to - from);
	jv_free(d);
	jv_free(v);
	tn_buf_release(&b);
	return 1;
}

static void passes(const char *t)
{
	if (!verbatim_agrees(t, strlen(t)))
		fail_msg("tn_json_verbatim refused '%s'", t);
}

static void refuses(const char *t, size_t len)
{
	if (verbatim_agrees(t, len))
		fail_msg("tn_json_verbatim passed '%.*s'", (int)len, t);
}
#define REFUSES(lit) refuses(lit, sizeof(lit) - 1)

/* A reply as the server writes one: tn_json_dump of a case-like object. */
static void server_reply(struct tn_buf *b, unsigned int *seed)
{
	jv v = jv_object();
	char k[16];

	v = jv_object_set(v, jv_string("id"), jv_string("C-310000-20261204-000123"));
	v = jv_object_set(v, jv_string("status"), jv_string("submitted"));
	v = jv_object_set(v, jv_string("version"), jv_number(rand_r(seed) % 100000));
	v = jv_object_set(v, jv_string("amount"), jv_number((rand_r(seed) % 100000) / 100.0));
	v = jv_object_set(v, jv_string("ratio"), jv_number((double)rand_r(seed) / 7e12));
	v = jv_object_set(v, jv_string("big"), jv_number(pow(10, rand_r(seed) % 30) * 1.5));
	v = jv_object_set(v, jv_string("neg"), jv_number(-(double)rand_r(seed)));
	v = jv_object_set(v, jv_string("applicant"),
			  jv_object_set(jv_object_set(jv_object(), jv_string("name"),
						      jv_string("张三 \"小三\"\\ 😀\t\r\n é")),
					jv_string("id"), jv_string("110101199003070003")));
	v = jv_object_set(v, jv_string("materials"),
			  jv_array_append(jv_array_append(jv_array(), jv_null()),
					  jv_array_append(jv_array(), jv_true())));
	snprintf(k, sizeof(k), "k%d", rand_r(seed) % 1000);
	v = jv_object_set(v, jv_string(k), jv_false());
	tn_json_dump(v, b);
	jv_free(v);
}

static void test_verbatim(void **state)
{
	struct tn_buf b = TN_BUF_INIT, deep = TN_BUF_INIT;
	unsigned int seed = 1812;

	(void)state;
	passes("{}");
	passes(" \t\r\n{\"a\":1}\n");
	passes("{\"a\":[],\"b\":{},\"c\":[1,-2,0,true,false,null,\"\"],\"d\":{\"e\":{\"f\":[[]]}}}");
	passes("{\"s\":\"\\\"\\\\\\t\\n\\r/ 黄浦区 😀 \xef\xbf\xbf\"}");
	passes("{\"n\":999999999999999,\"m\":-99999999999999,\"x\":0.5,\"y\":31.2397,\"z\":1e-07}");
	passes("{\"a\":1,\"A\":2,\"a \":3}");
	/* not one object */
	REFUSES("");
	REFUSES("   ");
	REFUSES("[]");
	REFUSES("\"s\"");
	REFUSES("1");
	REFUSES("null");
	REFUSES("{}{}");
	REFUSES("{} {}");
	REFUSES("{}x");
	REFUSES("{},");
	REFUSES("{\"a\":1}\x1e");
	/* white space inside, escapes and numbers jq writes otherwise */
	REFUSES("{ }");
	REFUSES("{\"a\": 1}");
	REFUSES("{\"a\":[1, 2]}");
	REFUSES("{\"a\":\"\\u0041\"}");
	REFUSES("{\"a\":\"\\/\"}");
	REFUSES("{\"a\":\"\\b\"}");
	REFUSES("{\"a\":\"\\u0000\"}");
	REFUSES("{\"a\":\"\x7f\"}");
	REFUSES("{\"a\":1.50}");
	REFUSES("{\"a\":1.0}");
	REFUSES("{\"a\":1E5}");
	REFUSES("{\"a\":1e999}");
	REFUSES("{\"a\":1234567890123456789}");
	REFUSES("{\"a\":01}");
	REFUSES("{\"a\":-}");
	REFUSES("{\"a\":.5}");
	REFUSES("{\"a\":tru}");
	REFUSES("{\"a\":nul}");
	/* a member name twice: jq keeps one */
	REFUSES("{\"a\":1,\"a\":2}");
	REFUSES("{\"x\":{\"a\":1,\"b\":2,\"a\":2}}");
	/* bad UTF-8, NUL, control characters */
	REFUSES("{\"a\":\"\xc3\x28\"}");
	REFUSES("{\"a\":\"\xc0\xaf\"}");
	REFUSES("{\"a\":\"\xe0\x80\xaf\"}");
	REFUSES("{\"a\":\"\xed\xa0\x80\"}");
	REFUSES("{\"a\":\"\xf4\x90\x80\x80\"}");
	REFUSES("{\"a\":\"\xf8\x88\x80\x80\x80\"}");
	REFUSES("{\"a\":\"\xe4\xb8\"}");
	REFUSES("{\"a\":\"\xff\"}");
	REFUSES("{\"a\":\"x\0y\"}");
	REFUSES("{\"a\":1}\0");
	REFUSES("\0{\"a\":1}");
	REFUSES("{\"a\":\"line\nend\"}");
	REFUSES("{\"a\":\"tab\there\"}");
	/* nesting: TN_JSON_MAX_DEPTH levels pass, one more does not */
	for (int i = 0; i < TN_JSON_MAX_DEPTH; i++)
		tn_buf_adds(&deep, i ? "[" : "{\"a\":");
	for (int i = 0; i < TN_JSON_MAX_DEPTH; i++)
		tn_buf_adds(&deep, i < TN_JSON_MAX_DEPTH - 1 ? "]" : "}");
	passes(deep.buf);
	tn_buf_reset(&deep);
	for (int i = 0; i <= TN_JSON_MAX_DEPTH; i++)
		tn_buf_adds(&deep, i ? "[" : "{\"a\":");
	for (int i = 0; i <= TN_JSON_MAX_DEPTH; i++)
		tn_buf_adds(&deep, i < TN_JSON_MAX_DEPTH ? "]" : "}");
	refuses(deep.buf, deep.len);
	/* 64 members pass, 65 are parsed instead */
	tn_buf_reset(&deep);
	for (int i = 0; i < 65; i++) {
		tn_buf_addf(&deep, "%s\"m%d\":%d", i ? "," : "{", i, i);
		if (i == 63) {
			tn_buf_addch(&deep, '}');
			passes(deep.buf);
			deep.buf[--deep.len] = '\0';
		}
	}
	tn_buf_addch(&deep, '}');
	refuses(deep.buf, deep.len);
	/* replies as the server writes them pass; cut short, or with one byte changed, they agree */
	for (int i = 0; i < 2000; i++) {
		tn_buf_reset(&b);
		server_reply(&b, &seed);
		passes(b.buf);
		for (size_t n = 0; n < b.len; n += 1 + (size_t)(rand_r(&seed) % 7))
			refuses(b.buf, n);
		for (int k = 0; k < 20; k++) {
			size_t at = (size_t)rand_r(&seed) % b.len;
			char was = b.buf[at];

			b.buf[at] = (char)(rand_r(&seed) % 256);
			verbatim_agrees(b.buf, b.len);
			b.buf[at] = was;
		}
	}
	tn_buf_release(&b);
	tn_buf_release(&deep);
}

/* what tn_json_parse_exact built equals what jq's parser makes of `t`, dumped byte for byte */
static void same_as_jq(const char *t, size_t len)
{
	struct tn_err err = TN_ERR_INIT;
	jv v, want, a, b;

	if (tn_json_parse_exact(t, len, 0, &v, NULL, &err) != TN_OK)
		fail_msg("refused %.*s: %s", (int)len, t, err.message);
	want = jv_parse_sized(t, (int)len);
	assert_true(jv_is_valid(want));
	a = jv_dump_string(jv_copy(v), 0);
	b = jv_dump_string(jv_copy(want), 0);
	if (strcmp(jv_string_value(a), jv_string_value(b)) != 0 || !jv_equal(v, want))
		fail_msg("%.*s\nbuilt  %s\njq made %s", (int)len, t, jv_string_value(a),
			 jv_string_value(b));
	jv_free(a);
	jv_free(b);
}

/* A random number as a client may write it: signs, zeros, fractions, exponents, many digits. */
static void random_number(struct tn_buf *b, unsigned int *seed)
{
	int n = 1 + rand_r(seed) % 22;

	if (rand_r(seed) % 3 == 0)
		tn_buf_addch(b, '-');
	if (rand_r(seed) % 5 == 0) {
		tn_buf_addch(b, '0');
	} else {
		tn_buf_addch(b, (char)('1' + rand_r(seed) % 9));
		for (int i = 1; i < n; i++)
			tn_buf_addch(b, (char)('0' + rand_r(seed) % 10));
	}
	if (rand_r(seed) % 2) {
		tn_buf_addch(b, '.');
		n = 1 + rand_r(seed) % 26;
		for (int i = 0; i < n; i++)
			tn_buf_addch(b, (char)('0' + (rand_r(seed) % 4 ? rand_r(seed) % 10 : 0)));
	}
	if (rand_r(seed) % 4 == 0)
		tn_buf_addf(b, "%c%s%d", rand_r(seed) % 2 ? 'e' : 'E',
			    rand_r(seed) % 2 ? "-" : rand_r(seed) % 2 ? "+" : "", rand_r(seed) % 280);
}

/* A random well-formed value, `depth` levels at most. */
static void random_value(struct tn_buf *b, unsigned int *seed, int depth)
{
	static const char *const strs[] = {
		"", "a", "积水", "\\u4e2d\\u6587", "\\ud83d\\ude00", "q\\\"uote\\\\", "\\/\\t\\n\\r",
		"tab\\tend", "\xf0\x9f\x98\x80 emoji", "\\u00e9\\u0041", "k",
	};
	int kind = rand_r(seed) % (depth > 0 ? 8 : 6), n;

	switch (kind) {
	case 0: tn_buf_adds(b, "null"); break;
	case 1: tn_buf_adds(b, rand_r(seed) % 2 ? "true" : "false"); break;
	case 2: case 3: random_number(b, seed); break;
	case 4: case 5:
		tn_buf_addf(b, "\"%s\"", strs[rand_r(seed) % (sizeof(strs) / sizeof(strs[0]))]);
		break;
	case 6:
		n = rand_r(seed) % 5;
		tn_buf_addch(b, '[');
		for (int i = 0; i < n; i++) {
			tn_buf_adds(b, i ? (rand_r(seed) % 3 ? "," : " ,\n ") : " ");
			random_value(b, seed, depth - 1);
		}
		tn_buf_addch(b, ']');
		break;
	default:        /* names repeat: the last value wins, in the first one's place */
		n = rand_r(seed) % 6;
		tn_buf_addch(b, '{');
		for (int i = 0; i < n; i++) {
			tn_buf_addf(b, "%s\"%s\"%s:", i ? "," : "",
				    strs[rand_r(seed) % (sizeof(strs) / sizeof(strs[0]))],
				    rand_r(seed) % 3 ? "" : " ");
			random_value(b, seed, depth - 1);
		}
		tn_buf_addch(b, '}');
	}
}

static void test_built_like_jq(void **state)
{
	static const char *const texts[] = {
		"0", "-0", "-0.0", "1", " 12 ", "3.14", "1e5", "1E-5", "-1.5e+3", "0.1", "31.2397",
		"121.4906", "123456789012345", "1234567890123456", "12345678901234567890",
		"0.000000000000000000000001", "9007199254740993", "2.2250738585072011e-308",
		"4.9e-324", "1e-400", "1.7976931348623157e308", "0.30000000000000004",
		"\"\"", "\"\\u0041\\u00e9\\u4e2d\\ud83d\\ude00\"", "\"a\\\\b\\\"c\\/d\"",
		"[]", "{}", "[1,[2,[3]]]", "{\"a\":1,\"b\":2,\"a\":3}", " {\"k\" : [ true , false , null ] } ",
	};
	struct tn_buf b = TN_BUF_INIT;
	unsigned int seed = 1812;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		same_as_jq(texts[i], strlen(texts[i]));
	for (int i = 0; i < 20000; i++) {
		tn_buf_reset(&b);
		random_value(&b, &seed, 4);
		same_as_jq(b.buf, b.len);
	}
	for (int i = 0; i < 20000; i++) {       /* numbers alone: nothing stops the digits */
		tn_buf_reset(&b);
		random_number(&b, &seed);
		same_as_jq(b.buf, b.len);
	}
	tn_buf_release(&b);
}

/*
 * Objects of eight members or more are filled from a copy of the same
 * shape's empty object (tn_jv_object_of): shapes met again, names repeated,
 * long names, more members than a shape holds, and an object changed after
 * the parse, all as jq makes them.
 */
static void test_shapes_like_jq(void **state)
{
	static const int sizes[] = { 7, 8, 9, 20, 37, 63, 64, 65, 100 };
	struct tn_buf b = TN_BUF_INIT;
	unsigned int seed = 2026;

	(void)state;
	for (int round = 0; round < 400; round++) {
		int n = sizes[rand_r(&seed) % (sizeof(sizes) / sizeof(sizes[0]))];
		int names = rand_r(&seed) % 2 ? n : 6;  /* 6: names repeat */
		int shape = rand_r(&seed) % 3;
		struct tn_err err = TN_ERR_INIT;
		jv v;

		tn_buf_reset(&b);
		tn_buf_addch(&b, '{');
		for (int i = 0; i < n; i++) {
			int k = (i * (shape + 1)) % names;

			if (k == 3 && shape == 2)       /* longer than a kept name */
				tn_buf_addf(&b, "%s\"%060d\":", i ? "," : "", k);
			else
				tn_buf_addf(&b, "%s\"m%d\":", i ? "," : "", k);
			random_value(&b, &seed, 2);
		}
		tn_buf_addch(&b, '}');
		same_as_jq(b.buf, b.len);
		same_as_jq(b.buf, b.len);
		/* a change to one parsed object is not in the next */
		assert_int_equal(tn_json_parse_exact(b.buf, b.len, 0, &v, NULL, &err), TN_OK);
		v = jv_object_set(v, jv_string("m0"), jv_string("changed"));
		v = jv_object_set(v, jv_string("added"), jv_true());
		same_as_jq(b.buf, b.len);
		jv_free(v);
	}
	tn_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_value),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_grammar),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_escaped_control),
		cmocka_unit_test(test_find_control),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_no_offset_wanted),
		cmocka_unit_test(test_dump_like_jq),
		cmocka_unit_test(test_dump_sorted_like_jq),
		cmocka_unit_test(test_verbatim),
		cmocka_unit_test(test_built_like_jq),
		cmocka_unit_test(test_shapes_like_jq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
