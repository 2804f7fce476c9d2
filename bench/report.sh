#!/bin/bash
# bench/report.sh [N] — a month's case report by department over N cases (default
# 1,000,000, goal: under 1 s).  The cases go straight into SQLite (one INSERT ... SELECT
# over a recursive CTE, the report triggers filling their columns), spread over 2026 with
# a mix of statuses; then the report of one month is timed through case-report and
# through a bare curl, cold (first request of the worker) and warm (median of 5).
# TWONET_BUILD=DIR runs the commands built in DIR (make O=DIR).
. "$(dirname "$0")/lib.sh"
N=${1:-1000000}
RUNS=5
DB=$BENCH_TMP/report.db

echo "bench/report: $N cases, a month's report by department, $(nproc) cores"
twonetd init --db "$DB" >/dev/null
twonetd import catalog --db "$DB" >/dev/null

t0=$(now)
sqlite3 "$DB" <<EOF
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
CREATE TEMP TABLE it AS
  SELECT code, department, legal_days, promised_days, row_number() OVER (ORDER BY code) - 1 AS k
  FROM items;
CREATE TEMP TABLE st (k INTEGER PRIMARY KEY, status TEXT);
INSERT INTO st VALUES (0, 'rejected'), (1, 'submitted'), (2, 'accepted'), (3, 'returned'),
  (4, 'completed'), (5, 'completed'), (6, 'completed'), (7, 'completed'), (8, 'completed'),
  (9, 'approved');
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N),
c AS (
  SELECT i, it.code, it.department, it.legal_days, it.promised_days, st.status,
    date('2026-01-01', '+' || (i % 365) || ' days') AS day
  FROM n
  JOIN it ON it.k = i % (SELECT count(*) FROM it)
  JOIN st ON st.k = (i / 7) % 10)
INSERT INTO cases (item, department, status, applicant_id, applicant_name, submitted_at,
  deadline, version, submitted_by, token_id, idem_key, idem_hash, doc)
SELECT code, department, status, '110101199003070003', 'bench', day || 'T10:00:00+08:00',
  date(day, '+' || (promised_days * 7 / 5) || ' days'), 1, 'bench', 1, 'bench-' || i, 'x',
  json_object('item', code, 'department', department, 'workflow', NULL, 'status', status,
    'submitted_at', day || 'T10:00:00+08:00',
    'accepted_at', CASE WHEN status IN ('accepted', 'approved', 'completed')
      THEN day || 'T11:00:00+08:00' END,
    'completed_at', CASE WHEN status = 'completed'
      THEN date(day, '+' || (i % (promised_days * 2 + 3)) || ' days') || 'T16:00:00+08:00' END,
    'deadline', date(day, '+' || (promised_days * 7 / 5) || ' days'),
    'legal_deadline', date(day, '+' || (legal_days * 7 / 5) || ' days'),
    'materials', json(CASE i % 3
      WHEN 0 THEN '[{"code":"M1","state":"exempted"},{"code":"M2","state":"supplied"},{"code":"M3","state":"exempted"}]'
      WHEN 1 THEN '[{"code":"M1","state":"supplied"},{"code":"M2","state":"exempted"}]'
      ELSE '[{"code":"M1","state":"exempted"},{"code":"M2","state":"supplied"},{"code":"M3","state":"missing"},{"code":"M4","state":"supplied"}]' END))
FROM c;
COMMIT;
ANALYZE;
EOF
t1=$(now)
rows=$(sqlite3 "$DB" 'SELECT count(*) FROM cases')
month=$(sqlite3 "$DB" "SELECT count(*) FROM cases WHERE r_day BETWEEN '2026-10-01' AND '2026-10-31'")
printf 'generated: %d cases in %.1f s (%d in 2026-10), database %s\n' "$rows" \
	"$(echo "$t1 - $t0" | bc -l)" "$month" "$(du -h "$DB" | cut -f1)"

start_bench_server "$DB" --workers 1
TOKEN=$(twonetd token add --db "$DB" --role admin --name bench)
CLERK=$(twonetd token add --db "$DB" --role clerk --name clerk --dept YBJ)
export TWONET_URL=$URL TWONET_TOKEN=$TOKEN XDG_RUNTIME_DIR=$BENCH_TMP

# secs CMD...: wall time of one run
secs() {
	local a b
	a=$(now)
	"$@" >/dev/null
	b=$(now)
	echo "$b - $a" | bc -l
}

# median of RUNS runs
median() {
	local i
	for i in $(seq "$RUNS"); do secs "$@"; done | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

path="/v1/reports/cases?from=2026-10-01&to=2026-10-31&by=department"
cold=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$URL$path")
printf 'curl, first request (fills the working-day table): %.3f s\n' "$cold"
warm=$(for i in $(seq "$RUNS"); do
	curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$URL$path"
done | sort -n | sed -n "$(((RUNS + 1) / 2))p")
printf 'curl, month by department (admin, all):  %.3f s (median of %d)\n' "$warm" "$RUNS"
clerk=$(for i in $(seq "$RUNS"); do
	curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $CLERK" "$URL$path"
done | sort -n | sed -n "$(((RUNS + 1) / 2))p")
printf 'curl, month for one department (clerk):   %.3f s (median of %d)\n' "$clerk" "$RUNS"
printf 'case-report --from 2026-10 (json):        %.3f s (median of %d)\n' \
	"$(median case-report --from 2026-10 --format json)" "$RUNS"
printf 'case-report --from 2026-10 --format csv:  %.3f s (median of %d)\n' \
	"$(median case-report --from 2026-10 --format csv)" "$RUNS"
printf 'case-report --from 2026-10 --by week --html: %.3f s (median of %d)\n' \
	"$(median case-report --from 2026-10 --by week --html "$BENCH_TMP/r.html")" "$RUNS"
printf 'case-report --from 2026 --by month (a year): %.3f s (median of %d)\n' \
	"$(median case-report --from 2026 --by month)" "$RUNS"
case-report --from 2026-10 --format table | head -n 4
stop_bench_server
