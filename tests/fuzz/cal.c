/* cal.c — fuzz target: the working-day calendar file (text or holiday-cn JSON) through tn_cal_parse. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_cal.h"

#include "fuzz.h"

/*
 * The input is a calendar file (twonetd calendar import, TWONET_CALENDAR).
 * A calendar that parses is then held to what tn_cal.h promises: a listed
 * day is a working day exactly when it is listed as "work", never
 * provisional; counting n working days from a day and back gives n; a merged
 * copy knows the same years with the same days.
 */

#define MAX_YEARS 64
#define MAX_DAYS  48

FUZZ_SIMPLE_INIT

static void check(const struct tn_cal *cal)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_cal *copy;
	int years[MAX_YEARS], ny, first, last, work, prov;
	long day = LONG_MIN;
	const char *name;

	ny = tn_cal_years(cal, years, MAX_YEARS);
	tn_cal_range(cal, &first, &last);
	FUZZ_ASSERT(ny > 0, "a calendar that parses knows a year");
	FUZZ_ASSERT(first == years[0] && first <= last, "the range starts at the first year");
	for (int i = 0; i < MAX_DAYS && tn_cal_next_day(cal, &day, &work, &name); i++) {
		long res, back;

		prov = 0;
		FUZZ_ASSERT(tn_cal_is_workday(cal, day, &prov) == work, "a listed day is what it is listed as");
		FUZZ_ASSERT(!prov, "a listed day is in a known year");
		FUZZ_ASSERT(name && *name, "a listed day has a name");
		FUZZ_ASSERT(tn_cal_known_through(cal, day) >= day, "a listed day is known through itself");
		for (long n = 1; n <= 9; n += 8) {
			prov = 0;
			FUZZ_ASSERT(tn_cal_add_workdays(cal, day, n, &res, &prov, &err) == TN_OK,
				    "adding working days cannot fail");
			FUZZ_ASSERT(res > day && tn_cal_is_workday(cal, res, NULL) == 1,
				    "n working days after a day is a later working day");
			FUZZ_ASSERT(tn_cal_workdays_between(cal, day, res, &back, NULL, &err) == TN_OK &&
				    back == n, "the working days between a day and n working days after it are n");
		}
	}
	copy = tn_cal_new();
	tn_cal_merge(copy, cal);
	for (int i = 0; i < ny && i < MAX_YEARS; i++)
		FUZZ_ASSERT(tn_cal_year_equal(copy, cal, years[i]), "a merged copy holds the same year");
	tn_cal_free(copy);
}

int fuzz_one(const uint8_t *data, size_t size)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_cal *cal = NULL;

	if (tn_cal_parse(&cal, (const char *)data, size, "fuzz.txt", &err) != TN_OK) {
		FUZZ_ASSERT(cal == NULL, "a calendar that does not parse is NULL");
		FUZZ_ASSERT(err.code == TN_EINVALID, "a calendar that does not parse is TN_EINVALID");
		return 0;
	}
	check(cal);
	tn_cal_free(cal);
	return 0;
}
