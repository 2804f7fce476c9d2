/* inbox.c — the inbox view: the department's cases by deadline, filter, commands, tags. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casedesk.h"
#include "display.h"
#include "tn_buf.h"
#include "tn_http.h"
#include "tn_out.h"
#include "tn_suggest.h"

#define PAGE 1000
#define FIRST_PAGE 100          /* more than a screen: painted as soon as it comes, the rest follows */

struct rows inbox_rows;

static struct {
	size_t cur, top;
	int loading;
	long gen;               /* loads started; an answer of an older load is dropped */
	long pages;
	int loaded;             /* a load finished at least once */
	char error[256];
	long long load_started;
	long long load_ms;
	int height;
} in;

/* "12,345" */
static const char *num(long n, char *buf, size_t size)
{
	char tmp[32];
	int len, o = 0;

	snprintf(tmp, sizeof(tmp), "%ld", n < 0 ? -n : n);
	len = (int)strlen(tmp);
	if (n < 0 && o < (int)size - 1)
		buf[o++] = '-';
	for (int i = 0; i < len && o < (int)size - 2; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

static const char *cur_id(void)
{
	if (in.cur >= inbox_rows.nvis)
		return NULL;
	return rows_str(&inbox_rows, inbox_rows.v[inbox_rows.vis[in.cur]].id);
}

/* Put the cursor back on case `id` after the rows shown changed. */
static void keep_cursor(const char *id)
{
	if (id) {
		for (size_t i = 0; i < inbox_rows.nvis; i++)
			if (!strcmp(rows_str(&inbox_rows, inbox_rows.v[inbox_rows.vis[i]].id), id)) {
				in.cur = i;
				return;
			}
	}
	if (in.cur >= inbox_rows.nvis)
		in.cur = inbox_rows.nvis ? inbox_rows.nvis - 1 : 0;
}

/* ---- loading ---- */

static void request_page(const char *cursor);

/* The cursor's row before rows were merged, found again after (a row index, not a position). */
static long cur_row(void)
{
	return in.cur < inbox_rows.nvis ? (long)inbox_rows.vis[in.cur] : -1;
}

static void keep_row(long row)
{
	if (row >= 0)
		for (size_t i = 0; i < inbox_rows.nvis; i++)
			if (inbox_rows.vis[i] == (uint32_t)row) {
				in.cur = i;
				return;
			}
	keep_cursor(NULL);
}

/*
 * A page came.  The next one is asked for before this one is read (its
 * cursor is at the page's end), so the server works on it meanwhile; the
 * rows are merged into the sorted, filtered inbox as they come, and the
 * screen shows them at once: no full sort at the end unless a reload
 * changed rows already there.
 */
static void on_page(void *ctx, long tag, const struct tn_async_result *r)
{
	char *next = NULL;
	int asked = 0;
	long row = cur_row();

	(void)ctx;
	if (tag != in.gen)
		return;
	if (r->status != 200) {
		in.loading = 0;
		snprintf(in.error, sizeof(in.error), "%s", r->error ? r->error : "no answer");
		app_msg(1, "cannot load the inbox: %s", in.error);
		return;
	}
	in.error[0] = '\0';
	if (rows_scan_peek_next(r->raw, r->raw_len, &next) && next) {
		request_page(next);
		asked = 1;
	}
	free(next);
	next = NULL;
	if (rows_scan_page(&inbox_rows, r->raw, r->raw_len, &next) != 0) {
		in.loading = 0;
		in.gen++;       /* the page asked for ahead is dropped */
		snprintf(in.error, sizeof(in.error), "the server sent a list that is not JSON");
		app_msg(1, "cannot load the inbox: %s", in.error);
		return;
	}
	in.pages++;
	if (next && !asked)
		request_page(next);
	if (!next) {
		in.loading = 0;
		in.loaded = 1;
		in.load_ms = app_now_ms() - in.load_started;
		if (inbox_rows.stale) {
			rows_sort(&inbox_rows);
			rows_recount(&inbox_rows);
		}
	}
	free(next);
	keep_row(row);
}

static void request_page(const char *cursor)
{
	struct tn_buf p = TN_BUF_INIT;

	tn_buf_addf(&p, "/v1/cases?order=deadline&limit=%d", cursor ? PAGE : FIRST_PAGE);
	if (cursor) {
		tn_buf_adds(&p, "&cursor=");
		tn_url_escape(&p, cursor);
	}
	net_get_raw(p.buf, on_page, NULL, in.gen);
	tn_buf_release(&p);
}

void inbox_start(void)
{
	in.gen++;
	in.loading = 1;
	in.pages = 0;
	in.load_started = app_now_ms();
	request_page(NULL);
}

void inbox_reload(void)
{
	inbox_start();
	app_msg(0, "loading the inbox again");
}

void inbox_row_updated(jv kase)
{
	const char *id = cur_id();
	char *keep = id ? tn_xstrdup(id) : NULL;
	size_t before = inbox_rows.n;

	rows_put(&inbox_rows, kase);
	if (inbox_rows.n != before) {
		rows_sort(&inbox_rows);
	}
	rows_recount(&inbox_rows);
	keep_cursor(keep);
	free(keep);
	app.dirty = 1;
}

/* ---- drawing ---- */

struct layout {
	int id, status, deadline, name, item;
	int labels;             /* the status with its Chinese label: a wide terminal */
};

#define WIDE 150                /* from this width on, the status shows its Chinese label too */

static void columns(int width, struct layout *l)
{
	int fixed, cap;

	l->id = 9;
	l->labels = width >= WIDE;
	l->status = l->labels ? 20 : 11;
	l->deadline = 11;       /* YYYY-MM-DD and the "*" of a provisional deadline */
	/* the applicant's name widens with the terminal (16 columns at 100, up to 48); the item takes the rest */
	cap = width > 100 ? 16 + (width - 100) / 2 : 16;
	if (cap > 48)
		cap = 48;
	l->name = inbox_rows.max_name_w < 8 ? 8 : inbox_rows.max_name_w > cap ? cap : inbox_rows.max_name_w;
	fixed = 2 + l->id + 1 + l->status + 1 + l->deadline + 1 + l->name + 1;
	l->item = width - fixed;
	if (l->item < 8) {
		/* a narrow terminal: the applicant gives way first, then the status */
		int need = 8 - l->item;
		int give = l->name - 6 < need ? l->name - 6 : need;
		l->name -= give;
		l->item += give;
		if (l->item < 8) {
			l->item += l->status - 9;
			l->status = 9;
		}
		if (l->item < 1)
			l->item = 1;
	}
}

static void format_row(struct tn_buf *b, const struct row *w, const struct layout *l)
{
	const struct rows *r = &inbox_rows;
	char deadline[64];

	tn_buf_adds(b, w->tagged ? "* " : "  ");
	tn_fit_width(b, rows_str(r, w->id), l->id, 1);
	tn_buf_addch(b, ' ');
	if (l->labels && tn_case_state_label(w->status)) {
		char both[64];

		snprintf(both, sizeof(both), "%s %s", status_name(w->status), tn_case_state_label(w->status));
		tn_fit_width(b, both, l->status, 1);
	} else {
		tn_fit_width(b, status_name(w->status), l->status, 1);
	}
	tn_buf_addch(b, ' ');
	tn_fit_width(b, rows_deadline(r, w, deadline, sizeof(deadline)), l->deadline, 1);
	tn_buf_addch(b, ' ');
	tn_fit_width(b, rows_str(r, w->name), l->name, 1);
	tn_buf_addch(b, ' ');
	tn_fit_width(b, rows_str(r, r->items[w->item].name), l->item, 0);
}

static void inbox_draw(int rows, int cols)
{
	struct layout l;
	struct tn_buf b = TN_BUF_INIT;
	int list = rows - 1;

	in.height = list;
	columns(cols, &l);
	tn_buf_adds(&b, "  ");
	tn_fit_width(&b, "ID", l.id, 1);
	tn_buf_addch(&b, ' ');
	tn_fit_width(&b, "STATUS", l.status, 1);
	tn_buf_addch(&b, ' ');
	tn_fit_width(&b, "DEADLINE", l.deadline, 1);
	tn_buf_addch(&b, ' ');
	tn_fit_width(&b, "APPLICANT", l.name, 1);
	tn_buf_addch(&b, ' ');
	tn_fit_width(&b, "ITEM", l.item, 0);
	disp_line(0, DC_HEADER, 0, b.buf);

	if (in.cur >= inbox_rows.nvis)
		in.cur = inbox_rows.nvis ? inbox_rows.nvis - 1 : 0;
	if (in.cur < in.top)
		in.top = in.cur;
	if (list > 0 && in.cur >= in.top + (size_t)list)
		in.top = in.cur - (size_t)list + 1;
	if (in.top + (size_t)list > inbox_rows.nvis)
		in.top = inbox_rows.nvis > (size_t)list ? inbox_rows.nvis - (size_t)list : 0;

	for (int y = 0; y < list; y++) {
		size_t i = in.top + (size_t)y;
		if (i >= inbox_rows.nvis) {
			if (y == 0) {
				const char *msg = in.loading ? "loading cases..." :
						  in.error[0] ? in.error :
						  inbox_rows.n ? "no case matches" : "no cases";
				disp_line(1, in.error[0] ? DC_BAD : DC_DIM, 0, msg);
				disp_clear_from(2);
			} else {
				disp_clear_from(y + 1);
			}
			break;
		}
		const struct row *w = &inbox_rows.v[inbox_rows.vis[i]];
		enum dcol c = w->urgency == URG_OVERDUE ? DC_OVERDUE : w->urgency == URG_DUE ? DC_DUE :
			      w->tagged ? DC_TAGGED : DC_NORMAL;
		tn_buf_reset(&b);
		format_row(&b, w, &l);
		disp_line(y + 1, c, i == in.cur ? DA_REVERSE : 0, b.buf);
	}
	tn_buf_release(&b);
}

static const char *sort_names[SORT_COUNT] = {
	"deadline", "id", "status", "applicant", "item", "submitted"
};

static void inbox_status(struct tn_buf *b)
{
	char n1[32], n2[32], n3[32], n4[32];
	const struct rows *r = &inbox_rows;

	tn_buf_addf(b, "inbox: %s cases", num((long)r->n, n1, sizeof(n1)));
	if (r->nvis != r->n)
		tn_buf_addf(b, ", %s shown", num((long)r->nvis, n2, sizeof(n2)));
	tn_buf_addf(b, " · %s overdue · %s due soon", num(r->overdue, n3, sizeof(n3)),
		    num(r->due, n4, sizeof(n4)));
	if (r->tagged)
		tn_buf_addf(b, " · %ld tagged", r->tagged);
	if (r->provisional)
		tn_buf_addf(b, " · %ld provisional %s", r->provisional, tn_mark_provisional[0].sign);
	if (r->status_only >= 0)
		tn_buf_addf(b, " · status %s", status_name(r->status_only));
	if (r->item_only >= 0)
		tn_buf_addf(b, " · item %s", rows_str(r, r->items[r->item_only].code));
	if (r->needle)
		tn_buf_addf(b, " · /%s", r->needle);
	if (r->sort != SORT_DEADLINE)
		tn_buf_addf(b, " · by %s", sort_names[r->sort]);
	if (in.loading)
		tn_buf_addf(b, " · loading page %ld", in.pages + 1);
}

/* ---- keys ---- */

static void on_filter_change(const char *line)
{
	const char *id = cur_id();
	char *keep = id ? tn_xstrdup(id) : NULL;

	rows_filter(&inbox_rows, line);
	keep_cursor(keep);
	free(keep);
}

static void on_filter_done(const char *line)
{
	if (!line)
		on_filter_change(NULL);
}

static void act_on_rows(enum act a)
{
	struct rows *r = &inbox_rows;
	size_t n = 0;
	char **ids;
	long *vers;

	if (r->tagged) {
		ids = tn_xcalloc((size_t)r->tagged, sizeof(*ids));
		vers = tn_xcalloc((size_t)r->tagged, sizeof(*vers));
		for (size_t i = 0; i < r->n && n < (size_t)r->tagged; i++)
			if (r->v[r->order[i]].tagged) {
				ids[n] = (char *)rows_str(r, r->v[r->order[i]].id);
				vers[n++] = r->v[r->order[i]].version;
			}
	} else {
		if (in.cur >= r->nvis)
			return;
		ids = tn_xcalloc(1, sizeof(*ids));
		vers = tn_xcalloc(1, sizeof(*vers));
		ids[0] = (char *)rows_str(r, r->v[r->vis[in.cur]].id);
		vers[0] = r->v[r->vis[in.cur]].version;
		n = 1;
	}
	cases_action(a, ids, vers, n);
	free(ids);
	free(vers);
}

static int inbox_key(enum act a, int key)
{
	struct rows *r = &inbox_rows;
	size_t page = in.height > 1 ? (size_t)in.height - 1 : 1;

	(void)key;
	switch (a) {
	case ACT_DOWN:
		if (in.cur + 1 < r->nvis)
			in.cur++;
		return 1;
	case ACT_UP:
		if (in.cur > 0)
			in.cur--;
		return 1;
	case ACT_PGDN:
		in.cur = in.cur + page < r->nvis ? in.cur + page : (r->nvis ? r->nvis - 1 : 0);
		in.top = in.top + page < r->nvis ? in.top + page : in.top;
		return 1;
	case ACT_PGUP:
		in.cur = in.cur > page ? in.cur - page : 0;
		in.top = in.top > page ? in.top - page : 0;
		return 1;
	case ACT_FIRST:
		in.cur = 0;
		return 1;
	case ACT_LAST:
		in.cur = r->nvis ? r->nvis - 1 : 0;
		return 1;
	case ACT_OPEN:
		if (in.cur < r->nvis)
			case_open(cur_id());
		return 1;
	case ACT_TAG:
		if (in.cur < r->nvis) {
			struct row *w = &r->v[r->vis[in.cur]];
			w->tagged = !w->tagged;
			r->tagged += w->tagged ? 1 : -1;
			if (in.cur + 1 < r->nvis)
				in.cur++;
		}
		return 1;
	case ACT_UNTAG:
		for (size_t i = 0; i < r->n; i++)
			r->v[i].tagged = 0;
		r->tagged = 0;
		return 1;
	case ACT_FILTER:
		edit_start("/", r->needle, on_filter_change, on_filter_done, NULL);
		return 1;
	case ACT_REFRESH:
		inbox_reload();
		return 1;
	case ACT_ACCEPT: case ACT_RETURN: case ACT_APPROVE: case ACT_REJECT: case ACT_COMPLETE:
		act_on_rows(a);
		return 1;
	default:
		return 0;
	}
}

/* ---- commands ---- */

void inbox_command(const char *word, const char *arg)
{
	struct rows *r = &inbox_rows;
	const char *id = cur_id();
	char *keep = id ? tn_xstrdup(id) : NULL;

	if (!strcmp(word, "refresh")) {
		inbox_reload();
	} else if (!strcmp(word, "status")) {
		int s = tn_case_state_parse(arg);
		if (!*arg || !strcmp(arg, "all")) {
			r->status_only = -1;
		} else if (s < 0) {
#define STATE_NAME(e, name, label, sep) name,
			static const char *const names[] = { TN_CASE_STATES(STATE_NAME) "all" };
#undef STATE_NAME
			const char *near = tn_suggest(arg, names, sizeof(names) / sizeof(names[0]));
#define STATE_COMMA(e, name, label, sep) name ", "
			if (near)
				app_msg(1, "no status '%s'; did you mean '%s'?", arg, near);
			else
				app_msg(1, "no status '%s' (" TN_CASE_STATES(STATE_COMMA) "all)", arg);
#undef STATE_COMMA
		} else {
			r->status_only = s;
		}
		rows_refilter(r);
	} else if (!strcmp(word, "item")) {
		int found = -1;
		for (size_t i = 0; i < r->nitems && *arg; i++)
			if (!strcmp(rows_str(r, r->items[i].code), arg))
				found = (int)i;
		if (!*arg || !strcmp(arg, "all"))
			r->item_only = -1;
		else if (found < 0)
			app_msg(1, "no case of item '%s' in the inbox", arg);
		else
			r->item_only = found;
		rows_refilter(r);
	} else if (!strcmp(word, "sort")) {
		int k = -1;
		for (int i = 0; i < SORT_COUNT; i++)
			if (!strcmp(sort_names[i], *arg ? arg : "deadline"))
				k = i;
		const char *near = k < 0 ? tn_suggest(arg, sort_names, SORT_COUNT) : NULL;

		if (near) {
			app_msg(1, "cannot sort by '%s'; did you mean '%s'?", arg, near);
		} else if (k < 0) {
			app_msg(1, "cannot sort by '%s' (deadline, id, status, applicant, item, submitted)", arg);
		} else {
			r->sort = (enum sortkey)k;
			rows_sort(r);
		}
	}
	keep_cursor(keep);
	free(keep);
	app.dirty = 1;
}

char **inbox_complete(const char *text, int start, int end)
{
	struct rows *r = &inbox_rows;
	size_t tl = strlen(text), n = 0;
	char **m;

	(void)start;
	(void)end;
	m = tn_xcalloc(r->nitems + 2, sizeof(*m));
	for (size_t i = 0; i < r->nitems; i++)
		if (!strncmp(rows_str(r, r->items[i].code), text, tl))
			m[++n] = tn_xstrdup(rows_str(r, r->items[i].code));
	if (!n) {
		free(m);
		return NULL;
	}
	if (n == 1) {
		m[0] = m[1];
		m[1] = NULL;
		return m;
	}
	size_t common = strlen(m[1]);
	for (size_t i = 2; i <= n; i++) {
		size_t k = 0;
		while (k < common && m[i][k] == m[1][k])
			k++;
		common = k;
	}
	m[0] = tn_xstrndup(m[1], common);
	return m;
}

const struct view inbox_view = {
	"inbox", V_INBOX, inbox_draw, inbox_status, inbox_key, NULL
};
