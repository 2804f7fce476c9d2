/* certcode.c — a holder's one-time consent code: made on the server, read aloud, typed again (one rule for twonetd, the commands and casedesk). */
#include <stdio.h>
#include <string.h>

#include "tn_cert.h"
#include "tn_http.h"

const char *tn_cert_code_columns[] = { "code", "expires_at", "holder", NULL };

enum tn_code tn_cert_code_new(struct tn_client *c, jv *out, struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	enum tn_code rc;

	*out = jv_invalid();
	req.method = "POST";
	req.path = "/v1/consents/codes";
	req.no_retry = 1;
	rc = tn_client_do(c, &req, &resp, err);
	if (rc == TN_OK && jv_get_kind(resp.body) == JV_KIND_OBJECT)
		*out = jv_copy(resp.body);
	else if (rc == TN_OK)
		rc = tn_err_set(err, TN_ESERVER, "POST /v1/consents/codes: the answer is not a code");
	tn_response_release(&resp);
	return rc;
}

enum tn_code tn_cert_code_normalize(const char *text, char out[TN_CERT_CODE_LEN + 1],
				    struct tn_err *err)
{
	size_t n = 0;

	out[0] = '\0';
	for (const char *p = text ? text : ""; *p; p++) {
		char c = *p;

		if (c == '-' || c == ' ' || c == '\t')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c == 'O')
			c = '0';
		else if (c == 'I' || c == 'L')
			c = '1';
		if (!strchr(TN_CERT_CODE_ALPHABET, c) || n == TN_CERT_CODE_LEN) {
			out[0] = '\0';
			return tn_err_set(err, TN_EINVALID, "consent code '%.40s': %s", text,
					  n == TN_CERT_CODE_LEN ? "longer than 12 characters"
					  : "a code has only the digits and the letters A to Z but U");
		}
		out[n++] = c;
	}
	out[n] = '\0';
	if (n != TN_CERT_CODE_LEN) {
		out[0] = '\0';
		return tn_err_set(err, TN_EINVALID, "consent code '%.40s': %zu characters, a code has 12 "
				  "(three groups of four, e.g. 7K2M-9QXD-4HT8)", text ? text : "", n);
	}
	return TN_OK;
}

void tn_cert_code_show(const char *code, char out[TN_CERT_CODE_LEN + 3])
{
	snprintf(out, TN_CERT_CODE_LEN + 3, "%.4s-%.4s-%.4s", code, code + 4, code + 8);
}
