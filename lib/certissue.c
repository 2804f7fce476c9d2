/* certissue.c — issuing certificates (single and bulk, checked against the kinds first) and revoking them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_case.h"
#include "tn_cert.h"
#include "tn_http.h"
#include "tn_jv.h"
#include "tn_ndjson.h"
#include "tn_text.h"

/* ---- building a body from flags ---- */

/* 1 when `p` starts "NAME=" (a new --field in a joined list). */
static int starts_field(const char *p)
{
	const char *q = p;

	while (*q && *q != '=' && *q != ',')
		q++;
	return *q == '=' && q > p;
}

static enum tn_code add_fields(jv *fields, const char *list, struct tn_err *err)
{
	const char *start = list, *p;

	for (p = list;; p++) {
		if (*p == '\0' || (*p == ',' && starts_field(p + 1))) {
			if (p > start) {
				char *text = tn_xstrndup(start, (size_t)(p - start));
				char *eq = strchr(text, '=');

				if (!eq || eq == text) {
					tn_err_set(err, TN_EUSAGE, "invalid --field '%s': expected NAME=VALUE", text);
					free(text);
					return TN_EUSAGE;
				}
				*eq = '\0';
				*fields = jv_object_set(*fields, jv_string(text), jv_string(eq + 1));
				free(text);
			}
			if (*p == '\0')
				return TN_OK;
			start = p + 1;
		}
	}
}

enum tn_code tn_cert_issue_build(const struct tn_cert_issue_spec *s, jv *out, struct tn_err *err)
{
	jv body = jv_object(), holder = jv_object(), fields = jv_object();

	*out = jv_invalid();
	if (s->fields && *s->fields && add_fields(&fields, s->fields, err) != TN_OK) {
		jv_free(body);
		jv_free(holder);
		jv_free(fields);
		return TN_EUSAGE;
	}
	if (s->kind)
		body = jv_object_set(body, jv_string("kind"), jv_string(s->kind));
	if (s->holder_type)
		holder = jv_object_set(holder, jv_string("type"), jv_string(s->holder_type));
	if (s->holder)
		holder = jv_object_set(holder, jv_string("id"), jv_string(s->holder));
	if (s->holder_name)
		holder = jv_object_set(holder, jv_string("name"), jv_string(s->holder_name));
	body = jv_object_set(body, jv_string("holder"), holder);
	body = jv_object_set(body, jv_string("fields"), fields);
	if (s->valid_from)
		body = jv_object_set(body, jv_string("valid_from"), jv_string(s->valid_from));
	if (s->valid_until)
		body = jv_object_set(body, jv_string("valid_until"), jv_string(s->valid_until));
	*out = body;
	return TN_OK;
}

/* ---- checking against the kinds ---- */

/* One fault: the first sets err ("FIELD: DETAIL"), every one goes to err->problems. */
static void fault(struct tn_err *err, int *n, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fault(struct tn_err *err, int *n, const char *field, const char *fmt, ...)
{
	char detail[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if ((*n)++ == 0)
		tn_err_field(err, TN_EINVALID, field, "%s: %s", field, detail);
	tn_err_add_problem(err, field, NULL, detail);
}

/* 1 when `s` holds a control character other than '\n' (the server's rule for certificate text). */
static int has_control(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\n') || *s == 0x7f)
			return 1;
	return 0;
}

/* The holder: type (filled from the kind when absent), id, name. */
static jv check_holder(jv holder, const char *want, struct tn_err *err, int *n)
{
	struct tn_err e = TN_ERR_INIT;
	const char *type, *id, *name;

	if (jv_get_kind(holder) != JV_KIND_OBJECT) {
		fault(err, n, "holder", "is required (type, id, name)");
		return holder;
	}
	if (!tn_jv_has(holder, "type") && want)
		holder = jv_object_set(holder, jv_string("type"), jv_string(want));
	type = tn_jv_str(holder, "type");
	id = tn_jv_str(holder, "id");
	name = tn_jv_str(holder, "name");
	if (want && (!type || strcmp(type, want) != 0))
		fault(err, n, "holder.type", "must be '%s' for this kind", want);
	else if (type && strcmp(type, "person") != 0 && strcmp(type, "org") != 0)
		fault(err, n, "holder.type", "must be person or org");
	if (!id || !*id)
		fault(err, n, "holder.id", "is required");
	else if (type ? tn_cert_check_holder(type, id, &e) != TN_OK
		      : tn_cert_check_holder("person", id, &e) != TN_OK &&
			tn_cert_check_holder("org", id, NULL) != TN_OK)
		fault(err, n, "holder.id", "%s", e.message);
	if (!name || !*name)
		fault(err, n, "holder.name", "is required");
	else if (tn_utf8_chars(name) > 100 || has_control(name))
		fault(err, n, "holder.name", "must be 1 to 100 characters without control characters");
	return holder;
}

/* The fields (`fields` consumed) against the kind's definitions. */
static void check_fields(jv kind, jv fields, struct tn_err *err, int *n)
{
	jv defs = tn_jv_array(kind, "fields");
	char path[300];

	if (jv_get_kind(fields) != JV_KIND_OBJECT && jv_get_kind(fields) != JV_KIND_NULL &&
	    jv_get_kind(fields) != JV_KIND_INVALID) {
		fault(err, n, "fields", "must be an object");
		jv_free(defs);
		jv_free(fields);
		return;
	}
	if (jv_get_kind(fields) == JV_KIND_OBJECT) {
		jv_object_foreach(fields, key, val) {
			const char *k = jv_string_value(key);

			snprintf(path, sizeof(path), "fields.%s", k);
			if (tn_jv_array_find(defs, "name", k) < 0)
				fault(err, n, path, "a certificate of kind %s has no field '%s'",
				      tn_jv_str_or(kind, "alias", "?"), k);
			else if (jv_get_kind(val) != JV_KIND_STRING && jv_get_kind(val) != JV_KIND_NULL)
				fault(err, n, path, "must be a string");
			else if (jv_get_kind(val) == JV_KIND_STRING &&
				 (tn_utf8_chars(jv_string_value(val)) > 1000 || has_control(jv_string_value(val))))
				fault(err, n, path, "must be at most 1000 characters without control characters");
			jv_free(key);
			jv_free(val);
		}
	}
	jv_array_foreach(defs, i, d) {
		const char *name = tn_jv_str(d, "name");

		if (name && tn_jv_bool(d, "required", 1)) {
			const char *v = jv_get_kind(fields) == JV_KIND_OBJECT ? tn_jv_str(fields, name) : NULL;

			if (!v || !*v) {
				const char *label = tn_jv_str(d, "label");

				snprintf(path, sizeof(path), "fields.%s", name);
				fault(err, n, path, "is required%s%s%s", label ? " (" : "", label ? label : "",
				      label ? ")" : "");
			}
		}
		jv_free(d);
	}
	jv_free(defs);
	jv_free(fields);
}

static void check_date(jv body, const char *key, struct tn_err *err, int *n, long *day)
{
	jv v = tn_jv_get(body, key);

	*day = -1;
	if (jv_get_kind(v) != JV_KIND_NULL && (jv_get_kind(v) != JV_KIND_STRING ||
					      tn_date_parse(jv_string_value(v), day) != 0))
		fault(err, n, key, "must be a date (YYYY-MM-DD)");
	jv_free(v);
}

enum tn_code tn_cert_issue_prepare(jv kinds, jv rec, const char *given_key, jv *body, char **key,
				   struct tn_err *err)
{
	static const char *const members[] = { "kind", "holder", "fields", "valid_from", "valid_until",
					       "key", NULL };
	jv kind = jv_invalid(), mk;
	const char *kcode;
	char *unknown, *k = NULL;
	long from, until;
	int n = 0;

	*body = jv_invalid();
	*key = NULL;
	if (jv_get_kind(rec) != JV_KIND_OBJECT) {
		tn_err_set(err, TN_EINVALID, "a certificate must be a JSON object, not %s",
			   jv_kind_name(jv_get_kind(rec)));
		jv_free(rec);
		return TN_EINVALID;
	}
	if ((unknown = tn_jv_unknown_member(rec, members)) != NULL) {
		fault(err, &n, unknown, "unknown member (kind, holder, fields, valid_from, valid_until, key)");
		free(unknown);
	}
	mk = tn_jv_get(rec, "key");
	if (jv_get_kind(mk) == JV_KIND_STRING && tn_idem_key_check(jv_string_value(mk), NULL) == TN_OK)
		k = tn_xstrdup(jv_string_value(mk));
	else if (jv_get_kind(mk) != JV_KIND_NULL)
		fault(err, &n, "key", "must be a string of 1 to %d printable characters", TN_IDEM_KEY_MAX);
	jv_free(mk);
	rec = jv_object_delete(rec, jv_string("key"));
	kcode = tn_jv_str(rec, "kind");
	if (!kcode || !*kcode)
		fault(err, &n, "kind", "is required");
	else if (jv_get_kind(kind = tn_cert_kind_find(kinds, kcode)) == JV_KIND_INVALID)
		fault(err, &n, "kind", "unknown certificate kind '%s'", kcode);
	if (jv_get_kind(kind) == JV_KIND_OBJECT) {
		const char *code = tn_jv_str(kind, "code");

		if (code && strcmp(code, kcode) != 0)
			rec = jv_object_set(rec, jv_string("kind"), jv_string(code));
		rec = jv_object_set(rec, jv_string("holder"),
				    check_holder(tn_jv_get(rec, "holder"), tn_jv_str(kind, "holder_type"),
						 err, &n));
		check_fields(kind, jv_object_get(jv_copy(rec), jv_string("fields")), err, &n);
	} else {
		jv h = check_holder(tn_jv_get(rec, "holder"), NULL, err, &n);
		jv_free(h);
	}
	check_date(rec, "valid_from", err, &n, &from);
	check_date(rec, "valid_until", err, &n, &until);
	if (from >= 0 && until >= 0 && until < from)
		fault(err, &n, "valid_until", "is before valid_from");
	jv_free(kind);
	if (n) {
		free(k);
		jv_free(rec);
		return TN_EINVALID;
	}
	if (given_key) {
		if (tn_idem_key_check(given_key, NULL) != TN_OK) {
			free(k);
			jv_free(rec);
			return tn_err_set(err, TN_EUSAGE, "invalid key '%s': must be 1 to %d printable characters",
					  given_key, TN_IDEM_KEY_MAX);
		}
		free(k);
		k = tn_xstrdup(given_key);
	}
	if (!k) {
		char *ck = tn_case_content_key(rec);

		k = tn_xmalloc(strlen(ck) + 6);
		snprintf(k, strlen(ck) + 6, "cert-%s", ck);
		free(ck);
	}
	*body = rec;
	*key = k;
	return TN_OK;
}

/* ---- sending ---- */

enum tn_code tn_cert_issue(struct tn_client *c, jv body, const char *key, jv *cert, int *replayed,
			   struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	enum tn_code rc;

	*cert = jv_invalid();
	*replayed = 0;
	req.method = "POST";
	req.path = "/v1/certs";
	req.body = body;
	req.idempotency_key = key;
	rc = tn_client_do(c, &req, &resp, err);
	if (rc == TN_OK) {
		*cert = jv_copy(resp.body);
		*replayed = resp.status == 200;
	}
	tn_response_release(&resp);
	return rc;
}

enum tn_code tn_cert_revoke(struct tn_client *c, const char *id, const char *reason, jv *cert,
			    struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_buf path = TN_BUF_INIT;
	enum tn_code rc;

	*cert = jv_invalid();
	if (tn_cert_id_parse(id, NULL, err) != TN_OK)
		return TN_EINVALID;
	tn_buf_addf(&path, "/v1/certs/%s/revoke", id);
	req.method = "POST";
	req.path = path.buf;
	req.body = jv_object_set(jv_object(), jv_string("reason"), jv_string(reason));
	req.no_retry = 1;
	rc = tn_client_do(c, &req, &resp, err);
	if (rc == TN_OK)
		*cert = jv_copy(resp.body);
	tn_response_release(&resp);
	tn_buf_release(&path);
	return rc;
}

/* ---- bulk ---- */

struct bulk {
	struct tn_ndjson in;
	jv kinds;
	struct tn_cert_issue_stats *stats;
	tn_cert_issue_fn fn;
	void *ctx;
	struct tn_err ioerr, fatal;
};

struct bulk_tag {
	long line;
	char *key;
};

/* A failed record; `prefix` 1: its message does not name the line yet. */
static void fail(struct bulk *b, long line, struct tn_err *e, int prefix)
{
	b->stats->failed++;
	if (prefix)
		tn_err_prefix(e, "%s:%ld", b->in.name, line);
	b->fn(b->ctx, line, e->code, jv_invalid(), 0, e);
}

static int bulk_next(void *ctx, struct tn_request *req, void **tag)
{
	struct bulk *b = ctx;
	struct tn_err e = TN_ERR_INIT;
	jv rec, body;
	char *key;

	if (b->fatal.code != TN_OK)
		return -1;
	for (;;) {
		int rc = tn_ndjson_next(&b->in, &rec, &e);

		if (rc == 0)
			return 0;
		if (rc < 0 && e.code == TN_EIO) {
			b->ioerr = e;
			return -1;
		}
		b->stats->read++;
		if (rc > 0 && tn_cert_issue_prepare(b->kinds, rec, NULL, &body, &key, &e) == TN_OK)
			break;
		fail(b, b->in.line, &e, rc > 0);   /* the reader's errors name the line */
		tn_err_clear(&e);
	}
	struct bulk_tag *t = tn_xmalloc(sizeof(*t));
	t->line = b->in.line;
	t->key = key;
	req->method = "POST";
	req->path = "/v1/certs";
	req->body = body;
	req->idempotency_key = t->key;
	*tag = t;
	return 1;
}

static void bulk_done(void *ctx, void *tag, enum tn_code code, struct tn_response *resp,
		      const struct tn_err *err)
{
	struct bulk *b = ctx;
	struct bulk_tag *t = tag;
	long line = t->line;

	free(t->key);
	free(t);
	if (code == TN_OK) {
		if (resp->status == 200)
			b->stats->replayed++;
		else
			b->stats->issued++;
		b->fn(b->ctx, line, TN_OK, jv_copy(resp->body), resp->status == 200, NULL);
		return;
	}
	struct tn_err e = *err;
	e.code = code;
	if (b->fatal.code != TN_OK) {
		b->stats->failed++;
		return;
	}
	if ((code == TN_EAUTH && e.http_status == 401) || code == TN_EUNREACHABLE) {
		b->fatal = e;
		b->stats->failed++;
		return;
	}
	fail(b, line, &e, 1);
}

enum tn_code tn_cert_issue_bulk(struct tn_client *c, jv kinds, FILE *in, const char *name,
				int parallel, tn_cert_issue_fn fn, void *ctx,
				struct tn_cert_issue_stats *stats, struct tn_err *err)
{
	struct bulk b;
	enum tn_code rc;

	memset(stats, 0, sizeof(*stats));
	memset(&b, 0, sizeof(b));
	tn_ndjson_init(&b.in, in, name);
	b.kinds = kinds;
	b.stats = stats;
	b.fn = fn;
	b.ctx = ctx;
	rc = tn_client_bulk(c, parallel < 1 ? 1 : parallel, bulk_next, bulk_done, &b, err);
	if (b.fatal.code != TN_OK) {
		if (err)
			*err = b.fatal;
		rc = b.fatal.code;
	} else if (b.ioerr.code != TN_OK) {
		if (err)
			*err = b.ioerr;
		rc = TN_EIO;
	}
	tn_ndjson_release(&b.in);
	if (rc == TN_OK && stats->failed > 0)
		rc = tn_err_set(err, TN_EPARTIAL, "%ld of %ld certificates failed", stats->failed,
				stats->read);
	return rc;
}
