/* test_cap.c — CAP 1.2 in and out: mapping, round trips, and refusals naming element and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tn_alert.h"
#include "tn_cap.h"

/* A flood-prone point's water depth, in the Chinese profile's words (line numbers matter below). */
static const char good[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                        /* 1 */
	"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n"             /* 2 */
	"  <identifier>WD-0017-20260701-001</identifier>\n"                    /* 3 */
	"  <sender>wd-0017</sender>\n"                                         /* 4 */
	"  <sent>2026-07-01T10:00:00+08:00</sent>\n"                           /* 5 */
	"  <status>Actual</status>\n"                                          /* 6 */
	"  <msgType>Alert</msgType>\n"                                         /* 7 */
	"  <scope>Public</scope>\n"                                            /* 8 */
	"  <info>\n"                                                           /* 9 */
	"    <language>zh-CN</language>\n"                                     /* 10 */
	"    <category>Met</category>\n"                                       /* 11 */
	"    <event>Water Depth</event>\n"                                     /* 12 */
	"    <urgency>Immediate</urgency>\n"                                   /* 13 */
	"    <severity>Orange</severity>\n"                                    /* 14 */
	"    <certainty>Observed</certainty>\n"                                /* 15 */
	"    <expires>2026-07-01T13:00:00+08:00</expires>\n"                   /* 16 */
	"    <headline>外滩积水 0.32 米</headline>\n"                          /* 17 */
	"    <description>易积水点 17 水深超过阈值</description>\n"           /* 18 */
	"    <parameter><valueName>value</valueName><value>0.32</value></parameter>\n"
	"    <parameter><valueName>threshold</valueName><value>0.25</value></parameter>\n"
	"    <parameter><valueName>unit</valueName><value>m</value></parameter>\n"
	"    <area>\n"
	"      <areaDesc>中山东一路外滩</areaDesc>\n"
	"      <circle>31.2397,121.4906 0.5</circle>\n"
	"      <geocode><valueName>district</valueName><value>310101</value></geocode>\n"
	"    </area>\n"
	"  </info>\n"
	"</alert>\n";

static char *dump(jv v)
{
	jv s = jv_dump_string(v, JV_PRINT_SORTED);
	char *r = strdup(jv_string_value(s));

	jv_free(s);
	return r;
}

/* Replace the first `from` of `doc` (consumed) by `to`; caller frees. */
static char *edit(char *doc, const char *from, const char *to)
{
	const char *at = strstr(doc, from);
	size_t n;
	char *r;

	assert_non_null(at);
	n = strlen(doc) - strlen(from) + strlen(to) + 1;
	r = malloc(n);
	assert_non_null(r);
	snprintf(r, n, "%.*s%s%s", (int)(at - doc), doc, to, at + strlen(from));
	free(doc);
	return r;
}

/* Replace the first `from` of the good document by `to`; caller frees. */
static char *variant(const char *from, const char *to)
{
	return edit(strdup(good), from, to);
}

static void test_parse_maps(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	jv a = jv_invalid(), n = jv_invalid();
	char *s;

	assert_int_equal(tn_cap_parse(good, strlen(good), "wd.xml", 0, &a, &err), TN_OK);
	assert_int_equal(tn_alert_normalize(a, 0, &n, &err), TN_OK);
	s = dump(jv_object_get(jv_copy(n), jv_string("cap")));
	assert_string_equal(s,
		"{\"category\":[\"Met\"],\"certainty\":\"Observed\",\"circles\":[\"31.2397,121.4906 0.5\"],"
		"\"event\":\"Water Depth\",\"geocodes\":[{\"value\":\"310101\",\"valueName\":\"district\"}],"
		"\"language\":\"zh-CN\",\"msgType\":\"Alert\",\"parameters\":[{\"value\":\"0.32\",\"valueName\":\"value\"},"
		"{\"value\":\"0.25\",\"valueName\":\"threshold\"},{\"value\":\"m\",\"valueName\":\"unit\"}],"
		"\"scope\":\"Public\",\"severity\":\"Orange\",\"status\":\"Actual\",\"urgency\":\"Immediate\"}");
	free(s);
	s = dump(jv_object_delete(n, jv_string("cap")));
	assert_string_equal(s,
		"{\"area\":{\"circles\":[\"31.2397,121.4906 0.5\"]},\"district\":\"310101\",\"expires_at\":\"2026-07-01T13:00:00+08:00\","
		"\"headline\":\"外滩积水 0.32 米\",\"kind\":\"water_depth\","
		"\"location\":{\"address\":\"中山东一路外滩\",\"lat\":31.2397,\"lon\":121.4906},"
		"\"sent_at\":\"2026-07-01T10:00:00+08:00\",\"severity\":\"orange\","
		"\"source\":\"wd-0017\",\"source_id\":\"WD-0017-20260701-001\","
		"\"text\":\"易积水点 17 水深超过阈值\",\"threshold\":0.25,\"unit\":\"m\",\"value\":0.32}");
	free(s);
}

static void test_cap_severities(void **state)
{
	static const struct {
		const char *cap, *ours;
	} map[] = {
		{ "Extreme", "red" }, { "Severe", "orange" }, { "Moderate", "yellow" }, { "Minor", "blue" },
		{ "Red", "red" }, { "Yellow", "yellow" }, { "Blue", "blue" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		char to[64];
		char *doc;
		struct tn_err err = TN_ERR_INIT;
		jv a = jv_invalid(), sev;

		snprintf(to, sizeof(to), "<severity>%s</severity>", map[i].cap);
		doc = variant("<severity>Orange</severity>", to);
		assert_int_equal(tn_cap_parse(doc, strlen(doc), "x.xml", 0, &a, &err), TN_OK);
		sev = jv_object_get(a, jv_string("severity"));
		assert_string_equal(jv_string_value(sev), map[i].ours);
		jv_free(sev);
		free(doc);
	}
}

/* JSON → CAP → JSON keeps what CAP can carry. */
static void test_round_trip(void **state)
{
	static const char *inputs[] = {
		"{\"source\":\"pump-0193\",\"source_id\":\"F-88\",\"kind\":\"pump_fault\",\"severity\":\"red\","
		"\"district\":\"310115\",\"location\":{\"lat\":31.2,\"lon\":121.55,\"address\":\"张江泵站\"},"
		"\"value\":3,\"unit\":\"pumps\",\"headline\":\"泵站故障\",\"text\":\"3 台泵停机\","
		"\"sent_at\":\"2026-07-01T10:00:00+08:00\",\"onset_at\":\"2026-07-01T09:58:00+08:00\","
		"\"expires_at\":\"2026-07-02T10:00:00+08:00\"}",
		"{\"source\":\"bund-cam-3\",\"source_id\":\"c 1,2\",\"kind\":\"crowd_density\",\"severity\":\"yellow\","
		"\"district\":\"310101\",\"headline\":\"外滩人流密集 <4.1/m²> & rising\","
		"\"sent_at\":\"2026-12-31T23:30:00-00:00\",\"threshold\":4}",
	};

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct tn_err err = TN_ERR_INIT;
		struct tn_buf xml = TN_BUF_INIT;
		jv in = jv_invalid(), back = jv_invalid(), nback = jv_invalid();
		char *want, *got;

		assert_int_equal(tn_alert_normalize(jv_parse(inputs[i]), 0, &in, &err), TN_OK);
		assert_int_equal(tn_cap_write(&xml, in, &err), TN_OK);
		assert_non_null(strstr(xml.buf, "xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\""));
		if (tn_cap_parse(xml.buf, xml.len, "out.xml", 0, &back, &err))
			fail_msg("%s\n%s", err.message, xml.buf);
		assert_int_equal(tn_alert_normalize(back, 0, &nback, &err), TN_OK);
		/* what CAP required and the JSON did not say, made up on the way out */
		nback = jv_object_delete(nback, jv_string("cap"));
		if (i == 1) {
			/* an identifier with spaces and commas comes back percent-encoded */
			in = jv_object_set(in, jv_string("source_id"), jv_string("c%201%2C2"));
		}
		want = dump(in);
		got = dump(nback);
		assert_string_equal(got, want);
		free(want);
		free(got);
		tn_buf_release(&xml);
	}
}

static void test_write_server_alert(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	struct tn_buf xml = TN_BUF_INIT;
	jv a = jv_parse("{\"id\":42,\"seq\":57,\"source\":\"s\",\"source_id\":\"x\",\"kind\":\"elevator\","
			"\"severity\":\"blue\",\"district\":\"310151\",\"status\":\"dispatched\",\"crew\":\"E-3\","
			"\"raised_at\":\"2026-07-01T02:00:00.123Z\",\"headline\":\"\"}");

	assert_int_equal(tn_cap_write(&xml, a, &err), TN_OK);
	assert_non_null(strstr(xml.buf, "<sent>2026-07-01T02:00:00-00:00</sent>"));
	assert_non_null(strstr(xml.buf, "<severity>Minor</severity>"));
	assert_non_null(strstr(xml.buf, "<areaDesc>崇明区</areaDesc>"));
	assert_non_null(strstr(xml.buf, "<valueName>twonet:id</valueName>\n      <value>42</value>"));
	assert_non_null(strstr(xml.buf, "<valueName>twonet:status</valueName>\n      <value>dispatched</value>"));
	assert_non_null(strstr(xml.buf, "<valueName>twonet:crew</valueName>\n      <value>E-3</value>"));
	assert_null(strstr(xml.buf, "<headline>"));
	jv_free(a);
	tn_buf_release(&xml);

	a = jv_parse("{\"source\":\"s\",\"kind\":\"elevator\"}");
	assert_int_equal(tn_cap_write(&xml, a, &err), TN_EINVALID);
	assert_string_equal(err.message, "source_id: missing, cannot write CAP");
	jv_free(a);
	tn_buf_release(&xml);
}

/* Each broken variant is refused with this message (line and element). */
static void test_refusals(void **state)
{
	static const struct {
		const char *from, *to, *msg;
	} cases[] = {
		{ "<severity>Orange</severity>", "<severity>Bad</severity>",
		  "bad.xml:14: severity: 'Bad' is not a CAP severity" },
		{ "  <sent>2026-07-01T10:00:00+08:00</sent>\n", "",
		  "bad.xml:2: alert: required element 'sent' is missing" },
		{ "  <identifier>WD-0017-20260701-001</identifier>\n", "",
		  "bad.xml:2: alert: required element 'identifier' is missing" },
		{ "    <certainty>Observed</certainty>\n", "",
		  "bad.xml:9: info: required element 'certainty' is missing" },
		{ "    <category>Met</category>\n", "",
		  "bad.xml:9: info: required element 'category' is missing" },
		{ "<sent>2026-07-01T10:00:00+08:00</sent>", "<sent>2026-07-01 10:00</sent>",
		  "bad.xml:5: sent: '2026-07-01 10:00' is not a CAP date and time" },
		{ "<sent>2026-07-01T10:00:00+08:00</sent>", "<sent>2026-07-01T02:00:00Z</sent>",
		  "bad.xml:5: sent: '2026-07-01T02:00:00Z' is not a CAP date and time" },
		{ "<expires>2026-07-01T13:00:00+08:00</expires>", "<expires>2026-02-30T13:00:00+08:00</expires>",
		  "bad.xml:16: expires: '2026-02-30T13:00:00+08:00'" },
		{ "<status>Actual</status>", "<status>Real</status>",
		  "bad.xml:6: status: 'Real' is not a CAP status" },
		{ "<msgType>Alert</msgType>", "<msgType>Warning</msgType>",
		  "bad.xml:7: msgType: 'Warning' is not a CAP message type" },
		{ "<urgency>Immediate</urgency>", "<urgency>Now</urgency>",
		  "bad.xml:13: urgency: 'Now' is not a CAP urgency" },
		{ "<certainty>Observed</certainty>", "<certainty>Very Likely</certainty>",
		  "bad.xml:15: certainty: 'Very Likely' is not a CAP certainty" },
		{ "<category>Met</category>", "<category>Weather</category>",
		  "bad.xml:11: category: 'Weather' is not a CAP category" },
		{ "<status>Actual</status>", "<status>Actual</status><status>Test</status>",
		  "bad.xml:6: status: appears more than once in <alert>" },
		{ "<language>zh-CN</language>", "<lang>zh-CN</lang>",
		  "bad.xml:10: lang: not a CAP 1.2 element of <info>" },
		{ "cap:1.2\">", "cap:1.1\">",
		  "bad.xml:2: alert: namespace is 'urn:oasis:names:tc:emergency:cap:1.1', not CAP 1.2's" },
		{ "<severity>Orange</severity>", "<severity>Orange</severty>",
		  "bad.xml:14: malformed XML:" },
		{ "<sender>wd-0017</sender>", "<sender>wd 0017</sender>",
		  "bad.xml:4: sender: 'wd 0017' must be non-empty, without spaces" },
		{ "<value>310101</value>", "<value>310108</value>",
		  "bad.xml:25: geocode: '310108' is not one of Shanghai's 16 district codes" },
		{ "<value>0.32</value>", "<value>deep</value>",
		  "bad.xml:19: parameter: value: 'deep' is not a number" },
		{ "<valueName>district</valueName><value>310101</value>",
		  "<valueName>GB/T 2260</valueName><value>320101002</value>",
		  "bad.xml:25: geocode: GB/T 2260: '320101002' is not in one of Shanghai's 16 districts" },
		{ "<msgType>Alert</msgType>", "<msgType>Cancel</msgType>",
		  "bad.xml:7: msgType: 'Cancel' needs <references>" },
		{ "<circle>31.2397,121.4906 0.5</circle>", "<circle>31.2397;121.4906</circle>",
		  "bad.xml:24: circle: '31.2397;121.4906' is not \"lat,lon radius\"" },
		{ "<scope>Public</scope>", "<scope>Restricted</scope>",
		  "bad.xml:8: scope: 'Restricted' requires <restriction>" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *doc = variant(cases[i].from, cases[i].to);
		struct tn_err err = TN_ERR_INIT;
		jv a = jv_invalid();

		if (tn_cap_parse(doc, strlen(doc), "bad.xml", 0, &a, &err) != TN_EINVALID)
			fail_msg("case %zu was accepted", i);
		if (strncmp(err.message, cases[i].msg, strlen(cases[i].msg)))
			fail_msg("case %zu: got '%s', want '%s'", i, err.message, cases[i].msg);
		free(doc);
	}
}

/* Parse `doc` (consumed) and normalise it; the alert as sorted JSON, or the error; caller frees. */
static char *read_doc(char *doc)
{
	struct tn_err err = TN_ERR_INIT;
	jv a = jv_invalid(), n = jv_invalid();
	char *s;

	if (tn_cap_parse(doc, strlen(doc), "c.xml", 0, &a, &err) != TN_OK ||
	    tn_alert_normalize(a, 0, &n, &err) != TN_OK)
		s = strdup(err.message);
	else
		s = dump(jv_object_delete(n, jv_string("cap")));
	free(doc);
	return s;
}

#define HAS(s, want) do { if (!strstr((s), (want))) fail_msg("'%s' lacks '%s'", (s), (want)); } while (0)

/* As Chinese producers write it: event text and no kind, GB/T 2260 geocodes, Update and Cancel. */
static void test_chinese(void **state)
{
	char *s, *base;

	base = variant("<event>Water Depth</event>", "<event>道路积水</event>");
	base = edit(base, "<valueName>district</valueName><value>310101</value>",
		    "<valueName>行政区划代码</valueName><value>310101013000</value>");
	s = read_doc(strdup(base));
	HAS(s, "\"kind\":\"waterlogging\"");
	HAS(s, "\"event_text\":\"道路积水\"");
	HAS(s, "\"district\":\"310101\"");
	HAS(s, "\"street\":\"310101013\"");
	free(s);
	/* words no kind claims: kind other, the words kept */
	s = read_doc(edit(strdup(base), "道路积水", "井盖缺失"));
	HAS(s, "\"kind\":\"other\"");
	HAS(s, "\"event_text\":\"井盖缺失\"");
	free(s);
	/* an event code of the catalog wins over the event's words */
	s = read_doc(edit(strdup(base), "<event>道路积水</event>",
			  "<event>Heavy Rain</event><eventCode><valueName>GB/T 35965</valueName>"
			  "<value>11B03</value></eventCode>"));
	HAS(s, "\"kind\":\"rainstorm\"");
	HAS(s, "\"event_text\":\"Heavy Rain\"");
	free(s);
	/* "Unknown": the kind's default severity rules, by value */
	s = read_doc(edit(strdup(base), "<severity>Orange</severity>", "<severity>Unknown</severity>"));
	HAS(s, "\"severity\":\"orange\"");
	free(s);
	s = read_doc(edit(edit(strdup(base), "<severity>Orange</severity>",
			       "<severity>Unknown</severity>"), "道路积水", "Flood Warning"));
	HAS(s, "c.xml:14: severity: 'Unknown' has no place on the blue..red scale");
	free(s);
	/* Update and Cancel with their references */
	s = read_doc(edit(strdup(base), "<msgType>Alert</msgType>", "<msgType>Update</msgType>"
			  "<references>wd-0017,WD-1,2026-07-01T09:00:00+08:00 "
			  "wd-0017,WD-2,2026-07-01T09:30:00+08:00</references>"));
	HAS(s, "\"msg_type\":\"update\"");
	HAS(s, "\"references\":[{\"source\":\"wd-0017\",\"source_id\":\"WD-1\"},"
	    "{\"source\":\"wd-0017\",\"source_id\":\"WD-2\"}]");
	free(s);
	s = read_doc(edit(strdup(base), "<msgType>Alert</msgType>", "<msgType>Cancel</msgType>"
			  "<references>wd-0017;WD-1</references>"));
	HAS(s, "c.xml:7: references: 'wd-0017;WD-1' is not \"sender,identifier,sent\"");
	free(s);
	/* circles and polygons kept as the area; the first circle's centre is the location */
	s = read_doc(edit(strdup(base), "</areaDesc>", "</areaDesc>\n<polygon>31.23,121.48 31.23,121.50 "
			  "31.25,121.50 31.25,121.48 31.23,121.48</polygon>"));
	HAS(s, "\"area\":{\"circles\":[\"31.2397,121.4906 0.5\"],\"polygons\":[\"31.23,121.48");
	HAS(s, "\"lat\":31.2397");
	free(s);
	/* a street outside the district the other geocode names */
	s = read_doc(edit(strdup(base), "</areaDesc>", "</areaDesc><geocode><valueName>district"
			  "</valueName><value>310104</value></geocode>"));
	HAS(s, "geocode: '310101013' names 黄浦区, the district geocode 徐汇区");
	free(s);
	free(base);
}

/* The shipped catalog and divisions, before their first use in this process. */
static int setup(void **state)
{
	static char dir[4096];
	const char *src = getenv("TWONET_SRC");

	snprintf(dir, sizeof(dir), "%s/share/twonet", src ? src : ".");
	setenv("TWONET_SHAREDIR", dir, 1);
	return 0;
}

static void test_area_forms(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	jv a = jv_invalid(), v;
	char *doc, *s;

	/* no geocode: the district named in areaDesc; a polygon gives its centroid */
	doc = variant("      <circle>31.2397,121.4906 0.5</circle>\n"
		      "      <geocode><valueName>district</valueName><value>310101</value></geocode>\n",
		      "      <polygon>31.0,121.0 31.0,122.0 32.0,122.0 32.0,121.0 31.0,121.0</polygon>\n");
	{
		char *doc2 = NULL;
		const char *at = strstr(doc, "中山东一路外滩");
		size_t n = strlen(doc) + 32;

		doc2 = malloc(n);
		assert_non_null(doc2);
		snprintf(doc2, n, "%.*s浦东新区陆家嘴%s", (int)(at - doc), doc, at + strlen("中山东一路外滩"));
		free(doc);
		doc = doc2;
	}
	assert_int_equal(tn_cap_parse(doc, strlen(doc), "p.xml", 0, &a, &err), TN_OK);
	v = jv_object_get(jv_copy(a), jv_string("location"));
	s = dump(v);
	assert_string_equal(s, "{\"address\":\"浦东新区陆家嘴\",\"lat\":31.5,\"lon\":121.5}");
	free(s);
	v = jv_object_get(a, jv_string("district"));
	assert_string_equal(jv_string_value(v), "310115");
	jv_free(v);
	free(doc);

	/* Unknown severity is left out when the caller will give one */
	doc = variant("<severity>Orange</severity>", "<severity>Unknown</severity>");
	assert_int_equal(tn_cap_parse(doc, strlen(doc), "u.xml", TN_CAP_ALLOW_UNKNOWN_SEVERITY, &a, &err),
			 TN_OK);
	assert_false(jv_object_has(a, jv_string("severity")));
	free(doc);

	/* an area that names no district */
	doc = variant("      <geocode><valueName>district</valueName><value>310101</value></geocode>\n", "");
	assert_int_equal(tn_cap_parse(doc, strlen(doc), "n.xml", 0, &a, &err), TN_EINVALID);
	assert_non_null(strstr(err.message, "n.xml:22: area: no district"));
	free(doc);
}

/* Every element the alert model has no member for, and some it has in another word. */
static const char rich[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n"
	"  <identifier>SH-FX-2026-0701-17%A</identifier>\n"
	"  <sender>fxb@shanghai.gov.cn</sender>\n"
	"  <sent>2026-07-01T10:00:00+08:00</sent>\n"
	"  <status>Exercise</status>\n"
	"  <msgType>Update</msgType>\n"
	"  <source>防汛指挥部值班室</source>\n"
	"  <scope>Restricted</scope>\n"
	"  <restriction>区防汛办及抢险队</restriction>\n"
	"  <code>drill</code>\n"
	"  <code>GB/T 35965.1</code>\n"
	"  <note>演练 &amp; 复盘</note>\n"
	"  <references>fxb@shanghai.gov.cn,SH-FX-2026-0701-16,2026-07-01T09:00:00+08:00</references>\n"
	"  <incidents>meiyu-2026</incidents>\n"
	"  <info>\n"
	"    <language>zh-CN</language>\n"
	"    <category>Met</category>\n"
	"    <category>Infra</category>\n"
	"    <event>暴雨积水</event>\n"
	"    <responseType>Prepare</responseType>\n"
	"    <responseType>Avoid</responseType>\n"
	"    <urgency>Expected</urgency>\n"
	"    <severity>Red</severity>\n"
	"    <certainty>Likely</certainty>\n"
	"    <audience>沿江居民</audience>\n"
	"    <eventCode><valueName>kind</valueName><value>Water_Depth</value></eventCode>\n"
	"    <eventCode><valueName>GB/T 35965</valueName><value>11B03</value></eventCode>\n"
	"    <effective>2026-07-01T10:05:00+08:00</effective>\n"
	"    <onset>2026-07-01T11:00:00+08:00</onset>\n"
	"    <expires>2026-07-01T18:00:00+08:00</expires>\n"
	"    <senderName>上海市防汛指挥部</senderName>\n"
	"    <description>积水 0.45 米 &lt;持续上涨&gt;</description>\n"
	"    <instruction>请绕行中山东一路，低洼处车辆尽快驶离。</instruction>\n"
	"    <web>https://fxb.example/alerts/17</web>\n"
	"    <contact>021-12345</contact>\n"
	"    <parameter><valueName>rainfall_mm_h</valueName><value>62.5</value></parameter>\n"
	"    <parameter><valueName>value</valueName><value>0.450</value></parameter>\n"
	"    <parameter><valueName>unit</valueName><value>m</value></parameter>\n"
	"    <area>\n"
	"      <areaDesc>中山东一路外滩</areaDesc>\n"
	"      <polygon>31.23,121.48 31.23,121.50 31.25,121.50 31.25,121.48 31.23,121.48</polygon>\n"
	"      <circle>31.2397,121.4906 0.75</circle>\n"
	"      <geocode><valueName>district</valueName><value>黄浦区</value></geocode>\n"
	"      <geocode><valueName>street</valueName><value>310101002</value></geocode>\n"
	"      <altitude>3.5</altitude>\n"
	"      <ceiling>12</ceiling>\n"
	"    </area>\n"
	"  </info>\n"
	"</alert>\n";

/* Parse, normalise and write `doc` as CAP into `xml`; the normalised alert in *out. */
static void cap_through(const char *doc, struct tn_buf *xml, jv *out)
{
	struct tn_err err = TN_ERR_INIT;
	jv a = jv_invalid();

	if (tn_cap_parse(doc, strlen(doc), "in.xml", 0, &a, &err) != TN_OK)
		fail_msg("%s\n%s", err.message, doc);
	if (tn_alert_normalize(a, 0, out, &err) != TN_OK)
		fail_msg("%s", err.message);
	assert_int_equal(tn_cap_write(xml, *out, &err), TN_OK);
}

/* CAP in, CAP out: every element and its text comes back, nothing is added; and again the same. */
static void test_cap_fidelity(void **state)
{
	static const char *const kept[] = {
		"<identifier>SH-FX-2026-0701-17%A</identifier>", "<sender>fxb@shanghai.gov.cn</sender>",
		"<sent>2026-07-01T10:00:00+08:00</sent>", "<status>Exercise</status>",
		"<msgType>Update</msgType>", "<source>防汛指挥部值班室</source>",
		"<scope>Restricted</scope>", "<restriction>区防汛办及抢险队</restriction>",
		"<code>drill</code>\n  <code>GB/T 35965.1</code>", "<note>演练 &amp; 复盘</note>",
		"<references>fxb@shanghai.gov.cn,SH-FX-2026-0701-16,2026-07-01T09:00:00+08:00</references>",
		"<incidents>meiyu-2026</incidents>", "<language>zh-CN</language>",
		"<category>Met</category>\n    <category>Infra</category>", "<event>暴雨积水</event>",
		"<responseType>Prepare</responseType>\n    <responseType>Avoid</responseType>",
		"<urgency>Expected</urgency>", "<severity>Red</severity>", "<certainty>Likely</certainty>",
		"<audience>沿江居民</audience>",
		"<valueName>kind</valueName>\n      <value>Water_Depth</value>",
		"<valueName>GB/T 35965</valueName>\n      <value>11B03</value>",
		"<effective>2026-07-01T10:05:00+08:00</effective>", "<onset>2026-07-01T11:00:00+08:00</onset>",
		"<expires>2026-07-01T18:00:00+08:00</expires>", "<senderName>上海市防汛指挥部</senderName>",
		"<description>积水 0.45 米 &lt;持续上涨&gt;</description>",
		"<instruction>请绕行中山东一路，低洼处车辆尽快驶离。</instruction>",
		"<web>https://fxb.example/alerts/17</web>", "<contact>021-12345</contact>",
		"<valueName>rainfall_mm_h</valueName>\n      <value>62.5</value>",
		"<valueName>value</valueName>\n      <value>0.450</value>",
		"<valueName>unit</valueName>\n      <value>m</value>",
		"<areaDesc>中山东一路外滩</areaDesc>",
		"<polygon>31.23,121.48 31.23,121.50 31.25,121.50 31.25,121.48 31.23,121.48</polygon>",
		"<circle>31.2397,121.4906 0.75</circle>",
		"<valueName>district</valueName>\n        <value>黄浦区</value>",
		"<valueName>street</valueName>\n        <value>310101002</value>",
		"<altitude>3.5</altitude>", "<ceiling>12</ceiling>",
	};
	static const char *const not_made_up[] = {
		"<headline>", "<valueName>threshold", "twonet:", "<resource>",
	};
	struct tn_buf one = TN_BUF_INIT, two = TN_BUF_INIT;
	jv a1, a2;
	char *s1, *s2;
	int opening = 0;

	cap_through(rich, &one, &a1);
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (!strstr(one.buf, kept[i]))
			fail_msg("lost: %s\n%s", kept[i], one.buf);
	for (size_t i = 0; i < sizeof(not_made_up) / sizeof(not_made_up[0]); i++)
		if (strstr(one.buf, not_made_up[i]))
			fail_msg("made up: %s\n%s", not_made_up[i], one.buf);
	/* as many elements out as in: count the opening tags */
	for (const char *p = one.buf; (p = strchr(p, '<')); p++)
		opening += p[1] != '/' && p[1] != '?';
	assert_int_equal(opening, 60);      /* as many as xmllint counts in the input */
	cap_through(one.buf, &two, &a2);
	assert_string_equal(two.buf, one.buf);
	s1 = dump(a1);
	s2 = dump(a2);
	assert_string_equal(s1, s2);
	free(s1);
	free(s2);
	tn_buf_release(&one);
	tn_buf_release(&two);
}

/* A DTD is refused where it starts: no entity is declared, expanded or fetched. */
static void test_no_doctype(void **state)
{
	static const char laughs[] =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE alert [\n"
		" <!ENTITY l \"lol\">\n"
		" <!ENTITY l1 \"&l;&l;&l;&l;&l;&l;&l;&l;&l;&l;\">\n"
		" <!ENTITY l2 \"&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;\">\n"
		" <!ENTITY l3 \"&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;\">\n"
		" <!ENTITY l4 \"&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;\">\n"
		" <!ENTITY l5 \"&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;\">\n"
		" <!ENTITY l6 \"&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;\">\n"
		" <!ENTITY l7 \"&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;\">\n"
		" <!ENTITY l8 \"&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;\">\n"
		" <!ENTITY l9 \"&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;\">\n"
		"]>\n"
		"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>&l9;</identifier></alert>\n";
	static const char *const docs[] = {
		laughs,
		"<?xml version=\"1.0\"?>\n\n<!DOCTYPE alert [ <!ENTITY x SYSTEM \"file:///etc/passwd\"> ]>\n"
		"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>&x;</identifier></alert>\n",
		"<!DOCTYPE alert SYSTEM \"http://127.0.0.1:1/cap.dtd\">\n"
		"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"/>\n",
	};
	static const char *const want[] = {
		"lol.xml:2: DOCTYPE: a document type declaration (DTD, entities) is not allowed in CAP",
		"lol.xml:3: DOCTYPE:", "lol.xml:1: DOCTYPE:",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct tn_err err = TN_ERR_INIT;
		jv a = jv_invalid();

		assert_int_equal(tn_cap_parse(docs[i], strlen(docs[i]), "lol.xml", 0, &a, &err),
				 TN_EINVALID);
		if (strncmp(err.message, want[i], strlen(want[i])))
			fail_msg("doc %zu: got '%s', want '%s'", i, err.message, want[i]);
	}
}

/* The "cap" member of JSON input is checked member by member. */
static void test_details_check(void **state)
{
	static const struct {
		const char *cap, *field, *msg;
	} cases[] = {
		{ "[]", "cap", "cap: must be an object" },
		{ "{\"colour\":\"red\"}", "cap.colour", "cap.colour: unknown member" },
		{ "{\"msgType\":\"Warning\"}", "cap.msgType", "cap.msgType: 'Warning' is not a CAP message type" },
		{ "{\"category\":\"Met\"}", "cap.category", "cap.category: must be an array" },
		{ "{\"category\":[\"Met\",7]}", "cap.category[1]", "cap.category[1]: must be a string" },
		{ "{\"instruction\":5}", "cap.instruction", "cap.instruction: must be a string" },
		{ "{\"effective\":\"soon\"}", "cap.effective", "cap.effective: not a CAP date and time" },
		{ "{\"headline\":true}", "cap.headline", "cap.headline: only false" },
		{ "{\"parameters\":[{\"valueName\":\"a\"}]}", "cap.parameters[0]",
		  "cap.parameters[0]: needs both valueName and value" },
		{ "{\"parameters\":[{\"valueName\":\"a\",\"value\":1}]}", "cap.parameters[0].value",
		  "cap.parameters[0].value: must be a string" },
		{ "{\"geocodes\":[{\"valueName\":\"a\",\"value\":\"b\",\"x\":\"c\"}]}", "cap.geocodes[0].x",
		  "cap.geocodes[0].x: unknown member" },
		{ "{\"circles\":[]}", "cap.circles", "cap.circles: must hold 1 to 16 items" },
	};
	char field[96];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tn_err err = TN_ERR_INIT;
		jv cap = jv_parse(cases[i].cap);

		if (tn_cap_details_check(cap, field, sizeof(field), &err) != TN_EINVALID)
			fail_msg("case %zu was accepted", i);
		if (strcmp(field, cases[i].field) || strncmp(err.message, cases[i].msg, strlen(cases[i].msg)))
			fail_msg("case %zu: got '%s' '%s'", i, field, err.message);
		jv_free(cap);
	}
	{
		struct tn_err err = TN_ERR_INIT;
		struct tn_buf big = TN_BUF_INIT;
		jv cap;

		tn_buf_adds(&big, "{\"instruction\":\"");
		for (int i = 0; i < 4001; i++)
			tn_buf_adds(&big, "雨");
		tn_buf_adds(&big, "\"}");
		cap = jv_parse(big.buf);
		assert_int_equal(tn_cap_details_check(cap, field, sizeof(field), &err), TN_EINVALID);
		assert_string_equal(err.message, "cap.instruction: must be 1 to 4000 characters");
		jv_free(cap);
		tn_buf_release(&big);
	}
}

static void test_read_file(void **state)
{
	struct tn_err err = TN_ERR_INIT;
	jv a = jv_invalid();

	assert_int_equal(tn_cap_read_file("/nonexistent/x.xml", 0, &a, &err), TN_EIO);
	assert_non_null(strstr(err.message, "cannot read '/nonexistent/x.xml'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_maps),
		cmocka_unit_test(test_cap_severities),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_write_server_alert),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_area_forms),
		cmocka_unit_test(test_chinese),
		cmocka_unit_test(test_cap_fidelity),
		cmocka_unit_test(test_no_doctype),
		cmocka_unit_test(test_details_check),
		cmocka_unit_test(test_read_file),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
