/* tnp_cert.h — helpers shared by the certificate files of libtwonet (internal, not installed). */
#ifndef TNP_CERT_H
#define TNP_CERT_H

#include <stddef.h>

/* Base64 (RFC 4648, padded) of `len` bytes; malloc'd.  Cannot fail. */
char *tnp_base64(const unsigned char *data, size_t len);

/* Decode strict base64 (padded, no white space, at most 4096 characters); malloc'd, or NULL. */
unsigned char *tnp_unbase64(const char *s, size_t *len);

/* SHA-256 of `len` bytes as 64 lower-case hex digits in out[65]. */
void tnp_sha256_hex(const void *data, size_t len, char out[65]);

#endif
