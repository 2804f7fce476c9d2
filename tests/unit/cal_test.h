/* cal_test.h — what the calendar's unit tests share: repository paths and dates. */
#ifndef CAL_TEST_H
#define CAL_TEST_H

static inline const char *src_dir(void)
{
	const char *s = getenv("TWONET_SRC");
	return s && *s ? s : ".";
}

/* "$TWONET_SRC/rel" into path (reset first). */
static inline void src_path(struct tn_buf *path, const char *rel)
{
	tn_buf_reset(path);
	tn_buf_addf(path, "%s/%s", src_dir(), rel);
}

/* Load a calendar file of the repository, or fail the test. */
static inline struct tn_cal *load_src(const char *rel)
{
	struct tn_buf path = TN_BUF_INIT;
	struct tn_err err = TN_ERR_INIT;
	struct tn_cal *c = NULL;

	src_path(&path, rel);
	if (tn_cal_load(&c, path.buf, &err) != TN_OK)
		fail_msg("cannot load '%s': %s", path.buf, err.message);
	assert_non_null(c);
	tn_buf_release(&path);
	return c;
}

/* The whole of a repository file into text (reset first), or fail the test. */
static inline void read_src(const char *rel, struct tn_buf *text)
{
	struct tn_buf path = TN_BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *fp;

	src_path(&path, rel);
	fp = fopen(path.buf, "r");
	if (!fp)
		fail_msg("cannot read '%s' (is TWONET_SRC the source tree?)", path.buf);
	tn_buf_reset(text);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		tn_buf_add(text, chunk, n);
	fclose(fp);
	tn_buf_release(&path);
}

static inline long D(const char *s)
{
	long d = 0;

	if (tn_date_parse(s, &d) != 0)
		fail_msg("bad date in test: %s", s);
	return d;
}

/* The listed days of a and b are the same days, kinds and names; returns how many. */
static inline int assert_same_days(const struct tn_cal *a, const struct tn_cal *b)
{
	long da = LONG_MIN, db = LONG_MIN;
	const char *na = NULL, *nb = NULL;
	int wa = -1, wb = -1, n = 0;

	for (;;) {
		int more_a = tn_cal_next_day(a, &da, &wa, &na);
		int more_b = tn_cal_next_day(b, &db, &wb, &nb);
		char bufa[11], bufb[11];

		if (!more_a || !more_b) {
			assert_int_equal(more_a, more_b);
			return n;
		}
		tn_date_format(da, bufa);
		tn_date_format(db, bufb);
		assert_string_equal(bufa, bufb);
		if (wa != wb)
			fail_msg("%s: %s in one, %s in the other", bufa, wa ? "work" : "off", wb ? "work" : "off");
		assert_non_null(na);
		assert_non_null(nb);
		assert_string_equal(na, nb);
		n++;
	}
}

#endif
