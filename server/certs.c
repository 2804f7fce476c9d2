/* certs.c — e-certificates, issuers, consents and the audit log (GET/POST /v1/certs ...). */
#include "twonetd.h"

int route_certs(struct req *q, char **seg, int n)
{
	return 0;
}
