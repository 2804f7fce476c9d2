/* catalog_text.c — one item or workflow of the catalog as a page of text for the terminal. */
#include <string.h>

#include "tn_buf.h"
#include "tn_catalog.h"
#include "tn_jv.h"
#include "tn_merge.h"
#include "tn_out.h"

/* `s` padded (or cut) to `width` terminal columns, then two spaces. */
static void cell(struct tn_buf *b, const char *s, int width)
{
	tn_fit_width(b, s ? s : "", width, 1);
	tn_buf_adds(b, "  ");
}

/* The widest display width of member `key` over `list` (borrowed), at least `min`. */
static int widest(jv list, const char *key, int min)
{
	int w = min;

	jv_array_foreach(list, i, e) {
		const char *s = tn_jv_str(e, key);
		int n = s ? tn_display_width(s) : 0;

		if (n > w)
			w = n;
		jv_free(e);
	}
	return w > 40 ? 40 : w;
}

/* "type, max 50 characters, pattern ^..$, one of a b c" for a field (borrowed). */
static void field_rule(struct tn_buf *b, jv f)
{
	const char *t = tn_jv_str(f, "type");
	long max = tn_jv_long(f, "max_length", -1);
	jv vals = tn_jv_array(f, "values");
	int nv = jv_array_length(jv_copy(vals));

	tn_buf_adds(b, t ? t : "string");
	if (max > 0)
		tn_buf_addf(b, ", at most %ld characters", max);
	if (tn_jv_str(f, "pattern"))
		tn_buf_addf(b, ", matching %s", tn_jv_str(f, "pattern"));
	if (nv > 0) {
		tn_buf_adds(b, ", one of:");
		jv_array_foreach(vals, i, v) {
			if (jv_get_kind(v) == JV_KIND_STRING)
				tn_buf_addf(b, " %s", jv_string_value(v));
			jv_free(v);
		}
	}
	jv_free(vals);
}

static void fields_part(struct tn_buf *b, jv fields)
{
	int n = jv_array_length(jv_copy(fields)), nreq = 0;
	int wn = widest(fields, "name", 4), wl = widest(fields, "label", 5);

	jv_array_foreach(fields, i, f) {
		nreq += tn_jv_bool(f, "required", 1) == 1;
		jv_free(f);
	}
	tn_buf_addf(b, "\nform: %d fields, %d required (*)\n", n, nreq);
	jv_array_foreach(fields, i, f) {
		tn_buf_adds(b, tn_jv_bool(f, "required", 1) == 1 ? "  * " : "    ");
		cell(b, tn_jv_str(f, "name"), wn);
		cell(b, tn_jv_str(f, "label"), wl);
		field_rule(b, f);
		tn_buf_rtrim(b);
		tn_buf_addch(b, '\n');
		jv_free(f);
	}
}

static void materials_part(struct tn_buf *b, jv mats)
{
	int n = jv_array_length(jv_copy(mats)), ncert = 0;
	int wc = widest(mats, "code", 4), wn = widest(mats, "name", 4);

	jv_array_foreach(mats, i, m) {
		ncert += jv_array_length(tn_jv_array(m, "certs")) > 0;
		jv_free(m);
	}
	tn_buf_addf(b, "\nmaterials: %d, %d of them can be an e-certificate instead\n", n, ncert);
	jv_array_foreach(mats, i, m) {
		jv certs = tn_jv_array(m, "certs");
		const char *as = tn_jv_str(m, "asked_as");

		tn_buf_adds(b, "  ");
		cell(b, tn_jv_str(m, "code"), wc);
		cell(b, tn_jv_str(m, "name"), wn);
		if (jv_array_length(jv_copy(certs)) == 0)
			tn_buf_adds(b, "to supply");
		jv_array_foreach(certs, j, c) {
			const char *cn = tn_jv_str(c, "name"), *dn = tn_jv_str(c, "department_name");

			tn_buf_addf(b, "%se-certificate %s", j ? "; " : "", tn_jv_str(c, "alias"));
			if (cn)
				tn_buf_addf(b, " %s", cn);
			if (dn)
				tn_buf_addf(b, " (%s)", dn);
			jv_free(c);
		}
		jv_free(certs);
		if (!tn_jv_bool(m, "required", 1))
			tn_buf_adds(b, ", optional");
		if (as)
			tn_buf_addf(b, "; asked as %s", as);
		tn_buf_addch(b, '\n');
		jv_free(m);
	}
}

/* "  LABEL  a b c" from an array of strings or of objects with `key`; nothing when empty. */
static void list_line(struct tn_buf *b, const char *label, jv list, const char *key,
		      const char *name)
{
	if (jv_array_length(jv_copy(list)) > 0) {
		tn_buf_addf(b, "%-13s", label);
		jv_array_foreach(list, i, e) {
			const char *s = jv_get_kind(e) == JV_KIND_STRING ? jv_string_value(e)
									 : tn_jv_str(e, key);

			tn_buf_addf(b, "%s%s", i ? ", " : "", s ? s : "?");
			if (name && jv_get_kind(e) == JV_KIND_OBJECT && tn_jv_str(e, name))
				tn_buf_addf(b, " %s", tn_jv_str(e, name));
			jv_free(e);
		}
		tn_buf_addch(b, '\n');
	}
	jv_free(list);
}

void tn_catalog_item_text(jv item, int hint, struct tn_buf *b)
{
	const char *code = tn_jv_str(item, "code");
	jv fields = tn_jv_array(item, "fields"), mats = tn_jv_array(item, "materials");
	long visits = tn_jv_long(item, "visits", 1);

	tn_buf_addf(b, "%s  %s\n", code ? code : "?", tn_jv_str_or(item, "name", ""));
	tn_buf_addf(b, "%-13s%s %s\n", "department", tn_jv_str(item, "department"),
		    tn_jv_str_or(item, "department_name", ""));
	tn_buf_addf(b, "%-13s%ld working days promised, %ld legal%s\n", "time limit",
		    tn_jv_long(item, "promised_days", -1), tn_jv_long(item, "legal_days", -1),
		    tn_jv_bool(item, "commitment", 0) == 1 ? " (notification and commitment)" : "");
	if (tn_jv_str(item, "window"))
		tn_buf_addf(b, "%-13s%s\n", "window", tn_jv_str(item, "window"));
	tn_buf_addf(b, "%-13s%ld, %s\n", "visits", visits,
		    tn_jv_bool(item, "online", 0) == 1 ? "can be filed online" : "filed at the window only");
	if (tn_jv_str(item, "description"))
		tn_buf_addf(b, "%-13s%s\n", "about", tn_jv_str(item, "description"));
	list_line(b, "produces", tn_jv_array(item, "produces"), "code", "name");
	list_line(b, "comes after", tn_jv_array(item, "before"), "code", NULL);
	list_line(b, "inspections", tn_jv_array(item, "inspections"), "name", "site");
	list_line(b, "workflows", tn_jv_array(item, "workflows"), "code", NULL);
	fields_part(b, fields);
	materials_part(b, mats);
	if (hint && code) {
		/* a command that files the case once the values are filled in */
		tn_buf_addf(b, "\nfile a case:\n  case-submit --item %s --applicant-id ID --applicant-name NAME",
			    code);
		jv_array_foreach(fields, i, f) {
			if (tn_jv_bool(f, "required", 1) == 1 && tn_jv_str(f, "name"))
				tn_buf_addf(b, " --field %s=...", tn_jv_str(f, "name"));
			jv_free(f);
		}
		tn_buf_addch(b, '\n');
	}
	jv_free(fields);
	jv_free(mats);
}

void tn_catalog_workflow_text(jv wf, jv merged, struct tn_buf *b)
{
	jv items = tn_jv_array(wf, "items");
	int wc = widest(items, "code", 4), wn = widest(items, "name", 4);
	int wd = widest(items, "department_name", 4);

	tn_buf_addf(b, "%s  %s\n", tn_jv_str_or(wf, "code", "?"),
		    tn_jv_str_or(wf, "name", ""));
	if (tn_jv_str(wf, "window"))
		tn_buf_addf(b, "%-13s%s\n", "window", tn_jv_str(wf, "window"));
	tn_buf_addf(b, "\nitems: %d (promised / legal working days)\n", jv_array_length(jv_copy(items)));
	jv_array_foreach(items, i, it) {
		tn_buf_adds(b, "  ");
		cell(b, tn_jv_str(it, "code"), wc);
		cell(b, tn_jv_str(it, "name"), wn);
		cell(b, tn_jv_str(it, "department_name"), wd);
		if (tn_jv_long(it, "legal_days", -1) >= 0)
			tn_buf_addf(b, "%ld / %ld", tn_jv_long(it, "promised_days", -1),
				    tn_jv_long(it, "legal_days", -1));
		tn_buf_rtrim(b);
		tn_buf_addch(b, '\n');
		jv_free(it);
	}
	jv_free(items);
	if (jv_get_kind(merged) == JV_KIND_OBJECT) {
		tn_buf_adds(b, "\nmerged into one thing: ");
		tn_merge_summary(merged, 0, b);
	}
}
