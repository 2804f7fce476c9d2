#!/bin/bash
# cert-consent grant, list and revoke: a holder lets the readers of a scenario
# see some kinds of their e-certificates until a date.  A scenario may ask only
# for its own kinds (kinds.yaml: scenarios), a reader sees only the granted
# ones, a revoked or expired consent reads nothing, a replay does nothing twice.
. "$(dirname "$0")/test-lib.sh"

P=310101199003071230           # the holder
P2=310115198511204566          # another holder

start_server || exit 1
twonetd issuer add --db "$TWONETD_DB" --dept RSJ >/dev/null &&
twonetd issuer add --db "$TWONETD_DB" --dept MZJ >/dev/null || exit 1
RS=$(make_token issuer rs-issuer RSJ)
MZ=$(make_token issuer mz-issuer MZJ)
ADMIN=$(make_token admin root)
APP=$(make_token applicant p "" $P)
APP2=$(make_token applicant p2 "" $P2)
HOSP=$(twonetd token add --db "$TWONETD_DB" --role reader --name ruijin --scenario hospital)
MUSEUM=$(twonetd token add --db "$TWONETD_DB" --role reader --name bowuguan --scenario museum)
api POST /v1/certs "$RS" -H "Idempotency-Key: sbk" \
	-d "{\"kind\":\"CK-SBK\",\"holder\":{\"type\":\"person\",\"id\":\"$P\",\"name\":\"张三\"},\"fields\":{\"card_no\":\"SB001\",\"bank\":\"上海银行\",\"issue_date\":\"2018-06-01\"},\"valid_from\":\"2018-06-01\"}" >/dev/null
SBK=$(jq -r .id out.json)
api POST /v1/certs "$MZ" -H "Idempotency-Key: jhz" \
	-d "{\"kind\":\"CK-JHZ\",\"holder\":{\"type\":\"person\",\"id\":\"$P\",\"name\":\"张三\"},\"fields\":{\"certificate_no\":\"J310101-2020-001\",\"spouse_name\":\"王芳\",\"spouse_id\":\"310104197206157894\",\"register_date\":\"2020-05-20\",\"registry\":\"上海市黄浦区民政局\"},\"valid_from\":\"2020-05-20\"}" >/dev/null
JHZ=$(jq -r .id out.json)
UNTIL=$(date -d "+30 days" +%Y-%m-%d)

# read certificate $2 as reader token $1 with consent token $3: the status
read_as() {
	api GET "/v1/certs/$2?purpose=t5530" "$1" -H "X-Consent-Token: $3"
}

test_expect_success 'set up: a social security card and a marriage certificate of the holder' '
	case $SBK in 1.2.156.3005.2.*) ;; *) false ;; esac &&
	case $JHZ in 1.2.156.3005.2.*) ;; *) false ;; esac
'

test_expect_success 'grant: the holder lets the hospital read their social security card only' '
	cert-consent --token "$APP" grant --scenario hospital --kinds CK-SBK --until $UNTIL >g.json &&
	jq -e ".scenario == \"hospital\" and .holder == \"$P\" and (.kinds | length) == 1 and
		(.token | startswith(\"tnc_\")) and (.expires_at | startswith(\"$UNTIL\"))" g.json &&
	HT=$(jq -r .token g.json) &&
	test "$(read_as "$HOSP" $SBK $HT)" = 200 &&
	test "$(read_as "$HOSP" $JHZ $HT)" = 404 &&
	test "$(api GET "/v1/certs?holder=$P&purpose=t5530" "$HOSP" -H "X-Consent-Token: $HT")" = 200 &&
	test "$(jq -r "[.items[].id] | join(\" \")" out.json)" = "$SBK"
'

test_expect_success 'grant: every kind of the scenario by default; a museum never reads a marriage certificate' '
	cert-consent --token "$APP" grant --scenario museum --until $UNTIL --jq .token >mt &&
	MT=$(cat mt) &&
	test "$(read_as "$MUSEUM" $JHZ $MT)" = 404 &&
	test "$(api GET "/v1/certs?holder=$P&purpose=t5530" "$MUSEUM" -H "X-Consent-Token: $MT")" = 200 &&
	test "$(jq ".items | length" out.json)" = 0 &&
	cert-consent --token "$APP" grant --scenario amusement-park --until $UNTIL >/dev/null &&
	cert-consent --token "$APP" grant --scenario scenic-area --until $UNTIL >/dev/null
'

test_expect_success 'grant: a kind outside the scenario is invalid input (exit 7) naming it; nothing is granted' '
	n=$(db_sql "select count(*) from consents") &&
	test_expect_exit 7 cert-consent --token "$APP" grant --scenario museum --kinds CK-SFZ,CK-JHZ \
		--until $UNTIL 2>err &&
	grep -q "CK-JHZ" err && grep -q "museum" err &&
	test_expect_exit 7 cert-consent --token "$APP" grant --scenario zoo --until $UNTIL 2>err &&
	grep -q "scenario" err &&
	test_expect_exit 7 cert-consent --token "$APP" grant --scenario museum --until tomorrow 2>err &&
	grep -q "until" err &&
	test_expect_exit 2 cert-consent --token "$APP" grant --scenario museum 2>err &&
	test "$(api POST /v1/consents "$APP" -d "{\"scenario\":\"museum\",\"expires_at\":\"${UNTIL}T12:00:00+08:00\",\"kinds\":\"CK-SFZ\"}")" = 422 &&
	grep -q kinds out.json &&
	test "$(api POST /v1/consents "$APP" -d "{\"scenario\":\"museum\",\"expires_at\":\"${UNTIL}T12:00:00+08:00\",\"kinds\":[\"CK-NOPE\"]}")" = 422 &&
	grep -q CK-NOPE out.json &&
	test "$(db_sql "select count(*) from consents")" = "$n"
'

test_expect_success 'grant: another holder only by an admin (exit 4 for the holder token)' '
	test_expect_exit 4 cert-consent --token "$APP" grant --scenario museum --until $UNTIL \
		--holder $P2 2>err &&
	cert-consent --token "$ADMIN" grant --scenario bank --until $UNTIL --holder $P2 \
		--jq .holder >h &&
	test "$(cat h)" = $P2
'

test_expect_success 'list: the holder sees their own consents, never a token; an admin everyone'"'"'s' '
	cert-consent --token "$APP" list >l.json &&
	test "$(jq -s length l.json)" = 4 &&
	test "$(jq -s "[.[] | select(.holder != \"$P\")] | length" l.json)" = 0 &&
	! grep -q tnc_ l.json &&
	cert-consent --token "$APP" list --scenario hospital --jq .kinds[0] >k &&
	test "$(cat k)" = 11310000002401430U001 &&
	cert-consent --token "$ADMIN" list >a.json &&
	test "$(jq -s length a.json)" = 5 &&
	cert-consent --token "$ADMIN" list --holder $P2 --jq .scenario >s &&
	test "$(cat s)" = bank &&
	test_expect_exit 4 cert-consent --token "$APP2" list --holder $P 2>err
'

test_expect_success 'revoke: the next read is refused; again is skipped; another holder'"'"'s is not found' '
	id=$(cert-consent --token "$APP" list --scenario hospital --jq .id) &&
	HT=$(jq -r .token g.json) &&
	test_expect_exit 3 cert-consent --token "$APP2" revoke $id 2>err &&
	test "$(read_as "$HOSP" $SBK $HT)" = 200 &&
	cert-consent --token "$APP" revoke $id --jq .status >st &&
	test "$(cat st)" = revoked &&
	test "$(read_as "$HOSP" $SBK $HT)" = 404 &&
	cert-consent --token "$APP" revoke $id 2>err &&
	grep -q "already revoked; skipped" err &&
	cert-consent --token "$APP" list --all --scenario hospital --jq .status >st &&
	test "$(cat st)" = revoked &&
	test "$(cert-consent --token "$APP" list --scenario hospital | wc -l)" = 0 &&
	test_expect_exit 7 cert-consent --token "$APP" revoke abc 2>err &&
	grep -q "consent id" err
'

test_expect_success 'revoke -: ids on stdin, a summary line; a replay does nothing twice' '
	cert-consent --token "$APP" list --jq .id >ids &&
	test "$(wc -l <ids)" = 3 &&
	cert-consent --token "$APP" revoke - <ids >out 2>err &&
	grep -q "cert-consent: 3 done, 0 skipped, 0 failed" err &&
	MT=$(cat mt) &&
	test "$(read_as "$MUSEUM" $SBK $MT)" = 404 &&
	cert-consent --token "$APP" revoke - <ids >out 2>err &&
	grep -q "cert-consent: 0 done, 3 skipped, 0 failed" err &&
	test ! -s out
'

test_expect_success 'revoke -: a consent that is not there is named, counted as failed, exit 1' '
	{ head -n 1 ids; echo 999999; } >ids2 &&
	test_expect_exit 1 cert-consent --token "$APP" revoke - <ids2 >out 2>err &&
	grep -q "^cert-consent: error: consent 999999: " err &&
	tail -n 1 err | grep -qx "cert-consent: 0 done, 1 skipped, 1 failed"
'

test_expect_success 'an expired consent reads nothing' '
	cert-consent --token "$APP" grant --scenario hospital --until $UNTIL --jq .token >et &&
	ET=$(cat et) &&
	test "$(read_as "$HOSP" $SBK $ET)" = 200 &&
	db_sql "update consents set expires_epoch = 0 where holder = '\''$P'\'' and revoked_at is null" &&
	test "$(read_as "$HOSP" $SBK $ET)" = 404 &&
	cert-consent --token "$APP" list --all --scenario hospital --jq .status >st &&
	grep -q expired st
'

test_done
