/* regex.c — field patterns through oniguruma's POSIX API (see tn_regex.h for why). */
#include <onigposix.h>

#include "tn_regex.h"

int tn_regex_match(const char *pattern, const char *text, struct tn_err *err)
{
	regex_t re;
	int rc;

	reg_set_encoding(REG_POSIX_ENCODING_UTF8);
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0) {
		tn_err_set(err, TN_EINVALID, "'%s' is not a valid regular expression", pattern);
		return -1;
	}
	rc = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return rc;
}
