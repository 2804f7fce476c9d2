/* casefile.c — a case (or alert) document from a file: JSON exactly, YAML through the safe loader with identifiers kept strings. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "tn_buf.h"
#include "tn_case.h"
#include "tn_cli.h"
#include "tn_json.h"
#include "tn_out.h"
#include "tn_text.h"
#include "tn_yaml.h"

enum yctx { Y_NONE, Y_TOP, Y_APPLICANT, Y_STR };

/* Resolve a plain YAML scalar by the core schema, keeping long or zero-led numbers as strings. */
static jv yaml_plain(const char *s, size_t len)
{
	static const char *nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *trues[] = { "true", "True", "TRUE", NULL };
	static const char *falses[] = { "false", "False", "FALSE", NULL };
	int i;

	for (i = 0; nulls[i]; i++)
		if (!strcmp(s, nulls[i]))
			return jv_null();
	for (i = 0; trues[i]; i++)
		if (!strcmp(s, trues[i]))
			return jv_true();
	for (i = 0; falses[i]; i++)
		if (!strcmp(s, falses[i]))
			return jv_false();
	/* [-+]?digits(.digits)?([eE][-+]?digits)? */
	const char *p = s;
	int digits = 0, lead = 0;
	if (*p == '-' || *p == '+')
		p++;
	const char *first = p;
	while (isdigit((unsigned char)*p)) {
		p++;
		digits++;
	}
	if (digits == 0)
		return jv_string_sized(s, (int)len);
	lead = first[0] == '0' && digits > 1;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits++;
		}
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!isdigit((unsigned char)*p))
			return jv_string_sized(s, (int)len);
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p != '\0' || lead || digits > 15)
		return jv_string_sized(s, (int)len);
	return jv_number(strtod(s, NULL));
}

static jv yaml_node(yaml_document_t *doc, yaml_node_t *node, enum yctx ctx, int depth)
{
	if (!node || depth > 64)
		return jv_invalid_with_msg(jv_string("YAML nested too deeply"));
	switch (node->type) {
	case YAML_SCALAR_NODE: {
		const char *s = (const char *)node->data.scalar.value;
		size_t len = node->data.scalar.length;
		/* the loader tags every untagged scalar !!str: only the style tells */
		if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || ctx == Y_STR)
			return jv_string_sized(s, (int)len);
		return yaml_plain(s, len);
	}
	case YAML_SEQUENCE_NODE: {
		jv a = jv_array();
		yaml_node_item_t *it;
		for (it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++) {
			jv v = yaml_node(doc, yaml_document_get_node(doc, *it),
					 ctx == Y_STR ? Y_STR : Y_NONE, depth + 1);
			if (!jv_is_valid(v)) {
				jv_free(a);
				return v;
			}
			a = jv_array_append(a, v);
		}
		return a;
	}
	case YAML_MAPPING_NODE: {
		jv o = jv_object();
		yaml_node_pair_t *pr;
		for (pr = node->data.mapping.pairs.start; pr < node->data.mapping.pairs.top; pr++) {
			yaml_node_t *kn = yaml_document_get_node(doc, pr->key);
			if (!kn || kn->type != YAML_SCALAR_NODE) {
				jv_free(o);
				return jv_invalid_with_msg(jv_string("a mapping key must be a scalar"));
			}
			const char *k = (const char *)kn->data.scalar.value;
			enum yctx sub = Y_NONE;
			if (ctx == Y_STR)
				sub = Y_STR;
			else if (ctx == Y_TOP && !strcmp(k, "applicant"))
				sub = Y_APPLICANT;
			else if (ctx == Y_TOP && (!strcmp(k, "materials") || !strcmp(k, "item") ||
						  !strcmp(k, "key")))
				sub = Y_STR;
			else if (ctx == Y_APPLICANT && (!strcmp(k, "id") || !strcmp(k, "phone")))
				sub = Y_STR;
			jv v = yaml_node(doc, yaml_document_get_node(doc, pr->value), sub, depth + 1);
			if (!jv_is_valid(v)) {
				jv_free(o);
				return v;
			}
			o = jv_object_set(o, jv_string_sized(k, (int)kn->data.scalar.length), v);
		}
		return o;
	}
	default:
		return jv_null();
	}
}

static enum tn_code parse_yaml(const char *name, const char *text, size_t len, jv *out,
			       struct tn_err *err)
{
	yaml_document_t doc;
	enum tn_code rc;

	if ((rc = tn_yaml_load(name, text, len, &doc, err)) != TN_OK)
		return rc;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		rc = tn_err_set(err, TN_EINVALID, "%s: empty document", name);
	} else {
		jv v = yaml_node(&doc, root, Y_TOP, 0);
		if (!jv_is_valid(v)) {
			jv msg = jv_invalid_get_msg(v);
			rc = tn_err_set(err, TN_EINVALID, "%s: %s", name,
					jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg)
									   : "bad YAML");
			jv_free(msg);
		} else {
			*out = v;
		}
	}
	yaml_document_delete(&doc);
	return rc;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

enum tn_code tn_case_read_file(const char *path, jv *out, struct tn_err *err)
{
	struct tn_buf text = TN_BUF_INIT;
	const char *name = strcmp(path, "-") ? path : "stdin";
	FILE *fp = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char where[256];
	enum tn_code rc = TN_OK;
	jv v = jv_invalid();

	if (!fp)
		return tn_err_set(err, TN_EIO, "cannot open '%s': %s", path, strerror(errno));
	if ((rc = tn_buf_read_fp(&text, fp, name, TN_CASE_MAX_FILE, err)) != TN_OK)
		goto out;
	if (!tn_utf8_valid(text.buf, text.len)) {
		rc = tn_err_set(err, TN_EINVALID, "%s: not valid UTF-8", name);
		goto out;
	}
	const char *p = text.buf;
	while (*p && isspace((unsigned char)*p))
		p++;
	if (ends_with(path, ".json") || *p == '{' || *p == '[') {
		rc = tn_json_parse_exact(text.buf, text.len, 0, &v, NULL, err);
		if (rc != TN_OK)
			tn_err_prefix(err, "%s", name);
	} else {
		rc = parse_yaml(name, text.buf, text.len, &v, err);
		/* a YAML escape ("\0") can say what JSON input may not hold */
		if (rc == TN_OK && tn_json_find_control(v, where, sizeof(where)))
			rc = tn_err_set(err, TN_EINVALID,
					"%s: %s: a NUL or control character is not allowed",
					name, *where ? where : "a key");
	}
	if (rc == TN_OK) {
		*out = v;
		v = jv_invalid();
	}
out:
	jv_free(v);
	if (fp != stdin)
		fclose(fp);
	tn_buf_release(&text);
	return rc;
}

