/* tui_test.h — what casedesk's unit tests share: a line of the virtual screen read back from curses. */
#ifndef TUI_TEST_H
#define TUI_TEST_H

#include <wchar.h>

#define TUI_TEST_MAX_COLS 128

/*
 * Line y of the screen as the terminal shows it (after disp_flush), its first
 * `cols` columns, as UTF-8.  The text lives until the next call.
 */
static inline const char *tui_test_line(int y, int cols)
{
	static char out[4 * TUI_TEST_MAX_COLS + 8];
	wchar_t w[TUI_TEST_MAX_COLS + 1];
	int n = mvwinnwstr(curscr, y, 0, w, cols < TUI_TEST_MAX_COLS ? cols : TUI_TEST_MAX_COLS);
	size_t len;

	assert_true(n >= 0);
	w[n] = L'\0';
	len = wcstombs(out, w, sizeof(out) - 1);
	assert_true(len != (size_t)-1);
	out[len] = '\0';
	return out;
}

#endif
