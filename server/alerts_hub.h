/* alerts_hub.h — a worker's alert-stream hub, shared by alerts_stream.c (followers, the mesh) and alerts_listen.c (PostgreSQL's LISTEN). */
#ifndef TWONETD_ALERTS_HUB_H
#define TWONETD_ALERTS_HUB_H

#include <sys/queue.h>
#include <sys/types.h>

#include <event2/event.h>

#include "twonetd.h"

struct follower;

struct alerts_hub {
	struct srv *srv;
	TAILQ_HEAD(, follower) followers;
	long long head;
	struct event *kick;
	long heartbeat_ms, stall_ms;
	/* the wake-up mesh */
	int fd;
	struct event *wake;
	char dir[112];
	pid_t *peers;
	int npeers, cap;
	/* PostgreSQL: the LISTEN connection's socket watched, a timer while it reconnects */
	struct event *heard, *relisten;
	long relisten_ms;
	int reread;             /* the next kick reads the head from the database */
	/* read_shared: the followers at one position */
	struct follower **share;
	int nshare, share_cap;
};

/* Read the head again and feed every follower, at the loop's next turn. */
void hub_kick(struct alerts_hub *h);
/*
 * alerts_listen.c: the wake-up of a backend without a database file
 * (PostgreSQL's LISTEN).  0 when it listens (or retries), 1 when the
 * backend has none: the mesh of alerts_stream.c then.
 */
int listen_start(struct alerts_hub *h);

#endif
