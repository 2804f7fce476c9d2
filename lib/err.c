/* err.c — status codes, exit statuses and the error carrier. */
#include <stdio.h>
#include <string.h>

#include "tn_err.h"

static const struct {
	const char *msg;
	int status;
} codes[] = {
#define TN_X_TABLE(name, status, msg) { msg, status },
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

enum tn_code tn_err_setv(struct tn_err *err, enum tn_code code, const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
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
}
