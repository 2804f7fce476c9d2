/* batch.c — fuzz target: a batch answer of POST /v1/cases as case-submit --bulk reads it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "tn_case.h"
#include "tn_json.h"

#include "fuzz.h"

/*
 * The input is what a server answers a batch of cases with.  case-submit
 * reads it as lib/casebulk.c does: when tn_json_verbatim passes the text,
 * tn_case_batch_scan finds each result's case or problem without parsing;
 * else (and when the scan refuses) the text is parsed whole.  The scan is
 * tried for 1 to 4 results on every input, verbatim or not: it must read
 * nothing past the end, and each span it finds in a verbatim text must be
 * one JSON object that tn_json_verbatim passes as it is (so that the case
 * written is the server's bytes of a value), its status one the scan
 * allows (200 or 201 for a case).
 */

FUZZ_SIMPLE_INIT

int fuzz_one(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct tn_case_span at[4];
	size_t from, to;
	int verbatim = tn_json_verbatim(s, size, &from, &to);

	for (int n = 1; n <= 4; n++) {
		if (!tn_case_batch_scan(s, size, n, at))
			continue;
		for (int i = 0; i < n; i++) {
			size_t f, t;

			FUZZ_ASSERT(at[i].from < at[i].to && at[i].to <= size, "a span is inside the text");
			FUZZ_ASSERT(s[at[i].from] == '{' && s[at[i].to - 1] == '}', "a span is an object");
			if (!verbatim)
				continue;
			jv v = tn_json_parse(s + at[i].from, at[i].to - at[i].from);
			FUZZ_ASSERT(jv_get_kind(v) == JV_KIND_OBJECT, "a span of a verbatim text parses");
			jv_free(v);
			FUZZ_ASSERT(tn_json_verbatim(s + at[i].from, at[i].to - at[i].from, &f, &t) &&
				    f == 0 && t == at[i].to - at[i].from,
				    "a span of a verbatim text is verbatim itself");
		}
	}
	if (!verbatim)
		jv_free(tn_json_parse(s, size));
	free(s);
	return 0;
}
