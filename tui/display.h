/* display.h — casedesk's display module: the only place that calls ncurses. */
#ifndef DISPLAY_H
#define DISPLAY_H

/* Colour roles; each maps to a pair (configurable before disp_init). */
enum dcol {
	DC_NORMAL = 0, DC_HEADER, DC_STATUS, DC_TITLE, DC_OVERDUE, DC_DUE, DC_TAGGED,
	DC_OK, DC_BAD, DC_DIM, DC_SEV_BLUE, DC_SEV_YELLOW, DC_SEV_ORANGE, DC_SEV_RED,
	DC_FLASH, DC_COUNT
};

/* Attributes that go with a colour. */
#define DA_BOLD    0x1
#define DA_REVERSE 0x2
#define DA_UNDER   0x4

/* Colour names: -1 default, 0..7 the ANSI colours, 8 orange (256 colours, else magenta). */
#define DCOLOR_ORANGE 8

struct dcolor_spec {
	const char *name;   /* the config name: "overdue", "due", ... */
	short fg, bg;
	int attr;
};

extern struct dcolor_spec disp_colors[DC_COUNT];

/* The role named `name`, or -1. */
int disp_color_find(const char *name);
/* A colour name ("red", "default", "orange") as a number, or -2 when unknown. */
int disp_color_parse(const char *name);

/*
 * Start the screen: setlocale has been called by the caller; initscr,
 * cbreak, noecho, keypad, colours (use_default_colors) unless no_color.
 * Registers disp_end with atexit.  Returns -1 when there is no terminal.
 */
int disp_init(int no_color);
/*
 * Start on a virtual screen of rows x cols writing to /dev/null (bench mode).
 */
int disp_init_virtual(int rows, int cols);
/* Restore the terminal.  Safe to call more than once. */
void disp_end(void);

/* The size of the main area (everything but the status and bottom lines). */
void disp_size(int *rows, int *cols);
/* Call after KEY_RESIZE: re-lay the windows out. */
void disp_resize(void);

/* Main area: clear line y, then write text at column x. */
void disp_clear_line(int y);
void disp_put(int y, int x, enum dcol c, int attr, const char *s);
/* Write `s` as the whole line y (padded to the width), in colour and attributes. */
void disp_line(int y, enum dcol c, int attr, const char *s);
/* Clear lines y.. of the main area. */
void disp_clear_from(int y);

/* The status line: left and right parts. */
void disp_status(const char *left, const char *right, enum dcol c, int attr);
/* The bottom line: a message, or a prompt with the cursor at display column `cursor`. */
void disp_bottom(const char *s, enum dcol c);
void disp_prompt(const char *s, int cursor);

/* Flush everything drawn: wnoutrefresh of each window, then one doupdate. */
void disp_flush(void);
/* Repaint the whole screen on the next flush (C-l). */
void disp_redraw(void);

/* Function keys: above every code point. */
enum dkey_code {
	DK_BASE = 0x200000, DK_UP, DK_DOWN, DK_LEFT, DK_RIGHT, DK_PGUP, DK_PGDN, DK_HOME,
	DK_END, DK_BACKSPACE, DK_DELETE, DK_ENTER, DK_RESIZE, DK_BTAB, DK_F1, DK_OTHER
};
#define DK_IS_CODE(k) ((k) > DK_BASE)

/*
 * The next key without waiting: a code point, or a DK_* function key
 * (DK_RESIZE included).  Returns 0 when there is none.
 */
int disp_getkey(void);

/* Display width of the first `n` bytes of `s`. */
int disp_width_n(const char *s, int n);

#endif
