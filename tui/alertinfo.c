/* alertinfo.c — the alert detail pane: every member of an alert and its history, asked again of the server (GET /v1/alerts/{id}). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casedesk.h"
#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_jv.h"
#include "tn_out.h"

/* The loop's statuses and steps, with their Chinese labels (lib/tn_alert.h, doc/api-alerts.md). */
static const struct {
	const char *status, *status_label;
	const char *step, *step_label;          /* the step that leads to the status */
	const char *at;                         /* the member holding its time */
	const char *with, *with_label;          /* the member it sets, or NULL */
} loop[] = {
#define LOOP_ROW(st, stl, sp, spl, at, w, wl) { st, stl, sp, spl, at, w, wl },
	TN_ALERT_STATES(LOOP_ROW)
#undef LOOP_ROW
};

#define NLOOP (sizeof(loop) / sizeof(loop[0]))

static const char *const sev_labels[] = { "蓝色", "黄色", "橙色", "红色" };

static const char *status_label(const char *status)
{
	return tn_alert_status_label(status);
}

/* Every step's label, reopen too. */
static const char *step_label(const char *step)
{
	return tn_alert_step_label(step);
}

/* "NAME  VALUE\n", the name padded to 16 columns (Chinese is two a character). */
static void field(struct tn_buf *b, const char *name, const char *value)
{
	tn_fit_width(b, name, 16, 1);
	tn_buf_addf(b, " %s\n", value);
}

/* The same for a member when it is there (any kind; a string as it is). */
static void member(struct tn_buf *b, jv alert, const char *path, const char *name)
{
	char *t = tn_cell_text(alert, path);

	if (t && *t)
		field(b, name, t);
	free(t);
}

/* The loop's row of `step` (-1 for none: a producer's update). */
static int step_index(const char *step)
{
	for (size_t i = 0; step && i < NLOOP; i++)
		if (!strcmp(loop[i].step, step))
			return (int)i;
	return -1;
}

/* "  AT  STEP LABEL  WITH_LABEL VALUE" of one step; the value from the alert. */
static void step_line(struct tn_buf *b, jv alert, const char *at, const char *step)
{
	int i = step_index(step);
	const char *with = i >= 0 && loop[i].with ? tn_jv_str(alert, loop[i].with) : NULL;

	tn_buf_addf(b, "  %s  %s %s", at ? at : "", step ? step : "", step_label(step));
	if (with)
		tn_buf_addf(b, "  %s %s", loop[i].with_label, with);
}

/*
 * The history the server gives with the alert (GET /v1/alerts/{id}
 * "history": [{at, action, actor, comment}]): each step with who did it and
 * its comment; else (an older server) the loop's steps read from the
 * alert's own times, without who did each.
 */
static void history(struct tn_buf *b, jv alert)
{
	jv h = tn_jv_array(alert, "history");
	int n = jv_array_length(jv_copy(h));

	tn_buf_adds(b, "\nHistory 处置记录\n");
	for (int i = 0; i < n; i++) {
		jv e = jv_array_get(jv_copy(h), i);
		const char *act = tn_jv_str(e, "action"), *who = tn_jv_str(e, "actor");
		const char *with = NULL;
		char *note = tn_cell_text(e, "comment");
		int k = step_index(act);

		if (k >= 0 && loop[k].with)
			with = tn_jv_str(alert, loop[k].with);
		step_line(b, alert, tn_jv_str(e, "at"), act);
		if (who && *who && !(with && !strcmp(with, who)))
			tn_buf_addf(b, "  by %s", who);
		if (note && *note)
			tn_buf_addf(b, "  %s", note);
		tn_buf_addch(b, '\n');
		free(note);
		jv_free(e);
	}
	jv_free(h);
	if (n)
		return;
	for (size_t i = 0; i < NLOOP; i++) {
		const char *at = tn_jv_str(alert, loop[i].at);

		if (!at)
			continue;
		step_line(b, alert, at, loop[i].step);
		tn_buf_addch(b, '\n');
	}
}

void alert_detail_text(struct tn_buf *b, jv alert)
{
	const char *sev = tn_jv_str(alert, "severity");
	const char *status = tn_jv_str(alert, "status");
	enum tn_severity s = sev ? tn_severity_parse(sev) : TN_SEV_NONE;
	char *head = tn_cell_text(alert, "headline");
	char both[64];

	tn_buf_addf(b, "%s\n\n", head && *head ? head : "(no headline)");
	free(head);
	snprintf(both, sizeof(both), "%s %s", sev ? sev : "", s >= 0 ? sev_labels[s] : "");
	field(b, "severity 等级", both);
	snprintf(both, sizeof(both), "%s %s", status ? status : "", status_label(status));
	field(b, "status 状态", both);
	member(b, alert, "district_name", "district 区");
	member(b, alert, "kind", "kind 类型");
	member(b, alert, "location.address", "address 地址");
	member(b, alert, "value", "value 数值");
	member(b, alert, "threshold", "threshold 阈值");
	member(b, alert, "unit", "unit 单位");
	member(b, alert, "source", "source 来源");
	member(b, alert, "source_id", "source id");
	member(b, alert, "crew", "crew 队伍");
	member(b, alert, "evaluation", "evaluation 评价");
	member(b, alert, "text", "text 详情");
	history(b, alert);
}

static void title_of(struct tn_buf *t, long long id)
{
	tn_buf_addf(t, "alert #%lld · detail and history 告警详情", id);
}

static void on_alert(void *ctx, long tag, const struct tn_async_result *r)
{
	struct tn_buf t = TN_BUF_INIT, b = TN_BUF_INIT;

	(void)ctx;
	if (r->status == 200 && jv_get_kind(r->body) == JV_KIND_OBJECT) {
		title_of(&t, tn_alert_ll(r->body, "id"));
		alert_detail_text(&b, r->body);
	} else {
		tn_buf_addf(&t, "alert #%ld", tag);
		tn_buf_addf(&b, "cannot load alert #%ld: %s\n", tag, r->error ? r->error : "no answer");
	}
	pager_update(tag, t.buf, b.buf);
	tn_buf_release(&t);
	tn_buf_release(&b);
}

void alert_detail_open(jv alert)
{
	struct tn_buf t = TN_BUF_INIT, b = TN_BUF_INIT;
	long long id = tn_alert_ll(alert, "id");
	char path[64];

	if (id < 1)
		return;
	title_of(&t, id);
	alert_detail_text(&b, alert);
	pager_open(t.buf, b.buf, (long)id);
	snprintf(path, sizeof(path), "/v1/alerts/%lld", id);
	net_request("GET", path, jv_invalid(), 0, on_alert, NULL, (long)id);
	tn_buf_release(&t);
	tn_buf_release(&b);
}
