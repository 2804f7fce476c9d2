/* case.c — the case view: form, materials with their certificates, history, sub-cases. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casedesk.h"
#include "display.h"
#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_cert.h"
#include "tn_http.h"
#include "tn_jv.h"
#include "tn_out.h"

#define CACHE 32

/* A certificate that exempts a material: fetched and verified once. */
struct certcheck {
	char *id;
	jv cert;                /* the CERT, or jv_invalid() */
	char *error;            /* why it could not be fetched */
	int verified;
	struct tn_cert_verification v;
};

struct line {
	char *text;
	enum dcol c;
	int attr;
	char *link;             /* a sub-case id: Enter opens it */
	char *detail;           /* the whole of what the line shows cut (Enter or v: the detail pane), or NULL */
};

static struct {
	char *id;
	jv kase;                /* CASE with "events", or jv_invalid() */
	int loading;
	long gen;
	char error[256];
	int from_cache;
	struct line *lines;
	size_t nlines, alloc;
	size_t cur, top;
	int height;
	struct certcheck *certs;
	size_t ncerts;
} cv;

static struct {
	char *id;
	jv kase;
	long long used;
} cache[CACHE];

/* ---- the cache of cases seen (so that a loaded case opens offline) ---- */

static void cache_put(const char *id, jv kase)
{
	int slot = 0;

	for (int i = 0; i < CACHE; i++) {
		if (cache[i].id && !strcmp(cache[i].id, id)) {
			slot = i;
			break;
		}
		if (!cache[i].id || cache[i].used < cache[slot].used)
			slot = i;
	}
	if (cache[slot].id) {
		free(cache[slot].id);
		jv_free(cache[slot].kase);
	}
	cache[slot].id = tn_xstrdup(id);
	cache[slot].kase = kase;
	cache[slot].used = app_now_ms();
}

static jv cache_get(const char *id)
{
	for (int i = 0; i < CACHE; i++)
		if (cache[i].id && !strcmp(cache[i].id, id)) {
			cache[i].used = app_now_ms();
			return jv_copy(cache[i].kase);
		}
	return jv_invalid();
}

/* ---- lines ---- */

static void lines_clear(void)
{
	for (size_t i = 0; i < cv.nlines; i++) {
		free(cv.lines[i].text);
		free(cv.lines[i].link);
		free(cv.lines[i].detail);
	}
	cv.nlines = 0;
}

static void add(enum dcol c, int attr, const char *link, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(enum dcol c, int attr, const char *link, const char *fmt, ...)
{
	struct tn_buf b = TN_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	tn_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (cv.nlines == cv.alloc) {
		cv.alloc = cv.alloc ? cv.alloc * 2 : 64;
		cv.lines = tn_xrealloc(cv.lines, cv.alloc * sizeof(*cv.lines));
	}
	cv.lines[cv.nlines].text = tn_buf_detach(&b, NULL);
	cv.lines[cv.nlines].c = c;
	cv.lines[cv.nlines].attr = attr;
	cv.lines[cv.nlines].link = link ? tn_xstrdup(link) : NULL;
	cv.lines[cv.nlines].detail = NULL;
	cv.nlines++;
}

/* The last line added reads in full as `b` (taken over, released) in the detail pane. */
static void detail(struct tn_buf *b)
{
	if (cv.nlines)
		cv.lines[cv.nlines - 1].detail = tn_buf_detach(b, NULL);
	else
		tn_buf_release(b);
}

/* A state's name with its Chinese label: "accepted 已受理"; the name alone when the lib has no label. */
static void state_both(struct tn_buf *b, const char *name)
{
	const char *label = tn_case_state_label(tn_case_state_parse(name));

	tn_buf_addf(b, "%s%s%s", name, label ? " " : "", label ? label : "");
}

/* A member as text (borrowed object); "" when absent.  Valid for the next 15 calls. */
static const char *s_of(jv o, const char *k)
{
	static char buf[16][512];
	static int which;
	char *t = tn_cell_text(o, k), *out = buf[which++ % 16];

	snprintf(out, 512, "%s", t ? t : "");
	free(t);
	return out;
}

static struct certcheck *cert_find(const char *id)
{
	for (size_t i = 0; i < cv.ncerts; i++)
		if (!strcmp(cv.certs[i].id, id))
			return &cv.certs[i];
	return NULL;
}

static void certs_clear(void)
{
	for (size_t i = 0; i < cv.ncerts; i++) {
		free(cv.certs[i].id);
		free(cv.certs[i].error);
		jv_free(cv.certs[i].cert);
	}
	free(cv.certs);
	cv.certs = NULL;
	cv.ncerts = 0;
}

static void material_line(jv m)
{
	const char *code = s_of(m, "code"), *name = s_of(m, "name"), *state = s_of(m, "state");
	const char *cert = s_of(m, "cert"), *ref = s_of(m, "ref");
	struct tn_buf b = TN_BUF_INIT;
	enum dcol c = DC_NORMAL;

	tn_buf_adds(&b, "  ");
	tn_fit_width(&b, code, 10, 1);
	tn_buf_addch(&b, ' ');
	tn_fit_width(&b, name, 20, 1);
	tn_buf_addch(&b, ' ');
	if (!strcmp(state, "exempted") && *cert) {
		struct certcheck *cc = cert_find(cert);
		tn_buf_addf(&b, "exempted by e-certificate %s", cert);
		add(DC_NORMAL, 0, NULL, "%s", b.buf);
		tn_buf_reset(&b);
		if (!cc || (!jv_is_valid(cc->cert) && !cc->error)) {
			add(DC_DIM, 0, NULL, "             checking the certificate...");
		} else if (cc->error) {
			add(DC_BAD, 0, NULL, "             ? not checked: %s", cc->error);
		} else if (!certs_keyring()) {
			add(DC_DIM, 0, NULL, "             waiting for the issuers' keys...");
		} else {
			if (!cc->verified) {
				tn_cert_verify(certs_keyring(), cc->cert, NULL, &cc->v);
				cc->verified = 1;
			}
			jv holder = tn_jv_object(cc->cert, "holder");
			if (cc->v.valid)
				add(DC_OK, 0, NULL, "             ✓ verified: %s of %s, issued by %s, valid from %s",
				    s_of(cc->cert, "kind_name"), s_of(holder, "name"),
				    s_of(cc->cert, "issuer.dept"), s_of(cc->cert, "valid_from"));
			else
				add(DC_BAD, 0, NULL, "             ✗ NOT VALID: %s%s%s", cc->v.reason,
				    cc->v.detail[0] ? ": " : "", cc->v.detail);
			jv_free(holder);
		}
		tn_buf_release(&b);
		return;
	}
	if (!strcmp(state, "missing"))
		c = DC_BAD;
	tn_buf_adds(&b, state);
	if (*ref)
		tn_buf_addf(&b, " (%s)", ref);
	add(c, 0, NULL, "%s", b.buf);
	tn_buf_release(&b);
}

static void build(void)
{
	jv k = cv.kase, v;
	int n;
	char dl[64];

	lines_clear();
	if (!jv_is_valid(k)) {
		long at = rows_find(&inbox_rows, cv.id);
		add(DC_TITLE, 0, NULL, "%s", cv.id);
		if (at >= 0) {
			const struct row *w = &inbox_rows.v[at];
			add(DC_NORMAL, 0, NULL, "status     %s (version %u)", status_name(w->status), w->version);
			add(DC_NORMAL, 0, NULL, "applicant  %s", rows_str(&inbox_rows, w->name));
			add(DC_NORMAL, 0, NULL, "item       %s %s",
			    rows_str(&inbox_rows, inbox_rows.items[w->item].code),
			    rows_str(&inbox_rows, inbox_rows.items[w->item].name));
			add(DC_NORMAL, 0, NULL, "deadline   %s", rows_deadline(&inbox_rows, w, dl, sizeof(dl)));
		}
		add(DC_NORMAL, 0, NULL, "%s", "");
		add(cv.error[0] ? DC_BAD : DC_DIM, 0, NULL, "%s",
		    cv.error[0] ? cv.error : "loading the case...");
		return;
	}
	{
		const char *label = tn_case_state_label(tn_case_state_parse(s_of(k, "status")));

		add(DC_TITLE, 0, NULL, "%s  %s  version %s%s%s%s", s_of(k, "id"), s_of(k, "status"),
		    s_of(k, "version"), label ? "  " : "", label ? label : "",
		    cv.from_cache ? "  (as loaded earlier: the server does not answer)" : "");
	}
	add(DC_NORMAL, 0, NULL, "item        %s %s", s_of(k, "item"), s_of(k, "item_name"));
	{
		const char *dname = catalog_item_str(s_of(k, "item"), "department_name");

		add(DC_NORMAL, 0, NULL, "department  %s%s%s", s_of(k, "department"), dname ? " " : "",
		    dname ? dname : "");
	}
	add(DC_NORMAL, 0, NULL, "applicant   %s  %s %s  %s", s_of(k, "applicant.name"),
	    s_of(k, "applicant.type"), s_of(k, "applicant.id"), s_of(k, "applicant.phone"));
	add(DC_NORMAL, 0, NULL, "submitted   %s by %s", s_of(k, "submitted_at"), s_of(k, "submitted_by"));
	{
		long d;
		unsigned marked = 0;
		jv shown = tn_mark_record(jv_copy(k), tn_mark_provisional, &marked);
		int urg = tn_date_parse(s_of(k, "deadline"), &d) == 0 ?
			  app_urgency(d, tn_case_state_open(tn_case_state_parse(s_of(k, "status")))) : URG_NONE;
		add(urg == URG_OVERDUE ? DC_OVERDUE : urg == URG_DUE ? DC_DUE : DC_NORMAL, 0, NULL,
		    "deadline    %s%s (legal %s)", s_of(shown, "deadline"),
		    urg == URG_OVERDUE ? " OVERDUE" : urg == URG_DUE ? " due soon" : "",
		    s_of(shown, "legal_deadline"));
		if (marked) {   /* "* provisional: counted Monday to Friday ..." */
			struct tn_buf note = TN_BUF_INIT;

			tn_mark_notes(&note, tn_mark_provisional, marked);
			tn_buf_rtrim(&note);
			add(DC_DIM, 0, NULL, "  %s", note.buf);
			tn_buf_release(&note);
		}
		jv_free(shown);
	}
	if (*s_of(k, "workflow"))
		add(DC_NORMAL, 0, NULL, "workflow    %s", s_of(k, "workflow"));
	if (*s_of(k, "parent"))
		add(DC_NORMAL, 0, s_of(k, "parent"), "part of     %s", s_of(k, "parent"));

	add(DC_HEADER, 0, NULL, "Form 表单");
	v = tn_jv_object(k, "form");
	jv_object_foreach(v, key, val) {
		char *t = jv_get_kind(val) == JV_KIND_STRING ? tn_xstrdup(jv_string_value(val)) : NULL;
		const char *name = jv_string_value(key);
		const char *label = catalog_field_label(s_of(k, "item"), name);
		struct tn_buf b = TN_BUF_INIT;

		if (!t) {
			jv d = jv_dump_string(jv_copy(val), 0);
			t = tn_xstrdup(jv_string_value(d));
			jv_free(d);
		}
		/* the label from the catalog, the field's name beside it: what case-submit -i asks */
		tn_buf_adds(&b, "  ");
		tn_fit_width(&b, label ? label : name, 16, 1);
		tn_buf_addch(&b, ' ');
		tn_fit_width(&b, label ? name : "", 20, 1);
		tn_buf_addf(&b, " %s", t);
		add(DC_NORMAL, 0, NULL, "%s", b.buf);
		tn_buf_reset(&b);
		tn_buf_addf(&b, "%s %s\n\n%s\n", label ? label : name, label ? name : "", t);
		detail(&b);
		free(t);
		jv_free(key);
		jv_free(val);
	}
	jv_free(v);

	add(DC_HEADER, 0, NULL, "Materials");
	v = tn_jv_array(k, "materials");
	n = jv_array_length(jv_copy(v));
	for (int i = 0; i < n; i++) {
		jv m = jv_array_get(jv_copy(v), i);
		material_line(m);
		jv_free(m);
	}
	if (!n)
		add(DC_DIM, 0, NULL, "  none");
	jv_free(v);

	add(DC_HEADER, 0, NULL, "History");
	v = tn_jv_array(k, "events");
	n = jv_array_length(jv_copy(v));
	for (int i = 0; i < n; i++) {
		jv e = jv_array_get(jv_copy(v), i);
		const char *from = s_of(e, "from"), *comment = s_of(e, "comment");
		const struct tn_case_move *m = tn_case_move(tn_case_action_parse(s_of(e, "action")));
		struct tn_buf b = TN_BUF_INIT;
		char *full = tn_cell_text(e, "comment");

		const char *at = s_of(e, "at");
		char when[20];

		/* "2026-12-04 06:32": the minute is enough on the line, the detail has the rest */
		snprintf(when, sizeof(when), "%.10s %.5s", at, strlen(at) > 11 ? at + 11 : "");
		add(DC_NORMAL, 0, NULL, "  %-3s %s  %s (%s)  %s%s%s %s%s%s  v%s%s%s%s", s_of(e, "seq"),
		    when, s_of(e, "actor"), s_of(e, "role"), s_of(e, "action"),
		    m ? " " : "", m ? m->label : "", from, *from ? " → " : "", s_of(e, "to"),
		    s_of(e, "version"), *comment ? "  \"" : "", comment, *comment ? "\"" : "");
		/* the whole event, the comment in full (s_of keeps 511 bytes) */
		tn_buf_addf(&b, "#%s  %s\n%s (%s)\n%s%s%s\n", s_of(e, "seq"), s_of(e, "at"),
			    s_of(e, "actor"), s_of(e, "role"), s_of(e, "action"), m ? " " : "",
			    m ? m->label : "");
		if (*from) {
			state_both(&b, from);
			tn_buf_adds(&b, " → ");
		}
		state_both(&b, s_of(e, "to"));
		tn_buf_addf(&b, "  version %s\n", s_of(e, "version"));
		if (full && *full)
			tn_buf_addf(&b, "\ncomment 意见:\n%s\n", full);
		detail(&b);
		free(full);
		jv_free(e);
	}
	if (!n)
		add(DC_DIM, 0, NULL, "  not loaded");
	jv_free(v);

	/* sub-cases: the "children" of a workflow case, and cases of the inbox whose parent is this one */
	{
		int any = 0;
		jv ch = tn_jv_array(k, "children");
		int nch = jv_array_length(jv_copy(ch));

		for (int i = 0; i < nch; i++) {
			jv c = jv_array_get(jv_copy(ch), i);
			const char *cid = jv_get_kind(c) == JV_KIND_STRING ? jv_string_value(c) : NULL;
			long at = cid ? rows_find(&inbox_rows, cid) : -1;
			if (cid && !any++)
				add(DC_HEADER, 0, NULL, "Sub-cases (Enter opens one)");
			if (cid && at >= 0) {
				const struct row *w = &inbox_rows.v[at];
				add(DC_NORMAL, 0, cid, "  %s  %-11s %s  %s", cid, status_name(w->status),
				    rows_deadline(&inbox_rows, w, dl, sizeof(dl)),
				    rows_str(&inbox_rows, inbox_rows.items[w->item].name));
			} else if (cid) {
				add(DC_DIM, 0, cid, "  %s  (another department's)", cid);
			}
			jv_free(c);
		}
		jv_free(ch);
		for (size_t i = 0; i < inbox_rows.n && !nch; i++) {
			const struct row *w = &inbox_rows.v[i];
			if (!w->parent || strcmp(rows_str(&inbox_rows, w->parent), cv.id) != 0)
				continue;
			if (!any++)
				add(DC_HEADER, 0, NULL, "Sub-cases (Enter opens one)");
			add(DC_NORMAL, 0, rows_str(&inbox_rows, w->id), "  %s  %-11s %s  %s",
			    rows_str(&inbox_rows, w->id), status_name(w->status),
			    rows_deadline(&inbox_rows, w, dl, sizeof(dl)),
			    rows_str(&inbox_rows, inbox_rows.items[w->item].name));
		}
		if (!any && *s_of(k, "workflow") && !*s_of(k, "parent"))
			add(DC_DIM, 0, NULL, "Sub-cases: none seen");
	}
}

/* ---- loading ---- */

static void on_cert(void *ctx, long tag, const struct tn_async_result *r)
{
	char *id = ctx;
	struct certcheck *cc;

	if (tag != cv.gen || !(cc = cert_find(id))) {
		free(id);
		return;
	}
	free(id);
	if (r->status == 200 && jv_get_kind(r->body) == JV_KIND_OBJECT) {
		jv_free(cc->cert);
		cc->cert = jv_copy(r->body);
		cc->verified = 0;
	} else {
		struct tn_buf e = TN_BUF_INIT;

		tn_buf_adds(&e, r->error ? r->error : "no answer");
		if (r->status == 403 || r->status == 404)   /* read only on the holder's own act */
			tn_buf_addf(&e, " (%s: the applicant's consent code)",
				    keys_first_key(ACT_CONSENT));
		free(cc->error);
		cc->error = tn_buf_detach(&e, NULL);
	}
	app.dirty = 1;
}

/* Fetch the certificates that exempt materials, once each. */
static void fetch_certs(void)
{
	jv mats = tn_jv_array(cv.kase, "materials");
	int n = jv_array_length(jv_copy(mats));
	char purpose[160];

	for (int i = 0; i < n; i++) {
		jv m = jv_array_get(jv_copy(mats), i);
		const char *cert = s_of(m, "cert");
		if (*cert && !cert_find(cert)) {
			struct tn_buf p = TN_BUF_INIT;
			cv.certs = tn_xrealloc(cv.certs, (cv.ncerts + 1) * sizeof(*cv.certs));
			memset(&cv.certs[cv.ncerts], 0, sizeof(cv.certs[0]));
			cv.certs[cv.ncerts].id = tn_xstrdup(cert);
			cv.certs[cv.ncerts].cert = jv_invalid();
			cv.ncerts++;
			tn_buf_adds(&p, "/v1/certs/");
			tn_url_escape(&p, cert);
			tn_buf_adds(&p, "?purpose=");
			tn_url_escape(&p, certs_case_purpose(cv.id, purpose, sizeof(purpose)));
			net_request_hdr("GET", p.buf, certs_consent_header(s_of(cv.kase, "applicant.id")),
					jv_invalid(), 0, on_cert, tn_xstrdup(cert), cv.gen);
			tn_buf_release(&p);
			(void)certs_keyring();
		}
		jv_free(m);
	}
	jv_free(mats);
}

/* The applicant's consent code was entered: check the certificates again with it. */
static void recheck_certs(void)
{
	certs_clear();
	fetch_certs();
	app.dirty = 1;
}

static void on_events(void *ctx, long tag, const struct tn_async_result *r)
{
	(void)ctx;
	if (tag != cv.gen || !jv_is_valid(cv.kase))
		return;
	if (r->status == 200) {
		cv.kase = jv_object_set(cv.kase, jv_string("events"), tn_jv_get(r->body, "items"));
		cache_put(cv.id, jv_copy(cv.kase));
	}
	app.dirty = 1;
}

static void on_case(void *ctx, long tag, const struct tn_async_result *r)
{
	struct tn_buf p = TN_BUF_INIT;

	(void)ctx;
	if (tag != cv.gen)
		return;
	cv.loading = 0;
	if (r->status != 200 || jv_get_kind(r->body) != JV_KIND_OBJECT) {
		if (jv_is_valid(cv.kase)) {
			cv.from_cache = r->status == 0;
			if (r->status)
				app_msg(1, "cannot load %s: %s", cv.id, r->error ? r->error : "no answer");
		} else {
			snprintf(cv.error, sizeof(cv.error), "cannot load %s: %s", cv.id,
				 r->error ? r->error : "no answer");
		}
		app.dirty = 1;
		return;
	}
	/* keep the history seen until the new one arrives */
	jv old_events = jv_is_valid(cv.kase) ? jv_object_get(jv_copy(cv.kase), jv_string("events")) :
			jv_invalid();
	jv_free(cv.kase);
	cv.kase = jv_copy(r->body);
	if (jv_is_valid(old_events))
		cv.kase = jv_object_set(cv.kase, jv_string("events"), old_events);
	else
		jv_free(old_events);
	cv.from_cache = 0;
	cv.error[0] = '\0';
	inbox_row_updated(r->body);
	cache_put(cv.id, jv_copy(cv.kase));
	fetch_certs();
	tn_buf_adds(&p, "/v1/cases/");
	tn_url_escape(&p, cv.id);
	tn_buf_adds(&p, "/events");
	net_request("GET", p.buf, jv_invalid(), 0, on_events, NULL, cv.gen);
	tn_buf_release(&p);
	app.dirty = 1;
}

static void load(void)
{
	struct tn_buf p = TN_BUF_INIT;

	cv.gen++;
	cv.loading = 1;
	tn_buf_adds(&p, "/v1/cases/");
	tn_url_escape(&p, cv.id);
	net_request("GET", p.buf, jv_invalid(), 0, on_case, NULL, cv.gen);
	tn_buf_release(&p);
}

void case_open(const char *id)
{
	if (!id)
		return;
	if (!cv.id || strcmp(cv.id, id) != 0) {
		free(cv.id);
		cv.id = tn_xstrdup(id);
		jv_free(cv.kase);
		cv.kase = cache_get(id);
		cv.from_cache = jv_is_valid(cv.kase) && net_offline();
		cv.cur = cv.top = 0;
		cv.error[0] = '\0';
		certs_clear();
	}
	if (jv_is_valid(cv.kase))
		fetch_certs();
	load();
	app_push(&case_view);
}

void case_updated(jv kase)
{
	const char *id = tn_jv_str(kase, "id");

	if (cv.id && id && !strcmp(cv.id, id))
		load();
}

void case_done(void)
{
	cases_action_done();
	lines_clear();
	free(cv.lines);
	cv.lines = NULL;
	cv.alloc = 0;
	certs_clear();
	free(cv.id);
	cv.id = NULL;
	jv_free(cv.kase);
	cv.kase = jv_invalid();
	for (int i = 0; i < CACHE; i++)
		if (cache[i].id) {
			free(cache[i].id);
			jv_free(cache[i].kase);
			cache[i].id = NULL;
		}
}

/* ---- the view ---- */

static void case_draw(int rows, int cols)
{
	(void)cols;
	build();
	cv.height = rows;
	if (cv.cur >= cv.nlines)
		cv.cur = cv.nlines ? cv.nlines - 1 : 0;
	if (cv.cur < cv.top)
		cv.top = cv.cur;
	if (rows > 0 && cv.cur >= cv.top + (size_t)rows)
		cv.top = cv.cur - (size_t)rows + 1;
	for (int y = 0; y < rows; y++) {
		size_t i = cv.top + (size_t)y;
		if (i >= cv.nlines) {
			disp_clear_from(y);
			break;
		}
		disp_line(y, cv.lines[i].c, cv.lines[i].attr | (i == cv.cur ? DA_REVERSE : 0),
			  cv.lines[i].text);
	}
}

static void case_status(struct tn_buf *b)
{
	tn_buf_addf(b, "case %s", cv.id ? cv.id : "");
	if (cv.loading)
		tn_buf_adds(b, " · loading");
	if (cv.from_cache)
		tn_buf_adds(b, " · offline copy");
}

static long cur_version(void)
{
	long n = 0;

	if (jv_is_valid(cv.kase)) {
		n = tn_jv_long(cv.kase, "version", 0);
	} else {
		long at = rows_find(&inbox_rows, cv.id);
		if (at >= 0)
			n = inbox_rows.v[at].version;
	}
	return n;
}

static int case_key(enum act a, int key)
{
	size_t page = cv.height > 1 ? (size_t)cv.height - 1 : 1;

	(void)key;
	switch (a) {
	case ACT_DOWN:
		if (cv.cur + 1 < cv.nlines)
			cv.cur++;
		return 1;
	case ACT_UP:
		if (cv.cur)
			cv.cur--;
		return 1;
	case ACT_PGDN:
		cv.cur = cv.cur + page < cv.nlines ? cv.cur + page : (cv.nlines ? cv.nlines - 1 : 0);
		return 1;
	case ACT_PGUP:
		cv.cur = cv.cur > page ? cv.cur - page : 0;
		return 1;
	case ACT_FIRST:
		cv.cur = 0;
		return 1;
	case ACT_LAST:
		cv.cur = cv.nlines ? cv.nlines - 1 : 0;
		return 1;
	case ACT_OPEN:
		if (cv.cur < cv.nlines && cv.lines[cv.cur].link) {
			char *id = tn_xstrdup(cv.lines[cv.cur].link);
			app_pop();
			case_open(id);
			free(id);
			return 1;
		}
		/* not a sub-case: the line in the detail pane */
		/* fall through */
	case ACT_DETAIL:
		if (cv.cur < cv.nlines) {
			struct tn_buf t = TN_BUF_INIT;
			const struct line *l = &cv.lines[cv.cur];

			tn_buf_addf(&t, "case %s · detail 详情", cv.id ? cv.id : "");
			pager_open(t.buf, l->detail ? l->detail : l->text, 0);
			tn_buf_release(&t);
		}
		return 1;
	case ACT_REFRESH:
		certs_clear();          /* a certificate may have been revoked since */
		load();
		return 1;
	case ACT_CERTS:
		if (jv_is_valid(cv.kase))
			certs_open(s_of(cv.kase, "applicant.id"));
		else
			certs_open(NULL);
		return 1;
	case ACT_CONSENT:
		if (jv_is_valid(cv.kase))
			certs_consent_ask(s_of(cv.kase, "applicant.id"), recheck_certs);
		return 1;
	case ACT_ACCEPT: case ACT_RETURN: case ACT_APPROVE: case ACT_REJECT: case ACT_COMPLETE: {
		char *ids[1] = { cv.id };
		long vers[1] = { cur_version() };
		cases_action(a, ids, vers, 1);
		return 1;
	}
	default:
		return 0;
	}
}

static void case_leave(void)
{
	cv.gen++;
}

const struct view case_view = {
	"case", V_CASE, case_draw, case_status, case_key, case_leave
};
