/* tnp_merge.h — the merge's state and its parts, shared by lib/merge*.c only. */
#ifndef TNP_MERGE_H
#define TNP_MERGE_H

#include <jv.h>

#include "tn_err.h"

/* One item of the set being merged; the strings point into `it`. */
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

/* Append `v` (consumed) to the array at obj[key] (consumed; made when absent); returns obj. */
jv tnp_merge_push(jv obj, const char *key, jv v);

/* merge_plan.c: the critical path (codes, new array), with the total and the sum of legal days */
jv tnp_merge_schedule(struct merge *M, long *total, long *legal_sum);
/* merge_plan.c: the visits object, counting the visits before and after */
jv tnp_merge_visits(struct merge *M, const char *window, long *before, long *after);
/* merge_plan.c: the inspections (new array), counting those before */
jv tnp_merge_inspections(struct merge *M, long *before);

/* merge_form.c: the one form's fields and those dropped; TN_EINVALID on a conflict */
enum tn_code tnp_merge_fields(struct merge *M, jv *fields, jv *dropped, long *asked);
/* merge_form.c: the materials kept and those dropped (exempt or duplicate) */
void tnp_merge_materials(struct merge *M, jv *kept, jv *dropped, long *asked);

#endif
