/* today.c — "today" for deadlines, reports and certificates, with the one test override. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tn_cal.h"
#include "tn_today.h"

long tn_today(void)
{
	const char *env = getenv(TN_TODAY_ENV);
	long d;

	if (env && *env && tn_date_parse(env, &d) == 0)
		return d;
	return tn_date_today();
}

enum tn_code tn_today_get(const char *given, long *day, struct tn_err *err)
{
	const char *env = getenv(TN_TODAY_ENV);

	if (given) {
		if (tn_date_parse(given, day) != 0)
			return tn_err_set(err, TN_EUSAGE, "invalid --today '%s' (YYYY-MM-DD)", given);
		return TN_OK;
	}
	if (env && *env) {
		if (tn_date_parse(env, day) != 0)
			return tn_err_set(err, TN_EUSAGE, "invalid %s '%s' (YYYY-MM-DD)", TN_TODAY_ENV, env);
		return TN_OK;
	}
	*day = tn_date_today();
	return TN_OK;
}

void tn_today_str(char *buf, size_t size)
{
	char day[16];

	tn_date_format(tn_today(), day);
	snprintf(buf, size, "%s", day);
}

void tn_today_china_str(char *buf, size_t size)
{
	time_t t = time(NULL) + 8 * 3600;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%d", &tm))
		snprintf(buf, size, "%s", "");
}
