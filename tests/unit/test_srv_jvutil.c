/* test_srv_jvutil.c — twonetd's small helpers: jv members, word lists, UTF-8, control characters, dates, SHA-256. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "tn_cal.h"
#include "twonetd.h"
#include "jvutil.h"

static jv parse(const char *text)
{
	jv v = jv_parse(text);

	assert_true(jv_is_valid(v));
	return v;
}

static void test_member_str(void **state)
{
	jv o = parse("{\"name\":\"张三\",\"n\":1,\"z\":null}");
	jv hold;
	const char *s;

	(void)state;
	s = member_str(o, "name", &hold);
	assert_non_null(s);
	assert_string_equal(s, "张三");
	jv_free(hold);
	assert_null(member_str(o, "n", &hold));         /* not a string */
	jv_free(hold);
	assert_null(member_str(o, "z", &hold));         /* null */
	jv_free(hold);
	assert_null(member_str(o, "missing", &hold));
	jv_free(hold);
	jv_free(o);

	/* a value that is not an object has no members (and does not assert) */
	o = parse("[1,2]");
	assert_null(member_str(o, "name", &hold));
	jv_free(hold);
	jv_free(o);
	assert_null(member_str(jv_null(), "name", &hold));
	jv_free(hold);
}

static void test_member_str_outlives_object(void **state)
{
	jv o = parse("{\"k\":\"value\"}");
	jv hold;
	const char *s = member_str(o, "k", &hold);

	(void)state;
	jv_free(o);                     /* the pointer lives as long as hold */
	assert_string_equal(s, "value");
	jv_free(hold);
}

static void test_member_true_has_is(void **state)
{
	jv o = parse("{\"t\":true,\"f\":false,\"one\":1,\"s\":\"true\",\"z\":null,\"status\":\"accepted\"}");

	(void)state;
	assert_int_equal(member_true(o, "t"), 1);
	assert_int_equal(member_true(o, "f"), 0);
	assert_int_equal(member_true(o, "one"), 0);
	assert_int_equal(member_true(o, "s"), 0);
	assert_int_equal(member_true(o, "missing"), 0);

	assert_int_equal(has_member(o, "z"), 1);        /* null counts */
	assert_int_equal(has_member(o, "f"), 1);
	assert_int_equal(has_member(o, "missing"), 0);
	assert_int_equal(has_member(jv_null(), "z"), 0);

	assert_int_equal(member_is(o, "status", "accepted"), 1);
	assert_int_equal(member_is(o, "status", "Accepted"), 0);
	assert_int_equal(member_is(o, "one", "1"), 0);
	assert_int_equal(member_is(o, "z", NULL), 1);   /* NULL: the member is null */
	assert_int_equal(member_is(o, "missing", NULL), 0);
	assert_int_equal(member_is(o, "status", NULL), 0);
	jv_free(o);
}

static void test_word_in(void **state)
{
	(void)state;
	assert_int_equal(word_in("clerk|admin|operator", "clerk"), 1);
	assert_int_equal(word_in("clerk|admin|operator", "admin"), 1);
	assert_int_equal(word_in("clerk|admin|operator", "operator"), 1);
	assert_int_equal(word_in("clerk|admin|operator", "oper"), 0);     /* whole words only */
	assert_int_equal(word_in("clerk|admin|operator", "clerk|admin"), 0);
	assert_int_equal(word_in("clerk|admin|operator", "dmin"), 0);
	assert_int_equal(word_in("clerk", "clerk"), 1);
	assert_int_equal(word_in("", "clerk"), 0);
	assert_int_equal(word_in("a||b", ""), 1);      /* an empty word between two bars */
}

static void test_utf8_chars(void **state)
{
	(void)state;
	assert_int_equal(utf8_chars(""), 0);
	assert_int_equal(utf8_chars("abc"), 3);
	assert_int_equal(utf8_chars("张三"), 2);
	assert_int_equal(utf8_chars("上海市 Pudong"), 10);
	assert_int_equal(utf8_chars("\xf0\x9f\x8c\x8a"), 1);   /* U+1F30A, four bytes */
}

static void test_utf8_valid(void **state)
{
	const char *s;

	(void)state;
	assert_int_equal(utf8_valid("", 0), 1);
	s = "张三 abc";
	assert_int_equal(utf8_valid(s, strlen(s)), 1);
	s = "\xf0\x9f\x8c\x8a";
	assert_int_equal(utf8_valid(s, strlen(s)), 1);
	assert_int_equal(utf8_valid("\xe5\xbc", 2), 0);             /* cut short */
	assert_int_equal(utf8_valid("\xc0\xaf", 2), 0);             /* overlong '/' */
	assert_int_equal(utf8_valid("\xed\xa0\x80", 3), 0);         /* a surrogate */
	assert_int_equal(utf8_valid("\xf4\x90\x80\x80", 4), 0);     /* beyond U+10FFFF */
	assert_int_equal(utf8_valid("\x80", 1), 0);                 /* a lone continuation byte */
	assert_int_equal(utf8_valid("\xff", 1), 0);
	/* the length counts, not the NUL: a prefix of a good string is checked alone */
	s = "张";
	assert_int_equal(utf8_valid(s, 2), 0);
	assert_int_equal(utf8_valid(s, 3), 1);
}

static void test_has_control(void **state)
{
	(void)state;
	assert_int_equal(has_control(""), 0);
	assert_int_equal(has_control("张三 plain text"), 0);
	assert_int_equal(has_control("tab\there"), 1);
	assert_int_equal(has_control("line\n"), 1);
	assert_int_equal(has_control("\x1f"), 1);
	assert_int_equal(has_control("del\x7f"), 1);
}

static void test_sha256_hex(void **state)
{
	char hex[65];

	(void)state;
	sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_unknown_member(void **state)
{
	static const char *const allowed[] = { "item", "applicant", "fields", NULL };
	jv o = parse("{\"item\":\"x\",\"fields\":{},\"phon\":1,\"zz\":2}");
	char *u;

	(void)state;
	u = unknown_member(o, allowed);
	assert_non_null(u);
	assert_true(!strcmp(u, "phon") || !strcmp(u, "zz"));
	free(u);
	jv_free(o);

	o = parse("{\"item\":\"x\",\"applicant\":{}}");
	assert_null(unknown_member(o, allowed));
	jv_free(o);
	o = parse("\"not an object\"");
	assert_null(unknown_member(o, allowed));
	jv_free(o);
}

static void test_srv_today(void **state)
{
	long d, want;

	(void)state;
	/* the test override of today (the server reads TWONETD_TEST_TODAY today;
	 * TWONET_TODAY is the one name issue 12 keeps) */
	setenv("TWONETD_TEST_TODAY", "2026-12-31", 1);
	setenv("TWONET_TODAY", "2026-12-31", 1);
	assert_int_equal(tn_date_parse("2026-12-31", &want), 0);
	assert_int_equal(srv_today(), want);
	unsetenv("TWONETD_TEST_TODAY");
	unsetenv("TWONET_TODAY");
	d = srv_today();
	assert_int_equal(d, tn_date_today());
}

static void test_date_china_today(void **state)
{
	char buf[16], again[16];
	long d;

	(void)state;
	date_china_today(buf, sizeof(buf));
	assert_int_equal(strlen(buf), 10);
	assert_int_equal(tn_date_parse(buf, &d), 0);
	date_china_today(again, sizeof(again));
	/* both calls agree, unless midnight in China came between them */
	if (strcmp(buf, again) != 0) {
		long d2;
		assert_int_equal(tn_date_parse(again, &d2), 0);
		assert_int_equal(d2, d + 1);
	}
}

static void test_time_rfc3339(void **state)
{
	char buf[40];
	const char *tz = getenv("TZ");
	char *saved = tz ? strdup(tz) : NULL;

	(void)state;
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	time_rfc3339(1795831200LL, buf, sizeof(buf));  /* 2026-11-28T02:00:00Z */
	assert_string_equal(buf, "2026-11-28T10:00:00+08:00");
	time_rfc3339(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T08:00:00+08:00");

	setenv("TZ", "UTC", 1);
	tzset();
	time_rfc3339(1795831200LL, buf, sizeof(buf));
	assert_true(!strcmp(buf, "2026-11-28T02:00:00+00:00") || !strcmp(buf, "2026-11-28T02:00:00Z"));

	time_now_rfc3339(buf, sizeof(buf));
	assert_int_equal(strlen(buf) >= 20, 1);
	assert_int_equal(buf[4], '-');
	assert_int_equal(buf[10], 'T');

	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_member_str),
		cmocka_unit_test(test_member_str_outlives_object),
		cmocka_unit_test(test_member_true_has_is),
		cmocka_unit_test(test_word_in),
		cmocka_unit_test(test_utf8_chars),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_has_control),
		cmocka_unit_test(test_sha256_hex),
		cmocka_unit_test(test_unknown_member),
		cmocka_unit_test(test_srv_today),
		cmocka_unit_test(test_date_china_today),
		cmocka_unit_test(test_time_rfc3339),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
