/* certfetch.c — fetching e-certificates by id (bulk) or by holder, the issuers' keys with their ETag, offline verification of saved files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_cert.h"
#include "tn_cli.h"
#include "tn_http.h"
#include "tn_id.h"
#include "tn_jv.h"

/* Certificates verified together: big enough to keep every core busy. */
#define FLUSH_AT 512

const char *tn_cert_columns[] = {
	"kind_name", "holder.name", "holder.id", "issuer.dept", "valid_until", "status",
	"verification.valid", "verification.reason", "id", NULL
};

enum tn_code tn_cert_issuers_fetch(struct tn_client *c, const char *url, jv *items,
				   int *from_cache, struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_buf h = TN_BUF_INIT;
	const char *hdrs[2] = { NULL, NULL };
	char *etag = NULL;
	jv cached;
	enum tn_code rc;

	*items = jv_invalid();
	if (from_cache)
		*from_cache = 0;
	if (tn_cert_cache_read(url, &cached, &etag, NULL) != TN_OK)
		cached = jv_invalid();
	if (etag && jv_is_valid(cached)) {
		tn_buf_addf(&h, "If-None-Match: %s", etag);
		hdrs[0] = h.buf;
		req.headers = hdrs;
	}
	req.path = "/v1/issuers";
	rc = tn_client_do(c, &req, &resp, err);
	if (rc == TN_OK && resp.status == 304 && jv_is_valid(cached)) {
		*items = cached;
		cached = jv_invalid();
		if (from_cache)
			*from_cache = 1;
	} else if (rc == TN_OK) {
		jv list = tn_jv_get(resp.body, "items");
		if (jv_get_kind(list) != JV_KIND_ARRAY) {
			jv_free(list);
			rc = tn_err_set(err, TN_ESERVER, "GET /v1/issuers: the answer has no 'items' list");
		} else {
			tn_cert_cache_write(url, jv_copy(list), resp.etag, NULL);
			*items = list;
		}
	} else if ((rc == TN_EUNREACHABLE || rc == TN_ESERVER) && jv_is_valid(cached)) {
		*items = cached;
		cached = jv_invalid();
		if (from_cache)
			*from_cache = 1;
		rc = TN_OK;
		tn_err_clear(err);
	}
	tn_response_release(&resp);
	jv_free(cached);
	free(etag);
	tn_buf_release(&h);
	return rc;
}

/* ---- verification in batches ---- */

struct pending {
	jv cert;
	size_t slot;
};

struct run {
	struct tn_cert_fetch *f;
	struct tn_cert_batch *batch;
	struct pending *p;
	size_t n, alloc;
	size_t started;         /* p[0, started) are being verified by the threads */
};

static void run_init(struct run *r, struct tn_cert_fetch *f)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	f->ok = f->invalid = f->not_found = f->failed = f->sm2 = f->as_sent = 0;
	f->first_error = TN_OK;
	if (f->kr)
		r->batch = tn_cert_batch_new(f->kr, f->threads, f->today);
}

/*
 * Hand over what is verified, in order.  The threads verify one group while
 * this thread parses the next: a flush starts what was added since the last
 * one and hands over the group started before it; `all` waits for all.
 */
static void run_flush(struct run *r, int all)
{
	struct tn_cert_fetch *f = r->f;
	size_t k = all || !r->batch ? r->n : r->started;

	if (r->batch)
		tn_cert_batch_wait(r->batch, k);
	for (size_t i = 0; i < k; i++) {
		jv cert = r->p[i].cert;
		if (r->batch) {
			struct tn_cert_verification v;
			tn_cert_batch_get(r->batch, r->p[i].slot, &v);
			if (!v.valid)
				f->invalid++;
			if (jv_get_kind(cert) == JV_KIND_OBJECT)
				cert = jv_object_set(cert, jv_string("verification"),
						     tn_cert_verification_json(&v));
		}
		f->ok++;
		f->fn(f->ctx, TN_OK, cert, NULL);
	}
	if (k < r->n)
		memmove(r->p, r->p + k, (r->n - k) * sizeof(*r->p));
	r->n -= k;
	r->started = r->n;
	if (r->batch) {
		tn_cert_batch_drop(r->batch, k);
		for (size_t i = 0; i < r->n; i++)
			r->p[i].slot -= k;
		f->sm2 = tn_cert_batch_sm2_count(r->batch);
	}
}

/* Queue one certificate (consumed). */
static void run_add(struct run *r, jv cert)
{
	if (r->n == r->alloc) {
		r->alloc = r->alloc ? 2 * r->alloc : 64;
		r->p = tn_xrealloc(r->p, r->alloc * sizeof(*r->p));
	}
	r->p[r->n].slot = r->batch ? tn_cert_batch_add(r->batch, cert) : 0;
	r->p[r->n].cert = cert;
	r->n++;
	if (r->n - r->started >= FLUSH_AT)
		run_flush(r, 0);
}

static void run_fail(struct run *r, enum tn_code code, const struct tn_err *err)
{
	struct tn_cert_fetch *f = r->f;

	if (code == TN_ENOTFOUND)
		f->not_found++;
	else
		f->failed++;
	if (f->first_error == TN_OK)
		f->first_error = code;
	f->fn(f->ctx, code, jv_invalid(), err);
}

static void run_done(struct run *r)
{
	run_flush(r, 1);
	tn_cert_batch_free(r->batch);
	free(r->p);
}

/* "?purpose=P" (or "&") appended to `b`. */
static void add_purpose(struct tn_buf *b, const char *purpose, int first)
{
	tn_buf_adds(b, first ? "?purpose=" : "&purpose=");
	tn_url_escape(b, purpose ? purpose : "");
}

/*
 * The consent headers of `f` into hdrs (NULL-terminated, at most two): the
 * reader's X-Consent-Token and the holder's X-Consent-Code, each line kept
 * in its buffer.  Returns hdrs, or NULL when there is neither.
 */
static const char *const *consent_headers(const struct tn_cert_fetch *f, struct tn_buf *token,
					  struct tn_buf *code, const char *hdrs[3])
{
	int n = 0;

	if (f->consent && *f->consent) {
		tn_buf_addf(token, "X-Consent-Token: %s", f->consent);
		hdrs[n++] = token->buf;
	}
	if (f->consent_code && *f->consent_code) {
		tn_buf_addf(code, "X-Consent-Code: %s", f->consent_code);
		hdrs[n++] = code->buf;
	}
	hdrs[n] = NULL;
	return n ? hdrs : NULL;
}

/* ---- by id, in bulk ---- */

struct bulk {
	struct run run;
	tn_cert_next_id_fn next;
	void *next_ctx;
	struct tn_buf path;
	struct tn_buf consent, code;
	const char *headers[3];
	const char *const *hdrs;        /* headers, or NULL */
};

static int bulk_next(void *ctx, struct tn_request *req, void **tag)
{
	struct bulk *b = ctx;
	struct tn_err e = TN_ERR_INIT;
	const char *id;
	int got;

	for (;;) {
		got = b->next(b->next_ctx, &id, &e);
		if (got == 0)
			return 0;
		if (got < 0) {
			run_fail(&b->run, e.code ? e.code : TN_EINVALID, &e);
			if (e.code == TN_EIO)
				return 0;
			continue;
		}
		if (tn_cert_id_parse(id, NULL, &e) != TN_OK) {
			tn_err_prefix(&e, "certificate '%s'", id);   /* each failure names its record */
			run_fail(&b->run, TN_EINVALID, &e);
			continue;
		}
		break;
	}
	tn_buf_reset(&b->path);
	tn_buf_adds(&b->path, "/v1/certs/");
	tn_url_escape(&b->path, id);
	add_purpose(&b->path, b->run.f->purpose, 1);
	req->method = "GET";
	req->path = b->path.buf;
	req->headers = b->hdrs;
	req->verbatim = b->run.f->text && !b->run.batch;
	*tag = tn_xstrdup(id);
	return 1;
}

static void bulk_done(void *ctx, void *tag, enum tn_code code, struct tn_response *resp,
		      const struct tn_err *err)
{
	struct bulk *b = ctx;

	if (code == TN_OK && resp->text) {
		struct tn_cert_fetch *f = b->run.f;

		run_flush(&b->run, 1);          /* those parsed before it go first */
		f->ok++;
		f->as_sent++;
		f->text(f->ctx, resp->text, resp->text_len);
	} else if (code == TN_OK && jv_get_kind(resp->body) == JV_KIND_OBJECT) {
		run_add(&b->run, jv_copy(resp->body));
	} else {
		struct tn_err e = TN_ERR_INIT;
		if (code == TN_OK)
			tn_err_set(&e, TN_ESERVER, "certificate '%s': the answer is not a certificate",
				   (char *)tag);
		else
			tn_err_set(&e, code, "certificate '%s': %s", (char *)tag,
				   err && err->message[0] ? err->message : tn_code_str(code));
		e.http_status = resp ? resp->status : 0;
		run_fail(&b->run, e.code, &e);
	}
	free(tag);
}

enum tn_code tn_cert_fetch_ids(struct tn_cert_fetch *f, tn_cert_next_id_fn next, void *next_ctx,
			       struct tn_err *err)
{
	struct bulk b;
	enum tn_code rc;

	memset(&b, 0, sizeof(b));
	run_init(&b.run, f);
	b.next = next;
	b.next_ctx = next_ctx;
	tn_buf_init(&b.path);
	tn_buf_init(&b.consent);
	tn_buf_init(&b.code);
	b.hdrs = consent_headers(f, &b.consent, &b.code, b.headers);
	rc = tn_client_bulk(f->client, f->parallel, bulk_next, bulk_done, &b, err);
	run_done(&b.run);
	tn_buf_release(&b.path);
	tn_buf_release(&b.consent);
	tn_buf_release(&b.code);
	return rc;
}

/* ---- by holder ---- */

enum tn_code tn_cert_fetch_holder(struct tn_cert_fetch *f, const char *holder, const char *kind,
				  struct tn_err *err)
{
	struct run r;
	struct tn_buf path = TN_BUF_INIT, consent = TN_BUF_INIT, code = TN_BUF_INIT;
	const char *hdrs[3];
	const char *const *headers;
	char *cursor = NULL;
	enum tn_code rc = TN_OK;

	if (tn_id_check_holder(holder, err) != TN_OK)
		return TN_EINVALID;
	run_init(&r, f);
	headers = consent_headers(f, &consent, &code, hdrs);
	do {
		struct tn_request req = TN_REQUEST_INIT;
		struct tn_response resp;

		tn_buf_reset(&path);
		tn_buf_adds(&path, "/v1/certs?holder=");
		tn_url_escape(&path, holder);
		if (kind && *kind) {
			tn_buf_adds(&path, "&kind=");
			tn_url_escape(&path, kind);
		}
		add_purpose(&path, f->purpose, 0);
		tn_buf_adds(&path, "&limit=1000");
		if (cursor) {
			tn_buf_adds(&path, "&cursor=");
			tn_url_escape(&path, cursor);
		}
		free(cursor);
		cursor = NULL;
		req.path = path.buf;
		req.headers = headers;
		rc = tn_client_do(f->client, &req, &resp, err);
		if (rc == TN_OK) {
			jv items = tn_jv_get(resp.body, "items");
			const char *next = tn_jv_str(resp.body, "next");   /* borrowed */
			if (jv_get_kind(items) != JV_KIND_ARRAY) {
				rc = tn_err_set(err, TN_ESERVER, "GET /v1/certs: the answer has no 'items' list");
			} else {
				int n = jv_array_length(jv_copy(items));
				for (int i = 0; i < n; i++)
					run_add(&r, jv_array_get(jv_copy(items), i));
				run_flush(&r, 1);
			}
			if (next && *next)
				cursor = tn_xstrdup(next);
			jv_free(items);
		}
		tn_response_release(&resp);
	} while (rc == TN_OK && cursor && !tn_cli_interrupted());
	free(cursor);
	if (rc == TN_OK && tn_cli_interrupted())
		rc = tn_err_set(err, TN_EINTR, "interrupted");
	run_done(&r);
	tn_buf_release(&path);
	tn_buf_release(&consent);
	tn_buf_release(&code);
	return rc;
}

/* ---- offline ---- */

/* Queue a value of a saved file: a certificate, an array, or a list body. */
static void add_value(struct run *r, jv v)
{
	if (jv_get_kind(v) == JV_KIND_ARRAY) {
		int n = jv_array_length(jv_copy(v));
		for (int i = 0; i < n; i++)
			add_value(r, jv_array_get(jv_copy(v), i));
		jv_free(v);
		return;
	}
	if (jv_get_kind(v) == JV_KIND_OBJECT) {
		jv items = tn_jv_get(v, "items");
		if (jv_get_kind(items) == JV_KIND_ARRAY) {
			jv_free(v);
			add_value(r, items);
			return;
		}
		jv_free(items);
	}
	run_add(r, v);
}

enum tn_code tn_cert_verify_file(struct tn_cert_fetch *f, const char *path, struct tn_err *err)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "r") : stdin;
	const char *name = strcmp(path, "-") ? path : "stdin";
	struct jv_parser *parser;
	struct run r;
	char chunk[65536];
	size_t n;
	enum tn_code rc = TN_OK;
	long values = 0;

	if (!fp)
		return tn_err_set(err, TN_EIO, "cannot open '%s': %s", path, strerror(errno));
	run_init(&r, f);
	parser = jv_parser_new(0);
	for (;;) {
		int last;
		n = fread(chunk, 1, sizeof(chunk), fp);
		last = n < sizeof(chunk);
		if (n == 0 && ferror(fp)) {
			rc = tn_err_set(err, TN_EIO, "cannot read '%s': %s", name, strerror(errno));
			break;
		}
		jv_parser_set_buf(parser, chunk, (int)n, !last);
		for (;;) {
			jv v = jv_parser_next(parser);
			if (jv_is_valid(v)) {
				values++;
				add_value(&r, v);
				continue;
			}
			if (jv_invalid_has_msg(jv_copy(v))) {
				jv msg = jv_invalid_get_msg(v);
				rc = tn_err_set(err, TN_EINVALID, "%s: %s", name,
						jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg)
										   : "not JSON");
				jv_free(msg);
			} else {
				jv_free(v);
			}
			break;
		}
		if (rc != TN_OK || last)
			break;
	}
	jv_parser_free(parser);
	if (fp != stdin)
		fclose(fp);
	if (rc == TN_OK && values == 0)
		rc = tn_err_set(err, TN_EINVALID, "%s: no certificate in it", name);
	run_done(&r);
	return rc;
}
