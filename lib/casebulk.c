/* casebulk.c — bulk filing: NDJSON records filed in batches ({"cases":[...]}) or one a request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "tn_buf.h"
#include "tn_case.h"
#include "tn_http.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_ndjson.h"

/*
 * Records are read as the driver (tn_client_bulk) has a free slot; a batch
 * takes the records the input has ready, up to `batch` of them and about
 * BATCH_BYTES, so a pipe fed slowly is filed as it comes, not when a batch
 * is full; while requests are in flight and no input is ready the driver is
 * told to ask again (TN_BULK_LATER) rather than left waiting on the read.
 * Each record keeps its own idempotency key inside the batch ({"key",
 * "case"}); the batch request carries a key made of theirs, so the driver
 * retries it whole (a 5xx, a lost connection): what was filed then replays.  A server that does not know batches (400 naming "cases") gets
 * the batch's records one a request, and every record after them.
 */

#define BATCH_BYTES (512L * 1024L)      /* a batch's records, about: the server takes 1 MiB */

/* One record in flight: its input line, its key, its body (kept only by a batch). */
struct rec {
	long line;
	char *key;
	jv body;
};

struct bulk_tag {
	int batch;              /* sent as a batch (even of one record) */
	int n;
	char bkey[80];          /* the batch's own key */
	struct rec r[];
};

struct bulk {
	struct tn_client *client;
	struct tn_ndjson in;
	struct tn_case_stats *stats;
	tn_case_result_fn fn;
	tn_case_text_fn text;   /* NULL: every case parsed, to fn */
	void *ctx;
	int batch;              /* records a request; 1: POST /v1/cases one a request */
	int inflight;           /* requests sent and not yet answered */
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

/* A record filed or replayed: its case as text (the server's bytes) or parsed (consumed). */
static void filed(struct bulk *b, long line, int replayed, const char *text, size_t len, jv kase)
{
	if (replayed)
		b->stats->replayed++;
	else
		b->stats->filed++;
	if (text) {
		b->stats->as_sent++;
		b->text(b->ctx, line, text, len, replayed);
	} else {
		b->fn(b->ctx, line, TN_OK, kase, replayed, NULL);
	}
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

	if (b->ioerr.code != TN_OK)
		return -1;
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

/* The request of tag `t`: POST /v1/cases of `body` (consumed) under `key` (the tag's); 1. */
static int send(struct bulk *b, struct tn_request *req, void **tag, struct bulk_tag *t, jv body,
		const char *key)
{
	req->method = "POST";
	req->path = "/v1/cases";
	req->body = body;
	req->idempotency_key = key;
	req->verbatim = b->text != NULL;
	*tag = t;
	b->inflight++;
	return 1;
}

/* The records the input has ready, up to b->batch, as one {"cases":[...]} request. */
static int next_batch(struct bulk *b, struct tn_request *req, void **tag)
{
	struct bulk_tag *t = tn_xcalloc(1, sizeof(*t) + (size_t)b->batch * sizeof(t->r[0]));
	struct tn_buf keys = TN_BUF_INIT;
	jv items = jv_array(), body;
	long line, bytes = 0;
	int rc = 0;

	while (t->n < b->batch && bytes < BATCH_BYTES) {
		if (t->n > 0 && !tn_ndjson_ready(&b->in))
			break;  /* the writer is slow: send what came */
		if ((rc = next_record(b, &body, &line)) <= 0)
			break;
		bytes += (long)b->in.buf.len + 64;
		t->r[t->n].line = line;
		t->r[t->n].key = b->key;
		t->r[t->n].body = jv_copy(body);
		tn_buf_adds(&keys, b->key);
		tn_buf_addch(&keys, '\n');
		items = jv_array_append(items, jv_object_set(jv_object_set(jv_object(),
			jv_string("key"), jv_string(b->key)), jv_string("case"), body));
		b->key = NULL;
		t->n++;
	}
	if (t->n == 0) {
		jv_free(items);
		tn_buf_release(&keys);
		free(t);
		return rc;
	}
	t->batch = 1;
	tn_idem_key_derive("batch-", keys.buf, keys.len, 32, t->bkey, sizeof(t->bkey));
	tn_buf_release(&keys);
	/* retried whole under its own key: each case has its own inside */
	return send(b, req, tag, t, jv_object_set(jv_object(), jv_string("cases"), items), t->bkey);
}

static int bulk_next(void *ctx, struct tn_request *req, void **tag)
{
	struct bulk *b = ctx;
	struct bulk_tag *t;
	jv body;
	long line;
	int rc;

	if (b->fatal.code != TN_OK)
		return -1;
	/* a slow writer: the answers in flight are not held up by a read that waits */
	if (b->inflight > 0 && !tn_ndjson_ready(&b->in))
		return TN_BULK_LATER;
	if (b->batch > 1)
		return next_batch(b, req, tag);
	if ((rc = next_record(b, &body, &line)) <= 0)
		return rc;
	t = tn_xcalloc(1, sizeof(*t) + sizeof(t->r[0]));
	t->n = 1;
	t->r[0].line = line;
	t->r[0].key = b->key;
	t->r[0].body = jv_invalid();
	b->key = NULL;
	return send(b, req, tag, t, body, t->r[0].key);
}

/* Record `line` failed with `err` (its code `code`); a failure every record would share stops the run. */
static void failed(struct bulk *b, long line, enum tn_code code, const struct tn_err *err)
{
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

/* Record `line` of a batch refused with `status` and its `problem` (consumed), as a single request's would be. */
static void refused(struct bulk *b, long line, long status, jv problem)
{
	struct tn_err err = TN_ERR_INIT;
	enum tn_code code = tn_err_from_problem(&err, status, problem, "POST", "/v1/cases");

	failed(b, line, code == TN_OK ? TN_ESERVER : code, &err);
	jv_free(problem);
}

/* One a request, waiting for each: a batch the server did not take (it does not know batches). */
static void file_singly(struct bulk *b, struct bulk_tag *t)
{
	for (int i = 0; i < t->n; i++) {
		struct tn_err err = TN_ERR_INIT;
		jv kase;
		int replayed;
		enum tn_code code = tn_case_submit(b->client, jv_copy(t->r[i].body), t->r[i].key,
						   NULL, &kase, &replayed, &err);

		if (code == TN_OK)
			filed(b, t->r[i].line, replayed, NULL, 0, kase);
		else
			failed(b, t->r[i].line, code, &err);
	}
}

static int lit(const char *s, size_t len, size_t *i, const char *w)
{
	size_t n = strlen(w);

	if (len - *i < n || memcmp(s + *i, w, n) != 0)
		return 0;
	*i += n;
	return 1;
}

static int num(const char *s, size_t len, size_t *i, long *out)
{
	size_t k = *i;

	*out = 0;
	while (k < len && k - *i < 9 && s[k] >= '0' && s[k] <= '9')
		*out = *out * 10 + (s[k++] - '0');
	if (k == *i)
		return 0;
	*i = k;
	return 1;
}

/* Past the object at s[*i] (canonical JSON: strings escape their quotes). */
static int object(const char *s, size_t len, size_t *i)
{
	int depth = 0;

	if (*i >= len || s[*i] != '{')
		return 0;
	for (size_t k = *i; k < len; k++) {
		if (s[k] == '"') {
			for (k++; k < len && s[k] != '"'; k++)
				if (s[k] == '\\')
					k++;
		} else if (s[k] == '{' || s[k] == '[') {
			depth++;
		} else if ((s[k] == '}' || s[k] == ']') && --depth == 0) {
			if (s[k] != '}')        /* not JSON: "{...]" */
				return 0;
			*i = k + 1;
			return 1;
		}
	}
	return 0;
}

int tn_case_batch_scan(const char *s, size_t len, int n, struct tn_case_span *at)
{
	size_t i = 0;
	long index;

	if (!lit(s, len, &i, "{\"results\":["))
		return 0;
	for (int k = 0; k < n; k++) {
		struct tn_case_span *p = &at[k];
		int ok;

		if ((k && !lit(s, len, &i, ",")) || !lit(s, len, &i, "{\"index\":") ||
		    !num(s, len, &i, &index) || index != k || !lit(s, len, &i, ",\"status\":") ||
		    !num(s, len, &i, &p->status))
			return 0;
		ok = p->status == 200 || p->status == 201;
		if (!lit(s, len, &i, ok ? ",\"case\":" : ",\"problem\":"))
			return 0;
		p->from = i;
		if (!object(s, len, &i))
			return 0;
		p->to = i;
		if (p->status == 200 && !lit(s, len, &i, ",\"replayed\":true"))
			return 0;
		if (!lit(s, len, &i, "}"))
			return 0;
	}
	return lit(s, len, &i, "],\"created\":");
}

/* The batch answer's results (`body` borrowed), parsed. */
static void results_parsed(struct bulk *b, struct bulk_tag *t, jv body)
{
	jv list = tn_jv_array(body, "results");
	struct tn_err err = TN_ERR_INIT;

	if (jv_array_length(jv_copy(list)) != t->n) {
		tn_err_set(&err, TN_ESERVER, "the server answered a batch of %d cases with %d "
			   "results", t->n, jv_array_length(jv_copy(list)));
		for (int i = 0; i < t->n; i++)
			failed(b, t->r[i].line, TN_ESERVER, &err);
		jv_free(list);
		return;
	}
	jv_array_foreach(list, i, r) {
		long status = tn_jv_long(r, "status", 0);

		if (status == 200 || status == 201) {
			filed(b, t->r[i].line, status == 200, NULL, 0, jv_object_get(jv_copy(r),
			      jv_string("case")));
		} else {
			refused(b, t->r[i].line, status, jv_object_get(jv_copy(r), jv_string("problem")));
		}
		jv_free(r);
	}
	jv_free(list);
}

static void batch_done(struct bulk *b, struct bulk_tag *t, enum tn_code code,
		       struct tn_response *resp, const struct tn_err *err)
{
	struct tn_case_span *at;
	jv body;

	if (code != TN_OK) {
		if (code == TN_EINVALID && err->http_status == 400 && !strcmp(err->field, "cases")) {
			b->batch = 1;
			file_singly(b, t);
			return;
		}
		for (int i = 0; i < t->n; i++)
			failed(b, t->r[i].line, code, err);
		return;
	}
	if (!resp->text) {
		results_parsed(b, t, resp->body);
		return;
	}
	at = tn_xmalloc((size_t)t->n * sizeof(*at));
	if (tn_case_batch_scan(resp->text, resp->text_len, t->n, at)) {
		for (int i = 0; i < t->n; i++) {
			const char *s = resp->text + at[i].from;
			size_t len = at[i].to - at[i].from;

			if (at[i].status == 200 || at[i].status == 201)
				filed(b, t->r[i].line, at[i].status == 200, s, len, jv_invalid());
			else
				refused(b, t->r[i].line, at[i].status, tn_json_parse(s, len));
		}
	} else {
		body = tn_json_parse(resp->text, resp->text_len);
		results_parsed(b, t, body);
		jv_free(body);
	}
	free(at);
}

static void bulk_done(void *ctx, void *tag, enum tn_code code, struct tn_response *resp,
		      const struct tn_err *err)
{
	struct bulk *b = ctx;
	struct bulk_tag *t = tag;

	b->inflight--;
	if (t->batch)
		batch_done(b, t, code, resp, err);
	else if (code != TN_OK)
		failed(b, t->r[0].line, code, err);
	else if (resp->text)
		filed(b, t->r[0].line, resp->status == 200, resp->text, resp->text_len, jv_invalid());
	else
		filed(b, t->r[0].line, resp->status == 200, NULL, 0, jv_copy(resp->body));
	for (int i = 0; i < t->n; i++) {
		free(t->r[i].key);
		jv_free(t->r[i].body);
	}
	free(t);
}

enum tn_code tn_case_submit_bulk(struct tn_client *client, FILE *in, const char *name,
				 int parallel, int dry_run, tn_case_result_fn fn, void *ctx,
				 struct tn_case_stats *stats, struct tn_err *err)
{
	return tn_case_submit_bulk_text(client, in, name, parallel, TN_CASE_BATCH, dry_run, fn,
					NULL, ctx, stats, err);
}

enum tn_code tn_case_submit_bulk_text(struct tn_client *client, FILE *in, const char *name,
				      int parallel, int batch, int dry_run, tn_case_result_fn fn,
				      tn_case_text_fn text, void *ctx, struct tn_case_stats *stats,
				      struct tn_err *err)
{
	struct bulk b;
	enum tn_code rc = TN_OK;

	memset(stats, 0, sizeof(*stats));
	memset(&b, 0, sizeof(b));
	tn_ndjson_init(&b.in, in, name);
	b.client = client;
	b.stats = stats;
	b.fn = fn;
	b.text = text;
	b.ctx = ctx;
	b.batch = batch < 1 ? 1 : batch > TN_CASE_BATCH_MAX ? TN_CASE_BATCH_MAX : batch;
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
