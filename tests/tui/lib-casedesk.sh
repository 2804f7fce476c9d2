# lib-casedesk.sh — helpers of the casedesk tests: run it in a tmux pane, send keys, read the screen.
#
#   desk [ARGS...]        start casedesk in a new 100x30 tmux session "desk" (its exit status
#                         goes to desk.rc, its stderr to desk.err)
#   keys KEY...           tmux send-keys
#   typ TEXT              type TEXT literally (UTF-8 too)
#   screen [-e]           the pane now (with colours: -e) into the file `screen`
#   wait_screen TEXT      poll until the pane shows TEXT (fixed string); fail after ~20 s
#   wait_gone TEXT        poll until the pane no longer shows TEXT
#   wait_exit             wait for casedesk to end; prints its exit status
#   col_of TEXT FILE      the screen column (display width before it) of TEXT on each line holding it
# The tmux server is per test script (socket $SOCK) and killed by desk_finish.

SOCK="twonet-$TEST_NAME-$$"

desk() {
	rm -f desk.rc desk.err
	tmux -L "$SOCK" new-session -d -s desk -x "${DESK_COLS:-100}" -y "${DESK_ROWS:-30}" \
		"casedesk $* 2>desk.err; echo \$? >desk.rc; sleep 600"
}

desk_finish() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	return 0
}

keys() {
	tmux -L "$SOCK" send-keys -t desk "$@"
}

typ() {
	tmux -L "$SOCK" send-keys -t desk -l "$1"
}

screen() {
	tmux -L "$SOCK" capture-pane -p ${1:-} -t desk >screen 2>/dev/null
}

wait_screen() {
	local i=0
	while [ $i -lt 200 ]; do
		screen && grep -qF -- "$1" screen && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "wait_screen: never saw '$1'; the screen:" >&2
	cat screen >&2
	[ -s desk.err ] && { echo "desk.err:" >&2; cat desk.err >&2; }
	return 1
}

wait_gone() {
	local i=0
	while [ $i -lt 200 ]; do
		screen && ! grep -qF -- "$1" screen && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "wait_gone: '$1' stays; the screen:" >&2
	cat screen >&2
	return 1
}

wait_exit() {
	local i=0
	while [ ! -s desk.rc ] && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s desk.rc ] || { echo "wait_exit: casedesk did not end" >&2; return 1; }
	cat desk.rc
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

# set the deadline of case $1 to date $2 (YYYY-MM-DD), behind the server's back
set_deadline() {
	local seq=$((10#${1#C}))
	sqlite3 "$TWONETD_DB" "UPDATE cases SET deadline='$2', doc=json_set(doc,'\$.deadline','$2') WHERE seq=$seq"
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
	local rc
	keys Escape && keys : && typ quit && keys Enter &&
	rc=$(wait_exit) || return 1
	if [ "$rc" != 0 ] || grep -q "Sanitizer\|runtime error" desk.err 2>/dev/null; then
		echo "casedesk ended with status $rc:" >&2
		cat desk.err >&2
		return 1
	fi
}
