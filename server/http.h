/* http.h — twonetd's HTTP/1.1 server: a worker's connections on its libevent loop. */
#ifndef TWONETD_HTTP_H
#define TWONETD_HTTP_H

#include <stddef.h>

#include <event2/event.h>

#include "tn_http1.h"

/*
 * Why our own.  evhttp (libevent 2.1) spent ~15 us of a worker's CPU on a
 * request before any work of ours, where a server that registers each
 * connection once and writes its reply at once spends ~6: three epoll_ctl
 * calls a request (read off while handled, write on for the reply, off once
 * written, never merged when the reply waits a loop turn for its audit row),
 * an ioctl(FIONREAD) before each read, headers kept in allocated lists and
 * written by printf.  Here a connection is added to epoll once, read and
 * write, edge-triggered; a request is parsed from one buffer (tn_http1.h);
 * its reply is formatted into the connection's output and written at once.
 *
 * What it serves.  HTTP/1.0 and 1.1, keep-alive and pipelining (one request
 * handled at a time a connection, in order), bodies by Content-Length read
 * whole before the callback (Expect: 100-continue answered), replies with a
 * Content-Length, and streamed replies (chunked on 1.1, ended by the close
 * on 1.0).  A request whose framing cannot be trusted (Transfer-Encoding, a
 * bad or conflicting Content-Length, a refused head) reaches the callback
 * all the same, for the server to refuse by name, and its connection closes
 * after the reply: nothing after it on the connection is read as a request.
 * Closing after a reply shuts the sending side and reads what the client
 * still sends for a few seconds (the client then reads the reply, not a
 * reset).  Timeouts: a connection waiting for a request closes after
 * `idle_s` of silence; output that makes no progress for `idle_s` (or a
 * stream's own stall time) closes the connection.
 *
 * Batches.  The requests the connections' callbacks of one loop turn read
 * are given to the server together, after all those reads, between
 * batch_begin and batch_end: every request of a batch was whole before the
 * batch began (twonetd reads them all in one database snapshot taken then,
 * so none is answered from a state older than its arrival).
 *
 * Contract.  Callbacks come only from the loop, never from inside an
 * http_* call: a reply written inside the request callback, or from a
 * timer's, returns before the next request of that connection is read.  A
 * request is the server's from the callback until it finishes it, with
 * http_req_reply, http_req_end or http_req_abort, whether or not its client is still there
 * (http_req_conn NULL: the connection closed; finishing only frees it).
 * `done` runs once a finished reply is written whole, or its connection
 * closed before that (never for a request whose connection closed before it
 * was finished).  A connection's close callback runs once, when it closes,
 * after its request was detached.
 */

struct http;
struct http_conn;
struct http_req;

struct http_opts {
	size_t max_head;        /* a larger request head: 431, closed */
	size_t max_body;        /* a larger Content-Length: 413, closed */
	int idle_s;             /* silence allowed before a request, and for stalled output */
	void (*cb)(struct http_req *r, void *arg);
	/* around each batch of cb calls (either may be NULL) */
	void (*batch_begin)(void *arg);
	void (*batch_end)(void *arg);
	void *arg;
};

/* Serve the listening socket `lfd` on `base`, which owns it from now (closed: http_stop_accepting, http_free); NULL on failure. */
struct http *http_new(struct event_base *base, int lfd, const struct http_opts *o);
/* Accept no more connections and close the listening socket (those open go on). */
void http_stop_accepting(struct http *h);
/* Close every connection (their close callbacks run, their requests detached) and free `h`. */
void http_free(struct http *h);

/* ---- a request ---- */
const char *http_req_method(const struct http_req *r);
const char *http_req_target(const struct http_req *r);
/* The head's fields, in order (a NUL in them arrived as 0x01). */
const struct tn_http1_head *http_req_head(const struct http_req *r);
/* The first field named `name`, any case; NULL when none. */
const char *http_req_field(const struct http_req *r, const char *name);
/* The body (Content-Length bytes, NUL-terminated; "" when none) and its length. */
const char *http_req_body(const struct http_req *r, size_t *len);
/* When this layer refused the request (a malformed head, 413): the status and why; else 0. */
int http_req_refused(const struct http_req *r, const char **detail);
/* The request's connection; NULL once it closed. */
struct http_conn *http_req_conn(const struct http_req *r);
/* A header of the reply (no CR or LF in either).  "Connection: close" closes after the reply. */
void http_req_add_header(struct http_req *r, const char *name, const char *value);
/* 1 when the connection closes after this reply (the client asked, HTTP/1.0, a header added). */
int http_req_closes(const struct http_req *r);
/* Run done(r, arg) once the reply is written whole (or its connection closed after the reply). */
void http_req_on_done(struct http_req *r, void (*done)(struct http_req *, void *), void *arg);
/* Reply and finish: the status line, the headers added, Content-Length, `body` (not for HEAD). */
void http_req_reply(struct http_req *r, int status, const char *reason, const char *body,
		    size_t len);
/* A streamed reply: the status line and headers now, the body in chunks, http_req_end to finish. */
void http_req_start(struct http_req *r, int status, const char *reason);
void http_req_chunk(struct http_req *r, const char *data, size_t len);
void http_req_end(struct http_req *r);
/* Finish without completing the reply (a stream cut, not ended): its connection closes. */
void http_req_abort(struct http_req *r);

/* ---- a connection ---- */
/* The peer's address, as text ("-" when unknown). */
const char *http_conn_peer(const struct http_conn *c);
int http_conn_fd(const struct http_conn *c);
/* Bytes received beyond the request in hand (a pipelined request, say). */
size_t http_conn_input_pending(const struct http_conn *c);
/* Bytes of output not yet written to the socket. */
size_t http_conn_output_pending(const struct http_conn *c);
/* Call fn(c, arg) when `c` closes (one callback: the last set wins; NULL none). */
void http_conn_on_close(struct http_conn *c, void (*fn)(struct http_conn *, void *), void *arg);
/* Call fn(c, arg) once, the next time all of `c`'s output has been written. */
void http_conn_on_drained(struct http_conn *c, void (*fn)(struct http_conn *, void *), void *arg);
/* Output that makes no progress for `seconds` closes `c` (0: the server's idle_s). */
void http_conn_set_stall(struct http_conn *c, int seconds);

#endif
