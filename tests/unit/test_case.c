/* test_case.c — case bodies: flags, YAML, canonical keys, checks, NDJSON lines, form field rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tn_buf.h"
#include "tn_jv.h"
#include "tn_cal.h"
#include "tn_case.h"
#include "tn_catalog.h"
#include "tn_merge.h"
#include "tn_ndjson.h"
#include "tn_prompt.h"

/* The JSON text of member `path` (jq-style ".a.b") of v (borrowed), compact; malloc'd. */
static char *dump(jv v)
{
	return tn_json_canonical(v);
}

static void test_fields_split(void **state)
{
	struct tn_case_spec spec = { 0 };
	struct tn_err err = TN_ERR_INIT;
	jv body;

	spec.item = "I-1";
	spec.applicant_id = "110101199003070003";
	spec.fields = "a=1,b:=2,c=x,y,d=e=f,list:=[1,2]";
	spec.materials = "M-A,M-B=1.2.156.3";
	assert_int_equal(tn_case_apply_spec(jv_null(), &spec, &body, &err), TN_OK);
	char *s = dump(body);
	assert_string_equal(s, "{\"applicant\":{\"id\":\"110101199003070003\"},"
			    "\"form\":{\"a\":\"1\",\"b\":2,\"c\":\"x,y\",\"d\":\"e=f\",\"list\":[1,2]},"
			    "\"item\":\"I-1\",\"materials\":[{\"code\":\"M-A\"},{\"code\":\"M-B\",\"ref\":\"1.2.156.3\"}]}");
	free(s);
	jv_free(body);

	spec.fields = "nonsense";
	assert_int_equal(tn_case_apply_spec(jv_null(), &spec, &body, &err), TN_EUSAGE);
	spec.fields = "x:={bad";
	assert_int_equal(tn_case_apply_spec(jv_null(), &spec, &body, &err), TN_EUSAGE);
	spec.fields = NULL;
	assert_int_equal(tn_case_apply_spec(jv_number(1), &spec, &body, &err), TN_EINVALID);
}

static void test_materials_merge(void **state)
{
	struct tn_case_spec spec = { 0 };
	struct tn_err err = TN_ERR_INIT;
	jv body = jv_parse("{\"materials\":[{\"code\":\"M-A\",\"ref\":\"old\"},{\"code\":\"M-C\"}]}");

	spec.materials = "M-A=new,M-B";
	assert_int_equal(tn_case_apply_spec(body, &spec, &body, &err), TN_OK);
	char *s = dump(body);
	assert_string_equal(s, "{\"materials\":[{\"code\":\"M-A\",\"ref\":\"new\"},{\"code\":\"M-C\"},{\"code\":\"M-B\"}]}");
	free(s);
	jv_free(body);
}

static char *write_tmp(const char *suffix, const char *text)
{
	char *path = tn_xmalloc(64);
	snprintf(path, 64, "/tmp/test_case_%d%s", (int)getpid(), suffix);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

static void test_yaml(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	jv v;
	char *p = write_tmp(".yaml",
		"item: 310000-YB-003\n"
		"key: 0012\n"
		"applicant:\n  id: 110101199003070003\n  phone: 13800000000\n  name: 张三\n"
		"form:\n  n: 42\n  f: 1.5\n  z: 007\n  big: 1234567890123456\n  t: true\n  q: \"42\"\n  e: ~\n"
		"materials:\n  - code: M-A\n    ref: 123\n");
	assert_int_equal(tn_case_read_file(p, &v, &err), TN_OK);
	char *s = dump(v);
	assert_string_equal(s, "{\"applicant\":{\"id\":\"110101199003070003\",\"name\":\"张三\",\"phone\":\"13800000000\"},"
			    "\"form\":{\"big\":\"1234567890123456\",\"e\":null,\"f\":1.5,\"n\":42,\"q\":\"42\",\"t\":true,\"z\":\"007\"},"
			    "\"item\":\"310000-YB-003\",\"key\":\"0012\",\"materials\":[{\"code\":\"M-A\",\"ref\":\"123\"}]}");
	free(s);
	jv_free(v);
	unlink(p);
	free(p);

	p = write_tmp(".yaml", "item: [x\n");
	assert_int_equal(tn_case_read_file(p, &v, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, p));
	unlink(p);
	free(p);

	p = write_tmp(".json", "{\"item\": 1,}");
	assert_int_equal(tn_case_read_file(p, &v, &err), TN_EINVALID);
	unlink(p);
	free(p);

	assert_int_equal(tn_case_read_file("/nonexistent/x.json", &v, &err), TN_EIO);
}

/* Case files: anchors and aliases, a NUL by escape, a file too large; an interrupted read. */
static void test_yaml_hostile(void **state)
{
	static const char *const bad[][2] = {
		{ "item: &i 310000-YB-003\nkey: *i\n", ":1:7: anchors (&i) are not allowed" },
		{ "item: x\nform: {a: [l, l], b: [*a]}\n", ":2:23: aliases (*a) are not allowed" },
		{ "item: x\napplicant: {name: \"张\\0三\"}\n",
		  ": .applicant.name: a NUL or control character is not allowed" },
		{ "item: x\n---\nitem: y\n", ":2:1: more than one document" },
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf big = TN_BUF_INIT;
	jv v = jv_invalid();
	char *p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = write_tmp(".yaml", bad[i][0]);
		assert_int_equal(tn_case_read_file(p, &v, &err), TN_EINVALID);
		if (strncmp(err.message, p, strlen(p)) || !strstr(err.message, bad[i][1]))
			fail_msg("case %zu: '%s'", i, err.message);
		unlink(p);
		free(p);
	}
	while (big.len <= TN_CASE_MAX_FILE)
		tn_buf_adds(&big, "# padding padding padding padding padding padding\n");
	p = write_tmp(".yaml", big.buf);
	assert_int_equal(tn_case_read_file(p, &v, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "larger than 1048576 bytes"));
	unlink(p);
	free(p);
	tn_buf_release(&big);
	/* JSON goes through the exact parser: one value, nothing after it */
	p = write_tmp(".json", "{\"item\":\"x\"} {}");
	assert_int_equal(tn_case_read_file(p, &v, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "malformed JSON"));
	unlink(p);
	free(p);
}

/* Kinds and sizes of a case body, as the server checks them (casecheck.c). */
static void test_shape(void **state)
{
	static const char *const bad[][2] = {
		{ "{\"item\":7}", "item" },
		{ "{\"item\":\"x\",\"applicant\":{\"id\":\"110101199003070003\",\"name\":\"张三\",\"phone\":13800000000}}",
		  "applicant.phone" },
		{ "{\"item\":\"x\",\"applicant\":{\"name\":[\"张三\"]}}", "applicant.name" },
		{ "{\"item\":\"x\",\"applicant\":\"张三\"}", "applicant" },
		{ "{\"item\":\"x\",\"form\":{\"a\":[1]}}", "form.a" },
		{ "{\"item\":\"x\",\"form\":{\"a\":9007199254740993}}", "form.a" },
		{ "{\"item\":\"x\",\"form\":[]}", "form" },
		{ "{\"item\":\"x\",\"materials\":[{\"ref\":\"r\"}]}", "materials[0].code" },
		{ "{\"item\":\"x\",\"materials\":[{\"code\":\"M\",\"ref\":5}]}", "materials[0].ref" },
		{ "{\"item\":\"x\",\"materials\":{\"code\":\"M\"}}", "materials" },
	};
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf name = TN_BUF_INIT;
	char field[96];
	jv b;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = jv_parse(bad[i][0]);
		assert_int_equal(tn_case_check_shape(b, field, sizeof(field), &err), TN_EINVALID);
		if (strcmp(field, bad[i][1]) || strncmp(err.message, field, strlen(field)))
			fail_msg("case %zu: field '%s', '%s'", i, field, err.message);
		/* the client refuses the same before sending */
		assert_int_equal(tn_case_check(b, NULL, 0, &err), TN_EINVALID);
		jv_free(b);
	}
	tn_buf_adds(&name, "{\"item\":\"x\",\"applicant\":{\"name\":\"");
	for (int i = 0; i < TN_CASE_MAX_NAME; i++)
		tn_buf_adds(&name, "张");
	tn_buf_adds(&name, "\"}}");
	b = jv_parse(name.buf);
	assert_int_equal(tn_case_check_shape(b, field, sizeof(field), &err), TN_OK);
	jv_free(b);
	tn_buf_setlen(&name, name.len - 3);
	tn_buf_adds(&name, "张\"}}");
	b = jv_parse(name.buf);
	assert_int_equal(tn_case_check_shape(b, field, sizeof(field), &err), TN_EINVALID);
	assert_string_equal(err.message, "applicant.name: must be 1 to 100 characters");
	jv_free(b);
	tn_buf_release(&name);
}

/* Every fault of kind and size at once; then, before sending, every missing member at once. */
static void test_shape_all(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	jv b, list;

	(void)state;
	b = jv_parse("{\"item\":5,\"applicant\":{\"name\":\"\",\"phone\":139},"
		     "\"form\":{\"a\":[1]},\"materials\":[{\"ref\":\"r\"},7]}");
	assert_int_equal(tn_case_check_shape_all(b, &list, &err), TN_EINVALID);
	assert_string_equal(err.field, "item");
	assert_string_equal(err.message, "item: must be a string, not a number");
	assert_string_equal(err.problems,
			    "item: must be a string, not a number\n"
			    "applicant.name: must be 1 to 100 characters\n"
			    "applicant.phone: must be a string, not a number\n"
			    "form.a: must be a string or a number, not an array\n"
			    "materials[0].code: missing (the material's code)\n"
			    "materials[1]: must be an object {code, ref}, not a number\n");
	assert_int_equal(jv_array_length(list), 6);
	/* the client's check: the same faults, all of them */
	assert_int_equal(tn_case_check(b, NULL, 0, &err), TN_EINVALID);
	assert_non_null(strstr(err.problems, "materials[1]: "));
	jv_free(b);
	b = jv_parse("{\"applicant\":{\"id\":\"110101199003070000\"}}");
	assert_int_equal(tn_case_check(b, NULL, 0, &err), TN_EINVALID);
	assert_string_equal(err.field, "item");
	assert_string_equal(err.message, "item: missing (give the item's code)");
	assert_string_equal(err.problems, "item: missing (give the item's code)\n"
			    "applicant.id: resident ID number '110101199003070000': check character is '0', expected '3'\n");
	jv_free(b);
}

static void test_key(void **state)
{
	jv a = jv_parse("{\"b\":[1,{\"y\":2,\"x\":\"中\"}],\"a\":\"s p\"}");
	jv b = jv_parse("{ \"a\" : \"s p\", \"b\" : [1, {\"x\":\"中\",\"y\":2}] }");
	char *ca = tn_json_canonical(a);

	assert_string_equal(ca, "{\"a\":\"s p\",\"b\":[1,{\"x\":\"中\",\"y\":2}]}");
	char *ka = tn_case_content_key(a), *kb = tn_case_content_key(b);
	assert_string_equal(ka, kb);
	assert_int_equal(strlen(ka), 64);
	free(ka);
	free(kb);
	free(ca);
	jv_free(a);
	jv_free(b);

	/* SHA-256("{}") */
	jv e = jv_object();
	char *k = tn_case_content_key(e);
	assert_string_equal(k, "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
	free(k);
	jv_free(e);
}

static void test_prepare(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	char warning[300], *key = NULL;
	jv out;

	jv body = jv_parse("{\"key\":\"k1\",\"item\":\"I\",\"applicant\":{\"id\":\"110101199003070003\"}}");
	assert_int_equal(tn_case_prepare(body, NULL, &out, &key, warning, sizeof(warning), &err), TN_OK);
	assert_string_equal(key, "k1");
	char *s = dump(out);
	assert_string_equal(s, "{\"applicant\":{\"id\":\"110101199003070003\",\"type\":\"person\"},\"item\":\"I\"}");
	free(s);
	free(key);
	jv_free(out);

	/* a given key wins over the member; the content key otherwise */
	body = jv_parse("{\"key\":\"k1\",\"item\":\"I\",\"applicant\":{\"id\":\"91310000607233425M\"}}");
	assert_int_equal(tn_case_prepare(body, "given", &out, &key, warning, sizeof(warning), &err), TN_OK);
	assert_string_equal(key, "given");
	jv t = jv_object_get(jv_object_get(jv_copy(out), jv_string("applicant")), jv_string("type"));
	assert_string_equal(jv_string_value(t), "org");
	jv_free(t);
	free(key);
	jv_free(out);

	body = jv_parse("{\"item\":\"I\",\"applicant\":{\"id\":\"110101199003070000\"}}");
	assert_int_equal(tn_case_prepare(body, NULL, &out, &key, warning, sizeof(warning), &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "applicant.id: "));
	assert_non_null(strstr(err.message, "check character"));

	body = jv_parse("{\"item\":\"I\",\"applicant\":{\"id\":\"91310000607233426M\",\"type\":\"org\"}}");
	assert_int_equal(tn_case_prepare(body, NULL, &out, &key, warning, sizeof(warning), &err), TN_EINVALID);

	body = jv_parse("{\"applicant\":{\"id\":\"110101199003070003\"}}");
	assert_int_equal(tn_case_prepare(body, NULL, &out, &key, warning, sizeof(warning), &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "item"));

	body = jv_parse("{\"item\":\"I\",\"key\":7,\"applicant\":{\"id\":\"110101199003070003\"}}");
	assert_int_equal(tn_case_prepare(body, NULL, &out, &key, warning, sizeof(warning), &err), TN_EINVALID);

	assert_int_equal(tn_case_prepare(jv_array(), NULL, &out, &key, warning, sizeof(warning), &err), TN_EINVALID);
}

static void test_ndjson_lines(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_ndjson r;
	jv v;
	char *p = write_tmp(".ndjson", "{\"a\":1}\n\n  \nnot json\n[2]\r\n{\"b\":\n\"\xff\"\n{\"c\":3}");
	FILE *fp = fopen(p, "r");

	tn_ndjson_init(&r, fp, "in");
	assert_int_equal(tn_ndjson_next(&r, &v, &err), 1);
	assert_int_equal(r.line, 1);
	jv_free(v);
	assert_int_equal(tn_ndjson_next(&r, &v, &err), -1);
	assert_true(!strncmp(err.message, "in:4: ", 6));
	assert_int_equal(tn_ndjson_next(&r, &v, &err), 1);
	assert_int_equal(r.line, 5);
	jv_free(v);
	assert_int_equal(tn_ndjson_next(&r, &v, &err), -1);
	assert_true(!strncmp(err.message, "in:6: ", 6));
	assert_int_equal(tn_ndjson_next(&r, &v, &err), -1);
	assert_true(!strncmp(err.message, "in:7: not valid UTF-8", 21));
	assert_int_equal(tn_ndjson_next(&r, &v, &err), 1);
	assert_int_equal(r.line, 8);
	jv_free(v);
	assert_int_equal(tn_ndjson_next(&r, &v, &err), 0);
	tn_ndjson_release(&r);
	fclose(fp);
	unlink(p);
	free(p);
}

static void test_id_from_line(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	long ver;
	char *id;

	id = tn_case_id_from_line("C00000001", &ver, &err);
	assert_string_equal(id, "C00000001");
	assert_int_equal(ver, 0);
	free(id);
	id = tn_case_id_from_line("{\"id\":\"C2\",\"version\":3}", &ver, &err);
	assert_string_equal(id, "C2");
	assert_int_equal(ver, 3);
	free(id);
	assert_null(tn_case_id_from_line("{\"no\":1}", &ver, &err));
	assert_null(tn_case_id_from_line("C1 C2", &ver, &err));
	assert_null(tn_case_id_from_line("../x", &ver, &err));
}

static void check_field(const char *field_json, const char *text, enum tn_code want,
			const char *needle)
{
	struct tn_err err = TN_ERR_INIT;
	jv f = jv_parse(field_json), v;
	enum tn_code rc = tn_prompt_check_field(f, text, &v, &err);

	if (rc != want || (needle && !strstr(err.message, needle))) {
		print_error("field %s, '%s': code %d '%s'\n", field_json, text, rc, err.message);
		fail();
	}
	jv_free(v);
	jv_free(f);
}

static void test_field_rules(void **state)
{
	check_field("{\"type\":\"string\",\"required\":true}", "", TN_EINVALID, "required");
	check_field("{\"type\":\"string\",\"required\":false}", "", TN_OK, NULL);
	check_field("{\"type\":\"resident_id\"}", "110101199003070000", TN_EINVALID, "check character");
	check_field("{\"type\":\"resident_id\"}", "110101199003070003", TN_OK, NULL);
	check_field("{\"type\":\"uscc\"}", "91310000607233425M", TN_OK, NULL);
	check_field("{\"type\":\"uscc\"}", "91310000607233426M", TN_EINVALID, NULL);
	check_field("{\"type\":\"enum\",\"values\":[\"白酒\",\"黄酒\"]}", "红酒", TN_EINVALID, "白酒, 黄酒");
	check_field("{\"type\":\"enum\",\"values\":[\"白酒\",\"黄酒\"]}", "黄酒", TN_OK, NULL);
	check_field("{\"type\":\"string\",\"pattern\":\"^[0-9]{12,19}$\"}", "12345", TN_EINVALID, "pattern");
	check_field("{\"type\":\"string\",\"pattern\":\"^[0-9]{12,19}$\"}", "6222020200112233", TN_OK, NULL);
	check_field("{\"type\":\"date\"}", "2026-02-30", TN_EINVALID, "date");
	check_field("{\"type\":\"number\"}", "12x", TN_EINVALID, "number");
	check_field("{\"type\":\"phone\"}", "abc", TN_EINVALID, "phone");
	check_field("{\"type\":\"text\",\"max_length\":2}", "上海市", TN_EINVALID, "longer than 2");
	check_field("{\"type\":\"number\"}", "1e999", TN_EINVALID, "not a number");
	check_field("{\"type\":\"number\"}", "9007199254740993", TN_EINVALID, "not a number");
	check_field("{\"type\":\"phone\"}", "1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7", TN_EINVALID, "phone");

	/* a JSON value of the wrong kind (what the server is sent) */
	{
		struct tn_err e = TN_ERR_INIT;
		jv f = jv_parse("{\"type\":\"phone\"}"), n = jv_number(13800000000.0);

		assert_int_equal(tn_case_check_value(f, n, &e), TN_EINVALID);
		assert_string_equal(e.message, "must be a string, not a number");
		jv_free(f);
		jv_free(n);
		f = jv_parse("{\"type\":\"number\"}");
		n = jv_true();
		assert_int_equal(tn_case_check_value(f, n, &e), TN_EINVALID);
		assert_string_equal(e.message, "must be a number, not a boolean");
		jv_free(n);
		n = jv_string("12.5");
		assert_int_equal(tn_case_check_value(f, n, &e), TN_OK);
		jv_free(n);
		jv_free(f);
		assert_int_equal(tn_case_check_comment("好", &e), TN_OK);
	}

	struct tn_err err = TN_ERR_INIT;
	jv f = jv_parse("{\"type\":\"number\"}"), v;
	assert_int_equal(tn_prompt_check_field(f, "40", &v, &err), TN_OK);
	assert_int_equal(jv_get_kind(v), JV_KIND_NUMBER);
	jv_free(v);
	jv_free(f);
}

/* ---- cases on a workflow ---- */

static const char *src_dir(void)
{
	const char *s = getenv("TWONET_SRC");

	return s && *s ? s : ".";
}

/* The catalog's workflow `code` merged, and the shipped calendar in *cal. */
static jv merged_workflow(const char *code, struct tn_cal **cal)
{
	struct tn_merge_opts o = TN_MERGE_OPTS_INIT;
	struct tn_buf path = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	jv catalog, m;

	tn_buf_addf(&path, "%s/share/twonet/catalog", src_dir());
	assert_int_equal(tn_catalog_load(path.buf, &catalog, &err), TN_OK);
	tn_buf_reset(&path);
	tn_buf_addf(&path, "%s/share/twonet/calendar/cn.txt", src_dir());
	assert_int_equal(tn_cal_load(cal, path.buf, &err), TN_OK);
	tn_buf_release(&path);
	assert_int_equal(tn_merge_workflow(catalog, code, &o, &m, &err), TN_OK);
	jv_free(catalog);
	return m;
}

/* The text of jq-ish member `key` of the sub-case of `dept` in `plan` (borrowed); malloc'd. */
/* Member `key` of `plan` (borrowed) as canonical JSON text (the caller frees). */
static char *plan_member(jv plan, const char *key)
{
	jv v = jv_object_get(jv_copy(plan), jv_string(key));
	char *t = dump(v);

	jv_free(v);
	return t;
}

static char *sub_member(jv plan, const char *dept, const char *key)
{
	jv subs = jv_object_get(jv_copy(plan), jv_string("subcases"));
	char *out = NULL;

	jv_array_foreach(subs, i, sc) {
		jv d = jv_object_get(jv_copy(sc), jv_string("department"));

		if (!out && jv_get_kind(d) == JV_KIND_STRING && !strcmp(jv_string_value(d), dept)) {
			jv v = jv_object_get(jv_copy(sc), jv_string(key));

			out = tn_json_canonical(v);
			jv_free(v);
		}
		jv_free(d);
		jv_free(sc);
	}
	jv_free(subs);
	return out ? out : tn_xstrdup("absent");
}

/* The state (and its reason) of material `code` in array `mats` (borrowed), "state[:reason]". */
static char *state_of(jv mats, const char *code)
{
	char buf[128] = "absent";

	jv_array_foreach(mats, i, m) {
		jv c = jv_object_get(jv_copy(m), jv_string("code"));

		if (!strcmp(jv_string_value(c), code)) {
			jv st = jv_object_get(jv_copy(m), jv_string("state"));
			jv pb = jv_object_get(jv_copy(m), jv_string("produced_by"));
			jv ck = jv_object_get(jv_copy(m), jv_string("cert_kind"));
			jv ref = jv_object_get(jv_copy(m), jv_string("ref"));

			snprintf(buf, sizeof(buf), "%s%s%s", jv_string_value(st),
				 jv_get_kind(pb) == JV_KIND_STRING ? ":" : jv_get_kind(ck) == JV_KIND_STRING ? ":" :
				 jv_get_kind(ref) == JV_KIND_STRING ? ":" : "",
				 jv_get_kind(pb) == JV_KIND_STRING ? jv_string_value(pb) :
				 jv_get_kind(ck) == JV_KIND_STRING ? jv_string_value(ck) :
				 jv_get_kind(ref) == JV_KIND_STRING ? jv_string_value(ref) : "");
			jv_free(st);
			jv_free(pb);
			jv_free(ck);
			jv_free(ref);
		}
		jv_free(c);
		jv_free(m);
	}
	return tn_xstrdup(buf);
}

#define ASSERT_TEXT(expr, want) do { char *t_ = (expr); assert_string_equal(t_, want); free(t_); } while (0)

/* tn_case_check_form on `item` (JSON text) and `form`: its code. */
static enum tn_code form_code(jv item, const char *form)
{
	struct tn_err e = TN_ERR_INIT;
	jv f = jv_parse(form);
	enum tn_code rc = tn_case_check_form(item, f, &e);

	jv_free(f);
	return rc;
}

/* The form's specs are kept for the array of fields last seen: never for another, or a changed copy. */
static void test_form_specs_kept(void **state)
{
	jv a = jv_parse("{\"fields\":[{\"name\":\"a\",\"required\":true}]}");
	jv b = jv_parse("{\"fields\":[{\"name\":\"b\",\"required\":true}]}");
	jv fields, f0, a2, both, slice;

	(void)state;
	assert_int_equal(form_code(a, "{\"a\":\"x\"}"), TN_OK);
	assert_int_equal(form_code(a, "{\"a\":\"x\"}"), TN_OK);       /* kept */
	assert_int_equal(form_code(b, "{\"a\":\"x\"}"), TN_EINVALID);  /* b's own */
	assert_int_equal(form_code(b, "{\"b\":\"y\"}"), TN_OK);
	assert_int_equal(form_code(a, "{}"), TN_EINVALID);               /* a's again: required */
	/* a copy of a's fields changed in place of the shared one: its own specs */
	fields = jv_object_get(jv_copy(a), jv_string("fields"));
	f0 = jv_object_set(jv_array_get(jv_copy(fields), 0), jv_string("required"), jv_false());
	a2 = jv_object_set(jv_object(), jv_string("fields"), jv_array_set(fields, 0, f0));
	assert_int_equal(form_code(a2, "{}"), TN_OK);
	assert_int_equal(form_code(a, "{}"), TN_EINVALID);
	assert_int_equal(form_code(a2, "{}"), TN_OK);
	/* a slice shares its array's address: fields b and c, then only c */
	both = jv_parse("[{\"name\":\"b\",\"required\":true},{\"name\":\"c\"}]");
	slice = jv_array_slice(jv_copy(both), 1, 2);
	jv_free(a2);
	a2 = jv_object_set(jv_object(), jv_string("fields"), both);
	assert_int_equal(form_code(a2, "{\"c\":\"z\"}"), TN_EINVALID);    /* b required */
	jv_free(a2);
	a2 = jv_object_set(jv_object(), jv_string("fields"), slice);
	assert_int_equal(form_code(a2, "{\"c\":\"z\"}"), TN_OK);
	assert_int_equal(form_code(a2, "{\"b\":\"y\"}"), TN_EINVALID);    /* not a field */
	jv_free(a2);
	jv_free(a);
	jv_free(b);
}

static void test_workflow_plan_restaurant(void **state)
{
	struct tn_cal *cal = NULL;
	struct tn_err err = TN_ERR_INIT;
	jv m = merged_workflow("restaurant", &cal), plan, mats;
	jv given = jv_parse("[{\"code\":\"M-GSZC\",\"ref\":\"upload-1\"},{\"code\":\"M-ZSZM\"},"
			    "{\"code\":\"M-BDCQ\",\"cert\":\"CERT-1\"}]");
	long start;

	assert_int_equal(tn_date_parse("2026-02-09", &start), 0);     /* a Monday */
	assert_int_equal(tn_case_workflow_plan(m, given, cal, start, &plan, &err), TN_OK);
	/* one sub-case per department, in the merge's order */
	jv subs = jv_object_get(jv_copy(plan), jv_string("subcases"));
	assert_int_equal(jv_array_length(subs), 4);
	/*
	 * By hand, working days after Mon 2026-02-09: 10 11 12 13 (4), Sat 14
	 * (a working Saturday, 5), 15-23 the Spring Festival, 24 (6) 25 (7)
	 * 26 (8) 27 (9), Sat 28 (working, 10).
	 */
	ASSERT_TEXT(sub_member(plan, "SCJGJ", "deadline"), "\"2026-02-25\"");
	ASSERT_TEXT(sub_member(plan, "SCJGJ", "days"), "7");
	ASSERT_TEXT(sub_member(plan, "JLZMJ", "deadline"), "\"2026-02-28\"");
	ASSERT_TEXT(sub_member(plan, "LHSRJ", "deadline"), "\"2026-02-26\"");
	ASSERT_TEXT(sub_member(plan, "XFZD", "deadline"), "\"2026-02-26\"");
	ASSERT_TEXT(sub_member(plan, "SCJGJ", "item"), "\"310000-SCJG-001\"");
	ASSERT_TEXT(sub_member(plan, "SCJGJ", "item_name"), "\"企业设立登记；食品经营许可\"");
	/* the first item of market regulation finishes on day 3: Thu 02-12 */
	jv scjg = jv_array_get(jv_object_get(jv_copy(plan), jv_string("subcases")), 0);
	jv it0 = jv_array_get(jv_object_get(jv_copy(scjg), jv_string("items")), 0);
	jv it0_dl = jv_object_get(jv_copy(it0), jv_string("deadline"));
	ASSERT_TEXT(tn_json_canonical(it0_dl), "\"2026-02-12\"");   /* borrows */
	jv_free(it0_dl);
	jv_free(it0);
	/* the parent: the critical path, 10 working days */
	jv dl = jv_object_get(jv_copy(plan), jv_string("deadline"));
	assert_string_equal(jv_string_value(dl), "2026-02-28");
	jv_free(dl);
	/* materials: given, asked, certificate, produced */
	mats = jv_object_get(jv_copy(plan), jv_string("materials"));
	ASSERT_TEXT(state_of(mats, "M-GSZC"), "supplied:upload-1");
	ASSERT_TEXT(state_of(mats, "M-ZSZM"), "supplied");
	ASSERT_TEXT(state_of(mats, "M-RZWJ"), "missing");
	/* honest zero-material: exempted only by a certificate named (the server checked it) */
	ASSERT_TEXT(state_of(mats, "M-FRSFZ"), "missing:CK-SFZ");
	ASSERT_TEXT(state_of(mats, "M-BDCQ"), "exempted:CK-BDCQZ");
	jv bd = jv_array_get(jv_copy(mats), tn_jv_array_find(mats, "code", "M-BDCQ"));
	jv bdc = tn_jv_get(bd, "cert");
	ASSERT_TEXT(tn_json_canonical(bdc), "\"CERT-1\"");   /* borrows */
	jv_free(bdc);
	jv_free(bd);
	ASSERT_TEXT(state_of(mats, "M-SPXK"), "produced:310000-SCJG-002");
	jv_free(mats);
	mats = jv_object_get(jv_copy(scjg), jv_string("materials"));
	ASSERT_TEXT(state_of(mats, "M-YYZZ"), "produced:310000-SCJG-001");
	ASSERT_TEXT(state_of(mats, "M-JLGH"), "absent");   /* the liquor bureau's */
	jv_free(mats);
	/* the sub-case's fields are its items' only */
	ASSERT_TEXT(sub_member(plan, "JLZMJ", "fields"),
		    "[\"org_name\",\"uscc\",\"legal_rep\",\"premises\",\"liquor_kind\",\"applicant_phone\"]");
	jv_free(scjg);
	/* a material only produced by the workflow is not asked for */
	assert_int_equal(tn_case_workflow_asks(m, "M-YYZZ"), 2);
	assert_int_equal(tn_case_workflow_asks(m, "M-GSZC"), 1);
	assert_int_equal(tn_case_workflow_asks(m, "M-FRSFZ"), 1);
	assert_int_equal(tn_case_workflow_asks(m, "M-NOPE"), 0);
	jv_free(plan);
	/* no calendar: no deadlines, the rest the same */
	assert_int_equal(tn_case_workflow_plan(m, jv_null(), NULL, start, &plan, &err), TN_OK);
	ASSERT_TEXT(sub_member(plan, "SCJGJ", "deadline"), "null");
	jv_free(plan);
	/* not a merged workflow */
	assert_int_equal(tn_case_workflow_plan(jv_null(), jv_null(), cal, start, &plan, &err), TN_EINVALID);
	jv_free(given);
	jv_free(m);
	tn_cal_free(cal);
}

static void test_workflow_plan_national_day(void **state)
{
	struct tn_cal *cal = NULL;
	struct tn_err err = TN_ERR_INIT;
	jv m = merged_workflow("child-birth", &cal), plan;
	long start;

	/*
	 * Filed Thu 2026-09-24.  By hand: Fri 25 to Sun 27 are the Mid-Autumn
	 * holiday; 28 (1) 29 (2) 30 (3); 1-7 October National Day; Thu 8 (4),
	 * Fri 9 (5), Sat 10 (a working Saturday, 6), 12-16 (7-11), 19-22 (12-15).
	 */
	assert_int_equal(tn_date_parse("2026-09-24", &start), 0);
	assert_int_equal(tn_case_workflow_plan(m, jv_null(), cal, start, &plan, &err), TN_OK);
	ASSERT_TEXT(sub_member(plan, "WSJKW", "deadline"), "\"2026-10-09\"");
	ASSERT_TEXT(sub_member(plan, "GAJ", "deadline"), "\"2026-10-22\"");
	ASSERT_TEXT(sub_member(plan, "GAJ", "deadline_provisional"), "false");
	/*
	 * 30 working days from Fri 2026-11-27 run past 2026's calendar: 2026 gives
	 * 24 (30 Nov to 31 Dec), then Monday to Friday, provisionally: Fri
	 * 2027-01-01 (25), 4-8 January (26-30).  A date, flagged, never null.
	 */
	jv_free(plan);
	assert_int_equal(tn_date_parse("2026-11-27", &start), 0);
	assert_int_equal(tn_case_workflow_plan(m, jv_null(), cal, start, &plan, &err), TN_OK);
	ASSERT_TEXT(plan_member(plan, "deadline"), "\"2027-01-08\"");
	ASSERT_TEXT(plan_member(plan, "deadline_provisional"), "true");
	ASSERT_TEXT(sub_member(plan, "WSJKW", "deadline"), "\"2026-12-04\"");
	ASSERT_TEXT(sub_member(plan, "WSJKW", "deadline_provisional"), "false");
	jv_free(plan);
	jv_free(m);
	tn_cal_free(cal);
}

static void test_check_workflow_body(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	jv ok = jv_parse("{\"workflow\":\"restaurant\",\"applicant\":{\"id\":\"110101199003070003\"}}");
	jv both = jv_parse("{\"workflow\":\"restaurant\",\"item\":\"X\",\"applicant\":{\"id\":\"110101199003070003\"}}");
	jv bad = jv_parse("{\"workflow\":7,\"applicant\":{\"id\":\"110101199003070003\"}}");
	struct tn_case_spec spec = { 0 };
	jv body;

	assert_int_equal(tn_case_check(ok, NULL, 0, &err), TN_OK);
	assert_int_equal(tn_case_check(both, NULL, 0, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "not both"));
	assert_int_equal(tn_case_check(bad, NULL, 0, &err), TN_EINVALID);
	spec.workflow = "child-birth";
	assert_int_equal(tn_case_apply_spec(jv_null(), &spec, &body, &err), TN_OK);
	ASSERT_TEXT(tn_json_canonical(body), "{\"workflow\":\"child-birth\"}");
	jv_free(body);
	jv_free(ok);
	jv_free(both);
	jv_free(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_split),
		cmocka_unit_test(test_materials_merge),
		cmocka_unit_test(test_yaml),
		cmocka_unit_test(test_yaml_hostile),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_shape_all),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_prepare),
		cmocka_unit_test(test_ndjson_lines),
		cmocka_unit_test(test_id_from_line),
		cmocka_unit_test(test_field_rules),
		cmocka_unit_test(test_form_specs_kept),
		cmocka_unit_test(test_workflow_plan_restaurant),
		cmocka_unit_test(test_workflow_plan_national_day),
		cmocka_unit_test(test_check_workflow_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
