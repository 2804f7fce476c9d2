/* test_yaml.c — the shared YAML loader's node readers, and the catalog read through them: errors name FILE:LINE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jv.h>

#include "tn_buf.h"
#include "tn_catalog.h"
#include "tn_yaml.h"

static const char doc_text[] =
	"a: one\n"                 /* 1 */
	"b: ''\n"                  /* 2 */
	"c: ~\n"                   /* 3 */
	"d: null\n"                /* 4 */
	"e:\n"                     /* 5 */
	"f: 'null'\n"              /* 6 */
	"list:\n"                  /* 7 */
	"  - x\n"                  /* 8 */
	"  - {k: v}\n"             /* 9 */
	"  - [1, 2]\n"             /* 10 */
	"a: second\n";             /* 11: a duplicate key: the first wins */

static void node_readers(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	yaml_document_t doc;
	yaml_node_t *root, *n, *list, *e;
	const char *want[] = { "x", NULL, NULL };
	int i = 0;

	assert_int_equal(tn_yaml_load("t.yaml", doc_text, strlen(doc_text), &doc, &err), TN_OK);
	root = yaml_document_get_root_node(&doc);
	n = tn_yaml_get(&doc, root, "a");
	assert_string_equal(tn_yaml_scalar(n), "one");
	assert_int_equal(tn_yaml_line(n), 1);
	assert_int_equal(tn_yaml_is_null(n), 0);
	/* nulls: absent, empty, ~, null; not a quoted 'null' nor an empty quoted string */
	assert_null(tn_yaml_get(&doc, root, "zz"));
	assert_int_equal(tn_yaml_is_null(NULL), 1);
	assert_int_equal(tn_yaml_is_null(tn_yaml_get(&doc, root, "b")), 0);
	assert_int_equal(tn_yaml_is_null(tn_yaml_get(&doc, root, "c")), 1);
	assert_int_equal(tn_yaml_is_null(tn_yaml_get(&doc, root, "d")), 1);
	assert_int_equal(tn_yaml_is_null(tn_yaml_get(&doc, root, "e")), 1);
	assert_int_equal(tn_yaml_is_null(tn_yaml_get(&doc, root, "f")), 0);
	assert_int_equal(tn_yaml_line(NULL), 0);
	/* a mapping and a sequence are not scalars, nor nulls; get on a non-mapping is NULL */
	list = tn_yaml_get(&doc, root, "list");
	assert_null(tn_yaml_scalar(list));
	assert_int_equal(tn_yaml_is_null(list), 0);
	assert_null(tn_yaml_get(&doc, list, "k"));
	assert_null(tn_yaml_get(&doc, NULL, "k"));
	assert_null(tn_yaml_scalar(NULL));
	TN_YAML_SEQ_EACH(&doc, list, it, e) {
		if (want[i])
			assert_string_equal(tn_yaml_scalar(e), want[i]);
		else
			assert_null(tn_yaml_scalar(e));
		assert_int_equal(tn_yaml_line(e), 8 + i);
		i++;
	}
	assert_int_equal(i, 3);
	/* SEQ_EACH over a mapping or NULL runs no iteration */
	i = 0;
	TN_YAML_SEQ_EACH(&doc, root, it2, e)
		i++;
	TN_YAML_SEQ_EACH(&doc, (yaml_node_t *)NULL, it3, e)
		i++;
	assert_int_equal(i, 0);
	yaml_document_delete(&doc);
}

static char tmpdir[64];

static int make_tmp(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_yaml.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmp(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Load `text` as the one catalog file tmpdir/x.yaml; expect TN_EINVALID "DIR/x.yaml:WANT". */
static void expect_error(const char *text, const char *want)
{
	struct tn_buf path = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	const char *paths[2];
	char full[512];
	FILE *fp;
	jv cat;

	tn_buf_addf(&path, "%s/x.yaml", tmpdir);
	assert_non_null(fp = fopen(path.buf, "w"));
	fputs(text, fp);
	fclose(fp);
	paths[0] = path.buf;
	paths[1] = NULL;
	assert_int_equal(tn_catalog_load_files(paths, &cat, &err), TN_EINVALID);
	assert_false(jv_is_valid(cat));
	jv_free(cat);
	snprintf(full, sizeof(full), "%s:%s", path.buf, want);
	if (strcmp(err.message, full))
		fail_msg("got '%s', want '%s'", err.message, full);
	tn_buf_release(&path);
}

static const char dept[] = "departments:\n  - {code: D1, name: 甲局}\n";

/* Each typed reader of the catalog names the file and the line of the node at fault. */
static void catalog_errors(void **state)
{
	struct tn_buf b = TN_BUF_INIT;

	expect_error("- a\n- b\n", "1: a catalog file is a mapping of sections (departments, ...)");
	expect_error("departments: []\nitemz: []\n", "2: unknown section 'itemz'");
	expect_error("departments: {a: b}\n", "1: section 'departments' must be a list");
	expect_error("departments:\n  - D1\n", "2: an entry of 'departments' must be a mapping");
	expect_error("departments:\n  - {name: 甲局}\n", "2: department '?' has no 'code'");
	expect_error("departments:\n  - code: [D1]\n", "2: 'code' of department '?' must be a string");
	expect_error("departments:\n  - code: D1\n    name: 甲局\n    boss: x\n",
		     "4: unknown key 'boss' in department 'D1'");
	tn_buf_adds(&b, dept);
	tn_buf_adds(&b, "items:\n  - code: I1\n    name: 事\n    department: D1\n"
			"    legal_days: many\n");
	expect_error(b.buf, "7: 'legal_days' of item 'I1' must be a whole number from 0, not 'many'");
	tn_buf_reset(&b);
	tn_buf_adds(&b, dept);
	tn_buf_adds(&b, "items:\n  - code: I1\n    name: 事\n    department: D1\n"
			"    legal_days: 5\n    online: maybe\n");
	expect_error(b.buf, "8: 'online' of item 'I1' must be true or false");
	tn_buf_reset(&b);
	tn_buf_adds(&b, dept);
	tn_buf_adds(&b, "items:\n  - code: I1\n    name: 事\n    department: D1\n"
			"    legal_days: 5\n    materials: M1\n");
	expect_error(b.buf, "8: 'materials' of item 'I1' must be a list");
	tn_buf_reset(&b);
	tn_buf_adds(&b, dept);
	tn_buf_adds(&b, "items:\n  - code: I1\n    name: 事\n    department: D1\n");
	expect_error(b.buf, "4: item 'I1' has no 'legal_days'");
	tn_buf_reset(&b);
	tn_buf_adds(&b, dept);
	tn_buf_adds(&b, "fields:\n  - {name: f, label: F, type: enum, values: [a, [b]]}\n");
	expect_error(b.buf, "4: 'values' of field 'f' must be a list of strings");
	/* the loader's own refusals keep their FILE:LINE:COL */
	expect_error("departments:\n  - &a {code: D1, name: x}\n",
		     "2:5: anchors (&a) are not allowed: write the value out");
	tn_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(node_readers),
		cmocka_unit_test_setup_teardown(catalog_errors, make_tmp, remove_tmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
