/* catalog.c — the service items casedesk has asked the server for (GET /v1/items/{code}): the Chinese labels of their form fields. */
#include <stdlib.h>
#include <string.h>

#include "casedesk.h"
#include "tn_buf.h"
#include "tn_http.h"
#include "tn_jv.h"

#define MAX_ITEMS 64

static struct {
	char *code;
	jv item;                /* the ITEM, jv_null() while asked, jv_invalid() when it could not be had */
} items[MAX_ITEMS];
static size_t nitems;

static void on_item(void *ctx, long tag, const struct tn_async_result *r)
{
	size_t i = (size_t)tag;

	(void)ctx;
	if (i >= nitems)
		return;
	jv_free(items[i].item);
	items[i].item = r->status == 200 && jv_get_kind(r->body) == JV_KIND_OBJECT ?
			jv_copy(r->body) : jv_invalid();
	app.dirty = 1;
}

/* The item `code` (borrowed), or jv_null() while it is asked for (asking starts it, once). */
static jv item_of(const char *code)
{
	struct tn_buf p = TN_BUF_INIT;
	size_t i;

	for (i = 0; i < nitems; i++)
		if (!strcmp(items[i].code, code))
			return items[i].item;
	if (nitems == MAX_ITEMS)
		return jv_invalid();
	items[nitems].code = tn_xstrdup(code);
	items[nitems].item = jv_null();
	nitems++;
	tn_buf_adds(&p, "/v1/items/");
	tn_url_escape(&p, code);
	net_request("GET", p.buf, jv_invalid(), 0, on_item, NULL, (long)i);
	tn_buf_release(&p);
	return jv_null();
}

const char *catalog_field_label(const char *item, const char *name)
{
	jv it, fields;
	const char *label = NULL;
	int n;

	if (!item || !*item || !name)
		return NULL;
	it = item_of(item);
	if (jv_get_kind(it) != JV_KIND_OBJECT)
		return NULL;
	fields = tn_jv_array(it, "fields");
	n = jv_array_length(jv_copy(fields));
	for (int i = 0; i < n && !label; i++) {
		jv f = jv_array_get(jv_copy(fields), i);
		const char *fname = tn_jv_str(f, "name");

		/* borrowed from the item kept in items[], which outlives f */
		if (fname && !strcmp(fname, name))
			label = tn_jv_str(f, "label");
		jv_free(f);
	}
	jv_free(fields);
	return label;
}

const char *catalog_item_str(const char *item, const char *member)
{
	jv it;

	if (!item || !*item)
		return NULL;
	it = item_of(item);
	return jv_get_kind(it) == JV_KIND_OBJECT ? tn_jv_str(it, member) : NULL;
}

void catalog_done(void)
{
	for (size_t i = 0; i < nitems; i++) {
		free(items[i].code);
		jv_free(items[i].item);
	}
	nitems = 0;
}
