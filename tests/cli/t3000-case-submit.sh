#!/bin/bash
# case-submit: one case from flags or a JSON/YAML file; content-derived keys; client-side ID checks.
. "$(dirname "$0")/test-lib.sh"

GOOD_ID=110101199003070003
BAD_ID=110101199003070000     # check character should be 3

start_server || exit 1
ADMIN=$(make_token admin root)
CLERK=$(make_token clerk clerk-yb YBJ)
export TWONET_TOKEN=$CLERK

# file the retirement medical-insurance item (YBJ) from flags
submit_flags() {
	case-submit --item 310000-YB-003 --applicant-id "$1" --applicant-name 张三 \
		--field applicant_name=张三 --field applicant_id="$1" \
		--field retire_date=2026-12-01 --field applicant_phone=13800000000 "${@:2}"
}

test_expect_success 'a case from flags is filed and written as JSON' '
	submit_flags $GOOD_ID >case.json &&
	json_eq .status submitted <case.json &&
	json_eq .item 310000-YB-003 <case.json &&
	json_eq .applicant.id $GOOD_ID <case.json &&
	json_eq .applicant.type person <case.json &&
	json_eq .form.retire_date 2026-12-01 <case.json &&
	json_eq .version 1 <case.json &&
	test "$(count_cases)" = 1
'

test_expect_success 'filing the same flags again replays the first case, files nothing new' '
	submit_flags $GOOD_ID >first.json &&
	submit_flags $GOOD_ID >again.json 2>err &&
	test "$(jq -r .id first.json)" = "$(jq -r .id again.json)" &&
	grep -q "was filed before with this key" err &&
	test "$(count_cases)" = 1
'

test_expect_success 'an invalid applicant ID exits 7 and sends nothing' '
	before=$(count_cases) &&
	test_expect_exit 7 submit_flags $BAD_ID >out 2>err &&
	grep -q "^case-submit: error: applicant.id: .*check character" err &&
	test ! -s out &&
	test "$(count_cases)" = "$before" &&
	! grep -q "POST /v1/cases.*422" "$TWONETD_LOG"
'

test_expect_success 'a bad birth date in the ID is refused before sending (exit 7)' '
	test_expect_exit 7 case-submit --item 310000-YB-003 --applicant-id 110101199002300000 \
		--applicant-name x 2>err &&
	grep -q "applicant.id" err
'

test_expect_success '--dry-run prints the body and its key, the SHA-256 of the canonical body' '
	before=$(count_cases) &&
	submit_flags $GOOD_ID --dry-run >dry.json &&
	key=$(jq -r .key dry.json) &&
	printf %s "$(jq -cjS .body dry.json)" | sha256sum >sum &&
	test "$key" = "$(cut -d" " -f1 sum)" &&
	json_eq .body.applicant.type person <dry.json &&
	test "$(count_cases)" = "$before"
'

test_expect_success 'the key does not depend on the order of members or flags' '
	submit_flags $GOOD_ID --dry-run --jq .key >k1 &&
	case-submit --field applicant_phone=13800000000 --field retire_date=2026-12-01 \
		--field applicant_id=$GOOD_ID --field applicant_name=张三 \
		--applicant-name 张三 --applicant-id $GOOD_ID --item 310000-YB-003 -n --jq .key >k2 &&
	test_cmp k1 k2
'

test_expect_success 'a JSON file is filed; its "key" member is the key and is not sent' '
	cat >case.json <<-JSON &&
	{"key": "import-0001", "item": "310000-YB-003",
	 "applicant": {"id": "310101199003077771", "name": "李四"},
	 "form": {"applicant_name": "李四", "applicant_id": "310101199003077771",
	          "retire_date": "2026-12-01", "applicant_phone": "13900000000"}}
	JSON
	case-submit -f case.json -n >dry &&
	json_eq .key import-0001 <dry &&
	json_eq ".body | has(\"key\")" false <dry &&
	case-submit -f case.json >filed &&
	json_eq .applicant.name 李四 <filed &&
	case-submit -f case.json --key other-key -n --jq .key >k &&
	test "$(cat k)" = other-key
'

test_expect_success 'a YAML file keeps an 18-digit ID and numbers with leading zeros as strings' '
	cat >case.yaml <<-YAML &&
	item: 310000-YB-003
	applicant:
	  id: 310115198512310029
	  name: 王五
	  phone: 13700000000
	form:
	  applicant_name: 王五
	  applicant_id: 310115198512310029
	  retire_date: 2026-12-01
	  applicant_phone: 013700000000
	YAML
	case-submit -f case.yaml -n >dry &&
	json_eq .body.applicant.id 310115198512310029 <dry &&
	json_eq ".body.applicant.phone | type" string <dry &&
	json_eq ".body.form.applicant_id | type" string <dry &&
	json_eq .body.form.applicant_phone 013700000000 <dry &&
	case-submit -f - <case.yaml >filed &&
	json_eq .applicant.id 310115198512310029 <filed
'

test_expect_success 'flags win over the file; NAME:=JSON gives a JSON value' '
	case-submit -f case.yaml --applicant-name 赵六 --field "extra:=42" -n >dry &&
	json_eq .body.applicant.name 赵六 <dry &&
	json_eq ".body.form.extra | type" number <dry
'

test_expect_success 'a syntax error in a YAML file names the file and line (exit 7)' '
	printf "item: [x\napplicant: {\n" >broken.yaml &&
	test_expect_exit 7 case-submit -f broken.yaml 2>err &&
	grep -q "broken.yaml:[0-9]*:[0-9]*:" err
'

test_expect_success 'the server refusing a form (missing required field) exits 7 with its reason' '
	test_expect_exit 7 case-submit --item 310000-YB-003 --applicant-id $GOOD_ID \
		--applicant-name 张三 2>err &&
	grep -q "^case-submit: error: .*applicant_name\|^case-submit: error: .*required" err
'

test_expect_success 'every missing or wrong field at once, each with its label; exit 7, nothing filed' '
	before=$(count_cases) &&
	test_expect_exit 7 case-submit --item 310000-YB-003 --applicant-id $GOOD_ID \
		--applicant-name 张三 --field retire_dat=2026-12-01 --field applicant_phone=12 2>out &&
	grep -v ": warning: " out >err &&
	cat >expect <<-\EOF &&
	case-submit: error: form.retire_dat: not a field of this item; did you mean '\''retire_date'\''?
	case-submit: error: form.applicant_name (参保人姓名): required
	case-submit: error: form.applicant_id (参保人身份证号码): required
	case-submit: error: form.retire_date (退休日期): required
	case-submit: error: form.applicant_phone (联系电话): '\''12'\'' is not a phone number
	EOF
	test_cmp expect err &&
	test "$(count_cases)" = "$before"
'

test_expect_success 'faults found before sending are all reported too (exit 7)' '
	echo "{\"item\":7,\"applicant\":{\"id\":\"$GOOD_ID\",\"name\":\"张三\",\"phone\":13800000000},\"form\":{\"a\":[1]}}" >bad.json &&
	test_expect_exit 7 case-submit -f bad.json 2>err &&
	cat >expect <<-\EOF &&
	case-submit: error: item: must be a string, not a number
	case-submit: error: applicant.phone: must be a string, not a number
	case-submit: error: form.a: must be a string or a number, not an array
	EOF
	test_cmp expect err
'

test_expect_success 'an unknown item exits 7; a mistyped one names the closest code' '
	test_expect_exit 7 case-submit --item NO-SUCH-ITEM --applicant-id $GOOD_ID \
		--applicant-name 张三 2>err &&
	grep -qx "case-submit: error: unknown item .NO-SUCH-ITEM." err &&
	test_expect_exit 7 case-submit --item 310000-YB-03 --applicant-id $GOOD_ID \
		--applicant-name 张三 2>err &&
	grep -qx "case-submit: error: unknown item .310000-YB-03.; did you mean .310000-YB-003.?" err
'

test_expect_success 'a wrong token exits 4' '
	test_expect_exit 4 submit_flags $GOOD_ID --token tn_0000000000000000000000000000000000000000 2>err &&
	grep -q "^case-submit: error:" err
'

test_expect_success 'a clerk of another department may not file on the item (exit 4)' '
	other=$(make_token clerk clerk-sw SWJ) &&
	test_expect_exit 4 submit_flags 320102197806151233 --token "$other" 2>err &&
	grep -q "may not file cases" err
'

test_expect_success 'the server down exits 6 after the retries' '
	test_expect_exit 6 submit_flags $GOOD_ID --url http://127.0.0.1:1 --retries 1 2>err &&
	grep -q "^case-submit: error:" err
'

test_expect_success 'nothing to file, or two sources, is a usage error (exit 2)' '
	test_expect_exit 2 case-submit </dev/null 2>err &&
	grep -q "nothing to file" err &&
	test_expect_exit 2 case-submit --bulk -f x.json 2>err &&
	test_expect_exit 2 case-submit --bulk --key k 2>err &&
	test_expect_exit 2 case-submit --item X --field novalue 2>err &&
	grep -q "NAME=VALUE" err
'

test_expect_success 'on a terminal the filed case is shown as a readable view' '
	script -qec "case-submit --item 310000-YB-003 --applicant-id 320102197806151233 \
		--applicant-name 孙七 --field applicant_name=孙七 --field applicant_id=320102197806151233 \
		--field retire_date=2026-12-01 --field applicant_phone=13600000000" /dev/null >tty.out &&
	grep -q "^status: *submitted (version 1)" tty.out &&
	grep -q "^applicant: *孙七 320102197806151233" tty.out
'

test_done
