/* test_srv_jvutil.c — twonetd's small helpers: jv members, word lists, control characters, times (the lib's text and today helpers have their own tests). */
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

static void test_unknown_member(void **state)
{
	static const char *const allowed[] = { "item", "applicant", "fields", NULL };
	jv o = parse("{\"item\":\"x\",\"fields\":{},\"phon\":1,\"zz\":2}");
	char *u;

	(void)state;
	u = tn_jv_unknown_member(o, allowed);
	assert_non_null(u);
	assert_true(!strcmp(u, "phon") || !strcmp(u, "zz"));
	free(u);
	jv_free(o);

	o = parse("{\"item\":\"x\",\"applicant\":{}}");
	assert_null(tn_jv_unknown_member(o, allowed));
	jv_free(o);
	o = parse("\"not an object\"");
	assert_null(tn_jv_unknown_member(o, allowed));
	jv_free(o);
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

static void test_if_match_version(void **state)
{
	(void)state;
	assert_int_equal(if_match_version("3"), 3);
	assert_int_equal(if_match_version("\"57\""), 57);
	assert_int_equal(if_match_version(" W/\"57\" "), 57);
	assert_int_equal(if_match_version("9007199254740991"), 9007199254740991LL);
	assert_int_equal(if_match_version("9007199254740992"), -1);
	assert_int_equal(if_match_version("0"), -1);
	assert_int_equal(if_match_version("+3"), -1);
	assert_int_equal(if_match_version("-3"), -1);
	assert_int_equal(if_match_version("\"\""), -1);
	assert_int_equal(if_match_version("3a"), -1);
	assert_int_equal(if_match_version("*"), -1);
	assert_int_equal(if_match_version(""), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_word_in),
		cmocka_unit_test(test_has_control),
		cmocka_unit_test(test_unknown_member),
		cmocka_unit_test(test_time_rfc3339),
		cmocka_unit_test(test_if_match_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
