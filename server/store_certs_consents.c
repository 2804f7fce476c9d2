/* store_certs_consents.c — the tables of who may read: consent tokens, one-time codes, the clerk's rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_int.h"
#include "store_certs.h"

#define STMT_OR_FAIL(s, st, sql, err) \
	do { \
		if (((s) = store_stmt((st), (sql), (err))) == NULL) \
			return (err) ? (err)->code : TN_EINTERNAL; \
	} while (0)

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

enum tn_code store_clerk_may_read(struct store *st, const char *holder, const char *dept,
				  long token_id, long long now, int *ok, struct tn_err *err)
{
	sqlite3_stmt *s;
	int rc;

	*ok = 0;
	STMT_OR_FAIL(s, st, clerk_rule, err);
	store_bind_text(s, 1, holder);
	store_bind_text(s, 2, dept);
	sqlite3_bind_int64(s, 3, token_id);
	sqlite3_bind_int64(s, 4, now);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		*ok = 1;
	else if (rc != SQLITE_DONE)
		return store_fail(st, err, "clerk's read rule");
	return TN_OK;
}

/* ---- one-time consent codes ---- */

enum tn_code store_code_add(struct store *st, const char *hash_hex, const struct store_code *c,
			    long long now, int max_live, struct tn_err *err)
{
	sqlite3_stmt *s;
	enum tn_code code;
	long long live = 0;
	int rc;

	if ((code = store_begin(st, err)) != TN_OK)
		return code;
	/* codes nobody redeemed are of no use a day after they expired */
	s = store_stmt(st, "DELETE FROM consent_codes WHERE used_by IS NULL AND expires_epoch < ?",
		       err);
	if (!s) {
		code = store_errcode(err);
		goto out;
	}
	sqlite3_bind_int64(s, 1, now - 86400);
	if ((code = store_run(st, s, err, "consent code purge")) != TN_OK)
		goto out;
	s = store_stmt(st, "SELECT count(*) FROM consent_codes WHERE holder = ? AND used_by IS NULL "
		       "AND expires_epoch > ?", err);
	if (!s) {
		code = store_errcode(err);
		goto out;
	}
	store_bind_text(s, 1, c->holder);
	sqlite3_bind_int64(s, 2, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		live = (long long)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) {
		code = store_fail(st, err, "consent code count");
		goto out;
	}
	if (live >= max_live) {
		code = tn_err_set(err, TN_ECONFLICT, "%lld codes of this holder are unused and have not "
				  "expired: use one or wait until one expires", live);
		goto out;
	}
	s = store_stmt(st, "INSERT INTO consent_codes (hash, holder, created_at, created_by, "
		       "expires_epoch) VALUES (?, ?, ?, ?, ?)", err);
	if (!s) {
		code = store_errcode(err);
		goto out;
	}
	store_bind_text(s, 1, hash_hex);
	store_bind_text(s, 2, c->holder);
	store_bind_text(s, 3, c->created_at);
	store_bind_text(s, 4, c->created_by);
	sqlite3_bind_int64(s, 5, c->expires_epoch);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT)
		code = tn_err_set(err, TN_ECONFLICT, "the code is already recorded: ask again");
	else if (rc != SQLITE_DONE)
		code = store_fail(st, err, "consent code add");
	if (code == TN_OK)
		code = store_commit(st, err);
out:
	if (code != TN_OK)
		store_rollback(st);
	return code;
}

enum tn_code store_code_redeem(struct store *st, const char *hash_hex, const char *holder,
			       long token_id, const char *dept, long long now, int *ok,
			       struct tn_err *err)
{
	sqlite3_stmt *s;
	enum tn_code code;
	int rc;

	*ok = 0;
	/* the first clerk to present it takes it (one statement: atomic) */
	STMT_OR_FAIL(s, st, "UPDATE consent_codes SET used_by = ?, used_dept = ?, used_epoch = ? "
		     "WHERE hash = ? AND holder = ? AND expires_epoch > ? AND used_by IS NULL", err);
	sqlite3_bind_int64(s, 1, token_id);
	store_bind_text(s, 2, dept);
	sqlite3_bind_int64(s, 3, now);
	store_bind_text(s, 4, hash_hex);
	store_bind_text(s, 5, holder);
	sqlite3_bind_int64(s, 6, now);
	if ((code = store_run(st, s, err, "consent code redeem")) != TN_OK)
		return code;
	if (sqlite3_changes(st->db) == 1) {
		*ok = 1;
		return TN_OK;
	}
	/* that clerk again (a retry, the case filed after the look-ups): still good until it expires */
	STMT_OR_FAIL(s, st, "SELECT 1 FROM consent_codes WHERE hash = ? AND holder = ? AND "
		     "expires_epoch > ? AND used_by = ? AND used_dept = ?", err);
	store_bind_text(s, 1, hash_hex);
	store_bind_text(s, 2, holder);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int64(s, 4, token_id);
	store_bind_text(s, 5, dept);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		*ok = 1;
	else if (rc != SQLITE_DONE)
		return store_fail(st, err, "consent code redeem");
	return TN_OK;
}

/* ---- consent tokens (readers) ---- */

enum tn_code store_consent_add(struct store *st, const char *hash_hex,
			       const struct store_consent *c, struct tn_err *err)
{
	sqlite3_stmt *s;

	STMT_OR_FAIL(s, st, "INSERT INTO consents (hash, holder, scenario, expires_at, expires_epoch, "
		     "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)", err);
	store_bind_text(s, 1, hash_hex);
	store_bind_text(s, 2, c->holder);
	store_bind_text(s, 3, c->scenario);
	store_bind_text(s, 4, c->expires_at);
	sqlite3_bind_int64(s, 5, c->expires_epoch);
	store_bind_text(s, 6, c->created_at);
	store_bind_text(s, 7, c->created_by);
	return store_run(st, s, err, "consent add");
}

enum tn_code store_consent_check(struct store *st, const char *hash_hex, const char *holder,
				 const char *scenario, long long now, int *ok, struct tn_err *err)
{
	sqlite3_stmt *s;
	int rc;

	*ok = 0;
	STMT_OR_FAIL(s, st, "SELECT 1 FROM consents WHERE hash = ? AND holder = ? AND scenario = ? "
		     "AND expires_epoch > ?", err);
	store_bind_text(s, 1, hash_hex);
	store_bind_text(s, 2, holder);
	store_bind_text(s, 3, scenario);
	sqlite3_bind_int64(s, 4, now);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		*ok = 1;
	else if (rc != SQLITE_DONE)
		return store_fail(st, err, "consent check");
	return TN_OK;
}
