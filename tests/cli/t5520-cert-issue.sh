#!/bin/bash
# cert-issue and cert-revoke against a server: one certificate from flags and
# from a file, many in bulk (replays issue nothing twice), refusals (role 4,
# another department's kind 4, a bad field 7 naming it, every fault at once),
# and a revoked certificate that cert-fetch then shows revoked.
. "$(dirname "$0")/test-lib.sh"

P=310101199003071230
P2=310115198511204566

test_expect_success '--help and --version' '
	cert-issue --help >out &&
	grep -q "^usage: cert-issue --kind KIND" out &&
	grep -q -- "--bulk" out &&
	cert-issue --version | grep -q "^cert-issue (twonet) " &&
	cert-revoke --help >out &&
	grep -q -- "--reason TEXT" out &&
	cert-revoke --version | grep -q "^cert-revoke (twonet) "
'
test_expect_code 2 'cert-issue with nothing to issue is a usage error' 'cert-issue 2>err'
test_expect_code 2 'cert-issue --bulk with --kind is a usage error' 'cert-issue --bulk --kind CK-SBK </dev/null 2>err'
test_expect_code 2 'cert-revoke without --reason is a usage error' 'cert-revoke 1.2.3 2>err'
test_expect_code 2 'cert-revoke without ids is a usage error' 'cert-revoke --reason x 2>err'

test_expect_success 'bad fields are refused before sending (exit 7), every one named' '
	test_expect_exit 7 cert-issue --url http://127.0.0.1:9 --retries 0 --kind CK-SBK \
		--holder $P --holder-name 张三 --field card_no=SB1 --field colour=red \
		--valid-until 2026-02-30 2>err &&
	grep -q "fields.colour" err &&
	grep -q "fields.bank" err &&
	grep -q "fields.issue_date" err &&
	grep -q "valid_until" err &&
	! grep -q "cannot reach" err
'
test_expect_success 'an unknown kind and a bad holder id are refused (exit 7)' '
	test_expect_exit 7 cert-issue --url http://127.0.0.1:9 --retries 0 --kind CK-NOPE \
		--holder 310101199003071231 --holder-name x 2>err &&
	grep -q "unknown certificate kind .CK-NOPE." err &&
	grep -q "holder.id" err
'

test_expect_success 'a holder name with a tab and a field over 1000 characters are refused (exit 7)' '
	test_expect_exit 7 cert-issue --url http://127.0.0.1:9 --retries 0 --kind CK-SBK \
		--holder $P --holder-name "$(printf "a\tb")" --field card_no=$(printf "x%.0s" $(seq 1001)) \
		--field bank=b --field issue_date=2020-01-01 2>err &&
	grep -q "holder.name" err &&
	grep -q "fields.card_no: must be at most 1000 characters" err
'

start_server || exit 1
twonetd issuer add --db "$TWONETD_DB" --dept RSJ >/dev/null || exit 1
RS=$(make_token issuer rs-issuer RSJ)
GA=$(make_token issuer ga-issuer GAJ)
ADMIN=$(make_token admin root)
YB=$(make_token clerk yb-clerk YBJ)

test_expect_success 'cert-issue from flags: the certificate, id first in a table' '
	TWONET_TOKEN=$RS cert-issue --kind CK-SBK --holder $P --holder-name 张三 \
		--field card_no=SB001 --field bank=上海银行 --field issue_date=2018-06-01 \
		--valid-from 2018-06-01 --format json >out &&
	json_eq .kind 11310000002401430U001 <out &&
	json_eq .status valid <out &&
	jq -r .id out >sbk.id &&
	grep -q "^1\.2\.156\.3005\.2\.11310000002401430U001\." sbk.id &&
	TWONET_TOKEN=$RS cert-issue --kind CK-SBK --holder $P --holder-name 张三 \
		--field card_no=SB001 --field bank=上海银行 --field issue_date=2018-06-01 \
		--valid-from 2018-06-01 --format table >table 2>err &&
	head -n 1 table | grep -q "^ID" &&
	grep -q "$(cat sbk.id)" table
'
test_expect_success 'the same flags again issue nothing new (same id, said on stderr)' '
	TWONET_TOKEN=$RS cert-issue --kind CK-SBK --holder $P --holder-name 张三 \
		--field card_no=SB001 --field bank=上海银行 --field issue_date=2018-06-01 \
		--valid-from 2018-06-01 --jq .id >id2 2>err &&
	test "$(cat id2)" = "$(cat sbk.id)" &&
	grep -q "issued before" err
'
test_expect_success 'cert-issue -f FILE (YAML)' '
	cat >txsp.yaml <<-EOF &&
	kind: CK-TXSP
	holder: {type: person, id: "$P", name: 张三}
	fields: {approval_no: TX2026-001, employer: 上海申城贸易有限公司, retirement_date: "2026-12-01", retirement_type: 正常退休}
	valid_from: "2026-01-05"
	EOF
	TWONET_TOKEN=$RS cert-issue -f txsp.yaml --jq .kind_name >out &&
	test "$(cat out)" = 职工退休审批表
'
test_expect_code 4 'a clerk may not issue (exit 4)' '
	TWONET_TOKEN=$YB cert-issue --kind CK-SBK --holder $P --holder-name 张三 \
		--field card_no=SB9 --field bank=b --field issue_date=2018-06-01 2>err
'
test_expect_success 'an issuer of another department may not issue the kind (exit 4)' '
	test_expect_exit 4 env TWONET_TOKEN=$GA cert-issue --kind CK-SBK --holder $P --holder-name 张三 \
		--field card_no=SB9 --field bank=b --field issue_date=2018-06-01 2>err &&
	grep -q "cannot issue kind" err
'

test_expect_success 'bulk: every record issued, a bad one named by its line, summary, exit 1' '
	for i in 1 2 3 4 5; do
		printf "{\"kind\":\"CK-SBK\",\"holder\":{\"id\":\"%s\",\"name\":\"李四\"},\"fields\":{\"card_no\":\"B%s\",\"bank\":\"b\",\"issue_date\":\"2020-01-01\"}}\n" $P2 $i
	done >bulk.ndjson &&
	echo "{\"kind\":\"CK-SBK\",\"holder\":{\"id\":\"$P2\",\"name\":\"李四\"},\"fields\":{\"card_no\":\"B9\"}}" >>bulk.ndjson &&
	echo not-json >>bulk.ndjson &&
	test_expect_exit 1 env TWONET_TOKEN=$RS cert-issue --bulk --parallel 3 <bulk.ndjson >out 2>err &&
	test $(jq -s length out) = 5 &&
	test $(jq -r .id out | sort -u | wc -l) = 5 &&
	grep -q "stdin:6: .*fields.bank" err &&
	grep -q "^cert-issue: error: stdin:7: malformed JSON" err &&
	grep -q "cert-issue: 5 done, 0 skipped, 2 failed" err
'
test_expect_success 'bulk replay: nothing issued twice' '
	head -n 5 bulk.ndjson | TWONET_TOKEN=$RS cert-issue --bulk --parallel 4 >out2 2>err &&
	grep -q "cert-issue: 0 done, 5 skipped, 0 failed" err &&
	test "$(jq -r .id out2 | sort)" = "$(jq -r .id out | sort)" &&
	test "$(TWONET_TOKEN=$ADMIN cert-fetch --holder $P2 --purpose test --format ndjson | wc -l)" = 5
'

test_expect_success 'cert-revoke: revoked, and cert-fetch verification says so' '
	TWONET_TOKEN=$ADMIN cert-fetch --purpose test --format json "$(cat sbk.id)" >before &&
	json_eq .verification.valid true <before &&
	TWONET_TOKEN=$RS cert-revoke --reason 卡片挂失 "$(cat sbk.id)" --format json >out &&
	json_eq .status revoked <out &&
	json_eq .revoke_reason 卡片挂失 <out &&
	test_expect_exit 1 env TWONET_TOKEN=$ADMIN cert-fetch --purpose test --format json "$(cat sbk.id)" >after 2>/dev/null &&
	json_eq .status revoked <after &&
	json_eq .verification.reason revoked <after
'
test_expect_success 'cert-revoke - : ids on stdin, the one already revoked skipped, summary' '
	{ cat sbk.id; jq -c "{id}" out2 | head -n 2; } |
		TWONET_TOKEN=$RS cert-revoke --reason 重新制卡 - >out3 2>err &&
	test $(jq -s length out3) = 2 &&
	grep -q "cert-revoke: 2 done, 1 skipped, 0 failed" err
'
test_expect_success 'cert-revoke -: a bad id among good ones is named with its line, counted, exit 1' '
	{ jq -r .id out2 | sed -n 3p; echo 1.2.156.bad; } >ids3 &&
	test_expect_exit 1 env TWONET_TOKEN=$RS cert-revoke --reason 重新制卡 - <ids3 >out4 2>err &&
	test $(jq -s length out4) = 1 &&
	grep -q "^cert-revoke: error: 1.2.156.bad (line 2): " err &&
	tail -n 1 err | grep -qx "cert-revoke: 1 done, 0 skipped, 1 failed"
'
test_expect_success 'cert-revoke: another department'"'"'s issuer is refused (exit 4), a bad id (exit 7)' '
	test_expect_exit 4 env TWONET_TOKEN=$GA cert-revoke --reason x "$(jq -r .id out2 | tail -n 1)" 2>err &&
	test_expect_exit 7 env TWONET_TOKEN=$RS cert-revoke --reason x 1.2.156.bad 2>err
'

stop_server
test_done
