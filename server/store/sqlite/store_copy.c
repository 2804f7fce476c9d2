/* store_copy.c — 'twonetd copy' on SQLite: a table's rows out as JSON arrays of text, and back in if absent. */
#include <stdlib.h>

#include "../copy_tables.h"
#include "store_int.h"

/* The table of copy_tables.h called `table`, or NULL with err set. */
static const struct copy_table *table_of(const char *table, struct tn_err *err)
{
	const struct copy_table *t = copy_table_find(table);

	if (!t)
		tn_err_set(err, TN_EINVALID, "copy does not know a table '%s'", table);
	return t;
}

enum tn_code sqlite_dump(struct store *st, const char *table, store_row_fn *fn, void *ctx,
			 struct tn_err *err)
{
	const struct copy_table *t = table_of(table, err);
	sqlite3_stmt *s = NULL;
	enum tn_code code = TN_OK;
	char *sql;
	int rc, n;

	if (!t)
		return TN_EINVALID;
	/* its own statement, not the cache's: fn may use the store */
	sql = copy_table_select(t, "rowid");
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return store_fail(st, err, table);
	n = sqlite3_column_count(s);
	while (code == TN_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		jv row = jv_array();

		for (int i = 0; i < n; i++) {
			const char *v = (const char *)sqlite3_column_text(s, i);

			row = jv_array_append(row, v ? jv_string_sized(v, sqlite3_column_bytes(s, i))
						 : jv_null());
		}
		code = fn(ctx, row, err);
	}
	if (code == TN_OK && rc != SQLITE_DONE)
		code = store_fail(st, err, table);
	sqlite3_finalize(s);
	return code;
}

enum tn_code sqlite_load(struct store *st, const char *table, jv rows, long *added,
			 struct tn_err *err)
{
	const struct copy_table *t = table_of(table, err);
	enum tn_code code;
	sqlite3_stmt *s;
	char *sql;
	int n, len;

	*added = 0;
	if (!t)
		return TN_EINVALID;
	n = copy_table_ncols(t);
	if ((code = store_begin(st, err)) != TN_OK)
		return code;
	sql = copy_table_insert(t, 0, "rowid");
	len = jv_array_length(jv_copy(rows));
	for (int r = 0; r < len && code == TN_OK; r++) {
		jv row = jv_array_get(jv_copy(rows), r);

		if (jv_get_kind(row) != JV_KIND_ARRAY || jv_array_length(jv_copy(row)) != n) {
			code = tn_err_set(err, TN_EINVALID, "a row of %s without its %d columns",
					  table, n);
		} else if (!(s = store_stmt(st, sql, err))) {
			code = TN_EINTERNAL;
		} else {
			for (int i = 0; i < n; i++) {
				jv v = jv_array_get(jv_copy(row), i);

				if (jv_get_kind(v) == JV_KIND_STRING)
					sqlite3_bind_text(s, i + 1, jv_string_value(v),
							  jv_string_length_bytes(jv_copy(v)),
							  SQLITE_TRANSIENT);
				jv_free(v);
			}
			if ((code = store_run(st, s, err, table)) == TN_OK)
				*added += sqlite3_changes(st->db);
		}
		jv_free(row);
	}
	free(sql);
	return store_end(st, code, err);
}
