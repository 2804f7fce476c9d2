/* http_req.c — twonetd's HTTP/1.1 server: a request's and a connection's API, replies written (http.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tn_buf.h"
#include "http.h"
#include "http_int.h"

static const char *http_date(void)
{
	static __thread time_t made = -1;
	static __thread char text[40];
	time_t t = time(NULL);

	if (t != made) {
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		made = t;
	}
	return text;
}

static void status_line(struct http_req *r, int status, const char *reason)
{
	struct tn_buf *o = &r->c->out;

	tn_buf_add(o, "HTTP/1.", 7);
	tn_buf_addu(o, (unsigned)r->head.minor, 10);
	tn_buf_addch(o, ' ');
	tn_buf_addu(o, (unsigned)status, 10);
	tn_buf_addch(o, ' ');
	tn_buf_adds(o, reason);
	tn_buf_add(o, "\r\n", 2);
	tn_buf_add(o, r->hdrs.buf, r->hdrs.len);
	tn_buf_adds(o, "Date: ");
	tn_buf_adds(o, http_date());
	tn_buf_adds(o, "\r\n");
	if (r->close)
		tn_buf_adds(o, "Connection: close\r\n");
	else if (r->head.minor == 0)
		tn_buf_adds(o, "Connection: keep-alive\r\n");
}

/* ---- the request's API ---- */

const char *http_req_method(const struct http_req *r)
{
	return r->head.method ? r->head.method : "-";
}

const char *http_req_target(const struct http_req *r)
{
	return r->head.target ? r->head.target : "-";
}

const struct tn_http1_head *http_req_head(const struct http_req *r)
{
	return &r->head;
}

const char *http_req_field(const struct http_req *r, const char *name)
{
	return tn_http1_field(&r->head, name);
}

const char *http_req_body(const struct http_req *r, size_t *len)
{
	*len = r->body_len;
	return r->body ? r->body : "";
}

int http_req_refused(const struct http_req *r, const char **detail)
{
	*detail = r->why;
	return r->refused;
}

struct http_conn *http_req_conn(const struct http_req *r)
{
	return r->c;
}

void http_req_add_header(struct http_req *r, const char *name, const char *value)
{
	if (strcasecmp(name, "Connection") == 0) {
		if (strcasecmp(value, "close") == 0)
			r->close = 1;
		return;         /* written by status_line */
	}
	if (!r->hdrs.alloc)
		tn_buf_grow(&r->hdrs, 240);     /* a reply's few fields in one allocation, not two */
	tn_buf_adds(&r->hdrs, name);
	tn_buf_adds(&r->hdrs, ": ");
	tn_buf_adds(&r->hdrs, value);
	tn_buf_adds(&r->hdrs, "\r\n");
}

int http_req_closes(const struct http_req *r)
{
	return r->close;
}

void http_req_on_done(struct http_req *r, void (*done)(struct http_req *, void *), void *arg)
{
	r->done = done;
	r->done_arg = arg;
}

/* The reply is all in the output: write what the socket takes, the rest from the loop. */
static void finish(struct http_req *r)
{
	struct http_conn *c = r->c;

	r->finished = 1;
	c->drained = NULL;      /* a stream's: it ended */
	http_conn_write(c);
	http_resume(c);
}

void http_req_reply(struct http_req *r, int status, const char *reason, const char *body,
		    size_t len)
{
	if (!r->c) {
		http_req_free(r);
		return;
	}
	if (r->started || r->finished)
		return;
	r->started = 1;
	status_line(r, status, reason);
	tn_buf_add(&r->c->out, "Content-Length: ", 16);
	tn_buf_addu(&r->c->out, len, 10);
	tn_buf_add(&r->c->out, "\r\n\r\n", 4);
	if (!r->head_only)
		tn_buf_add(&r->c->out, body, len);
	finish(r);
}

void http_req_start(struct http_req *r, int status, const char *reason)
{
	if (!r->c || r->started)
		return;
	r->started = 1;
	r->chunked = r->head.minor >= 1;
	if (!r->chunked)
		r->close = 1;   /* HTTP/1.0: the body ends with the connection */
	status_line(r, status, reason);
	tn_buf_adds(&r->c->out, r->chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "\r\n");
	http_conn_write(r->c);
}

void http_req_chunk(struct http_req *r, const char *data, size_t len)
{
	struct http_conn *c = r->c;

	if (!c || !r->started || r->finished || len == 0 || r->head_only)
		return;
	if (r->chunked) {
		tn_buf_addu(&c->out, len, 16);
		tn_buf_add(&c->out, "\r\n", 2);
	}
	tn_buf_add(&c->out, data, len);
	if (r->chunked)
		tn_buf_add(&c->out, "\r\n", 2);
	if (http_conn_write(c) < 0 || c->out_off == c->out.len)
		http_resume(c);      /* the drained callback, or the close, from the loop */
}

void http_req_end(struct http_req *r)
{
	if (!r->c) {
		http_req_free(r);
		return;
	}
	if (!r->started)
		http_req_start(r, 200, "OK");
	if (r->finished)
		return;
	if (r->chunked && !r->head_only)
		tn_buf_add(&r->c->out, "0\r\n\r\n", 5);
	finish(r);
}

void http_req_abort(struct http_req *r)
{
	struct http_conn *c = r->c;

	if (!c) {
		http_req_free(r);
		return;
	}
	r->finished = 1;
	r->close = 1;           /* retired once what is queued is written, then closed */
	c->drained = NULL;
	http_resume(c);
}

/* ---- the connection's API ---- */

const char *http_conn_peer(const struct http_conn *c)
{
	return c->peer;
}

int http_conn_fd(const struct http_conn *c)
{
	return c->fd;
}

size_t http_conn_input_pending(const struct http_conn *c)
{
	return c->in.len - c->in_off;
}

size_t http_conn_output_pending(const struct http_conn *c)
{
	return c->out.len - c->out_off;
}

void http_conn_on_close(struct http_conn *c, void (*fn)(struct http_conn *, void *), void *arg)
{
	c->closecb = fn;
	c->closearg = arg;
}

void http_conn_on_drained(struct http_conn *c, void (*fn)(struct http_conn *, void *), void *arg)
{
	c->drained = fn;
	c->drained_arg = arg;
	if (fn && c->out_off == c->out.len)
		http_resume(c);
}

void http_conn_set_stall(struct http_conn *c, int seconds)
{
	c->stall_s = seconds;
}

