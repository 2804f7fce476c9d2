/* taskrules.c — evaluating a loaded rule set on one alert: kinds, jq condition, window over the history, key, title template, priority, targets → task intents. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_jv.h"
#include "tnp_taskrules.h"

const char *tn_rules_columns[] = { "id", "name", "kinds", "department", "priority", "file",
				   "line", NULL };
const char *tn_rules_task_columns[] = { "action", "id", "rule", "key", "severity", "priority",
					"alert_count", "title", NULL };

size_t tn_rules_count(const struct tn_rules *r)
{
	return r ? r->n : 0;
}

jv tn_rules_describe(const struct tn_rules *r)
{
	jv a = jv_array();

	for (size_t i = 0; r && i < r->n; i++)
		a = jv_array_append(a, jv_copy(r->v[i].desc));
	return a;
}

jv tn_rules_targets(const struct tn_rules *r)
{
	return r ? jv_copy(r->targets) : jv_object();
}

unsigned long tn_rules_errors(const struct tn_rules *r, const char **last)
{
	if (last)
		*last = r ? r->last.buf : "";
	return r ? r->errors : 0;
}

int tnp_rules_truthy(jv v)
{
	jv_kind k = jv_get_kind(v);

	return k != JV_KIND_INVALID && k != JV_KIND_FALSE && k != JV_KIND_NULL;
}

int tnp_rules_run(struct tn_rules *r, int expr, jv input, jv *out)
{
	jv res;

	*out = jv_invalid();
	tn_buf_reset(&r->jqmsg);
	if (tnp_rules_simple_run(r, expr, input, out) == 0) {
		jv_free(input);
		return 0;
	}
	jq_start(r->jq, JV_ARRAY(jv_number(expr), input), 0);
	res = jq_next(r->jq);
	if (jv_is_valid(res)) {
		*out = res;
		return 0;
	}
	if (jv_invalid_has_msg(jv_copy(res))) {
		jv m = jv_invalid_get_msg(res);

		if (jv_get_kind(m) == JV_KIND_STRING) {
			tn_buf_adds(&r->jqmsg, jv_string_value(m));
			jv_free(m);
		} else {
			jv d = jv_dump_string(m, 0);

			tn_buf_adds(&r->jqmsg, jv_string_value(d));
			jv_free(d);
		}
		return -1;
	}
	jv_free(res);
	if (jq_halted(r->jq)) {
		tn_buf_adds(&r->jqmsg, "halted");
		return -1;
	}
	return r->jqmsg.len ? -1 : 0;
}

/* A runtime error of `field` in rule `u`: counted, its message kept. */
static void runtime_error(struct tn_rules *r, const struct tnp_rule *u, const char *field)
{
	r->errors++;
	tn_buf_reset(&r->last);
	tn_buf_addf(&r->last, "%s: %s: %s", u->id, field, r->jqmsg.len ? r->jqmsg.buf : "error");
}

/* Expression `expr` truthy on `alert` (borrowed): 1, 0, or -1 on a runtime error. */
static int test(struct tn_rules *r, const struct tnp_rule *u, int expr, const char *field,
		jv alert)
{
	jv v;
	int t;

	if (tnp_rules_run(r, expr, jv_copy(alert), &v) < 0) {
		runtime_error(r, u, field);
		jv_free(v);
		return -1;
	}
	t = tnp_rules_truthy(v);
	jv_free(v);
	return t;
}

/* The member at dotted `path` (length n) of `v` (borrowed), a new reference or jv_null(). */
static jv member_at(jv v, const char *path, size_t n)
{
	jv cur = jv_copy(v);
	size_t i = 0;

	while (i < n) {
		size_t j = i;
		char seg[128];

		while (j < n && path[j] != '.')
			j++;
		if (j - i == 0 || j - i >= sizeof(seg)) {
			jv_free(cur);
			return jv_null();
		}
		memcpy(seg, path + i, j - i);
		seg[j - i] = '\0';
		if (jv_get_kind(cur) == JV_KIND_OBJECT) {
			jv next = tn_jv_get(cur, seg);

			jv_free(cur);
			cur = next;
		} else if (jv_get_kind(cur) == JV_KIND_ARRAY && isdigit((unsigned char)seg[0])) {
			long idx = strtol(seg, NULL, 10);
			int len = jv_array_length(jv_copy(cur));

			if (idx >= len) {
				jv_free(cur);
				return jv_null();
			}
			cur = jv_array_get(cur, (int)idx);
		} else {
			jv_free(cur);
			return jv_null();
		}
		i = j + 1;
	}
	return cur;
}

/* `tpl` with each {{path}} replaced by that member of `alert` ("" when missing or null). */
static jv render(const char *tpl, jv alert)
{
	struct tn_buf b = TN_BUF_INIT;
	const char *p = tpl, *o;
	jv out;

	while ((o = strstr(p, "{{"))) {
		const char *e = strstr(o + 2, "}}"), *s, *t;
		jv v;

		if (!e)
			break;
		tn_buf_add(&b, p, (size_t)(o - p));
		for (s = o + 2; s < e && *s == ' '; s++)
			;
		for (t = e; t > s && t[-1] == ' '; t--)
			;
		v = member_at(alert, s, (size_t)(t - s));
		if (jv_get_kind(v) == JV_KIND_STRING) {
			tn_buf_add(&b, jv_string_value(v), (size_t)jv_string_length_bytes(jv_copy(v)));
			jv_free(v);
		} else if (jv_get_kind(v) == JV_KIND_NULL) {
			jv_free(v);
		} else {
			jv d = jv_dump_string(v, 0);

			tn_buf_adds(&b, jv_string_value(d));
			jv_free(d);
		}
		p = e + 2;
	}
	tn_buf_adds(&b, p);
	out = jv_string_sized(b.buf, (int)b.len);
	tn_buf_release(&b);
	return out;
}

/* Copy each member of `from` (consumed, an object or not) over `into`. */
static jv overlay(jv into, jv from)
{
	if (jv_get_kind(from) == JV_KIND_OBJECT)
		return jv_object_merge(into, from);
	jv_free(from);
	return into;
}

/* The targets for `kind` and `sev`: default, then the severity's, the kind's, the kind's severity's. */
static jv targets_for(const struct tn_rules *r, const char *kind, const char *sev)
{
	static const char *const names[] = { "dispatch_s", "acknowledge_s", "on_site_s", "resolve_s",
					     NULL };
	jv t = jv_object(), sevs = tn_jv_object(r->targets, "severities");
	jv kinds = tn_jv_object(r->targets, "kinds"), k = tn_jv_object(kinds, kind ? kind : "");
	jv out = jv_object();

	t = overlay(t, tn_jv_get(r->targets, "default"));
	if (sev && *sev)
		t = overlay(t, tn_jv_get(sevs, sev));
	t = overlay(t, tn_jv_get(k, "default"));
	if (sev && *sev)
		t = overlay(t, tn_jv_get(k, sev));
	for (int i = 0; names[i]; i++)
		out = jv_object_set(out, jv_string(names[i]), tn_jv_get(t, names[i]));
	jv_free(t);
	jv_free(sevs);
	jv_free(kinds);
	jv_free(k);
	return out;
}

/* The dedupe key: `key` on the alert as a string; the alert's source otherwise. */
static jv key_of(struct tn_rules *r, const struct tnp_rule *u, jv alert)
{
	jv v;

	if (u->key >= 0) {
		if (tnp_rules_run(r, u->key, jv_copy(alert), &v) < 0) {
			runtime_error(r, u, "key");
			jv_free(v);
		} else if (jv_get_kind(v) == JV_KIND_STRING) {
			return v;
		} else if (jv_get_kind(v) == JV_KIND_NUMBER || jv_get_kind(v) == JV_KIND_TRUE ||
			   jv_get_kind(v) == JV_KIND_FALSE) {
			return jv_dump_string(v, 0);
		} else {
			jv_free(v);
		}
	}
	v = tn_jv_get(alert, "source");
	if (jv_get_kind(v) != JV_KIND_STRING) {
		jv_free(v);
		v = jv_string("");
	}
	return v;
}

/* The window of `u` on `alert`: 1 when it holds `count` alerts satisfying `where`, 0 not, -1 runtime error. */
static int window_holds(struct tn_rules *r, const struct tnp_rule *u, jv alert, long long now,
			tn_rules_history_fn fn, void *ctx, enum tn_code *rc, struct tn_err *err)
{
	const char *kind = tn_jv_str(alert, "kind"), *source = tn_jv_str(alert, "source");
	long seen = 1, got, tested = 0, ask = u->count - 1;
	int t;
	jv hist;

	if (u->where >= 0 && (t = test(r, u, u->where, "window.where", alert)) <= 0)
		return t;
	if (u->count <= 1)
		return 1;
	if (!fn || !kind || !source)
		return 0;
	if (ask > TN_RULES_WINDOW_MAX)
		ask = TN_RULES_WINDOW_MAX;
	/*
	 * The newest `ask`; more only when they were that many and too few passed
	 * "where".  Newest first: the rows of the last ask (the same ones: one
	 * evaluation reads one snapshot) are not tested again.
	 */
	for (;;) {
		hist = jv_invalid();
		if ((*rc = fn(ctx, kind, source, now - u->within_s, ask, &hist, err)) != TN_OK ||
		    jv_get_kind(hist) != JV_KIND_ARRAY) {
			jv_free(hist);
			return 0;
		}
		got = 0;
		for (int i = jv_array_length(jv_copy(hist)) - 1; i >= 0 && got < ask; i--, got++) {
			jv h;

			if (got < tested || seen >= u->count)
				continue;
			h = jv_array_get(jv_copy(hist), i);
			if (u->where < 0 || (t = test(r, u, u->where, "window.where", h)) > 0)
				seen++;
			jv_free(h);
		}
		jv_free(hist);
		if (seen >= u->count || got < ask || ask >= TN_RULES_WINDOW_MAX)
			return seen >= u->count;
		tested = got;
		ask = ask * 4 < TN_RULES_WINDOW_MAX ? ask * 4 : TN_RULES_WINDOW_MAX;
	}
}

static jv intent(struct tn_rules *r, const struct tnp_rule *u, jv alert)
{
	static const char *const copied[] = { "district", "district_name", "street", "street_name",
					      NULL };
	const char *sev = tn_jv_str(alert, "severity"), *kind = tn_jv_str(alert, "kind");
	enum tn_severity s = tn_severity_parse(sev ? sev : "");
	int prio = u->priority;
	jv o = jv_object();

	if (s != TN_SEV_NONE && u->prio_sev[s])
		prio = u->prio_sev[s];
	o = jv_object_set(o, jv_string("rule"), jv_string(u->id));
	o = jv_object_set(o, jv_string("key"), key_of(r, u, alert));
	o = jv_object_set(o, jv_string("dedupe_s"), tn_jv_get(u->fixed, "dedupe_s"));
	o = jv_object_set(o, jv_string("title"), render(u->title, alert));
	o = jv_object_set(o, jv_string("kind"), tn_jv_string_or_null(kind));
	o = jv_object_set(o, jv_string("kind_name"), tn_jv_str_or_null(alert, "kind_name"));
	o = jv_object_set(o, jv_string("severity"),
			  s != TN_SEV_NONE ? jv_string(tn_severity_name(s)) : jv_null());
	o = jv_object_set(o, jv_string("priority"), jv_number(prio));
	o = jv_object_set(o, jv_string("department"), tn_jv_get(u->fixed, "department"));
	o = jv_object_set(o, jv_string("crew_pool"), tn_jv_get(u->fixed, "crew_pool"));
	for (int i = 0; copied[i]; i++)
		o = jv_object_set(o, jv_string(copied[i]), tn_jv_str_or_null(alert, copied[i]));
	o = jv_object_set(o, jv_string("plan"), tn_jv_get(u->fixed, "plan"));
	o = jv_object_set(o, jv_string("escalate"), tn_jv_get(u->fixed, "escalate"));
	o = jv_object_set(o, jv_string("targets"), targets_for(r, kind, s != TN_SEV_NONE ?
							    tn_severity_name(s) : NULL));
	return o;
}

enum tn_code tn_rules_eval(struct tn_rules *r, jv alert, long long now, tn_rules_history_fn fn,
			   void *ctx, jv *intents, struct tn_err *err)
{
	const char *kind = tn_jv_str(alert, "kind");
	enum tn_code rc = TN_OK;
	jv out = jv_array();

	*intents = jv_invalid();
	for (size_t i = 0; r && kind && i < r->n; i++) {
		const struct tnp_rule *u = &r->v[i];

		if (!tn_jv_array_has_str(u->kinds, kind))
			continue;
		if (u->when >= 0 && test(r, u, u->when, "when", alert) <= 0)
			continue;
		if (u->within_s && window_holds(r, u, alert, now, fn, ctx, &rc, err) <= 0) {
			if (rc != TN_OK) {
				jv_free(out);
				return rc;
			}
			continue;
		}
		out = jv_array_append(out, intent(r, u, alert));
	}
	*intents = out;
	return TN_OK;
}
