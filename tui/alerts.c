/* alerts.c — the alerts view: the live stream (tn_follow on our curl multi), coloured by severity, and the loop's actions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casedesk.h"
#include "tn_json.h"
#include "display.h"
#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_follow.h"
#include "tn_jv.h"
#include "tn_out.h"

#define MAX_ALERTS 5000

struct arow {
	long long id;
	int sev;
	jv alert;
};

static struct {
	struct tn_follow *f;
	struct tn_follow_opts opts;
	int connected;
	CURL *h;                /* the follower's connection while connected */
	int finished;
	char state[256];        /* why the stream stopped, or "" */
	struct arow *v;         /* oldest first */
	size_t n;
	long red;
	size_t cur, top;        /* over the rows shown, newest first */
	int height;
	char *needle;
	long long act_id;       /* the alert an action waits for */
	const char *act;
	int listed;             /* the first list arrived */
	int started;            /* alerts_start was called */
} al;

static void put_alert(jv a, int live, const char *event)
{
	long long id = tn_alert_ll(a, "id");
	const char *sv = tn_jv_str(a, "severity");
	int sev = sv ? tn_severity_parse(sv) : TN_SEV_NONE;
	size_t i;

	for (i = 0; i < al.n; i++)
		if (al.v[i].id == id)
			break;
	if (i < al.n) {
		jv_free(al.v[i].alert);
		al.v[i].alert = a;
		al.v[i].sev = sev;
	} else {
		if (al.n == MAX_ALERTS) {
			al.red -= al.v[0].sev == TN_SEV_RED;
			jv_free(al.v[0].alert);
			memmove(al.v, al.v + 1, (al.n - 1) * sizeof(*al.v));
			al.n--;
		}
		if (!(al.n & 63))
			al.v = tn_xrealloc(al.v, (al.n + 64) * sizeof(*al.v));
		al.v[al.n].id = id;
		al.v[al.n].sev = sev;
		al.v[al.n].alert = a;
		al.n++;
		al.red += sev == TN_SEV_RED;
		if (al.cur && app_top() == &alerts_view)
			al.cur++;       /* keep the cursor on the same alert */
	}
	if (live && sev == TN_SEV_RED && event && !strcmp(event, "alert")) {
		char *h = tn_cell_text(al.v[i < al.n ? i : al.n - 1].alert, "headline");
		char *d = tn_cell_text(al.v[i < al.n ? i : al.n - 1].alert, "district_name");
		char text[256];
		snprintf(text, sizeof(text), "RED ALERT #%lld %s %s", id, d, h);
		app_flash(text);
		free(h);
		free(d);
	}
	app.dirty = 1;
}

static int on_event(void *ctx, const struct tn_follow_event *ev, struct tn_err *err)
{
	jv a = tn_json_parse(ev->data, ev->data_len);

	(void)ctx;
	(void)err;
	wall_stream_event();    /* the wall and the map read again */
	map_stream_event();
	if (jv_get_kind(a) != JV_KIND_OBJECT) {
		jv_free(a);
		return 0;
	}
	if (ev->name && !strcmp(ev->name, "task")) {
		tasks_put(a, 1);        /* the tasks view's (tasks=true) */
		return 0;
	}
	put_alert(a, 1, ev->name);
	return 0;
}

/*
 * Follow the stream from `after` (-1: from now).  alerts_tick connects.
 */
static void follow_from(long long after)
{
	if (al.f)
		return;
	memset(&al.opts, 0, sizeof(al.opts));
	al.opts.cfg = &app.cfg;
	al.opts.after = after;
	al.opts.tail = -1;
	al.opts.retry_max = -1;
	al.opts.tasks = 1;              /* the task events too, for the tasks view */
	al.f = tn_follow_new(&al.opts, on_event, NULL);
	app.dirty = 1;
}

static void on_list(void *ctx, long tag, const struct tn_async_result *r)
{
	jv items;
	int n;
	long long last = 0;

	(void)ctx;
	(void)tag;
	if (r->status != 200) {
		snprintf(al.state, sizeof(al.state), "cannot list alerts: %s",
			 r->error ? r->error : "no answer");
		app.dirty = 1;
		follow_from(-1);
		return;
	}
	al.listed = 1;
	items = tn_jv_array(r->body, "items");
	n = jv_array_length(jv_copy(items));
	/* newest first in the answer: add the oldest first */
	for (int i = n - 1; i >= 0; i--) {
		jv a = jv_array_get(jv_copy(items), i);
		long long id = tn_alert_ll(a, "id"), seq = tn_alert_ll(a, "seq");

		if (id > last)
			last = id;
		if (seq > last)
			last = seq;
		put_alert(a, 0, NULL);
	}
	jv_free(items);
	/*
	 * The stream goes on from the newest event the list holds: an alert raised
	 * between the list and the stream's start is not lost (from "now" it was).
	 * An empty list means no alert and so no event yet: from the beginning.
	 */
	follow_from(last);
}

void alerts_start(void)
{
	if (al.started)
		return;
	al.started = 1;
	/* the stream starts when the list is in (on_list) */
	net_request("GET", "/v1/alerts?order=-id&limit=200", jv_invalid(), 0, on_list, NULL, 0);
}

static void on_follow_done(void *ctx, CURL *h, CURLcode rc)
{
	struct tn_err err = TN_ERR_INIT;
	enum tn_code code;

	(void)ctx;
	(void)h;
	al.connected = 0;
	code = tn_follow_done(al.f, rc, &err);
	if (code != TN_OK) {
		al.finished = 1;
		if (code == TN_EAUTH)
			snprintf(al.state, sizeof(al.state), "the alert stream is for operators: %s",
				 err.message);
		else if (code == TN_ENOTFOUND)
			snprintf(al.state, sizeof(al.state), "this server has no alert stream");
		else
			snprintf(al.state, sizeof(al.state), "alert stream stopped: %s",
				 err.message[0] ? err.message : tn_code_str(code));
	}
	app.dirty = 1;
}

void alerts_tick(void)
{
	long w;

	if (!al.f || al.connected || al.finished)
		return;
	w = tn_follow_wait_ms(al.f);
	if (w < 0) {
		al.finished = 1;
		return;
	}
	if (w == 0) {
		al.h = tn_follow_connect(al.f);
		net_add_easy(al.h, on_follow_done, NULL);
		al.connected = 1;
	}
}

int alerts_live(void)
{
	return al.connected && !al.finished;
}

void alerts_done(void)
{
	if (al.f) {
		if (al.connected)
			net_remove_easy(al.h);
		tn_follow_free(al.f);
	}
	al.f = NULL;
	for (size_t i = 0; i < al.n; i++)
		jv_free(al.v[i].alert);
	free(al.v);
	al.v = NULL;
	al.n = 0;
	free(al.needle);
	al.needle = NULL;
}

/* ---- the view ---- */

static int shown(const struct arow *a, int width)
{
	struct tn_buf b = TN_BUF_INIT;
	int ok;

	if (!al.needle)
		return 1;
	tn_alert_format_row(&b, a->alert, width, 0);
	ok = strcasestr(b.buf, al.needle) != NULL;
	tn_buf_release(&b);
	return ok;
}

/* The alert at display position `pos` (newest first, filtered), or NULL. */
static struct arow *at(size_t pos, int width)
{
	size_t k = 0;

	for (size_t i = al.n; i-- > 0;)
		if (shown(&al.v[i], width)) {
			if (k == pos)
				return &al.v[i];
			k++;
		}
	return NULL;
}

static size_t count_shown(int width)
{
	size_t k = 0;

	for (size_t i = 0; i < al.n; i++)
		k += shown(&al.v[i], width) != 0;
	return k;
}

static int last_width = 80;

static void alerts_draw(int rows, int cols)
{
	struct tn_buf b = TN_BUF_INIT;
	size_t nshown = count_shown(cols), k = 0;
	int list = rows - 1, y = 1;

	last_width = cols;
	al.height = list;
	tn_alert_table_header(&b, cols);
	disp_line(0, DC_HEADER, 0, b.buf);
	list_fit(&al.cur, &al.top, nshown, list);
	if (!al.n) {
		disp_line(1, al.state[0] ? DC_BAD : DC_DIM, 0,
			  al.state[0] ? al.state : al.listed ? "no alerts yet; new ones appear here" :
			  "loading alerts...");
		disp_clear_from(2);
		tn_buf_release(&b);
		return;
	}
	for (size_t i = al.n; i-- > 0 && y <= list;) {
		if (!shown(&al.v[i], cols))
			continue;
		if (k >= al.top) {
			static const enum dcol sevc[] = { DC_SEV_BLUE, DC_SEV_YELLOW, DC_SEV_ORANGE, DC_SEV_RED };
			tn_buf_reset(&b);
			tn_alert_format_row(&b, al.v[i].alert, cols, 0);
			disp_line(y++, al.v[i].sev >= 0 ? sevc[al.v[i].sev] : DC_NORMAL,
				  k == al.cur ? DA_REVERSE : 0, b.buf);
		}
		k++;
	}
	disp_clear_from(y);
	tn_buf_release(&b);
}

static void alerts_status(struct tn_buf *b)
{
	tn_buf_addf(b, "alerts: %zu · %ld red", al.n, al.red);
	if (al.needle)
		tn_buf_addf(b, " · /%s", al.needle);
	if (al.state[0])
		tn_buf_addf(b, " · %s", al.state);
	else if (al.connected)
		tn_buf_adds(b, " · live");
	else if (al.f)
		tn_buf_adds(b, " · reconnecting");
	else if (al.started)
		tn_buf_adds(b, " · loading");
}

static void on_acted(void *ctx, long tag, const struct tn_async_result *r)
{
	(void)ctx;
	if (r->status == 200 && jv_get_kind(r->body) == JV_KIND_OBJECT) {
		put_alert(jv_copy(r->body), 0, NULL);
		app_msg(0, "alert #%ld: %s done", tag, al.act ? al.act : "action");
	} else {
		app_msg(1, "alert #%ld: %s", tag, r->error ? r->error : "no answer");
	}
}

static void send_act(const char *action, const char *member, const char *value)
{
	char path[64];
	jv body = jv_object_set(jv_object(), jv_string("action"), jv_string(action));

	if (member && value)
		body = jv_object_set(body, jv_string(member), jv_string(value));
	snprintf(path, sizeof(path), "/v1/alerts/%lld/actions", al.act_id);
	al.act = action;
	net_request("POST", path, body, 0, on_acted, NULL, (long)al.act_id);
}

static void on_crew(const char *line)
{
	if (line)
		send_act("dispatch", "crew", line);
	else
		app_msg(0, "dispatch cancelled: nothing sent");
}

static void on_evaluation(const char *line)
{
	if (line)
		send_act("close", "evaluation", line);
	else
		app_msg(0, "close cancelled: nothing sent");
}

static void confirmed(void *ctx)
{
	send_act(ctx, NULL, NULL);
}

static void on_filter(const char *line)
{
	free(al.needle);
	al.needle = line && *line ? tn_xstrdup(line) : NULL;
	al.cur = al.top = 0;
}

static void on_filter_done(const char *line)
{
	if (!line)
		on_filter(NULL);
}

static int alerts_key(enum act a, int key)
{
	struct arow *r = at(al.cur, last_width);
	size_t n = count_shown(last_width);

	(void)key;
	if (list_move(a, &al.cur, n, al.height))
		return 1;
	switch (a) {
	case ACT_FILTER:
		edit_start("/", al.needle, on_filter, on_filter_done, NULL);
		return 1;
	case ACT_DISPATCH: case ACT_ACKNOWLEDGE: case ACT_RESOLVE: case ACT_CLOSE:
		if (!r)
			return 1;
		if (app.readonly) {
			app_msg(1, "read-only: casedesk was started with --readonly");
			return 1;
		}
		al.act_id = r->id;
		if (a == ACT_DISPATCH || a == ACT_CLOSE) {
			/* a text to give: the prompt at once (keys_confirm_rule), never blank */
			struct tn_buf p = TN_BUF_INIT;

			tn_buf_addf(&p, "%s #%lld · %s ", keys_act_label(a), r->id,
				    a == ACT_DISPATCH ? "dispatch: crew or truck?" : "close: evaluation?");
			edit_start(p.buf, NULL, NULL, a == ACT_DISPATCH ? on_crew : on_evaluation, NULL);
			edit_require(a == ACT_DISPATCH ?
				     "a crew or truck is needed: type it and press Enter, or Esc to cancel" :
				     "an evaluation is needed: type it and press Enter, or Esc to cancel");
			tn_buf_release(&p);
		} else {
			app_confirm(app.last_key, confirmed,
				    (void *)(a == ACT_ACKNOWLEDGE ? "acknowledge" : "resolve"), 0,
				    "%s %s alert #%lld", keys_act_label(a),
				    a == ACT_ACKNOWLEDGE ? "acknowledge" : "resolve", r->id);
		}
		return 1;
	case ACT_OPEN:
		if (r)
			alert_detail_open(r->alert);
		return 1;
	default:
		return 0;
	}
}

const struct view alerts_view = {
	"alerts", V_ALERTS, alerts_draw, alerts_status, alerts_key, NULL
};
