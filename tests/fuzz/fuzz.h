/* fuzz.h — what every libFuzzer target of tests/fuzz shares: entry points, memory files, invariants. */
#ifndef TN_FUZZ_H
#define TN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tn_jv.h"

/*
 * Each target is one file that defines LLVMFuzzerInitialize and fuzz_one
 * (below), and nothing else global; this header makes the second entry point.
 * It is linked either with libFuzzer (-fsanitize=fuzzer: `make fuzz`) or with
 * tests/fuzz/replay.c, a plain main that feeds files to it (make check).
 */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A target's work on one input is its fuzz_one; the entry point runs it,
 * then lets go of what libtwonet keeps from one call to the next (the
 * object keys and shapes of tn_jv.h), so that an input frees all it
 * allocated: libFuzzer runs its leak check again after each input that
 * did not, and gives leak detection up after a thousand.  tests/fuzz/replay.c
 * defines FUZZ_NO_ENTRY: it calls the entry point, it does not make one.
 */
int fuzz_one(const uint8_t *data, size_t size);

#ifndef FUZZ_NO_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int rc = fuzz_one(data, size);

	tn_jv_forget();
	return rc;
}
#endif

/* The source tree's share/twonet, compiled in by the Makefile. */
#ifndef FUZZ_SHAREDIR
#define FUZZ_SHAREDIR "share/twonet"
#endif

/*
 * A broken promise of the code under test that no sanitizer sees (a value
 * that does not read back, a check that lets through what it promised to
 * refuse): print it and abort, so that libFuzzer keeps the input as a crash.
 */
#define FUZZ_ASSERT(cond, what)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "fuzz: invariant broken at %s:%d: %s\n",	\
				__FILE__, __LINE__, (what));			\
			abort();						\
		}								\
	} while (0)

/* What every target does first: the shipped data from the source tree, no user's config. */
static inline void fuzz_setup(void)
{
	setenv("TWONET_SHAREDIR", FUZZ_SHAREDIR, 0);
	setenv("TZ", "Asia/Shanghai", 1);
	unsetenv("TWONET_URL");
	unsetenv("TWONET_TOKEN");
	unsetenv("TWONET_PROFILE");
	unsetenv("TWONET_CONFIG");
	unsetenv("TWONET_RETRIES");
}

/* The LLVMFuzzerInitialize of a target that needs nothing more than fuzz_setup. */
#define FUZZ_SIMPLE_INIT							\
	int LLVMFuzzerInitialize(int *argc, char ***argv)			\
	{									\
		(void)argc;							\
		(void)argv;							\
		fuzz_setup();							\
		return 0;							\
	}

/* `size` bytes of `data` as a malloc'd, NUL-terminated string (it may hold NULs). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * The input as a file for APIs that only take a path: one memfd per process,
 * rewritten for every input, named "/proc/self/fd/N" (opening it gives a new
 * file offset at 0).  The path is static.
 */
static inline const char *fuzz_memfile(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	size_t done = 0;

	if (fd < 0) {
		fd = memfd_create("twonet-fuzz", MFD_CLOEXEC);
		if (fd < 0) {
			perror("fuzz: memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0)
		abort();
	while (done < size) {
		ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);

		if (n <= 0)
			abort();
		done += (size_t)n;
	}
	return path;
}

#endif
