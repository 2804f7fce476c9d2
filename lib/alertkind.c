/* alertkind.c — the catalog of alert kinds (share/twonet/alerts/kinds.yaml): loading with FILE:LINE errors, look-ups by code, event code and event text. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tn_alertkind.h"
#include "tn_suggest.h"
#include "tn_buf.h"
#include "tn_cli.h"
#include "tn_text.h"
#include "tn_yaml.h"
#include "tnp_cap.h"

struct tn_alertkinds {
	yaml_document_t doc;            /* every string points into it */
	char *path;
	struct tn_alertkind *kinds;
	size_t n;
	const char **words;             /* the synonym and event-code lists, one block */
	struct tn_alertkind_rule *rules;
};

static const char *const categories =
	"Geo|Met|Safety|Security|Rescue|Fire|Health|Env|Transport|Infra|CBRNE|Other";

struct load {
	struct tn_alertkinds *k;
	struct tn_err *err;
	yaml_node_t *departments;
	size_t nwords, nrules;
};

/* A TN_EINVALID "FILE:LINE: MESSAGE" at node n. */
static enum tn_code bad(struct load *L, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum tn_code bad(struct load *L, const yaml_node_t *n, const char *fmt, ...)
{
	enum tn_code rc;
	va_list ap;

	va_start(ap, fmt);
	rc = tn_yaml_verr(L->err, L->k->path, n, 0, fmt, ap);
	va_end(ap);
	return rc;
}

/* A mapping's members must be among `keys` (NULL-terminated). */
static enum tn_code only(struct load *L, yaml_node_t *map, const char *what,
			const char *const *keys)
{
	yaml_document_t *doc = &L->k->doc;

	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *key = yaml_document_get_node(doc, p->key);
		const char *s = tn_yaml_scalar(key);
		int known = 0;

		for (const char *const *k = keys; s && *k; k++)
			known |= !strcmp(*k, s);
		if (!known)
			return bad(L, key, "%s: unknown member '%s'", what, s ? s : "?");
	}
	return TN_OK;
}

/* A required (or optional, when !need) non-empty scalar member. */
static enum tn_code scalar(struct load *L, yaml_node_t *map, const char *what, const char *key,
			   int need, const char **out)
{
	yaml_node_t *v = tn_yaml_get(&L->k->doc, map, key);

	*out = NULL;
	if (!v || tn_yaml_is_null(v)) {
		if (need)
			return bad(L, map, "%s: '%s' is missing", what, key);
		return TN_OK;
	}
	if (!tn_yaml_scalar(v) || !*tn_yaml_scalar(v))
		return bad(L, v, "%s: %s must be a non-empty text", what, key);
	*out = tn_yaml_scalar(v);
	return TN_OK;
}

static const char *department_name(struct load *L, const char *code)
{
	yaml_node_t *d;

	TN_YAML_SEQ_EACH(&L->k->doc, L->departments, it, d) {
		const char *c = tn_yaml_scalar(tn_yaml_get(&L->k->doc, d, "code"));

		if (c && !strcmp(c, code))
			return tn_yaml_scalar(tn_yaml_get(&L->k->doc, d, "name"));
	}
	return NULL;
}

static enum tn_code check_departments(struct load *L)
{
	static const char *const keys[] = { "code", "name", NULL };
	yaml_document_t *doc = &L->k->doc;
	yaml_node_t *d, *e;
	enum tn_code rc;

	if (!L->departments || L->departments->type != YAML_SEQUENCE_NODE)
		return bad(L, L->departments, "departments: must be a list of {code, name}");
	TN_YAML_SEQ_EACH(doc, L->departments, it, d) {
		const char *code, *name;

		if (d->type != YAML_MAPPING_NODE)
			return bad(L, d, "departments: each must be {code, name}");
		if ((rc = only(L, d, "department", keys)) ||
		    (rc = scalar(L, d, "department", "code", 1, &code)) ||
		    (rc = scalar(L, d, "department", "name", 1, &name)))
			return rc;
		TN_YAML_SEQ_EACH(doc, L->departments, jt, e) {
			if (e == d)
				break;
			if (!strcmp(code, tn_yaml_scalar(tn_yaml_get(doc, e, "code"))))
				return bad(L, d, "department '%s' is listed twice (line %ld)", code,
					   tn_yaml_line(e));
		}
	}
	return TN_OK;
}

/* A list of texts (synonyms, event_codes): 0..n non-empty scalars. */
static enum tn_code words(struct load *L, yaml_node_t *kind, const char *code, const char *key,
			  const char *const **list)
{
	yaml_node_t *seq = tn_yaml_get(&L->k->doc, kind, key), *w;

	if (!seq || tn_yaml_is_null(seq)) {
		*list = L->k->words + L->nwords;
		L->k->words[L->nwords++] = NULL;
		return TN_OK;
	}
	if (seq->type != YAML_SEQUENCE_NODE)
		return bad(L, seq, "kind '%s': %s must be a list of texts", code, key);
	*list = L->k->words + L->nwords;
	TN_YAML_SEQ_EACH(&L->k->doc, seq, it, w) {
		const char *s = tn_yaml_scalar(w);

		if (!s || !*s || tn_utf8_chars(s) > 200)
			return bad(L, w, "kind '%s': %s: each must be a text of 1 to 200 characters",
				   code, key);
		L->k->words[L->nwords++] = s;
	}
	L->k->words[L->nwords++] = NULL;
	return TN_OK;
}

static enum tn_code severity_rules(struct load *L, yaml_node_t *kind, struct tn_alertkind *a)
{
	static const char *const keys[] = { "default", "value", NULL };
	static const char *const rule_keys[] = { "above", "severity", NULL };
	yaml_document_t *doc = &L->k->doc;
	yaml_node_t *sev = tn_yaml_get(doc, kind, "severity"), *r, *v;
	const char *s;
	enum tn_code rc;

	a->severity = TN_SEV_NONE;
	a->rules = L->k->rules + L->nrules;
	if (!sev || tn_yaml_is_null(sev))
		return TN_OK;
	if (sev->type != YAML_MAPPING_NODE)
		return bad(L, sev, "kind '%s': severity must be {default, value}", a->code);
	if ((rc = only(L, sev, "severity", keys)) ||
	    (rc = scalar(L, sev, "severity", "default", 0, &s)))
		return rc;
	if (s && (a->severity = tn_severity_parse(s)) == TN_SEV_NONE)
		return bad(L, tn_yaml_get(doc, sev, "default"), "kind '%s': '%s' is not a severity "
			   "(blue, yellow, orange, red)", a->code, s);
	v = tn_yaml_get(doc, sev, "value");
	if (v && v->type != YAML_SEQUENCE_NODE)
		return bad(L, v, "kind '%s': severity.value must be a list of {above, severity}",
			   a->code);
	TN_YAML_SEQ_EACH(doc, v, it, r) {
		struct tn_alertkind_rule *rule = &L->k->rules[L->nrules];
		const char *above;
		char *end;

		if (r->type != YAML_MAPPING_NODE)
			return bad(L, r, "kind '%s': a severity rule is {above, severity}", a->code);
		if ((rc = only(L, r, "severity rule", rule_keys)) ||
		    (rc = scalar(L, r, "severity rule", "above", 1, &above)) ||
		    (rc = scalar(L, r, "severity rule", "severity", 1, &s)))
			return rc;
		errno = 0;
		rule->above = strtod(above, &end);
		if (end == above || *end || errno || !isfinite(rule->above))
			return bad(L, r, "kind '%s': above: '%s' is not a number", a->code, above);
		if ((rule->severity = tn_severity_parse(s)) == TN_SEV_NONE)
			return bad(L, r, "kind '%s': '%s' is not a severity (blue, yellow, orange, red)",
				   a->code, s);
		L->nrules++;
		a->nrules++;
	}
	return TN_OK;
}

/* The i-th word of a kind: its name, then its synonyms; NULL past the last. */
static const char *word_at(const struct tn_alertkind *a, size_t i)
{
	return i == 0 ? a->name : a->synonyms[i - 1];
}

/* Two kinds may not claim the same word (name, synonym) or the same event code. */
static enum tn_code no_clash(struct load *L, yaml_node_t *node, size_t upto)
{
	const struct tn_alertkind *a = &L->k->kinds[upto];

	for (size_t i = 0; i <= upto; i++) {
		const struct tn_alertkind *b = &L->k->kinds[i];

		if (i < upto && !strcmp(a->code, b->code))
			return bad(L, node, "kind '%s' is defined twice (line %ld)", a->code, b->line);
		const char *word;

		for (size_t w = 0; (word = word_at(a, w)) != NULL; w++) {
			const char *other;

			for (size_t x = 0; (other = word_at(b, x)) != NULL; x++)
				if ((i < upto || x < w) && !strcmp(word, other))
					return bad(L, node, "kind '%s': '%s' is already a name or "
						   "synonym of kind '%s'", a->code, word, b->code);
		}
		for (const char *const *e = a->event_codes; *e; e++)
			for (const char *const *x = b->event_codes; *x; x++)
				if ((i < upto || x < e) && !strcasecmp(*e, *x))
					return bad(L, node, "kind '%s': event code '%s' is already "
						   "kind '%s''s", a->code, *e, b->code);
	}
	return TN_OK;
}

static enum tn_code one_kind(struct load *L, yaml_node_t *node, struct tn_alertkind *a)
{
	static const char *const keys[] = {
		"code", "name", "synonyms", "event_codes", "category", "department", "severity", NULL
	};
	enum tn_code rc;

	memset(a, 0, sizeof(*a));
	a->line = tn_yaml_line(node);
	if (node->type != YAML_MAPPING_NODE)
		return bad(L, node, "kinds: each must be a mapping (code, name, ...)");
	if ((rc = scalar(L, node, "kind", "code", 1, &a->code)))
		return rc;
	if (!tn_alert_kind_valid(a->code))
		return bad(L, tn_yaml_get(&L->k->doc, node, "code"), "kind '%s': not an alert kind "
			   "(a lower-case letter, then letters, digits, '_', '.' or '-', at most 64)",
			   a->code);
	if ((rc = only(L, node, a->code, keys)) ||
	    (rc = scalar(L, node, a->code, "name", 1, &a->name)) ||
	    (rc = scalar(L, node, a->code, "category", 1, &a->category)) ||
	    (rc = scalar(L, node, a->code, "department", 1, &a->department)))
		return rc;
	if (tn_utf8_chars(a->name) > 200)
		return bad(L, node, "kind '%s': name is longer than 200 characters", a->code);
	if (!tnp_cap_in_choices(categories, a->category))
		return bad(L, tn_yaml_get(&L->k->doc, node, "category"), "kind '%s': '%s' is not a "
			   "CAP category (%s)", a->code, a->category, categories);
	if (!(a->department_name = department_name(L, a->department)))
		return bad(L, tn_yaml_get(&L->k->doc, node, "department"), "kind '%s': department "
			   "'%s' is not one of departments", a->code, a->department);
	if ((rc = words(L, node, a->code, "synonyms", &a->synonyms)) ||
	    (rc = words(L, node, a->code, "event_codes", &a->event_codes)))
		return rc;
	return severity_rules(L, node, a);
}

/* How many words and rules the document holds at most, to size the blocks once. */
static void count(yaml_document_t *doc, size_t *words, size_t *nodes)
{
	*words = *nodes = 0;
	for (yaml_node_t *n = doc->nodes.start; n < doc->nodes.top; n++) {
		(*nodes)++;
		if (n->type == YAML_SCALAR_NODE)
			(*words)++;
	}
}

static enum tn_code build(struct load *L)
{
	static const char *const top[] = { "departments", "kinds", NULL };
	yaml_document_t *doc = &L->k->doc;
	yaml_node_t *root = yaml_document_get_root_node(doc), *kinds, *node;
	size_t nwords, nnodes;
	enum tn_code rc;

	if (!root || root->type != YAML_MAPPING_NODE)
		return bad(L, root, "must be a mapping with departments and kinds");
	if ((rc = only(L, root, "kinds.yaml", top)))
		return rc;
	L->departments = tn_yaml_get(doc, root, "departments");
	if ((rc = check_departments(L)))
		return rc;
	kinds = tn_yaml_get(doc, root, "kinds");
	if (!kinds || kinds->type != YAML_SEQUENCE_NODE || !kinds->data.sequence.items.top ||
	    kinds->data.sequence.items.top == kinds->data.sequence.items.start)
		return bad(L, kinds ? kinds : root, "kinds: must be a list of at least one kind");
	count(doc, &nwords, &nnodes);
	L->k->kinds = tn_xcalloc(nnodes, sizeof(*L->k->kinds));
	L->k->words = tn_xcalloc(nwords + 2 * nnodes, sizeof(*L->k->words));
	L->k->rules = tn_xcalloc(nnodes, sizeof(*L->k->rules));
	TN_YAML_SEQ_EACH(doc, kinds, it, node) {
		if ((rc = one_kind(L, node, &L->k->kinds[L->k->n])) ||
		    (rc = no_clash(L, node, L->k->n)))
			return rc;
		L->k->n++;
	}
	if (!tn_alertkind_get(L->k, TN_ALERTKIND_OTHER))
		return bad(L, kinds, "kinds: kind '%s' (for event texts no kind claims) is missing",
			   TN_ALERTKIND_OTHER);
	return TN_OK;
}

void tn_alertkinds_free(struct tn_alertkinds *k)
{
	if (!k)
		return;
	yaml_document_delete(&k->doc);
	free(k->kinds);
	free(k->words);
	free(k->rules);
	free(k->path);
	free(k);
}

enum tn_code tn_alertkinds_load(const char *path, struct tn_alertkinds **out, struct tn_err *err)
{
	struct tn_buf def = TN_BUF_INIT;
	struct load L = { NULL, err, NULL, 0, 0 };
	struct tn_alertkinds *k;
	enum tn_code rc;
	FILE *fp;

	if (!path) {
		tn_buf_addf(&def, "%s/alerts/kinds.yaml", tn_sharedir());
		path = def.buf;
	}
	if (!(fp = fopen(path, "r"))) {
		rc = tn_err_set(err, TN_EIO, "cannot read alert kinds '%s': %s", path,
				strerror(errno));
		tn_buf_release(&def);
		return rc;
	}
	k = tn_xcalloc(1, sizeof(*k));
	k->path = tn_xstrdup(path);
	tn_buf_release(&def);
	rc = tn_yaml_load_fp(k->path, fp, &k->doc, err);
	fclose(fp);
	if (rc != TN_OK) {
		free(k->path);
		free(k);
		return rc;
	}
	L.k = k;
	if ((rc = build(&L)) != TN_OK) {
		tn_alertkinds_free(k);
		return rc;
	}
	*out = k;
	return TN_OK;
}

const struct tn_alertkinds *tn_alertkinds_default(struct tn_err *err)
{
	static struct tn_alertkinds *shipped;
	static struct tn_err why = TN_ERR_INIT;
	static int tried;

	if (!tried) {
		tried = 1;
		if (tn_alertkinds_load(NULL, &shipped, &why) != TN_OK)
			shipped = NULL;
	}
	if (!shipped && err)
		tn_err_set(err, why.code, "%s", why.message);
	return shipped;
}

size_t tn_alertkinds_count(const struct tn_alertkinds *k)
{
	return k ? k->n : 0;
}

const struct tn_alertkind *tn_alertkinds_at(const struct tn_alertkinds *k, size_t i)
{
	return k && i < k->n ? &k->kinds[i] : NULL;
}

const struct tn_alertkind *tn_alertkind_get(const struct tn_alertkinds *k, const char *code)
{
	for (size_t i = 0; k && code && i < k->n; i++)
		if (!strcmp(k->kinds[i].code, code))
			return &k->kinds[i];
	return NULL;
}

const struct tn_alertkind *tn_alertkind_by_event_code(const struct tn_alertkinds *k,
						      const char *value)
{
	for (size_t i = 0; k && value && i < k->n; i++)
		for (const char *const *e = k->kinds[i].event_codes; *e; e++)
			if (!strcasecmp(*e, value))
				return &k->kinds[i];
	return NULL;
}

const struct tn_alertkind *tn_alertkind_by_text(const struct tn_alertkinds *k, const char *text)
{
	const struct tn_alertkind *best = NULL;
	size_t best_len = 0, n;

	if (!k || !text)
		return NULL;
	while (isspace((unsigned char)*text))
		text++;
	n = strlen(text);
	while (n && isspace((unsigned char)text[n - 1]))
		n--;
	if (!n)
		return NULL;
	/* the whole text first: a name, then a synonym */
	for (size_t i = 0; i < k->n; i++)
		if (strlen(k->kinds[i].name) == n && !strncmp(k->kinds[i].name, text, n))
			return &k->kinds[i];
	for (size_t i = 0; i < k->n; i++)
		for (const char *const *w = k->kinds[i].synonyms; *w; w++)
			if (strlen(*w) == n && !strncmp(*w, text, n))
				return &k->kinds[i];
	/* else the longest word inside it */
	for (size_t i = 0; i < k->n; i++) {
		const char *word;

		for (size_t w = 0; (word = word_at(&k->kinds[i], w)) != NULL; w++) {
			size_t len = strlen(word);

			if (len > best_len && len <= n && memmem(text, n, word, len)) {
				best = &k->kinds[i];
				best_len = len;
			}
		}
	}
	return best;
}

enum tn_severity tn_alertkind_severity(const struct tn_alertkind *kind, int has_value,
				       double value)
{
	if (!kind)
		return TN_SEV_NONE;
	for (size_t i = 0; has_value && i < kind->nrules; i++)
		if (value > kind->rules[i].above)
			return kind->rules[i].severity;
	return kind->severity;
}

int tn_alertkinds_note(const char *list, char *buf, size_t size)
{
	const struct tn_alertkinds *k = tn_alertkinds_default(NULL);

	if (size)
		buf[0] = '\0';
	while (k && list && *list) {
		size_t len = strcspn(list, ",");
		char code[80];

		snprintf(code, sizeof(code), "%.*s", (int)len, list);
		list += len + (list[len] == ',');
		if (!*code || tn_alertkind_get(k, code))
			continue;
		{
			const char **codes = tn_xcalloc(k->n + 1, sizeof(*codes));
			const char *near;

			for (size_t i = 0; i < k->n; i++)
				codes[i] = k->kinds[i].code;
			near = tn_suggest(code, codes, k->n);
			snprintf(buf, size, "no kind '%s' in the alert kinds "
				 "(share/twonet/alerts/kinds.yaml)%s%s%s", code,
				 near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
			free(codes);
		}
		return 1;
	}
	return 0;
}
