#!/bin/bash
# case-report --alerts: alerts by kind, severity, district and day; minutes to dispatch and
# to close (median, p90); open alerts past their target; who may read it.
. "$(dirname "$0")/test-lib.sh"

start_server || exit 1
ADMIN=$(make_token admin root)
OPERATOR=$(make_token operator op)
CLERK=$(make_token clerk clerk-yb YBJ)
export TWONET_TOKEN=$OPERATOR XDG_RUNTIME_DIR="$TRASH/run"
mkdir -p "$XDG_RUNTIME_DIR"

# raise NAME KIND SEVERITY DISTRICT: raise an alert, its id in ids/NAME
raise() {
	curl -sf -H "Authorization: Bearer $OPERATOR" -H "Content-Type: application/json" \
		-d "{\"source\":\"test\",\"source_id\":\"$1\",\"kind\":\"$2\",\"severity\":\"$3\",\"district\":\"$4\"}" \
		"$TWONET_URL/v1/alerts" | jq -r .id >"ids/$1"
}

# act NAME ACTION...: move an alert along the loop
act() {
	local name=$1 a body; shift
	for a in "$@"; do
		case $a in
		dispatch) body='{"action":"dispatch","crew":"PT-1"}' ;;
		close) body='{"action":"close","evaluation":"done"}' ;;
		*) body="{\"action\":\"$a\"}" ;;
		esac
		curl -sf -o /dev/null -H "Authorization: Bearer $OPERATOR" -H "Content-Type: application/json" \
			-d "$body" "$TWONET_URL/v1/alerts/$(cat "ids/$name")/actions" || return 1
	done
}

# when NAME RAISED [DISPATCHED [CLOSED]]: set an alert's times (local, +08:00) in the database
when() {
	local id raised=$2 d=${3:-} c=${4:-} set
	id=$(cat "ids/$1")
	set=(raised_at "'$raised'")
	[ -z "$d" ] || set+=(dispatched_at "'$d'")
	[ -z "$c" ] || set+=(closed_at "'$c'")
	db_sql "UPDATE alerts SET raised_at = $(db_pick "unixepoch('$raised')" \
		"extract(epoch FROM '$raised'::timestamptz)::bigint"),
		doc = $(db_doc_set "${set[@]}") WHERE id = $id"
}

test_expect_success 'set up: 7 alerts, moved along the loop and dated' '
	mkdir ids &&
	raise A1 water_depth red 310101 && raise A2 water_depth orange 310101 &&
	raise A3 pump_fault yellow 310104 && raise A4 pump_fault blue 310104 &&
	raise A5 elevator red 310115 && raise A6 crowd_density orange 310101 &&
	raise A7 crowd_density red 310101 &&
	act A1 dispatch acknowledge resolve close && act A2 dispatch acknowledge resolve close &&
	act A3 dispatch && act A5 dispatch acknowledge resolve close &&
	act A7 dispatch acknowledge resolve close &&
	when A1 2026-10-08T10:00:00+08:00 2026-10-08T10:20:00+08:00 2026-10-08T11:30:00+08:00 &&
	when A2 2026-10-08T12:00:00+08:00 2026-10-08T12:45:00+08:00 2026-10-08T17:00:00+08:00 &&
	when A3 2026-10-09T09:00:00+08:00 2026-10-09T09:10:00+08:00 &&
	when A4 2026-10-09T09:00:00+08:00 &&
	when A5 2026-10-12T08:00:00+08:00 2026-10-12T08:05:00+08:00 2026-10-12T09:05:00+08:00 &&
	when A6 2026-10-01T00:30:00+08:00 &&
	when A7 2026-09-30T23:30:00+08:00 2026-09-30T23:40:00+08:00 2026-10-01T00:10:00+08:00
'

# water_depth: dispatch 20 and 45 min, close 90 (red, target 120: in) and 300 (orange, 240:
# out); pump_fault: one dispatched after 10 min, both open and past target; elevator: 5 and
# 65 min; crowd_density: A6 raised at 00:30 local on 10-01 (16:30 UTC on 09-30) is in
# October, A7 at 23:30 local on 09-30 is not.
test_expect_success 'a month by kind: every figure as computed by hand' '
	case-report --alerts --from 2026-10 --format json >oct.json &&
	json_eq ".report + \" \" + .by" "alerts kind" <oct.json &&
	jq -c ".groups[], .total | [.group, .raised, .dispatched, .closed, .open, .open_past_target,
		.closed_in_target, .closed_in_target_rate]" oct.json >got &&
	cat >want <<-\EOF &&
	["crowd_density",1,0,0,1,1,0,null]
	["elevator",1,1,1,0,0,1,100]
	["pump_fault",2,1,0,2,2,0,null]
	["water_depth",2,2,2,0,0,1,50]
	[null,6,4,3,3,3,2,66.7]
	EOF
	test_cmp want got &&
	jq -c ".groups[], .total | [.dispatch_min_n, .dispatch_min_mean, .dispatch_min_median,
		.dispatch_min_p90, .close_min_n, .close_min_mean, .close_min_median, .close_min_p90]" \
		oct.json >got &&
	cat >want <<-\EOF &&
	[0,null,null,null,0,null,null,null]
	[1,5,5,5,1,65,65,65]
	[1,10,10,10,0,null,null,null]
	[2,32.5,32.5,45,2,195,195,300]
	[4,20,15,45,3,151.67,90,300]
	EOF
	test_cmp want got &&
	json_eq ".targets_min.red" 120 <oct.json
'

test_expect_success 'by severity, district and day' '
	case-report --alerts --from 2026-10 --by severity --jq "[.groups[] | [.group, .raised]]" >got &&
	test "$(cat got)" = "[[\"blue\",1],[\"yellow\",1],[\"orange\",2],[\"red\",2]]" &&
	case-report --alerts --from 2026-10 --by district --jq "[.groups[] | [.group, .name, .raised]]" >got &&
	test "$(cat got)" = "[[\"310101\",\"黄浦区\",3],[\"310104\",\"徐汇区\",2],[\"310115\",\"浦东新区\",1]]" &&
	case-report --alerts --from 2026-09-30 --to 2026-10-31 --by day --jq "[.groups[] | [.group, .raised]]" >got &&
	test "$(cat got)" = "[[\"2026-09-30\",1],[\"2026-10-01\",1],[\"2026-10-08\",2],[\"2026-10-09\",2],[\"2026-10-12\",1]]"
'

test_expect_success 'operators and admins may read it; a clerk may not (exit 4)' '
	case-report --alerts --token "$ADMIN" --from 2026-10 --jq .total.raised >got &&
	test "$(cat got)" = 6 &&
	test_expect_exit 4 case-report --alerts --token "$CLERK" --from 2026-10 >out 2>err &&
	test ! -s out &&
	test_expect_exit 2 case-report --alerts --by item 2>err &&
	test_expect_exit 2 case-report --alerts --department YBJ 2>err
'

test_expect_success 'table and CSV of alerts; the chart has a bar per kind and renders' '
	case-report --lang en --alerts --from 2026-10 --format table >table &&
	head -n 1 table | grep -q "^GROUP *RAISED *DISPATCHED" &&
	tail -n 1 table | grep -q "^total *6 " &&
	case-report --lang en --alerts --from 2026-10 --format csv >oct.csv &&
	perl -MText::ParseWords -ne "chomp; my @f = parse_line(q{,}, 0, \$_); print scalar(@f), qq{ \$f[0]\n}" oct.csv >got &&
	printf "17 group\n17 crowd_density\n17 elevator\n17 pump_fault\n17 water_depth\n17 total\n" >want &&
	test_cmp want got &&
	case-report --lang en --alerts --from 2026-10 --svg kinds.svg --html kinds.html >/dev/null &&
	xmllint --noout kinds.svg && xmllint --noout kinds.html &&
	test "$(grep -c "<rect class=\"bar\"" kinds.svg)" = 4 &&
	grep -q "Alerts raised" kinds.svg &&
	rsvg-convert -o kinds.png kinds.svg && test -s kinds.png
'

test_expect_success 'in Chinese: district names, headings; the page has the alerts'"'"' own footnotes' '
	case-report --alerts --from 2026-10 --by district --format table >table &&
	head -n 1 table | grep -q "^区 *告警 *已派单 *已关闭 *未关闭 *未关闭超时 *按时关闭率%" &&
	grep -q "^黄浦区 *3 " table && grep -q "^徐汇区 *2 " table && grep -q "^浦东新区 *1 " table &&
	tail -n 1 table | grep -q "^合计 *6 " &&
	case-report --alerts --from 2026-10 --by district --format csv >d.csv &&
	head -n 1 d.csv | grep -q "^区划代码,区名称,告警," &&
	grep -q "^310101,黄浦区,3," d.csv &&
	case-report --alerts --from 2026-10 --by district --html d.html --svg d.svg >/dev/null &&
	xmllint --noout d.html && xmllint --noout d.svg &&
	grep -q "<title>告警报表 2026-10-01 至 2026-10-31</title>" d.html &&
	grep -q "<td>黄浦区</td>" d.html &&
	grep -q "<p class=\"note\">按时关闭：.*红色 120 分钟" d.html &&
	grep -q "<p class=\"note\">未关闭超时：" d.html &&
	! grep -q "工作日\|材料\|期末积压\|办结" d.html &&
	grep -q "class=\"title\">告警数与按时关闭率</text>" d.svg &&
	grep -q "class=\"label\">黄浦区</text>" d.svg &&
	case-report --lang en --alerts --from 2026-10 --html en.html >/dev/null &&
	grep -q "<p class=\"note\">Closed in target: .*red 120 minutes" en.html &&
	! grep -qi "working days\|materials\|backlog" en.html
'

test_done
