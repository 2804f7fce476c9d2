/* consent.c — a holder's consents to reader scenarios: grant, list, revoke, for cert-consent. */
#include <stdio.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_consent.h"
#include "tn_http.h"

const char *tn_consent_columns[] = { "id", "holder", "scenario", "kinds", "expires_at", "status",
				     NULL };

enum tn_code tn_consent_until(const char *text, char *out, size_t size, struct tn_err *err)
{
	long days;
	char date[11];

	if (!text || strlen(text) < 10)
		goto bad;
	snprintf(date, sizeof(date), "%.10s", text);
	if (tn_date_parse(date, &days) != 0)
		goto bad;
	if (strlen(text) == 10)
		snprintf(out, size, "%sT23:59:59+08:00", date);
	else if (text[10] == 'T' && strlen(text) < 40)
		snprintf(out, size, "%s", text);   /* the server checks the rest */
	else
		goto bad;
	return TN_OK;
bad:
	return tn_err_field(err, TN_EINVALID, "until", "--until '%.40s': give a date (2026-12-31) or "
			    "a time (2026-12-31T18:00:00+08:00)", text ? text : "");
}

enum tn_code tn_consent_grant(struct tn_client *c, const char *scenario, const char *kinds,
			      const char *until, const char *holder, jv *out, struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	char exp[48];
	enum tn_code rc;
	jv body;

	*out = jv_invalid();
	if (tn_consent_until(until, exp, sizeof(exp), err) != TN_OK)
		return TN_EINVALID;
	body = jv_object_set(jv_object(), jv_string("scenario"), jv_string(scenario));
	body = jv_object_set(body, jv_string("expires_at"), jv_string(exp));
	if (holder)
		body = jv_object_set(body, jv_string("holder"), jv_string(holder));
	if (kinds) {
		jv list = jv_array();
		const char *p = kinds;

		while (*p) {
			size_t n = strcspn(p, ",");

			if (n)
				list = jv_array_append(list, jv_string_sized(p, (int)n));
			p += n;
			if (*p == ',')
				p++;
		}
		body = jv_object_set(body, jv_string("kinds"), list);
	}
	req.method = "POST";
	req.path = "/v1/consents";
	req.body = body;
	req.no_retry = 1;
	rc = tn_client_do(c, &req, &resp, err);
	if (rc == TN_OK)
		*out = jv_copy(resp.body);
	tn_response_release(&resp);
	return rc;
}

enum tn_code tn_consent_list(struct tn_client *c, const char *holder, const char *scenario,
			     jv *out, struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_buf path = TN_BUF_INIT;
	enum tn_code rc;

	*out = jv_invalid();
	tn_buf_adds(&path, "/v1/consents");
	if (holder) {
		tn_buf_adds(&path, "?holder=");
		tn_url_escape(&path, holder);
	}
	if (scenario) {
		tn_buf_adds(&path, holder ? "&scenario=" : "?scenario=");
		tn_url_escape(&path, scenario);
	}
	req.method = "GET";
	req.path = path.buf;
	rc = tn_client_do(c, &req, &resp, err);
	if (rc == TN_OK) {
		*out = jv_get_kind(resp.body) == JV_KIND_OBJECT
		       ? jv_object_get(jv_copy(resp.body), jv_string("items")) : jv_invalid();
		if (jv_get_kind(*out) != JV_KIND_ARRAY) {
			jv_free(*out);
			*out = jv_invalid();
			rc = tn_err_set(err, TN_ESERVER, "GET /v1/consents: the answer has no items");
		}
	}
	tn_response_release(&resp);
	tn_buf_release(&path);
	return rc;
}

enum tn_code tn_consent_revoke(struct tn_client *c, const char *id, jv *out, struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	struct tn_buf path = TN_BUF_INIT;
	enum tn_code rc;

	*out = jv_invalid();
	if (!*id || strspn(id, "0123456789") != strlen(id) || strlen(id) > 18)
		return tn_err_field(err, TN_EINVALID, "id", "consent id '%.40s': a consent id is a "
				    "number (cert-consent list shows them)", id);
	tn_buf_addf(&path, "/v1/consents/%s/revoke", id);
	req.method = "POST";
	req.path = path.buf;
	req.no_retry = 1;
	rc = tn_client_do(c, &req, &resp, err);
	if (rc == TN_OK)
		*out = jv_copy(resp.body);
	tn_response_release(&resp);
	tn_buf_release(&path);
	return rc;
}
