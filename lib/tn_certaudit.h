/* tn_certaudit.h — the certificate audit log from a client: rows by filters and period, reads per day, the chain's check. */
#ifndef TN_CERTAUDIT_H
#define TN_CERTAUDIT_H

#include <jv.h>

#include "tn_err.h"
#include "tn_http.h"
#include "tn_list.h"

/*
 * What to list.  holder, cert and actor go to the server (GET /v1/audit);
 * purpose (a substring of the row's purpose), scenario (a reader token's
 * name, or a role: applicant, clerk, issuer, admin) and the days
 * since..until (YYYY-MM-DD, Beijing dates of "at", inclusive) are checked
 * here on each row, so that any filter works with the server as it is.
 * NULL: no filter.
 */
struct tn_audit_query {
	const char *holder, *cert, *actor, *purpose, *scenario;
	const char *since, *until;
	long page;      /* rows asked for a page, 1..1000; 0: the default */
	int mine;       /* the token's own holder (GET /v1/audit/mine; holder must be NULL) */
};

/* Called with each matching row (consumed); non-zero stops the listing. */
typedef int (*tn_audit_each_fn)(void *ctx, jv row);

/*
 * Page through the log in seq order (the cursor of each page), calling `fn`
 * on each matching row, at most `limit` rows (-1: every one).  Memory stays
 * that of one page.  The pages stop at the first row after `until`.  *end
 * (may be NULL) tells what was shown and whether more were left.
 */
enum tn_code tn_audit_list(struct tn_client *c, const struct tn_audit_query *q, long limit,
			   tn_audit_each_fn fn, void *ctx, struct tn_list_end *end,
			   struct tn_err *err);

/*
 * The days of --since and --until words (tn_period_parse's: YYYY-MM-DD,
 * YYYY-MM, YYYY-Www, today, last-week, this-month, ...): since the first
 * day of its period, until the last day of its.  Either may be NULL (then
 * the output is ""); since after until is TN_EUSAGE.  `since` and `until`
 * get at least 11 bytes each.
 */
enum tn_code tn_audit_period(const char *since_spec, const char *until_spec, long today,
			     char *since, char *until, struct tn_err *err);

/* Whether `row` passes the filters checked on the client (purpose, scenario, days). */
int tn_audit_row_match(const struct tn_audit_query *q, jv row);

/* GET /v1/audit/stats: *out the server's {since, until, total, items[]} (owned). */
enum tn_code tn_audit_stats(struct tn_client *c, const char *since, const char *until, jv *out,
			    struct tn_err *err);

/* GET /v1/audit/verify: *out {ok, rows, bad_seq, why} (owned). */
enum tn_code tn_audit_verify(struct tn_client *c, jv *out, struct tn_err *err);

#endif
