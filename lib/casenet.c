/* casenet.c — cases on the server: filing (single and bulk), listing, showing, acting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_case.h"
#include "tn_http.h"
#include "tn_jv.h"
#include "tn_list.h"
#include "tn_ndjson.h"

/* ---- filing ---- */

enum tn_code tn_case_submit(struct tn_client *c, jv body, const char *key,
			    const char *consent_code, jv *created, int *replayed,
			    struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_buf code = TN_BUF_INIT;
	const char *hdrs[2] = { NULL, NULL };
	enum tn_code rc;

	req.method = "POST";
	req.path = "/v1/cases";
	req.body = body;
	req.idempotency_key = key;
	if (consent_code && *consent_code) {
		tn_buf_addf(&code, "X-Consent-Code: %s", consent_code);
		hdrs[0] = code.buf;
		req.headers = hdrs;
	}
	rc = tn_client_do(c, &req, &resp, err);
	tn_buf_release(&code);
	if (rc == TN_OK) {
		*created = jv_copy(resp.body);
		*replayed = resp.status == 200;
	}
	tn_response_release(&resp);
	return rc;
}

struct bulk {
	struct tn_ndjson in;
	struct tn_case_stats *stats;
	tn_case_result_fn fn;
	tn_case_text_fn text;   /* NULL: every case parsed, to fn */
	void *ctx;
	int dry_run;
	char *key;          /* key of the record last prepared (moved into a tag when sent) */
	struct tn_err ioerr;
	struct tn_err fatal;  /* 401 or server unreachable: every record would fail so */
};

/* Report a failed record through the callback. */
static void fail(struct bulk *b, long line, const struct tn_err *e)
{
	b->stats->failed++;
	b->fn(b->ctx, line, e->code, jv_invalid(), 0, e);
}

/*
 * The next prepared record: 1 with *body and b->key set, 0 at the end, -1 on
 * a read error (b->ioerr set).  Bad records are reported and skipped.
 */
static int next_record(struct bulk *b, jv *body, long *line)
{
	struct tn_err e = TN_ERR_INIT;
	jv rec;
	char warning[300];

	for (;;) {
		int rc = tn_ndjson_next(&b->in, &rec, &e);
		if (rc == 0)
			return 0;
		b->stats->read++;
		if (rc < 0) {
			if (e.code == TN_EIO) {
				b->stats->read--;
				b->ioerr = e;
				return -1;
			}
			fail(b, b->in.line, &e);
			tn_err_clear(&e);
			continue;
		}
		free(b->key);
		b->key = NULL;
		if (tn_case_prepare(rec, NULL, body, &b->key, warning, sizeof(warning), &e) != TN_OK) {
			tn_err_prefix(&e, "%s:%ld", b->in.name, b->in.line);
			fail(b, b->in.line, &e);
			tn_err_clear(&e);
			continue;
		}
		*line = b->in.line;
		return 1;
	}
}

/* A request in flight: its input line and its key, alive until its result. */
struct bulk_tag {
	long line;
	char *key;
};

static int bulk_next(void *ctx, struct tn_request *req, void **tag)
{
	struct bulk *b = ctx;
	jv body;
	long line;
	int rc;

	if (b->fatal.code != TN_OK)
		return -1;
	if ((rc = next_record(b, &body, &line)) <= 0)
		return rc;
	struct bulk_tag *t = tn_xmalloc(sizeof(*t));
	t->line = line;
	t->key = b->key;
	b->key = NULL;
	req->method = "POST";
	req->path = "/v1/cases";
	req->body = body;
	req->idempotency_key = t->key;
	req->verbatim = b->text != NULL;
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
			b->stats->filed++;
		if (resp->text) {
			b->stats->as_sent++;
			b->text(b->ctx, line, resp->text, resp->text_len, resp->status == 200);
		} else {
			b->fn(b->ctx, line, TN_OK, jv_copy(resp->body), resp->status == 200, NULL);
		}
	} else {
		struct tn_err e = *err;
		e.code = code;
		if (b->fatal.code != TN_OK) {
			b->stats->failed++;  /* already said once */
			return;
		}
		if ((code == TN_EAUTH && e.http_status == 401) || code == TN_EUNREACHABLE) {
			b->fatal = e;
			b->stats->failed++;
			return;
		}
		tn_err_prefix(&e, "%s:%ld", b->in.name, line);
		fail(b, line, &e);
	}
}

enum tn_code tn_case_submit_bulk(struct tn_client *client, FILE *in, const char *name,
				 int parallel, int dry_run, tn_case_result_fn fn, void *ctx,
				 struct tn_case_stats *stats, struct tn_err *err)
{
	return tn_case_submit_bulk_text(client, in, name, parallel, dry_run, fn, NULL, ctx, stats,
					err);
}

enum tn_code tn_case_submit_bulk_text(struct tn_client *client, FILE *in, const char *name,
				      int parallel, int dry_run, tn_case_result_fn fn,
				      tn_case_text_fn text, void *ctx, struct tn_case_stats *stats,
				      struct tn_err *err)
{
	struct bulk b;
	enum tn_code rc = TN_OK;

	memset(stats, 0, sizeof(*stats));
	memset(&b, 0, sizeof(b));
	tn_ndjson_init(&b.in, in, name);
	b.stats = stats;
	b.fn = fn;
	b.text = text;
	b.ctx = ctx;
	b.dry_run = dry_run;
	if (parallel < 1)
		parallel = 1;
	if (dry_run) {
		jv body;
		long line;
		int r;
		while ((r = next_record(&b, &body, &line)) > 0) {
			jv d = jv_object_set(jv_object(), jv_string("key"), jv_string(b.key));
			d = jv_object_set(d, jv_string("body"), body);
			stats->filed++;
			fn(ctx, line, TN_OK, d, 0, NULL);
		}
		if (r < 0)
			rc = TN_EIO;
	} else {
		rc = tn_client_bulk(client, parallel, bulk_next, bulk_done, &b, err);
		if (b.fatal.code != TN_OK) {
			if (err)
				*err = b.fatal;
			rc = b.fatal.code;
		} else if (b.ioerr.code != TN_OK) {
			rc = TN_EIO;
		}
	}
	if (rc == TN_EIO && b.ioerr.code != TN_OK && err)
		*err = b.ioerr;
	free(b.key);
	tn_ndjson_release(&b.in);
	if (rc == TN_OK && stats->failed > 0)
		rc = tn_err_set(err, TN_EPARTIAL, "%ld of %ld cases failed", stats->failed,
				stats->read);
	return rc;
}

/* ---- listing ---- */

static void add_param(struct tn_buf *path, int *first, const char *name, const char *value)
{
	if (!value)
		return;
	tn_buf_addch(path, *first ? '?' : '&');
	*first = 0;
	tn_buf_adds(path, name);
	tn_buf_addch(path, '=');
	tn_url_escape(path, value);
}

enum tn_code tn_case_query_path(const struct tn_case_query *q, long page_size,
				const char *cursor, struct tn_buf *path, struct tn_err *err)
{
	int first = 1;
	long day;
	char num[32];

	if (q->since && tn_date_parse(q->since, &day) != 0)
		return tn_err_set(err, TN_EUSAGE, "invalid --since '%s': expected YYYY-MM-DD", q->since);
	if (q->until && tn_date_parse(q->until, &day) != 0)
		return tn_err_set(err, TN_EUSAGE, "invalid --until '%s': expected YYYY-MM-DD", q->until);
	tn_buf_adds(path, "/v1/cases");
	add_param(path, &first, "status", q->status);
	add_param(path, &first, "item", q->item);
	add_param(path, &first, "department", q->department);
	add_param(path, &first, "applicant", q->applicant);
	if (q->overdue >= 0)
		add_param(path, &first, "overdue", q->overdue ? "true" : "false");
	add_param(path, &first, "since", q->since);
	add_param(path, &first, "until", q->until);
	add_param(path, &first, "q", q->q);
	add_param(path, &first, "order", q->order);
	if (page_size > 0) {
		snprintf(num, sizeof(num), "%ld", page_size);
		add_param(path, &first, "limit", num);
	}
	add_param(path, &first, "cursor", cursor);
	return TN_OK;
}

#define PAGE_ALL 500

enum tn_code tn_case_list(struct tn_client *c, const struct tn_case_query *q, long limit,
			  tn_case_each_fn fn, void *ctx, struct tn_err *err)
{
	return tn_case_list_end(c, q, limit, fn, ctx, NULL, err);
}

static enum tn_code case_page(const void *q, long limit, const char *cursor, struct tn_buf *path,
			     struct tn_err *err)
{
	return tn_case_query_path(q, limit, cursor, path, err);
}

struct tn_pager tn_case_pager(const struct tn_case_query *q)
{
	struct tn_pager p = { "case", q, case_page, PAGE_ALL };

	return p;
}

enum tn_code tn_case_list_end(struct tn_client *c, const struct tn_case_query *q, long limit,
			      tn_case_each_fn fn, void *ctx, struct tn_list_end *end,
			      struct tn_err *err)
{
	struct tn_pager p = tn_case_pager(q);

	return tn_list_pages(c, &p, limit, fn, ctx, end, err);
}

/* ---- one case ---- */

static void case_path(struct tn_buf *b, const char *id, const char *suffix)
{
	tn_buf_adds(b, "/v1/cases/");
	tn_url_escape(b, id);
	tn_buf_adds(b, suffix);
}

/* GET the case; a 404 becomes "case 'ID' not found". */
static enum tn_code get_case(struct tn_client *c, const char *id, jv *out, struct tn_err *err)
{
	struct tn_buf path = TN_BUF_INIT;
	enum tn_code rc;

	case_path(&path, id, "");
	rc = tn_client_get(c, path.buf, out, err);
	tn_buf_release(&path);
	if (rc == TN_ENOTFOUND)
		tn_err_set(err, TN_ENOTFOUND, "case '%s' not found", id);
	return rc;
}

enum tn_code tn_case_get(struct tn_client *c, const char *id, int with_events, jv *out,
			 struct tn_err *err)
{
	struct tn_buf path = TN_BUF_INIT;
	char *cursor = NULL;
	jv kase, events = jv_array();
	enum tn_code rc = get_case(c, id, &kase, err);

	if (rc != TN_OK) {
		jv_free(events);
		return rc;
	}
	while (with_events) {
		tn_buf_reset(&path);
		case_path(&path, id, "/events");
		if (cursor) {
			tn_buf_adds(&path, "?cursor=");
			tn_url_escape(&path, cursor);
		}
		jv body;
		rc = tn_client_get(c, path.buf, &body, err);
		if (rc != TN_OK) {
			if (rc == TN_ENOTFOUND)
				tn_err_set(err, TN_ENOTFOUND, "case '%s' not found", id);
			break;
		}
		const char *next = tn_jv_str(body, "next");

		events = jv_array_concat(events, tn_jv_array(body, "items"));
		free(cursor);
		cursor = next && *next ? tn_xstrdup(next) : NULL;
		jv_free(body);
		if (!cursor)
			break;
	}
	free(cursor);
	tn_buf_release(&path);
	if (rc != TN_OK) {
		jv_free(kase);
		jv_free(events);
		return rc;
	}
	if (with_events)
		kase = jv_object_set(kase, jv_string("events"), events);
	else
		jv_free(events);
	*out = kase;
	return TN_OK;
}

enum tn_code tn_case_get_tree(struct tn_client *c, const char *id, int with_events, jv *out,
			      struct tn_err *err)
{
	jv kase, kids, subs = jv_array();
	enum tn_code rc = tn_case_get(c, id, with_events, &kase, err);
	int n;

	if (rc != TN_OK) {
		jv_free(subs);
		return rc;
	}
	kids = tn_jv_get(kase, "children");
	if (jv_get_kind(kids) != JV_KIND_ARRAY) {
		jv_free(kids);
		jv_free(subs);
		*out = kase;
		return TN_OK;
	}
	n = jv_array_length(jv_copy(kids));
	for (int i = 0; i < n && rc == TN_OK; i++) {
		jv k = jv_array_get(jv_copy(kids), i), sub;

		if (jv_get_kind(k) == JV_KIND_STRING) {
			rc = tn_case_get(c, jv_string_value(k), with_events, &sub, err);
			if (rc == TN_OK)
				subs = jv_array_append(subs, sub);
			else if (rc == TN_ENOTFOUND)
				rc = TN_OK;
		}
		jv_free(k);
	}
	jv_free(kids);
	if (rc != TN_OK) {
		jv_free(kase);
		jv_free(subs);
		return rc;
	}
	*out = jv_object_set(kase, jv_string("subcases"), subs);
	return TN_OK;
}

/* ---- actions ---- */

enum tn_code tn_case_act(struct tn_client *c, const char *id, const char *action,
			 const char *comment, long version, jv *out, struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_buf path = TN_BUF_INIT;
	char etag[40];
	enum tn_code rc;

	if (!tn_case_action_valid(action))
		return tn_err_set(err, TN_EUSAGE, "unknown action '%s' (one of %s)", action,
				  TN_CASE_ACTION_LIST);
	if (tn_case_check_comment(comment, err) != TN_OK)
		return TN_EINVALID;
	if (version < 1) {
		jv kase;
		rc = get_case(c, id, &kase, err);
		if (rc != TN_OK)
			return rc;
		version = tn_jv_long(kase, "version", 0);
		jv_free(kase);
		if (version < 1)
			return tn_err_set(err, TN_ESERVER, "case '%s' has no version", id);
	}
	snprintf(etag, sizeof(etag), "\"%ld\"", version);
	case_path(&path, id, "/actions");
	jv body = jv_object_set(jv_object(), jv_string("action"), jv_string(action));
	if (comment)
		body = jv_object_set(body, jv_string("comment"), jv_string(comment));
	req.method = "POST";
	req.path = path.buf;
	req.body = body;
	req.if_match = etag;
	rc = tn_client_do(c, &req, &resp, err);
	if (rc == TN_OK)
		*out = jv_copy(resp.body);
	tn_response_release(&resp);
	tn_buf_release(&path);
	if (rc == TN_ENOTFOUND) {
		tn_err_set(err, TN_ENOTFOUND, "case '%s' not found", id);
	} else if (rc == TN_ECONFLICT) {
		/* stale version, or a move the status does not allow: read it again to tell */
		struct tn_err e2 = TN_ERR_INIT;
		jv now;
		if (get_case(c, id, &now, &e2) == TN_OK) {
			long v = tn_jv_long(now, "version", 0);
			if (v != version)
				tn_err_set(err, TN_ECONFLICT,
					   "case '%s' was changed by someone else (now version %ld)",
					   id, v);
			jv_free(now);
		}
	}
	return rc;
}
