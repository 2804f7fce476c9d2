#!/bin/bash
# Two twonetd instances on one PostgreSQL database (issue 15): 2,000 certificate
# reads spread over both at once, each instance's group commit writing its
# batches; afterwards every read has its row, the seq runs 1..N without a
# repeat or a gap, and twonetd audit verify finds the one chain whole.
. "$(dirname "$0")/test-lib.sh"
. "$TWONET_SRC/tests/cli/pg-lib.sh"

pg_start || exit 1
DB=$TWONET_PG_URI
export TWONETD_STATE="$TRASH/state"
P=310101199003071230

twonetd init --db "$DB" >/dev/null &&
twonetd import catalog --db "$DB" >/dev/null &&
twonetd issuer add --db "$DB" --dept RSJ >/dev/null || exit 1
RS=$(twonetd token add --db "$DB" --role issuer --name rs --dept RSJ)
ADMIN=$(twonetd token add --db "$DB" --role admin --name root)

# serve N: instance N (two workers) on a port of its own; its URL in URL$N
serve() {
	twonetd serve --db "$DB" --listen 127.0.0.1:0 --port-file "port$1" --workers 2 \
		>>"twonetd$1.log" 2>&1 &
	eval "PID$1=\$!"
	for _ in $(seq 1 200); do [ -s "port$1" ] && break; sleep 0.05; done
	[ -s "port$1" ] || { cat "twonetd$1.log" >&2; return 1; }
	eval "URL$1=http://127.0.0.1:\$(cat port$1)"
}
serve 1 && serve 2 || exit 1
curl -sS -o cert.json -H "Authorization: Bearer $RS" -H "Idempotency-Key: k1" "$URL1/v1/certs" \
	-d "{\"kind\":\"CK-SBK\",\"holder\":{\"type\":\"person\",\"id\":\"$P\",\"name\":\"张三\"},\"fields\":{\"card_no\":\"SB001\",\"bank\":\"上海银行\",\"issue_date\":\"2018-06-01\"},\"valid_from\":\"2018-06-01\"}"
ID=$(jq -r .id cert.json)

# reads URL FROM: a curl config of 500 reads from FROM (purpose par-N)
reads() {
	for i in $(seq "$2" $(($2 + 499))); do
		[ "$i" -gt "$2" ] && echo next
		printf 'header = "Authorization: Bearer %s"\nurl = "%s/v1/certs/%s?purpose=par-%d"\n' \
			"$ADMIN" "$1" "$ID" "$i"
		printf 'output = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n'
	done
}

test_expect_success 'set up: a certificate issued through instance 1' '
	case $ID in 1.2.156.3005.2.*) ;; *) false ;; esac
'

test_expect_success '2,000 reads through two instances at once, each served 200' '
	reads "$URL1" 0 >c1 && reads "$URL2" 500 >c2 && reads "$URL1" 1000 >c3 && reads "$URL2" 1500 >c4 &&
	{ curl -sS -K c1 >s1 & curl -sS -K c2 >s2 & curl -sS -K c3 >s3 & curl -sS -K c4 >s4 & wait; } &&
	cat s1 s2 s3 s4 | sort | uniq -c >statuses &&
	echo "   2000 200" >want && test_cmp want statuses
'

test_expect_success 'every read has its row once; seq 1..2000 without a repeat or a gap' '
	test "$(pg_sql "SELECT count(*), count(DISTINCT purpose), min(seq), max(seq) FROM audit")" = "2000|2000|1|2000" &&
	test "$(pg_sql "SELECT seq, hash FROM audit_head")" = "$(pg_sql "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")"
'

test_expect_success 'twonetd audit verify: one chain, whole; the API says so on either instance' '
	twonetd audit verify --db "$DB" >out &&
	grep -q "^audit log intact: 2000 rows$" out &&
	curl -sS -H "Authorization: Bearer $ADMIN" "$URL2/v1/audit/verify" >v.json &&
	jq -e ".ok == true" v.json >/dev/null
'

kill -TERM "$PID1" "$PID2" 2>/dev/null
wait "$PID1"; RC1=$?
wait "$PID2"; RC2=$?

test_expect_success 'both instances stop cleanly (exit 0, no sanitizer report)' '
	test "$RC1 $RC2" = "0 0" &&
	! grep -E "Sanitizer|runtime error" twonetd1.log twonetd2.log
'

test_done
