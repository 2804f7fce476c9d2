/* tn_text.h — text helpers kept once: UTF-8 length and validity, SHA-256 hex, XML escape, word lists. */
#ifndef TN_TEXT_H
#define TN_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "tn_buf.h"

/*
 * Number of characters (code points) of UTF-8 `s`, as the documented maxima
 * count them: every byte that does not continue a character counts one.
 * Cannot fail.
 */
size_t tn_utf8_chars(const char *s);

/*
 * 1 when `s` (length len) is valid UTF-8: no overlong forms, surrogates or
 * code points past U+10FFFF; a NUL byte is valid.  Cannot fail.
 * (Defined in width.c beside the decoder that measures widths.)
 */
int tn_utf8_valid(const char *s, size_t len);

/*
 * The length of the first run of `n` bytes at `s` without a C0 control
 * character (U+0000 to U+001F; tab allowed when `tab_ok`) or DEL: `n` when
 * none.  Eight bytes a step: a word with no byte below 0x20 and none 0x7f
 * (UTF-8's bytes, 0x80 and up, are neither) is passed whole; a request's
 * target and fields are scanned so several times a request.  Cannot fail.
 */
size_t tn_ctl_span(const char *s, size_t n, int tab_ok);

/* The value of hex digit `c` (either case), or -1. */
int tn_hex_value(int c);

/* FNV-1a (32 bits) of `n` bytes at `s`: the hash of the in-memory tables (not of anything stored). */
uint32_t tn_fnv1a(const void *s, size_t n);
/*
 * The same use, eight bytes a step: for keys longer than a few dozen bytes
 * (a certificate id, a stored document), where FNV-1a's byte a step shows
 * (four fifths of a memo's time on 2.2 KB texts).  Not of anything stored.
 */
uint32_t tn_hash_words(const void *s, size_t n);

/*
 * SHA-256 of `len` bytes at `data` as 64 lower-case hex digits and a NUL in
 * `out`.  Returns 0, or -1 with `out` empty when no digest can be made.
 */
int tn_sha256_hex(const void *data, size_t len, char out[65]);
/*
 * tn_sha256_hex of a short secret seen again and again (a bearer token: the
 * server's token cache is keyed by its hash), the last ones' hashes kept,
 * 64 a thread, for inputs of 1 to 96 bytes (others are hashed each time).
 * It holds input -> hash only; an input is compared with CRYPTO_memcmp, so
 * how long a call takes says nothing of how much of a guess matched a kept
 * secret.
 */
int tn_sha256_hex_memo(const char *s, size_t len, char out[65]);

/*
 * XML/HTML-escape `s` (NULL: nothing) into `out`: & < > " ' as entities, a
 * carriage return as &#13;, other control characters but tab and line feed
 * as a space, U+FFFE and U+FFFF as U+FFFD, so that the result is always
 * XML 1.0.  Cannot fail.
 */
void tn_xml_escape(struct tn_buf *out, const char *s);

/*
 * 1 when `word` is one of the '|'-separated words of `list` ("a|b|c"), the
 * way the statuses and actions are listed; 0 otherwise, also for NULL or "".
 * Cannot fail.
 */
int tn_word_in(const char *list, const char *word);

#endif
