/* cases.c — twonetd's case endpoints: file, list, show, act on, and the history of cases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tn_cal.h"
#include "tn_case.h"
#include "tn_id.h"
#include "tn_merge.h"
#include "twonetd.h"
#include "certs.h"
#include "jvutil.h"

static const char *const statuses[] = {
	"submitted", "accepted", "returned", "resubmitted", "approved", "rejected", "completed", NULL
};

/* The moves of a case: action, the statuses it may start from, where it leads. */
static const struct transition {
	const char *action;
	const char *from;       /* '|'-separated */
	const char *to;
	int need_comment;
} transitions[] = {
	{ "accept",   "submitted|resubmitted",          "accepted",    0 },
	{ "return",   "submitted|resubmitted|accepted", "returned",    1 },
	{ "resubmit", "returned",                       "resubmitted", 0 },
	{ "approve",  "accepted",                       "approved",    0 },
	{ "reject",   "submitted|resubmitted|accepted", "rejected",    1 },
	{ "complete", "approved",                       "completed",   0 },
};

static void today_str(char *buf)
{
	tn_date_format(srv_today(), buf);
}

/* The CASE as sent out: with "overdue" computed against today.  Consumes doc. */
static jv case_out(jv doc, const char *today)
{
	jv h1, h2;
	const char *deadline = member_str(doc, "deadline", &h1), *status = member_str(doc, "status", &h2);
	int overdue = deadline && status && strcmp(status, "completed") != 0 &&
		      strcmp(status, "rejected") != 0 && strcmp(today, deadline) > 0;

	jv_free(h1);
	jv_free(h2);
	return jv_object_set(doc, jv_string("overdue"), jv_bool(overdue));
}

/* 1 when `doc` (borrowed) is a workflow's parent with a sub-case of department `dept`. */
static int parent_has_department(jv doc, const char *dept)
{
	jv depts = jv_object_get(jv_copy(doc), jv_string("departments"));
	int found = 0;

	if (dept && jv_get_kind(depts) == JV_KIND_ARRAY) {
		jv_array_foreach(depts, i, d) {
			jv h;
			const char *c = jv_get_kind(d) == JV_KIND_OBJECT ? member_str(d, "code", &h) : NULL;

			if (c && strcmp(c, dept) == 0)
				found = 1;
			if (jv_get_kind(d) == JV_KIND_OBJECT)
				jv_free(h);
			jv_free(d);
		}
	}
	jv_free(depts);
	return found;
}

/*
 * May the caller see this case?  Clerks: their department, and the parent of
 * a workflow case with a sub-case of their department (shown redacted by
 * h_case); applicants: their own.
 */
static int case_visible(const struct req *q, jv doc, long token_id)
{
	jv h;
	const char *s;
	int ok = 0;

	if (req_role(q, "admin"))
		return 1;
	if (req_role(q, "clerk")) {
		s = member_str(doc, "department", &h);
		ok = s && q->tok.dept && strcmp(s, q->tok.dept) == 0;
		jv_free(h);
		return ok || parent_has_department(doc, q->tok.dept);
	}
	if (req_role(q, "applicant")) {
		jv app = jv_object_get(jv_copy(doc), jv_string("applicant"));

		if (token_id == q->tok.id)
			ok = 1;
		else if (q->tok.subject && jv_get_kind(app) == JV_KIND_OBJECT) {
			s = member_str(app, "id", &h);
			ok = s && strcmp(s, q->tok.subject) == 0;
			jv_free(h);
		}
		jv_free(app);
	}
	return ok;
}

/* Send a CASE with its ETag. */
static void reply_case(struct req *q, int status, jv doc)
{
	char today[16], etag[32];
	jv v = jv_object_get(jv_copy(doc), jv_string("version"));

	if (tn_json_long(v, -1) >= 0) {
		snprintf(etag, sizeof(etag), "\"%ld\"", tn_json_long(v, -1));
		req_set_header(q, "ETag", etag);
	}
	jv_free(v);
	today_str(today);
	reply_json(q, status, case_out(doc, today));
}

/* Check one form value (borrowed) against its field (casecheck.c); 0, or -1 after replying 422. */
static int check_field(struct req *q, jv f, const char *name, jv v)
{
	struct tn_err err = TN_ERR_INIT;
	char field[300];

	if (tn_case_check_value(f, v, &err) == TN_OK)
		return 0;
	snprintf(field, sizeof(field), "form.%s", name);
	reply_problem(q, 422, field, "form field '%s': %s", name, err.message);
	return -1;
}

/* 1 when an object of array `list` (borrowed) has member `key` equal to `value`. */
static int has_named(jv list, const char *key, const char *value)
{
	int found = 0;

	jv_array_foreach(list, i, e) {
		jv h;
		const char *n = jv_get_kind(e) == JV_KIND_OBJECT ? member_str(e, key, &h) : NULL;

		if (n && strcmp(n, value) == 0)
			found = 1;
		if (jv_get_kind(e) == JV_KIND_OBJECT)
			jv_free(h);
		jv_free(e);
	}
	return found;
}

/*
 * The supplied material `code` in array `given` (borrowed): 1 and its ref
 * (a string or null, owned) in *ref; 0 when not supplied.
 */
static int supplied(jv given, const char *code, jv *ref)
{
	int found = 0;

	*ref = jv_null();
	jv_array_foreach(given, i, g) {
		jv h;
		const char *gc = member_str(g, "code", &h);

		if (gc && strcmp(gc, code) == 0) {
			jv r = jv_object_get(jv_copy(g), jv_string("ref"));

			found = 1;
			jv_free(*ref);
			if (jv_get_kind(r) == JV_KIND_STRING) {
				*ref = r;
			} else {
				jv_free(r);
				*ref = jv_null();
			}
		}
		jv_free(h);
		jv_free(g);
	}
	return found;
}

/* The certificate id given for material `code` in `given` (borrowed), or jv_null(). */
static jv given_cert(jv given, const char *code)
{
	jv cert = jv_null();

	jv_array_foreach(given, i, g) {
		jv h;
		const char *gc = member_str(g, "code", &h);

		if (gc && strcmp(gc, code) == 0) {
			jv c = jv_object_get(jv_copy(g), jv_string("cert"));

			jv_free(cert);
			cert = jv_get_kind(c) == JV_KIND_STRING ? c : jv_null();
			if (jv_get_kind(c) != JV_KIND_STRING)
				jv_free(c);
		}
		jv_free(h);
		jv_free(g);
	}
	return cert;
}

/* Check the form against the item's fields; 0, or -1 after replying. */
static int check_form(struct req *q, jv item, jv form)
{
	jv fields = jv_object_get(jv_copy(item), jv_string("fields"));
	int rc = 0;

	if (jv_get_kind(fields) != JV_KIND_ARRAY) {
		jv_free(fields);
		fields = jv_array();
	}
	/* members that are not fields of the item */
	jv_object_foreach(form, key, val) {
		if (!has_named(fields, "name", jv_string_value(key)) && rc == 0) {
			char field[300];

			snprintf(field, sizeof(field), "form.%s", jv_string_value(key));
			reply_problem(q, 400, field, "unknown form field '%s'", jv_string_value(key));
			rc = -1;
		}
		jv_free(key);
		jv_free(val);
	}
	jv_array_foreach(fields, i, f) {
		jv h, v;
		const char *n = member_str(f, "name", &h);

		if (rc == 0 && n) {
			v = jv_object_get(jv_copy(form), jv_string(n));
			if (jv_get_kind(v) == JV_KIND_INVALID || jv_get_kind(v) == JV_KIND_NULL ||
			    (jv_get_kind(v) == JV_KIND_STRING && !*jv_string_value(v))) {
				if (member_true(f, "required")) {
					char field[300];

					snprintf(field, sizeof(field), "form.%s", n);
					reply_problem(q, 422, field, "form field '%s' is required", n);
					rc = -1;
				}
			} else if (check_field(q, f, n, v) < 0) {
				rc = -1;
			}
			jv_free(v);
		}
		jv_free(h);
		jv_free(f);
	}
	jv_free(fields);
	return rc;
}

/*
 * The case's materials from the item's list and what the request supplied:
 * supplied (given, with an optional reference), exempted (held as an
 * e-certificate: never asked for), missing.  0, or -1 after replying.
 */
static int build_materials(struct req *q, jv item, jv given, jv *out)
{
	static const char *const mkeys[] = { "code", "ref", "cert", NULL };
	jv list = jv_object_get(jv_copy(item), jv_string("materials"));
	char field[64];
	int rc = 0;

	*out = jv_array();
	if (jv_get_kind(list) != JV_KIND_ARRAY) {
		jv_free(list);
		list = jv_array();
	}
	if (jv_get_kind(given) == JV_KIND_INVALID || jv_get_kind(given) == JV_KIND_NULL) {
		jv_free(given);
		given = jv_array();
	}
	if (jv_get_kind(given) != JV_KIND_ARRAY) {
		reply_problem(q, 422, "materials", "materials must be an array");
		rc = -1;
		goto out;
	}
	jv_array_foreach(given, i, g) {
		char *bad;
		jv h, r;
		const char *code;

		if (rc) {
			jv_free(g);
			continue;
		}
		if (jv_get_kind(g) != JV_KIND_OBJECT) {
			snprintf(field, sizeof(field), "materials[%d]", i);
			reply_problem(q, 422, field, "material %d must be an object", i);
			rc = -1;
		} else if ((bad = unknown_member(g, mkeys)) != NULL) {
			char f2[300];

			snprintf(f2, sizeof(f2), "materials[%d].%s", i, bad);
			reply_problem(q, 400, f2, "unknown member '%s' in material %d", bad, i);
			free(bad);
			rc = -1;
		} else {
			code = member_str(g, "code", &h);
			r = jv_object_get(jv_copy(g), jv_string("ref"));
			snprintf(field, sizeof(field), "materials[%d].code", i);
			if (!code) {
				reply_problem(q, 422, field, "material %d has no code", i);
				rc = -1;
			} else if (jv_get_kind(r) != JV_KIND_INVALID && jv_get_kind(r) != JV_KIND_NULL &&
				   jv_get_kind(r) != JV_KIND_STRING) {
				snprintf(field, sizeof(field), "materials[%d].ref", i);
				reply_problem(q, 422, field, "material %d: ref must be a string", i);
				rc = -1;
			} else if (!has_named(list, "code", code)) {
				reply_problem(q, 422, field, "the item asks for no material '%s'", code);
				rc = -1;
			}
			jv_free(r);
			jv_free(h);
		}
		jv_free(g);
	}
	if (rc)
		goto out;
	jv_array_foreach(list, k, m) {
		jv hm, hn, ck, mat = jv_object(), state = jv_string("missing"), ref = jv_null();
		const char *mc = member_str(m, "code", &hm), *mn = member_str(m, "name", &hn);

		ck = jv_object_get(jv_copy(m), jv_string("cert_kind"));
		if (mc) {
			jv_free(ref);
			if (supplied(given, mc, &ref)) {
				jv_free(state);
				state = jv_string("supplied");
			} else if (jv_get_kind(ck) == JV_KIND_STRING) {
				jv_free(state);
				state = jv_string("exempted");
			}
		}
		/* zero-material: a certificate (checked by certs_check_materials) stands for it */
		jv cert = mc ? given_cert(given, mc) : jv_null();
		if (jv_get_kind(cert) == JV_KIND_STRING) {
			jv_free(state);
			state = jv_string("exempted");
		}
		mat = jv_object_set(mat, jv_string("code"), mc ? jv_string(mc) : jv_null());
		mat = jv_object_set(mat, jv_string("name"), mn ? jv_string(mn) : jv_null());
		mat = jv_object_set(mat, jv_string("state"), state);
		mat = jv_object_set(mat, jv_string("ref"), ref);
		mat = jv_object_set(mat, jv_string("cert"), cert);
		*out = jv_array_append(*out, mat);
		jv_free(ck);
		jv_free(hm);
		jv_free(hn);
		jv_free(m);
	}
out:
	jv_free(given);
	jv_free(list);
	if (rc) {
		jv_free(*out);
		*out = jv_invalid();
	}
	return rc;
}

/*
 * `n` working days after `today` as YYYY-MM-DD (n from the item's `key`, else
 * `fallback`), or null when the item has no such number or no calendar is
 * known; *days gets n (-1 for none), *prov is raised when a day of a year the
 * calendar does not know was counted (Monday to Friday).
 */
static jv deadline_after(struct tn_cal *cal, long today, jv item, const char *key,
			 const char *fallback, long *days, int *prov)
{
	jv n = jv_object_get(jv_copy(item), jv_string(key));
	char buf[16];
	long d;
	jv out = jv_null();

	*days = -1;
	if (jv_get_kind(n) != JV_KIND_NUMBER && fallback) {
		jv_free(n);
		n = jv_object_get(jv_copy(item), jv_string(fallback));
	}
	if (jv_get_kind(n) == JV_KIND_NUMBER && jv_number_value(n) >= 0 &&
	    jv_number_value(n) <= 100000 &&
	    tn_cal_add_workdays(cal, today, (long)jv_number_value(n), &d, prov, NULL) == TN_OK) {
		tn_date_format(d, buf);
		out = jv_string(buf);
		*days = (long)jv_number_value(n);
	}
	jv_free(n);
	return out;
}

/* The applicant: checked, with its type settled.  0, or -1 after replying. */
static int check_applicant(struct req *q, jv app, jv *out)
{
	static const char *const akeys[] = { "type", "id", "name", "phone", NULL };
	struct tn_err err = TN_ERR_INIT;
	jv h1, h2, h3, h4, a = jv_object();
	const char *type, *id, *name, *phone;
	int rc = -1;

	*out = jv_invalid();
	if (jv_get_kind(app) != JV_KIND_OBJECT) {
		reply_problem(q, 422, "applicant", "applicant is required (an object)");
		jv_free(app);
		jv_free(a);
		return -1;
	}
	if (reply_unknown_member(q, app, akeys, "applicant") < 0) {
		jv_free(app);
		jv_free(a);
		return -1;
	}
	type = member_str(app, "type", &h1);
	id = member_str(app, "id", &h2);
	name = member_str(app, "name", &h3);
	phone = member_str(app, "phone", &h4);
	if (!id || !*id) {
		reply_problem(q, 422, "applicant.id", "applicant.id is required");
		goto out;
	}
	if (!name || !*name) {
		reply_problem(q, 422, "applicant.name", "applicant.name is required");
		goto out;
	}
	if (!type) {
		jv t = jv_object_get(jv_copy(app), jv_string("type"));
		int present = jv_get_kind(t) != JV_KIND_INVALID && jv_get_kind(t) != JV_KIND_NULL;

		jv_free(t);
		if (present) {
			reply_problem(q, 422, "applicant.type", "applicant.type must be person or org");
			goto out;
		}
		/* a resident ID number is 17 digits and a digit or X; anything else is an org */
		type = strlen(id) == 18 && strspn(id, "0123456789") >= 17 ? "person" : "org";
	}
	if (strcmp(type, "person") == 0) {
		if (tn_id_check_resident(id, &err) != TN_OK) {
			reply_problem(q, 422, "applicant.id", "applicant.id: %s", err.message);
			goto out;
		}
	} else if (strcmp(type, "org") == 0) {
		if (tn_id_check_uscc(id, NULL, NULL, &err) != TN_OK) {
			reply_problem(q, 422, "applicant.id", "applicant.id: %s", err.message);
			goto out;
		}
	} else {
		reply_problem(q, 422, "applicant.type", "applicant.type must be person or org, "
			      "not '%s'", type);
		goto out;
	}
	if (phone && !tn_case_phone_valid(phone)) {
		reply_problem(q, 422, "applicant.phone", "applicant.phone is not a phone number: "
			      "'%s'", phone);
		goto out;
	}
	if (req_role(q, "applicant") && q->tok.subject && strcmp(q->tok.subject, id) != 0) {
		reply_problem(q, 403, "applicant.id", "this token may file cases for '%s' only",
			      q->tok.subject);
		goto out;
	}
	a = jv_object_set(a, jv_string("type"), jv_string(type));
	a = jv_object_set(a, jv_string("id"), jv_string(id));
	a = jv_object_set(a, jv_string("name"), jv_string(name));
	a = jv_object_set(a, jv_string("phone"), phone ? jv_string(phone) : jv_null());
	*out = a;
	a = jv_invalid();
	rc = 0;
out:
	jv_free(a);
	jv_free(h1);
	jv_free(h2);
	jv_free(h3);
	jv_free(h4);
	jv_free(app);
	return rc;
}

static int idem_key_ok(const char *k)
{
	size_t n = strlen(k);

	if (n < 1 || n > 128)
		return 0;
	for (; *k; k++)
		if ((unsigned char)*k < 0x20 || (unsigned char)*k > 0x7e)
			return 0;
	return 1;
}

static jv new_event(struct req *q, const char *when, const char *action, const char *from,
		    const char *to, const char *comment, long version)
{
	jv e = jv_object();

	e = jv_object_set(e, jv_string("at"), jv_string(when));
	e = jv_object_set(e, jv_string("actor"), jv_string(q->tok.name));
	e = jv_object_set(e, jv_string("role"), jv_string(q->tok.role));
	e = jv_object_set(e, jv_string("action"), jv_string(action));
	e = jv_object_set(e, jv_string("from"), from ? jv_string(from) : jv_null());
	e = jv_object_set(e, jv_string("to"), jv_string(to));
	e = jv_object_set(e, jv_string("comment"), comment ? jv_string(comment) : jv_null());
	e = jv_object_set(e, jv_string("version"), jv_number((double)version));
	return e;
}

/* ---- cases on a "one thing" workflow ---- */

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
		if (err.code == TN_ENOTFOUND)
			reply_problem(q, 422, "workflow", "unknown workflow '%s'", code);
		else
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

/*
 * The materials the applicant gave for a workflow case (consumed): each
 * {code, ref?} must be a material the workflow asks for (from the applicant
 * or as an e-certificate), not one its own items produce.  0 and *out (an
 * array, owned), or -1 after replying.
 */
static int check_wf_materials(struct req *q, jv merged, jv given, jv *out)
{
	static const char *const mkeys[] = { "code", "ref", NULL };
	char field[300];
	int rc = 0;

	*out = jv_invalid();
	if (jv_get_kind(given) == JV_KIND_INVALID || jv_get_kind(given) == JV_KIND_NULL) {
		jv_free(given);
		given = jv_array();
	}
	if (jv_get_kind(given) != JV_KIND_ARRAY) {
		jv_free(given);
		reply_problem(q, 422, "materials", "materials must be an array");
		return -1;
	}
	jv_array_foreach(given, i, g) {
		jv h, r;
		const char *code;
		char *bad;

		if (rc == 0 && jv_get_kind(g) != JV_KIND_OBJECT) {
			snprintf(field, sizeof(field), "materials[%d]", i);
			reply_problem(q, 422, field, "material %d must be an object", i);
			rc = -1;
		} else if (rc == 0 && (bad = unknown_member(g, mkeys)) != NULL) {
			snprintf(field, sizeof(field), "materials[%d].%s", i, bad);
			reply_problem(q, 400, field, "unknown member '%s' in material %d", bad, i);
			free(bad);
			rc = -1;
		} else if (rc == 0) {
			code = member_str(g, "code", &h);
			r = jv_object_get(jv_copy(g), jv_string("ref"));
			snprintf(field, sizeof(field), "materials[%d].code", i);
			if (!code) {
				reply_problem(q, 422, field, "material %d has no code", i);
				rc = -1;
			} else if (jv_get_kind(r) != JV_KIND_INVALID && jv_get_kind(r) != JV_KIND_NULL &&
				   jv_get_kind(r) != JV_KIND_STRING) {
				snprintf(field, sizeof(field), "materials[%d].ref", i);
				reply_problem(q, 422, field, "material %d: ref must be a string", i);
				rc = -1;
			} else if (tn_case_workflow_asks(merged, code) == 0) {
				reply_problem(q, 422, field, "the workflow asks for no material '%s'", code);
				rc = -1;
			} else if (tn_case_workflow_asks(merged, code) == 2) {
				reply_problem(q, 422, field, "material '%s' is produced by an item of the "
					      "workflow: it is not asked for", code);
				rc = -1;
			}
			jv_free(r);
			jv_free(h);
		}
		jv_free(g);
	}
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
	jv d = jv_object_get(jv_copy(p), jv_string("days"));
	jv l = jv_object_get(jv_copy(p), jv_string("legal_days"));
	jv pr = jv_object_get(jv_copy(p), jv_string("deadline_provisional"));
	jv lp = jv_object_get(jv_copy(p), jv_string("legal_deadline_provisional"));

	c->deadline_from = from;
	c->deadline_days = tn_json_long(d, -1);
	c->legal_days = tn_json_long(l, -1);
	c->deadline_provisional = jv_get_kind(pr) == JV_KIND_TRUE || jv_get_kind(lp) == JV_KIND_TRUE;
	jv_free(lp);
	jv_free(d);
	jv_free(l);
	jv_free(pr);
}

/*
 * A new CASE document: `head` (consumed: item, department... of a parent or
 * a sub-case) and the members every case on a workflow shares.
 */
static jv wf_doc(struct req *q, jv head, const char *workflow, jv applicant, jv form, jv mats,
		 const char *now, jv deadline, jv legal, jv prov, jv lprov)
{
	jv doc = head;

	doc = jv_object_set(doc, jv_string("workflow"), jv_string(workflow));
	doc = jv_object_set(doc, jv_string("parent"), jv_null());
	doc = jv_object_set(doc, jv_string("applicant"), applicant);
	doc = jv_object_set(doc, jv_string("form"), form);
	doc = jv_object_set(doc, jv_string("materials"), mats);
	doc = jv_object_set(doc, jv_string("status"), jv_string("submitted"));
	doc = jv_object_set(doc, jv_string("version"), jv_number(1));
	doc = jv_object_set(doc, jv_string("submitted_at"), jv_string(now));
	doc = jv_object_set(doc, jv_string("updated_at"), jv_string(now));
	doc = jv_object_set(doc, jv_string("accepted_at"), jv_null());
	doc = jv_object_set(doc, jv_string("completed_at"), jv_null());
	doc = jv_object_set(doc, jv_string("deadline"), deadline);
	doc = jv_object_set(doc, jv_string("legal_deadline"), legal);
	doc = jv_object_set(doc, jv_string("deadline_provisional"),
			    jv_bool(jv_get_kind(prov) == JV_KIND_TRUE));
	doc = jv_object_set(doc, jv_string("legal_deadline_provisional"),
			    jv_bool(jv_get_kind(lprov) == JV_KIND_TRUE));
	jv_free(prov);
	jv_free(lprov);
	doc = jv_object_set(doc, jv_string("submitted_by"), jv_string(q->tok.name));
	return doc;
}

/*
 * The "form" member of `body` (borrowed): an object, {} when absent or null.
 * 0 and *form (owned), or -1 after replying 422.
 */
static int form_of(struct req *q, jv body, jv *form)
{
	jv f = jv_object_get(jv_copy(body), jv_string("form"));

	if (jv_get_kind(f) == JV_KIND_INVALID || jv_get_kind(f) == JV_KIND_NULL) {
		jv_free(f);
		f = jv_object();
	}
	if (jv_get_kind(f) != JV_KIND_OBJECT) {
		jv_free(f);
		reply_problem(q, 422, "form", "form must be an object");
		return -1;
	}
	*form = f;
	return 0;
}

/* The SHA-256 of the canonical JSON of `body` (borrowed), in hex: what an idempotency key stands for. */
static void body_hash(jv body, char hash[65])
{
	jv canon = jv_dump_string(jv_copy(body), JV_PRINT_SORTED);

	sha256_hex(jv_string_value(canon), (size_t)jv_string_length_bytes(jv_copy(canon)), hash);
	jv_free(canon);
}

/* Answer a filing with the case `doc` (consumed): 201 and its Location, or 200 for a replay. */
static void reply_filed(struct req *q, jv doc, int replayed)
{
	char loc[64];
	jv id = jv_object_get(jv_copy(doc), jv_string("id"));

	snprintf(loc, sizeof(loc), "/v1/cases/%s", jv_string_value(id));
	jv_free(id);
	req_set_header(q, "Location", loc);
	if (replayed)
		req_set_header(q, "Idempotent-Replayed", "true");
	reply_case(q, replayed ? 200 : 201, doc);
}

/*
 * POST /v1/cases with "workflow": one parent case and a sub-case per
 * department of the merged workflow, from one form and the materials left
 * after the merge.  Consumes body.
 */
static void create_workflow_case(struct req *q, jv body, const char *key)
{
	struct tn_err err = TN_ERR_INIT;
	struct store_case_new parent, *subs = NULL;
	jv hw, merged = jv_invalid(), applicant = jv_invalid(), form = jv_invalid();
	jv given = jv_invalid(), plan = jv_invalid(), list = jv_invalid(), *hold = NULL;
	jv pdoc, depts, out, hn, happ_id, happ_name, hdl;
	const char *code, *wname;
	char hash[65], now[40], from[16];
	int n = 0, replayed = 0;
	long today = srv_today();

	tn_date_format(today, from);
	code = member_str(body, "workflow", &hw);
	if (!code || !*code) {
		reply_problem(q, 422, "workflow", "workflow must be a workflow's code (a string)");
		goto done;
	}
	if (has_member(body, "item")) {
		reply_problem(q, 400, "item", "give an item or a workflow, not both");
		goto done;
	}
	if (workflow_merged(q, code, &merged) < 0)
		goto done;
	if (req_role(q, "clerk")) {
		jv ds = jv_object_get(jv_copy(merged), jv_string("departments"));
		int others = 0;

		jv_array_foreach(ds, i, d) {
			jv h;
			const char *c = member_str(d, "code", &h);

			if (!c || !q->tok.dept || strcmp(c, q->tok.dept) != 0)
				others = 1;
			jv_free(h);
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
	if (check_applicant(q, jv_object_get(jv_copy(body), jv_string("applicant")),
			    &applicant) < 0)
		goto done;
	if (form_of(q, body, &form) < 0)
		goto done;
	/* the one form: the merged workflow's fields, in the ITEM field shape */
	if (check_form(q, merged, form) < 0)
		goto done;
	/* the applicant's consent given with the case (certs_consent.c: a clerk's X-Consent-Code) */
	if (certs_case_consent(q, applicant) < 0)
		goto done;
	if (check_wf_materials(q, merged, jv_object_get(jv_copy(body), jv_string("materials")),
			       &given) < 0)
		goto done;
	if (tn_case_workflow_plan(merged, given, srv_cal(q->srv), today, &plan, &err) != TN_OK) {
		reply_problem(q, 422, "workflow", "workflow '%s': %s", code, err.message);
		goto done;
	}

	body_hash(body, hash);
	time_now_rfc3339(now, sizeof(now));
	wname = member_str(merged, "name", &hn);

	list = jv_object_get(jv_copy(plan), jv_string("subcases"));
	n = jv_array_length(jv_copy(list));
	subs = calloc((size_t)n, sizeof(*subs));
	hold = calloc((size_t)n * 4, sizeof(*hold));
	if (!subs || !hold) {
		reply_problem(q, 500, NULL, "out of memory");
		n = 0;
		goto done;
	}
	depts = jv_array();
	for (int i = 0; i < n; i++) {
		jv sp = jv_array_get(jv_copy(list), i), doc = jv_object(), names;

		for (int k = 0; k < 4; k++)
			hold[4 * i + k] = jv_invalid();
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
		subs[i].item = member_str(sp, "item", &hold[4 * i]);
		subs[i].department = member_str(sp, "department", &hold[4 * i + 1]);
		subs[i].deadline = member_str(sp, "deadline", &hold[4 * i + 2]);
		plan_basis(&subs[i], sp, from);
		if (!subs[i].item)
			subs[i].item = "";
		if (!subs[i].department)
			subs[i].department = "";
		subs[i].doc = doc;
		subs[i].event = new_event(q, now, "submit", NULL, "submitted", NULL, 1);
		subs[i].status = "submitted";
		subs[i].submitted_at = now;
		subs[i].submitted_by = q->tok.name;
		jv_free(sp);
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
	parent.event = new_event(q, now, "submit", NULL, "submitted", NULL, 1);
	parent.item = "";
	parent.department = "";
	parent.status = "submitted";
	parent.applicant_id = member_str(applicant, "id", &happ_id);
	parent.applicant_name = member_str(applicant, "name", &happ_name);
	parent.submitted_at = now;
	parent.deadline = member_str(pdoc, "deadline", &hdl);
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
		reply_filed(q, out, replayed);
	}
	jv_free(happ_id);
	jv_free(happ_name);
	jv_free(hdl);
	jv_free(hn);
done:
	for (int i = 0; i < 4 * n; i++)
		jv_free(hold[i]);
	free(hold);
	free(subs);
	jv_free(hw);
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
static jv parent_for_clerk(jv doc, const char *dept)
{
	jv kids = jv_object_get(jv_copy(doc), jv_string("children"));
	jv depts = jv_object_get(jv_copy(doc), jv_string("departments"));
	jv keep_k = jv_array(), keep_d = jv_array();

	if (jv_get_kind(kids) == JV_KIND_ARRAY && jv_get_kind(depts) == JV_KIND_ARRAY) {
		jv_array_foreach(depts, i, d) {
			jv h;
			const char *c = jv_get_kind(d) == JV_KIND_OBJECT ? member_str(d, "code", &h) : NULL;

			if (c && dept && strcmp(c, dept) == 0) {
				keep_k = jv_array_append(keep_k, jv_array_get(jv_copy(kids), i));
				keep_d = jv_array_append(keep_d, jv_copy(d));
			}
			if (jv_get_kind(d) == JV_KIND_OBJECT)
				jv_free(h);
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

/* POST /v1/cases: applicant, clerk of the item's department, admin. */
void h_cases_post(struct req *q, const char *arg)
{
	static const char *const keys[] = { "item", "workflow", "applicant", "form", "materials",
					    NULL };
	struct tn_err err = TN_ERR_INIT;
	struct store_case_new c;
	const char *key, *code, *dept;
	jv body, item = jv_invalid(), applicant = jv_invalid(), form, mats = jv_invalid();
	jv h1, h2, h3, h4, doc, deadline, legal, out;
	char hash[65], now[40], from[16], shape_field[96];
	int replayed = 0, prov = 0, lprov = 0;
	long today = srv_today(), ddays, ldays;
	struct tn_cal *cal;
	enum tn_code rc;

	if (req_body(q, &body) < 0)
		return;
	key = req_header(q, "Idempotency-Key");
	if (!key) {
		jv_free(body);
		reply_problem(q, 400, NULL, "the Idempotency-Key header is required");
		return;
	}
	if (!idem_key_ok(key)) {
		jv_free(body);
		reply_problem(q, 400, NULL, "Idempotency-Key must be 1 to 128 printable characters");
		return;
	}
	if (reply_unknown_member(q, body, keys, NULL) < 0) {
		jv_free(body);
		return;
	}
	/* the kind and size of every member, as the client checked them (casecheck.c) */
	if (tn_case_check_shape(body, shape_field, sizeof(shape_field), &err) != TN_OK) {
		reply_problem(q, 422, shape_field[0] ? shape_field : NULL, "%s", err.message);
		jv_free(body);
		return;
	}
	if (has_member(body, "workflow")) {
		create_workflow_case(q, body, key);
		return;
	}
	code = member_str(body, "item", &h1);
	if (!code) {
		reply_problem(q, 422, "item", "item is required (an item code)");
		goto done;
	}
	if (store_item_get(q->srv->st, code, &item, &err) != TN_OK) {
		if (err.code == TN_ENOTFOUND)
			reply_problem(q, 422, "item", "unknown item '%s'", code);
		else
			reply_error(q, &err);
		goto done;
	}
	dept = member_str(item, "department", &h2);
	if (req_role(q, "clerk") && (!dept || !q->tok.dept || strcmp(dept, q->tok.dept) != 0)) {
		reply_problem(q, 403, "item", "a clerk of '%s' may not file cases on item '%s'",
			      q->tok.dept ? q->tok.dept : "", code);
		goto done;
	}
	if (check_applicant(q, jv_object_get(jv_copy(body), jv_string("applicant")),
			    &applicant) < 0)
		goto done;
	if (form_of(q, body, &form) < 0)
		goto done;
	if (check_form(q, item, form) < 0) {
		jv_free(form);
		goto done;
	}
	/* zero-material: the certificates named for materials (certs.c, audited) */
	if (certs_check_materials(q, item, code, body, applicant) < 0) {
		jv_free(form);
		goto done;
	}
	if (build_materials(q, item, jv_object_get(jv_copy(body), jv_string("materials")),
			    &mats) < 0) {
		jv_free(form);
		goto done;
	}

	body_hash(body, hash);
	time_now_rfc3339(now, sizeof(now));
	cal = srv_cal(q->srv);
	deadline = deadline_after(cal, today, item, "promised_days", "legal_days", &ddays, &prov);
	legal = deadline_after(cal, today, item, "legal_days", NULL, &ldays, &lprov);
	tn_date_format(today, from);

	doc = jv_object();
	doc = jv_object_set(doc, jv_string("item"), jv_string(code));
	doc = jv_object_set(doc, jv_string("item_name"),
			    jv_object_get(jv_copy(item), jv_string("name")));
	doc = jv_object_set(doc, jv_string("department"), jv_string(dept ? dept : ""));
	doc = jv_object_set(doc, jv_string("workflow"), jv_null());
	doc = jv_object_set(doc, jv_string("parent"), jv_null());
	doc = jv_object_set(doc, jv_string("applicant"), jv_copy(applicant));
	doc = jv_object_set(doc, jv_string("form"), form);
	doc = jv_object_set(doc, jv_string("materials"), mats);
	mats = jv_invalid();
	doc = jv_object_set(doc, jv_string("status"), jv_string("submitted"));
	doc = jv_object_set(doc, jv_string("version"), jv_number(1));
	doc = jv_object_set(doc, jv_string("submitted_at"), jv_string(now));
	doc = jv_object_set(doc, jv_string("updated_at"), jv_string(now));
	doc = jv_object_set(doc, jv_string("accepted_at"), jv_null());
	doc = jv_object_set(doc, jv_string("completed_at"), jv_null());
	doc = jv_object_set(doc, jv_string("deadline"), jv_copy(deadline));
	doc = jv_object_set(doc, jv_string("legal_deadline"), legal);
	doc = jv_object_set(doc, jv_string("deadline_provisional"), jv_bool(prov));
	doc = jv_object_set(doc, jv_string("legal_deadline_provisional"), jv_bool(lprov));
	doc = jv_object_set(doc, jv_string("submitted_by"), jv_string(q->tok.name));

	memset(&c, 0, sizeof(c));
	c.deadline_from = ddays >= 0 || ldays >= 0 ? from : NULL;
	c.deadline_days = ddays;
	c.legal_days = ldays;
	c.deadline_provisional = prov || lprov;
	c.doc = doc;
	c.event = new_event(q, now, "submit", NULL, "submitted", NULL, 1);
	c.item = code;
	c.department = dept ? dept : "";
	c.status = "submitted";
	c.applicant_id = member_str(applicant, "id", &h3);
	c.applicant_name = member_str(applicant, "name", &h4);
	c.submitted_at = now;
	c.deadline = jv_get_kind(deadline) == JV_KIND_STRING ? jv_string_value(deadline) : NULL;
	c.submitted_by = q->tok.name;
	c.token_id = q->tok.id;
	c.idem_key = key;
	c.idem_hash = hash;
	rc = store_case_create(q->srv->st, &c, &out, &replayed, &err);
	jv_free(h3);
	jv_free(h4);
	jv_free(deadline);
	if (rc != TN_OK) {
		reply_error(q, &err);
		goto done;
	}
	reply_filed(q, out, replayed);
done:
	if (jv_is_valid(item))
		jv_free(h2);
	jv_free(h1);
	jv_free(item);
	jv_free(applicant);
	jv_free(mats);
	jv_free(body);
}

static int date_param(struct req *q, const char *name, const char **out)
{
	long d;

	*out = req_query(q, name);
	if (*out && tn_date_parse(*out, &d) != 0) {
		reply_problem(q, 400, name, "%s must be a date (YYYY-MM-DD), not '%s'", name, *out);
		return -1;
	}
	return 0;
}

/* GET /v1/cases: clerk (own department), applicant (own cases), admin. */
void h_cases_list(struct req *q, const char *arg)
{
	static const char *const params[] = {
		"status", "item", "department", "applicant", "overdue", "since", "until", "q",
		"order", "limit", "cursor", "parent", "workflow", NULL
	};
	struct store_case_filter f;
	struct tn_err err = TN_ERR_INIT;
	char today[16];
	const char *v;
	char *next = NULL;
	jv items;
	int known = 0;

	if (req_query_check(q, params) < 0)
		return;
	memset(&f, 0, sizeof(f));
	f.overdue = -1;
	f.scope_token_id = -1;
	f.limit = 100;
	f.status = req_query(q, "status");
	if (f.status) {
		for (const char *const *s = statuses; *s; s++)
			if (strcmp(*s, f.status) == 0)
				known = 1;
		if (!known) {
			reply_problem(q, 400, "status", "unknown status '%s'", f.status);
			return;
		}
	}
	f.item = req_query(q, "item");
	f.department = req_query(q, "department");
	f.applicant = req_query(q, "applicant");
	f.parent = req_query(q, "parent");
	f.workflow = req_query(q, "workflow");
	f.q = req_query(q, "q");
	if ((v = req_query(q, "overdue")) != NULL) {
		if (strcmp(v, "true") == 0)
			f.overdue = 1;
		else if (strcmp(v, "false") == 0)
			f.overdue = 0;
		else {
			reply_problem(q, 400, "overdue", "overdue must be true or false, not '%s'", v);
			return;
		}
	}
	if (date_param(q, "since", &f.since) < 0 || date_param(q, "until", &f.until) < 0)
		return;
	if ((v = req_query(q, "order")) != NULL) {
		if (strcmp(v, "deadline") == 0)
			f.order_deadline = 1;
		else if (strcmp(v, "id") != 0) {
			reply_problem(q, 400, "order", "order must be id or deadline, not '%s'", v);
			return;
		}
	}
	if ((v = req_query(q, "limit")) != NULL &&
	    (tn_parse_long(v, &f.limit) != 0 || f.limit < 1 || f.limit > 1000)) {
		reply_problem(q, 400, "limit", "limit must be a number from 1 to 1000, not '%s'", v);
		return;
	}
	f.cursor = req_query(q, "cursor");
	today_str(today);
	f.today = today;
	if (req_role(q, "clerk")) {
		f.scope_department = q->tok.dept ? q->tok.dept : "";
	} else if (req_role(q, "applicant")) {
		f.scope_token_id = q->tok.id;
		f.scope_subject = q->tok.subject;
	}
	if (store_case_list(q->srv->st, &f, &items, &next, &err) != TN_OK) {
		jv_free(items);
		if (err.code == TN_EINVALID)
			reply_problem(q, 400, "cursor", "%s", err.message);
		else
			reply_error(q, &err);
		return;
	}
	{
		jv out = jv_array();

		jv_array_foreach(items, i, c)
			out = jv_array_append(out, case_out(c, today));
		jv_free(items);
		reply_list(q, out, next);
	}
	free(next);
}


/*
 * The case `id` if the caller may see it: *doc (owned) and 0; otherwise -1
 * after replying (404 also when it exists but is not the caller's: never
 * reveal it).
 */
static int load_case(struct req *q, const char *id, jv *doc)
{
	struct tn_err err = TN_ERR_INIT;
	long token_id = -1;

	if (store_case_get(q->srv->st, id, doc, &token_id, &err) != TN_OK) {
		if (err.code == TN_ENOTFOUND)
			reply_problem(q, 404, NULL, "no case '%s'", id);
		else
			reply_error(q, &err);
		return -1;
	}
	if (!case_visible(q, *doc, token_id)) {
		jv_free(*doc);
		*doc = jv_invalid();
		reply_problem(q, 404, NULL, "no case '%s'", id);
		return -1;
	}
	return 0;
}

/* GET /v1/cases/{id} */
void h_case(struct req *q, const char *id)
{
	jv doc;

	if (load_case(q, id, &doc) < 0)
		return;
	if (req_role(q, "clerk") && has_member(doc, "children"))
		doc = parent_for_clerk(doc, q->tok.dept);
	reply_case(q, 200, doc);
}

/* GET /v1/cases/{id}/events */
void h_case_events(struct req *q, const char *id)
{
	struct tn_err err = TN_ERR_INIT;
	jv doc, events;

	if (load_case(q, id, &doc) < 0)
		return;
	jv_free(doc);
	if (store_case_events(q->srv->st, id, &events, &err) != TN_OK) {
		jv_free(events);
		reply_error(q, &err);
		return;
	}
	reply_list(q, events, NULL);
}

/* If-Match: "3", 3 or W/"3".  -1 when malformed. */
static long parse_if_match(const char *h)
{
	char buf[32];
	size_t n;
	long v;

	while (*h == ' ')
		h++;
	if (strncmp(h, "W/", 2) == 0)
		h += 2;
	n = strlen(h);
	while (n && h[n - 1] == ' ')
		n--;
	if (n >= 2 && h[0] == '"' && h[n - 1] == '"') {
		h++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, h, n);
	buf[n] = '\0';
	if (tn_parse_long(buf, &v) != 0 || v < 1)
		return -1;
	return v;
}

/* POST /v1/cases/{id}/actions: clerk of the case's department, admin; resubmit also applicant. */
void h_case_actions(struct req *q, const char *id)
{
	static const char *const keys[] = { "action", "comment", NULL };
	const struct transition *t = NULL;
	struct tn_err err = TN_ERR_INIT;
	const char *h, *action, *comment = NULL, *status;
	jv doc, body = jv_invalid(), ha = jv_invalid(), hc = jv_invalid(), hs = jv_invalid(), cv;
	char now[40];
	long want, version;

	if (load_case(q, id, &doc) < 0)
		return;
	if (has_member(doc, "children")) {
		reply_problem(q, 409, NULL, "case %s is the parent of a workflow case: it moves with "
			      "its sub-cases and completes when every one of them does", id);
		goto done;
	}
	h = req_header(q, "If-Match");
	if (!h) {
		reply_problem(q, 428, NULL, "If-Match with the case's version is required");
		goto done;
	}
	if ((want = parse_if_match(h)) < 0) {
		reply_problem(q, 400, NULL, "If-Match must be a case version, not '%s'", h);
		goto done;
	}
	if (req_body(q, &body) < 0)
		goto done;
	if (reply_unknown_member(q, body, keys, NULL) < 0)
		goto done;
	action = member_str(body, "action", &ha);
	if (!action) {
		reply_problem(q, 422, "action", "action is required");
		goto done;
	}
	for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
		if (strcmp(transitions[i].action, action) == 0)
			t = &transitions[i];
	if (!t) {
		reply_problem(q, 422, "action", "unknown action '%s'", action);
		goto done;
	}
	cv = jv_object_get(jv_copy(body), jv_string("comment"));
	if (jv_get_kind(cv) != JV_KIND_INVALID && jv_get_kind(cv) != JV_KIND_NULL &&
	    jv_get_kind(cv) != JV_KIND_STRING) {
		jv_free(cv);
		reply_problem(q, 422, "comment", "comment must be a string");
		goto done;
	}
	jv_free(cv);
	comment = member_str(body, "comment", &hc);
	if (tn_case_check_comment(comment, &err) != TN_OK) {
		reply_problem(q, 422, "comment", "%s", err.message);
		goto done;
	}
	if (comment && !*comment)
		comment = NULL;
	if (req_role(q, "applicant") && strcmp(action, "resubmit") != 0) {
		reply_problem(q, 403, "action", "an applicant may only resubmit a case");
		goto done;
	}
	cv = jv_object_get(jv_copy(doc), jv_string("version"));
	version = tn_json_long(cv, 0);
	jv_free(cv);
	if (version != want) {
		reply_problem(q, 409, NULL, "case %s is at version %ld, not %ld", id, version, want);
		goto done;
	}
	status = member_str(doc, "status", &hs);
	if (!status || !word_in(t->from, status)) {
		reply_problem(q, 409, NULL, "cannot %s a case that is %s", action,
			      status ? status : "of no status");
		goto done;
	}
	if (t->need_comment && !comment) {
		reply_problem(q, 422, "comment", "a comment is required to %s a case", action);
		goto done;
	}
	time_now_rfc3339(now, sizeof(now));
	{
		jv event = new_event(q, now, action, status, t->to, comment, version + 1);
		jv next = jv_copy(doc);
		long current = -1;

		next = jv_object_set(next, jv_string("status"), jv_string(t->to));
		next = jv_object_set(next, jv_string("version"), jv_number((double)(version + 1)));
		next = jv_object_set(next, jv_string("updated_at"), jv_string(now));
		if (strcmp(t->to, "accepted") == 0)
			next = jv_object_set(next, jv_string("accepted_at"), jv_string(now));
		if (strcmp(t->to, "completed") == 0)
			next = jv_object_set(next, jv_string("completed_at"), jv_string(now));
		if (store_case_act(q->srv->st, id, version, t->to, jv_copy(next), event, &current,
				   &err) != TN_OK) {
			jv_free(next);
			reply_error(q, &err);
			goto done;
		}
		reply_case(q, 200, next);
	}
done:
	jv_free(ha);
	jv_free(hc);
	jv_free(hs);
	jv_free(body);
	jv_free(doc);
}
