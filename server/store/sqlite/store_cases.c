/* store_cases.c — the cases store: filing (alone or as a workflow tree), reading, acting, history (the list: store_cases_list.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "store.h"
#include "store_int.h"
#include "../store_common.h"

/*
 * 4 -> 5: cases on a "one thing" workflow.  A parent case and its sub-cases
 * (one per department) carry the workflow's code; a sub-case its parent.
 */
const char store_cases_workflow_schema[] =
	"ALTER TABLE cases ADD COLUMN workflow TEXT;"
	"ALTER TABLE cases ADD COLUMN parent_seq INTEGER REFERENCES cases (seq);"
	"CREATE INDEX cases_parent ON cases (parent_seq, seq);"
	"CREATE INDEX cases_workflow ON cases (workflow, seq);";

void store_case_id(long seq, char *buf, size_t size)
{
	snprintf(buf, size, "C%08ld", seq);
}

long store_case_seq(const char *id)
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

jv store_case_doc(sqlite3_stmt *s, int seq_col, int doc_col)
{
	char id[32];
	jv doc = store_col_json(s, doc_col);

	store_case_id((long)sqlite3_column_int64(s, seq_col), id, sizeof(id));
	if (jv_get_kind(doc) != JV_KIND_OBJECT) {
		jv_free(doc);
		doc = jv_object();
	}
	return jv_object_merge(jv_object_set(jv_object(), jv_string("id"), jv_string(id)), doc);
}

enum tn_code store_case_event_add(struct store *st, long seq, jv event, struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO events (case_seq, seq, at, actor, role, action, "
			       "from_status, to_status, comment, version) VALUES (?1, "
			       "(SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE case_seq = ?1), "
			       "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", err);
	static const char *const keys[] = { "at", "actor", "role", "action", "from", "to", "comment" };
	enum tn_code code;
	jv v;

	if (!s) {
		jv_free(event);
		return store_errcode(err);
	}
	sqlite3_bind_int64(s, 1, seq);
	for (int i = 0; i < 7; i++) {
		v = jv_object_get(jv_copy(event), jv_string(keys[i]));
		store_bind_text(s, i + 2, jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : NULL);
		jv_free(v);
	}
	v = jv_object_get(jv_copy(event), jv_string("version"));
	sqlite3_bind_int64(s, 9, jv_get_kind(v) == JV_KIND_NUMBER ? (sqlite3_int64)jv_number_value(v) : 0);
	jv_free(v);
	jv_free(event);
	code = store_run(st, s, err, "event insert");
	return code;
}

enum tn_code store_case_system_event(struct store *st, long seq, const char *at, const char *action,
				     const char *from, const char *to, const char *comment,
				     long version, struct tn_err *err)
{
	jv e = jv_object();

	e = jv_object_set(e, jv_string("at"), jv_string(at));
	e = jv_object_set(e, jv_string("actor"), jv_string("system"));
	e = jv_object_set(e, jv_string("role"), jv_string("system"));
	e = jv_object_set(e, jv_string("action"), jv_string(action));
	e = jv_object_set(e, jv_string("from"), jv_string(from));
	e = jv_object_set(e, jv_string("to"), jv_string(to));
	e = jv_object_set(e, jv_string("comment"), jv_string(comment));
	e = jv_object_set(e, jv_string("version"), jv_number((double)version));
	return store_case_event_add(st, seq, e, err);
}

/*
 * The case filed by `token_id` under `key`: TN_OK with *found = 1 and the
 * stored document in *out when its hash is `hash` (a replay), TN_ECONFLICT
 * when it is another; TN_OK with *found = 0 when there is none.
 */
static enum tn_code idem_lookup(struct store *st, long token_id, const char *key,
				const char *hash, jv *out, int *found, struct tn_err *err)
{
	sqlite3_stmt *s;
	enum tn_code code = TN_OK;
	char id[32];
	int rc;

	*found = 0;
	s = store_stmt(st, "SELECT seq, idem_hash, doc FROM cases WHERE token_id = ? AND idem_key = ?",
		 err);
	if (!s)
		return store_errcode(err);
	sqlite3_bind_int64(s, 1, token_id);
	store_bind_text(s, 2, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(s, 1);

		if (h && strcmp(h, hash) == 0) {
			*out = store_case_doc(s, 0, 2);
			*found = 1;
		} else {
			store_case_id((long)sqlite3_column_int64(s, 0), id, sizeof(id));
			code = tn_err_set(err, TN_ECONFLICT, "idempotency key '%s' was used for "
					  "case %s with a different body", key, id);
		}
	} else if (rc != SQLITE_DONE) {
		code = store_fail(st, err, "case create");
	}
	sqlite3_reset(s);
	return code;
}

/*
 * Insert the row of `c` (its doc borrowed, its event consumed) under
 * `idem_key`, with `workflow` and `parent_seq` (NULL / 0 for none), and its
 * first event; its row number in *seq, and in *text (when not NULL; owned,
 * jv_invalid() on failure) the document's text as stored.  Inside a
 * transaction.
 */
static enum tn_code insert_case(struct store *st, struct store_case_new *c, const char *idem_key,
				const char *workflow, long parent_seq, long *seq,
				struct store_case_filed *filed, struct tn_err *err)
{
	sqlite3_stmt *s;
	enum tn_code code;
	jv event = c->event;
	static struct tn_buf doc = TN_BUF_INIT;         /* kept: a filing's text needs no growth */
	struct report_cols r;

	c->event = jv_invalid();
	s = store_stmt(st, "INSERT INTO cases (item, department, status, applicant_id, applicant_name, "
		 "submitted_at, deadline, version, submitted_by, token_id, idem_key, idem_hash, doc, "
		 "workflow, parent_seq, deadline_from, deadline_days, legal_days, deadline_provisional, "
		 "r_day, r_workflow, r_legal, r_legal_days, r_accepted, r_returned, r_mat, r_exempt) "
		 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
		 "?18, CASE WHEN ?19 THEN substr(?6, 1, 10) END, ?20, ?21, "
		 "CASE WHEN ?19 THEN (SELECT legal_days FROM items WHERE code = ?1) END, "
		 "?22, ?23, ?24, ?25)", err);
	if (!s) {
		jv_free(event);
		return store_errcode(err);
	}
	/* the report columns the insert trigger would set (it runs when ?19 is 0) */
	sqlite3_bind_int(s, 19, sqlite_report_cols(c->doc, c->status, &r) == 0);
	store_bind_text(s, 20, jv_get_kind(r.workflow) == JV_KIND_STRING ?
			jv_string_value(r.workflow) : NULL);
	store_bind_text(s, 21, jv_get_kind(r.legal) == JV_KIND_STRING ? jv_string_value(r.legal) : NULL);
	sqlite3_bind_int(s, 22, r.accepted);
	sqlite3_bind_int(s, 23, r.returned);
	sqlite3_bind_int(s, 24, r.mat);
	sqlite3_bind_int(s, 25, r.exempt);
	store_bind_text(s, 1, c->item);
	store_bind_text(s, 2, c->department);
	store_bind_text(s, 3, c->status);
	store_bind_text(s, 4, c->applicant_id);
	store_bind_text(s, 5, c->applicant_name);
	store_bind_text(s, 6, c->submitted_at);
	store_bind_text(s, 7, c->deadline);
	store_bind_text(s, 8, c->submitted_by);
	sqlite3_bind_int64(s, 9, c->token_id);
	store_bind_text(s, 10, idem_key);
	store_bind_text(s, 11, c->idem_hash);
	tn_buf_reset(&doc);
	tn_json_dump(c->doc, &doc);     /* jv_dump_string's bytes, faster */
	/* doc stays as it is until this statement's next use, which clears its bindings first */
	sqlite3_bind_text(s, 12, doc.buf, (int)doc.len, SQLITE_STATIC);
	if (filed) {
		filed->text = tn_xstrndup(doc.buf, doc.len);    /* JSON text: no NUL byte in it */
		filed->text_len = doc.len;
	}
	store_bind_text(s, 13, workflow);
	if (parent_seq > 0)
		sqlite3_bind_int64(s, 14, parent_seq);
	else
		sqlite3_bind_null(s, 14);
	store_bind_text(s, 15, c->deadline_from);
	if (c->deadline_from && c->deadline_days >= 0)
		sqlite3_bind_int64(s, 16, c->deadline_days);
	if (c->deadline_from && c->legal_days >= 0)
		sqlite3_bind_int64(s, 17, c->legal_days);
	sqlite3_bind_int(s, 18, c->deadline_provisional != 0);
	code = store_run(st, s, err, "case insert");
	jv_free(r.workflow);
	jv_free(r.legal);
	if (code == TN_OK) {
		*seq = (long)sqlite3_last_insert_rowid(st->db);
		code = store_case_event_add(st, *seq, event, err);
	} else {
		jv_free(event);
	}
	if (code != TN_OK && filed) {
		free(filed->text);
		filed->text = NULL;
	}
	return code;
}

/* Replace the stored document of row `seq` with `doc` (consumed, without "id"). */
static enum tn_code update_doc(struct store *st, long seq, jv doc, struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE cases SET doc = ? WHERE seq = ?", err);
	enum tn_code code;

	if (!s) {
		jv_free(doc);
		return store_errcode(err);
	}
	store_bind_json(s, 1, doc);
	sqlite3_bind_int64(s, 2, seq);
	code = store_run(st, s, err, "case update");
	return code;
}

/*
 * Begin the transaction that files `c`, and look for the case its token
 * filed under its idempotency key (idem_lookup: *out and *found for a replay).
 * *out is invalid and *found 0 until then.
 */
static enum tn_code begin_filing(struct store *st, const struct store_case_new *c, jv *out,
				 int *found, struct tn_err *err)
{
	enum tn_code code;

	*out = jv_invalid();
	*found = 0;
	if ((code = store_begin(st, err)) != TN_OK)
		return code;
	return idem_lookup(st, c->token_id, c->idem_key, c->idem_hash, out, found, err);
}

/* The document `doc` (consumed) with "id" of row `seq` first. */
static jv with_id(long seq, jv doc)
{
	char id[32];

	store_case_id(seq, id, sizeof(id));
	return jv_object_merge(jv_object_set(jv_object(), jv_string("id"), jv_string(id)), doc);
}

enum tn_code sqlite_case_create(struct store *st, struct store_case_new *c, jv *out,
			       int *replayed, struct tn_err *err)
{
	enum tn_code code;
	long seq;

	code = begin_filing(st, c, out, replayed, err);
	if (code != TN_OK || *replayed)
		goto out;
	code = insert_case(st, c, c->idem_key, NULL, 0, &seq, NULL, err);
	if (code == TN_OK)
		code = store_commit(st, err);
	if (code == TN_OK)
		*out = with_id(seq, jv_copy(c->doc));
out:
	if (code != TN_OK || *replayed)
		store_rollback(st);
	jv_free(c->doc);
	jv_free(c->event);
	c->doc = jv_invalid();
	c->event = jv_invalid();
	if (code != TN_OK) {
		jv_free(*out);
		*out = jv_invalid();
	}
	return code;
}

enum tn_code sqlite_case_create_tree(struct store *st, const char *workflow,
				    struct store_case_new *parent, struct store_case_new *subs,
				    int n, jv *out, int *replayed, struct tn_err *err)
{
	struct tn_buf key = TN_BUF_INIT;
	enum tn_code code;
	jv children = jv_array();
	char pid[32], id[32];
	long pseq = 0, seq;

	code = begin_filing(st, parent, out, replayed, err);
	if (code != TN_OK || *replayed)
		goto out;
	code = insert_case(st, parent, parent->idem_key, workflow, 0, &pseq, NULL, err);
	store_case_id(pseq, pid, sizeof(pid));
	for (int i = 0; i < n && code == TN_OK; i++) {
		tn_buf_reset(&key);
		tn_buf_addf(&key, "%s\t%s", parent->idem_key,
			    subs[i].department ? subs[i].department : "");
		subs[i].token_id = parent->token_id;
		subs[i].idem_hash = parent->idem_hash;
		subs[i].doc = jv_object_set(subs[i].doc, jv_string("parent"), jv_string(pid));
		code = insert_case(st, &subs[i], key.buf, workflow, pseq, &seq, NULL, err);
		store_case_id(seq, id, sizeof(id));
		children = jv_array_append(children, jv_string(id));
	}
	if (code == TN_OK) {
		parent->doc = jv_object_set(parent->doc, jv_string("children"), jv_copy(children));
		code = update_doc(st, pseq, jv_copy(parent->doc), err);
	}
	if (code == TN_OK)
		code = store_commit(st, err);
	if (code == TN_OK)
		*out = with_id(pseq, jv_copy(parent->doc));
out:
	if (code != TN_OK || *replayed)
		store_rollback(st);
	tn_buf_release(&key);
	jv_free(children);
	jv_free(parent->doc);
	jv_free(parent->event);
	parent->doc = parent->event = jv_invalid();
	for (int i = 0; i < n; i++) {
		jv_free(subs[i].doc);
		jv_free(subs[i].event);
		subs[i].doc = subs[i].event = jv_invalid();
	}
	if (code != TN_OK) {
		jv_free(*out);
		*out = jv_invalid();
	}
	return code;
}

/* The cached statement `sql` with case `id`'s row number bound to its one ?: TN_OK and *s, or an error (TN_ENOTFOUND for an id that names no row). */
static enum tn_code case_stmt(struct store *st, const char *id, const char *sql, sqlite3_stmt **s,
			      struct tn_err *err)
{
	long seq = store_case_seq(id);

	if (seq < 0)
		return tn_err_set(err, TN_ENOTFOUND, "no case '%s'", id);
	STMT_OR_FAIL(*s, st, sql, err);
	sqlite3_bind_int64(*s, 1, seq);
	return TN_OK;
}

enum tn_code sqlite_case_get(struct store *st, const char *id, jv *doc, long *token_id,
			    struct tn_err *err)
{
	sqlite3_stmt *s;
	enum tn_code code;
	int rc;

	*doc = jv_invalid();
	code = case_stmt(st, id, "SELECT seq, doc, token_id FROM cases WHERE seq = ?", &s, err);
	if (code != TN_OK)
		return code;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*doc = store_case_doc(s, 0, 1);
		if (token_id)
			*token_id = (long)sqlite3_column_int64(s, 2);
		sqlite3_reset(s);
		return TN_OK;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return tn_err_set(err, TN_ENOTFOUND, "no case '%s'", id);
	return store_fail(st, err, "case get");
}

/* One integer of a one-row query on `seq`: 1 and *v, 0 for no row or NULL, -1 on error. */
static int query_long(struct store *st, const char *sql, long seq, long *v, struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, sql, err);
	int rc, got = 0;

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, seq);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*v = (long)sqlite3_column_int64(s, 0);
		got = 1;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_fail(st, err, "case query");
		got = -1;
	}
	sqlite3_reset(s);
	return got;
}

/*
 * Row `seq` has just moved to completed: when it is a sub-case and every
 * sibling is completed, move its parent to completed too, as "system", at
 * `at`.  Inside the caller's transaction.
 */
static enum tn_code complete_parent(struct store *st, long seq, const char *at, struct tn_err *err)
{
	sqlite3_stmt *s;
	enum tn_code code;
	long pseq = 0, open_subs = 0, version;
	char *from;
	jv doc;
	int got;

	got = query_long(st, "SELECT parent_seq FROM cases WHERE seq = ?", seq, &pseq, err);
	if (got <= 0)
		return got < 0 ? store_errcode(err) : TN_OK;
	got = query_long(st, "SELECT COUNT(*) FROM cases WHERE parent_seq = ? AND "
			 "status <> 'completed'", pseq, &open_subs, err);
	if (got < 0)
		return store_errcode(err);
	if (open_subs > 0)
		return TN_OK;
	s = store_stmt(st, "SELECT status, version, doc FROM cases WHERE seq = ?", err);
	if (!s)
		return store_errcode(err);
	sqlite3_bind_int64(s, 1, pseq);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return store_fail(st, err, "parent case");
	}
	from = store_col_dup(s, 0);
	version = (long)sqlite3_column_int64(s, 1) + 1;
	doc = store_col_json(s, 2);
	sqlite3_reset(s);
	if (!from || strcmp(from, "completed") == 0 || jv_get_kind(doc) != JV_KIND_OBJECT) {
		free(from);
		jv_free(doc);
		return TN_OK;
	}
	doc = jv_object_set(doc, jv_string("status"), jv_string("completed"));
	doc = jv_object_set(doc, jv_string("version"), jv_number((double)version));
	doc = jv_object_set(doc, jv_string("updated_at"), jv_string(at));
	doc = jv_object_set(doc, jv_string("completed_at"), jv_string(at));
	s = store_stmt(st, "UPDATE cases SET status = 'completed', version = ?, doc = ? "
		 "WHERE seq = ?", err);
	if (!s) {
		free(from);
		jv_free(doc);
		return store_errcode(err);
	}
	sqlite3_bind_int64(s, 1, version);
	store_bind_json(s, 2, doc);
	sqlite3_bind_int64(s, 3, pseq);
	code = store_run(st, s, err, "parent update");
	if (code != TN_OK) {
		free(from);
		return code;
	}
	code = store_case_system_event(st, pseq, at, "complete", from, "completed",
				       "every sub-case is completed", version, err);
	free(from);
	return code;
}

enum tn_code sqlite_case_act(struct store *st, const char *id, long version, const char *status,
			    jv doc, jv event, long *current, struct tn_err *err)
{
	sqlite3_stmt *s;
	long seq = store_case_seq(id);
	enum tn_code code;

	if (current)
		*current = -1;
	if (seq < 0) {
		jv_free(doc);
		jv_free(event);
		return tn_err_set(err, TN_ENOTFOUND, "no case '%s'", id);
	}
	doc = jv_object_delete(doc, jv_string("id"));
	if ((code = store_begin(st, err)) != TN_OK) {
		jv_free(doc);
		jv_free(event);
		return code;
	}
	s = store_stmt(st, "UPDATE cases SET status = ?, version = version + 1, doc = ? "
		 "WHERE seq = ? AND version = ?", err);
	if (!s) {
		code = store_errcode(err);
		jv_free(doc);
		jv_free(event);
		goto out;
	}
	store_bind_text(s, 1, status);
	store_bind_json(s, 2, doc);
	sqlite3_bind_int64(s, 3, seq);
	sqlite3_bind_int64(s, 4, version);
	code = store_run(st, s, err, "case update");
	if (code == TN_OK && sqlite3_changes(st->db) != 1) {
		s = store_stmt(st, "SELECT version FROM cases WHERE seq = ?", err);
		if (s) {
			sqlite3_bind_int64(s, 1, seq);
			if (sqlite3_step(s) == SQLITE_ROW) {
				long v = (long)sqlite3_column_int64(s, 0);

				if (current)
					*current = v;
				code = tn_err_set(err, TN_ECONFLICT, "case %s is at version %ld, "
						  "not %ld", id, v, version);
			} else {
				code = tn_err_set(err, TN_ENOTFOUND, "no case '%s'", id);
			}
			sqlite3_reset(s);
		} else {
			code = store_errcode(err);
		}
		jv_free(event);
		goto out;
	}
	if (code == TN_OK) {
		jv at = jv_object_get(jv_copy(event), jv_string("at"));

		code = store_case_event_add(st, seq, event, err);
		if (code == TN_OK && strcmp(status, "completed") == 0)
			code = complete_parent(st, seq, jv_get_kind(at) == JV_KIND_STRING ?
					       jv_string_value(at) : "", err);
		jv_free(at);
	} else {
		jv_free(event);
	}
out:
	return store_end(st, code, err);
}

enum tn_code sqlite_case_events(struct store *st, const char *id, jv *events,
			       struct tn_err *err)
{
	sqlite3_stmt *s;
	enum tn_code code;
	int rc;

	*events = jv_array();
	code = case_stmt(st, id, "SELECT seq, at, actor, role, action, from_status, to_status, "
			 "comment, version FROM events WHERE case_seq = ? ORDER BY seq", &s, err);
	if (code != TN_OK)
		return code;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		jv e = jv_object();

		e = jv_object_set(e, jv_string("seq"), jv_number((double)sqlite3_column_int64(s, 0)));
		e = jv_object_set(e, jv_string("at"), store_col_text(s, 1));
		e = jv_object_set(e, jv_string("actor"), store_col_text(s, 2));
		e = jv_object_set(e, jv_string("role"), store_col_text(s, 3));
		e = jv_object_set(e, jv_string("action"), store_col_text(s, 4));
		e = jv_object_set(e, jv_string("from"), store_col_text(s, 5));
		e = jv_object_set(e, jv_string("to"), store_col_text(s, 6));
		e = jv_object_set(e, jv_string("comment"), store_col_text(s, 7));
		e = jv_object_set(e, jv_string("version"),
				  jv_number((double)sqlite3_column_int64(s, 8)));
		*events = jv_array_append(*events, e);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, "case events");
	if (jv_array_length(jv_copy(*events)) == 0) {
		jv_free(*events);
		*events = jv_array();
		return tn_err_set(err, TN_ENOTFOUND, "no case '%s'", id);
	}
	return TN_OK;
}

/* Run the cached one-statement `sql` (a savepoint's). */
static enum tn_code run_sql(struct store *st, const char *sql, struct tn_err *err)
{
	sqlite3_stmt *s;

	STMT_OR_FAIL(s, st, sql, err);
	return store_run(st, s, err, "savepoint");
}

/* What store_case_filed.out holds beside its text: "id" of row `seq`, then `doc`'s (borrowed) version, status and deadline. */
static jv filed_head(long seq, jv doc)
{
	static const char *const keys[] = { "version", "status", "deadline" };
	jv out = with_id(seq, jv_object());

	for (int i = 0; i < 3; i++) {
		jv v = jv_object_get(jv_copy(doc), jv_string(keys[i]));

		if (jv_is_valid(v))
			out = jv_object_set(out, jv_string(keys[i]), v);
		else
			jv_free(v);
	}
	return out;
}

/*
 * One filing of a batch, inside its transaction: its idempotency check,
 * then its rows under a savepoint, undone alone when they fail.  res gets
 * its result; c's doc and event are consumed.
 */
static void batch_one(struct store *st, struct store_case_new *c, struct store_case_filed *r)
{
	enum tn_code code;
	long seq;

	r->out = jv_invalid();
	r->replayed = 0;
	code = idem_lookup(st, c->token_id, c->idem_key, c->idem_hash, &r->out, &r->replayed,
			   &r->err);
	if (code == TN_OK && !r->replayed &&
	    (code = run_sql(st, "SAVEPOINT filing", &r->err)) == TN_OK) {
		code = insert_case(st, c, c->idem_key, NULL, 0, &seq, r, &r->err);
		if (code == TN_OK)
			r->out = filed_head(seq, c->doc);
		else if (!sqlite3_get_autocommit(st->db))
			run_sql(st, "ROLLBACK TO filing", NULL);
		if (!sqlite3_get_autocommit(st->db))
			run_sql(st, "RELEASE filing", NULL);
	}
	if (code != TN_OK) {
		jv_free(r->out);
		r->out = jv_invalid();
		r->replayed = 0;
	}
	r->code = code;
	jv_free(c->doc);
	jv_free(c->event);
	c->doc = c->event = jv_invalid();
}

int sqlite_case_create_batch(struct store *st, struct store_case_new *cs, int n,
			     struct store_case_filed *res, int wait, struct tn_err *err)
{
	int rc = wait ? (store_begin_short(st, err) == TN_OK ? 0 : -1) : store_try_begin(st, err);

	if (rc == 1)
		return 1;
	store_case_filed_init(res, n);
	for (int i = 0; i < n && rc == 0; i++) {
		batch_one(st, &cs[i], &res[i]);
		/* an error SQLite ended the transaction on: the filings before it are gone too */
		if (res[i].code != TN_OK && sqlite3_get_autocommit(st->db)) {
			*err = res[i].err;
			rc = -1;
		}
	}
	if (rc == 0 && store_commit(st, err) != TN_OK)
		rc = -1;
	if (rc < 0)
		store_rollback(st);
	store_busy_default(st);
	store_case_batch_end(cs, res, n, rc < 0 ? err : NULL);
	return rc;
}
