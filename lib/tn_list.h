/* tn_list.h — how a paged list ended: what was shown, the server's total, whether more exist. */
#ifndef TN_LIST_H
#define TN_LIST_H

#include <jv.h>

#include "tn_case.h"
#include "tn_err.h"
#include "tn_http.h"

/*
 * The end of a listing that may stop before the server's last page (at a
 * limit), so that a command can say so instead of stopping quietly.
 */
struct tn_list_end {
	long shown;     /* items handed to the callback */
	long total;     /* the server's count of matching items ("total" of a page), -1 when not given */
	int more;       /* 1 when the listing stopped at its limit and the server had more */
};

/*
 * tn_case_list, and how it ended in *end (may be NULL; filled on TN_OK and
 * on failure alike, with what was seen until then).  The same requests,
 * the same calls of `fn`.
 */
enum tn_code tn_case_list_end(struct tn_client *c, const struct tn_case_query *q, long limit,
			      tn_case_each_fn fn, void *ctx, struct tn_list_end *end,
			      struct tn_err *err);

#endif
