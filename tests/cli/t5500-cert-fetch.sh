#!/bin/bash
# cert-fetch: options, usage errors, offline verification of
# certificates signed here (valid, tampered, revoked, expired, foreign keys),
# and SM2 interoperability with the openssl tool; then ids in bulk against a server (failures named, the summary).
. "$(dirname "$0")/test-lib.sh"

tool="$TWONET_BUILD/tests/unit/test_certtool"
ZJW=113100000024017134
MZJ=1131000000240157XF
KIND=113100000024017134001

test_expect_success 'set up: two issuer keys and three signed certificates' '
	"$tool" genkey ZJW $ZJW zjw.key >zjw.json &&
	"$tool" genkey MZJ $MZJ mzj.key >mzj.json &&
	test "$(stat -c %a zjw.key)" = 600 &&
	jq -cs "{items: .}" zjw.json mzj.json >issuers.json &&
	"$tool" gen 3 zjw.key ZJW $ZJW $KIND >certs.ndjson &&
	test $(wc -l <certs.ndjson) = 3
'

test_expect_success '--help and --version' '
	cert-fetch --help >out &&
	grep -q "^usage: cert-fetch \[OPTIONS\] ID" out &&
	grep -q -- "--verify FILE" out &&
	grep -q -- "--consent TOKEN" out &&
	cert-fetch --version | grep -q "^cert-fetch (twonet) "
'

test_expect_code 2 'no ids, no --holder, no --verify is a usage error' 'cert-fetch 2>err'
test_expect_code 2 '--kind without --holder is a usage error' 'cert-fetch --kind CK-YYZZ x 2>err'
test_expect_code 2 'ids and --holder together are a usage error' \
	'cert-fetch --holder 11010519491231002X x 2>err'
test_expect_code 2 'a bad --date is a usage error' \
	'cert-fetch --verify certs.ndjson --date 2026-02-30 2>err'
test_expect_success 'a look-up without a purpose is refused before anything is sent' '
	test_expect_exit 2 cert-fetch --url http://127.0.0.1:9 --no-verify \
		1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U 2>err &&
	grep -q "purpose" err
'
test_expect_success 'a malformed identifier is refused (exit 7) and not sent' '
	test_expect_exit 7 cert-fetch --url http://127.0.0.1:9 --retries 0 --no-verify --purpose test \
		1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.V 2>err &&
	grep -q "check character is .V., expected .U." err &&
	! grep -q "cannot reach" err
'
test_expect_success 'a bad holder code is refused (exit 7)' '
	test_expect_exit 7 cert-fetch --url http://127.0.0.1:9 --retries 0 --no-verify --purpose test \
		--holder 110105194912310021 2>err &&
	grep -q "expected .X." err
'

test_expect_success '--verify: signed certificates are valid, exit 0' '
	cert-fetch --verify certs.ndjson --issuers issuers.json --format ndjson >out &&
	test $(jq -s "map(select(.verification == {valid: true})) | length" out) = 3
'

test_expect_success '--verify: one changed byte is a bad signature, exit 1' '
	head -n 1 certs.ndjson | sed "s/上海申城/上海申域/" >tampered.json &&
	! cmp -s tampered.json <(head -n 1 certs.ndjson) &&
	test_expect_exit 1 cert-fetch --verify tampered.json --issuers issuers.json --format json >out &&
	json_eq ".[0].verification.reason" "bad signature" <out
'

test_expect_success '--verify: a revoked certificate says so (status is not signed)' '
	head -n 1 certs.ndjson |
	jq -c ".status = \"revoked\" | .revoked_at = \"2026-05-01T10:00:00+08:00\" | .revoke_reason = \"吊销\"" >revoked.json &&
	test_expect_exit 1 cert-fetch --verify revoked.json --issuers issuers.json --format ndjson >out &&
	json_eq .verification.reason revoked <out &&
	jq -r .verification.detail out | grep -q 吊销
'

test_expect_success '--verify --date: expired after valid_until, not yet valid before valid_from' '
	test_expect_exit 1 cert-fetch --verify certs.ndjson --issuers issuers.json --date 2031-01-01 --format ndjson >out &&
	test "$(jq -r .verification.reason out | sort -u)" = expired &&
	test_expect_exit 1 cert-fetch --verify certs.ndjson --issuers issuers.json --date 2025-12-31 --format ndjson >out &&
	test "$(jq -r .verification.reason out | sort -u)" = "not yet valid" &&
	cert-fetch --verify certs.ndjson --issuers issuers.json --date 2030-12-31 --format ndjson >out
'

test_expect_success '--verify: signed with another department'"'"'s key, or an unknown key' '
	"$tool" gen 1 mzj.key ZJW $ZJW $KIND >foreign.json &&
	test_expect_exit 1 cert-fetch --verify foreign.json --issuers issuers.json --format ndjson >out &&
	json_eq .verification.reason "unknown issuer" <out &&
	"$tool" genkey ZJW $ZJW rogue.key >/dev/null &&
	"$tool" gen 1 rogue.key ZJW $ZJW $KIND >rogue.json &&
	test_expect_exit 1 cert-fetch --verify rogue.json --issuers issuers.json --format ndjson >out &&
	json_eq .verification.reason "unknown issuer" <out
'

test_expect_success '--verify reads back its own JSON output, and stdin' '
	cert-fetch --verify certs.ndjson --issuers issuers.json --format json >saved.json &&
	jq -e "type == \"array\" and length == 3" saved.json &&
	cert-fetch --verify saved.json --issuers issuers.json --format ndjson >out &&
	test $(jq -s "map(select(.verification.valid)) | length" out) = 3 &&
	cat certs.ndjson | cert-fetch --verify - --issuers issuers.json --format ndjson >out &&
	test $(wc -l <out) = 3
'

test_expect_success '--verify never verifies the same certificate twice' '
	cat certs.ndjson certs.ndjson tampered.json tampered.json >dups.ndjson &&
	test_expect_exit 1 cert-fetch -v --verify dups.ndjson --issuers issuers.json --format ndjson >out 2>err &&
	test $(wc -l <out) = 8 &&
	grep -q "8 certificates, 2 not valid, 4 SM2 verifications" err
'

test_expect_success '--verify in groups (threads verify one while the next is read): order and answers kept' '
	"$tool" gen 1300 zjw.key ZJW $ZJW $KIND 2 >many.ndjson &&
	jq -c "if input_line_number % 97 == 5 then .holder.name = \"李四\" else . end" many.ndjson >mixed.ndjson &&
	cat mixed.ndjson certs.ndjson mixed.ndjson >mixed2.ndjson &&
	test_expect_exit 1 cert-fetch -v --threads 2 --verify mixed2.ndjson --issuers issuers.json --date 2026-06-01 \
		--format ndjson >out 2>err &&
	jq -r .id mixed2.ndjson >want.ids &&
	jq -r .id out >got.ids &&
	test_cmp want.ids got.ids &&
	jq -r "if .verification.valid then \"ok\" else .verification.reason end" out | sort | uniq -c >counts &&
	grep -q " 2575 ok" counts &&
	grep -q " 28 bad signature" counts &&
	grep -q "2603 certificates, 28 not valid, 1303 SM2 verifications" err
'

test_expect_success '--verify: the fixed-base tables answer as OpenSSL alone (TWONET_SM2_TABLES=0)' '
	test_expect_exit 1 cert-fetch --threads 2 --verify mixed2.ndjson --issuers issuers.json --date 2026-06-01 \
		--format ndjson >tables.out &&
	TWONET_SM2_TABLES=0 test_expect_exit 1 cert-fetch --threads 2 --verify mixed2.ndjson \
		--issuers issuers.json --date 2026-06-01 --format ndjson >evp.out &&
	test_cmp evp.out tables.out &&
	test "$(jq -s "map(select(.verification.reason == \"bad signature\")) | length" tables.out)" = 28
'

test_expect_success 'signed with EVP_PKEY_sign (TWONET_SM2_SIGN=evp) or with (1 + d)^-1 kept: both verify' '
	TWONET_SM2_SIGN=evp "$tool" gen 20 zjw.key ZJW $ZJW $KIND >evp.ndjson &&
	"$tool" gen 20 zjw.key ZJW $ZJW $KIND >own.ndjson &&
	cat evp.ndjson own.ndjson >both.ndjson &&
	TWONET_SM2_TABLES=0 cert-fetch --verify both.ndjson --issuers issuers.json --date 2026-06-01 \
		--format ndjson >out &&
	test "$(jq -s "map(select(.verification.valid)) | length" out)" = 40 &&
	! test_cmp evp.ndjson own.ndjson >/dev/null &&
	jq -c ".signature.value = \"$(jq -r .signature.value own.ndjson | sed -n 2p)\"" evp.ndjson | head -1 >swapped.ndjson &&
	test_expect_exit 1 cert-fetch --verify swapped.ndjson --issuers issuers.json --date 2026-06-01 \
		--format ndjson >out &&
	test "$(jq -r .verification.reason out)" = "bad signature"
'

test_expect_success '--verify without --issuers uses the key cache; no cache is exit 3' '
	test_expect_exit 3 cert-fetch --verify certs.ndjson 2>err &&
	grep -q "no issuer keys cached" err &&
	mkdir -p "$XDG_CACHE_HOME/twonet" &&
	jq -c "{version: 1, servers: {\"http://127.0.0.1:8642\": {etag: \"\\\"x\\\"\", fetched_at: \"2026-01-01T00:00:00Z\", items: .items}}}" \
		issuers.json >"$XDG_CACHE_HOME/twonet/issuers.json" &&
	cert-fetch --verify certs.ndjson --format ndjson >out &&
	test $(jq -s "map(select(.verification.valid)) | length" out) = 3
'

test_expect_success '--verify: a file that is not JSON is invalid input (exit 7)' '
	echo "{not json" >bad.json &&
	test_expect_exit 7 cert-fetch --verify bad.json --issuers issuers.json 2>err &&
	grep -q "bad.json" err
'

test_expect_success 'a table shows the verification' '
	cert-fetch --verify certs.ndjson --issuers issuers.json --format table >out &&
	head -n 1 out | grep -q "VERIFICATION.VALID" &&
	test $(grep -c " true " out) = 3
'

# SM2 with the GM/T 0009 distinguishing ID 1234567812345678, interoperable:
# the signed content is the canonical JSON of the issued members.
test_expect_success 'the openssl tool verifies our signatures with distid 1234567812345678 only' '
	head -n 1 certs.ndjson >one.json &&
	jq -jcS "{id,kind,kind_name,holder,issuer,fields,valid_from,valid_until,issued_at}" one.json >content &&
	jq -r .signature.value one.json | base64 -d >sig.der &&
	jq -r .public_key zjw.json >zjw.pub &&
	openssl dgst -sm3 -verify zjw.pub -sigopt distid:1234567812345678 -signature sig.der content &&
	test_must_fail openssl dgst -sm3 -verify zjw.pub -signature sig.der content &&
	test_must_fail openssl dgst -sm3 -verify zjw.pub -sigopt distid:ALICE123@YAHOO.COM -signature sig.der content
'

test_expect_success 'we verify signatures the openssl tool makes with that distid, not with another' '
	openssl dgst -sm3 -sign zjw.key -sigopt distid:1234567812345678 -out sig2.der content &&
	jq -c --arg v "$(base64 -w0 sig2.der)" ".signature.value = \$v" one.json >ossl.json &&
	cert-fetch --verify ossl.json --issuers issuers.json --format ndjson >out &&
	json_eq .verification.valid true <out &&
	openssl dgst -sm3 -sign zjw.key -sigopt distid:OTHER -out sig3.der content &&
	jq -c --arg v "$(base64 -w0 sig3.der)" ".signature.value = \$v" one.json >ossl3.json &&
	test_expect_exit 1 cert-fetch --verify ossl3.json --issuers issuers.json --format ndjson >out &&
	json_eq .verification.reason "bad signature" <out
'

# ---- ids in bulk against a server: each failure named, a summary at the end ----

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

start_server || exit 1
twonetd issuer add --db "$TWONETD_DB" --dept MZJ >/dev/null || exit 1
MZ=$(make_token issuer mz-issuer MZJ)
export TWONET_TOKEN=$(make_token admin root)
api POST /v1/certs "$MZ" -H "Idempotency-Key: p1" -d '{"kind":"CK-JHZ","holder":{"type":"person","id":"310101199003071230","name":"张三"},"fields":{"certificate_no":"J310101-2020-001","spouse_name":"王芳","spouse_id":"310104197206157894","register_date":"2020-05-20","registry":"上海市黄浦区民政局"},"valid_from":"2020-05-20"}' >/dev/null
C1=$(jq -r .id out.json)
base=1131000000240157XF0011131000000240157XF202600009999001
UNKNOWN=1.2.156.3005.2.1131000000240157XF001.1131000000240157XF.202600009999.001.$(check36 $base)

test_expect_success 'bulk from stdin: each failure names its certificate; a summary ends the run, exit 1' '
	printf "%s\n\n%s\nnot-an-id\n" "$C1" "$UNKNOWN" >ids &&
	test_expect_exit 1 cert-fetch --purpose 核验 --format ndjson - <ids >out 2>err &&
	test "$(wc -l <out)" = 1 && json_eq .id "$C1" <out &&
	grep -q "^cert-fetch: error: certificate '"'"'$UNKNOWN'"'"': " err &&
	grep -q "^cert-fetch: error: certificate '"'"'not-an-id'"'"': " err &&
	tail -n 1 err | grep -qx "cert-fetch: 1 done, 0 skipped, 2 failed; 1 not found" &&
	test "$(wc -l <err)" = 3
'

test_expect_success 'bulk, every one fetched: the summary, exit 0; one id: no summary' '
	cert-fetch --purpose 核验 --format ndjson "$C1" "$C1" >out 2>err &&
	test "$(wc -l <out)" = 2 &&
	test "$(cat err)" = "cert-fetch: 2 done, 0 skipped, 0 failed" &&
	cert-fetch --purpose 核验 --format ndjson "$C1" >out 2>err &&
	test ! -s err &&
	test_expect_exit 3 cert-fetch --purpose 核验 --format ndjson "$UNKNOWN" 2>err &&
	! grep -q "done" err
'

test_expect_success 'bulk where nothing came back: the first failure'"'"'s exit status, and the summary' '
	test_expect_exit 3 cert-fetch --purpose 核验 "$UNKNOWN" "$UNKNOWN" >out 2>err &&
	tail -n 1 err | grep -qx "cert-fetch: 0 done, 0 skipped, 2 failed; 2 not found"
'

test_expect_success '--no-verify writes each certificate as the server sent it: the bytes of the parsed reply (--jq .)' '
	printf "%s\n" "$C1" "$C1" "$C1" "$UNKNOWN" >ids3 &&
	test_expect_exit 1 cert-fetch --purpose 核验 --no-verify -v --format ndjson - <ids3 >fast 2>err &&
	grep -qx "cert-fetch: 3 of 3 certificates written as the server sent them" err &&
	grep -q "^cert-fetch: error: certificate '"'"'$UNKNOWN'"'"': " err &&
	test_expect_exit 1 cert-fetch --purpose 核验 --no-verify -v --jq . - <ids3 >parsed 2>err &&
	grep -qx "cert-fetch: 0 of 3 certificates written as the server sent them" err &&
	test "$(wc -l <fast)" = 3 &&
	test_cmp parsed fast &&
	head -n 1 fast | json_eq .id "$C1"
'

test_done
