/* certs_audit_api.c — the audit log over HTTP: GET /v1/audit and /v1/audit/mine (filtered pages), /v1/audit/stats (reads per day, kind and scenario), /v1/audit/verify (the chain checked). */
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
 * The parameters GET /v1/audit and /v1/audit/mine share into *f: cert,
 * actor, role, purpose (contained), since/until (days), after (a seq: the
 * list only), limit (1..1000, 100) and cursor.  0, or -1 after replying 400.
 */
static int audit_filter(struct req *q, struct store_audit_filter *f, int with_after)
{
	static const char *const texts[] = { "cert", "actor", "role", "purpose", NULL };
	const char **dst[] = { &f->cert, &f->actor, &f->role, &f->purpose };
	const char *v;
	int bad = 0;
	long n;

	memset(f, 0, sizeof(*f));
	f->limit = 100;
	for (int i = 0; texts[i]; i++) {
		*dst[i] = req_query(q, texts[i]);
		if (*dst[i] && (!**dst[i] || strlen(*dst[i]) > 256)) {
			reply_problem(q, 400, texts[i], "%s must be 1 to 256 bytes", texts[i]);
			return -1;
		}
	}
	f->since = day_param(q, "since", &bad);
	if (!bad)
		f->until = day_param(q, "until", &bad);
	if (bad)
		return -1;
	if (f->since && f->until && strcmp(f->until, f->since) < 0) {
		reply_problem(q, 400, "until", "until %s is before since %s", f->until, f->since);
		return -1;
	}
	if (with_after && (v = req_query(q, "after")) != NULL) {
		if (tn_parse_long(v, &n) != 0 || n < 0) {
			reply_problem(q, 400, "after", "after must be a sequence number, not '%s'", v);
			return -1;
		}
		f->after = n;
	}
	if ((v = req_query(q, "cursor")) != NULL) {
		if (tn_parse_long(v, &n) != 0 || n < 0) {
			reply_problem(q, 400, "cursor", "cursor is not valid for this list");
			return -1;
		}
		if (n > f->after)
			f->after = n;
	}
	if ((v = req_query(q, "limit")) != NULL &&
	    (tn_parse_long(v, &f->limit) != 0 || f->limit < 1 || f->limit > 1000)) {
		reply_problem(q, 400, "limit", "limit must be a number from 1 to 1000, not '%s'", v);
		return -1;
	}
	return 0;
}

/* One page of the log under *f: {"items":[ROW...],"next":SEQ|null}. */
static void audit_page(struct req *q, const struct store_audit_filter *f)
{
	struct tn_err err = TN_ERR_INIT;
	long long next = -1;
	jv items, body;

	if (store_audit_list(q->srv->st, f, &items, &next, &err) != TN_OK) {
		jv_free(items);
		reply_error(q, &err);
		return;
	}
	body = jv_object_set(jv_object(), jv_string("items"), items);
	body = jv_object_set(body, jv_string("next"),
			     next >= 0 ? jv_string_fmt("%lld", next) : jv_null());
	reply_json(q, 200, body);
}

/* GET /v1/audit?holder&cert&actor&role&purpose&since&until&after&limit&cursor: admin. */
void certs_audit_list(struct req *q, const char *arg)
{
	static const char *const params[] = {
		"holder", "cert", "actor", "role", "purpose", "since", "until", "after", "limit",
		"cursor", NULL
	};
	struct store_audit_filter f;

	(void)arg;
	if (req_query_check(q, params) < 0 || audit_filter(q, &f, 1) < 0)
		return;
	f.holder = req_query(q, "holder");
	audit_page(q, &f);
}

/*
 * GET /v1/audit/mine (the parameters of GET /v1/audit but holder and after):
 * the holder's own reads, "who read my certificates": an applicant token
 * with a subject gets the rows of GET /v1/audit whose holder is that
 * subject, and no others.
 */
void certs_audit_mine(struct req *q, const char *arg)
{
	static const char *const params[] = {
		"cert", "actor", "role", "purpose", "since", "until", "limit", "cursor", NULL
	};
	struct store_audit_filter f;

	(void)arg;
	if (!q->tok.subject) {  /* the router let only applicants through */
		reply_problem(q, 403, NULL, "only a holder (an applicant token with a subject) "
			      "reads its own audit rows");
		return;
	}
	if (req_query_check(q, params) < 0 || audit_filter(q, &f, 0) < 0)
		return;
	f.holder = q->tok.subject;
	audit_page(q, &f);
}
