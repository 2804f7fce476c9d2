/* store_alerts.c — the alerts tables of twonetd's SQLite storage (see store.h, store_alerts.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "../store_common.h"
#include "store_int.h"
#include "store_alerts.h"
#include "jvutil.h"

/*
 * Migration 2 -> 3.  alert_events is the one log of alerts and updates: its
 * seq (AUTOINCREMENT, so never reused even after old rows are deleted) is
 * the stream position and the id of an alert is the seq of its "alert"
 * event.  Each event row carries the SSE data line ready to send and the
 * alert's filter attributes, so the stream never parses JSON.
 */
const char store_alerts_schema[] =
	"CREATE TABLE alerts ("
	"  id INTEGER PRIMARY KEY,"
	"  source TEXT NOT NULL,"
	"  source_id TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  severity INTEGER NOT NULL,"
	"  district TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  raised_at INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  doc TEXT NOT NULL,"
	"  UNIQUE (source, source_id));"
	"CREATE INDEX alerts_status ON alerts (status, id);"
	"CREATE INDEX alerts_district ON alerts (district, id);"
	"CREATE INDEX alerts_kind ON alerts (kind, id);"
	"CREATE INDEX alerts_raised ON alerts (raised_at);"
	"CREATE TABLE alert_events ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  alert_id INTEGER NOT NULL,"
	"  event TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  severity INTEGER NOT NULL,"
	"  district TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  action TEXT,"
	"  actor TEXT,"
	"  comment TEXT,"
	"  data TEXT NOT NULL);"
	"CREATE INDEX alert_events_at ON alert_events (at);";

/* Migration 9 -> 10: an alert's own events in order, for its history. */
const char store_alerts_history_schema[] =
	"CREATE INDEX IF NOT EXISTS alert_events_alert ON alert_events (alert_id, seq);";

/*
 * Migration 16 -> 17: the history's index leaves out the raises.  An alert's
 * raise is the event whose seq is the alert's id (alert_id = seq, event
 * 'alert'): the history finds it by its key, and the index holds the later
 * events only.  A raise then changes ten b-trees, not eleven: one page less
 * in each raise's commit (51.7 -> 47.3 KiB of log an alert), one insert less.
 */
const char store_alerts_raise_unindexed[] =
	"DROP INDEX IF EXISTS alert_events_alert;"
	"CREATE INDEX alert_events_alert ON alert_events (alert_id, seq) WHERE event <> 'alert';";

/*
 * An alert's transaction writes the database only, never the audit log
 * attached to it: BEGIN IMMEDIATE would take the log's write lock as well
 * (it locks every attached database), so alerts and tasks would wait for
 * the audit writer's commits and hold it up in turn, and every transaction
 * would lock and unlock the log's WAL for nothing.  A deferred BEGIN and a
 * write statement that changes no row take the database's lock alone,
 * waiting with the busy handler as BEGIN IMMEDIATE does.
 */
#define ALERTS_LOCK "DELETE FROM main.alert_events WHERE 0"

enum tn_code sqlite_alerts_begin(struct store *st, struct tn_err *err)
{
	return store_begin_short_sql(st, "BEGIN", ALERTS_LOCK, err);
}

enum tn_code sqlite_alerts_begin_yield(struct store *st, void (*wait)(void *), void *arg,
				      struct tn_err *err)
{
	for (int tries = 0; tries < STORE_YIELD_TRIES; tries++) {
		int r = store_try_begin_sql(st, "BEGIN", ALERTS_LOCK, err);

		if (r <= 0)
			return r == 0 ? TN_OK : store_errcode(err);
		wait(arg);
		store_busy_steps(NULL, tries);  /* the busy handler's sleep */
	}
	return sqlite_alerts_begin(st, err);
}

void sqlite_alerts_rollback(struct store *st)
{
	store_rollback(st);
	store_busy_default(st);
}

long long sqlite_alert_latest(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT seq FROM sqlite_sequence WHERE name = 'alert_events'",
				     NULL);
	long long v = 0;
	int rc;

	if (!s)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		v = -1;
	sqlite3_reset(s);
	return v;
}

enum tn_code sqlite_alerts_commit(struct store *st, long keep, long long *latest,
				 struct tn_err *err)
{
	long long last = sqlite_alert_latest(st);
	sqlite3_stmt *s;

	if (last < 0) {
		store_fail(st, err, "alert commit");
		sqlite_alerts_rollback(st);
		return store_errcode(err);
	}
	if (keep > 0 && last > keep) {
		s = store_stmt(st, "DELETE FROM alert_events WHERE seq <= ?", err);
		if (!s) {
			sqlite_alerts_rollback(st);
			return store_errcode(err);
		}
		sqlite3_bind_int64(s, 1, last - keep);
		if (store_run(st, s, err, "alert retention") != TN_OK) {
			sqlite_alerts_rollback(st);
			return store_errcode(err);
		}
	}
	if (store_commit(st, err) != TN_OK) {
		sqlite_alerts_rollback(st);
		return store_errcode(err);
	}
	store_busy_default(st);
	if (latest)
		*latest = last;
	return TN_OK;
}

/* The string member `key` of `doc` (borrowed: valid while doc lives), or "". */
static const char *member(jv doc, const char *key)
{
	const char *v = tn_jv_str(doc, key);

	return v ? v : "";
}

/* An event's filter attributes, read from its document once. */
struct event_attrs {
	int severity;
	const char *district, *kind;    /* borrowed from the document */
};

static struct event_attrs attrs_of(jv doc)
{
	return (struct event_attrs){ (int)tn_severity_parse(member(doc, "severity")),
				     member(doc, "district"), member(doc, "kind") };
}

/* `s` as a JSON string appended to b. */
static void add_json_string(struct tn_buf *b, const char *s)
{
	jv v = jv_string(s);

	tn_json_dump(v, b);
	jv_free(v);
}

/*
 * store_event_append with the attributes `a` already read.  The data line
 * is the document's text with "event" (and "action", "actor") added at its
 * end: spliced into the text rather than dumped again, since jq 1.6's dump
 * is the costliest step of a raise.
 */
static enum tn_code event_append(struct store *st, long long seq, long long alert_id,
				 long long task_id, const char *event, long long at,
				 const struct event_attrs *a, const char *text, size_t len,
				 const char *action, const char *actor, const char *comment,
				 struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO alert_events (seq, alert_id, event, at, "
				     "severity, district, kind, action, actor, comment, data, "
				     "task_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
	struct tn_buf data = TN_BUF_INIT;
	enum tn_code code;

	if (!s)
		return store_errcode(err);
	tn_buf_grow(&data, len + 64);
	tn_buf_add(&data, text, len ? len - 1 : 0);         /* without the closing brace */
	tn_buf_adds(&data, ",\"event\":\"");
	tn_buf_adds(&data, event);                          /* a name of ours: nothing to escape */
	tn_buf_addch(&data, '"');
	if (action && actor) {
		tn_buf_adds(&data, ",\"action\":");
		add_json_string(&data, action);
		tn_buf_adds(&data, ",\"actor\":");
		add_json_string(&data, actor);
	}
	tn_buf_addch(&data, '}');
	sqlite3_bind_int64(s, 1, seq);
	sqlite3_bind_int64(s, 2, alert_id);
	store_bind_text(s, 3, event);
	sqlite3_bind_int64(s, 4, at);
	sqlite3_bind_int(s, 5, a->severity);
	store_bind_text(s, 6, a->district);
	store_bind_text(s, 7, a->kind);
	store_bind_text(s, 8, action);
	store_bind_text(s, 9, actor);
	store_bind_text(s, 10, comment);
	sqlite3_bind_text(s, 11, data.buf, (int)data.len, SQLITE_STATIC);
	if (task_id > 0)
		sqlite3_bind_int64(s, 12, task_id);
	else
		sqlite3_bind_null(s, 12);
	code = store_run(st, s, err, "alert event");
	tn_buf_release(&data);
	return code;
}

enum tn_code store_event_append(struct store *st, long long seq, long long alert_id,
				long long task_id, const char *event, long long at, jv doc,
				const char *text, const char *action, const char *actor,
				const char *comment, struct tn_err *err)
{
	struct event_attrs a = attrs_of(doc);

	return event_append(st, seq, alert_id, task_id, event, at, &a, text, strlen(text), action,
			    actor, comment, err);
}

/* The ALERT stored under (source, source_id) into *out, its text appended to `text` (may be NULL). */
static enum tn_code raise_replay(struct store *st, const char *source, const char *source_id,
				 jv *out, struct tn_buf *text, struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT doc FROM alerts WHERE source = ? AND source_id = ?",
				     err);
	int rc;

	if (!s)
		return store_errcode(err);
	store_bind_text(s, 1, source);
	store_bind_text(s, 2, source_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = store_col_json(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, err, "alert lookup");
	if (text)
		tn_json_dump(*out, text);
	return TN_OK;
}

enum tn_code sqlite_alert_raise(struct store *st, jv doc, int whole, const char *pre,
			       long long at, jv *out, struct tn_buf *text, int *replayed,
			       struct tn_err *err)
{
	sqlite3_stmt *s;
	struct tn_buf own = TN_BUF_INIT;
	size_t from = text ? text->len : 0;
	/* borrowed from doc, which holds them throughout (setting "id" and "seq" keeps them) */
	const char *source = member(doc, "source"), *source_id = member(doc, "source_id");
	const char *status = member(doc, "status");
	struct event_attrs a = attrs_of(doc);
	long long seq;
	enum tn_code code;

	*out = jv_invalid();
	*replayed = 0;
	seq = sqlite_alert_latest(st);
	if (seq < 0) {
		jv_free(doc);
		return store_fail(st, err, "alert sequence");
	}
	seq++;
	doc = jv_object_set(doc, jv_string("id"), jv_number((double)seq));
	doc = jv_object_set(doc, jv_string("seq"), jv_number((double)seq));
	if (!text)
		text = &own;
	store_alert_text(text, doc, pre, seq);
	/*
	 * The row first, doing nothing when (source, source_id) is taken: its
	 * unique index is then looked up once, by the insert, not also by a
	 * look-up before it (a tenth of a raise's statements).  A replay is rare.
	 */
	s = store_stmt(st, "INSERT INTO alerts (id, source, source_id, kind, severity, "
		       "district, status, raised_at, seq, doc) "
		       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
		       "ON CONFLICT (source, source_id) DO NOTHING", err);
	code = s ? TN_OK : store_errcode(err);
	if (code == TN_OK) {
		sqlite3_bind_int64(s, 1, seq);
		store_bind_text(s, 2, source);
		store_bind_text(s, 3, source_id);
		store_bind_text(s, 4, a.kind);
		sqlite3_bind_int(s, 5, a.severity);
		store_bind_text(s, 6, a.district);
		store_bind_text(s, 7, status);
		sqlite3_bind_int64(s, 8, at);
		sqlite3_bind_int64(s, 9, seq);
		sqlite3_bind_text(s, 10, text->buf + from, (int)(text->len - from), SQLITE_STATIC);
		code = store_run(st, s, err, "alert insert");
	}
	if (code == TN_OK && sqlite3_changes(st->db) == 0) {
		/* a replay: the alert stored first under this source's id, nothing written */
		tn_buf_setlen(text, from);
		code = raise_replay(st, source, source_id, out, text != &own ? text : NULL, err);
		*replayed = code == TN_OK;
		tn_buf_release(&own);
		jv_free(doc);
		return code;
	}
	if (code == TN_OK)
		code = event_append(st, seq, seq, 0, "alert", at, &a, text->buf + from,
				    text->len - from, NULL, NULL, NULL, err);
	if (code == TN_OK && whole)     /* a rule's window reads it back: kept parsed */
		store_json_memo_put(text->buf + from, text->len - from, doc);
	tn_buf_release(&own);
	if (code != TN_OK) {
		if (text != &own)
			tn_buf_setlen(text, from);
		jv_free(doc);
		return code;
	}
	*out = doc;
	return TN_OK;
}

enum tn_code sqlite_alert_get(struct store *st, long long id, jv *doc, struct tn_err *err)
{
	return store_doc_by_id(st, "SELECT doc FROM alerts WHERE id = ?", id, "alert", doc, err);
}

enum tn_code sqlite_alert_history(struct store *st, long long id, jv *out, struct tn_err *err)
{
	/* the raise by its key, the rest by the index of later events (store_alerts_raise_unindexed) */
	sqlite3_stmt *s = store_stmt(st, "SELECT seq, at, event, action, actor, comment "
				     "FROM alert_events WHERE seq = ?1 AND alert_id = ?1 AND event = 'alert' "
				     "UNION ALL SELECT seq, at, event, action, actor, comment "
				     "FROM alert_events WHERE alert_id = ?1 AND event <> 'alert' ORDER BY seq",
				     err);
	int rc;

	*out = jv_array();
	if (!s)
		return store_errcode(err);
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		jv e = jv_object();
		char at[40];

		time_rfc3339(sqlite3_column_int64(s, 1), at, sizeof(at));
		e = jv_object_set(e, jv_string("seq"), jv_number((double)sqlite3_column_int64(s, 0)));
		e = jv_object_set(e, jv_string("at"), jv_string(at));
		if (sqlite3_column_type(s, 3) != SQLITE_NULL)
			e = jv_object_set(e, jv_string("action"), store_col_text(s, 3));
		else if (strcmp((const char *)sqlite3_column_text(s, 2), "alert") == 0)
			e = jv_object_set(e, jv_string("action"), jv_string("raise"));
		else
			e = jv_object_set(e, jv_string("action"), store_col_text(s, 2));
		e = jv_object_set(e, jv_string("actor"), store_col_text(s, 4));
		e = jv_object_set(e, jv_string("comment"), store_col_text(s, 5));
		*out = jv_array_append(*out, e);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		jv_free(*out);
		*out = jv_invalid();
		return store_fail(st, err, "alert history");
	}
	return TN_OK;
}

enum tn_code sqlite_alert_update(struct store *st, long long id, jv doc, long long at,
				const char *action, const char *actor, const char *comment,
				jv *out, struct tn_err *err)
{
	sqlite3_stmt *s;
	long long seq = sqlite_alert_latest(st);
	struct tn_buf text = TN_BUF_INIT;
	enum tn_code code;

	*out = jv_invalid();
	if (seq < 0) {
		jv_free(doc);
		return store_fail(st, err, "alert sequence");
	}
	seq++;
	doc = jv_object_set(doc, jv_string("seq"), jv_number((double)seq));
	s = store_stmt(st, "UPDATE alerts SET status = ?, seq = ?, doc = ? WHERE id = ?", err);
	if (!s) {
		jv_free(doc);
		return store_errcode(err);
	}
	tn_json_dump(doc, &text);
	store_bind_text(s, 1, member(doc, "status"));
	sqlite3_bind_int64(s, 2, seq);
	sqlite3_bind_text(s, 3, text.buf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, id);
	code = store_run(st, s, err, "alert update");
	if (code == TN_OK && sqlite3_changes(st->db) == 0)
		code = tn_err_set(err, TN_ENOTFOUND, "no alert %lld", id);
	if (code == TN_OK)
		code = store_event_append(st, seq, id, 0, "update", at, doc, text.buf,
					  action, actor, comment, err);
	tn_buf_release(&text);
	if (code != TN_OK) {
		jv_free(doc);
		return code;
	}
	*out = doc;
	return TN_OK;
}

enum tn_code sqlite_alert_list(struct store *st, const struct store_alert_filter *f, jv *items,
			      char **next, struct tn_err *err)
{
	struct store_query q;
	long long cur = 0, last = 0;
	long count = 0;
	int rc;
	sqlite3_stmt *s;
	enum tn_code code = TN_OK;

	*items = jv_invalid();
	*next = NULL;
	if (f->cursor && store_id_cursor_parse(f->cursor, 0, f->desc, &cur) != 0)
		return tn_err_set(err, TN_EINVALID, "cursor is not valid for this list");
	*items = jv_array();
	store_q_init(&q, "SELECT id, doc FROM alerts WHERE 1");
	store_q_in(&q, "status", f->status);
	store_q_in(&q, "district", f->district);
	store_q_in(&q, "kind", f->kind);
	if (f->min_severity > 0)
		store_q_num(&q, " AND severity >= ?", f->min_severity);
	if (f->source)
		store_q_text(&q, " AND source = ?", f->source);
	if (f->since >= 0)
		store_q_num(&q, " AND raised_at >= ?", f->since);
	if (f->until >= 0)
		store_q_num(&q, " AND raised_at < ?", f->until);
	if (f->after >= 0)
		store_q_num(&q, " AND id > ?", f->after);
	if (f->cursor)
		store_q_num(&q, f->desc ? " AND id < ?" : " AND id > ?", cur);
	store_q_num(&q, f->desc ? " ORDER BY id DESC LIMIT ?" : " ORDER BY id LIMIT ?",
		    f->limit + 1);
	if (!(s = store_q_stmt(st, &q, err))) {
		jv_free(*items);
		*items = jv_invalid();
		return store_errcode(err);
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (count == f->limit) {
			*next = store_id_cursor_make(0, f->desc, last);
			break;
		}
		*items = jv_array_append(*items, store_col_json(s, 1));
		last = sqlite3_column_int64(s, 0);
		count++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		code = store_fail(st, err, "alert list");
	sqlite3_reset(s);
	if (code != TN_OK) {
		jv_free(*items);
		*items = jv_invalid();
		free(*next);
		*next = NULL;
	}
	return code;
}

enum tn_code sqlite_alert_events(struct store *st, long long after, int desc, long max,
				store_alert_event_fn fn, void *ctx, long *n, struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, desc ?
				     "SELECT seq, event, severity, district, kind, data FROM alert_events "
				     "WHERE seq <= ? ORDER BY seq DESC LIMIT ?" :
				     "SELECT seq, event, severity, district, kind, data FROM alert_events "
				     "WHERE seq > ? ORDER BY seq LIMIT ?", err);
	struct store_alert_event ev;
	long count = 0;
	int rc;

	if (n)
		*n = 0;
	if (!s)
		return store_errcode(err);
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int64(s, 2, max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ev.seq = sqlite3_column_int64(s, 0);
		ev.event = (const char *)sqlite3_column_text(s, 1);
		ev.severity = sqlite3_column_int(s, 2);
		ev.district = (const char *)sqlite3_column_text(s, 3);
		ev.kind = (const char *)sqlite3_column_text(s, 4);
		ev.data = (const char *)sqlite3_column_text(s, 5);
		ev.len = (size_t)sqlite3_column_bytes(s, 5);
		if (!ev.event || !ev.district || !ev.kind || !ev.data) {
			rc = SQLITE_NOMEM;
			break;
		}
		count++;
		if (fn(ctx, &ev))
			break;
	}
	if (n)
		*n = count;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_reset(s);
		return store_fail(st, err, "alert events");
	}
	sqlite3_reset(s);
	return TN_OK;
}

enum tn_code sqlite_alert_bounds(struct store *st, long long *oldest, long long *latest,
				struct tn_err *err)
{
	sqlite3_stmt *s;
	int rc;

	*latest = sqlite_alert_latest(st);
	if (*latest < 0)
		return store_fail(st, err, "alert bounds");
	s = store_stmt(st, "SELECT MIN(seq) FROM alert_events", err);
	if (!s)
		return store_errcode(err);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		*oldest = sqlite3_column_int64(s, 0);
	else
		*oldest = *latest + 1;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, "alert bounds");
	return TN_OK;
}

enum tn_code sqlite_alert_first_since(struct store *st, long long at, long long *seq,
				     struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT seq FROM alert_events WHERE at >= ? "
				     "ORDER BY at, seq LIMIT 1", err);
	int rc;

	*seq = 0;
	if (!s)
		return store_errcode(err);
	sqlite3_bind_int64(s, 1, at);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*seq = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, "alert since");
	return TN_OK;
}

const char *sqlite_alerts_path(struct store *st)
{
	return st->path;
}
