#!/bin/bash
# twonetd and its rules (issue 16): a task made in the alert's transaction,
# deduplicated, escalated by the timer; GET /v1/rules; SIGHUP reloads, a broken
# set is refused with FILE:LINE and the old rules keep running; task events on
# the stream only with tasks=true; a broken set at start stops serve.
. "$(dirname "$0")/test-lib.sh"

RULES="$TRASH/rules"
mkdir -p "$RULES"
cat >"$RULES/10-flood.yaml" <<'EOF'
rules:
  - id: flood
    name: 积水
    kinds: [water_depth]
    when: '.value >= 0.3'
    key: '.source'
    dedupe: 2h
    task:
      department: SHSW
      crew_pool: 泵车队
      priority: 3
      title: '{{district_name}}积水{{value}}米'
    plan:
      name: 道路积水应急预案
      steps:
        - {title: 派遣泵车, who: 区排水所, within: 15m}
    escalate:
      - {after: 1s, unless: acknowledged, priority: 1, notify: 区防汛办}
targets:
  default: {dispatch: 5m, acknowledge: 10m, on_site: 30m, resolve: 2h}
EOF

start_server --rules "$RULES"
OP=$(make_token operator op-1)
SENSOR=$(make_token sensor gauge-1)

# post SOURCE ID VALUE: one water_depth alert
post() {
	alert-post --token "$SENSOR" --source "$1" --source-id "$2" --kind water_depth \
		--severity orange --district 310101 --value "$3" >/dev/null
}
# tasks [QUERY]: the task list as NDJSON
tasks() { curl -sS -H "Authorization: Bearer $OP" "$TWONET_URL/v1/tasks${1:-}" | jq -c ".items[]"; }

test_expect_success 'GET /v1/rules: the rules loaded, from where' '
	test "$(api GET /v1/rules "$OP")" = 200 &&
	json_eq ".rules | map(.id) | join(\",\")" flood <out.json &&
	json_eq ".path" "$RULES" <out.json &&
	test "$(api GET /v1/rules "$SENSOR")" = 403
'

test_expect_success 'an alert that matches makes a task in its transaction; below the condition none' '
	post g1 1 0.1 &&
	test -z "$(tasks)" &&
	post g1 2 0.35 &&
	tasks >t.json &&
	test "$(wc -l <t.json)" = 1 &&
	json_eq ".status" generated <t.json &&
	json_eq ".title" "黄浦区积水0.35米" <t.json &&
	json_eq ".alerts | length" 1 <t.json &&
	json_eq ".plan.steps[0].title" 派遣泵车 <t.json &&
	json_eq ".targets.acknowledge_s" 600 <t.json
'

test_expect_success 'ten readings at one point make one task, updated; another point its own' '
	for i in 3 4 5 6 7 8 9 10 11; do post g1 $i 0.4 || return 1; done &&
	post g2 1 0.5 &&
	tasks >t.json &&
	test "$(wc -l <t.json)" = 2 &&
	test "$(jq -r "select(.key == \"g1\") | .alert_count" t.json)" = 10 &&
	test "$(jq -r "select(.key == \"g2\") | .alert_count" t.json)" = 1 &&
	test "$(db_sql "SELECT count(*) FROM task_alerts")" = 11
'

test_expect_success 'the escalation fires once the timer finds it due, once' '
	i=0 &&
	until tasks "?priority=1" | grep -q .; do
		i=$((i + 1)); test $i -lt 600 || return 1; sleep 0.1
	done &&
	ID=$(tasks | jq -r "select(.key == \"g1\") | .id") &&
	test "$(api GET "/v1/tasks/$ID" "$OP")" = 200 &&
	json_eq ".escalations | length" 1 <out.json &&
	json_eq ".escalations[0].notify" 区防汛办 <out.json &&
	json_eq "[.history[].action] | map(select(. == \"escalate\")) | length" 1 <out.json &&
	json_eq ".next_escalation_at" null <out.json
'

test_expect_success 'the stream carries task events with tasks=true only' '
	curl -sS -N -H "Authorization: Bearer $OP" "$TWONET_URL/v1/alerts/stream?after=0&follow=0" >plain &&
	! grep -q "^event: task" plain &&
	curl -sS -N -H "Authorization: Bearer $OP" \
		"$TWONET_URL/v1/alerts/stream?after=0&follow=0&tasks=true" >all &&
	grep -c "^event: task" all >n &&
	test "$(cat n)" = "$(db_sql "SELECT count(*) FROM alert_events WHERE event = '"'"'task'"'"'")" &&
	sed -n "s/^data: //p" all | jq -r "select(.event == \"task\") | .action" | sort -u >acts &&
	printf "escalate\ngenerate\nupdate\n" >want && test_cmp want acts &&
	test "$(api GET "/v1/alerts/stream?tasks=yes" "$OP")" = 400 && json_eq .field tasks <out.json
'

test_expect_success 'a broken rule set on SIGHUP is refused with FILE:LINE; the old rules keep running' '
	printf "rules:\n  - id: crowd\n    name: x\n    kinds: [crowd_density]\n    task: {department: SHGA, crew_pool: 民警, priority: 1, title: t}\n    when: \".value >=\"\n" \
		>"$RULES/20-crowd.yaml" &&
	kill -HUP "$TWONETD_PID" &&
	i=0 && until grep -q "rules not reloaded" "$TWONETD_LOG"; do
		i=$((i + 1)); test $i -lt 600 || return 1; sleep 0.05; done &&
	grep "rules not reloaded" "$TWONETD_LOG" | grep -q "20-crowd.yaml:6: crowd.when: jq: syntax error" &&
	test "$(api GET /v1/rules "$OP")" = 200 &&
	json_eq ".rules | length" 1 <out.json &&
	post g3 1 0.6 &&
	test "$(tasks | wc -l)" = 3
'

test_expect_success 'a good set on SIGHUP replaces the rules without a restart' '
	printf "rules:\n  - id: crowd\n    name: 大客流\n    kinds: [crowd_density]\n    when: \".value >= 3\"\n    key: .source\n    task: {department: SHGA, crew_pool: 民警, priority: 1, title: \"大客流{{value}}\"}\n" \
		>"$RULES/20-crowd.yaml" &&
	kill -HUP "$TWONETD_PID" &&
	i=0 && until grep -q "rules reloaded: 2 rules" "$TWONETD_LOG"; do
		i=$((i + 1)); test $i -lt 600 || return 1; sleep 0.05; done &&
	test "$(api GET /v1/rules "$OP")" = 200 &&
	json_eq ".rules | map(.id) | join(\",\")" flood,crowd <out.json &&
	alert-post --token "$SENSOR" --source bund-cam --source-id c1 --kind crowd_density \
		--severity red --district 310101 --value 4.2 >/dev/null &&
	tasks "?rule=crowd" >c.json &&
	json_eq ".title" 大客流4.2 <c.json &&
	json_eq ".department" SHGA <c.json
'

test_expect_success 'serve with a broken rule set does not start, naming FILE:LINE' '
	stop_server &&
	printf "rules:\n  - id: x\n    kinds: [a]\n    colour: red\n" >"$TRASH/bad.yaml" &&
	test_expect_exit 1 twonetd serve --db "$TWONETD_DB" --listen 127.0.0.1:0 --rules "$TRASH/bad.yaml" 2>err &&
	grep -q "bad.yaml:4" err &&
	test_expect_exit 1 twonetd serve --db "$TWONETD_DB" --listen 127.0.0.1:0 --rules "$TRASH/none-here" 2>err &&
	grep -q "none-here" err
'

test_done
