/* store_certs_consents.c — the tables of who may read: consent tokens, one-time codes, the clerk's rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_int.h"
#include "store_certs.h"

/* ---- the clerk's rule ---- */

/*
 * An open case of the holder in the department that rests on the holder's
 * own act: filed with the holder's own applicant token (its subject is the
 * case's applicant), or covered by a code of the holder redeemed by a clerk
 * of the department: a case submitted before the redemption (it was open
 * when the holder consented), or one the redeeming clerk filed before the
 * code expired.  Or else the clerk itself holds a redeemed code of the
 * holder that has not expired (the look-ups before a case is filed).
 * Times: cases.submitted_at is RFC 3339 with an offset, which strftime('%s')
 * reads.
 */
static const char clerk_rule[] =
	"SELECT 1 FROM cases c "
	"WHERE c.applicant_id = ?1 AND c.department = ?2 "
	"  AND c.status IN ('submitted', 'accepted', 'returned', 'resubmitted', 'approved') "
	"  AND (EXISTS (SELECT 1 FROM tokens t WHERE t.id = c.token_id AND t.role = 'applicant' "
	"               AND t.subject = c.applicant_id) "
	"    OR EXISTS (SELECT 1 FROM consent_codes k WHERE k.holder = c.applicant_id "
	"               AND k.used_dept = c.department AND k.used_epoch IS NOT NULL "
	"               AND (CAST(strftime('%s', c.submitted_at) AS INTEGER) <= k.used_epoch "
	"                 OR (k.used_by = c.token_id "
	"                     AND CAST(strftime('%s', c.submitted_at) AS INTEGER) <= k.expires_epoch)))) "
	"UNION ALL "
	"SELECT 1 FROM consent_codes k WHERE k.holder = ?1 AND k.used_dept = ?2 AND k.used_by = ?3 "
	"  AND k.expires_epoch > ?4 "
	"LIMIT 1";

enum tn_code sqlite_clerk_may_read(struct store *st, const char *holder, const char *dept,
				  long token_id, long long now, int *ok, struct tn_err *err)
{
	return store_exists(st, err, "clerk's read rule", ok, clerk_rule, "ttlL", holder, dept,
			    token_id, now);
}

/* ---- one-time consent codes ---- */

enum tn_code sqlite_code_add(struct store *st, const char *hash_hex, const struct store_code *c,
			    long long now, int max_live, struct tn_err *err)
{
	sqlite3_stmt *s;
	enum tn_code code;
	long long live = 0;
	int rc;

	if ((code = store_begin(st, err)) != TN_OK)
		return code;
	/* codes nobody redeemed are of no use a day after they expired */
	code = store_do(st, err, "consent code purge", "DELETE FROM consent_codes WHERE used_by IS "
			"NULL AND expires_epoch < ?", "L", now - 86400);
	if (code != TN_OK)
		goto out;
	s = store_prep(st, err, "SELECT count(*) FROM consent_codes WHERE holder = ? AND used_by IS "
		       "NULL AND expires_epoch > ?", "tL", c->holder, now);
	if (!s || (rc = store_step_row(st, s, err, "consent code count")) < 0) {
		code = store_errcode(err);
		goto out;
	}
	if (rc == 1) {
		live = (long long)sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	if (live >= max_live) {
		code = tn_err_set(err, TN_ECONFLICT, "%lld codes of this holder are unused and have not "
				  "expired: use one or wait until one expires", live);
		goto out;
	}
	s = store_prep(st, err, "INSERT INTO consent_codes (hash, holder, created_at, created_by, "
		       "expires_epoch) VALUES (?, ?, ?, ?, ?)", "ttttL", hash_hex, c->holder,
		       c->created_at, c->created_by, c->expires_epoch);
	if (!s) {
		code = store_errcode(err);
		goto out;
	}
	code = store_insert(st, s, err, "consent code add", "the code is already recorded: ask again");
out:
	return store_end(st, code, err);
}

enum tn_code sqlite_code_redeem(struct store *st, const char *hash_hex, const char *holder,
			       long token_id, const char *dept, long long now, int *ok,
			       struct tn_err *err)
{
	enum tn_code code;

	*ok = 0;
	/* the first clerk to present it takes it (one statement: atomic) */
	code = store_do(st, err, "consent code redeem", "UPDATE consent_codes SET used_by = ?, "
			"used_dept = ?, used_epoch = ? WHERE hash = ? AND holder = ? AND "
			"expires_epoch > ? AND used_by IS NULL", "ltLttL", token_id, dept, now,
			hash_hex, holder, now);
	if (code != TN_OK)
		return code;
	if (sqlite3_changes(st->db) == 1) {
		*ok = 1;
		return TN_OK;
	}
	/* that clerk again (a retry, the case filed after the look-ups): still good until it expires */
	return store_exists(st, err, "consent code redeem", ok, "SELECT 1 FROM consent_codes WHERE "
			    "hash = ? AND holder = ? AND expires_epoch > ? AND used_by = ? AND "
			    "used_dept = ?", "ttLlt", hash_hex, holder, now, token_id, dept);
}

/* ---- consent tokens (readers) ---- */

/* Which of schema 11's columns the table has (sqlite_consent_cols), asked once per store. */
int sqlite_consent_cols(struct store *st)
{
	int cols = 0;

	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *s = NULL;

		if (sqlite3_prepare_v2(st->db, i ? "SELECT revoked_at FROM consents LIMIT 0"
				       : "SELECT kinds FROM consents LIMIT 0", -1, &s, NULL) == SQLITE_OK)
			cols |= i ? STORE_CONSENT_REVOKED_AT : STORE_CONSENT_KINDS;
		sqlite3_finalize(s);
	}
	return cols;
}

enum tn_code sqlite_consent_add(struct store *st, const char *hash_hex,
			       const struct store_consent *c, struct tn_err *err)
{
	if (c->kinds)   /* the caller checked sqlite_consent_cols */
		return store_do(st, err, "consent add", "INSERT INTO consents (hash, holder, scenario, "
				"expires_at, expires_epoch, created_at, created_by, kinds) VALUES (?, ?, "
				"?, ?, ?, ?, ?, ?)", "ttttLttt", hash_hex, c->holder, c->scenario,
				c->expires_at, c->expires_epoch, c->created_at, c->created_by, c->kinds);
	return store_do(st, err, "consent add", "INSERT INTO consents (hash, holder, scenario, "
			"expires_at, expires_epoch, created_at, created_by) VALUES (?, ?, ?, ?, ?, "
			"?, ?)", "ttttLtt", hash_hex, c->holder, c->scenario, c->expires_at,
			c->expires_epoch, c->created_at, c->created_by);
}

long long sqlite_consent_last_id(struct store *st)
{
	return (long long)sqlite3_last_insert_rowid(st->db);
}

enum tn_code sqlite_consent_check(struct store *st, const char *hash_hex, const char *holder,
				 const char *scenario, long long now, int *ok, struct tn_err *err)
{
	if (sqlite_consent_cols(st) & STORE_CONSENT_REVOKED_AT)
		return store_exists(st, err, "consent check", ok, "SELECT 1 FROM consents WHERE hash "
				    "= ? AND holder = ? AND scenario = ? AND expires_epoch > ? AND "
				    "revoked_at IS NULL", "tttL", hash_hex, holder, scenario, now);
	return store_exists(st, err, "consent check", ok, "SELECT 1 FROM consents WHERE hash = ? AND "
			    "holder = ? AND scenario = ? AND expires_epoch > ?", "tttL", hash_hex,
			    holder, scenario, now);
}

enum tn_code sqlite_consent_kinds(struct store *st, const char *hash_hex, char **kinds,
				 struct tn_err *err)
{
	sqlite3_stmt *s;
	int rc;

	*kinds = NULL;
	if (!(sqlite_consent_cols(st) & STORE_CONSENT_KINDS))
		return TN_OK;
	s = store_prep(st, err, "SELECT kinds FROM consents WHERE hash = ?", "t", hash_hex);
	if (!s || (rc = store_step_row(st, s, err, "consent kinds")) < 0)
		return store_errcode(err);
	if (rc == 1) {
		const char *k = (const char *)sqlite3_column_text(s, 0);

		*kinds = k ? strdup(k) : NULL;
		sqlite3_reset(s);
	}
	return TN_OK;
}

/* The columns a consent row is read with: rowid, holder, scenario, expires_at, created_at, expires_epoch, created_by, kinds, revoked_at. */
static const char *consent_select(int cols)
{
	switch (cols & 3) {
	case 3:
		return "SELECT rowid, holder, scenario, expires_at, created_at, expires_epoch, "
		       "created_by, kinds, revoked_at FROM consents ";
	case STORE_CONSENT_KINDS:
		return "SELECT rowid, holder, scenario, expires_at, created_at, expires_epoch, "
		       "created_by, kinds, NULL FROM consents ";
	case STORE_CONSENT_REVOKED_AT:
		return "SELECT rowid, holder, scenario, expires_at, created_at, expires_epoch, "
		       "created_by, NULL, revoked_at FROM consents ";
	default:
		return "SELECT rowid, holder, scenario, expires_at, created_at, expires_epoch, "
		       "created_by, NULL, NULL FROM consents ";
	}
}

static jv consent_row(sqlite3_stmt *s, long long now)
{
	static const char *const names[] = { "", "holder", "scenario", "expires_at", "created_at" };
	jv o = jv_object();
	long long exp = (long long)sqlite3_column_int64(s, 5);
	const char *kinds = (const char *)sqlite3_column_text(s, 7);
	const char *revoked = (const char *)sqlite3_column_text(s, 8);

	o = jv_object_set(o, jv_string("id"), jv_number((double)sqlite3_column_int64(s, 0)));
	for (int i = 1; i <= 4; i++)
		o = jv_object_set(o, jv_string(names[i]),
				  jv_string((const char *)sqlite3_column_text(s, i)));
	o = jv_object_set(o, jv_string("created_by"), jv_string((const char *)sqlite3_column_text(s, 6)));
	o = jv_object_set(o, jv_string("kinds"), kinds ? jv_parse(kinds) : jv_null());
	o = jv_object_set(o, jv_string("revoked_at"), revoked ? jv_string(revoked) : jv_null());
	return jv_object_set(o, jv_string("status"), jv_string(revoked ? "revoked" : exp > now
							       ? "active" : "expired"));
}

enum tn_code sqlite_consent_list(struct store *st, const char *holder, const char *scenario,
				long long now, jv *out, struct tn_err *err)
{
	char sql[400];
	sqlite3_stmt *s;
	int rc;

	*out = jv_array();
	snprintf(sql, sizeof(sql), "%sWHERE (?1 IS NULL OR holder = ?1) AND (?2 IS NULL OR "
		 "scenario = ?2) ORDER BY rowid", consent_select(sqlite_consent_cols(st)));
	s = store_prep(st, err, sql, "tt", holder, scenario);
	if (!s)
		return store_errcode(err);
	while ((rc = store_step_row(st, s, err, "consent list")) == 1)
		*out = jv_array_append(*out, consent_row(s, now));
	if (rc < 0) {
		jv_free(*out);
		*out = jv_invalid();
		return store_errcode(err);
	}
	return TN_OK;
}

enum tn_code sqlite_consent_revoke(struct store *st, long long id, const char *holder,
				  const char *now, jv *row, struct tn_err *err)
{
	int cols = sqlite_consent_cols(st);
	char sql[400];
	sqlite3_stmt *s;
	enum tn_code code;
	int rc;

	*row = jv_invalid();
	snprintf(sql, sizeof(sql), "%sWHERE rowid = ?1 AND (?2 IS NULL OR holder = ?2)",
		 consent_select(cols));
	s = store_prep(st, err, sql, "Lt", id, holder);
	if (!s || (rc = store_step_row(st, s, err, "consent revoke")) < 0)
		return store_errcode(err);
	if (rc == 0)
		return tn_err_set(err, TN_ENOTFOUND, "consent %lld not found", id);
	*row = consent_row(s, 0);
	sqlite3_reset(s);
	jv was = jv_object_get(jv_copy(*row), jv_string("revoked_at"));
	int revoked = jv_get_kind(was) == JV_KIND_STRING;

	jv_free(was);   /* the test's value, not kept (LeakSanitizer found it leaked) */
	if (revoked)
		return tn_err_set(err, TN_ECONFLICT, "consent %lld is already revoked", id);
	/* the next read with its token finds no consent: immediate effect */
	if (cols & STORE_CONSENT_REVOKED_AT)
		code = store_do(st, err, "consent revoke", "UPDATE consents SET revoked_at = ? WHERE "
				"rowid = ? AND revoked_at IS NULL", "tL", now, id);
	else
		code = store_do(st, err, "consent revoke", "DELETE FROM consents WHERE rowid = ?", "L", id);
	if (code == TN_OK) {
		*row = jv_object_set(*row, jv_string("revoked_at"), jv_string(now));
		*row = jv_object_set(*row, jv_string("status"), jv_string("revoked"));
	}
	return code;
}
