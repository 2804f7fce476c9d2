/* tasknet.c — tasks on the server: the list page by page, one task, the loop's steps under the task's version (If-Match), checked by the lib first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tn_alert.h"
#include "tn_cal.h"
#include "tn_cli.h"
#include "tn_http.h"
#include "tn_buf.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_list.h"
#include "tn_ndjson.h"
#include "tn_report.h"
#include "tn_task.h"
#include "tn_tasknet.h"
#include "tn_text.h"

#define PAGE_ALL 1000

enum tn_code tn_task_time(const char *opt, const char *word, int end, long today, char *out,
			  size_t size, struct tn_err *err)
{
	struct tn_err scratch = TN_ERR_INIT;
	long first, last;
	char day[16];

	if (word && tn_period_parse(word, today, &first, &last, &scratch) == TN_OK) {
		tn_date_format(end ? last : first, day);
		snprintf(out, size, "%sT%s+08:00", day, end ? "23:59:59" : "00:00:00");
		return TN_OK;
	}
	tn_err_clear(&scratch);
	if (word && tn_time_since(word, out, size, &scratch) == TN_OK)
		return TN_OK;
	tn_err_clear(&scratch);
	return tn_err_set(err, TN_EUSAGE, "%s takes a time (RFC 3339), a day or period (YYYY-MM-DD, "
			  "YYYY-MM, today, this-week, last-month ...) or N s/m/h/d ago, not '%s'",
			  opt, word ? word : "");
}

static void add_param(struct tn_buf *b, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	tn_buf_addf(b, "%c%s=", strchr(b->buf, '?') ? '&' : '?', name);
	tn_url_escape(b, value);
}

enum tn_code tn_list_words_check(const char *opt, const char *list, const char *known,
				struct tn_err *err)
{
	for (const char *p = list; p && *p; ) {
		size_t n = strcspn(p, ",");
		char one[64];

		snprintf(one, sizeof(one), "%.*s", (int)(n < sizeof(one) ? n : sizeof(one) - 1), p);
		if (n && !tn_word_in(known, one)) {
			tn_err_set(err, TN_EINVALID, "%s takes %s, not '%s'", opt, known, one);
			tn_cli_suggest(err, one, known);
			return TN_EINVALID;
		}
		p += n + (p[n] == ',');
	}
	return TN_OK;
}

enum tn_code tn_task_query_path(const struct tn_task_query *q, long limit, const char *cursor,
				struct tn_buf *path, struct tn_err *err)
{
	char since[40] = "", until[40] = "";
	long v;

	if (tn_list_words_check("--status", q->status, TN_TASK_STATUSES, err) != TN_OK)
		return err->code;
	if (q->priority && (tn_parse_long(q->priority, &v) != 0 || v < 1 || v > 4))
		return tn_err_set(err, TN_EUSAGE, "--priority takes 1 (highest) to 4, not '%s'",
				  q->priority);
	if (q->alert && (tn_parse_long(q->alert, &v) != 0 || v < 1))
		return tn_err_set(err, TN_EUSAGE, "--alert takes an alert id (a number), not '%s'",
				  q->alert);
	if (q->since && tn_task_time("--since", q->since, 0, tn_today(), since, sizeof(since),
				     err) != TN_OK)
		return err->code;
	if (q->until && tn_task_time("--until", q->until, 1, tn_today(), until, sizeof(until),
				     err) != TN_OK)
		return err->code;
	tn_buf_adds(path, "/v1/tasks");
	add_param(path, "status", q->status);
	add_param(path, "kind", q->kind);
	add_param(path, "district", q->district);
	add_param(path, "department", q->department);
	add_param(path, "crew", q->crew);
	add_param(path, "rule", q->rule);
	add_param(path, "priority", q->priority);
	add_param(path, "open", q->open ? "true" : NULL);
	add_param(path, "since", since);
	add_param(path, "until", until);
	add_param(path, "alert", q->alert);
	add_param(path, "cursor", cursor);
	tn_buf_addf(path, "%climit=%ld", strchr(path->buf, '?') ? '&' : '?', limit);
	return TN_OK;
}

static enum tn_code task_page(const void *q, long limit, const char *cursor, struct tn_buf *path,
			      struct tn_err *err)
{
	return tn_task_query_path(q, limit, cursor, path, err);
}

struct tn_pager tn_task_pager(const struct tn_task_query *q)
{
	struct tn_pager p = { "task", q, task_page, PAGE_ALL };

	return p;
}

enum tn_code tn_task_list_end(struct tn_client *c, const struct tn_task_query *q, long limit,
			      int (*fn)(void *ctx, jv task), void *ctx, struct tn_list_end *end,
			      struct tn_err *err)
{
	struct tn_pager p = tn_task_pager(q);

	return tn_list_pages(c, &p, limit, fn, ctx, end, err);
}

enum tn_code tn_task_get(struct tn_client *c, long long id, jv *out, struct tn_err *err)
{
	char path[64];
	enum tn_code rc;

	snprintf(path, sizeof(path), "/v1/tasks/%lld", id);
	rc = tn_client_get(c, path, out, err);
	if (rc == TN_ENOTFOUND)
		tn_err_set(err, TN_ENOTFOUND, "task %lld not found", id);
	else if (rc == TN_OK && jv_get_kind(*out) != JV_KIND_OBJECT) {
		jv_free(*out);
		*out = jv_invalid();
		rc = tn_err_set(err, TN_ESERVER, "the server's task %lld is not a JSON object", id);
	}
	return rc;
}

enum tn_code tn_task_args_check(const char *action, jv args, struct tn_err *err)
{
	jv stand_in = jv_object(), steps = jv_array(), out = jv_invalid();
	long step = tn_jv_long(args, "step", 0);
	enum tn_code rc;

	if (!tn_task_action_valid(action)) {
		jv_free(args);
		jv_free(stand_in);
		jv_free(steps);
		tn_err_set(err, TN_EUSAGE, "unknown action '%s' (one of %s)", action ? action : "",
			   TN_TASK_ACTION_LIST);
		tn_cli_suggest(err, action ? action : "", TN_TASK_ACTION_LIST);
		return TN_EUSAGE;
	}
	/* a plan as long as the step asked for: its bounds are the real task's to check */
	for (long i = 1; i <= step && i <= 1000; i++)
		steps = jv_array_append(steps, jv_object_set(jv_object(), jv_string("status"),
							     jv_string("pending")));
	stand_in = jv_object_set(stand_in, jv_string("status"), jv_string("generated"));
	stand_in = jv_object_set(stand_in, jv_string("plan"),
				 jv_object_set(jv_object(), jv_string("steps"), steps));
	rc = tn_task_act(stand_in, action, args, NULL, 0, &out, err);
	jv_free(out);
	if (rc == TN_ECONFLICT) {        /* the stand-in's status: not the arguments' fault */
		tn_err_clear(err);
		rc = TN_OK;
	}
	return rc;
}

enum tn_code tn_task_act_at(struct tn_client *c, long long id, long long version, jv task,
			    const char *action, jv args, jv *out, struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	char path[64], etag[32], key[48];
	enum tn_code rc;
	jv body, acted = jv_invalid();

	if (!tn_jv_str(task, "status")) {
		jv_free(task);
		if ((rc = tn_task_get(c, id, &task, err)) != TN_OK)
			return rc;
	}
	if (version < 1)
		version = tn_alert_ll(task, "version");
	/*
	 * Arguments the lib refuses on this task (a plan step it has not, a score
	 * outside 1..5) are never sent: the server runs the same tn_task_act.  A
	 * step its status does not allow is the server's to refuse: it knows the
	 * task's status now, and the token's role (a crew may not dispatch).
	 */
	rc = tn_task_act(task, action, jv_get_kind(args) == JV_KIND_OBJECT ? jv_copy(args) : jv_null(),
			 NULL, (long long)time(NULL), &acted, err);
	jv_free(acted);
	if (rc == TN_ECONFLICT)
		tn_err_clear(err);
	else if (rc != TN_OK)
		return rc;
	if (version < 1)
		return tn_err_set(err, TN_ESERVER, "task %lld has no version", id);
	body = jv_get_kind(args) == JV_KIND_OBJECT ? jv_copy(args) : jv_object();
	body = jv_object_set(body, jv_string("action"), jv_string(action));
	snprintf(path, sizeof(path), "/v1/tasks/%lld/actions", id);
	snprintf(etag, sizeof(etag), "\"%lld\"", version);
	req.method = "POST";
	req.path = path;
	req.if_match = etag;
	/* the step just done, asked again, is answered unchanged: safe to retry
	 * (reopen is not: a retry would find the task moved on) */
	if (strcmp(action, "reopen") != 0) {
		struct tn_buf d = TN_BUF_INIT;
		char text[4200];
		int n;

		tn_json_dump_sorted(body, &d);  /* jv_dump_string(JV_PRINT_SORTED)'s bytes */
		n = snprintf(text, sizeof(text), "%lld %lld %s", id, version, d.buf ? d.buf : "");
		tn_buf_release(&d);
		if (n > 0 && (size_t)n < sizeof(text) &&
		    tn_idem_key_derive("task-", text, (size_t)n, 32, key, sizeof(key)) == 0)
			req.idempotency_key = key;
	}
	req.body = body;
	rc = tn_client_do(c, &req, &resp, err);
	if (rc == TN_OK)
		*out = jv_copy(resp.body);
	tn_response_release(&resp);
	if (rc == TN_ENOTFOUND)
		tn_err_set(err, TN_ENOTFOUND, "task %lld not found", id);
	return rc;
}

long long tn_task_from_line(const char *line, long long *version, jv *task, struct tn_err *err)
{
	long long id = tn_ndjson_number_id(line, "task", task, err);

	*version = jv_is_valid(*task) ? tn_alert_ll(*task, "version") : 0;
	if (*version < 0)
		*version = 0;
	return id;
}

/* The report's callback: each task counted, never a stop. */
static int report_add(void *ctx, jv task)
{
	tn_task_report_add(ctx, task);
	return 0;
}

enum tn_code tn_task_report_fetch(struct tn_client *c, const char *from, const char *to,
				  const char *department, long long now, jv *out,
				  struct tn_err *err)
{
	struct tn_task_query q;
	struct tn_task_report *r = tn_task_report_new(now);
	char since[40], until[40];
	enum tn_code rc;

	memset(&q, 0, sizeof(q));
	snprintf(since, sizeof(since), "%sT00:00:00+08:00", from);
	snprintf(until, sizeof(until), "%sT23:59:59+08:00", to);
	q.since = since;
	q.until = until;
	q.department = department;
	rc = tn_task_list_end(c, &q, -1, report_add, r, NULL, err);
	if (rc == TN_OK) {
		jv doc = tn_task_report_result(r);

		doc = jv_object_set(doc, jv_string("from"), jv_string(from));
		doc = jv_object_set(doc, jv_string("to"), jv_string(to));
		if (department)
			doc = jv_object_set(doc, jv_string("department"), jv_string(department));
		*out = doc;
	}
	tn_task_report_free(r);
	return rc;
}
