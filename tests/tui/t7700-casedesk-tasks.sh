#!/bin/bash
# casedesk's operations view at 80x24: the tasks a rules file made (open ones first by
# priority), a task's detail with its plan steps, dispatch with a crew then acknowledge
# (checked on the server), a task event from the stream updating its row, a step the lib
# refuses never sent, and a stale version reported with the server's words and read again.
. "$(dirname "$0")/../cli/test-lib.sh"
. "$TWONET_SRC/tests/tui/lib-casedesk.sh"

if ! command -v tmux >/dev/null; then
	test_skip 'casedesk tasks' 'no tmux'
	test_done
fi

cat >rules.yaml <<'EOF'
rules:
  - id: flood
    name: 积水测试
    kinds: [water_depth]
    when: '.value >= 30'
    key: '.district + "/" + .source'
    dedupe: 2h
    task:
      department: SHSW
      crew_pool: 泵车队
      priority: 3
      priority_by_severity: {red: 1}
      title: '{{district_name}}积水{{value}}厘米'
    plan:
      name: 积水预案
      steps:
        - {title: 派遣泵车, who: 区排水所, within: 15m}
        - {title: 设置围挡, who: 交警, within: 20m}
EOF

start_server --rules rules.yaml || exit 1
SENSOR=$(make_token sensor gauges)
OPER=$(make_token operator duty-1)
export TWONET_TOKEN=$OPER
export DESK_COLS=80 DESK_ROWS=24

# depth SOURCE DISTRICT CM SEVERITY: one water_depth alert, posted
depth() {
	printf '{"source":"%s","source_id":"%s-%s","kind":"water_depth","severity":"%s","district":"%s","value":%s,"unit":"cm","headline":"积水%s厘米"}\n' \
		"$1" "$1" "$3" "$4" "$2" "$3" "$3" | alert-post --bulk --token "$SENSOR" >/dev/null
}

depth g1 310101 41 yellow
depth g2 310104 35 red
# to_row TEXT: the cursor to the task whose line holds TEXT (from the first line, j as needed)
to_row() {
	local n
	screen &&
	n=$(grep -n -- "$1" screen | head -n 1 | cut -d: -f1) &&
	test -n "$n" &&
	keys g &&
	while [ "$n" -gt 2 ]; do keys j; n=$((n - 1)); done
}
task_of() {
	task-list --format ndjson | jq -r "select(.title | test(\"$1\")) | .id"
}
T1=$(task_of 黄浦区)
T2=$(task_of 徐汇区)

test_expect_success 'the rules made two tasks' '
	test -n "$T1" && test -n "$T2"
'

test_expect_success 'the tasks view lists them, open ones by priority (P1 first), in 80 columns' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "inbox:" &&
	keys T &&
	wait_screen "tasks: 2 · 2 open" &&
	grep -q "编号.*状态.*队伍.*步骤" screen &&
	grep -n "P1\|P3" screen | cut -d: -f1 | tr "\n" " " >order &&
	test "$(cat order)" = "2 3 " &&
	grep "P1" screen | grep -q "徐汇区.*已生成.*0/2" &&
	grep "P3" screen | grep -q "黄浦区.*已生成.*0/2" &&
	! grep -q "	" screen &&
	test "$(wc -L <screen)" -le 80 &&
	keys q && wait_screen "inbox:" &&
	keys : && typ tasks && keys Enter &&
	wait_screen "tasks: 2" &&
	desk_quit
'

test_expect_success 'Enter shows the detail: facts, plan steps, history; it scrolls' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "inbox:" &&
	keys T && wait_screen "tasks: 2" &&
	keys Enter &&
	wait_screen "task #$T2 · generated 已生成" &&
	wait_screen "派遣泵车" &&
	grep -q "title:.*徐汇区积水35厘米" screen &&
	grep -q "department:.*SHSW" screen &&
	grep "派遣泵车" screen | grep -q "区排水所.*due .*待办 pending" &&
	grep "设置围挡" screen | grep -q "交警" &&
	keys G &&
	wait_screen "History 处置记录" &&
	wait_screen "generate 生成" &&
	keys Escape && wait_screen "tasks: 2" &&
	desk_quit
'

test_expect_success 'a step the status does not allow is told, never sent' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "inbox:" &&
	keys T && wait_screen "tasks: 2" &&
	keys a &&
	wait_screen "cannot acknowledge a task that is generated" &&
	keys e &&
	wait_screen "cannot evaluate a task that is generated" &&
	task-list --format ndjson | jq -r .version | sort -u >versions &&
	test "$(cat versions)" = 1 &&
	desk_quit
'

test_expect_success 'dispatch asks the crew, then acknowledge: the status changes on the server' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "inbox:" &&
	keys T && wait_screen "tasks: 2" &&
	keys d && wait_screen "dispatch: crew?" &&
	keys d && typ "PT-9" && keys Enter &&
	wait_screen "dispatch done" &&
	grep "P1" screen | grep -q "已派发.*PT-9" &&
	keys a && wait_screen "press a again to confirm" && keys a &&
	wait_screen "acknowledge done" &&
	grep "P1" screen | grep -q "已签收.*PT-9" &&
	task-show --format json "$T2" >t.json &&
	json_eq .status acknowledged <t.json &&
	json_eq .crew PT-9 <t.json &&
	json_eq .version 3 <t.json &&
	keys Enter && wait_screen "task #$T2 · acknowledged" &&
	keys s && wait_screen "step: plan step number?" &&
	typ 1 && keys Enter &&
	wait_screen "step done" &&
	grep "派遣泵车" screen | grep -q "已完成 done" &&
	desk_quit
'

test_expect_success 'a task event from the stream updates its row' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "inbox:" &&
	keys T && wait_screen "tasks: 2" && wait_screen "· live" &&
	task-act arrive "$T2" >/dev/null &&
	wait_screen "已到场" &&
	grep "P1" screen | grep -q "已到场.*1/2" &&
	desk_quit
'

test_expect_success 'resolve, then evaluate: a score outside 1..5 is refused, the prompt stays' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "inbox:" &&
	keys T && wait_screen "tasks: 2" &&
	grep "P1" screen | grep -q "已到场" &&
	keys v && wait_screen "press v again to confirm" && keys v &&
	wait_screen "resolve done" &&
	keys e && wait_screen "evaluate: score 1..5?" &&
	keys e && typ 6 && keys Enter &&
	wait_screen "score: 6 is not a score 1..5" &&
	wait_screen "evaluate: score 1..5?" &&
	keys BSpace && typ 4 && keys Enter &&
	wait_screen "evaluate: comment?" &&
	typ "排水及时" && keys Enter &&
	wait_screen "evaluate done" &&
	grep "P1" screen | grep -q "已评价" &&
	task-show --format json "$T2" >t.json &&
	json_eq .status evaluated <t.json &&
	json_eq .evaluation.score 4 <t.json &&
	json_eq .evaluation.comment 排水及时 <t.json &&
	keys r &&
	wait_screen "cannot reopen a task that is evaluated" &&
	keys s &&
	wait_screen "cannot mark plan step 2 done on a task that is evaluated" &&
	! grep -q "plan step number?" screen &&
	task-show --format json "$T2" >t2.json &&
	json_eq .version "$(jq .version t.json)" <t2.json &&
	desk_quit
'

test_expect_success 'a stale version: the server'"'"'s words, the task read again' '
	test_when_finished desk_finish &&
	desk --no-alerts &&
	wait_screen "inbox:" &&
	keys T && wait_screen "tasks: 2" &&
	grep "P3" screen | grep -q "已生成" &&
	task-act dispatch --crew PT-2 "$T1" >/dev/null &&
	task-act step --step 1 "$T1" >/dev/null &&
	to_row 黄浦区积水 && keys s && wait_screen "step: plan step number?" &&
	typ 2 && keys Enter &&
	wait_screen "was changed by someone else" &&
	wait_screen "(read again)" &&
	wait_screen "已派发" &&
	grep "P3" screen | grep -q "已派发.*PT-2.*1/2" &&
	task-show --format json "$T1" >t.json &&
	json_eq ".plan.steps[1].status" pending <t.json &&
	desk_quit
'

test_expect_success '--readonly refuses the task actions' '
	test_when_finished desk_finish &&
	desk --readonly &&
	wait_screen "inbox:" &&
	keys T && wait_screen "tasks: 2" &&
	keys r &&
	wait_screen "read-only" &&
	desk_quit
'

test_done
