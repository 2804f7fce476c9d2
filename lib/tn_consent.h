/* tn_consent.h — a holder's consents to reader scenarios: grant, list, revoke (POST/GET /v1/consents). */
#ifndef TN_CONSENT_H
#define TN_CONSENT_H

#include <jv.h>

#include "tn_err.h"

struct tn_client;

/*
 * Turn an expiry given by a user into RFC 3339 in `out`: a date
 * YYYY-MM-DD is the end of that day in Shanghai (23:59:59+08:00), an RFC
 * 3339 time is kept.  TN_EINVALID naming "until" otherwise.
 */
enum tn_code tn_consent_until(const char *text, char *out, size_t size, struct tn_err *err);

/*
 * Grant: POST /v1/consents {scenario, expires_at[, kinds][, holder]}
 * (`kinds` "K1,K2" or NULL: every kind of the scenario; `holder` NULL: the
 * token's own subject).  Never retried (a retry would make a second
 * consent token).  The answer {token, id, holder, scenario, ...} in *out.
 */
enum tn_code tn_consent_grant(struct tn_client *c, const char *scenario, const char *kinds,
			      const char *until, const char *holder, jv *out, struct tn_err *err);

/* GET /v1/consents[?holder=][&scenario=]: the items array in *out. */
enum tn_code tn_consent_list(struct tn_client *c, const char *holder, const char *scenario,
			     jv *out, struct tn_err *err);

/* POST /v1/consents/ID/revoke: the consent as it was, status "revoked", in *out. */
enum tn_code tn_consent_revoke(struct tn_client *c, const char *id, jv *out, struct tn_err *err);

/* Default table columns of a consent, NULL-terminated. */
extern const char *tn_consent_columns[];

#endif
