/* prompt.c — interactive case entry with readline: prompts per form field, completion, checks as typed. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jv.h>
#include <readline/history.h>
#include <readline/readline.h>

#include "tn_buf.h"
#include "tn_jv.h"
#include "tn_prompt.h"
#include "tn_suggest.h"

/* The words tab completes for the current question (NULL-terminated), or NULL. */
static char **completions;

/* ---- field rules ---- */

enum tn_code tn_prompt_check_field(jv field, const char *text, jv *value, struct tn_err *err)
{
	char *type = tn_jv_strdup(field, "type");
	jv v = jv_string(text);
	enum tn_code rc;

	*value = jv_invalid();
	/* a number field's answer goes in as a number, when it is one */
	if (*text && type && !strcmp(type, "number")) {
		char *end;
		double d;

		errno = 0;
		d = strtod(text, &end);
		if (!errno && end != text && !*end && !isspace((unsigned char)*text)) {
			jv_free(v);
			v = jv_number(d);
		}
	}
	free(type);
	rc = tn_case_check_value(field, v, err);
	if (rc != TN_OK || !*text) {
		jv_free(v);
		return rc;
	}
	*value = v;
	return TN_OK;
}

/* ---- readline plumbing ---- */

static char *complete_word(const char *text, int state)
{
	static size_t i, len;

	if (!state) {
		i = 0;
		len = strlen(text);
	}
	while (completions && completions[i]) {
		const char *w = completions[i++];
		if (!strncmp(w, text, len))
			return tn_xstrdup(w);
	}
	return NULL;
}

static char **complete(const char *text, int start, int end)
{
	rl_attempted_completion_over = 1;  /* never fall back to file names */
	if (!completions)
		return NULL;
	return rl_completion_matches(text, complete_word);
}

static void free_words(char **w)
{
	if (!w)
		return;
	for (size_t i = 0; w[i]; i++)
		free(w[i]);
	free(w);
}

/* The string values of a jv array (borrowed) as a NULL-terminated list, or NULL. */
static char **words_of(jv arr, const char *member_name)
{
	if (jv_get_kind(arr) != JV_KIND_ARRAY)
		return NULL;
	int n = jv_array_length(jv_copy(arr)), k = 0;
	char **w = tn_xcalloc((size_t)n + 1, sizeof(*w));
	for (int i = 0; i < n; i++) {
		jv v = jv_array_get(jv_copy(arr), i);
		if (member_name) {
			jv m = tn_jv_get(v, member_name);
			jv_free(v);
			v = m;
		}
		if (jv_get_kind(v) == JV_KIND_STRING)
			w[k++] = tn_xstrdup(jv_string_value(v));
		jv_free(v);
	}
	return w;
}

/*
 * Ask one question with `words` for tab completion.  Returns the answer,
 * trimmed (malloc'd), or NULL at end of input.
 */
static char *ask(const char *prompt, char **words)
{
	completions = words;
	char *line = readline(prompt);
	completions = NULL;
	if (!line)
		return NULL;
	char *s = line, *e;
	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	if (*s)
		add_history(s);
	char *r = tn_xstrdup(s);
	free(line);
	return r;
}

static void say(FILE *tty, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(FILE *tty, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(tty, fmt, ap);
	va_end(ap);
	fflush(tty);
}

char *tn_prompt_history_path(void)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	struct tn_buf b = TN_BUF_INIT;

	if (state && *state)
		tn_buf_addf(&b, "%s/twonet/history", state);
	else if (home && *home)
		tn_buf_addf(&b, "%s/.local/state/twonet/history", home);
	else
		return NULL;
	return tn_buf_detach(&b, NULL);
}

/* mkdir -p of the folder holding `path`, mode 0700 for what it creates. */
static void make_parent(const char *path)
{
	char *p = tn_xstrdup(path);
	char *slash = strrchr(p, '/');

	if (slash) {
		*slash = '\0';
		for (char *q = p + 1; *q; q++) {
			if (*q == '/') {
				*q = '\0';
				mkdir(p, 0700);
				*q = '/';
			}
		}
		mkdir(p, 0700);
	}
	free(p);
}

static char *history_file;

static void history_open(FILE *tty)
{
	using_history();
	stifle_history(1000);
	history_file = tn_prompt_history_path();
	if (history_file)
		read_history(history_file);   /* a missing file is fine */
	rl_instream = stdin;
	rl_outstream = tty;
	rl_attempted_completion_function = complete;
	rl_completer_word_break_characters = (char *)"\n";
	rl_readline_name = "twonet";
}

static void history_close(void)
{
	if (history_file) {
		make_parent(history_file);
		write_history(history_file);
		free(history_file);
		history_file = NULL;
	}
	rl_attempted_completion_function = NULL;
}

int tn_prompt_confirm(FILE *tty, const char *question, int dflt)
{
	struct tn_buf p = TN_BUF_INIT;

	tn_buf_addf(&p, "%s [%s] ", question, dflt ? "Y/n" : "y/N");
	for (;;) {
		rl_outstream = tty;
		char *a = ask(p.buf, NULL);
		if (!a) {
			tn_buf_release(&p);
			return -1;
		}
		int r = -2;
		if (!*a)
			r = dflt;
		else if (!strcasecmp(a, "y") || !strcasecmp(a, "yes"))
			r = 1;
		else if (!strcasecmp(a, "n") || !strcasecmp(a, "no"))
			r = 0;
		free(a);
		if (r >= 0) {
			tn_buf_release(&p);
			return r;
		}
		say(tty, "  please answer y or n\n");
	}
}

/* ---- the case ---- */

/* Ask until `check` accepts; a NULL answer (end of input) is TN_EINTR. */
static enum tn_code ask_field(FILE *tty, jv field, const char *prompt, char **words, jv *value,
			      struct tn_err *err)
{
	for (;;) {
		struct tn_err e = TN_ERR_INIT;
		char *a = ask(prompt, words);
		if (!a)
			return tn_err_set(err, TN_EINTR, "cancelled");
		enum tn_code rc = tn_prompt_check_field(field, a, value, &e);
		free(a);
		if (rc == TN_OK)
			return TN_OK;
		say(tty, "  %s; try again\n", e.message);
	}
}

static enum tn_code fetch_items(struct tn_client *c, jv *items, struct tn_err *err)
{
	jv body;
	enum tn_code rc = tn_client_get(c, "/v1/items?limit=1000", &body, err);

	if (rc != TN_OK)
		return rc;
	*items = tn_jv_get(body, "items");
	jv_free(body);
	if (jv_get_kind(*items) != JV_KIND_ARRAY) {
		jv_free(*items);
		return tn_err_set(err, TN_ESERVER, "the server's item list has no \"items\" array");
	}
	return TN_OK;
}

/* The item of `code` in `items` (borrowed), or jv_invalid(). */
static jv find_item(jv items, const char *code)
{
	int i = tn_jv_array_find(items, "code", code);

	return i >= 0 ? jv_array_get(jv_copy(items), i) : jv_invalid();
}

static enum tn_code ask_item(struct tn_client *c, FILE *tty, const char *preset, jv *item,
			     struct tn_err *err)
{
	jv items;
	enum tn_code rc = fetch_items(c, &items, err);
	char **codes;
	char *code = NULL;

	if (rc != TN_OK)
		return rc;
	codes = words_of(items, "code");
	if (preset) {
		code = tn_xstrdup(preset);
	} else {
		for (;;) {
			code = ask("item code (TAB completes): ", codes);
			if (!code) {
				rc = tn_err_set(err, TN_EINTR, "cancelled");
				break;
			}
			jv hit = find_item(items, code);
			int ok = jv_is_valid(hit);
			jv_free(hit);
			if (ok)
				break;
			if (*code) {
				size_t n = 0;
				const char *near;

				while (codes && codes[n])
					n++;
				near = tn_suggest(code, (const char *const *)codes, n);
				say(tty, "  unknown item code%s%s%s; try again\n", near ? " (did you mean '" : "",
				    near ? near : "", near ? "'?)" : "");
			} else {
				say(tty, "  required; try again\n");
			}
			free(code);
			code = NULL;
		}
	}
	free_words(codes);
	jv_free(items);
	if (rc != TN_OK)
		return rc;
	struct tn_buf path = TN_BUF_INIT;
	tn_buf_adds(&path, "/v1/items/");
	tn_url_escape(&path, code);
	rc = tn_client_get(c, path.buf, item, err);
	if (rc == TN_ENOTFOUND)
		tn_err_set(err, TN_ENOTFOUND, "item '%s' not found", code);
	tn_buf_release(&path);
	free(code);
	return rc;
}

/* A field object for the applicant's questions. */
static jv applicant_field(const char *type, int required)
{
	jv f = jv_object_set(jv_object(), jv_string("type"), jv_string(type));
	return jv_object_set(f, jv_string("required"), required ? jv_true() : jv_false());
}

/* Check the applicant's id as a resident ID number or a credit code, by its shape. */
static enum tn_code check_applicant_id(const char *id, struct tn_err *err)
{
	struct tn_err e = TN_ERR_INIT;

	if (tn_party_check_id("applicant", NULL, id, NULL, 0, &e) != TN_OK)
		return tn_err_field(err, e.code, e.field, "applicant.id: %s", e.message);
	return TN_OK;
}

static enum tn_code ask_applicant(FILE *tty, const struct tn_case_spec *preset, jv *applicant,
				  struct tn_err *err)
{
	jv a = jv_object();
	jv v;
	enum tn_code rc;

	if (preset && preset->applicant_id) {
		a = jv_object_set(a, jv_string("id"), jv_string(preset->applicant_id));
	} else {
		for (;;) {
			struct tn_err e = TN_ERR_INIT;
			char *id = ask("applicant ID number or credit code: ", NULL);
			if (!id) {
				jv_free(a);
				return tn_err_set(err, TN_EINTR, "cancelled");
			}
			if (!*id)
				tn_err_set(&e, TN_EINVALID, "required");
			else if (check_applicant_id(id, &e) == TN_OK) {
				a = jv_object_set(a, jv_string("id"), jv_string(id));
				free(id);
				break;
			}
			/* drop "applicant.id 'X': " from the message: the person just typed X */
			const char *msg = strstr(e.message, "': ");
			say(tty, "  %s; try again\n", msg ? msg + 3 : e.message);
			free(id);
		}
	}
	if (preset && preset->applicant_name) {
		a = jv_object_set(a, jv_string("name"), jv_string(preset->applicant_name));
	} else {
		jv f = applicant_field("string", 1);
		rc = ask_field(tty, f, "applicant name: ", NULL, &v, err);
		jv_free(f);
		if (rc != TN_OK) {
			jv_free(a);
			return rc;
		}
		a = jv_object_set(a, jv_string("name"), v);
	}
	if (preset && preset->applicant_phone) {
		a = jv_object_set(a, jv_string("phone"), jv_string(preset->applicant_phone));
	} else {
		jv f = applicant_field("phone", 0);
		rc = ask_field(tty, f, "applicant phone (optional): ", NULL, &v, err);
		jv_free(f);
		if (rc != TN_OK) {
			jv_free(a);
			return rc;
		}
		if (jv_is_valid(v))
			a = jv_object_set(a, jv_string("phone"), v);
		else
			jv_free(v);
	}
	*applicant = a;
	return TN_OK;
}

/* Ask every field of the item's form that `preset` (borrowed object) does not hold. */
static enum tn_code ask_form(FILE *tty, jv item, jv preset, jv *form, struct tn_err *err)
{
	jv fields = tn_jv_get(item, "fields");
	jv f = jv_object();
	enum tn_code rc = TN_OK;
	int n = jv_get_kind(fields) == JV_KIND_ARRAY ? jv_array_length(jv_copy(fields)) : 0;

	for (int i = 0; i < n && rc == TN_OK; i++) {
		jv field = jv_array_get(jv_copy(fields), i);
		char *name = tn_jv_strdup(field, "name");
		char *label = tn_jv_strdup(field, "label");
		char *type = tn_jv_strdup(field, "type");
		jv req = tn_jv_get(field, "required"), values = tn_jv_get(field, "values");
		char **words = words_of(values, NULL);
		struct tn_buf p = TN_BUF_INIT;

		tn_buf_addf(&p, "%s [%s]%s%s: ", label ? label : name, name ? name : "?",
			    jv_get_kind(req) == JV_KIND_TRUE ? "" : " (optional)",
			    words ? " (TAB lists the values)" : "");
		jv have = name ? tn_jv_get(preset, name) : jv_null();
		int skip = jv_get_kind(have) != JV_KIND_NULL;
		jv_free(have);
		if (name && !skip) {
			jv v;
			rc = ask_field(tty, field, p.buf, words, &v, err);
			if (rc == TN_OK && jv_is_valid(v))
				f = jv_object_set(f, jv_string(name), v);
			else
				jv_free(v);
		}
		tn_buf_release(&p);
		free_words(words);
		free(name);
		free(label);
		free(type);
		jv_free(req);
		jv_free(values);
		jv_free(field);
	}
	jv_free(fields);
	if (rc != TN_OK) {
		jv_free(f);
		return rc;
	}
	*form = f;
	return TN_OK;
}

static enum tn_code ask_materials(FILE *tty, jv item, jv *materials, struct tn_err *err)
{
	jv mats = tn_jv_get(item, "materials");
	jv out = jv_array();
	int n = jv_get_kind(mats) == JV_KIND_ARRAY ? jv_array_length(jv_copy(mats)) : 0;

	if (n > 0)
		say(tty, "materials: give an e-certificate reference, 'y' when supplied, "
		    "or nothing when not\n");
	for (int i = 0; i < n; i++) {
		jv m = jv_array_get(jv_copy(mats), i);
		char *code = tn_jv_strdup(m, "code"), *name = tn_jv_strdup(m, "name");
		struct tn_buf p = TN_BUF_INIT;
		tn_buf_addf(&p, "  %s [%s]: ", name ? name : "", code ? code : "?");
		char *a = ask(p.buf, NULL);
		tn_buf_release(&p);
		jv_free(m);
		if (!a) {
			free(code);
			free(name);
			jv_free(mats);
			jv_free(out);
			return tn_err_set(err, TN_EINTR, "cancelled");
		}
		if (*a && code) {
			jv e = jv_object_set(jv_object(), jv_string("code"), jv_string(code));
			if (strcasecmp(a, "y") && strcasecmp(a, "yes"))
				e = jv_object_set(e, jv_string("ref"), jv_string(a));
			out = jv_array_append(out, e);
		}
		free(a);
		free(code);
		free(name);
	}
	jv_free(mats);
	*materials = out;
	return TN_OK;
}

enum tn_code tn_prompt_case(struct tn_client *c, const struct tn_case_spec *preset, FILE *tty,
			    jv *body, struct tn_err *err)
{
	jv item = jv_invalid(), applicant = jv_invalid(), form = jv_invalid();
	jv materials = jv_invalid();
	jv presets = jv_object();
	enum tn_code rc;

	if (preset && (preset->fields || preset->materials)) {
		struct tn_case_spec only = { 0 };
		only.fields = preset->fields;
		only.materials = preset->materials;
		jv_free(presets);
		if ((rc = tn_case_apply_spec(jv_null(), &only, &presets, err)) != TN_OK)
			return rc;
	}
	jv preset_form = tn_jv_get(presets, "form");
	history_open(tty);
	rc = ask_item(c, tty, preset ? preset->item : NULL, &item, err);
	if (rc != TN_OK)
		goto out;
	char *code = tn_jv_strdup(item, "code"), *name = tn_jv_strdup(item, "name");
	char *dept = tn_jv_strdup(item, "department_name");
	say(tty, "%s %s%s%s%s\n", code ? code : "", name ? name : "", dept ? " (" : "",
	    dept ? dept : "", dept ? ")" : "");
	free(name);
	free(dept);
	if ((rc = ask_applicant(tty, preset, &applicant, err)) != TN_OK ||
	    (rc = ask_form(tty, item, preset_form, &form, err)) != TN_OK ||
	    (rc = ask_materials(tty, item, &materials, err)) != TN_OK) {
		free(code);
		goto out;
	}
	jv b = jv_object_set(jv_object(), jv_string("item"), jv_string(code ? code : ""));
	free(code);
	b = jv_object_set(b, jv_string("applicant"), applicant);
	b = jv_object_set(b, jv_string("form"), form);
	if (jv_array_length(jv_copy(materials)) > 0)
		b = jv_object_set(b, jv_string("materials"), materials);
	else
		jv_free(materials);
	applicant = form = materials = jv_invalid();
	if (jv_get_kind(preset_form) == JV_KIND_OBJECT) {
		/* --field presets, not asked for */
		jv f = tn_jv_get(b, "form");
		jv_object_foreach(preset_form, k, v)
			f = jv_object_set(f, k, v);
		b = jv_object_set(b, jv_string("form"), f);
	}
	jv pm = tn_jv_get(presets, "materials");
	if (jv_get_kind(pm) == JV_KIND_ARRAY)
		b = jv_object_set(b, jv_string("materials"), jv_copy(pm));
	jv_free(pm);
	*body = b;
out:
	history_close();
	jv_free(presets);
	jv_free(preset_form);
	jv_free(item);
	jv_free(applicant);
	jv_free(form);
	jv_free(materials);
	return rc;
}
