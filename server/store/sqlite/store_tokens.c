/* store_tokens.c — the API tokens store: adding, finding, listing, revoking and rotating tokens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

enum tn_code sqlite_token_when(struct store *st, const char *in, char *out, size_t size,
			      struct tn_err *err)
{
	sqlite3_stmt *s;
	const char *v;
	enum tn_code code = TN_OK;

	STMT_OR_FAIL(s, st, "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', ?)", err);
	store_bind_text(s, 1, in);
	if (sqlite3_step(s) != SQLITE_ROW)
		code = store_fail(st, err, "token time");
	else if (!(v = (const char *)sqlite3_column_text(s, 0)) ||
		 strspn(in, "0123456789-") < 10)
		code = tn_err_set(err, TN_EINVALID, "'%s' is not a date (YYYY-MM-DD) or a UTC "
				  "time (YYYY-MM-DDTHH:MM:SSZ)", in);
	else
		snprintf(out, size, "%s", v);
	sqlite3_reset(s);
	return code;
}

enum tn_code sqlite_token_add(struct store *st, const char *hash_hex, const char *role,
			     const char *name, const char *dept, const char *subject,
			     struct tn_err *err)
{
	return sqlite_token_add_until(st, hash_hex, role, name, dept, subject, NULL, NULL, err);
}

enum tn_code sqlite_token_add_until(struct store *st, const char *hash_hex, const char *role,
				   const char *name, const char *dept, const char *subject,
				   const char *expires, long *id, struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO tokens (hash, name, role, dept, subject, "
			       "expires_at) VALUES (?, ?, ?, ?, ?, ?)", err);
	enum tn_code code;

	st->token_writes++;     /* the tokens this connection keeps are dropped */
	if (!s)
		return store_errcode(err);
	store_bind_text(s, 1, hash_hex);
	store_bind_text(s, 2, name);
	store_bind_text(s, 3, role);
	store_bind_text(s, 4, dept);
	store_bind_text(s, 5, subject);
	store_bind_text(s, 6, expires);
	code = store_insert(st, s, err, "token add", "token already exists");
	if (code == TN_OK && id)
		*id = (long)sqlite3_last_insert_rowid(st->db);
	return code;
}

/*
 * The tokens a connection found, kept while nothing changed: a worker's
 * GET /v1/certs/{id} finds its token here, inside the snapshot
 * store_certs_read_begin holds, instead of running the lookup.  The entries
 * hold while PRAGMA data_version (it changes when another connection
 * commits: another worker, a twonetd command, the sqlite3 shell) and this
 * connection's own writes to tokens (st->token_writes) are as they were when
 * the entries were found; then all are dropped.  Each keeps the token's
 * expiry and last use in seconds, compared with the clock at every use: an
 * expired token is looked up again (and not found), and tok->touch is what
 * the lookup's SQL would say.  Only inside a transaction: outside, the
 * version would cost a read transaction of its own.
 */
#define TOKEN_CACHE 64

struct token_entry {
	char hash[65];          /* "" when free */
	struct store_token tok;
	long long expires;      /* seconds; 0 never */
	long long used;         /* seconds of the last use; 0 none */
};

struct token_cache {
	int valid;
	int version;            /* PRAGMA data_version */
	long writes;            /* st->token_writes */
	struct token_entry e[TOKEN_CACHE];
};

static void entry_clear(struct token_entry *e)
{
	store_token_release(&e->tok);
	e->hash[0] = '\0';
}

void store_tokens_forget(struct store *st)
{
	if (!st || !st->tokens)
		return;
	for (int i = 0; i < TOKEN_CACHE; i++)
		entry_clear(&st->tokens->e[i]);
	free(st->tokens);
	st->tokens = NULL;
}

static char *dup_or_null(const char *v)
{
	return v ? tn_xstrdup(v) : NULL;
}

static void tok_copy(struct store_token *to, const struct store_token *from)
{
	to->id = from->id;
	to->name = dup_or_null(from->name);
	to->role = dup_or_null(from->role);
	to->dept = dup_or_null(from->dept);
	to->subject = dup_or_null(from->subject);
}

int sqlite_snapshot_version(struct store *st, int *version)
{
	sqlite3_stmt *s;

	if (sqlite3_get_autocommit(st->db))
		return -1;
	/* within one of our read snapshots it cannot change: read once (its first read takes it) */
	if (st->read_held && st->snap_version_ok) {
		*version = st->snap_version;
		return 0;
	}
	if (!(s = store_stmt(st, "PRAGMA data_version", NULL)))
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return -1;
	}
	*version = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (st->read_held) {
		st->snap_version = *version;
		st->snap_version_ok = 1;
	}
	return 0;
}

/* The entry for `hash_hex` (free or another's), the cache emptied when anything changed; NULL: no cache. */
static struct token_entry *cache_slot(struct store *st, const char *hash_hex)
{
	struct token_cache *c;
	int version;
	unsigned slot = 0;

	if (sqlite_snapshot_version(st, &version) < 0)
		return NULL;
	if (!st->tokens)
		st->tokens = tn_xcalloc(1, sizeof(*st->tokens));
	c = st->tokens;
	if (!c->valid || c->version != version || c->writes != st->token_writes) {
		for (int i = 0; i < TOKEN_CACHE; i++)
			entry_clear(&c->e[i]);
		c->valid = 1;
		c->version = version;
		c->writes = st->token_writes;
	}
	for (int i = 0; i < 8 && hash_hex[i]; i++)
		slot = slot * 31 + (unsigned char)hash_hex[i];
	return &c->e[slot % TOKEN_CACHE];
}

/*
 * Only a token neither revoked nor past its expiry is found; tok->touch says
 * its stored last use is over a minute old (or none), for sqlite_token_touch.
 */
enum tn_code sqlite_token_lookup(struct store *st, const char *hash_hex, struct store_token *tok,
				struct tn_err *err)
{
	struct token_entry *e = cache_slot(st, hash_hex);
	long long now = (long long)time(NULL);
	sqlite3_stmt *s;
	int rc;

	memset(tok, 0, sizeof(*tok));
	if (e && e->hash[0] && strcmp(e->hash, hash_hex) == 0) {
		if (!e->expires || e->expires > now) {
			tok_copy(tok, &e->tok);
			tok->touch = e->used < now - 60;
			return TN_OK;
		}
		entry_clear(e);         /* expired: the lookup says so */
	}
	s = store_stmt(st, "SELECT id, name, role, dept, subject, "
		       "last_used_at IS NULL OR last_used_at < strftime('%Y-%m-%dT%H:%M:%SZ', "
		       "'now', '-60 seconds'), CAST(strftime('%s', expires_at) AS INTEGER), "
		       "CAST(strftime('%s', last_used_at) AS INTEGER) FROM tokens WHERE hash = ? "
		       "AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > " NOW_SQL ")",
		       err);
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
		tok->touch = sqlite3_column_int(s, 5);
		if (e && strlen(hash_hex) < sizeof(e->hash)) {
			entry_clear(e);
			snprintf(e->hash, sizeof(e->hash), "%s", hash_hex);
			tok_copy(&e->tok, tok);
			e->expires = sqlite3_column_int64(s, 6);
			e->used = sqlite3_column_int64(s, 7);
		}
		sqlite3_reset(s);
		return TN_OK;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return tn_err_set(err, TN_ENOTFOUND, "unknown token");
	return store_fail(st, err, "token lookup");
}

static void touch_id(struct store *st, long id)
{
	sqlite3_stmt *u;

	st->token_writes++;
	u = store_stmt(st, "UPDATE tokens SET last_used_at = " NOW_SQL " WHERE id = ?", NULL);
	if (u) {
		sqlite3_bind_int64(u, 1, id);
		sqlite3_step(u);
		sqlite3_reset(u);
	}
}

/* Inside a snapshot held across requests (store_certs_read_hold), the touch waits for its end. */
void sqlite_token_touch(struct store *st, struct store_token *tok)
{
	int i;

	if (!tok->touch || !tok->id)
		return;
	if (!sqlite3_get_autocommit(st->db)) {
		if (!st->read_hold || !st->read_held)
			return;
		for (i = 0; i < st->ntouch && st->touch_ids[i] != tok->id; i++)
			;
		if (i == st->ntouch && st->ntouch < (int)(sizeof(st->touch_ids) / sizeof(st->touch_ids[0])))
			st->touch_ids[st->ntouch++] = tok->id;
		tok->touch = 0;
		return;
	}
	tok->touch = 0;
	touch_id(st, tok->id);
}

void sqlite_token_touch_deferred(struct store *st)
{
	int n = st->ntouch;

	st->ntouch = 0;
	if (!sqlite3_get_autocommit(st->db))
		return;
	for (int i = 0; i < n; i++)
		touch_id(st, st->touch_ids[i]);
}

#define TOKEN_COLS "id, name, role, dept, subject, created_at, expires_at, revoked_at, " \
	"last_used_at, CASE WHEN revoked_at IS NOT NULL THEN 'revoked' WHEN expires_at IS NOT " \
	"NULL AND expires_at <= " NOW_SQL " THEN 'expired' ELSE 'active' END"

static jv token_row(sqlite3_stmt *s)
{
	static const char *const names[] = { "id", "name", "role", "dept", "subject",
					     "created_at", "expires_at", "revoked_at",
					     "last_used_at", "state" };
	jv o = jv_object();

	o = jv_object_set(o, jv_string("id"), jv_number((double)sqlite3_column_int64(s, 0)));
	for (int i = 1; i < 10; i++)
		o = jv_object_set(o, jv_string(names[i]), store_col_text(s, i));
	return o;
}

enum tn_code sqlite_token_list(struct store *st, const char *dept, int all, jv *items,
			      struct tn_err *err)
{
	struct store_query q;
	sqlite3_stmt *s;
	int rc;

	*items = jv_array();
	store_q_init(&q, "SELECT " TOKEN_COLS " FROM tokens WHERE 1");
	if (dept)
		store_q_text(&q, " AND role = 'clerk' AND dept = ?", dept);
	if (!all)
		store_q_add(&q, " AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > "
			    NOW_SQL ")");
	store_q_add(&q, " ORDER BY id");
	if (!(s = store_q_stmt(st, &q, err)))
		return store_errcode(err);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*items = jv_array_append(*items, token_row(s));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, "token list");
	return TN_OK;
}

enum tn_code sqlite_token_get(struct store *st, long id, jv *doc, struct tn_err *err)
{
	sqlite3_stmt *s;
	int rc;

	*doc = jv_null();
	STMT_OR_FAIL(s, st, "SELECT " TOKEN_COLS " FROM tokens WHERE id = ?", err);
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*doc = token_row(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return TN_OK;
	if (rc == SQLITE_DONE)
		return tn_err_set(err, TN_ENOTFOUND, "no token %ld", id);
	return store_fail(st, err, "token get");
}

/* Revoke inside the caller's transaction, or none. */
static enum tn_code revoke(struct store *st, long id, struct tn_err *err)
{
	sqlite3_stmt *s;
	jv doc;
	enum tn_code code;

	st->token_writes++;
	STMT_OR_FAIL(s, st, "UPDATE tokens SET revoked_at = " NOW_SQL
		     " WHERE id = ? AND revoked_at IS NULL", err);
	sqlite3_bind_int64(s, 1, id);
	if ((code = store_run(st, s, err, "token revoke")) != TN_OK)
		return code;
	if (sqlite3_changes(st->db) == 1)
		return TN_OK;
	if ((code = sqlite_token_get(st, id, &doc, err)) != TN_OK)
		return code;
	jv_free(doc);
	return tn_err_set(err, TN_ECONFLICT, "token %ld is already revoked", id);
}

enum tn_code sqlite_token_revoke(struct store *st, long id, struct tn_err *err)
{
	return revoke(st, id, err);
}

enum tn_code sqlite_token_rotate(struct store *st, long id, const char *hash_hex, long *new_id,
				struct tn_err *err)
{
	sqlite3_stmt *s;
	enum tn_code code;

	if ((code = store_begin(st, err)) != TN_OK)
		return code;
	if ((code = revoke(st, id, err)) != TN_OK)
		goto fail;
	if (!(s = store_stmt(st, "INSERT INTO tokens (hash, name, role, dept, subject, expires_at) "
			     "SELECT ?, name, role, dept, subject, expires_at FROM tokens WHERE id = ?",
			     err))) {
		code = store_errcode(err);
		goto fail;
	}
	store_bind_text(s, 1, hash_hex);
	sqlite3_bind_int64(s, 2, id);
	if ((code = store_insert(st, s, err, "token rotate", "token already exists")) != TN_OK)
		goto fail;
	*new_id = (long)sqlite3_last_insert_rowid(st->db);
	if ((code = store_commit(st, err)) != TN_OK)
		goto fail;
	return TN_OK;
fail:
	store_rollback(st);
	return code;
}
