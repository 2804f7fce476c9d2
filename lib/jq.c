/* jq.c — --jq filters through libjq 1.6: compile once, run per record, errors as messages. */
#include <stdlib.h>
#include <string.h>
#include <jq.h>

#include "tn_buf.h"
#include "tn_out.h"

struct tn_jq {
	jq_state *jq;
	struct tn_buf msg;      /* messages jq reported through the error callback */
};

void tn_jq_error_append(struct tn_buf *b, jv msg, int one_line)
{
	static const char hint[] = " (Unix shell quoting issues?)";
	jv text = jq_format_error(msg);
	const char *s;

	if (jv_get_kind(text) != JV_KIND_STRING) {
		jv_free(text);
		return;
	}
	s = jv_string_value(text);
	if (!strncmp(s, "jq: error: ", 11))
		s += 11;
	else if (!strncmp(s, "jq: ", 4))
		s += 4;
	/* "1 compile error" adds nothing to the message before it */
	if (!strstr(s, "compile error")) {
		if (b->len)
			tn_buf_adds(b, "; ");
		for (; one_line && *s; s++) {
			if (!strncmp(s, hint, sizeof(hint) - 1))
				s += sizeof(hint) - 2;
			else if (*s == '\n')
				tn_buf_adds(b, b->len && b->buf[b->len - 1] == ':' ? " " : "");
			else
				tn_buf_addch(b, *s);
		}
		tn_buf_adds(b, s);
		tn_buf_rtrim(b);
	}
	jv_free(text);
}

/* jq's error callback: collect the message (which we own) instead of printing it. */
static void collect_error(void *data, jv msg)
{
	struct tn_jq *t = data;

	tn_jq_error_append(&t->msg, msg, 0);
}

struct tn_jq *tn_jq_compile(const char *program, struct tn_err *err)
{
	struct tn_jq *t;

	if (!program || !*program) {
		tn_err_set(err, TN_EUSAGE, "--jq: the expression is empty");
		return NULL;
	}
	t = tn_xcalloc(1, sizeof(*t));
	tn_buf_init(&t->msg);
	t->jq = jq_init();
	if (!t->jq) {
		free(t);
		tn_err_set(err, TN_ENOMEM, "--jq: cannot start jq");
		return NULL;
	}
	jq_set_error_cb(t->jq, collect_error, t);
	if (!jq_compile(t->jq, program)) {
		tn_err_set(err, TN_EUSAGE, "--jq: %s", t->msg.len ? t->msg.buf : "cannot compile the expression");
		tn_jq_free(t);
		return NULL;
	}
	tn_buf_reset(&t->msg);
	return t;
}

/* The text of an error value: strings as they are, anything else as JSON.  Consumes `v`. */
static void error_text(struct tn_buf *dst, jv v)
{
	if (jv_get_kind(v) == JV_KIND_STRING) {
		tn_buf_adds(dst, jv_string_value(v));
		jv_free(v);
	} else {
		jv s = jv_dump_string(v, 0);
		tn_buf_addf(dst, "%s (not a string)", jv_string_value(s));
		jv_free(s);
	}
}

enum tn_code tn_jq_run(struct tn_jq *t, jv input, jv *results, struct tn_err *err)
{
	struct tn_buf msg = TN_BUF_INIT;
	enum tn_code rc = TN_OK;
	jv r;

	if (jv_get_kind(*results) != JV_KIND_ARRAY) {
		jv_free(*results);
		*results = jv_array();
	}
	tn_buf_reset(&t->msg);
	jq_start(t->jq, input, 0);
	while (jv_is_valid(r = jq_next(t->jq)))
		*results = jv_array_append(*results, r);
	if (jq_halted(t->jq)) {
		/* halt / halt_error: an exit code and maybe a message */
		jv code = jq_get_exit_code(t->jq), m = jq_get_error_message(t->jq);
		int failed = jv_is_valid(code) && !(jv_get_kind(code) == JV_KIND_NUMBER &&
						    jv_number_value(code) == 0);

		if (failed || (jv_is_valid(m) && jv_get_kind(m) != JV_KIND_NULL)) {
			if (jv_is_valid(m) && jv_get_kind(m) != JV_KIND_NULL)
				error_text(&msg, jv_copy(m));
			else
				tn_buf_adds(&msg, "halted with an error");
			tn_buf_rtrim(&msg);
			rc = tn_err_set(err, TN_EINVALID, "--jq: %s", msg.buf);
		}
		jv_free(code);
		jv_free(m);
		jv_free(r);
	} else if (jv_invalid_has_msg(jv_copy(r))) {
		error_text(&msg, jv_invalid_get_msg(r));
		rc = tn_err_set(err, TN_EINVALID, "--jq: %s", msg.buf);
	} else {
		jv_free(r);
		if (t->msg.len)         /* reported through the callback only */
			rc = tn_err_set(err, TN_EINVALID, "--jq: %s", t->msg.buf);
	}
	tn_buf_release(&msg);
	return rc;
}

/* Free a compiled program; NULL is fine. */
void tn_jq_free(struct tn_jq *t)
{
	if (!t)
		return;
	jq_teardown(&t->jq);
	tn_buf_release(&t->msg);
	free(t);
}
