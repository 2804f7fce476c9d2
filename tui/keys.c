/* keys.c — casedesk's one table of keys and actions, the `?` help made from it, and the casedesk: config. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "casedesk.h"
#include "display.h"
#include "tn_out.h"
#include "tn_task.h"
#include "tn_yaml.h"

#define MAXKEYS 4

struct binding {
	enum act act;
	const char *name;       /* the config name */
	unsigned views;
	int keys[MAXKEYS];      /* 0-terminated */
	const char *help;
	const char *label;      /* the Chinese label of the hint line (a case action's: the lib's) */
	int hint;               /* its place in the hint line: 1 writes, 2 reads, 3 goes; 0 none */
};

#define CTRL(c) ((c) & 0x1f)

/*
 * The table.  Order is the help screen's order.  A case action's name and
 * default key are the lib's (TN_CASE_ACTIONS): its row here leaves them
 * out and table_init fills them in from case_moves.
 */
static struct binding table[] = {
	{ ACT_HELP, "help", V_ALL, { '?', DK_F1 }, "show this help", "帮助", 0 },
	{ ACT_QUIT, "quit", V_ALL, { 'q' }, "back to the previous view; quit from the inbox", "返回", 0 },
	{ ACT_DOWN, "down", V_ALL, { 'j', DK_DOWN }, "next line", "下一行", 0 },
	{ ACT_UP, "up", V_ALL, { 'k', DK_UP }, "previous line", "上一行", 0 },
	{ ACT_PGDN, "page-down", V_ALL, { DK_PGDN, CTRL('f') }, "next page (Space too in the detail pane)", "下一页", 0 },
	{ ACT_PGUP, "page-up", V_ALL, { DK_PGUP, CTRL('b') }, "previous page", "上一页", 0 },
	{ ACT_FIRST, "first", V_ALL, { 'g', DK_HOME }, "first line", "首行", 0 },
	{ ACT_LAST, "last", V_ALL, { 'G', DK_END }, "last line", "末行", 0 },
	{ ACT_OPEN, "open", V_INBOX | V_CASE | V_ALERTS | V_TASKS, { '\r', '\n', DK_ENTER },
	  "open: the case; in the case view a sub-case, or the whole line in the detail pane; an alert's or a task's detail and history", "打开", 2 },
	{ ACT_DETAIL, "detail", V_CASE, { 'v' }, "the whole line in the detail pane: a comment, a long value, wrapped", "详情", 2 },
	{ ACT_TAG, "tag", V_INBOX, { ' ' }, "tag or untag the case; actions apply to every tagged case", "标记", 2 },
	{ ACT_UNTAG, "untag-all", V_INBOX, { 'u' }, "untag every case", "全部取消标记", 0 },
	{ ACT_FILTER, "filter", V_INBOX | V_ALERTS, { '/' }, "filter as you type over the visible columns", "筛选", 2 },
	{ ACT_COMMAND, "command", V_ALL, { ':' }, "command: status S, item CODE, sort KEY, refresh, certs ID, alerts, tasks, wall, map, quit", "命令", 0 },
	{ ACT_REFRESH, "refresh", V_INBOX | V_CASE | V_CERTS | V_TASKS | V_TASK | V_WALL | V_MAP, { 'R' }, "load again from the server", "刷新", 3 },
	{ ACT_REDRAW, "redraw", V_ALL, { CTRL('l') }, "repaint the screen", "重绘", 0 },
	{ ACT_ACCEPT, NULL, V_INBOX | V_CASE, { 0 }, "accept the case (press again to confirm)", NULL, 1 },
	{ ACT_RETURN, NULL, V_INBOX | V_CASE, { 0 }, "return the case for a missing material, with a comment", NULL, 1 },
	{ ACT_APPROVE, NULL, V_INBOX | V_CASE, { 0 }, "approve the case (press again to confirm)", NULL, 1 },
	{ ACT_REJECT, NULL, V_INBOX | V_CASE, { 0 }, "reject the case, with a comment", NULL, 1 },
	{ ACT_COMPLETE, NULL, V_INBOX | V_CASE, { 0 }, "complete the case (press again to confirm)", NULL, 1 },
	{ ACT_CERTS, "certificates", V_INBOX | V_CASE | V_CERTS, { 'C' }, "look up a holder's e-certificates (the applicant's in a case)", "证照", 3 },
	{ ACT_CONSENT, "consent-code", V_CASE | V_CERTS, { 'K' }, "enter the holder's one-time consent code, read out at the window, and look up again", "授权码", 3 },
	{ ACT_ALERTS, "alerts", V_INBOX | V_CASE | V_CERTS | V_TASKS, { 'A' }, "the live alert stream (operators)", "告警", 3 },
	{ ACT_TASKS, "tasks", V_INBOX | V_CASE | V_CERTS | V_ALERTS, { 'T' }, "the city-operations tasks and their plan steps (operators)", "任务", 3 },
	{ ACT_WALL, "wall", V_INBOX | V_CASE | V_CERTS | V_ALERTS | V_TASKS | V_MAP, { 'W' }, "the wall: the city's vital signs in big digits, coloured by level, live from the stream", "大屏", 3 },
	{ ACT_MAP, "map", V_INBOX | V_CASE | V_CERTS | V_ALERTS | V_TASKS | V_WALL, { 'M' }, "the district map: open alerts by severity and trucks by state on Shanghai's districts, live", "地图", 3 },
	{ ACT_INBOX, "inbox", V_CASE | V_CERTS | V_ALERTS | V_HELP | V_PAGER | V_TASKS | V_TASK | V_WALL | V_MAP, { 'I' }, "back to the inbox", "收件箱", 3 },
	{ ACT_DISPATCH, "dispatch", V_ALERTS | V_TASKS | V_TASK, { 'd' }, "dispatch a crew to the alert or the task, naming it", "派遣", 1 },
	{ ACT_ACKNOWLEDGE, "acknowledge", V_ALERTS | V_TASKS | V_TASK, { 'a' }, "acknowledge the alert or the task (press again to confirm)", "签收", 1 },
	{ ACT_ARRIVE, "arrive", V_TASKS | V_TASK, { 'o' }, "the crew is on site (press again to confirm)", NULL, 1 },
	{ ACT_RESOLVE, "resolve", V_ALERTS | V_TASKS | V_TASK, { 'v' }, "mark the alert or the task resolved (press again to confirm)", "处置完毕", 1 },
	{ ACT_STEP, "step", V_TASKS | V_TASK, { 's' }, "mark a plan step of the task done, naming its number", NULL, 1 },
	{ ACT_EVALUATE, "evaluate", V_TASKS | V_TASK, { 'e' }, "evaluate the resolved task: a score 1..5, then a comment", NULL, 1 },
	{ ACT_REOPEN, "reopen", V_TASKS | V_TASK, { 'r' }, "send the resolved task back to its crew (press again to confirm)", NULL, 1 },
	{ ACT_CLOSE, "close", V_ALERTS, { 'c' }, "close the alert, with an evaluation", "关闭", 1 },
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

/* casedesk's acts on cases and the lib's actions they are. */
static const struct {
	enum act act;
	enum tn_case_action move;
} case_moves[] = {
	{ ACT_ACCEPT, TN_CASE_ACCEPT }, { ACT_RETURN, TN_CASE_RETURN },
	{ ACT_APPROVE, TN_CASE_APPROVE }, { ACT_REJECT, TN_CASE_REJECT },
	{ ACT_COMPLETE, TN_CASE_COMPLETE },
};

int keys_case_move(enum act a)
{
	for (size_t i = 0; i < sizeof(case_moves) / sizeof(case_moves[0]); i++)
		if (case_moves[i].act == a)
			return (int)case_moves[i].move;
	return -1;
}

/* The case actions' names and default keys, from the lib's list; once, before any use of the table. */
static void table_init(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	for (size_t i = 0; i < NTABLE; i++) {
		const struct tn_case_move *m = tn_case_move(keys_case_move(table[i].act));

		if (!table[i].label && task_act_action(table[i].act))
			table[i].label = tn_task_action_label(task_act_action(table[i].act));
		if (!m)
			continue;
		table[i].name = m->name;
		table[i].label = m->label;
		memset(table[i].keys, 0, sizeof(table[i].keys));
		table[i].keys[0] = m->key;
	}
}

enum act keys_action(unsigned mask, int key)
{
	table_init();
	if (key == '\n' || key == DK_ENTER)
		key = '\r';
	for (size_t i = 0; i < NTABLE; i++) {
		if (!(table[i].views & mask))
			continue;
		for (int k = 0; k < MAXKEYS && table[i].keys[k]; k++)
			if (table[i].keys[k] == key)
				return table[i].act;
	}
	return ACT_NONE;
}

const char *keys_act_name(enum act a)
{
	table_init();
	for (size_t i = 0; i < NTABLE; i++)
		if (table[i].act == a)
			return table[i].name;
	return "";
}

static const struct {
	int key;
	const char *name;
} named[] = {
	{ DK_UP, "Up" }, { DK_DOWN, "Down" }, { DK_LEFT, "Left" }, { DK_RIGHT, "Right" },
	{ DK_PGUP, "PgUp" }, { DK_PGDN, "PgDn" }, { DK_HOME, "Home" }, { DK_END, "End" },
	{ DK_BACKSPACE, "Backspace" }, { DK_DELETE, "Delete" }, { DK_ENTER, "KpEnter" },
	{ DK_BTAB, "BackTab" }, { DK_F1, "F1" }, { '\r', "Enter" }, { '\n', "C-j" },
	{ ' ', "Space" }, { '\t', "Tab" }, { 27, "Esc" },
};

void keys_name(int key, char *buf, size_t size)
{
	mbstate_t st;
	char mb[MB_LEN_MAX + 1];
	size_t n;

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (named[i].key == key) {
			snprintf(buf, size, "%s", named[i].name);
			return;
		}
	if (key > 0 && key < 32) {
		snprintf(buf, size, "C-%c", key + 'a' - 1);
		return;
	}
	memset(&st, 0, sizeof(st));
	n = wcrtomb(mb, (wchar_t)key, &st);
	if (n == (size_t)-1)
		n = 0;
	mb[n] = '\0';
	snprintf(buf, size, "%s", mb);
}

const char *keys_first_key(enum act a)
{
	static char buf[32];

	table_init();
	for (size_t i = 0; i < NTABLE; i++)
		if (table[i].act == a) {
			keys_name(table[i].keys[0], buf, sizeof(buf));
			return buf;
		}
	return "";
}

/* Parse a key name: one character, C-x, or a name of the table above. */
static int key_parse(const char *s)
{
	wchar_t wc;
	mbstate_t st;
	size_t n;

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (!strcasecmp(named[i].name, s))
			return named[i].key;
	if ((s[0] == 'C' || s[0] == 'c') && s[1] == '-' && s[2] && !s[3])
		return CTRL(s[2]);
	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, s, strlen(s), &st);
	if (n == 0 || n == (size_t)-1 || n == (size_t)-2 || s[n] != '\0')
		return 0;
	return (int)wc;
}

static const char *view_names(unsigned v, char *buf, size_t size)
{
	if (v == V_ALL) {
		snprintf(buf, size, "everywhere");
		return buf;
	}
	buf[0] = '\0';
	if (v & V_INBOX)
		snprintf(buf + strlen(buf), size - strlen(buf), "%sinbox", *buf ? "," : "");
	if (v & V_CASE)
		snprintf(buf + strlen(buf), size - strlen(buf), "%scase", *buf ? "," : "");
	if (v & V_CERTS)
		snprintf(buf + strlen(buf), size - strlen(buf), "%scerts", *buf ? "," : "");
	if (v & V_ALERTS)
		snprintf(buf + strlen(buf), size - strlen(buf), "%salerts", *buf ? "," : "");
	if (v & V_PAGER)
		snprintf(buf + strlen(buf), size - strlen(buf), "%sdetail", *buf ? "," : "");
	if (v & V_TASKS)
		snprintf(buf + strlen(buf), size - strlen(buf), "%stasks", *buf ? "," : "");
	if (v & V_TASK)
		snprintf(buf + strlen(buf), size - strlen(buf), "%stask", *buf ? "," : "");
	if (v & V_WALL)
		snprintf(buf + strlen(buf), size - strlen(buf), "%swall", *buf ? "," : "");
	if (v & V_MAP)
		snprintf(buf + strlen(buf), size - strlen(buf), "%smap", *buf ? "," : "");
	return buf;
}

struct help_wrap {
	struct tn_buf *out;
	int lines;
};

/* One screen line of an action's help: the first after the columns, the others under it. */
static void help_part(void *ctx, const char *s, size_t n)
{
	struct help_wrap *h = ctx;

	if (h->lines++)
		tn_buf_addf(h->out, "\n%*s", 50, "");
	tn_buf_add(h->out, s, n);
}

size_t keys_help_lines(struct tn_buf *out, int width)
{
	size_t n = 0;

	table_init();
	for (size_t i = 0; i < NTABLE; i++) {
		struct tn_buf k = TN_BUF_INIT;
		struct help_wrap h = { out, 0 };
		char name[32], views[64];

		for (int j = 0; j < MAXKEYS && table[i].keys[j]; j++) {
			if (table[i].keys[j] == '\n' || table[i].keys[j] == DK_ENTER)
				continue;
			keys_name(table[i].keys[j], name, sizeof(name));
			tn_buf_addf(&k, "%s%s", k.len ? " " : "", name);
		}
		tn_fit_width(out, k.buf, 16, 1);
		tn_buf_addch(out, ' ');
		tn_fit_width(out, table[i].name, 13, 1);
		tn_buf_addch(out, ' ');
		tn_fit_width(out, view_names(table[i].views, views, sizeof(views)), 18, 1);
		tn_buf_addch(out, ' ');
		/* the help whole, wrapped under its column (the Chinese label first) */
		{
			struct tn_buf t = TN_BUF_INIT;

			tn_buf_addf(&t, "%s%s%s", table[i].label ? table[i].label : "",
				    table[i].label ? " " : "", table[i].help);
			pager_wrap(t.buf, width > 70 ? width - 51 : 19, help_part, &h);
			tn_buf_release(&t);
		}
		tn_buf_addch(out, '\n');
		tn_buf_release(&k);
		n++;
	}
	return n;
}

const char keys_confirm_rule[] =
	"Nothing is written on one key: an action asks first (press its key again, or y; any other key cancels); "
	"one that takes a text (a comment, a crew, an evaluation, a consent code) opens its prompt empty instead: "
	"the key that opened it is never taken as its first character, a required text cannot be blank, "
	"Enter sends it, Esc cancels and nothing is written.";

const char *keys_act_label(enum act a)
{
	table_init();
	for (size_t i = 0; i < NTABLE; i++)
		if (table[i].act == a)
			return table[i].label ? table[i].label : "";
	return "";
}

/* "KEY LABEL" of binding b, in buf. */
static void hint_item(const struct binding *b, char *buf, size_t size)
{
	char key[32];

	keys_name(b->keys[0], key, sizeof(key));
	snprintf(buf, size, "%s %s", key, b->label ? b->label : b->name);
}

void keys_hint_line(struct tn_buf *out, unsigned mask, int last, int width)
{
	struct tn_buf tail = TN_BUF_INIT;
	char item[96];
	int used;

	table_init();
	for (size_t i = 0; i < NTABLE; i++)
		if (table[i].act == ACT_HELP || table[i].act == ACT_QUIT) {
			hint_item(&table[i], item, sizeof(item));
			if (table[i].act == ACT_QUIT && last)
				snprintf(strchr(item, ' ') + 1, sizeof(item) - (size_t)(strchr(item, ' ') + 1 - item),
					 "%s", "退出");
			tn_buf_addf(&tail, "%s%s", tail.len ? "  " : "", item);
		}
	used = tn_display_width(tail.buf);
	for (int rank = 1; rank <= 3; rank++)
		for (size_t i = 0; i < NTABLE; i++) {
			int w;

			if (table[i].hint != rank || !(table[i].views & mask) || !table[i].keys[0])
				continue;
			hint_item(&table[i], item, sizeof(item));
			w = tn_display_width(item) + 2;
			if (used + w > width)
				continue;
			tn_buf_addf(out, "%s  ", item);
			used += w;
		}
	if (used <= width)
		tn_buf_adds(out, tail.buf);
	tn_buf_release(&tail);
}

/* ---- the casedesk: section of the config file ---- */

/* The file as the safe loader gives it (tn_yaml_load_fp: no aliases, bounded). */
struct ystate {
	yaml_document_t doc;
	const char *path;
	struct tn_err *err;
};

static int yfail(struct ystate *y, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* TN_EINVALID "PATH:LINE: casedesk: MESSAGE" at node `n`; returns -1. */
static int yfail(struct ystate *y, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tn_yaml_err(y->err, y->path, n, 0, "casedesk: %s", msg);
	return -1;
}

static int bind_keys(struct ystate *y, const char *action, yaml_node_t *v)
{
	struct binding *b = NULL;
	int keys[MAXKEYS] = { 0 }, n = 0;

	for (size_t i = 0; i < NTABLE; i++)
		if (!strcmp(table[i].name, action))
			b = &table[i];
	if (!b)
		return yfail(y, v, "no action '%s'", action);
	if (tn_yaml_scalar(v)) {
		keys[n] = key_parse(tn_yaml_scalar(v));
		if (!keys[n])
			return yfail(y, v, "'%s' is not a key", tn_yaml_scalar(v));
		n++;
	} else if (v->type == YAML_SEQUENCE_NODE) {
		yaml_node_t *e;

		TN_YAML_SEQ_EACH(&y->doc, v, it, e) {
			int k;

			if (!tn_yaml_scalar(e))
				return yfail(y, e, "keys of '%s' must be names", action);
			if (!(k = key_parse(tn_yaml_scalar(e))))
				return yfail(y, e, "'%s' is not a key", tn_yaml_scalar(e));
			if (n < MAXKEYS - 1)
				keys[n++] = k;
		}
	} else {
		return yfail(y, v, "the key of '%s' must be a name or a list", action);
	}
	memset(b->keys, 0, sizeof(b->keys));
	memcpy(b->keys, keys, sizeof(int) * (size_t)n);
	return 0;
}

static int set_color(struct ystate *y, const char *element, yaml_node_t *v)
{
	int role = disp_color_find(element), fg, bg = -1;
	char spec[128], *on;

	if (role < 0)
		return yfail(y, v, "no colour element '%s'", element);
	if (!tn_yaml_scalar(v))
		return yfail(y, v, "the colour of '%s' must be \"FG [on BG]\"", element);
	snprintf(spec, sizeof(spec), "%s", tn_yaml_scalar(v));
	on = strstr(spec, " on ");
	if (on) {
		*on = '\0';
		bg = disp_color_parse(on + 4);
		if (bg == -2)
			return yfail(y, v, "unknown colour '%s'", on + 4);
	}
	fg = disp_color_parse(spec);
	if (fg == -2)
		return yfail(y, v, "unknown colour '%s'", spec);
	disp_colors[role].fg = (short)fg;
	disp_colors[role].bg = (short)bg;
	return 0;
}

typedef int (*ymap_fn)(struct ystate *y, const char *name, yaml_node_t *value);

/* A mapping of NAME: VALUE, each handed to fn; anything else is passed over. */
static int ymap(struct ystate *y, yaml_node_t *map, ymap_fn fn)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return 0;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&y->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&y->doc, p->value);
		char name[64];

		if (!tn_yaml_scalar(k))
			return yfail(y, k, "%s", "expected a name");
		snprintf(name, sizeof(name), "%s", tn_yaml_scalar(k));
		if (fn(y, name, v) < 0)
			return -1;
	}
	return 0;
}

static int section(struct ystate *y, const char *name, yaml_node_t *v)
{
	if (!strcmp(name, "keys"))
		return ymap(y, v, bind_keys);
	if (!strcmp(name, "colors") || !strcmp(name, "colours"))
		return ymap(y, v, set_color);
	return 0;
}

static int top(struct ystate *y, const char *name, yaml_node_t *v)
{
	if (!strcmp(name, "casedesk"))
		return ymap(y, v, section);
	return 0;
}

enum tn_code keys_load_config(const char *path, struct tn_err *err)
{
	struct ystate y;
	enum tn_code rc;
	FILE *fp;

	table_init();
	if (!path)
		return TN_OK;
	fp = fopen(path, "r");
	if (!fp)
		return TN_OK;
	memset(&y, 0, sizeof(y));
	y.path = path;
	y.err = err;
	rc = tn_yaml_load_fp(path, fp, &y.doc, err);
	fclose(fp);
	if (rc != TN_OK)
		return rc;
	if (ymap(&y, yaml_document_get_root_node(&y.doc), top) < 0)
		rc = err->code;
	yaml_document_delete(&y.doc);
	return rc;
}
