/* json_build.c — the value of a JSON text tn_json_parse_exact scanned well-formed, built without jq's tokenizer. */

/*
 * jq 1.6's parser reads a text a byte at a time through a state machine and
 * copies every token into a buffer before it makes a value of it; for the
 * alerts a follower reads and the batches twonetd takes, that tokenizer was
 * half of the parse.  Here the text is known to be one RFC 8259 value in
 * valid UTF-8 (the scan refused anything else), so each value is made
 * straight from its bytes, with the same jv calls jq makes (jv_object_set in
 * member order, so a repeated name keeps its first place and its last value)
 * and the same numbers (correctly rounded, as jq's strtod).
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tn_jv.h"

struct build {
	const char *b;
	size_t i;
	char *tmp;              /* an unescaped string */
	size_t tmp_size;
};

static void skip_ws(struct build *s)
{
	while (s->b[s->i] == ' ' || s->b[s->i] == '\t' || s->b[s->i] == '\n' || s->b[s->i] == '\r')
		s->i++;
}

static unsigned hex4(const char *p)
{
	unsigned v = 0;

	for (int k = 0; k < 4; k++) {
		char c = p[k];

		v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

static size_t utf8_put(char *out, unsigned c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* A string from its opening quote: its text, escapes undone as jq undoes them. */
static jv build_string(struct build *s)
{
	const char *from = s->b + s->i + 1, *p = from, *end;
	size_t n = 0;

	while (*p != '"' && *p != '\\')
		p++;
	if (*p == '"') {                /* no escape: the bytes as they stand */
		s->i = (size_t)(p + 1 - s->b);
		return jv_string_sized(from, (int)(p - from));
	}
	end = p;
	while (*end != '"')
		end += *end == '\\' ? 2 : 1;
	/* an escape never makes the text longer than it was written */
	if ((size_t)(end - from) + 1 > s->tmp_size) {
		free(s->tmp);
		s->tmp_size = (size_t)(end - from) + 64;
		s->tmp = tn_xmalloc(s->tmp_size);
	}
	memcpy(s->tmp, from, (size_t)(p - from));
	n = (size_t)(p - from);
	while (p < end) {
		if (*p != '\\') {
			s->tmp[n++] = *p++;
			continue;
		}
		p++;
		switch (*p) {
		case 'b': s->tmp[n++] = '\b'; p++; break;
		case 'f': s->tmp[n++] = '\f'; p++; break;
		case 'n': s->tmp[n++] = '\n'; p++; break;
		case 'r': s->tmp[n++] = '\r'; p++; break;
		case 't': s->tmp[n++] = '\t'; p++; break;
		case 'u': {
			unsigned c = hex4(p + 1);

			p += 5;
			if (c >= 0xD800 && c <= 0xDBFF) {       /* the scan saw its low half */
				c = 0x10000 + (((c - 0xD800) << 10) | (hex4(p + 2) - 0xDC00));
				p += 6;
			}
			n += utf8_put(s->tmp + n, c);
			break;
		}
		default:                /* " \ / */
			s->tmp[n++] = *p++;
		}
	}
	s->i = (size_t)(end + 1 - s->b);
	return jv_string_sized(s->tmp, (int)n);
}

/* A member's name: an unescaped short one from the thread's keys (tn_jv_key). */
static jv build_key(struct build *s)
{
	const char *from = s->b + s->i + 1, *p = from;

	while (*p != '"' && *p != '\\' && p - from <= TN_JV_KEY_MAX)
		p++;
	if (*p != '"')
		return build_string(s);
	s->i = (size_t)(p + 1 - s->b);
	return tn_jv_key(from, (size_t)(p - from));
}

static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* strtod in the C locale, whatever LC_NUMERIC the program set */
static double c_strtod(const char *p, char **end)
{
	static locale_t c;

	if (!c)
		c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	return c ? strtod_l(p, end, c) : strtod(p, end);
}

/*
 * A number: at most 15 significant digits and a power of ten up to 22 are
 * exact doubles, and one multiplication or division of two exact doubles is
 * correctly rounded (Clinger's fast path); anything else goes to strtod.
 */
static jv build_number(struct build *s)
{
	const char *p = s->b + s->i, *start = p;
	uint64_t m = 0;
	int digits = 0, scale = 0, neg = 0, exact = 1;
	char *end;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		if (m || *p != '0')
			digits++;
		m = m * 10 + (uint64_t)(*p - '0');
		if (digits > 15) {
			exact = 0;
			break;
		}
	}
	if (exact && *p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (m || *p != '0')
				digits++;
			m = m * 10 + (uint64_t)(*p - '0');
			scale++;
			if (digits > 15 || scale > 22) {
				exact = 0;
				break;
			}
		}
	}
	if (exact && *p != 'e' && *p != 'E') {
		double d = (double)m;

		if (scale)
			d /= pow10_exact[scale];
		s->i = (size_t)(p - s->b);
		return jv_number(neg ? -d : d);
	}
	{
		double d = c_strtod(start, &end);

		s->i = (size_t)(end - s->b);
		return jv_number(d);
	}
}

static jv build_value(struct build *s);

static jv build_array(struct build *s)
{
	jv a = jv_array();

	s->i++;
	skip_ws(s);
	if (s->b[s->i] == ']') {
		s->i++;
		return a;
	}
	for (;;) {
		a = jv_array_append(a, build_value(s));
		skip_ws(s);
		if (s->b[s->i++] == ']')
			return a;
		skip_ws(s);             /* after the comma */
	}
}

/*
 * An object: its first TN_JV_SHAPE_MAX members collected and made into one
 * by tn_jv_object_of (a shape met before is filled from a copy), any further
 * members set one by one.
 */
static jv build_object(struct build *s)
{
	jv k[TN_JV_SHAPE_MAX], v[TN_JV_SHAPE_MAX], o = jv_invalid();
	int n = 0;

	s->i++;
	skip_ws(s);
	if (s->b[s->i] == '}') {
		s->i++;
		return jv_object();
	}
	for (;;) {
		jv key = build_key(s), value;

		skip_ws(s);
		s->i++;                 /* the colon */
		skip_ws(s);
		value = build_value(s);
		if (n < TN_JV_SHAPE_MAX) {
			k[n] = key;
			v[n++] = value;
		} else {
			if (!jv_is_valid(o))
				o = tn_jv_object_of(k, v, n);
			o = jv_object_set(o, key, value);
		}
		skip_ws(s);
		if (s->b[s->i++] == '}')
			return jv_is_valid(o) ? o : tn_jv_object_of(k, v, n);
		skip_ws(s);
	}
}

static jv build_value(struct build *s)
{
	switch (s->b[s->i]) {
	case '{':
		return build_object(s);
	case '[':
		return build_array(s);
	case '"':
		return build_string(s);
	case 't':
		s->i += 4;
		return jv_true();
	case 'f':
		s->i += 5;
		return jv_false();
	case 'n':
		s->i += 4;
		return jv_null();
	default:
		return build_number(s);
	}
}

jv tn_json_build(const char *buf, size_t len)
{
	struct build s = { buf, 0, NULL, 0 };
	char *copy = NULL;
	jv v;

	while (s.i < len && (buf[s.i] == ' ' || buf[s.i] == '\t' || buf[s.i] == '\n' ||
			     buf[s.i] == '\r'))
		s.i++;
	if (s.i < len && (buf[s.i] == '-' || (buf[s.i] >= '0' && buf[s.i] <= '9'))) {
		/* a number alone: nothing after it stops the digits but an added NUL */
		copy = tn_xstrndup(buf + s.i, len - s.i);
		s.b = copy;
		s.i = 0;
	}
	v = build_value(&s);
	free(s.tmp);
	free(copy);
	return v;
}
