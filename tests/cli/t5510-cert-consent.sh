#!/bin/bash
# The holder's consent at the window, from end to end: the applicant makes a
# one-time code with their own token (cert-consent code) and reads it out; the
# clerk gives it to case-submit and cert-fetch (--consent-code), which send it
# as X-Consent-Code.  A clerk who files for a stranger with the code gets the
# stranger's e-certificates attached; without it, reads nothing of them.
. "$(dirname "$0")/test-lib.sh"

P=310101199003071230           # the applicant, a stranger to the clerks
P2=310115198511204566          # another holder
ITEM=310000-YB-003             # YBJ; M-SBK and M-TXSP can come from certificates
CODE_RE='^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$'

start_server || exit 1
twonetd issuer add --db "$TWONETD_DB" --dept RSJ >/dev/null || exit 1
RS=$(make_token issuer rs-issuer RSJ)
ADMIN=$(make_token admin root)
YB=$(make_token clerk yb-clerk YBJ)
SW=$(make_token clerk sw-clerk SWJ)
APP=$(make_token applicant p "" $P)
APP2=$(make_token applicant p2 "" $P2)
KIOSK=$(make_token applicant kiosk)
api POST /v1/certs "$RS" -H "Idempotency-Key: sbk" \
	-d "{\"kind\":\"CK-SBK\",\"holder\":{\"type\":\"person\",\"id\":\"$P\",\"name\":\"张三\"},\"fields\":{\"card_no\":\"SB001\",\"bank\":\"上海银行\",\"issue_date\":\"2018-06-01\"},\"valid_from\":\"2018-06-01\"}" >/dev/null
SBK=$(jq -r .id out.json)

# file P's case on $ITEM with the options given
file_p() {
	case-submit --item $ITEM --applicant-id $P --applicant-name 张三 \
		--field applicant_name=张三 --field applicant_id=$P --field retire_date=2026-12-01 \
		--field applicant_phone=13800000000 "$@"
}
# the certificate that stands for material $1 in the case on stdin ("null": none)
cert_of() {
	jq -r --arg m "$1" '.materials[] | select(.code == $m) | .cert'
}
# holder $1's codes expire now
expire_codes() {
	db_sql "update consent_codes set expires_epoch = 0 where holder = '$1'"
}

test_expect_success 'set up: a social security card of the applicant' '
	case $SBK in 1.2.156.3005.2.*) ;; *) false ;; esac
'

test_expect_success 'cert-consent code: the holder'"'"'s own token makes a code; JSON on a pipe, a table when asked' '
	cert-consent --token "$APP" code >code.json &&
	jq -e --arg re "$CODE_RE" ".code | test(\$re)" code.json &&
	json_eq .holder $P <code.json &&
	test $(( $(date -d "$(jq -r .expires_at code.json)" +%s) - $(date -d "$(jq -r .created_at code.json)" +%s) )) = 600 &&
	cert-consent --token "$APP" code --format table >table &&
	head -n 1 table | grep -q "^CODE  *EXPIRES_AT  *HOLDER" &&
	TWONET_TOKEN=$APP cert-consent code --jq .code >one &&
	grep -Eq "$CODE_RE" one &&
	test "$(db_sql "select count(*) from consent_codes where holder = '\''$P'\''")" = 3 &&
	expire_codes $P
'

test_expect_success 'cert-consent code: only a holder makes codes (exit 4); a sixth unused one is a conflict (exit 5)' '
	test_expect_exit 4 cert-consent --token "$YB" code 2>err &&
	grep -q "only a holder" err &&
	test_expect_exit 4 cert-consent --token "$KIOSK" code 2>err &&
	test_expect_exit 4 cert-consent --token "$ADMIN" code 2>err &&
	for i in 1 2 3 4 5; do cert-consent --token "$APP2" code >/dev/null || return 1; done &&
	test_expect_exit 5 cert-consent --token "$APP2" code 2>err &&
	test "$(db_sql "select count(*) from consent_codes where holder = '\''$P2'\''")" = 5 &&
	expire_codes $P2
'

test_expect_success 'cert-consent: no subcommand, another one or an extra argument is a usage error (exit 2)' '
	test_expect_exit 2 cert-consent --url http://127.0.0.1:9 2>err &&
	grep -q "give a subcommand: code" err &&
	test_expect_exit 2 cert-consent --url http://127.0.0.1:9 grnat 2>err &&
	grep -q "unknown subcommand .grnat." err &&
	test_expect_exit 2 cert-consent --url http://127.0.0.1:9 code now 2>err &&
	! grep -q "reach" err
'

test_expect_success 'a malformed --consent-code is invalid input (exit 7): nothing is sent' '
	for bad in 7K2M-9QXD-4HT 7K2M-9QXD-4HT8X 7K2U-9QXD-4HT8 "7K2M 9QXD 4HT*"; do
		test_expect_exit 7 file_p --url http://127.0.0.1:9 --retries 0 --token "$YB" \
			--consent-code "$bad" 2>err &&
		grep -q "consent code" err &&
		test_expect_exit 7 cert-fetch --url http://127.0.0.1:9 --retries 0 --token "$YB" \
			--purpose x --holder $P --consent-code "$bad" 2>err &&
		grep -q "consent code" err || return 1
	done &&
	! grep -q "reach" err
'

test_expect_success 'a code is one applicant'"'"'s: not with --bulk (exit 2), nor with --verify' '
	test_expect_exit 2 case-submit --bulk --consent-code 7K2M-9QXD-4HT8 </dev/null 2>err &&
	grep -q "not --bulk" err &&
	test_expect_exit 2 cert-fetch --verify /dev/null --consent-code 7K2M-9QXD-4HT8 2>err
'

test_expect_success 'without the code a clerk reads nothing of a stranger'"'"'s: the case goes without the certificates, with a hint' '
	file_p --token "$YB" --format json >case.json 2>err &&
	test "$(cert_of M-SBK <case.json)" = null &&
	grep -q "warning: the applicant.s e-certificates were not looked up: a clerk needs their one-time code (--consent-code CODE; they make it with .cert-consent code.)" err &&
	test "$(wc -l <err)" = 1 &&
	test "$(db_sql "select count(*) from audit where holder = '\''$P'\'' and outcome = '\''allowed'\''")" = 0 &&
	test_expect_exit 4 cert-fetch --token "$YB" --purpose 核验 --holder $P 2>err &&
	grep -q "X-Consent-Code" err &&
	grep -q "hint: .*--consent-code CODE" err
'

test_expect_success 'without the code a clerk cannot name a stranger'"'"'s certificate: exit 4, nothing filed' '
	before=$(count_cases) &&
	test_expect_exit 4 file_p --token "$YB" --material M-SBK=$SBK --key named 2>err &&
	grep -q "X-Consent-Code" err &&
	grep -q "hint: .*--consent-code CODE" err &&
	test "$(count_cases)" = "$before"
'

test_expect_success 'with the applicant'"'"'s code read out, the clerk'"'"'s case carries their certificate' '
	code=$(cert-consent --token "$APP" code --jq .code) &&
	said=$(echo "$code" | tr A-Z a-z | tr - " ") &&
	file_p --token "$YB" --consent-code "$said" --dry-run >dry.json 2>err &&
	test "$(jq -r ".exempted[] | select(.code == \"M-SBK\") | .cert" dry.json)" = "$SBK" &&
	! grep -q "warning" err &&
	file_p --token "$YB" --consent-code "$code" --format json >case.json &&
	test "$(cert_of M-SBK <case.json)" = "$SBK" &&
	test "$(db_sql "select used_dept from consent_codes where holder = '\''$P'\'' and used_by is not null")" = YBJ &&
	cert-fetch --token "$YB" --consent-code "$code" --purpose 核验 --holder $P --format ndjson >certs.json &&
	json_eq .id "$SBK" <certs.json &&
	json_eq .verification.valid true <certs.json &&
	cert-fetch --token "$YB" --consent-code "$code" --purpose 核验 "$SBK" --format json >one.json &&
	json_eq .id "$SBK" <one.json
'

test_expect_success 'a code serves the one clerk that gave it first: another clerk reads nothing with it (exit 4)' '
	code=$(cert-consent --token "$APP" code --jq .code) &&
	cert-fetch --token "$YB" --consent-code "$code" --purpose 核验 --holder $P --format json >/dev/null &&
	test_expect_exit 4 cert-fetch --token "$SW" --consent-code "$code" --purpose 核验 --holder $P 2>err &&
	grep -q "X-Consent-Code" err &&
	! grep -q "hint" err
'

test_expect_success 'a code that is not good refuses the filing (exit 4, nothing filed): another holder'"'"'s, expired' '
	before=$(count_cases) &&
	other=$(cert-consent --token "$APP2" code --jq .code) &&
	test_expect_exit 4 file_p --token "$YB" --consent-code "$other" --key other 2>err &&
	grep -q "the consent code is not good for this applicant" err &&
	! grep -q "hint" err &&
	mine=$(cert-consent --token "$APP" code --jq .code) &&
	expire_codes $P &&
	test_expect_exit 4 file_p --token "$YB" --consent-code "$mine" --key expired 2>err &&
	grep -q "consent code is not good" err &&
	test "$(count_cases)" = "$before"
'

test_done
