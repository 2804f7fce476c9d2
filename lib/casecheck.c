/* casecheck.c — the kind and size of every member of a case body, and a form value against its field: one rule for client and server. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_case.h"
#include "tn_id.h"
#include "tn_jv.h"
#include "tn_regex.h"
#include "tn_suggest.h"
#include "tn_text.h"

static int absent(jv v)
{
	return jv_get_kind(v) == JV_KIND_INVALID || jv_get_kind(v) == JV_KIND_NULL;
}

/* "a string", "a number" ...: what a value is, for messages. */
static const char *kind_words(jv v)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_STRING: return "a string";
	case JV_KIND_NUMBER: return "a number";
	case JV_KIND_TRUE:
	case JV_KIND_FALSE: return "a boolean";
	case JV_KIND_ARRAY: return "an array";
	case JV_KIND_OBJECT: return "an object";
	default: return "null";
	}
}

/*
 * Where a check writes its faults: the first one into err (code, field,
 * message) and `field` (may be NULL), every one into err->problems and, when
 * `list` is not NULL, into *list as {field, label, detail}.
 */
struct where {
	char *field;
	size_t size;
	struct tn_err *err;
	jv *list;
	int n;          /* faults so far */
};

/* One fault at `field`: `detail` for the list, `message` for err when it is the first. */
static void fault(struct where *w, const char *field, const char *label, const char *detail,
		  const char *message)
{
	if (w->n++ == 0) {
		if (w->field && w->size)
			snprintf(w->field, w->size, "%s", field);
		tn_err_field(w->err, TN_EINVALID, field, "%s", message);
	}
	tn_err_add_problem(w->err, field, label, detail);
	if (w->list) {
		jv p = jv_object_set(jv_object(), jv_string("field"), jv_string(field));

		p = jv_object_set(p, jv_string("label"), label && *label ? jv_string(label) : jv_null());
		p = jv_object_set(p, jv_string("detail"), jv_string(detail));
		*w->list = jv_array_append(*w->list, p);
	}
}

static enum tn_code refuse(struct where *w, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A fault of kind or size at FIELD: TN_EINVALID, message "FIELD: reason". */
static enum tn_code refuse(struct where *w, const char *field, const char *fmt, ...)
{
	char msg[512], whole[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(whole, sizeof(whole), "%s: %s", field, msg);
	fault(w, field, NULL, msg, whole);
	return TN_EINVALID;
}

/*
 * Member `key` of `obj` (borrowed) when present and not null: a string of
 * `min`..`max` characters.  `path` names it in messages.
 */
static enum tn_code text(struct where *w, jv obj, const char *key, const char *path,
			 size_t min, size_t max)
{
	jv v = tn_jv_get(obj, key);
	enum tn_code rc = TN_OK;

	if (absent(v))
		;
	else if (jv_get_kind(v) != JV_KIND_STRING)
		rc = refuse(w, path, "must be a string, not %s", kind_words(v));
	else if (tn_utf8_chars(jv_string_value(v)) < min || tn_utf8_chars(jv_string_value(v)) > max)
		rc = min ? refuse(w, path, "must be %zu to %zu characters", min, max)
			 : refuse(w, path, "longer than %zu characters", max);
	jv_free(v);
	return rc;
}

int tn_case_phone_valid(const char *s)
{
	size_t n = strlen(s), digits = 0;

	if (n > TN_CASE_MAX_PHONE)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			digits++;
		else if (s[i] != '-' && s[i] != ' ' && !(s[i] == '+' && i == 0))
			return 0;
	}
	return digits >= 5 && digits <= 20;
}

static enum tn_code check_applicant(struct where *w, jv a)
{
	enum tn_code rc;

	if (absent(a))
		return TN_OK;       /* "required" is the caller's rule */
	if (jv_get_kind(a) != JV_KIND_OBJECT)
		return refuse(w, "applicant", "must be an object, not %s", kind_words(a));
	rc = text(w, a, "type", "applicant.type", 1, 16);
	rc |= text(w, a, "id", "applicant.id", 1, 32);
	rc |= text(w, a, "name", "applicant.name", 1, TN_CASE_MAX_NAME);
	rc |= text(w, a, "phone", "applicant.phone", 0, TN_CASE_MAX_PHONE);
	return rc ? TN_EINVALID : TN_OK;
}

/* A form value that is a number: finite, and whole numbers exact in a double. */
static int number_ok(double d)
{
	return isfinite(d) && fabs(d) <= TN_CASE_MAX_NUMBER;
}

static enum tn_code check_form(struct where *w, jv form)
{
	enum tn_code rc = TN_OK;
	char path[96];

	if (absent(form))
		return TN_OK;
	if (jv_get_kind(form) != JV_KIND_OBJECT)
		return refuse(w, "form", "must be an object, not %s", kind_words(form));
	if (jv_object_length(jv_copy(form)) > TN_CASE_MAX_FIELDS)
		return refuse(w, "form", "more than %d fields", TN_CASE_MAX_FIELDS);
	jv_object_foreach(form, k, v) {
		const char *name = jv_string_value(k);

		snprintf(path, sizeof(path), "form.%.80s", name);
		if (!*name || tn_utf8_chars(name) > TN_CASE_MAX_CODE)
			rc = refuse(w, path, "a field name must be 1 to %d characters", TN_CASE_MAX_CODE);
		else if (jv_get_kind(v) == JV_KIND_ARRAY || jv_get_kind(v) == JV_KIND_OBJECT)
			rc = refuse(w, path, "must be a string or a number, not %s", kind_words(v));
		else if (jv_get_kind(v) == JV_KIND_STRING && tn_utf8_chars(jv_string_value(v)) > TN_CASE_MAX_TEXT)
			rc = refuse(w, path, "longer than %d characters", TN_CASE_MAX_TEXT);
		else if (jv_get_kind(v) == JV_KIND_NUMBER && !number_ok(jv_number_value(v)))
			rc = refuse(w, path, "a number from -%.0f to %.0f", TN_CASE_MAX_NUMBER,
				    TN_CASE_MAX_NUMBER);
		jv_free(k);
		jv_free(v);
	}
	return rc;
}

static enum tn_code check_materials(struct where *w, jv mats)
{
	enum tn_code rc = TN_OK;
	char path[64], sub[80];

	if (absent(mats))
		return TN_OK;
	if (jv_get_kind(mats) != JV_KIND_ARRAY)
		return refuse(w, "materials", "must be an array, not %s", kind_words(mats));
	if (jv_array_length(jv_copy(mats)) > TN_CASE_MAX_MATERIALS)
		return refuse(w, "materials", "more than %d materials", TN_CASE_MAX_MATERIALS);
	jv_array_foreach(mats, i, m) {
		snprintf(path, sizeof(path), "materials[%d]", i);
		if (jv_get_kind(m) != JV_KIND_OBJECT) {
			rc = refuse(w, path, "must be an object {code, ref}, not %s", kind_words(m));
		} else {
			jv code = tn_jv_get(m, "code");

			snprintf(sub, sizeof(sub), "%s.code", path);
			if (absent(code))
				rc = refuse(w, sub, "missing (the material's code)");
			else
				rc |= text(w, m, "code", sub, 1, TN_CASE_MAX_CODE);
			jv_free(code);
			snprintf(sub, sizeof(sub), "%s.ref", path);
			rc |= text(w, m, "ref", sub, 0, TN_CASE_MAX_REF);
			snprintf(sub, sizeof(sub), "%s.cert", path);
			rc |= text(w, m, "cert", sub, 1, TN_CASE_MAX_CERT);
		}
		jv_free(m);
	}
	return rc;
}

enum tn_code tn_case_check_shape_all(jv body, jv *problems, struct tn_err *err)
{
	struct where w = { NULL, 0, err, problems, 0 };
	jv v;

	if (problems)
		*problems = jv_array();
	if (jv_get_kind(body) != JV_KIND_OBJECT)
		return tn_err_set(err, TN_EINVALID, "a case must be a JSON object, not %s",
				  kind_words(body));
	text(&w, body, "item", "item", 1, TN_CASE_MAX_CODE);
	text(&w, body, "workflow", "workflow", 1, TN_CASE_MAX_CODE);
	v = tn_jv_get(body, "applicant");
	check_applicant(&w, v);
	jv_free(v);
	v = tn_jv_get(body, "form");
	check_form(&w, v);
	jv_free(v);
	v = tn_jv_get(body, "materials");
	check_materials(&w, v);
	jv_free(v);
	return w.n ? TN_EINVALID : TN_OK;
}

enum tn_code tn_case_check_shape(jv body, char *field, size_t size, struct tn_err *err)
{
	enum tn_code rc;

	if (field && size)
		field[0] = '\0';
	rc = tn_case_check_shape_all(body, NULL, err);
	if (rc != TN_OK && field && size && err)
		snprintf(field, size, "%s", err->field);
	return rc;
}

enum tn_code tn_case_check_comment(const char *comment, struct tn_err *err)
{
	if (comment && tn_utf8_chars(comment) > TN_CASE_MAX_COMMENT)
		return tn_err_field(err, TN_EINVALID, "comment", "comment: longer than %d characters",
				    TN_CASE_MAX_COMMENT);
	return TN_OK;
}

/* The number a form value holds (a number, or a string that is one): 0, or -1 when none. */
static int as_number(jv v, double *out)
{
	const char *s;
	char *end;

	if (jv_get_kind(v) == JV_KIND_NUMBER) {
		*out = jv_number_value(v);
		return number_ok(*out) ? 0 : -1;
	}
	if (jv_get_kind(v) != JV_KIND_STRING)
		return -1;
	s = jv_string_value(v);
	if (!*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	return errno || *end || !number_ok(*out) ? -1 : 0;
}

/* What a form field of an item says, read in one pass over its members (borrowed from it). */
struct field_spec {
	const char *name, *label, *type, *pattern;      /* NULL: absent or not a string */
	jv_kind required;
	jv maxl, values;        /* borrowed; null when absent */
};

/* The spec of field `f` (borrowed, and alive while *fs is used). */
static void field_spec(jv f, struct field_spec *fs)
{
	memset(fs, 0, sizeof(*fs));
	fs->required = JV_KIND_NULL;
	fs->maxl = fs->values = jv_null();
	if (jv_get_kind(f) != JV_KIND_OBJECT)
		return;
	jv_object_foreach(f, k, v) {
		const char *key = jv_string_value(k);
		const char *str = jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : NULL;

		/* the member stays in f: its string and value outlive these references */
		if (!strcmp(key, "name"))
			fs->name = str;
		else if (!strcmp(key, "label"))
			fs->label = str;
		else if (!strcmp(key, "type"))
			fs->type = str;
		else if (!strcmp(key, "pattern"))
			fs->pattern = str;
		else if (!strcmp(key, "required"))
			fs->required = jv_get_kind(v);
		else if (!strcmp(key, "max_length"))
			fs->maxl = v;
		else if (!strcmp(key, "values"))
			fs->values = v;
		jv_free(k);
		jv_free(v);
	}
}

static enum tn_code check_value(const struct field_spec *fs, jv value, struct tn_err *err);

enum tn_code tn_case_check_value(jv field, jv value, struct tn_err *err)
{
	struct field_spec fs;

	field_spec(field, &fs);
	return check_value(&fs, value, err);
}

static enum tn_code check_value(const struct field_spec *fs, jv value, struct tn_err *err)
{
	struct tn_err e = TN_ERR_INIT;
	const char *pattern = fs->pattern;
	jv maxl = fs->maxl, values = fs->values;
	const char *t = fs->type ? fs->type : "string", *s;
	enum tn_code rc = TN_OK;
	double d;

	if (absent(value) || (jv_get_kind(value) == JV_KIND_STRING && !*jv_string_value(value))) {
		if (fs->required == JV_KIND_TRUE)
			rc = tn_err_set(err, TN_EINVALID, "required");
		goto out;
	}
	if (!strcmp(t, "number")) {
		if (as_number(value, &d) < 0) {
			if (jv_get_kind(value) == JV_KIND_STRING)
				rc = tn_err_set(err, TN_EINVALID, "'%s' is not a number (at most %.0f)",
						jv_string_value(value), TN_CASE_MAX_NUMBER);
			else if (jv_get_kind(value) == JV_KIND_NUMBER)
				rc = tn_err_set(err, TN_EINVALID, "not a number from -%.0f to %.0f",
						TN_CASE_MAX_NUMBER, TN_CASE_MAX_NUMBER);
			else
				rc = tn_err_set(err, TN_EINVALID, "must be a number, not %s",
						kind_words(value));
		}
		goto out;
	}
	if (jv_get_kind(value) != JV_KIND_STRING) {
		rc = tn_err_set(err, TN_EINVALID, "must be a string, not %s", kind_words(value));
		goto out;
	}
	s = jv_string_value(value);
	if (jv_get_kind(maxl) == JV_KIND_NUMBER && tn_utf8_chars(s) > (size_t)jv_number_value(maxl)) {
		rc = tn_err_set(err, TN_EINVALID, "longer than %d characters",
				(int)jv_number_value(maxl));
		goto out;
	}
	if (tn_utf8_chars(s) > TN_CASE_MAX_TEXT) {
		rc = tn_err_set(err, TN_EINVALID, "longer than %d characters", TN_CASE_MAX_TEXT);
		goto out;
	}
	if (!strcmp(t, "resident_id")) {
		if (tn_id_check_resident(s, &e) != TN_OK)
			rc = tn_err_set(err, TN_EINVALID, "%s", e.message);
	} else if (!strcmp(t, "uscc")) {
		if (tn_id_check_uscc(s, NULL, NULL, &e) != TN_OK)
			rc = tn_err_set(err, TN_EINVALID, "%s", e.message);
	} else if (!strcmp(t, "phone")) {
		if (!tn_case_phone_valid(s))
			rc = tn_err_set(err, TN_EINVALID, "'%s' is not a phone number", s);
	} else if (!strcmp(t, "date")) {
		long day;

		if (tn_date_parse(s, &day) != 0)
			rc = tn_err_set(err, TN_EINVALID, "'%s' is not a date (YYYY-MM-DD)", s);
	} else if (!strcmp(t, "enum") && jv_get_kind(values) == JV_KIND_ARRAY) {
		struct tn_buf list = TN_BUF_INIT;
		int found = 0;

		jv_array_foreach(values, i, x) {
			if (jv_get_kind(x) == JV_KIND_STRING) {
				found |= !strcmp(jv_string_value(x), s);
				tn_buf_addf(&list, "%s%s", list.len ? ", " : "", jv_string_value(x));
			}
			jv_free(x);
		}
		if (!found)
			rc = tn_err_set(err, TN_EINVALID, "'%s' is not one of: %s", s, list.buf);
		tn_buf_release(&list);
	}
	if (rc == TN_OK && pattern && tn_regex_match(pattern, s, NULL) == 0)
		rc = tn_err_set(err, TN_EINVALID, "'%s' does not match the pattern '%s'", s, pattern);
out:
	return rc;
}

/* "; did you mean 'NAME'?" when a field name of `fields` (borrowed) is close to `word`, else "". */
static void field_hint(jv fields, const char *word, char *out, size_t size)
{
	int n = jv_array_length(jv_copy(fields));
	const char **names = tn_xcalloc((size_t)n + 1, sizeof(*names));
	const char *best;

	for (int i = 0; i < n; i++) {
		jv f = jv_array_get(jv_copy(fields), i);

		names[i] = tn_jv_str(f, "name");        /* `fields` holds the string */
		jv_free(f);
	}
	best = tn_suggest(word, names, (size_t)n);
	if (best)
		snprintf(out, size, "; did you mean '%s'?", best);
	else
		out[0] = '\0';
	free(names);
}

/*
 * The specs of the last array of fields read, kept with a reference to it.
 * A server checks each filing of an item against the same array (its store
 * hands out copies of one parsed item while the item is unchanged), and
 * reading every field's members again was a third of the form's check.  The
 * reference keeps the array, so its address (with a slice's offset and
 * size) names it while it is kept (a jv is changed only by copying it when
 * shared); any other array is read and kept instead.  One thread: jq 1.6's
 * values are single-threaded anyway.
 */
static struct {
	int have;
	jv fields;              /* held while have */
	int n;                  /* specs made; -1: more than 64 fields */
	struct field_spec specs[64];    /* borrowed from fields */
} form_specs;

/* The specs of `fields` (borrowed): *n of them, or -1 when there are too many to keep. */
static const struct field_spec *specs_of(jv fields, int *n)
{
	if (form_specs.have && jv_get_kind(fields) == JV_KIND_ARRAY &&
	    jv_get_kind(form_specs.fields) == JV_KIND_ARRAY &&
	    form_specs.fields.u.ptr == fields.u.ptr && form_specs.fields.offset == fields.offset &&
	    form_specs.fields.size == fields.size) {       /* a slice shares its array's address */
		*n = form_specs.n;
		return form_specs.specs;
	}
	if (form_specs.have)
		jv_free(form_specs.fields);
	form_specs.have = 1;
	form_specs.fields = jv_copy(fields);
	form_specs.n = 0;
	jv_array_foreach(fields, i, f) {
		if (form_specs.n >= 0 && form_specs.n < 64)
			field_spec(f, &form_specs.specs[form_specs.n++]);
		else
			form_specs.n = -1;
		jv_free(f);     /* its members live on in fields */
	}
	*n = form_specs.n;
	return form_specs.specs;
}

enum tn_code tn_case_check_form_all(jv item, jv form, jv *problems, struct tn_err *err)
{
	struct where w = { NULL, 0, err, problems, 0 };
	jv fields = tn_jv_array(item, "fields");
	char path[300], hint[120], detail[1100], message[1200];
	int nspecs;
	const struct field_spec *specs = specs_of(fields, &nspecs);

	if (problems)
		*problems = jv_array();
	if (jv_get_kind(form) == JV_KIND_OBJECT) {
		jv_object_foreach(form, key, val) {
			const char *name = jv_string_value(key);
			int known = 0;

			if (nspecs < 0)
				known = tn_jv_array_find(fields, "name", name) >= 0;
			for (int i = 0; i < nspecs && !known; i++)
				known = specs[i].name && strcmp(specs[i].name, name) == 0;
			if (!known) {
				snprintf(path, sizeof(path), "form.%s", name);
				field_hint(fields, name, hint, sizeof(hint));
				snprintf(detail, sizeof(detail), "not a field of this item%s", hint);
				snprintf(message, sizeof(message), "unknown form field '%s'%s", name, hint);
				fault(&w, path, NULL, detail, message);
				if (w.n == 1 && err)
					err->http_status = 400;
			}
			jv_free(key);
			jv_free(val);
		}
	}
	jv_array_foreach(fields, i, f) {
		struct field_spec one;
		const struct field_spec *fs = nspecs >= 0 ? &specs[i] : &one;

		if (nspecs < 0)
			field_spec(f, &one);
		if (fs->name) {
			jv v = tn_jv_get(form, fs->name);
			struct tn_err e = TN_ERR_INIT;

			if (absent(v) || (jv_get_kind(v) == JV_KIND_STRING && !*jv_string_value(v))) {
				if (fs->required == JV_KIND_TRUE) {
					snprintf(path, sizeof(path), "form.%s", fs->name);
					snprintf(message, sizeof(message), "form field '%s' is required",
						 fs->name);
					fault(&w, path, fs->label, "required", message);
				}
			} else if (check_value(fs, v, &e) != TN_OK) {
				snprintf(path, sizeof(path), "form.%s", fs->name);
				snprintf(message, sizeof(message), "form field '%s': %s", fs->name,
					 e.message);
				fault(&w, path, fs->label, e.message, message);
			}
			jv_free(v);
		}
		jv_free(f);
	}
	jv_free(fields);
	return w.n ? TN_EINVALID : TN_OK;
}

enum tn_code tn_case_check_form(jv item, jv form, struct tn_err *err)
{
	return tn_case_check_form_all(item, form, NULL, err);
}
