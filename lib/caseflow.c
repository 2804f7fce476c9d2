/* caseflow.c — cases on a "one thing" workflow: the parent and one sub-case per department, with deadlines and material states. */
#include <stdio.h>
#include <string.h>

#include <jv.h>

#include "tn_buf.h"
#include "tn_jv.h"
#include "tn_cal.h"
#include "tn_case.h"

const char *tn_case_subcase_columns[] = {
	"id", "department", "status", "deadline", "item_name", NULL
};

/*
 * `n` working days after `start` as a jv string, or null (no calendar, no
 * start); *prov set when counted through a year the calendar does not know.
 */
static jv deadline(const struct tn_cal *cal, long start, long n, int *prov)
{
	char buf[16];
	long d;

	if (!cal || start < 0 || n < 0 || tn_cal_add_workdays(cal, start, n, &d, prov, NULL) != TN_OK)
		return jv_null();
	tn_date_format(d, buf);
	return jv_string(buf);
}

/*
 * `out` (consumed) with "days", "deadline", "legal_days", "legal_deadline"
 * and whether each deadline is provisional; `prov` 1: the first is already
 * (counted so for one of its items).
 */
static jv with_deadlines(jv out, const struct tn_cal *cal, long start, long days, long legal_n,
			 int prov)
{
	int lprov = 0;

	out = jv_object_set(out, jv_string("days"), jv_number((double)days));
	out = jv_object_set(out, jv_string("deadline"), deadline(cal, start, days, &prov));
	out = jv_object_set(out, jv_string("legal_days"), jv_number((double)legal_n));
	out = jv_object_set(out, jv_string("legal_deadline"), deadline(cal, start, legal_n, &lprov));
	out = jv_object_set(out, jv_string("deadline_provisional"), jv_bool(prov));
	out = jv_object_set(out, jv_string("legal_deadline_provisional"), jv_bool(lprov));
	return out;
}

/*
 * The state of material `m` (an item's material of MERGED, borrowed) for the
 * applicant's `given` list (borrowed): a new MAT object.
 */
static jv material_state(jv m, jv given)
{
	jv code = tn_jv_get(m, "code"), out = jv_object(), ref = jv_null(), cert = jv_null();
	jv disp = tn_jv_get(m, "disposition");
	const char *d = jv_get_kind(disp) == JV_KIND_STRING ? jv_string_value(disp) : "supply";
	const char *state = "missing";
	int gi = jv_get_kind(code) == JV_KIND_STRING
		 ? tn_jv_array_find(given, "code", jv_string_value(code)) : -1;

	if (gi >= 0) {
		jv g = jv_array_get(jv_copy(given), gi), r = tn_jv_get(g, "ref");

		jv_free(cert);
		cert = tn_jv_get(g, "cert");
		jv_free(g);
		if (jv_get_kind(r) == JV_KIND_STRING) {
			jv_free(ref);
			ref = r;
		} else {
			jv_free(r);
		}
	}
	/*
	 * honest zero-material: a material is exempted only by a certificate the
	 * filing names (checked by the server: valid, unrevoked, the applicant's);
	 * that one *could* stand for it leaves it missing.
	 */
	if (strcmp(d, "produced") == 0)
		state = "produced";
	else if (gi >= 0 && jv_get_kind(cert) == JV_KIND_STRING)
		state = "exempted";
	else if (gi >= 0)
		state = "supplied";
	if (strcmp(state, "exempted") != 0) {
		jv_free(cert);
		cert = jv_null();
	}
	if (strcmp(state, "supplied") != 0) {
		jv_free(ref);
		ref = jv_null();
	}
	out = jv_object_set(out, jv_string("code"), code);
	out = jv_object_set(out, jv_string("name"), tn_jv_get(m, "name"));
	out = jv_object_set(out, jv_string("state"), jv_string(state));
	out = jv_object_set(out, jv_string("ref"), ref);
	if (strcmp(d, "certificate") == 0 || strcmp(state, "exempted") == 0)
		out = jv_object_set(out, jv_string("cert_kind"), tn_jv_get(m, "cert_kind"));
	if (strcmp(state, "exempted") == 0)
		out = jv_object_set(out, jv_string("cert"), cert);
	else
		jv_free(cert);
	if (strcmp(state, "produced") == 0)
		out = jv_object_set(out, jv_string("produced_by"), tn_jv_get(m, "produced_by"));
	jv_free(disp);
	return out;
}

jv tn_case_workflow_cert_materials(jv merged)
{
	jv items = tn_jv_array(merged, "items"), out = jv_array();

	jv_array_foreach(items, i, it) {
		jv mats = tn_jv_array(it, "materials");

		jv_array_foreach(mats, k, m) {
			const char *code = tn_jv_str(m, "code"), *kind = tn_jv_str(m, "cert_kind");

			if (code && kind && tn_jv_is(m, "disposition", "certificate") &&
			    tn_jv_array_find(out, "code", code) < 0) {
				jv e = jv_object_set(jv_object(), jv_string("code"), jv_string(code));

				e = jv_object_set(e, jv_string("name"), tn_jv_str_or_null(m, "name"));
				out = jv_array_append(out, jv_object_set(e, jv_string("cert_kind"),
									  jv_string(kind)));
			}
			jv_free(m);
		}
		jv_free(mats);
		jv_free(it);
	}
	jv_free(items);
	return out;
}

/* Append the materials of `item` (borrowed) to *list, once per code. */
static void add_materials(jv *list, jv item, jv given)
{
	jv mats = tn_jv_array(item, "materials");

	jv_array_foreach(mats, i, m) {
		jv code = tn_jv_get(m, "code");

		if (jv_get_kind(code) == JV_KIND_STRING &&
		    tn_jv_array_find(*list, "code", jv_string_value(code)) < 0)
			*list = jv_array_append(*list, material_state(m, given));
		jv_free(code);
		jv_free(m);
	}
	jv_free(mats);
}

/* Append the field names of `item` (borrowed) to *names, once each. */
static void add_fields(jv *names, jv item)
{
	jv fields = tn_jv_array(item, "fields");

	jv_array_foreach(fields, i, f) {
		if (jv_get_kind(f) == JV_KIND_STRING && !tn_jv_array_has_str(*names, jv_string_value(f)))
			*names = jv_array_append(*names, jv_copy(f));
		jv_free(f);
	}
	jv_free(fields);
}

/* The sub-case of department `dept` (an entry of MERGED's departments, borrowed). */
static jv subcase(jv merged, jv dept, jv given, const struct tn_cal *cal, long start)
{
	jv codes = tn_jv_array(dept, "items"), items = tn_jv_array(merged, "items");
	jv out = jv_object(), plan = jv_array(), fields = jv_array(), mats = jv_array();
	struct tn_buf names = TN_BUF_INIT;
	long finish = 0, legal_n = 0;
	int prov = 0;

	/* the department's items, in MERGED's (topological) order */
	jv_array_foreach(items, i, it) {
		jv code = tn_jv_get(it, "code");

		if (jv_get_kind(code) == JV_KIND_STRING && tn_jv_array_has_str(codes, jv_string_value(code))) {
			long s = tn_jv_long(it, "start", 0), f = tn_jv_long(it, "finish", 0);
			long l = tn_jv_long(it, "legal_days", tn_jv_long(it, "days", 0));
			jv p = jv_object(), name = tn_jv_get(it, "name");

			p = jv_object_set(p, jv_string("code"), jv_copy(code));
			p = jv_object_set(p, jv_string("name"), jv_copy(name));
			p = jv_object_set(p, jv_string("start"), jv_number((double)s));
			p = jv_object_set(p, jv_string("finish"), jv_number((double)f));
			p = jv_object_set(p, jv_string("deadline"), deadline(cal, start, f, &prov));
			plan = jv_array_append(plan, p);
			if (jv_get_kind(name) == JV_KIND_STRING)
				tn_buf_addf(&names, "%s%s", names.len ? "；" : "", jv_string_value(name));
			jv_free(name);
			if (f > finish)
				finish = f;
			if (s + l > legal_n)
				legal_n = s + l;
			add_fields(&fields, it);
			add_materials(&mats, it, given);
		}
		jv_free(code);
		jv_free(it);
	}
	out = jv_object_set(out, jv_string("department"), tn_jv_get(dept, "code"));
	out = jv_object_set(out, jv_string("department_name"), tn_jv_get(dept, "name"));
	if (jv_array_length(jv_copy(plan)) > 0) {
		jv first = jv_array_get(jv_copy(plan), 0);

		out = jv_object_set(out, jv_string("item"), tn_jv_get(first, "code"));
		jv_free(first);
	} else {
		out = jv_object_set(out, jv_string("item"), jv_null());
	}
	out = jv_object_set(out, jv_string("item_name"), jv_string(names.len ? names.buf : ""));
	out = jv_object_set(out, jv_string("items"), plan);
	out = with_deadlines(out, cal, start, finish, legal_n, prov);
	out = jv_object_set(out, jv_string("fields"), fields);
	out = jv_object_set(out, jv_string("materials"), mats);
	tn_buf_release(&names);
	jv_free(codes);
	jv_free(items);
	return out;
}

enum tn_code tn_case_workflow_plan(jv merged, jv given, const struct tn_cal *cal, long start,
				   jv *plan, struct tn_err *err)
{
	jv depts, items, subs = jv_array(), mats = jv_array(), time, out;
	long days, legal_n = 0;

	*plan = jv_invalid();
	if (jv_get_kind(given) != JV_KIND_ARRAY)
		given = jv_array();
	else
		given = jv_copy(given);
	depts = tn_jv_get(merged, "departments");
	items = tn_jv_get(merged, "items");
	if (jv_get_kind(depts) != JV_KIND_ARRAY || jv_get_kind(items) != JV_KIND_ARRAY ||
	    jv_array_length(jv_copy(depts)) == 0) {
		jv_free(depts);
		jv_free(items);
		jv_free(subs);
		jv_free(mats);
		jv_free(given);
		return tn_err_set(err, TN_EINVALID, "the merged workflow has no departments or items");
	}
	jv_array_foreach(items, i, it) {
		add_materials(&mats, it, given);
		jv_free(it);
	}
	jv_array_foreach(depts, i, d) {
		jv s = subcase(merged, d, given, cal, start);

		if (tn_jv_long(s, "legal_days", 0) > legal_n)
			legal_n = tn_jv_long(s, "legal_days", 0);
		subs = jv_array_append(subs, s);
		jv_free(d);
	}
	time = tn_jv_get(merged, "time");
	days = tn_jv_long(time, "days", 0);
	jv_free(time);
	out = jv_object();
	out = with_deadlines(out, cal, start, days, legal_n, 0);
	out = jv_object_set(out, jv_string("materials"), mats);
	out = jv_object_set(out, jv_string("subcases"), subs);
	*plan = out;
	jv_free(depts);
	jv_free(items);
	jv_free(given);
	return TN_OK;
}

int tn_case_workflow_asks(jv merged, const char *code)
{
	jv items = tn_jv_array(merged, "items");
	int found = 0;

	jv_array_foreach(items, i, it) {
		jv mats = tn_jv_array(it, "materials");

		jv_array_foreach(mats, k, m) {
			if (tn_jv_is(m, "code", code)) {
				if (!tn_jv_is(m, "disposition", "produced"))
					found = 1;
				else if (!found)
					found = 2;
			}
			jv_free(m);
		}
		jv_free(mats);
		jv_free(it);
	}
	jv_free(items);
	return found;
}
