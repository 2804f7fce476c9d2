/* tn_alertkind.h — the catalog of alert kinds (share/twonet/alerts/kinds.yaml): names, event texts and codes, owners, default severities. */
#ifndef TN_ALERTKIND_H
#define TN_ALERTKIND_H

#include <stddef.h>

#include "tn_alert.h"
#include "tn_err.h"

/* The kind an event text that no kind claims gets. */
#define TN_ALERTKIND_OTHER "other"

/* One default severity rule: a value above `above` is `severity`. */
struct tn_alertkind_rule {
	double above;
	enum tn_severity severity;
};

/* One kind of the catalog.  Every pointer lives as long as the catalog. */
struct tn_alertkind {
	const char *code;               /* "waterlogging" */
	const char *name;               /* "道路积水" */
	const char *category;           /* CAP category: "Met" */
	const char *department;         /* a code of the catalog's departments: "SHSW" */
	const char *department_name;    /* its name */
	const char *const *synonyms;    /* NULL-terminated */
	const char *const *event_codes; /* NULL-terminated */
	const struct tn_alertkind_rule *rules;  /* in order, the first that holds wins */
	size_t nrules;
	enum tn_severity severity;      /* the default; TN_SEV_NONE when none */
	long line;                      /* where it is defined */
};

struct tn_alertkinds;

/*
 * Load the catalog at `path` (NULL: the shipped one, tn_sharedir()'s
 * alerts/kinds.yaml) into *out (owned; tn_alertkinds_free).  Refused as
 * TN_EINVALID with "FILE:LINE: what" (lib/yaml.c's shape): malformed YAML, a
 * missing or unknown member, a code that is not an alert kind, a kind, name,
 * synonym or event code given twice, a category that is not CAP's, a
 * department not among `departments`, a bad severity rule; TN_EIO when the
 * file cannot be read.  On failure *out is untouched.
 */
enum tn_code tn_alertkinds_load(const char *path, struct tn_alertkinds **out, struct tn_err *err);
void tn_alertkinds_free(struct tn_alertkinds *k);

/*
 * The shipped catalog, loaded on first use and kept for the process (one
 * thread: see STYLE.md).  NULL when it cannot be loaded: err (may be NULL)
 * says why, on every call.  $TWONET_SHAREDIR moves it (tn_sharedir).
 */
const struct tn_alertkinds *tn_alertkinds_default(struct tn_err *err);

/* The number of kinds, and the i-th in file order. */
size_t tn_alertkinds_count(const struct tn_alertkinds *k);
const struct tn_alertkind *tn_alertkinds_at(const struct tn_alertkinds *k, size_t i);

/*
 * For a ','-separated list of kind codes given to a filter: when one is not
 * in the shipped catalog, a note into buf ("no kind 'water_dept' in the
 * alert kinds; did you mean 'water_depth'?") and 1; else 0 (buf "").  Kinds
 * are open (an unlisted kind is a kind), so this is a note, never an error;
 * 0 when the catalog cannot be read.
 */
int tn_alertkinds_note(const char *list, char *buf, size_t size);

/* The kind with this code; NULL when none (or `k` is NULL). */
const struct tn_alertkind *tn_alertkind_get(const struct tn_alertkinds *k, const char *code);

/* The kind one of whose event_codes is `value` (case-insensitively); NULL when none. */
const struct tn_alertkind *tn_alertkind_by_event_code(const struct tn_alertkinds *k,
						      const char *value);

/*
 * The kind an event text means: the kind whose name or synonym it is (spaces
 * around ignored), else the kind whose name or synonym is the longest part of
 * it ("暴雨橙色预警" → rainstorm), the first in file order on a tie; NULL when
 * none.
 */
const struct tn_alertkind *tn_alertkind_by_text(const struct tn_alertkinds *k, const char *text);

/*
 * The default severity of `kind` for an alert whose value is `value` (when
 * `has_value`): the first rule whose `above` the value exceeds, else the
 * kind's default; TN_SEV_NONE when neither.  Cannot fail.
 */
enum tn_severity tn_alertkind_severity(const struct tn_alertkind *kind, int has_value,
				       double value);

#endif
