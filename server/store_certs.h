/* store_certs.h — the storage of e-certificates, issuers' keys, consents and the hash-chained audit log. */
#ifndef TWONETD_STORE_CERTS_H
#define TWONETD_STORE_CERTS_H

#include <jv.h>

#include "tn_buf.h"
#include "tn_err.h"
#include "store.h"

/*
 * Same rules as store.h: jv arguments are consumed, jv results are the
 * caller's, `const char *` arguments are borrowed; every function returns
 * TN_OK or an error code with `err` (may be NULL) filled.  The SQL lives in
 * store_certs.c (migration slots 1 -> 2 and 6 -> 7), store_certs_consents.c and
 * store_certs_audit.c.
 */

/* ---- transactions (a read and its audit row commit together) ---- */

/* BEGIN IMMEDIATE; COMMIT; ROLLBACK (a no-op outside a transaction). */
enum tn_code store_certs_begin(struct store *st, struct tn_err *err);
enum tn_code store_certs_commit(struct store *st, struct tn_err *err);
void store_certs_rollback(struct store *st);

/*
 * BEGIN IMMEDIATE without waiting for the write lock: 0 when begun (commit
 * or roll back with the functions above), 1 when another connection holds
 * the lock (try again later), -1 on another error (err set).
 */
int store_certs_try_begin(struct store *st, struct tn_err *err);

/*
 * Connection settings for many reads of a large database: a 64 MiB page
 * cache (mapping the file was slower: every checkpoint that grows the file
 * remaps it).  Best effort; a backend with nothing to tune (PostgreSQL)
 * leaves the operation NULL: nothing is done.
 */
void store_certs_tune(struct store *st);

/*
 * One read snapshot for the token lookup and the certificate read of a
 * GET /v1/certs/{id} (one read transaction instead of two; the token is
 * then found in the worker's token cache when the database did not change,
 * store.h).  Only reads may come between the two calls: store_token_touch
 * writes nothing inside (call it after read_end).  read_end ends only what
 * read_begin began (nothing when a transaction was already open).  Cannot
 * fail: a snapshot not begun leaves each read its own.  PostgreSQL: both do
 * nothing (each statement reads its own snapshot, as before).
 */
void store_certs_read_begin(struct store *st);
void store_certs_read_end(struct store *st);
/*
 * Hold the snapshot across several requests (on 1): read_end then keeps it,
 * and the next read_begin reads in it; store_token_touch, which may not
 * write inside, is done when it ends.  read_release ends a held snapshot
 * (and does those touches), the hold staying on; hold 0 ends it and the
 * hold.  A caller holds only while every request it handles arrived before
 * the snapshot began (http.h's batches), and releases it before a request
 * that may write without a transaction (routes.c); every write transaction
 * ends it first by itself.  PostgreSQL: nothing to hold.
 */
void store_certs_read_hold(struct store *st, int on);
void store_certs_read_release(struct store *st);

/*
 * Checkpoint the write-ahead log in a thread of its own, with a connection
 * of its own, instead of in the commit that makes it long: a request never
 * waits for a checkpoint's writes and fsync.  The thread copies the log
 * into the database (PASSIVE, never waiting for a lock) whenever a commit
 * of `st` leaves it at least `frames` pages long, and starts the log over
 * (RESTART: the writers wait for its copy and syncs) when it is still
 * `limit` pages long after that copy (0: never; writers that never pause
 * keep a PASSIVE checkpoint from ever letting it restart).  NULL when the thread
 * cannot start (SQLite's automatic checkpoint stays).  Stop before
 * store_close(st); stopping restores the automatic checkpoint.  A backend
 * with no log of its own to checkpoint (PostgreSQL) leaves the operation
 * NULL: always NULL.  Stop and wait are the SQLite backend's and take NULL
 * (stop does nothing).
 */
struct store_ckpt;
struct store_ckpt *store_certs_checkpointer(struct store *st, long frames, long limit);
void store_certs_checkpointer_stop(struct store_ckpt *c);
/* Wait until the thread has made `runs` checkpoints; the pages copied so far (for tests). */
long store_certs_checkpointer_wait(struct store_ckpt *c, long runs);
/* How many times the thread synced a database file after a copy that left the log's end (for tests). */
long store_certs_checkpointer_syncs(struct store_ckpt *c);
/* How many times commits woke the thread (for tests). */
long store_certs_checkpointer_wakes(struct store_ckpt *c);
/* How many times the thread started a log over past its limit (0 for NULL). */
long store_certs_checkpointer_restarts(struct store_ckpt *c);
/*
 * The longest of those restarts in milliseconds, from its start to its end
 * (a wait for the write lock included): about how long it held the writers.
 * 0 for NULL.
 */
double store_certs_checkpointer_restart_ms(struct store_ckpt *c);
/*
 * How many certificate reads (store_cert_get_text with doc, holder and dept,
 * in a read snapshot) the connection's cache was asked, and how many of them
 * it could not answer: SQLite keeps what it read while the certificates did
 * not change; PostgreSQL keeps nothing (0 and 0).
 */
long store_certs_cache_reads(struct store *st);
long store_certs_cache_misses(struct store *st);

/*
 * The database file's path (borrowed from the store): private keys live
 * beside it.  NULL when the backend has no file (PostgreSQL: the keys folder
 * will need a flag of its own; not yet).
 */
const char *store_certs_db_path(struct store *st);

/* ---- issuers ---- */

/*
 * Record a new key of department `dept` (its USCC `uscc`): key id, public
 * key PEM, time of creation.  The department's previous current key gets
 * retired_at = created_at.  A key id already recorded is TN_ECONFLICT.
 */
enum tn_code store_issuer_add(struct store *st, const char *dept, const char *uscc,
			      const char *key_id, const char *pem, const char *created_at,
			      struct tn_err *err);

/*
 * Every key, ordered by dept then created_at, as ISSUER objects
 * {dept, uscc, key_id, alg, public_key, created_at, retired_at} in *items
 * (an array; dept_name is the caller's to add).
 */
enum tn_code store_issuer_list(struct store *st, jv *items, struct tn_err *err);

/*
 * The current (not retired) key of `dept`: its id (malloc'd) in *key_id.
 * TN_ENOTFOUND when the department has no key.
 */
enum tn_code store_issuer_current(struct store *st, const char *dept, char **key_id,
				  struct tn_err *err);

/* ---- certificates ---- */

/*
 * Reserve `n` serial numbers of (kind, issuer USCC, year): *first is the
 * first of them (from 1, per year).  Runs in its own transaction unless one
 * is open.
 */
enum tn_code store_cert_serials(struct store *st, const char *kind, const char *issuer,
				const char *year, long n, long *first, struct tn_err *err);

/* A certificate row to insert: the key columns and the signed CERT's text. */
struct store_cert_row {
	const char *id, *kind, *holder, *dept;
	const char *doc;        /* the CERT as JSON text */
	long token_id;          /* -1: not filed through the API (bench/twonetd-gen-certs) */
	const char *idem_key;   /* NULL with token_id -1 */
	const char *idem_hash;
};

/*
 * Insert one certificate.  The same (token_id, idem_key) again is
 * TN_ECONFLICT, as is an id already present.
 */
enum tn_code store_cert_insert(struct store *st, const struct store_cert_row *row,
			       struct tn_err *err);

/*
 * What `token_id` filed under `idem_key`: the body hash (malloc'd) in *hash
 * and the CERT in *doc.  TN_ENOTFOUND when nothing was.
 */
enum tn_code store_cert_idem(struct store *st, long token_id, const char *idem_key,
			     char **hash, jv *doc, struct tn_err *err);

/*
 * The certificate `id`: its JSON text (malloc'd, the CERT as served) in
 * *doc, its holder and department (malloc'd; each pointer may be NULL when
 * not wanted).  TN_ENOTFOUND when none.  With all three asked for, inside a
 * read snapshot (store_certs_read_begin), the SQLite backend answers from
 * the connection's cache while no certificate changed since it was read
 * (store_certs_cache.c): never anything older than the snapshot.
 */
enum tn_code store_cert_get_text(struct store *st, const char *id, char **doc, char **holder,
				 char **dept, struct tn_err *err);

/* The certificate `id` parsed, in *doc.  TN_ENOTFOUND when none. */
enum tn_code store_cert_get(struct store *st, const char *id, jv *doc, struct tn_err *err);

/* Filters of a certificate list; NULL: no filter. */
struct store_cert_filter {
	const char *holder, *kind, *dept, *status;
	const char *after;      /* list ids greater than this (the cursor) */
	long limit;             /* 1..1000 */
};

/*
 * One page of certificates, ordered by id: their stored JSON texts (the
 * CERTs as served) appended to `out` with commas between, the inside of a
 * JSON array; *next (malloc'd, or NULL on the last page) is the id to
 * continue after.  On error `out` is as it was.
 */
enum tn_code store_cert_list(struct store *st, const struct store_cert_filter *f,
			     struct tn_buf *out, char **next, struct tn_err *err);

/*
 * Mark `id` revoked at `at` for `reason`, storing `doc` (consumed: the CERT
 * with its new status members).  TN_ENOTFOUND when none; TN_ECONFLICT
 * when it is already revoked.
 */
enum tn_code store_cert_revoke(struct store *st, const char *id, const char *at,
			       const char *reason, jv doc, struct tn_err *err);

/* ---- who may read (store_certs_consents.c) ---- */

/*
 * The clerk's rule: *ok = 1 when clerk token `token_id` of department `dept`
 * may read the certificates of `holder` at `now` (epoch seconds): an open
 * case of the holder in `dept` (submitted, accepted, returned, resubmitted or
 * approved) rests on the holder's own act (the holder filed it with their
 * own applicant token, or a code of the holder was redeemed in `dept` while
 * it was open or by the clerk that filed it before the code expired), or
 * the clerk itself redeemed a code of the holder that has not expired.
 */
enum tn_code store_clerk_may_read(struct store *st, const char *holder, const char *dept,
				  long token_id, long long now, int *ok, struct tn_err *err);

/* A one-time consent code a holder made (POST /v1/consents/codes). */
struct store_code {
	const char *holder, *created_at, *created_by;
	long long expires_epoch;
};

/*
 * Record a code under the hex SHA-256 of its text, in its own transaction
 * (codes nobody redeemed are deleted a day after they expired).
 * TN_ECONFLICT when the holder already has `max_live` codes unused and not
 * expired at `now`.
 */
enum tn_code store_code_add(struct store *st, const char *hash_hex, const struct store_code *c,
			    long long now, int max_live, struct tn_err *err);

/*
 * Redeem the code of `hash_hex` for `holder` by clerk token `token_id` of
 * `dept` at `now`: *ok = 1 when it is the holder's, has not expired, and
 * either nobody redeemed it yet (now it is this clerk's) or this clerk did.
 * *ok = 0 for every other case alike (unknown, another holder's, expired,
 * another clerk's).
 */
enum tn_code store_code_redeem(struct store *st, const char *hash_hex, const char *holder,
			       long token_id, const char *dept, long long now, int *ok,
			       struct tn_err *err);

/* A consent token: what the holder granted. */
struct store_consent {
	const char *holder, *scenario, *expires_at, *created_at, *created_by;
	const char *kinds;              /* JSON array text, or NULL: every kind of the scenario */
	long long expires_epoch;
};

/* Record a consent under the hex SHA-256 of its token. */
enum tn_code store_consent_add(struct store *st, const char *hash_hex,
			       const struct store_consent *c, struct tn_err *err);

/*
 * *ok = 1 when the consent token of `hash_hex` is of `holder`, for
 * `scenario`, and has not expired at `now`; 0 otherwise, whatever the
 * reason.
 */
enum tn_code store_consent_check(struct store *st, const char *hash_hex, const char *holder,
				 const char *scenario, long long now, int *ok, struct tn_err *err);

/*
 * The consents (id = rowid), of `holder` / `scenario` when not NULL, as
 * {id,holder,scenario,expires_at,created_at,created_by,status} in *out.
 */
enum tn_code store_consent_list(struct store *st, const char *holder, const char *scenario,
				long long now, jv *out, struct tn_err *err);

/*
 * Whether the consents table has schema 11's columns kinds (a JSON array,
 * NULL: every kind of the scenario) and revoked_at: a mask of these bits.
 */
#define STORE_CONSENT_KINDS 1
#define STORE_CONSENT_REVOKED_AT 2
int store_consent_cols(struct store *st);

/* The kinds (JSON array text, malloc'd) consent `hash_hex` was granted for; NULL: every kind of its scenario. */
enum tn_code store_consent_kinds(struct store *st, const char *hash_hex, char **kinds,
				 struct tn_err *err);

/*
 * Revoke consent `id` (of `holder` when not NULL): revoked_at set (or the
 * row deleted before schema 11); its row in *row.  TN_ENOTFOUND when none,
 * TN_ECONFLICT "already revoked".
 */
enum tn_code store_consent_revoke(struct store *st, long long id, const char *holder,
				  const char *now, jv *row, struct tn_err *err);

/* The id (rowid) of the consent store_consent_add just added. */
long long store_consent_last_id(struct store *st);

/* ---- the audit log (store_certs_audit.c) ---- */

/* One read to write down; strings may be NULL (written as null) except at, actor, role, outcome. */
struct store_audit {
	const char *at, *actor, *role, *cert, *holder, *purpose, *outcome;
};

/*
 * Append a row to the hash-chained log: seq = last + 1, prev_hash = the
 * last row's hash (64 zeros for the first), hash by tn_cert_audit_hash;
 * the chain's head (count and last hash) is kept beside it.  Call inside a
 * transaction (store_certs_begin) to write it with the read it records.
 */
enum tn_code store_audit_append(struct store *st, const struct store_audit *a,
				struct tn_err *err);

/*
 * Append `n` rows in order, as store_audit_append does one at a time: the
 * chain is computed from the head read inside the caller's transaction, so
 * that writers in several processes interleave correctly (the group commit
 * of certificate reads).
 */
enum tn_code store_audit_append_rows(struct store *st, const struct store_audit *rows, size_t n,
				     struct tn_err *err);

/* The chain's head: the last seq (0 when empty) and its hash (the genesis when empty). */
enum tn_code store_audit_head(struct store *st, long long *seq, char hash[65], struct tn_err *err);

/* The hash of row `seq` in `hash`, *found = 1; *found = 0 when there is no such row. */
enum tn_code store_audit_hash_at(struct store *st, long long seq, char hash[65], int *found,
				 struct tn_err *err);

/* Filters of GET /v1/audit; NULL / 0: none. */
struct store_audit_filter {
	const char *holder, *cert, *actor;
	const char *role;               /* the reading token's role */
	const char *purpose;            /* rows whose purpose contains it */
	const char *since, *until;      /* YYYY-MM-DD: the Beijing day of `at`, inclusive */
	long long after;        /* rows with seq > after */
	long limit;
};

/* One page of ROWs in *items (seq ascending), *next the seq to go on after, or -1. */
enum tn_code store_audit_list(struct store *st, const struct store_audit_filter *f, jv *items,
			      long long *next, struct tn_err *err);

/*
 * Walk the whole chain: seq contiguous from 1, each prev_hash the previous
 * row's hash, each hash recomputed, and the head's count and last hash.
 * *rows gets the number of rows; *bad_seq the first bad seq (0 when the
 * chain is whole) and `why` (size bytes) what is wrong with it.
 */
enum tn_code store_audit_verify(struct store *st, long long *rows, long long *bad_seq,
				char *why, size_t size, struct tn_err *err);

#endif
