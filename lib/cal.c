/* cal.c — dates as day numbers and the working-day calendar (holidays and 调休 working days). */
/*
 * The calendar file (share/twonet/calendar/cn.txt) is plain text, one fact a line:
 *
 *   # comment                  blank lines and '#' comments are ignored
 *   year 2025                  a year the file covers, completely; years are consecutive
 *   2025-01-01 off 元旦        a rest day (a weekday off, or a weekend day named for clarity)
 *   2025-01-26 work 春节       a working day (a weekend day made a working day, 调休)
 *
 * Days not listed follow the weekend rule: Monday to Friday work, Saturday and
 * Sunday rest.  Every dated line must fall in a year named by a "year" line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_cli.h"

enum { DAY_DEFAULT = 0, DAY_OFF = 1, DAY_WORK = 2 };

struct tn_cal {
	int first_year, last_year;
	long first_day;         /* first_year-01-01 */
	long ndays;             /* days covered */
	unsigned char *kind;    /* DAY_* per covered day */
};

/* Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static void civil_from_days(long z, long *y, unsigned *m, unsigned *d)
{
	long era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long)yoe + era * 400 + (*m <= 2);
}

static int days_in_month(long y, unsigned m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : dim[m - 1];
}

/* Parse "YYYY-MM-DD" (exactly) into a day number.  Returns 0, or -1 when not a real date. */
int tn_date_parse(const char *s, long *days)
{
	long y = 0;
	unsigned m, d;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	for (int i = 0; i < 4; i++)
		y = y * 10 + (s[i] - '0');
	m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	if (m < 1 || m > 12 || d < 1 || (int)d > days_in_month(y, m))
		return -1;
	*days = days_from_civil(y, m, d);
	return 0;
}

/* Write YYYY-MM-DD into buf (11 bytes at least).  Cannot fail. */
void tn_date_format(long days, char *buf)
{
	long y;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(buf, 11, "%04ld-%02u-%02u", y % 10000, m % 100, d % 100);
}

/* Today's day number in the local time zone. */
long tn_date_today(void)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!localtime_r(&now, &tm))
		return (long)(now / 86400);
	return days_from_civil(tm.tm_year + 1900L, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
}

/* 0 = Monday ... 6 = Sunday; 1970-01-01 was a Thursday. */
int tn_date_weekday(long days)
{
	return (int)(((days % 7) + 7 + 3) % 7);
}

static long year_of(long day)
{
	long y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	return y;
}

/* Parse one line into the calendar under construction.  Returns 0 or -1 with msg set. */
static int parse_line(char *line, int *years, int *nyears, struct tn_buf *dated,
		      char *msg, size_t msgsz)
{
	char *p = line, *word, *kind, *end;
	long v, day;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	word = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if (!strcmp(word, "year")) {
		end = p;
		while (*end && *end != ' ' && *end != '\t' && *end != '#')
			end++;
		*end = '\0';
		if (tn_parse_long(p, &v) < 0 || v < 1900 || v > 9999) {
			snprintf(msg, msgsz, "year '%s' is not valid", p);
			return -1;
		}
		if (*nyears >= 64) {
			snprintf(msg, msgsz, "too many years");
			return -1;
		}
		years[(*nyears)++] = (int)v;
		return 0;
	}
	if (tn_date_parse(word, &day) < 0) {
		snprintf(msg, msgsz, "'%s' is neither a date (YYYY-MM-DD) nor 'year'", word);
		return -1;
	}
	kind = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p = '\0';
	if (strcmp(kind, "off") && strcmp(kind, "work")) {
		snprintf(msg, msgsz, "day kind '%s' is neither 'off' nor 'work'", kind);
		return -1;
	}
	{
		long rec[2] = { day, kind[0] == 'o' ? DAY_OFF : DAY_WORK };
		tn_buf_add(dated, rec, sizeof(rec));
	}
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

enum tn_code tn_cal_load(struct tn_cal **calp, const char *path, struct tn_err *err)
{
	struct tn_buf fpath = TN_BUF_INIT, dated = TN_BUF_INIT;
	struct tn_cal *cal = NULL;
	char *line = NULL, msg[256], *nl;
	size_t cap = 0;
	long lineno = 0, *recs, nrecs, *linenos = NULL, nlines = 0;
	int years[64], nyears = 0;
	enum tn_code rc = TN_OK;
	FILE *fp;

	*calp = NULL;
	if (!path) {
		tn_buf_addf(&fpath, "%s/calendar/cn.txt", tn_sharedir());
		path = fpath.buf;
	}
	fp = fopen(path, "r");
	if (!fp) {
		rc = tn_err_set(err, TN_EINVALID, "cannot read calendar '%s': %s", path, strerror(errno));
		goto out;
	}
	while (getline(&line, &cap, fp) >= 0) {
		size_t before = dated.len;

		lineno++;
		if ((nl = strchr(line, '\n')))
			*nl = '\0';
		if ((nl = strchr(line, '\r')))
			*nl = '\0';
		if (parse_line(line, years, &nyears, &dated, msg, sizeof(msg)) < 0) {
			rc = tn_err_set(err, TN_EINVALID, "%s:%ld: %s", path, lineno, msg);
			goto out;
		}
		if (dated.len != before) {
			linenos = tn_xrealloc(linenos, sizeof(*linenos) * (size_t)(nlines + 1));
			linenos[nlines++] = lineno;
		}
	}
	if (ferror(fp)) {
		rc = tn_err_set(err, TN_EIO, "cannot read calendar '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!nyears) {
		rc = tn_err_set(err, TN_EINVALID, "calendar '%s' names no year", path);
		goto out;
	}
	qsort(years, (size_t)nyears, sizeof(years[0]), cmp_int);
	for (int i = 1; i < nyears; i++)
		if (years[i] != years[i - 1] + 1) {
			rc = tn_err_set(err, TN_EINVALID,
					"calendar '%s': years must be consecutive and named once (%d, %d)",
					path, years[i - 1], years[i]);
			goto out;
		}

	cal = tn_xcalloc(1, sizeof(*cal));
	cal->first_year = years[0];
	cal->last_year = years[nyears - 1];
	cal->first_day = days_from_civil(cal->first_year, 1, 1);
	cal->ndays = days_from_civil(cal->last_year + 1L, 1, 1) - cal->first_day;
	cal->kind = tn_xcalloc((size_t)cal->ndays, 1);
	recs = (long *)(void *)dated.buf;
	nrecs = (long)(dated.len / (2 * sizeof(long)));
	for (long i = 0; i < nrecs; i++) {
		long day = recs[2 * i], idx = day - cal->first_day;
		char d[11];

		if (idx < 0 || idx >= cal->ndays) {
			tn_date_format(day, d);
			rc = tn_err_set(err, TN_EINVALID, "%s:%ld: %s is not in a year the file names",
					path, linenos[i], d);
			goto out;
		}
		if (cal->kind[idx] && cal->kind[idx] != recs[2 * i + 1]) {
			tn_date_format(day, d);
			rc = tn_err_set(err, TN_EINVALID, "%s:%ld: %s is listed as both off and work",
					path, linenos[i], d);
			goto out;
		}
		cal->kind[idx] = (unsigned char)recs[2 * i + 1];
	}
	*calp = cal;
	cal = NULL;
out:
	if (fp)
		fclose(fp);
	free(line);
	free(linenos);
	tn_cal_free(cal);
	tn_buf_release(&dated);
	tn_buf_release(&fpath);
	return rc;
}

/* Free a calendar; NULL is fine. */
void tn_cal_free(struct tn_cal *cal)
{
	if (!cal)
		return;
	free(cal->kind);
	free(cal);
}

void tn_cal_range(const struct tn_cal *cal, int *first_year, int *last_year)
{
	if (first_year)
		*first_year = cal->first_year;
	if (last_year)
		*last_year = cal->last_year;
}

static enum tn_code out_of_range(const struct tn_cal *cal, long day, struct tn_err *err)
{
	char d[11];

	tn_date_format(day, d);
	if (year_of(day) < 1000 || year_of(day) > 9999)
		snprintf(d, sizeof(d), "that date");
	return tn_err_set(err, TN_EINVALID, "calendar covers %d-%d only; %s is %s it",
			  cal->first_year, cal->last_year, d,
			  day < cal->first_day ? "before" : "past");
}

int tn_cal_is_workday(const struct tn_cal *cal, long day, struct tn_err *err)
{
	long idx = day - cal->first_day;

	if (idx < 0 || idx >= cal->ndays) {
		out_of_range(cal, day, err);
		return -1;
	}
	if (cal->kind[idx] == DAY_OFF)
		return 0;
	if (cal->kind[idx] == DAY_WORK)
		return 1;
	return tn_date_weekday(day) < 5;
}

enum tn_code tn_cal_add_workdays(const struct tn_cal *cal, long start, long n, long *result,
				 struct tn_err *err)
{
	long day = start;
	int w;

	if (n < 0)
		return tn_err_set(err, TN_EINVALID, "working day count %ld is negative", n);
	if (start - cal->first_day < 0 || start - cal->first_day >= cal->ndays)
		return out_of_range(cal, start, err);
	while (n > 0) {
		day++;
		if ((w = tn_cal_is_workday(cal, day, err)) < 0)
			return TN_EINVALID;
		n -= w;
	}
	*result = day;
	return TN_OK;
}

enum tn_code tn_cal_workdays_between(const struct tn_cal *cal, long from, long to, long *result,
				     struct tn_err *err)
{
	long lo = from < to ? from : to, hi = from < to ? to : from, count = 0;
	int w;

	if (lo - cal->first_day < 0 || lo - cal->first_day >= cal->ndays)
		return out_of_range(cal, lo, err);
	if (hi - cal->first_day < 0 || hi - cal->first_day >= cal->ndays)
		return out_of_range(cal, hi, err);
	for (long day = lo + 1; day <= hi; day++) {
		if ((w = tn_cal_is_workday(cal, day, err)) < 0)
			return TN_EINVALID;
		count += w;
	}
	*result = from <= to ? count : -count;
	return TN_OK;
}
