/* certs.h — what other twonetd files call of the e-certificate module: the zero-material hook and the subcommands. */
#ifndef TWONETD_CERTS_H
#define TWONETD_CERTS_H

#include <jv.h>

#include "twonetd.h"

/*
 * The zero-material check of POST /v1/cases (doc/api-certs.md §7): may the
 * certificate `cert_id` stand for material `material` (borrowed: the
 * item's material object, code, name, cert_kind) of item `item` filed for
 * `applicant_id`?  Writes one audit row (actor the submitter, purpose
 * "case-submit ITEM MATERIAL").  Returns 0 when it may; otherwise -1 after
 * replying (422 naming the material, 500 when the check cannot be made).
 */
int certs_check_material(struct req *q, const char *item, jv material, const char *applicant_id,
			 const char *cert_id);

/*
 * Check every material of the case body `body` (borrowed) that names a
 * certificate, with certs_check_material, for item `item` (the ITEM,
 * borrowed) coded `item_code` and the checked `applicant` (borrowed):
 * "cert" a string, not with "ref", the item has the material.  0 when all
 * pass (or none names one); -1 after replying.
 */
int certs_check_materials(struct req *q, jv item, const char *item_code, jv body, jv applicant);

/* The 21-character kind code of a kind code or alias (copied to out[22]); -1 when unknown. */
int certs_kind_code(const char *code_or_alias, char out[22]);

/* A certificate read answered, waiting for its audit row (certs_audit.c). */
struct certs_read {
	int status;             /* 200, or the refusal's 400, 403, 404 */
	const char *outcome;    /* the audit row's: allowed, forbidden, ... (static) */
	const char *field;      /* the problem's field or NULL (copied) */
	const char *detail;     /* the problem's detail (copied) */
	char *text;             /* a 200 body, malloc'd: taken */
	const char *cert, *holder, *purpose;    /* of the audit row, NULL: null (copied) */
};

/*
 * Defer the reply of `q` (req_defer) until the audit row of `r` is
 * committed with the others of its batch, then send it: the 200 body as it
 * is, or the problem; 500 instead when the row cannot be written.
 */
void certs_audit_read(struct req *q, const struct certs_read *r);

/* certcmd.c: `twonetd issuer add ...` and `twonetd audit verify ...`; return the exit status. */
int certs_cmd_issuer(int argc, char **argv);
int certs_cmd_audit(int argc, char **argv);

/* gencerts.c: `twonetd gen-certs --db DB N`; returns the exit status. */
int certs_cmd_gencerts(int argc, char **argv);

/* certs.c: the kinds file, loaded once per process (borrowed; jv_invalid() when it cannot be read). */
jv certs_kinds(void);

/* certs.c: "<db>.keys/<dept>-<key_id>.pem" for the database `db`; malloc'd. */
char *certs_key_path(const char *db, const char *dept, const char *key_id);

#endif
