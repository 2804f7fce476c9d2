/* tnp_curl.h — library-internal: libcurl loaded on first use (curl_dl.c). */
#ifndef TNP_CURL_H
#define TNP_CURL_H

#include "tn_err.h"

/*
 * Load libcurl now.  TN_OK, or TN_EINTERNAL with the reason in `err` (may be
 * NULL): then every libcurl call fails as libcurl does when it cannot start.
 * Never prints or exits.
 */
enum tn_code tnp_curl_load(struct tn_err *err) __attribute__((visibility("hidden")));

#endif
