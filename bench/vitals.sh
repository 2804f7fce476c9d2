#!/bin/bash
# bench/vitals.sh [CASES] [ALERTS] — GET /v1/vitals over a city's worth of data:
# 1,000,000 cases (a year of filings in id order, as the server numbers them:
# of the last 30 days' 40 % still open, of older ones 1 % stuck open, the rest
# completed or rejected; some filed today) and
# 100,000 alerts (a month, 3 % open, an event log with the last hour's
# resolutions), 2,000 tasks and 200,000 certificate reads, written with sqlite3
# straight into the database after twonetd init (as bench/report.sh does).
# Three runs of REQS requests each: p50 and p99 of curl's time per run, beside
# the same counts as hand-written sqlite3 COUNT queries in one sqlite3 process.
# The goal (issue 17): under 200 ms.
. "$(dirname "$0")/lib.sh"
N=${1:-1000000}
A=${2:-100000}
REQS=${REQS:-30}
DB=${VITALS_DB:-$BENCH_TMP/vitals.db}   # VITALS_DB: keep the database there (a new file)

echo "bench/vitals: $N cases, $A alerts, $(nproc) cores"
NOW=$(date +%s)
TODAY=$(date +%F)
REUSE=0
[ -n "${VITALS_DB:-}" ] && [ -s "$DB" ] && REUSE=1     # a kept database: measure it again
[ $REUSE = 1 ] || twonetd init --db "$DB" >/dev/null
[ $REUSE = 1 ] || twonetd import catalog --db "$DB" >/dev/null

t0=$(now)
[ $REUSE = 1 ] || sqlite3 "$DB" >/dev/null <<EOF2
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
CREATE TEMP TABLE it AS
  SELECT code, department, promised_days, row_number() OVER (ORDER BY code) - 1 AS k FROM items;
CREATE TEMP TABLE st (k INTEGER PRIMARY KEY, status TEXT);
INSERT INTO st VALUES (0, 'rejected'), (1, 'submitted'), (2, 'accepted'), (3, 'returned'),
  (4, 'completed'), (5, 'completed'), (6, 'completed'), (7, 'completed'), (8, 'completed'),
  (9, 'approved');
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N),
c AS (
  SELECT i, it.code, it.department, it.promised_days,
    CASE WHEN ($N - i) * 365 / $N < 30 THEN st.status WHEN i % 100 = 0 THEN 'accepted'
         WHEN i % 10 = 0 THEN 'rejected' ELSE 'completed' END AS status,
    date('$TODAY', '-' || (($N - i) * 365 / $N) || ' days') AS day
  FROM n
  JOIN it ON it.k = i % (SELECT count(*) FROM it)
  JOIN st ON st.k = (i / 7) % 10)
INSERT INTO cases (item, department, status, applicant_id, applicant_name, submitted_at,
  deadline, version, submitted_by, token_id, idem_key, idem_hash, doc)
SELECT code, department, status, '110101199003070003', 'bench',
  day || 'T' || printf('%02d:%02d:00', i % 24, i % 60) || '$(date +%:z)',
  date(day, '+' || (promised_days * 7 / 5) || ' days'), 1, 'bench', 1, 'bench-' || i, 'x',
  json_object('item', code, 'department', department, 'status', status)
FROM c;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $A)
INSERT INTO alert_events (seq, alert_id, event, at, severity, district, kind, action, data)
SELECT i, i, 'alert', $NOW - (($A - i) * 2592000 / $A), i % 4,
  printf('3101%02d', (i % 16) + 1), 'water_depth', NULL, '{}' FROM n;
INSERT INTO alerts (id, source, source_id, kind, severity, district, status, raised_at, seq, doc)
SELECT alert_id, 'bench', 'a' || alert_id, kind, severity, district,
  CASE WHEN alert_id % 100 < 3 THEN 'raised' WHEN alert_id % 100 < 4 THEN 'dispatched'
       ELSE 'closed' END, at, seq, '{}' FROM alert_events;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $A / 100)
INSERT INTO alert_events (seq, alert_id, event, at, severity, district, kind, action, data)
SELECT $A + i, $A - i, 'update', $NOW - (i * 3600 * 2 * 100 / $A), 1, '310101', 'water_depth',
  CASE WHEN i % 3 = 0 THEN 'reopen' ELSE 'resolve' END, '{}' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO tasks (id, rule, dkey, status, open, kind, severity, priority, department, district,
  generated_at, version, doc)
SELECT i, 'flood', 'k' || i, CASE WHEN i % 20 = 0 THEN 'generated' ELSE 'evaluated' END,
  i % 20 = 0, 'water_depth', 2, 2, 'SHSW', '310101', $NOW - i * 600, 1,
  json_object('generated_at', strftime('%Y-%m-%dT%H:%M:%S+00:00', $NOW - i * 600, 'unixepoch'),
    'targets', json_object('dispatch_s', 300, 'resolve_s', 3600)) FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO audit (seq, at, actor, role, cert, holder, purpose, outcome, prev_hash, hash)
SELECT i, strftime('%Y-%m-%dT%H:%M:%S', $NOW - (200000 - i) * 172800 / 200000, 'unixepoch',
  'localtime') || '$(date +%:z)', 'bench', 'clerk', 'c', 'h', 'p',
  CASE WHEN i % 10 = 0 THEN 'forbidden' ELSE 'allowed' END, 'x', 'x' FROM n;
COMMIT;
ANALYZE;
EOF2
t1=$(now)
printf 'generated: %s cases, %s alerts (%s open), %s events, %s tasks, %s reads in %.1f s, database %s\n' \
	"$(sqlite3 "$DB" 'SELECT count(*) FROM cases')" "$(sqlite3 "$DB" 'SELECT count(*) FROM alerts')" \
	"$(sqlite3 "$DB" "SELECT count(*) FROM alerts WHERE status <> 'closed'")" \
	"$(sqlite3 "$DB" 'SELECT count(*) FROM alert_events')" "$(sqlite3 "$DB" 'SELECT count(*) FROM tasks')" \
	"$(sqlite_db "$DB" 'SELECT count(*) FROM audit')" "$(echo "$t1 - $t0" | bc -l)" "$(du -h "$DB" | cut -f1)"

start_bench_server "$DB" --workers 1 --rules none
OP=$(twonetd token add --db "$DB" --role operator --name bench)

# pct P: the P-th percentile of the numbers on stdin (nearest rank)
pct() { sort -n | awk -v p="$1" '{ v[NR] = $1 } END { i = int((p * NR + 99) / 100); if (i < 1) i = 1; print v[i] }'; }

curl -s -H "Authorization: Bearer $OP" "$URL/v1/vitals" >"$BENCH_TMP/first.json"
city-vitals --url "$URL" --token "$OP" --format line
for run in 1 2 3; do
	for i in $(seq "$REQS"); do
		curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $OP" "$URL/v1/vitals"
	done >"$BENCH_TMP/run$run"
	printf 'GET /v1/vitals, run %d: p50 %.1f ms, p99 %.1f ms (%d requests)\n' "$run" \
		"$(pct 50 <"$BENCH_TMP/run$run" | awk '{ print $1 * 1000 }')" \
		"$(pct 99 <"$BENCH_TMP/run$run" | awk '{ print $1 * 1000 }')" "$REQS"
done

# the same counts by hand, one sqlite3 process per run (its start included)
H=$NOW-3600
D0=$(date -d "$TODAY" +%Y-%m-%dT%H:%M:%S%:z)
D1=$(date -d "$TODAY -1 day" +%Y-%m-%dT%H:%M:%S%:z)
T0=$(date -d "@$NOW" +%Y-%m-%dT%H:%M:%S%:z)
T1=$(date -d "@$((NOW - 86400))" +%Y-%m-%dT%H:%M:%S%:z)
cat >"$BENCH_TMP/hand.sql" <<EOF2
SELECT count(*) FROM alerts WHERE status IN ('raised', 'dispatched', 'acknowledged');
SELECT count(*) FROM alerts WHERE raised_at > $H;
SELECT sum(action = 'resolve'), sum(action = 'reopen') FROM alert_events WHERE at > $H AND alert_id > 0 AND action IN ('resolve', 'reopen');
SELECT count(*) FROM alerts WHERE status IN ('raised', 'dispatched', 'acknowledged') AND severity >= 3;
SELECT count(*) FROM alerts WHERE status IN ('raised', 'dispatched', 'acknowledged') AND district = '310101';
SELECT count(*) FROM tasks WHERE open = 1 OR id IN (SELECT task_id FROM alert_events WHERE at > $H AND task_id IS NOT NULL);
SELECT count(*) FROM cases WHERE status IN ('submitted', 'accepted', 'returned', 'resubmitted', 'approved') AND deadline < '$TODAY';
SELECT count(*) FROM cases WHERE submitted_at >= '$D0' AND submitted_at <= '$T0';
SELECT count(*) FROM cases WHERE submitted_at >= '$D1' AND submitted_at <= '$T1';
SELECT count(*) FROM audit WHERE at >= '$D0' AND at <= '$T0';
SELECT count(*) FROM audit WHERE at >= '$D1' AND at <= '$T1';
EOF2
for run in 1 2 3; do
	for i in $(seq 5); do
		a=$(now)
		sqlite_db "$DB" <"$BENCH_TMP/hand.sql" >/dev/null
		b=$(now)
		echo "$b - $a" | bc -l
	done >"$BENCH_TMP/hand$run"
	printf 'sqlite3, the same COUNT queries by hand, run %d: p50 %.1f ms, p99 %.1f ms (5 runs)\n' "$run" \
		"$(pct 50 <"$BENCH_TMP/hand$run" | awk '{ print $1 * 1000 }')" \
		"$(pct 99 <"$BENCH_TMP/hand$run" | awk '{ print $1 * 1000 }')"
done
# the server's own ways: the overdue cases as open less not yet due, the read log by seq
O="('submitted', 'accepted', 'returned', 'resubmitted', 'approved')"
sed -e "s/^SELECT count(\*) FROM cases WHERE status IN .* AND deadline < .*/SELECT (SELECT count(*) FROM cases WHERE status IN $O) - (SELECT count(*) FROM cases INDEXED BY cases_deadline WHERE status IN $O AND deadline >= '$TODAY') - (SELECT count(*) FROM cases INDEXED BY cases_deadline WHERE status IN $O AND deadline IS NULL);/" \
	-e "s/^SELECT count(\*) FROM audit .*/SELECT max(seq) FROM audit;/" "$BENCH_TMP/hand.sql" >"$BENCH_TMP/tuned.sql"
for run in 1 2 3; do
	for i in $(seq 5); do
		a=$(now)
		sqlite_db "$DB" <"$BENCH_TMP/tuned.sql" >/dev/null
		b=$(now)
		echo "$b - $a" | bc -l
	done >"$BENCH_TMP/tuned$run"
	printf 'sqlite3, the server'"'"'s queries by hand, run %d: p50 %.1f ms, p99 %.1f ms (5 runs)\n' "$run" \
		"$(pct 50 <"$BENCH_TMP/tuned$run" | awk '{ print $1 * 1000 }')" \
		"$(pct 99 <"$BENCH_TMP/tuned$run" | awk '{ print $1 * 1000 }')"
done
printf 'the hand-written counts: %s\n' "$(sqlite3 "$DB" <"$BENCH_TMP/hand.sql" | tr '\n' ' ')"
printf 'the server'"'"'s queries:    %s\n' "$(sqlite3 "$DB" <"$BENCH_TMP/tuned.sql" | tr '\n' ' ')"
stop_bench_server
