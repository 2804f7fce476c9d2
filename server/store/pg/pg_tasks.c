/* pg_tasks.c — the operations loop's tasks in PostgreSQL: rows, their alerts, their events in the alert log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_task.h"
#include "jvutil.h"
#include "store_tasks.h"
#include "../store_common.h"
#include "pg_int.h"

#define T "text COLLATE \"C\""

/*
 * Schema 11 -> 12, as SQLite's (store_tasks.c).  Task ids are given by the
 * writer under the alert log's lock (pg_alerts.c), as alert ids are, so a
 * plain bigint key.
 */
const char pg_schema_12[] =
	"CREATE TABLE tasks ("
	"  id bigint PRIMARY KEY,"
	"  rule " T " NOT NULL,"
	"  dkey " T " NOT NULL,"
	"  status " T " NOT NULL,"
	"  open integer NOT NULL,"
	"  kind " T " NOT NULL,"
	"  severity integer NOT NULL,"
	"  priority integer NOT NULL,"
	"  department " T " NOT NULL,"
	"  district " T " NOT NULL,"
	"  crew " T ","
	"  generated_at bigint NOT NULL,"
	"  next_due bigint,"
	"  version bigint NOT NULL,"
	"  doc json NOT NULL);"
	"CREATE INDEX tasks_open ON tasks (rule, dkey, id) WHERE open = 1;"
	"CREATE INDEX tasks_status ON tasks (status, id);"
	"CREATE INDEX tasks_crew ON tasks (crew, id);"
	"CREATE INDEX tasks_due ON tasks (next_due) WHERE next_due IS NOT NULL;"
	"CREATE TABLE task_alerts ("
	"  task_id bigint NOT NULL,"
	"  alert_id bigint NOT NULL,"
	"  PRIMARY KEY (task_id, alert_id));"
	"CREATE INDEX task_alerts_alert ON task_alerts (alert_id);"
	"ALTER TABLE alert_events ADD COLUMN task_id bigint;"
	"CREATE INDEX alert_events_task ON alert_events (task_id, seq) WHERE task_id IS NOT NULL;"
	"CREATE INDEX alerts_source_kind ON alerts (source, kind, raised_at);";

#define PG_ALERT_LATEST \
	"COALESCE((SELECT max(seq) FROM alert_events), (SELECT max(seq) FROM alerts), 0)"

static const char *member(jv doc, const char *key)
{
	const char *v = tn_jv_str(doc, key);

	return v ? v : "";
}

enum tn_code pg_task_open_get(struct store *st, const char *rule, const char *key, jv *doc,
			      struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*doc = jv_invalid();
	code = pg_query(PG(st), &r, err, "task lookup", "SELECT doc FROM tasks WHERE rule = $1 "
			"AND dkey = $2 AND open = 1 ORDER BY id DESC LIMIT 1", "tt", rule, key);
	if (code != TN_OK)
		return code;
	if (PQntuples(r) == 1)
		*doc = PQgetisnull(r, 0, 0) ? jv_null() :
		       store_json_memo(PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
	PQclear(r);
	if (jv_is_valid(*doc))
		return TN_OK;
	return tn_err_set(err, TN_ENOTFOUND, "no open task of rule %s for %s", rule, key);
}

/* Link doc's alert ids to task `id` in one statement: all of a new task, the last of an update (as SQLite's). */
static enum tn_code link_alerts(struct pg_store *p, long long id, jv doc, int all,
				struct tn_err *err)
{
	jv alerts = jv_object_get(jv_copy(doc), jv_string("alerts"));
	enum tn_code code = TN_OK;
	int n = jv_get_kind(alerts) == JV_KIND_ARRAY ? jv_array_length(jv_copy(alerts)) : 0;

	if (!all && n > 1)
		alerts = jv_array_slice(alerts, n - 1, n);

	if (jv_get_kind(alerts) == JV_KIND_ARRAY && jv_array_length(jv_copy(alerts)) > 0)
		code = pg_query(p, NULL, err, "task alerts", "INSERT INTO task_alerts (task_id, "
				"alert_id) SELECT $1, a::bigint FROM json_array_elements_text($2) a "
				"ON CONFLICT DO NOTHING", "lj", (long)id, jv_copy(alerts));
	jv_free(alerts);
	return code;
}

/* The SSE data line of a task event: the TASK's text with "event" and "action", "actor" added. */
static void event_data(struct tn_buf *data, const char *text, const char *action,
		       const char *actor)
{
	size_t len = strlen(text);
	jv a = jv_dump_string(jv_string(action ? action : ""), 0);
	jv b = jv_dump_string(jv_string(actor ? actor : ""), 0);

	tn_buf_add(data, text, len ? len - 1 : 0);
	tn_buf_addf(data, ",\"event\":\"task\",\"action\":%s,\"actor\":%s}", jv_string_value(a),
		    jv_string_value(b));
	jv_free(a);
	jv_free(b);
}

enum tn_code pg_task_put(struct store *st, long long id, long long version, jv doc,
			 long long at, const char *action, const char *actor, const char *comment,
			 jv *out, struct tn_err *err)
{
	struct pg_store *p = PG(st);
	struct tn_buf data = TN_BUF_INIT;
	PGresult *r;
	long long seq, have = 0, due;
	char sev[8], prio[8], open[4], due_s[24];
	jv text, pv;
	enum tn_code code;

	*out = jv_invalid();
	code = pg_query(p, &r, err, "task sequence", "SELECT " PG_ALERT_LATEST ", "
			"(SELECT version FROM tasks WHERE id = $1), "
			"(SELECT coalesce(max(id), 0) + 1 FROM tasks)", "l", (long)id);
	if (code != TN_OK) {
		jv_free(doc);
		return code;
	}
	seq = pg_long(r, 0, 0) + 1;
	if (id > 0) {
		if (PQgetisnull(r, 0, 1)) {
			PQclear(r);
			jv_free(doc);
			return tn_err_set(err, TN_ENOTFOUND, "no task %lld", id);
		}
		have = pg_long(r, 0, 1);
		if (have != version) {
			PQclear(r);
			jv_free(doc);
			return tn_err_set(err, TN_ECONFLICT, "task %lld is at version %lld, not %lld",
					  id, have, version);
		}
		version++;
	} else {
		id = pg_long(r, 0, 2);
		version = 1;
	}
	PQclear(r);
	doc = jv_object_set(doc, jv_string("id"), jv_number((double)id));
	doc = jv_object_set(doc, jv_string("version"), jv_number((double)version));
	doc = jv_object_set(doc, jv_string("seq"), jv_number((double)seq));
	text = tn_json_dump_string(jv_copy(doc));
	pv = jv_object_get(jv_copy(doc), jv_string("priority"));
	snprintf(sev, sizeof(sev), "%d", (int)tn_severity_parse(member(doc, "severity")));
	snprintf(prio, sizeof(prio), "%d",
		 jv_get_kind(pv) == JV_KIND_NUMBER ? (int)jv_number_value(pv) : 4);
	jv_free(pv);
	snprintf(open, sizeof(open), "%d", tn_task_open(member(doc, "status")));
	due = tn_task_next_due(doc);
	snprintf(due_s, sizeof(due_s), "%lld", due);
	{
		const char *vals[] = {
			jv_string_value(text), member(doc, "rule"), member(doc, "key"),
			member(doc, "status"), open, member(doc, "kind"), sev, prio,
			member(doc, "department"), member(doc, "district"), tn_jv_str(doc, "crew"),
			NULL, due > 0 ? due_s : NULL, NULL, NULL,
		};
		char idb[24], verb[24], atb[24];

		snprintf(idb, sizeof(idb), "%lld", id);
		snprintf(verb, sizeof(verb), "%lld", version);
		snprintf(atb, sizeof(atb), "%lld", at);
		vals[11] = atb;
		vals[13] = verb;
		vals[14] = idb;
		code = pg_query_vals(p, &r, err, have ? "task update" : "task insert", have ?
				     "UPDATE tasks SET doc = $1, rule = $2, dkey = $3, status = $4, "
				     "open = $5::integer, kind = $6, severity = $7::integer, "
				     "priority = $8::integer, department = $9, district = $10, "
				     "crew = $11, next_due = $13::bigint, version = $14::bigint "
				     "WHERE id = $15::bigint AND $12::bigint IS NOT NULL" :
				     "INSERT INTO tasks (doc, rule, dkey, status, open, kind, severity, "
				     "priority, department, district, crew, generated_at, next_due, "
				     "version, id) VALUES ($1, $2, $3, $4, $5::integer, $6, "
				     "$7::integer, $8::integer, $9, $10, $11, $12::bigint, $13::bigint, "
				     "$14::bigint, $15::bigint)", 15, vals);
		if (code == TN_OK)
			PQclear(r);
	}
	if (code == TN_ECONFLICT && !have)
		tn_err_set(err, TN_ECONFLICT, "task %lld exists already", id);
	if (code == TN_OK)
		code = link_alerts(p, id, doc, !have, err);
	if (code == TN_OK) {
		event_data(&data, jv_string_value(text), action, actor);
		code = pg_query(p, NULL, err, "task event", "INSERT INTO alert_events (seq, alert_id, "
				"event, at, severity, district, kind, action, actor, comment, data, "
				"task_id) VALUES ($1, 0, 'task', $2, $3::integer, $4, $5, $6, $7, $8, "
				"$9, $10)", "lltttttttl", (long)seq, (long)at, sev,
				member(doc, "district"), member(doc, "kind"), action, actor, comment,
				data.buf, (long)id);
		tn_buf_release(&data);
	}
	if (code == TN_OK)      /* the task's next update reads it back: kept parsed */
		store_json_memo_put(jv_string_value(text), (size_t)jv_string_length_bytes(jv_copy(text)),
				    doc);
	jv_free(text);
	if (code != TN_OK) {
		jv_free(doc);
		return code;
	}
	*out = doc;
	return TN_OK;
}

enum tn_code pg_task_get(struct store *st, long long id, jv *doc, struct tn_err *err)
{
	return pg_doc_by_id(PG(st), "SELECT doc FROM tasks WHERE id = $1", id, "task", doc, err);
}

enum tn_code pg_task_history(struct store *st, long long id, jv *out, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*out = jv_invalid();
	code = pg_query(PG(st), &r, err, "task history", "SELECT seq, at, action, actor, comment, "
			"data FROM alert_events WHERE task_id = $1 ORDER BY seq", "l", (long)id);
	if (code != TN_OK)
		return code;
	*out = jv_array();
	for (int i = 0; i < PQntuples(r); i++) {
		char at[40];

		time_rfc3339(pg_long(r, i, 1), at, sizeof(at));
		*out = jv_array_append(*out, store_task_event(pg_long(r, i, 0), at, pg_text(r, i, 2),
							      pg_text(r, i, 3), pg_text(r, i, 4),
							      pg_json(r, i, 5)));
	}
	PQclear(r);
	return TN_OK;
}

enum tn_code pg_task_list(struct store *st, const struct store_task_filter *f, jv *items,
			  char **next, struct tn_err *err)
{
	struct aq q;
	PGresult *r;
	long long cur = 0;
	long count = 0;
	int rows;
	enum tn_code code;

	*items = jv_invalid();
	*next = NULL;
	if (f->cursor && store_id_cursor_parse(f->cursor, 't', f->desc, &cur) != 0)
		return tn_err_set(err, TN_EINVALID, "cursor is not valid for this list");
	memset(&q, 0, sizeof(q));
	tn_buf_init(&q.sql);
	tn_buf_adds(&q.sql, "SELECT id, doc FROM tasks WHERE true");
	pg_aq_in(&q, "status", f->status);
	pg_aq_in(&q, "kind", f->kind);
	pg_aq_in(&q, "district", f->district);
	pg_aq_in(&q, "department", f->department);
	if (f->crew)
		pg_aq_text(&q, " AND crew = ", f->crew);
	if (f->rule)
		pg_aq_text(&q, " AND rule = ", f->rule);
	if (f->max_priority > 0)
		pg_aq_num(&q, " AND priority <= ", f->max_priority);
	if (f->open)
		tn_buf_adds(&q.sql, " AND open = 1");
	if (f->since >= 0)
		pg_aq_num(&q, " AND generated_at >= ", f->since);
	if (f->until >= 0)
		pg_aq_num(&q, " AND generated_at < ", f->until);
	if (f->alert > 0) {
		pg_aq_num(&q, " AND id IN (SELECT task_id FROM task_alerts WHERE alert_id = ", f->alert);
		tn_buf_adds(&q.sql, ")");
	}
	if (f->cursor)
		pg_aq_num(&q, f->desc ? " AND id < " : " AND id > ", cur);
	pg_aq_num(&q, f->desc ? " ORDER BY id DESC LIMIT " : " ORDER BY id LIMIT ", f->limit + 1);
	if ((code = pg_aq_run(PG(st), &q, &r, "task list", err)) != TN_OK)
		return code;
	*items = jv_array();
	rows = PQntuples(r);
	for (int i = 0; i < rows; i++) {
		if (count == f->limit) {
			*next = store_id_cursor_make('t', f->desc, pg_long(r, i - 1, 0));
			break;
		}
		*items = jv_array_append(*items, pg_json(r, i, 1));
		count++;
	}
	PQclear(r);
	return TN_OK;
}

enum tn_code pg_tasks_due(struct store *st, long long now, long max, jv *ids, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*ids = jv_invalid();
	code = pg_query(PG(st), &r, err, "tasks due", "SELECT id FROM tasks WHERE next_due IS NOT "
			"NULL AND next_due <= $1 AND open = 1 ORDER BY next_due LIMIT $2", "ll",
			(long)now, max);
	if (code != TN_OK)
		return code;
	*ids = jv_array();
	for (int i = 0; i < PQntuples(r); i++)
		*ids = jv_array_append(*ids, jv_number((double)pg_long(r, i, 0)));
	PQclear(r);
	return TN_OK;
}

enum tn_code pg_alerts_recent(struct store *st, const char *kind, const char *source,
			      long long since, long long except, long max, jv *alerts,
			      struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*alerts = jv_invalid();
	code = pg_query(PG(st), &r, err, "recent alerts", "SELECT doc FROM alerts WHERE source = $1 "
			"AND kind = $2 AND raised_at >= $3 AND id <> $4 "
			"ORDER BY raised_at DESC, id DESC LIMIT $5",
			"ttlll", source, kind, (long)since, (long)except, max);
	if (code != TN_OK)
		return code;
	*alerts = jv_array();
	for (int i = 0; i < PQntuples(r); i++)
		*alerts = jv_array_append(*alerts, PQgetisnull(r, i, 0) ? jv_null() :
					  store_json_memo(PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0)));
	PQclear(r);
	*alerts = store_reversed(*alerts);
	return TN_OK;
}
