/* text.c — text helpers kept once: UTF-8 length, SHA-256 hex (and a memo of it), XML escape, word lists. */
#define OPENSSL_SUPPRESS_DEPRECATED     /* SHA256_Init/Update/Final: deprecated in 3.0, kept */
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <string.h>

#include "tn_text.h"
#include "tnp_word.h"

int tn_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

uint32_t tn_fnv1a(const void *s, size_t n)
{
	const unsigned char *p = s;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

uint32_t tn_hash_words(const void *s, size_t n)
{
	const unsigned char *p = s;
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ n, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001B3ULL;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001B3ULL;
	return (uint32_t)(h ^ (h >> 32));
}

size_t tn_ctl_span(const char *s, size_t n, int tab_ok)
{
	size_t i = 0, end;

	while (i < n) {
		if (i + 8 <= n) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if (!tnp_word_ctl(w)) {         /* none below 0x20, none 0x7f: skip */
				i += 8;
				continue;
			}
			end = i + 8;
		} else {
			end = n;
		}
		for (; i < end; i++) {
			unsigned char c = (unsigned char)s[i];

			if ((c < 0x20 && !(tab_ok && c == '\t')) || c == 0x7f)
				return i;
		}
	}
	return n;
}

size_t tn_utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * SHA-256 by OpenSSL's SHA256_Init/Update/Final (deprecated in 3.0, kept):
 * no allocation, no provider.  EVP_Digest fetched SHA-256 and made a
 * context at every call; with both kept (fetched once, a context a thread)
 * EVP_DigestInit_ex still made and freed the provider's state each time:
 * 534-618 ns for 400 bytes where SHA256_Init/Update/Final take 362 (one
 * core, 300,000 hashes).  twonetd hashes a token a request and an audit
 * row a read.
 */
int tn_sha256_hex(const void *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256_CTX c;

	out[0] = '\0';
	if (SHA256_Init(&c) != 1 || SHA256_Update(&c, data, len) != 1 || SHA256_Final(md, &c) != 1)
		return -1;
	for (unsigned int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	return 0;
}

#define MEMO_SLOTS 64
#define MEMO_MAX 96

static __thread struct {
	size_t len;             /* 0: empty */
	char s[MEMO_MAX];
	char hex[65];
} memo[MEMO_SLOTS];

int tn_sha256_hex_memo(const char *s, size_t len, char out[65])
{
	uint32_t h;

	if (len == 0 || len > MEMO_MAX)
		return tn_sha256_hex(s, len, out);
	h = tn_fnv1a(s, len) % MEMO_SLOTS;
	if (memo[h].len == len && CRYPTO_memcmp(memo[h].s, s, len) == 0) {
		memcpy(out, memo[h].hex, 65);
		return 0;
	}
	if (tn_sha256_hex(s, len, out) < 0)
		return -1;
	memo[h].len = len;
	memcpy(memo[h].s, s, len);
	memcpy(memo[h].hex, out, 65);
	return 0;
}

void tn_xml_escape(struct tn_buf *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': tn_buf_adds(out, "&amp;"); break;
		case '<': tn_buf_adds(out, "&lt;"); break;
		case '>': tn_buf_adds(out, "&gt;"); break;
		case '"': tn_buf_adds(out, "&quot;"); break;
		case '\'': tn_buf_adds(out, "&#39;"); break;
		case '\r': tn_buf_adds(out, "&#13;"); break;    /* kept: a reader would fold it */
		default:
			/* XML 1.0 has no control characters but tab and line ends, and no U+FFFE, U+FFFF */
			if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n') {
				tn_buf_addch(out, ' ');
			} else if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBF &&
				   ((unsigned char)s[2] == 0xBE || (unsigned char)s[2] == 0xBF)) {
				tn_buf_adds(out, "\xEF\xBF\xBD");
				s += 2;
			} else {
				tn_buf_addch(out, *s);
			}
		}
	}
}

int tn_word_in(const char *list, const char *word)
{
	size_t n = word ? strlen(word) : 0;

	while (n && list && *list) {
		size_t len = strcspn(list, "|");

		if (len == n && strncmp(list, word, n) == 0)
			return 1;
		list += len + (list[len] == '|');
	}
	return 0;
}
