/* test_merge.c — the restaurant figures derived by the rules, each rule owning its figure, conflicts, cycles, deadlines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jv.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_catalog.h"
#include "tn_merge.h"

static jv catalog;

static const char *src_dir(void)
{
	const char *s = getenv("TWONET_SRC");

	return s && *s ? s : ".";
}

static int setup(void **state)
{
	struct tn_buf dir = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	enum tn_code c;

	tn_buf_addf(&dir, "%s/share/twonet/catalog", src_dir());
	c = tn_catalog_load(dir.buf, &catalog, &err);
	tn_buf_release(&dir);
	if (c != TN_OK)
		fprintf(stderr, "# %s\n", err.message);
	return c == TN_OK ? 0 : -1;
}

static int teardown(void **state)
{
	jv_free(catalog);
	return 0;
}

static jv merge_restaurant(unsigned rules)
{
	struct tn_merge_opts o = TN_MERGE_OPTS_INIT;
	struct tn_err err = TN_ERR_INIT;
	jv m;

	o.rules = rules;
	if (tn_merge_workflow(catalog, "restaurant", &o, &m, &err) != TN_OK)
		fail_msg("%s", err.message);
	return m;
}

static void restaurant_figures(void **state)
{
	jv m = merge_restaurant(TN_MERGE_ALL);

	/* before: as the four departments ran it */
	assert_int_equal(tn_merge_figure(m, "before", "items"), 6);
	assert_int_equal(tn_merge_figure(m, "before", "departments"), 4);
	assert_int_equal(tn_merge_figure(m, "before", "forms"), 4);
	assert_int_equal(tn_merge_figure(m, "before", "materials"), 31);
	assert_int_equal(tn_merge_figure(m, "before", "visits"), 6);
	assert_int_equal(tn_merge_figure(m, "before", "inspections"), 3);
	assert_int_equal(tn_merge_figure(m, "before", "days"), 58);
	/* after: derived by the rules from the catalog */
	assert_int_equal(tn_merge_figure(m, "after", "forms"), 1);
	assert_int_equal(tn_merge_figure(m, "after", "materials"), 12);
	assert_int_equal(tn_merge_figure(m, "after", "visits"), 1);
	assert_int_equal(tn_merge_figure(m, "after", "inspections"), 1);
	assert_int_equal(tn_merge_figure(m, "after", "days"), 10);
	/* the figures agree with the lists they count */
	assert_int_equal(jv_array_length(jv_object_get(jv_copy(m), jv_string("materials"))), 12);
	assert_int_equal(jv_array_length(jv_object_get(jv_copy(m), jv_string("dropped_materials"))),
			 31 - 12);
	assert_int_equal(jv_array_length(jv_object_get(jv_copy(m), jv_string("inspections"))), 1);
	assert_int_equal(tn_merge_figure(m, "after", "fields") +
			 jv_array_length(jv_object_get(jv_copy(m), jv_string("dropped_fields"))),
			 tn_merge_figure(m, "before", "fields"));
	jv_free(m);
}

/* Switch each rule off in turn: the figure it owns must change, to what the rule saved. */
static void each_rule_owns_a_figure(void **state)
{
	static const struct {
		unsigned rule;
		const char *figure;
		long on, off;
	} cases[] = {
		{ TN_RULE_ONE_FORM, "forms", 1, 4 },
		{ TN_RULE_FIELD_DEDUP, "fields", 17, 45 },
		{ TN_RULE_MATERIAL_DEDUP, "materials", 12, 17 },
		{ TN_RULE_CERT_EXEMPT, "materials", 12, 17 },
		{ TN_RULE_PRODUCED, "materials", 12, 15 },
		{ TN_RULE_ONE_VISIT, "visits", 1, 6 },
		{ TN_RULE_JOINT_INSPECTION, "inspections", 1, 3 },
		{ TN_RULE_CRITICAL_PATH, "days", 10, 20 },
		{ TN_RULE_PROMISED, "days", 10, 33 },
	};
	jv all = merge_restaurant(TN_MERGE_ALL);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		jv m = merge_restaurant(TN_MERGE_ALL & ~cases[i].rule);
		long off = tn_merge_figure(m, "after", cases[i].figure);

		assert_int_equal(tn_merge_figure(all, "after", cases[i].figure), cases[i].on);
		if (off == cases[i].on)
			fail_msg("rule '%s' off left %s at %ld", tn_merge_rule_slug(cases[i].rule),
				 cases[i].figure, off);
		assert_int_equal(off, cases[i].off);
		jv_free(m);
	}
	/* every rule is in the table */
	for (unsigned bit = 1; bit < TN_MERGE_ALL; bit <<= 1) {
		int found = 0;

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			found |= cases[i].rule == bit;
		assert_true(found);
	}
	jv_free(all);
}

static jv find_dropped(jv m, const char *item, const char *code)
{
	jv list = jv_object_get(jv_copy(m), jv_string("dropped_materials"));
	int n = jv_array_length(jv_copy(list));

	for (int i = 0; i < n; i++) {
		jv d = jv_array_get(jv_copy(list), i);
		jv a = jv_object_get(jv_copy(d), jv_string("item"));
		jv b = jv_object_get(jv_copy(d), jv_string("code"));
		int hit = !strcmp(jv_string_value(a), item) && !strcmp(jv_string_value(b), code);

		jv_free(a);
		jv_free(b);
		if (hit) {
			jv_free(list);
			return d;
		}
		jv_free(d);
	}
	jv_free(list);
	return jv_invalid();
}

static void check_member(jv d, const char *key, const char *want)
{
	jv v = jv_object_get(jv_copy(d), jv_string(key));

	assert_int_equal(jv_get_kind(v), JV_KIND_STRING);
	assert_string_equal(jv_string_value(v), want);
	jv_free(v);
}

/* The result says why each material went. */
static void reasons_recorded(void **state)
{
	jv m = merge_restaurant(TN_MERGE_ALL), d;

	d = find_dropped(m, "310000-SCJG-002", "M-YYZZ");
	check_member(d, "reason", "produced");
	check_member(d, "produced_by", "310000-SCJG-001");
	jv_free(d);
	d = find_dropped(m, "310000-JLZM-001", "M-SPXK");
	check_member(d, "produced_by", "310000-SCJG-002");
	jv_free(d);
	d = find_dropped(m, "310000-SCJG-001", "M-FRSFZ");
	check_member(d, "reason", "certificate");
	check_member(d, "cert_kind", "CK-SFZ");
	check_member(d, "issuer", "GAJ");
	jv_free(d);
	d = find_dropped(m, "310000-XF-001", "M-PMT");
	check_member(d, "reason", "duplicate");
	check_member(d, "duplicate_of", "310000-SCJG-002");
	check_member(d, "asked_as", "消防设施平面布置图");
	jv_free(d);
	assert_false(jv_is_valid(find_dropped(m, "310000-SCJG-001", "M-GSZC")));
	jv_free(m);
}

/* Without the registration in the set, the licence already exists: fetched as a certificate. */
static void produced_needs_an_earlier_item(void **state)
{
	const char *codes[] = { "310000-SCJG-002", "310000-JLZM-001" };
	struct tn_err err = TN_ERR_INIT;
	jv m, d;

	assert_int_equal(tn_merge_codes(catalog, codes, 2, NULL, &m, &err), TN_OK);
	d = find_dropped(m, "310000-SCJG-002", "M-YYZZ");
	check_member(d, "reason", "certificate");
	jv_free(d);
	d = find_dropped(m, "310000-JLZM-001", "M-SPXK");
	check_member(d, "reason", "produced");
	jv_free(d);
	/* an ad-hoc set names no window: one visit to each distinct window */
	assert_int_equal(tn_merge_figure(m, "after", "visits"), 2);
	jv_free(m);
}

static void article_workflows_merge(void **state)
{
	static const char *const flows[] = { "medical-reimbursement", "child-birth", "citizen-death",
		"retirement", "enterprise-tax", "business-start" };
	static const char *const figs[] = { "forms", "fields", "materials", "visits", "inspections",
		"days" };
	struct tn_err err = TN_ERR_INIT;

	for (size_t i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
		jv m;

		if (tn_merge_workflow(catalog, flows[i], NULL, &m, &err) != TN_OK)
			fail_msg("%s: %s", flows[i], err.message);
		assert_true(tn_merge_figure(m, "before", "items") >= 2);
		assert_int_equal(tn_merge_figure(m, "after", "forms"), 1);
		for (size_t k = 0; k < sizeof(figs) / sizeof(figs[0]); k++)
			assert_true(tn_merge_figure(m, "after", figs[k]) <=
				    tn_merge_figure(m, "before", figs[k]));
		assert_true(tn_merge_figure(m, "after", "materials") <
			    tn_merge_figure(m, "before", "materials"));
		jv_free(m);
	}
}

static enum tn_code merge_json(const char *items, jv *m, struct tn_err *err)
{
	jv it = jv_parse(items);

	assert_true(jv_is_valid(it));
	return tn_merge_items(jv_parse("{\"code\":\"T\",\"name\":\"t\",\"window\":\"w\"}"), it, NULL,
			      m, err);
}

static void conflicting_field(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	jv m;

	assert_int_equal(merge_json("[{\"code\":\"A\",\"legal_days\":1,\"fields\":"
		"[{\"name\":\"org_name\",\"type\":\"string\",\"max_length\":100}]},"
		"{\"code\":\"B\",\"legal_days\":1,\"fields\":"
		"[{\"name\":\"org_name\",\"type\":\"string\",\"max_length\":50}]}]", &m, &err),
		TN_EINVALID);
	assert_false(jv_is_valid(m));
	assert_string_equal(err.message, "field 'org_name' conflicts: item 'A' has max_length 100, "
			    "item 'B' has max_length 50");
	/* the same constraint twice is no conflict; required merges to required */
	assert_int_equal(merge_json("[{\"code\":\"A\",\"legal_days\":1,\"fields\":"
		"[{\"name\":\"f\",\"type\":\"enum\",\"values\":[\"x\",\"y\"],\"required\":false}]},"
		"{\"code\":\"B\",\"legal_days\":1,\"fields\":"
		"[{\"name\":\"f\",\"type\":\"enum\",\"values\":[\"x\",\"y\"]}]}]", &m, &err), TN_OK);
	assert_int_equal(tn_merge_figure(m, "after", "fields"), 1);
	jv r = jv_object_get(jv_array_get(jv_object_get(m, jv_string("fields")), 0),
			     jv_string("required"));
	assert_int_equal(jv_get_kind(r), JV_KIND_TRUE);
	/* different enum values conflict too */
	assert_int_equal(merge_json("[{\"code\":\"A\",\"legal_days\":1,\"fields\":"
		"[{\"name\":\"f\",\"type\":\"enum\",\"values\":[\"x\"]}]},"
		"{\"code\":\"B\",\"legal_days\":1,\"fields\":"
		"[{\"name\":\"f\",\"type\":\"enum\",\"values\":[\"x\",\"y\"]}]}]", &m, &err),
		TN_EINVALID);
	assert_non_null(strstr(err.message, "field 'f' conflicts: item 'A' has values"));
}

static void cycle_named(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	jv m;

	assert_int_equal(merge_json("[{\"code\":\"A\",\"legal_days\":1,\"before\":[\"C\"]},"
		"{\"code\":\"B\",\"legal_days\":1,\"before\":[\"A\"]},"
		"{\"code\":\"C\",\"legal_days\":1,\"before\":[\"B\"]},"
		"{\"code\":\"D\",\"legal_days\":1}]", &m, &err), TN_EINVALID);
	assert_false(jv_is_valid(m));
	assert_string_equal(err.message, "cycle in 'before': A → B → C → A");
}

static void unknown_references(void **state)
{
	const char *codes[] = { "310000-SCJG-001", "NO-SUCH-ITEM" };
	struct tn_err err = TN_ERR_INIT;
	jv m, cat;

	assert_int_equal(tn_merge_codes(catalog, codes, 2, NULL, &m, &err), TN_ENOTFOUND);
	assert_string_equal(err.message, "unknown item 'NO-SUCH-ITEM'");
	assert_int_equal(tn_merge_workflow(catalog, "no-such-flow", NULL, &m, &err), TN_ENOTFOUND);
	assert_string_equal(err.message, "unknown workflow 'no-such-flow'");
	/* a workflow that names an item the catalog lacks (a catalog from elsewhere) */
	cat = jv_parse("{\"items\":[],\"workflows\":[{\"code\":\"W\",\"items\":[\"X\"]}]}");
	assert_int_equal(tn_merge_workflow(cat, "W", NULL, &m, &err), TN_EINVALID);
	assert_string_equal(err.message, "unknown item 'X' in workflow 'W'");
	jv_free(cat);
	assert_int_equal(merge_json("[{\"code\":\"A\",\"legal_days\":1},{\"code\":\"A\",\"legal_days\":2}]",
				    &m, &err), TN_EINVALID);
	assert_string_equal(err.message, "item 'A' twice in the set");
}

/* Working days counted from holiday-cn's 2026 file, independently of tn_cal. */
static long holiday_cn_add(long start, long n)
{
	struct tn_buf path = TN_BUF_INIT;
	jv doc, days, off = jv_object();
	long d = start;
	int k;

	tn_buf_addf(&path, "%s/tests/data/holiday-cn/2026.json", src_dir());
	doc = jv_load_file(path.buf, 0);   /* an array of the file's JSON texts */
	tn_buf_release(&path);
	if (jv_get_kind(doc) == JV_KIND_ARRAY)
		doc = jv_array_get(doc, 0);
	if (jv_get_kind(doc) != JV_KIND_OBJECT) {
		jv_free(doc);
		jv_free(off);
		return -1;
	}
	days = jv_object_get(doc, jv_string("days"));
	k = jv_array_length(jv_copy(days));
	for (int i = 0; i < k; i++) {
		jv e = jv_array_get(jv_copy(days), i);

		off = jv_object_set(off, jv_object_get(jv_copy(e), jv_string("date")),
				    jv_object_get(e, jv_string("isOffDay")));
	}
	jv_free(days);
	while (n > 0) {
		char buf[16];
		jv v;
		int rest;

		d++;
		tn_date_format(d, buf);
		v = jv_object_get(jv_copy(off), jv_string(buf));
		rest = jv_is_valid(v) ? jv_get_kind(v) == JV_KIND_TRUE : tn_date_weekday(d) >= 5;
		jv_free(v);
		if (!rest)
			n--;
	}
	jv_free(off);
	return d;
}

static void deadlines_across_holidays(void **state)
{
	static const struct {
		const char *filed, *deadline;
	} cases[] = {
		{ "2026-02-09", "2026-02-28" },   /* Spring Festival, working Saturdays 02-14 and 02-28 */
		{ "2026-09-28", "2026-10-16" },   /* National Day, working Saturday 10-10 */
	};
	struct tn_buf path = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	struct tn_merge_opts o = TN_MERGE_OPTS_INIT;
	struct tn_cal *cal;

	tn_buf_addf(&path, "%s/share/twonet/calendar/cn.txt", src_dir());
	if (tn_cal_load(&cal, path.buf, &err) != TN_OK)
		fail_msg("%s", err.message);
	tn_buf_release(&path);
	o.cal = cal;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		jv m, dl, items;
		long want;
		char buf[16];

		assert_int_equal(tn_date_parse(cases[i].filed, &o.start), 0);
		assert_int_equal(tn_merge_workflow(catalog, "restaurant", &o, &m, &err), TN_OK);
		dl = jv_object_get(jv_object_get(jv_copy(m), jv_string("time")), jv_string("deadline"));
		assert_string_equal(jv_string_value(dl), cases[i].deadline);
		want = holiday_cn_add(o.start, 10);
		if (want < 0)
			fail_msg("cannot read tests/data/holiday-cn/2026.json");
		tn_date_format(want, buf);
		assert_string_equal(jv_string_value(dl), buf);
		jv_free(dl);
		/* each item's deadline is its finish offset in working days */
		items = jv_object_get(m, jv_string("items"));
		for (int k = 0; k < jv_array_length(jv_copy(items)); k++) {
			jv it = jv_array_get(jv_copy(items), k);
			jv f = jv_object_get(jv_copy(it), jv_string("finish"));
			jv d = jv_object_get(it, jv_string("deadline"));

			want = holiday_cn_add(o.start, (long)jv_number_value(f));
			assert_true(want >= 0);
			tn_date_format(want, buf);
			assert_string_equal(jv_string_value(d), buf);
			jv_free(f);
			jv_free(d);
		}
		jv_free(items);
	}
	tn_cal_free(cal);
}

static void summary_text(void **state)
{
	struct tn_buf b = TN_BUF_INIT;
	jv m = merge_restaurant(TN_MERGE_ALL);

	tn_merge_summary(m, 1, &b);
	assert_non_null(strstr(b.buf, "materials       31 → 12   (−61%)"));
	assert_non_null(strstr(b.buf, "working days    58 → 10   (−83%)"));
	assert_non_null(strstr(b.buf, "exempt, produced by 310000-SCJG-001"));
	assert_non_null(strstr(b.buf, "dropped materials (19):"));
	tn_buf_release(&b);
	jv_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(restaurant_figures),
		cmocka_unit_test(each_rule_owns_a_figure),
		cmocka_unit_test(reasons_recorded),
		cmocka_unit_test(produced_needs_an_earlier_item),
		cmocka_unit_test(article_workflows_merge),
		cmocka_unit_test(conflicting_field),
		cmocka_unit_test(cycle_named),
		cmocka_unit_test(unknown_references),
		cmocka_unit_test(deadlines_across_holidays),
		cmocka_unit_test(summary_text),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
