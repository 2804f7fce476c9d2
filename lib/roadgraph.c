/* roadgraph.c — the road graph: its text file, the node grid for the nearest node, and roads closed by water. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tn_text.h"
#include "tnp_roadgraph.h"

static uint32_t hash_str(const char *s)
{
	return tn_fnv1a(s, strlen(s));
}

const char *tnp_strtab_get(const struct strtab *t, int i)
{
	return t->arena.buf + t->off[i];
}

static int strtab_find(const struct strtab *t, const char *s)
{
	if (!t->nslot)
		return -1;
	for (uint32_t h = hash_str(s) & (t->nslot - 1);; h = (h + 1) & (t->nslot - 1)) {
		int e = t->slot[h];

		if (!e)
			return -1;
		if (!strcmp(tnp_strtab_get(t, e - 1), s))
			return e - 1;
	}
}

static void strtab_rehash(struct strtab *t, int nslot)
{
	free(t->slot);
	t->nslot = nslot;
	t->slot = tn_xcalloc(nslot, sizeof(int));
	for (int i = 0; i < t->n; i++) {
		uint32_t h = hash_str(tnp_strtab_get(t, i)) & (nslot - 1);

		while (t->slot[h])
			h = (h + 1) & (nslot - 1);
		t->slot[h] = i + 1;
	}
}

/* The entry of `s`, added when new (*added 1). */
static int strtab_intern(struct strtab *t, const char *s, int *added)
{
	int i = strtab_find(t, s);

	*added = i < 0;
	if (i >= 0)
		return i;
	if (t->n == t->cap_off) {
		t->cap_off = t->cap_off ? t->cap_off * 2 : 256;
		t->off = tn_xrealloc(t->off, t->cap_off * sizeof(size_t));
	}
	t->off[t->n] = t->arena.len;
	tn_buf_add(&t->arena, s, strlen(s) + 1);
	i = t->n++;
	if (2 * t->n > t->nslot)
		strtab_rehash(t, t->nslot ? t->nslot * 2 : 512);
	else {
		uint32_t h = hash_str(s) & (t->nslot - 1);

		while (t->slot[h])
			h = (h + 1) & (t->nslot - 1);
		t->slot[h] = i + 1;
	}
	return i;
}

static void strtab_release(struct strtab *t)
{
	tn_buf_release(&t->arena);
	free(t->off);
	free(t->slot);
}

struct tn_roadgraph *tn_roadgraph_new(void)
{
	struct tn_roadgraph *g = tn_xcalloc(1, sizeof(*g));

	tn_buf_init(&g->ids.arena);
	tn_buf_init(&g->names.arena);
	return g;
}

int tn_roadgraph_add_node(struct tn_roadgraph *g, const char *id, double lat, double lon)
{
	int added, i = strtab_intern(&g->ids, id, &added);

	if (!added)
		return -1;
	if (g->nn == g->cap_n) {
		g->cap_n = g->cap_n ? g->cap_n * 2 : 1024;
		g->lat = tn_xrealloc(g->lat, g->cap_n * sizeof(double));
		g->lon = tn_xrealloc(g->lon, g->cap_n * sizeof(double));
	}
	g->lat[i] = lat;
	g->lon[i] = lon;
	g->nn++;
	return i;
}

int tn_roadgraph_add_edge(struct tn_roadgraph *g, int from, int to, double length_m,
			  double speed_kmh, const char *name, int oneway)
{
	struct edge *e;
	int added;

	if (g->ne == g->cap_e) {
		g->cap_e = g->cap_e ? g->cap_e * 2 : 2048;
		g->e = tn_xrealloc(g->e, g->cap_e * sizeof(*g->e));
	}
	e = &g->e[g->ne];
	e->from = from;
	e->to = to;
	e->length_m = (float)length_m;
	e->time_s = (float)(length_m / (speed_kmh / 3.6));
	e->name = name && *name ? strtab_intern(&g->names, name, &added) : -1;
	e->oneway = oneway;
	return g->ne++;
}

static void build_arcs(struct tn_roadgraph *g)
{
	int *fill;

	free(g->in_start);
	free(g->in);
	g->in_start = tn_xcalloc(g->nn + 1, sizeof(int));
	for (int i = 0; i < g->ne; i++) {
		g->in_start[g->e[i].to + 1]++;
		if (!g->e[i].oneway)
			g->in_start[g->e[i].from + 1]++;
	}
	for (int v = 0; v < g->nn; v++)
		g->in_start[v + 1] += g->in_start[v];
	g->in = tn_xmalloc((g->in_start[g->nn] + 1) * sizeof(struct arc));
	fill = tn_xmalloc((g->nn + 1) * sizeof(int));
	memcpy(fill, g->in_start, (g->nn + 1) * sizeof(int));
	for (int i = 0; i < g->ne; i++) {
		struct edge *e = &g->e[i];

		g->in[fill[e->to]++] = (struct arc){ i, e->from };
		if (!e->oneway)
			g->in[fill[e->from]++] = (struct arc){ i, e->to };
	}
	free(fill);
}

/* Metres on the ground, flat over a city (equirectangular): fast, for comparisons. */
static double flat_m(double lat1, double lon1, double lat2, double lon2)
{
	double x = (lon2 - lon1) * DEG * cos((lat1 + lat2) / 2 * DEG), y = (lat2 - lat1) * DEG;

	return EARTH_R * sqrt(x * x + y * y);
}

static int cell_of(const struct tn_roadgraph *g, double lat, double lon, int *cx, int *cy)
{
	int x = (int)floor((lon - g->minlon) / g->cell_lon);
	int y = (int)floor((lat - g->minlat) / g->cell_lat);
	int inside = x >= 0 && y >= 0 && x < g->gw && y < g->gh;

	*cx = x < 0 ? 0 : x >= g->gw ? g->gw - 1 : x;
	*cy = y < 0 ? 0 : y >= g->gh ? g->gh - 1 : y;
	return inside;
}

static void build_grid(struct tn_roadgraph *g)
{
	double maxlat = -1e9, maxlon = -1e9, side;
	int ncell, *fill;
	unsigned char *road;

	free(g->cell_start);
	free(g->cell_node);
	g->minlat = g->minlon = 1e9;
	for (int i = 0; i < g->nn; i++) {
		g->minlat = fmin(g->minlat, g->lat[i]);
		g->minlon = fmin(g->minlon, g->lon[i]);
		maxlat = fmax(maxlat, g->lat[i]);
		maxlon = fmax(maxlon, g->lon[i]);
	}
	if (!g->nn)
		g->minlat = g->minlon = maxlat = maxlon = 0;
	/* about four nodes a cell, cells about square on the ground */
	side = sqrt(fmax((maxlat - g->minlat) * (maxlon - g->minlon) *
			 cos(g->minlat * DEG), 1e-12) / fmax(g->nn / 4.0, 1));
	side = fmax(side, 1e-5);
	g->cell_lat = side;
	g->cell_lon = side / fmax(cos(g->minlat * DEG), 0.01);
	g->gw = (int)((maxlon - g->minlon) / g->cell_lon) + 1;
	g->gh = (int)((maxlat - g->minlat) / g->cell_lat) + 1;
	ncell = g->gw * g->gh;
	g->cell_start = tn_xcalloc(ncell + 1, sizeof(int));
	g->cell_node = tn_xmalloc((g->nn + 1) * sizeof(int));
	/* only nodes on a road: a node no edge touches (real data has them) is no place to start */
	road = tn_xcalloc(g->nn + 1, 1);
	for (int i = 0; i < g->ne; i++)
		road[g->e[i].from] = road[g->e[i].to] = 1;
	for (int i = 0; i < g->nn; i++) {
		int cx, cy;

		if (!road[i])
			continue;
		cell_of(g, g->lat[i], g->lon[i], &cx, &cy);
		g->cell_start[cy * g->gw + cx + 1]++;
	}
	for (int c = 0; c < ncell; c++)
		g->cell_start[c + 1] += g->cell_start[c];
	fill = tn_xmalloc((ncell + 1) * sizeof(int));
	memcpy(fill, g->cell_start, (ncell + 1) * sizeof(int));
	for (int i = 0; i < g->nn; i++) {
		int cx, cy;

		if (!road[i])
			continue;
		cell_of(g, g->lat[i], g->lon[i], &cx, &cy);
		g->cell_node[fill[cy * g->gw + cx]++] = i;
	}
	free(fill);
	free(road);
}

void tn_roadgraph_build(struct tn_roadgraph *g)
{
	build_arcs(g);
	build_grid(g);
	g->max_span_m = 0;
	for (int i = 0; i < g->ne; i++)
		g->max_span_m = fmax(g->max_span_m, flat_m(g->lat[g->e[i].from], g->lon[g->e[i].from],
							   g->lat[g->e[i].to], g->lon[g->e[i].to]));
}

void tn_roadgraph_free(struct tn_roadgraph *g)
{
	if (!g)
		return;
	strtab_release(&g->ids);
	strtab_release(&g->names);
	free(g->lat);
	free(g->lon);
	free(g->e);
	free(g->in_start);
	free(g->in);
	free(g->cell_start);
	free(g->cell_node);
	free(g);
}

/* ---- the file ---- */

/*
 * A plain decimal ([-]DIGITS[.DIGITS], at most 15 digits) the fast way: the
 * digits as a whole number over a power of ten, both exact in a double, so
 * the one division rounds as strtod does.  -1 for anything else.
 */
static int plain_decimal(const char *w, double *out)
{
	static const double p10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
				      1e11, 1e12, 1e13, 1e14, 1e15 };
	unsigned long long m = 0;
	int digits = 0, frac = -1, neg = *w == '-';

	for (w += neg; *w; w++) {
		if (*w == '.' && frac < 0)
			frac = 0;
		else if (*w >= '0' && *w <= '9' && digits < 15) {
			m = m * 10 + (unsigned)(*w - '0');
			digits++;
			if (frac >= 0)
				frac++;
		} else
			return -1;
	}
	if (!digits)
		return -1;
	*out = (double)m / p10[frac > 0 ? frac : 0];
	if (neg)
		*out = -*out;
	return 0;
}

/* A number from word `w` within lo..hi, else -1. */
static int num_word(const char *w, double lo, double hi, double *out)
{
	char *end;

	if (plain_decimal(w, out) < 0) {
		errno = 0;
		*out = strtod(w, &end);
		if (*end || end == w || errno || !isfinite(*out))
			return -1;
	}
	return *out < lo || *out > hi ? -1 : 0;
}

/* Split `line` at blanks into at most `max` words; the rest after the last one in *rest. */
static int split(char *line, char **w, int max, char **rest)
{
	int n = 0;
	char *p = line;

	*rest = NULL;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return n;
		if (n == max) {
			*rest = p;
			return n;
		}
		w[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
}

static enum tn_code parse_line(struct tn_roadgraph *g, char *line, struct tn_err *err)
{
	char *w[5], *rest, *hash = strchr(line, '#');
	double a, b, len, speed;
	int n, from, to;

	if (hash)
		*hash = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	n = split(line, w, 5, &rest);
	if (!n)
		return TN_OK;
	if (!strcmp(w[0], "N")) {
		if (n != 4 || rest)
			return tn_err_set(err, TN_EINVALID, "a node is 'N ID LAT LON'");
		if (num_word(w[2], -90, 90, &a) || num_word(w[3], -180, 180, &b))
			return tn_err_set(err, TN_EINVALID, "node '%s': bad position '%s %s' "
					  "(LAT -90..90, LON -180..180)", w[1], w[2], w[3]);
		if (tn_roadgraph_add_node(g, w[1], a, b) < 0)
			return tn_err_set(err, TN_EINVALID, "node '%s' is defined twice", w[1]);
		return TN_OK;
	}
	if (strcmp(w[0], "E") && strcmp(w[0], "O"))
		return tn_err_set(err, TN_EINVALID, "unknown record '%s' (N, E or O)", w[0]);
	if (n < 5)
		return tn_err_set(err, TN_EINVALID, "an edge is '%s FROM TO LENGTH_M SPEED_KMH [NAME]'",
				  w[0]);
	if ((from = strtab_find(&g->ids, w[1])) < 0)
		return tn_err_set(err, TN_EINVALID, "edge from unknown node '%s' (nodes come first)",
				  w[1]);
	if ((to = strtab_find(&g->ids, w[2])) < 0)
		return tn_err_set(err, TN_EINVALID, "edge to unknown node '%s' (nodes come first)", w[2]);
	if (num_word(w[3], 1e-3, 1e6, &len))
		return tn_err_set(err, TN_EINVALID, "edge %s-%s: length '%s' is not metres above 0",
				  w[1], w[2], w[3]);
	if (num_word(w[4], 1, 200, &speed))
		return tn_err_set(err, TN_EINVALID, "edge %s-%s: speed '%s' is not 1 to 200 km/h",
				  w[1], w[2], w[4]);
	if (rest) {
		size_t l = strlen(rest);

		while (l && (rest[l - 1] == ' ' || rest[l - 1] == '\t'))
			rest[--l] = '\0';
	}
	tn_roadgraph_add_edge(g, from, to, len, speed, rest, w[0][0] == 'O');
	return TN_OK;
}

enum tn_code tn_roadgraph_read(FILE *fp, const char *name, struct tn_roadgraph **out,
			       struct tn_err *err)
{
	struct tn_roadgraph *g = tn_roadgraph_new();
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;

	*out = NULL;
	while (getline(&line, &cap, fp) >= 0) {
		lineno++;
		if (parse_line(g, line, err) != TN_OK) {
			tn_err_prefix(err, "%s:%ld", name, lineno);
			free(line);
			tn_roadgraph_free(g);
			return err->code;
		}
	}
	free(line);
	if (ferror(fp)) {
		tn_roadgraph_free(g);
		return tn_err_set(err, TN_EIO, "%s: cannot read: %s", name, strerror(errno));
	}
	if (!g->ne) {
		tn_roadgraph_free(g);
		return tn_err_set(err, TN_EINVALID, "%s:%ld: no edges: not a road graph", name, lineno);
	}
	tn_roadgraph_build(g);
	*out = g;
	return TN_OK;
}

enum tn_code tn_roadgraph_load(const char *path, struct tn_roadgraph **out, struct tn_err *err)
{
	FILE *fp = fopen(path, "r");
	enum tn_code rc;

	if (!fp) {
		*out = NULL;
		return tn_err_set(err, errno == ENOENT ? TN_ENOTFOUND : TN_EIO,
				  "cannot open road graph '%s': %s", path, strerror(errno));
	}
	rc = tn_roadgraph_read(fp, path, out, err);
	fclose(fp);
	return rc;
}

/* ---- reading the graph ---- */

int tn_roadgraph_node_count(const struct tn_roadgraph *g)
{
	return g->nn;
}

int tn_roadgraph_edge_count(const struct tn_roadgraph *g)
{
	return g->ne;
}

int tn_roadgraph_node_find(const struct tn_roadgraph *g, const char *id)
{
	return strtab_find(&g->ids, id);
}

const char *tn_roadgraph_node_id(const struct tn_roadgraph *g, int node)
{
	return tnp_strtab_get(&g->ids, node);
}

void tn_roadgraph_node_pos(const struct tn_roadgraph *g, int node, double *lat, double *lon)
{
	*lat = g->lat[node];
	*lon = g->lon[node];
}

void tn_roadgraph_edge(const struct tn_roadgraph *g, int edge, int *from, int *to,
		       double *length_m, double *speed_kmh, const char **name)
{
	const struct edge *e = &g->e[edge];

	if (from)
		*from = e->from;
	if (to)
		*to = e->to;
	if (length_m)
		*length_m = e->length_m;
	if (speed_kmh)
		*speed_kmh = e->length_m / e->time_s * 3.6;
	if (name)
		*name = e->name < 0 ? "" : tnp_strtab_get(&g->names, e->name);
}

double tn_geo_dist_m(double lat1, double lon1, double lat2, double lon2)
{
	double dlat = (lat2 - lat1) * DEG, dlon = (lon2 - lon1) * DEG;
	double a = sin(dlat / 2) * sin(dlat / 2) +
		   cos(lat1 * DEG) * cos(lat2 * DEG) * sin(dlon / 2) * sin(dlon / 2);

	return 2 * EARTH_R * asin(fmin(1.0, sqrt(a)));
}

static void scan_cell(const struct tn_roadgraph *g, int cx, int cy, double lat, double lon,
		      int *best, double *bd)
{
	if (cx < 0 || cy < 0 || cx >= g->gw || cy >= g->gh)
		return;
	for (int k = g->cell_start[cy * g->gw + cx]; k < g->cell_start[cy * g->gw + cx + 1]; k++) {
		int i = g->cell_node[k];
		double d = flat_m(lat, lon, g->lat[i], g->lon[i]);

		if (d < *bd) {
			*bd = d;
			*best = i;
		}
	}
}

int tn_roadgraph_nearest(const struct tn_roadgraph *g, double lat, double lon, double *dist_m)
{
	int best = -1, cx, cy;
	double bd = INFINITY, cell_m = EARTH_R * g->cell_lat * DEG;

	if (!g->nn)
		return -1;
	if (!cell_of(g, lat, lon, &cx, &cy)) {
		for (int k = 0; k < g->cell_start[g->gw * g->gh]; k++) {
			int i = g->cell_node[k];
			double d = flat_m(lat, lon, g->lat[i], g->lon[i]);

			if (d < bd) {
				bd = d;
				best = i;
			}
		}
	} else {
		/* rings of cells around the point's; ring r is at least (r - 1) cells away */
		for (int r = 0; r <= g->gw + g->gh; r++) {
			if (best >= 0 && bd <= (r - 1) * cell_m)
				break;
			for (int x = cx - r; x <= cx + r; x++) {
				scan_cell(g, x, cy - r, lat, lon, &best, &bd);
				if (r)
					scan_cell(g, x, cy + r, lat, lon, &best, &bd);
			}
			for (int y = cy - r + 1; y <= cy + r - 1; y++) {
				scan_cell(g, cx - r, y, lat, lon, &best, &bd);
				scan_cell(g, cx + r, y, lat, lon, &best, &bd);
			}
		}
	}
	if (best < 0)
		return -1;
	if (dist_m)
		*dist_m = tn_geo_dist_m(lat, lon, g->lat[best], g->lon[best]);
	return best;
}

/* ---- closures ---- */

unsigned char *tn_roadgraph_closed_new(const struct tn_roadgraph *g)
{
	return tn_xcalloc(g->ne + 1, 1);
}

/* Metres from a point to the segment a-b (flat, over a city). */
static double seg_dist_m(double lat, double lon, double alat, double alon, double blat,
			 double blon)
{
	double k = cos(lat * DEG);
	double ax = (alon - lon) * k, ay = alat - lat, bx = (blon - lon) * k, by = blat - lat;
	double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, t = 0;

	if (l2 > 0)
		t = fmax(0, fmin(1, -(ax * dx + ay * dy) / l2));
	ax += t * dx;
	ay += t * dy;
	return EARTH_R * DEG * sqrt(ax * ax + ay * ay);
}

/* Close the edges into node v passing within radius_m of lat/lon; how many anew. */
static int close_at(const struct tn_roadgraph *g, unsigned char *closed, int v, double lat,
		    double lon, double radius_m)
{
	int n = 0;

	for (int k = g->in_start[v]; k < g->in_start[v + 1]; k++) {
		int i = g->in[k].edge;
		const struct edge *e = &g->e[i];

		if (!closed[i] && seg_dist_m(lat, lon, g->lat[e->from], g->lon[e->from],
					     g->lat[e->to], g->lon[e->to]) <= radius_m) {
			closed[i] = 1;
			n++;
		}
	}
	return n;
}

int tn_roadgraph_close_near(const struct tn_roadgraph *g, unsigned char *closed, double lat,
			    double lon, double depth_m, double passable_m, double radius_m)
{
	/* an edge passing within radius_m has its end within radius_m + its span */
	double reach = radius_m + g->max_span_m;
	double dlat = reach / (EARTH_R * DEG), dlon = dlat / fmax(cos(lat * DEG), 0.01);
	int x0, y0, x1, y1, n = 0;

	if (!(depth_m > passable_m) || !g->nn)
		return 0;
	cell_of(g, lat - dlat, lon - dlon, &x0, &y0);
	cell_of(g, lat + dlat, lon + dlon, &x1, &y1);
	for (int y = y0; y <= y1; y++)
		for (int x = x0; x <= x1; x++)
			for (int k = g->cell_start[y * g->gw + x]; k < g->cell_start[y * g->gw + x + 1]; k++) {
				int v = g->cell_node[k];

				if (flat_m(lat, lon, g->lat[v], g->lon[v]) <= reach)
					n += close_at(g, closed, v, lat, lon, radius_m);
			}
	return n;
}

