/* json.c — exact JSON parsing for input from outside: one value, bounded depth, clean strings. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tn_out.h"

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Where the first value of buf[i..len) ends (one past its last byte), with
 * its nesting checked; -1 with *bad and *why set when the text cannot be one
 * value.  Only structure is checked here; jq's parser checks the grammar.
 */
static long value_end(const char *buf, size_t len, size_t i, int max_depth, size_t *bad,
		      const char **why)
{
	int depth = 0;

	if (i >= len) {
		*bad = i;
		*why = "no value";
		return -1;
	}
	if (buf[i] != '{' && buf[i] != '[' && buf[i] != '"') {
		/* a number or a literal: up to the next delimiter */
		while (i < len && !is_ws(buf[i]) && !strchr("{}[],:\"", buf[i]))
			i++;
		return (long)i;
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '"') {
			for (i++; i < len && buf[i] != '"'; i++) {
				if ((unsigned char)buf[i] < 0x20) {
					*bad = i;
					*why = "a control character inside a string";
					return -1;
				}
				if (buf[i] == '\\')
					i++;
			}
			if (i >= len) {
				*bad = len;
				*why = "an unfinished string";
				return -1;
			}
			if (depth == 0)
				return (long)i + 1;
		} else if (c == '{' || c == '[') {
			if (++depth > max_depth) {
				*bad = i;
				*why = "nesting too deep";
				return -1;
			}
		} else if (c == '}' || c == ']') {
			if (--depth == 0)
				return (long)i + 1;
			if (depth < 0) {
				*bad = i;
				*why = "an unbalanced bracket";
				return -1;
			}
		}
	}
	*bad = len;
	*why = "an unfinished value";
	return -1;
}

/* The offset of the first byte that does not start a valid UTF-8 character; len when none. */
static size_t first_bad_utf8(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;

		if (!n || n > len - i || !tn_utf8_valid(s + i, n))
			return i;
		i += n;
	}
	return len;
}

static int bad_string(const char *s, int n)
{
	for (int i = 0; i < n; i++) {
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
		return bad_string(jv_string_value(v), jv_string_length_bytes(jv_copy(v)));
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
				found = bad_string(ks, kn) || find(e, path);
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
	struct jv_parser *p;
	const char *why = NULL, *nul;
	size_t i = 0, bad = 0;
	long end;
	char path[256];
	jv v, next;

	*out = jv_invalid();
	if (max_depth <= 0)
		max_depth = TN_JSON_MAX_DEPTH;
	if (len > 0x7fffffff)
		return fail(err, offset, 0, "text too long");
	if ((nul = memchr(buf, '\0', len)))
		return fail(err, offset, (size_t)(nul - buf), "a NUL byte");
	if ((bad = first_bad_utf8(buf, len)) < len)
		return fail(err, offset, bad, "bytes that are not UTF-8");
	while (i < len && is_ws(buf[i]))
		i++;
	if ((end = value_end(buf, len, i, max_depth, &bad, &why)) < 0)
		return fail(err, offset, bad, why);
	for (size_t j = (size_t)end; j < len; j++)
		if (!is_ws(buf[j]))
			return fail(err, offset, j, "more after the value");
	p = jv_parser_new(0);
	jv_parser_set_buf(p, buf, (int)end, 0);
	v = jv_parser_next(p);
	next = jv_is_valid(v) ? jv_parser_next(p) : jv_invalid();
	jv_parser_free(p);
	if (!jv_is_valid(v) || jv_is_valid(next) || jv_invalid_has_msg(jv_copy(next))) {
		jv msg = jv_invalid_get_msg(jv_is_valid(v) ? jv_copy(next) : jv_copy(v));
		char m[200];

		snprintf(m, sizeof(m), "%s", jv_get_kind(msg) == JV_KIND_STRING ?
			 jv_string_value(msg) : "not a JSON value");
		jv_free(msg);
		jv_free(v);
		jv_free(next);
		return fail(err, offset, i, m);
	}
	jv_free(next);
	if (!all_finite(v)) {
		jv_free(v);
		return fail(err, offset, i, "a number out of range");
	}
	if (tn_json_find_control(v, path, sizeof(path))) {
		jv_free(v);
		if (offset)
			*offset = i;
		return tn_err_set(err, TN_EINVALID, "%s: a NUL or control character in a string",
				  path);
	}
	*out = v;
	return TN_OK;
}
