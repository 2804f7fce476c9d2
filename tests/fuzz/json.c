/* json.c — fuzz target: request bodies through tn_json_parse_exact, then every POST endpoint's library checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_cal.h"
#include "tn_cap.h"
#include "tn_case.h"
#include "tn_catalog.h"
#include "tn_cert.h"
#include "tn_id.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "tn_merge.h"

#include "fuzz.h"

/*
 * The input is one request body.  Whatever endpoint it is posted to, twonetd
 * parses it with tn_json_parse_exact first; the value then goes through the
 * library's checks of every POST endpoint (a body meant for one endpoint can
 * be sent to any other):
 *   POST /v1/cases            tn_case_prepare (tn_case_check), the content key,
 *                             the text view; with "workflow", the merge
 *                             (tn_merge_items, as POST /v1/workflows stored it)
 *                             and tn_case_workflow_plan / _asks
 *   POST /v1/cases/{id}/actions  tn_case_action_valid; case-act's input line
 *   POST /v1/alerts           the server's tn_alert_check and tn_alert_check_doc
 *                             (one, or {"alerts":[...]}), then tn_alert_normalize,
 *                             then CAP out and back in, and the table row
 *   POST /v1/certs, /v1/consents  the kind, holder and identifier checks,
 *                             canonical JSON, signed content, verification
 *                             against an empty key ring, the audit row hash
 * The shipped catalog, calendar and kinds are loaded once.  tn_json_verbatim
 * (the clients' check of a reply passed on unparsed) is held to the parser:
 * what it passes is accepted, and dumped is the very bytes it passed.
 */

static jv catalog, kinds;
static struct tn_cal *cal;
static struct tn_cert_keyring *ring;
static long start_day;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct tn_err err = TN_ERR_INIT;

	(void)argc;
	(void)argv;
	fuzz_setup();
	if (tn_catalog_load(NULL, &catalog, &err) != TN_OK ||
	    tn_cert_kinds_load(NULL, &kinds, &err) != TN_OK ||
	    tn_cal_load(&cal, NULL, &err) != TN_OK) {
		fprintf(stderr, "fuzz json: cannot load the shipped data: %s\n", err.message);
		abort();
	}
	ring = tn_cert_keyring_new();
	tn_date_parse("2026-07-01", &start_day);
	return 0;
}

static void check_case(jv body)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf b = TN_BUF_INIT;
	char warning[256];
	char *key = NULL;
	jv out;

	if (tn_case_prepare(jv_copy(body), NULL, &out, &key, warning, sizeof(warning), &err) != TN_OK)
		return;
	FUZZ_ASSERT(key && strlen(key) > 0 && strlen(key) <= 128, "a prepared case has a key");
	{
		char *ck = tn_case_content_key(out), *canon = tn_json_canonical(out);

		FUZZ_ASSERT(strlen(ck) == 64, "a content key is 64 hex digits");
		free(ck);
		free(canon);
	}
	tn_case_format_text(&b, out);
	tn_buf_release(&b);
	free(key);
	jv_free(out);
}

/* A "one thing" case: the workflow as twonetd has it (the body itself when it carries items). */
static void check_workflow_case(jv body)
{
	struct tn_merge_opts o = TN_MERGE_OPTS_INIT;
	struct tn_err err = TN_ERR_INIT;
	char *code = tn_jv_strdup(body, "workflow");
	jv wf, list, items, w, merged, plan, given;
	int bad = 0;

	if (!code)
		return;
	list = tn_jv_get(body, "items");
	wf = jv_get_kind(list) == JV_KIND_ARRAY ? jv_copy(body) : tn_catalog_workflow(catalog, code);
	jv_free(list);
	if (!jv_is_valid(wf)) {
		jv_free(wf);
		free(code);
		return;
	}
	list = tn_jv_array(wf, "items");
	items = jv_array();
	jv_array_foreach(list, i, e) {
		jv c = jv_get_kind(e) == JV_KIND_OBJECT ? tn_jv_get(e, "code") : jv_copy(e), it;

		if (!bad && jv_get_kind(c) == JV_KIND_STRING &&
		    jv_is_valid(it = tn_catalog_item(catalog, jv_string_value(c))))
			items = jv_array_append(items, it);
		else
			bad = 1;
		jv_free(c);
		jv_free(e);
	}
	jv_free(list);
	if (bad) {
		jv_free(items);
		jv_free(wf);
		free(code);
		return;
	}
	w = jv_object_set(jv_object(), jv_string("code"), jv_string(code));
	w = jv_object_set(w, jv_string("name"), tn_jv_get(wf, "name"));
	w = jv_object_set(w, jv_string("window"), tn_jv_get(wf, "window"));
	jv_free(wf);
	o.cal = cal;
	o.start = start_day;
	if (tn_merge_items(w, items, &o, &merged, &err) != TN_OK) {
		free(code);
		return;
	}
	given = tn_jv_get(body, "materials");
	if (jv_get_kind(given) == JV_KIND_ARRAY) {
		jv_array_foreach(given, i, m) {
			jv c = tn_jv_get(m, "code");

			if (jv_get_kind(c) == JV_KIND_STRING)
				tn_case_workflow_asks(merged, jv_string_value(c));
			jv_free(c);
			jv_free(m);
		}
	}
	if (tn_case_workflow_plan(merged, given, cal, start_day, &plan, &err) == TN_OK)
		jv_free(plan);
	jv_free(given);
	jv_free(merged);
	free(code);
}

static void check_action(jv body, const char *text)
{
	struct tn_err err = TN_ERR_INIT;
	char *action = tn_jv_strdup(body, "action"), *id;
	long version;

	if (action) {
		tn_case_action_valid(action);
		free(action);
	}
	/* case-act reads ids (or {"id","version"} objects) a line each */
	if (!strchr(text, '\n') && (id = tn_case_id_from_line(text, &version, &err)) != NULL)
		free(id);
}

/* The name of the last member of object `o` (borrowed), "" for none. */
static const char *last_key(jv o, char *buf, size_t size)
{
	buf[0] = '\0';
	jv_object_keys_foreach(o, k) {
		snprintf(buf, size, "%s", jv_string_value(k));
		jv_free(k);
	}
	return buf;
}

/*
 * twonetd's strict check of one alert (borrowed): tn_alert_check, and the
 * document tn_alert_check_doc makes of it (as POST /v1/alerts stores it),
 * agree: the same verdict and detail; the document is the head, the checked
 * members but msg_type and references (in *msg), the tail, cap last; its
 * text is tn_json_dump's.
 */
static void check_strict(jv in)
{
	static const char *const head[] = { "id", "seq" }, *const tail[] = { "status", "raised_at" };
	jv hv[2] = { jv_null(), jv_number(1) };
	jv tv[2] = { jv_string("raised"), jv_string("2026-12-01T10:00:00+08:00") };
	struct tn_err e1 = TN_ERR_INIT, e2 = TN_ERR_INIT;
	jv plain = jv_invalid(), doc = jv_invalid(), msg = jv_invalid(), d;
	enum tn_code a = tn_alert_check(in, &plain, &e1);
	struct tn_buf text = TN_BUF_INIT, dumped = TN_BUF_INIT;
	enum tn_code b = tn_alert_check_doc(in, (struct tn_alert_around){ head, hv, 2 },
					    (struct tn_alert_around){ tail, tv, 2 }, &doc, &msg, &text,
					    &e2);
	char name[64];
	int moved = 0;

	FUZZ_ASSERT(a == b, "tn_alert_check and tn_alert_check_doc give one verdict");
	if (a != TN_OK) {
		FUZZ_ASSERT(a == TN_EINVALID, "a refused alert is TN_EINVALID");
		FUZZ_ASSERT(e1.http_status == 400 || e1.http_status == 422, "a refusal is 400 or 422");
		FUZZ_ASSERT(strcmp(e1.message, e2.message) == 0 && strcmp(e1.field, e2.field) == 0 &&
			    e1.http_status == e2.http_status, "both checks refuse with one detail");
		FUZZ_ASSERT(!jv_is_valid(doc) && !jv_is_valid(msg) && text.len == 0,
			    "a refusal leaves *out, *msg and the text untouched");
		return;
	}
	tn_json_dump(doc, &dumped);
	FUZZ_ASSERT(text.len == dumped.len && memcmp(text.buf, dumped.buf, text.len) == 0,
		    "the document's text is what tn_json_dump writes of it");
	tn_buf_release(&text);
	tn_buf_release(&dumped);
	jv_object_foreach(plain, k, v) {
		int to_msg = !strcmp(jv_string_value(k), "msg_type") ||
			     !strcmp(jv_string_value(k), "references");

		moved += to_msg;
		FUZZ_ASSERT(jv_equal(jv_object_get(jv_copy(to_msg ? msg : doc), k), v),
			    "each checked member is in the document (msg_type, references: in msg)");
	}
	FUZZ_ASSERT(moved == (jv_get_kind(msg) == JV_KIND_NULL ? 0 : 2),
		    "msg holds msg_type and references, or is null");
	FUZZ_ASSERT(jv_object_length(jv_copy(doc)) == jv_object_length(jv_copy(plain)) - moved + 4,
		    "the document is the checked members, the head and the tail");
	d = jv_dump_string(jv_copy(doc), 0);
	FUZZ_ASSERT(strncmp(jv_string_value(d), "{\"id\":null,\"seq\":1,", 19) == 0,
		    "the document starts with its head");
	jv_free(d);
	FUZZ_ASSERT(!strcmp(last_key(doc, name, sizeof(name)),
			    jv_object_has(jv_copy(plain), jv_string("cap")) ? "cap" : "raised_at"),
		    "cap comes last, after the tail");
	jv_free(plain);
	jv_free(doc);
	jv_free(msg);
}

/* One alert input: the server's check; normalised, written as CAP, read back, drawn as a table row. */
static void check_alert(jv in)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf b = TN_BUF_INIT;
	jv out, back;

	check_strict(in);
	if (tn_alert_normalize(in, 1, &out, &err) != TN_OK)
		return;
	tn_alert_format_row(&b, out, 80, 1);
	tn_buf_reset(&b);
	if (tn_cap_write(&b, out, &err) == TN_OK) {
		enum tn_code rc = tn_cap_parse(b.buf, b.len, "written", 0, &back, &err);

		if (rc != TN_OK)
			fprintf(stderr, "fuzz json: CAP written for a normalised alert does not read "
				"back: %s\n%s", err.message, b.buf);
		FUZZ_ASSERT(rc == TN_OK, "CAP written by tn_cap_write reads back with tn_cap_parse");
		jv_free(back);
	}
	tn_buf_release(&b);
	jv_free(out);
}

static void check_alerts(jv body)
{
	jv list = tn_jv_get(body, "alerts");

	if (jv_get_kind(list) == JV_KIND_ARRAY) {
		jv_array_foreach(list, i, a)
			check_alert(a);
	} else {
		check_alert(jv_copy(body));
	}
	jv_free(list);
}

static void check_cert(jv body)
{
	struct tn_cert_verification ver;
	struct tn_err err = TN_ERR_INIT;
	char *s, hash[65];
	size_t len;
	jv k, holder;

	if ((s = tn_jv_strdup(body, "kind")) != NULL) {
		k = tn_cert_kind_find(kinds, s);
		jv_free(k);
		free(s);
	}
	holder = tn_jv_get(body, "holder");
	if (jv_get_kind(holder) == JV_KIND_OBJECT) {
		char *type = tn_jv_strdup(holder, "type"), *id = tn_jv_strdup(holder, "id");

		if (id)
			tn_cert_check_holder(type ? type : "person", id, &err);
		free(type);
		free(id);
	} else if (jv_get_kind(holder) == JV_KIND_STRING) {
		tn_id_check_holder(jv_string_value(holder), &err);   /* POST /v1/consents */
	}
	jv_free(holder);
	if ((s = tn_jv_strdup(body, "id")) != NULL) {
		struct tn_cert_idparts parts;

		if (tn_cert_id_parse(s, &parts, &err) == TN_OK)
			FUZZ_ASSERT(strlen(s) < TN_CERT_ID_MAX, "a parsed identifier fits TN_CERT_ID_MAX");
		free(s);
	}
	if (tn_cert_canonical(body, &s, &len, &err) == TN_OK) {
		FUZZ_ASSERT(strlen(s) == len, "canonical JSON holds no NUL");
		free(s);
	}
	if (tn_cert_signed_content(body, &s, &len, &err) == TN_OK)
		free(s);
	tn_cert_verify(ring, body, "2026-07-01", &ver);
	jv_free(tn_cert_verification_json(&ver));
	tn_cert_audit_hash(body, NULL, hash, &err);
}

/* A body tn_json_verbatim passed: an object whose compact dump is its very bytes. */
static void check_verbatim(jv v, const char *text, size_t len)
{
	struct tn_buf b = TN_BUF_INIT;

	FUZZ_ASSERT(jv_get_kind(v) == JV_KIND_OBJECT, "tn_json_verbatim passes objects only");
	tn_json_dump(v, &b);
	FUZZ_ASSERT(b.len == len && memcmp(b.buf, text, len) == 0,
		    "what tn_json_verbatim passes is the dump of what the parser reads");
	tn_buf_release(&b);
}

int fuzz_one(const uint8_t *data, size_t size)
{
	struct tn_err err = TN_ERR_INIT;
	size_t offset = (size_t)-1, from = 0, to = 0;
	char *text, path[256];
	int verbatim;
	jv v;

	verbatim = tn_json_verbatim((const char *)data, size, &from, &to);
	if (tn_json_parse_exact((const char *)data, size, 0, &v, &offset, &err) != TN_OK) {
		FUZZ_ASSERT(!verbatim, "what tn_json_verbatim passes, tn_json_parse_exact accepts");
		FUZZ_ASSERT(err.code == TN_EINVALID, "a refused body is TN_EINVALID");
		FUZZ_ASSERT(offset <= size, "the offset of a fault is inside the body");
		FUZZ_ASSERT(jv_get_kind(v) == JV_KIND_INVALID, "a refused body gives jv_invalid()");
		jv_free(v);
		return 0;
	}
	FUZZ_ASSERT(!memchr(data, '\0', size), "a body with a NUL byte is refused");
	if (verbatim)
		check_verbatim(v, (const char *)data + from, to - from);
	FUZZ_ASSERT(!tn_json_find_control(v, path, sizeof(path)),
		    "an accepted body holds no U+0000 or control character");
	text = fuzz_cstr(data, size);
	/* what was accepted, jq's own parser reads as the same value */
	{
		jv again = jv_parse_sized(text, (int)size);

		jv a, b;

		FUZZ_ASSERT(jv_is_valid(again), "jv_parse_sized reads what tn_json_parse_exact accepted");
		a = jv_dump_string(jv_copy(v), 0);
		b = jv_dump_string(jv_copy(again), 0);
		FUZZ_ASSERT(strcmp(jv_string_value(a), jv_string_value(b)) == 0,
			    "tn_json_build made what jq's parser makes, members in the same order");
		jv_free(b);
		b = tn_json_dump_string(jv_copy(v));
		FUZZ_ASSERT(jv_equal(jv_copy(a), jv_copy(b)),
			    "tn_json_dump_string writes jv_dump_string's bytes");
		jv_free(a);
		jv_free(b);
		FUZZ_ASSERT(jv_equal(jv_copy(v), again), "both parsers read the same value");
		{       /* the canonical text certificates are signed over: jq's bytes */
			struct tn_buf sb = TN_BUF_INIT;
			jv want = jv_dump_string(jv_copy(v), JV_PRINT_SORTED);

			tn_json_dump_sorted(v, &sb);
			FUZZ_ASSERT(strcmp(sb.buf, jv_string_value(want)) == 0,
				    "tn_json_dump_sorted writes what jv_dump_string(JV_PRINT_SORTED) writes");
			jv_free(want);
			tn_buf_release(&sb);
		}
	}
	check_case(v);
	check_workflow_case(v);
	check_action(v, text);
	check_alerts(v);
	check_cert(v);
	jv_free(v);
	free(text);
	return 0;
}
