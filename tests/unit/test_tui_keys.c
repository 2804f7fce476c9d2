/* test_tui_keys.c — casedesk's key table (tui/keys.c) and case actions (tui/actions.c) read the lib's list of case actions; the hint line made from them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "casedesk.h"
#include "tn_out.h"

/* Every action of TN_CASE_ACTIONS that has a key is that key's act in the inbox and the case view. */
static void test_case_actions_from_lib(void **state)
{
	int with_key = 0;

	(void)state;
	for (int i = 0; i < TN_CASE_ACTION_COUNT; i++) {
		const struct tn_case_move *m = tn_case_move(i);
		char key[8];
		enum act a;

		assert_non_null(m);
		assert_int_equal(case_action_needs_comment(m->name), m->needs_comment);
		if (!m->key)
			continue;
		with_key++;
		a = keys_action(V_INBOX, m->key);
		assert_int_equal(keys_action(V_CASE, m->key), a);
		assert_int_equal(keys_case_move(a), i);
		assert_string_equal(case_action_name(a), m->name);
		assert_string_equal(keys_act_name(a), m->name);
		snprintf(key, sizeof(key), "%c", m->key);
		assert_string_equal(keys_first_key(a), key);
	}
	assert_int_equal(with_key, 5);
	assert_int_equal(keys_case_move(ACT_QUIT), -1);
	assert_null(case_action_name(ACT_DISPATCH));
	assert_int_equal(case_action_needs_comment("return"), 1);
	assert_int_equal(case_action_needs_comment("accept"), 0);
	assert_int_equal(case_action_needs_comment("nope"), 0);
}

/* The `?` help names each case action. */
static void test_help_names_actions(void **state)
{
	struct tn_buf b = TN_BUF_INIT;

	(void)state;
	assert_true(keys_help_lines(&b, 120) > 0);
	for (int i = 0; i < TN_CASE_ACTION_COUNT; i++)
		if (tn_case_move(i)->key)
			assert_non_null(strstr(b.buf, tn_case_move(i)->name));
	tn_buf_release(&b);
}

/* The hint line: the lib's case actions with their labels first, ? and q always last, within the width. */
static void test_hint_line(void **state)
{
	struct tn_buf b = TN_BUF_INIT;
	size_t len;

	(void)state;
	keys_hint_line(&b, V_INBOX, 1, 79);
	assert_true(tn_display_width(b.buf) <= 79);
	assert_int_equal(strncmp(b.buf, "a 受理  r 退回补正  p 批准  x 不予批准  c 办结  ",
				 strlen("a 受理  r 退回补正  p 批准  x 不予批准  c 办结  ")), 0);
	len = strlen("? 帮助  q 退出");
	assert_true(b.len >= len);
	assert_string_equal(b.buf + b.len - len, "? 帮助  q 退出");
	tn_buf_reset(&b);

	/* wide: every action the view takes, each case action with the lib's label */
	keys_hint_line(&b, V_CASE, 0, 300);
	for (int i = 0; i < TN_CASE_ACTION_COUNT; i++) {
		const struct tn_case_move *m = tn_case_move(i);
		char item[64];

		if (!m->key)
			continue;
		snprintf(item, sizeof(item), "%c %s  ", m->key, m->label);
		assert_non_null(strstr(b.buf, item));
		assert_string_equal(keys_act_label(keys_action(V_CASE, m->key)), m->label);
	}
	assert_non_null(strstr(b.buf, "v 详情"));
	assert_non_null(strstr(b.buf, "q 返回"));
	assert_null(strstr(b.buf, "d 派遣"));
	tn_buf_reset(&b);

	keys_hint_line(&b, V_ALERTS, 0, 79);
	assert_int_equal(strncmp(b.buf, "d 派遣  a 签收  v 处置完毕  c 关闭  Enter 打开", strlen("d 派遣  a 签收  v 处置完毕  c 关闭  Enter 打开")), 0);
	tn_buf_reset(&b);

	/* narrow: what does not fit is left out, never ? and q */
	keys_hint_line(&b, V_INBOX, 1, 22);
	assert_string_equal(b.buf, "a 受理  ? 帮助  q 退出");
	tn_buf_reset(&b);
	keys_hint_line(&b, V_INBOX, 1, 21);
	assert_string_equal(b.buf, "? 帮助  q 退出");
	tn_buf_release(&b);
}

static void write_config(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* The casedesk: section of the config: a key bound by name; a fault named with its file and line. */
static void test_config(void **state)
{
	char path[] = "/tmp/test_tui_keys.XXXXXX";
	struct tn_err err = TN_ERR_INIT;
	int fd = mkstemp(path);
	char want[128];

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_config(path, "casedesk:\n  keys:\n    accept: [o, C-a]\n");
	assert_int_equal(keys_load_config(path, &err), TN_OK);
	assert_int_equal(keys_action(V_INBOX, 'o'), keys_action(V_INBOX, 1));
	assert_string_equal(case_action_name(keys_action(V_INBOX, 'o')), "accept");
	assert_int_equal(keys_action(V_INBOX, 'a'), ACT_NONE);
	write_config(path, "casedesk:\n  keys:\n    accept: a\n    nosuch: b\n");
	assert_int_equal(keys_load_config(path, &err), TN_EINVALID);
	snprintf(want, sizeof(want), "%s:4: casedesk: no action 'nosuch'", path);
	assert_string_equal(err.message, want);
	tn_err_clear(&err);
	write_config(path, "casedesk:\n  keys:\n    approve: [p, [x]]\n");
	assert_int_equal(keys_load_config(path, &err), TN_EINVALID);
	snprintf(want, sizeof(want), "%s:3: casedesk: keys of 'approve' must be names", path);
	assert_string_equal(err.message, want);
	tn_err_clear(&err);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_actions_from_lib),
		cmocka_unit_test(test_help_names_actions),
		cmocka_unit_test(test_hint_line),
		cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
