/* test_rules.c — the rules kept once in lib: error field and HTTP status, idempotency keys, text helpers, today, case moves, parties, forms. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tn_buf.h"
#include "tn_cli.h"
#include "tn_cal.h"
#include "tn_case.h"
#include "tn_err.h"
#include "tn_http.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_text.h"
#include "tn_today.h"

static jv J(const char *text)
{
	jv v = tn_json_parse(text, strlen(text));

	assert_true(jv_is_valid(v));
	return v;
}

static void test_err_field(void **state)
{
	struct tn_err err = TN_ERR_INIT;

	(void)state;
	assert_string_equal(err.field, "");
	assert_int_equal(tn_err_field(&err, TN_EINVALID, "applicant.id", "bad %d", 1), TN_EINVALID);
	assert_string_equal(err.field, "applicant.id");
	assert_string_equal(err.message, "bad 1");
	tn_err_prefix(&err, "line %d", 3);
	assert_string_equal(err.field, "applicant.id");
	assert_string_equal(err.message, "line 3: bad 1");
	tn_err_set(&err, TN_EIO, "other");
	assert_string_equal(err.field, "");
	tn_err_field(&err, TN_EINVALID, NULL, "x");
	assert_string_equal(err.field, "");
	tn_err_field(&err, TN_EINVALID, "m", "x");
	err.http_status = 422;
	tn_err_clear(&err);
	assert_int_equal(err.code, TN_OK);
	assert_int_equal(err.http_status, 0);
	assert_string_equal(err.field, "");
	assert_int_equal(tn_err_field(NULL, TN_ECONFLICT, "f", "y"), TN_ECONFLICT);
}

static void test_http_column(void **state)
{
	(void)state;
	/* what twonetd's reply_error answers */
	assert_int_equal(tn_code_http_status(TN_ENOTFOUND), 404);
	assert_int_equal(tn_code_http_status(TN_ECONFLICT), 409);
	assert_int_equal(tn_code_http_status(TN_EINVALID), 422);
	assert_int_equal(tn_code_http_status(TN_EUSAGE), 400);
	assert_int_equal(tn_code_http_status(TN_EAUTH), 403);
	assert_int_equal(tn_code_http_status(TN_ESERVER), 503);
	assert_int_equal(tn_code_http_status(TN_EIO), 500);
	assert_int_equal(tn_code_http_status(TN_ENOMEM), 500);
	assert_int_equal(tn_code_http_status(TN_EINTERNAL), 500);
	assert_int_equal(tn_code_http_status(TN_EPARTIAL), 500);
	assert_int_equal(tn_code_http_status((enum tn_code)99), 500);
	/* how the client reads a status */
	assert_int_equal(tn_code_from_http(200), TN_OK);
	assert_int_equal(tn_code_from_http(201), TN_OK);
	assert_int_equal(tn_code_from_http(304), TN_OK);
	assert_int_equal(tn_code_from_http(0), TN_OK);
	for (long s = 400; s < 500; s++) {
		enum tn_code want = TN_EINVALID;

		if (s == 401 || s == 403)
			want = TN_EAUTH;
		else if (s == 404)
			want = TN_ENOTFOUND;
		else if (s == 409 || s == 412 || s == 428)
			want = TN_ECONFLICT;
		else if (s == 410)
			want = TN_ERESET;
		assert_int_equal(tn_code_from_http(s), want);
	}
	assert_int_equal(tn_code_from_http(500), TN_ESERVER);
	assert_int_equal(tn_code_from_http(503), TN_ESERVER);
	/* every status the server sends reads back as its code */
	for (int c = TN_EUSAGE; c < TN_CODE_COUNT; c++)
		if (c == TN_EUSAGE || c == TN_ENOTFOUND || c == TN_EAUTH || c == TN_ECONFLICT ||
		    c == TN_EINVALID || c == TN_ESERVER || c == TN_ERESET)
			assert_int_equal(tn_code_from_http(tn_code_http_status((enum tn_code)c)),
					 c == TN_EUSAGE ? TN_EINVALID : c);
}

static void test_idem(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	char k129[130], out[80];

	(void)state;
	assert_int_equal(tn_idem_key_check("a", &err), TN_OK);
	assert_int_equal(tn_idem_key_check("order 42/x~", NULL), TN_OK);
	memset(k129, 'k', 129);
	k129[129] = '\0';
	assert_int_equal(tn_idem_key_check(k129, &err), TN_EINVALID);
	assert_string_equal(err.field, "key");
	assert_string_equal(err.message, "must be 1 to 128 printable characters");
	k129[128] = '\0';
	assert_int_equal(tn_idem_key_check(k129, NULL), TN_OK);
	assert_int_equal(tn_idem_key_check("", NULL), TN_EINVALID);
	assert_int_equal(tn_idem_key_check("tab\there", NULL), TN_EINVALID);
	assert_int_equal(tn_idem_key_check("del\x7f", NULL), TN_EINVALID);
	assert_int_equal(tn_idem_key_check("caf\xc3\xa9", NULL), TN_EINVALID);
	assert_int_equal(tn_idem_key_check(NULL, &err), TN_EINVALID);
	/* derived keys: SHA-256("abc") = ba7816bf... */
	assert_int_equal(tn_idem_key_derive("alert-", "abc", 3, 32, out, sizeof(out)), 0);
	assert_string_equal(out, "alert-ba7816bf8f01cfea414140de5dae2223");
	assert_int_equal(tn_idem_key_derive(NULL, "abc", 3, 100, out, sizeof(out)), 0);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(tn_idem_key_derive("sha256:", "abc", 3, 8, out, 10), 0);
	assert_string_equal(out, "sha256:ba");
}

static void test_text(void **state)
{
	struct tn_buf b = TN_BUF_INIT;
	char hex[65];

	(void)state;
	assert_int_equal(tn_utf8_chars(""), 0);
	assert_int_equal(tn_utf8_chars("abc"), 3);
	assert_int_equal(tn_utf8_chars("上海市"), 3);
	assert_int_equal(tn_utf8_chars("a\xf0\x9f\x98\x80"), 2);
	assert_true(tn_utf8_valid("上海", strlen("上海")));
	assert_false(tn_utf8_valid("\xc0\xaf", 2));              /* overlong */
	assert_false(tn_utf8_valid("\xed\xa0\x80", 3));          /* surrogate */
	assert_false(tn_utf8_valid("\xf4\x90\x80\x80", 4));      /* past U+10FFFF */
	assert_false(tn_utf8_valid("\xe4\xb8", 2));              /* cut short */
	assert_int_equal(tn_sha256_hex("", 0, hex), 0);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(tn_sha256_hex("abc", 3, hex), 0);     /* the thread's context again */
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	tn_xml_escape(&b, "a<b>&\"'\r\x01\xef\xbf\xbe\tz");
	assert_string_equal(b.buf, "a&lt;b&gt;&amp;&quot;&#39;&#13; \xef\xbf\xbd\tz");
	tn_xml_escape(&b, NULL);
	tn_buf_release(&b);
}

static void test_today(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	char buf[16];
	long d, want;

	(void)state;
	unsetenv(TN_TODAY_ENV);
	assert_int_equal(tn_today(), tn_date_today());
	setenv(TN_TODAY_ENV, "2026-12-20", 1);
	assert_int_equal(tn_date_parse("2026-12-20", &want), 0);
	assert_int_equal(tn_today(), want);
	tn_today_str(buf, sizeof(buf));
	assert_string_equal(buf, "2026-12-20");
	assert_int_equal(tn_today_get(NULL, &d, &err), TN_OK);
	assert_int_equal(d, want);
	assert_int_equal(tn_today_get("2026-01-05", &d, &err), TN_OK);
	assert_int_equal(tn_date_parse("2026-01-05", &want), 0);
	assert_int_equal(d, want);
	assert_int_equal(tn_today_get("someday", &d, &err), TN_EUSAGE);
	assert_string_equal(err.message, "invalid --today 'someday' (YYYY-MM-DD)");
	setenv(TN_TODAY_ENV, "2026-02-30", 1);
	assert_int_equal(tn_today(), tn_date_today());       /* not a date: ignored */
	assert_int_equal(tn_today_get(NULL, &d, &err), TN_EUSAGE);
	assert_string_equal(err.message, "invalid TWONET_TODAY '2026-02-30' (YYYY-MM-DD)");
	/* the certificates' date is the real one in China */
	tn_today_china_str(buf, sizeof(buf));
	assert_int_equal(strlen(buf), 10);
	assert_int_equal(tn_date_parse(buf, &d), 0);
	unsetenv(TN_TODAY_ENV);
}

static void test_case_moves(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	enum tn_case_state to;
	int act;

	(void)state;
	assert_string_equal(TN_CASE_STATE_LIST,
			    "submitted|accepted|returned|resubmitted|approved|rejected|completed");
	assert_string_equal(TN_CASE_ACTION_LIST, "accept|return|resubmit|approve|reject|complete");
	assert_int_equal(TN_CASE_STATE_COUNT, 7);
	assert_int_equal(TN_CASE_ACTION_COUNT, 6);
	assert_int_equal(tn_case_state_parse("resubmitted"), TN_CASE_RESUBMITTED);
	assert_int_equal(tn_case_state_parse("Accepted"), -1);
	assert_int_equal(tn_case_state_parse(NULL), -1);
	assert_string_equal(tn_case_state_name(TN_CASE_COMPLETED), "completed");
	assert_string_equal(tn_case_state_label(TN_CASE_ACCEPTED), "已受理");
	assert_null(tn_case_state_name(TN_CASE_STATE_COUNT));
	assert_false(tn_case_state_open(TN_CASE_REJECTED));
	assert_false(tn_case_state_open(TN_CASE_COMPLETED));
	assert_true(tn_case_state_open(TN_CASE_RETURNED));
	assert_true(tn_case_action_valid("complete"));
	assert_false(tn_case_action_valid("archive"));
	assert_int_equal(tn_case_move(TN_CASE_REJECT)->key, 'x');
	assert_int_equal(tn_case_move(TN_CASE_RESUBMIT)->key, 0);
	assert_null(tn_case_move(-1));

	/* the server's table, move by move */
	static const struct { const char *action, *from, *to; int comment; } ok[] = {
		{ "accept", "submitted", "accepted", 0 }, { "accept", "resubmitted", "accepted", 0 },
		{ "return", "submitted", "returned", 1 }, { "return", "resubmitted", "returned", 1 },
		{ "return", "accepted", "returned", 1 }, { "resubmit", "returned", "resubmitted", 0 },
		{ "approve", "accepted", "approved", 0 }, { "reject", "submitted", "rejected", 1 },
		{ "reject", "resubmitted", "rejected", 1 }, { "reject", "accepted", "rejected", 1 },
		{ "complete", "approved", "completed", 0 },
	};
	int allowed = 0;
	for (int a = 0; a < TN_CASE_ACTION_COUNT; a++)
		for (int s = 0; s < TN_CASE_STATE_COUNT; s++) {
			const char *an = tn_case_move(a)->name, *sn = tn_case_state_name(s);
			enum tn_code rc = tn_case_transition(sn, an, "clerk", "why", &to, &err);
			int listed = 0;

			for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
				if (!strcmp(ok[i].action, an) && !strcmp(ok[i].from, sn)) {
					listed = 1;
					assert_string_equal(tn_case_state_name((int)to), ok[i].to);
					assert_int_equal(tn_case_move(a)->needs_comment, ok[i].comment);
				}
			assert_int_equal(rc, listed ? TN_OK : TN_ECONFLICT);
			allowed += listed;
		}
	assert_int_equal(allowed, 11);

	assert_int_equal(tn_case_transition("accepted", "approve", "admin", NULL, &to, &err), TN_OK);
	assert_int_equal(to, TN_CASE_APPROVED);
	assert_int_equal(tn_case_transition("accepted", "return", "clerk", "", &to, &err), TN_EINVALID);
	assert_string_equal(err.message, "a comment is required to return a case");
	assert_string_equal(err.field, "comment");
	assert_int_equal(tn_case_transition("approved", "accept", "clerk", NULL, &to, &err), TN_ECONFLICT);
	assert_string_equal(err.message, "cannot accept a case that is approved");
	assert_string_equal(err.field, "");
	assert_int_equal(tn_case_transition(NULL, "accept", NULL, NULL, &to, &err), TN_ECONFLICT);
	assert_string_equal(err.message, "cannot accept a case that is of no status");
	assert_int_equal(tn_case_transition("submitted", "archive", "clerk", NULL, &to, &err), TN_EINVALID);
	assert_string_equal(err.message, "unknown action 'archive'");
	assert_string_equal(err.field, "action");
	assert_int_equal(tn_case_action_check("accept", "applicant", &act, &err), TN_EAUTH);
	assert_string_equal(err.message, "an applicant may only resubmit a case");
	assert_int_equal(tn_case_action_check("accept", "operator", &act, &err), TN_EAUTH);
	assert_string_equal(err.message, "role 'operator' may not accept a case");
	assert_int_equal(tn_case_action_check("resubmit", "applicant", &act, &err), TN_OK);
	assert_int_equal(act, TN_CASE_RESUBMIT);
	assert_int_equal(tn_case_transition("returned", "resubmit", "applicant", NULL, &to, &err), TN_OK);
	assert_int_equal(to, TN_CASE_RESUBMITTED);
}

static void test_party(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	char warning[300] = "x";

	(void)state;
	assert_string_equal(tn_party_type_of("110101199003070003"), "person");
	assert_string_equal(tn_party_type_of("11010119900307000x"), "person");
	assert_string_equal(tn_party_type_of("91350100M000100Y43"), "org");
	assert_string_equal(tn_party_type_of(NULL), "org");
	assert_int_equal(tn_party_check_id("applicant", NULL, "110101199003070003", warning,
					   sizeof(warning), &err), TN_OK);
	assert_string_equal(warning, "");
	assert_int_equal(tn_party_check_id("holder", "org", "91350100M000100Y43", NULL, 0, &err), TN_OK);
	assert_int_equal(tn_party_check_id("applicant", "person", "110101199003070004", NULL, 0, &err),
			 TN_EINVALID);
	assert_string_equal(err.field, "applicant.id");
	assert_non_null(strstr(err.message, "check character is '4'"));
	assert_int_equal(tn_party_check_id("holder", "org", "110101199003070003", NULL, 0, &err),
			 TN_EINVALID);
	assert_string_equal(err.field, "holder.id");
	assert_int_equal(tn_party_check_id("holder", "robot", "x", NULL, 0, &err), TN_EINVALID);
	assert_string_equal(err.field, "holder.type");
	assert_string_equal(err.message, "must be 'person' or 'org'");
	assert_int_equal(tn_party_check_id("applicant", "person", NULL, NULL, 0, &err), TN_EINVALID);
	assert_string_equal(err.message, "missing");
}

static void test_form(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	jv item = J("{\"code\":\"I\",\"fields\":["
		    "{\"name\":\"shop_name\",\"type\":\"string\",\"required\":true},"
		    "{\"name\":\"area\",\"type\":\"number\"},"
		    "{\"name\":\"kind\",\"type\":\"enum\",\"values\":[\"a\",\"b\"]}]}");
	jv form;

	(void)state;
	form = J("{\"shop_name\":\"Noodles\",\"area\":42,\"kind\":\"a\"}");
	assert_int_equal(tn_case_check_form(item, form, &err), TN_OK);
	jv_free(form);
	form = J("{\"shop_name\":\"Noodles\",\"colour\":\"red\"}");
	assert_int_equal(tn_case_check_form(item, form, &err), TN_EINVALID);
	assert_string_equal(err.message, "unknown form field 'colour'");
	assert_string_equal(err.field, "form.colour");
	assert_int_equal(err.http_status, 400);
	jv_free(form);
	err.http_status = 0;
	form = J("{\"shop_name\":\"\"}");
	assert_int_equal(tn_case_check_form(item, form, &err), TN_EINVALID);
	assert_string_equal(err.message, "form field 'shop_name' is required");
	assert_string_equal(err.field, "form.shop_name");
	assert_int_equal(err.http_status, 0);
	jv_free(form);
	form = J("{\"shop_name\":\"N\",\"kind\":\"c\"}");
	assert_int_equal(tn_case_check_form(item, form, &err), TN_EINVALID);
	assert_string_equal(err.field, "form.kind");
	assert_non_null(strstr(err.message, "form field 'kind': "));
	jv_free(form);
	/* no form at all: only what is required */
	assert_int_equal(tn_case_check_form(item, jv_null(), &err), TN_EINVALID);
	assert_string_equal(err.field, "form.shop_name");
	jv_free(item);
	item = J("{\"code\":\"J\"}");
	form = J("{}");
	assert_int_equal(tn_case_check_form(item, form, &err), TN_OK);
	jv_free(form);
	jv_free(item);
}

/* Every fault of a form at once, with the catalog's labels, in err->problems and as a list. */
static void test_form_all(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	jv item = J("{\"code\":\"I\",\"fields\":["
		    "{\"name\":\"shop_name\",\"label\":\"店名\",\"type\":\"string\",\"required\":true},"
		    "{\"name\":\"area\",\"label\":\"面积\",\"type\":\"number\",\"required\":true},"
		    "{\"name\":\"kind\",\"type\":\"enum\",\"values\":[\"a\",\"b\"]}]}");
	jv form = J("{\"shop_nme\":\"N\",\"area\":\"big\",\"kind\":\"c\"}"), list, p;

	(void)state;
	assert_int_equal(tn_case_check_form_all(item, form, &list, &err), TN_EINVALID);
	/* the first fault as before, and a did-you-mean */
	assert_string_equal(err.field, "form.shop_nme");
	assert_string_equal(err.message, "unknown form field 'shop_nme'; did you mean 'shop_name'?");
	assert_int_equal(err.http_status, 400);
	assert_string_equal(err.problems,
			    "form.shop_nme: not a field of this item; did you mean 'shop_name'?\n"
			    "form.shop_name (店名): required\n"
			    "form.area (面积): 'big' is not a number (at most 9007199254740991)\n"
			    "form.kind: 'c' is not one of: a, b\n");
	assert_int_equal(jv_array_length(jv_copy(list)), 4);
	p = jv_array_get(jv_copy(list), 1);
	assert_string_equal(tn_jv_str(p, "field"), "form.shop_name");
	assert_string_equal(tn_jv_str(p, "label"), "店名");
	assert_string_equal(tn_jv_str(p, "detail"), "required");
	jv_free(p);
	p = jv_array_get(jv_copy(list), 0);
	assert_true(tn_jv_has(p, "label") && tn_jv_str(p, "label") == NULL);
	jv_free(p);
	jv_free(list);
	jv_free(form);
	/* no fault: an empty list and no problems */
	tn_err_clear(&err);
	form = J("{\"shop_name\":\"N\",\"area\":3}");
	assert_int_equal(tn_case_check_form_all(item, form, &list, &err), TN_OK);
	assert_int_equal(jv_array_length(list), 0);
	assert_string_equal(err.problems, "");
	jv_free(form);
	jv_free(item);
}

/* tn_err_add_problem: lines with and without a label; a list that does not fit ends with one "…". */
static void test_err_problems(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	char detail[200];
	size_t len;

	(void)state;
	tn_err_field(&err, TN_EINVALID, "form.a", "form field 'a' is required");
	tn_err_add_problem(&err, "form.a", "甲", "required");
	tn_err_add_problem(&err, "applicant.id", NULL, "missing");
	tn_err_add_problem(&err, "form.b", "", "required");
	assert_string_equal(err.problems, "form.a (甲): required\napplicant.id: missing\nform.b: required\n");
	tn_err_prefix(&err, "stdin:3");
	assert_string_equal(err.message, "stdin:3: form field 'a' is required");
	assert_non_null(strstr(err.problems, "applicant.id: missing\n"));
	memset(detail, 'x', sizeof(detail) - 1);
	detail[sizeof(detail) - 1] = '\0';
	for (int i = 0; i < 40; i++)
		tn_err_add_problem(&err, "form.long", NULL, detail);
	len = strlen(err.problems);
	assert_true(len < sizeof(err.problems));
	assert_string_equal(err.problems + len - 4, "\xe2\x80\xa6\n");
	assert_true(err.problems[len - 5] == '\n');
	tn_err_add_problem(&err, "form.z", NULL, "z");      /* full: nothing more */
	assert_int_equal(strlen(err.problems), len);
	/* tn_err_set starts a new error: no list */
	tn_err_set(&err, TN_EINVALID, "other");
	assert_string_equal(err.problems, "");
}

/* tn_buf_read_fp: a whole input within its limit, past it, and a signal caught before the read. */
static void test_read_fp(void **state)
{
	struct tn_buf b = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	FILE *fp = tmpfile();

	(void)state;
	assert_non_null(fp);
	for (int i = 0; i < 3000; i++)
		fputs("0123456789", fp);
	rewind(fp);
	assert_int_equal(tn_buf_read_fp(&b, fp, "in", 30000, &err), TN_OK);
	assert_int_equal(b.len, 30000);
	tn_buf_reset(&b);
	rewind(fp);
	assert_int_equal(tn_buf_read_fp(&b, fp, "in", 29999, &err), TN_EINVALID);
	assert_string_equal(err.message, "in: larger than 29999 bytes");
	tn_buf_reset(&b);
	rewind(fp);
	/* last: the flag stays set for the rest of the program, as in a command */
	tn_cli_catch_signals();
	raise(SIGTERM);
	assert_int_equal(tn_buf_read_fp(&b, fp, "stdin", 30000, &err), TN_EINTR);
	assert_string_equal(err.message, "stdin: interrupted");
	assert_int_equal(b.len, 0);
	tn_buf_release(&b);
	fclose(fp);
}

/*
 * A signal between the look at the flag and the read: the watched
 * descriptor then reads EOF at once (a pipe whose writer is still there,
 * non-blocking so that a lost signal fails the test with EAGAIN, not a hang).
 */
static void test_read_fp_race(void **state)
{
	int p[2];
	char c;

	(void)state;
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	tn_cli_catch_signals();
	tn_cli_watch_fd(p[0]);
	raise(SIGINT);
	tn_cli_watch_fd(-1);
	assert_int_equal(read(p[0], &c, 1), 0);
	assert_true(tn_cli_interrupted());
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_field),
		cmocka_unit_test(test_http_column),
		cmocka_unit_test(test_idem),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_today),
		cmocka_unit_test(test_case_moves),
		cmocka_unit_test(test_party),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_form_all),
		cmocka_unit_test(test_err_problems),
		cmocka_unit_test(test_read_fp),      /* last two: they raise SIGTERM, SIGINT */
		cmocka_unit_test(test_read_fp_race),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
