/* pg_certs.c — certificates in PostgreSQL: read transactions, issuers, serials, certificates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "pg_int.h"

/*
 * A certificate read and its audit row commit together: a transaction
 * (read committed).  The audit chain's order is kept by its head row,
 * locked by whoever appends (pg_certs_audit.c), not by the transaction.
 */
enum tn_code pg_certs_begin(struct store *st, struct tn_err *err)
{
	return pg_begin(PG(st), err);
}

enum tn_code pg_certs_commit(struct store *st, struct tn_err *err)
{
	return pg_end(PG(st), TN_OK, err);
}

void pg_certs_rollback(struct store *st)
{
	pg_rollback(PG(st));
}

/*
 * SQLite's BEGIN IMMEDIATE without waiting: 1 when another writer holds
 * the lock.  Here the lock a writer of the log needs is the audit head's
 * row (another instance's group commit may hold it): taken now, skipping it
 * when locked, so that the caller's append never waits (the event loop
 * does not block behind another instance's commit).
 */
int pg_certs_try_begin(struct store *st, struct tn_err *err)
{
	struct pg_store *p = PG(st);
	PGresult *r;
	int got;

	if (pg_begin(p, err) != TN_OK)
		return -1;
	if (pg_query(p, &r, err, "begin", "SELECT seq FROM audit_head WHERE id = 1 "
		     "FOR UPDATE SKIP LOCKED", "") != TN_OK) {
		pg_rollback(p);
		return -1;
	}
	got = PQntuples(r);
	PQclear(r);
	if (got == 1)
		return 0;
	pg_rollback(p);
	return 1;
}

/* Nothing to tune: PostgreSQL's caches are the server's (shared_buffers). */
void pg_certs_tune(struct store *st)
{
	(void)st;
}

void pg_certs_read_none(struct store *st)
{
	(void)st;
}

void pg_certs_read_hold(struct store *st, int on)
{
	(void)st;
	(void)on;
}

/* No write-ahead log of ours to checkpoint: the server checkpoints its own. */
struct store_ckpt *pg_certs_checkpointer(struct store *st, long frames, long limit)
{
	(void)st;
	(void)frames;
	(void)limit;
	return NULL;
}

/* No database file: the keys folder will need a flag of its own. */
const char *pg_certs_db_path(struct store *st)
{
	(void)st;
	return NULL;
}

/* No certificate cache (its reads and misses: 0): every read asks the server, whose buffers are its cache. */
long pg_certs_cache_none(struct store *st)
{
	(void)st;
	return 0;
}

/* ---- issuers ---- */

enum tn_code pg_issuer_add(struct store *st, const char *dept, const char *uscc,
			   const char *key_id, const char *pem, const char *created_at,
			   struct tn_err *err)
{
	struct pg_store *p = PG(st);
	int own = !pg_in_tx(p);
	PGresult *r;
	enum tn_code code;

	if (own && (code = pg_begin(p, err)) != TN_OK)
		return code;
	/*
	 * One department's keys are added one at a time (SQLite's write lock):
	 * two at once would each retire only the key they saw and leave two
	 * current keys.
	 */
	code = pg_query(p, NULL, err, "issuer add", "SELECT pg_advisory_xact_lock(hashtext('issuers'), "
			"hashtext($1))", "t", dept);
	if (code == TN_OK)
		code = pg_query(p, NULL, err, "issuer retire", "UPDATE issuers SET retired_at = $1 "
				"WHERE dept = $2 AND retired_at IS NULL", "tt", created_at, dept);
	if (code == TN_OK)
		code = pg_query(p, &r, err, "issuer add", "INSERT INTO issuers (key_id, dept, uscc, "
				"public_key, created_at) VALUES ($1, $2, $3, $4, $5) "
				"ON CONFLICT DO NOTHING", "ttttt", key_id, dept, uscc, pem, created_at);
	if (code == TN_OK) {
		if (strcmp(PQcmdTuples(r), "1") != 0)
			code = tn_err_set(err, TN_ECONFLICT, "key '%s' is already recorded", key_id);
		PQclear(r);
	}
	if (!own)
		return code;
	return pg_end(p, code, err);
}

enum tn_code pg_issuer_list(struct store *st, jv *items, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*items = jv_array();
	code = pg_query(PG(st), &r, err, "issuer list", "SELECT dept, uscc, key_id, public_key, "
			"created_at, retired_at FROM issuers ORDER BY dept, created_at, key_id", "");
	if (code != TN_OK)
		return code;
	for (int i = 0; i < PQntuples(r); i++) {
		jv o = jv_object();

		o = jv_object_set(o, jv_string("dept"), pg_text(r, i, 0));
		o = jv_object_set(o, jv_string("uscc"), pg_text(r, i, 1));
		o = jv_object_set(o, jv_string("key_id"), pg_text(r, i, 2));
		o = jv_object_set(o, jv_string("alg"), jv_string("SM2"));
		o = jv_object_set(o, jv_string("public_key"), pg_text(r, i, 3));
		o = jv_object_set(o, jv_string("created_at"), pg_text(r, i, 4));
		o = jv_object_set(o, jv_string("retired_at"), pg_text(r, i, 5));
		*items = jv_array_append(*items, o);
	}
	PQclear(r);
	return TN_OK;
}

enum tn_code pg_issuer_current(struct store *st, const char *dept, char **key_id,
			       struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*key_id = NULL;
	code = pg_query(PG(st), &r, err, "issuer current", "SELECT key_id FROM issuers WHERE "
			"dept = $1 AND retired_at IS NULL ORDER BY created_at DESC LIMIT 1", "t", dept);
	if (code != TN_OK)
		return code;
	if (PQntuples(r) == 1)
		*key_id = pg_dup(r, 0, 0);
	PQclear(r);
	if (*key_id)
		return TN_OK;
	return tn_err_set(err, TN_ENOTFOUND, "department '%s' has no issuer key", dept);
}

/* ---- certificates ---- */

/* One statement: atomic on its own, inside the caller's transaction or not. */
enum tn_code pg_cert_serials(struct store *st, const char *kind, const char *issuer,
			     const char *year, long n, long *first, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*first = 0;
	code = pg_query(PG(st), &r, err, "serial reserve", "INSERT INTO cert_serials (kind, issuer, "
			"year, last) VALUES ($1, $2, $3, $4) ON CONFLICT (kind, issuer, year) DO UPDATE "
			"SET last = cert_serials.last + EXCLUDED.last RETURNING last", "tttl", kind,
			issuer, year, n);
	if (code != TN_OK)
		return code;
	if (PQntuples(r) == 1)
		*first = pg_long(r, 0, 0) - n + 1;
	else
		code = tn_err_set(err, TN_EINTERNAL, "database error in serial reserve: no row");
	PQclear(r);
	return code;
}

/*
 * ON CONFLICT DO NOTHING rather than the unique violation: an error would
 * abort the caller's transaction, where SQLite's leaves it usable.
 */
enum tn_code pg_cert_insert(struct store *st, const struct store_cert_row *row,
			    struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;
	int n;

	code = pg_query(PG(st), &r, err, "certificate insert", "INSERT INTO certs (id, kind, holder, "
			"dept, token_id, idem_key, idem_hash, doc) VALUES ($1, $2, $3, $4, "
			"CASE WHEN $5::bigint >= 0 THEN $5::bigint END, $6, $7, $8) ON CONFLICT DO NOTHING",
			"ttttltt" "t", row->id, row->kind, row->holder, row->dept, row->token_id,
			row->idem_key, row->idem_hash, row->doc);
	if (code != TN_OK)
		return code;
	n = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	if (n)
		return TN_OK;
	return tn_err_set(err, TN_ECONFLICT, "certificate '%s' or its idempotency key is already "
			  "recorded", row->id);
}

enum tn_code pg_cert_idem(struct store *st, long token_id, const char *idem_key, char **hash,
			  jv *doc, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*hash = NULL;
	*doc = jv_invalid();
	code = pg_query(PG(st), &r, err, "certificate idempotency", "SELECT idem_hash, doc FROM certs "
			"WHERE token_id = $1 AND idem_key = $2", "lt", token_id, idem_key);
	if (code != TN_OK)
		return code;
	if (PQntuples(r) == 1) {
		*hash = pg_dup(r, 0, 0);
		*doc = pg_json(r, 0, 1);
	}
	code = PQntuples(r) == 1 ? TN_OK
		: tn_err_set(err, TN_ENOTFOUND, "no certificate under key '%s'", idem_key);
	PQclear(r);
	return code;
}

enum tn_code pg_cert_get_text(struct store *st, const char *id, char **doc, char **holder,
			      char **dept, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	if (doc)
		*doc = NULL;
	if (holder)
		*holder = NULL;
	if (dept)
		*dept = NULL;
	code = pg_query(PG(st), &r, err, "certificate get", "SELECT doc, holder, dept FROM certs "
			"WHERE id = $1", "t", id);
	if (code != TN_OK)
		return code;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return tn_err_set(err, TN_ENOTFOUND, "no certificate '%s'", id);
	}
	if (doc)
		*doc = pg_dup(r, 0, 0);
	if (holder)
		*holder = pg_dup(r, 0, 1);
	if (dept)
		*dept = pg_dup(r, 0, 2);
	PQclear(r);
	return TN_OK;
}

enum tn_code pg_cert_get(struct store *st, const char *id, jv *doc, struct tn_err *err)
{
	char *text;
	enum tn_code code = pg_cert_get_text(st, id, &text, NULL, NULL, err);

	*doc = jv_invalid();
	if (code != TN_OK)
		return code;
	*doc = jv_parse(text);
	free(text);
	if (!jv_is_valid(*doc)) {
		jv_free(*doc);
		*doc = jv_invalid();
		return tn_err_set(err, TN_EINTERNAL, "certificate '%s' is stored damaged", id);
	}
	return TN_OK;
}

/* As SQLite's: ordered by id (text "C": bytes, as SQLite compares), one row past the page. */
enum tn_code pg_cert_list(struct store *st, const struct store_cert_filter *f, struct tn_buf *out,
			  char **next, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;
	int n;

	*next = NULL;
	code = pg_query(PG(st), &r, err, "certificate list", "SELECT id, doc FROM certs WHERE "
			"($1::text IS NULL OR holder = $1) AND ($2::text IS NULL OR kind = $2) "
			"AND ($3::text IS NULL OR dept = $3) AND ($4::text IS NULL OR status = $4) "
			"AND ($5::text IS NULL OR id > $5) ORDER BY id LIMIT $6", "tttttl", f->holder,
			f->kind, f->dept, f->status, f->after, f->limit + 1);
	if (code != TN_OK)
		return code;
	n = PQntuples(r);
	for (int i = 0; i < n && i < f->limit; i++) {
		if (i)
			tn_buf_addch(out, ',');
		tn_buf_add(out, PQgetvalue(r, i, 1), (size_t)PQgetlength(r, i, 1));
	}
	if (n > f->limit && f->limit > 0)
		*next = pg_dup(r, (int)f->limit - 1, 0);
	PQclear(r);
	return TN_OK;
}

enum tn_code pg_cert_revoke(struct store *st, const char *id, const char *at, const char *reason,
			    jv doc, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;
	int n;

	code = pg_query(PG(st), &r, err, "certificate revoke", "UPDATE certs SET status = 'revoked', "
			"revoked_at = $1, revoke_reason = $2, doc = $3 WHERE id = $4 AND status = 'valid'",
			"ttjt", at, reason, doc, id);
	if (code != TN_OK)
		return code;
	n = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	if (n)
		return TN_OK;
	if ((code = pg_cert_get_text(st, id, NULL, NULL, NULL, err)) != TN_OK)
		return code;
	return tn_err_set(err, TN_ECONFLICT, "certificate '%s' is already revoked", id);
}
