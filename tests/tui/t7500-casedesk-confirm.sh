#!/bin/bash
# casedesk at 80x24: one confirm rule for every action that writes.  An action without a
# text asks, and only its key again (or y) does it; an action that takes a text opens its
# prompt at once, where the key that opened it, pressed again, is not taken as text, a
# blank text is refused and Esc writes nothing (each checked on the server).  The hint
# line of each view names its keys with their Chinese labels and fits 80 columns.
. "$(dirname "$0")/../cli/test-lib.sh"
. "$TWONET_SRC/tests/tui/lib-casedesk.sh"

if ! command -v tmux >/dev/null; then
	test_skip 'casedesk confirm rule' 'no tmux'
	test_done
fi

start_server || exit 1
OPER=$(make_token operator op-1)
SENSOR=$(make_token sensor pump-1)
export TWONET_TOKEN=$(make_token clerk clerk-yb YBJ)
export DESK_COLS=80 DESK_ROWS=24
P=110101199003070003
C1=$(file_case $P 张三)
C2=$(file_case $P 李四)
C3=$(file_case $P 王芳)
set_deadline $C1 2030-01-01
set_deadline $C2 2030-01-02
set_deadline $C3 2030-01-03

raise() {
	alert-post --token "$SENSOR" --source pump-1 --source-id "$1" --kind water_depth \
		--severity yellow --district 黄浦区 --headline "$2" | jq -r .id
}

# act ID BODY: an alert step behind casedesk's back, as the operator
act() {
	curl -sS -o /dev/null -H "Authorization: Bearer $OPER" -d "$2" "$TWONET_URL/v1/alerts/$1/actions"
}

alert_json() {
	curl -sS -H "Authorization: Bearer $OPER" "$TWONET_URL/v1/alerts/$1"
}

A1=$(raise w-1 "积水 20cm 南京东路")
A2=$(raise w-2 "积水 30cm 西藏中路")
act $A2 '{"action":"dispatch","crew":"泵车1号"}'
act $A2 '{"action":"acknowledge"}'
act $A2 '{"action":"resolve"}'

events() {
	case-show $1 >shown && jq -r "[.events[].action] | join(\",\")" shown
}

test_expect_success 'set up: three cases, an alert raised and one resolved' '
	test -n "$C3" && test -n "$A1" && test -n "$A2" &&
	alert_json $A2 >a2.json && json_eq .status resolved <a2.json
'

test_expect_success 'the hint line: the inbox'"'"'s keys with Chinese labels, in 80 columns' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C3" &&
	keys j k &&
	wait_screen "a 受理  r 退回补正  p 批准  x 不予批准  c 办结" &&
	tail -n 1 screen >hint &&
	grep -q "? 帮助  q 退出 *$" hint &&
	test "$(col_of "q 退出" hint)" -le 74 &&
	keys Enter && wait_screen "case $C1" &&
	wait_screen "q 返回" &&
	tail -n 1 screen | grep -q "^a 受理  r 退回补正  p 批准  x 不予批准  c 办结  Enter 打开  .*? 帮助  q 返回" &&
	keys "?" && wait_screen "help · q to go back" &&
	tail -n 1 screen | grep -q "I 收件箱  ? 帮助  q 返回" &&
	keys G && wait_screen "Confirm 确认     Nothing is written on one key" &&
	grep -q "the key that opened it is never taken as" screen &&
	desk_quit
'

test_expect_success 'the hint line names the keys set in the config file' '
	test_when_finished desk_finish &&
	mkdir -p "$XDG_CONFIG_HOME/twonet" &&
	printf "casedesk:\n  keys:\n    accept: o\n" >"$XDG_CONFIG_HOME/twonet/config.yaml" &&
	test_when_finished "rm -f \"$XDG_CONFIG_HOME/twonet/config.yaml\"" &&
	desk &&
	wait_screen "$C3" &&
	keys j k &&
	wait_screen "o 受理  r 退回补正" &&
	desk_quit
'

test_expect_success 'a question: any key but its own (or y) cancels and nothing is written' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C1" &&
	keys a &&
	wait_screen "受理 accept $C1 (version 1)? press a again to confirm, Esc cancels" &&
	keys n &&
	wait_screen "cancelled" &&
	keys a && wait_screen "press a again" && keys Escape && wait_screen "cancelled" &&
	test "$(events $C1)" = submit &&
	keys a y &&
	wait_screen "accepted $C1" &&
	test "$(events $C1)" = submit,accept &&
	desk_quit
'

test_expect_success 'r r: the return prompt does not take the second r; a blank comment is refused; Esc writes nothing' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C2" &&
	keys j &&
	keys r r &&
	wait_screen "退回补正 $C2 · return: what is missing?" &&
	tail -n 1 screen >prompt &&
	grep -q "what is missing? *$" prompt &&
	keys Enter &&
	wait_screen "a comment is needed" &&
	wait_screen "return: what is missing?" &&
	keys Space Space Enter &&
	wait_screen "a comment is needed" &&
	keys Escape &&
	wait_screen "return cancelled: nothing sent" &&
	test "$(events $C2)" = submit &&
	keys r r r && typ "缺少退休审批表" && keys Enter &&
	wait_screen "returned $C2" &&
	case-show $C2 >shown &&
	json_eq ".events[-1].comment" 缺少退休审批表 <shown &&
	desk_quit
'

test_expect_success 'x x x in the case view: the reason is what was typed after, without the x keys' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C3" &&
	open_case $C3 &&
	keys x x x &&
	wait_screen "不予批准 $C3 · reject: why?" &&
	typ "不符合条件 x" && keys Enter &&
	wait_screen "rejected $C3" &&
	case-show $C3 >shown &&
	json_eq .status rejected <shown &&
	json_eq ".events[-1].comment" "不符合条件 x" <shown &&
	desk_quit
'

test_expect_success 'alerts: c c never writes "c" into an evaluation; blank refused; Esc writes nothing' '
	test_when_finished desk_finish &&
	TWONET_TOKEN=$OPER desk &&
	wait_screen "inbox:" &&
	keys A &&
	wait_screen "积水 30cm" &&
	alert_json $A2 >before.json &&
	keys / && typ 30cm && keys Enter && wait_screen "/30cm" &&
	keys c c &&
	wait_screen "关闭 #$A2 · close: evaluation?" &&
	tail -n 1 screen | grep -q "close: evaluation? *$" &&
	keys Enter &&
	wait_screen "an evaluation is needed" &&
	keys Escape &&
	wait_screen "close cancelled: nothing sent" &&
	alert_json $A2 >after.json &&
	json_eq .status resolved <after.json &&
	json_eq .evaluation null <after.json &&
	test "$(jq .seq before.json)" = "$(jq .seq after.json)" &&
	keys c c c && wait_screen "close: evaluation?" &&
	typ "已排水c" && keys Enter &&
	wait_screen "close done" &&
	alert_json $A2 >after.json &&
	json_eq .status closed <after.json &&
	json_eq .evaluation 已排水c <after.json &&
	desk_quit
'

test_expect_success 'alerts: d d asks for the crew without the d; a and v ask to be confirmed' '
	test_when_finished desk_finish &&
	TWONET_TOKEN=$OPER desk &&
	wait_screen "inbox:" &&
	keys A &&
	wait_screen "积水 20cm" &&
	keys / && typ 20cm && keys Enter && wait_screen "/20cm" &&
	keys d d &&
	wait_screen "派遣 #$A1 · dispatch: crew or truck?" &&
	typ "泵车3号" && keys Enter &&
	wait_screen "dispatch done" &&
	alert_json $A1 >a1.json &&
	json_eq .crew 泵车3号 <a1.json &&
	keys a && wait_screen "签收 acknowledge alert #$A1? press a again to confirm" &&
	keys j && wait_screen "cancelled" &&
	alert_json $A1 >a1.json && json_eq .status dispatched <a1.json &&
	keys a a && wait_screen "acknowledge done" &&
	keys v && wait_screen "处置完毕 resolve alert #$A1?" && keys y &&
	wait_screen "resolve done" &&
	alert_json $A1 >a1.json && json_eq .status resolved <a1.json &&
	desk_quit
'

test_done
