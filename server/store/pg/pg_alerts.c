/* pg_alerts.c — alerts in PostgreSQL: writers, raise, update, get, history, commit order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "jvutil.h"
#include "store_alerts.h"
#include "pg_int.h"
#include "../store_common.h"

/*
 * The event log in commit order.
 *
 * A follower reads alert_events by seq (WHERE seq > its Last-Event-ID) and
 * must never later meet a seq below one it has read.  A PostgreSQL sequence
 * (the identity of alert_events.seq) does not promise that: two
 * transactions take 1000 and 1001 from it, the second commits first, a
 * follower reads 1001, then 1000 commits behind its position and is never
 * sent.  A rolled back transaction would also leave a hole in a log that
 * store_alerts.h says is dense.
 *
 * So the seq is not taken from the sequence.  Every writer's transaction
 * (pg_alerts_begin) first takes LOCK TABLE alert_events IN EXCLUSIVE MODE:
 * it conflicts with itself and with every INSERT, UPDATE and DELETE of the
 * log, on any instance, but not with SELECT, so followers read on while
 * writers queue.  Holding it, a writer reads the highest seq (a statement
 * after the lock was granted, so under READ COMMITTED its snapshot holds
 * every writer that committed before) and appends seq + 1, seq + 2 ...
 * The lock is released only after COMMIT has made the rows visible, so
 * the next writer starts from them: seqs are given in commit order, without
 * holes (a rollback gives its seqs back).  A follower's SELECT sees a
 * snapshot, and a snapshot that holds a writer's commit holds every earlier
 * writer's too: what it reads is a prefix of the log, and a later read only
 * extends it.  That is twonetd(8)'s promise: resume by Last-Event-ID is
 * exactly-once across instances.  The cost is that alert writers are one
 * at a time across the whole system, as they are on SQLite (BEGIN
 * IMMEDIATE); a writer's transaction is a few statements.
 *
 * The latest seq is the log's max(seq) (its primary key, one index probe);
 * retention keeps at least one event, and when the log is empty (a fresh
 * database, or rows someone deleted) the alerts' own highest seq stands
 * in: every event writes its seq into its alert's row.
 *
 * The wake-up: the commit sends NOTIFY twonet_alerts with the latest seq as
 * payload, delivered by PostgreSQL at commit to every instance that
 * listens (LISTEN twonet_alerts), which then reads the log after its
 * position.  A notification may say nothing new (a replayed raise): the
 * payload lets a listener skip it.
 */
#define PG_ALERT_LOCK "LOCK TABLE alert_events IN EXCLUSIVE MODE"
#define PG_ALERT_LATEST \
	"COALESCE((SELECT max(seq) FROM alert_events), (SELECT max(seq) FROM alerts), 0)"

enum tn_code pg_alerts_begin(struct store *st, struct tn_err *err)
{
	struct pg_store *p = PG(st);
	enum tn_code code = pg_begin(p, err);

	if (code == TN_OK && (code = pg_exec(p, err, "alert lock", PG_ALERT_LOCK)) != TN_OK)
		pg_rollback(p);
	return code;
}

/* The table lock queues the writers in the server: nothing to do meanwhile here. */
enum tn_code pg_alerts_begin_yield(struct store *st, void (*wait)(void *), void *arg,
				   struct tn_err *err)
{
	(void)wait;
	(void)arg;
	return pg_alerts_begin(st, err);
}

void pg_alerts_rollback(struct store *st)
{
	pg_rollback(PG(st));
}

long long pg_alert_latest(struct store *st)
{
	struct tn_err err = TN_ERR_INIT;
	PGresult *r;
	long long v;

	if (pg_query(PG(st), &r, &err, "alert latest", "SELECT " PG_ALERT_LATEST, "") != TN_OK)
		return -1;
	v = PQntuples(r) == 1 ? pg_long(r, 0, 0) : -1;
	PQclear(r);
	return v;
}

enum tn_code pg_alerts_commit(struct store *st, long keep, long long *latest, struct tn_err *err)
{
	struct pg_store *p = PG(st);
	PGresult *r;
	long long last;
	enum tn_code code;

	/* the latest seq and the wake-up in one statement; NOTIFY is sent at COMMIT */
	code = pg_query(p, &r, err, "alert commit", "SELECT l, pg_notify('twonet_alerts', l::text) "
			"FROM (SELECT " PG_ALERT_LATEST " AS l) x", "");
	if (code != TN_OK) {
		pg_rollback(p);
		return code;
	}
	last = pg_long(r, 0, 0);
	PQclear(r);
	if (keep > 0 && last > keep) {
		code = pg_query(p, NULL, err, "alert retention",
				"DELETE FROM alert_events WHERE seq <= $1", "l", (long)(last - keep));
		if (code != TN_OK) {
			pg_rollback(p);
			return code;
		}
	}
	if ((code = pg_end(p, TN_OK, err)) != TN_OK)
		return code;
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

/*
 * The SSE data line of an event: the ALERT's text `text` with "event" (and
 * "action", "actor") spliced in before its closing brace, as SQLite's
 * backend writes it.  Into *data (the caller's to release).
 */
static void event_data(struct tn_buf *data, const char *text, const char *event,
		       const char *action, const char *actor)
{
	size_t len = strlen(text);

	tn_buf_add(data, text, len ? len - 1 : 0);
	tn_buf_addf(data, ",\"event\":\"%s\"", event);
	if (action && actor) {
		jv a = jv_dump_string(jv_string(action), 0), b = jv_dump_string(jv_string(actor), 0);

		tn_buf_addf(data, ",\"action\":%s,\"actor\":%s", jv_string_value(a),
			    jv_string_value(b));
		jv_free(a);
		jv_free(b);
	}
	tn_buf_addch(data, '}');
}

enum tn_code pg_alert_raise(struct store *st, jv doc, int whole, const char *pre, long long at,
			    jv *out, struct tn_buf *text, int *replayed, struct tn_err *err)
{
	struct pg_store *p = PG(st);
	struct tn_buf data = TN_BUF_INIT, own = TN_BUF_INIT;
	size_t from = text ? text->len : 0;
	PGresult *r;
	long long seq;
	char sev[8];
	enum tn_code code;

	*out = jv_invalid();
	*replayed = 0;
	code = pg_query(p, &r, err, "alert lookup", "SELECT (SELECT doc FROM alerts WHERE "
			"source = $1 AND source_id = $2), " PG_ALERT_LATEST, "tt",
			member(doc, "source"), member(doc, "source_id"));
	if (code != TN_OK) {
		jv_free(doc);
		return code;
	}
	if (!PQgetisnull(r, 0, 0)) {
		*out = pg_json(r, 0, 0);
		*replayed = 1;
		PQclear(r);
		jv_free(doc);
		if (text)
			tn_json_dump(*out, text);
		return TN_OK;
	}
	seq = pg_long(r, 0, 1) + 1;
	PQclear(r);
	doc = jv_object_set(doc, jv_string("id"), jv_number((double)seq));
	doc = jv_object_set(doc, jv_string("seq"), jv_number((double)seq));
	if (!text)
		text = &own;
	store_alert_text(text, doc, pre, seq);
	event_data(&data, text->buf + from, "alert", NULL, NULL);
	snprintf(sev, sizeof(sev), "%d", (int)tn_severity_parse(member(doc, "severity")));
	code = pg_query(p, NULL, err, "alert insert",
			"WITH e AS (INSERT INTO alert_events (seq, alert_id, event, at, severity, "
			"district, kind, data) VALUES ($1, $1, 'alert', $2, $3, $4, $5, $6)) "
			"INSERT INTO alerts (id, source, source_id, kind, severity, district, status, "
			"raised_at, seq, doc) VALUES ($1, $7, $8, $5, $3, $4, $9, $2, $1, $10)",
			"lltttttttt", (long)seq, (long)at, sev, member(doc, "district"),
			member(doc, "kind"), data.buf, member(doc, "source"),
			member(doc, "source_id"), member(doc, "status"), text->buf + from);
	if (code == TN_OK && whole)     /* a rule's window reads it back: kept parsed */
		store_json_memo_put(text->buf + from, text->len - from, doc);
	tn_buf_release(&data);
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

enum tn_code pg_alert_update(struct store *st, long long id, jv doc, long long at,
			     const char *action, const char *actor, const char *comment,
			     jv *out, struct tn_err *err)
{
	struct pg_store *p = PG(st);
	struct tn_buf data = TN_BUF_INIT;
	PGresult *r;
	long long seq;
	char sev[8];
	jv text;
	enum tn_code code;

	*out = jv_invalid();
	if ((code = pg_query(p, &r, err, "alert sequence", "SELECT " PG_ALERT_LATEST, "")) != TN_OK) {
		jv_free(doc);
		return code;
	}
	seq = pg_long(r, 0, 0) + 1;
	PQclear(r);
	doc = jv_object_set(doc, jv_string("seq"), jv_number((double)seq));
	text = tn_json_dump_string(jv_copy(doc));
	event_data(&data, jv_string_value(text), "update", action, actor);
	snprintf(sev, sizeof(sev), "%d", (int)tn_severity_parse(member(doc, "severity")));
	code = pg_query(p, &r, err, "alert update",
			"WITH u AS (UPDATE alerts SET status = $3, seq = $1, doc = $4 WHERE id = $2 "
			"RETURNING id) "
			"INSERT INTO alert_events (seq, alert_id, event, at, severity, district, kind, "
			"action, actor, comment, data) SELECT $1::bigint, id, 'update', $5::bigint, "
			"$6::integer, $7::text, $8::text, $9::text, $10::text, $11::text, $12::json "
			"FROM u", "llttlttttttt", (long)seq, (long)id, member(doc, "status"),
			jv_string_value(text), (long)at, sev, member(doc, "district"),
			member(doc, "kind"), action, actor, comment, data.buf);
	tn_buf_release(&data);
	jv_free(text);
	if (code == TN_OK) {
		if (strcmp(PQcmdTuples(r), "0") == 0)
			code = tn_err_set(err, TN_ENOTFOUND, "no alert %lld", id);
		PQclear(r);
	}
	if (code != TN_OK) {
		jv_free(doc);
		return code;
	}
	*out = doc;
	return TN_OK;
}

enum tn_code pg_alert_get(struct store *st, long long id, jv *doc, struct tn_err *err)
{
	return pg_doc_by_id(PG(st), "SELECT doc FROM alerts WHERE id = $1", id, "alert", doc, err);
}

/* 16 -> 17: an alert's raise leaves the history's index (SQLite's store_alerts_raise_unindexed). */
const char pg_schema_17[] =
	"DROP INDEX IF EXISTS alert_events_alert;"
	"CREATE INDEX alert_events_alert ON alert_events (alert_id, seq) WHERE event <> 'alert';";

enum tn_code pg_alert_history(struct store *st, long long id, jv *out, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*out = jv_array();
	/* the raise by its key, the rest by the index of later events (pg_schema_17) */
	code = pg_query(PG(st), &r, err, "alert history", "SELECT seq, at, event, action, actor, "
			"comment FROM alert_events WHERE seq = $1 AND alert_id = $1 AND event = 'alert' "
			"UNION ALL SELECT seq, at, event, action, actor, comment FROM alert_events "
			"WHERE alert_id = $1 AND event <> 'alert' ORDER BY seq", "l", (long)id);
	if (code != TN_OK) {
		jv_free(*out);
		*out = jv_invalid();
		return code;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		jv e = jv_object();
		char at[40];

		time_rfc3339(pg_long(r, i, 1), at, sizeof(at));
		e = jv_object_set(e, jv_string("seq"), jv_number((double)pg_long(r, i, 0)));
		e = jv_object_set(e, jv_string("at"), jv_string(at));
		if (!PQgetisnull(r, i, 3))
			e = jv_object_set(e, jv_string("action"), pg_text(r, i, 3));
		else if (strcmp(PQgetvalue(r, i, 2), "alert") == 0)
			e = jv_object_set(e, jv_string("action"), jv_string("raise"));
		else
			e = jv_object_set(e, jv_string("action"), pg_text(r, i, 2));
		e = jv_object_set(e, jv_string("actor"), pg_text(r, i, 4));
		e = jv_object_set(e, jv_string("comment"), pg_text(r, i, 5));
		*out = jv_array_append(*out, e);
	}
	PQclear(r);
	return TN_OK;
}

/*
 * No database file: the workers' wake-up folder (PATH.wake) has nowhere to
 * be.  NULL, as store_alerts.h allows: alerts_stream.c then starts no
 * local mesh and listens instead (pg_listen.c: LISTEN twonet_alerts, the
 * NOTIFY each alert commit sends with its latest seq), on every instance.
 */
const char *pg_alerts_path(struct store *st)
{
	(void)st;
	return NULL;
}
