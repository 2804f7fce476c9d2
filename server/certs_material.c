/* certs_material.c — zero-material cases: checking the certificates that stand for a case's materials (doc/api-certs.md §7). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tn_today.h"
#include "tn_cert.h"
#include "certs.h"
#include "store_certs.h"
#include "twonetd.h"
#include "jvutil.h"

/* Write one audit row of a zero-material check in its own transaction; 0 or -1. */
static int audit_check(struct req *q, const char *item, const char *material, const char *cert,
		       const char *holder, const char *outcome)
{
	struct tn_err err = TN_ERR_INIT;
	struct store_audit row;
	char now[40], purpose[300];

	time_now_rfc3339(now, sizeof(now));
	snprintf(purpose, sizeof(purpose), "case-submit %s %s", item, material);
	row.at = now;
	row.actor = q->tok.name;
	row.role = q->tok.role;
	row.cert = cert;
	row.holder = holder;
	row.purpose = purpose;
	row.outcome = outcome;
	if (store_certs_begin(q->srv->st, &err) != TN_OK ||
	    store_audit_append(q->srv->st, &row, &err) != TN_OK ||
	    store_certs_commit(q->srv->st, &err) != TN_OK) {
		store_certs_rollback(q->srv->st);
		fprintf(stderr, "twonetd: error: audit: %s\n", err.message);
		return -1;
	}
	certs_ckpt_rows(1);
	return 0;
}

/* The name of a kind code or alias, or the code itself, into buf; returns buf. */
static const char *kind_name(const char *code, char *buf, size_t size)
{
	jv k = tn_cert_kind_find(certs_kinds(), code);
	const char *n = tn_jv_str(k, "name");

	snprintf(buf, size, "%s", n ? n : code);
	jv_free(k);
	return buf;
}

/*
 * May the certificate `cert_id` stand for material `material` (borrowed: the
 * item's material object, code, name, cert_kind) of item `item` filed for
 * `applicant_id`, the submitter seeing `sees` (certs_submitter_sees)?
 * Writes one audit row (actor the submitter, purpose "case-submit ITEM
 * MATERIAL").  Returns 0 when it may; otherwise -1 after replying: 403 when
 * the submitter may not look at the applicant's certificates at all, 422
 * naming the material (a certificate that does not exist and one of another
 * holder alike), 500 when the check cannot be made.
 */
static int check_material(struct req *q, const char *item, jv material, const char *applicant_id,
			  const char *cert_id, int sees)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_cert_verification v;
	struct tn_cert_keyring *kr;
	jv doc = jv_invalid(), holder = jv_invalid(), issuers;
	const char *mcode = tn_jv_str(material, "code"), *ck = tn_jv_str(material, "cert_kind");
	const char *h = NULL, *ckind, *status, *vf, *vu, *outcome = "forbidden";
	char field[300], want[22], today[16], detail[600] = "", *owner = NULL, kn1[256], kn2[256];
	int rc = -1, status422 = 422;

	if (!mcode)
		mcode = "?";
	snprintf(field, sizeof(field), "materials.%s", mcode);
	if (!ck) {
		snprintf(detail, sizeof(detail), "material '%s' cannot be exempted: no certificate "
			 "stands for it", mcode);
	} else if (sees == 0) {
		/* nothing of the certificate is looked at for this submitter; the row names its holder */
		status422 = 403;
		if (tn_cert_id_parse(cert_id, NULL, NULL) == TN_OK &&
		    store_cert_get_text(q->srv->st, cert_id, NULL, &owner, NULL, NULL) == TN_OK)
			h = owner;
		else
			outcome = "not-found";
		snprintf(detail, sizeof(detail), "certificate '%s' for material '%s' cannot be checked: "
			 "a case that names the applicant's certificates rests on the applicant's own "
			 "act (a case they file themselves, or their one-time code in X-Consent-Code)",
			 cert_id, mcode);
	} else if (tn_cert_id_parse(cert_id, NULL, NULL) != TN_OK ||
		   store_cert_get(q->srv->st, cert_id, &doc, &err) != TN_OK) {
		if (err.code != TN_OK && err.code != TN_ENOTFOUND) {
			status422 = 500;
			snprintf(detail, sizeof(detail), "%s", err.message);
		} else {
			outcome = "not-found";
			snprintf(detail, sizeof(detail), "certificate '%s' for material '%s' does not "
				 "exist%s", cert_id, mcode, sees == 2 ? "" : " or is not the applicant's");
		}
	} else if (jv_get_kind(doc) != JV_KIND_OBJECT) {
		status422 = 500;
		snprintf(detail, sizeof(detail), "certificate '%s' is stored damaged", cert_id);
	} else {
		holder = tn_jv_get(doc, "holder");
		h = tn_jv_str(holder, "id");
		ckind = tn_jv_str(doc, "kind");
		status = tn_jv_str(doc, "status");
		vf = tn_jv_str(doc, "valid_from");
		vu = tn_jv_str(doc, "valid_until");
		tn_today_china_str(today, sizeof(today));
		if (!h || strcmp(h, applicant_id) != 0) {
			/* to all but an admin, as a certificate that does not exist */
			snprintf(detail, sizeof(detail), sees == 2 ? "certificate '%s' for material '%s' "
				 "belongs to another holder" : "certificate '%s' for material '%s' does not "
				 "exist or is not the applicant's", cert_id, mcode);
		} else if (certs_kind_code(ck, want) < 0 || !ckind || strcmp(ckind, want) != 0) {
			snprintf(detail, sizeof(detail), "certificate '%s' for material '%s' is a %s, "
				 "not a %s", cert_id, mcode, kind_name(ckind ? ckind : "?", kn1, sizeof(kn1)),
				 kind_name(ck, kn2, sizeof(kn2)));
		} else if (!status || strcmp(status, "valid") != 0) {
			snprintf(detail, sizeof(detail), "certificate '%s' for material '%s' is revoked",
				 cert_id, mcode);
		} else if (vu && strcmp(today, vu) > 0) {
			snprintf(detail, sizeof(detail), "certificate '%s' for material '%s' expired on %s",
				 cert_id, mcode, vu);
		} else if (vf && strcmp(today, vf) < 0) {
			snprintf(detail, sizeof(detail), "certificate '%s' for material '%s' is not yet "
				 "valid (from %s)", cert_id, mcode, vf);
		} else {
			kr = tn_cert_keyring_new();
			if (store_issuer_list(q->srv->st, &issuers, &err) == TN_OK)
				tn_cert_keyring_add_issuers(kr, issuers, NULL);
			jv_free(issuers);
			tn_cert_verify(kr, doc, today, &v);
			tn_cert_keyring_free(kr);
			if (!v.valid)
				snprintf(detail, sizeof(detail), "certificate '%s' for material '%s' has a "
					 "bad signature (%s)", cert_id, mcode, v.reason);
			else {
				outcome = "allowed";
				rc = 0;
			}
		}
	}
	if (audit_check(q, item, mcode, cert_id, h, outcome) < 0 && rc == 0) {
		rc = -1;
		status422 = 500;
		snprintf(detail, sizeof(detail), "the check of certificate '%s' could not be written to "
			 "the audit log", cert_id);
	}
	if (rc < 0)
		reply_problem(q, status422, status422 != 500 ? field : NULL, "%s", detail);
	free(owner);
	jv_free(holder);
	jv_free(doc);
	return rc;
}

/* The material `code` of the item's list (new reference), or jv_invalid(). */
static jv item_material(jv item, const char *code)
{
	jv list = tn_jv_array(item, "materials"), found = jv_invalid();
	int i = tn_jv_array_find(list, "code", code);

	if (i >= 0)
		found = jv_array_get(jv_copy(list), i);
	jv_free(list);
	return found;
}

int certs_check_materials(struct req *q, jv item, const char *item_code, jv body, jv applicant)
{
	/* the applicant's consent given with the case: its code redeemed first */
	if (certs_case_consent(q, applicant) < 0)
		return -1;
	return certs_check_given(q, item, item_code, body, applicant);
}

int certs_check_given(struct req *q, jv item, const char *item_code, jv body, jv applicant)
{
	struct tn_err err = TN_ERR_INIT;
	jv given = tn_jv_get(body, "materials");
	const char *applicant_id = tn_jv_str(applicant, "id");
	char field[300];
	int rc = 0, sees = -2;

	if (jv_get_kind(given) != JV_KIND_ARRAY || !applicant_id) {
		jv_free(given);         /* build_materials refuses what is not an array */
		return rc;
	}
	jv_array_foreach(given, i, g) {
		jv cert = tn_jv_get(g, "cert"), ref = tn_jv_get(g, "ref"), m;
		const char *code = tn_jv_str(g, "code");

		if (rc || jv_get_kind(cert) == JV_KIND_NULL) {
			;       /* no certificate named: build_materials checks the rest */
		} else if (jv_get_kind(cert) != JV_KIND_STRING) {
			snprintf(field, sizeof(field), "materials[%d].cert", i);
			reply_problem(q, 422, field, "material %d: cert must be a certificate id", i);
			rc = -1;
		} else if (jv_get_kind(ref) != JV_KIND_NULL) {
			snprintf(field, sizeof(field), "materials[%d]", i);
			reply_problem(q, 400, field, "material %d: cert and ref are exclusive", i);
			rc = -1;
		} else if (!code) {
			snprintf(field, sizeof(field), "materials[%d].code", i);
			reply_problem(q, 422, field, "material %d has no code", i);
			rc = -1;
		} else if (!jv_is_valid(m = item_material(item, code))) {
			snprintf(field, sizeof(field), "materials.%s", code);
			reply_problem(q, 422, field, "the item asks for no material '%s'", code);
			rc = -1;
		} else {
			if (sees == -2 && (sees = certs_submitter_sees(q, applicant_id, &err)) < 0)
				reply_error(q, &err);
			else
				rc = check_material(q, item_code, m, applicant_id,
						    jv_string_value(cert), sees);
			if (sees < 0)
				rc = -1;
			jv_free(m);
		}
		jv_free(cert);
		jv_free(ref);
		jv_free(g);
	}
	jv_free(given);
	return rc;
}
