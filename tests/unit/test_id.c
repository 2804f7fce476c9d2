/* test_id.c — resident ID numbers and unified social credit codes against published and computed vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tn_cal.h"
#include "tn_id.h"

/* Expect `id` refused with a message containing `needle`. */
static void bad_resident(const char *id, const char *needle)
{
	struct tn_err err = TN_ERR_INIT;

	if (tn_id_check_resident(id, &err) != TN_EINVALID || !strstr(err.message, needle)) {
		print_error("id '%s': code %d message '%s', wanted '%s'\n", id ? id : "(null)",
			    err.code, err.message, needle);
		fail();
	}
}

static void good_resident(const char *id)
{
	struct tn_err err = TN_ERR_INIT;

	if (tn_id_check_resident(id, &err) != TN_OK) {
		print_error("id '%s': %s\n", id, err.message);
		fail();
	}
}

static void test_resident_valid(void **state)
{
	good_resident("11010519491231002X");   /* the GB 11643-1999 example */
	good_resident("440308199901011234");
	good_resident("11010519000101001X");   /* 1900 is the first year allowed */
	good_resident("110105202402290011");   /* 2024 was a leap year */
	good_resident("440308199003073011");
	good_resident("310115198506124529");
}

static void test_resident_check_char(void **state)
{
	struct tn_err err = TN_ERR_INIT;

	assert_int_equal(tn_id_check_resident("110105194912310021", &err), TN_EINVALID);
	assert_string_equal(err.message,
			    "resident ID number '110105194912310021': check character is '1', expected 'X'");
	bad_resident("440308199901011233", "expected '4'");
	bad_resident("11010519491231002x", "upper case 'X'");
}

static void test_resident_dates(void **state)
{
	bad_resident("110105202502300010", "not a real date");   /* Feb 30 */
	bad_resident("110105202302290014", "not a real date");   /* 2023 not a leap year */
	bad_resident("110105189912310015", "not a real date");   /* before 1900 */
	bad_resident("110105209912310010", "in the future");
}

static void test_resident_shape(void **state)
{
	bad_resident("11010519491231002", "has 17 characters");
	bad_resident("11010519491231002XX", "has 19 characters");
	bad_resident("", "has 0 characters");
	bad_resident(NULL, "missing");
	bad_resident("1101051949123100AX", "character 17 is 'A'");
	bad_resident("11010519491231002Y", "character 18 is 'Y'");
	bad_resident("000000199001010018", "region code '000000'");
	bad_resident("990105199001010014", "region code '990105'");
}

static void test_uscc_valid(void **state)
{
	/* Published codes of registered enterprises; the check characters agree. */
	static const char *codes[] = {
		"91350100M000100Y43", "91110000600037341L", "91110108551385082Q",
		"91440300708461136T", "914403001922038216", "91110000802100433B",
	};
	struct tn_err err = TN_ERR_INIT;
	char msg[256];
	int warning;

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		warning = -1;
		if (tn_id_check_uscc(codes[i], &warning, msg, &err) != TN_OK) {
			print_error("code '%s': %s\n", codes[i], err.message);
			fail();
		}
		assert_int_equal(warning, 0);
		assert_string_equal(msg, "");
	}
	assert_int_equal(tn_id_check_uscc("91350100M000100Y43", NULL, NULL, NULL), TN_OK);
}

static void bad_uscc(const char *code, const char *needle)
{
	struct tn_err err = TN_ERR_INIT;

	if (tn_id_check_uscc(code, NULL, NULL, &err) != TN_EINVALID || !strstr(err.message, needle)) {
		print_error("code '%s': code %d message '%s', wanted '%s'\n", code ? code : "(null)",
			    err.code, err.message, needle);
		fail();
	}
}

static void test_uscc_invalid(void **state)
{
	struct tn_err err = TN_ERR_INIT;

	assert_int_equal(tn_id_check_uscc("91350100M000100Y44", NULL, NULL, &err), TN_EINVALID);
	assert_string_equal(err.message,
			    "unified social credit code '91350100M000100Y44': check character is '4', expected '3'");
	bad_uscc("91110000600037341K", "expected 'L'");
	/* letters outside the alphabet: I O Z S V */
	bad_uscc("91350100I000100Y43", "character 9 is 'I'");
	bad_uscc("91350100O000100Y43", "character 9 is 'O'");
	bad_uscc("91350100Z000100Y43", "not in the code alphabet");
	bad_uscc("91350100S000100Y43", "not in the code alphabet");
	bad_uscc("91350100V000100Y43", "not in the code alphabet");
	bad_uscc("91350100m000100y43", "upper case");
	bad_uscc("9135010 M000100Y43", "character 8 is ' '");
	bad_uscc("91350100M000100Y4", "has 17 characters");
	bad_uscc(NULL, "missing");
	bad_uscc("B1350100M000100Y41", "registration authority 'B'");
	bad_uscc("90350100M000100Y46", "organisation type '0'");
}

static void test_uscc_org_warning(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	char msg[256] = "x";
	int warning = 0;

	/* position 18 right, position 17 (GB 11714 check) wrong: accepted with a warning */
	assert_int_equal(tn_id_check_uscc("91350100M000100Y56", &warning, msg, &err), TN_OK);
	assert_int_equal(warning, 1);
	assert_non_null(strstr(msg, "organisation code check character is '5', expected '4'"));
	assert_int_equal(tn_id_check_uscc("91350100M000100Y56", NULL, NULL, &err), TN_OK);
}

static void test_holder(void **state)
{
	struct tn_err err = TN_ERR_INIT;

	assert_int_equal(tn_id_check_holder("11010519491231002X", &err), TN_OK);
	assert_int_equal(tn_id_check_holder("91350100M000100Y43", &err), TN_OK);
	/* an all-digit credit code is not mistaken for a bad ID number */
	assert_int_equal(tn_id_check_holder("914403001922038216", &err), TN_OK);
	assert_int_equal(tn_id_check_holder("110105194912310021", &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "resident ID number"));
	assert_int_equal(tn_id_check_holder("91350100M000100Y44", &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "unified social credit code"));
	assert_int_equal(tn_id_check_holder("123", &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "has 3 characters"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resident_valid),
		cmocka_unit_test(test_resident_check_char),
		cmocka_unit_test(test_resident_dates),
		cmocka_unit_test(test_resident_shape),
		cmocka_unit_test(test_uscc_valid),
		cmocka_unit_test(test_uscc_invalid),
		cmocka_unit_test(test_uscc_org_warning),
		cmocka_unit_test(test_holder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
