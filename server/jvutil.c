/* jvutil.c — small helpers shared by twonetd's handlers: word lists, control characters, times, list replies (jv members: lib/tn_jv.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "twonetd.h"
#include "jvutil.h"

/* Kept for server/store_catalog.c only, until it reads members with tn_jv_str. */
int word_in(const char *list, const char *s)
{
	size_t n = strlen(s);

	while (*list) {
		const char *bar = strchr(list, '|');
		size_t len = bar ? (size_t)(bar - list) : strlen(list);

		if (len == n && strncmp(list, s, n) == 0)
			return 1;
		list += len + (bar ? 1 : 0);
	}
	return 0;
}

int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

void time_rfc3339(long long epoch, char *buf, size_t size)
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

void reply_list(struct req *q, jv items, const char *next)
{
	reply_json(q, 200, jv_object_set(jv_object_set(jv_object(), jv_string("items"), items),
					 jv_string("next"), next ? jv_string(next) : jv_null()));
}
