#!/bin/bash
# Alerts on PostgreSQL (issue 15): the store's alert operations and the alert report
# beside SQLite's, and the event log in commit order with concurrent writers
# and the wake-up NOTIFY twonet_alerts (tests/unit/test_srv_pg_alerts.c) on a
# throwaway cluster.
. "$(dirname "$0")/test-lib.sh"
. "$TWONET_SRC/tests/cli/pg-lib.sh"

pg_start || exit 1

test_expect_success 'the alert store unit tests on this cluster' '
	U=$(pg_createdb alerts) &&
	TWONET_PG_URI=$U CMOCKA_MESSAGE_OUTPUT=TAP "$TWONET_BUILD/tests/unit/test_srv_pg_alerts" >unit.out 2>&1 ||
		{ cat unit.out; false; } &&
	grep -q "^1\.\.5$" unit.out &&
	! grep -q "^not ok" unit.out
'

test_done
