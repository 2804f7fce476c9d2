/* pg_audit.c — the certificate audit log in PostgreSQL: its reads counted per day, kind and scenario. */
#include "pg_int.h"

/* The columns of a stats row: day, kind, scenario, reads, allowed. */
static jv stats_row(const PGresult *r, int i)
{
	jv o = jv_object();

	o = jv_object_set(o, jv_string("day"), pg_text(r, i, 0));
	o = jv_object_set(o, jv_string("kind"), pg_text(r, i, 1));
	o = jv_object_set(o, jv_string("scenario"), pg_text(r, i, 2));
	o = jv_object_set(o, jv_string("reads"), jv_number((double)pg_long(r, i, 3)));
	o = jv_object_set(o, jv_string("allowed"), jv_number((double)pg_long(r, i, 4)));
	return o;
}

enum tn_code pg_audit_stats(struct store *st, const char *since, const char *until, jv *items,
			    struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*items = jv_array();
	/*
	 * As SQLite's: the day is the Beijing date of "at" (always +08:00); the
	 * kind the 21 characters after "1.2.156.3005.2." of a well-formed id
	 * (null for a list or a malformed id, and first: SQLite sorts NULL
	 * first); the scenario the reader token's name, else the role.
	 */
	code = pg_query(PG(st), &r, err, "audit stats", "SELECT substr(at, 1, 10) AS day, "
			"CASE WHEN cert LIKE '1.2.156.3005.2.%' AND length(cert) > 36 "
			"THEN substr(cert, 16, 21) END AS kind, "
			"CASE WHEN role = 'reader' THEN actor ELSE role END AS scenario, "
			"count(*), count(*) FILTER (WHERE outcome = 'allowed') FROM audit "
			"WHERE ($1::text IS NULL OR substr(at, 1, 10) >= $1) "
			"AND ($2::text IS NULL OR substr(at, 1, 10) <= $2) "
			"GROUP BY 1, 2, 3 ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3 NULLS FIRST",
			"tt", since, until);
	if (code != TN_OK)
		return code;
	for (int i = 0; i < PQntuples(r); i++)
		*items = jv_array_append(*items, stats_row(r, i));
	PQclear(r);
	return TN_OK;
}
