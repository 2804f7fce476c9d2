/* certcmd.c — twonetd's certificate subcommands: issuer add (SM2 key pairs) and audit verify (the hash chain). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tn_buf.h"
#include "tn_cert.h"
#include "tn_cli.h"
#include "tn_id.h"
#include "certs.h"
#include "store_certs.h"
#include "twonetd.h"

/* Parse a subcommand's options; -1 to go on, else the exit status. */
static int parse_opts(const struct tn_cmd *cmd, int argc, char **argv, int *nargs)
{
	struct tn_err err = TN_ERR_INIT;
	int done = 0;

	if (tn_cli_parse(cmd, argc, argv, NULL, nargs, &done, stdout, &err) != TN_OK)
		return tn_cli_fail("twonetd", &err);
	return done ? 0 : -1;
}

/* argv[1] must be `verb`; shifts it off.  -1 to go on, else the exit status. */
static int expect_verb(const struct tn_cmd *cmd, const char *verb, int *argc, char ***argv)
{
	if (*argc < 2 || strcmp((*argv)[1], verb) != 0) {
		if (*argc >= 2 && (!strcmp((*argv)[1], "--help") || !strcmp((*argv)[1], "-h"))) {
			tn_cli_usage(cmd, stdout);
			return 0;
		}
		fprintf(stderr, "twonetd: error: usage: %s %s\n", cmd->name, cmd->usage);
		return 2;
	}
	(*argc)--;
	(*argv)++;
	return -1;
}

int certs_cmd_issuer(int argc, char **argv)
{
	const char *db = NULL, *dept = NULL, *uscc = NULL;
	const struct tn_option opts[] = {
		{ TN_OPT_STRING, 0, "db", &db, "PATH", "the database file", NULL, 0 },
		{ TN_OPT_STRING, 0, "dept", &dept, "DEPT", "the issuing department (a code of kinds.yaml)", NULL, 0 },
		{ TN_OPT_STRING, 0, "uscc", &uscc, "CODE",
		  "the department's credit code (must match kinds.yaml; default: from it)", NULL, 0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd issuer add", "--db PATH --dept DEPT [--uscc CODE]",
		"make a new SM2 key pair for a department; the private key goes to a 0600 file "
		"beside the database", opts, 0 };
	struct tn_err err = TN_ERR_INIT;
	struct tn_cert_key *key = NULL;
	struct store *st = NULL;
	struct tn_buf dir = TN_BUF_INIT;
	char *path = NULL, *pem = NULL, now[40];
	jv kinds, depts = jv_invalid(), d = jv_invalid(), hu = jv_invalid();
	const char *known = NULL;
	int nargs, rc;

	if ((rc = expect_verb(&cmd, "add", &argc, &argv)) >= 0)
		return rc;
	if ((rc = parse_opts(&cmd, argc, argv, &nargs)) >= 0)
		return rc;
	if (!db || !dept || nargs > 0) {
		fprintf(stderr, "twonetd: error: issuer add needs --db PATH and --dept DEPT\n");
		tn_cli_usage(&cmd, stderr);
		return 2;
	}
	kinds = certs_kinds();
	if (!jv_is_valid(kinds))
		return 1;
	depts = jv_object_get(jv_copy(kinds), jv_string("departments"));
	d = jv_object_get(jv_copy(depts), jv_string(dept));
	if (jv_get_kind(d) == JV_KIND_OBJECT)
		hu = jv_object_get(jv_copy(d), jv_string("uscc"));
	known = jv_get_kind(hu) == JV_KIND_STRING ? jv_string_value(hu) : NULL;
	rc = 1;
	if (!known) {
		fprintf(stderr, "twonetd: error: unknown department '%s' (not in kinds.yaml)\n", dept);
		rc = 7;
		goto out;
	}
	if (uscc && strcmp(uscc, known) != 0) {
		fprintf(stderr, "twonetd: error: --uscc '%s' is not %s's credit code '%s' of kinds.yaml\n",
			uscc, dept, known);
		rc = 7;
		goto out;
	}
	if (store_open(&st, db, 0, &err) != TN_OK)
		goto fail;
	tn_buf_addf(&dir, "%s.keys", db);
	if (mkdir(dir.buf, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "twonetd: error: cannot create '%s': %s\n", dir.buf, strerror(errno));
		goto out;
	}
	chmod(dir.buf, 0700);
	if (tn_cert_key_generate(&key, &err) != TN_OK)
		goto fail;
	path = certs_key_path(db, dept, tn_cert_key_id(key));
	if (tn_cert_key_save_private(key, path, &err) != TN_OK)
		goto fail;
	pem = tn_cert_key_public_pem(key);
	time_now_rfc3339(now, sizeof(now));
	if (store_issuer_add(st, dept, known, tn_cert_key_id(key), pem, now, &err) != TN_OK) {
		unlink(path);
		goto fail;
	}
	printf("%s %s %s\n", dept, tn_cert_key_id(key), path);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "twonetd: error: %s\n", err.message);
	rc = err.code == TN_EINVALID ? 7 : 1;
out:
	free(path);
	free(pem);
	tn_cert_key_free(key);
	store_close(st);
	tn_buf_release(&dir);
	jv_free(hu);
	jv_free(d);
	jv_free(depts);
	return rc;
}

int certs_cmd_audit(int argc, char **argv)
{
	const char *db = NULL;
	const struct tn_option opts[] = {
		{ TN_OPT_STRING, 0, "db", &db, "PATH", "the database file", NULL, 0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd audit verify", "--db PATH",
		"check the certificate audit log's hash chain; exit 7 when it is broken", opts, 0 };
	struct tn_err err = TN_ERR_INIT;
	struct store *st;
	long long rows = 0, bad = 0;
	char why[400];
	int nargs, rc;

	if ((rc = expect_verb(&cmd, "verify", &argc, &argv)) >= 0)
		return rc;
	if ((rc = parse_opts(&cmd, argc, argv, &nargs)) >= 0)
		return rc;
	if (!db || nargs > 0) {
		fprintf(stderr, "twonetd: error: audit verify needs --db PATH\n");
		tn_cli_usage(&cmd, stderr);
		return 2;
	}
	if (store_open(&st, db, 0, &err) != TN_OK) {
		fprintf(stderr, "twonetd: error: %s\n", err.message);
		return 1;
	}
	rc = store_audit_verify(st, &rows, &bad, why, sizeof(why), &err);
	store_close(st);
	if (rc != TN_OK) {
		fprintf(stderr, "twonetd: error: %s\n", err.message);
		return 1;
	}
	if (bad) {
		printf("audit log broken at seq %lld: %s\n", bad, why);
		return 7;
	}
	printf("audit log intact: %lld row%s\n", rows, rows == 1 ? "" : "s");
	return 0;
}
