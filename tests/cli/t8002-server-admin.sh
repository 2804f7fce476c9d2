#!/bin/bash
# twonetd's command line: init and migrations, token add, catalog import,
# serve's errors, and several worker processes sharing one port.
# backend: sqlite (PRAGMA user_version and journal_mode, EXPLAIN QUERY PLAN and migrations of SQLite files)
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'init creates a WAL database at the current schema, and again is harmless' '
	twonetd init --db a.db >out &&
	grep -q "schema 17" out &&
	test "$(sqlite3 a.db "pragma user_version")" = 17 &&
	test "$(sqlite3 a.db "pragma journal_mode")" = wal &&
	twonetd init --db a.db &&
	test "$(sqlite3 a.db "pragma user_version")" = 17
'

test_expect_success 'init upgrades a schema-7 database: the report index gains deadline_provisional' '
	twonetd init --db s7.db >/dev/null &&
	twonetd import catalog --db s7.db >/dev/null &&
	RSC=$(twonetd token add --db s7.db --role clerk --name s7 --dept RSJ) &&
	# schema 7 as it was released: the report index without deadline_provisional
	sqlite3 s7.db "DROP INDEX cases_report;
		CREATE INDEX cases_report ON cases (r_day, department, item, r_workflow, status,
		r_accepted, r_returned, deadline, r_legal, r_done, r_legal_days, r_mat, r_exempt);
		PRAGMA user_version = 7;" &&
	test_must_fail twonetd serve --db s7.db --listen 127.0.0.1:0 2>err &&
	grep -q "at schema 7, not 17" err &&
	twonetd init --db s7.db >out &&
	grep -q "schema 17" out &&
	test "$(sqlite3 s7.db "pragma user_version")" = 17 &&
	sqlite3 s7.db "SELECT name FROM pragma_index_info(\"cases_report\")" >cols &&
	test "$(tail -n 1 cols)" = deadline_provisional &&
	test "$(wc -l <cols)" = 14 &&
	sqlite3 s7.db "EXPLAIN QUERY PLAN SELECT sum(deadline_provisional) FROM cases
		INDEXED BY cases_report WHERE r_day >= \"2026-01-01\"" >plan &&
	grep -q "COVERING INDEX cases_report" plan
'

test_expect_success 'init without --db is a usage error (exit 2)' '
	test_expect_exit 2 twonetd init 2>err &&
	grep -q -- "--db" err
'

test_expect_success '--help and --version' '
	twonetd --help >out && grep -q "^usage: twonetd init" out &&
	twonetd --version >out && grep -q "^twonetd (twonet) [0-9]" out &&
	twonetd serve --help >out && grep -q -- "--workers" out &&
	test_expect_exit 2 twonetd frobnicate 2>err &&
	grep -q "unknown command" err
'

test_expect_success 'token add prints a token once and stores only its hash' '
	twonetd import catalog --db a.db >/dev/null &&
	twonetd token add --db a.db --role clerk --name c1 --dept RSJ >tok &&
	grep -qx "tn_[0-9a-f]\{40\}" tok &&
	! sqlite3 a.db "select * from tokens" | grep -q "$(cat tok)" &&
	hash=$(printf "%s" "$(cat tok)" | sha256sum | cut -d" " -f1) &&
	test "$(sqlite3 a.db "select name from tokens where hash = '\''$hash'\''")" = c1
'

test_expect_success 'token add refuses a clerk without a department, an unknown role, department or scenario, a bad subject' '
	test_expect_exit 2 twonetd token add --db a.db --role clerk --name c2 2>err &&
	grep -q "needs --dept" err &&
	test_expect_exit 7 twonetd token add --db a.db --role king --name k 2>err &&
	grep -q "unknown role .king." err &&
	test_expect_exit 7 twonetd token add --db a.db --role clerk --name c3 --dept NOPE 2>err &&
	grep -q "unknown department .NOPE.: not in the catalog" err &&
	test_expect_exit 7 twonetd token add --db a.db --role issuer --name i --dept rsj 2>err &&
	test_expect_exit 7 twonetd token add --db a.db --role reader --name r --scenario zoo 2>err &&
	grep -q "unknown scenario .zoo." err &&
	test_expect_exit 7 twonetd token add --db a.db --role applicant --name p --subject 110105194912310021 2>err &&
	grep -q "check character" err &&
	test "$(sqlite3 a.db "select count(*) from tokens")" = 1
'

test_expect_success 'serve and token add refuse a database that was never initialised' '
	test_must_fail twonetd token add --db none.db --role admin --name a 2>err &&
	grep -q "twonetd init" err &&
	test_must_fail twonetd serve --db none.db --listen 127.0.0.1:0 2>err &&
	grep -q "twonetd init" err
'

test_expect_success 'serve refuses a bad --listen' '
	twonetd init --db b.db >/dev/null &&
	test_must_fail twonetd serve --db b.db --listen nowhere 2>err &&
	grep -q "HOST:PORT" err
'

test_expect_success 'import catalog takes the shipped YAML catalog and a JSON one' '
	twonetd import catalog --db a.db >out &&
	grep -q "imported [1-9][0-9]* departments, [1-9][0-9]* items" out &&
	n=$(sqlite3 a.db "select count(*) from items") &&
	twonetd import catalog --db a.db >/dev/null &&
	test "$(sqlite3 a.db "select count(*) from items")" = "$n" &&
	cat >cat.json <<-\EOF &&
	{"departments":[{"code":"TSTJ","name":"测试局"}],
	 "items":[{"code":"T-001","name":"测试事项","department":"TSTJ","legal_days":5,
	           "promised_days":2,"commitment":false,"fields":[],"materials":[]}]}
	EOF
	twonetd import catalog --db a.db cat.json >out &&
	grep -q "imported 1 departments, 1 items, 0 workflows" out &&
	test "$(sqlite3 a.db "select json_extract(doc, '\''$.department_name'\'') from items where code = '\''T-001'\''")" = 测试局
'

test_expect_success 'a broken catalog is refused and nothing is imported' '
	echo "{\"items\":[{\"name\":\"no code\"}]}" >broken.json &&
	before=$(sqlite3 a.db "select count(*) from items") &&
	test_must_fail twonetd import catalog --db a.db broken.json 2>err &&
	grep -q "item 1" err &&
	test "$(sqlite3 a.db "select count(*) from items")" = "$before"
'

TWONETD_WORKERS=2 start_server || exit 1
CLERK=$(make_token clerk w-clerk RSJ)
ADMIN=$(make_token admin w-admin)

test_expect_success 'workflows: listed and shown to any token, published by an admin only' '
	curl -sS -H "Authorization: Bearer $CLERK" "$TWONET_URL/v1/workflows" >wfs &&
	jq -e ".items | length > 0 and all(.code | type == \"string\")" wfs &&
	code=$(jq -r ".items[0].code" wfs) &&
	curl -sS -H "Authorization: Bearer $CLERK" "$TWONET_URL/v1/workflows/$code" | json_eq .code "$code" &&
	test "$(curl -sS -o out.json -w "%{http_code}" -H "Authorization: Bearer $CLERK" \
		-d "{\"code\":\"WF-T\",\"name\":\"t\"}" "$TWONET_URL/v1/workflows")" = 403 &&
	test "$(curl -sS -o out.json -w "%{http_code}" -H "Authorization: Bearer $ADMIN" \
		-d "{\"code\":\"WF-T\",\"name\":\"t\"}" "$TWONET_URL/v1/workflows")" = 201 &&
	test "$(curl -sS -o out.json -w "%{http_code}" -H "Authorization: Bearer $ADMIN" \
		-d "{\"code\":\"WF-T\",\"name\":\"t2\"}" "$TWONET_URL/v1/workflows")" = 200 &&
	curl -sS -H "Authorization: Bearer $CLERK" "$TWONET_URL/v1/workflows/WF-T" | json_eq .name t2 &&
	test "$(curl -sS -o out.json -w "%{http_code}" -H "Authorization: Bearer $CLERK" \
		"$TWONET_URL/v1/workflows/NONE")" = 404
'

test_expect_success '--workers 2: two worker processes serve requests' '
	for i in $(seq 1 100); do
		test "$(server_workers | wc -l)" = 2 && break
		sleep 0.05
	done &&
	test "$(server_workers | wc -l)" = 2 &&
	for i in $(seq 1 20); do
		curl -sS -o /dev/null -w "%{http_code}\n" "$TWONET_URL/v1/health"
	done >codes &&
	test "$(sort -u codes)" = 200 &&
	for i in $(seq 1 10); do
		curl -sS -o /dev/null -w "%{http_code}\n" -H "Authorization: Bearer $CLERK" \
			-H "Idempotency-Key: w-$i" \
			-d "{\"item\":\"310000-RS-006\",\"applicant\":{\"id\":\"91350100M000100Y43\",\"name\":\"W$i\"},\"form\":{\"org_name\":\"W\",\"uscc\":\"91350100M000100Y43\",\"staff_count\":1,\"accountant_phone\":\"13800000000\"}}" \
			"$TWONET_URL/v1/cases"
	done >codes &&
	test "$(sort -u codes)" = 201 &&
	test "$(sqlite3 "$TWONETD_DB" "select count(*) from cases")" = 10
'

test_expect_success 'a worker killed by a signal is replaced' '
	victim=$(server_workers | head -n 1) &&
	kill -KILL "$victim" &&
	for i in $(seq 1 100); do
		n=$(server_workers | grep -vx "$victim" | wc -l)
		test "$n" = 2 && break
		sleep 0.05
	done &&
	test "$n" = 2 &&
	test "$(curl -sS -o /dev/null -w "%{http_code}" "$TWONET_URL/v1/health")" = 200
'

stop_server
test_expect_success 'SIGTERM to the parent stops every worker: exit 0, database sound' '
	test "$TWONETD_RC" = 0 &&
	test "$(grep -c "SIGTERM, shutting down" "$TWONETD_LOG")" -ge 2 &&
	test "$(sqlite3 "$TWONETD_DB" "pragma integrity_check")" = ok
'

test_done
