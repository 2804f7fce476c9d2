/* cert-issue.c — issue e-certificates as an issuer: from flags, a JSON/YAML file, or bulk NDJSON on stdin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_case.h"
#include "tn_cert.h"

static const char *prog = "cert-issue";

static struct tn_cert_issue_spec spec;
static const char *file, *key, *kinds_file;
static int bulk;
static long parallel = 8;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Certificate options:", NULL, 0 },
	{ TN_OPT_STRING, 0, "kind", &spec.kind, "KIND", "the kind's code or alias (e.g. CK-SFZ)", NULL, 0 },
	{ TN_OPT_STRING, 0, "holder", &spec.holder, "ID",
	  "the holder's resident ID number or unified social credit code", NULL, 0 },
	{ TN_OPT_STRING, 0, "holder-name", &spec.holder_name, "NAME", "the holder's name", NULL, 0 },
	{ TN_OPT_STRING, 0, "holder-type", &spec.holder_type, "TYPE",
	  "person|org (default: the kind's)", "person|org", 0 },
	{ TN_OPT_LIST, 0, "field", &spec.fields, "NAME=VALUE", "a field of the kind (repeatable)", NULL, 0 },
	{ TN_OPT_STRING, 0, "valid-from", &spec.valid_from, "DATE", "first day of validity (YYYY-MM-DD; default today)", NULL, 0 },
	{ TN_OPT_STRING, 0, "valid-until", &spec.valid_until, "DATE", "last day of validity (default: none)", NULL, 0 },
	{ TN_OPT_STRING, 'f', "file", &file, "FILE", "read the certificate from a JSON or YAML file (- for stdin)", NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Issuing options:", NULL, 0 },
	{ TN_OPT_FLAG, 0, "bulk", &bulk, NULL, "issue every NDJSON line of stdin as a certificate", NULL, 0 },
	{ TN_OPT_LONG, 'p', "parallel", &parallel, "N", "with --bulk: requests in flight, 1 to 256 (default 8)", NULL, 0 },
	{ TN_OPT_STRING, 0, "key", &key, "KEY",
	  "idempotency key (default: SHA-256 of the certificate's canonical JSON)", NULL, 0 },
	{ TN_OPT_STRING, 0, "kinds", &kinds_file, "FILE",
	  "check against this kinds file (default: the shipped certs/kinds.yaml)", NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"cert-issue",
	"--kind KIND --holder ID --holder-name NAME [--field NAME=VALUE]... [OPTIONS]\n"
	"-f FILE [OPTIONS]\n"
	"--bulk [-p N] [OPTIONS] < certs.ndjson",
	"Issue e-certificates, checked against their kind first; re-running the same input never issues twice.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER | TN_CMD_NO_OPERANDS
};

static const char *columns[] = { "id", "kind_name", "holder.name", "holder.id", "valid_until", "status",
				  NULL };

/* Every fault on its own line (err->problems), each after `where`, else the message. */
static int fail_cert(const struct tn_err *err, const char *where)
{
	const char *p = err->problems, *nl;

	if (!*p)
		return tn_cli_fail(prog, err);
	for (; *p; p = *nl ? nl + 1 : nl) {
		if (!(nl = strchr(p, '\n')))
			nl = p + strlen(p);
		fprintf(stderr, "%s: error: %s%.*s\n", prog, where, (int)(nl - p), p);
	}
	return tn_exit_status(err->code);
}

struct bulk_ctx {
	struct tn_out *out;
	int stop;
};

static void on_result(void *ctx, long line, enum tn_code code, jv cert, int replayed,
		      const struct tn_err *err)
{
	struct bulk_ctx *b = ctx;
	struct tn_err e = TN_ERR_INIT;

	if (code != TN_OK) {
		char where[48];

		snprintf(where, sizeof(where), "stdin:%ld: ", line);
		fail_cert(err, where);
		jv_free(cert);
	} else if (b->stop) {
		jv_free(cert);
	} else if (tn_out_emit(b->out, cert, &e) != TN_OK) {
		if (!b->out->broken_pipe)
			tn_cli_fail(prog, &e);
		b->stop = 1;
	}
}

static int run_bulk(struct tn_client *c, jv kinds, struct tn_out *out)
{
	struct bulk_ctx b = { out, 0 };
	struct tn_cert_issue_stats st;
	struct tn_err err = TN_ERR_INIT;
	enum tn_code rc;

	rc = tn_cert_issue_bulk(c, kinds, stdin, "stdin", (int)parallel, on_result, &b, &st, &err);
	tn_cli_summary(prog, NULL, st.issued, st.replayed, st.failed,
		       tn_cli_interrupted() ? "interrupted" :
		       rc != TN_OK && rc != TN_EPARTIAL ? "stopped: the rest not tried" : NULL);
	if (tn_cli_interrupted())
		return tn_exit_status(TN_EINTR);
	if (rc == TN_EPARTIAL)
		return tn_exit_status(rc);
	return rc == TN_OK ? 0 : tn_cli_fail(prog, &err);
}

static int run_single(struct tn_client *c, jv kinds, struct tn_out *out)
{
	struct tn_err err = TN_ERR_INIT;
	jv rec, body, cert;
	char *k;
	int replayed;
	enum tn_code rc;

	if (file) {
		if ((rc = tn_case_read_file(file, &rec, &err)) != TN_OK)
			return tn_cli_fail(prog, &err);
	} else if (tn_cert_issue_build(&spec, &rec, &err) != TN_OK) {
		return tn_cli_fail(prog, &err);
	}
	if (tn_cert_issue_prepare(kinds, rec, key, &body, &k, &err) != TN_OK)
		return fail_cert(&err, "");
	rc = tn_cert_issue(c, body, k, &cert, &replayed, &err);
	free(k);
	if (rc != TN_OK)
		return fail_cert(&err, "");
	if (replayed) {
		const char *id = tn_jv_str(cert, "id");

		fprintf(stderr, "%s: certificate '%s' was issued before with this key; nothing new issued\n",
			prog, id ? id : "?");
	}
	if (tn_out_emit(out, cert, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	return 0;
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	jv kinds;
	int status;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	if (bulk && file)
		tn_err_set(&err, TN_EUSAGE, "--bulk and --file are exclusive");
	else if ((bulk || file) && (key && bulk))
		tn_err_set(&err, TN_EUSAGE, "--bulk takes each certificate, and its \"key\", from stdin");
	else if ((bulk || file) && (spec.kind || spec.holder || spec.holder_name || spec.holder_type ||
				    spec.fields || spec.valid_from || spec.valid_until))
		tn_err_set(&err, TN_EUSAGE, "--%s takes the whole certificate: give no --kind, --holder, "
			   "--field or dates with it", bulk ? "bulk" : "file");
	else if (!bulk && !file && !spec.kind)
		tn_err_set(&err, TN_EUSAGE, "nothing to issue: give --kind (with --holder, "
			   "--holder-name, --field), --file or --bulk");
	else if (parallel < 1 || parallel > 256)
		tn_err_set(&err, TN_EUSAGE, "--parallel takes 1 to 256, not %ld", parallel);
	if (err.code != TN_OK)
		return tn_cli_fail(prog, &err);
	if (tn_cert_kinds_load(kinds_file, &kinds, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (tn_cmd_setup(&x, TN_SETUP_ALL, bulk, columns, &err) != TN_OK) {
		jv_free(kinds);
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	}
	status = bulk ? run_bulk(x.client, kinds, &x.out) : run_single(x.client, kinds, &x.out);
	jv_free(kinds);
	return tn_cmd_finish(&x, status);
}
