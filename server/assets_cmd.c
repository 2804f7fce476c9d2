/* assets_cmd.c — twonetd import assets: a GeoJSON FeatureCollection into the asset register, every feature checked, in one transaction, idempotent by id. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tn_asset.h"
#include "tn_cli.h"
#include "store_assets.h"
#include "twonetd.h"

/* The errors shown before "... and N more". */
#define SHOWN_MAX 20

struct import {
	struct tn_asset_reader *r;
	long bad, read;
};

/*
 * store_asset_next_fn: the next feature made an ASSET.  A faulty feature is
 * told on stderr (FILE:LINE: FIELD: what) and skipped; reading goes on so
 * that every fault is told, and the end then stops the import (-1): the
 * transaction is rolled back, nothing written.
 */
static int next(void *ctx, jv *doc, struct tn_err *err)
{
	struct import *im = ctx;

	for (;;) {
		struct tn_err e = TN_ERR_INIT;
		jv f;
		long line;
		int rc = tn_asset_reader_next(im->r, &f, &line, err);

		if (rc < 0)
			return -1;
		if (rc == 0) {
			if (im->bad == 0)
				return 0;
			if (im->bad > SHOWN_MAX)
				fprintf(stderr, "twonetd: ... and %ld more\n", im->bad - SHOWN_MAX);
			tn_err_set(err, TN_EINVALID, "%ld of %ld features in '%s' are not valid; "
				   "nothing imported", im->bad, im->read,
				   tn_asset_reader_name(im->r));
			return -1;
		}
		im->read++;
		if (tn_asset_from_feature(f, doc, &e) == TN_OK) {
			jv_free(f);
			return 1;
		}
		jv_free(f);
		if (++im->bad <= SHOWN_MAX)
			fprintf(stderr, "%s:%ld: %s\n", tn_asset_reader_name(im->r), line, e.message);
	}
}

int assets_import_cmd(int argc, char **argv)
{
	const char *db = NULL;
	const struct tn_option opts[] = {
		{ TN_OPT_STRING, 0, "db", &db, TWONETD_DB,
		  "the database: a SQLite file or a PostgreSQL URI", NULL, 0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd import assets", "--db " TWONETD_DB " FILE.geojson",
		"import the asset register from a GeoJSON FeatureCollection ('-': stdin)", opts, 0 };
	struct tn_err err = TN_ERR_INIT;
	struct import im = { NULL, 0, 0 };
	struct store *st;
	long counts[3] = { 0, 0, 0 };
	int nargs, rc;
	enum tn_code code;

	if ((rc = twonetd_parse(&cmd, argc, argv, &nargs)) >= 0)
		return rc;
	if (!db || !*db)
		return twonetd_usage_fail(&cmd, "import assets requires --db " TWONETD_DB);
	if (nargs != 1)
		return twonetd_usage_fail(&cmd, "import assets takes one FILE.geojson");
	if (tn_asset_reader_open(&im.r, argv[1], &err) != TN_OK)
		return twonetd_fail(&err, tn_exit_status(err.code));
	if (store_open(&st, db, 0, &err) != TN_OK) {
		tn_asset_reader_close(im.r);
		return twonetd_fail(&err, 1);
	}
	code = store_assets_import(st, next, &im, (long long)time(NULL), counts, &err);
	store_close(st);
	tn_asset_reader_close(im.r);
	if (code != TN_OK)
		return twonetd_fail(&err, tn_exit_status(code));
	printf("%ld added, %ld updated, %ld unchanged\n", counts[STORE_ASSET_ADDED],
	       counts[STORE_ASSET_UPDATED], counts[STORE_ASSET_UNCHANGED]);
	return 0;
}
