/* taskrules_simple.c — a rule's `.NAME OP LITERAL` expressions answered in C, as jq answers them. */
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tnp_taskrules.h"

/*
 * Why.  Every alert of a kind some rule names runs that rule's `when`, and
 * each alert of its window runs `where`: jq_start and jq_next for each, some
 * 30,000-45,000 instructions apiece in jq 1.6, for expressions that are most
 * often one comparison of one member with a constant (the shipped flooding
 * rules: `.value != null`, `.value >= 0.3`).  Such an expression is kept
 * here as (member, operator, constant) and answered with jv_equal and jv_cmp,
 * the functions jq's own == != < <= > >= call: the same order of types (null
 * < false < true < numbers < strings < arrays < objects), the same numbers
 * (the constant read as jq reads a number).  Anything else, or an input that
 * is not an object (`.NAME` of a string is an error in jq), runs in jq.
 * test_taskrules checks every operator, constant and member kind against jq.
 */

enum { OP_NONE, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

struct tnp_simple {
	int op;                 /* OP_NONE: run in jq */
	char name[64];
	jv lit;
};

/* ASCII only, whatever the locale: jq 1.6's names are ASCII. */
static int alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int digit(int c)
{
	return c >= '0' && c <= '9';
}

/* `s` past white space. */
static const char *skip(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/* The operator at `s` and its length; OP_NONE when none. */
static int op_at(const char *s, size_t *len)
{
	static const struct { const char *text; int op; } ops[] = {
		{ "==", OP_EQ }, { "!=", OP_NE }, { "<=", OP_LE }, { ">=", OP_GE },
		{ "<", OP_LT }, { ">", OP_GT },
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strncmp(s, ops[i].text, strlen(ops[i].text)) == 0) {
			*len = strlen(ops[i].text);
			return ops[i].op;
		}
	return OP_NONE;
}

/*
 * The constant that ends `s`: a JSON number, true, false, null, or a string
 * without a backslash (jq's escapes and \( ) are not JSON's), then nothing but
 * white space.  jv_invalid() when it is not one.
 */
static jv literal(const char *s)
{
	const char *end = s + strlen(s);
	jv v;

	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		end--;
	if (end == s || memchr(s, '\\', (size_t)(end - s)))
		return jv_invalid();
	/* a number, a word or a string only (never an array or an object: jq builds those) */
	if (!(*s == '"' || *s == '-' || digit(*s) || strncmp(s, "true", 4) == 0 ||
	      strncmp(s, "false", 5) == 0 || strncmp(s, "null", 4) == 0))
		return jv_invalid();
	v = tn_json_parse(s, (size_t)(end - s));
	return v;
}

static void parse(const char *s, struct tnp_simple *out)
{
	size_t n = 0, oplen = 0;
	int op;
	jv lit;

	out->op = OP_NONE;
	s = skip(s);
	if (*s != '.' || !alpha(s[1]))
		return;
	s++;
	while (alpha(s[n]) || digit(s[n]))
		n++;
	if (n >= sizeof(out->name))
		return;
	memcpy(out->name, s, n);
	out->name[n] = '\0';
	s = skip(s + n);
	if ((op = op_at(s, &oplen)) == OP_NONE)
		return;
	lit = literal(skip(s + oplen));
	if (!jv_is_valid(lit)) {
		jv_free(lit);
		return;
	}
	out->lit = lit;
	out->op = op;
}

void tnp_rules_simple_add(struct tn_rules *r, size_t expr, const char *text)
{
	if (expr >= r->nsimple) {
		size_t n = expr + 1;

		r->simple = tn_xrealloc(r->simple, n * sizeof(*r->simple));
		memset(r->simple + r->nsimple, 0, (n - r->nsimple) * sizeof(*r->simple));
		r->nsimple = n;
	}
	parse(text, &r->simple[expr]);
}

int tnp_rules_simple_run(const struct tn_rules *r, int expr, jv input, jv *out)
{
	const struct tnp_simple *e;
	jv v;
	int c, t;

	if (expr < 0 || (size_t)expr >= r->nsimple || (e = &r->simple[expr])->op == OP_NONE ||
	    jv_get_kind(input) != JV_KIND_OBJECT)
		return -1;
	v = jv_object_get(jv_copy(input), jv_string(e->name));
	if (!jv_is_valid(v))
		v = jv_null();          /* a missing member is null, as .NAME has it */
	if (e->op == OP_EQ || e->op == OP_NE) {
		t = jv_equal(v, jv_copy(e->lit)) == (e->op == OP_EQ);
	} else {
		c = jv_cmp(v, jv_copy(e->lit));
		t = e->op == OP_LT ? c < 0 : e->op == OP_LE ? c <= 0 : e->op == OP_GT ? c > 0 : c >= 0;
	}
	*out = t ? jv_true() : jv_false();
	return 0;
}

void tnp_rules_simple_free(struct tn_rules *r)
{
	for (size_t i = 0; i < r->nsimple; i++)
		if (r->simple[i].op != OP_NONE)
			jv_free(r->simple[i].lit);
	free(r->simple);
	r->simple = NULL;
	r->nsimple = 0;
}
