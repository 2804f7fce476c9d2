/* http.c — twonetd's HTTP/1.1 server: connections accepted, read, their requests taken and batched, closed (http.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "tn_buf.h"
#include "http.h"
#include "http_int.h"

static void conn_cb(evutil_socket_t fd, short what, void *arg);

static time_t now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	return t.tv_sec;
}

/* Run `c` again from the loop (never from inside an http_* call the server made). */
void http_resume(struct http_conn *c)
{
	if (!c->resuming) {
		c->resuming = 1;
		event_active(&c->ev, EV_RESUME, 1);
	}
}

void http_req_free(struct http_req *r)
{
	tn_http1_head_free(&r->head);
	free(r->body);
	tn_buf_release(&r->hdrs);
	free(r);
}

/* ---- writing ---- */

/* Write what output there is; 0, or -1 when the socket failed (c->dead). */
int http_conn_write(struct http_conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.buf + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);

		if (n > 0) {
			c->out_off += (size_t)n;
			c->active = now_s();
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return 0;
		} else {
			c->dead = 1;
			return -1;
		}
	}
	return 0;
}

/* Output written whole: forget it (offsets of the request in hand move with it). */
static void out_compact(struct http_conn *c)
{
	if (c->out_off < c->out.len || c->out.len == 0)
		return;
	c->out_off = 0;
	tn_buf_reset(&c->out);
	if (c->out.alloc > 4 * READ_CHUNK) {      /* a large reply's memory goes back */
		tn_buf_release(&c->out);
	}
}

/* ---- closing ---- */

static void conn_free(struct http_conn *c)
{
	void (*fn)(struct http_conn *, void *) = c->closecb;
	void *arg = c->closearg;
	struct http_req *r = c->cur;

	LIST_REMOVE(c, link);
	event_del(&c->ev);
	close(c->fd);
	c->cur = NULL;
	if (c->queued) {        /* never given to the server: nobody else will free it */
		TAILQ_REMOVE(&c->h->ready, c, rlink);
		http_req_free(r);
		r = NULL;
	}
	if (r) {
		r->c = NULL;
		if (r->finished) {      /* its reply was complete: the server is done with it */
			if (r->done)
				r->done(r, r->done_arg);
			http_req_free(r);
		}
	}
	if (fn)
		fn(c, arg);
	tn_buf_release(&c->in);
	tn_buf_release(&c->out);
	free(c);
}

/* Output written: shut the sending side, read the rest for a while, then close. */
static void conn_linger(struct http_conn *c)
{
	if (c->dead || c->eof || shutdown(c->fd, SHUT_WR) < 0) {
		conn_free(c);
		return;
	}
	c->state = LINGER;
	c->linger_until = now_s() + LINGER_S;
	c->readable = 1;
	http_resume(c);
}

/* ---- reading and taking requests ---- */

/* Read what the socket holds (up to what may be buffered); 0, or -1 when it failed. */
static int conn_read(struct http_conn *c, size_t limit)
{
	while (c->readable && c->in.len - c->in_off < limit) {
		ssize_t n;

		if (c->in_off == c->in.len && c->in.alloc > 4 * READ_CHUNK) {
			tn_buf_release(&c->in);         /* a large body's memory goes back */
			c->in_off = 0;
		} else if (c->in_off) { /* what was taken goes: the rest to the front */
			memmove(c->in.buf, c->in.buf + c->in_off, c->in.len - c->in_off);
			tn_buf_setlen(&c->in, c->in.len - c->in_off);
			c->in_off = 0;
		}
		tn_buf_grow(&c->in, READ_CHUNK);
		n = recv(c->fd, c->in.buf + c->in.len, c->in.alloc - c->in.len - 1, 0);
		if (n > 0) {
			size_t asked = c->in.alloc - c->in.len - 1;

			tn_buf_setlen(&c->in, c->in.len + (size_t)n);
			c->active = now_s();
			if ((size_t)n < asked)
				c->readable = 0;        /* emptied: the next data raises an edge */
		} else if (n == 0) {
			c->eof = 1;
			c->readable = 0;
		} else if (errno == EINTR) {
			continue;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			c->readable = 0;
		} else {
			c->dead = 1;
			c->readable = 0;
			return -1;
		}
	}
	return 0;
}

/* 1 when the Connection field names `token` (any case) among its comma-separated tokens. */
static int connection_says(const char *v, const char *token)
{
	size_t n = strlen(token);

	while (v && *v) {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (strncasecmp(v, token, n) == 0 && (v[n] == '\0' || v[n] == ',' || v[n] == ' ' ||
						      v[n] == '\t'))
			return 1;
		v = strchr(v, ',');
	}
	return 0;
}

static struct http_req *req_new(struct http_conn *c)
{
	struct http_req *r = tn_xcalloc(1, sizeof(*r));

	r->c = c;
	tn_buf_init(&r->hdrs);
	return r;
}

/* A request refused here: to the server all the same (its reply says why), then closed. */
static struct http_req *refused(struct http_conn *c, int status, const char *why)
{
	struct http_req *r = req_new(c);

	r->refused = status;
	r->head.minor = 1;
	snprintf(r->why, sizeof(r->why), "%s", why);
	r->close = 1;
	c->in_off = c->in.len;  /* nothing after it is a request */
	return r;
}

/* The next request in c's input: 1 taken (c->cur), 0 not whole yet, -1 refused and taken. */
static int take(struct http_conn *c)
{
	struct http *h = c->h;
	struct http_req *r;
	struct tn_http1_head head;
	const char *in = c->in.buf + c->in_off;
	size_t avail = c->in.len - c->in_off, body = 0;
	int status = 0, trusted, rc;
	char why[200];

	rc = tn_http1_parse(in, avail, h->o.max_head, &head, &status, why, sizeof(why));
	if (rc == 0)
		return 0;
	if (rc < 0) {
		c->cur = refused(c, status, why);
		return -1;
	}
	trusted = tn_http1_framing(&head, &body) == TN_HTTP1_LENGTH;
	if (body > h->o.max_body) {
		snprintf(why, sizeof(why), "the body is larger than %zu bytes", h->o.max_body);
		c->cur = refused(c, 413, why);
		c->cur->head = head;
		return -1;
	}
	if (avail - head.len < body) {
		const char *e = tn_http1_field(&head, "Expect");

		if (e && strcasecmp(e, "100-continue") == 0 && head.minor >= 1 && !c->continued) {
			c->continued = 1;
			tn_buf_adds(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
			http_conn_write(c);
		}
		tn_http1_head_free(&head);
		return 0;
	}
	r = req_new(c);
	r->head = head;
	r->head_only = strcmp(head.method, "HEAD") == 0;
	if (body) {
		r->body = tn_xmalloc(body + 1);
		memcpy(r->body, in + head.len, body);
		r->body[body] = '\0';
		r->body_len = body;
	}
	c->in_off += head.len + body;
	c->continued = 0;
	if (!trusted)
		r->close = 1;
	else if (head.minor >= 1)
		r->close = connection_says(tn_http1_field(&head, "Connection"), "close");
	else
		r->close = !connection_says(tn_http1_field(&head, "Connection"), "keep-alive");
	if (!trusted || r->close)
		c->in_off = c->in.len;  /* nothing after it is read as a request */
	c->cur = r;
	return 1;
}

/* The request in hand is written whole: its done callback; then free it. */
static void retire(struct http_conn *c)
{
	struct http_req *r = c->cur;

	c->cur = NULL;
	if (r->close)
		c->state = CLOSING;
	if (r->done)
		r->done(r, r->done_arg);
	http_req_free(r);
}

/* Everything a connection can do now; may free it. */
static void conn_run(struct http_conn *c)
{
	struct http *h = c->h;

	if (c->out_off < c->out.len && http_conn_write(c) < 0) {
		conn_free(c);
		return;
	}
	if (c->out_off == c->out.len) {
		if (c->cur && c->cur->finished)
			retire(c);
		out_compact(c);
		if (c->drained) {
			void (*fn)(struct http_conn *, void *) = c->drained;

			c->drained = NULL;
			fn(c, c->drained_arg);
		}
	}
	if (c->state == LINGER) {
		while (c->readable && !c->eof && !c->dead && c->lingered <= LINGER_BYTES) {
			size_t before = c->in.len;

			conn_read(c, READ_CHUNK);
			c->lingered += c->in.len - before;
			c->in_off = 0;
			tn_buf_reset(&c->in);
		}
		if (c->eof || c->dead || c->lingered > LINGER_BYTES)
			conn_free(c);
		return;
	}
	if (c->state == CLOSING) {
		if (c->dead)
			conn_free(c);
		else if (c->out_off == c->out.len)
			conn_linger(c);
		return;
	}
	while (!c->cur) {
		size_t had = c->in.len - c->in_off;

		if (take(c) != 0) {
			/* to the server with the others read in this loop turn (batch_cb) */
			TAILQ_INSERT_TAIL(&h->ready, c, rlink);
			c->queued = 1;
			event_active(h->batch, EV_READ, 1);
			return;         /* the next request once this one is written (resume) */
		}
		if (c->readable && !c->eof && !c->dead &&
		    conn_read(c, h->o.max_head + h->o.max_body + 1) == 0 && c->in.len - c->in_off > had)
			continue;       /* more bytes: parse again */
		if (c->eof || c->dead)
			conn_free(c);   /* closed between requests, or within one: nothing to answer */
		return;
	}
	/* a request in hand: keep reading (a pipelined request, or the client's close) */
	if (c->readable && !c->eof)
		conn_read(c, PIPELINE_MAX);
	if (c->dead || (c->eof && c->cur->started && !c->cur->finished))
		conn_free(c);           /* the socket failed; or a stream's client went */
}

static void conn_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *c = arg;

	(void)fd;
	if (what & EV_RESUME)
		c->resuming = 0;
	if (what & EV_READ)
		c->readable = 1;
	conn_run(c);
}

/*
 * The requests queued by the connections' callbacks of this loop turn, to
 * the server in one go, between batch_begin and batch_end: every one of them
 * was received before the first is handled (twonetd reads them all in one
 * database snapshot).  Runs after those callbacks: libevent appends an
 * event made active to the queue it is working through.
 */
static void batch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;
	struct http_conn *c;

	(void)fd;
	(void)what;
	if (TAILQ_EMPTY(&h->ready))
		return;
	if (h->o.batch_begin)
		h->o.batch_begin(h->o.arg);
	while ((c = TAILQ_FIRST(&h->ready)) != NULL) {
		TAILQ_REMOVE(&h->ready, c, rlink);
		c->queued = 0;
		h->o.cb(c->cur, h->o.arg);
	}
	if (h->o.batch_end)
		h->o.batch_end(h->o.arg);
}

/* ---- accepting, the sweep ---- */

static void accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct http *h = arg;

	(void)what;
	for (int i = 0; i < ACCEPT_BURST && h->accepting; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
		struct http_conn *c;

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				/* out of descriptors: stop accepting until the sweep tries again */
				event_del(h->accept_ev);
			}
			return;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = tn_xcalloc(1, sizeof(*c));
		c->h = h;
		c->fd = fd;
		c->state = OPEN;
		c->active = now_s();
		c->readable = 1;
		tn_buf_init(&c->in);
		tn_buf_init(&c->out);
		snprintf(c->peer, sizeof(c->peer), "-");
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, c->peer, sizeof(c->peer));
		else if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, c->peer,
				  sizeof(c->peer));
		if (event_assign(&c->ev, h->base, fd, EV_READ | EV_WRITE | EV_ET | EV_PERSIST, conn_cb,
				 c) < 0 || event_add(&c->ev, NULL) < 0) {
			close(fd);
			free(c);
			continue;
		}
		LIST_INSERT_HEAD(&h->conns, c, link);
	}
}

/* Once a second: connections silent too long, output stalled, lingering done; accepting again. */
static void sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;
	struct http_conn *c, *next;
	time_t now = now_s();

	(void)fd;
	(void)what;
	if (h->accepting && !event_pending(h->accept_ev, EV_READ, NULL))
		event_add(h->accept_ev, NULL);
	for (c = LIST_FIRST(&h->conns); c; c = next) {
		int stall = c->stall_s > 0 ? c->stall_s : h->o.idle_s;

		next = LIST_NEXT(c, link);
		if (c->state == LINGER ? now >= c->linger_until :
		    c->out_off < c->out.len ? now - c->active >= stall :
		    !c->cur && now - c->active >= h->o.idle_s)
			conn_free(c);
	}
}

struct http *http_new(struct event_base *base, int lfd, const struct http_opts *o)
{
	struct http *h = tn_xcalloc(1, sizeof(*h));
	struct timeval sec = { 1, 0 };

	h->base = base;
	h->o = *o;
	h->lfd = lfd;
	h->accepting = 1;
	LIST_INIT(&h->conns);
	TAILQ_INIT(&h->ready);
	evutil_make_socket_nonblocking(lfd);
	h->accept_ev = event_new(base, lfd, EV_READ | EV_PERSIST, accept_cb, h);
	h->sweep = event_new(base, -1, EV_PERSIST, sweep_cb, h);
	h->batch = event_new(base, -1, 0, batch_cb, h);
	if (!h->accept_ev || !h->sweep || !h->batch || event_add(h->accept_ev, NULL) < 0 ||
	    event_add(h->sweep, &sec) < 0) {
		http_free(h);
		return NULL;
	}
	return h;
}

void http_stop_accepting(struct http *h)
{
	h->accepting = 0;
	if (h->accept_ev)
		event_del(h->accept_ev);
	if (h->lfd >= 0)
		close(h->lfd);  /* the kernel queues no more connections for this worker */
	h->lfd = -1;
}

void http_free(struct http *h)
{
	if (!h)
		return;
	http_stop_accepting(h);
	while (!LIST_EMPTY(&h->conns))
		conn_free(LIST_FIRST(&h->conns));
	if (h->accept_ev)
		event_free(h->accept_ev);
	if (h->sweep)
		event_free(h->sweep);
	if (h->batch)
		event_free(h->batch);
	free(h);
}
