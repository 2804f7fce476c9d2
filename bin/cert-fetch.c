/* cert-fetch.c — fetch e-certificates by id or by holder and verify their SM2 signatures, or verify saved ones offline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_case.h"
#include "tn_cert.h"
#include "tn_ndjson.h"

static const char *prog = "cert-fetch";

static const char *holder, *kind, *purpose, *consent, *consent_code, *verify_file, *issuers_file,
		  *date;
static char code_norm[TN_CERT_CODE_LEN + 1];  /* --consent-code as the server reads it */
static long parallel = 8, threads;
static int no_verify;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "What to fetch:", NULL, 0 },
	{ TN_OPT_STRING, 0, "holder", &holder, "CODE",
	  "every certificate of this holder (resident ID number or credit code)", NULL, 0 },
	{ TN_OPT_STRING, 0, "kind", &kind, "KIND", "with --holder: only this kind (code or alias, e.g. CK-YYZZ)", NULL, 0 },
	{ TN_OPT_STRING, 0, "purpose", &purpose, "TEXT",
	  "why the certificates are read, written to the audit log (default: the profile's purpose)", NULL, 0 },
	{ TN_OPT_STRING, 0, "consent", &consent, "TOKEN", "a reader: the holder's consent token for this scenario", NULL, 0 },
	{ TN_OPT_STRING, 0, "consent-code", &consent_code, "CODE",
	  "a clerk: the holder's one-time code (cert-consent code), read out at the window", NULL, 0 },
	{ TN_OPT_LONG, 'P', "parallel", &parallel, "N", "requests in flight for many ids, 1 to 256 (default 8)", NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Verification:", NULL, 0 },
	{ TN_OPT_STRING, 0, "verify", &verify_file, "FILE",
	  "verify the certificates saved in FILE (- for stdin) offline, with the cached issuer keys", NULL, 0 },
	{ TN_OPT_STRING, 0, "issuers", &issuers_file, "FILE",
	  "take the issuer keys from FILE (a GET /v1/issuers body) instead of the server or the cache", NULL, 0 },
	{ TN_OPT_FLAG, 0, "no-verify", &no_verify, NULL, "do not verify: print the certificates as the server sent them", NULL, 0 },
	{ TN_OPT_STRING, 0, "date", &date, "DATE", "verify validity as of DATE (YYYY-MM-DD; default today in China)", NULL, 0 },
	{ TN_OPT_LONG, 0, "threads", &threads, "N", "verification threads (default: one per core)", NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"cert-fetch",
	"[OPTIONS] ID...\n"
	"[OPTIONS] --holder CODE [--kind KIND]\n"
	"[OPTIONS] [--parallel N] -  < ids\n"
	"[OPTIONS] --verify FILE",
	"Fetch e-certificates and verify each one's SM2 signature, validity dates and status.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER
};

/* Each certificate to the output (ctx), each failure to stderr. */
static void on_result(void *ctx, enum tn_code code, jv cert, const struct tn_err *err)
{
	struct tn_out *out = ctx;
	struct tn_err e = TN_ERR_INIT;

	if (code != TN_OK) {
		tn_cli_fail(prog, err);
		jv_free(cert);
		return;
	}
	if (tn_out_emit(out, cert, &e) != TN_OK && !out->broken_pipe)
		tn_cli_fail(prog, &e);
}

/* A certificate as the server sent it (--no-verify): written unparsed. */
static void on_text(void *ctx, const char *json, size_t len)
{
	struct tn_out *out = ctx;
	struct tn_err e = TN_ERR_INIT;

	if (tn_out_emit_text(out, json, len, &e) != TN_OK && !out->broken_pipe)
		tn_cli_fail(prog, &e);
}

/* The last line of a bulk fetch: done, skipped, failed, and what the counts hide. */
static void summary(const struct tn_cert_fetch *f, enum tn_code rc)
{
	char note[160];
	size_t n = 0;

	note[0] = '\0';
	if (f->not_found)
		n += (size_t)snprintf(note + n, sizeof(note) - n, "%ld not found", f->not_found);
	if (f->invalid && n < sizeof(note))
		n += (size_t)snprintf(note + n, sizeof(note) - n, "%s%ld not valid", n ? ", " : "",
				      f->invalid);
	if (rc != TN_OK && n < sizeof(note))
		snprintf(note + n, sizeof(note) - n, "%s%s", n ? "; " : "",
			 rc == TN_EINTR ? "interrupted" : "stopped: the rest not tried");
	tn_cli_summary(prog, NULL, f->ok, 0, f->not_found + f->failed, note[0] ? note : NULL);
}

/* Identifiers from the operands, or one a line from stdin when the operand is "-". */
struct ids {
	char **argv;
	int nargs, next;
	struct tn_ndjson in;
	int use_stdin;
};

static int next_id(void *ctx, const char **id, struct tn_err *err)
{
	struct ids *s = ctx;

	if (s->use_stdin)
		return tn_ndjson_next_line(&s->in, id, err);
	if (s->next > s->nargs)
		return 0;
	*id = s->argv[s->next++];
	return 1;
}

/* The issuer keys: from --issuers FILE, the cache (offline) or the server. */
static enum tn_code load_keys(struct tn_cert_keyring *kr, struct tn_client *c,
			      const struct tn_config *cfg, struct tn_err *err)
{
	enum tn_code rc;
	jv items;

	if (issuers_file) {
		jv doc;
		if ((rc = tn_case_read_file(issuers_file, &doc, err)) != TN_OK)
			return rc;
		rc = tn_cert_keyring_add_issuers(kr, doc, err);
		jv_free(doc);
		return rc;
	}
	if (!c) {
		rc = tn_cert_cache_read(NULL, &items, NULL, err);
		if (rc == TN_ENOTFOUND)
			tn_err_set(err, rc, "no issuer keys cached: run cert-fetch once against the server, or give --issuers FILE");
	} else {
		rc = tn_cert_issuers_fetch(c, cfg->url, &items, NULL, err);
	}
	if (rc == TN_OK)
		rc = tn_cert_keyring_add_issuers(kr, items, err);
	jv_free(items);
	return rc;
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct tn_cert_fetch f;
	struct tn_cert_keyring *kr = NULL;
	struct ids ids;
	int nargs, status, bulk = 0, fetched = 0;
	enum tn_code rc = TN_OK;
	long day;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	nargs = x.nargs;
	if ((verify_file != NULL) + (holder != NULL) + (nargs > 0) != 1)
		tn_err_set(&err, TN_EUSAGE, "give certificate ids, --holder CODE or --verify FILE (one of them)");
	else if (kind && !holder)
		tn_err_set(&err, TN_EUSAGE, "--kind goes with --holder");
	else if (parallel < 1 || parallel > 256)
		tn_err_set(&err, TN_EUSAGE, "--parallel %ld is not within 1..256", parallel);
	else if (date && tn_date_parse(date, &day) != 0)
		tn_err_set(&err, TN_EUSAGE, "--date '%s' is not a date (YYYY-MM-DD)", date);
	else if (no_verify && (verify_file || issuers_file))
		tn_err_set(&err, TN_EUSAGE, "--no-verify cannot go with --verify or --issuers");
	else if (verify_file && (consent || consent_code))
		tn_err_set(&err, TN_EUSAGE, "--verify reads no server: --consent and --consent-code go "
			   "with a fetch");
	if (err.code != TN_OK)
		return tn_cli_fail(prog, &err);
	if (consent_code && tn_cert_code_normalize(consent_code, code_norm, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (tn_cmd_setup(&x, TN_SETUP_CONFIG, 0, NULL, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (!purpose)
		purpose = x.cfg.purpose;
	if (!verify_file && (!purpose || !*purpose)) {
		tn_err_set(&err, TN_EUSAGE, "say why the certificates are read: --purpose TEXT (or purpose: in the profile)");
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	}
	if (tn_cmd_setup(&x, TN_SETUP_OUT | TN_SETUP_SIGNALS | (verify_file ? 0 : TN_SETUP_CLIENT),
			 !(nargs == 1 && strcmp(argv[1], "-")), tn_cert_columns, &err) != TN_OK)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	if (!no_verify) {
		kr = tn_cert_keyring_new();
		rc = load_keys(kr, x.client, &x.cfg, &err);
	}

	memset(&f, 0, sizeof(f));
	f.client = x.client;
	f.purpose = purpose;
	f.consent = consent;
	f.consent_code = code_norm[0] ? code_norm : NULL;
	f.parallel = (int)parallel;
	f.threads = (int)threads;
	f.kr = kr;
	f.today = date;
	f.fn = on_result;
	if (no_verify && tn_out_takes_text(&x.out))
		f.text = on_text;
	f.ctx = &x.out;
	if (rc == TN_OK) {
		if (verify_file) {
			rc = tn_cert_verify_file(&f, verify_file, &err);
		} else if (holder) {
			rc = tn_cert_fetch_holder(&f, holder, kind, &err);
		} else {
			memset(&ids, 0, sizeof(ids));
			ids.argv = argv;
			ids.nargs = nargs;
			ids.next = 1;
			ids.use_stdin = nargs == 1 && !strcmp(argv[1], "-");
			if (ids.use_stdin)
				tn_ndjson_init(&ids.in, stdin, "stdin");
			bulk = ids.use_stdin || nargs > 1;
			fetched = 1;
			rc = tn_cert_fetch_ids(&f, next_id, &ids, &err);
			if (ids.use_stdin)
				tn_ndjson_release(&ids.in);
		}
	}
	if (rc != TN_OK) {
		status = tn_cli_fail(prog, &err);
		if (rc == TN_EAUTH && !code_norm[0] && strstr(err.message, "X-Consent-Code"))
			fprintf(stderr, "%s: hint: the holder makes a one-time code with 'cert-consent "
				"code' and reads it out; give it with --consent-code CODE\n", prog);
	} else if (bulk && f.ok && (f.not_found || f.failed)) {
		status = tn_exit_status(TN_EPARTIAL);   /* some came back, some did not */
	} else if (f.not_found) {
		status = tn_exit_status(TN_ENOTFOUND);
	} else if (f.failed) {
		/* nothing came back: say why; some did: some records failed */
		status = tn_exit_status(f.ok ? TN_EPARTIAL : f.first_error);
	} else {
		status = f.invalid ? 1 : 0;
	}
	if (tn_cmd_close_out(&x, &err) != TN_OK && status == 0)
		status = tn_cli_fail(prog, &err);
	if (tn_cli_interrupted())
		status = tn_exit_status(TN_EINTR);
	if (bulk && fetched)
		summary(&f, rc);
	if (x.cfg.verbose && kr)
		fprintf(stderr, "%s: %ld certificate%s, %ld not valid, %ld SM2 verification%s\n", prog,
			f.ok, f.ok == 1 ? "" : "s", f.invalid, f.sm2, f.sm2 == 1 ? "" : "s");
	if (x.cfg.verbose && !kr && fetched)
		fprintf(stderr, "%s: %ld of %ld certificates written as the server sent them\n", prog,
			f.as_sent, f.ok);
	tn_cert_keyring_free(kr);
	return tn_cmd_finish(&x, status);
}
