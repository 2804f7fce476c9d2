/* store.c — twonetd's SQLite storage: opening, schema migrations, and the statement helpers every store_*.c shares. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "store.h"
#include "store_int.h"

/*
 * The migrations, one script per schema version: migrations[i] takes the
 * database from version i to i + 1.  Never edit a released script; add one.
 */
static const char *const migrations_cases[] = {
	/* 0 -> 1 */
	"CREATE TABLE tokens ("
	"  id INTEGER PRIMARY KEY,"
	"  hash TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  dept TEXT,"
	"  subject TEXT,"
	"  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')));"
	"CREATE TABLE departments ("
	"  code TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  doc TEXT NOT NULL);"
	"CREATE TABLE items ("
	"  code TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  department TEXT NOT NULL,"
	"  legal_days INTEGER,"
	"  promised_days INTEGER,"
	"  doc TEXT NOT NULL);"
	"CREATE INDEX items_department ON items (department);"
	"CREATE TABLE workflows ("
	"  code TEXT PRIMARY KEY,"
	"  doc TEXT NOT NULL);"
	/* seq is the case id: \"C\" and seq zero-padded to 8 digits */
	"CREATE TABLE cases ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  item TEXT NOT NULL,"
	"  department TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  applicant_id TEXT NOT NULL,"
	"  applicant_name TEXT NOT NULL,"
	"  submitted_at TEXT NOT NULL,"
	"  deadline TEXT,"
	"  version INTEGER NOT NULL,"
	"  submitted_by TEXT NOT NULL,"
	"  token_id INTEGER NOT NULL,"
	"  idem_key TEXT NOT NULL,"
	"  idem_hash TEXT NOT NULL,"
	"  doc TEXT NOT NULL,"
	"  UNIQUE (token_id, idem_key));"
	"CREATE INDEX cases_department ON cases (department, seq);"
	"CREATE INDEX cases_status ON cases (status, seq);"
	"CREATE INDEX cases_item ON cases (item, seq);"
	"CREATE INDEX cases_applicant ON cases (applicant_id, seq);"
	"CREATE INDEX cases_token ON cases (token_id, seq);"
	"CREATE INDEX cases_deadline ON cases (deadline, seq);"
	"CREATE INDEX cases_submitted ON cases (submitted_at);"
	"CREATE TABLE events ("
	"  case_seq INTEGER NOT NULL REFERENCES cases (seq),"
	"  seq INTEGER NOT NULL,"
	"  at TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  from_status TEXT,"
	"  to_status TEXT NOT NULL,"
	"  comment TEXT,"
	"  version INTEGER NOT NULL,"
	"  PRIMARY KEY (case_seq, seq)) WITHOUT ROWID;",
};

enum tn_code store_fail_db(sqlite3 *db, struct tn_err *err, const char *what)
{
	int rc = sqlite3_errcode(db);
	enum tn_code code = TN_EINTERNAL;

	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		code = TN_ESERVER;
	return tn_err_set(err, code, "database error in %s: %s", what, sqlite3_errmsg(db));
}

enum tn_code store_fail(struct store *st, struct tn_err *err, const char *what)
{
	return store_fail_db(st->db, err, what);
}

/*
 * The prepared statement for `sql`, from the connection's cache (prepared
 * and cached on first use), reset and with no bindings.  NULL on error.
 */
sqlite3_stmt *store_stmt(struct store *st, const char *sql, struct tn_err *err)
{
	sqlite3_stmt *s;
	int i;

	/* the same literal each call: found by its address first, then by its text */
	for (i = 0; i < st->ncache; i++)
		if (st->cache[i].from == sql && strcmp(st->cache[i].sql, sql) == 0)
			goto found;
	for (i = 0; i < st->ncache; i++) {
		if (strcmp(st->cache[i].sql, sql) == 0) {
			st->cache[i].from = sql;
			goto found;
		}
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
		store_fail(st, err, "prepare");
		return NULL;
	}
	if (st->ncache < STMT_CACHE) {
		i = st->ncache++;
	} else {
		i = st->evict;
		st->evict = (st->evict + 1) % STMT_CACHE;
		sqlite3_finalize(st->cache[i].stmt);
		free(st->cache[i].sql);
	}
	st->cache[i].sql = tn_xstrdup(sql);
	st->cache[i].from = sql;
	st->cache[i].stmt = s;
	return s;
found:
	s = st->cache[i].stmt;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

void store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

void store_bind_text_static(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

void store_bind_json(sqlite3_stmt *s, int i, jv doc)
{
	struct tn_buf text = TN_BUF_INIT;

	tn_json_dump(doc, &text);       /* jv_dump_string's bytes, faster */
	jv_free(doc);
	sqlite3_bind_text(s, i, text.buf, (int)text.len, SQLITE_TRANSIENT);
	tn_buf_release(&text);
}

char *store_col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? tn_xstrdup((const char *)t) : NULL;
}

jv store_col_json(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	int n = sqlite3_column_bytes(s, i);

	return t ? tn_json_parse(t, (size_t)n) : jv_null();    /* jq's parser: 1.7 times slower */
}

jv store_col_text(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	return t ? jv_string(t) : jv_null();
}

/* Run a statement to completion (no rows wanted). */
enum tn_code store_run(struct store *st, sqlite3_stmt *s, struct tn_err *err, const char *what)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		enum tn_code code = store_fail(st, err, what);
		sqlite3_reset(s);
		return code;
	}
	sqlite3_reset(s);
	return TN_OK;
}

enum tn_code store_insert(struct store *st, sqlite3_stmt *s, struct tn_err *err, const char *what,
			  const char *conflict, ...)
{
	int rc = sqlite3_step(s);
	enum tn_code code;
	va_list ap;

	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return TN_OK;
	if (rc != SQLITE_CONSTRAINT)
		return store_fail(st, err, what);
	va_start(ap, conflict);
	code = tn_err_setv(err, TN_ECONFLICT, conflict, ap);
	va_end(ap);
	return code;
}

enum tn_code store_exec(struct store *st, const char *sql, struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql, err);

	if (!s)
		return store_errcode(err);
	return store_run(st, s, err, sql);
}

enum tn_code store_doc_by_id(struct store *st, const char *sql, long long id, const char *noun,
			     jv *doc, struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql, err);
	int rc;

	*doc = jv_invalid();
	if (!s)
		return store_errcode(err);
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*doc = store_col_json(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return TN_OK;
	if (rc != SQLITE_DONE) {
		char what[48];

		snprintf(what, sizeof(what), "%s get", noun);
		return store_fail(st, err, what);
	}
	return tn_err_set(err, TN_ENOTFOUND, "no %s %lld", noun, id);
}

enum tn_code store_errcode(const struct tn_err *err)
{
	return err ? err->code : TN_EINTERNAL;
}

void store_q_init(struct store_query *q, const char *sql)
{
	tn_buf_init(&q->sql);
	tn_buf_adds(&q->sql, sql);
	q->n = 0;
}

void store_q_add(struct store_query *q, const char *sql)
{
	tn_buf_adds(&q->sql, sql);
}

void store_q_text(struct store_query *q, const char *sql, const char *v)
{
	tn_buf_adds(&q->sql, sql);
	if (q->n < STORE_Q_PARAMS) {
		q->p[q->n].is_num = 0;
		q->p[q->n].text = v;
	}
	q->n++;
}

void store_q_num(struct store_query *q, const char *sql, long long v)
{
	tn_buf_adds(&q->sql, sql);
	if (q->n < STORE_Q_PARAMS) {
		q->p[q->n].is_num = 1;
		q->p[q->n].num = v;
	}
	q->n++;
}

void store_q_in(struct store_query *q, const char *col, char **list)
{
	if (!list || !*list)
		return;
	tn_buf_addf(&q->sql, " AND %s IN (", col);
	for (int i = 0; list[i] && q->n < STORE_Q_PARAMS - 12; i++)
		store_q_text(q, i ? ", ?" : "?", list[i]);
	tn_buf_adds(&q->sql, ")");
}

/* Bind q's values to `s` (NULL: nothing); returns `s`. */
static sqlite3_stmt *q_bind(sqlite3_stmt *s, const struct store_query *q)
{
	for (int i = 0; s && i < q->n; i++) {
		if (q->p[i].is_num)
			sqlite3_bind_int64(s, i + 1, q->p[i].num);
		else
			store_bind_text(s, i + 1, q->p[i].text);
	}
	return s;
}

/* 1 when the query's values fit the statement's bound slots, else 0 with *err set. */
static int q_fits(const struct store_query *q, struct tn_err *err)
{
	if (q->n <= STORE_Q_PARAMS)
		return 1;
	tn_err_set(err, TN_EINTERNAL, "query has %d values, more than %d", q->n, STORE_Q_PARAMS);
	return 0;
}

sqlite3_stmt *store_q_stmt(struct store *st, struct store_query *q, struct tn_err *err)
{
	sqlite3_stmt *s = q_fits(q, err) ? store_stmt(st, q->sql.buf, err) : NULL;

	tn_buf_release(&q->sql);
	return q_bind(s, q);
}

sqlite3_stmt *store_q_prepare(sqlite3 *db, struct store_query *q, struct tn_err *err)
{
	sqlite3_stmt *s = NULL;

	if (q_fits(q, err) && sqlite3_prepare_v2(db, q->sql.buf, -1, &s, NULL) != SQLITE_OK)
		store_fail_db(db, err, "prepare");
	tn_buf_release(&q->sql);
	return q_bind(s, q);
}

char *store_cursor_encode(const char *raw)
{
	struct tn_buf b = TN_BUF_INIT;

	for (const char *p = raw; *p; p++)
		tn_buf_addf(&b, "%02x", (unsigned char)*p);
	return tn_buf_detach(&b, NULL);
}

int store_cursor_decode(const char *cur, char *raw, size_t size)
{
	size_t n = strlen(cur), i;

	if (n % 2 || n / 2 >= size)
		return -1;
	for (i = 0; i < n / 2; i++) {
		unsigned int x;

		if (sscanf(cur + 2 * i, "%2x", &x) != 1)
			return -1;
		raw[i] = (char)x;
	}
	raw[i] = '\0';
	return 0;
}

static sqlite3_stmt *prep_v(struct store *st, struct tn_err *err, const char *sql,
			    const char *types, va_list ap)
{
	sqlite3_stmt *s = store_stmt(st, sql, err);

	for (int i = 0; s && types[i]; i++) {
		switch (types[i]) {
		case 't':
			store_bind_text(s, i + 1, va_arg(ap, const char *));
			break;
		case 'i':
			sqlite3_bind_int64(s, i + 1, va_arg(ap, int));
			break;
		case 'l':
			sqlite3_bind_int64(s, i + 1, va_arg(ap, long));
			break;
		default:
			sqlite3_bind_int64(s, i + 1, va_arg(ap, long long));
			break;
		}
	}
	return s;
}

/* In a variadic function whose last named parameter is `types`: s = prep_v with its values. */
#define PREP_ARGS(s, st, err, sql, types) \
	do { \
		va_list ap_; \
		va_start(ap_, types); \
		(s) = prep_v((st), (err), (sql), (types), ap_); \
		va_end(ap_); \
	} while (0)

sqlite3_stmt *store_prep(struct store *st, struct tn_err *err, const char *sql,
			 const char *types, ...)
{
	sqlite3_stmt *s;

	PREP_ARGS(s, st, err, sql, types);
	return s;
}

enum tn_code store_do(struct store *st, struct tn_err *err, const char *what, const char *sql,
		      const char *types, ...)
{
	sqlite3_stmt *s;

	PREP_ARGS(s, st, err, sql, types);
	if (!s)
		return store_errcode(err);
	return store_run(st, s, err, what);
}

enum tn_code store_exists(struct store *st, struct tn_err *err, const char *what, int *found,
			  const char *sql, const char *types, ...)
{
	sqlite3_stmt *s;
	int rc;

	*found = 0;
	PREP_ARGS(s, st, err, sql, types);
	if (!s)
		return store_errcode(err);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		*found = 1;
	else if (rc != SQLITE_DONE)
		return store_fail(st, err, what);
	return TN_OK;
}

int store_step_row(struct store *st, sqlite3_stmt *s, struct tn_err *err, const char *what)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		store_fail(st, err, what);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_has_object(sqlite3 *db, const char *schema, const char *name)
{
	char sql[128];
	sqlite3_stmt *s;
	int n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s.sqlite_master WHERE name = ?", schema);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0) > 0;
	sqlite3_finalize(s);
	return n;
}

void store_remove_files(const char *path)
{
	static const char *const tails[] = { "", "-wal", "-shm", "-journal" };
	char p[4200];

	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++)
		if (snprintf(p, sizeof(p), "%s%s", path, tails[i]) < (int)sizeof(p))
			unlink(p);
}

static int user_version(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, "PRAGMA user_version", NULL);
	int v = -1;

	if (s && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	if (s)
		sqlite3_reset(s);
	return v;
}

/* TN_OK when the database is at STORE_SCHEMA (`v`, its user_version), else why not. */
static enum tn_code version_check(struct store *st, int v, struct tn_err *err)
{
	if (v == STORE_SCHEMA)
		return TN_OK;
	if (v < 0)
		return tn_err_set(err, TN_EINVALID, "cannot read database '%s': %s", st->path,
				  sqlite3_errmsg(st->db));
	if (v < STORE_SCHEMA)
		return tn_err_set(err, TN_EINVALID, "database '%s' is at schema %d, not %d (run "
				  "'twonetd init --db %s')", st->path, v, STORE_SCHEMA, st->path);
	return tn_err_set(err, TN_EINVALID, "database '%s' is at schema %d, newer than this "
			  "twonetd (%d)", st->path, v, STORE_SCHEMA);
}

enum tn_code sqlite_open(struct store **out, const char *path, int create, struct tn_err *err)
{
	struct store *st;
	/* a store is one thread's (the checkpoint thread opens its own): no lock a call */
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	enum tn_code code = TN_OK;
	char *log_path = sqlite_log_path(path);
	const char *level;
	char pragmas[128];
	int v;

	*out = NULL;
	st = tn_xcalloc(1, sizeof(*st));
	st->head.ops = &store_sqlite_ops;
	st->head.backend = "sqlite";
	st->path = tn_xstrdup(path);
	st->head.name = st->path;
	/*
	 * statement journals (what a savepoint or a statement inside a
	 * transaction keeps to undo itself: each filing of a group commit) in
	 * memory, never a temporary file written page by page; only before
	 * SQLite's first use in the process, else SQLITE_MISUSE and no matter;
	 * and no count of SQLite's memory (a global lock every allocation)
	 */
	static int configured;
	if (!configured++) {
		sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, -1);
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		sqlite_walbuf_register();       /* else SQLite's own writes: slower, as safe */
	}
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		tn_err_set(err, create ? TN_EIO : TN_EINVALID, "cannot open database '%s': %s%s",
			   path, st->db ? sqlite3_errmsg(st->db) : "out of memory",
			   create ? "" : " (run 'twonetd init' first)");
		sqlite_close(st);
		free(log_path);
		return create ? TN_EIO : TN_EINVALID;
	}
	store_busy_default(st);
	sqlite3_extended_result_codes(st->db, 0);
	if (!(level = sqlite_sync_level())) {
		code = tn_err_set(err, TN_EUSAGE, "TWONETD_SYNCHRONOUS is '%s': use 'normal' (the "
				  "default) or 'full'", getenv("TWONETD_SYNCHRONOUS"));
		sqlite_close(st);
		free(log_path);
		return code;
	}
	snprintf(pragmas, sizeof(pragmas), "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s;"
		 "PRAGMA foreign_keys=ON;", level);
	if (sqlite3_exec(st->db, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
		code = tn_err_set(err, TN_EIO, "cannot set up database '%s': %s", path,
				  sqlite3_errmsg(st->db));
		sqlite_close(st);
		free(log_path);
		return code;
	}
	/* the audit log's file (store_audit_log.c): made by init only, never for a database that had one */
	v = user_version(st);
	if (!create || v >= STORE_LOG_SCHEMA) {
		/* init migrates an older database; a newer one is refused before */
		code = !create || v > STORE_SCHEMA ? version_check(st, v, err) : TN_OK;
		if (code == TN_OK && access(log_path, F_OK) != 0)
			code = tn_err_set(err, TN_EINVALID, "the audit log '%s' of database '%s' is "
					  "missing (a copy of the database without its log?): restore "
					  "both from a backup", log_path, path);
	}
	if (code == TN_OK && sqlite_log_attach(st->db, path) != SQLITE_OK)
		code = tn_err_set(err, TN_EIO, "cannot open the audit log '%s': %s", log_path,
				  sqlite3_errmsg(st->db));
	if (code == TN_OK && create && (code = sqlite_migrate(st, NULL, NULL, err)) == TN_OK)
		code = version_check(st, user_version(st), err);
	if (code == TN_OK)
		code = sqlite_log_check(st, err);
	free(log_path);
	if (code != TN_OK) {
		sqlite_close(st);
		return code;
	}
	*out = st;
	return TN_OK;
}

void sqlite_close(struct store *st)
{
	if (!st)
		return;
	for (int i = 0; i < st->ncache; i++) {
		sqlite3_finalize(st->cache[i].stmt);
		free(st->cache[i].sql);
	}
	store_docs_forget(st);
	store_tokens_forget(st);
	sqlite_cert_cache_forget(st);
	if (st->ixdb)
		sqlite3_close(st->ixdb);
	if (st->db)
		sqlite3_close(st->db);
	free(st->path);
	free(st);
}

/*
 * The script that takes the schema from version v to v + 1.  Each module owns
 * its scripts (store_certs.c, store_alerts.c, store_reports.c); the order is
 * fixed here and never changes once released.
 */
static const char *migration(int v)
{
	switch (v) {
	case 0: return migrations_cases[0];
	case 1: return store_certs_schema;
	case 2: return store_alerts_schema;
	case 3: return store_reports_schema;
	case 4: return store_cases_workflow_schema;
	case 5: return store_cal_schema;
	case 6: return store_certs_codes_schema;
	case 7: return store_reports_provisional;
	case 8: return store_cases_order_schema;
	case 9: return store_alerts_history_schema;
	case 10: return store_tokens_admin_schema;
	case 11: return store_tasks_schema;
	case 12: return store_assets_schema;
	case 13: return store_reports_insert_bound;
	/* 14 -> 15 is sqlite_log_move's */
	case 15: return store_certs_gen_schema;
	case 16: return store_alerts_raise_unindexed;
	default: return NULL;
	}
}

/*
 * Run a migration script statement by statement.  An ADD COLUMN whose column
 * already exists is skipped: a database rewound to an older user_version by
 * hand (t8700) still holds later columns, and re-running must not fail.
 */
static int migrate_exec(sqlite3 *db, const char *sql, char **msg)
{
	const char *tail = sql;

	while (tail && *tail) {
		sqlite3_stmt *s = NULL;
		const char *next = NULL;
		int rc = sqlite3_prepare_v2(db, tail, -1, &s, &next);

		if (rc != SQLITE_OK) {
			if (strstr(sqlite3_errmsg(db), "duplicate column name") &&
			    sqlite3_strnicmp(tail + strspn(tail, " \t\n"), "ALTER", 5) == 0) {
				tail = next;
				continue;
			}
			*msg = sqlite3_mprintf("%s", sqlite3_errmsg(db));
			return rc;
		}
		if (!s) {       /* whitespace or a comment */
			tail = next;
			continue;
		}
		do
			rc = sqlite3_step(s);
		while (rc == SQLITE_ROW);
		if (rc != SQLITE_DONE) {
			*msg = sqlite3_mprintf("%s", sqlite3_errmsg(db));
			sqlite3_finalize(s);
			return rc;
		}
		sqlite3_finalize(s);
		tail = next;
	}
	return SQLITE_OK;
}

/*
 * In one transaction: the scripts from the database's version (*from, may be
 * NULL) up to `end`, and that version; *v: the version it is at then.
 */
static enum tn_code migrate_to(struct store *st, int end, int *from, int *v, struct tn_err *err)
{
	char *msg = NULL;
	char sql[64];

	if (store_begin(st, err) != TN_OK)
		return store_errcode(err);
	*v = user_version(st);
	if (from)
		*from = *v;
	if (*v < 0 || *v > STORE_SCHEMA) {
		store_rollback(st);
		return tn_err_set(err, TN_EINVALID, "database '%s' is at schema %d, this twonetd "
				  "knows %d", st->path, *v, STORE_SCHEMA);
	}
	for (; *v < end; (*v)++) {
		if (migrate_exec(st->db, migration(*v), &msg) != SQLITE_OK) {
			tn_err_set(err, TN_EINTERNAL, "migration to schema %d failed: %s", *v + 1,
				   msg ? msg : "unknown error");
			sqlite3_free(msg);
			store_rollback(st);
			return TN_EINTERNAL;
		}
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", *v);
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		enum tn_code code = store_fail(st, err, "migration");
		store_rollback(st);
		return code;
	}
	if (store_commit(st, err) != TN_OK) {
		store_rollback(st);
		return store_errcode(err);
	}
	return TN_OK;
}

enum tn_code sqlite_migrate(struct store *st, int *from, int *to, struct tn_err *err)
{
	enum tn_code code;
	int v;

	/* the scripts up to 14 in one transaction; 14 -> 15 is sqlite_log_move's two; then the rest */
	if ((code = migrate_to(st, STORE_LOG_SCHEMA - 1, from, &v, err)) != TN_OK)
		return code;
	if (v == STORE_LOG_SCHEMA - 1) {
		if ((code = sqlite_log_move(st, err)) != TN_OK)
			return code;
		v = STORE_LOG_SCHEMA;
	}
	if (v < STORE_SCHEMA && (code = migrate_to(st, STORE_SCHEMA, NULL, &v, err)) != TN_OK)
		return code;
	if (to)
		*to = STORE_SCHEMA;
	return TN_OK;
}

void sqlite_health(struct store *st, jv *out)
{
	sqlite3_stmt *s = store_stmt(st, "PRAGMA journal_mode", NULL);
	jv journal = jv_null();
	int v = user_version(st);

	if (s && sqlite3_step(s) == SQLITE_ROW)
		journal = store_col_text(s, 0);
	if (s)
		sqlite3_reset(s);
	*out = jv_object();
	*out = jv_object_set(*out, jv_string("ok"),
			     jv_bool(v == STORE_SCHEMA && jv_get_kind(journal) == JV_KIND_STRING));
	*out = jv_object_set(*out, jv_string("schema"), jv_number(v));
	*out = jv_object_set(*out, jv_string("journal"), journal);
}
