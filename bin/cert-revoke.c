/* cert-revoke.c — revoke e-certificates by id, or ids on stdin, with a reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_cert.h"
#include "tn_ndjson.h"

static const char *prog = "cert-revoke";

static const char *reason;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Revoke options:", NULL, 0 },
	{ TN_OPT_STRING, 'r', "reason", &reason, "TEXT", "why (required; kept with the certificate)", NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"cert-revoke",
	"--reason TEXT ID...\n"
	"--reason TEXT - < ids",
	"Revoke e-certificates (issuer of their department, or admin): cert-fetch shows them revoked at once.\n"
	"IDs come from the arguments, or from stdin with '-': one id a line, or NDJSON objects with \"id\".\n"
	"A certificate already revoked is skipped.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER
};

static const char *columns[] = { "id", "kind_name", "holder.name", "status", "revoked_at",
				  "revoke_reason", NULL };

struct run {
	struct tn_client *c;
	struct tn_out *out;
	int bulk;
	long done, skipped, failed;
	enum tn_code last;
	int stop;
};

static void revoke_one(struct run *r, const char *id, long line)
{
	struct tn_err err = TN_ERR_INIT;
	jv cert;
	enum tn_code rc = tn_cert_revoke(r->c, id, reason, &cert, &err);

	if (rc == TN_OK) {
		r->done++;
		if (tn_out_emit(r->out, cert, &err) == TN_OK)
			return;
		r->stop = 1;
		if (r->out->broken_pipe)
			return;
	} else if (rc == TN_ECONFLICT && strstr(err.message, "already revoked")) {
		r->skipped++;
		tn_cli_warn(prog, "%s: already revoked; skipped", id);
		return;
	}
	if (r->bulk && line > 0)
		tn_err_prefix(&err, "%s (line %ld)", id, line);
	else if (r->bulk)
		tn_err_prefix(&err, "%s", id);
	tn_cli_fail(prog, &err);
	r->failed++;
	r->last = err.code;
	if (err.code == TN_EUNREACHABLE || err.code == TN_EINTR ||
	    (err.code == TN_EAUTH && err.http_status == 401))
		r->stop = 1;
}

/* The id of one stdin line: the line, or the "id" of an NDJSON object (malloc'd), or NULL. */
static char *id_from_line(const char *line, struct tn_err *err)
{
	char *id = NULL;

	if (*line == '{') {
		jv v = jv_parse(line);

		if (jv_get_kind(v) == JV_KIND_OBJECT && tn_jv_str(v, "id"))
			id = tn_xstrdup(tn_jv_str(v, "id"));
		jv_free(v);
		if (!id)
			tn_err_set(err, TN_EINVALID, "expected a certificate id or an object with \"id\"");
		return id;
	}
	return tn_xstrdup(line);
}

static void revoke_stdin(struct run *r)
{
	struct tn_ndjson in;
	struct tn_err err = TN_ERR_INIT;
	const char *line;
	int got;

	tn_ndjson_init(&in, stdin, "stdin");
	while (!r->stop && !tn_cli_interrupted() && (got = tn_ndjson_next_line(&in, &line, &err)) != 0) {
		char *id = got > 0 ? id_from_line(line, &err) : NULL;

		if (!id) {
			tn_err_prefix(&err, "stdin:%ld", in.line);
			tn_cli_fail(prog, &err);
			r->failed++;
			r->last = err.code;
			if (got < 0 && err.code == TN_EIO)
				break;
			tn_err_clear(&err);
			continue;
		}
		revoke_one(r, id, in.line);
		free(id);
	}
	tn_ndjson_release(&in);
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct run r;
	int nargs, from_stdin = 0, status = 0;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	nargs = x.nargs;
	if (nargs < 1)
		tn_err_set(&err, TN_EUSAGE, "no certificate id given (or '-' for stdin)");
	else if (!reason)
		tn_err_set(&err, TN_EUSAGE, "--reason TEXT is required");
	else if (!*reason)
		tn_err_field(&err, TN_EINVALID, "reason", "--reason must not be empty");
	for (int i = 1; i <= nargs && err.code == TN_OK; i++)
		if (!strcmp(argv[i], "-")) {
			if (nargs != 1)
				tn_err_set(&err, TN_EUSAGE, "'-' (ids from stdin) goes alone");
			from_stdin = 1;
		}
	if (err.code != TN_OK)
		return tn_cli_fail(prog, &err);
	if (tn_cmd_setup(&x, TN_SETUP_ALL, from_stdin || nargs > 1, columns, &err) != TN_OK)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	memset(&r, 0, sizeof(r));
	r.c = x.client;
	r.out = &x.out;
	r.bulk = from_stdin || nargs > 1;
	if (from_stdin)
		revoke_stdin(&r);
	else
		for (int i = 1; i <= nargs && !r.stop && !tn_cli_interrupted(); i++)
			revoke_one(&r, argv[i], 0);
	if (tn_cmd_close_out(&x, &err) != TN_OK && !r.failed) {
		tn_cli_fail(prog, &err);
		r.failed++;
		r.last = err.code;
	}
	if (r.bulk)
		tn_cli_summary(prog, NULL, r.done, r.skipped, r.failed,
			       tn_cli_interrupted() ? "interrupted" :
			       r.stop && r.failed ? "stopped: the rest not tried" : NULL);
	if (tn_cli_interrupted())
		status = tn_exit_status(TN_EINTR);
	else if (r.failed)
		status = tn_exit_status(r.done + r.skipped + r.failed == 1 || r.last == TN_EAUTH ||
					r.last == TN_EUNREACHABLE ? r.last : TN_EPARTIAL);
	return tn_cmd_finish(&x, status);
}
