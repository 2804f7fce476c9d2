/* tn_recs.h — rows of nullable strings packed in one buffer: the audit writer's messages (server/audit_writer.h). */
#ifndef TN_RECS_H
#define TN_RECS_H

#include <stddef.h>

/*
 * A row is `nf` fields, each its length in two bytes (native byte order:
 * both ends are one binary on one machine; TN_RECS_NULL for null), its bytes
 * and a NUL, so that a reader points into the buffer instead of copying.  A
 * field holds no NUL and is shorter than TN_RECS_NULL bytes.
 */
#define TN_RECS_NULL 0xffffu

/* The bytes row `f` (nf fields, NULL: null) takes; 0 when a field is too long. */
size_t tn_recs_size(const char *const *f, int nf);

/* Write row `f` at p (tn_recs_size bytes, which must not be 0); returns the end. */
unsigned char *tn_recs_put(unsigned char *p, const char *const *f, int nf);

/*
 * Read `n` rows of `nf` fields from p[0, len): n * nf pointers into p (NULL
 * for null) in out.  0, or -1 when the bytes are not exactly that many
 * rows (a length past the end, a field without its NUL or with a NUL
 * inside, bytes left over).
 */
int tn_recs_get(const unsigned char *p, size_t len, size_t n, int nf, const char **out);

#endif
