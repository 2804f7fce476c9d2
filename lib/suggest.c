/* suggest.c — "did you mean": edit distance and the closest candidate word. */
#include <stdint.h>
#include <string.h>

#include "tn_suggest.h"

#define MAXCH 256

/* Decode up to MAXCH code points of `s` into `out`, ASCII folded to lower
 * case; a byte that is not valid UTF-8 counts as one character.  Returns the
 * count, or MAXCH + 1 when `s` is longer. */
static size_t decode(const char *s, uint32_t *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p) {
		uint32_t c = *p;
		int len = 1;

		if (n == MAXCH)
			return MAXCH + 1;
		if (c >= 0xc0 && c < 0xe0 && (p[1] & 0xc0) == 0x80) {
			c = ((c & 0x1f) << 6) | (p[1] & 0x3f);
			len = 2;
		} else if (c >= 0xe0 && c < 0xf0 && (p[1] & 0xc0) == 0x80 &&
			   (p[2] & 0xc0) == 0x80) {
			c = ((c & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) |
			    (p[2] & 0x3f);
			len = 3;
		} else if (c >= 0xf0 && c < 0xf8 && (p[1] & 0xc0) == 0x80 &&
			   (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80) {
			c = ((c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
			    ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
			len = 4;
		} else if (c >= 'A' && c <= 'Z') {
			c += 'a' - 'A';
		}
		out[n++] = c;
		p += len;
	}
	return n;
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* Optimal string alignment distance of x[0..m) and y[0..n), three rows. */
static size_t osa(const uint32_t *x, size_t m, const uint32_t *y, size_t n)
{
	size_t rows[3][MAXCH + 1];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

	for (size_t j = 0; j <= n; j++)
		prev[j] = j;
	for (size_t i = 1; i <= m; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= n; j++) {
			size_t cost = x[i - 1] != y[j - 1];

			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && x[i - 1] == y[j - 2] &&
			    x[i - 2] == y[j - 1] && prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
		}
		size_t *t = prev2;

		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[n];
}

size_t tn_suggest_distance(const char *a, const char *b)
{
	uint32_t x[MAXCH], y[MAXCH];
	size_t m = decode(a ? a : "", x), n = decode(b ? b : "", y);

	if (m > MAXCH || n > MAXCH)
		return (size_t)-1;
	return osa(x, m, y, n);
}

const char *tn_suggest(const char *word, const char *const *candidates, size_t n)
{
	uint32_t x[MAXCH], y[MAXCH];
	size_t m, best_d = (size_t)-1;
	const char *best = NULL;

	if (!word || !*word || !candidates)
		return NULL;
	m = decode(word, x);
	if (m > MAXCH)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t k, d, limit;

		if (!candidates[i])
			continue;
		k = decode(candidates[i], y);
		if (k > MAXCH)
			continue;
		limit = (m > k ? m : k) / 3;
		if (limit < 1)
			limit = 1;
		/* the length difference alone is a lower bound */
		if ((m > k ? m - k : k - m) > limit)
			continue;
		d = osa(x, m, y, k);
		if (d <= limit && d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best;
}
