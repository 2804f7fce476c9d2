/* alert-post.c — raise city-operations alerts: from flags, a JSON file, CAP 1.2 XML, or NDJSON in bulk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "twonet.h"
#include "tn_alert.h"
#include "tn_cap.h"
#include "tn_case.h"

static const char *prog = "alert-post";

static struct tn_alert_spec spec;
static const char *file, *cap_file, *format, *jq;
static int bulk, dry_run, no_color;
static long batch = 100;

static const struct tn_option options[] = {
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Alert options:", NULL, 0 },
	{ TN_OPT_STRING, 0, "source", &spec.source, "ID", "the sensor or system raising it", NULL, 0 },
	{ TN_OPT_STRING, 0, "source-id", &spec.source_id, "ID",
	  "the source's own id of the alert (default: derived from the content)", NULL, 0 },
	{ TN_OPT_STRING, 0, "kind", &spec.kind, "KIND", "what it is: water_depth, pump_fault, crowd_density ...", NULL, 0 },
	{ TN_OPT_STRING, 0, "severity", &spec.severity, "SEV",
	  "blue|yellow|orange|red (or CAP's Minor..Extreme)", NULL, 0 },
	{ TN_OPT_STRING, 0, "district", &spec.district, "DISTRICT", "district code, name or pinyin (310101, 黄浦区, huangpu)", NULL, 0 },
	{ TN_OPT_STRING, 0, "lat", &spec.lat, "DEG", "latitude (WGS 84)", NULL, 0 },
	{ TN_OPT_STRING, 0, "lon", &spec.lon, "DEG", "longitude (WGS 84)", NULL, 0 },
	{ TN_OPT_STRING, 0, "address", &spec.address, "TEXT", "where it is", NULL, 0 },
	{ TN_OPT_STRING, 0, "value", &spec.value, "NUM", "the measured value", NULL, 0 },
	{ TN_OPT_STRING, 0, "threshold", &spec.threshold, "NUM", "the threshold it passed", NULL, 0 },
	{ TN_OPT_STRING, 0, "unit", &spec.unit, "UNIT", "unit of value and threshold", NULL, 0 },
	{ TN_OPT_STRING, 0, "headline", &spec.headline, "TEXT", "one line for people", NULL, 0 },
	{ TN_OPT_STRING, 0, "text", &spec.text, "TEXT", "the longer description", NULL, 0 },
	{ TN_OPT_STRING, 0, "sent-at", &spec.sent_at, "TIME", "when the source observed it (RFC 3339)", NULL, 0 },
	{ TN_OPT_STRING, 0, "onset-at", &spec.onset_at, "TIME", "when it begins (RFC 3339)", NULL, 0 },
	{ TN_OPT_STRING, 0, "expires-at", &spec.expires_at, "TIME", "when it no longer holds (RFC 3339)", NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Input options:", NULL, 0 },
	{ TN_OPT_STRING, 'f', "file", &file, "FILE", "read the alert from a JSON or YAML file (- for stdin)", NULL, 0 },
	{ TN_OPT_STRING, 0, "cap", &cap_file, "FILE", "read the alert from a CAP 1.2 XML file (- for stdin)", NULL, 0 },
	{ TN_OPT_FLAG, 0, "bulk", &bulk, NULL, "post every NDJSON line of stdin as an alert", NULL, 0 },
	{ TN_OPT_LONG, 0, "batch", &batch, "N", "with --bulk: alerts per request, 1 to 1000 (default 100)", NULL, 0 },
	{ TN_OPT_FLAG, 'n', "dry-run", &dry_run, NULL, "check and print each alert; send nothing", NULL, 0 },
	{ TN_OPT_GROUP, 0, NULL, NULL, NULL, "Output options:", NULL, 0 },
	{ TN_OPT_STRING, 0, "format", &format, "FMT",
	  "ndjson|json|table|cap (default: table on a terminal, NDJSON otherwise)", TN_ALERT_FORMATS, 0 },
	{ TN_OPT_STRING, 0, "jq", &jq, "EXPR", "filter each alert written through a jq expression", NULL, 0 },
	{ TN_OPT_FLAG, 0, "no-color", &no_color, NULL, "never use colour (also NO_COLOR)", NULL, 0 },
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"alert-post",
	"--source ID --kind KIND --severity SEV --district DISTRICT [ALERT OPTIONS] [OPTIONS]\n"
	"-f FILE [ALERT OPTIONS] [OPTIONS]\n"
	"--cap FILE [ALERT OPTIONS] [OPTIONS]\n"
	"--bulk [--batch N] [OPTIONS] < alerts.ndjson",
	"Raise city-operations alerts; a repeat of the same source and source id is the same alert.",
	options, TN_CMD_SERVER | TN_CMD_NO_OPERANDS
};

struct bulk_ctx {
	struct tn_alert_writer *w;
	int stop;
};

static void on_result(void *ctx, long line, enum tn_code code, jv alert, int replayed,
		      const struct tn_err *err)
{
	struct bulk_ctx *b = ctx;
	struct tn_err e = TN_ERR_INIT;

	if (code != TN_OK) {
		tn_cli_fail(prog, err);
		return;
	}
	if (b->stop) {
		jv_free(alert);
		return;
	}
	if (tn_alert_writer_emit(b->w, alert, NULL, &e) != TN_OK) {
		if (b->w->broken_pipe)
			b->stop = 1;
		else
			tn_cli_fail(prog, &e);
	}
}

static int run_bulk(struct tn_client *c, struct tn_alert_writer *w)
{
	struct bulk_ctx b = { w, 0 };
	struct tn_alert_stats st;
	struct tn_err err = TN_ERR_INIT;
	enum tn_code rc;

	int status;

	rc = tn_alert_post_bulk(c, stdin, "stdin", batch, dry_run, on_result, &b, &st, &err);
	/* what was raised, what failed, whether it stopped early; then what stopped it
	 * (the last line: flood-sim reports it) */
	if (st.updated)         /* the line flood-sim reads stays the same without updates */
		fprintf(stderr, "%s: updated %ld (updates and cancels applied)\n", prog, st.updated);
	fprintf(stderr, "%s: %s %ld, replayed %ld, failed %ld%s\n", prog,
		dry_run ? "checked" : "created", st.created, st.replayed, st.failed,
		rc == TN_EINTR ? "; interrupted" :
		rc != TN_OK && rc != TN_EPARTIAL ? "; stopped: the rest not tried" : "");
	if (rc == TN_OK || rc == TN_EPARTIAL)
		status = tn_exit_status(rc);
	else
		status = tn_cli_fail(prog, &err);
	return status;
}

static int run_single(struct tn_client *c, struct tn_alert_writer *w)
{
	struct tn_err err = TN_ERR_INIT;
	jv base = jv_null(), body, alert, created;
	int replayed = 0;

	if (cap_file && tn_cap_read_file(cap_file, spec.severity ? TN_CAP_ALLOW_UNKNOWN_SEVERITY : 0,
					 &base, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (file && tn_case_read_file(file, &base, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (tn_alert_apply_spec(base, &spec, &body, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (tn_alert_normalize(body, 1, &alert, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (dry_run) {
		created = alert;
	} else {
		int update = tn_jv_has(alert, "msg_type");

		if (tn_alert_post(c, alert, &created, &replayed, &err) != TN_OK)
			return tn_cli_fail(prog, &err);
		/* an update or a cancel answers 200 with the alert it changed: no replay to tell */
		if (replayed && !update) {
			long long id = tn_alert_ll(created, "id");
			fprintf(stderr, "%s: alert %lld was raised before (same source and source id); nothing new raised\n",
				prog, id);
		}
	}
	if (tn_alert_writer_emit(w, created, NULL, &err) != TN_OK && !w->broken_pipe)
		return tn_cli_fail(prog, &err);
	return 0;
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct tn_alert_writer w;
	int status;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	if (bulk + (file != NULL) + (cap_file != NULL) > 1)
		tn_err_set(&err, TN_EUSAGE, "--bulk, --file and --cap are exclusive");
	else if (bulk && tn_alert_spec_any(&spec))
		tn_err_set(&err, TN_EUSAGE, "--bulk takes every alert from stdin, not from flags");
	else if (!bulk && !file && !cap_file && !tn_alert_spec_any(&spec))
		tn_err_set(&err, TN_EUSAGE, "nothing to post: give alert options, --file, --cap or --bulk");
	else if (batch < 1 || batch > 1000)
		tn_err_set(&err, TN_EUSAGE, "--batch takes 1 to 1000, not %ld", batch);
	if (err.code != TN_OK)
		return tn_cli_fail(prog, &err);
	if (tn_cmd_setup(&x, TN_SETUP_CONFIG, 0, NULL, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (tn_alert_writer_open(&w, stdout, tn_cmd_format(&x, format, TN_ALERT_FORMATS), jq, no_color,
				 &err) != TN_OK)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	tn_cmd_setup(&x, TN_SETUP_SIGNALS | (dry_run ? 0 : TN_SETUP_CLIENT), 0, NULL, &err);
	status = bulk ? run_bulk(x.client, &w) : run_single(x.client, &w);
	tn_alert_writer_close(&w);
	return tn_cmd_finish(&x, status);
}
