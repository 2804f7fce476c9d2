#!/bin/bash
# bench/reads-ab.sh [N] — two builds, or two settings, of twonetd on the audited
# certificate reads, alternated: PAIRS (default 6) pairs of wrk runs (64
# connections, random ids, DURATION s each, default 5), A then B, each on a
# fresh copy of one database of N certificates (default 50,000) with an empty
# audit log, so that neither side reads a log the other grew (a log of 8 GB
# made every read ~50% dearer on both sides).  Each run prints requests/s, p99
# and the server's CPU per read (its workers' and audit writer's utime + stime in /proc over the run);
# then each side's mean and B - A with its standard error over the pairs.
# Compare the CPU a read: it moves less than requests/s between runs, and a
# change to the read path shows there first.  Each run first reads for
# WARMUP s (default 8), not counted: a worker's certificate cache starts
# empty and misses 91% of the reads in the first second, 2% after 6 s (50,000
# ids), so shorter runs without it measured mostly the warming cache.
#   A_BUILD, B_BUILD  build folders (make O=DIR; default: TWONET_BUILD or the tree)
#   A_ENV, B_ENV      environment of each side's twonetd ("TWONETD_AUDIT_WINDOW_US=1000")
#   A_OPTS, B_OPTS    more options of each side's twonetd serve ("--workers 1")
#   WARMUP            seconds read before each counted run (default 8; 0: none)
# Example: an old commit against the tree:
#   git worktree add /tmp/old HEAD~1 && make -C /tmp/old O=build/b -j2 &&
#   A_BUILD=/tmp/old/build/b B_BUILD=build/lead bench/reads-ab.sh
# Prints figures; asserts nothing about time.
. "$(dirname "$0")/lib.sh"
N=${1:-50000}
PAIRS=${PAIRS:-6}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-8}
CORES=$(nproc)
A_BUILD=${A_BUILD:-${TWONET_BUILD:-$TOP}}
B_BUILD=${B_BUILD:-${TWONET_BUILD:-$TOP}}
for t in wrk sqlite3; do
	command -v $t >/dev/null || { echo "bench/reads-ab: needs $t"; exit 1; }
done
for b in "$A_BUILD" "$B_BUILD"; do
	[ -x "$b/server/twonetd" ] || { echo "bench/reads-ab: no $b/server/twonetd"; exit 1; }
done

# one database for every run, copied before each
BASE=$BENCH_TMP/base
mkdir -p "$BASE"
twonetd init --db "$BASE/c.db" >/dev/null
twonetd-gen-certs --db "$BASE/c.db" "$N" >/dev/null 2>&1
sqlite3 "$BASE/c.db" "select id from certs order by random()" > "$BENCH_TMP/ids"
random_reads "$BENCH_TMP/ids"

# run SIDE BUILD ENV OPTS: one run on a fresh copy; prints "SIDE req/s p99 us_cpu_a_read"
run() {
	local side=$1 build=$2 envs=$3 opts=$4 run=$BENCH_TMP/run pids c0 c1 out n i
	rm -rf "$run" "$BENCH_TMP/port"
	cp -a "$BASE" "$run"
	# shellcheck disable=SC2086
	env $envs "$build/server/twonetd" serve --db "$run/c.db" --listen 127.0.0.1:0 \
		--port-file "$BENCH_TMP/port" --workers "$CORES" $opts 2>"$BENCH_TMP/twonetd-$side.log" &
	SERVER_PID=$!
	for i in $(seq 200); do [ -s "$BENCH_TMP/port" ] && break; sleep 0.05; done
	[ -s "$BENCH_TMP/port" ] || { cat "$BENCH_TMP/twonetd-$side.log"; exit 1; }
	TOKEN=$("$build/server/twonetd" token add --db "$run/c.db" --role admin --name ab-$$)
	pids=$(pgrep -P "$SERVER_PID" | paste -sd' ')
	[ -n "$pids" ] || pids=$SERVER_PID
	[ "$WARMUP" -gt 0 ] && wrk -t "$CORES" -c 64 -d "${WARMUP}s" -s "$BENCH_TMP/random.lua" \
		-H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$(cat "$BENCH_TMP/port")" >/dev/null
	c0=$(worker_cpu "$pids")
	out=$(wrk -t "$CORES" -c 64 -d "${DURATION}s" --latency -s "$BENCH_TMP/random.lua" \
		-H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$(cat "$BENCH_TMP/port")")
	c1=$(worker_cpu "$pids")
	stop_bench_server
	n=$(echo "$out" | awk '/requests in/ { print $1 }')
	echo "$out" | awk -v side="$side" -v c=$((c1 - c0)) -v n="$n" -v hz="$(getconf CLK_TCK)" '
		/^Requests\/sec/ { r = $2 } $1 == "99%" { p = $2 }
		END { printf "%s %.0f %s %.2f\n", side, r, p, c * 1e6 / hz / n }'
}

echo "bench/reads-ab: $N certificates, $CORES cores, $PAIRS pairs of $DURATION s (each after $WARMUP s not counted), wrk 64 connections, random ids"
echo "  A: $A_BUILD ${A_ENV:+env $A_ENV }${A_OPTS:-}"
echo "  B: $B_BUILD ${B_ENV:+env $B_ENV }${B_OPTS:-}"
run A "$A_BUILD" "${A_ENV:-}" "${A_OPTS:-}" > /dev/null     # a warm-up run, not counted (the first read slow)
for i in $(seq "$PAIRS"); do
	run A "$A_BUILD" "${A_ENV:-}" "${A_OPTS:-}" > "$BENCH_TMP/a"   # not in $(): the server is this shell's
	run B "$B_BUILD" "${B_ENV:-}" "${B_OPTS:-}" > "$BENCH_TMP/b"
	a=$(cat "$BENCH_TMP/a")
	b=$(cat "$BENCH_TMP/b")
	echo "$a $b" | awk -v i="$i" '{ printf "pair %d: A %6d req/s p99 %-8s %6.2f us CPU a read | B %6d req/s p99 %-8s %6.2f us CPU a read\n", i, $2, $3, $4, $6, $7, $8 }'
	echo "$a $b" >> "$BENCH_TMP/pairs"
done
awk '{ ar += $2; br += $6; ac += $4; bc += $8; d = $8 - $4; s += d; ss += d * d; n++ }
	END {
		m = s / n; sd = n > 1 ? sqrt((ss - n * m * m) / (n - 1)) : 0
		printf "A: mean %.0f req/s, %.2f us of server CPU a read\n", ar / n, ac / n
		printf "B: mean %.0f req/s, %.2f us of server CPU a read\n", br / n, bc / n
		printf "B - A: %+.2f us a read (%+.1f%%), standard error %.2f us over %d pairs\n", m, 100 * m / (ac / n), sd / sqrt(n), n
	}' "$BENCH_TMP/pairs"
