/* test_follow.c — the alert-stream follower against a scripted SSE server in a child process. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "tn_buf.h"
#include "tn_follow.h"

/*
 * The child answers the n-th connection (in a process of its own) with responses[n] (the last one
 * again when the script runs out), then closes.  A response may hold
 * "\x01": there it stops sending for `pause_s` seconds before the rest.
 * Each request's head is appended to a log file the parent reads.
 */
struct script {
	const char *responses[8];
	int pause_s;
};

static int srv_port;
static pid_t srv_pid;
static char log_path[] = "/tmp/test_follow.XXXXXX";

static void serve(int lfd, const struct script *s)
{
	int i = 0;

	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		char buf[8192];
		size_t got = 0;
		ssize_t n;
		FILE *log;
		const char *r, *pause;

		if (fd < 0)
			_exit(0);
		while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0) {
			got += (size_t)n;
			buf[got] = '\0';
			if (strstr(buf, "\r\n\r\n"))
				break;
		}
		buf[got] = '\0';
		if ((log = fopen(log_path, "a"))) {
			fprintf(log, "%s----\n", buf);
			fclose(log);
		}
		r = s->responses[i] ? s->responses[i] : s->responses[i ? i - 1 : 0];
		if (s->responses[i])
			i++;
		/* each connection in its own process, so that a paused one holds up no other */
		if (fork() != 0) {
			close(fd);
			continue;
		}
		pause = strchr(r, '\x01');
		if (pause) {
			if (write(fd, r, (size_t)(pause - r)) < 0)
				_exit(1);
			sleep((unsigned)s->pause_s);
			r = pause + 1;
		}
		if (write(fd, r, strlen(r)) < 0)
			_exit(1);
		close(fd);
		_exit(0);
	}
}

static void start(const struct script *s)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1, tmp;

	memcpy(log_path + strlen(log_path) - 6, "XXXXXX", 6);
	tmp = mkstemp(log_path);
	assert_true(tmp >= 0);
	close(tmp);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 16), 0);
	getsockname(lfd, (struct sockaddr *)&a, &al);
	srv_port = ntohs(a.sin_port);
	srv_pid = fork();
	if (srv_pid == 0) {
		signal(SIGCHLD, SIG_IGN);
		serve(lfd, s);
		_exit(0);
	}
	close(lfd);
}

/* Stop the server; returns the request log (caller frees). */
static char *stop(void)
{
	struct tn_buf b = TN_BUF_INIT;
	FILE *fp;
	char chunk[4096];
	size_t n;

	kill(srv_pid, SIGTERM);
	waitpid(srv_pid, NULL, 0);
	if ((fp = fopen(log_path, "r"))) {
		while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
			tn_buf_add(&b, chunk, n);
		fclose(fp);
	}
	unlink(log_path);
	return tn_buf_detach(&b, NULL);
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

#define HEAD "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
#define EV(name, id) "event: " name "\nid: " #id "\ndata: {\"id\":" #id ",\"seq\":" #id "}\n\n"

struct seen {
	struct tn_buf log;
	long stop_at;      /* stop after this seq, 0: never */
	int fail_at;       /* report an error at this seq */
};

static int on_event(void *ctx, const struct tn_follow_event *ev, struct tn_err *err)
{
	struct seen *s = ctx;

	if (s->fail_at && ev->seq == s->fail_at) {
		tn_err_set(err, TN_EIO, "cannot write");
		return 1;
	}
	tn_buf_addf(&s->log, "%s %lld %s\n", ev->name, ev->seq, ev->data);
	return s->stop_at && ev->seq >= s->stop_at;
}

static struct tn_config cfg_for_port(char *url, size_t len)
{
	struct tn_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	snprintf(url, len, "http://127.0.0.1:%d", srv_port);
	cfg.url = url;
	cfg.token = (char *)"tok";
	cfg.connect_timeout_s = 2;
	return cfg;
}

static struct tn_follow_opts opts_for(const struct tn_config *cfg)
{
	struct tn_follow_opts o;

	memset(&o, 0, sizeof(o));
	o.cfg = cfg;
	o.after = -1;
	o.tail = -1;
	o.retry_max = 3;
	return o;
}

/* A cut in the middle of an event: the reconnect resumes after the last whole one, no repeat. */
static void test_resume_no_gap_no_repeat(void **state)
{
	static const struct script s = { {
		HEAD "retry: 50\nid: 10\n\n" EV("alert", 11) ": heartbeat\n\n" EV("update", 12)
		"event: alert\nid: 13\ndata: {\"id\":1",
		HEAD "retry: 50\nid: 12\n\n" EV("update", 12) EV("alert", 13) EV("alert", 14),
	}, 0 };
	struct seen seen = { TN_BUF_INIT, 14, 0 };
	struct tn_err err = TN_ERR_INIT;
	char url[64], *log;
	struct tn_config cfg;
	struct tn_follow_opts o;
	struct tn_follow *f;

	start(&s);
	cfg = cfg_for_port(url, sizeof(url));
	o = opts_for(&cfg);
	f = tn_follow_new(&o, on_event, &seen);
	assert_int_equal(tn_follow_run(f, &err), TN_OK);
	assert_string_equal(seen.log.buf,
			    "alert 11 {\"id\":11,\"seq\":11}\n"
			    "update 12 {\"id\":12,\"seq\":12}\n"
			    "alert 13 {\"id\":13,\"seq\":13}\n"
			    "alert 14 {\"id\":14,\"seq\":14}\n");
	assert_int_equal(tn_follow_position(f), 14);
	assert_int_equal(tn_follow_connections(f), 2);
	tn_follow_free(f);
	log = stop();
	assert_int_equal(count_of(log, "GET /v1/alerts/stream HTTP/1.1"), 2);
	assert_int_equal(count_of(log, "Last-Event-ID: 12\r\n"), 1);
	assert_int_equal(count_of(log, "Last-Event-ID"), 1);     /* the first had no position */
	assert_int_equal(count_of(log, "Authorization: Bearer tok"), 2);
	free(log);
	tn_buf_release(&seen.log);
}

/* The opening block's position is used even when no event came before the cut. */
static void test_opening_block_position(void **state)
{
	static const struct script s = { {
		HEAD "retry: 50\nid: 500\n\n",
		HEAD "retry: 50\nid: 500\n\n" EV("alert", 501),
	}, 0 };
	struct seen seen = { TN_BUF_INIT, 501, 0 };
	struct tn_err err = TN_ERR_INIT;
	char url[64], *log;
	struct tn_config cfg;
	struct tn_follow_opts o;
	struct tn_follow *f;

	start(&s);
	cfg = cfg_for_port(url, sizeof(url));
	o = opts_for(&cfg);
	o.tail = 5;
	o.severity = "orange";
	o.districts = "310101,310115";
	f = tn_follow_new(&o, on_event, &seen);
	assert_int_equal(tn_follow_run(f, &err), TN_OK);
	tn_follow_free(f);
	log = stop();
	/* filters every time; tail only on the first connection; then Last-Event-ID */
	assert_int_equal(count_of(log, "GET /v1/alerts/stream?severity=orange&district=310101%2C310115&tail=5 "), 1);
	assert_int_equal(count_of(log, "GET /v1/alerts/stream?severity=orange&district=310101%2C310115 "), 1);
	assert_int_equal(count_of(log, "Last-Event-ID: 500\r\n"), 1);
	assert_string_equal(seen.log.buf, "alert 501 {\"id\":501,\"seq\":501}\n");
	free(log);
	tn_buf_release(&seen.log);
}

static void test_reset(void **state)
{
	static const struct script s = { {
		HEAD "retry: 50\n\nevent: reset\ndata: {\"asked\":5,\"oldest\":100,\"latest\":200,\"reason\":\"expired\"}\n\n",
	}, 0 };
	struct seen seen = { TN_BUF_INIT, 0, 0 };
	struct tn_err err = TN_ERR_INIT;
	char url[64];
	struct tn_config cfg;
	struct tn_follow_opts o;
	struct tn_follow *f;

	start(&s);
	cfg = cfg_for_port(url, sizeof(url));
	o = opts_for(&cfg);
	o.after = 5;
	f = tn_follow_new(&o, on_event, &seen);
	assert_int_equal(tn_follow_run(f, &err), TN_ERESET);
	assert_string_equal(err.message,
			    "position 5 is older than the server keeps (oldest kept: 100, latest: 200): events after it are gone");
	assert_int_equal(tn_follow_connections(f), 1);
	tn_follow_free(f);
	free(stop());
	tn_buf_release(&seen.log);
}

static void test_refused_is_not_retried(void **state)
{
	static const struct script s = { {
		"HTTP/1.1 403 Forbidden\r\nContent-Type: application/problem+json\r\nConnection: close\r\n\r\n"
		"{\"type\":\"/problems/forbidden\",\"title\":\"Forbidden\",\"status\":403,\"detail\":\"a sensor token cannot read alerts\"}",
	}, 0 };
	struct seen seen = { TN_BUF_INIT, 0, 0 };
	struct tn_err err = TN_ERR_INIT;
	char url[64];
	struct tn_config cfg;
	struct tn_follow_opts o;
	struct tn_follow *f;

	start(&s);
	cfg = cfg_for_port(url, sizeof(url));
	o = opts_for(&cfg);
	f = tn_follow_new(&o, on_event, &seen);
	assert_int_equal(tn_follow_run(f, &err), TN_EAUTH);
	assert_string_equal(err.message, "a sensor token cannot read alerts");
	assert_int_equal(tn_follow_connections(f), 1);
	tn_follow_free(f);
	free(stop());
	tn_buf_release(&seen.log);
}

static void test_busy_then_stream(void **state)
{
	static const struct script s = { {
		"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
		HEAD "retry: 50\nid: 0\n\n" EV("alert", 1) "event: end\ndata: {\"last\":3}\n\n",
	}, 0 };
	struct seen seen = { TN_BUF_INIT, 0, 0 };
	struct tn_err err = TN_ERR_INIT;
	char url[64], *log;
	struct tn_config cfg;
	struct tn_follow_opts o;
	struct tn_follow *f;

	start(&s);
	cfg = cfg_for_port(url, sizeof(url));
	o = opts_for(&cfg);
	o.no_follow = 1;
	f = tn_follow_new(&o, on_event, &seen);
	assert_int_equal(tn_follow_run(f, &err), TN_OK);
	assert_string_equal(seen.log.buf, "alert 1 {\"id\":1,\"seq\":1}\n");
	assert_int_equal(tn_follow_position(f), 3);      /* "end" moves past unmatched events */
	tn_follow_free(f);
	log = stop();
	assert_int_equal(count_of(log, "GET /v1/alerts/stream?follow=0 "), 2);
	free(log);
	tn_buf_release(&seen.log);
}

static void test_server_down_gives_up(void **state)
{
	struct seen seen = { TN_BUF_INIT, 0, 0 };
	struct tn_err err = TN_ERR_INIT;
	struct tn_config cfg;
	struct tn_follow_opts o;
	struct tn_follow *f;
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char url[64];

	/* a port nobody listens on: bind, read the port, close */
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	srv_port = ntohs(a.sin_port);
	close(fd);
	cfg = cfg_for_port(url, sizeof(url));
	o = opts_for(&cfg);
	o.retry_max = 1;
	f = tn_follow_new(&o, on_event, &seen);
	assert_int_equal(tn_follow_run(f, &err), TN_EUNREACHABLE);
	assert_int_equal(tn_follow_connections(f), 2);
	assert_non_null(strstr(err.message, "after 2 attempts"));
	tn_follow_free(f);
	tn_buf_release(&seen.log);
}

/* No byte for the heartbeat timeout: a dead connection, reconnected and resumed. */
static void test_heartbeat_timeout(void **state)
{
	static const struct script s = { {
		HEAD "retry: 50\nid: 0\n\n" EV("alert", 1) "\x01" EV("alert", 2),
		HEAD "retry: 50\nid: 1\n\n" EV("alert", 2),
	}, 3 };
	struct seen seen = { TN_BUF_INIT, 2, 0 };
	struct tn_err err = TN_ERR_INIT;
	char url[64], *log;
	struct tn_config cfg;
	struct tn_follow_opts o;
	struct tn_follow *f;

	start(&s);
	cfg = cfg_for_port(url, sizeof(url));
	o = opts_for(&cfg);
	o.heartbeat_timeout_ms = 1000;
	f = tn_follow_new(&o, on_event, &seen);
	assert_int_equal(tn_follow_run(f, &err), TN_OK);
	assert_string_equal(seen.log.buf, "alert 1 {\"id\":1,\"seq\":1}\nalert 2 {\"id\":2,\"seq\":2}\n");
	assert_int_equal(tn_follow_connections(f), 2);
	tn_follow_free(f);
	log = stop();
	assert_int_equal(count_of(log, "Last-Event-ID: 1\r\n"), 1);
	free(log);
	tn_buf_release(&seen.log);
}

/* A callback error ends the follow with it; the position stays before that event. */
static void test_callback_error(void **state)
{
	static const struct script s = { { HEAD "id: 0\n\n" EV("alert", 1) EV("alert", 2) }, 0 };
	struct seen seen = { TN_BUF_INIT, 0, 2 };
	struct tn_err err = TN_ERR_INIT;
	char url[64];
	struct tn_config cfg;
	struct tn_follow_opts o;
	struct tn_follow *f;

	start(&s);
	cfg = cfg_for_port(url, sizeof(url));
	o = opts_for(&cfg);
	f = tn_follow_new(&o, on_event, &seen);
	assert_int_equal(tn_follow_run(f, &err), TN_EIO);
	assert_string_equal(err.message, "cannot write");
	assert_int_equal(tn_follow_position(f), 1);
	tn_follow_free(f);
	free(stop());
	tn_buf_release(&seen.log);
}

static void test_not_an_event_stream(void **state)
{
	static const struct script s = { {
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"items\":[]}",
	}, 0 };
	struct seen seen = { TN_BUF_INIT, 0, 0 };
	struct tn_err err = TN_ERR_INIT;
	char url[64];
	struct tn_config cfg;
	struct tn_follow_opts o;
	struct tn_follow *f;

	start(&s);
	cfg = cfg_for_port(url, sizeof(url));
	o = opts_for(&cfg);
	f = tn_follow_new(&o, on_event, &seen);
	assert_int_equal(tn_follow_run(f, &err), TN_ESERVER);
	assert_non_null(strstr(err.message, "not an event stream"));
	tn_follow_free(f);
	free(stop());
	tn_buf_release(&seen.log);
}

static void test_cursor_file(void **state)
{
	char dir[] = "/tmp/test_cursor.XXXXXX", path[128];
	struct tn_err err = TN_ERR_INIT;
	long long pos = -1;
	FILE *fp;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/cursor", dir);
	assert_int_equal(tn_follow_cursor_read(path, &pos, &err), 0);
	assert_int_equal(tn_follow_cursor_write(path, 1234567890123LL, &err), TN_OK);
	assert_int_equal(tn_follow_cursor_read(path, &pos, &err), 1);
	assert_true(pos == 1234567890123LL);
	assert_int_equal(tn_follow_cursor_write(path, 7, &err), TN_OK);
	assert_int_equal(tn_follow_cursor_read(path, &pos, &err), 1);
	assert_true(pos == 7);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("seven\n", fp);
	fclose(fp);
	assert_int_equal(tn_follow_cursor_read(path, &pos, &err), -1);
	assert_int_equal(err.code, TN_EINVALID);
	unlink(path);
	/* a folder that does not exist: the write fails, nothing is left behind */
	snprintf(path, sizeof(path), "%s/no/cursor", dir);
	assert_int_equal(tn_follow_cursor_write(path, 1, &err), TN_EIO);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resume_no_gap_no_repeat),
		cmocka_unit_test(test_opening_block_position),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_refused_is_not_retried),
		cmocka_unit_test(test_busy_then_stream),
		cmocka_unit_test(test_server_down_gives_up),
		cmocka_unit_test(test_heartbeat_timeout),
		cmocka_unit_test(test_callback_error),
		cmocka_unit_test(test_not_an_event_stream),
		cmocka_unit_test(test_cursor_file),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
