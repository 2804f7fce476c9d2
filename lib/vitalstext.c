/* vitalstext.c — the vital signs for people: one line per indicator (cron, a status bar) and a table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_jv.h"
#include "tn_out.h"
#include "tn_vitals.h"

#define COL_NAME 16
#define COL_VALUE 8
#define COL_LEVEL 7

static const char *level_color(const char *level)
{
	if (!level)
		return "\033[2m";
	if (strcmp(level, "red") == 0)
		return "\033[1;31m";
	if (strcmp(level, "yellow") == 0)
		return "\033[33m";
	return "\033[32m";
}

/* The trend's arrow: ▲ up, ▼ down, = flat, "" when unknown. */
static const char *arrow(const char *trend)
{
	if (!trend)
		return "";
	return strcmp(trend, "up") == 0 ? "▲" : strcmp(trend, "down") == 0 ? "▼" : "=";
}

/* The value's text ("-" when not measured) into buf. */
static const char *value_text(jv ind, char *buf, size_t size)
{
	long v = tn_jv_long(ind, "value", -1);

	if (v < 0)
		return "-";
	snprintf(buf, size, "%ld", v);
	return buf;
}

void tn_vitals_format_line(struct tn_buf *b, jv ind, int color)
{
	const char *level = tn_jv_str(ind, "level"), *trend = tn_jv_str(ind, "trend");
	char buf[32];

	tn_buf_addf(b, "%s %s", tn_jv_str_or(ind, "name", "?"), value_text(ind, buf, sizeof(buf)));
	if (trend)
		tn_buf_addf(b, " %s", arrow(trend));
	tn_buf_addf(b, " %s%s%s", color ? level_color(level) : "", level ? level : "unknown",
		    color ? "\033[0m" : "");
}

void tn_vitals_table_header(struct tn_buf *b, int width)
{
	struct tn_buf line = TN_BUF_INIT;

	tn_fit_width(&line, "指标", COL_NAME, 1);
	tn_buf_addch(&line, ' ');
	tn_buf_addf(&line, "%*s ", COL_VALUE, "当前");
	tn_fit_width(&line, "趋势", 6, 1);
	tn_buf_addch(&line, ' ');
	tn_fit_width(&line, "状态", COL_LEVEL, 1);
	tn_buf_adds(&line, " 阈值(黄/红)");
	tn_fit_width(b, line.buf, width > 0 ? width : 1 << 20, 0);
	tn_buf_release(&line);
}

void tn_vitals_format_row(struct tn_buf *b, jv ind, int width, int color)
{
	const char *level = tn_jv_str(ind, "level"), *trend = tn_jv_str(ind, "trend");
	const char *note = tn_jv_str(ind, "note");
	jv th = tn_jv_object(ind, "thresholds");
	struct tn_buf line = TN_BUF_INIT, cell = TN_BUF_INIT;
	char buf[32];
	long before = tn_jv_long(ind, "before", -1);

	tn_fit_width(&line, tn_jv_str_or(ind, "name", "?"), COL_NAME, 1);
	tn_buf_addf(&line, " %*s ", COL_VALUE, value_text(ind, buf, sizeof(buf)));
	if (trend && strcmp(trend, "flat") == 0)
		tn_buf_adds(&cell, arrow(trend));
	else if (trend)
		tn_buf_addf(&cell, "%s%+ld", arrow(trend), tn_jv_long(ind, "value", 0) - before);
	tn_fit_width(&line, cell.buf, 6, 1);
	tn_buf_addch(&line, ' ');
	if (color)
		tn_buf_adds(&line, level_color(level));
	tn_fit_width(&line, level ? level : "unknown", COL_LEVEL, 1);
	if (color)
		tn_buf_adds(&line, "\033[0m");
	tn_buf_reset(&cell);
	{
		char *y = tn_cell_text(th, "yellow"), *r = tn_cell_text(th, "red");

		tn_buf_addf(&cell, "%s/%s", y, r);
		free(y);
		free(r);
	}
	tn_buf_addch(&line, ' ');
	tn_fit_width(&line, cell.buf, 12, note != NULL);
	if (note)
		tn_buf_addf(&line, " %s", note);
	/* the colour codes take no columns: fit the text only when there are none */
	if (width > 0 && !color)
		tn_fit_width(b, line.buf, width, 0);
	else
		tn_buf_adds(b, line.buf);
	tn_buf_release(&cell);
	tn_buf_release(&line);
	jv_free(th);
}
