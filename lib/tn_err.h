/* tn_err.h — twonet status codes, their exit statuses, and the error carrier. */
#ifndef TN_ERR_H
#define TN_ERR_H

#include <stdarg.h>

/*
 * The one list of status codes.  X(name, exit status, fixed message).
 * Never renumber or reuse a code: retired ones stay as placeholders.
 * The exit statuses are the shared ones of twonet(7).
 */
#define TN_CODES(X) \
	X(TN_OK,          0,   "ok") \
	X(TN_EPARTIAL,    1,   "some records failed") \
	X(TN_EUSAGE,      2,   "usage error") \
	X(TN_ENOTFOUND,   3,   "not found") \
	X(TN_EAUTH,       4,   "not authenticated or not allowed") \
	X(TN_ECONFLICT,   5,   "conflict") \
	X(TN_EUNREACHABLE, 6,  "server unreachable") \
	X(TN_EINVALID,    7,   "invalid input") \
	X(TN_ERESET,      8,   "resume position no longer held by the server") \
	X(TN_EINTR,       130, "interrupted") \
	X(TN_ESERVER,     1,   "server error") \
	X(TN_EIO,         1,   "input/output error") \
	X(TN_ENOMEM,      1,   "out of memory") \
	X(TN_EINTERNAL,   1,   "internal error")

enum tn_code {
#define TN_X_ENUM(name, status, msg) name,
	TN_CODES(TN_X_ENUM)
#undef TN_X_ENUM
	TN_CODE_COUNT
};

/*
 * Where an error happened: its code, the HTTP status when it came from a
 * response (0 otherwise), and a detailed message written where it happened
 * (lower case, no full stop, subject quoted: "cannot read config 'x': ...").
 */
struct tn_err {
	enum tn_code code;
	long http_status;
	char message[1024];
};

#define TN_ERR_INIT { TN_OK, 0, "" }

/* The fixed message of a code.  Cannot fail. */
const char *tn_code_str(enum tn_code code);

/* The process exit status of a code (twonet(7)).  Cannot fail. */
int tn_exit_status(enum tn_code code);

/* The code whose exit status is `status`'s most specific meaning. */
enum tn_code tn_code_from_status(int status);

/*
 * Fill `err` (which may be NULL) with `code` and a printf-style message;
 * returns `code` so that callers can write `return tn_err_set(err, ...)`.
 */
enum tn_code tn_err_set(struct tn_err *err, enum tn_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum tn_code tn_err_setv(struct tn_err *err, enum tn_code code, const char *fmt, va_list ap);

/* Prefix err->message with "prefix: " (printf-style).  Leaves code as is. */
void tn_err_prefix(struct tn_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reset `err` to TN_OK with an empty message. */
void tn_err_clear(struct tn_err *err);

#endif
