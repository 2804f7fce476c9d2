/* out.c — output of records as json, ndjson, table, csv or tsv, through --jq and --fields. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tn_out.h"

static const char *const format_names[] = {
	[TN_FMT_AUTO] = "auto", [TN_FMT_JSON] = "json", [TN_FMT_NDJSON] = "ndjson",
	[TN_FMT_TABLE] = "table", [TN_FMT_CSV] = "csv", [TN_FMT_TSV] = "tsv",
};

int tn_format_parse(const char *name)
{
	if (!name)
		return TN_FMT_AUTO;
	for (int i = TN_FMT_JSON; i <= TN_FMT_TSV; i++)
		if (!strcmp(name, format_names[i]))
			return i;
	return -1;
}

/* Split "a, b.c" into a NULL-terminated array; NULL and an error for an empty name. */
static char **split_fields(const char *spec, struct tn_err *err)
{
	char **v;
	size_t n = 1, k = 0;
	const char *p, *start;

	for (p = spec; *p; p++)
		n += *p == ',';
	v = tn_xcalloc(n + 1, sizeof(*v));
	for (start = p = spec;; p++) {
		if (*p == ',' || *p == '\0') {
			const char *a = start, *b = p;

			while (a < b && isspace((unsigned char)*a))
				a++;
			while (b > a && isspace((unsigned char)b[-1]))
				b--;
			if (a == b || *a == '.' || b[-1] == '.') {
				for (size_t i = 0; i < k; i++)
					free(v[i]);
				free(v);
				tn_err_set(err, TN_EUSAGE, "--fields '%s': empty field name", spec);
				return NULL;
			}
			v[k++] = tn_xstrndup(a, (size_t)(b - a));
			if (*p == '\0')
				break;
			start = p + 1;
		}
	}
	return v;
}

static void free_fields(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

enum tn_code tn_out_open(struct tn_out *out, FILE *fp, const struct tn_common *common,
			 int is_list, const char **default_columns, struct tn_err *err)
{
	const char *nc = getenv("NO_COLOR");
	int fmt = tn_format_parse(common ? common->format : NULL);

	memset(out, 0, sizeof(*out));
	out->rows = jv_invalid();
	out->keys = jv_invalid();
	if (fmt < 0)
		return tn_err_set(err, TN_EUSAGE,
				  "unknown format '%s' (json, ndjson, table, csv, tsv)", common->format);
	out->fp = fp;
	out->is_list = is_list;
	out->tty = isatty(fileno(fp));
	out->default_columns = default_columns;
	if (fmt == TN_FMT_AUTO)
		fmt = out->tty ? TN_FMT_TABLE : is_list ? TN_FMT_NDJSON : TN_FMT_JSON;
	out->format = (enum tn_format)fmt;
	/* --jq without --format prints jq's outputs as JSON lines, strings raw (as gh does) */
	out->raw_jq = common && common->jq && !common->format;
	if (common && common->fields && !(out->fields = split_fields(common->fields, err)))
		return TN_EUSAGE;
	if (common && common->jq && !(out->jq = tn_jq_compile(common->jq, err))) {
		free_fields(out->fields);
		out->fields = NULL;
		return TN_EUSAGE;
	}
	out->color = out->tty && out->format == TN_FMT_TABLE && !out->raw_jq &&
		     !(common && common->no_color) && !(nc && *nc);
	return TN_OK;
}

/* Split a dotted path into a jv path array: numeric parts index arrays. */
static jv path_of(const char *path)
{
	jv p = jv_array();
	const char *s = path, *dot;

	while (s && *s) {
		long idx;
		char *part;

		dot = strchr(s, '.');
		part = dot ? tn_xstrndup(s, (size_t)(dot - s)) : tn_xstrdup(s);
		if (tn_parse_long(part, &idx) == 0 && idx >= 0)
			p = jv_array_append(p, jv_number((double)idx));
		else
			p = jv_array_append(p, jv_string(part));
		free(part);
		s = dot ? dot + 1 : NULL;
	}
	return p;
}

/* The value at a dotted path of `v` (borrowed); null when absent. */
static jv get_path(jv v, const char *path)
{
	jv cur = jv_copy(v), p;

	if (!path || !*path)
		return cur;
	p = path_of(path);
	jv_array_foreach(p, i, key) {
		jv_kind kind = jv_get_kind(cur), kk = jv_get_kind(key);

		if ((kind == JV_KIND_OBJECT && kk == JV_KIND_STRING) ||
		    (kind == JV_KIND_ARRAY && kk == JV_KIND_NUMBER)) {
			cur = kind == JV_KIND_OBJECT ? jv_object_get(cur, key) : jv_array_get(cur, (int)jv_number_value(key));
			if (!jv_is_valid(cur)) {
				jv_free(cur);
				cur = jv_null();
			}
		} else if (kind == JV_KIND_OBJECT && kk == JV_KIND_NUMBER) {
			/* a numeric key of an object: "items.0" where items is {"0": ...} */
			jv k = jv_dump_string(key, 0);
			cur = jv_object_get(cur, k);
			if (!jv_is_valid(cur)) {
				jv_free(cur);
				cur = jv_null();
			}
		} else {
			jv_free(key);
			jv_free(cur);
			cur = jv_null();
		}
	}
	jv_free(p);
	return cur;
}

/* A number as a person writes it: 3 not 3.0, 0.1 not 0.10000000000000001. */
static void add_number(struct tn_buf *b, double d)
{
	char tmp[64];

	if (isnan(d)) {
		tn_buf_adds(b, "null");
		return;
	}
	if (isinf(d)) {
		tn_buf_adds(b, d > 0 ? "1.7976931348623157e+308" : "-1.7976931348623157e+308");
		return;
	}
	if (d == floor(d) && fabs(d) < 1e17) {
		snprintf(tmp, sizeof(tmp), "%.0f", d);
	} else {
		snprintf(tmp, sizeof(tmp), "%.15g", d);
		if (strtod(tmp, NULL) != d)
			snprintf(tmp, sizeof(tmp), "%.17g", d);
	}
	tn_buf_adds(b, strcmp(tmp, "-0") ? tmp : "0");
}

char *tn_cell_text(jv v, const char *path)
{
	struct tn_buf b = TN_BUF_INIT;
	jv x = get_path(v, path), s;

	switch (jv_get_kind(x)) {
	case JV_KIND_STRING:
		tn_buf_adds(&b, jv_string_value(x));
		break;
	case JV_KIND_NUMBER:
		add_number(&b, jv_number_value(x));
		break;
	case JV_KIND_NULL:
	case JV_KIND_INVALID:
		break;
	case JV_KIND_TRUE:
		tn_buf_adds(&b, "true");
		break;
	case JV_KIND_FALSE:
		tn_buf_adds(&b, "false");
		break;
	default:
		s = jv_dump_string(jv_copy(x), 0);
		tn_buf_adds(&b, jv_string_value(s));
		jv_free(s);
		break;
	}
	jv_free(x);
	return tn_buf_detach(&b, NULL);
}

/* ---- marks ---- */

const struct tn_mark tn_mark_provisional[] = {
	{ "deadline", "deadline_provisional", "*",
	  "provisional: " TN_PROVISIONAL_NOTE },
	{ "legal_deadline", "legal_deadline_provisional", "*",
	  "provisional: " TN_PROVISIONAL_NOTE },
	{ NULL, NULL, NULL, NULL }
};

#define MAX_MARKS 32

int tn_mark_applies(jv rec, const struct tn_mark *m)
{
	jv flag, cell;
	int yes;

	if (jv_get_kind(rec) != JV_KIND_OBJECT || !m->column || !m->flag)
		return 0;
	flag = get_path(rec, m->flag);
	yes = jv_get_kind(flag) == JV_KIND_TRUE;
	jv_free(flag);
	if (!yes)
		return 0;
	cell = get_path(rec, m->column);
	yes = jv_get_kind(cell) == JV_KIND_STRING;
	jv_free(cell);
	return yes;
}

jv tn_mark_record(jv rec, const struct tn_mark *marks, unsigned *used)
{
	for (int i = 0; marks && marks[i].column && i < MAX_MARKS; i++) {
		struct tn_buf b = TN_BUF_INIT;
		jv cell;

		if (!tn_mark_applies(rec, &marks[i]))
			continue;
		cell = get_path(rec, marks[i].column);
		tn_buf_adds(&b, jv_string_value(cell));
		tn_buf_adds(&b, marks[i].sign ? marks[i].sign : "");
		jv_free(cell);
		rec = jv_setpath(rec, path_of(marks[i].column), jv_string(b.buf));
		tn_buf_release(&b);
		if (used)
			*used |= 1u << i;
	}
	return rec;
}

void tn_mark_notes(struct tn_buf *b, const struct tn_mark *marks, unsigned used)
{
	for (int i = 0; marks && marks[i].column && i < MAX_MARKS; i++) {
		int seen = 0;

		if (!(used & (1u << i)) || !marks[i].note)
			continue;
		for (int j = 0; j < i && !seen; j++)
			seen = (used & (1u << j)) && marks[j].note &&
			       !strcmp(marks[j].note, marks[i].note) &&
			       !strcmp(marks[j].sign ? marks[j].sign : "", marks[i].sign ? marks[i].sign : "");
		if (!seen)
			tn_buf_addf(b, "%s %s\n", marks[i].sign ? marks[i].sign : "", marks[i].note);
	}
}

void tn_out_mark(struct tn_out *out, const struct tn_mark *marks)
{
	out->marks = marks;
	out->marks_used = 0;
}

/* The text of a table cell: tn_cell_text, and the sign of the first mark of that column that applies. */
static char *table_cell(struct tn_out *out, jv row, const char *col)
{
	char *c = tn_cell_text(row, col);

	for (int i = 0; out->marks && out->marks[i].column && i < MAX_MARKS; i++) {
		struct tn_buf b = TN_BUF_INIT;

		if (strcmp(out->marks[i].column, col) != 0 || !tn_mark_applies(row, &out->marks[i]))
			continue;
		tn_buf_adds(&b, c);
		tn_buf_adds(&b, out->marks[i].sign ? out->marks[i].sign : "");
		free(c);
		out->marks_used |= 1u << i;
		return tn_buf_detach(&b, NULL);
	}
	return c;
}

/* Write `len` bytes; on EPIPE mark the output broken and stay quiet.  flush: fflush too. */
static enum tn_code put(struct tn_out *out, const char *s, size_t len, int flush,
			struct tn_err *err)
{
	if (out->broken_pipe)
		return TN_OK;
	if ((len && fwrite(s, 1, len, out->fp) != len) || (flush && fflush(out->fp) != 0)) {
		if (errno == EPIPE) {
			out->broken_pipe = 1;
			return TN_OK;
		}
		return tn_err_set(err, TN_EIO, "cannot write output: %s", strerror(errno));
	}
	return TN_OK;
}

/* The columns: --fields, else the command's defaults, else the keys of `first`.  Caller frees the array. */
static const char **columns_for(struct tn_out *out, jv first, int *ncols)
{
	const char **cols;
	int n = 0;

	if (out->fields || out->default_columns) {
		const char *const *src = out->fields ? (const char *const *)out->fields :
						       out->default_columns;
		while (src[n])
			n++;
		cols = tn_xcalloc((size_t)n + 1, sizeof(*cols));
		for (int i = 0; i < n; i++)
			cols[i] = src[i];
	} else if (jv_get_kind(first) == JV_KIND_OBJECT) {
		/* keys of the first record, in its order; the strings live in out->keys */
		jv keys = jv_array();

		jv_object_foreach(first, k, v) {        /* the macro borrows `first` */
			keys = jv_array_append(keys, k);
			jv_free(v);
		}
		n = jv_array_length(jv_copy(keys));
		jv_free(out->keys);
		out->keys = keys;
		cols = tn_xcalloc((size_t)n + 1, sizeof(*cols));
		for (int i = 0; i < n; i++) {
			jv k = jv_array_get(jv_copy(out->keys), i);

			cols[i] = jv_string_value(k);   /* kept alive by out->keys */
			jv_free(k);
		}
	} else {
		n = 1;
		cols = tn_xcalloc(2, sizeof(*cols));
		cols[0] = "";
	}
	*ncols = n;
	return cols;
}

/* --fields on a JSON record: an object of just those paths (non-objects pass unchanged). */
static jv project(struct tn_out *out, jv rec)
{
	jv res;

	if (!out->fields || jv_get_kind(rec) != JV_KIND_OBJECT)
		return rec;
	res = jv_object();
	for (char **f = out->fields; *f; f++)
		res = jv_setpath(res, path_of(*f), get_path(rec, *f));
	jv_free(rec);
	return res;
}

/* CSV (RFC 4180): quote a cell holding a comma, quote, CR or LF; double the quotes. */
static void add_csv_cell(struct tn_buf *b, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		tn_buf_adds(b, s);
		return;
	}
	tn_buf_addch(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			tn_buf_addch(b, '"');
		tn_buf_addch(b, *s);
	}
	tn_buf_addch(b, '"');
}

/* TSV: tab, newline, carriage return and backslash escaped as \t \n \r \\. */
static void add_tsv_cell(struct tn_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\t': tn_buf_adds(b, "\\t"); break;
		case '\n': tn_buf_adds(b, "\\n"); break;
		case '\r': tn_buf_adds(b, "\\r"); break;
		case '\\': tn_buf_adds(b, "\\\\"); break;
		default: tn_buf_addch(b, *s); break;
		}
	}
}

static void add_delimited_row(struct tn_out *out, struct tn_buf *b, jv rec, int header)
{
	for (int i = 0; i < out->ncols; i++) {
		char *cell = header ? tn_xstrdup(out->cols[i][0] ? out->cols[i] : "value") :
				      tn_cell_text(rec, out->cols[i]);

		if (i)
			tn_buf_addch(b, out->format == TN_FMT_CSV ? ',' : '\t');
		if (out->format == TN_FMT_CSV)
			add_csv_cell(b, cell);
		else
			add_tsv_cell(b, cell);
		free(cell);
	}
	tn_buf_addch(b, '\n');
}

/* Indent every line after the first by two spaces (JSON strings never hold a raw newline). */
static void add_indented(struct tn_buf *b, const char *s)
{
	for (; *s; s++) {
		tn_buf_addch(b, *s);
		if (*s == '\n')
			tn_buf_adds(b, "  ");
	}
}

/* Write one record (after jq) in the stream formats, or buffer it for the table. */
static enum tn_code write_record(struct tn_out *out, jv rec, struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	enum tn_code rc = TN_OK;
	jv s;

	if (out->raw_jq) {
		rec = project(out, rec);
		if (jv_get_kind(rec) == JV_KIND_STRING) {
			tn_buf_adds(&b, jv_string_value(rec));
			jv_free(rec);
		} else {
			tn_json_dump(rec, &b);
			jv_free(rec);
		}
		tn_buf_addch(&b, '\n');
		rc = put(out, b.buf, b.len, 1, err);
		goto done;
	}
	switch (out->format) {
	case TN_FMT_JSON:
		s = jv_dump_string(project(out, rec), JV_PRINT_INDENT_FLAGS(2));
		if (out->is_list) {
			tn_buf_adds(&b, out->count ? ",\n  " : "[\n  ");
			add_indented(&b, jv_string_value(s));
		} else {
			tn_buf_adds(&b, jv_string_value(s));
			tn_buf_addch(&b, '\n');
		}
		jv_free(s);
		rc = put(out, b.buf, b.len, 0, err);
		break;
	case TN_FMT_NDJSON:
		rec = project(out, rec);
		tn_json_dump(rec, &b);          /* jv_dump_string's bytes, faster */
		jv_free(rec);
		tn_buf_addch(&b, '\n');
		rc = put(out, b.buf, b.len, 1, err);
		break;
	case TN_FMT_CSV:
	case TN_FMT_TSV:
		if (!out->cols) {
			out->cols = columns_for(out, rec, &out->ncols);
			add_delimited_row(out, &b, rec, 1);
		}
		add_delimited_row(out, &b, rec, 0);
		jv_free(rec);
		rc = put(out, b.buf, b.len, 0, err);
		break;
	case TN_FMT_TABLE:
	default:
		if (!jv_is_valid(out->rows))
			out->rows = jv_array();
		out->rows = jv_array_append(out->rows, rec);
		break;
	}
done:
	out->count++;
	tn_buf_release(&b);
	return rc;
}

enum tn_code tn_out_emit(struct tn_out *out, jv record, struct tn_err *err)
{
	enum tn_code rc = TN_OK, wrc;
	jv results;

	if (out->broken_pipe) {
		jv_free(record);
		return TN_OK;
	}
	if (!out->jq)
		return write_record(out, record, err);
	results = jv_array();
	rc = tn_jq_run(out->jq, record, &results, err);
	jv_array_foreach(results, i, r) {
		if ((wrc = write_record(out, r, err)) != TN_OK && rc == TN_OK)
			rc = wrc;
	}
	jv_free(results);
	return rc;
}

int tn_out_takes_text(const struct tn_out *out)
{
	return out->format == TN_FMT_NDJSON && !out->jq && !out->raw_jq && !out->fields;
}

enum tn_code tn_out_emit_text(struct tn_out *out, const char *json, size_t len, struct tn_err *err)
{
	enum tn_code rc;

	if (out->broken_pipe)
		return TN_OK;
	if ((rc = put(out, json, len, 0, err)) == TN_OK)
		rc = put(out, "\n", 1, 1, err);
	out->count++;
	return rc;
}

/* Terminal width: $COLUMNS, else the terminal's, else 0 (no limit). */
static int term_width(struct tn_out *out)
{
	const char *c = getenv("COLUMNS");
	struct winsize ws;
	long v;

	if (c && tn_parse_long(c, &v) == 0 && v > 0 && v < 100000)
		return (int)v;
	if (out->tty && ioctl(fileno(out->fp), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

/* Render the buffered rows: upper-case header, columns sized by display width. */
static enum tn_code write_table(struct tn_out *out, struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	enum tn_code rc = TN_OK;
	int nrows, *width, total, limit, i;
	char **cells;

	if (!jv_is_valid(out->rows))
		return TN_OK;
	nrows = jv_array_length(jv_copy(out->rows));
	if (nrows == 0)
		return TN_OK;
	{
		jv first = jv_array_get(jv_copy(out->rows), 0);
		out->cols = columns_for(out, first, &out->ncols);
		jv_free(first);
	}
	/* cells[0..ncols) is the header */
	cells = tn_xcalloc((size_t)(nrows + 1) * (size_t)out->ncols, sizeof(*cells));
	width = tn_xcalloc((size_t)out->ncols, sizeof(*width));
	for (i = 0; i < out->ncols; i++) {
		struct tn_buf h = TN_BUF_INIT;

		for (const char *p = out->cols[i][0] ? out->cols[i] : "value"; *p; p++)
			tn_buf_addch(&h, toupper((unsigned char)*p));
		cells[i] = tn_buf_detach(&h, NULL);
		width[i] = tn_display_width(cells[i]);
	}
	jv_array_foreach(out->rows, r, row) {
		for (i = 0; i < out->ncols; i++) {
			char *c = table_cell(out, row, out->cols[i]);
			int w = tn_display_width(c);

			cells[(size_t)(r + 1) * (size_t)out->ncols + (size_t)i] = c;
			if (w > width[i])
				width[i] = w;
		}
		jv_free(row);
	}
	/* shrink the widest column until the table fits the terminal */
	limit = term_width(out);
	total = 2 * (out->ncols - 1);
	for (i = 0; i < out->ncols; i++)
		total += width[i];
	while (limit > 0 && total > limit) {
		int widest = 0;

		for (i = 1; i < out->ncols; i++)
			if (width[i] > width[widest])
				widest = i;
		if (width[widest] <= 4)
			break;
		width[widest]--;
		total--;
	}
	for (int r = 0; r <= nrows && rc == TN_OK && !out->broken_pipe; r++) {
		tn_buf_reset(&b);
		for (i = 0; i < out->ncols; i++) {
			int last = i == out->ncols - 1;

			if (i)
				tn_buf_adds(&b, "  ");
			if (r == 0 && out->color)
				tn_buf_adds(&b, "\033[1m");
			tn_fit_width(&b, cells[(size_t)r * (size_t)out->ncols + (size_t)i], width[i],
				     !last);
			if (r == 0 && out->color)
				tn_buf_adds(&b, "\033[0m");
		}
		tn_buf_rtrim(&b);
		tn_buf_addch(&b, '\n');
		rc = put(out, b.buf, b.len, 0, err);
	}
	if (rc == TN_OK && out->marks_used) {
		tn_buf_reset(&b);
		tn_mark_notes(&b, out->marks, out->marks_used);
		rc = put(out, b.buf, b.len, 0, err);
	}
	for (size_t k = 0; k < (size_t)(nrows + 1) * (size_t)out->ncols; k++)
		free(cells[k]);
	free(cells);
	free(width);
	tn_buf_release(&b);
	return rc;
}

enum tn_code tn_out_close(struct tn_out *out, struct tn_err *err)
{
	enum tn_code rc = TN_OK;

	if (!out->raw_jq && out->format == TN_FMT_TABLE)
		rc = write_table(out, err);
	else if (!out->raw_jq && out->format == TN_FMT_JSON && out->is_list)
		rc = put(out, out->count ? "\n]\n" : "[]\n", 3, 0, err);
	if (rc == TN_OK && out->fp)
		rc = put(out, "", 0, 1, err);
	jv_free(out->rows);
	out->rows = jv_invalid();
	jv_free(out->keys);
	out->keys = jv_invalid();
	free(out->cols);
	out->cols = NULL;
	free_fields(out->fields);
	out->fields = NULL;
	tn_jq_free(out->jq);
	out->jq = NULL;
	return rc;
}
