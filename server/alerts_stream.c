/* alerts_stream.c — GET /v1/alerts/stream (Server-Sent Events) and the wake-up between worker processes. */
/*
 * The stream.  Every worker keeps a hub: the list of its followers (one per
 * open stream) and `head`, the highest seq it knows of.  A follower has a
 * position `pos` (the last seq examined for it) and is fed by pump(): while
 * pos < head and its connection's unsent output (http_conn_output_pending)
 * is under STREAM_HIGH, read the next events after
 * pos from the database (an indexed range on the event log's primary key),
 * write those that pass its filters as one chunk, move pos.  Stored events
 * (a resume) and live ones are the same code path, so a stream is always in
 * seq order with nothing twice and nothing skipped: the log's seq is dense,
 * so a hole between pos and the next row read means retention deleted it,
 * and the follower gets `event: reset`.  The live followers at one position
 * (after a commit, usually all of them) share one read of its rows
 * (read_shared) before each goes on alone.
 *
 * Slow readers.  A follower whose output is over STREAM_HIGH is simply not
 * fed; the "written" callback of its last chunk pumps it again once the
 * kernel took everything.  So a slow reader costs at most STREAM_HIGH bytes
 * (plus one chunk) and never slows the writers or the other followers, and
 * it catches up from the database at its own pace.  A connection that makes
 * no progress at all for TWONETD_STREAM_STALL_MS (default 30 s, in whole
 * seconds: http_conn_set_stall) is cut; the client resumes by Last-Event-ID.
 * A stream's connection has no read timeout (a follower sends nothing after
 * its request).  `: heartbeat` goes out after
 * TWONETD_HEARTBEAT_MS (default 15 s) without a write; it also re-reads the
 * head, so even a lost wake-up costs at most one heartbeat of delay.
 *
 * The wake-up.  The process that commits events calls alerts_notify(): its
 * own hub is kicked (an event made active, so several commits in one loop
 * turn cost one pump), and every other worker gets an 16-byte datagram.
 * Each worker binds a UNIX datagram socket named by its pid in a directory
 * beside the database ("DB.wake/PID"; or /tmp/twonetd-UID-HASH/PID when that
 * path is too long for sun_path), mode 0700.  A worker that starts (also one
 * that supervise() restarted after a crash) binds first, then lists the
 * directory, then sends "hello" to everyone it found: whichever of two
 * starting workers lists second sees the other, and the hello covers the
 * other direction.  A send that finds nobody (ECONNREFUSED, ENOENT) drops
 * the peer and unlinks its stale socket; a full peer queue (EAGAIN) is fine,
 * that peer has wake-ups pending already.  A woken worker drains its socket,
 * reads the head from the database and pumps its followers.  No timer polls
 * the database; two `twonetd serve` on one database wake each other too.
 * PostgreSQL (no file) has LISTEN/NOTIFY instead: listen_start.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "tn_alert.h"
#include "tn_buf.h"
#include "alerts_int.h"
#include "alerts_hub.h"
#include "conns.h"
#include "store_alerts.h"

#define STREAM_HIGH (256 * 1024)     /* stop feeding a follower above this much unsent output */
#define STREAM_CHUNK_BYTES (64 * 1024)
#define STREAM_CHUNK_ROWS 512
#define STREAM_RETRY_MS 2000
#define TAIL_MAX 1000
#define WAKE_MAGIC 0x74776b31u      /* "twk1" */

enum { WAKE_EVENTS = 1, WAKE_HELLO = 2 };

struct wake_msg {
	uint32_t magic;
	uint32_t type;
	int64_t pid;
	int64_t seq;
};

struct follower {
	TAILQ_ENTRY(follower) link;
	struct alerts_hub *hub;
	struct http_req *req;
	struct http_conn *con;
	struct alert_filters f;
	long long pos;          /* last seq examined */
	long long end;          /* follow=0: stop at this seq; -1: follow */
	struct event *beat;
	struct tn_buf out;      /* the chunk being built */
	int reset;              /* a hole found: send reset */
	int sharing;            /* in read_shared's read still */
};


static long env_long(const char *name, long dflt, long min)
{
	const char *v = getenv(name);
	long n;

	if (v && tn_parse_long(v, &n) == 0 && n >= min)
		return n;
	return dflt;
}

long alerts_keep_events(void)
{
	static long keep = -1;

	if (keep < 0)
		keep = env_long("TWONETD_KEEP_EVENTS", 1000000L, 1);
	return keep;
}

/* ---- the mesh ---- */

static int peer_addr(const struct alerts_hub *h, pid_t pid, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	return snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%ld", h->dir, (long)pid) <
	       (int)sizeof(sa->sun_path) ? 0 : -1;
}

static void peer_add(struct alerts_hub *h, pid_t pid)
{
	if (pid == getpid() || pid <= 0)
		return;
	for (int i = 0; i < h->npeers; i++)
		if (h->peers[i] == pid)
			return;
	if (h->npeers == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 16;
		h->peers = tn_xrealloc(h->peers, (size_t)h->cap * sizeof(*h->peers));
	}
	h->peers[h->npeers++] = pid;
}

/* Send one message to every peer; drop the ones that are gone. */
static void mesh_send(struct alerts_hub *h, uint32_t type, long long seq)
{
	struct wake_msg m = { WAKE_MAGIC, type, (int64_t)getpid(), (int64_t)seq };
	struct sockaddr_un sa;

	if (h->fd < 0)
		return;
	for (int i = 0; i < h->npeers;) {
		if (peer_addr(h, h->peers[i], &sa) == 0 &&
		    sendto(h->fd, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL,
			   (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
		    (errno == ECONNREFUSED || errno == ENOENT)) {
			if (errno == ECONNREFUSED)
				unlink(sa.sun_path);
			h->peers[i] = h->peers[--h->npeers];
			continue;
		}
		i++;
	}
}

/* List the directory: every socket named by a live pid is a peer; stale ones go. */
static void mesh_scan(struct alerts_hub *h)
{
	DIR *d = opendir(h->dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		long pid;

		if (tn_parse_long(e->d_name, &pid) != 0 || pid <= 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
			struct sockaddr_un sa;

			if (peer_addr(h, (pid_t)pid, &sa) == 0)
				unlink(sa.sun_path);
			continue;
		}
		peer_add(h, (pid_t)pid);
	}
	closedir(d);
}

static void on_kick(evutil_socket_t fd, short what, void *arg);

void hub_kick(struct alerts_hub *h)
{
	h->reread = 1;
	if (h->kick)
		event_active(h->kick, EV_TIMEOUT, 0);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct alerts_hub *h = arg;
	struct wake_msg m;
	ssize_t n;
	int any = 0;

	(void)what;
	while ((n = recv(fd, &m, sizeof(m), MSG_DONTWAIT)) >= 0) {
		if (n != (ssize_t)sizeof(m) || m.magic != WAKE_MAGIC)
			continue;
		if (m.type == WAKE_HELLO)
			peer_add(h, (pid_t)m.pid);
		else if (m.seq > h->head)
			h->head = m.seq;
		any = 1;
	}
	if (any)
		hub_kick(h);
}

/* The directory of the mesh: beside the database, or under /tmp when that is too long. */
static int mesh_dir(struct alerts_hub *h, const char *db)
{
	char *real, hex[65];
	const char *path;
	struct stat sb;

	/* a backend with no database file (PostgreSQL) has no mesh: listen_start */
	if (!db) {
		errno = ENOTSUP;
		return -1;
	}
	real = realpath(db, NULL);
	path = real ? real : db;
	if (snprintf(h->dir, sizeof(h->dir), "%s.wake", path) >= (int)sizeof(h->dir) - 12) {
		tn_sha256_hex(path, strlen(path), hex);
		snprintf(h->dir, sizeof(h->dir), "/tmp/twonetd-%ld-%.16s", (long)geteuid(), hex);
	}
	free(real);
	if (mkdir(h->dir, 0700) < 0 && errno != EEXIST)
		return -1;
	if (lstat(h->dir, &sb) < 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != geteuid() ||
	    (sb.st_mode & 022)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* Join the mesh: bind our socket, find the others, say hello.  -1 (and a warning) when it cannot. */
static int mesh_start(struct alerts_hub *h)
{
	struct sockaddr_un sa;

	h->fd = -1;
	if (mesh_dir(h, store_alerts_path(h->srv->st)) < 0 ||
	    peer_addr(h, getpid(), &sa) < 0) {
		fprintf(stderr, "twonetd: warning: no wake-up directory for alerts '%s': %s; other "
			"workers' alerts reach this one's followers only at heartbeats\n", h->dir,
			strerror(errno));
		return -1;
	}
	h->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->fd >= 0) {
		unlink(sa.sun_path);    /* a socket of an earlier process with our pid */
		if (bind(h->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			close(h->fd);
			h->fd = -1;
		}
	}
	if (h->fd < 0) {
		fprintf(stderr, "twonetd: warning: cannot bind the alerts wake-up socket '%s': %s\n",
			sa.sun_path, strerror(errno));
		return -1;
	}
	h->wake = event_new(h->srv->base, h->fd, EV_READ | EV_PERSIST, on_wake, h);
	if (!h->wake || event_add(h->wake, NULL) < 0) {
		fprintf(stderr, "twonetd: warning: cannot watch the alerts wake-up socket\n");
		return -1;
	}
	mesh_scan(h);
	mesh_send(h, WAKE_HELLO, 0);
	return 0;
}

void alerts_notify(struct srv *srv, long long latest)
{
	struct alerts_hub *h = srv->alerts;

	if (!h)
		return;
	if (latest > h->head)
		h->head = latest;
	mesh_send(h, WAKE_EVENTS, latest);
	/* the head is this commit's: the kick need not read it again (unless kicked otherwise too) */
	if (h->kick)
		event_active(h->kick, EV_TIMEOUT, 0);
}

/* ---- followers ---- */

static size_t unsent(struct follower *f)
{
	return f->con ? http_conn_output_pending(f->con) : 0;
}

static void follower_free(struct follower *f)
{
	TAILQ_REMOVE(&f->hub->followers, f, link);
	if (f->beat)
		event_free(f->beat);
	tn_buf_release(&f->out);
	alert_filters_release(&f->f);
	free(f);
}

/* End the stream on our side (after `end` or `reset`); the connection may be reused. */
static void follower_finish(struct follower *f)
{
	if (f->con)
		conns_on_close(f->con, NULL, NULL);
	http_req_end(f->req);
	follower_free(f);
}

/* The client went away (or the connection was cut): the request is detached, ours to free. */
static void on_close(struct http_conn *con, void *arg)
{
	struct follower *f = arg;

	(void)con;
	http_req_end(f->req);
	f->con = NULL;
	follower_free(f);
}

static void pump(struct follower *f);

static void on_written(struct http_conn *con, void *arg)
{
	(void)con;
	pump(arg);
}

static void arm_beat(struct follower *f)
{
	struct timeval tv = { f->hub->heartbeat_ms / 1000, (f->hub->heartbeat_ms % 1000) * 1000 };

	event_add(f->beat, &tv);
}

/* Send what f->out holds as one chunk. */
static void flush_out(struct follower *f)
{
	if (f->out.len == 0)
		return;
	http_req_chunk(f->req, f->out.buf, f->out.len);
	tn_buf_reset(&f->out);
	if (f->con)
		http_conn_on_drained(f->con, on_written, f);
	arm_beat(f);
}

static void on_beat(evutil_socket_t fd, short what, void *arg)
{
	struct follower *f = arg;
	struct alerts_hub *h = f->hub;
	long long latest = store_alert_latest(h->srv->st);

	(void)fd;
	(void)what;
	tn_buf_add(&f->out, ": heartbeat\n\n", 13);
	flush_out(f);
	if (latest > h->head) {         /* a wake-up was lost: catch up now */
		h->head = latest;
		hub_kick(h);
	}
}

/* One event read for a follower: write it when it matches. */
static int on_event(void *arg, const struct store_alert_event *ev)
{
	struct follower *f = arg;

	if (ev->seq != f->pos + 1) {
		f->reset = 1;           /* deleted by retention under a slow reader */
		return 1;
	}
	if (alert_filters_match(&f->f, ev->event, ev->severity, ev->district, ev->kind)) {
		tn_buf_adds(&f->out, "event: ");
		tn_buf_adds(&f->out, ev->event);
		tn_buf_adds(&f->out, "\nid: ");
		tn_buf_addu(&f->out, (unsigned long long)ev->seq, 10);
		tn_buf_adds(&f->out, "\ndata: ");
		tn_buf_add(&f->out, ev->data, ev->len);
		tn_buf_add(&f->out, "\n\n", 2);
	}
	f->pos = ev->seq;
	if (f->end >= 0 && f->pos >= f->end)
		return 1;
	return f->out.len >= STREAM_CHUNK_BYTES;
}

static void send_reset(struct follower *f, long long asked)
{
	struct tn_err err = TN_ERR_INIT;
	long long oldest = 0, latest = 0;

	store_alert_bounds(f->hub->srv->st, &oldest, &latest, &err);
	tn_buf_addf(&f->out, "event: reset\ndata: {\"asked\":%lld,\"oldest\":%lld,"
			    "\"latest\":%lld,\"reason\":\"%s\"}\n\n", asked, oldest, latest,
			    asked > latest ? "ahead" : "expired");
	flush_out(f);
	follower_finish(f);
}

/* Feed a follower from the database up to the head, as far as its buffer allows. */
static void pump(struct follower *f)
{
	struct alerts_hub *h = f->hub;
	struct tn_err err = TN_ERR_INIT;
	long n;

	for (;;) {
		long long target = f->end >= 0 ? f->end : h->head;

		if (f->pos >= target || unsent(f) >= STREAM_HIGH)
			break;
		if (store_alert_events(h->srv->st, f->pos, 0, STREAM_CHUNK_ROWS, on_event, f, &n,
				       &err) != TN_OK) {
			fprintf(stderr, "twonetd: error: alert stream: %s\n", err.message);
			break;          /* the next wake-up or heartbeat tries again */
		}
		if (f->reset || n == 0) {
			long long oldest = 0, latest = 0;

			if (!f->reset && store_alert_bounds(h->srv->st, &oldest, &latest, &err) == TN_OK &&
			    f->pos >= oldest - 1) {
				h->head = latest;       /* nothing yet after pos: the head was ahead */
				flush_out(f);
				break;
			}
			flush_out(f);
			send_reset(f, f->pos);
			return;
		}
		flush_out(f);
	}
	if (f->end >= 0 && f->pos >= f->end) {
		tn_buf_addf(&f->out, "event: end\ndata: {\"last\":%lld}\n\n", f->pos);
		flush_out(f);
		follower_finish(f);
	}
}

/*
 * Followers at one position (the live ones, after a commit, usually all
 * are) read the events after it once between them: each gets every event
 * through its own filters (on_event), a chunk sent whenever one fills,
 * until its connection holds STREAM_HIGH unsent; then pump() goes on for
 * those still behind, from the database each.  So a commit costs one read
 * of its rows, not one a follower.
 */
static int on_shared_event(void *arg, const struct store_alert_event *ev)
{
	struct alerts_hub *h = arg;
	int live = 0;

	for (int i = 0; i < h->nshare; i++) {
		struct follower *f = h->share[i];

		if (!f->sharing)
			continue;
		if (!on_event(f, ev)) {
			live = 1;
			continue;
		}
		/* its chunk is full: out it goes, and on while the connection takes it */
		if (!f->reset && f->out.len >= STREAM_CHUNK_BYTES) {
			flush_out(f);
			if (unsent(f) < STREAM_HIGH) {
				live = 1;
				continue;
			}
		}
		f->sharing = 0;         /* over STREAM_HIGH, or a hole (pump sees it again) */
	}
	return !live;
}

static void read_shared(struct alerts_hub *h)
{
	struct tn_err err = TN_ERR_INIT;
	struct follower *f;
	long long pos = -1;
	long n;

	h->nshare = 0;
	TAILQ_FOREACH(f, &h->followers, link) {
		if (f->end >= 0 || f->reset || f->pos >= h->head || unsent(f) >= STREAM_HIGH)
			continue;
		if (pos < 0)
			pos = f->pos;
		if (f->pos != pos)
			continue;
		if (h->nshare == h->share_cap) {
			h->share_cap = h->share_cap ? 2 * h->share_cap : 16;
			h->share = tn_xrealloc(h->share, (size_t)h->share_cap * sizeof(*h->share));
		}
		h->share[h->nshare++] = f;
	}
	if (h->nshare < 2)
		return;
	for (int i = 0; i < h->nshare; i++)
		h->share[i]->sharing = 1;
	if (store_alert_events(h->srv->st, pos, 0, STREAM_CHUNK_ROWS, on_shared_event, h, &n,
			       &err) != TN_OK)
		fprintf(stderr, "twonetd: error: alert stream: %s\n", err.message);
	for (int i = 0; i < h->nshare; i++) {
		h->share[i]->sharing = 0;
		flush_out(h->share[i]);       /* the rest (and a hole, an end) is pump's */
	}
	h->nshare = 0;
}

/*
 * Feed every follower up to the head, read first unless only this worker's
 * own commits (whose seq it knows) kicked since: a wake-up may have been
 * dropped on a full queue, a LISTEN connection come back.  Without followers
 * nothing: one that joins reads the bounds itself.
 */
static void on_kick(evutil_socket_t fd, short what, void *arg)
{
	struct alerts_hub *h = arg;
	struct follower *f, *next;

	(void)fd;
	(void)what;
	if (TAILQ_EMPTY(&h->followers))
		return;
	if (h->reread) {
		long long latest = store_alert_latest(h->srv->st);

		h->reread = 0;
		if (latest > h->head)
			h->head = latest;
	}
	read_shared(h);
	for (f = TAILQ_FIRST(&h->followers); f; f = next) {
		next = TAILQ_NEXT(f, link);
		if (f->pos < (f->end >= 0 ? f->end : h->head))
			pump(f);
	}
}

void alerts_feed(struct srv *srv)
{
	if (srv->alerts)
		on_kick(-1, 0, srv->alerts);
}

void alerts_catch_up(struct srv *srv)
{
	struct alerts_hub *h = srv->alerts;

	if (!h || h->fd < 0 || TAILQ_EMPTY(&h->followers))
		return;
	h->reread = 1;          /* the store's latest: a wake-up may not have come yet */
	on_kick(-1, 0, h);
}

void alerts_yield(void *srv)
{
	struct alerts_hub *h = ((struct srv *)srv)->alerts;
	long long head;

	if (!h || h->fd < 0 || TAILQ_EMPTY(&h->followers))
		return;         /* PostgreSQL's LISTEN is read at the loop's turn only */
	head = h->head;
	on_wake(h->fd, EV_READ, h);
	if (h->head > head)
		on_kick(-1, 0, h);
}

/* tail=N: the position before the N-th last event that passes the filters. */
struct tail_scan {
	const struct alert_filters *f;
	long want, found;
	long long pos;
};

static int on_tail(void *arg, const struct store_alert_event *ev)
{
	struct tail_scan *t = arg;

	t->pos = ev->seq - 1;
	if (alert_filters_match(t->f, ev->event, ev->severity, ev->district, ev->kind))
		return ++t->found == t->want;
	return 0;
}

static enum tn_code tail_position(struct store *st, const struct alert_filters *f, long want,
				  long long latest, long long oldest, long long *pos,
				  struct tn_err *err)
{
	struct tail_scan t = { f, want, 0, latest };
	long long from = latest;
	long n;

	*pos = latest;
	if (want == 0)
		return TN_OK;
	for (;;) {
		if (store_alert_events(st, from, 1, STREAM_CHUNK_ROWS, on_tail, &t, &n, err) != TN_OK)
			return err->code;
		if (t.found == want || n < STREAM_CHUNK_ROWS)
			break;
		from = t.pos;
	}
	*pos = t.found == want ? t.pos : oldest - 1;
	return TN_OK;
}

void alerts_stream(struct req *q, const char *arg)
{
	static const char *const allowed[] = {
		"after", "since", "tail", "follow", "severity", "district", "kind", "tasks", NULL
	};
	struct alerts_hub *h = q->srv->alerts;
	struct alert_filters af;
	struct tn_err err = TN_ERR_INIT;
	struct follower *f;
	const char *lei = req_header(q, "Last-Event-ID"), *after = req_query(q, "after");
	const char *since = req_query(q, "since"), *tail = req_query(q, "tail");
	const char *follow = req_query(q, "follow");
	long long from = -1, at = 0, oldest = 0, latest = 0, pos, first;
	long tailn = -1;
	int reset = 0;

	if (!h) {
		reply_problem(q, 503, NULL, "the alert stream is not running in this worker");
		return;
	}
	if (req_query_check(q, allowed) < 0)
		return;
	while (lei && *lei == ' ')
		lei++;
	if (lei && *lei && alert_parse_seq(lei, &from) < 0) {
		reply_problem(q, 400, "Last-Event-ID", "Last-Event-ID takes a whole number, not '%s'", lei);
		return;
	}
	if (from < 0 && after && alert_parse_seq(after, &from) < 0) {
		reply_problem(q, 400, "after", "after takes a whole number, not '%s'", after);
		return;
	}
	if (since && tn_time_parse(since, &at) < 0) {
		reply_problem(q, 400, "since", "since takes an RFC 3339 time, not '%s'", since);
		return;
	}
	if (tail && (tn_parse_long(tail, &tailn) != 0 || tailn < 0 || tailn > TAIL_MAX)) {
		reply_problem(q, 400, "tail", "tail takes 0 to %d, not '%s'", TAIL_MAX, tail);
		return;
	}
	if (follow && strcmp(follow, "0") && strcmp(follow, "1")) {
		reply_problem(q, 400, "follow", "follow takes 0 or 1, not '%s'", follow);
		return;
	}
	if (alert_filters_parse(q, &af) < 0)
		return;
	/* subscribed first, then the position read: nothing can fall in between */
	f = tn_xcalloc(1, sizeof(*f));
	f->hub = h;
	f->req = q->r;
	f->con = http_req_conn(q->r);
	f->f = af;
	f->end = -1;
	tn_buf_init(&f->out);
	f->beat = evtimer_new(q->srv->base, on_beat, f);
	TAILQ_INSERT_TAIL(&h->followers, f, link);
	if (!f->beat || !f->con ||
	    store_alert_bounds(q->srv->st, &oldest, &latest, &err) != TN_OK) {
		follower_free(f);
		if (err.code == TN_OK)
			tn_err_set(&err, TN_EINTERNAL, "cannot set up the stream");
		reply_error(q, &err);
		return;
	}
	if (from >= 0) {
		pos = from;
		reset = from > latest || from < oldest - 1;
	} else if (since) {
		if (store_alert_first_since(q->srv->st, at, &first, &err) != TN_OK) {
			follower_free(f);
			reply_error(q, &err);
			return;
		}
		pos = first > 0 ? first - 1 : latest;
	} else if (tailn >= 0) {
		if (tail_position(q->srv->st, &f->f, tailn, latest, oldest, &pos, &err) != TN_OK) {
			follower_free(f);
			reply_error(q, &err);
			return;
		}
	} else {
		pos = latest;
	}
	if (latest > h->head)
		h->head = latest;
	f->pos = pos;
	if (follow && strcmp(follow, "0") == 0)
		f->end = latest > pos ? latest : pos;
	req_set_header(q, "Content-Type", "text/event-stream");
	req_set_header(q, "Cache-Control", "no-store");
	req_set_header(q, "X-Accel-Buffering", "no");
	q->replied = 1;
	req_log(q, 200);
	if (strcmp(q->method, "HEAD") == 0) {
		follower_free(f);
		http_req_reply(q->r, 200, "OK", "", 0);
		return;
	}
	http_req_start(q->r, 200, "OK");
	conns_on_close(f->con, on_close, f);
	/* no read timeout (a follower is silent; every connection sets TCP_NODELAY, each
	 * event goes out at once); a write that makes no progress cuts it */
	http_conn_set_stall(f->con, (int)((h->stall_ms + 999) / 1000));
	if (reset) {
		tn_buf_addf(&f->out, "retry: %d\n\n", STREAM_RETRY_MS);
		send_reset(f, from);
		return;
	}
	tn_buf_addf(&f->out, "retry: %d\nid: %lld\n\n", STREAM_RETRY_MS, pos);
	flush_out(f);
	pump(f);
}

int alerts_worker_start(struct srv *srv)
{
	struct alerts_hub *h = tn_xcalloc(1, sizeof(*h));

	h->srv = srv;
	h->fd = -1;
	TAILQ_INIT(&h->followers);
	h->heartbeat_ms = env_long("TWONETD_HEARTBEAT_MS", 15000, 10);
	h->stall_ms = env_long("TWONETD_STREAM_STALL_MS", 30000, 100);
	h->kick = event_new(srv->base, -1, 0, on_kick, h);
	if (!h->kick) {
		free(h);
		fprintf(stderr, "twonetd: error: cannot set up the alert stream\n");
		return -1;
	}
	h->head = store_alert_latest(srv->st);
	if (h->head < 0)
		h->head = 0;
	srv->alerts = h;
	/* without either, followers still get other workers' alerts at heartbeats */
	if (listen_start(h))
		mesh_start(h);
	return 0;
}

void alerts_worker_stop(struct srv *srv)
{
	struct alerts_hub *h = srv->alerts;
	struct follower *f;
	struct sockaddr_un sa;

	if (!h)
		return;
	/* open streams end with the connections (cut, not ended: the clients resume elsewhere) */
	while ((f = TAILQ_FIRST(&h->followers)) != NULL) {
		if (f->con)
			conns_on_close(f->con, NULL, NULL);
		http_req_abort(f->req);
		follower_free(f);
	}
	if (h->wake)
		event_free(h->wake);
	if (h->heard)
		event_free(h->heard);
	if (h->relisten)
		event_free(h->relisten);
	if (h->fd >= 0) {
		close(h->fd);
		if (peer_addr(h, getpid(), &sa) == 0)
			unlink(sa.sun_path);
	}
	if (h->kick)
		event_free(h->kick);
	free(h->peers);
	free(h->share);
	free(h);
	srv->alerts = NULL;
}
