/* calcmd.c — twonetd calendar import / show: load a year's State Council notice, and say what is known. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tn_today.h"
#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_cli.h"
#include "store_cal.h"
#include "twonetd.h"
#include "jvutil.h"

static int cal_import(int argc, char **argv)
{
	const char *db = NULL;
	const struct tn_option opts[] = {
		{ TN_OPT_STRING, 0, "db", &db, TWONETD_DB,
		  "the database: a SQLite file or a PostgreSQL URI", NULL, 0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd calendar import", "--db " TWONETD_DB " FILE",
		"load a year's holidays and adjusted working days (the project's text format or "
		"holiday-cn JSON) and count provisional deadlines again", opts, 0 };
	struct tn_err err = TN_ERR_INIT;
	struct store_cal_result res;
	struct tn_cal *cal = NULL;
	struct store *st = NULL;
	char now[40];
	int nargs, rc, years[64], n;
	enum tn_code code;

	if ((rc = twonetd_parse(&cmd, argc, argv, &nargs)) >= 0)
		return rc;
	if (!db || !*db || nargs != 1) {
		fprintf(stderr, "twonetd: error: usage: twonetd calendar import %s\n", cmd.usage);
		return 2;
	}
	/* the whole file is checked before the database is touched */
	if ((code = tn_cal_load(&cal, argv[1], &err)) != TN_OK)
		return twonetd_fail(&err, tn_exit_status(err.code));
	n = tn_cal_years(cal, years, 64);
	if (store_open(&st, db, 0, &err) != TN_OK) {
		tn_cal_free(cal);
		return twonetd_fail(&err, tn_exit_status(err.code));
	}
	time_now_rfc3339(now, sizeof(now));
	code = store_cal_import(st, cal, argv[1], now, &res, &err);
	store_close(st);
	tn_cal_free(cal);
	if (code != TN_OK)
		return twonetd_fail(&err, tn_exit_status(err.code));
	if (!res.nyears) {
		printf("calendar unchanged: the database already holds ");
		for (int i = 0; i < n && i < 64; i++)
			printf("%s%d", i ? ", " : "", years[i]);
		printf(" as '%s' has %s\n", argv[1], n == 1 ? "it" : "them");
		return 0;
	}
	printf("imported ");
	for (int i = 0; i < res.nyears; i++)
		printf("%s%d", i ? ", " : "", res.years[i]);
	printf(" from '%s'; %ld open case%s counted again, %ld still provisional\n", argv[1],
	       res.recomputed, res.recomputed == 1 ? "" : "s", res.still_provisional);
	return 0;
}

static const char *const wday[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

/* The listed days of `year` (known to cal) as JSON or lines. */
static int show_year(struct tn_cal *cal, int year, int json)
{
	jv days;
	long day;
	int work;
	const char *name;
	char d[11];

	if (!tn_cal_year_known(cal, year)) {
		fprintf(stderr, "twonetd: error: the calendar does not know %d; days there count "
			"Monday to Friday, provisionally\n", year);
		return 3;
	}
	days = jv_array();
	snprintf(d, sizeof(d), "%04d-01-01", year);
	tn_date_parse(d, &day);
	day--;
	while (tn_cal_next_day(cal, &day, &work, &name) && tn_date_year(day) == year) {
		tn_date_format(day, d);
		if (json) {
			jv e = jv_object();

			e = jv_object_set(e, jv_string("date"), jv_string(d));
			e = jv_object_set(e, jv_string("weekday"), jv_string(wday[tn_date_weekday(day)]));
			e = jv_object_set(e, jv_string("kind"), jv_string(work ? "work" : "off"));
			e = jv_object_set(e, jv_string("name"), jv_string(name));
			days = jv_array_append(days, e);
		} else {
			printf("%s %s %-4s %s\n", d, wday[tn_date_weekday(day)], work ? "work" : "off",
			       name);
		}
	}
	if (json) {
		jv out = jv_object_set(jv_object(), jv_string("year"), jv_number(year));

		out = jv_object_set(out, jv_string("days"), days);
		jv_dumpf(out, stdout, 0);
		putchar('\n');
	} else {
		jv_free(days);
	}
	return 0;
}

static int cal_show(int argc, char **argv)
{
	const char *db = NULL, *format = NULL;
	long year = 0;
	const struct tn_option opts[] = {
		{ TN_OPT_STRING, 0, "db", &db, TWONETD_DB,
		  "the database: a SQLite file or a PostgreSQL URI", NULL, 0 },
		{ TN_OPT_LONG, 'y', "year", &year, "YEAR", "list the days of one year", NULL, 0 },
		{ TN_OPT_STRING, 0, "format", &format, "FORMAT",
		  "json or table (default: table on a terminal, json on a pipe)", NULL, 0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd calendar show",
		"--db " TWONETD_DB " [--year YEAR] [--format FORMAT]",
		"say which years the calendar knows, from which files, and how long it lasts", opts, 0 };
	struct tn_err err = TN_ERR_INIT;
	struct store *st = NULL;
	struct tn_cal *cal = NULL;
	long gen, today = tn_today(), through, left;
	int nargs, rc, json;
	jv years = jv_invalid();
	char d[11];

	if ((rc = twonetd_parse(&cmd, argc, argv, &nargs)) >= 0)
		return rc;
	if (!db || !*db || nargs != 0) {
		fprintf(stderr, "twonetd: error: usage: twonetd calendar show %s\n", cmd.usage);
		return 2;
	}
	if (format && strcmp(format, "json") != 0 && strcmp(format, "table") != 0) {
		fprintf(stderr, "twonetd: error: --format takes json or table, not '%s'\n", format);
		return 2;
	}
	json = format ? !strcmp(format, "json") : !isatty(STDOUT_FILENO);
	if (store_open(&st, db, 0, &err) != TN_OK)
		return twonetd_fail(&err, tn_exit_status(err.code));
	if (store_cal_load(st, &cal, &gen, &err) != TN_OK ||
	    store_cal_years(st, &years, &err) != TN_OK) {
		store_close(st);
		tn_cal_free(cal);
		return twonetd_fail(&err, tn_exit_status(err.code));
	}
	store_close(st);
	if (!cal)
		cal = tn_cal_new();
	if (year) {
		rc = year < 1900 || year > 9999 ? 2 : show_year(cal, (int)year, json);
		if (rc == 2)
			fprintf(stderr, "twonetd: error: --year takes 1900 to 9999, not %ld\n", year);
		jv_free(years);
		tn_cal_free(cal);
		return rc;
	}
	calendar_coverage(cal, today, &through, &left);
	if (json) {
		jv out = jv_object_set(jv_object(), jv_string("years"), years);

		out = calendar_coverage_json(out, through, left);
		jv_dumpf(out, stdout, 0);
		putchar('\n');
	} else {
		printf("%-6s %-9s %-12s %-25s %s\n", "YEAR", "REST", "WORKING", "LOADED", "SOURCE");
		jv_array_foreach(years, i, y) {
			jv yr = jv_object_get(jv_copy(y), jv_string("year"));
			jv src = jv_object_get(jv_copy(y), jv_string("source"));
			jv at = jv_object_get(jv_copy(y), jv_string("loaded_at"));
			jv r = jv_object_get(jv_copy(y), jv_string("rest_days"));
			jv w = jv_object_get(jv_copy(y), jv_string("working_days"));

			printf("%-6d %-9d %-12d %-25s %s\n", (int)jv_number_value(yr),
			       (int)jv_number_value(r), (int)jv_number_value(w),
			       jv_get_kind(at) == JV_KIND_STRING ? jv_string_value(at) : "",
			       jv_get_kind(src) == JV_KIND_STRING ? jv_string_value(src) : "");
			jv_free(yr);
			jv_free(src);
			jv_free(at);
			jv_free(r);
			jv_free(w);
			jv_free(y);
		}
		jv_free(years);
		tn_date_format(today, d);
		if (through < 0) {
			printf("today (%s) is past what the calendar knows: deadlines are "
			       "provisional\n", d);
		} else {
			char t[11];

			tn_date_format(through, t);
			printf("known through %s: %ld day%s left%s\n", t, left, left == 1 ? "" : "s",
			       left < TWONETD_CAL_WARN_DAYS ?
			       " (load next year's notice: twonetd calendar import)" : "");
		}
	}
	tn_cal_free(cal);
	return 0;
}

int cmd_calendar(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "import"))
		return cal_import(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "show"))
		return cal_show(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: twonetd calendar import --db DB FILE\n"
		       "   or: twonetd calendar show --db DB [--year YEAR] [--format FORMAT]\n");
		return 0;
	}
	if (argc >= 2 && argv[1][0] != '-')
		return twonetd_unknown("subcommand", argv[1], "import|show");
	fprintf(stderr, "twonetd: error: usage: twonetd calendar import|show --db DB ...\n");
	return 2;
}
