/* query_list.c — a list filter of a query (a=x,y,z): split, checked against the words known, released; for the lists of tasks and assets. */
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "jvutil.h"
#include "twonetd.h"

int query_list(const char *s, char **list, int max)
{
	int n = 0;

	list[0] = NULL;
	while (s && *s) {
		size_t len = strcspn(s, ",");

		if (len) {
			if (n == max)
				return -1;
			list[n++] = tn_xstrndup(s, len);
			list[n] = NULL;
		}
		s += len + (s[len] == ',');
	}
	return 0;
}

void query_list_free(char **list)
{
	for (int i = 0; list[i]; i++)
		free(list[i]);
	list[0] = NULL;
}

int query_list_check(struct req *q, const char *field, char **list, const char *known)
{
	for (int i = 0; list[i]; i++)
		if (!word_in(known, list[i])) {
			reply_problem(q, 400, field, "%s: '%s' is not one of %s", field, list[i], known);
			return -1;
		}
	return 0;
}
