/* srv_store_fix.h — the fixture of the SQLite store's unit tests: a fresh database file in a folder of its own, removed with its side files. */
#ifndef SRV_STORE_FIX_H
#define SRV_STORE_FIX_H

struct fix {
	char dir[64];
	char path[128];
	struct store *st;
};

static void remove_db(struct fix *f)
{
	static const char *const tails[] = { "", "-wal", "-shm", "-journal", ".audit-index",
					     ".audit-index-wal", ".audit-index-shm", ".audit",
					     ".audit-wal", ".audit-shm" };
	char p[200];

	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, tails[i]);
		unlink(p);
	}
	rmdir(f->dir);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct tn_err err = TN_ERR_INIT;

	snprintf(f->dir, sizeof(f->dir), "%s/twonet-store-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
	if (store_open(&f->st, f->path, 1, &err) != TN_OK) {
		print_error("store_open: %s\n", err.message);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	store_close(f->st);
	remove_db(f);
	free(f);
	return 0;
}

#endif
