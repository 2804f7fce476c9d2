/* test_alert.c — severity names, districts, times, and normalising alert inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tn_alert.h"

static void test_severity_names(void **state)
{
	assert_int_equal(tn_severity_parse("blue"), TN_SEV_BLUE);
	assert_int_equal(tn_severity_parse("Minor"), TN_SEV_BLUE);
	assert_int_equal(tn_severity_parse("MODERATE"), TN_SEV_YELLOW);
	assert_int_equal(tn_severity_parse("Yellow"), TN_SEV_YELLOW);
	assert_int_equal(tn_severity_parse("Severe"), TN_SEV_ORANGE);
	assert_int_equal(tn_severity_parse("橙色"), TN_SEV_ORANGE);
	assert_int_equal(tn_severity_parse("Extreme"), TN_SEV_RED);
	assert_int_equal(tn_severity_parse("红"), TN_SEV_RED);
	assert_int_equal(tn_severity_parse("Unknown"), TN_SEV_NONE);
	assert_int_equal(tn_severity_parse("purple"), TN_SEV_NONE);
	assert_int_equal(tn_severity_parse(NULL), TN_SEV_NONE);
	assert_true(TN_SEV_BLUE < TN_SEV_YELLOW && TN_SEV_YELLOW < TN_SEV_ORANGE &&
		    TN_SEV_ORANGE < TN_SEV_RED);
	assert_string_equal(tn_severity_name(TN_SEV_ORANGE), "orange");
	assert_string_equal(tn_severity_cap(TN_SEV_RED), "Extreme");
	assert_string_equal(tn_severity_cap(TN_SEV_NONE), "Unknown");
}

static void test_districts(void **state)
{
	int seen = 0;

	assert_string_equal(tn_district_find("310101")->name, "黄浦区");
	assert_string_equal(tn_district_find("浦东新区")->code, "310115");
	assert_string_equal(tn_district_find("浦东")->code, "310115");
	assert_string_equal(tn_district_find("Minhang")->code, "310112");
	assert_string_equal(tn_district_find("崇明")->code, "310151");
	assert_null(tn_district_find("310102"));   /* 南市区, merged into 黄浦区 in 2000 */
	assert_null(tn_district_find("310108"));   /* 闸北区, merged into 静安区 in 2015 */
	assert_null(tn_district_find(""));
	assert_string_equal(tn_district_in_text("黄浦区中山东一路外滩")->code, "310101");
	assert_string_equal(tn_district_in_text("浦东陆家嘴")->code, "310115");
	assert_null(tn_district_in_text("苏州市"));
	for (int i = 0; i < TN_DISTRICT_COUNT; i++) {
		assert_int_equal(strlen(tn_districts[i].code), 6);
		assert_true(!strncmp(tn_districts[i].code, "3101", 4));
		seen++;
	}
	assert_int_equal(seen, 16);
}

static void test_times_and_kinds(void **state)
{
	assert_true(tn_time_valid("2026-07-01T10:00:00+08:00"));
	assert_true(tn_time_valid("2026-07-01T02:00:00Z"));
	assert_true(tn_time_valid("2024-02-29T10:00:00.123-00:00"));
	assert_false(tn_time_valid("2025-02-29T10:00:00+08:00"));
	assert_false(tn_time_valid("2026-07-01 10:00:00+08:00"));
	assert_false(tn_time_valid("2026-07-01T10:00:00"));
	assert_false(tn_time_valid("2026-07-01T24:00:00+08:00"));
	assert_false(tn_time_valid("2026-13-01T10:00:00+08:00"));
	assert_true(tn_alert_kind_valid("water_depth"));
	assert_true(tn_alert_kind_valid("pump.fault-2"));
	assert_false(tn_alert_kind_valid("2pump"));
	assert_false(tn_alert_kind_valid("Water"));
	assert_false(tn_alert_kind_valid("积水"));
	assert_false(tn_alert_kind_valid(""));
}

static jv parse(const char *s)
{
	jv v = jv_parse(s);

	assert_true(jv_is_valid(v));
	return v;
}

static char *norm(const char *in, enum tn_code want, struct tn_err *err)
{
	jv out = jv_invalid();
	enum tn_code rc = tn_alert_normalize(parse(in), 1, &out, err);
	char *s = NULL;

	assert_int_equal(rc, want);
	if (rc == TN_OK) {
		jv d = jv_dump_string(out, 0);
		s = strdup(jv_string_value(d));
		jv_free(d);
	} else {
		jv_free(out);
	}
	return s;
}

static void test_normalize(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	char *s = norm("{\"kind\":\"Water_Depth\",\"severity\":\"Severe\",\"district\":\"huangpu\","
		       "\"source\":\"wd-017\",\"source_id\":12,\"value\":\"0.32\",\"threshold\":0.25,"
		       "\"unit\":\"m\",\"location\":{\"lat\":\"31.24\",\"lon\":121.49,\"address\":null},"
		       "\"text\":null,\"id\":42,\"status\":\"raised\",\"district_name\":\"黄浦区\"}",
		       TN_OK, &err);

	assert_string_equal(s, "{\"source\":\"wd-017\",\"source_id\":\"12\",\"kind\":\"water_depth\","
			    "\"severity\":\"orange\",\"district\":\"310101\","
			    "\"location\":{\"lat\":31.24,\"lon\":121.49},\"value\":0.32,"
			    "\"threshold\":0.25,\"unit\":\"m\"}");
	free(s);
}

static void test_derived_source_id_is_stable(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	char *a = norm("{\"source\":\"s\",\"kind\":\"k\",\"severity\":\"red\",\"district\":\"310104\"}",
		       TN_OK, &err);
	char *b = norm("{\"district\":\"徐汇\",\"severity\":\"Extreme\",\"kind\":\"k\",\"source\":\"s\"}",
		       TN_OK, &err);
	char *c = norm("{\"source\":\"s\",\"kind\":\"k\",\"severity\":\"orange\",\"district\":\"310104\"}",
		       TN_OK, &err);

	assert_non_null(strstr(a, "\"source_id\":\"sha256:"));
	assert_string_equal(a, b);          /* the same alert, however it was written */
	assert_string_not_equal(a, c);
	free(a);
	free(b);
	free(c);
}

static void test_refusals(void **state)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "{\"source\":\"s\",\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"purple\",\"district\":\"310101\"}",
		  "severity: 'purple' is not a severity" },
		{ "{\"source\":\"s\",\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"Unknown\",\"district\":\"310101\"}",
		  "severity: 'Unknown'" },
		{ "{\"source\":\"s\",\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"red\",\"district\":\"310108\"}",
		  "district: '310108' is not one of" },
		{ "{\"source\":\"s\",\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"red\"}",
		  "district: missing" },
		{ "{\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"red\",\"district\":\"310101\"}",
		  "source: missing" },
		{ "{\"source\":\"s\",\"source_id\":\"1\",\"kind\":\"积水\",\"severity\":\"red\",\"district\":\"310101\"}",
		  "kind: '积水' is not a kind" },
		{ "{\"source\":\"s\",\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"red\",\"district\":\"310101\",\"colour\":1}",
		  "colour: unknown member" },
		{ "{\"source\":\"s\",\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"red\",\"district\":\"310101\",\"location\":{\"lat\":91,\"lon\":0}}",
		  "location.lat: 91 is out of range" },
		{ "{\"source\":\"s\",\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"red\",\"district\":\"310101\",\"location\":{\"lat\":31}}",
		  "location: lat and lon come together" },
		{ "{\"source\":\"s\",\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"red\",\"district\":\"310101\",\"value\":\"deep\"}",
		  "value: must be a number" },
		{ "{\"source\":\"s\",\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"red\",\"district\":\"310101\",\"sent_at\":\"yesterday\"}",
		  "sent_at: not an RFC 3339 time" },
		{ "{\"source\":\"s\",\"source_id\":\"\",\"kind\":\"k\",\"severity\":\"red\",\"district\":\"310101\"}",
		  "source_id: must be 1 to 128" },
		{ "{\"source\":\"s\",\"source_id\":\"gauge-12\\u007f\",\"kind\":\"k\",\"severity\":\"red\",\"district\":\"310101\"}",
		  "source_id: control characters are not allowed" },
		{ "{\"source\":\"s\",\"source_id\":\"2\",\"kind\":\"k\",\"severity\":\"red\",\"district\":\"310101\","
		  "\"msg_type\":\"update\",\"references\":[{\"source\":\"s\",\"source_id\":\"1\\t\"}]}",
		  "references[0]: must be {source, source_id}" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tn_err err = TN_ERR_INIT;

		assert_null(norm(cases[i].in, TN_EINVALID, &err));
		if (!strstr(err.message, cases[i].msg))
			fail_msg("case %zu: '%s' does not say '%s'", i, err.message, cases[i].msg);
	}
}

/* The server's strict check: what normalize returns passes, a lenient input does not. */
static void test_check(void **state)
{
	static const struct {
		const char *in, *field, *msg;
		long status;
	} bad[] = {
		{ "[1]", "", "an alert must be a JSON object", 400 },
		{ "{\"source\":\"s\",\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"red\","
		  "\"district\":\"310101\",\"id\":4}", "id",
		  "unknown member 'id' (the server sets it, or it does not exist)", 400 },
		{ "{\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"red\",\"district\":\"310101\"}",
		  "source", "source is required", 422 },
		{ "{\"source\":\"s\\u0001\",\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"red\","
		  "\"district\":\"310101\"}", "source", "source must not hold control characters", 422 },
		{ "{\"source\":\"s\",\"source_id\":1,\"kind\":\"k\",\"severity\":\"red\","
		  "\"district\":\"310101\"}", "source_id", "source_id must be a string", 422 },
		{ "{\"source\":\"s\",\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"Severe\","
		  "\"district\":\"310101\"}", "severity",
		  "severity 'Severe' is not one of blue, yellow, orange, red", 422 },
		{ "{\"source\":\"s\",\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"red\","
		  "\"district\":\"huangpu\"}", "district",
		  "district 'huangpu' is not one of Shanghai's 16 district codes", 422 },
		{ "{\"source\":\"s\",\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"red\","
		  "\"district\":\"310101\",\"location\":{\"lat\":1,\"alt\":2}}", "location.alt",
		  "unknown member 'alt' in location", 400 },
		{ "{\"source\":\"s\",\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"red\","
		  "\"district\":\"310101\",\"location\":{\"lat\":1}}", "location.lon",
		  "location.lat and location.lon come together", 422 },
		{ "{\"source\":\"s\",\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"red\","
		  "\"district\":\"310101\",\"location\":{\"address\":3}}", "location.address",
		  "address must be a string", 422 },
		{ "{\"source\":\"s\",\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"red\","
		  "\"district\":\"310101\",\"value\":\"3\"}", "value", "value must be a number", 422 },
		{ "{\"source\":\"s\",\"source_id\":\"1\",\"kind\":\"k\",\"severity\":\"red\","
		  "\"district\":\"310101\",\"sent_at\":\"today\"}", "sent_at",
		  "sent_at is not an RFC 3339 time with an offset: 'today'", 422 },
	};
	struct tn_err err = TN_ERR_INIT;
	jv in, out = jv_invalid(), d;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in = parse(bad[i].in);
		assert_int_equal(tn_alert_check(in, &out, &err), TN_EINVALID);
		assert_string_equal(err.message, bad[i].msg);
		assert_string_equal(err.field, bad[i].field);
		assert_int_equal(err.http_status, bad[i].status);
		jv_free(in);
	}
	/* the client's reading of a lenient input passes the server's check */
	assert_int_equal(tn_alert_normalize(parse("{\"kind\":\"Water_Depth\",\"severity\":\"Severe\","
						  "\"district\":\"huangpu\",\"source\":\"wd\","
						  "\"value\":\"0.32\",\"location\":{\"lat\":\"31.2\","
						  "\"lon\":121.4}}"), 1, &in, &err), TN_OK);
	assert_int_equal(tn_alert_check(in, &out, &err), TN_OK);
	jv_free(in);
	d = jv_dump_string(out, 0);
	assert_non_null(strstr(jv_string_value(d), "\"kind\":\"water_depth\",\"severity\":\"orange\","
			       "\"district\":\"310101\",\"district_name\":\"黄浦区\","
			       "\"location\":{\"lat\":31.2,\"lon\":121.4,\"address\":null},"
			       "\"value\":0.32,\"threshold\":null,\"unit\":null,\"headline\":\"\","));
	jv_free(d);
}

/* twonetd's document: the head, the checked members, the tail, cap last; an update's msg_type and references apart. */
static void test_check_doc(void **state)
{
	static const char *const head[] = { "id", "seq" }, *const tail[] = { "status", "crew" };
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf text = TN_BUF_INIT;
	jv hv[2], tv[2], in, doc, msg, d;

	(void)state;
	/* a kind no catalog lists: kind_name "" with or without the shipped one */
	in = parse("{\"cap\":{\"urgency\":\"Immediate\"},\"msg_type\":\"update\","
		   "\"references\":[{\"source\":\"wd\",\"source_id\":\"6\"}],\"source\":\"wd\","
		   "\"source_id\":\"7\",\"kind\":\"gauge_x\",\"severity\":\"red\","
		   "\"district\":\"310101\",\"value\":0.3}");
	hv[0] = jv_null();
	hv[1] = jv_number(8);
	tv[0] = jv_string("raised");
	tv[1] = jv_null();
	assert_int_equal(tn_alert_check_doc(in, (struct tn_alert_around){ head, hv, 2 },
					    (struct tn_alert_around){ tail, tv, 2 }, &doc, &msg, &text,
					    &err), TN_OK);
	d = jv_dump_string(doc, 0);
	assert_string_equal(text.buf, jv_string_value(d));      /* the text given with it */
	tn_buf_release(&text);
	assert_string_equal(jv_string_value(d),
			    "{\"id\":null,\"seq\":8,\"source\":\"wd\",\"source_id\":\"7\","
			    "\"kind\":\"gauge_x\",\"severity\":\"red\",\"district\":\"310101\","
			    "\"district_name\":\"黄浦区\",\"location\":null,\"value\":0.3,"
			    "\"threshold\":null,\"unit\":null,\"headline\":\"\",\"text\":null,"
			    "\"sent_at\":null,\"onset_at\":null,\"expires_at\":null,\"event_text\":null,"
			    "\"kind_name\":\"\",\"street\":null,\"street_name\":null,\"area\":null,"
			    "\"status\":\"raised\",\"crew\":null,\"cap\":{\"urgency\":\"Immediate\"}}");
	jv_free(d);
	d = jv_dump_string(msg, 0);
	assert_string_equal(jv_string_value(d), "{\"msg_type\":\"update\",\"references\":"
			    "[{\"source\":\"wd\",\"source_id\":\"6\"}]}");
	jv_free(d);

	/* an alert: msg null; a refusal: the check's detail, head and tail freed (ASan) */
	in = jv_object_set(in, jv_string("msg_type"), jv_string("alert"));
	in = jv_object_delete(in, jv_string("references"));
	hv[0] = jv_string("h");
	hv[1] = jv_null();
	tv[0] = jv_string("t");
	tv[1] = jv_null();
	assert_int_equal(tn_alert_check_doc(in, (struct tn_alert_around){ head, hv, 2 },
					    (struct tn_alert_around){ tail, tv, 2 }, &doc, &msg, NULL, &err),
			 TN_OK);
	assert_int_equal(jv_get_kind(msg), JV_KIND_NULL);
	jv_free(doc);
	in = jv_object_set(in, jv_string("severity"), jv_string("Severe"));
	hv[0] = jv_string("h");
	tv[0] = jv_string("t");
	doc = msg = jv_invalid();
	assert_int_equal(tn_alert_check_doc(in, (struct tn_alert_around){ head, hv, 2 },
					    (struct tn_alert_around){ tail, tv, 2 }, &doc, &msg, NULL, &err),
			 TN_EINVALID);
	assert_string_equal(err.message, "severity 'Severe' is not one of blue, yellow, orange, red");
	assert_string_equal(err.field, "severity");
	assert_false(jv_is_valid(doc));
	assert_false(jv_is_valid(msg));
	jv_free(in);

	/* a name with a NUL in it is not the name before the NUL */
	in = jv_object_set(parse("{\"source_id\":\"7\",\"kind\":\"gauge_x\",\"severity\":\"red\","
				 "\"district\":\"310101\"}"), jv_string_sized("source\0x", 8),
			   jv_string("wd"));
	assert_int_equal(tn_alert_check(in, &doc, &err), TN_EINVALID);
	assert_int_equal(err.http_status, 400);
	jv_free(in);

	/* a location in any order comes out {lat, lon, address}; one already so, as it came */
	for (int i = 0; i < 3; i++) {
		static const char *const loc[] = {
			"{\"address\":\"外滩\",\"lon\":121.4,\"lat\":31.2}",
			"{\"lat\":31.2,\"lon\":121.4,\"address\":\"外滩\"}",
			"{\"lon\":121.4,\"address\":\"外滩\",\"lat\":31.2}",
		};
		char buf[256];

		snprintf(buf, sizeof(buf), "{\"source\":\"wd\",\"source_id\":\"7\",\"kind\":"
			 "\"water_depth\",\"severity\":\"red\",\"district\":\"310101\","
			 "\"location\":%s}", loc[i]);
		in = parse(buf);
		hv[0] = jv_null();
		hv[1] = jv_null();
		tv[0] = jv_string("raised");
		tv[1] = jv_null();
		assert_int_equal(tn_alert_check_doc(in, (struct tn_alert_around){ head, hv, 2 },
						    (struct tn_alert_around){ tail, tv, 2 }, &doc, &msg,
						    &text, &err), TN_OK);
		assert_non_null(strstr(text.buf, "\"location\":{\"lat\":31.2,\"lon\":121.4,"
				       "\"address\":\"外滩\"},\"value\":null,"));
		d = jv_dump_string(doc, 0);
		assert_string_equal(text.buf, jv_string_value(d));
		tn_buf_setlen(&text, 0);
		jv_free(d);
		jv_free(msg);
		jv_free(in);
	}
	tn_buf_release(&text);
}

static void test_spec(void **state)
{
	struct tn_alert_spec spec = { 0 };
	struct tn_err err = TN_ERR_INIT;
	jv out = jv_invalid(), v;

	assert_false(tn_alert_spec_any(&spec));
	spec.expires_at = "2026-07-01T12:00:00+08:00";
	assert_true(tn_alert_spec_any(&spec));
	spec.source = "pump-0193";
	spec.lat = "31.2";
	spec.lon = "121.5";
	spec.value = "3";
	assert_int_equal(tn_alert_apply_spec(parse("{\"kind\":\"pump_fault\",\"source\":\"old\"}"),
					     &spec, &out, &err), TN_OK);
	v = jv_dump_string(out, JV_PRINT_SORTED);
	assert_string_equal(jv_string_value(v),
			    "{\"expires_at\":\"2026-07-01T12:00:00+08:00\",\"kind\":\"pump_fault\","
			    "\"location\":{\"lat\":31.2,\"lon\":121.5},\"source\":\"pump-0193\",\"value\":3}");
	jv_free(v);
	spec.lat = "north";
	assert_int_equal(tn_alert_apply_spec(jv_null(), &spec, &out, &err), TN_EUSAGE);
	assert_string_equal(err.message, "--lat takes a number, not 'north'");
}

static void test_row(void **state)
{
	struct tn_buf b = TN_BUF_INIT;
	jv a = parse("{\"id\":7,\"seq\":9,\"severity\":\"red\",\"district\":\"310115\",\"kind\":\"water_depth\","
		     "\"status\":\"dispatched\",\"headline\":\"外滩积水\",\"updated_at\":\"2026-07-01T10:11:12+08:00\"}");

	tn_alert_format_row(&b, a, 0, 0);
	assert_string_equal(b.buf, "       9  10:11:12  red     浦东新区  water_depth     dispatched    外滩积水");
	tn_buf_reset(&b);
	tn_alert_format_row(&b, a, 0, 1);
	assert_non_null(strstr(b.buf, "\033[1;31mred   \033[0m"));
	assert_int_equal(tn_alert_ll(a, "id"), 7);
	assert_int_equal(tn_alert_ll(a, "nope"), -1);
	jv_free(a);
	tn_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_severity_names),
		cmocka_unit_test(test_districts),
		cmocka_unit_test(test_times_and_kinds),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_derived_source_id_is_stable),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_check_doc),
		cmocka_unit_test(test_spec),
		cmocka_unit_test(test_row),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
