/* pg_certs_consents.c — who may read, in PostgreSQL: consents, one-time codes, the clerk's rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"

/* ---- the clerk's rule ---- */

/*
 * SQLite's rule (store_certs_consents.c) word for word; strftime('%s',
 * submitted_at) is the epoch of the RFC 3339 time, whole seconds.
 */
#define SUBMITTED "floor(extract(epoch FROM c.submitted_at::timestamptz))::bigint"
static const char clerk_rule[] =
	"SELECT 1 FROM cases c "
	"WHERE c.applicant_id = $1 AND c.department = $2 "
	"  AND c.status IN ('submitted', 'accepted', 'returned', 'resubmitted', 'approved') "
	"  AND (EXISTS (SELECT 1 FROM tokens t WHERE t.id = c.token_id AND t.role = 'applicant' "
	"               AND t.subject = c.applicant_id) "
	"    OR EXISTS (SELECT 1 FROM consent_codes k WHERE k.holder = c.applicant_id "
	"               AND k.used_dept = c.department AND k.used_epoch IS NOT NULL "
	"               AND (" SUBMITTED " <= k.used_epoch "
	"                 OR (k.used_by = c.token_id "
	"                     AND " SUBMITTED " <= k.expires_epoch)))) "
	"UNION ALL "
	"SELECT 1 FROM consent_codes k WHERE k.holder = $1 AND k.used_dept = $2 AND k.used_by = $3 "
	"  AND k.expires_epoch > $4 "
	"LIMIT 1";

/* *found = whether `r` (cleared here) has a row. */
static enum tn_code found_rows(PGresult *r, int *found)
{
	*found = PQntuples(r) > 0;
	PQclear(r);
	return TN_OK;
}

enum tn_code pg_clerk_may_read(struct store *st, const char *holder, const char *dept,
			       long token_id, long long now, int *ok, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*ok = 0;
	code = pg_query(PG(st), &r, err, "clerk's read rule", clerk_rule, "ttlL", holder, dept,
			token_id, now);
	return code == TN_OK ? found_rows(r, ok) : code;
}

/* ---- one-time consent codes ---- */

enum tn_code pg_code_add(struct store *st, const char *hash_hex, const struct store_code *c,
			 long long now, int max_live, struct tn_err *err)
{
	struct pg_store *p = PG(st);
	int own = !pg_in_tx(p);
	PGresult *r;
	enum tn_code code;
	long live = 0;

	if (own && (code = pg_begin(p, err)) != TN_OK)
		return code;
	/* one holder's codes are counted and added one at a time */
	code = pg_query(p, NULL, err, "consent code add", "SELECT pg_advisory_xact_lock(hashtext("
			"'consent_codes'), hashtext($1))", "t", c->holder);
	/* codes nobody redeemed are of no use a day after they expired */
	if (code == TN_OK)
		code = pg_query(p, NULL, err, "consent code purge", "DELETE FROM consent_codes WHERE "
				"used_by IS NULL AND expires_epoch < $1", "L", now - 86400);
	if (code == TN_OK)
		code = pg_query(p, &r, err, "consent code count", "SELECT count(*) FROM consent_codes "
				"WHERE holder = $1 AND used_by IS NULL AND expires_epoch > $2", "tL",
				c->holder, now);
	if (code == TN_OK) {
		live = pg_long(r, 0, 0);
		PQclear(r);
		if (live >= max_live)
			code = tn_err_set(err, TN_ECONFLICT, "%ld codes of this holder are unused and "
					  "have not expired: use one or wait until one expires", live);
	}
	if (code == TN_OK)
		code = pg_query(p, &r, err, "consent code add", "INSERT INTO consent_codes (hash, holder, "
				"created_at, created_by, expires_epoch) VALUES ($1, $2, $3, $4, $5) "
				"ON CONFLICT DO NOTHING", "ttttL", hash_hex, c->holder, c->created_at,
				c->created_by, c->expires_epoch);
	if (code == TN_OK) {
		if (strcmp(PQcmdTuples(r), "1") != 0)
			code = tn_err_set(err, TN_ECONFLICT, "the code is already recorded: ask again");
		PQclear(r);
	}
	if (!own)
		return code;
	return pg_end(p, code, err);
}

enum tn_code pg_code_redeem(struct store *st, const char *hash_hex, const char *holder,
			    long token_id, const char *dept, long long now, int *ok,
			    struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*ok = 0;
	/* the first clerk to present it takes it (one statement: the row is locked) */
	code = pg_query(PG(st), &r, err, "consent code redeem", "UPDATE consent_codes SET used_by = $1, "
			"used_dept = $2, used_epoch = $3 WHERE hash = $4 AND holder = $5 AND "
			"expires_epoch > $3 AND used_by IS NULL", "ltLtt", token_id, dept, now,
			hash_hex, holder);
	if (code != TN_OK)
		return code;
	*ok = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	if (*ok)
		return TN_OK;
	/* that clerk again (a retry, the case filed after the look-ups): still good until it expires */
	code = pg_query(PG(st), &r, err, "consent code redeem", "SELECT 1 FROM consent_codes WHERE "
			"hash = $1 AND holder = $2 AND expires_epoch > $3 AND used_by = $4 AND "
			"used_dept = $5", "ttLlt", hash_hex, holder, now,
			token_id, dept);
	return code == TN_OK ? found_rows(r, ok) : code;
}

/* ---- consent tokens (readers) ---- */

/* Schema 11 from the start: both columns. */
int pg_consent_cols(struct store *st)
{
	(void)st;
	return STORE_CONSENT_KINDS | STORE_CONSENT_REVOKED_AT;
}

enum tn_code pg_consent_add(struct store *st, const char *hash_hex, const struct store_consent *c,
			    struct tn_err *err)
{
	return pg_query(PG(st), NULL, err, "consent add", "INSERT INTO consents (hash, holder, "
			"scenario, expires_at, expires_epoch, created_at, created_by, kinds) VALUES "
			"($1, $2, $3, $4, $5, $6, $7, $8)", "ttttLttt", hash_hex, c->holder,
			c->scenario, c->expires_at, c->expires_epoch, c->created_at, c->created_by,
			c->kinds);
}

/* The id this session's last consent_add drew (the column id numbers the rows as SQLite's rowid). */
long long pg_consent_last_id(struct store *st)
{
	PGresult *r;
	long long id = 0;

	if (pg_query(PG(st), &r, NULL, "consent id", "SELECT currval(pg_get_serial_sequence("
		     "'consents', 'id'))", "") != TN_OK)
		return 0;
	if (PQntuples(r) == 1)
		id = pg_long(r, 0, 0);
	PQclear(r);
	return id;
}

enum tn_code pg_consent_check(struct store *st, const char *hash_hex, const char *holder,
			      const char *scenario, long long now, int *ok, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*ok = 0;
	code = pg_query(PG(st), &r, err, "consent check", "SELECT 1 FROM consents WHERE hash = $1 "
			"AND holder = $2 AND scenario = $3 AND expires_epoch > $4 AND revoked_at IS NULL",
			"tttL", hash_hex, holder, scenario, now);
	return code == TN_OK ? found_rows(r, ok) : code;
}

enum tn_code pg_consent_kinds(struct store *st, const char *hash_hex, char **kinds,
			      struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*kinds = NULL;
	code = pg_query(PG(st), &r, err, "consent kinds", "SELECT kinds FROM consents WHERE hash = $1",
			"t", hash_hex);
	if (code != TN_OK)
		return code;
	if (PQntuples(r) == 1)
		*kinds = pg_dup(r, 0, 0);
	PQclear(r);
	return TN_OK;
}

#define CONSENT_COLS "SELECT id, holder, scenario, expires_at, created_at, expires_epoch, " \
	"created_by, kinds, revoked_at FROM consents "

/* A consent row as SQLite's consent_row makes it. */
static jv consent_row(const PGresult *r, int i, long long now)
{
	static const char *const names[] = { "", "holder", "scenario", "expires_at", "created_at" };
	jv o = jv_object();
	long long exp = pg_long(r, i, 5);
	int revoked = !PQgetisnull(r, i, 8);

	o = jv_object_set(o, jv_string("id"), jv_number((double)pg_long(r, i, 0)));
	for (int k = 1; k <= 4; k++)
		o = jv_object_set(o, jv_string(names[k]), pg_text(r, i, k));
	o = jv_object_set(o, jv_string("created_by"), pg_text(r, i, 6));
	o = jv_object_set(o, jv_string("kinds"), PQgetisnull(r, i, 7) ? jv_null()
			  : jv_parse(PQgetvalue(r, i, 7)));
	o = jv_object_set(o, jv_string("revoked_at"), pg_text(r, i, 8));
	return jv_object_set(o, jv_string("status"), jv_string(revoked ? "revoked" : exp > now
							       ? "active" : "expired"));
}

enum tn_code pg_consent_list(struct store *st, const char *holder, const char *scenario,
			     long long now, jv *out, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*out = jv_array();
	code = pg_query(PG(st), &r, err, "consent list", CONSENT_COLS "WHERE ($1::text IS NULL OR "
			"holder = $1) AND ($2::text IS NULL OR scenario = $2) ORDER BY id", "tt",
			holder, scenario);
	if (code != TN_OK) {
		jv_free(*out);
		*out = jv_invalid();
		return code;
	}
	for (int i = 0; i < PQntuples(r); i++)
		*out = jv_array_append(*out, consent_row(r, i, now));
	PQclear(r);
	return TN_OK;
}

enum tn_code pg_consent_revoke(struct store *st, long long id, const char *holder,
			       const char *now, jv *row, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;
	int n;

	*row = jv_invalid();
	code = pg_query(PG(st), &r, err, "consent revoke", CONSENT_COLS "WHERE id = $1 AND "
			"($2::text IS NULL OR holder = $2)", "Lt", id, holder);
	if (code != TN_OK)
		return code;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return tn_err_set(err, TN_ENOTFOUND, "consent %lld not found", id);
	}
	*row = consent_row(r, 0, 0);
	n = !PQgetisnull(r, 0, 8);
	PQclear(r);
	if (n)
		return tn_err_set(err, TN_ECONFLICT, "consent %lld is already revoked", id);
	/* the next read with its token finds no consent: immediate effect */
	code = pg_query(PG(st), &r, err, "consent revoke", "UPDATE consents SET revoked_at = $1 "
			"WHERE id = $2 AND revoked_at IS NULL", "tL", now, id);
	if (code != TN_OK)
		return code;
	n = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	if (!n)         /* revoked by another request meanwhile */
		return tn_err_set(err, TN_ECONFLICT, "consent %lld is already revoked", id);
	*row = jv_object_set(*row, jv_string("revoked_at"), jv_string(now));
	*row = jv_object_set(*row, jv_string("status"), jv_string("revoked"));
	return TN_OK;
}
