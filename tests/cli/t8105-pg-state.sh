#!/bin/bash
# PostgreSQL operations: TWONETD_STATE (the issuers' keys and the audit checkpoints of a
# database without a file), the URI shown without its password, the database going away
# under a serving twonetd (503 with Retry-After, served again) and restarting during a bulk
# filing (every case once).
. "$(dirname "$0")/test-lib.sh"
. "$TWONET_SRC/tests/cli/pg-lib.sh"

pg_start || exit 1
PG=$TWONET_PG_URI
twonetd init --db "$PG" >/dev/null || exit 1
twonetd import catalog --db "$PG" >/dev/null || exit 1

test_expect_success 'issuer add on PostgreSQL without TWONETD_STATE: refused, naming the variable' '
	unset TWONETD_STATE &&
	test_expect_exit 2 twonetd issuer add --db "$PG" --dept GAJ 2>err &&
	grep -q "set TWONETD_STATE=PATH" err &&
	test "$(pg_sql "SELECT count(*) FROM issuers")" = 0
'

test_expect_success 'with TWONETD_STATE the key goes to PATH.keys/ (0700 folder, 0600 key)' '
	TWONETD_STATE="$TRASH/city" twonetd issuer add --db "$PG" --dept GAJ >out &&
	test "$(stat -c %a "$TRASH/city.keys")" = 700 &&
	ls "$TRASH/city.keys"/GAJ-*.pem >keys &&
	test $(wc -l <keys) = 1 &&
	test "$(stat -c %a "$(cat keys)")" = 600 &&
	test "$(pg_sql "SELECT count(*) FROM issuers")" = 1
'

test_expect_success 'twonetd init names the database without the password of its URI' '
	twonetd init --db "postgresql://twonet:s3cret-pw@/twonet?host=$PG_DIR&port=$PG_PORT" >out &&
	grep -q "at schema 17" out &&
	! grep -q s3cret-pw out
'

db_count() { pg_sql "SELECT count(*) FROM cases"; }

# a server on PostgreSQL while the database stops and starts again

ADMIN=$(twonetd token add --db "$PG" --role admin --name root) || exit 1
TWONETD_STATE="$TRASH/city" twonetd serve --db "$PG" --listen 127.0.0.1:0 \
	--port-file "$TRASH/pg.port" --workers 1 >>"$TRASH/pg-serve.log" 2>&1 &
PGSERVE=$!
for _ in $(seq 400); do [ -s "$TRASH/pg.port" ] && break; sleep 0.05; done
export TWONET_URL="http://127.0.0.1:$(cat "$TRASH/pg.port")"

test_expect_success 'the database away: 503 with Retry-After, then served again without a restart of twonetd' '
	test "$(api GET /v1/items "$ADMIN")" = 200 &&
	(cd "$PG_DIR" && _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop) >/dev/null 2>&1 &&
	test "$(api GET /v1/items "$ADMIN")" = 503 &&
	grep -qi "^Retry-After: 1" headers.txt &&
	(cd "$PG_DIR" && _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start) >/dev/null 2>&1 &&
	n=0 && until test "$(api GET /v1/items "$ADMIN")" = 200; do
		n=$((n + 1)) && test $n -lt 100 && sleep 0.1 || return 1
	done &&
	kill -0 $PGSERVE
'
# a bulk filing while the database restarts: the clients retry, nothing lost or doubled
yb_cases 1500 >cases.ndjson
case-submit --token "$ADMIN" --bulk --parallel 4 --retries 20 <cases.ndjson >filed.ndjson 2>bulk.err &
BULK=$!
until [ "$(db_count 2>/dev/null)" -ge 200 ] 2>/dev/null || ! kill -0 $BULK 2>/dev/null; do sleep 0.05; done
kill -0 $BULK 2>/dev/null && echo running >restarted.during
(cd "$PG_DIR" && _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop && sleep 1 &&
	_pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start) >/dev/null 2>&1
wait $BULK
echo $? >bulk.rc

test_expect_success 'a database restart in the middle of a bulk filing: every case once' '
	test "$(cat restarted.during)" = running &&
	test "$(cat bulk.rc)" = 0 &&
	test "$(pg_sql "SELECT count(*) FROM cases")" = 1500 &&
	test "$(pg_sql "SELECT count(DISTINCT idem_key) FROM cases")" = 1500
'
kill -TERM $PGSERVE 2>/dev/null; wait $PGSERVE 2>/dev/null

test_expect_success 'on SQLite the files stay beside the database; TWONETD_STATE moves them there too' '
	twonetd init --db "$TRASH/lite.db" >/dev/null &&
	twonetd import catalog --db "$TRASH/lite.db" >/dev/null &&
	twonetd issuer add --db "$TRASH/lite.db" --dept GAJ >/dev/null &&
	ls "$TRASH/lite.db.keys"/GAJ-*.pem >/dev/null &&
	TWONETD_STATE="$TRASH/elsewhere" twonetd issuer add --db "$TRASH/lite.db" --dept RSJ >/dev/null &&
	ls "$TRASH/elsewhere.keys"/RSJ-*.pem >/dev/null &&
	! ls "$TRASH/lite.db.keys"/RSJ-*.pem 2>/dev/null
'

test_done
