/* taskrules_read.c — the rules loader's readers of YAML nodes: allowed keys, strings, durations, numbers, templates, the targets. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_jv.h"
#include "tn_suggest.h"
#include "tn_text.h"
#include "tn_yaml.h"
#include "tnp_taskrules.h"

const char *const tnp_rl_sev_names[] = { "blue", "yellow", "orange", "red", NULL };

/* "FILE:LINE: FIELD: WHAT"; FIELD prefixed with the rule's id. */
enum tn_code tnp_rl_bad(struct loader *L, const yaml_node_t *n, const char *field,
			const char *fmt, ...)
{
	struct tn_buf b = TN_BUF_INIT;
	va_list ap;

	if (L->rule && field)
		tn_buf_addf(&b, "%s.%s: ", L->rule, field);
	else if (L->rule)
		tn_buf_addf(&b, "%s: ", L->rule);
	else if (field)
		tn_buf_addf(&b, "%s: ", field);
	va_start(ap, fmt);
	tn_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	tn_yaml_err(L->err, L->file, n, 0, "%s", b.buf);
	tn_buf_release(&b);
	return TN_EINVALID;
}

yaml_node_t *tnp_rl_get(struct loader *L, yaml_node_t *map, const char *key)
{
	yaml_node_t *n = tn_yaml_get(L->doc, map, key);

	return tn_yaml_is_null(n) ? NULL : n;
}

/* `map` must be a mapping whose keys are all in `allowed`. */
enum tn_code tnp_rl_keys(struct loader *L, yaml_node_t *map, const char *field,
			 const char *const *allowed)
{
	size_t n = 0;

	if (!map || map->type != YAML_MAPPING_NODE)
		return tnp_rl_bad(L, map, field, "must be a mapping");
	while (allowed[n])
		n++;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = yaml_document_get_node(L->doc, p->key);
		const char *k = tn_yaml_scalar(kn), *best;
		size_t i;

		if (!k)
			return tnp_rl_bad(L, kn, field, "a key that is not a string");
		for (i = 0; i < n && strcmp(allowed[i], k); i++)
			;
		if (i < n)
			continue;
		if ((best = tn_suggest(k, allowed, n)))
			return tnp_rl_bad(L, kn, field, "unknown key '%s' (did you mean '%s'?)", k, best);
		return tnp_rl_bad(L, kn, field, "unknown key '%s'", k);
	}
	/* a key given twice among the allowed ones */
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
		for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *kn = yaml_document_get_node(L->doc, p->key);

			if (!strcmp(tn_yaml_scalar(kn),
				    tn_yaml_scalar(yaml_document_get_node(L->doc, q->key))))
				return tnp_rl_bad(L, kn, field, "'%s' is given twice", tn_yaml_scalar(kn));
		}
	return TN_OK;
}

/* A string of 1..max characters (bytes when `bytes`); *out borrowed from the document. */
enum tn_code tnp_rl_str(struct loader *L, yaml_node_t *map, const char *key, const char *field,
			int required, size_t max, const char **out)
{
	yaml_node_t *n = tnp_rl_get(L, map, key);

	*out = NULL;
	if (!n)
		return required ? tnp_rl_bad(L, map, field, "is missing") : TN_OK;
	if (!(*out = tn_yaml_scalar(n)) || !**out)
		return tnp_rl_bad(L, n, field, "must be a non-empty string");
	if (tn_utf8_chars(*out) > max)
		return tnp_rl_bad(L, n, field, "longer than %zu characters", max);
	return TN_OK;
}

int tn_rules_duration(const char *s, long long *seconds)
{
	long long n = 0, unit;
	const char *p = s;

	if (!s || *s < '0' || *s > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (*p - '0');
		if (n > 100000000LL)
			return -1;
	}
	switch (*p) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return -1;
	}
	if (p[1] || n * unit > 3650LL * 86400)
		return -1;
	*seconds = n * unit;
	return 0;
}

void tn_rules_duration_text(long long s, char *buf, size_t size)
{
	static const struct { long long n; char unit; } units[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' } };

	if (size)
		*buf = '\0';
	for (size_t i = 0; s > 0 && i < sizeof(units) / sizeof(units[0]); i++)
		if (s % units[i].n == 0) {
			snprintf(buf, size, "%lld%c", s / units[i].n, units[i].unit);
			return;
		}
}

enum tn_code tnp_rl_duration(struct loader *L, yaml_node_t *map, const char *key,
			     const char *field, int required, long long *out)
{
	yaml_node_t *n = tnp_rl_get(L, map, key);
	const char *s;

	*out = 0;
	if (!n)
		return required ? tnp_rl_bad(L, map, field, "is missing") : TN_OK;
	s = tn_yaml_scalar(n);
	if (tn_rules_duration(s, out) < 0 || *out == 0)
		return tnp_rl_bad(L, n, field, "'%s' is not a duration (a whole number and s, m, h or d: "
			   "90s, 10m, 2h, 1d; up to 3650d)", s ? s : "(not a scalar)");
	return TN_OK;
}

enum tn_code tnp_rl_number(struct loader *L, yaml_node_t *map, const char *key, const char *field,
			   long lo, long hi, long dflt, long *out)
{
	yaml_node_t *n = tnp_rl_get(L, map, key);
	const char *s;

	*out = dflt;
	if (!n)
		return dflt < 0 ? tnp_rl_bad(L, map, field, "is missing") : TN_OK;
	s = tn_yaml_scalar(n);
	if (!s || tn_parse_long(s, out) < 0 || *out < lo || *out > hi)
		return tnp_rl_bad(L, n, field, "'%s' is not a whole number from %ld to %ld",
			   s ? s : "(not a scalar)", lo, hi);
	return TN_OK;
}

/* A title template: every "{{" closed, each holding a dotted path. */
enum tn_code tnp_rl_template(struct loader *L, yaml_node_t *n, const char *s, const char *field)
{
	const char *p = s;

	if (strlen(s) > TNP_RULES_TITLE_MAX)
		return tnp_rl_bad(L, n, field, "longer than %d bytes", TNP_RULES_TITLE_MAX);
	while ((p = strstr(p, "{{"))) {
		const char *e = strstr(p + 2, "}}"), *q;
		int any = 0;

		if (!e)
			return tnp_rl_bad(L, n, field, "'{{' without its '}}'");
		for (q = p + 2; q < e; q++) {
			if (*q == ' ')
				continue;
			if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
			      (*q >= '0' && *q <= '9') || *q == '_' || *q == '.'))
				return tnp_rl_bad(L, n, field, "'{{%.*s}}' is not a member path (such as "
					   "{{location.address}})", (int)(e - p - 2), p + 2);
			any = 1;
		}
		if (!any)
			return tnp_rl_bad(L, n, field, "'{{}}' names no member");
		p = e + 2;
	}
	return TN_OK;
}

/* One level of targets: the four durations, each optional, as {NAME_s: seconds}. */
static enum tn_code read_level(struct loader *L, yaml_node_t *m, const char *field, jv *out)
{
	static const char *const allowed[] = { "dispatch", "acknowledge", "on_site", "resolve",
					       NULL };
	enum tn_code rc;

	if ((rc = tnp_rl_keys(L, m, field, allowed)))
		return rc;
	*out = jv_object();
	for (int i = 0; allowed[i]; i++) {
		char f[160];
		long long s;

		snprintf(f, sizeof(f), "%s.%s", field, allowed[i]);
		if ((rc = tnp_rl_duration(L, m, allowed[i], f, 0, &s))) {
			jv_free(*out);
			*out = jv_invalid();
			return rc;
		}
		if (s)
			*out = jv_object_set(*out, jv_string_fmt("%s_s", allowed[i]),
					     jv_number((double)s));
	}
	return TN_OK;
}

enum tn_code tnp_rl_targets(struct loader *L, yaml_node_t *t)
{
	static const char *const allowed[] = { "default", "severities", "kinds", NULL };
	static const char *const kind_keys[] = { "default", "blue", "yellow", "orange", "red", NULL };
	yaml_node_t *n;
	enum tn_code rc;
	jv tg = jv_object(), lv;

	if (L->targets_at) {
		rc = tnp_rl_bad(L, t, "targets", "given twice in the rule set (first at %s)", L->targets_at);
		jv_free(tg);
		return rc;
	}
	{
		struct tn_buf at = TN_BUF_INIT;

		tn_buf_addf(&at, "%s:%ld", L->file, tn_yaml_line(t));
		L->targets_at = tn_buf_detach(&at, NULL);
	}
	if ((rc = tnp_rl_keys(L, t, "targets", allowed)))
		goto out;
	if ((n = tnp_rl_get(L, t, "default"))) {
		if ((rc = read_level(L, n, "targets.default", &lv)))
			goto out;
		tg = jv_object_set(tg, jv_string("default"), lv);
	}
	for (int pass = 0; pass < 2; pass++) {
		const char *sec = pass ? "kinds" : "severities";
		jv secv;

		if (!(n = tnp_rl_get(L, t, sec)))
			continue;
		secv = jv_object();
		if (n->type != YAML_MAPPING_NODE)
			rc = tnp_rl_bad(L, n, pass ? "targets.kinds" : "targets.severities",
				 "must be a mapping");
		else if (!pass)
			rc = tnp_rl_keys(L, n, "targets.severities", tnp_rl_sev_names);
		if (rc) {
			jv_free(secv);
			goto out;
		}
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
		     p++) {
			yaml_node_t *kn = yaml_document_get_node(L->doc, p->key);
			yaml_node_t *vn = yaml_document_get_node(L->doc, p->value);
			const char *k = tn_yaml_scalar(kn);
			char f[160];
			jv kv = jv_object();

			snprintf(f, sizeof(f), "targets.%s.%s", sec, k ? k : "?");
			if (pass && (!k || !tn_alert_kind_valid(k)))
				rc = tnp_rl_bad(L, kn, "targets.kinds", "'%s' is not an alert kind", k ? k : "?");
			else if (pass && tn_jv_has(secv, k))
				rc = tnp_rl_bad(L, kn, "targets.kinds", "'%s' is given twice", k);
			else if (!pass) {
				jv_free(kv);
				kv = jv_invalid();
				rc = read_level(L, vn, f, &kv);
			}
			else if (!(rc = tnp_rl_keys(L, vn, f, kind_keys)))
				for (int i = 0; kind_keys[i] && !rc; i++) {
					yaml_node_t *sn = tnp_rl_get(L, vn, kind_keys[i]);
					char g[200];

					snprintf(g, sizeof(g), "%s.%s", f, kind_keys[i]);
					if (sn && !(rc = read_level(L, sn, g, &lv)))
						kv = jv_object_set(kv, jv_string(kind_keys[i]), lv);
				}
			if (rc) {
				jv_free(kv);
				jv_free(secv);
				goto out;
			}
			secv = jv_object_set(secv, jv_string(k), kv);
		}
		tg = jv_object_set(tg, jv_string(sec), secv);
	}
out:
	if (rc == TN_OK) {
		jv_free(L->r->targets);
		L->r->targets = tg;
	} else {
		jv_free(tg);
	}
	return rc;
}

/* ---- files ---- */
