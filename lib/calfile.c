/* calfile.c — reading calendar files: the project's text format and holiday-cn JSON, checked strictly. */
/*
 * Both formats become the same list of facts (declared years; listed days
 * with their kind, name and line), checked by one function, then built into
 * a calendar.  Nothing is built when a single fact is wrong, so an import
 * is all or nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_cli.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_out.h"
#include "tn_text.h"

#define CALFILE_MAX (16L << 20)        /* bytes in a calendar file */
#define CALFILE_MAX_DAYS 20000         /* listed days */
#define CALFILE_MAX_YEARS 200
#define CALFILE_MAX_NAME 200           /* bytes in a holiday's name */

struct fact {
	long day;
	int work;
	long line;
	char *name;
};

struct facts {
	int years[CALFILE_MAX_YEARS];
	long year_line[CALFILE_MAX_YEARS];
	int nyears;
	struct fact *v;
	long n, cap;
};

static void facts_release(struct facts *f)
{
	for (long i = 0; i < f->n; i++)
		free(f->v[i].name);
	free(f->v);
}

static void fact_add(struct facts *f, long day, int work, const char *name, size_t namelen,
		     long line)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 64;
		f->v = tn_xrealloc(f->v, sizeof(*f->v) * (size_t)f->cap);
	}
	f->v[f->n].day = day;
	f->v[f->n].work = work;
	f->v[f->n].line = line;
	f->v[f->n].name = tn_xmalloc(namelen + 1);
	memcpy(f->v[f->n].name, name, namelen);
	f->v[f->n].name[namelen] = '\0';
	f->n++;
}

static enum tn_code year_add(struct facts *f, int year, long line, const char *fname,
			     struct tn_err *err)
{
	for (int i = 0; i < f->nyears; i++)
		if (f->years[i] == year)
			return tn_err_set(err, TN_EINVALID, "%s:%ld: year %d is named twice "
					  "(first on line %ld)", fname, line, year, f->year_line[i]);
	if (f->nyears >= CALFILE_MAX_YEARS)
		return tn_err_set(err, TN_EINVALID, "%s:%ld: more than %d years", fname, line,
				  CALFILE_MAX_YEARS);
	f->years[f->nyears] = year;
	f->year_line[f->nyears++] = line;
	return TN_OK;
}

static int cmp_fact(const void *a, const void *b)
{
	const struct fact *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* The checks both formats share, then the calendar.  Consumes nothing. */
static enum tn_code facts_build(struct facts *f, const char *fname, struct tn_cal **out,
				struct tn_err *err)
{
	static const char *const wday[7] = { "Monday", "Tuesday", "Wednesday", "Thursday",
					     "Friday", "Saturday", "Sunday" };
	struct tn_cal *cal;
	char d[11];

	if (!f->nyears)
		return tn_err_set(err, TN_EINVALID, "%s: names no year", fname);
	for (long i = 0; i < f->n; i++) {
		struct fact *x = &f->v[i];
		int y = tn_date_year(x->day), k;

		tn_date_format(x->day, d);
		for (k = 0; k < f->nyears && f->years[k] != y; k++)
			;
		if (k == f->nyears)
			return tn_err_set(err, TN_EINVALID, "%s:%ld: %s is not in the year%s the "
					  "file declares (%d%s)", fname, x->line, d,
					  f->nyears > 1 ? "s" : "", f->years[0],
					  f->nyears > 1 ? ", ..." : "");
		if (!x->name[0])
			return tn_err_set(err, TN_EINVALID, "%s:%ld: %s has no name (the holiday "
					  "it belongs to)", fname, x->line, d);
		if (x->work && tn_date_weekday(x->day) < 5)
			return tn_err_set(err, TN_EINVALID, "%s:%ld: %s is a %s, a working day "
					  "anyway; only a weekend day can be made a working day",
					  fname, x->line, d, wday[tn_date_weekday(x->day)]);
	}
	if (f->n > 1) {
		struct fact *s = tn_xmalloc(sizeof(*s) * (size_t)f->n);

		memcpy(s, f->v, sizeof(*s) * (size_t)f->n);
		qsort(s, (size_t)f->n, sizeof(*s), cmp_fact);
		for (long i = 1; i < f->n; i++)
			if (s[i].day == s[i - 1].day) {
				long first = s[i - 1].line, line = s[i].line;

				tn_date_format(s[i].day, d);
				free(s);
				return tn_err_set(err, TN_EINVALID, "%s:%ld: %s is listed twice "
						  "(first on line %ld)", fname, line, d, first);
			}
		free(s);
	}
	for (int k = 0; k < f->nyears; k++) {
		long i;

		for (i = 0; i < f->n && tn_date_year(f->v[i].day) != f->years[k]; i++)
			;
		if (i == f->n)
			return tn_err_set(err, TN_EINVALID, "%s:%ld: year %d lists no holiday; "
					  "is its notice published yet?", fname, f->year_line[k],
					  f->years[k]);
	}
	cal = tn_cal_new();
	for (int k = 0; k < f->nyears; k++)
		if (tn_cal_add_year(cal, f->years[k], err) != TN_OK) {
			tn_err_prefix(err, "%s:%ld", fname, f->year_line[k]);
			tn_cal_free(cal);
			return TN_EINVALID;
		}
	for (long i = 0; i < f->n; i++)
		tn_cal_set_day(cal, f->v[i].day, f->v[i].work, f->v[i].name, NULL);
	*out = cal;
	return TN_OK;
}

/* ---- the text format ---- */

static const char *skip_blank(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static const char *word_end(const char *p, const char *end)
{
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	return p;
}

/* One line [p, end) of the text format into f.  TN_OK or TN_EINVALID. */
static enum tn_code text_line(struct facts *f, const char *p, const char *end, long line,
			      const char *fname, struct tn_err *err)
{
	const char *w, *we, *k, *ke;
	char word[16];
	long day, v;

	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	p = skip_blank(p, end);
	if (p == end || *p == '#')
		return TN_OK;
	w = p;
	we = word_end(p, end);
	if ((size_t)(we - w) >= sizeof(word))
		return tn_err_set(err, TN_EINVALID, "%s:%ld: '%.*s' is neither a date (YYYY-MM-DD) "
				  "nor 'year'", fname, line, (int)(we - w > 40 ? 40 : we - w), w);
	memcpy(word, w, (size_t)(we - w));
	word[we - w] = '\0';
	k = skip_blank(we, end);
	ke = word_end(k, end);
	if (!strcmp(word, "year")) {
		char num[16];

		if (ke - k <= 0 || (size_t)(ke - k) >= sizeof(num) || skip_blank(ke, end) != end)
			goto bad_year;
		memcpy(num, k, (size_t)(ke - k));
		num[ke - k] = '\0';
		if (tn_parse_long(num, &v) < 0 || v < 1900 || v > 9999)
			goto bad_year;
		return year_add(f, (int)v, line, fname, err);
	}
	if (tn_date_parse(word, &day) < 0) {
		if (strlen(word) == 10 && word[4] == '-' && word[7] == '-')
			return tn_err_set(err, TN_EINVALID, "%s:%ld: %s is not a real date", fname,
					  line, word);
		return tn_err_set(err, TN_EINVALID, "%s:%ld: '%s' is neither a date (YYYY-MM-DD) "
				  "nor 'year'", fname, line, word);
	}
	if (!((ke - k == 3 && !memcmp(k, "off", 3)) || (ke - k == 4 && !memcmp(k, "work", 4))))
		return tn_err_set(err, TN_EINVALID, "%s:%ld: day kind '%.*s' is neither 'off' nor "
				  "'work'", fname, line, (int)(ke - k > 40 ? 40 : ke - k), k);
	w = skip_blank(ke, end);
	if (end - w > CALFILE_MAX_NAME)
		return tn_err_set(err, TN_EINVALID, "%s:%ld: the name is longer than %d bytes",
				  fname, line, CALFILE_MAX_NAME);
	if (f->n >= CALFILE_MAX_DAYS)
		return tn_err_set(err, TN_EINVALID, "%s:%ld: more than %d listed days", fname, line,
				  CALFILE_MAX_DAYS);
	fact_add(f, day, ke - k == 4, w, (size_t)(end - w), line);
	return TN_OK;
bad_year:
	return tn_err_set(err, TN_EINVALID, "%s:%ld: year '%.*s' is not valid (1900-9999)", fname,
			  line, (int)(end - k > 40 ? 40 : end - k), k);
}

static enum tn_code parse_text(struct facts *f, const char *text, size_t len, const char *fname,
			       struct tn_err *err)
{
	const char *p = text, *end = text + len;
	long line = 0;
	enum tn_code rc;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		line++;
		if (memchr(p, '\0', (size_t)(le - p)))
			return tn_err_set(err, TN_EINVALID, "%s:%ld: a NUL byte", fname, line);
		if (!tn_utf8_valid(p, (size_t)(le - p)))
			return tn_err_set(err, TN_EINVALID, "%s:%ld: not valid UTF-8", fname, line);
		if ((rc = text_line(f, p, le, line, fname, err)))
			return rc;
		p = nl ? nl + 1 : end;
	}
	return TN_OK;
}

/* ---- holiday-cn JSON ---- */

static long line_at(const char *text, size_t off)
{
	long line = 1;

	for (size_t i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

/*
 * The offsets where the elements of the top-level member "days" start, for
 * error lines.  The text is known to be valid JSON.  Returns how many were
 * found (at most max).
 */
static long day_offsets(const char *t, size_t len, size_t *off, long max)
{
	int depth = 0, in_days = 0, want_elem = 0, key_days = 0;
	long n = 0;

	for (size_t i = 0; i < len; i++) {
		char c = t[i];

		if (c == '"') {
			size_t s = i + 1;

			if (in_days && want_elem && depth == 2) {
				if (n < max)
					off[n] = i;
				n++;
				want_elem = 0;
			}
			for (i++; i < len && t[i] != '"'; i++)
				if (t[i] == '\\')
					i++;
			key_days = depth == 1 && i - s == 4 && !memcmp(t + s, "days", 4);
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':')
			continue;
		if (c == ',') {
			want_elem = in_days && depth == 2;
			continue;
		}
		if (in_days && want_elem && depth == 2 && c != ']') {
			if (n < max)
				off[n] = i;
			n++;
			want_elem = 0;
		}
		if (c == '{' || c == '[') {
			if (depth == 1 && c == '[' && key_days) {
				in_days = 1;
				want_elem = 1;
			}
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
			if (depth == 1)
				in_days = 0;
		}
		key_days = 0;
	}
	return n;
}

static enum tn_code parse_json(struct facts *f, const char *text, size_t len, const char *fname,
			       struct tn_err *err)
{
	jv v, year = jv_invalid(), days = jv_invalid();
	size_t *off = NULL, at = 0;
	long n = 0;
	enum tn_code rc = TN_OK;
	struct tn_err perr = TN_ERR_INIT;

	if (tn_json_parse_exact(text, len, 16, &v, &at, &perr) != TN_OK) {
		/* jq names the line of a grammar fault itself; else the offset's line */
		const char *l = strstr(perr.message, " at line ");
		long line = l ? strtol(l + 9, NULL, 10) : 0;

		return tn_err_set(err, TN_EINVALID, "%s:%ld: %s", fname,
				  line > 0 ? line : line_at(text, at), perr.message);
	}
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		rc = tn_err_set(err, TN_EINVALID, "%s:1: a holiday-cn file is one JSON object", fname);
		goto out;
	}
	year = tn_jv_get(v, "year");
	days = tn_jv_get(v, "days");
	if (jv_get_kind(year) != JV_KIND_NUMBER || jv_number_value(year) < 1900 ||
	    jv_number_value(year) > 9999 ||
	    jv_number_value(year) != (double)(int)jv_number_value(year)) {
		rc = tn_err_set(err, TN_EINVALID, "%s: \"year\" must be a year (1900-9999)", fname);
		goto out;
	}
	if (jv_get_kind(days) != JV_KIND_ARRAY) {
		rc = tn_err_set(err, TN_EINVALID, "%s: \"days\" must be an array", fname);
		goto out;
	}
	if ((rc = year_add(f, (int)jv_number_value(year), line_at(text, 0), fname, err)))
		goto out;
	n = jv_array_length(jv_copy(days));
	if (n > CALFILE_MAX_DAYS) {
		rc = tn_err_set(err, TN_EINVALID, "%s: more than %d days", fname, CALFILE_MAX_DAYS);
		goto out;
	}
	off = tn_xcalloc((size_t)n + 1, sizeof(*off));
	day_offsets(text, len, off, n);
	for (long i = 0; i < n && !rc; i++) {
		jv e = jv_array_get(jv_copy(days), (int)i), namev = jv_invalid();
		jv off_day = jv_invalid();
		long line = line_at(text, off[i]), day;
		const char *name, *date;

		if (jv_get_kind(e) != JV_KIND_OBJECT) {
			rc = tn_err_set(err, TN_EINVALID, "%s:%ld: days[%ld] is not an object", fname,
					line, i);
			jv_free(e);
			break;
		}
		/* both borrowed from e, which lives to the end of the iteration */
		name = tn_jv_str(e, "name");
		date = tn_jv_str(e, "date");
		namev = tn_jv_get(e, "name");
		off_day = tn_jv_get(e, "isOffDay");
		if (!date)
			rc = tn_err_set(err, TN_EINVALID, "%s:%ld: days[%ld].date is missing or not "
					"a string", fname, line, i);
		else if (tn_date_parse(date, &day) < 0)
			rc = tn_err_set(err, TN_EINVALID, "%s:%ld: days[%ld].date '%.40s' is not a "
					"real date (YYYY-MM-DD)", fname, line, i, date);
		else if (jv_get_kind(off_day) != JV_KIND_TRUE && jv_get_kind(off_day) != JV_KIND_FALSE)
			rc = tn_err_set(err, TN_EINVALID, "%s:%ld: days[%ld].isOffDay must be true or "
					"false", fname, line, i);
		else if (!name)
			rc = tn_err_set(err, TN_EINVALID, "%s:%ld: days[%ld].name is missing or not "
					"a string", fname, line, i);
		else if (strlen(name) > CALFILE_MAX_NAME ||
			 strlen(name) != (size_t)jv_string_length_bytes(jv_copy(namev)))
			rc = tn_err_set(err, TN_EINVALID, "%s:%ld: days[%ld].name is longer than %d "
					"bytes or holds a NUL", fname, line, i, CALFILE_MAX_NAME);
		else
			fact_add(f, day, jv_get_kind(off_day) == JV_KIND_FALSE, name, strlen(name),
				 line);
		jv_free(off_day);
		jv_free(namev);
		jv_free(e);
	}
out:
	free(off);
	jv_free(year);
	jv_free(days);
	jv_free(v);
	return rc;
}

enum tn_code tn_cal_parse(struct tn_cal **cal, const char *text, size_t len, const char *name,
			  struct tn_err *err)
{
	struct facts f;
	const char *p = text, *end = text + len;
	enum tn_code rc;

	*cal = NULL;
	memset(&f, 0, sizeof(f));
	if (len > (size_t)CALFILE_MAX)
		return tn_err_set(err, TN_EINVALID, "%s: larger than %ld bytes", name, CALFILE_MAX);
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		text += 3;              /* a byte-order mark, as some editors write */
		len -= 3;
	}
	for (p = text; p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'); p++)
		;
	if (p < end && *p == '{')
		rc = parse_json(&f, text, len, name, err);
	else
		rc = parse_text(&f, text, len, name, err);
	if (rc == TN_OK)
		rc = facts_build(&f, name, cal, err);
	facts_release(&f);
	return rc;
}

enum tn_code tn_cal_load(struct tn_cal **cal, const char *path, struct tn_err *err)
{
	struct tn_buf fpath = TN_BUF_INIT, text = TN_BUF_INIT;
	char chunk[65536];
	size_t n;
	enum tn_code rc = TN_OK;
	FILE *fp;

	*cal = NULL;
	if (!path) {
		tn_buf_addf(&fpath, "%s/calendar/cn.txt", tn_sharedir());
		path = fpath.buf;
	}
	if (!(fp = fopen(path, "r"))) {
		rc = tn_err_set(err, TN_EINVALID, "cannot read calendar '%s': %s", path, strerror(errno));
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		tn_buf_add(&text, chunk, n);
		if (text.len > (size_t)CALFILE_MAX)
			break;
	}
	if (ferror(fp))
		rc = tn_err_set(err, TN_EIO, "cannot read calendar '%s': %s", path, strerror(errno));
	fclose(fp);
	if (rc == TN_OK)
		rc = tn_cal_parse(cal, text.buf, text.len, path, err);
out:
	tn_buf_release(&text);
	tn_buf_release(&fpath);
	return rc;
}
