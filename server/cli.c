/* cli.c — twonetd's subcommands parse their options here, in the archive the unit tests and bench programs link. */
#include <stdarg.h>
#include <stdio.h>

#include "tn_cli.h"
#include "twonetd.h"

int twonetd_parse(const struct tn_cmd *cmd, int argc, char **argv, int *nargs)
{
	struct tn_err err = TN_ERR_INIT;
	int done = 0;

	if (tn_cli_parse(cmd, argc, argv, NULL, nargs, &done, stdout, &err) != TN_OK)
		return tn_cli_fail("twonetd", &err);
	return done ? 0 : -1;
}

int twonetd_fail(const struct tn_err *err, int status)
{
	fprintf(stderr, "twonetd: error: %s\n", err->message);
	return err->code == TN_EUSAGE ? 2 : status;
}

int twonetd_usage_fail(const struct tn_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("twonetd: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	tn_cli_usage(cmd, stderr);
	return 2;
}

/*
 * An unknown subcommand word: "twonetd: error: unknown WHAT 'WORD'; did you
 * mean 'X'?" on stderr, X the closest of `known` ("a|b|c", tn_cli_suggest),
 * the suggestion left out when none is close.  Returns 2 (usage).  For the
 * dispatchers of twonetd's commands and subcommands (main, calendar, audit,
 * token), once server/twonetd.h declares it.
 */
int twonetd_unknown(const char *what, const char *word, const char *known)
{
	struct tn_err err = TN_ERR_INIT;

	tn_err_set(&err, TN_EUSAGE, "unknown %s '%s'", what, word);
	tn_cli_suggest(&err, word, known);
	return twonetd_fail(&err, 2);
}
