/* app.c — casedesk's app: the view stack, the bottom-line messages and confirmations, `:` commands, drawing a frame and dispatching a key. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <readline/readline.h>

#include "casedesk.h"
#include "display.h"
#include "tn_out.h"
#include "tn_suggest.h"

struct app app;

/* ---- the view stack ---- */

#define MAXVIEWS 8
static const struct view *stack[MAXVIEWS];
static int depth;

void app_push(const struct view *v)
{
	for (int i = 0; i < depth; i++)
		if (stack[i] == v) {
			/* already open: bring it to the top, closing what is above */
			while (depth > i + 1)
				app_pop();
			app.dirty = 1;
			return;
		}
	if (depth < MAXVIEWS)
		stack[depth++] = v;
	app.dirty = 1;
}

void app_pop(void)
{
	if (depth <= 1) {
		app.quit = 1;
		return;
	}
	depth--;
	if (stack[depth]->leave)
		stack[depth]->leave();
	app.dirty = 1;
}

const struct view *app_top(void)
{
	return stack[depth - 1];
}

long long app_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void app_msg(int bad, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(app.message, sizeof(app.message), fmt, ap);
	va_end(ap);
	for (char *p = app.message; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	app.message_bad = bad;
	app.dirty = 1;
}

void app_flash(const char *text)
{
	snprintf(app.flash, sizeof(app.flash), "%s", text);
	app.flash_until_ms = app_now_ms() + 4000;
	app.dirty = 1;
}

int app_urgency(long deadline, int open)
{
	if (deadline == LONG_MIN || !open)
		return URG_NONE;
	if (deadline < app.today)
		return URG_OVERDUE;
	if (deadline <= app.due_limit)
		return URG_DUE;
	return URG_NONE;
}

/* ---- confirmations ---- */

static struct {
	int key;
	confirm_fn fn;
	void *ctx;
	int free_ctx;
} confirm;

void app_confirm(int key, confirm_fn fn, void *ctx, int free_ctx, const char *fmt, ...)
{
	va_list ap;
	char name[32];

	if (confirm.free_ctx)
		free(confirm.ctx);
	confirm.key = key;
	confirm.fn = fn;
	confirm.ctx = ctx;
	confirm.free_ctx = free_ctx;
	va_start(ap, fmt);
	vsnprintf(app.message, sizeof(app.message), fmt, ap);
	va_end(ap);
	keys_name(key, name, sizeof(name));
	snprintf(app.message + strlen(app.message), sizeof(app.message) - strlen(app.message),
		 "? press %s again to confirm, Esc cancels", name);
	app.message_bad = 0;
	app.dirty = 1;
}

static int confirm_key(int key)
{
	confirm_fn fn = confirm.fn;
	void *ctx = confirm.ctx;
	int free_ctx = confirm.free_ctx, want = confirm.key;

	if (!fn)
		return 0;
	memset(&confirm, 0, sizeof(confirm));
	app.message[0] = '\0';
	if (key == DK_RESIZE) {
		disp_resize();
		app_msg(0, "cancelled");
	} else if (key == want || key == 'y' || key == 'Y') {
		fn(ctx);
	} else {
		app_msg(0, "cancelled");
	}
	if (free_ctx)
		free(ctx);
	return 1;
}

/* ---- `:` commands ---- */

static const char *const commands[] = {
	"status", "item", "sort", "refresh", "certs", "alerts", "tasks", "wall", "map", "inbox", "help", "quit", NULL
};

static char *dup_match(const char *s)
{
	return tn_xstrdup(s);
}

static char **match_words(const char *text, const char *const *words)
{
	size_t n = 0, tl = strlen(text);
	char **m;

	for (size_t i = 0; words[i]; i++)
		n += !strncmp(words[i], text, tl);
	if (!n)
		return NULL;
	m = tn_xcalloc(n + 2, sizeof(*m));
	n = 1;
	for (size_t i = 0; words[i]; i++)
		if (!strncmp(words[i], text, tl))
			m[n++] = dup_match(words[i]);
	if (n == 2) {
		m[0] = m[1];
		m[1] = NULL;
		return m;
	}
	/* m[0]: the longest common prefix */
	size_t common = strlen(m[1]);
	for (size_t i = 2; i < n; i++) {
		size_t k = 0;
		while (k < common && m[i][k] == m[1][k])
			k++;
		common = k;
	}
	m[0] = tn_xstrndup(m[1], common);
	return m;
}

char **app_complete(const char *text, int start, int end)
{
	static const char *const sorts[] = {
		"deadline", "id", "status", "applicant", "item", "submitted", NULL
	};
#define STATE_WORD(e, name, label, sep) name,
	static const char *const statuses[] = { TN_CASE_STATES(STATE_WORD) "all", NULL };
#undef STATE_WORD
	char first[16] = "";

	(void)end;
	if (start == 0)
		return match_words(text, commands);
	sscanf(rl_line_buffer, "%15s", first);
	if (!strcmp(first, "sort"))
		return match_words(text, sorts);
	if (!strcmp(first, "status"))
		return match_words(text, statuses);
	if (!strcmp(first, "item"))
		return inbox_complete(text, start, end);
	return NULL;
}

void app_command(const char *line)
{
	char word[32] = "", argbuf[256];
	const char *arg;
	int n = 0;
	size_t len;

	if (!line)
		return;
	while (*line == ' ' || *line == ':')
		line++;
	if (!*line)
		return;
	sscanf(line, "%31s%n", word, &n);
	arg = line + n;
	while (*arg == ' ')
		arg++;
	snprintf(argbuf, sizeof(argbuf), "%s", arg);
	len = strlen(argbuf);
	while (len && (argbuf[len - 1] == ' ' || argbuf[len - 1] == '\t'))
		argbuf[--len] = '\0';
	arg = argbuf;
	if (!strcmp(word, "quit") || !strcmp(word, "q")) {
		app.quit = 1;
	} else if (!strcmp(word, "help")) {
		app_push(&help_view);
	} else if (!strcmp(word, "alerts")) {
		app_push(&alerts_view);
	} else if (!strcmp(word, "tasks")) {
		tasks_open();
	} else if (!strcmp(word, "wall")) {
		wall_open();
	} else if (!strcmp(word, "map")) {
		map_open();
	} else if (!strcmp(word, "certs")) {
		certs_open(*arg ? arg : NULL);
	} else if (!strcmp(word, "inbox")) {
		while (depth > 1)
			app_pop();
	} else if (!strcmp(word, "status") || !strcmp(word, "item") || !strcmp(word, "sort") ||
		   !strcmp(word, "refresh")) {
		while (depth > 1 && strcmp(word, "refresh") != 0)
			app_pop();
		if (!strcmp(word, "refresh") && app_top() != &inbox_view) {
			if (app_top()->key)
				app_top()->key(ACT_REFRESH, 0);
			return;
		}
		inbox_command(word, arg);
	} else {
		/* tn_suggest skips the list's NULL end */
		const char *near = tn_suggest(word, commands, sizeof(commands) / sizeof(commands[0]));

		if (near)
			app_msg(1, "unknown command '%s'; did you mean '%s'?", word, near);
		else
			app_msg(1, "unknown command '%s' (one of status, item, sort, refresh, certs, alerts, tasks, wall, map, inbox, help, quit)",
				word);
	}
}

/* ---- drawing ---- */

/*
 * The server's warning for the status line, in the `room` columns the view's
 * status leaves: its first part ("the working-day calendar ends 2026-12-31
 * (28 days left)"), cut when need be; nothing when there is hardly room.
 */
static void warning_part(struct tn_buf *b, int room)
{
	const char *warn = net_warning();
	char *first = tn_xstrndup(warn, strcspn(warn, ";"));
	int fw = tn_display_width(first);

	if (room >= 16)
		tn_fit_width(b, first, fw < room ? fw : room, 0);
	free(first);
}

void app_draw(void)
{
	int h, w;
	struct tn_buf left = TN_BUF_INIT, right = TN_BUF_INIT;
	const struct view *v = app_top();
	long long now = app_now_ms();

	disp_size(&h, &w);
	v->draw(h, w);
	if (v->status)
		v->status(&left);
	net_state(&right);
	if (!right.len && *net_warning())
		warning_part(&right, w - tn_display_width(left.buf) - 2 - (app.readonly ? 12 : 0));
	if (app.readonly)
		tn_buf_adds(&right, right.len ? " · read-only" : "read-only");
	if (edit_active() && app.message[0]) {
		/* completions while typing: shown where the status line is */
		disp_status(app.message, right.buf, DC_STATUS, 0);
	} else if (app.flash_until_ms > now) {
		int on = ((app.flash_until_ms - now) / 500) % 2 == 0;
		disp_status(app.flash, right.buf, on ? DC_FLASH : DC_SEV_RED, on ? 0 : DA_REVERSE);
	} else {
		disp_status(left.buf, right.buf, net_offline() ? DC_BAD : DC_STATUS,
			    net_offline() ? DA_REVERSE : 0);
	}
	if (edit_active()) {
		edit_draw();
	} else if (app.message[0]) {
		disp_bottom(app.message, app.message_bad ? DC_BAD : DC_NORMAL);
	} else {
		/* nothing to say: the keys of the view */
		struct tn_buf hint = TN_BUF_INIT;

		keys_hint_line(&hint, v->mask, depth == 1, w - 1);
		disp_bottom(hint.buf, DC_DIM);
		tn_buf_release(&hint);
	}
	disp_flush();
	tn_buf_release(&left);
	tn_buf_release(&right);
}

/* ---- input ---- */

static void on_command(const char *line)
{
	app_command(line);
}

static void handle_key(int key)
{
	const struct view *v = app_top();
	enum act a;

	app.dirty = 1;
	app.last_key = key;
	if (key == DK_RESIZE) {
		disp_resize();
		return;
	}
	if (edit_active()) {
		edit_key(key);
		return;
	}
	if (confirm_key(key))
		return;
	app.message[0] = '\0';
	a = keys_action(v->mask, key);
	if (v->key && v->key(a, key))
		return;
	switch (a) {
	case ACT_QUIT:
		app_pop();
		break;
	case ACT_HELP:
		app_push(&help_view);
		break;
	case ACT_COMMAND:
		edit_start(":", NULL, NULL, on_command, app_complete);
		break;
	case ACT_CERTS:
		certs_open(NULL);
		break;
	case ACT_ALERTS:
		app_push(&alerts_view);
		break;
	case ACT_TASKS:
		tasks_open();
		break;
	case ACT_WALL:
		wall_open();
		break;
	case ACT_MAP:
		map_open();
		break;
	case ACT_INBOX:
		while (depth > 1)
			app_pop();
		break;
	case ACT_REDRAW:
		disp_redraw();
		break;
	case ACT_NONE:
		break;
	default:
		break;
	}
}

void app_key(int key)
{
	app.opening_key = key > ' ' && key != 127 && !DK_IS_CODE(key) ? key : 0;
	handle_key(key);
	app.opening_key = 0;
}
