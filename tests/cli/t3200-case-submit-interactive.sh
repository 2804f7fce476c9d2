#!/bin/bash
# case-submit -i driven in tmux: each field prompted by its label, tab completes an item code
# and an enum value, a bad ID number is asked again, the case is filed.
. "$(dirname "$0")/test-lib.sh"

if ! command -v tmux >/dev/null; then
	test_skip 'case-submit -i in tmux' 'no tmux'
	test_expect_success 'Ctrl-D at a prompt cancels: exit 130, nothing filed' '
	test_when_finished "tmux -L $SOCK kill-server" &&
	tmux -L "$SOCK" new-session -d -s t3200 -x 120 -y 40 \
		"case-submit -i >out.json; echo \$? >rc3; sleep 30" &&
	wait_screen "item code (TAB completes):" &&
	keys C-d &&
	wait_screen "cancelled" &&
	i=0 && while [ ! -s rc3 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done &&
	test "$(cat rc3)" = 130 &&
	test ! -s out.json
'

test_done
fi

start_server || exit 1
ADMIN=$(make_token admin root)
export TWONET_TOKEN=$(make_token clerk clerk-jl JLZMJ)
SOCK="twonet-t3200-$$"

# wait_screen TEXT: poll the pane until it shows TEXT (fixed string); fail after ~15 s
wait_screen() {
	local i=0
	while [ $i -lt 150 ]; do
		tmux -L "$SOCK" capture-pane -p -t t3200 >screen 2>/dev/null && grep -qF -- "$1" screen && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "wait_screen: never saw '$1'; the screen:" >&2
	cat screen >&2
	return 1
}

keys() {
	tmux -L "$SOCK" send-keys -t t3200 "$@"
}

# type TEXT literally (UTF-8 too)
typ() {
	tmux -L "$SOCK" send-keys -t t3200 -l "$1"
}

test_expect_success 'every field prompted, tab completes, a bad ID asked again, the case filed' '
	test_when_finished "tmux -L $SOCK kill-server" &&
	tmux -L "$SOCK" new-session -d -s t3200 -x 120 -y 40 \
		"case-submit -i >filed.json; echo \$? >rc; sleep 30" &&
	wait_screen "item code (TAB completes):" &&
	typ 310000-JLZM-01 && keys Enter &&
	wait_screen "unknown item code (did you mean '"'"'310000-JLZM-001'"'"'?); try again" &&
	typ 310000-JL && keys Tab &&
	wait_screen "item code (TAB completes): 310000-JLZM-001" &&
	keys Enter &&
	wait_screen "applicant ID number or credit code:" &&
	typ 110101199003070000 && keys Enter &&
	wait_screen "check character is" &&
	wait_screen "try again" &&
	typ 110101199003070003 && keys Enter &&
	wait_screen "applicant name:" && typ 张三 && keys Enter &&
	wait_screen "applicant phone (optional):" && typ 13800000000 && keys Enter &&
	wait_screen "[org_name]" && typ 老酒馆 && keys Enter &&
	wait_screen "[uscc]" && typ 91310000607233426M && keys Enter &&
	wait_screen "try again" &&
	typ 91310000607233425M && keys Enter &&
	wait_screen "[legal_rep]" && typ 张三 && keys Enter &&
	wait_screen "[premises]" && typ 上海市黄浦区 && keys Enter &&
	wait_screen "[liquor_kind]" && typ 红酒 && keys Enter &&
	wait_screen "is not one of:" &&
	typ 黄 && keys Tab && keys Enter &&
	wait_screen "[applicant_phone]" && keys Enter &&
	wait_screen "required; try again" &&
	typ 13800000000 && keys Enter &&
	wait_screen "[M-YYZZ]" && keys Enter &&
	wait_screen "[M-SPXK]" && keys Enter &&
	wait_screen "[M-FRSFZ]" && keys Enter &&
	wait_screen "[M-ZSZM]" && typ y && keys Enter &&
	wait_screen "[M-JLGH]" && keys Enter &&
	wait_screen "file this case? [Y/n]" &&
	keys Enter &&
	wait_screen "filed case" &&
	i=0 && while [ ! -s rc ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done &&
	test "$(cat rc)" = 0 &&
	json_eq .item 310000-JLZM-001 <filed.json &&
	json_eq .applicant.id 110101199003070003 <filed.json &&
	json_eq .form.liquor_kind 黄酒 <filed.json &&
	json_eq .form.uscc 91310000607233425M <filed.json &&
	json_eq .form.org_name 老酒馆 <filed.json &&
	case-list --token "$ADMIN" --all >all &&
	test "$(wc -l <all)" = 1 &&
	json_eq .id "$(jq -r .id filed.json)" <all
'

test_expect_success 'the answers are kept in $XDG_STATE_HOME/twonet/history' '
	test -f "$XDG_STATE_HOME/twonet/history" &&
	grep -qx 老酒馆 "$XDG_STATE_HOME/twonet/history" &&
	grep -qx 310000-JLZM-001 "$XDG_STATE_HOME/twonet/history"
'

test_expect_success 'presets are not asked for; answering no files nothing (exit 130)' '
	test_when_finished "tmux -L $SOCK kill-server" &&
	tmux -L "$SOCK" new-session -d -s t3200 -x 120 -y 40 \
		"case-submit -i --item 310000-JLZM-001 --applicant-id 110101199003070003 --applicant-name 李四 --applicant-phone 13800000000 --field org_name=a --field uscc=91310000607233425M --field legal_rep=b --field premises=c --field liquor_kind=白酒 --field applicant_phone=13800000000 >out.json; echo \$? >rc2; sleep 30" &&
	wait_screen "[M-YYZZ]" &&
	! grep -qF "[org_name]" screen &&
	keys Enter Enter Enter Enter Enter &&
	wait_screen "file this case?" &&
	typ n && keys Enter &&
	wait_screen "not filed" &&
	i=0 && while [ ! -s rc2 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done &&
	test "$(cat rc2)" = 130 &&
	case-list --token "$ADMIN" --all >all &&
	test "$(wc -l <all)" = 1
'

test_expect_success 'Ctrl-D at a prompt cancels: exit 130, nothing filed' '
	test_when_finished "tmux -L $SOCK kill-server" &&
	tmux -L "$SOCK" new-session -d -s t3200 -x 120 -y 40 \
		"case-submit -i >out.json; echo \$? >rc3; sleep 30" &&
	wait_screen "item code (TAB completes):" &&
	keys C-d &&
	wait_screen "cancelled" &&
	i=0 && while [ ! -s rc3 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done &&
	test "$(cat rc3)" = 130 &&
	test ! -s out.json
'

test_done
