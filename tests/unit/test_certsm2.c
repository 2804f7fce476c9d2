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

#include <openssl/evp.h>
#include <openssl/pem.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_matches_digest_verify),
		cmocka_unit_test(test_sign_many),
	};

	return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
