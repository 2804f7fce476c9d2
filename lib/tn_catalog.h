/* tn_catalog.h — the service catalog: departments, materials, fields, items, workflows (YAML). */
#ifndef TN_CATALOG_H
#define TN_CATALOG_H

#include <jv.h>

#include "tn_buf.h"
#include "tn_err.h"

struct tn_client;

/*
 * Load every *.yaml file of `dir` (in name order; NULL: tn_sharedir()/catalog)
 * with libyaml, check every reference and build the catalog (format:
 * twonet-catalog(5)).  On success *catalog is a new object, owned by the caller:
 *
 *   {"departments":     [{code,name,full_name}],
 *    "inspection_kinds":[{code,name,department,joint}],
 *    "materials":       [{code,name,issuer,issuer_name,cert_kind}],
 *    "fields":          [{name,label,type,required,values?,pattern?,max_length?,aliases}],
 *    "items":           [ITEM],
 *    "workflows":       [{code,name,window,items:[CODE]}]}
 *
 * ITEM is resolved to the ITEM shape of doc/api-contract.md (code, name,
 * department, department_name, legal_days, promised_days, commitment, fields,
 * materials) plus what the merge needs: form, visits, online, window,
 * inspections [{kind,name,site,joint}], before [CODE], produces [CODE];
 * each material also carries issuer, issuer_name and asked_as (the
 * department's wording, when it differs), each field the label of the item's
 * department (its alias; then also canonical_label, the dictionary's label)
 * and the item's own constraints.
 *
 * Errors are TN_EINVALID with "FILE:LINE: MESSAGE", e.g.
 * "catalog/items.yaml:12: unknown material 'M-X' in item '310000-SCJG-001'";
 * an unreadable folder or file is TN_EIO.  On failure *catalog is jv_invalid().
 */
enum tn_code tn_catalog_load(const char *dir, jv *catalog, struct tn_err *err);

/*
 * As tn_catalog_load, from a NULL-terminated list of files (borrowed), in the
 * order given.  Used by tests and by twonetd's import of single files.
 */
enum tn_code tn_catalog_load_files(const char *const *paths, jv *catalog, struct tn_err *err);

/*
 * The rule "promised_days never later than legal_days" on a catalog that did
 * not come through the loader (a JSON document, borrowed): TN_EINVALID
 * "NAME: promised_days P of item 'X' is later than its legal_days L" for the
 * first item that breaks it, else TN_OK.  tn_catalog_load checks it itself.
 */
enum tn_code tn_catalog_check_days(jv catalog, const char *name, struct tn_err *err);

/*
 * Look-ups by code.  `catalog` is borrowed (not consumed).  Each returns a
 * new reference to the entry, or jv_invalid() when there is none.
 */
jv tn_catalog_item(jv catalog, const char *code);
jv tn_catalog_workflow(jv catalog, const char *code);
jv tn_catalog_material(jv catalog, const char *code);
jv tn_catalog_field(jv catalog, const char *name);
jv tn_catalog_department(jv catalog, const char *code);
jv tn_catalog_inspection_kind(jv catalog, const char *code);

/*
 * An object from code (or field name) to entry for one section of the
 * catalog ("items", "materials", "fields", ...), for repeated look-ups.
 * `catalog` is borrowed; the result is new (an empty object when the section
 * is missing).
 */
jv tn_catalog_index(jv catalog, const char *section);

/* ---- browsing (catalog_view.c, catalog_text.c, catalog_remote.c) ---- */

/* Table columns of the lists below (NULL-terminated). */
extern const char *tn_catalog_item_columns[];
extern const char *tn_catalog_department_columns[];
extern const char *tn_catalog_workflow_columns[];
extern const char *tn_catalog_field_columns[];

/*
 * Fill err for a code the catalog (borrowed) lacks in `section` ("items",
 * "workflows", "departments", "fields", "materials") and return `code_to_return`
 * (TN_ENOTFOUND for a record asked for, TN_EINVALID for a filter):
 * "unknown item 'X' (did you mean 'Y'?)" when one is close (tn_suggest),
 * else "unknown item 'X' (catalog items lists them)".
 */
enum tn_code tn_catalog_unknown(jv catalog, const char *section, const char *code,
				enum tn_code code_to_return, struct tn_err *err);

/*
 * The items (borrowed catalog), as rows {code, name, department,
 * department_name, promised_days, legal_days, visits, online} in catalog
 * order, only those of `department` (NULL: all) and, with `online_only`,
 * those that can be filed online.  An unknown department is TN_EINVALID
 * (tn_catalog_unknown) with *rows jv_invalid(); else *rows is new.
 */
enum tn_code tn_catalog_items_rows(jv catalog, const char *department, int online_only,
				   jv *rows, struct tn_err *err);

/* The departments as rows {code, name, full_name, items (how many)}; new.  Cannot fail. */
jv tn_catalog_departments_rows(jv catalog);

/*
 * The workflows as rows {code, name, window, items (how many), before, after}
 * with the figures of the merge (tn_merge_workflow with every rule; null
 * when the workflow does not merge); new.  Cannot fail.
 */
jv tn_catalog_workflows_rows(jv catalog);

/*
 * Workflow `code` in full: {code, name, window, items: [item rows],
 * figures: {before, after} or null}; *merged (may be NULL) the merged
 * workflow as tn_merge_workflow makes it (jv_invalid() when it does not
 * merge), for tn_catalog_workflow_text.  Unknown: TN_ENOTFOUND with a
 * suggestion, *out jv_invalid().
 */
enum tn_code tn_catalog_workflow_detail(jv catalog, const char *code, jv *out, jv *merged,
					struct tn_err *err);

/*
 * The fields of item `item` (as its form asks them: the department's label,
 * canonical_label beside it, the item's own constraints), or with `item`
 * NULL the field dictionary; rows {name, label, canonical_label?, type,
 * required, values?, pattern?, max_length?}.  Unknown item: TN_ENOTFOUND.
 */
enum tn_code tn_catalog_fields_rows(jv catalog, const char *item, jv *rows, struct tn_err *err);

/*
 * Item `code` in full, for a newcomer filing a case: the resolved ITEM with
 * fields as tn_catalog_fields_rows makes them, each material with `certs`:
 * [{kind, alias, name, department, department_name}], the certificate kinds
 * that stand for it (looked up in `kinds`, borrowed, as tn_cert_kinds_load
 * loads them; with kinds invalid only the alias is known), `produces` as
 * [{code, name}] and `workflows` [CODE] that hold it.  Unknown: TN_ENOTFOUND
 * with a suggestion, *out jv_invalid().
 */
enum tn_code tn_catalog_item_detail(jv catalog, jv kinds, const char *code, jv *out,
				    struct tn_err *err);

/*
 * A page of text of an item as tn_catalog_item_detail makes it (borrowed):
 * its limits, window and visits, its form (required fields marked "*", each
 * with its label and rule), its materials with the e-certificates that stand
 * for them; with `hint`, a last line "case-submit --item CODE ... --field
 * NAME=..." naming every required field.  Appended to `b`; cannot fail.
 */
void tn_catalog_item_text(jv item, int hint, struct tn_buf *b);

/*
 * A page of text of a workflow as tn_catalog_workflow_detail makes it
 * (borrowed), then tn_merge_summary of `merged` (borrowed) when it is an
 * object.  Cannot fail.
 */
void tn_catalog_workflow_text(jv workflow, jv merged, struct tn_buf *b);

/* The kinds of words tn_catalog_words prints: "items|fields|...". */
extern const char *const tn_catalog_word_kinds;

/*
 * Completion words: one "WORD\tLABEL\n" line each, appended to `out`.
 * `kind`: items (code, name), fields (of `item`, or the dictionary when
 * NULL; name, label), departments (code, name), workflows (code, name),
 * districts (GB/T 2260 code, name), statuses (case states, their Chinese
 * labels).  An unknown kind, or an item with another kind, is TN_EUSAGE; an
 * unknown item TN_ENOTFOUND.
 */
enum tn_code tn_catalog_words(jv catalog, const char *kind, const char *item, struct tn_buf *out,
			      struct tn_err *err);

/*
 * The catalog as server `c` serves it (GET /v1/items and /v1/workflows,
 * every page), in the shape tn_catalog_load builds: items as served,
 * workflows with their item codes, departments, fields (with the
 * dictionary's labels) and materials gathered from the items.  *catalog is
 * new; on failure the client's code and jv_invalid().
 */
enum tn_code tn_catalog_fetch(struct tn_client *c, jv *catalog, struct tn_err *err);

#endif
