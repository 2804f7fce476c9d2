/* config.c — client configuration: flags > environment > config.yaml profile > defaults. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "tn_buf.h"
#include "tn_config.h"
#include "tn_yaml.h"

#define DEFAULT_TIMEOUT 30
#define DEFAULT_CONNECT 5
#define DEFAULT_RETRIES 4

/* One profile as the file gives it; NULL / -1 for what it leaves out. */
struct profile {
	const char *name;
	int line;
	const char *url, *token, *purpose, *format;
	long timeout, connect_timeout, retries;
	int color;
};

struct file {
	const char *path;
	yaml_document_t doc;
	int loaded;
	const char *def;        /* default: NAME */
	int def_line;
	struct profile *profiles;
	int nprofiles;
	int has_token;
};

static const char *getenv_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* The config path: $TWONET_CONFIG, $XDG_CONFIG_HOME/twonet/config.yaml, ~/.config/twonet/config.yaml. */
static int config_path(struct tn_buf *path)
{
	const char *v;

	if ((v = getenv_nonempty("TWONET_CONFIG")))
		tn_buf_adds(path, v);
	else if ((v = getenv_nonempty("XDG_CONFIG_HOME")))
		tn_buf_addf(path, "%s/twonet/config.yaml", v);
	else if ((v = getenv_nonempty("HOME")))
		tn_buf_addf(path, "%s/.config/twonet/config.yaml", v);
	else
		return -1;
	return 0;
}

static enum tn_code at(struct tn_err *err, const struct file *f, yaml_node_t *node,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A TN_EINVALID error "PATH:LINE:COL: message" at `node`. */
static enum tn_code at(struct tn_err *err, const struct file *f, yaml_node_t *node,
		       const char *fmt, ...)
{
	enum tn_code rc;
	va_list ap;

	va_start(ap, fmt);
	rc = tn_yaml_verr(err, f->path, node, 1, fmt, ap);
	va_end(ap);
	return rc;
}

static enum tn_code want_scalar(const struct file *f, yaml_node_t *v, const char *key,
				const char **out, struct tn_err *err)
{
	if (!tn_yaml_scalar(v))
		return at(err, f, v, "'%s' must be a plain value", key);
	*out = tn_yaml_scalar(v);
	return TN_OK;
}

static enum tn_code want_number(const struct file *f, yaml_node_t *v, const char *key,
				long *out, struct tn_err *err)
{
	const char *s = NULL;

	if (want_scalar(f, v, key, &s, err) != TN_OK)
		return TN_EINVALID;
	if (tn_parse_long(s, out) < 0 || *out < 0)
		return at(err, f, v, "'%s' must be a whole number of 0 or more, not '%s'", key, s);
	return TN_OK;
}

static enum tn_code parse_profile(struct file *f, struct profile *p, yaml_node_t *map,
				  struct tn_err *err)
{
	yaml_node_pair_t *pair;

	if (map->type != YAML_MAPPING_NODE)
		return at(err, f, map, "profile '%s' must be a mapping of keys", p->name);
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&f->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(&f->doc, pair->value);
		const char *key = tn_yaml_scalar(k), *s = NULL;
		enum tn_code rc;

		if (!key)
			return at(err, f, k, "profile '%s': keys must be plain names", p->name);
		if (!strcmp(key, "url"))
			rc = want_scalar(f, v, key, &p->url, err);
		else if (!strcmp(key, "token")) {
			rc = want_scalar(f, v, key, &p->token, err);
			if (rc == TN_OK && *p->token)
				f->has_token = 1;
		} else if (!strcmp(key, "purpose"))
			rc = want_scalar(f, v, key, &p->purpose, err);
		else if (!strcmp(key, "format"))
			rc = want_scalar(f, v, key, &p->format, err);
		else if (!strcmp(key, "timeout"))
			rc = want_number(f, v, key, &p->timeout, err);
		else if (!strcmp(key, "connect_timeout"))
			rc = want_number(f, v, key, &p->connect_timeout, err);
		else if (!strcmp(key, "retries"))
			rc = want_number(f, v, key, &p->retries, err);
		else if (!strcmp(key, "color")) {
			if ((rc = want_scalar(f, v, key, &s, err)) != TN_OK)
				return rc;
			if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))
				p->color = 1;
			else if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))
				p->color = 0;
			else
				rc = at(err, f, v, "'color' must be true or false, not '%s'", s);
		} else
			rc = at(err, f, k, "unknown key '%s' in profile '%s' (known: url, token, purpose, timeout, connect_timeout, retries, format, color)",
				key, p->name);
		if (rc != TN_OK)
			return rc;
	}
	return TN_OK;
}

static enum tn_code parse_profiles(struct file *f, yaml_node_t *map, struct tn_err *err)
{
	yaml_node_pair_t *pair;
	int n;

	if (map->type != YAML_MAPPING_NODE)
		return at(err, f, map, "'profiles' must be a mapping of profile names");
	if (f->profiles)
		return at(err, f, map, "'profiles' is given twice");
	n = (int)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	f->profiles = tn_xcalloc((size_t)n + 1, sizeof(*f->profiles));
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&f->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(&f->doc, pair->value);
		struct profile *p = &f->profiles[f->nprofiles];

		if (!tn_yaml_scalar(k) || !*tn_yaml_scalar(k))
			return at(err, f, k, "profile names must be plain names");
		for (int i = 0; i < f->nprofiles; i++)
			if (!strcmp(f->profiles[i].name, tn_yaml_scalar(k)))
				return at(err, f, k, "profile '%s' is defined twice", tn_yaml_scalar(k));
		p->name = tn_yaml_scalar(k);
		p->line = (int)k->start_mark.line + 1;
		p->timeout = p->connect_timeout = p->retries = -1;
		p->color = -1;
		f->nprofiles++;
		if (v->type == YAML_SCALAR_NODE && !*tn_yaml_scalar(v))
			continue;       /* "name:" with nothing: an empty profile */
		if (parse_profile(f, p, v, err) != TN_OK)
			return TN_EINVALID;
	}
	return TN_OK;
}

/* Parse the file at f->path.  *missing = 1 when there is none. */
static enum tn_code parse_file(struct file *f, int *missing, struct tn_err *err)
{
	yaml_node_t *root;
	yaml_node_pair_t *pair;
	struct stat st;
	enum tn_code rc = TN_OK;
	FILE *fp;

	*missing = 0;
	fp = fopen(f->path, "r");
	if (!fp) {
		if (errno == ENOENT) {
			*missing = 1;
			return TN_OK;
		}
		return tn_err_set(err, TN_EINVALID, "cannot read config '%s': %s", f->path,
				  strerror(errno));
	}
	if (fstat(fileno(fp), &st) < 0 || S_ISDIR(st.st_mode)) {
		fclose(fp);
		return tn_err_set(err, TN_EINVALID, "cannot read config '%s': %s", f->path,
				  S_ISDIR(st.st_mode) ? "is a directory" : strerror(errno));
	}
	if ((rc = tn_yaml_load_fp(f->path, fp, &f->doc, err)) != TN_OK) {
		fclose(fp);
		return rc;
	}
	f->loaded = 1;
	fclose(fp);

	root = yaml_document_get_root_node(&f->doc);
	if (!root || (root->type == YAML_SCALAR_NODE && !*tn_yaml_scalar(root)))
		goto perms;     /* an empty file */
	if (root->type != YAML_MAPPING_NODE)
		return at(err, f, root, "the config must be a mapping with 'default' and 'profiles'");
	for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&f->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(&f->doc, pair->value);
		const char *key = tn_yaml_scalar(k);

		if (key && !strcmp(key, "default")) {
			if (want_scalar(f, v, key, &f->def, err) != TN_OK)
				return TN_EINVALID;
			f->def_line = (int)v->start_mark.line + 1;
			if (!*f->def)
				f->def = NULL;
		} else if (key && !strcmp(key, "profiles")) {
			if (v->type == YAML_SCALAR_NODE && !*tn_yaml_scalar(v))
				continue;
			if (parse_profiles(f, v, err) != TN_OK)
				return TN_EINVALID;
		} else if (key && !strcmp(key, "casedesk")) {
			continue;       /* casedesk's own section (keys, colours): read by tui/keys.c */
		} else
			return at(err, f, k, "unknown key '%s' (known: default, profiles)",
				  key ? key : "?");
	}
perms:
	if (f->has_token && (st.st_mode & (S_IRGRP | S_IROTH)))
		return tn_err_set(err, TN_EAUTH,
				  "config '%s' holds a token and is readable by others; run: chmod 600 %s",
				  f->path, f->path);
	return TN_OK;
}

static void file_release(struct file *f)
{
	free(f->profiles);
	if (f->loaded)
		yaml_document_delete(&f->doc);
}

static char *dup_or_null(const char *s)
{
	return s ? tn_xstrdup(s) : NULL;
}

enum tn_code tn_config_load(struct tn_config *cfg, const struct tn_common *common,
			    struct tn_err *err)
{
	struct tn_common none = { 0 };
	struct tn_buf path = TN_BUF_INIT, names = TN_BUF_INIT;
	struct file f;
	const struct profile *p = NULL;
	const char *want, *v;
	int missing = 1, named = 0;
	enum tn_code rc;

	memset(cfg, 0, sizeof(*cfg));
	memset(&f, 0, sizeof(f));
	if (!common) {
		none.retries = -1;
		common = &none;
	}
	if (config_path(&path) == 0) {
		f.path = path.buf;
		if ((rc = parse_file(&f, &missing, err)) != TN_OK)
			goto fail;
	}

	/* which profile: flag > environment > the file's default */
	want = common->profile;
	named = want != NULL;
	if (!want && (want = getenv_nonempty("TWONET_PROFILE")))
		named = 1;
	if (!want)
		want = f.def;
	if (want) {
		for (int i = 0; i < f.nprofiles; i++)
			if (!strcmp(f.profiles[i].name, want))
				p = &f.profiles[i];
		if (!p) {
			for (int i = 0; i < f.nprofiles; i++)
				tn_buf_addf(&names, "%s%s", i ? ", " : "", f.profiles[i].name);
			if (named && missing)
				rc = tn_err_set(err, TN_EUSAGE, "unknown profile '%s' (no config file at '%s')",
						want, f.path ? f.path : "~/.config/twonet/config.yaml");
			else if (named)
				rc = tn_err_set(err, TN_EUSAGE, "unknown profile '%s' (config '%s' has: %s)",
						want, f.path, names.len ? names.buf : "none");
			else
				rc = tn_err_set(err, TN_EINVALID, "%s:%d: default profile '%s' is not defined",
						f.path, f.def_line, want);
			goto fail;
		}
	}

	if (common->url)
		v = common->url;
	else if ((v = getenv_nonempty("TWONET_URL")))
		;
	else if (p && p->url && *p->url)
		v = p->url;
	else
		v = TN_DEFAULT_URL;
	cfg->url = tn_xstrdup(v);

	if (common->token)
		v = common->token;
	else if ((v = getenv_nonempty("TWONET_TOKEN")))
		;
	else
		v = p && p->token && *p->token ? p->token : NULL;
	cfg->token = dup_or_null(v);

	cfg->profile = dup_or_null(p ? p->name : NULL);
	cfg->purpose = dup_or_null(p && p->purpose && *p->purpose ? p->purpose : NULL);
	cfg->format = dup_or_null(common->format ? common->format :
				  p && p->format && *p->format ? p->format : NULL);
	cfg->path = dup_or_null(missing ? NULL : f.path);
	cfg->timeout_s = common->timeout_s > 0 ? common->timeout_s :
			 p && p->timeout >= 0 ? p->timeout : DEFAULT_TIMEOUT;
	cfg->connect_timeout_s = p && p->connect_timeout >= 0 ? p->connect_timeout : DEFAULT_CONNECT;
	if (cfg->timeout_s > 0 && cfg->connect_timeout_s > cfg->timeout_s)
		cfg->connect_timeout_s = cfg->timeout_s;
	{
		const char *env_retries = getenv_nonempty("TWONET_RETRIES");
		long n;

		if (common->retries >= 0)
			cfg->retries = common->retries;
		else if (env_retries && tn_parse_long(env_retries, &n) == 0 && n >= 0)
			cfg->retries = n;
		else
			cfg->retries = p && p->retries >= 0 ? p->retries : DEFAULT_RETRIES;
	}
	cfg->color = !(common->no_color || getenv_nonempty("NO_COLOR") || (p && p->color == 0));
	cfg->verbose = common->verbose;
	rc = TN_OK;
fail:
	file_release(&f);
	tn_buf_release(&names);
	tn_buf_release(&path);
	return rc;
}

/* Free every string of `cfg` and zero it.  Cannot fail; safe on a zeroed struct. */
void tn_config_release(struct tn_config *cfg)
{
	free(cfg->url);
	free(cfg->token);
	free(cfg->profile);
	free(cfg->purpose);
	free(cfg->format);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}
