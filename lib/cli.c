/* cli.c — option tables: GNU-style parsing, generated --help, common options, signals. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tn_buf.h"
#include "tn_cli.h"
#include "tn_suggest.h"

#ifndef TN_VERSION
#define TN_VERSION "0.0.0"
#endif
#ifndef TN_SHAREDIR
#define TN_SHAREDIR "/usr/local/share/twonet"
#endif

static struct tn_common parsed_common;
static int help_flag, version_flag, list_flag;

/* The common option groups, in --help order. */
static const struct tn_option output_options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Output options:", NULL, 0 },
	{ TN_OPT_STRING, 0, "format", &parsed_common.format, "FMT",
	  "output format: json, ndjson, table, csv or tsv (default: table on a terminal, JSON otherwise)",
	  "json|ndjson|table|csv|tsv", 0 },
	{ TN_OPT_STRING, 0, "jq", &parsed_common.jq, "EXPR", "filter the JSON output through a jq expression", NULL, 0 },
	{ TN_OPT_STRING, 0, "fields", &parsed_common.fields, "LIST", "comma-separated fields (dotted paths) to show", NULL, 0 },
	{ TN_OPT_FLAG, 0, "no-color", &parsed_common.no_color, NULL, "never use colour (also NO_COLOR)", NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_option server_options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Connection options:", NULL, 0 },
	{ TN_OPT_STRING, 0, "url", &parsed_common.url, "URL", "server URL (TWONET_URL; default http://127.0.0.1:8642)", NULL, 0 },
	{ TN_OPT_STRING, 0, "token", &parsed_common.token, "TOKEN", "bearer token (TWONET_TOKEN)", NULL, 0 },
	{ TN_OPT_STRING, 0, "profile", &parsed_common.profile, "NAME", "config profile (TWONET_PROFILE)", NULL, 0 },
	{ TN_OPT_LONG, 0, "timeout", &parsed_common.timeout_s, "SECONDS", "total time allowed for one request", NULL, 0 },
	{ TN_OPT_LONG, 0, "retries", &parsed_common.retries, "N", "retries on connection errors, 429 and 502-504", NULL, 0 },
	{ TN_OPT_FLAG, 'v', "verbose", &parsed_common.verbose, NULL, "say more on stderr (repeat for HTTP traces)", NULL, TN_OPTF_COUNT },
	TN_OPT_END_ENTRY
};

static const struct tn_option basic_options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "General options:", NULL, 0 },
	{ TN_OPT_FLAG, 'h', "help", &help_flag, NULL, "show this help and exit", NULL, 0 },
	{ TN_OPT_FLAG, 0, "version", &version_flag, NULL, "show the version and exit", NULL, 0 },
	{ TN_OPT_FLAG, 0, "list-options", &list_flag, NULL, "list every option, one a line (for completions and tests)", NULL, TN_OPTF_HIDDEN },
	TN_OPT_END_ENTRY
};

/* Tables to search, in order; the command's own first. */
static void tables_for(const struct tn_cmd *cmd, const struct tn_option *tabs[4])
{
	int n = 0;

	tabs[n++] = cmd->options;
	if (cmd->common & TN_CMD_OUTPUT)
		tabs[n++] = output_options;
	if (cmd->common & TN_CMD_SERVER)
		tabs[n++] = server_options;
	tabs[n++] = basic_options;
	while (n < 4)
		tabs[n++] = NULL;
}

static const struct tn_option *find_long(const struct tn_option *tabs[4], const char *name,
					 size_t len, int *ambiguous)
{
	const struct tn_option *hit = NULL;
	int prefix_hits = 0;

	*ambiguous = 0;
	for (int t = 0; t < 4 && tabs[t]; t++)
		for (const struct tn_option *o = tabs[t]; o->type != TN_OPT_END; o++) {
			if (!o->long_name)
				continue;
			if (strlen(o->long_name) == len && !strncmp(o->long_name, name, len))
				return o;
			if (!strncmp(o->long_name, name, len)) {
				hit = o;
				prefix_hits++;
			}
		}
	if (prefix_hits > 1) {
		*ambiguous = 1;
		return NULL;
	}
	return hit;
}

static const struct tn_option *find_short(const struct tn_option *tabs[4], int c)
{
	for (int t = 0; t < 4 && tabs[t]; t++)
		for (const struct tn_option *o = tabs[t]; o->type != TN_OPT_END; o++)
			if (o->short_name && o->short_name == c)
				return o;
	return NULL;
}

/* Append "; did you mean 'PREFIXhit'?" to err's message. */
static void add_suggestion(struct tn_err *err, const char *prefix, const char *hit)
{
	size_t n = strlen(err->message);

	if (hit && n < sizeof(err->message))
		snprintf(err->message + n, sizeof(err->message) - n, "; did you mean '%s%s'?",
			 prefix, hit);
}

void tn_cli_suggest(struct tn_err *err, const char *word, const char *choices)
{
	struct tn_buf words = TN_BUF_INIT;
	const char **list;
	size_t n = 1, k = 0;

	if (!err || !word || !choices || !*choices)
		return;
	for (const char *p = choices; *p; p++)
		n += *p == '|';
	list = tn_xcalloc(n, sizeof(*list));
	tn_buf_adds(&words, choices);
	for (char *p = words.buf; k < n; k++) {
		size_t l = strcspn(p, "|");

		list[k] = p;
		if (!p[l])
			break;
		p[l] = '\0';
		p += l + 1;
	}
	add_suggestion(err, "", tn_suggest(word, list, n));
	free(list);
	tn_buf_release(&words);
}

/* The long option closest to `name` (`len` bytes), for "did you mean" after an unknown one. */
static const char *closest_long(const struct tn_option *tabs[4], const char *name, size_t len)
{
	const char *names[128];
	char word[128];
	size_t n = 0;

	snprintf(word, sizeof(word), "%.*s", (int)len, name);
	for (int t = 0; t < 4 && tabs[t]; t++)
		for (const struct tn_option *o = tabs[t]; o->type != TN_OPT_END; o++)
			if (o->long_name && !(o->flags & TN_OPTF_HIDDEN) && n < 128)
				names[n++] = o->long_name;
	return tn_suggest(word, names, n);
}

/* Joined values of TN_OPT_LIST options live here until exit. */
static struct tn_buf list_store[16];
static const void *list_owner[16];

static enum tn_code set_value(const struct tn_option *o, const char *arg, const char *shown,
			      struct tn_err *err)
{
	long v;

	switch (o->type) {
	case TN_OPT_FLAG:
		if (o->flags & TN_OPTF_COUNT)
			(*(int *)o->value)++;
		else
			*(int *)o->value = 1;
		return TN_OK;
	case TN_OPT_STRING:
		if (o->choices) {
			const char *p = o->choices;
			size_t n = strlen(arg);
			int ok = 0;

			while (*p) {
				size_t l = strcspn(p, "|");
				if (l == n && !strncmp(p, arg, n))
					ok = 1;
				p += l;
				if (*p)
					p++;
			}
			if (!ok) {
				enum tn_code c = o->flags & TN_OPTF_DATA ? TN_EINVALID : TN_EUSAGE;

				tn_err_set(err, c, "option '%s' takes one of %s, not '%s'",
					   shown, o->choices, arg);
				tn_cli_suggest(err, arg, o->choices);
				return c;
			}
		}
		*(const char **)o->value = arg;
		return TN_OK;
	case TN_OPT_LONG:
		if (tn_parse_long(arg, &v) < 0)
			return tn_err_set(err, TN_EUSAGE, "option '%s' takes a whole number, not '%s'",
					  shown, arg);
		*(long *)o->value = v;
		return TN_OK;
	case TN_OPT_LIST: {
		int slot;

		for (slot = 0; slot < 16; slot++)
			if (list_owner[slot] == o->value || !list_owner[slot])
				break;
		if (slot == 16) {
			*(const char **)o->value = arg;
			return TN_OK;
		}
		list_owner[slot] = o->value;
		if (list_store[slot].len)
			tn_buf_addch(&list_store[slot], ',');
		tn_buf_adds(&list_store[slot], arg);
		*(const char **)o->value = list_store[slot].buf;
		return TN_OK;
	}
	default:
		return TN_OK;
	}
}

static int takes_arg(const struct tn_option *o)
{
	return o->type == TN_OPT_STRING || o->type == TN_OPT_LONG || o->type == TN_OPT_LIST;
}

/*
 * Set option `o` (named `shown` in messages) from `arg`, its value written in
 * the same argument, or when NULL from the next argument argv[*i + 1] (then
 * *i moves past it).  TN_EUSAGE when there is none.
 */
static enum tn_code take_arg(const struct tn_option *o, const char *arg, int argc, char **argv,
			     int *i, const char *shown, struct tn_err *err)
{
	if (!arg) {
		if (*i + 1 >= argc)
			return tn_err_set(err, TN_EUSAGE, "option '%s' requires a value", shown);
		arg = argv[++*i];
	}
	return set_value(o, arg, shown, err);
}

enum tn_code tn_cli_parse(const struct tn_cmd *cmd, int argc, char **argv,
			  struct tn_common *common, int *nargs, int *done,
			  FILE *out, struct tn_err *err)
{
	const struct tn_option *tabs[4];
	char **operands;
	int nop = 0, i;
	enum tn_code rc = TN_OK;

	tables_for(cmd, tabs);
	memset(&parsed_common, 0, sizeof(parsed_common));
	parsed_common.retries = -1;
	help_flag = version_flag = list_flag = 0;
	*done = 0;
	operands = tn_xcalloc((size_t)argc + 1, sizeof(*operands));

	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (!strcmp(a, "--")) {
			for (i++; i < argc; i++)
				operands[nop++] = argv[i];
			break;
		}
		if (a[0] == '-' && a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			int amb;
			const struct tn_option *o = find_long(tabs, name, len, &amb);
			char shown[128];

			snprintf(shown, sizeof(shown), "--%.*s", (int)len, name);
			if (!o) {
				rc = tn_err_set(err, TN_EUSAGE, amb ? "ambiguous option '%s'" :
						"unknown option '%s'", shown);
				if (!amb && err)
					add_suggestion(err, "--", closest_long(tabs, name, len));
				goto out;
			}
			snprintf(shown, sizeof(shown), "--%s", o->long_name);
			if (takes_arg(o)) {
				if ((rc = take_arg(o, eq ? eq + 1 : NULL, argc, argv, &i, shown, err)))
					goto out;
			} else {
				if (eq) {
					rc = tn_err_set(err, TN_EUSAGE, "option '%s' takes no value", shown);
					goto out;
				}
				set_value(o, NULL, shown, err);
			}
			continue;
		}
		if (a[0] == '-' && a[1]) {
			for (const char *p = a + 1; *p; p++) {
				const struct tn_option *o = find_short(tabs, (unsigned char)*p);
				char shown[8];

				snprintf(shown, sizeof(shown), "-%c", *p);
				if (!o) {
					rc = tn_err_set(err, TN_EUSAGE, "unknown option '%s'", shown);
					goto out;
				}
				if (takes_arg(o)) {
					if ((rc = take_arg(o, p[1] ? p + 1 : NULL, argc, argv, &i, shown, err)))
						goto out;
					break;
				}
				set_value(o, NULL, shown, err);
			}
			continue;
		}
		operands[nop++] = a;
	}

	if (help_flag) {
		tn_cli_usage(cmd, out);
		*done = 1;
	} else if (list_flag) {
		tn_cli_list_options(cmd, out);
		*done = 1;
	} else if (version_flag) {
		fprintf(out, "%s (twonet) %s\n", cmd->name, TN_VERSION);
		*done = 1;
	}
	if (!*done && nop > 0 && (cmd->common & TN_CMD_NO_OPERANDS)) {
		rc = tn_err_set(err, TN_EUSAGE, "unexpected argument '%s'", operands[0]);
		goto out;
	}
	if (parsed_common.format && !strcmp(parsed_common.format, "auto"))
		parsed_common.format = NULL;
	for (int k = 0; k < nop; k++)
		argv[k + 1] = operands[k];
	argv[nop + 1] = NULL;
	*nargs = nop;
	if (common)
		*common = parsed_common;
out:
	free(operands);
	return rc;
}

static void usage_table(const struct tn_option *tab, FILE *out)
{
	for (const struct tn_option *o = tab; o->type != TN_OPT_END; o++) {
		struct tn_buf left = TN_BUF_INIT;

		if (o->flags & TN_OPTF_HIDDEN)
			continue;
		if (o->type == TN_OPT_GROUP) {
			fprintf(out, "\n%s\n", o->help);
			continue;
		}
		tn_buf_adds(&left, "  ");
		if (o->short_name)
			tn_buf_addf(&left, "-%c%s", o->short_name, o->long_name ? ", " : "");
		else
			tn_buf_adds(&left, "    ");
		if (o->long_name)
			tn_buf_addf(&left, "--%s", o->long_name);
		if (takes_arg(o))
			tn_buf_addf(&left, " %s", o->argh ? o->argh : "VALUE");
		if (left.len > 28)
			fprintf(out, "%s\n%30s%s\n", left.buf, "", o->help ? o->help : "");
		else
			fprintf(out, "%-30s%s\n", left.buf, o->help ? o->help : "");
		tn_buf_release(&left);
	}
}

void tn_cli_usage(const struct tn_cmd *cmd, FILE *out)
{
	const struct tn_option *tabs[4];
	const char *u = cmd->usage ? cmd->usage : "[OPTIONS]";
	int first = 1;

	while (*u) {
		size_t l = strcspn(u, "\n");
		fprintf(out, "%s %s %.*s\n", first ? "usage:" : "   or:", cmd->name, (int)l, u);
		first = 0;
		u += l;
		if (*u)
			u++;
	}
	if (cmd->summary)
		fprintf(out, "\n%s\n", cmd->summary);
	tables_for(cmd, tabs);
	for (int t = 0; t < 4 && tabs[t]; t++)
		usage_table(tabs[t], out);
	fprintf(out, "\nExit status: 0 ok, 1 some records failed, 2 usage, 3 not found, "
		"4 not allowed,\n5 conflict, 6 server unreachable, 7 invalid input; see twonet(7) "
		"and %s(1).\n", cmd->name);
}

void tn_cli_list_options(const struct tn_cmd *cmd, FILE *out)
{
	const struct tn_option *tabs[4];

	tables_for(cmd, tabs);
	for (int t = 0; t < 4 && tabs[t]; t++)
		for (const struct tn_option *o = tabs[t]; o->type != TN_OPT_END; o++) {
			if (o->type == TN_OPT_GROUP || (o->flags & TN_OPTF_HIDDEN))
				continue;
			if (o->long_name)
				fprintf(out, "--%s\n", o->long_name);
			if (o->short_name)
				fprintf(out, "-%c\n", o->short_name);
		}
}

int tn_cli_fail(const char *prog, const struct tn_err *err)
{
	enum tn_code code = err ? err->code : TN_EINTERNAL;

	if (code == TN_OK)
		return 0;
	fprintf(stderr, "%s: error: %s\n", prog,
		err && err->message[0] ? err->message : tn_code_str(code));
	if (code == TN_EUSAGE)
		fprintf(stderr, "%s: see '%s --help'\n", prog, prog);
	return tn_exit_status(code);
}

void tn_cli_summary(const char *prog, const char *what, long done, long skipped, long failed,
		    const char *note)
{
	fprintf(stderr, "%s: %s%s%ld done, %ld skipped, %ld failed%s%s\n", prog, what ? what : "",
		what ? ": " : "", done, skipped, failed, note ? "; " : "", note ? note : "");
}

void tn_cli_list_more(const char *prog, long shown, long total, const char *what)
{
	if (total > shown)
		fprintf(stderr, "%s: %ld of %ld shown; --all for every %s\n", prog, shown, total,
			what);
	else
		fprintf(stderr, "%s: %ld shown, more exist; --all for every %s\n", prog, shown, what);
}

void tn_cli_warn(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: warning: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static volatile sig_atomic_t interrupted;
static volatile sig_atomic_t watched_fd = -1;

/*
 * Set the flag; and when a read is under way (tn_cli_watch_fd), put
 * /dev/null in place of its descriptor, so that a read the signal came just
 * before (after the caller's last look at the flag) ends at once with EOF
 * rather than blocking until the writer writes: open and dup2 are
 * async-signal-safe, and a read already blocked fails with EINTR anyway.
 */
static void on_signal(int sig)
{
	int saved = errno, fd = watched_fd;

	interrupted = sig;
	if (fd >= 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (null >= 0) {
			dup2(null, fd);
			close(null);
		}
	}
	errno = saved;
}

void tn_cli_watch_fd(int fd)
{
	watched_fd = fd;
}

void tn_cli_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int tn_cli_interrupted(void)
{
	return interrupted != 0;
}

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *tn_sharedir(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	const char *env = getenv("TWONET_SHAREDIR");
	ssize_t n;

	if (env && *env)
		return env;
	if (path[0])
		return path;
	/* beside the binary first: a build tree's bin/x -> ../share/twonet */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (int up = 0; up < 3; up++) {
			char *slash = strrchr(exe, '/');
			if (!slash)
				break;
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/share/twonet", exe);
			if (is_dir(path))
				return path;
		}
	}
	snprintf(path, sizeof(path), "%s", TN_SHAREDIR);
	return path;
}
