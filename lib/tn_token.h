/* tn_token.h — token administration over HTTP: list, add, revoke and rotate API tokens. */
#ifndef TN_TOKEN_H
#define TN_TOKEN_H

#include <jv.h>

#include "tn_err.h"
#include "tn_http.h"

/* GET /v1/tokens (all: ?all=1, revoked and expired too): the items array in *items. */
enum tn_code tn_token_list(struct tn_client *c, int all, jv *items, struct tn_err *err);
/*
 * POST /v1/tokens: role and name required, dept, subject, expires may be
 * NULL.  *tok the new token's document with its "token" secret.
 */
enum tn_code tn_token_add(struct tn_client *c, const char *role, const char *name,
			  const char *dept, const char *subject, const char *expires, jv *tok,
			  struct tn_err *err);
/* POST /v1/tokens/{id}/revoke: the revoked token in *tok; TN_ECONFLICT when it already was. */
enum tn_code tn_token_revoke(struct tn_client *c, const char *id, jv *tok, struct tn_err *err);
/* POST /v1/tokens/{id}/rotate: the new token (with its secret) in *tok. */
enum tn_code tn_token_rotate(struct tn_client *c, const char *id, jv *tok, struct tn_err *err);

#endif
