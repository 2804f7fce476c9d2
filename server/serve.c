/* serve.c — twonetd serve: the listening socket, worker processes, signals, a request's path split for the router (routes.c). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/util.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_json.h"
#include "tn_http1.h"
#include "store_cal.h"
#include "store_ops.h"
#include "twonetd.h"
#include "conns.h"
#include "audit_writer.h"
#include "jvutil.h"

#define MAX_WORKERS 256
#define DRAIN_TICK_MS 20
#define DRAIN_MAX_TICKS 500     /* 10 s for in-flight replies at shutdown */
#define WORKER_CANNOT_START 3   /* a worker's exit status: it could not set up */

#define MAX_SEGS 6

/*
 * The query string's parameters, as tn_query_split splits and decodes them
 * (at '&', then '=', '+' a space): 0 when there are at most TWONETD_MAX_PARAMS and no
 * value decodes to a NUL byte or a control character other than tab, LF and
 * CR (the rule of JSON strings in a body), else replied 400 and -1.  Each
 * value is decoded into `scratch` (as long as the query), not allocated.
 */
static int query_ok(struct req *q, const char *query, char *scratch)
{
	int n = 0;

	for (const char *arg = query; *arg; ) {
		size_t len = strcspn(arg, "&"), klen = strcspn(arg, "="), dlen;
		int nul = 0, ctl = 0;

		if (++n > TWONETD_MAX_PARAMS) {
			reply_problem(q, 400, NULL, "more than %d query parameters",
				      TWONETD_MAX_PARAMS);
			return -1;
		}
		if (klen < len) {       /* key=value (no '=': tn_query_split refuses it) */
			dlen = tn_uri_decode(arg + klen + 1, len - klen - 1, 1, scratch);
			ctl = tn_json_control_in(scratch, dlen);
			nul = memchr(scratch, '\0', dlen) != NULL;
		}
		if (ctl) {
			char *key = tn_xstrndup(arg, klen);

			reply_problem(q, 400, key, "query parameter '%s' holds %s", key,
				      nul ? "a NUL byte" : "a control character");
			free(key);
			return -1;
		}
		arg += len + (arg[len] == '&');
	}
	return 0;
}

#define PARAMS_BYTES (TWONETD_MAX_PARAMS * sizeof(struct tn_query_param))

/*
 * The parameters of `query` (`len` bytes, counted by query_ok) in
 * q->params: `buf` holds their array, then (past query_ok's scratch) the
 * copy they point into (tn_query_split): one allocation, where libevent's
 * evhttp_parse_query_str made five a parameter.
 */
static int query_params(struct req *q, const char *query, size_t len, char *buf)
{
	struct tn_query_param *pv = (struct tn_query_param *)(void *)buf;
	char *copy = buf + PARAMS_BYTES + len + 1;

	memcpy(copy, query, len + 1);
	q->params = pv;
	q->nparams = tn_query_split(copy, pv, TWONETD_MAX_PARAMS);
	if (q->nparams >= 0)
		return 0;
	q->nparams = 0;
	return -1;
}

/*
 * The path and the query of a request target (RFC 9112 3.2): origin form
 * "/path?query", absolute form "http://host/path?query" (the path after the
 * authority), "*"; a fragment is dropped.  *path and *query point into
 * `copy` (owned by the caller); *query NULL when there is none.
 */
static char *split_target(const char *target, const char **path, const char **query)
{
	char *copy = tn_xstrdup(target), *p = copy, *q;

	if (strncasecmp(p, "http://", 7) == 0 || strncasecmp(p, "https://", 8) == 0) {
		p = strstr(p, "//") + 2;
		p += strcspn(p, "/?#");
		if (*p != '/') {        /* "http://host" or "http://host?q": the path is "/" */
			memmove(p + 1, p, strlen(p) + 1);
			*p = '/';
		}
	}
	if ((q = strchr(p, '#')) != NULL)
		*q = '\0';
	if ((q = strchr(p, '?')) != NULL)
		*q++ = '\0';
	*path = p;
	*query = q;
	return copy;
}

/* The one request callback: parse the path and query, route, clean up. */
static void dispatch(struct http_req *r, void *arg)
{
	struct req q;
	const char *path = NULL, *query = NULL, *why;
	char *seg[MAX_SEGS], *target = NULL, *scratch = NULL;
	int n = 0, too_deep = 0, refused;

	memset(&q, 0, sizeof(q));
	q.srv = arg;
	q.r = r;
	conns_seen(r);
	clock_gettime(CLOCK_MONOTONIC, &q.t0);
	q.method = http_req_method(r);
	q.uri = http_req_target(r);
	if ((refused = http_req_refused(r, &why)) != 0) {
		req_set_header(&q, "Connection", "close");
		reply_problem(&q, refused, NULL, "%s", why);
		goto out;
	}
	if (req_head_check(&q) < 0)
		goto out;
	target = split_target(q.uri, &path, &query);
	if (query) {
		size_t len = strlen(query);

		/* one allocation: the parameters, query_ok's scratch, the copy they point into */
		scratch = tn_xmalloc(PARAMS_BYTES + 2 * (len + 1));
		if (query_ok(&q, query, scratch + PARAMS_BYTES) < 0)
			goto out;
		if (query_params(&q, query, len, scratch) < 0) {
			reply_problem(&q, 400, NULL, "malformed query string");
			goto out;
		}
	}
	/* the segments decoded in place, in the target's copy (decoding only shortens) */
	for (char *p = (char *)path, *s; p && *p; p = s) {
		size_t len;

		s = strchr(p, '/');
		if (s)
			*s++ = '\0';
		if (!*p)
			continue;
		if (n == MAX_SEGS) {
			too_deep = 1;
			break;
		}
		len = tn_uri_decode(p, strlen(p), 0, p);
		p[len] = '\0';
		seg[n++] = p;
		/* %00 would cut the segment short; %0A and the like have no place in a name */
		if (len != strlen(p) || has_control(p)) {
			reply_problem(&q, 400, "path", "path segment %d holds %s", n,
				      len != strlen(p) ? "a NUL byte" : "a control character");
			goto out;
		}
	}
	if (too_deep)
		reply_problem(&q, 404, NULL, "no such endpoint '%s'", q.uri);
	else
		route_dispatch(&q, seg, n);
out:
	if (!q.replied && !q.deferred)    /* deferred: answered later (req_defer) */
		reply_problem(&q, 500, NULL, "the request got no answer");
	free(scratch);
	free(target);
	store_token_release(&q.tok);
}

/*
 * A batch of requests (http.h): the certificate reads among them share one
 * read snapshot, begun at the first and ended here (store_certs_read_hold);
 * any other request ends it first (routes.c), so does a write transaction.
 */
static void batch_begin(void *arg)
{
	struct srv *srv = arg;

	store_certs_read_hold(srv->st, 1);
	certs_audit_batch(1);
}

static void batch_end(void *arg)
{
	struct srv *srv = arg;

	store_certs_read_hold(srv->st, 0);
	certs_audit_batch(0);
}

static void drain_tick(evutil_socket_t fd, short what, void *arg)
{
	struct srv *srv = arg;
	static int ticks;

	(void)fd;
	(void)what;
	if (srv->pending <= 0 || ++ticks > DRAIN_MAX_TICKS)
		event_base_loopexit(srv->base, NULL);
}

/* SIGTERM/SIGINT: stop accepting, let queued replies go out, then leave the loop. */
static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct srv *srv = arg;
	struct timeval tv = { 0, DRAIN_TICK_MS * 1000 };

	(void)what;
	if (srv->stopping)      /* already draining (a terminal's ^C reaches every worker too) */
		return;
	srv->stopping = 1;
	fprintf(stderr, "twonetd[%ld]: %s, shutting down\n", (long)getpid(),
		sig == SIGTERM ? "SIGTERM" : "SIGINT");
	if (srv->http)
		http_stop_accepting(srv->http);
	srv->drain = event_new(srv->base, -1, EV_PERSIST, drain_tick, srv);
	if (srv->drain)
		event_add(srv->drain, &tv);
	else
		event_base_loopexit(srv->base, NULL);
}

/*
 * The worker's event loop.  A precise timer: epoll_wait counts in whole
 * milliseconds, so the audit flush's retry after 50 us (the write lock was
 * busy, certs_audit.c) slept a millisecond or more, all of the worker's
 * held reads waiting with it; libevent then waits on a timerfd instead.
 * The epoll changelist: libevent makes one epoll_ctl of the net change of
 * an event's interests at the loop's next wait (http.c adds a connection
 * once, read and write, and never changes it; the other events gain little;
 * the flag's caveat, one file under two descriptors, never arises here: no
 * descriptor is dup()ed).
 */
static struct event_base *new_base(void)
{
	struct event_config *cfg = event_config_new();
	struct event_base *base;

	if (!cfg)
		return NULL;
	event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	return base;
}

/* Several workers: each listens on a socket of its own (worker_listener); set before they fork. */
static int own_sockets;

/* Tell the parent this worker is in its loop: one byte on `ready_fd` (-1: a replacement, nobody waits). */
static void say_ready(int ready_fd)
{
	if (ready_fd < 0)
		return;
	while (write(ready_fd, "r", 1) < 0 && errno == EINTR)
		;
	close(ready_fd);
}

/*
 * One worker: its own database connection, listening socket (the parent's,
 * or with several workers one of its own on its address) and event loop.
 * Returns 0 after a clean stop, WORKER_CANNOT_START when it could not set
 * up, 1 when the loop failed.
 */
static int worker(int fd, const struct serve_opts *o, struct tn_cal *cal, long slot, int ready_fd)
{
	struct srv srv;
	struct tn_err err = TN_ERR_INIT;
	int rc = 0, lfd;
	long marked;

	memset(&srv, 0, sizeof(srv));
	/* a --calendar file is fixed; else the database's, read on first use (srv_cal) */
	srv.cal = o->calendar ? cal : NULL;
	srv.cal_fixed = o->calendar != NULL;
	srv.cal_gen = -1;
	srv.log_daily = slot == 0;      /* the first logs daily */
	conns_worker(slot);
	certs_audit_writer(aw_worker_fd(slot));
	signal(SIGPIPE, SIG_IGN);
	if (store_open(&srv.st, o->db, 0, &err) != TN_OK)
		return twonetd_fail(&err, WORKER_CANNOT_START);
	srv.base = new_base();
	lfd = !srv.base ? -1 : own_sockets ? worker_listener(fd) : fd;
	if (lfd >= 0) {
		struct http_opts ho = { TWONETD_HEAD_BACKSTOP, TWONETD_READ_LIMIT, 60, dispatch,
					batch_begin, batch_end, &srv };

		srv.http = http_new(srv.base, lfd, &ho);        /* owns lfd, even when it fails */
	}
	if (!srv.http) {
		fprintf(stderr, "twonetd: error: cannot set up the event loop or the listener\n");
		rc = WORKER_CANNOT_START;
		goto out;
	}
	srv.sig_term = evsignal_new(srv.base, SIGTERM, on_signal, &srv);
	srv.sig_int = evsignal_new(srv.base, SIGINT, on_signal, &srv);
	if (!srv.sig_term || !srv.sig_int || evsignal_add(srv.sig_term, NULL) < 0 ||
	    evsignal_add(srv.sig_int, NULL) < 0) {
		fprintf(stderr, "twonetd: error: cannot set up the signals\n");
		rc = WORKER_CANNOT_START;
		goto out;
	}
	if (alerts_worker_start(&srv) < 0) {
		rc = WORKER_CANNOT_START;
		goto out;
	}
	if (certs_worker_start(&srv) < 0) {
		alerts_worker_stop(&srv);
		rc = WORKER_CANNOT_START;
		goto out;
	}
	if (calendar_worker_start(&srv) < 0 || tasks_worker_start(&srv, o->rules) < 0) {
		certs_worker_stop(&srv);
		alerts_worker_stop(&srv);
		rc = WORKER_CANNOT_START;
		goto out;
	}
	say_ready(ready_fd);
	if (event_base_dispatch(srv.base) < 0)
		rc = 1;
	cases_worker_stop(&srv);
	certs_worker_stop(&srv);
	alerts_worker_stop(&srv);
out:
	tasks_worker_stop(&srv);
	calendar_worker_stop(&srv);
	http_free(srv.http);
	if ((marked = conns_worker_end()) > 0)
		fprintf(stderr, "twonetd[%ld]: closed %ld connection%s to even out the workers\n",
			(long)getpid(), marked, marked == 1 ? "" : "s");
	if (srv.drain)
		event_free(srv.drain);
	if (srv.sig_term)
		event_free(srv.sig_term);
	if (srv.sig_int)
		event_free(srv.sig_int);
	if (srv.base)
		event_base_free(srv.base);
	store_close(srv.st);
	return rc;
}

/* `ready`: the pipe a starting worker says it is ready on ({-1, -1}: a replacement). */
static pid_t spawn(int fd, const struct serve_opts *o, struct tn_cal *cal, const sigset_t *old,
		   long slot, const int ready[2])
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		int rc;

		/* a worker never outlives its supervisor (kill -9 of the server stops it all) */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
			_exit(WORKER_CANNOT_START);
		sigprocmask(SIG_SETMASK, old, NULL);
		if (ready[0] >= 0)
			close(ready[0]);
		rc = worker(fd, o, cal, slot, ready[1]);
		tn_cal_free(cal);
		fflush(stderr);
		_exit(rc);
	}
	if (pid < 0)
		fprintf(stderr, "twonetd: error: fork: %s\n", strerror(errno));
	return pid;
}

/*
 * Once every worker is in its loop (or none will be): the port file and the
 * "listening" line, which scripts and tests wait for.  Said before, a client
 * that connected at once met only the workers already up, and kept its
 * connections there for the whole run.
 * Closes `ready`.  0, or -1 when the port file cannot be written.
 */
static int announce(const struct serve_opts *o, int port, long n, int ready[2])
{
	long up = 0;
	char c;
	ssize_t got;

	if (ready[1] >= 0)
		close(ready[1]);
	/* a byte a worker; the end of the pipe once every worker said so or ended */
	while (ready[0] >= 0 && up < n && ((got = read(ready[0], &c, 1)) > 0 ||
					   (got < 0 && errno == EINTR)))
		up += got > 0;
	if (ready[0] >= 0)
		close(ready[0]);
	if (ready[0] >= 0 && up == 0)
		return 0;       /* none started: the loop below stops them all, saying why */
	if (o->port_file && write_port_file(o->port_file, port) < 0)
		return -1;
	fprintf(stderr, "twonetd: listening on %s (port %d), %ld worker%s, database '%s'\n",
		o->listen, port, n, n == 1 ? "" : "s", o->db);
	return 0;
}

/*
 * The parent of N workers (one too): forwards SIGTERM/SIGINT to them and
 * waits.  A worker that dies (a signal, an assertion, a sanitizer's exit) is
 * replaced at once, so that no request kills more than the one worker that
 * took it and the connections waiting for it, never the port; a worker that
 * could not set up stops them all.
 */
static int supervise(int fd, const struct serve_opts *o, struct tn_cal *cal, long n, int port)
{
	pid_t pids[MAX_WORKERS];
	sigset_t set, old;
	long live = 0;
	int stopping = 0, failed = 0;
	int ready[2] = { -1, -1 };
	const int none[2] = { -1, -1 };
	pid_t writer;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	writer = aw_start(o->db, n, fd, &old);
	if (pipe2(ready, O_CLOEXEC) < 0)
		ready[0] = ready[1] = -1;       /* then said at once */
	for (long i = 0; i < n; i++) {
		pids[i] = spawn(fd, o, cal, &old, i, ready);
		if (pids[i] > 0)
			live++;
		else
			failed = 1;
	}
	if (live == 0) {                /* no fork: nothing to wait for */
		if (ready[0] >= 0)
			close(ready[0]);
		if (ready[1] >= 0)
			close(ready[1]);
	} else if (announce(o, port, n, ready) < 0) {
		stopping = failed = 1;
		for (long i = 0; i < n; i++)
			if (pids[i] > 0)
				kill(pids[i], SIGTERM);
	}
	while (live > 0) {
		siginfo_t info;
		int sig = sigwaitinfo(&set, &info);

		if (sig < 0)
			continue;
		if ((sig == SIGTERM || sig == SIGINT) && !stopping) {
			stopping = 1;
			for (long i = 0; i < n; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGTERM);
			continue;
		}
		if (sig == SIGHUP) {    /* reload the rules: every worker reads them again */
			for (long i = 0; i < n; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGHUP);
			continue;
		}
		if (sig != SIGCHLD)
			continue;
		for (;;) {
			int status;
			pid_t pid = waitpid(-1, &status, WNOHANG);
			long i;

			if (pid <= 0)
				break;
			if (pid == writer) {    /* the workers write their own rows from now on */
				fprintf(stderr, "twonetd: the audit writer %ld ended (%s %d)\n", (long)pid,
					WIFSIGNALED(status) ? "signal" : "status",
					WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
				writer = -1;
				continue;
			}
			for (i = 0; i < n && pids[i] != pid; i++)
				;
			if (i == n)
				continue;
			pids[i] = -1;
			live--;
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
				continue;
			if (!stopping && !(WIFEXITED(status) &&
					   WEXITSTATUS(status) == WORKER_CANNOT_START)) {
				if (WIFSIGNALED(status))
					fprintf(stderr, "twonetd: worker %ld died by signal %d; "
						"starting another\n", (long)pid, WTERMSIG(status));
				else
					fprintf(stderr, "twonetd: worker %ld exited with status %d; "
						"starting another\n", (long)pid, WEXITSTATUS(status));
				conns_vacate(i);
				pids[i] = spawn(fd, o, cal, &old, i, none);
				if (pids[i] > 0)
					live++;
				else
					failed = 1;
			} else {
				failed = 1;
				if (!stopping) {
					/* a worker that cannot start: stop them all */
					stopping = 1;
					for (long k = 0; k < n; k++)
						if (pids[k] > 0)
							kill(pids[k], SIGTERM);
				}
			}
		}
	}
	aw_finish(writer);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return failed ? 1 : 0;
}

/*
 * The database's calendar, seeded from the shipped file when it holds none
 * (a database made before the calendar moved into it).  0, or -1 after
 * saying why.
 */
static int calendar_ready(struct store *st)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_cal *cal = NULL;
	long gen;

	if (store_cal_load(st, &cal, &gen, &err) != TN_OK)
		return twonetd_fail(&err, -1);
	if (!cal && calendar_seed(st, NULL, &err) != TN_OK) {
		fprintf(stderr, "twonetd: warning: the database holds no working-day calendar and "
			"the shipped one cannot be read (%s): every deadline is provisional\n",
			err.message);
	}
	tn_cal_free(cal);
	return 0;
}

/* At start-up: say what the calendar covers, and warn when it ends soon. */
static void calendar_log(struct store *st, struct tn_cal *fixed)
{
	struct srv srv;

	memset(&srv, 0, sizeof(srv));
	srv.st = st;
	srv.cal = fixed;
	srv.cal_fixed = fixed != NULL;
	srv.cal_gen = -1;
	if (*srv_cal_warning(&srv))
		fprintf(stderr, "twonetd: warning: %s\n", srv.cal_warning);
	if (!srv.cal_fixed)
		tn_cal_free(srv.cal);
}

int serve_run(const struct serve_opts *o)
{
	struct tn_err err = TN_ERR_INIT;
	struct store *st = NULL;
	struct tn_cal *cal = NULL;
	long n = o->workers;
	int fd, port = 0, rc, missing;
	char names[160];

	/* check the database before binding: a missing one is a clear error */
	if (store_open(&st, o->db, 0, &err) != TN_OK)
		return twonetd_fail(&err, 1);
	/* a backend still being written serves nothing rather than half the API */
	if ((missing = store_missing_ops(st, names, sizeof(names))) > 0) {
		fprintf(stderr, "twonetd: error: the %s backend cannot serve yet: %d storage "
			"operations missing (%s)\n", store_backend(st), missing, names);
		store_close(st);
		return 2;
	}
	if (o->calendar) {
		if (tn_cal_load(&cal, o->calendar, &err) != TN_OK) {
			store_close(st);
			return twonetd_fail(&err, 1);
		}
	} else if (calendar_ready(st) < 0) {
		store_close(st);
		return 1;
	}
	calendar_log(st, cal);
	store_close(st);
	if (tasks_rules_check(o->rules) < 0) {
		tn_cal_free(cal);
		return 1;
	}
	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n <= 0)
		n = 1;
	if (n > MAX_WORKERS)
		n = MAX_WORKERS;
	own_sockets = n > 1;
	if (conns_init(n, !o->no_balance) < 0)     /* the server runs, unbalanced */
		fprintf(stderr, "twonetd: warning: cannot share the workers' connection counts "
			"(%s): connections are not balanced\n", strerror(errno));
	fd = open_listener(o->listen, &port, !own_sockets);
	if (fd < 0) {
		tn_cal_free(cal);
		return 1;
	}
	rc = supervise(fd, o, cal, n, port);
	close(fd);
	tn_cal_free(cal);
	if (o->port_file)
		unlink(o->port_file);
	fprintf(stderr, "twonetd: stopped\n");
	return rc;
}
