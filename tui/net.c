/* net.c — casedesk's network: the library's event-loop client (tn_async) plus what the desk shows of it: offline, probes, the server's warning. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casedesk.h"
#include "tn_async.h"
#include "tn_buf.h"
#include "tn_http.h"

#define SLOW_MS 1500
#define PROBE_MS 3000

/* The view's callback, run after the desk took note of the answer. */
struct call {
	net_fn fn;
	void *ctx;
	struct call *prev, *next;       /* the calls in flight, freed when the client goes */
};

static struct call *calls;

struct external {
	CURL *h;
	net_easy_fn fn;
	void *ctx;
};

static struct tn_async *client;
static struct external ext[4];
static int offline;
static int probing;
static char offline_why[200];
static char *warning;           /* the latest answer's Twonet-Warning, or NULL */
static int warned;              /* it was shown on the bottom line once */
static long long offline_since_wall, next_probe;

void net_init(const struct tn_config *c)
{
	struct tn_err err = TN_ERR_INIT;

	client = tn_async_new(c, "casedesk/" TN_VERSION, &err);
	if (!client) {
		offline = 1;
		offline_since_wall = (long long)time(NULL);
		snprintf(offline_why, sizeof(offline_why), "%s", err.message);
	}
}

void net_shutdown(void)
{
	tn_async_free(client);          /* drops the requests in flight: no callback runs */
	client = NULL;
	while (calls) {
		struct call *c = calls;

		calls = c->next;
		free(c);
	}
	free(warning);
	warning = NULL;
}

/* An answer came: its warning (NULL: none) is the server's word now. */
static void take_warning(const char *w)
{
	if (!w == !warning && (!warning || !strcmp(w, warning)))
		return;
	free(warning);
	warning = w ? tn_xstrdup(w) : NULL;
	if (warning && !warned && !app.message[0]) {
		app_msg(0, "%s", warning);      /* in full once; the status line keeps its first part */
		warned = 1;
	}
	app.dirty = 1;
}

const char *net_warning(void)
{
	return warning ? warning : "";
}

static void set_offline(const char *why)
{
	if (!offline) {
		offline = 1;
		offline_since_wall = (long long)time(NULL);
		app.dirty = 1;
	}
	snprintf(offline_why, sizeof(offline_why), "%s", why);
	next_probe = app_now_ms() + PROBE_MS;
}

static void set_online(void)
{
	if (offline) {
		offline = 0;
		app_msg(0, "the server answers again");
		app.dirty = 1;
	}
}

static void on_result(void *ctx, long tag, const struct tn_async_result *r)
{
	struct call *c = ctx;

	if (r->unreachable)
		set_offline(r->error);
	if (r->status) {
		set_online();
		take_warning(r->warning);
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		calls = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->fn)
		c->fn(c->ctx, tag, r);
	else
		probing = 0;
	free(c);
	app.dirty = 1;
}

static void start(const char *method, const char *path, const char *header, jv body,
		  long if_match, net_fn fn, void *ctx, long tag, unsigned flags)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct call *c;
	const char *hdrs[2] = { header, NULL };
	char im[32];

	if (!client) {
		struct tn_async_result r = { 0, 1, jv_null(), "", 0, offline_why, NULL, app_now_ms() };
		jv_free(body);
		if (fn)
			fn(ctx, tag, &r);
		return;
	}
	c = tn_xcalloc(1, sizeof(*c));
	c->fn = fn;
	c->ctx = ctx;
	c->next = calls;
	if (calls)
		calls->prev = c;
	calls = c;
	req.method = method;
	req.path = path;
	req.body = body;
	req.headers = header ? hdrs : NULL;
	if (if_match > 0) {
		snprintf(im, sizeof(im), "\"%ld\"", if_match);
		req.if_match = im;
	}
	tn_async_start(client, &req, flags, on_result, c, tag);
}

void net_request(const char *method, const char *path, jv body, long if_match, net_fn fn,
		 void *ctx, long tag)
{
	start(method, path, NULL, body, if_match, fn, ctx, tag, 0);
}

void net_request_hdr(const char *method, const char *path, const char *header, jv body,
		     long if_match, net_fn fn, void *ctx, long tag)
{
	start(method, path, header, body, if_match, fn, ctx, tag, 0);
}

void net_get_raw(const char *path, net_fn fn, void *ctx, long tag)
{
	start("GET", path, NULL, jv_invalid(), 0, fn, ctx, tag, TN_ASYNC_RAW);
}

static void on_easy(void *ctx, CURL *h, CURLcode rc)
{
	struct external *e = ctx;
	net_easy_fn fn = e->fn;
	void *fctx = e->ctx;

	e->h = NULL;
	if (tn_async_unreachable(rc))
		set_offline(curl_easy_strerror(rc));
	fn(fctx, h, rc);
}

void net_add_easy(CURL *h, net_easy_fn fn, void *ctx)
{
	if (!client)
		return;
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (!ext[i].h) {
			if (tn_async_add_easy(client, h, on_easy, &ext[i]) != 0)
				return;
			ext[i].h = h;
			ext[i].fn = fn;
			ext[i].ctx = ctx;
			return;
		}
}

void net_remove_easy(CURL *h)
{
	if (!client)
		return;
	tn_async_remove_easy(client, h);
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (ext[i].h == h)
			ext[i].h = NULL;
}

/* While offline and idle, ask /v1/health every few seconds. */
static void probe(void)
{
	if (!client || !offline || probing || tn_async_pending(client, NULL) ||
	    app_now_ms() < next_probe)
		return;
	next_probe = app_now_ms() + PROBE_MS;
	probing = 1;
	start("GET", "/v1/health", NULL, jv_invalid(), 0, NULL, NULL, 0, TN_ASYNC_PROBE);
}

int net_timeout(int cap)
{
	if (client)
		cap = tn_async_timeout_ms(client, cap);
	if (offline && client) {
		long long d = next_probe - app_now_ms();
		if (d < 0)
			d = 0;
		if (d < cap)
			cap = (int)d;
	}
	return cap;
}

void net_poll(int timeout_ms)
{
	if (!client) {
		struct pollfd in = { 0, POLLIN, 0 };
		poll(&in, 1, timeout_ms);       /* no network to run: wait for a key */
		return;
	}
	probe();
	tn_async_perform(client);
	tn_async_wait(client, 0, timeout_ms);
	tn_async_perform(client);
}

int net_offline(void)
{
	return offline;
}

void net_state(struct tn_buf *b)
{
	long long now = app_now_ms(), oldest = 0;
	size_t n = client ? tn_async_pending(client, &oldest) : 0;

	if (offline) {
		struct tm tm;
		char when[16];
		time_t t = (time_t)offline_since_wall;

		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		tn_buf_addf(b, "server unreachable since %s (%s)", when, offline_why);
		return;
	}
	if (n && now - oldest > SLOW_MS)
		tn_buf_addf(b, "waiting %llds for the server", (now - oldest) / 1000);
	else if (n)
		tn_buf_adds(b, "loading");
}
