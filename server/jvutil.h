/* jvutil.h — small helpers shared by twonetd's handlers: word lists, control characters, times, list replies (jv members: lib/tn_jv.h). */
#ifndef TWONETD_JVUTIL_H
#define TWONETD_JVUTIL_H

#include <jv.h>

#include "tn_jv.h"

struct req;

/*
 * 1 when `s` is one of the '|'-separated words of `list`; "" is one when
 * `list` has an empty word (lib's tn_word_in never matches "").
 */
int word_in(const char *list, const char *s);
/* 1 when `s` holds a control character (below 0x20, or DEL). */
int has_control(const char *s);

/*
 * `epoch` (seconds) as RFC 3339 in local time with its offset
 * ("2026-11-28T10:00:00+08:00", "Z" when the zone gives none) into buf (at
 * least 32 bytes), as lib's tn_time_rfc3339.  time_now_rfc3339 writes now with
 * it.  Cannot fail.
 */
void time_rfc3339(long long epoch, char *buf, size_t size);

/*
 * The version an If-Match header names: "57", 57 or W/"57" (spaces around
 * allowed), a whole number 1 .. 2^53 - 1 of digits only; -1 when malformed.
 */
long long if_match_version(const char *h);

/* Reply 200 with a page of a list: {"items": items (consumed), "next": next or null}. */
void reply_list(struct req *q, jv items, const char *next);

#endif
