/* vitalsout.c — city-vitals' fetch and output: GET /v1/vitals, the indicators picked by id, written as lines, a table or JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tn_cli.h"
#include "tn_http.h"
#include "tn_jv.h"
#include "tn_out.h"
#include "tn_text.h"
#include "tn_vitals.h"

enum tn_code tn_vitals_get(struct tn_client *c, jv *out, struct tn_err *err)
{
	enum tn_code rc = tn_client_get(c, "/v1/vitals", out, err);
	jv list = rc == TN_OK ? tn_jv_get(*out, "indicators") : jv_null();
	int is_list = jv_get_kind(list) == JV_KIND_ARRAY;

	jv_free(list);
	if (rc == TN_OK && (jv_get_kind(*out) != JV_KIND_OBJECT || !is_list)) {
		jv_free(*out);
		*out = jv_invalid();
		rc = tn_err_set(err, TN_ESERVER, "the server's vital signs are not a VITALS object");
	}
	return rc;
}

enum tn_code tn_vitals_pick(jv *body, const char *ids, struct tn_err *err)
{
	jv list, kept = jv_array();
	char *copy, *save = NULL;

	if (!ids) {
		jv_free(kept);
		return TN_OK;
	}
	list = tn_jv_array(*body, "indicators");
	copy = tn_xstrdup(ids);
	for (char *id = strtok_r(copy, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
		int found = 0;

		jv_array_foreach(list, i, ind) {
			if (!found && tn_jv_str(ind, "id") && strcmp(tn_jv_str(ind, "id"), id) == 0) {
				kept = jv_array_append(kept, jv_copy(ind));
				found = 1;
			}
			jv_free(ind);
		}
		if (!found) {
			tn_err_set(err, TN_ENOTFOUND, "no indicator '%s' on the server", id);
			free(copy);
			jv_free(list);
			jv_free(kept);
			jv_free(*body);
			*body = jv_invalid();
			return TN_ENOTFOUND;
		}
	}
	free(copy);
	jv_free(list);
	*body = jv_object_set(*body, jv_string("indicators"), kept);
	*body = jv_object_set(*body, jv_string("level"),
			      tn_jv_string_or_null(tn_vital_level_name(tn_vitals_worst(*body))));
	return TN_OK;
}

static enum tn_code write_json(FILE *fp, jv body, const char *jq, struct tn_err *err)
{
	struct tn_common common;
	struct tn_out out;
	enum tn_code rc;

	memset(&common, 0, sizeof(common));
	common.format = jq ? NULL : "json";
	common.jq = jq;
	if ((rc = tn_out_open(&out, fp, &common, 0, NULL, err)) != TN_OK)
		return rc;
	rc = tn_out_emit(&out, jv_copy(body), err);
	if (tn_out_close(&out, rc == TN_OK ? err : NULL) != TN_OK && rc == TN_OK)
		rc = err->code;
	return rc;
}

enum tn_code tn_vitals_write(FILE *fp, jv body, const char *format, const char *jq, int no_color,
			     struct tn_err *err)
{
	const char *nc = getenv("NO_COLOR");
	int tty = isatty(fileno(fp)), width = 0;
	int color = tty && !no_color && !(nc && *nc);
	struct winsize ws;
	struct tn_buf b = TN_BUF_INIT;
	jv list;

	if (!format)
		format = tty && !jq ? "table" : "json";
	if (strcmp(format, "json") == 0 || jq)
		return write_json(fp, body, jq, err);
	if (tty && ioctl(fileno(fp), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		width = ws.ws_col;
	list = tn_jv_array(body, "indicators");
	if (strcmp(format, "table") == 0) {
		tn_vitals_table_header(&b, width);
		tn_buf_addch(&b, '\n');
	}
	jv_array_foreach(list, i, ind) {
		if (strcmp(format, "line") == 0)
			tn_vitals_format_line(&b, ind, color);
		else
			tn_vitals_format_row(&b, ind, width, color);
		tn_buf_addch(&b, '\n');
		jv_free(ind);
	}
	jv_free(list);
	if (strcmp(format, "table") == 0)
		tn_buf_addf(&b, "截至 %s  总体 %s\n", tn_jv_str_or(body, "as_of", "?"),
			    tn_jv_str_or(body, "level", "unknown"));
	fputs(b.buf, fp);
	tn_buf_release(&b);
	if (fflush(fp) != 0 || ferror(fp))
		return tn_err_set(err, TN_EIO, "cannot write the output");
	return TN_OK;
}
