/* assetfile.c — a GeoJSON FeatureCollection read one feature at a time (jq's streaming parser), each with the line it starts on. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_asset.h"
#include "tn_buf.h"

struct tn_asset_reader {
	FILE *f;
	char *name;
	jv_parser *p;
	char *buf;
	size_t cap;
	long line;              /* lines fed to the parser so far */
	int fed_end;            /* the end of the file was told to the parser */
	jv cur;                 /* the feature being put together, or invalid */
	long idx, cur_line;     /* its index in "features" and first line */
	int type_seen, features_seen, failed;
};

enum tn_code tn_asset_reader_open(struct tn_asset_reader **out, const char *path,
				  struct tn_err *err)
{
	struct tn_asset_reader *r;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");

	*out = NULL;
	if (!f)
		return tn_err_set(err, TN_EIO, "cannot open '%s': %s", path, strerror(errno));
	r = tn_xmalloc(sizeof(*r));
	memset(r, 0, sizeof(*r));
	r->f = f;
	r->name = tn_xstrdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
	r->p = jv_parser_new(JV_PARSE_STREAMING);
	r->cur = jv_invalid();
	r->idx = -1;
	*out = r;
	return TN_OK;
}

const char *tn_asset_reader_name(const struct tn_asset_reader *r)
{
	return r->name;
}

void tn_asset_reader_close(struct tn_asset_reader *r)
{
	if (!r)
		return;
	if (r->f && r->f != stdin)
		fclose(r->f);
	jv_parser_free(r->p);
	jv_free(r->cur);
	free(r->buf);
	free(r->name);
	free(r);
}

static int fail(struct tn_asset_reader *r, struct tn_err *err, const char *what)
{
	r->failed = 1;
	tn_err_set(err, TN_EINVALID, "%s:%ld: %s", r->name, r->line ? r->line : 1, what);
	return -1;
}

/* The feature put together so far handed out: 1. */
static int emit(struct tn_asset_reader *r, jv *feature, long *line)
{
	*feature = r->cur;
	*line = r->cur_line;
	r->cur = jv_invalid();
	r->features_seen++;
	return 1;
}

/*
 * One event of the streaming parser: [path, leaf] or [path] (a container
 * closed).  1 when a feature is complete (*feature set), 0 to go on, -1 on
 * a file that is not a FeatureCollection.
 */
static int event(struct tn_asset_reader *r, jv ev, jv *feature, long *line, struct tn_err *err)
{
	jv path = jv_array_get(jv_copy(ev), 0);
	int n = jv_array_length(jv_copy(path)), has_leaf = jv_array_length(jv_copy(ev)) == 2;
	jv top = n > 0 ? jv_array_get(jv_copy(path), 0) : jv_null();
	int rc = 0;

	if (n == 0 || jv_get_kind(top) != JV_KIND_STRING) {
		/* a scalar or an array at the top */
		rc = fail(r, err, "not a GeoJSON FeatureCollection (an object with \"features\")");
	} else if (strcmp(jv_string_value(top), "type") == 0 && n == 1 && has_leaf) {
		jv v = jv_array_get(jv_copy(ev), 1);

		if (jv_get_kind(v) != JV_KIND_STRING ||
		    strcmp(jv_string_value(v), "FeatureCollection") != 0)
			rc = fail(r, err, "type: not a GeoJSON FeatureCollection");
		r->type_seen = 1;
		jv_free(v);
	} else if (strcmp(jv_string_value(top), "features") == 0) {
		jv i = n > 1 ? jv_array_get(jv_copy(path), 1) : jv_null();

		if (n == 1 && has_leaf) {
			jv v = jv_array_get(jv_copy(ev), 1);

			if (jv_get_kind(v) != JV_KIND_ARRAY)
				rc = fail(r, err, "features: must be an array of Features");
			jv_free(v);
		} else if (n >= 2 && jv_get_kind(i) != JV_KIND_NUMBER) {
			rc = fail(r, err, "features: must be an array of Features");
		} else if (n >= 2) {
			long idx = (long)jv_number_value(i);

			if (idx != r->idx) {
				jv_free(r->cur);
				r->cur = jv_object();
				r->idx = idx;
				r->cur_line = r->line;
			}
			if (has_leaf) {
				jv rest = jv_array_slice(jv_copy(path), 2, n);

				if (n == 2) {   /* a feature that is a scalar or empty: handed out as it is */
					jv_free(rest);
					jv_free(r->cur);
					r->cur = jv_array_get(jv_copy(ev), 1);
				} else {
					r->cur = jv_setpath(r->cur, rest, jv_array_get(jv_copy(ev), 1));
				}
				if (n == 2)
					rc = emit(r, feature, line);
			} else if (n == 3) {
				rc = emit(r, feature, line);
			}
		}
		jv_free(i);
	}
	jv_free(top);
	jv_free(path);
	jv_free(ev);
	return rc;
}

int tn_asset_reader_next(struct tn_asset_reader *r, jv *feature, long *line, struct tn_err *err)
{
	*feature = jv_invalid();
	*line = 0;
	if (r->failed)
		return -1;
	for (;;) {
		jv ev;
		ssize_t got;

		while (jv_is_valid(ev = jv_parser_next(r->p))) {
			int rc = event(r, ev, feature, line, err);

			if (rc != 0)
				return rc;
		}
		if (jv_invalid_has_msg(jv_copy(ev))) {
			jv msg = jv_invalid_get_msg(ev);
			char what[512];

			snprintf(what, sizeof(what), "not JSON: %s", jv_string_value(msg));
			jv_free(msg);
			return fail(r, err, what);
		}
		jv_free(ev);
		if (r->fed_end)
			break;
		got = getline(&r->buf, &r->cap, r->f);
		if (got < 0) {
			if (ferror(r->f)) {
				r->failed = 1;
				return tn_err_set(err, TN_EIO, "cannot read '%s': %s", r->name,
						  strerror(errno)), -1;
			}
			r->fed_end = 1;
			jv_parser_set_buf(r->p, "", 0, 0);
			continue;
		}
		r->line++;
		jv_parser_set_buf(r->p, r->buf, (int)got, 1);
	}
	if (!r->type_seen && !r->features_seen)
		return fail(r, err, "not a GeoJSON FeatureCollection (no \"type\" nor \"features\")");
	return 0;
}
