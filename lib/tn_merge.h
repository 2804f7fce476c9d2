/* tn_merge.h — merge service items into one "one thing" workflow (一件事一次办) and prove its figures. */
#ifndef TN_MERGE_H
#define TN_MERGE_H

#include <jv.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_err.h"

/*
 * The rules of the merge, one bit each, so that a test can switch any one off
 * and see the figure it owns change.  TN_MERGE_ALL is the real merge.
 */
#define TN_MERGE_RULES(X) \
	X(TN_RULE_ONE_FORM,     0x001, "one-form",          "forms: one form for the whole workflow") \
	X(TN_RULE_FIELD_DEDUP,  0x002, "field-dedup",       "fields: a canonical field asked by several items is asked once") \
	X(TN_RULE_MATERIAL_DEDUP, 0x004, "material-dedup",  "materials: one of each canonical material") \
	X(TN_RULE_CERT_EXEMPT,  0x008, "cert-exempt",       "materials: one a city department issued is fetched as an e-certificate") \
	X(TN_RULE_PRODUCED,     0x010, "produced-exempt",   "materials: one an earlier item produces is exempt") \
	X(TN_RULE_ONE_VISIT,    0x020, "one-visit",         "visits: one, when every item is online and the workflow has one window") \
	X(TN_RULE_JOINT_INSPECTION, 0x040, "joint-inspection", "inspections: joint kinds at one site become one inspection") \
	X(TN_RULE_CRITICAL_PATH, 0x080, "critical-path",    "time: the critical path of the 'before' graph, not the sum") \
	X(TN_RULE_PROMISED,     0x100, "promised-days",     "time: promised limits where notification-and-commitment is allowed")

enum tn_merge_rule {
#define TN_X_RULE(name, bit, slug, help) name = bit,
	TN_MERGE_RULES(TN_X_RULE)
#undef TN_X_RULE
};

#define TN_MERGE_ALL 0x1ff

struct tn_merge_opts {
	unsigned rules;             /* TN_RULE_* bits that apply; TN_MERGE_ALL normally */
	const char *window;         /* the one window of an ad-hoc set (NULL: none) */
	const struct tn_cal *cal;   /* with start >= 0: deadlines from the working-day calendar */
	long start;                 /* day the workflow is filed (tn_date_parse), -1 for none */
};

#define TN_MERGE_OPTS_INIT { TN_MERGE_ALL, NULL, NULL, -1 }

/* The rule named `slug` ("one-visit"), or 0 when there is none.  Cannot fail. */
unsigned tn_merge_rule_parse(const char *slug);
/* The slug of one rule bit, or NULL.  Cannot fail. */
const char *tn_merge_rule_slug(unsigned rule);

/*
 * Merge `items` (an array of resolved ITEMs as tn_catalog_load builds them,
 * consumed) as the workflow `workflow` ({code,name,window}, consumed; code and
 * name may be null for an ad-hoc set).  On success *result is the merged
 * workflow (MERGED in man/workflow-merge.1), owned by the caller.
 *
 * Errors (result jv_invalid()): TN_EINVALID for two items constraining the same
 * field differently ("field 'x' conflicts: ..."), a cycle of 'before'
 * ("cycle in 'before': A -> B -> A"), an item twice or a malformed item;
 * deadlines past the calendar's years are counted Monday to Friday and marked
 * "deadline_provisional": true (in `time` and per item).
 */
enum tn_code tn_merge_items(jv workflow, jv items, const struct tn_merge_opts *opts, jv *result,
			    struct tn_err *err);

/*
 * Merge the catalog's workflow `code`.  `catalog` is borrowed.  An unknown
 * workflow is TN_ENOTFOUND; a workflow naming an item the catalog lacks is
 * TN_EINVALID ("unknown item 'X' in workflow 'W'").
 */
enum tn_code tn_merge_workflow(jv catalog, const char *code, const struct tn_merge_opts *opts,
			       jv *result, struct tn_err *err);

/*
 * Merge an ad-hoc set of `n` item codes of the catalog (borrowed).  An unknown
 * item is TN_ENOTFOUND ("unknown item 'X'").
 */
enum tn_code tn_merge_codes(jv catalog, const char *const *codes, int n,
			    const struct tn_merge_opts *opts, jv *result, struct tn_err *err);

/*
 * Append to `b` the human summary of a merged workflow (borrowed): the before
 * and after of every figure ("materials 31 → 12 (−61%)") and the reasons;
 * with `explain`, every dropped material and field with its reason.
 */
void tn_merge_summary(jv merged, int explain, struct tn_buf *b);

/* One figure of a merged workflow (borrowed): side "before"|"after", name "materials"...; -1 if absent. */
long tn_merge_figure(jv merged, const char *side, const char *name);

#endif
