/* certs_audit.c — the group commit of certificate reads: their audit rows written together, then their replies. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "tn_buf.h"
#include "audit_writer.h"
#include "certs.h"
#include "store_certs.h"
#include "twonetd.h"

/*
 * Every certificate read, allowed or refused, is written to the hash-chained
 * audit log before it is answered.  One transaction a read makes every GET a
 * write and the workers queue on SQLite's write lock; instead a worker keeps
 * the reads it has answered (the reply held back, the request deferred) and
 * writes their rows in ONE transaction: at the end of its event loop's turn
 * (or TWONETD_AUDIT_WINDOW_US later), or at once when TWONETD_AUDIT_BATCH
 * rows wait.  The chain continues from the head read inside the transaction,
 * so workers interleave correctly.  Only after COMMIT are the replies sent;
 * when the rows cannot be written every read of the batch is answered 500
 * and nothing is served.
 *
 * The rows go to the server's audit writer (audit_writer.h), which commits
 * every worker's together and answers each: the replies wait for that.
 * Without one (TWONETD_AUDIT_WRITER=0, or it ended) the worker writes them
 * itself: while another connection holds the write lock it does not block,
 * but goes on taking requests and tries again shortly.
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
	const char *cert, *holder, *purpose;    /* the row's, into texts */
	char *texts;            /* one allocation */
	const char *outcome;    /* static */
	char at[40];
	uint64_t id;            /* the message it was sent to the writer in */
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
	int fd;                 /* the audit writer's socket; -1: none, rows are written here */
	struct event *ack_ev;   /* fd readable: the writer's answers */
	struct event *send_ev;  /* fd writable again after it was full */
	int full;               /* ... waiting for that */
	int in_batch;           /* between certs_audit_batch(1) and (0): its end flushes */
	struct waiting *sent;   /* sent to the writer, oldest first, waiting for its answer */
	size_t sent_head, sent_n, sent_cap;
	uint64_t next_id;
	struct store_audit *rows_buf;   /* rows_of's */
	size_t rows_cap;
} b = { .fd = -1 };

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

/* The row's texts (NULL stays NULL) copied into one allocation, w->texts. */
static void keep_texts(struct waiting *w, const char *cert, const char *holder, const char *purpose)
{
	const char *in[3] = { cert, holder, purpose };
	const char **out[3] = { &w->cert, &w->holder, &w->purpose };
	size_t len[3], total = 1;
	char *p;

	for (int i = 0; i < 3; i++)
		total += len[i] = in[i] ? strlen(in[i]) + 1 : 0;
	p = w->texts = tn_xmalloc(total);
	for (int i = 0; i < 3; i++) {
		*out[i] = in[i] ? memcpy(p, in[i], len[i]) : NULL;
		p += len[i];
	}
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
	free(w->texts);
}

double certs_seconds_between(const struct timespec *from, const struct timespec *to)
{
	return (double)(to->tv_sec - from->tv_sec) + (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

/* The audit rows of the waiting reads [0, n) (pointing into them), in b.rows (kept). */
static struct store_audit *rows_of(struct waiting *w, size_t n)
{
	struct store_audit *rows;

	if (n > b.rows_cap) {
		b.rows_cap = 2 * n;
		b.rows_buf = tn_xrealloc(b.rows_buf, b.rows_cap * sizeof(*b.rows_buf));
	}
	rows = b.rows_buf;
	for (size_t i = 0; i < n; i++)
		rows[i] = (struct store_audit){ w[i].at, w[i].q->tok.name, w[i].q->tok.role,
						 w[i].cert, w[i].holder, w[i].purpose,
						 w[i].outcome };
	return rows;
}

/*
 * Write the waiting rows in one transaction and answer them.  `wait`: block
 * for the write lock (at the end, when the loop no longer runs); else a busy
 * lock re-arms the timer and returns.
 */
static void flush_here(int wait)
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
		b.busy_s += certs_seconds_between(&b.retry.since, &t0);
	b.retry.busy = 0;
	if (rc == 0) {
		rows = rows_of(b.w, n);
		if (store_audit_append_rows(st, rows, n, &err) == TN_OK &&
		    store_certs_commit(st, &err) == TN_OK)
			ok = 1;
		else
			store_certs_rollback(st);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		b.held_s += certs_seconds_between(&t0, &t1);
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

/* Answer the sent reads the writer answered: every one up to message `id`. */
static void answer_sent(uint64_t id, int written, const char *why)
{
	req_log_hold(1);
	while (b.sent_head < b.sent_n && b.sent[b.sent_head].id <= id)
		answer(&b.sent[b.sent_head++], written, why);
	req_log_hold(0);
	if (b.sent_head == b.sent_n)
		b.sent_head = b.sent_n = 0;
}

/*
 * The writer ended (or said nothing for a minute at the end): the reads sent
 * to it are answered 500 (their rows may be written or not, none is served
 * unwritten), and this worker writes its rows itself from now on.
 */
static void writer_gone(const char *why)
{
	fprintf(stderr, "twonetd[%ld]: the audit writer %s: this worker writes its audit rows "
		"itself\n", (long)getpid(), why);
	answer_sent(UINT64_MAX, 0, "the audit writer ended before it said the rows were written");
	if (b.ack_ev)
		event_free(b.ack_ev);
	if (b.send_ev)
		event_free(b.send_ev);
	b.ack_ev = b.send_ev = NULL;
	close(b.fd);
	b.fd = -1;
	b.full = 0;
}

static void on_ack(evutil_socket_t fd, short what, void *arg)
{
	struct aw_ack a;
	int rc;

	(void)fd;
	(void)what;
	(void)arg;
	while ((rc = aw_recv(b.fd, &a)) == 1) {
		if (!a.ok)
			fprintf(stderr, "twonetd: error: audit: %s\n", a.why);
		answer_sent(a.id, a.ok, a.why);
	}
	if (rc < 0)
		writer_gone("ended");
}

/* Wait for the writer's answers to everything sent (a worker's end). */
static void await_sent(void)
{
	for (int idle = 0; b.fd >= 0 && b.sent_head < b.sent_n; ) {
		if (!aw_wait(b.fd, 1000)) {
			if (++idle == 60)
				writer_gone("said nothing for a minute");
			continue;
		}
		idle = 0;
		on_ack(-1, 0, NULL);
	}
}

/*
 * Send the waiting rows to the writer and keep their reads in b.sent.  0
 * when all went, or the rest waits for the socket to take more (b.full);
 * -1 when the rest is written here (the writer is gone, or a row fits no
 * message).  `wait`: the loop no longer runs, wait for room and answers.
 */
static int send_rows(int wait)
{
	struct store_audit *rows = rows_of(b.w, b.n);
	size_t done = 0;
	long k = 0;

	for (int tries = 0; done < b.n; ) {
		k = aw_send(b.fd, b.next_id, rows + done, b.n - done);
		if (k == 0 && wait && ++tries < 60000) {        /* a minute */
			struct timespec ts = { 0, 1000000 };

			on_ack(-1, 0, NULL);    /* reading answers lets the writer go on */
			nanosleep(&ts, NULL);
			if (b.fd >= 0)
				continue;
		}
		if (k <= 0)
			break;
		if (b.sent_n + (size_t)k > b.sent_cap) {
			b.sent_cap = 2 * (b.sent_n + (size_t)k) + 64;
			b.sent = tn_xrealloc(b.sent, b.sent_cap * sizeof(*b.sent));
		}
		for (long i = 0; i < k; i++) {
			b.sent[b.sent_n] = b.w[done + (size_t)i];
			b.sent[b.sent_n++].id = b.next_id;
		}
		b.next_id++;
		done += (size_t)k;
	}
	memmove(b.w, b.w + done, (b.n - done) * sizeof(*b.w));
	b.n -= done;
	if (k == -1 && b.fd >= 0)
		writer_gone("ended");
	if (k == 0 && wait && b.fd >= 0)
		writer_gone("took nothing for a minute");
	if (k == 0 && b.n > 0 && b.fd >= 0 && !wait) {
		b.full = 1;
		event_add(b.send_ev, NULL);
	}
	if (wait)
		await_sent();
	return b.n == 0 || b.full ? 0 : -1;
}

/* Write down the waiting rows: through the writer, else here. */
static void flush(int wait)
{
	if (b.n == 0 || (b.fd >= 0 && b.full && !wait))
		return;
	if (b.fd >= 0 && send_rows(wait) == 0)
		return;
	flush_here(wait);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	flush(0);
}

static void on_writable(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	b.full = 0;
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
	if (r->status != 200) {         /* a refusal's words, for its reply (not the row's) */
		w->field = dup_or_null(r->field);
		w->detail = dup_or_null(r->detail);
	}
	w->text = r->text;
	keep_texts(w, r->cert, r->holder, r->purpose);
	w->q = req_defer(q);
	if ((long)b.n >= b.max_rows)
		flush(0);
	else if (!b.retry.busy && !b.full && !(b.in_batch && b.window_us == 0) &&
		 !evtimer_pending(b.timer, NULL))
		arm(b.window_us);
}

void certs_audit_batch(int begin)
{
	b.in_batch = begin;
	/* the turn's reads: no timer of their own (a timerfd_settime each turn) */
	if (!begin && b.window_us == 0 && !b.retry.busy && !b.full && b.srv)
		flush(0);
}

void certs_audit_writer(int fd)
{
	b.fd = fd;
}

struct store_ckpt *certs_audit_checkpointer(struct store *st)
{
	long pages, limit;

	store_certs_tune(st);
	pages = certs_env_long("TWONETD_CHECKPOINT_PAGES", 1000, 0, 1000000L);
	/*
	 * 65536 pages, 256 MiB.  Each restart holds the writers while it
	 * copies and syncs the log's tail: at most 1.4-4.1 ms a run at
	 * saturation since it syncs the rest first, in rounds until one is
	 * short (store_certs_ckpt.c), once every 5-8 s here (p99 of the
	 * reads 5.6-7.7 ms in three rounds); 1 GiB was the limit while a
	 * restart held them for 17-160 ms (at 256 MiB then, p99 up to 45 ms).
	 */
	limit = certs_env_long("TWONETD_WAL_LIMIT_PAGES", 65536, 0, 100000000L);
	return pages > 0 ? store_certs_checkpointer(st, pages, limit) : NULL;
}

void certs_audit_log_stats(long rows, long batches, double held_s, double busy_s,
			   long busy_tries, struct store_ckpt *ckpt)
{
	if (getenv("TWONETD_AUDIT_STATS"))
		fprintf(stderr, "twonetd[%ld]: audit: %ld rows in %ld transactions; the write lock "
			"held %.3f s, waited for %.3f s (%ld tries found it taken); the logs started "
			"over %ld times past their limit (the longest held the writers %.1f ms)\n",
			(long)getpid(), rows, batches, held_s, busy_s, busy_tries,
			store_certs_checkpointer_restarts(ckpt), store_certs_checkpointer_restart_ms(ckpt));
}

int certs_worker_start(struct srv *srv)
{
	if (certs_ckpt_worker_start(srv) < 0)
		return -1;
	b.srv = srv;
	b.window_us = certs_env_long("TWONETD_AUDIT_WINDOW_US", 0, 0, 1000000L);
	b.max_rows = certs_env_long("TWONETD_AUDIT_BATCH", 256, 1, 100000L);
	b.timer = evtimer_new(srv->base, on_timer, NULL);
	if (b.fd >= 0) {
		b.ack_ev = event_new(srv->base, b.fd, EV_READ | EV_PERSIST, on_ack, NULL);
		b.send_ev = event_new(srv->base, b.fd, EV_WRITE, on_writable, NULL);
	}
	if (!b.timer || (b.fd >= 0 && (!b.ack_ev || !b.send_ev || event_add(b.ack_ev, NULL) < 0))) {
		fprintf(stderr, "twonetd: error: cannot set up the audit timer\n");
		return -1;
	}
	b.ckpt = certs_audit_checkpointer(srv->st);
	return 0;
}

void certs_worker_stop(struct srv *srv)
{
	flush(1);
	if (b.ack_ev)
		event_free(b.ack_ev);
	if (b.send_ev)
		event_free(b.send_ev);
	b.ack_ev = b.send_ev = NULL;
	if (b.fd >= 0)
		close(b.fd);            /* every read sent was answered */
	b.fd = -1;
	certs_ckpt_worker_stop();
	certs_audit_log_stats(b.rows, b.batches, b.held_s, b.busy_s, b.busy_tries, b.ckpt);
	store_certs_checkpointer_stop(b.ckpt);
	b.ckpt = NULL;
	if (b.timer)
		event_free(b.timer);
	b.timer = NULL;
	free(b.w);
	free(b.sent);
	free(b.rows_buf);
	b.w = b.sent = NULL;
	b.rows_buf = NULL;
	b.n = b.cap = b.sent_head = b.sent_n = b.sent_cap = b.rows_cap = 0;
	if (getenv("TWONETD_AUDIT_STATS") && srv && store_certs_cache_reads(srv->st) > 0)
		fprintf(stderr, "twonetd[%ld]: certificate reads: %ld, %ld of them from the database "
			"(the rest from the worker's cache)\n", (long)getpid(),
			store_certs_cache_reads(srv->st), store_certs_cache_misses(srv->st));
}
