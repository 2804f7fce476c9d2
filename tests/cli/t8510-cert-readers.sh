#!/bin/bash
# Who may read a certificate: every role against a holder with and without an
# open case of their own, consent tokens valid, expired, of another scenario or
# holder; a refusal that depends on the certificate reads as "not found"; one
# audit row per attempt (t8540 has the clerks' consent codes).  Then cert-fetch against twonetd: valid, revoked,
# not found, and a certificate signed with another department's key.
. "$(dirname "$0")/test-lib.sh"

P1=310101199003071230          # has a case open at YBJ, filed with their own token
P2=310115198511204566          # has none
tool="$TWONET_BUILD/tests/unit/test_certtool"

# a marriage certificate (结婚证, MZJ) of holder $1 named $2
jhz() {
	printf '{"kind":"CK-JHZ","holder":{"type":"person","id":"%s","name":"%s"},"fields":{"certificate_no":"J310101-2020-%s","spouse_name":"王芳","spouse_id":"310104197206157894","register_date":"2020-05-20","registry":"上海市黄浦区民政局"},"valid_from":"2020-05-20"}' "$1" "$2" "$3"
}

# the ISO/IEC 7064 MOD 37,36 check character of $1 (0-9A-Z)
check36() {
	local s=$1 a=0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ p=36 i c v
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		v=${a%%"$c"*}
		v=${#v}
		p=$(((p + v) % 36))
		[ $p = 0 ] && p=36
		p=$((p * 2 % 37))
	done
	echo "${a:$(((37 - p) % 36)):1}"
}

audit_rows() {
	db_sql "select count(*) from audit"
}

start_server || exit 1
twonetd issuer add --db "$TWONETD_DB" --dept MZJ >/dev/null &&
twonetd issuer add --db "$TWONETD_DB" --dept SCJGJ >/dev/null || exit 1
MZ=$(make_token issuer mz-issuer MZJ)
SC=$(make_token issuer sc-issuer SCJGJ)
ADMIN=$(make_token admin root)
YB=$(make_token clerk yb-clerk YBJ)
SW=$(make_token clerk sw-clerk SWJ)
APP1=$(make_token applicant p1 "" $P1)
APP2=$(make_token applicant p2 "" $P2)
OPER=$(make_token operator op-1)
SENSOR=$(make_token sensor pump-1)
HOSP=$(twonetd token add --db "$TWONETD_DB" --role reader --name ruijin --scenario hospital)
BANK=$(twonetd token add --db "$TWONETD_DB" --role reader --name icbc --scenario bank)

api POST /v1/certs "$MZ" -H "Idempotency-Key: p1" -d "$(jhz $P1 张三 001)" >/dev/null
C1=$(jq -r .id out.json)
api POST /v1/certs "$MZ" -H "Idempotency-Key: p2" -d "$(jhz $P2 李四 002)" >/dev/null
C2=$(jq -r .id out.json)

# P1's open case at YBJ, filed by P1
P1_CASE="{\"item\":\"310000-YB-003\",\"applicant\":{\"id\":\"$P1\",\"name\":\"张三\"},\"form\":{\"applicant_name\":\"张三\",\"applicant_id\":\"$P1\",\"retire_date\":\"2026-12-01\",\"applicant_phone\":\"13800000000\"}}"
api POST /v1/cases "$APP1" -H "Idempotency-Key: case-p1" -d "$P1_CASE" >/dev/null
CASE=$(jq -r .id out.json)

EXP=$(date -d "+30 days" +%Y-%m-%dT%H:%M:%S+08:00)
api POST /v1/consents "$APP1" -d "{\"scenario\":\"hospital\",\"expires_at\":\"$EXP\"}" >/dev/null
CONSENT=$(jq -r .token out.json)
# an expired consent of P1 for the hospital, written as the server would have
EXPIRED=tnc_00000000000000000000000000000000000000ee
db_sql "insert into consents (hash, holder, scenario, expires_at, expires_epoch,
	created_at, created_by) values ('$(printf %s $EXPIRED | sha256sum | cut -d' ' -f1)', '$P1',
	'hospital', '2026-01-01T00:00:00+08:00', $(date -d 2026-01-01T00:00:00+08:00 +%s),
	'2025-12-01T00:00:00+08:00', 'p1')" || exit 1

test_expect_success 'set up: two certificates, an open case, consent tokens' '
	case $C1 in 1.2.156.3005.2.*) ;; *) false ;; esac &&
	case $C2 in 1.2.156.3005.2.*) ;; *) false ;; esac &&
	case $CASE in C*) ;; *) false ;; esac &&
	case $CONSENT in tnc_*) ;; *) false ;; esac
'

# read WHO CERT STATUS [curl options]: GET one with a purpose; the status must
# be STATUS (a refusal that depends on the certificate is 404, as for one that
# does not exist; 403 only for a role that reads none), the data sent only
# when 200, and exactly one audit row written
read_is() {
	local who=$1 cert=$2 want=$3 before got
	shift 3
	before=$(audit_rows)
	got=$(api GET "/v1/certs/$cert?purpose=matrix" "$who" "$@")
	if [ "$got" != "$want" ]; then echo "status $got, expected $want: $(cat out.json)" >&2; return 1; fi
	if [ "$want" = 200 ]; then jq -e ".id == \"$cert\" and (.holder.id | length) == 18" out.json >/dev/null || return 1
	else jq -e ".type == \"/problems/$([ "$want" = 404 ] && echo not-found || echo forbidden)\" and (has(\"holder\") | not)" out.json >/dev/null || return 1
		! grep -q "$P1\|$P2" out.json || { echo "holder leaked" >&2; return 1; }
	fi
	test "$(audit_rows)" = $((before + 1)) || { echo "audit rows: $before -> $(audit_rows)" >&2; return 1; }
}

test_expect_success 'admin reads any holder' '
	read_is "$ADMIN" $C1 200 && read_is "$ADMIN" $C2 200
'

test_expect_success 'a clerk reads a holder with a case of their own open in the department, no other' '
	read_is "$YB" $C1 200 &&
	read_is "$YB" $C2 404 &&
	read_is "$SW" $C1 404
'

test_expect_success 'a clerk may no longer read once the case is closed (rejected)' '
	test "$(api POST "/v1/cases/$CASE/actions" "$YB" -H "If-Match: 1" -d "{\"action\":\"reject\",\"comment\":\"材料不符\"}")" = 200 &&
	read_is "$YB" $C1 404 &&
	test "$(api POST /v1/cases "$APP1" -H "Idempotency-Key: case-p1-again" -d "$P1_CASE")" = 201 &&
	read_is "$YB" $C1 200
'

test_expect_success 'an applicant reads only their own certificates' '
	read_is "$APP1" $C1 200 &&
	read_is "$APP1" $C2 404 &&
	read_is "$APP2" $C2 200 &&
	read_is "$APP2" $C1 404
'

test_expect_success 'an issuer reads its own department'"'"'s certificates only' '
	read_is "$MZ" $C1 200 &&
	read_is "$SC" $C1 404
'

test_expect_success 'a reader with the holder'"'"'s consent for its scenario reads; nothing else does, alike' '
	read_is "$HOSP" $C1 200 -H "X-Consent-Token: $CONSENT" &&
	read_is "$HOSP" $C2 404 -H "X-Consent-Token: $CONSENT" &&
	sed "s/$C2/ID/" out.json >other &&
	read_is "$BANK" $C1 404 -H "X-Consent-Token: $CONSENT" &&
	sed "s/$C1/ID/" out.json >scenario && test_cmp other scenario &&
	read_is "$HOSP" $C1 404 -H "X-Consent-Token: $EXPIRED" &&
	sed "s/$C1/ID/" out.json >expired && test_cmp other expired &&
	read_is "$HOSP" $C1 404 -H "X-Consent-Token: tnc_0123456789012345678901234567890123456789" &&
	sed "s/$C1/ID/" out.json >unknown && test_cmp other unknown &&
	read_is "$HOSP" $C1 403 &&
	jq -r .detail out.json | grep -q "X-Consent-Token"
'

test_expect_success 'a consent token is ignored for other roles; operators and sensors never read' '
	read_is "$SW" $C1 404 -H "X-Consent-Token: $CONSENT" &&
	read_is "$APP2" $C1 404 -H "X-Consent-Token: $CONSENT" &&
	read_is "$OPER" $C1 403 &&
	read_is "$SENSOR" $C1 403
'

test_expect_success 'lists follow the same rules, and are audited once each' '
	before=$(audit_rows) &&
	test "$(api GET "/v1/certs?holder=$P1&purpose=list" "$YB")" = 200 &&
	test "$(jq ".items | length" out.json)" = 1 &&
	test "$(api GET "/v1/certs?holder=$P2&purpose=list" "$YB")" = 403 &&
	test "$(api GET "/v1/certs?holder=$P1&purpose=list" "$HOSP" -H "X-Consent-Token: $CONSENT")" = 200 &&
	test "$(api GET "/v1/certs?holder=$P2&purpose=list" "$HOSP" -H "X-Consent-Token: $CONSENT")" = 403 &&
	test "$(api GET "/v1/certs?holder=$P1&purpose=list" "$SC")" = 200 &&
	test "$(jq ".items | length" out.json)" = 0 &&
	test "$(api GET "/v1/certs?holder=$P1" "$ADMIN")" = 400 &&
	test "$(audit_rows)" = $((before + 6))
'

test_expect_success 'the audit log holds each attempt: who, which certificate, purpose, outcome' '
	test "$(api GET "/v1/audit?cert=$C1&limit=1000" "$ADMIN")" = 200 &&
	jq -e "[.items[] | select(.actor == \"ruijin\" and .outcome == \"allowed\")] | length == 1" out.json &&
	jq -e "[.items[] | select(.actor == \"ruijin\" and .outcome == \"forbidden\")] | length == 3" out.json &&
	jq -e "[.items[] | select(.actor == \"icbc\")][0] | .role == \"reader\" and .holder == \"'$P1'\" and .purpose == \"matrix\"" out.json &&
	test "$(db_sql "select count(*) from audit where outcome = '\''bad-request'\'' and purpose is null")" = 1 &&
	twonetd audit verify --db "$TWONETD_DB"
'

test_expect_success 'a missing purpose is 400 for every role, and still audited' '
	before=$(audit_rows) &&
	test "$(api GET "/v1/certs/$C1" "$APP1")" = 400 &&
	json_eq .field purpose <out.json &&
	test "$(api GET "/v1/certs/$C1" "$SENSOR")" = 400 &&
	test "$(audit_rows)" = $((before + 2))
'

# ---- cert-fetch against the server ----

export TWONET_TOKEN=$ADMIN

test_expect_success 'cert-fetch: a valid certificate, verified with the served keys (exit 0)' '
	cert-fetch --purpose 核验 --format ndjson $C1 >out &&
	json_eq .verification.valid true <out &&
	json_eq .id $C1 <out &&
	test -s "$XDG_CACHE_HOME/twonet/issuers.json"
'

test_expect_success 'cert-fetch: revoked says so, with the reason (exit 1)' '
	test "$(api POST "/v1/certs/$C2/revoke" "$MZ" -d "{\"reason\":\"婚姻关系已解除\"}")" = 200 &&
	test_expect_exit 1 cert-fetch --purpose 核验 --format ndjson $C2 >out &&
	json_eq .verification.reason revoked <out &&
	jq -r .verification.detail out | grep -q 婚姻关系已解除
'

test_expect_success 'cert-fetch: an unknown certificate is not found (exit 3)' '
	base=1131000000240157XF0011131000000240157XF202600009999001 &&
	unknown=1.2.156.3005.2.1131000000240157XF001.1131000000240157XF.202600009999.001.$(check36 $base) &&
	test_expect_exit 3 cert-fetch --purpose 核验 --format ndjson $unknown >out 2>err &&
	grep -q "not found\|no certificate" err
'

test_expect_success 'cert-fetch: a certificate signed with another department'"'"'s key is a bad signature' '
	sckey=$(ls "${TWONETD_STATE:-$TWONETD_DB}.keys"/SCJGJ-*.pem) &&
	api GET "/v1/certs/$C1?purpose=forge" "$ADMIN" >/dev/null &&
	jq -c "del(.signature)" out.json | "$tool" sign "$sckey" >resigned.json &&
	jq -c ".signature.key_id = \"$(jq -r .signature.key_id out.json)\"" resigned.json >forged.json &&
	! cmp -s <(jq -r .signature.value forged.json) <(jq -r .signature.value out.json) &&
	db_sql "update certs set doc = '\''$(sed "s/'\''/'\'''\''/g" forged.json)'\'' where id = '\''$C1'\''" &&
	test_expect_exit 1 cert-fetch --purpose 核验 --format ndjson $C1 >out &&
	json_eq .verification.reason "bad signature" <out &&
	db_sql "update certs set doc = '\''$(sed "s/'\''/'\'''\''/g" resigned.json)'\'' where id = '\''$C1'\''" &&
	test_expect_exit 1 cert-fetch --purpose 核验 --format ndjson $C1 >out &&
	jq -e ".verification.valid == false" out
'

test_done
