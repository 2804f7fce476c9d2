#!/bin/bash
# bench/dispatch.sh — flood-dispatch's proposals at the article's scale: 64
# points flooded at once, 100 free trucks, on a synthetic graph of Shanghai's
# roads of more than 100,000 edges (scripts/gen-roads --spacing 0.3, made
# here, not shipped), with roads closed by 20 depth alerts.  Times the
# proposals in process (bench/dispatch-bench: the assignment, the routes and
# their JSON; the graph's load apart), RUNS runs (3): median and spread; then
# the whole command once on the same graph from NDJSON files, for the load.
# Environment: RUNS (3), SPACING (0.3 km), POINTS (64), TRUCKS (100);
# TWONET_BUILD=DIR takes the programs from a build folder (make O=DIR).
# Prints figures; asserts nothing about time.
. "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-3}
SPACING=${SPACING:-0.3}
POINTS=${POINTS:-64}
TRUCKS=${TRUCKS:-100}

graph=$BENCH_TMP/shanghai-${SPACING}.graph
t=$(now)
gen-roads --spacing "$SPACING" >"$graph"
echo "gen-roads --spacing $SPACING: $(grep -c '^E' "$graph") edges, $(du -h "$graph" | cut -f1), $(echo "$(now) - $t" | bc) s"
dispatch-bench "$graph" "$POINTS" "$TRUCKS" "$RUNS" 20

# the command end to end: the graph read, then the same kind of proposal
awk -v n="$TRUCKS" 'BEGIN { srand(7); for (i = 1; i <= n; i++)
	printf "{\"id\":\"PT-%03d\",\"lat\":%.5f,\"lon\":%.5f}\n", i, 30.95 + rand() * 0.45, 121.15 + rand() * 0.6 }' \
	>"$BENCH_TMP/trucks.ndjson"
awk -v n="$POINTS" 'BEGIN { srand(11); for (i = 1; i <= n; i++)
	printf "{\"id\":\"FP-%02d\",\"lat\":%.5f,\"lon\":%.5f,\"depth_m\":0.4,\"priority\":%d}\n", i, 31.0 + rand() * 0.35, 121.25 + rand() * 0.45, 1 + i % 3 }' \
	>"$BENCH_TMP/points.ndjson"
t=$(now)
flood-dispatch --graph "$graph" --trucks "$BENCH_TMP/trucks.ndjson" --points "$BENCH_TMP/points.ndjson" \
	>"$BENCH_TMP/out.ndjson"
echo "flood-dispatch end to end (graph read included): $(echo "$(now) - $t" | bc) s," \
	"$(grep -c '"truck":"' "$BENCH_TMP/out.ndjson") of $POINTS points served"
