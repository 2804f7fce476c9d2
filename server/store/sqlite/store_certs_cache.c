/* store_certs_cache.c — the certificates a connection read, kept while the database did not change (sqlite_cert_get_text). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "tn_buf.h"
#include "store_int.h"

/*
 * A certificate read (GET /v1/certs/{id}) looked its id up in the index of
 * certs and then the table: two b-tree descents on a 90-byte text key, the
 * most of what SQLite did for a read.  A connection keeps what it found,
 * id -> (doc, holder, dept) or "no such certificate", as the token cache
 * does (store_tokens.c): an entry holds while PRAGMA data_version (another
 * connection committed to the database: a revocation, an issue, a restore)
 * and sqlite3_total_changes64 (this connection changed a row) are what they
 * were when it was found; when either moved, all are dropped.  Only inside
 * a transaction (a read's snapshot), where the version is the snapshot's:
 * an entry is then never older than the snapshot the read would have seen.
 * The audit log is another file: its commits do not change the version.
 *
 * CACHE_SLOTS direct-mapped slots (a new id takes its slot's place), at
 * most CACHE_BYTES of text in all (past it, all are dropped), a document
 * of more than DOC_MAX bytes never kept.
 */
#define CACHE_SLOTS 65536
#define CACHE_BYTES (48L << 20)
#define DOC_MAX 16384

struct cert_entry {
	char *id;               /* NULL: free */
	char *doc, *holder, *dept;      /* doc NULL: there is no such certificate */
	uint32_t hash;          /* of id: most misses end here, without reading id */
	size_t id_len, doc_len, bytes;
};

struct cert_cache {
	int version;            /* PRAGMA data_version */
	sqlite3_int64 changes;  /* sqlite3_total_changes64 */
	size_t bytes;
	struct cert_entry e[CACHE_SLOTS];
};

static void entry_clear(struct cert_cache *c, struct cert_entry *e)
{
	c->bytes -= e->bytes;
	free(e->id);
	free(e->doc);
	free(e->holder);
	free(e->dept);
	memset(e, 0, sizeof(*e));
}

static void cache_clear(struct cert_cache *c)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		if (c->e[i].id)
			entry_clear(c, &c->e[i]);
}

void sqlite_cert_cache_forget(struct store *st)
{
	if (!st || !st->certs)
		return;
	cache_clear(st->certs);
	free(st->certs);
	st->certs = NULL;
}

/* The slot of `id` in a cache valid for this snapshot (emptied when anything changed); NULL: none. */
static struct cert_entry *slot_of(struct store *st, const char *id, uint32_t *hash, size_t *len)
{
	struct cert_cache *c;
	const unsigned char *p;
	uint32_t h = 2166136261u;
	int version;

	if (sqlite_snapshot_version(st, &version) < 0)
		return NULL;
	if (!st->certs) {
		st->certs = tn_xcalloc(1, sizeof(*st->certs));
		st->certs->version = version;
		st->certs->changes = sqlite3_total_changes64(st->db);
	}
	c = st->certs;
	if (c->version != version || c->changes != sqlite3_total_changes64(st->db)) {
		cache_clear(c);
		c->version = version;
		c->changes = sqlite3_total_changes64(st->db);
	}
	for (p = (const unsigned char *)id; *p; p++)
		h = (h ^ *p) * 16777619u;       /* FNV-1a */
	*hash = h;
	*len = (size_t)(p - (const unsigned char *)id);
	return &c->e[h % CACHE_SLOTS];
}

static char *dup_len(const char *s, size_t len)
{
	char *d = tn_xmalloc(len + 1);

	memcpy(d, s, len + 1);
	return d;
}

static char *dup_or_null(const char *s)
{
	return s ? tn_xstrdup(s) : NULL;
}

int sqlite_cert_cache_get(struct store *st, const char *id, char **doc, char **holder, char **dept)
{
	uint32_t hash;
	size_t len;
	struct cert_entry *e = slot_of(st, id, &hash, &len);

	if (!e || !e->id || e->hash != hash || e->id_len != len || memcmp(e->id, id, len) != 0)
		return -1;
	if (!e->doc)
		return 0;
	if (doc)
		*doc = dup_len(e->doc, e->doc_len);
	if (holder)
		*holder = dup_or_null(e->holder);
	if (dept)
		*dept = dup_or_null(e->dept);
	return 1;
}

void sqlite_cert_cache_put(struct store *st, const char *id, const char *doc, const char *holder,
			   const char *dept)
{
	uint32_t hash;
	size_t id_len, doc_len = doc ? strlen(doc) : 0, bytes;
	struct cert_entry *e = slot_of(st, id, &hash, &id_len);
	struct cert_cache *c = st->certs;

	if (!e || doc_len > DOC_MAX)
		return;
	bytes = id_len + doc_len + (holder ? strlen(holder) : 0) + (dept ? strlen(dept) : 0) + 4;
	if (e->id)
		entry_clear(c, e);
	if (c->bytes + bytes > CACHE_BYTES)
		cache_clear(c);
	e->id = dup_len(id, id_len);
	e->hash = hash;
	e->id_len = id_len;
	e->doc_len = doc_len;
	e->doc = doc ? dup_len(doc, doc_len) : NULL;
	e->holder = dup_or_null(holder);
	e->dept = dup_or_null(dept);
	e->bytes = bytes;
	c->bytes += bytes;
}
