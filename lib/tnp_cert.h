/* tnp_cert.h — helpers shared by the certificate files of libtwonet (internal, not installed). */
#ifndef TNP_CERT_H
#define TNP_CERT_H

#include <stddef.h>

/* SHA-256 of `len` bytes as 64 lower-case hex digits in out[65]. */
void tnp_sha256_hex(const void *data, size_t len, char out[65]);

#endif
