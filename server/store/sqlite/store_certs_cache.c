/* store_certs_cache.c — the certificates a connection read, kept while the database did not change (sqlite_cert_get_text). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "tn_buf.h"
#include "tn_text.h"
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
 * CACHE_SETS sets of CACHE_WAYS entries (a new id takes its set's entries in
 * turn: with one entry a set, ids sharing a slot took it from each other,
 * and a third of the reads of 50,000 certificates missed), at most
 * CACHE_BYTES of text in all (past it, nothing more is kept until the
 * next change empties it), a document of more than DOC_MAX bytes never kept.
 * An entry's texts are one allocation.
 */
#define CACHE_SETS 32768
#define CACHE_WAYS 4
#define CACHE_BYTES (64L << 20)
#define DOC_MAX 16384

struct cert_entry {
	char *block;            /* id, doc, holder, dept, one after another; NULL: free */
	const char *doc, *holder, *dept;        /* into block; doc NULL: no such certificate */
	uint32_t id_len, doc_len, bytes;
};

struct cert_set {
	uint32_t hash[CACHE_WAYS];      /* of each entry's id: most misses end here */
	unsigned next;                  /* the entry a new id takes */
	struct cert_entry e[CACHE_WAYS];
};

struct cert_cache {
	int version;            /* PRAGMA data_version */
	sqlite3_int64 changes;  /* sqlite3_total_changes64 */
	size_t bytes;
	struct cert_set s[CACHE_SETS];
};

static void entry_clear(struct cert_cache *c, struct cert_entry *e)
{
	c->bytes -= e->bytes;
	free(e->block);
	memset(e, 0, sizeof(*e));
}

static void cache_clear(struct cert_cache *c)
{
	for (size_t i = 0; i < CACHE_SETS; i++)
		for (int w = 0; w < CACHE_WAYS; w++)
			if (c->s[i].e[w].block)
				entry_clear(c, &c->s[i].e[w]);
}

void sqlite_cert_cache_forget(struct store *st)
{
	if (!st || !st->certs)
		return;
	cache_clear(st->certs);
	free(st->certs);
	st->certs = NULL;
}

/* The set of `id` in a cache valid for this snapshot (emptied when anything changed); NULL: none. */
static struct cert_set *set_of(struct store *st, const char *id, uint32_t *hash, size_t *len)
{
	struct cert_cache *c;
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
	*len = strlen(id);
	*hash = tn_fnv1a(id, *len);
	return &c->s[*hash % CACHE_SETS];
}

/* The entry of `id` in set `k`, or NULL. */
static struct cert_entry *find(struct cert_set *k, const char *id, uint32_t hash, size_t len)
{
	for (int w = 0; w < CACHE_WAYS; w++)
		if (k->hash[w] == hash && k->e[w].block && k->e[w].id_len == len &&
		    memcmp(k->e[w].block, id, len) == 0)
			return &k->e[w];
	return NULL;
}

int sqlite_cert_cache_get(struct store *st, const char *id, char **doc, char **holder, char **dept)
{
	uint32_t hash;
	size_t len;
	struct cert_set *k = set_of(st, id, &hash, &len);
	struct cert_entry *e = k ? find(k, id, hash, len) : NULL;

	if (!e)
		return -1;
	if (!e->doc)
		return 0;
	if (doc)
		*doc = tn_xstrndup(e->doc, e->doc_len);
	if (holder)
		*holder = e->holder ? tn_xstrdup(e->holder) : NULL;
	if (dept)
		*dept = e->dept ? tn_xstrdup(e->dept) : NULL;
	return 1;
}

/* Copy `s` (NULL: nothing) to *p, moving it on; where it went, or NULL. */
static const char *put_text(char **p, const char *s, size_t len)
{
	const char *at = *p;

	if (!s)
		return NULL;
	memcpy(*p, s, len + 1);
	*p += len + 1;
	return at;
}

void sqlite_cert_cache_put(struct store *st, const char *id, const char *doc, const char *holder,
			   const char *dept)
{
	uint32_t hash;
	size_t id_len, doc_len = doc ? strlen(doc) : 0, hl = holder ? strlen(holder) : 0,
		dl = dept ? strlen(dept) : 0, bytes;
	struct cert_set *k = set_of(st, id, &hash, &id_len);
	struct cert_cache *c = st->certs;
	struct cert_entry *e;
	char *p;

	if (!k || doc_len > DOC_MAX)
		return;
	if (!(e = find(k, id, hash, id_len))) {
		e = &k->e[k->next];
		k->next = (k->next + 1) % CACHE_WAYS;
	}
	bytes = id_len + doc_len + hl + dl + 4;
	if (e->block)
		entry_clear(c, e);
	if (c->bytes + bytes > CACHE_BYTES)
		return;         /* full: kept as it is until the next change empties it */
	p = e->block = tn_xmalloc(bytes);
	put_text(&p, id, id_len);
	e->doc = put_text(&p, doc, doc_len);
	e->holder = put_text(&p, holder, hl);
	e->dept = put_text(&p, dept, dl);
	e->id_len = (uint32_t)id_len;
	e->doc_len = (uint32_t)doc_len;
	e->bytes = (uint32_t)bytes;
	k->hash[e - k->e] = hash;
	c->bytes += bytes;
}
