/* test_tui_edit.c — casedesk's bottom-line editor (tui/edit.c): keys in, the line changing, done and cancelled, Chinese text, the prompt drawn, the opening key never text, a required text. */
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
#include "casedesk.h"
#include "display.h"
#include "tui_test.h"

static char last_change[256];
static int changes;
static char done_line[256];
static int done_calls, cancelled;

static void on_change(const char *line)
{
	snprintf(last_change, sizeof(last_change), "%s", line);
	changes++;
}

static void on_done(const char *line)
{
	done_calls++;
	if (line)
		snprintf(done_line, sizeof(done_line), "%s", line);
	else
		cancelled++;
}

static char **no_completion(const char *text, int start, int end)
{
	(void)text;
	(void)start;
	(void)end;
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	setlocale(LC_ALL, "C.UTF-8");
	setenv("TERM", "xterm", 1);
	setenv("INPUTRC", "/dev/null", 1);      /* emacs keys, whatever the user's ~/.inputrc */
	if (disp_init_virtual(6, 30) != 0)
		return -1;
	edit_init();
	last_change[0] = done_line[0] = '\0';
	changes = done_calls = cancelled = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	edit_shutdown();
	disp_end();
	return 0;
}

static void type(const char *utf8)
{
	mbstate_t st;
	wchar_t wc;
	size_t n, len = strlen(utf8);

	memset(&st, 0, sizeof(st));
	while (len > 0 && (n = mbrtowc(&wc, utf8, len, &st)) != 0 && n < (size_t)-2) {
		edit_key((int)wc);
		utf8 += n;
		len -= n;
	}
}

/* The bottom line as the terminal shows it. */
static const char *bottom_line(void)
{
	return tui_test_line(5, 30);
}

static void test_type_and_enter(void **state)
{
	(void)state;
	assert_int_equal(edit_active(), 0);
	edit_start("/", NULL, on_change, on_done, no_completion);
	assert_int_equal(edit_active(), 1);
	type("abc");
	assert_string_equal(last_change, "abc");
	assert_int_equal(changes, 3);           /* once a key, as the filter narrows */
	edit_key(DK_ENTER);
	assert_int_equal(edit_active(), 0);
	assert_int_equal(done_calls, 1);
	assert_string_equal(done_line, "abc");
}

static void test_chinese_and_editing_keys(void **state)
{
	(void)state;
	edit_start(":", NULL, on_change, on_done, NULL);
	type("张三丰");
	assert_string_equal(last_change, "张三丰");
	edit_key(DK_BACKSPACE);                 /* a whole character, not a byte */
	assert_string_equal(last_change, "张三");
	edit_key(DK_HOME);
	type("李");
	assert_string_equal(last_change, "李张三");
	edit_key(DK_END);
	edit_key(DK_LEFT);
	type("x");
	assert_string_equal(last_change, "李张x三");
	edit_key(DK_RIGHT);
	type("y");
	assert_string_equal(last_change, "李张x三y");
	edit_key(DK_HOME);
	edit_key(DK_DELETE);
	assert_string_equal(last_change, "张x三y");
	edit_key('\n');                         /* a newline is Enter too */
	assert_string_equal(done_line, "张x三y");
}

static void test_initial_text(void **state)
{
	(void)state;
	edit_start("comment: ", "已核实", on_change, on_done, NULL);
	type("。");
	assert_string_equal(last_change, "已核实。");
	edit_key(DK_ENTER);
	assert_string_equal(done_line, "已核实。");
}

static void test_cancel(void **state)
{
	(void)state;
	edit_start("/", NULL, on_change, on_done, NULL);
	type("ab");
	edit_key(27);                           /* Escape */
	assert_int_equal(edit_active(), 0);
	assert_int_equal(cancelled, 1);

	edit_start("/", NULL, on_change, on_done, NULL);
	type("ab");
	edit_key(7);                            /* C-g */
	assert_int_equal(cancelled, 2);

	edit_start("/", NULL, on_change, on_done, NULL);
	edit_key(4);                            /* C-d on an empty line */
	assert_int_equal(cancelled, 3);

	/* C-d on a line that has text deletes instead */
	edit_start("/", NULL, on_change, on_done, NULL);
	type("ab");
	edit_key(DK_HOME);
	edit_key(4);
	assert_int_equal(edit_active(), 1);
	assert_string_equal(last_change, "b");
	edit_key(DK_ENTER);
	assert_string_equal(done_line, "b");
	assert_int_equal(cancelled, 3);
}

static void test_empty_enter_and_restart(void **state)
{
	(void)state;
	edit_start("/", NULL, on_change, on_done, NULL);
	edit_key(DK_ENTER);
	assert_int_equal(done_calls, 1);
	assert_int_equal(cancelled, 0);
	assert_string_equal(done_line, "");

	/* starting again while active replaces the line */
	edit_start("/", NULL, on_change, on_done, NULL);
	type("old");
	edit_start(":", NULL, on_change, on_done, NULL);
	type("new");
	edit_key(DK_ENTER);
	assert_string_equal(done_line, "new");
	/* keys a line editor has no use for are ignored */
	edit_start("/", NULL, on_change, on_done, NULL);
	edit_key(DK_F1);
	edit_key(DK_PGDN);
	assert_int_equal(edit_active(), 1);
	edit_key(27);
}

/* The key that opened the prompt, pressed again (and again), is never its first character; later it is text. */
static void test_opening_key_not_text(void **state)
{
	(void)state;
	app.opening_key = 'c';
	edit_start("close: evaluation? ", NULL, on_change, on_done, NULL);
	app.opening_key = 0;
	type("cc");
	assert_int_equal(changes, 0);
	type("已排水c");
	edit_key(DK_ENTER);
	assert_string_equal(done_line, "已排水c");

	/* another key first: the opening key is text from then on */
	app.opening_key = 'r';
	edit_start("return: ", NULL, on_change, on_done, NULL);
	app.opening_key = 0;
	type("xr");
	edit_key(DK_HOME);
	type("r");
	edit_key(DK_ENTER);
	assert_string_equal(done_line, "rxr");

	/* a prompt no key opened takes every key */
	edit_start("code: ", NULL, on_change, on_done, NULL);
	type("c1");
	edit_key(DK_ENTER);
	assert_string_equal(done_line, "c1");
}

/* A prompt that needs a text refuses a blank line and stays open; Esc still cancels. */
static void test_required(void **state)
{
	(void)state;
	edit_start("why? ", NULL, on_change, on_done, NULL);
	edit_require("a comment is needed");
	edit_key(DK_ENTER);
	assert_int_equal(done_calls, 0);
	assert_int_equal(edit_active(), 1);
	assert_non_null(strstr(app.message, "a comment is needed"));
	type("  \t ");
	edit_key(DK_ENTER);
	assert_int_equal(done_calls, 0);
	assert_int_equal(edit_active(), 1);
	type("材料不全");
	edit_key(DK_ENTER);
	assert_int_equal(done_calls, 1);
	assert_string_equal(done_line, "材料不全");

	edit_start("why? ", NULL, on_change, on_done, NULL);
	edit_require("a comment is needed");
	edit_key(DK_ENTER);
	edit_key(27);
	assert_int_equal(edit_active(), 0);
	assert_int_equal(cancelled, 1);

	/* the next prompt does not inherit the rule */
	edit_start("/", NULL, on_change, on_done, NULL);
	edit_key(DK_ENTER);
	assert_int_equal(done_calls, 3);
	assert_string_equal(done_line, "");
}

static void test_draw(void **state)
{
	(void)state;
	edit_start("/", NULL, on_change, on_done, NULL);
	type("张三");
	edit_draw();
	disp_flush();
	assert_int_equal(strncmp(bottom_line(), "/张三", strlen("/张三")), 0);

	/* longer than the line: its end, where the cursor is, stays in view */
	type("丰李四王五赵六钱七孙八周九吴十郑十一");
	edit_draw();
	disp_flush();
	assert_non_null(strstr(bottom_line(), "郑十一"));
	assert_true(tn_display_width(bottom_line()) <= 30);
	edit_key(27);
	edit_draw();                            /* not active: draws nothing */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_type_and_enter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chinese_and_editing_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_initial_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_enter_and_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_draw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_opening_key_not_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_required, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
