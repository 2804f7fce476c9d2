/* merge.c — merge service items into one "one thing" workflow: the rules, the set in 'before' order, the result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_catalog.h"
#include "tn_jv.h"
#include "tn_merge.h"
#include "tnp_merge.h"

static const struct {
	unsigned bit;
	const char *slug;
	const char *help;
} rules[] = {
#define TN_X_RULE(name, bit, slug, help) { bit, slug, help },
	TN_MERGE_RULES(TN_X_RULE)
#undef TN_X_RULE
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

unsigned tn_merge_rule_parse(const char *slug)
{
	for (size_t i = 0; i < NRULES; i++)
		if (slug && !strcmp(rules[i].slug, slug))
			return rules[i].bit;
	return 0;
}

const char *tn_merge_rule_slug(unsigned rule)
{
	for (size_t i = 0; i < NRULES; i++)
		if (rules[i].bit == rule)
			return rules[i].slug;
	return NULL;
}

jv tnp_merge_push(jv obj, const char *key, jv v)
{
	jv a = tn_jv_array(obj, key);

	return jv_object_set(obj, jv_string(key), jv_array_append(a, v));
}

/* ---- the merge state ---- */

static void merge_free(struct merge *M)
{
	for (int i = 0; i < M->n; i++) {
		jv_free(M->v[i].it);
		jv_free(M->v[i].external);
		free(M->v[i].pred);
	}
	free(M->v);
	free(M->order);
	free(M->anc);
	jv_free(M->index);
}

/* Read the set (`items` borrowed). */
static enum tn_code read_items(struct merge *M, jv items)
{
	int n = jv_array_length(jv_copy(items));

	M->v = tn_xcalloc(n ? n : 1, sizeof(*M->v));
	for (int i = 0; i < n; i++) {
		struct mi *m = &M->v[i];

		m->it = jv_array_get(jv_copy(items), i);
		m->external = jv_array();
		M->n = i + 1;
		if (jv_get_kind(m->it) != JV_KIND_OBJECT || !(m->code = tn_jv_str(m->it, "code")))
			return tn_err_set(M->err, TN_EINVALID, "item %d of the set has no code", i + 1);
		if (tn_jv_has(M->index, m->code))
			return tn_err_set(M->err, TN_EINVALID, "item '%s' twice in the set", m->code);
		M->index = jv_object_set(M->index, jv_string(m->code), jv_number(i));
		m->dept = tn_jv_str(m->it, "department");
		m->form = tn_jv_str(m->it, "form");
		if (!m->form)
			m->form = m->code;
		m->window = tn_jv_str(m->it, "window");
		if (!m->window)
			m->window = m->dept ? m->dept : m->code;
		m->legal = tn_jv_long(m->it, "legal_days", -1);
		if (m->legal < 0)
			return tn_err_set(M->err, TN_EINVALID, "item '%s' has no 'legal_days'", m->code);
		m->promised = tn_jv_long(m->it, "promised_days", m->legal);
		m->commitment = tn_jv_bool(m->it, "commitment", 0);
		m->online = tn_jv_bool(m->it, "online", 0);
		m->visits = tn_jv_long(m->it, "visits", 1);
		m->via = -1;
	}
	return TN_OK;
}

/* Resolve 'before' to indices within the set; the rest are external prerequisites. */
static void link_items(struct merge *M)
{
	for (int i = 0; i < M->n; i++) {
		struct mi *m = &M->v[i];
		jv before = tn_jv_array(m->it, "before");
		int nb = jv_array_length(jv_copy(before));

		m->pred = tn_xcalloc(nb ? nb : 1, sizeof(int));
		for (int k = 0; k < nb; k++) {
			jv b = jv_array_get(jv_copy(before), k);
			jv idx = jv_get_kind(b) == JV_KIND_STRING
				 ? jv_object_get(jv_copy(M->index), jv_copy(b)) : jv_invalid();

			if (jv_is_valid(idx))
				m->pred[m->npred++] = (int)jv_number_value(idx);
			else
				m->external = jv_array_append(m->external, jv_copy(b));
			jv_free(idx);
			jv_free(b);
		}
		jv_free(before);
	}
}

/* Depth-first over 'before': topological order, and a cycle named in the error. */
static enum tn_code visit(struct merge *M, int i, unsigned char *color, int *stack, int depth,
			  int *pos)
{
	color[i] = 1;
	stack[depth] = i;
	for (int k = 0; k < M->v[i].npred; k++) {
		int p = M->v[i].pred[k];

		if (color[p] == 1) {
			/* stack[d..depth] are on the cycle; p comes before stack[depth] ... */
			struct tn_buf b = TN_BUF_INIT;
			int d = depth, len, first = 0;

			while (stack[d] != p)
				d--;
			/* in 'before' order: stack[depth] → stack[depth - 1] → ... → stack[d] */
			len = depth - d + 1;
			for (int j = 0; j < len; j++)
				if (stack[depth - j] < stack[depth - first])
					first = j;
			for (int j = 0; j <= len; j++)
				tn_buf_addf(&b, "%s%s", j ? " → " : "",
					    M->v[stack[depth - (first + j) % len]].code);
			tn_err_set(M->err, TN_EINVALID, "cycle in 'before': %s", b.buf);
			tn_buf_release(&b);
			return TN_EINVALID;
		}
		if (color[p] == 0) {
			enum tn_code c = visit(M, p, color, stack, depth + 1, pos);

			if (c)
				return c;
		}
	}
	color[i] = 2;
	M->v[i].topo = *pos;
	M->order[(*pos)++] = i;
	return TN_OK;
}

static enum tn_code sort_items(struct merge *M)
{
	unsigned char *color = tn_xcalloc(M->n ? M->n : 1, 1);
	int *stack = tn_xcalloc(M->n ? M->n : 1, sizeof(int));
	enum tn_code c = TN_OK;
	int pos = 0;

	M->order = tn_xcalloc(M->n ? M->n : 1, sizeof(int));
	for (int i = 0; i < M->n && !c; i++)
		if (!color[i])
			c = visit(M, i, color, stack, 0, &pos);
	free(color);
	free(stack);
	if (c)
		return c;
	/* ancestors, in topological order */
	M->anc = tn_xcalloc((size_t)M->n * M->n + 1, 1);
	for (int t = 0; t < M->n; t++) {
		int i = M->order[t];

		for (int k = 0; k < M->v[i].npred; k++) {
			int p = M->v[i].pred[k];

			M->anc[(size_t)i * M->n + p] = 1;
			for (int j = 0; j < M->n; j++)
				if (M->anc[(size_t)p * M->n + j])
					M->anc[(size_t)i * M->n + j] = 1;
		}
	}
	return TN_OK;
}

/* ---- the result ---- */

static jv figures(long items, long depts, long forms, long fields, long mats, long visits,
		  long inspections, long days)
{
	jv f = jv_object();

	f = jv_object_set(f, jv_string("items"), jv_number(items));
	f = jv_object_set(f, jv_string("departments"), jv_number(depts));
	f = jv_object_set(f, jv_string("forms"), jv_number(forms));
	f = jv_object_set(f, jv_string("fields"), jv_number(fields));
	f = jv_object_set(f, jv_string("materials"), jv_number(mats));
	f = jv_object_set(f, jv_string("visits"), jv_number(visits));
	f = jv_object_set(f, jv_string("inspections"), jv_number(inspections));
	f = jv_object_set(f, jv_string("days"), jv_number(days));
	return f;
}

static jv item_out(struct merge *M, struct mi *m, int critical)
{
	static const char *const copy[] = { "code", "name", "department", "department_name", "form",
		"legal_days", "promised_days", "commitment", "online", "window", NULL };
	jv o = jv_object(), before = jv_array(), names = jv_array(), fl = tn_jv_array(m->it, "fields");
	int nf = jv_array_length(jv_copy(fl));

	for (const char *const *k = copy; *k; k++) {
		jv v = jv_object_get(jv_copy(m->it), jv_string(*k));

		o = jv_object_set(o, jv_string(*k), jv_is_valid(v) ? v : (jv_free(v), jv_null()));
	}
	o = jv_object_set(o, jv_string("days"), jv_number(m->days));
	o = jv_object_set(o, jv_string("start"), jv_number(m->start));
	o = jv_object_set(o, jv_string("finish"), jv_number(m->finish));
	o = jv_object_set(o, jv_string("critical"), jv_bool(critical));
	for (int k = 0; k < m->npred; k++)
		before = jv_array_append(before, jv_string(M->v[m->pred[k]].code));
	o = jv_object_set(o, jv_string("before"), before);
	o = jv_object_set(o, jv_string("external_before"), jv_copy(m->external));
	for (int k = 0; k < nf; k++) {
		jv f = jv_array_get(jv_copy(fl), k);

		names = jv_array_append(names, tn_jv_str_or_null(f, "name"));
		jv_free(f);
	}
	jv_free(fl);
	o = jv_object_set(o, jv_string("fields"), names);
	o = jv_object_set(o, jv_string("materials"), tn_jv_array(m->it, "merged_materials"));
	return o;
}

/*
 * Deadlines from the calendar: each item's, and the workflow's, with
 * "deadline_provisional" where the count ran through a year the calendar does
 * not know (Monday to Friday assumed there).
 */
static enum tn_code deadlines(struct merge *M, const struct tn_merge_opts *o, jv *items, jv *time,
			      long total)
{
	char buf[16];
	long day;
	int prov = 0;
	enum tn_code c;

	if (!o->cal || o->start < 0)
		return TN_OK;
	tn_date_format(o->start, buf);
	*time = jv_object_set(*time, jv_string("start_date"), jv_string(buf));
	for (int t = 0; t < M->n; t++) {
		struct mi *m = &M->v[M->order[t]];
		jv it = jv_array_get(jv_copy(*items), t);
		int p = 0;

		if ((c = tn_cal_add_workdays(o->cal, o->start, m->finish, &day, &p, M->err))) {
			jv_free(it);
			return c;
		}
		tn_date_format(day, buf);
		it = jv_object_set(it, jv_string("deadline"), jv_string(buf));
		it = jv_object_set(it, jv_string("deadline_provisional"), jv_bool(p));
		*items = jv_array_set(*items, t, it);
	}
	if ((c = tn_cal_add_workdays(o->cal, o->start, total, &day, &prov, M->err)))
		return c;
	tn_date_format(day, buf);
	*time = jv_object_set(*time, jv_string("deadline"), jv_string(buf));
	*time = jv_object_set(*time, jv_string("deadline_provisional"), jv_bool(prov));
	return TN_OK;
}

enum tn_code tn_merge_items(jv workflow, jv items, const struct tn_merge_opts *opts, jv *result,
			    struct tn_err *err)
{
	static const struct tn_merge_opts defaults = TN_MERGE_OPTS_INIT;
	struct merge M;
	enum tn_code c;
	const char *window;
	long total, legal_sum, fields_before, mats_before, visits_before, visits_after, insp_before;
	jv fields = jv_invalid(), dfields = jv_invalid(), mats = jv_invalid(), dmats = jv_invalid();
	jv path = jv_invalid(), r, forms = jv_object(), depts = jv_array(), dseen = jv_object();
	jv out_items = jv_array(), visits, inspections, time, rl = jv_array();

	if (!opts)
		opts = &defaults;
	*result = jv_invalid();
	memset(&M, 0, sizeof(M));
	M.rules = opts->rules;
	M.err = err;
	M.index = jv_object();
	if (jv_get_kind(items) != JV_KIND_ARRAY || jv_get_kind(workflow) != JV_KIND_OBJECT) {
		c = tn_err_set(err, TN_EINVALID, "a merge takes a workflow object and an item list");
		goto fail;
	}
	if ((c = read_items(&M, items)))
		goto fail;
	if (M.n == 0) {
		c = tn_err_set(err, TN_EINVALID, "nothing to merge: no items");
		goto fail;
	}
	link_items(&M);
	if ((c = sort_items(&M)) || (c = tnp_merge_fields(&M, &fields, &dfields, &fields_before)))
		goto fail;
	tnp_merge_materials(&M, &mats, &dmats, &mats_before);
	path = tnp_merge_schedule(&M, &total, &legal_sum);

	window = tn_jv_str(workflow, "window");
	if (!window)
		window = opts->window;
	visits = tnp_merge_visits(&M, window, &visits_before, &visits_after);
	inspections = tnp_merge_inspections(&M, &insp_before);

	for (int t = 0; t < M.n; t++) {
		struct mi *m = &M.v[M.order[t]];
		int critical = 0;
		int np = jv_array_length(jv_copy(path));

		for (int k = 0; k < np && !critical; k++) {
			jv s = jv_array_get(jv_copy(path), k);

			critical = !strcmp(jv_string_value(s), m->code);
			jv_free(s);
		}
		forms = jv_object_set(forms, jv_string(m->form), jv_true());
		if (m->dept && !tn_jv_has(dseen, m->dept)) {
			jv d = jv_object();

			dseen = jv_object_set(dseen, jv_string(m->dept), jv_number(jv_array_length(jv_copy(depts))));
			d = jv_object_set(d, jv_string("code"), jv_string(m->dept));
			d = jv_object_set(d, jv_string("name"), tn_jv_str_or_null(m->it, "department_name"));
			d = jv_object_set(d, jv_string("items"), jv_array());
			depts = jv_array_append(depts, d);
		}
		if (m->dept) {
			jv pj = jv_object_get(jv_copy(dseen), jv_string(m->dept));
			int p = (int)jv_number_value(pj);

			jv_free(pj);
			depts = jv_array_set(depts, p, tnp_merge_push(jv_array_get(jv_copy(depts), p), "items",
							   jv_string(m->code)));
		}
		out_items = jv_array_append(out_items, item_out(&M, m, critical));
	}

	time = jv_object();
	time = jv_object_set(time, jv_string("days"), jv_number(total));
	time = jv_object_set(time, jv_string("basis"), jv_string(
		(M.rules & TN_RULE_CRITICAL_PATH) ? "critical path" : "one after another"));
	time = jv_object_set(time, jv_string("limits"), jv_string(
		(M.rules & TN_RULE_PROMISED) ? "promised where notification-and-commitment is allowed"
					     : "legal"));
	time = jv_object_set(time, jv_string("critical_path"), path);
	path = jv_invalid();
	time = jv_object_set(time, jv_string("legal_days_sum"), jv_number(legal_sum));
	if ((c = deadlines(&M, opts, &out_items, &time, total))) {
		jv_free(time);
		jv_free(visits);
		jv_free(inspections);
		goto fail;
	}
	for (size_t i = 0; i < NRULES; i++)
		if (M.rules & rules[i].bit)
			rl = jv_array_append(rl, jv_string(rules[i].slug));

	{
		long nforms = jv_object_length(jv_copy(forms));
		long ndepts = jv_array_length(jv_copy(depts));
		long ninsp = jv_array_length(jv_copy(inspections));
		long nfields = jv_array_length(jv_copy(fields));
		long nmats = jv_array_length(jv_copy(mats));
		jv fig = jv_object();

		fig = jv_object_set(fig, jv_string("before"), figures(M.n, ndepts, nforms,
				    fields_before, mats_before, visits_before, insp_before, legal_sum));
		fig = jv_object_set(fig, jv_string("after"), figures(M.n, ndepts,
				    (M.rules & TN_RULE_ONE_FORM) ? 1 : nforms, nfields, nmats,
				    visits_after, ninsp, total));
		r = jv_object();
		r = jv_object_set(r, jv_string("code"), tn_jv_str_or_null(workflow, "code"));
		r = jv_object_set(r, jv_string("name"), tn_jv_str_or_null(workflow, "name"));
		r = jv_object_set(r, jv_string("window"), tn_jv_string_or_null(window));
		r = jv_object_set(r, jv_string("rules"), rl);
		r = jv_object_set(r, jv_string("figures"), fig);
		r = jv_object_set(r, jv_string("departments"), depts);
		r = jv_object_set(r, jv_string("items"), out_items);
		r = jv_object_set(r, jv_string("fields"), fields);
		r = jv_object_set(r, jv_string("materials"), mats);
		r = jv_object_set(r, jv_string("dropped_fields"), dfields);
		r = jv_object_set(r, jv_string("dropped_materials"), dmats);
		r = jv_object_set(r, jv_string("visits"), visits);
		r = jv_object_set(r, jv_string("inspections"), inspections);
		r = jv_object_set(r, jv_string("time"), time);
	}
	*result = r;
	jv_free(forms);
	jv_free(dseen);
	merge_free(&M);
	jv_free(workflow);
	jv_free(items);
	return TN_OK;
fail:
	jv_free(fields);
	jv_free(dfields);
	jv_free(mats);
	jv_free(dmats);
	jv_free(path);
	jv_free(forms);
	jv_free(depts);
	jv_free(dseen);
	jv_free(out_items);
	jv_free(rl);
	merge_free(&M);
	jv_free(workflow);
	jv_free(items);
	return c;
}

enum tn_code tn_merge_workflow(jv catalog, const char *code, const struct tn_merge_opts *opts,
			       jv *result, struct tn_err *err)
{
	jv wf = tn_catalog_workflow(catalog, code), codes, items, idx;
	int n;

	*result = jv_invalid();
	if (!jv_is_valid(wf)) {
		jv_free(wf);
		return tn_err_set(err, TN_ENOTFOUND, "unknown workflow '%s'", code);
	}
	codes = tn_jv_array(wf, "items");
	n = jv_array_length(jv_copy(codes));
	idx = tn_catalog_index(catalog, "items");
	items = jv_array();
	for (int i = 0; i < n; i++) {
		jv c = jv_array_get(jv_copy(codes), i);
		jv it = jv_object_get(jv_copy(idx), jv_copy(c));

		if (!jv_is_valid(it)) {
			enum tn_code rc = tn_err_set(err, TN_EINVALID, "unknown item '%s' in workflow '%s'",
						     jv_string_value(c), code);

			jv_free(c);
			jv_free(it);
			jv_free(items);
			jv_free(idx);
			jv_free(codes);
			jv_free(wf);
			return rc;
		}
		jv_free(c);
		items = jv_array_append(items, it);
	}
	jv_free(idx);
	jv_free(codes);
	/* tn_merge_items reads the workflow's code, name and window, nothing else */
	return tn_merge_items(wf, items, opts, result, err);
}

enum tn_code tn_merge_codes(jv catalog, const char *const *codes, int n,
			    const struct tn_merge_opts *opts, jv *result, struct tn_err *err)
{
	jv idx = tn_catalog_index(catalog, "items"), items = jv_array(), w = jv_object();

	*result = jv_invalid();
	for (int i = 0; i < n; i++) {
		jv it = jv_object_get(jv_copy(idx), jv_string(codes[i]));

		if (!jv_is_valid(it)) {
			jv_free(it);
			jv_free(idx);
			jv_free(items);
			jv_free(w);
			return tn_err_set(err, TN_ENOTFOUND, "unknown item '%s'", codes[i]);
		}
		items = jv_array_append(items, it);
	}
	jv_free(idx);
	w = jv_object_set(w, jv_string("code"), jv_null());
	w = jv_object_set(w, jv_string("name"), jv_null());
	w = jv_object_set(w, jv_string("window"), tn_jv_string_or_null(opts ? opts->window : NULL));
	return tn_merge_items(w, items, opts, result, err);
}
