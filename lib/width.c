/* width.c — UTF-8 decoding and terminal display width (East Asian Wide = 2 columns), locale-free. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_out.h"
#include "tn_text.h"

struct range {
	uint32_t first, last;
};

/* Combining and other zero-width characters (a compact subset of Unicode's Mn/Me/Cf). */
static const struct range zero_width[] = {
	{ 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD }, { 0x05BF, 0x05BF },
	{ 0x05C1, 0x05C2 }, { 0x05C4, 0x05C5 }, { 0x05C7, 0x05C7 }, { 0x0610, 0x061A },
	{ 0x064B, 0x065F }, { 0x0670, 0x0670 }, { 0x06D6, 0x06DC }, { 0x06DF, 0x06E4 },
	{ 0x0E31, 0x0E31 }, { 0x0E34, 0x0E3A }, { 0x0E47, 0x0E4E }, { 0x1AB0, 0x1AFF },
	{ 0x1DC0, 0x1DFF }, { 0x200B, 0x200F }, { 0x202A, 0x202E }, { 0x2060, 0x2064 },
	{ 0x20D0, 0x20FF }, { 0x302A, 0x302D }, { 0x3099, 0x309A }, { 0xFE00, 0xFE0F },
	{ 0xFE20, 0xFE2F }, { 0xFEFF, 0xFEFF }, { 0x1F3FB, 0x1F3FF }, { 0xE0000, 0xE0FFF },
};

/* East Asian Wide (W) and Fullwidth (F) of Unicode's EastAsianWidth.txt, merged and compacted. */
static const struct range wide[] = {
	{ 0x1100, 0x115F }, { 0x231A, 0x231B }, { 0x2329, 0x232A }, { 0x23E9, 0x23EC },
	{ 0x23F0, 0x23F0 }, { 0x23F3, 0x23F3 }, { 0x25FD, 0x25FE }, { 0x2614, 0x2615 },
	{ 0x2648, 0x2653 }, { 0x267F, 0x267F }, { 0x2693, 0x2693 }, { 0x26A1, 0x26A1 },
	{ 0x26AA, 0x26AB }, { 0x26BD, 0x26BE }, { 0x26C4, 0x26C5 }, { 0x26CE, 0x26CE },
	{ 0x26D4, 0x26D4 }, { 0x26EA, 0x26EA }, { 0x26F2, 0x26F3 }, { 0x26F5, 0x26F5 },
	{ 0x26FA, 0x26FA }, { 0x26FD, 0x26FD }, { 0x2705, 0x2705 }, { 0x270A, 0x270B },
	{ 0x2728, 0x2728 }, { 0x274C, 0x274C }, { 0x274E, 0x274E }, { 0x2753, 0x2755 },
	{ 0x2757, 0x2757 }, { 0x2795, 0x2797 }, { 0x27B0, 0x27B0 }, { 0x27BF, 0x27BF },
	{ 0x2B1B, 0x2B1C }, { 0x2B50, 0x2B50 }, { 0x2B55, 0x2B55 }, { 0x2E80, 0x303E },
	{ 0x3041, 0x33FF }, { 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF }, { 0xA000, 0xA4CF },
	{ 0xA960, 0xA97F }, { 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF }, { 0xFE10, 0xFE19 },
	{ 0xFE30, 0xFE6F }, { 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 }, { 0x16FE0, 0x16FE4 },
	{ 0x17000, 0x18CFF }, { 0x1B000, 0x1B2FF }, { 0x1F004, 0x1F004 }, { 0x1F0CF, 0x1F0CF },
	{ 0x1F18E, 0x1F18E }, { 0x1F191, 0x1F19A }, { 0x1F200, 0x1F202 }, { 0x1F210, 0x1F23B },
	{ 0x1F240, 0x1F248 }, { 0x1F250, 0x1F251 }, { 0x1F260, 0x1F265 }, { 0x1F300, 0x1F320 },
	{ 0x1F32D, 0x1F335 }, { 0x1F337, 0x1F37C }, { 0x1F37E, 0x1F393 }, { 0x1F3A0, 0x1F3CA },
	{ 0x1F3CF, 0x1F3D3 }, { 0x1F3E0, 0x1F3F0 }, { 0x1F3F4, 0x1F3F4 }, { 0x1F3F8, 0x1F43E },
	{ 0x1F440, 0x1F440 }, { 0x1F442, 0x1F4FC }, { 0x1F4FF, 0x1F53D }, { 0x1F54B, 0x1F54E },
	{ 0x1F550, 0x1F567 }, { 0x1F57A, 0x1F57A }, { 0x1F595, 0x1F596 }, { 0x1F5A4, 0x1F5A4 },
	{ 0x1F5FB, 0x1F64F }, { 0x1F680, 0x1F6C5 }, { 0x1F6CC, 0x1F6CC }, { 0x1F6D0, 0x1F6D2 },
	{ 0x1F6D5, 0x1F6D7 }, { 0x1F6EB, 0x1F6EC }, { 0x1F6F4, 0x1F6FC }, { 0x1F7E0, 0x1F7EB },
	{ 0x1F90C, 0x1F93A }, { 0x1F93C, 0x1F945 }, { 0x1F947, 0x1F9FF }, { 0x1FA70, 0x1FAFF },
	{ 0x20000, 0x2FFFD }, { 0x30000, 0x3FFFD },
};

static int in_table(uint32_t c, const struct range *t, size_t n)
{
	size_t lo = 0, hi = n;

	if (c < t[0].first || c > t[n - 1].last)
		return 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c > t[mid].last)
			lo = mid + 1;
		else if (c < t[mid].first)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

/*
 * Decode one UTF-8 character at s (n bytes available).  Returns its length
 * (1-4) and sets *cp, or returns 1 with *cp = -1 for an invalid byte
 * (overlong forms, surrogates and values past U+10FFFF are invalid).
 */
static int utf8_decode(const char *s, size_t n, long *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c;
	int len;

	*cp = -1;
	if (n == 0)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xC2 && u[0] <= 0xDF) {
		len = 2;
		c = u[0] & 0x1F;
	} else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
		len = 3;
		c = u[0] & 0x0F;
	} else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
		len = 4;
		c = u[0] & 0x07;
	} else
		return 1;
	if ((size_t)len > n)
		return 1;
	for (int i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 1;
		c = (c << 6) | (u[i] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 1;
	*cp = (long)c;
	return len;
}

/* Columns of one code point: 0 for combining marks, 2 for wide ones, 1 otherwise (controls too). */
static int char_width(long cp)
{
	if (cp < 0)
		return 1;
	if (cp < 0x300)
		return 1;
	if (in_table((uint32_t)cp, zero_width, sizeof(zero_width) / sizeof(zero_width[0])))
		return 0;
	if (in_table((uint32_t)cp, wide, sizeof(wide) / sizeof(wide[0])))
		return 2;
	return 1;
}

int tn_display_width(const char *s)
{
	size_t n = strlen(s);
	int w = 0;
	long cp;

	while (n > 0) {
		int len = utf8_decode(s, n, &cp);

		w += char_width(cp);
		s += len;
		n -= (size_t)len;
	}
	return w;
}

int tn_utf8_valid(const char *s, size_t len)
{
	long cp;

	while (len > 0) {
		int n = utf8_decode(s, len, &cp);

		if (cp < 0)
			return 0;
		s += n;
		len -= (size_t)n;
	}
	return 1;
}

/* Append one character as the terminal should see it: controls as a space, bad bytes as U+FFFD. */
static void add_shown(struct tn_buf *dst, const char *s, int len, long cp)
{
	if (cp < 0)
		tn_buf_adds(dst, "\xEF\xBF\xBD");
	else if (cp < 0x20 || cp == 0x7F)
		tn_buf_addch(dst, ' ');
	else
		tn_buf_add(dst, s, (size_t)len);
}

void tn_fit_width(struct tn_buf *dst, const char *s, int width, int pad)
{
	size_t n = strlen(s);
	int total = tn_display_width(s), used = 0;
	long cp;

	if (width <= 0)
		return;
	if (total <= width) {
		while (n > 0) {
			int len = utf8_decode(s, n, &cp);

			add_shown(dst, s, len, cp);
			s += len;
			n -= (size_t)len;
		}
		used = total;
	} else {
		/* keep what fits in width - 1 columns, then the ellipsis */
		while (n > 0) {
			int len = utf8_decode(s, n, &cp);
			int cw = char_width(cp);

			if (used + cw > width - 1)
				break;
			add_shown(dst, s, len, cp);
			used += cw;
			s += len;
			n -= (size_t)len;
		}
		/* combining marks that belong to the last kept character */
		while (n > 0) {
			int len = utf8_decode(s, n, &cp);

			if (cp < 0 || char_width(cp) != 0)
				break;
			add_shown(dst, s, len, cp);
			s += len;
			n -= (size_t)len;
		}
		tn_buf_adds(dst, "\xE2\x80\xA6");      /* … */
		used++;
	}
	if (pad)
		while (used++ < width)
			tn_buf_addch(dst, ' ');
}
