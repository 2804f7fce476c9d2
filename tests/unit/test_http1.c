/* test_http1.c — twonetd's request head parser (lib/http1.c): what it takes, what it refuses and why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tn_http1.h"

#define MAX 65536

/* Parse `len` bytes of `text` with `max`; the rc, and the status when refused. */
static int parse(const char *text, size_t len, size_t max, struct tn_http1_head *h, int *status)
{
	char why[200] = "";
	int rc = tn_http1_parse(text, len, max, h, status, why, sizeof(why));

	if (rc < 0)
		assert_true(why[0] != '\0');    /* a refusal always says why */
	return rc;
}

static void refused(const char *text, int want)
{
	struct tn_http1_head h;
	int status = 0;

	if (parse(text, strlen(text), MAX, &h, &status) != -1 || status != want) {
		print_error("'%s': wanted refused %d, got status %d\n", text, want, status);
		fail();
	}
	assert_null(h.text);
}

static void test_simple(void **state)
{
	const char *req = "GET /v1/certs/1?purpose=x HTTP/1.1\r\nHost: a\r\nX-Key:  v w \t\r\n"
			  "Empty:\r\n\r\nGET / HTTP/1.1\r\n\r\n";
	struct tn_http1_head h;
	int status = 0;

	assert_int_equal(parse(req, strlen(req), MAX, &h, &status), 1);
	assert_string_equal(h.method, "GET");
	assert_string_equal(h.target, "/v1/certs/1?purpose=x");
	assert_int_equal(h.minor, 1);
	assert_int_equal(h.nfields, 3);
	assert_string_equal(h.fields[0].name, "Host");
	assert_string_equal(h.fields[1].value, "v w");  /* the spaces around go, those inside stay */
	assert_string_equal(h.fields[2].value, "");
	assert_string_equal(tn_http1_field(&h, "x-key"), "v w");
	assert_null(tn_http1_field(&h, "Content-Length"));
	/* the head ends at its empty line: the pipelined request after it is not taken */
	assert_int_equal(h.len, strlen(req) - strlen("GET / HTTP/1.1\r\n\r\n"));
	tn_http1_head_free(&h);
}

static void test_bare_lf_and_leading_lines(void **state)
{
	const char *req = "\r\n\nPOST /v1/alerts HTTP/1.0\nContent-Length: 2\n\n{}";
	struct tn_http1_head h;
	int status = 0;

	assert_int_equal(parse(req, strlen(req), MAX, &h, &status), 1);
	assert_string_equal(h.method, "POST");
	assert_int_equal(h.minor, 0);
	assert_string_equal(tn_http1_field(&h, "content-length"), "2");
	assert_int_equal(h.len, strlen(req) - 2);
	tn_http1_head_free(&h);
}

/* Every prefix of a head is "more", never a refusal nor a head of another length. */
static void test_prefixes(void **state)
{
	const char *req = "GET /x HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n";
	struct tn_http1_head h;
	int status = 0;

	for (size_t n = 0; n < strlen(req); n++)
		assert_int_equal(parse(req, n, MAX, &h, &status), 0);
	assert_int_equal(parse(req, strlen(req), MAX, &h, &status), 1);
	tn_http1_head_free(&h);
}

/* A NUL never cuts a string short: it arrives as 0x01, for the server to refuse by name. */
static void test_nul(void **state)
{
	static const char req[] = "GET /he\0th HTTP/1.1\r\nX-Key: a\0b\r\n\r\n";
	struct tn_http1_head h;
	int status = 0;

	assert_int_equal(parse(req, sizeof(req) - 1, MAX, &h, &status), 1);
	assert_string_equal(h.target, "/he\x01th");
	assert_string_equal(tn_http1_field(&h, "X-Key"), "a\x01" "b");
	tn_http1_head_free(&h);
}

static void test_refused(void **state)
{
	refused("GET /x HTTP/2.0\r\n\r\n", 505);
	refused("GET /x HTTP/1.2\r\n\r\n", 505);
	refused("GET /x HTTP/1.1 \r\n\r\n", 400);
	refused("GET  /x HTTP/1.1\r\n\r\n", 400);
	refused("GET /x\r\n\r\n", 400);
	refused("GET\r\n\r\n", 400);
	refused(" GET /x HTTP/1.1\r\n\r\n", 400);
	refused("G@T /x HTTP/1.1\r\n\r\n", 400);
	refused("GET /x http/1.1\r\n\r\n", 400);
	refused("GET /x HTTP/1.1\r\nA: 1\r\n  folded\r\n\r\n", 400);
	refused("GET /x HTTP/1.1\r\nNo colon here\r\n\r\n", 400);
	refused("GET /x HTTP/1.1\r\nContent-Length : 2\r\n\r\n", 400);
	refused("GET /x HTTP/1.1\r\n: v\r\n\r\n", 400);
	refused("GET /x HTTP/1.1\r\nA(b): v\r\n\r\n", 400);
}

static void test_limits(void **state)
{
	struct tn_http1_head h;
	char big[600], many[TN_HTTP1_MAX_FIELDS * 8 + 64];
	size_t n;
	int status = 0;

	/* over max, whole or not: 431 (nobody waits for the end of a head that is too large) */
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /x HTTP/1.1\r\nA: ", 20);
	assert_int_equal(parse(big, sizeof(big), 512, &h, &status), -1);
	assert_int_equal(status, 431);
	memcpy(big + sizeof(big) - 4, "\r\n\r\n", 4);
	assert_int_equal(parse(big, sizeof(big), 512, &h, &status), -1);
	assert_int_equal(status, 431);
	assert_int_equal(parse(big, sizeof(big), sizeof(big), &h, &status), 1);
	tn_http1_head_free(&h);
	/* one field more than TN_HTTP1_MAX_FIELDS */
	n = (size_t)snprintf(many, sizeof(many), "GET /x HTTP/1.1\r\n");
	for (int i = 0; i <= TN_HTTP1_MAX_FIELDS; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "A: %d\r\n", i % 10);
	n += (size_t)snprintf(many + n, sizeof(many) - n, "\r\n");
	assert_int_equal(parse(many, n, MAX, &h, &status), -1);
	assert_int_equal(status, 431);
}

/* The framing of the body after `fields` (a head of those lines), and its length. */
static enum tn_http1_framing framing(const char *fields, size_t *len)
{
	char req[512];
	struct tn_http1_head h;
	enum tn_http1_framing f;
	int status = 0;

	snprintf(req, sizeof(req), "POST /x HTTP/1.1\r\n%s\r\n", fields);
	assert_int_equal(parse(req, strlen(req), MAX, &h, &status), 1);
	f = tn_http1_framing(&h, len);
	tn_http1_head_free(&h);
	return f;
}

static void test_framing(void **state)
{
	size_t len = 99;

	assert_int_equal(framing("", &len), TN_HTTP1_LENGTH);
	assert_int_equal(len, 0);
	assert_int_equal(framing("Content-Length: 12\r\ncontent-length: 12\r\n", &len), TN_HTTP1_LENGTH);
	assert_int_equal(len, 12);
	assert_int_equal(framing("Content-Length: +2\r\n", &len), TN_HTTP1_BAD_LENGTH);
	assert_int_equal(framing("Content-Length: 1234567890123456\r\n", &len), TN_HTTP1_BAD_LENGTH);
	assert_int_equal(framing("Content-Length: 2\r\nContent-Length: 40\r\n", &len),
			 TN_HTTP1_TWO_LENGTHS);
	/* a bad length is found before the Transfer-Encoding that follows it */
	assert_int_equal(framing("Content-Length: x\r\nTransfer-Encoding: chunked\r\n", &len),
			 TN_HTTP1_BAD_LENGTH);
	assert_int_equal(framing("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", &len),
			 TN_HTTP1_TE_AND_LENGTH);
	assert_int_equal(framing("Transfer-Encoding: chunked\r\n", &len), TN_HTTP1_TE);
	assert_int_equal(len, 0);
}

/* split `text` (copied) as a query: the count, or -1; "k=v|k=v" in out */
static int split(const char *text, int max, char *out, size_t size)
{
	char copy[256];
	struct tn_query_param p[8];
	int n;

	snprintf(copy, sizeof(copy), "%s", text);
	n = tn_query_split(copy, p, max);
	out[0] = '\0';
	for (int i = 0; i < n; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s%s=%s", i ? "|" : "", p[i].key,
			 p[i].value);
	return n;
}

static void test_query_split(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(split("purpose=bench", 8, out, sizeof(out)), 1);
	assert_string_equal(out, "purpose=bench");
	/* values decoded ('+' a space, a bad '%' kept), keys as sent, empty values kept */
	assert_int_equal(split("a=x+y%41&b%41=%4&c=&d=1=2", 8, out, sizeof(out)), 4);
	assert_string_equal(out, "a=x yA|b%41=%4|c=|d=1=2");
	/* a trailing '&' ends the list; nothing at all is no parameter */
	assert_int_equal(split("a=1&", 8, out, sizeof(out)), 1);
	assert_int_equal(split("", 8, out, sizeof(out)), 0);
	/* refused as evhttp_parse_query_str refused them: no '=', an empty key, an empty part */
	assert_int_equal(split("a", 8, out, sizeof(out)), -1);
	assert_int_equal(split("a=1&b", 8, out, sizeof(out)), -1);
	assert_int_equal(split("=1", 8, out, sizeof(out)), -1);
	assert_int_equal(split("a=1&&b=2", 8, out, sizeof(out)), -1);
	assert_int_equal(split("&a=1", 8, out, sizeof(out)), -1);
	/* more than max */
	assert_int_equal(split("a=1&b=2&c=3", 2, out, sizeof(out)), -1);
	assert_int_equal(split("a=1&b=2", 2, out, sizeof(out)), 2);
	/* "%00" decodes to a NUL that ends the value */
	assert_int_equal(split("a=x%00y", 8, out, sizeof(out)), 1);
	assert_string_equal(out, "a=x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_bare_lf_and_leading_lines),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_query_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
