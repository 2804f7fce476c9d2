/* tn_taskrules.h — rules that turn alerts into task intents: YAML loaded and checked once, jq conditions, windows, dedupe keys, plans, escalations, targets. */
#ifndef TN_TASKRULES_H
#define TN_TASKRULES_H

#include <stddef.h>
#include <jv.h>

#include "tn_err.h"

/*
 * A rule set (twonet-rules: the folder share/twonet/rules, or one file).
 * Every *.yaml file of a folder is read in name order; a file may hold
 * `rules:` (a list of rules) and `targets:` (the time targets per kind and
 * severity, once in a set).  Every jq expression (`when`, `window.where`,
 * `key`) is compiled once, here.  Any fault is TN_EINVALID "FILE:LINE:
 * FIELD: WHAT" and nothing is loaded: an unknown key (a typo is never
 * ignored), a bad duration, a jq expression that does not compile, a rule
 * id given twice.  `path` NULL: tn_sharedir()/rules.  A folder without
 * *.yaml files is an empty set (no rule matches).  TN_EIO when the path
 * cannot be read.  On failure *out is NULL.
 */
struct tn_rules;
enum tn_code tn_rules_load(const char *path, struct tn_rules **out, struct tn_err *err);

/* Free a rule set; NULL is fine. */
void tn_rules_free(struct tn_rules *r);

/* How many rules the set holds. */
size_t tn_rules_count(const struct tn_rules *r);

/*
 * The rules, in evaluation order (file name, then place in the file), one
 * object each (owned): {id, name, file, line, kinds} as the contract names
 * them, then when, window ({within_s, count, where} or null), key,
 * dedupe_s, department, crew_pool, priority, priority_by_severity, title,
 * plan ({name, steps:[{n,title,who,within_s}]} or null), escalate
 * ([{level,after_s,unless,priority,notify}]).  And the set's targets in
 * tn_rules_targets.
 */
jv tn_rules_describe(const struct tn_rules *r);
jv tn_rules_targets(const struct tn_rules *r);

/*
 * The history a window is counted over: the newest `max` (at most) of the
 * recent alerts of `kind` from `source` raised at or after `since` (epoch
 * seconds), oldest first, the alert being evaluated excluded, as a jv array
 * (owned) in *alerts.  An error ends the evaluation with it.  A window asks
 * for as few as its count needs (count - 1), and for more (up to
 * TN_RULES_WINDOW_MAX) only while those fail its "where": a source that
 * raises hundreds of alerts in a window costs a few rows an evaluation, not
 * hundreds.
 */
#define TN_RULES_WINDOW_MAX 1000        /* a window looks at the newest 1000 alerts of its source (count's maximum) */
typedef enum tn_code (*tn_rules_history_fn)(void *ctx, const char *kind, const char *source,
					    long long since, long max, jv *alerts,
					    struct tn_err *err);

/*
 * Evaluate one ALERT (borrowed) at time `now` (epoch s): *intents (owned) is
 * an array of INTENT, one per matching rule, in rule order:
 * {"rule","key","dedupe_s","title","kind","kind_name","severity","priority",
 *  "department","crew_pool","district","district_name","street","street_name",
 *  "plan":{"name","steps":[{"n","title","who","within_s"}]} (null: no plan),
 *  "escalate":[{"level","after_s","unless","priority","notify"}],
 *  "targets":{"dispatch_s","acknowledge_s","on_site_s","resolve_s"}}
 * (a target the configuration does not give is null).  A rule matches when
 * the alert's kind is one of its kinds, `when` gives a truthy first output
 * (not false, null or none), and its window holds `count` alerts (this one
 * included, which must satisfy `where` too) satisfying `where`.  `fn` (may
 * be NULL when no rule has a window: then a window never matches) is asked
 * only for rules that got that far.  A jq runtime error in a rule's
 * expression: that rule does not match, and the error is counted
 * (tn_rules_errors).  The key is the string `key` gives (a number or
 * boolean as its JSON text; null, none or an error: the alert's source).
 * TN_OK, or the history's error (*intents then jv_invalid()).
 * jq 1.6 is single-threaded: one rule set is used by one thread.
 */
enum tn_code tn_rules_eval(struct tn_rules *r, jv alert, long long now, tn_rules_history_fn fn,
			   void *ctx, jv *intents, struct tn_err *err);

/*
 * How many jq runtime errors evaluations met so far, and the last one's
 * message ("RULE: FIELD: MESSAGE"; "" when none).  The string lives until
 * the next evaluation.
 */
unsigned long tn_rules_errors(const struct tn_rules *r, const char **last);

/*
 * A duration as the rules write it: N followed by s, m, h or d (N a whole
 * number, 1 to 3650 days in all), into seconds.  0, or -1 when not one.
 */
int tn_rules_duration(const char *s, long long *seconds);
/* Seconds as the rules write them, in the largest unit that divides them ("90s", "10m", "2h", "1d"); "" for 0. */
void tn_rules_duration_text(long long seconds, char *buf, size_t size);

/*
 * Deduplication, the one rule of the server and the dry run: 1 when the
 * INTENT (borrowed) of an alert at `now` updates the TASK (borrowed) of the
 * same rule and key (tn_task_merge) rather than making a new one: the task
 * is open and its last alert (last_alert.raised_at, else generated_at) came
 * at most the intent's dedupe_s before `now` (dedupe_s 0: while it is open).
 */
int tn_rules_dedupe_match(jv task, jv intent, long long now);

/*
 * The offline run (task-rules test): recorded alerts fed in order against a
 * rule set, with the history of each (kind, source) kept in memory for the
 * windows, and the tasks kept in memory for dedupe, exactly as the server
 * would make them from the same intents (tn_task_new, tn_task_merge,
 * tn_task_escalate).  The clock is each alert's own raised_at (else sent_at,
 * else the clock before).
 */
struct tn_rules_dry;
struct tn_rules_dry *tn_rules_dry_new(struct tn_rules *r /* borrowed; outlives it */);
void tn_rules_dry_free(struct tn_rules_dry *d);

/*
 * Feed one record (borrowed): an ALERT as alert-tail and alert-list print
 * it, or an alert input as alert-post reads it (normalised first).  Events
 * that are not alerts (status changes, task events) and cancels are
 * skipped.  When `escalate_until` > 0, the escalations due by the record's
 * clock (at most escalate_until) fire first.  Each generated, updated or
 * escalated task is appended to *out (an array) as the TASK with
 * "action":"generate"|"update"|"escalate".  TN_EINVALID for a record that
 * is not an alert (nothing changes then).
 */
enum tn_code tn_rules_dry_feed(struct tn_rules_dry *d, jv record, long long escalate_until,
			       jv *out, struct tn_err *err);

/* The escalations due by `at` (epoch s) that have not fired yet, appended to *out. */
void tn_rules_dry_escalate(struct tn_rules_dry *d, long long at, jv *out);

/* The table columns of task-rules' outputs. */
extern const char *tn_rules_columns[];
extern const char *tn_rules_task_columns[];

#endif
