#!/bin/bash
# CAP 1.2 as Chinese producers write it (tests/data/cap/): a Chinese <event>
# and no <eventCode> mapped to a kind through share/twonet/alerts/kinds.yaml,
# an event no kind names kept under kind other, GB/T 2260 geocodes (district,
# street, twelve digits) resolved to district and street, circles and polygons
# kept as the area, an Update and a Cancel applied to the alert they reference
# (once each), end to end: alert-post, twonetd, alert-list, alert-tail --format cap.
. "$(dirname "$0")/test-lib.sh"

CAP=$TWONET_SRC/tests/data/cap

test_expect_success 'a Chinese event without an event code is mapped, never refused (dry run)' '
	alert-post -n --cap "$CAP/waterlogging.xml" --format ndjson >out &&
	json_eq .kind waterlogging <out &&
	json_eq .event_text 道路积水 <out &&
	json_eq .district 310101 <out &&
	json_eq .street 310101013 <out &&
	json_eq ".area.circles[0]" "31.2397,121.4906 0.5" <out &&
	alert-post -n --cap "$CAP/rainstorm.xml" --format ndjson >out &&
	json_eq .kind rainstorm <out && json_eq .street 310115125 <out &&
	json_eq .district 310115 <out && json_eq .severity yellow <out &&
	alert-post -n --cap "$CAP/manhole.xml" --format ndjson >out &&
	json_eq .kind other <out && json_eq .event_text 井盖缺失 <out &&
	json_eq .district 310104 <out && json_eq .street 310104003 <out
'

test_expect_success 'Unknown severity: the kind'"'"'s default rule by value; a polygon is the area, its centroid the location' '
	alert-post -n --cap "$CAP/crowd.xml" --format ndjson >out &&
	json_eq .kind crowd_density <out &&
	json_eq .severity orange <out &&
	json_eq .location.lat 31.24 <out &&
	jq -e ".area.polygons | length == 1" out >/dev/null &&
	sed "/<valueName>value</d" "$CAP/crowd.xml" >novalue.xml &&
	test_expect_exit 7 alert-post -n --cap novalue.xml 2>err &&
	grep -q "novalue.xml:15: severity: .Unknown. has no place" err
'

test_expect_success 'Update and Cancel carry what they apply to (dry run)' '
	alert-post -n --cap "$CAP/waterlogging-update.xml" --format ndjson >out &&
	json_eq .msg_type update <out &&
	json_eq ".references[0].source_id" SHSW-JS-20260701-0042 <out &&
	alert-post -n --cap "$CAP/waterlogging-cancel.xml" --format ndjson >out &&
	json_eq .msg_type cancel <out &&
	jq -e ".references | length == 2" out >/dev/null &&
	sed "/<references>/d" "$CAP/waterlogging-cancel.xml" >noref.xml &&
	test_expect_exit 7 alert-post -n --cap noref.xml 2>err &&
	grep -q "noref.xml:8: msgType: .Cancel. needs <references>" err
'

# with the shipped rules, so that an alert's update and cancel are seen to make
# no second task
rules=$TWONET_SHAREDIR/rules
start_server --rules "$rules" || exit 1
SENSOR=$(make_token sensor shsw-gw)
OPS=$(make_token operator duty)

test_expect_success 'raised through twonetd: the server names the kind and the street, keeps the area' '
	TWONET_TOKEN=$SENSOR alert-post --cap "$CAP/waterlogging.xml" --format ndjson >a1 &&
	json_eq .kind_name 道路积水 <a1 &&
	json_eq .event_text 道路积水 <a1 &&
	json_eq .district_name 黄浦区 <a1 &&
	json_eq .street 310101013 <a1 &&
	json_eq .street_name 外滩街道 <a1 &&
	json_eq ".area.circles[0]" "31.2397,121.4906 0.5" <a1 &&
	TWONET_TOKEN=$SENSOR alert-post --cap "$CAP/rainstorm.xml" --format ndjson >a2 &&
	json_eq .kind_name 暴雨 <a2 && json_eq .street_name 张江镇 <a2 &&
	TWONET_TOKEN=$SENSOR alert-post --cap "$CAP/manhole.xml" --format ndjson >a3 &&
	json_eq .kind other <a3 && json_eq .kind_name 其他事件 <a3 &&
	json_eq .event_text 井盖缺失 <a3 && json_eq .street_name 天平路街道 <a3 &&
	TWONET_TOKEN=$SENSOR alert-post --cap "$CAP/crowd.xml" --format ndjson >a4 &&
	json_eq .kind_name 大客流 <a4 && json_eq .street null <a4 &&
	jq -e ".area.polygons | length == 1" a4 >/dev/null &&
	TWONET_TOKEN=$OPS alert-list --format ndjson >list &&
	test $(wc -l <list) = 4 &&
	jq -r "[.kind, .kind_name, .street_name // \"-\"] | @tsv" list | sort >got &&
	printf "%s\t%s\t%s\n" crowd_density 大客流 "" other 其他事件 天平路街道 \
		rainstorm 暴雨 张江镇 waterlogging 道路积水 外滩街道 | sed "s/\t$/\t-/" >want &&
	sed -i "s/\t\$/\t-/" got &&
	test_cmp want got
'

test_expect_success 'a JSON alert with event_text and no kind: the server maps it; server-owned names are its own' '
	cat >j.json <<-JSON &&
	{"source":"wg-huangpu","source_id":"j-1","event_text":"电梯困人","severity":"yellow",
	 "street":"310101002","kind_name":"ignored","street_name":"ignored"}
	JSON
	test "$(api POST /v1/alerts "$SENSOR" -H "Content-Type: application/json" --data-binary @j.json)" = 400 &&
	jq "del(.kind_name, .street_name)" j.json >j2.json &&
	test "$(api POST /v1/alerts "$SENSOR" -H "Content-Type: application/json" --data-binary @j2.json)" = 201 &&
	json_eq .kind lift_fault <out.json &&
	json_eq .kind_name 电梯故障 <out.json &&
	json_eq .district 310101 <out.json &&
	json_eq .street_name 南京东路街道 <out.json &&
	TWONET_TOKEN=$SENSOR alert-post -f j.json --format ndjson >j.out &&
	json_eq .id "$(jq .id out.json)" <j.out
'

test_expect_success 'an Update applies to the alert it references: no new alert, an update event by the producer' '
	id=$(jq .id a1) &&
	TWONET_TOKEN=$SENSOR alert-post --cap "$CAP/waterlogging-update.xml" --format ndjson >u 2>err &&
	! test -s err &&
	json_eq .id "$id" <u &&
	json_eq .severity red <u && json_eq .value 0.55 <u &&
	json_eq .text 积水持续上涨，已封闭外滩段。 <u &&
	json_eq .expires_at 2026-07-01T15:00:00+08:00 <u &&
	json_eq ".area.circles[0]" "31.2397,121.4906 0.8" <u &&
	json_eq .status raised <u &&
	json_eq ".updates[0].source_id" SHSW-JS-20260701-0043 <u &&
	TWONET_TOKEN=$OPS alert-list --format ndjson >list &&
	test $(wc -l <list) = 5 &&
	test "$(api GET /v1/alerts/$id "$OPS")" = 200 &&
	jq -c "[.history[] | [.action, .actor // null]]" out.json >got &&
	echo "[[\"raise\",null],[\"update\",\"shsw-jsd\"]]" >want &&
	test_cmp want got
'

test_expect_success 'the same Update again changes nothing' '
	seq=$(jq .seq u) &&
	TWONET_TOKEN=$SENSOR alert-post --cap "$CAP/waterlogging-update.xml" --format ndjson >u2 &&
	json_eq .seq "$seq" <u2 &&
	test "$(api GET /v1/alerts/$(jq .id u) "$OPS")" = 200 &&
	jq -e ".history | length == 2" out.json >/dev/null &&
	jq -e ".updates | length == 1" out.json >/dev/null
'

test_expect_success 'a reference to an unknown alert: 404 naming it, exit 3, nothing changed' '
	sed -e "s/-0042,/-9999,/" -e "s/-0043</-0044</" "$CAP/waterlogging-update.xml" >unknown.xml &&
	test_expect_exit 3 alert-post --token "$SENSOR" --cap unknown.xml 2>err &&
	grep -q "SHSW-JS-20260701-9999" err &&
	TWONET_TOKEN=$OPS alert-list --format ndjson >list &&
	test $(wc -l <list) = 5
'

# the alert's task handled to the end before the producer cancels: the cancel
# must not open a new task for an alert that is withdrawn
test_expect_success 'the task the rules made of the alert is handled to resolved' '
	test "$(api GET "/v1/tasks?kind=waterlogging" "$OPS")" = 200 &&
	task=$(jq ".items[0].id" out.json) &&
	TWONET_TOKEN=$OPS task-act dispatch --crew 泵车队-1 "$task" >/dev/null &&
	for a in acknowledge arrive resolve; do
		TWONET_TOKEN=$OPS task-act $a "$task" >/dev/null || return 1
	done &&
	test "$(api GET "/v1/tasks/$task" "$OPS")" = 200 &&
	json_eq .status resolved <out.json
'

test_expect_success 'a Cancel closes the alert: cancelled, 发布方撤销, an update event "cancel"; once' '
	id=$(jq .id a1) &&
	TWONET_TOKEN=$SENSOR alert-post --cap "$CAP/waterlogging-cancel.xml" --format ndjson >c &&
	json_eq .id "$id" <c &&
	json_eq .status closed <c && json_eq .cancelled true <c &&
	json_eq .evaluation 发布方撤销 <c &&
	json_eq .severity red <c &&
	TWONET_TOKEN=$SENSOR alert-post --cap "$CAP/waterlogging-cancel.xml" --format ndjson >c2 &&
	json_eq .seq "$(jq .seq c)" <c2 &&
	test "$(api GET /v1/alerts/$id "$OPS")" = 200 &&
	jq -c "[.history[] | .action]" out.json >got &&
	echo "[\"raise\",\"update\",\"cancel\"]" >want &&
	test_cmp want got
'

test_expect_success 'the shipped rules made one task of the alert; its update and cancel made no other' '
	test "$(api GET "/v1/tasks?kind=waterlogging" "$OPS")" = 200 &&
	jq -c "[.items[] | {rule, alerts}]" out.json >got &&
	echo "[{\"rule\":\"road-flooding-report\",\"alerts\":[$(jq .id a1)]}]" >want &&
	test_cmp want got
'

test_expect_success 'an Update of a cancelled alert is a conflict (exit 5)' '
	sed -e "s/-0043</-0045</" "$CAP/waterlogging-update.xml" >late.xml &&
	test_expect_exit 5 alert-post --token "$SENSOR" --cap late.xml 2>err &&
	grep -q "was cancelled by its producer" err
'

test_expect_success 'a batch: an update among alerts, each answered on its own' '
	printf "%s\n" "{\"source\":\"wg-huangpu\",\"source_id\":\"j-2\",\"kind\":\"pump_fault\",\"severity\":\"orange\",\"district\":\"310101\"}" \
		"{\"source\":\"wg-huangpu\",\"source_id\":\"j-1u\",\"msg_type\":\"update\",\"references\":[{\"source\":\"wg-huangpu\",\"source_id\":\"j-1\"}],\"event_text\":\"电梯困人\",\"severity\":\"red\",\"district\":\"310101\"}" \
		"{\"source\":\"wg-huangpu\",\"source_id\":\"j-3u\",\"msg_type\":\"cancel\",\"references\":[{\"source\":\"wg-huangpu\",\"source_id\":\"nope\"}],\"kind\":\"other\",\"severity\":\"blue\",\"district\":\"310101\"}" \
		>batch.ndjson &&
	test_expect_exit 1 alert-post --token "$SENSOR" --bulk --format ndjson <batch.ndjson >out 2>err &&
	grep -q "stdin:3: no alert from .wg-huangpu. with source_id .nope." err &&
	grep -qx "alert-post: updated 1 (updates and cancels applied)" err &&
	tail -n 1 err | grep -qx "alert-post: created 1, replayed 0, failed 1" &&
	jq -r "[.source_id, .severity] | @tsv" out >got &&
	printf "j-2\torange\nj-1\tred\n" >want &&
	test_cmp want got
'

test_expect_success 'alert-tail --format cap writes the producers'"'"' Chinese words back in <event>' '
	TWONET_TOKEN=$OPS alert-tail --after 0 --no-follow --format cap >all.xml &&
	grep -c "<event>道路积水</event>" all.xml >n && test "$(cat n)" -ge 3 &&
	grep -q "<event>暴雨</event>" all.xml &&
	grep -q "<event>大客流</event>" all.xml &&
	grep -q "<event>井盖缺失</event>" all.xml &&
	grep -q "<event>电梯困人</event>" all.xml &&
	grep -q "<polygon>31.2380,121.4890 " all.xml &&
	! grep -q "<event>other</event>" all.xml
'

test_expect_success 'CAP out reads back the same: kind, words, street, area' '
	id=$(jq .id a4) &&
	TWONET_TOKEN=$OPS alert-tail --after $((id - 1)) --no-follow --format cap \
		--jq "select(.id == $id)" >one.xml &&
	xmllint --noout one.xml &&
	alert-post -n --cap one.xml --format ndjson >back &&
	for m in .kind .event_text .district .street .area .severity .location; do
		test "$(jq -c "$m" back)" = "$(jq -c "$m" a4)" || { echo "$m differs"; false; } || return 1
	done
'

test_expect_success 'a JSON alert without event_text goes out as CAP with the kind'"'"'s Chinese name' '
	TWONET_TOKEN=$SENSOR alert-post --source wd-9 --source-id x1 --kind waterlogging \
		--severity yellow --district 310101 --format ndjson >w &&
	alert-post -n -f w --format cap >w.xml &&
	grep -q "<event>道路积水</event>" w.xml &&
	grep -q "<valueName>kind</valueName>" w.xml &&
	alert-post -n --cap w.xml --format ndjson >wb &&
	json_eq .kind waterlogging <wb && json_eq .event_text null <wb
'

test_expect_success 'twonetd serve refuses a broken kinds.yaml with FILE:LINE' '
	mkdir -p share && cp -R "$TWONET_SHAREDIR"/. share/ &&
	sed -i "s/^    category: Safety$/    category: Crowds/" share/alerts/kinds.yaml &&
	line=$(grep -n "category: Crowds" share/alerts/kinds.yaml | head -1 | cut -d: -f1) &&
	test_expect_exit 1 env TWONET_SHAREDIR=$PWD/share twonetd serve --db "$TWONETD_DB" \
		--listen 127.0.0.1:0 --workers 1 2>err &&
	grep -q "twonetd: error: alert kinds: $PWD/share/alerts/kinds.yaml:$line: kind .crowd_density.: .Crowds. is not a CAP category" err
'

test_done
