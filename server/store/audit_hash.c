/* audit_hash.c — the audit chain's row hash, without jq when it can, for both storage backends. */
#include "tn_cert.h"
#include "store/audit_hash.h"

static jv text_or_null(const char *s)
{
	return s ? jv_string(s) : jv_null();
}

enum tn_code store_audit_hash(long long seq, const struct store_audit *a, const char *prev,
			      char out[65], struct tn_err *err)
{
	const struct tn_audit_fields f = { a->at, a->actor, a->role, a->cert, a->holder, a->purpose,
					   a->outcome };

	if (a->actor && a->at && a->role && a->outcome &&
	    tn_cert_audit_hash_fields(seq, &f, prev, out) == 0)
		return TN_OK;
	enum tn_code code;
	jv r = jv_object_set(jv_object(), jv_string("seq"), jv_number((double)seq));
	r = jv_object_set(r, jv_string("at"), text_or_null(a->at));
	r = jv_object_set(r, jv_string("actor"), text_or_null(a->actor));
	r = jv_object_set(r, jv_string("role"), text_or_null(a->role));
	r = jv_object_set(r, jv_string("cert"), text_or_null(a->cert));
	r = jv_object_set(r, jv_string("holder"), text_or_null(a->holder));
	r = jv_object_set(r, jv_string("purpose"), text_or_null(a->purpose));
	r = jv_object_set(r, jv_string("outcome"), text_or_null(a->outcome));
	code = tn_cert_audit_hash(r, prev, out, err);
	jv_free(r);
	return code;
}
