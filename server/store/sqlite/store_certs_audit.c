/* store_certs_audit.c — the hash-chained audit log of certificate reads in twonetd's SQLite storage (schema: store_certs.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "tn_buf.h"
#include "tn_cert.h"
#include "store_int.h"
#include "store_certs.h"
#include "store/audit_hash.h"

/* ---- the audit log ---- */

enum tn_code sqlite_audit_append(struct store *st, const struct store_audit *a,
				struct tn_err *err)
{
	return sqlite_audit_append_rows(st, a, 1, err);
}

enum tn_code sqlite_audit_head(struct store *st, long long *seq, char hash[65], struct tn_err *err)
{
	sqlite3_stmt *s;
	const char *h;
	int rc;

	*seq = 0;
	hash[0] = '\0';
	STMT_OR_FAIL(s, st, "SELECT seq, hash FROM audit_head WHERE id = 1", err);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && (h = (const char *)sqlite3_column_text(s, 1)) != NULL &&
	    strlen(h) == 64) {
		*seq = (long long)sqlite3_column_int64(s, 0);
		memcpy(hash, h, 65);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW && hash[0])
		return TN_OK;
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return tn_err_set(err, TN_EINTERNAL, "the audit head is missing or damaged");
	return store_fail(st, err, "audit head");
}

enum tn_code sqlite_audit_hash_at(struct store *st, long long seq, char hash[65], int *found,
				 struct tn_err *err)
{
	sqlite3_stmt *s;
	const char *h;
	int rc;

	*found = 0;
	hash[0] = '\0';
	STMT_OR_FAIL(s, st, "SELECT hash FROM audit WHERE seq = ?", err);
	sqlite3_bind_int64(s, 1, seq);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && (h = (const char *)sqlite3_column_text(s, 0)) != NULL) {
		snprintf(hash, 65, "%s", h);
		*found = 1;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return TN_OK;
	return store_fail(st, err, "audit row");
}

enum tn_code sqlite_audit_append_rows(struct store *st, const struct store_audit *rows, size_t n,
				     struct tn_err *err)
{
	sqlite3_stmt *s;
	char prev[65], hash[65];
	long long seq;
	enum tn_code code;
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
	/* one statement for the group's rows, bound row by row (the texts only for the step) */
	STMT_OR_FAIL(s, st, "INSERT INTO audit (seq, at, actor, role, cert, holder, purpose, outcome, "
		     "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
	for (size_t i = 0; i < n; i++) {
		const struct store_audit *a = &rows[i];
		const char *const text[9] = { a->at, a->actor, a->role, a->cert, a->holder,
					      a->purpose, a->outcome, prev, hash };

		seq++;
		if ((code = store_audit_hash(seq, a, prev, hash, err)) != TN_OK)
			return code;
		sqlite3_bind_int64(s, 1, seq);
		for (int k = 0; k < 9; k++)
			store_bind_text_static(s, k + 2, text[k]);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return store_fail(st, err, "audit append");
		memcpy(prev, hash, sizeof(prev));
	}
	return store_do(st, err, "audit head", "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1",
			"Lt", seq, prev);
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

enum tn_code sqlite_audit_list(struct store *st, const struct store_audit_filter *f, jv *items,
			      long long *next, struct tn_err *err)
{
	struct store_query q;
	int rc;
	long count = 0;
	long long last = 0;
	sqlite3_stmt *s;
	enum tn_code code = TN_OK;
	/* by holder or certificate: the buckets the index file says may hold it, then the tail it does not hold yet */
	sqlite3 *xdb = f->holder || f->cert ? sqlite_audit_ixdb(st) : NULL;

	*items = jv_array();
	*next = -1;
	store_q_init(&q, "SELECT seq, at, actor, role, cert, holder, purpose, outcome, prev_hash, "
		     "hash FROM audit WHERE 1");
	store_q_num(&q, " AND seq > ?", f->after);
	if (f->holder)
		store_q_text(&q, " AND holder = ?", f->holder);
	if (f->cert)
		store_q_text(&q, " AND cert = ?", f->cert);
	if (xdb)                /* through the index file's filters */
		sqlite_ix_where(&q, f->holder ? "holder" : "cert", f->holder ? f->holder : f->cert,
				f->after);
	if (f->actor)
		store_q_text(&q, " AND actor = ?", f->actor);
	if (f->role)
		store_q_text(&q, " AND role = ?", f->role);
	if (f->purpose)
		store_q_text(&q, " AND instr(purpose, ?) > 0", f->purpose);
	/* `at` is RFC 3339 in +08:00: its first ten characters are the Beijing day */
	if (f->since)
		store_q_text(&q, " AND at >= ?", f->since);
	if (f->until)
		store_q_text(&q, " AND substr(at, 1, 10) <= ?", f->until);
	store_q_num(&q, " ORDER BY seq LIMIT ?", f->limit + 1);
	if (!(s = xdb ? store_q_prepare(xdb, &q, err) : store_q_stmt(st, &q, err)))
		return store_errcode(err);
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
		code = store_fail_db(xdb ? xdb : st->db, err, "audit list");
	if (xdb)
		sqlite3_finalize(s);
	else
		sqlite3_reset(s);
	return code;
}

enum tn_code sqlite_audit_verify(struct store *st, long long *rows, long long *bad_seq,
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

enum tn_code sqlite_audit_stats(struct store *st, const char *since, const char *until, jv *items,
			       struct tn_err *err)
{
	struct store_query q;
	sqlite3_stmt *s;
	enum tn_code code = TN_OK;
	int rc;

	*items = jv_array();
	/*
	 * The day is the Beijing date of "at" (always +08:00); the kind the 21
	 * characters after "1.2.156.3005.2." of a well-formed id (null for a
	 * list or a malformed id); the scenario the reader token's name, else
	 * the role that read.
	 */
	store_q_init(&q, "SELECT substr(at, 1, 10) AS day, "
		     "CASE WHEN cert LIKE '1.2.156.3005.2.%' AND length(cert) > 36 "
		     "THEN substr(cert, 16, 21) END AS kind, "
		     "CASE WHEN role = 'reader' THEN actor ELSE role END AS scenario, "
		     "count(*), sum(outcome = 'allowed') FROM audit WHERE 1");
	if (since)
		store_q_text(&q, " AND substr(at, 1, 10) >= ?", since);
	if (until)
		store_q_text(&q, " AND substr(at, 1, 10) <= ?", until);
	store_q_add(&q, " GROUP BY day, kind, scenario ORDER BY day, kind, scenario");
	if (!(s = store_q_stmt(st, &q, err)))
		return store_errcode(err);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		jv r = jv_object();

		r = jv_object_set(r, jv_string("day"), store_col_text(s, 0));
		r = jv_object_set(r, jv_string("kind"), store_col_text(s, 1));
		r = jv_object_set(r, jv_string("scenario"), store_col_text(s, 2));
		r = jv_object_set(r, jv_string("reads"),
				  jv_number((double)sqlite3_column_int64(s, 3)));
		r = jv_object_set(r, jv_string("allowed"),
				  jv_number((double)sqlite3_column_int64(s, 4)));
		*items = jv_array_append(*items, r);
	}
	if (rc != SQLITE_DONE)
		code = store_fail(st, err, "audit stats");
	sqlite3_reset(s);
	return code;
}
