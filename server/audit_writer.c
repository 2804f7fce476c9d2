/* audit_writer.c — the audit writer process of twonetd serve, and the messages between it and the workers (audit_writer.h). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "tn_buf.h"
#include "tn_recs.h"
#include "audit_writer.h"
#include "certs.h"
#include "store_certs.h"
#include "twonetd.h"

/*
 * A message of rows: struct head, then `n` rows of FIELDS fields each
 * (tn_recs.h: the writer points into the message).  An answer: struct ack.
 * Both sides are one binary on one machine: native byte order.
 */
#define MAGIC_ROWS 0x544e4152u  /* "TNAR" */
#define MAGIC_ACK 0x544e4141u   /* "TNAA" */
#define FIELDS 7
#define GROUP_ROWS 8192         /* rows taken into one transaction at most */
#define SNDBUF (1 << 20)

struct head {
	uint32_t magic, n;
	uint64_t id;
	int32_t pid;
	uint32_t len;           /* bytes of rows after the head */
};

struct ack {
	uint32_t magic;
	int32_t pid;
	uint64_t id;
	int32_t ok;
	char why[AW_WHY_MAX];
};

static int *ends;               /* [2 slot]: a worker's end, [2 slot + 1]: the writer's */
static long nslots;
static pid_t me;                /* this worker's pid, which its messages carry */

/* ---- a worker's side ---- */

long aw_send(int fd, uint64_t id, const struct store_audit *rows, size_t n)
{
	static unsigned char buf[sizeof(struct head) + AW_MSG_MAX];
	unsigned char *p = buf + sizeof(struct head);
	struct head h = { MAGIC_ROWS, 0, id, me, 0 };
	size_t k;

	for (k = 0; k < n; k++) {
		const struct store_audit *r = &rows[k];
		const char *const f[FIELDS] = { r->at, r->actor, r->role, r->cert, r->holder,
						r->purpose, r->outcome };
		size_t need = tn_recs_size(f, FIELDS);

		if (need == 0 || h.len + need > AW_MSG_MAX)
			break;
		p = tn_recs_put(p, f, FIELDS);
		h.len += (uint32_t)need;
	}
	if (k == 0)
		return -2;
	h.n = (uint32_t)k;
	memcpy(buf, &h, sizeof(h));
	for (;;) {
		if (send(fd, buf, sizeof(h) + h.len, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			return (long)k;         /* a packet goes whole */
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ? 0 : -1;
	}
}

int aw_recv(int fd, struct aw_ack *a)
{
	struct ack m;

	for (;;) {
		ssize_t got = recv(fd, &m, sizeof(m), MSG_DONTWAIT);

		if (got == 0)
			return -1;
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		/* one for the worker of this slot before it (it died): not ours */
		if ((size_t)got != sizeof(m) || m.magic != MAGIC_ACK || m.pid != me)
			continue;
		a->id = m.id;
		a->ok = m.ok != 0;
		memcpy(a->why, m.why, sizeof(a->why));
		a->why[sizeof(a->why) - 1] = '\0';
		return 1;
	}
}

int aw_wait(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, ms) > 0;
}

/* ---- the writer ---- */

/* A message taken, waiting for the commit. */
struct msg {
	long slot;
	struct head h;
	unsigned char *data;    /* its rows, encoded */
	struct store_audit *rows;
};

static struct {
	struct srv srv;
	struct event **ev;      /* a slot's socket (NULL once it ended) */
	long live;              /* slots not ended */
	struct event *commit;   /* active when messages wait */
	struct msg *m;
	size_t n, cap, rows_waiting;
	long rows, batches;     /* statistics */
	double held_s;
	struct store_ckpt *ckpt;
} aw;

/* Point m->rows into m->data; 0, or -1 when the message is not one of ours. */
static int decode(struct msg *m)
{
	const char **f;
	int rc = -1;

	if (m->h.n == 0 || m->h.n > m->h.len / (2 * FIELDS))     /* a row is 2 bytes a field at least */
		return -1;
	f = tn_xcalloc((size_t)m->h.n * FIELDS, sizeof(*f));
	m->rows = tn_xcalloc(m->h.n, sizeof(*m->rows));
	if (tn_recs_get(m->data, m->h.len, m->h.n, FIELDS, f) == 0) {
		rc = 0;
		for (uint32_t k = 0; k < m->h.n; k++) {
			const char **r = f + (size_t)k * FIELDS;

			if (!r[0] || !r[1] || !r[2] || !r[6])   /* at, actor, role, outcome */
				rc = -1;
			m->rows[k] = (struct store_audit){ r[0], r[1], r[2], r[3], r[4], r[5], r[6] };
		}
	}
	free(f);
	return rc;
}

/* Answer the sender of `h` on slot `slot`: every message of it up to h->id. */
static void ack(long slot, const struct head *h, int ok, const char *why)
{
	struct ack a;
	int fd = ends[2 * slot + 1];

	memset(&a, 0, sizeof(a));
	a.magic = MAGIC_ACK;
	a.pid = h->pid;
	a.id = h->id;
	a.ok = ok;
	if (!ok)
		snprintf(a.why, sizeof(a.why), "%s", why);
	for (int tries = 0; tries < 20; tries++) {
		struct pollfd p = { fd, POLLOUT, 0 };

		if (send(fd, &a, sizeof(a), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			return;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS && errno != EINTR)
			return;         /* nobody left on that slot */
		poll(&p, 1, 100);       /* a worker that does not read its answers for 2 s: dropped */
	}
	fprintf(stderr, "twonetd-audit: error: the worker of slot %ld reads no answers\n", slot);
}

/* Write every message taken in one transaction, then answer each sender once. */
static void on_commit(evutil_socket_t fd, short what, void *arg)
{
	struct tn_err err = TN_ERR_INIT;
	struct store *st = aw.srv.st;
	struct store_audit *rows;
	struct timespec t0, t1;
	size_t total = 0;
	int ok = 0;

	(void)fd;
	(void)what;
	(void)arg;
	if (aw.n == 0)
		return;
	rows = tn_xcalloc(aw.rows_waiting ? aw.rows_waiting : 1, sizeof(*rows));
	for (size_t i = 0; i < aw.n; i++) {
		memcpy(rows + total, aw.m[i].rows, aw.m[i].h.n * sizeof(*rows));
		total += aw.m[i].h.n;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (store_certs_begin(st, &err) == TN_OK) {
		if (store_audit_append_rows(st, rows, total, &err) == TN_OK &&
		    store_certs_commit(st, &err) == TN_OK)
			ok = 1;
		else
			store_certs_rollback(st);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	aw.held_s += certs_seconds_between(&t0, &t1);
	free(rows);
	if (!ok)
		fprintf(stderr, "twonetd-audit: error: audit: %s\n", err.message);
	/* the last message of each sender answers for its earlier ones */
	for (size_t i = 0; i < aw.n; i++) {
		size_t j;

		for (j = i + 1; j < aw.n; j++)
			if (aw.m[j].slot == aw.m[i].slot && aw.m[j].h.pid == aw.m[i].h.pid)
				break;
		if (j == aw.n)
			ack(aw.m[i].slot, &aw.m[i].h, ok, err.message);
	}
	for (size_t i = 0; i < aw.n; i++) {
		free(aw.m[i].data);
		free(aw.m[i].rows);
	}
	aw.n = aw.rows_waiting = 0;
	aw.batches++;
	aw.rows += (long)total;
	if (ok)
		certs_ckpt_rows((long)total);
}

/* A slot's socket ended: the parent closed it (stopping), or the parent is gone. */
static void slot_ended(long slot)
{
	event_free(aw.ev[slot]);
	aw.ev[slot] = NULL;
	close(ends[2 * slot + 1]);
	ends[2 * slot + 1] = -1;
	if (--aw.live == 0)
		event_base_loopexit(aw.srv.base, NULL);
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	static unsigned char buf[sizeof(struct head) + AW_MSG_MAX];
	long slot = (long)(intptr_t)arg;

	(void)what;
	while (aw.rows_waiting < GROUP_ROWS) {
		ssize_t got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		struct msg m;

		if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN &&
				 errno != EWOULDBLOCK)) {
			slot_ended(slot);
			break;
		}
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		memset(&m, 0, sizeof(m));
		m.slot = slot;
		if ((size_t)got >= sizeof(m.h))
			memcpy(&m.h, buf, sizeof(m.h));
		if ((size_t)got < sizeof(m.h) || (size_t)got > sizeof(buf) ||
		    m.h.magic != MAGIC_ROWS || m.h.len != (size_t)got - sizeof(m.h)) {
			fprintf(stderr, "twonetd-audit: error: a message of %zd bytes that is not one "
				"of rows on slot %ld: dropped\n", got, slot);
			continue;
		}
		m.data = tn_xmalloc(m.h.len ? m.h.len : 1);
		memcpy(m.data, buf + sizeof(m.h), m.h.len);
		if (decode(&m) < 0) {
			fprintf(stderr, "twonetd-audit: error: a damaged message of rows on slot %ld\n",
				slot);
			ack(slot, &m.h, 0, "the audit writer got a damaged message");
			free(m.data);
			free(m.rows);
			continue;
		}
		if (aw.n == aw.cap) {
			aw.cap = aw.cap ? 2 * aw.cap : 64;
			aw.m = tn_xrealloc(aw.m, aw.cap * sizeof(*aw.m));
		}
		aw.m[aw.n++] = m;
		aw.rows_waiting += m.h.n;
	}
	if (aw.n)
		event_active(aw.commit, 0, 0);
}

static int writer_main(const char *db)
{
	struct tn_err err = TN_ERR_INIT;
	int rc = 0;

	prctl(PR_SET_NAME, "twonetd-audit");
	signal(SIGPIPE, SIG_IGN);
	if (store_open(&aw.srv.st, db, 0, &err) != TN_OK)
		return twonetd_fail(&err, 3);
	if (!(aw.srv.base = event_base_new()) ||
	    !(aw.commit = event_new(aw.srv.base, -1, 0, on_commit, NULL))) {
		fprintf(stderr, "twonetd-audit: error: cannot set up the event loop\n");
		rc = 3;
		goto out;
	}
	if (certs_ckpt_worker_start(&aw.srv) < 0) {
		rc = 3;
		goto out;
	}
	aw.ckpt = certs_audit_checkpointer(aw.srv.st);
	aw.ev = tn_xcalloc((size_t)nslots, sizeof(*aw.ev));
	for (long i = 0; i < nslots; i++) {
		aw.ev[i] = event_new(aw.srv.base, ends[2 * i + 1], EV_READ | EV_PERSIST, on_read,
				     (void *)(intptr_t)i);
		if (!aw.ev[i] || event_add(aw.ev[i], NULL) < 0) {
			fprintf(stderr, "twonetd-audit: error: cannot set up the event loop\n");
			rc = 3;
			break;
		}
		aw.live++;
	}
	if (rc == 0 && event_base_dispatch(aw.srv.base) < 0)
		rc = 1;
	on_commit(-1, 0, NULL);         /* what came with the end (nothing: every worker waited) */
	certs_ckpt_worker_stop();
	certs_audit_log_stats(aw.rows, aw.batches, aw.held_s, 0, 0, aw.ckpt);
	store_certs_checkpointer_stop(aw.ckpt);
	for (long i = 0; aw.ev && i < nslots; i++)
		if (aw.ev[i])
			event_free(aw.ev[i]);
	free(aw.ev);
	free(aw.m);
out:
	if (aw.commit)
		event_free(aw.commit);
	if (aw.srv.base)
		event_base_free(aw.srv.base);
	store_close(aw.srv.st);
	return rc;
}

/* ---- the parent ---- */

static void close_ends(int writer_side)
{
	for (long i = 0; ends && i < nslots; i++) {
		int *fd = &ends[2 * i + (writer_side ? 1 : 0)];

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

pid_t aw_start(const char *db, long workers, int listen_fd, const sigset_t *old)
{
	const char *e = getenv("TWONETD_AUDIT_WRITER");
	pid_t parent = getpid(), pid;
	sigset_t mask;

	if (e && strcmp(e, "0") == 0)
		return -1;
	nslots = workers;
	ends = tn_xmalloc(2 * (size_t)workers * sizeof(*ends));
	for (long i = 0; i < 2 * workers; i++)
		ends[i] = -1;
	for (long i = 0; i < workers; i++) {
		int sv[2], size = SNDBUF;

		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
			fprintf(stderr, "twonetd: warning: no audit writer (socketpair: %s): each "
				"worker writes its own audit rows\n", strerror(errno));
			goto none;
		}
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
		ends[2 * i] = sv[0];
		ends[2 * i + 1] = sv[1];
	}
	pid = fork();
	if (pid == 0) {
		int rc;

		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
			_exit(3);
		/* stopped by the parent closing the workers' ends, never by a signal */
		mask = *old;
		sigaddset(&mask, SIGTERM);
		sigaddset(&mask, SIGINT);
		sigaddset(&mask, SIGHUP);
		sigprocmask(SIG_SETMASK, &mask, NULL);
		if (listen_fd >= 0)
			close(listen_fd);
		close_ends(0);
		rc = writer_main(db);
		fflush(stderr);
		_exit(rc);
	}
	if (pid > 0) {
		close_ends(1);
		return pid;
	}
	fprintf(stderr, "twonetd: warning: no audit writer (fork: %s): each worker writes its "
		"own audit rows\n", strerror(errno));
none:
	close_ends(0);
	close_ends(1);
	free(ends);
	ends = NULL;
	return -1;
}

int aw_worker_fd(long slot)
{
	int fd;

	me = getpid();
	if (!ends || slot < 0 || slot >= nslots)
		return -1;
	fd = ends[2 * slot];
	for (long i = 0; i < nslots; i++)
		if (i != slot && ends[2 * i] >= 0)
			close(ends[2 * i]);
	free(ends);
	ends = NULL;
	return fd;
}

void aw_finish(pid_t pid)
{
	int status;

	close_ends(0);
	free(ends);
	ends = NULL;
	if (pid <= 0)
		return;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "twonetd: the audit writer ended with status %d\n", status);
}
