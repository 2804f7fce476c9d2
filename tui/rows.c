/* rows.c — the inbox's compact store: one small struct a case, strings in one arena, incremental filter. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casedesk.h"
#include "tn_text.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_cal.h"
#include "tn_out.h"

const char *status_name(int st)
{
	const char *name = tn_case_state_name(st);

	return name ? name : "?";
}

/* id -> row: open addressing over row indexes + 1 (0 empty). */
static uint32_t *idx;
static size_t idx_size;

/* The filter's per-status and per-item answers, computed once per needle. */
static unsigned char status_hit[ST_COUNT];
static unsigned char *item_hit;

/* Scratch for merging a page into order and vis. */
static uint32_t *merge_buf;
static size_t merge_alloc;

static void prepare_hits(struct rows *r);
static int row_matches(const struct rows *r, const struct row *w);

void rows_init(struct rows *r)
{
	memset(r, 0, sizeof(*r));
	r->status_only = r->item_only = -1;
	r->aalloc = 1 << 16;
	r->arena = tn_xmalloc(r->aalloc);
	r->arena[0] = '\0';
	r->alen = 1;
}

void rows_clear(struct rows *r)
{
	enum sortkey sort = r->sort;
	int so = r->status_only, io = r->item_only;
	char *needle = r->needle;

	r->needle = NULL;
	rows_free(r);
	rows_init(r);
	r->sort = sort;
	r->status_only = so;
	r->item_only = io;
	r->needle = needle;
}

void rows_free(struct rows *r)
{
	free(r->v);
	free(r->arena);
	free(r->items);
	free(r->order);
	free(r->vis);
	free(r->needle);
	free(idx);
	idx = NULL;
	idx_size = 0;
	free(item_hit);
	item_hit = NULL;
	free(merge_buf);
	merge_buf = NULL;
	merge_alloc = 0;
	memset(r, 0, sizeof(*r));
	r->status_only = r->item_only = -1;
}

const char *rows_str(const struct rows *r, uint32_t off)
{
	return r->arena + off;
}

const char *rows_deadline(const struct rows *r, const struct row *w, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", rows_str(r, w->deadline_s),
		 w->provisional && w->deadline_s ? tn_mark_provisional[0].sign : "");
	return buf;
}

static uint32_t intern(struct rows *r, const char *s)
{
	size_t n;

	if (!s || !*s)
		return 0;
	n = strlen(s) + 1;
	if (r->alen + n > r->aalloc) {
		while (r->alen + n > r->aalloc)
			r->aalloc *= 2;
		r->arena = tn_xrealloc(r->arena, r->aalloc);
	}
	memcpy(r->arena + r->alen, s, n);
	r->alen += n;
	return (uint32_t)(r->alen - n);
}

static uint32_t hash(const char *s)
{
	return tn_fnv1a(s, strlen(s));
}

static void idx_insert(struct rows *r, size_t row);

static void idx_grow(struct rows *r)
{
	free(idx);
	idx_size = idx_size ? idx_size * 2 : 1024;
	idx = tn_xcalloc(idx_size, sizeof(*idx));
	for (size_t i = 0; i < r->n; i++)
		idx_insert(r, i);
}

static void idx_insert(struct rows *r, size_t row)
{
	size_t m = idx_size - 1, h = hash(rows_str(r, r->v[row].id)) & m;

	while (idx[h])
		h = (h + 1) & m;
	idx[h] = (uint32_t)row + 1;
}

long rows_find(const struct rows *r, const char *id)
{
	size_t m, h;

	if (!idx_size)
		return -1;
	m = idx_size - 1;
	h = hash(id) & m;
	while (idx[h]) {
		if (!strcmp(rows_str(r, r->v[idx[h] - 1].id), id))
			return (long)idx[h] - 1;
		h = (h + 1) & m;
	}
	return -1;
}

static uint16_t item_of(struct rows *r, const char *code, const char *name)
{
	static size_t last;

	if (!code)
		code = "";
	if (last < r->nitems && !strcmp(rows_str(r, r->items[last].code), code))
		return (uint16_t)last;
	for (size_t i = 0; i < r->nitems; i++)
		if (!strcmp(rows_str(r, r->items[i].code), code))
			return (uint16_t)(last = i);
	if (r->nitems >= 65535)
		return 0;
	r->items = tn_xrealloc(r->items, (r->nitems + 1) * sizeof(*r->items));
	r->items[r->nitems].code = intern(r, code);
	r->items[r->nitems].name = intern(r, name && *name ? name : code);
	r->items[r->nitems].name_w = (uint16_t)tn_display_width(name && *name ? name : code);
	last = r->nitems;
	return (uint16_t)r->nitems++;
}

static int32_t date_of(const char *s)
{
	long d;

	if (!s || strlen(s) < 10)
		return NO_DATE;
	char buf[11];
	memcpy(buf, s, 10);
	buf[10] = '\0';
	if (tn_date_parse(buf, &d) != 0)
		return NO_DATE;
	return (int32_t)d;
}

static void fill(struct rows *r, struct row *w, const struct case_fields *f, int fresh)
{
	int s;

	if (fresh) {
		w->id = intern(r, f->id);
		w->name = intern(r, f->name);
		w->name_w = (uint16_t)tn_display_width(f->name ? f->name : "");
		w->parent = intern(r, f->parent);
		w->item = item_of(r, f->item, f->item_name);
		w->submitted = date_of(f->submitted);
		w->workflow = f->workflow != 0;
	}
	/* a deadline moves when the server counts it again ('twonetd calendar import') */
	if (fresh || (f->deadline && strcmp(rows_str(r, w->deadline_s), f->deadline) != 0)) {
		w->deadline_s = intern(r, f->deadline);
		w->deadline = date_of(f->deadline);
	}
	if (fresh || f->deadline)
		w->provisional = f->provisional != 0;
	s = tn_case_state_parse(f->status);
	w->status = (uint8_t)(s < 0 ? ST_OTHER : s);
	w->version = f->version > 0 ? (uint32_t)f->version : 0;
	w->urgency = (uint8_t)app_urgency(w->deadline == NO_DATE ? LONG_MIN : w->deadline,
					  tn_case_state_open(w->status));
}

size_t rows_put_fields(struct rows *r, const struct case_fields *f)
{
	long at = f->id ? rows_find(r, f->id) : -1;

	if (at >= 0) {
		fill(r, &r->v[at], f, 0);
		r->stale = 1;
		return (size_t)at;
	}
	if (r->n == r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 1024;
		r->v = tn_xrealloc(r->v, r->alloc * sizeof(*r->v));
		r->order = tn_xrealloc(r->order, r->alloc * sizeof(*r->order));
		r->vis = tn_xrealloc(r->vis, r->alloc * sizeof(*r->vis));
	}
	memset(&r->v[r->n], 0, sizeof(r->v[0]));
	fill(r, &r->v[r->n], f, 1);
	if (r->v[r->n].name_w > r->max_name_w)
		r->max_name_w = r->v[r->n].name_w;
	r->order[r->n] = (uint32_t)r->n;
	r->n++;
	if (r->n * 2 > idx_size)
		idx_grow(r);
	else
		idx_insert(r, r->n - 1);
	return r->n - 1;
}

size_t rows_put(struct rows *r, jv kase)
{
	struct case_fields f;
	jv appl = tn_jv_object(kase, "applicant");
	size_t at;

	/* the strings are kase's own (tn_jv_str), alive for this call */
	memset(&f, 0, sizeof(f));
	f.id = tn_jv_str(kase, "id");
	f.status = tn_jv_str(kase, "status");
	f.item = tn_jv_str(kase, "item");
	f.item_name = tn_jv_str(kase, "item_name");
	f.deadline = tn_jv_str(kase, "deadline");
	f.submitted = tn_jv_str(kase, "submitted_at");
	f.parent = tn_jv_str(kase, "parent");
	f.name = tn_jv_str(appl, "name");
	f.workflow = tn_jv_str(kase, "workflow") != NULL;
	f.provisional = tn_jv_bool(kase, "deadline_provisional", 0) == 1;
	f.version = tn_jv_long(kase, "version", 0);
	at = rows_put_fields(r, &f);
	jv_free(appl);
	return at;
}

static int cmp_rows(const void *a, const void *b, void *ctx);

/*
 * Merge the `k` sorted indexes of `add` into the sorted `n` of `into` (room
 * for n + k), from the back: each new row's place found by one comparison
 * when it goes after the rows there (the server's pages in its own order),
 * else by a binary search, and the rows after it moved as one block:
 * O(k log n) comparisons and at most n moves a page, never a full sort.
 */
static void merge_into(struct rows *r, uint32_t *into, size_t n, const uint32_t *add, size_t k)
{
	size_t i = n, out = n + k;

	for (size_t j = k; j-- > 0;) {
		size_t pos = i;
		if (i > 0 && cmp_rows(&into[i - 1], &add[j], r) > 0) {
			size_t lo = 0, hi = i - 1;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (cmp_rows(&into[mid], &add[j], r) > 0)
					hi = mid;
				else
					lo = mid + 1;
			}
			pos = lo;
		}
		if (pos < i) {
			memmove(&into[out - (i - pos)], &into[pos], (i - pos) * sizeof(*into));
			out -= i - pos;
			i = pos;
		}
		into[--out] = add[j];
	}
}

void rows_added(struct rows *r, size_t first)
{
	size_t k = r->n - first, m = 0;

	if (!k)
		return;
	if (k > merge_alloc) {
		merge_alloc = k;
		merge_buf = tn_xrealloc(merge_buf, merge_alloc * sizeof(*merge_buf));
	}
	/* the new rows sorted among themselves, then merged into order */
	memcpy(merge_buf, r->order + first, k * sizeof(*merge_buf));
	for (size_t i = 1; i < k; i++)
		if (cmp_rows(&merge_buf[i - 1], &merge_buf[i], r) > 0) {
			qsort_r(merge_buf, k, sizeof(*merge_buf), cmp_rows, r);
			break;
		}
	merge_into(r, r->order, first, merge_buf, k);
	/* those that pass the filter, merged into vis the same way */
	prepare_hits(r);
	for (size_t i = 0; i < k; i++) {
		struct row *w = &r->v[merge_buf[i]];
		if (row_matches(r, w))
			merge_buf[m++] = merge_buf[i];
		w->urgency = (uint8_t)app_urgency(w->deadline == NO_DATE ? LONG_MIN : w->deadline,
						  tn_case_state_open(w->status));
		r->counts[w->status]++;
		r->overdue += w->urgency == URG_OVERDUE;
		r->due += w->urgency == URG_DUE;
		r->provisional += w->provisional && tn_case_state_open(w->status);
	}
	merge_into(r, r->vis, r->nvis, merge_buf, m);
	r->nvis += m;
}

void rows_add_page(struct rows *r, jv items)
{
	int n = jv_get_kind(items) == JV_KIND_ARRAY ? jv_array_length(jv_copy(items)) : 0;
	size_t first = r->n;

	for (int i = 0; i < n; i++) {
		jv k = jv_array_get(jv_copy(items), i);
		if (jv_get_kind(k) == JV_KIND_OBJECT)
			rows_put(r, k);
		jv_free(k);
	}
	rows_added(r, first);
}

void rows_recount(struct rows *r)
{
	memset(r->counts, 0, sizeof(r->counts));
	r->overdue = r->due = r->tagged = r->provisional = 0;
	for (size_t i = 0; i < r->n; i++) {
		struct row *w = &r->v[i];
		w->urgency = (uint8_t)app_urgency(w->deadline == NO_DATE ? LONG_MIN : w->deadline,
						  tn_case_state_open(w->status));
		r->counts[w->status]++;
		r->overdue += w->urgency == URG_OVERDUE;
		r->due += w->urgency == URG_DUE;
		r->tagged += w->tagged != 0;
		r->provisional += w->provisional && tn_case_state_open(w->status);
	}
}

/* ---- sorting ---- */

static int cmp_rows(const void *a, const void *b, void *ctx)
{
	const struct rows *r = ctx;
	const struct row *x = &r->v[*(const uint32_t *)a], *y = &r->v[*(const uint32_t *)b];
	int c = 0;

	switch (r->sort) {
	case SORT_DEADLINE:
		c = (x->deadline > y->deadline) - (x->deadline < y->deadline);
		if (x->deadline == NO_DATE || y->deadline == NO_DATE)
			c = -c;
		break;
	case SORT_STATUS:
		c = (int)x->status - (int)y->status;
		break;
	case SORT_APPLICANT:
		c = strcmp(rows_str(r, x->name), rows_str(r, y->name));
		break;
	case SORT_ITEM:
		c = strcmp(rows_str(r, r->items[x->item].name), rows_str(r, r->items[y->item].name));
		break;
	case SORT_SUBMITTED:
		c = (x->submitted > y->submitted) - (x->submitted < y->submitted);
		break;
	default:
		break;
	}
	if (c == 0)
		c = strcmp(rows_str(r, x->id), rows_str(r, y->id));
	return c;
}

void rows_sort(struct rows *r)
{
	r->stale = 0;
	for (size_t i = 0; i < r->n; i++)
		r->order[i] = (uint32_t)i;
	if (r->n > 1)
		qsort_r(r->order, r->n, sizeof(*r->order), cmp_rows, r);
	rows_refilter(r);
}

/* ---- filtering ---- */

/* Does the needle hold an ASCII letter?  Without one, case does not matter: strstr is enough. */
static int needle_alpha;

static int has(const char *hay, const char *needle)
{
	return (needle_alpha ? strcasestr(hay, needle) : strstr(hay, needle)) != NULL;
}

static void prepare_hits(struct rows *r)
{
	needle_alpha = 0;
	for (const char *p = r->needle; p && *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			needle_alpha = 1;
	for (int i = 0; i < ST_COUNT; i++)
		status_hit[i] = r->needle && strcasestr(status_name(i), r->needle) != NULL;
	free(item_hit);
	item_hit = tn_xcalloc(r->nitems + 1, 1);
	for (size_t i = 0; i < r->nitems && r->needle; i++)
		item_hit[i] = strcasestr(rows_str(r, r->items[i].name), r->needle) != NULL;
}

static int row_matches(const struct rows *r, const struct row *w)
{
	const char *n = r->needle;

	if (r->status_only >= 0 && w->status != r->status_only)
		return 0;
	if (r->item_only >= 0 && w->item != r->item_only)
		return 0;
	if (!n)
		return 1;
	return status_hit[w->status] || item_hit[w->item] ||
	       has(rows_str(r, w->id), n) || has(rows_str(r, w->name), n) ||
	       (!needle_alpha && strstr(rows_str(r, w->deadline_s), n));
}

void rows_refilter(struct rows *r)
{
	size_t k = 0;

	prepare_hits(r);
	for (size_t i = 0; i < r->n; i++)
		if (row_matches(r, &r->v[r->order[i]]))
			r->vis[k++] = r->order[i];
	r->nvis = k;
}

void rows_filter(struct rows *r, const char *needle)
{
	char *old = r->needle;
	int narrower;

	if (needle && !*needle)
		needle = NULL;
	narrower = old && needle && strstr(needle, old) != NULL;
	if (!old && !needle)
		return;
	r->needle = needle ? tn_xstrdup(needle) : NULL;
	free(old);
	if (!narrower) {
		rows_refilter(r);
		return;
	}
	/* the new needle holds the old one: only the rows shown can still match */
	prepare_hits(r);
	size_t k = 0;
	for (size_t i = 0; i < r->nvis; i++)
		if (row_matches(r, &r->v[r->vis[i]]))
			r->vis[k++] = r->vis[i];
	r->nvis = k;
}
