/* certs_ckpt.c — signed checkpoints of the audit chain's head: the server's key, the file, their check. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "tn_buf.h"
#include "tn_cert.h"
#include "tn_json.h"
#include "certs.h"
#include "store_certs.h"
#include "store_ops.h"
#include "twonetd.h"

/*
 * The hash chain shows a row changed or deleted in the middle, and
 * audit_head a deleted tail; but someone who can write the database can
 * delete the newest rows and set audit_head back to match.  So every worker
 * signs the chain's head (seq and hash) with the server's own SM2 key and
 * appends it, one JSON line, to a file outside the database:
 *
 *   {"at":TIME,"head":HEX64,"key_id":HEX16,"seq":N,"sig":BASE64}
 *
 * sig: SM2 over SM3 (distinguishing ID 1234567812345678, as certificates)
 * of the canonical JSON of the line without "sig".  A worker writes one
 * after every TWONETD_AUDIT_CHECKPOINT_ROWS rows it committed (1000), but
 * not sooner than TWONETD_AUDIT_CHECKPOINT_MIN_MS (1000) after its last,
 * and every TWONETD_AUDIT_CHECKPOINT_SECONDS (10) and when it stops if it
 * committed any since its last.  `twonetd audit verify --checkpoints FILE`
 * then finds every checkpointed row still in the chain with the same hash:
 * a truncated or rewritten tail shows.  What can go unseen is the tail
 * written after the newest checkpoint (at most those intervals' rows).
 *
 * Why the least gap: at 50,000 audited reads a second, one line every 1000
 * rows was 50 signatures, fdatasyncs and log lines a second (a checkpoints
 * file growing ~40 MB an hour, the log as much) and 0.6 us of the server's
 * CPU a read (~4%, bench/certs.sh); one a second leaves at most a second's
 * rows unsigned, which is what a reader of the file can tell apart anyway.
 * Below 1000 rows a second nothing changes.
 */

#define KEY_FILE "twonetd.pem"
#define DEFAULT_ROWS 1000
#define DEFAULT_SECONDS 10
#define DEFAULT_MIN_MS 1000
#define LINE_MAX_BYTES 4096

char *certs_ckpt_key_path(const char *db)
{
	struct tn_buf b = TN_BUF_INIT;

	tn_buf_addf(&b, "%s.keys/" KEY_FILE, db);
	return tn_buf_detach(&b, NULL);
}

const char *certs_state_base(struct store *st, struct tn_err *err)
{
	const char *e = getenv("TWONETD_STATE"), *base = store_certs_db_path(st);

	if (e && *e)
		return e;
	if (!base)
		tn_err_set(err, TN_EUSAGE, "a %s database keeps the issuers' keys and the audit "
			   "checkpoints in files: set TWONETD_STATE=PATH (PATH.keys/, "
			   "PATH.checkpoints), the same on every instance", store_backend(st));
	return base;
}

char *certs_ckpt_file(const char *db)
{
	const char *e = getenv("TWONETD_AUDIT_CHECKPOINTS");
	struct tn_buf b = TN_BUF_INIT;

	if (e && *e)
		return tn_xstrdup(e);
	tn_buf_addf(&b, "%s.checkpoints", db);
	return tn_buf_detach(&b, NULL);
}

enum tn_code certs_ckpt_key(const char *db, int create, struct tn_cert_key **key,
			    struct tn_err *err)
{
	struct tn_buf dir = TN_BUF_INIT, tmp = TN_BUF_INIT;
	struct tn_cert_key *k = NULL;
	char *path = certs_ckpt_key_path(db);
	enum tn_code code;
	struct stat sb;

	*key = NULL;
	if (stat(path, &sb) == 0 || errno != ENOENT || !create) {
		code = tn_cert_key_load_private(path, key, err);
		free(path);
		return code;
	}
	/* made once, beside the issuers' keys; linked in whole, so that a racing worker loads all of it */
	tn_buf_addf(&dir, "%s.keys", db);
	if (mkdir(dir.buf, 0700) != 0 && errno != EEXIST) {
		code = tn_err_set(err, TN_EIO, "cannot create '%s': %s", dir.buf, strerror(errno));
		goto out;
	}
	tn_buf_addf(&tmp, "%s.%ld.tmp", path, (long)getpid());
	unlink(tmp.buf);
	if ((code = tn_cert_key_generate(&k, err)) != TN_OK ||
	    (code = tn_cert_key_save_private(k, tmp.buf, err)) != TN_OK)
		goto out;
	if (link(tmp.buf, path) == 0) {
		*key = k;
		k = NULL;
	} else if (errno == EEXIST) {
		code = tn_cert_key_load_private(path, key, err);
	} else {
		code = tn_err_set(err, TN_EIO, "cannot create '%s': %s", path, strerror(errno));
	}
	unlink(tmp.buf);
out:
	tn_cert_key_free(k);
	tn_buf_release(&dir);
	tn_buf_release(&tmp);
	free(path);
	return code;
}

/* The signed part of a checkpoint: {at, head, key_id, seq} (new reference). */
static jv signed_part(const char *at, const char *head, const char *key_id, long long seq)
{
	jv o = jv_object_set(jv_object(), jv_string("at"), jv_string(at));

	o = jv_object_set(o, jv_string("head"), jv_string(head));
	o = jv_object_set(o, jv_string("key_id"), jv_string(key_id));
	return jv_object_set(o, jv_string("seq"), jv_number((double)seq));
}

enum tn_code certs_ckpt_append(const char *path, const struct tn_cert_key *key, long long seq,
			       const char *head, char **line, struct tn_err *err)
{
	struct tn_buf b = TN_BUF_INIT;
	char at[40], *canon = NULL, *b64 = NULL;
	unsigned char *sig = NULL;
	size_t len = 0, sig_len = 0;
	enum tn_code code;
	ssize_t w;
	jv part;
	int fd;

	if (line)
		*line = NULL;
	time_now_rfc3339(at, sizeof(at));
	part = signed_part(at, head, tn_cert_key_id(key), seq);
	code = tn_cert_canonical(part, &canon, &len, err);
	jv_free(part);
	if (code != TN_OK)
		return code;
	if ((code = tn_cert_sign_bytes(key, canon, len, &sig, &sig_len, err)) != TN_OK)
		goto out;
	b64 = tn_cert_base64(sig, sig_len);
	/* the canonical text without its closing brace, then the signature */
	tn_buf_add(&b, canon, len - 1);
	tn_buf_addf(&b, ",\"sig\":\"%s\"}\n", b64);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		code = tn_err_set(err, TN_EIO, "cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	w = write(fd, b.buf, b.len);        /* one write: whole lines even with several workers */
	if (w != (ssize_t)b.len || fdatasync(fd) != 0)
		code = tn_err_set(err, TN_EIO, "cannot write '%s': %s", path,
				  w < 0 || w == (ssize_t)b.len ? strerror(errno) : "short write");
	close(fd);
	if (code == TN_OK && line) {
		tn_buf_setlen(&b, b.len - 1);
		*line = tn_buf_detach(&b, NULL);
	}
out:
	tn_buf_release(&b);
	free(canon);
	free(sig);
	free(b64);
	return code;
}

/* ---- in each worker ---- */

/*
 * Signing a checkpoint (SM2, about 0.5 ms) and making its line durable (an
 * fdatasync, 2-5 ms) ran in the worker's event loop: at 28,000 audited
 * reads a second each worker stood still some 14 times a second, its held
 * reads and new requests waiting.  A thread of the worker does it now.  The
 * loop reads the committed head (cheap) and hands it over; the thread signs
 * and appends the heads in the order given.  Should it fall PENDING_MAX
 * behind, the newest head takes the last place: it covers those before it.
 */
#define PENDING_MAX 16

struct pending {
	long long seq;
	char head[65];
};

static struct {
	struct srv *srv;
	struct event *timer;
	struct event *due;      /* the rows' checkpoint held back by the least gap */
	char *path, *base;
	long every_rows, since;
	long min_ms;
	struct timespec last;   /* when the last was handed over (the loop's) */
	pthread_t thread;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* under mu */
	struct pending q[PENDING_MAX];
	int n, stop;
	int retry;              /* the last try failed: try again at the next tick */
	int failing;            /* ... and that was said once */
	/* the thread's own */
	struct tn_cert_key *key;
	long long last_seq;     /* the head this worker checkpointed last */
} w;

/* Say a failure once (until a try succeeds again); under w.mu. */
static void failed(const struct tn_err *err)
{
	if (!w.failing)
		fprintf(stderr, "twonetd: error: audit checkpoint: %s\n", err->message);
	w.failing = 1;
	w.retry = 1;
}

/* Sign and append the checkpoint of head `p` (the thread). */
static enum tn_code sign_one(const struct pending *p, struct tn_err *err)
{
	char *line = NULL;
	enum tn_code code;

	if (p->seq == w.last_seq)
		return TN_OK;
	if (!w.key && (code = certs_ckpt_key(w.base, 1, &w.key, err)) != TN_OK)
		return code;
	if ((code = certs_ckpt_append(w.path, w.key, p->seq, p->head, &line, err)) != TN_OK)
		return code;
	w.last_seq = p->seq;
	fprintf(stderr, "twonetd: audit checkpoint %s\n", line);
	free(line);
	return TN_OK;
}

static void *signer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&w.mu);
	for (;;) {
		struct tn_err err = TN_ERR_INIT;
		struct pending p;
		enum tn_code code;

		while (w.n == 0 && !w.stop)
			pthread_cond_wait(&w.cv, &w.mu);
		if (w.n == 0)
			break;          /* stopping, and every head given is written */
		p = w.q[0];
		memmove(&w.q[0], &w.q[1], (size_t)(--w.n) * sizeof(w.q[0]));
		pthread_mutex_unlock(&w.mu);
		code = sign_one(&p, &err);
		pthread_mutex_lock(&w.mu);
		if (code == TN_OK)
			w.failing = w.retry = 0;
		else
			failed(&err);
	}
	pthread_mutex_unlock(&w.mu);
	return NULL;
}

/*
 * Hand the committed head to the thread.  Called when this worker committed
 * rows since its last (or the last try failed): workers that wrote nothing
 * write no lines.  A failure is logged once and tried again at the next
 * tick; it never stops a read.
 */
static void checkpoint_now(void)
{
	struct tn_err err = TN_ERR_INIT;
	struct pending p;

	w.since = 0;
	if (!w.started)
		return;
	clock_gettime(CLOCK_MONOTONIC, &w.last);
	if (w.due)
		event_del(w.due);
	if (store_audit_head(w.srv->st, &p.seq, p.head, &err) != TN_OK) {
		pthread_mutex_lock(&w.mu);
		failed(&err);
		pthread_mutex_unlock(&w.mu);
		return;
	}
	if (p.seq == 0)
		return;
	pthread_mutex_lock(&w.mu);
	w.retry = 0;
	if (w.n == PENDING_MAX)
		w.n--;          /* the newest covers the one it replaces */
	w.q[w.n++] = p;
	pthread_cond_signal(&w.cv);
	pthread_mutex_unlock(&w.mu);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	int retry;

	(void)fd;
	(void)what;
	(void)arg;
	pthread_mutex_lock(&w.mu);
	retry = w.retry;
	pthread_mutex_unlock(&w.mu);
	if (w.since > 0 || retry)
		checkpoint_now();
}

/* The rows' checkpoint that waited for the least gap. */
static void on_due(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (w.since > 0)
		checkpoint_now();
}

void certs_ckpt_rows(long n)
{
	struct timespec now;
	long ms;

	w.since += n;
	if (!w.srv || w.since < w.every_rows)
		return;
	if (w.min_ms > 0 && w.due && (w.last.tv_sec || w.last.tv_nsec)) {
		if (evtimer_pending(w.due, NULL))
			return;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (long)(certs_seconds_between(&w.last, &now) * 1000.0);
		if (ms < w.min_ms) {
			struct timeval tv = { (w.min_ms - ms) / 1000, (w.min_ms - ms) % 1000 * 1000 };

			evtimer_add(w.due, &tv);
			return;
		}
	}
	checkpoint_now();
}

int certs_ckpt_worker_start(struct srv *srv)
{
	struct tn_err err = TN_ERR_INIT;
	struct timeval tv;
	const char *base;

	/* the checkpoints file and the server's key: beside the database file, or TWONETD_STATE */
	if (!(base = certs_state_base(srv->st, &err))) {
		fprintf(stderr, "twonetd: error: %s\n", err.message);
		return -1;
	}
	w.srv = srv;
	w.base = tn_xstrdup(base);
	w.path = certs_ckpt_file(base);
	w.every_rows = certs_env_long("TWONETD_AUDIT_CHECKPOINT_ROWS", DEFAULT_ROWS, 1, 100000000L);
	tv.tv_sec = certs_env_long("TWONETD_AUDIT_CHECKPOINT_SECONDS", DEFAULT_SECONDS, 1, 86400L);
	tv.tv_usec = 0;
	w.min_ms = certs_env_long("TWONETD_AUDIT_CHECKPOINT_MIN_MS", DEFAULT_MIN_MS, 0, 86400000L);
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	w.timer = event_new(srv->base, -1, EV_PERSIST, on_tick, NULL);
	w.due = evtimer_new(srv->base, on_due, NULL);
	if (!w.timer || !w.due || evtimer_add(w.timer, &tv) < 0) {
		fprintf(stderr, "twonetd: error: cannot set up the audit checkpoint timer\n");
		return -1;
	}
	if (pthread_create(&w.thread, NULL, signer_main, NULL) != 0) {
		fprintf(stderr, "twonetd: error: cannot start the audit checkpoint thread\n");
		return -1;
	}
	w.started = 1;
	return 0;
}

void certs_ckpt_worker_stop(void)
{
	int retry = 0;

	if (w.started) {
		pthread_mutex_lock(&w.mu);
		retry = w.retry;
		pthread_mutex_unlock(&w.mu);
	}
	if (w.srv && (w.since > 0 || retry))
		checkpoint_now();
	if (w.started) {                /* the heads given are written before it ends */
		pthread_mutex_lock(&w.mu);
		w.stop = 1;
		pthread_cond_signal(&w.cv);
		pthread_mutex_unlock(&w.mu);
		pthread_join(w.thread, NULL);
	}
	if (w.srv) {
		pthread_cond_destroy(&w.cv);
		pthread_mutex_destroy(&w.mu);
	}
	if (w.timer)
		event_free(w.timer);
	if (w.due)
		event_free(w.due);
	tn_cert_key_free(w.key);
	free(w.path);
	free(w.base);
	memset(&w, 0, sizeof(w));
}

/* ---- the check ---- */

/* 1 when `s` is `n` lower-case hex digits. */
static int is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

/*
 * Check one line's checkpoint (from its first '{': a journal's prefix is
 * skipped) against `key`: 0 with *seq, head[65] and at[40] filled; -1 with
 * `why` saying what is wrong.
 */
static int check_line(const char *text, const struct tn_cert_key *key, long long *seq,
		      char head[65], char at[40], char *why, size_t size)
{
	static const char *const names[] = { "at", "head", "key_id", "seq", "sig" };
	struct tn_err err = TN_ERR_INIT;
	const char *brace = strchr(text, '{'), *s[5] = { NULL };
	jv v = jv_invalid(), m[5];
	char *canon = NULL;
	unsigned char *sig = NULL;
	size_t len = 0, sig_len = 0;
	double d = 0;
	int rc = -1, n = 0;

	for (int i = 0; i < 5; i++)
		m[i] = jv_invalid();
	if (!brace || tn_json_parse_exact(brace, strlen(brace), 2, &v, NULL, &err) != TN_OK) {
		snprintf(why, size, "not a checkpoint: %s", brace ? err.message : "no JSON object");
		goto out;
	}
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		snprintf(why, size, "not a checkpoint: not a JSON object");
		goto out;
	}
	jv_object_foreach(v, k, x) {
		n++;
		jv_free(k);
		jv_free(x);
	}
	for (int i = 0; i < 5; i++) {
		m[i] = jv_object_get(jv_copy(v), jv_string(names[i]));
		if (i != 3 && jv_get_kind(m[i]) == JV_KIND_STRING)
			s[i] = jv_string_value(m[i]);
	}
	if (jv_get_kind(m[3]) == JV_KIND_NUMBER)
		d = jv_number_value(m[3]);
	if (n != 5 || !s[0] || !s[1] || !s[2] || !s[4] || jv_get_kind(m[3]) != JV_KIND_NUMBER ||
	    d < 1 || d > 999999999999999.0 || d != (double)(long long)d || !is_hex(s[1], 64) ||
	    !is_hex(s[2], 16) || strlen(s[0]) >= 40) {
		snprintf(why, size, "not a checkpoint: the members are at, head, key_id, seq and sig");
		goto out;
	}
	if (strcmp(s[2], tn_cert_key_id(key)) != 0) {
		snprintf(why, size, "signed with key %s, not the server's key %s", s[2],
			 tn_cert_key_id(key));
		goto out;
	}
	*seq = (long long)d;
	{
		jv part = signed_part(s[0], s[1], s[2], *seq);

		if (tn_cert_canonical(part, &canon, &len, &err) != TN_OK) {
			jv_free(part);
			snprintf(why, size, "not a checkpoint: %s", err.message);
			goto out;
		}
		jv_free(part);
	}
	if (!(sig = tn_cert_unbase64(s[4], &sig_len)) || !tn_cert_verify_bytes(key, canon, len, sig, sig_len)) {
		snprintf(why, size, "bad signature");
		goto out;
	}
	memcpy(head, s[1], 65);
	snprintf(at, 40, "%s", s[0]);
	rc = 0;
out:
	for (int i = 0; i < 5; i++)
		jv_free(m[i]);
	jv_free(v);
	free(canon);
	free(sig);
	return rc;
}

enum tn_code certs_ckpt_verify(struct store *st, const char *path, const struct tn_cert_key *key,
			       long long rows, struct certs_ckpt_report *r, struct tn_err *err)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL, head[65], at[40], have[65], why[400];
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	enum tn_code code = TN_OK;

	memset(r, 0, sizeof(*r));
	if (!f)
		return tn_err_set(err, TN_EIO, "cannot read '%s': %s", path, strerror(errno));
	while ((n = getline(&buf, &cap, f)) > 0) {
		long long seq = 0;
		int found = 0, torn = buf[n - 1] != '\n';

		lineno++;
		if (!torn)
			buf[--n] = '\0';
		if (n == 0 || strspn(buf, " \t\r") == (size_t)n)
			continue;
		if ((size_t)n > LINE_MAX_BYTES || strlen(buf) != (size_t)n) {
			snprintf(why, sizeof(why), "not a checkpoint: %s", (size_t)n > LINE_MAX_BYTES ?
				 "too long" : "a NUL byte");
		} else if (check_line(buf, key, &seq, head, at, why, sizeof(why)) == 0) {
			r->good++;
			if (seq > r->newest_seq) {
				r->newest_seq = seq;
				snprintf(r->newest_at, sizeof(r->newest_at), "%s", at);
			}
			if (seq > rows) {
				r->bad_seq = seq;
				snprintf(r->why, sizeof(r->why), "truncated: %s line %ld, signed at %s, "
					 "records row %lld, but the chain ends at row %lld", path, lineno,
					 at, seq, rows);
				break;
			}
			if ((code = store_audit_hash_at(st, seq, have, &found, err)) != TN_OK)
				break;
			if (!found || strcmp(have, head) != 0) {
				r->bad_seq = seq;
				snprintf(r->why, sizeof(r->why), "rewritten: row %lld is not the one %s "
					 "line %ld, signed at %s, records", seq, path, lineno, at);
				break;
			}
			continue;
		} else if (torn) {
			/* the last line cut short (a crash while writing it) */
			r->torn = lineno;
			continue;
		}
		r->bad_line = lineno;
		snprintf(r->why, sizeof(r->why), "%s line %ld: %s", path, lineno, why);
		break;
	}
	if (code == TN_OK && ferror(f))
		code = tn_err_set(err, TN_EIO, "cannot read '%s': %s", path, strerror(errno));
	r->lines = lineno;
	free(buf);
	fclose(f);
	return code;
}
