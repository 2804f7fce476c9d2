/* dispatch.c — which free pump truck goes to which flooded point by travel time, the routes (green channels) and the closed roads they avoid, and re-planning when water closes a route in use. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_jv.h"
#include "tn_roadgraph.h"

struct cand {
	int truck;
	double eta;
	struct tn_route route;  /* taken from the search that found it */
};

struct pstate {
	int node;
	double access_s;        /* from the point's position to its node */
	struct cand *c;
	int nc, cap, next;      /* candidates, the first not yet looked at */
	int complete;           /* the last search found every truck it could reach */
	int met_closed;         /* the last search passed a closed road by */
	int reached_any;
};

struct plan {
	const struct tn_roadgraph *g;
	const unsigned char *closed;
	const struct tn_truck *trucks;
	int nt;
	const struct tn_flood_point *points;
	int np;
	int k;
	int *tnode;             /* each truck's node */
	double *taccess;        /* seconds from its position to the node */
	int *at_head, *at_next; /* trucks at each node */
	unsigned char *taken;
	struct pstate *ps;
	struct tn_roadsearch *s;
	struct pstate *cur;     /* the point being searched */
};

static double access_s(double m, double kmh)
{
	return m / (kmh / 3.6);
}

static int on_settled(void *ctx, int node, double t)
{
	struct plan *pl = ctx;
	struct pstate *p = pl->cur;

	for (int i = pl->at_head[node]; i >= 0; i = pl->at_next[i]) {
		p->reached_any = 1;
		if (pl->taken[i])
			continue;
		if (p->nc == p->cap) {
			p->cap = p->cap ? p->cap * 2 : 8;
			p->c = tn_xrealloc(p->c, p->cap * sizeof(*p->c));
		}
		p->c[p->nc] = (struct cand){ i, t + pl->taccess[i] + p->access_s, { 0 } };
		tn_roadsearch_route(pl->s, node, &p->c[p->nc].route);
		p->nc++;
	}
	return p->nc >= pl->k;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return x->eta < y->eta ? -1 : x->eta > y->eta ? 1 : x->truck - y->truck;
}

/* Search from point `p` for its nearest `k` trucks not taken. */
static void cands_release(struct pstate *p)
{
	for (int i = 0; i < p->nc; i++)
		tn_route_release(&p->c[i].route);
	p->nc = p->next = 0;
}

static void search_point(struct plan *pl, struct pstate *p)
{
	cands_release(p);
	pl->cur = p;
	tn_roadsearch_run(pl->s, pl->closed, p->node, on_settled, pl);
	p->complete = p->nc < pl->k;
	p->met_closed = tn_roadsearch_met_closed(pl->s);
	if (p->nc > 1)
		qsort(p->c, p->nc, sizeof(*p->c), cand_cmp);
}

/* The first candidate of `p` not taken (searching again when they all are), or NULL. */
static struct cand *best_of(struct plan *pl, struct pstate *p)
{
	for (;;) {
		while (p->next < p->nc && pl->taken[p->c[p->next].truck])
			p->next++;
		if (p->next < p->nc)
			return &p->c[p->next];
		if (p->complete)
			return NULL;
		search_point(pl, p);
	}
}

static int point_cmp(const void *a, const void *b, void *ctx)
{
	const struct tn_flood_point *pts = ctx;
	const struct tn_flood_point *x = &pts[*(const int *)a], *y = &pts[*(const int *)b];

	if (x->priority != y->priority)
		return x->priority - y->priority;
	if (x->depth_m != y->depth_m)
		return x->depth_m > y->depth_m ? -1 : 1;
	return *(const int *)a - *(const int *)b;
}

/*
 * Proposal `pr` for candidate `c` (its route moved in) and, when the search
 * passed closed roads by, the open route's cost and the closed edges it
 * would take.
 */
static void route_of(struct plan *pl, struct tn_proposal *pr, struct cand *c)
{
	int from = pl->tnode[pr->truck], to = pl->ps[pr->point].node;
	double extra = pl->taccess[pr->truck] + pl->ps[pr->point].access_s;
	struct tn_route open;

	pr->route = c->route;
	memset(&c->route, 0, sizeof(c->route));
	pr->eta_s = c->eta;
	pr->open_eta_s = pr->eta_s;
	/* the open route is another only when the search passed a closed road by */
	if (!pl->closed || !pl->ps[pr->point].met_closed ||
	    tn_roadgraph_route(pl->s, NULL, from, to, &open) < 0)
		return;
	if (open.time_s + 0.5 < pr->route.time_s) {
		pr->open_eta_s = open.time_s + extra;
		pr->avoided = tn_xmalloc((open.n + 1) * sizeof(int));
		for (int i = 0; i + 1 < open.n; i++)
			if (pl->closed[open.edges[i]])
				pr->avoided[pr->n_avoided++] = open.edges[i];
	}
	tn_route_release(&open);
}

/* Assign within one priority: the earliest arrival first, again and again. */
static void assign_level(struct plan *pl, int *idx, int n, struct tn_proposal *out, int *nout)
{
	for (int i = 0; i < n; i++)
		search_point(pl, &pl->ps[idx[i]]);
	while (n > 0) {
		int bi = -1;
		struct cand *best = NULL;

		for (int i = 0; i < n; i++) {
			struct cand *c = best_of(pl, &pl->ps[idx[i]]);

			if (c && (!best || c->eta < best->eta)) {
				best = c;
				bi = i;
			}
		}
		if (!best)
			break;
		struct tn_proposal *pr = &out[(*nout)++];

		memset(pr, 0, sizeof(*pr));
		pr->point = idx[bi];
		pr->truck = best->truck;
		pl->taken[best->truck] = 1;
		route_of(pl, pr, best);
		idx[bi] = idx[--n];
	}
	for (int i = 0; i < n; i++) {   /* none can come: in their order */
		struct tn_proposal *pr = &out[(*nout)++];

		memset(pr, 0, sizeof(*pr));
		pr->point = idx[i];
		pr->truck = -1;
		pr->unreachable = !pl->ps[idx[i]].reached_any;
	}
}

int tn_dispatch_plan(const struct tn_roadgraph *g, const unsigned char *closed,
		     const struct tn_truck *trucks, int nt, const struct tn_flood_point *points,
		     int np, const struct tn_dispatch_opts *o, struct tn_proposal **out)
{
	struct tn_dispatch_opts def = TN_DISPATCH_OPTS_INIT;
	struct plan pl;
	int nn = tn_roadgraph_node_count(g), nout = 0, *order;
	double d;

	if (!o)
		o = &def;
	memset(&pl, 0, sizeof(pl));
	pl.g = g;
	pl.closed = closed;
	pl.trucks = trucks;
	pl.nt = nt;
	pl.points = points;
	pl.np = np;
	pl.k = o->candidates > 0 ? o->candidates : 3;
	pl.tnode = tn_xmalloc((nt + 1) * sizeof(int));
	pl.taccess = tn_xmalloc((nt + 1) * sizeof(double));
	pl.at_next = tn_xmalloc((nt + 1) * sizeof(int));
	pl.taken = tn_xcalloc(nt + 1, 1);
	pl.at_head = tn_xmalloc((nn + 1) * sizeof(int));
	memset(pl.at_head, 0xff, (nn + 1) * sizeof(int));
	for (int i = nt - 1; i >= 0; i--) {
		pl.tnode[i] = tn_roadgraph_nearest(g, trucks[i].lat, trucks[i].lon, &d);
		if (pl.tnode[i] < 0)
			continue;       /* no road at all: found by no search */
		pl.taccess[i] = access_s(d, o->access_kmh > 0 ? o->access_kmh : 15);
		pl.at_next[i] = pl.at_head[pl.tnode[i]];
		pl.at_head[pl.tnode[i]] = i;
	}
	pl.ps = tn_xcalloc(np + 1, sizeof(*pl.ps));
	for (int i = 0; i < np; i++) {
		pl.ps[i].node = tn_roadgraph_nearest(g, points[i].lat, points[i].lon, &d);
		pl.ps[i].access_s = access_s(d, o->access_kmh > 0 ? o->access_kmh : 15);
	}
	pl.s = tn_roadsearch_new(g);
	*out = tn_xcalloc(np + 1, sizeof(**out));
	order = tn_xmalloc((np + 1) * sizeof(int));
	for (int i = 0; i < np; i++)
		order[i] = i;
	qsort_r(order, np, sizeof(int), point_cmp, (void *)points);
	for (int i = 0; i < np;) {
		int j = i;

		while (j < np && points[order[j]].priority == points[order[i]].priority)
			j++;
		assign_level(&pl, order + i, j - i, *out, &nout);
		i = j;
	}
	for (int i = 0; i < np; i++) {
		cands_release(&pl.ps[i]);
		free(pl.ps[i].c);
	}
	free(pl.ps);
	free(order);
	free(pl.tnode);
	free(pl.taccess);
	free(pl.at_next);
	free(pl.at_head);
	free(pl.taken);
	tn_roadsearch_free(pl.s);
	return nout;
}

void tn_proposals_free(struct tn_proposal *p, int n)
{
	if (!p)
		return;
	for (int i = 0; i < n; i++) {
		tn_route_release(&p[i].route);
		free(p[i].avoided);
	}
	free(p);
}

/* An edge as {"from","to","name"}. */
static jv edge_json(const struct tn_roadgraph *g, int e)
{
	int a, b;
	const char *name;

	tn_roadgraph_edge(g, e, &a, &b, NULL, NULL, &name);
	return JV_OBJECT(jv_string("from"), jv_string(tn_roadgraph_node_id(g, a)),
			 jv_string("to"), jv_string(tn_roadgraph_node_id(g, b)),
			 jv_string("name"), jv_string(name));
}

/* The names of the roads along `r`, each once, in order. */
static jv roads_json(const struct tn_roadgraph *g, const struct tn_route *r)
{
	jv roads = jv_array();
	const char *last = NULL;

	for (int i = 0; i + 1 < r->n; i++) {
		const char *name;

		tn_roadgraph_edge(g, r->edges[i], NULL, NULL, NULL, NULL, &name);
		if (*name && (!last || strcmp(last, name)) && !tn_jv_array_has_str(roads, name))
			roads = jv_array_append(roads, jv_string(name));
		last = name;
	}
	return roads;
}

static jv num(double v, double scale)
{
	return jv_number(round(v * scale) / scale);
}

jv tn_proposal_json(const struct tn_roadgraph *g, const struct tn_truck *trucks,
		    const struct tn_flood_point *points, const struct tn_proposal *p)
{
	const struct tn_flood_point *pt = &points[p->point];
	jv o = JV_OBJECT(jv_string("point"), jv_string(pt->id),
			 jv_string("task"), tn_jv_string_or_null(pt->task),
			 jv_string("priority"), jv_number(pt->priority),
			 jv_string("depth_m"), num(pt->depth_m, 100),
			 jv_string("lat"), num(pt->lat, 1e6), jv_string("lon"), num(pt->lon, 1e6));
	jv avoided = jv_array();

	if (pt->task && pt->task_version > 0)
		o = jv_object_set(o, jv_string("task_version"), jv_number((double)pt->task_version));
	if (p->truck < 0) {
		o = jv_object_set(o, jv_string("truck"), jv_null());
		o = jv_object_set(o, jv_string("reason"), jv_string(p->unreachable ?
			"no free truck can reach it: the roads to it are closed" :
			"no free truck left: every one is sent to a point before it, or none is free"));
		jv_free(avoided);
		return o;
	}
	for (int i = 0; i < p->n_avoided; i++)
		avoided = jv_array_append(avoided, edge_json(g, p->avoided[i]));
	o = jv_object_set(o, jv_string("truck"), jv_string(trucks[p->truck].id));
	o = jv_object_set(o, jv_string("truck_lat"), num(trucks[p->truck].lat, 1e6));
	o = jv_object_set(o, jv_string("truck_lon"), num(trucks[p->truck].lon, 1e6));
	o = jv_object_set(o, jv_string("eta_s"), jv_number(round(p->eta_s)));
	o = jv_object_set(o, jv_string("length_m"), jv_number(round(p->route.length_m)));
	o = jv_object_set(o, jv_string("roads"), roads_json(g, &p->route));
	o = jv_object_set(o, jv_string("avoided"), avoided);
	o = jv_object_set(o, jv_string("detour_s"), jv_number(round(p->eta_s - p->open_eta_s)));
	return jv_object_set(o, jv_string("route"), tn_route_geojson(g, &p->route));
}

/* ---- re-planning ---- */

/* The closed edges of `r` as JSON, or an empty array. */
static jv crossing(const struct tn_roadgraph *g, const unsigned char *closed,
		   const struct tn_route *r)
{
	jv out = jv_array();

	for (int i = 0; i + 1 < r->n; i++)
		if (closed[r->edges[i]])
			out = jv_array_append(out, edge_json(g, r->edges[i]));
	return out;
}

static jv replan_one(const struct tn_roadgraph *g, const unsigned char *closed, jv acc,
		     struct tn_roadsearch *s, const struct tn_truck *free_trucks, int nt,
		     unsigned char *used, const struct tn_dispatch_opts *o)
{
	jv line = tn_jv_object(acc, "route"), cross, res;
	struct tn_route r, nr;
	double was = jv_number_value(jv_object_get(jv_copy(acc), jv_string("eta_s"))), extra;
	struct tn_flood_point pt;
	struct tn_proposal *pp = NULL;
	int np;

	if (tn_route_from_geojson(g, line, &r) < 0) {
		jv_free(line);
		return jv_invalid();
	}
	jv_free(line);
	cross = crossing(g, closed, &r);
	if (jv_array_length(jv_copy(cross)) == 0) {
		jv_free(cross);
		tn_route_release(&r);
		return jv_invalid();
	}
	extra = was - r.time_s;
	res = JV_OBJECT(jv_string("point"), tn_jv_get(acc, "point"),
			jv_string("task"), tn_jv_get(acc, "task"),
			jv_string("was_truck"), tn_jv_get(acc, "truck"),
			jv_string("was_eta_s"), jv_number(round(was)),
			jv_string("closed"), cross);
	if (tn_roadgraph_route(s, closed, r.nodes[0], r.nodes[r.n - 1], &nr) == 0) {
		res = jv_object_set(res, jv_string("action"), jv_string("rerouted"));
		res = jv_object_set(res, jv_string("truck"), tn_jv_get(acc, "truck"));
		res = jv_object_set(res, jv_string("eta_s"), jv_number(round(nr.time_s + extra)));
		res = jv_object_set(res, jv_string("roads"), roads_json(g, &nr));
		res = jv_object_set(res, jv_string("route"), tn_route_geojson(g, &nr));
		tn_route_release(&nr);
		tn_route_release(&r);
		return res;
	}
	/* its truck cannot get through: the nearest free truck that can */
	memset(&pt, 0, sizeof(pt));
	pt.id = tn_jv_str_or(acc, "point", "");
	pt.lat = jv_number_value(jv_object_get(jv_copy(acc), jv_string("lat")));
	pt.lon = jv_number_value(jv_object_get(jv_copy(acc), jv_string("lon")));
	pt.priority = 1;
	{
		struct tn_truck *ft = tn_xmalloc((nt + 1) * sizeof(*ft));
		int *map = tn_xmalloc((nt + 1) * sizeof(int)), n = 0;

		for (int i = 0; i < nt; i++)
			if (!used[i]) {
				map[n] = i;
				ft[n++] = free_trucks[i];
			}
		np = tn_dispatch_plan(g, closed, ft, n, &pt, 1, o, &pp);
		if (np == 1 && pp[0].truck >= 0) {
			jv j = tn_proposal_json(g, ft, &pt, &pp[0]);

			used[map[pp[0].truck]] = 1;
			res = jv_object_set(res, jv_string("action"), jv_string("reassigned"));
			res = jv_object_set(res, jv_string("truck"), tn_jv_get(j, "truck"));
			res = jv_object_set(res, jv_string("eta_s"), tn_jv_get(j, "eta_s"));
			res = jv_object_set(res, jv_string("roads"), tn_jv_get(j, "roads"));
			res = jv_object_set(res, jv_string("route"), tn_jv_get(j, "route"));
			jv_free(j);
		} else {
			res = jv_object_set(res, jv_string("action"), jv_string("stranded"));
			res = jv_object_set(res, jv_string("truck"), jv_null());
			res = jv_object_set(res, jv_string("reason"), jv_string(
				"its truck cannot get through and no free truck can reach it"));
		}
		tn_proposals_free(pp, np);
		free(ft);
		free(map);
	}
	tn_route_release(&r);
	return res;
}

jv tn_dispatch_replan(const struct tn_roadgraph *g, const unsigned char *closed, jv accepted,
		      const struct tn_truck *free_trucks, int nt, const struct tn_dispatch_opts *o)
{
	struct tn_roadsearch *s = tn_roadsearch_new(g);
	unsigned char *used = tn_xcalloc(nt + 1, 1);
	jv out = jv_array();
	int n = jv_get_kind(accepted) == JV_KIND_ARRAY ? jv_array_length(jv_copy(accepted)) : 0;

	/* a truck already sent is not free */
	for (int i = 0; i < n; i++) {
		jv a = jv_array_get(jv_copy(accepted), i);
		const char *t = tn_jv_str(a, "truck");

		for (int k = 0; t && k < nt; k++)
			if (!strcmp(free_trucks[k].id, t))
				used[k] = 1;
		jv_free(a);
	}
	for (int i = 0; i < n; i++) {
		jv a = jv_array_get(jv_copy(accepted), i), r;

		if (jv_get_kind(a) == JV_KIND_OBJECT && tn_jv_str(a, "truck")) {
			r = replan_one(g, closed, a, s, free_trucks, nt, used, o);
			if (jv_is_valid(r))
				out = jv_array_append(out, r);
		}
		jv_free(a);
	}
	jv_free(accepted);
	free(used);
	tn_roadsearch_free(s);
	return out;
}

jv tn_routes_feature_collection(jv proposals)
{
	static const char *const props[] = { "point", "task", "truck", "eta_s", "length_m", "roads",
					     "action", NULL };
	jv features = jv_array();

	jv_array_foreach(proposals, i, p) {
		jv route = tn_jv_get(p, "route"), pr = jv_object();

		if (jv_get_kind(route) == JV_KIND_OBJECT) {
			for (int k = 0; props[k]; k++)
				if (tn_jv_has(p, props[k]))
					pr = jv_object_set(pr, jv_string(props[k]), tn_jv_get(p, props[k]));
			features = jv_array_append(features,
				JV_OBJECT(jv_string("type"), jv_string("Feature"),
					  jv_string("properties"), pr, jv_string("geometry"), route));
		} else {
			jv_free(route);
			jv_free(pr);
		}
		jv_free(p);
	}
	jv_free(proposals);
	return JV_OBJECT(jv_string("type"), jv_string("FeatureCollection"),
			 jv_string("features"), features);
}
