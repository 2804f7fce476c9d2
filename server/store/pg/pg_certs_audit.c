/* pg_certs_audit.c — the hash-chained audit log of certificate reads in PostgreSQL: one chain for all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_cert.h"
#include "pg_int.h"
#include "store/audit_hash.h"

/*
 * One chain, many writers.  Every append locks the chain's head row
 * (audit_head, id 1) with SELECT ... FOR UPDATE inside its transaction,
 * takes seq = head + 1 and prev_hash = the head's hash, inserts its rows
 * and moves the head, then commits: the next writer, on any connection of
 * any instance, waits for the lock and then reads (read committed) the head
 * that commit left.  So seq never repeats (no fork) and never skips (no
 * gap: a writer that rolls back leaves the head as it was).  The group
 * commit of an instance (server/certs_audit.c) appends its batch in one
 * such transaction; store_certs_try_begin takes the head's lock up front,
 * skipping rather than waiting when another instance holds it.
 */

/* Rows a single INSERT carries (10 values each, well under libpq's 65535). */
#define AUDIT_CHUNK 500

/* The head, locked until the transaction ends: its seq and hash. */
static enum tn_code head_lock(struct pg_store *p, long long *seq, char hash[65],
			      struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	code = pg_query(p, &r, err, "audit head", "SELECT seq, hash FROM audit_head WHERE id = 1 "
			"FOR UPDATE", "");
	if (code != TN_OK)
		return code;
	if (PQntuples(r) != 1 || PQgetisnull(r, 0, 1) || PQgetlength(r, 0, 1) != 64) {
		PQclear(r);
		return tn_err_set(err, TN_EINTERNAL, "the audit head is missing");
	}
	*seq = pg_long(r, 0, 0);
	memcpy(hash, PQgetvalue(r, 0, 1), 65);
	PQclear(r);
	return TN_OK;
}

/*
 * Insert rows[0..n) as seq first.. after `prev` (updated to the last hash),
 * in one statement; `last`: the same statement moves the head to the last
 * row (one round trip fewer while the head is locked).
 */
static enum tn_code insert_rows(struct pg_store *p, const struct store_audit *rows, size_t n,
				long long first, char prev[65], int last, struct tn_err *err)
{
	struct tn_buf sql = TN_BUF_INIT;
	const char **vals = tn_xcalloc(n * 10, sizeof(*vals));
	char (*seqs)[24] = tn_xcalloc(n, sizeof(*seqs));
	char (*hashes)[2][65] = tn_xcalloc(n, sizeof(*hashes));
	enum tn_code code = TN_OK;
	PGresult *r;

	if (last)
		tn_buf_adds(&sql, "WITH rows AS (");
	tn_buf_adds(&sql, "INSERT INTO audit (seq, at, actor, role, cert, holder, purpose, outcome, "
		    "prev_hash, hash) VALUES ");
	for (size_t i = 0; i < n && code == TN_OK; i++) {
		const struct store_audit *a = &rows[i];
		const char **v = vals + i * 10;

		memcpy(hashes[i][0], prev, 65);
		code = store_audit_hash(first + (long long)i, a, prev, hashes[i][1], err);
		memcpy(prev, hashes[i][1], 65);
		snprintf(seqs[i], sizeof(seqs[i]), "%lld", first + (long long)i);
		v[0] = seqs[i];
		v[1] = a->at;
		v[2] = a->actor;
		v[3] = a->role;
		v[4] = a->cert;
		v[5] = a->holder;
		v[6] = a->purpose;
		v[7] = a->outcome;
		v[8] = hashes[i][0];
		v[9] = hashes[i][1];
		tn_buf_addf(&sql, "%s(", i ? ", " : "");
		for (int k = 1; k <= 10; k++)
			tn_buf_addf(&sql, "%s$%zu", k > 1 ? ", " : "", i * 10 + (size_t)k);
		tn_buf_addch(&sql, ')');
	}
	if (last)       /* the last row's seq and hash */
		tn_buf_addf(&sql, ") UPDATE audit_head SET seq = $%zu, hash = $%zu WHERE id = 1",
			    n * 10 - 9, n * 10);
	if (code == TN_OK) {
		code = pg_query_vals(p, &r, err, "audit append", sql.buf, (int)(n * 10), vals);
		PQclear(r);
	}
	tn_buf_release(&sql);
	free(vals);
	free(seqs);
	free(hashes);
	return code;
}

enum tn_code pg_audit_append_rows(struct store *st, const struct store_audit *rows, size_t n,
				  struct tn_err *err)
{
	struct pg_store *p = PG(st);
	int own = !pg_in_tx(p);
	char prev[65];
	long long seq = 0;
	enum tn_code code;

	if (n == 0)
		return TN_OK;
	/* outside a transaction: one of its own (the lock must cover the rows and the head) */
	if (own && (code = pg_begin(p, err)) != TN_OK)
		return code;
	code = head_lock(p, &seq, prev, err);
	for (size_t i = 0; code == TN_OK && i < n; i += AUDIT_CHUNK) {
		size_t k = n - i < AUDIT_CHUNK ? n - i : AUDIT_CHUNK;

		code = insert_rows(p, rows + i, k, seq + 1 + (long long)i, prev, i + k == n, err);
	}
	if (!own)
		return code;
	return pg_end(p, code, err);
}

enum tn_code pg_audit_append(struct store *st, const struct store_audit *a, struct tn_err *err)
{
	return pg_audit_append_rows(st, a, 1, err);
}

enum tn_code pg_audit_head(struct store *st, long long *seq, char hash[65], struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*seq = 0;
	hash[0] = '\0';
	code = pg_query(PG(st), &r, err, "audit head", "SELECT seq, hash FROM audit_head WHERE id = 1",
			"");
	if (code != TN_OK)
		return code;
	if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 1) && PQgetlength(r, 0, 1) == 64) {
		*seq = pg_long(r, 0, 0);
		memcpy(hash, PQgetvalue(r, 0, 1), 65);
	}
	PQclear(r);
	if (hash[0])
		return TN_OK;
	return tn_err_set(err, TN_EINTERNAL, "the audit head is missing or damaged");
}

enum tn_code pg_audit_hash_at(struct store *st, long long seq, char hash[65], int *found,
			      struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*found = 0;
	hash[0] = '\0';
	code = pg_query(PG(st), &r, err, "audit row", "SELECT hash FROM audit WHERE seq = $1", "L",
			seq);
	if (code != TN_OK)
		return code;
	if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) {
		snprintf(hash, 65, "%s", PQgetvalue(r, 0, 0));
		*found = 1;
	}
	PQclear(r);
	return TN_OK;
}

#define AUDIT_COLS "SELECT seq, at, actor, role, cert, holder, purpose, outcome, prev_hash, hash " \
	"FROM audit "

/* A ROW of the log from columns 0..9 (seq .. hash) of row i. */
static jv audit_row_of(const PGresult *r, int i)
{
	static const char *const names[] = {
		"at", "actor", "role", "cert", "holder", "purpose", "outcome", "prev_hash", "hash"
	};
	jv o = jv_object();

	o = jv_object_set(o, jv_string("seq"), jv_number((double)pg_long(r, i, 0)));
	for (int k = 0; k < 9; k++)
		o = jv_object_set(o, jv_string(names[k]), pg_text(r, i, k + 1));
	return o;
}

/*
 * SQLite's filters: purpose contained (instr: strpos), since compared with
 * the whole of `at`, until with its Beijing day (the first ten characters).
 */
enum tn_code pg_audit_list(struct store *st, const struct store_audit_filter *f, jv *items,
			   long long *next, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;
	int n;

	*items = jv_array();
	*next = -1;
	code = pg_query(PG(st), &r, err, "audit list", AUDIT_COLS "WHERE seq > $1 "
			"AND ($2::text IS NULL OR holder = $2) AND ($3::text IS NULL OR cert = $3) "
			"AND ($4::text IS NULL OR actor = $4) AND ($5::text IS NULL OR role = $5) "
			"AND ($6::text IS NULL OR strpos(purpose, $6) > 0) "
			"AND ($7::text IS NULL OR at >= $7) "
			"AND ($8::text IS NULL OR substr(at, 1, 10) <= $8) ORDER BY seq LIMIT $9",
			"Lttttttt" "l", f->after, f->holder, f->cert, f->actor, f->role, f->purpose,
			f->since, f->until, f->limit + 1);
	if (code != TN_OK)
		return code;
	n = PQntuples(r);
	for (int i = 0; i < n && i < f->limit; i++)
		*items = jv_array_append(*items, audit_row_of(r, i));
	if (n > f->limit)       /* SQLite's: 0 for a page of 0 rows */
		*next = f->limit > 0 ? pg_long(r, (int)f->limit - 1, 0) : 0;
	PQclear(r);
	return TN_OK;
}

/* Rows read a page at a time while verifying. */
#define VERIFY_PAGE 10000

struct walk {
	char prev[65];
	long long want;         /* the seq the next row must have */
	long long *rows, *bad_seq;
	char *why;
	size_t size;
};

/* Check row i of r as SQLite's verify does; the first bad one sets bad_seq and why. */
static void verify_row(struct walk *w, const PGresult *r, int i, struct tn_err *err)
{
	long long seq = pg_long(r, i, 0);
	char hash[65];
	jv row;

	(*w->rows)++;
	if (*w->bad_seq)
		return;
	if (seq != w->want) {
		*w->bad_seq = w->want;
		snprintf(w->why, w->size, seq > w->want ? "row %lld is missing (deleted): the next row "
			 "is %lld" : "row %lld is out of order (found %lld)", w->want, seq);
		return;
	}
	if (PQgetisnull(r, i, 8) || strcmp(PQgetvalue(r, i, 8), w->prev) != 0) {
		*w->bad_seq = seq;
		snprintf(w->why, w->size, "row %lld does not follow row %lld: its prev_hash is not "
			 "that row's hash", seq, seq - 1);
		return;
	}
	row = audit_row_of(r, i);
	if (tn_cert_audit_hash(row, w->prev, hash, err) != TN_OK) {
		jv_free(row);
		*w->bad_seq = seq;
		snprintf(w->why, w->size, "row %lld cannot be hashed: %s", seq,
			 err ? err->message : "not canonical");
		return;
	}
	jv_free(row);
	if (PQgetisnull(r, i, 9) || strcmp(PQgetvalue(r, i, 9), hash) != 0) {
		*w->bad_seq = seq;
		snprintf(w->why, w->size, "row %lld was changed: its hash does not match its content",
			 seq);
		return;
	}
	snprintf(w->prev, sizeof(w->prev), "%s", hash);
	w->want++;
}

/* The head against the walked chain, as SQLite's verify words it. */
static void verify_head(struct walk *w, const PGresult *r)
{
	long long head_seq;
	const char *h;

	if (PQntuples(r) != 1) {
		*w->bad_seq = 1;
		snprintf(w->why, w->size, "the chain's head is missing");
		return;
	}
	head_seq = pg_long(r, 0, 0);
	h = PQgetisnull(r, 0, 1) ? NULL : PQgetvalue(r, 0, 1);
	if (head_seq != w->want - 1) {
		*w->bad_seq = w->want;
		snprintf(w->why, w->size, head_seq > w->want - 1 ?
			 "rows %lld to %lld are missing (deleted): the chain's head says %lld rows" :
			 "row %lld .. %lld: more rows than the chain's head (%lld) records",
			 w->want, head_seq > w->want - 1 ? head_seq : w->want - 1, head_seq);
	} else if (!h || strcmp(h, w->prev) != 0) {
		*w->bad_seq = w->want - 1;
		snprintf(w->why, w->size, "row %lld is not the chain's recorded last row", w->want - 1);
	}
}

/*
 * The whole chain on one snapshot (repeatable read): rows appended while
 * it runs are not seen, and the head read at the end is the one of the
 * rows walked.  Pages of VERIFY_PAGE rows by seq, never the whole log in
 * memory.
 */
enum tn_code pg_audit_verify(struct store *st, long long *rows, long long *bad_seq, char *why,
			     size_t size, struct tn_err *err)
{
	struct pg_store *p = PG(st);
	struct walk w = { .want = 1, .rows = rows, .bad_seq = bad_seq, .why = why, .size = size };
	int own = !pg_in_tx(p);
	long long after = 0;
	PGresult *r;
	enum tn_code code;
	int n;

	*rows = 0;
	*bad_seq = 0;
	why[0] = '\0';
	snprintf(w.prev, sizeof(w.prev), "%s", TN_CERT_AUDIT_GENESIS);
	if (own && (code = pg_begin_snapshot(p, err)) != TN_OK)
		return code;
	do {
		code = pg_query(p, &r, err, "audit verify", AUDIT_COLS "WHERE seq > $1 ORDER BY seq "
				"LIMIT $2", "Ll", after, (long)VERIFY_PAGE);
		if (code != TN_OK)
			break;
		n = PQntuples(r);
		for (int i = 0; i < n; i++)
			verify_row(&w, r, i, err);
		if (n > 0)
			after = pg_long(r, n - 1, 0);
		PQclear(r);
	} while (n == VERIFY_PAGE);
	if (code == TN_OK && !*bad_seq) {
		code = pg_query(p, &r, err, "audit verify", "SELECT seq, hash FROM audit_head "
				"WHERE id = 1", "");
		if (code == TN_OK) {
			verify_head(&w, r);
			PQclear(r);
		}
	}
	if (own)
		pg_rollback(p);         /* read only: nothing to commit */
	return code;
}
