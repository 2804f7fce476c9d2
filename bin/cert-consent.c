/* cert-consent.c — a holder's consent to the reading of their e-certificates: a one-time code for the clerk at the window. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "twonet.h"
#include "tn_cert.h"

static const char *prog = "cert-consent";

static const struct tn_option options[] = {
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"cert-consent",
	"code [OPTIONS]",
	"A holder's consent to the reading of their e-certificates.  'code' makes a\n"
	"one-time code (with the holder's own applicant token) to read out to a clerk:\n"
	"it lets that clerk read the holder's certificates for 10 minutes and file a\n"
	"case with them.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER
};

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	jv code;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	if (x.nargs == 0)
		tn_err_set(&err, TN_EUSAGE, "give a subcommand: code");
	else if (strcmp(argv[1], "code") != 0) {
		tn_err_set(&err, TN_EUSAGE, "unknown subcommand '%s' (known: code)", argv[1]);
		tn_cli_suggest(&err, argv[1], "code");
	}
	else if (x.nargs > 1)
		tn_err_set(&err, TN_EUSAGE, "unexpected argument '%s'", argv[2]);
	if (err.code != TN_OK)
		return tn_cli_fail(prog, &err);
	if (tn_cmd_setup(&x, TN_SETUP_ALL, 0, tn_cert_code_columns, &err) != TN_OK ||
	    tn_cert_code_new(x.client, &code, &err) != TN_OK)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	if (isatty(STDERR_FILENO)) {
		const char *until = tn_jv_str(code, "expires_at");

		fprintf(stderr, "%s: read this code out to the clerk; it serves one clerk, until %s\n",
			prog, until ? until : "?");
	}
	if (tn_out_emit(&x.out, code, &err) != TN_OK && !x.out.broken_pipe)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	return tn_cmd_finish(&x, 0);
}
