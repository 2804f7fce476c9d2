# lib-casedesk.sh — helpers of the casedesk tests: run it in a tmux pane, send keys, read the screen.
#
#   desk [ARGS...]        start casedesk in a new 100x30 tmux session "desk" (its stderr goes
#                         to desk.err); DESK_COLS / DESK_ROWS change the size
#   desk_color [ARGS...]  the same without NO_COLOR
#   desk_tmux ARGS...     a tmux command on the test's current tmux server
#   keys KEY...           tmux send-keys
#   typ TEXT              type TEXT literally (UTF-8 too)
#   screen [-e]           the pane now (with colours: -e) into the file `screen`
#   wait_screen TEXT      poll until the pane shows TEXT (fixed string)
#   wait_gone TEXT        poll until the pane no longer shows TEXT
#   wait_until WHAT CMD.. poll until CMD (run after each capture into `screen`) succeeds
#   wait_exit             wait for casedesk to end; prints its exit status
#   desk_exited N         wait for casedesk to end; fail unless with status N and no
#                         sanitizer report
#   desk_quit             :quit, then desk_exited 0
#   desk_finish           kill the tmux server and wait until it is gone
#   col_of TEXT FILE      the screen column (display width before it) of TEXT on each line holding it
#   set_deadline ID DATE [true]  a case's deadline (provisional with true), behind the server's back
#
# Every wait polls a fresh capture until its condition holds on a screen that is no longer
# changing, for up to DESK_WAIT seconds: 20, times TWONET_TEST_SLOW (default 3 when the
# build is sanitized, SAN=1, else 1).  Nothing asserts how long anything took.  A wait that
# gives up prints what it waited for, the screen, casedesk's stderr and the pane's state.
#
# Each desk runs under a tmux server of its own (a new socket name each time), so a server
# that is still exiting after desk_finish is never asked to start the next session (tmux
# then fails with "server exited unexpectedly"); desk_finish also waits for the old server
# to be gone.  The pane runs `casedesk ...; echo $? >desk.rc; echo <marker>; sleep`, so the
# pane outlives casedesk (remain-on-exit is on as well): its screen and #{alternate_on} stay
# readable after the exit.  wait_exit waits for the marker on the screen; the pane's output
# is read in order, so by then tmux has seen every byte casedesk wrote (such as the
# sequence leaving the alternate screen).  (tmux 3.3 drops a pane's unread output when its
# process exits, and #{pane_dead_status} is not always set: neither is relied on.)

DESK_SLOW=${TWONET_TEST_SLOW:-}
if [ -z "$DESK_SLOW" ]; then
	if [ -n "${SAN:-}" ]; then DESK_SLOW=3; else DESK_SLOW=1; fi
fi
DESK_WAIT=$((20 * DESK_SLOW))
DESK_ENDED="[desk: casedesk ended]"
SOCK=""

# the test script's own stderr: prove shows it (a test body's output only goes to the TAP
# comments, which prove hides), so a failed test's output is copied there too
exec 9>&2
eval "$(declare -f _report | sed '1s/^_report/_desk_tl_report/')"
_report() {
	_desk_tl_report "$@"
	if [ "$1" != 0 ]; then
		{
			echo "$TEST_NAME: not ok $test_count - $2"
			tail -n 80 "$TRASH/.out" | sed -e "s/^/$TEST_NAME: /"
		} >&9
	fi
}

desk_tmux() {
	tmux -L "$SOCK" "$@"
}

# desk_start SHELL-WORDS: run them (casedesk and its arguments) in a new tmux server's pane
desk_start() {
	local n
	desk_finish
	n=$(($(cat .desk.n 2>/dev/null || echo 0) + 1))
	echo $n >.desk.n
	SOCK="twonet-$TEST_NAME-$$-$n"
	rm -f desk.rc desk.err desk.tmux
	printf '%s\n' "$SOCK" >desk.sock
	tmux -f /dev/null -L "$SOCK" \
		set-option -g remain-on-exit on \; \
		set-option -g history-limit 0 \; \
		new-session -d -s desk -c "$PWD" -x "${DESK_COLS:-100}" -y "${DESK_ROWS:-30}" \
		"$1 2>desk.err; echo \$? >desk.rc; printf '\\n%s\\n' '$DESK_ENDED'; exec sleep 3600" 9>&- ||
		{ echo "desk: tmux could not start the session" >&2; return 1; }
	tmux -L "$SOCK" display-message -p '#{pid} #{socket_path}' >desk.tmux
}

desk() {
	desk_start "casedesk $*"
}

desk_color() {
	desk_start "env -u NO_COLOR casedesk $*"
}

# a process is gone: no such pid, or a zombie nobody has reaped yet
_desk_gone() {
	local st
	kill -0 "$1" 2>/dev/null || return 0
	st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[ "$st" = Z ]
}

desk_finish() {
	local sock pid path end
	[ -s desk.sock ] || return 0
	sock=$(cat desk.sock)
	pid="" path=""
	[ -s desk.tmux ] && read -r pid path <desk.tmux
	tmux -L "$sock" kill-server 2>/dev/null
	if [ -n "$pid" ]; then
		end=$((SECONDS + DESK_WAIT))
		while ! _desk_gone "$pid" && [ $SECONDS -lt $end ]; do
			sleep 0.05
		done
		_desk_gone "$pid" || echo "desk_finish: the tmux server $pid did not exit" >&2
	fi
	[ -n "$path" ] && rm -f "$path"
	rm -f desk.sock desk.tmux
	return 0
}

keys() {
	tmux -L "$SOCK" send-keys -t desk "$@"
}

typ() {
	tmux -L "$SOCK" send-keys -t desk -l "$1"
}

screen() {
	tmux -L "$SOCK" capture-pane -p ${1:-} -t desk >screen 2>screen.err
}

# what a failed wait prints: the screen, casedesk's stderr, the pane
desk_show() {
	echo "the screen (${SOCK:-no tmux server}):"
	screen
	cat screen
	[ -s screen.err ] && { echo "capture-pane:"; cat screen.err; }
	if [ -s desk.rc ]; then echo "casedesk ended with status $(cat desk.rc)"; fi
	if [ -s desk.err ]; then echo "desk.err:"; tail -n 40 desk.err; fi
	tmux -L "$SOCK" display-message -p -t desk \
		'pane: #{pane_width}x#{pane_height} dead=#{pane_dead} alternate_on=#{alternate_on} pid=#{pane_pid}' 2>&1
}

# _desk_poll CMD...: capture, run CMD; true once CMD holds on two captures in a row that
# are the same (a frame still being drawn is not judged); false after DESK_WAIT seconds
_desk_poll() {
	local end=$((SECONDS + DESK_WAIT))
	while :; do
		if screen && "$@"; then
			cp screen screen.prev
			sleep 0.05
			if screen && cmp -s screen screen.prev && "$@"; then
				return 0
			fi
		fi
		[ $SECONDS -lt $end ] || return 1
		sleep 0.1
	done
}

_desk_has() {
	grep -qF -- "$1" screen
}

_desk_hasnt() {
	! grep -qF -- "$1" screen
}

wait_screen() {
	_desk_poll _desk_has "$1" && return 0
	{ echo "wait_screen: never saw '$1' in ${DESK_WAIT}s"; desk_show; } >&2
	return 1
}

wait_gone() {
	_desk_poll _desk_hasnt "$1" && return 0
	{ echo "wait_gone: '$1' stayed for ${DESK_WAIT}s"; desk_show; } >&2
	return 1
}

# wait_until 'what it waits for' CMD...
wait_until() {
	local what=$1
	shift
	_desk_poll "$@" && return 0
	{ echo "wait_until: never $what in ${DESK_WAIT}s"; desk_show; } >&2
	return 1
}

_desk_ended() {
	[ -s desk.rc ] && grep -qF -- "$DESK_ENDED" screen
}

wait_exit() {
	if ! _desk_poll _desk_ended; then
		{ echo "wait_exit: casedesk did not end in ${DESK_WAIT}s"; desk_show; } >&2
		return 1
	fi
	cat desk.rc
}

desk_exited() {
	local rc
	rc=$(wait_exit) || return 1
	if [ "$rc" != "$1" ] || grep -q "Sanitizer\|runtime error" desk.err 2>/dev/null; then
		{ echo "casedesk ended with status $rc, expected $1"; desk_show; } >&2
		return 1
	fi
}

# the display column where TEXT starts, for each line of FILE that holds it
col_of() {
	perl -CSD -Mutf8 -e '
		my $t = shift; utf8::decode($t);
		while (my $l = <STDIN>) {
			my $i = index($l, $t);
			next if $i < 0;
			my $w = 0;
			for my $c (split //, substr($l, 0, $i)) {
				my $o = ord $c;
				$w += ($o >= 0x1100 && ($o <= 0x115f || ($o >= 0x2e80 && $o <= 0xa4cf) ||
				       ($o >= 0xac00 && $o <= 0xd7a3) || ($o >= 0xf900 && $o <= 0xfaff) ||
				       ($o >= 0xff00 && $o <= 0xff60))) ? 2 : 1;
			}
			print "$w\n";
		}' "$1" <"$2"
}

# file a case of item 310000-YB-003 (YBJ) for applicant $1 named $2; prints its id
file_case() {
	printf '{"item":"310000-YB-003","applicant":{"id":"%s","name":"%s"},"form":{"applicant_name":"%s","applicant_id":"%s","retire_date":"2026-12-01","applicant_phone":"13800000000"}%s}\n' \
		"$1" "$2" "$2" "$1" "${3:+,\"materials\":$3}" | case-submit -f - | jq -r .id
}

# set the deadline of case $1 to date $2 (YYYY-MM-DD), behind the server's back; a counted
# one (not provisional) unless $3 is true
set_deadline() {
	local seq=$((10#${1#C})) prov=${3:-false}
	if [ "$TWONET_TEST_BACKEND" = postgresql ]; then
		# the text edited in place: through jsonb the members would change order, and
		# the case view lists the form as stored
		db_sql "UPDATE cases SET deadline='$2', doc=regexp_replace(regexp_replace(doc::text,
			'\"deadline\":\"[^\"]*\"', '\"deadline\":\"$2\"'),
			'\"deadline_provisional\":(true|false)', '\"deadline_provisional\":$prov')::json
			WHERE seq=$seq"
	else
		db_sql "UPDATE cases SET deadline='$2', doc=json_set(doc,'\$.deadline','$2',
			'\$.deadline_provisional',json('$prov')) WHERE seq=$seq"
	fi
}

# open case $1 from the inbox: filter on its id, Enter
open_case() {
	keys / && typ "$1" && keys Enter &&
	wait_screen "1 shown" &&
	keys Enter &&
	wait_screen "case $1"
}

# quit casedesk from any view (:quit) and check it ended with status 0 and no sanitizer report
desk_quit() {
	keys Escape && keys : && typ quit && keys Enter &&
	desk_exited 0
}

# the test script's last tmux server goes with it
trap 'desk_finish >/dev/null 2>&1; _cleanup' EXIT
