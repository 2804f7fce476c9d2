/* test_srv_pg_alerts.c — alerts on PostgreSQL beside SQLite; the event log's order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <libpq-fe.h>

#include "tn_buf.h"
#include "tn_json.h"
#include "tn_jv.h"
#include "store.h"
#include "store_alerts.h"
#include "store_reports.h"

/*
 * Run by tests/cli/t8120-pg-alerts.sh with TWONET_PG_URI set; skips without
 * it.  The same alerts are raised and acted on in a fresh PostgreSQL schema
 * and a fresh SQLite file: every read (get, history, list pages and
 * cursors, the event log byte for byte, bounds, report rows) must agree.
 * Then writers on several connections at once, and a follower that must
 * only ever see the log grow by a gap-free prefix.
 */
static const char *uri;

struct fix {
	struct store *pg, *lite;
	char dir[64], path[128];
};

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct tn_err err = TN_ERR_INIT;
	PGconn *c = PQconnectdb(uri);

	PQsetNoticeProcessor(c, quiet, NULL);
	PQclear(PQexec(c, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"));
	PQfinish(c);
	snprintf(f->dir, sizeof(f->dir), "%s/twonet-pga-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
	if (store_open(&f->pg, uri, 1, &err) != TN_OK || store_open(&f->lite, f->path, 1, &err) != TN_OK) {
		print_error("store_open: %s\n", err.message);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	static const char *const tails[] = { "", "-wal", "-shm", ".audit", ".audit-wal",
					     ".audit-shm" };
	char p[160];

	store_close(f->pg);
	store_close(f->lite);
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, tails[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static const char *const kinds[] = { "flood", "fire", "power" };
static const char *const sevs[] = { "blue", "yellow", "orange", "red" };
static const char *const districts[] = { "310101", "310104", "310105" };

/* Seconds of 2026-12-01T00:00:00+08:00 plus i hours. */
static long long when(int i)
{
	return 1764518400LL + 3600LL * i;
}

static void rfc(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static jv alert_doc(int i, const char *source_id)
{
	char at[40];
	jv d = jv_object();

	rfc(when(i), at, sizeof(at));
	d = jv_object_set(d, jv_string("source"), jv_string("sensor"));
	d = jv_object_set(d, jv_string("source_id"), jv_string(source_id));
	d = jv_object_set(d, jv_string("kind"), jv_string(kinds[i % 3]));
	d = jv_object_set(d, jv_string("severity"), jv_string(sevs[i % 4]));
	d = jv_object_set(d, jv_string("district"), jv_string(districts[i % 3]));
	d = jv_object_set(d, jv_string("status"), jv_string("new"));
	d = jv_object_set(d, jv_string("raised_at"), jv_string(at));
	return d;
}

static void assert_same(jv a, jv b)
{
	jv ta = jv_dump_string(a, 0), tb = jv_dump_string(b, 0);

	assert_string_equal(jv_string_value(ta), jv_string_value(tb));
	jv_free(ta);
	jv_free(tb);
}

/*
 * Raise alert i (source id "s<i>") on `st` in its own transaction; its id.
 * Odd i: as a batch does, from the document's text made beforehand (its id
 * and seq null and first, as alert_build makes it), the stored text asked
 * back; that text must be the returned ALERT's dump, id spliced in.  Every
 * other of those (i % 4 == 3) as a batch without rules does: the document
 * only STORE_ALERT_RAISE_MEMBERS, the text the whole one's; what is stored
 * is the whole text all the same.
 */
/* store_alerts_begin_yield's wait where no other writer holds the lock: never called. */
static void no_wait(void *arg)
{
	(void)arg;
	fail_msg("store_alerts_begin_yield waited with no other writer");
}

static long long raise_one(struct store *st, int i, int *replayed)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf pre = TN_BUF_INIT, text = TN_BUF_INIT, want = TN_BUF_INIT;
	char sid[32];
	jv out, doc;
	long long id;

	snprintf(sid, sizeof(sid), "s%d", i);
	doc = alert_doc(i, sid);
	/* both ways into the transaction, on both backends */
	if (i % 2)
		assert_int_equal(store_alerts_begin_yield(st, no_wait, NULL, &err), TN_OK);
	else
		assert_int_equal(store_alerts_begin(st, &err), TN_OK);
	if (i % 2) {
		jv d = jv_object_set(jv_object(), jv_string("id"), jv_null());

		d = jv_object_set(d, jv_string("seq"), jv_null());
		jv_object_foreach(doc, k, v)
			d = jv_object_set(d, k, v);
		jv_free(doc);
		doc = d;
		tn_buf_adds(&text, "before");
		tn_json_dump(doc, &pre);
		if (i % 4 == 3) {
			static const char *const some[] = { STORE_ALERT_RAISE_MEMBERS, NULL };
			jv part = jv_object();

			for (const char *const *m = some; *m; m++)
				part = jv_object_set(part, jv_string(*m), tn_jv_get(doc, *m));
			jv_free(doc);
			doc = part;
		}
		assert_int_equal(store_alert_raise(st, doc, i % 4 != 3, pre.buf, when(i), &out, &text,
						   replayed, &err), TN_OK);
		if (i % 4 == 3 && !*replayed) {
			long got = tn_jv_long(out, "id", -1);
			struct tn_buf stored = TN_BUF_INIT;

			/* the whole document's text, id and seq spliced in, also as stored */
			assert_int_equal(jv_object_length(jv_copy(out)), 9);
			assert_memory_equal(pre.buf, "{\"id\":null,\"seq\":null,", 22);
			tn_buf_addf(&want, "{\"id\":%ld,\"seq\":%ld,%s", got, got, pre.buf + 22);
			assert_int_equal(store_alert_get(st, got, &doc, &err), TN_OK);
			tn_json_dump(doc, &stored);
			assert_string_equal(stored.buf, want.buf);
			tn_buf_release(&stored);
			jv_free(doc);
			/* and its row's columns, read from the partial document: found by each */
			{
				char *st_[] = { "new", NULL }, *d_[] = { (char *)districts[i % 3], NULL };
				char *k_[] = { (char *)kinds[i % 3], NULL }, *next = NULL;
				struct store_alert_filter q = { .status = st_, .district = d_, .kind = k_,
								.min_severity = i % 4, .source = "sensor",
								.since = when(i), .until = when(i) + 1,
								.after = got - 1, .limit = 1 };
				jv items, one;

				assert_int_equal(store_alert_list(st, &q, &items, &next, &err), TN_OK);
				assert_int_equal(jv_array_length(jv_copy(items)), 1);
				one = jv_array_get(items, 0);
				assert_int_equal(tn_jv_long(one, "id", -1), got);
				jv_free(one);
				free(next);
			}
		} else {
			tn_json_dump(out, &want);
		}
		assert_string_equal(text.buf + 6, want.buf);
		assert_memory_equal(text.buf, "before{\"id\":", 12);
	} else {
		assert_int_equal(store_alert_raise(st, doc, 1, NULL, when(i), &out, NULL, replayed,
						   &err), TN_OK);
	}
	assert_int_equal(store_alerts_commit(st, 0, NULL, &err), TN_OK);
	id = (long long)jv_number_value(jv_object_get(jv_copy(out), jv_string("id")));
	jv_free(out);
	tn_buf_release(&pre);
	tn_buf_release(&text);
	tn_buf_release(&want);
	return id;
}

/* Update alert id to `status` (with dispatched_at / closed_at at + minutes) on `st`. */
static void act(struct store *st, long long id, int i, const char *status, const char *member,
		long minutes)
{
	struct tn_err err = TN_ERR_INIT;
	char at[40];
	jv doc, out;

	assert_int_equal(store_alert_get(st, id, &doc, &err), TN_OK);
	rfc(when(i) + 60 * minutes, at, sizeof(at));
	doc = jv_object_set(doc, jv_string("status"), jv_string(status));
	doc = jv_object_set(doc, jv_string(member), jv_string(at));
	assert_int_equal(store_alerts_begin(st, &err), TN_OK);
	if (store_alert_update(st, id, doc, when(i) + 60 * minutes, status, "op \"1\"",
			       i % 2 ? "a comment" : NULL, &out, &err) != TN_OK)
		fail_msg("alert update: %s", err.message);
	assert_int_equal(store_alerts_commit(st, 0, NULL, &err), TN_OK);
	jv_free(out);
}

/* Every event as text, "seq|event|sev|district|kind|data\n". */
static int collect(void *ctx, const struct store_alert_event *ev)
{
	tn_buf_addf(ctx, "%lld|%s|%d|%s|%s|%.*s\n", ev->seq, ev->event, ev->severity, ev->district,
		    ev->kind, (int)ev->len, ev->data);
	return 0;
}

/* The same writes on both backends. */
static void fill(struct fix *f)
{
	int rp, rl;

	for (int i = 0; i < 30; i++) {
		long long a = raise_one(f->pg, i, &rp), b = raise_one(f->lite, i, &rl);

		assert_int_equal(a, b);
		assert_int_equal(rp, rl);
	}
	for (int i = 0; i < 30; i += 2) {
		act(f->pg, i + 1, i, "dispatched", "dispatched_at", 7L * i);
		act(f->lite, i + 1, i, "dispatched", "dispatched_at", 7L * i);
	}
	for (int i = 0; i < 30; i += 3) {
		act(f->pg, i + 1, i, "closed", "closed_at", 50L * i + 3);
		act(f->lite, i + 1, i, "closed", "closed_at", 50L * i + 3);
	}
}

static void test_alerts_same(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf ea = TN_BUF_INIT, eb = TN_BUF_INIT;
	long long oa, la, ob, lb, sa, sb;
	int rp;
	jv a, b;

	fill(f);
	/* a replay writes nothing and gives the stored alert */
	assert_int_equal(raise_one(f->pg, 4, &rp), 5);
	assert_int_equal(rp, 1);
	assert_int_equal(raise_one(f->lite, 4, &rp), 5);
	assert_int_equal(rp, 1);
	/* a batch's replays (the stored text appended): of a whole and of a partial document */
	for (int i = 5; i >= 3; i -= 2) {
		assert_int_equal(raise_one(f->pg, i, &rp), i + 1);
		assert_int_equal(rp, 1);
		assert_int_equal(raise_one(f->lite, i, &rp), i + 1);
		assert_int_equal(rp, 1);
	}
	for (long long id = 1; id <= 30; id++) {
		assert_int_equal(store_alert_get(f->pg, id, &a, &err), TN_OK);
		assert_int_equal(store_alert_get(f->lite, id, &b, &err), TN_OK);
		assert_same(a, b);
		assert_int_equal(store_alert_history(f->pg, id, &a, &err), TN_OK);
		assert_int_equal(store_alert_history(f->lite, id, &b, &err), TN_OK);
		assert_same(a, b);
	}
	assert_int_equal(store_alert_get(f->pg, 999, &a, &err), TN_ENOTFOUND);
	assert_int_equal(store_alerts_begin(f->pg, &err), TN_OK);
	assert_int_equal(store_alert_update(f->pg, 999, alert_doc(1, "x"), 0, "ack", "me", NULL, &a,
					    &err), TN_ENOTFOUND);
	store_alerts_rollback(f->pg);
	/* the event log, byte for byte, both ways */
	for (int desc = 0; desc < 2; desc++) {
		long na, nb;

		assert_int_equal(store_alert_events(f->pg, desc ? 40 : 3, desc, 1000, collect, &ea,
						    &na, &err), TN_OK);
		assert_int_equal(store_alert_events(f->lite, desc ? 40 : 3, desc, 1000, collect, &eb,
						    &nb, &err), TN_OK);
		assert_int_equal(na, nb);
		assert_true(na > 10);
		assert_string_equal(ea.buf, eb.buf);
		tn_buf_release(&ea);
		tn_buf_release(&eb);
	}
	assert_int_equal(store_alert_bounds(f->pg, &oa, &la, &err), TN_OK);
	assert_int_equal(store_alert_bounds(f->lite, &ob, &lb, &err), TN_OK);
	assert_int_equal(oa, ob);
	assert_int_equal(la, lb);
	assert_int_equal(store_alert_latest(f->pg), la);
	assert_int_equal(store_alert_first_since(f->pg, when(12) + 1, &sa, &err), TN_OK);
	assert_int_equal(store_alert_first_since(f->lite, when(12) + 1, &sb, &err), TN_OK);
	assert_int_equal(sa, sb);
	assert_null(store_alerts_path(f->pg));
	assert_non_null(store_alerts_path(f->lite));
	/* retention keeps the last 10 events, the latest stays */
	for (int k = 0; k < 2; k++) {
		struct store *st = k ? f->lite : f->pg;

		assert_int_equal(store_alerts_begin(st, &err), TN_OK);
		assert_int_equal(store_alerts_commit(st, 10, &sa, &err), TN_OK);
		assert_int_equal(sa, la);
		assert_int_equal(store_alert_bounds(st, &oa, &lb, &err), TN_OK);
		assert_int_equal(oa, la - 9);
		assert_int_equal(lb, la);
	}
	/* the next raise continues after the latest */
	assert_int_equal(raise_one(f->pg, 40, &rp), la + 1);
}

static void test_alert_list(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	char *st_red[] = { "new", "dispatched", NULL }, *dist[] = { "310104", NULL };
	char *kind[] = { "fire", "flood", NULL };

	fill(f);
	for (int v = 0; v < 6; v++) {
		struct store_alert_filter q = { NULL, NULL, NULL, 0, NULL, -1, -1, -1, v & 1, NULL, 4 };
		char *na = NULL, *nb = NULL, *cur = NULL;
		int pages = 0;

		if (v >= 2)
			q.status = st_red;
		if (v >= 4) {
			q.district = dist;
			q.kind = kind;
			q.min_severity = 1;
			q.since = when(2);
			q.until = when(28);
			q.source = "sensor";
			q.after = 1;
		}
		do {
			jv a, b;

			q.cursor = cur;
			assert_int_equal(store_alert_list(f->pg, &q, &a, &na, &err), TN_OK);
			assert_int_equal(store_alert_list(f->lite, &q, &b, &nb, &err), TN_OK);
			assert_same(a, b);
			if (na || nb) {
				assert_non_null(na);
				assert_non_null(nb);
				assert_string_equal(na, nb);
			}
			free(cur);
			free(nb);
			cur = na;
			pages++;
		} while (cur);
		assert_true(pages >= 2);
	}
	{
		struct store_alert_filter q = { NULL, NULL, NULL, 0, NULL, -1, -1, -1, 0, "zz", 4 };
		jv a;
		char *n;

		assert_int_equal(store_alert_list(f->pg, &q, &a, &n, &err), TN_EINVALID);
	}
}

/* Every report row as text. */
static int report_row(void *ctx, const struct store_alert_row *r)
{
	tn_buf_addf(ctx, "%s|%d|%ld|%ld", r->group ? r->group : "(null)", r->what, r->minutes, r->n);
	for (int i = 0; i < RA_COUNT; i++)
		tn_buf_addf(ctx, "|%ld", r->c[i]);
	tn_buf_addch(ctx, '\n');
	return 0;
}

static void test_alert_report(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	static const char *const by[] = { "kind", "severity", "district", "day", "week", "month" };

	fill(f);
	for (size_t i = 0; i < sizeof(by) / sizeof(by[0]); i++) {
		struct store_alert_report_q q = { when(-30 * 24), when(40), by[i], when(30) };
		struct tn_buf a = TN_BUF_INIT, b = TN_BUF_INIT;

		assert_int_equal(store_report_alerts(f->pg, &q, report_row, &a, &err), TN_OK);
		assert_int_equal(store_report_alerts(f->lite, &q, report_row, &b, &err), TN_OK);
		assert_non_null(a.buf);
		assert_string_equal(a.buf, b.buf);
		tn_buf_release(&a);
		tn_buf_release(&b);
	}
	{
		struct store_alert_report_q q = { 0, 1, "nope", 0 };
		struct tn_buf a = TN_BUF_INIT;

		assert_int_equal(store_report_alerts(f->pg, &q, report_row, &a, &err), TN_EINVALID);
	}
}

/* ---- concurrent writers, one follower ---- */

#define WRITERS 4
#define EACH 150

struct follow {
	long long last;
	long seen, bad;
};

/* Each event must be exactly the next one: a gap or a step back is a follower's miss. */
static int follow_ev(void *ctx, const struct store_alert_event *ev)
{
	struct follow *fl = ctx;

	if (ev->seq != fl->last + 1)
		fl->bad++;
	fl->last = ev->seq;
	fl->seen++;
	return 0;
}

static void writer(int w)
{
	struct tn_err err = TN_ERR_INIT;
	struct store *st;
	char sid[32];
	jv out;
	int rp;

	if (store_open(&st, uri, 0, &err) != TN_OK)
		_exit(2);
	for (int i = 0; i < EACH; i++) {
		if (i % 3 == 0) {
			/* now and then a transaction that rolls back: its seq is given back */
			snprintf(sid, sizeof(sid), "rb%d-%d", w, i);
			if (store_alerts_begin(st, &err) != TN_OK ||
			    store_alert_raise(st, alert_doc(i, sid), 1, NULL, when(i), &out, NULL, &rp, &err) != TN_OK)
				_exit(3);
			jv_free(out);
			store_alerts_rollback(st);
		}
		snprintf(sid, sizeof(sid), "w%d-%d", w, i);
		if (store_alerts_begin(st, &err) != TN_OK ||
		    store_alert_raise(st, alert_doc(i, sid), 1, NULL, when(i), &out, NULL, &rp, &err) != TN_OK)
			_exit(3);
		jv_free(out);
		if (i % 5 == 0)
			usleep(200);    /* let the writers queue behind this one */
		if (store_alerts_commit(st, 0, NULL, &err) != TN_OK)
			_exit(4);
	}
	store_close(st);
	_exit(0);
}

static void test_commit_order(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	struct follow fl = { 0, 0, 0 };
	pid_t pids[WRITERS];
	int status, done = 0;
	long long oldest, latest;

	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		assert_true(pids[w] >= 0);
		if (pids[w] == 0)
			writer(w);
	}
	/* the follower reads after its position all the while, on its own connection (f->pg) */
	while (done < WRITERS) {
		long n;

		assert_int_equal(store_alert_events(f->pg, fl.last, 0, 1000, follow_ev, &fl, &n, &err),
				 TN_OK);
		for (int w = 0; w < WRITERS; w++)
			if (pids[w] > 0 && waitpid(pids[w], &status, WNOHANG) == pids[w]) {
				assert_true(WIFEXITED(status));
				assert_int_equal(WEXITSTATUS(status), 0);
				pids[w] = 0;
				done++;
			}
	}
	assert_int_equal(store_alert_events(f->pg, fl.last, 0, 100000, follow_ev, &fl, NULL, &err),
			 TN_OK);
	assert_int_equal(fl.bad, 0);
	assert_int_equal(fl.seen, WRITERS * EACH);
	assert_int_equal(fl.last, WRITERS * EACH);
	assert_int_equal(store_alert_bounds(f->pg, &oldest, &latest, &err), TN_OK);
	assert_int_equal(oldest, 1);
	assert_int_equal(latest, WRITERS * EACH);
	/* read again from the start: the same gap-free log */
	fl.last = 0;
	fl.seen = 0;
	assert_int_equal(store_alert_events(f->pg, 0, 0, 100000, follow_ev, &fl, NULL, &err), TN_OK);
	assert_int_equal(fl.bad, 0);
	assert_int_equal(fl.seen, WRITERS * EACH);
}

/* The next notification on `c` within `tenths` tenths of a second: its payload, or NULL. */
static char *notified(PGconn *c, int tenths)
{
	for (int i = 0; i < tenths; i++) {
		PGnotify *n;
		char *payload;

		PQconsumeInput(c);
		if ((n = PQnotifies(c))) {
			assert_string_equal(n->relname, "twonet_alerts");
			payload = strdup(n->extra);
			PQfreemem(n);
			return payload;
		}
		usleep(100000);
	}
	return NULL;
}

static void test_notify(void **state)
{
	struct fix *f = *state;
	struct tn_err err = TN_ERR_INIT;
	PGconn *c = PQconnectdb(uri);
	char *payload;
	jv out;
	int rp;

	PQclear(PQexec(c, "LISTEN twonet_alerts"));
	/* a transaction rolled back notifies nobody */
	assert_int_equal(store_alerts_begin(f->pg, &err), TN_OK);
	assert_int_equal(store_alert_raise(f->pg, alert_doc(1, "gone"), 1, NULL, when(1), &out, NULL, &rp, &err),
			 TN_OK);
	jv_free(out);
	store_alerts_rollback(f->pg);
	assert_int_equal(raise_one(f->pg, 1, &rp), 1);
	payload = notified(c, 50);
	assert_non_null(payload);
	assert_string_equal(payload, "1");      /* the rolled back seq was given back */
	free(payload);
	assert_int_equal(raise_one(f->pg, 2, &rp), 2);
	payload = notified(c, 50);
	assert_non_null(payload);
	assert_string_equal(payload, "2");
	free(payload);
	assert_null(notified(c, 5));
	PQfinish(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alerts_same, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alert_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alert_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify, setup, teardown),
	};

	uri = getenv("TWONET_PG_URI");
	if (!uri || !*uri) {
		printf("1..0 # SKIP TWONET_PG_URI is not set (tests/cli/t8120-pg-alerts.sh runs this)\n");
		return 0;
	}
	if (!getenv("TZ"))
		setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
