/* regex.c — field patterns through oniguruma's POSIX API (see tn_regex.h for why). */
#include <stdlib.h>
#include <string.h>

#include <onigposix.h>

#include "tn_buf.h"
#include "tn_regex.h"

/*
 * The patterns compiled last, kept per thread: a catalog item's few patterns
 * are checked on every filing, and compiling one cost more than matching.
 */
#define KEPT 16

static __thread struct kept {
	char *pattern;
	regex_t re;
} kept[KEPT];
static __thread int next;

/* The compiled `pattern`, compiled now when not kept; NULL when it does not compile. */
static regex_t *compiled(const char *pattern)
{
	struct kept *k;

	for (int i = 0; i < KEPT; i++)
		if (kept[i].pattern && strcmp(kept[i].pattern, pattern) == 0)
			return &kept[i].re;
	k = &kept[next];
	if (k->pattern) {
		regfree(&k->re);
		free(k->pattern);
		k->pattern = NULL;
	}
	reg_set_encoding(REG_POSIX_ENCODING_UTF8);
	if (regcomp(&k->re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return NULL;
	k->pattern = tn_xstrdup(pattern);
	next = (next + 1) % KEPT;
	return &k->re;
}

int tn_regex_match(const char *pattern, const char *text, struct tn_err *err)
{
	regex_t *re = compiled(pattern);

	if (!re) {
		tn_err_set(err, TN_EINVALID, "'%s' is not a valid regular expression", pattern);
		return -1;
	}
	return regexec(re, text, 0, NULL, 0) == 0;
}
