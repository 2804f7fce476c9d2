/* tn_buf.h — a growable string buffer (git's strbuf): never NULL, always NUL-terminated. */
#ifndef TN_BUF_H
#define TN_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "tn_err.h"

struct tn_buf {
	char *buf;      /* never NULL; points at a shared "" until the first write */
	size_t len;
	size_t alloc;
};

extern char tn_buf_empty[];
#define TN_BUF_INIT { tn_buf_empty, 0, 0 }

void tn_buf_init(struct tn_buf *b);
/* Free the memory; `b` is empty and reusable afterwards. */
void tn_buf_release(struct tn_buf *b);
/* Hand the string to the caller (who frees it); `b` is empty afterwards. Never NULL. */
char *tn_buf_detach(struct tn_buf *b, size_t *len);
/* Make room for `extra` more bytes.  Aborts on out of memory, as git does. */
void tn_buf_grow(struct tn_buf *b, size_t extra);
void tn_buf_reset(struct tn_buf *b);
void tn_buf_setlen(struct tn_buf *b, size_t len);

/*
 * The appends are inline, growing through tn_buf_grow only when the room is
 * short: a reply and its log line are some forty small appends, and as calls
 * they were ~10% of a worker's instructions a certificate read (callgrind).
 * C99 inline definitions: buf.c makes the external ones, which libtwonet.so
 * keeps exporting for programs built before.
 */
inline void tn_buf_add(struct tn_buf *b, const void *data, size_t len)
{
	if (!len)
		return;
	if (b->len + len >= b->alloc)
		tn_buf_grow(b, len);
	memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
}

inline void tn_buf_adds(struct tn_buf *b, const char *s)
{
	tn_buf_add(b, s, strlen(s));
}

inline void tn_buf_addch(struct tn_buf *b, int c)
{
	if (b->len + 1 >= b->alloc)
		tn_buf_grow(b, 1);
	b->buf[b->len++] = (char)c;
	b->buf[b->len] = '\0';
}

/* The digits of `v` in base 10 or 16 (lower case), without printf: a reply's lengths, a log line's numbers. */
void tn_buf_addu(struct tn_buf *b, unsigned long long v, int base);
void tn_buf_addf(struct tn_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tn_buf_vaddf(struct tn_buf *b, const char *fmt, va_list ap);
/* Remove trailing white space. */
void tn_buf_rtrim(struct tn_buf *b);

/* xmalloc-style helpers: abort with a message on out of memory. */
void *tn_xmalloc(size_t n);
void *tn_xcalloc(size_t n, size_t size);
void *tn_xrealloc(void *p, size_t n);
char *tn_xstrdup(const char *s);
char *tn_xstrndup(const char *s, size_t n);

/*
 * Parse a whole decimal long from `s` (strtol with an end-pointer check).
 * Returns 0 and sets *out, or -1 when `s` is not entirely a number in range.
 */
int tn_parse_long(const char *s, long *out);

/*
 * Append what `fp` (not closed) holds up to its end to `b`, at most `max`
 * bytes, `name` naming it in messages.  TN_EINVALID "NAME: larger than MAX
 * bytes" past `max`; TN_EINTR "NAME: interrupted" when tn_cli_interrupted()
 * is true before a read or a read was interrupted by the signal (so a
 * SIGINT or SIGTERM caught before the read blocks is not lost); TN_EIO
 * "cannot read 'NAME': ..." otherwise.  On failure `b` holds what was read.
 */
enum tn_code tn_buf_read_fp(struct tn_buf *b, FILE *fp, const char *name, size_t max,
			    struct tn_err *err);

#endif
