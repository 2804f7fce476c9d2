/* uridecode.c — fuzz target: the server's percent-decoding (tn_uri_decode, lib/http1.c) against libevent's evhttp_uridecode. */
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "tn_http1.h"

#include "fuzz.h"

/*
 * The input's first byte says whether '+' is a space; the rest, cut at its
 * first NUL (evhttp_uridecode takes a C string), is decoded both ways:
 * into a buffer of its own and in place.  All three give the same bytes.
 */

FUZZ_SIMPLE_INIT

int fuzz_one(const uint8_t *data, size_t size)
{
	char *in, *out, *ev;
	size_t len, n, m, evn = 0;
	int plus;

	if (size < 1)
		return 0;
	plus = data[0] & 1;
	in = malloc(size);
	out = malloc(size);
	FUZZ_ASSERT(in && out, "memory");
	memcpy(in, data + 1, size - 1);
	in[size - 1] = '\0';
	len = strlen(in);
	n = tn_uri_decode(in, len, plus, out);
	ev = evhttp_uridecode(in, plus, &evn);
	FUZZ_ASSERT(ev, "libevent decodes it");
	FUZZ_ASSERT(n == evn && memcmp(out, ev, n) == 0, "the same bytes as evhttp_uridecode");
	m = tn_uri_decode(in, len, plus, in);
	FUZZ_ASSERT(m == n && memcmp(in, out, n) == 0, "the same in place");
	free(ev);
	free(in);
	free(out);
	return 0;
}
