/* test_sse.c — the Server-Sent Events parser: split feeds, line ends, data, comments, retry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tn_buf.h"
#include "tn_sse.h"

/* Every callback is written to a log as one line: "E type|id|data", "C text", "R ms", "I id". */
struct log {
	struct tn_buf text;
	int stop_after;   /* stop the feed after this many events (0: never) */
	int events;
};

static int record(void *ctx, const struct tn_sse_event *ev)
{
	struct log *l = ctx;

	switch (ev->kind) {
	case TN_SSE_EVENT:
		tn_buf_addf(&l->text, "E %s|%s%s|", ev->type, ev->id, ev->has_id ? "" : "*");
		for (size_t i = 0; i < ev->data_len; i++)
			tn_buf_adds(&l->text, ev->data[i] == '\n' ? "\\n" : (char[]){ ev->data[i], 0 });
		tn_buf_addch(&l->text, '\n');
		l->events++;
		if (l->stop_after && l->events >= l->stop_after)
			return 7;
		break;
	case TN_SSE_COMMENT:
		tn_buf_addf(&l->text, "C %s\n", ev->data);
		break;
	case TN_SSE_RETRY:
		tn_buf_addf(&l->text, "R %ld\n", ev->retry_ms);
		break;
	case TN_SSE_ID:
		tn_buf_addf(&l->text, "I %s\n", ev->id);
		break;
	}
	return 0;
}

/* Feed `in` in chunks of `chunk` bytes (0: all at once) and return the log (caller frees). */
static char *parse(const char *in, size_t chunk)
{
	struct tn_sse p;
	struct log l = { TN_BUF_INIT, 0, 0 };
	struct tn_err err = TN_ERR_INIT;
	size_t len = strlen(in), off = 0;

	tn_sse_init(&p, record, &l);
	if (!chunk)
		chunk = len ? len : 1;
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;
		assert_int_equal(tn_sse_feed(&p, in + off, n, &err), 0);
		off += n;
	}
	tn_sse_release(&p);
	return tn_buf_detach(&l.text, NULL);
}

/* The same input gives the same log whatever the chunk size. */
static void check_all_splits(const char *in, const char *want)
{
	for (size_t chunk = 0; chunk <= strlen(in); chunk++) {
		char *got = parse(in, chunk);
		if (strcmp(got, want))
			fail_msg("chunk %zu: got\n%s\nwant\n%s", chunk, got, want);
		free(got);
	}
}

static void test_basic_event(void **state)
{
	check_all_splits("event: alert\nid: 42\ndata: {\"id\":42}\n\n",
			 "E alert|42|{\"id\":42}\n");
}

static void test_default_type_and_no_space(void **state)
{
	/* no space after the colon; a field without a colon; the type defaults to message */
	check_all_splits("data:x\ndata\n\n", "E message|*|x\\n\n");
}

static void test_crlf_and_cr(void **state)
{
	check_all_splits("event: update\r\nid: 7\r\ndata: a\r\n\r\n"
			 "data: b\rdata: c\r\r"
			 "data: d\n\r\n",
			 "E update|7|a\nE message|7*|b\\nc\nE message|7*|d\n");
}

static void test_multiline_data(void **state)
{
	check_all_splits("data: one\ndata: two\ndata:\ndata:  four\n\n",
			 "E message|*|one\\ntwo\\n\\n four\n");
}

static void test_comments_and_retry(void **state)
{
	check_all_splits(": heartbeat\n\nretry: 2000\nretry: x12\n:\n\n",
			 "C heartbeat\nR 2000\nC \n");
}

static void test_id_only_block(void **state)
{
	/* the opening block of the alert stream: retry and id, no data */
	check_all_splits("retry: 2000\nid: 1200\n\nevent: alert\nid: 1201\ndata: {}\n\n",
			 "R 2000\nI 1200\nE alert|1201|{}\n");
}

static void test_id_persists_and_nul_ignored(void **state)
{
	struct tn_sse p;
	struct log l = { TN_BUF_INIT, 0, 0 };
	struct tn_err err = TN_ERR_INIT;
	static const char in[] = "id: 5\ndata: a\n\nid: 6\0x\ndata: b\n\n";

	tn_sse_init(&p, record, &l);
	assert_int_equal(tn_sse_feed(&p, in, sizeof(in) - 1, &err), 0);
	assert_string_equal(l.text.buf, "E message|5|a\nE message|5*|b\n");
	assert_string_equal(tn_sse_last_id(&p), "5");
	tn_sse_release(&p);
	tn_buf_release(&l.text);
}

static void test_incomplete_event_never_dispatched(void **state)
{
	struct tn_sse p;
	struct log l = { TN_BUF_INIT, 0, 0 };
	struct tn_err err = TN_ERR_INIT;
	static const char cut[] = "event: alert\nid: 9\ndata: {\"id\":9";
	static const char next[] = "event: alert\nid: 9\ndata: {\"id\":9}\n\n";

	tn_sse_init(&p, record, &l);
	assert_int_equal(tn_sse_feed(&p, cut, strlen(cut), &err), 0);
	assert_int_equal(l.text.len, 0);
	/* the connection is cut; a new one sends the event again */
	tn_sse_reset(&p);
	assert_string_equal(tn_sse_last_id(&p), "");   /* the cut block's id never took effect */
	assert_int_equal(tn_sse_feed(&p, next, strlen(next), &err), 0);
	assert_string_equal(l.text.buf, "E alert|9|{\"id\":9}\n");
	tn_sse_release(&p);
	tn_buf_release(&l.text);
}

static void test_bom_skipped(void **state)
{
	check_all_splits("\xEF\xBB\xBF" "data: x\n\n", "E message|*|x\n");
	/* only a leading BOM is skipped */
	check_all_splits("\xEF\xBB" "data: x\n\n", "");
}

static void test_stop_from_callback(void **state)
{
	struct tn_sse p;
	struct log l = { TN_BUF_INIT, 1, 0 };
	struct tn_err err = TN_ERR_INIT;
	static const char in[] = "data: a\n\ndata: b\n\n";

	tn_sse_init(&p, record, &l);
	assert_int_equal(tn_sse_feed(&p, in, strlen(in), &err), 7);
	assert_string_equal(l.text.buf, "E message|*|a\n");
	tn_sse_release(&p);
	tn_buf_release(&l.text);
}

static void test_too_long(void **state)
{
	struct tn_sse p;
	struct log l = { TN_BUF_INIT, 0, 0 };
	struct tn_err err = TN_ERR_INIT;
	size_t n = TN_SSE_MAX_EVENT + 16;
	char *big = malloc(n);

	assert_non_null(big);
	memset(big, 'a', n);
	memcpy(big, "data: ", 6);
	tn_sse_init(&p, record, &l);
	assert_int_equal(tn_sse_feed(&p, big, n, &err), -1);
	assert_int_equal(err.code, TN_EINVALID);
	assert_non_null(strstr(err.message, "longer than"));
	tn_sse_release(&p);
	tn_buf_release(&l.text);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_event),
		cmocka_unit_test(test_default_type_and_no_space),
		cmocka_unit_test(test_crlf_and_cr),
		cmocka_unit_test(test_multiline_data),
		cmocka_unit_test(test_comments_and_retry),
		cmocka_unit_test(test_id_only_block),
		cmocka_unit_test(test_id_persists_and_nul_ignored),
		cmocka_unit_test(test_incomplete_event_never_dispatched),
		cmocka_unit_test(test_bom_skipped),
		cmocka_unit_test(test_stop_from_callback),
		cmocka_unit_test(test_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
