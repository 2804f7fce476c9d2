/* tokens.c — the token administration API: list, add, revoke and rotate tokens (GET/POST /v1/tokens...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "tn_id.h"
#include "tn_jv.h"
#include "tn_text.h"
#include "certs.h"
#include "jvutil.h"
#include "twonetd.h"

/*
 * A department administrator is an admin token with a department: it sees,
 * adds, revokes and rotates only its own department's clerk tokens.  An
 * admin without a department administers every token.
 */
static const char *dept_admin(const struct req *q)
{
	return q->tok.dept && *q->tok.dept ? q->tok.dept : NULL;
}

/* A new secret "tn_" and 40 hex digits into token (>= 64 bytes), its hash into hash. */
static int new_secret(char *token, char *hash)
{
	unsigned char raw[20];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	memcpy(token, "tn_", 3);
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(token + 3 + 2 * i, 3, "%02x", raw[i]);
	tn_sha256_hex(token, strlen(token), hash);
	return 0;
}

/*
 * The token `arg` names, as its document in *doc, when the caller may
 * administer it (a department administrator: its department's clerks only,
 * others are 404 like unknown ids).  0, or -1 after replying.
 */
static int token_arg(struct req *q, const char *arg, long *id, jv *doc)
{
	struct tn_err err = TN_ERR_INIT;
	const char *d = dept_admin(q), *role, *dept;
	char *end;

	*id = strtol(arg, &end, 10);
	if (!*arg || *end || *id < 1) {
		reply_problem(q, 400, NULL, "'%s' is not a token id", arg);
		return -1;
	}
	if (store_token_get(q->srv->st, *id, doc, &err) != TN_OK) {
		reply_error(q, &err);
		return -1;
	}
	role = tn_jv_str(*doc, "role");
	dept = tn_jv_str(*doc, "dept");
	if (d && (!role || strcmp(role, "clerk") != 0 || !dept || strcmp(dept, d) != 0)) {
		jv_free(*doc);
		reply_problem(q, 404, NULL, "no token %ld", *id);
		return -1;
	}
	return 0;
}

/* GET /v1/tokens[?all=1]: {"items": [...]} without secrets. */
void tokens_list(struct req *q, const char *arg)
{
	static const char *const allowed[] = { "all", NULL };
	struct tn_err err = TN_ERR_INIT;
	const char *all;
	jv items;

	if (req_query_check(q, allowed) < 0)
		return;
	all = req_query(q, "all");
	if (store_token_list(q->srv->st, dept_admin(q), all && strcmp(all, "0") != 0, &items,
			     &err) != TN_OK) {
		reply_error(q, &err);
		return;
	}
	reply_json(q, 200, jv_object_set(jv_object(), jv_string("items"), items));
}

/* Reply 201 with token `id`'s document and its secret (shown this once). */
static void reply_created(struct req *q, long id, const char *secret)
{
	struct tn_err err = TN_ERR_INIT;
	char loc[64];
	jv doc;

	if (store_token_get(q->srv->st, id, &doc, &err) != TN_OK) {
		reply_error(q, &err);
		return;
	}
	snprintf(loc, sizeof(loc), "/v1/tokens/%ld", id);
	req_set_header(q, "Location", loc);
	reply_json(q, 201, jv_object_set(doc, jv_string("token"), jv_string(secret)));
}

/* The checks of POST /v1/tokens on `body` (borrowed): 0, or -1 after replying. */
static int check_new(struct req *q, jv body, const char **role, const char **dept, char *until,
		     size_t size)
{
	struct tn_err err = TN_ERR_INIT;
	const char *name = tn_jv_str(body, "name"), *subject = tn_jv_str(body, "subject");
	const char *expires = tn_jv_str(body, "expires"), *d = dept_admin(q);
	int known = 0;
	jv dj;

	*role = tn_jv_str(body, "role");
	*dept = tn_jv_str(body, "dept");
	for (const char *const *r = twonetd_roles; *role && *r; r++)
		known |= strcmp(*r, *role) == 0;
	if (!*role || !known) {
		reply_problem(q, 422, "role", "unknown role '%s' (applicant, clerk, issuer, operator, "
			      "sensor, admin, reader, crew)", *role ? *role : "");
		return -1;
	}
	if (!name || !*name || strlen(name) > 200) {
		reply_problem(q, 422, "name", "name is required (1 to 200 characters)");
		return -1;
	}
	if (d && (strcmp(*role, "clerk") != 0 || !*dept || strcmp(*dept, d) != 0)) {
		reply_problem(q, 403, NULL, "an administrator of %s adds only clerk tokens of %s", d, d);
		return -1;
	}
	if (strcmp(*role, "reader") == 0) {
		if (!*dept || !certs_scenario_known(*dept)) {
			char names[400];

			certs_scenario_names(names, sizeof(names));
			reply_problem(q, 422, "dept", "unknown scenario '%s': a reader's dept is its "
				      "scenario (%s)", *dept ? *dept : "", names);
			return -1;
		}
	} else if (*dept) {
		if (store_department_get(q->srv->st, *dept, &dj, &err) != TN_OK) {
			if (err.code == TN_ENOTFOUND)
				reply_problem(q, 422, "dept", "unknown department '%s': not in the catalog",
					      *dept);
			else
				reply_error(q, &err);
			return -1;
		}
		jv_free(dj);
	} else if (strcmp(*role, "clerk") == 0 || strcmp(*role, "issuer") == 0) {
		reply_problem(q, 422, "dept", "a %s token needs a dept", *role);
		return -1;
	}
	if (strcmp(*role, "crew") == 0) {
		/* a crew's name is its subject: the tasks dispatched to it are its own */
		if (!subject || !*subject || strlen(subject) > 64 || has_control(subject)) {
			reply_problem(q, 422, "subject", "a crew token needs its crew as subject "
				      "(1 to 64 characters)");
			return -1;
		}
	} else if (subject && tn_id_check_holder(subject, &err) != TN_OK) {
		reply_problem(q, 422, "subject", "subject '%s': %s", subject, err.message);
		return -1;
	}
	until[0] = '\0';
	if (expires && store_token_when(q->srv->st, expires, until, size, &err) != TN_OK) {
		reply_problem(q, 422, "expires", "%s", err.message);
		return -1;
	}
	return 0;
}

/* POST /v1/tokens {role, name, dept, subject, expires}: 201, the secret printed once. */
void tokens_post(struct req *q, const char *arg)
{
	static const char *const keys[] = { "role", "name", "dept", "subject", "expires", NULL };
	struct tn_err err = TN_ERR_INIT;
	const char *role, *dept;
	char until[32], token[64], hash[65];
	long id;
	jv body;

	if (req_body(q, &body) < 0)
		return;
	if (reply_unknown_member(q, body, keys, NULL) < 0)
		goto out;
	jv_object_foreach(body, k, v) {
		int bad = jv_get_kind(v) != JV_KIND_STRING && jv_get_kind(v) != JV_KIND_NULL;

		if (bad)
			reply_problem(q, 400, jv_string_value(k), "%s must be a string",
				      jv_string_value(k));
		jv_free(k);
		jv_free(v);
		if (bad)
			goto out;
	}
	if (check_new(q, body, &role, &dept, until, sizeof(until)) < 0)
		goto out;
	if (new_secret(token, hash) < 0) {
		reply_problem(q, 500, NULL, "no random bytes for the token");
		goto out;
	}
	if (store_token_add_until(q->srv->st, hash, role, tn_jv_str(body, "name"), dept,
				  tn_jv_str(body, "subject"), until[0] ? until : NULL, &id,
				  &err) != TN_OK)
		reply_error(q, &err);
	else
		reply_created(q, id, token);
out:
	jv_free(body);
}

/* POST /v1/tokens/{id}/revoke: 200 with the revoked token; 409 when it already is. */
void tokens_revoke(struct req *q, const char *arg)
{
	struct tn_err err = TN_ERR_INIT;
	long id;
	jv doc;

	if (token_arg(q, arg, &id, &doc) < 0)
		return;
	jv_free(doc);
	if (store_token_revoke(q->srv->st, id, &err) != TN_OK) {
		reply_error(q, &err);
		return;
	}
	if (store_token_get(q->srv->st, id, &doc, &err) != TN_OK)
		reply_error(q, &err);
	else
		reply_json(q, 200, doc);
}

/* POST /v1/tokens/{id}/rotate: the old one revoked, a new one like it; 201 with its secret. */
void tokens_rotate(struct req *q, const char *arg)
{
	struct tn_err err = TN_ERR_INIT;
	char token[64], hash[65];
	long id, nid;
	jv doc;

	if (token_arg(q, arg, &id, &doc) < 0)
		return;
	jv_free(doc);
	if (new_secret(token, hash) < 0) {
		reply_problem(q, 500, NULL, "no random bytes for the token");
		return;
	}
	if (store_token_rotate(q->srv->st, id, hash, &nid, &err) != TN_OK)
		reply_error(q, &err);
	else
		reply_created(q, nid, token);
}
