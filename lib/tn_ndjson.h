/* tn_ndjson.h — line-oriented input in constant memory: NDJSON records and plain lines. */
#ifndef TN_NDJSON_H
#define TN_NDJSON_H

#include <stdio.h>
#include <jv.h>

#include "tn_buf.h"
#include "tn_err.h"

/* Longest line accepted; a longer one is reported and skipped (the server refuses > 1 MiB). */
#define TN_NDJSON_MAX_LINE (1024 * 1024)

/*
 * A reader over `fp` (borrowed), which names itself `name` ("stdin", a file
 * name) in messages.  Only one line is held in memory at a time.
 */
struct tn_ndjson {
	FILE *fp;
	const char *name;
	long line;          /* number of the line last returned, 1-based */
	struct tn_buf buf;
	int eof;
};

/* Start reading `fp`; `name` is borrowed.  Cannot fail. */
void tn_ndjson_init(struct tn_ndjson *r, FILE *fp, const char *name);
/* Free the line buffer.  Does not close `fp`. */
void tn_ndjson_release(struct tn_ndjson *r);

/*
 * The next line that is not blank, without its line end and surrounding white
 * space, in *line (borrowed: valid until the next call).  Returns 1 for a line,
 * 0 at end of input, -1 for a line that cannot be used (too long, not UTF-8,
 * a read error) with err set to "NAME:LINE: reason" (TN_EINVALID, or TN_EIO
 * for a read error, after which the reader is at end of input).
 */
int tn_ndjson_next_line(struct tn_ndjson *r, const char **line, struct tn_err *err);

/*
 * Whether reading the next line can start without waiting for the writer:
 * 1 when input is buffered or readable (or at its end, or an error waits),
 * 0 when the writer has sent nothing more yet (a pipe fed slowly).  A line
 * begun but not ended may still make the read wait for its end.
 */
int tn_ndjson_ready(struct tn_ndjson *r);

/*
 * The next record: a line parsed as one JSON value, in *out (owned by the
 * caller).  Returns 1, 0 at end of input, or -1 for a bad line with err set to
 * "NAME:LINE: reason" (the parser's message for bad JSON); reading may go on
 * after -1 unless err->code is TN_EIO.
 */
int tn_ndjson_next(struct tn_ndjson *r, jv *out, struct tn_err *err);

/*
 * A numbered record's id from a line of stdin (alert-act, task-act): a bare
 * whole number above 0, or an NDJSON object with a number "id" (above 0).
 * Returns the id; *obj (owned; may be NULL) the object, jv_invalid() for a
 * bare id.  -1 on error, TN_EINVALID "'x' is not a WHAT id" or "no WHAT
 * \"id\" in the line", *obj jv_invalid().
 */
long long tn_ndjson_number_id(const char *line, const char *what, jv *obj, struct tn_err *err);

#endif
