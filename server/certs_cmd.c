/* certs_cmd.c — twonetd's certificate subcommands: issuer add (SM2 key pairs) and audit verify (the hash chain). */
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

/* argv[1] must be `verb`; shifts it off.  -1 to go on, else the exit status. */
static int expect_verb(const struct tn_cmd *cmd, const char *verb, int *argc, char ***argv)
{
	if (*argc < 2 || strcmp((*argv)[1], verb) != 0) {
		if (*argc >= 2 && (!strcmp((*argv)[1], "--help") || !strcmp((*argv)[1], "-h"))) {
			tn_cli_usage(cmd, stdout);
			return 0;
		}
		if (*argc >= 2 && (*argv)[1][0] != '-')
			return twonetd_unknown("subcommand", (*argv)[1], verb);
		fprintf(stderr, "twonetd: error: usage: %s %s\n", cmd->name, cmd->usage);
		return 2;
	}
	(*argc)--;
	(*argv)++;
	return -1;
}

/* The path the issuers' keys (BASE.keys/) and the checkpoints (BASE.checkpoints) sit beside. */
static const char *keys_base(struct store *st, struct tn_err *err)
{
	return certs_state_base(st, err);
}

int certs_cmd_issuer(int argc, char **argv)
{
	const char *db = NULL, *dept = NULL, *uscc = NULL;
	const struct tn_option opts[] = {
		{ TN_OPT_STRING, 0, "db", &db, TWONETD_DB,
		  "the database: a SQLite file or a PostgreSQL URI", NULL, 0 },
		{ TN_OPT_STRING, 0, "dept", &dept, "DEPT", "the issuing department (a code of kinds.yaml)", NULL, 0 },
		{ TN_OPT_STRING, 0, "uscc", &uscc, "CODE",
		  "the department's credit code (must match kinds.yaml; default: from it)", NULL, 0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd issuer add",
		"--db " TWONETD_DB " --dept DEPT [--uscc CODE]",
		"make a new SM2 key pair for a department; the private key goes to a 0600 file "
		"beside the database", opts, 0 };
	struct tn_err err = TN_ERR_INIT;
	struct tn_cert_key *key = NULL;
	struct store *st = NULL;
	struct tn_buf dir = TN_BUF_INIT;
	char *path = NULL, *pem = NULL, now[40];
	jv kinds, depts = jv_invalid(), d = jv_invalid(), hu = jv_invalid(), cat;
	const char *known = NULL, *base;
	int nargs, rc;

	if ((rc = expect_verb(&cmd, "add", &argc, &argv)) >= 0)
		return rc;
	if ((rc = twonetd_parse(&cmd, argc, argv, &nargs)) >= 0)
		return rc;
	if (!db || !dept || nargs > 0)
		return twonetd_usage_fail(&cmd, "issuer add needs --db PATH and --dept DEPT");
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
	/* as token add: a department the imported catalog does not hold issues nothing */
	if (store_department_get(st, dept, &cat, &err) != TN_OK) {
		if (err.code != TN_ENOTFOUND)
			goto fail;
		fprintf(stderr, "twonetd: error: unknown department '%s': not in the catalog (see "
			"'twonetd import catalog')\n", dept);
		rc = 7;
		goto out;
	}
	jv_free(cat);
	/* the keys sit beside the database file the store opened (PATH of sqlite:PATH) */
	if (!(base = keys_base(st, &err)))
		goto fail;
	tn_buf_addf(&dir, "%s.keys", base);
	if (mkdir(dir.buf, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "twonetd: error: cannot create '%s': %s\n", dir.buf, strerror(errno));
		goto out;
	}
	chmod(dir.buf, 0700);
	if (tn_cert_key_generate(&key, &err) != TN_OK)
		goto fail;
	path = certs_key_path(base, dept, tn_cert_key_id(key));
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
	rc = err.code == TN_EINVALID ? 7 : err.code == TN_EUSAGE ? 2 : 1;
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

/* The key that checks checkpoints: `path` holding a PEM public key or the server's private key. */
static enum tn_code load_check_key(const char *path, struct tn_cert_key **key, struct tn_err *err)
{
	FILE *f = fopen(path, "r");
	char buf[8192];
	size_t n;

	*key = NULL;
	if (!f)
		return tn_err_set(err, TN_EIO, "cannot read the server's key '%s': %s", path,
				  strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (strstr(buf, "-----BEGIN PUBLIC KEY-----"))
		return tn_cert_key_from_pem(buf, n, key, err);
	return tn_cert_key_load_private(path, key, err);
}

/* `twonetd audit checkpoint`: sign the head now. */
static int audit_checkpoint(int argc, char **argv)
{
	const char *db = NULL, *file = NULL;
	const struct tn_option opts[] = {
		{ TN_OPT_STRING, 0, "db", &db, TWONETD_DB,
		  "the database: a SQLite file or a PostgreSQL URI", NULL, 0 },
		{ TN_OPT_STRING, 0, "checkpoints", &file, "FILE",
		  "the checkpoints file (default: $TWONETD_AUDIT_CHECKPOINTS, else PATH.checkpoints)",
		  NULL, 0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd audit checkpoint",
		"--db " TWONETD_DB " [--checkpoints FILE]",
		"sign the audit chain's head with the server's key and append it to the checkpoints "
		"file", opts, 0 };
	struct tn_err err = TN_ERR_INIT;
	struct tn_cert_key *key = NULL;
	struct store *st = NULL;
	char head[65], *path = NULL, *line = NULL;
	const char *base;
	long long seq;
	int nargs, rc;

	if ((rc = twonetd_parse(&cmd, argc, argv, &nargs)) >= 0)
		return rc;
	if (!db || nargs > 0)
		return twonetd_usage_fail(&cmd, "audit checkpoint needs --db PATH");
	rc = 1;
	if (store_open(&st, db, 0, &err) != TN_OK || !(base = keys_base(st, &err)) ||
	    store_audit_head(st, &seq, head, &err) != TN_OK)
		goto fail;
	path = file ? tn_xstrdup(file) : certs_ckpt_file(base);
	if (seq == 0) {
		printf("the audit log is empty: nothing to checkpoint\n");
		rc = 0;
		goto out;
	}
	if (certs_ckpt_key(base, 1, &key, &err) != TN_OK ||
	    certs_ckpt_append(path, key, seq, head, &line, &err) != TN_OK)
		goto fail;
	printf("%s\n", line);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "twonetd: error: %s\n", err.message);
out:
	free(line);
	free(path);
	tn_cert_key_free(key);
	store_close(st);
	return rc;
}

/* `twonetd audit verify`: the chain, then the checkpoints when asked. */
static int audit_verify(int argc, char **argv)
{
	const char *db = NULL, *file = NULL, *keyfile = NULL;
	const struct tn_option opts[] = {
		{ TN_OPT_STRING, 0, "db", &db, TWONETD_DB,
		  "the database: a SQLite file or a PostgreSQL URI", NULL, 0 },
		{ TN_OPT_STRING, 0, "checkpoints", &file, "FILE",
		  "also check the signed checkpoints of FILE: a truncated or rewritten tail", NULL, 0 },
		{ TN_OPT_STRING, 0, "key", &keyfile, "PEM",
		  "the server's public key (or its key file) that signed them (default: "
		  "PATH.keys/twonetd.pem)", NULL, 0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd audit verify",
		"--db " TWONETD_DB " [--checkpoints FILE [--key PEM]]",
		"check the certificate audit log's hash chain, and its tail against signed "
		"checkpoints; exit 7 when either is broken, 1 when it cannot be checked", opts, 0 };
	struct tn_err err = TN_ERR_INIT;
	struct certs_ckpt_report rep;
	struct tn_cert_key *key = NULL;
	struct store *st = NULL;
	long long rows = 0, bad = 0;
	char why[400], *kpath = NULL, *dflt = NULL;
	const char *base;
	int nargs, rc;
	struct stat sb;

	if ((rc = twonetd_parse(&cmd, argc, argv, &nargs)) >= 0)
		return rc;
	if (!db || nargs > 0 || (keyfile && !file))
		return twonetd_usage_fail(&cmd, "%s", keyfile && !file ?
					  "--key goes with --checkpoints FILE" :
					  "audit verify needs --db PATH");
	rc = 1;
	if (store_open(&st, db, 0, &err) != TN_OK)
		goto fail;
	base = certs_state_base(st, NULL);
	if (file) {
		if (!keyfile && !(base = keys_base(st, &err)))
			goto fail;
		kpath = keyfile ? tn_xstrdup(keyfile) : certs_ckpt_key_path(base);
		if (load_check_key(kpath, &key, &err) != TN_OK)
			goto fail;
	}
	if (store_audit_verify(st, &rows, &bad, why, sizeof(why), &err) != TN_OK)
		goto fail;
	if (bad) {
		printf("audit log broken at seq %lld: %s\n", bad, why);
		rc = 7;
		goto out;
	}
	if (!file) {
		printf("audit log intact: %lld row%s\n", rows, rows == 1 ? "" : "s");
		dflt = base ? certs_ckpt_file(base) : NULL;
		if (dflt && stat(dflt, &sb) == 0)
			fprintf(stderr, "twonetd: note: the tail was not checked against '%s' "
				"(--checkpoints)\n", dflt);
		rc = 0;
		goto out;
	}
	if (certs_ckpt_verify(st, file, key, rows, &rep, &err) != TN_OK)
		goto fail;
	if (rep.torn)
		fprintf(stderr, "twonetd: warning: %s line %ld is cut short (skipped)\n", file, rep.torn);
	if (rep.bad_seq) {
		printf("audit log broken at seq %lld: %s\n", rep.bad_seq, rep.why);
		rc = 7;
	} else if (rep.bad_line) {
		printf("audit checkpoints broken: %s\n", rep.why);
		rc = 7;
	} else {
		printf("audit log intact: %lld row%s; %ld checkpoint%s hold", rows, rows == 1 ? "" : "s",
		       rep.good, rep.good == 1 ? "" : "s");
		if (rep.newest_seq)
			printf(", the newest row %lld signed at %s", rep.newest_seq, rep.newest_at);
		printf("\n");
		rc = 0;
	}
	goto out;
fail:
	fprintf(stderr, "twonetd: error: %s\n", err.message);
out:
	free(kpath);
	free(dflt);
	tn_cert_key_free(key);
	store_close(st);
	return rc;
}

int certs_cmd_audit(int argc, char **argv)
{
	static const struct tn_cmd cmd = { "twonetd audit",
		"verify --db DB [--checkpoints FILE [--key PEM]] | checkpoint --db DB "
		"[--checkpoints FILE]", "check the certificate audit log, or checkpoint its head",
		NULL, 0 };

	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return audit_verify(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "checkpoint") == 0)
		return audit_checkpoint(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: %s %s\n", cmd.name, cmd.usage);
		return 0;
	}
	if (argc >= 2 && argv[1][0] != '-')
		return twonetd_unknown("subcommand", argv[1], "verify|checkpoint");
	fprintf(stderr, "twonetd: error: usage: %s %s\n", cmd.name, cmd.usage);
	return 2;
}
