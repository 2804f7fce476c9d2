/* tn_roadgraph.h — a road graph (nodes, edges with length and speed), nearest nodes, fastest routes, roads closed by water; pump-truck dispatch and pre-deployment on it. */
#ifndef TN_ROADGRAPH_H
#define TN_ROADGRAPH_H

#include <stdio.h>
#include <jv.h>

#include "tn_err.h"

/*
 * The graph file, text, one record a line, '#' to the end of a line a comment:
 *   N ID LAT LON                          a node (ID any word without blanks)
 *   E FROM TO LENGTH_M SPEED_KMH [NAME]   a road both ways between two nodes
 *   O FROM TO LENGTH_M SPEED_KMH [NAME]   a one-way road FROM to TO
 * A node is defined before the edges that use it; NAME is the rest of the
 * line (may hold blanks, e.g. 中山东一路).  LENGTH_M above 0, SPEED_KMH 1 to
 * 200, LAT -90..90, LON -180..180.  Anything else is refused as FILE:LINE.
 */
struct tn_roadgraph;

/* A route over the graph (tn_route_release frees its arrays). */
struct tn_route {
	int *nodes;         /* node indexes, from the start to the end (n of them) */
	int *edges;         /* edge indexes between them (n - 1) */
	int n;
	double time_s;      /* travel time along the edges */
	double length_m;
};

/* An empty graph to fill with _add_node and _add_edge, then tn_roadgraph_build. */
struct tn_roadgraph *tn_roadgraph_new(void);
/* Node `id` (copied) at lat/lon: its index, or -1 when `id` is already a node. */
int tn_roadgraph_add_node(struct tn_roadgraph *g, const char *id, double lat, double lon);
/* An edge between node indexes (both ways unless `oneway`); `name` may be NULL.  Its index. */
int tn_roadgraph_add_edge(struct tn_roadgraph *g, int from, int to, double length_m,
			  double speed_kmh, const char *name, int oneway);
/* Index the graph for searches once every node and edge is in.  Cannot fail. */
void tn_roadgraph_build(struct tn_roadgraph *g);

/* Read and build a graph file (format above); "FILE:LINE: what" TN_EINVALID on a bad line. */
enum tn_code tn_roadgraph_read(FILE *fp, const char *name, struct tn_roadgraph **out,
			       struct tn_err *err);
/* tn_roadgraph_read of the file at `path` (TN_ENOTFOUND when it cannot be opened). */
enum tn_code tn_roadgraph_load(const char *path, struct tn_roadgraph **out, struct tn_err *err);
void tn_roadgraph_free(struct tn_roadgraph *g);

int tn_roadgraph_node_count(const struct tn_roadgraph *g);
int tn_roadgraph_edge_count(const struct tn_roadgraph *g);
/* Node index of `id`, or -1. */
int tn_roadgraph_node_find(const struct tn_roadgraph *g, const char *id);
const char *tn_roadgraph_node_id(const struct tn_roadgraph *g, int node);
void tn_roadgraph_node_pos(const struct tn_roadgraph *g, int node, double *lat, double *lon);
/* An edge's ends, length, speed and name ("" when none). */
void tn_roadgraph_edge(const struct tn_roadgraph *g, int edge, int *from, int *to,
		       double *length_m, double *speed_kmh, const char **name);

/* Metres between two positions (haversine). */
double tn_geo_dist_m(double lat1, double lon1, double lat2, double lon2);

/* The node on a road nearest lat/lon (its distance in *dist_m when not NULL), -1 when none. */
int tn_roadgraph_nearest(const struct tn_roadgraph *g, double lat, double lon, double *dist_m);

/*
 * Closures: one byte per edge, nonzero = closed (tn_roadgraph_closed_new,
 * freed with free()).  tn_roadgraph_close_near closes every edge passing
 * within `radius_m` of lat/lon when `depth_m` is above `passable_m` (a
 * water-depth alert on the road); returns how many edges it closed anew.
 * A flooded point's own alert is not a closure for the trucks sent to it:
 * the caller leaves it out.
 */
unsigned char *tn_roadgraph_closed_new(const struct tn_roadgraph *g);
int tn_roadgraph_close_near(const struct tn_roadgraph *g, unsigned char *closed, double lat,
			    double lon, double depth_m, double passable_m, double radius_m);

/*
 * A search toward one node over the roads not closed: Dijkstra with a
 * binary heap on the reversed edges, so that each node it settles is
 * reached with its fastest travel time TO the target.  `settled` is called for each node in order of
 * travel time; a nonzero return stops the search.  Reusable, one at a time.
 */
struct tn_roadsearch;
struct tn_roadsearch *tn_roadsearch_new(const struct tn_roadgraph *g);
void tn_roadsearch_free(struct tn_roadsearch *s);
void tn_roadsearch_run(struct tn_roadsearch *s, const unsigned char *closed, int target,
		       int (*settled)(void *ctx, int node, double time_s), void *ctx);
/* After a run: 1 when it passed a closed road by (without closures it might have gone another way). */
int tn_roadsearch_met_closed(const struct tn_roadsearch *s);
/* After a run: the route from `node` (settled) to the target into *r (tn_route_release). */
int tn_roadsearch_route(const struct tn_roadsearch *s, int node, struct tn_route *r);
/* The fastest route from node `from` to node `to`: 0, or -1 when none (r left empty). */
int tn_roadgraph_route(struct tn_roadsearch *s, const unsigned char *closed, int from, int to,
		       struct tn_route *r);
void tn_route_release(struct tn_route *r);

/* The route as a GeoJSON LineString ([lon, lat] pairs), owned. */
jv tn_route_geojson(const struct tn_roadgraph *g, const struct tn_route *r);
/* The route back from a GeoJSON LineString of node positions; -1 when a pair is no edge. */
int tn_route_from_geojson(const struct tn_roadgraph *g, jv line, struct tn_route *r);

/* ---- dispatch (lib/dispatch.c) ---- */

struct tn_truck {
	const char *id;             /* borrowed */
	double lat, lon;
	double capacity_m3h;        /* 0 when not known */
};

struct tn_flood_point {
	const char *id;             /* borrowed */
	double lat, lon;
	double depth_m;
	int priority;               /* 1 (highest) to 4 */
	const char *task;           /* the task to dispatch, or NULL */
	long long task_version;
};

struct tn_dispatch_opts {
	int candidates;             /* trucks kept per point per search (default 3) */
	double access_kmh;          /* off the graph to the nearest node (default 15) */
};
#define TN_DISPATCH_OPTS_INIT { 3, 15.0 }

struct tn_proposal {
	int point, truck;           /* indexes; truck -1: none can come */
	double eta_s;
	struct tn_route route;
	double open_eta_s;          /* the same trip with no road closed (avoided: what it costs) */
	int *avoided;               /* closed edges the open route would have taken */
	int n_avoided;
	int unreachable;            /* truck -1: 1 when no free truck could reach it at all */
};

/*
 * Which free truck goes to which point: the points by priority (1 first,
 * then the deepest), and within one priority the pair of point and free
 * truck with the earliest arrival first, again and again (greedy; the
 * flood room wants the worst-hit point served first, not the least total
 * driving).  Travel times are searched on the graph from each point,
 * keeping its nearest few trucks and searching again only when all of them
 * are taken.  `closed` may be NULL.  *out gets one proposal per point
 * (np of them, in the order decided); free with tn_proposals_free.
 */
int tn_dispatch_plan(const struct tn_roadgraph *g, const unsigned char *closed,
		     const struct tn_truck *trucks, int nt, const struct tn_flood_point *points,
		     int np, const struct tn_dispatch_opts *o, struct tn_proposal **out);
void tn_proposals_free(struct tn_proposal *p, int n);
/* A proposal as JSON: {"point","truck","eta_s","length_m","route","roads","avoided",...}. */
jv tn_proposal_json(const struct tn_roadgraph *g, const struct tn_truck *trucks,
		    const struct tn_flood_point *points, const struct tn_proposal *p);

/*
 * The routes of `proposals` (consumed: an array as tn_proposal_json or
 * tn_dispatch_replan write them) as one GeoJSON FeatureCollection for a
 * map or traffic command: a LineString Feature a route, its properties
 * point, task, truck, eta_s, length_m, roads (and action); a proposal
 * without a route is left out.
 */
jv tn_routes_feature_collection(jv proposals);

/*
 * Re-plan after new closures: each accepted proposal (an array of them
 * as tn_proposal_json writes them, consumed) whose route crosses a closed edge
 * is re-routed from its truck's start, or, when its truck cannot get
 * through any more, given the nearest free truck that can; each one
 * touched is a JSON object in the returned array ("action": "rerouted",
 * "reassigned" or "stranded"), the untouched ones are left out.
 */
jv tn_dispatch_replan(const struct tn_roadgraph *g, const unsigned char *closed, jv accepted,
		      const struct tn_truck *free_trucks, int nt, const struct tn_dispatch_opts *o);

/* ---- pre-deployment (lib/predeploy.c) ---- */

/* A point's flood history: how often it was flooded, and how deep at most. */
struct tn_flood_history {
	const char *point, *district, *name;    /* borrowed; name may be NULL */
	double lat, lon;
	long count;
	double max_depth_m;
};

struct tn_predeploy_opts {
	double drain_mmh;           /* the rain per hour the drains take (default 36) */
	double stage_depth_m;       /* stage a truck when the expected depth reaches it (0.15) */
	int max_stage;              /* at most this many points staged (0: every one expected deep enough) */
};
#define TN_PREDEPLOY_OPTS_INIT { 36.0, 0.15, 0 }

/* The forecast: mm per district and hour, from NDJSON {"district","hour","mm"} lines. */
struct tn_forecast;
struct tn_forecast *tn_forecast_new(void);
void tn_forecast_free(struct tn_forecast *f);
/* One record (borrowed); TN_EINVALID naming the member at fault. */
enum tn_code tn_forecast_add(struct tn_forecast *f, jv rec, struct tn_err *err);

/*
 * Rank the points by the depth expected under the forecast (their
 * district's peak hour against the drains' rate, times the deepest water
 * seen there, weighted by how often it flooded), each with its reasons,
 * and stage the free trucks at the points expected at or above
 * stage_depth_m, nearest by travel time, deepest first.  Returns the
 * ranking, an array of {"rank","point","name","district","expected_depth_m",
 * "peak_mm","peak_hour","total_mm","reasons":[...],"staged","truck"}, a
 * staged point with "stage_by" (its peak hour) and the truck's "eta_s",
 * "roads" and "route", or "reason" when no truck is left for it.
 */
jv tn_predeploy(const struct tn_roadgraph *g, const unsigned char *closed,
		const struct tn_forecast *f, const struct tn_flood_history *h, int nh,
		const struct tn_truck *trucks, int nt, const struct tn_predeploy_opts *o);

#endif
