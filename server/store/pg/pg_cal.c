/* pg_cal.c — the working-day calendar in PostgreSQL, counting provisional deadlines again, and case events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "pg_int.h"

enum tn_code pg_case_event_add(struct pg_store *p, long seq, jv event, struct tn_err *err)
{
	static const char *const keys[] = { "at", "actor", "role", "action", "from", "to", "comment" };
	jv v[7], ver = jv_object_get(jv_copy(event), jv_string("version"));
	const char *s[7];
	enum tn_code code;

	for (int i = 0; i < 7; i++) {
		v[i] = jv_object_get(jv_copy(event), jv_string(keys[i]));
		s[i] = jv_get_kind(v[i]) == JV_KIND_STRING ? jv_string_value(v[i]) : NULL;
	}
	/* the case row is locked by the caller's update, so the next seq is this one's */
	code = pg_query(p, NULL, err, "event insert", "INSERT INTO events (case_seq, seq, at, actor, "
			"role, action, from_status, to_status, comment, version) VALUES ($1, "
			"(SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE case_seq = $1), "
			"$2, $3, $4, $5, $6, $7, $8, $9)", "ltttttttl", seq, s[0], s[1], s[2], s[3],
			s[4], s[5], s[6],
			jv_get_kind(ver) == JV_KIND_NUMBER ? (long)jv_number_value(ver) : 0L);
	for (int i = 0; i < 7; i++)
		jv_free(v[i]);
	jv_free(ver);
	jv_free(event);
	return code;
}

enum tn_code pg_case_system_event(struct pg_store *p, long seq, const char *at, const char *action,
			     const char *from, const char *to, const char *comment, long version,
			     struct tn_err *err)
{
	jv e = jv_object();

	e = jv_object_set(e, jv_string("at"), jv_string(at));
	e = jv_object_set(e, jv_string("actor"), jv_string("system"));
	e = jv_object_set(e, jv_string("role"), jv_string("system"));
	e = jv_object_set(e, jv_string("action"), jv_string(action));
	e = jv_object_set(e, jv_string("from"), jv_string(from));
	e = jv_object_set(e, jv_string("to"), jv_string(to));
	e = jv_object_set(e, jv_string("comment"), jv_string(comment));
	e = jv_object_set(e, jv_string("version"), jv_number((double)version));
	return pg_case_event_add(p, seq, e, err);
}

enum tn_code pg_cal_generation(struct store *st, long *generation, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*generation = 0;
	code = pg_query(PG(st), &r, err, "calendar generation", "SELECT generation FROM "
			"calendar_state WHERE id = 1", "");
	if (code == TN_OK && PQntuples(r) == 1)
		*generation = pg_long(r, 0, 0);
	PQclear(r);
	return code;
}

/* Read the stored calendar (inside the caller's transaction). */
static enum tn_code load(struct pg_store *p, struct tn_cal **out, struct tn_err *err)
{
	struct tn_cal *cal;
	PGresult *r;
	enum tn_code code;
	int nyears;

	*out = NULL;
	if ((code = pg_query(p, &r, err, "calendar years", "SELECT year FROM calendar_years "
			     "ORDER BY year", "")) != TN_OK)
		return code;
	cal = tn_cal_new();
	nyears = PQntuples(r);
	for (int i = 0; i < nyears; i++)
		tn_cal_add_year(cal, (int)pg_long(r, i, 0), NULL);
	PQclear(r);
	if ((code = pg_query(p, &r, err, "calendar days", "SELECT day, work, name FROM calendar_days "
			     "ORDER BY day", "")) != TN_OK) {
		tn_cal_free(cal);
		return code;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		long day;

		if (tn_date_parse(PQgetvalue(r, i, 0), &day) == 0)
			tn_cal_set_day(cal, day, (int)pg_long(r, i, 1), PQgetvalue(r, i, 2), NULL);
	}
	PQclear(r);
	if (nyears)
		*out = cal;
	else
		tn_cal_free(cal);
	return TN_OK;
}

enum tn_code pg_cal_load(struct store *st, struct tn_cal **cal, long *generation,
			 struct tn_err *err)
{
	struct pg_store *p = PG(st);
	enum tn_code code;
	long g = 0;

	*cal = NULL;
	/* one snapshot: the generation and the days it names */
	if ((code = pg_begin_snapshot(p, err)) != TN_OK)
		return code;
	code = pg_cal_generation(st, &g, err);
	if (code == TN_OK)
		code = load(p, cal, err);
	code = pg_end(p, code, err);
	if (code != TN_OK) {
		tn_cal_free(*cal);
		*cal = NULL;
	} else if (generation) {
		*generation = g;
	}
	return code;
}

/* Replace the stored year `year` with the days `cal` lists for it, in one statement for the days. */
static enum tn_code put_year(struct pg_store *p, const struct tn_cal *cal, int year,
			     const char *source, const char *at, struct tn_err *err)
{
	char lo[16], hi[16], d[11];
	const char *name;
	enum tn_code code;
	jv days = jv_array();
	long day;
	int work;

	snprintf(lo, sizeof(lo), "%04d-01-01", year);
	snprintf(hi, sizeof(hi), "%04d-12-31", year);
	tn_date_parse(lo, &day);
	day--;
	while (tn_cal_next_day(cal, &day, &work, &name) && tn_date_year(day) == year) {
		jv o = jv_object();

		tn_date_format(day, d);
		o = jv_object_set(o, jv_string("day"), jv_string(d));
		o = jv_object_set(o, jv_string("work"), jv_number(work));
		o = jv_object_set(o, jv_string("name"), jv_string(name ? name : ""));
		days = jv_array_append(days, o);
	}
	code = pg_query(p, NULL, err, "calendar delete", "DELETE FROM calendar_days "
			"WHERE day BETWEEN $1 AND $2", "tt", lo, hi);
	if (code == TN_OK)
		code = pg_query(p, NULL, err, "calendar year", "INSERT INTO calendar_years (year, "
				"source, loaded_at) VALUES ($1, $2, $3) ON CONFLICT (year) DO UPDATE "
				"SET source = EXCLUDED.source, loaded_at = EXCLUDED.loaded_at", "itt",
				year, source, at);
	if (code == TN_OK)
		code = pg_query(p, NULL, err, "calendar day", "INSERT INTO calendar_days (day, work, "
				"name) SELECT d ->> 'day', (d ->> 'work')::integer, d ->> 'name' "
				"FROM json_array_elements($1::json) d", "j", days);
	else
		jv_free(days);
	return code;
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

/* Count one case (row 0 of `r`: seq, status, version, doc, deadline_from, deadline_days, legal_days) again. */
static enum tn_code recount(struct pg_store *p, const PGresult *r, const struct tn_cal *cal,
			    const char *what, const char *at, struct store_cal_result *res,
			    struct tn_err *err)
{
	long seq = pg_long(r, 0, 0), version = pg_long(r, 0, 2) + 1;
	const char *from = PQgetisnull(r, 0, 4) ? NULL : PQgetvalue(r, 0, 4);
	long ddays = pg_long_or(r, 0, 5, -1), ldays = pg_long_or(r, 0, 6, -1);
	char *status = pg_dup(r, 0, 1), dl[11] = "", lg[11] = "";
	jv doc = pg_json(r, 0, 3), od, ol, was, lwas;
	struct tn_buf comment = TN_BUF_INIT;
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
	code = pg_query(p, NULL, err, "deadline update", "UPDATE cases SET deadline = $1, "
			"deadline_provisional = $2, version = $3, doc = $4 WHERE seq = $5", "tiljl",
			have_dl ? dl : NULL, prov || lprov, version, jv_copy(doc), seq);
	if (code != TN_OK)
		goto out;
	code = pg_case_system_event(p, seq, at, "recompute", status, status, comment.buf, version,
				    err);
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

/* Count every open provisional deadline again through `cal`, a page at a time by seq. */
static enum tn_code recount_all(struct pg_store *p, const struct tn_cal *cal, const char *what,
				const char *at, struct store_cal_result *res, struct tn_err *err)
{
	PGresult *page, *r;
	enum tn_code code;
	long last = 0;
	int n;

	for (;;) {
		code = pg_query(p, &page, err, "provisional cases", "SELECT seq FROM cases WHERE "
				"deadline_provisional = 1 AND status NOT IN ('completed', 'rejected') "
				"AND seq > $1 ORDER BY seq LIMIT 256", "l", last);
		if (code != TN_OK)
			return code;
		if ((n = PQntuples(page)) == 0) {
			PQclear(page);
			return TN_OK;
		}
		for (int i = 0; i < n && code == TN_OK; i++) {
			code = pg_query(p, &r, err, "provisional case", "SELECT seq, status, version, "
					"doc, deadline_from, deadline_days, legal_days FROM cases "
					"WHERE seq = $1 FOR UPDATE", "l", pg_long(page, i, 0));
			if (code == TN_OK && PQntuples(r) == 1)
				code = recount(p, r, cal, what, at, res, err);
			PQclear(r);
		}
		last = pg_long(page, n - 1, 0);
		PQclear(page);
		if (code != TN_OK)
			return code;
	}
}

enum tn_code pg_cal_import(struct store *st, const struct tn_cal *add, const char *source,
			   const char *at, struct store_cal_result *res, struct tn_err *err)
{
	struct pg_store *p = PG(st);
	struct tn_cal *cur = NULL;
	struct tn_buf what = TN_BUF_INIT;
	int years[64], n = tn_cal_years(add, years, 64);
	enum tn_code code;

	memset(res, 0, sizeof(*res));
	if (n > 64)
		return tn_err_set(err, TN_EINVALID, "at most 64 years at a time, not %d", n);
	if ((code = pg_begin(p, err)) != TN_OK)
		return code;
	/* one import at a time: the state row is the lock */
	code = pg_query(p, NULL, err, "calendar lock", "SELECT generation FROM calendar_state "
			"WHERE id = 1 FOR UPDATE", "");
	if (code == TN_OK)
		code = load(p, &cur, err);
	if (code != TN_OK)
		goto out;
	if (!cur)
		cur = tn_cal_new();
	for (int i = 0; i < n && code == TN_OK; i++) {
		if (tn_cal_year_equal(cur, add, years[i]))
			continue;
		res->years[res->nyears++] = years[i];
		tn_buf_addf(&what, "%s%d", what.len ? ", " : "", years[i]);
		code = put_year(p, add, years[i], source, at, err);
	}
	if (code != TN_OK || !res->nyears)
		goto out;
	code = pg_query(p, NULL, err, "calendar generation", "UPDATE calendar_state SET "
			"generation = generation + 1 WHERE id = 1", "");
	if (code != TN_OK)
		goto out;
	tn_cal_merge(cur, add);
	code = recount_all(p, cur, what.buf, at, res, err);
out:
	if (code == TN_OK && res->nyears)
		code = pg_end(p, TN_OK, err);
	else
		pg_rollback(p);
	if (code != TN_OK)
		memset(res, 0, sizeof(*res));
	tn_cal_free(cur);
	tn_buf_release(&what);
	return code;
}

enum tn_code pg_cal_years(struct store *st, jv *years, struct tn_err *err)
{
	PGresult *r;
	enum tn_code code;

	*years = jv_array();
	code = pg_query(PG(st), &r, err, "calendar years", "SELECT y.year, y.source, y.loaded_at, "
		"(SELECT count(*) FROM calendar_days d WHERE d.day BETWEEN to_char(y.year, 'FM0000') "
		"   || '-01-01' AND to_char(y.year, 'FM0000') || '-12-31' AND d.work = 0), "
		"(SELECT count(*) FROM calendar_days d WHERE d.day BETWEEN to_char(y.year, 'FM0000') "
		"   || '-01-01' AND to_char(y.year, 'FM0000') || '-12-31' AND d.work = 1) "
		"FROM calendar_years y ORDER BY y.year", "");
	if (code != TN_OK) {
		jv_free(*years);
		*years = jv_invalid();
		return code;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		jv y = jv_object();

		y = jv_object_set(y, jv_string("year"), jv_number(pg_long(r, i, 0)));
		y = jv_object_set(y, jv_string("source"), pg_text(r, i, 1));
		y = jv_object_set(y, jv_string("loaded_at"), pg_text(r, i, 2));
		y = jv_object_set(y, jv_string("rest_days"), jv_number(pg_long(r, i, 3)));
		y = jv_object_set(y, jv_string("working_days"), jv_number(pg_long(r, i, 4)));
		*years = jv_array_append(*years, y);
	}
	PQclear(r);
	return TN_OK;
}
