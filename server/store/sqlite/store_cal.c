/* store_cal.c — the working-day calendar in SQLite, and counting provisional deadlines again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "store_cal.h"
#include "store_int.h"

/*
 * 5 -> 6: the calendar moves into the database (seeded from the shipped file
 * by 'twonetd init' and 'twonetd migrate'), and cases keep what their
 * deadlines were counted from.
 */
const char store_cal_schema[] =
	"CREATE TABLE calendar_years ("
	"  year INTEGER PRIMARY KEY,"
	"  source TEXT NOT NULL,"
	"  loaded_at TEXT NOT NULL);"
	"CREATE TABLE calendar_days ("
	"  day TEXT PRIMARY KEY,"         /* YYYY-MM-DD */
	"  work INTEGER NOT NULL,"        /* 1 an adjusted working day, 0 a rest day */
	"  name TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE calendar_state ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  generation INTEGER NOT NULL);"
	"INSERT INTO calendar_state (id, generation) VALUES (1, 0);"
	"ALTER TABLE cases ADD COLUMN deadline_from TEXT;"           /* the day counted from */
	"ALTER TABLE cases ADD COLUMN deadline_days INTEGER;"        /* working days to deadline */
	"ALTER TABLE cases ADD COLUMN legal_days INTEGER;"           /* ... to legal_deadline */
	"ALTER TABLE cases ADD COLUMN deadline_provisional INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX cases_provisional ON cases (deadline_provisional, status) "
	"  WHERE deadline_provisional = 1;"
	/*
	 * Open cases that the old calendar left without a deadline (filed near
	 * its end): count them from the day they were filed, by their item's
	 * days, once the calendar is seeded (the recount of sqlite_cal_import).
	 */
	"UPDATE cases SET deadline_from = substr(submitted_at, 1, 10),"
	"  deadline_days = (SELECT COALESCE(i.promised_days, i.legal_days) FROM items i"
	"                   WHERE i.code = cases.item),"
	"  legal_days = (SELECT i.legal_days FROM items i WHERE i.code = cases.item),"
	"  deadline_provisional = 1"
	"  WHERE deadline IS NULL AND workflow IS NULL AND item <> ''"
	"  AND status NOT IN ('completed', 'rejected');";

enum tn_code sqlite_cal_generation(struct store *st, long *generation, struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT generation FROM calendar_state WHERE id = 1", err);
	int rc;

	if (!s)
		return store_errcode(err);
	rc = sqlite3_step(s);
	*generation = rc == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, "calendar generation");
	return TN_OK;
}

/* Read the stored calendar (inside or outside a transaction). */
static enum tn_code load(struct store *st, struct tn_cal **out, struct tn_err *err)
{
	struct tn_cal *cal = tn_cal_new();
	sqlite3_stmt *s;
	int rc, nyears = 0;

	*out = NULL;
	if (!(s = store_stmt(st, "SELECT year FROM calendar_years ORDER BY year", err)))
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		tn_cal_add_year(cal, sqlite3_column_int(s, 0), NULL);
		nyears++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, "calendar years");
		goto fail;
	}
	if (!(s = store_stmt(st, "SELECT day, work, name FROM calendar_days ORDER BY day", err)))
		goto fail;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(s, 0);
		const char *name = (const char *)sqlite3_column_text(s, 2);
		long day;

		if (d && tn_date_parse(d, &day) == 0)
			tn_cal_set_day(cal, day, sqlite3_column_int(s, 1), name ? name : "", NULL);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, "calendar days");
		goto fail;
	}
	if (nyears)
		*out = cal;
	else
		tn_cal_free(cal);
	return TN_OK;
fail:
	tn_cal_free(cal);
	return store_errcode(err);
}

enum tn_code sqlite_cal_load(struct store *st, struct tn_cal **cal, long *generation,
			    struct tn_err *err)
{
	enum tn_code code;
	long g = 0;

	*cal = NULL;
	/* one read transaction: the generation and the days it names */
	if ((code = store_exec(st, "BEGIN", err)) != TN_OK)
		return code;
	code = sqlite_cal_generation(st, &g, err);
	if (code == TN_OK)
		code = load(st, cal, err);
	store_exec(st, "COMMIT", NULL);
	if (code == TN_OK && generation)
		*generation = g;
	return code;
}

/* Replace the stored year `year` with the days `cal` lists for it. */
static enum tn_code put_year(struct store *st, const struct tn_cal *cal, int year,
			     const char *source, const char *at, struct tn_err *err)
{
	sqlite3_stmt *s;
	char lo[16], hi[16], d[11];
	long day;
	int work;
	const char *name;
	enum tn_code code;

	snprintf(lo, sizeof(lo), "%04d-01-01", year);
	snprintf(hi, sizeof(hi), "%04d-12-31", year);
	if (!(s = store_stmt(st, "DELETE FROM calendar_days WHERE day BETWEEN ? AND ?", err)))
		return store_errcode(err);
	store_bind_text(s, 1, lo);
	store_bind_text(s, 2, hi);
	if ((code = store_run(st, s, err, "calendar delete")) != TN_OK)
		return code;
	if (!(s = store_stmt(st, "INSERT OR REPLACE INTO calendar_years (year, source, loaded_at) "
			     "VALUES (?, ?, ?)", err)))
		return store_errcode(err);
	sqlite3_bind_int(s, 1, year);
	store_bind_text(s, 2, source);
	store_bind_text(s, 3, at);
	if ((code = store_run(st, s, err, "calendar year")) != TN_OK)
		return code;
	tn_date_parse(lo, &day);
	day--;
	while (tn_cal_next_day(cal, &day, &work, &name) && tn_date_year(day) == year) {
		if (!(s = store_stmt(st, "INSERT INTO calendar_days (day, work, name) VALUES (?, ?, ?)",
				     err)))
			return store_errcode(err);
		tn_date_format(day, d);
		store_bind_text(s, 1, d);
		sqlite3_bind_int(s, 2, work);
		store_bind_text(s, 3, name);
		if ((code = store_run(st, s, err, "calendar day")) != TN_OK)
			return code;
	}
	return TN_OK;
}

/* `n` working days after `from` through `cal`: the date into buf, *prov raised. */
static int count(const struct tn_cal *cal, const char *from, long n, char *buf, int *prov)
{
	long start, d;

	if (n < 0 || tn_date_parse(from, &start) != 0 ||
	    tn_cal_add_workdays(cal, start, n, &d, prov, NULL) != TN_OK)
		return -1;
	tn_date_format(d, buf);
	return 0;
}

static const char *str_or(jv v, const char *dflt)
{
	return jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : dflt;
}

/* Count one case (a row of the recompute query, stepped on `s`) again; *changed when it did. */
static enum tn_code recount(struct store *st, sqlite3_stmt *s, const struct tn_cal *cal,
			    const char *what, const char *at, struct store_cal_result *res,
			    struct tn_err *err)
{
	long seq = (long)sqlite3_column_int64(s, 0), version = (long)sqlite3_column_int64(s, 2) + 1;
	const char *from = (const char *)sqlite3_column_text(s, 4);
	long ddays = sqlite3_column_type(s, 5) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(s, 5);
	long ldays = sqlite3_column_type(s, 6) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(s, 6);
	char *status = store_col_dup(s, 1), dl[11] = "", lg[11] = "";
	jv doc = store_col_json(s, 3), od, ol, was, lwas;
	struct tn_buf comment = TN_BUF_INIT;
	sqlite3_stmt *u;
	enum tn_code code = TN_OK;
	int prov = 0, lprov = 0, have_dl, have_lg;

	have_dl = from && count(cal, from, ddays, dl, &prov) == 0;
	have_lg = from && count(cal, from, ldays, lg, &lprov) == 0;
	od = jv_object_get(jv_copy(doc), jv_string("deadline"));
	ol = jv_object_get(jv_copy(doc), jv_string("legal_deadline"));
	was = jv_object_get(jv_copy(doc), jv_string("deadline_provisional"));
	lwas = jv_object_get(jv_copy(doc), jv_string("legal_deadline_provisional"));
	if (jv_get_kind(doc) != JV_KIND_OBJECT || !status || (!have_dl && !have_lg) ||
	    (!strcmp(str_or(od, ""), have_dl ? dl : "") &&
	     !strcmp(str_or(ol, ""), have_lg ? lg : "") &&
	     (jv_get_kind(was) == JV_KIND_TRUE) == prov &&
	     (jv_get_kind(lwas) == JV_KIND_TRUE) == lprov)) {
		/* nothing to count from, or the same result */
		res->still_provisional++;
		goto out;
	}
	tn_buf_addf(&comment, "deadline recomputed: %s calendar loaded (deadline was %s%s",
		    what, str_or(od, "none"), jv_get_kind(was) == JV_KIND_TRUE ? ", provisional" : "");
	if (have_lg)
		tn_buf_addf(&comment, "; legal deadline was %s%s", str_or(ol, "none"),
			    jv_get_kind(lwas) == JV_KIND_TRUE ? ", provisional" : "");
	tn_buf_addch(&comment, ')');
	doc = jv_object_set(doc, jv_string("deadline"), have_dl ? jv_string(dl) : jv_null());
	doc = jv_object_set(doc, jv_string("legal_deadline"), have_lg ? jv_string(lg) : jv_null());
	doc = jv_object_set(doc, jv_string("deadline_provisional"), jv_bool(prov));
	doc = jv_object_set(doc, jv_string("legal_deadline_provisional"), jv_bool(lprov));
	doc = jv_object_set(doc, jv_string("version"), jv_number((double)version));
	doc = jv_object_set(doc, jv_string("updated_at"), jv_string(at));
	if (!(u = store_stmt(st, "UPDATE cases SET deadline = ?, deadline_provisional = ?, "
			     "version = ?, doc = ? WHERE seq = ?", err))) {
		code = store_errcode(err);
		goto out;
	}
	store_bind_text(u, 1, have_dl ? dl : NULL);
	sqlite3_bind_int(u, 2, prov || lprov);
	sqlite3_bind_int64(u, 3, version);
	store_bind_json(u, 4, jv_copy(doc));
	sqlite3_bind_int64(u, 5, seq);
	if ((code = store_run(st, u, err, "deadline update")) != TN_OK)
		goto out;
	code = store_case_system_event(st, seq, at, "recompute", status, status, comment.buf,
				       version, err);
	res->recomputed++;
	if (prov || lprov)
		res->still_provisional++;
out:
	tn_buf_release(&comment);
	jv_free(was);
	jv_free(lwas);
	jv_free(od);
	jv_free(ol);
	jv_free(doc);
	free(status);
	return code;
}

/* Count every open provisional deadline again through `cal`. */
static enum tn_code recount_all(struct store *st, const struct tn_cal *cal, const char *what,
				const char *at, struct store_cal_result *res, struct tn_err *err)
{
	sqlite3_stmt *s;
	long last = 0;
	int rc;

	/* a page at a time by seq: each update happens while no statement walks the rows */
	for (;;) {
		long seqs[256], n = 0;

		if (!(s = store_stmt(st, "SELECT seq FROM cases WHERE deadline_provisional = 1 AND "
				     "status NOT IN ('completed', 'rejected') AND seq > ? "
				     "ORDER BY seq LIMIT 256", err)))
			return store_errcode(err);
		sqlite3_bind_int64(s, 1, last);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW)
			seqs[n++] = (long)sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return store_fail(st, err, "provisional cases");
		if (!n)
			return TN_OK;
		for (long i = 0; i < n; i++) {
			enum tn_code code;

			if (!(s = store_stmt(st, "SELECT seq, status, version, doc, deadline_from, "
					     "deadline_days, legal_days FROM cases WHERE seq = ?", err)))
				return store_errcode(err);
			sqlite3_bind_int64(s, 1, seqs[i]);
			if (sqlite3_step(s) != SQLITE_ROW) {
				sqlite3_reset(s);
				return store_fail(st, err, "provisional case");
			}
			code = recount(st, s, cal, what, at, res, err);
			sqlite3_reset(s);
			if (code != TN_OK)
				return code;
		}
		last = seqs[n - 1];
	}
}

enum tn_code sqlite_cal_import(struct store *st, const struct tn_cal *add, const char *source,
			      const char *at, struct store_cal_result *res, struct tn_err *err)
{
	struct tn_cal *cur = NULL;
	struct tn_buf what = TN_BUF_INIT;
	int years[64], n = tn_cal_years(add, years, 64);
	enum tn_code code;
	sqlite3_stmt *s;

	memset(res, 0, sizeof(*res));
	if (n > 64)
		return tn_err_set(err, TN_EINVALID, "at most 64 years at a time, not %d", n);
	if ((code = store_begin(st, err)) != TN_OK)
		return code;
	if ((code = load(st, &cur, err)) != TN_OK)
		goto out;
	if (!cur)
		cur = tn_cal_new();
	for (int i = 0; i < n && code == TN_OK; i++) {
		if (tn_cal_year_equal(cur, add, years[i]))
			continue;
		res->years[res->nyears++] = years[i];
		tn_buf_addf(&what, "%s%d", what.len ? ", " : "", years[i]);
		code = put_year(st, add, years[i], source, at, err);
	}
	if (code != TN_OK || !res->nyears)
		goto out;
	if (!(s = store_stmt(st, "UPDATE calendar_state SET generation = generation + 1 "
			     "WHERE id = 1", err))) {
		code = store_errcode(err);
		goto out;
	}
	if ((code = store_run(st, s, err, "calendar generation")) != TN_OK)
		goto out;
	tn_cal_merge(cur, add);
	code = recount_all(st, cur, what.buf, at, res, err);
	if (code == TN_OK)
		code = store_commit(st, err);
out:
	if (code != TN_OK || !res->nyears)
		store_rollback(st);
	if (code != TN_OK)
		memset(res, 0, sizeof(*res));
	tn_cal_free(cur);
	tn_buf_release(&what);
	return code;
}

enum tn_code sqlite_cal_years(struct store *st, jv *years, struct tn_err *err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT y.year, y.source, y.loaded_at, "
		"(SELECT COUNT(*) FROM calendar_days d WHERE d.day BETWEEN printf('%04d-01-01', y.year) "
		"   AND printf('%04d-12-31', y.year) AND d.work = 0), "
		"(SELECT COUNT(*) FROM calendar_days d WHERE d.day BETWEEN printf('%04d-01-01', y.year) "
		"   AND printf('%04d-12-31', y.year) AND d.work = 1) "
		"FROM calendar_years y ORDER BY y.year", err);
	int rc;

	*years = jv_array();
	if (!s)
		return store_errcode(err);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		jv y = jv_object();

		y = jv_object_set(y, jv_string("year"), jv_number(sqlite3_column_int(s, 0)));
		y = jv_object_set(y, jv_string("source"), store_col_text(s, 1));
		y = jv_object_set(y, jv_string("loaded_at"), store_col_text(s, 2));
		y = jv_object_set(y, jv_string("rest_days"), jv_number(sqlite3_column_int(s, 3)));
		y = jv_object_set(y, jv_string("working_days"), jv_number(sqlite3_column_int(s, 4)));
		*years = jv_array_append(*years, y);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		jv_free(*years);
		*years = jv_invalid();
		return store_fail(st, err, "calendar years");
	}
	return TN_OK;
}
