/* vitals_common.c — the vital signs' measures once for both backends: open alerts an hour ago from the event log, tasks past target now and then, today against yesterday, the read log searched by seq. */
#include <string.h>

#include "tn_vitals.h"
#include "vitals_common.h"

/* Open now, less those raised since q->before, plus those resolved since, less those reopened. */
static enum tn_code alerts_open(const struct store_vitals_ops *o, struct store *st,
				const struct store_vitals_q *q, long long *value, long long *before,
				struct tn_err *err)
{
	long long raised, resolved, reopened;
	enum tn_code code;

	if ((code = o->alerts_open(st, q, value, err)) != TN_OK ||
	    (code = o->alerts_raised(st, q, q->before, q->now, &raised, err)) != TN_OK ||
	    (code = o->alert_moves(st, q, q->before, &resolved, &reopened, err)) != TN_OK)
		return code;
	*before = *value - raised + resolved - reopened;
	if (*before < 0)
		*before = 0;
	return TN_OK;
}

static enum tn_code alerts_raised(const struct store_vitals_ops *o, struct store *st,
				  const struct store_vitals_q *q, long long *value, long long *before,
				  struct tn_err *err)
{
	long long period = q->now - q->before;
	enum tn_code code = o->alerts_raised(st, q, q->before, q->now, value, err);

	return code != TN_OK ? code : o->alerts_raised(st, q, q->before - period, q->before, before,
						       err);
}

struct tasks_ctx {
	long long now, then, value, before;
};

static void task_one(void *ctx, jv task)
{
	struct tasks_ctx *t = ctx;

	t->value += tn_vitals_task_past(task, t->now);
	t->before += tn_vitals_task_past(task, t->then);
}

static enum tn_code tasks_past(const struct store_vitals_ops *o, struct store *st,
			       const struct store_vitals_q *q, long long *value, long long *before,
			       struct tn_err *err)
{
	struct tasks_ctx t = { q->now, q->before, 0, 0 };
	enum tn_code code = o->tasks(st, q, task_one, &t, err);

	*value = t.value;
	*before = t.before;
	return code;
}

static enum tn_code cases_overdue(const struct store_vitals_ops *o, struct store *st,
				  const struct store_vitals_q *q, long long *value, long long *before,
				  struct tn_err *err)
{
	*before = -1;
	return o->cases_overdue(st, q, value, err);
}

static enum tn_code filings(const struct store_vitals_ops *o, struct store *st,
			    const struct store_vitals_q *q, long long *value, long long *before,
			    struct tn_err *err)
{
	enum tn_code code = o->filings(st, q, q->day_start, q->now_text, value, err);

	return code != TN_OK ? code : o->filings(st, q, q->day_before_start, q->before_text, before,
						 err);
}

/*
 * The first seq of the read log whose time is after `at` (`inclusive`: at
 * or after), the last seq + 1 when none: the log is written in time order,
 * so a binary search over seq finds it in a few lookups.
 */
static enum tn_code audit_seq(const struct store_vitals_ops *o, struct store *st, const char *at,
			      int inclusive, long long *out, struct tn_err *err)
{
	long long lo = 1, hi;
	enum tn_code code;

	if ((code = o->audit_last(st, &hi, err)) != TN_OK)
		return code;
	hi++;
	while (lo < hi) {
		long long mid = lo + (hi - lo) / 2;
		char buf[64];
		int found, cmp;

		if ((code = o->audit_at(st, mid, buf, sizeof(buf), &found, err)) != TN_OK)
			return code;
		cmp = found ? strcmp(buf, at) : 1;
		if (inclusive ? cmp >= 0 : cmp > 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*out = lo;
	return TN_OK;
}

static enum tn_code cert_reads(const struct store_vitals_ops *o, struct store *st,
			       const struct store_vitals_q *q, long long *value, long long *before,
			       struct tn_err *err)
{
	const char *from[2] = { q->day_start, q->day_before_start };
	const char *to[2] = { q->now_text, q->before_text };
	long long *out[2] = { value, before };

	for (int i = 0; i < 2; i++) {
		long long a, b;
		enum tn_code code;

		if ((code = audit_seq(o, st, from[i], 1, &a, err)) != TN_OK ||
		    (code = audit_seq(o, st, to[i], 0, &b, err)) != TN_OK)
			return code;
		*out[i] = b > a ? b - a : 0;
		if (q->outcome && b > a &&
		    (code = o->audit_outcome(st, a, b, q->outcome, out[i], err)) != TN_OK)
			return code;
	}
	return TN_OK;
}

enum tn_code store_vitals_run(const struct store_vitals_ops *o, struct store *st,
			      const struct store_vitals_q *q, long long *value, long long *before,
			      struct tn_err *err)
{
	static const struct {
		const char *name;
		enum tn_code (*fn)(const struct store_vitals_ops *, struct store *,
				   const struct store_vitals_q *, long long *, long long *,
				   struct tn_err *);
	} ms[] = {
		{ "alerts_open", alerts_open }, { "alerts_raised", alerts_raised },
		{ "tasks_past_target", tasks_past }, { "cases_overdue", cases_overdue },
		{ "cert_reads_today", cert_reads }, { "filings_today", filings },
	};

	*value = *before = -1;
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
		if (strcmp(ms[i].name, q->measure) == 0)
			return ms[i].fn(o, st, q, value, before, err);
	return tn_err_set(err, TN_EINVALID, "the store does not measure '%s'", q->measure);
}
