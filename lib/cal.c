/* cal.c — dates as day numbers and the working-day calendar (holidays and 调休 working days). */
/*
 * A calendar covers a span of whole years, first_year..last_year; each year of
 * the span is known (a State Council notice was loaded for it) or not.  A day
 * is DAY_DEFAULT (the weekend rule), DAY_OFF or DAY_WORK, with the name of its
 * holiday when listed.  Days outside the span or in an unknown year follow the
 * weekend rule and make every count through them provisional.  The file
 * formats are read in calfile.c.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tn_buf.h"
#include "tn_cal.h"

enum { DAY_DEFAULT = 0, DAY_OFF = 1, DAY_WORK = 2 };

struct tn_cal {
	int first_year, last_year;      /* the span; 0, 0 when empty */
	long first_day;                 /* first_year-01-01 */
	long ndays;                     /* days in the span */
	unsigned char *kind;            /* DAY_* per day of the span */
	char **name;                    /* the holiday's name per listed day, else NULL */
	unsigned char *known;           /* per year of the span */
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

int tn_date_year(long days)
{
	long y;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	return (int)y;
}

struct tn_cal *tn_cal_new(void)
{
	return tn_xcalloc(1, sizeof(struct tn_cal));
}

void tn_cal_free(struct tn_cal *cal)
{
	if (!cal)
		return;
	for (long i = 0; i < cal->ndays; i++)
		free(cal->name[i]);
	free(cal->name);
	free(cal->kind);
	free(cal->known);
	free(cal);
}

/* Widen the span to hold `year`, keeping what is there.  Cannot fail. */
static void span_cover(struct tn_cal *cal, int year)
{
	int fy, ly;
	long first, n, shift;
	unsigned char *kind, *known;
	char **name;

	if (cal->ndays && year >= cal->first_year && year <= cal->last_year)
		return;
	fy = cal->ndays && cal->first_year < year ? cal->first_year : year;
	ly = cal->ndays && cal->last_year > year ? cal->last_year : year;
	first = days_from_civil(fy, 1, 1);
	n = days_from_civil(ly + 1L, 1, 1) - first;
	kind = tn_xcalloc((size_t)n, 1);
	name = tn_xcalloc((size_t)n, sizeof(*name));
	known = tn_xcalloc((size_t)(ly - fy + 1), 1);
	if (cal->ndays) {
		shift = cal->first_day - first;
		memcpy(kind + shift, cal->kind, (size_t)cal->ndays);
		memcpy(name + shift, cal->name, sizeof(*name) * (size_t)cal->ndays);
		memcpy(known + (cal->first_year - fy), cal->known,
		       (size_t)(cal->last_year - cal->first_year + 1));
	}
	free(cal->kind);
	free(cal->name);
	free(cal->known);
	cal->kind = kind;
	cal->name = name;
	cal->known = known;
	cal->first_year = fy;
	cal->last_year = ly;
	cal->first_day = first;
	cal->ndays = n;
}

enum tn_code tn_cal_add_year(struct tn_cal *cal, int year, struct tn_err *err)
{
	if (year < 1900 || year > 9999)
		return tn_err_set(err, TN_EINVALID, "year %d is out of range (1900-9999)", year);
	span_cover(cal, year);
	cal->known[year - cal->first_year] = 1;
	return TN_OK;
}

int tn_cal_year_known(const struct tn_cal *cal, int year)
{
	return cal && cal->ndays && year >= cal->first_year && year <= cal->last_year &&
	       cal->known[year - cal->first_year];
}

enum tn_code tn_cal_set_day(struct tn_cal *cal, long day, int work, const char *name,
			    struct tn_err *err)
{
	char d[11];
	long idx;

	if (!tn_cal_year_known(cal, tn_date_year(day))) {
		tn_date_format(day, d);
		return tn_err_set(err, TN_EINVALID, "%s is not in a year the calendar names", d);
	}
	idx = day - cal->first_day;
	cal->kind[idx] = work ? DAY_WORK : DAY_OFF;
	free(cal->name[idx]);
	cal->name[idx] = tn_xstrdup(name ? name : "");
	return TN_OK;
}

void tn_cal_merge(struct tn_cal *dst, const struct tn_cal *src)
{
	for (int y = src->first_year; src->ndays && y <= src->last_year; y++) {
		long a, b;

		if (!src->known[y - src->first_year])
			continue;
		tn_cal_add_year(dst, y, NULL);
		a = days_from_civil(y, 1, 1);
		b = days_from_civil(y + 1L, 1, 1);
		for (long d = a; d < b; d++) {
			long si = d - src->first_day, di = d - dst->first_day;

			dst->kind[di] = src->kind[si];
			free(dst->name[di]);
			dst->name[di] = src->name[si] ? tn_xstrdup(src->name[si]) : NULL;
		}
	}
}

int tn_cal_years(const struct tn_cal *cal, int *years, int max)
{
	int n = 0;

	for (int y = cal->first_year; cal->ndays && y <= cal->last_year; y++)
		if (cal->known[y - cal->first_year]) {
			if (n < max)
				years[n] = y;
			n++;
		}
	return n;
}

int tn_cal_next_day(const struct tn_cal *cal, long *day, int *work, const char **name)
{
	long i = *day == LONG_MIN || *day < cal->first_day ? 0 : *day - cal->first_day + 1;

	for (; i < cal->ndays; i++)
		if (cal->kind[i] != DAY_DEFAULT) {
			*day = cal->first_day + i;
			*work = cal->kind[i] == DAY_WORK;
			*name = cal->name[i] ? cal->name[i] : "";
			return 1;
		}
	return 0;
}

void tn_cal_range(const struct tn_cal *cal, int *first_year, int *last_year)
{
	int f = 0, l = 0;

	for (int y = cal->first_year; cal->ndays && y <= cal->last_year; y++)
		if (cal->known[y - cal->first_year]) {
			if (!f)
				f = y;
			l = y;
		}
	if (first_year)
		*first_year = f;
	if (last_year)
		*last_year = l;
}

long tn_cal_known_through(const struct tn_cal *cal, long day)
{
	int y = tn_date_year(day);

	if (!tn_cal_year_known(cal, y))
		return -1;
	while (tn_cal_year_known(cal, y + 1))
		y++;
	return days_from_civil(y + 1L, 1, 1) - 1;
}

int tn_cal_is_workday(const struct tn_cal *cal, long day, int *provisional)
{
	long idx = cal ? day - cal->first_day : -1;

	if (!cal || idx < 0 || idx >= cal->ndays ||
	    !cal->known[tn_date_year(day) - cal->first_year]) {
		if (provisional)
			*provisional = 1;
		return tn_date_weekday(day) < 5;
	}
	if (cal->kind[idx] == DAY_OFF)
		return 0;
	if (cal->kind[idx] == DAY_WORK)
		return 1;
	return tn_date_weekday(day) < 5;
}

enum tn_code tn_cal_add_workdays(const struct tn_cal *cal, long start, long n, long *result,
				 int *provisional, struct tn_err *err)
{
	long day = start;

	if (n < 0 || n > 100000)
		return tn_err_set(err, TN_EINVALID, "working day count %ld is out of range (0-100000)",
				  n);
	while (n > 0) {
		day++;
		n -= tn_cal_is_workday(cal, day, provisional);
	}
	*result = day;
	return TN_OK;
}

enum tn_code tn_cal_workdays_between(const struct tn_cal *cal, long from, long to, long *result,
				     int *provisional, struct tn_err *err)
{
	long lo = from < to ? from : to, hi = from < to ? to : from, count = 0;

	if (hi - lo > 200L * 366)
		return tn_err_set(err, TN_EINVALID, "a span of %ld days is too long to count", hi - lo);
	for (long day = lo + 1; day <= hi; day++)
		count += tn_cal_is_workday(cal, day, provisional);
	*result = from <= to ? count : -count;
	return TN_OK;
}

int tn_cal_year_equal(const struct tn_cal *a, const struct tn_cal *b, int year)
{
	long d0, d1;

	if (!tn_cal_year_known(a, year) || !tn_cal_year_known(b, year))
		return tn_cal_year_known(a, year) == tn_cal_year_known(b, year);
	d0 = days_from_civil(year, 1, 1);
	d1 = days_from_civil(year + 1L, 1, 1);
	for (long d = d0; d < d1; d++) {
		long ia = d - a->first_day, ib = d - b->first_day;
		const char *na = a->name[ia] ? a->name[ia] : "", *nb = b->name[ib] ? b->name[ib] : "";

		if (a->kind[ia] != b->kind[ib] || strcmp(na, nb) != 0)
			return 0;
	}
	return 1;
}
