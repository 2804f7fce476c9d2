/* scan.c — a fast reader of case list pages: only the members the inbox shows, no jv per case. */
/*
 * Why not tn_json_parse: a page of 1,000 cases is about 650 kB of JSON, and
 * reading it as jv (tn_json_parse, then rows_add_page) takes 40 to 80 ms a
 * page against 4 to 7 ms here (bench/casedesk-inbox, "a page read as jv
 * instead"): 4 to 8 s for 100,000 cases instead of under half a second.
 * Every other JSON casedesk reads goes through the library (tn_async parses
 * it); this is the one place that reads JSON text itself.
 */
#include <stdlib.h>
#include <string.h>

#include "casedesk.h"
#include "tn_text.h"
#include "tn_buf.h"

#define MAXDEPTH 64

struct scan {
	const char *p, *end;
	int bad;
};

static void ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

static int eat(struct scan *s, char c)
{
	ws(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return 1;
	}
	return 0;
}

static long hex4(struct scan *s)
{
	long v = 0;

	if (s->end - s->p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int h = tn_hex_value((unsigned char)s->p[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	s->p += 4;
	return v;
}

static void utf8(struct tn_buf *b, long c)
{
	if (c < 0x80) {
		tn_buf_addch(b, (int)c);
	} else if (c < 0x800) {
		tn_buf_addch(b, (int)(0xc0 | (c >> 6)));
		tn_buf_addch(b, (int)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		tn_buf_addch(b, (int)(0xe0 | (c >> 12)));
		tn_buf_addch(b, (int)(0x80 | ((c >> 6) & 0x3f)));
		tn_buf_addch(b, (int)(0x80 | (c & 0x3f)));
	} else {
		tn_buf_addch(b, (int)(0xf0 | (c >> 18)));
		tn_buf_addch(b, (int)(0x80 | ((c >> 12) & 0x3f)));
		tn_buf_addch(b, (int)(0x80 | ((c >> 6) & 0x3f)));
		tn_buf_addch(b, (int)(0x80 | (c & 0x3f)));
	}
}

/* A string at s->p (after white space); its text into `out` (may be NULL: skipped). */
static int string(struct scan *s, struct tn_buf *out)
{
	ws(s);
	if (s->p >= s->end || *s->p != '"')
		return s->bad = 1, 0;
	s->p++;
	if (out)
		tn_buf_reset(out);
	for (;;) {
		const char *q = s->p;
		while (q < s->end && *q != '"' && *q != '\\')
			q++;
		if (q >= s->end)
			return s->bad = 1, 0;
		if (out)
			tn_buf_add(out, s->p, (size_t)(q - s->p));
		s->p = q + 1;
		if (*q == '"')
			return 1;
		if (s->p >= s->end)
			return s->bad = 1, 0;
		char e = *s->p++;
		long c;
		switch (e) {
		case '"': case '\\': case '/': c = e; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			c = hex4(s);
			if (c < 0)
				return s->bad = 1, 0;
			if (c >= 0xd800 && c < 0xdc00 && s->end - s->p >= 6 && s->p[0] == '\\' &&
			    s->p[1] == 'u') {
				s->p += 2;
				long lo = hex4(s);
				if (lo >= 0xdc00 && lo < 0xe000)
					c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				else
					c = 0xfffd;
			} else if (c >= 0xd800 && c < 0xe000) {
				c = 0xfffd;
			}
			break;
		default:
			return s->bad = 1, 0;
		}
		if (out)
			utf8(out, c);
	}
}

/* Skip any value. */
static void skip(struct scan *s, int depth)
{
	ws(s);
	if (s->p >= s->end || depth > MAXDEPTH) {
		s->bad = 1;
		return;
	}
	if (*s->p == '"') {
		string(s, NULL);
	} else if (*s->p == '{' || *s->p == '[') {
		char close = *s->p == '{' ? '}' : ']';
		int obj = *s->p == '{';
		s->p++;
		if (eat(s, close))
			return;
		do {
			if (obj) {
				string(s, NULL);
				if (!eat(s, ':'))
					s->bad = 1;
			}
			skip(s, depth + 1);
		} while (!s->bad && eat(s, ','));
		if (!eat(s, close))
			s->bad = 1;
	} else {
		/* a number, true, false, null */
		while (s->p < s->end && *s->p != ',' && *s->p != '}' && *s->p != ']' &&
		       *s->p != ' ' && *s->p != '\n' && *s->p != '\r' && *s->p != '\t')
			s->p++;
	}
}

/* null (1), or not null (0, nothing consumed) */
static int null(struct scan *s)
{
	ws(s);
	if (s->end - s->p >= 4 && !memcmp(s->p, "null", 4)) {
		s->p += 4;
		return 1;
	}
	return 0;
}

/* true (1, consumed), or any other value (0, skipped) */
static int is_true(struct scan *s)
{
	ws(s);
	if (s->end - s->p >= 4 && !memcmp(s->p, "true", 4)) {
		s->p += 4;
		return 1;
	}
	skip(s, 1);
	return 0;
}

enum { F_ID, F_STATUS, F_ITEM, F_ITEM_NAME, F_DEADLINE, F_SUBMITTED, F_PARENT, F_WORKFLOW,
       F_NAME, F_COUNT };

static const char *const fnames[] = {
	"id", "status", "item", "item_name", "deadline", "submitted_at", "parent", "workflow"
};

static struct tn_buf fb[F_COUNT], key;

static int one_case(struct scan *s, struct rows *r)
{
	int have[F_COUNT] = { 0 };
	long version = 0;
	int provisional = 0;
	struct case_fields f;

	if (!eat(s, '{'))
		return s->bad = 1, 0;
	if (!eat(s, '}')) {
		do {
			int k = -1;
			string(s, &key);
			if (s->bad || !eat(s, ':'))
				return s->bad = 1, 0;
			for (int i = 0; i < F_NAME; i++)
				if (!strcmp(key.buf, fnames[i]))
					k = i;
			if (k >= 0) {
				if (null(s))
					continue;
				ws(s);
				if (s->p < s->end && *s->p == '"') {
					have[k] = string(s, &fb[k]);
				} else {
					skip(s, 1);
				}
			} else if (!strcmp(key.buf, "version")) {
				ws(s);
				char *e;
				version = strtol(s->p, &e, 10);
				if (e == s->p)
					skip(s, 1);
				else
					s->p = e;
				skip(s, 1);     /* the rest of a number such as 2.0 */
			} else if (!strcmp(key.buf, "deadline_provisional")) {
				provisional = is_true(s);
			} else if (!strcmp(key.buf, "applicant")) {
				if (null(s))
					continue;
				if (!eat(s, '{'))
					return s->bad = 1, 0;
				if (eat(s, '}'))
					continue;
				do {
					string(s, &key);
					if (s->bad || !eat(s, ':'))
						return s->bad = 1, 0;
					ws(s);
					if (!strcmp(key.buf, "name") && s->p < s->end && *s->p == '"')
						have[F_NAME] = string(s, &fb[F_NAME]);
					else
						skip(s, 2);
				} while (!s->bad && eat(s, ','));
				if (!eat(s, '}'))
					return s->bad = 1, 0;
			} else {
				skip(s, 1);
			}
		} while (!s->bad && eat(s, ','));
		if (s->bad || !eat(s, '}'))
			return s->bad = 1, 0;
	}
	if (!have[F_ID])
		return 1;
#define FV(i) (have[i] ? fb[i].buf : NULL)
	f.id = FV(F_ID);
	f.status = FV(F_STATUS);
	f.item = FV(F_ITEM);
	f.item_name = FV(F_ITEM_NAME);
	f.deadline = FV(F_DEADLINE);
	f.submitted = FV(F_SUBMITTED);
	f.parent = FV(F_PARENT);
	f.name = FV(F_NAME);
	f.workflow = have[F_WORKFLOW];
	f.provisional = provisional;
	f.version = version;
#undef FV
	rows_put_fields(r, &f);
	return 1;
}

int rows_scan_page(struct rows *r, const char *text, size_t len, char **next)
{
	struct scan s = { text, text + len, 0 };
	size_t first = r->n;

	*next = NULL;
	if (!eat(&s, '{'))
		return -1;
	if (!eat(&s, '}')) {
		do {
			string(&s, &key);
			if (s.bad || !eat(&s, ':'))
				break;
			if (!strcmp(key.buf, "items")) {
				if (!eat(&s, '['))
					break;
				if (eat(&s, ']'))
					continue;
				do
					one_case(&s, r);
				while (!s.bad && eat(&s, ','));
				if (s.bad || !eat(&s, ']'))
					break;
			} else if (!strcmp(key.buf, "next")) {
				struct tn_buf nb = TN_BUF_INIT;
				if (null(&s))
					continue;
				if (string(&s, &nb) && nb.len)
					*next = tn_buf_detach(&nb, NULL);
				tn_buf_release(&nb);
			} else {
				skip(&s, 1);
			}
		} while (!s.bad && eat(&s, ','));
	}
	rows_added(r, first);
	if (s.bad) {
		free(*next);
		*next = NULL;
		return -1;
	}
	return 0;
}

int rows_scan_peek_next(const char *text, size_t len, char **next)
{
	static const char member[] = "\"next\"";
	const char *end = text + len, *p, *v;

	*next = NULL;
	while (end > text && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\r' || end[-1] == '\t'))
		end--;
	if (end == text || end[-1] != '}')
		return 0;
	end--;
	/* the page's last member: "next": null or "next": "CURSOR" without escapes, then the closing brace */
	while (end > text && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\r' || end[-1] == '\t'))
		end--;
	if (end - text >= 4 && !memcmp(end - 4, "null", 4)) {
		v = end - 4;
	} else if (end > text && end[-1] == '"') {
		v = end - 1;
		while (v > text && v[-1] != '"' && v[-1] != '\\')
			v--;
		if (v == text || v[-1] != '"')
			return 0;
		v--;
	} else {
		return 0;
	}
	p = v;
	while (p > text && (p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\r' || p[-1] == '\t'))
		p--;
	if (p == text || p[-1] != ':')
		return 0;
	p--;
	while (p > text && (p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\r' || p[-1] == '\t'))
		p--;
	if ((size_t)(p - text) < sizeof(member) - 1 || memcmp(p - (sizeof(member) - 1), member, sizeof(member) - 1))
		return 0;
	p -= sizeof(member) - 1;
	/* the member before it ends the items: `,` (or the page's opening brace) */
	while (p > text && (p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\r' || p[-1] == '\t'))
		p--;
	if (p == text || (p[-1] != ',' && p[-1] != '{'))
		return 0;
	if (*v == '"' && end - v > 2)
		*next = tn_xstrndup(v + 1, (size_t)(end - v - 2));
	return 1;
}

void rows_scan_release(void)
{
	for (int i = 0; i < F_COUNT; i++)
		tn_buf_release(&fb[i]);
	tn_buf_release(&key);
}
