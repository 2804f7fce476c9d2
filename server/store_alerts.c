/* store_alerts.c — the alerts tables of twonetd's SQLite storage (see store.h). */
#include "store_int.h"

/* Migration to this module's schema (placeholder until its tables land). */
const char store_alerts_schema[] = "SELECT 1;";
