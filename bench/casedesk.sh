#!/bin/bash
# bench/casedesk.sh [N] — casedesk with N cases in the inbox (default 100,000).
#
# 1. In process (bench/casedesk-inbox N): N synthetic cases as the server sends
#    them, 1,000 a page by deadline; times reading each page into the compact
#    rows merged in sort order (and the same sorted by name, and a page read as
#    jv for comparison), the first paint after the first page, the paint after
#    the last, a full re-sort, a filter keystroke with its redraw (incremental
#    while the filter narrows, a full pass when it widens), the size of the rows
#    store and the peak RSS.
# 2. End to end, when tmux is there (E2E=0 skips it): file E2E_N cases (default
#    100,000) on a local twonetd, run casedesk in a 100x30 tmux pane, and time the
#    first row on screen, the whole inbox loaded (sorted by deadline, filterable),
#    a filter keystroke seen on screen (tmux's own round trip included), and
#    casedesk's peak RSS.  Filing 100,000 cases takes a while: E2E_DB=FILE keeps
#    the filled database in FILE and reuses it when FILE is there (delete it
#    after a change to the server's schema).
# Figures only; nothing here asserts a time.
. "$(dirname "$0")/lib.sh"
N=${1:-100000}
E2E=${E2E:-1}
E2E_N=${E2E_N:-100000}
E2E_DB=${E2E_DB:-}
B=${O:+$TOP/$O}
B=${B:-$TOP}
export PATH="$B/tui:$B/bin:$B/server:$PATH"

echo "bench/casedesk: $N cases in process; $(nproc) cores"
"$B/bench/casedesk-inbox" "$N"

[ "$E2E" = 1 ] && command -v tmux >/dev/null || exit 0

echo
echo "bench/casedesk: end to end, $E2E_N cases on twonetd, casedesk in a 100x30 tmux pane"
if [ -n "$E2E_DB" ] && [ -s "$E2E_DB" ]; then
	cp "$E2E_DB" "$BENCH_TMP/e.db"
	twonetd init --db "$BENCH_TMP/e.db" >/dev/null     # brings an older schema up to date
	twonetd serve --db "$BENCH_TMP/e.db" --listen 127.0.0.1:0 --port-file "$BENCH_TMP/port" \
		--workers 2 2>"$BENCH_TMP/twonetd.log" &
	SERVER_PID=$!
	while [ ! -s "$BENCH_TMP/port" ]; do sleep 0.05; done
	URL="http://127.0.0.1:$(cat "$BENCH_TMP/port")"
	CLERK=$(twonetd token add --db "$BENCH_TMP/e.db" --role clerk --name clerk --dept YBJ)
else
	start_bench_server "$BENCH_TMP/e.db" --workers 2 2>/dev/null
	ADMIN=$(twonetd token add --db "$BENCH_TMP/e.db" --role admin --name bench)
	CLERK=$(twonetd token add --db "$BENCH_TMP/e.db" --role clerk --name clerk --dept YBJ)
	t=$(now)
	gen-cases "$E2E_N" | TWONET_URL=$URL TWONET_TOKEN=$ADMIN case-submit --bulk --parallel 16 >/dev/null 2>&1
	echo "($E2E_N cases filed in $(echo "$(now) - $t" | bc -l | cut -c1-5) s)"
	[ -n "$E2E_DB" ] && sqlite3 "$BENCH_TMP/e.db" ".backup '$E2E_DB'"
fi
SOCK=bench-casedesk-$$
trap 'tmux -L $SOCK kill-server 2>/dev/null; cleanup' EXIT
pane() { tmux -L "$SOCK" capture-pane -p -t desk; }
ms() { echo "($(now) - $1) * 1000" | bc -l; }

t0=$(now)
tmux -L "$SOCK" new-session -d -s desk -x 100 -y 30 \
	"TWONET_URL=$URL TWONET_TOKEN=$CLERK casedesk --no-alerts; sleep 600"
until pane | grep -q "C000000"; do sleep 0.01; done
first=$(ms "$t0")
until pane | grep -q "inbox: [0-9,]* cases" && ! pane | grep -q "loading page"; do
	pane | grep -q "cannot load the inbox" && { pane >&2; echo "bench/casedesk: the inbox did not load" >&2; exit 1; }
	sleep 0.02
done
all=$(ms "$t0")
loaded=$(pane | grep -o "inbox: [0-9,]* cases")
pid=$(pgrep -P "$(tmux -L "$SOCK" list-panes -t desk -F '#{pane_pid}')" -x casedesk)
tmux -L "$SOCK" send-keys -t desk /
sleep 0.2
t1=$(now)
tmux -L "$SOCK" send-keys -t desk -l 王
until pane | grep -q "shown"; do sleep 0.005; done
key=$(ms "$t1")
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) * 1000 / hz}' "/proc/$pid/stat")
printf 'first row on screen         %.0f ms after start\n' "$first"
printf 'whole inbox loaded          %.0f ms after start (%s)\n' "$all" "$loaded"
printf 'filter keystroke on screen  %.0f ms (tmux send-keys and capture included)\n' "$key"
printf 'casedesk peak RSS           %.1f MB\n' "$(echo "$hwm / 1024" | bc -l)"
printf 'casedesk CPU time           %.0f ms (the rest of the wait is the server)\n' "$cpu"

# The same list with curl, in the same run: every page of 1,000 one after
# another, the cursor cut from each page's end (no JSON parse): the floor of
# what any client of this API waits for the whole list.
t2=$(now)
cursor= pages=0
while :; do
	curl -sf -H "Authorization: Bearer $CLERK" \
		"$URL/v1/cases?order=deadline&limit=1000${cursor:+&cursor=$cursor}" >"$BENCH_TMP/page" || break
	pages=$((pages + 1))
	cursor=$(tail -c 200 "$BENCH_TMP/page" | grep -o '"next":"[^"]*"' | cut -d'"' -f4)
	[ -n "$cursor" ] || break
done
printf 'curl, the same list         %.0f ms (%d pages of 1,000, one after another)\n' "$(ms "$t2")" "$pages"
