/* alert.c — alerts: severity scale, Shanghai's districts, validation and normalisation, table rows. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>


#include "tn_alert.h"
#include "tn_cap.h"
#include "tn_buf.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_out.h"
#include "tn_text.h"
#include "tnp_alert.h"

const struct tn_district tn_districts[TN_DISTRICT_COUNT] = {
	{ "310101", "黄浦区", "huangpu" },
	{ "310104", "徐汇区", "xuhui" },
	{ "310105", "长宁区", "changning" },
	{ "310106", "静安区", "jingan" },
	{ "310107", "普陀区", "putuo" },
	{ "310109", "虹口区", "hongkou" },
	{ "310110", "杨浦区", "yangpu" },
	{ "310112", "闵行区", "minhang" },
	{ "310113", "宝山区", "baoshan" },
	{ "310114", "嘉定区", "jiading" },
	{ "310115", "浦东新区", "pudong" },
	{ "310116", "金山区", "jinshan" },
	{ "310117", "松江区", "songjiang" },
	{ "310118", "青浦区", "qingpu" },
	{ "310120", "奉贤区", "fengxian" },
	{ "310151", "崇明区", "chongming" },
};

static const struct {
	const char *names[5];
} severity_names[4] = {
	{ { "blue", "minor", "蓝色", "蓝", NULL } },
	{ { "yellow", "moderate", "黄色", "黄", NULL } },
	{ { "orange", "severe", "橙色", "橙", NULL } },
	{ { "red", "extreme", "红色", "红", NULL } },
};

enum tn_severity tn_severity_parse(const char *s)
{
	if (!s)
		return TN_SEV_NONE;
	for (int i = 0; i < 4; i++)
		for (int k = 0; severity_names[i].names[k]; k++)
			if (!strcasecmp(s, severity_names[i].names[k]))
				return (enum tn_severity)i;
	return TN_SEV_NONE;
}

const char *tn_severity_name(enum tn_severity sev)
{
	static const char *names[] = { "blue", "yellow", "orange", "red" };

	return sev >= TN_SEV_BLUE && sev <= TN_SEV_RED ? names[sev] : "";
}

const char *tn_severity_cap(enum tn_severity sev)
{
	static const char *names[] = { "Minor", "Moderate", "Severe", "Extreme" };

	return sev >= TN_SEV_BLUE && sev <= TN_SEV_RED ? names[sev] : "Unknown";
}

/* The name without its last 区 (or 新区): "黄浦", "浦东"; into buf. */
static const char *short_name(const char *name, char *buf, size_t size)
{
	size_t n = strlen(name);
	static const char qu[] = "区", xinqu[] = "新区";

	if (n > strlen(xinqu) && !strcmp(name + n - strlen(xinqu), xinqu))
		n -= strlen(xinqu);
	else if (n > strlen(qu) && !strcmp(name + n - strlen(qu), qu))
		n -= strlen(qu);
	snprintf(buf, size, "%.*s", (int)n, name);
	return buf;
}

const struct tn_district *tn_district_find(const char *s)
{
	char buf[64];

	if (!s || !*s)
		return NULL;
	for (int i = 0; i < TN_DISTRICT_COUNT; i++) {
		const struct tn_district *d = &tn_districts[i];

		if (!strcmp(s, d->code) || !strcmp(s, d->name) || !strcasecmp(s, d->pinyin) ||
		    !strcmp(s, short_name(d->name, buf, sizeof(buf))))
			return d;
	}
	return NULL;
}

const struct tn_district *tn_district_in_text(const char *text)
{
	char buf[64];

	if (!text)
		return NULL;
	for (int i = 0; i < TN_DISTRICT_COUNT; i++)
		if (strstr(text, tn_districts[i].name))
			return &tn_districts[i];
	for (int i = 0; i < TN_DISTRICT_COUNT; i++)
		if (strstr(text, short_name(tn_districts[i].name, buf, sizeof(buf))))
			return &tn_districts[i];
	return NULL;
}

int tn_alert_kind_valid(const char *kind)
{
	size_t n;

	if (!kind || !islower((unsigned char)kind[0]))
		return 0;
	n = strlen(kind);
	if (n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)kind[i];
		if (!(islower(c) || isdigit(c) || c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

int tn_time_valid(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, se, oh, om, dim;
	const char *p;

	if (!s || strlen(s) < 20)
		return 0;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
		return 0;
	if (mo < 1 || mo > 12 || h > 23 || mi > 59 || se > 60)
		return 0;
	dim = mdays[mo - 1];
	if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		dim = 29;
	if (d < 1 || d > dim)
		return 0;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z')
		return p[1] == '\0';
	if ((*p != '+' && *p != '-') || strlen(p) != 6 || !digits(p + 1, 2, &oh) || p[3] != ':' ||
	    !digits(p + 4, 2, &om))
		return 0;
	return oh <= 23 && om <= 59;
}



static const char *const server_members[] = {
	"id", "seq", "status", "raised_at", "raised_by", "dispatched_at", "crew",
	"acknowledged_at", "resolved_at", "closed_at", "evaluation", "updated_at",
	"district_name", "event", "action", "actor", "kind_name", "street_name", "updates",
	"cancelled", NULL
};

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

/* A number, or a string holding a whole decimal number; into *out.  0 ok, -1 not one. */
static int number_of(jv v, double *out)
{
	if (jv_get_kind(v) == JV_KIND_NUMBER) {
		*out = jv_number_value(v);
		return isfinite(*out) ? 0 : -1;
	}
	if (jv_get_kind(v) == JV_KIND_STRING) {
		const char *s = jv_string_value(v);
		char *end;

		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			return -1;
		*out = strtod(s, &end);
		while (isspace((unsigned char)*end))
			end++;
		return *end || !isfinite(*out) ? -1 : 0;
	}
	return -1;
}

/* An identifier member: a string of 1..128 printable characters (a whole number becomes one). */
static enum tn_code ident(jv *obj, const char *name, struct tn_err *err)
{
	jv v = jv_object_get(jv_copy(*obj), jv_string(name));
	enum tn_code rc = TN_OK;

	if (jv_get_kind(v) == JV_KIND_NUMBER) {
		double d = jv_number_value(v);
		char buf[32];

		if (d != floor(d) || fabs(d) >= 9007199254740992.0) {
			jv_free(v);
			return tn_err_set(err, TN_EINVALID, "%s: must be a string", name);
		}
		snprintf(buf, sizeof(buf), "%.0f", d);
		jv_free(v);
		v = jv_string(buf);
		*obj = jv_object_set(*obj, jv_string(name), jv_copy(v));
	}
	if (jv_get_kind(v) != JV_KIND_STRING) {
		rc = tn_err_set(err, TN_EINVALID, "%s: missing or not a string", name);
	} else {
		const char *s = jv_string_value(v);
		size_t n = strlen(s);

		if (n == 0 || n > 128)
			rc = tn_err_set(err, TN_EINVALID, "%s: must be 1 to 128 characters", name);
		else if (tn_ctl_span(s, n, 0) < n)
			rc = tn_err_set(err, TN_EINVALID, "%s: control characters are not allowed", name);
	}
	jv_free(v);
	return rc;
}

/* An optional text member of at most `max` characters. */
static enum tn_code text_member(jv *obj, const char *name, size_t max, struct tn_err *err)
{
	jv v = jv_object_get(jv_copy(*obj), jv_string(name));
	enum tn_code rc = TN_OK;

	if (jv_get_kind(v) == JV_KIND_INVALID || jv_get_kind(v) == JV_KIND_NULL)
		;
	else if (jv_get_kind(v) != JV_KIND_STRING)
		rc = tn_err_set(err, TN_EINVALID, "%s: must be a string", name);
	else if (tn_utf8_chars(jv_string_value(v)) > max)
		rc = tn_err_set(err, TN_EINVALID, "%s: longer than %zu characters", name, max);
	jv_free(v);
	return rc;
}

/* An optional number member; numeric strings become numbers. */
static enum tn_code number_member(jv *obj, const char *name, const char *shown, double lo,
				  double hi, struct tn_err *err)
{
	jv v = jv_object_get(jv_copy(*obj), jv_string(name));
	double d;

	if (jv_get_kind(v) == JV_KIND_INVALID || jv_get_kind(v) == JV_KIND_NULL) {
		jv_free(v);
		return TN_OK;
	}
	if (number_of(v, &d) < 0) {
		jv_free(v);
		return tn_err_set(err, TN_EINVALID, "%s: must be a number", shown);
	}
	jv_free(v);
	if (d < lo || d > hi)
		return tn_err_set(err, TN_EINVALID, "%s: %g is out of range (%g to %g)", shown, d, lo, hi);
	*obj = jv_object_set(*obj, jv_string(name), jv_number(d));
	return TN_OK;
}

static enum tn_code check_location(jv *alert, struct tn_err *err)
{
	jv loc = jv_object_get(jv_copy(*alert), jv_string("location")), snap;
	enum tn_code rc = TN_OK;
	int has_lat, has_lon;

	if (jv_get_kind(loc) == JV_KIND_INVALID || jv_get_kind(loc) == JV_KIND_NULL) {
		jv_free(loc);
		return TN_OK;
	}
	if (jv_get_kind(loc) != JV_KIND_OBJECT) {
		jv_free(loc);
		return tn_err_set(err, TN_EINVALID, "location: must be an object {lat, lon, address}");
	}
	snap = jv_copy(loc);
	jv_object_foreach(snap, key, val) {   /* the macro borrows snap */
		const char *k = jv_string_value(key);
		if (rc == TN_OK && strcmp(k, "lat") && strcmp(k, "lon") && strcmp(k, "address"))
			rc = tn_err_set(err, TN_EINVALID, "location.%s: unknown member", k);
		else if (jv_get_kind(val) == JV_KIND_NULL)
			loc = jv_object_delete(loc, jv_copy(key));
		jv_free(key);
		jv_free(val);
	}
	jv_free(snap);
	if (rc == TN_OK)
		rc = number_member(&loc, "lat", "location.lat", -90, 90, err);
	if (rc == TN_OK)
		rc = number_member(&loc, "lon", "location.lon", -180, 180, err);
	if (rc == TN_OK)
		rc = text_member(&loc, "address", 200, err);
	if (rc == TN_OK) {
		has_lat = jv_object_has(jv_copy(loc), jv_string("lat"));
		has_lon = jv_object_has(jv_copy(loc), jv_string("lon"));
		if (has_lat != has_lon)
			rc = tn_err_set(err, TN_EINVALID, "location: lat and lon come together");
	}
	if (rc == TN_OK && jv_object_length(jv_copy(loc)) == 0)
		*alert = jv_object_delete(*alert, jv_string("location"));
	else if (rc == TN_OK)
		*alert = jv_object_set(*alert, jv_string("location"), jv_copy(loc));
	jv_free(loc);
	return rc;
}

/* Members in the order the contract lists them; absent ones left out. */
static jv ordered(jv alert)
{
	jv out = jv_object();

	for (const char *const *m = tn_alert_members; *m; m++) {
		jv v = jv_object_get(jv_copy(alert), jv_string(*m));
		if (jv_is_valid(v))
			out = jv_object_set(out, jv_string(*m), v);
		else
			jv_free(v);
	}
	jv_free(alert);
	return out;
}

static enum tn_code normalize(jv *a, int derive, struct tn_err *err)
{
	enum tn_code rc = TN_OK;
	jv v, snap = jv_copy(*a);

	/* unknown and server-owned members; nulls dropped */
	jv_object_foreach(snap, key, val) {   /* the macro borrows snap */
		const char *k = jv_string_value(key);
		int drop = jv_get_kind(val) == JV_KIND_NULL || in_list(server_members, k);

		if (rc == TN_OK && !drop && !in_list(tn_alert_members, k))
			rc = tn_err_set(err, TN_EINVALID, "%s: unknown member", k);
		else if (drop)
			*a = jv_object_delete(*a, jv_copy(key));
		jv_free(key);
		jv_free(val);
	}
	jv_free(snap);
	if (rc)
		return rc;
	tnp_alert_fill(a);      /* kind from event_text, district from street */
	if ((rc = ident(a, "source", err)))
		return rc;
	v = jv_object_get(jv_copy(*a), jv_string("source_id"));
	if (!jv_is_valid(v) && !derive) {
		jv_free(v);
		return tn_err_set(err, TN_EINVALID, "source_id: missing");
	}
	if (jv_is_valid(v) && (rc = ident(a, "source_id", err))) {
		jv_free(v);
		return rc;
	}
	jv_free(v);

	v = jv_object_get(jv_copy(*a), jv_string("kind"));
	if (jv_get_kind(v) != JV_KIND_STRING) {
		jv_free(v);
		return tn_err_set(err, TN_EINVALID, "kind: missing or not a string");
	} else {
		char *lower = tn_xstrdup(jv_string_value(v));
		for (char *p = lower; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!tn_alert_kind_valid(lower)) {
			rc = tn_err_set(err, TN_EINVALID,
					"kind: '%s' is not a kind (a letter, then letters, digits, '_', '.' or '-', at most 64)",
					jv_string_value(v));
			free(lower);
			jv_free(v);
			return rc;
		}
		*a = jv_object_set(*a, jv_string("kind"), jv_string(lower));
		free(lower);
	}
	jv_free(v);

	v = jv_object_get(jv_copy(*a), jv_string("severity"));
	if (jv_get_kind(v) != JV_KIND_STRING) {
		jv_free(v);
		return tn_err_set(err, TN_EINVALID, "severity: missing or not a string");
	} else {
		enum tn_severity sev = tn_severity_parse(jv_string_value(v));
		if (sev == TN_SEV_NONE) {
			rc = tn_err_set(err, TN_EINVALID,
					"severity: '%s' is not a severity (blue, yellow, orange, red; or CAP's Minor, Moderate, Severe, Extreme)",
					jv_string_value(v));
			jv_free(v);
			return rc;
		}
		*a = jv_object_set(*a, jv_string("severity"), jv_string(tn_severity_name(sev)));
	}
	jv_free(v);

	v = jv_object_get(jv_copy(*a), jv_string("district"));
	if (jv_get_kind(v) == JV_KIND_NUMBER) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%.0f", jv_number_value(v));
		jv_free(v);
		v = jv_string(buf);
	}
	if (jv_get_kind(v) != JV_KIND_STRING) {
		jv_free(v);
		return tn_err_set(err, TN_EINVALID, "district: missing or not a string");
	} else {
		const struct tn_district *d = tn_district_find(jv_string_value(v));
		if (!d) {
			rc = tn_err_set(err, TN_EINVALID,
					"district: '%s' is not one of Shanghai's 16 districts (a code such as 310101, a name or its pinyin)",
					jv_string_value(v));
			jv_free(v);
			return rc;
		}
		*a = jv_object_set(*a, jv_string("district"), jv_string(d->code));
	}
	jv_free(v);

	if ((rc = check_location(a, err)) ||
	    (rc = number_member(a, "value", "value", -HUGE_VAL, HUGE_VAL, err)) ||
	    (rc = number_member(a, "threshold", "threshold", -HUGE_VAL, HUGE_VAL, err)) ||
	    (rc = text_member(a, "unit", 16, err)) ||
	    (rc = text_member(a, "headline", 200, err)) ||
	    (rc = text_member(a, "text", 4000, err)))
		return rc;
	/* what a CAP document said beyond the members (capwrite.c) */
	v = jv_object_get(jv_copy(*a), jv_string("cap"));
	rc = jv_is_valid(v) ? tn_cap_details_check(v, NULL, 0, err) : TN_OK;
	jv_free(v);
	if (rc || (rc = tnp_alert_extra(a, 1, err)))
		return rc;
	for (const char *const *t = (const char *const[]){ "sent_at", "onset_at", "expires_at", NULL };
	     *t; t++) {
		v = jv_object_get(jv_copy(*a), jv_string(*t));
		if (jv_is_valid(v) && (jv_get_kind(v) != JV_KIND_STRING || !tn_time_valid(jv_string_value(v)))) {
			rc = tn_err_set(err, TN_EINVALID,
					"%s: not an RFC 3339 time with offset (2026-07-01T10:00:00+08:00)", *t);
			jv_free(v);
			return rc;
		}
		jv_free(v);
	}
	*a = ordered(*a);
	if (!jv_object_has(jv_copy(*a), jv_string("source_id"))) {
		struct tn_buf s = TN_BUF_INIT;
		char id[48];

		tn_json_dump_sorted(*a, &s);    /* jv_dump_string(JV_PRINT_SORTED)'s bytes */
		tn_idem_key_derive("sha256:", s.buf ? s.buf : "", s.len, 32, id, sizeof(id));
		tn_buf_release(&s);
		*a = jv_object_set(*a, jv_string("source_id"), jv_string(id));
		*a = ordered(*a);
	}
	return TN_OK;
}

enum tn_code tn_alert_normalize(jv in, int derive_source_id, jv *out, struct tn_err *err)
{
	enum tn_code rc;

	if (jv_get_kind(in) != JV_KIND_OBJECT) {
		jv_free(in);
		return tn_err_set(err, TN_EINVALID, "an alert must be a JSON object");
	}
	rc = normalize(&in, derive_source_id, err);
	if (rc) {
		jv_free(in);
		return rc;
	}
	*out = in;
	return TN_OK;
}

int tn_alert_spec_any(const struct tn_alert_spec *s)
{
	const char *const *m = (const char *const *)s;

	for (size_t i = 0; i < sizeof(*s) / sizeof(const char *); i++)
		if (m[i])
			return 1;
	return 0;
}

static enum tn_code set_number(jv *body, jv *loc, const char *member, const char *flag,
			       const char *arg, struct tn_err *err)
{
	double d;
	jv s = jv_string(arg);

	if (number_of(s, &d) < 0) {
		jv_free(s);
		return tn_err_set(err, TN_EUSAGE, "%s takes a number, not '%s'", flag, arg);
	}
	jv_free(s);
	if (loc)
		*loc = jv_object_set(*loc, jv_string(member), jv_number(d));
	else
		*body = jv_object_set(*body, jv_string(member), jv_number(d));
	return TN_OK;
}

enum tn_code tn_alert_apply_spec(jv body, const struct tn_alert_spec *s, jv *out,
				 struct tn_err *err)
{
	enum tn_code rc = TN_OK;
	jv loc;
	const struct {
		const char *member, *value;
	} strs[] = {
		{ "source", s->source }, { "source_id", s->source_id }, { "kind", s->kind },
		{ "severity", s->severity }, { "district", s->district }, { "unit", s->unit },
		{ "headline", s->headline }, { "text", s->text }, { "sent_at", s->sent_at },
		{ "onset_at", s->onset_at }, { "expires_at", s->expires_at },
	};

	if (jv_get_kind(body) == JV_KIND_NULL) {
		jv_free(body);
		body = jv_object();
	}
	if (jv_get_kind(body) != JV_KIND_OBJECT) {
		jv_free(body);
		return tn_err_set(err, TN_EINVALID, "an alert must be a JSON object");
	}
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strs[i].value)
			body = jv_object_set(body, jv_string(strs[i].member), jv_string(strs[i].value));
	if (s->value)
		rc = set_number(&body, NULL, "value", "--value", s->value, err);
	if (!rc && s->threshold)
		rc = set_number(&body, NULL, "threshold", "--threshold", s->threshold, err);
	if (!rc && (s->lat || s->lon || s->address)) {
		loc = jv_object_get(jv_copy(body), jv_string("location"));
		if (jv_get_kind(loc) != JV_KIND_OBJECT) {
			jv_free(loc);
			loc = jv_object();
		}
		if (s->lat)
			rc = set_number(&body, &loc, "lat", "--lat", s->lat, err);
		if (!rc && s->lon)
			rc = set_number(&body, &loc, "lon", "--lon", s->lon, err);
		if (!rc && s->address)
			loc = jv_object_set(loc, jv_string("address"), jv_string(s->address));
		body = jv_object_set(body, jv_string("location"), loc);
	}
	if (rc) {
		jv_free(body);
		return rc;
	}
	*out = body;
	return TN_OK;
}

long long tn_alert_ll(jv alert, const char *member)
{
	jv v = tn_jv_get(alert, member);
	long long r = -1;

	if (jv_get_kind(v) == JV_KIND_NUMBER) {
		double d = jv_number_value(v);
		if (d >= 0 && d < 9007199254740992.0 && d == floor(d))
			r = (long long)d;
	}
	jv_free(v);
	return r;
}

/* A string member, borrowed from `alert` (tn_jv_str), or "". */
static const char *str_of(jv alert, const char *member)
{
	const char *s = tn_jv_str(alert, member);

	return s ? s : "";
}

static const char *sev_color(enum tn_severity sev)
{
	switch (sev) {
	case TN_SEV_RED: return "\033[1;31m";
	case TN_SEV_ORANGE: return "\033[38;5;208m";
	case TN_SEV_YELLOW: return "\033[33m";
	case TN_SEV_BLUE: return "\033[34m";
	default: return "";
	}
}

#define COL_SEQ 8
#define COL_TIME 8
#define COL_SEV 6
#define COL_DIST 8
#define COL_KIND 14
#define COL_STATUS 12

void tn_alert_table_header(struct tn_buf *b, int width)
{
	struct tn_buf line = TN_BUF_INIT;

	tn_buf_addf(&line, "%*s  %-*s  %-*s  %-*s  %-*s  %-*s  %s", COL_SEQ, "SEQ", COL_TIME, "TIME",
		    COL_SEV, "SEV", COL_DIST, "DISTRICT", COL_KIND, "KIND", COL_STATUS, "STATUS",
		    "HEADLINE");
	tn_fit_width(b, line.buf, width > 0 ? width : 100000, 0);
	tn_buf_release(&line);
}

void tn_alert_format_row(struct tn_buf *b, jv alert, int width, int color)
{
	const char *t = str_of(alert, "updated_at");
	const char *sevs = str_of(alert, "severity");
	const char *dist = str_of(alert, "district");
	const char *kind = str_of(alert, "kind");
	const char *status = str_of(alert, "status");
	const char *head = str_of(alert, "headline");
	const char *raised = str_of(alert, "raised_at");
	const struct tn_district *d = tn_district_find(dist);
	enum tn_severity sev = tn_severity_parse(sevs);
	long long seq = tn_alert_ll(alert, "seq");
	char hhmmss[16] = "";
	int used;

	if (!*t)
		t = raised;
	if (strlen(t) >= 19)
		snprintf(hhmmss, sizeof(hhmmss), "%.8s", t + 11);
	if (seq < 0)
		seq = tn_alert_ll(alert, "id");
	if (seq >= 0)
		tn_buf_addf(b, "%*lld  %-*s  ", COL_SEQ, seq, COL_TIME, hhmmss);
	else
		tn_buf_addf(b, "%*s  %-*s  ", COL_SEQ, "", COL_TIME, hhmmss);
	if (color && sev != TN_SEV_NONE)
		tn_buf_adds(b, sev_color(sev));
	tn_fit_width(b, sevs, COL_SEV, 1);
	if (color && sev != TN_SEV_NONE)
		tn_buf_adds(b, "\033[0m");
	tn_buf_adds(b, "  ");
	tn_fit_width(b, d ? d->name : dist, COL_DIST, 1);
	tn_buf_adds(b, "  ");
	tn_fit_width(b, kind, COL_KIND, 1);
	tn_buf_adds(b, "  ");
	tn_fit_width(b, status, COL_STATUS, 1);
	tn_buf_adds(b, "  ");
	used = COL_SEQ + COL_TIME + COL_SEV + COL_DIST + COL_KIND + COL_STATUS + 12;
	tn_fit_width(b, head, width > used ? width - used : (width > 0 ? 1 : 100000), 0);
}

enum tn_code tn_time_since(const char *arg, char *out, size_t size, struct tn_err *err)
{
	time_t t = time(NULL);
	struct tm tm;
	char z[8];
	int y, mo, d;
	size_t n = arg ? strlen(arg) : 0;

	if (n && tn_time_valid(arg)) {
		snprintf(out, size, "%s", arg);
		return TN_OK;
	}
	memset(&tm, 0, sizeof(tm));
	if (n == 10 && digits(arg, 4, &y) && arg[4] == '-' && digits(arg + 5, 2, &mo) &&
	    arg[7] == '-' && digits(arg + 8, 2, &d)) {
		char probe[40];

		snprintf(probe, sizeof(probe), "%sT00:00:00+08:00", arg);
		if (!tn_time_valid(probe))
			return tn_err_set(err, TN_EUSAGE, "'%s' is not a real date", arg);
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_isdst = -1;
		t = mktime(&tm);
	} else if (n >= 2 && strchr("smhd", arg[n - 1])) {
		char num[32];
		long v;
		long mult = arg[n - 1] == 's' ? 1 : arg[n - 1] == 'm' ? 60 : arg[n - 1] == 'h' ? 3600 : 86400;

		snprintf(num, sizeof(num), "%.*s", (int)(n - 1), arg);
		if (tn_parse_long(num, &v) < 0 || v < 0 || v > 3650L * 86400 / mult)
			return tn_err_set(err, TN_EUSAGE,
					  "'%s' is not a time (RFC 3339, YYYY-MM-DD, or N s/m/h/d ago)", arg);
		t -= (time_t)(v * mult);
	} else {
		return tn_err_set(err, TN_EUSAGE,
				  "'%s' is not a time (RFC 3339, YYYY-MM-DD, or N s/m/h/d ago)",
				  arg ? arg : "");
	}
	localtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(z, sizeof(z), "%z", &tm);
	if (strlen(z) == 5 && strlen(out) + 7 <= size)
		snprintf(out + strlen(out), size - strlen(out), "%.3s:%s", z, z + 3);
	return TN_OK;
}
