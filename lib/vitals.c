/* vitals.c — the city's vital signs: the indicators file (FILE:LINE errors), levels from thresholds, trends, tasks past their targets. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "tn_cli.h"
#include "tn_jv.h"
#include "tn_text.h"
#include "tn_vitals.h"
#include "tn_yaml.h"

#define VITALS_MAX 200          /* indicators in one file */
#define NAME_MAX_BYTES 200

static const struct measure {
	const char *name, *period, *filters;
} measures[] = {
#define VITALS_MEASURE(name, period, filters) { name, period, filters },
	TN_VITALS_MEASURES(VITALS_MEASURE)
#undef VITALS_MEASURE
};
#define NMEASURES (sizeof(measures) / sizeof(measures[0]))

static const struct measure *measure_find(const char *name)
{
	for (size_t i = 0; name && i < NMEASURES; i++)
		if (strcmp(measures[i].name, name) == 0)
			return &measures[i];
	return NULL;
}

const char *tn_vitals_period(const char *measure)
{
	const struct measure *m = measure_find(measure);

	return m ? m->period : NULL;
}

int tn_vitals_measure_known(const char *measure)
{
	return measure_find(measure) != NULL;
}

void tn_vitals_free(struct tn_vitals *vs)
{
	if (!vs)
		return;
	for (size_t i = 0; i < vs->n; i++) {
		struct tn_vital *v = &vs->v[i];

		free(v->id);
		free(v->name);
		free(v->measure);
		free(v->severity);
		free(v->district);
		free(v->kind);
		free(v->department);
		free(v->outcome);
		free(v->by);
	}
	free(vs->v);
	free(vs);
}

/* ---- loading ---- */

struct loader {
	const char *file;
	yaml_document_t *doc;
	struct tn_err *err;
};

/* Every key of mapping `map` one of `allowed`. */
static enum tn_code keys_of(struct loader *L, yaml_node_t *map, const char *what,
			    const char *allowed)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return tn_yaml_err(L->err, L->file, map, 0, "%s must be a mapping", what);
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
		const char *s = tn_yaml_scalar(k);

		if (!s || !tn_word_in(allowed, s))
			return tn_yaml_err(L->err, L->file, k, 0, "%s: unknown key '%s' (known: %s)",
					   what, s ? s : "?", allowed);
	}
	return TN_OK;
}

/* The scalar `key` of `map` (required when `need`) as a malloc'd copy in *out. */
static enum tn_code text_of(struct loader *L, yaml_node_t *map, const char *key, int need,
			    char **out)
{
	yaml_node_t *n = tn_yaml_get(L->doc, map, key);
	const char *s = tn_yaml_scalar(n);

	*out = NULL;
	if (!n && !need)
		return TN_OK;
	if (!n)
		return tn_yaml_err(L->err, L->file, map, 0, "%s is missing", key);
	if (!s || !*s || strlen(s) > NAME_MAX_BYTES || !tn_utf8_valid(s, strlen(s)))
		return tn_yaml_err(L->err, L->file, n, 0, "%s must be text of 1 to %d bytes", key,
				   NAME_MAX_BYTES);
	*out = tn_xstrdup(s);
	return TN_OK;
}

static enum tn_code number_of(struct loader *L, yaml_node_t *map, const char *key, double *out)
{
	yaml_node_t *n = tn_yaml_get(L->doc, map, key);
	const char *s = tn_yaml_scalar(n);
	char *end;

	if (!n)
		return tn_yaml_err(L->err, L->file, map, 0, "thresholds.%s is missing", key);
	errno = 0;
	*out = s ? strtod(s, &end) : 0;
	if (!s || !*s || *end || errno || !isfinite(*out) || *out < 0)
		return tn_yaml_err(L->err, L->file, n, 0, "thresholds.%s: '%s' is not a number >= 0",
				   key, s ? s : "?");
	return TN_OK;
}

static int id_ok(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static enum tn_code filters_of(struct loader *L, yaml_node_t *map, const struct measure *m,
			       struct tn_vital *v)
{
	yaml_node_t *f = tn_yaml_get(L->doc, map, "filters");
	enum tn_code rc;

	if (!f || tn_yaml_is_null(f))
		return TN_OK;
	if ((rc = keys_of(L, f, "filters", m->filters)) ||
	    (rc = text_of(L, f, "severity", 0, &v->severity)) ||
	    (rc = text_of(L, f, "district", 0, &v->district)) ||
	    (rc = text_of(L, f, "kind", 0, &v->kind)) ||
	    (rc = text_of(L, f, "department", 0, &v->department)) ||
	    (rc = text_of(L, f, "outcome", 0, &v->outcome)))
		return rc;
	if (v->severity && tn_severity_parse(v->severity) == TN_SEV_NONE)
		return tn_yaml_err(L->err, L->file, tn_yaml_get(L->doc, f, "severity"), 0,
				   "filters.severity: '%s' is not a severity (blue, yellow, orange, "
				   "red)", v->severity);
	if (v->severity) {      /* canonical: the lowest counted, by our name */
		const char *c = tn_severity_name(tn_severity_parse(v->severity));

		free(v->severity);
		v->severity = tn_xstrdup(c);
	}
	return TN_OK;
}

static enum tn_code one(struct loader *L, yaml_node_t *map, struct tn_vital *v)
{
	const struct measure *m;
	yaml_node_t *t, *mn;
	char *dir = NULL;
	enum tn_code rc;

	v->line = tn_yaml_line(map);
	if ((rc = keys_of(L, map, "indicator", "id|name|measure|filters|thresholds|direction|by")) ||
	    (rc = text_of(L, map, "id", 1, &v->id)) || (rc = text_of(L, map, "name", 1, &v->name)) ||
	    (rc = text_of(L, map, "measure", 1, &v->measure)))
		return rc;
	if (!id_ok(v->id))
		return tn_yaml_err(L->err, L->file, tn_yaml_get(L->doc, map, "id"), 0,
				   "id: '%s' must be a-z, 0-9 and _ (at most 64)", v->id);
	mn = tn_yaml_get(L->doc, map, "measure");
	if (!(m = measure_find(v->measure))) {
		struct tn_buf known;

		tn_buf_init(&known);
		for (size_t i = 0; i < NMEASURES; i++)
			tn_buf_addf(&known, "%s%s", i ? ", " : "", measures[i].name);
		rc = tn_yaml_err(L->err, L->file, mn, 0, "measure: '%s' is not one the server knows "
				 "(%s)", v->measure, known.buf);
		tn_buf_release(&known);
		return rc;
	}
	if ((rc = filters_of(L, map, m, v)) || (rc = text_of(L, map, "by", 0, &v->by)))
		return rc;
	if (v->by && (strcmp(v->measure, "alerts_open") != 0 ||
		      !tn_word_in("district|severity", v->by)))
		return tn_yaml_err(L->err, L->file, tn_yaml_get(L->doc, map, "by"), 0,
				   "by: only alerts_open is counted by district or severity");
	t = tn_yaml_get(L->doc, map, "thresholds");
	if (!t)
		return tn_yaml_err(L->err, L->file, map, 0, "thresholds is missing");
	if ((rc = keys_of(L, t, "thresholds", "yellow|red")) ||
	    (rc = number_of(L, t, "yellow", &v->yellow)) || (rc = number_of(L, t, "red", &v->red)) ||
	    (rc = text_of(L, map, "direction", 0, &dir)))
		return rc;
	if (dir && !tn_word_in("higher_is_worse|lower_is_worse", dir)) {
		rc = tn_yaml_err(L->err, L->file, tn_yaml_get(L->doc, map, "direction"), 0,
				 "direction: '%s' is neither higher_is_worse nor lower_is_worse", dir);
		free(dir);
		return rc;
	}
	v->lower_is_worse = dir && strcmp(dir, "lower_is_worse") == 0;
	free(dir);
	if (v->lower_is_worse ? v->yellow < v->red : v->yellow > v->red)
		return tn_yaml_err(L->err, L->file, t, 0, "thresholds: yellow (%g) must be %s red "
				   "(%g) when %s", v->yellow, v->lower_is_worse ? "at least" : "at most",
				   v->red, v->lower_is_worse ? "lower_is_worse" : "higher_is_worse");
	return TN_OK;
}

enum tn_code tn_vitals_parse(const char *name, const char *text, size_t len,
			     struct tn_vitals **out, struct tn_err *err)
{
	struct loader L = { name, NULL, err };
	yaml_document_t doc;
	yaml_node_t *root, *list, *n;
	struct tn_vitals *vs;
	enum tn_code rc;

	*out = NULL;
	if ((rc = tn_yaml_load(name, text, len, &doc, err)) != TN_OK)
		return rc;
	L.doc = &doc;
	vs = tn_xcalloc(1, sizeof(*vs));
	root = yaml_document_get_root_node(&doc);
	if ((rc = keys_of(&L, root, "the file", "indicators")))
		goto fail;
	list = tn_yaml_get(&doc, root, "indicators");
	if (!list || list->type != YAML_SEQUENCE_NODE) {
		rc = tn_yaml_err(err, name, list ? list : root, 0, "indicators must be a list");
		goto fail;
	}
	TN_YAML_SEQ_EACH(&doc, list, it, n) {
		struct tn_vital *v;

		if (vs->n == VITALS_MAX) {
			rc = tn_yaml_err(err, name, n, 0, "more than %d indicators", VITALS_MAX);
			goto fail;
		}
		vs->v = tn_xrealloc(vs->v, (vs->n + 1) * sizeof(*vs->v));
		v = &vs->v[vs->n++];
		memset(v, 0, sizeof(*v));
		if ((rc = one(&L, n, v)))
			goto fail;
		for (size_t i = 0; i + 1 < vs->n; i++)
			if (strcmp(vs->v[i].id, v->id) == 0) {
				rc = tn_yaml_err(err, name, n, 0, "id '%s' again (first at line %ld)",
						 v->id, vs->v[i].line);
				goto fail;
			}
	}
	yaml_document_delete(&doc);
	*out = vs;
	return TN_OK;
fail:
	yaml_document_delete(&doc);
	tn_vitals_free(vs);
	return rc;
}

enum tn_code tn_vitals_load(const char *path, struct tn_vitals **out, struct tn_err *err)
{
	char shipped[4096];
	FILE *fp;
	struct tn_buf text = TN_BUF_INIT;
	enum tn_code rc;

	*out = NULL;
	if (!path) {
		snprintf(shipped, sizeof(shipped), "%s/vitals.yaml", tn_sharedir());
		path = shipped;
	}
	if (!(fp = fopen(path, "r")))
		return tn_err_set(err, TN_EIO, "%s: %s", path, strerror(errno));
	rc = tn_buf_read_fp(&text, fp, path, TN_YAML_MAX_FILE, err);
	if (rc == TN_OK)
		rc = tn_vitals_parse(path, text.buf, text.len, out, err);
	fclose(fp);
	tn_buf_release(&text);
	return rc;
}

/* ---- levels and trends ---- */

enum tn_vital_level tn_vital_level(const struct tn_vital *v, double value)
{
	if (v->lower_is_worse)
		return value <= v->red ? TN_VITAL_RED : value <= v->yellow ? TN_VITAL_YELLOW :
		       TN_VITAL_GREEN;
	return value >= v->red ? TN_VITAL_RED : value >= v->yellow ? TN_VITAL_YELLOW : TN_VITAL_GREEN;
}

const char *tn_vital_level_name(enum tn_vital_level l)
{
	switch (l) {
	case TN_VITAL_GREEN: return "green";
	case TN_VITAL_YELLOW: return "yellow";
	case TN_VITAL_RED: return "red";
	default: return NULL;
	}
}

enum tn_vital_level tn_vital_level_parse(const char *s)
{
	for (int l = TN_VITAL_GREEN; s && l <= TN_VITAL_RED; l++)
		if (strcmp(s, tn_vital_level_name((enum tn_vital_level)l)) == 0)
			return (enum tn_vital_level)l;
	return TN_VITAL_UNKNOWN;
}

const char *tn_vital_trend(double value, double before)
{
	return value > before ? "up" : value < before ? "down" : "flat";
}

/* The epoch of the RFC 3339 member `key` of `obj`, -1 when absent or not a time. */
static long long at_of(jv obj, const char *key)
{
	const char *s = tn_jv_str(obj, key);
	long long t;

	return s && tn_time_parse(s, &t) == 0 ? t : -1;
}

int tn_vitals_task_past(jv task, long long at)
{
	static const char *const step_at[] = { "dispatched_at", "acknowledged_at", "resolved_at" };
	static const char *const target[] = { "dispatch_s", "acknowledge_s", "resolve_s" };
	long long gen = at_of(task, "generated_at"), done;
	jv targets;
	int past = 0;

	if (gen < 0 || gen > at)
		return 0;
	done = at_of(task, "resolved_at");
	if (done < 0)
		done = at_of(task, "evaluated_at");
	if (done >= 0 && done <= at)
		return 0;       /* no longer open then */
	targets = tn_jv_object(task, "targets");
	for (int i = 0; i < 3 && !past; i++) {
		long t = tn_jv_long(targets, target[i], 0);
		long long s = at_of(task, step_at[i]);

		if (t > 0 && (s < 0 || s > at) && at - gen > t)
			past = 1;
	}
	jv_free(targets);
	return past;
}

/* ---- the API's objects ---- */

jv tn_vitals_indicator(const struct tn_vital *v, long long value, long long before,
		       const char *note)
{
	const char *period = tn_vitals_period(v->measure);
	jv o = jv_object(), f = jv_object(), t = jv_object();

	o = jv_object_set(o, jv_string("id"), jv_string(v->id));
	o = jv_object_set(o, jv_string("name"), jv_string(v->name));
	o = jv_object_set(o, jv_string("measure"), jv_string(v->measure));
	if (v->severity)
		f = jv_object_set(f, jv_string("severity"), jv_string(v->severity));
	if (v->district)
		f = jv_object_set(f, jv_string("district"), jv_string(v->district));
	if (v->kind)
		f = jv_object_set(f, jv_string("kind"), jv_string(v->kind));
	if (v->department)
		f = jv_object_set(f, jv_string("department"), jv_string(v->department));
	if (v->outcome)
		f = jv_object_set(f, jv_string("outcome"), jv_string(v->outcome));
	o = jv_object_set(o, jv_string("filters"), f);
	o = jv_object_set(o, jv_string("value"), value >= 0 ? jv_number((double)value) : jv_null());
	o = jv_object_set(o, jv_string("level"), value >= 0 ?
			  jv_string(tn_vital_level_name(tn_vital_level(v, (double)value))) :
			  jv_null());
	o = jv_object_set(o, jv_string("before"), value >= 0 && before >= 0 ?
			  jv_number((double)before) : jv_null());
	o = jv_object_set(o, jv_string("period"), tn_jv_string_or_null(period));
	o = jv_object_set(o, jv_string("trend"), value >= 0 && before >= 0 ?
			  jv_string(tn_vital_trend((double)value, (double)before)) : jv_null());
	t = jv_object_set(t, jv_string("yellow"), jv_number(v->yellow));
	t = jv_object_set(t, jv_string("red"), jv_number(v->red));
	o = jv_object_set(o, jv_string("thresholds"), t);
	o = jv_object_set(o, jv_string("direction"), jv_string(v->lower_is_worse ?
				"lower_is_worse" : "higher_is_worse"));
	o = jv_object_set(o, jv_string("note"), tn_jv_string_or_null(note));
	return o;
}

enum tn_vital_level tn_vitals_worst(jv body)
{
	jv list = tn_jv_array(body, "indicators");
	enum tn_vital_level worst = TN_VITAL_UNKNOWN;

	jv_array_foreach(list, i, ind) {
		enum tn_vital_level l = tn_vital_level_parse(tn_jv_str(ind, "level"));

		if (l > worst)
			worst = l;
		jv_free(ind);
	}
	jv_free(list);
	return worst;
}
