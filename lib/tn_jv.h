/* tn_jv.h — reading members of a jq jv object: one set of getters with one contract. */
#ifndef TN_JV_H
#define TN_JV_H

#include <jv.h>

struct tn_buf;

/*
 * The contract, the same for every function here:
 *   - `obj` is BORROWED: never consumed, never changed; the caller still owns it.
 *   - `obj` may be anything: a value that is not an object (null, invalid, an
 *     array, ...) behaves as an empty object, so no getter can reach one of
 *     jq's assertions.
 *   - A member that is absent or of the wrong kind gives the default (NULL,
 *     `dflt`, jv_null(), an empty array); no getter reports an error.
 *   - Returned jv values are NEW references: the caller frees them.
 *   - tn_jv_str returns a pointer INTO `obj`'s own copy of the string (jq 1.6's
 *     jv_object_get hands back a new reference to the very string the object
 *     holds).  The pointer stays valid exactly as long as `obj` holds that
 *     string: until `obj` is freed or the member is set or deleted (which
 *     includes any jv_object_set/jv_object_merge on `obj`).  Copy it
 *     (tn_jv_strdup) if it must live longer.  Never call tn_jv_str on a
 *     temporary (e.g. tn_jv_str(jv_object_get(...), k)): that leaks and, freed,
 *     dangles.
 * None of them can fail except tn_jv_strdup, which aborts on out of memory as
 * tn_xstrdup does.
 */

/*
 * The jv string of the object key `s` (`n` bytes), as jv_string_sized makes
 * it, but made once a thread for names of up to TN_JV_KEY_MAX bytes: the
 * next call with the same bytes hands out the same string, its hash already
 * computed.  Only for values that stay in the calling thread.
 */
#define TN_JV_KEY_MAX 40
jv tn_jv_key(const char *s, size_t n);

/*
 * The object of the `n` members keys[i]: values[i], in that order (each
 * consumed), the same object jv_object_set would make of them one by one.
 * An object of eight to TN_JV_SHAPE_MAX members whose shape was met twice
 * before (the same keys, the same strings, in the same order: keys from
 * tn_jv_key) is copied from that shape's empty object and filled, which
 * spares jq the growth of its table; a shape met once is only noted, so
 * shapes that never come again cost next to nothing.  Only for values that
 * stay in the calling thread.
 */
#define TN_JV_SHAPE_MAX 64
jv tn_jv_object_of(jv *keys, jv *values, int n);

/*
 * Let go of the calling thread's keys and shapes now (they are made again
 * as needed): for a fuzzer, whose leak check wants each input to free what
 * it allocated.
 */
void tn_jv_forget(void);

/* jv_object_set(obj, key, v) with the key from tn_jv_key (the same contract). */
jv tn_jv_set(jv obj, const char *key, jv v);

/* Member `key` as a new reference, or jv_null() when absent (never invalid). */
jv tn_jv_get(jv obj, const char *key);

/* Member `key` when it is an array (new reference), else a new empty array. */
jv tn_jv_array(jv obj, const char *key);

/* Member `key` when it is an object (new reference), else a new empty object. */
jv tn_jv_object(jv obj, const char *key);

/* The string member `key` as a new jv string, or jv_null() when absent or not a string. */
jv tn_jv_str_or_null(jv obj, const char *key);

/* The string member `key`, borrowed from `obj` (see above), or NULL. */
const char *tn_jv_str(jv obj, const char *key);

/* As tn_jv_str, but `dflt` (borrowed; may be NULL) when absent or not a string. */
const char *tn_jv_str_or(jv obj, const char *key, const char *dflt);

/* The string member `key` as a malloc'd copy the caller frees, or NULL. */
char *tn_jv_strdup(jv obj, const char *key);

/* 1 for true, 0 for false, `dflt` for anything else or absent. */
int tn_jv_bool(jv obj, const char *key, int dflt);

/*
 * The member `key` as an exact whole number within +-2^53 (tn_json_long's
 * rule), else `dflt` (absent, not a number, 1.5, 1e300).
 */
long tn_jv_long(jv obj, const char *key, long dflt);

/* 1 when `obj` is an object holding member `key` (null counts), else 0. */
int tn_jv_has(jv obj, const char *key);

/*
 * 1 when member `key` is the string `want`; with `want` NULL, 1 when the
 * member is present and null.  Else 0.
 */
int tn_jv_is(jv obj, const char *key, const char *want);

/* A new jv string of `s`, or jv_null() when `s` is NULL (a constructor, not a getter). */
jv tn_jv_string_or_null(const char *s);

/* 1 when the array `arr` (borrowed) holds the string `s`; 0 otherwise (also when not an array). */
int tn_jv_array_has_str(jv arr, const char *s);

/*
 * Index of the first element of the array `arr` (borrowed) whose member `key`
 * is the string `want` (tn_jv_is), or -1: none, or `arr` not an array.
 */
int tn_jv_array_find(jv arr, const char *key, const char *want);

/*
 * The name of the first member of the object `obj` (borrowed) that is not
 * one of `allowed` (NULL-terminated), as a malloc'd string; NULL when every
 * member is known or `obj` is not an object.  Aborts only when out of memory.
 */
char *tn_jv_unknown_member(jv obj, const char *const *allowed);

#endif
