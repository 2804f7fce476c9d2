/* tn_tasktext.h — one task for a reader (task-show, casedesk): its facts as text, its plan steps' states, the columns of its tables. */
#ifndef TN_TASKTEXT_H
#define TN_TASKTEXT_H

#include <jv.h>

#include "tn_buf.h"

/*
 * A TASK (borrowed) as "key: value" lines appended to `b`: id, title,
 * status (with its Chinese label and version), priority and severity, kind,
 * district, department, crew pool, crew, rule, its alerts and the last one,
 * the time of each step taken, the evaluation, the next escalation, the
 * plan's name.  Empty members are left out.  The plan steps, escalations
 * and history are tables of their own (below).
 */
void tn_task_format_text(struct tn_buf *b, jv task);

/*
 * The plan steps of a TASK (borrowed) as rows (owned array): each step
 * with "state" at `now` (epoch seconds) — done, done late (after its
 * due_at), pending, late (pending past due_at), skipped — and "状态", the
 * state in Chinese.
 */
jv tn_task_steps_view(jv task, long long now);

/* The table columns of the plan steps, the escalations and the history, NULL-terminated. */
extern const char *tn_task_step_columns[];
extern const char *tn_task_escalation_columns[];
extern const char *tn_task_history_columns[];

#endif
