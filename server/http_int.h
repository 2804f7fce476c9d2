/* http_int.h — what server/http.c and server/http_req.c share: a connection's and a request's insides. */
#ifndef TWONETD_HTTP_INT_H
#define TWONETD_HTTP_INT_H

#include <netinet/in.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "tn_buf.h"
#include "http.h"

#define READ_CHUNK 16384
#define PIPELINE_MAX (64 * 1024)  /* input held beyond a request in hand: then reading waits */
#define ACCEPT_BURST 64
#define LINGER_S 5                /* reading what a closed connection's client still sends */
#define LINGER_BYTES (1024 * 1024)
#define EV_RESUME EV_TIMEOUT      /* event_active's mark: run the connection again */

enum state { OPEN, CLOSING, LINGER };

struct http {
	struct event_base *base;
	struct http_opts o;
	int lfd;
	struct event *accept_ev;
	struct event *sweep;
	struct event *batch;            /* made active when a request is queued: dispatches them */
	int accepting;
	LIST_HEAD(, http_conn) conns;
	TAILQ_HEAD(, http_conn) ready;  /* connections whose request waits for the batch */
};

struct http_conn {
	struct http *h;
	LIST_ENTRY(http_conn) link;
	TAILQ_ENTRY(http_conn) rlink;
	int queued;                     /* on h->ready: its request not yet given to the server */
	int fd;
	struct event ev;                /* read and write, edge-triggered, added once */
	enum state state;
	char peer[INET6_ADDRSTRLEN];
	struct tn_buf in;               /* received; in.buf[in_off..] not yet taken */
	size_t in_off;
	struct tn_buf out;              /* to send; out.buf[out_off..] not yet written */
	size_t out_off;
	int readable;                   /* no read has found the socket empty since its last event */
	int eof, dead;                  /* the client shut its side; the socket failed */
	int continued;                  /* 100 Continue sent for the head in hand */
	int resuming;                   /* an EV_RESUME is on its way */
	struct http_req *cur;           /* taken, not finished (or finished, its reply not yet written) */
	time_t active;                  /* the last read or write that moved bytes */
	time_t linger_until;
	size_t lingered;
	int stall_s;
	void (*closecb)(struct http_conn *, void *);
	void *closearg;
	void (*drained)(struct http_conn *, void *);
	void *drained_arg;
};

struct http_req {
	struct http_conn *c;            /* NULL: the connection closed */
	struct tn_http1_head head;
	char *body;
	size_t body_len;
	int refused;
	char why[200];
	int close;                      /* the connection closes after this reply */
	int head_only;
	int started, chunked, finished; /* status line sent; chunked body; reply complete */
	struct tn_buf hdrs;
	void (*done)(struct http_req *, void *);
	void *done_arg;
};

/* Run `c` again from the loop (never from inside an http_* call the server made). */
void http_resume(struct http_conn *c);
/* Write what output there is; 0, or -1 when the socket failed (c->dead). */
int http_conn_write(struct http_conn *c);
void http_req_free(struct http_req *r);

#endif
