/* alert-tail.c — follow the alert stream like tail -f: filters, formats, a cursor file, never a lost or repeated alert. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_alert.h"
#include "tn_follow.h"
#include "tn_json.h"
#include "tn_task.h"

static const char *prog = "alert-tail";

static const char *since, *severity, *districts, *kinds, *cursor_file, *format, *jq;
static long lines = -1, after = -1, retry_max = -2, count = 0, until_idle = 0, heartbeat = 0;
static int no_follow, show_cursor, no_color, tasks;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Where to start:", NULL, 0 },
	{ TN_OPT_LONG, 'n', "lines", &lines, "N", "show the last N alerts first (default: from now)", NULL, 0 },
	{ TN_OPT_STRING, 0, "since", &since, "TIME",
	  "start at a time: RFC 3339, YYYY-MM-DD, or N s/m/h/d ago (10m)", NULL, 0 },
	{ TN_OPT_LONG, 0, "after", &after, "ID", "start after this alert id or stream position", NULL, 0 },
	{ TN_OPT_STRING, 0, "cursor-file", &cursor_file, "FILE",
	  "resume after the position saved in FILE, and save each one written", NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Filters (on the server):", NULL, 0 },
	{ TN_OPT_STRING, 0, "severity", &severity, "MIN", "blue|yellow|orange|red: this one and above", NULL, 0 },
	{ TN_OPT_LIST, 0, "district", &districts, "DISTRICT", "district code, name or pinyin (repeatable)", NULL, 0 },
	{ TN_OPT_LIST, 0, "kind", &kinds, "KIND", "kind of alert (repeatable)", NULL, 0 },
	{ TN_OPT_FLAG, 0, "tasks", &tasks, NULL,
	  "the task events too: each task generated, updated, escalated or acted on", NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "When to stop:", NULL, 0 },
	{ TN_OPT_LONG, 0, "count", &count, "N", "stop after N alerts written", NULL, 0 },
	{ TN_OPT_LONG, 0, "until-idle", &until_idle, "SECONDS", "stop when no alert came for SECONDS", NULL, 0 },
	{ TN_OPT_FLAG, 0, "no-follow", &no_follow, NULL, "stop after the alerts already stored", NULL, 0 },
	{ TN_OPT_LONG, 0, "retry-max", &retry_max, "N",
	  "give up (exit 6) after N failed reconnects in a row (default: never; with --no-follow: --retries)", NULL, 0 },
	{ TN_OPT_LONG, 0, "heartbeat-timeout", &heartbeat, "SECONDS", "no byte for this long: reconnect (45)", NULL,
	  TN_OPTF_HIDDEN },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Output options:", NULL, 0 },
	{ TN_OPT_STRING, 0, "format", &format, "FMT",
	  "ndjson|json|table|cap (default: table on a terminal, NDJSON otherwise)", TN_ALERT_FORMATS, 0 },
	{ TN_OPT_STRING, 0, "jq", &jq, "EXPR", "filter each alert through a jq expression", NULL, 0 },
	{ TN_OPT_FLAG, 0, "show-cursor", &show_cursor, NULL, "at the end, print the position reached on stderr", NULL, 0 },
	{ TN_OPT_FLAG, 0, "no-color", &no_color, NULL, "never use colour (also NO_COLOR)", NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"alert-tail",
	"[-n N | --since TIME | --after ID] [--cursor-file FILE] [FILTERS] [OPTIONS]",
	"Follow the alert stream: every alert and status change once, in order, across reconnects and restarts.",
	options, TN_CMD_SERVER | TN_CMD_NO_OPERANDS
};

struct tail {
	struct tn_alert_writer w;
	long written;
	int task_header_done;
};

/* A task event as a line of the task table (tn_task_format_row), flushed as alerts are; TN_EIO on a failed write. */
static enum tn_code task_row(struct tail *t, const struct tn_follow_event *ev, long *n,
			     struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	jv task = tn_json_parse(ev->data, ev->data_len);
	enum tn_code rc;

	if (jv_get_kind(task) != JV_KIND_OBJECT) {
		jv_free(task);
		return tn_err_set(err, TN_EINVALID, "a task event that is not a JSON object");
	}
	if (!t->task_header_done) {
		tn_task_table_header(&b, t->w.width);
		tn_buf_addch(&b, '\n');
		t->task_header_done = 1;
	}
	tn_task_format_row(&b, task, t->w.width, t->w.color);
	tn_buf_addch(&b, '\n');
	jv_free(task);
	rc = tn_alert_writer_put(&t->w, &b, err);
	tn_buf_release(&b);
	*n = rc == TN_OK;
	return rc;
}

static int on_event(void *ctx, const struct tn_follow_event *ev, struct tn_err *err)
{
	struct tail *t = ctx;
	struct tn_err e = TN_ERR_INIT;
	long n = 0;
	int task = !strcmp(ev->name, "task");
	enum tn_code rc = task && t->w.format == TN_AFMT_TABLE && !t->w.jq ?
			  task_row(t, ev, &n, &e) :
			  tn_alert_writer_emit_text(&t->w, ev->data, ev->data_len, &n, &e);

	if (rc == TN_EIO) {
		if (t->w.broken_pipe)
			return 1;          /* the reader is gone: stop quietly, position not moved */
		*err = e;
		return 1;
	}
	if (rc != TN_OK)
		tn_cli_warn(prog, "%s at %lld: %s", task ? "task event" : "alert", ev->seq, e.message);
	/* with a cursor file the line is out and flushed: only now does the cursor move past it */
	if (cursor_file && tn_follow_cursor_write(cursor_file, ev->seq, err) != TN_OK)
		return 1;
	if (n > 0)
		t->written++;
	return count > 0 && t->written >= count;
}

/* After each block read: its lines out in one write (without a cursor file, lines wait for it). */
static int on_flush(void *ctx, struct tn_err *err)
{
	struct tail *t = ctx;
	struct tn_err e = TN_ERR_INIT;

	if (tn_alert_writer_flush(&t->w, &e) == TN_OK)
		return 0;
	if (!t->w.broken_pipe)
		*err = e;       /* a reader that went away: a quiet stop, as on_event's */
	return 1;
}

/* Turn --district and --kind lists into what the server takes; --severity into our name. */
static enum tn_code check_filters(struct tn_buf *dist, struct tn_err *err)
{
	const char *p = districts;

	if (severity) {
		enum tn_severity s = tn_severity_parse(severity);
		if (s == TN_SEV_NONE)
			return tn_err_set(err, TN_EUSAGE, "--severity takes blue, yellow, orange or red, not '%s'",
					  severity);
		severity = tn_severity_name(s);
	}
	while (p && *p) {
		size_t n = strcspn(p, ",");
		char one[64];
		const struct tn_district *d;

		snprintf(one, sizeof(one), "%.*s", (int)n, p);
		if (!(d = tn_district_find(one)))
			return tn_err_set(err, TN_EUSAGE, "'%s' is not one of Shanghai's 16 districts", one);
		tn_buf_addf(dist, "%s%s", dist->len ? "," : "", d->code);
		p += n + (p[n] == ',');
	}
	for (p = kinds; p && *p;) {
		size_t n = strcspn(p, ",");
		char one[80];

		snprintf(one, sizeof(one), "%.*s", (int)n, p);
		if (!tn_alert_kind_valid(one))
			return tn_err_set(err, TN_EUSAGE, "'%s' is not a kind of alert", one);
		p += n + (p[n] == ',');
	}
	return TN_OK;
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct tn_follow_opts o;
	struct tn_follow *f;
	struct tail t;
	struct tn_buf dist = TN_BUF_INIT;
	char since_buf[64];
	long long saved = -1;
	int status = 0;
	enum tn_code rc;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	if ((lines >= 0) + (since != NULL) + (after >= 0) > 1)
		tn_err_set(&err, TN_EUSAGE, "-n, --since and --after are exclusive");
	else if (lines < -1 || lines > 1000)
		tn_err_set(&err, TN_EUSAGE, "-n takes 0 to 1000, not %ld", lines);
	else if (after < -1 || count < 0 || until_idle < 0 || retry_max < -2 || heartbeat < 0)
		tn_err_set(&err, TN_EUSAGE, "numbers given to options must not be negative");
	else if (since)
		tn_time_since(since, since_buf, sizeof(since_buf), &err);
	if (err.code == TN_OK)
		check_filters(&dist, &err);
	if (err.code == TN_OK && cursor_file)
		tn_follow_cursor_read(cursor_file, &saved, &err);   /* sets err when it fails */
	if (err.code != TN_OK) {
		tn_buf_release(&dist);
		return tn_cli_fail(prog, &err);
	}
	if (tasks && format && !strcmp(format, "cap")) {
		tn_buf_release(&dist);
		tn_err_set(&err, TN_EUSAGE, "--tasks goes with the ndjson, json or table format, not cap "
			   "(a task is not a CAP alert)");
		return tn_cli_fail(prog, &err);
	}
	if (tn_cmd_setup(&x, TN_SETUP_CONFIG, 0, NULL, &err) != TN_OK ||
	    tn_alert_writer_open(&t.w, stdout, tn_cmd_format(&x, format, TN_ALERT_FORMATS), jq, no_color,
				 &err) != TN_OK) {
		tn_buf_release(&dist);
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	}
	t.written = 0;
	t.task_header_done = 0;
	/* a position (a cursor file's, --show-cursor's) moves only past lines flushed */
	t.w.defer_flush = !cursor_file && !show_cursor;
	memset(&o, 0, sizeof(o));
	o.cfg = &x.cfg;
	o.severity = severity;
	o.districts = dist.len ? dist.buf : NULL;
	o.kinds = kinds;
	o.tasks = tasks;
	/* a saved cursor wins: -n, --since and --after only place the first run */
	o.after = saved >= 0 ? saved : after;
	o.since = saved < 0 && since ? since_buf : NULL;
	o.tail = saved < 0 ? lines : -1;
	o.no_follow = no_follow;
	o.retry_max = retry_max >= -1 ? retry_max : no_follow ? x.cfg.retries : -1;
	o.heartbeat_timeout_ms = heartbeat * 1000;
	o.idle_ms = until_idle * 1000;
	o.watch_stdout = 1;
	o.flush = on_flush;
	tn_cmd_setup(&x, TN_SETUP_SIGNALS, 0, NULL, &err);
	f = tn_follow_new(&o, on_event, &t);
	rc = tn_follow_run(f, &err);
	if (tn_alert_writer_flush(&t.w, rc == TN_OK ? &err : NULL) != TN_OK && rc == TN_OK &&
	    !t.w.broken_pipe)
		rc = TN_EIO;
	if (show_cursor && tn_follow_position(f) >= 0)
		fprintf(stderr, "-- cursor: %lld\n", tn_follow_position(f));
	if (rc == TN_ERESET) {
		tn_err_prefix(&err, "cannot resume");
		status = tn_cli_fail(prog, &err);
		fprintf(stderr, "%s: to go on, start again from a time (--since TIME), from the last alerts (-n N) or from now%s%s%s\n",
			prog, cursor_file ? " (remove the cursor file '" : "", cursor_file ? cursor_file : "",
			cursor_file ? "' first)" : "");
	} else if (rc != TN_OK) {
		status = tn_cli_fail(prog, &err);
	}
	tn_follow_free(f);
	tn_alert_writer_close(&t.w);
	tn_buf_release(&dist);
	return tn_cmd_finish(&x, status);
}
