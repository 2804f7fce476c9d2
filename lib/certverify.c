/* certverify.c — verifying e-certificates: issuers' key ring, single and bulk (threaded, deduplicated) verification, audit hashes. */
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_cert.h"
#include "tn_jv.h"
#include "tn_text.h"
#include "tn_today.h"
#include "tnp_cert.h"

struct ring_entry {
	char *dept;
	char *uscc;
	struct tn_cert_key *key;
};

struct tn_cert_keyring {
	struct ring_entry *e;
	size_t n, alloc;
};

struct tn_cert_keyring *tn_cert_keyring_new(void)
{
	return tn_xcalloc(1, sizeof(struct tn_cert_keyring));
}

void tn_cert_keyring_free(struct tn_cert_keyring *kr)
{
	if (!kr)
		return;
	for (size_t i = 0; i < kr->n; i++) {
		free(kr->e[i].dept);
		free(kr->e[i].uscc);
		tn_cert_key_free(kr->e[i].key);
	}
	free(kr->e);
	free(kr);
}

size_t tn_cert_keyring_count(const struct tn_cert_keyring *kr)
{
	return kr ? kr->n : 0;
}

static const struct ring_entry *ring_find(const struct tn_cert_keyring *kr, const char *key_id)
{
	for (size_t i = 0; kr && i < kr->n; i++)
		if (!strcmp(tn_cert_key_id(kr->e[i].key), key_id))
			return &kr->e[i];
	return NULL;
}

void tn_cert_keyring_add(struct tn_cert_keyring *kr, const char *dept, const char *uscc,
			 struct tn_cert_key *key)
{
	if (ring_find(kr, tn_cert_key_id(key))) {
		tn_cert_key_free(key);
		return;
	}
	if (kr->n == kr->alloc) {
		kr->alloc = kr->alloc ? 2 * kr->alloc : 8;
		kr->e = tn_xrealloc(kr->e, kr->alloc * sizeof(*kr->e));
	}
	kr->e[kr->n].dept = tn_xstrdup(dept ? dept : "");
	kr->e[kr->n].uscc = tn_xstrdup(uscc ? uscc : "");
	kr->e[kr->n].key = key;
	kr->n++;
}

enum tn_code tn_cert_keyring_add_issuers(struct tn_cert_keyring *kr, jv issuers,
					 struct tn_err *err)
{
	jv items;
	enum tn_code rc = TN_OK;
	int n;

	if (jv_get_kind(issuers) == JV_KIND_OBJECT)
		items = tn_jv_get(issuers, "items");
	else
		items = jv_copy(issuers);
	if (jv_get_kind(items) != JV_KIND_ARRAY) {
		jv_free(items);
		return tn_err_set(err, TN_EINVALID, "issuers list has no 'items' array");
	}
	n = jv_array_length(jv_copy(items));
	for (int i = 0; i < n && rc == TN_OK; i++) {
		jv it = jv_array_get(jv_copy(items), i);
		const char *pem = tn_jv_str(it, "public_key");
		const char *kid = tn_jv_str(it, "key_id");
		struct tn_cert_key *key = NULL;

		if (!pem || !kid) {
			rc = tn_err_set(err, TN_EINVALID, "issuer %d has no public_key or key_id", i + 1);
		} else if ((rc = tn_cert_key_from_pem(pem, strlen(pem), &key, err)) != TN_OK) {
			tn_err_prefix(err, "issuer key '%s'", kid);
		} else if (strcmp(tn_cert_key_id(key), kid)) {
			rc = tn_err_set(err, TN_EINVALID,
					"issuer key '%s' does not match its public key (fingerprint %s)",
					kid, tn_cert_key_id(key));
			tn_cert_key_free(key);
		} else {
			tn_cert_keyring_add(kr, tn_jv_str(it, "dept"), tn_jv_str(it, "uscc"), key);
		}
		jv_free(it);
	}
	jv_free(items);
	return rc;
}

/* ---- verification ---- */

static void set_reason(struct tn_cert_verification *v, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_reason(struct tn_cert_verification *v, const char *reason, const char *fmt, ...)
{
	va_list ap;

	v->valid = 0;
	v->reason = reason;
	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
}

static void set_valid(struct tn_cert_verification *v)
{
	v->valid = 1;
	v->reason = NULL;
	v->detail[0] = '\0';
}

static int is_date(const char *s)
{
	long d;

	return s && strlen(s) == 10 && tn_date_parse(s, &d) == 0;
}

/* What a certificate needs checked by SM2, found by the checks before it. */
struct prepared {
	const struct ring_entry *issuer;
	char *content;          /* the signed content, malloc'd */
	size_t content_len;
	unsigned char *sig;     /* decoded signature, malloc'd */
	size_t sig_len;
	char key_id[17];
	const char *sig_b64;    /* borrowed from the certificate */
};

static void prepared_release(struct prepared *p)
{
	free(p->content);
	free(p->sig);
	p->content = NULL;
	p->sig = NULL;
}

/*
 * What must hold before the signature can be checked: the signed members,
 * the signature member, a known key.  Nothing else comes first, so that a
 * changed byte in any signed member reads as a bad signature.  Returns 1
 * with `p` filled when the signature is to be checked, 0 with `v` set.
 */
static int precheck(const struct tn_cert_keyring *kr, jv cert, struct prepared *p,
		    struct tn_cert_verification *v)
{
	struct tn_err e = TN_ERR_INIT;
	const char *alg, *kid, *val;
	jv sig;
	int ok = 0;

	memset(p, 0, sizeof(*p));
	if (jv_get_kind(cert) != JV_KIND_OBJECT) {
		set_reason(v, TN_CERT_MALFORMED, "certificate is not a JSON object");
		return 0;
	}
	sig = tn_jv_get(cert, "signature");
	alg = tn_jv_str(sig, "alg");
	kid = tn_jv_str(sig, "key_id");
	val = tn_jv_str(sig, "value");
	if (!alg || !kid || !val) {
		set_reason(v, TN_CERT_MALFORMED, "certificate has no signature {alg, key_id, value}");
	} else if (strcmp(alg, TN_CERT_ALG)) {
		set_reason(v, TN_CERT_MALFORMED, "signature algorithm '%s' is not %s", alg, TN_CERT_ALG);
	} else if (tn_cert_signed_content(cert, &p->content, &p->content_len, &e) != TN_OK) {
		set_reason(v, TN_CERT_MALFORMED, "%s", e.message);
	} else if (!(p->issuer = ring_find(kr, kid))) {
		set_reason(v, TN_CERT_UNKNOWN_ISSUER, "no issuer key '%s' is known", kid);
	} else if (!(p->sig = tn_cert_unbase64(val, &p->sig_len))) {
		set_reason(v, TN_CERT_BAD_SIGNATURE, "signature value is not base64");
	} else {
		snprintf(p->key_id, sizeof(p->key_id), "%s", kid);
		p->sig_b64 = val;   /* the certificate holds it */
		ok = 1;
	}
	if (!ok)
		prepared_release(p);
	jv_free(sig);
	return ok;
}

/*
 * The checks after a good signature by the key of `issuer`: the key is the
 * certificate's issuer's, the form (identifier agrees with kind and issuer,
 * holder code, dates), then status, then dates against `today`.
 */
static void postcheck(jv cert, const struct ring_entry *issuer, const char *today,
		      struct tn_cert_verification *v)
{
	struct tn_err e = TN_ERR_INIT;
	struct tn_cert_idparts parts;
	char now[11];
	jv holder = tn_jv_get(cert, "holder"), iss = tn_jv_get(cert, "issuer");
	/* absent is not null here: a certificate must say valid_until, null for no end */
	jv until_v = jv_object_get(jv_copy(cert), jv_string("valid_until"));
	jv fields = tn_jv_get(cert, "fields");
	const char *id = tn_jv_str(cert, "id"), *kind = tn_jv_str(cert, "kind");
	const char *status = tn_jv_str(cert, "status");
	const char *from = tn_jv_str(cert, "valid_from");
	const char *until = tn_jv_str(cert, "valid_until");
	const char *dept = tn_jv_str(iss, "dept"), *uscc = tn_jv_str(iss, "uscc");
	const char *htype = tn_jv_str(holder, "type"), *hid = tn_jv_str(holder, "id");

	if (!today || !is_date(today)) {
		tn_today_china_str(now, sizeof(now));
		today = now;
	}
	if (!dept || !uscc) {
		set_reason(v, TN_CERT_MALFORMED, "certificate issuer lacks dept or uscc");
	} else if (strcmp(issuer->dept, dept) || strcmp(issuer->uscc, uscc)) {
		set_reason(v, TN_CERT_UNKNOWN_ISSUER,
			   "signed with the key of %s (%s), not of the issuer %s (%s)",
			   issuer->dept, issuer->uscc, dept, uscc);
	} else if (!id || !kind || !tn_jv_str(cert, "kind_name") || !tn_jv_str(cert, "issued_at")) {
		set_reason(v, TN_CERT_MALFORMED, "certificate id, kind, kind_name or issued_at is not a string");
	} else if (tn_cert_id_parse(id, &parts, &e) != TN_OK) {
		set_reason(v, TN_CERT_MALFORMED, "%s", e.message);
	} else if (strcmp(parts.kind, kind) || strcmp(parts.issuer, uscc)) {
		set_reason(v, TN_CERT_MALFORMED,
			   "certificate id '%s' does not name its kind '%s' and issuer '%s'", id, kind, uscc);
	} else if (!tn_jv_str(holder, "name") || tn_cert_check_holder(htype, hid, &e) != TN_OK) {
		set_reason(v, TN_CERT_MALFORMED, "%s", tn_jv_str(holder, "name") ? e.message
						      : "certificate holder has no name");
	} else if (jv_get_kind(fields) != JV_KIND_OBJECT) {
		set_reason(v, TN_CERT_MALFORMED, "certificate fields is not an object");
	} else if (!is_date(from) || (jv_get_kind(until_v) != JV_KIND_NULL && !is_date(until))) {
		set_reason(v, TN_CERT_MALFORMED, "certificate validity dates are not YYYY-MM-DD");
	} else if (!status || (strcmp(status, "valid") && strcmp(status, "revoked"))) {
		set_reason(v, TN_CERT_MALFORMED, "certificate status is not valid or revoked");
	} else if (!strcmp(status, "revoked")) {
		const char *at = tn_jv_str(cert, "revoked_at");
		const char *why = tn_jv_str(cert, "revoke_reason");
		set_reason(v, TN_CERT_REVOKED, "revoked%s%s%s%s", at ? " at " : "", at ? at : "",
			   why ? ": " : "", why ? why : "");
	} else if (until && strcmp(today, until) > 0) {
		set_reason(v, TN_CERT_EXPIRED, "expired: valid until %s", until);
	} else if (strcmp(today, from) < 0) {
		set_reason(v, TN_CERT_NOT_YET_VALID, "not valid before %s", from);
	} else {
		set_valid(v);
	}
	jv_free(holder);
	jv_free(iss);
	jv_free(until_v);
	jv_free(fields);
}

void tn_cert_verify(const struct tn_cert_keyring *kr, jv cert, const char *today,
		    struct tn_cert_verification *v)
{
	struct prepared p;

	if (!precheck(kr, cert, &p, v))
		return;
	if (!tn_cert_verify_bytes(p.issuer->key, p.content, p.content_len, p.sig, p.sig_len))
		set_reason(v, TN_CERT_BAD_SIGNATURE,
			   "the signature does not match the certificate's content and key '%s'", p.key_id);
	else
		postcheck(cert, p.issuer, today, v);
	prepared_release(&p);
}

jv tn_cert_verification_json(const struct tn_cert_verification *v)
{
	jv o = jv_object_set(jv_object(), jv_string("valid"), jv_bool(v->valid));

	if (!v->valid) {
		o = jv_object_set(o, jv_string("reason"), jv_string(v->reason ? v->reason : TN_CERT_MALFORMED));
		o = jv_object_set(o, jv_string("detail"), jv_string(v->detail));
	}
	return o;
}

/* ---- bulk ---- */

struct slot {
	struct tn_cert_verification v;  /* the answer, or the answer after a good signature */
	long job;                       /* index into jobs, -1 when no signature to check */
};

struct tn_cert_batch {
	const struct tn_cert_keyring *kr;
	int threads;
	char today[11];
	int has_today;
	struct slot *slots;
	size_t nslots, aslots;
	struct tn_cert_job *jobs;       /* ok is -1 until the job is done */
	size_t njobs, ajobs;
	size_t published;               /* jobs [0, published) handed to the pool */
	size_t ran;                     /* jobs [0, ran) done, their bytes freed */
	struct tnp_sm2_pool *pool;      /* started on the first run */
	jv seen;                        /* digest -> job index */
	long sm2;
};

/* Wait until jobs [0, upto) of those published are done; free their bytes. */
static void batch_wait_jobs(struct tn_cert_batch *b, size_t upto)
{
	if (upto <= b->ran)
		return;
	tnp_sm2_pool_wait(b->pool, upto);
	for (size_t i = b->ran; i < upto; i++) {
		free((char *)b->jobs[i].msg);
		free(b->jobs[i].sig);
		b->jobs[i].msg = NULL;
		b->jobs[i].sig = NULL;
	}
	b->ran = upto;
}

struct tn_cert_batch *tn_cert_batch_new(const struct tn_cert_keyring *kr, int threads,
					const char *today)
{
	struct tn_cert_batch *b = tn_xcalloc(1, sizeof(*b));

	b->kr = kr;
	b->threads = threads;
	if (today && is_date(today)) {
		snprintf(b->today, sizeof(b->today), "%s", today);
		b->has_today = 1;
	}
	b->seen = jv_object();
	return b;
}

void tn_cert_batch_free(struct tn_cert_batch *b)
{
	if (!b)
		return;
	tnp_sm2_pool_free(b->pool);
	for (size_t i = b->ran; i < b->njobs; i++) {
		free((char *)b->jobs[i].msg);
		free(b->jobs[i].sig);
	}
	free(b->jobs);
	free(b->slots);
	jv_free(b->seen);
	free(b);
}

size_t tn_cert_batch_add(struct tn_cert_batch *b, jv cert)
{
	struct prepared p;
	struct slot *s;
	size_t idx;

	if (b->nslots == b->aslots) {
		b->aslots = b->aslots ? 2 * b->aslots : 64;
		b->slots = tn_xrealloc(b->slots, b->aslots * sizeof(*b->slots));
	}
	idx = b->nslots++;
	s = &b->slots[idx];
	s->job = -1;
	if (!precheck(b->kr, cert, &p, &s->v))
		return idx;
	postcheck(cert, p.issuer, b->has_today ? b->today : NULL, &s->v);

	/* the digest of what SM2 would check: key, signature and content */
	struct tn_buf k = TN_BUF_INIT;
	char digest[65];
	tn_buf_addf(&k, "%s\n%s\n", p.key_id, p.sig_b64);
	tn_buf_add(&k, p.content, p.content_len);
	tn_sha256_hex(k.buf, k.len, digest);
	tn_buf_release(&k);

	jv known = tn_jv_get(b->seen, digest);
	if (jv_get_kind(known) == JV_KIND_NUMBER) {
		s->job = (long)jv_number_value(known);
		jv_free(known);
		prepared_release(&p);
		return idx;
	}
	jv_free(known);
	if (b->njobs == b->ajobs) {
		if (b->pool)    /* the workers hold no job once every published one is done */
			batch_wait_jobs(b, b->published);
		b->ajobs = b->ajobs ? 2 * b->ajobs : 64;
		b->jobs = tn_xrealloc(b->jobs, b->ajobs * sizeof(*b->jobs));
	}
	struct tn_cert_job *j = &b->jobs[b->njobs];
	j->msg = p.content;             /* taken over; freed after the run */
	j->msg_len = p.content_len;
	j->sig = p.sig;
	j->sig_len = p.sig_len;
	j->key = p.issuer->key;         /* the ring outlives the batch */
	j->ok = -1;
	s->job = (long)b->njobs;
	b->seen = jv_object_set(b->seen, jv_string(digest), jv_number((double)b->njobs));
	b->njobs++;
	return idx;
}

void tn_cert_batch_start(struct tn_cert_batch *b)
{
	if (b->published == b->njobs)
		return;
	if (!b->pool)
		b->pool = tnp_sm2_pool_new(b->threads);
	tnp_sm2_pool_publish(b->pool, b->jobs, b->njobs);
	b->sm2 += (long)(b->njobs - b->published);
	b->published = b->njobs;
}

void tn_cert_batch_run(struct tn_cert_batch *b)
{
	tn_cert_batch_start(b);
	batch_wait_jobs(b, b->published);
}

void tn_cert_batch_wait(struct tn_cert_batch *b, size_t nslots)
{
	size_t need = 0;

	tn_cert_batch_start(b);
	for (size_t i = 0; i < nslots && i < b->nslots; i++)
		if (b->slots[i].job >= 0 && (size_t)b->slots[i].job >= need)
			need = (size_t)b->slots[i].job + 1;
	batch_wait_jobs(b, need);
}

void tn_cert_batch_get(const struct tn_cert_batch *b, size_t slot, struct tn_cert_verification *v)
{
	const struct slot *s;

	if (slot >= b->nslots) {
		set_reason(v, TN_CERT_MALFORMED, "no such certificate in the batch");
		return;
	}
	s = &b->slots[slot];
	if (s->job >= 0 && ((size_t)s->job >= b->ran || !b->jobs[s->job].ok)) {
		set_reason(v, TN_CERT_BAD_SIGNATURE, "%s",
			   (size_t)s->job >= b->ran ? "the signature was not checked yet"
						    : "the signature does not match the certificate's content and key");
		return;
	}
	*v = s->v;
}

void tn_cert_batch_drop(struct tn_cert_batch *b, size_t n)
{
	if (n >= b->nslots) {
		b->nslots = 0;
		return;
	}
	memmove(b->slots, b->slots + n, (b->nslots - n) * sizeof(*b->slots));
	b->nslots -= n;
}

void tn_cert_batch_clear(struct tn_cert_batch *b)
{
	b->nslots = 0;
}

long tn_cert_batch_sm2_count(const struct tn_cert_batch *b)
{
	return b->sm2;
}

/* ---- audit chain ---- */

enum tn_code tn_cert_audit_hash(jv row, const char *prev_hash, char out[65], struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	char *text;
	size_t len;
	enum tn_code rc;
	jv r;

	if (jv_get_kind(row) != JV_KIND_OBJECT)
		return tn_err_set(err, TN_EINVALID, "audit row is not an object");
	if (!prev_hash)
		prev_hash = tn_jv_str(row, "prev_hash");
	if (!prev_hash || strlen(prev_hash) != 64)
		return tn_err_set(err, TN_EINVALID, "audit row has no 64-digit prev_hash");
	r = jv_object_delete(jv_copy(row), jv_string("prev_hash"));
	r = jv_object_delete(r, jv_string("hash"));
	rc = tn_cert_canonical(r, &text, &len, err);
	jv_free(r);
	if (rc != TN_OK)
		return rc;
	tn_buf_adds(&b, prev_hash);
	tn_buf_add(&b, text, len);
	tn_sha256_hex(b.buf, b.len, out);
	free(text);
	tn_buf_release(&b);
	return TN_OK;
}

/*
 * tn_cert_audit_hash_fields: the canonical text (members sorted: actor at
 * cert holder outcome purpose role seq) put together in one buffer.
 */
struct text_out {
	char *p, *end;
};

static int put(struct text_out *o, const void *s, size_t n)
{
	if ((size_t)(o->end - o->p) < n)
		return -1;
	memcpy(o->p, s, n);
	o->p += n;
	return 0;
}

/* The length of the valid UTF-8 sequence at s (a lead byte >= 0x80), or 0: no overlong forms, surrogates or code points past U+10FFFF. */
static int utf8_seq(const unsigned char *s)
{
	unsigned long cp;
	int n;

	if ((*s & 0xe0) == 0xc0) {
		n = 1;
		cp = *s & 0x1f;
	} else if ((*s & 0xf0) == 0xe0) {
		n = 2;
		cp = *s & 0x0f;
	} else if ((*s & 0xf8) == 0xf0) {
		n = 3;
		cp = *s & 0x07;
	} else {
		return 0;
	}
	for (int k = 1; k <= n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n + 1;
}

/*
 * `s` as jq 1.6 writes a string (NULL: null): '"' and '\' escaped, control
 * characters and DEL as \b \f \n \r \t or \u00XX, the rest as it is.  -1
 * when `s` is not valid UTF-8 or the buffer is full.
 */
static int put_json_str(struct text_out *o, const char *s)
{
	/* the bytes written as they are: printable ASCII but '"' (0x22) and '\\' (0x5c) */
	static const unsigned char plain[256] = {
		[0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7e] = 1,
	};
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	if (!s)
		return put(o, "null", 4);
	if (put(o, "\"", 1) < 0)
		return -1;
	for (;;) {
		const unsigned char *run = p;
		char e[6];
		size_t k = 0;
		int n;

		while (plain[*p])
			p++;            /* the run of characters written as they are, at once */
		if (put(o, run, (size_t)(p - run)) < 0)
			return -1;
		if (!*p)
			break;
		if (*p >= 0x80) {
			if ((n = utf8_seq(p)) == 0 || put(o, p, (size_t)n) < 0)
				return -1;
			p += n;
			continue;
		}
		e[k++] = '\\';
		switch (*p) {
		case '"': case '\\': e[k++] = (char)*p; break;
		case '\b': e[k++] = 'b'; break;
		case '\f': e[k++] = 'f'; break;
		case '\n': e[k++] = 'n'; break;
		case '\r': e[k++] = 'r'; break;
		case '\t': e[k++] = 't'; break;
		default:
			e[k++] = 'u';
			e[k++] = '0';
			e[k++] = '0';
			e[k++] = hex[*p >> 4];
			e[k++] = hex[*p & 15];
		}
		if (put(o, e, k) < 0)
			return -1;
		p++;
	}
	return put(o, "\"", 1);
}

int tn_cert_audit_hash_fields(long long seq, const struct tn_audit_fields *f,
			      const char *prev_hash, char out[65])
{
	char text[4096], digits[24];
	struct text_out o = { text, text + sizeof(text) };
	int k = (int)sizeof(digits);
	unsigned long long v = (unsigned long long)seq;

	out[0] = '\0';
	if (seq < 0 || seq >= 1000000000000000LL || !prev_hash)     /* canonical integers: 15 digits */
		return -1;
	do
		digits[--k] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	if (put(&o, prev_hash, strlen(prev_hash)) < 0 || put(&o, "{\"actor\":", 9) < 0 ||
	    put_json_str(&o, f->actor) < 0 || put(&o, ",\"at\":", 6) < 0 ||
	    put_json_str(&o, f->at) < 0 || put(&o, ",\"cert\":", 8) < 0 ||
	    put_json_str(&o, f->cert) < 0 || put(&o, ",\"holder\":", 10) < 0 ||
	    put_json_str(&o, f->holder) < 0 || put(&o, ",\"outcome\":", 11) < 0 ||
	    put_json_str(&o, f->outcome) < 0 || put(&o, ",\"purpose\":", 11) < 0 ||
	    put_json_str(&o, f->purpose) < 0 || put(&o, ",\"role\":", 8) < 0 ||
	    put_json_str(&o, f->role) < 0 || put(&o, ",\"seq\":", 7) < 0 ||
	    put(&o, digits + k, sizeof(digits) - (size_t)k) < 0 || put(&o, "}", 1) < 0)
		return -1;
	return tn_sha256_hex(text, (size_t)(o.p - text), out);
}
