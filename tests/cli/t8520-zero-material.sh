#!/bin/bash
# Zero-material cases: case-submit finds the applicant's e-certificates and
# files with references instead of uploads; twonetd checks each reference
# (exists, the applicant's, the right kind, valid, signed) and records the
# material as exempted; a forged reference is refused with exit 7.  The
# applicant files for themselves here; t8540 has a clerk with their code.
. "$(dirname "$0")/test-lib.sh"

P1=310101199003071230
P2=310115198511204566
ITEM=310000-RS-004      # 基本养老金申领: M-TXSP, M-BRSFZ, M-SBK from certificates, M-YHZH not

# issue TOKEN KEY BODY: print the new certificate's id
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

submit() {
	case-submit --item $ITEM --applicant-id $P1 --applicant-name 张三 \
		--field applicant_name=张三 --field applicant_id=$P1 --field retire_date=2026-12-01 \
		--field bank_account=6222021001112223334 --field applicant_phone=13800000000 "$@"
}

start_server || exit 1
for d in RSJ GAJ; do twonetd issuer add --db "$TWONETD_DB" --dept $d >/dev/null || exit 1; done
RS=$(make_token issuer rs-issuer RSJ)
GA=$(make_token issuer ga-issuer GAJ)
ADMIN=$(make_token admin root)
APP1=$(make_token applicant zhang "" $P1)

SFZ1=$(issue "$GA" s1 "$(sfz $P1 张三)")
SFZ2=$(issue "$GA" s2 "$(sfz $P2 李四)")
TXSP1=$(issue "$RS" t1 "$(txsp $P1 张三 001)")
SBK1=$(issue "$RS" b1 "$(sbk $P1 张三 001)")

test_expect_success 'set up: three certificates of the applicant, one of another holder' '
	for c in $SFZ1 $SFZ2 $TXSP1 $SBK1; do case $c in 1.2.156.3005.2.*) ;; *) false ;; esac; done
'

test_expect_success 'case-submit --dry-run prints the three materials that would be exempted' '
	submit --token "$APP1" --dry-run >dry.json &&
	jq -e ".exempted | length == 3" dry.json &&
	jq -e "[.exempted[] | .code] | sort == [\"M-BRSFZ\", \"M-SBK\", \"M-TXSP\"]" dry.json &&
	jq -e ".exempted[] | select(.code == \"M-BRSFZ\") | .cert == \"$SFZ1\"" dry.json &&
	jq -e ".body.materials | map(.cert) | sort == ([\"$SFZ1\", \"$SBK1\", \"$TXSP1\"] | sort)" dry.json &&
	test "$(db_sql "select count(*) from cases")" = 0
'

test_expect_success 'the case files with no uploads and shows three exemptions' '
	submit --token "$APP1" >case.json &&
	json_eq .status submitted <case.json &&
	jq -e "[.materials[] | select(.state == \"exempted\")] | length == 3" case.json &&
	jq -e ".materials[] | select(.code == \"M-TXSP\") | .state == \"exempted\" and .cert == \"$TXSP1\" and .ref == null" case.json &&
	jq -e ".materials[] | select(.code == \"M-YHZH\") | .state == \"missing\" and .cert == null" case.json &&
	jq -e "[.materials[] | select(.state == \"supplied\")] | length == 0" case.json
'

test_expect_success 'each checked reference wrote one audit row (actor, purpose "case-submit ITEM MATERIAL")' '
	test "$(db_sql "select count(*) from audit where purpose like '\''case-submit $ITEM M-%'\'' and outcome = '\''allowed'\''")" = 3 &&
	test "$(db_sql "select count(*) from audit where purpose = '\''case-submit $ITEM M-TXSP'\'' and cert = '\''$TXSP1'\'' and actor = '\''zhang'\''")" = 1 &&
	twonetd audit verify --db "$TWONETD_DB"
'

test_expect_success 'a forged reference (another holder'"'"'s certificate) is refused with exit 7, as one that does not exist' '
	before=$(db_sql "select count(*) from cases") &&
	test_expect_exit 7 submit --token "$APP1" --material M-BRSFZ=$SFZ2 --key forged >out 2>err &&
	grep -q "M-BRSFZ" err &&
	grep -q "does not exist or is not the applicant" err &&
	! grep -q "$P2" err &&
	test "$(db_sql "select count(*) from cases")" = "$before" &&
	test "$(db_sql "select outcome from audit where cert = '\''$SFZ2'\'' order by seq desc limit 1")" = forbidden
'

test_expect_success 'the wrong kind, an unknown certificate, a material no certificate stands for: 422' '
	body=$(submit --token "$APP1" --dry-run --jq .body | jq -c "del(.materials)") &&
	test "$(api POST /v1/cases "$APP1" -H "Idempotency-Key: k1" -d "$(jq -c ".materials = [{code: \"M-TXSP\", cert: \"$SBK1\"}]" <<<"$body")")" = 422 &&
	json_eq .field materials.M-TXSP <out.json &&
	jq -r .detail out.json | grep -q "is a 社会保障卡, not a 职工退休审批表" &&
	unknown=$(printf %s "$SBK1" | sed "s/00000001\.001\..$/00000099.001.0/") &&
	test "$(api POST /v1/cases "$APP1" -H "Idempotency-Key: k2" -d "$(jq -c ".materials = [{code: \"M-SBK\", cert: \"$unknown\"}]" <<<"$body")")" = 422 &&
	jq -r .detail out.json | grep -q "does not exist" &&
	test "$(api POST /v1/cases "$APP1" -H "Idempotency-Key: k3" -d "$(jq -c ".materials = [{code: \"M-YHZH\", cert: \"$SBK1\"}]" <<<"$body")")" = 422 &&
	jq -r .detail out.json | grep -q "material .M-YHZH. cannot be exempted" &&
	test "$(api POST /v1/cases "$APP1" -H "Idempotency-Key: k4" -d "$(jq -c ".materials = [{code: \"M-SBK\", cert: \"$SBK1\", ref: \"x\"}]" <<<"$body")")" = 400
'

test_expect_success 'a revoked certificate, and one changed in the database, are refused' '
	body=$(submit --token "$APP1" --dry-run --jq .body | jq -c "del(.materials)") &&
	api POST "/v1/certs/$SBK1/revoke" "$RS" -d "{\"reason\":\"卡片挂失\"}" >/dev/null &&
	test "$(api POST /v1/cases "$APP1" -H "Idempotency-Key: k5" -d "$(jq -c ".materials = [{code: \"M-SBK\", cert: \"$SBK1\"}]" <<<"$body")")" = 422 &&
	jq -r .detail out.json | grep -q "is revoked" &&
	db_sql "update certs set doc = replace(doc$(db_pick "" "::text"), '\''上海申城贸易'\'', '\''上海申域贸易'\'')$(db_pick "" "::json") where id = '\''$TXSP1'\''" &&
	test "$(api POST /v1/cases "$APP1" -H "Idempotency-Key: k6" -d "$(jq -c ".materials = [{code: \"M-TXSP\", cert: \"$TXSP1\"}]" <<<"$body")")" = 422 &&
	jq -r .detail out.json | grep -q "has a bad signature"
'

test_expect_success 'a filing with exempted materials holds the report columns the trigger derives' '
	q="select seq, r_day, r_legal, r_legal_days, r_accepted, r_mat, r_exempt from cases order by seq" &&
	db_sql "$q" > r.filed &&
	test "$(db_sql "select count(*) from cases where r_exempt > 0")" -gt 0 &&
	db_sql "update cases set submitted_at = submitted_at" &&
	db_sql "$q" > r.derived &&
	test_cmp r.derived r.filed
'

test_expect_success 'with the revoked card gone, --dry-run exempts only what is still valid' '
	submit --token "$APP1" --dry-run >dry2.json &&
	jq -e "[.exempted[] | .code] | index(\"M-SBK\") | not" dry2.json
'

test_done
