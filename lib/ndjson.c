/* ndjson.c — line-oriented input in constant memory: NDJSON records and plain lines. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <jv.h>

#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_ndjson.h"
#include "tn_json.h"
#include "tn_out.h"
#include "tn_text.h"

void tn_ndjson_init(struct tn_ndjson *r, FILE *fp, const char *name)
{
	r->fp = fp;
	r->name = name ? name : "stdin";
	r->line = 0;
	tn_buf_init(&r->buf);
	r->eof = 0;
}

void tn_ndjson_release(struct tn_ndjson *r)
{
	tn_buf_release(&r->buf);
}

int tn_ndjson_ready(struct tn_ndjson *r)
{
	struct pollfd p = { fileno(r->fp), POLLIN, 0 };

	if (r->eof || feof(r->fp))
		return 1;
#ifdef __GLIBC__
	if (r->fp->_IO_read_ptr < r->fp->_IO_read_end)  /* read ahead, in the FILE's buffer */
		return 1;
#endif
	return p.fd < 0 || poll(&p, 1, 0) != 0;
}

/* Read one physical line into r->buf; 1 read, 0 end of input; *too_long set when cut. */
static int read_line(struct tn_ndjson *r, int *too_long)
{
	int c;

	tn_buf_reset(&r->buf);
	*too_long = 0;
	if (r->eof)
		return 0;
	while ((c = getc_unlocked(r->fp)) != EOF) {
		if (c == '\n')
			break;
		if (r->buf.len < TN_NDJSON_MAX_LINE)
			tn_buf_addch(&r->buf, c);
		else
			*too_long = 1;
	}
	if (c == EOF) {
		r->eof = 1;
		if (r->buf.len == 0 && !*too_long)
			return 0;
	}
	r->line++;
	return 1;
}

static int blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

int tn_ndjson_next_line(struct tn_ndjson *r, const char **line, struct tn_err *err)
{
	int too_long;

	for (;;) {
		if (!read_line(r, &too_long)) {
			if (ferror(r->fp)) {
				clearerr(r->fp);
				tn_err_set(err, TN_EIO, "%s:%ld: cannot read: %s", r->name,
					   r->line + 1, strerror(errno));
				return -1;
			}
			return 0;
		}
		if (too_long)
			return tn_err_set(err, TN_EINVALID, "%s:%ld: line longer than %d bytes",
					  r->name, r->line, TN_NDJSON_MAX_LINE), -1;
		/* trim */
		size_t start = 0, end = r->buf.len;
		while (start < end && blank((unsigned char)r->buf.buf[start]))
			start++;
		while (end > start && blank((unsigned char)r->buf.buf[end - 1]))
			end--;
		if (start == end)
			continue;
		if (!tn_utf8_valid(r->buf.buf + start, end - start))
			return tn_err_set(err, TN_EINVALID, "%s:%ld: not valid UTF-8",
					  r->name, r->line), -1;
		r->buf.buf[end] = '\0';
		*line = r->buf.buf + start;
		return 1;
	}
}

int tn_ndjson_next(struct tn_ndjson *r, jv *out, struct tn_err *err)
{
	const char *line;
	int rc = tn_ndjson_next_line(r, &line, err);

	if (rc <= 0)
		return rc;
	jv v = tn_json_parse(line, strlen(line));
	if (!jv_is_valid(v)) {
		jv msg = jv_invalid_get_msg(v);
		tn_err_set(err, TN_EINVALID, "%s:%ld: %s", r->name, r->line,
			   jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg)
							      : "not valid JSON");
		jv_free(msg);
		return -1;
	}
	*out = v;
	return 1;
}

long long tn_ndjson_number_id(const char *line, const char *what, jv *obj, struct tn_err *err)
{
	long long id;
	jv v;

	if (obj)
		*obj = jv_invalid();
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line != '{') {
		char buf[32];
		size_t n = strcspn(line, " \t\r\n");
		long v2;

		snprintf(buf, sizeof(buf), "%.*s", (int)(n < sizeof(buf) ? n : sizeof(buf) - 1), line);
		if (n >= sizeof(buf) || tn_parse_long(buf, &v2) != 0 || v2 < 1) {
			tn_err_set(err, TN_EINVALID, "'%s' is not %s %s id", buf,
				   *what == 'a' ? "an" : "a", what);
			return -1;
		}
		return v2;
	}
	v = jv_parse(line);
	if (jv_get_kind(v) != JV_KIND_OBJECT || (id = tn_alert_ll(v, "id")) < 1) {
		tn_err_set(err, TN_EINVALID, "no %s \"id\" in the line", what);
		jv_free(v);
		return -1;
	}
	if (obj)
		*obj = v;
	else
		jv_free(v);
	return id;
}
