/* tnp_cert.h — library-internal: an SM2 key with its Z prefix, per-thread SM2 state and the verifying pool (certsm2.c). */
#ifndef TNP_CERT_H
#define TNP_CERT_H

#include <stddef.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "tn_cert.h"

#define TNP_CERT_HIDDEN __attribute__((visibility("hidden")))

struct tn_cert_key {
	EVP_PKEY *pkey;
	int priv;
	char id[17];
	int has_z;              /* z holds the key's SM2 prefix for TN_CERT_SM2_ID */
	unsigned char z[32];    /* SM3(ENTL || ID || a || b || xG || yG || xA || yA) */
	struct tnp_sm2_table *table;    /* multiples of the public point (certsm2fixed.c); NULL: none yet */
	unsigned verifies;              /* verifications that asked for the table (atomic) */
	struct tnp_sm2_priv *sign;      /* d and (1 + d)^-1 (certsm2sign.c); NULL: EVP_PKEY_sign */
};

/* OpenSSL's last error as text (cleared), for messages (cert.c). */
const char *tnp_cert_ossl_msg(void) TNP_CERT_HIDDEN;

/* Compute key->z (has_z stays 0 when the key is not on the SM2 curve). */
void tnp_cert_key_z(struct tn_cert_key *key) TNP_CERT_HIDDEN;

/*
 * One thread's SM2 state: SM3 fetched once, a digest context and key
 * contexts (set up for EVP_PKEY_sign or _verify) kept across calls.  Used by
 * one thread at a time.
 */
struct tnp_sm2;

struct tnp_sm2 *tnp_sm2_new(void) TNP_CERT_HIDDEN;
void tnp_sm2_free(struct tnp_sm2 *s) TNP_CERT_HIDDEN;
/* The same answers as EVP_DigestVerify with SM3 and TN_CERT_SM2_ID. */
int tnp_sm2_verify(struct tnp_sm2 *s, const struct tn_cert_key *key, const void *msg, size_t len,
		   const unsigned char *sig, size_t sig_len) TNP_CERT_HIDDEN;
/* 1 with a malloc'd DER signature in *sig, 0 (nothing to free) on failure. */
int tnp_sm2_sign(struct tnp_sm2 *s, const struct tn_cert_key *key, const void *msg, size_t len,
		 unsigned char **sig, size_t *sig_len) TNP_CERT_HIDDEN;

/*
 * SM2 verification of digest e = SM3(Z || msg) over fixed-base tables
 * (certsm2fixed.c), in `bn` (one thread's): 1 verified, 0 not, -1 no table
 * (yet): verify with EVP.  The key's table is freed with the key.
 */
int tnp_sm2_verify_fixed(const struct tn_cert_key *key, BN_CTX *bn, const unsigned char e[32],
			 const unsigned char *sig, size_t sig_len) TNP_CERT_HIDDEN;
void tnp_sm2_table_free(struct tnp_sm2_table *t) TNP_CERT_HIDDEN;

/*
 * A private key's d and (1 + d)^-1 mod n (certsm2sign.c), NULL when it is
 * not an SM2 key or TWONET_SM2_SIGN is evp; and the signature of digest e
 * with them in `bn` (one thread's): 1 with a malloc'd DER signature in *sig,
 * -1 (nothing to free) when it could not be made: sign with EVP.
 */
struct tnp_sm2_priv *tnp_sm2_priv_new(EVP_PKEY *pkey) TNP_CERT_HIDDEN;
void tnp_sm2_priv_free(struct tnp_sm2_priv *p) TNP_CERT_HIDDEN;
int tnp_sm2_sign_digest(const struct tnp_sm2_priv *p, BN_CTX *bn, const unsigned char e[32],
			unsigned char **sig, size_t *sig_len) TNP_CERT_HIDDEN;

/*
 * A verifying pool that stays up: `threads` workers take published jobs in
 * order, each job's ok is -1 until it is done.  publish(jobs, n): jobs[0, n)
 * may be taken (n only grows; the array may move only once every published
 * job is done); wait(upto): until jobs [0, upto) are done, the caller doing
 * queued jobs itself meanwhile.
 */
struct tnp_sm2_pool;

struct tnp_sm2_pool *tnp_sm2_pool_new(int threads) TNP_CERT_HIDDEN;
void tnp_sm2_pool_publish(struct tnp_sm2_pool *p, struct tn_cert_job *jobs, size_t n) TNP_CERT_HIDDEN;
void tnp_sm2_pool_wait(struct tnp_sm2_pool *p, size_t upto) TNP_CERT_HIDDEN;
void tnp_sm2_pool_free(struct tnp_sm2_pool *p) TNP_CERT_HIDDEN;

#endif
