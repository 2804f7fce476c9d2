/* cli.c — twonetd's subcommands parse their options here, in the archive the unit tests and bench programs link. */
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
