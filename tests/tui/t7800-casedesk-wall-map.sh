#!/bin/bash
# casedesk's wall and district map (issue 17 §4) at 80x24 and 200x60: the vital signs of
# a vitals file with their Chinese names, big-digit values and levels (green, yellow, red),
# read again when the stream brings an alert; the map of Shanghai's districts in braille
# with the open alerts (by severity, at their place) and the imported trucks on it, the
# district names where there is room, and the legend.
. "$(dirname "$0")/../cli/test-lib.sh"
. "$TWONET_SRC/tests/tui/lib-casedesk.sh"

if ! command -v tmux >/dev/null; then
	test_skip 'casedesk wall and map' 'no tmux'
	test_done
fi

cat >vitals.yaml <<'EOF2'
indicators:
  - id: open
    name: 开放预警
    measure: alerts_open
    thresholds: {yellow: 3, red: 4}
  - id: open_red
    name: 红色预警
    measure: alerts_open
    filters: {severity: red}
    thresholds: {yellow: 1, red: 2}
  - id: trucks
    name: 空闲泵车
    measure: trucks_free
    thresholds: {yellow: 1, red: 0}
    direction: lower_is_worse
EOF2
export TWONETD_VITALS=$PWD/vitals.yaml

start_server || exit 1
SENSOR=$(make_token sensor gauges)
OPER=$(make_token operator duty-1)
export TWONET_TOKEN=$OPER

# raise ID SEVERITY DISTRICT LAT LON: one water_depth alert at a place
raise() {
	alert-post --token "$SENSOR" --source gauges --source-id "$1" --kind water_depth \
		--severity "$2" --district "$3" --lat "$4" --lon "$5" --headline "积水 $1" >/dev/null
}

test_expect_success 'three alerts with places, two trucks imported' '
	raise w-1 red 310101 31.235 121.485 &&
	raise w-2 red 310115 31.100 121.700 &&
	raise w-3 yellow 310117 31.000 121.200 &&
	twonetd import assets --db "$TWONETD_DB" "$TWONET_SRC/tests/data/assets/small.geojson" >import.out &&
	test "$(alert-list --format ndjson | wc -l)" = 3
'

# the line of the wall that names indicator NAME
wall_line() {
	grep -- "$1" screen | head -n 1
}

for size in 80x24 200x60; do
	export DESK_COLS=${size%x*} DESK_ROWS=${size#*x}

	test_expect_success "$size: the wall shows each indicator, its level and its value in big digits" '
		test_when_finished desk_finish &&
		desk &&
		wait_screen "inbox:" &&
		keys W &&
		wait_screen "空闲泵车" &&
		wall_line "城市生命体征" | grep -q "总体 红 red" &&
		wall_line "开放预警" | grep -q "黄 yellow" &&
		wall_line "红色预警" | grep -q "红 red" &&
		wall_line "空闲泵车" | grep -q "绿 green" &&
		grep -q "███" screen &&
		test "$(wc -L <screen)" -le "$DESK_COLS" &&
		grep -q "W 大屏\|wall 大屏" screen &&
		desk_quit
	'

	test_expect_success "$size: the map shows the districts, the alerts, the trucks and the legend" '
		test_when_finished desk_finish &&
		desk &&
		wait_screen "inbox:" &&
		keys M &&
		wait_screen "3 open alerts" &&
		wait_screen "2 vehicles" &&
		grep -q "预警 alerts ●红 ●橙 ●黄 ●蓝" screen &&
		grep -q "泵车 trucks ▲空闲" screen &&
		test "$(grep -o "●" screen | wc -l)" -ge 6 &&
		test "$(grep -o "▲" screen | wc -l)" -ge 3 &&
		LC_ALL=C grep -q "$(printf "\342[\240-\243]")" screen &&
		grep -q "崇明区" screen &&
		test "$(wc -L <screen)" -le "$DESK_COLS" &&
		keys : && typ wall && keys Enter &&
		wait_screen "城市生命体征" &&
		keys : && typ map && keys Enter &&
		wait_screen "3 open alerts" &&
		desk_quit
	'
done

export DESK_COLS=200 DESK_ROWS=60

test_expect_success '200x60: the districts are named, the panels side by side' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "inbox:" &&
	keys M &&
	wait_screen "2 vehicles" &&
	grep -q "浦东新区" screen &&
	grep -q "青浦区" screen &&
	keys W &&
	wait_screen "空闲泵车" &&
	grep "开放预警" screen | grep -q "红色预警" &&
	desk_quit
'

test_expect_success 'a new alert on the stream: the wall and the map follow it' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "inbox:" &&
	keys M &&
	wait_screen "3 open alerts" &&
	raise w-4 orange 310112 31.050 121.400 &&
	wait_screen "4 open alerts" &&
	keys W &&
	wait_screen "空闲泵车" &&
	wait_until "the open alerts turned red" eval "grep 开放预警 screen | grep -q \"红 red\"" &&
	desk_quit
'

test_done
