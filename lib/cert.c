/* cert.c — e-certificate identifiers (GB/T 36904), canonical JSON, SM2 keys, base64 and signing a certificate. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tn_case.h"
#include "tn_cert.h"
#include "tn_id.h"
#include "tn_text.h"
#include "tnp_cert.h"

static const char alnum36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/* ---- identifiers ---- */

static int val36(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return -1;
}

char tn_cert_check_char(const char *s, size_t len)
{
	const int m = 36;
	int p = m;

	/* ISO/IEC 7064 hybrid system MOD 37,36 */
	for (size_t i = 0; i < len; i++) {
		int v = val36((unsigned char)s[i]);
		if (v < 0)
			return 0;
		p += v;         /* (p + v) mod m, p + v < 2m: no division in the chain */
		if (p >= m)
			p -= m;
		if (p == 0)
			p = m;
		p *= 2;         /* 2p mod (m + 1), 2p < 2(m + 1) */
		if (p >= m + 1)
			p -= m + 1;
	}
	return alnum36[(m + 1 - p) % m];
}

/* Check that `len` characters at `s` are all of 0-9A-Z; the index of the first other, or -1. */
static long bad36(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (val36((unsigned char)s[i]) < 0)
			return (long)i;
	return -1;
}

enum tn_code tn_cert_id_parse(const char *id, struct tn_cert_idparts *parts,
			      struct tn_err *err)
{
	static const char *names[] = { "kind code", "issuer code", "serial", "version", "check character" };
	static const size_t minlen[] = { TN_CERT_KIND_LEN, 1, 1, 3, 1 };
	static const size_t maxlen[] = { TN_CERT_KIND_LEN, 18, TN_CERT_SERIAL_MAX, 3, 1 };
	const char *seg[5];
	size_t seglen[5];
	char cat[TN_CERT_ID_MAX];
	size_t rootlen = strlen(TN_CERT_ROOT), catlen = 0;
	const char *p;
	char want;

	if (!id || !*id)
		return tn_err_set(err, TN_EINVALID, "certificate id is missing");
	if (strlen(id) >= TN_CERT_ID_MAX)
		return tn_err_set(err, TN_EINVALID, "certificate id '%.40s...' is too long", id);
	if (strncmp(id, TN_CERT_ROOT ".", rootlen + 1))
		return tn_err_set(err, TN_EINVALID, "certificate id '%s' does not start with '%s.'",
				  id, TN_CERT_ROOT);
	p = id + rootlen + 1;
	for (int i = 0; i < 5; i++) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		long bad;

		if ((i < 4 && !dot) || (i == 4 && dot))
			return tn_err_set(err, TN_EINVALID,
					  "certificate id '%s' has %s parts after the root, expected 5",
					  id, i < 4 ? "fewer" : "more");
		if (n < minlen[i] || n > maxlen[i]) {
			if (minlen[i] == maxlen[i])
				return tn_err_set(err, TN_EINVALID,
						  "certificate id '%s': %s '%.*s' has %zu characters, expected %zu",
						  id, names[i], (int)n, p, n, minlen[i]);
			return tn_err_set(err, TN_EINVALID,
					  "certificate id '%s': %s '%.*s' has %zu characters, expected %zu to %zu",
					  id, names[i], (int)n, p, n, minlen[i], maxlen[i]);
		}
		if ((bad = bad36(p, n)) >= 0)
			return tn_err_set(err, TN_EINVALID,
					  "certificate id '%s': %s has '%c', not one of 0-9 A-Z",
					  id, names[i], p[bad]);
		if (i == 3 && (p[0] > '9' || p[1] > '9' || p[2] > '9'))
			return tn_err_set(err, TN_EINVALID,
					  "certificate id '%s': version '%.3s' is not 3 digits", id, p);
		seg[i] = p;
		seglen[i] = n;
		if (i < 4) {
			memcpy(cat + catlen, p, n);
			catlen += n;
		}
		p += n + 1;
	}
	want = tn_cert_check_char(cat, catlen);
	if (seg[4][0] != want)
		return tn_err_set(err, TN_EINVALID,
				  "certificate id '%s': check character is '%c', expected '%c'",
				  id, seg[4][0], want);
	if (parts) {
		memcpy(parts->kind, seg[0], seglen[0]);
		parts->kind[seglen[0]] = '\0';
		memcpy(parts->issuer, seg[1], seglen[1]);
		parts->issuer[seglen[1]] = '\0';
		memcpy(parts->serial, seg[2], seglen[2]);
		parts->serial[seglen[2]] = '\0';
		memcpy(parts->version, seg[3], 3);
		parts->version[3] = '\0';
		parts->check = seg[4][0];
	}
	tn_err_clear(err);
	return TN_OK;
}

enum tn_code tn_cert_id_build(const char *kind, const char *issuer_uscc, const char *serial,
			      int version, char *out, struct tn_err *err)
{
	char cat[TN_CERT_ID_MAX];
	struct tn_err e = TN_ERR_INIT;
	size_t n;
	int len;

	if (!kind || strlen(kind) != TN_CERT_KIND_LEN || bad36(kind, TN_CERT_KIND_LEN) >= 0)
		return tn_err_set(err, TN_EINVALID,
				  "kind code '%s' is not %d characters of 0-9 A-Z",
				  kind ? kind : "", TN_CERT_KIND_LEN);
	if (tn_id_check_uscc(issuer_uscc, NULL, NULL, &e) != TN_OK)
		return tn_err_set(err, TN_EINVALID, "issuer: %s", e.message);
	n = serial ? strlen(serial) : 0;
	if (n < 1 || n > TN_CERT_SERIAL_MAX || bad36(serial, n) >= 0)
		return tn_err_set(err, TN_EINVALID,
				  "serial '%s' is not 1 to %d characters of 0-9 A-Z",
				  serial ? serial : "", TN_CERT_SERIAL_MAX);
	if (version < 1 || version > 999)
		return tn_err_set(err, TN_EINVALID, "version %d is not within 1..999", version);
	len = snprintf(cat, sizeof(cat), "%s%s%s%03d", kind, issuer_uscc, serial, version);
	len = snprintf(out, TN_CERT_ID_MAX, "%s.%s.%s.%s.%03d.%c", TN_CERT_ROOT, kind,
		       issuer_uscc, serial, version, tn_cert_check_char(cat, (size_t)len));
	if (len < 0 || len >= TN_CERT_ID_MAX)
		return tn_err_set(err, TN_EINTERNAL, "certificate id too long");
	tn_err_clear(err);
	return TN_OK;
}

enum tn_code tn_cert_check_holder(const char *type, const char *id, struct tn_err *err)
{
	struct tn_err e = TN_ERR_INIT;

	if (!type || (strcmp(type, "person") && strcmp(type, "org")))
		return tn_err_set(err, TN_EINVALID, "holder type '%s' is not person or org",
				  type ? type : "");
	/* the applicant and holder rule (party.c), in this function's own words */
	if (tn_party_check_id("holder", type, id, NULL, 0, &e) != TN_OK)
		return tn_err_set(err, TN_EINVALID, "holder: %s",
				  id ? e.message : !strcmp(type, "person") ? "resident ID number is missing"
									   : "unified social credit code is missing");
	tn_err_clear(err);
	return TN_OK;
}

/* ---- canonical JSON ---- */

/* Walk `v` (borrowed) for numbers jq would not write canonically; path in `path`. */
static enum tn_code check_canonical(jv v, struct tn_buf *path, struct tn_err *err)
{
	size_t mark = path->len;
	enum tn_code rc = TN_OK;

	switch (jv_get_kind(v)) {
	case JV_KIND_NUMBER: {
		double d = jv_number_value(v);
		if (!(d == trunc(d) && fabs(d) < 1e15) || (d == 0 && signbit(d)))
			return tn_err_set(err, TN_EINVALID,
					  "member '%s' is the number %.17g: only integers of at most 15 digits are canonical",
					  path->len ? path->buf : ".", d);
		return TN_OK;
	}
	case JV_KIND_ARRAY: {
		int n = jv_array_length(jv_copy(v));
		for (int i = 0; i < n && rc == TN_OK; i++) {
			jv e = jv_array_get(jv_copy(v), i);
			tn_buf_addf(path, "[%d]", i);
			rc = check_canonical(e, path, err);
			tn_buf_setlen(path, mark);
			jv_free(e);
		}
		return rc;
	}
	case JV_KIND_OBJECT: {
		int it = jv_object_iter(v);
		while (jv_object_iter_valid(v, it) && rc == TN_OK) {
			jv k = jv_object_iter_key(v, it);
			jv e = jv_object_iter_value(v, it);
			tn_buf_addf(path, "%s%s", path->len ? "." : "", jv_string_value(k));
			rc = check_canonical(e, path, err);
			tn_buf_setlen(path, mark);
			jv_free(k);
			jv_free(e);
			it = jv_object_iter_next(v, it);
		}
		return rc;
	}
	case JV_KIND_INVALID:
		return tn_err_set(err, TN_EINVALID, "member '%s' is not a JSON value",
				  path->len ? path->buf : ".");
	default:
		return TN_OK;
	}
}

enum tn_code tn_cert_canonical(jv v, char **out, size_t *len, struct tn_err *err)
{
	struct tn_buf path = TN_BUF_INIT, text = TN_BUF_INIT;
	enum tn_code rc = check_canonical(v, &path, err);

	tn_buf_release(&path);
	if (rc != TN_OK)
		return rc;
	/* jv_dump_string(v, JV_PRINT_SORTED)'s bytes, written without jq's piecewise string */
	tn_json_dump_sorted(v, &text);
	if (len)
		*len = text.len;
	*out = tn_buf_detach(&text, NULL);
	tn_err_clear(err);
	return TN_OK;
}

const char *const tn_cert_signed_members[] = {
	"id", "kind", "kind_name", "holder", "issuer", "fields",
	"valid_from", "valid_until", "issued_at", NULL
};

enum tn_code tn_cert_signed_content(jv cert, char **out, size_t *len, struct tn_err *err)
{
	jv obj = jv_object();
	enum tn_code rc;

	if (jv_get_kind(cert) != JV_KIND_OBJECT) {
		jv_free(obj);
		return tn_err_set(err, TN_EINVALID, "certificate is not a JSON object");
	}
	for (int i = 0; tn_cert_signed_members[i]; i++) {
		const char *m = tn_cert_signed_members[i];
		jv e = jv_object_get(jv_copy(cert), jv_string(m));
		if (!jv_is_valid(e)) {
			jv_free(e);
			jv_free(obj);
			return tn_err_set(err, TN_EINVALID, "certificate has no '%s' member", m);
		}
		obj = jv_object_set(obj, jv_string(m), e);
	}
	rc = tn_cert_canonical(obj, out, len, err);
	jv_free(obj);
	return rc;
}

/* ---- keys ---- */

/* OpenSSL's last error as text, for messages. */
const char *tnp_cert_ossl_msg(void)
{
	static __thread char buf[256];
	unsigned long e = ERR_get_error();

	if (!e)
		return "unknown OpenSSL error";
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

/* Wrap `pkey` (taken) into a key, computing its id. */
static struct tn_cert_key *key_wrap(EVP_PKEY *pkey, int priv)
{
	struct tn_cert_key *k = tn_xcalloc(1, sizeof(*k));
	unsigned char *der = NULL;
	char hex[65];
	int n;

	k->pkey = pkey;
	k->priv = priv;
	n = i2d_PUBKEY(pkey, &der);
	/* the id: the first 8 bytes of the SHA-256 of the DER public key, in hex */
	if (n > 0 && tn_sha256_hex(der, (size_t)n, hex) == 0)
		snprintf(k->id, sizeof(k->id), "%.16s", hex);
	OPENSSL_free(der);
	tnp_cert_key_z(k);
	if (priv && k->has_z)
		k->sign = tnp_sm2_priv_new(pkey);
	return k;
}

enum tn_code tn_cert_key_generate(struct tn_cert_key **out, struct tn_err *err)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
	EVP_PKEY *pkey = NULL;

	*out = NULL;
	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_generate(ctx, &pkey) <= 0) {
		EVP_PKEY_CTX_free(ctx);
		return tn_err_set(err, TN_EINTERNAL, "cannot generate an SM2 key: %s", tnp_cert_ossl_msg());
	}
	EVP_PKEY_CTX_free(ctx);
	*out = key_wrap(pkey, 1);
	return TN_OK;
}

enum tn_code tn_cert_key_from_pem(const char *pem, size_t len, struct tn_cert_key **out,
				  struct tn_err *err)
{
	BIO *bio;
	EVP_PKEY *pkey;

	*out = NULL;
	if (!pem || len > 64 * 1024)
		return tn_err_set(err, TN_EINVALID, "public key is missing or too long");
	bio = BIO_new_mem_buf(pem, (int)len);
	pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (!pkey)
		return tn_err_set(err, TN_EINVALID, "not a PEM public key: %s", tnp_cert_ossl_msg());
	if (!EVP_PKEY_is_a(pkey, "SM2")) {
		EVP_PKEY_free(pkey);
		return tn_err_set(err, TN_EINVALID, "public key is not an SM2 key");
	}
	*out = key_wrap(pkey, 0);
	return TN_OK;
}

enum tn_code tn_cert_key_load_private(const char *path, struct tn_cert_key **out,
				      struct tn_err *err)
{
	struct stat st;
	EVP_PKEY *pkey;
	BIO *bio;
	FILE *fp;

	*out = NULL;
	fp = fopen(path, "r");
	if (!fp)
		return tn_err_set(err, TN_EIO, "cannot open private key '%s': %s", path,
				  strerror(errno));
	if (fstat(fileno(fp), &st) == 0 && (st.st_mode & 077)) {
		fclose(fp);
		return tn_err_set(err, TN_EAUTH,
				  "private key '%s' is readable by others: chmod 600 '%s'", path, path);
	}
	bio = BIO_new_fp(fp, BIO_NOCLOSE);
	pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	fclose(fp);
	if (!pkey)
		return tn_err_set(err, TN_EINVALID, "'%s' is not a PEM private key: %s", path,
				  tnp_cert_ossl_msg());
	if (!EVP_PKEY_is_a(pkey, "SM2")) {
		EVP_PKEY_free(pkey);
		return tn_err_set(err, TN_EINVALID, "'%s' is not an SM2 key", path);
	}
	*out = key_wrap(pkey, 1);
	return TN_OK;
}

enum tn_code tn_cert_key_save_private(const struct tn_cert_key *key, const char *path,
				      struct tn_err *err)
{
	BIO *bio;
	char *data;
	long n;
	int fd;
	ssize_t w = 0;
	enum tn_code rc = TN_OK;

	if (!key->priv)
		return tn_err_set(err, TN_EINVALID, "key %s has no private part", key->id);
	bio = BIO_new(BIO_s_mem());
	if (!bio || !PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL)) {
		BIO_free(bio);
		return tn_err_set(err, TN_EINTERNAL, "cannot write the key: %s", tnp_cert_ossl_msg());
	}
	n = BIO_get_mem_data(bio, &data);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = tn_err_set(err, errno == EEXIST ? TN_ECONFLICT : TN_EIO,
				"cannot create private key '%s': %s", path, strerror(errno));
		BIO_free(bio);
		return rc;
	}
	/* the umask may have narrowed the mode, never widened it; make it exact */
	if (fchmod(fd, 0600) != 0)
		rc = tn_err_set(err, TN_EIO, "cannot chmod '%s': %s", path, strerror(errno));
	while (rc == TN_OK && n > 0) {
		w = write(fd, data, (size_t)n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = tn_err_set(err, TN_EIO, "cannot write '%s': %s", path, strerror(errno));
			break;
		}
		data += w;
		n -= w;
	}
	if (close(fd) != 0 && rc == TN_OK)
		rc = tn_err_set(err, TN_EIO, "cannot write '%s': %s", path, strerror(errno));
	if (rc != TN_OK)
		unlink(path);
	BIO_free(bio);
	return rc;
}

char *tn_cert_key_public_pem(const struct tn_cert_key *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *r;
	long n;

	if (!bio || !PEM_write_bio_PUBKEY(bio, key->pkey)) {
		BIO_free(bio);
		return tn_xstrdup("");
	}
	n = BIO_get_mem_data(bio, &data);
	r = tn_xstrndup(data, (size_t)n);
	BIO_free(bio);
	return r;
}

const char *tn_cert_key_id(const struct tn_cert_key *key)
{
	return key->id;
}

int tn_cert_key_is_private(const struct tn_cert_key *key)
{
	return key->priv;
}

void tn_cert_key_free(struct tn_cert_key *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey);
	tnp_sm2_table_free(key->table);
	tnp_sm2_priv_free(key->sign);
	free(key);
}

/* ---- base64 ---- */

char *tn_cert_base64(const unsigned char *data, size_t len)
{
	char *out = tn_xmalloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

unsigned char *tn_cert_unbase64(const char *s, size_t *len)
{
	size_t n = strlen(s), pad = 0;
	unsigned char *out;
	int m;

	if (n == 0 || n % 4 || n > 4096)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '=') {
			if (i < n - 2)
				return NULL;
			pad++;
		} else if (pad || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
				    (c >= '0' && c <= '9') || c == '+' || c == '/')) {
			return NULL;
		}
	}
	out = tn_xmalloc(n / 4 * 3 + 1);
	m = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	if (m < 0 || (size_t)m < pad) {
		free(out);
		return NULL;
	}
	*len = (size_t)m - pad;
	return out;
}

enum tn_code tn_cert_sign(jv cert, const struct tn_cert_key *key, jv *out, struct tn_err *err)
{
	char *text = NULL, *b64;
	unsigned char *sig;
	size_t len, sig_len;
	enum tn_code rc;

	*out = jv_invalid();
	rc = tn_cert_signed_content(cert, &text, &len, err);
	if (rc == TN_OK)
		rc = tn_cert_sign_bytes(key, text, len, &sig, &sig_len, err);
	free(text);
	if (rc != TN_OK) {
		jv_free(cert);
		return rc;
	}
	b64 = tn_cert_base64(sig, sig_len);
	free(sig);
	jv s = jv_object();
	s = jv_object_set(s, jv_string("alg"), jv_string(TN_CERT_ALG));
	s = jv_object_set(s, jv_string("key_id"), jv_string(key->id));
	s = jv_object_set(s, jv_string("value"), jv_string(b64));
	free(b64);
	*out = jv_object_set(cert, jv_string("signature"), s);
	return TN_OK;
}
