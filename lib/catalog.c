/* catalog.c — load the YAML service catalog (twonet-catalog(5)), check every reference, resolve items. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_catalog.h"
#include "tn_cli.h"
#include "tn_jv.h"
#include "tn_yaml.h"
#include "tnp_catalog.h"


const char *const tnp_cat_section_names[SEC_COUNT] = {
	"departments", "inspection_kinds", "materials", "fields", "items", "workflows"
};

const char *const tnp_cat_entry_names[SEC_COUNT] = {
	"department", "inspection kind", "material", "field", "item", "workflow"
};

/* ---- reading files into sections ---- */

static enum tn_code read_file(struct cat_loader *L, struct cat_src *s)
{
	yaml_node_t *root;
	yaml_node_pair_t *pair;
	enum tn_code c;
	FILE *fp;

	if (!(fp = fopen(s->path, "rb")))
		return tn_err_set(L->err, TN_EIO, "cannot read catalog file '%s': %s",
				  s->path, strerror(errno));
	c = tn_yaml_load_fp(s->path, fp, &s->doc, L->err);
	fclose(fp);
	if (c != TN_OK)
		return c;
	s->loaded = 1;

	root = yaml_document_get_root_node(&s->doc);
	if (!root || tn_yaml_is_null(root))
		return TN_OK;
	if (root->type != YAML_MAPPING_NODE)
		return tnp_cat_bad(L, s, root, "a catalog file is a mapping of sections (%s, ...)",
				   tnp_cat_section_names[0]);
	for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *kn = tnp_cat_node(s, pair->key), *vn = tnp_cat_node(s, pair->value), *e;
		const char *k = tn_yaml_scalar(kn);
		int sec;

		for (sec = 0; sec < SEC_COUNT; sec++)
			if (k && !strcmp(k, tnp_cat_section_names[sec]))
				break;
		if (sec == SEC_COUNT)
			return tnp_cat_bad(L, s, kn, "unknown section '%s'", k ? k : "?");
		if (tn_yaml_is_null(vn))
			continue;
		if (vn->type != YAML_SEQUENCE_NODE)
			return tnp_cat_bad(L, s, vn, "section '%s' must be a list", k);
		TN_YAML_SEQ_EACH(&s->doc, vn, it, e) {
			struct cat_ents *es = &L->sec[sec];

			if (e->type != YAML_MAPPING_NODE)
				return tnp_cat_bad(L, s, e, "an entry of '%s' must be a mapping",
						   k);
			if (es->n == es->alloc) {
				es->alloc = es->alloc ? 2 * es->alloc : 32;
				es->v = tn_xrealloc(es->v, es->alloc * sizeof(*es->v));
			}
			es->v[es->n].src = s;
			es->v[es->n].node = e;
			es->n++;
		}
	}
	return TN_OK;
}



static enum tn_code load(struct cat_loader *L, jv *catalog)
{
	enum tn_code c;
	jv cat;

	for (size_t i = 0; i < L->nsrcs; i++)
		if ((c = read_file(L, &L->srcs[i])))
			return c;
	if ((c = tnp_cat_departments(L)) || (c = tnp_cat_kinds(L)) || (c = tnp_cat_materials(L)) ||
	    (c = tnp_cat_fields(L)) || (c = tnp_cat_items(L)) || (c = tnp_cat_workflows(L)))
		return c;
	cat = jv_object();
	for (int sec = 0; sec < SEC_COUNT; sec++) {
		cat = jv_object_set(cat, jv_string(tnp_cat_section_names[sec]), L->out[sec]);
		L->out[sec] = jv_invalid();
	}
	*catalog = cat;
	return TN_OK;
}

static void loader_init(struct cat_loader *L, struct tn_err *err)
{
	memset(L, 0, sizeof(*L));
	L->err = err;
	for (int sec = 0; sec < SEC_COUNT; sec++) {
		L->index[sec] = jv_object();
		L->out[sec] = jv_array();
	}
}

static void loader_free(struct cat_loader *L)
{
	for (int sec = 0; sec < SEC_COUNT; sec++) {
		jv_free(L->index[sec]);
		jv_free(L->out[sec]);
		free(L->sec[sec].v);
	}
	for (size_t i = 0; i < L->nsrcs; i++) {
		if (L->srcs[i].loaded)
			yaml_document_delete(&L->srcs[i].doc);
		free(L->srcs[i].path);
	}
	free(L->srcs);
}

enum tn_code tn_catalog_load_files(const char *const *paths, jv *catalog, struct tn_err *err)
{
	struct cat_loader L;
	enum tn_code c;
	size_t n = 0;

	*catalog = jv_invalid();
	loader_init(&L, err);
	while (paths[n])
		n++;
	L.srcs = tn_xcalloc(n ? n : 1, sizeof(*L.srcs));
	for (L.nsrcs = 0; L.nsrcs < n; L.nsrcs++)
		L.srcs[L.nsrcs].path = tn_xstrdup(paths[L.nsrcs]);
	c = load(&L, catalog);
	loader_free(&L);
	return c;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum tn_code tn_catalog_load(const char *dir, jv *catalog, struct tn_err *err)
{
	struct tn_buf def = TN_BUF_INIT;
	struct dirent *d;
	char **paths = NULL;
	size_t n = 0, alloc = 0;
	enum tn_code c;
	DIR *dp;

	*catalog = jv_invalid();
	if (!dir) {
		tn_buf_addf(&def, "%s/catalog", tn_sharedir());
		dir = def.buf;
	}
	if (!(dp = opendir(dir))) {
		c = tn_err_set(err, TN_EIO, "cannot read catalog folder '%s': %s", dir,
			       strerror(errno));
		tn_buf_release(&def);
		return c;
	}
	while ((d = readdir(dp))) {
		size_t len = strlen(d->d_name);

		if (d->d_name[0] == '.' || len < 6 || strcmp(d->d_name + len - 5, ".yaml"))
			continue;
		if (n + 2 > alloc) {
			alloc = alloc ? 2 * alloc : 16;
			paths = tn_xrealloc(paths, alloc * sizeof(*paths));
		}
		{
			struct tn_buf p = TN_BUF_INIT;

			tn_buf_addf(&p, "%s/%s", dir, d->d_name);
			paths[n++] = tn_buf_detach(&p, NULL);
		}
	}
	closedir(dp);
	if (!n) {
		c = tn_err_set(err, TN_EINVALID, "no *.yaml files in catalog folder '%s'", dir);
	} else {
		qsort(paths, n, sizeof(*paths), cmp_str);
		paths[n] = NULL;
		c = tn_catalog_load_files((const char *const *)paths, catalog, err);
	}
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	tn_buf_release(&def);
	return c;
}

jv tn_catalog_index(jv catalog, const char *section)
{
	const char *key = strcmp(section, "fields") ? "code" : "name";
	jv list = tn_jv_array(catalog, section), idx = jv_object();

	jv_array_foreach(list, i, e) {
		jv k = tn_jv_str_or_null(e, key);

		if (jv_get_kind(k) == JV_KIND_STRING)
			idx = jv_object_set(idx, k, e);
		else {
			jv_free(k);
			jv_free(e);
		}
	}
	jv_free(list);
	return idx;
}

static jv find(jv catalog, const char *section, const char *key, const char *code)
{
	jv list = tn_jv_array(catalog, section);
	int i = code ? tn_jv_array_find(list, key, code) : -1;
	jv e = i >= 0 ? jv_array_get(jv_copy(list), i) : jv_invalid();

	jv_free(list);
	return e;
}

jv tn_catalog_item(jv catalog, const char *code)
{
	return find(catalog, "items", "code", code);
}

jv tn_catalog_workflow(jv catalog, const char *code)
{
	return find(catalog, "workflows", "code", code);
}

jv tn_catalog_material(jv catalog, const char *code)
{
	return find(catalog, "materials", "code", code);
}

jv tn_catalog_field(jv catalog, const char *name)
{
	return find(catalog, "fields", "name", name);
}

jv tn_catalog_department(jv catalog, const char *code)
{
	return find(catalog, "departments", "code", code);
}

jv tn_catalog_inspection_kind(jv catalog, const char *code)
{
	return find(catalog, "inspection_kinds", "code", code);
}

enum tn_code tn_catalog_check_days(jv catalog, const char *name, struct tn_err *err)
{
	jv items = tn_jv_array(catalog, "items");
	enum tn_code rc = TN_OK;

	jv_array_foreach(items, i, it) {
		long legal = tn_jv_long(it, "legal_days", -1);
		long promised = tn_jv_long(it, "promised_days", legal);

		if (rc == TN_OK && legal >= 0 && promised > legal)
			rc = tn_err_set(err, TN_EINVALID, "%s: promised_days %ld of item '%s' is later "
					"than its legal_days %ld", name, promised,
					tn_jv_str_or(it, "code", "?"), legal);
		jv_free(it);
	}
	jv_free(items);
	return rc;
}
