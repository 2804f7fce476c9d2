/* case-report.c — batch reports for cron: case or alert aggregates as JSON, CSV, a table, SVG, HTML. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "twonet.h"
#include "tn_districtmap.h"
#include "tn_report.h"
#include "tn_tasknet.h"

static const char *prog = "case-report";

static const char *from, *to, *by, *department, *item, *svg, *html, *map, *today_opt, *lang_opt;
static int alerts, tasks, no_wait;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Report:", NULL, 0 },
	{ TN_OPT_FLAG, 0, "alerts", &alerts, NULL, "report on alerts instead of cases", NULL, 0 },
	{ TN_OPT_FLAG, 0, "tasks", &tasks, NULL,
	  "the evaluation of the tasks made from alerts: per kind, district and department", NULL, 0 },
	{ TN_OPT_STRING, 0, "from", &from, "PERIOD",
	  "first day: YYYY-MM-DD, YYYY-MM, YYYY, YYYY-Www, today, yesterday, this-week, last-week, "
	  "this-month, last-month, this-year, last-year (default this-month)", NULL, 0 },
	{ TN_OPT_STRING, 0, "to", &to, "PERIOD", "last day, the end of PERIOD (default the end of --from)",
	  NULL, 0 },
	{ TN_OPT_STRING, 0, "by", &by, "GROUP",
	  "group by department|item|workflow|day|week|month (cases, default department) or "
	  "kind|severity|district|day|week|month (alerts, default kind); tasks: kind",
	  "department|item|workflow|day|week|month|kind|severity|district", 0 },
	{ TN_OPT_STRING, 0, "department", &department, "DEPT",
	  "only this department (an admin; a clerk always gets their own; tasks: their owner)",
	  NULL, 0 },
	{ TN_OPT_STRING, 0, "item", &item, "ITEM", "only the cases of this service item", NULL, 0 },
	{ TN_OPT_STRING, 0, "lang", &lang_opt, "LANG",
	  "headings, names and notes in zh (Chinese, the default) or en", "zh|en", 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Files:", NULL, 0 },
	{ TN_OPT_STRING, 0, "svg", &svg, "FILE", "write the chart as SVG to FILE (- for stdout)",
	  NULL, 0 },
	{ TN_OPT_STRING, 0, "html", &html, "FILE",
	  "write a one-page HTML report (table and chart) to FILE (- for stdout)", NULL, 0 },
	{ TN_OPT_STRING, 0, "map", &map, "FILE",
	  "with --alerts or --tasks: write a map of the 16 districts as SVG to FILE (- for stdout), "
	  "each filled by its count and labelled with its on-time rates", NULL, 0 },
	{ TN_OPT_FLAG, 0, "no-wait", &no_wait, NULL,
	  "exit 5 at once when another case-report is running, instead of waiting", NULL, 0 },
	{ TN_OPT_STRING, 0, "today", &today_opt, "DATE", "take DATE as today (tests)", NULL,
	  TN_OPTF_HIDDEN },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"case-report",
	"[--alerts | --tasks] [--from PERIOD [--to PERIOD]] [--by GROUP] [--lang LANG] [--svg FILE] [--html FILE] "
	"[--map FILE] "
	"[--no-wait] [OPTIONS]",
	"Report on cases (or alerts, or the tasks made from them) over a period: counts, on-time "
	"rates, working days, materials saved; minutes to dispatch, acknowledge and resolve.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER | TN_CMD_NO_OPERANDS
};

static enum tn_report_lang lang = TN_REPORT_ZH;

/*
 * The columns of a table or CSV: --fields (member names), else the kind's
 * defaults; each gets its heading in the reader's language.  Returns the
 * NULL-terminated member names (owned, as are their strings) and sets
 * *heads (an owned array of static strings); free_columns frees both.
 */
static char **columns(const char *fields, const char **dflt, enum tn_report_kind kind,
		      const char *grouping, int csv, const char ***heads)
{
	size_t n = 0, cap = 8;
	char **cols = tn_xcalloc(cap, sizeof(*cols));

	if (fields) {
		for (const char *p = fields; *p; ) {
			size_t len = strcspn(p, ",");

			if (len) {
				if (n + 1 >= cap)
					cols = tn_xrealloc(cols, (cap *= 2) * sizeof(*cols));
				cols[n++] = tn_xstrndup(p, len);
			}
			p += len + (p[len] == ',');
		}
	} else {
		for (; *dflt; dflt++) {
			if (n + 1 >= cap)
				cols = tn_xrealloc(cols, (cap *= 2) * sizeof(*cols));
			cols[n++] = tn_xstrdup(*dflt);
		}
	}
	cols[n] = NULL;
	*heads = tn_xcalloc(n + 1, sizeof(**heads));
	for (size_t i = 0; i < n; i++)
		(*heads)[i] = tn_report_heading(cols[i], kind, grouping, lang, csv ? 2 : 0);
	return cols;
}

static void free_columns(char **cols, const char **heads)
{
	for (size_t i = 0; cols && cols[i]; i++)
		free(cols[i]);
	free(cols);
	free(heads);
}

/* Write the report to stdout in the format asked for. */
static enum tn_code print_report(struct tn_common *common, jv report, struct tn_err *err)
{
	enum tn_report_kind kind = tn_report_kind_of(report);
	int fmt = tn_format_parse(common->format);
	int whole = fmt == TN_FMT_JSON || (fmt == TN_FMT_AUTO && (common->jq || !isatty(1)));
	/* a table or CSV for people: headings and labels in their language */
	int shown = !whole && !common->jq && fmt != TN_FMT_NDJSON;
	int csv = fmt == TN_FMT_CSV || fmt == TN_FMT_TSV;
	const char **cols, **heads = NULL;
	char **names = NULL, grouping[32];
	struct tn_common plain = *common;
	struct tn_buf note = TN_BUF_INIT;
	struct tn_out out;
	enum tn_code rc;
	jv rows;

	snprintf(grouping, sizeof(grouping), "%s",
		 tn_jv_str_or(report, "by", ""));
	cols = tn_report_columns(kind, csv || fmt == TN_FMT_NDJSON);
	if (shown) {
		names = columns(common->fields, cols, kind, grouping, csv, &heads);
		plain.fields = NULL;    /* picked here, by member name */
		cols = heads;
	}
	if (whole && fmt == TN_FMT_AUTO && !common->jq)
		plain.format = "json";
	if ((rc = tn_out_open(&out, stdout, &plain, !whole, cols, err)) != TN_OK) {
		free_columns(names, heads);
		jv_free(report);
		return rc;
	}
	if (whole) {
		rc = tn_out_emit(&out, report, err);
	} else {
		/* a table's footnote: the cases whose deadline is provisional */
		if (out.format == TN_FMT_TABLE && !common->jq)
			tn_report_provisional_note_in(&note, report, lang);
		rows = tn_report_rows(report);
		jv_free(report);
		jv_array_foreach(rows, i, row) {
			if (rc == TN_OK && shown)
				row = tn_report_display_row(row, (const char *const *)names, kind,
							    grouping, lang, !csv);
			if (rc == TN_OK)
				rc = tn_out_emit(&out, row, err);
			else
				jv_free(row);
		}
		jv_free(rows);
	}
	if (tn_out_close(&out, rc == TN_OK ? err : NULL) != TN_OK && rc == TN_OK)
		rc = err->code;
	free_columns(names, heads);     /* the output's columns until it closed */
	if (rc == TN_OK && note.len && !out.broken_pipe)
		printf("%s\n", note.buf);
	tn_buf_release(&note);
	if (out.broken_pipe)
		rc = TN_OK;
	return rc;
}

/*
 * The --map file: the alert report's districts with the task report's
 * in-target rates when the server gives them (a footnote says why not),
 * or the task report's alone.
 */
static enum tn_code write_map(struct tn_client *c, jv report, const char *f, const char *t,
			      struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	struct tn_err terr = TN_ERR_INIT;
	struct tn_dmap m;
	const struct tn_dmap *shapes = NULL;
	enum tn_code rc;
	jv task_report = jv_null();

	/* the outlines when the shipped file reads, else circles alone */
	memset(&m, 0, sizeof(m));
	if (tn_dmap_load(NULL, &m, &terr) == TN_OK)
		shapes = &m;
	tn_err_clear(&terr);
	if (tasks)
		tn_report_map_svg(&b, jv_null(), report, NULL, shapes, lang);
	else if (tn_task_report_fetch(c, f, t, department, (long long)time(NULL), &task_report,
				      &terr) == TN_OK)
		tn_report_map_svg(&b, report, task_report, NULL, shapes, lang);
	else
		tn_report_map_svg(&b, report, jv_null(), terr.message[0] ? terr.message :
				  tn_code_str(terr.code), shapes, lang);
	jv_free(task_report);
	tn_dmap_free(&m);
	tn_err_clear(&terr);
	rc = tn_report_write_file(map, b.buf, b.len, err);
	tn_buf_release(&b);
	return rc;
}

/* --svg and --html files. */
static enum tn_code write_files(jv report, struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	enum tn_code rc = TN_OK;

	if (svg) {
		tn_report_svg_in(&b, report, 1, lang);
		rc = tn_report_write_file(svg, b.buf, b.len, err);
		tn_buf_reset(&b);
	}
	if (rc == TN_OK && html) {
		tn_report_html_in(&b, report, lang);
		rc = tn_report_write_file(html, b.buf, b.len, err);
	}
	tn_buf_release(&b);
	return rc;
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct tn_report_query q;
	struct tn_buf path = TN_BUF_INIT;
	char f[16], t[16];
	long today;
	int lock = -1, status = 0;
	jv report;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	if (alerts && tasks)
		tn_err_set(&err, TN_EUSAGE, "--alerts and --tasks are exclusive");
	else if (tasks && by && strcmp(by, "kind"))
		tn_err_set(&err, TN_EUSAGE, "a task report is by kind (each row a kind, district "
			   "and department), not by '%s'", by);
	else if (tasks && item)
		tn_err_set(&err, TN_EUSAGE, "--item goes with a case report, not --tasks");
	else if ((svg && strcmp(svg, "-") == 0) + (html && strcmp(html, "-") == 0) +
		 (map && strcmp(map, "-") == 0) > 1)
		tn_err_set(&err, TN_EUSAGE, "only one of --svg, --html and --map can go to stdout");
	else if (map && !alerts && !tasks)
		tn_err_set(&err, TN_EUSAGE, "--map draws alerts or tasks by district: add --alerts "
			   "or --tasks");
	else if (map && alerts && by && strcmp(by, "district"))
		tn_err_set(&err, TN_EUSAGE, "--map counts the alerts by district, not by '%s'", by);
	else if (lang_opt)
		tn_report_lang_parse(lang_opt, &lang, &err);
	if (err.code != TN_OK)
		return tn_cli_fail(prog, &err);
	if (tn_report_today(today_opt, &today, &err) != TN_OK ||
	    tn_report_period(from, to, today, f, t, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	memset(&q, 0, sizeof(q));
	q.kind = alerts ? TN_REPORT_ALERTS : TN_REPORT_CASES;
	q.from = f;
	q.to = t;
	q.by = map && alerts ? "district" : by;
	q.department = department;
	q.item = item;
	if (!tasks && tn_report_path(&q, &path, &err) != TN_OK)  /* check --by before anything else */
		return tn_cli_fail(prog, &err);
	tn_buf_release(&path);
	if (tn_cmd_setup(&x, TN_SETUP_CONFIG, 0, NULL, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	/* the output opens after the fetch, in a shape that depends on the format */
	if (x.common.format && tn_format_parse(x.common.format) < 0) {
		tn_err_set(&err, TN_EUSAGE, "unknown format '%s'", x.common.format);
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	}
	tn_cmd_setup(&x, TN_SETUP_SIGNALS, 0, NULL, &err);
	if (tn_report_lock(prog, !no_wait, &lock, &err) != TN_OK)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	tn_cmd_setup(&x, TN_SETUP_CLIENT, 0, NULL, &err);
	/* the task report is counted here, over the period's tasks, by the lib the server uses */
	if ((tasks ? tn_task_report_fetch(x.client, f, t, department, (long long)time(NULL), &report,
					  &err)
		   : tn_report_fetch(x.client, &q, &report, &err)) != TN_OK) {
		status = tn_cli_fail(prog, &err);
	} else if (write_files(report, &err) != TN_OK ||
		   (map && write_map(x.client, report, f, t, &err) != TN_OK)) {
		jv_free(report);
		status = tn_cli_fail(prog, &err);
	} else if ((svg && strcmp(svg, "-") == 0) || (html && strcmp(html, "-") == 0) ||
		   (map && strcmp(map, "-") == 0)) {
		jv_free(report);        /* the file on stdout is the report */
	} else if (print_report(&x.common, report, &err) != TN_OK) {
		status = tn_cli_fail(prog, &err);
	}
	status = tn_cmd_finish(&x, status);
	tn_report_unlock(lock);
	return status;
}
