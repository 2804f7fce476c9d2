/* taskrules_load.c — reading a rules folder (twonet-rules): every key checked, durations, templates, jq compiled once, FILE:LINE errors. */
/*
 * Every jq expression of a set becomes one function of a single jq program
 *   def _tn0: (EXPR0); def _tn1: (EXPR1); ...
 *   .[0] as $__tn | .[1] | if $__tn == 0 then _tn0 elif ... else empty end
 * run with [N, ALERT]: jq 1.6 parses its builtins on every jq_compile (some
 * 20 ms), so a set of thirty expressions compiles in one go rather than in
 * thirty.  When the program does not compile, each expression is compiled
 * alone to name the one at fault with its FILE:LINE.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_cli.h"
#include "tn_jv.h"
#include "tn_out.h"
#include "tn_text.h"
#include "tn_yaml.h"
#include "tnp_taskrules.h"

#define EXPR_MAX 4000           /* bytes of one jq expression */
#define STEPS_MAX 50
#define ESC_MAX 10

/* A jq expression: its number in the set's program, or -1 when absent. */
static enum tn_code expr(struct loader *L, yaml_node_t *map, const char *key, const char *field,
			 int *out)
{
	yaml_node_t *n = tnp_rl_get(L, map, key);
	const char *s;
	jv e;

	*out = -1;
	if (!n)
		return TN_OK;
	if (!(s = tn_yaml_scalar(n)) || !*s)
		return tnp_rl_bad(L, n, field, "must be a jq expression (a string)");
	if (strlen(s) > EXPR_MAX)
		return tnp_rl_bad(L, n, field, "longer than %d bytes", EXPR_MAX);
	*out = (int)L->r->nexpr++;
	tnp_rules_simple_add(L->r, (size_t)*out, s);
	tn_buf_addf(&L->prog, "def _tn%d: (\n%s\n);\n", *out, s);
	e = jv_object();
	e = jv_object_set(e, jv_string("text"), jv_string(s));
	e = jv_object_set(e, jv_string("file"), jv_string(L->file));
	e = jv_object_set(e, jv_string("line"), jv_number((double)tn_yaml_line(n)));
	e = jv_object_set(e, jv_string("field"), jv_string_fmt("%s%s%s", L->rule ? L->rule : "",
							       L->rule ? "." : "", field));
	L->exprs = jv_array_append(L->exprs, e);
	return TN_OK;
}

static const char *const unless_names[] = { "dispatched", "acknowledged", "on_site", "resolved",
					    NULL };

/* ---- a rule ---- */

static enum tn_code read_window(struct loader *L, yaml_node_t *w, struct tnp_rule *u, jv *desc)
{
	static const char *const allowed[] = { "within", "count", "where", NULL };
	enum tn_code rc;
	yaml_node_t *wn;

	if ((rc = tnp_rl_keys(L, w, "window", allowed)) ||
	    (rc = tnp_rl_duration(L, w, "within", "window.within", 1, &u->within_s)) ||
	    (rc = tnp_rl_number(L, w, "count", "window.count", 1, 1000, -1, &u->count)) ||
	    (rc = expr(L, w, "where", "window.where", &u->where)))
		return rc;
	wn = tnp_rl_get(L, w, "where");
	*desc = jv_object();
	*desc = jv_object_set(*desc, jv_string("within_s"), jv_number((double)u->within_s));
	*desc = jv_object_set(*desc, jv_string("count"), jv_number((double)u->count));
	*desc = jv_object_set(*desc, jv_string("where"), tn_jv_string_or_null(tn_yaml_scalar(wn)));
	if (u->within_s > L->r->max_within)
		L->r->max_within = u->within_s;
	return TN_OK;
}

static enum tn_code read_task(struct loader *L, yaml_node_t *t, struct tnp_rule *u, jv *fixed,
			      jv *desc)
{
	static const char *const allowed[] = { "department", "crew_pool", "priority",
					       "priority_by_severity", "title", NULL };
	const char *dept, *pool, *title;
	yaml_node_t *pbs;
	enum tn_code rc;
	long prio;
	jv byo = jv_null();

	if ((rc = tnp_rl_keys(L, t, "task", allowed)) ||
	    (rc = tnp_rl_str(L, t, "department", "task.department", 1, 64, &dept)) ||
	    (rc = tnp_rl_str(L, t, "crew_pool", "task.crew_pool", 0, TNP_RULES_TEXT_MAX, &pool)) ||
	    (rc = tnp_rl_number(L, t, "priority", "task.priority", 1, 4, 3, &prio)) ||
	    (rc = tnp_rl_str(L, t, "title", "task.title", 1, TNP_RULES_TITLE_MAX, &title)) ||
	    (rc = tnp_rl_template(L, tnp_rl_get(L, t, "title"), title, "task.title")))
		return rc;
	u->priority = (int)prio;
	u->title = tn_xstrdup(title);
	if ((pbs = tnp_rl_get(L, t, "priority_by_severity"))) {
		if ((rc = tnp_rl_keys(L, pbs, "task.priority_by_severity", tnp_rl_sev_names)))
			return rc;
		byo = jv_object();
		for (int i = 0; tnp_rl_sev_names[i]; i++) {
			long p;
			char f[64];

			snprintf(f, sizeof(f), "task.priority_by_severity.%s", tnp_rl_sev_names[i]);
			if ((rc = tnp_rl_number(L, pbs, tnp_rl_sev_names[i], f, 1, 4, 0, &p))) {
				jv_free(byo);
				return rc;
			}
			u->prio_sev[i] = (int)p;
			if (p)
				byo = jv_object_set(byo, jv_string(tnp_rl_sev_names[i]), jv_number(p));
		}
	}
	*fixed = jv_object_set(*fixed, jv_string("department"), jv_string(dept));
	*fixed = jv_object_set(*fixed, jv_string("crew_pool"), tn_jv_string_or_null(pool));
	*desc = jv_object_set(*desc, jv_string("department"), jv_string(dept));
	*desc = jv_object_set(*desc, jv_string("crew_pool"), tn_jv_string_or_null(pool));
	*desc = jv_object_set(*desc, jv_string("priority"), jv_number(u->priority));
	*desc = jv_object_set(*desc, jv_string("priority_by_severity"), byo);
	*desc = jv_object_set(*desc, jv_string("title"), jv_string(title));
	return TN_OK;
}

static enum tn_code read_plan(struct loader *L, yaml_node_t *p, jv *plan)
{
	static const char *const allowed[] = { "name", "steps", NULL };
	static const char *const step_keys[] = { "title", "who", "within", NULL };
	yaml_node_t *steps, *s;
	const char *name;
	enum tn_code rc;
	int n = 0;

	if ((rc = tnp_rl_keys(L, p, "plan", allowed)) ||
	    (rc = tnp_rl_str(L, p, "name", "plan.name", 1, TNP_RULES_TEXT_MAX, &name)))
		return rc;
	steps = tnp_rl_get(L, p, "steps");
	if (!steps || steps->type != YAML_SEQUENCE_NODE || !steps->data.sequence.items.top ||
	    steps->data.sequence.items.top == steps->data.sequence.items.start)
		return tnp_rl_bad(L, steps ? steps : p, "plan.steps", "must be a list of steps, at least one");
	*plan = jv_object_set(jv_object(), jv_string("name"), jv_string(name));
	*plan = jv_object_set(*plan, jv_string("steps"), jv_array());
	TN_YAML_SEQ_EACH(L->doc, steps, it, s) {
		char f[64];
		const char *title, *who;
		long long within;
		jv step;

		snprintf(f, sizeof(f), "plan.steps[%d]", n);
		if (++n > STEPS_MAX)
			return tnp_rl_bad(L, s, "plan.steps", "more than %d steps", STEPS_MAX);
		if ((rc = tnp_rl_keys(L, s, f, step_keys)))
			return rc;
		snprintf(f, sizeof(f), "plan.steps[%d].title", n - 1);
		if ((rc = tnp_rl_str(L, s, "title", f, 1, TNP_RULES_TEXT_MAX, &title)))
			return rc;
		snprintf(f, sizeof(f), "plan.steps[%d].who", n - 1);
		if ((rc = tnp_rl_str(L, s, "who", f, 1, TNP_RULES_TEXT_MAX, &who)))
			return rc;
		snprintf(f, sizeof(f), "plan.steps[%d].within", n - 1);
		if ((rc = tnp_rl_duration(L, s, "within", f, 1, &within)))
			return rc;
		step = jv_object_set(jv_object(), jv_string("n"), jv_number(n));
		step = jv_object_set(step, jv_string("title"), jv_string(title));
		step = jv_object_set(step, jv_string("who"), jv_string(who));
		step = jv_object_set(step, jv_string("within_s"), jv_number((double)within));
		*plan = jv_object_set(*plan, jv_string("steps"),
				      jv_array_append(jv_object_get(jv_copy(*plan),
								    jv_string("steps")), step));
	}
	return TN_OK;
}

static enum tn_code read_escalate(struct loader *L, yaml_node_t *e, jv *out)
{
	static const char *const allowed[] = { "after", "unless", "priority", "notify", NULL };
	long long prev = 0;
	yaml_node_t *s;
	enum tn_code rc;
	int n = 0;

	if (e->type != YAML_SEQUENCE_NODE)
		return tnp_rl_bad(L, e, "escalate", "must be a list of escalations");
	TN_YAML_SEQ_EACH(L->doc, e, it, s) {
		char f[4][48];
		const char *unless, *notify;
		long long after;
		long prio;
		jv x;

		if (++n > ESC_MAX)
			return tnp_rl_bad(L, s, "escalate", "more than %d escalations", ESC_MAX);
		snprintf(f[0], sizeof(f[0]), "escalate[%d]", n - 1);
		snprintf(f[1], sizeof(f[1]), "escalate[%d].after", n - 1);
		snprintf(f[2], sizeof(f[2]), "escalate[%d].unless", n - 1);
		snprintf(f[3], sizeof(f[3]), "escalate[%d].notify", n - 1);
		if ((rc = tnp_rl_keys(L, s, f[0], allowed)) ||
		    (rc = tnp_rl_duration(L, s, "after", f[1], 1, &after)) ||
		    (rc = tnp_rl_str(L, s, "unless", f[2], 0, 32, &unless)) ||
		    (rc = tnp_rl_str(L, s, "notify", f[3], 1, TNP_RULES_TEXT_MAX, &notify)))
			return rc;
		snprintf(f[2], sizeof(f[2]), "escalate[%d].priority", n - 1);
		if ((rc = tnp_rl_number(L, s, "priority", f[2], 1, 4, 0, &prio)))
			return rc;
		if (after <= prev)
			return tnp_rl_bad(L, tnp_rl_get(L, s, "after"), f[1], "comes no later than the "
				   "escalation before it; list them in order");
		prev = after;
		if (unless) {
			int i;

			for (i = 0; unless_names[i] && strcmp(unless_names[i], unless); i++)
				;
			if (!unless_names[i])
				return tnp_rl_bad(L, tnp_rl_get(L, s, "unless"), f[0], "unless: '%s' is not one of "
					   "dispatched, acknowledged, on_site, resolved", unless);
		}
		x = jv_object_set(jv_object(), jv_string("level"), jv_number(n));
		x = jv_object_set(x, jv_string("after_s"), jv_number((double)after));
		x = jv_object_set(x, jv_string("unless"), jv_string(unless ? unless : "acknowledged"));
		x = jv_object_set(x, jv_string("priority"), prio ? jv_number(prio) : jv_null());
		x = jv_object_set(x, jv_string("notify"), jv_string(notify));
		*out = jv_array_append(*out, x);
	}
	return TN_OK;
}

static int id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 64 || *s == '-')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

static enum tn_code read_rule(struct loader *L, yaml_node_t *m)
{
	static const char *const allowed[] = { "id", "name", "kinds", "when", "window", "key",
					       "dedupe", "task", "plan", "escalate", NULL };
	struct tn_rules *r = L->r;
	struct tnp_rule *u;
	yaml_node_t *idn, *kn, *k, *w, *t, *p, *e;
	const char *id, *name;
	enum tn_code rc;
	jv fixed, desc, win = jv_null(), plan = jv_null(), esc, prev;

	L->rule = NULL;
	if (m->type != YAML_MAPPING_NODE)
		return tnp_rl_bad(L, m, "rules", "each rule is a mapping (id, kinds, task, ...)");
	if (!(idn = tnp_rl_get(L, m, "id")) || !(id = tn_yaml_scalar(idn)) || !id_valid(id))
		return tnp_rl_bad(L, idn ? idn : m, "id", "%s", idn ? "must be 1 to 64 of a-z, 0-9 and '-'"
			   : "is missing (every rule has an id)");
	if (r->n >= TNP_RULES_MAX)
		return tnp_rl_bad(L, m, "rules", "more than %d rules", TNP_RULES_MAX);
	prev = jv_object_get(jv_copy(L->ids), jv_string(id));
	if (jv_is_valid(prev)) {
		rc = tnp_rl_bad(L, idn, "id", "'%s' is given twice (first at %s)", id, jv_string_value(prev));
		jv_free(prev);
		return rc;
	}
	jv_free(prev);
	L->ids = jv_object_set(L->ids, jv_string(id),
			       jv_string_fmt("%s:%ld", L->file, tn_yaml_line(idn)));
	u = &r->v[r->n++];
	memset(u, 0, sizeof(*u));
	u->id = tn_xstrdup(id);
	u->kinds = jv_array();
	u->fixed = jv_null();
	u->desc = jv_null();
	u->when = u->where = u->key = -1;
	L->rule = u->id;
	if ((rc = tnp_rl_keys(L, m, NULL, allowed)) || (rc = tnp_rl_str(L, m, "name", "name", 0, TNP_RULES_TEXT_MAX, &name)))
		return rc;
	if (!(kn = tnp_rl_get(L, m, "kinds")) || kn->type != YAML_SEQUENCE_NODE ||
	    kn->data.sequence.items.top == kn->data.sequence.items.start)
		return tnp_rl_bad(L, kn ? kn : m, "kinds", "must be a list of alert kinds, at least one");
	TN_YAML_SEQ_EACH(L->doc, kn, it, k) {
		const char *s = tn_yaml_scalar(k);

		if (!s || !tn_alert_kind_valid(s))
			return tnp_rl_bad(L, k, "kinds", "'%s' is not an alert kind (1 to 64 of a-z, 0-9, "
				   "'_', '.', '-', from a letter)", s ? s : "(not a scalar)");
		if (tn_jv_array_has_str(u->kinds, s))
			return tnp_rl_bad(L, k, "kinds", "'%s' is given twice", s);
		u->kinds = jv_array_append(u->kinds, jv_string(s));
	}
	if ((rc = expr(L, m, "when", "when", &u->when)) || (rc = expr(L, m, "key", "key", &u->key)))
		return rc;
	fixed = jv_object_set(jv_object(), jv_string("rule"), jv_string(id));
	desc = jv_object_set(jv_object(), jv_string("id"), jv_string(id));
	desc = jv_object_set(desc, jv_string("name"), jv_string(name ? name : id));
	desc = jv_object_set(desc, jv_string("file"), jv_string(L->file));
	desc = jv_object_set(desc, jv_string("line"), jv_number((double)tn_yaml_line(m)));
	desc = jv_object_set(desc, jv_string("kinds"), jv_copy(u->kinds));
	desc = jv_object_set(desc, jv_string("when"),
			     tn_jv_string_or_null(tn_yaml_scalar(tnp_rl_get(L, m, "when"))));
	u->fixed = fixed;
	u->desc = desc;
	if ((w = tnp_rl_get(L, m, "window")) && (rc = read_window(L, w, u, &win)))
		return rc;
	u->desc = jv_object_set(u->desc, jv_string("window"), win);
	u->desc = jv_object_set(u->desc, jv_string("key"),
				tn_jv_string_or_null(tn_yaml_scalar(tnp_rl_get(L, m, "key"))));
	{
		long long dd;

		if ((rc = tnp_rl_duration(L, m, "dedupe", "dedupe", 0, &dd)))
			return rc;
		u->fixed = jv_object_set(u->fixed, jv_string("dedupe_s"), jv_number((double)dd));
		u->desc = jv_object_set(u->desc, jv_string("dedupe_s"), jv_number((double)dd));
	}
	if (!(t = tnp_rl_get(L, m, "task")))
		return tnp_rl_bad(L, m, "task", "is missing (department, title, ...)");
	if ((rc = read_task(L, t, u, &u->fixed, &u->desc)))
		return rc;
	if ((p = tnp_rl_get(L, m, "plan")) && (rc = read_plan(L, p, &plan))) {
		jv_free(plan);
		return rc;
	}
	esc = jv_array();
	if ((e = tnp_rl_get(L, m, "escalate")) && (rc = read_escalate(L, e, &esc))) {
		jv_free(plan);
		jv_free(esc);
		return rc;
	}
	u->fixed = jv_object_set(u->fixed, jv_string("plan"), jv_copy(plan));
	u->fixed = jv_object_set(u->fixed, jv_string("escalate"), jv_copy(esc));
	u->desc = jv_object_set(u->desc, jv_string("plan"), plan);
	u->desc = jv_object_set(u->desc, jv_string("escalate"), esc);
	L->rule = NULL;
	return TN_OK;
}

/* ---- targets ---- */

static enum tn_code read_file(struct loader *L, const char *path)
{
	static const char *const allowed[] = { "rules", "targets", NULL };
	yaml_document_t doc;
	yaml_node_t *root, *rules, *m;
	enum tn_code rc;
	FILE *fp;

	if (!(fp = fopen(path, "rb")))
		return tn_err_set(L->err, TN_EIO, "cannot read rules file '%s': %s", path,
				  strerror(errno));
	rc = tn_yaml_load_fp(path, fp, &doc, L->err);
	fclose(fp);
	if (rc != TN_OK)
		return rc;
	L->file = path;
	L->doc = &doc;
	L->rule = NULL;
	root = yaml_document_get_root_node(&doc);
	if (!root || tn_yaml_is_null(root))
		goto out;
	if (root->type != YAML_MAPPING_NODE) {
		rc = tnp_rl_bad(L, root, NULL, "a rules file is a mapping: rules (a list) and targets");
		goto out;
	}
	if ((rc = tnp_rl_keys(L, root, NULL, allowed)))
		goto out;
	if ((rules = tnp_rl_get(L, root, "rules"))) {
		if (rules->type != YAML_SEQUENCE_NODE) {
			rc = tnp_rl_bad(L, rules, "rules", "must be a list of rules");
			goto out;
		}
		TN_YAML_SEQ_EACH(&doc, rules, it, m)
			if ((rc = read_rule(L, m)))
				goto out;
	}
	if ((m = tnp_rl_get(L, root, "targets")))
		rc = tnp_rl_targets(L, m);
out:
	yaml_document_delete(&doc);
	L->doc = NULL;
	return rc;
}

/* jq's error callback: collect the message into the tn_buf `data`. */
static void collect(void *data, jv msg)
{
	tn_jq_error_append(data, msg, 1);
}

/*
 * 1 when the brackets of jq expression `s` pair up outside its strings (and
 * inside their interpolations): so that no expression can close the
 * parenthesis the set's program wraps it in and reach into the next one.
 * 0 when they do not, -1 when a string is not closed.
 */
static int balanced(const char *s)
{
	char stack[128];
	int n = 0, in_str = 0;

	for (; *s; s++) {
		if (in_str) {
			if (*s == '\\' && s[1] == '(') {
				if (n == (int)sizeof(stack))
					return 0;
				stack[n++] = 'I';
				in_str = 0;
				s++;
			} else if (*s == '\\' && s[1]) {
				s++;
			} else if (*s == '"') {
				in_str = 0;
			}
			continue;
		}
		if (*s == '"') {
			in_str = 1;
		} else if (*s == '#') {
			while (s[1] && s[1] != '\n')
				s++;
		} else if (*s == '(' || *s == '[' || *s == '{') {
			if (n == (int)sizeof(stack))
				return 0;
			stack[n++] = *s;
		} else if (*s == ')' || *s == ']' || *s == '}') {
			char open = *s == ')' ? '(' : *s == ']' ? '[' : '{';

			if (!n || (stack[n - 1] != open && !(open == '(' && stack[n - 1] == 'I')))
				return 0;
			in_str = stack[--n] == 'I';
		}
	}
	if (in_str || memchr(stack, 'I', (size_t)n))
		return -1;
	return n == 0;
}

/* Compile expression `e` ({text, file, line, field}, borrowed) alone: TN_EINVALID naming it when it does not. */
static enum tn_code compile_one(struct loader *L, jv e)
{
	struct tn_buf msg = TN_BUF_INIT;
	enum tn_code rc = TN_OK;
	jq_state *one;

	if (balanced(tn_jv_str(e, "text")) < 0) {
		/* not to jq: its parser leaks the string it was reading (jq 1.6) */
		return tn_err_set(L->err, TN_EINVALID, "%s:%ld: %s: jq: a string is not closed "
				  "(a '\"' is missing)", tn_jv_str(e, "file"), tn_jv_long(e, "line", 0),
				  tn_jv_str(e, "field"));
	}
	if (!(one = jq_init()))
		return tn_err_set(L->err, TN_ENOMEM, "cannot start jq");
	jq_set_error_cb(one, collect, &msg);
	if (!jq_compile(one, tn_jv_str(e, "text")))
		rc = tn_err_set(L->err, TN_EINVALID, "%s:%ld: %s: jq: %s", tn_jv_str(e, "file"),
				tn_jv_long(e, "line", 0), tn_jv_str(e, "field"),
				msg.len ? msg.buf : "does not compile");
	else if (balanced(tn_jv_str(e, "text")) != 1)
		rc = tn_err_set(L->err, TN_EINVALID, "%s:%ld: %s: jq: its brackets do not pair up "
				"outside its strings", tn_jv_str(e, "file"), tn_jv_long(e, "line", 0),
				tn_jv_str(e, "field"));
	jq_teardown(&one);
	tn_buf_release(&msg);
	return rc;
}

/* Compile the set's program; when it fails, find the expression at fault. */
static enum tn_code compile(struct loader *L)
{
	struct tn_rules *r = L->r;
	enum tn_code rc = TN_OK;

	if (!r->nexpr)
		return TN_OK;
	jv_array_foreach(L->exprs, i, e) {
		if (!rc && balanced(tn_jv_str(e, "text")) != 1)
			rc = compile_one(L, e);
		jv_free(e);
	}
	if (rc)
		return rc;
	tn_buf_adds(&L->prog, ".[0] as $__tn | .[1] | ");
	for (size_t i = 0; i < r->nexpr; i++)
		tn_buf_addf(&L->prog, "%sif $__tn == %zu then _tn%zu\n", i ? "el" : "", i, i);
	tn_buf_adds(&L->prog, "else empty end\n");
	if (!(r->jq = jq_init()))
		return tn_err_set(L->err, TN_ENOMEM, "cannot start jq");
	jq_set_error_cb(r->jq, collect, &r->jqmsg);
	if (jq_compile(r->jq, L->prog.buf)) {
		tn_buf_reset(&r->jqmsg);
		return TN_OK;
	}
	jv_array_foreach(L->exprs, i, e) {
		if (!rc)
			rc = compile_one(L, e);
		jv_free(e);
	}
	if (!rc)
		rc = tn_err_set(L->err, TN_EINVALID, "the rules' jq expressions do not compile "
				"together: %s", r->jqmsg.len ? r->jqmsg.buf : "jq said nothing");
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.yaml files of `dir` in name order, or `dir` itself when it is a file. */
static enum tn_code list_files(const char *dir, char ***out, size_t *n, struct tn_err *err)
{
	struct stat st;
	struct dirent *d;
	DIR *dp;

	*out = NULL;
	*n = 0;
	if (stat(dir, &st) < 0)
		return tn_err_set(err, TN_EIO, "cannot read rules '%s': %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		*out = tn_xcalloc(1, sizeof(**out));
		(*out)[(*n)++] = tn_xstrdup(dir);
		return TN_OK;
	}
	if (!(dp = opendir(dir)))
		return tn_err_set(err, TN_EIO, "cannot read rules folder '%s': %s", dir,
				  strerror(errno));
	while ((d = readdir(dp))) {
		size_t len = strlen(d->d_name);
		struct tn_buf p = TN_BUF_INIT;

		if (d->d_name[0] == '.' || len < 6 || strcmp(d->d_name + len - 5, ".yaml"))
			continue;
		if (*n >= TNP_RULES_MAX_FILES) {
			closedir(dp);
			return tn_err_set(err, TN_EINVALID, "more than %d files in rules folder '%s'",
					  TNP_RULES_MAX_FILES, dir);
		}
		*out = tn_xrealloc(*out, (*n + 1) * sizeof(**out));
		tn_buf_addf(&p, "%s/%s", dir, d->d_name);
		(*out)[(*n)++] = tn_buf_detach(&p, NULL);
	}
	closedir(dp);
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_str);
	return TN_OK;
}

enum tn_code tn_rules_load(const char *path, struct tn_rules **out, struct tn_err *err)
{
	struct tn_buf def = TN_BUF_INIT;
	struct loader L;
	struct tn_rules *r;
	char **files = NULL;
	size_t nfiles = 0;
	enum tn_code rc;

	*out = NULL;
	if (!path) {
		tn_buf_addf(&def, "%s/rules", tn_sharedir());
		path = def.buf;
	}
	if ((rc = list_files(path, &files, &nfiles, err)))
		goto done;
	r = tn_xcalloc(1, sizeof(*r));
	r->v = tn_xcalloc(TNP_RULES_MAX, sizeof(*r->v));
	r->targets = jv_object();
	tn_buf_init(&r->last);
	tn_buf_init(&r->jqmsg);
	memset(&L, 0, sizeof(L));
	L.err = err;
	L.r = r;
	L.exprs = jv_array();
	L.ids = jv_object();
	tn_buf_init(&L.prog);
	for (size_t i = 0; i < nfiles && !rc; i++)
		rc = read_file(&L, files[i]);
	if (!rc)
		rc = compile(&L);
	if (rc)
		tn_rules_free(r);
	else
		*out = r;
	jv_free(L.exprs);
	jv_free(L.ids);
	free(L.targets_at);
	tn_buf_release(&L.prog);
done:
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	tn_buf_release(&def);
	return rc;
}

void tn_rules_free(struct tn_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].id);
		free(r->v[i].title);
		jv_free(r->v[i].kinds);
		jv_free(r->v[i].fixed);
		jv_free(r->v[i].desc);
	}
	free(r->v);
	if (r->jq)
		jq_teardown(&r->jq);
	jv_free(r->targets);
	tnp_rules_simple_free(r);
	tn_buf_release(&r->last);
	tn_buf_release(&r->jqmsg);
	free(r);
}
