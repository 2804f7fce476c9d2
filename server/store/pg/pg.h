/* pg.h — twonetd's PostgreSQL storage: store.h's operations on a postgresql:// database. */
#ifndef TWONETD_PG_H
#define TWONETD_PG_H

#include <jv.h>

#include "tn_err.h"
#include "store.h"
#include "store_cal.h"
#include "store_certs.h"
#include "store_reports.h"
#include "store_alerts.h"
#include "store_tasks.h"
#include "store_vitals.h"
#include "store_assets.h"

/*
 * Each pg_NAME does what store.h's (and store_cal.h's) store_NAME says, on a
 * handle pg_open gave; the dispatcher calls them through store_pg_ops, and
 * the unit tests (tests/unit/test_srv_pg_store.c) call them directly.
 * Operations not listed here are NULL in store_pg_ops (not built yet).
 */

/*
 * Connect to `uri` (libpq: a postgresql:// or postgres:// URI or key=value
 * conninfo; PG* variables and ~/.pgpass apply).  create = 1 migrates the
 * schema to STORE_SCHEMA; create = 0 requires it (TN_EINVALID "run 'twonetd
 * init'" when older or newer).  A server that cannot be reached is
 * TN_ESERVER naming it.  On failure *st is NULL.
 */
enum tn_code pg_open(struct store **st, const char *uri, int create, struct tn_err *err);
void pg_close(struct store *st);
enum tn_code pg_migrate(struct store *st, int *from, int *to, struct tn_err *err);
/* {"ok":bool,"schema":N,"backend":"postgresql"}.  Cannot fail. */
void pg_health(struct store *st, jv *out);

enum tn_code pg_token_add(struct store *st, const char *hash_hex, const char *role,
			  const char *name, const char *dept, const char *subject,
			  struct tn_err *err);
enum tn_code pg_token_add_until(struct store *st, const char *hash_hex, const char *role,
				const char *name, const char *dept, const char *subject,
				const char *expires, long *id, struct tn_err *err);
enum tn_code pg_token_when(struct store *st, const char *in, char *out, size_t size,
			   struct tn_err *err);
enum tn_code pg_token_lookup(struct store *st, const char *hash_hex, struct store_token *tok,
			     struct tn_err *err);
enum tn_code pg_token_list(struct store *st, const char *dept, int all, jv *items,
			   struct tn_err *err);
enum tn_code pg_token_get(struct store *st, long id, jv *doc, struct tn_err *err);
enum tn_code pg_token_revoke(struct store *st, long id, struct tn_err *err);
enum tn_code pg_token_rotate(struct store *st, long id, const char *hash_hex, long *new_id,
			     struct tn_err *err);
void pg_token_touch(struct store *st, struct store_token *tok);

enum tn_code pg_catalog_import(struct store *st, jv catalog, long *ndepts, long *nitems,
			       long *nworkflows, struct tn_err *err);
enum tn_code pg_item_get(struct store *st, const char *code, jv *item, struct tn_err *err);
enum tn_code pg_department_get(struct store *st, const char *code, jv *dept,
			       struct tn_err *err);
enum tn_code pg_item_list(struct store *st, const char *department, const char *q, jv *items,
			  struct tn_err *err);
enum tn_code pg_workflow_get(struct store *st, const char *code, jv *wf, struct tn_err *err);
enum tn_code pg_workflow_list(struct store *st, jv *wfs, struct tn_err *err);
enum tn_code pg_workflow_put(struct store *st, const char *code, jv doc, int *created,
			     struct tn_err *err);

enum tn_code pg_case_create_tree(struct store *st, const char *workflow,
				 struct store_case_new *parent, struct store_case_new *subs,
				 int n, jv *out, int *replayed, struct tn_err *err);
enum tn_code pg_case_create(struct store *st, struct store_case_new *c, jv *out,
			    int *replayed, struct tn_err *err);
int pg_case_create_batch(struct store *st, struct store_case_new *cs, int n,
			 struct store_case_filed *res, int wait, struct tn_err *err);
enum tn_code pg_case_get(struct store *st, const char *id, jv *doc, long *token_id,
			 struct tn_err *err);
enum tn_code pg_case_act(struct store *st, const char *id, long version, const char *status,
			 jv doc, jv event, long *current, struct tn_err *err);
enum tn_code pg_case_list(struct store *st, const struct store_case_filter *f, jv *items,
			  char **next, struct tn_err *err);
enum tn_code pg_case_list_text(struct store *st, const struct store_case_filter *f,
			       store_case_row_fn *fn, void *ctx, char **next, long *total,
			       struct tn_err *err);
enum tn_code pg_case_events(struct store *st, const char *id, jv *events, struct tn_err *err);

enum tn_code pg_audit_stats(struct store *st, const char *since, const char *until, jv *items,
			    struct tn_err *err);

enum tn_code pg_report_workdays(struct store *st, const char *first, const unsigned char *work,
				long n, struct tn_err *err);
enum tn_code pg_report_cases(struct store *st, const struct store_report_q *q,
			     store_report_fn fn, void *ctx, struct tn_err *err);
enum tn_code pg_report_backlog(struct store *st, const struct store_report_q *q,
			       const char *after, const char *cut, store_backlog_fn fn,
			       void *ctx, struct tn_err *err);
enum tn_code pg_report_names(struct store *st, const char *by, jv *names, struct tn_err *err);

/* store_alerts.h: pg_alerts.c (writers, in commit order), pg_alerts_read.c, pg_alerts_report.c */
enum tn_code pg_alerts_begin(struct store *st, struct tn_err *err);
enum tn_code pg_alerts_begin_yield(struct store *st, void (*wait)(void *), void *arg,
				   struct tn_err *err);
enum tn_code pg_alerts_commit(struct store *st, long keep, long long *latest, struct tn_err *err);
void pg_alerts_rollback(struct store *st);
enum tn_code pg_alert_raise(struct store *st, jv doc, int whole, const char *pre, long long at,
			    jv *out, struct tn_buf *text, int *replayed, struct tn_err *err);
enum tn_code pg_alert_update(struct store *st, long long id, jv doc, long long at,
			     const char *action, const char *actor, const char *comment,
			     jv *out, struct tn_err *err);
enum tn_code pg_alert_get(struct store *st, long long id, jv *doc, struct tn_err *err);
enum tn_code pg_alert_history(struct store *st, long long id, jv *out, struct tn_err *err);
enum tn_code pg_alert_list(struct store *st, const struct store_alert_filter *f, jv *items,
			   char **next, struct tn_err *err);
enum tn_code pg_alert_events(struct store *st, long long after, int desc, long max,
			     store_alert_event_fn fn, void *ctx, long *n, struct tn_err *err);
enum tn_code pg_alert_bounds(struct store *st, long long *oldest, long long *latest,
			     struct tn_err *err);
long long pg_alert_latest(struct store *st);
enum tn_code pg_alert_first_since(struct store *st, long long at, long long *seq,
				  struct tn_err *err);
const char *pg_alerts_path(struct store *st);
enum tn_code pg_alerts_listen(struct store *st, int *fd, struct tn_err *err);
enum tn_code pg_alerts_heard(struct store *st, long long *latest, int *fd, struct tn_err *err);
/* store_tasks.h: pg_tasks.c */
enum tn_code pg_task_open_get(struct store *st, const char *rule, const char *key, jv *doc,
			      struct tn_err *err);
enum tn_code pg_task_put(struct store *st, long long id, long long version, jv doc,
			 long long at, const char *action, const char *actor, const char *comment,
			 jv *out, struct tn_err *err);
enum tn_code pg_task_get(struct store *st, long long id, jv *doc, struct tn_err *err);
enum tn_code pg_task_history(struct store *st, long long id, jv *out, struct tn_err *err);
enum tn_code pg_task_list(struct store *st, const struct store_task_filter *f, jv *items,
			  char **next, struct tn_err *err);
enum tn_code pg_tasks_due(struct store *st, long long now, long max, jv *ids, struct tn_err *err);
enum tn_code pg_alerts_recent(struct store *st, const char *kind, const char *source,
			      long long since, long long except, long max, jv *alerts,
			      struct tn_err *err);
/* store_vitals.h: pg_vitals.c */
enum tn_code pg_vitals_measure(struct store *st, const struct store_vitals_q *q,
			       long long *value, long long *before, struct tn_err *err);
enum tn_code pg_vitals_groups(struct store *st, const struct store_vitals_q *q, const char *by,
			      jv *out, struct tn_err *err);
/* store_assets.h: pg_assets.c */
enum tn_code pg_asset_put(struct store *st, jv doc, long long at, enum store_asset_did *did,
			  jv *out, struct tn_err *err);
enum tn_code pg_assets_import(struct store *st, store_asset_next_fn *next, void *ctx,
			      long long at, long counts[3], struct tn_err *err);
enum tn_code pg_asset_get(struct store *st, const char *id, jv *doc, struct tn_err *err);
enum tn_code pg_asset_list(struct store *st, const struct store_asset_filter *f, jv *items,
			   char **next, struct tn_err *err);
enum tn_code pg_asset_set_state(struct store *st, const char *id, long long version,
				const char *state, long long at, jv *out, struct tn_err *err);
enum tn_code pg_asset_counts(struct store *st, const char *kind, const char *state, jv *out,
			     struct tn_err *err);
/* twonetd copy (pg_copy.c) */
enum tn_code pg_dump(struct store *st, const char *table, store_row_fn *fn, void *ctx,
		     struct tn_err *err);
enum tn_code pg_load(struct store *st, const char *table, jv rows, long *added,
		     struct tn_err *err);
enum tn_code pg_report_alerts(struct store *st, const struct store_alert_report_q *q,
			      store_alert_fn fn, void *ctx, struct tn_err *err);

/* store_certs.h: pg_certs.c, pg_certs_consents.c (who may read), pg_certs_audit.c (the chain) */
enum tn_code pg_certs_begin(struct store *st, struct tn_err *err);
enum tn_code pg_certs_commit(struct store *st, struct tn_err *err);
void pg_certs_rollback(struct store *st);
int pg_certs_try_begin(struct store *st, struct tn_err *err);
void pg_certs_tune(struct store *st);
/* store_certs_read_begin, _end, _release and _hold: each statement reads its own snapshot. */
void pg_certs_read_none(struct store *st);
void pg_certs_read_hold(struct store *st, int on);
struct store_ckpt *pg_certs_checkpointer(struct store *st, long frames, long limit);
const char *pg_certs_db_path(struct store *st);
long pg_certs_cache_none(struct store *st);
enum tn_code pg_issuer_add(struct store *st, const char *dept, const char *uscc, const char *key_id,
			   const char *pem, const char *created_at, struct tn_err *err);
enum tn_code pg_issuer_list(struct store *st, jv *items, struct tn_err *err);
enum tn_code pg_issuer_current(struct store *st, const char *dept, char **key_id,
			       struct tn_err *err);
enum tn_code pg_cert_serials(struct store *st, const char *kind, const char *issuer,
			     const char *year, long n, long *first, struct tn_err *err);
enum tn_code pg_cert_insert(struct store *st, const struct store_cert_row *row, struct tn_err *err);
enum tn_code pg_cert_idem(struct store *st, long token_id, const char *idem_key, char **hash,
			  jv *doc, struct tn_err *err);
enum tn_code pg_cert_get_text(struct store *st, const char *id, char **doc, char **holder,
			      char **dept, struct tn_err *err);
enum tn_code pg_cert_get(struct store *st, const char *id, jv *doc, struct tn_err *err);
enum tn_code pg_cert_list(struct store *st, const struct store_cert_filter *f, struct tn_buf *out,
			  char **next, struct tn_err *err);
enum tn_code pg_cert_revoke(struct store *st, const char *id, const char *at, const char *reason,
			    jv doc, struct tn_err *err);
enum tn_code pg_clerk_may_read(struct store *st, const char *holder, const char *dept,
			       long token_id, long long now, int *ok, struct tn_err *err);
enum tn_code pg_code_add(struct store *st, const char *hash_hex, const struct store_code *c,
			 long long now, int max_live, struct tn_err *err);
enum tn_code pg_code_redeem(struct store *st, const char *hash_hex, const char *holder,
			    long token_id, const char *dept, long long now, int *ok, struct tn_err *err);
enum tn_code pg_consent_add(struct store *st, const char *hash_hex, const struct store_consent *c,
			    struct tn_err *err);
enum tn_code pg_consent_check(struct store *st, const char *hash_hex, const char *holder,
			      const char *scenario, long long now, int *ok, struct tn_err *err);
enum tn_code pg_consent_list(struct store *st, const char *holder, const char *scenario,
			     long long now, jv *out, struct tn_err *err);
int pg_consent_cols(struct store *st);
enum tn_code pg_consent_kinds(struct store *st, const char *hash_hex, char **kinds,
			      struct tn_err *err);
enum tn_code pg_consent_revoke(struct store *st, long long id, const char *holder, const char *now,
			       jv *row, struct tn_err *err);
long long pg_consent_last_id(struct store *st);
enum tn_code pg_audit_append(struct store *st, const struct store_audit *a, struct tn_err *err);
enum tn_code pg_audit_append_rows(struct store *st, const struct store_audit *rows, size_t n,
				  struct tn_err *err);
enum tn_code pg_audit_head(struct store *st, long long *seq, char hash[65], struct tn_err *err);
enum tn_code pg_audit_hash_at(struct store *st, long long seq, char hash[65], int *found,
			      struct tn_err *err);
enum tn_code pg_audit_list(struct store *st, const struct store_audit_filter *f, jv *items,
			   long long *next, struct tn_err *err);
enum tn_code pg_audit_verify(struct store *st, long long *rows, long long *bad_seq, char *why,
			     size_t size, struct tn_err *err);

enum tn_code pg_cal_load(struct store *st, struct tn_cal **cal, long *generation,
			 struct tn_err *err);
enum tn_code pg_cal_generation(struct store *st, long *generation, struct tn_err *err);
enum tn_code pg_cal_import(struct store *st, const struct tn_cal *add, const char *source,
			   const char *at, struct store_cal_result *res, struct tn_err *err);
enum tn_code pg_cal_years(struct store *st, jv *years, struct tn_err *err);

#endif
