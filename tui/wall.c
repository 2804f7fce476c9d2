/* wall.c — the wall view: the city's vital signs (GET /v1/vitals) in big block digits, coloured by level, with trend arrows; read again on each stream event and every 10 s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casedesk.h"
#include "display.h"
#include "tn_buf.h"
#include "tn_jv.h"
#include "tn_out.h"

#define PANEL_W 64              /* the narrowest column of panels */
#define PANEL_H(s) (2 + 5 * (s)) /* name line, five rows of digits (times the scale), a blank */

static struct {
	jv vitals;              /* the last answer, jv_null() before */
	struct live lv;
	size_t top;             /* the first panel shown */
	int per_page;
	char state[256];
} wl;

/* A 3x5 font: each digit five rows of three cells, '#' a block. */
static const char *const font[12][5] = {
	{ "###", "# #", "# #", "# #", "###" }, { "## ", " # ", " # ", " # ", "###" },
	{ "###", "  #", "###", "#  ", "###" }, { "###", "  #", "###", "  #", "###" },
	{ "# #", "# #", "###", "  #", "  #" }, { "###", "#  ", "###", "  #", "###" },
	{ "###", "#  ", "###", "# #", "###" }, { "###", "  #", "  #", "  #", "  #" },
	{ "###", "# #", "###", "# #", "###" }, { "###", "# #", "###", "  #", "###" },
	{ "   ", "   ", "###", "   ", "   " },  /* '-' */
	{ "   ", "   ", "   ", "   ", "   " },  /* anything else */
};

void wall_digits(struct tn_buf *b, const char *text, int row, int scale)
{
	if (scale < 1)
		scale = 1;
	for (const char *p = text; *p; p++) {
		int g = *p >= '0' && *p <= '9' ? *p - '0' : *p == '-' ? 10 : 11;

		for (const char *c = font[g][row / scale]; *c; c++)
			for (int k = 0; k < scale; k++)
				tn_buf_adds(b, *c == '#' ? "\xe2\x96\x88" : " ");     /* U+2588 █ */
		if (p[1])
			tn_buf_addf(b, "%*s", scale, "");
	}
}

const char *wall_level_word(const char *level)
{
	if (!level)
		return "-- 未测";
	if (!strcmp(level, "green"))
		return "绿 green";
	if (!strcmp(level, "yellow"))
		return "黄 yellow";
	if (!strcmp(level, "red"))
		return "红 red";
	return level;
}

int wall_level_color(const char *level)
{
	if (!level)
		return DC_DIM;
	if (!strcmp(level, "green"))
		return DC_OK;
	if (!strcmp(level, "yellow"))
		return DC_SEV_YELLOW;
	if (!strcmp(level, "red"))
		return DC_SEV_RED;
	return DC_NORMAL;
}

const char *wall_trend_arrow(const char *trend)
{
	if (!trend)
		return "";
	if (!strcmp(trend, "up"))
		return "↑";
	if (!strcmp(trend, "down"))
		return "↓";
	return "→";
}

static void on_vitals(void *ctx, long tag, const struct tn_async_result *r)
{
	(void)ctx;
	(void)tag;
	wl.lv.pending = 0;
	if (r->status != 200 || jv_get_kind(r->body) != JV_KIND_OBJECT) {
		const char *detail = jv_get_kind(r->body) == JV_KIND_OBJECT ? tn_jv_str(r->body, "detail") : NULL;

		snprintf(wl.state, sizeof(wl.state), "cannot read the vital signs: %s",
			 detail ? detail : r->error ? r->error : "no answer");
		app.dirty = 1;
		return;
	}
	wl.state[0] = '\0';
	jv_free(wl.vitals);
	wl.vitals = jv_copy(r->body);
	app.dirty = 1;
}

int live_due(const struct live *l, const struct view *v)
{
	long long now = app_now_ms();

	if (!l->asked || l->pending || app_top() != v)
		return 0;
	/* a burst of events is one request a second; without any, every 10 s */
	return (l->want && now - l->sent_ms >= 1000) || now - l->sent_ms >= 10000;
}

void live_sent(struct live *l)
{
	l->asked = 1;
	l->pending = 1;
	l->want = 0;
	l->sent_ms = app_now_ms();
}

static void ask(void)
{
	live_sent(&wl.lv);
	net_request("GET", "/v1/vitals", jv_invalid(), 0, on_vitals, NULL, 0);
}

void wall_open(void)
{
	if (!wl.lv.asked)
		wl.vitals = jv_null();
	app_push(&wall_view);
	if (!wl.lv.pending)
		ask();
}

void wall_stream_event(void)
{
	wl.lv.want = 1;
}

void wall_tick(void)
{
	if (live_due(&wl.lv, &wall_view))
		ask();
}

void wall_done(void)
{
	if (wl.lv.asked)
		jv_free(wl.vitals);
	memset(&wl, 0, sizeof(wl));
}

/* One indicator's panel at row y, column x, `w` columns wide. */
static void panel(jv ind, int y, int x, int w, int scale)
{
	struct tn_buf b = TN_BUF_INIT, line = TN_BUF_INIT;
	const char *level = tn_jv_str(ind, "level"), *trend = tn_jv_str(ind, "trend");
	jv value = jv_object_get(jv_copy(ind), jv_string("value"));
	jv before = jv_object_get(jv_copy(ind), jv_string("before"));
	enum dcol c = (enum dcol)wall_level_color(level);
	char num[32];

	if (jv_get_kind(value) == JV_KIND_NUMBER)
		snprintf(num, sizeof(num), "%.0f", jv_number_value(value));
	else
		snprintf(num, sizeof(num), "--");
	tn_buf_addf(&b, "%s  %s", tn_jv_str_or(ind, "name", tn_jv_str_or(ind, "id", "?")), wall_level_word(level));
	if (trend) {
		tn_buf_addf(&b, " %s", wall_trend_arrow(trend));
		if (jv_get_kind(before) == JV_KIND_NUMBER)
			tn_buf_addf(&b, " %s前 %.0f", !strcmp(tn_jv_str_or(ind, "period", "1h"), "1d") ? "昨日" : "1小时",
				    jv_number_value(before));
	}
	tn_fit_width(&line, b.buf, w - 1, 0);
	disp_put(y, x, c, DA_BOLD, line.buf);
	for (int row = 0; row < 5 * scale; row++) {
		tn_buf_reset(&b);
		tn_buf_adds(&b, "  ");
		wall_digits(&b, num, row, scale);
		if (row == 5 * scale / 2 && trend && *wall_trend_arrow(trend))
			tn_buf_addf(&b, "   %s", wall_trend_arrow(trend));
		tn_buf_reset(&line);
		tn_fit_width(&line, b.buf, w - 1, 0);
		disp_put(y + 1 + row, x, c, 0, line.buf);
	}
	jv_free(value);
	jv_free(before);
	tn_buf_release(&b);
	tn_buf_release(&line);
}

static void wall_draw(int rows, int cols)
{
	jv inds;
	int n, ncol = cols / PANEL_W, nrow, pw, scale = 3;
	const char *level;
	struct tn_buf b = TN_BUF_INIT;

	for (int y = 0; y < rows; y++)
		disp_clear_line(y);
	if (jv_get_kind(wl.vitals) != JV_KIND_OBJECT) {
		disp_line(0, DC_TITLE, DA_BOLD, "城市生命体征 vital signs");
		disp_line(1, wl.state[0] ? DC_BAD : DC_DIM, 0, wl.state[0] ? wl.state : "loading the vital signs...");
		return;
	}
	if (ncol < 1)
		ncol = 1;
	pw = cols / ncol;
	level = tn_jv_str(wl.vitals, "level");
	inds = tn_jv_array(wl.vitals, "indicators");
	n = jv_array_length(jv_copy(inds));
	/* the digits as large as the screen holds them all: three, two or one cell a dot */
	while (scale > 1 && ((n + ncol - 1) / ncol * PANEL_H(scale) > rows - 1 || 2 + 6 * (3 * scale + 1) > pw))
		scale--;
	nrow = (rows - 1) / PANEL_H(scale);
	if (nrow < 1)
		nrow = 1;
	wl.per_page = ncol * nrow;
	if (wl.top >= (size_t)n)
		wl.top = n > 0 ? (size_t)n - 1 : 0;
	tn_buf_addf(&b, "城市生命体征 vital signs · 总体 %s · %s", wall_level_word(level),
		    tn_jv_str_or(wl.vitals, "as_of", ""));
	if (n > wl.per_page)
		tn_buf_addf(&b, " · %zu-%zu of %d (j k)", wl.top + 1,
			    wl.top + (size_t)wl.per_page < (size_t)n ? wl.top + (size_t)wl.per_page : (size_t)n, n);
	disp_line(0, (enum dcol)wall_level_color(level), DA_BOLD | DA_REVERSE, b.buf);
	for (int k = 0; k < wl.per_page && wl.top + (size_t)k < (size_t)n; k++) {
		jv ind = jv_array_get(jv_copy(inds), (int)wl.top + k);

		/* row by row: the first ncol indicators on the top row */
		panel(ind, 1 + (k / ncol) * PANEL_H(scale), (k % ncol) * pw, pw, scale);
		jv_free(ind);
	}
	if (wl.state[0])
		disp_line(rows - 1, DC_BAD, 0, wl.state);
	jv_free(inds);
	tn_buf_release(&b);
}

static void wall_status(struct tn_buf *b)
{
	tn_buf_adds(b, "wall 大屏");
	if (wl.state[0])
		tn_buf_addf(b, " · %s", wl.state);
	else if (alerts_live())
		tn_buf_adds(b, " · live");
	else
		tn_buf_adds(b, " · every 10 s");
}

static int wall_key(enum act a, int key)
{
	size_t n = jv_get_kind(wl.vitals) == JV_KIND_OBJECT ?
		(size_t)jv_array_length(tn_jv_array(wl.vitals, "indicators")) : 0;

	(void)key;
	if (a == ACT_REFRESH) {
		if (!wl.lv.pending)
			ask();
		app_msg(0, "reading the vital signs again");
		return 1;
	}
	if (a == ACT_DOWN || a == ACT_PGDN) {
		if (wl.top + (size_t)wl.per_page < n)
			wl.top += a == ACT_DOWN ? 1 : (size_t)wl.per_page;
		return 1;
	}
	if (a == ACT_UP || a == ACT_PGUP) {
		size_t step = a == ACT_UP ? 1 : (size_t)wl.per_page;
		wl.top = wl.top > step ? wl.top - step : 0;
		return 1;
	}
	if (a == ACT_FIRST) {
		wl.top = 0;
		return 1;
	}
	return 0;
}

const struct view wall_view = {
	"wall", V_WALL, wall_draw, wall_status, wall_key, NULL
};
