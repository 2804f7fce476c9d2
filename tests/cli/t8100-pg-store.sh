#!/bin/bash
# twonetd on PostgreSQL (the first part of issue 15): init, import catalog, token
# add|list|revoke, the calendar and its recount, against a throwaway cluster, side by
# side with the same commands on SQLite; then the store's unit tests (tokens, catalog,
# cases, the case list, calendar) on the cluster.
. "$(dirname "$0")/test-lib.sh"
. "$TWONET_SRC/tests/cli/pg-lib.sh"

pg_start || exit 1
PG=$TWONET_PG_URI
LITE="$TRASH/lite.db"

# both BACKEND-ARGS...: run twonetd ARGS on SQLite (into lite.out) and on PostgreSQL (pg.out)
both() {
	twonetd "$@" --db "$LITE" >lite.out 2>lite.err && twonetd "$@" --db "$PG" >pg.out 2>pg.err
}

test_expect_success 'twonetd init makes the schema, and again changes nothing' '
	twonetd init --db "$PG" >out &&
	grep -q "^database .* at schema 17$" out &&
	test "$(pg_sql "SELECT version FROM schema_version")" = 17 &&
	pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = '"'"'public'"'"'" >tables &&
	twonetd init --db "$PG" >out &&
	grep -q "at schema 17$" out &&
	pg_sql "SELECT count(*) FROM pg_tables WHERE schemaname = '"'"'public'"'"'" >tables2 &&
	test_cmp tables tables2 &&
	twonetd init --db "$LITE" >/dev/null
'

test_expect_success 'six twonetd init at once on a new database: one schema, one calendar' '
	U=$(pg_createdb together) &&
	for i in 1 2 3 4 5 6; do twonetd init --db "$U" >init$i.out 2>&1 & done &&
	wait &&
	test "$(cat init?.out | grep -c "at schema 17$")" = 6 &&
	test "$(pg_sql "SELECT generation FROM calendar_state" "$U")" = 1 &&
	test "$(pg_sql "SELECT count(*) FROM calendar_years" "$U")" = 3
'

test_expect_success 'every SQLite table and column has its PostgreSQL one' '
	# the audit log: a file of its own on SQLite (LITE.audit), tables in the database on PostgreSQL
	sqlite_db "$LITE" "SELECT m.name || \".\" || p.name FROM (SELECT name, type FROM main.sqlite_master
		UNION ALL SELECT name, type FROM log.sqlite_master) m, pragma_table_info(m.name) p
		WHERE m.type = '"'"'table'"'"' AND m.name NOT LIKE '"'"'sqlite_%'"'"' ORDER BY 1" >lite.cols &&
	pg_sql "SELECT table_name || '"'"'.'"'"' || column_name FROM information_schema.columns
		WHERE table_schema = '"'"'public'"'"' AND table_name <> '"'"'schema_version'"'"' ORDER BY 1" >pg.cols &&
	# consents.id: SQLite'"'"'s rowid (the consent'"'"'s number in the API), a column on PostgreSQL;
	# certs_gen: the counter SQLite'"'"'s certificate cache holds by (PostgreSQL keeps no cache)
	grep -v "^certs_gen\." lite.cols | LC_ALL=C sort >a &&
	grep -vx "consents\.id" pg.cols | LC_ALL=C sort >b &&
	test_cmp a b &&
	sqlite_db "$LITE" "SELECT name FROM main.sqlite_master WHERE type = '"'"'index'"'"' AND sql IS NOT NULL
		UNION ALL SELECT name FROM log.sqlite_master WHERE type = '"'"'index'"'"' AND sql IS NOT NULL" |
		LC_ALL=C sort >lite.idx &&
	# audit by holder and by certificate: on SQLite in LITE.audit-index, filled behind the reads
	pg_sql "SELECT indexname FROM pg_indexes WHERE schemaname = '"'"'public'"'"' AND indexname NOT LIKE '"'"'%_pkey'"'"' AND indexname NOT LIKE '"'"'%_key'"'"'" |
		grep -vx "audit_holder\|audit_cert" | LC_ALL=C sort >pg.idx &&
	test_cmp lite.idx pg.idx
'

test_expect_success 'the shipped calendar seeds both alike' '
	both calendar show --format json &&
	jq -S "del(.years[].loaded_at)" lite.out >a && jq -S "del(.years[].loaded_at)" pg.out >b &&
	test_cmp a b &&
	json_eq "[.years[].year] | join(\",\")" 2024,2025,2026 <pg.out &&
	sqlite3 "$LITE" "SELECT day, work, name FROM calendar_days ORDER BY day" >a &&
	pg_sql "SELECT day, work, name FROM calendar_days ORDER BY day" >b &&
	test_cmp a b
'

test_expect_success 'import catalog: the same rows, documents byte for byte' '
	both import catalog &&
	test_cmp lite.out pg.out &&
	grep -q "^imported [0-9]* departments, [0-9]* items, [0-9]* workflows$" pg.out &&
	for t in departments items workflows; do
		sqlite3 "$LITE" "SELECT * FROM $t ORDER BY code" >a &&
		pg_sql "SELECT * FROM $t ORDER BY code" >b &&
		test_cmp a b || return 1
	done &&
	both import catalog && test_cmp lite.out pg.out &&
	test "$(pg_sql "SELECT count(*) FROM items")" = "$(sqlite3 "$LITE" "SELECT count(*) FROM items")"
'

test_expect_success 'token add: ids in order, names, roles, departments and expiry' '
	both token add --role clerk --name 王芳 --dept YBJ &&
	grep -q "^tn_[0-9a-f]\{40\}$" pg.out &&
	both token add --role admin --name root &&
	both token add --role applicant --name 张三 --subject 11010519491231002X &&
	both token add --role reader --name hospital --scenario hospital &&
	both token add --role operator --name op --expires 2099-01-01 &&
	both token add --role operator --name brief --expires 2000-01-01T08:00:00+08:00 &&
	test "$(pg_sql "SELECT id || '"'"' '"'"' || name || '"'"' '"'"' || role || '"'"' '"'"' || COALESCE(dept, '"'"'-'"'"') FROM tokens ORDER BY id" | head -2)" = "$(printf "1 王芳 clerk YBJ\n2 root admin -")" &&
	test "$(pg_sql "SELECT expires_at FROM tokens WHERE name = '"'"'brief'"'"'")" = 2000-01-01T00:00:00Z &&
	test "$(pg_sql "SELECT subject FROM tokens WHERE id = 3")" = 11010519491231002X &&
	test "$(pg_sql "SELECT count(*) FROM tokens WHERE created_at ~ '"'"'^20[0-9-]{8}T[0-9:]{8}Z$'"'"'")" = 6
'

test_expect_success 'token add refuses an unknown role or department (exit 7), and a bad expiry' '
	test_expect_exit 7 twonetd token add --db "$PG" --role boss --name x 2>err &&
	grep -q "unknown role '"'"'boss'"'"'" err &&
	test_expect_exit 7 twonetd token add --db "$PG" --role clerk --name x --dept ZZZ 2>err &&
	grep -q "unknown department '"'"'ZZZ'"'"'" err &&
	test_expect_exit 7 twonetd token add --db "$PG" --role admin --name x --expires soon 2>err &&
	grep -q "'"'"'soon'"'"' is not a date" err &&
	test_expect_exit 7 twonetd token add --db "$PG" --role admin --name x --expires 2099-02-30 2>err &&
	test "$(pg_sql "SELECT count(*) FROM tokens")" = 6
'

test_expect_success 'token list and revoke: the same table on both backends' '
	both token list &&
	test_cmp lite.out pg.out &&
	! grep -q brief pg.out && grep -q "^5 .*active .*operator .*2099-01-01T00:00:00Z" pg.out &&
	both token list --all &&
	test_cmp lite.out pg.out &&
	grep -q "^6 .*expired .*operator" pg.out &&
	both token revoke 1 3 &&
	test_cmp lite.out pg.out &&
	grep -q "revoked 1" pg.out &&
	test_expect_exit 5 twonetd token revoke --db "$PG" 1 2>err &&
	grep -q "token 1 is already revoked" err &&
	test_expect_exit 3 twonetd token revoke --db "$PG" 99 2>err &&
	grep -q "no token 99" err &&
	both token list --all &&
	test_cmp lite.out pg.out &&
	grep -q "^1 .*revoked .*clerk .*YBJ" pg.out &&
	test "$(pg_sql "SELECT count(*) FROM tokens WHERE revoked_at ~ '"'"'Z$'"'"'")" = 2
'

# an open case filed before 2027 was known (provisional deadlines), and a completed one with materials
CASES="INSERT INTO cases (item, department, status, applicant_id, applicant_name, submitted_at,
	deadline, version, submitted_by, token_id, idem_key, idem_hash, doc, deadline_from,
	deadline_days, legal_days, deadline_provisional) VALUES
	('310000-YB-001', 'YBJ', 'submitted', '110101199003070003', '王五', '2026-12-20T10:00:00+08:00',
	 '2027-01-01', 1, 'c', 1, 'k1', 'h',
	 '{\"status\":\"submitted\",\"deadline\":\"2027-01-01\",\"deadline_provisional\":true,\"legal_deadline\":\"2027-01-15\",\"legal_deadline_provisional\":true,\"version\":1}',
	 '2026-12-20', 10, 20, 1),
	('310000-YB-003', 'YBJ', 'completed', '110101199003070003', '王五', '2026-11-02T09:00:00+08:00',
	 '2026-11-09', 4, 'c', 1, 'k2', 'h',
	 '{\"status\":\"completed\",\"workflow\":\"restaurant\",\"legal_deadline\":\"2026-11-20\",\"accepted_at\":\"2026-11-02T10:00:00+08:00\",\"completed_at\":\"2026-11-05T10:00:00+08:00\",\"materials\":[{\"code\":\"M1\",\"state\":\"exempted\"},{\"code\":\"M2\",\"state\":\"given\"},3]}',
	 NULL, NULL, NULL, 0);
	INSERT INTO events (case_seq, seq, at, actor, role, action, from_status, to_status, version)
	VALUES (1, 1, '2026-12-20T10:00:00+08:00', 'c', 'clerk', 'submit', NULL, 'submitted', 1);
	UPDATE cases SET status = 'returned' WHERE seq = 2;
	UPDATE cases SET status = 'completed' WHERE seq = 2;"
REPORT="SELECT seq, r_day, r_workflow, r_legal, r_legal_days, r_accepted, r_returned, r_done,
	r_mat, r_exempt FROM cases ORDER BY seq"

test_expect_success 'the report columns are set as SQLite triggers set them' '
	sqlite3 "$LITE" "$CASES" && pg_sql "$CASES" &&
	sqlite3 "$LITE" "$REPORT" >a && pg_sql "$REPORT" >b &&
	test_cmp a b &&
	grep -q "^2|2026-11-02|restaurant|2026-11-20|[0-9]*|1|1|2026-11-05|3|1$" b
'

test_expect_success 'calendar import counts provisional deadlines again, as on SQLite' '
	both calendar import "$TWONET_SRC/tests/data/calendar/2027-test.json" &&
	sed "s/ from .*2027-test.json.;/;/" lite.out >a && sed "s/ from .*2027-test.json.;/;/" pg.out >b &&
	test_cmp a b &&
	grep -q "; 1 open case counted again, 0 still provisional$" pg.out &&
	test "$(pg_sql "SELECT deadline || '"'"' '"'"' || version || '"'"' '"'"' || deadline_provisional FROM cases WHERE seq = 1")" = "2027-01-04 2 0" &&
	pg_sql "SELECT doc FROM cases WHERE seq = 1" | jq -c "del(.updated_at)" >b &&
	sqlite3 "$LITE" "SELECT doc FROM cases WHERE seq = 1" | jq -c "del(.updated_at)" >a &&
	test_cmp a b &&
	json_eq .legal_deadline 2027-01-18 <b &&
	E="SELECT seq, actor, role, action, from_status, to_status, comment, version FROM events ORDER BY case_seq, seq" &&
	sqlite3 "$LITE" "$E" >a && pg_sql "$E" >b &&
	test_cmp a b &&
	grep -q "^2|system|system|recompute|submitted|submitted|deadline recomputed: 2027 calendar loaded" b &&
	both calendar import "$TWONET_SRC/tests/data/calendar/2027-test.json" &&
	test "$(pg_sql "SELECT generation FROM calendar_state")" = 2 &&
	both calendar show --format json &&
	jq -S "del(.years[].loaded_at, .days_left)" lite.out >a &&
	jq -S "del(.years[].loaded_at, .days_left)" pg.out >b &&
	test_cmp a b
'

test_expect_success 'the audit log is append-only on PostgreSQL too' '
	pg_sql "INSERT INTO audit (seq, at, actor, role, outcome, prev_hash, hash)
		VALUES (1, '"'"'2026-12-04T00:00:00Z'"'"', '"'"'a'"'"', '"'"'admin'"'"', '"'"'allowed'"'"', '"'"'0'"'"', '"'"'1'"'"')" &&
	for q in "UPDATE audit SET actor = '"'"'b'"'"'" "DELETE FROM audit" "TRUNCATE audit" \
		"DELETE FROM audit_head" "TRUNCATE audit_head"; do
		test_must_fail pg_sql "$q" 2>err && grep -q "the audit log is append-only" err || return 1
	done &&
	test "$(pg_sql "SELECT actor FROM audit")" = a
'

test_expect_success 'a newer schema is refused; init will not guess at an older one' '
	pg_sql "UPDATE schema_version SET version = 18" &&
	test_expect_exit 1 twonetd init --db "$PG" 2>err &&
	grep -q "is at schema 18, this twonetd knows 17" err &&
	test_expect_exit 1 twonetd token list --db "$PG" 2>err &&
	grep -q "is at schema 18, newer than this twonetd (17)" err &&
	pg_sql "UPDATE schema_version SET version = 10" &&
	test_expect_exit 1 twonetd token list --db "$PG" 2>err &&
	grep -q "is at schema 10, not 17 (run '"'"'twonetd init" err &&
	test_expect_exit 1 twonetd init --db "$PG" 2>err &&
	grep -q "which no twonetd wrote on PostgreSQL" err &&
	pg_sql "UPDATE schema_version SET version = 17" &&
	twonetd token list --db "$PG" >/dev/null
'

test_expect_success 'an empty database is at schema 0 until init; a password never shows' '
	EMPTY=$(pg_createdb empty) &&
	test_expect_exit 1 twonetd token list --db "$EMPTY" 2>err &&
	grep -q "is at schema 0, not 17" err &&
	test_expect_exit 1 twonetd init --db "postgresql://u:sekrit@127.0.0.1:1/x?connect_timeout=3" 2>err &&
	grep -q "cannot connect to the PostgreSQL server of '"'"'postgresql://u@127.0.0.1:1/x'"'"'" err &&
	! grep -q sekrit err &&
	test "$(wc -l <err)" = 1
'

test_expect_success 'PG* variables reach libpq: --db postgresql:// alone' '
	PGHOST=$PG_DIR PGPORT=$PG_PORT PGUSER=twonet PGDATABASE=twonet \
		twonetd token list --db postgresql:// >out &&
	grep -q root out
'

test_expect_success 'twonetd serve finds every storage operation on PostgreSQL' '
	test_must_fail env -u TWONETD_STATE timeout 30 twonetd serve --db "$PG" \
		--listen 127.0.0.1:0 2>err &&
	! grep -q "operations missing" err &&
	grep -q TWONETD_STATE err
'

test_expect_success 'the store unit tests on this cluster' '
	U=$(pg_createdb unit) &&
	TWONET_PG_URI=$U CMOCKA_MESSAGE_OUTPUT=TAP "$TWONET_BUILD/tests/unit/test_srv_pg_store" >unit.out 2>&1 &&
	grep -q "^1\.\.10$" unit.out &&
	! grep -q "^not ok" unit.out &&
	TWONET_PG_URI=$U CMOCKA_MESSAGE_OUTPUT=TAP "$TWONET_BUILD/tests/unit/test_srv_pg_cases" >unit.out 2>&1 &&
	grep -q "^1\.\.4$" unit.out &&
	! grep -q "^not ok" unit.out
'

test_done
