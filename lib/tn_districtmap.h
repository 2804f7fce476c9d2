/* tn_districtmap.h — Shanghai's districts on a terminal: approximate outlines loaded from GeoJSON, projected to a grid of cells, drawn as Unicode braille (2x4 dots a cell). */
#ifndef TN_DISTRICTMAP_H
#define TN_DISTRICTMAP_H

#include <stddef.h>
#include <stdint.h>

#include "tn_err.h"

struct tn_dmap_district {
	char code[16];
	char name[64];
	double *pts;            /* lon, lat pairs of the outer ring */
	size_t npts;
	double clon, clat;      /* the centre: the mean of the ring's points */
};

struct tn_dmap {
	struct tn_dmap_district *d;
	size_t n;
	double box[4];          /* minlon, minlat, maxlon, maxlat of every outline */
};

/*
 * Load a FeatureCollection of Polygon (or MultiPolygon: its first polygon)
 * features whose properties hold `code` and `name` from `path` (NULL:
 * tn_sharedir()/divisions/districts.geojson).  TN_EIO when unreadable,
 * TN_EINVALID naming the feature at fault.
 */
enum tn_code tn_dmap_load(const char *path, struct tn_dmap *m, struct tn_err *err);
/* The same from a text in memory. */
enum tn_code tn_dmap_parse(const char *text, size_t len, struct tn_dmap *m, struct tn_err *err);
void tn_dmap_free(struct tn_dmap *m);
/* The district of `code`, or NULL. */
const struct tn_dmap_district *tn_dmap_find(const struct tn_dmap *m, const char *code);

/*
 * A projection of a lon/lat box onto cols x rows cells of braille dots
 * (2 x 4 a cell, about square on a terminal): east-west distances shrink by
 * the cosine of the box's middle latitude, the box is fitted whole and centred.
 */
struct tn_dmap_proj {
	int cols, rows;         /* cells */
	double scale;           /* dots a degree of latitude */
	double lon0, lat1;      /* the west and north edges of the drawing */
	double kx;              /* cos(middle latitude) */
	double ox, oy;          /* the margin in dots */
};

void tn_dmap_proj_init(struct tn_dmap_proj *p, const double box[4], int cols, int rows);
/* The dot (x right, y down) of lon/lat; 1 when it falls on the grid. */
int tn_dmap_project(const struct tn_dmap_proj *p, double lon, double lat, int *x, int *y);
/* The same to a cell: column and row. */
int tn_dmap_cell(const struct tn_dmap_proj *p, double lon, double lat, int *col, int *row);

/* A bitmap of braille cells: one byte a cell, bit i the dot of Unicode's order (U+2800 + bits). */
struct tn_braille {
	int cols, rows;
	uint8_t *cells;
};

void tn_braille_init(struct tn_braille *b, int cols, int rows);
void tn_braille_free(struct tn_braille *b);
/* Set dot x, y (ignored off the grid). */
void tn_braille_set(struct tn_braille *b, int x, int y);
/* A straight line of dots from x0,y0 to x1,y1 (Bresenham). */
void tn_braille_line(struct tn_braille *b, int x0, int y0, int x1, int y1);
/* The UTF-8 of a cell's braille character (U+2800..U+28FF) in buf[4]; its length (3). */
int tn_braille_utf8(uint8_t bits, char buf[4]);
/* Draw every district's outline. */
void tn_dmap_draw(const struct tn_dmap *m, const struct tn_dmap_proj *p, struct tn_braille *b);

#endif
