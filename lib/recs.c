/* recs.c — rows of nullable strings packed in one buffer (tn_recs.h). */
#include <string.h>
#include <stdint.h>

#include "tn_recs.h"

size_t tn_recs_size(const char *const *f, int nf)
{
	size_t need = 0;

	for (int i = 0; i < nf; i++) {
		size_t len = f[i] ? strlen(f[i]) : 0;

		if (len >= TN_RECS_NULL)
			return 0;
		need += 2 + (f[i] ? len + 1 : 0);
	}
	return need;
}

unsigned char *tn_recs_put(unsigned char *p, const char *const *f, int nf)
{
	for (int i = 0; i < nf; i++) {
		uint16_t len = f[i] ? (uint16_t)strlen(f[i]) : TN_RECS_NULL;

		memcpy(p, &len, 2);
		p += 2;
		if (f[i]) {
			memcpy(p, f[i], (size_t)len + 1);
			p += len + 1;
		}
	}
	return p;
}

int tn_recs_get(const unsigned char *p, size_t len, size_t n, int nf, const char **out)
{
	const unsigned char *end = p + len;

	for (size_t k = 0; k < n; k++) {
		for (int i = 0; i < nf; i++) {
			uint16_t flen;

			if (end - p < 2)
				return -1;
			memcpy(&flen, p, 2);
			p += 2;
			*out = NULL;
			if (flen != TN_RECS_NULL) {
				if ((size_t)(end - p) < (size_t)flen + 1 || p[flen] != '\0' ||
				    memchr(p, '\0', flen))
					return -1;
				*out = (const char *)p;
				p += flen + 1;
			}
			out++;
		}
	}
	return p == end ? 0 : -1;
}
