/* listen.c — twonetd serve's listening sockets and its port file. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <event2/util.h>

#include "tn_buf.h"
#include "twonetd.h"

static void bad_listen(const char *spec)
{
	fprintf(stderr, "twonetd: error: --listen takes HOST:PORT, not '%s'\n", spec);
}

/*
 * A TCP socket bound to `sa` (and listening when `do_listen`): SO_REUSEADDR,
 * SO_REUSEPORT so that several sockets may share the port, no Nagle delay on
 * replies (accepted sockets inherit it), IPV6_V6ONLY set to `v6only` unless
 * -1, non-blocking.  -1 with errno set and *stage "socket" or "bind" (the
 * bind or the listen) when it fails.
 */
static int bound_socket(const struct sockaddr *sa, socklen_t sl, int do_listen, int v6only,
			const char **stage)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, e;

	*stage = "socket";
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (sa->sa_family == AF_INET6 && v6only >= 0)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	*stage = "bind";
	if (bind(fd, sa, sl) < 0 || (do_listen && listen(fd, 1024) < 0)) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	evutil_make_socket_nonblocking(fd);
	return fd;
}

/*
 * Bind `spec` (HOST:PORT, [V6]:PORT), and listen when `do_listen`: one worker
 * accepts on it; several listen on sockets of their own bound to the same
 * address (worker_listener), the parent's held only for the port.
 * SO_REUSEPORT so that several sockets may share the port.  Returns the
 * socket, or -1 after a message.  *port gets the bound port (useful with
 * port 0).
 */
int open_listener(const char *spec, int *port, int do_listen)
{
	char host[256];
	const char *colon, *h = spec, *p;
	size_t hl;
	struct addrinfo hints, *res = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const char *stage;
	int fd, rc;
	long pv;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (!close || close[1] != ':') {
			bad_listen(spec);
			return -1;
		}
		h = spec + 1;
		hl = (size_t)(close - h);
		p = close + 2;
	} else {
		colon = strrchr(spec, ':');
		if (!colon) {
			bad_listen(spec);
			return -1;
		}
		hl = (size_t)(colon - spec);
		p = colon + 1;
	}
	if (hl >= sizeof(host) || tn_parse_long(p, &pv) != 0 || pv < 0 || pv > 65535) {
		bad_listen(spec);
		return -1;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(hl ? host : NULL, p, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "twonetd: error: cannot resolve '%s': %s\n", host, gai_strerror(rc));
		return -1;
	}
	fd = bound_socket(res->ai_addr, res->ai_addrlen, do_listen, -1, &stage);
	freeaddrinfo(res);
	if (fd < 0) {
		if (strcmp(stage, "socket") == 0)
			fprintf(stderr, "twonetd: error: socket: %s\n", strerror(errno));
		else
			fprintf(stderr, "twonetd: error: cannot listen on '%s': %s\n", spec,
				strerror(errno));
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		*port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) :
			ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/*
 * With several workers, each one's own listening socket on the address of the
 * parent's `fd`: the kernel spreads new connections over them by their
 * addresses.  With the parent's socket shared, libevent in the worker that
 * woke first accepted all that were waiting (15 of case-submit's 16
 * connections, 59 of wrk's 64 went to one worker, the other idle); with the
 * parent's listening beside the workers' own, a fifth still went that way
 * (50/14).  While one worker is replaced, the others' sockets take its share.
 * One worker accepts on the parent's socket, which keeps listening while it
 * is replaced (the connections wait for the new one).  -1 after a message.
 */
int worker_listener(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss), vl = sizeof(int);
	const char *stage = "socket";
	int lfd = -1, v6only = -1;

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		/* as the parent's (the system's default) */
		if (ss.ss_family == AF_INET6 &&
		    getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &vl) != 0)
			v6only = -1;
		lfd = bound_socket((struct sockaddr *)&ss, sl, 1, v6only, &stage);
	}
	if (lfd < 0)
		fprintf(stderr, "twonetd: error: worker %s: %s\n",
			strcmp(stage, "socket") == 0 ? "socket" : "cannot listen", strerror(errno));
	return lfd;
}

/* Write the port to `path` atomically (a reader never sees half a number). */
int write_port_file(const char *path, int port)
{
	struct tn_buf tmp = TN_BUF_INIT;
	FILE *fp;
	int ok;

	tn_buf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	fp = fopen(tmp.buf, "w");
	ok = fp && fprintf(fp, "%d\n", port) > 0;
	if (fp && fclose(fp) != 0)
		ok = 0;
	if (ok && rename(tmp.buf, path) != 0)
		ok = 0;
	if (!ok) {
		fprintf(stderr, "twonetd: error: cannot write port file '%s': %s\n", path,
			strerror(errno));
		unlink(tmp.buf);
	}
	tn_buf_release(&tmp);
	return ok ? 0 : -1;
}
