/* cmd.c — a command's run: locale and options, configuration, output, signals, client, release. */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tn_cmd.h"
#include "tn_buf.h"
#include "tn_ndjson.h"
#include "tn_text.h"

/* The client's notices (--verbose), printed for the command that asked for a client. */
static void print_notice(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "twonet: %s\n", msg);
}

enum tn_code tn_cmd_parse(struct tn_cmd_ctx *ctx, const struct tn_cmd *cmd, int argc, char **argv,
			  struct tn_err *err)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->cmd = cmd;
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	return tn_cli_parse(cmd, argc, argv, &ctx->common, &ctx->nargs, &ctx->done, stdout, err);
}

enum tn_code tn_cmd_setup(struct tn_cmd_ctx *ctx, unsigned what, int is_list,
			  const char **columns, struct tn_err *err)
{
	enum tn_code rc;

	if (what & (TN_SETUP_OUT | TN_SETUP_CLIENT))
		what |= TN_SETUP_CONFIG;
	what &= ~ctx->have;
	if (what & TN_SETUP_CONFIG) {
		if ((rc = tn_config_load(&ctx->cfg, &ctx->common, err)) != TN_OK)
			return rc;
		ctx->have |= TN_SETUP_CONFIG;
		if (!ctx->common.format)
			ctx->common.format = ctx->cfg.format;
	}
	if (what & TN_SETUP_OUT) {
		if ((rc = tn_out_open(&ctx->out, stdout, &ctx->common, is_list, columns, err)) != TN_OK)
			return rc;
		ctx->have |= TN_SETUP_OUT;
	}
	if (what & TN_SETUP_SIGNALS) {
		tn_cli_catch_signals();
		ctx->have |= TN_SETUP_SIGNALS;
	}
	if (what & TN_SETUP_CLIENT) {
		if (!ctx->client) {
			ctx->client = tn_client_new(&ctx->cfg);
			tn_client_on_notice(ctx->client, print_notice, NULL);
		}
		ctx->have |= TN_SETUP_CLIENT;
	}
	return TN_OK;
}

const char *tn_cmd_format(const struct tn_cmd_ctx *ctx, const char *flag, const char *choices)
{
	const char *f = ctx->cfg.format, *p = choices;
	size_t n;

	if (flag)
		return flag;
	if (!(ctx->have & TN_SETUP_CONFIG) || !f || !*f || !p)
		return NULL;
	n = strlen(f);
	while (*p) {
		size_t l = strcspn(p, "|");

		if (l == n && !strncmp(p, f, n))
			return f;
		p += l;
		if (*p)
			p++;
	}
	return NULL;
}

enum tn_code tn_cmd_close_out(struct tn_cmd_ctx *ctx, struct tn_err *err)
{
	enum tn_code rc;

	if (!(ctx->have & TN_SETUP_OUT))
		return TN_OK;
	ctx->have &= ~TN_SETUP_OUT;
	rc = tn_out_close(&ctx->out, err);
	return ctx->out.broken_pipe ? TN_OK : rc;
}

int tn_cmd_finish(struct tn_cmd_ctx *ctx, int status)
{
	struct tn_err err = TN_ERR_INIT;
	const char *prog = ctx->cmd ? ctx->cmd->name : "twonet";
	const char *warning = tn_client_warning(ctx->client);

	if (tn_cmd_close_out(ctx, &err) != TN_OK && status == 0)
		status = tn_cli_fail(prog, &err);
	/* the server's word to people (Twonet-Warning), once a run, never into a pipe or file */
	if (warning && isatty(STDERR_FILENO))
		tn_cli_warn(prog, "%s", warning);
	if (ctx->client)
		tn_client_free(ctx->client);
	ctx->client = NULL;
	if (ctx->have & TN_SETUP_CONFIG)
		tn_config_release(&ctx->cfg);
	ctx->have = 0;
	return status;
}

void tn_cmd_bulk_result(struct tn_cmd_bulk *b, enum tn_code rc, jv record, struct tn_err *err,
			const char *what, const char *id, long line)
{
	if (rc == TN_OK) {
		b->done++;
		if (tn_out_emit(b->out, record, err) == TN_OK)
			return;
		rc = err->code;
		b->stop = 1;
		if (b->out->broken_pipe)
			return;
	} else {
		jv_free(record);
		if (b->bulk && line > 0)
			tn_err_prefix(err, "%s%s%s (line %ld)", what ? what : "", what ? " " : "", id,
				      line);
		else if (b->bulk)
			tn_err_prefix(err, "%s%s%s", what ? what : "", what ? " " : "", id);
	}
	tn_cli_fail(b->prog, err);
	b->failed++;
	b->last = rc;
	if (rc == TN_EAUTH || rc == TN_EUNREACHABLE || rc == TN_EINTR)
		b->stop = 1;
}

void tn_cmd_bulk_bad_line(struct tn_cmd_bulk *b, long line, struct tn_err *err)
{
	tn_err_prefix(err, "stdin:%ld", line);
	tn_cli_fail(b->prog, err);
	b->failed++;
	b->last = err->code;
	tn_err_clear(err);
}

void tn_cmd_bulk_stdin(struct tn_cmd_bulk *b, void (*fn)(void *ctx, const char *line, long n),
		       void *ctx)
{
	struct tn_ndjson in;
	struct tn_err err = TN_ERR_INIT;
	const char *line;
	int got;

	tn_ndjson_init(&in, stdin, "stdin");
	while (!b->stop && !tn_cli_interrupted() && (got = tn_ndjson_next_line(&in, &line, &err)) != 0) {
		if (got > 0) {
			fn(ctx, line, in.line);
			continue;
		}
		tn_cli_fail(b->prog, &err);     /* "stdin:LINE: ..." already */
		b->failed++;
		b->last = err.code;
		tn_err_clear(&err);
		if (b->last == TN_EIO)
			break;
	}
	tn_ndjson_release(&in);
}

int tn_cmd_bulk_end(struct tn_cmd_ctx *ctx, struct tn_cmd_bulk *b, const char *action)
{
	struct tn_err err = TN_ERR_INIT;
	int status = 0;

	if (tn_cmd_close_out(ctx, &err) != TN_OK && !b->failed) {
		tn_cli_fail(b->prog, &err);
		b->failed++;
		b->last = err.code;
	}
	if (b->bulk)
		tn_cli_summary(b->prog, action, b->done, 0, b->failed,
			       tn_cli_interrupted() ? "interrupted" :
			       b->stop && b->failed ? "stopped: the rest not tried" : NULL);
	if (tn_cli_interrupted())
		status = tn_exit_status(TN_EINTR);
	else if (b->failed)
		status = tn_exit_status(b->done + b->failed == 1 || b->last == TN_EAUTH ||
					b->last == TN_EUNREACHABLE ? b->last : TN_EPARTIAL);
	return tn_cmd_finish(ctx, status);
}

enum tn_code tn_cmd_bulk_operands(int nargs, char **argv, const char *actions, const char *what,
				  const char *vword, long version, int numeric, int *from_stdin,
				  struct tn_err *err)
{
	const char *an = strchr("aeiou", *what) ? "an" : "a";

	if (nargs < 2)
		return tn_err_set(err, TN_EUSAGE, nargs ? "no %s id given (or '-' for stdin)" :
				  "no action given (one of %s)", nargs ? what : actions);
	if (!tn_word_in(actions, argv[1])) {
		tn_err_set(err, TN_EUSAGE, "unknown action '%s' (one of %s)", argv[1], actions);
		tn_cli_suggest(err, argv[1], actions);
		return TN_EUSAGE;
	}
	if (version && (version < 1 || nargs != 2 || !strcmp(argv[2], "-")))
		return tn_err_set(err, TN_EUSAGE, "--if-version takes %s %s above 0 and one %s id",
				  strchr("aeiou", *vword) ? "an" : "a", vword, what);
	for (int i = 2; i <= nargs; i++) {
		long v;

		if (!strcmp(argv[i], "-")) {
			if (nargs != 2)
				return tn_err_set(err, TN_EUSAGE, "'-' (ids from stdin) goes alone");
			*from_stdin = 1;
		} else if (numeric && (tn_parse_long(argv[i], &v) != 0 || v < 1)) {
			return tn_err_set(err, TN_EINVALID, "'%s' is not %s %s id (a number)", argv[i],
					  an, what);
		}
	}
	return TN_OK;
}

struct list_emit {
	const struct tn_cmd_list *l;
	struct tn_out *out;
	struct tn_err err;
	int failed;
};

static int list_emit(void *ctx, jv item)
{
	struct list_emit *e = ctx;
	enum tn_code rc = e->l->emit ? e->l->emit(e->l->ctx, e->out, item, &e->err) :
			  tn_out_emit(e->out, item, &e->err);

	if (rc != TN_OK)
		e->failed = 1;
	return rc != TN_OK;
}

int tn_cmd_list_run(struct tn_cmd_ctx *x, const char *prog, const struct tn_cmd_list *l)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf probe = TN_BUF_INIT;
	struct tn_list_end end = { 0, -1, 0 };
	struct list_emit e;
	int status = 0;
	enum tn_code rc;

	if (l->limit < 1)
		tn_err_set(&err, TN_EUSAGE, "--limit takes a number above 0, not %ld", l->limit);
	else if ((rc = l->pager.path(l->pager.query, 1, NULL, &probe, &err)) == TN_OK)
		tn_cmd_setup(x, TN_SETUP_ALL, 1, l->columns, &err);
	tn_buf_release(&probe);
	if (err.code != TN_OK)
		return tn_cmd_finish(x, tn_cli_fail(prog, &err));
	if (l->opened)
		l->opened(l->ctx, x);
	memset(&e, 0, sizeof(e));
	e.l = l;
	e.out = &x->out;
	if (tn_list_pages(x->client, &l->pager, l->all ? -1 : l->limit, list_emit, &e, &end,
			  &err) != TN_OK)
		status = tn_cli_fail(prog, &err);
	else if (e.failed && !x->out.broken_pipe)
		status = tn_cli_fail(prog, &e.err);
	status = tn_cmd_finish(x, status);
	/* stopped at the limit with more on the server: never quietly, whatever stdout is */
	if (status == 0 && end.more && !tn_cli_interrupted())
		tn_cli_list_more(prog, end.shown, end.total, l->what);
	return status;
}
