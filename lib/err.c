/* err.c — status codes, exit statuses and the error carrier. */
#include <stdio.h>
#include <string.h>

#include "tn_err.h"

static const struct {
	const char *msg;
	int status;
	int http;
} codes[] = {
#define TN_X_TABLE(name, status, http, msg) { msg, status, http },
	TN_CODES(TN_X_TABLE)
#undef TN_X_TABLE
};

const char *tn_code_str(enum tn_code code)
{
	if ((unsigned)code >= TN_CODE_COUNT)
		return "unknown error";
	return codes[code].msg;
}

int tn_exit_status(enum tn_code code)
{
	if ((unsigned)code >= TN_CODE_COUNT)
		return 1;
	return codes[code].status;
}

enum tn_code tn_code_from_status(int status)
{
	for (int i = 0; i < TN_CODE_COUNT; i++)
		if (codes[i].status == status)
			return (enum tn_code)i;
	return TN_EINTERNAL;
}

int tn_code_http_status(enum tn_code code)
{
	if ((unsigned)code >= TN_CODE_COUNT)
		return 500;
	return codes[code].http;
}

enum tn_code tn_code_from_http(long status)
{
	switch (status) {
	case 400: case 422: case 413: case 415:
		return TN_EINVALID;
	case 401: case 403:
		return TN_EAUTH;
	case 404:
		return TN_ENOTFOUND;
	case 409: case 412: case 428:
		return TN_ECONFLICT;
	case 410:
		return TN_ERESET;
	default:
		if (status >= 500)
			return TN_ESERVER;
		if (status >= 400)
			return TN_EINVALID;
		return TN_OK;
	}
}

enum tn_code tn_err_setv(struct tn_err *err, enum tn_code code, const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	err->field[0] = '\0';
	err->problems[0] = '\0';
	if (fmt)
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
	else
		snprintf(err->message, sizeof(err->message), "%s", tn_code_str(code));
	return code;
}

enum tn_code tn_err_set(struct tn_err *err, enum tn_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tn_err_setv(err, code, fmt, ap);
	va_end(ap);
	return code;
}

enum tn_code tn_err_field(struct tn_err *err, enum tn_code code, const char *field,
			  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tn_err_setv(err, code, fmt, ap);
	va_end(ap);
	if (err)
		snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	return code;
}

void tn_err_add_problem(struct tn_err *err, const char *field, const char *label,
			const char *detail)
{
	static const char more[] = "\xe2\x80\xa6\n";   /* "…" */
	size_t len, room;
	int n;

	if (!err)
		return;
	len = strlen(err->problems);
	if (len >= sizeof(more) - 1 && !strcmp(err->problems + len - (sizeof(more) - 1), more) &&
	    (len == sizeof(more) - 1 || err->problems[len - sizeof(more)] == '\n'))
		return;         /* full already: the last line is the mark */
	room = sizeof(err->problems) - len;
	if (label && *label)
		n = snprintf(err->problems + len, room, "%s (%s): %s\n", field ? field : "", label,
			     detail ? detail : "");
	else
		n = snprintf(err->problems + len, room, "%s: %s\n", field ? field : "",
			     detail ? detail : "");
	if (n >= 0 && (size_t)n < room && (size_t)n + sizeof(more) <= room)
		return;
	/* it does not fit: every line kept room for the mark, which ends the list */
	memcpy(err->problems + len, more, sizeof(more));
}

void tn_err_prefix(struct tn_err *err, const char *fmt, ...)
{
	char head[512], old[sizeof(err->message)];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, err->message, sizeof(old));
	snprintf(err->message, sizeof(err->message), "%s: %s", head, old);
}

void tn_err_clear(struct tn_err *err)
{
	if (!err)
		return;
	err->code = TN_OK;
	err->http_status = 0;
	err->message[0] = '\0';
	err->field[0] = '\0';
	err->problems[0] = '\0';
}
