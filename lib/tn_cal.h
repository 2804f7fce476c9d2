/* tn_cal.h — the working-day calendar: holidays and working weekend days (调休). */
#ifndef TN_CAL_H
#define TN_CAL_H

#include "tn_err.h"

struct tn_cal;

/*
 * A date as days since 1970-01-01 (proleptic Gregorian); simple to add to.
 * tn_date_parse takes "YYYY-MM-DD" and checks it is a real date.
 */
int tn_date_parse(const char *s, long *days);
/* Format into `buf` (at least 11 bytes) as YYYY-MM-DD. */
void tn_date_format(long days, char *buf);
/* Today in the local time zone. */
long tn_date_today(void);
/* 0 = Monday ... 6 = Sunday */
int tn_date_weekday(long days);

/*
 * Load a calendar file (share/twonet/calendar/cn.txt format, see tn_cal_load's
 * file comment): lines "YYYY-MM-DD off NAME" or "YYYY-MM-DD work NAME", and
 * "year YYYY" lines naming the years the file covers.  Errors name the file
 * and line (TN_EINVALID).  path NULL: the shipped calendar under tn_sharedir().
 */
enum tn_code tn_cal_load(struct tn_cal **cal, const char *path, struct tn_err *err);
void tn_cal_free(struct tn_cal *cal);

/* 1 when `day` is a working day.  A day outside the covered years: -1 (and err). */
int tn_cal_is_workday(const struct tn_cal *cal, long day, struct tn_err *err);

/*
 * The date `n` working days after `start` (n >= 0; day 1 is the first working
 * day after start).  A date past the last covered year is TN_EINVALID
 * ("calendar covers 2025-2026 only; 2027-01-04 is past it"), never a guess.
 */
enum tn_code tn_cal_add_workdays(const struct tn_cal *cal, long start, long n, long *result,
				 struct tn_err *err);

/* Working days in (from, to]: the count a deadline check uses.  Negative when to < from. */
enum tn_code tn_cal_workdays_between(const struct tn_cal *cal, long from, long to, long *result,
				     struct tn_err *err);

/* First and last covered year. */
void tn_cal_range(const struct tn_cal *cal, int *first_year, int *last_year);

#endif
