/* test_srv_calendar.c — a worker's working-day calendar (server/calendar.c) and its storage: seed, reload on import, coverage, warning, recount. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tn_cal.h"
#include "store.h"
#include "store_cal.h"
#include "twonetd.h"

struct fix {
	char dir[64];
	char path[128];
	char cal2026[128];
	struct store *st;
	struct srv srv;
};

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct tn_err err = TN_ERR_INIT;

	snprintf(f->dir, sizeof(f->dir), "%s/twonet-cal-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
	snprintf(f->cal2026, sizeof(f->cal2026), "%s/2026.txt", f->dir);
	write_file(f->cal2026, "# a small calendar\nyear 2026\n2026-01-01 off 元旦\n"
		   "2026-10-01 off 国庆节\n2026-10-10 work 国庆节\n");
	if (store_open(&f->st, f->path, 1, &err) != TN_OK) {
		print_error("store_open: %s\n", err.message);
		return -1;
	}
	f->srv.st = f->st;
	/* today is fixed (the server's override, and the name issue 12 keeps) */
	setenv("TWONET_TODAY", "2026-12-20", 1);
	setenv("TWONET_TODAY", "2026-12-20", 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	static const char *const tails[] = { "", "-wal", "-shm", ".audit", ".audit-wal",
					     ".audit-shm" };
	char p[160];

	tn_cal_free(f->srv.cal);
	store_close(f->st);
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, tails[i]);
		unlink(p);
	}
	unlink(f->cal2026);
	rmdir(f->dir);
	free(f);
	unsetenv("TWONET_TODAY");
	unsetenv("TWONET_TODAY");
	return 0;
}

static long day(const char *s)
{
	long d;

	assert_int_equal(tn_date_parse(s, &d), 0);
	return d;
}

/* The calendar of 2027 with New Year's Day off. */
static struct tn_cal *cal2027(void)
{
	struct tn_cal *c = tn_cal_new();
	struct tn_err err = TN_ERR_INIT;

	assert_int_equal(tn_cal_add_year(c, 2027, &err), TN_OK);
	assert_int_equal(tn_cal_set_day(c, day("2027-01-01"), 0, "元旦", &err), TN_OK);
	return c;
}

static void test_no_calendar(void **state)
{
	struct fix *f = *state;
	jv cov;

	assert_null(srv_cal(&f->srv));
	cov = srv_cal_coverage(&f->srv);
	assert_int_equal(jv_get_kind(cov), JV_KIND_OBJECT);
	{
		jv t = jv_object_get(jv_copy(cov), jv_string("through"));
		assert_int_equal(jv_get_kind(t), JV_KIND_NULL);
		jv_free(t);
	}
	jv_free(cov);
	assert_non_null(strstr(srv_cal_warning(&f->srv), "does not know 2026"));
}

static void test_seed_and_reload(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct store *other = NULL;
	struct store_cal_result res;
	struct tn_cal *cal, *c27;
	long g1, g2;
	int prov = -1;
	jv cov, years;

	assert_int_equal(calendar_seed(f->st, f->cal2026, &err), TN_OK);
	cal = srv_cal(&f->srv);
	assert_non_null(cal);
	assert_int_equal(tn_cal_year_known(cal, 2026), 1);
	assert_int_equal(tn_cal_year_known(cal, 2027), 0);
	assert_int_equal(tn_cal_is_workday(cal, day("2026-10-01"), &prov), 0);
	assert_int_equal(tn_cal_is_workday(cal, day("2026-10-10"), &prov), 1);
	g1 = srv_cal_generation(&f->srv);
	assert_ptr_equal(srv_cal(&f->srv), cal);       /* the same generation: not read again */

	/* 11 days before the calendar's end: the warning says so */
	f->srv.cal_checked = 0;
	assert_non_null(strstr(srv_cal_warning(&f->srv), "ends 2026-12-31 (11 days left)"));
	cov = srv_cal_coverage(&f->srv);
	{
		jv t = jv_object_get(jv_copy(cov), jv_string("through"));
		jv l = jv_object_get(jv_copy(cov), jv_string("days_left"));
		assert_string_equal(jv_string_value(t), "2026-12-31");
		assert_true(jv_number_value(l) == 11);
		jv_free(t);
		jv_free(l);
	}
	jv_free(cov);

	/* another process imports 2027: this worker sees it at its next look */
	assert_int_equal(store_open(&other, f->path, 0, &err), TN_OK);
	c27 = cal2027();
	assert_int_equal(store_cal_import(other, c27, "2027.txt", "2026-12-20T10:00:00+08:00", &res, &err),
			 TN_OK);
	assert_int_equal(res.nyears, 1);
	assert_int_equal(res.years[0], 2027);
	/* the same year again changes nothing */
	assert_int_equal(store_cal_import(other, c27, "2027.txt", "2026-12-20T11:00:00+08:00", &res, &err),
			 TN_OK);
	assert_int_equal(res.nyears, 0);
	tn_cal_free(c27);
	store_close(other);

	cal = srv_cal(&f->srv);
	assert_non_null(cal);
	assert_int_equal(tn_cal_year_known(cal, 2027), 1);
	g2 = srv_cal_generation(&f->srv);
	assert_true(g2 > g1);
	assert_string_equal(srv_cal_warning(&f->srv), "");    /* a year left now */

	assert_int_equal(store_cal_years(f->st, &years, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(years)), 2);
	{
		jv y = jv_array_get(jv_copy(years), 1), src = jv_object_get(jv_copy(y), jv_string("source"));
		assert_string_equal(jv_string_value(src), "2027.txt");
		jv_free(src);
		jv_free(y);
	}
	jv_free(years);
	cov = srv_cal_coverage(&f->srv);
	{
		jv ys = jv_object_get(jv_copy(cov), jv_string("years"));
		assert_int_equal(jv_array_length(ys), 2);
	}
	jv_free(cov);
}

static void test_fixed_calendar_not_reloaded(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct tn_cal *fixed;

	assert_int_equal(calendar_seed(f->st, f->cal2026, &err), TN_OK);
	assert_int_equal(tn_cal_load(&fixed, f->cal2026, &err), TN_OK);
	f->srv.cal = fixed;
	f->srv.cal_fixed = 1;
	assert_ptr_equal(srv_cal(&f->srv), fixed);
	f->srv.cal_fixed = 0;                   /* teardown frees it */
}

static void test_provisional_recount(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct store_case_new c;
	struct store_cal_result res;
	struct tn_cal *c27, *both;
	long start = day("2026-12-28"), prov_d, real_d;
	int prov = 0, replayed;
	char prov_s[11], real_s[11];
	jv out, doc, v, events;

	assert_int_equal(calendar_seed(f->st, f->cal2026, &err), TN_OK);
	/* 5 working days from Monday 2026-12-28, through a 2027 the calendar does not know */
	assert_int_equal(tn_cal_add_workdays(srv_cal(&f->srv), start, 5, &prov_d, &prov, &err), TN_OK);
	assert_int_equal(prov, 1);
	tn_date_format(prov_d, prov_s);

	memset(&c, 0, sizeof(c));
	c.doc = jv_object_set(jv_object_set(jv_object(), jv_string("deadline"), jv_string(prov_s)),
			      jv_string("deadline_provisional"), jv_true());
	c.doc = jv_object_set(c.doc, jv_string("version"), jv_number(1));
	c.event = jv_parse("{\"at\":\"t\",\"actor\":\"a\",\"role\":\"clerk\",\"action\":\"submit\","
			   "\"to\":\"submitted\",\"version\":1}");
	c.item = "310000-YB-003";
	c.department = "YBJ";
	c.status = "submitted";
	c.applicant_id = c.applicant_name = c.submitted_by = "x";
	c.submitted_at = "2026-12-28T09:00:00+08:00";
	c.deadline = prov_s;
	c.deadline_from = "2026-12-28";
	c.deadline_days = 5;
	c.legal_days = -1;
	c.deadline_provisional = 1;
	c.token_id = 1;
	c.idem_key = "k";
	c.idem_hash = "h";
	assert_int_equal(store_case_create(f->st, &c, &out, &replayed, &err), TN_OK);
	jv_free(out);

	/* 2027 arrives with New Year's Day off: the deadline moves a day and is no longer provisional */
	c27 = cal2027();
	assert_int_equal(store_cal_import(f->st, c27, "2027.txt", "2026-12-29T08:00:00+08:00", &res, &err),
			 TN_OK);
	assert_int_equal(res.recomputed, 1);
	assert_int_equal(res.still_provisional, 0);
	both = srv_cal(&f->srv);
	prov = 0;
	assert_int_equal(tn_cal_add_workdays(both, start, 5, &real_d, &prov, &err), TN_OK);
	assert_int_equal(prov, 0);
	assert_true(real_d != prov_d);
	tn_date_format(real_d, real_s);
	tn_cal_free(c27);

	assert_int_equal(store_case_get(f->st, "C00000001", &doc, NULL, &err), TN_OK);
	v = jv_object_get(jv_copy(doc), jv_string("deadline"));
	assert_string_equal(jv_string_value(v), real_s);
	jv_free(v);
	v = jv_object_get(jv_copy(doc), jv_string("deadline_provisional"));
	assert_int_equal(jv_get_kind(v), JV_KIND_FALSE);
	jv_free(v);
	v = jv_object_get(jv_copy(doc), jv_string("version"));
	assert_true(jv_number_value(v) == 2);
	jv_free(v);
	jv_free(doc);

	assert_int_equal(store_case_events(f->st, "C00000001", &events, &err), TN_OK);
	assert_int_equal(jv_array_length(jv_copy(events)), 2);
	{
		jv e = jv_array_get(jv_copy(events), 1), a = jv_object_get(jv_copy(e), jv_string("action"));
		jv cm = jv_object_get(jv_copy(e), jv_string("comment"));
		assert_string_equal(jv_string_value(a), "recompute");
		assert_non_null(strstr(jv_string_value(cm), prov_s));
		jv_free(a);
		jv_free(cm);
		jv_free(e);
	}
	jv_free(events);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_calendar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seed_and_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fixed_calendar_not_reloaded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_provisional_recount, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
