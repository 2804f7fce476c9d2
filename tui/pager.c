/* pager.c — the detail pane: a text shown whole, wrapped by display width, scrolled with j/k/PgUp/PgDn/Space, closed with q or Esc. */
#include <stdlib.h>
#include <string.h>

#include "casedesk.h"
#include "display.h"
#include "tn_buf.h"
#include "tn_out.h"

static struct {
	char *title;
	char *text;             /* lines end in '\n' */
	long tag;               /* who filled it (an alert's id), for pager_update */
	size_t top;             /* the first visual line shown */
	size_t nvis;            /* visual lines at the last draw */
	int height;
} pg;

/* Bytes of the UTF-8 character at s (1 for a bad byte). */
static size_t char_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

	for (size_t i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

static int char_cols(const char *s, size_t n)
{
	char one[8];

	memcpy(one, s, n);
	one[n] = '\0';
	return tn_display_width(one);
}

/*
 * Wrap `text` to `width` columns: call fn(line, len) for each visual line
 * (a break at the last space of a line of Latin words, else after the last
 * character that fits: Chinese has no spaces).  Returns the line count.
 */
size_t pager_wrap(const char *text, int width, void (*fn)(void *ctx, const char *s, size_t n),
		  void *ctx)
{
	size_t count = 0;
	const char *p = text;

	if (width < 2)
		width = 2;
	while (*p) {
		const char *e = strchr(p, '\n');
		const char *end = e ? e : p + strlen(p);

		do {
			const char *q = p, *space = NULL;
			int cols = 0;

			while (q < end) {
				size_t n = char_len(q);
				int w = char_cols(q, n);

				if (cols + w > width)
					break;
				if (*q == ' ')
					space = q;
				cols += w;
				q += n;
			}
			if (q < end && space && space > p && (unsigned char)*q < 0x80 && *q != ' ')
				q = space + 1;          /* do not cut a word */
			if (fn)
				fn(ctx, p, (size_t)(q - p));
			count++;
			p = q;
			if (p < end && *p == ' ' && q > text && q[-1] != ' ')
				p++;                    /* the space the line broke at */
		} while (p < end);
		p = e ? e + 1 : end;
	}
	return count;
}

struct drawing {
	size_t at;              /* visual line number */
	size_t top;             /* the first one shown */
	int y, rows;
};

static void draw_one(void *ctx, const char *s, size_t n)
{
	struct drawing *d = ctx;

	if (d->at >= d->top && d->y < d->rows) {
		char *line = tn_xstrndup(s, n);

		disp_line(d->y++, DC_NORMAL, 0, line);
		free(line);
	}
	d->at++;
}

size_t pager_draw_text(const char *text, int rows, int cols, size_t *top)
{
	struct drawing d = { 0, 0, 1, rows };
	size_t nvis = pager_wrap(text, cols - 1, NULL, NULL), height = rows > 1 ? (size_t)rows - 1 : 0;

	if (nvis <= height)
		*top = 0;
	else if (*top > nvis - height)
		*top = nvis - height;
	d.top = *top;
	pager_wrap(text, cols - 1, draw_one, &d);
	disp_clear_from(d.y);
	return nvis;
}

static void pager_draw(int rows, int cols)
{
	disp_line(0, DC_TITLE, 0, pg.title ? pg.title : "");
	pg.height = rows - 1;
	pg.nvis = pager_draw_text(pg.text ? pg.text : "", rows, cols, &pg.top);
}

static void pager_status(struct tn_buf *b)
{
	size_t last = pg.top + (size_t)(pg.height > 0 ? pg.height : 0);

	tn_buf_addf(b, "detail · lines %zu-%zu of %zu · j k PgUp PgDn Space scroll · q Esc close",
		    pg.nvis ? pg.top + 1 : 0, last < pg.nvis ? last : pg.nvis, pg.nvis);
}

int pager_scroll(enum act a, int key, size_t *top, size_t nvis, int height)
{
	if (key == 27) {
		app_pop();
		return 1;
	}
	/* the draw brings *top back so that the last page is full */
	return list_move(key == ' ' ? ACT_PGDN : a, top, nvis, height);
}

int list_move(enum act a, size_t *cur, size_t n, int height)
{
	size_t page = height > 1 ? (size_t)height - 1 : 1;

	switch (a) {
	case ACT_DOWN:
		if (*cur + 1 < n)
			++*cur;
		return 1;
	case ACT_UP:
		if (*cur)
			--*cur;
		return 1;
	case ACT_PGDN:
		*cur = *cur + page < n ? *cur + page : (n ? n - 1 : 0);
		return 1;
	case ACT_PGUP:
		*cur = *cur > page ? *cur - page : 0;
		return 1;
	case ACT_FIRST:
		*cur = 0;
		return 1;
	case ACT_LAST:
		*cur = n ? n - 1 : 0;
		return 1;
	default:
		return 0;
	}
}

void list_fit(size_t *cur, size_t *top, size_t n, int rows)
{
	if (*cur >= n)
		*cur = n ? n - 1 : 0;
	if (*cur < *top)
		*top = *cur;
	if (rows > 0 && *cur >= *top + (size_t)rows)
		*top = *cur - (size_t)rows + 1;
}

static int pager_key(enum act a, int key)
{
	return pager_scroll(a, key, &pg.top, pg.nvis, pg.height);
}

void pager_open(const char *title, const char *text, long tag)
{
	pager_done();
	pg.title = tn_xstrdup(title);
	pg.text = tn_xstrdup(text);
	pg.tag = tag;
	app_push(&pager_view);
}

void pager_update(long tag, const char *title, const char *text)
{
	if (!pg.text || pg.tag != tag)
		return;
	free(pg.title);
	free(pg.text);
	pg.title = tn_xstrdup(title);
	pg.text = tn_xstrdup(text);
	app.dirty = 1;
}

void pager_done(void)
{
	free(pg.title);
	free(pg.text);
	memset(&pg, 0, sizeof(pg));
}

static void pager_leave(void)
{
	pager_done();
}

const struct view pager_view = {
	"detail", V_PAGER, pager_draw, pager_status, pager_key, pager_leave
};
