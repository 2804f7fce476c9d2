/* case.c — case bodies: from flags; canonical form, content keys, checks, text view (files: casefile.c). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jv.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_case.h"
#include "tn_id.h"
#include "tn_out.h"

const char *tn_case_list_columns[] = {
	"id", "status", "item_name", "applicant.name", "deadline", "overdue", NULL
};

const char *tn_case_event_columns[] = {
	"seq", "at", "actor", "action", "from", "to", "comment", NULL
};

/* ---- flags ---- */

/* 1 when `s` starts with NAME= or NAME:= (NAME an identifier), the start of the next field. */
static int starts_field(const char *s)
{
	const char *p = s;

	if (!(isalpha((unsigned char)*p) || *p == '_'))
		return 0;
	while (isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == '-')
		p++;
	return *p == '=' || (p[0] == ':' && p[1] == '=');
}

static enum tn_code apply_one_field(jv *form, const char *item, size_t len, struct tn_err *err)
{
	char *text = tn_xstrndup(item, len);
	char *eq = strchr(text, '=');
	enum tn_code rc = TN_OK;

	if (!eq || eq == text || (eq == text + 1 && text[0] == ':')) {
		rc = tn_err_set(err, TN_EUSAGE, "invalid --field '%s': expected NAME=VALUE or NAME:=JSON",
				text);
		goto out;
	}
	int raw = eq[-1] == ':';
	char *name_end = raw ? eq - 1 : eq;
	*name_end = '\0';
	const char *value = eq + 1;
	if (raw) {
		jv v = tn_json_parse(value, strlen(value));
		if (!jv_is_valid(v)) {
			jv msg = jv_invalid_get_msg(v);
			rc = tn_err_set(err, TN_EUSAGE, "invalid --field '%s:=%s': %s", text, value,
					jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg)
									   : "not JSON");
			jv_free(msg);
			goto out;
		}
		*form = jv_object_set(*form, jv_string(text), v);
	} else {
		*form = jv_object_set(*form, jv_string(text), jv_string(value));
	}
out:
	free(text);
	return rc;
}

static enum tn_code apply_fields(jv *form, const char *list, struct tn_err *err)
{
	const char *start = list, *p;

	for (p = list;; p++) {
		if (*p == '\0' || (*p == ',' && starts_field(p + 1))) {
			if (p > start) {
				enum tn_code rc = apply_one_field(form, start, (size_t)(p - start), err);
				if (rc != TN_OK)
					return rc;
			}
			if (*p == '\0')
				return TN_OK;
			start = p + 1;
		}
	}
}

static enum tn_code apply_materials(jv *materials, const char *list, struct tn_err *err)
{
	const char *start = list, *p;

	for (p = list;; p++) {
		if (*p != '\0' && *p != ',')
			continue;
		if (p > start) {
			char *text = tn_xstrndup(start, (size_t)(p - start));
			char *eq = strchr(text, '=');
			if (eq)
				*eq = '\0';
			if (text[0] == '\0' || (eq && eq[1] == '\0')) {
				tn_err_set(err, TN_EUSAGE,
					   "invalid --material '%.*s': expected CODE or CODE=REF",
					   (int)(p - start), start);
				free(text);
				return TN_EUSAGE;
			}
			jv m = jv_object_set(jv_object(), jv_string("code"), jv_string(text));
			/* an e-certificate id stands for the material (zero-material), else a reference */
			if (eq)
				m = jv_object_set(m, jv_string(strncmp(eq + 1, "1.2.156.3005.2.", 15) ?
							       "ref" : "cert"), jv_string(eq + 1));
			/* replace an entry of the same code, else append */
			int n = jv_array_length(jv_copy(*materials)), i, found = 0;
			for (i = 0; i < n && !found; i++) {
				jv el = jv_array_get(jv_copy(*materials), i);
				jv code = tn_jv_get(el, "code");
				if (jv_get_kind(code) == JV_KIND_STRING && !strcmp(jv_string_value(code), text)) {
					*materials = jv_array_set(*materials, i, jv_copy(m));
					found = 1;
				}
				jv_free(code);
				jv_free(el);
			}
			if (!found)
				*materials = jv_array_append(*materials, jv_copy(m));
			jv_free(m);
			free(text);
		}
		if (*p == '\0')
			return TN_OK;
		start = p + 1;
	}
}

enum tn_code tn_case_apply_spec(jv body, const struct tn_case_spec *spec, jv *out,
				struct tn_err *err)
{
	enum tn_code rc;

	if (jv_get_kind(body) == JV_KIND_NULL) {
		jv_free(body);
		body = jv_object();
	}
	if (jv_get_kind(body) != JV_KIND_OBJECT) {
		rc = tn_err_set(err, TN_EINVALID, "a case must be a JSON object, not %s",
				jv_kind_name(jv_get_kind(body)));
		jv_free(body);
		return rc;
	}
	if (spec->item)
		body = jv_object_set(body, jv_string("item"), jv_string(spec->item));
	if (spec->workflow)
		body = jv_object_set(body, jv_string("workflow"), jv_string(spec->workflow));
	if (spec->applicant_id || spec->applicant_name || spec->applicant_phone ||
	    spec->applicant_type) {
		jv a = tn_jv_object(body, "applicant");
		if (spec->applicant_type)
			a = jv_object_set(a, jv_string("type"), jv_string(spec->applicant_type));
		if (spec->applicant_id)
			a = jv_object_set(a, jv_string("id"), jv_string(spec->applicant_id));
		if (spec->applicant_name)
			a = jv_object_set(a, jv_string("name"), jv_string(spec->applicant_name));
		if (spec->applicant_phone)
			a = jv_object_set(a, jv_string("phone"), jv_string(spec->applicant_phone));
		body = jv_object_set(body, jv_string("applicant"), a);
	}
	if (spec->fields && *spec->fields) {
		jv form = tn_jv_object(body, "form");
		rc = apply_fields(&form, spec->fields, err);
		if (rc != TN_OK) {
			jv_free(form);
			jv_free(body);
			return rc;
		}
		body = jv_object_set(body, jv_string("form"), form);
	}
	if (spec->materials && *spec->materials) {
		jv m = tn_jv_get(body, "materials");
		if (jv_get_kind(m) != JV_KIND_ARRAY) {
			jv_free(m);
			m = jv_array();
		}
		rc = apply_materials(&m, spec->materials, err);
		if (rc != TN_OK) {
			jv_free(m);
			jv_free(body);
			return rc;
		}
		body = jv_object_set(body, jv_string("materials"), m);
	}
	*out = body;
	return TN_OK;
}

/* ---- canonical form and keys ---- */

char *tn_json_canonical(jv v)
{
	struct tn_buf s = TN_BUF_INIT;

	tn_json_dump_sorted(v, &s);
	return tn_buf_detach(&s, NULL);
}

char *tn_case_content_key(jv v)
{
	char *text = tn_json_canonical(v);
	char hex[65];
	int rc = tn_idem_key_derive("", text, strlen(text), 64, hex, sizeof(hex));

	free(text);
	return rc == 0 ? tn_xstrdup(hex) : NULL;
}

/* ---- checks ---- */

/* A fault of tn_case_check: the first sets err ("FIELD: DETAIL"), every one goes to err->problems. */
static void check_fault(struct tn_err *err, int *n, const char *field, const char *detail)
{
	if ((*n)++ == 0)
		tn_err_field(err, TN_EINVALID, field, "%s: %s", field, detail);
	tn_err_add_problem(err, field, NULL, detail);
}

enum tn_code tn_case_check(jv body, char *warning, size_t warning_size, struct tn_err *err)
{
	struct tn_err e = TN_ERR_INIT;
	char detail[sizeof(e.message) + 64];
	int n = 0;

	if (warning && warning_size)
		warning[0] = '\0';
	if (jv_get_kind(body) != JV_KIND_OBJECT)
		return tn_err_set(err, TN_EINVALID, "a case must be a JSON object, not %s",
				  jv_kind_name(jv_get_kind(body)));
	/* kinds and sizes first, as the server checks them (casecheck.c): every fault of them */
	if (tn_case_check_shape(body, NULL, 0, err) != TN_OK)
		return TN_EINVALID;
	/* then what is missing or wrong, every fault at once */
	jv item = tn_jv_get(body, "item"), wf = tn_jv_get(body, "workflow");
	if (jv_get_kind(wf) != JV_KIND_NULL) {
		if (jv_get_kind(item) != JV_KIND_NULL)
			check_fault(err, &n, "workflow", "give an item or a workflow, not both");
		else if (jv_get_kind(wf) != JV_KIND_STRING || jv_string_length_bytes(jv_copy(wf)) == 0)
			check_fault(err, &n, "workflow", "must be a workflow's code");
	} else if (jv_get_kind(item) != JV_KIND_STRING || jv_string_length_bytes(jv_copy(item)) == 0) {
		check_fault(err, &n, "item", "missing (give the item's code)");
	}
	jv_free(item);
	jv_free(wf);
	jv a = tn_jv_get(body, "applicant");
	jv id = tn_jv_get(a, "id"), type = tn_jv_get(a, "type");
	if (jv_get_kind(a) != JV_KIND_OBJECT) {
		check_fault(err, &n, "applicant", "missing");
	} else if (jv_get_kind(id) != JV_KIND_STRING) {
		check_fault(err, &n, "applicant.id",
			    jv_get_kind(id) == JV_KIND_NULL ? "missing" : "must be a string");
	} else if (jv_get_kind(type) != JV_KIND_NULL && jv_get_kind(type) != JV_KIND_STRING) {
		check_fault(err, &n, "applicant.type", "must be 'person' or 'org'");
	} else {
		const char *ids = jv_string_value(id);
		const char *t = jv_get_kind(type) == JV_KIND_STRING ? jv_string_value(type) : NULL;

		if (tn_party_check_id("applicant", t, ids, warning, warning_size, &e) != TN_OK) {
			if (!strcmp(e.field, "applicant.type")) {
				if (n++ == 0)
					tn_err_field(err, TN_EINVALID, e.field,
						     "applicant.type '%s': must be 'person' or 'org'", t);
				snprintf(detail, sizeof(detail), "'%s': must be 'person' or 'org'", t);
				tn_err_add_problem(err, e.field, NULL, detail);
			} else {
				check_fault(err, &n, e.field, e.message);
			}
		}
	}
	jv_free(a);
	jv_free(id);
	jv_free(type);
	return n ? TN_EINVALID : TN_OK;
}


enum tn_code tn_case_prepare(jv body, const char *given_key, jv *out, char **key,
			     char *warning, size_t warning_size, struct tn_err *err)
{
	enum tn_code rc;
	char *k = NULL;

	if (jv_get_kind(body) != JV_KIND_OBJECT) {
		rc = tn_err_set(err, TN_EINVALID, "a case must be a JSON object, not %s",
				jv_kind_name(jv_get_kind(body)));
		jv_free(body);
		return rc;
	}
	jv mk = tn_jv_get(body, "key");
	if (jv_get_kind(mk) != JV_KIND_NULL) {
		if (jv_get_kind(mk) != JV_KIND_STRING || tn_idem_key_check(jv_string_value(mk), NULL) != TN_OK) {
			jv_free(mk);
			jv_free(body);
			return tn_err_set(err, TN_EINVALID,
					  "key: must be a string of 1 to 128 printable characters");
		}
		k = tn_xstrdup(jv_string_value(mk));
	}
	jv_free(mk);
	body = jv_object_delete(body, jv_string("key"));
	if (given_key) {
		if (tn_idem_key_check(given_key, NULL) != TN_OK) {
			free(k);
			jv_free(body);
			return tn_err_set(err, TN_EUSAGE,
					  "invalid key '%s': must be 1 to 128 printable characters",
					  given_key);
		}
		free(k);
		k = tn_xstrdup(given_key);
	}
	/* fill applicant.type from the id's shape */
	jv a = tn_jv_get(body, "applicant");
	if (jv_get_kind(a) == JV_KIND_OBJECT) {
		jv type = tn_jv_get(a, "type"), id = tn_jv_get(a, "id");
		if (jv_get_kind(type) == JV_KIND_NULL && jv_get_kind(id) == JV_KIND_STRING) {
			const char *t = tn_party_type_of(jv_string_value(id));
			a = jv_object_set(a, jv_string("type"), jv_string(t));
			body = jv_object_set(body, jv_string("applicant"), jv_copy(a));
		}
		jv_free(type);
		jv_free(id);
	}
	jv_free(a);
	rc = tn_case_check(body, warning, warning_size, err);
	if (rc != TN_OK) {
		free(k);
		jv_free(body);
		return rc;
	}
	if (!k && !(k = tn_case_content_key(body))) {
		jv_free(body);
		return tn_err_set(err, TN_EINTERNAL, "cannot make the content key: SHA-256 is not available");
	}
	*out = body;
	*key = k;
	return TN_OK;
}

/* ---- ids from lines ---- */

char *tn_case_id_from_line(const char *line, long *version, struct tn_err *err)
{
	*version = 0;
	if (line[0] == '{') {
		jv v = tn_json_parse(line, strlen(line));
		char *id = NULL;
		if (!jv_is_valid(v)) {
			jv msg = jv_invalid_get_msg(v);
			tn_err_set(err, TN_EINVALID, "%s",
				   jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg)
								      : "not valid JSON");
			jv_free(msg);
			return NULL;
		}
		jv idv = tn_jv_get(v, "id"), ver = tn_jv_get(v, "version");
		if (jv_get_kind(idv) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(idv)) > 0)
			id = tn_xstrdup(jv_string_value(idv));
		else
			tn_err_set(err, TN_EINVALID, "no \"id\" member (a string) in the object");
		if (tn_json_long(ver, 0) >= 1)
			*version = tn_json_long(ver, 0);
		jv_free(idv);
		jv_free(ver);
		jv_free(v);
		return id;
	}
	for (const char *p = line; *p; p++)
		if (isspace((unsigned char)*p) || *p == '/' || *p == '?' || *p == '#') {
			tn_err_set(err, TN_EINVALID, "'%s' is not a case id", line);
			return NULL;
		}
	return tn_xstrdup(line);
}

/* ---- text view ---- */

int tn_case_text_view(const struct tn_common *common, FILE *fp)
{
	if (common->jq || common->fields)
		return 0;
	if (common->format)
		return !strcmp(common->format, "table");
	return isatty(fileno(fp));
}

static char *text_at(jv v, const char *path)
{
	return tn_cell_text(v, path);
}

static void kv(struct tn_buf *b, const char *key, const char *value)
{
	if (!value || !*value)
		return;
	tn_buf_addf(b, "%-12s %s\n", key, value);
}

/* The line `key` "code name" of the members `code` and `name` (either may be missing). */
static void kv_code_name(struct tn_buf *b, jv kase, const char *key, const char *code,
			 const char *name)
{
	struct tn_buf line = TN_BUF_INIT;
	char *s = text_at(kase, code), *t = text_at(kase, name);

	tn_buf_addf(&line, "%s%s%s", s, *s && *t ? " " : "", t);
	kv(b, key, line.buf);
	free(s);
	free(t);
	tn_buf_release(&line);
}

void tn_case_format_text(struct tn_buf *b, jv kase)
{
	char *s, *t, *u;
	struct tn_buf line = TN_BUF_INIT;

	s = text_at(kase, "id");
	kv(b, "id:", s);
	free(s);
	s = text_at(kase, "status");
	t = text_at(kase, "version");
	tn_buf_addf(&line, "%s (version %s)", s, t);
	kv(b, "status:", line.buf);
	free(s);
	free(t);
	tn_buf_reset(&line);
	kv_code_name(b, kase, "item:", "item", "item_name");
	kv_code_name(b, kase, "department:", "department", "department_name");
	s = text_at(kase, "workflow");
	kv(b, "workflow:", s);
	free(s);
	s = text_at(kase, "parent");
	kv(b, "parent:", s);
	free(s);
	jv kids = tn_jv_get(kase, "children");
	if (jv_get_kind(kids) == JV_KIND_ARRAY && jv_array_length(jv_copy(kids)) > 0) {
		jv_array_foreach(kids, i, k) {
			if (jv_get_kind(k) == JV_KIND_STRING)
				tn_buf_addf(&line, "%s%s", i ? " " : "", jv_string_value(k));
			jv_free(k);
		}
		kv(b, "sub-cases:", line.buf);
		tn_buf_reset(&line);
	}
	jv_free(kids);
	s = text_at(kase, "applicant.name");
	t = text_at(kase, "applicant.id");
	u = text_at(kase, "applicant.phone");
	tn_buf_addf(&line, "%s %s%s%s", s, t, *u ? " " : "", u);
	kv(b, "applicant:", line.buf);
	free(s);
	free(t);
	free(u);
	tn_buf_reset(&line);
	s = text_at(kase, "submitted_at");
	t = text_at(kase, "submitted_by");
	tn_buf_addf(&line, "%s%s%s", s, *t ? " by " : "", t);
	kv(b, "submitted:", line.buf);
	free(s);
	free(t);
	tn_buf_reset(&line);
	s = text_at(kase, "accepted_at");
	kv(b, "accepted:", s);
	free(s);
	s = text_at(kase, "completed_at");
	kv(b, "completed:", s);
	free(s);
	s = text_at(kase, "deadline");
	t = text_at(kase, "legal_deadline");
	jv od = tn_jv_get(kase, "overdue");
	if (*s) {
		tn_buf_addf(&line, "%s", s);
		if (*t)
			tn_buf_addf(&line, " (legal %s)", t);
		if (jv_get_kind(od) == JV_KIND_TRUE)
			tn_buf_adds(&line, " OVERDUE");
		kv(b, "deadline:", line.buf);
	}
	jv_free(od);
	free(s);
	free(t);
	tn_buf_reset(&line);

	jv form = tn_jv_get(kase, "form");
	if (jv_get_kind(form) == JV_KIND_OBJECT && jv_object_length(jv_copy(form)) > 0) {
		tn_buf_adds(b, "form:\n");
		jv keys = jv_keys_unsorted(jv_copy(form));
		int n = jv_array_length(jv_copy(keys));
		for (int i = 0; i < n; i++) {
			jv k = jv_array_get(jv_copy(keys), i);
			jv v = jv_object_get(jv_copy(form), jv_copy(k));
			if (jv_get_kind(v) == JV_KIND_STRING) {
				tn_buf_addf(b, "  %s: %s\n", jv_string_value(k), jv_string_value(v));
			} else {
				jv d = jv_dump_string(jv_copy(v), 0);
				tn_buf_addf(b, "  %s: %s\n", jv_string_value(k), jv_string_value(d));
				jv_free(d);
			}
			jv_free(k);
			jv_free(v);
		}
		jv_free(keys);
	}
	jv_free(form);
	jv mats = tn_jv_get(kase, "materials");
	if (jv_get_kind(mats) == JV_KIND_ARRAY && jv_array_length(jv_copy(mats)) > 0) {
		tn_buf_adds(b, "materials:\n");
		int n = jv_array_length(jv_copy(mats));
		for (int i = 0; i < n; i++) {
			jv m = jv_array_get(jv_copy(mats), i);
			s = text_at(m, "code");
			t = text_at(m, "name");
			u = text_at(m, "state");
			char *r = text_at(m, "ref");
			char *pb = text_at(m, "produced_by"), *ck = text_at(m, "cert_kind");
			tn_buf_addf(b, "  %s %s%s%s%s%s", s, t, *u ? "  " : "", u,
				    *r ? "  " : "", r);
			if (*pb)
				tn_buf_addf(b, " by %s", pb);
			else if (*ck && !strcmp(u, "exempted"))
				tn_buf_addf(b, " (%s)", ck);
			tn_buf_addch(b, '\n');
			free(s);
			free(t);
			free(u);
			free(r);
			free(pb);
			free(ck);
			jv_free(m);
		}
	}
	jv_free(mats);
	tn_buf_release(&line);
}
