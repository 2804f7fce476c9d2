#!/bin/bash
# casedesk's alerts view for operators: the live stream coloured by severity, a new red
# alert flashing the status line in any view, dispatch / acknowledge / resolve / close
# from the keys (checked on the server); a clerk is told the stream is for operators.
. "$(dirname "$0")/../cli/test-lib.sh"
. "$TWONET_SRC/tests/tui/lib-casedesk.sh"

if ! command -v tmux >/dev/null; then
	test_skip 'casedesk alerts' 'no tmux'
	test_done
fi

start_server || exit 1
OPER=$(make_token operator op-1)
SENSOR=$(make_token sensor pump-1)
CLERK=$(make_token clerk clerk-yb YBJ)
export TWONET_TOKEN=$OPER

raise() {
	alert-post --token "$SENSOR" --source pump-1 --source-id "$1" --kind water_depth \
		--severity "$2" --district "$3" --headline "$4" | jq -r .id
}

A1=$(raise w-1 yellow 黄浦区 "积水 20cm 南京东路")

test_expect_success 'the alerts view: alerts so far and live ones, coloured by severity' '
	test_when_finished desk_finish &&
	desk_color &&
	wait_screen "inbox:" &&
	keys A &&
	wait_screen "积水 20cm 南京东路" &&
	wait_screen "· live" &&
	A2=$(raise w-2 blue 徐汇区 "积水 5cm 漕溪北路") &&
	wait_screen "积水 5cm 漕溪北路" &&
	A3=$(raise w-3 orange 静安区 "泵站故障 2号泵") &&
	wait_screen "泵站故障 2号泵" &&
	wait_screen "alerts: 3 · 0 red" &&
	screen -e &&
	esc=$(printf "\033") &&
	grep "南京东路" screen | grep -q "${esc}\[33m" &&
	grep "漕溪北路" screen | grep -q "${esc}\[34m" &&
	grep "泵站故障" screen | grep -q -e "${esc}\[35m" -e "${esc}\[38;5;208m" &&
	screen &&
	grep -n "积水\|泵站" screen | cut -d: -f1 | tr "\n" " " >order &&
	test "$(cat order)" = "2 3 4 " &&
	desk_quit
'

test_expect_success 'a new red alert flashes the status line in any view' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "inbox:" &&
	# the alerts listed so far are in (casedesk follows the stream on from them): the
	# red alert raised now is a new one, and it flashes while the inbox is shown
	keys A && wait_screen "alerts: 3 · 0 red" && keys q && wait_screen "inbox:" &&
	raise w-4 red 浦东新区 "积水 50cm 世纪大道" >/dev/null &&
	wait_screen "RED ALERT #" &&
	grep -q "RED ALERT #[0-9]* 浦东新区 积水 50cm 世纪大道" screen &&
	grep -q "^  ID " screen &&
	desk_quit
'

test_expect_success 'dispatch, acknowledge, resolve and close from the keys' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "inbox:" &&
	keys A &&
	wait_screen "世纪大道" &&
	keys g &&
	keys d && wait_screen "dispatch: crew or truck?" &&
	typ "泵车3号" && keys Enter &&
	wait_screen "dispatch done" &&
	keys a && wait_screen "acknowledge alert #" && keys a &&
	wait_screen "acknowledge done" &&
	keys v v &&
	wait_screen "resolve done" &&
	keys c && wait_screen "close: evaluation?" &&
	typ "已排水，道路恢复通行" && keys Enter &&
	wait_screen "close done" &&
	grep "世纪大道" screen | grep -q closed &&
	id=$(grep -o "alert #[0-9]*" screen | tail -n 1 | tr -dc 0-9) &&
	curl -sS -H "Authorization: Bearer $OPER" "$TWONET_URL/v1/alerts/$id" >alert.json &&
	json_eq .status closed <alert.json &&
	json_eq .crew 泵车3号 <alert.json &&
	json_eq .evaluation 已排水，道路恢复通行 <alert.json &&
	desk_quit
'

test_expect_success '--readonly refuses the alert actions' '
	test_when_finished desk_finish &&
	desk --readonly &&
	wait_screen "inbox:" &&
	keys A && wait_screen "南京东路" &&
	keys G d &&
	wait_screen "read-only" &&
	curl -sS -H "Authorization: Bearer $OPER" "$TWONET_URL/v1/alerts/$A1" >alert.json &&
	json_eq .status raised <alert.json &&
	desk_quit
'

test_expect_success 'a clerk is told the stream is for operators' '
	test_when_finished desk_finish &&
	TWONET_TOKEN=$CLERK desk &&
	wait_screen "inbox:" &&
	keys A &&
	wait_screen "may not read alerts" &&
	desk_quit
'

test_done
