/* cases_workflow.c — twonetd files a case on a "one thing" workflow: a parent and a sub-case per department; a clerk's redacted view of the parent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_today.h"
#include "tn_buf.h"
#include "tn_json.h"
#include "tn_cal.h"
#include "tn_case.h"
#include "tn_id.h"
#include "tn_merge.h"
#include "twonetd.h"
#include "certs.h"
#include "jvutil.h"
#include "cases_int.h"

/*
 * The workflow `code` merged, with every rule, from the items the server
 * holds (a workflow of the catalog lists item codes, a published one item
 * objects): 0 and *merged (owned), or -1 after replying.
 */
static int workflow_merged(struct req *q, const char *code, jv *merged)
{
	struct tn_merge_opts o = TN_MERGE_OPTS_INIT;
	struct tn_err err = TN_ERR_INIT;
	jv wf, list, items = jv_array(), w;
	int rc = 0;

	*merged = jv_invalid();
	if (store_workflow_get(q->srv->st, code, &wf, &err) != TN_OK) {
		jv_free(items);
		if (err.code == TN_ENOTFOUND) {
			char hint[200];

			cases_code_hint(q, "workflow", code, hint, sizeof(hint));
			reply_problem(q, 422, "workflow", "unknown workflow '%s'%s", code, hint);
		} else
			reply_error(q, &err);
		return -1;
	}
	list = jv_object_get(jv_copy(wf), jv_string("items"));
	if (jv_get_kind(list) != JV_KIND_ARRAY) {
		jv_free(list);
		list = jv_array();
	}
	jv_array_foreach(list, i, e) {
		jv c = jv_get_kind(e) == JV_KIND_OBJECT ? jv_object_get(jv_copy(e), jv_string("code"))
							: jv_copy(e), it;

		if (rc == 0 && jv_get_kind(c) != JV_KIND_STRING) {
			reply_problem(q, 422, "workflow", "workflow '%s' has an item without a code",
				      code);
			rc = -1;
		} else if (rc == 0 && store_item_get(q->srv->st, jv_string_value(c), &it, &err) != TN_OK) {
			if (err.code == TN_ENOTFOUND)
				reply_problem(q, 422, "workflow", "workflow '%s' names an unknown item '%s'",
					      code, jv_string_value(c));
			else
				reply_error(q, &err);
			rc = -1;
		} else if (rc == 0) {
			items = jv_array_append(items, it);
		}
		jv_free(c);
		jv_free(e);
	}
	jv_free(list);
	if (rc < 0) {
		jv_free(items);
		jv_free(wf);
		return -1;
	}
	w = jv_object();
	w = jv_object_set(w, jv_string("code"), jv_string(code));
	w = jv_object_set(w, jv_string("name"), jv_object_get(jv_copy(wf), jv_string("name")));
	w = jv_object_set(w, jv_string("window"), jv_object_get(jv_copy(wf), jv_string("window")));
	jv_free(wf);
	if (tn_merge_items(w, items, &o, merged, &err) != TN_OK) {
		reply_problem(q, 422, "workflow", "workflow '%s' cannot be merged: %s", code,
			      err.message);
		return -1;
	}
	return 0;
}

/* cases_check_given's check of a workflow case: the merged workflow (ctx, a jv *) asks for `code`. */
static int workflow_asks(struct req *q, int i, const char *code, void *ctx)
{
	char field[300];
	int asks = tn_case_workflow_asks(*(jv *)ctx, code);

	if (asks == 1)
		return 0;
	snprintf(field, sizeof(field), "materials[%d].code", i);
	if (asks == 0)
		reply_problem(q, 422, field, "the workflow asks for no material '%s'", code);
	else
		reply_problem(q, 422, field, "material '%s' is produced by an item of the "
			      "workflow: it is not asked for", code);
	return -1;
}

/*
 * The materials the applicant gave for a workflow case (body's, borrowed):
 * each {code, ref?} or {code, cert} must be a material the workflow asks for
 * (from the applicant or as an e-certificate), not one its own items
 * produce; a named certificate must stand for it (certs_check_given).  0
 * and *out (an array, owned), or -1 after replying.
 */
static int check_wf_materials(struct req *q, jv merged, jv body, jv applicant, jv *out)
{
	static const char *const mkeys[] = { "code", "ref", "cert", NULL };
	jv given = tn_jv_get(body, "materials"), item;
	int rc;

	*out = jv_invalid();
	if (cases_check_given(q, &given, mkeys, workflow_asks, &merged) < 0) {
		jv_free(given);
		return -1;
	}
	/* a certificate named for a material: checked as for a case of one item (audited) */
	item = jv_object_set(jv_object(), jv_string("materials"),
			     tn_case_workflow_cert_materials(merged));
	rc = certs_check_given(q, item, tn_jv_str(body, "workflow"), body, applicant);
	jv_free(item);
	if (rc < 0) {
		jv_free(given);
		return -1;
	}
	*out = given;
	return 0;
}

/* The members of `form` (borrowed) named in `names` (borrowed), as a new object. */
static jv form_subset(jv form, jv names)
{
	jv out = jv_object();

	jv_array_foreach(names, i, n) {
		if (jv_get_kind(n) == JV_KIND_STRING) {
			jv v = jv_object_get(jv_copy(form), jv_copy(n));

			if (jv_is_valid(v))
				out = jv_object_set(out, jv_copy(n), v);
			else
				jv_free(v);
		}
		jv_free(n);
	}
	return out;
}

/* What the deadlines of a plan's case (`p`, borrowed) were counted from (`from`, borrowed). */
static void plan_basis(struct store_case_new *c, jv p, const char *from)
{
	c->deadline_from = from;
	c->deadline_days = tn_jv_long(p, "days", -1);
	c->legal_days = tn_jv_long(p, "legal_days", -1);
	c->deadline_provisional = tn_jv_bool(p, "deadline_provisional", 0) == 1 ||
				  tn_jv_bool(p, "legal_deadline_provisional", 0) == 1;
}

/*
 * A new CASE document: `head` (consumed: item, department... of a parent or
 * a sub-case) and the members every case on a workflow shares.
 */
static jv wf_doc(struct req *q, jv head, const char *workflow, jv applicant, jv form, jv mats,
		 const char *now, jv deadline, jv legal, jv prov, jv lprov)
{
	int p = jv_get_kind(prov) == JV_KIND_TRUE, lp = jv_get_kind(lprov) == JV_KIND_TRUE;

	jv_free(prov);
	jv_free(lprov);
	return cases_new_doc(q, head, jv_string(workflow), applicant, form, mats, now, deadline,
			     legal, p, lp);
}

/*
 * POST /v1/cases with "workflow": one parent case and a sub-case per
 * department of the merged workflow, from one form and the materials left
 * after the merge.  Consumes body.
 */
void cases_file_workflow(struct req *q, jv body, const char *key)
{
	struct tn_err err = TN_ERR_INIT;
	struct store_case_new parent, *subs = NULL;
	jv merged = jv_invalid(), applicant = jv_invalid(), form = jv_invalid();
	jv given = jv_invalid(), plan = jv_invalid(), list = jv_invalid(), *hold = NULL;
	jv pdoc, depts, out;
	const char *code, *wname;
	char hash[65], now[40], from[16];
	int n = 0, replayed = 0;
	long today = tn_today();

	tn_date_format(today, from);
	code = tn_jv_str(body, "workflow");
	if (!code || !*code) {
		reply_problem(q, 422, "workflow", "workflow must be a workflow's code (a string)");
		goto done;
	}
	if (tn_jv_has(body, "item")) {
		reply_problem(q, 400, "item", "give an item or a workflow, not both");
		goto done;
	}
	if (workflow_merged(q, code, &merged) < 0)
		goto done;
	if (req_role(q, "clerk")) {
		jv ds = tn_jv_array(merged, "departments");
		int others = 0;

		jv_array_foreach(ds, i, d) {
			if (!q->tok.dept || !tn_jv_is(d, "code", q->tok.dept))
				others = 1;
			jv_free(d);
		}
		jv_free(ds);
		if (others) {
			reply_problem(q, 403, "workflow", "a clerk of '%s' may not file cases on "
				      "workflow '%s': it spans other departments",
				      q->tok.dept ? q->tok.dept : "", code);
			goto done;
		}
	}
	/* the one form: the merged workflow's fields, in the ITEM field shape */
	if (cases_check_filing(q, body, merged, &applicant, &form) < 0)
		goto done;
	/* the applicant's consent given with the case (certs_consent.c: a clerk's X-Consent-Code) */
	if (certs_case_consent(q, applicant) < 0)
		goto done;
	if (check_wf_materials(q, merged, body, applicant, &given) < 0)
		goto done;
	if (tn_case_workflow_plan(merged, given, srv_cal(q->srv), today, &plan, &err) != TN_OK) {
		reply_problem(q, 422, "workflow", "workflow '%s': %s", code, err.message);
		goto done;
	}

	cases_body_hash(body, hash);
	time_now_rfc3339(now, sizeof(now));
	wname = tn_jv_str(merged, "name");

	list = jv_object_get(jv_copy(plan), jv_string("subcases"));
	n = jv_array_length(jv_copy(list));
	subs = calloc((size_t)n, sizeof(*subs));
	hold = calloc((size_t)n, sizeof(*hold));
	if (!subs || !hold) {
		reply_problem(q, 500, NULL, "out of memory");
		n = 0;
		goto done;
	}
	depts = jv_array();
	for (int i = 0; i < n; i++) {
		jv sp = jv_array_get(jv_copy(list), i), doc = jv_object(), names;

		hold[i] = sp;   /* kept to the end: subs[i]'s strings are borrowed from it */
		doc = jv_object_set(doc, jv_string("item"), jv_object_get(jv_copy(sp), jv_string("item")));
		doc = jv_object_set(doc, jv_string("item_name"),
				    jv_object_get(jv_copy(sp), jv_string("item_name")));
		doc = jv_object_set(doc, jv_string("department"),
				    jv_object_get(jv_copy(sp), jv_string("department")));
		doc = jv_object_set(doc, jv_string("department_name"),
				    jv_object_get(jv_copy(sp), jv_string("department_name")));
		names = jv_object_get(jv_copy(sp), jv_string("fields"));
		doc = wf_doc(q, doc, code, jv_copy(applicant), form_subset(form, names),
			     jv_object_get(jv_copy(sp), jv_string("materials")), now,
			     jv_object_get(jv_copy(sp), jv_string("deadline")),
			     jv_object_get(jv_copy(sp), jv_string("legal_deadline")),
			     jv_object_get(jv_copy(sp), jv_string("deadline_provisional")),
			     jv_object_get(jv_copy(sp), jv_string("legal_deadline_provisional")));
		jv_free(names);
		doc = jv_object_set(doc, jv_string("days"), jv_object_get(jv_copy(sp), jv_string("days")));
		doc = jv_object_set(doc, jv_string("items"), jv_object_get(jv_copy(sp), jv_string("items")));
		depts = jv_array_append(depts, jv_object_set(jv_object_set(jv_object(),
			jv_string("code"), jv_object_get(jv_copy(sp), jv_string("department"))),
			jv_string("name"), jv_object_get(jv_copy(sp), jv_string("department_name"))));
		subs[i].item = tn_jv_str(sp, "item");
		subs[i].department = tn_jv_str(sp, "department");
		subs[i].deadline = tn_jv_str(sp, "deadline");
		plan_basis(&subs[i], sp, from);
		if (!subs[i].item)
			subs[i].item = "";
		if (!subs[i].department)
			subs[i].department = "";
		subs[i].doc = doc;
		subs[i].event = cases_event(q, now, "submit", NULL, "submitted", NULL, 1);
		subs[i].status = "submitted";
		subs[i].submitted_at = now;
		subs[i].submitted_by = q->tok.name;
	}
	pdoc = jv_object();
	pdoc = jv_object_set(pdoc, jv_string("item"), jv_null());
	pdoc = jv_object_set(pdoc, jv_string("item_name"), wname ? jv_string(wname) : jv_string(code));
	pdoc = jv_object_set(pdoc, jv_string("department"), jv_null());
	pdoc = wf_doc(q, pdoc, code, jv_copy(applicant), jv_copy(form),
		      jv_object_get(jv_copy(plan), jv_string("materials")), now,
		      jv_object_get(jv_copy(plan), jv_string("deadline")),
		      jv_object_get(jv_copy(plan), jv_string("legal_deadline")),
		      jv_object_get(jv_copy(plan), jv_string("deadline_provisional")),
		      jv_object_get(jv_copy(plan), jv_string("legal_deadline_provisional")));
	pdoc = jv_object_set(pdoc, jv_string("workflow_name"), wname ? jv_string(wname) : jv_null());
	pdoc = jv_object_set(pdoc, jv_string("days"), jv_object_get(jv_copy(plan), jv_string("days")));
	pdoc = jv_object_set(pdoc, jv_string("departments"), depts);

	memset(&parent, 0, sizeof(parent));
	parent.doc = pdoc;
	parent.event = cases_event(q, now, "submit", NULL, "submitted", NULL, 1);
	parent.item = "";
	parent.department = "";
	parent.status = "submitted";
	parent.applicant_id = tn_jv_str(applicant, "id");
	parent.applicant_name = tn_jv_str(applicant, "name");
	parent.submitted_at = now;
	parent.deadline = tn_jv_str(plan, "deadline");     /* pdoc's, which the store consumes */
	plan_basis(&parent, plan, from);
	parent.submitted_by = q->tok.name;
	parent.token_id = q->tok.id;
	parent.idem_key = key;
	parent.idem_hash = hash;
	for (int i = 0; i < n; i++) {
		subs[i].applicant_id = parent.applicant_id;
		subs[i].applicant_name = parent.applicant_name;
	}
	if (store_case_create_tree(q->srv->st, code, &parent, subs, n, &out, &replayed,
				   &err) != TN_OK) {
		reply_error(q, &err);
	} else {
		cases_reply_filed(q, out, replayed);
	}
done:
	for (int i = 0; i < n; i++)
		jv_free(hold[i]);
	free(hold);
	free(subs);
	jv_free(list);
	jv_free(plan);
	jv_free(given);
	jv_free(form);
	jv_free(applicant);
	jv_free(merged);
	jv_free(body);
}

/*
 * A clerk's view of a workflow's parent (consumed): the summary with only
 * their own department's sub-cases; no form, no materials, nothing of the
 * other departments.
 */
jv cases_parent_for_clerk(jv doc, const char *dept)
{
	jv kids = jv_object_get(jv_copy(doc), jv_string("children"));
	jv depts = jv_object_get(jv_copy(doc), jv_string("departments"));
	jv keep_k = jv_array(), keep_d = jv_array();

	if (jv_get_kind(kids) == JV_KIND_ARRAY && jv_get_kind(depts) == JV_KIND_ARRAY) {
		jv_array_foreach(depts, i, d) {
			if (dept && tn_jv_is(d, "code", dept)) {
				keep_k = jv_array_append(keep_k, jv_array_get(jv_copy(kids), i));
				keep_d = jv_array_append(keep_d, jv_copy(d));
			}
			jv_free(d);
		}
	}
	jv_free(kids);
	jv_free(depts);
	doc = jv_object_delete(doc, jv_string("form"));
	doc = jv_object_delete(doc, jv_string("materials"));
	doc = jv_object_set(doc, jv_string("children"), keep_k);
	doc = jv_object_set(doc, jv_string("departments"), keep_d);
	return jv_object_set(doc, jv_string("redacted"), jv_true());
}
