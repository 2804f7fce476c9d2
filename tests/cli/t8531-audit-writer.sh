#!/bin/bash
# The audit writer (server/audit_writer.h): one process beside the workers
# writes every worker's audit rows.  Reads through it are each audited once
# and the chain verifies; when the writer is killed the workers say so,
# answer, and write their rows themselves from then on; TWONETD_AUDIT_WRITER=0
# starts none; a stop ends it after the workers.
. "$(dirname "$0")/test-lib.sh"

P=310101199003071230
TWONETD_WORKERS=2 TWONETD_AUDIT_STATS=1 start_server || exit 1
RS=$(make_token issuer rs RSJ)
ADMIN=$(make_token admin root)

writer() { pgrep -x twonetd-audit -P "$TWONETD_PID"; }
# the rows of the audit log, as twonetd audit verify counts them (it checks the chain too)
audit_rows() {
	twonetd audit verify --db "$TWONETD_DB" 2>&1 | sed -n 's/.* \([0-9][0-9]*\) rows.*/\1/p'
}
# reads N FROM: a curl config of N reads (purpose w-FROM..), each writing its status
reads() {
	for i in $(seq "$2" $(($2 + $1 - 1))); do
		[ "$i" -gt "$2" ] && echo next
		printf 'header = "Authorization: Bearer %s"\nurl = "%s/v1/certs/%s?purpose=w-%d"\n' \
			"$ADMIN" "$TWONET_URL" "$ID" "$i"
		printf 'output = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n'
	done
}
# all_audited N FROM: N reads at once, every one served (200) and with its row, the chain whole
all_audited() {
	local before
	before=$(audit_rows) &&
	reads "$1" "$2" > "r$2.cfg" &&
	curl -sS --parallel --parallel-max 32 -K "r$2.cfg" > "codes$2" &&
	test "$(grep -c "^200$" "codes$2")" = "$1" &&
	test "$(audit_rows)" = $((before + $1)) &&
	twonetd audit verify --db "$TWONETD_DB"
}

twonetd issuer add --db "$TWONETD_DB" --dept RSJ >/dev/null &&
curl -sS -o cert.json -H "Authorization: Bearer $RS" -H "Idempotency-Key: k1" "$TWONET_URL/v1/certs" \
	-d "{\"kind\":\"CK-SBK\",\"holder\":{\"type\":\"person\",\"id\":\"$P\",\"name\":\"张三\"},\"fields\":{\"card_no\":\"SB001\",\"bank\":\"上海银行\",\"issue_date\":\"2018-06-01\"},\"valid_from\":\"2018-06-01\"}" || exit 1
ID=$(jq -r .id cert.json)

test_expect_success 'set up: a certificate, the writer beside two workers' '
	test -n "$ID" && test "$ID" != null &&
	test "$(writer | wc -l)" = 1 &&
	test "$(server_workers | wc -l)" = 2 &&
	twonetd audit verify --db "$TWONETD_DB" > v0 2>&1
'

test_expect_success 'reads from both workers through the writer: one row each, one chain' '
	all_audited 300 0
'

test_expect_success 'a reply comes only after the writer committed its row' '
	for i in $(seq 10); do
		before=$(audit_rows) &&
		code=$(curl -sS -o /dev/null -w "%{http_code}" -H "Authorization: Bearer $ADMIN" \
			"$TWONET_URL/v1/certs/$ID?purpose=one-$i") &&
		test "$code" = 200 &&
		test "$(audit_rows)" = $((before + 1)) || return 1
	done
'

test_expect_success 'the writer killed: the workers say so and write their rows themselves' '
	w=$(writer) &&
	kill -KILL "$w" &&
	n=0 &&
	# the workers see the end of their sockets and the parent reaps the writer, in either order
	while [ "$(grep -c "this worker writes its audit rows itself" "$TWONETD_LOG")" != 2 ] ||
		! grep -q "the audit writer $w ended (signal 9)" "$TWONETD_LOG"; do
		n=$((n + 1)); [ $n -lt 400 ] || { cat "$TWONETD_LOG" >&2; return 1; }
		sleep 0.05
	done &&
	test -z "$(writer)" &&
	all_audited 200 1000
'

stop_server
test_expect_success 'a stop after that is clean' '
	test "$TWONETD_RC" = 0 &&
	grep -q "^twonetd: stopped" "$TWONETD_LOG"
'

TWONETD_WORKERS=2 TWONETD_AUDIT_STATS=1 start_server || exit 1
test_expect_success 'a stop ends the writer after the workers, which sent it all' '
	test "$(writer | wc -l)" = 1 &&
	w=$(writer) &&
	before=$(audit_rows) &&
	reads 300 2000 > r3.cfg &&
	{ curl -sS --parallel --parallel-max 64 -K r3.cfg > codes3 2>/dev/null & } &&
	cpid=$! &&
	sleep 0.2 &&
	kill -TERM "$TWONETD_PID" &&
	{ wait $cpid || true; } &&
	n=0 && while kill -0 "$TWONETD_PID" 2>/dev/null; do
		n=$((n + 1)); [ $n -lt 1200 ] || return 1; sleep 0.05
	done &&
	! kill -0 "$w" 2>/dev/null &&
	served=$(grep -c "^200$" codes3) &&
	rows=$(audit_rows) &&
	say "shutdown: $served of 300 served, $((rows - before)) rows" &&
	test $((rows - before)) -ge "$served" &&
	grep -q "twonetd\[$w\]: audit: [0-9]* rows in [0-9]* transactions" "$TWONETD_LOG" &&
	twonetd audit verify --db "$TWONETD_DB"
'

stop_server
TWONETD_AUDIT_WRITER=0 TWONETD_WORKERS=2 start_server || exit 1
test_expect_success 'TWONETD_AUDIT_WRITER=0: no writer, the workers write the rows' '
	test -z "$(writer)" &&
	test "$(server_workers | wc -l)" = 2 &&
	all_audited 200 3000
'
stop_server

test_done
