/* pg_cases.c — cases in PostgreSQL: filing (alone or as a workflow tree), reading, acting, history. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "pg_int.h"
#include "../store_common.h"

void pg_case_id(long seq, char *buf, size_t size)
{
	snprintf(buf, size, "C%08ld", seq);
}

long pg_case_seq(const char *id)
{
	long v;

	if (!id || id[0] != 'C' || strlen(id) < 9 || strlen(id) > 19)
		return -1;
	for (const char *p = id + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	if (tn_parse_long(id + 1, &v) != 0 || v <= 0)
		return -1;
	return v;
}

jv pg_case_doc(const PGresult *r, int row, int seq_col, int doc_col)
{
	char id[32];
	jv doc = pg_json(r, row, doc_col);

	pg_case_id(pg_long(r, row, seq_col), id, sizeof(id));
	if (jv_get_kind(doc) != JV_KIND_OBJECT) {
		jv_free(doc);
		doc = jv_object();
	}
	return jv_object_merge(jv_object_set(jv_object(), jv_string("id"), jv_string(id)), doc);
}

/*
 * The case filed by `token_id` under `key`: TN_OK with *found = 1 and the
 * stored document in *out when its hash is `hash` (a replay), TN_ECONFLICT
 * when it is another; TN_OK with *found = 0 when there is none.
 */
static enum tn_code idem_lookup(struct pg_store *p, long token_id, const char *key,
				const char *hash, jv *out, int *found, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;
	char id[32];

	*found = 0;
	code = pg_query(p, &r, err, "case create", "SELECT seq, idem_hash, doc FROM cases "
			"WHERE token_id = $1 AND idem_key = $2", "lt", token_id, key);
	if (code != TN_OK)
		return code;
	if (PQntuples(r) == 1) {
		if (!PQgetisnull(r, 0, 1) && strcmp(PQgetvalue(r, 0, 1), hash) == 0) {
			*out = pg_case_doc(r, 0, 0, 2);
			*found = 1;
		} else {
			pg_case_id(pg_long(r, 0, 0), id, sizeof(id));
			code = tn_err_set(err, TN_ECONFLICT, "idempotency key '%s' was used for "
					  "case %s with a different body", key, id);
		}
	}
	PQclear(r);
	return code;
}

/*
 * Insert the row of `c` (its doc borrowed, its event copied) under
 * `idem_key`, with `workflow` and `parent_seq` (NULL / 0 for none), and its
 * first event; its row number in *seq.  Inside a transaction.
 */
static enum tn_code insert_case(struct pg_store *p, struct store_case_new *c, const char *idem_key,
				const char *workflow, long parent_seq, long *seq,
				struct tn_err *err)
{
	char pseq[24], ddays[24], ldays[24];
	int has_from = c->deadline_from != NULL;
	PGresult *r;
	enum tn_code code;

	snprintf(pseq, sizeof(pseq), "%ld", parent_seq);
	snprintf(ddays, sizeof(ddays), "%ld", c->deadline_days);
	snprintf(ldays, sizeof(ldays), "%ld", c->legal_days);
	code = pg_query(p, &r, err, "case insert", "INSERT INTO cases (item, department, status, "
			"applicant_id, applicant_name, submitted_at, deadline, version, submitted_by, "
			"token_id, idem_key, idem_hash, doc, workflow, parent_seq, deadline_from, "
			"deadline_days, legal_days, deadline_provisional) VALUES ($1, $2, $3, $4, $5, "
			"$6, $7, 1, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING seq",
			"ttttttttlttjttttti", c->item, c->department, c->status, c->applicant_id,
			c->applicant_name, c->submitted_at, c->deadline, c->submitted_by, c->token_id,
			idem_key, c->idem_hash, jv_copy(c->doc), workflow,
			parent_seq > 0 ? pseq : NULL, c->deadline_from,
			has_from && c->deadline_days >= 0 ? ddays : NULL,
			has_from && c->legal_days >= 0 ? ldays : NULL, c->deadline_provisional != 0);
	if (code != TN_OK)
		return code;
	*seq = pg_long(r, 0, 0);
	PQclear(r);
	return pg_case_event_add(p, *seq, jv_copy(c->event), err);
}

/* The document `doc` (consumed) with "id" of row `seq` first. */
static jv with_id(long seq, jv doc)
{
	char id[32];

	pg_case_id(seq, id, sizeof(id));
	return jv_object_merge(jv_object_set(jv_object(), jv_string("id"), jv_string(id)), doc);
}

/*
 * One attempt at filing `parent` (and its `n` subs when `tree`), or finding
 * its replay, in one transaction; *dup when an insert met the unique key
 * (token, key) of a filing that committed meanwhile.
 */
static enum tn_code file_once(struct pg_store *p, int tree, const char *workflow,
			      struct store_case_new *parent, struct store_case_new *subs, int n,
			      jv *out, int *replayed, int *dup, struct tn_err *err)
{
	struct tn_buf key = TN_BUF_INIT;
	jv children = jv_array(), pdoc = jv_copy(parent->doc);
	enum tn_code code;
	char pid[32], id[32];
	long pseq = 0, seq = 0;

	*out = jv_invalid();
	*replayed = *dup = 0;
	if ((code = pg_begin(p, err)) == TN_OK)
		code = idem_lookup(p, parent->token_id, parent->idem_key, parent->idem_hash, out,
				   replayed, err);
	if (code == TN_OK && !*replayed) {
		code = insert_case(p, parent, parent->idem_key, workflow, 0, &pseq, err);
		*dup = code == TN_ECONFLICT;
	}
	pg_case_id(pseq, pid, sizeof(pid));
	for (int i = 0; tree && i < n && code == TN_OK && !*replayed; i++) {
		struct store_case_new sub = subs[i];

		tn_buf_reset(&key);
		tn_buf_addf(&key, "%s\t%s", parent->idem_key,
			    subs[i].department ? subs[i].department : "");
		sub.token_id = parent->token_id;
		sub.idem_hash = parent->idem_hash;
		sub.doc = jv_object_set(jv_copy(subs[i].doc), jv_string("parent"), jv_string(pid));
		code = insert_case(p, &sub, key.buf, workflow, pseq, &seq, err);
		*dup = code == TN_ECONFLICT;
		jv_free(sub.doc);
		pg_case_id(seq, id, sizeof(id));
		children = jv_array_append(children, jv_string(id));
	}
	if (tree && code == TN_OK && !*replayed) {
		pdoc = jv_object_set(pdoc, jv_string("children"), jv_copy(children));
		code = pg_query(p, NULL, err, "case update", "UPDATE cases SET doc = $1 WHERE seq = $2",
				"jl", jv_copy(pdoc), pseq);
	}
	if (code == TN_OK && !*replayed) {
		if ((code = pg_end(p, TN_OK, err)) == TN_OK)
			*out = with_id(pseq, jv_copy(pdoc));
	} else {
		pg_rollback(p);
	}
	tn_buf_release(&key);
	jv_free(children);
	jv_free(pdoc);
	if (code != TN_OK) {
		jv_free(*out);
		*out = jv_invalid();
		*replayed = 0;
	}
	return code;
}

/*
 * File, or find the replay.  Two filings under one key at once both find
 * none, and the second insert waits for the first and fails on the unique
 * key: that one is tried again, once, and then finds the first (a replay,
 * or a conflict naming its case), as SQLite's one writer at a time gives.
 */
static enum tn_code file_cases(struct pg_store *p, int tree, const char *workflow,
			       struct store_case_new *parent, struct store_case_new *subs, int n,
			       jv *out, int *replayed, struct tn_err *err)
{
	enum tn_code code;
	int dup;

	code = file_once(p, tree, workflow, parent, subs, n, out, replayed, &dup, err);
	if (code == TN_ECONFLICT && dup)
		code = file_once(p, tree, workflow, parent, subs, n, out, replayed, &dup, err);
	return code;
}

/* Free the documents and events of `c` and its `n` subs (consumed by the create calls). */
static void release_new(struct store_case_new *c, struct store_case_new *subs, int n)
{
	jv_free(c->doc);
	jv_free(c->event);
	c->doc = c->event = jv_invalid();
	for (int i = 0; i < n; i++) {
		jv_free(subs[i].doc);
		jv_free(subs[i].event);
		subs[i].doc = subs[i].event = jv_invalid();
	}
}

enum tn_code pg_case_create(struct store *st, struct store_case_new *c, jv *out,
			    int *replayed, struct tn_err *err)
{
	enum tn_code code = file_cases(PG(st), 0, NULL, c, NULL, 0, out, replayed, err);

	release_new(c, NULL, 0);
	return code;
}

/*
 * One filing of a batch, inside its transaction and under a savepoint (an
 * error aborts only what follows the savepoint): its idempotency check and
 * its rows.  An insert that met the unique key of a filing another instance
 * committed meanwhile is undone and looked up again, as file_cases does.
 * res gets the result; -1 when the savepoint itself failed (the connection:
 * the transaction is lost).
 */
static int batch_one(struct pg_store *p, struct store_case_new *c, struct store_case_filed *r)
{
	enum tn_code code;
	long seq;

	if (pg_exec(p, &r->err, "case create", "SAVEPOINT filing") != TN_OK) {
		r->code = pg_errcode(&r->err);
		return -1;
	}
	for (int again = 1;; again = 0) {
		code = idem_lookup(p, c->token_id, c->idem_key, c->idem_hash, &r->out,
				   &r->replayed, &r->err);
		if (code != TN_OK || r->replayed)
			break;
		code = insert_case(p, c, c->idem_key, NULL, 0, &seq, &r->err);
		if (code == TN_OK) {
			r->out = with_id(seq, jv_copy(c->doc));
			break;
		}
		if (code != TN_ECONFLICT || !again)
			break;
		if (pg_exec(p, NULL, "case create", "ROLLBACK TO SAVEPOINT filing") != TN_OK) {
			r->code = code;
			return -1;
		}
	}
	if (code != TN_OK) {
		jv_free(r->out);
		r->out = jv_invalid();
		r->replayed = 0;
		if (pg_exec(p, NULL, "case create", "ROLLBACK TO SAVEPOINT filing") != TN_OK) {
			r->code = code;
			return -1;
		}
	}
	r->code = code;
	return pg_exec(p, &r->err, "case create", "RELEASE SAVEPOINT filing") == TN_OK ? 0 : -1;
}

int pg_case_create_batch(struct store *st, struct store_case_new *cs, int n,
			 struct store_case_filed *res, int wait, struct tn_err *err)
{
	struct pg_store *p = PG(st);
	int rc = pg_begin(p, err) == TN_OK ? 0 : -1;

	(void)wait;             /* no lock to wait for: each row's key is locked by its insert */
	store_case_filed_init(res, n);
	for (int i = 0; i < n && rc == 0; i++) {
		if (batch_one(p, &cs[i], &res[i]) < 0) {
			*err = res[i].err;
			rc = -1;
		}
	}
	if (rc == 0 && pg_end(p, TN_OK, err) != TN_OK)
		rc = -1;
	if (rc < 0)
		pg_rollback(p);
	store_case_batch_end(cs, res, n, rc < 0 ? err : NULL);
	return rc;
}

enum tn_code pg_case_create_tree(struct store *st, const char *workflow,
				 struct store_case_new *parent, struct store_case_new *subs,
				 int n, jv *out, int *replayed, struct tn_err *err)
{
	enum tn_code code = file_cases(PG(st), 1, workflow, parent, subs, n, out, replayed, err);

	release_new(parent, subs, n);
	return code;
}

enum tn_code pg_case_get(struct store *st, const char *id, jv *doc, long *token_id,
			 struct tn_err *err)
{
	long seq = pg_case_seq(id);
	PGresult *r;
	enum tn_code code;

	*doc = jv_invalid();
	if (seq < 0)
		return tn_err_set(err, TN_ENOTFOUND, "no case '%s'", id);
	code = pg_query(PG(st), &r, err, "case get", "SELECT seq, doc, token_id FROM cases "
			"WHERE seq = $1", "l", seq);
	if (code != TN_OK)
		return code;
	if (PQntuples(r) == 1) {
		*doc = pg_case_doc(r, 0, 0, 1);
		if (token_id)
			*token_id = pg_long(r, 0, 2);
	} else {
		code = tn_err_set(err, TN_ENOTFOUND, "no case '%s'", id);
	}
	PQclear(r);
	return code;
}

/*
 * Row `seq` has just moved to completed: when it is a sub-case and every
 * sibling is completed, move its parent to completed too, as "system", at
 * `at`.  The parent row is locked before the siblings are counted, so that
 * of two last completions at once the second counts after the first
 * committed: exactly one completes the parent.
 */
static enum tn_code complete_parent(struct pg_store *p, long seq, const char *at,
				    struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;
	long pseq, version;
	char *from;
	jv doc;

	code = pg_query(p, &r, err, "case query", "SELECT parent_seq FROM cases WHERE seq = $1",
			"l", seq);
	if (code != TN_OK)
		return code;
	pseq = PQntuples(r) == 1 ? pg_long(r, 0, 0) : 0;
	PQclear(r);
	if (pseq <= 0)
		return TN_OK;
	/* lock the parent, then count in a snapshot taken after the lock was granted */
	code = pg_query(p, NULL, err, "parent case", "SELECT 1 FROM cases WHERE seq = $1 FOR UPDATE",
			"l", pseq);
	if (code != TN_OK)
		return code;
	code = pg_query(p, &r, err, "parent case", "SELECT status, version, doc, (SELECT count(*) "
			"FROM cases s WHERE s.parent_seq = $1 AND s.status <> 'completed') FROM cases "
			"WHERE seq = $1", "l", pseq);
	if (code != TN_OK)
		return code;
	if (PQntuples(r) != 1 || pg_long(r, 0, 3) > 0) {
		PQclear(r);
		return TN_OK;
	}
	from = pg_dup(r, 0, 0);
	version = pg_long(r, 0, 1) + 1;
	doc = pg_json(r, 0, 2);
	PQclear(r);
	if (!from || strcmp(from, "completed") == 0 || jv_get_kind(doc) != JV_KIND_OBJECT) {
		free(from);
		jv_free(doc);
		return TN_OK;
	}
	doc = jv_object_set(doc, jv_string("status"), jv_string("completed"));
	doc = jv_object_set(doc, jv_string("version"), jv_number((double)version));
	doc = jv_object_set(doc, jv_string("updated_at"), jv_string(at));
	doc = jv_object_set(doc, jv_string("completed_at"), jv_string(at));
	code = pg_query(p, NULL, err, "parent update", "UPDATE cases SET status = 'completed', "
			"version = $1, doc = $2 WHERE seq = $3", "ljl", version, doc, pseq);
	if (code == TN_OK)
		code = pg_case_system_event(p, pseq, at, "complete", from, "completed",
					    "every sub-case is completed", version, err);
	free(from);
	return code;
}

enum tn_code pg_case_act(struct store *st, const char *id, long version, const char *status,
			 jv doc, jv event, long *current, struct tn_err *err)
{
	struct pg_store *p = PG(st);
	long seq = pg_case_seq(id);
	PGresult *r;
	enum tn_code code;
	jv at;

	if (current)
		*current = -1;
	if (seq < 0) {
		jv_free(doc);
		jv_free(event);
		return tn_err_set(err, TN_ENOTFOUND, "no case '%s'", id);
	}
	doc = jv_object_delete(doc, jv_string("id"));
	if ((code = pg_begin(p, err)) != TN_OK) {
		jv_free(doc);
		jv_free(event);
		return code;
	}
	code = pg_query(p, &r, err, "case update", "UPDATE cases SET status = $1, version = "
			"version + 1, doc = $2 WHERE seq = $3 AND version = $4 RETURNING seq", "tjll",
			status, doc, seq, version);
	if (code == TN_OK && PQntuples(r) != 1) {
		PQclear(r);
		code = pg_query(p, &r, err, "case update", "SELECT version FROM cases WHERE seq = $1",
				"l", seq);
		if (code == TN_OK && PQntuples(r) == 1) {
			long v = pg_long(r, 0, 0);

			if (current)
				*current = v;
			code = tn_err_set(err, TN_ECONFLICT, "case %s is at version %ld, not %ld", id,
					  v, version);
		} else if (code == TN_OK) {
			code = tn_err_set(err, TN_ENOTFOUND, "no case '%s'", id);
		}
	}
	PQclear(r);
	if (code != TN_OK) {
		jv_free(event);
		return pg_end(p, code, err);
	}
	at = jv_object_get(jv_copy(event), jv_string("at"));
	code = pg_case_event_add(p, seq, event, err);
	if (code == TN_OK && strcmp(status, "completed") == 0)
		code = complete_parent(p, seq, jv_get_kind(at) == JV_KIND_STRING ?
				       jv_string_value(at) : "", err);
	jv_free(at);
	return pg_end(p, code, err);
}

enum tn_code pg_case_events(struct store *st, const char *id, jv *events, struct tn_err *err)
{
	long seq = pg_case_seq(id);
	PGresult *r;
	enum tn_code code;
	int n;

	*events = jv_array();
	if (seq < 0)
		return tn_err_set(err, TN_ENOTFOUND, "no case '%s'", id);
	code = pg_query(PG(st), &r, err, "case events", "SELECT seq, at, actor, role, action, "
			"from_status, to_status, comment, version FROM events WHERE case_seq = $1 "
			"ORDER BY seq", "l", seq);
	if (code != TN_OK)
		return code;
	n = PQntuples(r);
	for (int i = 0; i < n; i++) {
		jv e = jv_object();

		e = jv_object_set(e, jv_string("seq"), jv_number((double)pg_long(r, i, 0)));
		e = jv_object_set(e, jv_string("at"), pg_text(r, i, 1));
		e = jv_object_set(e, jv_string("actor"), pg_text(r, i, 2));
		e = jv_object_set(e, jv_string("role"), pg_text(r, i, 3));
		e = jv_object_set(e, jv_string("action"), pg_text(r, i, 4));
		e = jv_object_set(e, jv_string("from"), pg_text(r, i, 5));
		e = jv_object_set(e, jv_string("to"), pg_text(r, i, 6));
		e = jv_object_set(e, jv_string("comment"), pg_text(r, i, 7));
		e = jv_object_set(e, jv_string("version"), jv_number((double)pg_long(r, i, 8)));
		*events = jv_array_append(*events, e);
	}
	PQclear(r);
	if (n == 0)
		return tn_err_set(err, TN_ENOTFOUND, "no case '%s'", id);
	return TN_OK;
}
