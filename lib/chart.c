/* chart.c — a bar chart with a percentage line as SVG, for reports (see tn_report.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_jv.h"
#include "tn_out.h"
#include "tn_report.h"

#define H 420.0
#define TOP 70.0
#define BOTTOM 110.0
#define LEFT 70.0
#define RIGHT 70.0
#define SLOT 56.0
#define MIN_W 640.0
#define LABEL_COLS 14
#define FONT "DejaVu Sans, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"
#define BAR_FILL "#4e79a7"
#define LINE_STROKE "#e15759"

/* A round step for about `ticks` gridlines up to `max`: 1, 2 or 5 times a power of ten. */
static double nice_step(double max, int ticks)
{
	double raw = max / ticks, p, f;

	if (raw <= 0)
		return 1;
	p = pow(10, floor(log10(raw)));
	f = raw / p;
	if (f <= 1)
		return p;
	if (f <= 2)
		return 2 * p;
	if (f <= 5)
		return 5 * p;
	return 10 * p;
}

/* A number without needless decimals ("12", "2.5"). */
static void add_num(struct tn_buf *b, double v)
{
	if (fabs(v - round(v)) < 1e-9)
		tn_buf_addf(b, "%.0f", v);
	else
		tn_buf_addf(b, "%.1f", v);
}

void tn_svg_text(struct tn_buf *b, double x, double y, const char *anchor, const char *cls,
		 const char *s)
{
	tn_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">", x, y,
		    anchor, cls);
	tn_xml_escape(b, s);
	tn_buf_adds(b, "</text>\n");
}

void tn_chart_svg(struct tn_buf *out, const struct tn_chart *c, int standalone)
{
	size_t n = c->n;
	double w = LEFT + RIGHT + SLOT * (double)n, x0 = LEFT, y0 = TOP, y1 = H - BOTTOM;
	double max = 0, step, top, ph = y1 - y0;
	int rotate = n > 8, pen = 0;
	char buf[64];

	if (w < MIN_W)
		w = MIN_W;
	for (size_t i = 0; i < n; i++)
		if (c->bars[i] > max)
			max = c->bars[i];
	step = nice_step(max > 0 ? max : 1, 5);
	if (step < 1)            /* counts: whole numbers on the axis */
		step = 1;
	top = ceil((max > 0 ? max : 1) / step) * step;
	double slot = (w - LEFT - RIGHT) / (double)(n ? n : 1), x1 = w - RIGHT;

	if (standalone)
		tn_buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	tn_buf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		    "viewBox=\"0 0 %.0f %.0f\" font-family=\"%s\" font-size=\"12\">\n",
		    w, H, w, H, FONT);
	tn_buf_adds(out, "<style>.title{font-size:17px;font-weight:bold}.sub{fill:#555}"
		    ".axis{fill:#555;font-size:11px}.value{font-size:11px;fill:#222}"
		    ".rate{font-size:10px;fill:" LINE_STROKE ";stroke:#fff;stroke-width:3px;paint-order:stroke}.label{font-size:11px}"
		    ".grid{stroke:#ddd;stroke-width:1}.frame{stroke:#888;stroke-width:1}"
		    "</style>\n");
	tn_buf_addf(out, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>\n",
		    w, H);
	tn_svg_text(out, w / 2, 26, "middle", "title", c->title ? c->title : "");
	if (c->subtitle)
		tn_svg_text(out, w / 2, 46, "middle", "sub", c->subtitle);

	/* gridlines and the left axis (counts) */
	for (double v = 0; v <= top + step / 2; v += step) {
		double y = y1 - ph * v / top;
		struct tn_buf t = TN_BUF_INIT;

		tn_buf_addf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
			    x0, y, x1, y);
		add_num(&t, v);
		tn_svg_text(out, x0 - 6, y + 4, "end", "axis", t.buf);
		tn_buf_release(&t);
	}
	/* the right axis (percent) */
	if (c->line_label) {
		for (int p = 0; p <= 100; p += 20) {
			snprintf(buf, sizeof(buf), "%d%%", p);
			tn_svg_text(out, x1 + 6, y1 - ph * p / 100.0 + 4, "start", "axis", buf);
		}
	}
	tn_buf_addf(out, "<line class=\"frame\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
		    x0, y1, x1, y1);
	if (n == 0)
		tn_svg_text(out, (x0 + x1) / 2, (y0 + y1) / 2, "middle", "sub",
		     c->empty ? c->empty : "no data in this period");

	/* the bars, a value above each, a label below */
	for (size_t i = 0; i < n; i++) {
		double bw = slot * 0.6 > 90 ? 90 : slot * 0.6, cx = x0 + slot * ((double)i + 0.5);
		double bh = c->bars[i] > 0 ? ph * c->bars[i] / top : 0;
		struct tn_buf t = TN_BUF_INIT, lab = TN_BUF_INIT;

		tn_buf_addf(out, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"%.1f\" fill=\"" BAR_FILL "\"><title>", cx - bw / 2, y1 - bh, bw, bh);
		tn_xml_escape(out, c->labels[i] ? c->labels[i] : "-");
		tn_buf_adds(out, ": ");
		add_num(out, c->bars[i]);
		tn_buf_adds(out, "</title></rect>\n");
		add_num(&t, c->bars[i]);
		tn_svg_text(out, cx, y1 - bh - 4, "middle", "value", t.buf);
		tn_fit_width(&lab, c->labels[i] ? c->labels[i] : "-", LABEL_COLS, 0);
		if (rotate) {
			tn_buf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" class=\"label\" "
				    "transform=\"rotate(-40 %.1f %.1f)\">", cx, y1 + 14, cx, y1 + 14);
			tn_xml_escape(out, lab.buf);
			tn_buf_adds(out, "</text>\n");
		} else {
			tn_svg_text(out, cx, y1 + 16, "middle", "label", lab.buf);
		}
		tn_buf_release(&t);
		tn_buf_release(&lab);
	}

	/* the line: a path broken where a group has no rate, a dot and a figure at each point */
	if (c->line_label && c->line) {
		tn_buf_adds(out, "<path class=\"line\" fill=\"none\" stroke=\"" LINE_STROKE
			    "\" stroke-width=\"2\" d=\"");
		for (size_t i = 0; i < n; i++) {
			double v = c->line[i], cx = x0 + slot * ((double)i + 0.5);

			if (isnan(v)) {
				pen = 0;
				continue;
			}
			if (v < 0)
				v = 0;
			if (v > 100)
				v = 100;
			tn_buf_addf(out, "%s%.1f %.1f%s", pen ? "L" : "M", cx, y1 - ph * v / 100.0,
				    i % 8 == 7 ? "\n" : " ");  /* short lines, for mail */
			pen = 1;
		}
		tn_buf_adds(out, "\"/>\n");
		for (size_t i = 0; i < n; i++) {
			double v = c->line[i], cx = x0 + slot * ((double)i + 0.5), y;

			if (isnan(v))
				continue;
			y = y1 - ph * (v < 0 ? 0 : v > 100 ? 100 : v) / 100.0;
			tn_buf_addf(out, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" "
				    "fill=\"" LINE_STROKE "\"/>\n", cx, y);
			snprintf(buf, sizeof(buf), "%.1f%%", v);
			tn_svg_text(out, cx + 5, y - 6, "start", "rate", buf);
		}
	}

	/* the legend */
	{
		double ly = H - 18, lx = x0;

		tn_buf_addf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\""
			    BAR_FILL "\"/>\n", lx, ly - 9);
		tn_svg_text(out, lx + 20, ly, "start", "legend", c->bar_label ? c->bar_label : "");
		if (c->line_label) {
			lx += 40 + 7.0 * (double)tn_display_width(c->bar_label ? c->bar_label : "");
			tn_buf_addf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
				    "stroke=\"" LINE_STROKE "\" stroke-width=\"2\"/>\n",
				    lx, ly - 4, lx + 18, ly - 4);
			tn_svg_text(out, lx + 24, ly, "start", "legend", c->line_label);
		}
	}
	tn_buf_adds(out, "</svg>\n");
}

/* A number member of `row` (borrowed), or NaN. */
static double number_of(jv row, const char *key)
{
	jv v = tn_jv_get(row, key);
	double d = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : NAN;

	jv_free(v);
	return d;
}

void tn_report_svg(struct tn_buf *out, jv report, int standalone)
{
	tn_report_svg_in(out, report, standalone, TN_REPORT_EN);
}

/* The chart's words in each language. */
static const struct {
	const char *case_title, *alert_title, *case_bar, *alert_bar, *case_line, *alert_line;
	const char *to, *by, *empty;
	const char *task_title, *task_bar, *task_line;
} words[] = {
	[TN_REPORT_ZH] = { "收件数与按时办结率", "告警数与按时关闭率", "收件数", "告警数",
			   "按时办结率（承诺时限，%）", "目标时间内关闭（%）", " 至 ", "，按",
			   "本期无数据", "任务数与按时处置率", "生成任务数",
			   "目标时间内处置（%）" },
	[TN_REPORT_EN] = { "Cases received and finished on time",
			   "Alerts raised and closed within target", "cases received",
			   "alerts raised", "on time, promised deadline (%)",
			   "closed within target (%)", " to ", ", by ", NULL,
			   "Tasks generated and resolved within target", "tasks generated",
			   "resolved within target (%)" },
};

/* The members of a row that the bars and the line show, by report kind. */
static const char *const bar_member[] = {
	[TN_REPORT_CASES] = "received", [TN_REPORT_ALERTS] = "raised",
	[TN_REPORT_TASKS] = "generated",
};
static const char *const line_member[] = {
	[TN_REPORT_CASES] = "on_time_rate", [TN_REPORT_ALERTS] = "closed_in_target_rate",
	[TN_REPORT_TASKS] = "resolve_in_target_rate",
};

void tn_report_svg_in(struct tn_buf *out, jv report, int standalone, enum tn_report_lang lang)
{
	enum tn_report_kind kind = tn_report_kind_of(report);
	jv groups = tn_jv_array(report, "groups");
	/* borrowed from report, which this function does not change */
	const char *from = tn_jv_str(report, "from"), *to = tn_jv_str(report, "to");
	const char *by = tn_jv_str(report, "by");
	int zh = lang == TN_REPORT_ZH;
	struct tn_buf sub = TN_BUF_INIT;
	struct tn_chart c;
	size_t n = 0;
	long np;
	char **labels;
	double *bars, *line;

	n = (size_t)jv_array_length(jv_copy(groups));
	labels = tn_xcalloc(n + 1, sizeof(*labels));
	bars = tn_xcalloc(n + 1, sizeof(*bars));
	line = tn_xcalloc(n + 1, sizeof(*line));
	jv_array_foreach(groups, i, g) {
		labels[i] = tn_xstrdup(tn_report_label(g, by));
		bars[i] = number_of(g, bar_member[kind]);
		if (isnan(bars[i]))
			bars[i] = 0;
		line[i] = number_of(g, line_member[kind]);
		jv_free(g);
	}
	tn_buf_addf(&sub, "%s%s%s%s%s", from ? from : "?", words[lang].to, to ? to : "?",
		    words[lang].by, zh ? tn_report_heading("group", kind, by, lang, 1) :
		    by ? by : "?");
	np = tn_report_provisional(report);
	if (np > 0 && zh)       /* the note of the table: deadlines counted Monday to Friday */
		tn_buf_addf(&sub, "；%ld 件期限暂定（按周一至周五计算）", np);
	else if (np > 0)
		tn_buf_addf(&sub, "; %ld provisional deadline%s (Monday to Friday)", np,
			    np == 1 ? "" : "s");
	memset(&c, 0, sizeof(c));
	c.title = kind == TN_REPORT_ALERTS ? words[lang].alert_title :
		  kind == TN_REPORT_TASKS ? words[lang].task_title : words[lang].case_title;
	c.subtitle = sub.buf;
	c.bar_label = kind == TN_REPORT_ALERTS ? words[lang].alert_bar :
		      kind == TN_REPORT_TASKS ? words[lang].task_bar : words[lang].case_bar;
	c.line_label = kind == TN_REPORT_ALERTS ? words[lang].alert_line :
		       kind == TN_REPORT_TASKS ? words[lang].task_line : words[lang].case_line;
	c.empty = words[lang].empty;
	c.n = n;
	c.labels = (const char *const *)labels;
	c.bars = bars;
	c.line = line;
	tn_chart_svg(out, &c, standalone);
	for (size_t i = 0; i < n; i++)
		free(labels[i]);
	free(labels);
	free(bars);
	free(line);
	tn_buf_release(&sub);
	jv_free(groups);
}
