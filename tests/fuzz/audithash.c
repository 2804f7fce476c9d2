/* audithash.c — fuzz target: the audit row's hash without jq against the one through jq (lib/certverify.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_cert.h"
#include "tn_err.h"
#include "tn_text.h"

#include "fuzz.h"

/*
 * The input's first byte says which of the seven fields are null (a bit
 * each), the next two give seq; the rest is the fields' text, cut at NUL
 * bytes (missing ones are empty).  tn_cert_audit_hash_fields must give
 * tn_cert_audit_hash's hash of the same row whenever it gives one, and may
 * refuse only a row with a string that is not valid UTF-8 or a text past
 * its buffer.
 */

FUZZ_SIMPLE_INIT

static const char *const names[7] = { "at", "actor", "role", "cert", "holder", "purpose", "outcome" };

int fuzz_one(const uint8_t *data, size_t size)
{
	const char *s[7] = { NULL };
	char *text, fast[65], slow[65];
	size_t used = 0, total = 0;
	struct tn_err err = TN_ERR_INIT;
	long long seq;
	int valid = 1;
	jv row;

	if (size < 3)
		return 0;
	seq = (long long)data[1] << 8 | data[2];
	text = malloc(size - 3 + 1);
	FUZZ_ASSERT(text, "memory");
	memcpy(text, data + 3, size - 3);
	text[size - 3] = '\0';
	for (int i = 0; i < 7; i++) {
		char *f = used <= size - 3 ? text + used : text + (size - 3);

		used += strlen(f) + 1;
		if (data[0] & (1u << i))
			continue;
		s[i] = f;
		total += strlen(f);
		if (!tn_utf8_valid(f, strlen(f)))
			valid = 0;
	}
	const struct tn_audit_fields a = { s[0], s[1], s[2], s[3], s[4], s[5], s[6] };

	if (tn_cert_audit_hash_fields(seq, &a, TN_CERT_AUDIT_GENESIS, fast) == 0) {
		row = jv_object_set(jv_object(), jv_string("seq"), jv_number((double)seq));
		for (int i = 0; i < 7; i++)
			row = jv_object_set(row, jv_string(names[i]), s[i] ? jv_string(s[i]) : jv_null());
		FUZZ_ASSERT(tn_cert_audit_hash(row, TN_CERT_AUDIT_GENESIS, slow, &err) == TN_OK,
			    "the row hashes through jq");
		FUZZ_ASSERT(strcmp(fast, slow) == 0, "the same hash without jq as with it");
		jv_free(row);
	} else {
		FUZZ_ASSERT(!valid || total > 600, "refused only bad UTF-8 or a long text");
	}
	free(text);
	return 0;
}
