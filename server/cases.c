/* cases.c — twonetd files a case (POST /v1/cases): the applicant, the form, the materials, the deadlines; the CASE as sent out. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_today.h"
#include "tn_buf.h"
#include "tn_json.h"
#include "tn_cal.h"
#include "tn_case.h"
#include "tn_merge.h"
#include "tn_http.h"
#include "twonetd.h"
#include "certs.h"
#include "jvutil.h"
#include "cases_int.h"

/* Whether the CASE `doc` (borrowed) is overdue on `today`. */
static int overdue_on(jv doc, const char *today)
{
	const char *deadline = tn_jv_str(doc, "deadline"), *status = tn_jv_str(doc, "status");

	return deadline && status && tn_case_state_open(tn_case_state_parse(status)) &&
	       strcmp(today, deadline) > 0;
}

/* The CASE as sent out: with "overdue" computed against today.  Consumes doc. */
jv cases_out(jv doc, const char *today)
{
	int overdue = overdue_on(doc, today);

	return tn_jv_set(doc, "overdue", jv_bool(overdue));
}

/* Send a CASE with its ETag. */
void cases_reply(struct req *q, int status, jv doc)
{
	char today[16], etag[32];
	long version = tn_jv_long(doc, "version", -1);

	if (version >= 0) {
		snprintf(etag, sizeof(etag), "\"%ld\"", version);
		req_set_header(q, "ETag", etag);
	}
	tn_today_str(today, sizeof(today));
	reply_json(q, status, cases_out(doc, today));
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
		if (tn_jv_is(g, "code", code)) {
			found = 1;
			jv_free(*ref);
			*ref = tn_jv_str_or_null(g, "ref");
		}
		jv_free(g);
	}
	return found;
}

/* The certificate id given for material `code` in `given` (borrowed), or jv_null(). */
static jv given_cert(jv given, const char *code)
{
	jv cert = jv_null();

	jv_array_foreach(given, i, g) {
		if (tn_jv_is(g, "code", code)) {
			jv_free(cert);
			cert = tn_jv_str_or_null(g, "cert");
		}
		jv_free(g);
	}
	return cert;
}

const char *cases_material_code(struct req *q, int i, jv g, const char *const *allowed)
{
	char field[300], *bad;
	const char *code;
	jv r;
	int ref_ok;

	if (jv_get_kind(g) != JV_KIND_OBJECT) {
		snprintf(field, sizeof(field), "materials[%d]", i);
		reply_problem(q, 422, field, "material %d must be an object", i);
		return NULL;
	}
	if ((bad = tn_jv_unknown_member(g, allowed)) != NULL) {
		snprintf(field, sizeof(field), "materials[%d].%s", i, bad);
		reply_problem(q, 400, field, "unknown member '%s' in material %d", bad, i);
		free(bad);
		return NULL;
	}
	if (!(code = tn_jv_str(g, "code"))) {
		snprintf(field, sizeof(field), "materials[%d].code", i);
		reply_problem(q, 422, field, "material %d has no code", i);
		return NULL;
	}
	r = tn_jv_get(g, "ref");
	ref_ok = jv_get_kind(r) == JV_KIND_NULL || jv_get_kind(r) == JV_KIND_STRING;
	jv_free(r);
	if (!ref_ok) {
		snprintf(field, sizeof(field), "materials[%d].ref", i);
		reply_problem(q, 422, field, "material %d: ref must be a string", i);
		return NULL;
	}
	return code;
}

int cases_check_given(struct req *q, jv *given, const char *const *allowed,
		      int (*check)(struct req *q, int i, const char *code, void *ctx), void *ctx)
{
	int rc = 0;

	if (jv_get_kind(*given) == JV_KIND_NULL) {      /* absent or null */
		jv_free(*given);
		*given = jv_array();
	}
	if (jv_get_kind(*given) != JV_KIND_ARRAY) {
		reply_problem(q, 422, "materials", "materials must be an array");
		return -1;
	}
	jv_array_foreach(*given, i, g) {
		const char *code;

		if (rc == 0 && (!(code = cases_material_code(q, i, g, allowed)) ||
				check(q, i, code, ctx) < 0))
			rc = -1;
		jv_free(g);
	}
	return rc;
}

/* cases_check_given's check of a case of one item: the item (ctx, a jv *) asks for `code`. */
static int item_asks(struct req *q, int i, const char *code, void *ctx)
{
	char field[64];

	if (tn_jv_array_find(*(jv *)ctx, "code", code) >= 0)
		return 0;
	snprintf(field, sizeof(field), "materials[%d].code", i);
	reply_problem(q, 422, field, "the item asks for no material '%s'", code);
	return -1;
}

/*
 * The case's materials from the item's list and what the request supplied:
 * supplied (given, with an optional reference), exempted (a checked
 * e-certificate named: its id recorded, never asked for), missing.  0, or -1
 * after replying.
 */
static int build_materials(struct req *q, jv item, jv given, jv *out)
{
	static const char *const mkeys[] = { "code", "ref", "cert", NULL };
	jv list = tn_jv_array(item, "materials");
	int rc;

	*out = jv_array();
	if ((rc = cases_check_given(q, &given, mkeys, item_asks, &list)) < 0)
		goto out;
	jv_array_foreach(list, k, m) {
		jv mat = jv_object(), state = jv_string("missing"), ref = jv_null();
		const char *mc = tn_jv_str(m, "code");
		/*
		 * honest zero-material: only a certificate the request names (checked
		 * valid, unrevoked and the applicant's by certs_check_materials) exempts
		 * a material; that one *could* stand for it is not enough.  (The catalog
		 * names no other source a department fetches by itself: none exempts.)
		 */

		if (mc) {
			jv_free(ref);
			if (supplied(given, mc, &ref)) {
				jv_free(state);
				state = jv_string("supplied");
			}
		}
		/* zero-material: a certificate (checked by certs_check_materials) stands for it */
		jv cert = mc ? given_cert(given, mc) : jv_null();
		if (jv_get_kind(cert) == JV_KIND_STRING) {
			jv_free(state);
			state = jv_string("exempted");
		}
		mat = tn_jv_set(mat, "code", mc ? jv_string(mc) : jv_null());
		mat = tn_jv_set(mat, "name", tn_jv_str_or_null(m, "name"));
		mat = tn_jv_set(mat, "state", state);
		mat = tn_jv_set(mat, "ref", ref);
		mat = tn_jv_set(mat, "cert", cert);
		*out = jv_array_append(*out, mat);
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

/* The faults of a filing, every one: its problem+json "errors" and the first one's field and message. */
struct faults {
	jv list;                /* {field, label, detail} */
	struct tn_err first;    /* field, message, http_status of the first */
	int n;
};

static void fault(struct faults *fx, const char *field, const char *detail, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* One fault of the applicant: `detail` for "errors", the printf message when it is the first. */
static void fault(struct faults *fx, const char *field, const char *detail, const char *fmt, ...)
{
	jv p = jv_object_set(jv_object(), jv_string("field"), jv_string(field));
	va_list ap;

	if (fx->n++ == 0) {
		va_start(ap, fmt);
		tn_err_setv(&fx->first, TN_EINVALID, fmt, ap);
		va_end(ap);
		snprintf(fx->first.field, sizeof(fx->first.field), "%s", field);
	}
	p = tn_jv_set(p, "label", jv_null());
	p = tn_jv_set(p, "detail", jv_string(detail));
	fx->list = jv_array_append(fx->list, p);
}

/*
 * Reply `status` with a problem of every fault: "field" and "detail" the
 * first one's (as a reply of one fault would say), "errors" every one's
 * {field, label, detail} (consumed).
 */
static void reply_faults(struct req *q, int status, const char *field, const char *detail,
			 jv errors)
{
	jv p = jv_object();

	p = tn_jv_set(p, "type", jv_string(status == 400 ? "/problems/bad-request"
					   : "/problems/unprocessable"));
	p = tn_jv_set(p, "title", jv_string(status == 400 ? "Bad Request"
					    : "Unprocessable Content"));
	p = tn_jv_set(p, "status", jv_number(status));
	p = tn_jv_set(p, "detail", jv_string(detail));
	if (field && *field)
		p = tn_jv_set(p, "field", jv_string(field));
	p = tn_jv_set(p, "errors", errors);
	reply_json_as(q, status, "application/problem+json", p);
}

/*
 * The applicant (`app` consumed): checked, with its type settled.  0 and
 * *out (owned); 1 with every fault added to `fx` (nothing replied); -1
 * after replying (an unknown member, or a token that files for another).
 */
static int check_applicant(struct req *q, jv app, jv *out, struct faults *fx)
{
	static const char *const akeys[] = { "type", "id", "name", "phone", NULL };
	struct tn_err err = TN_ERR_INIT;
	jv a = jv_object();
	const char *type, *id, *name, *phone;
	int rc = 1, n = fx->n;

	*out = jv_invalid();
	if (jv_get_kind(app) != JV_KIND_OBJECT) {
		fault(fx, "applicant", "required (an object)", "applicant is required (an object)");
		jv_free(app);
		jv_free(a);
		return 1;
	}
	if (reply_unknown_member(q, app, akeys, "applicant") < 0) {
		jv_free(app);
		jv_free(a);
		return -1;
	}
	type = tn_jv_str(app, "type");
	id = tn_jv_str(app, "id");
	name = tn_jv_str(app, "name");
	phone = tn_jv_str(app, "phone");
	if (!id || !*id)
		fault(fx, "applicant.id", "required", "applicant.id is required");
	if (!name || !*name)
		fault(fx, "applicant.name", "required", "applicant.name is required");
	if (!type && tn_jv_has(app, "type") && !tn_jv_is(app, "type", NULL)) {
		fault(fx, "applicant.type", "must be person or org",
		      "applicant.type must be person or org");
	} else {
		if (!type && id && *id)
			type = tn_party_type_of(id);
		if (type && strcmp(type, "person") != 0 && strcmp(type, "org") != 0) {
			char d[120];

			snprintf(d, sizeof(d), "must be person or org, not '%.64s'", type);
			fault(fx, "applicant.type", d, "applicant.type must be person or org, not '%s'",
			      type);
		} else if (type && id && *id &&
			   tn_party_check_id("applicant", type, id, NULL, 0, &err) != TN_OK) {
			fault(fx, err.field, err.message, "%s: %s", err.field, err.message);
		}
	}
	if (phone && !tn_case_phone_valid(phone)) {
		char d[120];

		snprintf(d, sizeof(d), "not a phone number: '%.40s'", phone);
		fault(fx, "applicant.phone", d, "applicant.phone is not a phone number: '%s'", phone);
	}
	if (fx->n > n)
		goto out;
	if (req_role(q, "applicant") && q->tok.subject && strcmp(q->tok.subject, id) != 0) {
		reply_problem(q, 403, "applicant.id", "this token may file cases for '%s' only",
			      q->tok.subject);
		rc = -1;
		goto out;
	}
	a = tn_jv_set(a, "type", jv_string(type));
	a = tn_jv_set(a, "id", jv_string(id));
	a = tn_jv_set(a, "name", jv_string(name));
	a = tn_jv_set(a, "phone", phone ? jv_string(phone) : jv_null());
	*out = a;
	a = jv_invalid();
	rc = 0;
out:
	jv_free(a);
	jv_free(app);
	return rc;
}

jv cases_event(struct req *q, const char *when, const char *action, const char *from,
		    const char *to, const char *comment, long version)
{
	jv e = jv_object();

	e = tn_jv_set(e, "at", jv_string(when));
	e = tn_jv_set(e, "actor", jv_string(q->tok.name));
	e = tn_jv_set(e, "role", jv_string(q->tok.role));
	e = tn_jv_set(e, "action", jv_string(action));
	e = tn_jv_set(e, "from", from ? jv_string(from) : jv_null());
	e = tn_jv_set(e, "to", jv_string(to));
	e = tn_jv_set(e, "comment", comment ? jv_string(comment) : jv_null());
	e = tn_jv_set(e, "version", jv_number((double)version));
	return e;
}

/*
 * The "form" member of `body` (borrowed): an object, {} when absent or null.
 * 0 and *form (owned), or -1 after replying 422.
 */
static int form_of(struct req *q, jv body, jv *form)
{
	jv f = tn_jv_get(body, "form");

	if (jv_get_kind(f) == JV_KIND_NULL) {
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

int cases_check_filing(struct req *q, jv body, jv fields, jv *applicant, jv *form)
{
	struct faults fx = { jv_array(), TN_ERR_INIT, 0 };
	struct tn_err err = TN_ERR_INIT;
	jv list;
	int status = 422;

	*form = jv_invalid();
	if (check_applicant(q, tn_jv_get(body, "applicant"), applicant, &fx) < 0 ||
	    form_of(q, body, form) < 0) {
		jv_free(fx.list);
		jv_free(*applicant);
		*applicant = jv_invalid();
		return -1;
	}
	/* the form against the fields, every fault with its label (tn_case_check_form_all) */
	if (tn_case_check_form_all(fields, *form, &list, &err) != TN_OK) {
		if (fx.n == 0) {
			fx.first = err;
			if (err.http_status)
				status = (int)err.http_status;
		}
		jv_array_foreach(list, i, p) {
			fx.list = jv_array_append(fx.list, p);
			fx.n++;
		}
	}
	jv_free(list);
	if (fx.n == 0) {
		jv_free(fx.list);
		return 0;
	}
	reply_faults(q, status, fx.first.field, fx.first.message, fx.list);
	jv_free(*applicant);
	*applicant = jv_invalid();
	jv_free(*form);
	*form = jv_invalid();
	return -1;
}

jv cases_new_doc(struct req *q, jv head, jv workflow, jv applicant, jv form, jv mats,
		 const char *now, jv deadline, jv legal, int prov, int lprov)
{
	jv doc = head;

	doc = tn_jv_set(doc, "workflow", workflow);
	doc = tn_jv_set(doc, "parent", jv_null());
	doc = tn_jv_set(doc, "applicant", applicant);
	doc = tn_jv_set(doc, "form", form);
	doc = tn_jv_set(doc, "materials", mats);
	doc = tn_jv_set(doc, "status", jv_string("submitted"));
	doc = tn_jv_set(doc, "version", jv_number(1));
	doc = tn_jv_set(doc, "submitted_at", jv_string(now));
	doc = tn_jv_set(doc, "updated_at", jv_string(now));
	doc = tn_jv_set(doc, "accepted_at", jv_null());
	doc = tn_jv_set(doc, "completed_at", jv_null());
	doc = tn_jv_set(doc, "deadline", deadline);
	doc = tn_jv_set(doc, "legal_deadline", legal);
	doc = tn_jv_set(doc, "deadline_provisional", jv_bool(prov));
	doc = tn_jv_set(doc, "legal_deadline_provisional", jv_bool(lprov));
	doc = tn_jv_set(doc, "submitted_by", jv_string(q->tok.name));
	return doc;
}

/* The SHA-256 of the canonical JSON of `body` (borrowed), in hex: what an idempotency key stands for. */
void cases_body_hash(jv body, char hash[65])
{
	static struct tn_buf canon = TN_BUF_INIT;       /* a worker's, kept */

	tn_buf_reset(&canon);
	tn_json_dump_sorted(body, &canon);     /* jv_dump_string(body, JV_PRINT_SORTED)'s bytes */
	tn_sha256_hex(canon.buf, canon.len, hash);
}

/* Answer a filing with the case `doc` (consumed): 201 and its Location, or 200 for a replay. */
void cases_reply_filed(struct req *q, jv doc, int replayed)
{
	char loc[64];
	const char *id = tn_jv_str(doc, "id");

	snprintf(loc, sizeof(loc), "/v1/cases/%s", id ? id : "");
	req_set_header(q, "Location", loc);
	if (replayed)
		req_set_header(q, "Idempotent-Replayed", "true");
	cases_reply(q, replayed ? 200 : 201, doc);
}

void cases_reply_new(struct req *q, jv doc, const char *t, size_t len)
{
	static struct tn_buf b = TN_BUF_INIT;   /* a worker's, kept: no growth a reply */
	const char *id = tn_jv_str(doc, "id");
	char today[16], loc[64], etag[32];
	long version = tn_jv_long(doc, "version", -1);

	if (!id || version < 0 || len < 3 || t[0] != '{' || t[len - 1] != '}') {
		cases_reply_filed(q, doc, 0);
		return;
	}
	/* as cases_reply_filed's dump of doc: "id" first, the stored members, "overdue" last */
	tn_today_str(today, sizeof(today));
	tn_buf_reset(&b);
	tn_buf_adds(&b, "{\"id\":\"");
	tn_buf_adds(&b, id);
	tn_buf_add(&b, "\",", 2);
	tn_buf_add(&b, t + 1, len - 2);
	tn_buf_adds(&b, overdue_on(doc, today) ? ",\"overdue\":true}" : ",\"overdue\":false}");
	snprintf(loc, sizeof(loc), "/v1/cases/%s", id);
	req_set_header(q, "Location", loc);
	snprintf(etag, sizeof(etag), "\"%ld\"", version);
	req_set_header(q, "ETag", etag);
	reply_text(q, 201, "application/json", b.buf, b.len);
	jv_free(doc);
}

/* POST /v1/cases: applicant, clerk of the item's department, admin; a batch (cases_bulk.c) too. */
void h_cases_post(struct req *q, const char *arg)
{
	const char *key;
	jv body;

	(void)arg;
	if (req_body(q, &body) < 0)
		return;
	if (tn_jv_has(body, "cases")) {
		cases_post_batch(q, body);
		return;
	}
	key = req_header(q, "Idempotency-Key");
	if (!key) {
		jv_free(body);
		reply_problem(q, 400, NULL, "the Idempotency-Key header is required");
		return;
	}
	if (tn_idem_key_check(key, NULL) != TN_OK) {
		jv_free(body);
		reply_problem(q, 400, NULL, "Idempotency-Key must be 1 to 128 printable characters");
		return;
	}
	cases_file(q, body, key);
}

void cases_file(struct req *q, jv body, const char *key)
{
	static const char *const keys[] = { "item", "workflow", "applicant", "form", "materials",
					    NULL };
	struct tn_err err = TN_ERR_INIT;
	struct store_case_new c;
	const char *code, *dept;
	jv item = jv_invalid(), applicant = jv_invalid(), form, mats = jv_invalid();
	jv doc, deadline, legal, shape;
	char hash[65], now[40], from[16];
	int prov = 0, lprov = 0;
	long today = tn_today(), ddays, ldays;
	struct tn_cal *cal;

	if (reply_unknown_member(q, body, keys, NULL) < 0) {
		jv_free(body);
		return;
	}
	/* the kind and size of every member, as the client checked them (casecheck.c) */
	if (tn_case_check_shape_all(body, &shape, &err) != TN_OK) {
		if (jv_array_length(jv_copy(shape)) > 0)
			reply_faults(q, 422, err.field, err.message, shape);
		else {
			jv_free(shape);
			reply_problem(q, 422, NULL, "%s", err.message);
		}
		jv_free(body);
		return;
	}
	jv_free(shape);
	if (tn_jv_has(body, "workflow")) {
		cases_file_workflow(q, body, key);
		return;
	}
	code = tn_jv_str(body, "item");
	if (!code) {
		reply_problem(q, 422, "item", "item is required (an item code)");
		goto done;
	}
	if (store_item_get(q->srv->st, code, &item, &err) != TN_OK) {
		if (err.code == TN_ENOTFOUND) {
			char hint[200];

			cases_code_hint(q, "item", code, hint, sizeof(hint));
			reply_problem(q, 422, "item", "unknown item '%s'%s", code, hint);
		} else
			reply_error(q, &err);
		goto done;
	}
	dept = tn_jv_str(item, "department");
	if (req_role(q, "clerk") && (!dept || !q->tok.dept || strcmp(dept, q->tok.dept) != 0)) {
		reply_problem(q, 403, "item", "a clerk of '%s' may not file cases on item '%s'",
			      q->tok.dept ? q->tok.dept : "", code);
		goto done;
	}
	if (cases_check_filing(q, body, item, &applicant, &form) < 0)
		goto done;
	/* zero-material: the certificates named for materials (certs_material.c, audited) */
	if (certs_check_materials(q, item, code, body, applicant) < 0) {
		jv_free(form);
		goto done;
	}
	if (build_materials(q, item, tn_jv_get(body, "materials"), &mats) < 0) {
		jv_free(form);
		goto done;
	}

	cases_body_hash(body, hash);
	time_now_rfc3339(now, sizeof(now));
	cal = srv_cal(q->srv);
	deadline = deadline_after(cal, today, item, "promised_days", "legal_days", &ddays, &prov);
	legal = deadline_after(cal, today, item, "legal_days", NULL, &ldays, &lprov);
	tn_date_format(today, from);

	doc = jv_object();
	doc = tn_jv_set(doc, "item", jv_string(code));
	doc = tn_jv_set(doc, "item_name", tn_jv_get(item, "name"));
	doc = tn_jv_set(doc, "department", jv_string(dept ? dept : ""));
	doc = cases_new_doc(q, doc, jv_null(), jv_copy(applicant), form, mats, now,
			    jv_copy(deadline), legal, prov, lprov);
	mats = jv_invalid();

	memset(&c, 0, sizeof(c));
	c.deadline_from = ddays >= 0 || ldays >= 0 ? from : NULL;
	c.deadline_days = ddays;
	c.legal_days = ldays;
	c.deadline_provisional = prov || lprov;
	c.doc = doc;
	c.event = cases_event(q, now, "submit", NULL, "submitted", NULL, 1);
	c.item = code;
	c.department = dept ? dept : "";
	c.status = "submitted";
	c.applicant_id = tn_jv_str(applicant, "id");
	c.applicant_name = tn_jv_str(applicant, "name");
	c.submitted_at = now;
	c.deadline = jv_get_kind(deadline) == JV_KIND_STRING ? jv_string_value(deadline) : NULL;
	c.submitted_by = q->tok.name;
	c.token_id = q->tok.id;
	c.idem_key = key;
	c.idem_hash = hash;
	/* filed with the others of this loop turn, answered after their commit */
	cases_file_batched(q, &c, body, item, applicant, deadline);
	return;
done:
	jv_free(item);
	jv_free(applicant);
	jv_free(mats);
	jv_free(body);
}
