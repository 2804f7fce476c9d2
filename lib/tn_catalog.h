/* tn_catalog.h — the service catalog: departments, materials, fields, items, workflows (YAML). */
#ifndef TN_CATALOG_H
#define TN_CATALOG_H

#include <jv.h>

#include "tn_err.h"

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

#endif
