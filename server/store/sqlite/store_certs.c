/* store_certs.c — the certs tables of twonetd's SQLite storage: the schema, transactions, certificates, issuers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tn_buf.h"
#include "tn_cert.h"
#include "store_int.h"
#include "store_certs.h"

/*
 * Migration 1 -> 2.  The audit table is append-only: triggers abort any
 * UPDATE or DELETE, and audit_head keeps the count and the last hash so that
 * a deleted tail shows too.
 */
const char store_certs_schema[] =
	"CREATE TABLE issuers ("
	"  key_id TEXT PRIMARY KEY,"
	"  dept TEXT NOT NULL,"
	"  uscc TEXT NOT NULL,"
	"  public_key TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  retired_at TEXT);"
	"CREATE INDEX issuers_dept ON issuers (dept, created_at);"
	"CREATE TABLE cert_serials ("
	"  kind TEXT NOT NULL,"
	"  issuer TEXT NOT NULL,"
	"  year TEXT NOT NULL,"
	"  last INTEGER NOT NULL,"
	"  PRIMARY KEY (kind, issuer, year)) WITHOUT ROWID;"
	"CREATE TABLE certs ("
	"  id TEXT PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  holder TEXT NOT NULL,"
	"  dept TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'valid',"
	"  revoked_at TEXT,"
	"  revoke_reason TEXT,"
	"  token_id INTEGER,"
	"  idem_key TEXT,"
	"  idem_hash TEXT,"
	"  doc TEXT NOT NULL,"
	"  UNIQUE (token_id, idem_key));"
	"CREATE INDEX certs_holder ON certs (holder, id);"
	"CREATE TABLE consents ("
	"  hash TEXT PRIMARY KEY,"
	"  holder TEXT NOT NULL,"
	"  scenario TEXT NOT NULL,"
	"  expires_at TEXT NOT NULL,"
	"  expires_epoch INTEGER NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  created_by TEXT NOT NULL);"
	"CREATE TABLE audit ("
	"  seq INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  cert TEXT,"
	"  holder TEXT,"
	"  purpose TEXT,"
	"  outcome TEXT NOT NULL,"
	"  prev_hash TEXT NOT NULL,"
	"  hash TEXT NOT NULL);"
	"CREATE INDEX audit_holder ON audit (holder, seq);"
	"CREATE INDEX audit_cert ON audit (cert, seq);"
	"CREATE TABLE audit_head ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  seq INTEGER NOT NULL,"
	"  hash TEXT NOT NULL);"
	"INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '" TN_CERT_AUDIT_GENESIS "');"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
	"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
	"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
	"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

/*
 * Migration 6 -> 7: the holders' one-time consent codes (POST
 * /v1/consents/codes).  A clerk reads a holder's certificates only for a case
 * that rests on the holder's own act: a case the holder filed, or a code the
 * holder made and the clerk redeemed (used_by, used_dept, used_epoch).  Only
 * the code's SHA-256 is stored.  IF NOT EXISTS: a database whose user_version
 * was set back by hand (tests of older schemas) migrates again.
 */
const char store_certs_codes_schema[] =
	"CREATE TABLE IF NOT EXISTS consent_codes ("
	"  hash TEXT PRIMARY KEY,"
	"  holder TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  expires_epoch INTEGER NOT NULL,"
	"  used_by INTEGER,"
	"  used_dept TEXT,"
	"  used_epoch INTEGER);"
	"CREATE INDEX IF NOT EXISTS consent_codes_holder ON consent_codes (holder, used_dept);";

void sqlite_certs_tune(struct store *st)
{
	/* a larger page cache: fewer reads of a large database */
	sqlite3_exec(st->db, "PRAGMA cache_size = -65536", NULL, NULL, NULL);
}

/* BEGIN (deferred: the first read takes the snapshot) when none is open. */
void sqlite_certs_read_begin(struct store *st)
{
	sqlite3_stmt *s;

	if (st->read_held || !sqlite3_get_autocommit(st->db) || !(s = store_stmt(st, "BEGIN", NULL)))
		return;
	st->read_held = sqlite3_step(s) == SQLITE_DONE;
	st->snap_version_ok = 0;
	sqlite3_reset(s);
}

void sqlite_certs_read_end(struct store *st)
{
	sqlite3_stmt *s;

	if (!st->read_held || st->read_hold)
		return;
	st->read_held = 0;
	st->snap_version_ok = 0;
	if (sqlite3_get_autocommit(st->db))
		return;
	if ((s = store_stmt(st, "COMMIT", NULL)) != NULL) {
		sqlite3_step(s);
		sqlite3_reset(s);
	}
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

void sqlite_certs_read_release(struct store *st)
{
	int hold = st->read_hold;

	st->read_hold = 0;
	sqlite_certs_read_end(st);
	st->read_hold = hold;
	sqlite_token_touch_deferred(st);
}

void sqlite_certs_read_hold(struct store *st, int on)
{
	if (!on)
		sqlite_certs_read_release(st);
	st->read_hold = on;
}

enum tn_code sqlite_certs_commit(struct store *st, struct tn_err *err)
{
	enum tn_code code = store_commit(st, err);

	store_busy_default(st);
	return code;
}

void sqlite_certs_rollback(struct store *st)
{
	store_rollback(st);
	store_busy_default(st);
}

const char *sqlite_certs_db_path(struct store *st)
{
	return st->path;
}

/* ---- issuers ---- */

enum tn_code sqlite_issuer_add(struct store *st, const char *dept, const char *uscc,
			      const char *key_id, const char *pem, const char *created_at,
			      struct tn_err *err)
{
	sqlite3_stmt *s;
	enum tn_code code;

	if ((code = store_begin(st, err)) != TN_OK)
		return code;
	code = store_do(st, err, "issuer retire", "UPDATE issuers SET retired_at = ? WHERE dept = ? "
			"AND retired_at IS NULL", "tt", created_at, dept);
	if (code != TN_OK)
		goto out;
	s = store_prep(st, err, "INSERT INTO issuers (key_id, dept, uscc, public_key, created_at) "
		       "VALUES (?, ?, ?, ?, ?)", "ttttt", key_id, dept, uscc, pem, created_at);
	if (!s) {
		code = store_errcode(err);
		goto out;
	}
	code = store_insert(st, s, err, "issuer add", "key '%s' is already recorded", key_id);
out:
	return store_end(st, code, err);
}

enum tn_code sqlite_issuer_list(struct store *st, jv *items, struct tn_err *err)
{
	sqlite3_stmt *s;
	int rc;

	*items = jv_array();
	STMT_OR_FAIL(s, st, "SELECT dept, uscc, key_id, public_key, created_at, retired_at "
		     "FROM issuers ORDER BY dept, created_at, key_id", err);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		jv o = jv_object();

		o = jv_object_set(o, jv_string("dept"), store_col_text(s, 0));
		o = jv_object_set(o, jv_string("uscc"), store_col_text(s, 1));
		o = jv_object_set(o, jv_string("key_id"), store_col_text(s, 2));
		o = jv_object_set(o, jv_string("alg"), jv_string("SM2"));
		o = jv_object_set(o, jv_string("public_key"), store_col_text(s, 3));
		o = jv_object_set(o, jv_string("created_at"), store_col_text(s, 4));
		o = jv_object_set(o, jv_string("retired_at"), store_col_text(s, 5));
		*items = jv_array_append(*items, o);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, "issuer list");
	return TN_OK;
}

enum tn_code sqlite_issuer_current(struct store *st, const char *dept, char **key_id,
				  struct tn_err *err)
{
	sqlite3_stmt *s;
	int rc;

	*key_id = NULL;
	STMT_OR_FAIL(s, st, "SELECT key_id FROM issuers WHERE dept = ? AND retired_at IS NULL "
		     "ORDER BY created_at DESC LIMIT 1", err);
	store_bind_text(s, 1, dept);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*key_id = store_col_dup(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return TN_OK;
	if (rc == SQLITE_DONE)
		return tn_err_set(err, TN_ENOTFOUND, "department '%s' has no issuer key", dept);
	return store_fail(st, err, "issuer current");
}

/* ---- certificates ---- */

enum tn_code sqlite_cert_serials(struct store *st, const char *kind, const char *issuer,
				const char *year, long n, long *first, struct tn_err *err)
{
	sqlite3_stmt *s;
	int own = sqlite3_get_autocommit(st->db);
	enum tn_code code = TN_OK;
	int rc;

	*first = 0;
	if (own && (code = store_begin(st, err)) != TN_OK)
		return code;
	code = store_do(st, err, "serial reserve", "INSERT INTO cert_serials (kind, issuer, year, "
			"last) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (kind, issuer, year) DO UPDATE "
			"SET last = last + ?4", "tttl", kind, issuer, year, n);
	if (code != TN_OK)
		goto out;
	s = store_prep(st, err, "SELECT last FROM cert_serials WHERE kind = ? AND issuer = ? AND "
		       "year = ?", "ttt", kind, issuer, year);
	if (!s) {
		code = store_errcode(err);
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*first = (long)sqlite3_column_int64(s, 0) - n + 1;
	else
		code = store_fail(st, err, "serial reserve");
	sqlite3_reset(s);
	if (code == TN_OK && own)
		code = store_commit(st, err);
out:
	if (code != TN_OK && own)
		store_rollback(st);
	return code;
}

enum tn_code sqlite_cert_insert(struct store *st, const struct store_cert_row *row,
			       struct tn_err *err)
{
	sqlite3_stmt *s;

	STMT_OR_FAIL(s, st, "INSERT INTO certs (id, kind, holder, dept, token_id, idem_key, idem_hash, doc) "
		     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", err);
	store_bind_text(s, 1, row->id);
	store_bind_text(s, 2, row->kind);
	store_bind_text(s, 3, row->holder);
	store_bind_text(s, 4, row->dept);
	if (row->token_id >= 0)
		sqlite3_bind_int64(s, 5, row->token_id);
	else
		sqlite3_bind_null(s, 5);
	store_bind_text(s, 6, row->idem_key);
	store_bind_text(s, 7, row->idem_hash);
	store_bind_text(s, 8, row->doc);
	return store_insert(st, s, err, "certificate insert", "certificate '%s' or its "
			    "idempotency key is already recorded", row->id);
}

enum tn_code sqlite_cert_idem(struct store *st, long token_id, const char *idem_key,
			     char **hash, jv *doc, struct tn_err *err)
{
	sqlite3_stmt *s;
	int rc;

	*hash = NULL;
	*doc = jv_invalid();
	STMT_OR_FAIL(s, st, "SELECT idem_hash, doc FROM certs WHERE token_id = ? AND idem_key = ?",
		     err);
	sqlite3_bind_int64(s, 1, token_id);
	store_bind_text(s, 2, idem_key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*hash = store_col_dup(s, 0);
		*doc = store_col_json(s, 1);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return TN_OK;
	if (rc == SQLITE_DONE)
		return tn_err_set(err, TN_ENOTFOUND, "no certificate under key '%s'", idem_key);
	return store_fail(st, err, "certificate idempotency");
}

enum tn_code sqlite_cert_get_text(struct store *st, const char *id, char **doc, char **holder,
				 char **dept, struct tn_err *err)
{
	sqlite3_stmt *s;
	int rc, cached;

	if (doc)
		*doc = NULL;
	if (holder)
		*holder = NULL;
	if (dept)
		*dept = NULL;
	/* a read's lookup (all three asked for): kept while nothing changed */
	cached = doc && holder && dept ? sqlite_cert_cache_get(st, id, doc, holder, dept) : -2;
	if (cached == 1)
		return TN_OK;
	if (cached == 0)
		return tn_err_set(err, TN_ENOTFOUND, "no certificate '%s'", id);
	STMT_OR_FAIL(s, st, "SELECT doc, holder, dept FROM certs WHERE id = ?", err);
	store_bind_text(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (doc)
			*doc = store_col_dup(s, 0);
		if (holder)
			*holder = store_col_dup(s, 1);
		if (dept)
			*dept = store_col_dup(s, 2);
	}
	sqlite3_reset(s);
	if (cached == -1 && rc == SQLITE_ROW && *doc)
		sqlite_cert_cache_put(st, id, *doc, *holder, *dept);
	else if (cached == -1 && rc == SQLITE_DONE)
		sqlite_cert_cache_put(st, id, NULL, NULL, NULL);
	if (rc == SQLITE_ROW)
		return TN_OK;
	if (rc == SQLITE_DONE)
		return tn_err_set(err, TN_ENOTFOUND, "no certificate '%s'", id);
	return store_fail(st, err, "certificate get");
}

enum tn_code sqlite_cert_get(struct store *st, const char *id, jv *doc, struct tn_err *err)
{
	char *text;
	enum tn_code code = sqlite_cert_get_text(st, id, &text, NULL, NULL, err);

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

enum tn_code sqlite_cert_list(struct store *st, const struct store_cert_filter *f,
			     struct tn_buf *out, char **next, struct tn_err *err)
{
	size_t mark = out->len;
	struct store_query q;
	int rc;
	long count = 0;
	char *last = NULL;
	sqlite3_stmt *s;
	enum tn_code code = TN_OK;

	*next = NULL;
	store_q_init(&q, "SELECT id, doc FROM certs WHERE 1");
	if (f->holder)
		store_q_text(&q, " AND holder = ?", f->holder);
	if (f->kind)
		store_q_text(&q, " AND kind = ?", f->kind);
	if (f->dept)
		store_q_text(&q, " AND dept = ?", f->dept);
	if (f->status)
		store_q_text(&q, " AND status = ?", f->status);
	if (f->after)
		store_q_text(&q, " AND id > ?", f->after);
	store_q_num(&q, " ORDER BY id LIMIT ?", f->limit + 1);
	if (!(s = store_q_stmt(st, &q, err)))
		return store_errcode(err);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (count == f->limit) {
			*next = last;
			last = NULL;
			break;
		}
		if (count)
			tn_buf_addch(out, ',');
		tn_buf_add(out, sqlite3_column_text(s, 1), (size_t)sqlite3_column_bytes(s, 1));
		free(last);
		last = store_col_dup(s, 0);
		count++;
	}
	free(last);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		code = store_fail(st, err, "certificate list");
	sqlite3_reset(s);
	if (code != TN_OK) {
		free(*next);
		*next = NULL;
		tn_buf_setlen(out, mark);
	}
	return code;
}

enum tn_code sqlite_cert_revoke(struct store *st, const char *id, const char *at,
			       const char *reason, jv doc, struct tn_err *err)
{
	enum tn_code code;
	jv text = jv_dump_string(doc, 0);

	code = store_do(st, err, "certificate revoke", "UPDATE certs SET status = 'revoked', "
			"revoked_at = ?, revoke_reason = ?, doc = ? WHERE id = ? AND status = 'valid'",
			"tttt", at, reason, jv_string_value(text), id);
	jv_free(text);
	if (code != TN_OK)
		return code;
	if (sqlite3_changes(st->db) == 1)
		return TN_OK;
	if (sqlite_cert_get_text(st, id, NULL, NULL, NULL, err) != TN_OK)
		return err ? err->code : TN_ENOTFOUND;
	return tn_err_set(err, TN_ECONFLICT, "certificate '%s' is already revoked", id);
}
