/* http1.c — an HTTP/1.x request head, parsed exactly (tn_http1.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tn_http1.h"
#include "tn_buf.h"
#include "tn_text.h"

static int is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Field names a and b the same, case aside (most differ at the first letter: no call). */
static int same_name(const char *a, const char *b)
{
	return ((unsigned char)*a | 0x20) == ((unsigned char)*b | 0x20) && strcasecmp(a, b) == 0;
}

static int refuse(struct tn_http1_head *h, int *status, int code, char *detail, size_t dsize,
		  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int refuse(struct tn_http1_head *h, int *status, int code, char *detail, size_t dsize,
		  const char *fmt, ...)
{
	va_list ap;

	tn_http1_head_free(h);
	*status = code;
	if (dsize) {
		va_start(ap, fmt);
		vsnprintf(detail, dsize, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* `s` for a sentence: control characters as '?', at most 60 bytes. */
static const char *shown(const char *s, char *out, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i < 60 && i + 1 < size; i++)
		out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	out[i] = '\0';
	return out;
}

/* The index just past the empty line that ends the head begun at `p`, or 0 when none is there yet. */
static size_t head_end(const char *buf, size_t p, size_t len)
{
	const char *nl;

	while (p < len && (nl = memchr(buf + p, '\n', len - p)) != NULL) {
		size_t i = (size_t)(nl - buf);

		if (i + 1 < len && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
		p = i + 1;
	}
	return 0;
}

/* The request line, cut in place: 0, or -1 refused. */
static int request_line(char *line, struct tn_http1_head *h, int *status, char *detail,
			size_t dsize)
{
	char *sp1 = strchr(line, ' '), *sp2, *v;

	if (!sp1 || sp1 == line)
		return refuse(h, status, 400, detail, dsize, "the request line is not "
			      "'METHOD target HTTP/1.1'");
	*sp1 = '\0';
	for (const char *c = line; *c; c++)
		if (!is_tchar((unsigned char)*c))
			return refuse(h, status, 400, detail, dsize, "the method is not a token");
	sp2 = strchr(sp1 + 1, ' ');
	if (!sp2 || sp2 == sp1 + 1)
		return refuse(h, status, 400, detail, dsize, "the request line is not "
			      "'METHOD target HTTP/1.1'");
	*sp2 = '\0';
	v = sp2 + 1;
	if (strncmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' ||
	    v[7] < '0' || v[7] > '9' || v[8] != '\0')
		return refuse(h, status, 400, detail, dsize, "the request line is not "
			      "'METHOD target HTTP/1.1'");
	if (v[5] != '1' || v[7] > '1')
		return refuse(h, status, 505, detail, dsize, "HTTP/%c.%c is not served: HTTP/1.1 "
			      "is", v[5], v[7]);
	h->method = line;
	h->target = sp1 + 1;
	h->minor = v[7] - '0';
	return 0;
}

/* One header line, cut in place into h->fields: 0, or -1 refused. */
static int field_line(char *line, size_t n, struct tn_http1_head *h, int *status, char *detail,
		      size_t dsize)
{
	char *colon, *val, *end, name[64];

	if (*line == ' ' || *line == '\t')
		return refuse(h, status, 400, detail, dsize, "header line %zu continues the one "
			      "before (obsolete line folding)", n);
	colon = strchr(line, ':');
	if (!colon)
		return refuse(h, status, 400, detail, dsize, "header line %zu has no colon", n);
	*colon = '\0';
	if (!*line)
		return refuse(h, status, 400, detail, dsize, "a header field without a name");
	for (const char *c = line; *c; c++)
		if (!is_tchar((unsigned char)*c))
			return refuse(h, status, 400, detail, dsize, "header name '%s' is not a "
				      "token", shown(line, name, sizeof(name)));
	if (h->nfields == TN_HTTP1_MAX_FIELDS)
		return refuse(h, status, 431, detail, dsize, "more than %d header fields",
			      TN_HTTP1_MAX_FIELDS);
	val = colon + 1;
	while (*val == ' ' || *val == '\t')
		val++;
	end = val + strlen(val);
	while (end > val && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	h->fields[h->nfields].name = line;
	h->fields[h->nfields].value = val;
	h->nfields++;
	return 0;
}

int tn_http1_parse(const char *buf, size_t len, size_t max, struct tn_http1_head *h,
		   int *status, char *detail, size_t dsize)
{
	size_t p = 0, end, n = 0, lines = 0;
	char *line, *next;

	memset(h, 0, sizeof(*h));
	/* empty lines before the request line are skipped */
	while (p < len && (buf[p] == '\n' || (buf[p] == '\r' && p + 1 < len && buf[p + 1] == '\n')))
		p += buf[p] == '\n' ? 1 : 2;
	end = head_end(buf, p, len);
	if (!end || end > max) {
		if (end > max || len > max)
			return refuse(h, status, 431, detail, dsize, "the request head is larger "
				      "than %zu bytes", max);
		return 0;
	}
	h->len = end;
	h->text = tn_xmalloc(end - p + 1);
	memcpy(h->text, buf + p, end - p);
	h->text[end - p] = '\0';
	/* a NUL never cuts a string short: \x01, refused later as a control character */
	for (char *z = h->text, *e = h->text + (end - p); (z = memchr(z, '\0', (size_t)(e - z))); )
		*z++ = '\x01';
	for (const char *c = h->text, *e = c + (end - p); (c = memchr(c, '\n', (size_t)(e - c))); c++)
		lines++;
	h->fields = tn_xcalloc(lines < TN_HTTP1_MAX_FIELDS ? lines + 1 : TN_HTTP1_MAX_FIELDS,
			       sizeof(*h->fields));
	for (line = h->text; *line; line = next, n++) {
		char *nl = strchr(line, '\n');

		*nl = '\0';
		next = nl + 1;
		if (nl > line && nl[-1] == '\r')
			nl[-1] = '\0';
		if (!*line)
			break;          /* the empty line: the end */
		if (n == 0 ? request_line(line, h, status, detail, dsize) < 0 :
		    field_line(line, n, h, status, detail, dsize) < 0)
			return -1;
	}
	return 1;
}

void tn_http1_head_free(struct tn_http1_head *h)
{
	free(h->text);
	free(h->fields);
	memset(h, 0, sizeof(*h));
}

enum tn_http1_framing tn_http1_framing(const struct tn_http1_head *h, size_t *len)
{
	const char *cl = NULL;
	int te = 0;

	*len = 0;
	for (size_t i = 0; i < h->nfields; i++) {
		const struct tn_http1_field *f = &h->fields[i];
		size_t digits;

		if (same_name(f->name, "Transfer-Encoding")) {
			te = 1;
		} else if (same_name(f->name, "Content-Length")) {
			digits = strspn(f->value, "0123456789");
			if (!digits || digits > 15 || f->value[digits])
				return TN_HTTP1_BAD_LENGTH;
			if (cl && strcmp(cl, f->value) != 0)
				return TN_HTTP1_TWO_LENGTHS;
			cl = f->value;
		}
	}
	if (te)
		return cl ? TN_HTTP1_TE_AND_LENGTH : TN_HTTP1_TE;
	*len = cl ? (size_t)strtoull(cl, NULL, 10) : 0;
	return TN_HTTP1_LENGTH;
}

const char *tn_http1_field(const struct tn_http1_head *h, const char *name)
{
	for (size_t i = 0; i < h->nfields; i++)
		if (same_name(h->fields[i].name, name))
			return h->fields[i].value;
	return NULL;
}

int tn_query_split(char *s, struct tn_query_param *out, int max)
{
	int n = 0;

	while (s && *s) {
		char *arg = s, *amp = strchr(s, '&'), *eq;

		s = amp ? amp + 1 : NULL;
		if (amp)
			*amp = '\0';
		eq = strchr(arg, '=');
		if (!eq || eq == arg || n == max)
			return -1;
		*eq++ = '\0';
		eq[tn_uri_decode(eq, strlen(eq), 1, eq)] = '\0';
		out[n++] = (struct tn_query_param){ arg, eq };
	}
	return n;
}

size_t tn_uri_decode(const char *s, size_t len, int plus, char *out)
{
	size_t j = 0;

	/* nothing to decode (a path or value of plain characters, nearly always): a copy at most */
	if (!memchr(s, '%', len) && (!plus || !memchr(s, '+', len))) {
		if (out != s)
			memmove(out, s, len);
		return len;
	}

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i], hi, lo;

		if (c == '+' && plus)
			c = ' ';
		else if (c == '%' && i + 2 < len && (hi = tn_hex_value((unsigned char)s[i + 1])) >= 0 &&
			 (lo = tn_hex_value((unsigned char)s[i + 2])) >= 0) {
			c = hi << 4 | lo;
			i += 2;
		}
		out[j++] = (char)c;
	}
	return j;
}
