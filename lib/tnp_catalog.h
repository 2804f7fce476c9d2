/* tnp_catalog.h — the catalog loader's state and YAML readers, shared by lib/catalog*.c only. */
#ifndef TNP_CATALOG_H
#define TNP_CATALOG_H

#include <stddef.h>

#include <jv.h>
#include <yaml.h>

#include "tn_err.h"
#include "tn_yaml.h"

/*
 * Every reader below reports through tnp_cat_bad: TN_EINVALID with
 * "FILE:LINE: MESSAGE", FILE the catalog file, LINE where the node starts.
 * Strings they hand out (const char **out) point into the file's document,
 * alive until the load ends.
 */

enum section { SEC_DEPT, SEC_KIND, SEC_MAT, SEC_FIELD, SEC_ITEM, SEC_FLOW, SEC_COUNT };

/* The sections' keys in a file, and what their entries are called in messages. */
extern const char *const tnp_cat_section_names[SEC_COUNT];
extern const char *const tnp_cat_entry_names[SEC_COUNT];

/* One parsed file; its document stays alive until the load ends. */
struct cat_src {
	char *path;
	yaml_document_t doc;
	int loaded;
};

/* One entry of a section: the mapping node and the file it is in. */
struct cat_ent {
	struct cat_src *src;
	yaml_node_t *node;
};

struct cat_ents {
	struct cat_ent *v;
	size_t n, alloc;
};

struct cat_loader {
	struct cat_src *srcs;
	size_t nsrcs;
	struct cat_ents sec[SEC_COUNT];
	jv index[SEC_COUNT];     /* code -> resolved entry */
	jv out[SEC_COUNT];       /* resolved entries, in file order */
	struct tn_err *err;
};

/* Node `id` of file `s`, and the member `key` of mapping `map` in it (NULL: none). */
static inline yaml_node_t *tnp_cat_node(struct cat_src *s, int id)
{
	return yaml_document_get_node(&s->doc, id);
}

static inline yaml_node_t *tnp_cat_get(struct cat_src *s, yaml_node_t *map, const char *key)
{
	return tn_yaml_get(&s->doc, map, key);
}

/* catalog_node.c: typed members of one mapping node */
enum tn_code tnp_cat_bad(struct cat_loader *L, struct cat_src *s, const yaml_node_t *n,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
enum tn_code tnp_cat_keys(struct cat_loader *L, struct cat_src *s, yaml_node_t *map,
			  const char *const *allowed, const char *what, const char *code);
enum tn_code tnp_cat_str(struct cat_loader *L, struct cat_src *s, yaml_node_t *map,
			 const char *key, int required, const char *what, const char *code,
			 const char **out);
enum tn_code tnp_cat_count(struct cat_loader *L, struct cat_src *s, yaml_node_t *map,
			   const char *key, long def, const char *what, const char *code,
			   long *out);
enum tn_code tnp_cat_bool(struct cat_loader *L, struct cat_src *s, yaml_node_t *map,
			  const char *key, int def, const char *what, const char *code, int *out);
enum tn_code tnp_cat_seq(struct cat_loader *L, struct cat_src *s, yaml_node_t *map,
			 const char *key, const char *what, const char *code, yaml_node_t **out);
enum tn_code tnp_cat_str_list(struct cat_loader *L, struct cat_src *s, yaml_node_t *seq,
			      const char *key, const char *what, const char *code, jv *out);
enum tn_code tnp_cat_constraints(struct cat_loader *L, struct cat_src *s, yaml_node_t *n,
				 const char *what, const char *code, jv *f);
/* Register a resolved entry (consumed) under its code, refusing a duplicate. */
enum tn_code tnp_cat_add(struct cat_loader *L, int sec, struct cat_src *s, yaml_node_t *n,
			 const char *code, jv entry);
/* The name of department `code` (a new reference; invalid when unknown). */
jv tnp_cat_dept_name(struct cat_loader *L, const char *code);
enum tn_code tnp_cat_need_dept(struct cat_loader *L, struct cat_src *s, yaml_node_t *n,
			       const char *code, const char *what, const char *owner);

/* catalog_sections.c and catalog_item.c: each section, in the order they may refer back */
enum tn_code tnp_cat_departments(struct cat_loader *L);
enum tn_code tnp_cat_kinds(struct cat_loader *L);
enum tn_code tnp_cat_materials(struct cat_loader *L);
enum tn_code tnp_cat_fields(struct cat_loader *L);
enum tn_code tnp_cat_items(struct cat_loader *L);
enum tn_code tnp_cat_workflows(struct cat_loader *L);

#endif
