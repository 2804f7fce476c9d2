/* alertpost.c — raising alerts on the server: one, NDJSON in batches, and the loop's actions. */
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "tn_cli.h"
#include "tn_buf.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_ndjson.h"

#define BATCH_MAX 1000

/* A retry key from text: "alert-" and 32 hex digits of its SHA-256. */
static void retry_key(const char *s, char *out, size_t size)
{
	tn_idem_key_derive("alert-", s, strlen(s), 32, out, size);
}

/*
 * POST `body` (consumed: one alert, or {"alerts": [...]}) to /v1/alerts, as
 * tn_client_do.  POST is retried only under a key; alerts are deduplicated,
 * so any stable key will do: the retry key of the body's sorted JSON.
 */
static enum tn_code post(struct tn_client *c, jv body, struct tn_response *resp,
			 struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_buf text = TN_BUF_INIT;
	char key[48];

	tn_json_dump_sorted(body, &text);       /* jv_dump_string(JV_PRINT_SORTED)'s bytes */
	retry_key(text.buf ? text.buf : "", key, sizeof(key));
	tn_buf_release(&text);
	req.method = "POST";
	req.path = "/v1/alerts";
	req.body = body;
	req.idempotency_key = key;
	return tn_client_do(c, &req, resp, err);
}

enum tn_code tn_alert_post(struct tn_client *c, jv alert, jv *created, int *replayed,
			   struct tn_err *err)
{
	struct tn_response resp;
	enum tn_code rc = post(c, alert, &resp, err);

	if (rc == TN_OK) {
		*created = jv_copy(resp.body);
		if (replayed)
			*replayed = resp.status == 200;
	}
	tn_response_release(&resp);
	return rc;
}

/* The records of one batch in flight. */
struct batch {
	jv alerts;        /* array of normalised alerts */
	long lines[BATCH_MAX];
	int n;
};

static enum tn_code code_for_status(long status)
{
	if (status == 401 || status == 403)
		return TN_EAUTH;
	if (status == 404)
		return TN_ENOTFOUND;
	if (status == 409)
		return TN_ECONFLICT;
	if (status >= 500)
		return TN_ESERVER;
	return TN_EINVALID;
}

/* Report every record of the batch as failed with `e`'s message. */
static void fail_batch(struct batch *b, const char *name, const struct tn_err *e,
		       tn_alert_result_fn fn, void *ctx, struct tn_alert_stats *st)
{
	for (int i = 0; i < b->n; i++) {
		struct tn_err ie = *e;

		tn_err_prefix(&ie, "%s:%ld", name, b->lines[i]);
		st->failed++;
		fn(ctx, b->lines[i], ie.code, jv_invalid(), 0, &ie);
	}
}

/* Send one batch and report each record.  Returns the request's error when it failed as a whole. */
static enum tn_code send_batch(struct tn_client *c, struct batch *b, const char *name,
			       tn_alert_result_fn fn, void *ctx, struct tn_alert_stats *st,
			       struct tn_err *err)
{
	struct tn_response resp;
	struct tn_err e = TN_ERR_INIT;
	jv body = jv_object_set(jv_object(), jv_string("alerts"), jv_copy(b->alerts));
	enum tn_code rc = post(c, body, &resp, &e);
	jv results;

	if (rc != TN_OK) {
		fail_batch(b, name, &e, fn, ctx, st);
		tn_response_release(&resp);
		*err = e;
		return rc;
	}
	results = tn_jv_get(resp.body, "results");
	for (int i = 0; i < b->n; i++) {
		jv r = jv_get_kind(results) == JV_KIND_ARRAY ? jv_array_get(jv_copy(results), i) : jv_invalid();
		long status = (long)tn_alert_ll(r, "status");
		struct tn_err ie = TN_ERR_INIT;

		if (status == 200 || status == 201) {
			jv a = jv_object_get(jv_copy(r), jv_string("alert"));
			/* an update or a cancel applied: 200 without "replayed" */
			int replay = status == 200 && tn_jv_bool(r, "replayed", 0);

			if (status == 201)
				st->created++;
			else if (replay)
				st->replayed++;
			else
				st->updated++;
			fn(ctx, b->lines[i], TN_OK, a, replay, NULL);
		} else {
			jv prob = tn_jv_get(r, "problem");
			const char *detail = tn_jv_str(prob, "detail");   /* borrowed from prob */

			if (detail)
				tn_err_set(&ie, code_for_status(status), "%s:%ld: %s", name, b->lines[i],
					   detail);
			else if (status > 0)
				tn_err_set(&ie, code_for_status(status), "%s:%ld: refused with status %ld",
					   name, b->lines[i], status);
			else
				tn_err_set(&ie, TN_ESERVER, "%s:%ld: the server's answer has no result for it",
					   name, b->lines[i]);
			ie.http_status = status > 0 ? status : 0;
			st->failed++;
			fn(ctx, b->lines[i], ie.code, jv_invalid(), 0, &ie);
			jv_free(prob);
		}
		jv_free(r);
	}
	jv_free(results);
	tn_response_release(&resp);
	return TN_OK;
}

enum tn_code tn_alert_post_bulk(struct tn_client *client, FILE *in, const char *name,
				long batch_size, int dry_run, tn_alert_result_fn fn, void *ctx,
				struct tn_alert_stats *st, struct tn_err *err)
{
	struct tn_ndjson r;
	struct batch *b = tn_xcalloc(1, sizeof(*b));
	enum tn_code rc = TN_OK;
	int got;

	memset(st, 0, sizeof(*st));
	if (batch_size < 1 || batch_size > BATCH_MAX)
		batch_size = 100;
	b->alerts = jv_array();
	tn_ndjson_init(&r, in, name);
	for (;;) {
		struct tn_err e = TN_ERR_INIT;
		jv rec, norm;

		if (tn_cli_interrupted()) {
			rc = tn_err_set(err, TN_EINTR, "interrupted");
			break;
		}
		got = tn_ndjson_next(&r, &rec, &e);
		if (got == 0)
			break;
		st->read++;
		if (got < 0) {
			st->failed++;
			fn(ctx, r.line, e.code, jv_invalid(), 0, &e);
			if (e.code == TN_EIO) {
				rc = tn_err_set(err, TN_EIO, "%s", e.message);
				break;
			}
			continue;
		}
		if (tn_alert_normalize(rec, 1, &norm, &e)) {
			tn_err_prefix(&e, "%s:%ld", name, r.line);
			st->failed++;
			fn(ctx, r.line, e.code, jv_invalid(), 0, &e);
			continue;
		}
		if (dry_run) {
			st->created++;
			fn(ctx, r.line, TN_OK, norm, 0, NULL);
			continue;
		}
		b->alerts = jv_array_append(b->alerts, norm);
		b->lines[b->n++] = r.line;
		if (b->n == batch_size) {
			rc = send_batch(client, b, name, fn, ctx, st, err);
			jv_free(b->alerts);
			b->alerts = jv_array();
			b->n = 0;
			if (rc)
				break;
		}
	}
	if (rc == TN_OK && b->n)
		rc = send_batch(client, b, name, fn, ctx, st, err);
	jv_free(b->alerts);
	free(b);
	tn_ndjson_release(&r);
	if (rc == TN_OK && st->failed)
		rc = tn_err_set(err, TN_EPARTIAL, "%ld of %ld alert%s failed", st->failed, st->read,
				st->read == 1 ? "" : "s");
	return rc;
}
