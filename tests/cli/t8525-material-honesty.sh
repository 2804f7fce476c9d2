#!/bin/bash
# Zero-material honesty (issue 14): a material is exempted only by a valid,
# unrevoked certificate of its kind that the applicant holds at filing time
# (its id recorded in the case); a certificate that merely *could* stand for
# it exempts nothing.  case-submit names on stderr what the applicant must
# still bring, and case-report's materials_exempted counts real exemptions.
. "$(dirname "$0")/test-lib.sh"

P1=310101199003071230   # holds an ID card, a retirement approval and a social security card
P2=310115198511204566   # holds nothing
ITEM=310000-RS-004      # 基本养老金申领: M-TXSP, M-BRSFZ, M-SBK could be certificates, M-YHZH not

issue() {
	api POST /v1/certs "$1" -H "Idempotency-Key: $2" -d "$3" >/dev/null && jq -r .id out.json
}
sfz() {
	printf '{"kind":"CK-SFZ","holder":{"type":"person","id":"%s","name":"%s"},"fields":{"name":"%s","sex":"男","ethnicity":"汉族","birth_date":"1990-03-07","address":"上海市黄浦区南京东路1号","issuing_office":"上海市公安局黄浦分局"},"valid_from":"2016-01-01","valid_until":"2036-01-01"}' "$1" "$2" "$2"
}
txsp() {
	printf '{"kind":"CK-TXSP","holder":{"type":"person","id":"%s","name":"%s"},"fields":{"approval_no":"TX2026-%s","employer":"上海申城贸易有限公司","retirement_date":"2026-12-01","retirement_type":"正常退休"},"valid_from":"2026-01-05"}' "$1" "$2" "$3"
}
sbk() {
	printf '{"kind":"CK-SBK","holder":{"type":"person","id":"%s","name":"%s"},"fields":{"card_no":"SB%s","bank":"上海银行","issue_date":"2018-06-01"},"valid_from":"2018-06-01"}' "$1" "$2" "$3"
}
# submit ID NAME [ARGS...]: file the pension item for applicant ID
submit() {
	local id=$1 name=$2; shift 2
	case-submit --item $ITEM --applicant-id $id --applicant-name $name \
		--field applicant_name=$name --field applicant_id=$id --field retire_date=2026-12-01 \
		--field bank_account=6222021001112223334 --field applicant_phone=13800000000 "$@"
}
exempted() { jq -r '[.materials[] | select(.state == "exempted") | .code] | sort | join(",")'; }
missing() { jq -r '[.materials[] | select(.state == "missing") | .code] | sort | join(",")'; }
report_total() {
	case-report --token "$ADMIN" --from today --format json |
		jq -c '.total | [.materials, .materials_exempted, .materials_asked]'
}

start_server || exit 1
for d in RSJ GAJ; do twonetd issuer add --db "$TWONETD_DB" --dept $d >/dev/null || exit 1; done
RS=$(make_token issuer rs-issuer RSJ)
GA=$(make_token issuer ga-issuer GAJ)
ADMIN=$(make_token admin root)
CLERK=$(make_token clerk rs-clerk RSJ)
APP1=$(make_token applicant zhang "" $P1)
APP2=$(make_token applicant li "" $P2)

SFZ1=$(issue "$GA" s1 "$(sfz $P1 张三)")
TXSP1=$(issue "$RS" t1 "$(txsp $P1 张三 001)")
SBK1=$(issue "$RS" b1 "$(sbk $P1 张三 001)")

test_expect_success 'the holder of the certificates: three materials exempted, each with its certificate id' '
	submit $P1 张三 --token "$APP1" --format json >c1.json 2>err1 &&
	test "$(exempted <c1.json)" = M-BRSFZ,M-SBK,M-TXSP &&
	json_eq "[.materials[] | select(.code == \"M-BRSFZ\") | .cert] | .[0]" "$SFZ1" <c1.json &&
	json_eq "[.materials[] | select(.code == \"M-TXSP\") | .cert] | .[0]" "$TXSP1" <c1.json &&
	json_eq "[.materials[] | select(.code == \"M-SBK\") | .cert] | .[0]" "$SBK1" <c1.json &&
	test "$(missing <c1.json)" = M-YHZH &&
	grep -q "note: case .*: the applicant must still bring M-YHZH" err1 &&
	! grep -q "M-SBK" err1
'

test_expect_success 'an applicant who holds none: the same materials are required, and case-submit says so' '
	submit $P2 李四 --token "$APP2" --format json >c2.json 2>err2 &&
	test "$(exempted <c2.json)" = "" &&
	test "$(missing <c2.json)" = M-BRSFZ,M-SBK,M-TXSP,M-YHZH &&
	jq -e "[.materials[] | .cert] | all(. == null)" c2.json &&
	grep -q "the applicant must still bring .*M-TXSP" err2 &&
	grep -q "M-BRSFZ (本人身份证件)" err2 &&
	grep -q "M-SBK" err2
'

test_expect_success 'a case filed through the API naming no certificate exempts nothing (the old overcount)' '
	body=$(submit $P2 李四 --token "$APP2" --dry-run --jq .body | jq -c "del(.materials)") &&
	test "$(api POST /v1/cases "$CLERK" -H "Idempotency-Key: raw" -d "$body")" = 201 &&
	test "$(missing <out.json)" = M-BRSFZ,M-SBK,M-TXSP,M-YHZH &&
	id=$(jq -r .id out.json | sed "s/^C0*//") &&
	test "$(db_sql "select r_mat || '\'' '\'' || r_exempt from cases where seq = $id")" = "4 0"
'

test_expect_success 'case-report counts only the real exemptions: 3 of 12' '
	test "$(report_total)" = "[12,3,9]"
'

test_expect_success 'a certificate revoked before filing no longer exempts its material' '
	api POST "/v1/certs/$SBK1/revoke" "$RS" -d "{\"reason\":\"卡片挂失\"}" >/dev/null &&
	submit $P1 张三 --token "$APP1" --key again --format json >c3.json 2>err3 &&
	test "$(exempted <c3.json)" = M-BRSFZ,M-TXSP &&
	test "$(missing <c3.json)" = M-SBK,M-YHZH &&
	grep -q "must still bring .*M-SBK" err3 &&
	test "$(report_total)" = "[16,5,11]"
'

test_done
