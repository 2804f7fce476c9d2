/* copy_tables.h — what 'twonetd copy' moves: every table, in dependency order, with its columns, the same on both backends. */
#ifndef TWONETD_COPY_TABLES_H
#define TWONETD_COPY_TABLES_H

/*
 * store_dump hands each row of `name` as a JSON array of its `cols` in this
 * order, every value as text (the database's own text of it: integers in
 * decimal, JSON documents byte for byte) or null; store_load takes the same
 * arrays back.  Tables come parents first (items before cases, cases before
 * events), so a load in this order never breaks a reference.
 *
 *  key        ORDER BY of a dump: the primary key
 *  identity   the column a PostgreSQL identity numbers (its sequence is set
 *             past the largest copied value after each batch); NULL: none
 *  singleton  a one-row table (id = 1) that a fresh database already holds:
 *             a load moves its second column (and the rest) forward when
 *             the copied value is greater, rather than inserting
 *  rowid      SQLite keeps this column as the table's rowid (consents.id)
 */
struct copy_table {
	const char *name;
	const char *cols;
	const char *key;
	const char *identity;
	int singleton;
	const char *rowid;
};

#define COPY_TABLES_N 22
extern const struct copy_table copy_tables[COPY_TABLES_N];

/* The entry of table `name`, NULL when copy does not know it. */
const struct copy_table *copy_table_find(const char *name);

/* How many columns `t` has. */
int copy_table_ncols(const struct copy_table *t);

/*
 * The SQL of a dump (SELECT cols FROM name ORDER BY key) and of a load's
 * insert (placeholders $1.. when `dollar`, else ?); `rowid_as` names the
 * column t->rowid is in this database (SQLite: "rowid"), NULL: its own name.
 * malloc'd.
 */
char *copy_table_select(const struct copy_table *t, const char *rowid_as);
char *copy_table_insert(const struct copy_table *t, int dollar, const char *rowid_as);

#endif
