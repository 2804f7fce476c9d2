/* actions.c — actions on cases: confirmed by a second key, or a comment asked (never blank), sent with If-Match for every case, a conflict read again to tell a stale version. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casedesk.h"
#include "tn_buf.h"
#include "tn_http.h"
#include "tn_jv.h"

const char *case_action_name(enum act a)
{
	const struct tn_case_move *m = tn_case_move(keys_case_move(a));

	return m ? m->name : NULL;
}

int case_action_needs_comment(const char *action)
{
	const struct tn_case_move *m = tn_case_move(tn_case_action_parse(action));

	return m && m->needs_comment;
}

/* One batch of actions sent together (tagged cases). */
struct batch {
	char *action;
	size_t n, outstanding;
	char **ids;
	long *vers;
	char **why;             /* a 409's detail, until the reload tells which */
	long ok, conflicts, failed;
	char first_conflict[64];
	char first_error[300];
};

static struct {
	char *action;
	char **ids;
	long *vers;
	size_t n;
} pend;

static void pend_clear(void)
{
	for (size_t i = 0; i < pend.n; i++)
		free(pend.ids[i]);
	free(pend.ids);
	free(pend.vers);
	free(pend.action);
	memset(&pend, 0, sizeof(pend));
}

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->ids[i]);
		free(b->why[i]);
	}
	free(b->ids);
	free(b->vers);
	free(b->why);
	free(b->action);
	free(b);
}

/* What an action did, in a message: the state it leads to ("accepted"). */
static const char *past(const char *action)
{
	const struct tn_case_move *m = tn_case_move(tn_case_action_parse(action));

	return m ? tn_case_state_name(m->to) : action;
}

static void batch_step(struct batch *b)
{
	if (--b->outstanding > 0)
		return;
	if (b->n == 1 && b->ok == 1)
		app_msg(0, "%s %s", past(b->action), b->ids[0]);
	else if (b->n == 1 && b->conflicts)
		app_msg(1, "%s", b->first_error);
	else if (b->n == 1)
		app_msg(1, "cannot %s %s: %s", b->action, b->ids[0], b->first_error);
	else
		app_msg(b->conflicts || b->failed, "%s %ld of %zu cases%s%s%s%s", past(b->action), b->ok,
			b->n, b->conflicts ? "; changed by someone else (reloaded, nothing overwritten): " : "",
			b->conflicts ? b->first_conflict : "", b->failed ? "; failed: " : "",
			b->failed ? b->first_error : "");
	batch_free(b);
	app.dirty = 1;
}

static void on_reload(void *ctx, long tag, const struct tn_async_result *r)
{
	struct batch *b = ctx;
	size_t i = (size_t)tag;

	if (r->status == 200 && jv_get_kind(r->body) == JV_KIND_OBJECT) {
		long now = tn_jv_long(r->body, "version", 0);
		const char *st = tn_jv_str(r->body, "status");
		inbox_row_updated(r->body);
		case_updated(r->body);
		if (now != b->vers[i]) {
			b->conflicts++;
			if (!b->first_conflict[0])
				snprintf(b->first_conflict, sizeof(b->first_conflict), "%s", b->ids[i]);
			if (!b->first_error[0] || b->n == 1)
				snprintf(b->first_error, sizeof(b->first_error),
					 "%s was changed by someone else (now version %ld, %s): reloaded, nothing overwritten",
					 b->ids[i], now, st ? st : "?");
		} else {
			b->failed++;
			if (!b->first_error[0])
				snprintf(b->first_error, sizeof(b->first_error), "%s", b->why[i] ? b->why[i] : "conflict");
		}
	} else {
		b->failed++;
		if (!b->first_error[0])
			snprintf(b->first_error, sizeof(b->first_error), "%s", b->why[i] ? b->why[i] : "conflict");
	}
	batch_step(b);
}

static void on_acted(void *ctx, long tag, const struct tn_async_result *r)
{
	struct batch *b = ctx;
	size_t i = (size_t)tag;

	if (r->status == 200 && jv_get_kind(r->body) == JV_KIND_OBJECT) {
		b->ok++;
		inbox_row_updated(r->body);
		case_updated(r->body);
	} else if (r->status == 409) {
		/* a stale version or a move the status does not allow: read it again to tell */
		struct tn_buf p = TN_BUF_INIT;
		b->why[i] = tn_xstrdup(r->error ? r->error : "conflict");
		tn_buf_adds(&p, "/v1/cases/");
		tn_url_escape(&p, b->ids[i]);
		net_request("GET", p.buf, jv_invalid(), 0, on_reload, b, (long)i);
		tn_buf_release(&p);
		return;
	} else {
		b->failed++;
		if (!b->first_error[0])
			snprintf(b->first_error, sizeof(b->first_error), "%s: %s", b->ids[i],
				 r->error ? r->error : "no answer");
	}
	batch_step(b);
}

static void send_actions(const char *comment)
{
	struct batch *b = tn_xcalloc(1, sizeof(*b));

	b->action = pend.action;
	b->ids = pend.ids;
	b->vers = pend.vers;
	b->n = b->outstanding = pend.n;
	b->why = tn_xcalloc(pend.n, sizeof(*b->why));
	memset(&pend, 0, sizeof(pend));
	for (size_t i = 0; i < b->n; i++) {
		struct tn_buf p = TN_BUF_INIT;
		jv body = jv_object_set(jv_object(), jv_string("action"), jv_string(b->action));
		if (comment)
			body = jv_object_set(body, jv_string("comment"), jv_string(comment));
		tn_buf_adds(&p, "/v1/cases/");
		tn_url_escape(&p, b->ids[i]);
		tn_buf_adds(&p, "/actions");
		net_request("POST", p.buf, body, b->vers[i], on_acted, b, (long)i);
		tn_buf_release(&p);
	}
	app_msg(0, "%s: sending %zu", b->action, b->n);
}

static void on_comment(const char *line)
{
	if (!line) {
		app_msg(0, "%s cancelled: nothing sent", pend.action ? pend.action : "action");
		pend_clear();
		return;
	}
	send_actions(line);
}

static void confirmed(void *ctx)
{
	(void)ctx;
	if (pend.action)
		send_actions(NULL);
}

/*
 * The one rule of every action that writes (keys_confirm_rule): one without
 * a text asks on the bottom line, confirmed by its key again or y; one that
 * takes a comment opens its prompt at once, empty, where the key that opened
 * it is not taken as text, a blank comment is refused and Enter sends.
 */
void cases_action(enum act a, char **ids, const long *versions, size_t n)
{
	const char *action = case_action_name(a);
	const char *label = keys_act_label(a);
	struct tn_buf what = TN_BUF_INIT;

	if (!action || !n)
		return;
	if (app.readonly) {
		app_msg(1, "read-only: casedesk was started with --readonly, cannot %s", action);
		return;
	}
	pend_clear();
	pend.action = tn_xstrdup(action);
	pend.ids = tn_xcalloc(n, sizeof(*pend.ids));
	pend.vers = tn_xcalloc(n, sizeof(*pend.vers));
	for (size_t i = 0; i < n; i++) {
		pend.ids[i] = tn_xstrdup(ids[i]);
		pend.vers[i] = versions[i];
	}
	pend.n = n;
	if (n == 1)
		tn_buf_addf(&what, "%s (version %ld)", ids[0], versions[0]);
	else
		tn_buf_addf(&what, "%zu tagged cases", n);
	if (case_action_needs_comment(action)) {
		struct tn_buf p = TN_BUF_INIT;

		tn_buf_addf(&p, "%s %s · %s: %s ", label, n == 1 ? ids[0] : what.buf, action,
			    !strcmp(action, "return") ? "what is missing?" : "why?");
		edit_start(p.buf, NULL, NULL, on_comment, NULL);
		edit_require("a comment is needed: type it and press Enter, or Esc to cancel");
		tn_buf_release(&p);
	} else {
		app_confirm(app.last_key, confirmed, NULL, 0, "%s %s %s", label, action, what.buf);
	}
	tn_buf_release(&what);
}

void cases_action_done(void)
{
	pend_clear();
}
