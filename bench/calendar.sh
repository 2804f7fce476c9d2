#!/bin/bash
# bench/calendar.sh [N] — the cost of the calendar living in the database:
#  1. filing N cases (default 20,000) whose deadlines run into the unknown 2027,
#     with the database's calendar (a generation check per filing) against a
#     fixed --calendar file (no check), same input, same server settings;
#  2. `twonetd calendar import` of a 2027 notice, which counts the N open
#     provisional deadlines again (doc, version, an event each) in one
#     transaction, against the SQL a DBA would write with sqlite3 for the same
#     rows (one UPDATE with json_set and one INSERT ... SELECT of the events).
# Prints figures; asserts nothing about time.
. "$(dirname "$0")/lib.sh"
N=${1:-20000}
WORKERS=${WORKERS:-2}
NOTICE="$TOP/tests/data/calendar/2027-test.json"
export TWONET_TODAY=2026-12-20

echo "bench/calendar: $N cases on 310000-YB-001 filed on $TWONET_TODAY, twonetd --workers $WORKERS, $(nproc) cores"
gen-cases "$N" > "$BENCH_TMP/cases.ndjson"

file_all() {    # file_all DB [serve options]: files the cases, prints seconds
	local db=$1 t0 t1
	shift
	start_bench_server "$db" --workers "$WORKERS" "$@"
	TWONET_URL=$URL TWONET_TOKEN=$(twonetd token add --db "$db" --role admin --name bench)
	export TWONET_URL TWONET_TOKEN
	t0=$(now)
	case-submit --bulk --parallel 16 < "$BENCH_TMP/cases.ndjson" > /dev/null 2> "$BENCH_TMP/submit.err" || {
		echo "case-submit failed:" >&2; tail -5 "$BENCH_TMP/submit.err" >&2; exit 1; }
	t1=$(now)
	stop_bench_server
	echo "$t1 - $t0" | bc -l
}

fixed=$(file_all "$BENCH_TMP/fixed.db" --calendar "$TOP/share/twonet/calendar/cn.txt")
db=$(file_all "$BENCH_TMP/a.db")
prov=$(sqlite3 "$BENCH_TMP/a.db" "select count(*) from cases where deadline_provisional = 1")
printf 'filing, database calendar: %.0f cases/s (%.2f s); fixed --calendar file: %.0f cases/s (%.2f s); ratio %.2f\n' \
	"$(echo "$N / $db" | bc -l)" "$db" "$(echo "$N / $fixed" | bc -l)" "$fixed" \
	"$(echo "$fixed / $db" | bc -l)"
echo "open cases with a provisional deadline: $prov"

cp "$BENCH_TMP/a.db" "$BENCH_TMP/b.db"
t0=$(now)
twonetd calendar import --db "$BENCH_TMP/a.db" "$NOTICE" > "$BENCH_TMP/import.out"
t1=$(now)
imp=$(echo "$t1 - $t0" | bc -l)
sed 's/^/  /' "$BENCH_TMP/import.out"
left=$(sqlite3 "$BENCH_TMP/a.db" "select count(*) from cases where deadline_provisional = 1")
events=$(sqlite3 "$BENCH_TMP/a.db" "select count(*) from events where action = 'recompute'")

# the same rows by hand: the deadline moved by the one holiday of the notice's
# January, the flag cleared, the version raised, one event each
t0=$(now)
sqlite3 "$BENCH_TMP/b.db" <<'EOF'
BEGIN IMMEDIATE;
INSERT INTO events (case_seq, seq, at, actor, role, action, from_status, to_status, comment, version)
  SELECT seq, (SELECT COALESCE(MAX(e.seq), 0) + 1 FROM events e WHERE e.case_seq = cases.seq),
         strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'system', 'system', 'recompute', status, status,
         'deadline recomputed by hand', version + 1
  FROM cases WHERE deadline_provisional = 1 AND status NOT IN ('completed', 'rejected');
UPDATE cases SET deadline = date(deadline, '+3 days'), deadline_provisional = 0, version = version + 1,
       doc = json_set(doc, '$.deadline', date(deadline, '+3 days'),
                      '$.legal_deadline', date(json_extract(doc, '$.legal_deadline'), '+3 days'),
                      '$.deadline_provisional', json('false'),
                      '$.legal_deadline_provisional', json('false'),
                      '$.version', version + 1)
  WHERE deadline_provisional = 1 AND status NOT IN ('completed', 'rejected');
COMMIT;
EOF
t1=$(now)
sql=$(echo "$t1 - $t0" | bc -l)
printf 'twonetd calendar import: %d cases counted again in %.2f s = %.0f cases/s (%d still provisional, %d events)\n' \
	"$prov" "$imp" "$(echo "$prov / $imp" | bc -l)" "$left" "$events"
printf 'sqlite3 bulk UPDATE + INSERT of the same rows: %.2f s = %.0f cases/s; twonetd takes %.2fx its time\n' \
	"$sql" "$(echo "$prov / $sql" | bc -l)" "$(echo "$imp / $sql" | bc -l)"
