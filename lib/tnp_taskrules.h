/* tnp_taskrules.h — a loaded rule set's insides, shared by lib/taskrules*.c only. */
#ifndef TNP_TASKRULES_H
#define TNP_TASKRULES_H

#include <stddef.h>
#include <jq.h>
#include <jv.h>

#include "tn_buf.h"
#include "tn_taskrules.h"

#define TNP_RULES_MAX 1000      /* rules in a set */
#define TNP_RULES_MAX_FILES 200 /* files in a folder */

/* One rule, checked; every string is its own. */
struct tnp_rule {
	char *id;
	jv kinds;               /* array of strings */
	int when, where, key;   /* expression numbers in the set's program, -1: none */
	long long within_s;     /* 0: no window */
	long count;
	char *title;            /* the template */
	int priority;           /* 1..4 */
	int prio_sev[4];        /* by severity blue..red, 0: not given */
	jv fixed;               /* the intent's members that do not depend on the alert */
	jv desc;                /* tn_rules_describe's object */
};

struct tn_rules {
	struct tnp_rule *v;
	size_t n;
	jq_state *jq;           /* every expression, one program (see taskrules_load.c) */
	size_t nexpr;
	jv targets;             /* {default, severities:{SEV}, kinds:{KIND:{default, SEV}}}, each {dispatch_s,...} */
	long long max_within;   /* the longest window, for a history kept in memory */
	unsigned long errors;
	struct tn_buf last;     /* the last runtime error */
	struct tn_buf jqmsg;    /* messages jq gave through its callback */
	struct tnp_simple *simple;      /* each expression's `.NAME OP LITERAL` form, if it has one */
	size_t nsimple;
};

/*
 * An expression of the form `.NAME OP LITERAL` answered without jq
 * (taskrules_simple.c): add records expression `expr`'s form (or that it has
 * none), run answers it on `input` (borrowed) as jq would, 0 with true or
 * false in *out, or -1: run it in jq.
 */
void tnp_rules_simple_add(struct tn_rules *r, size_t expr, const char *text);
int tnp_rules_simple_run(const struct tn_rules *r, int expr, jv input, jv *out);
void tnp_rules_simple_free(struct tn_rules *r);

/*
 * Run expression `expr` of `r` on `input` (consumed): its first output
 * (owned) in *out, jv_invalid() when it gave none.  -1 on a runtime error,
 * with the message in r->jqmsg.
 */
int tnp_rules_run(struct tn_rules *r, int expr, jv input, jv *out);

/* 1 when `v` (borrowed) is truthy as jq has it: valid, not false, not null. */
int tnp_rules_truthy(jv v);

/* ---- the loader (taskrules_load.c), its node readers (taskrules_read.c) ---- */
#include <yaml.h>

#define TNP_RULES_TEXT_MAX 200  /* characters of a name, a who, a notify */
#define TNP_RULES_TITLE_MAX 500 /* bytes of a title template */

struct loader {
	struct tn_err *err;
	const char *file;
	yaml_document_t *doc;
	struct tn_rules *r;
	struct tn_buf prog;     /* the program's definitions */
	jv exprs;               /* [{text, file, line, field}] */
	jv ids;                 /* rule id -> "FILE:LINE" */
	char *targets_at;       /* where `targets` was given */
	const char *rule;       /* the rule being read, for messages */
};

/*
 * Every reader reports "FILE:LINE: RULE.FIELD: WHAT" (TN_EINVALID) at the
 * node at fault; strings they give point into the document being read.
 */
enum tn_code tnp_rl_bad(struct loader *L, const yaml_node_t *n, const char *field,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The member `key` of `map`; NULL when absent or null. */
yaml_node_t *tnp_rl_get(struct loader *L, yaml_node_t *map, const char *key);
/* `map` must be a mapping whose keys are all in `allowed` (NULL-terminated), each once. */
enum tn_code tnp_rl_keys(struct loader *L, yaml_node_t *map, const char *field,
			 const char *const *allowed);
/* A string of 1..max characters; *out NULL when absent (an error when `required`). */
enum tn_code tnp_rl_str(struct loader *L, yaml_node_t *map, const char *key, const char *field,
			int required, size_t max, const char **out);
/* A duration (tn_rules_duration) above 0; *out 0 when absent (an error when `required`). */
enum tn_code tnp_rl_duration(struct loader *L, yaml_node_t *map, const char *key,
			     const char *field, int required, long long *out);
/* A whole number lo..hi; `dflt` when absent (an error when dflt < 0). */
enum tn_code tnp_rl_number(struct loader *L, yaml_node_t *map, const char *key,
			   const char *field, long lo, long hi, long dflt, long *out);
/* A title template `s` at node `n`: every "{{" closed, each holding a dotted member path. */
enum tn_code tnp_rl_template(struct loader *L, yaml_node_t *n, const char *s, const char *field);
/* The set's `targets` mapping `t`, into L->r->targets (once in a set). */
enum tn_code tnp_rl_targets(struct loader *L, yaml_node_t *t);

/* blue, yellow, orange, red; NULL-terminated. */
extern const char *const tnp_rl_sev_names[];

#endif
