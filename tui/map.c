/* map.c — the district map view: Shanghai's districts in braille (approximate outlines, lib/districtmap.c), the open alerts by severity and the vehicles by state on it, read again on each stream event and every 10 s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casedesk.h"
#include "display.h"
#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_districtmap.h"
#include "tn_jv.h"
#include "tn_out.h"

#define ALERTS_PATH "/v1/alerts?status=raised,dispatched,acknowledged&order=-id&limit=1000"
#define TRUCKS_PATH "/v1/assets?kind=vehicle&limit=1000"

struct mark {
	double lon, lat;
	int what;               /* an alert's severity, a vehicle's state (VS_*) */
	int located;            /* its own position; else its district's centre */
};

enum { VS_FREE, VS_EN_ROUTE, VS_ON_SITE, VS_OUT, VS_COUNT };

static const char *const vs_names[VS_COUNT] = { "free", "en_route", "on_site", "out_of_service" };
static const char *const vs_labels[VS_COUNT] = { "空闲", "在途", "到场", "停用" };
static const enum dcol vs_color[VS_COUNT] = { DC_OK, DC_SEV_YELLOW, DC_TITLE, DC_DIM };
static const enum dcol sev_color[4] = { DC_SEV_BLUE, DC_SEV_YELLOW, DC_SEV_ORANGE, DC_SEV_RED };
static const char *const sev_labels[4] = { "蓝", "黄", "橙", "红" };

static struct {
	struct tn_dmap dm;
	int loaded;             /* 1 loaded, -1 failed */
	struct mark *alerts, *trucks;
	size_t nalerts, ntrucks, unplaced;
	struct live lv;
	char state[256];
} mp;

static void load_map(void)
{
	struct tn_err err = TN_ERR_INIT;

	if (mp.loaded)
		return;
	if (tn_dmap_load(NULL, &mp.dm, &err) == TN_OK) {
		mp.loaded = 1;
	} else {
		mp.loaded = -1;
		snprintf(mp.state, sizeof(mp.state), "no district outlines: %s", err.message);
	}
}

/* A mark for `obj` (borrowed) at its location, else its district's centre; 0 when neither. */
static int place(jv obj, struct mark *m)
{
	jv loc = tn_jv_object(obj, "location");
	const char *code = tn_jv_str(obj, "district");
	const struct tn_dmap_district *d;
	jv lat, lon;

	if (jv_get_kind(loc) != JV_KIND_OBJECT) {
		jv_free(loc);
		loc = jv_copy(obj);     /* an asset: lat and lon at the top */
	}
	lat = jv_object_get(jv_copy(loc), jv_string("lat"));
	lon = jv_object_get(jv_copy(loc), jv_string("lon"));
	jv_free(loc);
	m->located = jv_get_kind(lat) == JV_KIND_NUMBER && jv_get_kind(lon) == JV_KIND_NUMBER;
	if (m->located) {
		m->lat = jv_number_value(lat);
		m->lon = jv_number_value(lon);
	}
	jv_free(lat);
	jv_free(lon);
	if (m->located)
		return 1;
	if (mp.loaded != 1 || !code || !(d = tn_dmap_find(&mp.dm, code)))
		return 0;
	m->lon = d->clon;
	m->lat = d->clat;
	return 1;
}

static void on_list(void *ctx, long tag, const struct tn_async_result *r)
{
	jv items;
	struct mark **v = tag ? &mp.trucks : &mp.alerts;
	size_t *n = tag ? &mp.ntrucks : &mp.nalerts;

	(void)ctx;
	if (tag)
		mp.lv.pending = 0;        /* the vehicles are asked last */
	if (r->status != 200 || jv_get_kind(r->body) != JV_KIND_OBJECT) {
		snprintf(mp.state, sizeof(mp.state), "cannot list %s: %s", tag ? "vehicles" : "alerts",
			 r->error ? r->error : "no answer");
		app.dirty = 1;
		return;
	}
	if (mp.loaded != -1)
		mp.state[0] = '\0';
	items = tn_jv_array(r->body, "items");
	free(*v);
	*v = tn_xcalloc((size_t)jv_array_length(jv_copy(items)) + 1, sizeof(**v));
	*n = 0;
	if (!tag)
		mp.unplaced = 0;
	jv_array_foreach(items, i, it) {
		struct mark *m = &(*v)[*n];
		const char *s = tn_jv_str(it, tag ? "state" : "severity");

		m->what = -1;
		if (tag) {
			for (int k = 0; s && k < VS_COUNT; k++)
				if (!strcmp(s, vs_names[k]))
					m->what = k;
		} else if (s) {
			m->what = tn_severity_parse(s);
		}
		if (place(it, m))
			(*n)++;
		else if (!tag)
			mp.unplaced++;
		jv_free(it);
	}
	jv_free(items);
	app.dirty = 1;
}

static void ask(void)
{
	live_sent(&mp.lv);
	net_request("GET", ALERTS_PATH, jv_invalid(), 0, on_list, NULL, 0);
	net_request("GET", TRUCKS_PATH, jv_invalid(), 0, on_list, NULL, 1);
}

void map_open(void)
{
	load_map();
	app_push(&map_view);
	if (!mp.lv.pending)
		ask();
}

void map_stream_event(void)
{
	mp.lv.want = 1;
}

void map_tick(void)
{
	if (live_due(&mp.lv, &map_view))
		ask();
}

void map_done(void)
{
	if (mp.loaded == 1)
		tn_dmap_free(&mp.dm);
	free(mp.alerts);
	free(mp.trucks);
	memset(&mp, 0, sizeof(mp));
}

/* ---- drawing ---- */

/* The districts by the size of their box, largest first: their names go down first. */
static int by_size(const void *x, const void *y)
{
	const struct tn_dmap_district *a = *(const struct tn_dmap_district *const *)x;
	const struct tn_dmap_district *b = *(const struct tn_dmap_district *const *)y;
	double sa = 0, sb = 0;

	for (size_t k = 1; k < a->npts; k++)
		sa += (a->pts[2 * k] - a->pts[0]) * (a->pts[2 * k] - a->pts[0]) +
		      (a->pts[2 * k + 1] - a->pts[1]) * (a->pts[2 * k + 1] - a->pts[1]);
	for (size_t k = 1; k < b->npts; k++)
		sb += (b->pts[2 * k] - b->pts[0]) * (b->pts[2 * k] - b->pts[0]) +
		      (b->pts[2 * k + 1] - b->pts[1]) * (b->pts[2 * k + 1] - b->pts[1]);
	return sa < sb ? 1 : sa > sb ? -1 : 0;
}

/* District names at their centres where they fit on free cells; `used` marks the cells taken. */
static void names(const struct tn_dmap_proj *p, unsigned char *used, int top)
{
	const struct tn_dmap_district **order = tn_xcalloc(mp.dm.n + 1, sizeof(*order));

	for (size_t i = 0; i < mp.dm.n; i++)
		order[i] = &mp.dm.d[i];
	qsort(order, mp.dm.n, sizeof(*order), by_size);
	for (size_t i = 0; i < mp.dm.n; i++) {
		int c, r, w = tn_display_width(order[i]->name), x0, ok = 1;

		int west = p->cols, east = -1;

		if (!tn_dmap_cell(p, order[i]->clon, order[i]->clat, &c, &r))
			continue;
		/* room: the district is at least as wide as its name */
		for (size_t k = 0; k < order[i]->npts; k++) {
			int kc, kr;

			tn_dmap_cell(p, order[i]->pts[2 * k], order[i]->pts[2 * k + 1], &kc, &kr);
			west = kc < west ? kc : west;
			east = kc > east ? kc : east;
		}
		if (east - west + 1 < w)
			continue;
		x0 = c - w / 2;
		if (x0 < 0 || x0 + w > p->cols)
			continue;
		/* on the centre's row, else one above or below: a free cell either side too */
		for (int k = 0; k < 3; k++) {
			int rr = r + (k + 1) / 2 * (k % 2 ? -1 : 1);

			ok = rr >= 0 && rr < p->rows;
			for (int x = x0 - 1; x <= x0 + w && ok; x++)
				if (x >= 0 && x < p->cols && used[(size_t)rr * (size_t)p->cols + (size_t)x])
					ok = 0;
			if (ok) {
				r = rr;
				break;
			}
		}
		if (!ok)
			continue;
		for (int x = x0; x < x0 + w; x++)
			used[(size_t)r * (size_t)p->cols + (size_t)x] = 1;
		disp_put(top + r, x0, DC_NORMAL, 0, order[i]->name);
	}
	free(order);
}

static void marks(const struct tn_dmap_proj *p, const struct mark *v, size_t n, int trucks, int top,
		  unsigned char *used)
{
	for (size_t i = 0; i < n; i++) {
		int c, r;
		enum dcol col = trucks ? (v[i].what >= 0 ? vs_color[v[i].what] : DC_NORMAL) :
			(v[i].what >= 0 ? sev_color[v[i].what] : DC_NORMAL);

		if (!tn_dmap_cell(p, v[i].lon, v[i].lat, &c, &r))
			continue;
		used[(size_t)r * (size_t)p->cols + (size_t)c] = 1;
		disp_put(top + r, c, col, DA_BOLD, trucks ? "▲" : v[i].located ? "●" : "○");
	}
}

/* One coloured piece of the legend at *x; returns 0 when it does not fit. */
static int piece(int y, int *x, int cols, enum dcol c, const char *s)
{
	int w = tn_display_width(s);

	if (*x + w >= cols)
		return 0;
	disp_put(y, *x, c, c == DC_NORMAL ? 0 : DA_BOLD, s);
	*x += w;
	return 1;
}

static void legend(int y, int cols)
{
	struct tn_buf b = TN_BUF_INIT;
	int x = 0;
	char s[64];

	disp_clear_line(y);
	piece(y, &x, cols, DC_NORMAL, "预警 alerts ");
	for (int k = 3; k >= 0; k--) {
		snprintf(s, sizeof(s), "●%s ", sev_labels[k]);
		piece(y, &x, cols, sev_color[k], s);
	}
	piece(y, &x, cols, DC_NORMAL, "泵车 trucks ");
	for (int k = 0; k < VS_COUNT; k++) {
		snprintf(s, sizeof(s), "▲%s ", vs_labels[k]);
		piece(y, &x, cols, vs_color[k], s);
	}
	tn_buf_addf(&b, "○ 区中心 district centre · 轮廓为近似 outlines approximate");
	piece(y, &x, cols, DC_DIM, b.buf);
	tn_buf_release(&b);
}

static void map_draw(int rows, int cols)
{
	struct tn_buf b = TN_BUF_INIT;
	struct tn_dmap_proj p;
	struct tn_braille br;
	unsigned char *used;
	int h = rows - 2;
	char u[4];

	tn_buf_addf(&b, "上海 district map 区划图 · %zu open alerts", mp.nalerts + mp.unplaced);
	if (mp.unplaced)
		tn_buf_addf(&b, " (%zu without a place)", mp.unplaced);
	tn_buf_addf(&b, " · %zu vehicles", mp.ntrucks);
	disp_line(0, DC_TITLE, 0, b.buf);
	if (mp.loaded != 1 || h < 3) {
		disp_line(1, DC_BAD, 0, mp.state[0] ? mp.state : "the window is too small for the map");
		disp_clear_from(2);
		tn_buf_release(&b);
		return;
	}
	tn_dmap_proj_init(&p, mp.dm.box, cols, h);
	tn_braille_init(&br, cols, h);
	tn_dmap_draw(&mp.dm, &p, &br);
	for (int r = 0; r < h; r++) {
		tn_buf_reset(&b);
		for (int c = 0; c < cols; c++) {
			uint8_t bits = br.cells[(size_t)r * (size_t)cols + (size_t)c];

			if (bits) {
				tn_braille_utf8(bits, u);
				tn_buf_adds(&b, u);
			} else {
				tn_buf_addch(&b, ' ');
			}
		}
		disp_line(1 + r, DC_DIM, 0, b.buf);
	}
	used = tn_xcalloc((size_t)cols * (size_t)h + 1, 1);
	marks(&p, mp.trucks, mp.ntrucks, 1, 1, used);
	marks(&p, mp.alerts, mp.nalerts, 0, 1, used);
	names(&p, used, 1);
	legend(rows - 1, cols);
	if (mp.state[0])
		disp_line(rows - 2, DC_BAD, 0, mp.state);
	free(used);
	tn_braille_free(&br);
	tn_buf_release(&b);
}

static void map_status(struct tn_buf *b)
{
	tn_buf_adds(b, "map 地图");
	if (alerts_live())
		tn_buf_adds(b, " · live");
	else
		tn_buf_adds(b, " · every 10 s");
}

static int map_key(enum act a, int key)
{
	(void)key;
	if (a == ACT_REFRESH) {
		if (!mp.lv.pending)
			ask();
		app_msg(0, "reading the alerts and vehicles again");
		return 1;
	}
	return 0;
}

const struct view map_view = {
	"map", V_MAP, map_draw, map_status, map_key, NULL
};
