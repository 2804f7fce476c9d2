/* tn_out.h — output: json, ndjson, table, csv, tsv; --jq; --fields; TTY detection. */
#ifndef TN_OUT_H
#define TN_OUT_H

#include <stdio.h>
#include <jv.h>

#include "tn_cli.h"
#include "tn_err.h"

enum tn_format { TN_FMT_AUTO = 0, TN_FMT_JSON, TN_FMT_NDJSON, TN_FMT_TABLE, TN_FMT_CSV, TN_FMT_TSV };

struct tn_jq;   /* a compiled jq program (libjq), opaque */

/*
 * An output stream of records.  Records are jv values written one at a time
 * with tn_out_emit; a table needs every row for its column widths, so the
 * table format buffers rows until tn_out_close (other formats stream).
 */
struct tn_out {
	FILE *fp;
	enum tn_format format;  /* resolved: never AUTO after tn_out_open */
	int is_list;            /* json: a list prints as one array, ndjson: a line each */
	int color;
	int tty;
	struct tn_jq *jq;
	char **fields;          /* NULL-terminated, or NULL for every field */
	const char **default_columns; /* table/csv columns when --fields is not given */
	jv rows;                /* buffered rows (table only; a json list streams) */
	long count;
	int broken_pipe;        /* set when a write failed with EPIPE */
	/* private to out.c */
	int raw_jq;             /* --jq without --format: JSON lines, strings raw */
	const char **cols;      /* resolved columns (table/csv/tsv) */
	int ncols;
	jv keys;                /* keys of the first record when columns come from it */
};

/*
 * Open an output on `fp`.  `common` carries --format/--jq/--fields/--no-color;
 * `is_list`: the command writes a list of records (ndjson when piped) rather
 * than one document (json when piped).  `default_columns`: the table columns
 * (dotted paths allowed, "item.name"), NULL-terminated, borrowed.
 * A jq compile error is TN_EUSAGE with jq's message; an unknown format TN_EUSAGE.
 * Colour: on a TTY, unless --no-color, NO_COLOR set, or the table is not on a TTY.
 * --jq without --format: each jq output is printed as one JSON line, strings
 * raw (as gh --jq does); with --format, jq's outputs are the records of it.
 * --fields picks table/csv/tsv columns and projects json/ndjson objects.
 */
enum tn_code tn_out_open(struct tn_out *out, FILE *fp, const struct tn_common *common,
			 int is_list, const char **default_columns, struct tn_err *err);

/*
 * Write one record (consumed).  Runs it through --jq first (each jq output is a
 * record); a jq runtime error is TN_EINVALID with the message.  Streams for
 * ndjson/csv/tsv (flushed per record when `fp` is not a TTY only at close...
 * ndjson is flushed per record always).
 */
enum tn_code tn_out_emit(struct tn_out *out, jv record, struct tn_err *err);

/* Finish: write buffered rows (table, json array), flush, free everything. */
enum tn_code tn_out_close(struct tn_out *out, struct tn_err *err);

/* Parse "json", "table", ... ; TN_FMT_AUTO for NULL; -1 for unknown. */
int tn_format_parse(const char *name);

/*
 * Compile a jq program once for reuse.  On error returns NULL and fills err
 * with TN_EUSAGE and jq's message (nothing is printed).
 */
struct tn_jq *tn_jq_compile(const char *program, struct tn_err *err);
/*
 * Run the program on `input` (consumed); each output is appended to *results
 * (a jv array, created when invalid).  Runtime error: TN_EINVALID.
 */
enum tn_code tn_jq_run(struct tn_jq *jq, jv input, jv *results, struct tn_err *err);
void tn_jq_free(struct tn_jq *jq);

/* Display width of UTF-8 text in terminal columns (CJK wide = 2).  Invalid bytes count 1. */
int tn_display_width(const char *s);
/*
 * Append to `dst` at most `width` columns of `s`, never cutting a character;
 * pads with spaces to exactly `width` when `pad`.  When cut, the last column is "…".
 */
struct tn_buf;
void tn_fit_width(struct tn_buf *dst, const char *s, int width, int pad);
/* 1 when `s` (length len) is valid UTF-8. */
int tn_utf8_valid(const char *s, size_t len);

/*
 * The string form of a field at a dotted path of `v` (borrowed) for a table
 * cell: strings as they are, numbers without ".0", null as "", others as JSON.
 * Returns a malloc'd string.
 */
char *tn_cell_text(jv v, const char *path);

#endif
