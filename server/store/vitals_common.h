/* vitals_common.h — the vital signs' measures once for both backends: each backend gives its queries, the counting and the trends are here. */
#ifndef TWONETD_VITALS_COMMON_H
#define TWONETD_VITALS_COMMON_H

#include <stddef.h>
#include <jv.h>

#include "tn_err.h"
#include "store_vitals.h"

/* A backend's queries behind store_vitals_measure; the filters are q's. */
struct store_vitals_ops {
	/* alerts open now (raised, dispatched, acknowledged) */
	enum tn_code (*alerts_open)(struct store *st, const struct store_vitals_q *q, long long *n,
				    struct tn_err *err);
	/* alerts raised in (from, to] */
	enum tn_code (*alerts_raised)(struct store *st, const struct store_vitals_q *q,
				      long long from, long long to, long long *n, struct tn_err *err);
	/* alerts resolved and reopened after `after` (the event log) */
	enum tn_code (*alert_moves)(struct store *st, const struct store_vitals_q *q, long long after,
				    long long *resolved, long long *reopened, struct tn_err *err);
	/* each task open now or with an event after q->before, to fn (the task borrowed) */
	enum tn_code (*tasks)(struct store *st, const struct store_vitals_q *q,
			      void (*fn)(void *ctx, jv task), void *ctx, struct tn_err *err);
	/* cases not completed nor rejected with a deadline before q->today */
	enum tn_code (*cases_overdue)(struct store *st, const struct store_vitals_q *q, long long *n,
				      struct tn_err *err);
	/* cases filed at or after `from` and at or before `to` (RFC 3339 text) */
	enum tn_code (*filings)(struct store *st, const struct store_vitals_q *q, const char *from,
				const char *to, long long *n, struct tn_err *err);
	/* the read log's last seq (0: empty) */
	enum tn_code (*audit_last)(struct store *st, long long *seq, struct tn_err *err);
	/* the time of the read log's first row at or after `seq` into buf; *found 0 when none */
	enum tn_code (*audit_at)(struct store *st, long long seq, char *buf, size_t size,
				 int *found, struct tn_err *err);
	/* rows of seq in [a, b) with this outcome */
	enum tn_code (*audit_outcome)(struct store *st, long long a, long long b,
				      const char *outcome, long long *n, struct tn_err *err);
};

/* store_vitals_measure (store_vitals.h) over a backend's queries. */
enum tn_code store_vitals_run(const struct store_vitals_ops *o, struct store *st,
			      const struct store_vitals_q *q, long long *value, long long *before,
			      struct tn_err *err);

#endif
