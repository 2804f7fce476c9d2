/* reports_backlog.c — the case report's backlog (cases open at the end of a period or of each day, week or month) and its filters' check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_jv.h"
#include "tn_suggest.h"
#include "twonetd.h"
#include "store_reports.h"

/* Day number of a YYYY-MM-DD, or `dflt` for NULL or a bad date. */
static long day_or(const char *s, long dflt)
{
	long d;

	return s && tn_date_parse(s, &d) == 0 ? d : dflt;
}

#define NEVER 0x7fffffffL      /* a case still open: closed after every day */

static int timed(const char *by)
{
	return strcmp(by, "day") == 0 || strcmp(by, "week") == 0 || strcmp(by, "month") == 0;
}

/* A counted row: a group's backlog at the end of the period. */
static int counted_row(struct report_backlog *b, const struct store_backlog_row *r)
{
	struct report_backlog_case *c;

	if (b->len == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 32;
		b->c = tn_xrealloc(b->c, b->cap * sizeof(*b->c));
	}
	c = &b->c[b->len++];
	c->key = r->group ? tn_xstrdup(r->group) : NULL;
	c->n = r->n;
	c->overdue = r->overdue;
	return 0;
}

/* Add n to d[day - from] when the day is in the period. */
static void at(const struct report_backlog *b, long *d, long day, long n)
{
	if (day >= b->from && day <= b->to)
		d[day - b->from] += n;
}

/*
 * A case of a time grouping: open from `day` (the period's first day at the
 * earliest) until `closed`, overdue from its due day (at the end of that
 * day) until then, and for the days from today on, overdue when due before
 * today.
 */
static int listed_row(struct report_backlog *b, const struct store_backlog_row *r)
{
	long day = day_or(r->day, b->from), closed = day_or(r->closed, NEVER);
	long due = day_or(r->due, NEVER), start;

	if (day < b->from)
		day = b->from;
	if (closed <= day)      /* closed by the end of its first day here */
		return 0;
	at(b, b->open_d, day, r->n);
	at(b, b->open_d, closed, -r->n);
	start = due > day ? due : day;
	if (start < closed) {
		at(b, b->over_d, start, r->n);
		at(b, b->over_d, closed, -r->n);
	}
	if (due < b->today) {
		at(b, b->late_d, day, r->n);
		at(b, b->late_d, closed, -r->n);
	}
	return 0;
}

static int backlog_row(void *ctx, const struct store_backlog_row *r)
{
	struct report_backlog *b = ctx;

	return b->timed ? listed_row(b, r) : counted_row(b, r);
}

enum tn_code report_backlog_load(struct store *st, const struct store_report_q *q,
				 struct report_backlog *b, struct tn_err *err)
{
	char cut[16];

	memset(b, 0, sizeof(*b));
	b->timed = timed(q->by);
	b->from = day_or(q->from, 0);
	b->to = day_or(q->to, b->from);
	b->today = day_or(q->today, b->to + 1);
	if (b->timed) {         /* the end of each of their days, weeks or months */
		size_t n = (size_t)(b->to - b->from + 1);

		b->open_d = tn_xcalloc(n, sizeof(long));
		b->over_d = tn_xcalloc(n, sizeof(long));
		b->late_d = tn_xcalloc(n, sizeof(long));
		return store_report_backlog(st, q, q->from, NULL, backlog_row, b, err);
	}
	tn_date_format(b->to + 1 < b->today ? b->to + 1 : b->today, cut);
	return store_report_backlog(st, q, q->to, cut, backlog_row, b, err);
}

void report_backlog_free(struct report_backlog *b)
{
	for (size_t i = 0; i < b->len; i++)
		free(b->c[i].key);
	free(b->c);
	free(b->open_d);
	free(b->over_d);
	free(b->late_d);
	memset(b, 0, sizeof(*b));
}

/* The last day of the bucket that starts on (or is named by) `key`. */
static long bucket_end(const char *by, const char *key, long to)
{
	long d, e = to;
	char buf[16];

	if (!key)
		return to;
	if (strcmp(by, "day") == 0) {
		e = day_or(key, to);
	} else if (strcmp(by, "week") == 0) {
		e = day_or(key, to - 6) + 6;
	} else if (strcmp(by, "month") == 0 && strlen(key) == 7) {
		snprintf(buf, sizeof(buf), "%s-28", key);
		if (tn_date_parse(buf, &d) == 0) {
			char m[16];

			tn_date_format(d, m);
			for (e = d; ; e++) {      /* the last day with the same month */
				tn_date_format(e + 1, buf);
				if (strncmp(buf, m, 7) != 0)
					break;
			}
		}
	}
	return e < to ? e : to;
}

long report_backlog_at(const struct report_backlog *b, const char *by, const char *key,
		       int all, long *overdue, char *at_day)
{
	long e = b->timed ? bucket_end(by, key, b->to) : b->to, n = 0;

	*overdue = 0;
	tn_date_format(e, at_day);
	if (!b->timed) {        /* counted by the store, at the end of the period */
		for (size_t i = 0; i < b->len; i++) {
			const struct report_backlog_case *c = &b->c[i];

			if (all || (!c->key && !key) || (c->key && key && strcmp(c->key, key) == 0)) {
				n += c->n;
				*overdue += c->overdue;
			}
		}
		return n;
	}
	/* overdue at the end of e: due on e or before; from today on, due before today */
	for (long d = b->from; d <= e && d <= b->to; d++) {
		n += b->open_d[d - b->from];
		*overdue += e < b->today ? b->over_d[d - b->from] : b->late_d[d - b->from];
	}
	return n;
}

const char *report_backlog_key(const struct report_backlog *b, size_t i)
{
	return i < b->len ? b->c[i].key : NULL;
}

int report_check_code(struct req *q, struct store *st, const char *what, const char *code)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf hint = TN_BUF_INIT;
	char **codes;
	const char *near;
	size_t n = 0;
	jv names, keys;

	if (!code)
		return 0;
	if (store_report_names(st, what, &names, &err) != TN_OK) {
		reply_error(q, &err);
		jv_free(names);
		return -1;
	}
	if (tn_jv_has(names, code)) {
		jv_free(names);
		return 0;
	}
	keys = jv_keys(names);
	codes = tn_xcalloc((size_t)jv_array_length(jv_copy(keys)) + 1, sizeof(*codes));
	jv_array_foreach(keys, i, k) {
		codes[n++] = tn_xstrdup(jv_string_value(k));
		jv_free(k);
	}
	near = tn_suggest(code, (const char *const *)codes, n);
	if (near)
		tn_buf_addf(&hint, " (did you mean '%s'?)", near);
	reply_problem(q, 422, what, "unknown %s '%s'%s", what, code, hint.buf);
	tn_buf_release(&hint);
	for (size_t i = 0; i < n; i++)
		free(codes[i]);
	free(codes);
	jv_free(keys);
	jv_free(names);
	return -1;
}
