#!/bin/bash
# bench/scale.sh — twonetd on SQLite (one instance) beside PostgreSQL (1, 2 and 4
# instances serving one database), in one run:
#   a. case filing: case-submit --bulk over CASES generated cases, 8 requests in
#      flight in all (the input split into one shard a instance, 8/I each);
#   b. audited certificate reads: cert-fetch --no-verify of READS ids, 16 in
#      flight in all (one shard a instance);
#   c. alert fan-out: ALERTS alerts posted (batches of 10, one poster a
#      instance) while FOLLOWERS alert-tail followers (round-robin over the
#      instances) read the stream: post-to-line latency p50/p99 over every
#      line every follower got, and alerts/s;
#   d. PostgreSQL at scale: bench/twonetd-gen-certs for GEN_SECONDS (default
#      180), then wrk (64 connections, then 4; random ids, DURATION s) on
#      GET /v1/certs/{id} of one instance: p50/p99, and pg_database_size,
#      extrapolated to 10,000,000 and 92,000,000 certificates.
# Environment: CASES (10000), READS (20000), ALERTS (5000), FOLLOWERS (8),
# GEN_SECONDS (180), DURATION (20), WORKERS (1 worker process a instance).
# The PostgreSQL cluster is a throwaway one in the scratch folder (initdb,
# unix socket, fsync off; as root it runs as the user twonet-pg).
# Prints figures; asserts nothing about time.
. "$(dirname "$0")/lib.sh"
export PATH="$TOP/bench:$PATH"
CASES=${CASES:-10000}
READS=${READS:-20000}
ALERTS=${ALERTS:-5000}
FOLLOWERS=${FOLLOWERS:-8}
GEN_SECONDS=${GEN_SECONDS:-180}
DURATION=${DURATION:-20}
WORKERS=${WORKERS:-1}
for t in wrk curl jq perl sqlite3 bc; do
	command -v $t >/dev/null || { echo "bench/scale: needs $t"; exit 1; }
done
PIDS=""           # the twonetd instances of the current round
PG_BIN="" PG_DIR="$BENCH_TMP/pg" PG_PORT=""
PG_USER=${PG_USER:-twonet-pg}

# ---- a throwaway PostgreSQL cluster (the approach of tests/cli/pg-lib.sh) ----
pg_as() { if [ "$(id -u)" -eq 0 ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi; }
pg_start() {
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[ -x "$d/initdb" ] && { PG_BIN=$d; break; }
	done
	[ -n "$PG_BIN" ] || { echo "bench/scale: no PostgreSQL (scripts/install-deps)"; exit 1; }
	mkdir -p "$PG_DIR"
	[ "$(id -u)" -eq 0 ] && { chmod o+x "$BENCH_TMP"; chown "$PG_USER" "$PG_DIR"; }
	PG_PORT=$(( 20000 + RANDOM % 30000 ))
	(cd "$PG_DIR" && pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U twonet -A trust -E UTF8 \
		--locale=C --no-sync) >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; exit 1; }
	cat >>"$PG_DIR/data/postgresql.conf" <<-EOF
	listen_addresses = ''
	port = $PG_PORT
	unix_socket_directories = '$PG_DIR'
	max_connections = 300
	fsync = off
	synchronous_commit = off
	full_page_writes = off
	shared_buffers = 256MB
	EOF
	(cd "$PG_DIR" && pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start) \
		>/dev/null 2>&1 || { cat "$PG_DIR/server.log"; exit 1; }
}
pg_stop() {
	[ -n "$PG_PORT" ] && (cd "$PG_DIR" && pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop) \
		>/dev/null 2>&1
	PG_PORT=""
}
pg_uri() { echo "postgresql://twonet@/$1?host=$PG_DIR&port=$PG_PORT"; }
pg_sql() { "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
stop_all() {
	local p
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	PIDS=""
}
trap 'stop_all; pg_stop; cleanup' EXIT

# db_count DB SQL: one number from SQLite or PostgreSQL
db_q() { case $1 in postgresql:*) pg_sql "$1" "$2" ;; *) sqlite_db "$1" "$2" ;; esac; }

# serve DB N: N instances of twonetd serve on DB; sets URLS (space-separated)
serve() {
	local db=$1 n=$2 i
	URLS=""
	for i in $(seq 1 "$n"); do
		rm -f "$BENCH_TMP/port$i"
		twonetd serve --db "$db" --listen 127.0.0.1:0 --port-file "$BENCH_TMP/port$i" \
			--workers "$WORKERS" >/dev/null 2>>"$BENCH_TMP/twonetd$i.log" &
		PIDS="$PIDS $!"
	done
	for i in $(seq 1 "$n"); do
		while [ ! -s "$BENCH_TMP/port$i" ]; do sleep 0.05; done
		URLS="$URLS http://127.0.0.1:$(cat "$BENCH_TMP/port$i")"
	done
}

# fresh DB: init, catalog, tokens (ADMIN, SENSOR, OPERATOR), 3000 certificates
fresh() {
	export TWONETD_STATE=$BENCH_TMP/state-$((++ROUNDS))
	twonetd init --db "$1" >/dev/null
	twonetd import catalog --db "$1" >/dev/null
	ADMIN=$(twonetd token add --db "$1" --role admin --name bench-admin)
	SENSOR=$(twonetd token add --db "$1" --role sensor --name bench-sensor)
	OPERATOR=$(twonetd token add --db "$1" --role operator --name bench-op)
	twonetd-gen-certs --db "$1" 3000 >/dev/null 2>&1
}

# shards FILE N: FILE.1 .. FILE.N, lines dealt round-robin
shards() { rm -f "$1".[0-9]*; awk -v n="$2" -v f="$1" '{ print > (f "." (NR - 1) % n + 1) }' "$1"; }

# parallel_run N CMD...: CMD with $URL set to instance i, shard i on stdin, all at once
parallel_run() {
	local n=$1 i=1 u pids=""; shift
	for u in $URLS; do
		TWONET_URL=$u "$@" <"$IN.$i" >/dev/null 2>>"$BENCH_TMP/client.err" &
		pids="$pids $!"; i=$((i + 1))
	done
	for p in $pids; do wait "$p" || true; done
}

# the poster and the line stamper of bench/alerts.sh
cat >"$BENCH_TMP/post.pl" <<'PERL'
use strict; use warnings;
use IO::Socket::INET; use Socket qw(IPPROTO_TCP TCP_NODELAY); use Time::HiRes qw(time sleep);
my ($url, $tok, $first, $count, $batch, $src, $gap) = @ARGV;
my ($host, $port) = $url =~ m{^http://([^:/]+):(\d+)} or die "url: $url\n";
# a new connection when a reply says "Connection: close" (twonetd evening out its workers)
my $s;
sub reconnect { $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => 'tcp')
	or die "connect: $!\n"; setsockopt($s, IPPROTO_TCP, TCP_NODELAY, 1); }
reconnect();
for (my $i = $first; $i < $first + $count; $i += $batch) {
	my $last = $i + $batch - 1;
	$last = $first + $count - 1 if $last > $first + $count - 1;
	my $t = sprintf "%.6f", time;
	my $body = '{"alerts":[' . join(',', map { sprintf
		'{"source":"%s","source_id":"%d","kind":"water_depth","severity":"yellow","district":"310101",'
		. '"location":{"lat":31.2397,"lon":121.4906},"value":0.3,"threshold":0.15,"unit":"m",'
		. '"headline":"bench %d","text":"%s"}', $src, $_, $_, $t } ($i .. $last)) . ']}';
	my $req = "POST /v1/alerts HTTP/1.1\r\nHost: $host\r\nAuthorization: Bearer $tok\r\n"
		. "Content-Type: application/json\r\nContent-Length: " . length($body) . "\r\n\r\n" . $body;
	defined syswrite($s, $req) or die "write: $!\n";
	my $head = '';
	while ($head !~ /\r\n\r\n/) { sysread($s, $head, 65536, length $head) or die "read: $!\n"; }
	my ($h, $rest) = split /\r\n\r\n/, $head, 2;
	$h =~ m{^HTTP/1\.1 (\d+)} && $1 == 200 or die "post: $h\n";
	my ($len) = $h =~ /Content-Length: (\d+)/i;
	while (length($rest) < $len) { sysread($s, $rest, 65536, length $rest) or die "read: $!\n"; }
	if ($h =~ /^Connection:\s*close\r?$/mi) { close($s); reconnect(); }
	sleep $gap if $gap > 0;
}
PERL
cat >"$BENCH_TMP/stamp.pl" <<'PERL'
use strict; use warnings; use Time::HiRes qw(time);
my $want = shift; my $n = 0; $| = 1;
while (my $l = <STDIN>) { printf "%.6f %s", time, $l; last if ++$n >= $want; }
PERL

# pct FILE: "p50 p99" of the numbers in FILE
pct() { sort -n "$1" | awk '{ a[NR] = $1 } END { if (NR) printf "%.1f %.1f\n", a[int(NR * 0.5) + 1], a[int(NR * 0.99) + 1]; else print "? ?" }'; }

# round LABEL DB N: the three measures on DB served by N instances
round() {
	local label=$1 db=$2 n=$3 t0 t1 s u i pos pids="" tails="" per
	fresh "$db"
	serve "$db" "$n"
	export TWONET_TOKEN=$ADMIN XDG_CACHE_HOME=$BENCH_TMP/cache
	# a. case filing
	IN=$BENCH_TMP/cases; shards "$IN" "$n"
	t0=$(now)
	parallel_run "$n" case-submit --bulk --parallel $(( (8 + n - 1) / n ))
	t1=$(now); s=$(echo "$t1 - $t0" | bc -l)
	A="$(printf '%6.0f cases/s (%d filed)' "$(echo "$CASES / $s" | bc -l)" "$(db_q "$db" 'select count(*) from cases')")"
	# b. audited reads
	db_q "$db" "select id from certs" | awk -v m="$READS" '{ a[NR] = $1 } END { srand(7); for (i = 0; i < m; i++) print a[int(rand() * NR) + 1] }' >"$BENCH_TMP/ids"
	IN=$BENCH_TMP/ids; shards "$IN" "$n"
	local a0; a0=$(db_q "$db" 'select count(*) from audit')
	t0=$(now)
	parallel_run "$n" cert-fetch --no-verify --purpose bench --format ndjson --parallel $(( (16 + n - 1) / n )) -
	t1=$(now); s=$(echo "$t1 - $t0" | bc -l)
	B="$(printf '%6.0f reads/s (+%d audit rows)' "$(echo "$READS / $s" | bc -l)" $(( $(db_q "$db" 'select count(*) from audit') - a0 )))"
	# c. alert fan-out
	set -- $URLS
	pos=$(TWONET_URL=$1 TWONET_TOKEN=$OPERATOR alert-tail -n 1 --no-follow 2>/dev/null | jq '.seq // 0' || echo 0)
	for i in $(seq 1 "$FOLLOWERS"); do
		u=$(echo $URLS | cut -d' ' -f$(( (i - 1) % n + 1 )))
		( TWONET_URL=$u TWONET_TOKEN=$OPERATOR alert-tail --after "${pos:-0}" --count "$ALERTS" \
			--jq '"\(.id) \(.text)"' 2>/dev/null | perl "$BENCH_TMP/stamp.pl" "$ALERTS" >"$BENCH_TMP/tail$i" ) &
		tails="$tails $!"
	done
	sleep 1
	per=$(( ALERTS / n )); i=0
	t0=$(now)
	for u in $URLS; do
		perl "$BENCH_TMP/post.pl" "$u" "$SENSOR" $((i * per + 1)) "$per" 10 "b$i" 0 &
		pids="$pids $!"; i=$((i + 1))
	done
	for p in $pids; do wait "$p" || echo "a poster failed"; done
	t1=$(now)
	# the followers stop after ALERTS lines; a minute at most
	for i in $(seq 600); do
		s=0; for p in $tails; do kill -0 "$p" 2>/dev/null && s=1; done
		[ $s = 0 ] && break; sleep 0.1
	done
	for p in $tails; do pkill -TERM -P "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	cat "$BENCH_TMP"/tail[0-9]* | awk '{ printf "%.3f\n", ($1 - $3) * 1000 }' >"$BENCH_TMP/lat"
	local got last; got=$(wc -l <"$BENCH_TMP/lat")
	last=$(cat "$BENCH_TMP"/tail[0-9]* | sort -n | tail -1 | cut -d' ' -f1)
	read -r p50 p99 < <(pct "$BENCH_TMP/lat")
	C="$(printf '%5.0f posted/s, %d of %d lines, p50 %s ms p99 %s ms, %.0f lines/s' \
		"$(echo "$((per * n)) / ($t1 - $t0)" | bc -l)" "$got" $((per * n * FOLLOWERS)) "$p50" "$p99" \
		"$(echo "$got / (${last:-$t1} - $t0)" | bc -l)")"
	printf '%-16s a. %s\n%-16s b. %s\n%-16s c. %s\n' "$label" "$A" "" "$B" "" "$C"
	rm -f "$BENCH_TMP"/tail[0-9]*
	stop_all
	unset TWONET_TOKEN
}

echo "bench/scale: $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  NOTE: a shared machine: other helpers run test suites at the same time; figures are noisy lower bounds"
pg_start
echo "  PostgreSQL $("$PG_BIN/postgres" --version | awk "{ print \$3 }") (throwaway cluster, unix socket, fsync off, shared_buffers 256MB);" \
	"twonetd --workers $WORKERS a instance"
echo "  a. case-submit --bulk, $CASES cases, 8 in flight in all; b. cert-fetch --no-verify, $READS reads of 3000 certificates," \
	"16 in flight in all; c. $ALERTS alerts (batches of 10) to $FOLLOWERS alert-tail followers, post to line"
gen-cases "$CASES" >"$BENCH_TMP/cases"
ROUNDS=0
round "SQLite x1" "$BENCH_TMP/s.db" 1
for n in 1 2 4; do
	"$PG_BIN/createdb" -h "$PG_DIR" -p "$PG_PORT" -U twonet "r$n"
	round "PostgreSQL x$n" "$(pg_uri "r$n")" "$n"
	"$PG_BIN/dropdb" -h "$PG_DIR" -p "$PG_PORT" -U twonet "r$n"
done

# ---- d. certificates at scale in PostgreSQL ----
"$PG_BIN/createdb" -h "$PG_DIR" -p "$PG_PORT" -U twonet big
DB=$(pg_uri big)
export TWONETD_STATE=$BENCH_TMP/state-big
twonetd init --db "$DB" >/dev/null
twonetd import catalog --db "$DB" >/dev/null
ADMIN=$(twonetd token add --db "$DB" --role admin --name bench-admin)
size0=$(pg_sql "$DB" 'select pg_database_size(current_database())')
timeout -s TERM "$GEN_SECONDS" twonetd-gen-certs --db "$DB" 10000000 >/dev/null 2>"$BENCH_TMP/gen.err" || true
count=$(pg_sql "$DB" 'select count(*) from certs')
size=$(pg_sql "$DB" 'select pg_database_size(current_database())')
printf 'd. twonetd-gen-certs into PostgreSQL for %d s: %d certificates (%.0f/s); pg_database_size %.0f MB, %.0f bytes a certificate (beside the empty database)\n' \
	"$GEN_SECONDS" "$count" "$(echo "$count / $GEN_SECONDS" | bc -l)" "$(echo "$size / 1048576" | bc -l)" \
	"$(echo "($size - $size0) / $count" | bc -l)"
printf '   extrapolated: 10,000,000 certificates = %.1f GB, %.1f h of generation here; 92,000,000 = %.0f GB\n' \
	"$(echo "($size - $size0) / $count * 10000000 / 1073741824" | bc -l)" "$(echo "10000000 / ($count / $GEN_SECONDS) / 3600" | bc -l)" \
	"$(echo "($size - $size0) / $count * 92000000 / 1073741824" | bc -l)"
pg_sql "$DB" "select id from certs order by random() limit 100000" >"$BENCH_TMP/ids"
random_reads "$BENCH_TMP/ids"
WORKERS=$(nproc) serve "$DB" 1
printf '   wrk GET /v1/certs/{id} (audited), random ids of %d, one instance --workers %d, %d s a run:\n' \
	"$(wc -l <"$IDS_FILE")" "$(nproc)" "$DURATION"
# 64 connections (the issue's), then 4 (latency without the queue)
for c in 64 4; do
	out=$(wrk -t 2 -c $c -d "${DURATION}s" --latency -s "$BENCH_TMP/random.lua" -H "Authorization: Bearer $ADMIN" $URLS)
	printf '   %2d connections: %s req/s; latency p50 %s, p90 %s, p99 %s; non-2xx %s\n' "$c" \
		"$(echo "$out" | awk '/^Requests\/sec/ { print $2 }')" "$(echo "$out" | awk '$1 == "50%" { print $2 }')" \
		"$(echo "$out" | awk '$1 == "90%" { print $2 }')" "$(echo "$out" | awk '$1 == "99%" { print $2 }')" \
		"$(echo "$out" | awk '/Non-2xx/ { print $NF }' | grep . || echo 0)"
done
stop_all
printf '   after: %d audit rows; pg_database_size %.0f MB\n' "$(pg_sql "$DB" 'select count(*) from audit')" \
	"$(echo "$(pg_sql "$DB" 'select pg_database_size(current_database())') / 1048576" | bc -l)"
