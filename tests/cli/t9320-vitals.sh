#!/bin/bash
# The city's vital signs (issue 17 §4): GET /v1/vitals measures the indicators of
# the vitals file ($TWONETD_VITALS) on known data: open alerts by severity and
# district, alerts raised, tasks past target, pump stations in fault, trucks
# free, cases overdue, filings and certificate reads today; each value's level
# from its thresholds (both directions) and its trend against an hour ago or
# the same time yesterday, taken from the data (raised_at moved back an hour
# and a half; a task generated half an hour ago); the roles; a broken file is
# a 500 naming FILE:LINE; city-vitals' line, table and JSON forms, --jq, --id,
# --check (exit 1 on red, --strict on yellow too) and its usage errors.
. "$(dirname "$0")/test-lib.sh"

cat >vitals.yaml <<'EOF2'
indicators:
  - id: open
    name: 开放预警
    measure: alerts_open
    thresholds: {yellow: 3, red: 5}
    by: district
  - id: open_red
    name: 红色预警
    measure: alerts_open
    filters: {severity: red}
    thresholds: {yellow: 1, red: 2}
  - id: open_orange
    name: 橙色及以上
    measure: alerts_open
    filters: {severity: orange}
    thresholds: {yellow: 4, red: 9}
    by: severity
  - id: open_huangpu
    name: 黄浦区预警
    measure: alerts_open
    filters: {district: "310101", kind: water_depth}
    thresholds: {yellow: 3, red: 9}
  - id: raised
    name: 新增预警
    measure: alerts_raised
    thresholds: {yellow: 10, red: 20}
  - id: tasks_late
    name: 超时任务
    measure: tasks_past_target
    thresholds: {yellow: 1, red: 3}
  - id: pumps
    name: 故障泵站
    measure: pump_stations_fault
    thresholds: {yellow: 1, red: 2}
  - id: trucks
    name: 空闲泵车
    measure: trucks_free
    thresholds: {yellow: 2, red: 1}
    direction: lower_is_worse
  - id: overdue
    name: 超期办件
    measure: cases_overdue
    thresholds: {yellow: 1, red: 5}
  - id: filings
    name: 今日受理
    measure: filings_today
    filters: {department: YBJ}
    thresholds: {yellow: 100, red: 200}
  - id: reads
    name: 今日证照调用
    measure: cert_reads_today
    thresholds: {yellow: 100, red: 200}
EOF2
export TWONETD_VITALS=$PWD/vitals.yaml

cat >rules.yaml <<'EOF2'
rules:
  - id: flood
    name: 积水
    kinds: [water_depth]
    key: '.district'
    dedupe: 2h
    task: {department: SHSW, crew_pool: 泵车队, priority: 2, title: '{{district_name}}积水'}
targets:
  default: {dispatch: 5m, acknowledge: 15m, on_site: 30m, resolve: 1h}
EOF2

start_server --rules rules.yaml || exit 1
SENSOR=$(make_token sensor gauges)
OPERATOR=$(make_token operator duty-1)
ADMIN=$(make_token admin root)
CLERK=$(make_token clerk c1 YBJ)
CREW=$(twonetd token add --db "$TWONETD_DB" --role crew --name pt --crew PT-1)
export TWONET_TOKEN=$OPERATOR

# alert SOURCE_ID SEVERITY DISTRICT: one water_depth alert line
alert() {
	printf '{"source":"g","source_id":"%s","kind":"water_depth","severity":"%s","district":"%s","value":40,"unit":"cm","headline":"积水"}\n' "$1" "$2" "$3"
}
# generated_ago TASK SECONDS: the task's generated_at moved SECONDS back from now
generated_ago() {
	local at
	at=$(date -d "@$(($(date +%s) - $2))" +%Y-%m-%dT%H:%M:%S%:z)
	db_sql "UPDATE tasks SET doc = $(db_doc_set generated_at "'$at'") WHERE id = $1"
}
# value ID [MEMBER]: an indicator's member (value) from vitals.json
value() { jq -r --arg id "$1" ".indicators[] | select(.id == \$id) | .${2:-value}" vitals.json; }

test_expect_success 'known data: five alerts, one resolved, one raised an hour and a half ago' '
	{ alert a1 red 310101; alert a2 red 310101; alert a3 red 310104;
	  alert a4 orange 310104; alert a5 blue 310101; } |
		alert-post --bulk --token "$SENSOR" >/dev/null 2>&1 &&
	a1=$(alert-list --jq "select(.source_id == \"a1\") | .id") &&
	a2=$(alert-list --jq "select(.source_id == \"a2\") | .id") &&
	alert-act dispatch --crew PT-1 "$a1" >/dev/null &&
	alert-act acknowledge "$a1" >/dev/null &&
	alert-act resolve "$a1" >/dev/null &&
	db_sql "UPDATE alerts SET raised_at = raised_at - 5400 WHERE id = $a2" &&
	test "$(api GET /v1/vitals "$OPERATOR")" = 200 && cp out.json vitals.json
'

test_expect_success 'open alerts now and an hour ago, by severity and district' '
	test "$(value open)" = 4 && test "$(value open before)" = 1 &&
	test "$(value open trend)" = up && test "$(value open level)" = yellow &&
	test "$(value open period)" = 1h &&
	test "$(value open_red)" = 2 && test "$(value open_red before)" = 1 &&
	test "$(value open_red level)" = red &&
	test "$(value open_orange)" = 3 && test "$(value open_orange level)" = green &&
	test "$(value open "by | tojson")" = "{\"310101\":2,\"310104\":2}" &&
	test "$(value open_orange "by | tojson")" = "{\"orange\":1,\"red\":2}" &&
	test "$(value open_red by)" = null &&
	test "$(value open_huangpu)" = 2 && test "$(value open_huangpu before)" = 1 &&
	test "$(value open_huangpu filters.district)" = 310101 &&
	test "$(value raised)" = 4 && test "$(value raised before)" = 1 &&
	json_eq .level red <vitals.json
'

test_expect_success 'tasks past target: a task generated half an hour ago, undispatched' '
	test "$(value tasks_late)" = 0 &&
	t=$(task-list --jq "select(.district == \"310101\") | .id") &&
	generated_ago "$t" 1800 &&
	test "$(api GET /v1/vitals "$OPERATOR")" = 200 && cp out.json vitals.json &&
	test "$(value tasks_late)" = 1 && test "$(value tasks_late before)" = 0 &&
	test "$(value tasks_late level)" = yellow && test "$(value tasks_late trend)" = up
'

test_expect_success 'the asset register: pump stations in fault, trucks free (no trend)' '
	twonetd import assets --db "$TWONETD_DB" "$TWONET_SRC/tests/data/assets/small.geojson" >/dev/null &&
	free=$(db_sql "SELECT count(*) FROM assets WHERE kind = '"'"'vehicle'"'"' AND state = '"'"'free'"'"'") &&
	test "$(api GET /v1/vitals "$OPERATOR")" = 200 && cp out.json vitals.json &&
	test "$(value pumps)" = 1 && test "$(value pumps level)" = yellow &&
	test "$(value pumps trend)" = null && test "$(value pumps period)" = null &&
	test "$(value trucks)" = "$free" && test "$free" -ge 1 &&
	db_sql "UPDATE assets SET state = '"'"'en_route'"'"' WHERE kind = '"'"'vehicle'"'"'" &&
	test "$(api GET /v1/vitals "$OPERATOR")" = 200 && cp out.json vitals.json &&
	test "$(value trucks)" = 0 && test "$(value trucks level)" = red &&
	test "$(value trucks direction)" = lower_is_worse
'

test_expect_success 'cases: filed today (against yesterday), overdue by deadline' '
	yb_cases 3 | case-submit --bulk --token "$CLERK" >/dev/null 2>&1 &&
	test "$(api GET /v1/vitals "$OPERATOR")" = 200 && cp out.json vitals.json &&
	test "$(value filings)" = 3 && test "$(value filings before)" = 0 &&
	test "$(value filings period)" = 1d && test "$(value filings trend)" = up &&
	test "$(value overdue)" = 0 &&
	db_sql "UPDATE cases SET deadline = '"'"'2020-01-02'"'"' WHERE seq IN (1, 2)" &&
	test "$(api GET /v1/vitals "$OPERATOR")" = 200 && cp out.json vitals.json &&
	test "$(value overdue)" = 2 && test "$(value overdue level)" = yellow &&
	test "$(value overdue before)" = null && test "$(value overdue trend)" = null &&
	test "$(value reads)" = 0 && test "$(value reads level)" = green
'

test_expect_success 'roles: operator and admin read them; clerk, crew and sensor may not' '
	test "$(api GET /v1/vitals "$ADMIN")" = 200 &&
	test "$(api GET /v1/vitals "$CLERK")" = 403 &&
	test "$(api GET /v1/vitals "$CREW")" = 403 &&
	test "$(api GET /v1/vitals "$SENSOR")" = 403 &&
	test "$(api GET /v1/vitals "")" = 401 &&
	test "$(api GET "/v1/vitals?x=1" "$OPERATOR")" = 400
'

test_expect_success 'a broken vitals file is a 500 naming FILE:LINE; fixed, it is read again' '
	cp vitals.yaml good.yaml &&
	sed -i "s/measure: cases_overdue/measure: rainfall/" vitals.yaml &&
	test "$(api GET /v1/vitals "$OPERATOR")" = 500 &&
	grep -q "vitals.yaml:[0-9]*: measure: .rainfall. is not one the server knows" out.json &&
	cp good.yaml vitals.yaml &&
	test "$(api GET /v1/vitals "$OPERATOR")" = 200
'

test_expect_success 'city-vitals --format line: one line per indicator' '
	city-vitals --format line >out &&
	test $(wc -l <out) = 11 &&
	grep -qx "开放预警 4 ▲ yellow" out &&
	grep -qx "红色预警 2 ▲ red" out &&
	grep -qx "空闲泵车 0 red" out &&
	grep -qx "超期办件 2 yellow" out &&
	grep -qx "今日证照调用 0 = green" out
'

test_expect_success 'city-vitals: JSON on a pipe, --jq, the table, --id' '
	city-vitals >out.json && json_eq .level red <out.json &&
	test "$(jq ".indicators | length" out.json)" = 11 &&
	city-vitals --jq ".indicators[] | select(.level == \"red\") | .id" >ids &&
	printf "open_red\ntrucks\n" >expect && test_cmp expect ids &&
	city-vitals --format table >table &&
	head -1 table | grep -q "^指标 *当前 *趋势 *状态 *阈值(黄/红)" &&
	grep -q "^红色预警 *2 ▲+1 *red *1/2" table &&
	grep -q "^截至 .* 总体 red$" table &&
	city-vitals --id open,overdue --format line >out &&
	printf "开放预警 4 ▲ yellow\n超期办件 2 yellow\n" >expect && test_cmp expect out
'

test_expect_success 'city-vitals --check: 1 when an indicator is red, --strict on yellow too' '
	test_expect_exit 1 city-vitals --check --format line >out &&
	test $(wc -l <out) = 11 &&
	city-vitals --check --id open,open_orange --format line >out &&
	test_expect_exit 1 city-vitals --check --strict --id open,open_orange --format line >out &&
	city-vitals --check --strict --id open_orange,reads --format line >out
'

test_expect_success 'city-vitals: usage errors, an unknown id, a wrong role' '
	test_expect_exit 2 city-vitals --format xml 2>err &&
	test_expect_exit 2 city-vitals --strict 2>err && grep -q "strict goes with --check" err &&
	test_expect_exit 2 city-vitals --watch -1 2>err &&
	test_expect_exit 2 city-vitals extra 2>err &&
	test_expect_exit 3 city-vitals --id nope 2>err && grep -q "no indicator .nope." err &&
	test_expect_exit 4 city-vitals --token "$CLERK" 2>err
'

test_done
