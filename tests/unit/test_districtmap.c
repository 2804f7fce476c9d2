/* test_districtmap.c — the district map: the shipped outlines load (16 districts), lon/lat project to cells of any grid size inside it, braille dots and lines, a bad file named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tn_districtmap.h"

static const char *square =
	"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
	"\"properties\":{\"code\":\"310101\",\"name\":\"黄浦区\"},"
	"\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[121.0,31.0],[121.2,31.0],[121.2,31.2],[121.0,31.2],[121.0,31.0]]]}}]}";

static void test_parse(void **state)
{
	struct tn_dmap m;
	struct tn_err err = TN_ERR_INIT;

	(void)state;
	assert_int_equal(tn_dmap_parse(square, strlen(square), &m, &err), TN_OK);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.d[0].name, "黄浦区");
	assert_int_equal(m.d[0].npts, 5);
	/* the centre leaves the closing point out */
	assert_true(m.d[0].clon > 121.099 && m.d[0].clon < 121.101);
	assert_true(m.d[0].clat > 31.099 && m.d[0].clat < 31.101);
	assert_true(m.box[0] == 121.0 && m.box[3] == 31.2);
	assert_non_null(tn_dmap_find(&m, "310101"));
	assert_null(tn_dmap_find(&m, "310104"));
	tn_dmap_free(&m);
}

static void test_bad(void **state)
{
	struct tn_dmap m;
	struct tn_err err = TN_ERR_INIT;
	const char *nocode = "{\"features\":[{\"properties\":{\"name\":\"x\"},"
		"\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[1,1],[2,1],[2,2]]]}}]}";
	const char *point = "{\"features\":[{\"properties\":{\"code\":\"1\",\"name\":\"x\"},"
		"\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,1]}}]}";

	(void)state;
	assert_int_equal(tn_dmap_parse("[]", 2, &m, &err), TN_EINVALID);
	assert_int_equal(tn_dmap_parse(nocode, strlen(nocode), &m, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "feature 0"));
	assert_int_equal(tn_dmap_parse(point, strlen(point), &m, &err), TN_EINVALID);
	assert_int_equal(tn_dmap_load("/nonexistent/districts.geojson", &m, &err), TN_EIO);
	assert_non_null(strstr(err.message, "/nonexistent/districts.geojson"));
}

static void test_shipped(void **state)
{
	struct tn_dmap m;
	struct tn_err err = TN_ERR_INIT;
	char path[4096];
	const char *src = getenv("TWONET_SRC");

	(void)state;
	snprintf(path, sizeof(path), "%s/share/twonet/divisions/districts.geojson", src ? src : ".");
	assert_int_equal(tn_dmap_load(path, &m, &err), TN_OK);
	assert_int_equal(m.n, 16);
	assert_string_equal(tn_dmap_find(&m, "310151")->name, "崇明区");
	/* inside Shanghai's box */
	assert_true(m.box[0] >= 120.85 && m.box[2] <= 122.20 && m.box[1] >= 30.66 && m.box[3] <= 31.90);
	/* every centre is on the grid, at both terminal sizes */
	for (int size = 0; size < 2; size++) {
		struct tn_dmap_proj p;
		int cols = size ? 200 : 80, rows = size ? 57 : 21, c, r;

		tn_dmap_proj_init(&p, m.box, cols, rows);
		for (size_t i = 0; i < m.n; i++) {
			assert_true(tn_dmap_cell(&p, m.d[i].clon, m.d[i].clat, &c, &r));
			assert_true(c >= 0 && c < cols && r >= 0 && r < rows);
		}
		/* Chongming is north of Jinshan, Pudong east of Qingpu */
		int c1, r1, c2, r2;
		tn_dmap_cell(&p, tn_dmap_find(&m, "310151")->clon, tn_dmap_find(&m, "310151")->clat, &c1, &r1);
		tn_dmap_cell(&p, tn_dmap_find(&m, "310116")->clon, tn_dmap_find(&m, "310116")->clat, &c2, &r2);
		assert_true(r1 < r2);
		tn_dmap_cell(&p, tn_dmap_find(&m, "310115")->clon, tn_dmap_find(&m, "310115")->clat, &c1, &r1);
		tn_dmap_cell(&p, tn_dmap_find(&m, "310118")->clon, tn_dmap_find(&m, "310118")->clat, &c2, &r2);
		assert_true(c1 > c2);
	}
	tn_dmap_free(&m);
}

static void test_project(void **state)
{
	struct tn_dmap_proj p;
	double box[4] = { 121.0, 31.0, 121.2, 31.2 };
	int x, y, c, r;

	(void)state;
	tn_dmap_proj_init(&p, box, 40, 10);     /* 80 x 40 dots: the height binds */
	assert_true(tn_dmap_project(&p, 121.0, 31.2, &x, &y));
	assert_int_equal(y, 0);                 /* north-west corner at the top */
	assert_true(tn_dmap_project(&p, 121.0, 31.0, &x, &y));
	assert_int_equal(y, 39);
	/* centred east-west: the box is narrower than the grid */
	int xw, xe;
	tn_dmap_project(&p, 121.0, 31.1, &xw, &y);
	tn_dmap_project(&p, 121.2, 31.1, &xe, &y);
	assert_true(xw > 0 && xe < 79);
	assert_true(abs((xw - 0) - (79 - xe)) <= 1);
	/* east-west shrinks by cos(31.1°): about 0.856 of the north-south span */
	assert_true(xe - xw >= 32 && xe - xw <= 35);
	assert_false(tn_dmap_project(&p, 122.0, 31.1, &x, &y));
	assert_true(tn_dmap_cell(&p, 121.1, 31.1, &c, &r));
	assert_true(c == 19 || c == 20);     /* the middle of 80 dots */
	assert_int_equal(r, 4);
}

static void test_braille(void **state)
{
	struct tn_braille b;
	char u[4];

	(void)state;
	tn_braille_init(&b, 2, 1);
	tn_braille_set(&b, 0, 0);
	assert_int_equal(b.cells[0], 0x01);
	tn_braille_set(&b, 1, 3);
	assert_int_equal(b.cells[0], 0x81);
	tn_braille_set(&b, 9, 9);               /* off the grid: ignored */
	tn_braille_line(&b, 2, 0, 3, 3);
	assert_int_equal(tn_braille_utf8(0, u), 3);
	assert_string_equal(u, "\xe2\xa0\x80");        /* U+2800 */
	tn_braille_utf8(0xff, u);
	assert_string_equal(u, "\xe2\xa3\xbf");        /* U+28FF */
	assert_true(b.cells[1] & 0x01);
	assert_true(b.cells[1] & 0x80);
	tn_braille_free(&b);
	/* a line covers every row between its ends */
	tn_braille_init(&b, 1, 2);
	tn_braille_line(&b, 0, 0, 0, 7);
	assert_int_equal(b.cells[0], 0x47);
	assert_int_equal(b.cells[1], 0x47);
	tn_braille_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_project),
		cmocka_unit_test(test_braille),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
