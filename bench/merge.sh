#!/bin/bash
# bench/merge.sh [ITEMS MATERIALS] — time workflow-merge, start-up included:
# every workflow of the shipped catalog (one process each, and all of them in
# one process with --list), then a generated workflow of ITEMS items (default
# 200) over MATERIALS materials (default 1,000).  Uses hyperfine when it is
# installed, a timed loop otherwise.  Writes figures only; asserts nothing.
. "$(dirname "$0")/lib.sh"
ITEMS=${1:-200}
MATS=${2:-1000}
RUNS=${RUNS:-50}

command -v workflow-merge >/dev/null || { echo "bench/merge: build first (make)"; exit 1; }

# time_cmd LABEL CMD...: mean wall time of one run, in ms
time_cmd() {
	local label=$1; shift
	if command -v hyperfine >/dev/null; then
		hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$BENCH_TMP/h.json" \
			"$(printf '%q ' "$@")" >/dev/null 2>&1 ||
			hyperfine --warmup 3 --runs "$RUNS" --export-json "$BENCH_TMP/h.json" \
				"$(printf '%q ' "$@")" >/dev/null
		jq -r --arg l "$label" '.results[0] |
			"\($l): \(.mean * 1000 * 1000 | round / 1000) ms ± \(.stddev * 1000 * 1000 | round / 1000) (min \(.min * 1000 * 1000 | round / 1000))"' \
			"$BENCH_TMP/h.json"
		jq -r '.results[0].mean * 1000' "$BENCH_TMP/h.json" >"$BENCH_TMP/last"
	else
		local t0 t1
		t0=$(now)
		for ((i = 0; i < RUNS; i++)); do "$@" >/dev/null; done
		t1=$(now)
		echo "($t1 - $t0) * 1000 / $RUNS" | bc -l >"$BENCH_TMP/last"
		printf '%s: %.3f ms (mean of %d)\n' "$label" "$(cat "$BENCH_TMP/last")" "$RUNS"
	fi
}

echo "bench/merge: workflow-merge, start-up included, $(nproc) cores$(command -v hyperfine >/dev/null && echo ', hyperfine')"

# 1. the shipped catalog
flows=$(workflow-merge --list --format tsv --fields code | tail -n +2)
total=0
for w in $flows; do
	workflow-merge "$w" >/dev/null
	time_cmd "  $w" workflow-merge "$w"
	total=$(echo "$total + $(cat "$BENCH_TMP/last")" | bc -l)
done
printf 'catalog: %d workflows, one process each: %.2f ms in all\n' "$(echo "$flows" | wc -w)" "$total"
time_cmd "catalog: all workflows in one process (--list)" workflow-merge --list --format json
time_cmd "start-up alone (--version)" workflow-merge --version

# 2. a generated workflow: ITEMS items over MATS materials, a DAG of 'before'
gen="$BENCH_TMP/gen"
mkdir -p "$gen"
cp "$TWONET_SHAREDIR/catalog/departments.yaml" "$gen/"
awk -v items="$ITEMS" -v mats="$MATS" -v dir="$gen" 'BEGIN {
	srand(42)
	split("SCJGJ JLZMJ LHSRJ XFZD GAJ WSJKW RSJ YBJ MZJ SWJ ZJW GHZYJ GJJ", D, " ")
	split("food-premises fire-acceptance fire-safety signboard home-visit", K, " ")
	f = dir "/materials.yaml"
	print "materials:" > f
	for (m = 1; m <= mats; m++) {
		if (m % 3 == 0)
			printf "  - {code: GM-%04d, name: 材料%d, issuer: %s, cert_kind: CK-G%d}\n", m, m, D[1 + m % 13], m > f
		else
			printf "  - {code: GM-%04d, name: 材料%d}\n", m, m > f
	}
	f = dir "/fields.yaml"
	print "fields:" > f
	for (k = 1; k <= 100; k++)
		printf "  - {name: gf%03d, label: 字段%d, type: string, max_length: %d}\n", k, k, 50 + k > f
	f = dir "/items.yaml"
	print "items:" > f
	for (i = 1; i <= items; i++) {
		dep = D[1 + i % 13]
		printf "  - code: GI-%04d\n    name: 事项%d\n    department: %s\n", i, i, dep > f
		printf "    form: GF-%s-%d\n", dep, i % 3 > f
		legal = 1 + int(rand() * 20)
		printf "    legal_days: %d\n    promised_days: %d\n", legal, 1 + int(rand() * legal) > f
		printf "    commitment: %s\n    online: true\n    window: 窗口%d\n", (rand() < 0.6 ? "true" : "false"), i % 7 > f
		printf "    fields: [" > f
		n = 0; delete seen
		for (k = 0; k < 8; k++) { x = 1 + int(rand() * 100); if (x in seen) continue; seen[x] = 1
			printf "%sgf%03d", (n++ ? ", " : ""), x > f }
		print "]" > f
		printf "    materials: [" > f
		n = 0; delete seen
		# each item asks for 5 materials of its own and 5 shared ones: every material is asked
		for (k = 0; k < 5; k++) { x = 1 + ((i - 1) * 5 + k) % mats; seen[x] = 1
			printf "%sGM-%04d", (n++ ? ", " : ""), x > f }
		for (k = 0; k < 5; k++) { x = 1 + int(rand() * mats); if (x in seen) continue; seen[x] = 1
			printf "%sGM-%04d", (n++ ? ", " : ""), x > f }
		print "]" > f
		printf "    produces: [GM-%04d]\n", 1 + (i * 7) % mats > f
		if (i % 4 == 0)
			printf "    inspections: [{kind: %s, site: site%d}]\n", K[1 + i % 5], i % 3 > f
		if (i > 1) {
			printf "    before: [" > f
			n = 0; delete seen
			for (k = 0; k < 2; k++) { x = 1 + int(rand() * (i - 1)); if (x in seen) continue; seen[x] = 1
				printf "%sGI-%04d", (n++ ? ", " : ""), x > f }
			print "]" > f
		}
	}
	f = dir "/workflows.yaml"
	print "workflows:\n  - code: generated\n    name: 生成的一件事\n    window: 一件事窗口\n    items:" > f
	for (i = 1; i <= items; i++)
		printf "      - GI-%04d\n", i > f
}'
workflow-merge --catalog "$gen" generated >"$BENCH_TMP/gen.json"
jq -r '"generated: \(.figures.before.items) items, \(.figures.before.materials) material asks over '"$MATS"' materials -> \(.figures.after.materials) to supply; \(.figures.before.fields) -> \(.figures.after.fields) fields; days \(.figures.before.days) -> \(.figures.after.days)"' "$BENCH_TMP/gen.json"
time_cmd "generated: load + merge, one process" workflow-merge --catalog "$gen" generated
