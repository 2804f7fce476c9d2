/* json_verbatim.c — tn_json_verbatim: a reply that can be passed on as it came, checked without parsing it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_json.h"

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * The text is checked for being the very bytes tn_json_dump would write for
 * what tn_json_parse reads from it, without building values: one pass, no
 * allocation (but for a number written with a fraction or an exponent, which
 * is dumped once to compare).
 */
struct vscan {
	const char *b;
	size_t len, i;
	int depth;
};

#define VERBATIM_KEYS 64        /* member names of one object compared with each other */

/* Bytes of the UTF-8 character at u[0..n) (not ASCII), 0 when it is not one: overlong, surrogate, past U+10FFFF. */
static size_t utf8_char_len(const unsigned char *u, size_t n)
{
	if (u[0] >= 0xC2 && u[0] <= 0xDF)
		return n >= 2 && (u[1] & 0xC0) == 0x80 ? 2 : 0;
	if (u[0] >= 0xE0 && u[0] <= 0xEF) {
		if (n < 3 || (u[1] & 0xC0) != 0x80 || (u[2] & 0xC0) != 0x80 ||
		    (u[0] == 0xE0 && u[1] < 0xA0) || (u[0] == 0xED && u[1] >= 0xA0))
			return 0;
		return 3;
	}
	if (u[0] >= 0xF0 && u[0] <= 0xF4) {
		if (n < 4 || (u[1] & 0xC0) != 0x80 || (u[2] & 0xC0) != 0x80 ||
		    (u[3] & 0xC0) != 0x80 || (u[0] == 0xF0 && u[1] < 0x90) ||
		    (u[0] == 0xF4 && u[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

/* A string from its quote: UTF-8, no control character or DEL, no escape but \" \\ \t \n \r. */
static int v_string(struct vscan *s)
{
	const unsigned char *u = (const unsigned char *)s->b;
	size_t i = s->i + 1, n = s->len, k;

	while (i < n) {
		unsigned char c = u[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			i++;
		} else if (c == '"') {
			s->i = i + 1;
			return 0;
		} else if (c == '\\') {
			if (i + 1 >= n || !strchr("\"\\tnr", u[i + 1]) || !u[i + 1])
				return -1;
			i += 2;
		} else if (c >= 0x80 && (k = utf8_char_len(u + i, n - i)) > 0) {
			i += k;
		} else {
			return -1;
		}
	}
	return -1;
}

/* 0 when the number text t[0..n) is what tn_json_dump writes for its value. */
static int v_number_same(const char *t, size_t n)
{
	struct tn_buf b = TN_BUF_INIT;
	char tmp[64];
	double d;
	int same;

	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, t, n);
	tmp[n] = '\0';
	d = strtod(tmp, NULL);
	if (!isfinite(d))
		return -1;
	tn_json_dump(jv_number(d), &b);
	same = b.len == n && memcmp(b.buf, t, n) == 0;
	tn_buf_release(&b);
	return same ? 0 : -1;
}

static int v_digits(struct vscan *s)
{
	size_t from = s->i;

	while (s->i < s->len && s->b[s->i] >= '0' && s->b[s->i] <= '9')
		s->i++;
	return s->i > from ? 0 : -1;
}

static int v_number(struct vscan *s)
{
	const char *b = s->b;
	size_t from = s->i;
	int plain = 1;

	if (b[s->i] == '-')
		s->i++;
	if (s->i < s->len && b[s->i] == '0')
		s->i++;
	else if (v_digits(s) < 0)
		return -1;
	if (s->i < s->len && b[s->i] == '.') {
		plain = 0;
		s->i++;
		if (v_digits(s) < 0)
			return -1;
	}
	if (s->i < s->len && (b[s->i] == 'e' || b[s->i] == 'E')) {
		plain = 0;
		s->i++;
		if (s->i < s->len && (b[s->i] == '+' || b[s->i] == '-'))
			s->i++;
		if (v_digits(s) < 0)
			return -1;
	}
	/* a whole number of at most 15 digits is written as it reads; -0 is not */
	if (plain && s->i - from <= 15 && !(b[from] == '-' && b[from + 1] == '0'))
		return 0;
	return v_number_same(b + from, s->i - from);
}

static int v_value(struct vscan *s);

/* After a member or an element: 1 past `close`, 0 past a comma, -1 for anything else. */
static int v_next(struct vscan *s, char close)
{
	if (s->i >= s->len)
		return -1;
	if (s->b[s->i] == close) {
		s->i++;
		return 1;
	}
	return s->b[s->i++] == ',' ? 0 : -1;
}

/* The members of an object, its brace read: no white space, no member name twice. */
static int v_object(struct vscan *s)
{
	size_t koff[VERBATIM_KEYS], klen[VERBATIM_KEYS];
	int nkeys = 0, rc = 0;

	while (rc == 0) {
		size_t k = s->i;

		if (s->i >= s->len || s->b[s->i] != '"' || v_string(s) < 0 || nkeys == VERBATIM_KEYS)
			return -1;
		for (int j = 0; j < nkeys; j++)
			if (klen[j] == s->i - k && memcmp(s->b + koff[j], s->b + k, klen[j]) == 0)
				return -1;      /* jq keeps the last one only */
		koff[nkeys] = k;
		klen[nkeys++] = s->i - k;
		if (s->i >= s->len || s->b[s->i++] != ':' || v_value(s) < 0)
			return -1;
		rc = v_next(s, '}');
	}
	return rc < 0 ? -1 : 0;
}

/* The elements of an array, its bracket read. */
static int v_array(struct vscan *s)
{
	int rc = 0;

	while (rc == 0) {
		if (v_value(s) < 0)
			return -1;
		rc = v_next(s, ']');
	}
	return rc < 0 ? -1 : 0;
}

static int v_literal(struct vscan *s, const char *word, size_t n)
{
	if (s->len - s->i < n || memcmp(s->b + s->i, word, n) != 0)
		return -1;
	s->i += n;
	return 0;
}

static int v_value(struct vscan *s)
{
	int rc;

	if (s->i >= s->len)
		return -1;
	switch (s->b[s->i]) {
	case '{':
	case '[': {
		char open = s->b[s->i++];

		if (++s->depth > TN_JSON_MAX_DEPTH)
			return -1;
		if (s->i < s->len && s->b[s->i] == (open == '{' ? '}' : ']')) {
			s->i++;         /* empty */
			rc = 0;
		} else {
			rc = open == '{' ? v_object(s) : v_array(s);
		}
		s->depth--;
		return rc;
	}
	case '"':
		return v_string(s);
	case 't':
		return v_literal(s, "true", 4);
	case 'f':
		return v_literal(s, "false", 5);
	case 'n':
		return v_literal(s, "null", 4);
	default:
		if (s->b[s->i] == '-' || (s->b[s->i] >= '0' && s->b[s->i] <= '9'))
			return v_number(s);
		return -1;
	}
}

int tn_json_verbatim(const char *buf, size_t len, size_t *from, size_t *to)
{
	struct vscan s = { buf, len, 0, 0 };
	size_t start;

	if (!buf || len > 0x7fffffff)
		return 0;
	while (s.i < len && is_ws(buf[s.i]))
		s.i++;
	start = s.i;
	if (s.i >= len || buf[s.i] != '{' || v_value(&s) < 0)
		return 0;
	if (from)
		*from = start;
	if (to)
		*to = s.i;
	while (s.i < len && is_ws(buf[s.i]))
		s.i++;
	return s.i == len;
}
