/* store_certs.c — the certs tables of twonetd's SQLite storage (see store.h). */
#include "store_int.h"

/* Migration to this module's schema (placeholder until its tables land). */
const char store_certs_schema[] = "SELECT 1;";
