/* display.c — the display module: every ncurses call of casedesk lives here. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "tn_buf.h"
#include "tn_out.h"
#include "display.h"

struct dcolor_spec disp_colors[DC_COUNT] = {
	[DC_NORMAL]     = { "normal", -1, -1, 0 },
	[DC_HEADER]     = { "header", -1, -1, DA_BOLD | DA_UNDER },
	[DC_STATUS]     = { "status", COLOR_WHITE, COLOR_BLUE, 0 },
	[DC_TITLE]      = { "title", COLOR_CYAN, -1, DA_BOLD },
	[DC_OVERDUE]    = { "overdue", COLOR_RED, -1, DA_BOLD },
	[DC_DUE]        = { "due", COLOR_YELLOW, -1, 0 },
	[DC_TAGGED]     = { "tagged", COLOR_MAGENTA, -1, DA_BOLD },
	[DC_OK]         = { "ok", COLOR_GREEN, -1, 0 },
	[DC_BAD]        = { "bad", COLOR_RED, -1, DA_BOLD },
	[DC_DIM]        = { "dim", COLOR_BLUE, -1, 0 },
	[DC_SEV_BLUE]   = { "blue", COLOR_BLUE, -1, 0 },
	[DC_SEV_YELLOW] = { "yellow", COLOR_YELLOW, -1, 0 },
	[DC_SEV_ORANGE] = { "orange", DCOLOR_ORANGE, -1, DA_BOLD },
	[DC_SEV_RED]    = { "red", COLOR_RED, -1, DA_BOLD },
	[DC_FLASH]      = { "flash", COLOR_WHITE, COLOR_RED, DA_BOLD },
};

static WINDOW *win_main, *win_status, *win_bottom;
static int started, colored, cursor_on;
static SCREEN *vscreen;
static FILE *vout, *vin;

int disp_color_find(const char *name)
{
	for (int i = 0; i < DC_COUNT; i++)
		if (!strcmp(disp_colors[i].name, name))
			return i;
	return -1;
}

int disp_color_parse(const char *name)
{
	static const char *const names[] = {
		"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white", "orange"
	};

	if (!strcasecmp(name, "default") || !strcasecmp(name, "none"))
		return -1;
	for (int i = 0; i < 9; i++)
		if (!strcasecmp(name, names[i]))
			return i;
	return -2;
}

static short color_number(short c)
{
	if (c == DCOLOR_ORANGE)
		return COLORS >= 256 ? 208 : COLOR_MAGENTA;
	return c;
}

static void layout(void)
{
	int h = LINES, w = COLS;

	if (h < 3)
		h = 3;
	if (w < 10)
		w = 10;
	if (win_main)
		delwin(win_main);
	if (win_status)
		delwin(win_status);
	if (win_bottom)
		delwin(win_bottom);
	win_main = newwin(h - 2, w, 0, 0);
	win_status = newwin(1, w, h - 2, 0);
	win_bottom = newwin(1, w, h - 1, 0);
	leaveok(win_main, TRUE);
	leaveok(win_status, TRUE);
	keypad(win_bottom, TRUE);
	nodelay(win_bottom, TRUE);
}

static void setup_colors(int no_color)
{
	colored = 0;
	if (no_color || !has_colors())
		return;
	start_color();
	use_default_colors();
	for (int i = 1; i < DC_COUNT; i++)
		init_pair((short)i, color_number(disp_colors[i].fg), color_number(disp_colors[i].bg));
	colored = 1;
}

int disp_init(int no_color)
{
	if (started)
		return 0;
	if (!initscr())
		return -1;
	started = 1;
	atexit(disp_end);
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	curs_set(0);
	setup_colors(no_color);
	layout();
	return 0;
}

int disp_init_virtual(int rows, int cols)
{
	vout = fopen("/dev/null", "w");
	vin = fopen("/dev/null", "r");
	if (!vout || !vin)
		return -1;
	vscreen = newterm(getenv("TERM") ? NULL : "xterm", vout, vin);
	if (!vscreen)
		return -1;
	set_term(vscreen);
	started = 1;
	resizeterm(rows, cols);
	setup_colors(0);
	layout();
	return 0;
}

void disp_end(void)
{
	if (!started)
		return;
	started = 0;
	if (win_main)
		delwin(win_main);
	if (win_status)
		delwin(win_status);
	if (win_bottom)
		delwin(win_bottom);
	win_main = win_status = win_bottom = NULL;
	curs_set(1);
	endwin();
	if (vscreen) {
		delscreen(vscreen);
		vscreen = NULL;
		fclose(vout);
		fclose(vin);
	}
}

void disp_size(int *rows, int *cols)
{
	getmaxyx(win_main, *rows, *cols);
}

void disp_resize(void)
{
	layout();
	clearok(curscr, TRUE);
}

static attr_t attrs_of(enum dcol c, int attr)
{
	attr_t a = 0;
	int all = attr | disp_colors[c].attr;

	/* without colours, a role drawn on a background (the status line) is reversed */
	if (!colored && disp_colors[c].bg >= 0)
		all |= DA_REVERSE;
	if (colored && c != DC_NORMAL)
		a |= COLOR_PAIR(c);
	if (all & DA_BOLD)
		a |= A_BOLD;
	if (all & DA_REVERSE)
		a |= A_REVERSE;
	if (all & DA_UNDER)
		a |= A_UNDERLINE;
	return a;
}

void disp_clear_line(int y)
{
	wmove(win_main, y, 0);
	wattrset(win_main, A_NORMAL);
	wclrtoeol(win_main);
}

void disp_clear_from(int y)
{
	int h, w;

	getmaxyx(win_main, h, w);
	(void)w;
	if (y >= h)
		return;
	wmove(win_main, y, 0);
	wattrset(win_main, A_NORMAL);
	wclrtobot(win_main);
}

void disp_put(int y, int x, enum dcol c, int attr, const char *s)
{
	int h, w;
	struct tn_buf b = TN_BUF_INIT;

	getmaxyx(win_main, h, w);
	if (y < 0 || y >= h || x >= w)
		return;
	tn_fit_width(&b, s, w - x, 0);
	wattrset(win_main, attrs_of(c, attr));
	mvwaddstr(win_main, y, x, b.buf);
	wattrset(win_main, A_NORMAL);
	tn_buf_release(&b);
}

void disp_line(int y, enum dcol c, int attr, const char *s)
{
	int h, w;
	struct tn_buf b = TN_BUF_INIT;

	getmaxyx(win_main, h, w);
	if (y < 0 || y >= h)
		return;
	tn_fit_width(&b, s, w, 1);
	wattrset(win_main, attrs_of(c, attr));
	mvwaddstr(win_main, y, 0, b.buf);
	wattrset(win_main, A_NORMAL);
	tn_buf_release(&b);
}

void disp_status(const char *left, const char *right, enum dcol c, int attr)
{
	int w = getmaxx(win_status);
	int rw = tn_display_width(right), lw = tn_display_width(left);
	struct tn_buf b = TN_BUF_INIT;

	/* the right part gets half the line, or what the left part leaves when more */
	if (rw > w / 2 && rw > w - lw - 2)
		rw = w / 2 > w - lw - 2 ? w / 2 : w - lw - 2;
	tn_fit_width(&b, left, w - rw - 1, 1);
	tn_buf_addch(&b, ' ');
	tn_fit_width(&b, right, rw, 1);
	wattrset(win_status, attrs_of(c, attr));
	mvwaddstr(win_status, 0, 0, b.buf);
	wattrset(win_status, A_NORMAL);
	tn_buf_release(&b);
}

void disp_bottom(const char *s, enum dcol c)
{
	struct tn_buf b = TN_BUF_INIT;
	int w = getmaxx(win_bottom);

	tn_fit_width(&b, s, w - 1, 0);
	werase(win_bottom);
	wattrset(win_bottom, attrs_of(c, 0));
	mvwaddstr(win_bottom, 0, 0, b.buf);
	wattrset(win_bottom, A_NORMAL);
	if (cursor_on) {
		curs_set(0);
		cursor_on = 0;
	}
	tn_buf_release(&b);
}

void disp_prompt(const char *s, int cursor)
{
	int w = getmaxx(win_bottom);
	int sw = tn_display_width(s);
	const char *p = s;

	/* a line longer than the screen: show its end, where the cursor is */
	while (cursor >= w - 1 && *p) {
		int cw = disp_width_n(p, 1);
		do
			p++;
		while ((*p & 0xc0) == 0x80);
		cursor -= cw;
		sw -= cw;
	}
	werase(win_bottom);
	mvwaddstr(win_bottom, 0, 0, p);
	wmove(win_bottom, 0, cursor < 0 ? 0 : cursor);
	if (!cursor_on) {
		curs_set(1);
		cursor_on = 1;
	}
}

void disp_flush(void)
{
	wnoutrefresh(win_main);
	wnoutrefresh(win_status);
	wnoutrefresh(win_bottom);
	doupdate();
}

void disp_redraw(void)
{
	clearok(curscr, TRUE);
}

int disp_getkey(void)
{
	wint_t ch;
	int rc = wget_wch(win_bottom, &ch);

	if (rc == ERR)
		return 0;
	if (rc != KEY_CODE_YES)
		return (int)ch;
	switch (ch) {
	case KEY_UP: return DK_UP;
	case KEY_DOWN: return DK_DOWN;
	case KEY_LEFT: return DK_LEFT;
	case KEY_RIGHT: return DK_RIGHT;
	case KEY_PPAGE: return DK_PGUP;
	case KEY_NPAGE: return DK_PGDN;
	case KEY_HOME: return DK_HOME;
	case KEY_END: return DK_END;
	case KEY_BACKSPACE: return DK_BACKSPACE;
	case KEY_DC: return DK_DELETE;
	case KEY_ENTER: return DK_ENTER;
	case KEY_RESIZE: return DK_RESIZE;
	case KEY_BTAB: return DK_BTAB;
	case KEY_F(1): return DK_F1;
	default: return DK_OTHER;
	}
}

int disp_width_n(const char *s, int n)
{
	mbstate_t st;
	int w = 0;
	size_t i = 0, len = strlen(s);

	memset(&st, 0, sizeof(st));
	while (n-- > 0 && i < len) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + i, len - i, &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&st, 0, sizeof(st));
			i++;
			w++;
			continue;
		}
		int cw = wcwidth(wc);
		w += cw < 0 ? 1 : cw;
		i += k;
	}
	return w;
}
