/* tn_flood.h — flood-dispatch's inputs (trucks, flooded points, depth alerts, flood history) from NDJSON files or the server, and a proposal applied on the server. */
#ifndef TN_FLOOD_H
#define TN_FLOOD_H

#include <jv.h>

#include "tn_err.h"
#include "tn_http.h"
#include "tn_roadgraph.h"

/* What a record is read as. */
enum tn_flood_kind { TN_FLOOD_TRUCK, TN_FLOOD_POINT, TN_FLOOD_CLOSURE, TN_FLOOD_HISTORY };

/* Everything read, with the strings the structs borrow; tn_flood_input_release frees it. */
struct tn_flood_input {
	struct tn_truck *trucks;
	long long *truck_version;       /* each truck's asset version (0: not known) */
	int nt, cap_t;
	int not_free;                   /* trucks read but left out: not free */
	struct tn_flood_point *points;
	int np, cap_p;
	int unplaced;                   /* flood tasks of the server left out: no place known */
	double *depths;                 /* lat, lon, depth (m) of each depth alert */
	int nd, cap_d;
	struct tn_flood_history *hist;
	int nh, cap_h;
	char **strs;
	int ns, cap_s;
};

void tn_flood_input_release(struct tn_flood_input *in);

/*
 * One record (borrowed) read as `kind`; TN_EINVALID naming the member at
 * fault.  A truck: {"id","lat","lon","capacity_m3h"} or an ASSET (its
 * props.capacity_m3h; one of another kind, or not free, is left out).  A
 * point: {"id","lat","lon","depth_m","priority"} ("point" for "id": a
 * proposal read back), a flood_point ASSET, an
 * ALERT (its location, value and severity: red 1 ... blue 4) or a TASK (its
 * last alert's; dispatched as the task, under its version).  A depth alert:
 * {"lat","lon","depth_m"} or an ALERT with a value in m (or cm, mm).  A history line:
 * {"point","district","lat","lon","count","max_depth_m"} ("max_depth" too).
 */
enum tn_code tn_flood_add(struct tn_flood_input *in, enum tn_flood_kind kind, jv rec,
			  struct tn_err *err);

/* Every NDJSON line of file `path` ("-": stdin) read as `kind`; "FILE:LINE: what" on a bad one. */
enum tn_code tn_flood_read_file(struct tn_flood_input *in, enum tn_flood_kind kind,
				const char *path, struct tn_err *err);

/* A bit of tn_flood_fetch's `what`. */
#define TN_FLOOD_WANT(kind) (1u << (kind))

/*
 * The server's state, what `what` asks for (TN_FLOOD_WANT bits): the free
 * trucks (GET /v1/assets?kind=vehicle&state=free), the flood tasks still to
 * dispatch (GET /v1/tasks?status=generated&kind=KINDS) and the open alerts
 * of KINDS with a depth (GET /v1/alerts), every page.  `kinds`: the alert
 * kinds of flooding, ','-separated.  A task whose alert has no place is
 * counted in in->unplaced and left out; an alert without a place or a
 * depth closes nothing.
 */
enum tn_code tn_flood_fetch(struct tn_client *c, struct tn_flood_input *in, const char *kinds,
			    unsigned what, struct tn_err *err);

/*
 * The history of flood alerts per point from the server: every alert of
 * `kinds` (GET /v1/alerts, every page) counted by its source (else its
 * position), with the deepest value and its district.
 */
enum tn_code tn_flood_fetch_history(struct tn_client *c, struct tn_flood_input *in,
				    const char *kinds, struct tn_err *err);

/*
 * The roads closed by the depth alerts deeper than `passable_m` within
 * `radius_m` (tn_roadgraph_close_near), leaving out the water at the points
 * being served (within `radius_m` of one): a truck sent there works from
 * its edge.  The number of edges closed in *n.  Free with free().
 */
unsigned char *tn_flood_closed(const struct tn_roadgraph *g, const struct tn_flood_input *in,
			       double passable_m, double radius_m, int *n);

/*
 * Accept proposal `p` (borrowed, as tn_proposal_json writes it): the task
 * dispatched with the truck as its crew (POST /v1/tasks/{id}/actions under
 * the task's version), then the truck marked en route (POST
 * /v1/assets/{truck}/state {"state":"en_route"}, If-Match its version when
 * known).  {"point","task","truck","task_version","truck_state"} in *out.
 * A proposal without a truck or a task is TN_EINVALID saying so.
 */
enum tn_code tn_flood_apply(struct tn_client *c, jv p, long long truck_version, jv *out,
			    struct tn_err *err);

#endif
