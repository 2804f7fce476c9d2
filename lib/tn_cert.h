/* tn_cert.h — e-certificates (电子证照): GB/T 36904 identifiers, canonical JSON, SM2 signatures, verification. */
#ifndef TN_CERT_H
#define TN_CERT_H

#include <stddef.h>
#include <jv.h>

#include "tn_err.h"

/*
 * The certificate resource, the signed members, the issuers list and the
 * audit chain are specified in doc/api-certs.md; this module implements the
 * parts a client and twonetd share.  jv arguments are borrowed (not consumed)
 * unless a comment says "consumed"; returned char * are the caller's to free.
 * Only the functions marked "thread-safe" may run off the main thread: they
 * touch OpenSSL and plain buffers, never jv.
 */

/* ---- identifiers (GB/T 36904-2018) ---- */

#define TN_CERT_ROOT "1.2.156.3005.2"   /* the e-certificate root OID */
#define TN_CERT_KIND_LEN 21             /* kind code: definer's USCC (18) + 3 digits */
#define TN_CERT_SERIAL_MAX 32
#define TN_CERT_ID_MAX 96               /* longest identifier, NUL included */

/* The parts of an identifier, NUL-terminated. */
struct tn_cert_idparts {
	char kind[TN_CERT_KIND_LEN + 1];
	char issuer[19];                /* the issuer's USCC (1..18 characters in the wild) */
	char serial[TN_CERT_SERIAL_MAX + 1];
	char version[4];
	char check;
};

/*
 * The ISO/IEC 7064 MOD 37,36 check character of `len` characters of `s`
 * (alphabet 0-9A-Z, upper case).  Returns the character, or 0 when `s` holds
 * a character outside the alphabet.  Thread-safe.
 */
char tn_cert_check_char(const char *s, size_t len);

/*
 * Check an identifier "1.2.156.3005.2.KIND.ISSUER.SERIAL.VERSION.CHECK":
 * the root, a 21-character kind code, an issuer code of 1..18 characters (a
 * USCC in our identifiers; real ones carry 6-digit region codes too), a
 * serial of 1..32 characters, a 3-digit version, and the check character over
 * KIND ISSUER SERIAL VERSION concatenated; all of 0-9A-Z.  Fills `parts`
 * (may be NULL).  TN_EINVALID naming what is wrong otherwise
 * ("certificate id '...': check character is 'U', expected '9'").
 */
enum tn_code tn_cert_id_parse(const char *id, struct tn_cert_idparts *parts, struct tn_err *err);

/*
 * Build an identifier from its parts: `kind` 21 characters of 0-9A-Z,
 * `issuer_uscc` a valid unified social credit code, `serial` 1..32
 * characters of 0-9A-Z, `version` 1..999.  Writes it to `out` (at least
 * TN_CERT_ID_MAX bytes).  TN_EINVALID naming the bad part otherwise.
 */
enum tn_code tn_cert_id_build(const char *kind, const char *issuer_uscc, const char *serial,
			      int version, char *out, struct tn_err *err);

/*
 * Check a holder: `type` "person" with a resident ID number (GB 11643), or
 * "org" with a unified social credit code (GB 32100; an organisation-code
 * digit mismatch alone is accepted).  TN_EINVALID otherwise.
 */
enum tn_code tn_cert_check_holder(const char *type, const char *id, struct tn_err *err);

/* ---- canonical JSON ---- */

/*
 * The canonical text of `v` (borrowed): jv_dump_string with JV_PRINT_SORTED,
 * i.e. object keys sorted by their UTF-8 bytes, no white space, strings in
 * UTF-8 with only '"', '\\' and U+0000..U+001F, U+007F escaped (\b \t \n \f
 * \r short, others \u00xx lower case).  Numbers must be integers of at most
 * 15 digits (written in plain digits, never "-0"): anything else is
 * TN_EINVALID naming the member, because jq 1.6 writes other doubles in forms
 * other implementations do not reproduce (1e+17, 1e-07, 1.1000000000000001).
 * *out is malloc'd and NUL-terminated, *len its length (may be NULL).
 */
enum tn_code tn_cert_canonical(jv v, char **out, size_t *len, struct tn_err *err);

/* The members a signature covers, in doc/api-certs.md order; NULL-terminated. */
extern const char *const tn_cert_signed_members[];

/*
 * The signed content of `cert` (borrowed): the canonical text of the object
 * made of exactly the tn_cert_signed_members (id kind kind_name holder issuer
 * fields valid_from valid_until issued_at), each required.  status,
 * revoked_at, revoke_reason, signature and anything else (a client's
 * "verification") are not covered.  TN_EINVALID when a member is missing or
 * not canonical.
 */
enum tn_code tn_cert_signed_content(jv cert, char **out, size_t *len, struct tn_err *err);

/* ---- SM2 keys ---- */

/* The GM/T 0009 distinguishing ID set on every signature and verification. */
#define TN_CERT_SM2_ID "1234567812345678"
#define TN_CERT_ALG "SM2-SM3"

struct tn_cert_key;     /* an SM2 public key, or a key pair; opaque */

/* A new SM2 key pair in *out.  TN_EINTERNAL with OpenSSL's message on failure. */
enum tn_code tn_cert_key_generate(struct tn_cert_key **out, struct tn_err *err);

/*
 * Read an SM2 public key from PEM text ("-----BEGIN PUBLIC KEY-----", the
 * SubjectPublicKeyInfo).  A key of another algorithm or bad PEM: TN_EINVALID.
 */
enum tn_code tn_cert_key_from_pem(const char *pem, size_t len, struct tn_cert_key **out,
				  struct tn_err *err);

/*
 * Read a private key file (PEM, PKCS#8) written by tn_cert_key_save_private.
 * A file readable by group or others is refused (TN_EAUTH, "chmod 600 PATH"),
 * as ssh refuses such a key.  TN_EIO when it cannot be read, TN_EINVALID
 * when it is not an SM2 private key.
 */
enum tn_code tn_cert_key_load_private(const char *path, struct tn_cert_key **out,
				      struct tn_err *err);

/*
 * Write the private key of `key` to a new file `path`, mode 0600 (created
 * with O_EXCL: an existing file is never overwritten, TN_ECONFLICT).
 * TN_EINVALID when `key` holds no private key, TN_EIO on a write error (the
 * partial file is removed).
 */
enum tn_code tn_cert_key_save_private(const struct tn_cert_key *key, const char *path,
				      struct tn_err *err);

/* The public key as PEM text; malloc'd.  Cannot fail (aborts on out of memory). */
char *tn_cert_key_public_pem(const struct tn_cert_key *key);

/*
 * The key's id: the first 16 hex digits (lower case) of the SHA-256 of its
 * DER SubjectPublicKeyInfo.  Borrowed from the key.
 */
const char *tn_cert_key_id(const struct tn_cert_key *key);

/* 1 when the key holds a private key. */
int tn_cert_key_is_private(const struct tn_cert_key *key);

void tn_cert_key_free(struct tn_cert_key *key);

/* ---- SM2 with SM3 over bytes ---- */

/*
 * Sign `len` bytes of `msg` with SM2 over SM3 and the distinguishing ID
 * TN_CERT_SM2_ID; the DER signature (SEQUENCE of r, s) malloc'd in *sig.
 * Thread-safe (a key may be shared by threads).  A private key keeps
 * (1 + d)^-1 from its loading, which EVP_PKEY_sign computes at every
 * signature (lib/certsm2sign.c); tn_cert_key_own_sign says whether it has it.
 */
enum tn_code tn_cert_sign_bytes(const struct tn_cert_key *key, const void *msg, size_t len,
				unsigned char **sig, size_t *sig_len, struct tn_err *err);
int tn_cert_key_own_sign(const struct tn_cert_key *key);

/*
 * 1 when `sig` is a good SM2 signature of the digest `e` (what SM2 signs:
 * SM3(Z || msg)) by `key`, 0 otherwise; as OpenSSL's EVP_PKEY_verify answers.
 * Thread-safe.  A key verifies over tables of its multiples (and the curve
 * generator's) from its 8th verification on, about 2.5 times faster
 * (lib/certsm2fixed.c); tn_cert_key_fixed_base says whether it has them.
 */
int tn_cert_verify_digest(const struct tn_cert_key *key, const unsigned char e[32],
			  const unsigned char *sig, size_t sig_len);
int tn_cert_key_fixed_base(const struct tn_cert_key *key);

/* 1 when `sig` is a good signature of `msg` by `key`, 0 otherwise.  Thread-safe. */
int tn_cert_verify_bytes(const struct tn_cert_key *key, const void *msg, size_t len,
			 const unsigned char *sig, size_t sig_len);

/*
 * One SM2 job of the bulk functions: plain bytes, no jv.  Verify reads msg,
 * sig and key and sets ok; sign reads msg and key and sets sig (malloc'd,
 * the caller frees it) and ok.
 */
struct tn_cert_job {
	const char *msg;
	size_t msg_len;
	unsigned char *sig;
	size_t sig_len;
	const struct tn_cert_key *key;
	int ok;
};

/* Number of online processors (at least 1). */
int tn_cert_ncpu(void);

/*
 * Run every job on `threads` POSIX threads (< 1: tn_cert_ncpu()), each
 * taking the next job from a shared counter, with its own SM3 and key
 * contexts; a key's SM2 prefix Z is computed once, when the key is loaded,
 * and each job digests SM3(Z || msg) and signs or verifies that digest
 * (the same signatures as EVP_DigestSign with the ID).  The threads call
 * OpenSSL only.
 * Cannot fail: a job that cannot be done has ok = 0.
 */
void tn_cert_verify_many(struct tn_cert_job *jobs, size_t n, int threads);
void tn_cert_sign_many(struct tn_cert_job *jobs, size_t n, int threads);

/* ---- certificates ---- */

/*
 * Sign `cert` (consumed): its signed content is signed with `key` and a
 * "signature" member {"alg":"SM2-SM3","key_id":..,"value":BASE64} replaces
 * any old one.  The signed certificate (owned) in *out; jv_invalid() and
 * TN_EINVALID when the signed content cannot be formed.
 */
enum tn_code tn_cert_sign(jv cert, const struct tn_cert_key *key, jv *out, struct tn_err *err);

/* ---- issuers' keys ---- */

struct tn_cert_keyring;    /* issuer public keys by key id */

struct tn_cert_keyring *tn_cert_keyring_new(void);
void tn_cert_keyring_free(struct tn_cert_keyring *kr);

/*
 * Add the issuers of `issuers` (borrowed): the body of GET /v1/issuers
 * ({"items":[ISSUER...]}), a bare array of ISSUER, or the cache file's
 * object.  ISSUER = {dept, uscc, key_id, public_key (PEM), ...}.  A key id
 * that does not match its PEM, or bad PEM, is TN_EINVALID (the ring keeps
 * what was added before).  A key id already present is skipped.
 */
enum tn_code tn_cert_keyring_add_issuers(struct tn_cert_keyring *kr, jv issuers,
					 struct tn_err *err);

/* Add one key (taken over by the ring) for `dept` / `uscc` (copied). */
void tn_cert_keyring_add(struct tn_cert_keyring *kr, const char *dept, const char *uscc,
			 struct tn_cert_key *key);

/* Number of keys in the ring. */
size_t tn_cert_keyring_count(const struct tn_cert_keyring *kr);

/* ---- verification ---- */

/*
 * Reasons.  The checks run in this order and the first that fails is
 * reported: (1) the signed members and the signature member are there
 * (else malformed), (2) the key id is in the ring (else unknown issuer),
 * (3) the SM2 signature over the signed content (else bad signature) — so
 * that a changed byte in any signed member reads as a bad signature —
 * (4) the key is the key of the certificate's issuer, dept and uscc (else
 * unknown issuer), (5) the form: identifier and its check character, the
 * identifier naming the kind and the issuer's USCC, the holder's code,
 * dates, status (else malformed), (6) revoked, (7) expired, (8) not yet valid.
 */
#define TN_CERT_MALFORMED      "malformed"
#define TN_CERT_UNKNOWN_ISSUER "unknown issuer"
#define TN_CERT_BAD_SIGNATURE  "bad signature"
#define TN_CERT_REVOKED        "revoked"
#define TN_CERT_EXPIRED        "expired"
#define TN_CERT_NOT_YET_VALID  "not yet valid"

struct tn_cert_verification {
	int valid;
	const char *reason;     /* one of the TN_CERT_* reasons (static), NULL when valid */
	char detail[256];       /* a sentence for people, "" when valid */
};

/*
 * Verify one certificate (borrowed) against the ring, in the order above:
 * the status is taken as the server sent it (it is not signed); dates are
 * compared with `today` ("YYYY-MM-DD"; NULL: today in China, UTC+8):
 * expired when today is after valid_until (null: no end), not yet valid
 * when before valid_from.
 * Cannot fail: problems are reasons.
 */
void tn_cert_verify(const struct tn_cert_keyring *kr, jv cert, const char *today,
		    struct tn_cert_verification *v);

/* {"valid":true} or {"valid":false,"reason":R,"detail":D}; new reference. */
jv tn_cert_verification_json(const struct tn_cert_verification *v);

/*
 * A bulk verifier.  tn_cert_batch_add does every check but the signature on
 * the calling thread (jv), queues the signature as plain bytes, and returns
 * the certificate's slot; tn_cert_batch_run verifies what is queued on the
 * threads; tn_cert_batch_get gives a slot's answer, the same as
 * tn_cert_verify's.  Within one batch object nothing is verified twice: a
 * certificate whose (key id, signature, signed content) was seen before
 * shares the earlier answer.  (Keyed on the content's digest, not only on
 * id + signature: a tampered copy of a verified certificate must not
 * inherit its answer.)  The threads stay up for the batch's life, each with
 * its own SM2 state, so the calling thread can add the next certificates
 * while they verify: tn_cert_batch_start hands over what is queued and
 * returns at once, tn_cert_batch_wait waits for the first slots only.
 */
struct tn_cert_batch;

/* `kr` is borrowed and must outlive the batch; threads < 1: every core. */
struct tn_cert_batch *tn_cert_batch_new(const struct tn_cert_keyring *kr, int threads,
					const char *today);
size_t tn_cert_batch_add(struct tn_cert_batch *b, jv cert);
/* Verify what is queued and wait for it. */
void tn_cert_batch_run(struct tn_cert_batch *b);
/* Hand what is queued to the threads; returns at once. */
void tn_cert_batch_start(struct tn_cert_batch *b);
/* Start, then wait until slots [0, nslots) have their answers. */
void tn_cert_batch_wait(struct tn_cert_batch *b, size_t nslots);
/* The answer of `slot`; run or wait first.  A slot not yet done reads as a bad signature. */
void tn_cert_batch_get(const struct tn_cert_batch *b, size_t slot, struct tn_cert_verification *v);
/* Forget the slots (not the answers already known): the next add is slot 0. */
void tn_cert_batch_clear(struct tn_cert_batch *b);
/* Forget slots [0, n) the same way; slot n + i becomes slot i. */
void tn_cert_batch_drop(struct tn_cert_batch *b, size_t n);
/* SM2 verifications done so far (tests check the deduplication with it). */
long tn_cert_batch_sm2_count(const struct tn_cert_batch *b);
void tn_cert_batch_free(struct tn_cert_batch *b);

/* ---- base64 of signatures (RFC 4648, padded) ---- */

/* Base64 of `len` bytes; malloc'd, the caller's.  Cannot fail.  Thread-safe. */
char *tn_cert_base64(const unsigned char *data, size_t len);

/*
 * Decode strict base64: padded, no white space, at most 4096 characters
 * (a DER signature is about 96).  Returns the bytes (malloc'd, the caller's)
 * with *len set, or NULL when `s` is not such base64.  Thread-safe.
 */
unsigned char *tn_cert_unbase64(const char *s, size_t *len);

/* ---- one-time consent codes (POST /v1/consents/codes) ---- */

/*
 * A holder's one-time code, given to a clerk at the window: 12 characters
 * of Crockford's base 32 (no I, L, O, U), shown in groups of four
 * ("7K2M-9QXD-4HT8").  As it is read back, case, '-' and blanks do not
 * matter, O is read as 0 and I, L as 1.
 */
#define TN_CERT_CODE_LEN 12
#define TN_CERT_CODE_ALPHABET "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/*
 * The code `text` as stored and compared: upper case, without '-' and
 * blanks, O made 0 and I, L made 1, into out[TN_CERT_CODE_LEN + 1].
 * TN_EINVALID ("consent code 'TEXT': ...", the text cut short when long)
 * when it cannot be a code; `out` is then "".  Thread-safe.
 */
enum tn_code tn_cert_code_normalize(const char *text, char out[TN_CERT_CODE_LEN + 1],
				    struct tn_err *err);

/* A normalized code shown in groups of four, "7K2M-9QXD-4HT8", into out[TN_CERT_CODE_LEN + 3]. */
void tn_cert_code_show(const char *code, char out[TN_CERT_CODE_LEN + 3]);

struct tn_client;

/*
 * A new one-time code of the holder whose token the client carries (an
 * applicant token with a subject): POST /v1/consents/codes, never retried
 * (a retry would make a second code).  The answer {code, holder,
 * expires_at, created_at} is the caller's in *out.  Errors as tn_client_do:
 * TN_EAUTH for a token that is not a holder's, TN_ECONFLICT when the holder
 * has 5 unused codes that have not expired.
 */
enum tn_code tn_cert_code_new(struct tn_client *c, jv *out, struct tn_err *err);

/* Default table columns of a consent code, NULL-terminated. */
extern const char *tn_cert_code_columns[];

/* ---- the audit chain ---- */

#define TN_CERT_AUDIT_GENESIS \
	"0000000000000000000000000000000000000000000000000000000000000000"

/*
 * The hash of an audit row (borrowed): SHA-256, 64 lower-case hex digits,
 * of prev_hash followed by the canonical text of the row without its
 * "prev_hash" and "hash" members.  `prev_hash` NULL: the row's own
 * "prev_hash".  Written to out[65].  TN_EINVALID when the row is not
 * canonical (a non-integer seq, say).
 */
enum tn_code tn_cert_audit_hash(jv row, const char *prev_hash, char out[65], struct tn_err *err);

/* An audit row's fields as strings (NULL: null); seq apart. */
struct tn_audit_fields {
	const char *at, *actor, *role, *cert, *holder, *purpose, *outcome;
};

/*
 * tn_cert_audit_hash of row {seq, f's fields} after `prev_hash` (64 hex
 * digits), the same bytes written without jq: a pass over each string into
 * a buffer on the stack, for the audit writer's group commit (a row's text
 * and hash ~0.3 us, where jq takes ~15).  0, or -1 when a string is not
 * valid UTF-8, seq is outside [0, 10^15) or the text is longer than 4 KiB:
 * then use tn_cert_audit_hash (jq replaces bad bytes its own way).
 */
int tn_cert_audit_hash_fields(long long seq, const struct tn_audit_fields *f,
			      const char *prev_hash, char out[65]);

/* ---- certificate kinds, the issuers' cache ---- */

/*
 * Load the kinds file (NULL: tn_sharedir()/certs/kinds.yaml) into *out:
 * {"departments":{DEPT:{"uscc":..}}, "kinds":[KIND]} with KIND = {code,
 * alias, name, dept, holder_type, fields:[{name,label,required}]}.  Checks
 * every code (21 characters), alias (unique), department (listed, with a
 * valid USCC), holder type.  TN_EINVALID "PATH: kind 'X': ..." otherwise.
 */
enum tn_code tn_cert_kinds_load(const char *path, jv *out, struct tn_err *err);

/* The kind (new reference) whose code or alias is `code`, or jv_invalid(). */
jv tn_cert_kind_find(jv kinds, const char *code);

/* The cache file: $XDG_CACHE_HOME/twonet/issuers.json (or ~/.cache/...); malloc'd. */
char *tn_cert_cache_path(void);

/*
 * The cached issuers list of `url` (its "items" and "etag") in *items and
 * *etag (malloc'd, may be NULL), or of every server in the cache when `url`
 * is NULL (etag NULL).  TN_ENOTFOUND when nothing is cached; TN_EINVALID for
 * a damaged cache file.  On failure *items is jv_invalid().
 */
enum tn_code tn_cert_cache_read(const char *url, jv *items, char **etag, struct tn_err *err);

/* Store `items` (consumed) and `etag` for `url` in the cache file (atomically, by rename). */
enum tn_code tn_cert_cache_write(const char *url, jv items, const char *etag, struct tn_err *err);

/* ---- fetching (GET /v1/issuers, /v1/certs) ---- */

struct tn_client;

/*
 * The issuers' keys of the server at `url` (the client's base URL, which
 * keys the cache) in *items (a new array): GET /v1/issuers with
 * If-None-Match from the cache; 304 keeps the cached list, 200 replaces it
 * and rewrites the cache (a cache that cannot be written is ignored).  When
 * the server cannot be reached or fails (5xx) and a list is cached, the
 * cached list is used and *from_cache (may be NULL) is 1.  Errors as
 * tn_client_do otherwise.
 */
enum tn_code tn_cert_issuers_fetch(struct tn_client *c, const char *url, jv *items,
				   int *from_cache, struct tn_err *err);

/*
 * Called once per certificate fetched or read (`cert` owned by the callee,
 * with a "verification" member unless the fetch has no key ring), or once
 * per identifier that failed (`cert` jv_invalid(), `code` and `err` say
 * why, err->message starting with "certificate 'ID': ").
 */
typedef void (*tn_cert_result_fn)(void *ctx, enum tn_code code, jv cert, const struct tn_err *err);

/* A certificate as the server's reply text (tn_cert_fetch's text): `len` bytes, borrowed for the call. */
typedef void (*tn_cert_text_fn)(void *ctx, const char *json, size_t len);

/* The next identifier of a bulk fetch: 1 with *id (borrowed until the next call), 0 at end, -1 for a bad line (err set). */
typedef int (*tn_cert_next_id_fn)(void *ctx, const char **id, struct tn_err *err);

struct tn_cert_fetch {
	struct tn_client *client;       /* NULL for tn_cert_verify_file */
	const char *purpose;            /* the purpose of the look-up, required by the server */
	const char *consent;            /* a consent token (X-Consent-Token), or NULL */
	const char *consent_code;       /* the holder's one-time code (X-Consent-Code), or NULL */
	int parallel;                   /* requests in flight, 1..256 */
	int threads;                    /* verification threads, < 1: every core */
	const struct tn_cert_keyring *kr; /* NULL: no verification (--no-verify) */
	const char *today;              /* YYYY-MM-DD, NULL: today in China */
	tn_cert_result_fn fn;
	/*
	 * Without a key ring, tn_cert_fetch_ids hands a certificate whose reply
	 * passes tn_json_verbatim to `text` (ctx, its bytes borrowed for the
	 * call, their length) unparsed, when set; NULL: every one goes to fn.
	 */
	tn_cert_text_fn text;
	void *ctx;
	/* counts, filled by the functions below */
	long ok;                        /* certificates delivered */
	long invalid;                   /* ... of which not valid */
	long not_found;                 /* identifiers the server does not know (404) */
	long failed;                    /* other failures: bad ids, 403, server errors */
	enum tn_code first_error;       /* the code of the first failure, TN_OK when none */
	long sm2;                       /* SM2 verifications done */
	long as_sent;                   /* certificates handed to `text` */
};

/*
 * Fetch every identifier `next` gives, GET /v1/certs/{id}?purpose=P with
 * up to f->parallel requests in flight (tn_client_bulk), verify them in
 * batches on f->threads threads (never the same certificate twice), and
 * hand each result to f->fn in completion order.  A malformed identifier is
 * reported (TN_EINVALID) and not sent.  Returns TN_OK when every request
 * was made (see the counts), TN_EINTR when interrupted.
 */
enum tn_code tn_cert_fetch_ids(struct tn_cert_fetch *f, tn_cert_next_id_fn next, void *next_ctx,
			       struct tn_err *err);

/*
 * Fetch every certificate of `holder` (checked first: TN_EINVALID), of kind
 * `kind` (a code or an alias; NULL: all), page after page, verified as
 * above.  Returns the first request's error, or TN_OK.
 */
enum tn_code tn_cert_fetch_holder(struct tn_cert_fetch *f, const char *holder, const char *kind,
				  struct tn_err *err);

/*
 * Verify the certificates saved in `path` ("-": stdin) offline: any number
 * of JSON values, each a certificate, an array of them, or a list body
 * {"items":[...]} (so cert-fetch output, JSON or NDJSON, reads back).
 * TN_EIO / TN_EINVALID for a file that cannot be read or parsed.
 */
enum tn_code tn_cert_verify_file(struct tn_cert_fetch *f, const char *path, struct tn_err *err);

/* Default table columns of certificates, NULL-terminated. */
extern const char *tn_cert_columns[];

/* ---- issuing and revoking (certissue.c) ---- */

#include <stdio.h>

/* A certificate to issue from command-line flags; NULL members are left out. */
struct tn_cert_issue_spec {
	const char *kind, *holder, *holder_name, *holder_type;
	const char *fields;         /* "k=v,k2=v2" as TN_OPT_LIST joins repeated --field */
	const char *valid_from, *valid_until;
};

/* The POST /v1/certs body of `s` in *out; TN_EUSAGE for a --field without '='. */
enum tn_code tn_cert_issue_build(const struct tn_cert_issue_spec *s, jv *out, struct tn_err *err);

/*
 * Check `rec` (consumed: a POST /v1/certs body, with an optional "key"
 * member) against `kinds` (tn_cert_kinds_load): the kind is known, the
 * holder matches its type, every required field is given, no unknown field,
 * every value a string, dates real.  Every fault goes to err->problems, the
 * first to err (TN_EINVALID, its field).  On success *body is the body to
 * send and *key (malloc'd) its idempotency key: `given_key`, the record's
 * "key", or one derived from the body's content (the same body, the same key).
 */
enum tn_code tn_cert_issue_prepare(jv kinds, jv rec, const char *given_key, jv *body, char **key,
				   struct tn_err *err);

/* POST /v1/certs: the certificate in *cert, *replayed 1 when the key was used before. */
enum tn_code tn_cert_issue(struct tn_client *c, jv body, const char *key, jv *cert, int *replayed,
			   struct tn_err *err);

struct tn_cert_issue_stats {
	long read, issued, replayed, failed;
};

/* One result of a bulk run: the certificate (consumed) or the fault of input line `line`. */
typedef void (*tn_cert_issue_fn)(void *ctx, long line, enum tn_code code, jv cert, int replayed,
				 const struct tn_err *err);

/*
 * Issue every NDJSON record of `in` (named `name`), checked as by
 * tn_cert_issue_prepare, `parallel` requests in flight.  TN_EPARTIAL when
 * some failed; a 401 or an unreachable server stops the run with its code.
 */
enum tn_code tn_cert_issue_bulk(struct tn_client *c, jv kinds, FILE *in, const char *name,
				int parallel, tn_cert_issue_fn fn, void *ctx,
				struct tn_cert_issue_stats *stats, struct tn_err *err);

/*
 * POST /v1/certs/{id}/revoke with `reason`: the revoked certificate in *cert.
 * TN_ECONFLICT when it was already revoked.
 */
enum tn_code tn_cert_revoke(struct tn_client *c, const char *id, const char *reason, jv *cert,
			    struct tn_err *err);

#endif
