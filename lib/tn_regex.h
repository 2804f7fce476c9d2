/* tn_regex.h — field patterns (POSIX extended regular expressions over UTF-8). */
#ifndef TN_REGEX_H
#define TN_REGEX_H

#include "tn_err.h"

/*
 * 1 when `text` matches `pattern` (POSIX ERE, UTF-8 aware), 0 when it does
 * not, -1 when the pattern does not compile (TN_EINVALID in err).
 *
 * Why this exists: libonig, linked for libjq, exports regcomp/regexec of its
 * own that shadow glibc's and expect onig's regex_t; a caller of <regex.h>
 * silently gets patterns that never match.  Every pattern check in twonet
 * (client, catalog, server) goes through here, on onig's POSIX API.
 */
int tn_regex_match(const char *pattern, const char *text, struct tn_err *err);

#endif
