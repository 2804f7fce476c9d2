/* sm2.c — fuzz target: SM2 signatures through the fixed-base verifier (certsm2fixed.c) against OpenSSL's EVP_PKEY_verify. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "tn_cert.h"

#include "fuzz.h"

/*
 * The input is a digest (its first 32 bytes) and a DER signature (the rest),
 * verified with one fixed public key: the fixed-base verifier must give
 * EVP_PKEY_verify's answer for every input, the valid signatures of the seeds
 * (made by the key below) and everything libFuzzer makes of them.  The key is
 * a test key made for this target and nothing else.
 */
static const char public_pem[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAEFOAIgvzJ8W2ItbiXA3P0SonEPykM\n"
	"z51/ZTWWuaqicHlROYrgxJmAWALrl2UM21qZSgjuf8rRq1QRqrTRzgee2Q==\n"
	"-----END PUBLIC KEY-----\n";

static struct tn_cert_key *key;
static EVP_PKEY_CTX *ref;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct tn_err err = TN_ERR_INIT;
	BIO *bio = BIO_new_mem_buf(public_pem, -1);
	EVP_PKEY *pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	unsigned char e[32] = { 0 };

	(void)argc;
	(void)argv;
	fuzz_setup();
	BIO_free(bio);
	FUZZ_ASSERT(pkey != NULL, "the target's key reads");
	FUZZ_ASSERT(tn_cert_key_from_pem(public_pem, strlen(public_pem), &key, &err) == TN_OK,
		    "the target's key reads into a tn_cert_key");
	ref = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	EVP_PKEY_free(pkey);
	FUZZ_ASSERT(ref && EVP_PKEY_verify_init(ref) == 1, "OpenSSL's verifier is set up");
	/* the key's tables are built at its 8th verification (certsm2fixed.c) */
	for (int i = 0; i < 8; i++)
		tn_cert_verify_digest(key, e, e, 8);
	FUZZ_ASSERT(tn_cert_key_fixed_base(key), "the fixed-base tables are built");
	return 0;
}

int fuzz_one(const uint8_t *data, size_t size)
{
	int ours, theirs;

	if (size < 32)
		return 0;
	ours = tn_cert_verify_digest(key, data, data + 32, size - 32);
	theirs = EVP_PKEY_verify(ref, data + 32, size - 32, data, 32) == 1;
	if (ours != theirs)
		fprintf(stderr, "fuzz sm2: fixed-base %d, EVP_PKEY_verify %d\n", ours, theirs);
	FUZZ_ASSERT(ours == theirs, "the fixed-base verifier answers as EVP_PKEY_verify");
	return 0;
}
