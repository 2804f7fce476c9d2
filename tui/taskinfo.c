/* taskinfo.c — a task's detail: its facts, plan steps (done, pending, late), escalations and history (GET /v1/tasks/{id}), scrolled, with the task's actions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casedesk.h"
#include "display.h"
#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_jv.h"
#include "tn_out.h"
#include "tn_task.h"
#include "tn_tasktext.h"

static struct {
	jv task;                /* owned; jv_invalid() when closed */
	long long id, version;
	size_t top, nvis;
	int height;
	int asking;             /* a GET is under way */
} dt;

static int open_now;            /* dt.task holds a task */

/* "MM-DD HH:MM" of an RFC 3339 time, "" for none, into buf. */
static const char *short_time(const char *t, char *buf, size_t size)
{
	if (!t || strlen(t) < 16)
		snprintf(buf, size, "%s", t ? t : "");
	else
		snprintf(buf, size, "%.5s %.5s", t + 5, t + 11);
	return buf;
}

/* `s` fitted to `w` columns and a space. */
static void cell(struct tn_buf *b, const char *s, int w)
{
	tn_fit_width(b, s ? s : "", w, 1);
	tn_buf_addch(b, ' ');
}

static void steps(struct tn_buf *b, jv task, long long now)
{
	jv rows = tn_task_steps_view(task, now);
	char *name = tn_cell_text(task, "plan.name");
	char t[32];

	tn_buf_addf(b, "\nPlan 预案步骤%s%s\n", *name ? "  " : "", name);
	free(name);
	if (!jv_array_length(jv_copy(rows)))
		tn_buf_adds(b, "  (no plan steps)\n");
	jv_array_foreach(rows, i, st) {
		char *n = tn_cell_text(st, "n");
		const char *state = tn_jv_str_or(st, "state", "");

		tn_buf_addf(b, "%3s ", n);
		cell(b, tn_jv_str(st, "title"), 18);
		cell(b, tn_jv_str(st, "who"), 12);
		tn_buf_addf(b, "due %s  ", short_time(tn_jv_str(st, "due_at"), t, sizeof(t)));
		tn_buf_addf(b, "%s %s", tn_jv_str_or(st, "状态", ""), state);
		if (tn_jv_str(st, "done_at"))
			tn_buf_addf(b, " %s", short_time(tn_jv_str(st, "done_at"), t, sizeof(t)));
		tn_buf_addch(b, '\n');
		free(n);
		jv_free(st);
	}
	jv_free(rows);
}

static void escalations(struct tn_buf *b, jv task)
{
	jv e = tn_jv_array(task, "escalations");
	char t[32];

	if (jv_array_length(jv_copy(e))) {
		tn_buf_adds(b, "\nEscalations 升级\n");
		jv_array_foreach(e, i, x) {
			char *lv = tn_cell_text(x, "level"), *p = tn_cell_text(x, "priority");

			tn_buf_addf(b, "  %s  %s  P%s  %s  %s\n", lv, short_time(tn_jv_str(x, "at"), t, sizeof(t)),
				    p, tn_jv_str_or(x, "notify", ""), tn_jv_str_or(x, "reason", ""));
			free(lv);
			free(p);
			jv_free(x);
		}
	}
	jv_free(e);
}

static void history(struct tn_buf *b, jv task)
{
	jv h = tn_jv_array(task, "history");
	char t[32];

	tn_buf_adds(b, "\nHistory 处置记录\n");
	if (!jv_array_length(jv_copy(h)))
		tn_buf_adds(b, "  (loading...)\n");
	jv_array_foreach(h, i, e) {
		const char *act = tn_jv_str_or(e, "action", "");
		char *who = tn_cell_text(e, "actor"), *note = tn_cell_text(e, "comment");

		tn_buf_addf(b, "  %s  %s %s", short_time(tn_jv_str(e, "at"), t, sizeof(t)), act,
			    tn_task_action_label(act));
		if (*who)
			tn_buf_addf(b, "  by %s", who);
		if (tn_jv_str(e, "status"))
			tn_buf_addf(b, "  → %s", tn_task_status_label(tn_jv_str(e, "status")));
		if (*note)
			tn_buf_addf(b, "  %s", note);
		tn_buf_addch(b, '\n');
		free(who);
		free(note);
		jv_free(e);
	}
	jv_free(h);
}

void task_detail_text(struct tn_buf *b, jv task, long long now)
{
	char *title = tn_cell_text(task, "title");

	tn_buf_addf(b, "%s\n\n", *title ? title : "(no title)");
	free(title);
	tn_task_format_text(b, task);
	steps(b, task, now);
	escalations(b, task);
	history(b, task);
}

/* ---- the view ---- */

static void on_task(void *ctx, long tag, const struct tn_async_result *r)
{
	(void)ctx;
	if (open_now && dt.id == tag)
		dt.asking = 0;
	if (r->status == 200 && jv_get_kind(r->body) == JV_KIND_OBJECT) {
		tasks_put(jv_copy(r->body), 0);        /* the row, and this detail */
	} else if (open_now && dt.id == tag) {
		app_msg(1, "cannot load task #%ld: %s", tag, r->error ? r->error : "no answer");
	}
}

static void ask(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/v1/tasks/%lld", dt.id);
	dt.asking = 1;
	net_request("GET", path, jv_invalid(), 0, on_task, NULL, (long)dt.id);
}

void task_detail_updated(jv task, int from_stream)
{
	long long v = tn_alert_ll(task, "version");
	jv h;

	(void)from_stream;
	if (!open_now || tn_alert_ll(task, "id") != dt.id || v < dt.version)
		return;
	h = tn_jv_array(task, "history");
	if (jv_object_has(jv_copy(task), jv_string("history"))) {
		jv_free(h);
	} else {
		/* a stream event or an action's answer: the history is asked again */
		jv_free(h);
		h = tn_jv_array(dt.task, "history");
		if (v > dt.version && !dt.asking)
			ask();
		task = jv_object_set(jv_copy(task), jv_string("history"), h);
		jv_free(dt.task);
		dt.task = task;
		dt.version = v;
		app.dirty = 1;
		return;
	}
	jv_free(dt.task);
	dt.task = jv_copy(task);
	dt.version = v;
	app.dirty = 1;
}

void task_detail_open(jv task)
{
	long long id = tn_alert_ll(task, "id");

	if (id < 1)
		return;
	task_detail_done();
	dt.task = jv_copy(task);
	dt.id = id;
	dt.version = tn_alert_ll(task, "version");
	open_now = 1;
	app_push(&task_view);
	ask();
}

void task_detail_done(void)
{
	if (open_now)
		jv_free(dt.task);
	memset(&dt, 0, sizeof(dt));
	open_now = 0;
}

static void task_draw(int rows, int cols)
{
	struct tn_buf b = TN_BUF_INIT, t = TN_BUF_INIT;

	tn_buf_addf(&t, "task #%lld · %s %s · 任务详情", dt.id,
		    tn_jv_str_or(dt.task, "status", ""), tn_task_status_label(tn_jv_str(dt.task, "status")));
	disp_line(0, DC_TITLE, 0, t.buf);
	task_detail_text(&b, dt.task, (long long)time(NULL));
	dt.height = rows - 1;
	dt.nvis = pager_draw_text(b.buf, rows, cols, &dt.top);
	tn_buf_release(&b);
	tn_buf_release(&t);
}

static void task_status(struct tn_buf *b)
{
	size_t last = dt.top + (size_t)(dt.height > 0 ? dt.height : 0);

	tn_buf_addf(b, "task #%lld · version %lld · lines %zu-%zu of %zu", dt.id, dt.version,
		    dt.nvis ? dt.top + 1 : 0, last < dt.nvis ? last : dt.nvis, dt.nvis);
}

static int task_key(enum act a, int key)
{
	if (pager_scroll(a, key, &dt.top, dt.nvis, dt.height))
		return 1;
	if (a == ACT_REFRESH) {
		ask();
		app_msg(0, "reloading task #%lld", dt.id);
		return 1;
	}
	if (task_act_action(a)) {
		task_action(a, dt.task);
		return 1;
	}
	return 0;
}

static void task_leave(void)
{
	task_detail_done();
}

const struct view task_view = {
	"task", V_TASK, task_draw, task_status, task_key, task_leave
};
