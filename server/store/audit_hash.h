/* audit_hash.h — the audit chain's row hash, shared by the storage backends. */
#ifndef TWONETD_STORE_AUDIT_HASH_H
#define TWONETD_STORE_AUDIT_HASH_H

#include "tn_err.h"
#include "store_certs.h"

/*
 * The hash of audit row `seq` (fields of `a`) after `prev` into out[65]:
 * tn_cert_audit_hash's bytes, written directly without jq when every string
 * is valid UTF-8 (tn_cert_audit_hash_fields: it runs while the
 * chain's head is locked), else through tn_cert_audit_hash.
 */
enum tn_code store_audit_hash(long long seq, const struct store_audit *a, const char *prev,
			      char out[65], struct tn_err *err);

#endif
