/* districtmap.c — Shanghai's district outlines (approximate, GeoJSON) projected to a terminal grid and drawn as braille dots: pure functions. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_cli.h"
#include "tn_districtmap.h"
#include "tn_json.h"
#include "tn_jv.h"

#define MAX_TEXT (8u << 20)

/* The outer ring of a Polygon's coordinates (or a MultiPolygon's first), borrowed from geom. */
static jv outer_ring(jv geom)
{
	const char *type = tn_jv_str_or(geom, "type", "");
	jv c = jv_object_get(jv_copy(geom), jv_string("coordinates"));

	if (!strcmp(type, "MultiPolygon") && jv_get_kind(c) == JV_KIND_ARRAY)
		c = jv_array_get(c, 0);
	else if (strcmp(type, "Polygon") != 0) {
		jv_free(c);
		return jv_invalid();
	}
	if (jv_get_kind(c) != JV_KIND_ARRAY) {
		jv_free(c);
		return jv_invalid();
	}
	return jv_array_get(c, 0);
}

static int read_ring(struct tn_dmap_district *d, jv ring)
{
	int n;

	if (jv_get_kind(ring) != JV_KIND_ARRAY || (n = jv_array_length(jv_copy(ring))) < 3) {
		jv_free(ring);
		return -1;
	}
	d->pts = tn_xcalloc((size_t)n * 2, sizeof(double));
	jv_array_foreach(ring, i, p) {
		jv x = jv_array_get(jv_copy(p), 0), y = jv_array_get(jv_copy(p), 1);

		if (jv_get_kind(x) != JV_KIND_NUMBER || jv_get_kind(y) != JV_KIND_NUMBER) {
			jv_free(x);
			jv_free(y);
			jv_free(p);
			jv_free(ring);
			return -1;
		}
		d->pts[2 * d->npts] = jv_number_value(x);
		d->pts[2 * d->npts + 1] = jv_number_value(y);
		d->npts++;
		jv_free(x);
		jv_free(y);
		jv_free(p);
	}
	jv_free(ring);
	/* the centre: the mean of the points, the closing one (a repeat of the first) left out */
	size_t k = d->npts;
	if (k > 1 && d->pts[0] == d->pts[2 * (k - 1)] && d->pts[1] == d->pts[2 * (k - 1) + 1])
		k--;
	for (size_t i = 0; i < k; i++) {
		d->clon += d->pts[2 * i] / (double)k;
		d->clat += d->pts[2 * i + 1] / (double)k;
	}
	return 0;
}

enum tn_code tn_dmap_parse(const char *text, size_t len, struct tn_dmap *m, struct tn_err *err)
{
	jv doc = tn_json_parse(text, len), feats;
	int n;

	memset(m, 0, sizeof(*m));
	if (jv_get_kind(doc) != JV_KIND_OBJECT) {
		jv_free(doc);
		return tn_err_set(err, TN_EINVALID, "not a GeoJSON FeatureCollection");
	}
	feats = tn_jv_array(doc, "features");
	jv_free(doc);
	n = jv_array_length(jv_copy(feats));
	if (n < 1) {
		jv_free(feats);
		return tn_err_set(err, TN_EINVALID, "no features");
	}
	m->d = tn_xcalloc((size_t)n, sizeof(*m->d));
	m->box[0] = m->box[1] = 1e9;
	m->box[2] = m->box[3] = -1e9;
	jv_array_foreach(feats, i, f) {
		jv props = tn_jv_object(f, "properties"), geom = tn_jv_object(f, "geometry");
		const char *code = tn_jv_str(props, "code"), *name = tn_jv_str(props, "name");
		struct tn_dmap_district *d = &m->d[m->n];

		if (!code || !name || read_ring(d, outer_ring(geom)) < 0) {
			free(d->pts);
			jv_free(props);
			jv_free(geom);
			jv_free(f);
			jv_free(feats);
			tn_dmap_free(m);
			return tn_err_set(err, TN_EINVALID,
					  "feature %d: wants properties code and name and a Polygon of [lon, lat] points", i);
		}
		snprintf(d->code, sizeof(d->code), "%s", code);
		snprintf(d->name, sizeof(d->name), "%s", name);
		for (size_t k = 0; k < d->npts; k++) {
			m->box[0] = fmin(m->box[0], d->pts[2 * k]);
			m->box[1] = fmin(m->box[1], d->pts[2 * k + 1]);
			m->box[2] = fmax(m->box[2], d->pts[2 * k]);
			m->box[3] = fmax(m->box[3], d->pts[2 * k + 1]);
		}
		m->n++;
		jv_free(props);
		jv_free(geom);
		jv_free(f);
	}
	jv_free(feats);
	return TN_OK;
}

enum tn_code tn_dmap_load(const char *path, struct tn_dmap *m, struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT, p = TN_BUF_INIT;
	enum tn_code code;
	FILE *fp;

	memset(m, 0, sizeof(*m));
	if (!path) {
		tn_buf_addf(&p, "%s/divisions/districts.geojson", tn_sharedir());
		path = p.buf;
	}
	fp = fopen(path, "r");
	if (!fp) {
		code = tn_err_set(err, TN_EIO, "%s: %s", path, strerror(errno));
		tn_buf_release(&p);
		return code;
	}
	code = tn_buf_read_fp(&b, fp, path, MAX_TEXT, err);
	fclose(fp);
	if (code == TN_OK) {
		code = tn_dmap_parse(b.buf, b.len, m, err);
		if (code != TN_OK)
			tn_err_prefix(err, "%s: ", path);
	}
	tn_buf_release(&b);
	tn_buf_release(&p);
	return code;
}

void tn_dmap_free(struct tn_dmap *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->d[i].pts);
	free(m->d);
	memset(m, 0, sizeof(*m));
}

const struct tn_dmap_district *tn_dmap_find(const struct tn_dmap *m, const char *code)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->d[i].code, code))
			return &m->d[i];
	return NULL;
}

/* ---- projection ---- */

void tn_dmap_proj_init(struct tn_dmap_proj *p, const double box[4], int cols, int rows)
{
	double w = 2.0 * (cols > 0 ? cols : 1), h = 4.0 * (rows > 0 ? rows : 1);
	double dlat = box[3] - box[1], dlon;

	memset(p, 0, sizeof(*p));
	p->cols = cols;
	p->rows = rows;
	p->kx = cos((box[1] + box[3]) / 2 * M_PI / 180);
	dlon = (box[2] - box[0]) * p->kx;
	if (dlat <= 0)
		dlat = 1e-6;
	if (dlon <= 0)
		dlon = 1e-6;
	/* the whole box inside w-1 x h-1 dots */
	p->scale = fmin((w - 1) / dlon, (h - 1) / dlat);
	p->lon0 = box[0];
	p->lat1 = box[3];
	p->ox = (w - 1 - dlon * p->scale) / 2;
	p->oy = (h - 1 - dlat * p->scale) / 2;
}

int tn_dmap_project(const struct tn_dmap_proj *p, double lon, double lat, int *x, int *y)
{
	double fx = p->ox + (lon - p->lon0) * p->kx * p->scale;
	double fy = p->oy + (p->lat1 - lat) * p->scale;

	*x = (int)lround(fx);
	*y = (int)lround(fy);
	return *x >= 0 && *y >= 0 && *x < 2 * p->cols && *y < 4 * p->rows;
}

int tn_dmap_cell(const struct tn_dmap_proj *p, double lon, double lat, int *col, int *row)
{
	int x, y, in = tn_dmap_project(p, lon, lat, &x, &y);

	*col = x >= 0 ? x / 2 : -1;
	*row = y >= 0 ? y / 4 : -1;
	return in;
}

/* ---- braille ---- */

void tn_braille_init(struct tn_braille *b, int cols, int rows)
{
	b->cols = cols > 0 ? cols : 0;
	b->rows = rows > 0 ? rows : 0;
	b->cells = tn_xcalloc((size_t)b->cols * (size_t)b->rows + 1, 1);
}

void tn_braille_free(struct tn_braille *b)
{
	free(b->cells);
	memset(b, 0, sizeof(*b));
}

void tn_braille_set(struct tn_braille *b, int x, int y)
{
	/* Unicode's dot numbering: 1 2 3 7 down the left column, 4 5 6 8 down the right */
	static const uint8_t bit[4][2] = { { 0x01, 0x08 }, { 0x02, 0x10 }, { 0x04, 0x20 }, { 0x40, 0x80 } };

	if (x < 0 || y < 0 || x >= 2 * b->cols || y >= 4 * b->rows)
		return;
	b->cells[(size_t)(y / 4) * (size_t)b->cols + (size_t)(x / 2)] |= bit[y % 4][x % 2];
}

void tn_braille_line(struct tn_braille *b, int x0, int y0, int x1, int y1)
{
	int dx = abs(x1 - x0), dy = -abs(y1 - y0);
	int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, e = dx + dy;

	for (;;) {
		tn_braille_set(b, x0, y0);
		if (x0 == x1 && y0 == y1)
			break;
		int e2 = 2 * e;
		if (e2 >= dy) {
			e += dy;
			x0 += sx;
		}
		if (e2 <= dx) {
			e += dx;
			y0 += sy;
		}
	}
}

int tn_braille_utf8(uint8_t bits, char buf[4])
{
	unsigned cp = 0x2800u + bits;

	buf[0] = (char)(0xe0 | (cp >> 12));
	buf[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	buf[2] = (char)(0x80 | (cp & 0x3f));
	buf[3] = '\0';
	return 3;
}

void tn_dmap_draw(const struct tn_dmap *m, const struct tn_dmap_proj *p, struct tn_braille *b)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct tn_dmap_district *d = &m->d[i];
		int px = 0, py = 0, x, y;

		for (size_t k = 0; k < d->npts; k++) {
			tn_dmap_project(p, d->pts[2 * k], d->pts[2 * k + 1], &x, &y);
			if (k)
				tn_braille_line(b, px, py, x, y);
			px = x;
			py = y;
		}
	}
}
