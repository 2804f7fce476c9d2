#!/bin/bash
# casedesk past the working-day calendar: a provisional deadline marked "*" in the inbox and
# the case view with its note, counted in the status line; the server's warning (its
# calendar runs out) in the status line, never when there is none.
. "$(dirname "$0")/../cli/test-lib.sh"
. "$TWONET_SRC/tests/tui/lib-casedesk.sh"

if ! command -v tmux >/dev/null; then
	test_skip 'casedesk past the calendar' 'no tmux'
	test_done
fi

# The shipped calendar ends 2026-12-31.  From the server's today, Sunday 2026-12-20,
# 310000-RS-001 (10 working days, legal 15) ends on Friday 2027-01-01, legally on
# 2027-01-08, counted Monday to Friday through 2027.
export TWONET_TODAY=2026-12-20
start_server || exit 1
export TWONET_TOKEN=$(make_token clerk clerk-rs RSJ)
NOTE="\* provisional: counted Monday to Friday through a year the working-day calendar does not know yet"

# rs_person NAME: a case of 310000-RS-001 for a person; prints its id
rs_person() {
	printf '{"item":"310000-RS-001","applicant":{"id":"110101199003070003","name":"%s"},"form":{"child_name":"小明","birth_date":"2026-11-01","applicant_name":"%s","applicant_id":"110101199003070003","applicant_phone":"13800000000","address":"上海市"}}\n' "$1" "$1" |
		case-submit -f - | jq -r .id
}

# server_warns_not: wait until the server has seen the new calendar (it works its warning
# out again at most once a second): its health lists no warning
server_warns_not() {
	local end=$((SECONDS + DESK_WAIT))
	until [ "$(api GET /v1/health "")" = 200 ] && [ "$(jq ".warnings | length" out.json)" = 0 ]; do
		[ $SECONDS -lt $end ] || { echo "the server still warns: $(cat out.json)"; return 1; }
		sleep 0.2
	done
}

P1=$(rs_person 张三)
P2=$(rs_person 李四)
set_deadline "$P2" 2026-12-30     # its legal deadline stays provisional

test_expect_success 'set up: a provisional deadline and a counted one' '
	test -n "$P1" && test -n "$P2" &&
	case-show "$P1" --jq ".deadline, .deadline_provisional" >p1 &&
	printf "2027-01-01\ntrue\n" | test_cmp - p1
'

test_expect_success 'the inbox: "*" after a provisional deadline only, counted in the status line' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$P1" &&
	wait_screen "1 provisional *" &&
	grep -q "^  $P1 *submitted *2027-01-01\* *张三" screen &&
	grep -q "^  $P2 *submitted *2026-12-30  *李四" screen &&
	col_of 张三 screen >c1 && col_of 李四 screen >c2 && test_cmp c1 c2 &&
	desk_quit
'

# status_warns: the status line (above the bottom one) ends with the warning's first part; a
# request in flight shows "loading" there instead, so it is waited for, never read once
status_warns() {
	tail -n 2 screen | head -n 1 | grep -q "the working-day calendar ends 2026-12-31 (11 days left) *$"
}

test_expect_success 'the server'"'"'s warning: in full on the bottom line at first, then in the status line' '
	test_when_finished desk_finish &&
	DESK_COLS=140 desk &&
	wait_screen "$P1" &&
	wait_screen "load next year" &&
	wait_until "the warning at the status line'"'"'s end" status_warns &&
	keys j &&
	wait_gone "load next year" &&
	wait_until "the warning in the status line" status_warns &&
	desk_quit
'

test_expect_success 'the case view: the deadlines marked and the note under them' '
	test_when_finished desk_finish &&
	desk &&
	open_case "$P1" &&
	wait_screen "deadline    2027-01-01* (legal 2027-01-08*)" &&
	grep -qx "  $NOTE" screen &&
	desk_quit &&
	desk &&
	open_case "$P2" &&
	wait_screen "deadline    2026-12-30 (legal 2027-01-08*)" &&
	desk_quit
'

test_expect_success 'the help view says what "*" is' '
	test_when_finished desk_finish &&
	DESK_ROWS=50 desk &&
	wait_screen "$P1" &&
	keys ? && wait_screen "casedesk keys" && keys G &&
	wait_screen "Deadline *" &&
	grep -q "Deadline \*  *provisional: counted Monday to Friday" screen &&
	desk_quit
'

# casedesk counts overdue and due soon from TWONET_TODAY, as the commands and twonetd do:
# on 2026-12-31 P2 (2026-12-30) is overdue and P1 (2027-01-01) due soon; on the
# server's 2026-12-20 neither is.
test_expect_success 'overdue and due soon count from TWONET_TODAY' '
	test_when_finished desk_finish &&
	DESK_COLS=140 desk_start "env TWONET_TODAY=2026-12-31 casedesk" &&
	wait_screen "$P1" &&
	wait_screen "inbox: 2 cases · 1 overdue · 1 due soon" &&
	desk_quit &&
	DESK_COLS=140 desk &&
	wait_screen "$P1" &&
	wait_screen "inbox: 2 cases · 0 overdue · 0 due soon" &&
	desk_quit
'

# The made-up 2027 notice of tests/data: 1 to 3 January off.  P1 counted again ends on
# Monday 2027-01-04, legally on 2027-01-11; nothing is provisional any more.
test_expect_success 'the year loaded while casedesk runs: R shows the deadlines counted again, no warning' '
	test_when_finished desk_finish &&
	DESK_COLS=140 desk &&
	wait_screen "$P1" &&
	wait_screen "calendar ends 2026-12-31" &&
	twonetd calendar import --db "$TWONETD_DB" "$TWONET_SRC/tests/data/calendar/2027-test.txt" \
		>import.out &&
	server_warns_not &&
	keys R &&
	wait_screen "$P1 submitted   2027-01-04 " &&
	wait_gone "provisional" &&
	wait_gone "calendar ends" &&
	open_case "$P1" &&
	wait_screen "deadline    2027-01-04 (legal 2027-01-11)" &&
	! grep -q "provisional" screen &&
	desk_quit
'

stop_server
export TWONET_TODAY=2026-06-01
start_server || exit 1

test_expect_success 'no warning while the calendar has more than 60 days' '
	test_when_finished desk_finish &&
	DESK_COLS=140 desk &&
	wait_screen "$P1" &&
	wait_screen "inbox: 2 cases" &&
	! grep -q "calendar" screen &&
	desk_quit
'

test_done
