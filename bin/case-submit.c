/* case-submit.c — file cases: from flags, a JSON/YAML file, bulk NDJSON on stdin, or interactively. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "twonet.h"
#include "tn_case.h"
#include "tn_cert.h"
#include "tn_prompt.h"

static const char *prog = "case-submit";

static struct tn_case_spec spec;
static const char *file, *key, *consent_code;
static char code_norm[TN_CERT_CODE_LEN + 1];  /* --consent-code as the server reads it */
static int interactive, bulk, dry_run, yes;
static int lookup_certs;        /* a token is configured: look up the applicant's certificates */
static long parallel = 8, batch = TN_CASE_BATCH;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Case options:", NULL, 0 },
	{ TN_OPT_STRING, 0, "item", &spec.item, "CODE", "the service item's code", NULL, 0 },
	{ TN_OPT_STRING, 'w', "workflow", &spec.workflow, "CODE",
	  "a \"one thing\" workflow: one parent case and a sub-case per department", NULL, 0 },
	{ TN_OPT_STRING, 0, "applicant-id", &spec.applicant_id, "ID",
	  "the applicant's resident ID number or unified social credit code", NULL, 0 },
	{ TN_OPT_STRING, 0, "applicant-name", &spec.applicant_name, "NAME", "the applicant's name", NULL, 0 },
	{ TN_OPT_STRING, 0, "applicant-phone", &spec.applicant_phone, "PHONE", "the applicant's phone", NULL, 0 },
	{ TN_OPT_STRING, 0, "applicant-type", &spec.applicant_type, "TYPE",
	  "person|org (default: from the shape of the ID)", "person|org", 0 },
	{ TN_OPT_LIST, 0, "field", &spec.fields, "NAME=VALUE",
	  "a form field, a string; NAME:=JSON for a JSON value (repeatable)", NULL, 0 },
	{ TN_OPT_LIST, 0, "material", &spec.materials, "CODE[=REF]",
	  "a material supplied, or held as the e-certificate REF (repeatable)", NULL, 0 },
	{ TN_OPT_STRING, 'f', "file", &file, "FILE", "read the case from a JSON or YAML file (- for stdin)", NULL, 0 },
	{ TN_OPT_FLAG, 'i', "interactive", &interactive, NULL,
	  "ask for each field of the item's form on the terminal", NULL, 0 },
	{ TN_OPT_FLAG, 'y', "yes", &yes, NULL, "with -i: file without asking for confirmation", NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Filing options:", NULL, 0 },
	{ TN_OPT_FLAG, 0, "bulk", &bulk, NULL, "file every NDJSON line of stdin as a case", NULL, 0 },
	{ TN_OPT_LONG, 'p', "parallel", &parallel, "N", "with --bulk: requests in flight (default 8)", NULL, 0 },
	{ TN_OPT_LONG, 'b', "batch", &batch, "N",
	  "with --bulk: cases a request, at most (default 100; 1: one a request)", NULL, 0 },
	{ TN_OPT_STRING, 0, "key", &key, "KEY",
	  "idempotency key (default: SHA-256 of the case's canonical JSON)", NULL, 0 },
	{ TN_OPT_STRING, 0, "consent-code", &consent_code, "CODE",
	  "the applicant's one-time code (cert-consent code), for a clerk to look up their e-certificates", NULL, 0 },
	{ TN_OPT_FLAG, 'n', "dry-run", &dry_run, NULL, "print each body, its key and the materials e-certificates would exempt; file nothing", NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"case-submit",
	"--item CODE --applicant-id ID --applicant-name NAME [--field NAME=VALUE]... [OPTIONS]\n"
	"--workflow CODE --applicant-id ID --applicant-name NAME [--field NAME=VALUE]... [OPTIONS]\n"
	"-f FILE [OPTIONS]\n"
	"--bulk [-p N] [-b N] [OPTIONS] < cases.ndjson\n"
	"-i [--item CODE] [OPTIONS]",
	"File cases on service items; re-running the same input never files a case twice.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER | TN_CMD_NO_OPERANDS
};

/*
 * Say why a case was not filed: every fault on its own line when the check
 * listed them (err->problems), each after `where` ("stdin:5: " or ""),
 * else the message.  Returns the exit status.
 */
static int fail_case(const struct tn_err *err, const char *where)
{
	const char *p = err->problems, *nl;

	if (!*p)
		return tn_cli_fail(prog, err);
	for (; *p; p = *nl ? nl + 1 : nl) {
		if (!(nl = strchr(p, '\n')))
			nl = p + strlen(p);
		fprintf(stderr, "%s: error: %s%.*s\n", prog, where, (int)(nl - p), p);
	}
	return tn_exit_status(err->code);
}

struct bulk_ctx {
	struct tn_out *out;
	int progress;
	long done;
	int stop;
};

/* One more result: the progress line on a terminal every 50. */
static void tick(struct bulk_ctx *b)
{
	b->done++;
	if (b->progress && b->done % 50 == 0)
		fprintf(stderr, "\r%s: %ld cases", prog, b->done);
}

static void on_result(void *ctx, long line, enum tn_code code, jv kase, int replayed,
		      const struct tn_err *err)
{
	struct bulk_ctx *b = ctx;
	struct tn_err e = TN_ERR_INIT;

	if (code != TN_OK) {
		char where[48];

		if (b->progress)
			fputs("\r\033[K", stderr);
		snprintf(where, sizeof(where), "stdin:%ld: ", line);
		fail_case(err, where);
	} else if (!b->stop && tn_out_emit(b->out, kase, &e) != TN_OK) {
		if (!b->out->broken_pipe)
			tn_cli_fail(prog, &e);
		b->stop = 1;
	} else if (b->stop) {
		jv_free(kase);
	}
	tick(b);
}

/* A case as the server's reply text (tn_json_verbatim): written as it came, unparsed. */
static void on_text(void *ctx, long line, const char *json, size_t len, int replayed)
{
	struct bulk_ctx *b = ctx;
	struct tn_err e = TN_ERR_INIT;

	if (!b->stop && tn_out_emit_text(b->out, json, len, &e) != TN_OK) {
		if (!b->out->broken_pipe)
			tn_cli_fail(prog, &e);
		b->stop = 1;
	}
	tick(b);
}

static int run_bulk(struct tn_client *c, struct tn_out *out, int verbose)
{
	struct bulk_ctx b = { out, isatty(2), 0, 0 };
	struct tn_case_stats st;
	struct tn_err err = TN_ERR_INIT;
	enum tn_code rc;

	/* the NDJSON line of a case is the server's reply as it came, when it can be */
	rc = tn_case_submit_bulk_text(c, stdin, "stdin", (int)parallel, (int)batch, dry_run, on_result,
				      tn_out_takes_text(out) ? on_text : NULL, &b, &st, &err);
	if (b.progress)
		fputs("\r\033[K", stderr);
	if (!dry_run)
		fprintf(stderr, "%s: filed %ld, replayed %ld, failed %ld\n", prog, st.filed,
			st.replayed, st.failed);
	if (!dry_run && verbose)
		fprintf(stderr, "%s: %ld of %ld replies written as the server sent them\n", prog,
			st.as_sent, st.filed + st.replayed);
	if (rc == TN_EPARTIAL)
		return tn_exit_status(rc);
	return rc == TN_OK ? 0 : tn_cli_fail(prog, &err);
}

/* How a clerk gets the applicant's consent, when none was given. */
static void consent_hint(void)
{
	if (!code_norm[0])
		fprintf(stderr, "%s: hint: the applicant makes a one-time code with 'cert-consent code' "
			"and reads it out; give it with --consent-code CODE\n", prog);
}

/* The applicant's certificates could not be looked up: the case goes without them (one line). */
static void refused_lookup(const struct tn_err *e)
{
	if (!code_norm[0] && strstr(e->message, "X-Consent-Code"))
		tn_cli_warn(prog, "the applicant's e-certificates were not looked up: a clerk needs "
			    "their one-time code (--consent-code CODE; they make it with "
			    "'cert-consent code')");
	else
		tn_cli_warn(prog, "the applicant's e-certificates were not looked up: %s",
			    e->message);
}

/* The body of a single case: --file, flags or the prompts. */
static enum tn_code single_body(struct tn_client *c, jv *body, struct tn_err *err)
{
	jv base = jv_null();
	enum tn_code rc;

	if (interactive) {
		rc = tn_prompt_case(c, &spec, stderr, &base, err);
		if (rc != TN_OK)
			return rc;
		*body = base;
		return TN_OK;
	}
	if (file && (rc = tn_case_read_file(file, &base, err)) != TN_OK)
		return rc;
	return tn_case_apply_spec(base, &spec, body, err);
}

static int run_single(struct tn_client *c, struct tn_out *out, const struct tn_common *common)
{
	struct tn_err err = TN_ERR_INIT;
	char warning[300], *k = NULL;
	jv body, prepared, created;
	int replayed = 0;
	enum tn_code rc;

	if ((rc = single_body(c, &body, &err)) != TN_OK)
		return tn_cli_fail(prog, &err);
	if ((rc = tn_case_prepare(body, key, &prepared, &k, warning, sizeof(warning), &err)) != TN_OK)
		return fail_case(&err, "");
	if (warning[0])
		tn_cli_warn(prog, "%s", warning);
	/* zero-material: the applicant's e-certificates stand for materials (needs a token) */
	jv exempted = jv_array();
	int not_looked_up = 0;  /* the warning said so: no note of what to bring then */
	if (c && lookup_certs) {
		struct tn_err refused = TN_ERR_INIT;

		jv_free(exempted);
		if (tn_case_attach_certs(c, prepared, code_norm[0] ? code_norm : NULL, &body,
					 &exempted, &refused) == TN_EAUTH) {
			refused_lookup(&refused);
			not_looked_up = 1;
		}
		if (jv_array_length(jv_copy(exempted)) > 0) {
			free(k);
			if (tn_case_prepare(body, key, &prepared, &k, warning, sizeof(warning), &err) != TN_OK) {
				jv_free(exempted);
				return tn_cli_fail(prog, &err);
			}
		} else {
			prepared = body;
		}
	}
	if (dry_run || interactive) {
		jv d = jv_object_set(jv_object(), jv_string("key"), jv_string(k));
		d = jv_object_set(d, jv_string("body"), jv_copy(prepared));
		if (jv_array_length(jv_copy(exempted)) > 0)
			d = jv_object_set(d, jv_string("exempted"), jv_copy(exempted));
		if (dry_run) {
			jv_free(prepared);
			jv_free(exempted);
			free(k);
			if ((rc = tn_out_emit(out, d, &err)) != TN_OK)
				return tn_cli_fail(prog, &err);
			return 0;
		}
		jv s = jv_dump_string(d, JV_PRINT_PRETTY | JV_PRINT_SPACE2);
		fprintf(stderr, "%s\n", jv_string_value(s));
		jv_free(s);
		if (!yes && tn_prompt_confirm(stderr, "file this case?", 1) != 1) {
			fprintf(stderr, "%s: not filed\n", prog);
			jv_free(prepared);
			jv_free(exempted);
			free(k);
			return tn_exit_status(TN_EINTR);
		}
	}
	jv_free(exempted);
	rc = tn_case_submit(c, prepared, k, code_norm[0] ? code_norm : NULL, &created, &replayed,
			    &err);
	free(k);
	if (rc != TN_OK) {
		int status = fail_case(&err, "");

		if (rc == TN_EAUTH && strstr(err.message, "X-Consent-Code"))
			consent_hint();
		return status;
	}
	const char *id = tn_jv_str(created, "id");   /* borrowed from created */
	if (replayed)
		fprintf(stderr, "%s: case '%s' was filed before with this key; nothing new filed\n",
			prog, id ? id : "?");
	else if (interactive)
		fprintf(stderr, "%s: filed case '%s'\n", prog, id ? id : "?");
	/* zero-material honesty: what no certificate stood for is still to be brought */
	if (!replayed && !not_looked_up) {
		jv mats = tn_jv_array(created, "materials");
		struct tn_buf b = TN_BUF_INIT;

		jv_array_foreach(mats, i, m) {
			const char *st = tn_jv_str(m, "state"), *mc = tn_jv_str(m, "code");
			const char *mn = tn_jv_str(m, "name");

			if (st && mc && strcmp(st, "missing") == 0)
				tn_buf_addf(&b, "%s%s%s%s%s", b.len ? ", " : "", mc, mn ? " (" : "",
					    mn ? mn : "", mn ? ")" : "");
			jv_free(m);
		}
		if (b.len)
			fprintf(stderr, "%s: note: case '%s': the applicant must still bring %s\n",
				prog, id ? id : "?", b.buf);
		tn_buf_release(&b);
		jv_free(mats);
	}
	if (tn_case_text_view(common, stdout)) {
		struct tn_buf b = TN_BUF_INIT;
		tn_case_format_text(&b, created);
		fputs(b.buf, stdout);
		tn_buf_release(&b);
		jv_free(created);
		return 0;
	}
	if ((rc = tn_out_emit(out, created, &err)) != TN_OK)
		return tn_cli_fail(prog, &err);
	return 0;
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	int status;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	if (bulk + interactive + (file != NULL) > 1)
		tn_err_set(&err, TN_EUSAGE, "--bulk, --file and -i are exclusive");
	else if (bulk && (key || spec.item || spec.workflow || spec.applicant_id || spec.fields))
		tn_err_set(&err, TN_EUSAGE, "--bulk takes each case, and its \"key\", from stdin");
	else if (spec.item && spec.workflow)
		tn_err_set(&err, TN_EUSAGE, "--item and --workflow are exclusive");
	else if (interactive && spec.workflow)
		tn_err_set(&err, TN_EUSAGE, "-i asks for one item's form; give --workflow with "
			   "--field flags or --file");
	else if (!bulk && !interactive && !file && !spec.item && !spec.workflow)
		tn_err_set(&err, TN_EUSAGE, "nothing to file: give --item, --workflow, --file, --bulk "
			   "or -i");
	else if (parallel < 1 || parallel > 256)
		tn_err_set(&err, TN_EUSAGE, "--parallel takes 1 to 256, not %ld", parallel);
	else if (batch < 1 || batch > TN_CASE_BATCH_MAX)
		tn_err_set(&err, TN_EUSAGE, "--batch takes 1 to %d, not %ld", TN_CASE_BATCH_MAX, batch);
	else if (bulk && consent_code)
		tn_err_set(&err, TN_EUSAGE, "--consent-code is one applicant's: give it with a single "
			   "case, not --bulk");
	if (err.code != TN_OK)
		return tn_cli_fail(prog, &err);
	if (consent_code && tn_cert_code_normalize(consent_code, code_norm, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	/* the terminal's ^C stops the prompts as it always does */
	if (tn_cmd_setup(&x, TN_SETUP_OUT | (interactive ? 0 : TN_SETUP_SIGNALS), bulk,
			 tn_case_list_columns, &err) != TN_OK)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	lookup_certs = x.cfg.token && *x.cfg.token;
	if (!dry_run || interactive || lookup_certs)
		tn_cmd_setup(&x, TN_SETUP_CLIENT, 0, NULL, &err);
	status = bulk ? run_bulk(x.client, &x.out, x.cfg.verbose) : run_single(x.client, &x.out, &x.common);
	return tn_cmd_finish(&x, status);
}
