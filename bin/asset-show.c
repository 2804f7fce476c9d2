/* asset-show.c — show assets of the city's register: key: value lines on a terminal, JSON otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twonet.h"
#include "tn_asset.h"
#include "tn_assetnet.h"
#include "tn_case.h"

static const char *prog = "asset-show";

static const struct tn_option options[] = {
	TN_OPT_END_ENTRY
};

static const struct tn_cmd cmd = {
	"asset-show",
	"[OPTIONS] ID...",
	"Show assets of the city's register by id: kind, name, district and street, owner\n"
	"department, position, live state, version and the kind's own properties.",
	options, TN_CMD_OUTPUT | TN_CMD_SERVER
};

/* A member's value as text ("" when null or absent); numbers as JSON writes them. */
static void value(struct tn_buf *b, jv v)
{
	if (jv_get_kind(v) == JV_KIND_STRING) {
		tn_buf_adds(b, jv_string_value(v));
	} else if (jv_get_kind(v) != JV_KIND_NULL && jv_is_valid(v)) {
		jv d = jv_dump_string(jv_copy(v), 0);

		tn_buf_adds(b, jv_string_value(d));
		jv_free(d);
	}
	jv_free(v);
}

/* The text view of `a` (consumed). */
static void show_text(jv a, int first)
{
	static const char *const keys[] = { "id", "kind", "name", "district", "district_name",
					    "street", "street_name", "department", "lat", "lon",
					    "state", "version", "updated_at", NULL };
	struct tn_buf b = TN_BUF_INIT;
	jv props = tn_jv_object(a, "props");

	if (!first)
		tn_buf_addch(&b, '\n');
	for (int i = 0; keys[i]; i++) {
		tn_buf_addf(&b, "%-14s", keys[i]);
		tn_buf_adds(&b, " ");
		value(&b, jv_object_get(jv_copy(a), jv_string(keys[i])));
		tn_buf_addch(&b, '\n');
	}
	jv_object_foreach(props, k, v) {
		tn_buf_addf(&b, "%-14s ", jv_string_value(k));
		value(&b, v);
		tn_buf_addch(&b, '\n');
		jv_free(k);
	}
	fputs(b.buf, stdout);
	tn_buf_release(&b);
	jv_free(props);
	jv_free(a);
}

int main(int argc, char **argv)
{
	struct tn_cmd_ctx x;
	struct tn_err err = TN_ERR_INIT;
	struct tn_cmd_bulk b;
	int nargs, text;

	if (tn_cmd_parse(&x, &cmd, argc, argv, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	if (x.done)
		return 0;
	if ((nargs = x.nargs) == 0) {
		tn_err_set(&err, TN_EUSAGE, "no asset id given");
		return tn_cli_fail(prog, &err);
	}
	for (int i = 1; i <= nargs; i++)
		if (!tn_asset_id_valid(argv[i])) {
			tn_err_set(&err, TN_EINVALID, "'%s' is not an asset id", argv[i]);
			return tn_cli_fail(prog, &err);
		}
	if (tn_cmd_setup(&x, TN_SETUP_CONFIG, 0, NULL, &err) != TN_OK)
		return tn_cli_fail(prog, &err);
	text = tn_case_text_view(&x.common, stdout);
	if (tn_cmd_setup(&x, (text ? 0 : TN_SETUP_OUT) | TN_SETUP_SIGNALS | TN_SETUP_CLIENT,
			 nargs > 1, NULL, &err) != TN_OK)
		return tn_cmd_finish(&x, tn_cli_fail(prog, &err));
	memset(&b, 0, sizeof(b));
	b.prog = prog;
	b.out = &x.out;
	for (int i = 1; i <= nargs && !b.stop && !tn_cli_interrupted(); i++) {
		jv a;
		enum tn_code rc = tn_asset_get(x.client, argv[i], &a, &err);

		if (rc == TN_OK && text) {
			show_text(a, i == 1);
			b.done++;
		} else {
			tn_cmd_bulk_result(&b, rc, rc == TN_OK ? a : jv_invalid(), &err, NULL, argv[i],
					   0);
		}
	}
	return tn_cmd_bulk_end(&x, &b, NULL);
}
