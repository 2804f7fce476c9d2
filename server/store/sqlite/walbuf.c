/* walbuf.c — a VFS over SQLite's own that writes each commit's log frames in one write: not two system calls a page. */
/*
 * SQLite appends a page to the write-ahead log as two writes, the frame's
 * 24-byte header and then the page (wal.c: walWriteOneFrame): an alert
 * changes eleven pages (the row, six indexes, its event and two indexes, the
 * sequence), so its commit made 22 pwrite calls, each through the page cache
 * and ext4's write path (a tenth of twonetd's time at 2,000 single alerts a
 * second, 2 us a call).  Here the frames a writer appends are gathered in
 * memory and go to the file in one write when the commit frame's page has
 * come (its header names the database's size: a frame that ends a
 * transaction), before SQLite publishes the commit in the WAL index, which
 * it does after these writes return: no other connection reads a frame
 * before it is in the file.  Also written out first: before any read of the
 * log (the writer reading back a page it spilled), a sync, a truncation,
 * the file's size, a file control, a close, a write that is not the next
 * append (a checksum rewritten, a new log's header), and past WALBUF_MAX.
 * So the file holds, at every point another connection could look, what
 * SQLite's own writes would have put there, and a sync syncs all of it.
 * A failed write fails the write call that flushed it (the commit's), as
 * SQLite's own would have.  Every other file is SQLite's own, untouched.
 *
 * TWONETD_WAL_BUFFER=0: SQLite's own writes (to measure the difference).
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_int.h"

#define WALBUF_MAX (1024 * 1024)
/* SQLite's unix VFS takes at most 128 KiB a write (seekAndWrite masks the count with 0x1ffff) */
#define WALBUF_CHUNK (64 * 1024)
#define FRAME_HEADER 24

struct walbuf_file {
	sqlite3_file base;
	sqlite3_file *real;     /* SQLite's own file, right after this struct */
	char *buf;
	size_t len, cap;
	sqlite3_int64 at;       /* the file offset of buf[0] */
	sqlite3_int64 end;      /* where the last write ended: the next append starts here */
	int commit;             /* the last header buffered ends a transaction */
};

static sqlite3_vfs *under;      /* SQLite's default VFS */
static sqlite3_vfs walbuf_vfs;

/* What is buffered, to the file: in writes of at most WALBUF_CHUNK bytes (see there). */
static int flush(struct walbuf_file *f)
{
	int rc = SQLITE_OK;

	for (size_t done = 0; done < f->len && rc == SQLITE_OK; done += WALBUF_CHUNK) {
		size_t n = f->len - done < WALBUF_CHUNK ? f->len - done : WALBUF_CHUNK;

		rc = f->real->pMethods->xWrite(f->real, f->buf + done, (int)n,
					       f->at + (sqlite3_int64)done);
	}
	f->len = 0;
	f->commit = 0;
	return rc;
}

static int wb_close(sqlite3_file *file)
{
	struct walbuf_file *f = (struct walbuf_file *)file;
	int rc = flush(f), rc2 = f->real->pMethods->xClose(f->real);

	free(f->buf);
	f->buf = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

static int wb_read(sqlite3_file *file, void *p, int n, sqlite3_int64 off)
{
	struct walbuf_file *f = (struct walbuf_file *)file;
	int rc = flush(f);

	return rc != SQLITE_OK ? rc : f->real->pMethods->xRead(f->real, p, n, off);
}

/* `n` bytes at the buffer's end, growing it; 0, or -1 out of memory. */
static int append(struct walbuf_file *f, const void *p, size_t n)
{
	if (f->len + n > f->cap) {
		size_t cap = f->cap ? f->cap : 64 * 1024;
		char *b;

		while (cap < f->len + n)
			cap *= 2;
		if (!(b = realloc(f->buf, cap)))
			return -1;
		f->buf = b;
		f->cap = cap;
	}
	memcpy(f->buf + f->len, p, n);
	f->len += n;
	return 0;
}

static int wb_write(sqlite3_file *file, const void *p, int n, sqlite3_int64 off)
{
	struct walbuf_file *f = (struct walbuf_file *)file;
	const unsigned char *h = p;
	int rc, header = n == FRAME_HEADER;
	/* the next append: a frame's header, or what follows a buffered one */
	int appends = off == f->end && (f->len > 0 || header);

	if (!appends || f->len + (size_t)n > WALBUF_MAX) {
		if ((rc = flush(f)) != SQLITE_OK)
			return rc;
		appends = off == f->end && header;      /* a header starts the next buffer */
	}
	if (appends) {
		sqlite3_int64 at = f->len ? f->at : off;

		if (append(f, p, (size_t)n) == 0) {
			f->at = at;
			f->end = off + n;
			if (header) {
				f->commit = (h[4] | h[5] | h[6] | h[7]) != 0;
				return SQLITE_OK;
			}
			return f->commit ? flush(f) : SQLITE_OK;
		}
		if ((rc = flush(f)) != SQLITE_OK)       /* out of memory: written as it comes */
			return rc;
	}
	f->end = off + n;
	return f->real->pMethods->xWrite(f->real, p, n, off);
}

static int wb_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct walbuf_file *f = (struct walbuf_file *)file;
	int rc = flush(f);

	return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int wb_sync(sqlite3_file *file, int flags)
{
	struct walbuf_file *f = (struct walbuf_file *)file;
	int rc = flush(f);

	return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int wb_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	struct walbuf_file *f = (struct walbuf_file *)file;
	int rc = flush(f);

	return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int wb_lock(sqlite3_file *file, int level)
{
	struct walbuf_file *f = (struct walbuf_file *)file;

	return f->real->pMethods->xLock(f->real, level);
}

static int wb_unlock(sqlite3_file *file, int level)
{
	struct walbuf_file *f = (struct walbuf_file *)file;

	return f->real->pMethods->xUnlock(f->real, level);
}

static int wb_reserved(sqlite3_file *file, int *out)
{
	struct walbuf_file *f = (struct walbuf_file *)file;

	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int wb_file_control(sqlite3_file *file, int op, void *arg)
{
	struct walbuf_file *f = (struct walbuf_file *)file;
	int rc = flush(f);

	return rc != SQLITE_OK ? rc : f->real->pMethods->xFileControl(f->real, op, arg);
}

static int wb_sector_size(sqlite3_file *file)
{
	struct walbuf_file *f = (struct walbuf_file *)file;

	return f->real->pMethods->xSectorSize(f->real);
}

static int wb_device(sqlite3_file *file)
{
	struct walbuf_file *f = (struct walbuf_file *)file;

	return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* A log file has no shared memory and no memory map of its own (those are the database's). */
static const sqlite3_io_methods walbuf_methods = {
	1, wb_close, wb_read, wb_write, wb_truncate, wb_sync, wb_file_size, wb_lock, wb_unlock,
	wb_reserved, wb_file_control, wb_sector_size, wb_device,
	NULL, NULL, NULL, NULL, NULL, NULL
};

static int wb_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out)
{
	struct walbuf_file *f = (struct walbuf_file *)file;
	int rc;

	(void)vfs;
	if (!(flags & SQLITE_OPEN_WAL))         /* the memory is large enough for SQLite's own */
		return under->xOpen(under, name, file, flags, out);
	memset(f, 0, sizeof(*f));
	f->real = (sqlite3_file *)(f + 1);
	rc = under->xOpen(under, name, f->real, flags, out);
	if (rc != SQLITE_OK || !f->real->pMethods) {
		f->base.pMethods = NULL;        /* nothing to close */
		return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
	}
	f->base.pMethods = &walbuf_methods;
	return SQLITE_OK;
}

/* The rest is SQLite's own VFS's. */
static int wb_delete(sqlite3_vfs *v, const char *n, int s) { (void)v; return under->xDelete(under, n, s); }
static int wb_access(sqlite3_vfs *v, const char *n, int fl, int *o) { (void)v; return under->xAccess(under, n, fl, o); }
static int wb_full(sqlite3_vfs *v, const char *n, int sz, char *o) { (void)v; return under->xFullPathname(under, n, sz, o); }
static void *wb_dlopen(sqlite3_vfs *v, const char *n) { (void)v; return under->xDlOpen(under, n); }
static void wb_dlerror(sqlite3_vfs *v, int n, char *m) { (void)v; under->xDlError(under, n, m); }
static void (*wb_dlsym(sqlite3_vfs *v, void *h, const char *s))(void) { (void)v; return under->xDlSym(under, h, s); }
static void wb_dlclose(sqlite3_vfs *v, void *h) { (void)v; under->xDlClose(under, h); }
static int wb_random(sqlite3_vfs *v, int n, char *o) { (void)v; return under->xRandomness(under, n, o); }
static int wb_sleep(sqlite3_vfs *v, int us) { (void)v; return under->xSleep(under, us); }
static int wb_time(sqlite3_vfs *v, double *t) { (void)v; return under->xCurrentTime(under, t); }
static int wb_error(sqlite3_vfs *v, int n, char *m) { (void)v; return under->xGetLastError(under, n, m); }
static int wb_time64(sqlite3_vfs *v, sqlite3_int64 *t) { (void)v; return under->xCurrentTimeInt64(under, t); }
static int wb_setsys(sqlite3_vfs *v, const char *n, sqlite3_syscall_ptr p) { (void)v; return under->xSetSystemCall(under, n, p); }
static sqlite3_syscall_ptr wb_getsys(sqlite3_vfs *v, const char *n) { (void)v; return under->xGetSystemCall(under, n); }
static const char *wb_nextsys(sqlite3_vfs *v, const char *n) { (void)v; return under->xNextSystemCall(under, n); }

int sqlite_walbuf_register(void)
{
	const char *env = getenv("TWONETD_WAL_BUFFER");

	if (under || (env && strcmp(env, "0") == 0))
		return SQLITE_OK;
	under = sqlite3_vfs_find(NULL);
	if (!under || under->iVersion < 3) {
		under = NULL;
		return SQLITE_ERROR;
	}
	walbuf_vfs = (sqlite3_vfs){
		3, (int)sizeof(struct walbuf_file) + under->szOsFile, under->mxPathname, NULL,
		"twonet-walbuf", NULL, wb_open, wb_delete, wb_access, wb_full, wb_dlopen, wb_dlerror,
		wb_dlsym, wb_dlclose, wb_random, wb_sleep, wb_time, wb_error, wb_time64,
		wb_setsys, wb_getsys, wb_nextsys
	};
	return sqlite3_vfs_register(&walbuf_vfs, 1);
}
