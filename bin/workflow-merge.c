/* workflow-merge.c — merge service items into one "one thing" workflow and show its before and after. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "twonet.h"
#include "tn_catalog.h"
#include "tn_merge.h"

static const char *prog = "workflow-merge";

static const char *catalog_dir, *start_date, *calendar, *window, *without;
static int use_server, publish, explain, list_flag;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Merge options:", NULL, 0 },
	{ TN_OPT_STRING, 'c', "catalog", &catalog_dir, "DIR", "read the catalog from DIR (default: the shipped one)", NULL, 0 },
	{ TN_OPT_FLAG, 's', "server", &use_server, NULL, "read the workflow and items from the server", NULL, 0 },
	{ TN_OPT_FLAG, 0, "publish", &publish, NULL, "store the merged workflow on the server (admin)", NULL, 0 },
	{ TN_OPT_FLAG, 'e', "explain", &explain, NULL, "list every dropped material and field with its reason", NULL, 0 },
	{ TN_OPT_FLAG, 'l', "list", &list_flag, NULL, "list the catalog's workflows with their figures", NULL, 0 },
	{ TN_OPT_STRING, 0, "start", &start_date, "DATE", "filing date: deadlines from the working-day calendar", NULL, 0 },
	{ TN_OPT_STRING, 0, "calendar", &calendar, "FILE", "calendar file (default: the shipped one)", NULL, 0 },
	{ TN_OPT_STRING, 'w', "window", &window, "NAME", "the one window of an ad-hoc set of items", NULL, 0 },
	{ TN_OPT_LIST, 0, "without", &without, "RULE", "switch a merge rule off (repeatable): one-form|field-dedup|material-dedup|cert-exempt|produced-exempt|one-visit|joint-inspection|critical-path|promised-days",
	  "one-form|field-dedup|material-dedup|cert-exempt|produced-exempt|one-visit|joint-inspection|critical-path|promised-days", 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"workflow-merge",
	"[OPTIONS] WORKFLOW\n[OPTIONS] ITEM ITEM...\n--list [OPTIONS]",
	"Merge service items into one \"one thing\" workflow: one form, fewer materials, one visit.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER
};

static const char *list_columns[] = { "code", "name", "items", "before.materials",
	"after.materials", "before.days", "after.days", NULL };

/* The rules left on after --without. */
static enum tn_code parse_rules(unsigned *rules, struct tn_err *err)
{
	char *copy, *p, *next;

	*rules = TN_MERGE_ALL;
	if (!without)
		return TN_OK;
	copy = tn_xstrdup(without);
	for (p = copy; p; p = next) {
		unsigned bit;

		if ((next = strchr(p, ',')))
			*next++ = '\0';
		if (!(bit = tn_merge_rule_parse(p))) {
			tn_err_set(err, TN_EUSAGE, "unknown rule '%s'", p);
			free(copy);
			return TN_EUSAGE;
		}
		*rules &= ~bit;
	}
	free(copy);
	return TN_OK;
}

/* GET one resource into *out. */
static enum tn_code get(struct tn_client *c, const char *what, const char *code, jv *out,
			struct tn_err *err)
{
	struct tn_buf path = TN_BUF_INIT;
	enum tn_code rc;

	tn_buf_addf(&path, "/v1/%s/", what);
	tn_url_escape(&path, code);
	rc = tn_client_get(c, path.buf, out, err);
	tn_buf_release(&path);
	return rc;
}

/* The workflow and its items from the server, then the same merge as locally. */
static enum tn_code merge_remote(struct tn_client *c, int nargs, char **argv,
				 const struct tn_merge_opts *o, jv *merged, struct tn_err *err)
{
	jv wf = jv_invalid(), codes = jv_array(), items = jv_array();
	enum tn_code rc = TN_OK;
	int n;

	if (nargs == 1 && (rc = get(c, "workflows", argv[1], &wf, err)) == TN_OK) {
		jv list = tn_jv_array(wf, "items");

		jv_array_foreach(list, i, e) {
			codes = jv_array_append(codes, jv_get_kind(e) == JV_KIND_OBJECT
						? tn_jv_get(e, "code") : jv_copy(e));
			jv_free(e);
		}
		jv_free(list);
	} else if (nargs == 1 && rc != TN_ENOTFOUND) {
		goto out;
	} else {
		rc = TN_OK;
		jv_free(wf);
		wf = jv_object_set(jv_object(), jv_string("window"),
				   window ? jv_string(window) : jv_null());
		for (int i = 1; i <= nargs; i++)
			codes = jv_array_append(codes, jv_string(argv[i]));
	}
	n = jv_array_length(jv_copy(codes));
	for (int i = 0; i < n && rc == TN_OK; i++) {
		jv code = jv_array_get(jv_copy(codes), i), it;

		if (jv_get_kind(code) != JV_KIND_STRING)
			rc = tn_err_set(err, TN_EINVALID, "the server's workflow has an item without a code");
		else if ((rc = get(c, "items", jv_string_value(code), &it, err)) == TN_OK)
			items = jv_array_append(items, it);
		else if (rc == TN_ENOTFOUND)
			tn_err_set(err, TN_ENOTFOUND, "unknown item '%s'", jv_string_value(code));
		jv_free(code);
	}
	if (rc == TN_OK) {
		/* tn_merge_items reads the workflow's code, name and window, nothing else */
		rc = tn_merge_items(wf, items, o, merged, err);
		wf = jv_invalid();
		items = jv_invalid();
	}
out:
	jv_free(wf);
	jv_free(codes);
	jv_free(items);
	return rc;
}

/* --list: every workflow of the catalog with its figures before and after. */
static enum tn_code list_workflows(jv cat, const struct tn_merge_opts *o, struct tn_out *out,
				   struct tn_err *err)
{
	jv flows = tn_jv_array(cat, "workflows");
	int n = jv_array_length(jv_copy(flows));
	enum tn_code rc = TN_OK;

	for (int i = 0; i < n && rc == TN_OK; i++) {
		jv w = jv_array_get(jv_copy(flows), i), m;
		jv code = tn_jv_get(w, "code");

		if ((rc = tn_merge_workflow(cat, jv_string_value(code), o, &m, err)) == TN_OK) {
			jv fig = tn_jv_get(m, "figures");
			jv row = jv_object_set(jv_object(), jv_string("code"), jv_copy(code));

			row = jv_object_set(row, jv_string("name"), tn_jv_get(w, "name"));
			row = jv_object_set(row, jv_string("items"),
					    jv_number(jv_array_length(tn_jv_array(w, "items"))));
			row = jv_object_set(row, jv_string("before"), tn_jv_get(fig, "before"));
			row = jv_object_set(row, jv_string("after"), tn_jv_get(fig, "after"));
			jv_free(fig);
			jv_free(m);
			rc = tn_out_emit(out, row, err);
		}
		jv_free(code);
		jv_free(w);
	}
	jv_free(flows);
	return rc;
}

/*
 * The operands name a workflow or items the catalog (borrowed) lacks: err says
 * which, with the closest workflow or item code when one is close (exit 3).
 * TN_OK when every operand is known.
 */
static enum tn_code unknown_operand(jv cat, int nargs, char **argv, struct tn_err *err)
{
	jv flows = tn_jv_array(cat, "workflows"), items = tn_jv_array(cat, "items");
	int nf = jv_array_length(jv_copy(flows)), ni = jv_array_length(jv_copy(items));
	const char **cands, *best;
	enum tn_code rc;

	if (nargs > 1) {
		rc = TN_OK;
		for (int i = 1; i <= nargs && rc == TN_OK; i++) {
			jv it = tn_catalog_item(cat, argv[i]);

			if (!jv_is_valid(it))
				rc = tn_catalog_unknown(cat, "items", argv[i], TN_ENOTFOUND, err);
			jv_free(it);
		}
		jv_free(flows);
		jv_free(items);
		return rc;
	}
	/* one operand: a workflow or an item; the strings live in flows and items */
	cands = tn_xcalloc((size_t)(nf + ni) + 1, sizeof(*cands));
	for (int i = 0; i < nf + ni; i++) {
		jv e = i < nf ? jv_array_get(jv_copy(flows), i) : jv_array_get(jv_copy(items), i - nf);

		cands[i] = tn_jv_str(e, "code");
		jv_free(e);
	}
	best = tn_suggest(argv[1], cands, (size_t)(nf + ni));
	if (best)
		rc = tn_err_set(err, TN_ENOTFOUND,
				"no workflow or item '%s' in the catalog (did you mean '%s'?)", argv[1], best);
	else
		rc = tn_err_set(err, TN_ENOTFOUND, "no workflow or item '%s' in the catalog "
				"(catalog workflows and catalog items list them)", argv[1]);
	free(cands);
	jv_free(flows);
	jv_free(items);
	return rc;
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct tn_merge_opts o = TN_MERGE_OPTS_INIT;
	struct tn_cal *cal = NULL;
	int nargs, text;
	enum tn_code rc;
	jv cat = jv_invalid(), merged = jv_invalid();

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	nargs = x.nargs;
	if ((rc = parse_rules(&o.rules, &err)))
		return tn_cli_fail(prog, &err);
	if (!list_flag && nargs == 0)
		rc = tn_err_set(&err, TN_EUSAGE, "no workflow or items given");
	else if (use_server && catalog_dir)
		rc = tn_err_set(&err, TN_EUSAGE, "--server and --catalog exclude each other");
	else if (list_flag && use_server)
		rc = tn_err_set(&err, TN_EUSAGE, "--list reads the local catalog, not --server");
	else if (start_date && tn_date_parse(start_date, &o.start) < 0)
		rc = tn_err_set(&err, TN_EUSAGE, "bad date '%s' (YYYY-MM-DD)", start_date);
	if (rc)
		return tn_cli_fail(prog, &err);
	o.window = window;
	if (start_date && (rc = tn_cal_load(&cal, calendar, &err)))
		goto done;
	o.cal = cal;
	/* the configuration always (its profile's format), the server only when asked for */
	if ((rc = tn_cmd_setup(&x, TN_SETUP_CONFIG | (use_server || publish ? TN_SETUP_CLIENT : 0),
			       0, NULL, &err)))
		goto done;
	text = !x.common.jq && !x.common.fields && (x.common.format ? !strcmp(x.common.format, "table")
						      : isatty(fileno(stdout)));
	if ((list_flag || !text) &&
	    (rc = tn_cmd_setup(&x, TN_SETUP_OUT, list_flag, list_flag ? list_columns : NULL, &err)))
		goto done;
	if (use_server)
		rc = merge_remote(x.client, nargs, argv, &o, &merged, &err);
	else if ((rc = tn_catalog_load(catalog_dir, &cat, &err)) == TN_OK) {
		jv wf = nargs == 1 ? tn_catalog_workflow(cat, argv[1]) : jv_invalid();

		if (list_flag)
			rc = list_workflows(cat, &o, &x.out, &err);
		else if (jv_is_valid(wf))
			rc = tn_merge_workflow(cat, argv[1], &o, &merged, &err);
		else if (nargs == 1 && !jv_is_valid(wf = tn_catalog_item(cat, argv[1])))
			rc = unknown_operand(cat, nargs, argv, &err);
		else if ((rc = unknown_operand(cat, nargs, argv, &err)) == TN_OK)
			rc = tn_merge_codes(cat, (const char *const *)argv + 1, nargs, &o, &merged, &err);
		jv_free(wf);
	}
	if (rc == TN_OK && publish && !list_flag) {
		struct tn_request req = TN_REQUEST_INIT;
		struct tn_response resp;

		if (!tn_jv_str(merged, "code"))
			rc = tn_err_set(&err, TN_EUSAGE, "an ad-hoc set cannot be published: name a workflow");
		else {
			req.method = "POST";
			req.path = "/v1/workflows";
			req.body = jv_copy(merged);
			rc = tn_client_do(x.client, &req, &resp, &err);
			tn_response_release(&resp);
		}
	}
	if (rc == TN_OK && !list_flag) {
		if (text) {
			struct tn_buf b = TN_BUF_INIT;

			tn_merge_summary(merged, explain, &b);
			fputs(b.buf, stdout);
			tn_buf_release(&b);
		} else {
			rc = tn_out_emit(&x.out, merged, &err);
			merged = jv_invalid();
		}
	}
done:
	{
		enum tn_code rc2 = tn_cmd_close_out(&x, rc ? NULL : &err);

		if (rc == TN_OK)
			rc = rc2;
	}
	jv_free(merged);
	jv_free(cat);
	tn_cal_free(cal);
	return tn_cmd_finish(&x, rc ? tn_cli_fail(prog, &err) : 0);
}
