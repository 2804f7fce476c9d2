/* help.c — the `?` view: every key and action, made from the one key table. */
#include <stdlib.h>
#include <string.h>

#include "casedesk.h"
#include "display.h"
#include "tn_buf.h"
#include "tn_out.h"

static size_t top;
static int height;
static size_t nlines;

/* A screen line of the confirm rule, under its heading. */
static void rule_part(void *ctx, const char *s, size_t n)
{
	struct tn_buf *b = ctx;

	if (b->len && b->buf[b->len - 1] == '\n')
		tn_buf_addf(b, "%*s", 17, "");
	tn_buf_add(b, s, n);
	tn_buf_addch(b, '\n');
}

static void help_draw(int rows, int cols)
{
	struct tn_buf b = TN_BUF_INIT;
	const char *p;
	size_t i = 0;
	int y = 1;

	height = rows;
	disp_line(0, DC_TITLE, 0, "casedesk keys (set them in the config file: casedesk: {keys: {ACTION: KEY}})");
	tn_buf_adds(&b, "KEYS             ACTION        WHERE              WHAT\n");
	keys_help_lines(&b, cols);
	tn_buf_adds(&b, "\nCommands (:)     status S|all · item CODE|all · sort deadline|id|status|applicant|item|submitted\n"
			"                 refresh · certs [HOLDER] · alerts · inbox · help · quit\n"
			"Colours          overdue red, due within two working days yellow; NO_COLOR turns them off\n");
	tn_buf_addf(&b, "Deadline %-7s %s\n", tn_mark_provisional[0].sign, tn_mark_provisional[0].note);
	tn_buf_adds(&b, "\nConfirm 确认     ");
	pager_wrap(keys_confirm_rule, cols > 40 ? cols - 18 : 22, rule_part, &b);
	tn_buf_adds(&b, "\nDetail 详情      Enter or v on a line of the case view, Enter on an alert: the whole text,\n"
			"                 wrapped; j k PgUp PgDn Space scroll, q or Esc close\n");
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
