/* tn_cmd.h — a command's run: the set-up every command needs, done once, and its release. */
#ifndef TN_CMD_H
#define TN_CMD_H

#include "tn_cli.h"
#include "tn_config.h"
#include "tn_err.h"
#include "tn_http.h"
#include "tn_list.h"
#include "tn_out.h"

/* What tn_cmd_setup sets up; it does each thing once, however often it is asked. */
#define TN_SETUP_CONFIG  0x01  /* load ctx->cfg; the profile's format becomes the default of --format */
#define TN_SETUP_OUT     0x02  /* open ctx->out on stdout (implies TN_SETUP_CONFIG) */
#define TN_SETUP_SIGNALS 0x04  /* tn_cli_catch_signals() */
#define TN_SETUP_CLIENT  0x08  /* ctx->client from ctx->cfg, its --verbose notices to stderr (implies TN_SETUP_CONFIG) */
#define TN_SETUP_ALL     (TN_SETUP_CONFIG | TN_SETUP_OUT | TN_SETUP_SIGNALS | TN_SETUP_CLIENT)

/*
 * One command's run.  Filled by tn_cmd_parse and tn_cmd_setup; everything in
 * it is released by tn_cmd_finish.  The fields are the command's to read;
 * `client` may be set by the command itself (tn_cmd_finish frees it).
 */
struct tn_cmd_ctx {
	const struct tn_cmd *cmd;
	struct tn_common common;  /* the common options; after TN_SETUP_CONFIG, common.format
				   * is --format or else the profile's format (or NULL) */
	int nargs;                /* operands, moved to argv[1..nargs] */
	int done;                 /* --help, --version or --list-options was printed: exit 0 */
	struct tn_config cfg;     /* valid after TN_SETUP_CONFIG */
	struct tn_out out;        /* valid after TN_SETUP_OUT */
	struct tn_client *client; /* NULL until TN_SETUP_CLIENT */
	unsigned have;            /* private: the TN_SETUP_* bits done */
};

/*
 * Start a command's run: take the locale from the environment (numbers stay
 * in the C locale, so "12.5" reads and prints the same everywhere) and parse
 * argv with tn_cli_parse against `cmd` (borrowed, kept in ctx).  On --help,
 * --version or --list-options the text is on stdout and ctx->done is 1.
 * A usage error is TN_EUSAGE with the message in err; ctx then holds nothing
 * to release, and tn_cmd_finish may still be called.
 */
enum tn_code tn_cmd_parse(struct tn_cmd_ctx *ctx, const struct tn_cmd *cmd, int argc, char **argv,
			  struct tn_err *err);

/*
 * Set up what `what` (TN_SETUP_* bits) asks for and is not set up yet, in
 * this order: the configuration (tn_config_load with the common options; the
 * profile's format then stands for --format when none is given), the output
 * (tn_out_open on stdout with `is_list` and `columns`, borrowed), the signal
 * handlers, the client.  May be called again for more.  On failure returns
 * its code with err filled, keeps what was set up before (tn_cmd_finish
 * releases it) and sets up nothing after the failing step.
 */
enum tn_code tn_cmd_setup(struct tn_cmd_ctx *ctx, unsigned what, int is_list,
			  const char **columns, struct tn_err *err);

/*
 * The output format of a command that has its own --format option (`flag`,
 * or NULL when not given) rather than the common one: `flag` when given,
 * else the profile's format when it is one of `choices` ("a|b|c"), else
 * NULL (the command's default).  Needs TN_SETUP_CONFIG; cannot fail.
 */
const char *tn_cmd_format(const struct tn_cmd_ctx *ctx, const char *flag, const char *choices);

/*
 * Close ctx->out when it is open.  TN_OK when closed, not open, or when the
 * only failure is that the reader went away (ctx->out.broken_pipe); else the
 * failure's code with err filled.  The output is closed in every case.
 */
enum tn_code tn_cmd_close_out(struct tn_cmd_ctx *ctx, struct tn_err *err);

/*
 * End the run: close the output if still open (a failure other than a broken
 * pipe is reported as tn_cli_fail does, under the command's name, and becomes
 * the status when `status` is 0), print the server's warning when the client
 * got one and stderr is a terminal ("PROG: warning: TEXT", tn_client_warning;
 * once, whatever number of responses carried it), free the client and release
 * the configuration.  Returns the exit status.  Safe on a ctx that
 * tn_cmd_parse filled only, or that a failed tn_cmd_setup left.
 */
int tn_cmd_finish(struct tn_cmd_ctx *ctx, int status);

/* A list command (case-list, alert-list, task-list): what tn_cmd_list_run walks and how it writes. */
struct tn_cmd_list {
	const char *what;       /* "case": the word of the "more exist" notice */
	struct tn_pager pager;  /* the list and its filters */
	long limit;             /* --limit (refused below 1) */
	int all;                /* --all: every page */
	const char **columns;   /* the output's columns */
	/* called once the output is open (marks, a table of one's own); may be NULL */
	void (*opened)(void *ctx, struct tn_cmd_ctx *x);
	/* write one item (consumed); a failure (err set) stops the list; NULL: tn_out_emit */
	enum tn_code (*emit)(void *ctx, struct tn_out *out, jv item, struct tn_err *err);
	void *ctx;
};

/*
 * The run of a list command once its options are parsed: --limit checked,
 * the filters checked (the first page's path built) before anything is
 * sent, the output opened (a list: NDJSON on a pipe), every item of the
 * list (at most `limit`, or all) written, page after page in constant
 * memory, then tn_cmd_finish and, when the list stopped at its limit with
 * more on the server, the notice of tn_cli_list_more.  Returns the exit
 * status.
 */
int tn_cmd_list_run(struct tn_cmd_ctx *x, const char *prog, const struct tn_cmd_list *l);

/*
 * A command acting on many records one at a time (alert-act, case-act,
 * task-act): ids as operands or on stdin, each result written as it comes,
 * each failure named, a summary at the end.
 */
struct tn_cmd_bulk {
	const char *prog;
	struct tn_out *out;
	int bulk;               /* ids from stdin or several: name each failure, end with a summary */
	long done, failed;
	enum tn_code last;      /* the last failure's code */
	int stop;               /* a failure every id would share, or the output gone: try no more */
};

/*
 * One record's outcome.  TN_OK: `record` (consumed) is written to b->out
 * (a failure to write stops the run; a reader gone stops it quietly).
 * Else `record` is freed and err reported under b->prog, prefixed in a
 * bulk run with "WHAT ID (line N)" (`what` may be NULL: "ID"; line 0 for
 * an operand); a failure every id would share (not allowed, unreachable,
 * interrupted) stops the run.
 */
void tn_cmd_bulk_result(struct tn_cmd_bulk *b, enum tn_code rc, jv record, struct tn_err *err,
			const char *what, const char *id, long line);

/* A line of stdin that gives no id (err says why): reported as "stdin:LINE: ..." and counted. */
void tn_cmd_bulk_bad_line(struct tn_cmd_bulk *b, long line, struct tn_err *err);

/*
 * Each line of stdin that is not blank handed to `fn` with its number, until
 * the end of input, b->stop or an interrupt; a line that cannot be read
 * (too long, not UTF-8) is reported and counted, a read error ends it.
 */
void tn_cmd_bulk_stdin(struct tn_cmd_bulk *b, void (*fn)(void *ctx, const char *line, long n),
		       void *ctx);

/*
 * The operands of "PROG ACTION ID..." or "PROG ACTION -" (ids from stdin),
 * moved to argv[1..nargs], checked before anything is read or sent:
 * argv[1] one of `actions` ('|'-separated; an unknown one with a close one
 * suggested), at least one id, '-' alone (*from_stdin = 1), `version` (0:
 * --if-version not given) above 0 and with one id; TN_EUSAGE naming the
 * fault ("--if-version takes a VWORD above 0 and one WHAT id").  With
 * `numeric`, an id that is not a number above 0 is TN_EINVALID ("'x' is not
 * a WHAT id (a number)").
 */
enum tn_code tn_cmd_bulk_operands(int nargs, char **argv, const char *actions, const char *what,
				  const char *vword, long version, int numeric, int *from_stdin,
				  struct tn_err *err);

/*
 * End the run of `action`: close the output (a failure counts), the summary
 * line when b->bulk ("PROG: ACTION: N done, 0 skipped, M failed", and why it
 * stopped early), then tn_cmd_finish with the exit status: 130 when
 * interrupted; the failure's own when one id was tried or every id would
 * share it; 1 (TN_EPARTIAL) when some failed and others went through.
 */
int tn_cmd_bulk_end(struct tn_cmd_ctx *ctx, struct tn_cmd_bulk *b, const char *action);

#endif
