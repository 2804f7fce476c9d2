/* store_common.h — helpers every storage backend shares that touch no database: list cursors, task history entries. */
#ifndef TWONETD_STORE_COMMON_H
#define TWONETD_STORE_COMMON_H

#include <jv.h>

/*
 * The cursor of a list ordered by a numeric id: hex of "[TAG]D:ID", D 'a'
 * ascending or 'd' descending, TAG a letter naming the list (0: none, the
 * alert list's form).  make returns a malloc'd string; parse returns 0 and
 * sets *id, or -1 for a cursor of another list, order or form.
 */
char *store_id_cursor_make(char tag, int desc, long long id);
int store_id_cursor_parse(const char *cur, char tag, int desc, long long *id);

/*
 * One entry of a task's history from its event row: {seq, at, action, actor,
 * comment, status, version}, status and version read from the event's data
 * (the TASK as it was; consumed).  action, actor, comment consumed (jv_null()
 * when absent).
 */
jv store_task_event(long long seq, const char *at, jv action, jv actor, jv comment, jv data);

/* The array `a` (consumed) in reverse order. */
jv store_reversed(jv a);

#endif
