/* conns.c — each worker's open connections: counted in a shared page, and balanced (conns.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>


#include "tn_buf.h"
#include "conns.h"

/* A connection this worker saw a request on: the table's entry, keyed by its address. */
struct conn {
	struct http_conn *con;  /* NULL: a free entry */
	void (*fn)(struct http_conn *, void *);
	void *arg;
	int counted;                    /* in this worker's count (not a stream, not marked) */
	int again;                      /* it served a request before this one */
};

/*
 * One process's state (each worker is a process of its own): the shared
 * counts, the worker's slot, and its table of connections, open addressing
 * with linear probing, never more than half full, deletion by backward shift
 * (no tombstones: a worker sees millions of connections come and go).
 */
static struct {
	long *counts;           /* MAP_SHARED: one slot a worker; NULL: balancing off */
	long workers;
	long slot;              /* -1: not a worker, or balancing off */
	struct conn *tab;
	size_t cap, used;       /* cap: a power of two, or 0 */
	long marked;
} cs = { NULL, 0, -1, NULL, 0, 0, 0 };

int conns_init(long workers, int balance)
{
	void *p;

	cs.workers = workers;
	if (!balance || workers < 2)
		return 0;
	p = mmap(NULL, (size_t)workers * sizeof(long), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	cs.counts = p;          /* zeroed by the kernel; kept for the process's life */
	return 0;
}

void conns_worker(long slot)
{
	cs.slot = cs.counts && slot >= 0 && slot < cs.workers ? slot : -1;
	if (cs.slot >= 0)
		__atomic_store_n(&cs.counts[slot], 0, __ATOMIC_RELAXED);
}

void conns_vacate(long slot)
{
	if (cs.counts && slot >= 0 && slot < cs.workers)
		__atomic_store_n(&cs.counts[slot], 0, __ATOMIC_RELAXED);
}

static void count(long d)
{
	if (cs.slot >= 0)
		__atomic_add_fetch(&cs.counts[cs.slot], d, __ATOMIC_RELAXED);
}

static size_t home(const struct http_conn *con)
{
	uint64_t h = (uint64_t)(uintptr_t)con * 0x9E3779B97F4A7C15ull;

	return (size_t)(h >> 32) & (cs.cap - 1);
}

static struct conn *find(const struct http_conn *con)
{
	if (!cs.cap)
		return NULL;
	for (size_t i = home(con);; i = (i + 1) & (cs.cap - 1)) {
		if (cs.tab[i].con == con)
			return &cs.tab[i];
		if (!cs.tab[i].con)
			return NULL;
	}
}

/* The free entry where `con` goes (the table has room). */
static struct conn *free_entry(const struct http_conn *con)
{
	size_t i;

	for (i = home(con); cs.tab[i].con; i = (i + 1) & (cs.cap - 1))
		;
	return &cs.tab[i];
}

static struct conn *add(struct http_conn *con)
{
	struct conn *c;

	if (2 * (cs.used + 1) > cs.cap) {
		struct conn *old = cs.tab;
		size_t n = cs.cap;

		cs.cap = n ? 2 * n : 64;
		cs.tab = tn_xcalloc(cs.cap, sizeof(*cs.tab));
		for (size_t k = 0; k < n; k++)
			if (old[k].con)
				*free_entry(old[k].con) = old[k];
		free(old);
	}
	c = free_entry(con);
	cs.used++;
	c->con = con;
	return c;
}

/* Remove entry `c`, moving back the entries after it that probed past it. */
static void del(struct conn *c)
{
	size_t i = (size_t)(c - cs.tab), j = i, mask = cs.cap - 1;

	for (;;) {
		j = (j + 1) & mask;
		if (!cs.tab[j].con)
			break;
		/* the entry at j may fill the hole at i when its home is not in (i, j] */
		size_t k = home(cs.tab[j].con);

		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		cs.tab[i] = cs.tab[j];
		i = j;
	}
	memset(&cs.tab[i], 0, sizeof(cs.tab[i]));
	cs.used--;
}

/* The close callback of every connection seen: uncount it, then tell whoever asked. */
static void closed(struct http_conn *con, void *arg)
{
	struct conn *c = find(con);
	void (*fn)(struct http_conn *, void *);
	void *fa;

	(void)arg;
	if (!c)
		return;
	fn = c->fn;
	fa = c->arg;
	if (c->counted)
		count(-1);
	del(c);
	if (fn)
		fn(con, fa);
}

/* The entry of `con`, made (counted, with the close callback) when it is new; *fresh says so. */
static struct conn *track(struct http_conn *con, int *fresh)
{
	struct conn *c = find(con);

	*fresh = c == NULL;
	if (c)
		return c;
	c = add(con);
	c->counted = 1;
	count(1);
	http_conn_on_close(con, closed, NULL);
	return c;
}

void conns_seen(struct http_req *r)
{
	struct http_conn *con = http_req_conn(r);
	struct conn *c;
	int fresh;

	if (!con)
		return;
	c = track(con, &fresh);
	if (!fresh)
		c->again = 1;
}

void conns_on_close(struct http_conn *con,
		    void (*fn)(struct http_conn *, void *), void *arg)
{
	int fresh;
	struct conn *c = track(con, &fresh);

	c->fn = fn;
	c->arg = arg;
	if (fn && c->counted) {
		c->counted = 0;
		count(-1);
	} else if (!fn && !c->counted) {
		c->counted = 1;
		count(1);
	}
}

void conns_before_reply(struct http_req *r)
{
	struct http_conn *con;
	struct conn *c;
	long mine, total = 0;

	if (cs.slot < 0 || !(con = http_req_conn(r)) || !(c = find(con)) ||
	    !c->counted)
		return;
	/* it closes after this reply: it no longer counts (and needs no mark) */
	if (http_req_closes(r)) {
		c->counted = 0;
		count(-1);
		return;
	}
	/* a first request is never closed: the worker may not know yet of the connections
	 * the same client is opening on the others, and would close more than its excess */
	if (!c->again)
		return;
	mine = __atomic_load_n(&cs.counts[cs.slot], __ATOMIC_RELAXED);
	for (long i = 0; i < cs.workers; i++)
		total += __atomic_load_n(&cs.counts[i], __ATOMIC_RELAXED);
	if (mine <= (total + cs.workers - 1) / cs.workers)
		return;
	/* a pipelined request already read would be lost with the connection */
	if (http_conn_input_pending(con) > 0)
		return;
	c->counted = 0;
	count(-1);
	cs.marked++;
	http_req_add_header(r, "Connection", "close");
}

long conns_worker_end(void)
{
	free(cs.tab);
	cs.tab = NULL;
	cs.cap = cs.used = 0;
	return cs.marked;
}
