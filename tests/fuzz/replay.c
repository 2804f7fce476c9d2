/* replay.c — run a fuzz target without libFuzzer: feed it every file named (folders: every file under them). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FUZZ_NO_ENTRY
#include "fuzz.h"

/*
 * usage: TARGET-replay FILE|FOLDER...
 * Each file is read into a buffer of exactly its size (so that AddressSanitizer
 * sees a read past the end) and given to LLVMFuzzerTestOneInput once, in name
 * order.  A crash is the target's: the process dies with the sanitizer's
 * report.  Exit 0 when every input went through, 2 on a usage or read error.
 * make check runs it over tests/fuzz/corpus/TARGET and regressions/TARGET.
 */

static long inputs;

static int run_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!fp) {
		fprintf(stderr, "replay: error: cannot open '%s': %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(fp, 0, SEEK_END) < 0 || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) < 0) {
		fprintf(stderr, "replay: error: cannot read '%s': %s\n", path, strerror(errno));
		fclose(fp);
		return -1;
	}
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		fprintf(stderr, "replay: error: cannot read '%s'\n", path);
		free(buf);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	if (getenv("FUZZ_REPLAY_VERBOSE"))
		fprintf(stderr, "replay: %s (%ld bytes)\n", path, n);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	inputs++;
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_path(const char *path)
{
	struct dirent **names;
	struct stat st;
	int n, rc = 0;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: error: cannot read '%s': %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	n = scandir(path, &names, NULL, by_name);
	if (n < 0) {
		fprintf(stderr, "replay: error: cannot read folder '%s': %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *d = names[i]->d_name;
		size_t len = strlen(path) + strlen(d) + 2;
		char *sub;

		/* dot files (README.md is not) and libFuzzer's lock files are not inputs */
		if (d[0] == '.' || !strcmp(d, "README") || !strcmp(d, "README.md")) {
			free(names[i]);
			continue;
		}
		sub = malloc(len);
		if (!sub)
			abort();
		snprintf(sub, len, "%s/%s", path, d);
		if (run_path(sub) < 0)
			rc = -1;
		free(sub);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|FOLDER...\n", argv[0]);
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
		if (run_path(argv[i]) < 0)
			rc = 2;
	printf("replay: %ld inputs\n", inputs);
	return rc;
}
