/* certs_issue.c — issuing and revoking e-certificates (POST /v1/certs, POST /v1/certs/{id}/revoke), signed with SM2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_today.h"
#include "tn_buf.h"
#include "tn_case.h"
#include "tn_cert.h"
#include "certs.h"
#include "store_certs.h"
#include "tn_http.h"
#include "twonetd.h"
#include "jvutil.h"

#define KEY_CACHE 32

/* ---- the issuers' private keys, once per worker ---- */

static struct {
	char id[17];
	struct tn_cert_key *key;
} keycache[KEY_CACHE];
static int nkeys;

/* The private key `key_id` of `dept` (borrowed from the cache), or NULL with err set. */
static struct tn_cert_key *private_key(struct store *st, const char *dept, const char *key_id,
				       struct tn_err *err)
{
	struct tn_cert_key *k;
	char *path;

	for (int i = 0; i < nkeys; i++)
		if (strcmp(keycache[i].id, key_id) == 0)
			return keycache[i].key;
	if (!certs_state_base(st, err))
		return NULL;
	path = certs_key_path(certs_state_base(st, NULL), dept, key_id);
	if (tn_cert_key_load_private(path, &k, err) != TN_OK) {
		free(path);
		return NULL;
	}
	free(path);
	if (strcmp(tn_cert_key_id(k), key_id) != 0) {
		tn_cert_key_free(k);
		tn_err_set(err, TN_EINTERNAL, "the key file of %s is not key %s", dept, key_id);
		return NULL;
	}
	if (nkeys == KEY_CACHE) {
		tn_cert_key_free(keycache[0].key);
		memmove(keycache, keycache + 1, sizeof(keycache[0]) * (KEY_CACHE - 1));
		nkeys--;
	}
	snprintf(keycache[nkeys].id, sizeof(keycache[nkeys].id), "%s", key_id);
	keycache[nkeys].key = k;
	return keycache[nkeys++].key;
}

/* ---- issuing and revoking ---- */

/* 1 when `s` holds a control character other than '\n' (certificate text may span lines). */
static int has_control_but_newline(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\n') || *s == 0x7f)
			return 1;
	return 0;
}

/* The checked holder object (`h` consumed) of a new certificate in *out; 0, or -1 after replying. */
static int check_cert_holder(struct req *q, jv h, const char *want_type, jv *out)
{
	static const char *const keys[] = { "type", "id", "name", NULL };
	struct tn_err err = TN_ERR_INIT;
	const char *type, *id, *name;
	int rc = -1;

	*out = jv_invalid();
	if (jv_get_kind(h) != JV_KIND_OBJECT) {
		reply_problem(q, 422, "holder", "holder is required (an object: type, id, name)");
		jv_free(h);
		return -1;
	}
	if (reply_unknown_member(q, h, keys, "holder") < 0) {
		jv_free(h);
		return -1;
	}
	type = tn_jv_str(h, "type");
	id = tn_jv_str(h, "id");
	name = tn_jv_str(h, "name");
	if (!type || strcmp(type, want_type) != 0)
		reply_problem(q, 422, "holder.type", "holder.type must be '%s' for this kind", want_type);
	else if (!id || tn_cert_check_holder(type, id, &err) != TN_OK)
		reply_problem(q, 422, "holder.id", "holder.id: %s", id ? err.message : "is required");
	else if (!name || !*name || (long)tn_utf8_chars(name) > 100 || has_control_but_newline(name))
		reply_problem(q, 422, "holder.name", "holder.name must be 1 to 100 characters");
	else {
		jv o = jv_object_set(jv_object(), jv_string("type"), jv_string(type));

		o = jv_object_set(o, jv_string("id"), jv_string(id));
		*out = jv_object_set(o, jv_string("name"), jv_string(name));
		rc = 0;
	}
	jv_free(h);
	return rc;
}

/* The checked fields of a new certificate of `kind` in *out; 0, or -1 after replying. */
static int check_cert_fields(struct req *q, jv kind, jv given, jv *out)
{
	jv defs = tn_jv_array(kind, "fields");    /* the kinds file: none when absent */
	char field[300];
	int rc = 0;

	*out = jv_object();
	if (jv_get_kind(given) == JV_KIND_NULL || jv_get_kind(given) == JV_KIND_INVALID) {
		jv_free(given);
		given = jv_object();
	}
	if (jv_get_kind(given) != JV_KIND_OBJECT) {
		reply_problem(q, 422, "fields", "fields must be an object");
		rc = -1;
		goto out;
	}
	jv_object_foreach(given, key, val) {
		const char *k = jv_string_value(key);
		int known = tn_jv_array_find(defs, "name", k) >= 0;

		snprintf(field, sizeof(field), "fields.%s", k);
		if (rc == 0 && !known) {
			reply_problem(q, 422, field, "a certificate of this kind has no field '%s'", k);
			rc = -1;
		} else if (rc == 0 && jv_get_kind(val) != JV_KIND_STRING &&
			   jv_get_kind(val) != JV_KIND_NULL) {
			reply_problem(q, 422, field, "field '%s' must be a string", k);
			rc = -1;
		} else if (rc == 0 && jv_get_kind(val) == JV_KIND_STRING &&
			   ((long)tn_utf8_chars(jv_string_value(val)) > 1000 || has_control_but_newline(jv_string_value(val)))) {
			reply_problem(q, 422, field, "field '%s' must be at most 1000 characters without "
				      "control characters", k);
			rc = -1;
		}
		jv_free(key);
		jv_free(val);
	}
	if (rc)
		goto out;
	jv_array_foreach(defs, i, d) {
		jv v;
		const char *n = tn_jv_str(d, "name");
		int required = tn_jv_bool(d, "required", 1) != 0;   /* unless false */

		if (n && rc == 0) {
			v = jv_object_get(jv_copy(given), jv_string(n));
			if (jv_get_kind(v) == JV_KIND_STRING && *jv_string_value(v)) {
				*out = jv_object_set(*out, jv_string(n), v);
			} else if (required) {
				snprintf(field, sizeof(field), "fields.%s", n);
				reply_problem(q, 422, field, "field '%s' is required", n);
				jv_free(v);
				rc = -1;
			} else {
				jv_free(v);
				*out = jv_object_set(*out, jv_string(n), jv_null());
			}
		}
		jv_free(d);
	}
out:
	jv_free(defs);
	jv_free(given);
	if (rc) {
		jv_free(*out);
		*out = jv_invalid();
	}
	return rc;
}

/* A date member: 0 with *out a jv string or null; -1 after replying. */
static int date_member(struct req *q, jv body, const char *key, int nullable, const char *dflt,
		       jv *out)
{
	jv v = jv_object_get(jv_copy(body), jv_string(key));
	long d;

	*out = jv_invalid();
	if (jv_get_kind(v) == JV_KIND_INVALID || jv_get_kind(v) == JV_KIND_NULL) {
		jv_free(v);
		*out = dflt ? jv_string(dflt) : jv_null();
		if (!dflt && !nullable) {
			reply_problem(q, 422, key, "%s is required", key);
			return -1;
		}
		return 0;
	}
	if (jv_get_kind(v) != JV_KIND_STRING || tn_date_parse(jv_string_value(v), &d) != 0) {
		jv_free(v);
		reply_problem(q, 422, key, "%s must be a date (YYYY-MM-DD)%s", key,
			      nullable ? " or null" : "");
		return -1;
	}
	*out = v;
	return 0;
}

void certs_post_cert(struct req *q, const char *arg)
{
	static const char *const keys[] = { "kind", "holder", "fields", "valid_from", "valid_until",
					    NULL };
	struct tn_err err = TN_ERR_INIT;
	struct store_cert_row row;
	struct tn_cert_key *key;
	jv body, kind = jv_invalid(), holder = jv_invalid(), fields = jv_invalid();
	jv from = jv_invalid(), until = jv_invalid(), dept_doc = jv_invalid(), doc, signed_doc;
	jv h1 = jv_invalid(), text;
	const char *ikey, *kcode, *kdept, *htype, *uscc, *kname;
	char *canon, *stored_hash = NULL, *key_id = NULL, hash[65], today[16], year[8];
	char serial[32], id[TN_CERT_ID_MAX], now[40], loc[160];
	long first;

	ikey = req_header(q, "Idempotency-Key");
	if (!ikey || tn_idem_key_check(ikey, NULL) != TN_OK) {
		reply_problem(q, 400, NULL, ikey ? "Idempotency-Key must be 1 to 128 printable characters"
			      : "the Idempotency-Key header is required");
		return;
	}
	if (req_body(q, &body) < 0)
		return;
	if (reply_unknown_member(q, body, keys, NULL) < 0)
		goto done;
	canon = tn_json_canonical(body);
	tn_sha256_hex(canon, strlen(canon), hash);
	free(canon);
	if (store_cert_idem(q->srv->st, q->tok.id, ikey, &stored_hash, &doc, &err) == TN_OK) {
		if (strcmp(stored_hash, hash) == 0) {
			const char *idc = tn_jv_str(doc, "id");

			snprintf(loc, sizeof(loc), "/v1/certs/%s", idc ? idc : "");
			req_set_header(q, "Location", loc);
			req_set_header(q, "Idempotent-Replayed", "true");
			reply_json(q, 200, doc);
		} else {
			jv_free(doc);
			reply_problem(q, 409, NULL, "idempotency key '%s' was used for another certificate "
				      "with a different body", ikey);
		}
		free(stored_hash);
		goto done;
	} else if (err.code != TN_ENOTFOUND) {
		reply_error(q, &err);
		goto done;
	}
	tn_err_clear(&err);
	if (certs_str_member(q, body, "kind", 64, 0, &kcode, &h1) < 0)
		goto done;
	kind = kcode ? tn_cert_kind_find(certs_kinds(), kcode) : jv_invalid();
	if (!jv_is_valid(kind)) {
		reply_problem(q, 422, "kind", kcode ? "unknown certificate kind '%s'"
			      : "kind is required (a kind code or alias)%s", kcode ? kcode : "");
		goto done;
	}
	kdept = tn_jv_str(kind, "dept");
	if (!kdept || !q->tok.dept || strcmp(kdept, q->tok.dept) != 0) {
		reply_problem(q, 403, "kind", "issuer of %s cannot issue kind %s (%s)",
			      q->tok.dept ? q->tok.dept : "", kcode, kdept ? kdept : "?");
		goto done;
	}
	htype = tn_jv_str(kind, "holder_type");
	if (check_cert_holder(q, tn_jv_get(body, "holder"), htype ? htype : "person", &holder) < 0)
		goto done;
	if (check_cert_fields(q, kind, tn_jv_get(body, "fields"), &fields) < 0)
		goto done;
	tn_today_china_str(today, sizeof(today));
	if (date_member(q, body, "valid_from", 0, today, &from) < 0 ||
	    date_member(q, body, "valid_until", 1, NULL, &until) < 0)
		goto done;
	if (jv_get_kind(until) == JV_KIND_STRING &&
	    strcmp(jv_string_value(until), jv_string_value(from)) < 0) {
		reply_problem(q, 422, "valid_until", "valid_until is before valid_from");
		goto done;
	}
	dept_doc = certs_department(kdept);
	uscc = tn_jv_str(dept_doc, "uscc");
	if (!uscc) {
		reply_problem(q, 500, NULL, "department '%s' has no credit code in the kinds file", kdept);
		goto done;
	}
	if (store_issuer_current(q->srv->st, kdept, &key_id, &err) != TN_OK) {
		if (err.code == TN_ENOTFOUND)
			reply_problem(q, 409, NULL, "department '%s' has no issuer key (twonetd issuer "
				      "add --dept %s)", kdept, kdept);
		else
			reply_error(q, &err);
		goto done;
	}
	if (!(key = private_key(q->srv->st, kdept, key_id, &err))) {
		fprintf(stderr, "twonetd: error: %s\n", err.message);
		reply_problem(q, 500, NULL, "the issuer key of %s cannot be used", kdept);
		goto done;
	}
	kcode = tn_jv_str(kind, "code");
	kname = tn_jv_str(kind, "name");
	snprintf(year, sizeof(year), "%.4s", today);
	if (store_cert_serials(q->srv->st, kcode, uscc, year, 1, &first, &err) != TN_OK) {
		reply_error(q, &err);
		goto done;
	}
	snprintf(serial, sizeof(serial), "%s%08ld", year, first);
	if (tn_cert_id_build(kcode, uscc, serial, 1, id, &err) != TN_OK) {
		reply_problem(q, 500, NULL, "%s", err.message);
		goto done;
	}
	time_now_rfc3339(now, sizeof(now));
	doc = jv_object();
	doc = jv_object_set(doc, jv_string("id"), jv_string(id));
	doc = jv_object_set(doc, jv_string("kind"), jv_string(kcode));
	doc = jv_object_set(doc, jv_string("kind_name"), jv_string(kname ? kname : ""));
	doc = jv_object_set(doc, jv_string("holder"), jv_copy(holder));
	doc = jv_object_set(doc, jv_string("issuer"),
			    jv_object_set(jv_object_set(jv_object(), jv_string("dept"),
							jv_string(kdept)),
					  jv_string("uscc"), jv_string(uscc)));
	doc = jv_object_set(doc, jv_string("fields"), jv_copy(fields));
	doc = jv_object_set(doc, jv_string("valid_from"), jv_copy(from));
	doc = jv_object_set(doc, jv_string("valid_until"), jv_copy(until));
	doc = jv_object_set(doc, jv_string("issued_at"), jv_string(now));
	doc = jv_object_set(doc, jv_string("status"), jv_string("valid"));
	doc = jv_object_set(doc, jv_string("revoked_at"), jv_null());
	doc = jv_object_set(doc, jv_string("revoke_reason"), jv_null());
	if (tn_cert_sign(doc, key, &signed_doc, &err) != TN_OK) {
		reply_problem(q, 500, NULL, "cannot sign: %s", err.message);
		goto done;
	}
	text = jv_dump_string(jv_copy(signed_doc), 0);
	memset(&row, 0, sizeof(row));
	row.id = id;
	row.kind = kcode;
	row.holder = tn_jv_str(holder, "id");
	row.dept = kdept;
	row.doc = jv_string_value(text);
	row.token_id = q->tok.id;
	row.idem_key = ikey;
	row.idem_hash = hash;
	if (store_cert_insert(q->srv->st, &row, &err) != TN_OK) {
		jv_free(text);
		jv_free(signed_doc);
		reply_error(q, &err);
		goto done;
	}
	jv_free(text);
	snprintf(loc, sizeof(loc), "/v1/certs/%s", id);
	req_set_header(q, "Location", loc);
	reply_json(q, 201, signed_doc);
done:
	free(key_id);
	jv_free(h1);
	jv_free(kind);
	jv_free(holder);
	jv_free(fields);
	jv_free(from);
	jv_free(until);
	jv_free(dept_doc);
	jv_free(body);
}

void certs_post_revoke(struct req *q, const char *id)
{
	static const char *const keys[] = { "reason", NULL };
	struct tn_err err = TN_ERR_INIT;
	jv body, doc, hr, issuer;
	const char *reason, *dept;
	char now[40];

	if (req_body(q, &body) < 0)
		return;
	if (reply_unknown_member(q, body, keys, NULL) < 0) {
		jv_free(body);
		return;
	}
	if (certs_str_member(q, body, "reason", 500, 1, &reason, &hr) < 0)
		goto out;
	if (!reason || !*reason) {
		reply_problem(q, 422, "reason", "reason is required (1 to 500 characters)");
		goto out;
	}
	if (tn_cert_id_parse(id, NULL, &err) != TN_OK) {
		reply_problem(q, 400, NULL, "%s", err.message);
		goto out;
	}
	if (store_cert_get(q->srv->st, id, &doc, &err) != TN_OK) {
		reply_error(q, &err);
		goto out;
	}
	issuer = tn_jv_get(doc, "issuer");
	dept = tn_jv_str(issuer, "dept");
	if (req_role(q, "issuer") && (!dept || !q->tok.dept || strcmp(dept, q->tok.dept) != 0)) {
		reply_problem(q, 403, NULL, "an issuer of %s may not revoke a certificate of %s",
			      q->tok.dept ? q->tok.dept : "", dept ? dept : "?");
		jv_free(doc);
	} else {
		time_now_rfc3339(now, sizeof(now));
		doc = jv_object_set(doc, jv_string("status"), jv_string("revoked"));
		doc = jv_object_set(doc, jv_string("revoked_at"), jv_string(now));
		doc = jv_object_set(doc, jv_string("revoke_reason"), jv_string(reason));
		if (store_cert_revoke(q->srv->st, id, now, reason, jv_copy(doc), &err) != TN_OK) {
			jv_free(doc);
			reply_error(q, &err);
		} else {
			reply_json(q, 200, doc);
		}
	}
	jv_free(issuer);
out:
	jv_free(hr);
	jv_free(body);
}
