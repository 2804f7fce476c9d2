/* follow.c — the alert-stream follower: one SSE connection at a time, resumed by Last-Event-ID. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jv.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_cli.h"
#include "tn_follow.h"
#include "tn_http.h"
#include "tn_sse.h"

#define DEFAULT_RETRY_MS 1000
#define ERROR_BODY_MAX 65536

struct tn_follow {
	struct tn_follow_opts o;
	tn_follow_fn fn;
	void *ctx;
	CURL *easy;
	struct curl_slist *hdrs;
	char *url;
	struct tn_sse sse;
	struct tn_buf body;          /* the body of a refusal (not 200) */
	struct tn_err cb_err;        /* set by the callback or the stream (reset) */
	long long position;
	long long connected_at_ms;
	long long last_byte_ms;
	long long last_event_ms;
	long long due_ms;            /* when the next connection may start */
	long retry_ms;               /* the server's retry:, the back-off's base */
	long failures;               /* consecutive failed attempts */
	long connections;
	long heartbeat_ms;
	long status;                 /* HTTP status of the current connection, 0 before headers */
	unsigned int seed;
	int opened;                  /* the current connection delivered its opening block or an event */
	int stop;                    /* the callback or tn_follow_stop asked to stop */
	int ended;                   /* "end" received */
	int reset;                   /* "reset" received */
	int timed_out;               /* heartbeat timeout */
	int idle;                    /* --until-idle reached */
	int stream_error;            /* the SSE parser refused the stream */
	int finished;
	int busy;                    /* a connection is out */
};

/* The reader of `fd` (a pipe, a socket) has gone: nothing written there will be read. */
static int reader_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = 0, .revents = 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void global_init(void)
{
	static int done;

	if (!done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		atexit(curl_global_cleanup);
		done = 1;
	}
}

/* A whole, non-negative decimal number below 2^53, or -1. */
static long long parse_seq(const char *s)
{
	long long v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 900719925474099LL)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* The SSE parser's callback: events, the opening block, retry. */
static int on_sse(void *ud, const struct tn_sse_event *ev)
{
	struct tn_follow *f = ud;
	long long seq;

	switch (ev->kind) {
	case TN_SSE_RETRY:
		if (ev->retry_ms > 0)
			f->retry_ms = ev->retry_ms;
		return 0;
	case TN_SSE_COMMENT:
		return 0;
	case TN_SSE_ID:
		/* the opening block: where this stream starts */
		seq = parse_seq(ev->id);
		if (seq >= 0 && seq >= f->position)
			f->position = seq;
		f->opened = 1;
		f->failures = 0;
		return 0;
	case TN_SSE_EVENT:
		break;
	}
	f->opened = 1;
	f->failures = 0;
	if (!strcmp(ev->type, "alert") || !strcmp(ev->type, "update") ||
	    (f->o.tasks && !strcmp(ev->type, "task"))) {
		struct tn_follow_event fe;

		seq = parse_seq(ev->id);
		if (seq < 0 || !ev->has_id) {
			f->stream_error = 1;
			tn_err_set(&f->cb_err, TN_ESERVER, "the stream sent an %s event without a valid id",
				   ev->type);
			return 1;
		}
		if (seq <= f->position)
			return 0;    /* seen already: never twice */
		f->last_event_ms = now_ms();
		fe.name = ev->type;
		fe.seq = seq;
		fe.data = ev->data;
		fe.data_len = ev->data_len;
		if (f->fn(f->ctx, &fe, &f->cb_err)) {
			f->stop = 1;
			if (f->cb_err.code == TN_OK)
				f->position = seq;   /* handled, then asked to stop */
			return 1;
		}
		f->position = seq;
		return 0;
	}
	if (!strcmp(ev->type, "end")) {
		jv d = tn_json_parse(ev->data, ev->data_len);
		jv last = tn_jv_get(d, "last");

		if (jv_get_kind(last) == JV_KIND_NUMBER && jv_number_value(last) > (double)f->position &&
		    jv_number_value(last) < 9007199254740992.0)
			f->position = (long long)jv_number_value(last);
		jv_free(last);
		jv_free(d);
		f->ended = 1;
		return 1;
	}
	if (!strcmp(ev->type, "reset")) {
		jv d = tn_json_parse(ev->data, ev->data_len);
		jv o = tn_jv_get(d, "oldest"), l = tn_jv_get(d, "latest");
		double oldest = jv_get_kind(o) == JV_KIND_NUMBER ? jv_number_value(o) : -1;
		double latest = jv_get_kind(l) == JV_KIND_NUMBER ? jv_number_value(l) : -1;
		int ahead = tn_jv_is(d, "reason", "ahead");

		jv_free(o);
		jv_free(l);
		jv_free(d);
		if (ahead)
			tn_err_set(&f->cb_err, TN_ERESET,
				   "position %lld is past the server's latest event %.0f: the server's database is not the one this position came from",
				   f->position, latest);
		else
			tn_err_set(&f->cb_err, TN_ERESET,
				   "position %lld is older than the server keeps (oldest kept: %.0f, latest: %.0f): events after it are gone",
				   f->position, oldest, latest);
		f->reset = 1;
		return 1;
	}
	return 0;   /* unknown event names are ignored */
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct tn_follow *f = ud;
	size_t n = size * nmemb;
	struct tn_err e = TN_ERR_INIT;
	int rc;

	f->last_byte_ms = now_ms();
	if (!f->status) {
		char *ct = NULL;

		curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &f->status);
		curl_easy_getinfo(f->easy, CURLINFO_CONTENT_TYPE, &ct);
		if (f->status == 200 && (!ct || strncasecmp(ct, "text/event-stream", 17))) {
			f->stream_error = 1;
			tn_err_set(&f->cb_err, TN_ESERVER,
				   "'%s' answered with '%s', not an event stream", f->url, ct ? ct : "no type");
			return 0;
		}
	}
	if (f->status != 200) {
		if (f->body.len < ERROR_BODY_MAX)
			tn_buf_add(&f->body, ptr, n < ERROR_BODY_MAX ? n : ERROR_BODY_MAX);
		return n;
	}
	if (f->stop || f->finished)
		return 0;
	rc = tn_sse_feed(&f->sse, ptr, n, &e);
	/* the block's events are written out before anything else happens */
	if (f->o.flush && f->o.flush(f->ctx, &f->cb_err)) {
		f->stop = 1;
		return 0;
	}
	if (rc < 0) {
		f->stream_error = 1;
		f->cb_err = e;
		return 0;
	}
	return rc ? 0 : n;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct tn_follow *f = ud;
	long long now = now_ms();

	if (f->stop)
		return 1;
	if (now - f->last_byte_ms > f->heartbeat_ms) {
		f->timed_out = 1;
		return 1;
	}
	if (f->o.idle_ms > 0 && f->status == 200 && now - f->last_event_ms > f->o.idle_ms) {
		f->idle = 1;
		return 1;
	}
	return 0;
}

struct tn_follow *tn_follow_new(const struct tn_follow_opts *opts, tn_follow_fn fn, void *ctx)
{
	struct tn_follow *f = tn_xcalloc(1, sizeof(*f));
	const char *env = getenv("TWONET_HEARTBEAT_TIMEOUT");
	long secs;

	f->o = *opts;
	f->fn = fn;
	f->ctx = ctx;
	tn_sse_init(&f->sse, on_sse, f);
	tn_buf_init(&f->body);
	f->position = opts->after >= 0 ? opts->after : -1;
	f->retry_ms = DEFAULT_RETRY_MS;
	f->heartbeat_ms = opts->heartbeat_timeout_ms;
	if (f->heartbeat_ms <= 0)
		f->heartbeat_ms = env && tn_parse_long(env, &secs) == 0 && secs > 0 ?
				  secs * 1000 : TN_FOLLOW_HEARTBEAT_TIMEOUT_MS;
	f->seed = (unsigned int)getpid() ^ (unsigned int)now_ms();
	f->last_event_ms = now_ms();
	return f;
}

void tn_follow_free(struct tn_follow *f)
{
	if (!f)
		return;
	if (f->easy)
		curl_easy_cleanup(f->easy);
	curl_slist_free_all(f->hdrs);
	free(f->url);
	tn_sse_release(&f->sse);
	tn_buf_release(&f->body);
	free(f);
}

long long tn_follow_position(const struct tn_follow *f)
{
	return f->position;
}

long tn_follow_connections(const struct tn_follow *f)
{
	return f->connections;
}

void tn_follow_stop(struct tn_follow *f)
{
	f->stop = 1;
	if (!f->busy)
		f->finished = 1;
}

long tn_follow_wait_ms(struct tn_follow *f)
{
	long long now = now_ms();

	if (f->finished)
		return -1;
	if (f->busy)
		return 1000;    /* nothing to do until the transfer ends */
	return f->due_ms > now ? (long)(f->due_ms - now) : 0;
}

/* Append ",a,b" lists as a query parameter. */
static void add_param(struct tn_buf *u, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	tn_buf_addf(u, "%s%s=", strchr(u->buf, '?') ? "&" : "?", name);
	tn_url_escape(u, value);
}

static void build_request(struct tn_follow *f)
{
	struct tn_buf u = TN_BUF_INIT;
	const char *base = f->o.cfg && f->o.cfg->url ? f->o.cfg->url : TN_DEFAULT_URL;
	size_t bl = strlen(base);
	char num[32];

	while (bl && base[bl - 1] == '/')
		bl--;
	tn_buf_add(&u, base, bl);
	tn_buf_adds(&u, "/v1/alerts/stream");
	add_param(&u, "severity", f->o.severity);
	add_param(&u, "district", f->o.districts);
	add_param(&u, "kind", f->o.kinds);
	if (f->o.tasks)
		add_param(&u, "tasks", "true");
	if (f->o.no_follow)
		add_param(&u, "follow", "0");
	if (f->position < 0 && f->o.since)
		add_param(&u, "since", f->o.since);
	else if (f->position < 0 && f->o.tail >= 0) {
		snprintf(num, sizeof(num), "%ld", f->o.tail);
		add_param(&u, "tail", num);
	}
	free(f->url);
	f->url = tn_buf_detach(&u, NULL);

	curl_slist_free_all(f->hdrs);
	f->hdrs = NULL;
	f->hdrs = curl_slist_append(f->hdrs, "Accept: text/event-stream");
	f->hdrs = curl_slist_append(f->hdrs, "Cache-Control: no-cache");
	if (f->o.cfg && f->o.cfg->token && *f->o.cfg->token) {
		tn_buf_addf(&u, "Authorization: Bearer %s", f->o.cfg->token);
		f->hdrs = curl_slist_append(f->hdrs, u.buf);
		tn_buf_reset(&u);
	}
	if (f->position >= 0) {
		tn_buf_addf(&u, "Last-Event-ID: %lld", f->position);
		f->hdrs = curl_slist_append(f->hdrs, u.buf);
		tn_buf_reset(&u);
	}
	tn_buf_release(&u);
}

CURL *tn_follow_connect(struct tn_follow *f)
{
	long connect = f->o.cfg && f->o.cfg->connect_timeout_s > 0 ? f->o.cfg->connect_timeout_s : 5;

	global_init();
	if (!f->easy)
		f->easy = curl_easy_init();
	else
		curl_easy_reset(f->easy);
	build_request(f);
	tn_sse_reset(&f->sse);
	tn_buf_reset(&f->body);
	f->status = 0;
	f->opened = 0;
	f->timed_out = f->idle = 0;
	f->connected_at_ms = f->last_byte_ms = now_ms();
	if (f->o.idle_ms > 0 && f->connections == 0)
		f->last_event_ms = now_ms();
	f->connections++;
	f->busy = 1;
	curl_easy_setopt(f->easy, CURLOPT_URL, f->url);
	curl_easy_setopt(f->easy, CURLOPT_HTTPHEADER, f->hdrs);
	curl_easy_setopt(f->easy, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(f->easy, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(f->easy, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(f->easy, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(f->easy, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(f->easy, CURLOPT_XFERINFODATA, f);
	curl_easy_setopt(f->easy, CURLOPT_CONNECTTIMEOUT, connect);
	curl_easy_setopt(f->easy, CURLOPT_TIMEOUT, 0L);
	curl_easy_setopt(f->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(f->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(f->easy, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(f->easy, CURLOPT_USERAGENT, "twonet/" TN_VERSION);
	curl_easy_setopt(f->easy, CURLOPT_PRIVATE, f);
	curl_easy_setopt(f->easy, CURLOPT_VERBOSE, f->o.cfg && f->o.cfg->verbose >= 2 ? 1L : 0L);
	return f->easy;
}

/* The problem+json detail of a refusal, or a plain "HTTP N". */
static void refusal(struct tn_follow *f, enum tn_code code, struct tn_err *err)
{
	jv body = f->body.len ? tn_json_parse(f->body.buf, f->body.len) : jv_invalid();
	const char *detail = tn_jv_str(body, "detail");   /* borrowed from body */

	if (detail)
		tn_err_set(err, code, "%s", detail);
	else
		tn_err_set(err, code, "GET %s: HTTP %ld", f->url, f->status);
	if (err)
		err->http_status = f->status;
	jv_free(body);
}

static enum tn_code finish(struct tn_follow *f, enum tn_code code, struct tn_err *err)
{
	f->finished = 1;
	if (code == TN_OK)
		tn_err_clear(err);
	return code;
}

enum tn_code tn_follow_done(struct tn_follow *f, CURLcode result, struct tn_err *err)
{
	long delay, cap;

	f->busy = 0;
	if (f->status == 0 && f->easy)
		curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &f->status);
	if (f->stop) {
		if (f->cb_err.code != TN_OK) {
			if (err)
				*err = f->cb_err;
			return finish(f, f->cb_err.code, NULL);
		}
		return finish(f, TN_OK, err);
	}
	if (f->reset) {
		if (err)
			*err = f->cb_err;
		return finish(f, TN_ERESET, NULL);
	}
	if (f->ended || f->idle)
		return finish(f, TN_OK, err);
	if (f->stream_error) {
		if (err)
			*err = f->cb_err;
		return finish(f, f->cb_err.code ? f->cb_err.code : TN_ESERVER, NULL);
	}
	if (f->status == 401 || f->status == 403) {
		refusal(f, TN_EAUTH, err);
		return finish(f, TN_EAUTH, NULL);
	}
	if (f->status == 404) {
		refusal(f, TN_ENOTFOUND, err);
		return finish(f, TN_ENOTFOUND, NULL);
	}
	if (f->status >= 400 && f->status < 500 && f->status != 429 && f->status != 408) {
		refusal(f, f->status == 410 ? TN_ERESET : TN_EINVALID, err);
		return finish(f, f->status == 410 ? TN_ERESET : TN_EINVALID, NULL);
	}
	/* anything else is worth another try: a network error, 429, 5xx, a stream that ended */
	if (!f->opened)
		f->failures++;
	if (f->o.retry_max >= 0 && f->failures > f->o.retry_max) {
		if (f->status >= 400)
			refusal(f, TN_EUNREACHABLE, err);
		else
			tn_err_set(err, TN_EUNREACHABLE, "cannot follow '%s' after %ld attempt%s: %s",
				   f->url, f->failures, f->failures == 1 ? "" : "s",
				   f->timed_out ? "no data for the heartbeat timeout" :
				   result != CURLE_OK ? curl_easy_strerror(result) : "the stream ended");
		return finish(f, TN_EUNREACHABLE, NULL);
	}
	cap = f->retry_ms;
	for (long i = 1; i < f->failures && cap < TN_FOLLOW_BACKOFF_CAP_MS; i++)
		cap *= 2;
	if (cap > TN_FOLLOW_BACKOFF_CAP_MS)
		cap = TN_FOLLOW_BACKOFF_CAP_MS;
	/* full jitter with half the window as a floor */
	delay = cap / 2 + (long)(rand_r(&f->seed) % (unsigned)(cap / 2 + 1));
	if (f->opened && f->failures == 0)
		delay = (long)(rand_r(&f->seed) % (unsigned)(f->retry_ms / 2 + 1));
	f->due_ms = now_ms() + delay;
	tn_err_clear(err);
	return TN_OK;
}

enum tn_code tn_follow_run(struct tn_follow *f, struct tn_err *err)
{
	CURLM *m;
	enum tn_code rc = TN_OK;

	global_init();
	m = curl_multi_init();
	while (!f->finished && !(f->o.watch_stdout && reader_gone(STDOUT_FILENO))) {
		long w = tn_follow_wait_ms(f);
		CURL *e;
		int running = 1;

		if (w < 0)
			break;
		if (tn_cli_interrupted()) {
			rc = tn_err_set(err, TN_EINTR, "interrupted");
			f->finished = 1;
			break;
		}
		if (w > 0) {
			usleep((useconds_t)(w > 200 ? 200 : w) * 1000);
			continue;
		}
		e = tn_follow_connect(f);
		curl_multi_add_handle(m, e);
		while (running) {
			CURLMsg *msg;
			int left;

			curl_multi_perform(m, &running);
			while ((msg = curl_multi_info_read(m, &left)))
				if (msg->msg == CURLMSG_DONE) {
					CURLcode res = msg->data.result;

					curl_multi_remove_handle(m, e);
					running = 0;
					rc = tn_follow_done(f, res, err);
					break;
				}
			if (!running)
				break;
			if (tn_cli_interrupted()) {
				curl_multi_remove_handle(m, e);
				f->busy = 0;
				f->finished = 1;
				rc = tn_err_set(err, TN_EINTR, "interrupted");
				break;
			}
			curl_multi_poll(m, NULL, 0, 200, NULL);
			if (f->o.watch_stdout && reader_gone(STDOUT_FILENO)) {
				curl_multi_remove_handle(m, e);
				f->busy = 0;
				f->finished = 1;
				break;
			}
		}
		if (rc != TN_OK)
			break;
	}
	curl_multi_cleanup(m);
	return rc;
}

int tn_follow_cursor_read(const char *path, long long *pos, struct tn_err *err)
{
	FILE *fp = fopen(path, "r");
	char buf[64];
	size_t n;
	long long v;
	int more;

	if (!fp) {
		if (errno == ENOENT)
			return 0;
		tn_err_set(err, TN_EIO, "cannot read cursor file '%s': %s", path, strerror(errno));
		return -1;
	}
	/* the whole file is the position and a line end: anything longer is not ours */
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	more = fgetc(fp) != EOF;
	fclose(fp);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (n == 0 && !more)
		return 0;
	v = more || memchr(buf, '\0', n) ? -1 : parse_seq(buf);
	if (v < 0) {
		tn_err_set(err, TN_EINVALID, "cursor file '%s' does not hold a position (a whole number)",
			   path);
		return -1;
	}
	*pos = v;
	return 1;
}

enum tn_code tn_follow_cursor_write(const char *path, long long pos, struct tn_err *err)
{
	struct tn_buf tmp = TN_BUF_INIT;
	char text[32];
	int fd, len;
	enum tn_code rc = TN_OK;

	tn_buf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	len = snprintf(text, sizeof(text), "%lld\n", pos);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = tn_err_set(err, TN_EIO, "cannot write cursor file '%s': %s", tmp.buf, strerror(errno));
	} else if (write(fd, text, (size_t)len) != len) {
		rc = tn_err_set(err, TN_EIO, "cannot write cursor file '%s': %s", tmp.buf, strerror(errno));
		close(fd);
		unlink(tmp.buf);
	} else if (close(fd) < 0 || rename(tmp.buf, path) < 0) {
		rc = tn_err_set(err, TN_EIO, "cannot replace cursor file '%s': %s", path, strerror(errno));
		unlink(tmp.buf);
	}
	tn_buf_release(&tmp);
	return rc;
}
