/* cert-consent.c — a holder's consents to the reading of their e-certificates: a one-time code for the clerk, grants to reader scenarios, their list and revocation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "twonet.h"
#include "tn_cert.h"
#include "tn_consent.h"
#include "tn_ndjson.h"

static const char *prog = "cert-consent";

static const char *scenario, *kinds, *until, *holder;
static int all;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Grant options:", NULL, 0 },
	{ TN_OPT_STRING, 's', "scenario", &scenario, "NAME",
	  "the reader scenario (hospital, school, station, museum, bank, yrd-city, scenic-area, "
	  "amusement-park); list: only this one", NULL, 0 },
	{ TN_OPT_LIST, 'k', "kinds", &kinds, "K1,K2",
	  "the kinds it may read (codes or aliases; default: every kind of the scenario)", NULL, 0 },
	{ TN_OPT_STRING, 'u', "until", &until, "DATE",
	  "expiry: a date (the end of that day, Shanghai time) or an RFC 3339 time", NULL, 0 },
	{ TN_OPT_STRING, 0, "holder", &holder, "ID",
	  "the holder (an admin on the holder's behalf; list: an admin's filter)", NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "List options:", NULL, 0 },
	{ TN_OPT_FLAG, 'a', "all", &all, NULL, "revoked and expired consents too", NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"cert-consent",
	"code\n"
	"grant --scenario NAME [--kinds K1,K2] --until DATE [--holder ID]\n"
	"list [--all] [--scenario NAME] [--holder ID]\n"
	"revoke ID...\n"
	"revoke - < ids",
	"A holder's consent to the reading of their e-certificates.  'code' makes a\n"
	"one-time code (with the holder's own applicant token) to read out to a clerk:\n"
	"it lets that clerk read the holder's certificates for 10 minutes and file a\n"
	"case with them.  'grant' lets the readers of a scenario (a hospital, a museum...)\n"
	"see some kinds of the holder's certificates until a date: it prints the consent\n"
	"token the holder hands to the reader.  A scenario may ask only for its own kinds\n"
	"(kinds.yaml: scenarios).  'list' shows the holder's consents in force (an admin:\n"
	"everyone's, or --holder's; --all: revoked and expired ones too); 'revoke' ends\n"
	"consents by id at once (ids on stdin with '-').",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER
};

static int emit(struct tn_cmd_ctx *x, jv v, struct tn_err *err)
{
	if (tn_out_emit(&x->out, v, err) != TN_OK && !x->out.broken_pipe)
		return tn_cli_fail(prog, err);
	return 0;
}

static int run_code(struct tn_cmd_ctx *x, struct tn_err *err)
{
	jv code;
	int st;

	if (tn_cmd_setup(x, TN_SETUP_ALL, 0, tn_cert_code_columns, err) != TN_OK ||
	    tn_cert_code_new(x->client, &code, err) != TN_OK)
		return tn_cli_fail(prog, err);
	if (isatty(STDERR_FILENO)) {
		const char *t = tn_jv_str(code, "expires_at");

		fprintf(stderr, "%s: read this code out to the clerk; it serves one clerk, until %s\n",
			prog, t ? t : "?");
	}
	st = emit(x, code, err);
	return st;
}

static int run_grant(struct tn_cmd_ctx *x, struct tn_err *err)
{
	jv c;

	if (tn_cmd_setup(x, TN_SETUP_ALL, 0, tn_consent_columns, err) != TN_OK ||
	    tn_consent_grant(x->client, scenario, kinds, until, holder, &c, err) != TN_OK)
		return tn_cli_fail(prog, err);
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "%s: consent %s granted: hand the token to the reader\n", prog,
			tn_jv_str_or(c, "scenario", "?"));
	return emit(x, c, err);
}

static int run_list(struct tn_cmd_ctx *x, struct tn_err *err)
{
	jv items;
	int n, st = 0;

	if (tn_cmd_setup(x, TN_SETUP_ALL, 1, tn_consent_columns, err) != TN_OK ||
	    tn_consent_list(x->client, holder, scenario, &items, err) != TN_OK)
		return tn_cli_fail(prog, err);
	n = jv_array_length(jv_copy(items));
	for (int i = 0; i < n && st == 0 && !x->out.broken_pipe; i++) {
		jv c = jv_array_get(jv_copy(items), i);
		const char *s = tn_jv_str(c, "status");

		if (all || (s && !strcmp(s, "active")))
			st = emit(x, c, err);
		else
			jv_free(c);
	}
	jv_free(items);
	if (st == 0 && tn_cmd_close_out(x, err) != TN_OK)
		st = tn_cli_fail(prog, err);
	return st;
}

struct run {
	struct tn_cmd_ctx *x;
	long done, skipped, failed;
	enum tn_code last;
	int bulk, stop;
};

static void revoke_one(struct run *r, const char *id)
{
	struct tn_err err = TN_ERR_INIT;
	jv c;
	enum tn_code rc = tn_consent_revoke(r->x->client, id, &c, &err);

	if (rc == TN_OK) {
		r->done++;
		if (tn_out_emit(&r->x->out, c, &err) == TN_OK || r->x->out.broken_pipe) {
			r->stop = r->x->out.broken_pipe;
			return;
		}
	} else if (rc == TN_ECONFLICT && strstr(err.message, "already revoked")) {
		r->skipped++;
		tn_cli_warn(prog, "consent %s: already revoked; skipped", id);
		return;
	}
	if (r->bulk)
		tn_err_prefix(&err, "consent %s", id);
	tn_cli_fail(prog, &err);
	r->failed++;
	r->last = err.code;
	if (err.code == TN_EUNREACHABLE || err.code == TN_EINTR ||
	    (err.code == TN_EAUTH && err.http_status == 401))
		r->stop = 1;
}

static int run_revoke(struct tn_cmd_ctx *x, int nargs, char **ids, struct tn_err *err)
{
	struct run r;
	int from_stdin = nargs == 1 && strcmp(ids[0], "-") == 0;

	for (int i = 0; i < nargs; i++)
		if (!from_stdin && strcmp(ids[i], "-") == 0)
			return tn_cli_fail(prog, (tn_err_set(err, TN_EUSAGE, "'-' (ids from stdin) goes "
							     "alone"), err));
	if (tn_cmd_setup(x, TN_SETUP_ALL, from_stdin || nargs > 1, tn_consent_columns, err) != TN_OK)
		return tn_cli_fail(prog, err);
	memset(&r, 0, sizeof(r));
	r.x = x;
	r.bulk = from_stdin || nargs > 1;
	if (from_stdin) {
		struct tn_ndjson in;
		const char *line;
		int got;

		tn_ndjson_init(&in, stdin, "stdin");
		while (!r.stop && !tn_cli_interrupted() &&
		       (got = tn_ndjson_next_line(&in, &line, err)) != 0) {
			char *id = NULL;

			if (got > 0 && *line == '{') {
				jv v = jv_parse(line), i = jv_get_kind(v) == JV_KIND_OBJECT
					? jv_object_get(jv_copy(v), jv_string("id")) : jv_invalid();

				if (jv_get_kind(i) == JV_KIND_NUMBER) {
					char buf[32];

					snprintf(buf, sizeof(buf), "%.0f", jv_number_value(i));
					id = tn_xstrdup(buf);
				} else if (jv_get_kind(i) == JV_KIND_STRING) {
					id = tn_xstrdup(jv_string_value(i));
				}
				jv_free(i);
				jv_free(v);
			} else if (got > 0) {
				id = tn_xstrdup(line);
			}
			if (!id) {
				if (got > 0)
					tn_err_set(err, TN_EINVALID, "expected a consent id or an object "
						   "with \"id\"");
				tn_err_prefix(err, "stdin:%ld", in.line);
				tn_cli_fail(prog, err);
				r.failed++;
				r.last = err->code;
				if (got < 0 && err->code == TN_EIO)
					break;
				tn_err_clear(err);
				continue;
			}
			revoke_one(&r, id);
			free(id);
		}
		tn_ndjson_release(&in);
	} else {
		for (int i = 0; i < nargs && !r.stop && !tn_cli_interrupted(); i++)
			revoke_one(&r, ids[i]);
	}
	if (tn_cmd_close_out(x, err) != TN_OK && !r.failed) {
		tn_cli_fail(prog, err);
		r.failed++;
		r.last = err->code;
	}
	if (r.bulk)
		tn_cli_summary(prog, NULL, r.done, r.skipped, r.failed,
			       tn_cli_interrupted() ? "interrupted" :
			       r.stop && r.failed ? "stopped: the rest not tried" : NULL);
	if (tn_cli_interrupted())
		return tn_exit_status(TN_EINTR);
	if (r.failed)
		return tn_exit_status(r.done + r.skipped + r.failed == 1 || r.last == TN_EAUTH ||
				      r.last == TN_EUNREACHABLE ? r.last : TN_EPARTIAL);
	return 0;
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	const char *sub;
	int status;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	sub = x.nargs > 0 ? argv[1] : NULL;
	if (!sub) {
		tn_err_set(&err, TN_EUSAGE, "give a subcommand: code, grant, list or revoke");
	} else if (!strcmp(sub, "code") || !strcmp(sub, "grant") || !strcmp(sub, "list")) {
		if (x.nargs > 1)
			tn_err_set(&err, TN_EUSAGE, "unexpected argument '%s'", argv[2]);
		else if (strcmp(sub, "grant") && (kinds || until))
			tn_err_set(&err, TN_EUSAGE, "--kinds and --until are for 'grant'");
		else if (strcmp(sub, "list") && all)
			tn_err_set(&err, TN_EUSAGE, "--all is for 'list'");
		else if (!strcmp(sub, "code") && (scenario || holder))
			tn_err_set(&err, TN_EUSAGE, "'code' takes no --scenario or --holder");
		else if (!strcmp(sub, "grant") && (!scenario || !until))
			tn_err_set(&err, TN_EUSAGE, "grant needs --scenario NAME and --until DATE");
	} else if (!strcmp(sub, "revoke")) {
		if (x.nargs < 2)
			tn_err_set(&err, TN_EUSAGE, "no consent id given (or '-' for stdin)");
		else if (scenario || kinds || until || holder || all)
			tn_err_set(&err, TN_EUSAGE, "'revoke' takes consent ids only");
	} else {
		tn_err_set(&err, TN_EUSAGE, "unknown subcommand '%s' (known: code, grant, list, revoke)",
			   sub);
		tn_cli_suggest(&err, sub, "code|grant|list|revoke");
	}
	if (err.code != TN_OK)
		return tn_cli_fail(prog, &err);
	if (!strcmp(sub, "code"))
		status = run_code(&x, &err);
	else if (!strcmp(sub, "grant"))
		status = run_grant(&x, &err);
	else if (!strcmp(sub, "list"))
		status = run_list(&x, &err);
	else
		status = run_revoke(&x, x.nargs - 1, argv + 2, &err);
	return tn_cmd_finish(&x, status);
}
