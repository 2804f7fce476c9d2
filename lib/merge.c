/* merge.c — merge service items into one "one thing" workflow: one form, fewer materials, one visit, joint inspections, critical path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tn_catalog.h"
#include "tn_merge.h"

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

/* ---- jv helpers (objects borrowed) ---- */

/* A string member; the pointer lives as long as `o` is neither freed nor changed. */
static const char *sget(jv o, const char *k)
{
	jv v = jv_object_get(jv_copy(o), jv_string(k));
	const char *s = jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : NULL;

	jv_free(v);   /* `o` still holds the string */
	return s;
}

static long nget(jv o, const char *k, long def)
{
	jv v = jv_object_get(jv_copy(o), jv_string(k));
	long n = tn_json_long(v, def);

	jv_free(v);
	return n;
}

static int bget(jv o, const char *k, int def)
{
	jv v = jv_object_get(jv_copy(o), jv_string(k));
	int b = jv_get_kind(v) == JV_KIND_TRUE ? 1 : jv_get_kind(v) == JV_KIND_FALSE ? 0 : def;

	jv_free(v);
	return b;
}

/* An array member, or an empty array. */
static jv aget(jv o, const char *k)
{
	jv v = jv_object_get(jv_copy(o), jv_string(k));

	if (jv_get_kind(v) != JV_KIND_ARRAY) {
		jv_free(v);
		return jv_array();
	}
	return v;
}

static jv str_or_null(const char *s)
{
	return s ? jv_string(s) : jv_null();
}

static int has(jv obj, const char *key)
{
	jv v = jv_object_get(jv_copy(obj), jv_string(key));
	int ok = jv_is_valid(v);

	jv_free(v);
	return ok;
}

/* Append `v` (consumed) to the array at obj[key]. */
static jv push(jv obj, const char *key, jv v)
{
	jv a = jv_object_get(jv_copy(obj), jv_string(key));

	if (!jv_is_valid(a)) {
		jv_free(a);
		a = jv_array();
	}
	return jv_object_set(obj, jv_string(key), jv_array_append(a, v));
}

/* ---- the merge state ---- */

struct mi {
	jv it;                  /* the item (owned) */
	const char *code, *form, *window, *dept;
	long legal, promised, days, visits;
	int commitment, online;
	int *pred, npred;       /* indices of the items of the set that come before */
	jv external;            /* before-items outside the set */
	long start, finish;     /* working-day offsets from filing */
	int via;                /* the predecessor that sets start, -1 */
	int topo;               /* position in topological order */
};

struct merge {
	struct mi *v;
	int n;
	int *order;             /* topological order */
	unsigned char *anc;     /* anc[i * n + j]: j is done before i */
	unsigned rules;
	jv index;               /* code -> index */
	struct tn_err *err;
};

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
		if (jv_get_kind(m->it) != JV_KIND_OBJECT || !(m->code = sget(m->it, "code")))
			return tn_err_set(M->err, TN_EINVALID, "item %d of the set has no code", i + 1);
		if (has(M->index, m->code))
			return tn_err_set(M->err, TN_EINVALID, "item '%s' twice in the set", m->code);
		M->index = jv_object_set(M->index, jv_string(m->code), jv_number(i));
		m->dept = sget(m->it, "department");
		m->form = sget(m->it, "form");
		if (!m->form)
			m->form = m->code;
		m->window = sget(m->it, "window");
		if (!m->window)
			m->window = m->dept ? m->dept : m->code;
		m->legal = nget(m->it, "legal_days", -1);
		if (m->legal < 0)
			return tn_err_set(M->err, TN_EINVALID, "item '%s' has no 'legal_days'", m->code);
		m->promised = nget(m->it, "promised_days", m->legal);
		m->commitment = bget(m->it, "commitment", 0);
		m->online = bget(m->it, "online", 0);
		m->visits = nget(m->it, "visits", 1);
		m->via = -1;
	}
	return TN_OK;
}

/* Resolve 'before' to indices within the set; the rest are external prerequisites. */
static void link_items(struct merge *M)
{
	for (int i = 0; i < M->n; i++) {
		struct mi *m = &M->v[i];
		jv before = aget(m->it, "before");
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

/* ---- time ---- */

static jv schedule(struct merge *M, long *total, long *legal_sum)
{
	int last = -1;
	jv path = jv_array();

	*total = 0;
	*legal_sum = 0;
	for (int t = 0; t < M->n; t++) {
		int i = M->order[t];
		struct mi *m = &M->v[i];

		m->days = (M->rules & TN_RULE_PROMISED) && m->commitment ? m->promised : m->legal;
		*legal_sum += m->legal;
		m->start = 0;
		if (M->rules & TN_RULE_CRITICAL_PATH) {
			for (int k = 0; k < m->npred; k++) {
				struct mi *p = &M->v[m->pred[k]];

				if (p->finish > m->start || (m->via < 0 && p->finish == m->start)) {
					m->start = p->finish;
					m->via = m->pred[k];
				}
			}
		} else if (t > 0) {
			m->start = M->v[M->order[t - 1]].finish;
			m->via = M->order[t - 1];
		}
		m->finish = m->start + m->days;
		if (last < 0 || m->finish > M->v[last].finish)
			last = i;
	}
	if (last >= 0) {
		int *chain = tn_xcalloc(M->n, sizeof(int)), nc = 0;

		*total = M->v[last].finish;
		for (int i = last; i >= 0 && nc < M->n; i = M->v[i].via)
			chain[nc++] = i;
		while (nc > 0)
			path = jv_array_append(path, jv_string(M->v[chain[--nc]].code));
		free(chain);
	}
	return path;
}

/* ---- fields ---- */

/* 1 when a and b (borrowed members, possibly invalid) are the same constraint. */
static int same(jv a, jv b)
{
	if (!jv_is_valid(a) || !jv_is_valid(b))
		return jv_is_valid(a) == jv_is_valid(b);
	return jv_equal(jv_copy(a), jv_copy(b));
}

static char *show(jv v)
{
	if (!jv_is_valid(v))
		return tn_xstrdup("none");
	jv s = jv_dump_string(jv_copy(v), 0);
	char *r = tn_xstrdup(jv_string_value(s));

	jv_free(s);
	return r;
}

static enum tn_code field_conflict(struct merge *M, jv have, jv f, const char *first,
				   const char *item)
{
	static const char *const keys[] = { "type", "values", "pattern", "max_length", NULL };

	for (const char *const *k = keys; *k; k++) {
		jv a = jv_object_get(jv_copy(have), jv_string(*k));
		jv b = jv_object_get(jv_copy(f), jv_string(*k));
		enum tn_code c = TN_OK;

		if (!same(a, b)) {
			char *sa = show(a), *sb = show(b);

			c = tn_err_set(M->err, TN_EINVALID,
				       "field '%s' conflicts: item '%s' has %s %s, item '%s' has %s %s",
				       sget(f, "name"), first, *k, sa, item, *k, sb);
			free(sa);
			free(sb);
		}
		jv_free(a);
		jv_free(b);
		if (c)
			return c;
	}
	return TN_OK;
}

static jv merged_field(jv f, const char *item)
{
	static const char *const keys[] = { "values", "pattern", "max_length", NULL };
	const char *label = sget(f, "canonical_label");
	jv r = jv_object();

	r = jv_object_set(r, jv_string("name"), jv_string(sget(f, "name")));
	r = jv_object_set(r, jv_string("label"), jv_string(label ? label : sget(f, "label") ?
			  sget(f, "label") : sget(f, "name")));
	r = jv_object_set(r, jv_string("type"), str_or_null(sget(f, "type")));
	r = jv_object_set(r, jv_string("required"), jv_bool(bget(f, "required", 1)));
	for (const char *const *k = keys; *k; k++) {
		jv v = jv_object_get(jv_copy(f), jv_string(*k));

		if (jv_is_valid(v))
			r = jv_object_set(r, jv_string(*k), v);
		else
			jv_free(v);
	}
	r = jv_object_set(r, jv_string("items"), jv_array_append(jv_array(), jv_string(item)));
	return r;
}

static enum tn_code merge_fields(struct merge *M, jv *fields, jv *dropped, long *asked)
{
	jv at = jv_object();    /* name -> position in *fields */
	enum tn_code c = TN_OK;

	*fields = jv_array();
	*dropped = jv_array();
	*asked = 0;
	for (int t = 0; t < M->n && !c; t++) {
		struct mi *m = &M->v[M->order[t]];
		jv list = aget(m->it, "fields");
		int nf = jv_array_length(jv_copy(list));

		for (int k = 0; k < nf && !c; k++) {
			jv f = jv_array_get(jv_copy(list), k);
			const char *name = sget(f, "name");
			jv pos = name ? jv_object_get(jv_copy(at), jv_string(name)) : jv_invalid();

			(*asked)++;
			if (!name) {
				c = tn_err_set(M->err, TN_EINVALID, "a field of item '%s' has no name",
					       m->code);
			} else if ((M->rules & TN_RULE_FIELD_DEDUP) && jv_is_valid(pos)) {
				int p = (int)jv_number_value(pos);
				jv have = jv_array_get(jv_copy(*fields), p);
				jv first = jv_array_get(aget(have, "items"), 0);

				c = field_conflict(M, have, f, jv_string_value(first), m->code);
				if (!c) {
					jv d = jv_object();

					if (bget(f, "required", 1))
						have = jv_object_set(have, jv_string("required"), jv_true());
					have = push(have, "items", jv_string(m->code));
					*fields = jv_array_set(*fields, p, have);
					have = jv_invalid();
					d = jv_object_set(d, jv_string("item"), jv_string(m->code));
					d = jv_object_set(d, jv_string("name"), jv_string(name));
					d = jv_object_set(d, jv_string("reason"), jv_string("duplicate"));
					d = jv_object_set(d, jv_string("duplicate_of"), jv_copy(first));
					*dropped = jv_array_append(*dropped, d);
				}
				jv_free(have);
				jv_free(first);
			} else {
				at = jv_object_set(at, jv_string(name),
						   jv_number(jv_array_length(jv_copy(*fields))));
				*fields = jv_array_append(*fields, merged_field(f, m->code));
			}
			jv_free(pos);
			jv_free(f);
		}
		jv_free(list);
	}
	jv_free(at);
	return c;
}

/* ---- materials ---- */

/* material code -> [indices of the set's items that produce it] */
static jv producers(struct merge *M)
{
	jv by = jv_object();

	for (int i = 0; i < M->n; i++) {
		jv list = aget(M->v[i].it, "produces");
		int np = jv_array_length(jv_copy(list));

		for (int k = 0; k < np; k++) {
			jv code = jv_array_get(jv_copy(list), k);

			if (jv_get_kind(code) == JV_KIND_STRING)
				by = push(by, jv_string_value(code), jv_number(i));
			jv_free(code);
		}
		jv_free(list);
	}
	return by;
}

static void merge_materials(struct merge *M, jv *kept, jv *dropped, long *asked)
{
	jv prod = producers(M), at = jv_object();

	*kept = jv_array();
	*dropped = jv_array();
	*asked = 0;
	for (int t = 0; t < M->n; t++) {
		int i = M->order[t];
		struct mi *m = &M->v[i];
		jv list = aget(m->it, "materials"), mine = jv_array();
		int nm = jv_array_length(jv_copy(list));

		for (int k = 0; k < nm; k++) {
			jv a = jv_array_get(jv_copy(list), k);
			const char *code = sget(a, "code"), *kind = sget(a, "cert_kind");
			const char *issuer = sget(a, "issuer"), *by = NULL, *reason = NULL;
			jv ps = code ? jv_object_get(jv_copy(prod), jv_string(code)) : jv_invalid();
			jv pos = code ? jv_object_get(jv_copy(at), jv_string(code)) : jv_invalid();
			jv d = jv_object(), own = jv_object();

			(*asked)++;
			if (jv_is_valid(ps) && (M->rules & TN_RULE_PRODUCED)) {
				int np = jv_array_length(jv_copy(ps));

				for (int q = 0; q < np && !by; q++) {
					jv pj = jv_array_get(jv_copy(ps), q);
					int p = (int)jv_number_value(pj);

					jv_free(pj);
					if (M->anc[(size_t)i * M->n + p])
						by = M->v[p].code;
				}
				if (by)
					reason = "produced";
			}
			/* a certificate that an item of this set is yet to issue cannot be fetched */
			if (!reason && !jv_is_valid(ps) && issuer && kind &&
			    (M->rules & TN_RULE_CERT_EXEMPT))
				reason = "certificate";
			if (!reason && jv_is_valid(pos) && (M->rules & TN_RULE_MATERIAL_DEDUP))
				reason = "duplicate";

			own = jv_object_set(own, jv_string("code"), str_or_null(code));
			own = jv_object_set(own, jv_string("name"), str_or_null(sget(a, "name")));
			own = jv_object_set(own, jv_string("required"), jv_bool(bget(a, "required", 1)));
			if (!reason || !strcmp(reason, "duplicate")) {
				own = jv_object_set(own, jv_string("disposition"), jv_string("supply"));
			} else {
				own = jv_object_set(own, jv_string("disposition"), jv_string(reason));
				own = jv_object_set(own, jv_string("cert_kind"), str_or_null(kind));
				if (by)
					own = jv_object_set(own, jv_string("produced_by"), jv_string(by));
			}
			mine = jv_array_append(mine, own);

			if (!reason) {
				jv e = jv_object();

				e = jv_object_set(e, jv_string("code"), str_or_null(code));
				e = jv_object_set(e, jv_string("name"), str_or_null(sget(a, "name")));
				e = jv_object_set(e, jv_string("cert_kind"), str_or_null(kind));
				e = jv_object_set(e, jv_string("required"), jv_bool(bget(a, "required", 1)));
				e = jv_object_set(e, jv_string("items"),
						  jv_array_append(jv_array(), jv_string(m->code)));
				if (sget(a, "asked_as"))
					e = push(e, "asked_as", jv_string(sget(a, "asked_as")));
				if (code && !jv_is_valid(pos))
					at = jv_object_set(at, jv_string(code),
							   jv_number(jv_array_length(jv_copy(*kept))));
				*kept = jv_array_append(*kept, e);
				jv_free(d);
			} else {
				d = jv_object_set(d, jv_string("item"), jv_string(m->code));
				d = jv_object_set(d, jv_string("code"), str_or_null(code));
				d = jv_object_set(d, jv_string("name"), str_or_null(sget(a, "name")));
				if (sget(a, "asked_as"))
					d = jv_object_set(d, jv_string("asked_as"),
							  jv_string(sget(a, "asked_as")));
				d = jv_object_set(d, jv_string("reason"), jv_string(reason));
				if (!strcmp(reason, "certificate")) {
					d = jv_object_set(d, jv_string("cert_kind"), jv_string(kind));
					d = jv_object_set(d, jv_string("issuer"), jv_string(issuer));
				} else if (!strcmp(reason, "produced")) {
					d = jv_object_set(d, jv_string("produced_by"), jv_string(by));
					d = jv_object_set(d, jv_string("cert_kind"), str_or_null(kind));
				} else {
					int p = (int)jv_number_value(pos);
					jv e = jv_array_get(jv_copy(*kept), p);

					d = jv_object_set(d, jv_string("duplicate_of"),
							  jv_array_get(aget(e, "items"), 0));
					if (bget(a, "required", 1))
						e = jv_object_set(e, jv_string("required"), jv_true());
					e = push(e, "items", jv_string(m->code));
					if (sget(a, "asked_as"))
						e = push(e, "asked_as", jv_string(sget(a, "asked_as")));
					*kept = jv_array_set(*kept, p, e);
				}
				*dropped = jv_array_append(*dropped, d);
			}
			jv_free(ps);
			jv_free(pos);
			jv_free(a);
		}
		m->it = jv_object_set(m->it, jv_string("merged_materials"), mine);
		jv_free(list);
	}
	jv_free(prod);
	jv_free(at);
}

/* ---- visits and inspections ---- */

static jv merge_visits(struct merge *M, const char *window, long *before, long *after)
{
	jv windows = jv_array(), seen = jv_object(), offline = jv_array(), r = jv_object();
	const char *reason;

	*before = 0;
	for (int t = 0; t < M->n; t++) {
		struct mi *m = &M->v[M->order[t]];

		*before += m->visits;
		if (!m->online)
			offline = jv_array_append(offline, jv_string(m->code));
		if (m->visits > 0 && !has(seen, m->window)) {
			seen = jv_object_set(seen, jv_string(m->window), jv_true());
			windows = jv_array_append(windows, jv_string(m->window));
		}
	}
	if (!(M->rules & TN_RULE_ONE_VISIT)) {
		*after = *before;
		reason = "each item visited on its own";
	} else if (M->n && window && jv_array_length(jv_copy(offline)) == 0) {
		*after = 1;
		jv_free(windows);
		windows = jv_array_append(jv_array(), jv_string(window));
		reason = "every item takes online submission and the workflow has one window";
	} else {
		*after = jv_array_length(jv_copy(windows));
		reason = window ? "not every item takes online submission: one visit to each window"
				: "no single window: one visit to each window";
	}
	r = jv_object_set(r, jv_string("count"), jv_number(*after));
	r = jv_object_set(r, jv_string("windows"), windows);
	r = jv_object_set(r, jv_string("offline_items"), offline);
	r = jv_object_set(r, jv_string("reason"), jv_string(reason));
	jv_free(seen);
	return r;
}

static jv one_inspection(jv x, const char *item, const char *dept, int joint)
{
	jv g = jv_object();

	g = jv_object_set(g, jv_string("site"), str_or_null(sget(x, "site")));
	g = jv_object_set(g, jv_string("joint"), jv_bool(joint));
	g = jv_object_set(g, jv_string("kinds"), jv_array_append(jv_array(),
			  str_or_null(sget(x, "kind"))));
	g = jv_object_set(g, jv_string("names"), jv_array_append(jv_array(),
			  str_or_null(sget(x, "name"))));
	g = jv_object_set(g, jv_string("items"), jv_array_append(jv_array(), jv_string(item)));
	g = jv_object_set(g, jv_string("departments"), jv_array_append(jv_array(),
			  str_or_null(dept)));
	return g;
}

static jv merge_inspections(struct merge *M, long *before)
{
	jv out = jv_array(), at = jv_object();   /* site -> position of its joint inspection */

	*before = 0;
	for (int t = 0; t < M->n; t++) {
		struct mi *m = &M->v[M->order[t]];
		jv list = aget(m->it, "inspections");
		int nx = jv_array_length(jv_copy(list));

		for (int k = 0; k < nx; k++) {
			jv x = jv_array_get(jv_copy(list), k);
			const char *site = sget(x, "site");
			int joint = bget(x, "joint", 0) && site && (M->rules & TN_RULE_JOINT_INSPECTION);
			jv pos = joint ? jv_object_get(jv_copy(at), jv_string(site)) : jv_invalid();

			(*before)++;
			if (jv_is_valid(pos)) {
				int p = (int)jv_number_value(pos);
				jv g = jv_array_get(jv_copy(out), p);

				g = push(g, "kinds", str_or_null(sget(x, "kind")));
				g = push(g, "names", str_or_null(sget(x, "name")));
				g = push(g, "items", jv_string(m->code));
				g = push(g, "departments", str_or_null(m->dept));
				out = jv_array_set(out, p, g);
			} else {
				if (joint)
					at = jv_object_set(at, jv_string(site),
							   jv_number(jv_array_length(jv_copy(out))));
				out = jv_array_append(out, one_inspection(x, m->code, m->dept, joint));
			}
			jv_free(pos);
			jv_free(x);
		}
		jv_free(list);
	}
	jv_free(at);
	return out;
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
	jv o = jv_object(), before = jv_array(), names = jv_array(), fl = aget(m->it, "fields");
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

		names = jv_array_append(names, str_or_null(sget(f, "name")));
		jv_free(f);
	}
	jv_free(fl);
	o = jv_object_set(o, jv_string("fields"), names);
	o = jv_object_set(o, jv_string("materials"), aget(m->it, "merged_materials"));
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
	if ((c = sort_items(&M)) || (c = merge_fields(&M, &fields, &dfields, &fields_before)))
		goto fail;
	merge_materials(&M, &mats, &dmats, &mats_before);
	path = schedule(&M, &total, &legal_sum);

	window = sget(workflow, "window");
	if (!window)
		window = opts->window;
	visits = merge_visits(&M, window, &visits_before, &visits_after);
	inspections = merge_inspections(&M, &insp_before);

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
		if (m->dept && !has(dseen, m->dept)) {
			jv d = jv_object();

			dseen = jv_object_set(dseen, jv_string(m->dept), jv_number(jv_array_length(jv_copy(depts))));
			d = jv_object_set(d, jv_string("code"), jv_string(m->dept));
			d = jv_object_set(d, jv_string("name"), str_or_null(sget(m->it, "department_name")));
			d = jv_object_set(d, jv_string("items"), jv_array());
			depts = jv_array_append(depts, d);
		}
		if (m->dept) {
			jv pj = jv_object_get(jv_copy(dseen), jv_string(m->dept));
			int p = (int)jv_number_value(pj);

			jv_free(pj);
			depts = jv_array_set(depts, p, push(jv_array_get(jv_copy(depts), p), "items",
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
		r = jv_object_set(r, jv_string("code"), str_or_null(sget(workflow, "code")));
		r = jv_object_set(r, jv_string("name"), str_or_null(sget(workflow, "name")));
		r = jv_object_set(r, jv_string("window"), str_or_null(window));
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
	jv wf = tn_catalog_workflow(catalog, code), codes, items, idx, w;
	int n;

	*result = jv_invalid();
	if (!jv_is_valid(wf)) {
		jv_free(wf);
		return tn_err_set(err, TN_ENOTFOUND, "unknown workflow '%s'", code);
	}
	codes = aget(wf, "items");
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
	w = jv_object();
	w = jv_object_set(w, jv_string("code"), jv_object_get(jv_copy(wf), jv_string("code")));
	w = jv_object_set(w, jv_string("name"), jv_object_get(jv_copy(wf), jv_string("name")));
	w = jv_object_set(w, jv_string("window"), jv_object_get(wf, jv_string("window")));
	return tn_merge_items(w, items, opts, result, err);
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
	w = jv_object_set(w, jv_string("window"), str_or_null(opts ? opts->window : NULL));
	return tn_merge_items(w, items, opts, result, err);
}

/* ---- the summary ---- */

long tn_merge_figure(jv merged, const char *side, const char *name)
{
	jv v = jv_object_get(jv_object_get(jv_object_get(jv_copy(merged), jv_string("figures")),
					    jv_string(side)), jv_string(name));
	long n = tn_json_long(v, -1);

	jv_free(v);
	return n;
}

static void figure_line(struct tn_buf *b, jv merged, const char *name, const char *label)
{
	long before = tn_merge_figure(merged, "before", name);
	long after = tn_merge_figure(merged, "after", name);

	tn_buf_addf(b, "  %-13s %4ld → %-4ld", label, before, after);
	if (before > 0 && after != before) {
		double pct = 100.0 * (double)(after - before) / (double)before;
		long r = (long)(pct < 0 ? pct - 0.5 : pct + 0.5);

		tn_buf_addf(b, " (%s%ld%%)", r < 0 ? "−" : "+", r < 0 ? -r : r);
	}
	tn_buf_rtrim(b);
	tn_buf_addch(b, '\n');
}

static void join(struct tn_buf *b, jv list, const char *sep)
{
	int n = jv_array_length(jv_copy(list));

	for (int i = 0; i < n; i++) {
		jv s = jv_array_get(jv_copy(list), i);

		if (i)
			tn_buf_adds(b, sep);
		tn_buf_adds(b, jv_get_kind(s) == JV_KIND_STRING ? jv_string_value(s) : "?");
		jv_free(s);
	}
	jv_free(list);
}

static int count_reason(jv dropped, const char *reason)
{
	int n = jv_array_length(jv_copy(dropped)), k = 0;

	for (int i = 0; i < n; i++) {
		jv d = jv_array_get(jv_copy(dropped), i);
		const char *r = sget(d, "reason");

		k += r && !strcmp(r, reason);
		jv_free(d);
	}
	return k;
}

void tn_merge_summary(jv merged, int explain, struct tn_buf *b)
{
	const char *name = sget(merged, "name"), *code = sget(merged, "code");
	jv dm = aget(merged, "dropped_materials"), df = aget(merged, "dropped_fields");
	jv visits = jv_object_get(jv_copy(merged), jv_string("visits"));
	jv time = jv_object_get(jv_copy(merged), jv_string("time"));
	jv insp = aget(merged, "inspections"), mats = aget(merged, "materials");
	int n;

	if (code)
		tn_buf_addf(b, "%s (%s): ", name ? name : code, code);
	else
		tn_buf_adds(b, "ad-hoc set: ");
	tn_buf_addf(b, "%ld items, %ld departments\n", tn_merge_figure(merged, "after", "items"),
		    tn_merge_figure(merged, "after", "departments"));
	figure_line(b, merged, "forms", "forms");
	figure_line(b, merged, "fields", "fields");
	figure_line(b, merged, "materials", "materials");
	figure_line(b, merged, "visits", "visits");
	figure_line(b, merged, "inspections", "inspections");
	figure_line(b, merged, "days", "working days");

	tn_buf_adds(b, "why:\n");
	tn_buf_addf(b, "  fields: %d asked again by another item\n", count_reason(df, "duplicate"));
	tn_buf_addf(b, "  materials: %d duplicates, %d fetched as e-certificates, "
		    "%d produced by an earlier item\n", count_reason(dm, "duplicate"),
		    count_reason(dm, "certificate"), count_reason(dm, "produced"));
	tn_buf_addf(b, "  visits: %s (", sget(visits, "reason") ? sget(visits, "reason") : "");
	join(b, aget(visits, "windows"), ", ");
	tn_buf_adds(b, ")\n");
	n = jv_array_length(jv_copy(insp));
	for (int i = 0; i < n; i++) {
		jv g = jv_array_get(jv_copy(insp), i);

		tn_buf_addf(b, "  inspection at %s: ", sget(g, "site") ? sget(g, "site") : "?");
		join(b, aget(g, "names"), " + ");
		tn_buf_adds(b, bget(g, "joint", 0) && jv_array_length(aget(g, "kinds")) > 1
			    ? " (one joint inspection)\n" : "\n");
		jv_free(g);
	}
	tn_buf_addf(b, "  time: %s, %s limits: ", sget(time, "basis") ? sget(time, "basis") : "",
		    sget(time, "limits") && !strcmp(sget(time, "limits"), "legal") ? "legal"
		    : "promised");
	join(b, aget(time, "critical_path"), " → ");
	tn_buf_addch(b, '\n');
	if (sget(time, "deadline"))
		tn_buf_addf(b, "  deadline: %s (filed %s)\n", sget(time, "deadline"),
			    sget(time, "start_date"));

	n = jv_array_length(jv_copy(mats));
	tn_buf_addf(b, "materials to supply (%d):\n", n);
	for (int i = 0; i < n; i++) {
		jv m = jv_array_get(jv_copy(mats), i);

		tn_buf_addf(b, "  %-9s %s%s\n", sget(m, "code"), sget(m, "name"),
			    bget(m, "required", 1) ? "" : " (optional)");
		jv_free(m);
	}
	if (explain) {
		n = jv_array_length(jv_copy(dm));
		tn_buf_addf(b, "dropped materials (%d):\n", n);
		for (int i = 0; i < n; i++) {
			jv d = jv_array_get(jv_copy(dm), i);
			const char *r = sget(d, "reason");

			tn_buf_addf(b, "  %-16s %-9s %s: ", sget(d, "item"), sget(d, "code"),
				    sget(d, "asked_as") ? sget(d, "asked_as") : sget(d, "name"));
			if (r && !strcmp(r, "certificate"))
				tn_buf_addf(b, "exempt, fetched as e-certificate %s from %s\n",
					    sget(d, "cert_kind"), sget(d, "issuer"));
			else if (r && !strcmp(r, "produced"))
				tn_buf_addf(b, "exempt, produced by %s\n", sget(d, "produced_by"));
			else
				tn_buf_addf(b, "duplicate of %s\n", sget(d, "duplicate_of"));
			jv_free(d);
		}
		n = jv_array_length(jv_copy(df));
		tn_buf_addf(b, "dropped fields (%d):\n", n);
		for (int i = 0; i < n; i++) {
			jv d = jv_array_get(jv_copy(df), i);

			tn_buf_addf(b, "  %-16s %-18s duplicate of %s\n", sget(d, "item"),
				    sget(d, "name"), sget(d, "duplicate_of"));
			jv_free(d);
		}
	}
	jv_free(dm);
	jv_free(df);
	jv_free(visits);
	jv_free(time);
	jv_free(insp);
	jv_free(mats);
}
