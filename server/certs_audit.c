/* certs_audit.c — the group commit of certificate reads: their audit rows written together, then their replies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "tn_buf.h"
#include "certs.h"
#include "store_certs.h"
#include "twonetd.h"

/*
 * Every certificate read, allowed or refused, is written to the hash-chained
 * audit log before it is answered.  One transaction a read makes every GET a
 * write and the workers queue on SQLite's write lock; instead a worker keeps
 * the reads it has answered (the reply held back, the request deferred) and
 * writes their rows in ONE transaction: at the next turn of its event loop
 * (or TWONETD_AUDIT_WINDOW_US later), or at once when TWONETD_AUDIT_BATCH
 * rows wait.  The chain continues from the head read inside the transaction,
 * so workers interleave correctly.  Only after COMMIT are the replies sent;
 * when the rows cannot be written every read of the batch is answered 500
 * and nothing is served.  While another worker holds the write lock this one
 * does not block: it goes on taking requests and tries again shortly.
 */

#define RETRY_US 50             /* the write lock was busy: try again after 50 us, */
#define RETRY_MAX_US 800        /* doubling up to this (each try costs system calls) */
#define BUSY_MAX_S 10           /* as store_open's busy timeout: then give up */

int busy_retry_next(struct busy_retry *r, long *us, struct tn_err *err)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!r->busy)
		r->since = now;
	if (now.tv_sec - r->since.tv_sec >= BUSY_MAX_S) {
		tn_err_set(err, TN_ESERVER, "the database stayed locked for %d s", BUSY_MAX_S);
		return 0;
	}
	*us = r->busy < 5 ? RETRY_US << r->busy : RETRY_MAX_US;
	if (*us > RETRY_MAX_US)
		*us = RETRY_MAX_US;
	r->busy++;
	return 1;
}

/* A read answered and waiting for its audit row. */
struct waiting {
	struct req *q;          /* deferred (req_defer) */
	int status;
	char *field, *detail;   /* the problem of a refusal */
	char *text;             /* the 200 body */
	char *cert, *holder, *purpose;
	const char *outcome;    /* static */
	char at[40];
};

/* One worker's batch (a worker is a process: one of these each). */
static struct {
	struct srv *srv;
	struct event *timer;
	struct waiting *w;
	size_t n, cap;
	long window_us, max_rows;
	struct busy_retry retry;
	long batches, rows;     /* statistics, logged at the end */
	long busy_tries;        /* tries that found the write lock taken */
	double busy_s, held_s;  /* waited for the lock; held it */
	struct store_ckpt *ckpt;
} b;

long certs_env_long(const char *name, long dflt, long min, long max)
{
	const char *v = getenv(name);
	long n;

	if (v && tn_parse_long(v, &n) == 0 && n >= min && n <= max)
		return n;
	return dflt;
}

static char *dup_or_null(const char *s)
{
	return s ? tn_xstrdup(s) : NULL;
}

static void arm(long us)
{
	struct timeval tv = { us / 1000000L, us % 1000000L };

	evtimer_add(b.timer, &tv);
}

/* Answer one waiting read: its reply when `written`, else 500; free it. */
static void answer(struct waiting *w, int written, const char *why)
{
	if (!written)
		reply_problem(w->q, 500, NULL, "the read could not be written to the audit log, so "
			      "nothing is served: %s", why);
	else if (w->status == 200)
		reply_text(w->q, 200, "application/json", w->text, strlen(w->text));
	else
		reply_problem(w->q, w->status, w->field, "%s", w->detail ? w->detail : "");
	req_deferred_free(w->q);
	free(w->field);
	free(w->detail);
	free(w->text);
	free(w->cert);
	free(w->holder);
	free(w->purpose);
}

static double seconds_between(const struct timespec *from, const struct timespec *to)
{
	return (double)(to->tv_sec - from->tv_sec) + (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

/*
 * Write the waiting rows in one transaction and answer them.  `wait`: block
 * for the write lock (at the end, when the loop no longer runs); else a busy
 * lock re-arms the timer and returns.
 */
static void flush(int wait)
{
	struct tn_err err = TN_ERR_INIT;
	struct store *st = b.srv->st;
	struct store_audit *rows;
	struct timespec t0, t1;
	size_t n = b.n;
	int rc, ok = 0;

	if (n == 0)
		return;
	if (wait) {
		rc = store_certs_begin(st, &err) == TN_OK ? 0 : -1;
	} else {
		rc = store_certs_try_begin(st, &err);
		if (rc == 1) {
			long us;

			b.busy_tries++;
			if (busy_retry_next(&b.retry, &us, &err)) {
				arm(us);
				return;
			}
			rc = -1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (b.retry.busy)
		b.busy_s += seconds_between(&b.retry.since, &t0);
	b.retry.busy = 0;
	if (rc == 0) {
		rows = tn_xcalloc(n, sizeof(*rows));
		for (size_t i = 0; i < n; i++) {
			struct waiting *w = &b.w[i];

			rows[i].at = w->at;
			rows[i].actor = w->q->tok.name;
			rows[i].role = w->q->tok.role;
			rows[i].cert = w->cert;
			rows[i].holder = w->holder;
			rows[i].purpose = w->purpose;
			rows[i].outcome = w->outcome;
		}
		if (store_audit_append_rows(st, rows, n, &err) == TN_OK &&
		    store_certs_commit(st, &err) == TN_OK)
			ok = 1;
		else
			store_certs_rollback(st);
		free(rows);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		b.held_s += seconds_between(&t0, &t1);
	}
	if (!ok)
		fprintf(stderr, "twonetd: error: audit: %s\n", err.message);
	b.n = 0;
	b.batches++;
	b.rows += (long)n;
	req_log_hold(1);
	for (size_t i = 0; i < n; i++)
		answer(&b.w[i], ok, err.message);
	req_log_hold(0);
	if (ok)
		certs_ckpt_rows((long)n);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	flush(0);
}

void certs_audit_read(struct req *q, const struct certs_read *r)
{
	struct waiting *w;

	if (b.n == b.cap) {
		b.cap = b.cap ? 2 * b.cap : 64;
		b.w = tn_xrealloc(b.w, b.cap * sizeof(*b.w));
	}
	w = &b.w[b.n++];
	memset(w, 0, sizeof(*w));
	time_now_rfc3339(w->at, sizeof(w->at));
	w->status = r->status;
	w->outcome = r->outcome;
	w->field = dup_or_null(r->field);
	w->detail = dup_or_null(r->detail);
	w->text = r->text;
	w->cert = dup_or_null(r->cert);
	w->holder = dup_or_null(r->holder);
	w->purpose = dup_or_null(r->purpose);
	w->q = req_defer(q);
	if ((long)b.n >= b.max_rows)
		flush(0);
	else if (!b.retry.busy && !evtimer_pending(b.timer, NULL))
		arm(b.window_us);
}

int certs_worker_start(struct srv *srv)
{
	long pages, limit;

	if (certs_ckpt_worker_start(srv) < 0)
		return -1;
	b.srv = srv;
	b.window_us = certs_env_long("TWONETD_AUDIT_WINDOW_US", 0, 0, 1000000L);
	b.max_rows = certs_env_long("TWONETD_AUDIT_BATCH", 256, 1, 100000L);
	b.timer = evtimer_new(srv->base, on_timer, NULL);
	if (!b.timer) {
		fprintf(stderr, "twonetd: error: cannot set up the audit timer\n");
		return -1;
	}
	store_certs_tune(srv->st);
	pages = certs_env_long("TWONETD_CHECKPOINT_PAGES", 1000, 0, 1000000L);
	/*
	 * 262144 pages, 1 GiB (PostgreSQL's max_wal_size): each restart holds
	 * the writers 17-140 ms at saturation; at 64 MiB they came every 2 s
	 * and the reads' p99 was 18-39 ms, at 256 MiB every 8 s (p99 up to
	 * 45 ms over 40 s), at 1 GiB every ~30 s (p99 8.4 ms over 60 s).
	 */
	limit = certs_env_long("TWONETD_WAL_LIMIT_PAGES", 262144, 0, 100000000L);
	if (pages > 0)
		b.ckpt = store_certs_checkpointer(srv->st, pages, limit);
	return 0;
}

void certs_worker_stop(struct srv *srv)
{
	long restarts;

	(void)srv;
	flush(1);
	certs_ckpt_worker_stop();
	restarts = store_certs_checkpointer_restarts(b.ckpt);
	store_certs_checkpointer_stop(b.ckpt);
	b.ckpt = NULL;
	if (b.timer)
		event_free(b.timer);
	b.timer = NULL;
	free(b.w);
	b.w = NULL;
	b.n = b.cap = 0;
	if (getenv("TWONETD_AUDIT_STATS"))
		fprintf(stderr, "twonetd[%ld]: audit: %ld rows in %ld transactions; the write lock "
			"held %.3f s, waited for %.3f s (%ld tries found it taken); the logs started "
			"over %ld times past their limit\n", (long)getpid(),
			b.rows, b.batches, b.held_s, b.busy_s, b.busy_tries, restarts);
}
