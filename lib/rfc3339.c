/* rfc3339.c — times as twonet writes them: epoch seconds to RFC 3339 with the local offset, and back. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tn_alert.h"

void tn_time_rfc3339(long long epoch, char *buf, size_t size)
{
	time_t t = (time_t)epoch;
	struct tm tm;
	char off[8];
	size_t n;

	localtime_r(&t, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	if (strftime(off, sizeof(off), "%z", &tm) == 5)   /* +0800 -> +08:00 */
		snprintf(buf + n, size - n, "%.3s:%.2s", off, off + 3);
	else
		snprintf(buf + n, size - n, "Z");
}

int tn_time_parse(const char *s, long long *epoch)
{
	struct tm tm;
	const char *p;
	long off = 0;
	time_t t;

	if (!s || !tn_time_valid(s))
		return -1;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	p = s + 19;
	if (*p == '.' || *p == ',')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (*p == '+' || *p == '-') {
		int hh, mm;

		if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2)
			return -1;
		off = (hh * 60L + mm) * 60L * (*p == '-' ? -1 : 1);
	}
	t = timegm(&tm);
	*epoch = (long long)t - off;
	return 0;
}
