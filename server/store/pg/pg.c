/* pg.c — twonetd's PostgreSQL storage: connecting, the schema version and its migrations, the query helpers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "pg_int.h"

/* Serializes concurrent migrations (twonetd init on several hosts at once). */
#define PG_MIGRATE_LOCK "7106110"

/* At most this many values in one query. */
#define PG_MAX_PARAMS 32

static void no_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* libpq's message on one line (its lines joined by a space, no trailing newline), into buf. */
static const char *conn_message(PGconn *c, char *buf, size_t size)
{
	const char *m = c ? PQerrorMessage(c) : "out of memory";
	size_t n = 0;

	for (; *m && n + 1 < size; m++) {
		if (*m == '\n' || *m == '\t' || *m == ' ') {
			if (n > 0 && buf[n - 1] != ' ')
				buf[n++] = ' ';
		} else {
			buf[n++] = *m;
		}
	}
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
	return buf;
}

/* The code a failed result (or none: the connection failed) maps to. */
static enum tn_code result_code(PGconn *c, const PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	if (!state)
		return PQstatus(c) == CONNECTION_OK ? TN_EINTERNAL : TN_ESERVER;
	if (!strcmp(state, "23505") || !strcmp(state, "23P01"))
		return TN_ECONFLICT;
	if (!strncmp(state, "22", 2))           /* data exception: a value the server refused */
		return TN_EINVALID;
	/* connection, serialization or deadlock, resources, shutdown: try again later */
	if (!strncmp(state, "08", 2) || !strncmp(state, "40", 2) || !strncmp(state, "53", 2) ||
	    !strncmp(state, "57", 2))
		return TN_ESERVER;
	return TN_EINTERNAL;
}

enum tn_code pg_errcode(const struct tn_err *err)
{
	return err && err->code != TN_OK ? err->code : TN_EINTERNAL;
}

int pg_in_tx(struct pg_store *p)
{
	PGTransactionStatusType t = PQtransactionStatus(p->conn);

	return p->tx || t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* Send the query; *res the result (PQclear is the caller's), TN_OK or the failure in err. */
static enum tn_code run(struct pg_store *p, PGresult **res, struct tn_err *err, const char *what,
			const char *sql, int n, const char *const *vals)
{
	PGresult *r;
	ExecStatusType s;
	enum tn_code code;
	char msg[512];

	*res = NULL;
	if (PQstatus(p->conn) != CONNECTION_OK && !p->tx)
		PQreset(p->conn);
	r = n ? PQexecParams(p->conn, sql, n, NULL, vals, NULL, NULL, 0) : PQexec(p->conn, sql);
	s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
		*res = r;
		return TN_OK;
	}
	code = result_code(p->conn, r);
	if (r && PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY))
		snprintf(msg, sizeof(msg), "%s", PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
	else
		conn_message(p->conn, msg, sizeof(msg));
	PQclear(r);
	return tn_err_set(err, code, "database error in %s: %s", what, msg);
}

enum tn_code pg_query(struct pg_store *p, PGresult **res, struct tn_err *err, const char *what,
		      const char *sql, const char *types, ...)
{
	const char *vals[PG_MAX_PARAMS];
	char nums[PG_MAX_PARAMS][24];
	jv texts[PG_MAX_PARAMS];
	int n = 0, nj = 0;
	PGresult *r = NULL;
	enum tn_code code;
	va_list ap;

	if (res)
		*res = NULL;
	va_start(ap, types);
	for (; types[n] && n < PG_MAX_PARAMS; n++) {
		switch (types[n]) {
		case 't':
			vals[n] = va_arg(ap, const char *);
			break;
		case 'i':
			snprintf(nums[n], sizeof(nums[n]), "%d", va_arg(ap, int));
			vals[n] = nums[n];
			break;
		case 'l':
			snprintf(nums[n], sizeof(nums[n]), "%ld", va_arg(ap, long));
			vals[n] = nums[n];
			break;
		case 'L':
			snprintf(nums[n], sizeof(nums[n]), "%lld", va_arg(ap, long long));
			vals[n] = nums[n];
			break;
		default:        /* 'j' */
			texts[nj] = jv_dump_string(va_arg(ap, jv), 0);
			vals[n] = jv_string_value(texts[nj++]);
			break;
		}
	}
	va_end(ap);
	if (types[n])
		code = tn_err_set(err, TN_EINTERNAL, "%s: more than %d values", what, PG_MAX_PARAMS);
	else
		code = run(p, &r, err, what, sql, n, vals);
	for (int i = 0; i < nj; i++)
		jv_free(texts[i]);
	if (res)
		*res = r;
	else
		PQclear(r);
	return code;
}

enum tn_code pg_query_vals(struct pg_store *p, PGresult **res, struct tn_err *err,
			   const char *what, const char *sql, int n, const char *const *vals)
{
	PGresult *r = NULL;
	enum tn_code code = run(p, &r, err, what, sql, n, vals);

	if (res)
		*res = r;
	else
		PQclear(r);
	return code;
}

enum tn_code pg_doc_by_id(struct pg_store *p, const char *sql, long long id, const char *noun,
			  jv *doc, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;
	char what[48];

	*doc = jv_invalid();
	snprintf(what, sizeof(what), "%s get", noun);
	if ((code = pg_query(p, &r, err, what, sql, "l", (long)id)) != TN_OK)
		return code;
	if (PQntuples(r) == 1)
		*doc = pg_json(r, 0, 0);
	PQclear(r);
	if (jv_is_valid(*doc))
		return TN_OK;
	return tn_err_set(err, TN_ENOTFOUND, "no %s %lld", noun, id);
}

enum tn_code pg_exec(struct pg_store *p, struct tn_err *err, const char *what, const char *sql)
{
	PGresult *r;
	enum tn_code code = run(p, &r, err, what, sql, 0, NULL);

	PQclear(r);
	return code;
}

static enum tn_code begin_with(struct pg_store *p, struct tn_err *err, const char *sql)
{
	enum tn_code code = pg_exec(p, err, "begin", sql);

	if (code == TN_OK)
		p->tx = 1;
	else
		pg_rollback(p);
	return code;
}

enum tn_code pg_begin(struct pg_store *p, struct tn_err *err)
{
	return begin_with(p, err, "BEGIN");
}

enum tn_code pg_begin_snapshot(struct pg_store *p, struct tn_err *err)
{
	return begin_with(p, err, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

void pg_rollback(struct pg_store *p)
{
	if (pg_in_tx(p) && PQstatus(p->conn) == CONNECTION_OK)
		pg_exec(p, NULL, "rollback", "ROLLBACK");
	p->tx = 0;
}

enum tn_code pg_end(struct pg_store *p, enum tn_code code, struct tn_err *err)
{
	if (code == TN_OK)
		code = pg_exec(p, err, "commit", "COMMIT");
	if (code != TN_OK)
		pg_rollback(p);
	p->tx = 0;
	return code;
}

char *pg_dup(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : tn_xstrdup(PQgetvalue(r, row, col));
}

jv pg_text(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? jv_null() : jv_string(PQgetvalue(r, row, col));
}

jv pg_json(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return jv_null();
	return tn_json_parse(PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

long pg_long_or(const PGresult *r, int row, int col, long dflt)
{
	char *end;
	long v;

	if (PQgetisnull(r, row, col))
		return dflt;
	v = strtol(PQgetvalue(r, row, col), &end, 10);
	return *end ? dflt : v;
}

long pg_long(const PGresult *r, int row, int col)
{
	return pg_long_or(r, row, col, 0);
}

/*
 * How messages name the database: the URI as given, or, when it holds a
 * password, postgresql://USER@HOST:PORT/DBNAME rebuilt without it.
 */
static char *display_name(const char *uri)
{
	PQconninfoOption *opts = PQconninfoParse(uri, NULL), *o;
	const char *user = "", *host = "", *port = "", *db = "";
	int secret = 0;
	struct tn_buf b = TN_BUF_INIT;

	if (!opts)
		return tn_xstrdup(uri);
	for (o = opts; o->keyword; o++) {
		const char *v = o->val ? o->val : "";

		if (!strcmp(o->keyword, "password") && *v)
			secret = 1;
		else if (!strcmp(o->keyword, "user"))
			user = v;
		else if (!strcmp(o->keyword, "host"))
			host = v;
		else if (!strcmp(o->keyword, "port"))
			port = v;
		else if (!strcmp(o->keyword, "dbname"))
			db = v;
	}
	if (!secret)
		tn_buf_adds(&b, uri);
	else
		tn_buf_addf(&b, "postgresql://%s%s%s%s%s/%s", user, *user ? "@" : "", host,
			    *port ? ":" : "", port, db);
	PQconninfoFree(opts);
	return tn_buf_detach(&b, NULL);
}

/* The stored schema version: 0 when there is none yet, -1 (err set) on error. */
static int schema_version(struct pg_store *p, struct tn_err *err)
{
	PGresult *r;
	int v = 0;

	if (pg_query(p, &r, err, "schema version", "SELECT to_regclass('schema_version') IS NOT NULL",
		     "") != TN_OK)
		return -1;
	if (PQntuples(r) != 1 || strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
		PQclear(r);
		return 0;
	}
	PQclear(r);
	if (pg_query(p, &r, err, "schema version", "SELECT version FROM schema_version WHERE id = 1",
		     "") != TN_OK)
		return -1;
	if (PQntuples(r) == 1)
		v = (int)pg_long(r, 0, 0);
	PQclear(r);
	return v;
}

/*
 * The script that takes the schema from version v to a later one (*to).
 * A new database gets the whole current schema at once; each later
 * version will add its own script here.  Never edit a released script.
 */
static const char *pg_migration(int v, int *to)
{
	switch (v) {
	case 0: *to = 11; return pg_schema_11;
	case 11: *to = 12; return pg_schema_12;
	case 12: *to = 13; return pg_schema_13;
	/* 13 -> 14 is SQLite's alone: its cases trigger runs BEFORE INSERT, no second write */
	case 13: *to = 14; return "SELECT 1";
	/* 14 -> 15 too: SQLite's audit log moves to a file of its own */
	case 14: *to = 15; return "SELECT 1";
	/* 15 -> 16 too: SQLite's certificate cache's counter (PostgreSQL keeps no cache) */
	case 15: *to = 16; return "SELECT 1";
	/* 16 -> 17: the history's index without the raises (SQLite's store_alerts_raise_unindexed) */
	case 16: *to = 17; return pg_schema_17;
	default: return NULL;
	}
}

enum tn_code pg_migrate(struct store *st, int *from, int *to, struct tn_err *err)
{
	struct pg_store *p = PG(st);
	enum tn_code code;
	int v, next;
	const char *sql;

	if ((code = pg_begin(p, err)) != TN_OK)
		return code;
	code = pg_query(p, NULL, err, "migration", "SELECT pg_advisory_xact_lock(" PG_MIGRATE_LOCK ")",
			"");
	if (code == TN_OK && (v = schema_version(p, err)) < 0)
		code = pg_errcode(err);
	if (code != TN_OK)
		return pg_end(p, code, err);
	if (from)
		*from = v;
	if (v > STORE_SCHEMA) {
		pg_rollback(p);
		return tn_err_set(err, TN_EINVALID, "database '%s' is at schema %d, this twonetd "
				  "knows %d", p->name, v, STORE_SCHEMA);
	}
	while (v < STORE_SCHEMA) {
		if (!(sql = pg_migration(v, &next))) {
			/* no PostgreSQL database was ever below 11: this one is not twonetd's */
			pg_rollback(p);
			return tn_err_set(err, TN_EINVALID, "database '%s' is at schema %d, which no "
					  "twonetd wrote on PostgreSQL (its first schema is %d)", p->name,
					  v, 11);
		}
		if (pg_exec(p, err, "migration", sql) != TN_OK) {
			pg_rollback(p);
			return tn_err_set(err, TN_EINTERNAL, "migration to schema %d failed: %s", next,
					  err ? err->message : "database error");
		}
		v = next;
	}
	code = pg_query(p, NULL, err, "migration", "INSERT INTO schema_version (id, version) "
			"VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version",
			"i", STORE_SCHEMA);
	if ((code = pg_end(p, code, err)) != TN_OK)
		return code;
	if (to)
		*to = STORE_SCHEMA;
	return TN_OK;
}

enum tn_code pg_open(struct store **out, const char *uri, int create, struct tn_err *err)
{
	struct pg_store *p;
	enum tn_code code;
	char msg[512];
	int v;

	*out = NULL;
	p = tn_xcalloc(1, sizeof(*p));
	p->head.ops = &store_pg_ops;
	p->head.backend = "postgresql";
	p->uri = tn_xstrdup(uri);
	p->name = display_name(uri);
	p->head.name = p->name;
	p->conn = PQconnectdb(uri);
	if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
		code = tn_err_set(err, TN_ESERVER, "cannot connect to the PostgreSQL server of '%s': %s",
				  p->name, conn_message(p->conn, msg, sizeof(msg)));
		pg_close((struct store *)(void *)p);
		return code;
	}
	PQsetNoticeProcessor(p->conn, no_notices, NULL);
	/* stored times are UTC text; times without a zone (token_when) are UTC */
	if ((code = pg_exec(p, err, "connection set-up", "SET TIME ZONE 'UTC'")) != TN_OK)
		goto fail;
	if (create && (code = pg_migrate((struct store *)(void *)p, NULL, NULL, err)) != TN_OK)
		goto fail;
	if ((v = schema_version(p, err)) < 0) {
		code = pg_errcode(err);
		goto fail;
	}
	if (v != STORE_SCHEMA) {
		if (v < STORE_SCHEMA)
			code = tn_err_set(err, TN_EINVALID, "database '%s' is at schema %d, not %d "
					  "(run 'twonetd init --db %s')", p->name, v, STORE_SCHEMA,
					  p->name);
		else
			code = tn_err_set(err, TN_EINVALID, "database '%s' is at schema %d, newer than "
					  "this twonetd (%d)", p->name, v, STORE_SCHEMA);
		goto fail;
	}
	*out = (struct store *)(void *)p;
	return TN_OK;
fail:
	pg_close((struct store *)(void *)p);
	return code;
}

void pg_close(struct store *st)
{
	struct pg_store *p = PG(st);

	if (!p)
		return;
	if (p->conn)
		PQfinish(p->conn);
	if (p->listen)
		PQfinish(p->listen);
	free(p->uri);
	free(p->name);
	free(p);
}

void pg_health(struct store *st, jv *out)
{
	struct pg_store *p = PG(st);
	int v = schema_version(p, NULL);

	*out = jv_object();
	*out = jv_object_set(*out, jv_string("ok"), jv_bool(v == STORE_SCHEMA));
	*out = jv_object_set(*out, jv_string("schema"), jv_number(v));
	*out = jv_object_set(*out, jv_string("backend"), jv_string("postgresql"));
}
