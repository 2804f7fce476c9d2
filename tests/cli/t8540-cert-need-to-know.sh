#!/bin/bash
# Need-to-know cannot be self-granted: a clerk who files a case for a holder
# does not thereby read the holder's certificates.  Reading rests on the
# holder's own act: a case they filed, or their one-time consent code given
# when the clerk files or fetches.  To anyone but the holder (and an admin) a
# certificate they may not read is answered exactly as one that does not
# exist, revoked or not; the audit log keeps what was so.
. "$(dirname "$0")/test-lib.sh"

P1=310101199003071230          # files a case at YBJ with their own token
P2=310115198511204566          # a stranger to the clerk
P3=110101199003070003          # gives a code when the clerk fetches
P4=11010519491231002X          # gives a code when the clerk files (zero-material)
ITEM=310000-YB-003             # YBJ
PENSION=310000-RS-004          # RSJ: M-TXSP, M-BRSFZ, M-SBK from certificates

# a marriage certificate (结婚证, MZJ) of holder $1 named $2, number $3
jhz() {
	printf '{"kind":"CK-JHZ","holder":{"type":"person","id":"%s","name":"%s"},"fields":{"certificate_no":"J310101-2020-%s","spouse_name":"王芳","spouse_id":"310104197206157894","register_date":"2020-05-20","registry":"上海市黄浦区民政局"},"valid_from":"2020-05-20"}' "$1" "$2" "$3"
}
sbk() {
	printf '{"kind":"CK-SBK","holder":{"type":"person","id":"%s","name":"%s"},"fields":{"card_no":"SB%s","bank":"上海银行","issue_date":"2018-06-01"},"valid_from":"2018-06-01"}' "$1" "$2" "$3"
}
# a case body of $ITEM for holder $1 named $2
yb_case() {
	printf '{"item":"%s","applicant":{"id":"%s","name":"%s"},"form":{"applicant_name":"%s","applicant_id":"%s","retire_date":"2026-12-01","applicant_phone":"13800000000"}}' \
		$ITEM "$1" "$2" "$2" "$1"
}
# a pension case body for holder $1 named $2 with materials $3 (a JSON array)
rs_pension() {
	printf '{"item":"%s","applicant":{"id":"%s","name":"%s"},"form":{"applicant_name":"%s","applicant_id":"%s","retire_date":"2026-12-01","bank_account":"6222021001112223334","applicant_phone":"13800000000"},"materials":%s}' \
		$PENSION "$1" "$2" "$2" "$1" "$3"
}
issue() {
	api POST /v1/certs "$1" -H "Idempotency-Key: $2" -d "$3" >/dev/null && jq -r .id out.json
}
# get WHO CERT [curl options]: GET one; status on stdout, the body with the id made ID in
# body, one line more in gets (each GET is one audit row)
get() {
	local who=$1 cert=$2 code
	shift 2
	code=$(api GET "/v1/certs/$cert?purpose=need-to-know" "$who" "$@")
	sed "s/$cert/ID/g" out.json >body
	echo "$cert" >>"$TRASH/gets"
	echo "$code"
}
audit_outcome() {      # the outcome of the newest audit row of certificate $1
	db_sql "select outcome from audit where cert = '$1' order by seq desc limit 1"
}
code_of() {            # a new one-time code of the applicant token $1
	api POST /v1/consents/codes "$1" >/dev/null && jq -r .code out.json
}

start_server || exit 1
for d in MZJ RSJ GAJ; do twonetd issuer add --db "$TWONETD_DB" --dept $d >/dev/null || exit 1; done
MZ=$(make_token issuer mz-issuer MZJ)
RS=$(make_token issuer rs-issuer RSJ)
SC=$(make_token issuer sc-issuer SCJGJ)
ADMIN=$(make_token admin root)
YB=$(make_token clerk yb-clerk YBJ)
YB2=$(make_token clerk yb-clerk-2 YBJ)
SW=$(make_token clerk sw-clerk SWJ)
RSC=$(make_token clerk rs-clerk RSJ)
APP1=$(make_token applicant p1 "" $P1)
APP2=$(make_token applicant p2 "" $P2)
APP3=$(make_token applicant p3 "" $P3)
APP4=$(make_token applicant p4 "" $P4)
NOSUBJ=$(make_token applicant kiosk)
HOSP=$(twonetd token add --db "$TWONETD_DB" --role reader --name ruijin --scenario hospital)

C1=$(issue "$MZ" c1 "$(jhz $P1 张三 001)")
C1R=$(issue "$MZ" c1r "$(jhz $P1 张三 009)")
C2=$(issue "$MZ" c2 "$(jhz $P2 李四 002)")
C3=$(issue "$MZ" c3 "$(jhz $P3 王五 003)")
SBK4=$(issue "$RS" s4 "$(sbk $P4 赵六 004)")
SBK2=$(issue "$RS" s2 "$(sbk $P2 李四 002)")
api POST "/v1/certs/$C1R/revoke" "$MZ" -d '{"reason":"婚姻关系已解除"}' >/dev/null
# a well-formed id of no certificate: one issued, then taken out of the database
MISSING=$(issue "$MZ" gone "$(jhz $P2 李四 099)")
db_sql "delete from certs where id = '$MISSING'"

test_expect_success 'set up: certificates of four holders, one revoked, an id of none' '
	for c in $C1 $C1R $C2 $C3 $SBK4 $SBK2 $MISSING; do
		case $c in 1.2.156.3005.2.*) ;; *) false ;; esac || return 1
	done &&
	test "$(db_sql "select count(*) from certs where id = '\''$MISSING'\''")" = 0 &&
	test "$(db_sql "select status from certs where id = '\''$C1R'\''")" = revoked
'

test_expect_success 'a clerk who files a case for a stranger still cannot read their certificates' '
	test "$(api POST /v1/cases "$YB" -H "Idempotency-Key: stranger" -d "$(yb_case $P2 李四)")" = 201 &&
	test "$(get "$YB" $C2)" = 404 &&
	json_eq .type /problems/not-found <out.json &&
	! grep -q "$P2" out.json &&
	test "$(audit_outcome $C2)" = forbidden &&
	test "$(api GET "/v1/certs?holder=$P2&purpose=x" "$YB")" = 403 &&
	jq -r .detail out.json | grep -q "that the holder filed or consented to" &&
	test "$(api GET "/v1/cases?applicant=$P2" "$YB")" = 200
'

test_expect_success 'refusals do not tell "does not exist", "someone else'"'"'s" and "revoked" apart' '
	for who in "$YB" "$APP2" "$SC"; do
		test "$(get "$who" $MISSING)" = 404 && cp body b0 || return 1
		for c in $C1 $C1R; do
			test "$(get "$who" $c)" = 404 && test_cmp b0 body || return 1
		done
	done &&
	cons="X-Consent-Token: tnc_0123456789012345678901234567890123456789" &&
	test "$(get "$HOSP" $MISSING -H "$cons")" = 404 && cp body b0 &&
	test "$(get "$HOSP" $C1 -H "$cons")" = 404 && test_cmp b0 body &&
	test "$(audit_outcome $MISSING)" = not-found &&
	test "$(audit_outcome $C1R)" = forbidden &&
	test "$(get "$NOSUBJ" $MISSING)" = 403 && cp body b0 &&
	test "$(get "$NOSUBJ" $C1)" = 403 && test_cmp b0 body
'

test_expect_success 'lists: the same refusal whoever the holder, certificates or none' '
	test "$(api GET "/v1/certs?holder=$P1&purpose=x" "$YB")" = 403 && sed "s/$P1/H/" out.json >l1 &&
	test "$(api GET "/v1/certs?holder=$P2&purpose=x" "$YB")" = 403 && sed "s/$P2/H/" out.json >l2 &&
	test "$(api GET "/v1/certs?holder=310104200001010017&purpose=x" "$YB")" = 403 &&
	sed "s/310104200001010017/H/" out.json >l3 &&
	test_cmp l1 l2 && test_cmp l1 l3
'

test_expect_success 'a case the holder filed lets the department'"'"'s clerks read, revoked ones too, while it is open' '
	test "$(api POST /v1/cases "$APP1" -H "Idempotency-Key: own" -d "$(yb_case $P1 张三)")" = 201 &&
	case_id=$(jq -r .id out.json) &&
	test "$(get "$YB" $C1)" = 200 && json_eq .id $C1 <out.json &&
	test "$(get "$YB2" $C1R)" = 200 && json_eq .status revoked <out.json &&
	test "$(api GET "/v1/certs?holder=$P1&purpose=x" "$YB")" = 200 &&
	test "$(jq ".items | length" out.json)" = 2 &&
	test "$(get "$SW" $C1)" = 404 &&
	test "$(api POST "/v1/cases/$case_id/actions" "$YB" -H "If-Match: 1" -d "{\"action\":\"reject\",\"comment\":\"材料不符\"}")" = 200 &&
	test "$(get "$YB" $C1)" = 404
'

test_expect_success 'consent codes: only a holder makes them; 12 characters, 10 minutes, at most 5 unused' '
	test "$(api POST /v1/consents/codes "$YB")" = 403 &&
	test "$(api POST /v1/consents/codes "$NOSUBJ")" = 403 &&
	test "$(api POST /v1/consents/codes "$ADMIN")" = 403 &&
	test "$(api POST /v1/consents/codes "$APP2" -d "{\"holder\":\"$P1\"}")" = 400 &&
	test "$(api POST /v1/consents/codes "$APP2" -d "{}")" = 201 &&
	jq -e ".code | test(\"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$\")" out.json &&
	json_eq .holder $P2 <out.json &&
	test $(( $(date -d "$(jq -r .expires_at out.json)" +%s) - $(date -d "$(jq -r .created_at out.json)" +%s) )) = 600 &&
	code=$(jq -r .code out.json) &&
	test "$(db_sql "select count(*) from consent_codes where hash = '\''$(printf %s "${code//-/}" | sha256sum | cut -d" " -f1)'\''")" = 1 &&
	! db_dump | grep -q "${code//-/}" &&
	for i in 2 3 4 5; do test "$(api POST /v1/consents/codes "$APP2")" = 201 || return 1; done &&
	test "$(api POST /v1/consents/codes "$APP2")" = 409 &&
	db_sql "update consent_codes set expires_epoch = 0 where holder = '\''$P2'\''" &&
	test "$(api POST /v1/consents/codes "$APP2")" = 201
'

test_expect_success 'a code given when fetching consents to the holder'"'"'s open cases in the department' '
	test "$(api POST /v1/cases "$YB" -H "Idempotency-Key: p3" -d "$(yb_case $P3 王五)")" = 201 &&
	case_id=$(jq -r .id out.json) &&
	test "$(get "$YB" $C3)" = 404 &&
	code=$(code_of "$APP3") &&
	test "$(get "$YB" $C3 -H "X-Consent-Code: $code")" = 200 &&
	test "$(db_sql "select used_dept from consent_codes where holder = '\''$P3'\''")" = YBJ &&
	db_sql "update consent_codes set expires_epoch = 0 where holder = '\''$P3'\''" &&
	test "$(get "$YB" $C3)" = 200 &&
	test "$(get "$YB2" $C3)" = 200 &&
	test "$(get "$SW" $C3)" = 404 &&
	test "$(api POST "/v1/cases/$case_id/actions" "$YB" -H "If-Match: 1" -d "{\"action\":\"reject\",\"comment\":\"x\"}")" = 200 &&
	test "$(get "$YB" $C3)" = 404
'

test_expect_success 'a code serves the one clerk that presents it first, for ten minutes; bad codes alike' '
	code=$(code_of "$APP3") &&
	test "$(get "$YB" $C3 -H "X-Consent-Code: $(echo $code | tr A-Z a-z | tr -d -)")" = 200 &&
	test "$(get "$YB" $C3)" = 200 &&
	test "$(get "$SW" $C3 -H "X-Consent-Code: $code")" = 404 &&
	db_sql "update consent_codes set expires_epoch = 0 where holder = '\''$P3'\''" &&
	test "$(get "$YB" $C3 -H "X-Consent-Code: $code")" = 404 &&
	other=$(code_of "$APP2") &&
	for bad in "$other" 0000-0000-0000 garbage "$code$code"; do
		test "$(api POST /v1/cases "$YB" -H "Idempotency-Key: bad-$bad" -H "X-Consent-Code: $bad" -d "$(yb_case $P3 王五)")" = 403 &&
		json_eq .field X-Consent-Code <out.json &&
		jq -r .detail out.json >detail.$bad || return 1
	done &&
	test_cmp "detail.$other" detail.garbage &&
	test_cmp "detail.$other" detail.0000-0000-0000 &&
	test "$(api POST /v1/cases "$SW" -H "Idempotency-Key: sw" -d "$(yb_case $P3 王五)")" = 403
'

test_expect_success 'a clerk'"'"'s case for a stranger cannot check their certificates: 403 alike, nothing filed' '
	before=$(db_sql "select count(*) from cases") &&
	for c in $SBK2 $SBK4 $MISSING; do
		test "$(api POST /v1/cases "$RSC" -H "Idempotency-Key: zm-$c" -d "$(rs_pension $P4 赵六 "[{\"code\":\"M-SBK\",\"cert\":\"$c\"}]")")" = 403 &&
		json_eq .field materials.M-SBK <out.json &&
		sed "s/$c/ID/g" out.json >zm.$c || return 1
	done &&
	test_cmp zm.$SBK2 zm.$SBK4 && test_cmp zm.$SBK2 zm.$MISSING &&
	test "$(db_sql "select count(*) from cases")" = "$before" &&
	test "$(db_sql "select outcome || '\'' '\'' || holder from audit where cert = '\''$SBK4'\'' order by seq desc limit 1")" = "forbidden $P4"
'

test_expect_success 'with the holder'"'"'s code the clerk looks up, then files a zero-material case' '
	code=$(code_of "$APP4") &&
	test "$(api GET "/v1/certs?holder=$P4&kind=CK-SBK&purpose=case-submit&status=valid" "$RSC" -H "X-Consent-Code: $code")" = 200 &&
	test "$(jq -r ".items[0].id" out.json)" = $SBK4 &&
	sleep 1 &&
	test "$(api POST /v1/cases "$RSC" -H "Idempotency-Key: zm-ok" -H "X-Consent-Code: $code" -d "$(rs_pension $P4 赵六 "[{\"code\":\"M-SBK\",\"cert\":\"$SBK4\"}]")")" = 201 &&
	jq -e ".materials[] | select(.code == \"M-SBK\") | .state == \"exempted\"" out.json &&
	test "$(api POST /v1/cases "$RSC" -H "Idempotency-Key: zm-ok" -H "X-Consent-Code: $code" -d "$(rs_pension $P4 赵六 "[{\"code\":\"M-SBK\",\"cert\":\"$SBK4\"}]")")" = 200 &&
	db_sql "update consent_codes set expires_epoch = (select max($(db_pick "cast(strftime('\''%s'\'', submitted_at) as integer)" "extract(epoch from submitted_at::timestamptz)::bigint")) from cases where applicant_id = '\''$P4'\'') where holder = '\''$P4'\''" &&
	sleep 1 &&
	test "$(get "$RSC" $SBK4)" = 200
'

test_expect_success 'with consent, another holder'"'"'s certificate and none at all read alike (422)' '
	for c in $SBK2 $MISSING; do
		test "$(api POST /v1/cases "$RSC" -H "Idempotency-Key: zm2-$c" -d "$(rs_pension $P4 赵六 "[{\"code\":\"M-SBK\",\"cert\":\"$c\"}]")")" = 422 &&
		sed "s/$c/ID/g" out.json >zm2.$c || return 1
	done &&
	test_cmp zm2.$SBK2 zm2.$MISSING &&
	jq -r .detail zm2.$SBK2 | grep -q "does not exist or is not the applicant" &&
	test "$(audit_outcome $SBK2)" = forbidden &&
	test "$(audit_outcome $MISSING)" = not-found
'

test_expect_success 'an admin still reads and checks everything, and learns why' '
	test "$(get "$ADMIN" $C2)" = 200 &&
	test "$(get "$ADMIN" $MISSING)" = 404 &&
	test "$(api POST /v1/cases "$ADMIN" -H "Idempotency-Key: adm" -d "$(rs_pension $P4 赵六 "[{\"code\":\"M-SBK\",\"cert\":\"$SBK2\"}]")")" = 422 &&
	jq -r .detail out.json | grep -q "belongs to another holder"
'

test_expect_success 'every attempt above has its audit row, and the chain verifies' '
	test "$(db_sql "select count(*) from audit where purpose = '\''need-to-know'\''")" = "$(wc -l <gets)" &&
	twonetd audit verify --db "$TWONETD_DB" >out &&
	grep -q "audit log intact" out
'

test_done
