/* cases_int.h — shared by the case files: cases.c (filing), cases_workflow.c (workflow cases), cases_read.c (list, show, act). */
#ifndef TWONETD_CASES_INT_H
#define TWONETD_CASES_INT_H

#include "twonetd.h"

/* The CASE as sent out: "overdue" computed against `today`.  Consumes doc. */
jv cases_out(jv doc, const char *today);
/* Send a CASE (consumed) with its ETag. */
void cases_reply(struct req *q, int status, jv doc);
/* Answer a filing with the case `doc` (consumed): 201 and its Location, or 200 for a replay. */
void cases_reply_filed(struct req *q, jv doc, int replayed);
/*
 * cases_reply_filed (201) of a case filed now, its body made of `t`
 * (`len` bytes, borrowed), the document's compact JSON as stored (without
 * "id"), rather than of doc dumped again: the same bytes.  Consumes doc.
 */
void cases_reply_new(struct req *q, jv doc, const char *t, size_t len);
/* A history event (owned) by the caller's token. */
jv cases_event(struct req *q, const char *when, const char *action, const char *from,
	       const char *to, const char *comment, long version);

/*
 * A filing's applicant and form from `body` (borrowed): the applicant
 * checked (id, name, type, phone) and against the token (an applicant with
 * a subject files for it only), the "form" member ({} when absent or null)
 * an object that passes tn_case_check_form against `fields` (an item, or a
 * merged workflow; borrowed).  0 and both (owned), or -1 after replying
 * (both then invalid): every fault of the applicant and the form at once,
 * a problem whose "field" and "detail" are the first one's and whose
 * "errors" are every one's {field, label, detail} (422; 400 when the first
 * is an unknown form field).
 */
int cases_check_filing(struct req *q, jv body, jv fields, jv *applicant, jv *form);
/*
 * Material `i` of a body's "materials" (`g`, borrowed) checked for its shape:
 * an object of the members `allowed` (NULL-terminated), a string "code", a
 * "ref" that is a string or null.  Returns the code (borrowed from g), or
 * NULL after replying (422, or 400 for an unknown member).
 */
const char *cases_material_code(struct req *q, int i, jv g, const char *const *allowed);
/*
 * The "materials" a body gave (*given, kept by the caller: null becomes []):
 * an array, each element passing cases_material_code with `allowed` and then
 * `check` (0, or -1 after replying about material `i`).  0, or -1 after the
 * first reply (422 when not an array).
 */
int cases_check_given(struct req *q, jv *given, const char *const *allowed,
		      int (*check)(struct req *q, int i, const char *code, void *ctx), void *ctx);
/*
 * A new CASE document: `head` (item, department... of the case) and the
 * members every filed case has: "workflow" (a code or null), the applicant,
 * form and materials, status "submitted" at version 1 at `now`, the deadlines
 * and the filer.  Consumes every jv argument.
 */
jv cases_new_doc(struct req *q, jv head, jv workflow, jv applicant, jv form, jv mats,
		 const char *now, jv deadline, jv legal, int prov, int lprov);
/* The SHA-256 of the canonical JSON of `body` (borrowed), in hex: what an idempotency key stands for. */
void cases_body_hash(jv body, char hash[65]);

/*
 * "; did you mean 'X'?" in `out` when an item, department or workflow code
 * (`param` "item", "department" or "workflow") is close to the unknown
 * `value`, else "".
 */
void cases_code_hint(struct req *q, const char *param, const char *value, char *out, size_t size);

/*
 * cases_batch.c: file `c` (its doc and event consumed) with the other
 * filings of this turn of the event loop, in one transaction, and answer
 * `q` (deferred) after the commit: 201 (or 200 for a replay) as
 * cases_reply_filed, else the filing's error.  c's strings point into the
 * request's header and token and into body, item, applicant and deadline
 * (consumed, kept until the answer); its submitted_at, idem_hash and
 * deadline_from are copied.
 */
void cases_file_batched(struct req *q, const struct store_case_new *c, jv body, jv item,
			jv applicant, jv deadline);

/*
 * cases.c: file the case `body` (consumed) under idempotency key `key`
 * (checked by the caller; it must stay alive until the answer): every check
 * of POST /v1/cases, then cases_file_batched.
 */
void cases_file(struct req *q, jv body, const char *key);
/*
 * cases_bulk.c: POST /v1/cases with {"cases":[{"key":K,"case":CASE},...]}
 * (body consumed): each item filed by cases_file as a part of q (deferred),
 * the batch answered when they all are.
 */
void cases_post_batch(struct req *q, jv body);

/* cases_workflow.c: POST /v1/cases with "workflow" (body consumed, `key` the Idempotency-Key). */
void cases_file_workflow(struct req *q, jv body, const char *key);
/* cases_workflow.c: a clerk's view of a workflow's parent (consumed): their department's sub-cases only. */
jv cases_parent_for_clerk(jv doc, const char *dept);

#endif
