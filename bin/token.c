/* token.c — administer API tokens over HTTP: list, add, revoke (ids or stdin) and rotate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_ndjson.h"
#include "tn_token.h"

static const char *prog = "token";

static int all;
static const char *role, *name, *dept, *subject, *expires, *crew;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "list options:", NULL, 0 },
	{ TN_OPT_FLAG, 'a', "all", &all, NULL, "revoked and expired tokens too", NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "add options:", NULL, 0 },
	{ TN_OPT_STRING, 0, "role", &role, "ROLE",
	  "applicant, clerk, issuer, operator, sensor, admin, reader or crew (required)", NULL, 0 },
	{ TN_OPT_STRING, 0, "name", &name, "NAME", "who holds it (required)", NULL, 0 },
	{ TN_OPT_STRING, 0, "dept", &dept, "DEPT",
	  "department code (a clerk's or issuer's; a reader's scenario)", NULL, 0 },
	{ TN_OPT_STRING, 0, "subject", &subject, "ID", "an applicant's own id", NULL, 0 },
	{ TN_OPT_STRING, 0, "crew", &crew, "CREW",
	  "a crew token's crew: it sees and acts on the tasks dispatched to CREW", NULL, 0 },
	{ TN_OPT_STRING, 0, "expires", &expires, "DATE",
	  "refused from then on: YYYY-MM-DD (UTC) or YYYY-MM-DDTHH:MM:SSZ", NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"token",
	"list [--all]\n"
	"add --role ROLE --name NAME [--dept DEPT] [--subject ID | --crew CREW] [--expires DATE]\n"
	"revoke ID... | revoke - < ids\n"
	"rotate ID",
	"Administer API tokens (admin; an admin token with a department: its clerks only).\n"
	"add and rotate print the new token's secret once, in its \"token\" member.\n"
	"A token already revoked is skipped.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER
};

static const char *columns[] = { "id", "state", "role", "dept", "name", "expires_at",
				  "last_used_at", NULL };

struct run {
	struct tn_client *c;
	struct tn_out *out;
	long done, skipped, failed;
	enum tn_code last;
	int stop;
};

static void fail(struct run *r, struct tn_err *err)
{
	tn_cli_fail(prog, err);
	r->failed++;
	r->last = err->code;
	if (err->code == TN_EUNREACHABLE || err->code == TN_EINTR ||
	    (err->code == TN_EAUTH && err->http_status == 401))
		r->stop = 1;
}

static void emit(struct run *r, jv doc)
{
	struct tn_err err = TN_ERR_INIT;

	if (tn_out_emit(r->out, doc, &err) != TN_OK) {
		r->stop = 1;
		if (!r->out->broken_pipe)
			fail(r, &err);
	}
}

static void revoke_one(struct run *r, const char *id, int bulk)
{
	struct tn_err err = TN_ERR_INIT;
	jv tok;
	enum tn_code rc = tn_token_revoke(r->c, id, &tok, &err);

	if (rc == TN_OK) {
		r->done++;
		emit(r, tok);
	} else if (rc == TN_ECONFLICT && strstr(err.message, "already revoked")) {
		r->skipped++;
		tn_cli_warn(prog, "%s: already revoked; skipped", id);
	} else {
		if (bulk)
			tn_err_prefix(&err, "%s", id);
		fail(r, &err);
	}
}

/* Ids from stdin: one a line, or NDJSON objects with "id". */
static void revoke_stdin(struct run *r)
{
	struct tn_ndjson in;
	struct tn_err err = TN_ERR_INIT;
	const char *line;
	int got;

	tn_ndjson_init(&in, stdin, "stdin");
	while (!r->stop && !tn_cli_interrupted() && (got = tn_ndjson_next_line(&in, &line, &err)) != 0) {
		char id[32] = "";

		if (got > 0 && *line == '{') {
			jv v = jv_parse(line), n = jv_get_kind(v) == JV_KIND_OBJECT ?
				jv_object_get(jv_copy(v), jv_string("id")) : jv_invalid();

			if (jv_get_kind(n) == JV_KIND_NUMBER)
				snprintf(id, sizeof(id), "%.0f", jv_number_value(n));
			jv_free(n);
			jv_free(v);
			if (!*id)
				tn_err_set(&err, TN_EINVALID, "expected a token id or an object with \"id\"");
		} else if (got > 0) {
			snprintf(id, sizeof(id), "%s", line);
		}
		if (!*id) {
			tn_err_prefix(&err, "stdin:%ld", in.line);
			fail(r, &err);
			if (got < 0 && err.code == TN_EIO)
				break;
			tn_err_clear(&err);
			continue;
		}
		revoke_one(r, id, 1);
	}
	tn_ndjson_release(&in);
}

/* Check the operands and options of subcommand `sub`: TN_OK or err set. */
static enum tn_code check(const char *sub, int nargs, char **argv, struct tn_err *err)
{
	int adds = role || name || dept || subject || expires || crew;

	if (!strcmp(sub, "list")) {
		if (nargs != 1 || adds)
			return tn_err_set(err, TN_EUSAGE, "list takes --all only");
	} else if (!strcmp(sub, "add")) {
		if (nargs != 1 || all)
			return tn_err_set(err, TN_EUSAGE, "add takes options only (no operands, no --all)");
		if (!role || !name)
			return tn_err_set(err, TN_EUSAGE, "add needs --role ROLE and --name NAME");
		if (crew && (subject || strcmp(role, "crew") != 0))
			return tn_err_set(err, TN_EUSAGE, "--crew is a crew token's (--role crew), "
					  "without --subject");
		if (!strcmp(role, "crew") && !crew)
			return tn_err_set(err, TN_EUSAGE, "a crew token needs --crew CREW");
	} else if (!strcmp(sub, "revoke") || !strcmp(sub, "rotate")) {
		if (adds || all)
			return tn_err_set(err, TN_EUSAGE, "%s takes token ids only", sub);
		if (nargs < 2)
			return tn_err_set(err, TN_EUSAGE, "%s needs a token id", sub);
		if (!strcmp(sub, "rotate") && nargs != 2)
			return tn_err_set(err, TN_EUSAGE, "rotate takes one token id");
		for (int i = 2; i <= nargs; i++)
			if (!strcmp(argv[i], "-") && nargs != 2)
				return tn_err_set(err, TN_EUSAGE, "'-' (ids from stdin) goes alone");
	} else {
		tn_err_set(err, TN_EUSAGE, "unknown subcommand '%s' (known: list, add, revoke, rotate)",
			   sub);
		tn_cli_suggest(err, sub, "list|add|revoke|rotate");
		return TN_EUSAGE;
	}
	return TN_OK;
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct run r;
	const char *sub;
	int nargs, bulk, status = 0;
	jv doc;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	nargs = x.nargs;
	if (nargs < 1) {
		tn_err_set(&err, TN_EUSAGE, "no subcommand: list, add, revoke or rotate");
		return tn_cli_fail(prog, &err);
	}
	sub = argv[1];
	if (check(sub, nargs, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	bulk = !strcmp(sub, "revoke") && (nargs > 2 || !strcmp(argv[2], "-"));
	if (tn_cmd_setup(&x, TN_SETUP_ALL, bulk || !strcmp(sub, "list"), columns, &err) != TN_OK)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	memset(&r, 0, sizeof(r));
	r.c = x.client;
	r.out = &x.out;
	if (!strcmp(sub, "list")) {
		if (tn_token_list(r.c, all, &doc, &err) != TN_OK) {
			fail(&r, &err);
		} else {
			jv_array_foreach(doc, i, t) {
				if (!r.stop)
					emit(&r, t);
				else
					jv_free(t);
			}
			jv_free(doc);
		}
	} else if (!strcmp(sub, "add") || !strcmp(sub, "rotate")) {
		enum tn_code rc = !strcmp(sub, "add") ?
			tn_token_add(r.c, role, name, dept, crew ? crew : subject, expires, &doc,
				     &err) :
			tn_token_rotate(r.c, argv[2], &doc, &err);

		if (rc != TN_OK)
			fail(&r, &err);
		else
			emit(&r, doc);
	} else if (!strcmp(argv[2], "-")) {
		revoke_stdin(&r);
	} else {
		for (int i = 2; i <= nargs && !r.stop && !tn_cli_interrupted(); i++)
			revoke_one(&r, argv[i], bulk);
	}
	if (tn_cmd_close_out(&x, &err) != TN_OK && !r.failed) {
		tn_cli_fail(prog, &err);
		r.failed++;
		r.last = err.code;
	}
	if (bulk)
		tn_cli_summary(prog, NULL, r.done, r.skipped, r.failed,
			       tn_cli_interrupted() ? "interrupted" :
			       r.stop && r.failed ? "stopped: the rest not tried" : NULL);
	if (tn_cli_interrupted())
		status = tn_exit_status(TN_EINTR);
	else if (r.failed)
		status = tn_exit_status(!bulk || r.done + r.skipped + r.failed == 1 ||
					r.last == TN_EAUTH || r.last == TN_EUNREACHABLE ?
					r.last : TN_EPARTIAL);
	return tn_cmd_finish(&x, status);
}
