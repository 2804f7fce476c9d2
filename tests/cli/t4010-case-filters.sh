#!/bin/bash
# GET /v1/cases: a filter naming an item, department, workflow or status that
# does not exist is refused naming the parameter (with a "did you mean"), never
# an empty list; the first page of a list carries the number of matching cases.
. "$(dirname "$0")/test-lib.sh"

start_server || exit 1
ADMIN=$(make_token admin root)
YB=$(make_token clerk clerk-yb YBJ)
RS=$(make_token clerk rs-clerk RSJ)

yb_cases 5 | case-submit --token "$YB" --bulk >/dev/null 2>&1
api POST /v1/cases "$RS" -H "Idempotency-Key: f-1" -d "$(rs_case 过滤公司)" >/dev/null

test_expect_success 'an unknown item is 422 naming item, with the closest code' '
	test "$(api GET "/v1/cases?item=310000-YB-030" "$ADMIN")" = 422 &&
	json_eq .field item <out.json &&
	json_eq .type /problems/unprocessable <out.json &&
	json_eq .detail "item: no service item '\''310000-YB-030'\''; did you mean '\''310000-YB-003'\''?" <out.json
'

test_expect_success 'an item far from every code gets no suggestion' '
	test "$(api GET "/v1/cases?item=NOPE" "$ADMIN")" = 422 &&
	json_eq .detail "item: no service item '\''NOPE'\''" <out.json
'

test_expect_success 'an unknown department is 422 naming department; a known one is a list' '
	test "$(api GET "/v1/cases?department=YBX" "$ADMIN")" = 422 &&
	json_eq .field department <out.json &&
	jq -e ".detail | startswith(\"department: no department '\''YBX'\''\")" out.json &&
	jq -e ".detail | test(\"did you mean '\''[A-Z]+'\''\")" out.json &&
	test "$(api GET "/v1/cases?department=NOSUCHDEPT" "$YB")" = 422 &&
	test "$(api GET "/v1/cases?department=RSJ" "$YB")" = 200 &&
	jq -e ".items == [] and .total == 0" out.json
'

test_expect_success 'an unknown workflow is 422 naming workflow' '
	test "$(api GET "/v1/cases?workflow=resturant" "$ADMIN")" = 422 &&
	json_eq .field workflow <out.json &&
	json_eq .detail "workflow: no workflow '\''resturant'\''; did you mean '\''restaurant'\''?" <out.json &&
	test "$(api GET "/v1/cases?workflow=restaurant" "$ADMIN")" = 200
'

test_expect_success 'a mistyped status is 400 naming status, with the closest status' '
	test "$(api GET "/v1/cases?status=submited" "$ADMIN")" = 400 &&
	json_eq .field status <out.json &&
	json_eq .detail "status: no status '\''submited'\''; did you mean '\''submitted'\''?" <out.json
'

test_expect_success 'parent naming no case (or one the token may not see) is 404 naming parent' '
	test "$(api GET "/v1/cases?parent=C09999999" "$ADMIN")" = 404 &&
	json_eq .field parent <out.json &&
	json_eq .detail "parent: no case '\''C09999999'\''" <out.json &&
	rs=$(api GET "/v1/cases?item=310000-RS-006" "$ADMIN" >/dev/null && jq -r ".items[0].id" out.json) &&
	test "$(api GET "/v1/cases?parent=$rs" "$YB")" = 404 &&
	test "$(api GET "/v1/cases?parent=$rs" "$ADMIN")" = 200 &&
	jq -e ".items == [] and .total == 0" out.json
'

test_expect_success 'case-list exits 7 on an unknown item, with the server reason' '
	test_expect_exit 7 case-list --token "$ADMIN" --item 310000-XX-999 >out 2>err &&
	test ! -s out &&
	grep -q "no service item '\''310000-XX-999'\''" err
'

test_expect_success 'the first page carries total, the cases the filter matches' '
	test "$(api GET "/v1/cases?limit=2" "$ADMIN")" = 200 &&
	jq -e ".total == 6 and (.items | length) == 2 and .next != null" out.json &&
	next=$(jq -r .next out.json) &&
	test "$(api GET "/v1/cases?limit=2&cursor=$next" "$ADMIN")" = 200 &&
	jq -e "has(\"total\") | not" out.json &&
	test "$(api GET "/v1/cases?item=310000-YB-003" "$ADMIN")" = 200 &&
	jq -e ".total == 5 and .next == null" out.json &&
	test "$(api GET "/v1/cases?status=accepted" "$ADMIN")" = 200 &&
	jq -e ".total == 0" out.json
'

test_expect_success 'total counts what the token may see' '
	test "$(api GET "/v1/cases?limit=1" "$YB")" = 200 &&
	jq -e ".total == 5" out.json &&
	test "$(api GET "/v1/cases" "$RS")" = 200 &&
	jq -e ".total == 1" out.json
'

test_expect_success 'a search by q is not counted (no index serves it)' '
	test "$(api GET "/v1/cases?q=%E7%94%B3%E8%AF%B7" "$ADMIN")" = 200 &&
	jq -e "(.items | length) == 5 and (has(\"total\") | not)" out.json
'

test_done
