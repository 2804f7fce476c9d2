/* tn_cal.h — the working-day calendar: holidays and working weekend days (调休). */
#ifndef TN_CAL_H
#define TN_CAL_H

#include <stddef.h>

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
/* The year of a day number.  Cannot fail. */
int tn_date_year(long days);

/*
 * A calendar knows whole years: for a known year it holds every holiday and
 * every adjusted working day of the State Council's notice; the other days of
 * that year follow the weekend rule.  A day of a year it does not know is
 * counted by the weekend rule too (Monday to Friday work), and every function
 * that counted such a day says so through its `provisional` out-parameter
 * (set to 1, never cleared; NULL when the caller does not care).  Arithmetic
 * therefore never fails for want of a year: a deadline past the last known
 * year is a provisional date, never null.
 */

/*
 * Read a calendar file into a new calendar (*cal, the caller's, tn_cal_free).
 * Two formats, told apart by the first character that is not white space:
 *
 *   the project's text format (share/twonet/calendar/cn.txt):
 *     year YYYY                 a year the file covers completely
 *     YYYY-MM-DD off NAME       a rest day (weekend days inside a holiday may be listed)
 *     YYYY-MM-DD work NAME      a weekend day made a working day (调休)
 *     # comment, blank lines
 *   holiday-cn JSON ('{'): {"year": Y, "days": [{"name", "date", "isOffDay"}, ...]}
 *
 * Checked: every date real and inside a year the file declares, no day listed
 * twice, every day named, a "work" day on a weekend, at least one day listed
 * per year (an empty year is a notice not yet published).  Errors name the
 * file and line ("2027.json:14: 2027-02-30 is not a real date") as
 * TN_EINVALID, also when the file cannot be read (TN_EIO for a read error).  path NULL: the shipped
 * calendar under tn_sharedir().  On failure *cal is NULL.
 */
enum tn_code tn_cal_load(struct tn_cal **cal, const char *path, struct tn_err *err);
/* The same from memory; `name` is what error messages call it. */
enum tn_code tn_cal_parse(struct tn_cal **cal, const char *text, size_t len, const char *name,
			  struct tn_err *err);
/* Free a calendar; NULL is fine. */
void tn_cal_free(struct tn_cal *cal);

/* A new calendar that knows no year (the caller's, tn_cal_free).  Cannot fail. */
struct tn_cal *tn_cal_new(void);
/*
 * Make `year` known (1900..9999), with no listed day yet: its days follow the
 * weekend rule until tn_cal_set_day lists them.  A year already known keeps
 * its days.  TN_EINVALID for a year out of range; leaves cal unchanged then.
 */
enum tn_code tn_cal_add_year(struct tn_cal *cal, int year, struct tn_err *err);
/*
 * List `day` as a rest day (work 0) or a working day (work 1) named `name`
 * (borrowed, copied).  Its year must be known: TN_EINVALID otherwise.
 */
enum tn_code tn_cal_set_day(struct tn_cal *cal, long day, int work, const char *name,
			    struct tn_err *err);
/*
 * Copy every year `src` knows into `dst`, each replacing the same year of dst
 * whole (its listed days are those of src).  Cannot fail.
 */
void tn_cal_merge(struct tn_cal *dst, const struct tn_cal *src);

/* 1 when both know `year` with the same listed days and names, or neither knows it. */
int tn_cal_year_equal(const struct tn_cal *a, const struct tn_cal *b, int year);
/* 1 when `year` is known. */
int tn_cal_year_known(const struct tn_cal *cal, int year);
/* The years known, in order, into years[] (at most max); returns how many are known. */
int tn_cal_years(const struct tn_cal *cal, int *years, int max);
/*
 * The listed day after `*day` (pass LONG_MIN to start): 1 with *day, *work
 * and *name (borrowed from cal) set, or 0 when there is none.
 */
int tn_cal_next_day(const struct tn_cal *cal, long *day, int *work, const char **name);

/* 1 when `day` is a working day, 0 when not; an unknown year's day by the weekend rule, flagged. */
int tn_cal_is_workday(const struct tn_cal *cal, long day, int *provisional);

/*
 * The date `n` working days after `start` (0 <= n <= 100000; day 1 is the
 * first working day after start).  Counting through a day of an unknown year
 * sets *provisional.  TN_EINVALID only for n out of range.
 */
enum tn_code tn_cal_add_workdays(const struct tn_cal *cal, long start, long n, long *result,
				 int *provisional, struct tn_err *err);

/*
 * Working days in (from, to]: the count a deadline check uses; negative when
 * to < from.  Provisional as above.  TN_EINVALID when the span passes 200 years.
 */
enum tn_code tn_cal_workdays_between(const struct tn_cal *cal, long from, long to, long *result,
				     int *provisional, struct tn_err *err);

/*
 * First and last known year (0 and 0 when none).  Years between them may be
 * unknown when a calendar was built with gaps.
 */
void tn_cal_range(const struct tn_cal *cal, int *first_year, int *last_year);

/*
 * The last day of the run of known days that holds `day`: the day before the
 * first unknown year after it.  -1 when `day` itself is in an unknown year.
 */
long tn_cal_known_through(const struct tn_cal *cal, long day);

#endif
