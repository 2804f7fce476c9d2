#!/bin/bash
# case-report --map: the 16 districts as SVG, filled by their alerts, labelled with the
# alerts closed in target and the tasks resolved in target; well-formed (xmllint) and
# rendered (rsvg-convert), the outlines under the labels; in Chinese and English; the usage errors.
. "$(dirname "$0")/test-lib.sh"

cat >rules.yaml <<'EOF2'
rules:
  - id: flood
    name: 积水
    kinds: [water_depth]
    when: '.value >= 30'
    key: '.district + "/" + .source_id'
    task: {department: SHSW, crew_pool: 泵车队, priority: 2, title: '{{district_name}}积水'}
targets:
  default: {dispatch: 15m, acknowledge: 30m, on_site: 1h, resolve: 4h}
EOF2

start_server --rules rules.yaml || exit 1
OPERATOR=$(make_token operator op)
export TWONET_TOKEN=$OPERATOR XDG_RUNTIME_DIR="$TRASH/run"
mkdir -p "$XDG_RUNTIME_DIR"

# raise NAME KIND SEVERITY DISTRICT: raise an alert (value 40), its id in ids/NAME
raise() {
	curl -sf -H "Authorization: Bearer $OPERATOR" -H "Content-Type: application/json" \
		-d "{\"source\":\"test\",\"source_id\":\"$1\",\"kind\":\"$2\",\"severity\":\"$3\",\"district\":\"$4\",\"value\":40}" \
		"$TWONET_URL/v1/alerts" | jq -r .id >"ids/$1"
}

# close NAME: dispatch, acknowledge, resolve and close an alert at once (within any target)
close() {
	local a body
	for a in dispatch acknowledge resolve close; do
		case $a in
		dispatch) body='{"action":"dispatch","crew":"PT-1"}' ;;
		close) body='{"action":"close","evaluation":"done"}' ;;
		*) body="{\"action\":\"$a\"}" ;;
		esac
		curl -sf -o /dev/null -H "Authorization: Bearer $OPERATOR" -H "Content-Type: application/json" \
			-d "$body" "$TWONET_URL/v1/alerts/$(cat "ids/$1")/actions" || return 1
	done
}

# district CODE FILE: the <g> of a district in a map, on one line
district() {
	xmllint --xpath "//*[local-name()='g'][@id='d$1']" "$2" | tr '\n' ' '
}

test_expect_success 'set up: alerts in three districts, two closed' '
	mkdir ids &&
	raise A1 water_depth red 310101 && raise A2 water_depth orange 310101 &&
	raise A3 water_depth yellow 310101 && raise A4 pump_fault yellow 310104 &&
	raise A5 elevator red 310115 &&
	close A1 && close A4
'

test_expect_success 'the map in Chinese: well-formed, 16 districts, counts, rates, legend, notes' '
	case-report --alerts --from today --map map.svg >report.json &&
	json_eq ".by" district <report.json &&
	xmllint --noout map.svg &&
	test "$(xmllint --xpath "count(//*[local-name()=\"g\"][@class=\"district\"])" map.svg)" = 16 &&
	for name in 黄浦区 徐汇区 长宁区 静安区 普陀区 虹口区 杨浦区 闵行区 宝山区 嘉定区 浦东新区 金山区 松江区 青浦区 奉贤区 崇明区; do
		grep -q "class=\"name[ a-z]*\">$name</text>" map.svg || return 1
	done &&
	grep -q "class=\"title\">各区告警数与按时率</text>" map.svg &&
	d=$(district 310101 map.svg) &&
	echo "$d" | grep -q "data-count=\"3\"" &&
	echo "$d" | grep -q ">按时 100.0%</text>" &&
	echo "$d" | grep -q ">任务 " &&
	echo "$(district 310104 map.svg)" | grep -q "data-count=\"1\".*>按时 100.0%<" &&
	echo "$(district 310115 map.svg)" | grep -q ">按时 无<" &&
	echo "$(district 310151 map.svg)" | grep -q "data-count=\"0\".*fill=\"#f2f2f2\"" &&
	grep -q "class=\"legend\">告警数</text>" map.svg &&
	test "$(xmllint --xpath "count(//*[local-name()=\"path\"][@class=\"outline\"])" map.svg)" = 16 &&
	grep -q "<path class=\"outline\" id=\"o310101\" fill=\"$(district 310101 map.svg | sed -n "s/.*<circle[^>]*fill=\"\([^\"]*\)\".*/\1/p")\"" map.svg &&
	grep -q "区界为手绘的近似轮廓" map.svg &&
	grep -q "红色 120 分钟" map.svg &&
	rsvg-convert -o map.png map.svg && test -s map.png &&
	test "$(head -c 8 map.png | od -An -tx1 | tr -d " ")" = 89504e470d0a1a0a
'

test_expect_success 'a district fills darker as its count grows' '
	f1=$(district 310115 map.svg | sed -n "s/.*<circle[^>]*fill=\"\\([^\"]*\\)\".*/\\1/p") &&
	raise A7 elevator red 310115 && raise A8 elevator red 310115 &&
	raise A9 elevator red 310115 && raise A10 elevator red 310115 &&
	case-report --alerts --from today --map - >map2.svg &&
	xmllint --noout map2.svg &&
	echo "$(district 310115 map2.svg)" | grep -q "data-count=\"5\"" &&
	f2=$(district 310115 map2.svg | sed -n "s/.*<circle[^>]*fill=\"\\([^\"]*\\)\".*/\\1/p") &&
	test -n "$f1" && test -n "$f2" && test "$f1" != "$f2"
'

test_expect_success 'in English; from the task report alone' '
	case-report --lang en --alerts --from today --map en.svg >/dev/null &&
	xmllint --noout en.svg &&
	grep -q "class=\"title\">Alerts and on-time rates by district</text>" en.svg &&
	grep -q "class=\"name[ a-z]*\">黄浦区</text>" en.svg &&
	grep -q ">on time 100.0%<" en.svg &&
	grep -q "Outlines are approximate, drawn by hand" en.svg &&
	case-report --tasks --from today --map tasks.svg >/dev/null &&
	xmllint --noout tasks.svg &&
	grep -q "class=\"title\">各区任务数与按时处置率</text>" tasks.svg &&
	echo "$(district 310101 tasks.svg)" | grep -q "data-count=\"3\""
'

test_expect_success 'usage: cases have no map; alerts only by district; one file on stdout' '
	test_expect_exit 2 case-report --map m.svg 2>err &&
	grep -q "add --alerts or --tasks" err &&
	test_expect_exit 2 case-report --alerts --by kind --map m.svg 2>err &&
	test_expect_exit 2 case-report --alerts --svg - --map - 2>err &&
	test ! -e m.svg
'

test_done
