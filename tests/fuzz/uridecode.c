/* uridecode.c — fuzz target: the server's percent-decoding and query splitting (tn_uri_decode, tn_query_split: lib/http1.c) against libevent's evhttp_uridecode and evhttp_parse_query_str. */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "tn_http1.h"

#include "fuzz.h"

/*
 * The input's first byte says whether '+' is a space; the rest, cut at its
 * first NUL (evhttp_uridecode takes a C string), is decoded both ways:
 * into a buffer of its own and in place.  All three give the same bytes.
 * The same text split as a query string: tn_query_split refuses what
 * evhttp_parse_query_str refuses, else gives its parameters in its order.
 */

static void same_query(const char *in, size_t len)
{
	struct evkeyvalq ev;
	struct evkeyval *kv;
	struct tn_query_param *p = malloc((len + 1) * sizeof(*p));
	char *copy = malloc(len + 1);
	int n, evrc, i = 0;

	FUZZ_ASSERT(p && copy, "memory");
	memcpy(copy, in, len + 1);
	TAILQ_INIT(&ev);
	evrc = evhttp_parse_query_str(in, &ev);
	n = tn_query_split(copy, p, (int)len + 1);
	FUZZ_ASSERT((n < 0) == (evrc != 0), "refused when evhttp_parse_query_str refuses");
	if (n >= 0) {
		TAILQ_FOREACH(kv, &ev, next) {
			FUZZ_ASSERT(i < n, "as many parameters");
			FUZZ_ASSERT(strcmp(p[i].key, kv->key) == 0, "the same key");
			FUZZ_ASSERT(strcmp(p[i].value, kv->value) == 0, "the same value");
			i++;
		}
		FUZZ_ASSERT(i == n, "as many parameters");
	}
	evhttp_clear_headers(&ev);
	free(p);
	free(copy);
}

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
	same_query(in, len);
	m = tn_uri_decode(in, len, plus, in);
	FUZZ_ASSERT(m == n && memcmp(in, out, n) == 0, "the same in place");
	free(ev);
	free(in);
	free(out);
	return 0;
}
