/* cases_bulk.c — POST /v1/cases with {"cases":[{"key","case"}...]}: many filings in one request, each on its own. */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "tn_buf.h"
#include "tn_http.h"
#include "tn_jv.h"
#include "twonetd.h"
#include "cases_int.h"

/*
 * A batch is filed as its items would be one a request: each item goes
 * through cases_file (the same checks, the same group commit of the loop
 * turn, the same idempotency under its own key) as a "part", a request whose
 * answer reply.c hands to part_done instead of sending it; CASES_TURN items a
 * turn of the loop (hand_out).  The batch is
 * answered once every part has been: the parts' answers in order.  A part
 * answered 5xx (its transaction failed, or the database is away) makes the
 * whole batch that answer: the client retries the batch whole, and what was
 * filed replays.
 */

#define CASES_BATCH_MAX 1000
#define CASES_TURN 64           /* items handed out a loop turn: the worker's other requests go on */

struct answer {
	int status;
	char *body;
	size_t len;
};

struct batch {
	struct req *q;          /* the batch's request, deferred; owns the token the parts borrow */
	jv list;                /* the items: the parts' keys point into it until the answer */
	int n, left;            /* items; answers still to come (+1 while they are handed out) */
	int next;               /* the next item to hand out */
	struct answer *a;
};

static void finish(struct batch *b)
{
	struct tn_buf out = TN_BUF_INIT;
	long created = 0, replayed = 0, failed = 0;
	int i;

	for (i = 0; i < b->n; i++)
		if (tn_http_retryable(b->a[i].status))
			break;
	if (i < b->n) {         /* the first the client would retry on: the batch's answer */
		if (b->a[i].status == 503)
			req_set_header(b->q, "Retry-After", "1");
		reply_text(b->q, b->a[i].status, "application/problem+json", b->a[i].body,
			   b->a[i].len);
	} else {
		tn_buf_adds(&out, "{\"results\":[");
		for (i = 0; i < b->n; i++) {
			const struct answer *a = &b->a[i];
			int ok = a->status == 200 || a->status == 201;

			tn_buf_addf(&out, "%s{\"index\":%d,\"status\":%d,\"%s\":", i ? "," : "", i,
				    a->status, ok ? "case" : "problem");
			tn_buf_add(&out, a->body, a->len);
			tn_buf_adds(&out, a->status == 200 ? ",\"replayed\":true}" : "}");
			created += a->status == 201;
			replayed += a->status == 200;
			failed += !ok;
		}
		tn_buf_addf(&out, "],\"created\":%ld,\"replayed\":%ld,\"failed\":%ld}", created,
			    replayed, failed);
		reply_text(b->q, 200, "application/json", out.buf, out.len);
		tn_buf_release(&out);
	}
	for (i = 0; i < b->n; i++)
		free(b->a[i].body);
	free(b->a);
	jv_free(b->list);
	req_deferred_free(b->q);
	free(b);
}

/* reply.c: part `p` of a batch is answered. */
static void part_done(struct req *p, int status, const char *body, size_t len)
{
	struct batch *b = p->part_ctx;
	struct answer *a = &b->a[p->part_index];

	a->status = status;
	a->len = len;
	a->body = tn_xmalloc(len + 1);
	memcpy(a->body, body, len);
	a->body[len] = '\0';
	if (--b->left == 0)
		finish(b);
}

/* Item `i` of the batch, as a part of it: answered through part_done. */
static void file_part(struct batch *b, int i)
{
	static const char *const members[] = { "key", "case", NULL };
	struct req p;
	jv it = jv_array_get(jv_copy(b->list), i), kase;
	const char *key;

	memset(&p, 0, sizeof(p));
	p.srv = b->q->srv;
	p.r = b->q->r;
	p.method = b->q->method;
	p.uri = b->q->uri;
	p.tok = b->q->tok;      /* borrowed: a part never releases it */
	p.t0 = b->q->t0;
	p.part = part_done;
	p.part_ctx = b;
	p.part_index = i;
	if (jv_get_kind(it) != JV_KIND_OBJECT) {
		reply_problem(&p, 422, NULL, "item %d must be an object {\"key\",\"case\"}", i);
	} else if (reply_unknown_member(&p, it, members, NULL) < 0) {
		;
	} else if (!(key = tn_jv_str(it, "key"))) {
		reply_problem(&p, 422, "key", "item %d has no key (its idempotency key, a string)", i);
	} else if (tn_idem_key_check(key, NULL) != TN_OK) {
		reply_problem(&p, 400, "key", "item %d: key must be 1 to 128 printable characters",
			      i);
	} else if (jv_get_kind(kase = jv_object_get(jv_copy(it), jv_string("case"))) !=
		   JV_KIND_OBJECT) {
		jv_free(kase);
		reply_problem(&p, 422, "case", "item %d: case must be an object", i);
	} else {
		jv_free(it);    /* key and the case stay alive in b->list until the answer */
		cases_file(&p, kase, key);
		return;
	}
	jv_free(it);
}

/*
 * CASES_TURN items of batch `arg`, then the rest at the next turns of the
 * loop: a batch of 1000 (each item checked, some with certificates to look
 * up and audit) does not hold the worker's other connections meanwhile.
 */
static void hand_out(evutil_socket_t fd, short what, void *arg)
{
	struct batch *b = arg;
	int end = b->next + CASES_TURN < b->n ? b->next + CASES_TURN : b->n;
	struct timeval now = { 0, 0 };

	(void)fd;
	(void)what;
	while (b->next < end)
		file_part(b, b->next++);
	if (b->next < b->n &&
	    event_base_once(b->q->srv->base, -1, EV_TIMEOUT, hand_out, b, &now) == 0)
		return;
	while (b->next < b->n)  /* no event to be had: the rest now */
		file_part(b, b->next++);
	if (--b->left == 0)
		finish(b);
}

void cases_post_batch(struct req *q, jv body)
{
	static const char *const members[] = { "cases", NULL };
	jv list = jv_object_get(jv_copy(body), jv_string("cases"));
	struct batch *b;
	int n;

	if (reply_unknown_member(q, body, members, NULL) < 0) {
		jv_free(list);
		jv_free(body);
		return;
	}
	jv_free(body);
	n = jv_get_kind(list) == JV_KIND_ARRAY ? jv_array_length(jv_copy(list)) : -1;
	if (n < 1 || n > CASES_BATCH_MAX) {
		jv_free(list);
		reply_problem(q, 422, "cases", "cases must be an array of 1 to %d items",
			      CASES_BATCH_MAX);
		return;
	}
	b = tn_xcalloc(1, sizeof(*b));
	b->list = list;
	b->n = n;
	b->left = n + 1;        /* the batch cannot be answered while its items are handed out */
	b->a = tn_xcalloc((size_t)n, sizeof(*b->a));
	b->q = req_defer(q);
	hand_out(-1, 0, b);
}
