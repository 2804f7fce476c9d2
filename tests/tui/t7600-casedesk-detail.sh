#!/bin/bash
# casedesk's detail pane at 80x24: a 600-character Chinese comment read whole (Enter or v
# on a history line; j k g G PgUp PgDn Space scroll; q and Esc close); form fields with
# their Chinese labels from the catalog, states and actions with theirs; inbox and alert
# columns that widen on a 160-column terminal; an alert's detail with its history.
. "$(dirname "$0")/../cli/test-lib.sh"
. "$TWONET_SRC/tests/tui/lib-casedesk.sh"

if ! command -v tmux >/dev/null; then
	test_skip 'casedesk detail pane' 'no tmux'
	test_done
fi

start_server || exit 1
OPER=$(make_token operator op-1)
SENSOR=$(make_token sensor pump-1)
export TWONET_TOKEN=$(make_token clerk clerk-yb YBJ)
export DESK_COLS=80 DESK_ROWS=24
P=110101199003070003
LONGNAME=上海黄浦老王面馆餐饮管理有限公司第一分公司
C1=$(file_case $P 张三)
C2=$(file_case $P $LONGNAME)
set_deadline $C1 2030-01-01
set_deadline $C2 2030-01-02
# 600 characters: Chinese, with digits among them (one column each)
COMMENT=$(jq -rn '[range(1;200) | "第\(.)项材料缺少原件，请补正。"] | join("") | .[0:600]')
case-act return -m "$COMMENT" $C1 >/dev/null

# joined: the screen's lines from the second to the status line, trailing blanks off, joined
joined() {
	head -n $((DESK_ROWS - 2)) screen | tail -n +2 | sed "s/ *$//" | tr -d "\n"
}

has_comment() {
	joined | grep -qF -- "$COMMENT"
}

test_expect_success 'set up: a 600-character comment' '
	test "$(printf "%s" "$COMMENT" | wc -m)" = 600 &&
	case-show $C1 >shown && json_eq ".events[-1].comment" "$COMMENT" <shown
'

test_expect_success 'the case view cuts the comment at 80 columns; Enter on it opens the detail pane with all of it' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C1" &&
	keys Enter &&
	wait_screen "return 退回补正 submitted → returned" &&
	grep "return 退回补正 submitted → returned" screen | grep -q "…$" &&
	! has_comment &&
	keys G Enter &&
	wait_screen "case $C1 · detail 详情" &&
	grep -q "^return 退回补正$" screen &&
	grep -q "^submitted 已提交 → returned 已退回  version 2$" screen &&
	grep -q "^detail · lines 1-" screen &&
	keys G &&
	wait_until "the whole comment on the screen" has_comment &&
	grep -q "^detail · lines 1-21 of 21 " screen &&
	keys Escape &&
	wait_screen "case $C1" &&
	keys v &&
	wait_screen "case $C1 · detail 详情" &&
	keys q &&
	wait_screen "Materials" &&
	desk_quit
'

test_expect_success 'form fields with the catalog'"'"'s Chinese labels; states and actions with theirs' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C2" &&
	open_case $C2 &&
	wait_screen "参保人姓名" &&
	grep -q "^$C2  submitted  version 1  已提交" screen &&
	grep -q "^  参保人姓名  *applicant_name  *上海黄浦老王面馆.*…$" screen &&
	grep -q "^  退休日期  *retire_date  *2026-12-01" screen &&
	grep -q "^department  YBJ 医疗保障局$" screen &&
	grep -q "^  联系电话  *applicant_phone  *13800000000" screen &&
	keys j j j j j j j && keys Enter &&
	wait_screen "case $C2 · detail 详情" &&
	grep -q "^参保人姓名 applicant_name$" screen &&
	grep -qx "$LONGNAME" screen &&
	keys Escape && wait_screen "Form 表单" &&
	desk_quit
'

test_expect_success 'the inbox at 160 columns: the applicant'"'"'s whole name, the status with its label' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C2" &&
	grep "$C2" screen | grep -q "上海黄浦老王面…" &&
	! grep -q "$LONGNAME" screen &&
	DESK_COLS=160 desk &&
	wait_screen "$C2" &&
	grep "$C2" screen | grep -q "submitted 已提交 .*$LONGNAME  *退休人员医保待遇核定" &&
	grep "$C1" screen | grep -q "returned 已退回" &&
	col_of 退休人员 screen | sort -u >cols && test "$(wc -l <cols)" = 1 &&
	desk_quit
'

A1=$(alert-post --token "$SENSOR" --source pump-1 --source-id w-1 --kind water_depth \
	--severity orange --district 黄浦区 --headline "外滩积水 32cm 中山东一路金陵东路口南向北两车道" | jq -r .id)
EVAL=$(jq -rn '[range(1;40) | "第\(.)号泵车已撤回"] | join("，")')
for step in '{"action":"dispatch","crew":"泵车3号"}' '{"action":"acknowledge"}' '{"action":"resolve"}' \
	"$(jq -cn --arg e "$EVAL" '{action:"close",evaluation:$e}')"; do
	curl -sS -o /dev/null -H "Authorization: Bearer $OPER" -d "$step" "$TWONET_URL/v1/alerts/$A1/actions"
done

test_expect_success 'the alert list at 80 and 160 columns: the headline widens' '
	test_when_finished desk_finish &&
	TWONET_TOKEN=$OPER desk &&
	wait_screen "inbox:" &&
	keys A && wait_screen "外滩积水" &&
	! grep -q "南向北两车道" screen &&
	desk_finish &&
	TWONET_TOKEN=$OPER DESK_COLS=160 desk &&
	wait_screen "inbox:" &&
	keys A && wait_screen "外滩积水 32cm 中山东一路金陵东路口南向北两车道" &&
	desk_quit
'

test_expect_success 'Enter on an alert: its detail and its history, the evaluation whole' '
	test_when_finished desk_finish &&
	TWONET_TOKEN=$OPER desk &&
	wait_screen "inbox:" &&
	keys A && wait_screen "外滩积水" &&
	keys g Enter &&
	wait_screen "alert #$A1 · detail and history 告警详情" &&
	grep -q "^外滩积水 32cm 中山东一路金陵东路口南向北两车道$" screen &&
	grep -q "^status 状态 *closed 已关闭" screen &&
	grep -q "^severity 等级 *orange 橙色" screen &&
	keys G &&
	wait_screen "History 处置记录" &&
	grep -q "raise 上报  上报方 pump-1" screen &&
	grep -q "dispatch 派遣  队伍 泵车3号" screen &&
	grep -q "acknowledge 签收  by op-1" screen &&
	grep -q "dispatch 派遣  队伍 泵车3号  by op-1" screen &&
	grep -q "resolve 处置完毕" screen &&
	grep -q "close 关闭  评价 第1号泵车已撤回" screen &&
	joined | grep -qF -- "第39号泵车已撤回" &&
	keys g &&
	wait_screen "evaluation 评价" &&
	joined | grep -qF -- "$EVAL" &&
	keys Space && wait_gone "severity 等级" &&
	keys PgUp && wait_screen "severity 等级" &&
	keys j && wait_gone "外滩积水 32cm 中山东一路" &&
	keys k && wait_screen "外滩积水 32cm 中山东一路" &&
	keys q &&
	wait_screen "alerts: 1" &&
	desk_quit
'

test_done
