#!/bin/bash
# bench/submit.sh [N] — file N generated cases (default 100,000) with
# `case-submit --parallel 16` against a local twonetd and print cases per
# second and the client's peak RSS; then post the same bodies with
# `curl --parallel --parallel-max 16` to a fresh database and print the ratio.
# case-submit sends its cases in batches (POST /v1/cases {"cases":[...]}, 100
# a request by default); curl one a request, as a script would.  A last round
# runs `case-submit --batch 1` (one a request, as curl) against curl: the same
# protocol, the clients alone compared.
# The two take turns for ROUNDS rounds (default 3), each run on a fresh
# database: a drift of the machine between one client's run and the other's
# then shows as a spread of the rounds instead of moving the one ratio; each
# round's ratio is printed, then their median and range.  Each client's line
# says how its 16 connections fell between the workers (half a second in):
# the kernel spreads them by a hash, and a 13/3 split leaves one worker idle
# part of the time while the other queues, which costs that client's round.
# Then the server alone: wrk (its Lua script below: a unique Idempotency-Key
# a request) for WRK_SECS seconds over WRK_CONNS connections to a fresh
# database, and the filings a second the server committed.
# twonetd evens out its workers' connections (a worker over its share closes one
# after a reply, and the client reconnects): each round says how many it closed for
# each client.  SERVE_OPTS=--no-balance measures the kernel's placement alone.
# Also shows that the client's RSS does not grow with the input size.
# TWONET_BUILD=DIR takes the programs from a build folder (make O=DIR).
. "$(dirname "$0")/lib.sh"
N=${1:-100000}
WORKERS=${WORKERS:-2}
WRK_SECS=${WRK_SECS:-5}
WRK_CONNS=${WRK_CONNS:-64}

echo "bench/submit: $N cases, twonetd --workers $WORKERS, $(nproc) cores"
gen-cases "$N" > "$BENCH_TMP/cases.ndjson"
gen-cases $((N / 10)) > "$BENCH_TMP/cases-small.ndjson"

ROUNDS=${ROUNDS:-3}

# client_split NAME: half a second in, in the background, how the connections of the
# newest process NAME fell between the workers (worker_split), into $BENCH_TMP/split-NAME
client_split() {
	rm -f "$BENCH_TMP/split-$1"
	(sleep 0.5; p=$(pgrep -n -x "$1") && worker_split "$p" > "$BENCH_TMP/split-$1") &
	SPLIT=$!
}

# ours DB: case-submit --bulk --parallel 16 into a fresh database; sets tn_secs, tn_rss
ours() {
	start_bench_server "$1" --workers "$WORKERS" ${SERVE_OPTS:-} 2>/dev/null
	TOKEN=$(twonetd token add --db "$1" --role admin --name bench)
	export TWONET_URL=$URL TWONET_TOKEN=$TOKEN
	client_split case-submit
	t0=$(now)
	/usr/bin/time -f '%M %U %S' -o "$BENCH_TMP/rss" \
		case-submit --bulk --parallel 16 ${CS_OPTS:-} < "$BENCH_TMP/cases.ndjson" > /dev/null 2> "$BENCH_TMP/submit.err" || {
		echo "case-submit failed:"; tail -5 "$BENCH_TMP/submit.err"; exit 1; }
	t1=$(now)
	wait "$SPLIT" || true
	tn_secs=$(echo "$t1 - $t0" | bc -l)
	read -r tn_rss tn_user tn_sys < "$BENCH_TMP/rss"
	filed=$(sqlite3 "$1" 'select count(*) from cases')
	printf 'case-submit%s: %d cases in %.2f s = %.0f cases/s, peak RSS %d KiB, CPU %.2f s (%d filed; connections a worker %s)\n' \
		"${CS_OPTS:+ $CS_OPTS}" "$N" "$tn_secs" "$(echo "$N / $tn_secs" | bc -l)" "$tn_rss" "$(echo "$tn_user + $tn_sys" | bc -l)" "$filed" \
		"$(cat "$BENCH_TMP/split-case-submit" 2>/dev/null || echo '?')"
}

# theirs DB: curl --parallel with the same bodies and keys into a fresh database; sets curl_secs
theirs() {
	start_bench_server "$1" --workers "$WORKERS" ${SERVE_OPTS:-} 2>/dev/null
	TOKEN=$(twonetd token add --db "$1" --role admin --name bench)
	# one block per case; options do not carry over `next`, so each block names its headers
	jq -r --arg url "$URL/v1/cases" --arg tok "$TOKEN" '
		"url = \"\($url)\"\nheader = \"Authorization: Bearer \($tok)\"\nheader = \"Content-Type: application/json\"\nheader = \"Idempotency-Key: \(.key)\"\ndata = \(del(.key) | tojson | tojson)\noutput = \"/dev/null\"\nnext"' \
		"$BENCH_TMP/cases.ndjson" | sed '$d' > "$BENCH_TMP/curl.cfg"   # no "next" after the last
	client_split curl
	t0=$(now)
	/usr/bin/time -f '%U %S' -o "$BENCH_TMP/curl.time" \
		curl -sS --no-progress-meter --parallel --parallel-max 16 -K "$BENCH_TMP/curl.cfg"
	t1=$(now)
	wait "$SPLIT" || true
	curl_secs=$(echo "$t1 - $t0" | bc -l)
	read -r c_user c_sys < "$BENCH_TMP/curl.time"
	filed=$(sqlite3 "$1" 'select count(*) from cases')
	printf 'curl --parallel: %d cases in %.2f s = %.0f cases/s, CPU %.2f s (%d filed; connections a worker %s)\n' \
		"$N" "$curl_secs" "$(echo "$N / $curl_secs" | bc -l)" "$(echo "$c_user + $c_sys" | bc -l)" "$filed" \
		"$(cat "$BENCH_TMP/split-curl" 2>/dev/null || echo '?')"
	stop_bench_server
	curl_closed=$(balance_closes)
}

: > "$BENCH_TMP/ratios"
for round in $(seq 1 "$ROUNDS"); do
	echo "round $round of $ROUNDS"
	ours "$BENCH_TMP/a$round.db"
	if [ "$round" = 1 ]; then
		# RSS against input size: a tenth of the input, replayed (all idempotent hits)
		/usr/bin/time -f '%M' -o "$BENCH_TMP/rss-small" \
			case-submit --bulk --parallel 16 < "$BENCH_TMP/cases-small.ndjson" > /dev/null 2>&1 || true
		printf 'case-submit RSS: %d KiB for %d lines, %d KiB for %d lines\n' \
			"$(cat "$BENCH_TMP/rss-small")" $((N / 10)) "$tn_rss" "$N"
	fi
	stop_bench_server
	tn_closed=$(balance_closes)
	theirs "$BENCH_TMP/b$round.db"
	ratio=$(printf '%.2f' "$(echo "$curl_secs / $tn_secs" | bc -l)")
	echo "$ratio" >> "$BENCH_TMP/ratios"
	printf 'round %d: ratio case-submit/curl throughput: %s (connections closed to balance: %d of case-submit'"'"'s, %d of curl'"'"'s)\n' \
		"$round" "$ratio" "$tn_closed" "$curl_closed"
	rm -rf "$BENCH_TMP/a$round.db"* "$BENCH_TMP/b$round.db"*
done
sort -n "$BENCH_TMP/ratios" | awk -v n="$ROUNDS" '
	{ r[NR] = $1 }
	END { printf "ratio case-submit/curl throughput: %.2f (median of %d round%s; lowest %.2f, highest %.2f)\n",
		r[int((NR + 1) / 2)], n, n == 1 ? "" : "s", r[1], r[NR] }'

# the same protocol: case-submit one case a request, against curl in the same round
echo "round with case-submit --batch 1 (one case a request, as curl sends them)"
CS_OPTS="--batch 1" ours "$BENCH_TMP/d.db"
stop_bench_server
balance_closes > /dev/null
theirs "$BENCH_TMP/e.db"
printf 'ratio case-submit --batch 1/curl throughput: %.2f\n' "$(echo "$curl_secs / $tn_secs" | bc -l)"
rm -rf "$BENCH_TMP/d.db"* "$BENCH_TMP/e.db"*

# the server alone: wrk, a unique key a request, a fresh database
if command -v wrk >/dev/null; then
	start_bench_server "$BENCH_TMP/c.db" --workers "$WORKERS" ${SERVE_OPTS:-} 2>/dev/null
	TOKEN=$(twonetd token add --db "$BENCH_TMP/c.db" --role admin --name bench)
	head -1 "$BENCH_TMP/cases.ndjson" | jq -c 'del(.key)' > "$BENCH_TMP/body.json"
	# wrk's script: BODY_FILE posted with a unique Idempotency-Key a request; 201s counted
	cat > "$BENCH_TMP/submit.lua" <<'LUA'
local threads = {}
local counter = 1

function setup(thread)
	thread:set("tid", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

function init(args)
	local f = assert(io.open(os.getenv("BODY_FILE"), "r"))
	body = f:read("*a")
	f:close()
	prefix = (os.getenv("KEY_PREFIX") or "wrk") .. "-" .. tid .. "-"
	hdrs = {
		["Authorization"] = "Bearer " .. os.getenv("TOKEN"),
		["Content-Type"] = "application/json",
	}
	n = 0
	created, other = 0, 0
end

function request()
	n = n + 1
	hdrs["Idempotency-Key"] = prefix .. n
	return wrk.format("POST", "/v1/cases", hdrs, body)
end

function response(status, headers, resp)
	if status == 201 then created = created + 1 else other = other + 1 end
end

function done(summary, latency, requests)
	local c, o = 0, 0
	for _, t in ipairs(threads) do
		c = c + t:get("created")
		o = o + t:get("other")
	end
	io.write(string.format("wrk: %d filed (201), %d other\n", c, o))
end
LUA
	# how wrk's connections fell between the workers, one second in
	(sleep 1; worker_split > "$BENCH_TMP/split") &
	SPLIT_PID=$!
	BODY_FILE=$BENCH_TMP/body.json TOKEN=$TOKEN KEY_PREFIX=k$$ \
		wrk -t2 -c"$WRK_CONNS" -d"${WRK_SECS}s" -s "$BENCH_TMP/submit.lua" "$URL" \
		> "$BENCH_TMP/wrk.out" 2>&1 || { echo "wrk failed:"; cat "$BENCH_TMP/wrk.out"; exit 1; }
	[ -n "${SPLIT_PID:-}" ] && wait "$SPLIT_PID"
	# the workers' CPU time (user + system, clock ticks): filings per CPU-second, whatever
	# else the machine runs meanwhile
	ticks=0
	for pid in $(pgrep -P "$SERVER_PID"); do
		ticks=$((ticks + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
	done
	stop_bench_server
	filed=$(sqlite3 "$BENCH_TMP/c.db" 'select count(*) from cases')
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$BENCH_TMP/wrk.out")
	lat=$(awk '$1 == "Latency" { print $2 }' "$BENCH_TMP/wrk.out")
	printf 'server (wrk, %d connections, %d s): %.0f filings/s, mean latency %s, %d filed; %s' \
		"$WRK_CONNS" "$WRK_SECS" "$rps" "$lat" "$filed" "$(grep '^wrk:' "$BENCH_TMP/wrk.out")"
	echo
	cpu=$(echo "$ticks / $(getconf CLK_TCK)" | bc -l)
	printf 'server CPU: %.2f s for %d filings = %.0f filings per CPU-second (%.0f/s on %d cores)\n' \
		"$cpu" "$filed" "$(echo "$filed / $cpu" | bc -l)" "$(echo "$filed / $cpu * $(nproc)" | bc -l)" "$(nproc)"
	[ -s "$BENCH_TMP/split" ] && echo "connections a worker: $(cat "$BENCH_TMP/split")"
else
	echo "server (wrk): skipped, no wrk"
fi
