/* dispatch.c — the storage wall's public functions: store_open picks a backend, each store_NAME calls its operation. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "tn_err.h"
#include "store_ops.h"

/* The operations of the backend `st` runs on. */
#define OPS(st) (((const struct store_head *)(const void *)(st))->ops)

/* TN_EINVALID: `st`'s backend has no operation `name`. */
static enum tn_code store_none(struct store *st, struct tn_err *err, const char *name)
{
	if (!st)
		return tn_err_set(err, TN_EINTERNAL, "store_%s on a store that is not open", name);
	return tn_err_set(err, TN_EINVALID, "the %s backend cannot yet %s", store_backend(st), name);
}

/* What store_NAME does when its backend leaves the operation NULL (store_ops.h). */
#define STORE_NONE_CODE(name) return store_none(st, err, #name)
#define STORE_NONE_OPT(name) return store_none(st, err, #name)
#define STORE_NONE_VOID(name) return
#define STORE_NONE_ZERO(name) return 0
#define STORE_NONE_NEG(name) return -1
#define STORE_NONE_FAIL(name) return (store_none(st, err, #name), -1)
#define STORE_NONE_HEALTH(name) \
	do { \
		*out = jv_object_set(jv_object(), jv_string("ok"), jv_false()); \
		return; \
	} while (0)
/* How store_NAME hands back its operation's result. */
#define STORE_RET_CODE return
#define STORE_RET_VOID
#define STORE_RET_ZERO return
#define STORE_RET_NEG return
#define STORE_RET_FAIL return
#define STORE_RET_HEALTH
#define STORE_RET_OPT return
/* Whether store_missing_ops counts a NULL operation of this kind. */
#define STORE_REQUIRED_CODE 1
#define STORE_REQUIRED_VOID 1
#define STORE_REQUIRED_ZERO 1
#define STORE_REQUIRED_NEG 1
#define STORE_REQUIRED_FAIL 1
#define STORE_REQUIRED_HEALTH 1
#define STORE_REQUIRED_OPT 0

#define STORE_DISPATCH(ret, name, params, args, none) \
	ret store_##name params \
	{ \
		if (!st || !OPS(st)->name) \
			STORE_NONE_##none(name); \
		STORE_RET_##none OPS(st)->name args; \
	}
STORE_OPS(STORE_DISPATCH)
#undef STORE_DISPATCH

const char *store_backend(struct store *st)
{
	const struct store_head *h = (const struct store_head *)(const void *)st;

	return h && h->backend ? h->backend : "unknown";
}

const char *store_name(struct store *st)
{
	const struct store_head *h = (const struct store_head *)(const void *)st;

	return h && h->name ? h->name : "?";
}

int store_missing_ops(struct store *st, char *buf, size_t n)
{
	const struct store_ops *ops = st ? OPS(st) : NULL;
	size_t len = 0;
	int missing = 0, named = 0;

	if (n > 0)
		buf[0] = '\0';
	if (!ops)
		return 0;
#define STORE_MISSING(ret, name, params, args, none) \
	if (!ops->name && STORE_REQUIRED_##none) { \
		missing++; \
		if (named < 5 && len < n) { \
			len += (size_t)snprintf(buf + len, n - len, "%s%s", named ? ", " : "", #name); \
			named++; \
		} \
	}
	STORE_OPS(STORE_MISSING)
#undef STORE_MISSING
	if (missing > named && len < n)
		snprintf(buf + len, n - len, " and %d more", missing - named);
	return missing;
}

size_t store_scheme_len(const char *spec)
{
	size_t i = 0;

	if (!isalpha((unsigned char)spec[0]))
		return 0;
	while (isalnum((unsigned char)spec[i]) || spec[i] == '+' || spec[i] == '-' || spec[i] == '.')
		i++;
	return strncmp(spec + i, "://", 3) == 0 ? i : 0;
}

enum tn_code store_open(struct store **st, const char *spec, int create, struct tn_err *err)
{
	size_t n;

	*st = NULL;
	if (strncmp(spec, "sqlite:", 7) == 0)
		return sqlite_open(st, spec + 7, create, err);
	n = store_scheme_len(spec);
	if (n == 0)
		return sqlite_open(st, spec, create, err);
	if ((n == 10 && strncmp(spec, "postgresql", n) == 0) ||
	    (n == 8 && strncmp(spec, "postgres", n) == 0))
		return pg_open(st, spec, create, err);
	return tn_err_set(err, TN_EUSAGE,
			  "unknown database scheme '%.*s://': --db takes PATH, sqlite:PATH or "
			  "postgresql://URI", (int)n, spec);
}
