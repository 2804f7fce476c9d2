/* tnp_word.h — eight bytes at a time: which bytes of a word are control characters, or one byte. */
#ifndef TNP_WORD_H
#define TNP_WORD_H

#include <stdint.h>

#define TNP_WORD_ONES 0x0101010101010101u
#define TNP_WORD_HIGH 0x8080808080808080u

/*
 * Non-zero when a byte of `w` is below 0x20 or 0x7f (x - 0x20 borrows; 0x80
 * and up are masked by ~x).  Exact for the word as a whole: a borrow marks
 * a byte above a byte that matched, never a word that has none.
 */
static inline uint64_t tnp_word_ctl(uint64_t w)
{
	uint64_t d = w ^ (0x7f * TNP_WORD_ONES);

	return (((w - 0x20 * TNP_WORD_ONES) & ~w) | ((d - TNP_WORD_ONES) & ~d)) & TNP_WORD_HIGH;
}

/* Non-zero when a byte of `w` is `c` (haszero of w ^ c in every byte). */
static inline uint64_t tnp_word_has(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (c * TNP_WORD_ONES);

	return (x - TNP_WORD_ONES) & ~x & TNP_WORD_HIGH;
}

#endif
