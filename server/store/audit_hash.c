/* audit_hash.c — the audit chain's row hash without jq, for both storage backends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "tn_buf.h"
#include "tn_cert.h"
#include "tn_text.h"
#include "store/audit_hash.h"

/* 1 when `s` is valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). */
static int utf8_ok(const unsigned char *s)
{
	while (*s) {
		unsigned long cp;
		int n;

		if (*s < 0x80) {
			s++;
			continue;
		}
		if ((*s & 0xe0) == 0xc0) {
			n = 1;
			cp = *s & 0x1f;
		} else if ((*s & 0xf0) == 0xe0) {
			n = 2;
			cp = *s & 0x0f;
		} else if ((*s & 0xf8) == 0xf0) {
			n = 3;
			cp = *s & 0x07;
		} else {
			return 0;
		}
		for (int k = 1; k <= n; k++) {
			if ((s[k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		s += n + 1;
	}
	return 1;
}

/*
 * `s` as jq 1.6 writes a string (NULL: null): '"' and '\' escaped, control
 * characters as \b \f \n \r \t or \u00XX, the rest as it is.  -1 when
 * `s` is not valid UTF-8 (jq would replace bytes: leave that to jq).
 */
static int json_str(struct tn_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		tn_buf_adds(b, "null");
		return 0;
	}
	if (!utf8_ok(p))
		return -1;
	tn_buf_addch(b, '"');
	for (; *p; p++) {
		const unsigned char *run = p;

		while (*p >= 0x20 && *p != 0x7f && *p != '"' && *p != '\\')
			p++;            /* the run of characters written as they are, at once */
		tn_buf_add(b, run, (size_t)(p - run));
		if (!*p)
			break;
		if (*p == '"' || *p == '\\') {
			tn_buf_addch(b, '\\');
			tn_buf_addch(b, *p);
		} else {
			tn_buf_addch(b, '\\');
			switch (*p) {
			case '\b': tn_buf_addch(b, 'b'); break;
			case '\f': tn_buf_addch(b, 'f'); break;
			case '\n': tn_buf_addch(b, 'n'); break;
			case '\r': tn_buf_addch(b, 'r'); break;
			case '\t': tn_buf_addch(b, 't'); break;
			default:
				tn_buf_adds(b, "u00");
				tn_buf_addch(b, hex[*p >> 4]);
				tn_buf_addch(b, hex[*p & 15]);
			}
		}
	}
	tn_buf_addch(b, '"');
	return 0;
}

/*
 * The hash of audit row `seq` after `prev` without jq: the same bytes as
 * tn_cert_audit_hash (prev, then the row's canonical text, members sorted:
 * actor at cert holder outcome purpose role seq) written directly, for the
 * reads' group commit.  -1 when a string is not valid UTF-8: use jq.
 */
static int hash_fast(long long seq, const struct store_audit *a, const char *prev,
			   char out[65])
{
	struct tn_buf b = TN_BUF_INIT;
	int rc = -1;

	if (seq < 0 || seq >= 1000000000000000LL)  /* canonical integers: 15 digits */
		return -1;
	tn_buf_grow(&b, 512);   /* one allocation for a row's text, most often */
	tn_buf_adds(&b, prev);
	tn_buf_adds(&b, "{\"actor\":");
	if (json_str(&b, a->actor) < 0)
		goto out;
	tn_buf_adds(&b, ",\"at\":");
	if (json_str(&b, a->at) < 0)
		goto out;
	tn_buf_adds(&b, ",\"cert\":");
	if (json_str(&b, a->cert) < 0)
		goto out;
	tn_buf_adds(&b, ",\"holder\":");
	if (json_str(&b, a->holder) < 0)
		goto out;
	tn_buf_adds(&b, ",\"outcome\":");
	if (json_str(&b, a->outcome) < 0)
		goto out;
	tn_buf_adds(&b, ",\"purpose\":");
	if (json_str(&b, a->purpose) < 0)
		goto out;
	tn_buf_adds(&b, ",\"role\":");
	if (json_str(&b, a->role) < 0)
		goto out;
	tn_buf_addf(&b, ",\"seq\":%lld}", seq);
	rc = tn_sha256_hex(b.buf, b.len, out);
out:
	tn_buf_release(&b);
	return rc;
}

static jv text_or_null(const char *s)
{
	return s ? jv_string(s) : jv_null();
}

enum tn_code store_audit_hash(long long seq, const struct store_audit *a, const char *prev,
			      char out[65], struct tn_err *err)
{
	enum tn_code code;
	jv r;

	if (a->actor && a->at && a->role && a->outcome && hash_fast(seq, a, prev, out) == 0)
		return TN_OK;
	r = jv_object_set(jv_object(), jv_string("seq"), jv_number((double)seq));
	r = jv_object_set(r, jv_string("at"), text_or_null(a->at));
	r = jv_object_set(r, jv_string("actor"), text_or_null(a->actor));
	r = jv_object_set(r, jv_string("role"), text_or_null(a->role));
	r = jv_object_set(r, jv_string("cert"), text_or_null(a->cert));
	r = jv_object_set(r, jv_string("holder"), text_or_null(a->holder));
	r = jv_object_set(r, jv_string("purpose"), text_or_null(a->purpose));
	r = jv_object_set(r, jv_string("outcome"), text_or_null(a->outcome));
	code = tn_cert_audit_hash(r, prev, out, err);
	jv_free(r);
	return code;
}
