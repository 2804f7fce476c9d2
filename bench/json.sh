#!/bin/bash
# bench/json.sh [MIB] [ROUNDS] — what reading hostile JSON exactly costs: a
# request-sized document (default 1 MiB of cases: Chinese names, numbers,
# nesting) parsed ROUNDS times (default 200) by tn_json_parse (the RFC 8259
# scan, then the value built from the bytes: lib/json_build.c) against jq's
# own jv_parse_sized alone, in one process; and `jq -c .` on the same file, the
# tool a user would pick.  Prints MB/s; asserts nothing about time.
# TWONET_BUILD=DIR takes libtwonet.a from a build folder (make O=DIR).
. "$(dirname "$0")/lib.sh"
MIB=${1:-1}
ROUNDS=${2:-200}
doc="$BENCH_TMP/doc.json"

gen-cases $((MIB * 1500)) | awk 'BEGIN { printf "{\"items\":[" } NR > 1 { printf "," } { printf "%s", $0 }
	END { print "],\"next\":null}" }' > "$doc"
bytes=$(stat -c %s "$doc")
cat > "$BENCH_TMP/p.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <jv.h>
#include "tn_json.h"
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
	FILE *f = fopen(argv[1], "rb"); long n; char *b; int rounds = atoi(argv[2]);
	fseek(f, 0, SEEK_END); n = ftell(f); rewind(f); b = malloc(n); fread(b, 1, n, f); fclose(f);
	double t0 = now();
	for (int i = 0; i < rounds; i++) { jv v = tn_json_parse(b, (size_t)n); if (!jv_is_valid(v)) return 1; jv_free(v); }
	double t1 = now();
	for (int i = 0; i < rounds; i++) { jv v = jv_parse_sized(b, (int)n); if (!jv_is_valid(v)) return 1; jv_free(v); }
	double t2 = now();
	printf("%.6f %.6f\n", (t1 - t0) / rounds, (t2 - t1) / rounds);
	return 0;
}
C
cc -O2 -I"$TOP/lib" -isystem /usr/include "$BENCH_TMP/p.c" "${TWONET_BUILD:-$TOP}/lib/libtwonet.a" \
	-ljq -lonig -lm -lpthread -o "$BENCH_TMP/p"
read -r ours jq_only < <("$BENCH_TMP/p" "$doc" "$ROUNDS")
t0=$(now)
for i in $(seq 1 20); do jq -c . "$doc" > /dev/null; done
t1=$(now)
jqcli=$(echo "($t1 - $t0) / 20" | bc -l)
mb=$(echo "$bytes / 1048576" | bc -l)
printf 'bench/json: a %.2f MiB document, %d rounds\n' "$mb" "$ROUNDS"
printf 'tn_json_parse (scan + build):        %.1f MB/s\n' "$(echo "$mb / $ours" | bc -l)"
printf 'jv_parse_sized (jq alone):            %.1f MB/s; tn_json_parse takes %.2fx its time\n' \
	"$(echo "$mb / $jq_only" | bc -l)" "$(echo "$ours / $jq_only" | bc -l)"
printf 'jq -c . (the command, with output):   %.1f MB/s\n' "$(echo "$mb / $jqcli" | bc -l)"
