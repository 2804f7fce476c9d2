/* store_reports.c — the reports tables of twonetd's SQLite storage (see store.h). */
#include "store_int.h"

/* Migration to this module's schema (placeholder until its tables land). */
const char store_reports_schema[] = "SELECT 1;";
