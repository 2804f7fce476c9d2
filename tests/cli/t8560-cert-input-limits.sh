#!/bin/bash
# Hostile input to the certificate endpoints, with ordinary tokens: every
# member of the wrong JSON type is 422 naming it, strings have their
# documented maxima and refuse control characters, a purpose is 1 to 200
# characters without control characters (a %00 does not cut it short);
# nothing stops the server.
. "$(dirname "$0")/test-lib.sh"

P1=310101199003071230

jhz() {
	printf '{"kind":"CK-JHZ","holder":{"type":"person","id":"%s","name":"%s"},"fields":{"certificate_no":"J-%s","spouse_name":"王芳","spouse_id":"310104197206157894","register_date":"2020-05-20","registry":"上海市黄浦区民政局"},"valid_from":"2020-05-20"}' "$1" "$2" "$3"
}
# post_is STATUS FIELD TOKEN PATH BODY: the status (an extended regular expression), and
# the problem names FIELD
n=0
post_is() {
	local want=$1 field=$2 who=$3 path=$4 body=$5 got
	n=$((n + 1))
	got=$(api POST "$path" "$who" -H "Idempotency-Key: lim-$n-$RANDOM" -d "$body")
	if ! grep -Eqx "$want" <<<"$got"; then echo "$path $body: status $got, expected $want: $(cat out.json)" >&2; return 1; fi
	if [ -n "$field" ] && ! json_eq .field "$field" <out.json; then cat out.json >&2; return 1; fi
}
# a string of N copies of $2
rep() {
	printf "%$1s" "" | sed "s/ /$2/g"
}

start_server || exit 1
twonetd issuer add --db "$TWONETD_DB" --dept MZJ >/dev/null || exit 1
MZ=$(make_token issuer mz-issuer MZJ)
ADMIN=$(make_token admin root)
APP1=$(make_token applicant p1 "" $P1)
api POST /v1/certs "$MZ" -H "Idempotency-Key: c1" -d "$(jhz $P1 张三 001)" >/dev/null
C1=$(jq -r .id out.json)

test_expect_success 'set up: a certificate' '
	case $C1 in 1.2.156.3005.2.*) ;; *) false ;; esac
'

test_expect_success 'issuing: a member of the wrong type is 422 naming it' '
	b=$(jhz $P1 张三 002) &&
	post_is 422 kind "$MZ" /v1/certs "$(jq -c ".kind = 7" <<<"$b")" &&
	post_is 422 kind "$MZ" /v1/certs "$(jq -c ".kind = [\"CK-JHZ\"]" <<<"$b")" &&
	post_is 422 holder "$MZ" /v1/certs "$(jq -c ".holder = \"$P1\"" <<<"$b")" &&
	post_is 422 holder.id "$MZ" /v1/certs "$(jq -c ".holder.id = 310101199003071230" <<<"$b")" &&
	post_is 422 holder.name "$MZ" /v1/certs "$(jq -c ".holder.name = {}" <<<"$b")" &&
	post_is 422 fields "$MZ" /v1/certs "$(jq -c ".fields = \"x\"" <<<"$b")" &&
	post_is 422 fields.spouse_name "$MZ" /v1/certs "$(jq -c ".fields.spouse_name = 1" <<<"$b")" &&
	post_is 422 valid_from "$MZ" /v1/certs "$(jq -c ".valid_from = 20200520" <<<"$b")" &&
	post_is 422 valid_until "$MZ" /v1/certs "$(jq -c ".valid_until = true" <<<"$b")"
'

test_expect_success 'issuing: names and field values have their maxima and no control characters' '
	b=$(jhz $P1 张三 003) &&
	post_is 422 holder.name "$MZ" /v1/certs "$(jq -c ".holder.name = \"$(rep 101 名)\"" <<<"$b")" &&
	post_is 201 "" "$MZ" /v1/certs "$(jq -c ".holder.name = \"$(rep 100 名)\"" <<<"$b")" &&
	post_is "400|422" holder.name "$MZ" /v1/certs "$(jq -c ".holder.name = \"a\\u0007b\"" <<<"$b")" &&
	post_is 422 fields.registry "$MZ" /v1/certs "$(jq -c ".fields.registry = \"$(rep 1001 x)\"" <<<"$b")" &&
	post_is "400|422" fields.registry "$MZ" /v1/certs "$(jq -c ".fields.registry = \"a\\u001bb\"" <<<"$b")"
'

test_expect_success 'revoking: reason a string of 1 to 500 characters, no control characters (but a new line)' '
	post_is 422 reason "$MZ" "/v1/certs/$C1/revoke" "{\"reason\":42}" &&
	post_is 422 reason "$MZ" "/v1/certs/$C1/revoke" "{\"reason\":[\"x\"]}" &&
	post_is 422 reason "$MZ" "/v1/certs/$C1/revoke" "{\"reason\":\"\"}" &&
	post_is 422 reason "$MZ" "/v1/certs/$C1/revoke" "{\"reason\":\"$(rep 501 因)\"}" &&
	post_is 422 reason "$MZ" "/v1/certs/$C1/revoke" "{\"reason\":\"a\\tb\"}" &&
	post_is "400|422" reason "$MZ" "/v1/certs/$C1/revoke" "{\"reason\":\"a\\u001fb\"}" &&
	test "$(db_sql "select status from certs where id = '\''$C1'\''")" = valid
'

test_expect_success 'consents: scenario, expires_at and holder must be strings (422 naming them)' '
	exp=$(date -d "+30 days" +%Y-%m-%dT%H:%M:%S+08:00) &&
	post_is 422 scenario "$APP1" /v1/consents "{\"scenario\":1,\"expires_at\":\"$exp\"}" &&
	post_is 422 expires_at "$APP1" /v1/consents "{\"scenario\":\"bank\",\"expires_at\":1790000000}" &&
	post_is 422 holder "$APP1" /v1/consents "{\"scenario\":\"bank\",\"expires_at\":\"$exp\",\"holder\":310101199003071230}" &&
	post_is 422 holder "$ADMIN" /v1/consents "{\"scenario\":\"bank\",\"expires_at\":\"$exp\",\"holder\":{}}" &&
	post_is 422 scenario "$APP1" /v1/consents "{\"scenario\":\"$(rep 300 x)\",\"expires_at\":\"$exp\"}" &&
	post_is 201 "" "$APP1" /v1/consents "{\"scenario\":\"bank\",\"expires_at\":\"$exp\"}"
'

test_expect_success 'consent codes: the body is empty or {}' '
	post_is 400 holder "$APP1" /v1/consents/codes "{\"holder\":\"$P1\"}" &&
	post_is 400 "" "$APP1" /v1/consents/codes "[]" &&
	post_is 400 "" "$APP1" /v1/consents/codes "{" &&
	post_is 201 "" "$APP1" /v1/consents/codes "{}"
'

test_expect_success 'a purpose: 1 to 200 characters, no control characters, not cut at %00' '
	test "$(api GET "/v1/certs/$C1?purpose=$(rep 200 用)" "$ADMIN")" = 200 &&
	test "$(api GET "/v1/certs/$C1?purpose=$(rep 201 用)" "$ADMIN")" = 400 &&
	json_eq .field purpose <out.json &&
	test "$(api GET "/v1/certs/$C1?purpose=" "$ADMIN")" = 400 &&
	test "$(api GET "/v1/certs/$C1?purpose=a%00b" "$ADMIN")" = 400 &&
	test "$(api GET "/v1/certs/$C1?purpose=a%01b" "$ADMIN")" = 400 &&
	test "$(api GET "/v1/certs?holder=$P1&purpose=a%0Ab" "$ADMIN")" = 400 &&
	test "$(db_sql "select count(*) from audit where purpose = '\''a'\''")" = 0
'

test_expect_success 'headers: odd consent codes and tokens are refusals, never a crash' '
	long=$(rep 3000 A) &&
	test "$(api GET "/v1/certs/$C1?purpose=x" "$APP1" -H "X-Consent-Code: $long")" = 200 &&
	test "$(api POST /v1/cases "$APP1" -H "Idempotency-Key: odd" -H "X-Consent-Code: %00" -d "{}")" = 422 &&
	test "$(api GET /v1/health "")" = 200 &&
	kill -0 "$TWONETD_PID"
'

test_done
