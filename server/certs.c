/* certs.c — e-certificates, issuers, consents and the audit log (GET/POST /v1/certs ...). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/rand.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_case.h"
#include "tn_cert.h"
#include "tn_id.h"
#include "certs.h"
#include "store_certs.h"
#include "twonetd.h"
#include "jvutil.h"

#define PURPOSE_MAX 200
#define SCENARIOS "hospital|school|station|museum|bank|yrd-city"
#define KEY_CACHE 32

static const char *const open_reasons = "submitted, accepted, returned, resubmitted or approved";

/* ---- small helpers ---- */

/* Parse an RFC 3339 time ("2026-12-01T00:00:00+08:00", "...Z", fractions allowed); -1 when malformed. */
static int parse_rfc3339(const char *s, long long *epoch)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, n = 0, oh, om;
	long days;
	char date[11];
	const char *p;
	long long off = 0;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) < 20 || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
	    n != 19 || (s[10] != 'T' && s[10] != 't'))
		return -1;
	snprintf(date, sizeof(date), "%.10s", s);
	if (tn_date_parse(date, &days) != 0 || h > 23 || mi > 59 || sec > 60)
		return -1;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		off = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
		   sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 && oh <= 23 && om <= 59) {
		off = (oh * 3600LL + om * 60LL) * (*p == '-' ? -1 : 1);
	} else {
		return -1;
	}
	*epoch = days * 86400LL + h * 3600LL + mi * 60LL + sec - off;
	return 0;
}

static void random_hex(char *out, size_t bytes)
{
	unsigned char raw[32];

	if (bytes > sizeof(raw))
		bytes = sizeof(raw);
	if (RAND_bytes(raw, (int)bytes) != 1)
		memset(raw, 0, sizeof(raw));
	for (size_t i = 0; i < bytes; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

/* ---- sending without http.c's no-store (issuers are cacheable; stored texts go out as they are) ---- */

static void sent(struct evhttp_request *r, void *arg)
{
	struct srv *srv = arg;

	(void)r;
	srv->pending--;
}

/* Send `len` bytes of `body` with `status`; extra headers already set.  The request log line as http.c writes it. */
static void send_raw(struct req *q, int status, const char *reason, const char *ctype,
		     const char *cache, const char *body, size_t len)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(q->r);
	struct evbuffer *buf;
	struct timespec t1;
	char when[40], peer[64] = "-";
	char *addr = NULL;
	ev_uint16_t port = 0;
	struct evhttp_connection *con = evhttp_request_get_connection(q->r);

	if (q->replied)
		return;
	q->replied = 1;
	if (ctype)
		evhttp_add_header(h, "Content-Type", ctype);
	evhttp_add_header(h, "Cache-Control", cache);
	buf = evbuffer_new();
	if (buf && len && strcmp(q->method, "HEAD") != 0)
		evbuffer_add(buf, body, len);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	time_now_rfc3339(when, sizeof(when));
	if (con) {
		evhttp_connection_get_peer(con, &addr, &port);
		if (addr)
			snprintf(peer, sizeof(peer), "%s", addr);
	}
	fprintf(stderr, "%s %s %s %s %d %ld \"%s\"\n", when, peer, q->method, q->uri, status,
		(long)((t1.tv_sec - q->t0.tv_sec) * 1000L + (t1.tv_nsec - q->t0.tv_nsec) / 1000000L),
		q->tok.name ? q->tok.name : "-");
	q->srv->pending++;
	evhttp_request_set_on_complete_cb(q->r, sent, q->srv);
	evhttp_send_reply(q->r, status, reason, buf);
	if (buf)
		evbuffer_free(buf);
}

/* ---- the kinds and the issuers' private keys, once per worker ---- */

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
	jv k = tn_cert_kind_find(certs_kinds(), code_or_alias), h;
	const char *c = member_str(k, "code", &h);
	int rc = -1;

	if (c && strlen(c) == 21) {
		memcpy(out, c, 22);
		rc = 0;
	}
	jv_free(h);
	jv_free(k);
	return rc;
}

/* {"uscc":..,"name":..} of department `dept` (new reference) or jv_invalid(). */
static jv department(const char *dept)
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

static struct {
	char id[17];
	struct tn_cert_key *key;
} keycache[KEY_CACHE];
static int nkeys;

/* The private key `key_id` of `dept` (borrowed from the cache), or NULL with err set. */
static struct tn_cert_key *private_key(struct store *st, const char *dept, const char *key_id,
				       struct tn_err *err)
{
	struct tn_cert_key *k;
	char *path;

	for (int i = 0; i < nkeys; i++)
		if (strcmp(keycache[i].id, key_id) == 0)
			return keycache[i].key;
	path = certs_key_path(store_certs_db_path(st), dept, key_id);
	if (tn_cert_key_load_private(path, &k, err) != TN_OK) {
		free(path);
		return NULL;
	}
	free(path);
	if (strcmp(tn_cert_key_id(k), key_id) != 0) {
		tn_cert_key_free(k);
		tn_err_set(err, TN_EINTERNAL, "the key file of %s is not key %s", dept, key_id);
		return NULL;
	}
	if (nkeys == KEY_CACHE) {
		tn_cert_key_free(keycache[0].key);
		memmove(keycache, keycache + 1, sizeof(keycache[0]) * (KEY_CACHE - 1));
		nkeys--;
	}
	snprintf(keycache[nkeys].id, sizeof(keycache[nkeys].id), "%s", key_id);
	keycache[nkeys].key = k;
	return keycache[nkeys++].key;
}

/* ---- who may read ---- */

/*
 * May the caller read certificates of `holder` (of department `cert_dept`
 * for one certificate, NULL for a list)?  1 yes, 0 no (why in `why`), -1
 * on a storage error (err set).
 */
static int may_read(struct req *q, const char *holder, const char *cert_dept, char *why,
		    size_t size, struct tn_err *err)
{
	const char *role = q->tok.role ? q->tok.role : "";

	if (req_role(q, "admin"))
		return 1;
	if (req_role(q, "clerk")) {
		int open = 0;

		if (!holder) {
			snprintf(why, size, "a clerk must name the holder");
			return 0;
		}
		if (store_holder_case_open(q->srv->st, holder, q->tok.dept ? q->tok.dept : "", &open,
					   err) != TN_OK)
			return -1;
		/* GET one: never name the holder, the id alone must reveal nothing */
		if (!open && cert_dept)
			snprintf(why, size, "no case of the certificate's holder is open in %s (%s)",
				 q->tok.dept ? q->tok.dept : "", open_reasons);
		else if (!open)
			snprintf(why, size, "no case of holder '%s' is open in %s (%s)", holder,
				 q->tok.dept ? q->tok.dept : "", open_reasons);
		return open;
	}
	if (req_role(q, "applicant")) {
		if (q->tok.subject && holder && strcmp(q->tok.subject, holder) == 0)
			return 1;
		snprintf(why, size, "an applicant may read only their own certificates");
		return 0;
	}
	if (req_role(q, "issuer")) {
		if (!cert_dept || (q->tok.dept && strcmp(cert_dept, q->tok.dept) == 0))
			return 1;
		snprintf(why, size, "an issuer of %s may not read a certificate of %s",
			 q->tok.dept ? q->tok.dept : "", cert_dept);
		return 0;
	}
	if (req_role(q, "reader")) {
		const char *tok = req_header(q, "X-Consent-Token");
		const char *scenario = q->tok.dept ? q->tok.dept : "";
		char hex[65];
		jv c, h1, h2, h3;
		const char *ch, *cs, *ce;
		int ok = 0;

		if (!tok || !*tok) {
			snprintf(why, size, "a reader needs the holder's consent token (X-Consent-Token)");
			return 0;
		}
		sha256_hex(tok, strlen(tok), hex);
		if (store_consent_get(q->srv->st, hex, &c, err) != TN_OK) {
			if (err->code != TN_ENOTFOUND)
				return -1;
			tn_err_clear(err);
			snprintf(why, size, "unknown consent token");
			return 0;
		}
		ch = member_str(c, "holder", &h1);
		cs = member_str(c, "scenario", &h2);
		ce = member_str(c, "expires_at", &h3);
		{
			jv ep = jv_object_get(jv_copy(c), jv_string("expires_epoch"));
			long long exp = (long long)jv_number_value(ep);

			jv_free(ep);
			if (!holder || !ch || strcmp(ch, holder) != 0)
				snprintf(why, size, "the consent token is for another holder");
			else if (!cs || strcmp(cs, scenario) != 0)
				snprintf(why, size, "consent token is for scenario '%s', this reader is '%s'",
					 cs ? cs : "", scenario);
			else if (exp <= (long long)time(NULL))
				snprintf(why, size, "consent token expired at %s", ce ? ce : "?");
			else
				ok = 1;
		}
		jv_free(h1);
		jv_free(h2);
		jv_free(h3);
		jv_free(c);
		return ok;
	}
	snprintf(why, size, "role '%s' may not read certificates", role);
	return 0;
}

/* ---- the audited reads ---- */

/* What a read answered, for its audit row and its reply. */
struct answer {
	int status;
	const char *field;
	char detail[600];
	char *text;     /* a 200 body (malloc'd) */
	jv body;        /* or a 200 body as jv */
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
	const char *outcome = outcome_of(a->status);

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

/* Check the query parameters without replying; NULL when all are known, else the first unknown (borrowed). */
static const char *unknown_param(struct req *q, const char *const *allowed)
{
	struct evkeyval *kv;

	if (!q->have_query)
		return NULL;
	TAILQ_FOREACH(kv, &q->query, next) {
		int known = 0;

		for (const char *const *p = allowed; *p; p++)
			if (strcmp(*p, kv->key) == 0)
				known = 1;
		if (!known)
			return kv->key;
	}
	return NULL;
}

/* The purpose of a read: 0 when good, else the answer is set (400). */
static int check_purpose(struct answer *a, const char *purpose)
{
	if (!purpose) {
		answer_set(a, 400, "purpose", "say why the certificate is read: the purpose "
			   "parameter is required");
		return -1;
	}
	if (utf8_chars(purpose) > PURPOSE_MAX || !utf8_valid(purpose, strlen(purpose))) {
		answer_set(a, 400, "purpose", "purpose must be 1 to %d characters of UTF-8", PURPOSE_MAX);
		return -1;
	}
	return 0;
}

/* GET /v1/certs/{id}?purpose=P */
static void get_cert(struct req *q, const char *id)
{
	static const char *const params[] = { "purpose", NULL };
	struct tn_err err = TN_ERR_INIT;
	struct answer a = { 200, NULL, "", NULL, jv_invalid() };
	const char *purpose, *bad;
	char *holder = NULL, *dept = NULL, why[400];
	int ok;

	if (req_auth(q) < 0)
		return;
	purpose = req_query(q, "purpose");
	if ((bad = unknown_param(q, params)) != NULL) {
		answer_set(&a, 400, bad, "unknown query parameter '%s'", bad);
	} else if (check_purpose(&a, purpose) < 0) {
		;
	} else if (tn_cert_id_parse(id, NULL, &err) != TN_OK) {
		answer_set(&a, 400, NULL, "%s", err.message);
	} else if (store_cert_get_text(q->srv->st, id, &a.text, &holder, &dept, &err) != TN_OK) {
		if (err.code == TN_ENOTFOUND)
			answer_set(&a, 404, NULL, "no certificate '%s'", id);
		else
			answer_set(&a, 500, NULL, "%s", err.message);
	} else if ((ok = may_read(q, holder, dept, why, sizeof(why), &err)) < 0) {
		answer_set(&a, 500, NULL, "%s", err.message);
	} else if (!ok) {
		answer_set(&a, 403, NULL, "certificate '%s': %s", id, why);
	}
	if (a.status != 200) {
		free(a.text);
		a.text = NULL;
	}
	finish_read(q, &a, id, holder, purpose);
	free(holder);
	free(dept);
}

/* GET /v1/certs?holder=H&kind=K&purpose=P[&status][&limit][&cursor] */
static void list_certs(struct req *q)
{
	static const char *const params[] = {
		"holder", "kind", "purpose", "status", "limit", "cursor", NULL
	};
	struct tn_err err = TN_ERR_INIT;
	struct answer a = { 200, NULL, "", NULL, jv_invalid() };
	struct store_cert_filter f;
	const char *purpose, *bad, *v;
	char why[400], kind[22], *next = NULL;
	int ok;

	if (req_auth(q) < 0)
		return;
	purpose = req_query(q, "purpose");
	memset(&f, 0, sizeof(f));
	f.limit = 100;
	f.holder = req_query(q, "holder");
	if ((bad = unknown_param(q, params)) != NULL) {
		answer_set(&a, 400, bad, "unknown query parameter '%s'", bad);
	} else if (check_purpose(&a, purpose) < 0) {
		;
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
	} else if ((ok = may_read(q, f.holder, NULL, why, sizeof(why), &err)) < 0) {
		answer_set(&a, 500, NULL, "%s", err.message);
	} else if (!ok) {
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
		}
		tn_buf_release(&body);
		free(next);
	}
	finish_read(q, &a, NULL, f.holder, purpose);
}

/* ---- issuing and revoking ---- */

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

/* 1 when `s` holds a control character other than '\n' (certificate text may span lines). */
static int has_control_but_newline(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\n') || *s == 0x7f)
			return 1;
	return 0;
}

/* The checked holder object (`h` consumed) of a new certificate in *out; 0, or -1 after replying. */
static int check_cert_holder(struct req *q, jv h, const char *want_type, jv *out)
{
	static const char *const keys[] = { "type", "id", "name", NULL };
	struct tn_err err = TN_ERR_INIT;
	const char *type, *id, *name;
	jv h1, h2, h3;
	char *bad;
	int rc = -1;

	*out = jv_invalid();
	if (jv_get_kind(h) != JV_KIND_OBJECT) {
		reply_problem(q, 422, "holder", "holder is required (an object: type, id, name)");
		jv_free(h);
		return -1;
	}
	if ((bad = unknown_member(h, keys)) != NULL) {
		char field[300];

		snprintf(field, sizeof(field), "holder.%s", bad);
		reply_problem(q, 400, field, "unknown member '%s' in holder", bad);
		free(bad);
		jv_free(h);
		return -1;
	}
	type = member_str(h, "type", &h1);
	id = member_str(h, "id", &h2);
	name = member_str(h, "name", &h3);
	if (!type || strcmp(type, want_type) != 0)
		reply_problem(q, 422, "holder.type", "holder.type must be '%s' for this kind", want_type);
	else if (!id || tn_cert_check_holder(type, id, &err) != TN_OK)
		reply_problem(q, 422, "holder.id", "holder.id: %s", id ? err.message : "is required");
	else if (!name || !*name || utf8_chars(name) > 100 || has_control_but_newline(name))
		reply_problem(q, 422, "holder.name", "holder.name must be 1 to 100 characters");
	else {
		jv o = jv_object_set(jv_object(), jv_string("type"), jv_string(type));

		o = jv_object_set(o, jv_string("id"), jv_string(id));
		*out = jv_object_set(o, jv_string("name"), jv_string(name));
		rc = 0;
	}
	jv_free(h1);
	jv_free(h2);
	jv_free(h3);
	jv_free(h);
	return rc;
}

/* The checked fields of a new certificate of `kind` in *out; 0, or -1 after replying. */
static int check_cert_fields(struct req *q, jv kind, jv given, jv *out)
{
	jv defs = jv_object_get(jv_copy(kind), jv_string("fields"));
	char field[300];
	int rc = 0;

	*out = jv_object();
	if (jv_get_kind(given) == JV_KIND_NULL || jv_get_kind(given) == JV_KIND_INVALID) {
		jv_free(given);
		given = jv_object();
	}
	if (jv_get_kind(given) != JV_KIND_OBJECT) {
		reply_problem(q, 422, "fields", "fields must be an object");
		rc = -1;
		goto out;
	}
	jv_object_foreach(given, key, val) {
		const char *k = jv_string_value(key);
		int known = 0;

		jv_array_foreach(defs, i, d) {
			jv hn;
			const char *n = member_str(d, "name", &hn);

			if (n && strcmp(n, k) == 0)
				known = 1;
			jv_free(hn);
			jv_free(d);
		}
		snprintf(field, sizeof(field), "fields.%s", k);
		if (rc == 0 && !known) {
			reply_problem(q, 422, field, "a certificate of this kind has no field '%s'", k);
			rc = -1;
		} else if (rc == 0 && jv_get_kind(val) != JV_KIND_STRING &&
			   jv_get_kind(val) != JV_KIND_NULL) {
			reply_problem(q, 422, field, "field '%s' must be a string", k);
			rc = -1;
		} else if (rc == 0 && jv_get_kind(val) == JV_KIND_STRING &&
			   (utf8_chars(jv_string_value(val)) > 1000 || has_control_but_newline(jv_string_value(val)))) {
			reply_problem(q, 422, field, "field '%s' must be at most 1000 characters without "
				      "control characters", k);
			rc = -1;
		}
		jv_free(key);
		jv_free(val);
	}
	if (rc)
		goto out;
	jv_array_foreach(defs, i, d) {
		jv hn, v, req;
		const char *n = member_str(d, "name", &hn);
		int required;

		req = jv_object_get(jv_copy(d), jv_string("required"));
		required = jv_get_kind(req) != JV_KIND_FALSE;
		jv_free(req);
		if (n && rc == 0) {
			v = jv_object_get(jv_copy(given), jv_string(n));
			if (jv_get_kind(v) == JV_KIND_STRING && *jv_string_value(v)) {
				*out = jv_object_set(*out, jv_string(n), v);
			} else if (required) {
				snprintf(field, sizeof(field), "fields.%s", n);
				reply_problem(q, 422, field, "field '%s' is required", n);
				jv_free(v);
				rc = -1;
			} else {
				jv_free(v);
				*out = jv_object_set(*out, jv_string(n), jv_null());
			}
		}
		jv_free(hn);
		jv_free(d);
	}
out:
	jv_free(defs);
	jv_free(given);
	if (rc) {
		jv_free(*out);
		*out = jv_invalid();
	}
	return rc;
}

/* A date member: 0 with *out a jv string or null; -1 after replying. */
static int date_member(struct req *q, jv body, const char *key, int nullable, const char *dflt,
		       jv *out)
{
	jv v = jv_object_get(jv_copy(body), jv_string(key));
	long d;

	*out = jv_invalid();
	if (jv_get_kind(v) == JV_KIND_INVALID || jv_get_kind(v) == JV_KIND_NULL) {
		jv_free(v);
		*out = dflt ? jv_string(dflt) : jv_null();
		if (!dflt && !nullable) {
			reply_problem(q, 422, key, "%s is required", key);
			return -1;
		}
		return 0;
	}
	if (jv_get_kind(v) != JV_KIND_STRING || tn_date_parse(jv_string_value(v), &d) != 0) {
		jv_free(v);
		reply_problem(q, 422, key, "%s must be a date (YYYY-MM-DD)%s", key,
			      nullable ? " or null" : "");
		return -1;
	}
	*out = v;
	return 0;
}

/* POST /v1/certs */
static void issue_cert(struct req *q)
{
	static const char *const keys[] = { "kind", "holder", "fields", "valid_from", "valid_until",
					    NULL };
	struct tn_err err = TN_ERR_INIT;
	struct store_cert_row row;
	struct tn_cert_key *key;
	jv body, kind = jv_invalid(), holder = jv_invalid(), fields = jv_invalid();
	jv from = jv_invalid(), until = jv_invalid(), dept_doc = jv_invalid(), doc, signed_doc;
	jv h1, h2, h3, h4, h5, h6, text;
	const char *ikey, *kcode, *kdept, *htype, *uscc, *kname;
	char *bad, *canon, *stored_hash = NULL, *key_id = NULL, hash[65], today[16], year[8];
	char serial[32], id[TN_CERT_ID_MAX], now[40], loc[160];
	long first;

	if (req_auth(q) < 0)
		return;
	if (!req_role(q, "issuer")) {
		reply_problem(q, 403, NULL, "role '%s' may not issue certificates (issuers only)",
			      q->tok.role);
		return;
	}
	ikey = req_header(q, "Idempotency-Key");
	if (!ikey || !idem_key_ok(ikey)) {
		reply_problem(q, 400, NULL, ikey ? "Idempotency-Key must be 1 to 128 printable characters"
			      : "the Idempotency-Key header is required");
		return;
	}
	if (req_body(q, &body) < 0)
		return;
	h1 = h2 = h3 = h4 = h5 = h6 = jv_invalid();
	if ((bad = unknown_member(body, keys)) != NULL) {
		reply_problem(q, 400, bad, "unknown member '%s'", bad);
		free(bad);
		goto done;
	}
	canon = tn_json_canonical(body);
	sha256_hex(canon, strlen(canon), hash);
	free(canon);
	if (store_cert_idem(q->srv->st, q->tok.id, ikey, &stored_hash, &doc, &err) == TN_OK) {
		if (strcmp(stored_hash, hash) == 0) {
			jv idv = jv_object_get(jv_copy(doc), jv_string("id"));

			snprintf(loc, sizeof(loc), "/v1/certs/%s", jv_string_value(idv));
			jv_free(idv);
			req_set_header(q, "Location", loc);
			req_set_header(q, "Idempotent-Replayed", "true");
			reply_json(q, 200, doc);
		} else {
			jv_free(doc);
			reply_problem(q, 409, NULL, "idempotency key '%s' was used for another certificate "
				      "with a different body", ikey);
		}
		free(stored_hash);
		goto done;
	} else if (err.code != TN_ENOTFOUND) {
		reply_error(q, &err);
		goto done;
	}
	tn_err_clear(&err);
	kcode = member_str(body, "kind", &h1);
	kind = kcode ? tn_cert_kind_find(certs_kinds(), kcode) : jv_invalid();
	if (!jv_is_valid(kind)) {
		reply_problem(q, 422, "kind", kcode ? "unknown certificate kind '%s'"
			      : "kind is required (a kind code or alias)%s", kcode ? kcode : "");
		goto done;
	}
	kdept = member_str(kind, "dept", &h2);
	if (!kdept || !q->tok.dept || strcmp(kdept, q->tok.dept) != 0) {
		reply_problem(q, 403, "kind", "issuer of %s cannot issue kind %s (%s)",
			      q->tok.dept ? q->tok.dept : "", kcode, kdept ? kdept : "?");
		goto done;
	}
	htype = member_str(kind, "holder_type", &h3);
	if (check_cert_holder(q, jv_object_get(jv_copy(body), jv_string("holder")),
			      htype ? htype : "person", &holder) < 0)
		goto done;
	if (check_cert_fields(q, kind, jv_object_get(jv_copy(body), jv_string("fields")),
			      &fields) < 0)
		goto done;
	date_china_today(today, sizeof(today));
	if (date_member(q, body, "valid_from", 0, today, &from) < 0 ||
	    date_member(q, body, "valid_until", 1, NULL, &until) < 0)
		goto done;
	if (jv_get_kind(until) == JV_KIND_STRING &&
	    strcmp(jv_string_value(until), jv_string_value(from)) < 0) {
		reply_problem(q, 422, "valid_until", "valid_until is before valid_from");
		goto done;
	}
	dept_doc = department(kdept);
	uscc = member_str(dept_doc, "uscc", &h4);
	if (!uscc) {
		reply_problem(q, 500, NULL, "department '%s' has no credit code in the kinds file", kdept);
		goto done;
	}
	if (store_issuer_current(q->srv->st, kdept, &key_id, &err) != TN_OK) {
		if (err.code == TN_ENOTFOUND)
			reply_problem(q, 409, NULL, "department '%s' has no issuer key (twonetd issuer "
				      "add --dept %s)", kdept, kdept);
		else
			reply_error(q, &err);
		goto done;
	}
	if (!(key = private_key(q->srv->st, kdept, key_id, &err))) {
		fprintf(stderr, "twonetd: error: %s\n", err.message);
		reply_problem(q, 500, NULL, "the issuer key of %s cannot be used", kdept);
		goto done;
	}
	kcode = member_str(kind, "code", &h5);
	kname = member_str(kind, "name", &h6);
	snprintf(year, sizeof(year), "%.4s", today);
	if (store_cert_serials(q->srv->st, kcode, uscc, year, 1, &first, &err) != TN_OK) {
		reply_error(q, &err);
		goto done;
	}
	snprintf(serial, sizeof(serial), "%s%08ld", year, first);
	if (tn_cert_id_build(kcode, uscc, serial, 1, id, &err) != TN_OK) {
		reply_problem(q, 500, NULL, "%s", err.message);
		goto done;
	}
	time_now_rfc3339(now, sizeof(now));
	doc = jv_object();
	doc = jv_object_set(doc, jv_string("id"), jv_string(id));
	doc = jv_object_set(doc, jv_string("kind"), jv_string(kcode));
	doc = jv_object_set(doc, jv_string("kind_name"), jv_string(kname ? kname : ""));
	doc = jv_object_set(doc, jv_string("holder"), jv_copy(holder));
	doc = jv_object_set(doc, jv_string("issuer"),
			    jv_object_set(jv_object_set(jv_object(), jv_string("dept"),
							jv_string(kdept)),
					  jv_string("uscc"), jv_string(uscc)));
	doc = jv_object_set(doc, jv_string("fields"), jv_copy(fields));
	doc = jv_object_set(doc, jv_string("valid_from"), jv_copy(from));
	doc = jv_object_set(doc, jv_string("valid_until"), jv_copy(until));
	doc = jv_object_set(doc, jv_string("issued_at"), jv_string(now));
	doc = jv_object_set(doc, jv_string("status"), jv_string("valid"));
	doc = jv_object_set(doc, jv_string("revoked_at"), jv_null());
	doc = jv_object_set(doc, jv_string("revoke_reason"), jv_null());
	if (tn_cert_sign(doc, key, &signed_doc, &err) != TN_OK) {
		reply_problem(q, 500, NULL, "cannot sign: %s", err.message);
		goto done;
	}
	text = jv_dump_string(jv_copy(signed_doc), 0);
	memset(&row, 0, sizeof(row));
	row.id = id;
	row.kind = kcode;
	{
		jv hid;
		const char *hs = member_str(holder, "id", &hid);

		row.holder = hs;
		row.dept = kdept;
		row.doc = jv_string_value(text);
		row.token_id = q->tok.id;
		row.idem_key = ikey;
		row.idem_hash = hash;
		if (store_cert_insert(q->srv->st, &row, &err) != TN_OK) {
			jv_free(hid);
			jv_free(text);
			jv_free(signed_doc);
			reply_error(q, &err);
			goto done;
		}
		jv_free(hid);
	}
	jv_free(text);
	snprintf(loc, sizeof(loc), "/v1/certs/%s", id);
	req_set_header(q, "Location", loc);
	reply_json(q, 201, signed_doc);
done:
	free(key_id);
	jv_free(h1);
	jv_free(h2);
	jv_free(h3);
	jv_free(h4);
	jv_free(h5);
	jv_free(h6);
	jv_free(kind);
	jv_free(holder);
	jv_free(fields);
	jv_free(from);
	jv_free(until);
	jv_free(dept_doc);
	jv_free(body);
}

/* POST /v1/certs/{id}/revoke */
static void revoke_cert(struct req *q, const char *id)
{
	static const char *const keys[] = { "reason", NULL };
	struct tn_err err = TN_ERR_INIT;
	jv body, doc, hr, hd, issuer;
	const char *reason, *dept;
	char *bad, now[40];

	if (req_auth(q) < 0)
		return;
	if (!req_role(q, "issuer|admin")) {
		reply_problem(q, 403, NULL, "role '%s' may not revoke certificates", q->tok.role);
		return;
	}
	if (req_body(q, &body) < 0)
		return;
	if ((bad = unknown_member(body, keys)) != NULL) {
		reply_problem(q, 400, bad, "unknown member '%s'", bad);
		free(bad);
		jv_free(body);
		return;
	}
	reason = member_str(body, "reason", &hr);
	if (!reason || !*reason || utf8_chars(reason) > 500) {
		reply_problem(q, 422, "reason", "reason is required (1 to 500 characters)");
		goto out;
	}
	if (tn_cert_id_parse(id, NULL, &err) != TN_OK) {
		reply_problem(q, 400, NULL, "%s", err.message);
		goto out;
	}
	if (store_cert_get(q->srv->st, id, &doc, &err) != TN_OK) {
		reply_error(q, &err);
		goto out;
	}
	issuer = jv_object_get(jv_copy(doc), jv_string("issuer"));
	dept = member_str(issuer, "dept", &hd);
	if (req_role(q, "issuer") && (!dept || !q->tok.dept || strcmp(dept, q->tok.dept) != 0)) {
		reply_problem(q, 403, NULL, "an issuer of %s may not revoke a certificate of %s",
			      q->tok.dept ? q->tok.dept : "", dept ? dept : "?");
		jv_free(doc);
	} else {
		time_now_rfc3339(now, sizeof(now));
		doc = jv_object_set(doc, jv_string("status"), jv_string("revoked"));
		doc = jv_object_set(doc, jv_string("revoked_at"), jv_string(now));
		doc = jv_object_set(doc, jv_string("revoke_reason"), jv_string(reason));
		if (store_cert_revoke(q->srv->st, id, now, reason, jv_copy(doc), &err) != TN_OK) {
			jv_free(doc);
			reply_error(q, &err);
		} else {
			reply_json(q, 200, doc);
		}
	}
	jv_free(hd);
	jv_free(issuer);
out:
	jv_free(hr);
	jv_free(body);
}

/* ---- issuers, consents, the audit log ---- */

/* GET /v1/issuers: no token; ETag and If-None-Match. */
static void get_issuers(struct req *q)
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
		jv hd, d;
		const char *dept = member_str(it, "dept", &hd), *name;
		jv hn;

		d = dept ? department(dept) : jv_invalid();
		name = member_str(d, "name", &hn);
		it = jv_object_set(it, jv_string("dept_name"), name ? jv_string(name) : jv_null());
		out = jv_array_append(out, it);
		jv_free(hn);
		jv_free(d);
		jv_free(hd);
	}
	jv_free(items);
	body = jv_object_set(jv_object(), jv_string("items"), out);
	body = jv_object_set(body, jv_string("next"), jv_null());
	text = jv_dump_string(body, 0);
	sha256_hex(jv_string_value(text), strlen(jv_string_value(text)), hex);
	snprintf(etag, sizeof(etag), "\"%.16s\"", hex);
	req_set_header(q, "ETag", etag);
	inm = req_header(q, "If-None-Match");
	if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0))
		send_raw(q, 304, "Not Modified", NULL, "max-age=300", "", 0);
	else
		send_raw(q, 200, "OK", "application/json", "max-age=300", jv_string_value(text),
			 strlen(jv_string_value(text)));
	jv_free(text);
}

/* POST /v1/consents: an applicant for their subject, an admin for any holder. */
static void add_consent(struct req *q)
{
	static const char *const keys[] = { "scenario", "expires_at", "holder", NULL };
	struct tn_err err = TN_ERR_INIT;
	struct store_consent c;
	jv body, h1, h2, h3, out;
	const char *scenario, *expires, *holder;
	char *bad, token[48], hex[65], now[40];
	long long exp, t = (long long)time(NULL);

	if (req_auth(q) < 0)
		return;
	if (!req_role(q, "admin") && !(req_role(q, "applicant") && q->tok.subject)) {
		reply_problem(q, 403, NULL, "only a holder (an applicant token with a subject) or an "
			      "admin may grant consent");
		return;
	}
	if (req_body(q, &body) < 0)
		return;
	if ((bad = unknown_member(body, keys)) != NULL) {
		reply_problem(q, 400, bad, "unknown member '%s'", bad);
		free(bad);
		jv_free(body);
		return;
	}
	scenario = member_str(body, "scenario", &h1);
	expires = member_str(body, "expires_at", &h2);
	holder = member_str(body, "holder", &h3);
	if (req_role(q, "applicant")) {
		if (holder && strcmp(holder, q->tok.subject) != 0) {
			reply_problem(q, 403, "holder", "this token may grant consent for '%s' only",
				      q->tok.subject);
			goto out;
		}
		holder = q->tok.subject;
	}
	if (!holder || tn_id_check_holder(holder, &err) != TN_OK) {
		reply_problem(q, 422, "holder", holder ? "holder: %s" : "holder is required%s",
			      holder ? err.message : "");
	} else if (!scenario || !word_in(SCENARIOS, scenario)) {
		reply_problem(q, 422, "scenario", "scenario must be one of %s", SCENARIOS);
	} else if (!expires || parse_rfc3339(expires, &exp) != 0) {
		reply_problem(q, 422, "expires_at", "expires_at must be a time (RFC 3339, e.g. "
			      "2026-12-01T00:00:00+08:00)");
	} else if (exp <= t || exp > t + 365LL * 86400) {
		reply_problem(q, 422, "expires_at", "expires_at must be in the future and at most 365 "
			      "days ahead");
	} else {
		memcpy(token, "tnc_", 4);
		random_hex(token + 4, 20);
		sha256_hex(token, strlen(token), hex);
		time_now_rfc3339(now, sizeof(now));
		c.holder = holder;
		c.scenario = scenario;
		c.expires_at = expires;
		c.expires_epoch = exp;
		c.created_at = now;
		c.created_by = q->tok.name;
		if (store_consent_add(q->srv->st, hex, &c, &err) != TN_OK) {
			reply_error(q, &err);
			goto out;
		}
		out = jv_object_set(jv_object(), jv_string("token"), jv_string(token));
		out = jv_object_set(out, jv_string("holder"), jv_string(holder));
		out = jv_object_set(out, jv_string("scenario"), jv_string(scenario));
		out = jv_object_set(out, jv_string("expires_at"), jv_string(expires));
		out = jv_object_set(out, jv_string("created_at"), jv_string(now));
		reply_json(q, 201, out);
	}
out:
	jv_free(h1);
	jv_free(h2);
	jv_free(h3);
	jv_free(body);
}

/* GET /v1/audit: admin. */
static void get_audit(struct req *q)
{
	static const char *const params[] = {
		"holder", "cert", "actor", "after", "limit", "cursor", NULL
	};
	struct store_audit_filter f;
	struct tn_err err = TN_ERR_INIT;
	long long next = -1;
	const char *v;
	long n;
	jv items, body;

	if (req_auth(q) < 0)
		return;
	if (!req_role(q, "admin")) {
		reply_problem(q, 403, NULL, "only an admin may read the audit log");
		return;
	}
	if (req_query_check(q, params) < 0)
		return;
	memset(&f, 0, sizeof(f));
	f.limit = 100;
	f.holder = req_query(q, "holder");
	f.cert = req_query(q, "cert");
	f.actor = req_query(q, "actor");
	if ((v = req_query(q, "after")) != NULL) {
		if (tn_parse_long(v, &n) != 0 || n < 0) {
			reply_problem(q, 400, "after", "after must be a sequence number, not '%s'", v);
			return;
		}
		f.after = n;
	}
	if ((v = req_query(q, "cursor")) != NULL) {
		if (tn_parse_long(v, &n) != 0 || n < 0) {
			reply_problem(q, 400, "cursor", "cursor is not valid for this list");
			return;
		}
		if (n > f.after)
			f.after = n;
	}
	if ((v = req_query(q, "limit")) != NULL &&
	    (tn_parse_long(v, &f.limit) != 0 || f.limit < 1 || f.limit > 1000)) {
		reply_problem(q, 400, "limit", "limit must be a number from 1 to 1000, not '%s'", v);
		return;
	}
	if (store_audit_list(q->srv->st, &f, &items, &next, &err) != TN_OK) {
		jv_free(items);
		reply_error(q, &err);
		return;
	}
	body = jv_object_set(jv_object(), jv_string("items"), items);
	body = jv_object_set(body, jv_string("next"),
			     next >= 0 ? jv_string_fmt("%lld", next) : jv_null());
	reply_json(q, 200, body);
}

/* ---- the router ---- */

int route_certs(struct req *q, char **seg, int n)
{
	if (strcmp(seg[1], "certs") == 0) {
		if (n == 2) {
			if (serve_method_ok(q, "GET|POST")) {
				if (strcmp(q->method, "POST") == 0)
					issue_cert(q);
				else
					list_certs(q);
			}
			return 1;
		}
		if (n == 3) {
			if (serve_method_ok(q, "GET"))
				get_cert(q, seg[2]);
			return 1;
		}
		if (n == 4 && strcmp(seg[3], "revoke") == 0) {
			if (serve_method_ok(q, "POST"))
				revoke_cert(q, seg[2]);
			return 1;
		}
		return 0;
	}
	if (strcmp(seg[1], "issuers") == 0 && n == 2) {
		if (serve_method_ok(q, "GET"))
			get_issuers(q);
		return 1;
	}
	if (strcmp(seg[1], "consents") == 0 && n == 2) {
		if (serve_method_ok(q, "POST"))
			add_consent(q);
		return 1;
	}
	if (strcmp(seg[1], "audit") == 0 && n == 2) {
		if (serve_method_ok(q, "GET"))
			get_audit(q);
		return 1;
	}
	return 0;
}
