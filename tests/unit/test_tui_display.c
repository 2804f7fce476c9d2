/* test_tui_display.c — casedesk's display module (tui/display.c) on a virtual screen: colour names, widths, Chinese text cut to the columns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>
#include <wchar.h>
#include <curses.h>
#include <cmocka.h>

#include "tn_out.h"
#include "display.h"
#include "tui_test.h"

#define ROWS 12
#define COLS_ 20

/* Line y of the screen as the terminal shows it, as UTF-8. */
static const char *screen_line(int y)
{
	return tui_test_line(y, COLS_);
}

static int setup(void **state)
{
	(void)state;
	setlocale(LC_ALL, "C.UTF-8");
	setenv("TERM", "xterm", 1);
	return disp_init_virtual(ROWS, COLS_) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	disp_end();
	disp_end();                     /* safe more than once */
	return 0;
}

static void test_color_names(void **state)
{
	(void)state;
	assert_int_equal(disp_color_find("overdue"), DC_OVERDUE);
	assert_int_equal(disp_color_find("status"), DC_STATUS);
	assert_int_equal(disp_color_find("normal"), DC_NORMAL);
	assert_int_equal(disp_color_find("nope"), -1);
	assert_int_equal(disp_color_parse("red"), COLOR_RED);
	assert_int_equal(disp_color_parse("WHITE"), COLOR_WHITE);
	assert_int_equal(disp_color_parse("orange"), DCOLOR_ORANGE);
	assert_int_equal(disp_color_parse("default"), -1);
	assert_int_equal(disp_color_parse("none"), -1);
	assert_int_equal(disp_color_parse("mauve"), -2);
	/* every role has a distinct name */
	for (int i = 0; i < DC_COUNT; i++)
		assert_int_equal(disp_color_find(disp_colors[i].name), i);
}

static void test_width_n(void **state)
{
	(void)state;
	setlocale(LC_ALL, "C.UTF-8");
	/* n counts characters from the start of s: a wide one is two columns */
	assert_int_equal(disp_width_n("abc", 2), 2);
	assert_int_equal(disp_width_n("上海市", 1), 2);
	assert_int_equal(disp_width_n("上海市", 3), 6);
	assert_int_equal(disp_width_n("上海市", 10), 6);       /* no further than the end */
	assert_int_equal(disp_width_n("a上b", 3), 4);
	assert_int_equal(disp_width_n("", 5), 0);
	assert_int_equal(disp_width_n("\xff" "a", 2), 2);      /* a bad byte is one column */
}

static void test_size(void **state)
{
	int rows, cols;

	(void)state;
	disp_size(&rows, &cols);
	assert_int_equal(rows, ROWS - 2);       /* the status and bottom lines are apart */
	assert_int_equal(cols, COLS_);
}

static void test_chinese_line_cut(void **state)
{
	const char *s;

	(void)state;
	/* wider than the screen: cut at a whole character, the last column "…" */
	disp_line(0, DC_NORMAL, 0, "上海市浦东新区张江高科技园区申请");
	/* narrower: padded; an odd column left by a wide character is a space */
	disp_line(1, DC_HEADER, 0, "张三 2026-12-10");
	disp_put(2, 15, DC_OVERDUE, DA_BOLD, "异地就医");      /* 5 columns left: two characters and "…" */
	disp_line(3, DC_NORMAL, 0, "abcdefghijklmnopqrstuvwxyz");
	disp_flush();

	s = screen_line(0);
	assert_int_equal(tn_display_width(s), COLS_);
	assert_non_null(strstr(s, "上海市浦东新区张江"));
	assert_non_null(strstr(s, "…"));
	assert_null(strstr(s, "申请"));

	s = screen_line(1);
	assert_int_equal(strncmp(s, "张三 2026-12-10", strlen("张三 2026-12-10")), 0);
	assert_int_equal(tn_display_width(s), COLS_);

	s = screen_line(2);
	assert_non_null(strstr(s, "异地…"));
	assert_null(strstr(s, "就医"));

	s = screen_line(3);
	assert_int_equal(strncmp(s, "abcdefghijklmnopqrs…", strlen("abcdefghijklmnopqrs…")), 0);
}

static void test_out_of_range_ignored(void **state)
{
	(void)state;
	disp_line(-1, DC_NORMAL, 0, "never");
	disp_line(ROWS - 2, DC_NORMAL, 0, "never");    /* the status line is not the main area's */
	disp_put(0, COLS_, DC_NORMAL, 0, "never");
	disp_clear_from(ROWS);
	disp_flush();
	for (int y = 0; y < ROWS; y++)
		assert_null(strstr(screen_line(y), "never"));
}

static void test_status_and_bottom(void **state)
{
	const char *s;

	(void)state;
	disp_status("收件箱 120 件", "逾期 3", DC_STATUS, 0);
	disp_bottom("已受理 C00000001，共处理了很多很多很多件", DC_OK);
	disp_flush();
	s = screen_line(ROWS - 2);
	assert_int_equal(strncmp(s, "收件箱 120 件", strlen("收件箱 120 件")), 0);
	assert_non_null(strstr(s, "逾期 3"));
	assert_int_equal(tn_display_width(s), COLS_);
	s = screen_line(ROWS - 1);
	assert_int_equal(strncmp(s, "已受理", strlen("已受理")), 0);
	/* one column is kept free for the cursor */
	assert_true(tn_display_width(s) <= COLS_);
	assert_non_null(strstr(s, "…"));

	/* a long prompt shows its end, where the cursor is */
	disp_prompt("/张三丰李四王五赵六钱七孙八周九吴十", 36);
	disp_flush();
	s = screen_line(ROWS - 1);
	assert_non_null(strstr(s, "吴十"));
	assert_null(strstr(s, "/张三"));

	disp_clear_line(0);
	disp_clear_from(1);
	disp_redraw();
	disp_flush();
	assert_int_equal(strspn(screen_line(0), " "), strlen(screen_line(0)));
}

static void test_no_key_waiting(void **state)
{
	int k;

	(void)state;
	/* the resize to the virtual size may be the one key waiting; then nothing */
	k = disp_getkey();
	if (k == DK_RESIZE)
		k = disp_getkey();
	assert_int_equal(k, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_color_names),
		cmocka_unit_test(test_width_n),
		cmocka_unit_test_setup_teardown(test_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chinese_line_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_range_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_and_bottom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_key_waiting, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
