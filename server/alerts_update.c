/* alerts_update.c — CAP's Update and Cancel: a message that names earlier alerts (references) and changes or closes them, once. */
/*
 * An update's own source and source_id are kept in the alert it changed
 * ("updates": [{msg_type, source, source_id, sent_at, at}]), so that the same
 * message posted again (a retry, a second feed) changes nothing, and so that
 * a later message of the same producer may name the update instead of the
 * alert (CAP producers list the whole chain in <references>).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "alerts_int.h"
#include "jvutil.h"
#include "store_alerts.h"

/* The members an update gives anew; the others (source, kind, district, cap...) stay the alert's. */
static const char *const updated[] = {
	"severity", "value", "threshold", "unit", "headline", "text", "onset_at", "expires_at",
	"event_text", "location", "area", "street", "street_name", NULL
};

static int refuse(struct problem *p, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct problem *p, int status, const char *fmt, ...)
{
	va_list ap;

	p->status = status;
	snprintf(p->field, sizeof(p->field), "references");
	va_start(ap, fmt);
	vsnprintf(p->detail, sizeof(p->detail), fmt, ap);
	va_end(ap);
	return -1;
}

/* 1 when `doc`'s updates (borrowed) hold one from `source` with `source_id`. */
static int has_update(jv doc, const char *source, const char *source_id)
{
	jv list = tn_jv_array(doc, "updates");
	int hit = 0;

	jv_array_foreach(list, i, u) {
		hit |= tn_jv_is(u, "source", source) && tn_jv_is(u, "source_id", source_id);
		jv_free(u);
	}
	jv_free(list);
	return hit;
}

/*
 * The alert that (source, source_id) names: the alert itself, or the one an
 * update of that name was applied to.  The producer's alerts newest first,
 * a page at a time.  0 and *doc, 1 when none, -1 on a database error.
 */
static int find(struct store *st, const char *source, const char *source_id, jv *doc,
		struct tn_err *err)
{
	struct store_alert_filter f;
	char *next = NULL, *cursor = NULL;
	int found = 1;

	memset(&f, 0, sizeof(f));
	f.since = f.until = f.after = -1;
	f.min_severity = -1;
	f.source = source;
	f.desc = 1;
	f.limit = 1000;
	do {
		jv items;

		f.cursor = cursor;
		if (store_alert_list(st, &f, &items, &next, err) != TN_OK) {
			free(cursor);
			return -1;
		}
		jv_array_foreach(items, i, a) {
			if (found == 1 && (tn_jv_is(a, "source_id", source_id) ||
					   has_update(a, source, source_id))) {
				*doc = jv_copy(a);
				found = 0;
			}
			jv_free(a);
		}
		jv_free(items);
		free(cursor);
		cursor = next;
		next = NULL;
	} while (found == 1 && cursor);
	free(cursor);
	return found;
}

/* The alert `target` (consumed) as the update or cancel `doc` (borrowed) leaves it. */
static jv applied(jv target, jv doc, const char *type, const char *when)
{
	jv entry = jv_object();

	if (!strcmp(type, "update")) {
		for (const char *const *m = updated; *m; m++) {
			jv v = tn_jv_get(doc, *m);

			if (jv_get_kind(v) != JV_KIND_NULL && !(jv_get_kind(v) == JV_KIND_STRING &&
								 !*jv_string_value(v)))
				target = jv_object_set(target, jv_string(*m), v);
			else
				jv_free(v);
		}
	} else {
		target = jv_object_set(target, jv_string("cancelled"), jv_true());
		if (!tn_jv_is(target, "status", "closed")) {
			target = jv_object_set(target, jv_string("status"), jv_string("closed"));
			target = jv_object_set(target, jv_string("closed_at"), jv_string(when));
			target = jv_object_set(target, jv_string("evaluation"),
					       jv_string("发布方撤销"));
		}
	}
	entry = jv_object_set(entry, jv_string("msg_type"), jv_string(type));
	entry = jv_object_set(entry, jv_string("source"), tn_jv_get(doc, "source"));
	entry = jv_object_set(entry, jv_string("source_id"), tn_jv_get(doc, "source_id"));
	entry = jv_object_set(entry, jv_string("sent_at"), tn_jv_get(doc, "sent_at"));
	entry = jv_object_set(entry, jv_string("at"), jv_string(when));
	target = jv_object_set(target, jv_string("updates"),
			       jv_array_append(tn_jv_array(target, "updates"), entry));
	return jv_object_set(target, jv_string("updated_at"), jv_string(when));
}

int alert_apply(struct store *st, jv doc, jv msg, long long now, jv *out, int *replayed,
		struct problem *p, struct tn_err *err)
{
	jv refs = tn_jv_array(msg, "references"), targets = jv_array(), ids = jv_array();
	const char *type = tn_jv_str(msg, "msg_type"), *source = tn_jv_str(doc, "source");
	const char *source_id = tn_jv_str(doc, "source_id");
	char when[40];
	int rc = 0, n = 0, replays = 0;

	*out = jv_invalid();
	*replayed = 0;
	time_rfc3339(now, when, sizeof(when));
	/* the alerts named, each once */
	jv_array_foreach(refs, i, r) {
		jv a = jv_invalid();
		int f = rc ? 1 : find(st, tn_jv_str(r, "source"), tn_jv_str(r, "source_id"), &a, err);

		if (f < 0)
			rc = -2;
		if (f == 0) {
			char id[32];

			snprintf(id, sizeof(id), "%lld", tn_alert_ll(a, "id"));
			if (!tn_jv_array_has_str(ids, id)) {
				ids = jv_array_append(ids, jv_string(id));
				targets = jv_array_append(targets, a);
			} else {
				jv_free(a);
			}
		}
		jv_free(r);
	}
	/* an update of a cancelled alert, a second cancel: refused before anything is written */
	jv_array_foreach(targets, i, t) {
		if (rc == 0 && !has_update(t, source, source_id) && tn_jv_bool(t, "cancelled", 0))
			rc = refuse(p, 409, !strcmp(type, "update") ?
				    "alert %lld was cancelled by its producer; an update cannot apply "
				    "to it" : "alert %lld is cancelled already", tn_alert_ll(t, "id"));
		jv_free(t);
	}
	if (rc == 0 && jv_array_length(jv_copy(targets)) == 0) {
		jv r = jv_array_get(jv_copy(refs), 0);

		rc = refuse(p, 404, "no alert from '%s' with source_id '%s' to %s (references[0])",
			    tn_jv_str(r, "source"), tn_jv_str(r, "source_id"), type);
		jv_free(r);
	}
	jv_array_foreach(targets, i, t) {
		long long id = tn_alert_ll(t, "id");
		jv stored = jv_invalid();

		if (rc) {
			;
		} else if (has_update(t, source, source_id)) {
			replays++;              /* applied before: nothing to do */
			stored = jv_copy(t);
		} else if (store_alert_update(st, id, applied(jv_copy(t), doc, type, when), now,
					      type, source, NULL, &stored, err) != TN_OK) {
			rc = -2;
		}
		if (!rc && n++ == 0)
			*out = stored;
		else
			jv_free(stored);
		jv_free(t);
	}
	if (rc == 0)
		*replayed = replays == n;
	else
		jv_free(*out);
	if (rc)
		*out = jv_invalid();
	jv_free(targets);
	jv_free(ids);
	jv_free(refs);
	jv_free(doc);
	jv_free(msg);
	return rc;
}
