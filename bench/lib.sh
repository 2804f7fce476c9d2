# bench/lib.sh — shared set-up for the benchmarks: a built tree, a scratch
# folder, and a twonetd of our own on a free loopback port.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$TOP/bin:$TOP/server:$TOP/bench:$TOP/scripts:$PATH"
# TWONET_BUILD=DIR: the programs of a build folder (make O=DIR) instead of the tree's
[ -z "${TWONET_BUILD:-}" ] || export PATH="$TWONET_BUILD/bin:$TWONET_BUILD/server:$TWONET_BUILD/bench:$PATH"
# The programs measured must be built from the sources as they are: a build
# older than a source file measures old code, and says nothing (a session's
# figures once came from such a build).
bench_built=${TWONET_BUILD:-$TOP}/server/twonetd
if [ ! -x "$bench_built" ]; then
	echo "bench: no $bench_built: run make${TWONET_BUILD:+ O=$TWONET_BUILD} first" >&2
	exit 1
fi
bench_newer=$(find "$TOP/lib" "$TOP/server" "$TOP/bin" "$TOP/tui" -name '*.[ch]' -newer "$bench_built" 2>/dev/null | head -n 1)
if [ -n "$bench_newer" ]; then
	echo "bench: $bench_built is older than $bench_newer: run make${TWONET_BUILD:+ O=$TWONET_BUILD} first" >&2
	exit 1
fi
export TWONET_SHAREDIR="$TOP/share/twonet" LC_ALL=C.UTF-8 NO_COLOR=1
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/twonet-bench.XXXXXX")
SERVER_PID=""
cleanup() {
	[ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	# BENCH_KEEP=1: the server's log, the databases and the raw figures stay for a look
	if [ -n "${BENCH_KEEP:-}" ]; then echo "bench: kept $BENCH_TMP" >&2; else rm -rf "$BENCH_TMP"; fi
}
trap cleanup EXIT

# worker_cpu PIDS: their utime + stime in clock ticks, every thread counted
worker_cpu() {
	local p
	for p in $1; do awk '{ print $14 + $15 }' "/proc/$p/stat"; done | awk '{ s += $1 } END { print s + 0 }'
}

# machine_snap: the machine's CPU counters now (the cpu line of /proc/stat).
# machine_since SNAP: how the machine's time went since SNAP: busy, idle, and stolen by
# the host (a virtual machine's cores lent to other guests: while stolen, nothing here
# runs, and every request then in flight waits; a slow round shows it)
machine_snap() { head -n 1 /proc/stat; }
machine_since() {
	echo "$1 $(head -n 1 /proc/stat)" | awk '{
		t = 0; for (i = 2; i <= 9; i++) { d[i] = $(i + 11) - $i; t += d[i] }
		if (t <= 0) t = 1
		printf "machine: busy %.0f%%, idle %.0f%%, stolen by the host %.1f%%\n",
			(t - d[5] - d[6] - d[9]) * 100 / t, (d[5] + d[6]) * 100 / t, d[9] * 100 / t }'
}

# sqlite_db DB [ARGS]: sqlite3 on a SQLite database with its audit log (DB.audit) attached as "log"
sqlite_db() {
	local db=$1
	shift
	sqlite3 -cmd ".timeout 10000" -cmd "ATTACH '$db.audit' AS log" "$db" "$@"
}

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

# random_reads IDS: $BENCH_TMP/random.lua, wrk's script of GET /v1/certs/{id}?purpose=bench with
# an id drawn at random from the file IDS (one a line) for each request; exports IDS_FILE
random_reads() {
	export IDS_FILE=$1
	cat > "$BENCH_TMP/random.lua" <<'LUA'
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
	return wrk.format("GET", "/v1/certs/" .. ids[math.random(#ids)] .. "?purpose=bench")
end
LUA
}

stop_bench_server() {
	kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=""
}

# balance_closes: after stop_bench_server, how many connections the workers closed to
# even out their shares (each says so as it stops; twonetd serve --no-balance: none)
balance_closes() {
	sed -n 's/.*closed \([0-9]*\) connections\{0,1\} to even out the workers/\1/p' \
		"$BENCH_TMP/twonetd.log" | awk '{ n += $1 } END { print n + 0 }'
}

# socket_inodes PID...: the inodes of the sockets those processes hold, one a line
socket_inodes() {
	local p
	for p in "$@"; do
		readlink /proc/"$p"/fd/* 2>/dev/null | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p'
	done
}

# tcp_of PID...: "LOCAL REMOTE" (hex ports) of each established TCP connection those
# processes hold: their sockets' inodes looked up in /proc/net/tcp and tcp6
tcp_of() {
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		awk -v inodes=" $(socket_inodes "$@" | paste -sd' ') " '
			$4 == "01" && index(inodes, " " $10 " ") {
				split($2, l, ":"); split($3, r, ":"); print l[2], r[2] }'
}

# worker_split [PIDS]: how the server's established connections fell between its
# workers, "30/34" (one count a worker): all of them, or only the connections of the
# client processes PIDS.  Read from /proc (tcp_of), not with `ss -p`: that reads every
# process's descriptors, some 90 ms of CPU, and the alert latencies measured at the
# time showed it.
worker_split() {
	local sp peers="" w
	sp=$(printf '%04X' "${URL##*:}")
	# the clients' own ports on their connections to the server
	# shellcheck disable=SC2086
	[ -n "${1:-}" ] && peers=$(tcp_of $1 | awk -v sp="$sp" '$2 == sp { print $1 }' | paste -sd' ')
	for w in $(pgrep -x twonetd -P "$SERVER_PID"); do
		tcp_of "$w" | awk -v sp="$sp" -v only="${1:+1}" -v peers=" $peers " '
			$1 == sp && (only == "" || index(peers, " " $2 " ")) { n++ }
			END { print n + 0 }'
	done | paste -sd/
}

# now in seconds with nanoseconds
now() { date +%s.%N; }
