#!/bin/bash
# bench/ops.sh — the operations commands of issue 14 timed beside what a user
# would type instead (curl, jq, sqlite3), in one run, on one twonetd of our own:
#   1. cert-issue --bulk -p 1 and -p 8 over N_ISSUE certificates (NDJSON) beside
#      a shell loop of curl POSTs and xargs -P8 curl (each with Idempotency-Key,
#      each on its own N_ISSUE certificates); then a replay of cert-issue's input:
#      the certificates in the database before and after (nothing issued twice);
#   2. cert-revoke - over N_REVOKE ids beside a curl loop over N_REVOKE others;
#   3. alert-act dispatch - over N_ALERTS alerts (posted with alert-post --bulk):
#      ids alone from alert-list --all --jq .id, and NDJSON with seq from
#      alert-list --all, beside a curl loop over N_ALERTS others;
#   4. cert-audit --all over the audit log after N_READS certificate reads
#      beside curl following the pages + jq; cert-audit's peak RSS at half the
#      log and at the full log (constant memory);
#   5. token list with N_TOKENS tokens beside curl | jq (median of RUNS), and
#      twonetd backup of the database of step 4 while the server serves beside
#      sqlite3 DB ".backup FILE": sizes and seconds.
# Environment: N_ISSUE (1000), N_REVOKE (500), N_ALERTS (1000), N_READS (100000),
# N_TOKENS (100), RUNS (9), WORKERS (2); TWONET_BUILD=DIR takes the commands
# from a build folder (make O=DIR).  Prints figures; asserts nothing about time.
. "$(dirname "$0")/lib.sh"
N_ISSUE=${N_ISSUE:-1000}
N_REVOKE=${N_REVOKE:-500}
N_ALERTS=${N_ALERTS:-1000}
N_READS=${N_READS:-100000}
N_TOKENS=${N_TOKENS:-100}
RUNS=${RUNS:-9}
WORKERS=${WORKERS:-2}
for t in curl jq sqlite3 xargs bc; do
	command -v $t >/dev/null || { echo "bench/ops: needs $t"; exit 1; }
done
[ $((N_REVOKE * 2)) -le "$N_ISSUE" ] || { echo "bench/ops: N_REVOKE must be at most N_ISSUE / 2"; exit 1; }

# row WHAT N SECS: one line of a step's table (with the exit status of the
# command timed last when it failed)
RC=0
row() {
	awk -v w="$1" -v n="$2" -v s="$3" -v rc="$RC" 'BEGIN {
		printf "  %-46s %6d %8.2f %9.2f %9.0f%s\n", w, n, s, (n ? 1000 * s / n : 0), (s > 0 ? n / s : 0),
			(rc != 0 ? "  (exit " rc ")" : "") }'
	RC=0
}
head_row() { printf '  %-46s %6s %8s %9s %9s\n' "" records "wall s" "ms/rec" "rec/s"; }
# timed VAR CMD...: run CMD, its wall seconds into VAR (CMD's status kept in RC)
timed() {
	local __v=$1 t0 t1; shift
	t0=$(now); RC=0; "$@" || RC=$?; t1=$(now)
	printf -v "$__v" '%s' "$(echo "$t1 - $t0" | bc -l)"
}
# median_ms CMD...: run CMD RUNS times (output thrown away), the median in ms
median_ms() {
	local i t0 t1
	for i in $(seq "$RUNS"); do
		t0=$(now)
		"$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
		t1=$(now)
		echo "$t0 $t1" | awk '{ printf "%.3f\n", ($2 - $1) * 1000 }'
	done | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}
certs_in_db() { sqlite3 "$DB" 'select count(*) from certs'; }
kib() { if [ -f "$1" ]; then du -k "$1" | cut -f1; else echo 0; fi; }
db_sizes() { echo "  database file $(kib "$DB") KiB, its WAL $(kib "$DB-wal") KiB"; }
T=$BENCH_TMP

echo "bench/ops: $(nproc) cores, twonetd --workers $WORKERS, $(curl --version | head -n 1 | cut -d' ' -f1-2), $(jq --version), sqlite3 $(sqlite3 --version | cut -d' ' -f1)"
DB=$T/ops.db
start_bench_server "$DB" --workers "$WORKERS"
twonetd issuer add --db "$DB" --dept RSJ >/dev/null
ADMIN=$(twonetd token add --db "$DB" --role admin --name bench-admin)
ISSUER=$(twonetd token add --db "$DB" --role issuer --dept RSJ --name bench-rsj)
SENSOR=$(twonetd token add --db "$DB" --role sensor --name bench-sensor)
OPERATOR=$(twonetd token add --db "$DB" --role operator --name bench-operator)
export TWONET_URL=$URL XDG_CACHE_HOME=$T/cache
HOLDER=310115198511204566
JSON="Content-Type: application/json"

# ---------------------------------------------------------------- 1. cert-issue
echo
echo "1. cert-issue: $N_ISSUE 社会保障卡 (CK-SBK) a method, each with its idempotency key"
# gen_bodies TAG [key]: N_ISSUE POST /v1/certs bodies as NDJSON, card numbers TAG-N
# (with "key": "TAG-N", cert-issue's idempotency key, when asked)
gen_bodies() {
	seq "$N_ISSUE" | awk -v tag="$1" -v key="${2:-}" -v h="$HOLDER" '{
		printf "{%s\"kind\":\"CK-SBK\",\"holder\":{\"id\":\"%s\",\"name\":\"李四\"},\"fields\":{\"card_no\":\"%s-%06d\",\"bank\":\"上海银行\",\"issue_date\":\"2020-01-01\"}}\n",
			(key ? "\"key\":\"" tag "-" $1 "\"," : ""), h, tag, $1 }'
}
gen_bodies p1 key >"$T/p1.ndjson"
gen_bodies p8 key >"$T/p8.ndjson"
for tag in loop xargs; do
	mkdir -p "$T/$tag"
	gen_bodies $tag | awk -v dir="$T/$tag" '{ f = dir "/" NR ".json"; print > f; close(f) }'
done
export TWONET_TOKEN=$ISSUER
before=$(certs_in_db)
head_row
timed s cert-issue --bulk -p 1 <"$T/p1.ndjson" >"$T/p1.out" 2>"$T/p1.err"
row "cert-issue --bulk -p 1" "$N_ISSUE" "$s"
timed s cert-issue --bulk -p 8 <"$T/p8.ndjson" >"$T/p8.out" 2>"$T/p8.err"
row "cert-issue --bulk -p 8" "$N_ISSUE" "$s"
loop_issue() {
	local i
	for i in $(seq "$N_ISSUE"); do
		curl -sS -o /dev/null -H "Authorization: Bearer $ISSUER" -H "$JSON" \
			-H "Idempotency-Key: loop-$i" -d @"$T/loop/$i.json" "$URL/v1/certs" || return 1
	done
}
timed s loop_issue
row "for i in ...; do curl -d @i.json; done" "$N_ISSUE" "$s"
xargs_issue() {
	seq "$N_ISSUE" | xargs -P 8 -I {} curl -sS -o /dev/null -H "Authorization: Bearer $ISSUER" \
		-H "$JSON" -H "Idempotency-Key: xargs-{}" -d @"$T/xargs/{}.json" "$URL/v1/certs"
}
timed s xargs_issue
row "seq | xargs -P8 curl -d @{}.json" "$N_ISSUE" "$s"
after=$(certs_in_db)
echo "  $(tail -n 1 "$T/p1.err")  /  $(tail -n 1 "$T/p8.err")"
echo "  certificates in the database: $before before, $after after ($((after - before)) issued)"
timed s cert-issue --bulk -p 8 <"$T/p8.ndjson" >"$T/replay.out" 2>"$T/replay.err"
row "replay: cert-issue --bulk -p 8 (same input)" "$N_ISSUE" "$s"
replayed=$(certs_in_db)
echo "  $(tail -n 1 "$T/replay.err"); certificates in the database after the replay: $replayed;" \
	"same ids: $(cmp -s <(jq -r .id "$T/p8.out" | sort) <(jq -r .id "$T/replay.out" | sort) && echo yes || echo NO)"
timed s loop_issue
row "replay: the curl loop (same keys)" "$N_ISSUE" "$s"
echo "  certificates in the database after the curl replay: $(certs_in_db)"
db_sizes

# ---------------------------------------------------------------- 2. cert-revoke
echo
echo "2. cert-revoke: $N_REVOKE ids a method (certificates of step 1)"
jq -r .id "$T/p8.out" | head -n "$N_REVOKE" >"$T/revoke.ids"
jq -r .id "$T/p8.out" | sed -n "$((N_REVOKE + 1)),$((2 * N_REVOKE))p" >"$T/revoke-curl.ids"
head_row
timed s cert-revoke --reason 卡片挂失 - <"$T/revoke.ids" >/dev/null 2>"$T/revoke.err"
row "cert-revoke --reason R - < ids" "$N_REVOKE" "$s"
loop_revoke() {
	local id
	while read -r id; do
		curl -sS -o /dev/null -H "Authorization: Bearer $ISSUER" -H "$JSON" \
			-d '{"reason":"卡片挂失"}' "$URL/v1/certs/$id/revoke" || return 1
	done <"$T/revoke-curl.ids"
}
timed s loop_revoke
row "while read id; do curl .../revoke; done" "$N_REVOKE" "$s"
echo "  $(tail -n 1 "$T/revoke.err"); revoked in the database:" \
	"$(sqlite3 "$DB" "select count(*) from certs where status = 'revoked'")"
db_sizes

# ---------------------------------------------------------------- 3. alert-act
echo
echo "3. alert-act dispatch: $N_ALERTS alerts a method"
seq $((3 * N_ALERTS)) | awk 'BEGIN { split("blue yellow orange red", sev, " ") } {
	printf "{\"source\":\"bench\",\"source_id\":\"%d\",\"kind\":\"water_depth\",\"severity\":\"%s\",\"district\":\"%s\",\"value\":%d.5,\"unit\":\"cm\",\"headline\":\"point %d\"}\n",
		$1, sev[$1 % 4 + 1], ($1 % 2 ? "310101" : "310115"), $1 % 90, $1 }' >"$T/alerts.ndjson"
head_row
timed s alert-post --token "$SENSOR" --bulk <"$T/alerts.ndjson" >/dev/null 2>"$T/post.err"
row "alert-post --bulk (batches of 100)" $((3 * N_ALERTS)) "$s"
export TWONET_TOKEN=$OPERATOR
timed s alert-list --status raised --all --format ndjson >"$T/raised.ndjson"
row "alert-list --status raised --all" "$(wc -l <"$T/raised.ndjson")" "$s"
head -n "$N_ALERTS" "$T/raised.ndjson" | jq -r .id >"$T/act.ids"
sed -n "$((N_ALERTS + 1)),$((2 * N_ALERTS))p" "$T/raised.ndjson" >"$T/act.ndjson"
sed -n "$((2 * N_ALERTS + 1)),$((3 * N_ALERTS))p" "$T/raised.ndjson" | jq -r .id >"$T/curl.ids"
timed s alert-act dispatch --crew PT-017 - <"$T/act.ids" >/dev/null 2>"$T/act.err"
row "alert-act dispatch - < ids (reads each seq)" "$N_ALERTS" "$s"
act1=$(tail -n 1 "$T/act.err")
timed s alert-act dispatch --crew PT-017 - <"$T/act.ndjson" >/dev/null 2>"$T/act2.err"
row "alert-act dispatch - < NDJSON with seq" "$N_ALERTS" "$s"
loop_dispatch() {
	local id
	while read -r id; do
		curl -sS -o /dev/null -H "Authorization: Bearer $OPERATOR" -H "$JSON" \
			-d '{"action":"dispatch","crew":"PT-017"}' "$URL/v1/alerts/$id/actions" || return 1
	done <"$T/curl.ids"
}
timed s loop_dispatch
row "while read id; do curl .../actions; done" "$N_ALERTS" "$s"
echo "  $act1  /  $(tail -n 1 "$T/act2.err")"
echo "  dispatched: $(alert-list --status dispatched --all --jq .id | wc -l) of $((3 * N_ALERTS))"
db_sizes

# ---------------------------------------------------------------- 4. cert-audit
echo
echo "4. cert-audit --all: the audit log after $N_READS certificate reads (cert-fetch --no-verify -p 16)"
export TWONET_TOKEN=$ADMIN
jq -r .id "$T/p1.out" "$T/p8.out" >"$T/read.ids"
# read_certs N: N audited reads, cycling over the issued ids
read_certs() {
	local n=$1 have
	have=$(wc -l <"$T/read.ids")
	yes "" | head -n $(((n + have - 1) / have)) | while read -r _; do cat "$T/read.ids"; done |
		head -n "$n" | cert-fetch --purpose bench --no-verify --parallel 16 --format ndjson - \
		>/dev/null 2>"$T/fetch.err" || true
}
audit_rows() { sqlite_db "$DB" 'select count(*) from audit'; }
curl_audit() {	# follow the pages of GET /v1/audit, 1000 a page, one row a line
	local cursor="" page
	while :; do
		page=$(curl -sSf -H "Authorization: Bearer $ADMIN" -G "$URL/v1/audit" \
			--data-urlencode "limit=1000" ${cursor:+--data-urlencode "cursor=$cursor"}) || return 1
		jq -c '.items[]' <<<"$page"
		cursor=$(jq -r '.next // empty' <<<"$page")
		[ -n "$cursor" ] || break
	done
}
timed s read_certs $((N_READS / 2))
half=$(audit_rows)
/usr/bin/time -f '%M' -o "$T/rss-half" cert-audit --all >"$T/audit-half.ndjson" 2>/dev/null
timed s2 read_certs $((N_READS - N_READS / 2))
rows=$(audit_rows)
printf '  %d reads in %.1f s (%.0f reads/s); audit rows: %d\n' "$N_READS" "$(echo "$s + $s2" | bc -l)" \
	"$(echo "$N_READS / ($s + $s2)" | bc -l)" "$rows"
db_sizes
head_row
timed s /usr/bin/time -f '%M' -o "$T/rss-full" cert-audit --all >"$T/audit.ndjson" 2>"$T/audit.err"
row "cert-audit --all > rows.ndjson" "$(wc -l <"$T/audit.ndjson")" "$s"
timed s curl_audit >"$T/audit-curl.ndjson"
row "curl /v1/audit?limit=1000 pages | jq -c" "$(wc -l <"$T/audit-curl.ndjson")" "$s"
timed s cert-audit --all --jq .outcome >"$T/outcomes"
row "cert-audit --all --jq .outcome" "$(wc -l <"$T/outcomes")" "$s"
echo "  the same rows: $(cmp -s "$T/audit.ndjson" "$T/audit-curl.ndjson" && echo yes ||
	echo "no (diff of the sorted seqs: $(diff <(jq .seq "$T/audit.ndjson" | sort -n) <(jq .seq "$T/audit-curl.ndjson" | sort -n) | wc -l) lines)")"
printf '  cert-audit --all peak RSS: %s KiB for %d rows, %s KiB for %d rows\n' \
	"$(cat "$T/rss-half")" "$(wc -l <"$T/audit-half.ndjson")" "$(cat "$T/rss-full")" "$(wc -l <"$T/audit.ndjson")"
timed s cert-audit --verify >"$T/verify.json"
row "cert-audit --verify (the chain, on the server)" "$rows" "$s"
timed s twonetd audit verify --db "$DB" >/dev/null 2>&1
row "twonetd audit verify --db (local)" "$rows" "$s"

# ---------------------------------------------------------------- 5. tokens, backup
echo
echo "5. token list with $N_TOKENS tokens; twonetd backup while serving"
head_row
add_tokens() {	# N [--jq FILTER]: N tokens, one token add each
	local i n=$1; shift
	for i in $(seq "$n"); do
		token add --role operator --name "op-$i" "$@" >/dev/null || return 1
	done
}
curl_tokens() {
	local i
	for i in $(seq "$1"); do
		curl -sSf -o /dev/null -H "Authorization: Bearer $ADMIN" -H "$JSON" \
			-d "{\"role\":\"operator\",\"name\":\"cop-$i\"}" "$URL/v1/tokens" || return 1
	done
}
have=$(token list | wc -l)
third=$(((N_TOKENS - have) / 3)); [ "$third" -gt 0 ] || third=0
timed s add_tokens "$third"
row "token add (one a process)" "$third" "$s"
timed s add_tokens "$third" --jq .token
row "token add --jq .token (one a process)" "$third" "$s"
curln=$((N_TOKENS - have - 2 * third)); [ "$curln" -gt 0 ] || curln=0
timed s curl_tokens "$curln"
row "curl -d {...} /v1/tokens (one a process)" "$curln" "$s"
nt=$(token list | wc -l)
ms=$(median_ms token list)
row "token list (median of $RUNS)" "$nt" "$(echo "$ms / 1000" | bc -l)"
ms=$(median_ms bash -c "curl -sSf -H 'Authorization: Bearer $ADMIN' '$URL/v1/tokens' | jq -c '.items[]'")
row "curl /v1/tokens | jq -c '.items[]' (median)" "$nt" "$(echo "$ms / 1000" | bc -l)"
ms=$(median_ms twonetd token list --db "$DB")
row "twonetd token list --db (local, median)" "$nt" "$(echo "$ms / 1000" | bc -l)"

echo "  backups of the database of step 4 while twonetd serves:"
db_sizes
printf '  %-46s %8s %10s %s\n' "" "wall s" "KiB" "check"
# sqlite_pair DB FILE: the sqlite3 shell's copies of the database and its audit log (what backup writes)
sqlite_pair() { sqlite3 "$1" ".backup $2" && sqlite3 "$1.audit" ".backup $2.audit"; }
# backup_row WHAT FILE SECS
backup_row() {
	printf '  %-46s %8.2f %10d %s\n' "$1" "$3" "$(du -k "$2" | cut -f1)" \
		"$(sqlite3 "$2" 'pragma integrity_check' | head -n 1), $(sqlite3 "$2" 'select count(*) from certs') certs, $(sqlite_db "$2" 'select count(*) from audit') audit rows, mode $(stat -c %a "$2")"
}
timed s twonetd backup --db "$DB" "$T/backup.db" >/dev/null
backup_row "twonetd backup --db DB FILE" "$T/backup.db" "$s"
echo "  keys: $(ls "$DB.keys" | wc -l) in DB.keys, $(ls "$T/backup.db.keys" 2>/dev/null | wc -l) copied to FILE.keys (mode $(stat -c %a "$T/backup.db.keys" 2>/dev/null || echo -))"
timed s sqlite_pair "$DB" "$T/sqlite.db"
backup_row "sqlite3 DB and DB.audit \".backup FILE\"" "$T/sqlite.db" "$s"
# the same while the server is kept busy with reads
for i in $(seq 50); do cat "$T/read.ids"; done >"$T/busy.ids"
cert-fetch --purpose bench --no-verify --parallel 16 --format ndjson - <"$T/busy.ids" >/dev/null 2>&1 &
busy=$!
sleep 1
busy_state() { kill -0 "$busy" 2>/dev/null && echo "the reads still running" || echo "the reads had ended"; }
timed s twonetd backup --db "$DB" "$T/backup2.db" >/dev/null
st=$(busy_state)
backup_row "twonetd backup, during cert-fetch -p 16 reads" "$T/backup2.db" "$s"
echo "    ($st when it finished)"
timed s sqlite_pair "$DB" "$T/sqlite2.db"
st=$(busy_state)
backup_row "sqlite3 .backup, during the same reads" "$T/sqlite2.db" "$s"
echo "    ($st when it finished)"
kill "$busy" 2>/dev/null; wait "$busy" 2>/dev/null || true
stop_bench_server
