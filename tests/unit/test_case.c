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

#include "tn_case.h"
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

	struct tn_err err = TN_ERR_INIT;
	jv f = jv_parse("{\"type\":\"number\"}"), v;
	assert_int_equal(tn_prompt_check_field(f, "40", &v, &err), TN_OK);
	assert_int_equal(jv_get_kind(v), JV_KIND_NUMBER);
	jv_free(v);
	jv_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_split),
		cmocka_unit_test(test_materials_merge),
		cmocka_unit_test(test_yaml),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_prepare),
		cmocka_unit_test(test_ndjson_lines),
		cmocka_unit_test(test_id_from_line),
		cmocka_unit_test(test_field_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
