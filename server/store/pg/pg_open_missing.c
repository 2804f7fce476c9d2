/* pg_open_missing.c — a stand-in pg_open until the PostgreSQL backend lands (delete this file then). */
#include "store_ops.h"

/*
 * TEMPORARY: server/store/pg/ holds no backend yet.  Its author deletes this
 * file when pg_open and store_pg_ops are defined there.
 */
enum tn_code pg_open(struct store **st, const char *uri, int create, struct tn_err *err)
{
	*st = NULL;
	return tn_err_set(err, TN_EINVALID, "this twonetd was built without the PostgreSQL backend");
}
