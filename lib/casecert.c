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

/* GET path (escaped `code` after `prefix`) into *body (owned); the error otherwise. */
static enum tn_code get_doc(struct tn_client *c, const char *prefix, const char *code, jv *body,
			    struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_buf path = TN_BUF_INIT;
	enum tn_code rc;

	tn_buf_adds(&path, prefix);
	tn_url_escape(&path, code);
	req.path = path.buf;
	rc = tn_client_do(c, &req, &resp, err);
	*body = rc == TN_OK ? jv_copy(resp.body) : jv_invalid();
	tn_response_release(&resp);
	tn_buf_release(&path);
	return rc;
}

/*
 * The materials of workflow `wf`'s items a certificate kind stands for, once
 * per code, less those an item of the set produces (the workflow does not
 * ask for them): GET /v1/workflows/WF, then each item.  *list owned.
 */
static enum tn_code workflow_materials(struct tn_client *c, const char *wf, jv *list,
				       struct tn_err *err)
{
	jv doc, codes, produced = jv_array(), all = jv_array();
	enum tn_code rc;

	*list = jv_array();
	if ((rc = get_doc(c, "/v1/workflows/", wf, &doc, err)) != TN_OK) {
		jv_free(produced);
		jv_free(all);
		return rc;
	}
	codes = tn_jv_array(doc, "items");
	jv_free(doc);
	jv_array_foreach(codes, i, e) {
		jv code = jv_get_kind(e) == JV_KIND_OBJECT ? tn_jv_get(e, "code") : jv_copy(e), it;

		if (rc == TN_OK && jv_get_kind(code) == JV_KIND_STRING &&
		    (rc = get_doc(c, "/v1/items/", jv_string_value(code), &it, err)) == TN_OK) {
			jv mats = tn_jv_array(it, "materials"), prod = tn_jv_array(it, "produces");

			jv_array_foreach(prod, k, p) {
				produced = jv_array_append(produced, tn_jv_get(p, "code"));
				jv_free(p);
			}
			jv_array_foreach(mats, k, m) {
				const char *mc = tn_jv_str(m, "code");

				if (mc && tn_jv_str(m, "cert_kind") && tn_jv_array_find(all, "code", mc) < 0)
					all = jv_array_append(all, jv_copy(m));
				jv_free(m);
			}
			jv_free(mats);
			jv_free(prod);
			jv_free(it);
		}
		jv_free(code);
		jv_free(e);
	}
	jv_free(codes);
	jv_array_foreach(all, i, m) {
		int made = 0;

		jv_array_foreach(produced, k, p) {
			made |= jv_get_kind(p) == JV_KIND_STRING && tn_jv_is(m, "code", jv_string_value(p));
			jv_free(p);
		}
		if (!made)
			*list = jv_array_append(*list, jv_copy(m));
		jv_free(m);
	}
	jv_free(all);
	jv_free(produced);
	return rc;
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
	const char *wf = tn_jv_str(body, "workflow");
	enum tn_code rc;

	if ((!item && !wf) || !holder) {
		rc = TN_OK;
		goto out;
	}
	if (consent_code && *consent_code) {
		tn_buf_addf(&consent, "X-Consent-Code: %s", consent_code);
		hdrs[0] = consent.buf;
	}
	if (item) {
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
	} else if ((rc = workflow_materials(c, wf, &list, err)) != TN_OK) {
		jv_free(list);
		goto out;
	} else {
		item = wf;
	}
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
