/* pg_listen.c — the PostgreSQL wake-up between instances: a connection of its own that LISTENs to the alert commits' NOTIFY. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "pg_int.h"

/*
 * Every alert commit (pg_alerts_commit) sends NOTIFY twonet_alerts with the
 * latest seq as its payload; PostgreSQL delivers it at COMMIT to every
 * session that listens, on any instance.  Each worker of twonetd serve keeps
 * one more connection (p->listen, beside the store's own) that only listens:
 * alerts_stream.c watches its socket in the event loop and, when it is
 * readable, asks pg_alerts_heard for the highest seq heard.  Nothing is
 * queried on it after LISTEN, so it never blocks the worker.  When it drops
 * (a database restart, a terminated backend) pg_alerts_heard says so (*fd
 * -1) and the caller reconnects through pg_alerts_listen with a back-off;
 * the notifications sent meanwhile are lost, which is why the caller reads
 * the head once after every (re)connection.
 */
#define PG_ALERT_CHANNEL "twonet_alerts"

static void no_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* libpq's message of `c` on one line, into buf. */
static const char *listen_message(PGconn *c, char *buf, size_t size)
{
	const char *m = c ? PQerrorMessage(c) : "out of memory";
	size_t n = 0;

	for (; *m && n + 1 < size; m++) {
		char ch = *m == '\n' || *m == '\t' ? ' ' : *m;

		if (ch != ' ' || (n > 0 && buf[n - 1] != ' '))
			buf[n++] = ch;
	}
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
	return n ? buf : "the connection was closed";
}

static void listen_close(struct pg_store *p)
{
	if (p->listen)
		PQfinish(p->listen);
	p->listen = NULL;
}

enum tn_code pg_alerts_listen(struct store *st, int *fd, struct tn_err *err)
{
	/* the URI's own settings win over ours: they come after (expand_dbname) */
	static const char *const keys[] = {
		"connect_timeout", "fallback_application_name", "dbname", NULL
	};
	struct pg_store *p = PG(st);
	const char *vals[] = { "5", "twonetd alerts listener", p->uri, NULL };
	char msg[512];
	PGresult *r;

	*fd = -1;
	if (p->listen && PQstatus(p->listen) == CONNECTION_OK && PQsocket(p->listen) >= 0) {
		*fd = PQsocket(p->listen);
		return TN_OK;
	}
	listen_close(p);
	p->listen = PQconnectdbParams(keys, vals, 1);
	if (!p->listen || PQstatus(p->listen) != CONNECTION_OK) {
		listen_message(p->listen, msg, sizeof(msg));
		listen_close(p);
		return tn_err_set(err, TN_ESERVER, "cannot connect to listen for alerts on '%s': %s",
				  p->name, msg);
	}
	PQsetNoticeProcessor(p->listen, no_notices, NULL);
	r = PQexec(p->listen, "LISTEN " PG_ALERT_CHANNEL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		listen_message(p->listen, msg, sizeof(msg));
		PQclear(r);
		listen_close(p);
		return tn_err_set(err, TN_ESERVER, "cannot LISTEN " PG_ALERT_CHANNEL " on '%s': %s",
				  p->name, msg);
	}
	PQclear(r);
	*fd = PQsocket(p->listen);
	return TN_OK;
}

/* Every notification received so far: the highest seq their payloads carry. */
static long long drain(PGconn *c)
{
	PGnotify *n;
	long long latest = 0;

	while ((n = PQnotifies(c)) != NULL) {
		char *end;
		long long seq;

		errno = 0;
		seq = strtoll(n->extra ? n->extra : "", &end, 10);
		/* a payload that is not a seq (not pg_alerts_commit's) says nothing */
		if (errno || end == n->extra || *end)
			seq = 0;
		if (strcmp(n->relname, PG_ALERT_CHANNEL) == 0 && seq > latest)
			latest = seq;
		PQfreemem(n);
	}
	return latest;
}

enum tn_code pg_alerts_heard(struct store *st, long long *latest, int *fd, struct tn_err *err)
{
	struct pg_store *p = PG(st);
	char msg[512];
	enum tn_code code;

	*latest = 0;
	*fd = -1;
	if (!p->listen)
		return tn_err_set(err, TN_ESERVER, "no connection listens for alerts on '%s'", p->name);
	if (PQconsumeInput(p->listen) && PQstatus(p->listen) == CONNECTION_OK) {
		*latest = drain(p->listen);
		*fd = PQsocket(p->listen);
		return TN_OK;
	}
	/* dropped (libpq may have closed the socket): what arrived before still counts */
	*latest = drain(p->listen);
	listen_message(p->listen, msg, sizeof(msg));
	code = tn_err_set(err, TN_ESERVER, "the connection listening for alerts on '%s' dropped: %s",
			  p->name, msg);
	return code;
}
