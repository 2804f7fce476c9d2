/* pg_alerts_report.c — the alert report in PostgreSQL: SQLite's aggregate, in SQL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tn_buf.h"
#include "store_reports.h"
#include "pg_int.h"

/*
 * SQLite's statement (server/store/sqlite/store_reports.c,
 * sqlite_report_alerts) translated: sum(boolean) is count(*) FILTER (WHERE
 * ...), which skips rows whose condition is NULL as SQLite's sum does;
 * unixepoch(json_extract(doc, '$.x')) is the floor of the epoch of the
 * member cast to timestamptz; the date groupings are date arithmetic on the
 * local time (their text COLLATE "C").
 */

/* Field (row, col) as a borrowed string, NULL for SQL NULL. */
static const char *val(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}


/*
 * SQLite's alert report groups by the local day of twonetd's process
 * ('localtime': TZ, else /etc/localtime).  The same zone is named to
 * PostgreSQL ($4, AT TIME ZONE): TZ's value, or the zoneinfo name
 * /etc/localtime links to; failing both, UTC shifted by the process's
 * offset at the period's start ($5 seconds).
 */
static void local_zone(long long at, char *zone, size_t size, char *shift, size_t ssize)
{
	const char *tz = getenv("TZ"), *z;
	char link[512];
	ssize_t n;
	struct tm tm;
	time_t t = (time_t)at;

	snprintf(zone, size, "UTC");
	snprintf(shift, ssize, "0");
	if (tz && *tz == ':')
		tz++;
	if (tz && *tz && *tz != '/') {
		snprintf(zone, size, "%s", tz);
		return;
	}
	if (tz && *tz) {
		z = strstr(tz, "zoneinfo/");
		if (z) {
			snprintf(zone, size, "%s", z + 9);
			return;
		}
	} else if ((n = readlink("/etc/localtime", link, sizeof(link) - 1)) > 0) {
		link[n] = '\0';
		if ((z = strstr(link, "zoneinfo/"))) {
			snprintf(zone, size, "%s", z + 9);
			return;
		}
	}
	if (localtime_r(&t, &tm))
		snprintf(shift, ssize, "%ld", (long)tm.tm_gmtoff);
}

#define LOCAL "(to_timestamp(raised_at + $5::bigint) AT TIME ZONE $4::text)"

/* The SQL expression of each alert grouping (fixed text); *timed when it uses $4, $5. */
static const char *alert_group_expr(const char *by, int *timed)
{
	static const struct {
		const char *by, *expr;
	} groups[] = {
		{ "kind", "kind" },
		{ "severity", "severity" },
		{ "district", "district" },
		{ "day", "to_char(" LOCAL ", 'YYYY-MM-DD') COLLATE \"C\"" },
		{ "week", "to_char(" LOCAL "::date - (extract(isodow FROM " LOCAL ")::integer - 1), "
			  "'YYYY-MM-DD') COLLATE \"C\"" },
		{ "month", "to_char(" LOCAL ", 'YYYY-MM') COLLATE \"C\"" },
	};

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (by && strcmp(groups[i].by, by) == 0) {
			*timed = i >= 3;
			return groups[i].expr;
		}
	return NULL;
}

/* SQLite's report: $1 first second, $2 the second after the period, $3 now */
#define TARGET_SQL \
	"(CASE severity WHEN 3 THEN " STORE_ALERT_TARGET_RED " WHEN 2 THEN " STORE_ALERT_TARGET_ORANGE \
	" WHEN 1 THEN " STORE_ALERT_TARGET_YELLOW " ELSE " STORE_ALERT_TARGET_BLUE " END * 60)"
#define A_RANGE " FROM alerts WHERE raised_at >= $1::bigint AND raised_at < $2::bigint"
#define A_EPOCH(m) "floor(extract(epoch FROM (doc ->> '" m "')::timestamptz))::bigint"
#define A_DISPATCHED A_EPOCH("dispatched_at")
#define A_CLOSED A_EPOCH("closed_at")

enum tn_code pg_report_alerts(struct store *st, const struct store_alert_report_q *q,
			      store_alert_fn fn, void *ctx, struct tn_err *err)
{
	struct tn_buf sql = TN_BUF_INIT;
	struct store_alert_row row;
	int timed = 0;
	const char *g = alert_group_expr(q->by, &timed);
	char lo[24], hi[24], now[24], zone[256], shift[24];
	PGresult *r;
	enum tn_code code;

	if (!g)
		return tn_err_set(err, TN_EINVALID, "cannot group alerts by '%s'", q->by ? q->by : "");
	snprintf(lo, sizeof(lo), "%lld", q->lo);
	snprintf(hi, sizeof(hi), "%lld", q->hi);
	snprintf(now, sizeof(now), "%lld", q->now);
	local_zone(q->lo, zone, sizeof(zone), shift, sizeof(shift));
	tn_buf_addf(&sql,
		"SELECT g, -1, NULL::bigint, count(*), count(d), count(*) FILTER (WHERE status = 'closed'),"
		" count(*) FILTER (WHERE status <> 'closed'),"
		" count(*) FILTER (WHERE status <> 'closed' AND $3::bigint - raised_at > t),"
		" count(*) FILTER (WHERE status = 'closed' AND c - raised_at <= t)"
		" FROM (SELECT %s AS g, status, raised_at, " A_DISPATCHED " AS d, " A_CLOSED " AS c, "
		TARGET_SQL " AS t" A_RANGE ") x GROUP BY g "
		"UNION ALL "
		"SELECT g, 0, m, count(*), 0, 0, 0, 0, 0"
		" FROM (SELECT %s AS g, (" A_DISPATCHED " - raised_at) / 60 AS m" A_RANGE
		" AND doc ->> 'dispatched_at' IS NOT NULL) x GROUP BY g, m "
		"UNION ALL "
		"SELECT g, 1, m, count(*), 0, 0, 0, 0, 0"
		" FROM (SELECT %s AS g, (" A_CLOSED " - raised_at) / 60 AS m" A_RANGE
		" AND doc ->> 'closed_at' IS NOT NULL) x GROUP BY g, m "
		"ORDER BY 1, 2, 3", g, g, g);
	if (timed)
		code = pg_query(PG(st), &r, err, "alert report", sql.buf, "ttttt", lo, hi, now, zone,
				shift);
	else
		code = pg_query(PG(st), &r, err, "alert report", sql.buf, "ttt", lo, hi, now);
	tn_buf_release(&sql);
	if (code != TN_OK)
		return code;
	for (int i = 0; i < PQntuples(r); i++) {
		memset(&row, 0, sizeof(row));
		row.group = val(r, i, 0);
		row.what = (int)pg_long(r, i, 1);
		row.minutes = pg_long(r, i, 2);
		row.n = pg_long(r, i, 3);
		for (int k = 0; k < RA_COUNT; k++)
			row.c[k] = row.what < 0 ? pg_long(r, i, 3 + k) : 0;
		if (fn(ctx, &row) != 0)
			break;
	}
	PQclear(r);
	return TN_OK;
}
