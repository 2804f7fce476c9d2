/* certsm2fixed.c — SM2 verification over fixed-base tables: the generator's, and each key's once it has verified a few. */
#define OPENSSL_SUPPRESS_DEPRECATED     /* EC_GROUP_precompute_mult: deprecated in 3.0, kept */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "tn_buf.h"
#include "tnp_cert.h"

/*
 * Why.  Verifying a signature (r, s) of digest e by public point P is
 * computing s*G + t*P, t = r + s mod n (GB/T 32918.2 7.1, B5-B6), and
 * nearly all of its time.  EVP_PKEY_verify has OpenSSL compute that product
 * with windows of both points built again at every call, yet both points are
 * fixed: the curve's generator G, and the issuer's key P, the same for every
 * certificate one department issued.  With a table of multiples of each,
 * built once (EC_GROUP_precompute_mult on the curve with G as its generator,
 * and on a copy with P as generator), each product is a fixed-base
 * multiplication: a core verified 8,800 signatures a second this way where
 * EVP_PKEY_verify verified 2,900-3,400 and `openssl speed sm2` 3,089 (one
 * machine, one run).
 *
 * Only public values meet these tables: the signature, the digest, the public
 * key.  OpenSSL's wNAF is not constant-time, so signing, where the scalar is
 * the secret nonce, stays with EVP_PKEY_sign (its constant-time ladder).
 *
 * When.  A key's table costs about 0.6 ms, two verifications: a key gets one
 * at its TABLE_AFTER-th verification (one thread builds it, the others go on
 * with EVP meanwhile), so a command that checks one certificate builds none.
 * The generator's table is built once a process, with the first key's.
 * TWONET_SM2_TABLES=0 in the environment turns the tables off (twonet(7)).
 *
 * Same answers as OpenSSL's SM2 verification (ossl_sm2_internal_verify and
 * its DER check), checked by test_cert_sm2_fixed and the `sm2` fuzz target:
 * the signature must be the exact DER of (r, s) (decoded, encoded again and
 * compared), r and s in [1, n-1], t not 0, s*G + t*P not the point at
 * infinity, and (e + x1) mod n equal to r.
 */
#define TABLE_AFTER 8

struct tnp_sm2_table {
	EC_GROUP *group;        /* the SM2 curve with P as its generator, multiples precomputed */
	EC_POINT *p;            /* P, a point of `group` */
};

static struct {
	pthread_once_t once;
	EC_GROUP *group;        /* the SM2 curve, the generator's multiples precomputed; NULL: none */
} g = { PTHREAD_ONCE_INIT, NULL };

/* The generator's table; none when TWONET_SM2_TABLES is 0 (every verification by EVP_PKEY_verify). */
static void generator_table(void)
{
	const char *off = getenv("TWONET_SM2_TABLES");
	EC_GROUP *group;

	if (off && strcmp(off, "0") == 0)
		return;
	group = EC_GROUP_new_by_curve_name(NID_sm2);
	if (group && EC_GROUP_precompute_mult(group, NULL) == 1)
		g.group = group;
	else
		EC_GROUP_free(group);
	ERR_clear_error();
}

void tnp_sm2_table_free(struct tnp_sm2_table *t)
{
	if (!t)
		return;
	EC_POINT_free(t->p);
	EC_GROUP_free(t->group);
	free(t);
}

/* P's table, or NULL (not an SM2 key, or OpenSSL failed). */
static struct tnp_sm2_table *key_table(const struct tn_cert_key *key, BN_CTX *bn)
{
	struct tnp_sm2_table *t = tn_xcalloc(1, sizeof(*t));
	BIGNUM *x = NULL, *y = NULL;
	int ok;

	ok = EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
	     EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 &&
	     (t->group = EC_GROUP_dup(g.group)) != NULL && (t->p = EC_POINT_new(t->group)) != NULL &&
	     EC_POINT_set_affine_coordinates(t->group, t->p, x, y, bn) == 1 &&
	     EC_GROUP_set_generator(t->group, t->p, EC_GROUP_get0_order(g.group), BN_value_one()) == 1 &&
	     EC_GROUP_precompute_mult(t->group, bn) == 1;
	BN_free(x);
	BN_free(y);
	ERR_clear_error();
	if (!ok) {
		tnp_sm2_table_free(t);
		return NULL;
	}
	return t;
}

/* The key's table: NULL until TABLE_AFTER verifications asked for it, or when it cannot be had. */
static const struct tnp_sm2_table *table_of(const struct tn_cert_key *key, BN_CTX *bn)
{
	/* the key is shared by the verifying threads; only these two fields change, atomically */
	struct tn_cert_key *k = (struct tn_cert_key *)key;
	struct tnp_sm2_table *t = __atomic_load_n(&k->table, __ATOMIC_ACQUIRE);

	if (t || !key->has_z)
		return t;
	if (__atomic_add_fetch(&k->verifies, 1, __ATOMIC_RELAXED) != TABLE_AFTER)
		return NULL;
	pthread_once(&g.once, generator_table);
	if (!g.group || !(t = key_table(key, bn)))
		return NULL;
	__atomic_store_n(&k->table, t, __ATOMIC_RELEASE);
	return t;
}

/* (r, s) of an exact DER signature with both in [1, n-1]; 0 when it is not one. */
static int sig_values(const unsigned char *sig, size_t sig_len, const BIGNUM *n, BIGNUM *r,
		      BIGNUM *s)
{
	const unsigned char *p = sig;
	unsigned char *der = NULL;
	ECDSA_SIG *v = d2i_ECDSA_SIG(NULL, &p, (long)sig_len);
	const BIGNUM *vr, *vs;
	int len, ok = 0;

	if (v && (len = i2d_ECDSA_SIG(v, &der)) > 0 && (size_t)len == sig_len &&
	    memcmp(der, sig, sig_len) == 0) {
		ECDSA_SIG_get0(v, &vr, &vs);
		ok = !BN_is_zero(vr) && !BN_is_negative(vr) && BN_cmp(vr, n) < 0 &&
		     !BN_is_zero(vs) && !BN_is_negative(vs) && BN_cmp(vs, n) < 0 &&
		     BN_copy(r, vr) && BN_copy(s, vs);
	}
	OPENSSL_free(der);
	ECDSA_SIG_free(v);
	return ok;
}

int tnp_sm2_verify_fixed(const struct tn_cert_key *key, BN_CTX *bn, const unsigned char e[32],
			 const unsigned char *sig, size_t sig_len)
{
	const struct tnp_sm2_table *t;
	EC_POINT *sg = NULL, *tp = NULL;
	BIGNUM *r, *s, *tt, *zero, *x1, *big_r;
	const BIGNUM *n;
	int ok = -1;

	if (!bn || !(t = table_of(key, bn)))
		return -1;
	n = EC_GROUP_get0_order(g.group);
	BN_CTX_start(bn);
	r = BN_CTX_get(bn);
	s = BN_CTX_get(bn);
	tt = BN_CTX_get(bn);
	zero = BN_CTX_get(bn);
	x1 = BN_CTX_get(bn);
	big_r = BN_CTX_get(bn);
	if (!big_r || !(sg = EC_POINT_new(g.group)) || !(tp = EC_POINT_new(t->group)))
		goto out;
	ok = 0;
	BN_zero(zero);
	if (!sig_values(sig, sig_len, n, r, s) || BN_mod_add(tt, r, s, n, bn) != 1 || BN_is_zero(tt))
		goto out;
	/*
	 * s*G and t*P, each over its table (a point with the scalar 0 beside it:
	 * OpenSSL takes a lone scalar for a secret and multiplies it on its
	 * ladder, without the table), then their sum.
	 */
	ok = -1;
	if (EC_POINT_mul(g.group, sg, s, EC_GROUP_get0_generator(g.group), zero, bn) != 1 ||
	    EC_POINT_mul(t->group, tp, tt, t->p, zero, bn) != 1 ||
	    EC_POINT_add(g.group, sg, sg, tp, bn) != 1)
		goto out;
	ok = 0;
	if (EC_POINT_is_at_infinity(g.group, sg) ||
	    EC_POINT_get_affine_coordinates(g.group, sg, x1, NULL, bn) != 1 ||
	    !BN_bin2bn(e, 32, big_r) || BN_mod_add(big_r, big_r, x1, n, bn) != 1)
		goto out;
	ok = BN_cmp(big_r, r) == 0;
out:
	ERR_clear_error();
	EC_POINT_free(sg);
	EC_POINT_free(tp);
	BN_CTX_end(bn);
	return ok;
}
