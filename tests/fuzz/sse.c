/* sse.c — fuzz target: the Server-Sent Events client parser (alert-tail's stream), whole and in pieces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_json.h"
#include "tn_sse.h"

#include "fuzz.h"

/*
 * The input is what a server sends on GET /v1/alerts/stream.  It is fed to
 * tn_sse_feed twice: in one piece, and cut into pieces of 1 to 16 bytes (as
 * the network may cut it); both must give the same callbacks and the same
 * last id.  Each event then goes where alert-tail sends it: "end" and
 * "reset" data through tn_json_parse (lib/follow.c), other events through
 * the alert writers in the table and CAP formats (tn_alert_writer_emit_text).
 */

static FILE *devnull;
static struct tn_alert_writer table_w, cap_w;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct tn_err err = TN_ERR_INIT;

	(void)argc;
	(void)argv;
	fuzz_setup();
	devnull = fopen("/dev/null", "w");
	if (!devnull || tn_alert_writer_open(&table_w, devnull, "table", NULL, 0, &err) != TN_OK ||
	    tn_alert_writer_open(&cap_w, devnull, "cap", NULL, 1, &err) != TN_OK) {
		fprintf(stderr, "fuzz sse: cannot open the writers: %s\n", err.message);
		abort();
	}
	table_w.width = 80;
	return 0;
}

struct log {
	struct tn_buf text;
	int deliver;        /* hand events on as alert-tail does */
};

static void deliver(const struct tn_sse_event *ev)
{
	struct tn_err err = TN_ERR_INIT;

	if (!strcmp(ev->type, "end") || !strcmp(ev->type, "reset")) {
		jv_free(tn_json_parse(ev->data, ev->data_len));
		return;
	}
	tn_alert_writer_emit_text(&table_w, ev->data, ev->data_len, NULL, &err);
	tn_alert_writer_emit_text(&cap_w, ev->data, ev->data_len, NULL, &err);
}

static int record(void *ctx, const struct tn_sse_event *ev)
{
	struct log *l = ctx;

	switch (ev->kind) {
	case TN_SSE_EVENT:
		FUZZ_ASSERT(ev->data[ev->data_len] == '\0', "event data is NUL-terminated");
		tn_buf_addf(&l->text, "E %s|%s|%d|%zu:", ev->type, ev->id, ev->has_id, ev->data_len);
		tn_buf_add(&l->text, ev->data, ev->data_len);
		tn_buf_addch(&l->text, '\n');
		if (l->deliver)
			deliver(ev);
		break;
	case TN_SSE_COMMENT:
		tn_buf_addf(&l->text, "C %s\n", ev->data);
		break;
	case TN_SSE_RETRY:
		FUZZ_ASSERT(ev->retry_ms >= 0, "a retry is not negative");
		tn_buf_addf(&l->text, "R %ld\n", ev->retry_ms);
		break;
	case TN_SSE_ID:
		tn_buf_addf(&l->text, "I %s\n", ev->id);
		break;
	}
	return 0;
}

int fuzz_one(const uint8_t *data, size_t size)
{
	struct tn_err err = TN_ERR_INIT;
	struct log whole = { TN_BUF_INIT, 1 }, pieces = { TN_BUF_INIT, 0 };
	struct tn_sse p;
	unsigned seed = (unsigned)size * 2654435761u;
	char *last;
	int rc;

	tn_sse_init(&p, record, &whole);
	rc = tn_sse_feed(&p, (const char *)data, size, &err);
	FUZZ_ASSERT(rc == 0, "a stream below TN_SSE_MAX_EVENT feeds without error");
	last = strdup(tn_sse_last_id(&p));
	/* a new connection: the partial block is dropped, the last id stays */
	tn_sse_reset(&p);
	FUZZ_ASSERT(!strcmp(last, tn_sse_last_id(&p)), "tn_sse_reset keeps the last id");
	tn_sse_release(&p);

	tn_sse_init(&p, record, &pieces);
	for (size_t off = 0; off < size;) {
		size_t n;

		seed = seed * 1103515245u + 12345u;
		n = 1 + ((seed >> 16) & 15);
		if (n > size - off)
			n = size - off;
		rc = tn_sse_feed(&p, (const char *)data + off, n, &err);
		FUZZ_ASSERT(rc == 0, "a stream below TN_SSE_MAX_EVENT feeds without error");
		off += n;
	}
	if (whole.text.len != pieces.text.len || memcmp(whole.text.buf, pieces.text.buf, whole.text.len))
		fprintf(stderr, "fuzz sse: in one piece:\n%s\nin pieces:\n%s\n", whole.text.buf,
			pieces.text.buf);
	FUZZ_ASSERT(whole.text.len == pieces.text.len &&
		    !memcmp(whole.text.buf, pieces.text.buf, whole.text.len),
		    "the same stream gives the same events however it is cut");
	FUZZ_ASSERT(!strcmp(last, tn_sse_last_id(&p)), "the same last id however the stream is cut");
	tn_sse_release(&p);
	free(last);
	tn_buf_release(&whole.text);
	tn_buf_release(&pieces.text);
	return 0;
}
