/* tnp_roadgraph.h — the road graph's insides, shared by roadgraph.c (the file, the grid, closures) and roadsearch.c (Dijkstra, routes) (internal, not installed). */
#ifndef TNP_ROADGRAPH_H
#define TNP_ROADGRAPH_H

#include "tn_buf.h"
#include "tn_roadgraph.h"

#define EARTH_R 6371008.8
#define DEG (M_PI / 180.0)

/* Strings kept once each in one arena, found by an open-addressing hash. */
struct strtab {
	struct tn_buf arena;
	size_t *off;            /* entry -> offset in arena */
	int n, cap_off;
	int *slot;              /* hash slot -> entry + 1, 0 empty */
	int nslot;              /* power of two */
};

struct edge {
	int from, to;
	float length_m, time_s;
	int name;               /* in g->names, -1 none */
	int oneway;
};

/* An arc into a node: over edge `edge` from node `other`. */
struct arc {
	int edge, other;
};

struct tn_roadgraph {
	struct strtab ids, names;
	double *lat, *lon;
	int nn, cap_n;
	struct edge *e;
	int ne, cap_e;
	/* built: arcs into each node (in_start[v] .. in_start[v+1]) */
	int *in_start;
	struct arc *in;
	/* built: the node grid */
	double minlat, minlon, cell_lat, cell_lon;
	int gw, gh;
	int *cell_start, *cell_node;
	double max_span_m;      /* the longest edge end to end, as the crow flies */
};

/* The string of entry i of a string table. */
const char *tnp_strtab_get(const struct strtab *t, int i);

#endif
