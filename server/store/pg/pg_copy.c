/* pg_copy.c — 'twonetd copy' on PostgreSQL: a table's rows out through a cursor, and back in if absent. */
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "../copy_tables.h"
#include "pg_int.h"

/* Rows a FETCH brings at a time: memory stays flat however big the table. */
#define PG_COPY_FETCH 1000
#define PG_COPY_FETCH_S "1000"

static const struct copy_table *table_of(const char *table, struct tn_err *err)
{
	const struct copy_table *t = copy_table_find(table);

	if (!t)
		tn_err_set(err, TN_EINVALID, "copy does not know a table '%s'", table);
	return t;
}

enum tn_code pg_dump(struct store *st, const char *table, store_row_fn *fn, void *ctx,
		     struct tn_err *err)
{
	struct pg_store *p = PG(st);
	const struct copy_table *t = table_of(table, err);
	struct tn_buf b = TN_BUF_INIT;
	enum tn_code code;
	PGresult *r = NULL;
	char *sel;
	int rows;

	if (!t)
		return TN_EINVALID;
	if ((code = pg_begin_snapshot(p, err)) != TN_OK)
		return code;
	sel = copy_table_select(t, NULL);
	tn_buf_addf(&b, "DECLARE copy_dump NO SCROLL CURSOR FOR %s", sel);
	free(sel);
	code = pg_exec(p, err, table, b.buf);
	tn_buf_release(&b);
	do {
		if (code != TN_OK)
			break;
		code = pg_query_vals(p, &r, err, table, "FETCH " PG_COPY_FETCH_S " FROM copy_dump",
				     0, NULL);
		if (code != TN_OK)
			break;
		rows = PQntuples(r);
		for (int i = 0; i < rows && code == TN_OK; i++) {
			jv row = jv_array();

			for (int c = 0; c < PQnfields(r); c++)
				row = jv_array_append(row, pg_text(r, i, c));
			code = fn(ctx, row, err);
		}
		PQclear(r);
	} while (code == TN_OK && rows == PG_COPY_FETCH);
	/* read only: a rollback ends it as well as a commit */
	pg_rollback(p);
	p->tx = 0;
	return code;
}

enum tn_code pg_load(struct store *st, const char *table, jv rows, long *added,
		     struct tn_err *err)
{
	struct pg_store *p = PG(st);
	const struct copy_table *t = table_of(table, err);
	struct tn_buf b = TN_BUF_INIT;
	const char *vals[64];
	enum tn_code code;
	PGresult *r;
	char *sql;
	int n, len;

	*added = 0;
	if (!t)
		return TN_EINVALID;
	n = copy_table_ncols(t);
	if (n > 64)
		return tn_err_set(err, TN_EINTERNAL, "%s has more columns than copy takes", table);
	if ((code = pg_begin(p, err)) != TN_OK)
		return code;
	sql = copy_table_insert(t, 1, NULL);
	len = jv_array_length(jv_copy(rows));
	for (int i = 0; i < len && code == TN_OK; i++) {
		jv row = jv_array_get(jv_copy(rows), i), v[64];

		if (jv_get_kind(row) != JV_KIND_ARRAY || jv_array_length(jv_copy(row)) != n) {
			code = tn_err_set(err, TN_EINVALID, "a row of %s without its %d columns",
					  table, n);
			jv_free(row);
			break;
		}
		for (int c = 0; c < n; c++) {
			v[c] = jv_array_get(jv_copy(row), c);
			vals[c] = jv_get_kind(v[c]) == JV_KIND_STRING ? jv_string_value(v[c]) : NULL;
		}
		code = pg_query_vals(p, &r, err, table, sql, n, vals);
		if (code == TN_OK) {
			*added += strtol(PQcmdTuples(r), NULL, 10);
			PQclear(r);
		}
		for (int c = 0; c < n; c++)
			jv_free(v[c]);
		jv_free(row);
	}
	free(sql);
	if (code == TN_OK && t->identity) {
		/* the next id the database gives is past every copied one */
		tn_buf_addf(&b, "SELECT setval(pg_get_serial_sequence('%s', '%s'), "
			    "COALESCE(max(%s), 0) + 1, false) FROM %s", t->name, t->identity,
			    t->identity, t->name);
		code = pg_exec(p, err, table, b.buf);
		tn_buf_release(&b);
	}
	return pg_end(p, code, err);
}
