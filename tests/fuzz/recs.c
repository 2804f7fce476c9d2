/* recs.c — fuzz target: the audit writer's rows of nullable strings (lib/recs.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_recs.h"

#include "fuzz.h"

/*
 * The input's first byte gives the fields a row (1 to 8) and the second the
 * rows (0 to 255); the rest is the buffer.  tn_recs_get must take it or
 * refuse it without reading past it; what it takes, tn_recs_put writes back
 * byte for byte, and every field it gives lies inside the buffer and holds
 * no NUL.
 */

FUZZ_SIMPLE_INIT

int fuzz_one(const uint8_t *data, size_t size)
{
	const char **f;
	unsigned char *back, *p;
	size_t n, total = 0;
	int nf;

	if (size < 2)
		return 0;
	nf = data[0] % 8 + 1;
	n = data[1];
	data += 2;
	size -= 2;
	f = calloc(n * (size_t)nf + 1, sizeof(*f));
	FUZZ_ASSERT(f, "memory");
	if (tn_recs_get(data, size, n, nf, f) == 0) {
		for (size_t k = 0; k < n; k++) {
			size_t row = tn_recs_size(f + k * (size_t)nf, nf);

			FUZZ_ASSERT(row > 0, "a row taken has a size");
			total += row;
		}
		FUZZ_ASSERT(total == size, "the rows taken are all the bytes");
		for (size_t i = 0; i < n * (size_t)nf; i++)
			FUZZ_ASSERT(!f[i] || ((const uint8_t *)f[i] >= data &&
					      (const uint8_t *)f[i] + strlen(f[i]) < data + size),
				    "a field inside the buffer");
		back = malloc(size + 1);
		FUZZ_ASSERT(back, "memory");
		p = back;
		for (size_t k = 0; k < n; k++)
			p = tn_recs_put(p, f + k * (size_t)nf, nf);
		FUZZ_ASSERT((size_t)(p - back) == size && memcmp(back, data, size) == 0,
			    "written back byte for byte");
		free(back);
	}
	free(f);
	return 0;
}
