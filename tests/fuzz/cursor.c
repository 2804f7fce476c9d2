/* cursor.c — fuzz target: alert-tail's cursor file through tn_follow_cursor_read, and back through _write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tn_follow.h"

#include "fuzz.h"

/*
 * The input is a cursor file (alert-tail --cursor-file).  tn_follow.h: it
 * holds one position, a decimal number and a line end; an empty file is no
 * position; anything else is TN_EINVALID.  So a position read is the whole
 * file (digits, then only line-end characters), and writing it with
 * tn_follow_cursor_write reads back the same.
 */

static char dir[64], saved[96];

static void cleanup(void)
{
	char tmp[160];

	unlink(saved);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", saved, (long)getpid());
	unlink(tmp);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	snprintf(dir, sizeof(dir), "%s/twonet-fuzz-cursor.XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(dir)) {
		perror("fuzz cursor: mkdtemp");
		abort();
	}
	snprintf(saved, sizeof(saved), "%s/cursor", dir);
	atexit(cleanup);
	return 0;
}

int fuzz_one(const uint8_t *data, size_t size)
{
	struct tn_err err = TN_ERR_INIT;
	long long pos = -1, again = -1;
	size_t digits = 0;
	int rc;

	rc = tn_follow_cursor_read(fuzz_memfile(data, size), &pos, &err);
	FUZZ_ASSERT(rc == -1 || rc == 0 || rc == 1, "the reader returns -1, 0 or 1");
	if (rc < 0) {
		FUZZ_ASSERT(err.code == TN_EINVALID, "a bad cursor file is TN_EINVALID");
		return 0;
	}
	while (digits < size && data[digits] >= '0' && data[digits] <= '9')
		digits++;
	for (size_t i = digits; i < size; i++)
		FUZZ_ASSERT(data[i] == '\n' || data[i] == '\r' || data[i] == ' ',
			    "a position read is the whole file: nothing but a line end after the digits");
	if (rc == 0) {
		FUZZ_ASSERT(digits == 0, "a file with digits is not taken for an empty one");
		return 0;
	}
	FUZZ_ASSERT(digits > 0 && pos >= 0, "a position is a whole number");
	FUZZ_ASSERT(tn_follow_cursor_write(saved, pos, &err) == TN_OK, "a position can be saved");
	FUZZ_ASSERT(tn_follow_cursor_read(saved, &again, &err) == 1 && again == pos,
		    "a position saved reads back the same");
	return 0;
}
