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

/* How to ask for one page of a list: its path after `cursor` (NULL: the first page). */
struct tn_pager {
	const char *what;       /* "case", "alert", "task": named when a page is malformed */
	const void *query;      /* handed to path, borrowed */
	enum tn_code (*path)(const void *query, long limit, const char *cursor,
			     struct tn_buf *path, struct tn_err *err);
	long page_all;          /* the page size when every item is asked for */
};

/*
 * The items of the list `p` describes, page after page (at most 1000 an
 * asking), at most `limit` (< 0: all), each handed to `fn` (owned by the
 * callee; nonzero stops); how it ended in *end (may be NULL), as
 * tn_case_list_end.  A page that is not {"items": [...]} is TN_ESERVER.
 */
struct tn_buf;
enum tn_code tn_list_pages(struct tn_client *c, const struct tn_pager *p, long limit,
			   int (*fn)(void *ctx, jv item), void *ctx, struct tn_list_end *end,
			   struct tn_err *err);

/*
 * Every ','-separated word of `list` (NULL: none) one of the '|'-separated
 * `known`: TN_OK, else TN_EINVALID "OPT takes KNOWN, not 'WORD'" with the
 * closest word suggested (a filter's value is data, as a status).
 */
enum tn_code tn_list_words_check(const char *opt, const char *list, const char *known,
				 struct tn_err *err);

/* The pager of each list the commands walk: GET /v1/cases, /v1/alerts, /v1/tasks with `q` (borrowed). */
struct tn_alert_query;
struct tn_task_query;
struct tn_pager tn_case_pager(const struct tn_case_query *q);
struct tn_pager tn_alert_pager(const struct tn_alert_query *q);
struct tn_pager tn_task_pager(const struct tn_task_query *q);

#endif
