/* jvutil.h — small helpers shared by twonetd's handlers: jv members, text checks, today and times, list replies. */
#ifndef TWONETD_JVUTIL_H
#define TWONETD_JVUTIL_H

#include <jv.h>

#include "tn_jv.h"

struct req;

/*
 * Members of a jv object; `obj` may be of any kind: a value that is not an
 * object has no members.
 *
 * member_str: the string member `key` of `obj` (borrowed), or NULL when it is
 * missing or not a string.  The member is kept in *hold, which the caller
 * frees in every case (the returned pointer lives as long as *hold).
 */
const char *member_str(jv obj, const char *key, jv *hold);
/* 1 when member `key` of `obj` (borrowed) is true. */
int member_true(jv obj, const char *key);
/* 1 when `obj` (borrowed) has member `key`, null or not. */
int has_member(jv obj, const char *key);
/* 1 when string member `key` of `obj` (borrowed) equals `want` (NULL: the member is null). */
int member_is(jv obj, const char *key, const char *want);

/* 1 when `s` is one of the '|'-separated words of `list`. */
int word_in(const char *list, const char *s);
/* 1 when `s` holds a control character (below 0x20, or DEL). */
int has_control(const char *s);

/*
 * `epoch` (seconds) as RFC 3339 in local time with its offset
 * ("2026-11-28T10:00:00+08:00", "Z" when the zone gives none) into buf (at
 * least 32 bytes).  time_now_rfc3339 writes now with it.  Cannot fail.
 */
void time_rfc3339(long long epoch, char *buf, size_t size);

/* Reply 200 with a page of a list: {"items": items (consumed), "next": next or null}. */
void reply_list(struct req *q, jv items, const char *next);

#endif
