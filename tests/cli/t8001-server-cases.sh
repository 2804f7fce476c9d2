#!/bin/bash
# twonetd case life cycle over raw HTTP: If-Match versions, transitions,
# history, filters, and cursor paging that returns every case exactly once.
. "$(dirname "$0")/test-lib.sh"

# act ID VERSION ACTION [COMMENT]: POST an action, status on stdout
act() {
	local body
	body=$(jq -cn --arg a "$3" --arg c "${4:-}" '{action: $a} + (if $c == "" then {} else {comment: $c} end)')
	api POST "/v1/cases/$1/actions" "$RS" -H "If-Match: \"$2\"" -d "$body"
}

start_server || exit 1
RS=$(make_token clerk rs-clerk RSJ)
ADMIN=$(make_token admin root)
APP=$(make_token applicant li)

api POST /v1/cases "$RS" -H "Idempotency-Key: life-1" -d "$(rs_case 生命周期公司)" >/dev/null
ID=$(jq -r .id out.json)

test_expect_success 'an action without If-Match is 428' '
	test "$(api POST "/v1/cases/$ID/actions" "$RS" -d "{\"action\":\"accept\"}")" = 428 &&
	json_eq .type /problems/precondition-required <out.json
'

test_expect_success 'a stale If-Match is 409 naming both versions' '
	test "$(act "$ID" 7 accept)" = 409 &&
	json_eq .detail "case $ID is at version 1, not 7" <out.json
'

test_expect_success 'an illegal transition is 409' '
	test "$(act "$ID" 1 approve)" = 409 &&
	json_eq .detail "cannot approve a case that is submitted" <out.json
'

test_expect_success 'an unknown action is 422, return without a comment is 422' '
	test "$(act "$ID" 1 dance)" = 422 &&
	json_eq .field action <out.json &&
	test "$(act "$ID" 1 return)" = 422 &&
	json_eq .field comment <out.json
'

test_expect_success 'accept, return, resubmit, accept, approve, complete' '
	test "$(act "$ID" 1 accept)" = 200 &&
	json_eq .status accepted <out.json && json_eq .version 2 <out.json &&
	grep -qi "^etag: \"2\"" headers.txt &&
	jq -e ".accepted_at != null" out.json &&
	test "$(act "$ID" 2 return "缺少花名册")" = 200 &&
	json_eq .status returned <out.json &&
	test "$(act "$ID" 3 resubmit)" = 200 &&
	test "$(act "$ID" 4 accept)" = 200 &&
	test "$(act "$ID" 5 approve)" = 200 &&
	test "$(act "$ID" 6 complete)" = 200 &&
	json_eq .status completed <out.json && json_eq .version 7 <out.json &&
	jq -e ".completed_at != null" out.json &&
	test "$(api GET "/v1/cases/$ID" "$RS")" = 200 &&
	json_eq .version 7 <out.json &&
	grep -qi "^etag: \"7\"" headers.txt
'

test_expect_success 'the history holds every move in order, with actor and comment' '
	test "$(api GET "/v1/cases/$ID/events" "$RS")" = 200 &&
	jq -c "[.items[] | [.seq, .action, .from, .to, .version]]" out.json >actual &&
	echo "[[1,\"submit\",null,\"submitted\",1],[2,\"accept\",\"submitted\",\"accepted\",2],[3,\"return\",\"accepted\",\"returned\",3],[4,\"resubmit\",\"returned\",\"resubmitted\",4],[5,\"accept\",\"resubmitted\",\"accepted\",5],[6,\"approve\",\"accepted\",\"approved\",6],[7,\"complete\",\"approved\",\"completed\",7]]" >expect &&
	test_cmp expect actual &&
	json_eq ".items[2].comment" 缺少花名册 <out.json &&
	json_eq ".items[2].actor" rs-clerk <out.json &&
	json_eq ".items[2].role" clerk <out.json &&
	json_eq .next null <out.json
'

test_expect_success 'two clerks acting on the same version: one wins, the other gets 409' '
	api POST /v1/cases "$RS" -H "Idempotency-Key: race-1" -d "$(rs_case 竞争公司)" >/dev/null &&
	rid=$(jq -r .id out.json) &&
	a=$(act "$rid" 1 accept) &&
	b=$(act "$rid" 1 reject "重复") &&
	test "$a" = 200 && test "$b" = 409 &&
	test "$(api GET "/v1/cases/$rid" "$RS")" = 200 &&
	json_eq .status accepted <out.json
'

test_expect_success 'If-Match may be bare or weak' '
	api POST /v1/cases "$RS" -H "Idempotency-Key: im-1" -d "$(rs_case 标记公司)" >/dev/null &&
	iid=$(jq -r .id out.json) &&
	test "$(api POST "/v1/cases/$iid/actions" "$RS" -H "If-Match: 1" -d "{\"action\":\"accept\"}")" = 200 &&
	test "$(api POST "/v1/cases/$iid/actions" "$RS" -H "If-Match: W/\"2\"" -d "{\"action\":\"approve\"}")" = 200 &&
	test "$(api POST "/v1/cases/$iid/actions" "$RS" -H "If-Match: soon" -d "{\"action\":\"complete\"}")" = 400
'

test_expect_success 'an applicant cannot act on a case that is not theirs (404)' '
	test "$(api POST "/v1/cases/$ID/actions" "$APP" -H "If-Match: 7" -d "{\"action\":\"accept\"}")" = 404
'

test_expect_success 'an applicant resubmits their returned case but may not accept it' '
	test "$(api POST /v1/cases "$APP" -H "Idempotency-Key: app-1" -d "$(rs_case 申请人公司)")" = 201 &&
	aid=$(jq -r .id out.json) &&
	json_eq .submitted_by li <out.json &&
	test "$(act "$aid" 1 return "请补充材料")" = 200 &&
	test "$(api POST "/v1/cases/$aid/actions" "$APP" -H "If-Match: 2" -d "{\"action\":\"accept\"}")" = 403 &&
	test "$(api POST "/v1/cases/$aid/actions" "$APP" -H "If-Match: 2" -d "{\"action\":\"resubmit\"}")" = 200 &&
	json_eq .status resubmitted <out.json &&
	test "$(api GET "/v1/cases/$aid/events" "$APP")" = 200 &&
	json_eq ".items[2].role" applicant <out.json
'

# 250 cases for paging, filed through one curl process
for i in $(seq 1 250); do
	printf 'url = "%s/v1/cases"\nheader = "Authorization: Bearer %s"\nheader = "Idempotency-Key: page-%d"\ndata = "%s"\noutput = "/dev/null"\nnext\n' \
		"$TWONET_URL" "$RS" "$i" "$(rs_case "分页$i" | sed 's/"/\\"/g')"
done | sed '$d' >page.curl
curl -sS -K page.curl

test_expect_success 'paging with a cursor returns every case exactly once' '
	total=$(db_sql "select count(*) from cases") &&
	test "$total" -ge 250 &&
	: >ids && cursor="" && pages=0 &&
	while :; do
		test "$(api GET "/v1/cases?limit=7${cursor:+&cursor=$cursor}" "$RS")" = 200 &&
		jq -r ".items[].id" out.json >>ids &&
		pages=$((pages + 1)) &&
		cursor=$(jq -r ".next // empty" out.json) &&
		if [ -z "$cursor" ]; then break; fi
		test $pages -lt 100 || exit 1
	done &&
	test "$(wc -l <ids)" = "$total" &&
	test "$(sort -u ids | wc -l)" = "$total" &&
	sort ids >sorted && test_cmp sorted ids &&
	test $pages = $(( (total + 6) / 7 ))
'

test_expect_success 'paging by deadline also returns every case exactly once' '
	total=$(db_sql "select count(*) from cases") &&
	: >ids && : >deadlines && cursor="" &&
	while :; do
		test "$(api GET "/v1/cases?order=deadline&limit=50${cursor:+&cursor=$cursor}" "$ADMIN")" = 200 &&
		jq -r ".items[].id" out.json >>ids &&
		jq -r ".items[].deadline // \"9999-12-31\"" out.json >>deadlines &&
		cursor=$(jq -r ".next // empty" out.json) &&
		if [ -z "$cursor" ]; then break; fi
	done &&
	test "$(sort -u ids | wc -l)" = "$total" &&
	test "$(wc -l <ids)" = "$total" &&
	sort deadlines >sorted && test_cmp sorted deadlines
'

test_expect_success 'filters: status, q, overdue, since/until' '
	test "$(api GET "/v1/cases?status=completed" "$RS")" = 200 &&
	jq -e "[.items[].id] == [\"$ID\"]" out.json &&
	test "$(api GET "/v1/cases?q=%E5%88%86%E9%A1%B5250&limit=1000" "$RS")" = 200 &&
	jq -e "[.items[].applicant.name] == [\"分页250\"]" out.json &&
	test "$(api GET "/v1/cases?overdue=true" "$RS")" = 200 &&
	jq -e ".items == []" out.json &&
	test "$(api GET "/v1/cases?overdue=false&limit=1" "$RS")" = 200 &&
	jq -e ".items | length == 1" out.json &&
	today=$(date +%F) &&
	test "$(api GET "/v1/cases?since=$today&until=$today&limit=1" "$RS")" = 200 &&
	jq -e ".items | length == 1" out.json &&
	test "$(api GET "/v1/cases?until=2000-01-01" "$RS")" = 200 &&
	jq -e ".items == []" out.json
'

test_expect_success 'a filing with several faults names every one, with its label, in errors' '
	body=$(rs_case X | jq -c "del(.applicant.name) | del(.form.org_name) | .form.staff_count = \"many\"") &&
	test "$(api POST /v1/cases "$RS" -H "Idempotency-Key: faults-1" -d "$body")" = 422 &&
	json_eq .field applicant.name <out.json &&
	json_eq .detail "applicant.name is required" <out.json &&
	jq -e "[.errors[].field] == [\"applicant.name\", \"form.org_name\", \"form.staff_count\"]" out.json &&
	jq -e ".errors[1] == {field: \"form.org_name\", label: \"参保单位名称\", detail: \"required\"}" out.json &&
	jq -e ".errors[0].label == null and (.errors[2].detail | test(\"not a number\"))" out.json
'

test_expect_success 'kinds and sizes: every fault of the body in errors, the first as field' '
	body=$(rs_case X | jq -c ".applicant.phone = 5 | .form.org_name = [1] | .materials = [3]") &&
	test "$(api POST /v1/cases "$RS" -H "Idempotency-Key: faults-2" -d "$body")" = 422 &&
	json_eq .field applicant.phone <out.json &&
	json_eq .detail "applicant.phone: must be a string, not a number" <out.json &&
	jq -e "[.errors[].field] == [\"applicant.phone\", \"form.org_name\", \"materials[0]\"]" out.json
'

test_expect_success 'an unknown form field first is 400, with the other faults and a did-you-mean' '
	body=$(rs_case X | jq -c "del(.form.staff_count) | .form.staf_count = 5") &&
	test "$(api POST /v1/cases "$RS" -H "Idempotency-Key: faults-3" -d "$body")" = 400 &&
	json_eq .field form.staf_count <out.json &&
	json_eq .detail "unknown form field '\''staf_count'\''; did you mean '\''staff_count'\''?" <out.json &&
	jq -e "[.errors[].field] == [\"form.staf_count\", \"form.staff_count\"]" out.json
'

test_expect_success 'bad list parameters are 400 naming the parameter' '
	test "$(api GET "/v1/cases?limit=0" "$RS")" = 400 && json_eq .field limit <out.json &&
	test "$(api GET "/v1/cases?limit=1001" "$RS")" = 400 &&
	test "$(api GET "/v1/cases?status=lost" "$RS")" = 400 && json_eq .field status <out.json &&
	test "$(api GET "/v1/cases?since=2026-02-30" "$RS")" = 400 && json_eq .field since <out.json &&
	test "$(api GET "/v1/cases?cursor=zz" "$RS")" = 400 && json_eq .field cursor <out.json &&
	test "$(api GET "/v1/cases?colour=red" "$RS")" = 400 && json_eq .field colour <out.json
'

test_expect_success 'overdue is computed from the deadline' '
	db_sql "update cases set deadline = '\''2025-01-02'\'', doc = $(db_doc_set deadline "'\''2025-01-02'\''") where seq = (select max(seq) from cases)" &&
	test "$(api GET "/v1/cases?overdue=true" "$RS")" = 200 &&
	jq -e ".items | length == 1 and .[0].overdue == true" out.json
'

stop_server
test_expect_success 'the server stopped cleanly after the run' '
	test "$TWONETD_RC" = 0 &&
	test "$(db_integrity)" = ok
'

test_done
