/* casecert.c — zero-material filing: the applicant's e-certificates attached to a case in place of materials. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jv.h>

#include "tn_buf.h"
#include "tn_case.h"
#include "tn_today.h"
#include "tn_http.h"

/* The string member `key` of `obj` (borrowed), or NULL; *hold is to be freed. */
static const char *str_of(jv obj, const char *key, jv *hold)
{
	*hold = jv_get_kind(obj) == JV_KIND_OBJECT ? jv_object_get(jv_copy(obj), jv_string(key))
						   : jv_invalid();
	return jv_get_kind(*hold) == JV_KIND_STRING ? jv_string_value(*hold) : NULL;
}

/* 1 when the body's materials (borrowed) already list `code`. */
static int listed(jv mats, const char *code)
{
	int found = 0;

	if (jv_get_kind(mats) != JV_KIND_ARRAY)
		return 0;
	jv_array_foreach(mats, i, m) {
		jv h;
		const char *c = str_of(m, "code", &h);

		if (c && strcmp(c, code) == 0)
			found = 1;
		jv_free(h);
		jv_free(m);
	}
	return found;
}

/*
 * The id (malloc'd) of the first certificate of `holder` of `kind` that is
 * valid today, or NULL when there is none or the server does not say.
 * `headers`: extra request headers (the consent code), or NULL.  A look-up
 * the server refuses (403) fills *refused with its reason, unless an
 * earlier one did.
 */
static char *find_cert(struct tn_client *c, const char *holder, const char *kind,
		       const char *item, const char *const *headers, struct tn_err *refused)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_buf path = TN_BUF_INIT, purpose = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	char today[16], *found = NULL;
	jv items;

	tn_today_china_str(today, sizeof(today));
	tn_buf_addf(&purpose, "case-submit %s", item);
	tn_buf_adds(&path, "/v1/certs?holder=");
	tn_url_escape(&path, holder);
	tn_buf_adds(&path, "&kind=");
	tn_url_escape(&path, kind);
	tn_buf_adds(&path, "&status=valid&limit=100&purpose=");
	tn_url_escape(&path, purpose.buf);
	req.path = path.buf;
	req.headers = headers;
	if (tn_client_do(c, &req, &resp, &err) != TN_OK) {
		if (err.code == TN_EAUTH && refused->code == TN_OK)
			*refused = err;
	} else {
		items = jv_get_kind(resp.body) == JV_KIND_OBJECT
			? jv_object_get(jv_copy(resp.body), jv_string("items")) : jv_invalid();
		if (jv_get_kind(items) == JV_KIND_ARRAY) {
			jv_array_foreach(items, i, cert) {
				jv h1, h2, h3;
				const char *id = str_of(cert, "id", &h1);
				const char *from = str_of(cert, "valid_from", &h2);
				const char *until = str_of(cert, "valid_until", &h3);

				if (!found && id && (!from || strcmp(from, today) <= 0) &&
				    (!until || strcmp(until, today) >= 0))
					found = tn_xstrdup(id);
				jv_free(h1);
				jv_free(h2);
				jv_free(h3);
				jv_free(cert);
			}
		}
		jv_free(items);
	}
	tn_response_release(&resp);
	tn_buf_release(&path);
	tn_buf_release(&purpose);
	return found;
}

enum tn_code tn_case_attach_certs(struct tn_client *c, jv body, const char *consent_code,
				  jv *out, jv *exempted, struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_buf path = TN_BUF_INIT, consent = TN_BUF_INIT;
	struct tn_err refused = TN_ERR_INIT;
	const char *hdrs[2] = { NULL, NULL };
	jv hi, app, ha, mats, list, got = jv_array();
	const char *item = str_of(body, "item", &hi), *holder;
	enum tn_code rc;

	app = jv_object_get(jv_copy(body), jv_string("applicant"));
	holder = str_of(app, "id", &ha);
	if (!item || !holder) {
		rc = TN_OK;
		goto out;
	}
	if (consent_code && *consent_code) {
		tn_buf_addf(&consent, "X-Consent-Code: %s", consent_code);
		hdrs[0] = consent.buf;
	}
	tn_buf_adds(&path, "/v1/items/");
	tn_url_escape(&path, item);
	req.path = path.buf;
	rc = tn_client_do(c, &req, &resp, err);
	if (rc != TN_OK) {
		tn_response_release(&resp);
		goto out;
	}
	list = jv_get_kind(resp.body) == JV_KIND_OBJECT
	       ? jv_object_get(jv_copy(resp.body), jv_string("materials")) : jv_invalid();
	tn_response_release(&resp);
	mats = jv_object_get(jv_copy(body), jv_string("materials"));
	if (jv_get_kind(mats) != JV_KIND_ARRAY) {
		jv_free(mats);
		mats = jv_array();
	}
	if (jv_get_kind(list) == JV_KIND_ARRAY) {
		jv_array_foreach(list, i, m) {
			jv h1, h2, h3;
			const char *code = str_of(m, "code", &h1), *kind = str_of(m, "cert_kind", &h2);
			const char *name = str_of(m, "name", &h3);
			char *id;

			if (code && kind && !listed(mats, code) &&
			    (id = find_cert(c, holder, kind, item, hdrs[0] ? hdrs : NULL,
						&refused)) != NULL) {
				jv e = jv_object_set(jv_object(), jv_string("code"), jv_string(code));

				mats = jv_array_append(mats, jv_object_set(jv_copy(e), jv_string("cert"),
									    jv_string(id)));
				e = jv_object_set(e, jv_string("name"), name ? jv_string(name) : jv_null());
				got = jv_array_append(got, jv_object_set(e, jv_string("cert"), jv_string(id)));
				free(id);
			}
			jv_free(h1);
			jv_free(h2);
			jv_free(h3);
			jv_free(m);
		}
	}
	jv_free(list);
	if (jv_array_length(jv_copy(got)) > 0)
		body = jv_object_set(body, jv_string("materials"), mats);
	else
		jv_free(mats);
	if (refused.code != TN_OK) {
		rc = tn_err_set(err, TN_EAUTH, "%s", refused.message);
		if (err)
			err->http_status = refused.http_status;
	}
out:
	jv_free(hi);
	jv_free(ha);
	jv_free(app);
	tn_buf_release(&path);
	tn_buf_release(&consent);
	*out = body;
	if (exempted)
		*exempted = got;
	else
		jv_free(got);
	return rc;
}
