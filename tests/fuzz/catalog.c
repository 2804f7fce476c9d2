/* catalog.c — fuzz target: a catalog YAML file (twonet-catalog(5)), then every workflow of it merged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "tn_buf.h"
#include "tn_catalog.h"
#include "tn_cert.h"
#include "tn_jv.h"
#include "tn_merge.h"

#include "fuzz.h"

/*
 * The input is one catalog file (one file may hold every section): it goes
 * through tn_catalog_load_files; a catalog that loads has every workflow
 * merged (tn_merge_workflow, with the summary text) and every item merged
 * alone.  The same file is also read as the certificate kinds file
 * (tn_cert_kinds_load), the other YAML data file of the same shape.
 */

static const char *const sections[] = {
	"departments", "inspection_kinds", "materials", "fields", "items", "workflows", NULL
};

FUZZ_SIMPLE_INIT

static void merge_all(jv catalog)
{
	struct tn_merge_opts o = TN_MERGE_OPTS_INIT;
	struct tn_err err = TN_ERR_INIT;
	jv list, merged;

	for (int i = 0; sections[i]; i++)
		jv_free(tn_catalog_index(catalog, sections[i]));
	list = tn_jv_array(catalog, "workflows");
	jv_array_foreach(list, i, w) {
		const char *code = tn_jv_str(w, "code");   /* borrowed from w */

		if (code && tn_merge_workflow(catalog, code, &o, &merged, &err) == TN_OK) {
			struct tn_buf b = TN_BUF_INIT;

			tn_merge_summary(merged, 1, &b);
			tn_buf_release(&b);
			jv_free(merged);
		}
		jv_free(w);
	}
	jv_free(list);
	list = tn_jv_array(catalog, "items");
	jv_array_foreach(list, i, it) {
		const char *codes[1] = { tn_jv_str(it, "code") };   /* borrowed from it */

		if (codes[0] && tn_merge_codes(catalog, codes, 1, &o, &merged, &err) == TN_OK)
			jv_free(merged);
		jv_free(it);
	}
	jv_free(list);
}

int fuzz_one(const uint8_t *data, size_t size)
{
	struct tn_err err = TN_ERR_INIT;
	const char *paths[2] = { fuzz_memfile(data, size), NULL };
	jv catalog, kinds;

	if (tn_catalog_load_files(paths, &catalog, &err) == TN_OK) {
		FUZZ_ASSERT(jv_get_kind(catalog) == JV_KIND_OBJECT, "a loaded catalog is an object");
		merge_all(catalog);
	} else {
		FUZZ_ASSERT(err.code == TN_EINVALID || err.code == TN_EIO,
			    "a catalog that does not load is TN_EINVALID or TN_EIO");
	}
	jv_free(catalog);
	if (tn_cert_kinds_load(paths[0], &kinds, &err) == TN_OK)
		jv_free(tn_cert_kind_find(kinds, "dl"));
	jv_free(kinds);
	return 0;
}
