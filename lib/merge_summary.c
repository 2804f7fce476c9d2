/* merge_summary.c — the text summary of a merged workflow and its before/after figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_jv.h"
#include "tn_merge.h"

/* ---- the summary ---- */

long tn_merge_figure(jv merged, const char *side, const char *name)
{
	jv fig = tn_jv_get(merged, "figures"), s = tn_jv_get(fig, side);
	long n = tn_jv_long(s, name, -1);

	jv_free(s);
	jv_free(fig);
	return n;
}

static void figure_line(struct tn_buf *b, jv merged, const char *name, const char *label)
{
	long before = tn_merge_figure(merged, "before", name);
	long after = tn_merge_figure(merged, "after", name);

	tn_buf_addf(b, "  %-13s %4ld → %-4ld", label, before, after);
	if (before > 0 && after != before) {
		double pct = 100.0 * (double)(after - before) / (double)before;
		long r = (long)(pct < 0 ? pct - 0.5 : pct + 0.5);

		tn_buf_addf(b, " (%s%ld%%)", r < 0 ? "−" : "+", r < 0 ? -r : r);
	}
	tn_buf_rtrim(b);
	tn_buf_addch(b, '\n');
}

static void join(struct tn_buf *b, jv list, const char *sep)
{
	int n = jv_array_length(jv_copy(list));

	for (int i = 0; i < n; i++) {
		jv s = jv_array_get(jv_copy(list), i);

		if (i)
			tn_buf_adds(b, sep);
		tn_buf_adds(b, jv_get_kind(s) == JV_KIND_STRING ? jv_string_value(s) : "?");
		jv_free(s);
	}
	jv_free(list);
}

static int count_reason(jv dropped, const char *reason)
{
	int n = jv_array_length(jv_copy(dropped)), k = 0;

	for (int i = 0; i < n; i++) {
		jv d = jv_array_get(jv_copy(dropped), i);
		const char *r = tn_jv_str(d, "reason");

		k += r && !strcmp(r, reason);
		jv_free(d);
	}
	return k;
}

void tn_merge_summary(jv merged, int explain, struct tn_buf *b)
{
	const char *name = tn_jv_str(merged, "name"), *code = tn_jv_str(merged, "code");
	jv dm = tn_jv_array(merged, "dropped_materials"), df = tn_jv_array(merged, "dropped_fields");
	jv visits = tn_jv_get(merged, "visits"), time = tn_jv_get(merged, "time");
	jv insp = tn_jv_array(merged, "inspections"), mats = tn_jv_array(merged, "materials");
	int n;

	if (code)
		tn_buf_addf(b, "%s (%s): ", name ? name : code, code);
	else
		tn_buf_adds(b, "ad-hoc set: ");
	tn_buf_addf(b, "%ld items, %ld departments\n", tn_merge_figure(merged, "after", "items"),
		    tn_merge_figure(merged, "after", "departments"));
	figure_line(b, merged, "forms", "forms");
	figure_line(b, merged, "fields", "fields");
	figure_line(b, merged, "materials", "materials");
	figure_line(b, merged, "visits", "visits");
	figure_line(b, merged, "inspections", "inspections");
	figure_line(b, merged, "days", "working days");

	tn_buf_adds(b, "why:\n");
	tn_buf_addf(b, "  fields: %d asked again by another item\n", count_reason(df, "duplicate"));
	tn_buf_addf(b, "  materials: %d duplicates, %d fetched as e-certificates, "
		    "%d produced by an earlier item\n", count_reason(dm, "duplicate"),
		    count_reason(dm, "certificate"), count_reason(dm, "produced"));
	tn_buf_addf(b, "  visits: %s (", tn_jv_str_or(visits, "reason", ""));
	join(b, tn_jv_array(visits, "windows"), ", ");
	tn_buf_adds(b, ")\n");
	n = jv_array_length(jv_copy(insp));
	for (int i = 0; i < n; i++) {
		jv g = jv_array_get(jv_copy(insp), i);

		tn_buf_addf(b, "  inspection at %s: ", tn_jv_str_or(g, "site", "?"));
		join(b, tn_jv_array(g, "names"), " + ");
		tn_buf_adds(b, tn_jv_bool(g, "joint", 0) && jv_array_length(tn_jv_array(g, "kinds")) > 1
			    ? " (one joint inspection)\n" : "\n");
		jv_free(g);
	}
	tn_buf_addf(b, "  time: %s, %s limits: ", tn_jv_str_or(time, "basis", ""),
		    tn_jv_str(time, "limits") && !strcmp(tn_jv_str(time, "limits"), "legal") ? "legal"
		    : "promised");
	join(b, tn_jv_array(time, "critical_path"), " → ");
	tn_buf_addch(b, '\n');
	if (tn_jv_str(time, "deadline"))
		tn_buf_addf(b, "  deadline: %s (filed %s)\n", tn_jv_str(time, "deadline"),
			    tn_jv_str(time, "start_date"));

	n = jv_array_length(jv_copy(mats));
	tn_buf_addf(b, "materials to supply (%d):\n", n);
	for (int i = 0; i < n; i++) {
		jv m = jv_array_get(jv_copy(mats), i);

		tn_buf_addf(b, "  %-9s %s%s\n", tn_jv_str(m, "code"), tn_jv_str(m, "name"),
			    tn_jv_bool(m, "required", 1) ? "" : " (optional)");
		jv_free(m);
	}
	if (explain) {
		n = jv_array_length(jv_copy(dm));
		tn_buf_addf(b, "dropped materials (%d):\n", n);
		for (int i = 0; i < n; i++) {
			jv d = jv_array_get(jv_copy(dm), i);
			const char *r = tn_jv_str(d, "reason");

			tn_buf_addf(b, "  %-16s %-9s %s: ", tn_jv_str(d, "item"), tn_jv_str(d, "code"),
				    tn_jv_str_or(d, "asked_as", tn_jv_str(d, "name")));
			if (r && !strcmp(r, "certificate"))
				tn_buf_addf(b, "exempt, fetched as e-certificate %s from %s\n",
					    tn_jv_str(d, "cert_kind"), tn_jv_str(d, "issuer"));
			else if (r && !strcmp(r, "produced"))
				tn_buf_addf(b, "exempt, produced by %s\n", tn_jv_str(d, "produced_by"));
			else
				tn_buf_addf(b, "duplicate of %s\n", tn_jv_str(d, "duplicate_of"));
			jv_free(d);
		}
		n = jv_array_length(jv_copy(df));
		tn_buf_addf(b, "dropped fields (%d):\n", n);
		for (int i = 0; i < n; i++) {
			jv d = jv_array_get(jv_copy(df), i);

			tn_buf_addf(b, "  %-16s %-18s duplicate of %s\n", tn_jv_str(d, "item"),
				    tn_jv_str(d, "name"), tn_jv_str(d, "duplicate_of"));
			jv_free(d);
		}
	}
	jv_free(dm);
	jv_free(df);
	jv_free(visits);
	jv_free(time);
	jv_free(insp);
	jv_free(mats);
}
