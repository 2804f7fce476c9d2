#!/bin/bash
# casedesk when the server goes away mid-session: the status line says so, the clerk
# keeps working with what is loaded (navigate, filter, open a case seen before), and
# actions fail without blocking; when the server is back, it says so.
. "$(dirname "$0")/../cli/test-lib.sh"
. "$TWONET_SRC/tests/tui/lib-casedesk.sh"

if ! command -v tmux >/dev/null; then
	test_skip 'casedesk offline' 'no tmux'
	test_done
fi

# stop the server and wait until it is gone (the test body is a subshell: stop_server cannot wait)
kill_server() {
	local pid=$TWONETD_PID end=$((SECONDS + DESK_WAIT))
	stop_server
	while ! _desk_gone "$pid" && [ $SECONDS -lt $end ]; do sleep 0.1; done
	_desk_gone "$pid" || { echo "kill_server: twonetd $pid did not exit" >&2; return 1; }
}

start_server || exit 1
export TWONET_TOKEN=$(make_token clerk clerk-yb YBJ)
P=110101199003070003
C1=$(file_case $P 张三)
C2=$(file_case $P 李四)
C3=$(file_case $P 王芳)
set_deadline $C1 2030-01-01
set_deadline $C2 2030-01-02
set_deadline $C3 2030-01-03

test_expect_success 'the server killed mid-session: status line says so, the TUI keeps working' '
	test_when_finished desk_finish &&
	desk &&
	wait_screen "$C3" &&
	keys j Enter &&
	wait_screen "submit submitted  v1" &&
	keys q &&
	wait_screen "inbox: 3 cases" &&
	kill_server &&
	keys R &&
	wait_screen "server unreachable since" &&
	grep -q "cannot load the inbox" screen &&
	keys k j && keys Enter &&
	wait_screen "case $C2" &&
	wait_screen "(as loaded earlier: the server does not answer)" &&
	grep -q "applicant   李四" screen &&
	grep -q "submit submitted  v1" screen &&
	keys a a &&
	wait_screen "cannot accept $C2" &&
	keys q && keys j Enter &&
	wait_screen "case $C3" &&
	wait_screen "cannot load $C3" &&
	grep -q "applicant  王芳" screen &&
	keys q && keys / && typ 张 && wait_screen "1 shown" && keys Escape &&
	grep -q "server unreachable" screen &&
	keys q && desk_exited 0
'

test_expect_success 'a server that is back is noticed; the action then goes through' '
	test_when_finished "kill \$(cat server.pid) 2>/dev/null" &&
	test_when_finished desk_finish &&
	start_server && echo $TWONETD_PID >server.pid &&
	desk &&
	wait_screen "$C3" &&
	kill_server &&
	keys R &&
	wait_screen "server unreachable since" &&
	start_server --listen 127.0.0.1:$TWONETD_PORT && echo $TWONETD_PID >server.pid &&
	wait_screen "the server answers again" &&
	keys R &&
	wait_gone "server unreachable" &&
	keys Enter && wait_screen "case $C1" && keys a a &&
	wait_screen "accepted $C1" &&
	case-show --no-events $C1 >shown && json_eq .status accepted <shown &&
	desk_quit
'

test_done
