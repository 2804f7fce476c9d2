/* store_ops.h — the storage backends' operations: one X-macro list, a table per backend, the dispatcher. */
#ifndef TWONETD_STORE_OPS_H
#define TWONETD_STORE_OPS_H

#include <stddef.h>

#include "store.h"
#include "store_alerts.h"
#include "store_assets.h"
#include "store_cal.h"
#include "store_certs.h"
#include "store_reports.h"
#include "store_tasks.h"
#include "store_vitals.h"

/*
 * Every function of the storage wall (store.h, store_certs.h, store_alerts.h, store_tasks.h, store_assets.h,
 * store_cal.h, store_reports.h) whose first parameter is the store is an
 * operation of a backend: STORE_OPS(X) lists them as
 *
 *     X(return type, name, (parameters), (arguments), NONE)
 *
 * and server/store/dispatch.c makes each public store_NAME call the open
 * store's backend: st->ops->NAME(arguments).  A backend fills a struct
 * store_ops (the SQLite one: store_sqlite_ops, server/store/sqlite/; the
 * PostgreSQL one: store_pg_ops, server/store/pg/) and puts a struct
 * store_head first in its own struct store.  An operation a backend leaves
 * NULL never crashes: NONE says what its store_NAME does then:
 *
 *     CODE  TN_EINVALID "the BACKEND backend cannot yet NAME" in err
 *     VOID  nothing
 *     ZERO  returns 0 (NULL)
 *     NEG   returns -1 ("a database error")
 *     FAIL  returns -1 with err set as CODE does
 *     HEALTH  *out = {"ok":false}
 *     OPT   as CODE, but optional: store_missing_ops does not count it
 *
 * and twonetd serve refuses to start on a backend with NULL operations
 * (store_missing_ops) other than OPT ones.  Adding a function to the wall: declare it in its
 * header, add its line here, implement it in each backend (sqlite_NAME;
 * the compiler checks the table); leave the PostgreSQL one NULL meanwhile.
 * store_open (it makes the store) and the functions that take no store
 * (store_token_release, store_certs_checkpointer_stop/_wait) are not
 * operations.
 */
#define STORE_OPS(X) \
	/* store.h */ \
	X(void, close, (struct store *st), (st), VOID) \
	X(enum tn_code, migrate, \
	  (struct store *st, int *from, int *to, struct tn_err *err), \
	  (st, from, to, err), CODE) \
	X(void, health, (struct store *st, jv *out), (st, out), HEALTH) \
	X(enum tn_code, token_add, \
	  (struct store *st, const char *hash_hex, const char *role, const char *name, \
	   const char *dept, const char *subject, struct tn_err *err), \
	  (st, hash_hex, role, name, dept, subject, err), CODE) \
	X(enum tn_code, token_add_until, \
	  (struct store *st, const char *hash_hex, const char *role, const char *name, \
	   const char *dept, const char *subject, const char *expires, long *id, \
	   struct tn_err *err), \
	  (st, hash_hex, role, name, dept, subject, expires, id, err), CODE) \
	X(enum tn_code, token_when, \
	  (struct store *st, const char *in, char *out, size_t size, struct tn_err *err), \
	  (st, in, out, size, err), CODE) \
	X(enum tn_code, token_lookup, \
	  (struct store *st, const char *hash_hex, struct store_token *tok, \
	   struct tn_err *err), \
	  (st, hash_hex, tok, err), CODE) \
	X(enum tn_code, token_list, \
	  (struct store *st, const char *dept, int all, jv *items, struct tn_err *err), \
	  (st, dept, all, items, err), CODE) \
	X(enum tn_code, token_get, \
	  (struct store *st, long id, jv *doc, struct tn_err *err), \
	  (st, id, doc, err), CODE) \
	X(enum tn_code, token_revoke, \
	  (struct store *st, long id, struct tn_err *err), \
	  (st, id, err), CODE) \
	X(enum tn_code, token_rotate, \
	  (struct store *st, long id, const char *hash_hex, long *new_id, \
	   struct tn_err *err), \
	  (st, id, hash_hex, new_id, err), CODE) \
	X(void, token_touch, (struct store *st, struct store_token *tok), (st, tok), VOID) \
	X(enum tn_code, catalog_import, \
	  (struct store *st, jv catalog, long *ndepts, long *nitems, long *nworkflows, \
	   struct tn_err *err), \
	  (st, catalog, ndepts, nitems, nworkflows, err), CODE) \
	X(enum tn_code, item_get, \
	  (struct store *st, const char *code, jv *item, struct tn_err *err), \
	  (st, code, item, err), CODE) \
	X(enum tn_code, department_get, \
	  (struct store *st, const char *code, jv *dept, struct tn_err *err), \
	  (st, code, dept, err), CODE) \
	X(enum tn_code, item_list, \
	  (struct store *st, const char *department, const char *q, jv *items, \
	   struct tn_err *err), \
	  (st, department, q, items, err), CODE) \
	X(enum tn_code, workflow_get, \
	  (struct store *st, const char *code, jv *wf, struct tn_err *err), \
	  (st, code, wf, err), CODE) \
	X(enum tn_code, workflow_list, \
	  (struct store *st, jv *wfs, struct tn_err *err), \
	  (st, wfs, err), CODE) \
	X(enum tn_code, workflow_put, \
	  (struct store *st, const char *code, jv doc, int *created, struct tn_err *err), \
	  (st, code, doc, created, err), CODE) \
	X(enum tn_code, case_create_tree, \
	  (struct store *st, const char *workflow, struct store_case_new *parent, \
	   struct store_case_new *subs, int n, jv *out, int *replayed, struct tn_err *err), \
	  (st, workflow, parent, subs, n, out, replayed, err), CODE) \
	X(enum tn_code, case_create, \
	  (struct store *st, struct store_case_new *c, jv *out, int *replayed, \
	   struct tn_err *err), \
	  (st, c, out, replayed, err), CODE) \
	X(int, case_create_batch, \
	  (struct store *st, struct store_case_new *cs, int n, struct store_case_filed *res, \
	   int wait, struct tn_err *err), \
	  (st, cs, n, res, wait, err), FAIL) \
	X(enum tn_code, case_get, \
	  (struct store *st, const char *id, jv *doc, long *token_id, struct tn_err *err), \
	  (st, id, doc, token_id, err), CODE) \
	X(enum tn_code, case_list, \
	  (struct store *st, const struct store_case_filter *f, jv *items, char **next, \
	   struct tn_err *err), \
	  (st, f, items, next, err), CODE) \
	X(enum tn_code, case_list_text, \
	  (struct store *st, const struct store_case_filter *f, store_case_row_fn *fn, \
	   void *ctx, char **next, long *total, struct tn_err *err), \
	  (st, f, fn, ctx, next, total, err), CODE) \
	X(enum tn_code, case_act, \
	  (struct store *st, const char *id, long version, const char *status, jv doc, \
	   jv event, long *current, struct tn_err *err), \
	  (st, id, version, status, doc, event, current, err), CODE) \
	X(enum tn_code, case_events, \
	  (struct store *st, const char *id, jv *events, struct tn_err *err), \
	  (st, id, events, err), CODE) \
	X(enum tn_code, audit_stats, \
	  (struct store *st, const char *since, const char *until, jv *items, \
	   struct tn_err *err), \
	  (st, since, until, items, err), CODE) \
	/* store_certs.h */ \
	X(enum tn_code, certs_begin, \
	  (struct store *st, struct tn_err *err), \
	  (st, err), CODE) \
	X(enum tn_code, certs_commit, \
	  (struct store *st, struct tn_err *err), \
	  (st, err), CODE) \
	X(void, certs_rollback, (struct store *st), (st), VOID) \
	X(int, certs_try_begin, (struct store *st, struct tn_err *err), (st, err), FAIL) \
	X(void, certs_tune, (struct store *st), (st), VOID) \
	X(void, certs_read_begin, (struct store *st), (st), VOID) \
	X(void, certs_read_end, (struct store *st), (st), VOID) \
	X(void, certs_read_hold, (struct store *st, int on), (st, on), VOID) \
	X(void, certs_read_release, (struct store *st), (st), VOID) \
	X(struct store_ckpt *, certs_checkpointer, \
	  (struct store *st, long frames, long limit), \
	  (st, frames, limit), ZERO) \
	X(const char *, certs_db_path, (struct store *st), (st), ZERO) \
	X(long, certs_cache_reads, (struct store *st), (st), ZERO) \
	X(long, certs_cache_misses, (struct store *st), (st), ZERO) \
	X(enum tn_code, issuer_add, \
	  (struct store *st, const char *dept, const char *uscc, const char *key_id, \
	   const char *pem, const char *created_at, struct tn_err *err), \
	  (st, dept, uscc, key_id, pem, created_at, err), CODE) \
	X(enum tn_code, issuer_list, \
	  (struct store *st, jv *items, struct tn_err *err), \
	  (st, items, err), CODE) \
	X(enum tn_code, issuer_current, \
	  (struct store *st, const char *dept, char **key_id, struct tn_err *err), \
	  (st, dept, key_id, err), CODE) \
	X(enum tn_code, cert_serials, \
	  (struct store *st, const char *kind, const char *issuer, const char *year, long n, \
	   long *first, struct tn_err *err), \
	  (st, kind, issuer, year, n, first, err), CODE) \
	X(enum tn_code, cert_insert, \
	  (struct store *st, const struct store_cert_row *row, struct tn_err *err), \
	  (st, row, err), CODE) \
	X(enum tn_code, cert_idem, \
	  (struct store *st, long token_id, const char *idem_key, char **hash, jv *doc, \
	   struct tn_err *err), \
	  (st, token_id, idem_key, hash, doc, err), CODE) \
	X(enum tn_code, cert_get_text, \
	  (struct store *st, const char *id, char **doc, char **holder, char **dept, \
	   struct tn_err *err), \
	  (st, id, doc, holder, dept, err), CODE) \
	X(enum tn_code, cert_get, \
	  (struct store *st, const char *id, jv *doc, struct tn_err *err), \
	  (st, id, doc, err), CODE) \
	X(enum tn_code, cert_list, \
	  (struct store *st, const struct store_cert_filter *f, struct tn_buf *out, \
	   char **next, struct tn_err *err), \
	  (st, f, out, next, err), CODE) \
	X(enum tn_code, cert_revoke, \
	  (struct store *st, const char *id, const char *at, const char *reason, jv doc, \
	   struct tn_err *err), \
	  (st, id, at, reason, doc, err), CODE) \
	X(enum tn_code, clerk_may_read, \
	  (struct store *st, const char *holder, const char *dept, long token_id, \
	   long long now, int *ok, struct tn_err *err), \
	  (st, holder, dept, token_id, now, ok, err), CODE) \
	X(enum tn_code, code_add, \
	  (struct store *st, const char *hash_hex, const struct store_code *c, \
	   long long now, int max_live, struct tn_err *err), \
	  (st, hash_hex, c, now, max_live, err), CODE) \
	X(enum tn_code, code_redeem, \
	  (struct store *st, const char *hash_hex, const char *holder, long token_id, \
	   const char *dept, long long now, int *ok, struct tn_err *err), \
	  (st, hash_hex, holder, token_id, dept, now, ok, err), CODE) \
	X(enum tn_code, consent_add, \
	  (struct store *st, const char *hash_hex, const struct store_consent *c, \
	   struct tn_err *err), \
	  (st, hash_hex, c, err), CODE) \
	X(enum tn_code, consent_check, \
	  (struct store *st, const char *hash_hex, const char *holder, const char *scenario, \
	   long long now, int *ok, struct tn_err *err), \
	  (st, hash_hex, holder, scenario, now, ok, err), CODE) \
	X(enum tn_code, consent_list, \
	  (struct store *st, const char *holder, const char *scenario, long long now, \
	   jv *out, struct tn_err *err), \
	  (st, holder, scenario, now, out, err), CODE) \
	X(int, consent_cols, (struct store *st), (st), ZERO) \
	X(enum tn_code, consent_kinds, \
	  (struct store *st, const char *hash_hex, char **kinds, struct tn_err *err), \
	  (st, hash_hex, kinds, err), CODE) \
	X(enum tn_code, consent_revoke, \
	  (struct store *st, long long id, const char *holder, const char *now, jv *row, \
	   struct tn_err *err), \
	  (st, id, holder, now, row, err), CODE) \
	X(long long, consent_last_id, (struct store *st), (st), ZERO) \
	X(enum tn_code, audit_append, \
	  (struct store *st, const struct store_audit *a, struct tn_err *err), \
	  (st, a, err), CODE) \
	X(enum tn_code, audit_append_rows, \
	  (struct store *st, const struct store_audit *rows, size_t n, struct tn_err *err), \
	  (st, rows, n, err), CODE) \
	X(enum tn_code, audit_head, \
	  (struct store *st, long long *seq, char hash[65], struct tn_err *err), \
	  (st, seq, hash, err), CODE) \
	X(enum tn_code, audit_hash_at, \
	  (struct store *st, long long seq, char hash[65], int *found, struct tn_err *err), \
	  (st, seq, hash, found, err), CODE) \
	X(enum tn_code, audit_list, \
	  (struct store *st, const struct store_audit_filter *f, jv *items, long long *next, \
	   struct tn_err *err), \
	  (st, f, items, next, err), CODE) \
	X(enum tn_code, audit_verify, \
	  (struct store *st, long long *rows, long long *bad_seq, char *why, size_t size, \
	   struct tn_err *err), \
	  (st, rows, bad_seq, why, size, err), CODE) \
	/* store_alerts.h */ \
	X(enum tn_code, alerts_begin, \
	  (struct store *st, struct tn_err *err), \
	  (st, err), CODE) \
	X(enum tn_code, alerts_begin_yield, \
	  (struct store *st, void (*wait)(void *), void *arg, struct tn_err *err), \
	  (st, wait, arg, err), CODE) \
	X(enum tn_code, alerts_commit, \
	  (struct store *st, long keep, long long *latest, struct tn_err *err), \
	  (st, keep, latest, err), CODE) \
	X(void, alerts_rollback, (struct store *st), (st), VOID) \
	X(enum tn_code, alert_raise, \
	  (struct store *st, jv doc, int whole, const char *pre, long long at, jv *out, \
	   struct tn_buf *text, int *replayed, struct tn_err *err), \
	  (st, doc, whole, pre, at, out, text, replayed, err), CODE) \
	X(enum tn_code, alert_update, \
	  (struct store *st, long long id, jv doc, long long at, const char *action, \
	   const char *actor, const char *comment, jv *out, struct tn_err *err), \
	  (st, id, doc, at, action, actor, comment, out, err), CODE) \
	X(enum tn_code, alert_get, \
	  (struct store *st, long long id, jv *doc, struct tn_err *err), \
	  (st, id, doc, err), CODE) \
	X(enum tn_code, alert_history, \
	  (struct store *st, long long id, jv *out, struct tn_err *err), \
	  (st, id, out, err), CODE) \
	X(enum tn_code, alert_list, \
	  (struct store *st, const struct store_alert_filter *f, jv *items, char **next, \
	   struct tn_err *err), \
	  (st, f, items, next, err), CODE) \
	X(enum tn_code, alert_events, \
	  (struct store *st, long long after, int desc, long max, store_alert_event_fn fn, \
	   void *ctx, long *n, struct tn_err *err), \
	  (st, after, desc, max, fn, ctx, n, err), CODE) \
	X(enum tn_code, alert_bounds, \
	  (struct store *st, long long *oldest, long long *latest, struct tn_err *err), \
	  (st, oldest, latest, err), CODE) \
	X(long long, alert_latest, (struct store *st), (st), NEG) \
	X(enum tn_code, alert_first_since, \
	  (struct store *st, long long at, long long *seq, struct tn_err *err), \
	  (st, at, seq, err), CODE) \
	X(const char *, alerts_path, (struct store *st), (st), ZERO) \
	X(enum tn_code, alerts_listen, (struct store *st, int *fd, struct tn_err *err), \
	  (st, fd, err), OPT) \
	X(enum tn_code, alerts_heard, \
	  (struct store *st, long long *latest, int *fd, struct tn_err *err), \
	  (st, latest, fd, err), OPT) \
	/* store_tasks.h */ \
	X(enum tn_code, task_open_get, \
	  (struct store *st, const char *rule, const char *key, jv *doc, struct tn_err *err), \
	  (st, rule, key, doc, err), CODE) \
	X(enum tn_code, task_put, \
	  (struct store *st, long long id, long long version, jv doc, long long at, \
	   const char *action, const char *actor, const char *comment, jv *out, \
	   struct tn_err *err), \
	  (st, id, version, doc, at, action, actor, comment, out, err), CODE) \
	X(enum tn_code, task_get, \
	  (struct store *st, long long id, jv *doc, struct tn_err *err), \
	  (st, id, doc, err), CODE) \
	X(enum tn_code, task_history, \
	  (struct store *st, long long id, jv *out, struct tn_err *err), \
	  (st, id, out, err), CODE) \
	X(enum tn_code, task_list, \
	  (struct store *st, const struct store_task_filter *f, jv *items, char **next, \
	   struct tn_err *err), \
	  (st, f, items, next, err), CODE) \
	X(enum tn_code, tasks_due, \
	  (struct store *st, long long now, long max, jv *ids, struct tn_err *err), \
	  (st, now, max, ids, err), CODE) \
	X(enum tn_code, alerts_recent, \
	  (struct store *st, const char *kind, const char *source, long long since, \
	   long long except, long max, jv *alerts, struct tn_err *err), \
	  (st, kind, source, since, except, max, alerts, err), CODE) \
	/* store_assets.h */ \
	X(enum tn_code, asset_put, \
	  (struct store *st, jv doc, long long at, enum store_asset_did *did, jv *out, \
	   struct tn_err *err), \
	  (st, doc, at, did, out, err), CODE) \
	X(enum tn_code, assets_import, \
	  (struct store *st, store_asset_next_fn *next, void *ctx, long long at, long counts[3], \
	   struct tn_err *err), \
	  (st, next, ctx, at, counts, err), CODE) \
	X(enum tn_code, asset_get, \
	  (struct store *st, const char *id, jv *doc, struct tn_err *err), \
	  (st, id, doc, err), CODE) \
	X(enum tn_code, asset_list, \
	  (struct store *st, const struct store_asset_filter *f, jv *items, char **next, \
	   struct tn_err *err), \
	  (st, f, items, next, err), CODE) \
	X(enum tn_code, asset_set_state, \
	  (struct store *st, const char *id, long long version, const char *state, long long at, \
	   jv *out, struct tn_err *err), \
	  (st, id, version, state, at, out, err), CODE) \
	X(enum tn_code, asset_counts, \
	  (struct store *st, const char *kind, const char *state, jv *out, struct tn_err *err), \
	  (st, kind, state, out, err), CODE) \
	/* store_vitals.h */ \
	X(enum tn_code, vitals_measure, \
	  (struct store *st, const struct store_vitals_q *q, long long *value, long long *before, \
	   struct tn_err *err), \
	  (st, q, value, before, err), CODE) \
	X(enum tn_code, vitals_groups, \
	  (struct store *st, const struct store_vitals_q *q, const char *by, jv *out, \
	   struct tn_err *err), \
	  (st, q, by, out, err), CODE) \
	/* store.h: twonetd copy */ \
	X(enum tn_code, dump, \
	  (struct store *st, const char *table, store_row_fn *fn, void *ctx, struct tn_err *err), \
	  (st, table, fn, ctx, err), OPT) \
	X(enum tn_code, load, \
	  (struct store *st, const char *table, jv rows, long *added, struct tn_err *err), \
	  (st, table, rows, added, err), OPT) \
	/* store_cal.h */ \
	X(enum tn_code, cal_load, \
	  (struct store *st, struct tn_cal **cal, long *generation, struct tn_err *err), \
	  (st, cal, generation, err), CODE) \
	X(enum tn_code, cal_generation, \
	  (struct store *st, long *generation, struct tn_err *err), \
	  (st, generation, err), CODE) \
	X(enum tn_code, cal_import, \
	  (struct store *st, const struct tn_cal *add, const char *source, const char *at, \
	   struct store_cal_result *res, struct tn_err *err), \
	  (st, add, source, at, res, err), CODE) \
	X(enum tn_code, cal_years, \
	  (struct store *st, jv *years, struct tn_err *err), \
	  (st, years, err), CODE) \
	/* store_reports.h */ \
	X(enum tn_code, report_workdays, \
	  (struct store *st, const char *first, const unsigned char *work, long n, \
	   struct tn_err *err), \
	  (st, first, work, n, err), CODE) \
	X(enum tn_code, report_cases, \
	  (struct store *st, const struct store_report_q *q, store_report_fn fn, void *ctx, \
	   struct tn_err *err), \
	  (st, q, fn, ctx, err), CODE) \
	X(enum tn_code, report_backlog, \
	  (struct store *st, const struct store_report_q *q, const char *after, \
	   const char *cut, store_backlog_fn fn, void *ctx, struct tn_err *err), \
	  (st, q, after, cut, fn, ctx, err), CODE) \
	X(enum tn_code, report_names, \
	  (struct store *st, const char *by, jv *names, struct tn_err *err), \
	  (st, by, names, err), CODE) \
	X(enum tn_code, report_alerts, \
	  (struct store *st, const struct store_alert_report_q *q, store_alert_fn fn, \
	   void *ctx, struct tn_err *err), \
	  (st, q, fn, ctx, err), CODE) \
	/* end of STORE_OPS */

struct store_ops {
#define STORE_OP_MEMBER(ret, name, params, args, none) ret (*name) params;
	STORE_OPS(STORE_OP_MEMBER)
#undef STORE_OP_MEMBER
};

/* What both backends put first in their struct store: the dispatcher reads it. */
struct store_head {
	const struct store_ops *ops;
	const char *backend;    /* "sqlite", "postgresql": for messages */
	const char *name;       /* the database as messages may show it (no password) */
};

/* The backends' tables. */
extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

/*
 * The backends' store_open: `path` a file (create = 1: created when missing),
 * `uri` a postgresql:// or postgres:// URI as libpq reads it (PG*
 * environment variables and ~/.pgpass fill in what it leaves out).  As
 * store_open; on failure *st is NULL.
 */
enum tn_code sqlite_open(struct store **st, const char *path, int create, struct tn_err *err);
enum tn_code pg_open(struct store **st, const char *uri, int create, struct tn_err *err);

/*
 * The length of the scheme of --db `spec` ("postgresql" of "postgresql://..."),
 * or 0 when `spec` is not SCHEME://...: a path (which may hold a ':').
 */
size_t store_scheme_len(const char *spec);

/* The backend `st` runs on: "sqlite" or "postgresql". */
const char *store_backend(struct store *st);
/* The database as a message may show it: a file's path, a URI without its password. */
const char *store_name(struct store *st);

/*
 * How many operations `st`'s backend leaves NULL (0: all there); when any,
 * buf (n bytes) names the first few ("cert_get, cert_list, ... and 40
 * more").  Cannot fail.
 */
int store_missing_ops(struct store *st, char *buf, size_t n);

#endif
