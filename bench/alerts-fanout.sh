#!/bin/bash
# bench/alerts-fanout.sh [N] — what a follower of the alert stream costs the
# server: N alerts (default 20,000) posted in batches of 100 (alert-post
# --bulk) to a twonetd with one worker, while F followers read the whole
# stream (F from FOLLOWERS, default "0 1 10 50"): F - 1 `curl -N` and one
# alert-tail, whose lines say when every alert was delivered.  Prints, for
# each F, the worker's CPU time an alert (user + system, every thread), and
# the cost of one more follower against the run without any (the baseline:
# the same posts, nobody reading), from 10 followers up (the baseline moves
# by several microseconds from run to run: one follower's share is within it).  Every follower must get every alert (a
# count of its events); ROUNDS (1) runs of each, the median printed.
. "$(dirname "$0")/lib.sh"
N=${1:-20000}
FOLLOWERS=${FOLLOWERS:-0 1 10 50}
ROUNDS=${ROUNDS:-1}

gen() {
	seq 1 "$N" | awk '{ printf "{\"source\":\"fan\",\"source_id\":\"%d\",\"kind\":\"water_depth\",\"severity\":\"%s\",\"district\":\"310101\",\"location\":{\"lat\":31.2397,\"lon\":121.4906,\"address\":\"中山东一路外滩\"},\"value\":0.41,\"threshold\":0.15,\"unit\":\"m\",\"headline\":\"外滩积水 %d\"}\n", $1, ($1 % 2 ? "orange" : "red"), $1 }'
}
gen >"$BENCH_TMP/alerts.ndjson"

# one run with F followers: prints the worker's CPU in microseconds for the N alerts
fan_run() {
	local f=$1 i pids="" t0 c0 c1 tail_pid
	rm -rf "$BENCH_TMP/a.db"* "$BENCH_TMP"/f*.out "$BENCH_TMP/tail.out"
	start_bench_server "$BENCH_TMP/a.db" --workers 1 --rules none
	local sensor operator
	sensor=$(twonetd token add --db "$BENCH_TMP/a.db" --role sensor --name fan-sensor)
	operator=$(twonetd token add --db "$BENCH_TMP/a.db" --role operator --name fan-op)
	for i in $(seq 2 "$f"); do
		curl -s -N -H "Authorization: Bearer $operator" "$URL/v1/alerts/stream" >"$BENCH_TMP/f$i.out" &
		pids="$pids $!"
	done
	tail_pid=""
	if [ "$f" -ge 1 ]; then
		TWONET_URL=$URL TWONET_TOKEN=$operator alert-tail --count "$N" >"$BENCH_TMP/tail.out" &
		tail_pid=$!
	fi
	# every stream open (the log has a line per stream) before the clock starts
	until [ "$(grep -c 'GET /v1/alerts/stream' "$BENCH_TMP/twonetd.log")" -ge "$f" ]; do sleep 0.05; done
	local server_pids="$SERVER_PID $(pgrep -P "$SERVER_PID" | paste -sd' ')"
	c0=$(worker_cpu "$server_pids")
	TWONET_URL=$URL TWONET_TOKEN=$sensor alert-post --bulk --batch 100 \
		<"$BENCH_TMP/alerts.ndjson" >/dev/null 2>&1
	[ -z "$tail_pid" ] || wait "$tail_pid"
	# the curls: every event written (each has its "event: alert" line)
	for i in $(seq 2 "$f"); do
		while [ "$(grep -c '^event: alert' "$BENCH_TMP/f$i.out")" -lt "$N" ]; do sleep 0.1; done
	done
	c1=$(worker_cpu "$server_pids")
	if [ -n "$pids" ]; then         # (a bare wait would wait for the server too)
		kill $pids 2>/dev/null
		wait $pids 2>/dev/null || true
	fi
	if [ "$f" -ge 1 ] && [ "$(wc -l <"$BENCH_TMP/tail.out")" != "$N" ]; then
		echo "bench: alert-tail got $(wc -l <"$BENCH_TMP/tail.out") of $N alerts" >&2
		exit 1
	fi
	stop_bench_server
	echo $(( (c1 - c0) * 1000000 / $(getconf CLK_TCK) ))
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "bench/alerts-fanout: $N alerts in batches of 100, twonetd --workers 1, $(nproc) cores, median of $ROUNDS"
base=""
for f in $FOLLOWERS; do
	us=$(for r in $(seq "$ROUNDS"); do fan_run "$f"; done | median)
	per=$(echo "scale=2; $us / $N" | bc)
	if [ "$f" = 0 ]; then
		base=$us
		printf '%3d followers: %6.2f us of the worker an alert (posting only: the baseline)\n' "$f" "$per"
	elif [ -n "$base" ] && [ "$f" -ge 10 ]; then     # (one follower's share is within the noise)
		printf '%3d followers: %6.2f us of the worker an alert; a follower adds %.2f us an alert\n' \
			"$f" "$per" "$(echo "scale=4; ($us - $base) / $N / $f" | bc)"
	else
		printf '%3d followers: %6.2f us of the worker an alert\n' "$f" "$per"
	fi
done
