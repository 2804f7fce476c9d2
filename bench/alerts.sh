#!/bin/bash
# bench/alerts.sh [N] — post N alerts (default 200,000) to a local twonetd as
# fast as it takes them, while a follower reads the stream:
#   alert-tail --jq FILTER                      (ours)
#   curl -N .../stream | sed data: | jq FILTER  (the baseline)
# each in a run of its own, on the same load (FOLLOWERS=apart, the default: a
# user runs one of them), or both in the same runs (FOLLOWERS=together; on two
# cores each then pays for the other's CPU: the baseline's jq took half of what
# twonetd used, and cost alert-tail 3-5 ms of its in-step p99).
# The baseline's sed reads in blocks and writes each line at once (stdbuf -oL
# sed -n): `sed -u` reads one byte a read(2), and took a whole core, twice
# what twonetd used, from the posters and followers being measured.
# Each alert carries the time its batch was sent (in "text"); a small Perl
# line stamper after each follower notes when each line reached it.  Prints
# alerts per second posted and delivered, the latency from post to line
# (p50, p99, max), how the posters' and the followers' connections fell
# between the workers (from /proc), twonetd's CPU time an alert, alert-tail's
# peak RSS, and how the machine's time went meanwhile (busy, idle, and stolen by
# the host, when other guests had this virtual machine's cores: the rounds whose
# p99 stands out can be told from the others).  BENCH_KEEP=1 keeps each run's
# lines (tail-RATE-START.out, curl-...) and server log (twonetd-RATE-START.log).
# The stream part runs on fresh databases: saturated (the posters send
# as fast as the server answers; the latency is then mostly queueing behind
# the other posts on two shared cores), then paced at half the saturated rate
# (apart: alert-tail's saturated run's; the baseline's runs at the same rate)
# (each poster sends its batches on a fixed schedule and stamps them with the
# scheduled time, so a late send counts as latency, as in wrk2), twice: the
# posters staggered evenly over the period (the rate spread evenly), then in
# step (every poster's batch due at the same instant: the worst case).
# PACED="staggered" (or "step") runs one of the two.
#   WORKERS (2), POSTERS (2, parallel posting connections), BATCH (100 alerts
#   a request), RATE (alerts/s of the paced run; default half the saturated
#   rate; RATE=0 skips it), TWONET_BUILD (the build to use; default: the
#   source tree), SERVE_OPTS (more options for twonetd serve; --no-balance:
#   the kernel's placement of the connections alone).
# Then the rules (issue 16): RULES_N alerts (default 50,000) from 1,000 depth
# gauges posted to twonetd without rules and with the shipped rules (fresh
# databases, same input), each run three times: alerts raised per second,
# tasks made, and post-to-task latency (one alert a request: its task is
# stored in the alert's transaction, so the reply is when the task exists),
# p50/p99 over RULES_SINGLE (2,000) requests.  GAUGES (1000): fewer gauges raise
# more alerts each, so each window holds more of them (GAUGES=10: 5,000 a gauge).
# PART=rules runs this part only,
# PART=stream the first.
. "$(dirname "$0")/lib.sh"
BUILD=${TWONET_BUILD:-$TOP}
export PATH="$BUILD/bin:$BUILD/server:$PATH"
N=${1:-200000}
WORKERS=${WORKERS:-2}
POSTERS=${POSTERS:-2}
BATCH=${BATCH:-100}
FILTER='select(.kind == "water_depth" and .severity != "none") | "\(.id) \(.text)"'

# the poster: batches stamped with the time they are sent
cat >"$BENCH_TMP/post.pl" <<'PERL'
use strict; use warnings;
use IO::Socket::INET; use Socket qw(IPPROTO_TCP TCP_NODELAY); use Time::HiRes qw(time);
my ($url, $tok, $first, $count, $batch, $src, $gauges, $latf, $hi, $every, $done, $hold, $start) = @ARGV;
# EVERY: seconds between batches (paced); 0 or absent: as fast as answered.
# START: when the first batch is due (epoch seconds; 0 or absent: now).
# DONE (a FIFO) and HOLD (a file): when all is posted, say "ok" (or "fail" when it
# dies) on DONE, then keep the connection open until HOLD exists: the harness
# counts the connections a worker then, not while the alerts are measured.
if ($done) { $SIG{__DIE__} = sub { if (open my $f, '>>', $done) { print $f "fail\n"; close $f } } }
my $t0 = $start && $start > 0 ? $start : time; my $k = 0;
my $lat;
if ($latf) { open($lat, '>', $latf) or die "$latf: $!\n"; }
my ($host, $port) = $url =~ m{^http://([^:/]+):(\d+)} or die "url: $url\n";
# one keep-alive connection, the request in one write, no Nagle delay; a new one
# when a reply says "Connection: close" (twonetd evening out its workers' shares)
my $s;
sub reconnect { $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => 'tcp')
	or die "connect: $!\n"; setsockopt($s, IPPROTO_TCP, TCP_NODELAY, 1); }
reconnect();
my @sev = qw(blue yellow orange red);
for (my $i = $first; $i < $first + $count; $i += $batch) {
	my $last = $i + $batch - 1;
	$last = $first + $count - 1 if $last > $first + $count - 1;
	my $t;
	if ($every) {
		my $due = $t0 + $every * $k++;
		my $wait = $due - time;
		select(undef, undef, undef, $wait) if $wait > 0;
		$t = sprintf "%.6f", $due;
	} else {
		$t = sprintf "%.6f", time;
	}
	my $body = '{"alerts":[' . join(',', map { sprintf
		'{"source":"%s","source_id":"%d","kind":"water_depth","severity":"%s","district":"%s",'
		. '"location":{"lat":31.2397,"lon":121.4906,"address":"%s"},'
		. '"value":%.2f,"threshold":0.15,"unit":"m","headline":"外滩积水 %d","text":"%s"}',
		($gauges ? "$src-" . ($_ % $gauges) : $src), $_, $sev[$_ % 4],
		($_ % 2 ? "310101" : "310115"),
		($gauges ? "积水点" . ($_ % $gauges) : "中山东一路外滩"),
		(defined $hi && $hi ne "" ? ((($_ * 7919) % 100) < $hi ? 0.35 : 0.05) : ($_ % 60) / 100),
		$_, $t
	} ($i .. $last)) . ']}';
	my $req = "POST /v1/alerts HTTP/1.1\r\nHost: $host\r\nAuthorization: Bearer $tok\r\n"
		. "Content-Type: application/json\r\nContent-Length: " . length($body) . "\r\n\r\n" . $body;
	defined syswrite($s, $req) or die "write: $!\n";
	my $head = '';
	while ($head !~ /\r\n\r\n/) { sysread($s, $head, 65536, length $head) or die "read: $!\n"; }
	my ($h, $rest) = split /\r\n\r\n/, $head, 2;
	$h =~ m{^HTTP/1\.1 (\d+)} && $1 == 200 or die "post: $h\n";
	my ($len) = $h =~ /Content-Length: (\d+)/i;
	while (length($rest) < $len) { sysread($s, $rest, 65536, length $rest) or die "read: $!\n"; }
	printf $lat "%.3f\n", (time - $t) * 1000 if $lat;
	if ($h =~ /^Connection:\s*close\r?$/mi) { close($s); reconnect(); }
}
if ($done) {
	open my $f, '>>', $done or die "$done: $!\n"; print $f "ok\n"; close $f;
	select(undef, undef, undef, 0.01) until -e $hold;
}
PERL

# the stamper: "ARRIVAL LINE" for the first COUNT lines, then it exits
cat >"$BENCH_TMP/stamp.pl" <<'PERL'
use strict; use warnings; use Time::HiRes qw(time);
my $want = shift; my $n = 0; $| = 1;
while (my $l = <STDIN>) { printf "%.6f %s", time, $l; last if ++$n >= $want; }
PERL

# stream_run RATE [HOW [WHO]]: one run of the stream part (RATE alerts/s in all, 0: as
# fast as answered; HOW staggered or step; WHO the followers: tail, curl or both)
stream_run() {
local rate=$1 how=${2:-staggered} who=${3:-both} every=0 start=0 run=saturated
local tailer="" curler="" curl_pid="" fpids=""
[ "$rate" != 0 ] && every=$(echo "$BATCH * $POSTERS / $rate" | bc -l) && run=paced
[ "$how" = step ] && run=paced-in-step
rm -f "$BENCH_TMP/a.db" "$BENCH_TMP/a.db-wal" "$BENCH_TMP/a.db-shm" "$BENCH_TMP/sse" \
	"$BENCH_TMP/tail.out" "$BENCH_TMP/curl.out" "$BENCH_TMP/done" "$BENCH_TMP/hold" "$BENCH_TMP/rss"
mkfifo "$BENCH_TMP/done"
exec 3<>"$BENCH_TMP/done"       # read and write: open without waiting, no end of file
if [ "$rate" = 0 ]; then
	echo "bench/alerts: $N alerts, $POSTERS posters x batches of $BATCH, saturated, twonetd --workers $WORKERS, $(nproc) cores, following: $who"
else
	echo "bench/alerts: $N alerts, $POSTERS posters x batches of $BATCH, paced at $rate alerts/s ($([ "$how" = step ] && echo "posters in step" || echo "posters staggered evenly")), twonetd --workers $WORKERS, $(nproc) cores, following: $who"
fi
start_bench_server "$BENCH_TMP/a.db" --workers "$WORKERS" --rules none ${SERVE_OPTS:-}
SENSOR=$(twonetd token add --db "$BENCH_TMP/a.db" --role sensor --name bench-sensor)
OPERATOR=$(twonetd token add --db "$BENCH_TMP/a.db" --role operator --name bench-op)

pos=$(TWONET_URL=$URL TWONET_TOKEN=$OPERATOR alert-tail -n 1 --no-follow | jq '.seq // 0')
pos=${pos:-0}
# ours
if [ "$who" != curl ]; then
( TWONET_URL=$URL TWONET_TOKEN=$OPERATOR /usr/bin/time -f '%M' -o "$BENCH_TMP/rss" \
	alert-tail --after "$pos" --count "$N" --jq "$FILTER" |
	perl "$BENCH_TMP/stamp.pl" "$N" >"$BENCH_TMP/tail.out" ) &
tailer=$!
fi
# the baseline: curl into a FIFO, so that it can be stopped when all came
if [ "$who" != tail ]; then
mkfifo "$BENCH_TMP/sse"
curl -s -N -H "Authorization: Bearer $OPERATOR" -H "Last-Event-ID: $pos" "$URL/v1/alerts/stream" \
	>"$BENCH_TMP/sse" 2>/dev/null &
curl_pid=$!
( stdbuf -oL sed -n 's/^data: //p' <"$BENCH_TMP/sse" | jq --unbuffered -r "$FILTER" |
	perl "$BENCH_TMP/stamp.pl" "$N" >"$BENCH_TMP/curl.out" ) 2>/dev/null &
curler=$!
fi
sleep 1
# the followers' client processes (alert-tail under time(1), curl), for worker_split
[ -z "$tailer" ] || fpids="$(pgrep -x alert-tail -P "$(pgrep -P "$tailer" | paste -sd,)" | paste -sd' ')"
worker_split "$fpids $curl_pid" >"$BENCH_TMP/followers"      # before the clock starts

server_pids="$SERVER_PID $(pgrep -P "$SERVER_PID" | paste -sd' ')"
c0=$(worker_cpu "$server_pids")
m0=$(machine_snap)
t0=$(now)
# paced: one schedule for all posters, its first batch due once every poster has started;
# staggered, poster p's batches come p/POSTERS of the period after the first's (the rate
# spread evenly); in step, all posters' batches are due at the same instants (the worst
# case).  Left to each poster's own start, the phase between them was whatever their
# start-up made it, and it decided a round's p99 more than the server did (in step:
# 24 ms; 12 ms apart: 19 ms).
if [ "$rate" != 0 ]; then
	t0=$(echo "$t0 + 0.3" | bc -l)
	start=$t0
fi
per=$(( (N + POSTERS - 1) / POSTERS ))
pids=""
for p in $(seq 0 $((POSTERS - 1))); do
	first=$((p * per + 1)); count=$per
	[ $((first + count - 1)) -gt "$N" ] && count=$((N - first + 1))
	[ "$rate" != 0 ] && [ "$how" != step ] && start=$(echo "$t0 + $p * $every / $POSTERS" | bc -l)
	perl "$BENCH_TMP/post.pl" "$URL" "$SENSOR" "$first" "$count" "$BATCH" "bench" "" "" "" "$every" \
		"$BENCH_TMP/done" "$BENCH_TMP/hold" "$start" &
	pids="$pids $!"
done
# the posters say when they are done (a blocking read: no polling while alerts are measured)
for p in $(seq "$POSTERS"); do
	read -r -t 600 said <&3 || said=fail        # a poster that never started says nothing
	[ "$said" = ok ] || { touch "$BENCH_TMP/hold"; echo "a poster failed"; exit 1; }
done
t1=$(now)
if [ -n "$tailer" ]; then
	wait "$tailer" || true
else    # the baseline's last line (a poll: its pipe has no end to wait for)
	i=0
	while [ "$(wc -l <"$BENCH_TMP/curl.out")" -lt "$N" ] && [ $i -lt 12000 ]; do i=$((i + 1)); sleep 0.01; done
fi
c1=$(worker_cpu "$server_pids")       # the posts, and the streams' last lines
m1=$(machine_since "$m0")
i=0
while [ -n "$curler" ] && [ "$(wc -l <"$BENCH_TMP/curl.out")" -lt "$N" ] && [ $i -lt 1200 ]; do i=$((i + 1)); sleep 0.1; done
# how the posters' connections fell between the workers: counted now, with every alert
# delivered (counted half a second in, the 15 processes it takes delayed ~50 alerts by up
# to 13 ms and made the paced p99), the posters holding their connections open until told
worker_split "$pids" >"$BENCH_TMP/posters"
touch "$BENCH_TMP/hold"
for p in $pids; do wait "$p" || { echo "a poster failed"; exit 1; }; done
if [ -n "$curl_pid" ]; then kill "$curl_pid" 2>/dev/null || true; wait "$curler" 2>/dev/null || true; fi

stored=$(sqlite3 "$BENCH_TMP/a.db" "select count(*) from alerts")
post_secs=$(echo "$t1 - $t0" | bc -l)
printf 'posted: %d alerts in %.2f s = %.0f alerts/s (%d stored)\n' "$N" "$post_secs" \
	"$(echo "$N / $post_secs" | bc -l)" "$stored"

# report NAME FILE: delivery rate and post-to-line latency
report() {
	local lines first last
	lines=$(wc -l <"$2")
	if [ "$lines" = 0 ]; then echo "$1: nothing delivered"; return; fi
	last=$(sort -n "$2" | tail -1 | cut -d" " -f1)
	awk '{ sub(/^t=/, "", $3); printf "%.3f\n", ($1 - $3) * 1000 }' "$2" | sort -n >"$BENCH_TMP/lat"
	awk -v name="$1" -v n="$lines" -v total="$N" -v secs="$(echo "$last - $t0" | bc -l)" '
		{ lat[NR] = $1 }
		END {
			printf "%-10s delivered %d of %d in %.2f s = %.0f alerts/s; post to line p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
				name, n, total, secs, n / secs, lat[int(NR * 0.50) + 1], lat[int(NR * 0.99) + 1], lat[NR]
		}' "$BENCH_TMP/lat"
	awk -v name="$1" -v run="$run" -v stolen="${m1##*host }" \
		'{ lat[NR] = $1 } END { print run, name, lat[int(NR * 0.99) + 1], stolen }' \
		"$BENCH_TMP/lat" >>"$BENCH_TMP/p99s"
}
# the followers that ran; BENCH_KEEP: each run's lines stay (TIME ID SENT-TIME), named by
# the follower, the run's rate and its start
for f in ${tailer:+alert-tail:tail} ${curler:+curl+jq:curl}; do
	report "${f%%:*}" "$BENCH_TMP/${f#*:}.out"
	if [ -n "${BENCH_KEEP:-}" ]; then cp "$BENCH_TMP/${f#*:}.out" "$BENCH_TMP/${f#*:}-$rate-$t0.out"; fi
done
[ -s "$BENCH_TMP/posters" ] &&
	echo "connections a worker: posters $(cat "$BENCH_TMP/posters"), followers $(cat "$BENCH_TMP/followers")"
[ -z "$tailer" ] || printf 'alert-tail peak RSS: %s KiB\n' "$(cat "$BENCH_TMP/rss" 2>/dev/null || echo '?')"
# every id once, in order
for f in ${tailer:+alert-tail:tail} ${curler:+curl+jq:curl}; do
	if cut -d' ' -f2 "$BENCH_TMP/${f#*:}.out" | sort -n -c 2>/dev/null &&
	   [ "$(cut -d' ' -f2 "$BENCH_TMP/${f#*:}.out" | sort -u | wc -l)" = "$N" ]; then
		echo "${f%%:*}: every alert once, in order"
	else
		echo "${f%%:*}: ids out of order or missing"
	fi
done
awk '$3 == "POST" && $4 == "/v1/alerts" { print $6 }' "$BENCH_TMP/twonetd.log" | sort -n >"$BENCH_TMP/srv"
# the max too: one slow POST holds its poster's next ones, which p99 over POSTs hides
printf 'twonetd time per POST of %d: p50 %s ms, p99 %s ms, max %s ms\n' "$BATCH" \
	"$(awk '{ a[NR] = $1 } END { print a[int(NR * 0.5) + 1] }' "$BENCH_TMP/srv")" \
	"$(awk '{ a[NR] = $1 } END { print a[int(NR * 0.99) + 1] }' "$BENCH_TMP/srv")" \
	"$(tail -n 1 "$BENCH_TMP/srv")"
[ -n "${BENCH_KEEP:-}" ] && cp "$BENCH_TMP/twonetd.log" "$BENCH_TMP/twonetd-$rate-$t0.log"
printf 'twonetd CPU: %.0f us an alert (its processes, user + system, posting and streaming)\n' \
	"$(echo "($c1 - $c0) * 1000000 / $(getconf CLK_TCK) / $N" | bc -l)"
echo "$m1"
POSTED_RATE=$(echo "$N / $post_secs" | bc -l)
stop_bench_server
}

if [ "${PART:-all}" != rules ]; then
	for round in $(seq "${ROUNDS:-1}"); do
		[ "${ROUNDS:-1}" -gt 1 ] && echo "== round $round of $ROUNDS"
		# apart: each run once with each follower, on the same load
		whos="tail curl"; [ "${FOLLOWERS:-apart}" = together ] && whos=both
		lead=1
		for who in $whos; do
			[ $lead = 1 ] || echo
			stream_run 0 staggered "$who"
			if [ $lead = 1 ]; then rate=${RATE:-$(printf '%.0f' "$(echo "$POSTED_RATE / 2" | bc -l)")}; fi
			lead=0
		done
		if [ "$rate" != 0 ]; then
			for how in ${PACED:-staggered step}; do
				for who in $whos; do
					echo
					stream_run "$rate" "$how" "$who"
				done
			done
		fi
	done
	# ROUNDS > 1: each follower's p99 over the rounds, the median and the spread, then
	# each round's p99 with the share of the machine's time the host stole during it
	[ "${ROUNDS:-1}" -gt 1 ] && sort -k1,2 -k3n "$BENCH_TMP/p99s" | awk '
		{ k = $1 " " $2; v[k, ++n[k]] = $3; s[k, n[k]] = $4
		  if (!(k in seen)) { seen[k] = 1; order[++m] = k } }
		END { for (i = 1; i <= m; i++) { k = order[i]; c = n[k]; r = ""
			for (j = 1; j <= c; j++) r = r sprintf("%s%.2f (%s stolen)", j > 1 ? ", " : "", v[k, j], s[k, j])
			printf "%s post to line p99: median %.2f ms of %d rounds (lowest %.2f, highest %.2f): %s\n",
				k, v[k, int((c + 1) / 2)], c, v[k, 1], v[k, c], r } }'
fi

[ "${PART:-all}" = stream ] && exit 0

# ---- the rules: the same alerts without rules and with the shipped ones ----
[ -n "$SERVER_PID" ] && stop_bench_server
RULES_N=${RULES_N:-50000}
RULES_SINGLE=${RULES_SINGLE:-2000}
SHIPPED=$TOP/share/twonet/rules
echo
GAUGES=${GAUGES:-1000}
echo "bench/alerts rules: $RULES_N alerts from $GAUGES gauges, $POSTERS posters x $BATCH; then $RULES_SINGLE single posts; 3 runs each"
# pct FILE P: the P-th percentile of a sorted column
pct() { awk -v p="$2" '{ a[NR] = $1 } END { print a[int(NR * p) + 1] }' "$1"; }
# MIX: storm = every gauge flooding (depths 0..0.59 m, half of the readings at 30 cm or
# more: most alerts hold a window and update a task); typical = 5% of readings at 35 cm
for mix in storm typical; do
hi=""; [ "$mix" = typical ] && hi=5
for run in 1 2 3; do
	for rules in none "$SHIPPED"; do
		db="$BENCH_TMP/r-$mix-$run-$(basename "$rules").db"
		start_bench_server "$db" --workers "$WORKERS" --rules "$rules" ${SERVE_OPTS:-}
		S=$(twonetd token add --db "$db" --role sensor --name bench-sensor)
		t0=$(now)
		per=$(( (RULES_N + POSTERS - 1) / POSTERS ))
		pids=""
		for p in $(seq 0 $((POSTERS - 1))); do
			first=$((p * per + 1)); count=$per
			[ $((first + count - 1)) -gt "$RULES_N" ] && count=$((RULES_N - first + 1))
			perl "$BENCH_TMP/post.pl" "$URL" "$S" "$first" "$count" "$BATCH" "wd" "$GAUGES" "" "$hi" &
			pids="$pids $!"
		done
		for p in $pids; do wait "$p" || { echo "a poster failed"; exit 1; }; done
		t1=$(now)
		perl "$BENCH_TMP/post.pl" "$URL" "$S" $((RULES_N + 1)) "$RULES_SINGLE" 1 "wd" "$GAUGES" \
			"$BENCH_TMP/lat-$run" "$hi" || { echo "the single poster failed"; exit 1; }
		sort -n "$BENCH_TMP/lat-$run" >"$BENCH_TMP/lat-s"
		tasks=$(sqlite3 "$db" "select count(*) from tasks")
		updates=$(sqlite3 "$db" "select count(*) from alert_events where event = 'task'")
		printf '%-7s run %d %-5s %6.0f alerts/s raised; %d tasks (%d task events); one alert a request: p50 %s ms, p99 %s ms\n' \
			"$mix" "$run" "$([ "$rules" = none ] && echo none || echo rules)" \
			"$(echo "$RULES_N / ($t1 - $t0)" | bc -l)" "$tasks" "$updates" \
			"$(pct "$BENCH_TMP/lat-s" 0.5)" "$(pct "$BENCH_TMP/lat-s" 0.99)"
		stop_bench_server
	done
done
done
