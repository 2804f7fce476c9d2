/* predeploy.c — rank flood-prone points by the depth expected from the rain forecast and their history, and stage pump trucks before the rain. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_jv.h"
#include "tn_roadgraph.h"

/* One district's forecast: its peak hour and the total. */
struct district_rain {
	char *district;
	double peak_mm, total_mm;
	jv peak_hour;           /* as the forecast gave it (string or number) */
	int hours;
};

struct tn_forecast {
	struct district_rain *d;
	int n, cap;
};

struct tn_forecast *tn_forecast_new(void)
{
	return tn_xcalloc(1, sizeof(struct tn_forecast));
}

void tn_forecast_free(struct tn_forecast *f)
{
	if (!f)
		return;
	for (int i = 0; i < f->n; i++) {
		free(f->d[i].district);
		jv_free(f->d[i].peak_hour);
	}
	free(f->d);
	free(f);
}

static const struct district_rain *rain_of(const struct tn_forecast *f, const char *district)
{
	for (int i = 0; district && i < f->n; i++)
		if (!strcmp(f->d[i].district, district))
			return &f->d[i];
	return NULL;
}

enum tn_code tn_forecast_add(struct tn_forecast *f, jv rec, struct tn_err *err)
{
	const char *district = tn_jv_str(rec, "district");
	jv mm, hour;
	struct district_rain *d;
	double v;

	if (jv_get_kind(rec) != JV_KIND_OBJECT)
		return tn_err_set(err, TN_EINVALID, "a forecast line is {\"district\",\"hour\",\"mm\"}");
	if (!district || !*district)
		return tn_err_field(err, TN_EINVALID, "district", "no district (a 6-digit code)");
	mm = tn_jv_get(rec, "mm");
	v = jv_get_kind(mm) == JV_KIND_NUMBER ? jv_number_value(mm) : -1;
	jv_free(mm);
	if (!(v >= 0 && v <= 1000))
		return tn_err_field(err, TN_EINVALID, "mm", "mm is not rain in mm, 0 to 1000");
	hour = tn_jv_get(rec, "hour");
	if (jv_get_kind(hour) != JV_KIND_STRING && jv_get_kind(hour) != JV_KIND_NUMBER) {
		jv_free(hour);
		return tn_err_field(err, TN_EINVALID, "hour", "no hour (a time or a number)");
	}
	d = (struct district_rain *)rain_of(f, district);
	if (!d) {
		if (f->n == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 16;
			f->d = tn_xrealloc(f->d, f->cap * sizeof(*f->d));
		}
		d = &f->d[f->n++];
		memset(d, 0, sizeof(*d));
		d->district = tn_xstrdup(district);
		d->peak_mm = -1;
		d->peak_hour = jv_null();
	}
	d->total_mm += v;
	d->hours++;
	if (v > d->peak_mm) {
		d->peak_mm = v;
		jv_free(d->peak_hour);
		d->peak_hour = hour;
	} else
		jv_free(hour);
	return TN_OK;
}

struct ranked {
	int i;
	double expected;
};

static int ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->expected != y->expected)
		return x->expected > y->expected ? -1 : 1;
	return x->i - y->i;
}

/* How much a point's history counts: 0.5 for once, up to 1 for six times or more. */
static double weight(long count)
{
	return count <= 0 ? 0 : fmin(1.0, 0.4 + 0.1 * (double)count);
}

static jv hour_text(jv h)
{
	if (jv_get_kind(h) == JV_KIND_STRING)
		return jv_copy(h);
	return jv_dump_string(jv_copy(h), 0);
}

static jv reasons_of(const struct tn_flood_history *h, const struct district_rain *r,
		     const struct tn_predeploy_opts *o)
{
	jv out = jv_array();
	struct tn_buf b = TN_BUF_INIT;

	if (!r || r->peak_mm <= 0)
		tn_buf_addf(&b, "no rain forecast in %s", h->district ? h->district : "its district");
	else {
		jv ht = hour_text(r->peak_hour);

		tn_buf_addf(&b, "peak %.0f mm/h at %s in %s: %.1f times the %.0f mm/h the drains take",
			    r->peak_mm, jv_string_value(ht), h->district, r->peak_mm / o->drain_mmh,
			    o->drain_mmh);
		jv_free(ht);
	}
	out = jv_array_append(out, jv_string(b.buf));
	tn_buf_reset(&b);
	if (h->count > 0)
		tn_buf_addf(&b, "flooded %ld time%s before, %.2f m at the deepest", h->count,
			    h->count == 1 ? "" : "s", h->max_depth_m);
	else
		tn_buf_adds(&b, "never flooded before");
	out = jv_array_append(out, jv_string(b.buf));
	if (r && r->total_mm > 0) {
		tn_buf_reset(&b);
		tn_buf_addf(&b, "%.0f mm in all over %d hour%s", r->total_mm, r->hours,
			    r->hours == 1 ? "" : "s");
		out = jv_array_append(out, jv_string(b.buf));
	}
	tn_buf_release(&b);
	return out;
}

static jv num(double v, double scale)
{
	return jv_number(round(v * scale) / scale);
}

jv tn_predeploy(const struct tn_roadgraph *g, const unsigned char *closed,
		const struct tn_forecast *f, const struct tn_flood_history *h, int nh,
		const struct tn_truck *trucks, int nt, const struct tn_predeploy_opts *o)
{
	struct tn_predeploy_opts def = TN_PREDEPLOY_OPTS_INIT;
	struct ranked *rk = tn_xcalloc(nh + 1, sizeof(*rk));
	struct tn_flood_point *pts = tn_xcalloc(nh + 1, sizeof(*pts));
	struct tn_proposal *pp = NULL;
	jv ranking = jv_array();
	int npts = 0, np, max;

	if (!o)
		o = &def;
	for (int i = 0; i < nh; i++) {
		const struct district_rain *r = rain_of(f, h[i].district);
		double peak = r ? r->peak_mm : 0;

		rk[i].i = i;
		rk[i].expected = h[i].max_depth_m * (peak / o->drain_mmh) * weight(h[i].count);
	}
	qsort(rk, nh, sizeof(*rk), ranked_cmp);
	max = o->max_stage > 0 ? o->max_stage : nh;
	for (int k = 0; k < nh; k++) {
		const struct tn_flood_history *p = &h[rk[k].i];
		const struct district_rain *r = rain_of(f, p->district);
		jv e = JV_OBJECT(jv_string("rank"), jv_number(k + 1),
				 jv_string("point"), jv_string(p->point),
				 jv_string("name"), tn_jv_string_or_null(p->name),
				 jv_string("district"), tn_jv_string_or_null(p->district),
				 jv_string("expected_depth_m"), num(rk[k].expected, 100),
				 jv_string("peak_mm"), num(r ? r->peak_mm : 0, 10),
				 jv_string("peak_hour"), r ? jv_copy(r->peak_hour) : jv_null(),
				 jv_string("total_mm"), num(r ? r->total_mm : 0, 10));

		e = jv_object_set(e, jv_string("reasons"), reasons_of(p, r, o));
		e = jv_object_set(e, jv_string("staged"), jv_false());
		e = jv_object_set(e, jv_string("truck"), jv_null());
		ranking = jv_array_append(ranking, e);
		if (rk[k].expected >= o->stage_depth_m && npts < max) {
			pts[npts].id = p->point;
			pts[npts].lat = p->lat;
			pts[npts].lon = p->lon;
			pts[npts].depth_m = rk[k].expected;
			pts[npts].priority = npts + 1;     /* the deepest first, one at a time */
			npts++;
		}
	}
	np = g && npts ? tn_dispatch_plan(g, closed, trucks, nt, pts, npts, NULL, &pp) : 0;
	/* the staged points are the first npts of the ranking, deepest first */
	for (int k = 0; k < np; k++) {
		jv sj = tn_proposal_json(g, trucks, pts, &pp[k]);
		int at = pp[k].point;
		jv e = jv_array_get(jv_copy(ranking), at);
		const struct district_rain *r = rain_of(f, h[rk[at].i].district);

		e = jv_object_set(e, jv_string("staged"), jv_true());
		e = jv_object_set(e, jv_string("stage_by"), r ? jv_copy(r->peak_hour) : jv_null());
		e = jv_object_set(e, jv_string("truck"), tn_jv_get(sj, "truck"));
		if (pp[k].truck >= 0) {
			e = jv_object_set(e, jv_string("eta_s"), tn_jv_get(sj, "eta_s"));
			e = jv_object_set(e, jv_string("roads"), tn_jv_get(sj, "roads"));
			e = jv_object_set(e, jv_string("route"), tn_jv_get(sj, "route"));
		} else
			e = jv_object_set(e, jv_string("reason"), tn_jv_get(sj, "reason"));
		ranking = jv_array_set(ranking, at, e);
		jv_free(sj);
	}
	tn_proposals_free(pp, np);
	free(pts);
	free(rk);
	return ranking;
}
