/* alerts_input.c — an alert as a client sends it, checked by the lib (tn_alert_check) and made into the stored document; the text members of alert actions. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tn_alert.h"
#include "tn_alertkind.h"
#include "tn_division.h"
#include "alerts_int.h"
#include "jvutil.h"
#include "store_alerts.h"

static int refuse(struct problem *p, int status, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(struct problem *p, int status, const char *field, const char *fmt, ...)
{
	va_list ap;

	p->status = status;
	snprintf(p->field, sizeof(p->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(p->detail, sizeof(p->detail), fmt, ap);
	va_end(ap);
	return -1;
}

/* Member `name` of `in` (borrowed): a string of 1..max characters, or absent/null when optional. */
int alert_text_member(jv in, const char *name, long max, int required, int allow_empty,
		      jv *out, struct problem *p)
{
	jv v = tn_jv_get(in, name);

	*out = jv_null();
	if (jv_get_kind(v) == JV_KIND_NULL) {
		jv_free(v);
		if (required)
			return refuse(p, 422, name, "%s is required", name);
		return 0;
	}
	if (jv_get_kind(v) != JV_KIND_STRING) {
		jv_free(v);
		return refuse(p, 422, name, "%s must be a string", name);
	}
	if ((!allow_empty && !*jv_string_value(v)) || (long)tn_utf8_chars(jv_string_value(v)) > max) {
		jv_free(v);
		return refuse(p, 422, name, "%s must be %d to %ld characters", name,
			      allow_empty ? 0 : 1, max);
	}
	*out = v;
	return 0;
}

/*
 * Check an input (borrowed) with tn_alert_check_some and build the ALERT as
 * raised by `actor` at `now`: "id" and "seq" left null for the store, the
 * checked members in the lib's order (kind_name and street_name filled
 * from the catalog and the divisions), the server's members, then "cap".
 * An update or a cancel: *msg {msg_type, references} (else null).
 * 0, or -1 with *p filled (400 for an unknown member, 422 for a bad value).
 */
int alert_build(jv in, const char *actor, time_t now, int whole, jv *doc, jv *msg,
		struct tn_buf *text, struct problem *p)
{
	static const char *const some[] = { STORE_ALERT_RAISE_MEMBERS, NULL };
	/* id and seq first, then the checked members, then the alert's state: built at once */
	static const char *const head[] = { "id", "seq" };
	static const char *const tail[] = {
		"status", "raised_at", "raised_by", "dispatched_at", "crew", "acknowledged_at",
		"resolved_at", "closed_at", "evaluation", "updated_at"
	};
	jv hv[2] = { jv_null(), jv_null() }, tv[10];
	struct tn_err err = TN_ERR_INIT;
	char when[40];

	*doc = jv_invalid();
	*msg = jv_null();
	time_rfc3339((long long)now, when, sizeof(when));
	tv[0] = jv_string("raised");
	tv[1] = jv_string(when);
	tv[2] = jv_string(actor);
	for (int i = 3; i < 9; i++)
		tv[i] = jv_null();
	tv[9] = jv_string(when);
	if (tn_alert_check_some(in, (struct tn_alert_around){ head, hv, 2 },
				(struct tn_alert_around){ tail, tv, 10 }, whole ? NULL : some, doc,
				msg, text, &err) != TN_OK)
		return refuse(p, (int)err.http_status, err.field, "%s", err.message);
	return 0;
}

int alerts_catalog_load(void)
{
	struct tn_err err = TN_ERR_INIT;

	if (!tn_alertkinds_default(&err)) {
		if (err.code != TN_EIO) {
			fprintf(stderr, "twonetd: error: alert kinds: %s\n", err.message);
			return -1;
		}
		fprintf(stderr, "twonetd: warning: %s: alerts get kind_name \"\" and event texts "
			"kind other\n", err.message);
	}
	if (tn_divisions_check(NULL, NULL, &err) != TN_OK) {
		if (err.code != TN_EIO) {
			fprintf(stderr, "twonetd: error: divisions: %s\n", err.message);
			return -1;
		}
		fprintf(stderr, "twonetd: warning: %s: alerts get street_name \"\"\n", err.message);
	}
	return 0;
}
