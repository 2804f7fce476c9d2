#!/bin/bash
# The alert stream across instances on PostgreSQL (issue 15): two twonetd serve
# on one database with an hour between heartbeats, so only the LISTEN/NOTIFY
# wake-up can deliver; alert-tail follows instance B while alerts are posted to
# instance A: each arrives, a resume by cursor (Last-Event-ID) gives every id
# once and in order, and after the LISTEN connections are terminated
# (pg_terminate_backend), and after a database restart, the instances listen
# again and a later alert still arrives.  The servers and followers are
# started at top level; the tests check what happened.
. "$(dirname "$0")/test-lib.sh"
. "$TWONET_SRC/tests/cli/pg-lib.sh"

# a NOTIFY takes milliseconds; a heartbeat would take an hour
WAIT_SECONDS=10
export TWONETD_HEARTBEAT_MS=3600000

pg_start || exit 1
DB=$TWONET_PG_URI
export TWONETD_STATE="$TRASH/state"
LISTENERS="SELECT count(*) FROM pg_stat_activity WHERE application_name = 'twonetd alerts listener'"

twonetd init --db "$DB" >/dev/null &&
twonetd import catalog --db "$DB" >/dev/null || exit 1
SENSOR=$(twonetd token add --db "$DB" --role sensor --name wd-sim)
export TWONET_TOKEN=$(twonetd token add --db "$DB" --role operator --name duty-1)

# serve X: instance X (two workers) on a port of its own; its URL in URLX, pid in PIDX
serve() {
	twonetd serve --db "$DB" --listen 127.0.0.1:0 --port-file "port$1" --workers 2 \
		>>"twonetd$1.log" 2>&1 &
	eval "PID$1=\$!"
	for _ in $(seq 1 200); do [ -s "port$1" ] && break; sleep 0.05; done
	[ -s "port$1" ] || { cat "twonetd$1.log" >&2; return 1; }
	eval "URL$1=http://127.0.0.1:\$(cat port$1)"
}

# post_a FIRST LAST: alerts FIRST..LAST posted to instance A
post_a() {
	gen_alerts "$1" "$2" fanout | TWONET_TOKEN=$SENSOR alert-post --url "$URLA" --bulk >/dev/null 2>>post.err
}

# listeners N: wait until N workers listen (two instances, two workers each)
listeners() {
	for _ in $(seq 1 200); do [ "$(pg_sql "$LISTENERS")" = "$1" ] && return 0; sleep 0.05; done
	return 1
}

serve A && serve B || exit 1
listeners 4 && echo 4 >listening.0

# one alert before the follower starts (it follows from there), then one live
post_a 1 1
echo 0 >cursor
: >seen.ndjson
alert-tail --url "$URLB" --cursor-file cursor >>seen.ndjson 2>tail1.err &
tail1=$!
wait_lines seen.ndjson 1 && post_a 2 2 && wait_lines seen.ndjson 2 && echo ok >live.ok
kill -TERM $tail1
wait $tail1
echo $? >tail1.rc

# three more while nobody follows, then a resume from the cursor and two live
post_a 3 5
alert-tail --url "$URLB" --cursor-file cursor >>seen.ndjson 2>tail2.err &
tail2=$!
wait_lines seen.ndjson 5 && post_a 6 7 && wait_lines seen.ndjson 7 && echo ok >resume.ok

# every LISTEN connection cut: the workers reconnect, a later alert still arrives
pg_sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	WHERE application_name = 'twonetd alerts listener'" >terminated
listeners 4 && echo 4 >listening.1
post_a 8 8
wait_lines seen.ndjson 8 && echo ok >reconnect.ok

# the database down for a second: the listeners retry with a back-off, then listen again
(cd "$PG_DIR" && _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop && sleep 1 &&
	_pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start) \
	>>"$PG_DIR/pg_ctl.log" 2>&1
listeners 4 && echo 4 >listening.2
gen_alerts 9 9 fanout | TWONET_TOKEN=$SENSOR alert-post --url "$URLA" --bulk --retries 5 >/dev/null 2>>post.err
wait_lines seen.ndjson 9 && echo ok >restart.ok
kill -TERM $tail2
wait $tail2
echo $? >tail2.rc

test_expect_success 'each worker of both instances listens (four LISTEN connections)' '
	test "$(cat listening.0)" = 4
'

test_expect_success 'an alert posted to A reaches the follower on B (no heartbeat for an hour)' '
	test -f live.ok &&
	pg_sql "SELECT id FROM alerts WHERE source_id IN ('\''1'\'', '\''2'\'') ORDER BY id" >want &&
	head -2 seen.ndjson | jq .id >got &&
	test_cmp want got &&
	test "$(cat tail1.rc)" = 130
'

test_expect_success 'the resume on B gives the alerts posted meanwhile and the live ones' '
	test -f resume.ok
'

test_expect_success 'the LISTEN connections cut, the workers reconnect and a later alert arrives' '
	test "$(cat terminated)" = 4 &&
	test "$(cat listening.1)" = 4 &&
	test -f reconnect.ok &&
	grep -q "listening for alerts on .* dropped" twonetdA.log twonetdB.log
'

test_expect_success 'the database restarted: the workers listen again, a later alert arrives' '
	test "$(cat listening.2)" = 4 &&
	test -f restart.ok &&
	grep -q "listening for alerts again" twonetdA.log twonetdB.log
'

test_expect_success 'every id once, in order, through the resume and both reconnections' '
	pg_sql "SELECT id FROM alerts WHERE source = '\''fanout'\'' ORDER BY seq" >stored &&
	test $(wc -l <stored) = 9 &&
	jq .id seen.ndjson >printed &&
	test_cmp stored printed &&
	test "$(cat cursor)" = "$(tail -1 seen.ndjson | jq .seq)"
'

kill -TERM "$PIDA" "$PIDB" 2>/dev/null
wait "$PIDA"; RCA=$?
wait "$PIDB"; RCB=$?

test_expect_success 'both instances stop cleanly (exit 0, no sanitizer report)' '
	test "$RCA $RCB" = "0 0" &&
	! grep -E "Sanitizer|runtime error" twonetdA.log twonetdB.log
'

test_done
