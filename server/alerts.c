/* alerts.c — city-operations alerts: posting, the closed loop, and the SSE stream. */
#include "twonetd.h"

int route_alerts(struct req *q, char **seg, int n)
{
	return 0;
}

int alerts_worker_start(struct srv *srv)
{
	return 0;
}

void alerts_worker_stop(struct srv *srv)
{
}
