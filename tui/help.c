/* help.c — the `?` view: every key and action, made from the one key table, and the rules that go with them (confirm, detail, hints). */
#include <stdlib.h>
#include <string.h>

#include "casedesk.h"
#include "display.h"
#include "tn_buf.h"
#include "tn_out.h"

static size_t top;
static int height;
static size_t nlines;

#define HEAD 17                 /* the heading column of the notes under the keys */

/* A screen line of a note, under its heading: the first after it, the others indented. */
static void note_part(void *ctx, const char *s, size_t n)
{
	struct tn_buf *b = ctx;

	if (b->len && b->buf[b->len - 1] == '\n')
		tn_buf_addf(b, "%*s", HEAD, "");
	tn_buf_add(b, s, n);
	tn_buf_addch(b, '\n');
}

/* A note: its heading padded to HEAD columns, its text wrapped to the width after it. */
static void note(struct tn_buf *b, const char *heading, const char *text, int cols)
{
	tn_fit_width(b, heading, HEAD, 1);
	pager_wrap(text, cols > HEAD + 20 ? cols - HEAD - 1 : 20, note_part, b);
}

static void help_draw(int rows, int cols)
{
	struct tn_buf b = TN_BUF_INIT, t = TN_BUF_INIT;
	const char *p;
	size_t i = 0;
	int y = 1;

	height = rows - 1;
	disp_line(0, DC_TITLE, 0, "casedesk keys (set them in the config file: casedesk: {keys: {ACTION: KEY}})");
	tn_buf_adds(&b, "KEYS             ACTION        WHERE              WHAT\n");
	keys_help_lines(&b, cols);
	tn_buf_addch(&b, '\n');
	note(&b, "Commands (:)", "status S|all · item CODE|all · sort deadline|id|status|applicant|item|submitted · "
	     "refresh · certs [HOLDER] · alerts · tasks · wall · map · inbox · help · quit", cols);
	note(&b, "Colours", "overdue red, due within two working days yellow; NO_COLOR turns them off", cols);
	tn_buf_addf(&t, "Deadline %s", tn_mark_provisional[0].sign);
	note(&b, t.buf, tn_mark_provisional[0].note, cols);
	note(&b, "Wall 大屏", "W or :wall: the city's vital signs (GET /v1/vitals), each indicator's name, its value in "
	     "big digits, its level in green, yellow or red and its trend arrow (↑ ↓ →), as many columns as the "
	     "width holds (j k scroll when they do not all fit); read again when the alert stream brings an "
	     "event and every 10 s (R now)", cols);
	note(&b, "Map 地图", "M or :map: Shanghai's 16 districts drawn in braille from approximate outlines "
	     "(share/twonet/divisions/districts.geojson), the open alerts at their place by severity (● red "
	     "orange yellow blue; ○ at the district's centre when the alert has no place) and the vehicles by "
	     "state (▲ free, en route, on site, out of service); district names where there is room; "
	     "live like the wall", cols);
	tn_buf_addch(&b, '\n');
	note(&b, "Confirm 确认", keys_confirm_rule, cols);
	tn_buf_addch(&b, '\n');
	note(&b, "Detail 详情", "Enter or v on a line of the case view, Enter on an alert: the whole text, wrapped; "
	     "j k PgUp PgDn Space scroll, q or Esc close", cols);
	note(&b, "Tasks 任务", "T or :tasks: the tasks the rules made, open ones first by priority, then newest; "
	     "they change as the alert stream brings their events (R reloads). Enter: the task's facts, "
	     "plan steps (done, pending, late), escalations and history. Its actions work in both views "
	     "and are sent with the task's version: a task changed by someone else is read again, "
	     "nothing overwritten", cols);
	note(&b, "Hints 提示", "the bottom line, when it has nothing else to say, names the keys of the view", cols);
	nlines = 0;
	for (p = b.buf; *p; i++) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (i >= top && y < rows) {
			char *line = tn_xstrndup(p, len);
			disp_line(y++, i == 0 ? DC_HEADER : DC_NORMAL, 0, line);
			free(line);
		}
		nlines++;
		p += len + (e ? 1 : 0);
	}
	disp_clear_from(y);
	tn_buf_release(&b);
	tn_buf_release(&t);
}

static void help_status(struct tn_buf *b)
{
	tn_buf_adds(b, "help · q to go back");
}

static int help_key(enum act a, int key)
{
	(void)key;
	switch (a) {
	case ACT_DOWN:
		if (top + 1 < nlines)
			top++;
		return 1;
	case ACT_UP:
		if (top)
			top--;
		return 1;
	case ACT_PGDN:
		top = top + (size_t)height < nlines ? top + (size_t)height : top;
		return 1;
	case ACT_PGUP:
		top = top > (size_t)height ? top - (size_t)height : 0;
		return 1;
	case ACT_FIRST:
		top = 0;
		return 1;
	case ACT_LAST:
		top = nlines > (size_t)height ? nlines - (size_t)height : 0;
		return 1;
	case ACT_HELP:
		return 1;
	default:
		return 0;
	}
}

void help_done(void)
{
	top = 0;
}

const struct view help_view = {
	"help", V_HELP, help_draw, help_status, help_key, NULL
};
