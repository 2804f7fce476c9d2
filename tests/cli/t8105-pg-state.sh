#!/bin/bash
# TWONETD_STATE: where the issuers' keys and the audit checkpoints live when the
# database has no file (PostgreSQL); without it the commands that need those files say so.
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
	grep -q "at schema 11" out &&
	! grep -q s3cret-pw out
'

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
