/* test_alertkind.c — the catalog of alert kinds (kinds.yaml) and Shanghai's divisions (shanghai.tsv): look-ups, severities, broken files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tn_alertkind.h"
#include "tn_buf.h"
#include "tn_division.h"

static char sharedir[4096];

static int setup(void **state)
{
	const char *src = getenv("TWONET_SRC");

	snprintf(sharedir, sizeof(sharedir), "%s/share/twonet", src ? src : ".");
	setenv("TWONET_SHAREDIR", sharedir, 1);
	return 0;
}

/* Write `text` to a temporary file; its path in `path`. */
static void write_tmp(char *path, size_t size, const char *text)
{
	FILE *fp;
	int fd;

	snprintf(path, size, "/tmp/test_alertkind.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_shipped(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	const struct tn_alertkinds *k = tn_alertkinds_default(&err);
	const struct tn_alertkind *a;
	static const char *const needed[] = {
		"water_depth", "pump_fault", "waterlogging", "rainstorm", "crowd_density",
		"lift_fault", "falling_object", "rail_incident", "residential", "other", NULL
	};

	assert_non_null(k);
	for (const char *const *n = needed; *n; n++)
		assert_non_null(tn_alertkind_get(k, *n));
	a = tn_alertkind_get(k, "waterlogging");
	assert_string_equal(a->name, "道路积水");
	assert_string_equal(a->category, "Met");
	assert_string_equal(a->department, "SHSW");
	assert_non_null(a->department_name);
	assert_ptr_equal(tn_alertkind_by_text(k, "道路积水"), a);
	assert_ptr_equal(tn_alertkind_by_text(k, " 积水 "), a);
	assert_ptr_equal(tn_alertkind_by_text(k, "暴雨积水"), a);     /* a synonym, not 暴雨 */
	assert_string_equal(tn_alertkind_by_text(k, "暴雨")->code, "rainstorm");
	assert_string_equal(tn_alertkind_by_text(k, "暴雨橙色预警")->code, "rainstorm");
	assert_string_equal(tn_alertkind_by_text(k, "大客流")->code, "crowd_density");
	assert_string_equal(tn_alertkind_by_text(k, "外滩大客流预警")->code, "crowd_density");
	assert_string_equal(tn_alertkind_by_text(k, "电梯困人")->code, "lift_fault");
	assert_null(tn_alertkind_by_text(k, "井盖缺失"));
	assert_null(tn_alertkind_by_text(k, "  "));
	assert_string_equal(tn_alertkind_by_event_code(k, "11B03")->code, "rainstorm");
	assert_string_equal(tn_alertkind_by_event_code(k, "WATERLOGGING")->code, "waterlogging");
	assert_null(tn_alertkind_by_event_code(k, "nope"));
	assert_null(tn_alertkind_get(k, "nope"));
	/* default severities: value rules first, then the default */
	a = tn_alertkind_get(k, "water_depth");
	assert_int_equal(tn_alertkind_severity(a, 1, 0.6), TN_SEV_RED);
	assert_int_equal(tn_alertkind_severity(a, 1, 0.32), TN_SEV_ORANGE);
	assert_int_equal(tn_alertkind_severity(a, 1, 0.3), TN_SEV_YELLOW);  /* above: strictly */
	assert_int_equal(tn_alertkind_severity(a, 0, 0), TN_SEV_NONE);
	a = tn_alertkind_get(k, "waterlogging");
	assert_int_equal(tn_alertkind_severity(a, 1, 0.1), TN_SEV_YELLOW);
	assert_int_equal(tn_alertkind_severity(a, 0, 0), TN_SEV_YELLOW);
	assert_int_equal(tn_alertkind_severity(tn_alertkind_get(k, "other"), 0, 0), TN_SEV_NONE);
	assert_int_equal(tn_alertkind_severity(NULL, 1, 1), TN_SEV_NONE);
	/* every kind has a name and is a valid kind */
	for (size_t i = 0; i < tn_alertkinds_count(k); i++)
		assert_true(tn_alert_kind_valid(tn_alertkinds_at(k, i)->code));
	assert_null(tn_alertkinds_at(k, tn_alertkinds_count(k)));
}

static const char good[] =
	"departments:\n"
	"  - {code: D1, name: 一局}\n"
	"kinds:\n"
	"  - code: a\n"
	"    name: 甲\n"
	"    synonyms: [甲甲]\n"
	"    category: Met\n"
	"    department: D1\n"
	"  - code: other\n"
	"    name: 其他事件\n"
	"    category: Other\n"
	"    department: D1\n";

/* Load `text` with line `line` (1-based) replaced by `with`; the error message or "" in msg. */
static enum tn_code load_edited(int line, const char *with, char *msg, size_t size)
{
	struct tn_buf b = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	struct tn_alertkinds *k = NULL;
	const char *p = good;
	char path[64];
	enum tn_code rc;

	for (int n = 1; *p; n++) {
		size_t len = strcspn(p, "\n") + 1;

		if (n == line)
			tn_buf_addf(&b, "%s\n", with);
		else
			tn_buf_addf(&b, "%.*s", (int)len, p);
		p += len;
	}
	write_tmp(path, sizeof(path), b.buf);
	tn_buf_release(&b);
	rc = tn_alertkinds_load(path, &k, &err);
	snprintf(msg, size, "%s", rc == TN_OK ? "" : err.message + strlen(path));
	tn_alertkinds_free(k);
	unlink(path);
	return rc;
}

static void test_broken(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_alertkinds *k = NULL;
	char msg[512];

	assert_int_equal(load_edited(0, "", msg, sizeof(msg)), TN_OK);
	assert_int_equal(load_edited(4, "  - code: Bad Kind", msg, sizeof(msg)), TN_EINVALID);
	assert_non_null(strstr(msg, ":4: kind 'Bad Kind': not an alert kind"));
	assert_int_equal(load_edited(7, "    category: Weather", msg, sizeof(msg)), TN_EINVALID);
	assert_non_null(strstr(msg, ":7: kind 'a': 'Weather' is not a CAP category"));
	assert_int_equal(load_edited(8, "    department: D9", msg, sizeof(msg)), TN_EINVALID);
	assert_non_null(strstr(msg, ":8: kind 'a': department 'D9' is not one of departments"));
	assert_int_equal(load_edited(6, "    synonyms: [其他事件]", msg, sizeof(msg)), TN_EINVALID);
	assert_non_null(strstr(msg, ":9: kind 'other': '其他事件' is already a name or synonym"));
	assert_int_equal(load_edited(9, "  - code: a", msg, sizeof(msg)), TN_EINVALID);
	assert_non_null(strstr(msg, ":9: kind 'a' is defined twice (line 4)"));
	assert_int_equal(load_edited(6, "    colour: red", msg, sizeof(msg)), TN_EINVALID);
	assert_non_null(strstr(msg, ":6: a: unknown member 'colour'"));
	assert_int_equal(load_edited(6, "    severity: {default: purple}", msg, sizeof(msg)),
			 TN_EINVALID);
	assert_non_null(strstr(msg, ":6: kind 'a': 'purple' is not a severity"));
	assert_int_equal(load_edited(6, "    severity: {value: [{above: x, severity: red}]}", msg,
				     sizeof(msg)), TN_EINVALID);
	assert_non_null(strstr(msg, ":6: kind 'a': above: 'x' is not a number"));
	assert_int_equal(load_edited(9, "  - code: b", msg, sizeof(msg)), TN_EINVALID);
	assert_non_null(strstr(msg, "kind 'other' (for event texts no kind claims) is missing"));
	assert_int_equal(load_edited(5, "    name: [甲", msg, sizeof(msg)), TN_EINVALID);
	assert_non_null(strstr(msg, ":6:"));     /* malformed YAML, with its line */
	assert_int_equal(tn_alertkinds_load("/nonexistent/kinds.yaml", &k, &err), TN_EIO);
	assert_null(k);
}

static void test_divisions(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_division d;
	long n = 0;
	char path[64];

	assert_int_equal(tn_divisions_check(NULL, &n, &err), TN_OK);
	assert_true(n > 200);
	assert_int_equal(tn_division_find("310101", &d, &err), TN_OK);
	assert_string_equal(d.district->name, "黄浦区");
	assert_string_equal(d.street, "");
	assert_int_equal(tn_division_find("310101002", &d, &err), TN_OK);
	assert_string_equal(d.district->code, "310101");
	assert_string_equal(d.street, "310101002");
	assert_string_equal(d.street_name, "南京东路街道");
	assert_int_equal(tn_division_find("310101013000", &d, &err), TN_OK);
	assert_string_equal(d.street, "310101013");
	assert_string_equal(d.street_name, "外滩街道");
	assert_int_equal(tn_division_find("310115000000", &d, &err), TN_OK);
	assert_string_equal(d.district->name, "浦东新区");
	assert_string_equal(d.street, "");
	/* a street the list does not hold yet, in a known district */
	assert_int_equal(tn_division_find("310101999", &d, &err), TN_OK);
	assert_string_equal(d.street_name, "");
	assert_int_equal(tn_division_find("320101002", &d, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "not in one of Shanghai's 16 districts"));
	assert_int_equal(tn_division_find("31010100", &d, &err), TN_EINVALID);
	assert_int_equal(tn_division_find("31010100x", &d, &err), TN_EINVALID);
	assert_int_equal(tn_division_find(NULL, &d, &err), TN_EINVALID);
	assert_string_equal(tn_division_street_name("310151101"), "城桥镇");
	/* every district of the list is one of tn_districts, and every one is there */
	for (int i = 0; i < TN_DISTRICT_COUNT; i++) {
		int streets = 0;

		for (int c = 1; c < 1000; c++) {
			char code[16];

			snprintf(code, sizeof(code), "%s%03d", tn_districts[i].code, c);
			streets += tn_division_street_name(code) != NULL;
		}
		assert_true(streets >= 8);
	}
	/* a broken list: FILE:LINE */
	write_tmp(path, sizeof(path), "310101\t黄浦区\t310000\n310101002\t南京东路街道\n");
	assert_int_equal(tn_divisions_check(path, NULL, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, ":2: not CODE <TAB> NAME <TAB> PARENT"));
	unlink(path);
	write_tmp(path, sizeof(path), "310104002\t某街道\t310101\n");
	assert_int_equal(tn_divisions_check(path, NULL, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, ":1: street 310104002: its parent"));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_divisions),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
