/* store_tasks.c — the operations loop's tasks in SQLite: rows, their alerts, their events in the alert log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_task.h"
#include "jvutil.h"
#include "store_alerts.h"
#include "store_tasks.h"
#include "../store_common.h"
#include "store_int.h"

/*
 * Migration 11 -> 12.  `open` is 1 while the task is open (tn_task_open):
 * the partial index finds the newest open task of (rule, dkey), the dedupe
 * key (writers are one at a time: BEGIN IMMEDIATE).  next_due is the epoch of the next escalation (NULL: none).
 * Task events go to alert_events with alert_id 0 and their task_id.
 */
const char store_tasks_schema[] =
	"CREATE TABLE IF NOT EXISTS tasks ("
	"  id INTEGER PRIMARY KEY,"
	"  rule TEXT NOT NULL,"
	"  dkey TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  open INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  severity INTEGER NOT NULL,"
	"  priority INTEGER NOT NULL,"
	"  department TEXT NOT NULL,"
	"  district TEXT NOT NULL,"
	"  crew TEXT,"
	"  generated_at INTEGER NOT NULL,"
	"  next_due INTEGER,"
	"  version INTEGER NOT NULL,"
	"  doc TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS tasks_open ON tasks (rule, dkey, id) WHERE open = 1;"
	"CREATE INDEX IF NOT EXISTS tasks_status ON tasks (status, id);"
	"CREATE INDEX IF NOT EXISTS tasks_crew ON tasks (crew, id);"
	"CREATE INDEX IF NOT EXISTS tasks_due ON tasks (next_due) WHERE next_due IS NOT NULL;"
	"CREATE TABLE IF NOT EXISTS task_alerts ("
	"  task_id INTEGER NOT NULL,"
	"  alert_id INTEGER NOT NULL,"
	"  PRIMARY KEY (task_id, alert_id));"
	"CREATE INDEX IF NOT EXISTS task_alerts_alert ON task_alerts (alert_id);"
	"ALTER TABLE alert_events ADD COLUMN task_id INTEGER;"
	"CREATE INDEX IF NOT EXISTS alert_events_task ON alert_events (task_id, seq)"
	"  WHERE task_id IS NOT NULL;"
	"CREATE INDEX IF NOT EXISTS alerts_source_kind ON alerts (source, kind, raised_at);";

static const char *member(jv doc, const char *key)
{
	const char *v = tn_jv_str(doc, key);

	return v ? v : "";
}

enum tn_code sqlite_task_open_get(struct store *st, const char *rule, const char *key, jv *doc,
				  struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT doc FROM tasks WHERE rule = ? AND dkey = ? "
				     "AND open = 1 ORDER BY id DESC LIMIT 1", err);
	int rc;

	*doc = jv_invalid();
	if (!s)
		return store_errcode(err);
	store_bind_text(s, 1, rule);
	store_bind_text(s, 2, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*doc = store_json_memo((const char *)sqlite3_column_text(s, 0),
				       (size_t)sqlite3_column_bytes(s, 0));
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return TN_OK;
	if (rc != SQLITE_DONE)
		return store_fail(st, err, "task lookup");
	return tn_err_set(err, TN_ENOTFOUND, "no open task of rule %s for %s", rule, key);
}

/*
 * Link the alert ids of doc's "alerts" to task `id` (known links are kept):
 * every one for a new task, the last one for an update (tn_task_merge
 * appends the new alert last; the others are linked already).
 */
static enum tn_code link_alerts(struct store *st, long long id, jv doc, int all,
				struct tn_err *err)
{
	jv alerts = jv_object_get(jv_copy(doc), jv_string("alerts"));
	enum tn_code code = TN_OK;
	int n = jv_get_kind(alerts) == JV_KIND_ARRAY ? jv_array_length(jv_copy(alerts)) : 0;

	if (!all && n > 1)
		alerts = jv_array_slice(alerts, n - 1, n);
	if (jv_get_kind(alerts) == JV_KIND_ARRAY) {
		jv_array_foreach(alerts, i, a) {
			sqlite3_stmt *s;

			if (code == TN_OK && jv_get_kind(a) == JV_KIND_NUMBER &&
			    (s = store_stmt(st, "INSERT OR IGNORE INTO task_alerts (task_id, alert_id) "
					    "VALUES (?, ?)", err))) {
				sqlite3_bind_int64(s, 1, id);
				sqlite3_bind_int64(s, 2, (long long)jv_number_value(a));
				code = store_run(st, s, err, "task alert");
			} else if (code == TN_OK && jv_get_kind(a) == JV_KIND_NUMBER) {
				code = store_errcode(err);
			}
			jv_free(a);
		}
	}
	jv_free(alerts);
	return code;
}

/* The stored version of task `id` in *version; TN_ENOTFOUND when none. */
static enum tn_code stored_version(struct store *st, long long id, long long *version,
				   struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT version FROM tasks WHERE id = ?", err);
	int rc;

	if (!s)
		return store_errcode(err);
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return TN_OK;
	if (rc != SQLITE_DONE)
		return store_fail(st, err, "task version");
	return tn_err_set(err, TN_ENOTFOUND, "no task %lld", id);
}

static void bind_columns(sqlite3_stmt *s, jv doc, long long at, long long version,
			 const char *text)
{
	jv prio = jv_object_get(jv_copy(doc), jv_string("priority"));
	long long due = tn_task_next_due(doc);

	store_bind_text(s, 1, member(doc, "rule"));
	store_bind_text(s, 2, member(doc, "key"));
	store_bind_text(s, 3, member(doc, "status"));
	sqlite3_bind_int(s, 4, tn_task_open(member(doc, "status")));
	store_bind_text(s, 5, member(doc, "kind"));
	sqlite3_bind_int(s, 6, (int)tn_severity_parse(member(doc, "severity")));
	sqlite3_bind_int(s, 7, jv_get_kind(prio) == JV_KIND_NUMBER ? (int)jv_number_value(prio) : 4);
	store_bind_text(s, 8, member(doc, "department"));
	store_bind_text(s, 9, member(doc, "district"));
	store_bind_text(s, 10, tn_jv_str(doc, "crew"));
	sqlite3_bind_int64(s, 11, at);
	if (due > 0)
		sqlite3_bind_int64(s, 12, due);
	else
		sqlite3_bind_null(s, 12);
	sqlite3_bind_int64(s, 13, version);
	sqlite3_bind_text(s, 14, text, -1, SQLITE_STATIC);
	jv_free(prio);
}

enum tn_code sqlite_task_put(struct store *st, long long id, long long version, jv doc,
			     long long at, const char *action, const char *actor,
			     const char *comment, jv *out, struct tn_err *err)
{
	long long seq = sqlite_alert_latest(st), have = 0, generated = at;
	sqlite3_stmt *s;
	jv text;
	enum tn_code code;

	*out = jv_invalid();
	if (seq < 0) {
		jv_free(doc);
		return store_fail(st, err, "alert sequence");
	}
	seq++;
	if (id > 0) {
		if ((code = stored_version(st, id, &have, err)) != TN_OK) {
			jv_free(doc);
			return code;
		}
		if (have != version) {
			jv_free(doc);
			return tn_err_set(err, TN_ECONFLICT, "task %lld is at version %lld, not %lld",
					  id, have, version);
		}
		version++;
	} else {
		s = store_stmt(st, "SELECT coalesce(max(id), 0) + 1 FROM tasks", err);
		if (!s) {
			jv_free(doc);
			return store_errcode(err);
		}
		if (sqlite3_step(s) == SQLITE_ROW)
			id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (id <= 0) {
			jv_free(doc);
			return store_fail(st, err, "task id");
		}
		version = 1;
	}
	doc = jv_object_set(doc, jv_string("id"), jv_number((double)id));
	doc = jv_object_set(doc, jv_string("version"), jv_number((double)version));
	doc = jv_object_set(doc, jv_string("seq"), jv_number((double)seq));
	text = tn_json_dump_string(jv_copy(doc));
	if (have) {
		s = store_stmt(st, "UPDATE tasks SET rule = ?, dkey = ?, status = ?, open = ?, "
			       "kind = ?, severity = ?, priority = ?, department = ?, district = ?, "
			       "crew = ?, generated_at = coalesce(generated_at, ?), next_due = ?, "
			       "version = ?, doc = ? WHERE id = ?", err);
		if (s)
			sqlite3_bind_int64(s, 15, id);
	} else {
		s = store_stmt(st, "INSERT INTO tasks (rule, dkey, status, open, kind, severity, "
			       "priority, department, district, crew, generated_at, next_due, "
			       "version, doc, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			       err);
		if (s)
			sqlite3_bind_int64(s, 15, id);
	}
	if (!s) {
		code = store_errcode(err);
	} else {
		bind_columns(s, doc, generated, version, jv_string_value(text));
		code = have ? store_run(st, s, err, "task update")
			    : store_insert(st, s, err, "task insert", "task %lld exists already", id);
	}
	if (code == TN_OK)
		code = link_alerts(st, id, doc, !have, err);
	if (code == TN_OK)
		code = store_event_append(st, seq, 0, id, "task", at, doc, jv_string_value(text),
					  action, actor, comment, err);
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

enum tn_code sqlite_task_get(struct store *st, long long id, jv *doc, struct tn_err *err)
{
	return store_doc_by_id(st, "SELECT doc FROM tasks WHERE id = ?", id, "task", doc, err);
}

enum tn_code sqlite_task_history(struct store *st, long long id, jv *out, struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT seq, at, action, actor, comment, data "
				     "FROM alert_events WHERE task_id = ? ORDER BY seq", err);
	int rc;

	*out = jv_array();
	if (!s)
		return store_errcode(err);
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		jv data = store_col_json(s, 5);
		char at[40];

		time_rfc3339(sqlite3_column_int64(s, 1), at, sizeof(at));
		*out = jv_array_append(*out, store_task_event(sqlite3_column_int64(s, 0), at,
							      store_col_text(s, 2),
							      store_col_text(s, 3),
							      store_col_text(s, 4), data));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		jv_free(*out);
		*out = jv_invalid();
		return store_fail(st, err, "task history");
	}
	return TN_OK;
}

enum tn_code sqlite_task_list(struct store *st, const struct store_task_filter *f, jv *items,
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
	if (f->cursor && store_id_cursor_parse(f->cursor, 't', f->desc, &cur) != 0)
		return tn_err_set(err, TN_EINVALID, "cursor is not valid for this list");
	store_q_init(&q, "SELECT id, doc FROM tasks WHERE 1");
	store_q_in(&q, "status", f->status);
	store_q_in(&q, "kind", f->kind);
	store_q_in(&q, "district", f->district);
	store_q_in(&q, "department", f->department);
	if (f->crew)
		store_q_text(&q, " AND crew = ?", f->crew);
	if (f->rule)
		store_q_text(&q, " AND rule = ?", f->rule);
	if (f->max_priority > 0)
		store_q_num(&q, " AND priority <= ?", f->max_priority);
	if (f->open)
		store_q_add(&q, " AND open = 1");
	if (f->since >= 0)
		store_q_num(&q, " AND generated_at >= ?", f->since);
	if (f->until >= 0)
		store_q_num(&q, " AND generated_at < ?", f->until);
	if (f->alert > 0)
		store_q_num(&q, " AND id IN (SELECT task_id FROM task_alerts WHERE alert_id = ?)",
			    f->alert);
	if (f->cursor)
		store_q_num(&q, f->desc ? " AND id < ?" : " AND id > ?", cur);
	store_q_num(&q, f->desc ? " ORDER BY id DESC LIMIT ?" : " ORDER BY id LIMIT ?",
		    f->limit + 1);
	if (!(s = store_q_stmt(st, &q, err)))
		return store_errcode(err);
	*items = jv_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (count == f->limit) {
			*next = store_id_cursor_make('t', f->desc, last);
			break;
		}
		*items = jv_array_append(*items, store_col_json(s, 1));
		last = sqlite3_column_int64(s, 0);
		count++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		code = store_fail(st, err, "task list");
	sqlite3_reset(s);
	if (code != TN_OK) {
		jv_free(*items);
		*items = jv_invalid();
		free(*next);
		*next = NULL;
	}
	return code;
}

enum tn_code sqlite_tasks_due(struct store *st, long long now, long max, jv *ids,
			      struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id FROM tasks WHERE next_due IS NOT NULL AND "
				     "next_due <= ? AND open = 1 ORDER BY next_due LIMIT ?", err);
	int rc;

	*ids = jv_array();
	if (!s)
		return store_errcode(err);
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*ids = jv_array_append(*ids, jv_number((double)sqlite3_column_int64(s, 0)));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		jv_free(*ids);
		*ids = jv_invalid();
		return store_fail(st, err, "tasks due");
	}
	return TN_OK;
}

enum tn_code sqlite_alerts_recent(struct store *st, const char *kind, const char *source,
				  long long since, long long except, long max, jv *alerts,
				  struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT doc FROM alerts WHERE source = ? AND kind = ? "
				     "AND raised_at >= ? AND id <> ? "
				     "ORDER BY raised_at DESC, id DESC LIMIT ?", err);
	int rc;

	*alerts = jv_array();
	if (!s)
		return store_errcode(err);
	store_bind_text(s, 1, source);
	store_bind_text(s, 2, kind);
	sqlite3_bind_int64(s, 3, since);
	sqlite3_bind_int64(s, 4, except);
	sqlite3_bind_int64(s, 5, max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*alerts = jv_array_append(*alerts, store_json_memo((const char *)sqlite3_column_text(s, 0),
								   (size_t)sqlite3_column_bytes(s, 0)));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		jv_free(*alerts);
		*alerts = jv_invalid();
		return store_fail(st, err, "recent alerts");
	}
	*alerts = store_reversed(*alerts);
	return TN_OK;
}
