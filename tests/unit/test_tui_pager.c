/* test_tui_pager.c — the detail pane's wrapping (tui/pager.c): by display width, Chinese never cut, Latin words kept whole, nothing lost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "casedesk.h"
#include "tn_out.h"

struct got {
	struct tn_buf all;      /* the lines joined */
	int widest;
	size_t lines;
};

static void take(void *ctx, const char *s, size_t n)
{
	struct got *g = ctx;
	char *line = tn_xstrndup(s, n);
	int w = tn_display_width(line);

	if (w > g->widest)
		g->widest = w;
	tn_buf_adds(&g->all, line);
	tn_buf_addch(&g->all, '|');
	g->lines++;
	free(line);
}

/* 600 Chinese characters at 79 columns: 39 a line (78 columns), every one of them kept. */
static void test_chinese(void **state)
{
	struct tn_buf text = TN_BUF_INIT, want = TN_BUF_INIT;
	struct got g = { TN_BUF_INIT, 0, 0 };
	size_t n;

	(void)state;
	for (int i = 0; i < 60; i++)
		tn_buf_adds(&text, "缺少退休审批表原件");      /* 9 characters */
	tn_buf_adds(&text, "缺少退休审批表原件缺少退休审批表原件缺少退休审批表原件缺少退休审批表原件缺少退休审批表原件缺少退休审批表原件缺少退休审");
	n = pager_wrap(text.buf, 79, take, &g);
	assert_int_equal(n, g.lines);
	assert_int_equal(g.widest, 78);
	assert_int_equal(n, (600 + 38) / 39);
	for (const char *p = g.all.buf; *p; p++)
		if (*p != '|')
			tn_buf_addch(&want, *p);
	assert_string_equal(want.buf, text.buf);
	assert_int_equal(pager_wrap(text.buf, 79, NULL, NULL), n);
	tn_buf_release(&text);
	tn_buf_release(&want);
	tn_buf_release(&g.all);
}

/* Latin words are not cut when a space allows; line ends and empty lines are kept. */
static void test_words_and_lines(void **state)
{
	struct got g = { TN_BUF_INIT, 0, 0 };

	(void)state;
	assert_int_equal(pager_wrap("hello world foo\n\nab", 11, take, &g), 4);
	assert_string_equal(g.all.buf, "hello world|foo||ab|");
	tn_buf_reset(&g.all);
	assert_int_equal(pager_wrap("hello big world", 11, take, &g), 2);
	assert_string_equal(g.all.buf, "hello big |world|");
	tn_buf_reset(&g.all);
	g.lines = 0;
	assert_int_equal(pager_wrap("abcdefghij", 4, take, &g), 3);
	assert_string_equal(g.all.buf, "abcd|efgh|ij|");
	tn_buf_reset(&g.all);
	assert_int_equal(pager_wrap("张三a李四", 3, take, &g), 4);
	assert_string_equal(g.all.buf, "张|三a|李|四|");
	tn_buf_release(&g.all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chinese),
		cmocka_unit_test(test_words_and_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
