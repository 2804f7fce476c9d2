#!/bin/bash
# alert-tail without a server: option checks, the cursor file's checks, and a
# server that is down (exit 6 after --retry-max).  The follower's resume,
# reset, heartbeat and back-off rules are unit-tested against a scripted SSE
# server (tests/unit/test_follow.c); the runs against twonetd are in
# t6200-alert-stream.sh(.pending) until the server has the alert endpoints.
. "$(dirname "$0")/test-lib.sh"

test_expect_code 2 '-n, --since and --after are exclusive' '
	alert-tail -n 5 --after 3
'

test_expect_success 'a bad --severity, --district or --kind is a usage error' '
	test_expect_exit 2 alert-tail --severity purple 2>err &&
	grep -q "severity takes blue, yellow, orange or red" err &&
	test_expect_exit 2 alert-tail --district 310108 2>err &&
	grep -q "310108. is not one of Shanghai" err &&
	test_expect_exit 2 alert-tail --district huangpu --district 火星 2>err &&
	grep -q "火星" err &&
	test_expect_exit 2 alert-tail --kind "Not A Kind" 2>err
'

test_expect_success 'a bad --since is a usage error' '
	test_expect_exit 2 alert-tail --since yesterday 2>err &&
	grep -q "yesterday. is not a time" err &&
	test_expect_exit 2 alert-tail --since 2026-02-30 2>err
'

test_expect_code 2 'a bad --format is a usage error' '
	alert-tail --format csv
'

test_expect_success 'a --jq compile error is a usage error' '
	test_expect_exit 2 alert-tail --jq ".[" 2>err &&
	grep -q "^alert-tail: error:" err
'

test_expect_success 'a cursor file that holds no position is invalid input (exit 7)' '
	echo "last time" >cursor &&
	test_expect_exit 7 alert-tail --cursor-file cursor --url http://127.0.0.1:1 2>err &&
	grep -q "cursor file .cursor. does not hold a position" err &&
	test "$(cat cursor)" = "last time"
'

test_expect_success 'server down: exit 6 after --retry-max, the cursor untouched' '
	echo 42 >cursor &&
	test_expect_exit 6 alert-tail --url http://127.0.0.1:1 --retry-max 1 --cursor-file cursor 2>err &&
	grep -q "cannot follow .http://127.0.0.1:1/v1/alerts/stream. after 2 attempts" err &&
	test "$(cat cursor)" = 42 &&
	! ls cursor.tmp.* 2>/dev/null
'

test_expect_success 'server down with --no-follow: gives up after --retries' '
	test_expect_exit 6 alert-tail --no-follow --retries 0 --url http://127.0.0.1:1 2>err &&
	grep -q "after 1 attempt:" err
'

test_expect_success '--show-cursor says where it got to' '
	test_expect_exit 6 alert-tail --after 17 --show-cursor --retry-max 0 --url http://127.0.0.1:1 2>err &&
	grep -qx -- "-- cursor: 17" err
'

# A stream server of our own: the events in $1 (a file), then the stream's end.
fake_stream() {
	fake_server_start '
	protocol_version = "HTTP/1.0"
	def do_GET(self):
		self.send_response(200)
		self.send_header("Content-Type", "text/event-stream")
		self.end_headers()
		self.wfile.write(b"retry: 1000\nid: 0\n\n" + open(sys.argv[1], "rb").read())' "$1"
}

if command -v python3 >/dev/null; then
test_expect_success 'NDJSON: data written as jq writes it passes as it came, other JSON is written compact, not JSON is skipped' '
	printf "%s\n" "id: 1" "event: alert" "data: {\"id\": 1, \"n\": 1.50, \"s\": \"\\u00e9\"}" "" \
		"id: 2" "event: alert" "data: {\"id\":2,\"kind\":\"water_depth\",\"n\":0.35}" "" \
		"id: 3" "event: alert" "data: {\"id\":3,\"kind\":" "" \
		"event: end" "data: {\"last\":3}" "" >events &&
	fake_stream events &&
	test_when_finished "kill $FAKE_PID" &&
	alert-tail --no-follow --retries 0 --format ndjson \
		--url "http://127.0.0.1:$(cat fake.port)" >out 2>err &&
	printf "%s\n" "{\"id\":1,\"n\":1.5,\"s\":\"é\"}" "{\"id\":2,\"kind\":\"water_depth\",\"n\":0.35}" >expect &&
	test_cmp expect out &&
	grep -q "^alert-tail: warning: alert at 3: an alert that is not JSON" err
'
else
	test_skip 'NDJSON: data written as jq writes it passes as it came, other JSON is written compact, not JSON is skipped' 'no python3'
fi

test_done
