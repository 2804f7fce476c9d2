/* curl_dl.c — libcurl loaded on first use, so that commands start in a few milliseconds.
 *
 * libcurl4-openssl drags in some thirty shared libraries (GnuTLS, Kerberos,
 * LDAP, SSH ...); mapping them costs every process about 5 ms at start-up,
 * even `--help`.  These definitions stand in for the libcurl functions that
 * twonet calls: the executables link against them instead of libcurl (the
 * link uses --as-needed, so libcurl.so is not a start-up dependency), and
 * the first call dlopen()s libcurl.so.4 and forwards.  Callers include
 * <curl/curl.h> as usual.  A libcurl function not defined here still works:
 * the linker then keeps libcurl as a start-up dependency, costing only time.
 */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *curl_handle;

/* The address of libcurl's `name`; a missing libcurl is fatal (it is a package dependency). */
static void *curl_sym(const char *name)
{
	void *p;

	if (!curl_handle) {
		curl_handle = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
		if (!curl_handle) {
			fprintf(stderr, "twonet: fatal: cannot load libcurl: %s\n", dlerror());
			_exit(1);
		}
	}
	p = dlsym(curl_handle, name);
	if (!p) {
		fprintf(stderr, "twonet: fatal: libcurl has no '%s'\n", name);
		_exit(1);
	}
	return p;
}

#define FORWARD(ret, name, params, args) \
	ret name params \
	{ \
		static ret (*fn) params; \
		if (!fn) \
			fn = (ret (*) params)curl_sym(#name); \
		return fn args; \
	}

#define FORWARD_VOID(name, params, args) \
	void name params \
	{ \
		static void (*fn) params; \
		if (!fn) \
			fn = (void (*) params)curl_sym(#name); \
		fn args; \
	}

FORWARD(CURLcode, curl_global_init, (long flags), (flags))
FORWARD_VOID(curl_global_cleanup, (void), ())
FORWARD(CURL *, curl_easy_init, (void), ())
FORWARD_VOID(curl_easy_cleanup, (CURL *h), (h))
FORWARD_VOID(curl_easy_reset, (CURL *h), (h))
FORWARD(CURL *, curl_easy_duphandle, (CURL *h), (h))
FORWARD(CURLcode, curl_easy_perform, (CURL *h), (h))
FORWARD(CURLcode, curl_easy_pause, (CURL *h, int bitmask), (h, bitmask))
FORWARD(const char *, curl_easy_strerror, (CURLcode c), (c))
FORWARD(struct curl_slist *, curl_slist_append, (struct curl_slist *l, const char *s), (l, s))
FORWARD_VOID(curl_slist_free_all, (struct curl_slist *l), (l))
FORWARD_VOID(curl_free, (void *p), (p))
FORWARD(char *, curl_version, (void), ())
FORWARD(CURLM *, curl_multi_init, (void), ())
FORWARD(CURLMcode, curl_multi_cleanup, (CURLM *m), (m))
FORWARD(CURLMcode, curl_multi_add_handle, (CURLM *m, CURL *h), (m, h))
FORWARD(CURLMcode, curl_multi_remove_handle, (CURLM *m, CURL *h), (m, h))
FORWARD(CURLMcode, curl_multi_perform, (CURLM *m, int *running), (m, running))
FORWARD(CURLMcode, curl_multi_poll, (CURLM *m, struct curl_waitfd extra[], unsigned int n,
				     int ms, int *numfds), (m, extra, n, ms, numfds))
FORWARD(CURLMcode, curl_multi_wait, (CURLM *m, struct curl_waitfd extra[], unsigned int n,
				     int ms, int *numfds), (m, extra, n, ms, numfds))
FORWARD(CURLMcode, curl_multi_wakeup, (CURLM *m), (m))
FORWARD(CURLMcode, curl_multi_fdset, (CURLM *m, fd_set *r, fd_set *w, fd_set *e, int *max),
	(m, r, w, e, max))
FORWARD(CURLMcode, curl_multi_timeout, (CURLM *m, long *ms), (m, ms))
FORWARD(CURLMsg *, curl_multi_info_read, (CURLM *m, int *left), (m, left))
FORWARD(const char *, curl_multi_strerror, (CURLMcode c), (c))

/*
 * The variadic ones: the option number's range says the argument's type
 * (curl.h: CURLOPTTYPE_LONG 0, OBJECTPOINT 10000, FUNCTIONPOINT 20000,
 * OFF_T 30000, BLOB 40000), exactly as libcurl itself reads it.
 */
CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	static CURLcode (*fn)(CURL *, CURLoption, ...);
	CURLcode rc;
	va_list ap;

	if (!fn)
		fn = (CURLcode (*)(CURL *, CURLoption, ...))curl_sym("curl_easy_setopt");
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

CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	static CURLcode (*fn)(CURL *, CURLINFO, ...);
	CURLcode rc;
	va_list ap;

	if (!fn)
		fn = (CURLcode (*)(CURL *, CURLINFO, ...))curl_sym("curl_easy_getinfo");
	va_start(ap, info);
	rc = fn(h, info, va_arg(ap, void *));   /* always a pointer to the result */
	va_end(ap);
	return rc;
}

CURLMcode curl_multi_setopt(CURLM *m, CURLMoption opt, ...)
{
	static CURLMcode (*fn)(CURLM *, CURLMoption, ...);
	CURLMcode rc;
	va_list ap;

	if (!fn)
		fn = (CURLMcode (*)(CURLM *, CURLMoption, ...))curl_sym("curl_multi_setopt");
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
