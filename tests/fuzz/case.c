/* case.c — fuzz target: case files (JSON or YAML) as case-submit -f and alert-post -f read them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "tn_alert.h"
#include "tn_case.h"

#include "fuzz.h"

/*
 * The input is a file given to case-submit -f (or alert-post -f, which reads
 * it with the same loader): tn_case_read_file (JSON when the text starts with
 * '{' or '[', YAML otherwise), then what each command does next with no
 * flags: tn_case_apply_spec + tn_case_prepare, tn_alert_apply_spec +
 * tn_alert_normalize.  The file is a memfd, so its name has no .json.  A file
 * of N bytes may give at most 2N + 2 values: no alias stands for a subtree.
 */

FUZZ_SIMPLE_INIT

/*
 * The values in `v` (borrowed), counting stopped past `limit`.  Each value of
 * a file takes at least one byte of it, unless something (a YAML alias)
 * stands for many: "a kilobyte file must not take gigabytes" (issue 11).
 */
static size_t count_values(jv v, size_t limit)
{
	size_t n = 1;

	if (jv_get_kind(v) == JV_KIND_ARRAY) {
		jv_array_foreach(v, i, e) {
			if (n <= limit)
				n += count_values(e, limit - n);
			jv_free(e);
		}
	} else if (jv_get_kind(v) == JV_KIND_OBJECT) {
		jv_object_foreach(v, k, e) {
			if (n <= limit)
				n += count_values(e, limit - n);
			jv_free(k);
			jv_free(e);
		}
	}
	return n;
}

int fuzz_one(const uint8_t *data, size_t size)
{
	struct tn_case_spec cspec = { 0 };
	struct tn_alert_spec aspec = { 0 };
	struct tn_err err = TN_ERR_INIT;
	const char *path = fuzz_memfile(data, size);
	char warning[256], *key = NULL;
	jv doc, body, out;

	if (tn_case_read_file(path, &doc, &err) != TN_OK) {
		FUZZ_ASSERT(err.code == TN_EINVALID || err.code == TN_EIO,
			    "a file that cannot be read is TN_EINVALID or TN_EIO");
		return 0;
	}
	FUZZ_ASSERT(jv_is_valid(doc), "a file that was read gives a value");
	FUZZ_ASSERT(count_values(doc, 2 * size + 2) <= 2 * size + 2,
		    "a file of N bytes gives at most 2N + 2 values (no YAML alias expansion)");
	if (tn_case_apply_spec(jv_copy(doc), &cspec, &body, &err) == TN_OK &&
	    tn_case_prepare(body, NULL, &out, &key, warning, sizeof(warning), &err) == TN_OK) {
		free(key);
		jv_free(out);
	}
	if (tn_alert_apply_spec(jv_copy(doc), &aspec, &body, &err) == TN_OK &&
	    tn_alert_normalize(body, 1, &out, &err) == TN_OK)
		jv_free(out);
	jv_free(doc);
	return 0;
}
