/* tn_task.h — city-operations tasks: the TASK document, its closed loop, escalation, table rows and the evaluation report. */
#ifndef TN_TASK_H
#define TN_TASK_H

#include <jv.h>

#include "tn_buf.h"
#include "tn_err.h"

/*
 * The loop's statuses in order: X(status, label, step, step_label, at).
 * `step` is the action that leads to the status (generate: the rule made
 * the task), `at` the member holding its time.  Every action but generate
 * is allowed only from the status before its own (dispatch from generated,
 * acknowledge from dispatched, ...).  dispatch needs {"crew"} (1..64
 * characters); evaluate needs {"score": 1..5} and takes "comment" (up to
 * 1000 characters), kept as the task's "evaluation".
 */
#define TN_TASK_STATES(X) \
	X("generated",    "已生成", "generate",    "生成",     "generated_at") \
	X("dispatched",   "已派发", "dispatch",    "派发",     "dispatched_at") \
	X("acknowledged", "已签收", "acknowledge", "签收",     "acknowledged_at") \
	X("on_site",      "已到场", "arrive",      "到场",     "on_site_at") \
	X("resolved",     "已处置", "resolve",     "处置完毕", "resolved_at") \
	X("evaluated",    "已评价", "evaluate",    "评价",     "evaluated_at")
#define TN_TASK_STATUSES "generated|dispatched|acknowledged|on_site|resolved|evaluated"

/*
 * Every action a client may ask, X(action, label): the loop's steps, and
 * step ({"step": N}: plan step N done, done_at and done_by set; while the
 * task is open), reopen (resolved back to dispatched: its acknowledgement,
 * arrival and resolution cleared, the crew kept).  Every action also takes
 * an optional "comment" (up to 1000 characters) for the task's history.
 */
#define TN_TASK_ACTIONS(X) \
	X("dispatch", "派发") X("acknowledge", "签收") X("arrive", "到场") \
	X("resolve", "处置完毕") X("evaluate", "评价") X("step", "完成预案步骤") \
	X("reopen", "重新派发")
#define TN_TASK_ACTION_LIST "dispatch|acknowledge|arrive|resolve|evaluate|step|reopen"

/* The plan steps' statuses. */
#define TN_TASK_STEP_STATUSES "pending|done|skipped"

/* The Chinese label of a status, or of an action (or "generate"); "" when unknown.  Static. */
const char *tn_task_status_label(const char *status);
const char *tn_task_action_label(const char *action);
/* 1 when `action` is one of TN_TASK_ACTION_LIST. */
int tn_task_action_valid(const char *action);
/* 1 when `status` is an open one: generated, dispatched, acknowledged or on_site. */
int tn_task_open(const char *status);

/*
 * A new TASK (owned) from an INTENT of tn_rules_eval (consumed; see
 * lib/tn_taskrules.h) and the ALERT (borrowed) that made it, generated at
 * `now` (epoch seconds): the members of doc/tasks-design's TASK in order,
 * without id and version (the store gives them); status generated, the
 * alert's id in "alerts" (none when it has no id yet, as in a dry run),
 * each plan step pending and due within_s after now, the rule's escalation
 * specs pending in "escalate" and the first one's time in
 * "next_escalation_at".  Times are tn_time_rfc3339's.  Cannot fail: an
 * intent member that is absent is null in the task.
 */
jv tn_task_new(jv intent, jv alert, long long now);

/*
 * A task (consumed) updated by one more alert (borrowed) of the same rule
 * and key (deduplication), with that alert's INTENT (borrowed), at `now`:
 * the alert's id appended to "alerts", alert_count one more (an alert
 * already there, updated by its producer, is not counted again: its new
 * figures below are taken, and when they change nothing the task comes
 * back as it was),
 * last_alert the new alert, severity raised when the intent's is higher
 * (and then the intent's targets, which are the higher severity's), the
 * priority raised when the intent's is higher (a smaller number), the
 * title the intent's, updated_at now.  Returns the task (owned).
 */
jv tn_task_merge(jv task, jv intent, jv alert, long long now);
/* "alerts" keeps the newest this many ids; alert_count counts them all. */
#define TN_TASK_ALERTS_MAX 100

/*
 * Act on a task (consumed): `action` one of TN_TASK_ACTION_LIST with its
 * `args` (consumed; an object, or null for none) by `actor` (may be NULL)
 * at `now`.  The updated task (owned) in *out, updated_at now; its version
 * is the store's to raise.  The step just done asked again (the same crew,
 * the same plan step) is no error: *out is the task unchanged (jv_equal),
 * so that a retry is harmless.  Failures leave *out untouched:
 *   TN_EINVALID, err->field naming the argument: an unknown action
 *   ("action"), an unknown argument, a missing or bad crew, score, step
 *   or comment ("score: 6 is not a score 1..5");
 *   TN_ECONFLICT: a step the status does not allow, naming both
 *   ("cannot acknowledge a task that is generated (acknowledge needs
 *   dispatched)"), a plan step on a closed task.
 */
enum tn_code tn_task_act(jv task, const char *action, jv args, const char *actor,
			 long long now, jv *out, struct tn_err *err);

/*
 * Apply the escalations due at `now` to *task (an owned TASK, replaced):
 * each pending spec of "escalate" whose after_s has passed since
 * generated_at and whose `unless` status the task has not reached (by the
 * loop's order; a spec without one: while the task is open) fires once:
 * it leaves "escalate", an entry {level, at, priority, notify, reason}
 * ("10分钟内未签收") is appended to "escalations", and the priority is
 * raised to the spec's when that is higher.  next_escalation_at is then
 * the next pending spec's time (null when none can fire any more).
 * Returns 1 when the task changed (updated_at now), 0 when not.
 */
int tn_task_escalate(jv *task, long long now);

/* The epoch seconds of a task's (borrowed) next escalation, or 0 when none. */
long long tn_task_next_due(jv task);

/*
 * One line of the task table for a terminal, appended to `b` without a
 * line end: ID, generated time (MM-DD HH:MM), priority (P1..P4), severity
 * (coloured when `color`), district, kind (its Chinese name when the task
 * has one), status (Chinese), crew, plan steps done/all, title; fitted by
 * display width to `width` columns (0: no limit).  `task` is borrowed.
 * tn_task_table_header gives the heading line, in Chinese.
 */
void tn_task_format_row(struct tn_buf *b, jv task, int width, int color);
void tn_task_table_header(struct tn_buf *b, int width);

/* ---- the evaluation report (taskreport.c) ---- */

/*
 * Tasks added one at a time, grouped by (kind, district, department) in
 * memory, each group keeping its durations so that medians and p90 are
 * exact.  Figures are taken at `now` (plan steps and targets past due).
 */
struct tn_task_report;

/* A new empty report as of `now` (epoch seconds).  Aborts only when out of memory. */
struct tn_task_report *tn_task_report_new(long long now);
/* Count one TASK (consumed); anything that is not an object is ignored. */
void tn_task_report_add(struct tn_task_report *r, jv task);
/*
 * The report document (owned): {"report":"tasks", "as_of", "by":"kind",
 * "groups":[ROW...], "total":ROW}, the groups ordered by kind, district,
 * department.  A ROW: group (the kind), name (its Chinese name), kind,
 * district, district_name, department, generated, open, resolved,
 * evaluated, for each of dispatch, acknowledge and resolve (minutes from
 * generated_at, one decimal): X_min_n, X_min_median, X_min_p90 (null when
 * none), X_in_target, X_past_target, X_in_target_rate (percent of the
 * tasks timed against a target: done within it, or done or still not done
 * past it at as_of; null when none), escalations, escalated (tasks with
 * one), steps, steps_late (done after due_at, or pending past it at
 * as_of), score_mean (null when none evaluated).  tn_report_rows,
 * tn_report_display_row (TN_REPORT_TASKS) and tn_report_footnotes read
 * it like the other reports.
 */
jv tn_task_report_result(struct tn_task_report *r);
void tn_task_report_free(struct tn_task_report *r);

/* Table columns (short) and CSV columns (every figure) of the task report, NULL-terminated. */
extern const char *tn_report_task_table[];
extern const char *tn_report_task_csv[];

#endif
