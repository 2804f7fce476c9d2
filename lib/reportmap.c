/* reportmap.c — the district map of a report as SVG: Shanghai's 16 districts filled by their alerts (or tasks), labelled with their on-time rates (see tn_report.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "tn_districtmap.h"
#include "tn_jv.h"
#include "tn_out.h"
#include "tn_report.h"

#define FONT "DejaVu Sans, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"
#define R 36.0          /* a district's circle */
#define GAP 6.0         /* between two circles */
#define SCALE 560.0     /* pixels per degree of latitude */
#define MARGIN 30.0
#define TOP 80.0        /* title and subtitle */
#define LEGEND_W 190.0
#define NOTE_LINE 17.0
#define NOTE_COLS 96    /* display columns of a footnote line */
#define NO_COUNT "#f2f2f2"

/* Approximate centres of the districts (lat, lon), in the order of tn_districts. */
static const double centre[TN_DISTRICT_COUNT][2] = {
	{ 31.225, 121.485 },    /* 黄浦 */
	{ 31.175, 121.440 },    /* 徐汇 */
	{ 31.210, 121.390 },    /* 长宁 */
	{ 31.265, 121.455 },    /* 静安 */
	{ 31.255, 121.400 },    /* 普陀 */
	{ 31.275, 121.495 },    /* 虹口 */
	{ 31.285, 121.530 },    /* 杨浦 */
	{ 31.080, 121.410 },    /* 闵行 */
	{ 31.390, 121.420 },    /* 宝山 */
	{ 31.360, 121.250 },    /* 嘉定 */
	{ 31.130, 121.680 },    /* 浦东 */
	{ 30.830, 121.250 },    /* 金山 */
	{ 31.030, 121.220 },    /* 松江 */
	{ 31.140, 121.090 },    /* 青浦 */
	{ 30.910, 121.530 },    /* 奉贤 */
	{ 31.620, 121.530 },    /* 崇明 */
};

/* ColorBrewer YlOrRd, light to dark; labels on the two darkest are white. */
static const char *const palette[] = { "#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026" };
#define NPAL 5

struct district_fig {
	long count;
	double rate;            /* alerts closed (tasks resolved, for a task map) in target, % or NaN */
	long t_in, t_past;      /* tasks resolved in target, past it */
};

static const struct {
	const char *title_alerts, *title_tasks, *to, *legend_alerts, *legend_tasks;
	const char *rate_alerts, *rate_tasks, *none;
	const char *note_fill_alerts, *note_fill_tasks, *note_rate_tasks, *note_shape;
	const char *note_outline;
} words[] = {
	[TN_REPORT_ZH] = {
		"各区告警数与按时率", "各区任务数与按时处置率", " 至 ", "告警数", "生成任务数",
		"按时", "任务", "无",
		"颜色：期内发生的告警数，按告警所在的区。",
		"颜色：期内由告警生成的任务数，按任务所在的区。",
		"任务：由告警生成的任务中，在目标时间内处置完毕的比例；分母为已处置的任务加上已过目标"
		"时间仍未处置的任务；“无”：尚无可计的任务。",
		"各区以其大致中心处的圆表示，位置为示意，并非区界。",
		"区界为手绘的近似轮廓（share/twonet/divisions/districts.geojson），并非测绘数据；"
		"标注的圆移开时以细线指向其区。",
	},
	[TN_REPORT_EN] = {
		"Alerts and on-time rates by district", "Tasks and resolved-in-target rates by district",
		" to ", "alerts raised", "tasks generated", "on time", "tasks", "none",
		"Colour: the alerts raised in the period, by the district they were raised in.",
		"Colour: the tasks generated from alerts in the period, by their district.",
		"Tasks: of the tasks generated from alerts, those resolved within their target, out of "
		"those resolved and those still open past it; none: no task to count.",
		"Each district is a circle at its approximate centre: a sketch, not its boundary.",
		"Outlines are approximate, drawn by hand (share/twonet/divisions/districts.geojson), "
		"not survey data; a label moved off its district points to it with a thin line.",
	},
};

/* A number member of `row` (borrowed), or NaN. */
static double num(jv row, const char *key)
{
	jv v = tn_jv_get(row, key);
	double d = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : NAN;

	jv_free(v);
	return d;
}

/* The index in tn_districts of a row's district code (member `key`), or -1. */
static int district_of(jv row, const char *key)
{
	const char *code = tn_jv_str(row, key);

	for (int i = 0; code && i < TN_DISTRICT_COUNT; i++)
		if (strcmp(tn_districts[i].code, code) == 0)
			return i;
	return -1;
}

/* The figures of each district from the reports; returns what was counted without a district. */
static long gather(struct district_fig *f, jv alerts, jv tasks)
{
	int by_alerts = jv_get_kind(alerts) == JV_KIND_OBJECT;
	long placed = 0, total = 0;
	jv groups;

	for (int i = 0; i < TN_DISTRICT_COUNT; i++)
		f[i].rate = NAN;
	if (by_alerts) {
		groups = tn_jv_array(alerts, "groups");
		jv_array_foreach(groups, k, g) {
			int i = district_of(g, "group");
			double n = num(g, "raised");

			if (i >= 0 && !isnan(n)) {
				f[i].count += (long)n;
				f[i].rate = num(g, "closed_in_target_rate");
				placed += (long)n;
			}
			jv_free(g);
		}
		jv_free(groups);
		jv total_row = tn_jv_get(alerts, "total");
		double t = num(total_row, "raised");

		jv_free(total_row);
		total = isnan(t) ? placed : (long)t;
	}
	if (jv_get_kind(tasks) == JV_KIND_OBJECT) {
		long tplaced = 0, tall = 0;

		groups = tn_jv_array(tasks, "groups");
		jv_array_foreach(groups, k, g) {
			int i = district_of(g, "district");
			double n = num(g, "generated"), in = num(g, "resolve_in_target"),
			       past = num(g, "resolve_past_target");

			tall += isnan(n) ? 0 : (long)n;
			if (i >= 0) {
				f[i].t_in += isnan(in) ? 0 : (long)in;
				f[i].t_past += isnan(past) ? 0 : (long)past;
				if (!by_alerts && !isnan(n)) {
					f[i].count += (long)n;
					tplaced += (long)n;
				}
			}
			jv_free(g);
		}
		jv_free(groups);
		if (!by_alerts) {
			for (int i = 0; i < TN_DISTRICT_COUNT; i++)
				if (f[i].t_in + f[i].t_past)
					f[i].rate = 100.0 * (double)f[i].t_in /
						    (double)(f[i].t_in + f[i].t_past);
			placed = tplaced;
			total = tall;
		}
	}
	return total > placed ? total - placed : 0;
}

/* A round class width for counts up to `max` in five classes: 1, 2 or 5 times a power of ten. */
static long class_step(long max)
{
	long p = 1;

	for (;;) {
		if (p * NPAL >= max)
			return p;
		if (2 * p * NPAL >= max)
			return 2 * p;
		if (5 * p * NPAL >= max)
			return 5 * p;
		p *= 10;
	}
}

/* The fill of `count` when classes are `step` wide and `nc` of them are in use. */
static const char *fill_of(long count, long step, int nc)
{
	long k;

	if (count <= 0 || nc <= 0)
		return NO_COUNT;
	k = (count + step - 1) / step;
	if (k > nc)
		k = nc;
	return palette[nc == 1 ? NPAL - 1 : (k - 1) * (NPAL - 1) / (nc - 1)];
}

/* "按时 66.7%" or "按时 无". */
static void rate_label(struct tn_buf *b, const char *what, double rate, enum tn_report_lang lang)
{
	if (isnan(rate))
		tn_buf_addf(b, "%s %s", what, words[lang].none);
	else
		tn_buf_addf(b, "%s %.1f%%", what, rate);
}

/*
 * Place the circles: each district's centre projected (x east, y south),
 * then pushed apart until no two overlap; positions in xy, their box in
 * box (min x, min y, max x, max y).
 */
/* The projection: x east, y south, in pixels from 121°E, 31.7°N. */
static double px(double lon)
{
	return (lon - 121.0) * SCALE * cos(31.2 * M_PI / 180);
}

static double py(double lat)
{
	return (31.7 - lat) * SCALE;
}

static void place(double xy[TN_DISTRICT_COUNT][2], double box[4], const struct tn_dmap *shapes)
{
	for (int i = 0; i < TN_DISTRICT_COUNT; i++) {
		const struct tn_dmap_district *d = shapes ? tn_dmap_find(shapes, tn_districts[i].code) :
						   NULL;

		xy[i][0] = px(d ? d->clon : centre[i][1]);
		xy[i][1] = py(d ? d->clat : centre[i][0]);
	}
	for (int it = 0; it < 400; it++) {
		int moved = 0;

		for (int i = 0; i < TN_DISTRICT_COUNT; i++)
			for (int j = i + 1; j < TN_DISTRICT_COUNT; j++) {
				double dx = xy[j][0] - xy[i][0], dy = xy[j][1] - xy[i][1];
				double d = sqrt(dx * dx + dy * dy), push;

				if (d >= 2 * R + GAP)
					continue;
				if (d < 1e-6) {
					dx = 1;
					dy = 0;
					d = 1;
				}
				push = (2 * R + GAP - d) / 2 + 0.01;
				xy[i][0] -= dx / d * push;
				xy[i][1] -= dy / d * push;
				xy[j][0] += dx / d * push;
				xy[j][1] += dy / d * push;
				moved = 1;
			}
		if (!moved)
			break;
	}
	box[0] = box[1] = INFINITY;
	box[2] = box[3] = -INFINITY;
	for (int i = 0; i < TN_DISTRICT_COUNT; i++) {
		box[0] = fmin(box[0], xy[i][0] - R);
		box[1] = fmin(box[1], xy[i][1] - R);
		box[2] = fmax(box[2], xy[i][0] + R);
		box[3] = fmax(box[3], xy[i][1] + R);
	}
	for (size_t i = 0; shapes && i < shapes->n; i++)
		for (size_t k = 0; k < shapes->d[i].npts; k++) {
			double x = px(shapes->d[i].pts[2 * k]), y = py(shapes->d[i].pts[2 * k + 1]);

			box[0] = fmin(box[0], x);
			box[1] = fmin(box[1], y);
			box[2] = fmax(box[2], x);
			box[3] = fmax(box[3], y);
		}
}

/* The outlines (a layer under the labels), each filled as its district, and the leader lines. */
static void outlines(struct tn_buf *out, const struct tn_dmap *shapes, const char *const *fills,
		     double xy[TN_DISTRICT_COUNT][2], double ox, double oy)
{
	tn_buf_adds(out, "<g class=\"outlines\">\n");
	for (int i = 0; i < TN_DISTRICT_COUNT; i++) {
		const struct tn_dmap_district *d = tn_dmap_find(shapes, tn_districts[i].code);
		double ax, ay;

		if (!d || !d->npts)
			continue;
		tn_buf_addf(out, "<path class=\"outline\" id=\"o%s\" fill=\"%s\" d=\"",
			    tn_districts[i].code, fills[i]);
		for (size_t k = 0; k < d->npts; k++)
			tn_buf_addf(out, "%s%.1f %.1f%s", k ? "L" : "M", px(d->pts[2 * k]) + ox,
				    py(d->pts[2 * k + 1]) + oy, k % 8 == 7 ? "\n" : " ");
		tn_buf_adds(out, "Z\"/>\n");
		ax = px(d->clon) + ox;
		ay = py(d->clat) + oy;
		if (hypot(ax - xy[i][0] - ox, ay - xy[i][1] - oy) > R / 2)
			tn_buf_addf(out, "<line class=\"leader\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				    "y2=\"%.1f\"/>\n", ax, ay, xy[i][0] + ox, xy[i][1] + oy);
	}
	tn_buf_adds(out, "</g>\n");
}

/* How many bytes of `s` fit in `cols` display columns, cut after a space when there is one (English). */
static size_t prefix_fitting(const char *s, int cols)
{
	size_t i = 0, space = 0;
	int used = 0;

	while (s[i]) {
		unsigned char c = (unsigned char)s[i];
		size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		char ch[5] = { 0 };

		for (size_t k = 0; k < n && s[i + k]; k++)
			ch[k] = s[i + k];
		n = strlen(ch);
		if (used + tn_display_width(ch) > cols)
			return space ? space : i;
		used += tn_display_width(ch);
		i += n;
		if (c == ' ')
			space = i;
	}
	return i;
}

/* Footnote sentences (each ending with '\n') cut into lines of at most NOTE_COLS columns. */
static void note_lines(struct tn_buf *b, double x, double *y, const char *notes)
{
	for (const char *p = notes; *p; ) {
		size_t len = strcspn(p, "\n");
		char *line = tn_xstrndup(p, len);
		const char *q = line;

		while (*q) {
			struct tn_buf part = TN_BUF_INIT;
			size_t cut = prefix_fitting(q, NOTE_COLS);

			if (cut == 0)
				cut = strlen(q);
			tn_buf_add(&part, q, cut);
			tn_svg_text(b, x, *y, "start", "note", part.buf);
			tn_buf_release(&part);
			*y += NOTE_LINE;
			q += cut;
		}
		free(line);
		p += len + (p[len] == '\n');
	}
}

void tn_report_map_svg(struct tn_buf *out, jv alerts, jv tasks, const char *tasks_missing,
		       const struct tn_dmap *shapes, enum tn_report_lang lang)
{
	const char *fills[TN_DISTRICT_COUNT];
	int by_alerts = jv_get_kind(alerts) == JV_KIND_OBJECT;
	int with_tasks = jv_get_kind(tasks) == JV_KIND_OBJECT;
	jv doc = by_alerts ? alerts : tasks;
	const char *from = tn_jv_str(doc, "from"), *to = tn_jv_str(doc, "to");
	struct district_fig f[TN_DISTRICT_COUNT];
	double xy[TN_DISTRICT_COUNT][2], box[4], w, h, ox, oy, lx, y;
	struct tn_buf notes = TN_BUF_INIT, s = TN_BUF_INIT, lines = TN_BUF_INIT;
	long unplaced, max = 0, step;
	int nc;

	memset(f, 0, sizeof(f));
	unplaced = gather(f, alerts, tasks);
	for (int i = 0; i < TN_DISTRICT_COUNT; i++)
		if (f[i].count > max)
			max = f[i].count;
	step = class_step(max > 0 ? max : 1);
	nc = max > 0 ? (int)((max + step - 1) / step) : 0;
	place(xy, box, shapes);
	for (int i = 0; i < TN_DISTRICT_COUNT; i++)
		fills[i] = fill_of(f[i].count, step, nc);
	ox = MARGIN - box[0];
	oy = TOP - box[1];
	lx = box[2] - box[0] + 2 * MARGIN;
	w = lx + LEGEND_W;

	/* the footnotes first: their lines set the height */
	tn_buf_adds(&notes, by_alerts ? words[lang].note_fill_alerts : words[lang].note_fill_tasks);
	tn_buf_addch(&notes, '\n');
	if (by_alerts) {
		jv t = tn_jv_object(alerts, "targets_min");
		double red = num(t, "red"), orange = num(t, "orange"), yellow = num(t, "yellow"),
		       blue = num(t, "blue");

		jv_free(t);
		long tr = isnan(red) ? 120L : (long)red, to_ = isnan(orange) ? 240L : (long)orange,
		     ty = isnan(yellow) ? 720L : (long)yellow, tb = isnan(blue) ? 1440L : (long)blue;

		if (lang == TN_REPORT_ZH)
			tn_buf_addf(&notes, "按时：已关闭的告警中，在其级别的目标时间内关闭的比例（红色 "
				    "%ld 分钟、橙色 %ld 分钟、黄色 %ld 分钟、蓝色 %ld 分钟）；“无”：尚无已关闭"
				    "的告警。", tr, to_, ty, tb);
		else
			tn_buf_addf(&notes, "On time: of the alerts closed, those closed within their "
				    "severity's target (red %ld minutes, orange %ld, yellow %ld, blue "
				    "%ld); none: no alert closed yet.", tr, to_, ty, tb);
		tn_buf_addch(&notes, '\n');
	}
	if (with_tasks) {
		tn_buf_adds(&notes, words[lang].note_rate_tasks);
		tn_buf_addch(&notes, '\n');
	} else if (tasks_missing) {
		if (lang == TN_REPORT_ZH)
			tn_buf_addf(&notes, "任务按时处置率不可用（%s）。", tasks_missing);
		else
			tn_buf_addf(&notes, "Task on-time rates are not available (%s).",
				    tasks_missing);
		tn_buf_addch(&notes, '\n');
	}
	if (unplaced > 0) {
		const char *what = lang == TN_REPORT_ZH ? (by_alerts ? "告警" : "任务") :
				   by_alerts ? (unplaced == 1 ? "alert" : "alerts") :
				   unplaced == 1 ? "task" : "tasks";

		if (lang == TN_REPORT_ZH)
			tn_buf_addf(&notes, "另有 %ld 条未注明区的%s未画在图上。", unplaced, what);
		else
			tn_buf_addf(&notes, "%ld %s without a district %s not on the map.",
				    unplaced, what, unplaced == 1 ? "is" : "are");
		tn_buf_addch(&notes, '\n');
	}
	tn_buf_adds(&notes, shapes ? words[lang].note_outline : words[lang].note_shape);
	tn_buf_addch(&notes, '\n');
	y = TOP + box[3] - box[1] + 24;
	note_lines(&lines, MARGIN, &y, notes.buf);
	h = y + MARGIN;

	tn_buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	tn_buf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		    "viewBox=\"0 0 %.0f %.0f\" font-family=\"%s\" font-size=\"12\">\n",
		    w, h, w, h, FONT);
	tn_buf_adds(out, "<style>.title{font-size:18px;font-weight:bold}.sub{fill:#555}"
		    ".name{font-size:12px;font-weight:bold}.count{font-size:12px}"
		    ".rate{font-size:10px}.dark{fill:#fff}.legend{font-size:11px}"
		    ".note{font-size:11px;fill:#444}.district circle{stroke:#666;stroke-width:1}"
		    ".outline{stroke:#777;stroke-width:1;stroke-linejoin:round}"
		    ".leader{stroke:#555;stroke-width:1}"
		    "</style>\n");
	tn_buf_addf(out, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>\n",
		    w, h);
	tn_svg_text(out, w / 2, 30, "middle", "title", by_alerts ? words[lang].title_alerts :
						  words[lang].title_tasks);
	tn_buf_addf(&s, "%s%s%s", from ? from : "?", words[lang].to, to ? to : "?");
	tn_svg_text(out, w / 2, 52, "middle", "sub", s.buf);
	tn_buf_reset(&s);

	if (shapes)
		outlines(out, shapes, fills, xy, ox, oy);
	for (int i = 0; i < TN_DISTRICT_COUNT; i++) {
		const char *fill = fills[i];
		int dark = fill == palette[NPAL - 1] || fill == palette[NPAL - 2];
		const char *cls = dark ? "dark" : "";
		double cx = xy[i][0] + ox, cy = xy[i][1] + oy;
		double trate = f[i].t_in + f[i].t_past ?
			       100.0 * (double)f[i].t_in / (double)(f[i].t_in + f[i].t_past) : NAN;
		int nlines = by_alerts && with_tasks ? 4 : 3;
		double ty = cy - (nlines - 1) * 13.0 / 2 + 4;
		char cnt[32];

		tn_buf_addf(out, "<g class=\"district\" id=\"d%s\" data-count=\"%ld\">\n<title>",
			    tn_districts[i].code, f[i].count);
		tn_buf_addf(&s, "%s (%s): %ld", tn_districts[i].name, tn_districts[i].pinyin,
			    f[i].count);
		tn_xml_escape(out, s.buf);
		tn_buf_reset(&s);
		tn_buf_addf(out, "</title>\n<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.0f\" fill=\"%s\"/>\n",
			    cx, cy, R, fill);
		tn_buf_addf(&s, "name %s", cls);
		tn_svg_text(out, cx, ty, "middle", s.buf, tn_districts[i].name);
		tn_buf_reset(&s);
		snprintf(cnt, sizeof(cnt), "%ld", f[i].count);
		tn_buf_addf(&s, "count %s", cls);
		tn_svg_text(out, cx, ty + 13, "middle", s.buf, cnt);
		tn_buf_reset(&s);
		struct tn_buf r = TN_BUF_INIT;

		rate_label(&r, by_alerts ? words[lang].rate_alerts : words[lang].rate_tasks,
			   f[i].rate, lang);
		tn_buf_addf(&s, "rate %s", cls);
		tn_svg_text(out, cx, ty + 26, "middle", s.buf, r.buf);
		if (nlines == 4) {
			tn_buf_reset(&r);
			rate_label(&r, words[lang].rate_tasks, trate, lang);
			tn_svg_text(out, cx, ty + 39, "middle", s.buf, r.buf);
		}
		tn_buf_reset(&s);
		tn_buf_release(&r);
		tn_buf_adds(out, "</g>\n");
	}

	/* the legend: a swatch per class in use, and one for none */
	y = TOP + 10;
	tn_svg_text(out, lx, y, "start", "legend", by_alerts ? words[lang].legend_alerts :
						 words[lang].legend_tasks);
	for (int k = 0; k <= nc; k++) {
		long lo = k ? (k - 1) * step + 1 : 0, hi = k * step;

		y += 22;
		tn_buf_addf(out, "<rect class=\"swatch\" x=\"%.1f\" y=\"%.1f\" width=\"18\" "
			    "height=\"14\" fill=\"%s\" stroke=\"#666\"/>\n", lx, y - 11,
			    k ? fill_of(lo, step, nc) : NO_COUNT);
		if (k == 0 || lo == hi)
			tn_buf_addf(&s, "%ld", lo);
		else if (k == nc && hi >= max && lo < max)
			tn_buf_addf(&s, "%ld–%ld", lo, max);
		else
			tn_buf_addf(&s, "%ld–%ld", lo, hi);
		tn_svg_text(out, lx + 26, y, "start", "legend", s.buf);
		tn_buf_reset(&s);
	}

	tn_buf_add(out, lines.buf, lines.len);
	tn_buf_adds(out, "</svg>\n");
	tn_buf_release(&lines);
	tn_buf_release(&s);
	tn_buf_release(&notes);
}
