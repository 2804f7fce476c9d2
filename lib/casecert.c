/* casecert.c — zero-material filing: the applicant's e-certificates attached to a case in place of materials. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jv.h>

#include "tn_buf.h"
#include "tn_case.h"
#include "tn_jv.h"
#include "tn_today.h"
#include "tn_http.h"

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
		items = tn_jv_array(resp.body, "items");
		jv_array_foreach(items, i, cert) {
			const char *id = tn_jv_str(cert, "id");
			const char *from = tn_jv_str(cert, "valid_from");
			const char *until = tn_jv_str(cert, "valid_until");

			if (!found && id && (!from || strcmp(from, today) <= 0) &&
			    (!until || strcmp(until, today) >= 0))
				found = tn_xstrdup(id);
			jv_free(cert);
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
	jv app = tn_jv_get(body, "applicant"), mats, list, got = jv_array();
	/* both borrowed: body and app stay unchanged until they are last used */
	const char *item = tn_jv_str(body, "item"), *holder = tn_jv_str(app, "id");
	enum tn_code rc;

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
	list = tn_jv_array(resp.body, "materials");
	tn_response_release(&resp);
	mats = tn_jv_array(body, "materials");
	jv_array_foreach(list, i, m) {
		const char *code = tn_jv_str(m, "code"), *kind = tn_jv_str(m, "cert_kind");
		const char *name = tn_jv_str(m, "name");
		char *id;

		if (code && kind && tn_jv_array_find(mats, "code", code) < 0 &&
		    (id = find_cert(c, holder, kind, item, hdrs[0] ? hdrs : NULL,
					&refused)) != NULL) {
			jv e = jv_object_set(jv_object(), jv_string("code"), jv_string(code));

			mats = jv_array_append(mats, jv_object_set(jv_copy(e), jv_string("cert"),
								    jv_string(id)));
			e = jv_object_set(e, jv_string("name"), tn_jv_string_or_null(name));
			got = jv_array_append(got, jv_object_set(e, jv_string("cert"), jv_string(id)));
			free(id);
		}
		jv_free(m);
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
