/* store_tasks.h — the operations loop's tasks in twonetd's storage: made from alerts by rules, acted on by crews. */
#ifndef TWONETD_STORE_TASKS_H
#define TWONETD_STORE_TASKS_H

#include <stddef.h>
#include <jv.h>

#include "tn_err.h"
#include "store.h"

/*
 * A task (TASK, doc/api-tasks.md) is one row whose document the lib's task
 * model (lib/tn_task.h) writes; the store reads from it only the columns it
 * filters on (status, kind, severity, priority, department, district, crew,
 * generated_at, the next escalation time) and the alerts it lists.
 *
 * Every write of a task appends an event "task" to the alerts' one event
 * log (store_alerts.h), so the stream carries task events in the same
 * sequence as alerts; writes therefore happen inside an alerts transaction
 * (store_alerts_begin .. store_alerts_commit), where the rules that make
 * tasks from a raised alert also run: an alert and the tasks it made
 * commit together or not at all.
 *
 * Several open tasks (status not resolved or evaluated) of one (rule, key)
 * may exist: a new one is made when the open one's last alert is older than
 * the rule's dedupe time.  Writers are one at a time (the alerts
 * transaction), so two never make the same task.  Ownership follows store.h: jv arguments are consumed, jv results are the
 * caller's.
 */

/*
 * Inside a transaction: the newest open task of `rule` with dedupe key `key`
 * in *doc; TN_ENOTFOUND when none is open.
 */
enum tn_code store_task_open_get(struct store *st, const char *rule, const char *key, jv *doc,
				 struct tn_err *err);

/*
 * Inside a transaction: write the TASK `doc` (consumed).  id == 0: a new
 * task; its "id" is set here, "version" to 1.  id > 0: replace task `id`
 * whose stored version must be `version` (TN_ECONFLICT "task N is at version
 * V, not W" otherwise; TN_ENOTFOUND when no such task); "version" becomes
 * version + 1.  The alert ids of doc's "alerts" are linked to the task (of
 * an update, the last one: tn_task_merge appends a new alert last).  An
 * event "task" naming `action` and `actor` (`comment` may be NULL) is
 * appended at time `at` (epoch seconds); its seq is set as the doc's "seq".
 * *out gets the stored TASK.
 */
enum tn_code store_task_put(struct store *st, long long id, long long version, jv doc,
			    long long at, const char *action, const char *actor,
			    const char *comment, jv *out, struct tn_err *err);

/* The TASK `id` in *doc; TN_ENOTFOUND when none. */
enum tn_code store_task_get(struct store *st, long long id, jv *doc, struct tn_err *err);

/*
 * The task's events still in the log, oldest first: [{seq, at, action,
 * actor, comment, status, version}].
 */
enum tn_code store_task_history(struct store *st, long long id, jv *out, struct tn_err *err);

/* Filters of GET /v1/tasks.  NULL / -1 / 0 means no filter; lists are NULL-terminated. */
struct store_task_filter {
	char **status, **kind, **district, **department;
	const char *crew;       /* only tasks dispatched to this crew */
	const char *rule;
	int max_priority;       /* priority <= this (1 highest); 0: any */
	int open;               /* 1: open ones only, 0: all */
	long long since, until; /* generated_at in epoch seconds: since <= t < until */
	long long alert;        /* only tasks that hold this alert id */
	int desc;               /* order=-id */
	const char *cursor;     /* from a previous page, or NULL */
	long limit;             /* 1..1000 */
};

/*
 * One page of TASKs in *items and the next page's cursor in *next
 * (malloc'd, NULL on the last page).  A foreign cursor is TN_EINVALID.
 */
enum tn_code store_task_list(struct store *st, const struct store_task_filter *f, jv *items,
			     char **next, struct tn_err *err);

/* The ids (numbers) of open tasks whose next escalation is due at `now`, at most `max`, in *ids. */
enum tn_code store_tasks_due(struct store *st, long long now, long max, jv *ids,
			     struct tn_err *err);

/*
 * The newest `max` ALERTs of `kind` from `source` raised at or after `since`
 * (epoch seconds), other than alert `except`, oldest first, in *alerts: what
 * a rule's window looks at.  Newest by raised_at, then id: the index
 * alerts_source_kind (source, kind, raised_at) gives them in that order, so
 * the query reads `max` rows however many the source raised in the window
 * (ordered by id alone it read and sorted them all).
 */
enum tn_code store_alerts_recent(struct store *st, const char *kind, const char *source,
				 long long since, long long except, long max, jv *alerts,
				 struct tn_err *err);

#endif
