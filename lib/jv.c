/* jv.c — the member getters of tn_jv.h, and the object keys and shapes it makes once a thread. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_text.h"

/*
 * Object keys, made once a thread.  jv_string() of a key costs an
 * allocation, a UTF-8 check and, in each look-up or insert, a hash; the
 * same few names come in every alert, filing and request (an alert's
 * members are read and set some seventy times between its POST and its
 * row, and each follower parses them again).  A key made here keeps its
 * hash, and objects share it.  A slot is found by the text's hash and
 * checked by its bytes, so a hostile stream of names only replaces slots.
 * Per thread, as jq 1.6's reference counts are not atomic; a thread's keys
 * are freed when it ends.
 */
#define KEY_SLOTS 256       /* a power of two */
#define KEY_WAYS  4         /* the slots a text may take, from its hash on */
#define SHAPES    16        /* a power of two */
#define SHAPE_MIN 8         /* members: a smaller object is cheaper to build */

struct key_slot {
	uint32_t hash;
	uint32_t len;
	const char *text;       /* the key's own bytes */
	jv key;                 /* invalid when the slot is free */
};

struct shape {
	uintptr_t sig;          /* the hash of the keys last seen here */
	int n;
	const void *keys[TN_JV_SHAPE_MAX];      /* the key strings (held by obj) */
	jv obj;                 /* those members, null, in that order; invalid when free */
};

struct made {
	struct key_slot keys[KEY_SLOTS];
	struct shape shapes[SHAPES];
};

static __thread struct made *made;
static pthread_key_t made_owner;
static pthread_once_t made_once = PTHREAD_ONCE_INIT;

static void made_free(void *p)
{
	struct made *m = p;

	for (int i = 0; i < KEY_SLOTS; i++)
		jv_free(m->keys[i].key);
	for (int i = 0; i < SHAPES; i++)
		jv_free(m->shapes[i].obj);
	free(m);
}

/* Without a key (never seen) a thread's tables outlive it: a leak, no failure. */
static int made_owned;

static void made_init(void)
{
	made_owned = pthread_key_create(&made_owner, made_free) == 0;
}

void tn_jv_forget(void)
{
	if (made) {
		made_free(made);
		made = NULL;
		if (made_owned)
			pthread_setspecific(made_owner, NULL);
	}
}

static struct made *made_here(void)
{
	if (!made) {
		pthread_once(&made_once, made_init);
		made = tn_xcalloc(1, sizeof(*made));
		for (int i = 0; i < KEY_SLOTS; i++)
			made->keys[i].key = jv_invalid();
		for (int i = 0; i < SHAPES; i++)
			made->shapes[i].obj = jv_invalid();
		if (made_owned)
			pthread_setspecific(made_owner, made);
	}
	return made;
}

jv tn_jv_object_of(jv *keys, jv *values, int n)
{
	struct shape *sh;
	uintptr_t h = (uintptr_t)n;
	jv o;
	int i;

	if (n < SHAPE_MIN || n > TN_JV_SHAPE_MAX) {
		o = jv_object();
		for (i = 0; i < n; i++)
			o = jv_object_set(o, keys[i], values[i]);
		return o;
	}
	for (i = 0; i < n; i++)
		h = (h ^ (uintptr_t)keys[i].u.ptr) * 0x100000001b3u;
	sh = &made_here()->shapes[(h ^ h >> 29) & (SHAPES - 1)];
	if (sh->n == n && jv_is_valid(sh->obj)) {
		for (i = 0; i < n && sh->keys[i] == keys[i].u.ptr; i++)
			;
		if (i == n) {           /* filled in place of the nulls, after one copy */
			o = jv_copy(sh->obj);
			for (i = 0; i < n; i++)
				o = jv_object_set(o, keys[i], values[i]);
			return o;
		}
	}
	o = jv_object();
	if (sh->sig != h || sh->n != n) {
		/* first sight of this shape here: noted, and made the plain way */
		jv_free(sh->obj);
		sh->obj = jv_invalid();
		sh->sig = h;
		sh->n = n;
		for (i = 0; i < n; i++)
			o = jv_object_set(o, keys[i], values[i]);
		return o;
	}
	for (i = 0; i < n; i++) {
		sh->keys[i] = keys[i].u.ptr;
		o = jv_object_set(o, jv_copy(keys[i]), values[i]);
	}
	/* seen again: its empty object, this object's table with null values (one copy) */
	jv_free(sh->obj);
	sh->obj = jv_copy(o);
	for (i = 0; i < n; i++)
		sh->obj = jv_object_set(sh->obj, keys[i], jv_null());
	return o;
}

jv tn_jv_key(const char *s, size_t n)
{
	uint32_t h;
	struct key_slot *keys, *k;
	int i;

	if (n > TN_JV_KEY_MAX)
		return jv_string_sized(s, (int)n);
	h = tn_fnv1a(s, n);
	keys = made_here()->keys;
	for (i = 0; i < KEY_WAYS; i++) {
		k = &keys[(h + (uint32_t)i) & (KEY_SLOTS - 1)];
		if (!k->text)
			break;
		if (k->hash == h && k->len == n && memcmp(k->text, s, n) == 0)
			return jv_copy(k->key);
	}
	if (i == KEY_WAYS)      /* all taken: one of them goes */
		k = &keys[(h + (h >> 24) % KEY_WAYS) & (KEY_SLOTS - 1)];
	jv_free(k->key);
	k->key = jv_string_sized(s, (int)n);
	/* a text that is not valid UTF-8 is not kept: jq made a different string of it */
	if ((size_t)jv_string_length_bytes(jv_copy(k->key)) != n ||
	    memcmp(jv_string_value(k->key), s, n) != 0) {
		jv v = k->key;

		k->key = jv_invalid();
		k->text = NULL;
		return v;
	}
	k->hash = h;
	k->len = (uint32_t)n;
	k->text = jv_string_value(k->key);
	return jv_copy(k->key);
}

jv tn_jv_set(jv obj, const char *key, jv v)
{
	return jv_object_set(obj, tn_jv_key(key, strlen(key)), v);
}

/* Member `key` of `obj` (borrowed) as a new reference; invalid when absent or not an object. */
static jv member(jv obj, const char *key)
{
	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return jv_invalid();
	return jv_object_get(jv_copy(obj), tn_jv_key(key, strlen(key)));
}

jv tn_jv_get(jv obj, const char *key)
{
	jv v = member(obj, key);

	if (!jv_is_valid(v)) {
		jv_free(v);
		return jv_null();
	}
	return v;
}

static jv of_kind(jv obj, const char *key, jv_kind kind, jv dflt)
{
	jv v = member(obj, key);

	if (jv_get_kind(v) != kind) {
		jv_free(v);
		return dflt;
	}
	jv_free(dflt);
	return v;
}

jv tn_jv_array(jv obj, const char *key)
{
	return of_kind(obj, key, JV_KIND_ARRAY, jv_array());
}

jv tn_jv_object(jv obj, const char *key)
{
	return of_kind(obj, key, JV_KIND_OBJECT, jv_object());
}

jv tn_jv_str_or_null(jv obj, const char *key)
{
	return of_kind(obj, key, JV_KIND_STRING, jv_null());
}

const char *tn_jv_str(jv obj, const char *key)
{
	jv v = member(obj, key);
	const char *s = jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : NULL;

	/* `obj` keeps its own reference to the same string, so `s` stays valid */
	jv_free(v);
	return s;
}

const char *tn_jv_str_or(jv obj, const char *key, const char *dflt)
{
	const char *s = tn_jv_str(obj, key);

	return s ? s : dflt;
}

char *tn_jv_strdup(jv obj, const char *key)
{
	const char *s = tn_jv_str(obj, key);

	return s ? tn_xstrdup(s) : NULL;
}

int tn_jv_bool(jv obj, const char *key, int dflt)
{
	jv v = member(obj, key);
	jv_kind k = jv_get_kind(v);

	jv_free(v);
	return k == JV_KIND_TRUE ? 1 : k == JV_KIND_FALSE ? 0 : dflt;
}

long tn_jv_long(jv obj, const char *key, long dflt)
{
	jv v = member(obj, key);
	long n = tn_json_long(v, dflt);

	jv_free(v);
	return n;
}

int tn_jv_has(jv obj, const char *key)
{
	jv v = member(obj, key);
	int has = jv_is_valid(v);

	jv_free(v);
	return has;
}

int tn_jv_is(jv obj, const char *key, const char *want)
{
	jv v = member(obj, key);
	int same = want ? jv_get_kind(v) == JV_KIND_STRING && strcmp(jv_string_value(v), want) == 0 :
		   jv_get_kind(v) == JV_KIND_NULL;

	jv_free(v);
	return same;
}

int tn_jv_array_has_str(jv arr, const char *s)
{
	int found = 0;

	if (jv_get_kind(arr) != JV_KIND_ARRAY)
		return 0;
	jv_array_foreach(arr, i, e) {
		if (!found && jv_get_kind(e) == JV_KIND_STRING && strcmp(jv_string_value(e), s) == 0)
			found = 1;
		jv_free(e);
	}
	return found;
}

int tn_jv_array_find(jv arr, const char *key, const char *want)
{
	int found = -1;

	if (jv_get_kind(arr) != JV_KIND_ARRAY)
		return -1;
	jv_array_foreach(arr, i, e) {
		if (found < 0 && tn_jv_is(e, key, want))
			found = i;
		jv_free(e);
	}
	return found;
}

jv tn_jv_string_or_null(const char *s)
{
	return s ? jv_string(s) : jv_null();
}

char *tn_jv_unknown_member(jv obj, const char *const *allowed)
{
	char *found = NULL;

	if (jv_get_kind(obj) != JV_KIND_OBJECT)        /* jv_object_foreach asserts */
		return NULL;
	jv_object_foreach(obj, key, val) {
		int known = 0;

		for (const char *const *a = allowed; *a && !known; a++)
			known = strcmp(*a, jv_string_value(key)) == 0;
		if (!known && !found)
			found = tn_xstrdup(jv_string_value(key));
		jv_free(key);
		jv_free(val);
	}
	return found;
}
