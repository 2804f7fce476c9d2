/* alertout.c — writing alert streams: NDJSON, coloured table lines or CAP 1.2, through --jq, flushed per alert or per block. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tn_alert.h"
#include "tn_json.h"
#include "tn_cap.h"
#include "tn_out.h"

enum tn_code tn_alert_writer_open(struct tn_alert_writer *w, FILE *fp, const char *format,
				  const char *jq, int no_color, struct tn_err *err)
{
	int tty = isatty(fileno(fp));
	const char *nc = getenv("NO_COLOR");

	memset(w, 0, sizeof(*w));
	w->fp = fp;
	if (!format || !strcmp(format, "auto"))
		w->format = tty ? TN_AFMT_TABLE : TN_AFMT_NDJSON;
	else if (!strcmp(format, "ndjson") || !strcmp(format, "json"))
		w->format = TN_AFMT_NDJSON;
	else if (!strcmp(format, "table"))
		w->format = TN_AFMT_TABLE;
	else if (!strcmp(format, "cap"))
		w->format = TN_AFMT_CAP;
	else
		return tn_err_set(err, TN_EUSAGE, "format '%s' is not one of ndjson, json, table, cap",
				  format);
	if (jq && !(w->jq = tn_jq_compile(jq, err)))
		return err ? err->code : TN_EUSAGE;
	w->color = tty && !no_color && !(nc && *nc) && w->format == TN_AFMT_TABLE;
	if (tty) {
		struct winsize ws;

		if (ioctl(fileno(fp), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
			w->width = ws.ws_col;
	}
	return TN_OK;
}

void tn_alert_writer_close(struct tn_alert_writer *w)
{
	if (w->jq)
		tn_jq_free(w->jq);
	w->jq = NULL;
}

/* A write or flush of fp failed: TN_EIO, EPIPE noted. */
static enum tn_code write_failed(struct tn_alert_writer *w, struct tn_err *err)
{
	if (errno == EPIPE)
		w->broken_pipe = 1;
	clearerr(w->fp);
	return tn_err_set(err, TN_EIO, "cannot write the output: %s", strerror(errno));
}

enum tn_code tn_alert_writer_flush(struct tn_alert_writer *w, struct tn_err *err)
{
	return fflush(w->fp) == EOF ? write_failed(w, err) : TN_OK;
}

enum tn_code tn_alert_writer_put(struct tn_alert_writer *w, const struct tn_buf *b,
				 struct tn_err *err)
{
	if (b->len && fwrite(b->buf, 1, b->len, w->fp) != b->len)
		return write_failed(w, err);
	return w->defer_flush ? TN_OK : tn_alert_writer_flush(w, err);
}

/* One record (borrowed) in the writer's format, appended to b. */
static enum tn_code format_one(struct tn_alert_writer *w, jv rec, struct tn_buf *b,
			       struct tn_err *err)
{
	if (jv_get_kind(rec) == JV_KIND_OBJECT && w->format == TN_AFMT_TABLE) {
		if (!w->header_done) {
			tn_alert_table_header(b, w->width);
			tn_buf_addch(b, '\n');
			w->header_done = 1;
		}
		tn_alert_format_row(b, rec, w->width, w->color);
		tn_buf_addch(b, '\n');
		return TN_OK;
	}
	if (jv_get_kind(rec) == JV_KIND_OBJECT && w->format == TN_AFMT_CAP)
		return tn_cap_write(b, rec, err);
	if (jv_get_kind(rec) == JV_KIND_STRING) {
		/* a string from --jq is written as it is (like jq -r, gh --jq) */
		tn_buf_adds(b, jv_string_value(rec));
		tn_buf_addch(b, '\n');
		return TN_OK;
	}
	{
		jv s = jv_dump_string(jv_copy(rec), 0);

		tn_buf_adds(b, jv_string_value(s));
		tn_buf_addch(b, '\n');
		jv_free(s);
	}
	return TN_OK;
}

enum tn_code tn_alert_writer_emit(struct tn_alert_writer *w, jv alert, long *written,
				  struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	enum tn_code rc = TN_OK;
	long n = 0;

	if (written)
		*written = 0;
	if (w->jq) {
		jv results = jv_invalid();
		int len;

		if ((rc = tn_jq_run(w->jq, alert, &results, err)) != TN_OK) {
			jv_free(results);
			return rc;
		}
		len = jv_is_valid(results) ? jv_array_length(jv_copy(results)) : 0;
		for (int i = 0; i < len && rc == TN_OK; i++) {
			jv r = jv_array_get(jv_copy(results), i);
			rc = format_one(w, r, &b, err);
			jv_free(r);
			n++;
		}
		jv_free(results);
	} else {
		rc = format_one(w, alert, &b, err);
		jv_free(alert);
		n = 1;
	}
	if (rc == TN_OK && b.len)
		rc = tn_alert_writer_put(w, &b, err);
	tn_buf_release(&b);
	if (rc == TN_OK && written)
		*written = n;
	return rc;
}

enum tn_code tn_alert_writer_emit_text(struct tn_alert_writer *w, const char *json, size_t len,
				       long *written, struct tn_err *err)
{
	size_t from, to;
	jv v;

	if (!w->jq && w->format == TN_AFMT_NDJSON && tn_json_verbatim(json, len, &from, &to)) {
		/* the stream's data is what parsing and dumping it would write: pass it on */
		struct tn_buf b = TN_BUF_INIT;
		enum tn_code rc;

		tn_buf_add(&b, json + from, to - from);
		tn_buf_addch(&b, '\n');
		rc = tn_alert_writer_put(w, &b, err);
		tn_buf_release(&b);
		if (written)
			*written = rc == TN_OK;
		return rc;
	}
	v = tn_json_parse(json, len);
	if (!jv_is_valid(v)) {
		jv msg = jv_invalid_get_msg(v);
		tn_err_set(err, TN_EINVALID, "an alert that is not JSON: %s",
			   jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "parse error");
		jv_free(msg);
		if (written)
			*written = 0;
		return TN_EINVALID;
	}
	return tn_alert_writer_emit(w, v, written, err);
}
