#!/bin/bash
# alert-post and alert-tail against twonetd: the issue-5 tests of the whole
# path (made from the client side's t6200-alert-stream.sh.pending, with the
# server's process handling fixed): posting, -n, server-side filters and --jq,
# the loop on the stream, CAP in and out, reset, a closed pipe, a slow reader,
# and followers on --workers 2 seeing what the other worker took (also after
# a worker was killed and replaced).  The kill -9 restart test is t8620.
. "$(dirname "$0")/test-lib.sh"

ALERT_IDS_SQL=${ALERT_IDS_SQL:-"SELECT id FROM alerts ORDER BY id"}

export TWONETD_KEEP_EVENTS=100000
start_server || exit 1
SENSOR=$(make_token sensor wd-sim)
OPERATOR=$(make_token operator duty-1)
export TWONET_TOKEN=$OPERATOR

test_expect_success 'post one alert, a repeat is the same alert' '
	TWONET_TOKEN=$SENSOR alert-post --source wd-1 --source-id a1 --kind water_depth \
		--severity orange --district huangpu --format ndjson >one &&
	json_eq .status raised <one &&
	json_eq .district_name 黄浦区 <one &&
	TWONET_TOKEN=$SENSOR alert-post --source wd-1 --source-id a1 --kind water_depth \
		--severity red --district huangpu --format ndjson >again 2>err &&
	grep -q "raised before" err &&
	test "$(jq .id one)" = "$(jq .id again)" &&
	json_eq .severity orange <again
'

test_expect_success 'bulk: batches, a bad line reported, repeats replayed' '
	gen_alerts 1 250 bulk >b.ndjson &&
	TWONET_TOKEN=$SENSOR alert-post --bulk --batch 100 <b.ndjson >out 2>err &&
	test $(wc -l <out) = 250 &&
	grep -q "created 250, replayed 0, failed 0" err &&
	{ head -3 b.ndjson; echo "{oops"; } | TWONET_TOKEN=$SENSOR test_expect_exit 1 alert-post --bulk >out 2>err &&
	grep -q "stdin:4:" err &&
	grep -q "created 0, replayed 3, failed 1" err
'

test_expect_success 'a sensor cannot read the stream (exit 4)' '
	TWONET_TOKEN=$SENSOR test_expect_exit 4 alert-tail --no-follow 2>err
'

test_expect_success '-n N shows the last N; --no-follow ends; ids increase' '
	alert-tail -n 5 --no-follow >last5 &&
	test $(wc -l <last5) = 5 &&
	jq -s "map(.seq) | . == (sort) and (unique | length) == 5" last5 | grep -qx true
'

test_expect_success 'filters on the server, --jq on the client' '
	alert-tail --after 0 --no-follow --severity orange --district pudong \
		--jq "select(.kind == \"water_depth\") | .severity" >sev &&
	test -s sev &&
	! grep -v -e "^orange$" -e "^red$" sev &&
	alert-tail --after 0 --no-follow --severity orange --district pudong >all &&
	! jq -r .district all | grep -v 310115
'

test_expect_success 'the loop: each step only from the one before; updates on the stream' '
	id=$(jq .id one) &&
	pos=$(alert-tail -n 1 --no-follow | jq .seq) &&
	test "$(curl -s -o /dev/null -w "%{http_code}" -X POST -H "Authorization: Bearer $OPERATOR" \
		-H "Content-Type: application/json" -d "{\"action\":\"resolve\"}" \
		"$TWONET_URL/v1/alerts/$id/actions")" = 409 &&
	for a in "{\"action\":\"dispatch\",\"crew\":\"PT-017\"}" "{\"action\":\"acknowledge\"}" \
		 "{\"action\":\"resolve\"}" "{\"action\":\"close\",\"evaluation\":\"drained in 20 min\"}"; do
		curl -sf -X POST -H "Authorization: Bearer $OPERATOR" -H "Content-Type: application/json" \
			-d "$a" "$TWONET_URL/v1/alerts/$id/actions" >/dev/null || exit 1
	done &&
	alert-tail --after "$pos" --no-follow --jq "select(.id == $id) | [.event, .status] | @tsv" >loop &&
	printf "update\tdispatched\nupdate\tacknowledged\nupdate\tresolved\nupdate\tclosed\n" >want &&
	test_cmp want loop
'

test_expect_success 'CAP in and out through the server keeps severity, area and times' '
	cat >wd.xml <<-XML &&
	<?xml version="1.0" encoding="UTF-8"?>
	<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
	  <identifier>CAP-RT-1</identifier><sender>cap-gw</sender>
	  <sent>2026-07-01T10:00:00+08:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
	  <info><category>Met</category><event>water_depth</event><urgency>Immediate</urgency>
	    <severity>Red</severity><certainty>Observed</certainty><expires>2026-07-01T13:00:00+08:00</expires>
	    <area><areaDesc>徐汇滨江</areaDesc><circle>31.18,121.46 0</circle>
	      <geocode><valueName>district</valueName><value>310104</value></geocode></area></info>
	</alert>
	XML
	pos=$(alert-tail -n 1 --no-follow | jq .seq) &&
	TWONET_TOKEN=$SENSOR alert-post --cap wd.xml --format ndjson >posted &&
	alert-tail --after "$pos" --no-follow --format cap >back.xml &&
	xmllint --noout back.xml &&
	alert-post -n --cap back.xml --format ndjson >back.json &&
	alert-post -n --cap wd.xml --format ndjson >orig.json &&
	test_cmp orig.json back.json
'

test_expect_success 'a reset ends with exit 8 and says what to do' '
	test_expect_exit 8 alert-tail --after 999999999 2>err &&
	grep -q "cannot resume" err &&
	grep -q "\-\-since" err
'

test_expect_success 'alert-tail | head -1 exits 0' '
	alert-tail -n 20 --no-follow | head -1 >/dev/null &&
	test "${PIPESTATUS[0]}" = 0 &&
	pos=$(alert-tail -n 1 --no-follow | jq .seq) || exit 1
	# the second batch goes in only once head has gone: alert-tail may have
	# written the whole first batch at once, and learns of the closed pipe
	# only at its next write (posting both at once could leave it following)
	{ alert-tail --after "$pos"; echo $? >follow.rc; } | head -1 >h1 &
	head=$! &&
	gen_alerts 1 3 pipe | TWONET_TOKEN=$SENSOR alert-post --bulk >/dev/null &&
	wait $head &&
	gen_alerts 4 6 pipe | TWONET_TOKEN=$SENSOR alert-post --bulk >/dev/null &&
	wait &&
	test $(wc -l <h1) = 1 &&
	test "$(cat follow.rc)" = 0
'

test_expect_success 'alert-tail ends once its reader has gone, with no alert after (as tail -f)' '
	pos=$(alert-tail -n 1 --no-follow | jq .seq) || exit 1
	{ timeout 60 alert-tail --after "$pos"; echo $? >gone.rc; } | head -1 >g1 &
	gen_alerts 1 6 gone | TWONET_TOKEN=$SENSOR alert-post --bulk >/dev/null &&
	wait &&
	test $(wc -l <g1) = 1 &&
	test "$(cat gone.rc)" = 0
'

test_expect_success 'a slow reader slows neither a second follower nor the posting' '
	pos=$(alert-tail -n 1 --no-follow | jq .seq) || exit 1
	test_when_finished "touch fast.done"
	# the slow reader reads nothing until the fast one has all 2000: if the
	# server waited on the slow one, the fast one would never finish
	{ timeout 120 alert-tail --after "$pos" --count 2000 |
		(until [ -e fast.done ]; do sleep 0.1; done; cat >slow); } &
	timeout 60 alert-tail --after "$pos" --count 2000 >fast &
	fast=$! &&
	gen_alerts 1 2000 slow | TWONET_TOKEN=$SENSOR alert-post --bulk --batch 500 >/dev/null &&
	{ wait $fast; rc=$?; touch fast.done; test $rc = 0; } &&
	test $(wc -l <fast) = 2000 &&
	wait &&
	test_cmp fast slow
'

# Live followers at one position read each commit's events once between
# them (read_shared); each still gets only what passes its own filters, in
# order, once, also when its chunk fills (64 KiB) before the others'.
streams_at_least() { [ "$(grep -c "GET /v1/alerts/stream" "$TWONETD_LOG")" -ge "$1" ]; }
test_expect_success 'followers at one position, each with its own filters, get their own events' '
	pos=$(alert-tail -n 1 --no-follow | jq .seq) || exit 1
	n=$(grep -c "GET /v1/alerts/stream" "$TWONETD_LOG")
	timeout 60 alert-tail --after "$pos" --count 1200 >sh.all &
	timeout 60 alert-tail --after "$pos" --count 600 --severity orange >sh.sev &
	timeout 60 alert-tail --after "$pos" --count 600 --district pudong >sh.dist &
	wait_until streams_at_least $((n + 3)) &&
	gen_alerts 1 1200 shared | TWONET_TOKEN=$SENSOR alert-post --bulk --batch 500 >/dev/null &&
	wait &&
	test "$(jq -r .source_id sh.all | tr "\n" " ")" = "$(seq 1 1200 | tr "\n" " ")" &&
	test "$(jq -r .source_id sh.sev | tr "\n" " ")" = \
		"$(seq 1 1200 | awk "\$1 % 4 >= 2" | tr "\n" " ")" &&
	test "$(jq -r .source_id sh.dist | tr "\n" " ")" = \
		"$(seq 2 2 1200 | tr "\n" " ")" &&
	test "$(jq -r .seq sh.all | sort -n | uniq | wc -l)" = 1200
'

test_expect_success 'flood-sim: a token and URL from the environment; alert-tail sees every alert' '
	pos=$(alert-tail -n 1 --no-follow | jq .seq) &&
	TWONET_TOKEN=$SENSOR flood-sim --rate 40 --duration 1 --seed 5 --run t8610 2>sim.err &&
	grep -q "sent 40 alerts" sim.err &&
	alert-tail --after "$pos" --no-follow >sim &&
	test $(wc -l <sim) = 40 &&
	jq -r .kind sim | sort -u | grep -qx water_depth &&
	jq -r .source_id sim | sort -u | wc -l | grep -qx 40 &&
	test "$(jq -r "select(.kind == \"water_depth\") | .unit" sim | sort -u)" = m &&
	TWONET_TOKEN=$SENSOR flood-sim --rate 40 --duration 1 --seed 5 --run t8610 2>/dev/null &&
	test "$(alert-tail --after "$pos" --no-follow | wc -l)" = 40
'

test_expect_success 'flood-sim refuses without a sensor token (not allowed)' '
	TWONET_TOKEN=nope test_expect_exit 4 flood-sim --rate 5 --duration 30 2>err &&
	grep -qi "token\|401\|authenticat" err
'

# The rest runs on two workers.  Heartbeats (which also catch up a lost
# wake-up) are made rare, so that only the wake-up can deliver in time.
stop_server
TWONETD_HEARTBEAT_MS=600000 TWONETD_WORKERS=2 start_server || exit 1

# wait until N more streams were opened than were before (the log has a line per stream)
streams_open() { grep -c "GET /v1/alerts/stream" "$TWONETD_LOG"; }
wait_streams() {
	local want=$(($1 + $2)) i=0
	until [ "$(streams_open)" -ge $want ]; do
		i=$((i + 1)); [ $i -gt 1200 ] && return 1; sleep 0.05
	done
}

# post alerts FIRST..LAST of SOURCE one per connection: the kernel spreads
# the connections over both workers
post_each() {
	for i in $(seq "$1" "$2"); do
		gen_alerts "$i" "$i" "$3" | TWONET_TOKEN=$SENSOR alert-post --bulk >/dev/null || return 1
	done
}

test_expect_success 'with --workers 2, every follower sees the alerts any worker took' '
	pos=$(alert-tail -n 1 --no-follow | jq .seq) || exit 1
	for f in 1 2 3 4; do timeout 60 alert-tail --after "$pos" --count 40 >w$f & done
	post_each 1 40 wk &&
	wait &&
	for f in 1 2 3 4; do
		test "$(jq -r .source_id w$f | sort -n | tr "\n" " ")" = "$(seq 1 40 | tr "\n" " ")" ||
		exit 1
	done
'

test_expect_success 'followers on either worker get live alerts, not only stored ones' '
	n=$(streams_open)
	for f in 1 2 3 4; do timeout 60 alert-tail --count 20 >live$f & done
	wait_streams $n 4 &&
	post_each 1 20 live &&
	wait &&
	for f in 1 2 3 4; do test $(wc -l <live$f) = 20 || exit 1; done
'

test_expect_success 'a worker killed and replaced joins the wake-up' '
	old=$(server_workers | head -1) &&
	test -n "$old" &&
	kill -9 $old &&
	i=0 && until [ $(server_workers | grep -vx "$old" | wc -l) = 2 ]; do
		i=$((i + 1)); [ $i -lt 200 ] || exit 1; sleep 0.05; done
	n=$(streams_open)
	for f in 1 2 3 4; do timeout 60 alert-tail --count 30 >after$f & done
	wait_streams $n 4 &&
	post_each 1 30 rejoin &&
	wait &&
	for f in 1 2 3 4; do test $(wc -l <after$f) = 30 || exit 1; done
'

test_done
