/* division.c — Shanghai's districts, streets and towns by GB/T 2260 code, from share/twonet/divisions/shanghai.tsv. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_cli.h"
#include "tn_division.h"

struct street {
	char code[10];
	char *name;
};

/* The list in use: read once; `loaded` 1 ok, -1 failed (why in `why`). */
static struct {
	int loaded;
	struct street *streets;
	long n;
	struct tn_err why;
} list;

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return s[n] == '\0';
}

static int by_code(const void *a, const void *b)
{
	return strcmp(((const struct street *)a)->code, ((const struct street *)b)->code);
}

static void release(struct street *s, long n)
{
	for (long i = 0; i < n; i++)
		free(s[i].name);
	free(s);
}

/* One line: "CODE\tNAME\tPARENT"; a street appended to *s. */
static enum tn_code line_of(const char *path, long no, char *line, struct street **s, long *n,
			    long *cap, struct tn_err *err)
{
	char *code = line, *name, *parent, *end;

	if (!(name = strchr(code, '\t')) || !(parent = strchr(name + 1, '\t')))
		return tn_err_set(err, TN_EINVALID, "%s:%ld: not CODE <TAB> NAME <TAB> PARENT",
				  path, no);
	*name++ = '\0';
	*parent++ = '\0';
	if ((end = strchr(parent, '\t')) != NULL)
		return tn_err_set(err, TN_EINVALID, "%s:%ld: more than three columns", path, no);
	if (!*name)
		return tn_err_set(err, TN_EINVALID, "%s:%ld: '%s' has no name", path, no, code);
	if (strlen(code) == 6 && all_digits(code, 6)) {
		const struct tn_district *d = tn_district_find(code);

		if (!d || strcmp(d->name, name) || strcmp(parent, "310000"))
			return tn_err_set(err, TN_EINVALID, "%s:%ld: district %s %s is not one of "
					  "Shanghai's 16 (lib/alert.c) under 310000", path, no, code,
					  name);
		return TN_OK;
	}
	if (strlen(code) != 9 || !all_digits(code, 9))
		return tn_err_set(err, TN_EINVALID, "%s:%ld: '%s' is not a 6- or 9-digit code",
				  path, no, code);
	if (strncmp(code, parent, 6) || strlen(parent) != 6 || !tn_district_find(parent))
		return tn_err_set(err, TN_EINVALID, "%s:%ld: street %s: its parent '%s' is not the "
				  "district its code begins with", path, no, code, parent);
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*s = tn_xrealloc(*s, (size_t)*cap * sizeof(**s));
	}
	memcpy((*s)[*n].code, code, 10);
	(*s)[*n].name = tn_xstrdup(name);
	(*n)++;
	return TN_OK;
}

static enum tn_code read_list(const char *path, struct street **out, long *count,
			      struct tn_err *err)
{
	struct street *s = NULL;
	long n = 0, cap = 0, no = 0;
	char *line = NULL;
	size_t size = 0;
	ssize_t len;
	enum tn_code rc = TN_OK;
	FILE *fp = fopen(path, "r");

	if (!fp)
		return tn_err_set(err, TN_EIO, "cannot read divisions '%s': %s", path,
				  strerror(errno));
	while (rc == TN_OK && (len = getline(&line, &size, fp)) >= 0) {
		no++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		rc = line_of(path, no, line, &s, &n, &cap, err);
	}
	free(line);
	fclose(fp);
	if (rc == TN_OK) {
		qsort(s, (size_t)n, sizeof(*s), by_code);
		for (long i = 1; i < n && rc == TN_OK; i++)
			if (!strcmp(s[i].code, s[i - 1].code))
				rc = tn_err_set(err, TN_EINVALID, "%s: street %s is listed twice",
						path, s[i].code);
	}
	if (rc != TN_OK) {
		release(s, n);
		return rc;
	}
	*out = s;
	*count = n;
	return TN_OK;
}

enum tn_code tn_divisions_check(const char *path, long *count, struct tn_err *err)
{
	struct tn_buf def = TN_BUF_INIT;
	struct street *s = NULL;
	long n = 0;
	enum tn_code rc;

	if (!path) {
		tn_buf_addf(&def, "%s/divisions/shanghai.tsv", tn_sharedir());
		path = def.buf;
	}
	rc = read_list(path, &s, &n, err);
	tn_buf_release(&def);
	if (rc != TN_OK)
		return rc;
	release(list.streets, list.n);
	list.streets = s;
	list.n = n;
	list.loaded = 1;
	if (count)
		*count = n;
	return TN_OK;
}

const char *tn_division_street_name(const char *code9)
{
	struct street key, *hit;

	if (!list.loaded) {
		list.loaded = -1;
		if (tn_divisions_check(NULL, NULL, &list.why) == TN_OK)
			list.loaded = 1;
	}
	if (list.loaded < 0 || !code9 || strlen(code9) != 9)
		return NULL;
	memcpy(key.code, code9, 10);
	hit = bsearch(&key, list.streets, (size_t)list.n, sizeof(key), by_code);
	return hit ? hit->name : NULL;
}

enum tn_code tn_division_find(const char *code, struct tn_division *out, struct tn_err *err)
{
	char district[7];
	size_t n = code ? strlen(code) : 0;
	const char *name;

	if ((n != 6 && n != 9 && n != 12) || !all_digits(code, n))
		return tn_err_set(err, TN_EINVALID, "'%s' is not a GB/T 2260 division code (6, 9 "
				  "or 12 digits)", code ? code : "");
	memcpy(district, code, 6);
	district[6] = '\0';
	memset(out, 0, sizeof(*out));
	if (!(out->district = tn_district_find(district)))
		return tn_err_set(err, TN_EINVALID, "'%s' is not in one of Shanghai's 16 districts "
				  "(310101 ... 310151)", code);
	out->street_name = "";
	/* 310101000000, the district's own statistical code, names the district */
	if (n == 6 || !strncmp(code + 6, "000", 3))
		return TN_OK;
	memcpy(out->street, code, 9);
	out->street[9] = '\0';
	name = tn_division_street_name(out->street);
	out->street_name = name ? name : "";
	return TN_OK;
}
