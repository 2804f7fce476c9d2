/* tn_cli.h — one option table per command: parsing, --help, --version, common options. */
#ifndef TN_CLI_H
#define TN_CLI_H

#include <stdio.h>

#include "tn_err.h"

enum tn_opt_type {
	TN_OPT_END = 0,
	TN_OPT_GROUP,   /* a heading in --help; only `help` is used */
	TN_OPT_FLAG,    /* int *value set to 1 (or incremented with TN_OPTF_COUNT) */
	TN_OPT_STRING,  /* const char **value set to the argument (borrowed from argv) */
	TN_OPT_LONG,    /* long *value, checked as a whole number */
	TN_OPT_LIST,    /* const char **value; repeated uses are joined with ',' (kept by the parser) */
};

#define TN_OPTF_COUNT  0x1  /* TN_OPT_FLAG: count repetitions (-vv) */
#define TN_OPTF_HIDDEN 0x2  /* not shown in --help */
#define TN_OPTF_DATA   0x4  /* TN_OPT_STRING choices that name data (a filter's status): a
                               value outside them is invalid input (7), not a usage error */

struct tn_option {
	enum tn_opt_type type;
	int short_name;         /* 0 for none */
	const char *long_name;  /* without the leading "--" */
	void *value;
	const char *argh;       /* placeholder in --help, e.g. "EXPR" */
	const char *help;
	const char *choices;    /* "a|b|c" for completion and checking, or NULL */
	int flags;
};

#define TN_OPT_END_ENTRY { TN_OPT_END, 0, NULL, NULL, NULL, NULL, NULL, 0 }

/* Which common option groups a command takes; the parser adds their options. */
#define TN_CMD_OUTPUT 0x1  /* --format --jq --fields --no-color */
#define TN_CMD_SERVER 0x2  /* --url --token --profile --timeout --retries -v */
#define TN_CMD_NO_OPERANDS 0x4  /* options only: an operand is a usage error */

/* Values of the common options, filled by tn_cli_parse.  Strings are borrowed from argv. */
struct tn_common {
	const char *format;    /* json|ndjson|table|csv|tsv or NULL (auto) */
	const char *jq;        /* --jq EXPR */
	const char *fields;    /* --fields a,b,c */
	int no_color;
	const char *url;
	const char *token;
	const char *profile;
	long timeout_s;        /* --timeout SECONDS, 0 = default */
	long retries;          /* --retries N, -1 = default */
	int verbose;
};

struct tn_cmd {
	const char *name;        /* "case-list" */
	const char *usage;       /* usage lines, '\n'-separated, without the program name */
	const char *summary;     /* one line */
	const struct tn_option *options;
	int common;              /* TN_CMD_OUTPUT | TN_CMD_SERVER */
};

/*
 * Parse argv against cmd's table plus its common options, GNU style (options
 * and operands may mix; "--" ends options; --opt=value and -abc work).
 * Operands are moved, in order, to argv[1..*nargs] (argv[0] untouched).
 * On --help or --version writes to `out` and returns TN_OK with *done = 1.
 * On a usage error returns TN_EUSAGE with err->message set ("unknown option '--x'",
 * with "; did you mean '--y'?" when a long option is close (tn_cli_suggest), or
 * "unexpected argument 'x'" for an operand of a TN_CMD_NO_OPERANDS command).
 */
enum tn_code tn_cli_parse(const struct tn_cmd *cmd, int argc, char **argv,
			  struct tn_common *common, int *nargs, int *done,
			  FILE *out, struct tn_err *err);

/* Write the --help text generated from the table. */
void tn_cli_usage(const struct tn_cmd *cmd, FILE *out);

/* Every option a command accepts, long names with "--", one per line (for tests/completions). */
void tn_cli_list_options(const struct tn_cmd *cmd, FILE *out);

/*
 * Print "PROG: error: MESSAGE" (or the code's fixed message) to stderr and
 * return the exit status for err->code.  The one place commands turn an error
 * into an exit status.
 */
int tn_cli_fail(const char *prog, const struct tn_err *err);

/*
 * "Did you mean": append "; did you mean 'X'?" to err->message when X, one
 * of `choices` ("a|b|c", borrowed), is close to the mistyped `word`
 * (tn_suggest); otherwise leave err as it is.  tn_cli_parse does this for
 * unknown long options and for values outside an option's choices; commands
 * call it for their subcommands and operands.  Cannot fail.
 */
void tn_cli_suggest(struct tn_err *err, const char *word, const char *choices);

/*
 * The last line of a bulk run, on stderr: "PROG: WHAT: N done, N skipped,
 * N failed" (WHAT may be NULL: "PROG: N done, ..."), then "; NOTE" when
 * `note` is given (why the run stopped early).  The same words for every
 * bulk command.
 */
void tn_cli_summary(const char *prog, const char *what, long done, long skipped, long failed,
		    const char *note);

/*
 * A list that stopped at its limit with more on the server, never quietly,
 * on stderr: "PROG: N of TOTAL shown; --all for every WHAT" (when the
 * server gave its count, `total` > `shown`), else "PROG: N shown, more
 * exist; --all for every WHAT".
 */
void tn_cli_list_more(const char *prog, long shown, long total, const char *what);

/* "PROG: warning: ..." to stderr. */
void tn_cli_warn(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Install SIGINT/SIGTERM handlers that set a flag; tn_cli_interrupted() reads it. */
void tn_cli_catch_signals(void);
int tn_cli_interrupted(void);
/*
 * While `fd` (-1: none) is being read to its end: a SIGINT or SIGTERM then
 * also makes its next read end (EOF), so that a signal that comes between a
 * look at tn_cli_interrupted() and the read is not lost until the writer
 * writes.  The descriptor reads nothing afterwards.
 */
void tn_cli_watch_fd(int fd);

/*
 * The data folder (catalog, calendar, certificate kinds): $TWONET_SHAREDIR,
 * else the install prefix's share/twonet when it exists, else share/twonet
 * beside the running binary's source tree.  Returns a static string.
 */
const char *tn_sharedir(void);

#endif
