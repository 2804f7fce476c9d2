/* store_certs.c — the certs tables of twonetd's SQLite storage: certificates, issuers, consents, the audit chain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>

#include <openssl/evp.h>
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

#define STMT_OR_FAIL(s, st, sql, err) \
	do { \
		if (((s) = store_stmt((st), (sql), (err))) == NULL) \
			return (err) ? (err)->code : TN_EINTERNAL; \
	} while (0)

/*
 * Every certificate read is a short write transaction (its audit row), and
 * the workers take turns at the write lock.  SQLite's own busy handler sleeps
 * 1, 2, 5, 10 ... ms between tries, which shows as a p99 of tens of ms;
 * while a certificate transaction waits, this one tries again every 50 us
 * (for at most the same 10 s).  The store's handler is put back afterwards.
 */
static int busy_short(void *arg, int tries)
{
	(void)arg;
	if (tries >= 200000)
		return 0;
	usleep(tries < 20 ? 20 : 50);
	return 1;
}

enum tn_code store_certs_begin(struct store *st, struct tn_err *err)
{
	enum tn_code code;

	sqlite3_busy_handler(st->db, busy_short, NULL);
	code = store_begin(st, err);
	if (code != TN_OK)
		sqlite3_busy_timeout(st->db, 10000);
	return code;
}

int store_certs_try_begin(struct store *st, struct tn_err *err)
{
	int rc;

	sqlite3_busy_handler(st->db, NULL, NULL);
	rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	sqlite3_busy_handler(st->db, busy_short, NULL);
	if (rc == SQLITE_OK)
		return 0;
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
		sqlite3_busy_timeout(st->db, 10000);
		return 1;
	}
	store_fail(st, err, "begin");
	sqlite3_busy_timeout(st->db, 10000);
	return -1;
}

void store_certs_tune(struct store *st)
{
	/* a larger page cache: fewer reads of a large database */
	sqlite3_exec(st->db, "PRAGMA cache_size = -65536", NULL, NULL, NULL);
}

/* ---- checkpoints off the request path ---- */

struct store_ckpt {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int wanted, stop;
	long frames;            /* checkpoint when the log is this long */
	sqlite3 *db;            /* the thread's own connection */
	struct store *st;
};

/* After each commit of the worker's connection: wake the thread when the log is long. */
static int wal_grown(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store_ckpt *c = arg;

	(void)db;
	(void)name;
	if (frames >= c->frames) {
		pthread_mutex_lock(&c->mu);
		c->wanted = 1;
		pthread_cond_signal(&c->cv);
		pthread_mutex_unlock(&c->mu);
	}
	return SQLITE_OK;
}

static void *ckpt_main(void *arg)
{
	struct store_ckpt *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->wanted && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stop)
			break;
		c->wanted = 0;
		pthread_mutex_unlock(&c->mu);
		/* PASSIVE: copies what no reader still needs, never waits for a lock */
		sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&c->mu);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

struct store_ckpt *store_certs_checkpointer(struct store *st, long frames)
{
	struct store_ckpt *c = tn_xcalloc(1, sizeof(*c));

	c->st = st;
	c->frames = frames;
	if (sqlite3_open_v2(st->path, &c->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (pthread_create(&c->thread, NULL, ckpt_main, c) != 0) {
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	sqlite3_wal_hook(st->db, wal_grown, c);  /* instead of the automatic checkpoint */
	return c;
}

void store_certs_checkpointer_stop(struct store_ckpt *c)
{
	if (!c)
		return;
	sqlite3_wal_autocheckpoint(c->st->db, 1000);    /* SQLite's own again */
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	sqlite3_close(c->db);
	free(c);
}

enum tn_code store_certs_commit(struct store *st, struct tn_err *err)
{
	enum tn_code code = store_commit(st, err);

	sqlite3_busy_timeout(st->db, 10000);    /* store_open's */
	return code;
}

void store_certs_rollback(struct store *st)
{
	store_rollback(st);
	sqlite3_busy_timeout(st->db, 10000);
}

const char *store_certs_db_path(struct store *st)
{
	return st->path;
}

/* ---- issuers ---- */

enum tn_code store_issuer_add(struct store *st, const char *dept, const char *uscc,
			      const char *key_id, const char *pem, const char *created_at,
			      struct tn_err *err)
{
	sqlite3_stmt *s;
	enum tn_code code;
	int rc;

	if ((code = store_begin(st, err)) != TN_OK)
		return code;
	s = store_stmt(st, "UPDATE issuers SET retired_at = ? WHERE dept = ? AND retired_at IS NULL",
		       err);
	if (!s) {
		code = err ? err->code : TN_EINTERNAL;
		goto out;
	}
	store_bind_text(s, 1, created_at);
	store_bind_text(s, 2, dept);
	if ((code = store_run(st, s, err, "issuer retire")) != TN_OK)
		goto out;
	s = store_stmt(st, "INSERT INTO issuers (key_id, dept, uscc, public_key, created_at) "
		       "VALUES (?, ?, ?, ?, ?)", err);
	if (!s) {
		code = err ? err->code : TN_EINTERNAL;
		goto out;
	}
	store_bind_text(s, 1, key_id);
	store_bind_text(s, 2, dept);
	store_bind_text(s, 3, uscc);
	store_bind_text(s, 4, pem);
	store_bind_text(s, 5, created_at);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT)
		code = tn_err_set(err, TN_ECONFLICT, "key '%s' is already recorded", key_id);
	else if (rc != SQLITE_DONE)
		code = store_fail(st, err, "issuer add");
	if (code == TN_OK)
		code = store_commit(st, err);
out:
	if (code != TN_OK)
		store_rollback(st);
	return code;
}

enum tn_code store_issuer_list(struct store *st, jv *items, struct tn_err *err)
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

enum tn_code store_issuer_current(struct store *st, const char *dept, char **key_id,
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

enum tn_code store_cert_serials(struct store *st, const char *kind, const char *issuer,
				const char *year, long n, long *first, struct tn_err *err)
{
	sqlite3_stmt *s;
	int own = sqlite3_get_autocommit(st->db);
	enum tn_code code = TN_OK;
	int rc;

	*first = 0;
	if (own && (code = store_begin(st, err)) != TN_OK)
		return code;
	s = store_stmt(st, "INSERT INTO cert_serials (kind, issuer, year, last) VALUES (?1, ?2, ?3, ?4) "
		       "ON CONFLICT (kind, issuer, year) DO UPDATE SET last = last + ?4", err);
	if (!s) {
		code = err ? err->code : TN_EINTERNAL;
		goto out;
	}
	store_bind_text(s, 1, kind);
	store_bind_text(s, 2, issuer);
	store_bind_text(s, 3, year);
	sqlite3_bind_int64(s, 4, n);
	if ((code = store_run(st, s, err, "serial reserve")) != TN_OK)
		goto out;
	s = store_stmt(st, "SELECT last FROM cert_serials WHERE kind = ? AND issuer = ? AND year = ?",
		       err);
	if (!s) {
		code = err ? err->code : TN_EINTERNAL;
		goto out;
	}
	store_bind_text(s, 1, kind);
	store_bind_text(s, 2, issuer);
	store_bind_text(s, 3, year);
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

enum tn_code store_cert_insert(struct store *st, const struct store_cert_row *row,
			       struct tn_err *err)
{
	sqlite3_stmt *s;
	int rc;

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
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT)
		return tn_err_set(err, TN_ECONFLICT, "certificate '%s' or its idempotency key "
				  "is already recorded", row->id);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, "certificate insert");
	return TN_OK;
}

enum tn_code store_cert_idem(struct store *st, long token_id, const char *idem_key,
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

enum tn_code store_cert_get_text(struct store *st, const char *id, char **doc, char **holder,
				 char **dept, struct tn_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (doc)
		*doc = NULL;
	if (holder)
		*holder = NULL;
	if (dept)
		*dept = NULL;
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
	if (rc == SQLITE_ROW)
		return TN_OK;
	if (rc == SQLITE_DONE)
		return tn_err_set(err, TN_ENOTFOUND, "no certificate '%s'", id);
	return store_fail(st, err, "certificate get");
}

enum tn_code store_cert_get(struct store *st, const char *id, jv *doc, struct tn_err *err)
{
	char *text;
	enum tn_code code = store_cert_get_text(st, id, &text, NULL, NULL, err);

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

enum tn_code store_cert_list(struct store *st, const struct store_cert_filter *f,
			     struct tn_buf *out, char **next, struct tn_err *err)
{
	size_t mark = out->len;
	struct tn_buf sql = TN_BUF_INIT;
	const char *p[8];
	int np = 0, rc;
	long count = 0;
	char *last = NULL;
	sqlite3_stmt *s;
	enum tn_code code = TN_OK;

	*next = NULL;
	tn_buf_adds(&sql, "SELECT id, doc FROM certs WHERE 1");
	if (f->holder) {
		tn_buf_adds(&sql, " AND holder = ?");
		p[np++] = f->holder;
	}
	if (f->kind) {
		tn_buf_adds(&sql, " AND kind = ?");
		p[np++] = f->kind;
	}
	if (f->dept) {
		tn_buf_adds(&sql, " AND dept = ?");
		p[np++] = f->dept;
	}
	if (f->status) {
		tn_buf_adds(&sql, " AND status = ?");
		p[np++] = f->status;
	}
	if (f->after) {
		tn_buf_adds(&sql, " AND id > ?");
		p[np++] = f->after;
	}
	tn_buf_adds(&sql, " ORDER BY id LIMIT ?");
	s = store_stmt(st, sql.buf, err);
	tn_buf_release(&sql);
	if (!s)
		return err ? err->code : TN_EINTERNAL;
	for (int i = 0; i < np; i++)
		store_bind_text(s, i + 1, p[i]);
	sqlite3_bind_int64(s, np + 1, f->limit + 1);
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

enum tn_code store_cert_revoke(struct store *st, const char *id, const char *at,
			       const char *reason, jv doc, struct tn_err *err)
{
	sqlite3_stmt *s;
	enum tn_code code;
	jv text = jv_dump_string(doc, 0);

	s = store_stmt(st, "UPDATE certs SET status = 'revoked', revoked_at = ?, revoke_reason = ?, "
		       "doc = ? WHERE id = ? AND status = 'valid'", err);
	if (!s) {
		jv_free(text);
		return err ? err->code : TN_EINTERNAL;
	}
	store_bind_text(s, 1, at);
	store_bind_text(s, 2, reason);
	store_bind_text(s, 3, jv_string_value(text));
	store_bind_text(s, 4, id);
	code = store_run(st, s, err, "certificate revoke");
	jv_free(text);
	if (code != TN_OK)
		return code;
	if (sqlite3_changes(st->db) == 1)
		return TN_OK;
	if (store_cert_get_text(st, id, NULL, NULL, NULL, err) != TN_OK)
		return err ? err->code : TN_ENOTFOUND;
	return tn_err_set(err, TN_ECONFLICT, "certificate '%s' is already revoked", id);
}

/* ---- who may read ---- */

enum tn_code store_holder_case_open(struct store *st, const char *holder, const char *dept,
				    int *open, struct tn_err *err)
{
	sqlite3_stmt *s;
	int rc;

	*open = 0;
	STMT_OR_FAIL(s, st, "SELECT 1 FROM cases WHERE applicant_id = ? AND department = ? AND "
		     "status IN ('submitted', 'accepted', 'returned', 'resubmitted', 'approved') "
		     "LIMIT 1", err);
	store_bind_text(s, 1, holder);
	store_bind_text(s, 2, dept);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		*open = 1;
	else if (rc != SQLITE_DONE)
		return store_fail(st, err, "open case look-up");
	return TN_OK;
}

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

enum tn_code store_consent_get(struct store *st, const char *hash_hex, jv *out,
			       struct tn_err *err)
{
	sqlite3_stmt *s;
	int rc;

	*out = jv_invalid();
	STMT_OR_FAIL(s, st, "SELECT holder, scenario, expires_at, expires_epoch FROM consents "
		     "WHERE hash = ?", err);
	store_bind_text(s, 1, hash_hex);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		jv o = jv_object();

		o = jv_object_set(o, jv_string("holder"), store_col_text(s, 0));
		o = jv_object_set(o, jv_string("scenario"), store_col_text(s, 1));
		o = jv_object_set(o, jv_string("expires_at"), store_col_text(s, 2));
		o = jv_object_set(o, jv_string("expires_epoch"),
				  jv_number((double)sqlite3_column_int64(s, 3)));
		*out = o;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return TN_OK;
	if (rc == SQLITE_DONE)
		return tn_err_set(err, TN_ENOTFOUND, "unknown consent token");
	return store_fail(st, err, "consent get");
}

/* ---- the audit log ---- */

static jv text_or_null(const char *s)
{
	return s ? jv_string(s) : jv_null();
}

/* The ROW object of the chain (without prev_hash and hash). */
static jv audit_row(long long seq, const struct store_audit *a)
{
	jv r = jv_object();

	r = jv_object_set(r, jv_string("seq"), jv_number((double)seq));
	r = jv_object_set(r, jv_string("at"), jv_string(a->at));
	r = jv_object_set(r, jv_string("actor"), jv_string(a->actor));
	r = jv_object_set(r, jv_string("role"), jv_string(a->role));
	r = jv_object_set(r, jv_string("cert"), text_or_null(a->cert));
	r = jv_object_set(r, jv_string("holder"), text_or_null(a->holder));
	r = jv_object_set(r, jv_string("purpose"), text_or_null(a->purpose));
	r = jv_object_set(r, jv_string("outcome"), jv_string(a->outcome));
	return r;
}

/* 1 when `s` is valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). */
static int utf8_ok(const unsigned char *s)
{
	while (*s) {
		unsigned long cp;
		int n;

		if (*s < 0x80) {
			s++;
			continue;
		}
		if ((*s & 0xe0) == 0xc0) {
			n = 1;
			cp = *s & 0x1f;
		} else if ((*s & 0xf0) == 0xe0) {
			n = 2;
			cp = *s & 0x0f;
		} else if ((*s & 0xf8) == 0xf0) {
			n = 3;
			cp = *s & 0x07;
		} else {
			return 0;
		}
		for (int k = 1; k <= n; k++) {
			if ((s[k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		s += n + 1;
	}
	return 1;
}

/*
 * `s` as jq 1.6 writes a string (NULL: null): '"' and '\' escaped, control
 * characters as \b \f \n \r \t or \u00XX, the rest as it is.  -1 when
 * `s` is not valid UTF-8 (jq would replace bytes: leave that to jq).
 */
static int json_str(struct tn_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		tn_buf_adds(b, "null");
		return 0;
	}
	if (!utf8_ok(p))
		return -1;
	tn_buf_addch(b, '"');
	for (; *p; p++) {
		if (*p == '"' || *p == '\\') {
			tn_buf_addch(b, '\\');
			tn_buf_addch(b, *p);
		} else if (*p >= 0x20 && *p != 0x7f) {
			tn_buf_addch(b, *p);
		} else {
			tn_buf_addch(b, '\\');
			switch (*p) {
			case '\b': tn_buf_addch(b, 'b'); break;
			case '\f': tn_buf_addch(b, 'f'); break;
			case '\n': tn_buf_addch(b, 'n'); break;
			case '\r': tn_buf_addch(b, 'r'); break;
			case '\t': tn_buf_addch(b, 't'); break;
			default:
				tn_buf_adds(b, "u00");
				tn_buf_addch(b, hex[*p >> 4]);
				tn_buf_addch(b, hex[*p & 15]);
			}
		}
	}
	tn_buf_addch(b, '"');
	return 0;
}

/*
 * The hash of audit row `seq` after `prev` without jq: the same bytes as
 * tn_cert_audit_hash (prev, then the row's canonical text, members sorted:
 * actor at cert holder outcome purpose role seq) written directly, for the
 * reads' group commit.  -1 when a string is not valid UTF-8: use jq.
 */
static int audit_hash_fast(long long seq, const struct store_audit *a, const char *prev,
			   char out[65])
{
	static const char hex[] = "0123456789abcdef";
	struct tn_buf b = TN_BUF_INIT;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int rc = -1;

	if (seq < 0 || seq >= 1000000000000000LL)  /* canonical integers: 15 digits */
		return -1;
	tn_buf_adds(&b, prev);
	tn_buf_adds(&b, "{\"actor\":");
	if (json_str(&b, a->actor) < 0)
		goto out;
	tn_buf_adds(&b, ",\"at\":");
	if (json_str(&b, a->at) < 0)
		goto out;
	tn_buf_adds(&b, ",\"cert\":");
	if (json_str(&b, a->cert) < 0)
		goto out;
	tn_buf_adds(&b, ",\"holder\":");
	if (json_str(&b, a->holder) < 0)
		goto out;
	tn_buf_adds(&b, ",\"outcome\":");
	if (json_str(&b, a->outcome) < 0)
		goto out;
	tn_buf_adds(&b, ",\"purpose\":");
	if (json_str(&b, a->purpose) < 0)
		goto out;
	tn_buf_adds(&b, ",\"role\":");
	if (json_str(&b, a->role) < 0)
		goto out;
	tn_buf_addf(&b, ",\"seq\":%lld}", seq);
	if (!EVP_Digest(b.buf, b.len, md, &n, EVP_sha256(), NULL) || n != 32)
		goto out;
	for (unsigned int i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	rc = 0;
out:
	tn_buf_release(&b);
	return rc;
}

enum tn_code store_audit_append(struct store *st, const struct store_audit *a,
				struct tn_err *err)
{
	return store_audit_append_rows(st, a, 1, err);
}

enum tn_code store_audit_append_rows(struct store *st, const struct store_audit *rows, size_t n,
				     struct tn_err *err)
{
	sqlite3_stmt *s;
	char prev[65], hash[65];
	long long seq;
	enum tn_code code;
	jv row;
	int rc;

	if (n == 0)
		return TN_OK;
	STMT_OR_FAIL(s, st, "SELECT seq, hash FROM audit_head WHERE id = 1", err);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? tn_err_set(err, TN_EINTERNAL, "the audit head is missing")
					 : store_fail(st, err, "audit head");
	}
	seq = (long long)sqlite3_column_int64(s, 0);
	snprintf(prev, sizeof(prev), "%s", (const char *)sqlite3_column_text(s, 1));
	sqlite3_reset(s);
	for (size_t i = 0; i < n; i++) {
		const struct store_audit *a = &rows[i];

		seq++;
		if (!a->actor || !a->at || !a->role || !a->outcome ||
		    audit_hash_fast(seq, a, prev, hash) < 0) {
			row = audit_row(seq, a);
			code = tn_cert_audit_hash(row, prev, hash, err);
			jv_free(row);
			if (code != TN_OK)
				return code;
		}
		STMT_OR_FAIL(s, st, "INSERT INTO audit (seq, at, actor, role, cert, holder, purpose, "
			     "outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
		sqlite3_bind_int64(s, 1, seq);
		store_bind_text(s, 2, a->at);
		store_bind_text(s, 3, a->actor);
		store_bind_text(s, 4, a->role);
		store_bind_text(s, 5, a->cert);
		store_bind_text(s, 6, a->holder);
		store_bind_text(s, 7, a->purpose);
		store_bind_text(s, 8, a->outcome);
		store_bind_text(s, 9, prev);
		store_bind_text(s, 10, hash);
		if ((code = store_run(st, s, err, "audit append")) != TN_OK)
			return code;
		memcpy(prev, hash, sizeof(prev));
	}
	STMT_OR_FAIL(s, st, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", err);
	sqlite3_bind_int64(s, 1, seq);
	store_bind_text(s, 2, prev);
	return store_run(st, s, err, "audit head");
}

/* A ROW of the log from a statement's columns 0..9 (seq .. hash). */
static jv audit_row_of(sqlite3_stmt *s)
{
	jv r = jv_object();
	static const char *const names[] = {
		"at", "actor", "role", "cert", "holder", "purpose", "outcome", "prev_hash", "hash"
	};

	r = jv_object_set(r, jv_string("seq"), jv_number((double)sqlite3_column_int64(s, 0)));
	for (int i = 0; i < 9; i++)
		r = jv_object_set(r, jv_string(names[i]), store_col_text(s, i + 1));
	return r;
}

enum tn_code store_audit_list(struct store *st, const struct store_audit_filter *f, jv *items,
			      long long *next, struct tn_err *err)
{
	struct tn_buf sql = TN_BUF_INIT;
	const char *p[4];
	int np = 0, rc;
	long count = 0;
	long long last = 0;
	sqlite3_stmt *s;
	enum tn_code code = TN_OK;

	*items = jv_array();
	*next = -1;
	tn_buf_adds(&sql, "SELECT seq, at, actor, role, cert, holder, purpose, outcome, prev_hash, "
		    "hash FROM audit WHERE seq > ?");
	if (f->holder) {
		tn_buf_adds(&sql, " AND holder = ?");
		p[np++] = f->holder;
	}
	if (f->cert) {
		tn_buf_adds(&sql, " AND cert = ?");
		p[np++] = f->cert;
	}
	if (f->actor) {
		tn_buf_adds(&sql, " AND actor = ?");
		p[np++] = f->actor;
	}
	tn_buf_adds(&sql, " ORDER BY seq LIMIT ?");
	s = store_stmt(st, sql.buf, err);
	tn_buf_release(&sql);
	if (!s)
		return err ? err->code : TN_EINTERNAL;
	sqlite3_bind_int64(s, 1, f->after);
	for (int i = 0; i < np; i++)
		store_bind_text(s, i + 2, p[i]);
	sqlite3_bind_int64(s, np + 2, f->limit + 1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (count == f->limit) {
			*next = last;
			break;
		}
		*items = jv_array_append(*items, audit_row_of(s));
		last = (long long)sqlite3_column_int64(s, 0);
		count++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		code = store_fail(st, err, "audit list");
	sqlite3_reset(s);
	return code;
}

enum tn_code store_audit_verify(struct store *st, long long *rows, long long *bad_seq,
				char *why, size_t size, struct tn_err *err)
{
	sqlite3_stmt *s;
	char prev[65], hash[65];
	long long want = 1, head_seq = -1;
	enum tn_code code = TN_OK;
	int rc;

	*rows = 0;
	*bad_seq = 0;
	why[0] = '\0';
	snprintf(prev, sizeof(prev), "%s", TN_CERT_AUDIT_GENESIS);
	STMT_OR_FAIL(s, st, "SELECT seq, at, actor, role, cert, holder, purpose, outcome, prev_hash, "
		     "hash FROM audit ORDER BY seq", err);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long long seq = (long long)sqlite3_column_int64(s, 0);
		const char *ph = (const char *)sqlite3_column_text(s, 8);
		const char *h = (const char *)sqlite3_column_text(s, 9);
		jv row;

		(*rows)++;
		if (*bad_seq)
			continue;
		if (seq != want) {
			*bad_seq = want;
			snprintf(why, size, seq > want ? "row %lld is missing (deleted): the next row is %lld"
				 : "row %lld is out of order (found %lld)", want, seq);
			continue;
		}
		if (!ph || strcmp(ph, prev) != 0) {
			*bad_seq = seq;
			snprintf(why, size, "row %lld does not follow row %lld: its prev_hash is not "
				 "that row's hash", seq, seq - 1);
			continue;
		}
		row = audit_row_of(s);
		code = tn_cert_audit_hash(row, prev, hash, err);
		jv_free(row);
		if (code != TN_OK) {
			*bad_seq = seq;
			snprintf(why, size, "row %lld cannot be hashed: %s", seq,
				 err ? err->message : "not canonical");
			code = TN_OK;
			continue;
		}
		if (!h || strcmp(h, hash) != 0) {
			*bad_seq = seq;
			snprintf(why, size, "row %lld was changed: its hash does not match its content",
				 seq);
			continue;
		}
		snprintf(prev, sizeof(prev), "%s", h);
		want++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, "audit verify");
	if (*bad_seq)
		return TN_OK;
	STMT_OR_FAIL(s, st, "SELECT seq, hash FROM audit_head WHERE id = 1", err);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(s, 1);

		head_seq = (long long)sqlite3_column_int64(s, 0);
		if (head_seq != want - 1) {
			*bad_seq = want;
			snprintf(why, size, head_seq > want - 1 ?
				 "rows %lld to %lld are missing (deleted): the chain's head says %lld rows" :
				 "row %lld .. %lld: more rows than the chain's head (%lld) records",
				 want, head_seq > want - 1 ? head_seq : want - 1, head_seq);
		} else if (!h || strcmp(h, prev) != 0) {
			*bad_seq = want - 1;
			snprintf(why, size, "row %lld is not the chain's recorded last row", want - 1);
		}
	} else {
		*bad_seq = 1;
		snprintf(why, size, "the chain's head is missing");
	}
	sqlite3_reset(s);
	(void)code;
	return TN_OK;
}
