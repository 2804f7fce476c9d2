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
 * id -> (doc, holder, dept) or "no such certificate", while the certificates
 * are what they were when it was found: table certs_gen's one counter, which
 * triggers add one to at every row certs gains, changes or loses (an issue,
 * a revocation, a restore; the sqlite3 shell too), is as it was.  The
 * counter is read only when something was committed since the last read
 * (PRAGMA data_version moved: another connection; sqlite3_total_changes64
 * moved: this one): a filing, an alert or a token's last use no longer
 * empties the cache.  When it emptied at every commit to the database, 64
 * connections of audited reads beside 20 alerts a second did 54,400 reads
 * a second, 62,300 with the cache kept (medians of 6 rounds each, alternated,
 * bench/certs.sh CERTS_MIXED=20), and the workers spent a third less CPU a
 * read (alternated runs of 14 s, CPU time from /proc).
 * Without the table (a database not yet at schema 16) or the counter's row,
 * any commit empties it, as before.  Only inside a read transaction (a
 * read's snapshot, where the version and the counter are the snapshot's: an
 * entry is never older than the snapshot the read would have seen), never
 * inside one that writes the database (rows only it sees might be rolled
 * back).  The audit log is another file: its commits change neither.
 *
 * CACHE_SETS sets of CACHE_WAYS entries (a new id takes its set's entries in
 * turn: with one entry a set, ids sharing a slot took it from each other,
 * and a third of the reads of 50,000 certificates missed), at most
 * CACHE_BYTES of text in all (past it, a new id is kept only in place of
 * one of its set), a document of more than DOC_MAX bytes never kept.
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
	long long gen;          /* certs_gen's counter; -1 unknown */
	long reads, misses;     /* reads asked of the entries, and those they could not answer */
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

/* Migration 15 -> 16: the certificates' counter the cache holds by. */
const char store_certs_gen_schema[] =
	"CREATE TABLE IF NOT EXISTS certs_gen ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  gen INTEGER NOT NULL);"
	"INSERT OR IGNORE INTO certs_gen (id, gen) VALUES (1, 0);"
	"CREATE TRIGGER IF NOT EXISTS certs_gen_insert AFTER INSERT ON certs "
	"BEGIN UPDATE certs_gen SET gen = gen + 1 WHERE id = 1; END;"
	"CREATE TRIGGER IF NOT EXISTS certs_gen_update AFTER UPDATE ON certs "
	"BEGIN UPDATE certs_gen SET gen = gen + 1 WHERE id = 1; END;"
	"CREATE TRIGGER IF NOT EXISTS certs_gen_delete AFTER DELETE ON certs "
	"BEGIN UPDATE certs_gen SET gen = gen + 1 WHERE id = 1; END;";

/* The certificates' counter in this snapshot, or -1 (no table, no row). */
static long long certs_gen(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT gen FROM certs_gen WHERE id = 1", NULL);
	long long gen = -1;

	if (!s)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		gen = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return gen;
}

/* The set of `id` in a cache valid for this snapshot (emptied when the certificates changed); NULL: none. */
static struct cert_set *set_of(struct store *st, const char *id, uint32_t *hash, size_t *len)
{
	struct cert_cache *c;
	sqlite3_int64 changes;
	long long gen;
	int version;

	if (sqlite3_txn_state(st->db, "main") == SQLITE_TXN_WRITE ||
	    sqlite_snapshot_version(st, &version) < 0)
		return NULL;
	changes = sqlite3_total_changes64(st->db);
	if (!st->certs) {
		st->certs = tn_xcalloc(1, sizeof(*st->certs));
		st->certs->version = version;
		st->certs->changes = changes;
		st->certs->gen = certs_gen(st);
	}
	c = st->certs;
	if (c->version != version || c->changes != changes) {
		gen = certs_gen(st);
		if (gen < 0 || gen != c->gen)
			cache_clear(c);
		c->version = version;
		c->changes = changes;
		c->gen = gen;
	}
	*len = strlen(id);
	*hash = tn_hash_words(id, *len);
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

	if (k)
		st->certs->reads++;
	if (!e) {
		if (k)
			st->certs->misses++;
		return -1;
	}
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
		return;         /* full: a new id only in place of another */
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

long sqlite_certs_cache_reads(struct store *st)
{
	return st && st->certs ? st->certs->reads : 0;
}

long sqlite_certs_cache_misses(struct store *st)
{
	return st && st->certs ? st->certs->misses : 0;
}
