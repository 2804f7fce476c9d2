#!/bin/bash
# bench/firsthour.sh [N] — what issue 13 added to a newcomer's first commands, timed
# beside what a user would type instead (curl and jq), in one run: catalog's words for
# shell completion (one call per TAB), catalog's lists local and from the server, and
# case-list's first page (with the total it now reports and the "N of TOTAL shown"
# notice) and case-act in bulk (with its summary) over N filed cases (default 20,000).
# Medians of RUNS runs.  TWONET_BUILD=DIR runs the commands built in DIR (make O=DIR).
. "$(dirname "$0")/lib.sh"
N=${1:-20000}
RUNS=9

# median_ms CMD...: run CMD RUNS times (output thrown away), print the median in ms
median_ms() {
	local i t0 t1
	for i in $(seq "$RUNS"); do
		t0=$(now)
		"$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
		t1=$(now)
		echo "$t0 $t1" | awk '{ printf "%.3f\n", ($2 - $1) * 1000 }'
	done | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}
row() { printf '%-58s %9s ms\n' "$1" "$2"; }

echo "bench/firsthour: $N cases, $(nproc) cores, median of $RUNS runs"
DB=$BENCH_TMP/a.db
start_bench_server "$DB" --workers 2
ADMIN=$(twonetd token add --db "$DB" --role admin --name bench)
CLERK=$(twonetd token add --db "$DB" --role clerk --dept YBJ --name bench-clerk)
export TWONET_URL=$URL TWONET_TOKEN=$ADMIN
H="Authorization: Bearer $ADMIN"

echo "-- completion: the item codes (one TAB)"
row "catalog words items (installed catalog)" "$(median_ms catalog words items)"
row "catalog words fields 310000-YB-001" "$(median_ms catalog words fields 310000-YB-001)"
row "curl /v1/items | jq -r '.items[].code'" \
	"$(median_ms bash -c "curl -sf -H '$H' '$URL/v1/items?limit=1000' | jq -r '.items[].code'")"

echo "-- the items as NDJSON"
row "catalog items" "$(median_ms catalog items)"
row "catalog --server items" "$(median_ms catalog --server items)"
row "curl /v1/items | jq -c '.items[]'" \
	"$(median_ms bash -c "curl -sf -H '$H' '$URL/v1/items?limit=1000' | jq -c '.items[]'")"
row "catalog item 310000-SCJG-001 (form, materials, certs)" "$(median_ms catalog item 310000-SCJG-001)"

echo "-- $N cases filed"
gen-cases "$N" >"$BENCH_TMP/cases.ndjson"
t0=$(now)
case-submit --bulk --parallel 16 <"$BENCH_TMP/cases.ndjson" >/dev/null 2>"$BENCH_TMP/submit.err" ||
	{ tail -3 "$BENCH_TMP/submit.err"; exit 1; }
t1=$(now)
echo "$t0 $t1 $N" | awk '{ printf "filed in %.1f s (%.0f cases/s)\n", $2 - $1, $3 / ($2 - $1) }'
tail -n 1 "$BENCH_TMP/submit.err"

echo "-- the first page of the list (100 rows; case-list also counts the total)"
row "case-list --status submitted" "$(median_ms case-list --status submitted)"
row "curl /v1/cases?status=submitted | jq -c '.items[]'" \
	"$(median_ms bash -c "curl -sf -H '$H' '$URL/v1/cases?status=submitted' | jq -c '.items[]'")"
case-list --status submitted 2>&1 >/dev/null | sed 's/^/notice: /'
row "case-list --status submitted --department YBJ" "$(median_ms case-list --status submitted --department YBJ)"

echo "-- case-act accept in bulk, 2,000 ids from stdin (one fails: its summary)"
case-list --status submitted --all --jq .id | head -n 1999 >"$BENCH_TMP/ids"
echo C99999999 >>"$BENCH_TMP/ids"
t0=$(now)
TWONET_TOKEN=$CLERK case-act accept - <"$BENCH_TMP/ids" >/dev/null 2>"$BENCH_TMP/act.err" || true
t1=$(now)
echo "$t0 $t1" | awk '{ printf "case-act accept: 2000 ids in %.2f s (%.0f/s)\n", $2 - $1, 2000 / ($2 - $1) }'
tail -n 1 "$BENCH_TMP/act.err"
