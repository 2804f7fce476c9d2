# bench/lib.sh — shared set-up for the benchmarks: a built tree, a scratch
# folder, and a twonetd of our own on a free loopback port.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$TOP/bin:$TOP/server:$TOP/scripts:$PATH"
export TWONET_SHAREDIR="$TOP/share/twonet" LC_ALL=C.UTF-8 NO_COLOR=1
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/twonet-bench.XXXXXX")
SERVER_PID=""
cleanup() {
	[ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	rm -rf "$BENCH_TMP"
}
trap cleanup EXIT

# start_bench_server DB [serve options]: init, import, serve; sets URL
start_bench_server() {
	local db=$1; shift
	twonetd init --db "$db" >/dev/null
	twonetd import catalog --db "$db" >/dev/null
	rm -f "$BENCH_TMP/port"
	twonetd serve --db "$db" --listen 127.0.0.1:0 --port-file "$BENCH_TMP/port" "$@" \
		2>"$BENCH_TMP/twonetd.log" &
	SERVER_PID=$!
	while [ ! -s "$BENCH_TMP/port" ]; do sleep 0.05; done
	URL="http://127.0.0.1:$(cat "$BENCH_TMP/port")"
}

stop_bench_server() {
	kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=""
}

# worker_split [PIDS]: how the server's established connections fell between its
# workers, "30/34" (one count a worker, as ss sees them): all of them, or only the
# connections of the client processes PIDS
worker_split() {
	local port=${URL##*:} ports w n p
	if [ -z "${1:-}" ]; then
		for w in $(pgrep -P "$SERVER_PID"); do
			ss -tnpH state established "( sport = :$port )" | grep -c "pid=$w," || true
		done | paste -sd/
		return
	fi
	ports=$(ss -tnpH state established "( dport = :$port )" |
		grep -E "pid=($(echo $1 | tr ' ' '|'))," | awk '{ sub(/.*:/, "", $3); print $3 }')
	for w in $(pgrep -P "$SERVER_PID"); do
		n=0
		for p in $ports; do
			ss -tnpH state established "( sport = :$port and dport = :$p )" |
				grep -q "pid=$w," && n=$((n + 1))
		done
		echo "$n"
	done | paste -sd/
}

# now in seconds with nanoseconds
now() { date +%s.%N; }
