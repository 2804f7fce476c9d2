/* http1.c — fuzz target: twonetd's request head parser (lib/http1.c), whole and by prefixes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_http1.h"

#include "fuzz.h"

/*
 * The input is what a client sends on a connection.  Parsed with the
 * server's limit and with a small one (64 bytes: the 431 paths), it must
 * give a head whose strings obey the grammar (a token method, a target
 * without SP or LF, 1.0 or 1.1, token names, values without LF, NUL or
 * spaces around, a length within the input and the limit; a bare CR stays,
 * for the server to refuse as a control character), or a refusal
 * with a status of 400, 431 or 505 and a reason; and every shorter prefix of
 * a head that parses must be "more", never a refusal nor another head.
 */

FUZZ_SIMPLE_INIT

static int is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static void check_token(const char *s, const char *what)
{
	FUZZ_ASSERT(*s, what);
	for (; *s; s++)
		FUZZ_ASSERT(is_tchar((unsigned char)*s), what);
}

static void check(const char *data, size_t size, size_t max)
{
	struct tn_http1_head h;
	char why[200] = "";
	int status = 0, rc = tn_http1_parse(data, size, max, &h, &status, why, sizeof(why));

	if (rc < 0) {
		FUZZ_ASSERT(status == 400 || status == 431 || status == 505, "a refusal's status");
		FUZZ_ASSERT(why[0], "a refusal says why");
		FUZZ_ASSERT(h.text == NULL && h.fields == NULL, "a refusal leaves no head");
		return;
	}
	if (rc == 0) {
		FUZZ_ASSERT(size <= max, "more bytes are never awaited past the limit");
		return;
	}
	FUZZ_ASSERT(rc == 1, "1, 0 or -1");
	FUZZ_ASSERT(h.len <= size && h.len <= max, "the head lies within the input and the limit");
	check_token(h.method, "the method is a token");
	FUZZ_ASSERT(*h.target && !strpbrk(h.target, " \n"), "the target holds no SP or LF");
	FUZZ_ASSERT(h.minor == 0 || h.minor == 1, "HTTP/1.0 or 1.1");
	FUZZ_ASSERT(h.nfields <= TN_HTTP1_MAX_FIELDS, "at most TN_HTTP1_MAX_FIELDS fields");
	for (size_t i = 0; i < h.nfields; i++) {
		const char *v = h.fields[i].value;
		size_t n = strlen(v);

		check_token(h.fields[i].name, "a field name is a token");
		FUZZ_ASSERT(!strchr(v, '\n'), "a value holds no LF (a bare CR: the server refuses it)");
		FUZZ_ASSERT(!n || (v[0] != ' ' && v[0] != '\t' && v[n - 1] != ' ' && v[n - 1] != '\t'),
			    "a value loses the spaces around it");
		FUZZ_ASSERT(tn_http1_field(&h, h.fields[i].name) != NULL, "every field is found");
	}
	/* the bytes before the head's end never parse to anything but "more" */
	for (size_t n = 0; n < h.len; n++) {
		struct tn_http1_head p;
		int s2 = 0, r2 = tn_http1_parse(data, n, max, &p, &s2, why, sizeof(why));

		FUZZ_ASSERT(r2 == 0, "a prefix of a head is more, not a head nor a refusal");
	}
	tn_http1_head_free(&h);
}

int fuzz_one(const uint8_t *data, size_t size)
{
	if (size > 8192)
		return 0;
	check((const char *)data, size, 65536);
	check((const char *)data, size, 64);
	return 0;
}
