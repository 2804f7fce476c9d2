#!/bin/bash
# POST /v1/cases with {"cases":[{"key","case"}...]}: many filings in one
# request, each checked, filed and answered as it would be on its own, in
# order; a key is filed exactly once across batches and single requests;
# a fault of one item stays that item's; a database that stays locked
# answers the whole batch 503 and a retry files it.
. "$(dirname "$0")/test-lib.sh"

start_server || exit 1
ADMIN=$(make_token admin root)
YB=$(make_token clerk clerk-yb YBJ)
SENSOR=$(make_token sensor gauge-1)

# a case of 310000-YB-003 by applicant NAME
yb() {
	printf '{"item":"310000-YB-003","applicant":{"id":"110101199003070003","name":"%s"},"form":{"applicant_name":"%s","applicant_id":"110101199003070003","retire_date":"2026-12-01","applicant_phone":"13800000000"}}' "$1" "$1"
}
# item KEY CASE: one item of a batch
item() { printf '{"key":"%s","case":%s}' "$1" "$2"; }
# batch ITEM...: the body of a batch
batch() {
	local IFS=,
	printf '{"cases":[%s]}' "$*"
}

test_expect_success 'a batch: each item answered in order, filed once, a repeat of its key replayed' '
	body=$(batch "$(item b1 "$(yb 甲)")" "$(item b2 "$(yb 乙)")" "$(item b1 "$(yb 甲)")" \
		"$(item b3 "{\"item\":\"NO-SUCH\"}")" "$(item b4 "$(yb 丙)")") &&
	echo "$body" >batch1.json &&
	test "$(api POST /v1/cases "$YB" --data-binary @batch1.json)" = 200 &&
	jq -c "[.results[] | [.index, .status]]" out.json >got &&
	echo "[[0,201],[1,201],[2,200],[3,422],[4,201]]" >expect &&
	test_cmp expect got &&
	json_eq .created 3 <out.json && json_eq .replayed 1 <out.json && json_eq .failed 1 <out.json &&
	json_eq ".results[2].replayed" true <out.json &&
	test "$(jq -r ".results[0].case.id" out.json)" = "$(jq -r ".results[2].case.id" out.json)" &&
	json_eq ".results[3].problem.field" item <out.json &&
	json_eq ".results[3].problem.status" 422 <out.json &&
	json_eq ".results[1].case.applicant.name" 乙 <out.json &&
	json_eq ".results[4].case.status" submitted <out.json &&
	test "$(db_sql "select count(*) from cases")" = 3 &&
	test "$(db_sql "select count(*) from events where action = '\''submit'\''")" = 3 &&
	cp out.json first.json
'

test_expect_success 'the same batch again files nothing: every case replayed, the same bytes' '
	test "$(api POST /v1/cases "$YB" --data-binary @batch1.json)" = 200 &&
	json_eq .created 0 <out.json && json_eq .replayed 4 <out.json && json_eq .failed 1 <out.json &&
	for i in 0 1 4; do
		jq -c ".results[$i].case" first.json >a && jq -c ".results[$i].case" out.json >b &&
		test_cmp a b || return 1
	done &&
	test "$(db_sql "select count(*) from cases")" = 3
'

test_expect_success 'a key of a batch replays as a single request, and the other way round' '
	test "$(api POST /v1/cases "$YB" -H "Idempotency-Key: b2" -d "$(yb 乙)")" = 200 &&
	grep -qi "^idempotent-replayed: true" headers.txt &&
	json_eq .id "$(jq -r ".results[1].case.id" first.json)" <out.json &&
	test "$(api POST /v1/cases "$YB" -H "Idempotency-Key: s1" -d "$(yb 丁)")" = 201 &&
	id=$(jq -r .id out.json) &&
	test "$(api POST /v1/cases "$YB" -d "$(batch "$(item s1 "$(yb 丁)")")")" = 200 &&
	json_eq ".results[0].status" 200 <out.json &&
	json_eq ".results[0].case.id" "$id" <out.json &&
	test "$(db_sql "select count(*) from cases")" = 4
'

test_expect_success 'another body under a filed key is that item'"'"'s 409; the others are filed' '
	test "$(api POST /v1/cases "$YB" -d "$(batch "$(item b1 "$(yb 另一人)")" "$(item b5 "$(yb 戊)")")")" = 200 &&
	json_eq ".results[0].status" 409 <out.json &&
	json_eq ".results[1].status" 201 <out.json &&
	test "$(db_sql "select applicant_name from cases where idem_key = '\''b1'\''")" = 甲 &&
	test "$(db_sql "select count(*) from cases")" = 5
'

test_expect_success 'a "one thing" workflow case in a batch: its parent and sub-cases, once' '
	w=$(restaurant_case | jq -c ". + {workflow: \"restaurant\"}") &&
	n=$(db_sql "select count(*) from cases") &&
	test "$(api POST /v1/cases "$ADMIN" -d "$(batch "$(item w1 "$w")" "$(item w1 "$w")")")" = 200 &&
	jq -c "[.results[].status]" out.json >got && echo "[201,200]" >expect && test_cmp expect got &&
	json_eq ".results[0].case.workflow" restaurant <out.json &&
	test "$(jq ".results[0].case.children | length" out.json)" -ge 2 &&
	m=$(db_sql "select count(*) from cases") &&
	test "$m" = $((n + 1 + $(jq ".results[0].case.children | length" out.json))) &&
	test "$(api POST /v1/cases "$ADMIN" -H "Idempotency-Key: w1" -d "$w")" = 200 &&
	test "$(db_sql "select count(*) from cases")" = "$m"
'

test_expect_success 'a clerk may not file on another department'"'"'s item: 403 for that item only' '
	test "$(api POST /v1/cases "$YB" -d "$(batch "$(item r1 "$(rs_case 某公司)")" "$(item b6 "$(yb 己)")")")" = 200 &&
	json_eq ".results[0].status" 403 <out.json &&
	json_eq ".results[0].problem.field" item <out.json &&
	json_eq ".results[1].status" 201 <out.json &&
	test "$(api POST /v1/cases "$SENSOR" -d "$(batch "$(item r2 "$(yb 庚)")")")" = 403 &&
	test "$(db_sql "select count(*) from cases where idem_key in ('\''r1'\'','\''r2'\'')")" = 0
'

test_expect_success 'every fault of an item is named in its problem, as for a single filing' '
	bad=$(yb 辛 | jq -c ".form.applicant_phone = \"12\" | .form.retire_date = \"soon\"") &&
	test "$(api POST /v1/cases "$YB" -d "$(batch "$(item f1 "$bad")")")" = 200 &&
	json_eq ".results[0].status" 422 <out.json &&
	test "$(jq ".results[0].problem.errors | length" out.json)" = 2 &&
	jq -c ".results[0].problem" out.json >inbatch &&
	test "$(api POST /v1/cases "$YB" -H "Idempotency-Key: f1" -d "$bad")" = 422 &&
	jq -c . out.json >single &&
	test_cmp single inbatch
'

test_expect_success 'a bad item is its own 4xx, naming what is wrong' '
	body=$(batch 3 "{\"case\":$(yb 壬)}" "$(item "" "$(yb 壬)")" \
		"$(item "$(printf "k%.0s" $(seq 129))" "$(yb 壬)")" "{\"key\":\"c1\",\"case\":[]}" \
		"{\"key\":\"c2\",\"case\":$(yb 壬),\"y\":1}" "{\"key\":7,\"case\":$(yb 壬)}" \
		"$(item c3 "$(yb 壬)")") &&
	test "$(api POST /v1/cases "$YB" -d "$body")" = 200 &&
	jq -c "[.results[] | [.status, .problem.field]]" out.json >got &&
	echo "[[422,null],[422,\"key\"],[400,\"key\"],[400,\"key\"],[422,\"case\"],[400,\"y\"],[422,\"key\"],[201,null]]" >expect &&
	test_cmp expect got &&
	json_eq ".results[0].problem.detail" "item 0 must be an object {\"key\",\"case\"}" <out.json &&
	json_eq .failed 7 <out.json &&
	test "$(db_sql "select count(*) from cases where idem_key like '\''c%'\''")" = 1
'

test_expect_success 'a batch that is not one: 422 or 400 for the whole request, nothing filed' '
	n=$(db_sql "select count(*) from cases") &&
	test "$(api POST /v1/cases "$YB" -d "{\"cases\":[]}")" = 422 &&
	json_eq .field cases <out.json &&
	test "$(api POST /v1/cases "$YB" -d "{\"cases\":{}}")" = 422 &&
	test "$(api POST /v1/cases "$YB" -d "{\"cases\":[$(item x1 "$(yb 癸)")],\"item\":\"310000-YB-003\"}")" = 400 &&
	json_eq .field item <out.json &&
	jq -cn "{cases: [range(1001) | {key: \"m\(.)\", case: {}}]}" >many.json &&
	test "$(api POST /v1/cases "$YB" --data-binary @many.json)" = 422 &&
	json_eq .detail "cases must be an array of 1 to 1000 items" <out.json &&
	test "$(db_sql "select count(*) from cases")" = "$n"
'

test_expect_success 'a batch of 1000 (more than a transaction takes): each filed once, in order' '
	yb_cases 1000 5000 | jq -c -s "{cases: [to_entries[] | {key: \"big\(.key)\", case: .value}]}" >big.json &&
	test "$(api POST /v1/cases "$ADMIN" --data-binary @big.json)" = 200 &&
	json_eq .created 1000 <out.json &&
	jq -r ".results[] | \"\(.index) \(.case.applicant.name)\"" out.json >got &&
	seq 0 999 | awk "{print \$1, \"申请人\" \$1 + 5000}" >expect &&
	test_cmp expect got &&
	test "$(db_sql "select count(*) from cases where idem_key like '\''big%'\''")" = 1000 &&
	test "$(db_sql "select count(distinct seq) from cases where idem_key like '\''big%'\''")" = 1000
'

refuse_sql() {
	db_sql_per "create trigger refuse before insert on cases when new.applicant_name like '拒收%' begin select raise(abort, 'refused by the test'); end" \
		"create function refuse() returns trigger language plpgsql as \$\$ begin if new.applicant_name like '拒收%' then raise exception 'refused by the test'; end if; return new; end \$\$; create trigger refuse before insert on cases for each row execute function refuse()"
}

test_expect_success 'an insert the database refuses is that item'"'"'s 500; the rest of the batch is filed' '
	refuse_sql &&
	test "$(api POST /v1/cases "$YB" -d "$(batch "$(item d1 "$(yb 子)")" "$(item d2 "$(yb 拒收1)")" "$(item d3 "$(yb 丑)")")")" = 200 &&
	jq -c "[.results[].status]" out.json >got &&
	echo "[201,500,201]" >expect &&
	test_cmp expect got &&
	jq -e ".results[1].problem.detail | test(\"refused by the test\")" out.json >/dev/null &&
	test "$(db_sql "select count(*) from cases where idem_key like '\''d%'\''")" = 2 &&
	db_sql_per "drop trigger refuse" "drop trigger refuse on cases; drop function refuse()"
'

if [ "$TWONET_TEST_BACKEND" = sqlite ]; then
test_expect_success 'a database locked past 10 s: the whole batch is 503, Retry-After; case-submit retries it' '
	( { echo "begin immediate;"; sleep 13; echo "rollback;"; } | sqlite3 "$TWONETD_DB" ) &
	holder=$!
	sleep 0.5
	( api POST /v1/cases "$YB" -d "$(batch "$(item l1 "$(yb 寅)")" "$(item l2 "$(yb 卯)")")" >lock.code ) &
	poster=$!
	yb_cases 3 9000 | TWONET_TOKEN=$YB case-submit --bulk >subm.out 2>subm.err &&
	wait $poster && wait $holder &&
	test "$(cat lock.code)" = 503 &&
	grep -qi "^retry-after: 1" headers.txt &&
	json_eq .detail "the database stayed locked for 10 s" <out.json &&
	test "$(wc -l <subm.out)" = 3 &&
	grep -qx "case-submit: filed 3, replayed 0, failed 0" subm.err &&
	test "$(grep -c "POST /v1/cases 503" "$TWONETD_LOG")" = 2 &&
	test "$(db_sql "select count(*) from cases where applicant_name like '\''申请人900%'\''")" = 3 &&
	test "$(db_sql "select count(*) from cases where idem_key in ('\''l1'\'','\''l2'\'')")" = 0
'
fi

test_done
