/* test_certsm2.c — the SM2 fast path (Z once per key, EVP_PKEY_sign/verify on the digest) against EVP_DigestSign/Verify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "tn_buf.h"
#include "tn_cert.h"

/* Our keys, and the same keys as OpenSSL's for the reference (A's private part, B's public). */
static struct tn_cert_key *key_a, *key_b, *pub_a;
static EVP_PKEY *ossl_a, *ossl_b;

/* Key `k`'s private part as OpenSSL reads it from the file we write. */
static EVP_PKEY *ossl_private(const struct tn_cert_key *k)
{
	struct tn_err err = TN_ERR_INIT;
	char path[] = "/tmp/test_certsm2.XXXXXX";
	EVP_PKEY *pkey = NULL;
	int fd = mkstemp(path);
	FILE *fp;

	if (fd < 0)
		return NULL;
	close(fd);
	unlink(path);
	if (tn_cert_key_save_private(k, path, &err) == TN_OK && (fp = fopen(path, "r"))) {
		pkey = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
		fclose(fp);
	}
	unlink(path);
	return pkey;
}

static int setup_keys(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	char *pem;
	BIO *bio;
	int rc;

	if (tn_cert_key_generate(&key_a, &err) != TN_OK || tn_cert_key_generate(&key_b, &err) != TN_OK)
		return -1;
	pem = tn_cert_key_public_pem(key_a);
	rc = tn_cert_key_from_pem(pem, strlen(pem), &pub_a, &err);
	free(pem);
	pem = tn_cert_key_public_pem(key_b);
	bio = BIO_new_mem_buf(pem, -1);
	ossl_b = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	free(pem);
	ossl_a = ossl_private(key_a);
	return rc == TN_OK && ossl_a && ossl_b ? 0 : -1;
}

static int teardown_keys(void **state)
{
	tn_cert_key_free(key_a);
	tn_cert_key_free(key_b);
	tn_cert_key_free(pub_a);
	EVP_PKEY_free(ossl_a);
	EVP_PKEY_free(ossl_b);
	return 0;
}

/*
 * The reference, unchanged from before the fast path: EVP_DigestSign or
 * EVP_DigestVerify with SM3 and the distinguishing ID `id` on a key context,
 * as EVP_PKEY-SM2(7) shows it.
 */
static int ref(EVP_PKEY *pkey, const char *id, int sign, const char *msg, size_t len,
	       unsigned char *sig, size_t *sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	int ok = 0;

	if (md && pctx && EVP_PKEY_CTX_set1_id(pctx, id, strlen(id)) > 0) {
		EVP_MD_CTX_set_pkey_ctx(md, pctx);
		if (sign)
			ok = EVP_DigestSignInit(md, NULL, EVP_sm3(), NULL, pkey) == 1 &&
			     EVP_DigestSign(md, sig, sig_len, (const unsigned char *)msg, len) == 1;
		else
			ok = EVP_DigestVerifyInit(md, NULL, EVP_sm3(), NULL, pkey) == 1 &&
			     EVP_DigestVerify(md, sig, *sig_len, (const unsigned char *)msg, len) == 1;
	}
	EVP_MD_CTX_free(md);
	EVP_PKEY_CTX_free(pctx);
	return ok;
}

/* Every way of ours to verify with `k` (A or B) agrees with the reference; returns the answer. */
static int verify_all(const struct tn_cert_key *k, const char *msg, size_t len,
		      const unsigned char *sig, size_t sig_len)
{
	struct tn_cert_job jobs[2] = { { msg, len, (unsigned char *)sig, sig_len, k, -1 },
				       { msg, len, (unsigned char *)sig, sig_len, k, -1 } };
	size_t n = sig_len;
	int want = ref(k == key_b ? ossl_b : ossl_a, TN_CERT_SM2_ID, 0, msg, len, (unsigned char *)sig, &n);

	assert_int_equal(tn_cert_verify_bytes(k, msg, len, sig, sig_len), want);
	tn_cert_verify_many(jobs, 2, 2);
	assert_int_equal(jobs[0].ok, want);
	assert_int_equal(jobs[1].ok, want);
	return want;
}

static void test_fast_matches_digest_verify(void **state)
{
	static const size_t lens[] = { 0, 1, 31, 32, 55, 56, 64, 65, 700, 20000 };
	char *msg = tn_xmalloc(20001);

	for (size_t i = 0; i < 20000; i++)
		msg[i] = (char)('a' + i * 7 % 26);
	for (size_t t = 0; t < sizeof(lens) / sizeof(lens[0]); t++) {
		size_t len = lens[t], n = 80;
		unsigned char *sig, other[80], theirs[80];
		size_t sig_len;
		struct tn_err err = TN_ERR_INIT;

		/* ours signs what the reference accepts, and the other way round */
		assert_int_equal(tn_cert_sign_bytes(key_a, msg, len, &sig, &sig_len, &err), TN_OK);
		assert_true(verify_all(key_a, msg, len, sig, sig_len));
		assert_true(verify_all(pub_a, msg, len, sig, sig_len));
		assert_true(ref(ossl_a, TN_CERT_SM2_ID, 1, msg, len, theirs, &n));
		assert_true(verify_all(pub_a, msg, len, theirs, n));
		/* a wrong key */
		assert_false(verify_all(key_b, msg, len, sig, sig_len));
		/* a changed message */
		if (len) {
			msg[len / 2] ^= 1;
			assert_false(verify_all(pub_a, msg, len, sig, sig_len));
			msg[len / 2] ^= 1;
		}
		assert_false(verify_all(pub_a, msg, len + 1, sig, sig_len));
		/* signed for another ID: good for that ID, not for ours */
		n = sizeof(other);
		assert_true(ref(ossl_a, "ZJW@gov.sh.cn", 1, msg, len, other, &n));
		assert_true(ref(ossl_a, "ZJW@gov.sh.cn", 0, msg, len, other, &n));
		assert_false(verify_all(pub_a, msg, len, other, n));
		/* a changed, cut or lengthened signature */
		sig[sig_len - 1] ^= 0x40;
		assert_false(verify_all(pub_a, msg, len, sig, sig_len));
		sig[sig_len - 1] ^= 0x40;
		assert_false(verify_all(pub_a, msg, len, sig, sig_len - 1));
		sig = tn_xrealloc(sig, sig_len + 1);
		sig[sig_len] = 0;
		assert_false(verify_all(pub_a, msg, len, sig, sig_len + 1));
		free(sig);
	}
	free(msg);
}

static void test_sign_many(void **state)
{
	struct tn_cert_job jobs[6];
	struct tn_err err = TN_ERR_INIT;
	unsigned char *sig;
	size_t sig_len;

	/* the threads: each its own contexts, two keys in turn */
	for (int i = 0; i < 6; i++)
		jobs[i] = (struct tn_cert_job){ "many", 4, NULL, 0, i % 2 ? key_a : key_b, 0 };
	tn_cert_sign_many(jobs, 6, 2);
	for (int i = 0; i < 6; i++) {
		assert_true(jobs[i].ok);
		assert_true(verify_all(i % 2 ? pub_a : key_b, "many", 4, jobs[i].sig, jobs[i].sig_len));
		assert_false(verify_all(i % 2 ? key_b : pub_a, "many", 4, jobs[i].sig, jobs[i].sig_len));
		free(jobs[i].sig);
	}
	/* a public key cannot sign */
	assert_int_equal(tn_cert_sign_bytes(pub_a, "abc", 3, &sig, &sig_len, &err), TN_EINVALID);
}

/*
 * Our signing (certsm2sign.c, (1 + d)^-1 kept with the key) against OpenSSL:
 * 200 signatures of messages of every length up to 199 bytes, each verified
 * by the reference (EVP_DigestVerify) and not for the message changed, each
 * exact DER with r and s in [1, n-1], no two alike (k is random); a key read
 * back from its file signs the same way, a public key has nothing to sign.
 */
static void test_own_sign(void **state)
{
	EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_sm2);
	const char *how = getenv("TWONET_SM2_SIGN");
	struct tn_err err = TN_ERR_INIT;
	unsigned char prev[80] = "";
	char msg[200], path[] = "/tmp/test_certsm2.XXXXXX";
	struct tn_cert_key *again = NULL;
	int fd;

	assert_non_null(group);
	assert_int_equal(tn_cert_key_own_sign(key_a), !(how && strcmp(how, "evp") == 0));
	assert_false(tn_cert_key_own_sign(pub_a));
	assert_int_equal(RAND_bytes((unsigned char *)msg, sizeof(msg)), 1);
	for (size_t len = 0; len < sizeof(msg); len++) {
		unsigned char *sig, *der = NULL;
		const unsigned char *p;
		size_t sig_len, n;
		ECDSA_SIG *v;
		int der_len;

		assert_int_equal(tn_cert_sign_bytes(key_a, msg, len, &sig, &sig_len, &err), TN_OK);
		n = sig_len;
		assert_true(ref(ossl_a, TN_CERT_SM2_ID, 0, msg, len, sig, &n));
		msg[len / 2] ^= 1;
		assert_false(len && ref(ossl_a, TN_CERT_SM2_ID, 0, msg, len, sig, &n));
		msg[len / 2] ^= 1;
		p = sig;
		assert_non_null(v = d2i_ECDSA_SIG(NULL, &p, (long)sig_len));
		der_len = i2d_ECDSA_SIG(v, &der);
		assert_int_equal(der_len, (int)sig_len);
		assert_memory_equal(der, sig, sig_len);
		assert_false(BN_is_zero(ECDSA_SIG_get0_r(v)) || BN_is_zero(ECDSA_SIG_get0_s(v)));
		assert_true(BN_cmp(ECDSA_SIG_get0_r(v), EC_GROUP_get0_order(group)) < 0);
		assert_true(BN_cmp(ECDSA_SIG_get0_s(v), EC_GROUP_get0_order(group)) < 0);
		assert_memory_not_equal(prev, sig, sig_len < sizeof(prev) ? sig_len : sizeof(prev));
		memcpy(prev, sig, sig_len < sizeof(prev) ? sig_len : sizeof(prev));
		OPENSSL_free(der);
		ECDSA_SIG_free(v);
		free(sig);
	}
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	assert_int_equal(tn_cert_key_save_private(key_a, path, &err), TN_OK);
	assert_int_equal(tn_cert_key_load_private(path, &again, &err), TN_OK);
	unlink(path);
	assert_int_equal(tn_cert_key_own_sign(again), tn_cert_key_own_sign(key_a));
	{
		unsigned char *sig;
		size_t sig_len;

		assert_int_equal(tn_cert_sign_bytes(again, "again", 5, &sig, &sig_len, &err), TN_OK);
		assert_true(verify_all(key_a, "again", 5, sig, sig_len));
		assert_true(verify_all(pub_a, "again", 5, sig, sig_len));
		free(sig);
	}
	tn_cert_key_free(again);
	EC_GROUP_free(group);
}

/* DER of the signature (r, s) into der (at least 80 bytes); its length. */
static size_t der_of(const BIGNUM *r, const BIGNUM *s, unsigned char *der)
{
	ECDSA_SIG *v = ECDSA_SIG_new();
	unsigned char *p = der;
	int n;

	assert_non_null(v);
	assert_int_equal(ECDSA_SIG_set0(v, BN_dup(r), BN_dup(s)), 1);
	n = i2d_ECDSA_SIG(v, &p);
	ECDSA_SIG_free(v);
	assert_true(n > 0 && n <= 80);
	return (size_t)n;
}

/*
 * The fixed-base verifier (certsm2fixed.c) against EVP_PKEY_verify on the same
 * digest: no table until the key's 8th verification, then the same answer for valid signatures, other digests, every bit of a signature
 * flipped, r or s of 0, n, n + 1, t = r + s = n, and DER that is not exact
 * (a needless leading zero, a negative integer, a byte after the end).
 */
static int fixed_vs_evp(const struct tn_cert_key *k, EVP_PKEY_CTX *ref_ctx,
			const unsigned char e[32], const unsigned char *sig, size_t len)
{
	int want = EVP_PKEY_verify(ref_ctx, sig, len, e, 32) == 1;

	assert_true(tn_cert_key_fixed_base(k));
	assert_int_equal(tn_cert_verify_digest(k, e, sig, len), want);
	return want;
}

static void test_fixed_base_matches_evp(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_cert_key *k;
	EVP_PKEY_CTX *sign_ctx = EVP_PKEY_CTX_new_from_pkey(NULL, ossl_a, NULL);
	EVP_PKEY_CTX *ref_ctx = EVP_PKEY_CTX_new_from_pkey(NULL, ossl_a, NULL);
	EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_sm2);
	unsigned char e[32], sig[80], bad[82];
	size_t len = sizeof(sig);
	char *pem = tn_cert_key_public_pem(key_a);
	const BIGNUM *n;
	BIGNUM *r, *s, *x;
	const unsigned char *p;
	ECDSA_SIG *v;

	assert_int_equal(tn_cert_key_from_pem(pem, strlen(pem), &k, &err), TN_OK);
	free(pem);
	assert_true(sign_ctx && ref_ctx && group);
	assert_int_equal(EVP_PKEY_sign_init(sign_ctx), 1);
	assert_int_equal(EVP_PKEY_verify_init(ref_ctx), 1);
	assert_int_equal(RAND_bytes(e, sizeof(e)), 1);
	assert_int_equal(EVP_PKEY_sign(sign_ctx, sig, &len, e, 32), 1);
	/* no table before the 8th verification (EVP answers meanwhile) */
	for (int i = 1; i < 8; i++) {
		assert_false(tn_cert_key_fixed_base(k));
		assert_true(tn_cert_verify_digest(k, e, sig, len));
	}
	assert_true(tn_cert_verify_digest(k, e, sig, len));
	assert_true(fixed_vs_evp(k, ref_ctx, e, sig, len));
	/* many digests, each signed, then each bit of its signature and digest flipped */
	for (int round = 0; round < 40; round++) {
		assert_int_equal(RAND_bytes(e, sizeof(e)), 1);
		len = sizeof(sig);
		assert_int_equal(EVP_PKEY_sign(sign_ctx, sig, &len, e, 32), 1);
		assert_true(fixed_vs_evp(k, ref_ctx, e, sig, len));
		for (size_t bit = round; bit < len * 8; bit += 40) {
			sig[bit / 8] ^= (unsigned char)(1u << (bit % 8));
			fixed_vs_evp(k, ref_ctx, e, sig, len);
			sig[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		}
		e[round % 32] ^= 0x10;
		assert_false(fixed_vs_evp(k, ref_ctx, e, sig, len));
		e[round % 32] ^= 0x10;
	}
	/* r and s at and past the order's edges */
	n = EC_GROUP_get0_order(group);
	p = sig;
	assert_non_null(v = d2i_ECDSA_SIG(NULL, &p, (long)len));
	r = BN_dup(ECDSA_SIG_get0_r(v));
	s = BN_dup(ECDSA_SIG_get0_s(v));
	x = BN_new();
	assert_true(fixed_vs_evp(k, ref_ctx, e, sig, der_of(r, s, sig)));
	BN_zero(x);
	assert_false(fixed_vs_evp(k, ref_ctx, e, bad, der_of(x, s, bad)));
	assert_false(fixed_vs_evp(k, ref_ctx, e, bad, der_of(r, x, bad)));
	assert_false(fixed_vs_evp(k, ref_ctx, e, bad, der_of(n, s, bad)));
	assert_false(fixed_vs_evp(k, ref_ctx, e, bad, der_of(r, n, bad)));
	assert_int_equal(BN_add(x, r, n), 1);
	assert_false(fixed_vs_evp(k, ref_ctx, e, bad, der_of(x, s, bad)));
	assert_int_equal(BN_sub(x, n, r), 1);         /* t = r + s = n */
	assert_false(fixed_vs_evp(k, ref_ctx, e, bad, der_of(r, x, bad)));
	/* not exact DER: r negative (02 01 ff), a byte after the end, r with a needless leading zero */
	len = der_of(r, s, sig);
	assert_true(sig[2] == 0x02 && sig[3] < 0x7f && len < 0x7f);
	bad[0] = 0x30;
	bad[1] = (unsigned char)(3 + len - 4 - sig[3]);
	memcpy(bad + 2, "\x02\x01\xff", 3);
	memcpy(bad + 5, sig + 4 + sig[3], len - 4 - sig[3]);
	assert_false(fixed_vs_evp(k, ref_ctx, e, bad, 2 + bad[1]));
	memcpy(bad, sig, len);
	bad[len] = 0;
	assert_false(fixed_vs_evp(k, ref_ctx, e, bad, len + 1));
	bad[0] = 0x30;
	bad[1] = (unsigned char)(sig[1] + 1);
	bad[2] = 0x02;
	bad[3] = (unsigned char)(sig[3] + 1);
	bad[4] = 0x00;
	memcpy(bad + 5, sig + 4, len - 4);
	assert_false(fixed_vs_evp(k, ref_ctx, e, bad, len + 1));
	assert_true(fixed_vs_evp(k, ref_ctx, e, sig, len));
	BN_free(r);
	BN_free(s);
	BN_free(x);
	ECDSA_SIG_free(v);
	EC_GROUP_free(group);
	EVP_PKEY_CTX_free(sign_ctx);
	EVP_PKEY_CTX_free(ref_ctx);
	tn_cert_key_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_matches_digest_verify),
		cmocka_unit_test(test_sign_many),
		cmocka_unit_test(test_own_sign),
		cmocka_unit_test(test_fixed_base_matches_evp),
	};

	return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
