/* certdata.c — certificate kinds (share/twonet/certs/kinds.yaml) and the issuers' key cache under $XDG_CACHE_HOME. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tn_case.h"
#include "tn_cert.h"
#include "tn_cli.h"
#include "tn_id.h"
#include "tn_jv.h"

static int all36(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z')))
			return 0;
	return 1;
}

/* Check the departments section; builds {CODE:{uscc,name}} in *out. */
static enum tn_code load_departments(const char *path, jv depts, jv *out, struct tn_err *err)
{
	struct tn_err e = TN_ERR_INIT;
	int n;

	*out = jv_object();
	if (jv_get_kind(depts) != JV_KIND_ARRAY)
		return tn_err_set(err, TN_EINVALID, "%s: no 'departments' list", path);
	n = jv_array_length(jv_copy(depts));
	for (int i = 0; i < n; i++) {
		jv d = jv_array_get(jv_copy(depts), i);
		const char *code = tn_jv_str(d, "code"), *uscc = tn_jv_str(d, "uscc");
		const char *name = tn_jv_str(d, "name");
		enum tn_code rc = TN_OK;

		if (!code || !uscc || !name)
			rc = tn_err_set(err, TN_EINVALID, "%s: department %d needs code, name and uscc",
					path, i + 1);
		else if (tn_id_check_uscc(uscc, NULL, NULL, &e) != TN_OK)
			rc = tn_err_set(err, TN_EINVALID, "%s: department '%s': %s", path, code, e.message);
		if (rc != TN_OK) {
			jv_free(d);
			return rc;
		}
		jv o = jv_object_set(jv_object(), jv_string("uscc"), jv_string(uscc));
		o = jv_object_set(o, jv_string("name"), jv_string(name));
		*out = jv_object_set(*out, jv_string(code), o);
		jv_free(d);
	}
	return TN_OK;
}

/* Check one kind (borrowed) against what is known; TN_EINVALID naming it. */
static enum tn_code check_kind(const char *path, jv k, jv depts, jv seen, struct tn_err *err)
{
	const char *code = tn_jv_str(k, "code"), *alias = tn_jv_str(k, "alias");
	const char *name = tn_jv_str(k, "name"), *dept = tn_jv_str(k, "dept");
	const char *ht = tn_jv_str(k, "holder_type");
	jv fields, d;
	int n, ok;

	if (!code)
		return tn_err_set(err, TN_EINVALID, "%s: a kind has no code", path);
	if (strlen(code) != TN_CERT_KIND_LEN || !all36(code))
		return tn_err_set(err, TN_EINVALID, "%s: kind '%s': code is not %d characters of 0-9 A-Z",
				  path, code, TN_CERT_KIND_LEN);
	if (!alias || !name || !dept || !ht)
		return tn_err_set(err, TN_EINVALID, "%s: kind '%s' needs alias, name, dept and holder_type",
				  path, code);
	if (strcmp(ht, "person") && strcmp(ht, "org"))
		return tn_err_set(err, TN_EINVALID, "%s: kind '%s': holder_type '%s' is not person or org",
				  path, code, ht);
	d = jv_object_get(jv_copy(depts), jv_string(dept));
	ok = jv_is_valid(d);
	jv_free(d);
	if (!ok)
		return tn_err_set(err, TN_EINVALID, "%s: kind '%s': unknown department '%s'", path, code, dept);
	for (int i = 0; i < 2; i++) {
		const char *key = i ? alias : code;
		jv s = jv_object_get(jv_copy(seen), jv_string(key));
		ok = !jv_is_valid(s);
		jv_free(s);
		if (!ok)
			return tn_err_set(err, TN_EINVALID, "%s: kind '%s': '%s' is used twice", path, code, key);
	}
	fields = tn_jv_get(k, "fields");
	if (jv_get_kind(fields) != JV_KIND_ARRAY || (n = jv_array_length(jv_copy(fields))) == 0) {
		jv_free(fields);
		return tn_err_set(err, TN_EINVALID, "%s: kind '%s' has no fields", path, code);
	}
	for (int i = 0; i < n; i++) {
		jv f = jv_array_get(jv_copy(fields), i);
		ok = tn_jv_str(f, "name") && tn_jv_str(f, "label");
		jv_free(f);
		if (!ok) {
			jv_free(fields);
			return tn_err_set(err, TN_EINVALID, "%s: kind '%s': field %d needs name and label",
					  path, code, i + 1);
		}
	}
	jv_free(fields);
	return TN_OK;
}

enum tn_code tn_cert_kinds_load(const char *path, jv *out, struct tn_err *err)
{
	struct tn_buf def = TN_BUF_INIT;
	jv doc, depts, kinds, seen, list;
	enum tn_code rc;
	int n;

	*out = jv_invalid();
	if (!path) {
		tn_buf_addf(&def, "%s/certs/kinds.yaml", tn_sharedir());
		path = def.buf;
	}
	rc = tn_case_read_file(path, &doc, err);
	if (rc == TN_OK && jv_get_kind(doc) != JV_KIND_OBJECT) {
		jv_free(doc);
		rc = tn_err_set(err, TN_EINVALID, "%s: not a mapping of departments and kinds", path);
	}
	if (rc != TN_OK) {
		tn_buf_release(&def);
		return rc;
	}
	list = tn_jv_get(doc, "departments");
	rc = load_departments(path, list, &depts, err);
	jv_free(list);
	kinds = tn_jv_get(doc, "kinds");
	seen = jv_object();
	list = jv_array();
	if (rc == TN_OK && jv_get_kind(kinds) != JV_KIND_ARRAY)
		rc = tn_err_set(err, TN_EINVALID, "%s: no 'kinds' list", path);
	n = rc == TN_OK ? jv_array_length(jv_copy(kinds)) : 0;
	for (int i = 0; i < n && rc == TN_OK; i++) {
		jv k = jv_array_get(jv_copy(kinds), i);
		rc = check_kind(path, k, depts, seen, err);
		if (rc == TN_OK) {
			seen = jv_object_set(seen, jv_string(tn_jv_str(k, "code")), jv_true());
			seen = jv_object_set(seen, jv_string(tn_jv_str(k, "alias")), jv_true());
			list = jv_array_append(list, jv_copy(k));
		}
		jv_free(k);
	}
	if (rc == TN_OK) {
		jv o = jv_object_set(jv_object(), jv_string("departments"), depts);
		*out = jv_object_set(o, jv_string("kinds"), list);
	} else {
		jv_free(depts);
		jv_free(list);
	}
	jv_free(kinds);
	jv_free(seen);
	jv_free(doc);
	tn_buf_release(&def);
	return rc;
}

jv tn_cert_kind_find(jv kinds, const char *code)
{
	jv list = jv_get_kind(kinds) == JV_KIND_OBJECT
		  ? tn_jv_get(kinds, "kinds") : jv_copy(kinds);
	jv found = jv_invalid();
	int n;

	if (jv_get_kind(list) != JV_KIND_ARRAY || !code) {
		jv_free(list);
		return found;
	}
	n = jv_array_length(jv_copy(list));
	for (int i = 0; i < n; i++) {
		jv k = jv_array_get(jv_copy(list), i);
		const char *c = tn_jv_str(k, "code"), *a = tn_jv_str(k, "alias");
		if ((c && !strcmp(c, code)) || (a && !strcmp(a, code))) {
			found = k;
			break;
		}
		jv_free(k);
	}
	jv_free(list);
	return found;
}

/* ---- the issuers' cache ---- */

char *tn_cert_cache_path(void)
{
	struct tn_buf b = TN_BUF_INIT;
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (x && *x)
		tn_buf_addf(&b, "%s/twonet/issuers.json", x);
	else
		tn_buf_addf(&b, "%s/.cache/twonet/issuers.json", home && *home ? home : ".");
	return tn_buf_detach(&b, NULL);
}

/* The whole cache file, or an empty one when there is none.  TN_EINVALID when damaged. */
static enum tn_code cache_load(const char *path, jv *out, int *missing, struct tn_err *err)
{
	struct tn_buf text = TN_BUF_INIT;
	char chunk[8192];
	size_t n;
	FILE *fp = fopen(path, "r");

	*missing = 0;
	if (!fp) {
		*missing = 1;
		*out = jv_object_set(jv_object(), jv_string("servers"), jv_object());
		if (errno == ENOENT)
			return TN_OK;
		return tn_err_set(err, TN_EIO, "cannot read '%s': %s", path, strerror(errno));
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		tn_buf_add(&text, chunk, n);
	fclose(fp);
	*out = tn_json_parse(text.buf, text.len);
	tn_buf_release(&text);
	if (jv_get_kind(*out) != JV_KIND_OBJECT) {
		jv_free(*out);
		*out = jv_invalid();
		return tn_err_set(err, TN_EINVALID, "issuers cache '%s' is damaged: remove it", path);
	}
	return TN_OK;
}

enum tn_code tn_cert_cache_read(const char *url, jv *items, char **etag, struct tn_err *err)
{
	char *path = tn_cert_cache_path();
	jv cache, servers;
	int missing;
	enum tn_code rc;

	*items = jv_invalid();
	if (etag)
		*etag = NULL;
	rc = cache_load(path, &cache, &missing, err);
	if (rc != TN_OK) {
		free(path);
		return rc;
	}
	servers = tn_jv_get(cache, "servers");
	jv_free(cache);
	if (jv_get_kind(servers) != JV_KIND_OBJECT) {
		jv_free(servers);
		rc = tn_err_set(err, TN_ENOTFOUND, "no issuer keys cached in '%s'", path);
		free(path);
		return rc;
	}
	if (url) {
		jv s = tn_jv_get(servers, url), it = tn_jv_get(s, "items");
		if (jv_get_kind(it) == JV_KIND_ARRAY) {
			const char *e = tn_jv_str(s, "etag");
			*items = it;
			if (etag && e)
				*etag = tn_xstrdup(e);
		} else {
			jv_free(it);
		}
		jv_free(s);
	} else {
		jv all = jv_array();
		int it = jv_object_iter(servers);
		while (jv_object_iter_valid(servers, it)) {
			jv s = jv_object_iter_value(servers, it);
			jv list = tn_jv_get(s, "items");

			jv_free(s);
			if (jv_get_kind(list) == JV_KIND_ARRAY)
				all = jv_array_concat(all, list);
			else
				jv_free(list);
			it = jv_object_iter_next(servers, it);
		}
		*items = all;
		if (jv_array_length(jv_copy(all)) == 0) {
			jv_free(*items);
			*items = jv_invalid();
		}
	}
	jv_free(servers);
	if (!jv_is_valid(*items))
		rc = tn_err_set(err, TN_ENOTFOUND, "no issuer keys cached%s%s in '%s'",
				url ? " for " : "", url ? url : "", path);
	free(path);
	return rc;
}

/* mkdir -p of the folder holding `path`, 0700 for what it creates. */
static void make_parent(const char *path)
{
	char *p = tn_xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	free(p);
}

enum tn_code tn_cert_cache_write(const char *url, jv items, const char *etag, struct tn_err *err)
{
	char *path = tn_cert_cache_path();
	struct tn_buf tmp = TN_BUF_INIT, text = TN_BUF_INIT;
	char at[32];
	time_t t = time(NULL);
	struct tm tm;
	jv cache, servers, entry;
	int missing;
	FILE *fp;
	enum tn_code rc;

	rc = cache_load(path, &cache, &missing, err);
	if (rc == TN_EINVALID) {
		/* a damaged cache is only a cache: start a new one */
		cache = jv_object_set(jv_object(), jv_string("servers"), jv_object());
		rc = TN_OK;
	}
	if (rc != TN_OK) {
		jv_free(items);
		free(path);
		return rc;
	}
	gmtime_r(&t, &tm);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	entry = jv_object_set(jv_object(), jv_string("etag"), etag ? jv_string(etag) : jv_null());
	entry = jv_object_set(entry, jv_string("fetched_at"), jv_string(at));
	entry = jv_object_set(entry, jv_string("items"), items);
	servers = tn_jv_object(cache, "servers");
	servers = jv_object_set(servers, jv_string(url), entry);
	cache = jv_object_set(cache, jv_string("version"), jv_number(1));
	cache = jv_object_set(cache, jv_string("servers"), servers);
	tn_json_dump_sorted(cache, &text);     /* jv_dump_string(JV_PRINT_SORTED)'s bytes */
	jv_free(cache);

	make_parent(path);
	tn_buf_addf(&tmp, "%s.%ld.tmp", path, (long)getpid());
	fp = fopen(tmp.buf, "w");
	if (!fp) {
		rc = tn_err_set(err, TN_EIO, "cannot write '%s': %s", tmp.buf, strerror(errno));
	} else {
		fwrite(text.buf, 1, text.len, fp);
		fputc('\n', fp);
		if (fclose(fp) != 0 || rename(tmp.buf, path) != 0) {
			rc = tn_err_set(err, TN_EIO, "cannot write '%s': %s", path, strerror(errno));
			unlink(tmp.buf);
		}
	}
	tn_buf_release(&text);
	tn_buf_release(&tmp);
	free(path);
	return rc;
}
