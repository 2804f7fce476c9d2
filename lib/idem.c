/* idem.c — the idempotency key rule, and keys derived from content, once for client and server. */
#include <stdio.h>
#include <string.h>

#include "tn_http.h"
#include "tn_text.h"

enum tn_code tn_idem_key_check(const char *key, struct tn_err *err)
{
	size_t n;

	if (!key)
		return tn_err_field(err, TN_EINVALID, "key", "is required");
	n = strlen(key);
	if (n < 1 || n > TN_IDEM_KEY_MAX)
		goto bad;
	for (const char *p = key; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			goto bad;
	return TN_OK;
bad:
	return tn_err_field(err, TN_EINVALID, "key", "must be 1 to %d printable characters",
			    TN_IDEM_KEY_MAX);
}

int tn_idem_key_derive(const char *prefix, const void *data, size_t len, size_t digits,
		       char *out, size_t size)
{
	char hex[65];

	if (size)
		out[0] = '\0';
	if (tn_sha256_hex(data, len, hex) != 0)
		return -1;
	if (digits > 64)
		digits = 64;
	snprintf(out, size, "%s%.*s", prefix ? prefix : "", (int)digits, hex);
	return 0;
}
