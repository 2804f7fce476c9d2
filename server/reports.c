/* reports.c — aggregates for case-report (GET /v1/reports/cases, /v1/reports/alerts). */
#include "twonetd.h"

int route_reports(struct req *q, char **seg, int n)
{
	return 0;
}
