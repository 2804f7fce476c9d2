/* certs_read.c — e-certificates: the audited reads (GET /v1/certs ...), the issuers, the audit log, the kinds file. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>


#include "tn_buf.h"
#include "tn_cert.h"
#include "tn_id.h"
#include "certs.h"
#include "store_certs.h"
#include "twonetd.h"
#include "conns.h"
#include "jvutil.h"

#define PURPOSE_MAX 200

/* ---- the kinds, once per worker ---- */

static jv kinds_doc;
static int kinds_loaded;

jv certs_kinds(void)
{
	struct tn_err err = TN_ERR_INIT;

	if (!kinds_loaded) {
		kinds_loaded = 1;
		if (tn_cert_kinds_load(NULL, &kinds_doc, &err) != TN_OK) {
			fprintf(stderr, "twonetd: error: %s\n", err.message);
			kinds_doc = jv_invalid();
		}
	}
	return kinds_doc;
}

int certs_kind_code(const char *code_or_alias, char out[22])
{
	jv k = tn_cert_kind_find(certs_kinds(), code_or_alias);
	const char *c = tn_jv_str(k, "code");
	int rc = -1;

	if (c && strlen(c) == 21) {
		memcpy(out, c, 22);
		rc = 0;
	}
	jv_free(k);
	return rc;
}

jv certs_department(const char *dept)
{
	jv kd = certs_kinds();
	jv ds = jv_is_valid(kd) ? jv_object_get(jv_copy(kd), jv_string("departments")) : jv_invalid();
	jv d = jv_get_kind(ds) == JV_KIND_OBJECT ? jv_object_get(jv_copy(ds), jv_string(dept))
						 : jv_invalid();

	jv_free(ds);
	return d;
}

char *certs_key_path(const char *db, const char *dept, const char *key_id)
{
	struct tn_buf b = TN_BUF_INIT;

	tn_buf_addf(&b, "%s.keys/%s-%s.pem", db, dept, key_id);
	return tn_buf_detach(&b, NULL);
}

/* ---- the audited reads ---- */

/* What a read answered, for its audit row and its reply. */
struct answer {
	int status;
	const char *field;
	char detail[600];
	char *text;     /* a 200 body (malloc'd) */
	jv body;        /* or a 200 body as jv */
	const char *outcome;    /* the audit row's when not the status's (a refusal answered 404) */
};

static const char *outcome_of(int status)
{
	switch (status) {
	case 200: return "allowed";
	case 403: return "forbidden";
	case 404: return "not-found";
	case 400: return "bad-request";
	}
	return NULL;
}

static void answer_set(struct answer *a, int status, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void answer_set(struct answer *a, int status, const char *field, const char *fmt, ...)
{
	va_list ap;

	a->status = status;
	a->field = field;
	va_start(ap, fmt);
	vsnprintf(a->detail, sizeof(a->detail), fmt, ap);
	va_end(ap);
}

/*
 * Answer a read once its audit row is written (certs_audit.c: the rows of
 * the reads that arrive together are committed in one transaction, and
 * only then are the replies sent).  A read that failed (500) has no row and
 * is answered at once.
 */
static void finish_read(struct req *q, struct answer *a, const char *cert, const char *holder,
			const char *purpose)
{
	struct certs_read r;
	const char *outcome = a->outcome ? a->outcome : outcome_of(a->status);

	if (!outcome) {
		reply_problem(q, a->status, a->field, "%s", a->detail);
		free(a->text);
		jv_free(a->body);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.status = a->status;
	r.outcome = outcome;
	r.field = a->field;
	r.detail = a->detail;
	if (a->status == 200 && !a->text) {
		jv t = jv_dump_string(a->body, 0);

		a->body = jv_invalid();
		a->text = tn_xstrdup(jv_string_value(t));
		jv_free(t);
	}
	if (a->status == 200) {
		r.text = a->text;
		a->text = NULL;
	}
	r.cert = cert;
	r.holder = holder;
	r.purpose = purpose;
	certs_audit_read(q, &r);
	free(a->text);
	jv_free(a->body);
}

/* 1 when the raw query's purpose holds %00 (decoded, a NUL would cut the purpose short). */
static int purpose_has_nul(struct req *q)
{
	const char *p = strchr(q->uri, '?');

	if (p)
		p++;
	while (p && *p) {
		const char *end = strchr(p, '&');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n > 8 && strncmp(p, "purpose=", 8) == 0)
			for (size_t i = 8; i + 2 < n; i++)
				if (p[i] == '%' && p[i + 1] == '0' && p[i + 2] == '0')
					return 1;
		p += n + (end != NULL);
	}
	return 0;
}

/* The purpose of a read: 0 when good, else the answer is set (400). */
static int check_purpose(struct req *q, struct answer *a, const char *purpose)
{
	if (!purpose) {
		answer_set(a, 400, "purpose", "say why the certificate is read: the purpose "
			   "parameter is required");
		return -1;
	}
	if ((long)tn_utf8_chars(purpose) > PURPOSE_MAX || !tn_utf8_valid(purpose, strlen(purpose))) {
		answer_set(a, 400, "purpose", "purpose must be 1 to %d characters of UTF-8", PURPOSE_MAX);
		return -1;
	}
	if (has_control(purpose) || purpose_has_nul(q)) {
		answer_set(a, 400, "purpose", "purpose holds a control character");
		return -1;
	}
	return 0;
}

/* Whether a reader's scenario may see the kind of certificate `id` (1 for other roles). */
static int reader_kind_ok(struct req *q, const char *id)
{
	struct tn_cert_idparts p;

	if (!req_role(q, "reader"))
		return 1;
	return tn_cert_id_parse(id, &p, NULL) == TN_OK && certs_reader_kind_ok(q, p.kind);
}

/*
 * GET /v1/certs/{id}?purpose=P.  To a caller that may not read it, a
 * certificate is answered exactly as one that does not exist (404, the same
 * detail): the id alone must not tell whether it exists, whose it is, or
 * whether it was revoked.  The audit row keeps what was so.
 */
void certs_get(struct req *q, const char *id)
{
	static const char *const params[] = { "purpose", NULL };
	struct tn_err err = TN_ERR_INIT;
	struct answer a = { 200, NULL, "", NULL, jv_invalid(), NULL };
	const char *purpose, *bad;
	char *holder = NULL, *dept = NULL, why[400];
	int ok, role_ok = 0, got = 0;

	/* the token was found in the snapshot routes.c began (ROUTE_ONE_READ): the
	 * certificate is read in it too, and it ends before anything that writes */
	purpose = req_query(q, "purpose");
	if ((bad = req_query_unknown(q, params)) != NULL) {
		answer_set(&a, 400, bad, "unknown query parameter '%s'", bad);
	} else if (check_purpose(q, &a, purpose) < 0) {
		purpose = NULL;         /* the row says no purpose was given, not a cut one */
	} else if (tn_cert_id_parse(id, NULL, &err) != TN_OK) {
		answer_set(&a, 400, NULL, "%s", err.message);
	} else if (!(role_ok = certs_role_reads(q, why, sizeof(why)))) {
		answer_set(&a, 403, NULL, "%s", why);
	} else if (store_cert_get_text(q->srv->st, id, &a.text, &holder, &dept, &err) != TN_OK) {
		if (err.code == TN_ENOTFOUND)
			answer_set(&a, 404, NULL, "certificate '%s' not found, or not one this token may "
				   "read", id);
		else
			answer_set(&a, 500, NULL, "%s", err.message);
	} else {
		got = 1;
	}
	store_certs_read_end(q->srv->st);
	if (role_ok)            /* written now: inside the snapshot it was not */
		store_token_touch(q->srv->st, &q->tok);
	ok = got ? certs_may_read(q, holder, dept, why, sizeof(why), &err) : 1;
	if (ok < 0) {
		answer_set(&a, 500, NULL, "%s", err.message);
	} else if (got && (!ok || !reader_kind_ok(q, id))) {
		/* a reader's scenario sees only its kinds (kinds.yaml: scenarios) */
		answer_set(&a, 404, NULL, "certificate '%s' not found, or not one this token may read",
			   id);
		a.outcome = "forbidden";
	}
	if (a.status != 200) {
		free(a.text);
		a.text = NULL;
	}
	finish_read(q, &a, id, holder, purpose);
	free(holder);
	free(dept);
}

/* A reader's page: the items of the kinds its scenario may see, in the same order. */
static char *reader_page(struct req *q, char *text)
{
	jv doc = jv_parse(text), items, keep = jv_array();
	int n;

	if (jv_get_kind(doc) != JV_KIND_OBJECT)
		return jv_free(doc), text;
	items = tn_jv_get(doc, "items");
	n = jv_get_kind(items) == JV_KIND_ARRAY ? jv_array_length(jv_copy(items)) : 0;
	for (int i = 0; i < n; i++) {
		jv it = jv_array_get(jv_copy(items), i);
		const char *id = tn_jv_str(it, "id");

		if (id && reader_kind_ok(q, id))
			keep = jv_array_append(keep, it);
		else
			jv_free(it);
	}
	jv_free(items);
	doc = jv_object_set(doc, jv_string("items"), keep);
	{
		jv s = jv_dump_string(doc, 0);
		char *out = strdup(jv_string_value(s));

		jv_free(s);
		if (out) {
			free(text);
			text = out;
		}
	}
	return text;
}

/* GET /v1/certs?holder=H&kind=K&purpose=P[&status][&limit][&cursor] */
void certs_list(struct req *q, const char *arg)
{
	static const char *const params[] = {
		"holder", "kind", "purpose", "status", "limit", "cursor", NULL
	};
	struct tn_err err = TN_ERR_INIT;
	struct answer a = { 200, NULL, "", NULL, jv_invalid(), NULL };
	struct store_cert_filter f;
	const char *purpose, *bad, *v;
	char why[400], kind[22], *next = NULL;
	int ok;

	purpose = req_query(q, "purpose");
	memset(&f, 0, sizeof(f));
	f.limit = 100;
	f.holder = req_query(q, "holder");
	if ((bad = req_query_unknown(q, params)) != NULL) {
		answer_set(&a, 400, bad, "unknown query parameter '%s'", bad);
	} else if (check_purpose(q, &a, purpose) < 0) {
		purpose = NULL;         /* the row says no purpose was given, not a cut one */
	} else if (!f.holder && !req_role(q, "admin")) {
		answer_set(&a, 400, "holder", "holder is required (a resident ID number or credit code)");
	} else if (f.holder && tn_id_check_holder(f.holder, &err) != TN_OK) {
		answer_set(&a, 400, "holder", "holder: %s", err.message);
	} else if ((v = req_query(q, "kind")) != NULL && certs_kind_code(v, kind) < 0) {
		answer_set(&a, 400, "kind", "unknown certificate kind '%s'", v);
	} else if ((f.status = req_query(q, "status")) != NULL && !word_in("valid|revoked", f.status)) {
		answer_set(&a, 400, "status", "status must be valid or revoked, not '%s'", f.status);
	} else if ((v = req_query(q, "limit")) != NULL &&
		   (tn_parse_long(v, &f.limit) != 0 || f.limit < 1 || f.limit > 1000)) {
		answer_set(&a, 400, "limit", "limit must be a number from 1 to 1000, not '%s'", v);
	} else if ((f.after = req_query(q, "cursor")) != NULL &&
		   tn_cert_id_parse(f.after, NULL, NULL) != TN_OK) {
		answer_set(&a, 400, "cursor", "cursor is not valid for this list");
	} else if (!certs_role_reads(q, why, sizeof(why))) {
		answer_set(&a, 403, NULL, "%s", why);
	} else if ((ok = certs_may_read(q, f.holder, NULL, why, sizeof(why), &err)) < 0) {
		answer_set(&a, 500, NULL, "%s", err.message);
	} else if (!ok) {
		/* the caller's rule, the same text whatever made it fail */
		answer_set(&a, 403, NULL, "certificates of '%s': %s", f.holder ? f.holder : "", why);
	} else {
		struct tn_buf body = TN_BUF_INIT;

		f.kind = req_query(q, "kind") ? kind : NULL;
		if (req_role(q, "issuer"))
			f.dept = q->tok.dept ? q->tok.dept : "";
		/* the stored texts as they are, as GET one sends them: no parse and dump */
		tn_buf_adds(&body, "{\"items\":[");
		if (store_cert_list(q->srv->st, &f, &body, &next, &err) != TN_OK) {
			answer_set(&a, 500, NULL, "%s", err.message);
		} else {
			/* a cursor is a certificate id: 0-9 A-Z and dots, nothing to escape */
			if (next)
				tn_buf_addf(&body, "],\"next\":\"%s\"}", next);
			else
				tn_buf_adds(&body, "],\"next\":null}");
			a.text = tn_buf_detach(&body, NULL);
			if (req_role(q, "reader") && a.text)
				a.text = reader_page(q, a.text);
		}
		tn_buf_release(&body);
		free(next);
	}
	finish_read(q, &a, NULL, f.holder, purpose);
}

/* ---- issuers, the audit log ---- */

/* GET /v1/issuers: no token; ETag and If-None-Match. */
void certs_issuers(struct req *q, const char *arg)
{
	struct tn_err err = TN_ERR_INIT;
	jv items, out = jv_array(), body, text;
	char hex[65], etag[24];
	const char *inm;

	if (store_issuer_list(q->srv->st, &items, &err) != TN_OK) {
		jv_free(items);
		jv_free(out);
		reply_error(q, &err);
		return;
	}
	jv_array_foreach(items, i, it) {
		const char *dept = tn_jv_str(it, "dept");
		jv d = dept ? certs_department(dept) : jv_invalid();

		it = jv_object_set(it, jv_string("dept_name"), tn_jv_str_or_null(d, "name"));
		out = jv_array_append(out, it);
		jv_free(d);
	}
	jv_free(items);
	body = jv_object_set(jv_object(), jv_string("items"), out);
	body = jv_object_set(body, jv_string("next"), jv_null());
	text = jv_dump_string(body, 0);
	tn_sha256_hex(jv_string_value(text), strlen(jv_string_value(text)), hex);
	snprintf(etag, sizeof(etag), "\"%.16s\"", hex);
	req_set_header(q, "ETag", etag);
	inm = req_header(q, "If-None-Match");
	if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0))
		reply_raw(q, 304, NULL, "max-age=300", "", 0);
	else
		reply_raw(q, 200, "application/json", "max-age=300", jv_string_value(text),
			 strlen(jv_string_value(text)));
	jv_free(text);
}
