#!/bin/bash
# No gap, no repeat (issue 5): 20,000 alerts posted while alert-tail
# --cursor-file follows; twonetd is killed with SIGKILL and restarted on the
# same port twice, alert-tail stopped and started again once; the ids it
# printed must be exactly the stored ones, each once, in order.  The servers
# are started and killed by the script itself (not inside a test body, whose
# subshell could not wait for them); the tests then check what happened.
# On PostgreSQL (TWONET_TEST_BACKEND=postgresql) the follower reads a second
# instance, B, over the same database: the alerts are posted to A and reach B
# by NOTIFY; the first kill is A's, the second B's (both restarted).
. "$(dirname "$0")/test-lib.sh"

# wait_lines waits up to two minutes here: 20,000 alerts through two restarts
WAIT_SECONDS=120

# kill -9 the server and start another on the same port
kill_and_restart() {
	kill -9 "$TWONETD_PID"
	wait "$TWONETD_PID" 2>/dev/null
	twonetd serve --db "$TWONETD_DB" --listen "127.0.0.1:$TWONETD_PORT" --workers 1 \
		>>"$TWONETD_LOG" 2>&1 &
	TWONETD_PID=$!
	local i=0
	until curl -sf "$TWONET_URL/v1/health" >/dev/null; do
		i=$((i + 1)); [ $i -gt 600 ] && return 1; sleep 0.05
	done
	echo restarted >>restarts
}

# the second instance of the PostgreSQL run, killed and started again the same way
B_PID="" B_URL=""
start_b() {
	twonetd serve --db "$TWONETD_DB" --listen "127.0.0.1:${B_PORT:-0}" --port-file b.port \
		--workers 1 >>"$TRASH/twonetd-b.log" 2>&1 &
	B_PID=$!
	local i=0
	until [ -s b.port ] && curl -sf "http://127.0.0.1:$(cat b.port)/v1/health" >/dev/null; do
		i=$((i + 1)); [ $i -gt 600 ] && return 1; sleep 0.05
	done
	B_PORT=$(cat b.port)
	B_URL="http://127.0.0.1:$B_PORT"
}
kill_and_restart_b() {
	kill -9 "$B_PID"
	wait "$B_PID" 2>/dev/null
	start_b && echo restarted >>restarts
}

N=${ALERT_RESTART_COUNT:-20000}
start_server || exit 1
FOLLOW_URL=$TWONET_URL
if [ "$TWONET_TEST_BACKEND" = postgresql ]; then
	start_b || exit 1
	FOLLOW_URL=$B_URL
fi
SENSOR=$(make_token sensor wd-sim)
OPERATOR=$(make_token operator duty-1)
export TWONET_TOKEN=$OPERATOR

# a few alerts before the follower starts: it must not see them
gen_alerts 1 5 before | TWONET_TOKEN=$SENSOR alert-post --bulk >/dev/null 2>&1
alert-tail -n 1 --no-follow | jq .seq >start
cp start cursor
gen_alerts 1 "$N" restart >many.ndjson
: >seen.ndjson
(TWONET_TOKEN=$SENSOR alert-post --bulk --batch 50 --retries 50 <many.ndjson >/dev/null \
	2>post.err; echo $? >post.rc) &
poster=$!
TWONET_URL=$FOLLOW_URL alert-tail --cursor-file cursor >>seen.ndjson 2>tail1.err &
tail1=$!
wait_lines seen.ndjson $((N * 15 / 100)) && kill_and_restart
wait_lines seen.ndjson $((N * 40 / 100))
kill -TERM $tail1
wait $tail1
echo $? >tail1.rc
TWONET_URL=$FOLLOW_URL alert-tail --cursor-file cursor >>seen.ndjson 2>tail2.err &
tail2=$!
if [ -n "$B_PID" ]; then
	wait_lines seen.ndjson $((N * 60 / 100)) && kill_and_restart_b
else
	wait_lines seen.ndjson $((N * 60 / 100)) && kill_and_restart
fi
wait $poster
# the follower has everything when its cursor reaches the last id
last=$(db_sql "SELECT max(id) FROM alerts")
i=0
until [ "$(cat cursor)" -ge "$last" ] || [ $i -gt 2400 ]; do i=$((i + 1)); sleep 0.05; done
kill -TERM $tail2
wait $tail2
echo $? >tail2.rc

test_expect_success 'the poster got every alert in through two kills' '
	test "$(cat post.rc)" = 0 &&
	test $(wc -l <restarts) = 2 &&
	test "$(db_sql "SELECT count(*) FROM alerts WHERE source = '\''restart'\''")" = $N
'

test_expect_success 'alert-tail ended by SIGTERM exits 130 and keeps its cursor' '
	test "$(cat tail1.rc)" = 130 &&
	test "$(cat tail2.rc)" = 130 &&
	test "$(cat cursor)" = "$(tail -1 seen.ndjson | jq .seq)"
'

test_expect_success 'every stored id printed once, in order, none from before the start' '
	jq .id seen.ndjson >printed &&
	db_sql "SELECT id FROM alerts WHERE id > $(cat start) ORDER BY id" >stored &&
	test $(wc -l <stored) = $N &&
	test_cmp stored printed
'

test_expect_success 'the follower reconnected: several stream connections in the log' '
	test $(cat "$TWONETD_LOG" "$TRASH/twonetd-b.log" 2>/dev/null |
		grep -c "GET /v1/alerts/stream") -ge 4
'
[ -n "$B_PID" ] && { kill -TERM "$B_PID" 2>/dev/null; wait "$B_PID" 2>/dev/null; }

test_done
