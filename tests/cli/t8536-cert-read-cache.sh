#!/bin/bash
# The workers' certificate cache on GET /v1/certs/{id} (SQLite's: a worker
# keeps what it read while no certificate changed; PostgreSQL reads each
# time): with two workers that both read a certificate, commits that change
# no certificate (an alert, a new token) leave the answer as it was, and each
# change of the certificate (a revoke over HTTP, twonetd on the database, an
# edit or a delete by hand) is seen by the very next read on both workers.
. "$(dirname "$0")/test-lib.sh"

P=310101199003071230

TWONETD_WORKERS=2 TWONETD_AUDIT_STATS=1 start_server || exit 1
twonetd issuer add --db "$TWONETD_DB" --dept RSJ >/dev/null || exit 1
RS=$(make_token issuer rs-issuer RSJ)
ADMIN=$(make_token admin root)

# read: one read of $C on a new connection (either worker); its status code, the body in body.json
read_cert() {
	curl -sS -o body.json -w '%{http_code}' -H "Authorization: Bearer $ADMIN" \
		"$TWONET_URL/v1/certs/$C?purpose=t8536"
}
# reads WHAT: 16 reads (both workers, in all likelihood) each answer WHAT: a
# certificate's status (its body then the same as first.json, when that exists) or 404
reads() {
	local i code
	for i in $(seq 16); do
		code=$(read_cert)
		if [ "$1" = 404 ]; then
			test "$code" = 404 || { echo "read $i: $code, not 404"; return 1; }
		else
			test "$code" = 200 && test "$(jq -r .status body.json)" = "$1" ||
				{ echo "read $i: $code $(jq -r .status body.json), not $1"; return 1; }
			! test -f first.json || cmp -s first.json body.json ||
				{ echo "read $i: another body"; return 1; }
		fi
	done
}

test_expect_success 'a certificate issued: every read on both workers answers it' '
	TWONET_TOKEN=$RS cert-issue --kind CK-SBK --holder $P --holder-name 张三 \
		--field card_no=SB001 --field bank=上海银行 --field issue_date=2018-06-01 \
		--valid-from 2018-06-01 --format json >out &&
	jq -r .id out >cert.id &&
	C=$(cat cert.id) &&
	test "$(read_cert)" = 200 && cp body.json first.json &&
	reads valid
'
C=$(cat cert.id 2>/dev/null)

test_expect_success 'an alert and a new token change no certificate: the same answer' '
	test "$(api POST /v1/alerts "$ADMIN" -H "Content-Type: application/json" -d "{\"alerts\":[{\"source\":\"t8536\",\"source_id\":\"1\",\"kind\":\"water_depth\",\"severity\":\"blue\",\"district\":\"310101\",\"location\":{\"lat\":31.2397,\"lon\":121.4906,\"address\":\"中山东一路\"},\"value\":0.2,\"threshold\":0.15,\"unit\":\"m\",\"headline\":\"积水\"}]}")" = 200 &&
	reads valid &&
	make_token clerk t8536-clerk RSJ >/dev/null &&
	reads valid
'

test_expect_success 'a revoke over HTTP is seen by the next reads on both workers' '
	reads valid &&
	test "$(api POST "/v1/certs/$C/revoke" "$RS" -d "{\"reason\":\"挂失\"}")" = 200 &&
	rm -f first.json &&
	reads revoked
'

test_expect_success 'an edit by hand in the database is seen at once' '
	reads revoked &&
	db_sql_per "UPDATE certs SET doc = replace(doc, '"'"'上海银行'"'"', '"'"'中国银行'"'"') WHERE id = '"'"'$C'"'"'" \
		"UPDATE certs SET doc = replace(doc::text, '"'"'上海银行'"'"', '"'"'中国银行'"'"')::json WHERE id = '"'"'$C'"'"'" &&
	reads revoked &&
	test "$(jq -r .fields.bank body.json)" = 中国银行
'

test_expect_success 'a delete by hand: 404 at once, on both workers' '
	db_sql "DELETE FROM certs WHERE id = '"'"'$C'"'"'" &&
	reads 404
'

test_expect_success 'each read has its audit row: 113 answered, 16 not found' '
	db_sql "SELECT outcome, count(*) FROM audit WHERE purpose = '"'"'t8536'"'"' GROUP BY outcome ORDER BY outcome" >got &&
	printf "allowed|113\nnot-found|16\n" >want &&
	test_cmp want got
'

# SQLite: each worker read the database once at its first read and once after each of the three
# changes, at most 8 in all; an alert and a token emptying the caches would make it 12
test_expect_success 'TWONETD_AUDIT_STATS: the workers count their reads and those from the database' '
	stop_server &&
	{ grep "certificate reads: " "$TWONETD_LOG" >stats || true; } &&
	if [ "$TWONET_TEST_BACKEND" = postgresql ]; then
		test ! -s stats
	else
		test "$(wc -l <stats)" = 2 &&
		sed "s/.*certificate reads: \([0-9]*\), \([0-9]*\) of them.*/\1 \2/" stats |
			awk "{ r += \$1; m += \$2 } END { print r, m }" >sum &&
		say "reads and reads from the database: $(cat sum)" &&
		read -r r m <sum &&
		test "$r" = 129 &&
		test "$m" -ge 2 && test "$m" -le 8
	fi
'

test_done
