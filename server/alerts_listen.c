/* alerts_listen.c — the alert stream's wake-up on PostgreSQL: each worker's LISTEN connection watched, reconnected with back-off. */
#include <stdio.h>
#include <sys/time.h>

#include <event2/event.h>

#include "alerts_hub.h"
#include "store_alerts.h"

/*
 * PostgreSQL (store_alerts_path NULL): every alert commit sends NOTIFY with
 * its latest seq to every listening worker of every instance, the writer's
 * own too.  Each worker watches its LISTEN connection's socket; a dropped
 * one is stopped being watched, then reconnected at once and, while that
 * fails, every 100 ms doubling to 10 s.  After each (re)connection the
 * head is read once (on_kick): what was sent while nobody listened.
 */
static void listen_retry(struct alerts_hub *h);
static void on_relisten(evutil_socket_t fd, short what, void *arg);

static void on_heard(evutil_socket_t fd, short what, void *arg)
{
	struct alerts_hub *h = arg;
	struct tn_err err = TN_ERR_INIT;
	long long latest = 0;
	int now = -1;

	(void)what;
	if (store_alerts_heard(h->srv->st, &latest, &now, &err) != TN_OK)
		fprintf(stderr, "twonetd: warning: %s; reconnecting\n", err.message);
	if (latest > h->head) {
		h->head = latest;
		hub_kick(h);
	}
	if (now != (int)fd) {
		event_free(h->heard);   /* before its socket is reused */
		h->heard = NULL;
		listen_retry(h);
	}
}

/* Listen (again): 0 when the LISTEN connection's socket is watched. */
static int listen_arm(struct alerts_hub *h, int quiet)
{
	struct tn_err err = TN_ERR_INIT;
	int fd = -1;

	if (store_alerts_listen(h->srv->st, &fd, &err) != TN_OK) {
		if (!quiet)
			fprintf(stderr, "twonetd: warning: %s; other instances' alerts reach this one's "
				"followers at heartbeats until it reconnects\n", err.message);
		return -1;
	}
	if (!h->heard)
		h->heard = event_new(h->srv->base, fd, EV_READ | EV_PERSIST, on_heard, h);
	if (!h->heard || event_add(h->heard, NULL) < 0) {
		fprintf(stderr, "twonetd: warning: cannot watch the alerts LISTEN connection\n");
		return -1;
	}
	hub_kick(h);            /* catch up with what was sent while nobody listened */
	return 0;
}

/* listen_arm now, else again after a back-off (relisten_ms: 0 at the first try). */
static void listen_retry(struct alerts_hub *h)
{
	struct timeval tv;

	if (listen_arm(h, h->relisten_ms > 0) == 0) {
		if (h->relisten_ms > 0)
			fprintf(stderr, "twonetd: listening for alerts again\n");
		h->relisten_ms = 0;
		return;
	}
	h->relisten_ms = h->relisten_ms ? h->relisten_ms * 2 : 100;
	if (h->relisten_ms > 10000)
		h->relisten_ms = 10000;
	tv.tv_sec = h->relisten_ms / 1000;
	tv.tv_usec = (h->relisten_ms % 1000) * 1000;
	if (!h->relisten)
		h->relisten = evtimer_new(h->srv->base, on_relisten, h);
	if (h->relisten)
		evtimer_add(h->relisten, &tv);
}

static void on_relisten(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	listen_retry(arg);
}

/* The wake-up of a backend without a mesh folder; 1 when it has none (SQLite: the mesh). */
int listen_start(struct alerts_hub *h)
{
	struct tn_err err = TN_ERR_INIT;
	long long latest;
	int fd = -1;

	if (store_alerts_path(h->srv->st))
		return 1;
	/* a backend without the operation answers at once, without a connection */
	if (store_alerts_heard(h->srv->st, &latest, &fd, &err) == TN_EINVALID)
		return 1;
	listen_retry(h);
	return 0;
}
