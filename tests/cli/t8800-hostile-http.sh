#!/bin/bash
# Hostile HTTP (issue 11): request bodies that are not exactly one JSON value,
# NUL bytes and control characters in bodies, paths, queries and headers, the
# size limits of twonetd(8) LIMITS, and framing a proxy in front could read
# differently (conflicting Content-Length, Transfer-Encoding, a HEAD's body).
# Each is a 4xx, none stops a worker, and after each the server still answers;
# a worker that is killed all the same is replaced at once, with one worker too.
# Raw requests go over bash's /dev/tcp, so that nothing tidies them first.
. "$(dirname "$0")/test-lib.sh"

start_server || exit 1
SENSOR=$(make_token sensor pump-17)
CLERK=$(make_token clerk rs-clerk RSJ)

# raw REQUEST: send printf's expansion of REQUEST, the reply to reply.txt;
# fails unless the server closes the connection (within 20 s).  The server may
# close before it has read everything (the rest of a refused request): writing
# then fails, and reading may end in a reset after the reply.
raw() {
	local rc=0
	exec 3<>"/dev/tcp/127.0.0.1/$TWONETD_PORT" || return 1
	(trap "" PIPE; printf "$1" >&3) 2>/dev/null
	timeout 20 cat <&3 >reply.txt 2>/dev/null || rc=$?
	exec 3<&- 3>&-
	if [ $rc = 124 ]; then echo "raw: the connection was not closed" >&2; return 1; fi
}

# the status of the (first) reply in reply.txt
raw_status() { sed -n '1s/^HTTP\/1\.[01] \([0-9]*\) .*/\1/p' reply.txt; }
# the JSON body of the (first) reply in reply.txt
raw_body() { tr -d '\r' <reply.txt | sed -n '/^$/,$p' | sed 1d | head -n 1 | sed 's/HTTP\/1\.[01] .*//'; }
# how many replies reply.txt holds (a body has no line end: count status lines anywhere)
raw_replies() { grep -ao 'HTTP/1\.[01] [0-9][0-9][0-9] ' reply.txt | wc -l; }

# refused STATUS REQUEST: REQUEST (printf format) is answered STATUS, once,
# and the connection closed (whatever followed on it is never answered)
refused() {
	raw "$2" || return 1
	if [ "$(raw_status)" != "$1" ] || [ "$(raw_replies)" != 1 ]; then
		echo "refused: expected one reply $1, got:" >&2; cat reply.txt >&2; return 1
	fi
}

# the server answers, and no worker has died
alive() {
	test "$(curl -sS -o /dev/null -w '%{http_code}' "$TWONET_URL/v1/health")" = 200 &&
	! grep -E "died by signal|exited with status|Assertion" "$TWONETD_LOG"
}

# a POST of BODY (printf format) to PATH with TOKEN, the reply in out.json: post PATH TOKEN BODY
post() {
	printf "$3" >body.bin &&
	curl -sS -o out.json -w '%{http_code}' ${2:+-H "Authorization: Bearer $2"} \
		-H 'Content-Type: application/json' --data-binary @body.bin "$TWONET_URL$1"
}

test_expect_success 'the four bytes {}{} with a sensor token are 400 naming the offset, and the server lives' '
	test "$(post /v1/alerts "$SENSOR" "{}{}")" = 400 &&
	json_eq .type /problems/bad-request <out.json &&
	jq -e ".detail | test(\"^malformed JSON: .* at offset 2\")" out.json &&
	alive &&
	test "$(post /v1/alerts "$SENSOR" "{}{}")" = 400 &&
	test "$(post /v1/cases "$CLERK" "{}[]")" = 400 &&
	alive
'

test_expect_success 'a value followed by anything but white space is 400 at its offset' '
	test "$(post /v1/alerts "$SENSOR" "{} x")" = 400 &&
	jq -e ".detail | test(\"offset 3\")" out.json &&
	test "$(post /v1/alerts "$SENSOR" "{}\\0")" = 400 &&
	jq -e ".detail | test(\"offset 2\")" out.json &&
	test "$(post /v1/alerts "$SENSOR" "{}\\n\\n  x")" = 400 &&
	jq -e ".detail | test(\"line 3, column 3\")" out.json &&
	test "$(post /v1/alerts "$SENSOR" "{\"a\": ")" = 400 &&
	post /v1/alerts "$SENSOR" "{}  \\n" >/dev/null &&
	! jq -e ".detail | test(\"malformed\")" out.json &&
	alive
'

test_expect_success 'a NUL byte or a control character in a string is 400 naming the member' '
	test "$(post /v1/alerts "$SENSOR" "{\"headline\":\"a\\\\u0000b\"}")" = 400 &&
	json_eq .field headline <out.json &&
	test "$(post /v1/cases "$CLERK" "{\"form\":{\"name\":\"a\\\\u0007\"}}")" = 400 &&
	json_eq .field form.name <out.json &&
	test "$(post /v1/alerts "$SENSOR" "{\"headline\":\"a\\0b\"}")" = 400 &&
	jq -e ".detail | test(\"a NUL byte at offset 14\")" out.json &&
	alive
'

test_expect_success 'nesting deeper than 32 is 400; 32 deep is parsed' '
	deep=$(printf "%0.s[" $(seq 32))$(printf "%0.s]" $(seq 32)) &&
	test "$(post /v1/alerts "$SENSOR" "{\"a\":$deep}")" = 400 &&
	jq -e ".detail | test(\"nesting too deep\")" out.json &&
	ok=$(printf "%0.s[" $(seq 31))$(printf "%0.s]" $(seq 31)) &&
	post /v1/alerts "$SENSOR" "{\"a\":$ok}" >/dev/null &&
	! jq -e ".detail | test(\"malformed\")" out.json &&
	very=$(head -c 100000 /dev/zero | tr "\\0" "[") &&
	test "$(post /v1/alerts "$SENSOR" "$very")" = 400 &&
	alive
'

test_expect_success 'no token: 401 on every POST, the body never parsed (bad or too large)' '
	head -c 2000000 /dev/zero | tr "\\0" " " >huge.json &&
	for p in /v1/cases /v1/cases/C00000001/actions /v1/workflows /v1/alerts \
		/v1/alerts/1/actions /v1/certs /v1/certs/X/revoke /v1/consents; do
		test "$(post "$p" "" "{}{}")" = 401 || { echo "$p"; exit 1; }
		json_eq .type /problems/unauthorized <out.json || exit 1
		test "$(curl -sS -o out.json -w "%{http_code}" --data-binary @huge.json \
			"$TWONET_URL$p")" = 401 || { echo "$p (large)"; exit 1; }
	done &&
	alive
'

test_expect_success 'a NUL in a header value is 400 naming the header, never cut short' '
	refused 400 "GET /v1/health HTTP/1.1\\r\\nHost: x\\r\\nX-Key: a\\0b\\r\\n\\r\\n" &&
	raw_body | json_eq .field X-Key &&
	refused 400 "POST /v1/cases HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: Bearer $CLERK\\r\\nIdempotency-Key: k\\0other\\r\\nContent-Length: 2\\r\\n\\r\\n{}" &&
	raw_body | json_eq .field Idempotency-Key &&
	refused 400 "GET /v1/health HTTP/1.1\\r\\nHost: x\\r\\nX-Key: a\\001b\\r\\n\\r\\n" &&
	# checked eight bytes at a time: a control character or DEL anywhere in a long value
	for bad in "\\001" "\\037" "\\177"; do
		refused 400 "GET /v1/health HTTP/1.1\\r\\nHost: x\\r\\nX-Long: 0123456789abcdef$bad.xyz\\r\\n\\r\\n" &&
		raw_body | json_eq .field X-Long || return 1
	done &&
	# a tab is allowed, UTF-8 too
	raw "GET /v1/health HTTP/1.1\\r\\nHost: x\\r\\nX-Long: 0123456789\\tabcdef\\303\\251\\344\\270\\255xyz\\r\\nConnection: close\\r\\n\\r\\n" &&
	test "$(raw_status)" = 200 &&
	alive
'

test_expect_success 'a header line that starts with a NUL does not end the head early' '
	refused 400 "GET /v1/health HTTP/1.1\\r\\nHost: x\\r\\n\\0junk\\r\\n\\r\\n" &&
	alive
'

test_expect_success 'a NUL or a control character in a path segment is 400 naming the path' '
	test "$(curl -sS -o out.json -w "%{http_code}" -H "Authorization: Bearer $CLERK" \
		"$TWONET_URL/v1/items/310000-RS-006%00x")" = 400 &&
	json_eq .field path <out.json &&
	jq -e ".detail | test(\"NUL\")" out.json &&
	test "$(curl -sS -o out.json -w "%{http_code}" -H "Authorization: Bearer $CLERK" \
		"$TWONET_URL/v1/cases/C1%0a")" = 400 &&
	refused 400 "GET /v1/heal\\0th HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n" &&
	alive
'

test_expect_success 'a NUL or a control character in a query value is 400 naming the parameter' '
	test "$(curl -sS -o out.json -w "%{http_code}" -H "Authorization: Bearer $CLERK" \
		"$TWONET_URL/v1/items?department=RSJ%00SWJ")" = 400 &&
	json_eq .field department <out.json &&
	test "$(curl -sS -o out.json -w "%{http_code}" -H "Authorization: Bearer $CLERK" \
		"$TWONET_URL/v1/cases?status=submitted%1b")" = 400 &&
	json_eq .field status <out.json &&
	test "$(curl -sS -o out.json -w "%{http_code}" -H "Authorization: Bearer $CLERK" \
		"$TWONET_URL/v1/items?department=RSJ")" = 200 &&
	alive
'

test_expect_success 'percent-escapes in a path segment and a query value decode as before' '
	test "$(curl -sS -o plain.json -w "%{http_code}" -H "Authorization: Bearer $CLERK" \
		"$TWONET_URL/v1/items/310000-RS-006")" = 200 &&
	test "$(curl -sS -o esc.json -w "%{http_code}" -H "Authorization: Bearer $CLERK" \
		"$TWONET_URL/v1/items/310000%2dRS%2D006")" = 200 &&
	cmp plain.json esc.json &&
	test "$(curl -sS -o plain.json -w "%{http_code}" -H "Authorization: Bearer $CLERK" \
		"$TWONET_URL/v1/items?department=RSJ")" = 200 &&
	test "$(curl -sS -o esc.json -w "%{http_code}" -H "Authorization: Bearer $CLERK" \
		"$TWONET_URL/v1/items?department=%52S%4a")" = 200 &&
	cmp plain.json esc.json &&
	test "$(curl -sS -o out.json -w "%{http_code}" -H "Authorization: Bearer $CLERK" \
		"$TWONET_URL/v1/items/310000-RS-006%2")" = 404 &&
	curl -sS -o out.json -H "Authorization: Bearer $CLERK" \
		"$TWONET_URL/v1/items?department=RSJ%09%0" &&
	! grep -q "control character" out.json &&
	test "$(curl -sS -o out.json -w "%{http_code}" -H "Authorization: Bearer $CLERK" \
		"$TWONET_URL/v1/items?department=RS+J%7f%1F")" = 400 &&
	json_eq .field department <out.json &&
	alive
'

test_expect_success 'limits: a target over 4 KiB is 414, 33 query parameters 400' '
	long=$(head -c 4100 /dev/zero | tr "\\0" a) &&
	test "$(curl -sS -o out.json -w "%{http_code}" "$TWONET_URL/v1/items/$long")" = 414 &&
	json_eq .type /problems/uri-too-long <out.json &&
	q=$(seq 33 | sed "s/.*/p&=1/" | paste -sd "&") &&
	test "$(curl -sS -o out.json -w "%{http_code}" "$TWONET_URL/v1/items?$q")" = 400 &&
	jq -e ".detail | test(\"more than 32 query parameters\")" out.json &&
	q=$(seq 32 | sed "s/.*/p&=1/" | paste -sd "&") &&
	test "$(curl -sS -o out.json -w "%{http_code}" "$TWONET_URL/v1/items?$q")" = 401 &&
	alive
'

test_expect_success 'query strings: a part without "=" or key is 400; of a name given twice the first counts' '
	for q in "department" "department=RSJ&&x=1" "=RSJ" "&department=RSJ"; do
		test "$(curl -sS -o out.json -w "%{http_code}" -H "Authorization: Bearer $CLERK" \
			"$TWONET_URL/v1/items?$q")" = 400 &&
		json_eq .detail "malformed query string" <out.json || return 1
	done &&
	curl -sS -o plain.json -H "Authorization: Bearer $CLERK" "$TWONET_URL/v1/items?department=RSJ" &&
	curl -sS -o first.json -H "Authorization: Bearer $CLERK" \
		"$TWONET_URL/v1/items?department=RSJ&department=SWJ&" &&
	cmp plain.json first.json &&
	test "$(jq length plain.json)" -gt 0 &&
	alive
'

test_expect_success 'limits: header fields over 8 KiB or more than 64 are 431, and close' '
	big=$(head -c 9000 /dev/zero | tr "\\0" a) &&
	refused 431 "GET /v1/health HTTP/1.1\\r\\nHost: x\\r\\nX-Big: $big\\r\\n\\r\\n" &&
	raw_body | json_eq .type /problems/header-fields-too-large &&
	many=$(seq 70 | sed "s/.*/X-H&: v\\\\r\\\\n/" | tr -d "\\n") &&
	refused 431 "GET /v1/health HTTP/1.1\\r\\nHost: x\\r\\n$many\\r\\n" &&
	raw_body | jq -e ".detail | test(\"more than 64 header fields\")" &&
	alive
'

test_expect_success 'a head past 64 KiB is 431 before its end arrives, closed' '
	huge=$(head -c 70000 /dev/zero | tr "\\0" a) &&
	refused 431 "GET /v1/health HTTP/1.1\\r\\nHost: x\\r\\nX-Huge: $huge\\r\\n\\r\\n" &&
	raw_body | jq -e ".detail == \"the request head is larger than 65536 bytes\"" &&
	refused 431 "GET /v1/health HTTP/1.1\\r\\nHost: x\\r\\nX-Huge: $huge" &&
	alive
'

test_expect_success 'framing: conflicting Content-Length is 400, closed, nothing smuggled' '
	refused 400 "POST /v1/alerts HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 2\\r\\nContent-Length: 40\\r\\n\\r\\n{}GET /v1/health HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n" &&
	raw_body | json_eq .field Content-Length &&
	refused 400 "POST /v1/alerts HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: +2\\r\\n\\r\\n{}" &&
	alive
'

test_expect_success 'framing: Transfer-Encoding with Content-Length is 400, chunked alone 411, both closed' '
	refused 400 "POST /v1/alerts HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 5\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n2\\r\\n{}\\r\\n0\\r\\n\\r\\n" &&
	refused 411 "POST /v1/alerts HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n2\\r\\n{}\\r\\n0\\r\\n\\r\\nGET /v1/health HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n" &&
	raw_body | json_eq .type /problems/length-required &&
	refused 411 "POST /v1/alerts HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0x2\\r\\n{}\\r\\n0\\r\\n\\r\\n" &&
	alive
'

test_expect_success 'framing: a malformed chunk size is never read: 411, closed' '
	refused 411 "POST /v1/alerts HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\n{}\\r\\n0\\r\\n\\r\\nGET /v1/health HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n" &&
	alive
'

test_expect_success 'framing: a header name with a space, a HEAD with a body: 400, closed' '
	refused 400 "GET /v1/health HTTP/1.1\\r\\nHost: x\\r\\nContent-Length : 24\\r\\n\\r\\nGET /v1/health HTTP/1.1\\r\\n\\r\\n" &&
	refused 400 "HEAD /v1/health HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 24\\r\\n\\r\\nGET /v1/health HTTP/1.1\\r\\n\\r\\n" &&
	alive
'

test_expect_success 'keep-alive still works: two requests on one connection, then close' '
	raw "GET /v1/health HTTP/1.1\\r\\nHost: x\\r\\n\\r\\nGET /v1/health HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n" &&
	test "$(raw_replies)" = 2 &&
	test "$(grep -ao "HTTP/1.1 200 " reply.txt | wc -l)" = 2
'

test_expect_success 'the log shows a control character in a target as ?, a long one cut at 2,000 bytes' '
	grep -q "GET /v1/heal?th 400" "$TWONETD_LOG" &&
	grep -Eq "GET /v1/items/a{1990}\.\.\. 414 " "$TWONETD_LOG"
'

test_expect_success 'a worker killed is replaced at once, one worker too; a request meanwhile waits' '
	old=$(server_workers) &&
	test -n "$old" &&
	kill -KILL "$old" &&
	test "$(curl -sS -o /dev/null -w "%{http_code}" "$TWONET_URL/v1/health")" = 200 &&
	new=$(server_workers) &&
	test -n "$new" && test "$new" != "$old" &&
	grep -q "worker $old died by signal 9; starting another" "$TWONETD_LOG"
'

stop_server
test_expect_success 'no other worker died: the server stopped with exit 0' '
	test "$TWONETD_RC" = 0 &&
	test "$(grep -cE "died by signal|exited with status" "$TWONETD_LOG")" = 1 &&
	! grep -q "Assertion" "$TWONETD_LOG"
'

test_done
