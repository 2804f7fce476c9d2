/* edit.c — the bottom-line editor: readline's callback interface fed from the ncurses input loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "casedesk.h"
#include "display.h"
#include "tn_out.h"

static unsigned char pending[64];
static size_t npending, ppending;
static int active;
static char *prompt;
static char *last_line;         /* the line as last seen, to tell changes */
static edit_change_fn on_change;
static edit_done_fn on_done;
static edit_complete_fn on_complete;
static FILE *devnull;
static const char *initial_text;
static int guard_key;           /* the key that opened the prompt, until another key */
static char *required;          /* the message when a blank line is refused, or NULL */

static int blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return 0;
	return 1;
}

static int edit_getc(FILE *fp)
{
	(void)fp;
	if (ppending < npending)
		return pending[ppending++];
	return EOF;
}

static int edit_available(void)
{
	return ppending < npending;
}

static void edit_redisplay(void)
{
	app.dirty = 1;
}

static void noop_prep(int meta)
{
	(void)meta;
}

static void noop_deprep(void)
{
}

static int insert_initial(void)
{
	if (initial_text) {
		rl_insert_text(initial_text);
		initial_text = NULL;
	}
	return 0;
}

/* Matches are shown on the message line instead of being printed. */
static void show_matches(char **matches, int n, int maxlen)
{
	struct tn_buf b = TN_BUF_INIT;

	(void)maxlen;
	for (int i = 1; i <= n; i++)
		tn_buf_addf(&b, "%s%s", i > 1 ? "  " : "", matches[i]);
	app_msg(0, "%s", b.buf);
	tn_buf_release(&b);
}

static char **complete(const char *text, int start, int end)
{
	rl_attempted_completion_over = 1;
	if (!on_complete)
		return NULL;
	return on_complete(text, start, end);
}

static void line_done(char *line)
{
	edit_done_fn done = on_done;

	if (line && required && blank(line)) {
		/* the handler stays: readline starts an empty line under the same prompt */
		app_msg(1, "%s", required);
		free(line);
		return;
	}
	free(required);
	required = NULL;
	rl_callback_handler_remove();
	active = 0;
	on_change = NULL;
	on_done = NULL;
	on_complete = NULL;
	free(last_line);
	last_line = NULL;
	if (line && *line)
		add_history(line);
	app.dirty = 1;
	if (done)
		done(line);
	free(line);
}

void edit_init(void)
{
	devnull = fopen("/dev/null", "w");
	rl_readline_name = "casedesk";
	rl_instream = NULL;
	rl_outstream = devnull;
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_getc_function = edit_getc;
	rl_input_available_hook = edit_available;
	rl_redisplay_function = edit_redisplay;
	rl_prep_term_function = noop_prep;
	rl_deprep_term_function = noop_deprep;
	rl_startup_hook = insert_initial;
	rl_attempted_completion_function = complete;
	rl_completion_display_matches_hook = show_matches;
	rl_variable_bind("bell-style", "none");
	rl_variable_bind("horizontal-scroll-mode", "on");
	rl_variable_bind("show-all-if-ambiguous", "on");
	using_history();
}

void edit_shutdown(void)
{
	if (active)
		rl_callback_handler_remove();
	active = 0;
	free(prompt);
	free(last_line);
	free(required);
	prompt = last_line = required = NULL;
	clear_history();
	if (devnull)
		fclose(devnull);
	devnull = NULL;
}

void edit_start(const char *p, const char *initial, edit_change_fn change, edit_done_fn done,
		edit_complete_fn compl)
{
	if (active)
		rl_callback_handler_remove();
	free(prompt);
	prompt = tn_xstrdup(p);
	on_change = change;
	on_done = done;
	on_complete = compl;
	active = 1;
	npending = ppending = 0;
	initial_text = initial;
	free(last_line);
	last_line = tn_xstrdup(initial ? initial : "");
	rl_callback_handler_install(prompt, line_done);
	initial_text = NULL;
	guard_key = app.opening_key;
	free(required);
	required = NULL;
	app.message[0] = '\0';
	app.dirty = 1;
}

void edit_require(const char *why)
{
	free(required);
	required = active ? tn_xstrdup(why) : NULL;
}

int edit_active(void)
{
	return active;
}

static void push(const char *s)
{
	size_t n = strlen(s);

	if (npending + n > sizeof(pending))
		return;
	memcpy(pending + npending, s, n);
	npending += n;
}

void edit_key(int key)
{
	char mb[MB_LEN_MAX + 1];

	npending = ppending = 0;
	app.message[0] = '\0';
	if (guard_key) {
		/* the opening key, pressed again and again: never the first character */
		if (key == guard_key && rl_end == 0)
			return;
		guard_key = 0;
	}
	if (key == 27 || key == 7) {    /* Escape or C-g: cancel */
		line_done(NULL);
		return;
	}
	if (DK_IS_CODE(key)) {
		switch (key) {
		case DK_LEFT: push("\033[D"); break;
		case DK_RIGHT: push("\033[C"); break;
		case DK_UP: push("\033[A"); break;
		case DK_DOWN: push("\033[B"); break;
		case DK_HOME: push("\001"); break;
		case DK_END: push("\005"); break;
		case DK_DELETE: push("\004"); break;
		case DK_BACKSPACE: push("\177"); break;
		case DK_ENTER: push("\r"); break;
		default: return;
		}
	} else if (key == '\n') {
		push("\r");
	} else {
		mbstate_t st;
		size_t n;

		memset(&st, 0, sizeof(st));
		n = wcrtomb(mb, (wchar_t)key, &st);
		if (n == (size_t)-1)
			return;
		mb[n] = '\0';
		if (n == 1 && mb[0] == '\004' && rl_end == 0)    /* C-d on an empty line: cancel */
			mb[0] = '\033';
		if (n == 1 && mb[0] == '\033') {
			line_done(NULL);
			return;
		}
		push(mb);
	}
	while (active && ppending < npending)
		rl_callback_read_char();
	if (active && on_change && strcmp(last_line, rl_line_buffer) != 0) {
		free(last_line);
		last_line = tn_xstrdup(rl_line_buffer);
		on_change(rl_line_buffer);
	}
	app.dirty = 1;
}

void edit_draw(void)
{
	struct tn_buf b = TN_BUF_INIT;
	int cursor;

	if (!active)
		return;
	tn_buf_adds(&b, prompt);
	tn_buf_adds(&b, rl_line_buffer);
	{
		/* the cursor: the prompt's width plus the width of the text before rl_point */
		char *head = tn_xstrndup(rl_line_buffer, (size_t)rl_point);
		cursor = tn_display_width(prompt) + tn_display_width(head);
		free(head);
	}
	disp_prompt(b.buf, cursor);
	tn_buf_release(&b);
}
