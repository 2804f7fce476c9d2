/* test_http.c — the HTTP client against a scripted server in a child process. */
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
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "twonet.h"

/*
 * The child answers each connection's requests with the next scripted
 * response, and counts requests in a pipe the parent reads.  A script entry
 * "close" closes the connection without answering.
 */
struct script {
	const char *responses[8];
};

static int srv_port;
static pid_t srv_pid;
static int count_pipe[2];
static int log_fd = -1;         /* when >= 0, the child appends each request's bytes here */

static void serve(int lfd, const struct script *s)
{
	int i = 0;

	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		char buf[65536];
		if (fd < 0)
			_exit(0);
		for (;;) {
			size_t got = 0;
			ssize_t n;
			char *hdr_end = NULL;
			long clen = 0;

			/* read one request: headers then Content-Length bytes */
			while (!(hdr_end = memmem(buf, got, "\r\n\r\n", 4))) {
				n = read(fd, buf + got, sizeof(buf) - got - 1);
				if (n <= 0)
					goto next_conn;
				got += (size_t)n;
			}
			buf[got] = '\0';
			char *cl = strcasestr(buf, "Content-Length:");
			if (cl && cl < hdr_end)
				clen = strtol(cl + 15, NULL, 10);
			while ((long)(got - (size_t)(hdr_end + 4 - buf)) < clen) {
				n = read(fd, buf + got, sizeof(buf) - got - 1);
				if (n <= 0)
					goto next_conn;
				got += (size_t)n;
			}
			if (write(count_pipe[1], "x", 1) != 1)
				_exit(1);
			if (log_fd >= 0 && write(log_fd, buf, got) != (ssize_t)got)
				_exit(1);
			const char *r = s->responses[i] ? s->responses[i] : s->responses[i ? i - 1 : 0];
			if (s->responses[i])
				i++;
			if (!strcmp(r, "close"))
				goto next_conn;
			if (write(fd, r, strlen(r)) < 0)
				goto next_conn;
			goto next_conn;  /* every scripted answer says Connection: close */
		}
next_conn:
		close(fd);
	}
}

static void start(const struct script *s)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;

	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 16), 0);
	getsockname(lfd, (struct sockaddr *)&a, &al);
	srv_port = ntohs(a.sin_port);
	assert_int_equal(pipe(count_pipe), 0);
	srv_pid = fork();
	if (srv_pid == 0) {
		close(count_pipe[0]);
		serve(lfd, s);
		_exit(0);
	}
	close(count_pipe[1]);
	close(lfd);
}

/* Stop the server; returns how many requests it saw. */
static int stop(void)
{
	char c;
	int n = 0;

	kill(srv_pid, SIGTERM);
	waitpid(srv_pid, NULL, 0);
	while (read(count_pipe[0], &c, 1) == 1)
		n++;
	close(count_pipe[0]);
	return n;
}

static struct tn_config cfg_for_port(char *url, size_t len)
{
	struct tn_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	snprintf(url, len, "http://127.0.0.1:%d", srv_port);
	cfg.url = url;
	cfg.token = (char *)"tok";
	cfg.timeout_s = 10;
	cfg.connect_timeout_s = 2;
	cfg.retries = 3;
	return cfg;
}

#define OK_JSON "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"
#define BUSY "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
#define TOO_MANY "HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n"
#define PROBLEM "HTTP/1.1 409 Conflict\r\nConnection: close\r\nContent-Type: application/problem+json\r\nContent-Length: 74\r\n\r\n" \
	"{\"type\":\"/problems/conflict\",\"title\":\"Conflict\",\"status\":409,\"detail\":\"x\"}"

#define PROBLEM_FIELD "HTTP/1.1 422 Unprocessable Entity\r\nConnection: close\r\nContent-Type: application/problem+json\r\nContent-Length: 106\r\n\r\n" \
	"{\"type\":\"/problems/invalid\",\"title\":\"Unprocessable\",\"status\":422,\"field\":\"applicant.id\",\"detail\":\"bad id\"}"

static void notice(void *ctx, const char *msg)
{
	(*(int *)ctx)++;
	assert_non_null(strstr(msg, "retrying in"));
}

/* A problem's field reaches err->field; retries are told to the notice callback, never printed. */
static void test_problem_field_and_notice(void **state)
{
	static const struct script s = { { PROBLEM_FIELD, BUSY, OK_JSON } };
	char url[64];
	struct tn_config cfg;
	struct tn_client *c;
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_err err = TN_ERR_INIT;
	int told = 0;

	start(&s);
	cfg = cfg_for_port(url, sizeof(url));
	cfg.verbose = 1;
	c = tn_client_new(&cfg);
	tn_client_on_notice(c, notice, &told);
	req.path = "/v1/cases";
	assert_int_equal(tn_client_do(c, &req, &resp, &err), TN_EINVALID);
	assert_int_equal(err.http_status, 422);
	assert_string_equal(err.field, "applicant.id");
	assert_string_equal(err.message, "bad id");
	tn_response_release(&resp);
	req.path = "/v1/health";
	assert_int_equal(tn_client_do(c, &req, &resp, &err), TN_OK);
	assert_string_equal(err.field, "");
	assert_int_equal(told, 1);
	tn_response_release(&resp);
	tn_client_free(c);
	assert_int_equal(stop(), 3);
}

static void test_retry_then_ok(void **state)
{
	static const struct script s = { { BUSY, BUSY, OK_JSON } };
	char url[64];
	struct tn_config cfg;
	struct tn_client *c;
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_err err = TN_ERR_INIT;

	start(&s);
	cfg = cfg_for_port(url, sizeof(url));
	c = tn_client_new(&cfg);
	req.path = "/v1/health";
	assert_int_equal(tn_client_do(c, &req, &resp, &err), TN_OK);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.attempts, 3);
	assert_true(jv_equal(jv_copy(resp.body), jv_parse("{\"ok\":true}")));
	tn_response_release(&resp);
	tn_client_free(c);
	assert_int_equal(stop(), 3);
}

static void test_retry_after_honoured(void **state)
{
	static const struct script s = { { TOO_MANY, OK_JSON } };
	char url[64];
	struct tn_config cfg;
	struct tn_client *c;
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_err err = TN_ERR_INIT;
	struct timespec t0, t1;

	start(&s);
	cfg = cfg_for_port(url, sizeof(url));
	c = tn_client_new(&cfg);
	req.path = "/x";
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(tn_client_do(c, &req, &resp, &err), TN_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Retry-After: 1 means the second try starts no sooner than a second later */
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 1000);
	assert_int_equal(resp.attempts, 2);
	tn_response_release(&resp);
	tn_client_free(c);
	assert_int_equal(stop(), 2);
}

static void test_post_without_key_not_retried(void **state)
{
	static const struct script s = { { BUSY, BUSY, OK_JSON } };
	char url[64];
	struct tn_config cfg;
	struct tn_client *c;
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_err err = TN_ERR_INIT;

	start(&s);
	cfg = cfg_for_port(url, sizeof(url));
	c = tn_client_new(&cfg);
	req.method = "POST";
	req.path = "/v1/cases";
	req.body = jv_parse("{\"a\":1}");
	assert_int_equal(tn_client_do(c, &req, &resp, &err), TN_ESERVER);
	assert_int_equal(resp.status, 503);
	tn_response_release(&resp);
	/* the same write under an idempotency key is retried */
	req.body = jv_parse("{\"a\":1}");
	req.idempotency_key = "k1";
	assert_int_equal(tn_client_do(c, &req, &resp, &err), TN_OK);
	tn_response_release(&resp);
	tn_client_free(c);
	assert_int_equal(stop(), 3);
}

static void test_problem_detail_and_no_retry_on_4xx(void **state)
{
	static const struct script s = { { PROBLEM, OK_JSON } };
	char url[64];
	struct tn_config cfg;
	struct tn_client *c;
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_err err = TN_ERR_INIT;

	start(&s);
	cfg = cfg_for_port(url, sizeof(url));
	c = tn_client_new(&cfg);
	req.path = "/v1/cases/1";
	assert_int_equal(tn_client_do(c, &req, &resp, &err), TN_ECONFLICT);
	assert_string_equal(err.message, "x");
	assert_int_equal(err.http_status, 409);
	assert_int_equal(tn_exit_status(err.code), 5);
	tn_response_release(&resp);
	tn_client_free(c);
	assert_int_equal(stop(), 1);
}

static void test_unreachable(void **state)
{
	static const struct script s = { { OK_JSON } };
	char url[64];
	struct tn_config cfg;
	struct tn_client *c;
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_err err = TN_ERR_INIT;

	start(&s);
	stop();  /* the port is now closed */
	cfg = cfg_for_port(url, sizeof(url));
	cfg.retries = 2;
	c = tn_client_new(&cfg);
	req.path = "/v1/health";
	assert_int_equal(tn_client_do(c, &req, &resp, &err), TN_EUNREACHABLE);
	assert_int_equal(resp.attempts, 3);
	assert_int_equal(tn_exit_status(err.code), 6);
	assert_non_null(strstr(err.message, "after 3 attempts"));
	tn_response_release(&resp);
	tn_client_free(c);
}

/* bulk: 50 requests through 4 slots, the server busy once in three */
struct bulk_ctx {
	int fed, ok, failed;
};

static int bulk_next(void *ctx, struct tn_request *req, void **tag)
{
	struct bulk_ctx *b = ctx;

	if (b->fed == 50)
		return 0;
	req->method = "POST";
	req->path = "/v1/cases";
	req->body = jv_number(b->fed);
	req->idempotency_key = "k";
	*tag = (void *)(intptr_t)b->fed++;
	return 1;
}

static void bulk_done(void *ctx, void *tag, enum tn_code code, struct tn_response *resp,
		      const struct tn_err *err)
{
	struct bulk_ctx *b = ctx;

	if (code == TN_OK)
		b->ok++;
	else
		b->failed++;
}

static void test_bulk(void **state)
{
	static const struct script s = { { OK_JSON, BUSY, OK_JSON, OK_JSON, BUSY, OK_JSON, OK_JSON } };
	char url[64];
	struct tn_config cfg;
	struct tn_client *c;
	struct tn_err err = TN_ERR_INIT;
	struct bulk_ctx b = { 0, 0, 0 };

	start(&s);
	cfg = cfg_for_port(url, sizeof(url));
	c = tn_client_new(&cfg);
	assert_int_equal(tn_client_bulk(c, 4, bulk_next, bulk_done, &b, &err), TN_OK);
	assert_int_equal(b.ok, 50);
	assert_int_equal(b.failed, 0);
	tn_client_free(c);
	assert_int_equal(stop(), 52);
}

static void test_url_escape(void **state)
{
	struct tn_buf b = TN_BUF_INIT;

	tn_url_escape(&b, "a b/张");
	assert_string_equal(b.buf, "a%20b%2F%E5%BC%A0");
	tn_buf_release(&b);
}

static void async_done(void *ctx, long tag, const struct tn_async_result *r)
{
	assert_int_equal(r->status, 200);
	*(int *)ctx = 1;
}

/*
 * The request both clients build for one tn_request: the URL from the base
 * (its trailing '/' dropped) and the path, the headers in their order (no
 * "Expect:"), the body as compact JSON; the blocking client and tn_async send
 * the same bytes.
 */
static void test_request_on_the_wire(void **state)
{
	static const struct script s = { { OK_JSON } };
	static const char *const extra[] = { "X-Trace: t-1", NULL };
	char url[64], path[] = "/tmp/test_http.XXXXXX", wire[8192], want[1024];
	struct tn_config cfg;
	struct tn_client *c;
	struct tn_async *a;
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_err err = TN_ERR_INIT;
	ssize_t n;
	int done = 0;
	char *second;

	log_fd = mkstemp(path);
	assert_true(log_fd >= 0);
	unlink(path);
	start(&s);
	cfg = cfg_for_port(url, sizeof(url));
	snprintf(url + strlen(url), sizeof(url) - strlen(url), "/");
	req.method = "POST";
	req.path = "v1/cases/C-1/actions";
	req.idempotency_key = "k-1";
	req.if_match = "\"3\"";
	req.headers = extra;
	req.body = jv_parse("{\"action\": \"accept\"}");
	c = tn_client_new(&cfg);
	assert_int_equal(tn_client_do(c, &req, &resp, &err), TN_OK);
	assert_false(jv_is_valid(req.body));
	tn_response_release(&resp);
	tn_client_free(c);

	a = tn_async_new(&cfg, NULL, &err);
	assert_non_null(a);
	req.body = jv_parse("{\"action\": \"accept\"}");
	tn_async_start(a, &req, 0, async_done, &done, 1);
	while (!done) {
		tn_async_wait(a, -1, tn_async_timeout_ms(a, 100));
		tn_async_perform(a);
	}
	tn_async_free(a);
	assert_int_equal(stop(), 2);

	n = pread(log_fd, wire, sizeof(wire) - 1, 0);
	close(log_fd);
	log_fd = -1;
	assert_true(n > 0);
	wire[n] = '\0';
	snprintf(want, sizeof(want),
		 "POST /v1/cases/C-1/actions HTTP/1.1\r\n"
		 "Host: 127.0.0.1:%d\r\n"
		 "User-Agent: twonet/%s\r\n"
		 "Accept: application/json, application/problem+json\r\n"
		 "Content-Type: application/json\r\n"
		 "Authorization: Bearer tok\r\n"
		 "Idempotency-Key: k-1\r\n"
		 "If-Match: \"3\"\r\n"
		 "X-Trace: t-1\r\n"
		 "Content-Length: 19\r\n"
		 "\r\n"
		 "{\"action\":\"accept\"}", srv_port, TN_VERSION);
	second = strstr(wire + 1, "POST ");
	assert_non_null(second);
	assert_string_equal(second, want);
	*second = '\0';
	assert_string_equal(wire, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry_then_ok),
		cmocka_unit_test(test_retry_after_honoured),
		cmocka_unit_test(test_post_without_key_not_retried),
		cmocka_unit_test(test_problem_detail_and_no_retry_on_4xx),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_bulk),
		cmocka_unit_test(test_url_escape),
		cmocka_unit_test(test_problem_field_and_notice),
		cmocka_unit_test(test_request_on_the_wire),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
