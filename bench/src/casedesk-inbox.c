/* casedesk-inbox.c — bench/casedesk-inbox N: casedesk's inbox in process, N synthetic cases as the server sends them, parsed, painted, filtered; prints the timings. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "casedesk.h"
#include "display.h"
#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_json.h"

#define PAGE 1000

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* One page of the list as the server would send it: {"items":[CASE...],"next":..}. */
static void make_page(struct tn_buf *b, long first, long n, long total, long today)
{
	static const char *const sur[] = { "王", "李", "张", "刘", "陈", "欧阳", "司马", "诸葛", "杨", "黄" };
	static const char *const giv[] = { "芳", "伟", "秀英", "建华", "娜", "明", "小龙", "桂英", "静", "一" };
	static const char *const items[][2] = {
		{ "310000-YB-001", "医疗费用报销" }, { "310000-YB-003", "职工退休申请" },
		{ "310101-SCJG-001", "食品经营许可" }, { "310000-GA-002", "出生登记" },
		{ "310000-MZ-004", "死亡登记" }, { "310000-SW-001", "企业纳税申报" },
	};
	static const char *const st[] = { "submitted", "accepted", "returned", "resubmitted",
					  "approved", "rejected", "completed" };

	tn_buf_adds(b, "{\"items\":[");
	for (long i = first; i < first + n; i++) {
		char dl[11], sub[11];
		long d = today - 30 + i * 60 / total;   /* the server sends them by deadline */

		tn_date_format(d, dl);
		tn_date_format(d - 14, sub);
		if (i > first)
			tn_buf_addch(b, ',');
		tn_buf_addf(b, "{\"id\":\"C%08ld\",\"item\":\"%s\",\"item_name\":\"%s\",\"department\":\"YBJ\","
			    "\"workflow\":null,\"parent\":null,"
			    "\"applicant\":{\"type\":\"person\",\"id\":\"11010119900307%04ld\",\"name\":\"%s%s\",\"phone\":\"139%08ld\"},"
			    "\"form\":{\"applicant_name\":\"%s%s\",\"hospital\":\"瑞金医院\",\"expense_amount\":%ld},"
			    "\"materials\":[{\"code\":\"M-ID\",\"name\":\"居民身份证\",\"state\":\"supplied\",\"ref\":null,\"cert\":null}],"
			    "\"status\":\"%s\",\"version\":%ld,\"submitted_at\":\"%sT10:00:00+08:00\","
			    "\"updated_at\":\"%sT10:00:00+08:00\",\"accepted_at\":null,\"completed_at\":null,"
			    "\"deadline\":\"%s\",\"legal_deadline\":\"%s\",\"overdue\":false,\"submitted_by\":\"bench\"}",
			    i + 1, items[i % 6][0], items[i % 6][1], i % 10000,
			    sur[i % 10], giv[(i / 10) % 10], i, sur[i % 10], giv[(i / 10) % 10], 100 + i % 900,
			    st[(i / 3) % 7], 1 + i % 4, sub, sub, dl, dl);
	}
	tn_buf_addf(b, "],\"next\":%s}", first + n < LONG_MAX ? "\"x\"" : "null");
}

static void frame(void)
{
	int h, w;

	disp_size(&h, &w);
	inbox_view.draw(h, w);
	disp_flush();
}

static long rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/*
 * Load n cases into the inbox sorted by `sort`, a page at a time as they
 * arrive, as inbox.c does (the next cursor read from the page's end, then
 * the rows merged into the sorted, filtered rows); as_jv: read each page with
 * tn_json_parse and rows_add_page instead of the scanner.  Returns the ms
 * spent reading and merging; *first: the first page read and painted.
 */
static double load(long n, enum sortkey sort, int as_jv, double *first, size_t *bytes)
{
	long npages = (n + PAGE - 1) / PAGE;
	double spent = 0;
	struct tn_buf page = TN_BUF_INIT;

	rows_clear(&inbox_rows);
	inbox_rows.sort = sort;
	for (long p = 0; p < npages; p++) {
		long k = n - p * PAGE < PAGE ? n - p * PAGE : PAGE;
		char *next = NULL;

		tn_buf_reset(&page);
		make_page(&page, p * PAGE, k, n, app.today);
		if (bytes)
			*bytes += page.len;
		double a = now_us();
		if (rows_scan_peek_next(page.buf, page.len, &next) != 1 || !next) {
			fprintf(stderr, "casedesk-inbox: error: page %ld has no next cursor at its end\n", p);
			exit(1);
		}
		free(next);
		next = NULL;
		if (as_jv) {
			jv v = tn_json_parse(page.buf, page.len);
			jv items = jv_object_get(v, jv_string("items"));
			rows_add_page(&inbox_rows, items);      /* borrowed */
			jv_free(items);
		} else if (rows_scan_page(&inbox_rows, page.buf, page.len, &next) != 0) {
			fprintf(stderr, "casedesk-inbox: error: page %ld does not scan\n", p);
			exit(1);
		}
		free(next);
		spent += (now_us() - a) / 1000;
		if (p == 0 && first) {
			frame();
			*first = (now_us() - a) / 1000;
		}
	}
	tn_buf_release(&page);
	return spent;
}

static int bench_inbox(long n)
{
	long npages = (n + PAGE - 1) / PAGE;
	double t_first_page = 0, t_parse, t_other, t_jv, t_sort, t_paint;
	double worst = 0, total = 0;
	long rss_before;
	size_t bytes = 0;
	static const char *const typing[] = {
		"王", "王芳", "2026", "2026-0", "C0001", "C00012", "C000123", "returned", "医疗", "x", NULL
	};
	int keys = 0;
	struct tn_buf each = TN_BUF_INIT;

	app.today = tn_date_today();
	app.due_limit = app.today + 2;
	if (tn_cal_load(&app.cal, NULL, NULL) == TN_OK) {
		long due;
		if (tn_cal_add_workdays(app.cal, app.today, 2, &due, NULL, NULL) == TN_OK)
			app.due_limit = due;
	} else {
		app.cal = NULL;
	}
	rss_before = rss_kb();
	rows_init(&inbox_rows);
	if (disp_init_virtual(30, 100) != 0) {
		fprintf(stderr, "casedesk-inbox: error: cannot start a virtual screen\n");
		return 1;
	}
	/* pages are made one at a time, just before they "arrive", outside the timings */
	t_other = load(n, SORT_APPLICANT, 0, NULL, NULL);
	t_parse = load(n, SORT_DEADLINE, 0, &t_first_page, &bytes);
	{
		double a = now_us();
		frame();
		t_paint = (now_us() - a) / 1000;
		a = now_us();
		inbox_rows.sort = SORT_APPLICANT;
		rows_sort(&inbox_rows);
		frame();
		t_sort = (now_us() - a) / 1000;
		inbox_rows.sort = SORT_DEADLINE;
		rows_sort(&inbox_rows);
	}

	for (int i = 0; typing[i]; i++) {
		double a = now_us();
		rows_filter(&inbox_rows, typing[i]);
		frame();
		double d = (now_us() - a) / 1000;
		total += d;
		if (d > worst)
			worst = d;
		keys++;
		tn_buf_addf(&each, "%s\"%s\" %.1f (%zu rows)", each.len ? ", " : "", typing[i], d,
			    inbox_rows.nvis);
	}
	{
		/* backspace back to nothing: the filter is rebuilt from every row */
		double a = now_us();
		rows_filter(&inbox_rows, NULL);
		frame();
		double d = (now_us() - a) / 1000;
		total += d;
		if (d > worst)
			worst = d;
		keys++;
		tn_buf_addf(&each, ", cleared %.1f (%zu rows)", d, inbox_rows.nvis);
	}
	double store_mb = (double)(inbox_rows.alloc * (sizeof(struct row) + 2 * sizeof(uint32_t)) +
				   inbox_rows.aalloc) / 1e6;
	double strings_mb = (double)inbox_rows.alen / 1e6;
	size_t nrows = inbox_rows.n;
	long rss = rss_kb();
	/* last, as its memory would count in the peak: ten pages read as jv, for comparison */
	long jn = n < 10 * PAGE ? n : 10 * PAGE;
	t_jv = load(jn, SORT_DEADLINE, 1, NULL, NULL) / (double)((jn + PAGE - 1) / PAGE);
	disp_end();

	rows_scan_release();
	printf("cases                       %ld (%ld pages of %d, %.1f MB of JSON)\n", n, npages, PAGE,
	       (double)bytes / 1e6);
	printf("first page read + painted   %.1f ms\n", t_first_page);
	printf("all pages read into rows    %.1f ms (%.2f ms a page, merged by deadline as they come)\n",
	       t_parse, t_parse / (double)npages);
	printf("  the same, sorted by name  %.1f ms (%.2f ms a page: each page merged into the sort)\n",
	       t_other, t_other / (double)npages);
	printf("paint after the last page   %.1f ms (no sort left to do)\n", t_paint);
	printf("all data to full paint      %.1f ms\n", t_parse + t_paint);
	printf(":sort applicant + redraw    %.1f ms\n", t_sort);
	printf("filter keystroke + redraw   %.2f ms mean, %.2f ms worst (%d keystrokes)\n",
	       total / keys, worst, keys);
	printf("  each keystroke, ms          %s\n", each.buf);
	tn_buf_release(&each);
	printf("a page read as jv instead   %.2f ms a page (tn_json_parse + rows_add_page; the scanner: %.2f)\n",
	       t_jv, t_parse / (double)npages);
	printf("rows store                  %.1f MB (%zu rows, %.1f MB strings)\n", store_mb, nrows,
	       strings_mb);
	printf("max RSS                     %.1f MB (%.1f MB before loading)\n", (double)rss / 1024,
	       (double)rss_before / 1024);
	rows_free(&inbox_rows);
	if (app.cal)
		tn_cal_free(app.cal);
	return 0;
}

int main(int argc, char **argv)
{
	char *end;
	long n = 100000;

	if (argc > 2 || (argc == 2 && (n = strtol(argv[1], &end, 10), *end || end == argv[1] || n < 1))) {
		fprintf(stderr, "usage: casedesk-inbox [N]\n");
		return 2;
	}
	return bench_inbox(n);
}
