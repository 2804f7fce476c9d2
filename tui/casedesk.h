/* casedesk.h — casedesk's shared declarations: the app, views, keys, rows, network, line editor. */
#ifndef CASEDESK_H
#define CASEDESK_H

#include <stddef.h>
#include <stdint.h>
#include <curl/curl.h>
#include <jv.h>

#include "tn_async.h"

#include "tn_buf.h"
#include "tn_case.h"
#include "tn_config.h"
#include "tn_err.h"

struct tn_cal;
struct dkey;

/* ---- actions and the key table (keys.c) ---- */

/* Which views a binding works in (a mask). */
#define V_INBOX  0x01
#define V_CASE   0x02
#define V_CERTS  0x04
#define V_ALERTS 0x08
#define V_HELP   0x10
#define V_PAGER  0x20           /* the detail pane */
#define V_TASKS  0x40           /* the tasks view */
#define V_TASK   0x80           /* a task's detail */
#define V_WALL   0x100          /* the wall: vital signs */
#define V_MAP    0x200          /* the district map */
#define V_ALL    0x3ff

enum act {
	ACT_NONE = 0,
	ACT_QUIT, ACT_HELP, ACT_DOWN, ACT_UP, ACT_PGDN, ACT_PGUP, ACT_FIRST, ACT_LAST,
	ACT_OPEN, ACT_FILTER, ACT_COMMAND, ACT_TAG, ACT_UNTAG, ACT_REFRESH, ACT_REDRAW,
	ACT_ACCEPT, ACT_RETURN, ACT_APPROVE, ACT_REJECT, ACT_COMPLETE,
	ACT_CERTS, ACT_ALERTS, ACT_INBOX,
	ACT_DISPATCH, ACT_ACKNOWLEDGE, ACT_RESOLVE, ACT_CLOSE,
	ACT_CONSENT, ACT_DETAIL,
	ACT_TASKS, ACT_ARRIVE, ACT_EVALUATE, ACT_STEP, ACT_REOPEN,
	ACT_WALL, ACT_MAP,
	ACT_COUNT
};

/* Key codes: a Unicode code point, or a DK_* function key of display.h. */

/* The action bound to `key` in the views of `mask`; ACT_NONE when none. */
enum act keys_action(unsigned mask, int key);
/*
 * The case action (TN_CASE_ACCEPT ...) of an act, or -1 when it is not one.
 * The case acts' names and default keys are the lib's (TN_CASE_ACTIONS).
 */
int keys_case_move(enum act a);
/* The configured name of an action ("accept"), and its first key's name ("a"). */
const char *keys_act_name(enum act a);
const char *keys_first_key(enum act a);
/* Write a key's name ("a", "Enter", "C-l", "PgDn") into buf. */
void keys_name(int key, char *buf, size_t size);
/* The help lines (one per action): "  KEYS  ACTION  HELP", for the `?` view.  NULL-terminated, static. */
size_t keys_help_lines(struct tn_buf *out, int width);
/* The Chinese label of an action ("受理": a case action's is the lib's, TN_CASE_ACTIONS); "" when none. */
const char *keys_act_label(enum act a);
/*
 * The hint line of the views of `mask`, fitted to `width` columns, appended
 * to `out`: "KEY LABEL" for each action of the key table that the view
 * takes, those that write first (a case's or an alert's), then those that
 * read, then those that go elsewhere, as many as fit; "? 帮助" and "q 返回"
 * (q 退出 in the inbox, `last` set) always end it.  Keys are the configured ones.
 */
void keys_hint_line(struct tn_buf *out, unsigned mask, int last, int width);
/* The rule every action that writes follows, in one line, for the help view and messages. */
extern const char keys_confirm_rule[];
/*
 * Read the `casedesk:` section of the config file `path` (may be NULL):
 * keys: {ACTION: KEY or [KEY, ...]} and colors: {ELEMENT: "FG [on BG]"}.
 * Unknown actions, keys, elements or colours are TN_EINVALID naming them.
 */
enum tn_code keys_load_config(const char *path, struct tn_err *err);

/* ---- the app (app.c) ---- */

struct view {
	const char *name;
	unsigned mask;
	void (*draw)(int rows, int cols);          /* the main area */
	void (*status)(struct tn_buf *left);       /* the status line's left part */
	int (*key)(enum act a, int key);           /* 1 when handled */
	void (*leave)(void);                       /* popped off the stack */
};

struct app {
	struct tn_config cfg;
	struct tn_cal *cal;
	long today;             /* days since 1970 */
	long due_limit;         /* the last day that is "due within two working days" */
	int readonly;
	int no_color;
	int no_alerts;
	int quit;
	int dirty;              /* redraw wanted */
	int last_key;           /* the key being handled (confirmations ask for it again) */
	int opening_key;        /* the printable key being handled, 0 otherwise: a prompt it opens never takes it */
	char message[512];      /* the bottom line until the next key */
	int message_bad;
	char flash[256];        /* a red alert flashing in the status line */
	long long flash_until_ms;
	char *purpose;          /* the purpose of certificate look-ups, asked once */
};

extern struct app app;

void app_push(const struct view *v);
void app_pop(void);
const struct view *app_top(void);
/* Set the bottom-line message (printf-style); bad: shown as an error. */
void app_msg(int bad, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void app_flash(const char *text);
/*
 * Ask for a confirmation on the bottom line: pressing `key` (or y) calls
 * fn(ctx); any other key cancels.  `ctx` is freed with free() afterwards
 * when free_ctx is set.
 */
typedef void (*confirm_fn)(void *ctx);
void app_confirm(int key, confirm_fn fn, void *ctx, int free_ctx, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Draw a frame: the top view, the status line, the bottom line; one doupdate. */
void app_draw(void);
/* Handle one key (a code point or DK_*): the line editor, a confirmation, the top view, the common keys. */
void app_key(int key);
/* Run a `:` command line. */
void app_command(const char *line);
char **app_complete(const char *text, int start, int end);
long long app_now_ms(void);
/* Urgency of a deadline (days since 1970, or LONG_MIN for none) for a case in `status`. */
int app_urgency(long deadline, int open);

/* ---- the line editor: readline's callback interface (edit.c) ---- */

typedef void (*edit_done_fn)(const char *line);      /* NULL: cancelled */
typedef void (*edit_change_fn)(const char *line);
typedef char **(*edit_complete_fn)(const char *text, int start, int end);

void edit_init(void);
void edit_shutdown(void);
/*
 * Start editing on the bottom line; `initial` may be NULL.  The key that
 * opened the prompt (app.opening_key), typed again first, is not taken as
 * text: a key pressed twice never writes itself into a comment.
 */
void edit_start(const char *prompt, const char *initial, edit_change_fn change,
		edit_done_fn done, edit_complete_fn complete);
/*
 * The prompt just started needs a text: Enter on a blank line is refused
 * (the prompt stays open, empty, and the message says `why`).
 */
void edit_require(const char *why);
int edit_active(void);
/* Feed one key (a code point or KEYC(...)). */
void edit_key(int key);
/* Draw the prompt line (display module) when active. */
void edit_draw(void);

/* ---- network: the library's event-loop client, tn_async (net.c) ---- */

/* Answers come as tn_async hands them over: struct tn_async_result (tn_async.h), borrowed for the call. */
typedef void (*net_fn)(void *ctx, long tag, const struct tn_async_result *r);

void net_init(const struct tn_config *cfg);
void net_shutdown(void);
/*
 * Queue a request: method, path (relative to the base URL), body (consumed;
 * jv_invalid() for none), If-Match version (< 1: none).  `fn(ctx, tag, r)`
 * is called from net_poll when it is done.  Never blocks.
 */
void net_request(const char *method, const char *path, jv body, long if_match,
		 net_fn fn, void *ctx, long tag);
/* The same with one more header line ("Name: value", copied; NULL: none). */
void net_request_hdr(const char *method, const char *path, const char *header, jv body,
		     long if_match, net_fn fn, void *ctx, long tag);
/* The same for a GET whose 2xx body is read by the callback from r->raw (body stays jv_null()). */
void net_get_raw(const char *path, net_fn fn, void *ctx, long tag);
/*
 * Wait for the network or a key for at most `timeout_ms`, run the transfers
 * and deliver finished ones.  Returns when a key may be waiting.
 */
void net_poll(int timeout_ms);
/* The network's state for the status line ("" when all is well). */
void net_state(struct tn_buf *b);
/*
 * The server's warning to people (the Twonet-Warning header of its latest
 * answer: its calendar runs out), "" when its latest answer had none.
 */
const char *net_warning(void);
/* 1 when the last request could not reach the server. */
int net_offline(void);
/* Milliseconds until the network needs attention (timers), at most `cap`. */
int net_timeout(int cap);
/*
 * Run an easy handle owned by someone else (the alert follower) on the
 * multi; `fn(ctx, handle, result)` when it ends (the handle is removed first).
 */
typedef void (*net_easy_fn)(void *ctx, CURL *h, CURLcode rc);
void net_add_easy(CURL *h, net_easy_fn fn, void *ctx);
void net_remove_easy(CURL *h);

/* ---- rows: the inbox's compact store (rows.c) ---- */

/* A row's status: an enum tn_case_state (TN_CASE_STATES), or ST_OTHER for one the lib does not know. */
enum cstatus { ST_OTHER = TN_CASE_STATE_COUNT, ST_COUNT };
enum urgency { URG_NONE = 0, URG_DUE, URG_OVERDUE };
enum sortkey { SORT_DEADLINE, SORT_ID, SORT_STATUS, SORT_APPLICANT, SORT_ITEM, SORT_SUBMITTED,
	       SORT_COUNT };

#define NO_DATE INT32_MIN

/* One case of the inbox: offsets into the string arena, pre-computed widths. */
struct row {
	uint32_t id, name, parent, deadline_s;  /* arena offsets (0: "") */
	uint16_t item;                           /* index of the interned item */
	uint16_t name_w;                         /* display width of the name */
	int32_t deadline;                        /* days since 1970, NO_DATE when none */
	int32_t submitted;
	uint32_t version;
	uint8_t status, urgency, tagged;
	uint8_t workflow : 1;
	uint8_t provisional : 1;                 /* the deadline is provisional: shown with "*" */
};

struct item_ref {
	uint32_t code, name;    /* arena offsets */
	uint16_t name_w;
};

struct rows {
	struct row *v;
	size_t n, alloc;
	char *arena;
	size_t alen, aalloc;
	struct item_ref *items;
	size_t nitems;
	uint32_t *order;        /* every row, sorted */
	uint32_t *vis;          /* the rows shown: filtered, in order */
	size_t nvis;
	enum sortkey sort;
	char *needle;           /* the `/` filter, lower-cased ASCII */
	int status_only;        /* -1, or the cstatus of `:status` */
	int item_only;          /* -1, or the item of `:item` */
	uint16_t max_name_w;
	long counts[ST_COUNT];
	long overdue, due, tagged;
	long provisional;       /* open cases whose deadline is provisional */
	int stale;              /* a row already there was updated: order may be off until rows_sort */
};

/* The name of a row's status ("submitted"), "?" for ST_OTHER. */
const char *status_name(int st);

void rows_init(struct rows *r);
void rows_free(struct rows *r);
void rows_clear(struct rows *r);
const char *rows_str(const struct rows *r, uint32_t off);
/* A row's deadline as shown: the date, "*" after a provisional one; in buf (returned). */
const char *rows_deadline(const struct rows *r, const struct row *w, char *buf, size_t size);
/* Add or update (by id) a case (borrowed); returns its row index. */
size_t rows_put(struct rows *r, jv kase);
/* Add every case of a list page's "items" (borrowed); new rows go at the end of order and vis. */
void rows_add_page(struct rows *r, jv items);

/* The members of a case the inbox keeps (borrowed strings, NULL when absent). */
struct case_fields {
	const char *id, *status, *item, *item_name, *deadline, *submitted, *parent, *name;
	int workflow;
	int provisional;        /* deadline_provisional is true */
	long version;
};
/* Add or update (by id) a case given by its members; returns its row index. */
size_t rows_put_fields(struct rows *r, const struct case_fields *f);
/*
 * Rows from `first` on are new: sort them, merge them into order and those
 * that match the filter into vis, and count them.  O(k log k) for k new
 * rows when they come after every row in the sort order (a page of the
 * server's list by deadline), O(n + k log k) otherwise: never a full sort.
 */
void rows_added(struct rows *r, size_t first);
/*
 * Read a list page ({"items":[CASE...],"next":..}) straight into rows,
 * without a jv per case (scan.c).  *next: the next cursor (malloc'd) or
 * NULL.  Returns 0, or -1 when the text is not such a page (rows read
 * before the fault are kept).
 */
int rows_scan_page(struct rows *r, const char *text, size_t len, char **next);
/*
 * The next cursor of a list page, read from its end without scanning the
 * rows, so that the next page can be asked for first: 1 when the page ends
 * with a "next" member (*next: the cursor, malloc'd, or NULL for null), 0
 * when its end is not of that form (then rows_scan_page tells).
 */
int rows_scan_peek_next(const char *text, size_t len, char **next);
void rows_scan_release(void);
/* The row of case `id`, or -1. */
long rows_find(const struct rows *r, const char *id);
/* Sort `order` by r->sort, then refilter. */
void rows_sort(struct rows *r);
/* Apply `needle` (NULL: none) incrementally when it extends the last one. */
void rows_filter(struct rows *r, const char *needle);
/* Recompute vis from order (after a status/item restriction changed). */
void rows_refilter(struct rows *r);
/* Recompute counts and urgencies (after today or rows changed). */
void rows_recount(struct rows *r);

/* ---- views ---- */

extern const struct view inbox_view, case_view, certs_view, alerts_view, help_view, pager_view;
extern const struct view tasks_view, task_view, wall_view, map_view;
extern struct rows inbox_rows;

void inbox_start(void);             /* begin loading */
void inbox_command(const char *word, const char *arg);
void inbox_reload(void);
void inbox_row_updated(jv kase);    /* a case changed (borrowed) */
char **inbox_complete(const char *text, int start, int end);
void case_open(const char *id);
void case_done(void);
void certs_open(const char *holder);
void certs_done(void);
/* The issuers' keys for verification: NULL until loaded; asking starts the load (once). */
const struct tn_cert_keyring *certs_keyring(void);
/* The purpose of certificate look-ups made for a case. */
const char *certs_case_purpose(const char *case_id, char *buf, size_t size);
/*
 * The holder's one-time consent code, read out at the window: ask for it on
 * the bottom line (the code of `holder`, copied), check its form, keep it,
 * then call `then` (NULL: nothing) to look up again.  One code is kept, for
 * one holder: a code for another holder replaces it.
 */
void certs_consent_ask(const char *holder, void (*then)(void));
/* "X-Consent-Code: CODE" when a code of `holder` is kept, else NULL (static storage). */
const char *certs_consent_header(const char *holder);
/* A case changed (borrowed): the case view shows it when it is that case. */
void case_updated(jv kase);
void alerts_start(void);            /* list the alerts, then follow the stream from there */
void alerts_tick(void);             /* connect the follower when it is due */
void alerts_done(void);
void help_done(void);

/*
 * The detail pane (pager.c): `text` (copied; lines end in '\n') under
 * `title`, whole, wrapped by display width; `tag` names who filled it.
 * pager_update replaces both when the pane still shows `tag`'s text.
 */
void pager_open(const char *title, const char *text, long tag);
void pager_update(long tag, const char *title, const char *text);
void pager_done(void);
/*
 * Wrap `text` to `width` columns (Chinese two columns a character, never
 * cut; Latin words kept whole when they fit): fn(ctx, start, length) for
 * each screen line (fn may be NULL).  Returns the number of screen lines.
 */
size_t pager_wrap(const char *text, int width, void (*fn)(void *ctx, const char *s, size_t n),
		  void *ctx);
/*
 * Draw `text` wrapped on screen rows 1..rows-1 from its visual line *top
 * (brought back so that the last page is full); returns the visual lines.
 */
size_t pager_draw_text(const char *text, int rows, int cols, size_t *top);
/*
 * A text pane's keys: j k PgUp PgDn Space g G move *top over `nvis` lines
 * in `height` rows, Esc closes the view.  1 when the key was one of them.
 */
int pager_scroll(enum act a, int key, size_t *top, size_t nvis, int height);
/* A list's motion keys: j k PgUp PgDn g G move *cur over `n` rows in `height`; 1 when `a` is one. */
int list_move(enum act a, size_t *cur, size_t n, int height);
/* Keep the cursor (*cur, brought into 0..n-1) on the page of `rows` rows from *top. */
void list_fit(size_t *cur, size_t *top, size_t n, int rows);

/*
 * The Chinese label of form field `name` of service item `item` from the
 * server's catalog (GET /v1/items/{code}, asked once per item; the view is
 * drawn again when it comes), borrowed; NULL until then, or when it has none.
 */
const char *catalog_field_label(const char *item, const char *name);
/* A string member of item `item` ("department_name"), borrowed; NULL while it is asked for, or when absent. */
const char *catalog_item_str(const char *item, const char *member);
void catalog_done(void);

/* The alert detail (alertinfo.c): the alert (borrowed) whole, then its history asked of the server. */
void alert_detail_open(jv alert);
/* The text of the alert detail pane for `alert` (borrowed), appended to `b`. */
void alert_detail_text(struct tn_buf *b, jv alert);

/*
 * An action on cases (actions.c): refused under --readonly, confirmed by a
 * second key, a comment asked when the action needs one, then sent for
 * every id with its version (If-Match).  `ids` and `versions` are copied.
 */
void cases_action(enum act a, char **ids, const long *versions, size_t n);
/* Forget an action waiting for its confirmation or comment (the case view closes). */
void cases_action_done(void);
/* The action's name for an act, NULL when it is not a case action. */
const char *case_action_name(enum act a);
int case_action_needs_comment(const char *action);

/* ---- tasks: the operations view (tasks.c), a task's detail (taskinfo.c), their actions (taskact.c) ---- */

/*
 * The order of the tasks view, for qsort over borrowed TASKs: open tasks
 * first (tn_task_open), by priority (P1 first), then newest (the larger id
 * first); closed ones after them, newest first.
 */
int tasks_cmp(jv a, jv b);
/* Show the tasks view; the list is asked of the server the first time (GET /v1/tasks). */
void tasks_open(void);
/* Ask for the list again; rows are merged, a row never goes back to an older version. */
void tasks_reload(void);
/*
 * A task (consumed) from the stream (event "task"), an action's answer or a
 * reload: its row added or replaced unless the row holds a later version;
 * the detail shows it when it is that task.  Ignored until the list was asked for.
 */
void tasks_put(jv task, int from_stream);
/* 1 when the alert stream brings the task events (tasks=true) and is connected. */
int alerts_live(void);
void tasks_done(void);

/* Open a task's detail (borrowed), then ask the server for it whole with its history. */
void task_detail_open(jv task);
/* The task (borrowed) changed: the detail shows it when it is that task (asked again for its history). */
void task_detail_updated(jv task, int from_stream);
/*
 * The text of the task detail, appended to `b`: the title, its facts
 * (tn_task_format_text: status, kind, severity, district, department, crew,
 * each step's time, alerts), the plan steps (number, title, who, due, state
 * at `now` in Chinese and English: tn_task_steps_view), the escalations and
 * the history.
 */
void task_detail_text(struct tn_buf *b, jv task, long long now);
void task_detail_done(void);

/* The lib's action (TN_TASK_ACTIONS) of a casedesk act, or NULL when it is not a task action. */
const char *task_act_action(enum act a);
/*
 * Act `a` on task (borrowed) under keys_confirm_rule: refused under
 * --readonly; the step first tried on the task with tn_task_act so that
 * one the status or the arguments do not allow is told at once and never
 * sent; dispatch asks the crew, evaluate the score (1..5) then a comment,
 * step the plan step's number, the others are confirmed by their key
 * again.  Sent with If-Match: the task's version; a stale version's
 * message is shown and the task read again.  Returns 1 when `a` is a task act.
 */
int task_action(enum act a, jv task);
void task_action_done(void);

/* ---- the wall (wall.c) and the district map (map.c) ---- */

/*
 * A view read again from the server while it is on top: when the stream
 * brought an event (at most once a second), else every 10 s.  live_due
 * says whether to ask now; live_sent that a request went out.
 */
struct live {
	int asked, pending, want;
	long long sent_ms;
};
int live_due(const struct live *l, const struct view *v);
void live_sent(struct live *l);

/* Show the wall: the vital signs (GET /v1/vitals) in big digits, asked again on stream events and every 10 s. */
void wall_open(void);
/* The alert stream delivered an event: the wall and the map read again (at most once a second). */
void wall_stream_event(void);
/* Ask again when due (the main loop, after each poll). */
void wall_tick(void);
void wall_done(void);
/*
 * A value in the 3x5 block font, each dot `scale` cells wide and high:
 * screen row `row` (0..5*scale-1) of `text`'s digits and '-', appended to `b`.
 */
void wall_digits(struct tn_buf *b, const char *text, int row, int scale);
/* A level's words ("红 red"), its colour role, a trend's arrow ("↑"; "" for none). */
const char *wall_level_word(const char *level);
int wall_level_color(const char *level);
const char *wall_trend_arrow(const char *trend);
/* Show the district map: the open alerts and the vehicles on Shanghai's districts, in braille. */
void map_open(void);
void map_stream_event(void);
void map_tick(void);
void map_done(void);

#endif
