/* certs_audit_api.c — GET /v1/audit/stats (reads per day, kind and scenario) and GET /v1/audit/verify (the chain checked). */
#include <stdio.h>
#include <string.h>

#include "tn_cal.h"
#include "store_certs.h"
#include "twonetd.h"

/* A day parameter: NULL when absent; 400 naming it when not YYYY-MM-DD (then *bad = 1). */
static const char *day_param(struct req *q, const char *name, int *bad)
{
	const char *v = req_query(q, name);
	long days;

	if (v && tn_date_parse(v, &days) != 0) {
		reply_problem(q, 400, name, "%s must be a date YYYY-MM-DD, not '%s'", name, v);
		*bad = 1;
	}
	return v;
}

/* GET /v1/audit/stats?since=DAY&until=DAY: admin. */
void certs_audit_stats(struct req *q, const char *arg)
{
	static const char *const params[] = { "since", "until", NULL };
	struct tn_err err = TN_ERR_INIT;
	const char *since, *until;
	int bad = 0;
	jv items, body;
	double total = 0;

	(void)arg;
	if (req_query_check(q, params) < 0)
		return;
	since = day_param(q, "since", &bad);
	if (!bad)
		until = day_param(q, "until", &bad);
	if (bad)
		return;
	if (since && until && strcmp(since, until) > 0) {
		reply_problem(q, 400, "until", "until (%s) is before since (%s)", until, since);
		return;
	}
	if (store_audit_stats(q->srv->st, since, until, &items, &err) != TN_OK) {
		jv_free(items);
		reply_error(q, &err);
		return;
	}
	jv_array_foreach(items, i, r) {
		jv n = jv_object_get(r, jv_string("reads"));   /* consumes r, a copy */

		total += jv_number_value(n);
		jv_free(n);
	}
	body = jv_object_set(jv_object(), jv_string("since"), since ? jv_string(since) : jv_null());
	body = jv_object_set(body, jv_string("until"), until ? jv_string(until) : jv_null());
	body = jv_object_set(body, jv_string("total"), jv_number(total));
	body = jv_object_set(body, jv_string("items"), items);
	reply_json(q, 200, body);
}

/* GET /v1/audit/verify: admin; the check `twonetd audit verify --db` makes (store_audit_verify). */
void certs_audit_verify(struct req *q, const char *arg)
{
	static const char *const params[] = { NULL };
	struct tn_err err = TN_ERR_INIT;
	long long rows = 0, bad = 0;
	char why[256];
	jv body;

	(void)arg;
	if (req_query_check(q, params) < 0)
		return;
	if (store_audit_verify(q->srv->st, &rows, &bad, why, sizeof(why), &err) != TN_OK) {
		reply_error(q, &err);
		return;
	}
	body = jv_object_set(jv_object(), jv_string("ok"), jv_bool(bad == 0));
	body = jv_object_set(body, jv_string("rows"), jv_number((double)rows));
	body = jv_object_set(body, jv_string("bad_seq"), bad ? jv_number((double)bad) : jv_null());
	body = jv_object_set(body, jv_string("why"), bad ? jv_string(why) : jv_null());
	reply_json(q, 200, body);
}

/*
 * GET /v1/audit/mine?cert&actor&limit&cursor: the holder's own reads, "who
 * read my certificates": an applicant token with a subject gets the rows of
 * GET /v1/audit whose holder is that subject, and no others.
 */
void certs_audit_mine(struct req *q, const char *arg)
{
	static const char *const params[] = { "cert", "actor", "limit", "cursor", NULL };
	struct store_audit_filter f;
	struct tn_err err = TN_ERR_INIT;
	long long next = -1;
	const char *v;
	long n;
	jv items, body;

	(void)arg;
	if (!q->tok.subject) {  /* the router let only applicants through */
		reply_problem(q, 403, NULL, "only a holder (an applicant token with a subject) "
			      "reads its own audit rows");
		return;
	}
	if (req_query_check(q, params) < 0)
		return;
	memset(&f, 0, sizeof(f));
	f.limit = 100;
	f.holder = q->tok.subject;
	f.cert = req_query(q, "cert");
	f.actor = req_query(q, "actor");
	if ((v = req_query(q, "cursor")) != NULL) {
		if (tn_parse_long(v, &n) != 0 || n < 0) {
			reply_problem(q, 400, "cursor", "cursor is not valid for this list");
			return;
		}
		f.after = n;
	}
	if ((v = req_query(q, "limit")) != NULL &&
	    (tn_parse_long(v, &f.limit) != 0 || f.limit < 1 || f.limit > 1000)) {
		reply_problem(q, 400, "limit", "limit must be a number from 1 to 1000, not '%s'", v);
		return;
	}
	if (store_audit_list(q->srv->st, &f, &items, &next, &err) != TN_OK) {
		jv_free(items);
		reply_error(q, &err);
		return;
	}
	body = jv_object_set(jv_object(), jv_string("items"), items);
	body = jv_object_set(body, jv_string("next"),
			     next >= 0 ? jv_string_fmt("%lld", next) : jv_null());
	reply_json(q, 200, body);
}
