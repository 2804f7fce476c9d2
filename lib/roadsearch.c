/* roadsearch.c — Dijkstra with a binary heap toward a node over the roads not closed, routes and their GeoJSON. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tn_jv.h"
#include "tnp_roadgraph.h"

struct heap_item {
	double t;
	int node;
};

struct tn_roadsearch {
	const struct tn_roadgraph *g;
	double *t;              /* travel time to the target, valid where stamp == run */
	int *next;              /* the next node toward the target, -1 at the target */
	int *edge;              /* the edge to it */
	unsigned *stamp;
	unsigned char *done;    /* settled in this run (where stamp == run) */
	unsigned run;
	int target;
	int met_closed;         /* the run passed a closed road by */
	struct heap_item *h;
	int nh, caph;
};

struct tn_roadsearch *tn_roadsearch_new(const struct tn_roadgraph *g)
{
	struct tn_roadsearch *s = tn_xcalloc(1, sizeof(*s));

	s->g = g;
	s->t = tn_xmalloc((g->nn + 1) * sizeof(double));
	s->next = tn_xmalloc((g->nn + 1) * sizeof(int));
	s->edge = tn_xmalloc((g->nn + 1) * sizeof(int));
	s->stamp = tn_xcalloc(g->nn + 1, sizeof(unsigned));
	s->done = tn_xcalloc(g->nn + 1, 1);
	s->caph = 1024;
	s->h = tn_xmalloc(s->caph * sizeof(*s->h));
	return s;
}

void tn_roadsearch_free(struct tn_roadsearch *s)
{
	if (!s)
		return;
	free(s->t);
	free(s->next);
	free(s->edge);
	free(s->stamp);
	free(s->done);
	free(s->h);
	free(s);
}

static void heap_push(struct tn_roadsearch *s, double t, int node)
{
	int i;

	if (s->nh == s->caph) {
		s->caph *= 2;
		s->h = tn_xrealloc(s->h, s->caph * sizeof(*s->h));
	}
	for (i = s->nh++; i > 0 && s->h[(i - 1) / 2].t > t; i = (i - 1) / 2)
		s->h[i] = s->h[(i - 1) / 2];
	s->h[i] = (struct heap_item){ t, node };
}

static struct heap_item heap_pop(struct tn_roadsearch *s)
{
	struct heap_item top = s->h[0], last = s->h[--s->nh];
	int i = 0;

	for (;;) {
		int c = 2 * i + 1;

		if (c >= s->nh)
			break;
		if (c + 1 < s->nh && s->h[c + 1].t < s->h[c].t)
			c++;
		if (s->h[c].t >= last.t)
			break;
		s->h[i] = s->h[c];
		i = c;
	}
	if (s->nh)
		s->h[i] = last;
	return top;
}

void tn_roadsearch_run(struct tn_roadsearch *s, const unsigned char *closed, int target,
		       int (*settled)(void *ctx, int node, double time_s), void *ctx)
{
	const struct tn_roadgraph *g = s->g;
	unsigned run;

	if (++s->run == 0) {            /* the stamps wrapped: clear them once */
		memset(s->stamp, 0, g->nn * sizeof(unsigned));
		s->run = 1;
	}
	run = s->run;
	s->target = target;
	s->nh = 0;
	s->met_closed = 0;
	if (target < 0 || target >= g->nn)
		return;
	s->stamp[target] = run;
	s->t[target] = 0;
	s->next[target] = -1;
	s->done[target] = 0;
	heap_push(s, 0, target);
	while (s->nh) {
		struct heap_item it = heap_pop(s);
		int v = it.node;

		if (s->done[v] || it.t > s->t[v])
			continue;
		s->done[v] = 1;
		if (settled && settled(ctx, v, it.t))
			return;
		for (int k = g->in_start[v]; k < g->in_start[v + 1]; k++) {
			const struct arc *a = &g->in[k];
			int u = a->other;
			double t = it.t + g->e[a->edge].time_s;

			if (closed && closed[a->edge]) {
				s->met_closed = 1;
				continue;
			}
			if (s->stamp[u] != run) {
				s->stamp[u] = run;
				s->done[u] = 0;
			} else if (s->done[u] || t >= s->t[u])
				continue;
			s->t[u] = t;
			s->next[u] = v;
			s->edge[u] = a->edge;
			heap_push(s, t, u);
		}
	}
}

void tn_route_release(struct tn_route *r)
{
	free(r->nodes);
	free(r->edges);
	memset(r, 0, sizeof(*r));
}

int tn_roadsearch_route(const struct tn_roadsearch *s, int node, struct tn_route *r)
{
	const struct tn_roadgraph *g = s->g;
	int n = 1;

	memset(r, 0, sizeof(*r));
	if (node < 0 || node >= g->nn || s->stamp[node] != s->run || !s->done[node])
		return -1;
	for (int v = node; s->next[v] >= 0; v = s->next[v])
		n++;
	r->nodes = tn_xmalloc(n * sizeof(int));
	r->edges = tn_xmalloc(n * sizeof(int));
	r->n = n;
	n = 0;
	for (int v = node;; v = s->next[v]) {
		r->nodes[n] = v;
		if (s->next[v] < 0)
			break;
		r->edges[n] = s->edge[v];
		r->length_m += g->e[s->edge[v]].length_m;
		n++;
	}
	r->time_s = s->t[node];
	return 0;
}

int tn_roadsearch_met_closed(const struct tn_roadsearch *s)
{
	return s->met_closed;
}

struct stop_at {
	int node;
};

static int stop_at(void *ctx, int node, double t)
{
	return node == ((struct stop_at *)ctx)->node;
}

int tn_roadgraph_route(struct tn_roadsearch *s, const unsigned char *closed, int from, int to,
		       struct tn_route *r)
{
	struct stop_at st = { from };

	tn_roadsearch_run(s, closed, to, stop_at, &st);
	return tn_roadsearch_route(s, from, r);
}

jv tn_route_geojson(const struct tn_roadgraph *g, const struct tn_route *r)
{
	jv c = jv_array();

	for (int i = 0; i < r->n; i++) {
		int v = r->nodes[i];

		c = jv_array_append(c, JV_ARRAY(jv_number(round(g->lon[v] * 1e6) / 1e6),
						jv_number(round(g->lat[v] * 1e6) / 1e6)));
	}
	return JV_OBJECT(jv_string("type"), jv_string("LineString"), jv_string("coordinates"), c);
}

/* The fastest edge from node a to node b, or -1. */
static int edge_between(const struct tn_roadgraph *g, int a, int b)
{
	int best = -1;

	for (int k = g->in_start[b]; k < g->in_start[b + 1]; k++)
		if (g->in[k].other == a && (best < 0 || g->e[g->in[k].edge].time_s < g->e[best].time_s))
			best = g->in[k].edge;
	return best;
}

int tn_route_from_geojson(const struct tn_roadgraph *g, jv line, struct tn_route *r)
{
	jv c = tn_jv_array(line, "coordinates");
	int n = jv_array_length(jv_copy(c)), ok = n > 0;

	memset(r, 0, sizeof(*r));
	r->nodes = tn_xmalloc((n + 1) * sizeof(int));
	r->edges = tn_xmalloc((n + 1) * sizeof(int));
	for (int i = 0; ok && i < n; i++) {
		jv p = jv_array_get(jv_copy(c), i);
		double d;
		int v = -1;

		if (jv_get_kind(p) == JV_KIND_ARRAY && jv_array_length(jv_copy(p)) >= 2) {
			jv lon = jv_array_get(jv_copy(p), 0), lat = jv_array_get(jv_copy(p), 1);

			if (jv_get_kind(lon) == JV_KIND_NUMBER && jv_get_kind(lat) == JV_KIND_NUMBER) {
				v = tn_roadgraph_nearest(g, jv_number_value(lat), jv_number_value(lon), &d);
				if (v >= 0 && d > 1.0)
					v = -1;
			}
			jv_free(lon);
			jv_free(lat);
		}
		jv_free(p);
		r->nodes[i] = v;
		if (v < 0)
			ok = 0;
		else if (i > 0) {
			int e = edge_between(g, r->nodes[i - 1], v);

			if (e < 0)
				ok = 0;
			else {
				r->edges[i - 1] = e;
				r->length_m += g->e[e].length_m;
				r->time_s += g->e[e].time_s;
			}
		}
	}
	jv_free(c);
	r->n = n;
	if (!ok)
		tn_route_release(r);
	return ok ? 0 : -1;
}
