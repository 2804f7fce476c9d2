/* buf.c — growable string buffer and allocation helpers. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_cli.h"

char tn_buf_empty[1];

static void oom(size_t n)
{
	fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", n);
	abort();
}

void *tn_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *tn_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *tn_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *tn_xstrdup(const char *s)
{
	return tn_xstrndup(s, strlen(s));
}

char *tn_xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = tn_xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void tn_buf_init(struct tn_buf *b)
{
	b->buf = tn_buf_empty;
	b->len = b->alloc = 0;
}

void tn_buf_release(struct tn_buf *b)
{
	if (b->alloc)
		free(b->buf);
	tn_buf_init(b);
}

char *tn_buf_detach(struct tn_buf *b, size_t *len)
{
	char *s;

	if (!b->alloc)
		tn_buf_grow(b, 0);
	s = b->buf;
	if (len)
		*len = b->len;
	tn_buf_init(b);
	return s;
}

void tn_buf_grow(struct tn_buf *b, size_t extra)
{
	size_t want = b->len + extra + 1;

	if (want <= b->alloc)
		return;
	if (want < b->alloc * 2)
		want = b->alloc * 2;
	if (want < 64)
		want = 64;
	if (!b->alloc) {
		b->buf = tn_xmalloc(want);
		b->buf[0] = '\0';
	} else {
		b->buf = tn_xrealloc(b->buf, want);
	}
	b->alloc = want;
}

void tn_buf_reset(struct tn_buf *b)
{
	tn_buf_setlen(b, 0);
}

void tn_buf_setlen(struct tn_buf *b, size_t len)
{
	if (!b->alloc) {
		if (len)
			tn_buf_grow(b, len);
		else
			return;
	}
	b->len = len;
	b->buf[len] = '\0';
}

/* The appends' external definitions (their inline ones are in tn_buf.h). */
extern inline void tn_buf_add(struct tn_buf *b, const void *data, size_t len);
extern inline void tn_buf_adds(struct tn_buf *b, const char *s);
extern inline void tn_buf_addch(struct tn_buf *b, int c);

void tn_buf_addu(struct tn_buf *b, unsigned long long v, int base)
{
	static const char digit[] = "0123456789abcdef";
	unsigned long long n = base == 16 ? 16 : 10;
	char d[24];
	int i = (int)sizeof(d);

	do
		d[--i] = digit[v % n];
	while ((v /= n) > 0);
	tn_buf_add(b, d + i, sizeof(d) - (size_t)i);
}

void tn_buf_vaddf(struct tn_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	tn_buf_grow(b, 64);
	va_copy(cp, ap);
	n = vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= b->alloc - b->len) {
		tn_buf_grow(b, (size_t)n);
		n = vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void tn_buf_addf(struct tn_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tn_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void tn_buf_rtrim(struct tn_buf *b)
{
	while (b->len && (b->buf[b->len - 1] == ' ' || b->buf[b->len - 1] == '\t' ||
			  b->buf[b->len - 1] == '\n' || b->buf[b->len - 1] == '\r'))
		b->len--;
	if (b->alloc)
		b->buf[b->len] = '\0';
}

int tn_parse_long(const char *s, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s)
		return -1;
	*out = v;
	return 0;
}

enum tn_code tn_buf_read_fp(struct tn_buf *b, FILE *fp, const char *name, size_t max,
			    struct tn_err *err)
{
	char chunk[8192];
	size_t n;
	int e;

	/* a signal just before a read ends it (EOF) rather than being lost until then */
	tn_cli_watch_fd(fileno(fp));
	for (;;) {
		if (tn_cli_interrupted())
			break;
		n = fread(chunk, 1, sizeof(chunk), fp);
		if (n == 0)
			break;
		tn_buf_add(b, chunk, n);
		if (b->len > max) {
			tn_cli_watch_fd(-1);
			return tn_err_set(err, TN_EINVALID, "%s: larger than %zu bytes", name, max);
		}
	}
	e = errno;
	tn_cli_watch_fd(-1);
	/* SIGINT or SIGTERM while waiting for input (the handler is not restarting) */
	if (tn_cli_interrupted())
		return tn_err_set(err, TN_EINTR, "%s: interrupted", name);
	if (!ferror(fp))
		return TN_OK;
	return tn_err_set(err, TN_EIO, "cannot read '%s': %s", name, strerror(e));
}
