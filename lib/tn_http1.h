/* tn_http1.h — an HTTP/1.x request head (RFC 9112), parsed exactly, for twonetd's own server. */
#ifndef TN_HTTP1_H
#define TN_HTTP1_H

#include <stddef.h>

/*
 * What.  The request line and the header fields of one request, cut from
 * the bytes a connection received, into strings of their own.
 *
 * Accepted: "METHOD SP target SP HTTP/1.0|1.1", then "name: value" lines,
 * then an empty line; a line ends with CRLF or a bare LF; empty lines before
 * the request line are skipped (RFC 9112 2.2).  A method is a token; a
 * target is any bytes but SP, CR and LF; a name is a token with the colon
 * right after it; the value loses the spaces and tabs around it.
 *
 * Not judged here, for the server to refuse by name (twonetd's
 * req_head_check): a control character in a value or the target (a NUL
 * becomes 0x01, never a string cut short), Content-Length and
 * Transfer-Encoding, how many fields and how large.
 *
 * Refused, with a status and a sentence: a malformed request line (400), an
 * HTTP version other than 1.x (505), a line that continues the one before
 * (obsolete folding, 400), a field without a colon or with a space before it
 * (400), a name that is not a token (400), a head over `max` bytes or with
 * more than TN_HTTP1_MAX_FIELDS fields (431).
 */

#define TN_HTTP1_MAX_FIELDS 256

struct tn_http1_field {
	const char *name;
	const char *value;
};

struct tn_http1_head {
	char *text;                     /* owned: every string below points into it */
	const char *method;
	const char *target;
	int minor;                      /* HTTP/1.minor: 0 or 1 */
	size_t nfields;
	struct tn_http1_field *fields;  /* owned */
	size_t len;                     /* the head's bytes in the input, empty line included */
};

/*
 * Parse the head at the start of buf[0..len).  1: parsed, *h filled (free
 * it with tn_http1_head_free).  0: no complete head yet and none of what is
 * there is refused: read more.  -1: refused; *status is the reply's status
 * and detail[0..dsize) says why (*h is left empty).
 */
int tn_http1_parse(const char *buf, size_t len, size_t max, struct tn_http1_head *h,
		   int *status, char *detail, size_t dsize);
void tn_http1_head_free(struct tn_http1_head *h);
/* The value of the first field named `name` (any case), or NULL. */
const char *tn_http1_field(const struct tn_http1_head *h, const char *name);

/*
 * How the body after a head is framed (RFC 9112 6.3), refused when a proxy in
 * front could read it otherwise: only Content-Length, 1 to 15 digits, the same
 * if repeated, is taken (*len its value; no Content-Length: 0).  The first
 * fault in field order wins; Transfer-Encoding is judged after them.
 */
enum tn_http1_framing {
	TN_HTTP1_LENGTH,        /* Content-Length, or no body */
	TN_HTTP1_BAD_LENGTH,    /* a Content-Length that is not a plain number */
	TN_HTTP1_TWO_LENGTHS,   /* two Content-Length fields that differ */
	TN_HTTP1_TE_AND_LENGTH, /* Transfer-Encoding and Content-Length */
	TN_HTTP1_TE,            /* Transfer-Encoding alone */
};
enum tn_http1_framing tn_http1_framing(const struct tn_http1_head *h, size_t *len);

/*
 * Percent-decode the `len` bytes at `s` into `out` (room for `len` bytes;
 * may be `s` itself: decoding only shortens), as libevent's
 * evhttp_uridecode does: "%XX" with two hex digits is that byte, any other
 * '%' stays; with `plus`, '+' is a space.  Returns the decoded length; the
 * result may hold NUL bytes (from "%00") and is not terminated.  The
 * server's path segments and query values, without an allocation each.
 */
size_t tn_uri_decode(const char *s, size_t len, int plus, char *out);

/* A query parameter: the key as sent, the value decoded. */
struct tn_query_param {
	const char *key, *value;
};

/*
 * Split the query string `s` in place into at most `max` parameters, as
 * libevent's evhttp_parse_query_str does: at '&', then at the first '=';
 * keys as sent, values decoded (tn_uri_decode, '+' a space) and terminated;
 * a trailing '&' ends the list.  Returns the count, or -1 for a parameter
 * without '=' or with an empty key, or more than `max`.  A value with "%00"
 * is cut at its NUL (the server refuses those before: serve.c's query_ok).
 */
int tn_query_split(char *s, struct tn_query_param *out, int max);

#endif
