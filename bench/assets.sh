#!/bin/bash
# bench/assets.sh [Q] — the asset register (issue 17) at the article's scale: the
# shipped synthetic register (share/twonet/assets/shanghai.geojson, 16,358
# features; made by scripts/gen-assets when missing) imported into a fresh
# SQLite database by `twonetd import assets` (every feature checked, one
# transaction): wall time and rows per second, then the same file again (the
# idempotent re-import: nothing written).  Then Q (default 500) bounding-box
# queries, boxes of about 2 x 2 km at random places of the city (seed 17):
# GET /v1/assets?bbox=... on a twonetd over that database (one keep-alive
# connection), p50 and p99 of each request's time.  The baseline, in the same
# run: jq flattening the file to TSV and sqlite3 loading it into a table of the
# same columns and indexes (one transaction, no checks), and the same boxes as
# plain SELECTs in one sqlite3 session (.timer on).
#   TWONET_BUILD (the build to use; default: the source tree).  PG=1: the import
#   on PostgreSQL too (a throwaway cluster, as tests/cli/pg-lib.sh makes).
. "$(dirname "$0")/lib.sh"
BUILD=${TWONET_BUILD:-$TOP}
export PATH="$BUILD/bin:$BUILD/server:$PATH"
Q=${1:-500}
DATA="$TWONET_SHAREDIR/assets/shanghai.geojson"
[ -f "$DATA" ] || gen-assets --out "$DATA"
ROWS=$(grep -c '"type":"Feature"' "$DATA")

# pct P: the P-th percentile (nearest rank) of the numbers on stdin, in ms
pct() { sort -g | awk -v p="$1" '{ v[NR] = $1 } END { i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; printf "%.2f", v[i] * 1000 }'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

echo "asset register: $ROWS features, $(($(wc -c <"$DATA") / 1024)) KiB of GeoJSON"

# ---- import: twonetd, then the baseline
DB="$BENCH_TMP/assets.db"
twonetd init --db "$DB" >/dev/null
t0=$(now); twonetd import assets --db "$DB" "$DATA" >"$BENCH_TMP/import.out"; t1=$(now)
t2=$(now); twonetd import assets --db "$DB" "$DATA" >"$BENCH_TMP/again.out"; t3=$(now)
echo "twonetd import assets:  $(secs "$t0" "$t1") s, $(rate "$ROWS" "$t0" "$t1") rows/s ($(cat "$BENCH_TMP/import.out"))"
echo "  again (idempotent):   $(secs "$t2" "$t3") s, $(rate "$ROWS" "$t2" "$t3") rows/s ($(cat "$BENCH_TMP/again.out"))"

if [ "${PG:-0}" = 1 ]; then
	TRASH=$BENCH_TMP
	_cleanup() { cleanup; }
	. "$TOP/tests/cli/pg-lib.sh"
	pg_start >/dev/null
	twonetd init --db "$TWONET_PG_URI" >/dev/null
	t0=$(now); twonetd import assets --db "$TWONET_PG_URI" "$DATA" >"$BENCH_TMP/pg.out"; t1=$(now)
	t2=$(now); twonetd import assets --db "$TWONET_PG_URI" "$DATA" >"$BENCH_TMP/pg2.out"; t3=$(now)
	echo "  on PostgreSQL:        $(secs "$t0" "$t1") s, $(rate "$ROWS" "$t0" "$t1") rows/s; again $(secs "$t2" "$t3") s ($(cat "$BENCH_TMP/pg2.out"))"
fi

BASE="$BENCH_TMP/base.db"
t0=$(now)
{
	echo "CREATE TABLE assets (id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,"
	echo "  district TEXT NOT NULL, street TEXT, department TEXT, lat REAL NOT NULL,"
	echo "  lon REAL NOT NULL, state TEXT, version INTEGER NOT NULL, doc TEXT NOT NULL);"
	echo "CREATE INDEX assets_kind ON assets (kind, id);"
	echo "CREATE INDEX assets_district ON assets (district, kind);"
	echo "CREATE INDEX assets_position ON assets (lat, lon);"
	echo "CREATE TABLE load (id, kind, name, district, street, department, lat, lon, state, doc);"
	echo ".mode tabs"
	echo ".import $BENCH_TMP/flat.tsv load"
	echo "BEGIN; INSERT INTO assets SELECT id, kind, name, district, street, department, lat, lon,"
	echo "  state, 1, doc FROM load; COMMIT;"
} >"$BENCH_TMP/base.sql"
jq -r '.features[] | .properties as $p | [$p.id, $p.kind, $p.name, $p.district, $p.street,
	$p.department, .geometry.coordinates[1], .geometry.coordinates[0], $p.state,
	(. | tojson)] | @tsv' "$DATA" >"$BENCH_TMP/flat.tsv"
sqlite3 "$BASE" <"$BENCH_TMP/base.sql"
t1=$(now)
echo "baseline jq + sqlite3:  $(secs "$t0" "$t1") s, $(rate "$ROWS" "$t0" "$t1") rows/s ($(sqlite3 "$BASE" "SELECT count(*) FROM assets") rows, nothing checked)"

# ---- bounding boxes: the same Q boxes for both
awk -v q="$Q" 'BEGIN { srand(17); for (i = 0; i < q; i++) {
	lon = 121.15 + rand() * 0.6; lat = 30.95 + rand() * 0.45
	printf "%.4f %.4f %.4f %.4f\n", lon, lat, lon + 0.021, lat + 0.018 } }' >"$BENCH_TMP/boxes"

start_bench_server "$DB" --workers 1
TOKEN=$(twonetd token add --db "$DB" --role operator --name bench)
awk -v u="$URL" '{ printf "url = \"%s/v1/assets?bbox=%s,%s,%s,%s&limit=1000\"\noutput = /dev/null\n", u, $1, $2, $3, $4 }' \
	"$BENCH_TMP/boxes" >"$BENCH_TMP/curl.cfg"
# one warm-up round, then the measured one
curl -s -H "Authorization: Bearer $TOKEN" -K "$BENCH_TMP/curl.cfg" >/dev/null
curl -s -H "Authorization: Bearer $TOKEN" -K "$BENCH_TMP/curl.cfg" -w '%{time_total}\n' \
	>"$BENCH_TMP/api.times"
found=$(curl -s -H "Authorization: Bearer $TOKEN" \
	"$URL/v1/assets?bbox=$(head -n 1 "$BENCH_TMP/boxes" | tr ' ' ,)&limit=1000" | jq '.items | length')
stop_bench_server
echo "GET /v1/assets?bbox (2 x 2 km, $Q boxes): p50 $(pct 50 <"$BENCH_TMP/api.times") ms, p99 $(pct 99 <"$BENCH_TMP/api.times") ms (the first box: $found assets)"

awk '{ printf "SELECT doc FROM assets WHERE lat >= %s AND lat <= %s AND lon >= %s AND lon <= %s ORDER BY id LIMIT 1001;\n", $2, $4, $1, $3 }' \
	"$BENCH_TMP/boxes" >"$BENCH_TMP/q.sql"
sqlite3 "$BASE" <"$BENCH_TMP/q.sql" >/dev/null     # warm
t0=$(now); sqlite3 "$BASE" <"$BENCH_TMP/q.sql" >/dev/null; t1=$(now)
{ echo ".timer on"; cat "$BENCH_TMP/q.sql"; cat "$BENCH_TMP/q.sql"; } | sqlite3 "$BASE" 2>&1 |
	sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' | tail -n "$Q" >"$BENCH_TMP/base.times"
echo "baseline sqlite3 SELECT (same boxes):      p50 $(pct 50 <"$BENCH_TMP/base.times") ms, p99 $(pct 99 <"$BENCH_TMP/base.times") ms (.timer: 1 ms steps), mean $(awk -v a="$t0" -v b="$t1" -v q="$Q" 'BEGIN { printf "%.3f", (b - a) * 1000 / q }') ms"
