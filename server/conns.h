/* conns.h — each worker's open connections: counted in a page the workers share, and balanced. */
#ifndef TWONETD_CONNS_H
#define TWONETD_CONNS_H

#include "http.h"

/*
 * Why.  With several workers each listens on a socket of its own
 * (SO_REUSEPORT) and the kernel places a new connection by a hash of its
 * addresses and ports.  A client that opens 16 keep-alive connections at
 * once finds 13 of them on one worker in some runs; that worker runs flat
 * out while the other idles, for as long as the connections live.
 *
 * What.  A page shared by the parent and the workers (made before the fork)
 * holds each worker's count of the connections it serves requests on.  A
 * worker holding more than its share, ceil(total / workers), answers a
 * request with `Connection: close`; the client opens another connection,
 * which the kernel places by the hash again, so the counts even out in a few
 * replies.  A connection so marked leaves the count at once (a worker marks
 * no more than its excess); so does a stream follower (conns_on_close), which
 * is long-lived and costs little.  Never marked: a connection on its first
 * request (the client may still be opening the others, which the workers do
 * not know of yet), or with more requests waiting in its input (a pipelining
 * client would lose them).  A request that says `Connection: close` takes
 * its connection out of the count (it closes anyway) without a mark.
 *
 * The close callback.  http.c keeps one a connection; this module owns it
 * (to count the close) and calls the one a module set with conns_on_close.
 *
 * Contract.  conns_init in the parent before the workers fork; conns_worker
 * in each worker, with its slot (0 .. workers-1), before its loop;
 * conns_vacate in the parent when a worker ended, before its replacement
 * starts; conns_seen for every request, before it is routed; conns_before_reply
 * just before a reply's http_req_reply; conns_worker_end after the
 * worker's http_free.  With one worker, or after conns_init(.., 0), nothing
 * is ever marked, and the rest only keeps the close callbacks.
 */

/* The shared page for `workers` workers; `balance` 0 turns balancing off.  0, or -1 with errno (mmap failed: off). */
int conns_init(long workers, int balance);
/* In a worker: it counts in `slot`, which starts at 0. */
void conns_worker(long slot);
/* In the parent: the worker of `slot` is gone, and its connections with it. */
void conns_vacate(long slot);
/* A request arrived on `r`'s connection: count the connection the first time it is seen. */
void conns_seen(struct http_req *r);
/*
 * Call fn(con, arg) when `con` closes, instead of the callback set before;
 * fn non-NULL marks it a stream (not counted in the balance), NULL counts it
 * again (the stream ended, the connection may serve requests).
 */
void conns_on_close(struct http_conn *con,
		    void (*fn)(struct http_conn *, void *), void *arg);
/* Before `r`'s reply is sent: adds `Connection: close` when its worker holds more than its share. */
void conns_before_reply(struct http_req *r);
/* Free the worker's table (after http_free, whose close callbacks it serves); the number it marked. */
long conns_worker_end(void);

#endif
