#!/bin/bash
# bench/certs.sh [N] — e-certificates at scale (default N = 1,000,000):
#   1. scripts/gen-certs N: signing rate beside openssl speed sm2 x cores;
#   2. wrk (64 connections, random ids through a Lua script) on
#      GET /v1/certs/{id}?purpose=... of twonetd (every read audited) beside
#      wrk on nginx serving the same JSON texts as static files, in the same
#      run: requests/s of both, the ratio, p99, twonetd's CPU a read (its
#      workers' and audit writer's, from /proc: it moves less than requests/s);
#   3. cert-fetch --parallel 16 over 10,000 ids: certificates/s and SM2
#      verifications beside openssl speed sm2 verify x cores; then
#      cert-fetch --no-verify beside curl --parallel over the same URLs;
#   4. how many audit rows each commit wrote (the reads' group commit).
# Environment: CERTS_DB=FILE reuses (or keeps) the generated database;
# DURATION (default 15 s) per wrk run; WORKERS (default: cores) for twonetd;
# ROUNDS (default 1) pairs of wrk runs, twonetd then nginx: each ratio, then the median and the spread;
# SERVE_OPTS: more options for twonetd serve (--no-balance: the kernel's placement);
# CERTS_READS_ONLY=1 skips part 3 (the reads beside nginx and the commits only).
# CERTS_MIXED=RATE: while each twonetd round reads, one more connection posts
# RATE alerts a second (one a request): commits that change no certificate,
# as a served city's filings and alerts are; the alerts posted are counted.
# TWONET_BUILD=DIR takes the commands from a build folder (default: the tree).
# Prints figures; asserts nothing about time.
. "$(dirname "$0")/lib.sh"
N=${1:-1000000}
CORES=$(nproc)
DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-1}
WORKERS=${WORKERS:-$CORES}
SAMPLE=${SAMPLE:-100000}
FETCH=${FETCH:-10000}
for t in wrk nginx curl sqlite3 jq openssl; do
	command -v $t >/dev/null || { echo "bench/certs: needs $t"; exit 1; }
done
DB=${CERTS_DB:-$BENCH_TMP/certs.db}
echo "bench/certs: $N certificates, $CORES cores, twonetd --workers $WORKERS, $(openssl version)"

# ---- 1. generate ----
have=0
[ -f "$DB" ] && have=$(sqlite3 "$DB" "select count(*) from certs" 2>/dev/null || echo 0)
if [ "$have" -lt "$N" ]; then
	[ -f "$DB" ] || { twonetd init --db "$DB" >/dev/null && twonetd import catalog --db "$DB" >/dev/null; }
	t0=$(now)
	gen-certs --db "$DB" $((N - have)) 2>/dev/null
	t1=$(now)
	printf 'gen-certs: %d certificates in %.0f s\n' $((N - have)) "$(echo "$t1 - $t0" | bc -l)"
else
	twonetd init --db "$DB" >/dev/null     # a database kept from an older build: its schema brought up
	echo "gen-certs: reusing $DB ($have certificates)"
fi
sqlite3 "$DB" "select count(*) from items" | grep -qv '^0$' || twonetd import catalog --db "$DB" >/dev/null

# ---- a sample of ids, their JSON as static files for nginx ----
mkdir -p "$BENCH_TMP/www/v1/certs"
sqlite3 -separator $'\t' "$DB" <<SQL |
CREATE TEMP TABLE sample AS SELECT id FROM certs ORDER BY random() LIMIT $SAMPLE;
.output $BENCH_TMP/ids
SELECT id FROM sample;
.output
SELECT c.id, c.doc FROM certs c JOIN sample USING (id);
SQL
	awk -F '\t' -v dir="$BENCH_TMP/www/v1/certs" '{ f = dir "/" $1; printf "%s", $2 > f; close(f) }'
echo "static copies: $(ls "$BENCH_TMP/www/v1/certs" | wc -l) certificates, $(du -sh "$BENCH_TMP/www" | cut -f1)"
# what was just written (the database, ~200 MB of copies) to disk before anything is timed:
# else the kernel writes it out ~30 s later (vm.dirty_expire_centisecs), during the second
# round, and a write that extends a file waits for the file system's journal meanwhile
# (p99 of both servers 11-39 ms in that round, 6-8 ms in the others)
sync

random_reads "$BENCH_TMP/ids"

# wrk_run URL [header] [plain]: "requests/s p99 non-2xx" of a run; random ids unless `plain`
wrk_run() {
	local out script=(-s "$BENCH_TMP/random.lua")
	[ -n "${3:-}" ] && script=()
	out=$(wrk -t "$CORES" -c 64 -d "${DURATION}s" --latency "${script[@]}" ${2:+-H "$2"} "$1")
	echo "$out" > "$BENCH_TMP/wrk.last"
	local rps p99 non2xx
	rps=$(echo "$out" | awk '/^Requests\/sec/ { print $2 }')
	p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
	non2xx=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
	echo "$rps $p99 ${non2xx:-0}"
}

# ---- 2. twonetd beside nginx ----
rm -f "$BENCH_TMP/port"
TWONETD_AUDIT_STATS=1 twonetd serve --db "$DB" --listen 127.0.0.1:0 --port-file "$BENCH_TMP/port" --workers "$WORKERS" ${SERVE_OPTS:-} >/dev/null \
	2>"$BENCH_TMP/twonetd.log" &
SERVER_PID=$!
while [ ! -s "$BENCH_TMP/port" ]; do sleep 0.05; done
URL="http://127.0.0.1:$(cat "$BENCH_TMP/port")"
# its workers and audit writer (every thread), for the server's CPU a read
SERVER_PIDS=$(pgrep -P "$SERVER_PID" | paste -sd' ')
TOKEN=$(twonetd token add --db "$DB" --role admin --name bench-$$)
audit0=$(sqlite_db "$DB" "select count(*) from audit")

NGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18642)
mkdir -p "$BENCH_TMP/nginx"
cat > "$BENCH_TMP/nginx/nginx.conf" <<CONF
worker_processes $CORES;
daemon off;
$( [ "$(id -u)" = 0 ] && echo "user $(id -un) $(id -gn);" )
pid $BENCH_TMP/nginx/nginx.pid;
error_log $BENCH_TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $BENCH_TMP/nginx/body;
	proxy_temp_path $BENCH_TMP/nginx/proxy;
	fastcgi_temp_path $BENCH_TMP/nginx/fastcgi;
	uwsgi_temp_path $BENCH_TMP/nginx/uwsgi;
	scgi_temp_path $BENCH_TMP/nginx/scgi;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$NGPORT;
		root $BENCH_TMP/www;
		default_type application/json;
		location / { }
	}
}
CONF
nginx -c "$BENCH_TMP/nginx/nginx.conf" -p "$BENCH_TMP/nginx" 2>"$BENCH_TMP/nginx/stderr" &
NGINX_PID=$!
trap 'kill -TERM $NGINX_PID 2>/dev/null || true; cleanup' EXIT
for i in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$NGPORT/v1/certs/$(head -n1 "$IDS_FILE")" && break; sleep 0.05; done
curl -sf -o "$BENCH_TMP/a.json" "http://127.0.0.1:$NGPORT/v1/certs/$(head -n1 "$IDS_FILE")" &&
curl -sf -H "Authorization: Bearer $TOKEN" -o "$BENCH_TMP/b.json" "$URL/v1/certs/$(head -n1 "$IDS_FILE")?purpose=check" &&
cmp -s "$BENCH_TMP/a.json" "$BENCH_TMP/b.json" && echo "nginx and twonetd serve the same bytes ($(wc -c < "$BENCH_TMP/a.json") bytes a certificate)"

# the largest the audit log's write-ahead log grew during the reads, sampled each second
( m=0; while :; do z=$(stat -c %s "$DB.audit-wal" 2>/dev/null || echo 0); [ "$z" -gt "$m" ] && m=$z
	echo "$m" > "$BENCH_TMP/walmax"; sleep 1; done ) &
WALMAX_PID=$!
# CERTS_MIXED: an alert poster on one kept-alive connection, RATE a second for SECONDS
cat > "$BENCH_TMP/poster.pl" <<'PERL'
use strict; use warnings; use IO::Socket::INET; use Time::HiRes qw(time sleep);
my ($port, $tok, $rate, $secs) = @ARGV;
my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port") or die "connect: $!\n";
my ($t0, $n) = (time, 0);
while (time < $t0 + $secs) {
	my $wait = $t0 + $n / $rate - time;
	sleep($wait) if $wait > 0;
	my $body = sprintf '{"alerts":[{"source":"bench-mixed","source_id":"%d","kind":"water_depth",'
		. '"severity":"blue","district":"310101","location":{"lat":31.2397,"lon":121.4906,'
		. '"address":"中山东一路外滩"},"value":0.2,"threshold":0.15,"unit":"m","headline":"外滩积水"}]}', $n;
	print $s "POST /v1/alerts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer $tok\r\n"
		. "Content-Type: application/json\r\nContent-Length: " . length($body) . "\r\n\r\n" . $body;
	my $head = '';
	while ($head !~ /\r\n\r\n/) { sysread($s, $head, 65536, length $head) or die "read: $!\n"; }
	my ($h, $rest) = split /\r\n\r\n/, $head, 2;
	$h =~ m{^HTTP/1\.1 200} or die "post: $h\n";
	my ($len) = $h =~ /Content-Length: (\d+)/i;
	while (length($rest) < $len) { sysread($s, $rest, 65536, length $rest) or die "read: $!\n"; }
	$n++;
}
print "$n\n";
PERL
# ROUNDS pairs (twonetd, then nginx), each pair's ratio; the median and the spread
printf 'wrk GET /v1/certs/{id}, 64 connections, %d s, random ids of %d:\n' "$DURATION" "$(wc -l < "$IDS_FILE")"
ratios=""
for round in $(seq "$ROUNDS"); do
	if [ -n "${CERTS_MIXED:-}" ]; then
		perl "$BENCH_TMP/poster.pl" "${URL##*:}" "$TOKEN" "$CERTS_MIXED" "$DURATION" >"$BENCH_TMP/posted" &
		POSTER_PID=$!
	fi
	c0=$(worker_cpu "$SERVER_PIDS")
	read -r tn_rps tn_p99 tn_bad < <(wrk_run "$URL" "Authorization: Bearer $TOKEN")
	c1=$(worker_cpu "$SERVER_PIDS")
	tn_done=$(awk '/requests in/ { print $1 }' "$BENCH_TMP/wrk.last")
	[ -n "${CERTS_MIXED:-}" ] && wait "$POSTER_PID"
	read -r ng_rps ng_p99 ng_bad < <(wrk_run "http://127.0.0.1:$NGPORT")
	ratio=$(echo "100 * $tn_rps / $ng_rps" | bc -l)
	ratios="$ratios $ratio"
	[ "$ROUNDS" -gt 1 ] && printf 'round %d of %d:\n' "$round" "$ROUNDS"
	printf '  twonetd (audited reads): %10.0f req/s  p99 %-8s  non-2xx %s  (%d replies, %.1f us of server CPU each)\n' \
		"$tn_rps" "$tn_p99" "$tn_bad" "$tn_done" "$(echo "($c1 - $c0) * 1000000 / $(getconf CLK_TCK) / $tn_done" | bc -l)"
	[ -n "${CERTS_MIXED:-}" ] && printf '    beside them, on one more connection: %d alerts posted (CERTS_MIXED=%s a second)\n' \
		"$(cat "$BENCH_TMP/posted")" "$CERTS_MIXED"
	printf '  nginx static files:      %10.0f req/s  p99 %-8s  non-2xx %s\n' "$ng_rps" "$ng_p99" "$ng_bad"
	printf '  ratio twonetd / nginx:   %.0f%%\n' "$ratio"
	done_all=$((${done_all:-0} + tn_done))
done
kill $WALMAX_PID 2>/dev/null; wait $WALMAX_PID 2>/dev/null || true
audit1=$(sqlite_db "$DB" "select count(*) from audit")
[ "$ROUNDS" -gt 1 ] && echo "$ratios" | tr ' ' '\n' | grep . | sort -n |
	awk '{ r[NR] = $1 } END { printf "ratio twonetd / nginx: %.0f%% (median of %d rounds; lowest %.0f%%, highest %.0f%%)\n", r[int((NR + 1) / 2)], NR, r[1], r[NR] }'
printf 'audit rows +%d for %d replies (every read audited; the check read and wrk'"'"'s last in flight add a few)\n' \
	$((audit1 - audit0)) "$done_all"
# how far this HTTP layer goes without a database or an audit row, beside nginx in the same run:
# a 404 problem (routing, the reply, the log line) and /v1/health (one database check)
read -r nope_rps nope_p99 nope_bad < <(wrk_run "$URL/v1/nope" "Authorization: Bearer $TOKEN" plain)
read -r health_rps health_p99 health_bad < <(wrk_run "$URL/v1/health" "" plain)
read -r ng_rps ng_p99 ng_bad < <(wrk_run "http://127.0.0.1:$NGPORT")
kill -TERM $NGINX_PID 2>/dev/null || true; wait $NGINX_PID 2>/dev/null || true
printf 'the server without the reads'"'"' own work, same run: GET /v1/nope (404) %.0f req/s = %.0f%% of nginx (%.0f); GET /v1/health %.0f req/s = %.0f%%\n' \
	"$nope_rps" "$(echo "100 * $nope_rps / $ng_rps" | bc -l)" "$ng_rps" "$health_rps" "$(echo "100 * $health_rps / $ng_rps" | bc -l)"
# the log file stays under TWONETD_WAL_LIMIT_PAGES (it grew ~33 MB a second without end before)
printf '  audit log write-ahead log, largest during the reads: %.0f MB (limit %s pages)\n' \
	"$(echo "$(cat "$BENCH_TMP/walmax" 2>/dev/null || echo 0) / 1000000" | bc -l)" "${TWONETD_WAL_LIMIT_PAGES:-65536}"

# ---- 3. cert-fetch --parallel 16 over 10,000 ids ----
if [ -z "${CERTS_READS_ONLY:-}" ]; then
head -n "$FETCH" "$IDS_FILE" > "$BENCH_TMP/fetch.ids"
export TWONET_URL=$URL TWONET_TOKEN=$TOKEN XDG_CACHE_HOME=$BENCH_TMP/cache
speed=$(openssl speed -seconds 3 sm2 2>/dev/null | awk '/SM2/ { print $NF }')
cert-fetch --purpose warm --no-verify --format ndjson "$(head -n1 "$BENCH_TMP/fetch.ids")" >/dev/null
t0=$(now)
cert-fetch --purpose bench --parallel 16 --format ndjson -v - < "$BENCH_TMP/fetch.ids" > "$BENCH_TMP/fetched" 2>"$BENCH_TMP/fetch.err" || true
t1=$(now)
secs=$(echo "$t1 - $t0" | bc -l)
rate=$(echo "$FETCH / $secs" | bc -l)
valid=$(jq -c 'select(.verification.valid)' "$BENCH_TMP/fetched" | wc -l)
printf 'cert-fetch --parallel 16: %d certificates in %.2f s = %.0f/s (%d valid; %s)\n' \
	"$FETCH" "$secs" "$rate" "$valid" "$(grep -o '[0-9]* SM2 verification[s]*' "$BENCH_TMP/fetch.err" || echo '? SM2')"
printf '  openssl speed sm2 verify: %.0f/s on one core x %d = %.0f/s; cert-fetch = %.0f%% of it\n' \
	"$speed" "$CORES" "$(echo "$speed * $CORES" | bc -l)" "$(echo "100 * $rate / ($speed * $CORES)" | bc -l)"

t0=$(now)
cert-fetch --purpose bench --parallel 16 --no-verify --format ndjson - < "$BENCH_TMP/fetch.ids" > /dev/null 2>&1 || true
t1=$(now)
nv=$(echo "$t1 - $t0" | bc -l)
awk -v url="$URL" -v tok="$TOKEN" '{ printf "url = \"%s/v1/certs/%s?purpose=bench\"\noutput = \"/dev/null\"\n", url, $1 }' \
	"$BENCH_TMP/fetch.ids" > "$BENCH_TMP/curl.cfg"
t0=$(now)
curl -sS --no-progress-meter --parallel --parallel-max 16 -H "Authorization: Bearer $TOKEN" -K "$BENCH_TMP/curl.cfg" 2>"$BENCH_TMP/curl.err"
t1=$(now)
cu=$(echo "$t1 - $t0" | bc -l)
printf 'cert-fetch --no-verify --parallel 16: %.2f s = %.0f/s; curl --parallel --parallel-max 16: %.2f s = %.0f/s; ratio %.0f%%\n' \
	"$nv" "$(echo "$FETCH / $nv" | bc -l)" "$cu" "$(echo "$FETCH / $cu" | bc -l)" "$(echo "100 * $cu / $nv" | bc -l)"
fi

# ---- the group commit of the audit rows (each worker logs its count at the end) ----
stop_bench_server
awk '/audit: [0-9]+ rows in [0-9]+ transactions/ { r += $3; t += $6; h += $12; w += $16
		if (match($0, /started over [0-9]+/)) o += substr($0, RSTART + 13, RLENGTH - 13)
		if (match($0, /held the writers [0-9.]+/) && substr($0, RSTART + 17, RLENGTH - 17) + 0 > m) m = substr($0, RSTART + 17, RLENGTH - 17) + 0 }
	END { if (t) printf "audit rows: %d in %d transactions (%.1f a commit); the write lock held %.2f s, waited for %.2f s; logs started over %d times (all workers; the longest held the writers %.1f ms)\n", r, t, r / t, h, w, o, m }' \
	"$BENCH_TMP/twonetd.log"
awk '/certificate reads: [0-9]+, [0-9]+ of them/ { r += $4; m += $5 }
	END { if (r) printf "certificate reads: %d, %d of them from the database (%.1f%%; the rest from the workers'"'"' caches)\n", r, m, 100 * m / r }' \
	"$BENCH_TMP/twonetd.log"
