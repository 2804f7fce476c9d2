/* routes.c — twonetd's route table: one row per endpoint (method, path, roles, scope, handler), and the router that walks it. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tn_buf.h"
#include "tn_cli.h"
#include "store_certs.h"
#include "twonetd.h"

const char *const twonetd_roles[] = { "applicant", "clerk", "issuer", "operator", "sensor",
				      "admin", "reader", "crew", NULL };

/*
 * The table.  A path's {name} matches any one segment; a literal row comes
 * before a {name} row that would match the same path.  The rows of one path
 * are in the order of its Allow header (GET before POST).  The roles are
 * checked before the handler runs, except on the rows marked
 * ROUTE_ROLE_IN_HANDLER (certificate reads: the refusal is audited, after
 * the purpose is checked).  The scope names what the handler checks against
 * the record itself: "department" (a clerk or issuer, its own department's
 * only), "own" (an applicant, its own cases only), "holder" (the holder's
 * own, or by consent), "audited" (every answer writes an audit row).
 */
static const struct route table[] = {
	{ "GET", "/v1/health", ROUTE_PUBLIC, "-", NULL, h_health, 0 },
	{ "GET", "/v1/items", ROUTE_ANY, "-", NULL, h_items, 0 },
	{ "GET", "/v1/items/{code}", ROUTE_ANY, "-", NULL, h_items, 0 },
	{ "GET", "/v1/workflows", ROUTE_ANY, "-", NULL, h_workflows_get, 0 },
	{ "POST", "/v1/workflows", "admin", "-", "only an admin may publish workflows",
	  h_workflows_post, 0 },
	{ "GET", "/v1/workflows/{code}", ROUTE_ANY, "-", NULL, h_workflows_get, 0 },
	{ "GET", "/v1/cases", "applicant|clerk|admin", "department,own",
	  "role '%s' may not list cases", h_cases_list, 0 },
	{ "POST", "/v1/cases", "applicant|clerk|admin", "department,own",
	  "role '%s' may not file cases", h_cases_post, 0 },
	{ "GET", "/v1/cases/{id}", "applicant|clerk|admin", "department,own",
	  "role '%s' may not read cases", h_case, 0 },
	{ "POST", "/v1/cases/{id}/actions", "applicant|clerk|admin", "department,own",
	  "role '%s' may not read cases", h_case_actions, 0 },
	{ "GET", "/v1/cases/{id}/events", "applicant|clerk|admin", "department,own",
	  "role '%s' may not read cases", h_case_events, 0 },
	{ "GET", "/v1/certs", "applicant|clerk|issuer|admin|reader", "holder,audited",
	  "role '%s' may not read certificates", certs_list, ROUTE_ROLE_IN_HANDLER },
	{ "POST", "/v1/certs", "issuer", "department",
	  "role '%s' may not issue certificates (issuers only)", certs_post_cert, 0 },
	{ "GET", "/v1/certs/{id}", "applicant|clerk|issuer|admin|reader", "holder,audited",
	  "role '%s' may not read certificates", certs_get,
	  ROUTE_ROLE_IN_HANDLER | ROUTE_ONE_READ },
	{ "POST", "/v1/certs/{id}/revoke", "issuer|admin", "department",
	  "role '%s' may not revoke certificates", certs_post_revoke, 0 },
	{ "GET", "/v1/issuers", ROUTE_PUBLIC, "-", NULL, certs_issuers, 0 },
	{ "POST", "/v1/consents", "applicant|admin", "holder",
	  "only a holder (an applicant token with a subject) or an admin may grant consent",
	  certs_post_consent, 0 },
	{ "GET", "/v1/consents", "applicant|admin", "holder",
	  "only a holder (an applicant token with a subject) or an admin may list consents",
	  certs_consents_list, 0 },
	{ "POST", "/v1/consents/{id}/revoke", "applicant|admin", "holder",
	  "only a holder (an applicant token with a subject) or an admin may revoke consent",
	  certs_consent_revoke, 0 },
	{ "POST", "/v1/consents/codes", "applicant", "holder",
	  "only a holder (an applicant token with a subject) makes consent codes",
	  certs_post_code, 0 },
	{ "GET", "/v1/audit", "admin", "-", "only an admin may read the audit log", certs_audit_list, 0 },
	{ "GET", "/v1/audit/mine", "applicant", "holder",
	  "only a holder (an applicant token with a subject) reads its own audit rows",
	  certs_audit_mine, 0 },
	{ "GET", "/v1/audit/stats", "admin", "-", "only an admin may read the audit log",
	  certs_audit_stats, 0 },
	{ "GET", "/v1/audit/verify", "admin", "-", "only an admin may verify the audit log",
	  certs_audit_verify, 0 },
	{ "GET", "/v1/alerts", "operator|admin", "-", "a %s token may not read alerts", alerts_list, 0 },
	{ "POST", "/v1/alerts", "sensor|operator|admin", "-", "a %s token may not raise alerts",
	  alerts_post, 0 },
	{ "GET", "/v1/alerts/stream", "operator|admin", "-", "a %s token may not read alerts",
	  alerts_stream, 0 },
	{ "GET", "/v1/alerts/{id}", "operator|admin", "-", "a %s token may not read alerts",
	  alerts_one, 0 },
	{ "POST", "/v1/alerts/{id}/actions", "operator|admin", "-",
	  "a %s token may not act on alerts", alerts_actions, 0 },
	{ "GET", "/v1/tasks", "operator|crew|admin", "department,crew",
	  "a %s token may not read tasks", tasks_list, 0 },
	{ "GET", "/v1/tasks/{id}", "operator|crew|admin", "department,crew",
	  "a %s token may not read tasks", tasks_one, 0 },
	{ "POST", "/v1/tasks/{id}/actions", "operator|crew|admin", "department,crew",
	  "a %s token may not act on tasks", tasks_actions, 0 },
	{ "GET", "/v1/tasks/{id}/events", "operator|crew|admin", "department,crew",
	  "a %s token may not read tasks", tasks_events, 0 },
	{ "GET", "/v1/rules", "operator|admin", "-", "a %s token may not read the rules",
	  tasks_rules_get, 0 },
	{ "GET", "/v1/assets", "operator|crew|admin", "-", "a %s token may not read the asset "
	  "register", assets_list, 0 },
	{ "GET", "/v1/assets/{id}", "operator|crew|admin", "-", "a %s token may not read the "
	  "asset register", assets_one, 0 },
	{ "POST", "/v1/assets/{id}/state", "operator|crew|admin", "crew", "a %s token may not "
	  "set an asset's state", assets_state, 0 },
	{ "GET", "/v1/tokens", "admin", "department", "only an admin may list tokens", tokens_list, 0 },
	{ "POST", "/v1/tokens", "admin", "department", "only an admin may add tokens", tokens_post, 0 },
	{ "POST", "/v1/tokens/{id}/revoke", "admin", "department",
	  "only an admin may revoke tokens", tokens_revoke, 0 },
	{ "POST", "/v1/tokens/{id}/rotate", "admin", "department",
	  "only an admin may rotate tokens", tokens_rotate, 0 },
	{ "GET", "/v1/reports/cases", "clerk|admin", "department",
	  "role '%s' may not read case reports", h_report_cases, 0 },
	{ "GET", "/v1/reports/alerts", "operator|admin", "-",
	  "role '%s' may not read alert reports", h_report_alerts, 0 },
	{ "GET", "/v1/vitals", "operator|admin", "-", "role '%s' may not read the vital signs",
	  h_vitals, 0 },
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
static int path_match(const char *p, char **seg, int n, const char **arg)
{
	int i = 0;

	*arg = NULL;
	while (*p == '/') {
		const char *s;

		p++;
		if (i == n)
			return 0;
		if (*p == '{') {
			*arg = seg[i];
			p += strcspn(p, "/");
		} else {
			for (s = seg[i]; *s && *s == *p; s++)
				p++;
			if (*s || (*p && *p != '/'))
				return 0;
		}
		i++;
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

#define ROUTES (sizeof(table) / sizeof(table[0]))

/* Each row's number of segments: a path of another number is not compared with it. */
static const unsigned char *row_segs(void)
{
	static unsigned char segs[ROUTES];
	static int made;

	for (size_t i = 0; !made && i < ROUTES; i++)
		for (const char *p = table[i].path; *p; p++)
			segs[i] += *p == '/';
	made = 1;
	return segs;
}

void route_dispatch(struct req *q, char **seg, int n)
{
	const char *m = strcmp(q->method, "HEAD") == 0 ? "GET" : q->method, *arg = NULL, *a;
	const unsigned char *segs = row_segs();
	const struct route *hit = NULL;
	struct tn_buf allow = TN_BUF_INIT;
	int matched = 0;

	for (size_t i = 0; i < ROUTES && !hit; i++) {
		const struct route *r = &table[i];

		if (segs[i] != n || !path_match(r->path, seg, n, &a))
			continue;
		matched = 1;
		if (strcmp(r->method, m) == 0) {
			hit = r;
			arg = a;
		}
	}
	/* 405: the methods the path has, for Allow */
	for (size_t i = 0; i < ROUTES && matched && !hit; i++) {
		const struct route *r = &table[i];

		if (segs[i] == n && path_match(r->path, seg, n, &a) && !strstr(allow.buf, r->method)) {
			if (allow.len)
				tn_buf_adds(&allow, ",");
			tn_buf_adds(&allow, r->method);
		}
	}
	if (hit && (hit->flags & ROUTE_ONE_READ))
		store_certs_read_begin(q->srv->st);     /* the token and the handler's reads: one snapshot */
	else
		store_certs_read_release(q->srv->st);   /* a snapshot a batch held ends before all else */
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
		/* an allowed call is a use of its token (GET /v1/tokens shows the last); a
		 * handler that checks the roles records it after its check */
		if (!(hit->flags & ROUTE_ROLE_IN_HANDLER))
			store_token_touch(q->srv->st, &q->tok);
		hit->fn(q, arg);
	}
	if (hit && (hit->flags & ROUTE_ONE_READ))
		store_certs_read_end(q->srv->st);       /* the handler's, or a refusal's */
	tn_buf_release(&allow);
}

/* ---- twonetd routes: the table, printed ---- */

/* The roles of `r` as printed: "public", "any" or "clerk,applicant,admin" (owned by *b). */
static const char *roles_text(const struct route *r, struct tn_buf *b)
{
	tn_buf_reset(b);
	for (const char *p = r->roles; *p; p++)
		tn_buf_addch(b, *p == '|' ? ',' : *p);
	return b->buf;
}

/* The row as JSON: {"method","path","roles":[...],"public","scope","checked_by"}. */
static jv route_json(const struct route *r)
{
	jv o = jv_object(), roles = jv_array();
	int pub = strcmp(r->roles, ROUTE_PUBLIC) == 0, any = strcmp(r->roles, ROUTE_ANY) == 0;

	if (any) {
		for (size_t i = 0; twonetd_roles[i]; i++)
			roles = jv_array_append(roles, jv_string(twonetd_roles[i]));
	} else if (!pub) {
		for (const char *p = r->roles; *p;) {
			size_t len = strcspn(p, "|");

			roles = jv_array_append(roles, jv_string_sized(p, (int)len));
			p += len + (p[len] ? 1 : 0);
		}
	}
	o = jv_object_set(o, jv_string("method"), jv_string(r->method));
	o = jv_object_set(o, jv_string("path"), jv_string(r->path));
	o = jv_object_set(o, jv_string("roles"), roles);
	o = jv_object_set(o, jv_string("public"), jv_bool(pub));
	o = jv_object_set(o, jv_string("any_token"), jv_bool(any));
	o = jv_object_set(o, jv_string("scope"), jv_string(r->scope));
	o = jv_object_set(o, jv_string("checked_by"),
			  jv_string(pub ? "none" : (r->flags & ROUTE_ROLE_IN_HANDLER) ? "handler" :
				    "router"));
	return o;
}

int cmd_routes(int argc, char **argv)
{
	const char *format = NULL;
	int json_flag = 0, nargs, rc, json;
	const struct tn_option opts[] = {
		{ TN_OPT_FLAG, 0, "json", &json_flag, NULL, "the same as --format json", NULL, 0 },
		{ TN_OPT_STRING, 0, "format", &format, "FORMAT",
		  "json or table (default: table on a terminal, json on a pipe)", NULL, 0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd routes", "[--json | --format FORMAT]",
		"print the route table: each endpoint's method, path, roles and scope", opts, 0 };
	size_t n = sizeof(table) / sizeof(table[0]);
	struct tn_buf b = TN_BUF_INIT;

	if ((rc = twonetd_parse(&cmd, argc, argv, &nargs)) >= 0)
		return rc;
	if (nargs > 0) {
		fprintf(stderr, "twonetd: error: routes takes no operands\n");
		return 2;
	}
	if (format && strcmp(format, "json") != 0 && strcmp(format, "table") != 0) {
		fprintf(stderr, "twonetd: error: --format takes json or table, not '%s'\n", format);
		return 2;
	}
	json = json_flag ? 1 : format ? !strcmp(format, "json") : !isatty(STDOUT_FILENO);
	if (json) {
		jv out = jv_array(), text;

		for (size_t i = 0; i < n; i++)
			out = jv_array_append(out, route_json(&table[i]));
		text = jv_dump_string(out, 0);
		printf("%s\n", jv_string_value(text));
		jv_free(text);
	} else {
		int wm = (int)strlen("METHOD"), wp = (int)strlen("PATH"), wr = (int)strlen("ROLES");

		for (size_t i = 0; i < n; i++) {
			int l = (int)strlen(roles_text(&table[i], &b));

			if ((int)strlen(table[i].method) > wm)
				wm = (int)strlen(table[i].method);
			if ((int)strlen(table[i].path) > wp)
				wp = (int)strlen(table[i].path);
			if (l > wr)
				wr = l;
		}
		printf("%-*s  %-*s  %-*s  %s\n", wm, "METHOD", wp, "PATH", wr, "ROLES", "SCOPE");
		for (size_t i = 0; i < n; i++)
			printf("%-*s  %-*s  %-*s  %s\n", wm, table[i].method, wp, table[i].path, wr,
			       roles_text(&table[i], &b), table[i].scope);
	}
	tn_buf_release(&b);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "twonetd: error: cannot write the routes\n");
		return 1;
	}
	return 0;
}
