/* tasktext.c — one task for a reader: its key facts as text, its plan steps (done, pending, late), escalations and history as rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "tn_jv.h"
#include "tn_out.h"
#include "tn_task.h"
#include "tn_tasktext.h"

static void kv(struct tn_buf *b, const char *key, const char *value)
{
	if (value && *value)
		tn_buf_addf(b, "%-14s%s\n", key, value);
}

/* The cell text of `path` in `task` as a line `key` (nothing when empty). */
static void kv_at(struct tn_buf *b, jv task, const char *key, const char *path)
{
	char *s = tn_cell_text(task, path);

	kv(b, key, s);
	free(s);
}

/* The time of a step of the loop, when it was taken. */
static void kv_step(struct tn_buf *b, jv task, const char *key, const char *at)
{
	const char *t = tn_jv_str(task, at);

	if (t)
		kv(b, key, t);
}

void tn_task_format_text(struct tn_buf *b, jv task)
{
	struct tn_buf line = TN_BUF_INIT;
	const char *st = tn_jv_str(task, "status");
	jv alerts = tn_jv_array(task, "alerts"), last = tn_jv_object(task, "last_alert");
	char *s, *t;

	kv_at(b, task, "id:", "id");
	kv_at(b, task, "title:", "title");
	s = tn_cell_text(task, "version");
	tn_buf_addf(&line, "%s %s (version %s)", st ? st : "", tn_task_status_label(st), s);
	free(s);
	kv(b, "status:", line.buf);
	tn_buf_reset(&line);
	s = tn_cell_text(task, "priority");
	t = tn_cell_text(task, "severity");
	tn_buf_addf(&line, "P%s, %s", s, t);
	kv(b, "priority:", line.buf);
	free(s);
	free(t);
	tn_buf_reset(&line);
	s = tn_cell_text(task, "kind");
	t = tn_cell_text(task, "kind_name");
	tn_buf_addf(&line, "%s%s%s", s, *t ? " " : "", t);
	kv(b, "kind:", line.buf);
	free(s);
	free(t);
	tn_buf_reset(&line);
	s = tn_cell_text(task, "district");
	t = tn_cell_text(task, "district_name");
	tn_buf_addf(&line, "%s%s%s", s, *t ? " " : "", t);
	free(s);
	free(t);
	s = tn_cell_text(task, "street_name");
	if (*s)
		tn_buf_addf(&line, " %s", s);
	free(s);
	kv(b, "district:", line.buf);
	tn_buf_reset(&line);
	kv_at(b, task, "department:", "department");
	kv_at(b, task, "crew pool:", "crew_pool");
	kv_at(b, task, "crew:", "crew");
	kv_at(b, task, "rule:", "rule");
	jv_array_foreach(alerts, i, a) {
		if (jv_get_kind(a) == JV_KIND_NUMBER)
			tn_buf_addf(&line, "%s%.0f", i ? " " : "", jv_number_value(a));
		jv_free(a);
	}
	kv(b, "alerts:", line.buf);
	tn_buf_reset(&line);
	if (jv_get_kind(last) == JV_KIND_OBJECT) {
		char *id = tn_cell_text(last, "id"), *v = tn_cell_text(last, "value");
		char *h = tn_cell_text(last, "headline"), *at = tn_cell_text(last, "raised_at");

		tn_buf_addf(&line, "%s %s%s%s %s %s", id, tn_jv_str_or(last, "severity", ""),
			    *v ? " " : "", v, at, h);
		kv(b, "last alert:", line.buf);
		tn_buf_reset(&line);
		free(id);
		free(v);
		free(h);
		free(at);
	}
	kv_step(b, task, "generated:", "generated_at");
	kv_step(b, task, "dispatched:", "dispatched_at");
	kv_step(b, task, "acknowledged:", "acknowledged_at");
	kv_step(b, task, "on site:", "on_site_at");
	kv_step(b, task, "resolved:", "resolved_at");
	kv_step(b, task, "evaluated:", "evaluated_at");
	s = tn_cell_text(task, "evaluation.score");
	t = tn_cell_text(task, "evaluation.comment");
	if (*s) {
		tn_buf_addf(&line, "%s/5%s%s", s, *t ? " " : "", t);
		kv(b, "evaluation:", line.buf);
	}
	free(s);
	free(t);
	kv_step(b, task, "next escal.:", "next_escalation_at");
	kv_at(b, task, "plan:", "plan.name");
	tn_buf_release(&line);
	jv_free(alerts);
	jv_free(last);
}

/* The state of a plan step (borrowed) at `now`: done, done late, pending or late. */
static const char *step_state(jv st, long long now)
{
	long long due = -1, done = -1;
	const char *d = tn_jv_str(st, "due_at"), *at = tn_jv_str(st, "done_at");

	if (d)
		tn_time_parse(d, &due);
	if (at)
		tn_time_parse(at, &done);
	if (tn_jv_is(st, "status", "done"))
		return due >= 0 && done > due ? "done late" : "done";
	if (tn_jv_is(st, "status", "skipped"))
		return "skipped";
	return due >= 0 && now > due ? "late" : "pending";
}

static const char *state_label(const char *state)
{
	static const char *const words[][2] = {
		{ "done", "已完成" }, { "done late", "超时完成" }, { "skipped", "已跳过" },
		{ "late", "已超时" }, { "pending", "待办" },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(words[i][0], state) == 0)
			return words[i][1];
	return "";
}

jv tn_task_steps_view(jv task, long long now)
{
	jv plan = tn_jv_object(task, "plan"), steps = tn_jv_array(plan, "steps"), rows = jv_array();

	jv_array_foreach(steps, i, st) {
		const char *state = step_state(st, now);

		st = jv_object_set(st, jv_string("state"), jv_string(state));
		rows = jv_array_append(rows, jv_object_set(st, jv_string("状态"),
							   jv_string(state_label(state))));
	}
	jv_free(steps);
	jv_free(plan);
	return rows;
}

const char *tn_task_step_columns[] = { "n", "title", "who", "due_at", "state", "状态", "done_at",
				       "done_by", NULL };
const char *tn_task_escalation_columns[] = { "level", "at", "priority", "notify", "reason", NULL };
const char *tn_task_history_columns[] = { "seq", "at", "action", "actor", "status", "version",
					  "comment", NULL };
