/* test_out.c — output formats with Chinese text, display widths, cutting, csv/tsv quoting, --jq, --fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jv.h>

#include "tn_buf.h"
#include "tn_out.h"
#include "tn_text.h"

static const char people[] =
	"[{\"id\":\"C1\",\"name\":\"张三\",\"dept\":\"民政局\",\"days\":3,\"item\":{\"code\":\"310001\",\"name\":\"婚姻登记\"}},"
	" {\"id\":\"C22\",\"name\":\"Alice\",\"dept\":\"x\",\"days\":0.5,\"item\":{\"code\":\"310002\",\"name\":null}}]";

static const char *cols3[] = { "id", "name", "dept", NULL };

/*
 * Open an output on a memory stream with the given options, emit every element
 * of the JSON array `records`, close; returns the text (caller frees) and the
 * first failing code in *rc with its message in *err.
 */
static char *render(const char *format, const char *jq, const char *fields, int is_list,
		    const char **cols, const char *records, enum tn_code *rc, struct tn_err *err)
{
	struct tn_common c;
	struct tn_out out;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	jv recs = jv_parse(records);
	enum tn_code r;

	assert_non_null(fp);
	assert_true(jv_is_valid(recs));
	memset(&c, 0, sizeof(c));
	c.retries = -1;
	c.format = format;
	c.jq = jq;
	c.fields = fields;
	tn_err_clear(err);
	*rc = tn_out_open(&out, fp, &c, is_list, cols, err);
	if (*rc != TN_OK) {
		jv_free(recs);
		fclose(fp);
		return text;
	}
	jv_array_foreach(recs, i, rec) {
		r = tn_out_emit(&out, rec, err);
		if (r != TN_OK && *rc == TN_OK)
			*rc = r;
	}
	jv_free(recs);
	{
		struct tn_err cerr = TN_ERR_INIT;
		r = tn_out_close(&out, &cerr);
		if (r != TN_OK && *rc == TN_OK) {
			*rc = r;
			*err = cerr;
		}
	}
	fclose(fp);
	return text;
}

/* render and expect success and exactly `want` */
static void expect_output(const char *format, const char *jq, const char *fields, int is_list,
			  const char **cols, const char *records, const char *want)
{
	struct tn_err err = TN_ERR_INIT;
	enum tn_code rc;
	char *got = render(format, jq, fields, is_list, cols, records, &rc, &err);

	if (rc != TN_OK)
		fail_msg("format %s: %s", format ? format : "auto", err.message);
	if (strcmp(got, want)) {
		print_error("format %s jq %s fields %s\n--- got:\n%s--- want:\n%s---\n",
			    format ? format : "auto", jq ? jq : "-", fields ? fields : "-", got, want);
		free(got);
		fail();
	}
	free(got);
}

static void test_display_width(void **state)
{
	assert_int_equal(tn_display_width(""), 0);
	assert_int_equal(tn_display_width("abc"), 3);
	assert_int_equal(tn_display_width("张三"), 4);
	assert_int_equal(tn_display_width("a张b"), 4);
	assert_int_equal(tn_display_width("民政局，"), 8);             /* fullwidth comma */
	assert_int_equal(tn_display_width("ＡＢ"), 4);                 /* fullwidth letters */
	assert_int_equal(tn_display_width("한국"), 4);                 /* Hangul */
	assert_int_equal(tn_display_width("か"), 2);
	assert_int_equal(tn_display_width("\xF0\x9F\x98\x80"), 2);     /* emoji U+1F600 */
	assert_int_equal(tn_display_width("\xF0\xA0\x80\x80"), 2);     /* CJK ext. B U+20000 */
	assert_int_equal(tn_display_width("Zoe\xCC\x88"), 3);          /* e + combining diaeresis */
	assert_int_equal(tn_display_width("é…"), 2);
	assert_int_equal(tn_display_width("\xFF\xFE"), 2);             /* invalid bytes count 1 */
	assert_int_equal(tn_display_width("\xE5\xBC"), 2);             /* a cut character: 2 bad bytes */
}

static void test_utf8_valid(void **state)
{
	assert_true(tn_utf8_valid("张三 abc", strlen("张三 abc")));
	assert_true(tn_utf8_valid("", 0));
	assert_false(tn_utf8_valid("\xE5\xBC", 2));                    /* truncated */
	assert_false(tn_utf8_valid("\xC0\xAF", 2));                    /* overlong '/' */
	assert_false(tn_utf8_valid("\xED\xA0\x80", 3));                /* surrogate */
	assert_false(tn_utf8_valid("\xF4\x90\x80\x80", 4));            /* past U+10FFFF */
	assert_false(tn_utf8_valid("a\xFF", 2));
	/* len is honoured: the first 3 bytes of 张三 are one whole character */
	assert_true(tn_utf8_valid("张三", 3));
	assert_false(tn_utf8_valid("张三", 4));
}

static void expect_fit(const char *s, int width, int pad, const char *want)
{
	struct tn_buf b = TN_BUF_INIT;

	tn_fit_width(&b, s, width, pad);
	if (strcmp(b.buf, want))
		fail_msg("fit '%s' in %d (pad %d): got '%s', want '%s'", s, width, pad, b.buf, want);
	assert_true(tn_utf8_valid(b.buf, b.len));
	if (pad && width > 0)
		assert_int_equal(tn_display_width(b.buf), width);
	else
		assert_true(tn_display_width(b.buf) <= (width > 0 ? width : 0));
	tn_buf_release(&b);
}

static void test_fit_width(void **state)
{
	expect_fit("张三丰", 6, 0, "张三丰");
	expect_fit("张三丰", 7, 1, "张三丰 ");
	expect_fit("张三丰", 5, 0, "张三…");
	expect_fit("张三丰", 4, 0, "张…");          /* 三 would need columns 3-4 */
	expect_fit("张三丰", 4, 1, "张… ");
	expect_fit("张三丰", 2, 1, "… ");
	expect_fit("张三丰", 1, 0, "…");
	expect_fit("张三丰", 0, 1, "");
	expect_fit("abcdef", 3, 0, "ab…");
	expect_fit("abc", 3, 1, "abc");
	expect_fit("Zoe\xCC\x88yz", 4, 0, "Zoe\xCC\x88…");   /* the mark stays with its letter */
	expect_fit("a\tb\nc", 5, 0, "a b c");       /* controls shown as spaces */
	expect_fit("a\xFF", 2, 0, "a\xEF\xBF\xBD"); /* a bad byte shown as U+FFFD */
	for (int w = 1; w < 12; w++)
		for (int pad = 0; pad < 2; pad++) {
			struct tn_buf b = TN_BUF_INIT;

			tn_fit_width(&b, "民政局婚姻登记处abc", w, pad);
			assert_true(tn_utf8_valid(b.buf, b.len));
			assert_true(tn_display_width(b.buf) <= w);
			tn_buf_release(&b);
		}
}

static void test_table_chinese(void **state)
{
	unsetenv("COLUMNS");
	expect_output("table", NULL, NULL, 1, cols3, people,
		      "ID   NAME   DEPT\n"
		      "C1   张三   民政局\n"
		      "C22  Alice  x\n");
	/* columns from the first record's keys, dotted and numeric cells */
	expect_output("table", NULL, "name,item.name,days", 1, cols3, people,
		      "NAME   ITEM.NAME  DAYS\n"
		      "张三   婚姻登记   3\n"
		      "Alice             0.5\n");
	expect_output("table", NULL, NULL, 1, NULL, "[{\"编号\":\"甲\",\"b\":1}]",
		      "编号  B\n"
		      "甲    1\n");
	expect_output("table", NULL, NULL, 1, cols3, "[]", "");
}

static void test_table_fits_terminal(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	enum tn_code rc;
	const char *recs =
		"[{\"id\":\"C1\",\"title\":\"上海市民政局婚姻登记处关于结婚登记预约的说明\",\"s\":\"ok\"},"
		" {\"id\":\"C2\",\"title\":\"short\",\"s\":\"ok\"}]";
	const char *cols[] = { "id", "title", "s", NULL };
	char *text, *line, *save = NULL;
	int lines = 0;

	setenv("COLUMNS", "30", 1);
	text = render("table", NULL, NULL, 1, cols, recs, &rc, &err);
	unsetenv("COLUMNS");
	assert_int_equal(rc, TN_OK);
	assert_true(tn_utf8_valid(text, strlen(text)));
	assert_non_null(strstr(text, "…"));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lines++;
		assert_true(tn_display_width(line) <= 30);
	}
	assert_int_equal(lines, 3);
	free(text);
	/* the last column stays aligned: "ok" starts in the same display column */
	setenv("COLUMNS", "30", 1);
	text = render("table", NULL, NULL, 1, cols, recs, &rc, &err);
	unsetenv("COLUMNS");
	{
		char *l2 = strchr(text, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
		char *ok2 = strstr(l2, "ok"), *ok3 = strstr(l3, "ok");
		struct tn_buf a = TN_BUF_INIT, b = TN_BUF_INIT;

		tn_buf_add(&a, l2, (size_t)(ok2 - l2));
		tn_buf_add(&b, l3, (size_t)(ok3 - l3));
		assert_int_equal(tn_display_width(a.buf), tn_display_width(b.buf));
		tn_buf_release(&a);
		tn_buf_release(&b);
	}
	free(text);
}

static void test_table_color(void **state)
{
	struct tn_common c;
	struct tn_out out;
	struct tn_err err = TN_ERR_INIT;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	memset(&c, 0, sizeof(c));
	c.format = "table";
	assert_int_equal(tn_out_open(&out, fp, &c, 1, cols3, &err), TN_OK);
	assert_int_equal(out.color, 0);             /* not a TTY: no colour */
	out.color = 1;
	assert_int_equal(tn_out_emit(&out, jv_parse("{\"id\":\"1\",\"name\":\"张三\",\"dept\":\"d\"}"), &err), TN_OK);
	assert_int_equal(tn_out_close(&out, &err), TN_OK);
	fclose(fp);
	assert_string_equal(text, "\033[1mID\033[0m  \033[1mNAME\033[0m  \033[1mDEPT\033[0m\n"
				  "1   张三  d\n");
	free(text);
}

static void test_csv(void **state)
{
	expect_output("csv", NULL, NULL, 1, cols3, people,
		      "id,name,dept\n"
		      "C1,张三,民政局\n"
		      "C22,Alice,x\n");
	expect_output("csv", NULL, "id,note,item.code,ok,n", 1, NULL,
		      "[{\"id\":\"1\",\"note\":\"王五, \\\"小王\\\"\\n第二行\",\"item\":{\"code\":\"3100\"},\"ok\":true,\"n\":null}]",
		      "id,note,item.code,ok,n\n"
		      "1,\"王五, \"\"小王\"\"\n第二行\",3100,true,\n");
	/* nested values as JSON, quoted because they hold commas and quotes */
	expect_output("csv", NULL, "a", 1, NULL, "[{\"a\":[1,\"x\"]}]",
		      "a\n\"[1,\"\"x\"\"]\"\n");
}

static void test_tsv(void **state)
{
	expect_output("tsv", NULL, NULL, 1, cols3, people,
		      "id\tname\tdept\n"
		      "C1\t张三\t民政局\n"
		      "C22\tAlice\tx\n");
	expect_output("tsv", NULL, "a,b", 1, NULL, "[{\"a\":\"x\\ty\\nz\\\\w\",\"b\":\"中\"}]",
		      "a\tb\n"
		      "x\\ty\\nz\\\\w\t中\n");
}

static void test_json_and_ndjson(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	enum tn_code rc;
	char *text;
	jv back, orig;

	expect_output("ndjson", NULL, NULL, 1, cols3, "[{\"name\":\"张三\",\"n\":1},{\"name\":\"李四\"}]",
		      "{\"name\":\"张三\",\"n\":1}\n{\"name\":\"李四\"}\n");
	expect_output("json", NULL, NULL, 1, cols3, "[{\"name\":\"张三\",\"n\":[1,2]},{\"name\":\"李四\"}]",
		      "[\n"
		      "  {\n"
		      "    \"name\": \"张三\",\n"
		      "    \"n\": [\n"
		      "      1,\n"
		      "      2\n"
		      "    ]\n"
		      "  },\n"
		      "  {\n"
		      "    \"name\": \"李四\"\n"
		      "  }\n"
		      "]\n");
	expect_output("json", NULL, NULL, 1, NULL, "[]", "[]\n");
	expect_output("json", NULL, NULL, 0, NULL, "[{\"name\":\"张三\"}]",
		      "{\n  \"name\": \"张三\"\n}\n");
	/* not a TTY: lists default to ndjson, single documents to json */
	expect_output(NULL, NULL, NULL, 1, cols3, "[{\"a\":1},{\"a\":2}]", "{\"a\":1}\n{\"a\":2}\n");
	expect_output(NULL, NULL, NULL, 0, cols3, "[{\"a\":1}]", "{\n  \"a\": 1\n}\n");

	/* a json list reads back as the same array */
	text = render("json", NULL, NULL, 1, NULL, people, &rc, &err);
	assert_int_equal(rc, TN_OK);
	back = jv_parse(text);
	orig = jv_parse(people);
	assert_true(jv_equal(back, orig));
	free(text);
}

static void test_fields(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	enum tn_code rc;
	char *text;

	expect_output("ndjson", NULL, "id,item.name", 1, NULL, people,
		      "{\"id\":\"C1\",\"item\":{\"name\":\"婚姻登记\"}}\n"
		      "{\"id\":\"C22\",\"item\":{\"name\":null}}\n");
	expect_output("ndjson", NULL, " name , missing ", 1, NULL, "[{\"name\":\"张三\"}]",
		      "{\"name\":\"张三\",\"missing\":null}\n");
	expect_output("json", NULL, "dept", 0, NULL, people,
		      "{\n  \"dept\": \"民政局\"\n}\n{\n  \"dept\": \"x\"\n}\n");
	text = render("table", NULL, "id,,name", 1, NULL, people, &rc, &err);
	assert_int_equal(rc, TN_EUSAGE);
	assert_string_equal(err.message, "--fields 'id,,name': empty field name");
	free(text);
}

static void test_jq(void **state)
{
	/* strings raw, other values as compact JSON lines */
	expect_output(NULL, ".name", NULL, 1, cols3, people, "张三\nAlice\n");
	expect_output(NULL, "{n: .name, d: .days}", NULL, 1, cols3, people,
		      "{\"n\":\"张三\",\"d\":3}\n{\"n\":\"Alice\",\"d\":0.5}\n");
	expect_output(NULL, "select(.days > 1) | .id", NULL, 1, cols3, people, "C1\n");
	expect_output(NULL, ".item | .code, .name", NULL, 0, NULL, people,
		      "310001\n婚姻登记\n310002\nnull\n");
	expect_output(NULL, "empty", NULL, 1, cols3, people, "");
	/* with --format the jq outputs are records of that format */
	expect_output("csv", "{id, who: .name}", NULL, 1, NULL, people,
		      "id,who\nC1,张三\nC22,Alice\n");
	expect_output("table", "{id, who: .name}", "who", 1, NULL, people,
		      "WHO\n张三\nAlice\n");
}

static void test_jq_errors(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	enum tn_code rc;
	char *text;
	struct tn_jq *jq;
	jv res = jv_invalid();

	/* compile errors: usage errors with jq's message, nothing run */
	text = render("ndjson", ".name | {", NULL, 1, NULL, people, &rc, &err);
	assert_int_equal(rc, TN_EUSAGE);
	assert_non_null(strstr(err.message, "--jq: syntax error"));
	assert_null(strstr(err.message, "compile error"));
	assert_true(text == NULL || !strcmp(text, ""));
	free(text);
	assert_null(tn_jq_compile("nosuchfunction(1)", &err));
	assert_int_equal(err.code, TN_EUSAGE);
	assert_non_null(strstr(err.message, "nosuchfunction/1 is not defined"));
	assert_null(tn_jq_compile("", &err));
	assert_int_equal(err.code, TN_EUSAGE);

	/* runtime errors: invalid input, with what ran before it kept */
	text = render("ndjson", ".item.code | .x", NULL, 1, NULL, people, &rc, &err);
	assert_int_equal(rc, TN_EINVALID);
	assert_string_equal(err.message, "--jq: Cannot index string with string \"x\"");
	free(text);
	text = render(NULL, "if .id == \"C22\" then error(\"bad case \\(.id)\") else .id end", NULL, 1,
		      NULL, people, &rc, &err);
	assert_int_equal(rc, TN_EINVALID);
	assert_string_equal(err.message, "--jq: bad case C22");
	assert_string_equal(text, "C1\n");
	free(text);
	text = render(NULL, "error({a: 1})", NULL, 1, NULL, "[1]", &rc, &err);
	assert_int_equal(rc, TN_EINVALID);
	assert_string_equal(err.message, "--jq: {\"a\":1} (not a string)");
	free(text);

	/* one compiled program, many runs */
	jq = tn_jq_compile(".[] | . * 2", &err);
	assert_non_null(jq);
	for (int i = 0; i < 100; i++)
		assert_int_equal(tn_jq_run(jq, jv_parse("[1,2,3]"), &res, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(res)), 300);
	assert_int_equal((int)jv_number_value(jv_array_get(jv_copy(res), 299)), 6);
	jv_free(res);
	tn_jq_free(jq);
}

static void test_formats(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	enum tn_code rc;
	char *text;

	assert_int_equal(tn_format_parse(NULL), TN_FMT_AUTO);
	assert_int_equal(tn_format_parse("json"), TN_FMT_JSON);
	assert_int_equal(tn_format_parse("ndjson"), TN_FMT_NDJSON);
	assert_int_equal(tn_format_parse("table"), TN_FMT_TABLE);
	assert_int_equal(tn_format_parse("csv"), TN_FMT_CSV);
	assert_int_equal(tn_format_parse("tsv"), TN_FMT_TSV);
	assert_int_equal(tn_format_parse("xml"), -1);
	assert_int_equal(tn_format_parse("JSON"), -1);
	text = render("xml", NULL, NULL, 1, NULL, "[]", &rc, &err);
	assert_int_equal(rc, TN_EUSAGE);
	assert_string_equal(err.message, "unknown format 'xml' (json, ndjson, table, csv, tsv)");
	free(text);
}

static void test_cell_text(void **state)
{
	jv v = jv_parse("{\"s\":\"张三\",\"i\":3,\"f\":0.1,\"neg\":-2.5,\"big\":1e20,\"z\":-0,"
			"\"n\":null,\"t\":true,\"o\":{\"a\":[1,{\"b\":\"x\"}]},\"id\":\"110105194912310021\"}");
	struct { const char *path, *want; } cases[] = {
		{ "s", "张三" }, { "i", "3" }, { "f", "0.1" }, { "neg", "-2.5" }, { "big", "1e+20" },
		{ "z", "0" }, { "n", "" }, { "missing", "" }, { "t", "true" },
		{ "o", "{\"a\":[1,{\"b\":\"x\"}]}" }, { "o.a.0", "1" }, { "o.a.1.b", "x" },
		{ "o.a.5", "" }, { "s.x", "" }, { "id", "110105194912310021" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *c = tn_cell_text(v, cases[i].path);

		if (strcmp(c, cases[i].want))
			fail_msg("cell '%s': got '%s', want '%s'", cases[i].path, c, cases[i].want);
		free(c);
	}
	jv_free(v);
}

static void test_broken_pipe(void **state)
{
	struct tn_common c;
	struct tn_out out;
	struct tn_err err = TN_ERR_INIT;
	int fds[2];
	FILE *fp;

	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	fp = fdopen(fds[1], "w");
	assert_non_null(fp);
	memset(&c, 0, sizeof(c));
	c.format = "ndjson";
	assert_int_equal(tn_out_open(&out, fp, &c, 1, NULL, &err), TN_OK);
	for (int i = 0; i < 10; i++)
		assert_int_equal(tn_out_emit(&out, jv_parse("{\"name\":\"张三\"}"), &err), TN_OK);
	assert_int_equal(out.broken_pipe, 1);
	assert_int_equal(tn_out_close(&out, &err), TN_OK);
	fclose(fp);
	signal(SIGPIPE, SIG_DFL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_display_width),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_fit_width),
		cmocka_unit_test(test_table_chinese),
		cmocka_unit_test(test_table_fits_terminal),
		cmocka_unit_test(test_table_color),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_tsv),
		cmocka_unit_test(test_json_and_ndjson),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_jq),
		cmocka_unit_test(test_jq_errors),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_cell_text),
		cmocka_unit_test(test_broken_pipe),
	};

	unsetenv("NO_COLOR");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
