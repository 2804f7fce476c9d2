/* routes.c — twonetd's route table: one row per endpoint (method, path, roles, scope, handler), and the router that walks it. */
#include <stdio.h>
#include <string.h>

#include "tn_buf.h"
#include "twonetd.h"
#include "certs.h"

const char *const twonetd_roles[] = { "applicant", "clerk", "issuer", "operator", "sensor",
				      "admin", "reader", NULL };

/*
 * The table.  A path's {name} matches any one segment; a literal row comes
 * before a {name} row that would match the same path.  The rows of one path
 * are in the order of its Allow header (GET before POST).  The roles are
 * checked before the handler runs, except on the rows marked
 * ROUTE_ROLE_IN_HANDLER (certificate reads: the refusal is audited, after
 * the purpose is checked).  The scope says what the handler checks against
 * the record itself.
 */
static const struct route table[] = {
	{ "GET", "/v1/health", ROUTE_PUBLIC, "-", NULL, h_health, 0 },
	{ "GET", "/v1/items", ROUTE_ANY, "-", NULL, h_items, 0 },
	{ "GET", "/v1/items/{code}", ROUTE_ANY, "-", NULL, h_items, 0 },
	{ "GET", "/v1/workflows", ROUTE_ANY, "-", NULL, h_workflows_get, 0 },
	{ "POST", "/v1/workflows", "admin", "-", "only an admin may publish workflows",
	  h_workflows_post, 0 },
	{ "GET", "/v1/workflows/{code}", ROUTE_ANY, "-", NULL, h_workflows_get, 0 },
	{ "GET", "/v1/cases", "clerk|applicant|admin", "department|applicant",
	  "role '%s' may not list cases", h_cases_list, 0 },
	{ "POST", "/v1/cases", "applicant|clerk|admin", "department|applicant",
	  "role '%s' may not file cases", h_cases_post, 0 },
	{ "GET", "/v1/cases/{id}", "clerk|applicant|admin", "department|applicant",
	  "role '%s' may not read cases", h_case, 0 },
	{ "POST", "/v1/cases/{id}/actions", "clerk|applicant|admin", "department|applicant",
	  "role '%s' may not read cases", h_case_actions, 0 },
	{ "GET", "/v1/cases/{id}/events", "clerk|applicant|admin", "department|applicant",
	  "role '%s' may not read cases", h_case_events, 0 },
	{ "GET", "/v1/certs", "admin|clerk|issuer|applicant|reader", "holder",
	  "role '%s' may not read certificates", certs_list, ROUTE_ROLE_IN_HANDLER },
	{ "POST", "/v1/certs", "issuer", "department",
	  "role '%s' may not issue certificates (issuers only)", certs_post_cert, 0 },
	{ "GET", "/v1/certs/{id}", "admin|clerk|issuer|applicant|reader", "holder",
	  "role '%s' may not read certificates", certs_get, ROUTE_ROLE_IN_HANDLER },
	{ "POST", "/v1/certs/{id}/revoke", "issuer|admin", "department",
	  "role '%s' may not revoke certificates", certs_post_revoke, 0 },
	{ "GET", "/v1/issuers", ROUTE_PUBLIC, "-", NULL, certs_issuers, 0 },
	{ "POST", "/v1/consents", "admin|applicant", "holder",
	  "only a holder (an applicant token with a subject) or an admin may grant consent",
	  certs_post_consent, 0 },
	{ "POST", "/v1/consents/codes", "applicant", "holder",
	  "only a holder (an applicant token with a subject) makes consent codes",
	  certs_post_code, 0 },
	{ "GET", "/v1/audit", "admin", "-", "only an admin may read the audit log", certs_audit_list, 0 },
	{ "GET", "/v1/alerts", "operator|admin", "-", "a %s token may not read alerts", alerts_list, 0 },
	{ "POST", "/v1/alerts", "sensor|operator|admin", "-", "a %s token may not raise alerts",
	  alerts_post, 0 },
	{ "GET", "/v1/alerts/stream", "operator|admin", "-", "a %s token may not read alerts",
	  alerts_stream, 0 },
	{ "GET", "/v1/alerts/{id}", "operator|admin", "-", "a %s token may not read alerts",
	  alerts_one, 0 },
	{ "POST", "/v1/alerts/{id}/actions", "operator|admin", "-",
	  "a %s token may not act on alerts", alerts_actions, 0 },
	{ "GET", "/v1/reports/cases", "clerk|admin", "department",
	  "role '%s' may not read case reports", h_report_cases, 0 },
	{ "GET", "/v1/reports/alerts", "operator|admin", "-",
	  "role '%s' may not read alert reports", h_report_alerts, 0 },
};

const struct route *route_table(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

/*
 * 1 when the path's segments seg[0..n) match `pattern`; *arg gets the
 * segment that matched its {name} (borrowed), NULL when it has none.
 */
static int path_match(const char *pattern, char **seg, int n, const char **arg)
{
	const char *p = pattern;
	int i = 0;

	*arg = NULL;
	while (*p == '/') {
		size_t len;

		p++;
		len = strcspn(p, "/");
		if (i == n)
			return 0;
		if (p[0] == '{')
			*arg = seg[i];
		else if (strlen(seg[i]) != len || strncmp(seg[i], p, len) != 0)
			return 0;
		i++;
		p += len;
	}
	return i == n;
}

/* Reply 403 with the row's detail, its "%s" the token's role. */
static void deny(struct req *q, const struct route *r)
{
	struct tn_buf b = TN_BUF_INIT;
	const char *d = r->deny ? r->deny : "role '%s' may not do this";
	const char *s = strstr(d, "%s");

	if (s) {
		tn_buf_add(&b, d, (size_t)(s - d));
		tn_buf_adds(&b, q->tok.role ? q->tok.role : "");
		tn_buf_adds(&b, s + 2);
	} else {
		tn_buf_adds(&b, d);
	}
	reply_problem(q, 403, NULL, "%s", b.buf);
	tn_buf_release(&b);
}

void route_dispatch(struct req *q, char **seg, int n)
{
	const char *m = strcmp(q->method, "HEAD") == 0 ? "GET" : q->method, *arg = NULL, *a;
	const struct route *hit = NULL;
	struct tn_buf allow = TN_BUF_INIT;
	int matched = 0;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct route *r = &table[i];

		if (!path_match(r->path, seg, n, &a))
			continue;
		matched = 1;
		if (!hit && strcmp(r->method, m) == 0) {
			hit = r;
			arg = a;
		}
		if (!strstr(allow.buf, r->method)) {
			if (allow.len)
				tn_buf_adds(&allow, ",");
			tn_buf_adds(&allow, r->method);
		}
	}
	if (!matched) {
		reply_problem(q, 404, NULL, "no such endpoint '%s'", q->uri);
	} else if (!hit) {
		req_set_header(q, "Allow", allow.buf);
		reply_problem(q, 405, NULL, "method %s is not allowed on this resource", q->method);
	} else if (strcmp(hit->roles, ROUTE_PUBLIC) == 0) {
		hit->fn(q, arg);
	} else if (req_auth(q) < 0) {
		;       /* 401 replied */
	} else if (strcmp(hit->roles, ROUTE_ANY) != 0 && !(hit->flags & ROUTE_ROLE_IN_HANDLER) &&
		   !req_role(q, hit->roles)) {
		deny(q, hit);
	} else {
		hit->fn(q, arg);
	}
	tn_buf_release(&allow);
}
