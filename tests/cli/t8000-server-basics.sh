#!/bin/bash
# twonetd over raw HTTP: health, tokens and roles, department scoping, body
# limits and checks, idempotent filing, and a clean shutdown.
. "$(dirname "$0")/test-lib.sh"

# a case of 310000-SW-003 (SWJ)
sw_case() {
	printf '{"item":"310000-SW-003","applicant":{"id":"91350100M000100Y43","name":"%s"},"form":{"org_name":"%s","uscc":"91350100M000100Y43","tax_regime":"一般纳税人","accountant_phone":"13800000001"}}' "$1" "$1"
}

start_server || exit 1
RS=$(make_token clerk rs-clerk RSJ)
SW=$(make_token clerk sw-clerk SWJ)
ADMIN=$(make_token admin root)
SENSOR=$(make_token sensor pump-17)
APP=$(make_token applicant zhang "" 11010519491231002X)

test_expect_success 'health needs no token and reports the database' '
	test "$(api GET /v1/health "")" = 200 &&
	json_eq .status ok <out.json &&
	json_eq .version 0.1.0 <out.json &&
	json_eq .database.ok true <out.json &&
	json_eq "$(db_pick .database.journal .database.backend)" "$(db_pick wal postgresql)" <out.json &&
	json_eq .database.schema 17 <out.json
'

test_expect_success 'each request is logged on one line with its token name' '
	api GET /v1/items "$RS" >/dev/null &&
	grep -E "^[0-9-]+T[0-9:]+[+-][0-9:]+ 127\.0\.0\.1 GET /v1/items 200 [0-9]+ \"rs-clerk\"$" "$TWONETD_LOG"
'

test_expect_success 'no token or a wrong token is 401 problem+json' '
	test "$(api GET /v1/items "")" = 401 &&
	json_eq .type /problems/unauthorized <out.json &&
	json_eq .status 401 <out.json &&
	grep -qi "^content-type: application/problem+json" headers.txt &&
	test "$(api GET /v1/items tn_0000000000000000000000000000000000000000)" = 401 &&
	json_eq .detail "unknown token" <out.json
'

test_expect_success 'items are listed, filtered and shown one by one' '
	test "$(api GET "/v1/items?department=RSJ" "$RS")" = 200 &&
	jq -e ".items | length > 0 and all(.department == \"RSJ\")" out.json &&
	json_eq .next null <out.json &&
	test "$(api GET /v1/items/310000-RS-006 "$SENSOR")" = 200 &&
	json_eq .code 310000-RS-006 <out.json &&
	json_eq .department_name 人力资源和社会保障局 <out.json &&
	test "$(api GET /v1/items/NO-SUCH "$RS")" = 404 &&
	json_eq .type /problems/not-found <out.json
'

test_expect_success 'a role that may not file cases gets 403' '
	test "$(api POST /v1/cases "$SENSOR" -H "Idempotency-Key: s1" -d "$(rs_case X)")" = 403 &&
	json_eq .type /problems/forbidden <out.json &&
	test "$(api GET /v1/cases "$SENSOR")" = 403
'

test_expect_success 'a clerk files a case: 201, Location, ETag, deadlines' '
	test "$(api POST /v1/cases "$RS" -H "Idempotency-Key: rs-1" -d "$(rs_case 甲公司)")" = 201 &&
	id=$(jq -r .id out.json) &&
	case $id in C[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]) ;; *) false ;; esac &&
	grep -qi "^location: /v1/cases/$id" headers.txt &&
	grep -qi "^etag: \"1\"" headers.txt &&
	json_eq .status submitted <out.json &&
	json_eq .version 1 <out.json &&
	json_eq .department RSJ <out.json &&
	json_eq .submitted_by rs-clerk <out.json &&
	json_eq .overdue false <out.json &&
	jq -e ".deadline | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}$\")" out.json &&
	jq -e ".legal_deadline >= .deadline" out.json &&
	# no certificate named at filing: still to be brought, never counted as exempted
	jq -e "[.materials[] | select(.code == \"M-YYZZ\")][0].state == \"missing\"" out.json
'

test_expect_success 'the same key and body again is a replay: 200, the same case' '
	api POST /v1/cases "$RS" -H "Idempotency-Key: rs-2" -d "$(rs_case 乙公司)" >/dev/null &&
	first=$(jq -r .id out.json) &&
	test "$(api POST /v1/cases "$RS" -H "Idempotency-Key: rs-2" -d "$(rs_case 乙公司)")" = 200 &&
	json_eq .id "$first" <out.json &&
	grep -qi "^idempotent-replayed: true" headers.txt &&
	test "$(db_sql "select count(*) from cases where idem_key = '\''rs-2'\''")" = 1
'

test_expect_success 'a replay with keys in another order and other spacing is still a replay' '
	body=$(rs_case 乙公司 | jq -S .) &&
	test "$(api POST /v1/cases "$RS" -H "Idempotency-Key: rs-2" -d "$body")" = 200
'

test_expect_success 'the same key with a different body is 409' '
	test "$(api POST /v1/cases "$RS" -H "Idempotency-Key: rs-2" -d "$(rs_case 丙公司)")" = 409 &&
	json_eq .type /problems/conflict <out.json
'

test_expect_success 'a missing Idempotency-Key is 400' '
	test "$(api POST /v1/cases "$RS" -d "$(rs_case X)")" = 400
'

test_expect_success 'a clerk of another department cannot read the case (404, no data)' '
	api POST /v1/cases "$RS" -H "Idempotency-Key: rs-3" -d "$(rs_case 秘密公司)" >/dev/null &&
	id=$(jq -r .id out.json) &&
	test "$(api GET "/v1/cases/$id" "$SW")" = 404 &&
	json_eq .type /problems/not-found <out.json &&
	! grep -q 秘密公司 out.json &&
	! grep -q RS-006 out.json &&
	test "$(api GET "/v1/cases/$id/events" "$SW")" = 404 &&
	test "$(api POST "/v1/cases/$id/actions" "$SW" -H "If-Match: 1" -d "{\"action\":\"accept\"}")" = 404 &&
	test "$(api GET "/v1/cases/C99999999" "$SW")" = 404
'

test_expect_success 'a clerk lists only their own department' '
	api POST /v1/cases "$SW" -H "Idempotency-Key: sw-1" -d "$(sw_case 税务公司)" >/dev/null &&
	test "$(api GET /v1/cases "$SW")" = 200 &&
	jq -e ".items | length >= 1 and all(.department == \"SWJ\")" out.json &&
	test "$(api GET "/v1/cases?department=RSJ" "$SW")" = 200 &&
	jq -e ".items == []" out.json &&
	test "$(api GET "/v1/cases?department=SWJ" "$ADMIN")" = 200 &&
	jq -e ".items | length >= 1" out.json &&
	test "$(api GET /v1/cases "$ADMIN")" = 200 &&
	jq -e "[.items[].department] | unique == [\"RSJ\", \"SWJ\"]" out.json
'

test_expect_success 'a clerk may not file on another department'\''s item (403)' '
	test "$(api POST /v1/cases "$SW" -H "Idempotency-Key: x1" -d "$(rs_case X)")" = 403
'

test_expect_success 'a 2 MiB body is 413 problem+json' '
	head -c 2097152 /dev/zero | tr "\0" " " >big.json &&
	test "$(api POST /v1/cases "$RS" -H "Idempotency-Key: big" -H "Content-Type: application/json" --data-binary @big.json)" = 413 &&
	json_eq .type /problems/payload-too-large <out.json
'

test_expect_success 'malformed JSON is 400 with the parser'\''s message' '
	test "$(api POST /v1/cases "$RS" -H "Idempotency-Key: m1" -d "{\"item\": ")" = 400 &&
	json_eq .type /problems/bad-request <out.json &&
	jq -e ".detail | test(\"line 1\")" out.json
'

test_expect_success 'invalid UTF-8 is 400' '
	printf "{\"item\":\"\\377\"}" >bad.json &&
	test "$(api POST /v1/cases "$RS" -H "Idempotency-Key: u1" --data-binary @bad.json)" = 400 &&
	jq -e ".detail | test(\"UTF-8\")" out.json
'

test_expect_success 'unknown members are refused with 400 naming the member' '
	body=$(rs_case X | jq -c ". + {colour: 1}") &&
	test "$(api POST /v1/cases "$RS" -H "Idempotency-Key: f1" -d "$body")" = 400 &&
	json_eq .field colour <out.json &&
	body=$(rs_case X | jq -c ".applicant.age = 3") &&
	test "$(api POST /v1/cases "$RS" -H "Idempotency-Key: f2" -d "$body")" = 400 &&
	json_eq .field applicant.age <out.json &&
	body=$(rs_case X | jq -c ".form.shoe_size = 3") &&
	test "$(api POST /v1/cases "$RS" -H "Idempotency-Key: f3" -d "$body")" = 400 &&
	json_eq .field form.shoe_size <out.json
'

test_expect_success 'an invalid applicant id, an unknown item and a missing field are 422' '
	body=$(rs_case X | jq -c ".applicant.id = \"91350100M000100Y44\"") &&
	test "$(api POST /v1/cases "$RS" -H "Idempotency-Key: v1" -d "$body")" = 422 &&
	json_eq .field applicant.id <out.json &&
	json_eq .type /problems/unprocessable <out.json &&
	body=$(rs_case X | jq -c ".item = \"NO-SUCH\"") &&
	test "$(api POST /v1/cases "$ADMIN" -H "Idempotency-Key: v2" -d "$body")" = 422 &&
	json_eq .field item <out.json &&
	body=$(rs_case X | jq -c "del(.form.staff_count)") &&
	test "$(api POST /v1/cases "$RS" -H "Idempotency-Key: v3" -d "$body")" = 422 &&
	json_eq .field form.staff_count <out.json &&
	body=$(sw_case X | jq -c ".form.tax_regime = \"大\"") &&
	test "$(api POST /v1/cases "$SW" -H "Idempotency-Key: v4" -d "$body")" = 422 &&
	json_eq .field form.tax_regime <out.json
'

test_expect_success 'an applicant files only for their own subject and sees only their cases' '
	yb="{\"item\":\"310000-YB-003\",\"applicant\":{\"id\":\"11010519491231002X\",\"name\":\"张三\"},\"form\":{\"applicant_name\":\"张三\",\"applicant_id\":\"11010519491231002X\",\"retire_date\":\"2026-10-01\",\"applicant_phone\":\"13900000000\"}}" &&
	test "$(api POST /v1/cases "$APP" -H "Idempotency-Key: a1" -d "$yb")" = 201 &&
	mine=$(jq -r .id out.json) &&
	other=$(printf "%s" "$yb" | jq -c ".applicant.id = \"310115198501011234\"") &&
	test "$(api POST /v1/cases "$APP" -H "Idempotency-Key: a2" -d "$other")" = 403 &&
	test "$(api GET /v1/cases "$APP")" = 200 &&
	jq -e "[.items[].id] == [\"$mine\"]" out.json &&
	test "$(api GET "/v1/cases/$mine" "$APP")" = 200 &&
	rsid=C$(printf %08d "$(db_sql "select min(seq) from cases where department = '\''RSJ'\''")") &&
	test "$(api GET "/v1/cases/$rsid" "$APP")" = 404
'

test_expect_success 'unknown paths are 404 and wrong methods 405, as problem+json' '
	test "$(api GET /v1/nothing "$RS")" = 404 &&
	json_eq .type /problems/not-found <out.json &&
	test "$(api DELETE /v1/cases "$RS")" = 405 &&
	json_eq .type /problems/method-not-allowed <out.json &&
	grep -qi "^allow: GET,POST" headers.txt
'

stop_server
test_expect_success 'SIGTERM stops the server with exit 0 and a sound database' '
	test "$TWONETD_RC" = 0 &&
	test "$(db_integrity)" = ok &&
	grep -q "twonetd: stopped" "$TWONETD_LOG"
'

test_done
