/* tn_json.h — reading JSON from hostile sources: exactly one value, bounded, no NUL, no control characters. */
#ifndef TN_JSON_H
#define TN_JSON_H

#include <stddef.h>

#include <jv.h>

#include "tn_err.h"

/* The default nesting limit of tn_json_parse_exact (arrays and objects). */
#define TN_JSON_MAX_DEPTH 32

/*
 * Parse exactly one JSON value from buf[0..len): white space may stand
 * before and after it, nothing else.  Refused, as TN_EINVALID with a message
 * "malformed JSON: ... at offset N" (and *offset, when not NULL, set to the
 * byte offset of the fault):
 *   - bytes that are not valid UTF-8, and a NUL byte anywhere;
 *   - no value, a second value or anything else after the first;
 *   - arrays and objects nested deeper than `max_depth` (0: TN_JSON_MAX_DEPTH);
 *   - a raw control character inside a string (JSON forbids them);
 *   - a string or member name that holds U+0000, or a control character other
 *     than tab, line feed and carriage return, even written as an escape
 *     ("\u0000" would be stored cut short by C code); the message names its
 *     path (".form.name");
 *   - a number that is not finite (1e999).
 * jq's parser is not used (tn_json_build makes the value from a text that
 * passed these checks), so nothing a client sends can reach one of its
 * assertions through this function.  On success *out owns the value; on
 * failure *out is jv_invalid().
 */
enum tn_code tn_json_parse_exact(const char *buf, size_t len, int max_depth, jv *out,
				 size_t *offset, struct tn_err *err);

/*
 * The value of buf[0..len), a text tn_json_parse_exact's scan found to be
 * one well-formed value in valid UTF-8 (on anything else the result is
 * undefined: never call it on a text not so checked).  The same value jq
 * 1.6's parser makes of it, without its tokenizer (json_build.c).
 */
jv tn_json_build(const char *buf, size_t len);

/*
 * tn_json_parse_exact with the default depth, shaped as jq's jv_parse_sized:
 * the value, or jv_invalid_with_msg(a string saying what is wrong).  The
 * caller owns the result.  Use it instead of jv_parse* for every text from
 * outside the process (files, stdin, the network): jq 1.6's own parser
 * asserts or leaks on some malformed texts.
 */
jv tn_json_parse(const char *buf, size_t len);

/*
 * The number `v` (borrowed) as a long, or `dflt` when it is not a number or
 * not a whole number within +-2^53 (so no cast of a double out of range:
 * that is undefined behaviour in C).  Cannot fail.
 */
long tn_json_long(jv v, long dflt);

/*
 * The first string of `v` (borrowed; keys included) that holds U+0000 or a
 * control character other than tab, line feed and carriage return: 1 with
 * its path written into `path` (".a[2].b", at most size bytes), else 0.
 */
int tn_json_find_control(jv v, char *path, size_t size);
/* 1 when s[0..n) holds a byte tn_json_find_control refuses (a NUL, a control character but tab, LF, CR). */
int tn_json_control_in(const char *s, size_t n);

struct tn_buf;
/*
 * Append `v` (borrowed) to `b` as compact JSON, byte for byte what
 * jv_dump_string(v, 0) writes (members in the object's own order, the same
 * escapes and numbers), several times faster: jq 1.6 builds its text in a jv
 * string a piece at a time.  Numbers other than whole ones under 1e15 are
 * written by jq itself.  Cannot fail; an invalid value is written as null
 * (jv_dump_string asserts on one).
 */
void tn_json_dump(jv v, struct tn_buf *b);
/*
 * The object of the `n` members keys[i]: values[i] (borrowed; the keys jv
 * strings, no two alike) as tn_json_dump writes it, without the object:
 * what an object built of them in that order dumps to (tn_jv_object_of),
 * for less than jq's walk of its table costs.
 */
void tn_json_dump_members(const jv *keys, const jv *values, int n, struct tn_buf *b);
/*
 * jv_dump_string(v, 0) (v consumed, a jv string returned), by tn_json_dump:
 * 2.5 times faster on a stored alert (486 bytes: 5.2 against 13.3 us), more
 * on a task holding its hundred alerts' ids.
 */
jv tn_json_dump_string(jv v);
/*
 * The same with every object's members in sorted order: byte for byte what
 * jv_dump_string(v, JV_PRINT_SORTED) writes: the canonical text that
 * certificates are signed over (lib/cert.c), tn_json_canonical's, and the
 * text every idempotency key and alert source_id is derived from.
 */
void tn_json_dump_sorted(jv v, struct tn_buf *b);

/*
 * 1 when buf[0..len) holds one JSON object, white space before and after it
 * allowed, that tn_json_parse accepts and whose tn_json_dump is the very
 * bytes buf[*from..*to) (either pointer may be NULL): no white space inside
 * it, strings in valid UTF-8 with no control character, DEL or escape but
 * \" \\ \t \n \r, numbers as jq writes them, no member name twice in one
 * object (nor more than 64 members), at most TN_JSON_MAX_DEPTH deep.  Builds
 * no values: a reply the server wrote with tn_json_dump can be passed on as
 * it came (an NDJSON line, since it holds no raw line end).  0 says only
 * that the text must be parsed to be passed on: it may be valid JSON written
 * another way.  Cannot fail.
 */
int tn_json_verbatim(const char *buf, size_t len, size_t *from, size_t *to);

#endif
