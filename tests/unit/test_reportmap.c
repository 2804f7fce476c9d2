/* test_reportmap.c — the district map of a report: every district drawn, fills by count, the rates of alerts and tasks, the notes, in both languages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jv.h>

#include "tn_alert.h"
#include "tn_buf.h"
#include "tn_districtmap.h"
#include "tn_report.h"

/* An alert report by district from JSON text (owned). */
static jv doc(const char *text)
{
	jv v = jv_parse(text);

	assert_true(jv_is_valid(v));
	return v;
}

#define ALERTS(ROWS, TOTAL) \
	"{\"report\":\"alerts\",\"from\":\"2026-10-01\",\"to\":\"2026-10-31\",\"by\":\"district\"," \
	"\"targets_min\":{\"red\":120,\"orange\":240,\"yellow\":720,\"blue\":1440}," \
	"\"groups\":[" ROWS "],\"total\":{\"group\":null,\"raised\":" TOTAL "}}"

/* The text of district CODE's <g> in `svg` (owned). */
static char *district(const char *svg, const char *code)
{
	char id[32];
	const char *p, *e;

	snprintf(id, sizeof(id), "id=\"d%s\"", code);
	p = strstr(svg, id);
	assert_non_null(p);
	e = strstr(p, "</g>");
	assert_non_null(e);
	return strndup(p, (size_t)(e - p));
}

/* The fill of district CODE's circle (owned). */
static char *fill(const char *svg, const char *code)
{
	char *g = district(svg, code), *f = strstr(g, "fill=\""), *r;

	assert_non_null(f);
	f += 6;
	r = strndup(f, strcspn(f, "\""));
	free(g);
	return r;
}

static void render(struct tn_buf *b, const char *alerts, const char *tasks, const char *missing,
		   enum tn_report_lang lang)
{
	jv a = alerts ? doc(alerts) : jv_null(), t = tasks ? doc(tasks) : jv_null();

	tn_buf_reset(b);
	tn_report_map_svg(b, a, t, missing, NULL, lang);
	jv_free(a);
	jv_free(t);
}

static void test_every_district(void **state)
{
	struct tn_buf b = TN_BUF_INIT;
	size_t n = 0;

	(void)state;
	render(&b, ALERTS("", "0"), NULL, NULL, TN_REPORT_ZH);
	assert_non_null(strstr(b.buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "));
	assert_non_null(strstr(b.buf, "</svg>\n"));
	for (const char *p = b.buf; (p = strstr(p, "<g class=\"district\"")); p++)
		n++;
	assert_int_equal(n, TN_DISTRICT_COUNT);
	for (int i = 0; i < TN_DISTRICT_COUNT; i++) {
		char *g = district(b.buf, tn_districts[i].code), name[64];

		snprintf(name, sizeof(name), ">%s</text>", tn_districts[i].name);
		assert_non_null(strstr(g, name));
		assert_non_null(strstr(g, "data-count=\"0\""));
		assert_non_null(strstr(g, ">按时 无</text>"));
		free(g);
	}
	assert_non_null(strstr(b.buf, "class=\"title\">各区告警数与按时率</text>"));
	assert_non_null(strstr(b.buf, ">2026-10-01 至 2026-10-31</text>"));
	tn_buf_release(&b);
}

static void test_fill_follows_count(void **state)
{
	struct tn_buf b = TN_BUF_INIT;
	char *low, *high, *none, *g;

	(void)state;
	render(&b, ALERTS("{\"group\":\"310101\",\"raised\":1,\"closed_in_target_rate\":50},"
			  "{\"group\":\"310115\",\"raised\":10,\"closed_in_target_rate\":null}", "11"),
	       NULL, NULL, TN_REPORT_ZH);
	low = fill(b.buf, "310101");
	high = fill(b.buf, "310115");
	none = fill(b.buf, "310151");
	assert_string_not_equal(low, high);
	assert_string_not_equal(low, none);
	assert_string_equal(none, "#f2f2f2");
	g = district(b.buf, "310101");
	assert_non_null(strstr(g, "data-count=\"1\""));
	assert_non_null(strstr(g, ">按时 50.0%</text>"));
	free(g);
	/* the legend: classes of 2 up to 10 */
	assert_non_null(strstr(b.buf, "class=\"legend\">1–2</text>"));
	assert_non_null(strstr(b.buf, "class=\"legend\">9–10</text>"));
	free(low);

	/* the same district with the top count: its fill changes to the darkest, the label white */
	render(&b, ALERTS("{\"group\":\"310101\",\"raised\":10,\"closed_in_target_rate\":50},"
			  "{\"group\":\"310115\",\"raised\":10,\"closed_in_target_rate\":null}", "20"),
	       NULL, NULL, TN_REPORT_ZH);
	low = fill(b.buf, "310101");
	assert_string_equal(low, high);
	g = district(b.buf, "310101");
	assert_non_null(strstr(g, "class=\"name dark\""));
	free(g);
	free(low);
	free(high);
	free(none);
	tn_buf_release(&b);
}

static void test_task_rates_and_notes(void **state)
{
	struct tn_buf b = TN_BUF_INIT;
	const char *tasks = "{\"report\":\"tasks\",\"from\":\"2026-10-01\",\"to\":\"2026-10-31\","
			    "\"groups\":[{\"group\":\"water_depth\",\"district\":\"310101\",\"generated\":3,"
			    "\"resolve_in_target\":1,\"resolve_past_target\":1},"
			    "{\"group\":\"lift_fault\",\"district\":\"310101\",\"generated\":2,"
			    "\"resolve_in_target\":2,\"resolve_past_target\":0},"
			    "{\"group\":\"crowd\",\"district\":null,\"generated\":4}],"
			    "\"total\":{\"generated\":9}}";
	char *g;

	(void)state;
	/* alerts with the tasks' rate beside: 3 of 4 in target */
	render(&b, ALERTS("{\"group\":\"310101\",\"raised\":5,\"closed_in_target_rate\":80},"
			  "{\"group\":null,\"raised\":2}", "7"), tasks, NULL, TN_REPORT_ZH);
	g = district(b.buf, "310101");
	assert_non_null(strstr(g, ">按时 80.0%</text>"));
	assert_non_null(strstr(g, ">任务 75.0%</text>"));
	free(g);
	assert_non_null(strstr(b.buf, "另有 2 条未注明区的告警未画在图上。"));
	assert_non_null(strstr(b.buf, "红色 120 分钟"));

	/* no task report: a note says why */
	render(&b, ALERTS("", "0"), NULL, "permission denied", TN_REPORT_EN);
	assert_non_null(strstr(b.buf, "Task on-time rates are not available (permission denied)."));
	assert_non_null(strstr(b.buf, "class=\"title\">Alerts and on-time rates by district</text>"));
	assert_null(strstr(b.buf, ">tasks "));

	/* the task report alone: counts are tasks generated */
	render(&b, NULL, tasks, NULL, TN_REPORT_EN);
	g = district(b.buf, "310101");
	assert_non_null(strstr(g, "data-count=\"5\""));
	assert_non_null(strstr(g, ">tasks 75.0%</text>"));
	free(g);
	assert_non_null(strstr(b.buf, "4 tasks without a district are not on the map."));
	assert_non_null(strstr(b.buf, "class=\"legend\">tasks generated</text>"));
	tn_buf_release(&b);
}

static void test_outlines(void **state)
{
	static const char geo[] =
		"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
		"\"properties\":{\"code\":\"310115\",\"name\":\"浦东新区\"},\"geometry\":"
		"{\"type\":\"Polygon\",\"coordinates\":[[[121.5,31.3],[121.9,31.2],[121.8,30.9],"
		"[121.5,31.0],[121.5,31.3]]]}}]}";
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf b = TN_BUF_INIT;
	struct tn_dmap m;
	jv a = doc(ALERTS("{\"group\":\"310115\",\"raised\":4}", "4"));
	char *circle, *p;

	(void)state;
	assert_int_equal(tn_dmap_parse(geo, sizeof(geo) - 1, &m, &err), TN_OK);
	tn_report_map_svg(&b, a, jv_null(), NULL, &m, TN_REPORT_ZH);
	/* the outline in the fill of its district's circle; the others circles only */
	p = strstr(b.buf, "<path class=\"outline\" id=\"o310115\" fill=\"");
	assert_non_null(p);
	circle = fill(b.buf, "310115");
	assert_memory_equal(p + strlen("<path class=\"outline\" id=\"o310115\" fill=\""), circle,
			    strlen(circle));
	assert_null(strstr(b.buf, "id=\"o310101\""));
	assert_non_null(strstr(b.buf, "区界为手绘的近似轮廓"));
	free(circle);
	tn_dmap_free(&m);
	jv_free(a);
	tn_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_district),
		cmocka_unit_test(test_fill_follows_count),
		cmocka_unit_test(test_task_rates_and_notes),
		cmocka_unit_test(test_outlines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
