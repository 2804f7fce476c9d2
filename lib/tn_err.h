/* tn_err.h — twonet status codes, their exit statuses, and the error carrier. */
#ifndef TN_ERR_H
#define TN_ERR_H

#include <stdarg.h>

/*
 * The one list of status codes.  X(name, exit status, HTTP status, fixed
 * message).  Never renumber or reuse a code: retired ones stay as
 * placeholders.  The exit statuses are the shared ones of twonet(7); the
 * HTTP status is the one twonetd answers a failure of that code with (a
 * code the server never answers with has the status its meaning would).
 */
#define TN_CODES(X) \
	X(TN_OK,          0,   200, "ok") \
	X(TN_EPARTIAL,    1,   500, "some records failed") \
	X(TN_EUSAGE,      2,   400, "usage error") \
	X(TN_ENOTFOUND,   3,   404, "not found") \
	X(TN_EAUTH,       4,   403, "not authenticated or not allowed") \
	X(TN_ECONFLICT,   5,   409, "conflict") \
	X(TN_EUNREACHABLE, 6,  502, "server unreachable") \
	X(TN_EINVALID,    7,   422, "invalid input") \
	X(TN_ERESET,      8,   410, "resume position no longer held by the server") \
	X(TN_EINTR,       130, 500, "interrupted") \
	X(TN_ESERVER,     1,   503, "server error") \
	X(TN_EIO,         1,   500, "input/output error") \
	X(TN_ENOMEM,      1,   500, "out of memory") \
	X(TN_EINTERNAL,   1,   500, "internal error")

enum tn_code {
#define TN_X_ENUM(name, status, http, msg) name,
	TN_CODES(TN_X_ENUM)
#undef TN_X_ENUM
	TN_CODE_COUNT
};

/*
 * Where an error happened: its code, the HTTP status when it came from a
 * response (0 otherwise), a detailed message written where it happened
 * (lower case, no full stop, subject quoted: "cannot read config 'x': ..."),
 * and the input member at fault when there is one: its dotted path, as a
 * problem+json "field" names it ("applicant.id", "materials[2].ref",
 * "form.shop_name"), or "" (the second layer, as curl's error buffer).
 * When the input was checked as a whole (a case body, a form: every fault
 * at once), `problems` lists every fault, the first included, one a line:
 * "FIELD (LABEL): DETAIL\n", or "FIELD: DETAIL\n" without a label; a list
 * that does not fit ends with a line "…".  "" otherwise: then `message`
 * says it all.
 */
struct tn_err {
	enum tn_code code;
	long http_status;
	char message[1024];
	char field[128];
	char problems[2048];
};

#define TN_ERR_INIT { TN_OK, 0, "", "", "" }

/* The fixed message of a code.  Cannot fail. */
const char *tn_code_str(enum tn_code code);

/* The process exit status of a code (twonet(7)).  Cannot fail. */
int tn_exit_status(enum tn_code code);

/* The code whose exit status is `status`'s most specific meaning. */
enum tn_code tn_code_from_status(int status);

/*
 * The HTTP status twonetd answers a failure of `code` with: TN_EUSAGE 400,
 * TN_EAUTH 403, TN_ENOTFOUND 404, TN_ECONFLICT 409, TN_EINVALID 422,
 * TN_ESERVER 503, the rest 500 (TN_OK 200; TN_ERESET 410 and
 * TN_EUNREACHABLE 502 are the client's and never sent).  Cannot fail.
 */
int tn_code_http_status(enum tn_code code);

/*
 * The code of a response's HTTP status, as the client reads it: 2xx and
 * 3xx TN_OK; 400, 413, 415, 422 TN_EINVALID; 401, 403 TN_EAUTH; 404
 * TN_ENOTFOUND; 409, 412, 428 TN_ECONFLICT; 410 TN_ERESET; any other 4xx
 * TN_EINVALID; 5xx TN_ESERVER.  Cannot fail.
 */
enum tn_code tn_code_from_http(long status);

/*
 * Fill `err` (which may be NULL) with `code` and a printf-style message, and
 * no field; returns `code` so that callers can write `return tn_err_set(err, ...)`.
 */
enum tn_code tn_err_set(struct tn_err *err, enum tn_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum tn_code tn_err_setv(struct tn_err *err, enum tn_code code, const char *fmt, va_list ap);

/*
 * As tn_err_set, and name the input member at fault in err->field (a
 * dotted path, truncated to fit; NULL or "" for none).  tn_err_set and
 * tn_err_clear empty it and err->problems; tn_err_prefix leaves both.
 */
enum tn_code tn_err_field(struct tn_err *err, enum tn_code code, const char *field,
			  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Append one fault to err->problems (`err` may be NULL): "FIELD (LABEL):
 * DETAIL", or "FIELD: DETAIL" when `label` is NULL or "".  Code, message
 * and field are left as they are.  When the line does not fit, the list
 * ends with "…" (once).  Cannot fail.
 */
void tn_err_add_problem(struct tn_err *err, const char *field, const char *label,
			const char *detail);

/* Prefix err->message with "prefix: " (printf-style).  Leaves code as is. */
void tn_err_prefix(struct tn_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reset `err` to TN_OK with an empty message, no HTTP status and no field. */
void tn_err_clear(struct tn_err *err);

#endif
