/* pg_tokens.c — the API tokens in PostgreSQL: adding, finding, listing, revoking and rotating tokens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"

/*
 * The forms of a time SQLite's strftime() reads that token_when takes (a
 * date, a time, a zone), for PostgreSQL to read the same way: without a
 * zone a time is UTC (the session's zone, set by pg_open).
 */
#define WHEN_RE "'^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?)?" \
	"([zZ]|[+-][0-9]{2}:[0-9]{2})?$'"

enum tn_code pg_token_when(struct store *st, const char *in, char *out, size_t size,
			   struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;
	struct tn_err e = TN_ERR_INIT;

	code = pg_query(PG(st), &r, &e, "token time", "SELECT CASE WHEN $1 ~ " WHEN_RE
			" THEN tn_utc($1::timestamptz) END", "t", in);
	if (code == TN_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		snprintf(out, size, "%s", PQgetvalue(r, 0, 0));
	else if (code == TN_OK || code == TN_EINVALID)
		code = tn_err_set(err, TN_EINVALID, "'%s' is not a date (YYYY-MM-DD) or a UTC "
				  "time (YYYY-MM-DDTHH:MM:SSZ)", in);
	else
		tn_err_set(err, code, "%s", e.message);
	PQclear(r);
	return code;
}

enum tn_code pg_token_add(struct store *st, const char *hash_hex, const char *role,
			  const char *name, const char *dept, const char *subject,
			  struct tn_err *err)
{
	return pg_token_add_until(st, hash_hex, role, name, dept, subject, NULL, NULL, err);
}

enum tn_code pg_token_add_until(struct store *st, const char *hash_hex, const char *role,
				const char *name, const char *dept, const char *subject,
				const char *expires, long *id, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	code = pg_query(PG(st), &r, err, "token add", "INSERT INTO tokens (hash, name, role, dept, "
			"subject, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
			"tttttt", hash_hex, name, role, dept, subject, expires);
	if (code == TN_ECONFLICT)
		return tn_err_set(err, TN_ECONFLICT, "token already exists");
	if (code == TN_OK && id)
		*id = pg_long(r, 0, 0);
	PQclear(r);
	return code;
}

enum tn_code pg_token_lookup(struct store *st, const char *hash_hex, struct store_token *tok,
			     struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	memset(tok, 0, sizeof(*tok));
	code = pg_query(PG(st), &r, err, "token lookup", "SELECT id, name, role, dept, subject, "
			"last_used_at IS NULL OR last_used_at < tn_utc(statement_timestamp() - "
			"interval '60 seconds') FROM tokens WHERE hash = $1 AND revoked_at IS NULL "
			"AND (expires_at IS NULL OR expires_at > " PG_NOW ")", "t", hash_hex);
	if (code != TN_OK)
		return code;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return tn_err_set(err, TN_ENOTFOUND, "unknown token");
	}
	tok->id = pg_long(r, 0, 0);
	tok->name = pg_dup(r, 0, 1);
	tok->role = pg_dup(r, 0, 2);
	tok->dept = pg_dup(r, 0, 3);
	tok->subject = pg_dup(r, 0, 4);
	tok->touch = !strcmp(PQgetvalue(r, 0, 5), "t");
	PQclear(r);
	return TN_OK;
}

void pg_token_touch(struct store *st, struct store_token *tok)
{
	if (!tok->touch || !tok->id || pg_in_tx(PG(st)))
		return;
	tok->touch = 0;
	pg_query(PG(st), NULL, NULL, "token touch", "UPDATE tokens SET last_used_at = " PG_NOW
		 " WHERE id = $1", "l", tok->id);
}

#define TOKEN_COLS "id, name, role, dept, subject, created_at, expires_at, revoked_at, " \
	"last_used_at, CASE WHEN revoked_at IS NOT NULL THEN 'revoked' WHEN expires_at IS NOT " \
	"NULL AND expires_at <= " PG_NOW " THEN 'expired' ELSE 'active' END"

static jv token_row(const PGresult *r, int row)
{
	static const char *const names[] = { "id", "name", "role", "dept", "subject",
					     "created_at", "expires_at", "revoked_at",
					     "last_used_at", "state" };
	jv o = jv_object();

	o = jv_object_set(o, jv_string("id"), jv_number((double)pg_long(r, row, 0)));
	for (int i = 1; i < 10; i++)
		o = jv_object_set(o, jv_string(names[i]), pg_text(r, row, i));
	return o;
}

enum tn_code pg_token_list(struct store *st, const char *dept, int all, jv *items,
			   struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*items = jv_array();
	code = pg_query(PG(st), &r, err, "token list", "SELECT " TOKEN_COLS " FROM tokens "
			"WHERE ($1::text IS NULL OR (role = 'clerk' AND dept = $1)) "
			"AND ($2 OR (revoked_at IS NULL AND (expires_at IS NULL OR expires_at > "
			PG_NOW "))) ORDER BY id", "tt", dept, all ? "true" : "false");
	if (code != TN_OK)
		return code;
	for (int i = 0; i < PQntuples(r); i++)
		*items = jv_array_append(*items, token_row(r, i));
	PQclear(r);
	return TN_OK;
}

enum tn_code pg_token_get(struct store *st, long id, jv *doc, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*doc = jv_null();
	code = pg_query(PG(st), &r, err, "token get", "SELECT " TOKEN_COLS " FROM tokens "
			"WHERE id = $1", "l", id);
	if (code != TN_OK)
		return code;
	if (PQntuples(r) == 1)
		*doc = token_row(r, 0);
	else
		code = tn_err_set(err, TN_ENOTFOUND, "no token %ld", id);
	PQclear(r);
	return code;
}

/* Revoke inside the caller's transaction, or none. */
static enum tn_code revoke(struct store *st, long id, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;
	int n;
	jv doc;

	code = pg_query(PG(st), &r, err, "token revoke", "UPDATE tokens SET revoked_at = " PG_NOW
			" WHERE id = $1 AND revoked_at IS NULL RETURNING id", "l", id);
	if (code != TN_OK)
		return code;
	n = PQntuples(r);
	PQclear(r);
	if (n == 1)
		return TN_OK;
	if ((code = pg_token_get(st, id, &doc, err)) != TN_OK)
		return code;
	jv_free(doc);
	return tn_err_set(err, TN_ECONFLICT, "token %ld is already revoked", id);
}

enum tn_code pg_token_revoke(struct store *st, long id, struct tn_err *err)
{
	return revoke(st, id, err);
}

enum tn_code pg_token_rotate(struct store *st, long id, const char *hash_hex, long *new_id,
			     struct tn_err *err)
{
	struct pg_store *p = PG(st);
	PGresult *r = NULL;
	enum tn_code code;

	if ((code = pg_begin(p, err)) != TN_OK)
		return code;
	if ((code = revoke(st, id, err)) == TN_OK) {
		code = pg_query(p, &r, err, "token rotate", "INSERT INTO tokens (hash, name, role, "
				"dept, subject, expires_at) SELECT $1, name, role, dept, subject, "
				"expires_at FROM tokens WHERE id = $2 RETURNING id", "tl", hash_hex, id);
		if (code == TN_ECONFLICT)
			tn_err_set(err, TN_ECONFLICT, "token already exists");
		else if (code == TN_OK)
			*new_id = pg_long(r, 0, 0);
		PQclear(r);
	}
	return pg_end(p, code, err);
}
