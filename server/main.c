/* main.c — twonetd: the reference server's command line (init, serve, token add|list|revoke, import catalog, routes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/rand.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tn_cal.h"
#include "tn_catalog.h"
#include "tn_cli.h"
#include "tn_jv.h"
#include "tn_id.h"
#include "jvutil.h"
#include "twonetd.h"
#include "alerts_int.h"
#include "store_cal.h"
#include "store_ops.h"
#include "certs.h"


int backup_cmd(int argc, char **argv);         /* backup.c */
int restore_cmd(int argc, char **argv);
int copy_cmd(int argc, char **argv);           /* copycmd.c */
int assets_import_cmd(int argc, char **argv);  /* assets_cmd.c */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: twonetd init --db DB\n"
		"   or: twonetd serve --db DB [--listen HOST:PORT] [--workers N] "
		"[--port-file FILE] [--calendar FILE]\n"
		"   or: twonetd token add --db DB --role ROLE --name NAME [--dept DEPT] "
		"[--subject ID] [--expires DATE]\n"
		"   or: twonetd token list --db DB [--all]\n"
		"   or: twonetd token revoke --db DB ID...\n"
		"   or: twonetd import catalog --db DB [DIR|FILE.yaml...|FILE.json]\n"
		"   or: twonetd import assets --db DB FILE.geojson\n"
		"   or: twonetd calendar import --db DB FILE\n"
		"   or: twonetd calendar show --db DB [--year YEAR] [--format FORMAT]\n"
		"   or: twonetd routes [--json | --format FORMAT]\n"
		/* e-certificates (certs_cmd.c) */
		"   or: twonetd issuer add --db DB --dept DEPT [--uscc CODE]\n"
		"   or: twonetd audit verify --db DB [--checkpoints FILE [--key PEM]]\n"
		"   or: twonetd audit checkpoint --db DB [--checkpoints FILE]\n"
		"   or: twonetd backup --db DB FILE\n"
		"   or: twonetd restore --db DB [--force] FILE\n"
		"   or: twonetd copy --from DB --to DB [--batch N]\n"
		"   or: twonetd --help | --version\n"
		"\n"
		"DB is " TWONETD_DB ": a SQLite file, or a PostgreSQL database.\n"
		"The twonet reference server: HTTP (libevent) over SQLite in WAL mode or PostgreSQL.\n"
		"Run 'twonetd COMMAND --help' for the options of a command.\n");
}

static int need(const char *value, const char *opt, const struct tn_cmd *cmd)
{
	if (value && *value)
		return 0;
	twonetd_usage_fail(cmd, "%s requires %s", cmd->name + strlen("twonetd "), opt);
	return -1;
}

static int cmd_init(int argc, char **argv)
{
	const char *db = NULL;
	const struct tn_option opts[] = {
		{ TN_OPT_STRING, 0, "db", &db, TWONETD_DB,
		  "the database (a SQLite file is created when missing)", NULL, 0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd init", "--db " TWONETD_DB,
		"create or migrate the database", opts, 0 };
	struct tn_err err = TN_ERR_INIT;
	struct store *st = NULL;
	struct tn_cal *cal = NULL;
	int nargs, rc, from = 0, to = 0;

	if ((rc = twonetd_parse(&cmd, argc, argv, &nargs)) >= 0)
		return rc;
	if (need(db, "--db " TWONETD_DB, &cmd) < 0 || nargs > 0) {
		if (nargs > 0)
			fprintf(stderr, "twonetd: error: init takes no operands\n");
		return 2;
	}
	if (store_open(&st, db, 1, &err) != TN_OK ||
	    store_migrate(st, &from, &to, &err) != TN_OK) {
		store_close(st);
		return twonetd_fail(&err, 1);
	}
	/* the calendar lives in the database: the shipped one seeds it once */
	if (store_cal_load(st, &cal, NULL, &err) != TN_OK ||
	    (!cal && calendar_seed(st, NULL, &err) != TN_OK)) {
		fprintf(stderr, "twonetd: error: working-day calendar: %s\n", err.message);
		tn_cal_free(cal);
		store_close(st);
		return 1;
	}
	tn_cal_free(cal);
	printf("database '%s' at schema %d\n", store_name(st), to);   /* never a password */
	store_close(st);
	return 0;
}

static int cmd_serve(int argc, char **argv)
{
	struct serve_opts o = { NULL, "127.0.0.1:8642", 0, NULL, NULL, NULL, 0 };
	const char *rules = NULL;
	long keep_events = -1;
	const struct tn_option opts[] = {
		{ TN_OPT_STRING, 0, "db", &o.db, TWONETD_DB,
		  "the database (made by twonetd init)", NULL, 0 },
		{ TN_OPT_STRING, 'l', "listen", &o.listen, "HOST:PORT",
		  "address to listen on (default 127.0.0.1:8642; port 0 picks a free one)", NULL, 0 },
		{ TN_OPT_LONG, 'w', "workers", &o.workers, "N",
		  "worker processes sharing the port (default: one per core)", NULL, 0 },
		{ TN_OPT_FLAG, 0, "no-balance", &o.no_balance, NULL,
		  "never close a connection to even out the workers' shares", NULL, 0 },
		{ TN_OPT_STRING, 0, "port-file", &o.port_file, "FILE",
		  "write the bound port to FILE once listening", NULL, 0 },
		{ TN_OPT_STRING, 0, "calendar", &o.calendar, "FILE",
		  "count with this calendar file instead of the database's (no reload)", NULL, 0 },
		{ TN_OPT_LONG, 0, "keep-events", &keep_events, "N",
		  "alert stream events kept for resuming (default 1000000; TWONETD_KEEP_EVENTS)", NULL, 0 },
		{ TN_OPT_STRING, 0, "rules", &rules, "DIR|none",
		  "the rules that make tasks from alerts (default the shipped ones; TWONETD_RULES); "
		  "SIGHUP reloads them", NULL, 0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd serve",
		"--db " TWONETD_DB " [--listen HOST:PORT] [--workers N] [--no-balance] [--port-file FILE] "
		"[--calendar FILE] [--keep-events N] [--rules DIR|none]",
		"serve the twonet API", opts, 0 };
	int nargs, rc;

	if ((rc = twonetd_parse(&cmd, argc, argv, &nargs)) >= 0)
		return rc;
	if (need(o.db, "--db " TWONETD_DB, &cmd) < 0)
		return 2;
	if (nargs > 0) {
		fprintf(stderr, "twonetd: error: serve takes no operands\n");
		return 2;
	}
	if (o.workers < 0 || o.workers > 256) {
		fprintf(stderr, "twonetd: error: --workers takes 1 to 256, not %ld\n", o.workers);
		return 2;
	}
	if (keep_events != -1) {
		char n[32];

		if (keep_events < 1) {
			fprintf(stderr, "twonetd: error: --keep-events takes a number above 0, not %ld\n",
				keep_events);
			return 2;
		}
		/* the alerts module reads its retention from the environment, in every worker */
		snprintf(n, sizeof(n), "%ld", keep_events);
		setenv("TWONETD_KEEP_EVENTS", n, 1);
	}
	o.rules = tasks_rules_path(rules);
	/* the catalog of alert kinds and the divisions, read before the workers fork */
	if (alerts_catalog_load() < 0)
		return 1;
	return serve_run(&o);
}

static int token_add(int argc, char **argv)
{
	const char *db = NULL, *role = NULL, *name = NULL, *dept = NULL, *subject = NULL;
	const char *scenario = NULL, *expires = NULL, *crew = NULL;
	char until[32];
	const struct tn_option opts[] = {
		{ TN_OPT_STRING, 0, "db", &db, TWONETD_DB,
		  "the database: a SQLite file or a PostgreSQL URI", NULL, 0 },
		{ TN_OPT_STRING, 0, "role", &role, "ROLE",
		  "the token's role: applicant, clerk, issuer, operator, sensor, admin, reader or crew",
		  NULL, 0 },
		{ TN_OPT_STRING, 0, "name", &name, "NAME", "who holds it (shown in logs and history)", NULL, 0 },
		{ TN_OPT_STRING, 0, "dept", &dept, "DEPT",
		  "department code of the catalog (clerk and issuer)", NULL, 0 },
		{ TN_OPT_STRING, 0, "subject", &subject, "ID",
		  "an applicant's resident ID number or credit code", NULL, 0 },
		{ TN_OPT_STRING, 0, "scenario", &scenario, "SCENARIO",
		  "a reader's scenario (certificates read with a holder's consent): one of "
		  "the scenarios of certs/kinds.yaml (hospital, school, bank, ...)", NULL, 0 },
		{ TN_OPT_STRING, 0, "expires", &expires, "DATE",
		  "the token stops working then: YYYY-MM-DD (its start, UTC) or YYYY-MM-DDTHH:MM:SSZ",
		  NULL, 0 },
		{ TN_OPT_STRING, 0, "crew", &crew, "CREW",
		  "a crew token's crew: it sees and acts on the tasks dispatched to CREW", NULL, 0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd token add",
		"--db " TWONETD_DB " --role ROLE --name NAME [--dept DEPT] [--subject ID] "
		"[--scenario S] [--crew CREW] [--expires DATE]",
		"create a token and print it once", opts, 0 };
	struct tn_err err = TN_ERR_INIT;
	unsigned char raw[20];
	char token[64], hash[65];
	struct store *st;
	int nargs, rc, known = 0;

	if ((rc = twonetd_parse(&cmd, argc, argv, &nargs)) >= 0)
		return rc;
	if (need(db, "--db " TWONETD_DB, &cmd) < 0 || need(role, "--role ROLE", &cmd) < 0 ||
	    need(name, "--name NAME", &cmd) < 0)
		return 2;
	if (nargs > 0) {
		fprintf(stderr, "twonetd: error: token add takes no operands\n");
		return 2;
	}
	for (const char *const *r = twonetd_roles; *r; r++)
		if (strcmp(*r, role) == 0)
			known = 1;
	if (!known) {
		fprintf(stderr, "twonetd: error: unknown role '%s' (applicant, clerk, issuer, operator, "
			"sensor, admin, reader, crew)\n", role);
		return 7;
	}
	/* a crew's name is stored as its subject (doc/api-tasks.md) */
	if (strcmp(role, "crew") == 0) {
		if (!crew || !*crew || strlen(crew) > 64 || has_control(crew) || subject) {
			fprintf(stderr, "twonetd: error: a crew token needs --crew CREW (1 to 64 "
				"characters, no --subject)\n");
			return 2;
		}
	} else if (crew) {
		fprintf(stderr, "twonetd: error: --crew is for crew tokens\n");
		return 2;
	}
	if ((strcmp(role, "clerk") == 0 || strcmp(role, "issuer") == 0) && (!dept || !*dept)) {
		fprintf(stderr, "twonetd: error: a %s token needs --dept\n", role);
		return 2;
	}
	/* a reader's scenario is stored where a clerk's department is (doc/api-certs.md §5) */
	if (strcmp(role, "reader") == 0) {
		char names[400];

		certs_scenario_names(names, sizeof(names));
		if (!scenario || dept) {
			fprintf(stderr, "twonetd: error: a reader token needs --scenario %s "
				"(and no --dept)\n", names);
			return 2;
		}
		if (!certs_scenario_known(scenario)) {
			fprintf(stderr, "twonetd: error: unknown scenario '%s' (%s)\n", scenario, names);
			return 7;
		}
		dept = scenario;
	} else if (scenario) {
		fprintf(stderr, "twonetd: error: --scenario is for reader tokens\n");
		return 2;
	}
	if (subject && tn_id_check_holder(subject, &err) != TN_OK) {
		fprintf(stderr, "twonetd: error: --subject '%s': %s\n", subject, err.message);
		return 7;
	}
	if (crew)
		subject = crew;
	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		fprintf(stderr, "twonetd: error: no random bytes for the token\n");
		return 1;
	}
	memcpy(token, "tn_", 3);
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(token + 3 + 2 * i, 3, "%02x", raw[i]);
	tn_sha256_hex(token, strlen(token), hash);
	if (store_open(&st, db, 0, &err) != TN_OK)
		return twonetd_fail(&err, 1);
	if (expires && store_token_when(st, expires, until, sizeof(until), &err) != TN_OK) {
		store_close(st);
		fprintf(stderr, "twonetd: error: --expires: %s\n", err.message);
		return 7;
	}
	/* a department must be one of the catalog's (a reader's "department" is its scenario) */
	if (dept && !scenario) {
		jv d;

		if ((rc = store_department_get(st, dept, &d, &err)) != TN_OK) {
			store_close(st);
			if (rc == TN_ENOTFOUND) {
				fprintf(stderr, "twonetd: error: unknown department '%s': not in the "
					"catalog (see 'twonetd import catalog')\n", dept);
				return 7;
			}
			return twonetd_fail(&err, 1);
		}
		jv_free(d);
	}
	rc = store_token_add_until(st, hash, role, name, dept, subject, expires ? until : NULL,
				   NULL, &err);
	store_close(st);
	if (rc != TN_OK)
		return twonetd_fail(&err, 1);
	printf("%s\n", token);
	return 0;
}

/* twonetd token list: the local database's tokens, one a line (--all: revoked and expired too). */
static int token_list(int argc, char **argv)
{
	const char *db = NULL;
	int all = 0;
	const struct tn_option opts[] = {
		{ TN_OPT_STRING, 0, "db", &db, TWONETD_DB,
		  "the database: a SQLite file or a PostgreSQL URI", NULL, 0 },
		{ TN_OPT_FLAG, 'a', "all", &all, NULL, "revoked and expired tokens too", NULL, 0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd token list", "--db " TWONETD_DB " [--all]",
		"list the tokens (never their secrets)", opts, 0 };
	struct tn_err err = TN_ERR_INIT;
	struct store *st;
	int nargs, rc;
	jv items;

	if ((rc = twonetd_parse(&cmd, argc, argv, &nargs)) >= 0)
		return rc;
	if (need(db, "--db " TWONETD_DB, &cmd) < 0)
		return 2;
	if (nargs > 0)
		return twonetd_usage_fail(&cmd, "token list takes no operands");
	if (store_open(&st, db, 0, &err) != TN_OK)
		return twonetd_fail(&err, 1);
	rc = store_token_list(st, NULL, all, &items, &err);
	store_close(st);
	if (rc != TN_OK)
		return twonetd_fail(&err, 1);
	printf("%-5s %-8s %-10s %-6s %-20s %-20s %s\n", "ID", "STATE", "ROLE", "DEPT", "EXPIRES",
	       "LAST USED", "NAME");
	jv_array_foreach(items, i, t) {
		const char *d = tn_jv_str(t, "dept"), *e = tn_jv_str(t, "expires_at");
		const char *u = tn_jv_str(t, "last_used_at");

		printf("%-5.0f %-8s %-10s %-6s %-20s %-20s %s\n", jv_number_value(jv_object_get(
			jv_copy(t), jv_string("id"))), tn_jv_str(t, "state"), tn_jv_str(t, "role"),
		       d ? d : "-", e ? e : "-", u ? u : "-", tn_jv_str(t, "name"));
		jv_free(t);
	}
	jv_free(items);
	return 0;
}

/* twonetd token revoke ID...: revoke on the local database (no server needed). */
static int token_revoke(int argc, char **argv)
{
	const char *db = NULL;
	const struct tn_option opts[] = {
		{ TN_OPT_STRING, 0, "db", &db, TWONETD_DB,
		  "the database: a SQLite file or a PostgreSQL URI", NULL, 0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd token revoke", "--db " TWONETD_DB " ID...",
		"revoke tokens by id (a running server refuses them at once)", opts, 0 };
	struct tn_err err = TN_ERR_INIT;
	struct store *st;
	int nargs, rc, status = 0;

	if ((rc = twonetd_parse(&cmd, argc, argv, &nargs)) >= 0)
		return rc;
	if (need(db, "--db " TWONETD_DB, &cmd) < 0)
		return 2;
	if (nargs < 1)
		return twonetd_usage_fail(&cmd, "token revoke needs a token id");
	if (store_open(&st, db, 0, &err) != TN_OK)
		return twonetd_fail(&err, 1);
	for (int i = 1; i <= nargs; i++) {
		char *end;
		long id = strtol(argv[i], &end, 10);

		tn_err_clear(&err);
		if (!*argv[i] || *end || id < 1) {
			fprintf(stderr, "twonetd: error: '%s' is not a token id\n", argv[i]);
			status = status ? status : 7;
		} else if (store_token_revoke(st, id, &err) != TN_OK) {
			fprintf(stderr, "twonetd: error: %s\n", err.message);
			status = status ? status : tn_exit_status(err.code);
		} else {
			printf("revoked %ld\n", id);
		}
	}
	store_close(st);
	return status;
}

static int cmd_token(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return token_add(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return token_list(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "revoke") == 0)
		return token_revoke(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: twonetd token add|list|revoke ... (twonetd token SUB --help)\n");
		return 0;
	}
	if (argc >= 2 && argv[1][0] != '-')
		return twonetd_unknown("subcommand", argv[1], "add|list|revoke");
	fprintf(stderr, "twonetd: error: usage: twonetd token add|list|revoke --db DB ...\n");
	return 2;
}

/* A catalog from a .json file: the document tn_catalog_load would build. */
static enum tn_code load_json_catalog(const char *path, jv *out, struct tn_err *err)
{
	jv text = jv_load_file(path, 1), v;

	*out = jv_invalid();
	if (!jv_is_valid(text)) {
		jv msg = jv_invalid_get_msg(text);

		tn_err_set(err, TN_EIO, "cannot read catalog '%s': %s", path,
			   jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "error");
		jv_free(msg);
		return TN_EIO;
	}
	v = tn_json_parse(jv_string_value(text), (size_t)jv_string_length_bytes(jv_copy(text)));
	jv_free(text);
	if (!jv_is_valid(v)) {
		jv msg = jv_invalid_get_msg(v);

		tn_err_set(err, TN_EINVALID, "catalog '%s': %s", path,
			   jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "not JSON");
		jv_free(msg);
		return TN_EINVALID;
	}
	/* the loader's rules hold for a JSON catalog too */
	if (tn_catalog_check_days(v, path, err) != TN_OK) {
		jv_free(v);
		return TN_EINVALID;
	}
	*out = v;
	return TN_OK;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int cmd_import(int argc, char **argv)
{
	const char *db = NULL;
	const struct tn_option opts[] = {
		{ TN_OPT_STRING, 0, "db", &db, TWONETD_DB,
		  "the database: a SQLite file or a PostgreSQL URI", NULL, 0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd import catalog",
		"--db " TWONETD_DB " [DIR | FILE.yaml... | FILE.json]",
		"import the service catalog (default: the shipped one)", opts, 0 };
	struct tn_err err = TN_ERR_INIT;
	struct store *st;
	struct stat sb;
	jv catalog;
	long nd = 0, ni = 0, nw = 0;
	int nargs, rc;
	enum tn_code code;

	if (argc >= 2 && strcmp(argv[1], "assets") == 0)
		return assets_import_cmd(argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "catalog") != 0) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			tn_cli_usage(&cmd, stdout);
			return 0;
		}
		if (argc >= 2 && argv[1][0] != '-')
			return twonetd_unknown("subcommand", argv[1], "catalog|assets");
		fprintf(stderr, "twonetd: error: usage: twonetd import catalog --db DB [DIR]\n");
		return 2;
	}
	argc--;
	argv++;
	if ((rc = twonetd_parse(&cmd, argc, argv, &nargs)) >= 0)
		return rc;
	if (need(db, "--db " TWONETD_DB, &cmd) < 0)
		return 2;
	if (nargs == 0) {
		code = tn_catalog_load(NULL, &catalog, &err);
	} else if (nargs == 1 && ends_with(argv[1], ".json")) {
		code = load_json_catalog(argv[1], &catalog, &err);
	} else if (nargs == 1 && stat(argv[1], &sb) == 0 && S_ISDIR(sb.st_mode)) {
		code = tn_catalog_load(argv[1], &catalog, &err);
	} else {
		const char **files = tn_xcalloc((size_t)nargs + 1, sizeof(*files));

		for (int i = 0; i < nargs; i++)
			files[i] = argv[i + 1];
		code = tn_catalog_load_files(files, &catalog, &err);
		free(files);
	}
	if (code != TN_OK)
		return twonetd_fail(&err, tn_exit_status(code));
	if (store_open(&st, db, 0, &err) != TN_OK) {
		jv_free(catalog);
		return twonetd_fail(&err, 1);
	}
	code = store_catalog_import(st, catalog, &nd, &ni, &nw, &err);
	store_close(st);
	if (code != TN_OK)
		return twonetd_fail(&err, tn_exit_status(code));
	printf("imported %ld departments, %ld items, %ld workflows\n", nd, ni, nw);
	return 0;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("twonetd (twonet) %s\n", TN_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "init") == 0)
		rc = cmd_init(argc - 1, argv + 1);
	else if (strcmp(argv[1], "serve") == 0)
		rc = cmd_serve(argc - 1, argv + 1);
	else if (strcmp(argv[1], "token") == 0)
		rc = cmd_token(argc - 1, argv + 1);
	else if (strcmp(argv[1], "import") == 0)
		rc = cmd_import(argc - 1, argv + 1);
	else if (strcmp(argv[1], "calendar") == 0)
		rc = cmd_calendar(argc - 1, argv + 1);
	else if (strcmp(argv[1], "routes") == 0)
		rc = cmd_routes(argc - 1, argv + 1);
	/* e-certificates (certs_cmd.c) */
	else if (strcmp(argv[1], "issuer") == 0)
		rc = certs_cmd_issuer(argc - 1, argv + 1);
	else if (strcmp(argv[1], "audit") == 0)
		rc = certs_cmd_audit(argc - 1, argv + 1);
	else if (strcmp(argv[1], "backup") == 0)       /* backup.c */
		rc = backup_cmd(argc - 1, argv + 1);
	else if (strcmp(argv[1], "restore") == 0)
		rc = restore_cmd(argc - 1, argv + 1);
	else if (strcmp(argv[1], "copy") == 0)         /* copycmd.c */
		rc = copy_cmd(argc - 1, argv + 1);
	else {
		rc = twonetd_unknown("command", argv[1],
				     "init|serve|token|import|calendar|routes|issuer|audit|copy");
		usage(stderr);
	}
	return rc;
}
