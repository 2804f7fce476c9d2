/* reply.c — twonetd's request helpers: replies, problem+json, the request log, auth, bodies. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tn_text.h"
#include "twonetd.h"
#include "conns.h"
#include "jvutil.h"

static const struct {
	int status;
	const char *slug;
	const char *title;
} problems[] = {
	{ 400, "bad-request", "Bad Request" },
	{ 401, "unauthorized", "Unauthorized" },
	{ 403, "forbidden", "Forbidden" },
	{ 404, "not-found", "Not Found" },
	{ 405, "method-not-allowed", "Method Not Allowed" },
	{ 409, "conflict", "Conflict" },
	{ 410, "gone", "Gone" },
	{ 411, "length-required", "Length Required" },
	{ 413, "payload-too-large", "Payload Too Large" },
	{ 414, "uri-too-long", "URI Too Long" },
	{ 422, "unprocessable", "Unprocessable Content" },
	{ 428, "precondition-required", "Precondition Required" },
	{ 431, "header-fields-too-large", "Request Header Fields Too Large" },
	{ 500, "internal", "Internal Server Error" },
	{ 503, "unavailable", "Service Unavailable" },
	{ 505, "http-version-not-supported", "HTTP Version Not Supported" },
};

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 304: return "Not Modified";
	}
	for (size_t i = 0; i < sizeof(problems) / sizeof(problems[0]); i++)
		if (problems[i].status == status)
			return problems[i].title;
	return "Error";
}

/* The text made once a second (a certificate read wants it twice: its audit row, its log line). */
void time_now_rfc3339(char *buf, size_t size)
{
	static __thread long long made = -1;
	static __thread char text[40];
	long long now = (long long)time(NULL);

	if (now != made) {
		time_rfc3339(now, text, sizeof(text));
		made = now;
	}
	if (size > 0) {
		size_t n = strnlen(text, size - 1);

		memcpy(buf, text, n);
		buf[n] = '\0';
	}
}

/* Request log lines held back while a batch of replies goes out (req_log_hold). */
static struct tn_buf log_held = TN_BUF_INIT;
static int log_holding;

void req_log_hold(int hold)
{
	log_holding = hold;
	if (!hold && log_held.len) {
		fwrite(log_held.buf, 1, log_held.len, stderr);
		tn_buf_reset(&log_held);
	}
}

#define LOG_URI_MAX 2000

/* `s` appended for the log: control characters as '?', cut after 2,000 bytes ("..."). */
static void add_safe(struct tn_buf *b, const char *s)
{
	size_t n = strnlen(s, LOG_URI_MAX + 1), lim = n > LOG_URI_MAX ? LOG_URI_MAX : n, i = 0, k;

	while ((k = tn_ctl_span(s + i, lim - i, 0)) < lim - i) {
		tn_buf_add(b, s + i, k);
		tn_buf_addch(b, '?');
		i += k + 1;
	}
	tn_buf_add(b, s + i, lim - i);
	if (n > lim)
		tn_buf_add(b, "...", 3);
}

/* The decimal digits of `v` appended to `b`. */
static void add_long(struct tn_buf *b, long v)
{
	if (v < 0)
		tn_buf_addch(b, '-');
	tn_buf_addu(b, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, 10);
}

void req_log(struct req *q, int status)
{
	static struct tn_buf line = TN_BUF_INIT;
	struct tn_buf *b;
	struct timespec t1;
	char when[40];
	struct http_conn *con = q->r ? http_req_conn(q->r) : NULL;
	const char *peer = con ? http_conn_peer(con) : "-";
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - q->t0.tv_sec) * 1000L + (t1.tv_nsec - q->t0.tv_nsec) / 1000000L;
	time_now_rfc3339(when, sizeof(when));
	/* "WHEN PEER METHOD URI STATUS MS "TOKEN"", put together without printf (one a request) */
	b = log_holding ? &log_held : &line;
	tn_buf_adds(b, when);
	tn_buf_addch(b, ' ');
	tn_buf_adds(b, peer);
	tn_buf_addch(b, ' ');
	tn_buf_adds(b, q->method);
	tn_buf_addch(b, ' ');
	add_safe(b, q->uri);
	tn_buf_addch(b, ' ');
	add_long(b, status);
	tn_buf_addch(b, ' ');
	add_long(b, ms);
	tn_buf_adds(b, " \"");
	tn_buf_adds(b, q->tok.name ? q->tok.name : "-");
	tn_buf_adds(b, "\"\n");
	if (!log_holding) {
		fwrite(line.buf, 1, line.len, stderr);
		tn_buf_reset(&line);
	}
}

static void reply_done(struct http_req *r, void *arg)
{
	struct srv *srv = arg;

	(void)r;
	srv->pending--;
}

void reply_raw(struct req *q, int status, const char *ctype, const char *cache, const char *body,
	       size_t len)
{
	if (q->replied)
		return;
	q->replied = 1;
	if (q->part) {
		q->part(q, status, body, len);
		return;
	}
	if (ctype)
		http_req_add_header(q->r, "Content-Type", ctype);
	http_req_add_header(q->r, "Cache-Control", cache);
	if (*srv_cal_warning(q->srv))
		http_req_add_header(q->r, "Twonet-Warning", q->srv->cal_warning);
	req_log(q, status);
	/* a deferred reply's client may have gone: the reply then only frees the request */
	if (http_req_conn(q->r)) {
		q->srv->pending++;
		http_req_on_done(q->r, reply_done, q->srv);
		conns_before_reply(q->r);
	}
	http_req_reply(q->r, status, reason(status), body, len);
}

static void send_body(struct req *q, int status, const char *ctype, const char *body, size_t len)
{
	reply_raw(q, status, ctype, "no-store", body, len);
}

void reply_text(struct req *q, int status, const char *ctype, const char *body, size_t len)
{
	send_body(q, status, ctype, body, len);
}

struct req *req_defer(struct req *q)
{
	struct req *d = tn_xcalloc(1, sizeof(*d));

	d->srv = q->srv;
	d->r = q->r;
	d->method = q->method;
	d->uri = q->uri;        /* the http request's, alive until the reply */
	d->tok = q->tok;
	d->t0 = q->t0;
	d->part = q->part;
	d->part_ctx = q->part_ctx;
	d->part_index = q->part_index;
	d->deferred = 1;
	memset(&q->tok, 0, sizeof(q->tok));
	q->deferred = 1;
	q->srv->pending++;
	return d;
}

void req_deferred_free(struct req *d)
{
	if (!d)
		return;
	d->srv->pending--;
	if (!d->part)
		store_token_release(&d->tok);
	free(d);
}

void reply_json_as(struct req *q, int status, const char *ctype, jv body)
{
	struct tn_buf text = TN_BUF_INIT;

	if (!jv_is_valid(body)) {       /* a value that could not be built */
		jv_free(body);
		reply_problem(q, 500, NULL, "the reply could not be built");
		return;
	}
	tn_json_dump(body, &text);      /* jv_dump_string's bytes, several times faster */
	jv_free(body);
	send_body(q, status, ctype, text.buf ? text.buf : "", text.len);
	tn_buf_release(&text);
}

void reply_json(struct req *q, int status, jv body)
{
	reply_json_as(q, status, "application/json", body);
}

static void problem_v(struct req *q, int status, const char *field, const char *fmt, va_list ap)
{
	const char *slug = "internal", *title = "Internal Server Error";
	char detail[1200];
	jv p;

	for (size_t i = 0; i < sizeof(problems) / sizeof(problems[0]); i++) {
		if (problems[i].status == status) {
			slug = problems[i].slug;
			title = problems[i].title;
		}
	}
	vsnprintf(detail, sizeof(detail), fmt, ap);
	p = jv_object();
	p = jv_object_set(p, jv_string("type"), jv_string_fmt("/problems/%s", slug));
	p = jv_object_set(p, jv_string("title"), jv_string(title));
	p = jv_object_set(p, jv_string("status"), jv_number(status));
	p = jv_object_set(p, jv_string("detail"), jv_string(detail));
	if (field)
		p = jv_object_set(p, jv_string("field"), jv_string(field));
	reply_json_as(q, status, "application/problem+json", p);
}

void reply_problem(struct req *q, int status, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problem_v(q, status, field, fmt, ap);
	va_end(ap);
}

void reply_error(struct req *q, const struct tn_err *err)
{
	int status = err->code == TN_OK ? 500 : tn_code_http_status(err->code);

	if (err->http_status >= 400 && err->http_status < 600)
		status = (int)err->http_status;
	if (status >= 500)
		fprintf(stderr, "twonetd: error: %s\n", err->message);
	/* the database is away (a restart, a fail-over): the clients retry after a second */
	if (status == 503)
		req_set_header(q, "Retry-After", "1");
	reply_problem(q, status, NULL, "%s", err->message[0] ? err->message : tn_code_str(err->code));
}

const char *req_header(struct req *q, const char *name)
{
	return http_req_field(q->r, name);
}

void req_set_header(struct req *q, const char *name, const char *value)
{
	if (q->part)            /* a batch's part has no headers of its own */
		return;
	http_req_add_header(q->r, name, value);
}

/* The first of that name, its case aside. */
const char *req_query(struct req *q, const char *name)
{
	for (int i = 0; i < q->nparams; i++)
		if (strcasecmp(q->params[i].key, name) == 0)
			return *q->params[i].value ? q->params[i].value : NULL;
	return NULL;
}

const char *req_query_unknown(struct req *q, const char *const *allowed)
{
	for (int i = 0; i < q->nparams; i++) {
		const char *const *a = allowed;

		while (*a && strcmp(*a, q->params[i].key) != 0)
			a++;
		if (!*a)
			return q->params[i].key;
	}
	return NULL;
}

int req_query_check(struct req *q, const char *const *allowed)
{
	const char *bad = req_query_unknown(q, allowed);

	if (!bad)
		return 0;
	reply_problem(q, 400, bad, "unknown query parameter '%s'", bad);
	return -1;
}

/* Refuse the request's head: problem+json, then the connection closes. */
static int refuse_head(struct req *q, int status, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int refuse_head(struct req *q, int status, const char *field, const char *fmt, ...)
{
	va_list ap;

	req_set_header(q, "Connection", "close");
	va_start(ap, fmt);
	problem_v(q, status, field, fmt, ap);
	va_end(ap);
	return -1;
}

int req_head_check(struct req *q)
{
	const struct tn_http1_head *h = http_req_head(q->r);
	size_t bytes = 0, len;
	int n = 0;

	if (strlen(q->uri) > (size_t)TWONETD_MAX_TARGET)
		return refuse_head(q, 414, NULL, "the request target is longer than %ld bytes",
				   TWONETD_MAX_TARGET);
	for (size_t i = 0; i < h->nfields; i++) {
		const struct tn_http1_field *kv = &h->fields[i];
		size_t vlen = strlen(kv->value);

		bytes += strlen(kv->name) + vlen + 4;   /* "K: V\r\n" */
		if (++n > TWONETD_MAX_HEADERS)
			return refuse_head(q, 431, NULL, "more than %d header fields",
					   TWONETD_MAX_HEADERS);
		if (bytes > (size_t)TWONETD_MAX_HEADER_BYTES)
			return refuse_head(q, 431, NULL, "the header fields are larger than %ld bytes",
					   TWONETD_MAX_HEADER_BYTES);
		if (tn_ctl_span(kv->value, vlen, 1) < vlen) {
			char name[64];

			snprintf(name, sizeof(name), "%s", kv->name);  /* a token (tn_http1_parse) */
			return refuse_head(q, 400, name, "header '%s' holds a NUL byte or a "
					   "control character", name);
		}
	}
	/* the rule http.c framed the body by (tn_http1_framing), refused by name */
	switch (tn_http1_framing(h, &len)) {
	case TN_HTTP1_BAD_LENGTH:
		return refuse_head(q, 400, "Content-Length", "Content-Length must be a number of "
				   "bytes");
	case TN_HTTP1_TWO_LENGTHS:
		return refuse_head(q, 400, "Content-Length", "conflicting Content-Length headers");
	case TN_HTTP1_TE_AND_LENGTH:
		return refuse_head(q, 400, "Transfer-Encoding", "both Content-Length and "
				   "Transfer-Encoding");
	case TN_HTTP1_TE:
		return refuse_head(q, 411, "Transfer-Encoding", "Transfer-Encoding is not accepted "
				   "in requests: send the body with Content-Length");
	case TN_HTTP1_LENGTH:
		break;
	}
	/* a proxy in front may read no body after these: it would take it for the next request */
	if ((strcmp(q->method, "HEAD") == 0 || strcmp(q->method, "TRACE") == 0) && len > 0)
		return refuse_head(q, 400, "Content-Length", "a %s request may not have a body",
				   q->method);
	return 0;
}

int req_auth(struct req *q)
{
	const char *h = req_header(q, "Authorization");
	char hex[65];
	struct tn_err err = TN_ERR_INIT;
	enum tn_code code;

	if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
		req_set_header(q, "WWW-Authenticate", "Bearer");
		reply_problem(q, 401, NULL, "a bearer token is required");
		return -1;
	}
	h += 7;
	while (*h == ' ')
		h++;
	tn_sha256_hex_memo(h, strlen(h), hex);   /* the token cache is keyed by it */
	code = store_token_lookup(q->srv->st, hex, &q->tok, &err);
	if (code == TN_ENOTFOUND) {
		req_set_header(q, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
		reply_problem(q, 401, NULL, "unknown token");
		return -1;
	}
	if (code != TN_OK) {
		reply_error(q, &err);
		return -1;
	}
	return 0;
}

int req_role(const struct req *q, const char *roles)
{
	return q->tok.role && word_in(roles, q->tok.role);
}

/* Line and column (from 1) of byte `off` of text[0..len). */
static void line_col(const char *text, size_t len, size_t off, long *line, long *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			++*line;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			++*col;
		}
	}
}

int req_body(struct req *q, jv *out)
{
	size_t len, off = 0;
	const char *data = http_req_body(q->r, &len);
	const char *cl = req_header(q, "Content-Length");
	struct tn_err err = TN_ERR_INIT;
	static const char suffix[] = ": a NUL or control character in a string";
	size_t ml, sl = sizeof(suffix) - 1;
	long clv, line, col;

	*out = jv_invalid();
	/* nobody's body is read before their token is known */
	if (!q->tok.name && req_auth(q) < 0)
		return -1;
	if ((cl && tn_parse_long(cl, &clv) == 0 && clv > TWONETD_MAX_BODY) ||
	    len > (size_t)TWONETD_MAX_BODY) {
		reply_problem(q, 413, NULL, "request body is larger than %ld bytes",
			      TWONETD_MAX_BODY);
		return -1;
	}
	if (len == 0) {
		reply_problem(q, 400, NULL, "request body is empty; a JSON object is expected");
		return -1;
	}
	if (tn_json_parse_exact(data, len, TWONETD_MAX_DEPTH, out, &off, &err) != TN_OK) {
		ml = strlen(err.message);
		if (ml > sl && strcmp(err.message + ml - sl, suffix) == 0) {
			/* "PATH: a NUL or ...": the member at fault is the field */
			char field[256];

			snprintf(field, sizeof(field), "%.*s", (int)(ml - sl), err.message);
			reply_problem(q, 400, field[0] == '.' && field[1] ? field + 1 : field,
				      "malformed JSON: %s", err.message);
			return -1;
		}
		if (strstr(err.message, " line ")) {    /* jq's message already places it */
			reply_problem(q, 400, NULL, "%s", err.message);
		} else {
			line_col(data, len, off, &line, &col);
			reply_problem(q, 400, NULL, "%s (line %ld, column %ld)", err.message, line,
				      col);
		}
		return -1;
	}
	if (jv_get_kind(*out) != JV_KIND_OBJECT) {
		jv_free(*out);
		*out = jv_invalid();
		reply_problem(q, 400, NULL, "request body must be a JSON object");
		return -1;
	}
	return 0;
}

int reply_unknown_member(struct req *q, jv obj, const char *const *allowed, const char *where)
{
	char *bad = tn_jv_unknown_member(obj, allowed), field[300];

	if (!bad)
		return 0;
	if (where) {
		snprintf(field, sizeof(field), "%s.%s", where, bad);
		reply_problem(q, 400, field, "unknown member '%s' in %s", bad, where);
	} else {
		reply_problem(q, 400, bad, "unknown member '%s'", bad);
	}
	free(bad);
	return -1;
}
