/* json.c — exact JSON parsing for input from outside: one value, bounded depth, clean strings. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tn_out.h"
#include "tn_text.h"
#include "tnp_word.h"

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * A JSON validator (RFC 8259) over buf[0..len), so that the value is only
 * ever built (tn_json_build) from a text that is one well-formed value.  jq
 * 1.6's parser, used here before, asserts or leaks on some malformed texts
 * (a value straight after a value, the record separator 0x1e of JSON text
 * sequences between tokens).
 */
struct scan {
	const char *b;
	size_t len, i;
	int depth, max_depth;
	size_t bad;
	const char *why;
	int ctl_escape;         /* a \u escape of a control character: find its path */
	int big_number;         /* an exponent or many digits: check numbers are finite */
};

static int scan_fail(struct scan *s, const char *why)
{
	if (s->i >= s->len && strcmp(why, "an unfinished string") != 0)
		why = "an unfinished value";          /* cut short, whatever was due next */
	if (!s->why) {
		s->bad = s->i;
		s->why = why;
	}
	return -1;
}

static void scan_ws(struct scan *s)
{
	while (s->i < s->len && is_ws(s->b[s->i]))
		s->i++;
}

static int hexdigit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The value of the 4 hex digits at b[at..], or -1. */
static long hex4(const struct scan *s, size_t at)
{
	long v = 0;

	for (int k = 0; k < 4; k++) {
		char c = at + (size_t)k < s->len ? s->b[at + (size_t)k] : 0;

		if (!hexdigit(c))
			return -1;
		v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

static int scan_string(struct scan *s)
{
	s->i++;                                         /* the opening quote */
	while (s->i < s->len) {
		unsigned char c = (unsigned char)s->b[s->i];

		if (c == '"') {
			s->i++;
			return 0;
		}
		if (c < 0x20)
			return scan_fail(s, "a control character inside a string");
		if (c == '\\') {
			if (++s->i >= s->len)
				break;
			c = (unsigned char)s->b[s->i];
			if (c == 'u') {
				long u = hex4(s, s->i + 1);

				if (u < 0)
					return scan_fail(s, "a bad \\u escape");
				s->i += 4;
				if (u < 0x20 && u != '\t' && u != '\n' && u != '\r')
					s->ctl_escape = 1;
				if (u >= 0xDC00 && u <= 0xDFFF)
					return scan_fail(s, "a lone \\u surrogate");
				if (u >= 0xD800 && u <= 0xDBFF) {
					long lo = s->i + 2 < s->len && s->b[s->i + 1] == '\\' &&
						  s->b[s->i + 2] == 'u' ? hex4(s, s->i + 3) : -1;

					if (lo < 0xDC00 || lo > 0xDFFF)
						return scan_fail(s, "a lone \\u surrogate");
					s->i += 6;
				}
			} else if (!strchr("\"\\/bfnrt", c) || !c) {
				return scan_fail(s, "a bad escape");
			} else if (c == 'b' || c == 'f') {
				s->ctl_escape = 1;      /* backspace, form feed: control characters */
			}
		}
		s->i++;
	}
	s->i = s->len;
	return scan_fail(s, "an unfinished string");
}

static int scan_number_text(struct scan *s);

static int scan_digits(struct scan *s)
{
	size_t from = s->i;

	while (s->i < s->len && s->b[s->i] >= '0' && s->b[s->i] <= '9')
		s->i++;
	return s->i > from ? 0 : scan_fail(s, "a bad number");
}

static int scan_number(struct scan *s)
{
	size_t from = s->i;
	int rc = scan_number_text(s);

	if (rc == 0 && s->i - from > 15)
		s->big_number = 1;      /* past what a double surely holds as written */
	return rc;
}

static int scan_number_text(struct scan *s)
{
	if (s->b[s->i] == '-')
		s->i++;
	if (s->i < s->len && s->b[s->i] == '0')
		s->i++;
	else if (scan_digits(s) < 0)
		return -1;
	if (s->i < s->len && s->b[s->i] == '.') {
		s->i++;
		if (scan_digits(s) < 0)
			return -1;
	}
	if (s->i < s->len && (s->b[s->i] == 'e' || s->b[s->i] == 'E')) {
		s->big_number = 1;
		s->i++;
		if (s->i < s->len && (s->b[s->i] == '+' || s->b[s->i] == '-'))
			s->i++;
		if (scan_digits(s) < 0)
			return -1;
	}
	return 0;
}

static int scan_value(struct scan *s);

/* An array or an object, from its opening bracket. */
static int scan_container(struct scan *s)
{
	char close = s->b[s->i] == '{' ? '}' : ']';

	if (++s->depth > s->max_depth)
		return scan_fail(s, "nesting too deep");
	s->i++;
	scan_ws(s);
	if (s->i < s->len && s->b[s->i] == close) {
		s->i++;
		s->depth--;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			if (s->i >= s->len || s->b[s->i] != '"')
				return scan_fail(s, "a member name expected");
			if (scan_string(s) < 0)
				return -1;
			scan_ws(s);
			if (s->i >= s->len || s->b[s->i] != ':')
				return scan_fail(s, "':' expected");
			s->i++;
			scan_ws(s);
		}
		if (scan_value(s) < 0)
			return -1;
		scan_ws(s);
		if (s->i < s->len && s->b[s->i] == ',') {
			s->i++;
			scan_ws(s);
			continue;
		}
		if (s->i < s->len && s->b[s->i] == close) {
			s->i++;
			s->depth--;
			return 0;
		}
		return scan_fail(s, close == '}' ? "',' or '}' expected" : "',' or ']' expected");
	}
}

static int scan_literal(struct scan *s, const char *word)
{
	size_t n = strlen(word);

	if (s->len - s->i < n || memcmp(s->b + s->i, word, n) != 0)
		return scan_fail(s, "not a JSON value");
	s->i += n;
	return 0;
}

static int scan_value(struct scan *s)
{
	char c;

	if (s->i >= s->len)
		return scan_fail(s, "a value expected");
	c = s->b[s->i];
	if (c == '{' || c == '[')
		return scan_container(s);
	if (c == '"')
		return scan_string(s);
	if (c == '-' || (c >= '0' && c <= '9'))
		return scan_number(s);
	if (c == 't')
		return scan_literal(s, "true");
	if (c == 'f')
		return scan_literal(s, "false");
	if (c == 'n')
		return scan_literal(s, "null");
	return scan_fail(s, "not a JSON value");
}

/* The offset of the first byte that does not start a valid UTF-8 character; len when none. */
static size_t first_bad_utf8(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t n;

		if (c < 0x80) {         /* ASCII, most of it: eight bytes at a time */
			uint64_t w;

			i++;
			while (i + 8 <= len && (memcpy(&w, s + i, 8), !(w & 0x8080808080808080ULL)))
				i += 8;
			continue;
		}
		n = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		if (!n || n > len - i || !tn_utf8_valid(s + i, n))
			return i;
		i += n;
	}
	return len;
}

int tn_json_control_in(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			return 1;
	}
	return 0;
}

static int find(jv v, struct tn_buf *path)
{
	size_t mark = path->len;
	int found = 0;

	switch (jv_get_kind(v)) {
	case JV_KIND_STRING:
		return tn_json_control_in(jv_string_value(v),
					  (size_t)jv_string_length_bytes(jv_copy(v)));
	case JV_KIND_ARRAY:
		jv_array_foreach(v, i, e) {
			if (!found) {
				tn_buf_addf(path, "[%d]", i);
				found = find(e, path);
				if (!found)
					path->len = mark;
			}
			jv_free(e);
		}
		break;
	case JV_KIND_OBJECT:
		jv_object_foreach(v, k, e) {
			if (!found) {
				const char *ks = jv_string_value(k);
				int kn = jv_string_length_bytes(jv_copy(k));

				tn_buf_addch(path, '.');
				tn_buf_add(path, ks, strnlen(ks, (size_t)kn));
				found = tn_json_control_in(ks, (size_t)kn) || find(e, path);
				if (!found)
					path->len = mark;
			}
			jv_free(k);
			jv_free(e);
		}
		break;
	default:
		break;
	}
	if (path->buf)
		path->buf[path->len] = '\0';
	return found;
}

int tn_json_find_control(jv v, char *path, size_t size)
{
	struct tn_buf p = TN_BUF_INIT;
	int found = find(v, &p);

	if (found && size) {
		snprintf(path, size, "%s", p.len ? p.buf : ".");
		for (char *c = path; *c; c++)      /* the name itself may hold the culprit */
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
	}
	tn_buf_release(&p);
	return found;
}

/* 1 when every number in v (borrowed) is finite. */
static int all_finite(jv v)
{
	int ok = 1;

	switch (jv_get_kind(v)) {
	case JV_KIND_NUMBER:
		return isfinite(jv_number_value(v));
	case JV_KIND_ARRAY:
		jv_array_foreach(v, i, e) {
			ok = ok && all_finite(e);
			jv_free(e);
		}
		return ok;
	case JV_KIND_OBJECT:
		jv_object_foreach(v, k, e) {
			ok = ok && all_finite(e);
			jv_free(k);
			jv_free(e);
		}
		return ok;
	default:
		return 1;
	}
}

static enum tn_code fail(struct tn_err *err, size_t *offset, size_t at, const char *why)
{
	if (offset)
		*offset = at;
	return tn_err_set(err, TN_EINVALID, "malformed JSON: %s at offset %zu", why, at);
}

enum tn_code tn_json_parse_exact(const char *buf, size_t len, int max_depth, jv *out,
				 size_t *offset, struct tn_err *err)
{
	struct scan sc;
	const char *nul;
	size_t i = 0, bad = 0;
	long end;
	char path[256];
	jv v;

	*out = jv_invalid();
	if (max_depth <= 0)
		max_depth = TN_JSON_MAX_DEPTH;
	if (max_depth > 256)
		max_depth = 256;        /* jq's own limit, and the builder's recursion */
	if (len > 0x7fffffff)
		return fail(err, offset, 0, "text too long");
	if ((nul = memchr(buf, '\0', len)))
		return fail(err, offset, (size_t)(nul - buf), "a NUL byte");
	if ((bad = first_bad_utf8(buf, len)) < len)
		return fail(err, offset, bad, "bytes that are not UTF-8");
	memset(&sc, 0, sizeof(sc));
	sc.b = buf;
	sc.len = len;
	sc.max_depth = max_depth;
	scan_ws(&sc);
	i = sc.i;
	if (i >= len)
		return fail(err, offset, len, "no value");
	if (scan_value(&sc) < 0)
		return fail(err, offset, sc.bad, sc.why);
	end = (long)sc.i;
	scan_ws(&sc);
	if (sc.i < len)
		return fail(err, offset, sc.i, "more after the value");
	/* well-formed: one value and nothing after it, built as jq's parser would */
	v = tn_json_build(buf + i, (size_t)end - i);
	if (sc.big_number && !all_finite(v)) {
		jv_free(v);
		return fail(err, offset, i, "a number out of range");
	}
	if (sc.ctl_escape && tn_json_find_control(v, path, sizeof(path))) {
		jv_free(v);
		if (offset)
			*offset = i;
		return tn_err_set(err, TN_EINVALID, "%s: a NUL or control character in a string",
				  path);
	}
	*out = v;
	return TN_OK;
}

jv tn_json_parse(const char *buf, size_t len)
{
	struct tn_err err = TN_ERR_INIT;
	jv v;

	if (tn_json_parse_exact(buf, len, 0, &v, NULL, &err) != TN_OK)
		return jv_invalid_with_msg(jv_string(err.message));
	return v;
}

long tn_json_long(jv v, long dflt)
{
	double d;

	if (jv_get_kind(v) != JV_KIND_NUMBER)
		return dflt;
	d = jv_number_value(v);
	if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0) || d != floor(d))
		return dflt;
	return (long)d;
}

/* 1 when none of the eight bytes at `s` needs escaping in a JSON string. */
static int plain8(const char *s)
{
	uint64_t w;

	memcpy(&w, s, 8);
	return !(tnp_word_ctl(w) | tnp_word_has(w, '"') | tnp_word_has(w, '\\'));
}

/* A string as jq 1.6's jvp_dump_string writes it without JV_PRINT_ASCII. */
static void dump_string(const char *s, size_t len, struct tn_buf *b)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	tn_buf_addch(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char c;
		const char *esc = NULL;
		char u[6];

		/* eight bytes at a time while none needs escaping (text is mostly plain) */
		while (i + 8 <= len && plain8(s + i))
			i += 8;
		if (i >= len)
			break;
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;       /* printable ASCII and UTF-8 go out as they are */
		tn_buf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\t': esc = "\\t"; break;
		case '\r': esc = "\\r"; break;
		case '\n': esc = "\\n"; break;
		case '\f': esc = "\\f"; break;
		default:
			u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0';
			u[4] = hex[c >> 4]; u[5] = hex[c & 15];
			tn_buf_add(b, u, 6);
		}
		if (esc)
			tn_buf_adds(b, esc);
	}
	tn_buf_add(b, s + run, len - run);
	tn_buf_addch(b, '"');
}

/* Write r (|r| < 10^15) with `k` decimals as %f would, into t; its length. */
static int put_decimal(char *t, long long r, int k)
{
	char rev[24];
	int n = 0, len = 0;
	unsigned long long u = r < 0 ? (unsigned long long)-r : (unsigned long long)r;

	do {
		rev[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u || n <= k);          /* a leading 0 before the point */
	if (r < 0)
		t[len++] = '-';
	while (n > 0) {
		if (n == k)
			t[len++] = '.';
		t[len++] = rev[--n];
	}
	return len;
}

/*
 * d (10^-4 <= |d| < 10^15, not whole) as jq writes it when 15 significant
 * digits or fewer read back as d: the first k decimals whose r = d * 10^k,
 * rounded, reads back (r / 10^k == d, both exact, the division correctly
 * rounded, so the text reads back too).  That is the one such decimal, the
 * one %.15g writes.  0 when it needs more digits.
 */
static int short_decimal(double d, char *t)
{
	static const double p10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
				      1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19 };
	double a = fabs(d);

	for (int k = 1; k <= 19; k++) {
		double m = a * p10[k], r;

		if (m >= 1e15)
			return 0;
		r = floor(m + 0.5);
		if (r / p10[k] == a)
			return put_decimal(t, d < 0 ? -(long long)r : (long long)r, k);
	}
	return 0;
}

/* One member of an object being written in sorted order (borrowed from the object). */
struct member {
	const char *key;
	int len;
	jv k, v;
};

/* jv_keys' order (jq 1.6 sorts keys with this comparison): bytes, then the shorter first. */
static int member_cmp(const void *pa, const void *pb)
{
	const struct member *a = pa, *b = pb;
	int r = memcmp(a->key, b->key, (size_t)(a->len < b->len ? a->len : b->len));

	return r ? r : a->len - b->len;
}

static void dump(jv v, struct tn_buf *b, int sorted);

/* The members of object `v` (borrowed), sorted as jv_keys sorts them, without building jq's key array. */
static void dump_sorted_members(jv v, struct tn_buf *b)
{
	struct member few[32], *m = few;
	int n = jv_object_length(jv_copy(v)), i = 0;

	if (n > (int)(sizeof(few) / sizeof(few[0])))
		m = tn_xcalloc((size_t)n, sizeof(*m));
	for (int it = jv_object_iter(v); jv_object_iter_valid(v, it) && i < n;
	     it = jv_object_iter_next(v, it), i++) {
		m[i].k = jv_object_iter_key(v, it);
		m[i].v = jv_object_iter_value(v, it);
		m[i].key = jv_string_value(m[i].k);
		m[i].len = jv_string_length_bytes(jv_copy(m[i].k));
	}
	qsort(m, (size_t)i, sizeof(*m), member_cmp);
	for (int j = 0; j < i; j++) {
		if (j)
			tn_buf_addch(b, ',');
		dump_string(m[j].key, (size_t)m[j].len, b);
		tn_buf_addch(b, ':');
		dump(m[j].v, b, 1);
		jv_free(m[j].k);
		jv_free(m[j].v);
	}
	if (m != few)
		free(m);
}

/* `v` as jq writes it; `sorted`: objects' members in jv_keys' order, as JV_PRINT_SORTED. */
static void dump(jv v, struct tn_buf *b, int sorted)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_NULL:
		tn_buf_add(b, "null", 4);
		return;
	case JV_KIND_TRUE:
		tn_buf_add(b, "true", 4);
		return;
	case JV_KIND_FALSE:
		tn_buf_add(b, "false", 5);
		return;
	case JV_KIND_NUMBER: {
		double d = jv_number_value(v);
		char t[40];
		int n;

		if (d == floor(d) && fabs(d) < 1e15 && (d != 0 || !signbit(d))) {
			n = put_decimal(t, (long long)d, 0);
		} else if (fabs(d) >= 1e-4 && fabs(d) < 1e15) {
			/*
			 * jq writes the shortest digits that read back as d, without an
			 * exponent in this range: a short decimal found exactly, else the
			 * first of 15, 16 and 17 significant digits that reads back (%g
			 * drops the trailing zeros)
			 */
			n = short_decimal(d, t);
			for (int prec = 15; n <= 0 && prec <= 17; prec++) {
				snprintf(t, sizeof(t), "%.*g", prec, d);
				if (strtod(t, NULL) == d || prec == 17)
					n = (int)strlen(t);
			}
		} else {        /* jq's shortest digits (its dtoa is not exported) */
			jv jt = jv_dump_string(jv_copy(v), 0);

			tn_buf_adds(b, jv_string_value(jt));
			jv_free(jt);
			return;
		}
		tn_buf_add(b, t, (size_t)n);
		return;
	}
	case JV_KIND_STRING:
		dump_string(jv_string_value(v), (size_t)jv_string_length_bytes(jv_copy(v)), b);
		return;
	case JV_KIND_ARRAY: {
		int n = jv_array_length(jv_copy(v));

		tn_buf_addch(b, '[');
		for (int i = 0; i < n; i++) {
			jv e = jv_array_get(jv_copy(v), i);

			if (i)
				tn_buf_addch(b, ',');
			dump(e, b, sorted);
			jv_free(e);
		}
		tn_buf_addch(b, ']');
		return;
	}
	case JV_KIND_OBJECT: {
		int first = 1;

		tn_buf_addch(b, '{');
		if (sorted) {
			dump_sorted_members(v, b);
			tn_buf_addch(b, '}');
			return;
		}
		for (int i = jv_object_iter(v); jv_object_iter_valid(v, i); i = jv_object_iter_next(v, i)) {
			jv k = jv_object_iter_key(v, i), e = jv_object_iter_value(v, i);

			if (!first)
				tn_buf_addch(b, ',');
			first = 0;
			dump_string(jv_string_value(k), (size_t)jv_string_length_bytes(jv_copy(k)), b);
			tn_buf_addch(b, ':');
			dump(e, b, sorted);
			jv_free(k);
			jv_free(e);
		}
		tn_buf_addch(b, '}');
		return;
	}
	default:        /* invalid: jq 1.6 asserts (no abort from here) */
		tn_buf_add(b, "null", 4);
	}
}

void tn_json_dump(jv v, struct tn_buf *b)
{
	dump(v, b, 0);
}

void tn_json_dump_members(const jv *keys, const jv *values, int n, struct tn_buf *b)
{
	tn_buf_addch(b, '{');
	for (int i = 0; i < n; i++) {
		if (i)
			tn_buf_addch(b, ',');
		dump(keys[i], b, 0);
		tn_buf_addch(b, ':');
		dump(values[i], b, 0);
	}
	tn_buf_addch(b, '}');
}

void tn_json_dump_sorted(jv v, struct tn_buf *b)
{
	dump(v, b, 1);
}

jv tn_json_dump_string(jv v)
{
	struct tn_buf b = TN_BUF_INIT;
	jv s;

	dump(v, &b, 0);
	jv_free(v);
	s = jv_string_sized(b.buf ? b.buf : "", (int)b.len);
	tn_buf_release(&b);
	return s;
}
