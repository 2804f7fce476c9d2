/* listpage.c — a server list page after page (cursor, limit, "N of M"), for cases, alerts and tasks alike. */
#include <stdlib.h>

#include "tn_buf.h"
#include "tn_http.h"
#include "tn_jv.h"
#include "tn_list.h"

#define PAGE_MAX 1000

enum tn_code tn_list_pages(struct tn_client *c, const struct tn_pager *p, long limit,
			   int (*fn)(void *ctx, jv item), void *ctx, struct tn_list_end *end,
			   struct tn_err *err)
{
	struct tn_buf path = TN_BUF_INIT;
	char *cursor = NULL;
	long seen = 0, total = -1;
	enum tn_code rc = TN_OK;
	int stop = 0, stopped_by_fn = 0, cut = 0;

	do {
		long page = limit < 0 ? p->page_all : limit - seen;
		jv body, items;
		const char *next;
		int n;

		if (page > PAGE_MAX)
			page = PAGE_MAX;
		tn_buf_reset(&path);
		rc = p->path(p->query, page, cursor, &path, err);
		if (rc != TN_OK)
			break;
		rc = tn_client_get(c, path.buf, &body, err);
		if (rc != TN_OK)
			break;
		items = tn_jv_get(body, "items");
		next = tn_jv_str(body, "next");
		if (total < 0)
			total = tn_jv_long(body, "total", -1);
		free(cursor);
		cursor = next && *next ? tn_xstrdup(next) : NULL;
		jv_free(body);
		if (jv_get_kind(items) != JV_KIND_ARRAY) {
			jv_free(items);
			rc = tn_err_set(err, TN_ESERVER, "the server's %s list has no \"items\" array",
					p->what);
			break;
		}
		n = jv_array_length(jv_copy(items));
		for (int i = 0; i < n && !stop; i++) {
			if (limit >= 0 && seen >= limit) {
				stop = cut = 1;   /* the page held more than asked for */
				break;
			}
			seen++;
			if (fn(ctx, jv_array_get(jv_copy(items), i)))
				stop = stopped_by_fn = 1;
		}
		jv_free(items);
		if (limit >= 0 && seen >= limit)
			stop = 1;
	} while (cursor && !stop);
	if (end) {
		end->shown = seen;
		end->total = total;
		/* the limit ended it and the server had more: a next page, or the rest of this one */
		end->more = rc == TN_OK && !stopped_by_fn && limit >= 0 && (cursor != NULL || cut);
	}
	free(cursor);
	tn_buf_release(&path);
	return rc;
}
