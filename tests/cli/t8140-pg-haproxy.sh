#!/bin/bash
# The deployment of INSTALL's "More than one machine", on one machine (issue
# 15): a throwaway PostgreSQL cluster, two twonetd instances (one worker each)
# and haproxy in front, started from the shipped
# share/twonet/examples/haproxy.cfg with only its bind address and server
# lines substituted.  Through haproxy: 20,000 cases filed in bulk while each
# instance in turn is killed (SIGKILL) and restarted, A twice: the run finishes and
# the database holds every case once; a certificate issued and read; alerts
# raised while alert-tail follows the stream and the instance serving it is
# killed: it resumes by Last-Event-ID, every id once and in order.  The servers,
# haproxy and the clients are started at top level; the tests check what
# happened.
. "$(dirname "$0")/test-lib.sh"
. "$TWONET_SRC/tests/cli/pg-lib.sh"

N=${T8140_CASES:-20000}   # the issue: 20,000 bulk cases through haproxy, instances killed
P=310101199003071230

pg_start || exit 1
DB=$TWONET_PG_URI
export TWONETD_STATE="$TRASH/state"

twonetd init --db "$DB" >/dev/null &&
twonetd import catalog --db "$DB" >/dev/null &&
twonetd issuer add --db "$DB" --dept RSJ >/dev/null || exit 1
ADMIN=$(twonetd token add --db "$DB" --role admin --name root)
YB=$(twonetd token add --db "$DB" --role clerk --dept YBJ --name clerk-yb)
RS=$(twonetd token add --db "$DB" --role issuer --dept RSJ --name rs)
SENSOR=$(twonetd token add --db "$DB" --role sensor --name wd-sim)
OPER=$(twonetd token add --db "$DB" --role operator --name duty-1)


# healthy URL: GET URL/v1/health answers 200
healthy() {
	test "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1/v1/health")" = 200
}

# serve X: instance X (A or B), pid in PIDX.  The first start takes a free
# port from the kernel (PORTX); a restart listens there again, tried until the
# instance just killed has let it go
serve() {
	local port pid i
	eval "port=\${PORT$1:-0}"
	for _ in $(seq 1 100); do
		rm -f "port$1"
		twonetd serve --db "$DB" --listen "127.0.0.1:$port" --port-file "port$1" --workers 1 \
			>>"twonetd$1.log" 2>&1 &
		pid=$!
		for i in $(seq 1 200); do
			[ -s "port$1" ] && healthy "http://127.0.0.1:$(cat "port$1")" &&
				{ eval "PID$1=$pid PORT$1=$(cat "port$1")"; return 0; }
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -0 "$pid" 2>/dev/null && break
		wait "$pid"
		sleep 0.1
	done
	echo "serve $1: instance not up" >&2
	cat "twonetd$1.log" >&2
	return 1
}

# kill9 X: instance X killed outright (parent and worker), then started again
kill9() {
	local pid
	eval "pid=\$PID$1"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	echo "$1" >>killed
	serve "$1"
}

# up_in_haproxy N: haproxy does not count server twonetdN down (the last word
# of its health checks on it, if any, is UP); gives up after 20 s
up_in_haproxy() {
	for _ in $(seq 1 400); do
		grep -o "twonetd/twonetd$1 is [A-Z]*" haproxy.log | tail -1 | grep -qv DOWN$ && return 0
		grep -q "twonetd/twonetd$1 is" haproxy.log || return 0
		sleep 0.05
	done
	return 1
}

# cases: how many cases the database holds
cases() {
	pg_sql "SELECT count(*) FROM cases"
}

# wait_cases K: until the database holds at least K cases (or the bulk run ended)
wait_cases() {
	while [ "$(cases)" -lt "$1" ] && kill -0 "$BULK" 2>/dev/null; do sleep 0.02; done
}

serve A && serve B || exit 1

# the shipped configuration: only where to listen and the two servers change
# (and user/group, which only root may switch to); haproxy in the foreground,
# on another free port if the one picked was taken meanwhile
HAPROXY=""
for _ in $(seq 1 10); do
	HPORT=$(_pg_free_port) || exit 1
	sed -e "s/^\([[:space:]]*bind\) 127.0.0.1:8642$/\1 127.0.0.1:$HPORT/" \
		-e "s/^\([[:space:]]*server twonetd1\) 10.0.0.11:8642$/\1 127.0.0.1:$PORTA/" \
		-e "s/^\([[:space:]]*server twonetd2\) 10.0.0.12:8642$/\1 127.0.0.1:$PORTB/" \
		"$TWONET_SRC/share/twonet/examples/haproxy.cfg" >haproxy.cfg
	[ "$(id -u)" -eq 0 ] || sed -i -e 's/^[[:space:]]*\(user\|group\) haproxy$/#&/' haproxy.cfg
	/usr/sbin/haproxy -db -f haproxy.cfg >haproxy.log 2>&1 &
	HAPROXY=$!
	URL=http://127.0.0.1:$HPORT
	for _ in $(seq 1 200); do
		healthy "$URL" && break 2
		kill -0 "$HAPROXY" 2>/dev/null || break
		sleep 0.05
	done
	kill "$HAPROXY" 2>/dev/null
	wait "$HAPROXY"
	HAPROXY=""
done
if [ -z "$HAPROXY" ]; then
	echo "haproxy did not start:" >&2
	cat haproxy.log >&2
	exit 1
fi
diff "$TWONET_SRC/share/twonet/examples/haproxy.cfg" haproxy.cfg | grep -c '^>' >changed

# N cases through haproxy, four in flight; A killed at a tenth and
# started again; once haproxy's health checks have it back, B killed and
# started again; once B is back, A killed again at half way (A is back within 5 s)
: >killed
yb_cases $N >cases.ndjson
SECONDS=0
case-submit --url "$URL" --token "$YB" --bulk --parallel 4 --retries 10 \
	<cases.ndjson >filed.ndjson 2>bulk.err &
BULK=$!
wait_cases $((N / 10)) && kill -0 "$BULK" && echo A >running && cases >at.A && kill9 A &&
	up_in_haproxy 1
kill -0 "$BULK" && echo B >>running && cases >at.B && kill9 B &&
	up_in_haproxy 2
# and A a second time, at half way (the issue: one instance killed twice)
wait_cases $((N / 2)) && kill -0 "$BULK" && echo A >>running && cases >at.A2 && kill9 A
wait "$BULK"
echo $? >bulk.rc
echo "$SECONDS" >bulk.seconds
up_in_haproxy 2

# a certificate issued and read through haproxy
curl -sS -o cert.json -H "Authorization: Bearer $RS" -H "Idempotency-Key: hap-1" "$URL/v1/certs" \
	-d "{\"kind\":\"CK-SBK\",\"holder\":{\"type\":\"person\",\"id\":\"$P\",\"name\":\"张三\"},\"fields\":{\"card_no\":\"SB001\",\"bank\":\"上海银行\",\"issue_date\":\"2018-06-01\"},\"valid_from\":\"2018-06-01\"}"
CERT=$(jq -r .id cert.json)
cert-fetch --url "$URL" --token "$ADMIN" --purpose haproxy-check "$CERT" >fetched.json 2>fetch.err
echo $? >fetch.rc

# alerts: one before the follower starts; then 30 batches of 10 posted while
# the instance serving the stream is killed and started again
gen_alerts 1 1 hap | alert-post --url "$URL" --token "$SENSOR" --bulk >first.json 2>post.err
echo 0 >cursor
: >seen.ndjson
alert-tail --url "$URL" --token "$OPER" --cursor-file cursor >>seen.ndjson 2>tail.err &
TAIL=$!
wait_lines seen.ndjson 1
STREAMS="/v1/alerts/stream"
grep -c "$STREAMS" twonetdA.log >streams.A
grep -c "$STREAMS" twonetdB.log >streams.B
# the instance whose log has the follower's request serves it
if [ "$(cat streams.A)" = 1 ]; then SERVING=A; else SERVING=B; fi
echo "$SERVING" >serving
(
	for b in $(seq 0 29); do
		gen_alerts $((b * 10 + 2)) $((b * 10 + 11)) hap |
			alert-post --url "$URL" --token "$SENSOR" --bulk --retries 10 >/dev/null 2>>post.err ||
			echo "batch $b: $?" >>post.failed
		sleep 0.05    # pacing: posting goes on while the instance is killed
	done
) &
POSTER=$!
wait_lines seen.ndjson 60 && kill9 "$SERVING" && echo "$SERVING" >stream.killed
wait "$POSTER"
wait_lines seen.ndjson 301
kill -TERM "$TAIL"
wait "$TAIL"
echo $? >tail.rc

test_expect_success 'the shipped haproxy.cfg: only the bind line and the two server lines changed' '
	if [ "$(id -u)" -eq 0 ]; then test "$(cat changed)" = 3; else test "$(cat changed)" = 5; fi &&
	kill -0 "$HAPROXY"
'

test_expect_success 'each instance was killed (SIGKILL) while the bulk run was going on' '
	printf "A\nB\nA\n" >want && test_cmp want running &&
	printf "A\nB\nA\n" >>want.k && head -3 killed >got.k && test_cmp want.k got.k
'

test_expect_success "the bulk run finished: $N filed or replayed, none failed" '
	test "$(cat bulk.rc)" = 0 &&
	test "$(wc -l <filed.ndjson)" = $N &&
	grep -E "^case-submit: filed [0-9]+, replayed [0-9]+, failed 0$" bulk.err >summary &&
	sed -E "s/.*filed ([0-9]+), replayed ([0-9]+).*/\1 + \2/" summary | bc >total &&
	test "$(cat total)" = $N
'

test_expect_success "the database holds exactly $N cases, none twice (through the API, and its keys)" '
	case-list --url "$URL" --token "$ADMIN" --all >all.ndjson &&
	test "$(wc -l <all.ndjson)" = $N &&
	jq -r .id all.ndjson | sort -u | wc -l >ids && test "$(cat ids)" = $N &&
	jq -r .applicant.name all.ndjson | sort -u | wc -l >names && test "$(cat names)" = $N &&
	test "$(pg_sql "SELECT count(*), count(DISTINCT idem_key), count(DISTINCT applicant_name) FROM cases")" = "$N|$N|$N"
'

test_expect_success 'a certificate issued and read through haproxy (the read audited)' '
	case $CERT in 1.2.156.3005.2.*) ;; *) false ;; esac &&
	test "$(cat fetch.rc)" = 0 &&
	test "$(jq -r .id fetched.json)" = "$CERT" &&
	test "$(pg_sql "SELECT count(*) FROM audit WHERE purpose = '\''haproxy-check'\''")" = 1
'

test_expect_success 'the follower was cut: the instance serving its stream was killed, it asked again' '
	test "$(cat serving)" = "$(cat stream.killed)" &&
	test "$(cat streams.A) $(cat streams.B)" != "0 0" &&
	cat twonetdA.log twonetdB.log | grep -c "$STREAMS" >streams.all &&
	test "$(cat streams.all)" -ge 2
'

test_expect_success 'every alert posted once; alert-tail printed every id once, in order' '
	test ! -s post.failed &&
	test "$(pg_sql "SELECT count(*), count(DISTINCT source_id) FROM alerts WHERE source = '\''hap'\''")" = "301|301" &&
	pg_sql "SELECT id FROM alerts WHERE source = '\''hap'\'' ORDER BY seq" >stored &&
	jq .id seen.ndjson >printed &&
	test_cmp stored printed &&
	test "$(cat cursor)" = "$(tail -1 seen.ndjson | jq .seq)" &&
	test "$(cat tail.rc)" = 130
'

kill -TERM "$PIDA" "$PIDB" 2>/dev/null
wait "$PIDA"; RCA=$?
wait "$PIDB"; RCB=$?
kill -TERM "$HAPROXY" 2>/dev/null
wait "$HAPROXY"

test_expect_success 'both instances stop cleanly; no sanitizer report from them or the commands' '
	test "$RCA $RCB" = "0 0" &&
	! grep -E "Sanitizer|runtime error" twonetdA.log twonetdB.log bulk.err fetch.err post.err tail.err
'

test_done
