/* floodnet.c — flood-dispatch's inputs from NDJSON files or the server (trucks, flooded points, depth alerts, flood history), the roads they close, and a proposal applied: the task dispatched, the truck en route. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_flood.h"
#include "tn_jv.h"
#include "tn_ndjson.h"
#include "tn_tasknet.h"

#define GROW(arr, n, cap) do { \
	if ((n) == (cap)) { \
		(cap) = (cap) ? (cap) * 2 : 16; \
		(arr) = tn_xrealloc((arr), (size_t)(cap) * sizeof(*(arr))); \
	} \
} while (0)

void tn_flood_input_release(struct tn_flood_input *in)
{
	for (int i = 0; i < in->ns; i++)
		free(in->strs[i]);
	free(in->strs);
	free(in->trucks);
	free(in->truck_version);
	free(in->points);
	free(in->depths);
	free(in->hist);
	memset(in, 0, sizeof(*in));
}

/* A copy of `s` kept with the input (NULL for NULL). */
static const char *keep(struct tn_flood_input *in, const char *s)
{
	if (!s)
		return NULL;
	GROW(in->strs, in->ns, in->cap_s);
	return in->strs[in->ns++] = tn_xstrdup(s);
}

/* A number member (a dotted path of one or two names), or NAN. */
static double number_at(jv o, const char *key, const char *sub)
{
	jv v = tn_jv_get(o, key);
	double d = NAN;

	if (sub) {
		jv w = jv_get_kind(v) == JV_KIND_OBJECT ? tn_jv_get(v, sub) : jv_null();

		jv_free(v);
		v = w;
	}
	if (jv_get_kind(v) == JV_KIND_NUMBER)
		d = jv_number_value(v);
	jv_free(v);
	return d;
}

/* The id member as a string kept with the input: a string, or a number written out. */
static const char *id_of(struct tn_flood_input *in, jv rec, const char *key)
{
	jv v = tn_jv_get(rec, key);
	const char *s = NULL;

	if (jv_get_kind(v) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(v)) > 0)
		s = keep(in, jv_string_value(v));
	else if (jv_get_kind(v) == JV_KIND_NUMBER) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%.0f", jv_number_value(v));
		s = keep(in, buf);
	}
	jv_free(v);
	return s;
}

/* Position from "lat"/"lon", else "location": {lat, lon}; 0 when there is one. */
static int position(jv rec, double *lat, double *lon)
{
	*lat = number_at(rec, "lat", NULL);
	*lon = number_at(rec, "lon", NULL);
	if (isnan(*lat) || isnan(*lon)) {
		*lat = number_at(rec, "location", "lat");
		*lon = number_at(rec, "location", "lon");
	}
	return isnan(*lat) || isnan(*lon) || fabs(*lat) > 90 || fabs(*lon) > 180 ? -1 : 0;
}

/* A depth in metres: "depth_m", "depth", else "value" in its unit (m when none; cm, mm). */
static double depth_of(jv rec)
{
	double d = number_at(rec, "depth_m", NULL);
	const char *unit = tn_jv_str(rec, "unit");

	if (isnan(d))
		d = number_at(rec, "depth", NULL);
	if (!isnan(d))
		return d;
	d = number_at(rec, "value", NULL);
	if (!unit || !strcmp(unit, "m"))
		return d;
	if (!strcmp(unit, "cm"))
		return d / 100;
	if (!strcmp(unit, "mm"))
		return d / 1000;
	return NAN;
}

static int priority_of(jv rec)
{
	static const char *sev[] = { "red", "orange", "yellow", "blue" };
	double p = number_at(rec, "priority", NULL);
	const char *s = tn_jv_str(rec, "severity");

	if (!isnan(p) && p >= 1 && p <= 4)
		return (int)p;
	for (int i = 0; s && i < 4; i++)
		if (!strcmp(s, sev[i]))
			return i + 1;
	return 2;
}

static enum tn_code add_truck(struct tn_flood_input *in, jv rec, struct tn_err *err)
{
	const char *kind = tn_jv_str(rec, "kind"), *state = tn_jv_str(rec, "state");
	struct tn_truck t;
	double cap = number_at(rec, "capacity_m3h", NULL);

	if (kind && strcmp(kind, "vehicle"))
		return TN_OK;
	if (state && strcmp(state, "free")) {
		in->not_free++;
		return TN_OK;
	}
	memset(&t, 0, sizeof(t));
	if (!(t.id = id_of(in, rec, "id")))
		return tn_err_field(err, TN_EINVALID, "id", "a truck has no id");
	if (position(rec, &t.lat, &t.lon) < 0)
		return tn_err_field(err, TN_EINVALID, "lat", "truck '%s' has no position (lat, lon)",
				    t.id);
	if (isnan(cap))
		cap = number_at(rec, "props", "capacity_m3h");
	t.capacity_m3h = isnan(cap) ? 0 : cap;
	GROW(in->trucks, in->nt, in->cap_t);
	in->truck_version = tn_xrealloc(in->truck_version, in->cap_t * sizeof(long long));
	in->truck_version[in->nt] = tn_jv_long(rec, "version", 0);
	in->trucks[in->nt++] = t;
	return TN_OK;
}

static enum tn_code add_point(struct tn_flood_input *in, jv rec, struct tn_err *err)
{
	struct tn_flood_point p;
	jv src = jv_copy(rec);
	enum tn_code rc = TN_OK;

	memset(&p, 0, sizeof(p));
	if (tn_jv_has(rec, "last_alert") && tn_jv_has(rec, "status")) {   /* a TASK */
		jv_free(src);
		src = tn_jv_object(rec, "last_alert");
		p.task = id_of(in, rec, "id");
		p.task_version = tn_jv_long(rec, "version", 0);
		p.id = tn_jv_str(rec, "key") ? keep(in, tn_jv_str(rec, "key")) : p.task;
		p.priority = priority_of(rec);
	} else {
		p.id = id_of(in, rec, "id");
		if (!p.id)
			p.id = id_of(in, rec, "point");
		p.priority = priority_of(rec);
		if (tn_jv_has(rec, "task"))
			p.task = id_of(in, rec, "task");
		p.task_version = tn_jv_long(rec, "task_version", 0);
	}
	p.depth_m = depth_of(src);
	if (isnan(p.depth_m))
		p.depth_m = 0;
	if (!p.id)
		rc = tn_err_field(err, TN_EINVALID, "id", "a flooded point has no id");
	else if (position(src, &p.lat, &p.lon) < 0)
		rc = tn_err_field(err, TN_EINVALID, "lat",
				  "flooded point '%s' has no position (lat, lon or location)", p.id);
	jv_free(src);
	if (rc != TN_OK)
		return rc;
	GROW(in->points, in->np, in->cap_p);
	in->points[in->np++] = p;
	return TN_OK;
}

static enum tn_code add_depth(struct tn_flood_input *in, jv rec, struct tn_err *err)
{
	double lat, lon, d = depth_of(rec);

	if (position(rec, &lat, &lon) < 0)
		return tn_err_field(err, TN_EINVALID, "lat", "a depth alert has no position");
	if (isnan(d))
		return tn_err_field(err, TN_EINVALID, "depth_m", "a depth alert has no depth in m "
				    "(depth_m, or value with unit m)");
	if (in->nd * 3 + 3 > in->cap_d) {
		in->cap_d = in->cap_d ? in->cap_d * 2 : 48;
		in->depths = tn_xrealloc(in->depths, in->cap_d * sizeof(double));
	}
	in->depths[in->nd * 3] = lat;
	in->depths[in->nd * 3 + 1] = lon;
	in->depths[in->nd * 3 + 2] = d;
	in->nd++;
	return TN_OK;
}

static enum tn_code add_history(struct tn_flood_input *in, jv rec, struct tn_err *err)
{
	struct tn_flood_history h;
	double md = number_at(rec, "max_depth_m", NULL), count = number_at(rec, "count", NULL);

	memset(&h, 0, sizeof(h));
	if (isnan(md))
		md = number_at(rec, "max_depth", NULL);
	if (!(h.point = id_of(in, rec, "point")))
		return tn_err_field(err, TN_EINVALID, "point", "a history line has no point");
	if (!tn_jv_str(rec, "district"))
		return tn_err_field(err, TN_EINVALID, "district", "point '%s' has no district",
				    h.point);
	if (position(rec, &h.lat, &h.lon) < 0)
		return tn_err_field(err, TN_EINVALID, "lat", "point '%s' has no position", h.point);
	if (isnan(count) || count < 0 || isnan(md) || md < 0)
		return tn_err_field(err, TN_EINVALID, "count", "point '%s': count and max_depth_m "
				    "are numbers from 0", h.point);
	h.district = keep(in, tn_jv_str(rec, "district"));
	h.name = keep(in, tn_jv_str(rec, "name"));
	h.count = (long)count;
	h.max_depth_m = md;
	GROW(in->hist, in->nh, in->cap_h);
	in->hist[in->nh++] = h;
	return TN_OK;
}

enum tn_code tn_flood_add(struct tn_flood_input *in, enum tn_flood_kind kind, jv rec,
			  struct tn_err *err)
{
	if (jv_get_kind(rec) != JV_KIND_OBJECT)
		return tn_err_set(err, TN_EINVALID, "not a JSON object");
	switch (kind) {
	case TN_FLOOD_TRUCK:
		return add_truck(in, rec, err);
	case TN_FLOOD_POINT:
		return add_point(in, rec, err);
	case TN_FLOOD_CLOSURE:
		return add_depth(in, rec, err);
	default:
		return add_history(in, rec, err);
	}
}

enum tn_code tn_flood_read_file(struct tn_flood_input *in, enum tn_flood_kind kind,
				const char *path, struct tn_err *err)
{
	int std = !strcmp(path, "-");
	FILE *fp = std ? stdin : fopen(path, "r");
	struct tn_ndjson r;
	enum tn_code rc = TN_OK;
	jv rec;
	int got;

	if (!fp)
		return tn_err_set(err, errno == ENOENT ? TN_ENOTFOUND : TN_EIO, "cannot open '%s': %s",
				  path, strerror(errno));
	tn_ndjson_init(&r, fp, std ? "stdin" : path);
	while ((got = tn_ndjson_next(&r, &rec, err)) != 0) {
		if (got < 0) {
			rc = err->code;
			break;
		}
		rc = tn_flood_add(in, kind, rec, err);
		jv_free(rec);
		if (rc != TN_OK) {
			tn_err_prefix(err, "%s:%ld", r.name, r.line);
			break;
		}
	}
	tn_ndjson_release(&r);
	if (!std)
		fclose(fp);
	return rc;
}

/* Every item of a list, page after page ({"items", "next"}), each handed to tn_flood_add as `kind`. */
static enum tn_code fetch_all(struct tn_client *c, const char *base, struct tn_flood_input *in,
			      enum tn_flood_kind kind, jv *all, struct tn_err *err)
{
	struct tn_buf path = TN_BUF_INIT;
	enum tn_code rc = TN_OK;
	char *cursor = NULL;

	for (int page = 0; page < 1000 && rc == TN_OK; page++) {
		jv body, items;

		tn_buf_reset(&path);
		tn_buf_addf(&path, "%s%slimit=1000", base, strchr(base, '?') ? "&" : "?");
		if (cursor) {
			tn_buf_adds(&path, "&cursor=");
			tn_url_escape(&path, cursor);
		}
		free(cursor);
		cursor = NULL;
		if ((rc = tn_client_get(c, path.buf, &body, err)) != TN_OK)
			break;
		items = tn_jv_array(body, "items");
		jv_array_foreach(items, i, it) {
			if (all)
				*all = jv_array_append(*all, it);
			else {
				if (rc == TN_OK && (rc = tn_flood_add(in, kind, it, err)) != TN_OK)
					tn_err_prefix(err, "%s", base);
				jv_free(it);
			}
		}
		jv_free(items);
		cursor = tn_jv_strdup(body, "next");
		jv_free(body);
		if (!cursor)
			break;
	}
	free(cursor);
	tn_buf_release(&path);
	return rc;
}

/*
 * A task's last alert with the place and unit of the alert itself (a task
 * keeps its id, value and severity only): from the open alerts read
 * (`by_id`), else GET /v1/alerts/{id}.  `task` consumed, returned.
 */
static jv task_placed(struct tn_client *c, jv task, jv by_id, struct tn_err *err)
{
	jv la = tn_jv_object(task, "last_alert"), id = tn_jv_get(la, "id"), full;
	char key[32];

	if (tn_jv_has(la, "location") || jv_get_kind(id) != JV_KIND_NUMBER) {
		jv_free(la);
		jv_free(id);
		return task;
	}
	snprintf(key, sizeof(key), "%.0f", jv_number_value(id));
	jv_free(id);
	full = jv_object_get(jv_copy(by_id), jv_string(key));
	if (!jv_is_valid(full)) {
		char path[64];
		struct tn_err e2 = TN_ERR_INIT;

		snprintf(path, sizeof(path), "/v1/alerts/%s", key);
		if (tn_client_get(c, path, &full, &e2) != TN_OK)
			full = jv_object();
	}
	la = jv_object_set(la, jv_string("location"), tn_jv_get(full, "location"));
	la = jv_object_set(la, jv_string("unit"), tn_jv_get(full, "unit"));
	jv_free(full);
	(void)err;
	return jv_object_set(task, jv_string("last_alert"), la);
}

enum tn_code tn_flood_fetch(struct tn_client *c, struct tn_flood_input *in, const char *kinds,
			    unsigned what, struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	enum tn_code rc = TN_OK;
	jv alerts = jv_array(), tasks = jv_array(), by_id = jv_object();
	double lat, lon;

	if (what & TN_FLOOD_WANT(TN_FLOOD_TRUCK))
		rc = fetch_all(c, "/v1/assets?kind=vehicle&state=free", in, TN_FLOOD_TRUCK, NULL, err);
	if (rc == TN_OK && (what & (TN_FLOOD_WANT(TN_FLOOD_CLOSURE) | TN_FLOOD_WANT(TN_FLOOD_POINT)))) {
		tn_buf_adds(&b, "/v1/alerts?status=raised,dispatched,acknowledged&kind=");
		tn_url_escape(&b, kinds);
		rc = fetch_all(c, b.buf, in, TN_FLOOD_CLOSURE, &alerts, err);
	}
	if (rc == TN_OK && (what & TN_FLOOD_WANT(TN_FLOOD_POINT))) {
		tn_buf_reset(&b);
		tn_buf_adds(&b, "/v1/tasks?status=generated&kind=");
		tn_url_escape(&b, kinds);
		rc = fetch_all(c, b.buf, in, TN_FLOOD_POINT, &tasks, err);
	}
	jv_array_foreach(alerts, i, a) {
		jv id = tn_jv_get(a, "id");

		if (jv_get_kind(id) == JV_KIND_NUMBER) {
			char key[32];

			snprintf(key, sizeof(key), "%.0f", jv_number_value(id));
			by_id = jv_object_set(by_id, jv_string(key), jv_copy(a));
		}
		jv_free(id);
		/* an alert without a measured depth, or a place, closes nothing */
		if (rc == TN_OK && (what & TN_FLOOD_WANT(TN_FLOOD_CLOSURE)) && !isnan(depth_of(a)) &&
		    position(a, &lat, &lon) == 0)
			rc = add_depth(in, a, err);
		jv_free(a);
	}
	jv_array_foreach(tasks, i, t) {
		jv la;

		t = task_placed(c, t, by_id, err);
		la = tn_jv_object(t, "last_alert");
		if (position(la, &lat, &lon) < 0)
			in->unplaced++;         /* a report without a place: no route to it */
		else if (rc == TN_OK && (rc = add_point(in, t, err)) != TN_OK)
			tn_err_prefix(err, "task %s", tn_jv_str_or(t, "key", "?"));
		jv_free(la);
		jv_free(t);
	}
	jv_free(alerts);
	jv_free(tasks);
	jv_free(by_id);
	tn_buf_release(&b);
	return rc;
}

enum tn_code tn_flood_fetch_history(struct tn_client *c, struct tn_flood_input *in,
				    const char *kinds, struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	jv all = jv_array(), by = jv_object();
	enum tn_code rc;

	tn_buf_adds(&b, "/v1/alerts?kind=");
	tn_url_escape(&b, kinds);
	rc = fetch_all(c, b.buf, in, TN_FLOOD_HISTORY, &all, err);
	jv_array_foreach(all, i, a) {
		double lat, lon, d = depth_of(a);
		char key[64];
		const char *src = tn_jv_str(a, "source");
		jv h;

		if (position(a, &lat, &lon) < 0 || !tn_jv_str(a, "district")) {
			jv_free(a);
			continue;
		}
		if (!src || !*src)
			snprintf(key, sizeof(key), "%.4f,%.4f", lat, lon);
		h = jv_object_get(jv_copy(by), jv_string(src && *src ? src : key));
		if (!jv_is_valid(h))
			h = JV_OBJECT(jv_string("point"), jv_string(src && *src ? src : key),
				      jv_string("district"), tn_jv_get(a, "district"),
				      jv_string("lat"), jv_number(lat), jv_string("lon"), jv_number(lon),
				      jv_string("count"), jv_number(0), jv_string("max_depth_m"),
				      jv_number(0));
		h = jv_object_set(h, jv_string("count"), jv_number(number_at(h, "count", NULL) + 1));
		if (!isnan(d) && d > number_at(h, "max_depth_m", NULL))
			h = jv_object_set(h, jv_string("max_depth_m"), jv_number(d));
		by = jv_object_set(by, jv_string(src && *src ? src : key), h);
		jv_free(a);
	}
	jv_free(all);
	jv_object_foreach(by, k, h) {
		if (rc == TN_OK)
			rc = add_history(in, h, err);
		jv_free(k);
		jv_free(h);
	}
	jv_free(by);
	tn_buf_release(&b);
	return rc;
}

unsigned char *tn_flood_closed(const struct tn_roadgraph *g, const struct tn_flood_input *in,
			       double passable_m, double radius_m, int *n)
{
	unsigned char *closed = tn_roadgraph_closed_new(g);

	*n = 0;
	for (int i = 0; i < in->nd; i++) {
		const double *d = &in->depths[i * 3];
		int own = 0;

		for (int k = 0; k < in->np && !own; k++)
			own = tn_geo_dist_m(d[0], d[1], in->points[k].lat, in->points[k].lon) <= radius_m;
		if (!own)
			*n += tn_roadgraph_close_near(g, closed, d[0], d[1], d[2], passable_m, radius_m);
	}
	return closed;
}

enum tn_code tn_flood_apply(struct tn_client *c, jv p, long long truck_version, jv *out,
			    struct tn_err *err)
{
	const char *truck = tn_jv_str(p, "truck"), *task = tn_jv_str(p, "task");
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_buf path = TN_BUF_INIT;
	long task_id = 0;
	char etag[32];
	jv acted = jv_invalid(), args;
	enum tn_code rc;

	*out = jv_invalid();
	if (!truck)
		return tn_err_set(err, TN_EINVALID, "point '%s' has no truck to send",
				  tn_jv_str_or(p, "point", "?"));
	if (!task || tn_parse_long(task, &task_id) != 0 || task_id < 1)
		return tn_err_set(err, TN_EINVALID, "point '%s' has no task to dispatch (a task id)",
				  tn_jv_str_or(p, "point", "?"));
	args = JV_OBJECT(jv_string("crew"), jv_string(truck));
	rc = tn_task_act_at(c, task_id, tn_jv_long(p, "task_version", 0), jv_invalid(), "dispatch",
			    args, &acted, err);
	jv_free(args);
	if (rc != TN_OK)
		return rc;
	tn_buf_adds(&path, "/v1/assets/");
	tn_url_escape(&path, truck);
	tn_buf_adds(&path, "/state");
	req.method = "POST";
	req.path = path.buf;
	req.body = JV_OBJECT(jv_string("state"), jv_string("en_route"));
	if (truck_version > 0) {
		snprintf(etag, sizeof(etag), "\"%lld\"", truck_version);
		req.if_match = etag;
	}
	rc = tn_client_do(c, &req, &resp, err);
	if (rc == TN_OK)
		*out = JV_OBJECT(jv_string("point"), tn_jv_get(p, "point"),
				 jv_string("task"), jv_number(task_id),
				 jv_string("task_version"), tn_jv_get(acted, "version"),
				 jv_string("truck"), jv_string(truck),
				 jv_string("truck_state"), tn_jv_get(resp.body, "state"),
				 jv_string("eta_s"), tn_jv_get(p, "eta_s"));
	else
		tn_err_prefix(err, "task %ld dispatched with %s, but the truck is not marked en route",
			      task_id, truck);
	tn_response_release(&resp);
	tn_buf_release(&path);
	jv_free(acted);
	return rc;
}
