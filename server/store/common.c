/* common.c — the storage wall's functions that take no store: the same for every backend. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tn_text.h"
#include "tn_text.h"
#include "store.h"
#include "store_common.h"

void store_token_release(struct store_token *tok)
{
	free(tok->name);
	free(tok->role);
	free(tok->dept);
	free(tok->subject);
	memset(tok, 0, sizeof(*tok));
}

void store_alert_text(struct tn_buf *b, jv doc, const char *pre, long long seq)
{
	static const char head[] = "{\"id\":null,\"seq\":null,";
	char num[64];
	int n;

	if (!pre || strncmp(pre, head, sizeof(head) - 1) != 0) {
		tn_json_dump(doc, b);
		return;
	}
	n = snprintf(num, sizeof(num), "{\"id\":%lld,\"seq\":%lld,", seq, seq);
	tn_buf_add(b, num, (size_t)n);
	tn_buf_adds(b, pre + sizeof(head) - 1);
}

char *store_id_cursor_make(char tag, int desc, long long id)
{
	struct tn_buf b = TN_BUF_INIT;
	char raw[48];

	if (tag)
		snprintf(raw, sizeof(raw), "%c%c:%lld", tag, desc ? 'd' : 'a', id);
	else
		snprintf(raw, sizeof(raw), "%c:%lld", desc ? 'd' : 'a', id);
	for (const char *c = raw; *c; c++)
		tn_buf_addf(&b, "%02x", (unsigned char)*c);
	return tn_buf_detach(&b, NULL);
}

int store_id_cursor_parse(const char *cur, char tag, int desc, long long *id)
{
	char raw[48], *end, *p = raw;
	size_t n = strlen(cur), i;

	if (n < 6 || n % 2 || n / 2 >= sizeof(raw))
		return -1;
	for (i = 0; i < n / 2; i++) {
		unsigned int x;

		if (sscanf(cur + 2 * i, "%2x", &x) != 1)
			return -1;
		raw[i] = (char)x;
	}
	raw[i] = '\0';
	if (tag && *p++ != tag)
		return -1;
	if (p[0] != (desc ? 'd' : 'a') || p[1] != ':')
		return -1;
	*id = strtoll(p + 2, &end, 10);
	return *end || end == p + 2 || *id < 0 ? -1 : 0;
}

jv store_task_event(long long seq, const char *at, jv action, jv actor, jv comment, jv data)
{
	jv e = jv_object();

	e = jv_object_set(e, jv_string("seq"), jv_number((double)seq));
	e = jv_object_set(e, jv_string("at"), jv_string(at));
	e = jv_object_set(e, jv_string("action"), action);
	e = jv_object_set(e, jv_string("actor"), actor);
	e = jv_object_set(e, jv_string("comment"), comment);
	if (jv_get_kind(data) == JV_KIND_OBJECT) {
		e = jv_object_set(e, jv_string("status"),
				  jv_object_get(jv_copy(data), jv_string("status")));
		e = jv_object_set(e, jv_string("version"),
				  jv_object_get(jv_copy(data), jv_string("version")));
	}
	jv_free(data);
	return e;
}

static __thread struct memo {
	uint32_t hash;
	uint32_t len;
	char *text;             /* NULL: free */
	jv v;
} memo[STORE_JSON_MEMO_SLOTS];
static __thread int memo_read;  /* the thread called store_json_memo: puts are kept */

/* The slot of text t[0..n) emptied for it; NULL when it is not kept (too long). */
static struct memo *memo_slot(const char *t, size_t n, uint32_t *hash)
{
	struct memo *m;

	if (n == 0 || n > STORE_JSON_MEMO_MAX)
		return NULL;
	*hash = tn_hash_words(t, n);   /* a collision costs a slot: the bytes are compared */
	m = &memo[*hash % STORE_JSON_MEMO_SLOTS];
	if (m->text && m->hash == *hash && m->len == n && memcmp(m->text, t, n) == 0)
		return m;
	if (m->text) {
		free(m->text);
		jv_free(m->v);
		m->text = NULL;
	}
	return m;
}

/* Fill the empty slot `m` with text t[0..n) and its value `v` (consumed). */
static void memo_fill(struct memo *m, const char *t, size_t n, uint32_t hash, jv v)
{
	m->v = v;
	m->text = tn_xmalloc(n);
	memcpy(m->text, t, n);
	m->hash = hash;
	m->len = (uint32_t)n;
}

void store_json_memo_put(const char *t, size_t n, jv v)
{
	uint32_t h = 0;
	struct memo *m = t && memo_read ? memo_slot(t, n, &h) : NULL;

	if (m && !m->text)
		memo_fill(m, t, n, h, jv_copy(v));
}

jv store_json_memo(const char *t, size_t n)
{
	struct memo *m;
	uint32_t h = 0;

	if (!t)
		return jv_null();
	memo_read = 1;
	if (!(m = memo_slot(t, n, &h)))
		return tn_json_parse(t, n);
	if (!m->text) {
		jv v = tn_json_parse(t, n);

		if (!jv_is_valid(v))
			return v;       /* an error: not kept */
		memo_fill(m, t, n, h, v);
	}
	return jv_copy(m->v);
}

jv store_reversed(jv a)
{
	jv out = jv_array();

	for (int i = jv_array_length(jv_copy(a)) - 1; i >= 0; i--)
		out = jv_array_append(out, jv_array_get(jv_copy(a), i));
	jv_free(a);
	return out;
}

void store_case_filed_init(struct store_case_filed *res, int n)
{
	for (int i = 0; i < n; i++) {
		res[i].code = TN_EINTERNAL;
		res[i].out = jv_invalid();
		res[i].text = NULL;
		res[i].text_len = 0;
		res[i].replayed = 0;
		res[i].err = (struct tn_err)TN_ERR_INIT;
	}
}

void store_case_batch_end(struct store_case_new *cs, struct store_case_filed *res, int n,
			  const struct tn_err *err)
{
	for (int i = 0; i < n; i++) {
		jv_free(cs[i].doc);
		jv_free(cs[i].event);
		cs[i].doc = cs[i].event = jv_invalid();
		if (!err)
			continue;
		jv_free(res[i].out);
		free(res[i].text);
		res[i].out = jv_invalid();
		res[i].text = NULL;
		res[i].replayed = 0;
		res[i].err = *err;
		res[i].code = err->code != TN_OK ? err->code : TN_EINTERNAL;
	}
}
