/* certaudit.c — the certificate audit log from a client: rows by filters and period, reads per day, the chain's check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_cli.h"
#include "tn_certaudit.h"
#include "tn_jv.h"
#include "tn_report.h"

#define PAGE_MAX 1000   /* the server's largest page */

enum tn_code tn_audit_period(const char *since_spec, const char *until_spec, long today,
			     char *since, char *until, struct tn_err *err)
{
	long first, last, s = -1, u = -1;

	since[0] = until[0] = '\0';
	if (since_spec) {
		if (tn_period_parse(since_spec, today, &first, &last, err) != TN_OK) {
			tn_err_prefix(err, "--since");
			return err->code;
		}
		s = first;
		tn_date_format(s, since);
	}
	if (until_spec) {
		if (tn_period_parse(until_spec, today, &first, &last, err) != TN_OK) {
			tn_err_prefix(err, "--until");
			return err->code;
		}
		u = last;
		tn_date_format(u, until);
	}
	if (s >= 0 && u >= 0 && s > u)
		return tn_err_set(err, TN_EUSAGE, "--until %s ends before --since %s starts", until,
				  since);
	return TN_OK;
}

static const char *const roles[] = { "applicant", "clerk", "issuer", "admin", NULL };

static int is_role(const char *s)
{
	for (int i = 0; roles[i]; i++)
		if (!strcmp(s, roles[i]))
			return 1;
	return 0;
}

int tn_audit_row_match(const struct tn_audit_query *q, jv row)
{
	const char *at = tn_jv_str(row, "at"), *role = tn_jv_str(row, "role");
	const char *actor = tn_jv_str(row, "actor"), *purpose = tn_jv_str(row, "purpose");

	if (q->purpose && (!purpose || !strstr(purpose, q->purpose)))
		return 0;
	if (q->scenario) {
		if (is_role(q->scenario)) {
			if (!role || strcmp(role, q->scenario))
				return 0;
		} else if (!role || strcmp(role, "reader") || !actor || strcmp(actor, q->scenario)) {
			return 0;
		}
	}
	if ((q->since && q->since[0]) || (q->until && q->until[0])) {
		if (!at || strlen(at) < 10)
			return 0;
		if (q->since && q->since[0] && strncmp(at, q->since, 10) < 0)
			return 0;
		if (q->until && q->until[0] && strncmp(at, q->until, 10) > 0)
			return 0;
	}
	return 1;
}

/* Whether the row's day is past `until` (the log is in time order: nothing later matches). */
static int past_until(const struct tn_audit_query *q, jv row)
{
	const char *at = tn_jv_str(row, "at");

	return q->until && q->until[0] && at && strlen(at) >= 10 && strncmp(at, q->until, 10) > 0;
}

static void add_param(struct tn_buf *b, const char *name, const char *v)
{
	if (!v)
		return;
	tn_buf_addf(b, "&%s=", name);
	tn_url_escape(b, v);
}

enum tn_code tn_audit_list(struct tn_client *c, const struct tn_audit_query *q, long limit,
			   tn_audit_each_fn fn, void *ctx, struct tn_list_end *end,
			   struct tn_err *err)
{
	struct tn_list_end e = { 0, -1, 0 };
	struct tn_buf path = TN_BUF_INIT;
	char *cursor = NULL;
	/* the server filters all but a scenario asked with --actor as well (matched here) */
	int local = q->scenario && !is_role(q->scenario) && q->actor;
	long page = local || limit < 0 || limit > PAGE_MAX ? PAGE_MAX : limit + 1;
	enum tn_code rc = TN_OK;
	int stop = 0;

	if (q->page > 0 && q->page <= PAGE_MAX)
		page = q->page;

	while (!stop) {
		jv body, items, next;

		tn_buf_reset(&path);
		tn_buf_addf(&path, "/v1/audit%s?limit=%ld", q->mine ? "/mine" : "", page);
		add_param(&path, "holder", q->holder);
		add_param(&path, "cert", q->cert);
		add_param(&path, "actor", q->actor ? q->actor :
			  q->scenario && !is_role(q->scenario) ? q->scenario : NULL);
		add_param(&path, "role", !q->scenario ? NULL : is_role(q->scenario) ? q->scenario :
			  "reader");
		add_param(&path, "purpose", q->purpose);
		add_param(&path, "since", q->since && q->since[0] ? q->since : NULL);
		add_param(&path, "until", q->until && q->until[0] ? q->until : NULL);
		add_param(&path, "cursor", cursor);
		if ((rc = tn_client_get(c, path.buf, &body, err)) != TN_OK)
			break;
		items = jv_object_get(jv_copy(body), jv_string("items"));
		next = jv_object_get(jv_copy(body), jv_string("next"));
		jv_free(body);
		if (jv_get_kind(items) != JV_KIND_ARRAY) {
			jv_free(items);
			jv_free(next);
			rc = tn_err_set(err, TN_ESERVER, "the server's audit page has no \"items\" list");
			break;
		}
		jv_array_foreach(items, i, row) {
			if (stop) {
				jv_free(row);
				continue;
			}
			if (past_until(q, row)) {
				jv_free(row);
				stop = 2;       /* nothing after: not "more" */
				continue;
			}
			if (!tn_audit_row_match(q, row)) {
				jv_free(row);
				continue;
			}
			if (limit >= 0 && e.shown == limit) {
				jv_free(row);
				e.more = 1;
				stop = 1;
				continue;
			}
			e.shown++;
			if (fn(ctx, row))
				stop = 1;
		}
		jv_free(items);
		free(cursor);
		cursor = NULL;
		if (jv_get_kind(next) == JV_KIND_STRING)
			cursor = tn_xstrdup(jv_string_value(next));
		jv_free(next);
		if (!cursor)
			break;
		if (tn_cli_interrupted()) {
			rc = tn_err_set(err, TN_EINTR, "interrupted");
			break;
		}
		if (!stop && limit >= 0 && e.shown == limit) {
			/* a page ends exactly at the limit: are there more that match? */
			if (!local) {
				e.more = 1;
				break;
			}
		}
	}
	free(cursor);
	tn_buf_release(&path);
	if (end)
		*end = e;
	return rc;
}

enum tn_code tn_audit_stats(struct tn_client *c, const char *since, const char *until, jv *out,
			    struct tn_err *err)
{
	struct tn_buf path = TN_BUF_INIT;
	enum tn_code rc;

	tn_buf_adds(&path, "/v1/audit/stats?");
	if (since && since[0]) {
		tn_buf_adds(&path, "since=");
		tn_url_escape(&path, since);
	}
	if (until && until[0]) {
		tn_buf_adds(&path, since && since[0] ? "&until=" : "until=");
		tn_url_escape(&path, until);
	}
	if (path.buf[path.len - 1] == '?')
		tn_buf_setlen(&path, path.len - 1);
	rc = tn_client_get(c, path.buf, out, err);
	tn_buf_release(&path);
	return rc;
}

enum tn_code tn_audit_verify(struct tn_client *c, jv *out, struct tn_err *err)
{
	return tn_client_get(c, "/v1/audit/verify", out, err);
}
