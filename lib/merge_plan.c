/* merge_plan.c — the merged plan: time as the critical path, one visit, joint inspections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_jv.h"
#include "tn_merge.h"
#include "tnp_merge.h"

/* ---- time ---- */

jv tnp_merge_schedule(struct merge *M, long *total, long *legal_sum)
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

/* ---- visits and inspections ---- */

jv tnp_merge_visits(struct merge *M, const char *window, long *before, long *after)
{
	jv windows = jv_array(), seen = jv_object(), offline = jv_array(), r = jv_object();
	const char *reason;

	*before = 0;
	for (int t = 0; t < M->n; t++) {
		struct mi *m = &M->v[M->order[t]];

		*before += m->visits;
		if (!m->online)
			offline = jv_array_append(offline, jv_string(m->code));
		if (m->visits > 0 && !tn_jv_has(seen, m->window)) {
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

	g = jv_object_set(g, jv_string("site"), tn_jv_str_or_null(x, "site"));
	g = jv_object_set(g, jv_string("joint"), jv_bool(joint));
	g = jv_object_set(g, jv_string("kinds"), jv_array_append(jv_array(),
			  tn_jv_str_or_null(x, "kind")));
	g = jv_object_set(g, jv_string("names"), jv_array_append(jv_array(),
			  tn_jv_str_or_null(x, "name")));
	g = jv_object_set(g, jv_string("items"), jv_array_append(jv_array(), jv_string(item)));
	g = jv_object_set(g, jv_string("departments"), jv_array_append(jv_array(),
			  tn_jv_string_or_null(dept)));
	return g;
}

jv tnp_merge_inspections(struct merge *M, long *before)
{
	jv out = jv_array(), at = jv_object();   /* site -> position of its joint inspection */

	*before = 0;
	for (int t = 0; t < M->n; t++) {
		struct mi *m = &M->v[M->order[t]];
		jv list = tn_jv_array(m->it, "inspections");
		int nx = jv_array_length(jv_copy(list));

		for (int k = 0; k < nx; k++) {
			jv x = jv_array_get(jv_copy(list), k);
			const char *site = tn_jv_str(x, "site");
			int joint = tn_jv_bool(x, "joint", 0) && site && (M->rules & TN_RULE_JOINT_INSPECTION);
			jv pos = joint ? jv_object_get(jv_copy(at), jv_string(site)) : jv_invalid();

			(*before)++;
			if (jv_is_valid(pos)) {
				int p = (int)jv_number_value(pos);
				jv g = jv_array_get(jv_copy(out), p);

				g = tnp_merge_push(g, "kinds", tn_jv_str_or_null(x, "kind"));
				g = tnp_merge_push(g, "names", tn_jv_str_or_null(x, "name"));
				g = tnp_merge_push(g, "items", jv_string(m->code));
				g = tnp_merge_push(g, "departments", tn_jv_string_or_null(m->dept));
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
