/* cert-audit.c — query the certificate audit log, count reads per day, verify its chain (admin). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_certaudit.h"

static const char *prog = "cert-audit";

static struct tn_audit_query q;
static const char *since_opt, *until_opt, *today_opt;
static int all, stats, verify;
static long limit = 100;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Filters:", NULL, 0 },
	{ TN_OPT_STRING, 0, "holder", &q.holder, "ID",
	  "reads of this holder's certificates (\"who read my certificates\")", NULL, 0 },
	{ TN_OPT_FLAG, 0, "mine", &q.mine, NULL,
	  "reads of the token's own certificates (a holder's applicant token; not an admin's)", NULL, 0 },
	{ TN_OPT_STRING, 0, "cert", &q.cert, "ID", "reads of this certificate", NULL, 0 },
	{ TN_OPT_STRING, 0, "reader", &q.actor, "NAME", "reads by this token (the row's actor)", NULL, 0 },
	{ TN_OPT_STRING, 0, "purpose", &q.purpose, "TEXT", "reads whose purpose contains TEXT", NULL, 0 },
	{ TN_OPT_STRING, 0, "scenario", &q.scenario, "NAME",
	  "reads by this reader scenario (a reader token's name) or role (clerk, applicant, ...)",
	  NULL, 0 },
	{ TN_OPT_STRING, 0, "since", &since_opt, "PERIOD",
	  "from the first day of PERIOD: YYYY-MM-DD, YYYY-MM, YYYY, YYYY-Www, today, yesterday, "
	  "this-week, last-week, this-month, last-month, this-year, last-year", NULL, 0 },
	{ TN_OPT_STRING, 0, "until", &until_opt, "PERIOD", "up to the last day of PERIOD: the same words, today, yesterday, this-week, last-week, "
	  "this-month, last-month, this-year, last-year", NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Paging:", NULL, 0 },
	{ TN_OPT_LONG, 'n', "limit", &limit, "N", "at most N rows (default 100)", NULL, 0 },
	{ TN_OPT_FLAG, 'a', "all", &all, NULL, "every matching row, page after page (NDJSON on a pipe)",
	  NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Instead of rows:", NULL, 0 },
	{ TN_OPT_FLAG, 0, "stats", &stats, NULL,
	  "reads per day, certificate kind and scenario (--since/--until bound the days)", NULL, 0 },
	{ TN_OPT_FLAG, 0, "verify", &verify, NULL,
	  "check the audit log's hash chain on the server; exit 1 naming the first bad row", NULL, 0 },
	{ TN_OPT_LONG, 0, "page", &q.page, "N", "ask the server for N rows a page (tests)", NULL,
	  TN_OPTF_HIDDEN },
	{ TN_OPT_STRING, 0, "today", &today_opt, "DATE", "take DATE as today (tests)", NULL,
	  TN_OPTF_HIDDEN },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"cert-audit",
	"[--holder ID | --mine] [--cert ID] [--reader NAME] [--purpose TEXT] [--scenario NAME] "
	"[--since PERIOD] [--until PERIOD] [--all | -n N] [OPTIONS]\n"
	"--stats [--since PERIOD] [--until PERIOD]\n"
	"--verify",
	"Read the certificate audit log (admin; a holder's own rows with --mine): every\n"
	"certificate read, allowed or refused, one row each in a hash chain.  A table on a terminal, NDJSON (one row a line) otherwise.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER | TN_CMD_NO_OPERANDS
};

static const char *row_columns[] = { "seq", "at", "actor", "role", "cert", "holder", "purpose",
				     "outcome", NULL };
static const char *stats_columns[] = { "day", "kind", "scenario", "reads", "allowed", NULL };
static const char *verify_columns[] = { "ok", "rows", "bad_seq", "why", NULL };

struct emit_ctx {
	struct tn_out *out;
	struct tn_err err;
	int failed;
};

static int emit(void *ctx, jv row)
{
	struct emit_ctx *e = ctx;

	if (tn_out_emit(e->out, row, &e->err) != TN_OK) {
		e->failed = 1;
		return 1;
	}
	return 0;
}

static int run_stats(struct tn_cmd_ctx *x, const char *since, const char *until)
{
	struct tn_err err = TN_ERR_INIT;
	jv body, items;

	if (tn_audit_stats(x->client, since, until, &body, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	items = jv_object_get(body, jv_string("items"));
	if (jv_get_kind(items) != JV_KIND_ARRAY) {
		jv_free(items);
		tn_err_set(&err, TN_ESERVER, "the server's audit stats have no \"items\" list");
		return tn_cli_fail(prog, &err);
	}
	jv_array_foreach(items, i, r) {
		if (err.code == TN_OK)
			tn_out_emit(&x->out, r, &err);
		else
			jv_free(r);
	}
	jv_free(items);
	if (err.code != TN_OK && !x->out.broken_pipe)
		return tn_cli_fail(prog, &err);
	return 0;
}

static int run_verify(struct tn_cmd_ctx *x)
{
	struct tn_err err = TN_ERR_INIT;
	jv body;
	int ok;
	char *why = NULL;
	double bad = 0;

	if (tn_audit_verify(x->client, &body, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	ok = jv_get_kind(jv_object_get(jv_copy(body), jv_string("ok"))) == JV_KIND_TRUE;
	if (!ok) {
		jv b = jv_object_get(jv_copy(body), jv_string("bad_seq"));

		if (jv_get_kind(b) == JV_KIND_NUMBER)
			bad = jv_number_value(b);
		jv_free(b);
		why = tn_jv_str(body, "why") ? tn_xstrdup(tn_jv_str(body, "why")) : NULL;
	}
	if (tn_out_emit(&x->out, body, &err) != TN_OK && !x->out.broken_pipe) {
		free(why);
		return tn_cli_fail(prog, &err);
	}
	if (ok)
		return 0;
	fprintf(stderr, "%s: error: audit log broken at seq %.0f: %s\n", prog, bad,
		why ? why : "(no reason given)");
	free(why);
	return 1;
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct emit_ctx ectx;
	struct tn_list_end end = { 0, -1, 0 };
	char since[16], until[16];
	long today;
	int status = 0, filters;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	filters = q.mine || q.holder || q.cert || q.actor || q.purpose || q.scenario;
	if (limit < 1)
		tn_err_set(&err, TN_EUSAGE, "--limit takes a number above 0, not %ld", limit);
	else if (q.page < 0 || q.page > 1000)
		tn_err_set(&err, TN_EUSAGE, "--page takes a number from 1 to 1000, not %ld", q.page);
	else if (q.mine && q.holder)
		tn_err_set(&err, TN_EUSAGE, "--mine is the token's own holder: no --holder with it");
	else if (q.mine && (stats || verify))
		tn_err_set(&err, TN_EUSAGE, "--mine lists rows: not with --stats or --verify");
	else if (stats && verify)
		tn_err_set(&err, TN_EUSAGE, "--stats and --verify go alone");
	else if (verify && (filters || since_opt || until_opt || all))
		tn_err_set(&err, TN_EUSAGE, "--verify checks the whole log: no filters, no period");
	else if (stats && (filters || all))
		tn_err_set(&err, TN_EUSAGE, "--stats counts every read: only --since and --until go with it");
	if (err.code == TN_OK && tn_report_today(today_opt, &today, &err) == TN_OK)
		tn_audit_period(since_opt, until_opt, today, since, until, &err);
	if (err.code != TN_OK)
		return tn_cli_fail(prog, &err);
	q.since = since;
	q.until = until;
	if (tn_cmd_setup(&x, TN_SETUP_ALL, !verify,
			 verify ? verify_columns : stats ? stats_columns : row_columns, &err) != TN_OK)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	if (verify)
		return tn_cmd_finish(&x, run_verify(&x));
	if (stats)
		return tn_cmd_finish(&x, run_stats(&x, since, until));
	memset(&ectx, 0, sizeof(ectx));
	ectx.out = &x.out;
	if (tn_audit_list(x.client, &q, all ? -1 : limit, emit, &ectx, &end, &err) != TN_OK)
		status = tn_cli_fail(prog, &err);
	else if (ectx.failed && !x.out.broken_pipe)
		status = tn_cli_fail(prog, &ectx.err);
	status = tn_cmd_finish(&x, status);
	if (status == 0 && end.more && !tn_cli_interrupted())
		fprintf(stderr, "%s: %ld shown, more exist; --all for every row\n", prog, end.shown);
	return status;
}
