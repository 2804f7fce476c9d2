/* tn_suggest.h — "did you mean": the closest of a list of words to a mistyped one. */
#ifndef TN_SUGGEST_H
#define TN_SUGGEST_H

#include <stddef.h>

/*
 * Edit distance between UTF-8 strings `a` and `b`, counted in characters:
 * insertions, deletions, substitutions and swaps of two neighbours cost one
 * each; ASCII letters compare without case.  Strings longer than 256
 * characters compare as (size_t)-1.  Cannot fail.
 */
size_t tn_suggest_distance(const char *a, const char *b);

/*
 * The candidate closest to `word` (borrowed, like the result: it points into
 * `candidates`), when its distance is at most a third of the longer of the
 * two words (at least 1); the first of equally close ones; NULL when none is
 * that close, when `word` is empty or n is 0.  NULL entries of `candidates`
 * are skipped.  A candidate equal to `word` is returned (distance 0): callers
 * that only suggest after a failed look-up never pass it.  Cannot fail.
 */
const char *tn_suggest(const char *word, const char *const *candidates, size_t n);

#endif
