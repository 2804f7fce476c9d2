/* certsm2sign.c — SM2 signing of a digest with the key's (1 + d)^-1 computed once; k*G on OpenSSL's constant-time ladder. */
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
 * Why.  An SM2 signature of digest e by private key d is (GB/T 32918.2 6.1):
 * k random in [1, n-1], (x1, y1) = k*G, r = (e + x1) mod n (again when r is
 * 0 or r + k is n), s = (1 + d)^-1 * (k - r*d) mod n (again when s is 0).
 * EVP_PKEY_sign (OpenSSL 3.0's ossl_sm2_do_sign) computes (1 + d)^-1 at every
 * signature, an exponentiation modulo n: 215,000 of a signature's 4.8 million
 * instructions (callgrind, 2,000 signatures), though it depends on the key
 * alone.  Here it is computed once, when the private key is loaded, and kept
 * beside it; the rest is OpenSSL's, as in ossl_sm2_do_sign: the nonce
 * (BN_priv_rand_range), k*G (EC_POINT_mul with a lone scalar: the
 * constant-time Montgomery ladder, never a table), the products modulo n,
 * the DER (i2d_ECDSA_SIG).
 *
 * Checked by test_certsm2: every signature verifies with OpenSSL's own
 * EVP_DigestVerify and EVP_PKEY_verify, and its DER is exact.
 * TWONET_SM2_SIGN=evp in the environment signs with EVP_PKEY_sign instead
 * (twonet(7)), for comparing the two.
 */

static struct {
	pthread_once_t once;
	EC_GROUP *group;        /* the SM2 curve; NULL: sign with EVP_PKEY_sign */
} g = { PTHREAD_ONCE_INIT, NULL };

static void group_init(void)
{
	const char *how = getenv("TWONET_SM2_SIGN");

	if (how && strcmp(how, "evp") == 0)
		return;
	g.group = EC_GROUP_new_by_curve_name(NID_sm2);
	ERR_clear_error();
}

struct tnp_sm2_priv {
	BIGNUM *d;              /* the private key, BN_FLG_CONSTTIME */
	BIGNUM *dinv;           /* (1 + d)^-1 mod n */
};

void tnp_sm2_priv_free(struct tnp_sm2_priv *p)
{
	if (!p)
		return;
	BN_clear_free(p->d);
	BN_clear_free(p->dinv);
	free(p);
}

struct tnp_sm2_priv *tnp_sm2_priv_new(EVP_PKEY *pkey)
{
	struct tnp_sm2_priv *p;
	BN_CTX *bn;
	BIGNUM *d1, *n2;
	int ok;

	pthread_once(&g.once, group_init);
	if (!g.group)
		return NULL;
	p = tn_xcalloc(1, sizeof(*p));
	bn = BN_CTX_new();
	d1 = BN_new();
	n2 = BN_new();
	p->dinv = BN_new();
	/* (1 + d)^-1 = (1 + d)^(n-2) mod n, n prime; d in [1, n-2] (else no inverse: EVP signs) */
	ok = bn && d1 && n2 && p->dinv &&
	     EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &p->d) == 1 &&
	     !BN_is_zero(p->d) && !BN_is_negative(p->d) && BN_add(d1, p->d, BN_value_one()) == 1 &&
	     BN_cmp(d1, EC_GROUP_get0_order(g.group)) < 0 &&
	     BN_sub(n2, EC_GROUP_get0_order(g.group), BN_value_one()) == 1 &&
	     BN_sub_word(n2, 1) == 1;
	if (ok) {
		BN_set_flags(p->d, BN_FLG_CONSTTIME);
		BN_set_flags(d1, BN_FLG_CONSTTIME);
		ok = BN_mod_exp_mont_consttime(p->dinv, d1, n2, EC_GROUP_get0_order(g.group), bn,
					       NULL) == 1;
	}
	BN_clear_free(d1);
	BN_free(n2);
	BN_CTX_free(bn);
	ERR_clear_error();
	if (!ok) {
		tnp_sm2_priv_free(p);
		return NULL;
	}
	return p;
}

/* (r, s) as DER into a malloc'd *sig; 0 on failure. */
static int der(const BIGNUM *r, const BIGNUM *s, unsigned char **sig, size_t *sig_len)
{
	ECDSA_SIG *v = ECDSA_SIG_new();
	BIGNUM *vr = BN_dup(r), *vs = BN_dup(s);
	unsigned char *p;
	int n;

	if (!v || !vr || !vs || ECDSA_SIG_set0(v, vr, vs) != 1) {
		BN_free(vr);
		BN_free(vs);
		ECDSA_SIG_free(v);
		return 0;
	}
	n = i2d_ECDSA_SIG(v, NULL);
	if (n > 0) {
		*sig = p = tn_xmalloc((size_t)n);
		if (i2d_ECDSA_SIG(v, &p) == n) {
			*sig_len = (size_t)n;
		} else {
			free(*sig);
			*sig = NULL;
			n = 0;
		}
	}
	ECDSA_SIG_free(v);
	return n > 0;
}

int tnp_sm2_sign_digest(const struct tnp_sm2_priv *p, BN_CTX *bn, const unsigned char e[32],
			unsigned char **sig, size_t *sig_len)
{
	const BIGNUM *n;
	EC_POINT *kg = NULL;
	BIGNUM *k, *x1, *r, *s, *t, *big_e;
	int ok = -1;

	if (!p || !bn || !g.group)
		return -1;
	n = EC_GROUP_get0_order(g.group);
	BN_CTX_start(bn);
	k = BN_CTX_get(bn);
	x1 = BN_CTX_get(bn);
	r = BN_CTX_get(bn);
	s = BN_CTX_get(bn);
	t = BN_CTX_get(bn);
	big_e = BN_CTX_get(bn);
	if (!big_e || !(kg = EC_POINT_new(g.group)) || !BN_bin2bn(e, 32, big_e))
		goto out;
	BN_set_flags(k, BN_FLG_CONSTTIME);
	/* a retry is as likely as guessing d: a few tries, then EVP's answer */
	for (int tries = 0; tries < 8; tries++) {
		if (BN_priv_rand_range(k, n) != 1 ||
		    EC_POINT_mul(g.group, kg, k, NULL, NULL, bn) != 1 ||
		    EC_POINT_get_affine_coordinates(g.group, kg, x1, NULL, bn) != 1 ||
		    BN_mod_add(r, big_e, x1, n, bn) != 1)
			goto out;
		if (BN_is_zero(k) || BN_is_zero(r) || BN_add(t, r, k) != 1 || BN_cmp(t, n) == 0)
			continue;
		/* s = (1 + d)^-1 * (k - r*d) mod n */
		if (BN_mod_mul(t, p->d, r, n, bn) != 1 || BN_mod_sub(t, k, t, n, bn) != 1 ||
		    BN_mod_mul(s, p->dinv, t, n, bn) != 1)
			goto out;
		if (BN_is_zero(s))
			continue;
		ok = der(r, s, sig, sig_len) ? 1 : -1;
		break;
	}
out:
	BN_clear(k);
	ERR_clear_error();
	EC_POINT_free(kg);
	BN_CTX_end(bn);
	return ok;
}
