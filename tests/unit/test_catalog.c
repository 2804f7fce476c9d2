/* test_catalog.c — the shipped catalog loads and resolves; every kind of bad reference is reported with FILE:LINE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jv.h>

#include "tn_buf.h"
#include "tn_catalog.h"

static const char *src_dir(void)
{
	const char *s = getenv("TWONET_SRC");

	return s && *s ? s : ".";
}

static enum tn_code load_shipped(jv *cat, struct tn_err *err)
{
	struct tn_buf dir = TN_BUF_INIT;
	enum tn_code c;

	tn_buf_addf(&dir, "%s/share/twonet/catalog", src_dir());
	c = tn_catalog_load(dir.buf, cat, err);
	tn_buf_release(&dir);
	return c;
}

static int count(jv v, const char *key)
{
	return jv_array_length(jv_object_get(jv_copy(v), jv_string(key)));
}

static void shipped_loads(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	jv cat;
	enum tn_code c = load_shipped(&cat, &err);

	if (c != TN_OK)
		fail_msg("%s", err.message);
	assert_true(count(cat, "departments") >= 11);
	assert_true(count(cat, "items") >= 20);
	assert_int_equal(count(cat, "workflows"), 7);
	jv_free(cat);
}

/* The restaurant as the departments ran it: 6 items, 4 departments, 4 forms, 31 materials. */
static void shipped_restaurant_shape(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	jv cat, wf, items, depts = jv_object(), forms = jv_object();
	int n, mats = 0, inspections = 0;
	double legal = 0;

	assert_int_equal(load_shipped(&cat, &err), TN_OK);
	wf = tn_catalog_workflow(cat, "restaurant");
	assert_true(jv_is_valid(wf));
	items = jv_object_get(wf, jv_string("items"));
	n = jv_array_length(jv_copy(items));
	assert_int_equal(n, 6);
	for (int i = 0; i < n; i++) {
		jv code = jv_array_get(jv_copy(items), i);
		jv it = tn_catalog_item(cat, jv_string_value(code));

		assert_true(jv_is_valid(it));
		depts = jv_object_set(depts, jv_object_get(jv_copy(it), jv_string("department")),
				      jv_true());
		forms = jv_object_set(forms, jv_object_get(jv_copy(it), jv_string("form")), jv_true());
		mats += count(it, "materials");
		inspections += count(it, "inspections");
		legal += jv_number_value(jv_object_get(jv_copy(it), jv_string("legal_days")));
		jv_free(it);
		jv_free(code);
	}
	assert_int_equal(jv_object_length(depts), 4);
	assert_int_equal(jv_object_length(forms), 4);
	assert_int_equal(mats, 31);
	assert_int_equal(inspections, 3);
	assert_true(legal == 58);
	jv_free(items);
	jv_free(cat);
}

/* An item is resolved to the api-contract ITEM shape. */
static void shipped_item_resolved(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	jv cat, it, f, m;

	assert_int_equal(load_shipped(&cat, &err), TN_OK);
	it = tn_catalog_item(cat, "310000-JLZM-001");
	assert_true(jv_is_valid(it));
	jv dn = jv_object_get(jv_copy(it), jv_string("department_name"));
	assert_string_equal(jv_string_value(dn), "酒类专卖管理局");
	jv_free(dn);
	f = jv_array_get(jv_object_get(jv_copy(it), jv_string("fields")), 0);
	jv label = jv_object_get(jv_copy(f), jv_string("label"));
	assert_string_equal(jv_string_value(label), "经营者名称");   /* the JLZMJ alias of org_name */
	jv_free(label);
	jv_free(f);
	m = jv_array_get(jv_object_get(jv_copy(it), jv_string("materials")), 0);
	jv ck = jv_object_get(jv_copy(m), jv_string("cert_kind"));
	assert_string_equal(jv_string_value(ck), "CK-YYZZ");
	jv_free(ck);
	jv as = jv_object_get(m, jv_string("asked_as"));
	assert_string_equal(jv_string_value(as), "营业执照副本");
	jv_free(as);
	jv_free(it);
	assert_false(jv_is_valid(tn_catalog_item(cat, "NO-SUCH")));
	jv_free(cat);
}

/* ---- bad catalogs: one file each, the error names FILE:LINE ---- */

static const char base[] =
	"departments:\n"                                       /* 1 */
	"  - {code: D1, name: 部门一}\n"                        /* 2 */
	"inspection_kinds:\n"                                  /* 3 */
	"  - {code: K1, name: 检查, joint: true}\n"              /* 4 */
	"materials:\n"                                         /* 5 */
	"  - {code: M-A, name: 材料甲}\n"                        /* 6 */
	"  - {code: M-B, name: 材料乙, issuer: D1, cert_kind: CK-B}\n" /* 7 */
	"fields:\n"                                            /* 8 */
	"  - {name: f1, label: 字段一, type: string}\n"          /* 9 */
	"  - {name: f2, label: 字段二, type: enum, values: [a, b]}\n"  /* 10 */
	"items:\n"                                             /* 11 */
	"  - code: I-1\n"                                      /* 12 */
	"    name: 事项一\n"                                    /* 13 */
	"    department: D1\n"                                 /* 14 */
	"    legal_days: 5\n"                                  /* 15 */
	"    fields: [f1, f2]\n"                               /* 16 */
	"    materials:\n"                                     /* 17 */
	"      - M-A\n"                                        /* 18 */
	"      - M-B\n"                                        /* 19 */
	"    inspections: [{kind: K1, site: s}]\n";            /* 20 */

static char tmpdir[64];

static int make_tmp(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_catalog.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmp(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write `text` as tmpdir/NAME (replacing any other catalog file), load the folder. */
static enum tn_code load_text(const char *name, const char *text, struct tn_err *err)
{
	struct tn_buf path = TN_BUF_INIT, cmd = TN_BUF_INIT;
	enum tn_code c;
	FILE *fp;
	jv cat;

	tn_buf_addf(&cmd, "rm -f '%s'/*.yaml", tmpdir);
	assert_int_equal(system(cmd.buf), 0);
	tn_buf_addf(&path, "%s/%s", tmpdir, name);
	fp = fopen(path.buf, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	c = tn_catalog_load(tmpdir, &cat, err);
	if (c == TN_OK)
		assert_true(jv_get_kind(cat) == JV_KIND_OBJECT);
	else
		assert_false(jv_is_valid(cat));
	jv_free(cat);
	tn_buf_release(&path);
	tn_buf_release(&cmd);
	return c;
}

/* The base with line `line` (1-based) replaced by `repl` (which may hold several lines). */
static char *patched(int line, const char *repl)
{
	struct tn_buf b = TN_BUF_INIT;
	const char *p = base;

	for (int l = 1; *p; l++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);

		if (l == line)
			tn_buf_adds(&b, repl);
		else
			tn_buf_add(&b, p, len);
		p += len;
	}
	return tn_buf_detach(&b, NULL);
}

static void expect_error(const char *text, const char *want)
{
	struct tn_err err = TN_ERR_INIT;
	char full[256];

	assert_int_equal(load_text("x.yaml", text, &err), TN_EINVALID);
	snprintf(full, sizeof(full), "%s/x.yaml:%s", tmpdir, want);
	if (strcmp(err.message, full))
		fail_msg("got '%s', want '%s'", err.message, full);
}

static void base_loads(void **state)
{
	struct tn_err err = TN_ERR_INIT;

	if (load_text("x.yaml", base, &err) != TN_OK)
		fail_msg("%s", err.message);
}

static void bad_material(void **state)
{
	char *t = patched(19, "      - M-X\n");

	expect_error(t, "19: unknown material 'M-X' in item 'I-1'");
	free(t);
}

static void bad_field(void **state)
{
	char *t = patched(16, "    fields:\n      - f1\n      - {field: f9, required: false}\n");

	expect_error(t, "18: unknown field 'f9' in item 'I-1'");
	free(t);
}

static void bad_department(void **state)
{
	char *t = patched(14, "    department: D9\n");

	expect_error(t, "14: unknown department 'D9' in item 'I-1'");
	free(t);
}

static void bad_issuer(void **state)
{
	char *t = patched(7, "  - {code: M-B, name: 材料乙, issuer: D7}\n");

	expect_error(t, "7: unknown department 'D7' in material 'M-B'");
	free(t);
}

static void bad_before(void **state)
{
	char *t = patched(15, "    legal_days: 5\n    before: [I-0]\n");

	expect_error(t, "16: unknown item 'I-0' in 'before' of item 'I-1'");
	free(t);
}

static void bad_workflow_member(void **state)
{
	struct tn_buf b = TN_BUF_INIT;

	tn_buf_adds(&b, base);
	tn_buf_adds(&b, "workflows:\n  - code: W\n    name: 一件事\n    items:\n"
			"      - I-1\n      - I-2\n");
	expect_error(b.buf, "26: unknown item 'I-2' in workflow 'W'");
	tn_buf_release(&b);
}

static void duplicate_code(void **state)
{
	struct tn_buf b = TN_BUF_INIT;

	tn_buf_adds(&b, base);
	tn_buf_adds(&b, "  - {code: I-1, name: 又一个, department: D1, legal_days: 1}\n");
	expect_error(b.buf, "21: duplicate item 'I-1'");
	tn_buf_release(&b);
}

/* The promised limit is never later than the legal one; equal is allowed. */
static void promised_past_legal(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	char *t = patched(15, "    legal_days: 5\n    promised_days: 6\n");

	expect_error(t, "16: promised_days 6 of item 'I-1' is later than its legal_days 5");
	free(t);
	t = patched(15, "    legal_days: 5\n    promised_days: 5\n");
	if (load_text("x.yaml", t, &err) != TN_OK)
		fail_msg("%s", err.message);
	free(t);
}

/* The same rule on a catalog document that did not come through the loader. */
static void check_days_json(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	jv ok = jv_parse("{\"items\":[{\"code\":\"A\",\"legal_days\":5,\"promised_days\":5},"
			 "{\"code\":\"B\",\"legal_days\":5}]}");
	jv bad = jv_parse("{\"items\":[{\"code\":\"A\",\"legal_days\":5,\"promised_days\":2},"
			  "{\"code\":\"B\",\"legal_days\":3,\"promised_days\":4}]}");

	assert_int_equal(tn_catalog_check_days(ok, "c.json", &err), TN_OK);
	assert_int_equal(tn_catalog_check_days(bad, "c.json", &err), TN_EINVALID);
	assert_string_equal(err.message, "c.json: promised_days 4 of item 'B' is later than its legal_days 3");
	jv_free(ok);
	jv_free(bad);
}

static void bad_inspection_kind(void **state)
{
	char *t = patched(20, "    inspections: [{kind: K9, site: s}]\n");

	expect_error(t, "20: unknown inspection kind 'K9' in item 'I-1'");
	free(t);
}

static void bad_enum_value(void **state)
{
	char *t = patched(16, "    fields: [f1, {field: f2, values: [a, z]}]\n");

	expect_error(t, "16: value 'z' of field 'f2' in item 'I-1' is not in the field dictionary");
	free(t);
}

static void unknown_key(void **state)
{
	char *t = patched(15, "    legal_dayz: 5\n");

	expect_error(t, "15: unknown key 'legal_dayz' in item 'I-1'");
	free(t);
}

static void yaml_syntax(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	char *t = patched(13, "    name: [事项一\n");

	assert_int_equal(load_text("x.yaml", t, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "/x.yaml:"));
	free(t);
}

/* "Billion laughs": nine lines that stand for 9^8 values are refused at the first anchor. */
static void yaml_aliases(void **state)
{
	static const char laughs[] =
		"fields:\n"
		"  - {name: f1, label: x, type: enum, values: &a [l, l, l, l, l, l, l, l, l]}\n"
		"  - {name: f2, label: x, type: enum, values: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]}\n"
		"  - {name: f3, label: x, type: enum, values: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]}\n"
		"  - {name: f4, label: x, type: enum, values: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]}\n"
		"  - {name: f5, label: x, type: enum, values: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]}\n"
		"  - {name: f6, label: x, type: enum, values: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]}\n"
		"  - {name: f7, label: x, type: enum, values: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]}\n"
		"  - {name: f8, label: x, type: enum, values: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]}\n";
	char *t;

	expect_error(laughs, "2:46: anchors (&a) are not allowed: write the value out");
	t = patched(16, "    fields: *f1\n");
	expect_error(t, "16:13: aliases (*f1) are not allowed: write the value out");
	free(t);
}

static void missing_dir(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	jv cat;

	assert_int_equal(tn_catalog_load("/nonexistent/catalog", &cat, &err), TN_EIO);
	assert_false(jv_is_valid(cat));
	assert_non_null(strstr(err.message, "'/nonexistent/catalog'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_loads),
		cmocka_unit_test(shipped_restaurant_shape),
		cmocka_unit_test(shipped_item_resolved),
		cmocka_unit_test(base_loads),
		cmocka_unit_test(bad_material),
		cmocka_unit_test(bad_field),
		cmocka_unit_test(bad_department),
		cmocka_unit_test(bad_issuer),
		cmocka_unit_test(bad_before),
		cmocka_unit_test(bad_workflow_member),
		cmocka_unit_test(duplicate_code),
		cmocka_unit_test(promised_past_legal),
		cmocka_unit_test(check_days_json),
		cmocka_unit_test(bad_inspection_kind),
		cmocka_unit_test(bad_enum_value),
		cmocka_unit_test(unknown_key),
		cmocka_unit_test(yaml_syntax),
		cmocka_unit_test(yaml_aliases),
		cmocka_unit_test(missing_dir),
	};

	return cmocka_run_group_tests(tests, make_tmp, remove_tmp);
}
