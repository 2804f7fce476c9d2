/* pg_ops.c — the PostgreSQL backend's operations table: what is built so far, the rest NULL. */
#include "pg_int.h"

/*
 * store_ops.h's dispatcher answers an operation left NULL here with "the
 * postgresql backend cannot yet NAME", and twonetd serve refuses to start
 * while any is missing.  Certificates, the audit log's writing,
 * alerts and the alert report come next (issue 15).
 */
const struct store_ops store_pg_ops = {
	.close = pg_close,
	.migrate = pg_migrate,
	.health = pg_health,
	.token_add = pg_token_add,
	.token_add_until = pg_token_add_until,
	.token_when = pg_token_when,
	.token_lookup = pg_token_lookup,
	.token_list = pg_token_list,
	.token_get = pg_token_get,
	.token_revoke = pg_token_revoke,
	.token_rotate = pg_token_rotate,
	.token_touch = pg_token_touch,
	.catalog_import = pg_catalog_import,
	.item_get = pg_item_get,
	.department_get = pg_department_get,
	.item_list = pg_item_list,
	.workflow_get = pg_workflow_get,
	.workflow_list = pg_workflow_list,
	.workflow_put = pg_workflow_put,
	.case_create_tree = pg_case_create_tree,
	.case_create = pg_case_create,
	.case_get = pg_case_get,
	.case_list = pg_case_list,
	.case_list_text = pg_case_list_text,
	.case_act = pg_case_act,
	.case_events = pg_case_events,
	.audit_stats = pg_audit_stats,
	.cal_load = pg_cal_load,
	.cal_generation = pg_cal_generation,
	.cal_import = pg_cal_import,
	.cal_years = pg_cal_years,
	.report_workdays = pg_report_workdays,
	.report_cases = pg_report_cases,
	.report_backlog = pg_report_backlog,
	.report_names = pg_report_names,
};
