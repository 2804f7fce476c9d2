#!/bin/bash
# The group commit of case filings: many filings in parallel, every key sent
# several times, some with another body, some refused, some failing in the
# database, all in the same batches; each key is filed exactly once, a
# replay answers what the first answer said, and a filing that fails takes
# no other of its batch with it.
. "$(dirname "$0")/test-lib.sh"

# a window of 200 ms: the filings sent together are filed together
TWONETD_CASES_WINDOW_US=200000 TWONETD_CASES_STATS=1 start_server || exit 1
ADMIN=$(make_token admin root)

# a case of 310000-YB-003 by applicant NAME
yb() {
	printf '{"item":"310000-YB-003","applicant":{"id":"110101199003070003","name":"%s"},"form":{"applicant_name":"%s","applicant_id":"110101199003070003","retire_date":"2026-12-01","applicant_phone":"13800000000"}}' "$1" "$1"
}

# one request of a curl config: KEY BODY N (its status, key and N to stdout, its body to
# body.N).  curl --parallel writes those lines as the transfers end, not in the
# config's order: N names the body of a line.  run_cfg CFG MAX OUT: OUT.n (code key N),
# OUT (code key)
run_cfg() {
	curl -sS --no-progress-meter --parallel --parallel-max "$2" -K "$1" > "$3.n" &&
	cut -d" " -f1,2 "$3.n" > "$3"
}
req() {
	[ "$3" -gt 0 ] && echo next
	printf 'url = "%s/v1/cases"\nheader = "Authorization: Bearer %s"\n' "$TWONET_URL" "$ADMIN"
	printf 'header = "Content-Type: application/json"\nheader = "Idempotency-Key: %s"\n' "$1"
	printf 'data = %s\n' "$(jq -Rn --arg b "$2" '$b')"
	printf 'output = "body.%d"\nwrite-out = "%%{http_code} %s %d\\n"\n' "$3" "$1" "$3"
}

# 30 keys three times each, 5 of them once more with another body, 10
# refused (a phone that is none), 5 that the database refuses (a trigger):
# 110 requests, 100 of them filed or replayed in batches
filings() {
	local n=0 i r
	for r in 1 2 3; do
		for i in $(seq 1 30); do req "k$i" "$(yb "申请人$i")" $n; n=$((n + 1)); done
		[ $r = 2 ] && for i in $(seq 1 5); do req "k$i" "$(yb "另一人$i")" $n; n=$((n + 1)); done
		[ $r = 2 ] && for i in $(seq 1 10); do
			req "bad$i" "$(yb "坏号码$i" | jq -c '.form.applicant_phone = "12"')" $n; n=$((n + 1))
		done
		[ $r = 3 ] && for i in $(seq 1 5); do req "fail$i" "$(yb "拒收$i")" $n; n=$((n + 1)); done
	done
}

refuse_sql() {
	db_sql_per "create trigger refuse before insert on cases when new.applicant_name like '拒收%' begin select raise(abort, 'refused by the test'); end" \
		"create function refuse() returns trigger language plpgsql as \$\$ begin if new.applicant_name like '拒收%' then raise exception 'refused by the test'; end if; return new; end \$\$; create trigger refuse before insert on cases for each row execute function refuse()"
}

test_expect_success 'set up: nothing filed, the database refuses some applicants' '
	test "$(db_sql "select count(*) from cases")" = 0 &&
	refuse_sql
'

test_expect_success '110 filings in parallel: each key filed exactly once' '
	filings > filings.cfg &&
	run_cfg filings.cfg 64 codes &&
	test "$(wc -l < codes)" = 110 &&
	test "$(db_sql "select count(*) from cases")" = 30 &&
	test "$(db_sql "select count(distinct idem_key) from cases")" = 30 &&
	test -z "$(db_sql "select idem_key from cases where idem_key not like '\''k%'\''")" &&
	test "$(grep -c "^201 k" codes)" = 30 &&
	for i in $(seq 1 30); do
		test "$(grep -c "^201 k$i\$" codes)" = 1 || return 1
	done
'

test_expect_success 'every event row belongs to a filed case, one submit each' '
	test "$(db_sql "select count(*) from events")" = 30 &&
	test "$(db_sql "select count(distinct case_seq) from events where action = '\''submit'\''")" = 30
'

test_expect_success 'a replay answers what the first answer said, byte for byte' '
	while read -r code key n; do
		case $code in
		201) cp body.$n "first.$key" ;;
		esac
	done < codes.n &&
	while read -r code key n; do
		case $code in
		200) cmp "first.$key" body.$n || return 1 ;;
		esac
	done < codes.n &&
	test "$(grep -c "^200 k" codes)" -ge 55
'

test_expect_success 'another body under a key is 409, whichever came first; the case is the first'"'"'s' '
	for i in $(seq 1 5); do
		grep -q "^409 k$i\$" codes || return 1
		name=$(jq -r .applicant.name "first.k$i") &&
		test "$(db_sql "select applicant_name from cases where idem_key = '\''k$i'\''")" = "$name" || return 1
	done &&
	test "$(grep -c "^409 k" codes)" -ge 5 &&
	test "$(grep -c "^409 k" codes)" -le 15 &&
	test "$(grep -c "^409 k\([6-9]\|[1-3][0-9]\)\$" codes)" = 0
'

test_expect_success 'a refused filing (422) and a failing insert (500) file nothing' '
	test "$(grep -c "^422 bad" codes)" = 10 &&
	test "$(grep -c "^500 fail" codes)" = 5 &&
	n=$(grep "^500 fail1 " codes.n | cut -d" " -f3) &&
	jq -e ".detail | test(\"refused by the test\")" body.$n >/dev/null
'

test_expect_success 'the failing ones file once the database takes them, then replay' '
	db_sql_per "drop trigger refuse" "drop trigger refuse on cases; drop function refuse()" &&
	test "$(api POST /v1/cases "$ADMIN" -H "Idempotency-Key: fail1" -d "$(yb 拒收1)")" = 201 &&
	id=$(jq -r .id out.json) &&
	test "$(api POST /v1/cases "$ADMIN" -H "Idempotency-Key: fail1" -d "$(yb 拒收1)")" = 200 &&
	json_eq .id "$id" <out.json &&
	grep -qi "^idempotent-replayed: true" headers.txt &&
	test "$(db_sql "select count(*) from cases")" = 31
'

test_expect_success 'no answer before its commit: each 201 finds its case at once' '
	for i in $(seq 1 10); do
		test "$(api POST /v1/cases "$ADMIN" -H "Idempotency-Key: seq$i" -d "$(yb "逐个$i")")" = 201 &&
		test "$(db_sql "select count(*) from cases where idem_key = '\''seq$i'\''")" = 1 || return 1
	done
'

test_expect_success 'a batch of more than 64 filings (its arrays grow while they wait): each filed once, whole' '
	n=0 && for i in $(seq 1 150); do req "big$i" "$(yb "并发$i")" $n; n=$((n + 1)); done > big.cfg &&
	run_cfg big.cfg 150 bigcodes &&
	test "$(grep -c "^201 big" bigcodes)" = 150 &&
	test "$(db_sql "select count(*) from cases where idem_key like '\''big%'\''")" = 150 &&
	test "$(db_sql "select count(*) from cases where idem_key like '\''big%'\'' and (submitted_at is null or idem_hash is null or length(idem_hash) <> 64)")" = 0 &&
	while read -r code key n; do
		json_eq .applicant.name "并发${key#big}" <body.$n || return 1
	done < bigcodes.n
'

# r_* as the cases trigger derives them (an update of submitted_at runs it again)
report_cols() {
	db_sql "select seq, r_day, r_workflow, r_legal, r_legal_days, r_accepted, r_returned, r_done, r_mat, r_exempt from cases order by seq"
}

test_expect_success 'a filed row holds the report columns the trigger would derive' '
	report_cols > r.filed &&
	test "$(db_sql "select count(*) from cases where r_day is null or r_legal_days is null or r_mat = 0")" = 0 &&
	db_sql "update cases set submitted_at = submitted_at" &&
	report_cols > r.derived &&
	test_cmp r.derived r.filed
'

test_expect_success 'the filings went in batches: fewer transactions than cases' '
	stop_server &&
	line=$(grep "filing: [0-9]* cases in [0-9]* transactions" "$TWONETD_LOG") &&
	say "$line" &&
	set -- $(echo "$line" | sed "s/.*filing: \([0-9]*\) cases in \([0-9]*\) transactions.*/\1 \2/") &&
	test "$1" = 262 &&
	test "$2" -lt "$1" &&
	! grep -q "Sanitizer" "$TWONETD_LOG"
'

test_done
