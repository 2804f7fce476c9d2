/* certs.c — the certificates view: a holder's e-certificates with their verification; the issuers' keys; the holder's consent code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casedesk.h"
#include "display.h"
#include "tn_buf.h"
#include "tn_cert.h"
#include "tn_http.h"
#include "tn_jv.h"
#include "tn_out.h"

/* ---- the issuers' keys ---- */

static struct tn_cert_keyring *kr;
static int kr_state;            /* 0 not asked, 1 loading, 2 ready */

static void on_issuers(void *ctx, long tag, const struct tn_async_result *r)
{
	struct tn_err err = TN_ERR_INIT;

	(void)ctx;
	(void)tag;
	if (r->status == 200) {
		if (tn_cert_keyring_add_issuers(kr, r->body, &err) == TN_OK) {
			jv items = tn_jv_get(r->body, "items");
			tn_err_clear(&err);
			tn_cert_cache_write(app.cfg.url, items, NULL, &err);
		} else {
			app_msg(1, "issuers' keys: %s", err.message);
		}
	} else if (tn_cert_keyring_count(kr) == 0) {
		app_msg(1, "cannot load the issuers' keys: %s", r->error ? r->error : "no answer");
	}
	kr_state = 2;
	app.dirty = 1;
}

const struct tn_cert_keyring *certs_keyring(void)
{
	if (kr_state == 0) {
		struct tn_err err = TN_ERR_INIT;
		jv items;
		char *etag = NULL;

		kr = tn_cert_keyring_new();
		kr_state = 1;
		if (tn_cert_cache_read(app.cfg.url, &items, &etag, &err) == TN_OK) {
			tn_cert_keyring_add_issuers(kr, items, &err);
			jv_free(items);
		}
		free(etag);
		net_request("GET", "/v1/issuers", jv_invalid(), 0, on_issuers, NULL, 0);
	}
	return kr_state == 2 ? kr : NULL;
}

const char *certs_case_purpose(const char *case_id, char *buf, size_t size)
{
	snprintf(buf, size, "check the materials of case %s", case_id);
	return buf;
}

/* ---- the holder's one-time consent code ---- */

/*
 * A clerk reads a holder's certificates only on the holder's own act: at the
 * window, the holder makes a code (cert-consent code) and reads it out.  The
 * code typed here goes with every look-up of that holder's certificates (the
 * server redeems it for this clerk once, then lets the clerk read for 10
 * minutes and ties the holder's open cases in the department to it).
 */
static struct {
	char *holder;                           /* whose the kept code is, or NULL */
	char code[TN_CERT_CODE_LEN + 1];        /* as the server reads it */
	char header[TN_CERT_CODE_LEN + 20];
	char *asking;                           /* the holder a code is being asked for */
	void (*then)(void);
} consent;

const char *certs_consent_header(const char *holder)
{
	if (!holder || !consent.holder || strcmp(holder, consent.holder) != 0)
		return NULL;
	snprintf(consent.header, sizeof(consent.header), "X-Consent-Code: %s", consent.code);
	return consent.header;
}

static void on_code(const char *line)
{
	struct tn_err err = TN_ERR_INIT;
	char code[TN_CERT_CODE_LEN + 1], shown[TN_CERT_CODE_LEN + 3];
	char *holder = consent.asking;

	consent.asking = NULL;
	if (!line || !*line) {
		app_msg(0, "no consent code: %s's certificates stay unread", holder);
		free(holder);
		return;
	}
	if (tn_cert_code_normalize(line, code, &err) != TN_OK) {
		app_msg(1, "%s; %s to enter it again", err.message, keys_first_key(ACT_CONSENT));
		free(holder);
		return;
	}
	free(consent.holder);
	consent.holder = holder;
	memcpy(consent.code, code, sizeof(code));
	tn_cert_code_show(code, shown);
	app_msg(0, "consent code %s of %s: looking up again", shown, holder);
	if (consent.then)
		consent.then();
}

void certs_consent_ask(const char *holder, void (*then)(void))
{
	struct tn_buf p = TN_BUF_INIT;

	if (!holder || !*holder) {
		app_msg(1, "no holder to ask a consent code of");
		return;
	}
	free(consent.asking);
	consent.asking = tn_xstrdup(holder);
	consent.then = then;
	tn_buf_addf(&p, "consent code of %s (the applicant reads it out): ", holder);
	edit_start(p.buf, NULL, NULL, on_code, NULL);
	tn_buf_release(&p);
}

static void consent_done(void)
{
	free(consent.holder);
	free(consent.asking);
	memset(&consent, 0, sizeof(consent));
}

/* ---- the view ---- */

static void ask_purpose_then_fetch(void);

static struct {
	char *holder;
	jv certs;               /* array of CERT */
	int loading;
	int sent_code;          /* the look-up carried the holder's consent code */
	long gen;
	char error[512];
	char hint[256];         /* a line under the error: what the clerk can do */
	size_t cur, top;
	int height, nlines;
	struct tn_cert_verification *v;
	size_t nv;
} cs;

static void on_list(void *ctx, long tag, const struct tn_async_result *r)
{
	(void)ctx;
	if (tag != cs.gen)
		return;
	cs.loading = 0;
	if (r->status == 403 && r->error && strstr(r->error, "X-Consent-Code")) {
		/* the clerk rule: only on the holder's own act, e.g. their code */
		snprintf(cs.error, sizeof(cs.error), "%s", r->error);
		if (cs.sent_code) {
			snprintf(cs.hint, sizeof(cs.hint), "%s: enter it again; the consent code was not "
				 "accepted (mistyped, expired, another holder's or another clerk's)",
				 keys_first_key(ACT_CONSENT));
		} else {
			snprintf(cs.hint, sizeof(cs.hint), "%s: enter the consent code the holder reads "
				 "out (they make it with 'cert-consent code')", keys_first_key(ACT_CONSENT));
			if (app_top() == &certs_view && !edit_active())
				certs_consent_ask(cs.holder, ask_purpose_then_fetch);
		}
		app.dirty = 1;
		return;
	}
	if (r->status != 200) {
		snprintf(cs.error, sizeof(cs.error), "cannot look up %s: %s", cs.holder,
			 r->error ? r->error : "no answer");
		app.dirty = 1;
		return;
	}
	jv_free(cs.certs);
	cs.certs = tn_jv_array(r->body, "items");
	free(cs.v);
	cs.v = NULL;
	cs.nv = 0;
	cs.error[0] = '\0';
	cs.hint[0] = '\0';
	app.dirty = 1;
}

static void fetch(void)
{
	struct tn_buf p = TN_BUF_INIT;

	if (!cs.holder || !app.purpose)
		return;
	cs.gen++;
	cs.loading = 1;
	cs.error[0] = '\0';
	cs.hint[0] = '\0';
	jv_free(cs.certs);
	cs.certs = jv_invalid();
	tn_buf_adds(&p, "/v1/certs?holder=");
	tn_url_escape(&p, cs.holder);
	tn_buf_adds(&p, "&purpose=");
	tn_url_escape(&p, app.purpose);
	tn_buf_adds(&p, "&limit=1000");
	cs.sent_code = certs_consent_header(cs.holder) != NULL;
	net_request_hdr("GET", p.buf, certs_consent_header(cs.holder), jv_invalid(), 0, on_list,
			NULL, cs.gen);
	tn_buf_release(&p);
	(void)certs_keyring();
}

static void on_purpose(const char *line)
{
	if (!line || !*line) {
		app_msg(1, "a look-up needs a purpose; cancelled");
		return;
	}
	free(app.purpose);
	app.purpose = tn_xstrdup(line);
	fetch();
}

static void ask_purpose_then_fetch(void)
{
	if (app.purpose) {
		fetch();
		return;
	}
	edit_start("purpose of the look-up (asked once): ", app.cfg.purpose, NULL, on_purpose, NULL);
}

static void on_holder(const char *line)
{
	if (!line || !*line)
		return;
	free(cs.holder);
	cs.holder = tn_xstrdup(line);
	cs.cur = cs.top = 0;
	ask_purpose_then_fetch();
}

void certs_open(const char *holder)
{
	app_push(&certs_view);
	if (!holder || !*holder) {
		edit_start("holder (ID number or credit code): ", NULL, NULL, on_holder, NULL);
		return;
	}
	on_holder(holder);
}

void certs_done(void)
{
	free(cs.holder);
	cs.holder = NULL;
	jv_free(cs.certs);
	cs.certs = jv_invalid();
	free(cs.v);
	cs.v = NULL;
	if (kr)
		tn_cert_keyring_free(kr);
	kr = NULL;
	kr_state = 0;
	consent_done();
}

static void put(int *y, int rows, size_t *line, enum dcol c, const char *text)
{
	if (*line >= cs.top && *y < rows) {
		disp_line(*y, c, *line == cs.cur ? DA_REVERSE : 0, text);
		(*y)++;
	}
	(*line)++;
}

static void certs_draw(int rows, int cols)
{
	struct tn_buf b = TN_BUF_INIT;
	int y = 0, n;
	size_t line = 0;
	const struct tn_cert_keyring *k = certs_keyring();

	(void)cols;
	cs.height = rows;
	tn_buf_addf(&b, "e-certificates of %s", cs.holder ? cs.holder : "(no holder yet)");
	if (app.purpose)
		tn_buf_addf(&b, "  (purpose: %s)", app.purpose);
	put(&y, rows, &line, DC_TITLE, b.buf);
	n = jv_get_kind(cs.certs) == JV_KIND_ARRAY ? jv_array_length(jv_copy(cs.certs)) : -1;
	if (n < 0) {
		put(&y, rows, &line, cs.error[0] ? DC_BAD : DC_DIM,
		    cs.error[0] ? cs.error : cs.loading ? "looking up..." : "");
		if (cs.error[0] && cs.hint[0])
			put(&y, rows, &line, DC_NORMAL, cs.hint);
	} else if (n == 0) {
		put(&y, rows, &line, DC_DIM, "no certificates");
	}
	if (n > 0 && k && cs.nv != (size_t)n) {
		free(cs.v);
		cs.v = tn_xcalloc((size_t)n, sizeof(*cs.v));
		for (int i = 0; i < n; i++) {
			jv c = jv_array_get(jv_copy(cs.certs), i);
			tn_cert_verify(k, c, NULL, &cs.v[i]);
			jv_free(c);
		}
		cs.nv = (size_t)n;
	}
	for (int i = 0; i < n; i++) {
		jv c = jv_array_get(jv_copy(cs.certs), i);
		char *kind = tn_cell_text(c, "kind_name"), *id = tn_cell_text(c, "id");
		char *hn = tn_cell_text(c, "holder.name"), *dept = tn_cell_text(c, "issuer.dept");
		char *from = tn_cell_text(c, "valid_from"), *until = tn_cell_text(c, "valid_until");
		char *status = tn_cell_text(c, "status");
		enum dcol col = DC_DIM;

		tn_buf_reset(&b);
		if (cs.nv == (size_t)n) {
			col = cs.v[i].valid ? DC_OK : DC_BAD;
			tn_buf_addf(&b, "%s ", cs.v[i].valid ? "✓ valid    " : "✗ NOT VALID");
		} else {
			tn_buf_adds(&b, "… checking ");
		}
		tn_buf_addf(&b, " %s  %s", kind, id);
		put(&y, rows, &line, col, b.buf);
		tn_buf_reset(&b);
		tn_buf_addf(&b, "              %s · issued by %s · valid %s to %s · %s", hn, dept, from,
			    *until ? until : "no end", status);
		if (cs.nv == (size_t)n && !cs.v[i].valid)
			tn_buf_addf(&b, " · %s%s%s", cs.v[i].reason, cs.v[i].detail[0] ? ": " : "",
				    cs.v[i].detail);
		put(&y, rows, &line, DC_NORMAL, b.buf);
		free(kind);
		free(id);
		free(hn);
		free(dept);
		free(from);
		free(until);
		free(status);
		jv_free(c);
	}
	cs.nlines = (int)line;
	if (y < rows)
		disp_clear_from(y);
	tn_buf_release(&b);
}

static void certs_status(struct tn_buf *b)
{
	int n = jv_get_kind(cs.certs) == JV_KIND_ARRAY ? jv_array_length(jv_copy(cs.certs)) : 0;
	int bad = 0;

	for (size_t i = 0; i < cs.nv; i++)
		bad += !cs.v[i].valid;
	tn_buf_addf(b, "certificates: %d", n);
	if (cs.nv)
		tn_buf_addf(b, " · %d not valid", bad);
	if (cs.loading)
		tn_buf_adds(b, " · looking up");
}

static int certs_key(enum act a, int key)
{
	(void)key;
	switch (a) {
	case ACT_DOWN:
		if (cs.cur + 1 < (size_t)cs.nlines)
			cs.cur++;
		break;
	case ACT_UP:
		if (cs.cur)
			cs.cur--;
		break;
	case ACT_FIRST:
		cs.cur = 0;
		break;
	case ACT_LAST:
		cs.cur = cs.nlines ? (size_t)cs.nlines - 1 : 0;
		break;
	case ACT_PGDN:
		cs.cur += (size_t)(cs.height > 1 ? cs.height - 1 : 1);
		if (cs.cur >= (size_t)cs.nlines)
			cs.cur = cs.nlines ? (size_t)cs.nlines - 1 : 0;
		break;
	case ACT_PGUP:
		cs.cur = cs.cur > (size_t)cs.height ? cs.cur - (size_t)cs.height : 0;
		break;
	case ACT_REFRESH:
		ask_purpose_then_fetch();
		break;
	case ACT_CERTS:
		edit_start("holder (ID number or credit code): ", NULL, NULL, on_holder, NULL);
		break;
	case ACT_CONSENT:
		certs_consent_ask(cs.holder, ask_purpose_then_fetch);
		break;
	default:
		return 0;
	}
	if (cs.cur < cs.top)
		cs.top = cs.cur;
	if (cs.height > 0 && cs.cur >= cs.top + (size_t)cs.height)
		cs.top = cs.cur - (size_t)cs.height + 1;
	return 1;
}

const struct view certs_view = {
	"certificates", V_CERTS, certs_draw, certs_status, certs_key, NULL
};
