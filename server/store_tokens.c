/* store_tokens.c — the API tokens store: adding a token and finding one by the hash of its secret. */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

/*
 * Schema 10 -> 11: tokens expire, are revoked and remember their last use
 * (written at most once a minute); consents (store_certs.c, H2) get the kinds
 * they cover and their revocation.
 */
const char store_tokens_admin_schema[] =
	"ALTER TABLE tokens ADD COLUMN expires_at TEXT;"
	"ALTER TABLE tokens ADD COLUMN revoked_at TEXT;"
	"ALTER TABLE tokens ADD COLUMN last_used_at TEXT;"
	"ALTER TABLE consents ADD COLUMN kinds TEXT;"
	"ALTER TABLE consents ADD COLUMN revoked_at TEXT;";

enum tn_code store_token_add(struct store *st, const char *hash_hex, const char *role,
			     const char *name, const char *dept, const char *subject,
			     struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO tokens (hash, name, role, dept, subject) "
			       "VALUES (?, ?, ?, ?, ?)", err);

	if (!s)
		return store_errcode(err);
	store_bind_text(s, 1, hash_hex);
	store_bind_text(s, 2, name);
	store_bind_text(s, 3, role);
	store_bind_text(s, 4, dept);
	store_bind_text(s, 5, subject);
	return store_insert(st, s, err, "token add", "token already exists");
}

enum tn_code store_token_lookup(struct store *st, const char *hash_hex, struct store_token *tok,
				struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id, name, role, dept, subject FROM tokens "
			       "WHERE hash = ?", err);
	int rc;

	memset(tok, 0, sizeof(*tok));
	if (!s)
		return store_errcode(err);
	store_bind_text(s, 1, hash_hex);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		tok->id = (long)sqlite3_column_int64(s, 0);
		tok->name = store_col_dup(s, 1);
		tok->role = store_col_dup(s, 2);
		tok->dept = store_col_dup(s, 3);
		tok->subject = store_col_dup(s, 4);
		sqlite3_reset(s);
		return TN_OK;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return tn_err_set(err, TN_ENOTFOUND, "unknown token");
	return store_fail(st, err, "token lookup");
}

void store_token_release(struct store_token *tok)
{
	free(tok->name);
	free(tok->role);
	free(tok->dept);
	free(tok->subject);
	memset(tok, 0, sizeof(*tok));
}
