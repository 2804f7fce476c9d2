#!/bin/bash
# The certificate library and its audit log on PostgreSQL (issue 15): the store's
# unit test on a throwaway cluster (certificates, issuers, consents, codes, the audit
# chain beside SQLite's, and four processes appending at once: one chain), then
# twonetd audit verify on that chain, whole and with a row changed.
. "$(dirname "$0")/test-lib.sh"
. "$TWONET_SRC/tests/cli/pg-lib.sh"

pg_start || exit 1

test_expect_success 'twonetd audit verify on a new PostgreSQL database: an empty chain' '
	U=$(pg_createdb fresh) &&
	twonetd init --db "$U" >/dev/null &&
	twonetd audit verify --db "$U" >out &&
	grep -q "^audit log intact: 0 rows$" out
'

test_expect_success 'the certificate store unit tests on this cluster' '
	U=$(pg_uri twonet) &&
	TWONET_PG_URI=$U CMOCKA_MESSAGE_OUTPUT=TAP "$TWONET_BUILD/tests/unit/test_srv_pg_certs" >unit.out 2>&1 &&
	grep -q "^1\.\.6$" unit.out &&
	! grep -q "^not ok" unit.out
'

# the unit test leaves the chain its four writers made: 624 rows
test_expect_success 'twonetd audit verify: the chain four processes wrote at once' '
	twonetd audit verify --db "$TWONET_PG_URI" >out &&
	grep -q "^audit log intact: 624 rows$" out &&
	test "$(pg_sql "SELECT count(DISTINCT seq), min(seq), max(seq) FROM audit")" = "624|1|624"
'

test_expect_success 'twonetd audit verify: a changed row is caught (exit 7)' '
	pg_sql "ALTER TABLE audit DISABLE TRIGGER USER; UPDATE audit SET actor = '"'"'x'"'"' WHERE seq = 300" &&
	test_expect_exit 7 twonetd audit verify --db "$TWONET_PG_URI" >out &&
	grep -q "^audit log broken at seq 300: row 300 was changed" out
'

test_done
