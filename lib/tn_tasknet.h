/* tn_tasknet.h — tasks on the server: the list page by page, one task with its history, the loop's steps under the task's version. */
#ifndef TN_TASKNET_H
#define TN_TASKNET_H

#include <jv.h>

#include "tn_buf.h"
#include "tn_err.h"
#include "tn_http.h"

struct tn_list_end;

/* The filters of GET /v1/tasks; NULL members (and open 0) are not sent. */
struct tn_task_query {
	const char *status;             /* ','-separated statuses (TN_TASK_STATUSES) */
	const char *kind, *district, *department;      /* ','-separated */
	const char *crew, *rule;
	const char *priority;           /* 1..4: this priority or higher */
	const char *since, *until;      /* tn_task_time's words */
	const char *alert;              /* an alert id: the tasks holding it */
	int open;                       /* 1: open tasks only */
};

/*
 * A --since or --until word as an RFC 3339 time into `out` (at least 40
 * bytes): what tn_time_since takes (an RFC 3339 time, N s/m/h/d ago), or a
 * day or period word of tn_period_parse (YYYY-MM-DD, YYYY-MM, today,
 * this-week, last-month ...) relative to `today` (a day number): its first
 * day's start for --since (`end` 0), its last day's end (23:59:59, Beijing)
 * for --until (`end` 1).  TN_EUSAGE naming `opt` for anything else.
 */
enum tn_code tn_task_time(const char *opt, const char *word, int end, long today, char *out,
			  size_t size, struct tn_err *err);

/* The request path of a page of `limit` tasks after `cursor` (NULL: the first); TN_EUSAGE on a bad filter. */
enum tn_code tn_task_query_path(const struct tn_task_query *q, long limit, const char *cursor,
				struct tn_buf *path, struct tn_err *err);

/*
 * The tasks matching `q`, page after page, at most `limit` (< 0: all), each
 * handed to `fn` (owned by the callee; nonzero stops); how it ended in *end
 * (may be NULL) as tn_case_list_end.  Constant memory: one page at a time.
 */
enum tn_code tn_task_list_end(struct tn_client *c, const struct tn_task_query *q, long limit,
			      int (*fn)(void *ctx, jv task), void *ctx, struct tn_list_end *end,
			      struct tn_err *err);

/* GET /v1/tasks/{id}: the TASK with its history (owned) in *out; TN_ENOTFOUND "task N not found". */
enum tn_code tn_task_get(struct tn_client *c, long long id, jv *out, struct tn_err *err);

/*
 * The arguments of `action` (consumed: an object) checked the way the
 * server checks them (tn_task_act on a stand-in task), before any task is
 * read: TN_EINVALID naming the argument (a score outside 1..5, a plan step
 * below 1, a crew or comment too long), TN_EUSAGE for an unknown action.
 */
enum tn_code tn_task_args_check(const char *action, jv args, struct tn_err *err);

/*
 * One step on task `id`: POST /v1/tasks/{id}/actions with {"action", ARGS}
 * and If-Match: "VERSION".  `task` (consumed) is the task as the caller
 * read it (jv_invalid() or an object without "status": it is read first,
 * GET /v1/tasks/{id}); `version` < 1: that task's version.  The step is
 * first tried on that task with tn_task_act, so that arguments the lib
 * refuses are never sent (TN_EINVALID: a plan step the task has not, a
 * score outside 1..5); a status that does not allow the step is left to
 * the server, which knows the status now and the token's role.  A stale
 * version, or a step the status does not allow, is TN_ECONFLICT with the
 * server's words; a step the token may not take TN_EAUTH; no such task (or
 * one the token may not see) TN_ENOTFOUND "task N not found".  `args` is
 * borrowed (an object or null).
 * The updated TASK (owned) in *out.
 */
enum tn_code tn_task_act_at(struct tn_client *c, long long id, long long version, jv task,
			    const char *action, jv args, jv *out, struct tn_err *err);

/*
 * A task from a line of stdin: a bare id, or an NDJSON object with "id"
 * (a TASK, as task-list writes it, or {"id", "version"}).  Returns the id
 * (-1 with err set on error); *version its "version" (0 when none); *task
 * (owned) the object, or jv_invalid() for a bare id.
 */
long long tn_task_from_line(const char *line, long long *version, jv *task, struct tn_err *err);

/*
 * The evaluation report of the tasks generated from day `from` to day `to`
 * (YYYY-MM-DD, Beijing; both included), of `department` only when not
 * NULL: every such task read from GET /v1/tasks, page after page, and
 * counted with tn_task_report_add as of `now` (epoch seconds).  The
 * document of tn_task_report_result (owned) in *out, with "from", "to"
 * (and "department") set.  Errors as tn_task_list_end.
 */
enum tn_code tn_task_report_fetch(struct tn_client *c, const char *from, const char *to,
				  const char *department, long long now, jv *out,
				  struct tn_err *err);

#endif
