/* curl_dl.c — libcurl loaded on first use, so that commands start in a few milliseconds. */
/*
 * libcurl4-openssl drags in some thirty shared libraries (GnuTLS, Kerberos,
 * LDAP, SSH ...); mapping them costs every process about 5 ms at start-up,
 * even `--help`.  These definitions stand in for the libcurl functions that
 * twonet calls: the executables link against them instead of libcurl (the
 * link uses --as-needed, so libcurl.so is not a start-up dependency), and
 * the first call dlopen()s libcurl.so.4 and forwards.  Callers include
 * <curl/curl.h> as usual.  A libcurl function not defined here still works:
 * the linker then keeps libcurl as a start-up dependency, costing only time.
 *
 * Internal: every definition here is hidden, so libtwonet.so does not export
 * libcurl's names (a program linking both libtwonet.so and libcurl gets the
 * real libcurl).  It never prints or exits: when libcurl cannot be loaded,
 * every stand-in fails as libcurl does when it cannot start (NULL handles,
 * CURLE_FAILED_INIT, CURLM_INTERNAL_ERROR), curl_easy_strerror() says why,
 * and tnp_curl_load() reports it through a tn_err.
 */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tnp_curl.h"

#define HIDDEN __attribute__((visibility("hidden")))

static void *curl_handle;
static int curl_failed;
static char curl_why[256];

/* Load libcurl once; 0, or -1 with curl_why set (and every later call fails the same way). */
static int curl_open(void)
{
	if (curl_handle)
		return 0;
	if (curl_failed)
		return -1;
	curl_handle = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!curl_handle) {
		const char *e = dlerror();
		snprintf(curl_why, sizeof(curl_why), "cannot load libcurl: %s", e ? e : "unknown reason");
		curl_failed = 1;
		return -1;
	}
	return 0;
}

/* The address of libcurl's `name`, or NULL (curl_why says why). */
static void *curl_sym(const char *name)
{
	void *p;

	if (curl_open() != 0)
		return NULL;
	p = dlsym(curl_handle, name);
	if (!p && !curl_why[0])
		snprintf(curl_why, sizeof(curl_why), "libcurl has no '%s'", name);
	return p;
}

enum tn_code tnp_curl_load(struct tn_err *err)
{
	if (curl_open() != 0)
		return tn_err_set(err, TN_EINTERNAL, "%s", curl_why);
	return TN_OK;
}

/* A stand-in for libcurl's `name`: forwards, or returns `fail` when libcurl is not there. */
#define FORWARD(ret, name, params, args, fail) \
	HIDDEN ret name params \
	{ \
		static ret (*fn) params; \
		if (!fn) \
			fn = (ret (*) params)curl_sym(#name); \
		if (!fn) \
			return fail; \
		return fn args; \
	}

#define FORWARD_VOID(name, params, args) \
	HIDDEN void name params \
	{ \
		static void (*fn) params; \
		if (!fn) \
			fn = (void (*) params)curl_sym(#name); \
		if (fn) \
			fn args; \
	}

FORWARD(CURLcode, curl_global_init, (long flags), (flags), CURLE_FAILED_INIT)
FORWARD_VOID(curl_global_cleanup, (void), ())
FORWARD(CURL *, curl_easy_init, (void), (), NULL)
FORWARD_VOID(curl_easy_cleanup, (CURL *h), (h))
FORWARD_VOID(curl_easy_reset, (CURL *h), (h))
FORWARD(CURL *, curl_easy_duphandle, (CURL *h), (h), NULL)
FORWARD(CURLcode, curl_easy_perform, (CURL *h), (h), CURLE_FAILED_INIT)
FORWARD(CURLcode, curl_easy_pause, (CURL *h, int bitmask), (h, bitmask), CURLE_FAILED_INIT)
FORWARD(const char *, curl_easy_strerror, (CURLcode c), (c), curl_why[0] ? curl_why : "libcurl is not loaded")
FORWARD(struct curl_slist *, curl_slist_append, (struct curl_slist *l, const char *s), (l, s), NULL)
FORWARD_VOID(curl_slist_free_all, (struct curl_slist *l), (l))
FORWARD_VOID(curl_free, (void *p), (p))
FORWARD(char *, curl_version, (void), (), NULL)
FORWARD(CURLM *, curl_multi_init, (void), (), NULL)
FORWARD(CURLMcode, curl_multi_cleanup, (CURLM *m), (m), CURLM_INTERNAL_ERROR)
FORWARD(CURLMcode, curl_multi_add_handle, (CURLM *m, CURL *h), (m, h), CURLM_INTERNAL_ERROR)
FORWARD(CURLMcode, curl_multi_remove_handle, (CURLM *m, CURL *h), (m, h), CURLM_INTERNAL_ERROR)
FORWARD(CURLMcode, curl_multi_perform, (CURLM *m, int *running), (m, running), CURLM_INTERNAL_ERROR)
FORWARD(CURLMcode, curl_multi_poll, (CURLM *m, struct curl_waitfd extra[], unsigned int n,
				     int ms, int *numfds), (m, extra, n, ms, numfds), CURLM_INTERNAL_ERROR)
FORWARD(CURLMcode, curl_multi_wait, (CURLM *m, struct curl_waitfd extra[], unsigned int n,
				     int ms, int *numfds), (m, extra, n, ms, numfds), CURLM_INTERNAL_ERROR)
FORWARD(CURLMcode, curl_multi_wakeup, (CURLM *m), (m), CURLM_INTERNAL_ERROR)
FORWARD(CURLMcode, curl_multi_fdset, (CURLM *m, fd_set *r, fd_set *w, fd_set *e, int *max),
	(m, r, w, e, max), CURLM_INTERNAL_ERROR)
FORWARD(CURLMcode, curl_multi_timeout, (CURLM *m, long *ms), (m, ms), CURLM_INTERNAL_ERROR)
FORWARD(CURLMsg *, curl_multi_info_read, (CURLM *m, int *left), (m, left), NULL)
FORWARD(const char *, curl_multi_strerror, (CURLMcode c), (c), curl_why[0] ? curl_why : "libcurl is not loaded")

/*
 * The variadic ones: the option number's range says the argument's type
 * (curl.h: CURLOPTTYPE_LONG 0, OBJECTPOINT 10000, FUNCTIONPOINT 20000,
 * OFF_T 30000, BLOB 40000), exactly as libcurl itself reads it.
 */
HIDDEN CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	static CURLcode (*fn)(CURL *, CURLoption, ...);
	CURLcode rc;
	va_list ap;

	if (!fn)
		fn = (CURLcode (*)(CURL *, CURLoption, ...))curl_sym("curl_easy_setopt");
	if (!fn)
		return CURLE_FAILED_INIT;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = fn(h, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = fn(h, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = fn(h, opt, va_arg(ap, void (*)(void)));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = fn(h, opt, va_arg(ap, curl_off_t));
	else
		rc = fn(h, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

HIDDEN CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	static CURLcode (*fn)(CURL *, CURLINFO, ...);
	CURLcode rc;
	va_list ap;

	if (!fn)
		fn = (CURLcode (*)(CURL *, CURLINFO, ...))curl_sym("curl_easy_getinfo");
	if (!fn)
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	rc = fn(h, info, va_arg(ap, void *));   /* always a pointer to the result */
	va_end(ap);
	return rc;
}

HIDDEN CURLMcode curl_multi_setopt(CURLM *m, CURLMoption opt, ...)
{
	static CURLMcode (*fn)(CURLM *, CURLMoption, ...);
	CURLMcode rc;
	va_list ap;

	if (!fn)
		fn = (CURLMcode (*)(CURLM *, CURLMoption, ...))curl_sym("curl_multi_setopt");
	if (!fn)
		return CURLM_INTERNAL_ERROR;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = fn(m, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = fn(m, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = fn(m, opt, va_arg(ap, void (*)(void)));
	else
		rc = fn(m, opt, va_arg(ap, curl_off_t));
	va_end(ap);
	return rc;
}
