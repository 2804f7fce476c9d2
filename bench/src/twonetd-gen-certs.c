/* twonetd-gen-certs.c — bench/twonetd-gen-certs: fill a twonetd database with signed certificates of realistic holders, signing on every core (benchmarks and tests; not shipped). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "tn_buf.h"
#include "tn_cert.h"
#include "tn_cli.h"
#include "tn_json.h"
#include "tn_today.h"
#include "certs.h"
#include "store_certs.h"
#include "twonetd.h"

#define CHUNK 4096
#define MAX_DEPTS 64

/*
 * The work is split so that jv stays on the main thread: the main thread
 * builds a chunk's certificates and their signed content (plain bytes),
 * one helper thread hands the chunk to tn_cert_sign_many (OpenSSL only, on
 * every core), and meanwhile the main thread builds the next chunk and
 * stores the previous one (one transaction per chunk).
 */

static unsigned long long rng_state = 88172645463325252ULL;

static unsigned long rnd(unsigned long n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? (unsigned long)(rng_state % n) : 0;
}

static const char *const surnames[] = {
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
	"郭", "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
	"彭", "曾", "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余", "于", "杜", "叶", "程", "沈"
};
static const char *const given[] = {
	"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
	"明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文", "华", "慧", "婷", "晨", "浩",
	"宇", "欣怡", "子涵", "梓萱", "一诺", "思远", "佳怡", "俊杰", "雨桐", "嘉怡", "志强"
};
static const char *const firm_words[] = {
	"申城", "浦江", "外滩", "静安", "徐汇", "长宁", "陆家嘴", "虹桥", "张江", "临港", "金山",
	"松江", "嘉定", "宝山", "闵行", "青浦", "奉贤", "崇明", "豫园", "新天地", "南翔", "七宝"
};
static const char *const firm_trades[] = {
	"餐饮管理", "小笼馆餐饮", "贸易", "科技", "物流", "建筑工程", "食品", "医疗器械", "文化传媒",
	"信息技术", "酒业", "人力资源", "物业管理", "商贸", "健康咨询", "教育科技"
};
static const char *const districts[] = {
	"黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区",
	"嘉定区", "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区"
};
static const char *const roads[] = {
	"南京东路", "淮海中路", "四川北路", "世纪大道", "肇嘉浜路", "延安西路", "中山北路",
	"张杨路", "漕溪北路", "长寿路", "武宁路", "控江路", "莘庄路", "曹安公路", "沪太路"
};
static const char *const regions[] = {
	"310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112",
	"310113", "310114", "310115", "310116", "310117", "310118", "310120", "310151"
};

#define PICK(a) ((a)[rnd(sizeof(a) / sizeof((a)[0]))])

static void person_name(char *out, size_t size)
{
	snprintf(out, size, "%s%s", PICK(surnames), PICK(given));
}

/* A valid resident ID number (GB 11643). */
static void resident_id(char *out)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char map[] = "10X98765432";
	int sum = 0;

	snprintf(out, 19, "%s%04lu%02lu%02lu%03lu", PICK(regions), 1950 + rnd(56), 1 + rnd(12),
		 1 + rnd(28), rnd(1000));
	for (int i = 0; i < 17; i++)
		sum += (out[i] - '0') * w[i];
	out[17] = map[sum % 11];
	out[18] = '\0';
}

/* A valid unified social credit code (GB 32100, with a GB 11714 organisation code). */
static void credit_code(char *out)
{
	static const char alpha[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int w[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };
	static const int ow[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
	int sum = 0, c;

	snprintf(out, 19, "91%s%08lu", PICK(regions), rnd(100000000));
	for (int i = 0; i < 8; i++)
		sum += (out[8 + i] - '0') * ow[i];
	c = 11 - sum % 11;
	out[16] = c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
	sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (int)(strchr(alpha, out[i]) - alpha) * w[i];
	out[17] = alpha[(31 - sum % 31) % 31];
	out[18] = '\0';
}

/* The year of a YYYY-MM-DD date. */
static int year_of(const char *d)
{
	return (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
}

static void random_date(char *out, int from_year, int years)
{
	snprintf(out, 11, "%04lu-%02lu-%02lu", (unsigned long)from_year + rnd((unsigned long)years),
		 1 + rnd(12), 1 + rnd(28));
}

/* A plausible value of field `name` (label `label`) for a holder named `holder`. */
static jv field_value(const char *name, const char *label, const char *holder)
{
	char buf[200], d[11];

	if (!strcmp(name, "name") || strstr(name, "_name") || strstr(name, "holder"))
		return jv_string(holder);
	if (strstr(name, "date") || strstr(label, "日期")) {
		random_date(d, 1990, 35);
		return jv_string(d);
	}
	if (!strcmp(name, "sex"))
		return jv_string(rnd(2) ? "男" : "女");
	if (!strcmp(name, "ethnicity"))
		return jv_string("汉族");
	if (strstr(name, "address") || strstr(label, "住所") || strstr(label, "地址")) {
		snprintf(buf, sizeof(buf), "上海市%s%s%lu号", PICK(districts), PICK(roads), 1 + rnd(1500));
		return jv_string(buf);
	}
	if (strstr(name, "representative") || strstr(name, "person") || strstr(label, "人")) {
		person_name(buf, sizeof(buf));
		return jv_string(buf);
	}
	if (strstr(name, "capital")) {
		snprintf(buf, sizeof(buf), "%lu万元人民币", 10 + rnd(5000));
		return jv_string(buf);
	}
	snprintf(buf, sizeof(buf), "%s%06lu", label, rnd(1000000));
	return jv_string(buf);
}

struct dept_key {
	char dept[32];
	char uscc[24];
	struct tn_cert_key *key;
};

struct chunk {
	size_t n;
	jv *docs;                       /* certificates without their signature */
	char **texts;                   /* their signed content */
	struct tn_cert_job *jobs;
	int threads;
};

static void *sign_chunk(void *arg)
{
	struct chunk *c = arg;

	tn_cert_sign_many(c->jobs, c->n, c->threads);
	return NULL;
}

static void chunk_alloc(struct chunk *c, int threads)
{
	c->docs = tn_xcalloc(CHUNK, sizeof(*c->docs));
	c->texts = tn_xcalloc(CHUNK, sizeof(*c->texts));
	c->jobs = tn_xcalloc(CHUNK, sizeof(*c->jobs));
	c->threads = threads;
	c->n = 0;
}

static void chunk_free(struct chunk *c)
{
	free(c->docs);
	free(c->texts);
	free(c->jobs);
}

/*
 * The next chunk's size after `done` of `n`: CHUNK, but small at the start
 * and at the end, where the main thread works alone (building the first
 * chunk before any signing, writing the last after all): 128 first, then as
 * many as are done (doubling), and half of what is left towards the end.
 * With 4,096 a chunk from the start, 10,000 certificates kept 2 cores 94-95%
 * busy; 95.5-97% so (at 50,000 no difference shows).
 */
static size_t chunk_size(long done, long n)
{
	long m = CHUNK, left = n - done;

	if (m > 128 + done)
		m = 128 + done;
	if (m > left / 2)
		m = left / 2 > 128 ? left / 2 : 128;
	return (size_t)(m < left ? m : left);
}

/* Build `n` certificates (jv, main thread) with ids from reserved serials; -1 on a store error. */
static int prepare(struct store *st, jv kinds, struct dept_key *dk, int ndk, struct chunk *c,
		   size_t n, const char *year, const char *now, struct tn_err *err)
{
	int nk = jv_array_length(jv_copy(kinds));
	int *pick = tn_xcalloc(n, sizeof(int));
	long *first = tn_xcalloc((size_t)nk, sizeof(long)), *count = tn_xcalloc((size_t)nk, sizeof(long));
	char holder_id[24] = "", holder_name[200] = "", prev_type[8] = "";
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		pick[i] = (int)rnd((unsigned long)nk);
		count[pick[i]]++;
	}
	/* reserve the serials of every kind used in this chunk */
	for (int k = 0; k < nk && rc == 0; k++) {
		jv kd, hc, hd;
		const char *code, *dept, *uscc = NULL;

		if (!count[k])
			continue;
		kd = jv_array_get(jv_copy(kinds), k);
		hc = jv_object_get(jv_copy(kd), jv_string("code"));
		hd = jv_object_get(jv_copy(kd), jv_string("dept"));
		code = jv_string_value(hc);
		dept = jv_string_value(hd);
		for (int j = 0; j < ndk; j++)
			if (!strcmp(dk[j].dept, dept))
				uscc = dk[j].uscc;
		if (!uscc || store_cert_serials(st, code, uscc, year, count[k], &first[k], err) != TN_OK)
			rc = -1;
		jv_free(hc);
		jv_free(hd);
		jv_free(kd);
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		jv kd = jv_array_get(jv_copy(kinds), pick[i]);
		jv hc = jv_object_get(jv_copy(kd), jv_string("code"));
		jv hn = jv_object_get(jv_copy(kd), jv_string("name"));
		jv hd = jv_object_get(jv_copy(kd), jv_string("dept"));
		jv ht = jv_object_get(jv_copy(kd), jv_string("holder_type"));
		jv fl = jv_object_get(jv_copy(kd), jv_string("fields"));
		const char *type = jv_string_value(ht), *dept = jv_string_value(hd);
		struct dept_key *key = NULL;
		char serial[32], id[TN_CERT_ID_MAX], from[11], until[11];
		jv doc, fields = jv_object(), holder;

		for (int j = 0; j < ndk; j++)
			if (!strcmp(dk[j].dept, dept))
				key = &dk[j];
		/* a third of the certificates go to a holder who already has one */
		if (!holder_id[0] || strcmp(prev_type, type) != 0 || rnd(3) != 0) {
			if (!strcmp(type, "person")) {
				resident_id(holder_id);
				person_name(holder_name, sizeof(holder_name));
			} else {
				credit_code(holder_id);
				snprintf(holder_name, sizeof(holder_name), "上海%s%s有限公司",
					 PICK(firm_words), PICK(firm_trades));
			}
			snprintf(prev_type, sizeof(prev_type), "%s", type);
		}
		snprintf(serial, sizeof(serial), "%s%08ld", year, first[pick[i]]++);
		if (tn_cert_id_build(jv_string_value(hc), key->uscc, serial, 1, id, err) != TN_OK)
			rc = -1;
		jv_array_foreach(fl, fi, f) {
			jv fn = jv_object_get(jv_copy(f), jv_string("name"));
			jv lb = jv_object_get(jv_copy(f), jv_string("label"));

			fields = jv_object_set(fields, jv_copy(fn),
					       field_value(jv_string_value(fn), jv_string_value(lb),
							   holder_name));
			jv_free(fn);
			jv_free(lb);
			jv_free(f);
		}
		holder = jv_object_set(jv_object(), jv_string("type"), jv_string(type));
		holder = jv_object_set(holder, jv_string("id"), jv_string(holder_id));
		holder = jv_object_set(holder, jv_string("name"), jv_string(holder_name));
		random_date(from, 2015, 12);
		doc = jv_object();
		doc = jv_object_set(doc, jv_string("id"), jv_string(id));
		doc = jv_object_set(doc, jv_string("kind"), jv_copy(hc));
		doc = jv_object_set(doc, jv_string("kind_name"), jv_copy(hn));
		doc = jv_object_set(doc, jv_string("holder"), holder);
		doc = jv_object_set(doc, jv_string("issuer"),
				    jv_object_set(jv_object_set(jv_object(), jv_string("dept"),
								jv_string(dept)),
						  jv_string("uscc"), jv_string(key->uscc)));
		doc = jv_object_set(doc, jv_string("fields"), fields);
		doc = jv_object_set(doc, jv_string("valid_from"), jv_string(from));
		if (rnd(4) == 0) {
			doc = jv_object_set(doc, jv_string("valid_until"), jv_null());
		} else {
			snprintf(until, sizeof(until), "%04d%s", year_of(from) + 5 + (int)rnd(2) * 5,
				 from + 4);
			doc = jv_object_set(doc, jv_string("valid_until"), jv_string(until));
		}
		doc = jv_object_set(doc, jv_string("issued_at"), jv_string(now));
		doc = jv_object_set(doc, jv_string("status"), jv_string("valid"));
		doc = jv_object_set(doc, jv_string("revoked_at"), jv_null());
		doc = jv_object_set(doc, jv_string("revoke_reason"), jv_null());
		c->docs[i] = doc;
		c->texts[i] = NULL;
		memset(&c->jobs[i], 0, sizeof(c->jobs[i]));
		if (rc == 0 && tn_cert_signed_content(doc, &c->texts[i], &c->jobs[i].msg_len, err) != TN_OK)
			rc = -1;
		c->jobs[i].msg = c->texts[i];
		c->jobs[i].key = key->key;
		c->n = i + 1;
		jv_free(hc);
		jv_free(hn);
		jv_free(hd);
		jv_free(ht);
		jv_free(fl);
		jv_free(kd);
	}
	free(pick);
	free(first);
	free(count);
	return rc;
}

/* Put what the threads signed into each certificate and store the chunk in one transaction. */
static int finish(struct store *st, struct chunk *c, long *failed, struct tn_err *err)
{
	int rc = 0;

	if (store_certs_begin(st, err) != TN_OK)
		return -1;
	for (size_t i = 0; i < c->n; i++) {
		struct tn_cert_job *j = &c->jobs[i];
		jv doc = c->docs[i];

		if (rc == 0 && j->ok) {
			char *b64 = tn_cert_base64(j->sig, j->sig_len);
			jv sig = jv_object(), hid, hh, hk, hd, hi;
			struct tn_buf text = TN_BUF_INIT;
			struct store_cert_row row;

			sig = jv_object_set(sig, jv_string("alg"), jv_string(TN_CERT_ALG));
			sig = jv_object_set(sig, jv_string("key_id"), jv_string(tn_cert_key_id(j->key)));
			sig = jv_object_set(sig, jv_string("value"), jv_string(b64));
			free(b64);
			doc = jv_object_set(doc, jv_string("signature"), sig);
			tn_json_dump(doc, &text);       /* jv_dump_string's bytes, faster */
			hid = jv_object_get(jv_copy(doc), jv_string("id"));
			hh = jv_object_get(jv_copy(doc), jv_string("holder"));
			hi = jv_object_get(hh, jv_string("id"));
			hk = jv_object_get(jv_copy(doc), jv_string("kind"));
			hd = jv_object_get(jv_object_get(jv_copy(doc), jv_string("issuer")),
					   jv_string("dept"));
			memset(&row, 0, sizeof(row));
			row.id = jv_string_value(hid);
			row.kind = jv_string_value(hk);
			row.holder = jv_string_value(hi);
			row.dept = jv_string_value(hd);
			row.doc = text.buf;
			row.token_id = -1;
			if (store_cert_insert(st, &row, err) != TN_OK)
				rc = -1;
			tn_buf_release(&text);
			jv_free(hid);
			jv_free(hi);
			jv_free(hk);
			jv_free(hd);
		} else if (!j->ok) {
			(*failed)++;
		}
		jv_free(doc);
		free(j->sig);
		free(c->texts[i]);
		c->docs[i] = jv_invalid();
		c->texts[i] = NULL;
		j->sig = NULL;
	}
	c->n = 0;
	if (rc == 0 && store_certs_commit(st, err) != TN_OK)
		rc = -1;
	if (rc)
		store_certs_rollback(st);
	return rc;
}

/* The current key of every department of the kinds, made when missing; -1 on failure (err set). */
static int load_keys(struct store *st, const char *base, jv kinds_doc, struct dept_key *dk, int *ndk,
		     struct tn_err *err)
{
	jv depts = jv_object_get(jv_copy(kinds_doc), jv_string("departments"));
	int rc = 0;

	*ndk = 0;
	jv_object_foreach(depts, name, d) {
		jv hu = jv_object_get(jv_copy(d), jv_string("uscc"));
		char *key_id = NULL, *path = NULL, now[40];
		struct tn_cert_key *k = NULL;

		if (rc == 0 && *ndk < MAX_DEPTS) {
			const char *dept = jv_string_value(name), *uscc = jv_string_value(hu);

			if (store_issuer_current(st, dept, &key_id, err) == TN_OK) {
				path = certs_key_path(base, dept, key_id);
				if (tn_cert_key_load_private(path, &k, err) != TN_OK)
					rc = -1;
			} else if (err->code == TN_ENOTFOUND) {
				struct tn_buf dir = TN_BUF_INIT;
				char *pem;

				tn_err_clear(err);
				tn_buf_addf(&dir, "%s.keys", base);
				mkdir(dir.buf, 0700);
				tn_buf_release(&dir);
				if (tn_cert_key_generate(&k, err) != TN_OK) {
					rc = -1;
				} else {
					path = certs_key_path(base, dept, tn_cert_key_id(k));
					pem = tn_cert_key_public_pem(k);
					time_now_rfc3339(now, sizeof(now));
					if (tn_cert_key_save_private(k, path, err) != TN_OK ||
					    store_issuer_add(st, dept, uscc, tn_cert_key_id(k), pem, now,
							     err) != TN_OK)
						rc = -1;
					else
						fprintf(stderr, "twonetd-gen-certs: new issuer key %s for %s\n",
							tn_cert_key_id(k), dept);
					free(pem);
				}
			} else {
				rc = -1;
			}
			if (rc == 0) {
				snprintf(dk[*ndk].dept, sizeof(dk[*ndk].dept), "%s", dept);
				snprintf(dk[*ndk].uscc, sizeof(dk[*ndk].uscc), "%s", uscc);
				dk[(*ndk)++].key = k;
				k = NULL;
			}
		}
		tn_cert_key_free(k);
		free(key_id);
		free(path);
		jv_free(hu);
		jv_free(name);
		jv_free(d);
	}
	jv_free(depts);
	return rc;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *db = NULL, *base;
	long threads = 0, seed = 1;
	const struct tn_option opts[] = {
		{ TN_OPT_STRING, 0, "db", &db, "PATH", "the database: a file, or postgresql://...", NULL, 0 },
		{ TN_OPT_LONG, 0, "threads", &threads, "N", "signing threads (default: one per core)", NULL, 0 },
		{ TN_OPT_LONG, 0, "seed", &seed, "N", "seed of the holders and fields (default 1)", NULL, 0 },
		TN_OPT_END_ENTRY
	};
	const struct tn_cmd cmd = { "twonetd-gen-certs", "--db PATH [--threads N] [--seed N] N",
		"fill the database with N signed certificates of realistic holders (issuer keys are "
		"made for departments that have none)", opts, 0 };
	struct tn_err err = TN_ERR_INIT;
	struct dept_key dk[MAX_DEPTS];
	struct chunk c[2];
	struct store *st = NULL;
	pthread_t tid;
	jv kinds_doc, kinds;
	long n, done = 0, failed = 0;
	int nargs, ndk = 0, rc = 1, cur = 0, done_flag = 0;
	char year[8], now[40], today[16];
	double t0, t1;

	if (tn_cli_parse(&cmd, argc, argv, NULL, &nargs, &done_flag, stdout, &err) != TN_OK)
		return tn_cli_fail("twonetd-gen-certs", &err);
	if (done_flag)
		return 0;
	if (!db || nargs != 1 || tn_parse_long(argv[1], &n) != 0 || n < 1 || threads < 0 ||
	    threads > 256) {
		fprintf(stderr, "twonetd-gen-certs: error: usage: twonetd-gen-certs --db PATH [--threads N] "
			"[--seed N] N (N >= 1)\n");
		return 2;
	}
	if (threads == 0)
		threads = tn_cert_ncpu();
	rng_state ^= (unsigned long long)seed * 0x9E3779B97F4A7C15ULL;
	kinds_doc = certs_kinds();
	if (!jv_is_valid(kinds_doc))
		return 1;
	kinds = jv_object_get(jv_copy(kinds_doc), jv_string("kinds"));
	/* the keys live beside a file database, or under TWONETD_STATE (PostgreSQL) */
	if (store_open(&st, db, 0, &err) != TN_OK || !(base = certs_state_base(st, &err)) ||
	    load_keys(st, base, kinds_doc, dk, &ndk, &err) < 0)
		goto fail;
	tn_today_china_str(today, sizeof(today));
	snprintf(year, sizeof(year), "%.4s", today);
	time_now_rfc3339(now, sizeof(now));
	chunk_alloc(&c[0], (int)threads);
	chunk_alloc(&c[1], (int)threads);
	t0 = now_s();
	if (prepare(st, kinds, dk, ndk, &c[0], chunk_size(0, n), year, now, &err) < 0)
		goto fail_chunks;
	done = (long)c[0].n;
	pthread_create(&tid, NULL, sign_chunk, &c[0]);
	for (;;) {
		struct chunk *sign = &c[cur], *next = &c[1 - cur];
		int more = done < n;

		if (more) {
			size_t m = chunk_size(done, n);

			if (prepare(st, kinds, dk, ndk, next, m, year, now, &err) < 0) {
				pthread_join(tid, NULL);
				goto fail_chunks;
			}
			done += (long)m;
		}
		pthread_join(tid, NULL);
		if (more)
			pthread_create(&tid, NULL, sign_chunk, next);
		if (finish(st, sign, &failed, &err) < 0) {
			if (more)
				pthread_join(tid, NULL);
			goto fail_chunks;
		}
		if (!more)
			break;
		cur = 1 - cur;
		if (isatty(2))
			fprintf(stderr, "\rtwonetd-gen-certs: %ld of %ld", done, n);
	}
	t1 = now_s();
	if (isatty(2))
		fputs("\r\033[K", stderr);
	printf("generated %ld certificates in %.1f s: %.0f signatures/s on %ld threads (%d issuers)%s\n",
	       n - failed, t1 - t0, (double)(n - failed) / (t1 - t0), threads, ndk,
	       failed ? " (some signatures failed)" : "");
	rc = failed ? 1 : 0;
	goto out_chunks;
fail_chunks:
	fprintf(stderr, "twonetd-gen-certs: error: %s\n", err.message);
	rc = 1;
out_chunks:
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < c[k].n; i++) {
			jv_free(c[k].docs[i]);
			free(c[k].texts[i]);
			free(c[k].jobs[i].sig);
		}
		chunk_free(&c[k]);
	}
	goto out;
fail:
	fprintf(stderr, "twonetd-gen-certs: error: %s\n", err.message);
out:
	for (int i = 0; i < ndk; i++)
		tn_cert_key_free(dk[i].key);
	jv_free(kinds);
	store_close(st);
	return rc;
}
