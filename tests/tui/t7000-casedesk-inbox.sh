#!/bin/bash
# casedesk's inbox in a 100x30 tmux pane: order by deadline, colours, Chinese names lined
# up, filter as you type, : commands with completion, help, resize to 80x24, exits.
. "$(dirname "$0")/../cli/test-lib.sh"
. "$TWONET_SRC/tests/tui/lib-casedesk.sh"

test_expect_success 'casedesk: man page and completions name every option of --help, and no other' '
	casedesk --list-options >opts &&
	test -s opts &&
	missing="" &&
	while read -r o; do
		case $o in --*) ;; *) continue ;; esac
		man_o=$(printf "%s" "$o" | sed "s/-/\\\\\\\\-/g")
		grep -q -e "$man_o" "$TWONET_SRC/man/casedesk.1" || missing="$missing man:$o"
		grep -q -e "$o" "$TWONET_SRC/completions/bash/casedesk" || missing="$missing bash:$o"
		grep -q -e "$o" "$TWONET_SRC/completions/zsh/_casedesk" || missing="$missing zsh:$o"
	done <opts &&
	test -z "$missing" &&
	for o in $(grep -o -e "--[a-z][a-z0-9-]*" "$TWONET_SRC/completions/bash/casedesk" | sort -u); do
		grep -qx -e "$o" opts
	done &&
	grep -q "casedesk" "$TWONET_SRC/README.md"
'

if ! command -v tmux >/dev/null; then
	test_skip 'casedesk inbox' 'no tmux'
	test_done
fi

test_expect_success 'casedesk --help, --version; an unknown option is exit 2; no terminal is exit 2' '
	casedesk --help >help &&
	grep -q "^usage: casedesk" help &&
	grep -q -- "--readonly" help &&
	casedesk --version >version &&
	grep -q "^casedesk (twonet) [0-9]" version &&
	test_expect_exit 2 casedesk --no-such-option 2>err &&
	test_expect_exit 2 casedesk </dev/null >out 2>err &&
	grep -q "needs a terminal" err
'

start_server || exit 1
ADMIN=$(make_token admin root)
export TWONET_TOKEN=$(make_token clerk clerk-yb YBJ)
TODAY=$(date +%F)
LATE=$(date -d "-3 days" +%F)
LATER=$(date -d "+40 days" +%F)
ID=110101199003070003
C1=$(file_case $ID 张三)
C2=$(file_case $ID 欧阳娜娜)
C3=$(file_case $ID 李四)
C4=$(file_case $ID 司马相如)
C5=$(file_case $ID 王芳)
C6=$(file_case $ID Tom)
# a case of another department: never in this clerk's inbox
OTHER=$(printf '{"item":"310000-JLZM-001","applicant":{"id":"%s","name":"别人"},"form":{}}' $ID |
	case-submit -f - --token "$ADMIN" 2>/dev/null | jq -r .id)
for c in $C1 $C2 $C4 $C6; do set_deadline $c $LATER; done
set_deadline $C3 $LATE
set_deadline $C5 $TODAY
set_deadline $C4 $(date -d "+41 days" +%F)

test_expect_success 'the inbox: the department'"'"'s cases by deadline, counts in the status line' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "inbox: 6 cases · 1 overdue · 1 due soon" &&
	grep -o "C0000000[0-9]" screen | head -n 6 >order &&
	printf "%s\n" $C3 $C5 $C1 $C2 $C6 $C4 >expect &&
	test_cmp expect order &&
	! grep -q "别人" screen &&
	keys q && desk_exited 0
'

test_expect_success 'overdue rows are red, due within two working days yellow, the others plain' '
	test_when_finished desk_finish &&
	desk_color &&
	wait_screen "inbox: 6 cases · 1 overdue · 1 due soon" &&
	screen -e &&
	esc=$(printf "\033") &&
	grep "$C3" screen | grep -q "${esc}\[31m" &&
	grep "$C5" screen | grep -q "${esc}\[33m" &&
	! grep "$C1" screen | grep -q -e "${esc}\[31m" -e "${esc}\[33m" &&
	! grep "$C6" screen | grep -q -e "${esc}\[31m" -e "${esc}\[33m" &&
	keys q && desk_exited 0
'

test_expect_success 'NO_COLOR: no colour at all, overdue still bold' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C6" &&
	screen -e &&
	esc=$(printf "\033") &&
	! grep -q -e "${esc}\[3[0-7]m" -e "${esc}\[4[0-7]m" screen &&
	grep "$C3" screen | grep -q -E "${esc}\[([0-9]+;)*1(;[0-9]+)*m" &&
	desk_quit
'

test_expect_success 'Chinese names line up: the item column starts at one screen column on every row' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "inbox: 6 cases · 1 overdue · 1 due soon" &&
	grep -e 张三 -e 欧阳娜娜 -e 司马相如 -e Tom -e 王芳 -e 李四 screen >rows &&
	test "$(wc -l <rows)" = 6 &&
	col_of 退休 rows | sort -u >cols &&
	test "$(wc -l <cols)" = 1 &&
	col_of 张三 rows >c1 && col_of 欧阳娜娜 rows >c2 && col_of Tom rows >c3 &&
	test "$(cat c1)" = "$(cat c2)" && test "$(cat c1)" = "$(cat c3)" &&
	desk_quit
'

test_expect_success '/ filters as you type over the visible columns; Esc clears the filter' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C6" &&
	keys / && typ 欧 &&
	wait_screen "1 shown" &&
	typ 阳 &&
	wait_screen "/欧阳" &&
	grep -q "$C2" screen && ! grep -q "$C1" screen &&
	keys BSpace BSpace && wait_screen "$C6" &&
	typ "$LATE" && wait_screen "1 shown" && grep -q "$C3" screen && ! grep -q "$C2" screen &&
	keys Escape &&
	wait_gone "shown" &&
	grep -q "$C1" screen && grep -q "$C4" screen &&
	keys / && typ tom && wait_screen "1 shown" && grep -q Tom screen && keys Enter &&
	keys j && wait_screen "/tom" && grep -q Tom screen &&
	desk_quit
'

test_expect_success ':status with tab completion, :sort, :status all' '
	test_when_finished desk_finish &&
	case-act return -m "缺少材料" $C4 >/dev/null &&
	desk &&
	wait_screen "$C6" &&
	keys : && typ "status ret" && keys Tab &&
	wait_screen ":status returned" &&
	keys Enter &&
	wait_screen "· status returned" &&
	grep -q "$C4" screen && ! grep -q "$C1" screen &&
	keys : && typ "sta" && keys Tab && typ " all" && keys Enter &&
	wait_gone "· status returned" &&
	keys : && typ "sort appl" && keys Tab && keys Enter &&
	wait_screen "by applicant" &&
	keys : && typ "nonsense" && keys Enter &&
	wait_screen "unknown command" &&
	keys : && typ "stauts returned" && keys Enter &&
	wait_screen "unknown command '"'"'stauts'"'"'; did you mean '"'"'status'"'"'?" &&
	keys : && typ "status acepted" && keys Enter &&
	wait_screen "no status '"'"'acepted'"'"'; did you mean '"'"'accepted'"'"'?" &&
	keys : && typ "sort deadlin" && keys Enter &&
	wait_screen "cannot sort by '"'"'deadlin'"'"'; did you mean '"'"'deadline'"'"'?" &&
	keys : && typ "sort deadline" && keys Enter &&
	wait_gone "by applicant" &&
	grep -o "C0000000[0-9]" screen | head -n 1 >first &&
	test "$(cat first)" = $C3 &&
	desk_quit
'

test_expect_success '? shows the keys from the one key table; q goes back; j/k/G/g move' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C6" &&
	keys "?" &&
	wait_screen "help · q to go back" &&
	grep -q "^a  *accept  *inbox,case" screen &&
	grep -q "^Space  *tag" screen &&
	grep -q "^/  *filter" screen &&
	keys q &&
	wait_screen "inbox:" &&
	keys G && keys Enter && wait_screen "case $C4" &&
	keys q && wait_screen "inbox:" && keys g Enter && wait_screen "case $C3" &&
	desk_quit
'

# laid_out W H: the screen is casedesk's inbox laid out for W columns and H lines: H lines,
# one header on the first line, one status line on the last but one (drawn after the rows),
# the pane W wide.  What tmux keeps of the old screen when it resizes the pane fails it.
laid_out() {
	[ "$(wc -l <screen)" = "$2" ] &&
	[ "$(desk_tmux display -p -t desk "#{pane_width}")" = "$1" ] &&
	sed -n 1p screen | grep -q "DEADLINE" &&
	[ "$(grep -c "DEADLINE" screen)" = 1 ] &&
	sed -n "$(($2 - 1))p" screen | grep -q "inbox: 6 cases" &&
	[ "$(grep -c "inbox:" screen)" = 1 ]
}

test_expect_success 'a resize to 80x24 lays the inbox out again' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "inbox: 6 cases · 1 overdue · 1 due soon" &&
	desk_tmux resize-window -t desk -x 80 -y 24 &&
	wait_until "the inbox laid out for 80x24" laid_out 80 24 &&
	grep -q "$C6" screen &&
	grep -e 张三 -e 欧阳娜娜 -e Tom screen >rows &&
	test "$(wc -l <rows)" = 3 &&
	col_of 退休 rows | sort -u >cols && test "$(wc -l <cols)" = 1 &&
	desk_tmux resize-window -t desk -x 100 -y 30 &&
	wait_until "the inbox laid out for 100x30" laid_out 100 30 &&
	grep -q "$C6" screen &&
	desk_quit
'

test_expect_success 'q quits with status 0 and the terminal is restored; SIGTERM restores it too' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C6" &&
	test "$(desk_tmux display -p -t desk "#{alternate_on}")" = 1 &&
	keys q &&
	desk_exited 0 &&
	test "$(desk_tmux display -p -t desk "#{alternate_on}")" = 0 &&
	desk &&
	wait_screen "$C6" &&
	test "$(desk_tmux display -p -t desk "#{alternate_on}")" = 1 &&
	pid=$(desk_tmux list-panes -t desk -F "#{pane_pid}") &&
	kill -TERM $(pgrep -P "$pid" -x casedesk) &&
	desk_exited 143 &&
	test "$(desk_tmux display -p -t desk "#{alternate_on}")" = 0
'

test_done
