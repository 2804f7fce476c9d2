/* task-rules.c — check, list and test offline the rules that turn alerts into tasks (twonet-rules). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_alert.h"
#include "tn_alertkind.h"
#include "tn_ndjson.h"
#include "tn_taskrules.h"

static const char *prog = "task-rules";

static const char *rules_path, *at_arg;
static int dry_run;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Rules options:", NULL, 0 },
	{ TN_OPT_STRING, 'r', "rules", &rules_path, "PATH",
	  "a rules folder or file (default: the installed share/twonet/rules)", NULL, 0 },
	{ TN_OPT_STRING, 0, "at", &at_arg, "TIME",
	  "test: also the escalations due by TIME (RFC 3339) if nobody acts", NULL, 0 },
	{ TN_OPT_FLAG, 'n', "dry-run", &dry_run, NULL, "the same as the subcommand test", NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"task-rules",
	"check [PATH] [OPTIONS]\n"
	"list [PATH] [OPTIONS]\n"
	"test [--rules PATH] [--at TIME] [OPTIONS] < alerts.ndjson\n"
	"--dry-run [--rules PATH] [--at TIME] [OPTIONS] < alerts.ndjson",
	"The rules that turn alerts into tasks: check a rule set, list it, or run it\n"
	"offline over recorded alerts and print the tasks it would make.",
	options, TN_CMD_OUTPUT
};

static const char *const subs[] = { "check", "list", "test", NULL };

/* The subcommand, or NULL with err filled. */
static const char *find_sub(int nargs, char **argv, struct tn_err *err)
{
	const char *s = nargs > 0 ? argv[1] : dry_run ? "test" : NULL;
	int max;

	if (!s) {
		tn_err_set(err, TN_EUSAGE, "give a subcommand: check, list or test");
		return NULL;
	}
	if (strcmp(s, "check") && strcmp(s, "list") && strcmp(s, "test")) {
		tn_err_set(err, TN_EUSAGE, "unknown subcommand '%s'", s);
		tn_cli_suggest(err, s, "check|list|test");
		return NULL;
	}
	max = strcmp(s, "test") ? 2 : 1;
	if (nargs > max)
		tn_err_set(err, TN_EUSAGE, "unexpected argument '%s'", argv[max + 1]);
	else if (nargs == 2 && rules_path)
		tn_err_set(err, TN_EUSAGE, "give the rules as PATH or --rules, not both");
	else if (dry_run && strcmp(s, "test"))
		tn_err_set(err, TN_EUSAGE, "--dry-run is the subcommand test; not with '%s'", s);
	else if (at_arg && strcmp(s, "test"))
		tn_err_set(err, TN_EUSAGE, "--at applies to 'test' only");
	for (int i = 0; subs[i]; i++)
		if (!strcmp(subs[i], s))
			return err->code == TN_OK ? subs[i] : NULL;
	return NULL;
}

/* check: one row a rule for people, a warning for kinds the kinds catalog does not know. */
static enum tn_code check(struct tn_cmd_ctx *x, const struct tn_rules *r, struct tn_err *err)
{
	static const char *cols[] = { "id", "name", "kinds", "window", "dedupe", "department",
				      "priority", "steps", "escalations", "at", NULL };
	const struct tn_alertkinds *ks = tn_alertkinds_default(NULL);
	enum tn_code rc;
	jv rules = tn_rules_describe(r);

	if ((rc = tn_cmd_setup(x, TN_SETUP_OUT, 1, cols, err)) != TN_OK) {
		jv_free(rules);
		return rc;
	}
	jv_array_foreach(rules, i, d) {
		struct tn_buf kinds = TN_BUF_INIT, win = TN_BUF_INIT;
		char dur[32];
		jv row = jv_object(), ka = tn_jv_array(d, "kinds"), w = tn_jv_object(d, "window");

		jv_array_foreach(ka, j, k) {
			const char *code = jv_string_value(k);

			tn_buf_addf(&kinds, "%s%s", j ? "," : "", code);
			if (ks && !tn_alertkind_get(ks, code))
				tn_cli_warn(prog, "%s:%ld: %s: kind '%s' is not in the alert kinds "
					    "catalog; no alert of it may ever come", tn_jv_str(d, "file"),
					    tn_jv_long(d, "line", 0), tn_jv_str(d, "id"), code);
			jv_free(k);
		}
		tn_rules_duration_text(tn_jv_long(w, "within_s", 0), dur, sizeof(dur));
		if (tn_jv_long(w, "count", 0) > 0)
			tn_buf_addf(&win, "%ld in %s", tn_jv_long(w, "count", 0), dur);
		tn_rules_duration_text(tn_jv_long(d, "dedupe_s", 0), dur, sizeof(dur));
		row = jv_object_set(row, jv_string("id"), tn_jv_get(d, "id"));
		row = jv_object_set(row, jv_string("name"), tn_jv_get(d, "name"));
		row = jv_object_set(row, jv_string("kinds"), jv_string(kinds.buf));
		row = jv_object_set(row, jv_string("window"), jv_string(win.buf));
		row = jv_object_set(row, jv_string("dedupe"), jv_string(dur));
		row = jv_object_set(row, jv_string("department"), tn_jv_get(d, "department"));
		row = jv_object_set(row, jv_string("priority"), tn_jv_get(d, "priority"));
		{
			jv plan = tn_jv_object(d, "plan");

			row = jv_object_set(row, jv_string("steps"),
					    jv_number(jv_array_length(tn_jv_array(plan, "steps"))));
			jv_free(plan);
		}
		row = jv_object_set(row, jv_string("escalations"),
				    jv_number(jv_array_length(tn_jv_array(d, "escalate"))));
		row = jv_object_set(row, jv_string("at"), jv_string_fmt("%s:%ld", tn_jv_str(d, "file"),
									tn_jv_long(d, "line", 0)));
		tn_buf_release(&kinds);
		tn_buf_release(&win);
		jv_free(ka);
		jv_free(w);
		jv_free(d);
		if (rc == TN_OK)
			rc = tn_out_emit(&x->out, row, err);
		else
			jv_free(row);
	}
	jv_free(rules);
	return rc;
}

/* Write each record of `events` (consumed). */
static enum tn_code emit_all(struct tn_cmd_ctx *x, jv events, struct tn_err *err)
{
	enum tn_code rc = TN_OK;

	jv_array_foreach(events, i, e) {
		if (rc == TN_OK)
			rc = tn_out_emit(&x->out, e, err);
		else
			jv_free(e);
	}
	jv_free(events);
	return rc;
}

/* list: every rule in full. */
static enum tn_code list(struct tn_cmd_ctx *x, const struct tn_rules *r, struct tn_err *err)
{
	enum tn_code rc;

	if ((rc = tn_cmd_setup(x, TN_SETUP_OUT, 1, tn_rules_columns, err)) != TN_OK)
		return rc;
	return emit_all(x, tn_rules_describe(r), err);
}

/* test: the recorded alerts of stdin through the rules, in order. */
static enum tn_code test(struct tn_cmd_ctx *x, struct tn_rules *r, struct tn_err *err)
{
	struct tn_rules_dry *d;
	struct tn_ndjson in;
	long long at = 0;
	long failed = 0;
	enum tn_code rc;
	int got;
	jv rec;

	if (at_arg && tn_time_parse(at_arg, &at) < 0)
		return tn_err_set(err, TN_EUSAGE, "--at takes an RFC 3339 time "
				  "(2026-07-01T10:30:00+08:00), not '%s'", at_arg);
	if ((rc = tn_cmd_setup(x, TN_SETUP_OUT | TN_SETUP_SIGNALS, 1, tn_rules_task_columns, err)))
		return rc;
	d = tn_rules_dry_new(r);
	tn_ndjson_init(&in, stdin, "stdin");
	while (rc == TN_OK && !tn_cli_interrupted() && (got = tn_ndjson_next(&in, &rec, err)) != 0) {
		jv out = jv_array();

		if (got > 0 && tn_rules_dry_feed(d, rec, at, &out, err) != TN_OK)
			tn_err_prefix(err, "stdin:%ld", in.line);
		if (got > 0)
			jv_free(rec);
		if (err->code != TN_OK) {
			fprintf(stderr, "%s: error: %s\n", prog, err->message);
			failed++;
			if (err->code == TN_EIO)
				rc = TN_EIO;
			tn_err_clear(err);
		}
		if (rc == TN_OK)
			rc = emit_all(x, out, err);
		else
			jv_free(out);
	}
	if (rc == TN_OK && at > 0) {
		jv out = jv_array();

		tn_rules_dry_escalate(d, at, &out);
		rc = emit_all(x, out, err);
	}
	tn_ndjson_release(&in);
	tn_rules_dry_free(d);
	{
		const char *last;
		unsigned long n = tn_rules_errors(r, &last);

		if (n)
			tn_cli_warn(prog, "%lu jq error%s in the rules' expressions (the rule did not "
				    "match); the last: %s", n, n == 1 ? "" : "s", last);
	}
	if (rc == TN_OK && tn_cli_interrupted())
		rc = tn_err_set(err, TN_EINTR, "interrupted");
	if (rc == TN_OK && failed)
		rc = tn_err_set(err, TN_EPARTIAL, "%ld record%s could not be read as alerts", failed,
				failed == 1 ? "" : "s");
	return rc;
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct tn_rules *r = NULL;
	struct tn_buf def = TN_BUF_INIT;
	const char *s, *path;
	enum tn_code rc;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	if (!(s = find_sub(x.nargs, argv, &err)))
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	path = x.nargs == 2 ? argv[2] : rules_path;
	if (!path) {
		tn_buf_addf(&def, "%s/rules", tn_sharedir());
		path = def.buf;
	}
	if ((rc = tn_rules_load(path, &r, &err)) != TN_OK)
		goto done;
	if ((rc = tn_cmd_setup(&x, TN_SETUP_CONFIG, 0, NULL, &err)) != TN_OK)
		goto done;
	if (!strcmp(s, "check"))
		rc = check(&x, r, &err);
	else if (!strcmp(s, "list"))
		rc = list(&x, r, &err);
	else
		rc = test(&x, r, &err);
done:
	{
		enum tn_code rc2 = tn_cmd_close_out(&x, rc ? NULL : &err);

		if (rc == TN_OK)
			rc = rc2;
	}
	if (rc == TN_OK && !strcmp(s, "check"))
		fprintf(stderr, "%s: %s: %zu rule%s, valid\n", prog, path, tn_rules_count(r),
			tn_rules_count(r) == 1 ? "" : "s");
	tn_rules_free(r);
	tn_buf_release(&def);
	return tn_cmd_finish(&x, rc ? tn_cli_fail(prog, &err) : 0);
}
