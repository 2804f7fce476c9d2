/* sse.c — incremental Server-Sent Events parsing after the WHATWG "event stream" rules. */
#include <string.h>

#include "tn_sse.h"

void tn_sse_init(struct tn_sse *p, tn_sse_fn fn, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->fn = fn;
	p->ctx = ctx;
	tn_buf_init(&p->line);
	tn_buf_init(&p->data);
	tn_buf_init(&p->type);
	tn_buf_init(&p->id);
	tn_buf_init(&p->last_id);
	p->retry_ms = -1;
}

void tn_sse_release(struct tn_sse *p)
{
	tn_buf_release(&p->line);
	tn_buf_release(&p->data);
	tn_buf_release(&p->type);
	tn_buf_release(&p->id);
	tn_buf_release(&p->last_id);
}

static void clear_block(struct tn_sse *p)
{
	tn_buf_reset(&p->data);
	tn_buf_reset(&p->type);
	p->has_data = 0;
	p->has_id = 0;
}

void tn_sse_reset(struct tn_sse *p)
{
	tn_buf_reset(&p->line);
	clear_block(p);
	p->last_cr = 0;
	p->started = 0;
	tn_buf_reset(&p->id);
	tn_buf_add(&p->id, p->last_id.buf, p->last_id.len);
}

const char *tn_sse_last_id(const struct tn_sse *p)
{
	return p->last_id.buf;
}

/* A blank line: dispatch the block. */
static int dispatch(struct tn_sse *p)
{
	struct tn_sse_event ev;
	int rc = 0;

	if (p->has_data || p->has_id) {
		tn_buf_reset(&p->last_id);
		tn_buf_add(&p->last_id, p->id.buf, p->id.len);
	}
	memset(&ev, 0, sizeof(ev));
	ev.id = p->id.buf;
	ev.has_id = p->has_id;
	ev.retry_ms = p->retry_ms;
	if (p->has_data) {
		/* the spec: remove the last LF of the data buffer */
		if (p->data.len && p->data.buf[p->data.len - 1] == '\n')
			tn_buf_setlen(&p->data, p->data.len - 1);
		ev.kind = TN_SSE_EVENT;
		ev.type = p->type.len ? p->type.buf : "message";
		ev.data = p->data.buf;
		ev.data_len = p->data.len;
		rc = p->fn(p->ctx, &ev);
	} else if (p->has_id) {
		ev.kind = TN_SSE_ID;
		rc = p->fn(p->ctx, &ev);
	}
	clear_block(p);
	return rc;
}

static int too_long(struct tn_err *err, const char *what)
{
	tn_err_set(err, TN_EINVALID, "event stream: %s is longer than %d bytes", what,
		   TN_SSE_MAX_EVENT);
	return -1;
}

static int all_digits(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* One complete line (without its end). */
static int process_line(struct tn_sse *p, const char *s, size_t n, struct tn_err *err)
{
	const char *colon, *val;
	size_t flen, vlen;

	if (n == 0)
		return dispatch(p);
	if (s[0] == ':') {
		struct tn_sse_event ev;
		struct tn_buf text = TN_BUF_INIT;
		int rc;

		memset(&ev, 0, sizeof(ev));
		ev.kind = TN_SSE_COMMENT;
		val = s + 1;
		vlen = n - 1;
		if (vlen && *val == ' ') {
			val++;
			vlen--;
		}
		tn_buf_add(&text, val, vlen);
		ev.data = text.buf;
		ev.data_len = text.len;
		ev.id = p->id.buf;
		ev.retry_ms = p->retry_ms;
		rc = p->fn(p->ctx, &ev);
		tn_buf_release(&text);
		return rc;
	}
	colon = memchr(s, ':', n);
	if (colon) {
		flen = (size_t)(colon - s);
		val = colon + 1;
		vlen = n - flen - 1;
		if (vlen && *val == ' ') {
			val++;
			vlen--;
		}
	} else {
		flen = n;
		val = "";
		vlen = 0;
	}
	if (flen == 4 && !memcmp(s, "data", 4)) {
		if (p->data.len + vlen + 1 > TN_SSE_MAX_EVENT)
			return too_long(err, "an event");
		tn_buf_add(&p->data, val, vlen);
		tn_buf_addch(&p->data, '\n');
		p->has_data = 1;
	} else if (flen == 5 && !memcmp(s, "event", 5)) {
		tn_buf_reset(&p->type);
		tn_buf_add(&p->type, val, vlen);
	} else if (flen == 2 && !memcmp(s, "id", 2)) {
		if (!memchr(val, '\0', vlen)) {
			tn_buf_reset(&p->id);
			tn_buf_add(&p->id, val, vlen);
			p->has_id = 1;
		}
	} else if (flen == 5 && !memcmp(s, "retry", 5)) {
		if (all_digits(val, vlen) && vlen < 10) {
			struct tn_sse_event ev;
			long ms = 0;

			for (size_t i = 0; i < vlen; i++)
				ms = ms * 10 + (val[i] - '0');
			p->retry_ms = ms;
			memset(&ev, 0, sizeof(ev));
			ev.kind = TN_SSE_RETRY;
			ev.retry_ms = ms;
			ev.id = p->id.buf;
			return p->fn(p->ctx, &ev);
		}
	}
	/* any other field is ignored */
	return 0;
}

int tn_sse_feed(struct tn_sse *p, const char *buf, size_t len, struct tn_err *err)
{
	size_t i = 0;
	int rc;

	if (!p->started && len) {
		/* a BOM may arrive split over chunks: wait for three bytes of line */
		static const char bom[] = "\xEF\xBB\xBF";
		size_t have = p->line.len;

		while (i < len && have < 3 && (unsigned char)buf[i] == (unsigned char)bom[have]) {
			tn_buf_addch(&p->line, buf[i]);
			i++;
			have++;
		}
		if (have == 3) {
			tn_buf_reset(&p->line);
			p->started = 1;
		} else if (i < len) {
			p->started = 1;   /* not a BOM: the bytes held are line text */
		} else {
			return 0;         /* still could be a BOM */
		}
	}
	while (i < len) {
		const char *s = buf + i;
		size_t rest = len - i, k;

		if (p->last_cr) {
			p->last_cr = 0;
			if (*s == '\n') {
				i++;
				continue;
			}
		}
		for (k = 0; k < rest && s[k] != '\n' && s[k] != '\r'; k++)
			;
		if (k == rest) {
			if (p->line.len + rest > TN_SSE_MAX_EVENT)
				return too_long(err, "a line");
			tn_buf_add(&p->line, s, rest);
			return 0;
		}
		if (s[k] == '\r')
			p->last_cr = 1;
		if (p->line.len) {
			if (p->line.len + k > TN_SSE_MAX_EVENT)
				return too_long(err, "a line");
			tn_buf_add(&p->line, s, k);
			rc = process_line(p, p->line.buf, p->line.len, err);
			tn_buf_reset(&p->line);
		} else {
			rc = process_line(p, s, k, err);
		}
		i += k + 1;
		if (rc)
			return rc;
	}
	return 0;
}
