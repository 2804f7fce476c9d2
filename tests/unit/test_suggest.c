/* test_suggest.c — tn_suggest: edit distance and the closest word within a third of its length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tn_suggest.h"

static void distance(void **state)
{
	(void)state;
	assert_int_equal(tn_suggest_distance("", ""), 0);
	assert_int_equal(tn_suggest_distance("abc", ""), 3);
	assert_int_equal(tn_suggest_distance("kitten", "sitting"), 3);
	assert_int_equal(tn_suggest_distance("--fromat", "--format"), 1);
	assert_int_equal(tn_suggest_distance("ITEMS", "items"), 0);
	/* characters, not bytes */
	assert_int_equal(tn_suggest_distance("市场监管局", "市场监督局"), 1);
}

static void closest(void **state)
{
	static const char *const items[] = {
		"310000-YB-001", "310000-YB-002", "310000-SC-001", NULL, "310000-WS-010",
	};
	static const char *const opts[] = { "format", "jq", "department", "online" };

	(void)state;
	assert_string_equal(tn_suggest("310000-YB-01", items, 5), "310000-YB-001");
	assert_string_equal(tn_suggest("310000-SC-011", items, 5), "310000-SC-001");
	assert_string_equal(tn_suggest("310000-ws-010", items, 5), "310000-WS-010");
	assert_null(tn_suggest("999999-ZZ-999", items, 5));
	assert_string_equal(tn_suggest("fromat", opts, 4), "format");
	assert_string_equal(tn_suggest("departmnet", opts, 4), "department");
	assert_string_equal(tn_suggest("jj", opts, 4), "jq");
	assert_null(tn_suggest("x", opts, 4));
	assert_null(tn_suggest("", opts, 4));
	assert_null(tn_suggest("format", opts, 0));
	assert_null(tn_suggest("format", NULL, 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(distance),
		cmocka_unit_test(closest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
