#!/bin/bash
# alert-post without a server: checks, CAP 1.2 in (refusals with element and
# line) and out, dry runs, bulk line reports, and a server that is down.
# Posting to twonetd is in t6200-alert-stream.sh(.pending) until the server
# has the alert endpoints.
. "$(dirname "$0")/test-lib.sh"

cat >wd.xml <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>WD-0017-20260701-001</identifier>
  <sender>wd-0017</sender>
  <sent>2026-07-01T10:00:00+08:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <category>Met</category>
    <event>water_depth</event>
    <urgency>Immediate</urgency>
    <severity>Orange</severity>
    <certainty>Observed</certainty>
    <expires>2026-07-01T13:00:00+08:00</expires>
    <headline>外滩积水 0.32 米</headline>
    <parameter><valueName>value</valueName><value>0.32</value></parameter>
    <parameter><valueName>threshold</valueName><value>0.25</value></parameter>
    <parameter><valueName>unit</valueName><value>m</value></parameter>
    <area>
      <areaDesc>中山东一路外滩</areaDesc>
      <circle>31.2397,121.4906 0.5</circle>
      <geocode><valueName>district</valueName><value>310101</value></geocode>
    </area>
  </info>
</alert>
XML

test_expect_success 'flags are checked and normalised in a dry run' '
	alert-post -n --source wd-17 --source-id a1 --kind Water_Depth --severity Severe \
		--district huangpu --lat 31.24 --lon 121.49 --value 0.3 >out &&
	json_eq .severity orange <out &&
	json_eq .district 310101 <out &&
	json_eq .kind water_depth <out &&
	json_eq .location.lat 31.24 <out &&
	json_eq .value 0.3 <out
'

test_expect_success 'without a source id the same content gets the same derived id' '
	alert-post -n --source s --kind k --severity red --district 浦东 >a &&
	alert-post -n --district 310115 --severity Extreme --kind k --source s >b &&
	test_cmp a b &&
	jq -e ".source_id | startswith(\"sha256:\")" a >/dev/null
'

test_expect_code 7 'a bad severity is invalid input (exit 7)' '
	alert-post --url http://127.0.0.1:1 --source s --kind k --severity purple --district 310101 2>err
'

test_expect_success 'a bad district names the member and sends nothing' '
	test_expect_exit 7 alert-post --url http://127.0.0.1:1 --source s --kind k --severity red --district 310108 2>err &&
	grep -q "district: .310108. is not one of Shanghai.s 16 districts" err
'

test_expect_code 2 'nothing to post is a usage error' '
	alert-post </dev/null
'

test_expect_code 2 '--bulk takes no alert flags' '
	alert-post --bulk --kind k </dev/null
'

test_expect_success 'CAP in: the mapping onto an alert' '
	alert-post -n --cap wd.xml --format ndjson >out &&
	json_eq .source wd-0017 <out &&
	json_eq .source_id WD-0017-20260701-001 <out &&
	json_eq .severity orange <out &&
	json_eq .district 310101 <out &&
	json_eq .location.address 中山东一路外滩 <out &&
	json_eq .location.lon 121.4906 <out &&
	json_eq .threshold 0.25 <out &&
	json_eq .sent_at 2026-07-01T10:00:00+08:00 <out &&
	json_eq .expires_at 2026-07-01T13:00:00+08:00 <out
'

test_expect_success 'a bad enumeration is refused with its element and line' '
	sed "s/<severity>Orange/<severity>Bad/" wd.xml >bad.xml &&
	test_expect_exit 7 alert-post --cap bad.xml 2>err &&
	grep -q "^alert-post: error: bad.xml:13: severity: .Bad. is not a CAP severity" err
'

test_expect_success 'a missing required element is refused with its parent and line' '
	grep -v "<sent>" wd.xml >nosent.xml &&
	test_expect_exit 7 alert-post --cap nosent.xml 2>err &&
	grep -q "nosent.xml:2: alert: required element .sent. is missing" err &&
	grep -v "<certainty>" wd.xml >nocert.xml &&
	test_expect_exit 7 alert-post --cap nocert.xml 2>err &&
	grep -q "nocert.xml:9: info: required element .certainty. is missing" err
'

test_expect_success 'a bad date is refused with its line' '
	sed "s/<sent>2026-07-01T10:00:00+08:00/<sent>2026-07-01 10:00/" wd.xml >date.xml &&
	test_expect_exit 7 alert-post --cap date.xml 2>err &&
	grep -q "date.xml:5: sent: .2026-07-01 10:00. is not a CAP date and time" err
'

test_expect_success 'malformed XML is refused with its line' '
	sed "s|</severity>|</sev>|" wd.xml >broken.xml &&
	test_expect_exit 7 alert-post --cap broken.xml 2>err &&
	grep -q "broken.xml:13: malformed XML" err
'

test_expect_success 'Unknown severity needs --severity' '
	# (no value: water_depth'"'"'s severity rules in kinds.yaml would give one by value)
	sed -e "s/<severity>Orange/<severity>Unknown/" -e "/<valueName>value</d" wd.xml >unknown.xml &&
	test_expect_exit 7 alert-post -n --cap unknown.xml 2>err &&
	grep -q "unknown.xml:13: severity: .Unknown. has no place" err &&
	alert-post -n --cap unknown.xml --severity yellow >out &&
	json_eq .severity yellow <out
'

test_expect_success 'CAP out is well-formed CAP 1.2 and reads back the same' '
	alert-post -n --cap wd.xml --format ndjson >orig.json &&
	alert-post -n --cap wd.xml --format cap >out.xml &&
	xmllint --noout out.xml &&
	grep -q "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">" out.xml &&
	grep -q "<severity>Orange</severity>" out.xml &&
	alert-post -n --cap out.xml --format ndjson >back.json &&
	test_cmp orig.json back.json
'

test_expect_success 'a JSON file converts to CAP' '
	cat >a.json <<-JSON &&
	{"source":"pump-0193","source_id":"F-88","kind":"pump_fault","severity":"red",
	 "district":"310115","headline":"泵站故障","sent_at":"2026-07-01T10:00:00+08:00"}
	JSON
	alert-post -n -f a.json --format cap >a.xml &&
	xmllint --noout a.xml &&
	grep -q "<severity>Extreme</severity>" a.xml &&
	grep -q "<value>310115</value>" a.xml &&
	grep -q "<sent>2026-07-01T10:00:00+08:00</sent>" a.xml
'

test_expect_success 'bulk dry run: a bad line is reported with its number, the rest go through' '
	cat >in.ndjson <<-NDJSON &&
	{"source":"s","source_id":"1","kind":"k","severity":"red","district":"310101"}
	not json
	{"source":"s","source_id":"3","kind":"k","severity":"teal","district":"310101"}

	{"source":"s","source_id":"5","kind":"k","severity":"blue","district":"jiading"}
	NDJSON
	test_expect_exit 1 alert-post --bulk -n <in.ndjson >out 2>err &&
	test $(wc -l <out) = 2 &&
	grep -q "stdin:2:" err &&
	grep -q "stdin:3: severity: .teal." err &&
	grep -q "checked 2, replayed 0, failed 2" err &&
	jq -r .district out >districts &&
	printf "310101\n310114\n" >want &&
	test_cmp want districts
'

test_expect_success 'server down: exit 6 after the retries' '
	test_expect_exit 6 alert-post --url http://127.0.0.1:1 --retries 1 \
		--source s --kind k --severity red --district 310101 2>err &&
	grep -q "after 2 attempts" err
'

test_expect_success 'bulk with the server down: exit 6, each record reported' '
	head -1 in.ndjson >one.ndjson &&
	test_expect_exit 6 alert-post --bulk --url http://127.0.0.1:1 --retries 0 <one.ndjson 2>err &&
	grep -q "stdin:1:" err
'

# ---- CAP round trip fidelity: element for element, nothing lost, nothing made up ----
# (an Alert that still names an earlier message in <references>: kept as CAP
# text; an Update or Cancel would apply to that message's alert, t6020)

cat >rich.xml <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>SH-FX-2026-0701-17%A</identifier>
  <sender>fxb@shanghai.gov.cn</sender>
  <sent>2026-07-01T10:00:00+08:00</sent>
  <status>Exercise</status>
  <msgType>Alert</msgType>
  <source>防汛指挥部值班室</source>
  <scope>Restricted</scope>
  <restriction>区防汛办及抢险队</restriction>
  <code>drill</code>
  <code>GB/T 35965.1</code>
  <note>演练 &amp; 复盘</note>
  <references>fxb@shanghai.gov.cn,SH-FX-2026-0701-16,2026-07-01T09:00:00+08:00</references>
  <incidents>meiyu-2026</incidents>
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <category>Infra</category>
    <event>暴雨积水</event>
    <responseType>Prepare</responseType>
    <responseType>Avoid</responseType>
    <urgency>Expected</urgency>
    <severity>Red</severity>
    <certainty>Likely</certainty>
    <audience>沿江居民</audience>
    <eventCode><valueName>kind</valueName><value>Water_Depth</value></eventCode>
    <eventCode><valueName>GB/T 35965</valueName><value>11B03</value></eventCode>
    <effective>2026-07-01T10:05:00+08:00</effective>
    <onset>2026-07-01T11:00:00+08:00</onset>
    <expires>2026-07-01T18:00:00+08:00</expires>
    <senderName>上海市防汛指挥部</senderName>
    <description>积水 0.45 米 &lt;持续上涨&gt;</description>
    <instruction>请绕行中山东一路，低洼处车辆尽快驶离。</instruction>
    <web>https://fxb.example/alerts/17</web>
    <contact>021-12345</contact>
    <parameter><valueName>rainfall_mm_h</valueName><value>62.5</value></parameter>
    <parameter><valueName>value</valueName><value>0.450</value></parameter>
    <parameter><valueName>unit</valueName><value>m</value></parameter>
    <area>
      <areaDesc>中山东一路外滩</areaDesc>
      <polygon>31.23,121.48 31.23,121.50 31.25,121.50 31.25,121.48 31.23,121.48</polygon>
      <circle>31.2397,121.4906 0.75</circle>
      <geocode><valueName>district</valueName><value>黄浦区</value></geocode>
      <geocode><valueName>street</valueName><value>310101002</value></geocode>
      <altitude>3.5</altitude>
      <ceiling>12</ceiling>
    </area>
  </info>
</alert>
XML

# cap_elements FILE: every element that holds text as "NAME: TEXT", and every
# parameter, eventCode and geocode as one line, sorted; the server's own
# twonet:* parameters left out; then the number of elements
cap_elements() {
	local n pairs
	for n in identifier sender sent status msgType source scope restriction addresses code \
		 note references incidents language category event responseType urgency severity \
		 certainty audience effective onset expires senderName headline description \
		 instruction web contact areaDesc polygon circle altitude ceiling; do
		xmllint --xpath "//*[local-name()='$n']/text()" "$1" 2>/dev/null | sed "s/^/$n: /"
		echo
	done
	for n in parameter eventCode geocode; do
		xmllint --xpath "//*[local-name()='$n'][not(starts-with(*[local-name()='valueName'],'twonet:'))]" \
			"$1" 2>/dev/null | tr -d "\n" | sed -e "s/>[[:space:]]*</></g" -e "s|</$n>|&\n|g"
		echo
	done
	pairs=$(xmllint --xpath "count(//*[local-name()='parameter'][starts-with(*[local-name()='valueName'],'twonet:')])" "$1")
	echo "elements: $(( $(xmllint --xpath "count(//*)" "$1") - 3 * pairs ))"
}

test_expect_success 'CAP in, CAP out: every element and its text back, nothing made up' '
	alert-post -n --cap rich.xml --format cap >out.xml &&
	xmllint --noout out.xml &&
	cap_elements rich.xml | sort >want &&
	cap_elements out.xml | sort >got &&
	grep -q "^instruction: 请绕行" want &&
	grep -q "^elements: 60" want &&
	test_cmp want got &&
	alert-post -n --cap out.xml --format cap >again.xml &&
	test_cmp out.xml again.xml
'

# a server of its own, started here (not in a test body, whose subshell would
# keep its pid from the clean-up at exit)
start_server || exit 1
test_expect_success 'CAP in, CAP out through twonetd and alert-tail, the server record as twonet: parameters' '
	SENSOR=$(make_token sensor fx-gw) &&
	OPS=$(make_token operator duty) &&
	TWONET_TOKEN=$SENSOR alert-post --cap rich.xml --format ndjson >posted &&
	json_eq .cap.instruction 请绕行中山东一路，低洼处车辆尽快驶离。 <posted &&
	TWONET_TOKEN=$OPS alert-tail --after 0 --no-follow --format cap >back.xml &&
	xmllint --noout back.xml &&
	grep -q "<valueName>twonet:id</valueName>" back.xml &&
	cap_elements back.xml | sort >got &&
	test_cmp want got &&
	TWONET_TOKEN=$OPS alert-tail --after 0 --no-follow --format ndjson >back.json &&
	jq -S .cap <posted >a && jq -S .cap <back.json >b && test_cmp a b
'

test_expect_success 'bulk against the server: a bad line named, the rest raised, the summary last, exit 1; again: replayed' '
	T=$(make_token sensor fx-bulk) &&
	cat >bulk.ndjson <<-NDJSON &&
	{"source":"b","source_id":"1","kind":"k","severity":"red","district":"310101"}
	{"source":"b","source_id":"2","kind":"k","severity":"teal","district":"310101"}
	{"source":"b","source_id":"3","kind":"k","severity":"blue","district":"jiading"}
	NDJSON
	test_expect_exit 1 alert-post --token "$T" --bulk --format ndjson <bulk.ndjson >out 2>err &&
	test $(wc -l <out) = 2 &&
	grep -q "^alert-post: error: stdin:2: severity" err &&
	tail -n 1 err | grep -qx "alert-post: created 2, replayed 0, failed 1" &&
	test_expect_exit 1 alert-post --token "$T" --bulk --format ndjson <bulk.ndjson >out 2>err &&
	tail -n 1 err | grep -qx "alert-post: created 0, replayed 2, failed 1"
'

test_expect_success 'bulk with a refused token: each record named, the summary says it stopped, then why (exit 4)' '
	test_expect_exit 4 alert-post --token tn_0000000000000000000000000000000000000000 --bulk \
		<bulk.ndjson >out 2>err &&
	grep -q "^alert-post: error: stdin:1: " err &&
	grep -q "^alert-post: error: stdin:3: " err &&
	grep -qx "alert-post: created 0, replayed 0, failed 3; stopped: the rest not tried" err &&
	tail -n 1 err | grep -q "^alert-post: error: "
'

test_done
