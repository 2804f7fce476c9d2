/* tasks.c — the operations view: the tasks the rules made (GET /v1/tasks), open ones first by priority, kept current by the alert stream's task events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casedesk.h"
#include "display.h"
#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_jv.h"
#include "tn_task.h"

#define MAX_TASKS 1000

struct trow {
	long long id, version;
	jv task;
};

static struct {
	struct trow *v;         /* in tasks_cmp's order */
	size_t n;
	size_t cur, top;
	int height;
	int asked;              /* the list was asked for */
	int listed;             /* a list arrived */
	int more;               /* the server has more than MAX_TASKS */
	char state[256];        /* why the list is not there, or "" */
} tk;

static long long id_of(jv t)
{
	return tn_alert_ll(t, "id");
}

int tasks_cmp(jv a, jv b)
{
	int oa = tn_task_open(tn_jv_str_or(a, "status", "")), ob = tn_task_open(tn_jv_str_or(b, "status", ""));
	long pa = tn_jv_long(a, "priority", 0), pb = tn_jv_long(b, "priority", 0);
	long long ia = id_of(a), ib = id_of(b);

	if (oa != ob)
		return oa ? -1 : 1;
	if (pa < 1)
		pa = 9;                 /* none: after P4 */
	if (pb < 1)
		pb = 9;
	if (oa && pa != pb)
		return pa < pb ? -1 : 1;
	return ia > ib ? -1 : ia < ib ? 1 : 0;
}

static int row_cmp(const void *x, const void *y)
{
	const struct trow *a = x, *b = y;

	return tasks_cmp(a->task, b->task);
}

static long find(long long id)
{
	for (size_t i = 0; i < tk.n; i++)
		if (tk.v[i].id == id)
			return (long)i;
	return -1;
}

/* Add or replace one row (unsorted); 1 when it changed. */
static int put_row(jv task)
{
	long long id = id_of(task), version = tn_alert_ll(task, "version");
	long i = find(id);

	if (id < 1) {
		jv_free(task);
		return 0;
	}
	if (i >= 0) {
		if (tk.v[i].version > version) {
			jv_free(task);  /* an older event, after a newer answer */
			return 0;
		}
		jv_free(tk.v[i].task);
		tk.v[i].task = task;
		tk.v[i].version = version;
		return 1;
	}
	if (tk.n == MAX_TASKS) {
		/* the last row goes: once sorted, the oldest closed task */
		jv_free(tk.v[tk.n - 1].task);
		tk.n--;
	}
	if (!(tk.n & 63))
		tk.v = tn_xrealloc(tk.v, (tk.n + 64) * sizeof(*tk.v));
	tk.v[tk.n].id = id;
	tk.v[tk.n].version = version;
	tk.v[tk.n].task = task;
	tk.n++;
	return 1;
}

/* Sort again, keeping the cursor on the task it was on. */
static void resort(void)
{
	long long at = tk.cur < tk.n ? tk.v[tk.cur].id : 0;
	long i;

	qsort(tk.v, tk.n, sizeof(*tk.v), row_cmp);
	if (at && (i = find(at)) >= 0)
		tk.cur = (size_t)i;
	app.dirty = 1;
}

void tasks_put(jv task, int from_stream)
{
	if (!tk.asked || jv_get_kind(task) != JV_KIND_OBJECT) {
		jv_free(task);
		return;
	}
	if (put_row(jv_copy(task)))
		resort();
	task_detail_updated(task, from_stream);
	jv_free(task);
}

static void on_list(void *ctx, long tag, const struct tn_async_result *r)
{
	jv items;

	(void)ctx;
	(void)tag;
	if (r->status != 200 || jv_get_kind(r->body) != JV_KIND_OBJECT) {
		snprintf(tk.state, sizeof(tk.state), "cannot list tasks: %s",
			 r->error ? r->error : "no answer");
		app.dirty = 1;
		return;
	}
	tk.state[0] = '\0';
	tk.listed = 1;
	items = tn_jv_array(r->body, "items");
	jv_array_foreach(items, i, t)
		put_row(t);
	jv_free(items);
	tk.more = tn_jv_str(r->body, "next") != NULL;
	resort();
}

void tasks_reload(void)
{
	char path[64];

	tk.asked = 1;
	snprintf(path, sizeof(path), "/v1/tasks?order=-id&limit=%d", MAX_TASKS);
	net_request("GET", path, jv_invalid(), 0, on_list, NULL, 0);
}

void tasks_open(void)
{
	app_push(&tasks_view);
	if (!tk.asked)
		tasks_reload();
}

void tasks_done(void)
{
	for (size_t i = 0; i < tk.n; i++)
		jv_free(tk.v[i].task);
	free(tk.v);
	memset(&tk, 0, sizeof(tk));
}

/* ---- the view ---- */

static void tasks_draw(int rows, int cols)
{
	struct tn_buf b = TN_BUF_INIT;
	int list = rows - 1, y = 1;

	tk.height = list;
	tn_task_table_header(&b, cols);
	disp_line(0, DC_HEADER, 0, b.buf);
	list_fit(&tk.cur, &tk.top, tk.n, list);
	if (!tk.n) {
		disp_line(1, tk.state[0] ? DC_BAD : DC_DIM, 0,
			  tk.state[0] ? tk.state : tk.listed ? "no tasks yet; the rules make them from alerts" :
			  "loading tasks...");
		disp_clear_from(2);
		tn_buf_release(&b);
		return;
	}
	for (size_t i = tk.top; i < tk.n && y <= list; i++) {
		static const enum dcol sevc[] = { DC_SEV_BLUE, DC_SEV_YELLOW, DC_SEV_ORANGE, DC_SEV_RED };
		const char *sv = tn_jv_str(tk.v[i].task, "severity");
		int sev = sv ? tn_severity_parse(sv) : TN_SEV_NONE;
		int open = tn_task_open(tn_jv_str_or(tk.v[i].task, "status", ""));

		tn_buf_reset(&b);
		tn_task_format_row(&b, tk.v[i].task, cols, 0);
		disp_line(y++, !open ? DC_DIM : sev >= 0 ? sevc[sev] : DC_NORMAL,
			  i == tk.cur ? DA_REVERSE : 0, b.buf);
	}
	disp_clear_from(y);
	tn_buf_release(&b);
}

static void tasks_status(struct tn_buf *b)
{
	size_t open = 0;

	for (size_t i = 0; i < tk.n; i++)
		open += tn_task_open(tn_jv_str_or(tk.v[i].task, "status", "")) != 0;
	tn_buf_addf(b, "tasks: %zu · %zu open%s", tk.n, open, tk.more ? " · newest shown" : "");
	if (tk.state[0])
		tn_buf_addf(b, " · %s", tk.state);
	else if (alerts_live())
		tn_buf_adds(b, " · live");
	else
		tn_buf_adds(b, " · R reloads");
}

static int tasks_key(enum act a, int key)
{
	struct trow *r = tk.cur < tk.n ? &tk.v[tk.cur] : NULL;

	(void)key;
	if (list_move(a, &tk.cur, tk.n, tk.height))
		return 1;
	if (a == ACT_REFRESH) {
		tasks_reload();
		app_msg(0, "reloading tasks");
		return 1;
	}
	if (a == ACT_OPEN) {
		if (r)
			task_detail_open(r->task);
		return 1;
	}
	if (task_act_action(a)) {
		if (r)
			task_action(a, r->task);
		return 1;
	}
	return 0;
}

const struct view tasks_view = {
	"tasks", V_TASKS, tasks_draw, tasks_status, tasks_key, NULL
};
