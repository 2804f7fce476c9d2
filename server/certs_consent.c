/* certs_consent.c — who may read a holder's certificates: the reader matrix, consent tokens and codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_case.h"
#include "tn_cli.h"
#include "tn_id.h"
#include "certs.h"
#include "store_certs.h"
#include "twonetd.h"
#include "jvutil.h"

#define CODE_TTL 600            /* a consent code lives 10 minutes */
#define CODE_LIVE_MAX 5         /* unused codes a holder may have at once */
#define CODE_CHARS TN_CERT_CODE_LEN /* 60 bits: too many to guess in its life */

/* ---- small helpers ---- */

/* Parse an RFC 3339 time ("2026-12-01T00:00:00+08:00", "...Z", fractions); -1 when malformed. */
static int parse_rfc3339(const char *s, long long *epoch)
{
	int y, mo, d, h, mi, sec, n = 0, oh, om;
	long days;
	char date[11];
	const char *p;
	long long off = 0;

	if (strlen(s) < 20 || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
	    n != 19 || (s[10] != 'T' && s[10] != 't'))
		return -1;
	snprintf(date, sizeof(date), "%.10s", s);
	if (tn_date_parse(date, &days) != 0 || h > 23 || mi > 59 || sec > 60)
		return -1;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		off = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
		   sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 && oh <= 23 && om <= 59) {
		off = (oh * 3600LL + om * 60LL) * (*p == '-' ? -1 : 1);
	} else {
		return -1;
	}
	*epoch = days * 86400LL + h * 3600LL + mi * 60LL + sec - off;
	return 0;
}

static void random_hex(char *out, size_t bytes)
{
	unsigned char raw[32];

	if (bytes > sizeof(raw))
		bytes = sizeof(raw);
	if (RAND_bytes(raw, (int)bytes) != 1)
		memset(raw, 0, sizeof(raw));
	for (size_t i = 0; i < bytes; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

int certs_str_member(struct req *q, jv body, const char *key, long max, int newline,
		     const char **out, jv *hold)
{
	jv_kind k;
	const char *s;

	*out = NULL;
	*hold = jv_get_kind(body) == JV_KIND_OBJECT ? jv_object_get(jv_copy(body), jv_string(key))
						    : jv_invalid();
	k = jv_get_kind(*hold);
	if (k == JV_KIND_INVALID || k == JV_KIND_NULL)
		return 0;
	if (k != JV_KIND_STRING) {
		reply_problem(q, 422, key, "%s must be a string", key);
		return -1;
	}
	s = jv_string_value(*hold);
	if ((size_t)jv_string_length_bytes(jv_copy(*hold)) != strlen(s)) {
		reply_problem(q, 422, key, "%s holds a NUL character", key);
		return -1;
	}
	for (const char *p = s; *p; p++)
		if ((((unsigned char)*p < 0x20 && !(newline && *p == '\n')) || *p == 0x7f)) {
			reply_problem(q, 422, key, "%s holds a control character", key);
			return -1;
		}
	if ((long)tn_utf8_chars(s) > max) {
		reply_problem(q, 422, key, "%s is longer than %ld characters", key, max);
		return -1;
	}
	*out = s;
	return 0;
}

/* ---- the scenarios of kinds.yaml: the kinds each reader scenario may ask for ---- */

static jv scen_doc;
static int scen_loaded;

/* {"hospital":{"name":..,"kinds":["<21-char code>",..]},..} (borrowed), or jv_invalid(). */
static jv scenarios(void)
{
	struct tn_buf path = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	jv doc, list;

	if (scen_loaded)
		return scen_doc;
	scen_loaded = 1;
	scen_doc = jv_invalid();
	tn_buf_addf(&path, "%s/certs/kinds.yaml", tn_sharedir());
	if (tn_case_read_file(path.buf, &doc, &err) != TN_OK) {
		fprintf(stderr, "twonetd: error: %s\n", err.message);
		tn_buf_release(&path);
		return scen_doc;
	}
	list = tn_jv_get(doc, "scenarios");
	if (jv_get_kind(list) == JV_KIND_OBJECT) {
		jv out = jv_object();

		jv_object_foreach(list, name, sc) {
			jv kinds = tn_jv_get(sc, "kinds"), codes = jv_array();
			int n = jv_get_kind(kinds) == JV_KIND_ARRAY ? jv_array_length(jv_copy(kinds)) : 0;
			char code[22];

			for (int i = 0; i < n; i++) {
				jv k = jv_array_get(jv_copy(kinds), i);

				if (jv_get_kind(k) == JV_KIND_STRING &&
				    certs_kind_code(jv_string_value(k), code) == 0)
					codes = jv_array_append(codes, jv_string(code));
				else
					fprintf(stderr, "twonetd: error: %s: scenario '%s': unknown kind\n",
						path.buf, jv_string_value(name));
				jv_free(k);
			}
			jv_free(kinds);
			out = jv_object_set(out, name, jv_object_set(jv_object_set(jv_object(),
					    jv_string("name"), tn_jv_get(sc, "name")), jv_string("kinds"), codes));
			jv_free(sc);
		}
		scen_doc = out;
	} else {
		fprintf(stderr, "twonetd: error: %s: no 'scenarios' mapping\n", path.buf);
	}
	jv_free(list);
	jv_free(doc);
	tn_buf_release(&path);
	return scen_doc;
}

int certs_scenario_known(const char *name)
{
	jv all = scenarios(), sc;
	int ok;

	if (jv_get_kind(all) != JV_KIND_OBJECT)
		return 0;
	sc = jv_object_get(jv_copy(all), jv_string(name));
	ok = jv_get_kind(sc) == JV_KIND_OBJECT;
	jv_free(sc);
	return ok;
}

void certs_scenario_names(char *out, size_t size)
{
	jv all = scenarios();
	size_t n = 0;

	out[0] = '\0';
	if (jv_get_kind(all) != JV_KIND_OBJECT)
		return;
	jv_object_foreach(all, name, sc) {
		if (n < size)
			n += (size_t)snprintf(out + n, size - n, "%s%s", n ? "|" : "", jv_string_value(name));
		jv_free(name);
		jv_free(sc);
	}
}

int certs_scenario_allows(const char *scenario, const char *kind)
{
	jv all = scenarios(), sc, kinds;
	int ok = 0, n;
	char code[22];

	if (!scenario || !kind || jv_get_kind(all) != JV_KIND_OBJECT || certs_kind_code(kind, code) < 0)
		return 0;
	sc = jv_object_get(jv_copy(all), jv_string(scenario));
	kinds = jv_get_kind(sc) == JV_KIND_OBJECT ? tn_jv_get(sc, "kinds") : jv_array();
	n = jv_get_kind(kinds) == JV_KIND_ARRAY ? jv_array_length(jv_copy(kinds)) : 0;
	for (int i = 0; i < n && !ok; i++) {
		jv k = jv_array_get(jv_copy(kinds), i);

		ok = strcmp(jv_string_value(k), code) == 0;
		jv_free(k);
	}
	jv_free(kinds);
	jv_free(sc);
	return ok;
}

int certs_reader_kind_ok(struct req *q, const char *kind)
{
	struct tn_err err = TN_ERR_INIT;
	const char *tok = req_header(q, "X-Consent-Token");
	char hex[65], code[22], *granted = NULL;
	int ok;

	if (!req_role(q, "reader"))
		return 1;
	if (!certs_scenario_allows(q->tok.dept, kind) || !tok || certs_kind_code(kind, code) < 0)
		return 0;
	/* and among the kinds the holder granted (NULL: all of the scenario's) */
	tn_sha256_hex(tok, strlen(tok), hex);
	if (store_consent_kinds(q->srv->st, hex, &granted, &err) != TN_OK)
		return 0;
	if (!granted)
		return 1;
	{
		jv list = jv_parse(granted);
		int n = jv_get_kind(list) == JV_KIND_ARRAY ? jv_array_length(jv_copy(list)) : 0;

		ok = 0;
		for (int i = 0; i < n && !ok; i++) {
			jv k = jv_array_get(jv_copy(list), i);

			ok = jv_get_kind(k) == JV_KIND_STRING && strcmp(jv_string_value(k), code) == 0;
			jv_free(k);
		}
		jv_free(list);
	}
	free(granted);
	return ok;
}

/*
 * The "kinds" of a grant for `scenario`: NULL (reply sent) when one is not a
 * kind or not one of the scenario's; else a new array of kind codes, or
 * jv_null() when absent or every kind of the scenario.
 */
static jv grant_kinds(struct req *q, jv body, const char *scenario, int *failed)
{
	jv in = jv_get_kind(body) == JV_KIND_OBJECT ? jv_object_get(jv_copy(body), jv_string("kinds"))
						    : jv_invalid();
	jv sc, all, out = jv_array();
	int n, total;
	char code[22];

	*failed = 0;
	if (jv_get_kind(in) == JV_KIND_INVALID || jv_get_kind(in) == JV_KIND_NULL) {
		jv_free(in);
		jv_free(out);
		return jv_null();
	}
	if (jv_get_kind(in) != JV_KIND_ARRAY || (n = jv_array_length(jv_copy(in))) == 0 || n > 64) {
		reply_problem(q, 422, "kinds", "kinds must be a list of 1 to 64 certificate kinds");
		goto bad;
	}
	for (int i = 0; i < n; i++) {
		jv k = jv_array_get(jv_copy(in), i);
		int good = jv_get_kind(k) == JV_KIND_STRING && strlen(jv_string_value(k)) < 40;

		if (good && certs_kind_code(jv_string_value(k), code) < 0) {
			reply_problem(q, 422, "kinds", "kinds: unknown certificate kind '%s'",
				      jv_string_value(k));
			jv_free(k);
			goto bad;
		}
		if (good && !certs_scenario_allows(scenario, code)) {
			reply_problem(q, 422, "kinds", "kinds: '%s' is not a kind scenario '%s' may ask "
				      "for", jv_string_value(k), scenario);
			jv_free(k);
			goto bad;
		}
		jv_free(k);
		if (!good) {
			reply_problem(q, 422, "kinds", "kinds must be a list of certificate kinds");
			goto bad;
		}
		if (!jv_equal(jv_copy(out), jv_array()) &&
		    jv_contains(jv_copy(out), jv_array_append(jv_array(), jv_string(code))))
			continue;
		out = jv_array_append(out, jv_string(code));
	}
	jv_free(in);
	sc = jv_object_get(jv_copy(scenarios()), jv_string(scenario));
	all = tn_jv_get(sc, "kinds");
	total = jv_get_kind(all) == JV_KIND_ARRAY ? jv_array_length(jv_copy(all)) : 0;
	jv_free(all);
	jv_free(sc);
	if (jv_array_length(jv_copy(out)) == total) {
		jv_free(out);
		return jv_null();
	}
	return out;
bad:
	*failed = 1;
	jv_free(in);
	jv_free(out);
	return jv_null();
}

/* ---- one-time consent codes ---- */

/*
 * Redeem the code `text` for `holder` by the calling clerk at `now`: *ok = 1
 * when it is good (see store_code_redeem), 0 when not, whatever the reason.
 * -1 on a storage error (err set).
 */
static int redeem(struct req *q, const char *holder, const char *text, long long now, int *ok,
		  struct tn_err *err)
{
	char norm[CODE_CHARS + 1], hex[65];

	*ok = 0;
	if (!holder || tn_cert_code_normalize(text, norm, NULL) != TN_OK)
		return 0;
	tn_sha256_hex(norm, strlen(norm), hex);
	if (store_code_redeem(q->srv->st, hex, holder, q->tok.id, q->tok.dept ? q->tok.dept : "",
			      now, ok, err) != TN_OK)
		return -1;
	return 0;
}

/* The X-Consent-Code header, or NULL when absent or empty. */
static const char *consent_code(struct req *q)
{
	const char *c = req_header(q, "X-Consent-Code");

	return c && *c ? c : NULL;
}

int certs_case_consent(struct req *q, jv applicant)
{
	struct tn_err err = TN_ERR_INIT;
	const char *text = consent_code(q), *holder;
	int ok, rc;

	if (!text || !req_role(q, "clerk"))
		return 0;
	holder = tn_jv_str(applicant, "id");
	rc = redeem(q, holder, text, (long long)time(NULL), &ok, &err);
	if (rc < 0) {
		reply_error(q, &err);
		return -1;
	}
	if (!ok) {
		reply_problem(q, 403, "X-Consent-Code", "the consent code is not good for this applicant "
			      "(codes are the applicant's own, live %d minutes and serve one clerk)",
			      CODE_TTL / 60);
		return -1;
	}
	return 0;
}

/* POST /v1/consents/codes: the holder (an applicant token with a subject) makes a one-time code. */
void certs_post_code(struct req *q, const char *arg)
{
	static const char *const keys[] = { NULL };
	struct tn_err err = TN_ERR_INIT;
	struct store_code c;
	char code[CODE_CHARS + 1], shown[CODE_CHARS + 3], hex[65], now[40], exp[40], *bad;
	unsigned char raw[CODE_CHARS];
	long long t = (long long)time(NULL);
	size_t blen;
	jv out;

	if (!q->tok.subject) {  /* the router let only applicants through */
		reply_problem(q, 403, NULL, "only a holder (an applicant token with a subject) makes "
			      "consent codes");
		return;
	}
	http_req_body(q->r, &blen);
	if (blen > 0) {
		jv body;

		if (req_body(q, &body) < 0)
			return;
		bad = tn_jv_unknown_member(body, keys);
		jv_free(body);
		if (bad) {
			reply_problem(q, 400, bad, "unknown member '%s' (the body is empty or {})", bad);
			free(bad);
			return;
		}
	}
	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		reply_problem(q, 500, NULL, "no random bytes for a code");
		return;
	}
	for (int i = 0; i < CODE_CHARS; i++)
		code[i] = TN_CERT_CODE_ALPHABET[raw[i] & 31];
	code[CODE_CHARS] = '\0';
	tn_cert_code_show(code, shown);
	tn_sha256_hex(code, CODE_CHARS, hex);
	time_now_rfc3339(now, sizeof(now));
	time_rfc3339(t + CODE_TTL, exp, sizeof(exp));
	c.holder = q->tok.subject;
	c.created_at = now;
	c.created_by = q->tok.name;
	c.expires_epoch = t + CODE_TTL;
	if (store_code_add(q->srv->st, hex, &c, t, CODE_LIVE_MAX, &err) != TN_OK) {
		reply_error(q, &err);
		return;
	}
	out = jv_object_set(jv_object(), jv_string("code"), jv_string(shown));
	out = jv_object_set(out, jv_string("holder"), jv_string(q->tok.subject));
	out = jv_object_set(out, jv_string("expires_at"), jv_string(exp));
	out = jv_object_set(out, jv_string("created_at"), jv_string(now));
	reply_json(q, 201, out);
}

/* ---- who may read ---- */

static int role_reads(struct req *q, char *why, size_t size)
{
	if (req_role(q, "admin|clerk|issuer"))
		return 1;
	if (req_role(q, "applicant")) {
		if (q->tok.subject)
			return 1;
		snprintf(why, size, "an applicant token without a subject reads no certificates");
		return 0;
	}
	if (req_role(q, "reader")) {
		const char *tok = req_header(q, "X-Consent-Token");

		if (tok && *tok)
			return 1;
		snprintf(why, size, "a reader needs the holder's consent token (X-Consent-Token)");
		return 0;
	}
	snprintf(why, size, "role '%s' may not read certificates", q->tok.role ? q->tok.role : "");
	return 0;
}

/* The role check of a certificate read (the route leaves it to the handler so that a
 * refusal is audited); an allowed read is a use of the token, as routes.c records for others. */
int certs_role_reads(struct req *q, char *why, size_t size)
{
	if (!role_reads(q, why, size))
		return 0;
	store_token_touch(q->srv->st, &q->tok);
	return 1;
}

int certs_may_read(struct req *q, const char *holder, const char *cert_dept, char *why,
		   size_t size, struct tn_err *err)
{
	const char *dept = q->tok.dept ? q->tok.dept : "";
	long long now = (long long)time(NULL);
	char hex[65];
	int ok = 0;

	if (req_role(q, "admin"))
		return 1;
	if (!holder) {
		snprintf(why, size, "the holder must be named");
		return 0;
	}
	if (req_role(q, "clerk")) {
		const char *code = consent_code(q);

		if (code && redeem(q, holder, code, now, &ok, err) < 0)
			return -1;
		if (store_clerk_may_read(q->srv->st, holder, dept, q->tok.id, now, &ok, err) != TN_OK)
			return -1;
		snprintf(why, size, "a clerk reads a holder's certificates only for an open case in %s "
			 "that the holder filed or consented to (the holder's one-time code in "
			 "X-Consent-Code)", dept);
		return ok;
	}
	if (req_role(q, "applicant")) {
		snprintf(why, size, "an applicant reads only their own certificates");
		return q->tok.subject && strcmp(q->tok.subject, holder) == 0;
	}
	if (req_role(q, "issuer")) {
		snprintf(why, size, "an issuer reads only certificates of its department (%s)", dept);
		return !cert_dept || strcmp(cert_dept, dept) == 0;
	}
	if (req_role(q, "reader")) {
		const char *tok = req_header(q, "X-Consent-Token");

		snprintf(why, size, "a reader of scenario '%s' needs a consent token of the holder for "
			 "that scenario that has not expired (X-Consent-Token)", dept);
		if (!tok || !*tok)
			return 0;
		tn_sha256_hex(tok, strlen(tok), hex);
		if (store_consent_check(q->srv->st, hex, holder, dept, now, &ok, err) != TN_OK)
			return -1;
		return ok;
	}
	certs_role_reads(q, why, size);
	return 0;
}

int certs_submitter_sees(struct req *q, const char *holder, struct tn_err *err)
{
	int ok = 0;

	if (req_role(q, "admin"))
		return 2;
	if (req_role(q, "applicant"))
		return q->tok.subject && holder && strcmp(q->tok.subject, holder) == 0;
	if (req_role(q, "clerk") && holder) {
		if (store_clerk_may_read(q->srv->st, holder, q->tok.dept ? q->tok.dept : "", q->tok.id,
					 (long long)time(NULL), &ok, err) != TN_OK)
			return -1;
		return ok;
	}
	return 0;
}

/* ---- consent tokens (readers) ---- */

/* POST /v1/consents: an applicant for their subject, an admin for any holder. */
void certs_post_consent(struct req *q, const char *arg)
{
	static const char *const keys[] = { "scenario", "expires_at", "holder", "kinds", NULL };
	struct tn_err err = TN_ERR_INIT;
	struct store_consent c;
	jv body, h1, h2, h3, out, kinds = jv_null();
	char *kinds_text = NULL;
	int failed = 0;
	const char *scenario, *expires, *holder;
	char token[48], hex[65], now[40];
	long long exp, t = (long long)time(NULL);

	if (req_role(q, "applicant") && !q->tok.subject) {     /* the router: admin, applicant */
		reply_problem(q, 403, NULL, "only a holder (an applicant token with a subject) or an "
			      "admin may grant consent");
		return;
	}
	if (req_body(q, &body) < 0)
		return;
	if (reply_unknown_member(q, body, keys, NULL) < 0) {
		jv_free(body);
		return;
	}
	h1 = h2 = h3 = jv_invalid();
	if (certs_str_member(q, body, "scenario", 20, 0, &scenario, &h1) < 0 ||
	    certs_str_member(q, body, "expires_at", 40, 0, &expires, &h2) < 0 ||
	    certs_str_member(q, body, "holder", 18, 0, &holder, &h3) < 0)
		goto out;
	if (req_role(q, "applicant")) {
		if (holder && strcmp(holder, q->tok.subject) != 0) {
			reply_problem(q, 403, "holder", "this token may grant consent for '%s' only",
				      q->tok.subject);
			goto out;
		}
		holder = q->tok.subject;
	}
	if (!holder || tn_id_check_holder(holder, &err) != TN_OK) {
		reply_problem(q, 422, "holder", holder ? "holder: %s" : "holder is required%s",
			      holder ? err.message : "");
	} else if (!scenario || !certs_scenario_known(scenario)) {
		char names[400];

		certs_scenario_names(names, sizeof(names));
		reply_problem(q, 422, "scenario", "scenario must be one of %s", names);
	} else if ((kinds = grant_kinds(q, body, scenario, &failed)), failed) {
		/* replied */
	} else if (jv_get_kind(kinds) == JV_KIND_ARRAY &&
		   !(store_consent_cols(q->srv->st) & STORE_CONSENT_KINDS)) {
		reply_problem(q, 422, "kinds", "kinds: this database keeps consents for whole scenarios "
			      "only (schema 11 adds consents.kinds: run 'twonetd init')");
	} else if (!expires || parse_rfc3339(expires, &exp) != 0) {
		reply_problem(q, 422, "expires_at", "expires_at must be a time (RFC 3339, e.g. "
			      "2026-12-01T00:00:00+08:00)");
	} else if (exp <= t || exp > t + 365LL * 86400) {
		reply_problem(q, 422, "expires_at", "expires_at must be in the future and at most 365 "
			      "days ahead");
	} else {
		memcpy(token, "tnc_", 4);
		random_hex(token + 4, 20);
		tn_sha256_hex(token, strlen(token), hex);
		time_now_rfc3339(now, sizeof(now));
		c.holder = holder;
		c.scenario = scenario;
		c.expires_at = expires;
		c.expires_epoch = exp;
		c.created_at = now;
		c.created_by = q->tok.name;
		if (jv_get_kind(kinds) == JV_KIND_ARRAY) {
			jv d = jv_dump_string(jv_copy(kinds), 0);

			kinds_text = strdup(jv_string_value(d));
			jv_free(d);
		}
		c.kinds = kinds_text;
		if (store_consent_add(q->srv->st, hex, &c, &err) != TN_OK) {
			reply_error(q, &err);
			goto out;
		}
		out = jv_object_set(jv_object(), jv_string("id"),
				    jv_number((double)store_consent_last_id(q->srv->st)));
		out = jv_object_set(out, jv_string("token"), jv_string(token));
		out = jv_object_set(out, jv_string("holder"), jv_string(holder));
		out = jv_object_set(out, jv_string("kinds"), jv_copy(kinds));
		out = jv_object_set(out, jv_string("scenario"), jv_string(scenario));
		out = jv_object_set(out, jv_string("expires_at"), jv_string(expires));
		out = jv_object_set(out, jv_string("created_at"), jv_string(now));
		reply_json(q, 201, out);
	}
out:
	free(kinds_text);
	jv_free(kinds);
	jv_free(h1);
	jv_free(h2);
	jv_free(h3);
	jv_free(body);
}

/* GET /v1/consents[?holder=H][&scenario=S]: the holder's own; an admin's any. */
void certs_consents_list(struct req *q, const char *arg)
{
	static const char *const params[] = { "holder", "scenario", NULL };
	struct tn_err err = TN_ERR_INIT;
	const char *holder = req_query(q, "holder"), *scenario = req_query(q, "scenario");
	jv items;

	(void)arg;
	if (req_query_check(q, params) < 0)
		return;
	if (!req_role(q, "admin")) {
		if (!q->tok.subject) {
			reply_problem(q, 403, NULL, "only a holder (an applicant token with a subject) "
				      "or an admin may list consents");
			return;
		}
		if (holder && strcmp(holder, q->tok.subject) != 0) {
			reply_problem(q, 403, "holder", "this token lists the consents of '%s' only",
				      q->tok.subject);
			return;
		}
		holder = q->tok.subject;
	}
	if (store_consent_list(q->srv->st, holder, scenario, (long long)time(NULL), &items, &err)
	    != TN_OK) {
		reply_error(q, &err);
		return;
	}
	reply_json(q, 200, jv_object_set(jv_object(), jv_string("items"), items));
}

/* POST /v1/consents/{id}/revoke: the holder or an admin; the next read with its token is refused. */
void certs_consent_revoke(struct req *q, const char *id)
{
	struct tn_err err = TN_ERR_INIT;
	char now[40];
	long n;
	jv row;

	if (!req_role(q, "admin") && !q->tok.subject) {
		reply_problem(q, 403, NULL, "only a holder (an applicant token with a subject) or an "
			      "admin may revoke consent");
		return;
	}
	if (tn_parse_long(id, &n) != 0 || n < 1) {
		reply_problem(q, 404, NULL, "consent '%s' not found", id);
		return;
	}
	time_now_rfc3339(now, sizeof(now));
	if (store_consent_revoke(q->srv->st, n, req_role(q, "admin") ? NULL : q->tok.subject, now,
				 &row, &err) != TN_OK) {
		jv_free(row);
		if (err.code == TN_ENOTFOUND)
			reply_problem(q, 404, NULL, "consent '%s' not found", id);
		else
			reply_error(q, &err);
		return;
	}
	reply_json(q, 200, row);
}
