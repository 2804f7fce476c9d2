/* token.c — token administration over HTTP (GET/POST /v1/tokens, revoke, rotate). */
#include <string.h>

#include "tn_buf.h"
#include "tn_jv.h"
#include "tn_token.h"

enum tn_code tn_token_list(struct tn_client *c, int all, jv *items, struct tn_err *err)
{
	jv out;
	enum tn_code rc = tn_client_get(c, all ? "/v1/tokens?all=1" : "/v1/tokens", &out, err);

	*items = jv_invalid();
	if (rc != TN_OK)
		return rc;
	*items = jv_object_get(out, jv_string("items"));
	if (jv_get_kind(*items) != JV_KIND_ARRAY) {
		jv_free(*items);
		*items = jv_invalid();
		return tn_err_set(err, TN_ESERVER, "GET /v1/tokens: no items array");
	}
	return TN_OK;
}

static enum tn_code post(struct tn_client *c, const char *path, jv body, jv *tok,
			 struct tn_err *err)
{
	struct tn_request req = TN_REQUEST_INIT;
	struct tn_response resp;
	enum tn_code rc;

	*tok = jv_invalid();
	req.method = "POST";
	req.path = path;
	req.body = body;
	req.no_retry = 1;
	rc = tn_client_do(c, &req, &resp, err);
	if (rc == TN_OK)
		*tok = jv_copy(resp.body);
	tn_response_release(&resp);
	return rc;
}

static jv set_opt(jv o, const char *k, const char *v)
{
	return v ? jv_object_set(o, jv_string(k), jv_string(v)) : o;
}

enum tn_code tn_token_add(struct tn_client *c, const char *role, const char *name,
			  const char *dept, const char *subject, const char *expires, jv *tok,
			  struct tn_err *err)
{
	jv body = jv_object();

	body = set_opt(body, "role", role);
	body = set_opt(body, "name", name);
	body = set_opt(body, "dept", dept);
	body = set_opt(body, "subject", subject);
	body = set_opt(body, "expires", expires);
	return post(c, "/v1/tokens", body, tok, err);
}

/* POST /v1/tokens/ID/VERB after checking ID is a number. */
static enum tn_code by_id(struct tn_client *c, const char *id, const char *verb, jv *tok,
			  struct tn_err *err)
{
	struct tn_buf path = TN_BUF_INIT;
	enum tn_code rc;

	*tok = jv_invalid();
	if (!*id || strspn(id, "0123456789") != strlen(id) || strlen(id) > 18)
		return tn_err_set(err, TN_EINVALID, "'%s' is not a token id", id);
	tn_buf_addf(&path, "/v1/tokens/%s/%s", id, verb);
	rc = post(c, path.buf, jv_invalid(), tok, err);
	tn_buf_release(&path);
	return rc;
}

enum tn_code tn_token_revoke(struct tn_client *c, const char *id, jv *tok, struct tn_err *err)
{
	return by_id(c, id, "revoke", tok, err);
}

enum tn_code tn_token_rotate(struct tn_client *c, const char *id, jv *tok, struct tn_err *err)
{
	return by_id(c, id, "rotate", tok, err);
}
