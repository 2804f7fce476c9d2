/* tn_sse.h — an incremental Server-Sent Events parser (WHATWG): feed bytes, get events. */
#ifndef TN_SSE_H
#define TN_SSE_H

#include <stddef.h>

#include "tn_buf.h"
#include "tn_err.h"

/* Largest event (all its data lines) or line accepted; more is an error. */
#define TN_SSE_MAX_EVENT (1024 * 1024)

enum tn_sse_kind {
	TN_SSE_EVENT,    /* a complete event: type, data, id */
	TN_SSE_COMMENT,  /* a line starting with ':' (a heartbeat); text after ':' and one space */
	TN_SSE_RETRY,    /* a valid "retry:" field; retry_ms set */
	TN_SSE_ID,       /* a block that set the id but carried no data: nothing to dispatch */
};

/*
 * What the parser hands to its callback.  Every pointer is borrowed and valid
 * only during the call.  For TN_SSE_EVENT: `type` is the "event:" field or
 * "message"; `data` the data lines joined with '\n' (NUL-terminated, length
 * data_len); `id` the last event id (as the spec keeps it: the latest "id:"
 * seen on the stream, "" when none) and `has_id` whether this block had an
 * "id:" line.  For TN_SSE_COMMENT: `data` is the comment text.  For
 * TN_SSE_ID: `id`.  For TN_SSE_RETRY: `retry_ms`.
 */
struct tn_sse_event {
	enum tn_sse_kind kind;
	const char *type;
	const char *data;
	size_t data_len;
	const char *id;
	int has_id;
	long retry_ms;
};

/* Return 0 to go on, anything else to stop the feed (tn_sse_feed returns it). */
typedef int (*tn_sse_fn)(void *ctx, const struct tn_sse_event *ev);

struct tn_sse {
	tn_sse_fn fn;
	void *ctx;
	struct tn_buf line;   /* the incomplete line */
	struct tn_buf data;   /* data lines of the current block */
	struct tn_buf type;   /* event type of the current block */
	struct tn_buf id;     /* the spec's last event id buffer (set by "id:" lines) */
	struct tn_buf last_id; /* the id of the last block dispatched: where to resume */
	int has_data;
	int has_id;
	int last_cr;          /* the previous byte was CR: a following LF belongs to it */
	int started;          /* past the optional BOM */
	long retry_ms;        /* last valid retry, -1 when none */
};

/* Start a parser calling `fn(ctx, ...)`.  Cannot fail. */
void tn_sse_init(struct tn_sse *p, tn_sse_fn fn, void *ctx);

/*
 * Parse `len` bytes (a chunk of any size: lines and events may be split
 * anywhere, CR, LF and CRLF all end lines, a leading UTF-8 BOM is skipped).
 * Calls the callback for every complete event, comment, retry and id-only
 * block.  Returns 0, the callback's non-zero value when it asked to stop (the
 * rest of the chunk is dropped), or -1 with err set (TN_EINVALID) when a line
 * or an event exceeds TN_SSE_MAX_EVENT.  An event is dispatched only at its
 * blank line: a stream cut in the middle of one never yields it.
 */
int tn_sse_feed(struct tn_sse *p, const char *buf, size_t len, struct tn_err *err);

/*
 * Forget the partial line and block (a new connection starts), keeping the
 * last event id of the last complete block and the retry.  Cannot fail.
 */
void tn_sse_reset(struct tn_sse *p);

/*
 * The last event id of the stream as of the last complete block ("" when
 * none): an "id:" line of a block cut off by the end of a connection does not
 * count.  Borrowed, valid until the next feed.
 */
const char *tn_sse_last_id(const struct tn_sse *p);

/* Free the buffers.  The parser may be initialised again afterwards. */
void tn_sse_release(struct tn_sse *p);

#endif
