/* jvutil.c — small helpers shared by twonetd's handlers: word lists, control characters, times, list replies (jv members: lib/tn_jv.h). */
#include <string.h>

#include "tn_alert.h"
#include "tn_text.h"
#include "twonetd.h"
#include "jvutil.h"

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
	size_t n = strlen(s);

	return tn_ctl_span(s, n, 0) < n;
}

void time_rfc3339(long long epoch, char *buf, size_t size)
{
	tn_time_rfc3339(epoch, buf, size);
}

void reply_list(struct req *q, jv items, const char *next)
{
	reply_json(q, 200, jv_object_set(jv_object_set(jv_object(), jv_string("items"), items),
					 jv_string("next"), next ? jv_string(next) : jv_null()));
}

long long if_match_version(const char *h)
{
	long long v = 0;
	size_t n;

	while (*h == ' ')
		h++;
	if (strncmp(h, "W/", 2) == 0)
		h += 2;
	n = strlen(h);
	while (n && h[n - 1] == ' ')
		n--;
	if (n >= 2 && h[0] == '"' && h[n - 1] == '"') {
		h++;
		n -= 2;
	}
	if (n == 0 || n > 16)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (h[i] < '0' || h[i] > '9')
			return -1;
		v = v * 10 + (h[i] - '0');
	}
	return v >= 1 && v < (1LL << 53) ? v : -1;
}
