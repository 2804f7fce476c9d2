/* ndjson.c — fuzz target: bulk input on stdin (case-submit --bulk, alert-post --bulk, case-act), in dry runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "tn_alert.h"
#include "tn_case.h"
#include "tn_ndjson.h"

#include "fuzz.h"

/*
 * The input is what a pipeline writes to a bulk command's stdin.  It is read
 * three times, as each command reads it: tn_case_submit_bulk and
 * tn_alert_post_bulk in dry runs (every record prepared or normalised,
 * nothing sent), and case-act's lines (tn_ndjson_next_line, then
 * tn_case_id_from_line).  Every record is reported, good or bad: the counts
 * must add up.
 */

static long results;

FUZZ_SIMPLE_INIT

static void on_case(void *ctx, long line, enum tn_code code, jv kase, int replayed,
		    const struct tn_err *err)
{
	(void)ctx;
	(void)replayed;
	FUZZ_ASSERT(line >= 1, "a record has a line number");
	FUZZ_ASSERT(code == TN_OK || (err && err->message[0]), "a failed record says why");
	results++;
	jv_free(kase);
}

static void on_alert(void *ctx, long line, enum tn_code code, jv alert, int replayed,
		     const struct tn_err *err)
{
	on_case(ctx, line, code, alert, replayed, err);
}

static FILE *open_input(const uint8_t *data, size_t size)
{
	FILE *fp = fopen(fuzz_memfile(data, size), "r");

	if (!fp)
		abort();
	return fp;
}

int fuzz_one(const uint8_t *data, size_t size)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_case_stats cs;
	struct tn_alert_stats as;
	struct tn_ndjson r;
	const char *line;
	FILE *fp;
	int n;

	fp = open_input(data, size);
	results = 0;
	tn_case_submit_bulk(NULL, fp, "stdin", 1, 1, on_case, NULL, &cs, &err);
	FUZZ_ASSERT(results == cs.read && cs.read == cs.filed + cs.failed,
		    "every case record read is reported once, filed or failed");
	fclose(fp);

	fp = open_input(data, size);
	results = 0;
	tn_err_clear(&err);
	tn_alert_post_bulk(NULL, fp, "stdin", 100, 1, on_alert, NULL, &as, &err);
	FUZZ_ASSERT(results == as.read && as.read == as.created + as.failed,
		    "every alert record read is reported once, created or failed");
	fclose(fp);

	fp = open_input(data, size);
	tn_ndjson_init(&r, fp, "stdin");
	while ((n = tn_ndjson_next_line(&r, &line, &err)) != 0) {
		long version;
		char *id;

		if (n < 0) {
			if (err.code == TN_EIO)
				break;
			continue;
		}
		if ((id = tn_case_id_from_line(line, &version, &err)) != NULL)
			free(id);
	}
	tn_ndjson_release(&r);
	fclose(fp);
	return 0;
}
