/* report.c — case and alert reports: periods, the request, rows and columns, HTML, files, the run lock. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tn_cal.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_cli.h"
#include "tn_out.h"
#include "tn_report.h"
#include "tn_task.h"

#define LOCK_POLL_MS 100

/* ---- periods ---- */

enum tn_code tn_report_today(const char *given, long *today, struct tn_err *err)
{
	return tn_today_get(given, today, err);
}

/* Day number of y-m-d; -1 when not a date. */
static long ymd(long y, long m, long d)
{
	char buf[32];
	long v;

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	snprintf(buf, sizeof(buf), "%04ld-%02ld-%02ld", y, m, d);
	return tn_date_parse(buf, &v) == 0 ? v : -1;
}

/* Year and month of a day number. */
static void year_month(long day, long *y, long *m)
{
	char buf[16];

	tn_date_format(day, buf);
	*y = (buf[0] - '0') * 1000 + (buf[1] - '0') * 100 + (buf[2] - '0') * 10 + (buf[3] - '0');
	*m = (buf[5] - '0') * 10 + (buf[6] - '0');
}

/* The month [first, last] of y-m. */
static void month_range(long y, long m, long *first, long *last)
{
	*first = ymd(y, m, 1);
	*last = (m == 12 ? ymd(y + 1, 1, 1) : ymd(y, m + 1, 1)) - 1;
}

/* 1 when s[0..n) are all digits. */
static int digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static long num_of(const char *s, size_t n)
{
	long v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

enum tn_code tn_period_parse(const char *spec, long today, long *first, long *last,
			     struct tn_err *err)
{
	size_t n = spec ? strlen(spec) : 0;
	long y, m, wd = tn_date_weekday(today);

	if (!spec || !*spec)
		return tn_err_set(err, TN_EUSAGE, "empty period");
	if (strcmp(spec, "today") == 0) {
		*first = *last = today;
	} else if (strcmp(spec, "yesterday") == 0) {
		*first = *last = today - 1;
	} else if (strcmp(spec, "this-week") == 0) {
		*first = today - wd;
		*last = today;
	} else if (strcmp(spec, "last-week") == 0) {
		*first = today - wd - 7;
		*last = today - wd - 1;
	} else if (strcmp(spec, "this-month") == 0) {
		year_month(today, &y, &m);
		*first = ymd(y, m, 1);
		*last = today;
	} else if (strcmp(spec, "last-month") == 0) {
		year_month(today, &y, &m);
		if (--m == 0) {
			m = 12;
			y--;
		}
		month_range(y, m, first, last);
	} else if (strcmp(spec, "this-year") == 0) {
		year_month(today, &y, &m);
		*first = ymd(y, 1, 1);
		*last = today;
	} else if (strcmp(spec, "last-year") == 0) {
		year_month(today, &y, &m);
		*first = ymd(y - 1, 1, 1);
		*last = ymd(y - 1, 12, 31);
	} else if (n == 4 && digits(spec, 4) && num_of(spec, 4) >= 1) {
		y = num_of(spec, 4);
		*first = ymd(y, 1, 1);
		*last = ymd(y, 12, 31);
	} else if (n == 7 && digits(spec, 4) && spec[4] == '-' && digits(spec + 5, 2) &&
		   ymd(num_of(spec, 4), num_of(spec + 5, 2), 1) >= 0) {
		month_range(num_of(spec, 4), num_of(spec + 5, 2), first, last);
	} else if (n == 8 && digits(spec, 4) && spec[4] == '-' && spec[5] == 'W' &&
		   digits(spec + 6, 2)) {
		long w = num_of(spec + 6, 2), jan4, mon1, thu;

		y = num_of(spec, 4);
		jan4 = ymd(y, 1, 4);
		if (jan4 < 0 || w < 1 || w > 53)
			goto bad;
		mon1 = jan4 - tn_date_weekday(jan4);
		*first = mon1 + 7 * (w - 1);
		*last = *first + 6;
		thu = *first + 3;               /* week 53 exists only when its Thursday is in y */
		{
			long ty, tm;

			year_month(thu, &ty, &tm);
			if (ty != y)
				goto bad;
		}
	} else if (n == 10 && tn_date_parse(spec, first) == 0) {
		*last = *first;
	} else {
		goto bad;
	}
	if (*first < 0 || *last < 0)
		goto bad;
	return TN_OK;
bad:
	return tn_err_set(err, TN_EUSAGE, "invalid period '%s' (YYYY-MM-DD, YYYY-MM, YYYY, "
			  "YYYY-Www, today, yesterday, this-week, last-week, this-month, "
			  "last-month, this-year, last-year)", spec);
}

enum tn_code tn_report_period(const char *from_spec, const char *to_spec, long today,
			      char *from, char *to, struct tn_err *err)
{
	long f1, f2, t1, t2;
	enum tn_code rc;

	if (!from_spec && to_spec)
		return tn_err_set(err, TN_EUSAGE, "--to needs --from");
	if (!from_spec)
		from_spec = "this-month";
	if ((rc = tn_period_parse(from_spec, today, &f1, &f2, err)) != TN_OK) {
		tn_err_prefix(err, "--from");
		return rc;
	}
	t2 = f2;
	if (to_spec) {
		if ((rc = tn_period_parse(to_spec, today, &t1, &t2, err)) != TN_OK) {
			tn_err_prefix(err, "--to");
			return rc;
		}
	}
	if (t2 < f1) {
		char a[16], b[16];

		tn_date_format(f1, a);
		tn_date_format(t2, b);
		return tn_err_set(err, TN_EUSAGE, "the period ends before it starts (%s to %s)", a, b);
	}
	tn_date_format(f1, from);
	tn_date_format(t2, to);
	return TN_OK;
}

/* ---- the request ---- */

/* 1 when `word` is one of the '|'-separated `list`. */
static int one_of(const char *list, const char *word)
{
	size_t n = strlen(word);

	while (*list) {
		size_t len = strcspn(list, "|");

		if (len == n && strncmp(list, word, n) == 0)
			return 1;
		list += len + (list[len] == '|');
	}
	return 0;
}

enum tn_code tn_report_path(const struct tn_report_query *q, struct tn_buf *path,
			    struct tn_err *err)
{
	const char *groupings = q->kind == TN_REPORT_ALERTS ? TN_REPORT_ALERT_BY : TN_REPORT_CASE_BY;
	char sep = '?';

	if (q->by && !one_of(groupings, q->by))
		return tn_err_set(err, TN_EUSAGE, "invalid --by '%s' (%s)", q->by, groupings);
	if (q->kind == TN_REPORT_ALERTS && q->department)
		return tn_err_set(err, TN_EUSAGE, "--department is for case reports only");
	if (q->kind == TN_REPORT_ALERTS && q->item)
		return tn_err_set(err, TN_EUSAGE, "--item is for case reports only");
	tn_buf_adds(path, q->kind == TN_REPORT_ALERTS ? "/v1/reports/alerts" : "/v1/reports/cases");
#define PARAM(name, v) do { \
		if (v) { \
			tn_buf_addch(path, sep); \
			tn_buf_adds(path, name "="); \
			tn_url_escape(path, v); \
			sep = '&'; \
		} \
	} while (0)
	PARAM("from", q->from);
	PARAM("to", q->to);
	PARAM("by", q->by);
	PARAM("department", q->department);
	PARAM("item", q->item);
#undef PARAM
	return TN_OK;
}

enum tn_code tn_report_fetch(struct tn_client *c, const struct tn_report_query *q, jv *out,
			     struct tn_err *err)
{
	struct tn_buf path = TN_BUF_INIT;
	enum tn_code rc;

	*out = jv_invalid();
	if ((rc = tn_report_path(q, &path, err)) == TN_OK)
		rc = tn_client_get(c, path.buf, out, err);
	tn_buf_release(&path);
	if (rc == TN_OK && jv_get_kind(*out) != JV_KIND_OBJECT) {
		jv_free(*out);
		*out = jv_invalid();
		rc = tn_err_set(err, TN_ESERVER, "the server's report is not a JSON object");
	}
	return rc;
}

enum tn_report_kind tn_report_kind_of(jv report)
{
	if (tn_jv_is(report, "report", "tasks"))
		return TN_REPORT_TASKS;
	return tn_jv_is(report, "report", "alerts") ? TN_REPORT_ALERTS : TN_REPORT_CASES;
}

/* `row` (consumed) with its group set to `key` when that is not a string. */
static jv row_keyed(jv row, const char *key)
{
	if (!tn_jv_str(row, "group"))
		row = jv_object_set(row, jv_string("group"), jv_string(key));
	return row;
}

jv tn_report_rows(jv report)
{
	jv rows = jv_array(), groups, total;

	if (jv_get_kind(report) != JV_KIND_OBJECT)
		return rows;
	groups = tn_jv_array(report, "groups");
	jv_array_foreach(groups, i, g) {
		if (jv_get_kind(g) == JV_KIND_OBJECT)
			rows = jv_array_append(rows, row_keyed(g, "-"));
		else
			jv_free(g);
	}
	jv_free(groups);
	total = tn_jv_get(report, "total");
	if (jv_get_kind(total) == JV_KIND_OBJECT)
		rows = jv_array_append(rows, jv_object_set(total, jv_string("group"),
							   jv_string("total")));
	else
		jv_free(total);
	return rows;
}

const char *tn_report_case_table[] = {
	"group", "received", "accepted", "returned", "rejected", "completed", "open",
	"backlog", "backlog_overdue", "on_time_rate", "on_time_legal_rate", "days_mean", "days_median", "days_p90",
	"materials_saving_pct", NULL
};

const char *tn_report_case_csv[] = {
	"group", "name", "received", "accepted", "returned", "rejected", "completed", "open",
	"open_overdue", "on_time", "late", "on_time_rate", "on_time_legal", "late_legal",
	"on_time_legal_rate", "days_n", "days_mean", "days_median", "days_p90",
	"legal_days_mean", "time_saving_pct", "materials", "materials_exempted",
	"materials_asked", "materials_saving_pct", "backlog", "backlog_overdue",
	"provisional_deadlines", NULL
};

/* A whole number at `key` of the object at `at` of `report` (borrowed); 0 when there is none. */
static long count_at(jv report, const char *at, const char *key)
{
	jv o = tn_jv_get(report, at);
	long n = tn_jv_long(o, key, 0);

	jv_free(o);
	return n > 0 ? n : 0;
}

long tn_report_provisional(jv report)
{
	if (tn_report_kind_of(report) != TN_REPORT_CASES)
		return 0;
	return count_at(report, "total", "provisional_deadlines");
}

long tn_report_provisional_note(struct tn_buf *out, jv report)
{
	long n = tn_report_provisional(report), of;

	if (n <= 0)
		return 0;
	of = count_at(report, "total", "received");
	if (of > n)
		tn_buf_addf(out, "%ld of the %ld cases", n, of);
	else if (n > 1)
		tn_buf_addf(out, "all %ld cases", n);
	else
		tn_buf_adds(out, "1 case");
	tn_buf_addf(out, " %s a provisional deadline: " TN_PROVISIONAL_NOTE, n == 1 ? "has" : "have");
	return n;
}

const char *tn_report_alert_table[] = {
	"group", "raised", "dispatched", "closed", "open", "open_past_target",
	"closed_in_target_rate", "dispatch_min_median", "dispatch_min_p90",
	"close_min_median", "close_min_p90", NULL
};

const char *tn_report_alert_csv[] = {
	"group", "name", "raised", "dispatched", "closed", "open", "open_past_target",
	"closed_in_target", "closed_in_target_rate", "dispatch_min_n", "dispatch_min_mean",
	"dispatch_min_median", "dispatch_min_p90", "close_min_n", "close_min_mean",
	"close_min_median", "close_min_p90", NULL
};

const char **tn_report_columns(enum tn_report_kind kind, int csv)
{
	if (kind == TN_REPORT_TASKS)
		return csv ? tn_report_task_csv : tn_report_task_table;
	if (kind == TN_REPORT_ALERTS)
		return csv ? tn_report_alert_csv : tn_report_alert_table;
	return csv ? tn_report_case_csv : tn_report_case_table;
}

/* ---- HTML ---- */

/*
 * A string member of `obj` (borrowed) or `dflt`, copied into buf: the copy
 * keeps the page's head to the length it always had (buf's size).
 */
static const char *member_text(jv obj, const char *key, const char *dflt, char *buf, size_t size)
{
	const char *s = tn_jv_str(obj, key);

	snprintf(buf, size, "%s", s ? s : dflt);
	return buf;
}

void tn_report_html(struct tn_buf *out, jv report)
{
	tn_report_html_in(out, report, TN_REPORT_EN);
}

/* The words of the page's head in each language. */
static const struct {
	const char *lang, *cases, *alerts, *tasks, *period, *to, *by, *dept, *asof;
} page_words[] = {
	[TN_REPORT_ZH] = { "zh-CN", "办件报表", "告警报表", "任务评估报表", "统计期 ", " 至 ",
			   "，按", "；部门 ", "；数据截至 " },
	[TN_REPORT_EN] = { "en", "Case report", "Alert report", "Task report", "Period ", " to ",
			   ", by ", ", department ", "; figures as of " },
};

/* The table of the page: a heading per column, a row per group, the total in bold. */
static void html_table(struct tn_buf *out, jv report, enum tn_report_lang lang)
{
	enum tn_report_kind kind = tn_report_kind_of(report);
	const char **cols = tn_report_columns(kind, 0);
	const char *by = tn_jv_str(report, "by");
	jv rows = tn_report_rows(report);
	int n = jv_array_length(jv_copy(rows));

	tn_buf_adds(out, "<table>\n<tr>");
	for (int i = 0; cols[i]; i++) {
		tn_buf_adds(out, "<th>");
		tn_xml_escape(out, tn_report_heading(cols[i], kind, by, lang, 1));
		tn_buf_adds(out, "</th>");
	}
	tn_buf_adds(out, "</tr>\n");
	jv_array_foreach(rows, r, row) {
		int total = r == n - 1 && tn_jv_is(row, "group", "total");

		tn_buf_adds(out, total ? "<tr class=\"total\">" : "<tr>");
		for (int i = 0; cols[i]; i++) {
			char *cell = tn_cell_text(row, cols[i]);

			tn_buf_adds(out, i ? "<td class=\"n\">" : "<td>");
			if (i == 0)
				tn_xml_escape(out, total ? tn_report_total_word(lang) :
					      tn_report_label(row, by));
			else
				tn_xml_escape(out, cell);
			if (i == 0 && kind == TN_REPORT_CASES &&
			    tn_jv_long(row, "provisional_deadlines", 0) > 0)
				tn_buf_adds(out, "*");
			tn_buf_adds(out, "</td>");
			free(cell);
		}
		tn_buf_adds(out, "</tr>\n");
		jv_free(row);
	}
	tn_buf_adds(out, "</table>\n");
	jv_free(rows);
}

void tn_report_html_in(struct tn_buf *out, jv report, enum tn_report_lang lang)
{
	enum tn_report_kind kind = tn_report_kind_of(report);
	const char *what = kind == TN_REPORT_ALERTS ? page_words[lang].alerts :
			   kind == TN_REPORT_TASKS ? page_words[lang].tasks : page_words[lang].cases;
	char from[64], to[64], by[64], dept[128], asof[64];
	struct tn_buf note = TN_BUF_INIT;
	const char *dname = tn_jv_str(report, "department_name");

	member_text(report, "from", "?", from, sizeof(from));
	member_text(report, "to", "?", to, sizeof(to));
	member_text(report, "by", "?", by, sizeof(by));
	member_text(report, "department", "", dept, sizeof(dept));
	member_text(report, "as_of", "", asof, sizeof(asof));
	tn_buf_addf(out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\"/>\n"
		    "<title>", page_words[lang].lang);
	tn_buf_adds(out, what);
	tn_buf_adds(out, " ");
	tn_xml_escape(out, from);
	tn_buf_adds(out, page_words[lang].to);
	tn_xml_escape(out, to);
	tn_buf_adds(out, "</title>\n<style>\n"
		    "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
		    "table{border-collapse:collapse;margin:1em 0}\n"
		    "th,td{border:1px solid #bbb;padding:3px 8px}\n"
		    "th{background:#eef2f7;text-align:left}\n"
		    "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
		    "tr.total td{font-weight:bold;background:#f6f6f6}\n"
		    "p.note{color:#666;font-size:small;margin:0.2em 0}\n"
		    "</style>\n</head>\n<body>\n<h1>");
	tn_buf_adds(out, what);
	tn_buf_addf(out, "</h1>\n<p>%s", page_words[lang].period);
	tn_xml_escape(out, from);
	tn_buf_adds(out, page_words[lang].to);
	tn_xml_escape(out, to);
	tn_buf_adds(out, page_words[lang].by);
	tn_xml_escape(out, lang == TN_REPORT_ZH ? tn_report_heading("group", kind, by, lang, 1) :
		      by);
	if (*dept) {
		tn_buf_adds(out, page_words[lang].dept);
		tn_xml_escape(out, dname && lang == TN_REPORT_ZH ? dname : dept);
		if (dname && lang == TN_REPORT_EN) {
			tn_buf_adds(out, " (");
			tn_xml_escape(out, dname);
			tn_buf_adds(out, ")");
		}
	}
	if (*asof) {
		tn_buf_adds(out, page_words[lang].asof);
		tn_xml_escape(out, asof);
	}
	tn_buf_adds(out, lang == TN_REPORT_ZH ? "。</p>\n" : ".</p>\n");
	html_table(out, report, lang);
	tn_buf_adds(out, "<div class=\"chart\">\n");
	tn_report_svg_in(out, report, 0, lang);
	tn_buf_adds(out, "</div>\n");
	tn_report_footnotes(&note, report, lang);
	for (const char *p = note.buf; *p; ) {  /* a paragraph a footnote */
		size_t len = strcspn(p, "\n");
		char *line = tn_xstrndup(p, len);

		tn_buf_adds(out, "<p class=\"note\">");
		tn_xml_escape(out, line);
		tn_buf_adds(out, "</p>\n");
		free(line);
		p += len + (p[len] == '\n');
	}
	tn_buf_reset(&note);
	if (tn_report_provisional_note_in(&note, report, lang) > 0) {
		tn_buf_adds(out, "<p class=\"provisional\" style=\"color:#8a5a00;font-size:small\">");
		tn_xml_escape(out, note.buf);
		tn_buf_adds(out, lang == TN_REPORT_ZH ? "。</p>\n" : ".</p>\n");
	}
	tn_buf_release(&note);
	tn_buf_adds(out, "</body>\n</html>\n");
}

/* ---- files ---- */

enum tn_code tn_report_write_file(const char *path, const char *data, size_t len,
				  struct tn_err *err)
{
	struct tn_buf tmp = TN_BUF_INIT;
	size_t off = 0;
	mode_t mask;
	int fd;

	if (strcmp(path, "-") == 0) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
			return tn_err_set(err, TN_EIO, "cannot write to stdout: %s", strerror(errno));
		return TN_OK;
	}
	tn_buf_addf(&tmp, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp.buf);
	if (fd < 0) {
		tn_err_set(err, TN_EIO, "cannot write '%s': %s", path, strerror(errno));
		tn_buf_release(&tmp);
		return TN_EIO;
	}
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0644 & ~mask);
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off < len || fsync(fd) != 0 || close(fd) != 0 || rename(tmp.buf, path) != 0) {
		int e = errno;

		if (off < len)
			close(fd);
		unlink(tmp.buf);
		tn_buf_release(&tmp);
		return tn_err_set(err, TN_EIO, "cannot write '%s': %s", path, strerror(e));
	}
	tn_buf_release(&tmp);
	return TN_OK;
}

/* ---- the run lock ---- */

void tn_report_lock_path(struct tn_buf *path, const char *name)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (run && *run == '/' && stat(run, &st) == 0 && S_ISDIR(st.st_mode))
		tn_buf_addf(path, "%s/twonet-%s.lock", run, name);
	else
		tn_buf_addf(path, "/tmp/twonet-%s-%ld.lock", name, (long)getuid());
}

enum tn_code tn_report_lock(const char *name, int wait, int *fd, struct tn_err *err)
{
	struct tn_buf path = TN_BUF_INIT;
	struct stat st;
	enum tn_code rc = TN_OK;
	int l;

	*fd = -1;
	tn_report_lock_path(&path, name);
	l = open(path.buf, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (l < 0) {
		rc = tn_err_set(err, TN_EIO, "cannot open lock '%s': %s", path.buf, strerror(errno));
		goto out;
	}
	if (fstat(l, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != getuid()) {
		close(l);
		rc = tn_err_set(err, TN_EIO, "lock '%s' is not a file of this user", path.buf);
		goto out;
	}
	for (;;) {
		struct timespec ts = { 0, LOCK_POLL_MS * 1000000L };

		if (flock(l, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			rc = tn_err_set(err, TN_EIO, "cannot lock '%s': %s", path.buf, strerror(errno));
			close(l);
			goto out;
		}
		if (!wait) {
			rc = tn_err_set(err, TN_ECONFLICT, "another %s is running (lock '%s')", name,
					path.buf);
			close(l);
			goto out;
		}
		if (tn_cli_interrupted()) {
			rc = tn_err_set(err, TN_EINTR, "interrupted while waiting for lock '%s'",
					path.buf);
			close(l);
			goto out;
		}
		nanosleep(&ts, NULL);
	}
	*fd = l;
out:
	tn_buf_release(&path);
	return rc;
}

void tn_report_unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}
