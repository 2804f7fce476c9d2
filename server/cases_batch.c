/* cases_batch.c — the group commit of case filings: the filings of one loop turn in one transaction, then their replies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "tn_buf.h"
#include "certs.h"
#include "twonetd.h"
#include "cases_int.h"

/*
 * A filing is a write transaction of its own (its idempotency check, its
 * row, its event): one a request makes the workers queue on SQLite's write
 * lock and pay a commit each.  Instead a worker keeps the filings it has
 * checked (the request deferred, nothing answered) and files them together
 * in ONE transaction at the next turn of its event loop (or
 * TWONETD_CASES_WINDOW_US later; at once when TWONETD_CASES_BATCH wait):
 * store_case_create_batch, each filing under a
 * savepoint of its own, so that one that fails (a key used with another
 * body, say) fails alone.  Only after COMMIT is any of them answered: no
 * 201 before its row is committed, and a replay of a key filed earlier in
 * the same batch is answered after the commit too.  When the transaction
 * fails every filing of it is answered with that error and nothing is
 * filed.  While another worker holds the write lock this one does not block:
 * it goes on taking requests and tries again shortly (as certs_audit.c).
 */

/* A filing checked and waiting for its transaction; c's strings point into it. */
struct filing {
	struct req *q;          /* deferred (req_defer) */
	jv body, item, applicant, deadline;
	char hash[65], now[40], from[16];
};

/* One worker's batch (a worker is a process: one of these each). */
static struct {
	struct event *timer;
	struct filing *w;
	struct store_case_new *cs;
	struct store_case_filed *res;
	int n, cap;
	long max_rows, window_us;
	struct busy_retry retry;        /* while the write lock is busy */
	long batches, rows;     /* statistics, logged at the end */
} b;

static void arm(long us)
{
	struct timeval tv = { us / 1000000L, us % 1000000L };

	evtimer_add(b.timer, &tv);
}

/* Whether to try again later (the lock busy for less than 10 s): re-armed, 1. */
static int retry_later(struct tn_err *err)
{
	long us;

	if (!busy_retry_next(&b.retry, &us, err))
		return 0;
	arm(us);
	return 1;
}

/*
 * File the waiting filings in one transaction and answer them.  `wait`:
 * block for the write lock (at the end, when the loop no longer runs).
 */
static void flush(struct srv *srv, int wait)
{
	struct tn_err err = TN_ERR_INIT;
	int n = b.n, rc;

	if (n == 0)
		return;
	rc = store_case_create_batch(srv->st, b.cs, n, b.res, wait, &err);
	if (rc == 1 && retry_later(&err))
		return;
	if (rc == 1) {          /* locked for too long: nothing was filed */
		for (int i = 0; i < n; i++) {
			jv_free(b.cs[i].doc);
			jv_free(b.cs[i].event);
			b.res[i].code = err.code;
			b.res[i].out = jv_invalid();
			b.res[i].text = NULL;
			b.res[i].err = err;
		}
	}
	if (rc != 0)
		fprintf(stderr, "twonetd: error: filing: %s\n", err.message);
	b.retry.busy = 0;
	b.n = 0;
	b.batches++;
	b.rows += n;
	req_log_hold(1);
	for (int i = 0; i < n; i++) {
		struct filing *w = &b.w[i];
		struct store_case_filed *r = &b.res[i];

		if (r->code == TN_OK && !r->replayed && r->text) {
			cases_reply_new(w->q, r->out, r->text, r->text_len);
		} else {
			if (r->code == TN_OK)
				cases_reply_filed(w->q, r->out, r->replayed);
			else
				reply_error(w->q, &r->err);
		}
		free(r->text);
		r->text = NULL;
		req_deferred_free(w->q);
		jv_free(w->body);
		jv_free(w->item);
		jv_free(w->applicant);
		jv_free(w->deadline);
	}
	req_log_hold(0);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	flush(arg, 0);
}

static const char *copy_in(char *dst, size_t size, const char *src)
{
	if (!src)
		return NULL;
	snprintf(dst, size, "%s", src);
	return dst;
}

void cases_file_batched(struct req *q, const struct store_case_new *c, jv body, jv item,
			jv applicant, jv deadline)
{
	struct filing *w;
	struct store_case_new *nc;

	if (!b.timer) {
		b.max_rows = certs_env_long("TWONETD_CASES_BATCH", 256, 1, 100000L);
		b.window_us = certs_env_long("TWONETD_CASES_WINDOW_US", 0, 0, 1000000L);
		b.timer = evtimer_new(q->srv->base, on_timer, q->srv);
	}
	if (!b.timer) {
		reply_problem(q, 500, NULL, "cannot set up the filing timer");
		jv_free(c->doc);
		jv_free(c->event);
		jv_free(body);
		jv_free(item);
		jv_free(applicant);
		jv_free(deadline);
		return;
	}
	if (b.n == b.cap) {
		b.cap = b.cap ? 2 * b.cap : 64;
		b.w = tn_xrealloc(b.w, (size_t)b.cap * sizeof(*b.w));
		b.cs = tn_xrealloc(b.cs, (size_t)b.cap * sizeof(*b.cs));
		b.res = tn_xrealloc(b.res, (size_t)b.cap * sizeof(*b.res));
		/* the waiting filings' strings live in b.w, which has just moved */
		for (int i = 0; i < b.n; i++) {
			b.cs[i].submitted_at = b.cs[i].submitted_at ? b.w[i].now : NULL;
			b.cs[i].idem_hash = b.cs[i].idem_hash ? b.w[i].hash : NULL;
			b.cs[i].deadline_from = b.cs[i].deadline_from ? b.w[i].from : NULL;
		}
	}
	w = &b.w[b.n];
	nc = &b.cs[b.n++];
	*nc = *c;
	w->body = body;
	w->item = item;
	w->applicant = applicant;
	w->deadline = deadline;
	nc->submitted_at = copy_in(w->now, sizeof(w->now), c->submitted_at);
	nc->idem_hash = copy_in(w->hash, sizeof(w->hash), c->idem_hash);
	nc->deadline_from = copy_in(w->from, sizeof(w->from), c->deadline_from);
	w->q = req_defer(q);    /* the token's strings (submitted_by) move with it */
	if (b.n >= b.max_rows)
		flush(q->srv, 0);
	else if (!b.retry.busy && !evtimer_pending(b.timer, NULL))
		arm(b.window_us);
}

void cases_worker_stop(struct srv *srv)
{
	flush(srv, 1);
	if (b.timer)
		event_free(b.timer);
	b.timer = NULL;
	free(b.w);
	free(b.cs);
	free(b.res);
	b.w = NULL;
	b.cs = NULL;
	b.res = NULL;
	b.n = b.cap = 0;
	if (getenv("TWONETD_CASES_STATS"))
		fprintf(stderr, "twonetd[%ld]: filing: %ld cases in %ld transactions\n",
			(long)getpid(), b.rows, b.batches);
}
