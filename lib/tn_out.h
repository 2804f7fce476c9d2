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
	const struct tn_mark *marks; /* tn_out_mark */
	unsigned marks_used;    /* bit i: marks[i] was put on a cell */
};

/*
 * A mark on table cells, the way a printed table flags a figure: the cell
 * of column `column` gets `sign` appended when the record's `flag` (a dotted
 * path) is true, and the line "SIGN NOTE" goes under the table when any
 * cell got it.  Only a table is marked; the other formats carry the flag
 * as data.  A list of marks ends with an entry whose column is NULL; at most
 * 32 marks.
 */
struct tn_mark {
	const char *column;     /* "deadline" */
	const char *flag;       /* "deadline_provisional" */
	const char *sign;       /* "*" */
	const char *note;       /* the footnote, after the sign */
};

/* What a provisional deadline is, in the words of every note about one. */
#define TN_PROVISIONAL_NOTE \
	"counted Monday to Friday through a year the working-day calendar does not know yet"

/*
 * The marks of deadlines counted so: "deadline" (when deadline_provisional)
 * and "legal_deadline" (when legal_deadline_provisional) get "*", and the
 * note "* provisional: " TN_PROVISIONAL_NOTE.
 */
extern const struct tn_mark tn_mark_provisional[];

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

/*
 * 1 when each record of `out` is written as its compact JSON (tn_json_dump)
 * and a line end, nothing else: ndjson without --jq or --fields.  Such an
 * output can take a record as text with tn_out_emit_text.
 */
int tn_out_takes_text(const struct tn_out *out);

/*
 * Write one record given as JSON text, `len` bytes at `json` (borrowed; what
 * tn_json_dump writes, as tn_json_verbatim checks), and a line end: the bytes
 * tn_out_emit writes for the parsed record.  Only when tn_out_takes_text.
 */
enum tn_code tn_out_emit_text(struct tn_out *out, const char *json, size_t len,
			      struct tn_err *err);

/*
 * Finish: write buffered rows (table, json array) and the notes of the marks
 * put on them, flush, free everything.
 */
enum tn_code tn_out_close(struct tn_out *out, struct tn_err *err);

/* Mark a table's cells with `marks` (borrowed; NULL for none).  Cannot fail. */
void tn_out_mark(struct tn_out *out, const struct tn_mark *marks);

/*
 * For views that show a record without a tn_out (case-show's text, casedesk):
 * `rec` (consumed) with the string at each marked column followed by its
 * sign; *used (may be NULL) gets bit i set for each marks[i] put on.
 * Returns the record; a record that is not an object comes back unchanged.
 */
jv tn_mark_record(jv rec, const struct tn_mark *marks, unsigned *used);
/* 1 when mark `m` applies to `rec` (borrowed): its flag is true and its column a string. */
int tn_mark_applies(jv rec, const struct tn_mark *m);
/*
 * Append the note line ("SIGN NOTE\n") of each mark in `used` to `b`, a
 * note shared by several marks once.  Cannot fail.
 */
struct tn_buf;
void tn_mark_notes(struct tn_buf *b, const struct tn_mark *marks, unsigned used);

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
/*
 * Append the message of one of jq's error callback values (`msg`, consumed)
 * to `b`: without jq's "jq: error: " prefix, after "; " when `b` holds one
 * already, nothing for jq's "N compile errors" summary.  `one_line`: its
 * line ends joined and jq's "(Unix shell quoting issues?)" left out, for a
 * message that is not about a shell's command line (a rules file's).
 */
struct tn_buf;
void tn_jq_error_append(struct tn_buf *b, jv msg, int one_line);

/* Display width of UTF-8 text in terminal columns (CJK wide = 2).  Invalid bytes count 1. */
int tn_display_width(const char *s);
/*
 * Append to `dst` at most `width` columns of `s`, never cutting a character;
 * pads with spaces to exactly `width` when `pad`.  When cut, the last column is "…".
 */
void tn_fit_width(struct tn_buf *dst, const char *s, int width, int pad);

/*
 * The string form of a field at a dotted path of `v` (borrowed) for a table
 * cell: strings as they are, numbers without ".0", null as "", others as JSON.
 * Returns a malloc'd string.
 */
char *tn_cell_text(jv v, const char *path);

#endif
