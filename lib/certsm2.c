/* certsm2.c — SM2 with SM3 over bytes: the Z prefix once per key, per-thread contexts, the signing and verifying threads. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "tn_buf.h"
#include "tn_cert.h"
#include "tnp_cert.h"

/* ---- the Z prefix (GB/T 32918.2 5.5), once per key ---- */

/* The SM2 curve (GB/T 32918.5): a, b, xG, yG. */
static const unsigned char sm2_curve[4][32] = {
	{ 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	  0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFC },
	{ 0x28, 0xE9, 0xFA, 0x9E, 0x9D, 0x9F, 0x5E, 0x34, 0x4D, 0x5A, 0x9E, 0x4B, 0xCF, 0x65, 0x09, 0xA7,
	  0xF3, 0x97, 0x89, 0xF5, 0x15, 0xAB, 0x8F, 0x92, 0xDD, 0xBC, 0xBD, 0x41, 0x4D, 0x94, 0x0E, 0x93 },
	{ 0x32, 0xC4, 0xAE, 0x2C, 0x1F, 0x19, 0x81, 0x19, 0x5F, 0x99, 0x04, 0x46, 0x6A, 0x39, 0xC9, 0x94,
	  0x8F, 0xE3, 0x0B, 0xBF, 0xF2, 0x66, 0x0B, 0xE1, 0x71, 0x5A, 0x45, 0x89, 0x33, 0x4C, 0x74, 0xC7 },
	{ 0xBC, 0x37, 0x36, 0xA2, 0xF4, 0xF6, 0x77, 0x9C, 0x59, 0xBD, 0xCE, 0xE3, 0x6B, 0x69, 0x21, 0x53,
	  0xD0, 0xA9, 0x87, 0x7C, 0xC6, 0x2A, 0x47, 0x40, 0x02, 0xDF, 0x32, 0xE5, 0x21, 0x39, 0xF0, 0xA0 },
};

/* One coordinate of the public key, 32 bytes big-endian; 0 when it cannot be had. */
static int pub_coord(EVP_PKEY *pkey, const char *name, unsigned char out[32])
{
	BIGNUM *bn = NULL;
	int ok = EVP_PKEY_get_bn_param(pkey, name, &bn) == 1 && BN_bn2binpad(bn, out, 32) == 32;

	BN_free(bn);
	return ok;
}

void tnp_cert_key_z(struct tn_cert_key *key)
{
	static const char id[] = TN_CERT_SM2_ID;
	unsigned char xa[32], ya[32], entl[2];
	char group[32];
	EVP_MD_CTX *md;
	unsigned int n = 0;

	key->has_z = 0;
	if (EVP_PKEY_get_utf8_string_param(key->pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
					   sizeof(group), NULL) != 1 || strcmp(group, "SM2") ||
	    !pub_coord(key->pkey, OSSL_PKEY_PARAM_EC_PUB_X, xa) ||
	    !pub_coord(key->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, ya)) {
		ERR_clear_error();
		return;
	}
	entl[0] = (unsigned char)(((sizeof(id) - 1) * 8) >> 8);
	entl[1] = (unsigned char)((sizeof(id) - 1) * 8);
	md = EVP_MD_CTX_new();
	if (md && EVP_DigestInit_ex(md, EVP_sm3(), NULL) == 1 && EVP_DigestUpdate(md, entl, 2) == 1 &&
	    EVP_DigestUpdate(md, id, sizeof(id) - 1) == 1 &&
	    EVP_DigestUpdate(md, sm2_curve, sizeof(sm2_curve)) == 1 &&
	    EVP_DigestUpdate(md, xa, 32) == 1 && EVP_DigestUpdate(md, ya, 32) == 1 &&
	    EVP_DigestFinal_ex(md, key->z, &n) == 1 && n == 32)
		key->has_z = 1;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
}

/* ---- one thread's state ---- */

#define KEY_CTXS 8

struct tnp_sm2 {
	EVP_MD *sm3;
	EVP_MD_CTX *md;
	BN_CTX *bn;             /* certsm2fixed.c's and certsm2sign.c's; NULL until first needed */
	struct {
		EVP_PKEY *pkey;         /* the context holds a reference: no other key has this address */
		EVP_PKEY_CTX *ctx;
		int sign;
	} c[KEY_CTXS];
	int next;
};

struct tnp_sm2 *tnp_sm2_new(void)
{
	struct tnp_sm2 *s = tn_xcalloc(1, sizeof(*s));

	s->sm3 = EVP_MD_fetch(NULL, "SM3", NULL);
	s->md = EVP_MD_CTX_new();
	return s;
}

void tnp_sm2_free(struct tnp_sm2 *s)
{
	if (!s)
		return;
	for (int i = 0; i < KEY_CTXS; i++)
		EVP_PKEY_CTX_free(s->c[i].ctx);
	EVP_MD_CTX_free(s->md);
	EVP_MD_free(s->sm3);
	BN_CTX_free(s->bn);
	free(s);
}

/* The key context for `key`, set up for signing or verifying; NULL on failure. */
static EVP_PKEY_CTX *key_ctx(struct tnp_sm2 *s, const struct tn_cert_key *key, int sign)
{
	EVP_PKEY_CTX *ctx;
	int i;

	for (i = 0; i < KEY_CTXS; i++)
		if (s->c[i].ctx && s->c[i].pkey == key->pkey && s->c[i].sign == sign)
			return s->c[i].ctx;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
	if (!ctx || (sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)) != 1) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	i = s->next;
	s->next = (s->next + 1) % KEY_CTXS;
	EVP_PKEY_CTX_free(s->c[i].ctx);
	s->c[i].pkey = key->pkey;
	s->c[i].ctx = ctx;
	s->c[i].sign = sign;
	return ctx;
}

/* e = SM3(Z || msg), what SM2 signs. */
static int digest(struct tnp_sm2 *s, const struct tn_cert_key *key, const void *msg, size_t len,
		  unsigned char e[32])
{
	unsigned int n = 0;

	return s->sm3 && s->md && key->has_z && EVP_DigestInit_ex2(s->md, s->sm3, NULL) == 1 &&
	       EVP_DigestUpdate(s->md, key->z, 32) == 1 && EVP_DigestUpdate(s->md, msg, len) == 1 &&
	       EVP_DigestFinal_ex(s->md, e, &n) == 1 && n == 32;
}

/*
 * EVP_DigestSign/Verify with SM3 and the distinguishing ID, the way
 * EVP_PKEY-SM2(7) shows it, for a key without a Z of ours.
 */
static int digest_sign_verify(const struct tn_cert_key *key, int sign, const void *msg, size_t len,
			      unsigned char **sig, size_t *sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
	size_t n = 0;
	int ok = md && pctx && EVP_PKEY_CTX_set1_id(pctx, TN_CERT_SM2_ID, strlen(TN_CERT_SM2_ID)) > 0;

	if (ok) {
		EVP_MD_CTX_set_pkey_ctx(md, pctx);
		ok = (sign ? EVP_DigestSignInit(md, NULL, EVP_sm3(), NULL, key->pkey)
			   : EVP_DigestVerifyInit(md, NULL, EVP_sm3(), NULL, key->pkey)) == 1;
	}
	if (ok && !sign) {
		ok = EVP_DigestVerify(md, *sig, *sig_len, msg, len) == 1;
	} else if (ok) {
		ok = EVP_DigestSign(md, NULL, &n, msg, len) == 1;
		*sig = ok ? tn_xmalloc(n) : NULL;
		if (ok && (ok = EVP_DigestSign(md, *sig, &n, msg, len) == 1) != 0)
			*sig_len = n;
	}
	EVP_MD_CTX_free(md);
	EVP_PKEY_CTX_free(pctx);
	return ok;
}

/* Verify digest e = SM3(Z || msg): over the key's fixed-base tables once it has them, else EVP_PKEY_verify. */
static int verify_digest(struct tnp_sm2 *s, const struct tn_cert_key *key, const unsigned char e[32],
			 const unsigned char *sig, size_t sig_len)
{
	EVP_PKEY_CTX *ctx;
	int fixed;

	if ((s->bn || (s->bn = BN_CTX_new()) != NULL) &&
	    (fixed = tnp_sm2_verify_fixed(key, s->bn, e, sig, sig_len)) >= 0)
		return fixed;
	return (ctx = key_ctx(s, key, 0)) && EVP_PKEY_verify(ctx, sig, sig_len, e, 32) == 1;
}

int tnp_sm2_verify(struct tnp_sm2 *s, const struct tn_cert_key *key, const void *msg, size_t len,
		   const unsigned char *sig, size_t sig_len)
{
	unsigned char e[32];
	int ok;

	if (!key || !sig || !sig_len)
		return 0;
	if (!key->has_z)
		ok = digest_sign_verify(key, 0, msg, len, (unsigned char **)&sig, &sig_len);
	else
		ok = digest(s, key, msg, len, e) && verify_digest(s, key, e, sig, sig_len);
	if (!ok)
		ERR_clear_error();
	return ok;
}

int tnp_sm2_sign(struct tnp_sm2 *s, const struct tn_cert_key *key, const void *msg, size_t len,
		 unsigned char **sig, size_t *sig_len)
{
	unsigned char e[32];
	EVP_PKEY_CTX *ctx;
	size_t n = 0;

	*sig = NULL;
	*sig_len = 0;
	if (!key->priv)
		return 0;
	if (!key->has_z) {
		if (digest_sign_verify(key, 1, msg, len, sig, sig_len))
			return 1;
	} else if (!digest(s, key, msg, len, e)) {
		return 0;
	} else if (key->sign && (s->bn || (s->bn = BN_CTX_new()) != NULL) &&
		   tnp_sm2_sign_digest(key->sign, s->bn, e, sig, sig_len) == 1) {
		return 1;
	} else if ((ctx = key_ctx(s, key, 1)) && EVP_PKEY_sign(ctx, NULL, &n, e, 32) == 1) {
		*sig = tn_xmalloc(n);
		if (EVP_PKEY_sign(ctx, *sig, &n, e, 32) == 1) {
			*sig_len = n;
			return 1;
		}
	}
	free(*sig);
	*sig = NULL;
	return 0;
}

/* ---- one at a time ---- */

enum tn_code tn_cert_sign_bytes(const struct tn_cert_key *key, const void *msg, size_t len,
				unsigned char **sig, size_t *sig_len, struct tn_err *err)
{
	struct tnp_sm2 *s;
	int ok;

	*sig = NULL;
	*sig_len = 0;
	if (!key->priv)
		return tn_err_set(err, TN_EINVALID, "key %s has no private part", key->id);
	s = tnp_sm2_new();
	ok = tnp_sm2_sign(s, key, msg, len, sig, sig_len);
	tnp_sm2_free(s);
	if (!ok)
		return tn_err_set(err, TN_EINTERNAL, "SM2 signing failed: %s", tnp_cert_ossl_msg());
	return TN_OK;
}

int tn_cert_verify_digest(const struct tn_cert_key *key, const unsigned char e[32],
			  const unsigned char *sig, size_t sig_len)
{
	struct tnp_sm2 *s;
	int ok;

	if (!key || !sig || !sig_len)
		return 0;
	s = tnp_sm2_new();
	ok = verify_digest(s, key, e, sig, sig_len);
	ERR_clear_error();
	tnp_sm2_free(s);
	return ok;
}

int tn_cert_key_fixed_base(const struct tn_cert_key *key)
{
	return __atomic_load_n(&key->table, __ATOMIC_ACQUIRE) != NULL;
}

int tn_cert_key_own_sign(const struct tn_cert_key *key)
{
	return key->sign != NULL;
}

int tn_cert_verify_bytes(const struct tn_cert_key *key, const void *msg, size_t len,
			 const unsigned char *sig, size_t sig_len)
{
	struct tnp_sm2 *s = tnp_sm2_new();
	int ok = tnp_sm2_verify(s, key, msg, len, sig, sig_len);

	tnp_sm2_free(s);
	return ok;
}

int tn_cert_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)(n > 256 ? 256 : n) : 1;
}

/* ---- many at once: threads for one call ---- */

struct many {
	struct tn_cert_job *jobs;
	size_t n;
	size_t next;    /* atomically incremented */
	int sign;
};

/* A worker: its own SM2 state; jobs by a shared counter until none is left.  OpenSSL only. */
static void *many_worker(void *arg)
{
	struct many *p = arg;
	struct tnp_sm2 *s = tnp_sm2_new();

	for (;;) {
		size_t i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);
		struct tn_cert_job *j;

		if (i >= p->n)
			break;
		j = &p->jobs[i];
		if (p->sign)
			j->ok = tnp_sm2_sign(s, j->key, j->msg, j->msg_len, &j->sig, &j->sig_len);
		else
			j->ok = tnp_sm2_verify(s, j->key, j->msg, j->msg_len, j->sig, j->sig_len);
	}
	tnp_sm2_free(s);
	ERR_clear_error();
	return NULL;
}

static int clamp_threads(int threads, size_t n)
{
	if (threads < 1)
		threads = tn_cert_ncpu();
	if (threads > 256)
		threads = 256;
	if ((size_t)threads > n)
		threads = (int)n;
	return threads;
}

static void run_many(struct tn_cert_job *jobs, size_t n, int threads, int sign)
{
	struct many p = { jobs, n, 0, sign };
	pthread_t tid[256];
	int started = 0;

	threads = clamp_threads(threads, n);
	/* the calling thread works too; the others join it */
	for (int i = 1; i < threads; i++) {
		if (pthread_create(&tid[started], NULL, many_worker, &p) != 0)
			break;
		started++;
	}
	many_worker(&p);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
}

void tn_cert_verify_many(struct tn_cert_job *jobs, size_t n, int threads)
{
	if (n)
		run_many(jobs, n, threads, 0);
}

void tn_cert_sign_many(struct tn_cert_job *jobs, size_t n, int threads)
{
	if (n)
		run_many(jobs, n, threads, 1);
}

/* ---- a verifying pool that stays up ---- */

struct tnp_sm2_pool {
	pthread_mutex_t mu;
	pthread_cond_t work;    /* workers: something was published, or stop */
	pthread_cond_t done;    /* the waiter: a job is done */
	struct tn_cert_job *jobs;
	size_t avail;           /* jobs [0, avail) published */
	size_t next;            /* the next job to take */
	size_t seen;            /* the waiter: jobs [0, seen) known done */
	int waiting, stop, threads;
	struct tnp_sm2 *self;   /* the waiter's own state, when it takes jobs */
	pthread_t tid[256];
};

/*
 * Take the next published job, if any, and do it with `s`: 1 when one was
 * done (or lost to another thread: try again), 0 when none is left.
 */
static int pool_take(struct tnp_sm2_pool *p, struct tnp_sm2 *s)
{
	size_t i = __atomic_load_n(&p->next, __ATOMIC_ACQUIRE);
	size_t n = __atomic_load_n(&p->avail, __ATOMIC_ACQUIRE);
	struct tn_cert_job *j;
	int ok;

	if (i >= n)
		return 0;
	if (!__atomic_compare_exchange_n(&p->next, &i, i + 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return 1;
	j = __atomic_load_n(&p->jobs, __ATOMIC_ACQUIRE) + i;
	ok = tnp_sm2_verify(s, j->key, j->msg, j->msg_len, j->sig, j->sig_len);
	__atomic_store_n(&j->ok, ok, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&p->waiting, __ATOMIC_SEQ_CST)) {
		pthread_mutex_lock(&p->mu);
		pthread_cond_broadcast(&p->done);
		pthread_mutex_unlock(&p->mu);
	}
	return 1;
}

static void *pool_worker(void *arg)
{
	struct tnp_sm2_pool *p = arg;
	struct tnp_sm2 *s = tnp_sm2_new();

	for (;;) {
		if (pool_take(p, s))
			continue;
		pthread_mutex_lock(&p->mu);
		while (!p->stop && __atomic_load_n(&p->next, __ATOMIC_ACQUIRE) >=
				   __atomic_load_n(&p->avail, __ATOMIC_ACQUIRE))
			pthread_cond_wait(&p->work, &p->mu);
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		pthread_mutex_unlock(&p->mu);
	}
	tnp_sm2_free(s);
	ERR_clear_error();
	return NULL;
}

struct tnp_sm2_pool *tnp_sm2_pool_new(int threads)
{
	struct tnp_sm2_pool *p = tn_xcalloc(1, sizeof(*p));

	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	threads = clamp_threads(threads, 256);
	for (int i = 0; i < threads; i++) {
		if (pthread_create(&p->tid[p->threads], NULL, pool_worker, p) != 0)
			break;
		p->threads++;
	}
	return p;
}

void tnp_sm2_pool_publish(struct tnp_sm2_pool *p, struct tn_cert_job *jobs, size_t n)
{
	if (!p->threads) {      /* no thread could start: the caller does the work */
		struct tnp_sm2 *s = tnp_sm2_new();
		for (size_t i = p->avail; i < n; i++)
			jobs[i].ok = tnp_sm2_verify(s, jobs[i].key, jobs[i].msg, jobs[i].msg_len,
						    jobs[i].sig, jobs[i].sig_len);
		tnp_sm2_free(s);
		p->jobs = jobs;
		p->avail = p->next = n;
		return;
	}
	__atomic_store_n(&p->jobs, jobs, __ATOMIC_RELEASE);
	pthread_mutex_lock(&p->mu);
	__atomic_store_n(&p->avail, n, __ATOMIC_SEQ_CST);
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
}

void tnp_sm2_pool_wait(struct tnp_sm2_pool *p, size_t upto)
{
	if (upto > p->avail)
		upto = p->avail;
	while (p->seen < upto) {
		if (__atomic_load_n(&p->jobs[p->seen].ok, __ATOMIC_SEQ_CST) >= 0) {
			p->seen++;
			continue;
		}
		/* the waiter works on what is still queued rather than sleep */
		if (!p->self)
			p->self = tnp_sm2_new();
		if (pool_take(p, p->self))
			continue;
		pthread_mutex_lock(&p->mu);
		__atomic_store_n(&p->waiting, 1, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&p->jobs[p->seen].ok, __ATOMIC_SEQ_CST) < 0)
			pthread_cond_wait(&p->done, &p->mu);
		__atomic_store_n(&p->waiting, 0, __ATOMIC_SEQ_CST);
		pthread_mutex_unlock(&p->mu);
	}
}

void tnp_sm2_pool_free(struct tnp_sm2_pool *p)
{
	if (!p)
		return;
	tnp_sm2_pool_wait(p, p->avail);
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->threads; i++)
		pthread_join(p->tid[i], NULL);
	tnp_sm2_free(p->self);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->work);
	free(p);
}
