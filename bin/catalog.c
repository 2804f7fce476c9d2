/* catalog.c — browse the service catalog from the shell: items, their forms and materials, departments, workflows, completion words. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "twonet.h"
#include "tn_catalog.h"
#include "tn_cert.h"

static const char *prog = "catalog";

static const char *catalog_dir, *department;
static int use_server, online;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Catalog options:", NULL, 0 },
	{ TN_OPT_STRING, 'c', "catalog", &catalog_dir, "DIR", "read the catalog from DIR (default: the installed one)", NULL, 0 },
	{ TN_OPT_FLAG, 's', "server", &use_server, NULL, "read the catalog the server serves instead", NULL, 0 },
	{ TN_OPT_STRING, 0, "department", &department, "CODE", "items: only those of this department", NULL, 0 },
	{ TN_OPT_FLAG, 0, "online", &online, NULL, "items: only those that can be filed online", NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"catalog",
	"items [--department CODE] [--online] [OPTIONS]\n"
	"item CODE [OPTIONS]\n"
	"departments [OPTIONS]\n"
	"workflows [OPTIONS]\n"
	"workflow CODE [OPTIONS]\n"
	"fields [ITEM] [OPTIONS]\n"
	"words items|fields|departments|workflows|districts|statuses [ITEM] [OPTIONS]",
	"The service catalog: items with their forms, materials and time limits, departments\n"
	"and \"one thing\" workflows; 'words' prints completion words, one a line.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER
};

/* Each subcommand: its name and how many operands it takes (min, max). */
static const struct sub {
	const char *name;
	int min, max;
	const char **columns;   /* a list's table columns; NULL: one record */
} subs[] = {
	{ "items", 0, 0, tn_catalog_item_columns },
	{ "item", 1, 1, NULL },
	{ "departments", 0, 0, tn_catalog_department_columns },
	{ "workflows", 0, 0, tn_catalog_workflow_columns },
	{ "workflow", 1, 1, NULL },
	{ "fields", 0, 1, tn_catalog_field_columns },
	{ "words", 1, 2, NULL },
};
#define NSUBS (sizeof(subs) / sizeof(subs[0]))

/* The subcommand of argv[1], or NULL with err filled (a near name suggested). */
static const struct sub *find_sub(int nargs, char **argv, struct tn_err *err)
{
	const char *names[NSUBS], *best;
	const struct sub *s = NULL;

	for (size_t i = 0; i < NSUBS; i++) {
		names[i] = subs[i].name;
		if (nargs > 0 && !strcmp(argv[1], subs[i].name))
			s = &subs[i];
	}
	if (nargs == 0) {
		tn_err_set(err, TN_EUSAGE, "give a subcommand: items, item, departments, workflows, "
			   "workflow, fields or words");
		return NULL;
	}
	if (!s) {
		if ((best = tn_suggest(argv[1], names, NSUBS)))
			tn_err_set(err, TN_EUSAGE, "unknown subcommand '%s' (did you mean '%s'?)", argv[1], best);
		else
			tn_err_set(err, TN_EUSAGE, "unknown subcommand '%s'", argv[1]);
		return NULL;
	}
	if (nargs - 1 < s->min)
		tn_err_set(err, TN_EUSAGE, "'%s' needs %s", s->name,
			   !strcmp(s->name, "words") ? "a kind of words: " "items|fields|departments|"
			   "workflows|districts|statuses" : "a code");
	else if (nargs - 1 > s->max)
		tn_err_set(err, TN_EUSAGE, "unexpected argument '%s'", argv[s->max + 2]);
	else if ((department || online) && strcmp(s->name, "items"))
		tn_err_set(err, TN_EUSAGE, "--department and --online apply to 'items' only");
	else if (use_server && catalog_dir)
		tn_err_set(err, TN_EUSAGE, "--server and --catalog exclude each other");
	return err->code == TN_OK ? s : NULL;
}

/* One record as a page of text (a table on a terminal) or through the output. */
static enum tn_code show(struct tn_cmd_ctx *x, const struct sub *s, jv cat, const char *code,
			 struct tn_err *err)
{
	jv doc, merged = jv_invalid(), kinds = jv_invalid();
	int text = !x->common.jq && !x->common.fields &&
		   (x->common.format ? !strcmp(x->common.format, "table") : isatty(fileno(stdout)));
	enum tn_code rc;

	if (!strcmp(s->name, "item")) {
		struct tn_err kerr = TN_ERR_INIT;

		/* without the kinds file a material still names its kind's alias */
		if (tn_cert_kinds_load(NULL, &kinds, &kerr) != TN_OK)
			kinds = jv_invalid();
		rc = tn_catalog_item_detail(cat, kinds, code, &doc, err);
	} else {
		rc = tn_catalog_workflow_detail(cat, code, &doc, text ? &merged : NULL, err);
	}
	jv_free(kinds);
	if (rc != TN_OK)
		return rc;
	if (text) {
		struct tn_buf b = TN_BUF_INIT;

		if (!strcmp(s->name, "item"))
			tn_catalog_item_text(doc, isatty(fileno(stdout)), &b);
		else
			tn_catalog_workflow_text(doc, merged, &b);
		fputs(b.buf, stdout);
		tn_buf_release(&b);
		jv_free(doc);
	} else if ((rc = tn_cmd_setup(x, TN_SETUP_OUT, 0, NULL, err)) == TN_OK) {
		rc = tn_out_emit(&x->out, doc, err);
	} else {
		jv_free(doc);
	}
	jv_free(merged);
	return rc;
}

/* The rows of a list subcommand, each through the output. */
static enum tn_code list(struct tn_cmd_ctx *x, const struct sub *s, jv cat, const char *arg,
			 struct tn_err *err)
{
	enum tn_code rc = TN_OK;
	jv rows;

	if (!strcmp(s->name, "items"))
		rc = tn_catalog_items_rows(cat, department, online, &rows, err);
	else if (!strcmp(s->name, "departments"))
		rows = tn_catalog_departments_rows(cat);
	else if (!strcmp(s->name, "workflows"))
		rows = tn_catalog_workflows_rows(cat);
	else
		rc = tn_catalog_fields_rows(cat, arg, &rows, err);
	if (rc != TN_OK)
		return rc;
	if ((rc = tn_cmd_setup(x, TN_SETUP_OUT, 1, s->columns, err)) == TN_OK) {
		jv_array_foreach(rows, i, r) {
			if (rc == TN_OK)
				rc = tn_out_emit(&x->out, r, err);
			else
				jv_free(r);
		}
	}
	jv_free(rows);
	return rc;
}

/*
 * words with no catalog installed (and no --catalog): the server's, asked once
 * and quickly (no retry, a few seconds at most), so that TAB completes item
 * codes on a machine that has the commands but not the catalog's files.
 */
static enum tn_code server_words(struct tn_cmd_ctx *x, jv *cat, struct tn_err *err)
{
	enum tn_code rc = tn_cmd_setup(x, TN_SETUP_CONFIG, 0, NULL, err);

	if (rc != TN_OK)
		return rc;
	if (x->common.retries < 0)
		x->cfg.retries = 0;
	if (x->common.timeout_s <= 0) {
		x->cfg.timeout_s = 3;
		x->cfg.connect_timeout_s = 2;
	}
	if ((rc = tn_cmd_setup(x, TN_SETUP_CLIENT, 0, NULL, err)) != TN_OK)
		return rc;
	return tn_catalog_fetch(x->client, cat, err);
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	const struct sub *s;
	enum tn_code rc;
	jv cat = jv_invalid();

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	if (!(s = find_sub(x.nargs, argv, &err)))
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	/* words: the catalog file alone, nothing else set up, for completion's speed */
	if (use_server) {
		if ((rc = tn_cmd_setup(&x, TN_SETUP_CONFIG | TN_SETUP_CLIENT, 0, NULL, &err)) == TN_OK)
			rc = tn_catalog_fetch(x.client, &cat, &err);
	} else if ((rc = tn_catalog_load(catalog_dir, &cat, &err)) != TN_OK && !catalog_dir &&
		   !strcmp(s->name, "words")) {
		struct tn_err serr = TN_ERR_INIT;

		/* the error stays the local one when the server cannot tell either */
		if (server_words(&x, &cat, &serr) == TN_OK)
			rc = TN_OK;
	}
	if (rc != TN_OK)
		goto done;
	if (!strcmp(s->name, "words")) {
		struct tn_buf b = TN_BUF_INIT;

		if ((rc = tn_catalog_words(cat, argv[2], x.nargs > 2 ? argv[3] : NULL, &b, &err)) == TN_OK)
			fputs(b.buf, stdout);
		tn_buf_release(&b);
		goto done;
	}
	if ((rc = tn_cmd_setup(&x, TN_SETUP_CONFIG, 0, NULL, &err)) != TN_OK)
		goto done;
	if (s->columns)
		rc = list(&x, s, cat, x.nargs > 1 ? argv[2] : NULL, &err);
	else
		rc = show(&x, s, cat, argv[2], &err);
done:
	{
		enum tn_code rc2 = tn_cmd_close_out(&x, rc ? NULL : &err);

		if (rc == TN_OK)
			rc = rc2;
	}
	jv_free(cat);
	return tn_cmd_finish(&x, rc ? tn_cli_fail(prog, &err) : 0);
}
